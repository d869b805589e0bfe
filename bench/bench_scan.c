/* bench_scan — µs per page of html_parse (gumbo tree + walk) against
 * scan_sax (libxml2 SAX) and scan_lex (the HTML5 tokenizer) on the test
 * server's generated site pages (tests/server/httpd.py site_page, about
 * 12 KB each), or on the .html files under DIR (the Python docs:
 * /usr/share/doc/python3/html), in the same run, with the same arena reset
 * between pages, want_text off as crawld runs them by default. Also checks
 * that all three found the same number of links.
 *
 * usage: bench_scan [PAGES] [ROUNDS] [DIR]   (run from the repo root; needs
 * python3) */
#include "arena.h"
#include "html.h"
#include "scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef html_err (*parse_fn)(arena *, const char *, const char *, size_t, const html_options *,
                             html_doc *);

/* Best of ROUNDS of one pass over all pages; µs per page. */
static double time_pass(parse_fn fn, arena *a, char **pages, size_t *lens, int n, int rounds,
                        size_t *links)
{
    double best = 1e30;
    html_options o = {.want_text = 0};
    for (int r = 0; r < rounds; r++) {
        size_t total = 0;
        double t0 = now_s();
        for (int i = 0; i < n; i++) {
            html_doc d;
            if (fn(a, "http://127.0.0.1/site/p/x.html", pages[i], lens[i], &o, &d) != HTML_OK) {
                fprintf(stderr, "bench_scan: page %d failed\n", i);
                exit(1);
            }
            total += d.nlinks;
            arena_reset(a, 1 << 20);
        }
        double t = now_s() - t0;
        if (t < best)
            best = t;
        *links = total;
    }
    return best * 1e6 / n;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 300;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    const char *dir = argc > 3 ? argv[3] : NULL;
    if (n < 1 || rounds < 1 || (dir && strchr(dir, '\''))) {
        fprintf(stderr, "usage: bench_scan [PAGES] [ROUNDS] [DIR]\n");
        return 2;
    }
    char cmd[1024];
    if (dir) /* the files' bytes, NUL-separated (an HTML file holds no NUL) */
        snprintf(cmd, sizeof cmd,
                 "find '%s/' -name '*.html' | sort | head -n %d | "
                 "python3 -c 'import sys\n"
                 "for f in sys.stdin.read().split(): "
                 "sys.stdout.buffer.write(open(f, \"rb\").read().replace(b\"\\0\", b\"\") + "
                 "b\"\\0\")'",
                 dir, n);
    else
        snprintf(cmd, sizeof cmd,
                 "python3 -c 'import sys; sys.path.insert(0, \"tests/server\"); import httpd\n"
                 "for k in range(%d): sys.stdout.buffer.write(httpd.site_page(k, 5000) + "
                 "b\"\\0\")'",
                 n);
    FILE *p = popen(cmd, "r");
    size_t cap = (size_t)n * (dir ? 6u << 20 : 20000), len = 0, r;
    char *all = malloc(cap);
    if (!p || !all)
        return 1;
    while ((r = fread(all + len, 1, cap - len, p)) > 0)
        len += r;
    if (pclose(p) != 0 || len == 0) {
        fprintf(stderr, "bench_scan: could not generate the pages (run from the repo root)\n");
        return 1;
    }
    char **pages = malloc((size_t)n * sizeof *pages);
    size_t *lens = malloc((size_t)n * sizeof *lens);
    int got = 0;
    size_t bytes = 0;
    for (char *q = all; q < all + len && got < n; q += strlen(q) + 1) {
        pages[got] = q;
        lens[got] = strlen(q);
        bytes += lens[got++];
    }
    arena a;
    arena_init(&a, 0);
    static const parse_fn fn[3] = {html_parse, scan_sax, scan_lex};
    static const char *const name[3] = {"html_parse (gumbo)", "scan_sax (libxml2)",
                                        "scan_lex (tokenizer)"};
    size_t links[3];
    double best[3] = {1e30, 1e30, 1e30};
    /* Warm each, then alternate so none gets a quieter machine. */
    for (int f = 0; f < 3; f++)
        time_pass(fn[f], &a, pages, lens, got, 1, &links[f]);
    for (int k = 0; k < 3; k++)
        for (int f = 0; f < 3; f++) {
            double t = time_pass(fn[f], &a, pages, lens, got, rounds, &links[f]);
            best[f] = t < best[f] ? t : best[f];
        }
    printf("bench_scan: %d %s, %.1f KB average, best of %d rounds x 3\n", got,
           dir ? "files" : "site pages", (double)bytes / got / 1024, rounds);
    for (int f = 0; f < 3; f++)
        printf("%-21s %8.1f us/page  %6.1f MB/s  links %zu  (%.2fx gumbo's time)\n", name[f],
               best[f], (double)bytes / got / best[f], links[f], best[f] / best[0]);
    arena_release(&a);
    free(pages);
    free(lens);
    free(all);
    return links[0] == links[1] && links[0] == links[2] ? 0 : 1;
}
