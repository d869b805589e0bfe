/* Check suite: page (fetch + parse + record inside one pooled arena) and the
 * memory promise: 1,000 pages in one process, pool stats and tracked live
 * bytes back at their baseline after every page. */
#include "alloc.h"
#include "arena_pool.h"
#include "curl_alloc.h"
#include "env.h"
#include "json_alloc.h"
#include "page.h"
#include "testutil.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static testutil_httpd srv;
static worker_env env;
static char url[512];

static void server_up(void) { ck_assert_int_eq(testutil_httpd_start(&srv), 0); }
static void server_down(void) { testutil_httpd_stop(&srv); }

/* Pages with JS on make the worker's runtime, which sets RLIMIT_AS
 * (js_address_space_mb): those tests (tcase "js") run setup, body and
 * teardown in a child of their own (START_CHILD_TEST), so the test process
 * keeps its limits and never starts the engine. */
static void setup(void)
{
    json_alloc_install();
    crawld_config cfg;
    config_defaults(&cfg);
    cfg.allow_private = 1;
    char err[256];
    ck_assert_int_eq(worker_env_init(&env, &cfg, err, sizeof(err)), 0);
}

static void teardown(void) { worker_env_free(&env); }

static const char *U(const char *path)
{
    snprintf(url, sizeof(url), "%s%s", srv.base_url, path);
    return url;
}

START_TEST(page_record_has_the_contract_fields)
{
    page_task t = {.task_id = 7, .job_id = 3, .url = U("/site/p/4.html"), .depth = 2};
    page p;
    ck_assert_int_eq(page_run(&env, &t, &p), 0);
    size_t len;
    char *s = page_result_json(&p, &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(strlen(s), len);
    ck_assert_ptr_null(strchr(s, '\n')); /* one line */
    json_error_t je;
    json_t *o = json_loads(s, 0, &je);
    ck_assert_ptr_nonnull(o);
    static const char *keys[] = {
        "url",   "final_url", "status",   "content_type", "depth", "title", "links",   "js",
        "bytes", "fetch_ms",  "parse_ms", "js_ms",        "error", "ts",    "task_id", "job_id"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        ck_assert_msg(json_object_get(o, keys[i]) != NULL, "missing key %s", keys[i]);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "status")), 200);
    ck_assert_str_eq(json_string_value(json_object_get(o, "title")), "Page 4");
    ck_assert_int_eq(json_integer_value(json_object_get(o, "depth")), 2);
    ck_assert(json_is_null(json_object_get(o, "error")));
    ck_assert_int_gt(json_array_size(json_object_get(o, "links")), 3);
    const char *ts = json_string_value(json_object_get(o, "ts"));
    ck_assert_int_eq(strlen(ts), 24);
    ck_assert_int_eq(ts[strlen(ts) - 1], 'Z');
    json_decref(o);
    page_end(&env, &p);
}
END_TEST

START_TEST(fetch_error_becomes_error_word)
{
    page_task t = {.url = U("/redirect-loop")};
    page p;
    ck_assert_int_eq(page_run(&env, &t, &p), 1);
    ck_assert_ptr_nonnull(p.error);
    ck_assert_int_eq(strncmp(p.error, "too_many_redirects: ", 20), 0);
    char *s = page_result_json(&p, NULL);
    ck_assert_ptr_nonnull(strstr(s, "\"error\":\"too_many_redirects: "));
    ck_assert_ptr_nonnull(strstr(s, "\"title\":null"));
    page_end(&env, &p);
}
END_TEST

/* The keys of a record line, in order, into out. */
static void record_keys(const char *line, char *out, size_t cap)
{
    json_error_t je;
    json_t *o = json_loads(line, 0, &je);
    ck_assert_msg(o != NULL, "%s", je.text);
    size_t n = 0;
    out[0] = '\0';
    for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it))
        n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s,", json_object_iter_key(it));
    ck_assert_uint_lt(n, cap);
    json_decref(o);
}

/* A fetch error, a response that is not HTML and a 404 have every key of
 * a parsed page's record, in its order. */
START_TEST(every_record_has_the_same_keys)
{
    static const char *paths[] = {"/site/p/4.html", "/redirect-loop", "/plain.txt", "/status/404"};
    char first[2048], k[2048];
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        page_task t = {.job_id = 3, .url = U(paths[i]), .depth = 1, .for_job = 1, .attempts = 1};
        page p;
        ck_assert_int_ge(page_run(&env, &t, &p), 0);
        record_keys(page_result_json(&p, NULL), i ? k : first, sizeof(k));
        if (i)
            ck_assert_msg(strcmp(k, first) == 0, "%s: keys\n  %s\nnot\n  %s", paths[i], k, first);
        page_end(&env, &p);
    }
    ck_assert_ptr_nonnull(strstr(first, ",canonical,noindex,nofollow,"));
}
END_TEST

START_TEST(non_html_is_not_parsed)
{
    page_task t = {.url = U("/plain.txt")};
    page p;
    ck_assert_int_eq(page_run(&env, &t, &p), 0);
    ck_assert_int_eq(p.parsed, 0);
    ck_assert_int_eq(p.fetch.status, 200);
    ck_assert_uint_gt(p.fetch.body_len, 0);
    page_end(&env, &p);
}
END_TEST

START_TEST(deep_nesting_page_is_parsed)
{
    page_task t = {.url = U("/deep?n=100000")};
    page p;
    ck_assert_int_eq(page_run(&env, &t, &p), 0);
    ck_assert_int_eq(p.parsed, 1);
    ck_assert_uint_ge(p.doc.max_depth, 100000);
    page_end(&env, &p);
}
END_TEST

/* With JS on, scan_sax runs first and guards gumbo (quadratic in depth:
 * ~16 s on this page). Over PAGE_JS_MAX_DEPTH the page keeps the scan's
 * answer and the record says why no script ran. */
START_CHILD_TEST(js_skipped_over_depth_limit, setup, teardown)
{
    page_task t = {.url = U("/deep?n=100000"), .js = 1};
    page p;
    double t0 = page_now_ms();
    ck_assert_int_eq(page_run(&env, &t, &p), 0);
    double ms = page_now_ms() - t0;
    ck_assert_int_eq(p.parsed, 1);
    ck_assert_ptr_null(p.error);
    ck_assert_int_eq(p.js_ran, 0);
    ck_assert_ptr_null(p.dom);
    ck_assert_ptr_nonnull(p.js_note);
    ck_assert_str_eq(p.js_note, "js: skipped, nesting depth 100002 over 512"); /* + html, body */
    ck_assert_str_eq(p.doc.title, "Deep");
    ck_assert_ptr_null(p.doc.gumbo_output); /* gumbo never ran */
    ck_assert_msg(ms < 5000, "page took %.0f ms", ms);
    json_error_t je;
    json_t *o = json_loads(page_result_json(&p, NULL), 0, &je);
    ck_assert_ptr_nonnull(o);
    ck_assert(json_is_false(json_object_get(o, "js")));
    ck_assert_str_eq(json_string_value(json_object_get(o, "js_note")),
                     "js: skipped, nesting depth 100002 over 512");
    ck_assert(json_is_null(json_object_get(o, "error")));
    ck_assert_str_eq(json_string_value(json_object_get(o, "title")), "Deep");
    json_decref(o);
    page_end(&env, &p);
}
END_TEST

/* The limit itself: depth 512 (510 <div>s in <html><body>) runs the
 * scripts on gumbo's tree, 513 does not. */
START_CHILD_TEST(js_runs_at_depth_limit, setup, teardown)
{
    page_task t = {.url = U("/deep?n=510"), .js = 1};
    page p;
    ck_assert_int_eq(page_run(&env, &t, &p), 0);
    ck_assert_int_eq(p.parsed, 1);
    ck_assert_ptr_null(p.js_note);
    ck_assert_int_eq(p.js_ran, 1);
    ck_assert_ptr_nonnull(p.doc.gumbo_output);
    ck_assert_uint_eq(p.doc.max_depth, 512);
    page_end(&env, &p);
    page_task t2 = {.url = U("/deep?n=511"), .js = 1};
    ck_assert_int_eq(page_run(&env, &t2, &p), 0);
    ck_assert_int_eq(p.parsed, 1);
    ck_assert_int_eq(p.js_ran, 0);
    ck_assert_str_eq(p.js_note, "js: skipped, nesting depth 513 over 512");
    page_end(&env, &p);
}
END_TEST

/* The scan's attribute guard holds with JS on too: the same error as with
 * JS off, and gumbo never sees the tag. */
START_CHILD_TEST(js_page_with_too_many_attributes_fails_as_without_js, setup, teardown)
{
    for (int js = 0; js <= 1; js++) {
        page_task t = {.url = U("/attrs?n=1000000"), .js = js};
        page p;
        double t0 = page_now_ms();
        ck_assert_int_eq(page_run(&env, &t, &p), 0);
        double ms = page_now_ms() - t0;
        ck_assert_int_eq(p.parsed, 0);
        ck_assert_str_eq(p.error, "parse: an element with more than 1024 attributes");
        ck_assert_int_eq(p.js_ran, 0);
        ck_assert_msg(ms < 5000, "js=%d: page took %.0f ms", js, ms);
        page_end(&env, &p);
    }
    page_task t = {.url = U("/attrs?n=1024"), .js = 1}; /* at the limit: parsed, scripts run */
    page p;
    ck_assert_int_eq(page_run(&env, &t, &p), 0);
    ck_assert_ptr_null(p.error);
    ck_assert_int_eq(p.js_ran, 1);
    ck_assert_uint_eq(p.doc.nlinks, 1);
    page_end(&env, &p);
}
END_TEST

/* gumbo aborts on this page (an assertion; html.c leaves the parse): with
 * JS on the page keeps the scan's answer instead of failing. */
START_CHILD_TEST(js_page_keeps_scan_when_gumbo_fails, setup, teardown)
{
    page_task t = {.url = U("/fixtures/html/gumbo_abort.html"), .js = 1};
    page p;
    ck_assert_int_eq(page_run(&env, &t, &p), 0);
    ck_assert_int_eq(p.parsed, 1);
    ck_assert_ptr_null(p.error);
    ck_assert_int_eq(p.js_ran, 0);
    ck_assert_ptr_nonnull(p.js_note);
    ck_assert_msg(strstr(p.js_note, "js: skipped, the HTML parser failed an assertion (") ==
                      p.js_note,
                  "js_note: %s", p.js_note);
    ck_assert_str_eq(p.doc.title, "Gumbo abort");
    ck_assert_uint_eq(p.doc.nlinks, 1);
    ck_assert_ptr_nonnull(strstr(p.doc.links[0], "/before-table"));
    page_end(&env, &p);
}
END_TEST

/* libxml2 closes each <th> (the scan's depth is 4), HTML5 keeps all 20,000
 * <font>s open: gumbo would take ~6.5 s on this page, past the guard.
 * Its budget (2 s, no more than a tenth of page_timeout_ms) ends it: the
 * page keeps the scan's answer in this one attempt and says why. */
START_CHILD_TEST(js_page_keeps_scan_when_gumbo_runs_out_of_time, setup, teardown)
{
    static const struct {
        int page_timeout_ms;
        const char *note;
    } cases[] = {{30000, "js: skipped, the HTML parser took over 2000 ms"},
                 {3000, "js: skipped, the HTML parser took over 300 ms"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        env.cfg.page_timeout_ms = cases[i].page_timeout_ms;
        page_task t = {.url = U("/thfont?n=20000&text=1000000"), .js = 1};
        page p;
        double t0 = page_now_ms();
        ck_assert_int_eq(page_run(&env, &t, &p), 0);
        double ms = page_now_ms() - t0;
        ck_assert_int_eq(p.parsed, 1);
        ck_assert_ptr_null(p.error);
        ck_assert_int_eq(p.js_ran, 0);
        ck_assert_str_eq(p.js_note, cases[i].note);
        ck_assert_str_eq(p.doc.title, "Th font");
        ck_assert_uint_eq(p.doc.nlinks, 1);
        ck_assert_ptr_nonnull(strstr(p.doc.links[0], "/before-thfont"));
        ck_assert_ptr_null(p.doc.gumbo_output);
        ck_assert_msg(ms < cases[i].page_timeout_ms / 10 + 1500, "page took %.0f ms", ms);
        json_error_t je;
        json_t *o = json_loads(page_result_json(&p, NULL), 0, &je);
        ck_assert_ptr_nonnull(o);
        ck_assert(json_is_false(json_object_get(o, "js")));
        ck_assert_str_eq(json_string_value(json_object_get(o, "js_note")), cases[i].note);
        ck_assert(json_is_null(json_object_get(o, "error")));
        json_decref(o);
        page_end(&env, &p);
    }
}
END_TEST

START_TEST(thousand_pages_return_to_baseline_after_every_page)
{
    /* Warm up: the first page creates the page arena and curl's connection. */
    page_task t = {.url = U("/site/p/0.html")};
    page p;
    ck_assert_int_eq(page_run(&env, &t, &p), 0);
    page_end(&env, &p);
    /* Ours (everything but curl's connection cache) must come back exactly;
     * curl keeps per-transfer strings (the last effective URL …) whose size
     * varies by a few bytes with the URL, so its share gets a small bound. */
    size_t curl0 = curl_alloc_held_bytes();
    size_t ours0 = alloc_live_bytes() - curl0;
    arena_pool_bucket_stats s0;
    arena_pool_stats(&env.pool, ARENA_POOL_LARGE, &s0);
    size_t retained0 = arena_pool_retained_bytes(&env.pool);
    for (int i = 1; i <= 1000; i++) {
        char path[64];
        snprintf(path, sizeof(path), "/site/p/%d.html", i % 1000);
        page_task ti = {.task_id = i, .url = U(path)};
        ck_assert_int_eq(page_run(&env, &ti, &p), 0);
        ck_assert_int_eq(p.parsed, 1);
        ck_assert_ptr_nonnull(page_result_json(&p, NULL));
        /* The page lives there: body and results (JS off: scan_sax, no tree). */
        ck_assert_uint_gt(arena_used(p.a), 30000);
        page_end(&env, &p);
        arena_pool_bucket_stats s;
        arena_pool_stats(&env.pool, ARENA_POOL_LARGE, &s);
        size_t curl_now = curl_alloc_held_bytes();
        ck_assert_msg(alloc_live_bytes() - curl_now == ours0, "page %d: live %zu != baseline %zu",
                      i, alloc_live_bytes() - curl_now, ours0);
        ck_assert_msg(curl_now <= curl0 + 4096, "page %d: curl holds %zu (was %zu)", i, curl_now,
                      curl0);
        ck_assert_uint_eq(s.live, 0);
        ck_assert_uint_eq(s.free, s0.free);
        ck_assert_uint_eq(s.misses, s0.misses); /* the same arena every time */
        ck_assert_uint_eq(s.hits, s0.hits + (uint64_t)i);
        ck_assert_uint_le(arena_pool_retained_bytes(&env.pool),
                          retained0 > 0 ? retained0 : 1 << 20);
    }
}
END_TEST

/* ---- transfers while a page's scripts run ----
 * The serve loop's network step stands in as test_step: timeout 0 is a
 * step from inside page work (the JS interrupt callback, between the tree
 * and the scripts); off, it does nothing there, as if scripts blocked the
 * network. */
static int step_off;
static unsigned long step_calls;
static double step_ms; /* time inside steps from page work */
static double done_at;

static int test_step(worker_env *e, int timeout_ms)
{
    if (timeout_ms == 0) {
        step_calls++;
        if (step_off)
            return 0;
        double t0 = page_now_ms();
        int rc = fetch_step(e, -1, 0);
        step_ms += page_now_ms() - t0;
        return rc < 0 ? -1 : 0;
    }
    return fetch_step(e, -1, timeout_ms) < 0 ? -1 : 0;
}

static void mark_done(fetch_xfer *x, void *ud)
{
    (void)x;
    (void)ud;
    done_at = page_now_ms();
}

static void setup_js_1s(void)
{
    json_alloc_install();
    crawld_config cfg;
    config_defaults(&cfg);
    cfg.allow_private = 1;
    cfg.js_time_budget_ms = 1000;
    char err[256];
    ck_assert_int_eq(worker_env_init(&env, &cfg, err, sizeof(err)), 0);
    env.net_step = test_step;
}

/* The job's cookie jar and document.cookie (worker/jar.c, docs/worker.md,
 * Cookies): the script reads the task's cookies and those its response
 * set, never an HttpOnly one nor one of another path. */
START_CHILD_TEST(document_cookie_reads_the_jar, setup, teardown)
{
    page_task t = {.url = U("/ck/js/read/jarc?v=j1"),
                   .js = 1,
                   .jar = 1,
                   .cookies = "127.0.0.1\tFALSE\t/\tFALSE\t0\tjarc\tj1\n"
                              "#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tsecret\tsv\n"
                              "127.0.0.1\tFALSE\t/other/\tFALSE\t0\telsewhere\tx\n"};
    page p;
    ck_assert_int_eq(page_run(&env, &t, &p), 0);
    ck_assert_int_eq(p.js_ran, 1);
    ck_assert_int_eq(p.js_failed, 0);
    ck_assert_str_eq(p.doc.title, "js read [jarc own]");
    int seen = 0;
    for (size_t i = 0; i < p.doc.nlinks; i++)
        seen |= strcmp(p.doc.links[i], U("/ck/js/seen/jarc")) == 0;
    ck_assert_msg(seen, "the script saw jarc=j1 and linked");
    /* what came back: the response's two cookies, nothing of the task's */
    ck_assert_ptr_nonnull(p.fetch.cookies);
    ck_assert_ptr_nonnull(strstr(p.fetch.cookies, "\town\to1\n"));
    ck_assert_ptr_nonnull(
        strstr(p.fetch.cookies, "#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\thid\th1\n"));
    ck_assert_ptr_null(strstr(p.fetch.cookies, "jarc"));
    page_end(&env, &p);

    /* without a jar (a page run by hand) the realm keeps its own */
    page_task t2 = {.url = U("/ck/js/read/jarc?v=j1"), .js = 1};
    ck_assert_int_eq(page_run(&env, &t2, &p), 0);
    ck_assert_str_eq(p.doc.title, "js read []");
    ck_assert_ptr_null(p.fetch.cookies);
    page_end(&env, &p);
}
END_TEST

/* A script's document.cookie writes join the page's result as a response's
 * Set-Cookie does, and its fetch() carries the jar and adds to it; what a
 * browser refuses (another domain, HttpOnly, over an HttpOnly cookie) is
 * refused. */
START_CHILD_TEST(document_cookie_writes_join_the_result, setup, teardown)
{
    page_task t = {.url = U("/ck/js/write/w1?v=wv1&del=gone&over=secret&fetch=fx"),
                   .js = 1,
                   .jar = 1,
                   .cookies = "127.0.0.1\tFALSE\t/\tFALSE\t0\tgone\tg\n"
                              "#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tsecret\tsv\n"};
    page p;
    time_t now = time(NULL);
    ck_assert_int_eq(page_run(&env, &t, &p), 0);
    ck_assert_int_eq(p.js_ran, 1);
    ck_assert_int_eq(p.js_failed, 0);
    /* the fetch got the written cookie and the HttpOnly one (not "gone");
     * document.cookie then shows what the fetch's response set */
    ck_assert_str_eq(p.doc.title, "js write [secret:bad w1:ok] [fx w1]");
    const char *c = p.fetch.cookies;
    ck_assert_ptr_nonnull(c);
    const char *w = strstr(c, "127.0.0.1\tFALSE\t/\tFALSE\t");
    ck_assert_ptr_nonnull(w);
    const char *w1 = strstr(c, "\tw1\twv1\n");
    ck_assert_ptr_nonnull(w1);
    const char *e = w1;
    while (e > c && e[-1] != '\t')
        e--;
    long long exp = atoll(e);
    ck_assert_msg(exp >= now + 590 && exp <= now + 660, "max-age=600: expires %lld", exp);
    ck_assert_ptr_nonnull(strstr(c, "127.0.0.1\tFALSE\t/\tFALSE\t0\tfx\tf1\n"));
    ck_assert_ptr_nonnull(strstr(c, "127.0.0.1\tFALSE\t/\tFALSE\t1\tgone\t"));
    ck_assert_ptr_null(strstr(c, "overwritten"));
    ck_assert_ptr_null(strstr(c, "secret"));
    ck_assert_ptr_null(strstr(c, "elsewhere"));
    ck_assert_ptr_null(strstr(c, "scripted"));
    page_end(&env, &p);

    /* the response sets rs, the script removes it and sets w3 as the task
     * had it: nothing changed, so nothing comes back (not the response's
     * rs, although curl has dropped the expired entry) */
    page_task t3 = {.url = U("/ck/js/write/w3?v=same&session=1&set=rs&del=rs"),
                    .js = 1,
                    .jar = 1,
                    .cookies = "127.0.0.1\tFALSE\t/\tFALSE\t0\tw3\tsame\n"};
    ck_assert_int_eq(page_run(&env, &t3, &p), 0);
    ck_assert_str_eq(p.doc.title, "js write [] [w3]");
    ck_assert_msg(p.fetch.cookies == NULL, "changes: %s", p.fetch.cookies);
    page_end(&env, &p);
}
END_TEST

/* A transfer started just before a page whose script spins for its whole
 * 1 s budget (loop.html): when (ms after its start) it is seen done. */
static double late_transfer(int off, double *fetch_ms)
{
    step_off = off;
    arena a;
    arena_init(&a, 0);
    fetch_xfer x;
    fetch_result r;
    char u[128];
    snprintf(u, sizeof(u), "%s/slow?ms=300&n=%d", srv.base_url, off);
    double t0 = page_now_ms();
    ck_assert_int_eq(fetch_begin(&env, &a, u, NULL, &r, &x, 0), FETCH_OK);
    x.on_done = mark_done;
    done_at = 0;
    page_task t = {.url = U("/fixtures/jsite/loop.html"), .js = 1};
    page p;
    ck_assert_int_eq(page_run(&env, &t, &p), 0);
    ck_assert_int_eq(p.js_ran, 1);
    ck_assert_int_eq(p.js_timed_out, 1);
    page_end(&env, &p);
    fetch_wait(&env, &x);
    ck_assert_int_eq(fetch_finish(&x), FETCH_OK);
    *fetch_ms = r.fetch_ms;
    fetch_release(&env, &x);
    arena_release(&a);
    return done_at - t0;
}

START_CHILD_TEST(transfer_completes_while_scripts_run, setup_js_1s, teardown)
{
    double f_on, f_off;
    step_calls = 0;
    double on = late_transfer(0, &f_on);
    unsigned long calls = step_calls;
    double off = late_transfer(1, &f_off);
    printf("measure: a 300 ms transfer during a 1 s script: done after %.0f ms (fetch_ms %.0f) "
           "with the network step (%lu steps), %.0f ms (fetch_ms %.0f) without\n",
           on, f_on, calls, off, f_off);
    ck_assert_msg(on < 600 && f_on < 600, "with the step: done after %.0f ms", on);
    ck_assert_msg(off > 900, "without the step: done after %.0f ms", off);
}
END_TEST

/* What the network step costs a script: the same CPU-bound page with 8
 * transfers idle in flight, the step on and off (best of 3 each). */
START_CHILD_TEST(network_step_cost_on_a_js_page, setup, teardown)
{
    env.net_step = test_step;
    arena a;
    arena_init(&a, 0);
    enum { NX = 8 };
    fetch_xfer x[NX];
    fetch_result r[NX];
    for (int i = 0; i < NX; i++) {
        char u[128];
        snprintf(u, sizeof(u), "%s/slow?ms=20000&n=%d", srv.base_url, i);
        ck_assert_int_eq(fetch_begin(&env, &a, arena_strdup(&a, u), NULL, &r[i], &x[i], 0),
                         FETCH_OK);
    }
    page_task t = {.url = U("/jswork?n=30000000"), .js = 1};
    page p;
    ck_assert_int_eq(page_run(&env, &t, &p), 0); /* warm: the runtime is made */
    page_end(&env, &p);
    double best[2] = {1e9, 1e9}, in_steps = 0;
    unsigned long calls[2] = {0, 0};
    for (int round = 0; round < 6; round++) {
        int off = round % 2;
        step_off = off;
        step_calls = 0;
        step_ms = 0;
        ck_assert_int_eq(page_run(&env, &t, &p), 0);
        ck_assert_int_eq(p.js_ran, 1);
        ck_assert_int_eq(p.js_failed, 0);
        if (!off)
            in_steps = step_ms;
        if (p.js_ms < best[off])
            best[off] = p.js_ms;
        calls[off] = step_calls;
        page_end(&env, &p);
    }
    printf("measure: a 3e7-iteration script, 8 transfers in flight: %.1f ms with the network "
           "step (%lu steps, %.3f ms inside them, %.1f us each), %.1f ms without (%lu "
           "interrupts)\n",
           best[0], calls[0], in_steps, calls[0] ? in_steps * 1000.0 / (double)calls[0] : 0.0,
           best[1], calls[1]);
    for (int i = 0; i < NX; i++)
        fetch_release(&env, &x[i]);
    arena_release(&a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("page");
    TCase *tc = tcase_create("page");
    tcase_set_timeout(tc, 180);
    tcase_add_unchecked_fixture(tc, server_up, server_down);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, page_record_has_the_contract_fields);
    tcase_add_test(tc, fetch_error_becomes_error_word);
    tcase_add_test(tc, every_record_has_the_same_keys);
    tcase_add_test(tc, non_html_is_not_parsed);
    tcase_add_test(tc, deep_nesting_page_is_parsed);
    tcase_add_test(tc, thousand_pages_return_to_baseline_after_every_page);
    suite_add_tcase(s, tc);

    tc = tcase_create("js");
    tcase_set_timeout(tc, 180);
    tcase_add_unchecked_fixture(tc, server_up, server_down);
    tcase_add_test(tc, js_skipped_over_depth_limit);
    tcase_add_test(tc, js_runs_at_depth_limit);
    tcase_add_test(tc, js_page_with_too_many_attributes_fails_as_without_js);
    tcase_add_test(tc, js_page_keeps_scan_when_gumbo_fails);
    tcase_add_test(tc, js_page_keeps_scan_when_gumbo_runs_out_of_time);
    tcase_add_test(tc, transfer_completes_while_scripts_run);
    tcase_add_test(tc, network_step_cost_on_a_js_page);
    tcase_add_test(tc, document_cookie_reads_the_jar);
    tcase_add_test(tc, document_cookie_writes_join_the_result);
    suite_add_tcase(s, tc);
    return testutil_run(s);
}
