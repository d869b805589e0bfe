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
#include <curl/curl.h>
#include <gumbo.h>
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

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static size_t on_write(char *d, size_t s, size_t n, void *ud)
{
    buf *b = ud;
    size_t k = s * n;
    if (b->len + k > b->cap) {
        size_t cap = (b->len + k) * 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return 0;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, d, k);
    b->len += k;
    return k;
}

/* One pass over the list; returns seconds, or -1 when a fetch failed. */
static double pass(CURL *h, buf *b, char **urls, int n, int parse, size_t *bytes)
{
    *bytes = 0;
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        b->len = 0;
        curl_easy_setopt(h, CURLOPT_URL, urls[i]);
        CURLcode rc = curl_easy_perform(h);
        if (rc != CURLE_OK) {
            fprintf(stderr, "bench_floor: %s: %s\n", urls[i], curl_easy_strerror(rc));
            return -1;
        }
        *bytes += b->len;
        if (parse) {
            GumboOutput *out = gumbo_parse_with_options(&kGumboDefaultOptions, b->p, b->len);
            gumbo_destroy_output(&kGumboDefaultOptions, out);
        }
    }
    return now_s() - t0;
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
    CURL *h = curl_easy_init();
    buf b = {0};
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    int rc = 0;
    size_t bytes;
    /* A warm-up pass (server caches, page cache), also the fetch-only figure. */
    double dt = pass(h, &b, urls, n, 0, &bytes);
    if (dt < 0) {
        rc = 1;
        goto out;
    }
    printf("fetch: %d pages %zu bytes %.3f s %.1f pages/s (fetch only)\n", n, bytes, dt, n / dt);
    for (int r = 0; r < rounds; r++) {
        dt = pass(h, &b, urls, n, 1, &bytes);
        if (dt < 0) {
            rc = 1;
            goto out;
        }
        printf("floor: %d pages %zu bytes %.3f s %.1f pages/s (fetch+parse)\n", n, bytes, dt,
               n / dt);
    }
out:
    curl_easy_cleanup(h);
    curl_global_cleanup();
    free(b.p);
    for (int i = 0; i < n; i++)
        free(urls[i]);
    free(urls);
    return rc;
}
