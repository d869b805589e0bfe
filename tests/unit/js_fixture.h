/* js_fixture — what the JS suites (test_js, test_js_page) share: the
 * runtime made in a checked fixture's setup and freed in its teardown (see
 * test_js on Check's fork mode), the host (log into LOG, a plain libcurl GET
 * for fetch), and running a page's scripts between html_tree_build and
 * html_tree_extract as page.c does. Header only, everything static. */
#ifndef CRAWLD_JS_FIXTURE_H
#define CRAWLD_JS_FIXTURE_H

#include "alloc.h"
#include "arena.h"
#include "dom.h"
#include "html.h"
#include "js/js.h"
#include "rss.h"

#include <check.h>
#include <curl/curl.h>

#include "testutil.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define URL "http://example.com/dir/page.html"

static js_runtime *RT;
static arena A;
static char LOG[32768];
static size_t LOGLEN;

/* ---- host ---- */

static inline void host_log(void *ud, int level, const char *msg)
{
    (void)ud;
    int n = snprintf(LOG + LOGLEN, sizeof(LOG) - LOGLEN, "L%d %s\n", level, msg);
    if (n > 0 && LOGLEN + (size_t)n < sizeof(LOG))
        LOGLEN += (size_t)n;
}

typedef struct body_buf {
    arena *a;
    char *p;
    size_t len, cap;
} body_buf;

static inline size_t on_body(char *ptr, size_t sz, size_t nm, void *ud)
{
    body_buf *b = ud;
    size_t n = sz * nm;
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 4096;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        b->p = arena_resize(b->a, b->p, b->cap, ncap);
        b->cap = ncap;
    }
    memcpy(b->p + b->len, ptr, n);
    b->len += n;
    b->p[b->len] = '\0';
    return n;
}

static int FETCHES;

/* A plain request into the page arena (any method, body, headers); the
 * worker's real fetch is wired in page.c. */
static inline int host_request(void *ud, const js_request *req, js_response *out)
{
    arena *a = ud;
    const char *url = req->url;
    FETCHES++;
    memset(out, 0, sizeof(*out));
    CURL *h = curl_easy_init();
    if (!h) {
        out->error = "nomem: curl";
        return -1;
    }
    body_buf b = {a, NULL, 0, 0};
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    struct curl_slist *hl = NULL;
    for (int i = 0; i < req->n_headers; i++)
        hl = curl_slist_append(hl, req->headers[i]);
    if (hl)
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    if (req->method && strcmp(req->method, "GET") != 0) {
        if (strcmp(req->method, "POST") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
    }
    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(hl);
    if (rc != CURLE_OK) {
        out->error = arena_sprintf(a, "network: %s", curl_easy_strerror(rc));
        curl_easy_cleanup(h);
        return -1;
    }
    long code = 0;
    char *eff = NULL, *ct = NULL;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff);
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
    out->status = code;
    out->body = b.p ? b.p : "";
    out->len = b.len;
    out->final_url = eff ? arena_strdup(a, eff) : NULL;
    out->content_type = ct ? arena_strdup(a, ct) : NULL;
    curl_easy_cleanup(h);
    return 0;
}

static inline int host_fetch(void *ud, const char *url, js_response *out)
{
    js_request req = {.url = url, .method = "GET"};
    return host_request(ud, &req, out);
}

/* ---- pages ---- */

typedef struct page_ctx {
    arena *a;
    const char *url;
    js_page_result res;
    int rc;
    int ran;
} page_ctx;

/* What page.c's run_scripts does between html_tree_build and
 * html_tree_extract. */
static inline void run_scripts(page_ctx *pc, void *gumbo_output)
{
    dom *d = dom_new(pc->a, gumbo_output, pc->url);
    ck_assert_ptr_nonnull(d);
    js_host host = {.ud = pc->a, .fetch = host_fetch, .log = host_log, .request = host_request};
    pc->rc = js_page_run(RT, d, &host, &pc->res);
    pc->ran = 1;
}

static inline html_doc run_in(arena *a, const char *url, const char *html, page_ctx *pc)
{
    memset(pc, 0, sizeof(*pc));
    pc->a = a;
    pc->url = url;
    html_options o = {0};
    html_doc doc;
    ck_assert_int_eq(html_tree_build(a, html, strlen(html), &o, &doc), HTML_OK);
    run_scripts(pc, doc.gumbo_output);
    ck_assert_int_eq(html_tree_extract(a, url, &o, &doc), HTML_OK);
    ck_assert_int_eq(pc->ran, 1);
    ck_assert_int_eq(pc->rc, 0);
    return doc;
}

static inline html_doc run(const char *html, page_ctx *pc) { return run_in(&A, URL, html, pc); }

static inline void expect_links(const html_doc *d, const char *const *want, size_t n)
{
    int ok = d->nlinks == n;
    for (size_t i = 0; ok && i < n; i++)
        ok = !strcmp(d->links[i], want[i]);
    if (!ok) {
        fprintf(stderr, "links: got %zu:\n", d->nlinks);
        for (size_t i = 0; i < d->nlinks; i++)
            fprintf(stderr, "  %s\n", d->links[i]);
        fprintf(stderr, "wanted %zu:\n", n);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "  %s\n", want[i]);
        fprintf(stderr, "log:\n%s", LOG);
    }
    ck_assert_msg(ok, "links differ (see stderr)");
}
#define EXPECT_LINKS(doc, ...)                                                                     \
    do {                                                                                           \
        const char *const w_[] = {__VA_ARGS__};                                                    \
        expect_links(&(doc), w_, sizeof(w_) / sizeof(w_[0]));                                      \
    } while (0)

#define ck_log_has(s) ck_assert_msg(strstr(LOG, (s)) != NULL, "log lacks \"%s\":\n%s", (s), LOG)

/* A page-level helper every script page uses to add a link. */
#define ADD_JS                                                                                     \
    "<script>function add(h){var a=document.createElement('a');a.href=h;"                          \
    "a.textContent=h;document.body.appendChild(a);return a;}</script>"

/* ---- fixtures ---- */

static inline size_t vm_size(void)
{
    FILE *f = fopen("/proc/self/statm", "re");
    unsigned long pages = 0;
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

static inline void rt_make_rss(long budget_ms, size_t as_extra, long rss_stop_kb)
{
    char err[256];
    js_config c = {.heap_bytes = (size_t)64 << 20,
                   .as_limit_bytes = 0,
                   .time_budget_ms = budget_ms,
                   .rss_stop_kb = rss_stop_kb,
                   .user_agent = "crawld-test/1.0"};
    if (as_extra)
        /* PLATFORM-NOTES: ~2.2 GB of address space after JS_Init + a
         * context, so the limit is that plus the memory budget. */
        c.as_limit_bytes = vm_size() + ((size_t)2300 << 20) + as_extra;
    LOGLEN = 0;
    LOG[0] = '\0';
    FETCHES = 0;
    ck_assert_msg(js_runtime_new(&c, &RT, err, sizeof(err)) == 0, "js_runtime_new: %s", err);
    arena_init(&A, 0);
}

static inline void rt_make(long budget_ms, size_t as_extra) { rt_make_rss(budget_ms, as_extra, 0); }

static inline void setup(void) { rt_make(5000, 0); }

static inline void teardown(void)
{
    arena_release(&A);
    js_runtime_free(RT);
    RT = NULL;
}

#endif
