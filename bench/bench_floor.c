/* bench_floor — the floor of a crawl on this machine: fetch every URL of a
 * list with one libcurl easy handle (keep-alive, one connection) and parse
 * each body with gumbo, nothing else (no link extraction, no queue, no
 * output). bench/bench_peers.py compares crawld's pages per second with it.
 *
 * usage: bench_floor URL_FILE [ROUNDS]
 * URL_FILE has one URL a line. Prints, for each round, one line
 *   floor: PAGES pages BYTES bytes SECONDS s RATE pages/s (fetch+parse)
 * and the same for a fetch-only pass first, so the parse share shows.
 * Exits 1 when a fetch fails or the list is empty. Run with no arguments
 * (bench/run.sh does), it prints its usage and exits 0. */
#include "benchutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One pass over the list; returns seconds, or -1 when a fetch failed. */
static double pass(benchutil_fetcher *f, char **urls, int n, int parse, size_t *bytes)
{
    *bytes = 0;
    double t0 = benchutil_now_s();
    for (int i = 0; i < n; i++) {
        CURLcode rc = benchutil_fetch(f, urls[i], parse);
        if (rc != CURLE_OK) {
            fprintf(stderr, "bench_floor: %s: %s\n", urls[i], curl_easy_strerror(rc));
            return -1;
        }
        *bytes += f->len;
    }
    return benchutil_now_s() - t0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        printf("usage: bench_floor URL_FILE [ROUNDS] (bench/bench_peers.sh runs it)\n");
        return 0;
    }
    int rounds = argc > 2 ? atoi(argv[2]) : 1;
    if (rounds < 1)
        rounds = 1;
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    char **urls = NULL;
    int n = 0, cap = 0;
    char line[4096];
    while (fgets(line, sizeof(line), f)) {
        size_t k = strcspn(line, "\r\n");
        line[k] = 0;
        if (!k)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            char **u = realloc(urls, (size_t)cap * sizeof(*urls));
            if (!u)
                return 1;
            urls = u;
        }
        urls[n++] = strdup(line);
    }
    fclose(f);
    if (n == 0) {
        fprintf(stderr, "bench_floor: no URLs in %s\n", argv[1]);
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    benchutil_fetcher fetcher;
    int rc = 0;
    if (benchutil_fetcher_init(&fetcher) < 0) {
        fprintf(stderr, "bench_floor: curl_easy_init failed\n");
        rc = 1;
        goto out;
    }
    curl_easy_setopt(fetcher.h, CURLOPT_FOLLOWLOCATION, 1L);
    size_t bytes;
    /* A warm-up pass (server caches, page cache), also the fetch-only figure. */
    double dt = pass(&fetcher, urls, n, 0, &bytes);
    if (dt < 0) {
        rc = 1;
        goto out;
    }
    printf("fetch: %d pages %zu bytes %.3f s %.1f pages/s (fetch only)\n", n, bytes, dt, n / dt);
    for (int r = 0; r < rounds; r++) {
        dt = pass(&fetcher, urls, n, 1, &bytes);
        if (dt < 0) {
            rc = 1;
            goto out;
        }
        printf("floor: %d pages %zu bytes %.3f s %.1f pages/s (fetch+parse)\n", n, bytes, dt,
               n / dt);
    }
out:
    benchutil_fetcher_release(&fetcher);
    curl_global_cleanup();
    for (int i = 0; i < n; i++)
        free(urls[i]);
    free(urls);
    return rc;
}
