/* bench_scan — µs per page of html_parse (gumbo tree + walk) against
 * html_scan (libxml2 SAX) on the test server's generated site pages
 * (tests/server/httpd.py site_page, about 12 KB each), in the same run,
 * with the same arena reset between pages, want_text off as crawld runs
 * them by default. Also checks that both found the same links.
 *
 * usage: bench_scan [PAGES] [ROUNDS]   (run from the repo root; needs python3) */
#include "arena.h"
#include "html.h"
#include "scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef html_err (*parse_fn)(arena *, const char *, const char *, size_t, const html_options *,
                             html_doc *);

/* Best of ROUNDS of one pass over all pages; µs per page. */
static double time_pass(parse_fn fn, arena *a, char **pages, size_t *lens, int n, int rounds,
                        size_t *links) {
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

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 300;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    if (n < 1 || rounds < 1) {
        fprintf(stderr, "usage: bench_scan [PAGES] [ROUNDS]\n");
        return 2;
    }
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import sys; sys.path.insert(0, \"tests/server\"); import httpd\n"
             "for k in range(%d): sys.stdout.buffer.write(httpd.site_page(k, 5000) + b\"\\0\")'",
             n);
    FILE *p = popen(cmd, "r");
    size_t cap = (size_t)n * 20000, len = 0, r;
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
    size_t lg, ls;
    /* Warm both, then alternate so neither gets a quieter machine. */
    time_pass(html_parse, &a, pages, lens, got, 1, &lg);
    time_pass(html_scan, &a, pages, lens, got, 1, &ls);
    double g = 1e30, s = 1e30;
    for (int k = 0; k < 3; k++) {
        double t = time_pass(html_parse, &a, pages, lens, got, rounds, &lg);
        g = t < g ? t : g;
        t = time_pass(html_scan, &a, pages, lens, got, rounds, &ls);
        s = t < s ? t : s;
    }
    printf("bench_scan: %d site pages, %.1f KB average, best of %d rounds x 3\n", got,
           (double)bytes / got / 1024, rounds);
    printf("html_parse (gumbo): %8.1f us/page  %6.1f MB/s  links %zu\n", g,
           (double)bytes / got / g, lg);
    printf("html_scan (libxml2): %7.1f us/page  %6.1f MB/s  links %zu\n", s,
           (double)bytes / got / s, ls);
    printf("speed-up: %.1fx\n", g / s);
    arena_release(&a);
    free(pages);
    free(lens);
    free(all);
    return lg == ls ? 0 : 1;
}
