/* test_session — the checks of a job's session values (--header, --user,
 * --bearer, --proxy: every refusal names its flag and quotes no secret),
 * the redaction of request header blocks and proxy URLs, and the task's
 * session fields across the wire. */
#include <check.h>

#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "json_alloc.h"
#include "session.h"
#include "wire.h"

typedef struct hcase {
    const char *v;
    int ok;
    const char *words; /* in the error when refused */
} hcase;

static const hcase HCASES[] = {
    {"X-Test: 1", 1, NULL},
    {"X-Test:1", 1, NULL},
    {"Accept-Language: de, en;q=0.5", 1, NULL},
    {"X-Tab: a\tb", 1, NULL},
    {"x!#$%&'*+-.^_`|~: v", 1, NULL},
    {"Host: example.com", 0, "Host is not taken"},
    {"host: example.com", 0, "Host is not taken"},
    {"Content-Length: 1", 0, "Content-Length"},
    {"Transfer-Encoding: chunked", 0, "Transfer-Encoding"},
    {"Connection: close", 0, "Connection"},
    {"Cookie: a=b", 0, "cookie jar"},
    {"Authorization: Basic eA==", 0, "--user or --bearer"},
    {"Proxy-Authorization: x", 0, "--proxy"},
    {"X-A: a\r\nX-B: b", 0, "control character"},
    {"X-A: a\nb", 0, "control character"},
    {"X-A: a\x7f", 0, "control character"},
    {"X-Empty:", 0, "no value"},
    {"X-Empty:   ", 0, "no value"},
    {"Bad Name: v", 0, "Name: value"},
    {": v", 0, "Name: value"},
    {"NoColon", 0, "Name: value"},
    {"X(y): v", 0, "Name: value"},
    {"", 0, "Name: value"},
};
#define N_HCASES (sizeof(HCASES) / sizeof(HCASES[0]))

START_TEST(test_header_check)
{
    const hcase *c = &HCASES[_i];
    char err[320] = "";
    int rc = session_header_check(c->v, err, sizeof(err));
    ck_assert_msg(rc == (c->ok ? 0 : -1), "\"%s\": rc %d", c->v, rc);
    if (!c->ok) {
        ck_assert_msg(strncmp(err, "--header: ", 10) == 0, "\"%s\": %s names --header", c->v, err);
        ck_assert_msg(strstr(err, c->words), "\"%s\": \"%s\" says %s", c->v, err, c->words);
    }
}
END_TEST

START_TEST(test_credentials_check)
{
    char err[320];
    ck_assert_int_eq(session_user_check("alice:pw", err, sizeof(err)), 0);
    ck_assert_int_eq(session_user_check("alice:", err, sizeof(err)), 0); /* an empty password */
    ck_assert_int_eq(session_user_check("alice:p:w", err, sizeof(err)), 0);
    static const char *const bad_users[] = {"alice", ":pw", "", "al\rice:pw", "alice:p\nw"};
    for (size_t i = 0; i < sizeof(bad_users) / sizeof(bad_users[0]); i++) {
        err[0] = '\0';
        ck_assert_int_eq(session_user_check(bad_users[i], err, sizeof(err)), -1);
        ck_assert_msg(strncmp(err, "--user: ", 8) == 0, "%s names --user", err);
        ck_assert_msg(!bad_users[i][0] || !strstr(err, bad_users[i]), "%s quotes no value", err);
    }
    char big[SESSION_MAX_USER_LEN + 2];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    big[1] = ':';
    ck_assert_int_eq(session_user_check(big, err, sizeof(err)), -1);

    ck_assert_int_eq(session_bearer_check("abc.DEF-123_~+/=", err, sizeof(err)), 0);
    static const char *const bad_tokens[] = {"", "a b", "a\r\nX: y", "a,b", "tok\"en"};
    for (size_t i = 0; i < sizeof(bad_tokens) / sizeof(bad_tokens[0]); i++) {
        err[0] = '\0';
        ck_assert_int_eq(session_bearer_check(bad_tokens[i], err, sizeof(err)), -1);
        ck_assert_msg(strncmp(err, "--bearer: ", 10) == 0, "%s names --bearer", err);
    }
    char tok[SESSION_MAX_BEARER_LEN + 2];
    memset(tok, 'a', sizeof(tok) - 1);
    tok[sizeof(tok) - 1] = '\0';
    ck_assert_int_eq(session_bearer_check(tok, err, sizeof(err)), -1);
    tok[SESSION_MAX_BEARER_LEN] = '\0';
    ck_assert_int_eq(session_bearer_check(tok, err, sizeof(err)), 0);
}
END_TEST

START_TEST(test_proxy_check)
{
    char err[320];
    static const char *const good[] = {"http://127.0.0.1:3128", "HTTP://proxy.example/",
                                       "socks5h://u:p@proxy.example:1080", "http://[::1]:8080"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        ck_assert_msg(session_proxy_check(good[i], err, sizeof(err)) == 0, "%s: %s", good[i], err);
    static const char *const bad[] = {
        "ftp://p:21",  "socks5://p:1080", "https://p:443", "127.0.0.1:3128", "http://",
        "http://u:p@", "http:///x",       "http://p :1",   "http://p\r\n:1", "socks4://p:1080"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        ck_assert_msg(session_proxy_check(bad[i], err, sizeof(err)) == -1, "%s refused", bad[i]);
        ck_assert_msg(strncmp(err, "--proxy: ", 9) == 0, "%s names --proxy", err);
    }
}
END_TEST

START_TEST(test_header_secret)
{
    const char *names = "X-Api-Key: k1\nX-Other: v";
    ck_assert_int_eq(session_header_secret("Authorization", 13, NULL), 1);
    ck_assert_int_eq(session_header_secret("proxy-authorization", 19, NULL), 1);
    ck_assert_int_eq(session_header_secret("x-api-key", 9, names), 1);
    ck_assert_int_eq(session_header_secret("X-Other", 7, names), 1);
    ck_assert_int_eq(session_header_secret("X-Oth", 5, names), 0); /* a prefix is another name */
    ck_assert_int_eq(session_header_secret("Accept", 6, names), 0);
    ck_assert_int_eq(session_header_secret("X-Api-Key", 9, NULL), 0);
}
END_TEST

START_TEST(test_redact_block)
{
    const char *names = "X-Api-Key: k1";
    const char in[] = "GET /a HTTP/1.1\r\n"
                      "Host: h\r\n"
                      "Authorization: Basic c2VjcmV0\r\n"
                      "X-API-KEY:k1\r\n"
                      "Proxy-Authorization: Basic cHc=\r\n"
                      "Accept: */*\r\n"
                      "\r\n";
    const char want[] = "GET /a HTTP/1.1\r\n"
                        "Host: h\r\n"
                        "Authorization: <redacted>\r\n"
                        "X-API-KEY: <redacted>\r\n"
                        "Proxy-Authorization: <redacted>\r\n"
                        "Accept: */*\r\n"
                        "\r\n";
    size_t n = session_redact_block(in, sizeof(in) - 1, names, NULL, 0);
    ck_assert_uint_eq(n, sizeof(want) - 1);
    char out[sizeof(want) + 8];
    memset(out, '#', sizeof(out));
    ck_assert_uint_eq(session_redact_block(in, sizeof(in) - 1, names, out, n), n);
    ck_assert_int_eq(memcmp(out, want, n), 0);
    ck_assert_int_eq(out[n], '#'); /* nothing past what it said */
    /* too small: sized, nothing written past cap */
    memset(out, '#', sizeof(out));
    ck_assert_uint_eq(session_redact_block(in, sizeof(in) - 1, names, out, 10), n);
    ck_assert_int_eq(out[10], '#');
    /* a request line is never taken for a header, even with a colon in it */
    const char rl[] = "GET /Authorization:x HTTP/1.1\r\n\r\n";
    ck_assert_uint_eq(session_redact_block(rl, sizeof(rl) - 1, NULL, out, sizeof(out)),
                      sizeof(rl) - 1);
    ck_assert_int_eq(memcmp(out, rl, sizeof(rl) - 1), 0);
    /* a value longer than the marker and one shorter */
    const char sh[] = "GET / HTTP/1.1\nAuthorization: x\n\n";
    char o2[64];
    size_t m = session_redact_block(sh, sizeof(sh) - 1, NULL, o2, sizeof(o2));
    ck_assert_uint_eq(m, strlen("GET / HTTP/1.1\nAuthorization: <redacted>\n\n"));
    ck_assert_int_eq(memcmp(o2, "GET / HTTP/1.1\nAuthorization: <redacted>\n\n", m), 0);
}
END_TEST

START_TEST(test_url_redacted)
{
    char b[128];
    ck_assert_str_eq(session_url_redacted("http://u:p@h:1/x", b, sizeof(b)),
                     "http://<redacted>@h:1/x");
    ck_assert_str_eq(session_url_redacted("socks5h://u:p@w@h:1", b, sizeof(b)),
                     "socks5h://<redacted>@h:1");
    ck_assert_str_eq(session_url_redacted("http://h:1/a@b", b, sizeof(b)), "http://h:1/a@b");
    ck_assert_str_eq(session_url_redacted("http://h:1", b, sizeof(b)), "http://h:1");
}
END_TEST

/* The task carries the session and decodes to the same strings; a task
 * without one has none. */
START_TEST(test_wire_task_session)
{
    arena ar;
    arena_init(&ar, 0);
    arena *a = &ar;
    wire_task t = {.task_id = 7,
                   .job_id = 1,
                   .url = "http://h/",
                   .headers = "X-A: 1\nX-B: \"q\"",
                   .user = "alice:pw",
                   .proxy = "socks5h://p:1080"};
    char *buf = malloc(wire_task_bound(&t) + 1);
    size_t n = wire_task_encode(&t, buf);
    buf[n] = '\0';
    wire_msg m;
    wire_err e;
    ck_assert_int_eq(wire_decode(WIRE_AT_WORKER, a, buf, n, &m, &e), 0);
    ck_assert_str_eq(m.task.headers, t.headers);
    ck_assert_str_eq(m.task.user, "alice:pw");
    ck_assert_ptr_null(m.task.bearer);
    ck_assert_str_eq(m.task.proxy, "socks5h://p:1080");
    wire_task plain = {.task_id = 8, .url = "http://h/"};
    n = wire_task_encode(&plain, buf);
    buf[n] = '\0';
    ck_assert_ptr_null(strstr(buf, "headers"));
    ck_assert_int_eq(wire_decode(WIRE_AT_WORKER, a, buf, n, &m, &e), 0);
    ck_assert_ptr_null(m.task.headers);
    ck_assert_ptr_null(m.task.user);
    free(buf);
    arena_release(a);
}
END_TEST

static Suite *session_suite(void)
{
    Suite *s = suite_create("session");
    TCase *tc = tcase_create("checks");
    tcase_add_loop_test(tc, test_header_check, 0, (int)N_HCASES);
    tcase_add_test(tc, test_credentials_check);
    tcase_add_test(tc, test_proxy_check);
    suite_add_tcase(s, tc);
    tc = tcase_create("redaction");
    tcase_add_test(tc, test_header_secret);
    tcase_add_test(tc, test_redact_block);
    tcase_add_test(tc, test_url_redacted);
    tcase_add_test(tc, test_wire_task_session);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    json_alloc_install(); /* the decoded task's strings stay in the arena */
    return testutil_run(session_suite());
}
