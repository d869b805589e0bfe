/* benchutil — what the bench programs that fetch pages share: a monotonic
 * clock, and the floor of a crawl on this machine (bench_floor, bench_pages'
 * (a) and (b)): one libcurl easy handle (keep-alive, one connection)
 * fetching into one growing buffer, each body parsed with gumbo on request
 * and the tree freed at once, nothing else. */
#ifndef CRAWLD_BENCHUTIL_H
#define CRAWLD_BENCHUTIL_H

#include <curl/curl.h>
#include <stddef.h>

/* Monotonic seconds. */
double benchutil_now_s(void);

/* The handle writes into the struct: it must not move between
 * benchutil_fetcher_init and benchutil_fetcher_release. */
typedef struct benchutil_fetcher {
    CURL *h;    /* more options may be set on it (redirects, ...) */
    char *body; /* the last body fetched, len bytes, not NUL-terminated */
    size_t len, cap;
} benchutil_fetcher;

/* Makes the handle (any Content-Encoding accepted). curl_global_init is
 * the caller's. 0, or -1 when libcurl gave no handle. */
int benchutil_fetcher_init(benchutil_fetcher *f);
/* Fetches url into body and, when parse is set, parses it with gumbo.
 * CURLE_WRITE_ERROR when the body does not fit in memory. */
CURLcode benchutil_fetch(benchutil_fetcher *f, const char *url, int parse);
void benchutil_fetcher_release(benchutil_fetcher *f);

#endif
