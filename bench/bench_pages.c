/* bench_pages — pages per second of the worker loop on a local site, against
 * the floor of this machine: (a) curl fetching the same URL list with one
 * handle, (b) that fetch plus a gumbo parse of each page. The worker runs as
 * crawld runs it: `crawld-worker serve` with tasks as frames on fd 3.
 * Also reports the worker's RSS at page 100 and at the last page.
 *
 * usage: bench_pages WORKER_BIN BASE_URL [PAGES] [ROUNDS]
 * BASE_URL serves /site/p/K.html (tests/server/httpd.py). */
#include "arena.h"
#include "benchutil.h"
#include "wire.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* (a) and (b): one easy handle, keep-alive, optional gumbo parse. */
static double run_curl(const char *base, int pages, int parse)
{
    benchutil_fetcher f;
    if (benchutil_fetcher_init(&f) < 0) {
        fprintf(stderr, "curl_easy_init failed\n");
        exit(1);
    }
    char url[512];
    double t0 = benchutil_now_s();
    for (int i = 0; i < pages; i++) {
        snprintf(url, sizeof(url), "%s/site/p/%d.html", base, i);
        if (benchutil_fetch(&f, url, parse) != CURLE_OK) {
            fprintf(stderr, "curl failed on %s\n", url);
            exit(1);
        }
    }
    double dt = benchutil_now_s() - t0;
    benchutil_fetcher_release(&f);
    return pages / dt;
}

/* (c): the real worker over its channel. */
static double run_worker(const char *worker, const char *base, int pages, long *rss100,
                         long *rss_last)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        return 0;
    char conf[] = "/tmp/bench_pages.XXXXXX";
    int cfd = mkstemp(conf);
    const char *text = "[network]\nallow_private = true\n";
    if (write(cfd, text, strlen(text)) < 0)
        return 0;
    close(cfd);
    pid_t pid = fork();
    if (pid == 0) {
        char fd[16];
        snprintf(fd, sizeof(fd), "%d", sv[1]);
        close(sv[0]);
        execl(worker, worker, "serve", "-c", conf, "--fd", fd, (char *)NULL);
        _exit(127);
    }
    close(sv[1]);
    arena a;
    arena_init(&a, 0);
    char *hello;
    size_t hlen;
    if (frame_read(sv[0], &a, FRAME_MAX_RESULT, &hello, &hlen) != FRAME_OK ||
        !strstr(hello, "\"ready\"")) {
        fprintf(stderr, "worker did not start\n");
        exit(1);
    }
    char task[600];
    double t0 = benchutil_now_s();
    /* As crawld drives it: the next task is already queued on the channel
     * when a page ends (depth 2), so the worker never waits for the driver. */
    int sent = 0;
    for (int i = 0; i < pages; i++) {
        while (sent < pages && sent < i + 2) {
            int n = snprintf(task, sizeof(task),
                             "{\"type\":\"task\",\"task_id\":%d,\"url\":\"%s/site/p/%d.html\"}",
                             sent + 1, base, sent);
            if (frame_write(sv[0], task, (size_t)n) != FRAME_OK) {
                fprintf(stderr, "worker channel closed\n");
                exit(1);
            }
            sent++;
        }
        char *reply;
        size_t len;
        /* Messages in JSON ({"type":"parse"} before each result, stats)
         * come between the results: skipped, as crawld only counts them. */
        do {
            if (frame_read(sv[0], &a, FRAME_MAX_RESULT, &reply, &len) != FRAME_OK) {
                fprintf(stderr, "worker gave no reply\n");
                exit(1);
            }
        } while (!wire_is_result(reply, len) && len > 0 && reply[0] == '{');
        frame_result res;
        wire_err e;
        const char *why = NULL;
        if (wire_result_decode(reply, len, &res, &e) < 0)
            why = e.detail;
        if (why || res.status != 200 || (res.flags & FR_FAILED)) {
            fprintf(stderr, "bad reply: %s (status %lld)\n", why ? why : "the page failed",
                    why ? 0LL : (long long)res.status);
            exit(1);
        }
        long rss = (long)res.rss_kb;
        if (i + 1 == 100)
            *rss100 = rss;
        *rss_last = rss;
        arena_reset(&a, 1 << 20);
    }
    double dt = benchutil_now_s() - t0;
    close(sv[0]);
    waitpid(pid, NULL, 0);
    arena_release(&a);
    unlink(conf);
    return pages / dt;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_pages WORKER_BIN BASE_URL [PAGES] [ROUNDS]\n");
        return 2;
    }
    const char *worker = argv[1], *base = argv[2];
    int pages = argc > 3 ? atoi(argv[3]) : 1000;
    int rounds = argc > 4 ? atoi(argv[4]) : 3;
    if (rounds > 15)
        rounds = 15;
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    double a[16], b[16], w[16];
    long rss100 = 0, rss_last = 0;
    run_curl(base, pages, 0);          /* the server builds each page on first request */
    for (int r = 0; r < rounds; r++) { /* interleaved: drift hits all three */
        a[r] = run_curl(base, pages, 0);
        b[r] = run_curl(base, pages, 1);
        w[r] = run_worker(worker, base, pages, &rss100, &rss_last);
    }
    qsort(a, rounds, sizeof(double), cmp);
    qsort(b, rounds, sizeof(double), cmp);
    qsort(w, rounds, sizeof(double), cmp);
    double ma = a[rounds / 2], mb = b[rounds / 2], mw = w[rounds / 2];
    printf("pages=%d rounds=%d (medians)\n", pages, rounds);
    printf("  (a) curl, one handle        %8.1f pages/s\n", ma);
    printf("  (b) curl + gumbo parse      %8.1f pages/s\n", mb);
    /* Above 100 %: without JS the worker scans a page for links with its
     * own tokenizer (worker/scan.c), no gumbo tree (bench_scan). */
    printf("  worker loop (fd 3 frames)   %8.1f pages/s  = %.1f%% of (b)\n", mw, 100 * mw / mb);
    printf("  worker RSS page 100 %ld KB, page %d %ld KB (%+.2f%%)\n", rss100, pages, rss_last,
           rss100 > 0 ? 100.0 * (double)(rss_last - rss100) / (double)rss100 : 0.0);
    printf("curl_pps=%.1f curl_gumbo_pps=%.1f worker_pps=%.1f worker_vs_floor=%.3f "
           "rss100_kb=%ld rss_last_kb=%ld\n",
           ma, mb, mw, mw / mb, rss100, rss_last);
    curl_global_cleanup();
    return 0;
}
