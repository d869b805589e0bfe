/* test_cookie — Netscape cookie lines: every field read (the HttpOnly
 * prefix, a leading dot, a session cookie, an empty value), comments and
 * blank lines skipped, each kind of malformed line refused with words that
 * name the field; a cookie file read line by line, its first bad line
 * named by number; the jar's domain key and a URL's host. */
#include "cookie.h"

#include <check.h>

#include "testutil.h"
#include <stdio.h>
#include <string.h>

static char why[200];

static int parse(const char *l, cookie_line *c)
{
    why[0] = '\0';
    return cookie_parse(l, strlen(l), c, why, sizeof(why));
}

START_TEST(reads_every_field)
{
    cookie_line c;
    ck_assert_int_eq(parse("#HttpOnly_.Example.com\tTRUE\t/a/b\tTRUE\t1900000000\tsid\tv=1\r", &c),
                     0);
    ck_assert_int_eq(c.httponly, 1);
    ck_assert_int_eq(c.subdomains, 1);
    ck_assert_int_eq(c.secure, 1);
    ck_assert_int_eq((int)c.domain_len, 12);
    ck_assert(strncmp(c.domain, ".Example.com", 12) == 0);
    ck_assert(c.path_len == 4 && strncmp(c.path, "/a/b", 4) == 0);
    ck_assert_int_eq(c.expires, 1900000000LL);
    ck_assert(c.name_len == 3 && strncmp(c.name, "sid", 3) == 0);
    ck_assert(c.value_len == 3 && strncmp(c.value, "v=1", 3) == 0); /* the CR dropped */
    char key[64];
    ck_assert_int_eq(cookie_domain_key(&c, key, sizeof(key)), 0);
    ck_assert_str_eq(key, "example.com");
    ck_assert_int_eq(cookie_domain_key(&c, key, 5), -1); /* does not fit */

    ck_assert_int_eq(parse("127.0.0.1\tFALSE\t/\tFALSE\t0\tempty\t", &c), 0);
    ck_assert_int_eq(c.httponly, 0);
    ck_assert_int_eq(c.subdomains, 0);
    ck_assert_int_eq(c.expires, 0);
    ck_assert_int_eq((int)c.value_len, 0);

    ck_assert_int_eq(parse("# Netscape HTTP Cookie File", &c), 1);
    ck_assert_int_eq(parse("", &c), 1);
    ck_assert_int_eq(parse("  \t", &c), 1);
    ck_assert_int_eq(cookie_line_check("# a comment", why, sizeof(why)), -1);
    ck_assert_int_eq(cookie_line_check("a\tFALSE\t/\tFALSE\t0\tn\tv", why, sizeof(why)), 0);
}
END_TEST

static void refused(const char *line, const char *words)
{
    cookie_line c;
    ck_assert_int_eq(parse(line, &c), -1);
    ck_assert_msg(strstr(why, words) != NULL, "%s: \"%s\" does not say \"%s\"", line, why, words);
}

START_TEST(refuses_malformed_lines)
{
    refused("a\tFALSE\t/", "expected 7 tab-separated fields, found 3");
    refused("a\tFALSE\t/\tFALSE\t0\tn\tv\textra", "found more than 7");
    refused("\tFALSE\t/\tFALSE\t0\tn\tv", "domain");
    refused("a b\tFALSE\t/\tFALSE\t0\tn\tv", "domain");
    refused("a\tyes\t/\tFALSE\t0\tn\tv", "subdomains");
    refused("a\tFALSE\tpath\tFALSE\t0\tn\tv", "path");
    refused("a\tFALSE\t/\tmaybe\t0\tn\tv", "secure");
    refused("a\tFALSE\t/\tFALSE\tsoon\tn\tv", "expires: \"soon\"");
    refused("a\tFALSE\t/\tFALSE\t-5\tn\tv", "expires");
    refused("a\tFALSE\t/\tFALSE\t0\t\tv", "name");
    refused("a\tFALSE\t/\tFALSE\t0\tn=x\tv", "name");
    refused("a\tFALSE\t/\tFALSE\t0\tn\tv;x", "value");
    refused("a\tFALSE\t/\tFALSE\t0\tn\tv\x01", "control character");
    char big[COOKIE_MAX_LINE + 64];
    int n = snprintf(big, sizeof(big), "a\tFALSE\t/\tFALSE\t0\tn\t");
    memset(big + n, 'x', COOKIE_MAX_LINE);
    big[n + COOKIE_MAX_LINE] = '\0';
    refused(big, "longer than 4096");
}
END_TEST

typedef struct got {
    int n;
    char lines[8][128];
} got;

static int collect(void *ud, const char *l, size_t n)
{
    got *g = ud;
    if (g->n >= 8)
        return -1;
    snprintf(g->lines[g->n++], 128, "%.*s", (int)n, l);
    return 0;
}

START_TEST(reads_a_file)
{
    const char text[] = "# Netscape HTTP Cookie File\r\n\r\n"
                        "a.example\tFALSE\t/\tFALSE\t0\tone\t1\r\n"
                        "#HttpOnly_b.example\tFALSE\t/\tTRUE\t0\ttwo\t2"; /* no last newline */
    got g = {0};
    size_t line = 0;
    ck_assert_int_eq(cookie_file_read(text, strlen(text), collect, &g, &line, why, sizeof(why)), 0);
    ck_assert_int_eq(g.n, 2);
    ck_assert_str_eq(g.lines[0], "a.example\tFALSE\t/\tFALSE\t0\tone\t1");
    ck_assert_str_eq(g.lines[1], "#HttpOnly_b.example\tFALSE\t/\tTRUE\t0\ttwo\t2");

    const char bad[] = "# ok\n"
                       "a.example\tFALSE\t/\tFALSE\t0\tone\t1\n"
                       "\n"
                       "a.example\tFALSE\t/\tFALSE\tnever\tthree\t3\n"
                       "also bad\n";
    memset(&g, 0, sizeof(g));
    ck_assert_int_eq(cookie_file_read(bad, strlen(bad), collect, &g, &line, why, sizeof(why)), -1);
    ck_assert_uint_eq(line, 4);
    ck_assert_ptr_nonnull(strstr(why, "expires"));

    /* the callback's -1 (collect holds 8) is the line's error */
    char nine[9 * 40];
    size_t len = 0;
    for (int i = 0; i < 9; i++)
        len +=
            (size_t)snprintf(nine + len, sizeof(nine) - len, "h\tFALSE\t/\tFALSE\t0\tc%d\tv\n", i);
    memset(&g, 0, sizeof(g));
    ck_assert_int_eq(cookie_file_read(nine, len, collect, &g, &line, why, sizeof(why)), -1);
    ck_assert_uint_eq(line, 9);
    ck_assert_ptr_nonnull(strstr(why, "out of memory"));
}
END_TEST

static int count_only(void *ud, const char *l, size_t n)
{
    (void)l;
    (void)n;
    ++*(int *)ud;
    return 0;
}

START_TEST(caps_a_file_at_a_jar)
{
    static char many[(COOKIE_MAX_PER_JOB + 2) * 40];
    size_t len = 0, line = 0;
    for (int i = 0; i < COOKIE_MAX_PER_JOB + 1; i++)
        len +=
            (size_t)snprintf(many + len, sizeof(many) - len, "h\tFALSE\t/\tFALSE\t0\tc%d\tv\n", i);
    int n = 0;
    ck_assert_int_eq(cookie_file_read(many, len, count_only, &n, &line, why, sizeof(why)), -1);
    ck_assert_int_eq(n, COOKIE_MAX_PER_JOB);
    ck_assert_uint_eq(line, COOKIE_MAX_PER_JOB + 1);
    ck_assert_ptr_nonnull(strstr(why, "more than 1000 cookies"));
}
END_TEST

START_TEST(url_hosts)
{
    char h[64];
    ck_assert_int_eq(cookie_url_host("http://A.Example:8080/x?y", h, sizeof(h)), 0);
    ck_assert_str_eq(h, "a.example");
    ck_assert_int_eq(cookie_url_host("https://user:pw@b.example/", h, sizeof(h)), 0);
    ck_assert_str_eq(h, "b.example");
    ck_assert_int_eq(cookie_url_host("http://[::1]:80/", h, sizeof(h)), 0);
    ck_assert_str_eq(h, "::1");
    ck_assert_int_eq(cookie_url_host("http://127.0.0.1", h, sizeof(h)), 0);
    ck_assert_str_eq(h, "127.0.0.1");
    ck_assert_int_eq(cookie_url_host("http:///nohost", h, sizeof(h)), -1);
    ck_assert_int_eq(cookie_url_host("http://a-very-long-host.example/", h, 8), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cookie");
    TCase *tc = tcase_create("cookie");
    tcase_add_test(tc, reads_every_field);
    tcase_add_test(tc, refuses_malformed_lines);
    tcase_add_test(tc, reads_a_file);
    tcase_add_test(tc, caps_a_file_at_a_jar);
    tcase_add_test(tc, url_hosts);
    suite_add_tcase(s, tc);
    return testutil_run(s);
}
