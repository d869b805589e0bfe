/* bench_jscache — worker CPU per JS page whose scripts are the same on
 * every page (a documentation site: jquery, underscore, small Sphinx
 * scripts), through js_page_run alone: no network, no daemon.
 *
 * Each FILE.js is served (from memory) at http://bench.invalid/static/NAME;
 * page i loads them all in order, then an inline script that adds a link.
 * Prints the CPU (user+sys of the process, all threads) of page 1 and the
 * mean of pages 2..N, plus the wall time js_page_run reported and RSS.
 * Without files (bench/run.sh): one generated ~300 KB script of small
 * functions, a third of them called.
 * usage: bench_jscache [N [FILE.js...]]   (N defaults to 200)
 * e.g. S=/usr/share/doc/python3-all-dev/html/_static (python3-doc):
 *   bench_jscache 300 $S/jquery.js $S/underscore.js \
 *     $S/_sphinx_javascript_frameworks_compat.js $S/doctools.js \
 *     $S/sphinx_highlight.js */
#include "alloc.h"
#include "arena.h"
#include "dom.h"
#include "html.h"
#include "js/js.h"
#include "rss.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef struct file {
    const char *name;
    char *body;
    size_t len;
} file;

static file FILES[16];
static int NFILES;
static js_runtime *RT;
static int PAGE;

static int host_fetch(void *ud, const char *url, js_response *out)
{
    (void)ud;
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < NFILES; i++) {
        const char *slash = strrchr(url, '/');
        if (slash && !strcmp(slash + 1, FILES[i].name)) {
            out->status = 200;
            out->body = FILES[i].body;
            out->len = FILES[i].len;
            out->final_url = url;
            return 0;
        }
    }
    out->status = 404;
    out->body = "";
    return 0;
}

static void host_log(void *ud, int level, const char *msg)
{
    (void)ud;
    if (level >= 3 && PAGE == 0)
        fprintf(stderr, "log: %s\n", msg);
}

typedef struct ctx {
    arena *a;
    js_page_result res;
} ctx;

/* Between html_tree_build and html_tree_extract, as page.c runs them. */
static void run_scripts(ctx *c, void *gumbo_output)
{
    dom *d = dom_new(c->a, gumbo_output, "http://bench.invalid/p.html");
    js_host host = {.fetch = host_fetch, .log = host_log};
    if (!d || js_page_run(RT, d, &host, &c->res) != 0) {
        fprintf(stderr, "page failed\n");
        exit(1);
    }
}

static double cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 200;
    if (n < 1) {
        fprintf(stderr, "usage: bench_jscache [N [FILE.js...]]\n");
        return 2;
    }
    char page[8192];
    size_t pl = (size_t)snprintf(page, sizeof(page), "<html><body><a href=/x>x</a>");
    for (int i = 2; i < argc && NFILES < 16; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            return 1;
        }
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        fseek(f, 0, SEEK_SET);
        FILES[NFILES].body = malloc((size_t)len + 1);
        if (fread(FILES[NFILES].body, 1, (size_t)len, f) != (size_t)len)
            return 1;
        FILES[NFILES].body[len] = '\0';
        FILES[NFILES].len = (size_t)len;
        fclose(f);
        const char *slash = strrchr(argv[i], '/');
        FILES[NFILES].name = slash ? slash + 1 : argv[i];
        pl += (size_t)snprintf(page + pl, sizeof(page) - pl, "<script src=/static/%s></script>",
                               FILES[NFILES].name);
        NFILES++;
    }
    if (argc <= 2) {
        enum { FN = 6000 };
        size_t cap = (size_t)FN * 64 + 256, len = 0;
        char *b = malloc(cap);
        if (!b)
            return 1;
        for (int j = 0; j < FN; j++)
            len += (size_t)snprintf(b + len, cap - len,
                                    "function g%d(x){var y=x*%d;return y>%d?y-%d:y+%d;}\n", j,
                                    j % 7 + 1, j, j, j);
        len += (size_t)snprintf(b + len, cap - len,
                                "var acc=0;for(var k=0;k<%d;k+=3)acc+=this['g'+k](k);\n", FN);
        FILES[0] = (file){"gen.js", b, len};
        NFILES = 1;
        pl +=
            (size_t)snprintf(page + pl, sizeof(page) - pl, "<script src=/static/gen.js></script>");
    }
    pl += (size_t)snprintf(page + pl, sizeof(page) - pl,
                           "<script>var a=document.createElement('a');a.href='/js';"
                           "document.body.appendChild(a);</script></body></html>");
    char err[256];
    js_config c = {.heap_bytes = (size_t)64 << 20, .time_budget_ms = 10000, .user_agent = "bench"};
    if (js_runtime_new(&c, &RT, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    arena a;
    arena_init(&a, 0);
    double first = 0, rest = 0, wall_rest = 0;
    size_t links = 0;
    for (int i = 0; i < n; i++) {
        PAGE = i;
        arena_reset(&a, 1 << 20);
        ctx cx = {&a, {0}};
        html_options o = {0};
        html_doc doc;
        double t0 = cpu_ms();
        if (html_tree_build(&a, page, pl, &o, &doc) != HTML_OK)
            return 1;
        run_scripts(&cx, doc.gumbo_output);
        if (html_tree_extract(&a, "http://bench.invalid/p.html", &o, &doc) != HTML_OK)
            return 1;
        js_hint_moderate(RT);
        double t = cpu_ms() - t0;
        if (i == 0) {
            first = t;
        } else {
            rest += t;
            wall_rest += cx.res.ms;
        }
        links = doc.nlinks;
        if (i == 0 && cx.res.scripts_failed)
            fprintf(stderr, "page 1: %d scripts failed (logged above)\n", cx.res.scripts_failed);
    }
    printf("bench_jscache: %d pages, %d scripts each + 1 inline, %zu links: page 1 %.1f ms CPU; "
           "pages 2-%d mean %.2f ms CPU, %.2f ms wall in js_page_run; RSS %ld KB\n",
           n, NFILES, links, first, n, n > 1 ? rest / (n - 1) : 0, n > 1 ? wall_rest / (n - 1) : 0,
           rss_self_kb());
    arena_release(&a);
    js_runtime_free(RT);
    return 0;
}
