/* Check suite: fetch (the worker's curl handle against tests/server/httpd.py
 * on 127.0.0.1) and the worker's init chain under failure injection. */
#include "alloc.h"
#include "arena.h"
#include "env.h"
#include "fetch.h"
#include "rss.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

static testutil_httpd srv;
static worker_env env;
static crawld_config cfg;
static arena a;
static fetch_result r;
static char url[512];

static void server_up(void) { ck_assert_int_eq(testutil_httpd_start(&srv), 0); }
static void server_down(void) { testutil_httpd_stop(&srv); }

static void setup(void)
{
    config_defaults(&cfg);
    cfg.allow_private = 1;
    cfg.page_timeout_ms = 10000;
    snprintf(cfg.user_agent, sizeof(cfg.user_agent), "crawld-test/1.0");
    char err[256];
    ck_assert_int_eq(worker_env_init(&env, &cfg, err, sizeof(err)), 0);
    arena_init(&a, 0);
}

static void teardown(void)
{
    arena_release(&a);
    worker_env_free(&env);
}

static const char *U(const char *path)
{
    snprintf(url, sizeof(url), "%s%s", srv.base_url, path);
    return url;
}

static fetch_err get(const char *path, long timeout_ms, size_t max_body, int max_redirects)
{
    fetch_opts o = {.timeout_ms = timeout_ms, .max_body = max_body, .max_redirects = max_redirects};
    return fetch_page(&env, &a, U(path), &o, &r);
}

START_TEST(html_page_is_fetched_and_kept)
{
    ck_assert_int_eq(get("/site/p/3.html", 0, 0, -1), FETCH_OK);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(r.is_html, 1);
    ck_assert_str_eq(r.mime, "text/html");
    ck_assert_ptr_nonnull(strstr(r.body, "<title>Page 3</title>"));
    ck_assert_uint_eq(strlen(r.body), r.body_len);
    ck_assert_str_eq(r.final_url, U("/site/p/3.html"));
    ck_assert_int_eq(r.hops, 1);
    ck_assert_int_eq(r.hop_status[0], 200);
    ck_assert_int_eq(r.http_version, 11);
    ck_assert_ptr_null(r.err_detail);
}
END_TEST

START_TEST(error_statuses_are_responses)
{
    ck_assert_int_eq(get("/status/404", 0, 0, -1), FETCH_OK);
    ck_assert_int_eq(r.status, 404);
    ck_assert_int_eq(get("/status/500", 0, 0, -1), FETCH_OK);
    ck_assert_int_eq(r.status, 500);
}
END_TEST

START_TEST(redirect_chain_records_every_status_and_final_url)
{
    ck_assert_int_eq(get("/redirect/3", 0, 0, -1), FETCH_OK);
    ck_assert_int_eq(r.redirects, 3);
    ck_assert_int_eq(r.hops, 4);
    ck_assert_int_eq(r.hop_status[0], 302);
    ck_assert_int_eq(r.hop_status[2], 302);
    ck_assert_int_eq(r.hop_status[3], 200);
    ck_assert_str_eq(r.final_url, U("/landing"));
    ck_assert_ptr_nonnull(strstr(r.body, "Landing"));
}
END_TEST

START_TEST(redirect_cap_is_enforced)
{
    ck_assert_int_eq(get("/redirect/3", 0, 0, 2), FETCH_TOO_MANY_REDIRECTS);
    ck_assert_str_eq(fetch_err_word(r.err), "too_many_redirects");
    ck_assert_int_eq(get("/redirect-loop", 0, 0, -1), FETCH_TOO_MANY_REDIRECTS);
    ck_assert_ptr_null(r.body);
}
END_TEST

START_TEST(gzip_and_deflate_are_decoded)
{
    ck_assert_int_eq(get("/gzip", 0, 0, -1), FETCH_OK);
    ck_assert_ptr_nonnull(strstr(r.body, "Gzip OK"));
    ck_assert_int_eq(get("/deflate", 0, 0, -1), FETCH_OK);
    ck_assert_ptr_nonnull(strstr(r.body, "Deflate OK"));
}
END_TEST

START_TEST(brotli_is_decoded_when_served)
{
    ck_assert_int_eq(get("/br", 0, 0, -1), FETCH_OK);
    if (r.status == 501)
        return; /* the server has no brotli module: nothing to decode */
    ck_assert_ptr_nonnull(strstr(r.body, "Brotli OK"));
}
END_TEST

START_TEST(gzip_bomb_stops_at_cap_with_small_rss)
{
    long rss0 = rss_self_kb();
    ck_assert_int_eq(get("/gzipbomb?mb=1024", 0, 4 << 20, -1), FETCH_TOO_LARGE);
    ck_assert_str_eq(fetch_err_word(r.err), "too_large");
    ck_assert_ptr_nonnull(strstr(r.err_detail, "4194304"));
    ck_assert_uint_le(r.body_len, 4 << 20);
    ck_assert_ptr_null(r.body);
    /* 1 GiB decoded would be 1,048,576 KB; the cap keeps growth to a few MB. */
    ck_assert_int_lt(rss_self_kb() - rss0, 32 * 1024);
    ck_assert_uint_lt(r.wire_bytes, 64 * 1024); /* aborted early, not downloaded */
}
END_TEST

START_TEST(endless_body_is_aborted_at_cap)
{
    ck_assert_int_eq(get("/endless", 5000, 1 << 20, -1), FETCH_TOO_LARGE);
    ck_assert_uint_le(r.body_len, 1 << 20);
}
END_TEST

START_TEST(content_length_over_cap_fails_before_download)
{
    ck_assert_int_eq(get("/big?mb=20", 0, 2 << 20, -1), FETCH_TOO_LARGE);
    ck_assert_uint_lt(r.body_len, 2 << 20);
}
END_TEST

START_TEST(ten_megabyte_page_is_kept_whole)
{
    ck_assert_int_eq(get("/big?mb=10", 0, 11 << 20, -1), FETCH_OK);
    ck_assert_uint_eq(r.body_len, 10u << 20);
    ck_assert_uint_eq(strlen(r.body), r.body_len);
}
END_TEST

START_TEST(slow_response_times_out)
{
    long long t0 = testutil_now_ms();
    ck_assert_int_eq(get("/slow?ms=5000", 400, 0, -1), FETCH_TIMEOUT);
    ck_assert_int_lt(testutil_now_ms() - t0, 3000);
    ck_assert_str_eq(fetch_err_word(r.err), "timeout");
}
END_TEST

START_TEST(hanging_server_times_out) { ck_assert_int_eq(get("/hang", 300, 0, -1), FETCH_TIMEOUT); }
END_TEST

START_TEST(low_speed_is_aborted)
{
    env.cfg.low_speed_bytes = 100000;
    env.cfg.low_speed_time_ms = 1000;
    ck_assert_int_eq(get("/slowbody?ms=8000&bytes=10000", 0, 0, -1), FETCH_TIMEOUT);
}
END_TEST

START_TEST(non_html_is_counted_not_kept)
{
    ck_assert_int_eq(get("/nonhtml.json", 0, 0, -1), FETCH_OK);
    ck_assert_str_eq(r.mime, "application/json");
    ck_assert_int_eq(r.is_html, 0);
    ck_assert_ptr_null(r.body);
    ck_assert_uint_gt(r.body_len, 0);
    ck_assert_int_eq(get("/image.png", 0, 0, -1), FETCH_OK);
    ck_assert_str_eq(r.mime, "image/png");
    ck_assert_int_eq(r.is_html, 0);
}
END_TEST

START_TEST(charset_parameter_is_parsed)
{
    ck_assert_int_eq(get("/latin1-header", 0, 0, -1), FETCH_OK);
    ck_assert_str_eq(r.mime, "text/html");
    ck_assert_str_eq(r.charset, "iso-8859-1");
}
END_TEST

START_TEST(refused_connection_is_connect)
{
    /* A port nobody listens on: bind one, note it, close it. */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
    ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
    socklen_t sl = sizeof(sa);
    getsockname(s, (struct sockaddr *)&sa, &sl);
    close(s);
    char u[64];
    snprintf(u, sizeof(u), "http://127.0.0.1:%d/", ntohs(sa.sin_port));
    fetch_opts o = {.max_redirects = -1};
    ck_assert_int_eq(fetch_page(&env, &a, u, &o, &r), FETCH_CONNECT);
    ck_assert_str_eq(fetch_err_word(r.err), "connect");
}
END_TEST

START_TEST(unresolvable_host_is_dns)
{
    fetch_opts o = {.max_redirects = -1};
    ck_assert_int_eq(fetch_page(&env, &a, "http://no-such-host.invalid/", &o, &r), FETCH_DNS);
}
END_TEST

START_TEST(private_address_is_blocked_unless_allowed)
{
    env.allow_private = 0;
    ck_assert_int_eq(get("/site/", 0, 0, -1), FETCH_BLOCKED);
    ck_assert_str_eq(fetch_err_word(r.err), "blocked");
    ck_assert_ptr_nonnull(strstr(r.err_detail, "127.0.0.1"));
    env.allow_private = 1;
    ck_assert_int_eq(get("/site/", 0, 0, -1), FETCH_OK);
}
END_TEST

/* IPv6 addresses that carry a private IPv4 one are refused before any
 * connection (v4-compatible was once treated as public). */
START_TEST(ipv6_forms_of_private_ipv4_are_blocked)
{
    static const char *const urls[] = {
        "http://[::ffff:10.1.2.3]:9/", "http://[::127.0.0.1]:9/",
        "http://[64:ff9b::7f00:1]:9/", "http://[64:ff9b::a9fe:909]:9/",
        "http://[2002:7f00:1::1]:9/",  "http://[2002:c0a8:707::1]:9/",
    };
    env.allow_private = 0;
    fetch_opts o = {.max_redirects = -1};
    for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        fetch_err e = fetch_page(&env, &a, urls[i], &o, &r);
        ck_assert_msg(e == FETCH_BLOCKED, "%s: %s (%s)", urls[i], fetch_err_word(e),
                      r.err_detail ? r.err_detail : "");
    }
    env.allow_private = 1;
}
END_TEST

START_TEST(tls_to_plain_http_port_is_tls_error)
{
    char u[128];
    snprintf(u, sizeof(u), "https://127.0.0.1:%d/", srv.port);
    fetch_opts o = {.max_redirects = -1};
    ck_assert_int_eq(fetch_page(&env, &a, u, &o, &r), FETCH_TLS);
}
END_TEST

START_TEST(other_schemes_are_refused)
{
    fetch_opts o = {.max_redirects = -1};
    ck_assert_int_eq(fetch_page(&env, &a, "ftp://127.0.0.1/x", &o, &r), FETCH_URL);
    char u[256];
    snprintf(u, sizeof(u), "/redirect-to?url=file:///etc/passwd");
    ck_assert_int_eq(get(u, 0, 0, -1), FETCH_URL);
    ck_assert_ptr_null(r.body);
    /* The error names the refused target; the page ends at the hop that
     * sent it, not at file:///etc/passwd. */
    ck_assert_str_eq(r.err_detail,
                     "redirect to file:///etc/passwd refused: only http and https are followed");
    ck_assert_str_eq(r.final_url, U(u));
}
END_TEST

/* Back off when a server asks: the Retry-After of the answer, both forms,
 * read through curl (CURLINFO_RETRY_AFTER); none is -1, 0 stays 0. */
START_TEST(retry_after_is_read_in_both_forms)
{
    ck_assert_int_eq(get("/backoff/ra1?fail=-1&retry-after=7", 0, 0, -1), FETCH_OK);
    ck_assert_int_eq(r.status, 503);
    ck_assert_int_eq(r.retry_after_s, 7);
    ck_assert_int_eq(get("/backoff/ra2?fail=-1&code=429&retry-after=30&date=1", 0, 0, -1),
                     FETCH_OK);
    ck_assert_int_eq(r.status, 429);
    /* an HTTP-date 30 s ahead, to the second: 29 or 30 from now */
    ck_assert_msg(r.retry_after_s >= 28 && r.retry_after_s <= 30, "date form: %lld",
                  r.retry_after_s);
    ck_assert_int_eq(get("/backoff/ra3?fail=-1&retry-after=0", 0, 0, -1), FETCH_OK);
    ck_assert_int_eq(r.retry_after_s, 0);
    ck_assert_int_eq(get("/backoff/ra4?fail=-1", 0, 0, -1), FETCH_OK);
    ck_assert_int_eq(r.status, 503);
    ck_assert_int_eq(r.retry_after_s, -1);
    ck_assert_int_eq(get("/site/p/1.html", 0, 0, -1), FETCH_OK);
    ck_assert_int_eq(r.retry_after_s, -1);
}
END_TEST

START_TEST(connection_reset_is_an_error_word)
{
    fetch_err e = get("/reset", 2000, 0, -1);
    ck_assert_msg(e == FETCH_PROTOCOL || e == FETCH_RECV, "got %s", fetch_err_word(e));
}
END_TEST

START_TEST(user_agent_comes_from_config)
{
    ck_assert_int_eq(get("/echo-ua", 0, 0, -1), FETCH_OK);
    ck_assert_ptr_nonnull(strstr(r.body, "UA: crawld-test/1.0"));
}
END_TEST

START_TEST(keep_alive_reuses_one_connection)
{
    /* new_connects (CURLINFO_NUM_CONNECTS): new connections the transfer
     * had to make; every transfer has its own easy handle, the connections
     * are the multi's. */
    ck_assert_int_eq(get("/site/p/0.html", 0, 0, -1), FETCH_OK);
    ck_assert_int_eq(r.new_connects, 1);
    for (int i = 0; i < 20; i++) {
        ck_assert_int_eq(get("/site/p/1.html", 0, 0, -1), FETCH_OK);
        ck_assert_msg(r.new_connects == 0, "page %d opened a new connection", i);
    }
}
END_TEST

START_TEST(failed_page_keeps_no_body_and_arena_is_reusable)
{
    size_t base = alloc_live_bytes();
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(get("/endless", 5000, 256 << 10, -1), FETCH_TOO_LARGE);
        ck_assert_int_eq(get("/site/p/2.html", 0, 0, -1), FETCH_OK);
        arena_reset(&a, 0);
    }
    /* Only curl's connection cache may remain, and it does not grow. */
    size_t after_first = alloc_live_bytes();
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(get("/site/p/2.html", 0, 0, -1), FETCH_OK);
        arena_reset(&a, 0);
    }
    ck_assert_uint_le(alloc_live_bytes(), after_first);
    (void)base;
}
END_TEST

START_TEST(error_mapping_covers_curl_codes)
{
    ck_assert_int_eq(fetch_err_from_curl(CURLE_OK), FETCH_OK);
    ck_assert_int_eq(fetch_err_from_curl(CURLE_COULDNT_RESOLVE_HOST), FETCH_DNS);
    ck_assert_int_eq(fetch_err_from_curl(CURLE_COULDNT_CONNECT), FETCH_CONNECT);
    ck_assert_int_eq(fetch_err_from_curl(CURLE_OPERATION_TIMEDOUT), FETCH_TIMEOUT);
    ck_assert_int_eq(fetch_err_from_curl(CURLE_FILESIZE_EXCEEDED), FETCH_TOO_LARGE);
    ck_assert_int_eq(fetch_err_from_curl(CURLE_TOO_MANY_REDIRECTS), FETCH_TOO_MANY_REDIRECTS);
    ck_assert_int_eq(fetch_err_from_curl(CURLE_BAD_CONTENT_ENCODING), FETCH_DECODE);
    ck_assert_int_eq(fetch_err_from_curl(CURLE_PEER_FAILED_VERIFICATION), FETCH_TLS);
    ck_assert_int_eq(fetch_err_from_curl(CURLE_SSL_CONNECT_ERROR), FETCH_TLS);
    ck_assert_int_eq(fetch_err_from_curl(CURLE_UNSUPPORTED_PROTOCOL), FETCH_URL);
    ck_assert_int_eq(fetch_err_from_curl(CURLE_WEIRD_SERVER_REPLY), FETCH_PROTOCOL);
    ck_assert_int_eq(fetch_err_from_curl(CURLE_RECV_ERROR), FETCH_RECV);
    ck_assert_int_eq(fetch_err_from_curl(CURLE_OUT_OF_MEMORY), FETCH_NOMEM);
    ck_assert_int_eq(fetch_err_from_curl(CURLE_LDAP_CANNOT_BIND), FETCH_OTHER);
    ck_assert_str_eq(fetch_err_word(FETCH_DECODE), "decode");
    ck_assert_str_eq(fetch_err_word(FETCH_OTHER), "other");
}
END_TEST

/* The init chain: fail the 1st, 2nd, … allocation in turn; every failure
 * must unwind to exactly the bytes held before, and some N must succeed. */
START_TEST(init_chain_unwinds_at_every_failure_point)
{
    crawld_config c;
    config_defaults(&c);
    size_t base = alloc_live_bytes();
    char err[256];
    worker_env e;
    int failures = 0;
    for (long n = 1; n < 5000; n++) {
        alloc_fail_after(n);
        int rc = worker_env_init(&e, &c, err, sizeof(err));
        alloc_fail_reset();
        if (rc == 0) {
            ck_assert_int_gt(failures, 3); /* several steps really failed */
            worker_env_free(&e);
            ck_assert_uint_eq(alloc_live_bytes(), base);
            return;
        }
        failures++;
        ck_assert_ptr_nonnull(strstr(err, "worker init failed at step"));
        ck_assert_msg(alloc_live_bytes() == base, "failing allocation %ld (%s) leaked %zu bytes", n,
                      err, alloc_live_bytes() - base);
    }
    ck_abort_msg("init never succeeded");
}
END_TEST

START_TEST(env_free_returns_every_byte_after_transfers)
{
    worker_env_free(&env);
    arena_release(&a);
    size_t base = alloc_live_bytes();
    char err[256];
    ck_assert_int_eq(worker_env_init(&env, &cfg, err, sizeof(err)), 0);
    arena_init(&a, 0);
    ck_assert_int_eq(get("/site/p/5.html", 0, 0, -1), FETCH_OK);
    ck_assert_uint_gt(alloc_live_bytes(), base);
    arena_release(&a);
    worker_env_free(&env);
    ck_assert_uint_eq(alloc_live_bytes(), base);
    /* teardown frees again: make it a no-op */
    ck_assert_int_eq(worker_env_init(&env, &cfg, err, sizeof(err)), 0);
    arena_init(&a, 0);
}
END_TEST

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

#define NX 8

/* Transfers in flight together on the worker's multi: eight pages that
 * each take 400 ms are all done in about 400 ms. */
START_TEST(transfers_run_together)
{
    static fetch_xfer x[NX];
    static fetch_result rr[NX];
    static arena ar[NX];
    double t0 = now_ms();
    for (int i = 0; i < NX; i++) {
        arena_init(&ar[i], 0);
        char u[128];
        snprintf(u, sizeof(u), "%s/slow?ms=400&n=%d", srv.base_url, i);
        ck_assert_int_eq(fetch_begin(&env, &ar[i], arena_strdup(&ar[i], u), NULL, &rr[i], &x[i], 0),
                         FETCH_OK);
    }
    ck_assert_int_eq(env.fetch_inflight, NX);
    for (int i = 0; i < NX; i++) {
        fetch_wait(&env, &x[i]);
        ck_assert_int_eq(fetch_finish(&x[i]), FETCH_OK);
        ck_assert_int_eq(rr[i].status, 200);
        fetch_release(&env, &x[i]);
        arena_release(&ar[i]);
    }
    double took = now_ms() - t0;
    printf("measure: %d transfers of 400 ms each, together: %.0f ms\n", NX, took);
    ck_assert_msg(took < 1500, "took %.0f ms", took);
    ck_assert_int_eq(env.fetch_inflight, 0);
}
END_TEST

/* The body budget: eight slow bodies of 200 KB under a 256 KiB budget all
 * complete (the oldest transfer always goes on), some had to wait, and the
 * bytes held never pass the budget plus one max body. */
START_TEST(body_budget_pauses_all_but_the_oldest)
{
    static fetch_xfer x[NX];
    static fetch_result rr[NX];
    static arena ar[NX];
    const size_t budget = 256 * 1024, max_body = 1 << 20, size = 200000;
    env.fetch_budget = budget;
    fetch_opts o = {.max_body = max_body, .max_redirects = -1};
    for (int i = 0; i < NX; i++) {
        arena_init(&ar[i], 0);
        char u[128];
        snprintf(u, sizeof(u), "%s/slowbody?ms=600&bytes=%zu&n=%d", srv.base_url, size, i);
        ck_assert_int_eq(fetch_begin(&env, &ar[i], arena_strdup(&ar[i], u), &o, &rr[i], &x[i], 0),
                         FETCH_OK);
    }
    int finished[NX] = {0}, done = 0, paused_seen = 0;
    size_t peak = 0;
    double deadline = now_ms() + 30000;
    while (done < NX && now_ms() < deadline) {
        ck_assert_int_ge(fetch_step(&env, -1, 50), 0);
        if (env.fetch_held > peak)
            peak = env.fetch_held;
        for (int i = 0; i < NX; i++) {
            paused_seen |= x[i].paused;
            if (!x[i].done || finished[i])
                continue;
            ck_assert_msg(fetch_finish(&x[i]) == FETCH_OK, "transfer %d: %s", i,
                          rr[i].err_detail ? rr[i].err_detail : "?");
            ck_assert_uint_eq(rr[i].body_len, size);
            fetch_release(&env, &x[i]);
            arena_release(&ar[i]);
            finished[i] = 1;
            done++;
        }
    }
    printf("measure: %d bodies of %zu bytes, budget %zu: peak held %zu bytes, paused: %s\n", NX,
           size, budget, peak, paused_seen ? "yes" : "no");
    ck_assert_int_eq(done, NX);
    ck_assert_msg(paused_seen, "no transfer ever waited for the budget");
    ck_assert_uint_le(peak, budget + max_body);
    ck_assert_uint_eq(env.fetch_held, 0);
}
END_TEST

/* The threaded resolver: a name's first transfer resolves it, the next
 * ones take it from the multi's DNS cache. */
/* A name /etc/hosts maps to 127.0.0.1 other than "localhost" (which curl
 * answers itself, without the resolver), or NULL. */
static const char *loopback_name(char *buf, size_t cap)
{
    FILE *f = fopen("/etc/hosts", "re");
    char line[256];
    const char *found = NULL;
    while (f && !found && fgets(line, sizeof(line), f)) {
        char ip[64], name[128];
        if (sscanf(line, "%63s %127s", ip, name) == 2 && strcmp(ip, "127.0.0.1") == 0 &&
            strcmp(name, "localhost") != 0 && strlen(name) < cap) {
            snprintf(buf, cap, "%s", name);
            found = buf;
        }
    }
    if (f)
        fclose(f);
    return found;
}

START_TEST(dns_is_cached_across_transfers)
{
    char u[256], name[128];
    if (!loopback_name(name, sizeof(name))) {
        printf("measure: name lookup: no name for 127.0.0.1 in /etc/hosts, not measured\n");
        return;
    }
    snprintf(u, sizeof(u), "http://%s:%d/site/p/1.html", name, srv.port);
    fetch_opts o = {.max_redirects = -1};
    ck_assert_int_eq(fetch_page(&env, &a, u, &o, &r), FETCH_OK);
    double fresh = r.dns_ms;
    double cached = 0;
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(fetch_page(&env, &a, u, &o, &r), FETCH_OK);
        cached += r.dns_ms / 5;
    }
    ck_assert_int_eq(fetch_page(&env, &a, U("/site/p/1.html"), &o, &r), FETCH_OK);
    printf("measure: name lookup: fresh name %.3f ms, cached %.3f ms, address literal %.3f ms\n",
           fresh, cached, r.dns_ms);
    ck_assert(cached <= fresh);
}
END_TEST

/* The address rule through a proxy (fetch_host_private): literals judged
 * as the socket rule judges addresses, localhost names always refused,
 * other names only when resolved. */
START_TEST(proxied_target_hosts)
{
    static const char *const private_hosts[] = {
        "127.0.0.1",  "127.0.0.2",     "10.1.2.3",  "192.168.0.1",       "169.254.169.254",
        "[::1]",      "[fe80::1]",     "[fc00::1]", "[::ffff:10.0.0.1]", "localhost",
        "LOCALHOST.", "a.b.localhost", "0.0.0.0",   "100.64.0.1",        "[64:ff9b::a00:1]"};
    for (size_t i = 0; i < sizeof(private_hosts) / sizeof(private_hosts[0]); i++) {
        ck_assert_msg(fetch_host_private(private_hosts[i], 0) == 1, "%s refused", private_hosts[i]);
        ck_assert_msg(fetch_host_private(private_hosts[i], 1) == 1, "%s refused", private_hosts[i]);
    }
    static const char *const public_hosts[] = {"93.184.216.34", "[2606:4700::1]", "example.invalid",
                                               "notlocalhost", "localhost.example.invalid"};
    for (size_t i = 0; i < sizeof(public_hosts) / sizeof(public_hosts[0]); i++)
        ck_assert_msg(fetch_host_private(public_hosts[i], 0) == 0, "%s let through",
                      public_hosts[i]);
    /* a name that does not resolve is left to the proxy */
    ck_assert_int_eq(fetch_host_private("example.invalid", 1), 0);
    ck_assert_int_eq(fetch_host_private("", 0), 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fetch");
    TCase *tc = tcase_create("fetch");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, server_up, server_down);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, html_page_is_fetched_and_kept);
    tcase_add_test(tc, proxied_target_hosts);
    tcase_add_test(tc, transfers_run_together);
    tcase_add_test(tc, body_budget_pauses_all_but_the_oldest);
    tcase_add_test(tc, dns_is_cached_across_transfers);
    tcase_add_test(tc, error_statuses_are_responses);
    tcase_add_test(tc, retry_after_is_read_in_both_forms);
    tcase_add_test(tc, redirect_chain_records_every_status_and_final_url);
    tcase_add_test(tc, redirect_cap_is_enforced);
    tcase_add_test(tc, gzip_and_deflate_are_decoded);
    tcase_add_test(tc, brotli_is_decoded_when_served);
    tcase_add_test(tc, gzip_bomb_stops_at_cap_with_small_rss);
    tcase_add_test(tc, endless_body_is_aborted_at_cap);
    tcase_add_test(tc, content_length_over_cap_fails_before_download);
    tcase_add_test(tc, ten_megabyte_page_is_kept_whole);
    tcase_add_test(tc, slow_response_times_out);
    tcase_add_test(tc, hanging_server_times_out);
    tcase_add_test(tc, low_speed_is_aborted);
    tcase_add_test(tc, non_html_is_counted_not_kept);
    tcase_add_test(tc, charset_parameter_is_parsed);
    tcase_add_test(tc, refused_connection_is_connect);
    tcase_add_test(tc, unresolvable_host_is_dns);
    tcase_add_test(tc, ipv6_forms_of_private_ipv4_are_blocked);
    tcase_add_test(tc, private_address_is_blocked_unless_allowed);
    tcase_add_test(tc, tls_to_plain_http_port_is_tls_error);
    tcase_add_test(tc, other_schemes_are_refused);
    tcase_add_test(tc, connection_reset_is_an_error_word);
    tcase_add_test(tc, user_agent_comes_from_config);
    tcase_add_test(tc, keep_alive_reuses_one_connection);
    tcase_add_test(tc, failed_page_keeps_no_body_and_arena_is_reusable);
    tcase_add_test(tc, error_mapping_covers_curl_codes);
    tcase_add_test(tc, init_chain_unwinds_at_every_failure_point);
    tcase_add_test(tc, env_free_returns_every_byte_after_transfers);
    suite_add_tcase(s, tc);
    return testutil_run(s);
}
