/* test_scope — scope kinds, limits and trap rules against exact verdicts.
 *
 * The kind rows are a table, each row its own loop test so a failure names
 * its URL. Trap rules are tested at their boundary (the last URL in, the
 * first one out) and with the rule turned off, so each test names one rule. */
#include <check.h>

#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "scope.h"

#define MAXSEEDS 3

typedef struct kcase {
    const char *spec;
    const char *seeds[MAXSEEDS + 1]; /* NULL-terminated */
    const char *url;
    scope_verdict want;
} kcase;

static const kcase KCASES[] = {
    /* host: host + port, either scheme */
    {"host", {"http://example.com/"}, "http://example.com/a/b", SCOPE_IN},
    {"host", {"http://example.com/"}, "https://example.com/x", SCOPE_IN},
    {"host", {"https://example.com/"}, "http://example.com/x", SCOPE_IN},
    {"host", {"http://example.com/"}, "http://EXAMPLE.com/x", SCOPE_IN},
    {"host", {"http://example.com/"}, "http://www.example.com/", SCOPE_OUT_HOST},
    {"host", {"http://example.com/"}, "http://example.org/", SCOPE_OUT_HOST},
    {"host", {"http://example.com/"}, "http://example.com.evil.org/", SCOPE_OUT_HOST},
    {"host", {"http://127.0.0.1:8080/"}, "http://127.0.0.1:8080/p", SCOPE_IN},
    {"host", {"http://127.0.0.1:8080/"}, "https://127.0.0.1:8080/p", SCOPE_IN},
    {"host", {"http://127.0.0.1:8080/"}, "http://127.0.0.1:9090/p", SCOPE_OUT_HOST},
    {"host", {"http://127.0.0.1:8080/"}, "http://127.0.0.1/p", SCOPE_OUT_HOST},
    {"host", {"http://127.0.0.1:8080/"}, "http://127.0.0.2:8080/p", SCOPE_OUT_HOST},
    {"host", {"http://example.com/"}, "http://example.com:8080/", SCOPE_OUT_HOST},
    {"host", {"http://example.com/"}, "http://user@example.com/", SCOPE_IN},
    {"host", {"http://[::1]:8080/"}, "http://[::1]:8080/a", SCOPE_IN},
    {"host", {"http://[::1]:8080/"}, "http://[::1]:8081/a", SCOPE_OUT_HOST},
    {"host", {"http://a.test/", "http://127.0.0.1:81/"}, "http://127.0.0.1:81/", SCOPE_IN},
    {"host", {"http://a.test/", "http://127.0.0.1:81/"}, "http://b.test/", SCOPE_OUT_HOST},
    {NULL, {"http://example.com/"}, "http://example.com/", SCOPE_IN}, /* NULL spec: host */
    {NULL, {"http://example.com/"}, "http://other.com/", SCOPE_OUT_HOST},
    {"host", {"http://example.com/"}, "ftp://example.com/", SCOPE_BAD_URL},
    {"host", {"http://example.com/"}, "http:///nohost", SCOPE_BAD_URL},
    /* domain: registrable domain through the public suffix list */
    {"domain", {"http://www.example.com/"}, "http://cdn.example.com/", SCOPE_IN},
    {"domain", {"http://www.example.com/"}, "https://example.com:8443/", SCOPE_IN},
    {"domain", {"http://www.example.com/"}, "http://example.org/", SCOPE_OUT_DOMAIN},
    {"domain", {"http://www.example.com/"}, "http://notexample.com/", SCOPE_OUT_DOMAIN},
    {"domain", {"http://a.example.co.uk/"}, "http://b.example.co.uk/", SCOPE_IN},
    {"domain", {"http://a.example.co.uk/"}, "http://example.co.uk/", SCOPE_IN},
    {"domain", {"http://example.co.uk/"}, "http://other.co.uk/", SCOPE_OUT_DOMAIN},
    {"domain", {"http://example.co.uk/"}, "http://co.uk/", SCOPE_OUT_DOMAIN},
    {"domain", {"http://a.github.io/"}, "http://b.github.io/", SCOPE_OUT_DOMAIN},
    {"domain", {"http://a.github.io/"}, "http://x.a.github.io/", SCOPE_IN},
    {"domain", {"http://a.github.io/"}, "http://github.io/", SCOPE_OUT_DOMAIN},
    {"domain", {"http://example.com./"}, "http://www.example.com/", SCOPE_IN},
    /* domain: IPs and localhost fall back to host + port */
    {"domain", {"http://127.0.0.1:8080/"}, "http://127.0.0.1:8080/x", SCOPE_IN},
    {"domain", {"http://127.0.0.1:8080/"}, "http://127.0.0.1:9090/x", SCOPE_OUT_DOMAIN},
    {"domain", {"http://127.0.0.1:8080/"}, "http://10.0.0.1:8080/x", SCOPE_OUT_DOMAIN},
    {"domain", {"http://10.0.0.1/"}, "http://1.0.0.1/", SCOPE_OUT_DOMAIN}, /* psl: "0.1" */
    {"domain", {"http://localhost:3000/"}, "http://localhost:3000/a", SCOPE_IN},
    {"domain", {"http://localhost:3000/"}, "http://localhost:3001/a", SCOPE_OUT_DOMAIN},
    {"domain", {"http://localhost:3000/"}, "http://a.localhost:3000/", SCOPE_OUT_DOMAIN},
    {"domain", {"http://[::1]:80/"}, "http://[::1]/", SCOPE_IN},
    {"domain", {"http://example.com/"}, "http://127.0.0.1/", SCOPE_OUT_DOMAIN},
    {"domain", {"http://github.io/"}, "http://github.io/x", SCOPE_IN},
    {"domain", {"http://github.io/"}, "http://a.github.io/", SCOPE_OUT_DOMAIN},
    /* prefix: the seed up to and including its path's last '/' */
    {"prefix", {"http://a.test/b/c.html"}, "http://a.test/b/", SCOPE_IN},
    {"prefix", {"http://a.test/b/c.html"}, "http://a.test/b/d/e.html", SCOPE_IN},
    {"prefix", {"http://a.test/b/c.html"}, "https://a.test/b/x", SCOPE_IN},
    {"prefix", {"http://a.test/b/c.html"}, "http://a.test/bc", SCOPE_OUT_PREFIX},
    {"prefix", {"http://a.test/b/c.html"}, "http://a.test/", SCOPE_OUT_PREFIX},
    {"prefix", {"http://a.test/b/c.html"}, "http://a.test/B/c.html", SCOPE_OUT_PREFIX},
    {"prefix", {"http://a.test/b/"}, "http://a.test/b/c?q=1", SCOPE_IN},
    {"prefix", {"http://a.test/b/"}, "http://a.test/b", SCOPE_OUT_PREFIX},
    {"prefix", {"http://a.test/b"}, "http://a.test/zzz", SCOPE_IN},
    {"prefix", {"http://a.test/b/?x=/c/d/"}, "http://a.test/b/q", SCOPE_IN},
    {"prefix", {"http://a.test/b/"}, "http://b.test/b/", SCOPE_OUT_PREFIX},
    {"prefix", {"http://a.test:81/b/"}, "http://a.test:82/b/", SCOPE_OUT_PREFIX},
    {"prefix", {"http://a.test/b/"}, "http://a.test.evil/b/", SCOPE_OUT_PREFIX},
    {"prefix", {"http://a.test/b/", "http://a.test/c/"}, "http://a.test/c/1", SCOPE_IN},
    /* regex: unanchored POSIX ERE on the normalised URL */
    {"regex:/docs/", {NULL}, "http://x.test/docs/a", SCOPE_IN},
    {"regex:/docs/", {NULL}, "http://x.test/blog/a", SCOPE_OUT_REGEX},
    {"regex:^https://x\\.test/(a|b)/[0-9]+$", {NULL}, "https://x.test/b/42", SCOPE_IN},
    {"regex:^https://x\\.test/(a|b)/[0-9]+$", {NULL}, "https://x.test/c/42", SCOPE_OUT_REGEX},
    {"regex:^https://x\\.test/(a|b)/[0-9]+$", {NULL}, "https://x.test/b/42x", SCOPE_OUT_REGEX},
    {"regex:.*", {"http://seed.test/"}, "ftp://x.test/", SCOPE_BAD_URL},
};
#define N_KCASES (sizeof KCASES / sizeof KCASES[0])

static size_t nseeds_of(const kcase *c)
{
    size_t n = 0;
    while (n < MAXSEEDS && c->seeds[n])
        n++;
    return n;
}

START_TEST(test_kind_table)
{
    const kcase *c = &KCASES[_i];
    char err[256] = "";
    scope *s = scope_new(c->spec, c->seeds, nseeds_of(c), NULL, err, sizeof err);
    ck_assert_msg(s != NULL, "row %d: %s", _i, err);
    scope_verdict v = scope_check(s, c->url, 0);
    ck_assert_msg(v == c->want, "row %d: %s %s: got %s, want %s", _i, c->spec ? c->spec : "(null)",
                  c->url, scope_verdict_str(v), scope_verdict_str(c->want));
    scope_free(s);
}
END_TEST

static scope *mk(const char *spec, const char *seed, const scope_opts *o)
{
    char err[256] = "";
    const char *seeds[] = {seed};
    scope *s = scope_new(spec, seeds, seed ? 1 : 0, o, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    return s;
}

static void expect_err(const char *spec, const char *const *seeds, size_t n, const char *want)
{
    char err[256] = "";
    size_t live = alloc_live_bytes();
    scope *s = scope_new(spec, seeds, n, NULL, err, sizeof err);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err, want) != NULL, "err \"%s\" lacks \"%s\"", err, want);
    ck_assert_uint_eq(alloc_live_bytes(), live);
}

/* --- errors --------------------------------------------------------------- */

START_TEST(test_unknown_kind)
{
    const char *seeds[] = {"http://a.test/"};
    expect_err("hots", seeds, 1, "scope: unknown kind \"hots\"");
    expect_err("", seeds, 1, "scope: unknown kind \"\"");
    expect_err("Host", seeds, 1, "unknown kind \"Host\"");
    expect_err("regex", seeds, 1, "unknown kind \"regex\"");
}
END_TEST

START_TEST(test_regex_invalid)
{
    char err[256] = "";
    expect_err("regex:(unclosed", NULL, 0, "scope: regex: ");
    ck_assert_int_eq(scope_spec_check("regex:(unclosed", err, sizeof err), -1);
    /* glibc's regerror text for this pattern */
    ck_assert_msg(strstr(err, "Unmatched (") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "(unclosed") != NULL, "%s", err);
    expect_err("regex:a[", NULL, 0, "scope: regex: Invalid regular expression in \"a[\"");
    expect_err("regex:", NULL, 0, "scope: regex: empty");
}
END_TEST

START_TEST(test_spec_check)
{
    char err[256] = "";
    ck_assert_int_eq(scope_spec_check("host", err, sizeof err), 0);
    ck_assert_int_eq(scope_spec_check("domain", err, sizeof err), 0);
    ck_assert_int_eq(scope_spec_check("prefix", err, sizeof err), 0);
    ck_assert_int_eq(scope_spec_check(NULL, err, sizeof err), 0);
    ck_assert_int_eq(scope_spec_check("regex:^https?://a/", err, sizeof err), 0);
    ck_assert_int_eq(scope_spec_check("domian", err, sizeof err), -1);
    ck_assert_str_eq(err, "scope: unknown kind \"domian\" (want host, domain, prefix or regex:RE)");
    ck_assert_int_eq(scope_spec_check("domian", NULL, 0), -1); /* no buffer: no crash */
}
END_TEST

START_TEST(test_seed_errors)
{
    const char *nohost[] = {"http://:80/"};
    const char *ftp[] = {"ftp://a.test/"};
    const char *rel[] = {"/just/a/path"};
    const char *null[] = {NULL};
    expect_err("host", NULL, 0, "scope: no seed URLs");
    expect_err("prefix", NULL, 0, "scope: no seed URLs");
    expect_err("domain", NULL, 0, "scope: no seed URLs");
    expect_err("host", nohost, 1, "scope: seed \"http://:80/\": no host");
    expect_err("host", ftp, 1, "scope: seed \"ftp://a.test/\": bad scheme");
    expect_err("domain", rel, 1, "scope: seed \"/just/a/path\": malformed");
    expect_err("host", null, 1, "scope: seed \"(null)\"");
    /* regex needs no seeds */
    scope *s = mk("regex:x", NULL, NULL);
    ck_assert_int_eq(scope_get_kind(s), SCOPE_REGEX);
    scope_free(s);
}
END_TEST

START_TEST(test_seeds_are_normalised)
{
    scope *s = mk("prefix", "HTTP://A.Test:80/b/./c/../d.html", NULL);
    ck_assert_int_eq(scope_check(s, "http://a.test/b/x", 0), SCOPE_IN);
    ck_assert_int_eq(scope_check(s, "http://a.test/c/x", 0), SCOPE_OUT_PREFIX);
    scope_free(s);
}
END_TEST

/* --- limits --------------------------------------------------------------- */

START_TEST(test_depth_limit)
{
    scope_opts o;
    scope_opts_init(&o);
    ck_assert_int_eq(o.max_depth, 3);
    scope *s = mk("host", "http://a.test/", &o);
    ck_assert_int_eq(scope_check(s, "http://a.test/x", 0), SCOPE_IN);
    ck_assert_int_eq(scope_check(s, "http://a.test/x", 3), SCOPE_IN);
    ck_assert_int_eq(scope_check(s, "http://a.test/x", 4), SCOPE_TOO_DEEP);
    /* out of scope wins over too deep */
    ck_assert_int_eq(scope_check(s, "http://b.test/x", 4), SCOPE_OUT_HOST);
    scope_free(s);
    o.max_depth = 0;
    s = mk("host", "http://a.test/", &o);
    ck_assert_int_eq(scope_check(s, "http://a.test/", 0), SCOPE_IN);
    ck_assert_int_eq(scope_check(s, "http://a.test/x", 1), SCOPE_TOO_DEEP);
    scope_free(s);
    o.max_depth = -1;
    s = mk("host", "http://a.test/", &o);
    ck_assert_int_eq(scope_check(s, "http://a.test/x", 1000000), SCOPE_IN);
    scope_free(s);
}
END_TEST

START_TEST(test_url_length_limit)
{
    scope_opts o;
    scope_opts_init(&o);
    ck_assert_uint_eq(o.max_url_len, 2048);
    scope *s = mk("host", "http://a.test/", &o);
    char url[4096];
    size_t head = strlen("http://a.test/");
    memcpy(url, "http://a.test/", head);
    memset(url + head, 'x', 2048 - head);
    url[2048] = '\0';
    ck_assert_int_eq(scope_check(s, url, 0), SCOPE_IN);
    url[2048] = 'x';
    url[2049] = '\0';
    ck_assert_int_eq(scope_check(s, url, 0), SCOPE_TOO_LONG);
    /* too long is decided before the host is even read */
    memcpy(url, "http://b.test/", head);
    ck_assert_int_eq(scope_check(s, url, 99), SCOPE_TOO_LONG);
    scope_free(s);
    o.max_url_len = 0;
    s = mk("host", "http://a.test/", &o);
    memcpy(url, "http://a.test/", head);
    ck_assert_int_eq(scope_check(s, url, 0), SCOPE_IN);
    scope_free(s);
}
END_TEST

START_TEST(test_max_pages)
{
    scope_opts o;
    scope_opts_init(&o);
    o.max_pages = 3;
    scope *s = mk("host", "http://a.test/", &o);
    ck_assert_int_eq(scope_admit(s, "http://b.test/", 0), SCOPE_OUT_HOST);
    ck_assert_int_eq(scope_admit(s, "http://a.test/1", 0), SCOPE_IN);
    ck_assert_int_eq(scope_admit(s, "http://a.test/2", 1), SCOPE_IN);
    ck_assert_int_eq(scope_admit(s, "http://a.test/x", 9), SCOPE_TOO_DEEP); /* not counted */
    ck_assert_uint_eq(scope_pages_admitted(s), 2);
    ck_assert_int_eq(scope_admit(s, "http://a.test/3", 1), SCOPE_IN);
    ck_assert_int_eq(scope_admit(s, "http://a.test/4", 1), SCOPE_MAX_PAGES);
    ck_assert_uint_eq(scope_pages_admitted(s), 3);
    ck_assert_str_eq(scope_verdict_str(SCOPE_MAX_PAGES), "max_pages");
    scope_free(s);
}
END_TEST

/* --- URL filters (--exclude / --include) ------------------------------------ */

START_TEST(test_filters)
{
    scope *s = mk("host", "http://a.test/", NULL);
    char err[320];
    /* No pattern: the kind alone decides. */
    ck_assert_int_eq(scope_check(s, "http://a.test/x.pdf", 1), SCOPE_IN);
    ck_assert_int_eq(scope_add_filter(s, 0, "\\.pdf$", err, sizeof(err)), 0);
    ck_assert_int_eq(scope_add_filter(s, 0, "[?&]sort=", err, sizeof(err)), 0);
    ck_assert_int_eq(scope_check(s, "http://a.test/x.pdf", 1), SCOPE_EXCLUDED);
    ck_assert_int_eq(scope_check(s, "http://a.test/x.pdf?v=1", 1), SCOPE_IN); /* $ anchors */
    ck_assert_int_eq(scope_check(s, "http://a.test/l?a=1&sort=d", 1), SCOPE_EXCLUDED);
    ck_assert_int_eq(scope_check(s, "http://a.test/docs/a.html", 1), SCOPE_IN);
    /* The kind is asked first: another host is out as such. */
    ck_assert_int_eq(scope_check(s, "http://b.test/x.pdf", 1), SCOPE_OUT_HOST);
    /* Includes: at least one must match; an exclude still wins. */
    ck_assert_int_eq(scope_add_filter(s, 1, "^http://a\\.test/docs/", err, sizeof(err)), 0);
    ck_assert_int_eq(scope_add_filter(s, 1, "/api/", err, sizeof(err)), 0);
    ck_assert_int_eq(scope_check(s, "http://a.test/docs/a.html", 1), SCOPE_IN);
    ck_assert_int_eq(scope_check(s, "http://a.test/v1/api/x", 1), SCOPE_IN);
    ck_assert_int_eq(scope_check(s, "http://a.test/blog/", 1), SCOPE_NOT_INCLUDED);
    ck_assert_int_eq(scope_check(s, "http://a.test/docs/a.pdf", 1), SCOPE_EXCLUDED);
    /* Matched against the normal form the frontier holds. */
    ck_assert_int_eq(scope_check(s, "http://a.test/docs/a.pdf", 9), SCOPE_EXCLUDED);
    ck_assert_int_eq(scope_check(s, "http://a.test/docs/a", 9), SCOPE_TOO_DEEP);
    ck_assert_str_eq(scope_verdict_str(SCOPE_EXCLUDED), "excluded");
    ck_assert_str_eq(scope_verdict_str(SCOPE_NOT_INCLUDED), "not_included");

    /* A bad pattern: regcomp's words, nothing added. */
    ck_assert_int_eq(scope_add_filter(s, 0, "a(b", err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "regex: ") && strstr(err, "\"a(b\""), "%s", err);
    ck_assert_int_eq(scope_filter_check("a(b", err, sizeof(err)), -1);
    ck_assert_int_eq(scope_filter_check("", err, sizeof(err)), -1);
    ck_assert_int_eq(scope_filter_check("ok|fine", err, sizeof(err)), 0);
    char big[SCOPE_MAX_FILTER_LEN + 2];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ck_assert_int_eq(scope_filter_check(big, err, sizeof(err)), -1);
    big[SCOPE_MAX_FILTER_LEN] = '\0';
    ck_assert_int_eq(scope_filter_check(big, err, sizeof(err)), 0);
    ck_assert_int_eq(scope_check(s, "http://a.test/docs/x", 1), SCOPE_IN);
    /* At most SCOPE_MAX_FILTERS of each kind. */
    for (int i = 2; i < SCOPE_MAX_FILTERS; i++)
        ck_assert_int_eq(scope_add_filter(s, 0, "zzz", err, sizeof(err)), 0);
    ck_assert_int_eq(scope_add_filter(s, 0, "zzz", err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "at most 32") != NULL, "%s", err);
    scope_free(s); /* every compiled pattern freed (the debug build checks) */
}
END_TEST

/* --- traps ---------------------------------------------------------------- */

START_TEST(test_trap_repeated_segments)
{
    scope_opts o;
    scope_opts_init(&o);
    scope *s = mk("host", "http://a.test/", &o);
    ck_assert_int_eq(scope_check(s, "http://a.test/a/b/a/b/a/b", 0), SCOPE_IN); /* 3 times */
    ck_assert_int_eq(scope_check(s, "http://a.test/a/b/a/b/a/b/a/b", 0), SCOPE_TRAP);
    ck_assert_int_eq(scope_check(s, "http://a.test/a/b/a/b/a/b/a/", 0), SCOPE_TRAP);
    ck_assert_int_eq(scope_check(s, "http://a.test/x/x/x/x.html", 0), SCOPE_IN);
    ck_assert_int_eq(scope_check(s, "http://a.test/x/x/x/x", 0), SCOPE_TRAP);
    ck_assert_int_eq(scope_check(s, "http://a.test/x/x/x/", 0), SCOPE_IN);    /* trailing '/' */
    ck_assert_int_eq(scope_check(s, "http://a.test/a////b", 0), SCOPE_IN);    /* 3 empty */
    ck_assert_int_eq(scope_check(s, "http://a.test/a/////b", 0), SCOPE_TRAP); /* 4 empty */
    ck_assert_int_eq(scope_check(s, "http://a.test/2024/01/01/01/", 0), SCOPE_IN);
    /* the query is not the path */
    ck_assert_int_eq(scope_check(s, "http://a.test/p?x=/a/a/a/a/a", 0), SCOPE_IN);
    ck_assert_str_eq(scope_verdict_str(SCOPE_TRAP), "trap");
    scope_free(s);
    o.max_repeat_segments = 0;
    s = mk("host", "http://a.test/", &o);
    ck_assert_int_eq(scope_check(s, "http://a.test/a/b/a/b/a/b/a/b", 0), SCOPE_IN);
    scope_free(s);
}
END_TEST

static void deep_path(char *buf, size_t cap, int nseg)
{
    int n = snprintf(buf, cap, "http://a.test");
    for (int i = 0; i < nseg; i++)
        n += snprintf(buf + n, cap - (size_t)n, "/s%d", i);
}

START_TEST(test_trap_too_many_segments)
{
    scope_opts o;
    scope_opts_init(&o);
    scope *s = mk("host", "http://a.test/", &o);
    char url[2048];
    deep_path(url, sizeof url, 64);
    ck_assert_int_eq(scope_check(s, url, 0), SCOPE_IN);
    strcat(url, "/"); /* a trailing '/' adds no segment */
    ck_assert_int_eq(scope_check(s, url, 0), SCOPE_IN);
    strcat(url, "x");
    ck_assert_int_eq(scope_check(s, url, 0), SCOPE_TRAP);
    deep_path(url, sizeof url, 65);
    ck_assert_int_eq(scope_check(s, url, 0), SCOPE_TRAP);
    scope_free(s);
    o.max_path_segments = 0;
    s = mk("host", "http://a.test/", &o);
    ck_assert_int_eq(scope_check(s, url, 0), SCOPE_IN);
    scope_free(s);
}
END_TEST

START_TEST(test_trap_query)
{
    scope_opts o;
    scope_opts_init(&o);
    scope *s = mk("host", "http://a.test/", &o);
    char url[4096];
    int n = snprintf(url, sizeof url, "http://a.test/p?p0=0");
    for (int i = 1; i < 32; i++)
        n += snprintf(url + n, sizeof url - (size_t)n, "&p%d=%d", i, i);
    ck_assert_int_eq(scope_check(s, url, 0), SCOPE_IN); /* 32 parameters */
    snprintf(url + n, sizeof url - (size_t)n, "&p32=32");
    ck_assert_int_eq(scope_check(s, url, 0), SCOPE_TRAP); /* 33 */
    /* 1024 bytes of query are in, 1025 are a trap */
    n = snprintf(url, sizeof url, "http://a.test/p?q=");
    memset(url + n, 'v', 1024 - 2);
    url[n + 1022] = '\0';
    ck_assert_int_eq(scope_check(s, url, 0), SCOPE_IN);
    url[n + 1022] = 'v';
    url[n + 1023] = '\0';
    ck_assert_int_eq(scope_check(s, url, 0), SCOPE_TRAP);
    scope_free(s);
    o.max_query_len = 0;
    o.max_query_params = 0;
    s = mk("host", "http://a.test/", &o);
    ck_assert_int_eq(scope_check(s, url, 0), SCOPE_IN);
    scope_free(s);
}
END_TEST

START_TEST(test_trap_query_variants)
{
    scope_opts o;
    scope_opts_init(&o);
    ck_assert_uint_eq(o.max_query_variants, 1000);
    scope *s = mk("host", "http://a.test/", &o);
    char url[128];
    for (int i = 1; i <= 1000; i++) {
        snprintf(url, sizeof url, "http://a.test/cal?page=%d", i);
        ck_assert_int_eq(scope_note_path(s, url), SCOPE_IN);
    }
    ck_assert_int_eq(scope_note_path(s, "http://a.test/cal?page=1001"), SCOPE_TRAP);
    ck_assert_int_eq(scope_note_path(s, "http://a.test/cal"), SCOPE_TRAP); /* same path */
    ck_assert_int_eq(scope_admit(s, "http://a.test/cal?page=1002", 1), SCOPE_TRAP);
    /* other paths, and the other scheme, have their own counters */
    ck_assert_int_eq(scope_note_path(s, "http://a.test/cal/?page=1"), SCOPE_IN);
    ck_assert_int_eq(scope_note_path(s, "http://a.test/other?page=1"), SCOPE_IN);
    ck_assert_int_eq(scope_note_path(s, "https://a.test/cal?page=1"), SCOPE_IN);
    ck_assert_int_eq(scope_note_path(s, "http://a.test:81/cal?page=1"), SCOPE_IN);
    ck_assert_int_eq(scope_note_path(s, "not a url"), SCOPE_BAD_URL);
    /* scope_check alone stays stateless */
    ck_assert_int_eq(scope_check(s, "http://a.test/cal?page=5000", 0), SCOPE_IN);
    scope_free(s);
}
END_TEST

START_TEST(test_variant_table_cap)
{
    scope_opts o;
    scope_opts_init(&o);
    o.max_query_variants = 2;
    o.max_tracked_paths = 3000; /* the table has to grow past its first size */
    size_t live = alloc_live_bytes();
    scope *s = mk("host", "http://a.test/", &o);
    char url[128];
    for (int i = 0; i < 3000; i++) {
        snprintf(url, sizeof url, "http://a.test/p%d?v=1", i);
        ck_assert_int_eq(scope_note_path(s, url), SCOPE_IN);
        snprintf(url, sizeof url, "http://a.test/p%d?v=2", i);
        ck_assert_int_eq(scope_note_path(s, url), SCOPE_IN);
    }
    /* every tracked path kept its count through the growth */
    for (int i = 0; i < 3000; i += 7) {
        snprintf(url, sizeof url, "http://a.test/p%d?v=3", i);
        ck_assert_int_eq(scope_note_path(s, url), SCOPE_TRAP);
    }
    /* the table is full: new paths go uncounted, memory stops growing */
    size_t full = alloc_live_bytes();
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(scope_note_path(s, "http://a.test/new?v=1"), SCOPE_IN);
    ck_assert_uint_eq(alloc_live_bytes(), full);
    ck_assert_uint_le(full - live, 1024 + 8192 * 16); /* at most 2 slots a path, pow2 */
    /* forgotten (an ended job): the table's memory goes back, counting
     * starts again from nothing */
    scope_forget_paths(s);
    ck_assert_uint_le(alloc_live_bytes() - live, 1024);
    ck_assert_int_eq(scope_note_path(s, "http://a.test/p7?v=3"), SCOPE_IN);
    ck_assert_int_eq(scope_note_path(s, "http://a.test/p7?v=4"), SCOPE_IN);
    ck_assert_int_eq(scope_note_path(s, "http://a.test/p7?v=5"), SCOPE_TRAP);
    scope_free(s);
    ck_assert_uint_eq(alloc_live_bytes(), live);
}
END_TEST

START_TEST(test_variants_off)
{
    scope_opts o;
    scope_opts_init(&o);
    o.max_query_variants = 0;
    size_t live = alloc_live_bytes();
    scope *s = mk("host", "http://a.test/", &o);
    size_t after_new = alloc_live_bytes();
    for (int i = 0; i < 2000; i++)
        ck_assert_int_eq(scope_note_path(s, "http://a.test/p?x"), SCOPE_IN);
    ck_assert_uint_eq(alloc_live_bytes(), after_new); /* nothing tracked */
    scope_free(s);
    ck_assert_uint_eq(alloc_live_bytes(), live);
}
END_TEST

/* --- strings and memory --------------------------------------------------- */

START_TEST(test_verdict_strings)
{
    ck_assert_str_eq(scope_verdict_str(SCOPE_IN), "in");
    ck_assert_str_eq(scope_verdict_str(SCOPE_OUT_HOST), "out_of_scope:host");
    ck_assert_str_eq(scope_verdict_str(SCOPE_OUT_DOMAIN), "out_of_scope:domain");
    ck_assert_str_eq(scope_verdict_str(SCOPE_OUT_PREFIX), "out_of_scope:prefix");
    ck_assert_str_eq(scope_verdict_str(SCOPE_OUT_REGEX), "out_of_scope:regex");
    ck_assert_str_eq(scope_verdict_str(SCOPE_TOO_DEEP), "too_deep");
    ck_assert_str_eq(scope_verdict_str(SCOPE_TOO_LONG), "too_long");
    ck_assert_str_eq(scope_verdict_str(SCOPE_BAD_URL), "bad_url");
    ck_assert_str_eq(scope_verdict_str((scope_verdict)99), "unknown");
    ck_assert_int_eq(scope_check(NULL, "http://a/", 0), SCOPE_BAD_URL);
    scope_free(NULL);
}
END_TEST

static const char *const MEM_SPECS[] = {"host", "domain", "prefix", "regex:^https?://a\\.test/"};
#define N_MEM_SPECS (sizeof MEM_SPECS / sizeof MEM_SPECS[0])

START_TEST(test_memory_back_to_baseline)
{
    const char *seeds[] = {"http://www.example.co.uk/a/b.html", "http://127.0.0.1:8080/x/",
                           "https://a.test/"};
    size_t live = alloc_live_bytes();
    char err[256] = "";
    scope *s = scope_new(MEM_SPECS[_i], seeds, 3, NULL, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    ck_assert_uint_gt(alloc_live_bytes(), live);
    for (int i = 0; i < 50; i++) {
        char url[64];
        snprintf(url, sizeof url, "https://a.test/q?i=%d", i);
        (void)scope_admit(s, url, 1);
        (void)scope_check(s, "http://shop.example.co.uk/", 1);
    }
    scope_free(s);
    ck_assert_uint_eq(alloc_live_bytes(), live);
}
END_TEST

START_TEST(test_alloc_failure)
{
    const char *seeds[] = {"http://www.example.co.uk/a/b.html", "http://127.0.0.1:8080/x/"};
    size_t live = alloc_live_bytes();
    int failures = 0;
    for (long n = 1; n < 200; n++) {
        char err[256] = "";
        alloc_fail_after(n);
        scope *s = scope_new(MEM_SPECS[_i], seeds, 2, NULL, err, sizeof err);
        alloc_fail_reset();
        if (s) {
            scope_free(s);
            ck_assert_uint_eq(alloc_live_bytes(), live);
            ck_assert_int_gt(failures, 0);
            return;
        }
        failures++;
        ck_assert_msg(strncmp(err, "scope: ", 7) == 0, "n=%ld: \"%s\"", n, err);
        ck_assert_uint_eq(alloc_live_bytes(), live);
    }
    ck_abort_msg("scope_new never succeeded");
}
END_TEST

START_TEST(test_alloc_failure_first_is_nomem)
{
    const char *seeds[] = {"http://a.test/"};
    char err[256] = "";
    size_t live = alloc_live_bytes();
    alloc_fail_after(1);
    scope *s = scope_new("host", seeds, 1, NULL, err, sizeof err);
    alloc_fail_reset();
    ck_assert_ptr_null(s);
    ck_assert_str_eq(err, "scope: out of memory");
    ck_assert_uint_eq(alloc_live_bytes(), live);
}
END_TEST

START_TEST(test_note_path_alloc_failure)
{
    size_t live = alloc_live_bytes();
    scope *s = mk("host", "http://a.test/", NULL);
    alloc_fail_after(1);
    /* the table cannot be made: the path goes uncounted, no crash, no leak */
    ck_assert_int_eq(scope_note_path(s, "http://a.test/p?x=1"), SCOPE_IN);
    ck_assert_int_eq(scope_admit(s, "http://a.test/p?x=2", 0), SCOPE_IN);
    alloc_fail_reset();
    ck_assert_int_eq(scope_note_path(s, "http://a.test/p?x=3"), SCOPE_IN);
    scope_free(s);
    ck_assert_uint_eq(alloc_live_bytes(), live);
}
END_TEST

static Suite *scope_suite(void)
{
    Suite *s = suite_create("scope");
    TCase *tc = tcase_create("kinds");
    tcase_add_loop_test(tc, test_kind_table, 0, (int)N_KCASES);
    tcase_add_test(tc, test_seeds_are_normalised);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_test(tc, test_unknown_kind);
    tcase_add_test(tc, test_regex_invalid);
    tcase_add_test(tc, test_spec_check);
    tcase_add_test(tc, test_seed_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_test(tc, test_depth_limit);
    tcase_add_test(tc, test_url_length_limit);
    tcase_add_test(tc, test_max_pages);
    suite_add_tcase(s, tc);

    tc = tcase_create("traps");
    tcase_add_test(tc, test_trap_repeated_segments);
    tcase_add_test(tc, test_trap_too_many_segments);
    tcase_add_test(tc, test_trap_query);
    tcase_add_test(tc, test_trap_query_variants);
    tcase_add_test(tc, test_variant_table_cap);
    tcase_add_test(tc, test_variants_off);
    suite_add_tcase(s, tc);

    tc = tcase_create("memory");
    tcase_add_test(tc, test_verdict_strings);
    tcase_add_test(tc, test_filters);
    tcase_add_loop_test(tc, test_memory_back_to_baseline, 0, (int)N_MEM_SPECS);
    tcase_add_loop_test(tc, test_alloc_failure, 0, (int)N_MEM_SPECS);
    tcase_add_test(tc, test_alloc_failure_first_is_nomem);
    tcase_add_test(tc, test_note_path_alloc_failure);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(scope_suite()); }
