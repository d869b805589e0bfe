/* test_curl_alloc — libcurl's memory through the process allocator: the
 * hooks one by one, then a real transfer from tests/server/httpd.py. */
#include "alloc.h"
#include "curl_alloc.h"
#include "testutil.h"

#include <check.h>
#include <curl/curl.h>
#include <stdint.h>
#include <string.h>

#define ALIGNED16(p) ((((uintptr_t)(p)) & 15u) == 0)

static const size_t sizes[] = {0, 1, 7, 15, 16, 17, 100, 4096, 65537};
#define N_SIZES (int)(sizeof(sizes) / sizeof(sizes[0]))

START_TEST(test_header_size)
{
    ck_assert_int_eq(CURL_ALLOC_HEADER, 16);
    /* The header is what alloc sees on top of curl's bytes. */
    size_t a0 = alloc_live_bytes();
    void *p = curl_alloc_malloc(1);
    ck_assert_uint_eq(alloc_live_bytes() - a0, 1 + CURL_ALLOC_HEADER);
    curl_alloc_free(p);
}
END_TEST

/* Loop: one iteration per size. */
START_TEST(test_malloc_counts_and_alignment)
{
    size_t n = sizes[_i];
    size_t a0 = alloc_live_bytes(), c0 = curl_alloc_live_bytes();
    unsigned char *p = curl_alloc_malloc(n);
    ck_assert_ptr_nonnull(p);
    ck_assert_msg(ALIGNED16(p), "malloc(%zu) = %p", n, (void *)p);
    if (n)
        memset(p, 0xa5, n);
    ck_assert_uint_eq(curl_alloc_live_bytes(), c0 + n);
    ck_assert_uint_eq(alloc_live_bytes(), a0 + n + CURL_ALLOC_HEADER);
    curl_alloc_free(p);
    ck_assert_uint_eq(curl_alloc_live_bytes(), c0);
    ck_assert_uint_eq(alloc_live_bytes(), a0);
}
END_TEST

START_TEST(test_calloc)
{
    size_t a0 = alloc_live_bytes(), c0 = curl_alloc_live_bytes();
    /* Dirty then free a block of the same size first, so a calloc that
     * forgot to zero would likely show old bytes. */
    unsigned char *d = curl_alloc_malloc(37 * 11);
    memset(d, 0xff, 37 * 11);
    curl_alloc_free(d);
    unsigned char *p = curl_alloc_calloc(37, 11);
    ck_assert_ptr_nonnull(p);
    ck_assert(ALIGNED16(p));
    for (int i = 0; i < 37 * 11; i++)
        ck_assert_uint_eq(p[i], 0);
    ck_assert_uint_eq(curl_alloc_live_bytes(), c0 + 37 * 11);
    ck_assert_uint_eq(alloc_live_bytes(), a0 + 37 * 11 + CURL_ALLOC_HEADER);
    curl_alloc_free(p);
    void *z = curl_alloc_calloc(0, 100);
    ck_assert_ptr_nonnull(z);
    ck_assert(ALIGNED16(z));
    ck_assert_uint_eq(curl_alloc_live_bytes(), c0);
    curl_alloc_free(z);
    ck_assert_uint_eq(alloc_live_bytes(), a0);
}
END_TEST

START_TEST(test_calloc_overflow)
{
    size_t a0 = alloc_live_bytes(), c0 = curl_alloc_live_bytes();
    ck_assert_ptr_null(curl_alloc_calloc(SIZE_MAX / 2, 3));
    ck_assert_ptr_null(curl_alloc_calloc(3, SIZE_MAX / 2));
    ck_assert_ptr_null(curl_alloc_calloc((SIZE_MAX >> 4) + 1, 16));
    /* Too big for the header even when n * size does not overflow. */
    ck_assert_ptr_null(curl_alloc_malloc(SIZE_MAX - 8));
    ck_assert_ptr_null(curl_alloc_calloc(1, SIZE_MAX - 8));
    ck_assert_uint_eq(curl_alloc_live_bytes(), c0);
    ck_assert_uint_eq(alloc_live_bytes(), a0);
}
END_TEST

START_TEST(test_realloc)
{
    size_t a0 = alloc_live_bytes(), c0 = curl_alloc_live_bytes();
    char *p = curl_alloc_realloc(NULL, 10); /* NULL: malloc */
    ck_assert_ptr_nonnull(p);
    ck_assert(ALIGNED16(p));
    memcpy(p, "0123456789", 10);
    ck_assert_uint_eq(curl_alloc_live_bytes(), c0 + 10);
    p = curl_alloc_realloc(p, 100000);
    ck_assert_ptr_nonnull(p);
    ck_assert(ALIGNED16(p));
    ck_assert_mem_eq(p, "0123456789", 10);
    memset(p + 10, 'z', 100000 - 10);
    ck_assert_uint_eq(curl_alloc_live_bytes(), c0 + 100000);
    ck_assert_uint_eq(alloc_live_bytes(), a0 + 100000 + CURL_ALLOC_HEADER);
    p = curl_alloc_realloc(p, 4);
    ck_assert_ptr_nonnull(p);
    ck_assert(ALIGNED16(p));
    ck_assert_mem_eq(p, "0123", 4);
    ck_assert_uint_eq(curl_alloc_live_bytes(), c0 + 4);
    ck_assert_uint_eq(alloc_live_bytes(), a0 + 4 + CURL_ALLOC_HEADER);
    curl_alloc_free(p);
    ck_assert_uint_eq(curl_alloc_live_bytes(), c0);
    ck_assert_uint_eq(alloc_live_bytes(), a0);
}
END_TEST

START_TEST(test_strdup)
{
    size_t a0 = alloc_live_bytes(), c0 = curl_alloc_live_bytes();
    const char *src = "http://127.0.0.1/site/";
    char *s = curl_alloc_strdup(src);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_ne(s, src);
    ck_assert(ALIGNED16(s));
    ck_assert_str_eq(s, src);
    ck_assert_uint_eq(curl_alloc_live_bytes(), c0 + strlen(src) + 1);
    ck_assert_uint_eq(alloc_live_bytes(), a0 + strlen(src) + 1 + CURL_ALLOC_HEADER);
    curl_alloc_free(s);
    curl_alloc_free(NULL); /* no-op */
    ck_assert_uint_eq(curl_alloc_live_bytes(), c0);
    ck_assert_uint_eq(alloc_live_bytes(), a0);
}
END_TEST

START_TEST(test_hooks_on_allocator_failure)
{
    char *keep = curl_alloc_strdup("survivor");
    size_t a0 = alloc_live_bytes(), c0 = curl_alloc_live_bytes();
    alloc_fail_after(1);
    ck_assert_ptr_null(curl_alloc_malloc(10));
    ck_assert_ptr_null(curl_alloc_calloc(2, 10));
    ck_assert_ptr_null(curl_alloc_strdup("x"));
    /* A failed realloc leaves the block and the counts as they were. */
    ck_assert_ptr_null(curl_alloc_realloc(keep, 5000));
    alloc_fail_reset();
    ck_assert_uint_eq(curl_alloc_live_bytes(), c0);
    ck_assert_uint_eq(alloc_live_bytes(), a0);
    ck_assert_str_eq(keep, "survivor");
    curl_alloc_free(keep); /* its recorded size is still right */
    ck_assert_uint_eq(curl_alloc_live_bytes(), c0 - 9);
    ck_assert_uint_eq(alloc_live_bytes(), a0 - 9 - CURL_ALLOC_HEADER);
}
END_TEST

/* ---- a real transfer ---------------------------------------------------- */

static testutil_httpd httpd;

/* Checked fixture: runs in the forked test process, before and after each
 * test. If a test fails (Check _exit()s the process without the teardown),
 * PR_SET_PDEATHSIG still takes the server down. */
static void httpd_setup(void)
{
    ck_assert_msg(testutil_httpd_start(&httpd) == 0, "cannot start tests/server/httpd.py");
}

static void httpd_teardown(void) { testutil_httpd_stop(&httpd); }

typedef struct body {
    char data[64 * 1024];
    size_t len;
    size_t curl_live_max; /* curl_alloc_live_bytes() seen inside the transfer */
    int overflow;
} body;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    body *b = userdata;
    size_t n = size * nmemb;
    size_t live = curl_alloc_live_bytes();
    if (live > b->curl_live_max)
        b->curl_live_max = live;
    if (b->len + n >= sizeof(b->data)) {
        b->overflow = 1;
        return 0;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

static long fetch(CURL *h, const char *path, body *b)
{
    char url[256];
    snprintf(url, sizeof(url), "%s%s", httpd.base_url, path);
    b->len = 0;
    b->data[0] = '\0';
    b->curl_live_max = 0;
    b->overflow = 0;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 20000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
    CURLcode rc = curl_easy_perform(h);
    ck_assert_msg(rc == CURLE_OK, "GET %s: %s", url, curl_easy_strerror(rc));
    ck_assert(!b->overflow);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

START_TEST(test_transfer_through_hooks)
{
    static body b;
    size_t base = alloc_live_bytes();
    ck_assert_uint_eq(curl_alloc_live_bytes(), 0);
    /* The first curl call of this (forked) process. */
    ck_assert_int_eq(curl_alloc_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
    CURL *h = curl_easy_init();
    ck_assert_ptr_nonnull(h);

    ck_assert_int_eq(fetch(h, "/status/200", &b), 200);
    ck_assert_ptr_nonnull(strstr(b.data, "<title>Status 200</title>"));
    ck_assert_uint_gt(b.curl_live_max, 0);
    /* Everything curl holds is inside what alloc counts (plus headers). */
    ck_assert_uint_ge(alloc_live_bytes(), base + curl_alloc_live_bytes());

    ck_assert_int_eq(fetch(h, "/site/", &b), 200);
    ck_assert_ptr_nonnull(strstr(b.data, "<title>Site index</title>"));
    ck_assert_ptr_nonnull(strstr(b.data, "p/0.html"));
    ck_assert_uint_gt(b.curl_live_max, 0);

    ck_assert_int_eq(fetch(h, "/no-such-page", &b), 404);

    curl_easy_cleanup(h);
    curl_alloc_global_cleanup();
    ck_assert_uint_eq(curl_alloc_live_bytes(), 0);
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

/* The multi interface (what the worker uses) frees everything too. */
START_TEST(test_multi_transfer_through_hooks)
{
    static body b[3];
    static const char *paths[3] = {"/status/200", "/site/", "/landing"};
    size_t base = alloc_live_bytes();
    ck_assert_int_eq(curl_alloc_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
    CURLM *m = curl_multi_init();
    ck_assert_ptr_nonnull(m);
    CURL *h[3];
    char url[3][256];
    for (int i = 0; i < 3; i++) {
        h[i] = curl_easy_init();
        snprintf(url[i], sizeof(url[i]), "%s%s", httpd.base_url, paths[i]);
        curl_easy_setopt(h[i], CURLOPT_URL, url[i]);
        curl_easy_setopt(h[i], CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h[i], CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(h[i], CURLOPT_WRITEDATA, &b[i]);
        curl_multi_add_handle(m, h[i]);
    }
    int running = 1;
    long long deadline = testutil_now_ms() + 20000;
    while (running && testutil_now_ms() < deadline) {
        ck_assert_int_eq(curl_multi_perform(m, &running), CURLM_OK);
        if (running)
            curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    ck_assert_int_eq(running, 0);
    int msgs;
    CURLMsg *msg;
    int done = 0;
    while ((msg = curl_multi_info_read(m, &msgs)))
        if (msg->msg == CURLMSG_DONE) {
            ck_assert_int_eq(msg->data.result, CURLE_OK);
            done++;
        }
    ck_assert_int_eq(done, 3);
    ck_assert_ptr_nonnull(strstr(b[0].data, "Status 200"));
    ck_assert_ptr_nonnull(strstr(b[1].data, "Site index"));
    ck_assert_ptr_nonnull(strstr(b[2].data, "Landing"));
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_gt(b[i].curl_live_max, 0);
        curl_multi_remove_handle(m, h[i]);
        curl_easy_cleanup(h[i]);
    }
    curl_multi_cleanup(m);
    curl_alloc_global_cleanup();
    ck_assert_uint_eq(curl_alloc_live_bytes(), 0);
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

static Suite *curl_alloc_suite(void)
{
    Suite *s = suite_create("curl_alloc");
    TCase *tc = tcase_create("hooks");
    tcase_add_test(tc, test_header_size);
    tcase_add_loop_test(tc, test_malloc_counts_and_alignment, 0, N_SIZES);
    tcase_add_test(tc, test_calloc);
    tcase_add_test(tc, test_calloc_overflow);
    tcase_add_test(tc, test_realloc);
    tcase_add_test(tc, test_strdup);
    tcase_add_test(tc, test_hooks_on_allocator_failure);
    suite_add_tcase(s, tc);

    tc = tcase_create("transfer");
    tcase_add_checked_fixture(tc, httpd_setup, httpd_teardown);
    tcase_add_test(tc, test_transfer_through_hooks);
    tcase_add_test(tc, test_multi_transfer_through_hooks);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(curl_alloc_suite()); }
