/* crawld-worker — the page worker. `fetch URL` renders one page by hand and
 * prints the result; `serve` is loop mode, started by crawld with its task
 * channel on fd 3 (serve.h). */
#include "alloc.h"
#include "config.h"
#include "env.h"
#include "dom.h"
#include "json_alloc.h"
#include "log.h"
#include "page.h"
#include "record.h"
#include "sandbox.h"
#include "serve.h"
#include "timefmt.h"
#include "url.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: crawld-worker fetch [--js|--no-js] [--dump json|html|links|text]\n"
               "                           [--timeout-ms N] [-c FILE] URL\n"
               "       crawld-worker serve [-c FILE] [--fd N]\n"
               "       crawld-worker --version\n");
}

static int load_config(crawld_config *cfg, const char *path)
{
    char err[512];
    config_defaults(cfg);
    if (path && config_load(cfg, path, err, sizeof(err)) < 0) {
        fprintf(stderr, "crawld-worker: %s\n", err);
        return -1;
    }
    if (config_validate(cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "crawld-worker: %s: %s\n", path ? path : "built-in defaults", err);
        return -1;
    }
    int l = log_level_parse(cfg->log_level);
    if (l >= 0)
        log_set_level((log_level)l);
    log_init_from_env();
    return 0;
}

static int cmd_fetch(int argc, char **argv)
{
    enum { DUMP_JSON, DUMP_HTML, DUMP_LINKS, DUMP_TEXT } dump = DUMP_JSON;
    const char *conf = NULL;
    long timeout = 0;
    int js = -1;
    static const struct option opts[] = {{"dump", required_argument, 0, 'd'},
                                         {"timeout-ms", required_argument, 0, 't'},
                                         {"js", no_argument, 0, 'j'},
                                         {"no-js", no_argument, 0, 'n'},
                                         {"config", required_argument, 0, 'c'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (strcmp(optarg, "json") == 0)
                dump = DUMP_JSON;
            else if (strcmp(optarg, "html") == 0)
                dump = DUMP_HTML;
            else if (strcmp(optarg, "links") == 0)
                dump = DUMP_LINKS;
            else if (strcmp(optarg, "text") == 0)
                dump = DUMP_TEXT;
            else {
                fprintf(stderr, "crawld-worker: --dump: \"%s\" is not json, html, links or text\n",
                        optarg);
                return 2;
            }
            break;
        case 't': {
            char *end;
            errno = 0;
            timeout = strtol(optarg, &end, 10);
            if (errno || *end || timeout <= 0 || timeout > 3600000) {
                fprintf(stderr, "crawld-worker: --timeout-ms: \"%s\" is not 1..3600000\n", optarg);
                return 2;
            }
            break;
        }
        case 'j':
            js = 1;
            break;
        case 'n':
            js = 0;
            break;
        case 'c':
            conf = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "crawld-worker fetch: exactly one URL is needed\n");
        usage(stderr);
        return 2;
    }
    const char *url = argv[optind];
    crawld_config cfg;
    if (load_config(&cfg, conf) < 0)
        return 2;
    cfg.allow_private = 1; /* by hand, the user chose the address */

    worker_env env;
    char err[256];
    if (worker_env_init(&env, &cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "crawld-worker: %s\n", err);
        return 1;
    }
    /* By hand the page is run once: attempts 1, no job, no parent. */
    page_task t = {.url = url,
                   .js = js < 0 ? cfg.js_default : js,
                   .timeout_ms = timeout,
                   .want_text = dump == DUMP_TEXT,
                   .attempts = 1};
    page p;
    int rc = 1;
    char *norm = NULL;
    url_err ue = url_normalize(env.scratch, url, &norm);
    if (ue != URL_OK) {
        /* Every field of a record (a page never fetched), with the url word. */
        char ts[TIMEFMT_ISO_SIZE];
        timefmt_iso_now(ts, sizeof(ts));
        record r = {.url = url,
                    .error = arena_sprintf(env.scratch, "url: %s", url_err_str(ue)),
                    .ts = ts,
                    .attempts = t.attempts};
        record_buf b = {.a = env.scratch};
        if (r.error && record_write(&b, &r) == 0)
            printf("%s\n", b.p);
        fprintf(stderr, "crawld-worker: url: %s: %s\n", url_err_str(ue), url);
        worker_env_free(&env);
        return 1;
    }
    t.url = norm;
    int r = page_run(&env, &t, &p);
    if (r < 0) {
        fprintf(stderr, "crawld-worker: out of memory\n");
        worker_env_free(&env);
        return 1;
    }
    rc = r == 0 ? 0 : 1;
    if (dump == DUMP_JSON || r != 0) {
        size_t len;
        char *s = page_result_json(&p, &len);
        if (s)
            printf("%s\n", s);
        if (r != 0)
            fprintf(stderr, "crawld-worker: %s\n", p.error);
    } else if (dump == DUMP_HTML) {
        /* After scripts: the document they left; else the body as fetched. */
        size_t n = 0;
        char *html = p.dom ? dom_serialize(p.dom, dom_document(p.dom), false, &n) : NULL;
        if (html)
            printf("<!DOCTYPE html>%s\n", html);
        else if (p.fetch.body)
            fwrite(p.fetch.body, 1, p.fetch.body_len, stdout);
    } else if (dump == DUMP_LINKS) {
        for (size_t i = 0; p.parsed && i < p.doc.nlinks; i++)
            printf("%s\n", p.doc.links[i]);
    } else if (dump == DUMP_TEXT) {
        if (p.parsed && p.doc.text)
            printf("%s\n", p.doc.text);
    }
    page_end(&env, &p);
    worker_env_free(&env);
    return rc;
}

static int cmd_serve(int argc, char **argv)
{
    const char *conf = NULL;
    int fd = 3;
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'}, {"fd", required_argument, 0, 'f'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        if (c == 'c')
            conf = optarg;
        else if (c == 'f')
            fd = atoi(optarg);
        else {
            usage(stderr);
            return 2;
        }
    }
    /* No worker outlives its supervisor. */
    pid_t parent = getppid();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        return 1;
    if (fcntl(fd, F_GETFD) < 0) {
        fprintf(stderr, "crawld-worker serve: fd %d is not open (crawld passes the channel)\n", fd);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    crawld_config cfg;
    if (load_config(&cfg, conf) < 0)
        return 2;
    worker_env env;
    char err[256];
    if (worker_env_init(&env, &cfg, err, sizeof(err)) < 0) {
        log_error("worker", "init failed", "error=\"%s\"", err);
        return 1;
    }
    /* After curl's global init (the JS engine starts later, on the first
     * JS page, and needs nothing the filter denies). */
    if (cfg.worker_sandbox) {
        if (sandbox_install(err, sizeof(err)) < 0)
            log_warn("worker", "sandbox not installed; running without it", "pid=%ld error=\"%s\"",
                     (long)getpid(), err);
        else
            log_debug("worker", "sandbox installed", "pid=%ld", (long)getpid());
    }
    log_debug("worker", "serving", "pid=%ld fd=%d", (long)getpid(), fd);
    int rc = serve_loop(&env, fd);
    worker_env_free(&env);
    return rc;
}

int main(int argc, char **argv)
{
    json_alloc_install();
    log_init_from_env();
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("crawld-worker %s\n", CRAWLD_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "fetch") == 0)
        return cmd_fetch(argc - 1, argv + 1);
    if (strcmp(argv[1], "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    if (strcmp(argv[1], "sandbox-selftest") == 0) {
        /* Not in the usage: for tests (tests/faults/sandbox.py). Installs
         * the sandbox, then tries what it denies; prints the outcomes. */
        char err[256], out[512];
        if (sandbox_install(err, sizeof(err)) < 0) {
            fprintf(stderr, "crawld-worker: sandbox: %s\n", err);
            return 1;
        }
        int rc = sandbox_selftest(out, sizeof(out));
        printf("%s\n", out);
        return rc < 0 ? 1 : 0;
    }
    fprintf(stderr, "crawld-worker: unknown command \"%s\"\n", argv[1]);
    usage(stderr);
    return 2;
}
