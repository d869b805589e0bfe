/* benchutil — see benchutil.h. */
#include "benchutil.h"

#include <gumbo.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double benchutil_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t on_write(char *d, size_t s, size_t n, void *ud)
{
    benchutil_fetcher *f = ud;
    size_t k = s * n;
    if (f->len + k > f->cap) {
        size_t cap = (f->len + k) * 2;
        char *p = realloc(f->body, cap);
        if (!p)
            return 0;
        f->body = p;
        f->cap = cap;
    }
    memcpy(f->body + f->len, d, k);
    f->len += k;
    return k;
}

int benchutil_fetcher_init(benchutil_fetcher *f)
{
    memset(f, 0, sizeof *f);
    f->h = curl_easy_init();
    if (!f->h)
        return -1;
    curl_easy_setopt(f->h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(f->h, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(f->h, CURLOPT_ACCEPT_ENCODING, "");
    return 0;
}

CURLcode benchutil_fetch(benchutil_fetcher *f, const char *url, int parse)
{
    f->len = 0;
    curl_easy_setopt(f->h, CURLOPT_URL, url);
    CURLcode rc = curl_easy_perform(f->h);
    if (rc == CURLE_OK && parse) {
        GumboOutput *out = gumbo_parse_with_options(&kGumboDefaultOptions, f->body, f->len);
        gumbo_destroy_output(&kGumboDefaultOptions, out);
    }
    return rc;
}

void benchutil_fetcher_release(benchutil_fetcher *f)
{
    curl_easy_cleanup(f->h);
    free(f->body);
    memset(f, 0, sizeof *f);
}
