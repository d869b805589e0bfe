/* test_url — url_resolve / url_normalize / url_host against exact strings.
 *
 * Table-driven: every row runs as its own loop test, so a failure names the
 * row's input. Rows marked "curl alone" pin down where libcurl 7.88's URL
 * API differs from the normal form, so a curl upgrade that changes it shows. */
#include <check.h>

#include "testutil.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "arena.h"
#include "url.h"

#define RFC "http://a/b/c/d;p?q" /* RFC 3986 5.4's base */

typedef struct rcase {
    const char *base; /* NULL: url_normalize */
    const char *ref;
    url_err err;
    const char *want; /* expected normal form when err == URL_OK */
} rcase;

static const rcase CASES[] = {
    /* RFC 3986 5.4.1 normal examples */
    {RFC, "g", URL_OK, "http://a/b/c/g"},
    {RFC, "./g", URL_OK, "http://a/b/c/g"},
    {RFC, "g/", URL_OK, "http://a/b/c/g/"},
    {RFC, "/g", URL_OK, "http://a/g"},
    {RFC, "//g", URL_OK, "http://g/"},
    {RFC, "?y", URL_OK, "http://a/b/c/d;p?y"},
    {RFC, "g?y", URL_OK, "http://a/b/c/g?y"},
    {RFC, "g#s", URL_OK, "http://a/b/c/g"},
    {RFC, ";x", URL_OK, "http://a/b/c/;x"},
    {RFC, "g;x?y#s", URL_OK, "http://a/b/c/g;x?y"},
    {RFC, ".", URL_OK, "http://a/b/c/"},
    {RFC, "./", URL_OK, "http://a/b/c/"},
    /* A dot segment before a query (curl 7.88 drops the slash: ".../c?y") */
    {RFC, ".?y", URL_OK, "http://a/b/c/?y"},
    {RFC, "./?page=2", URL_OK, "http://a/b/c/?page=2"},
    {RFC, "..?y", URL_OK, "http://a/b/?y"},
    {RFC, "g/..?y", URL_OK, "http://a/b/c/?y"},
    {RFC, "../?y", URL_OK, "http://a/b/?y"},
    {RFC, "..", URL_OK, "http://a/b/"},
    {RFC, "../", URL_OK, "http://a/b/"},
    {RFC, "../g", URL_OK, "http://a/b/g"},
    {RFC, "../..", URL_OK, "http://a/"},
    {RFC, "../../g", URL_OK, "http://a/g"},
    /* RFC 3986 5.4.2 abnormal examples: dot segments beyond the root */
    {RFC, "../../../g", URL_OK, "http://a/g"},
    {RFC, "../../../../g", URL_OK, "http://a/g"},
    {RFC, "/./g", URL_OK, "http://a/g"},
    {RFC, "/../g", URL_OK, "http://a/g"},
    {RFC, "g.", URL_OK, "http://a/b/c/g."},
    {RFC, ".g", URL_OK, "http://a/b/c/.g"},
    {RFC, "g..", URL_OK, "http://a/b/c/g.."},
    {RFC, "..g", URL_OK, "http://a/b/c/..g"},
    {RFC, "./../g", URL_OK, "http://a/b/g"},
    {RFC, "./g/.", URL_OK, "http://a/b/c/g/"},
    {RFC, "g/./h", URL_OK, "http://a/b/c/g/h"},
    {RFC, "g/../h", URL_OK, "http://a/b/c/h"},
    {RFC, "g;x=1/./y", URL_OK, "http://a/b/c/g;x=1/y"},
    {RFC, "g;x=1/../y", URL_OK, "http://a/b/c/y"},
    {RFC, "g?y/./x", URL_OK, "http://a/b/c/g?y/./x"}, /* the query is not a path */
    {RFC, "g?y/../x", URL_OK, "http://a/b/c/g?y/../x"},
    {RFC, "g#s/../x", URL_OK, "http://a/b/c/g"},
    {NULL, "http://h/a/b/../../../../x", URL_OK, "http://h/x"},
    {NULL, "http://h/a/./b/.", URL_OK, "http://h/a/b/"},
    {NULL, "http://h//a//b", URL_OK, "http://h//a//b"}, /* empty segments kept */
    /* WHATWG: "http:" without two slashes */
    {RFC, "http:g", URL_OK, "http://a/b/c/g"}, /* same scheme: relative */
    {RFC, "HTTP:/g", URL_OK, "http://a/g"},
    {RFC, "http:", URL_OK, "http://a/b/c/d;p?q"}, /* curl alone gives http://a/b/c/ */
    {RFC, "https:g", URL_OK, "https://g/"},       /* other scheme: authority */
    {NULL, "http:g", URL_OK, "http://g/"},
    {NULL, "http:////x/y", URL_OK, "http://x/y"}, /* curl alone: BAD_SLASHES */
    /* base: file vs directory, query, fragment, userinfo */
    {"http://h/dir/file.html", "x.html", URL_OK, "http://h/dir/x.html"},
    {"http://h/dir/", "x.html", URL_OK, "http://h/dir/x.html"},
    {"http://h/dir", "x.html", URL_OK, "http://h/x.html"},
    {"http://h/dir/file.html", "../up.html", URL_OK, "http://h/up.html"},
    {"http://h/p?a=1", "?b=2", URL_OK, "http://h/p?b=2"},
    {"http://h/p?a=1", "q", URL_OK, "http://h/q"},
    {"http://h/p?a=1", "?", URL_OK, "http://h/p"},
    {"http://h/d/p?a=1#f", ".", URL_OK, "http://h/d/"},
    {"http://h", "p", URL_OK, "http://h/p"},
    {"http://u:pw@h/d/p", "q", URL_OK, "http://u:pw@h/d/q"},
    {"http://u:pw@h/d/p", "//o/q", URL_OK, "http://o/q"},
    {"HTTP://H/%7eA/", "b", URL_OK, "http://h/~A/b"}, /* base is normalised too */
    /* protocol-relative */
    {"https://h/x", "//o.example/p?q", URL_OK, "https://o.example/p?q"},
    {"http://h/x", "//o.example", URL_OK, "http://o.example/"},
    {"http://h/x", "///o/p", URL_OK, "http://o/p"}, /* WHATWG skips extra slashes */
    {NULL, "//o.example/p", URL_MALFORMED, NULL},
    {"http://h/x", "//", URL_NO_HOST, NULL},
    /* case, ports, empty path, fragment, query */
    {NULL, "HTTP://WWW.Example.COM/Path/File?Q=A", URL_OK, "http://www.example.com/Path/File?Q=A"},
    {NULL, "HtTpS://EXAMPLE.com", URL_OK, "https://example.com/"},
    {NULL, "http://h:80/x", URL_OK, "http://h/x"},
    {NULL, "https://h:443/x", URL_OK, "https://h/x"},
    {NULL, "https://h:80/x", URL_OK, "https://h:80/x"},
    {NULL, "http://h:443/x", URL_OK, "http://h:443/x"},
    {NULL, "http://h:8080/x", URL_OK, "http://h:8080/x"},
    {NULL, "http://h:0080/", URL_OK, "http://h/"}, /* curl drops leading zeros */
    {NULL, "http://h:0/", URL_OK, "http://h:0/"},
    {NULL, "http://h:65535/", URL_OK, "http://h:65535/"},
    {NULL, "http://h:/x", URL_OK, "http://h/x"},
    {NULL, "http://h:65536/", URL_MALFORMED, NULL},
    {NULL, "http://h:-1/", URL_MALFORMED, NULL},
    {NULL, "http://h:8o/", URL_MALFORMED, NULL},
    {NULL, "http://h", URL_OK, "http://h/"},
    {NULL, "http://h?x=1", URL_OK, "http://h/?x=1"},
    {NULL, "http://h/p#frag", URL_OK, "http://h/p"},
    {NULL, "http://h/p?q=1#frag#more", URL_OK, "http://h/p?q=1"},
    {NULL, "http://h/p?", URL_OK, "http://h/p"},
    {NULL, "http://h/p?#f", URL_OK, "http://h/p"},
    {NULL, "http://h/p?a?b&c=d+e", URL_OK, "http://h/p?a?b&c=d+e"},
    /* percent-encoding: decode unreserved, uppercase the rest */
    {NULL, "http://h/%7euser/%41%62%2D%2e%5f", URL_OK, "http://h/~user/Ab-._"},
    {NULL, "http://h/a%2fb%3a%3B%20", URL_OK, "http://h/a%2Fb%3A%3B%20"},
    {NULL, "http://h/?q=%7e%2b%3d%26%41", URL_OK, "http://h/?q=~%2B%3D%26A"},
    {NULL, "http://h/%c3%a9", URL_OK, "http://h/%C3%A9"},
    {NULL, "http://h/100%", URL_OK, "http://h/100%25"},
    {NULL, "http://h/a%3fb%23c%00?x=%26%3d%23", URL_OK, "http://h/a%3Fb%23c%00?x=%26%3D%23"},
    {NULL, "http://h/%zz%4?%g1", URL_OK, "http://h/%25zz%254?%25g1"},
    {NULL, "http://h/a/%2e%2e/b", URL_OK, "http://h/b"}, /* curl alone keeps %2e%2e */
    {NULL, "http://h/a/%2E/b/.%2e", URL_OK, "http://h/a/"},
    {"http://h/a/b/", "%2e%2e/x", URL_OK, "http://h/a/x"},
    /* percent-encoding: what gets encoded */
    {NULL, "http://h/a b?c d", URL_OK, "http://h/a%20b?c%20d"},
    {"http://h/", "a b?c d", URL_OK, "http://h/a%20b?c%20d"}, /* curl alone: ?c+d */
    {NULL, "http://h/caf\xc3\xa9?q=\xc3\xbc", URL_OK, "http://h/caf%C3%A9?q=%C3%BC"},
    {"http://h/", "\xe2\x82\xac/x", URL_OK, "http://h/%E2%82%AC/x"},
    {NULL, "http://h/\xff\x80", URL_OK, "http://h/%FF%80"}, /* not UTF-8: still bytes */
    {NULL, "http://h/a\001b\177", URL_OK, "http://h/a%01b%7F"},
    {NULL, "http://h/\"<>`{}|^[]", URL_OK, "http://h/%22%3C%3E%60%7B%7D|^[]"},
    {NULL, "http://h/?\"<>`{}'|", URL_OK, "http://h/?%22%3C%3E`{}%27|"},
    /* backslashes: curl keeps them raw in the path; browsers read '/' */
    {RFC, "\\g\\h", URL_OK, "http://a/g/h"},
    {RFC, "\\\\o\\x", URL_OK, "http://o/x"},
    {NULL, "http:\\\\h\\a\\b", URL_OK, "http://h/a/b"},
    /* Found by fuzzing (tests/fuzz/regressions/url/): a backslash in the
     * base's path (curl keeps it raw) stayed in the result, which the next
     * normalisation read as '/': the result was not a fixed point. */
    {"http://h/a\\b/c", "d", URL_OK, "http://h/a/b/d"},
    {"http://h/a\\..\\b/", "c?x\\y", URL_OK, "http://h/b/c?x\\y"},
    {"http://h/p\\q?r", "?s", URL_OK, "http://h/p/q?s"},
    /* Found by fuzzing: curl reads a numeric IPv4 host before it decodes
     * escapes, so "%351" gave "http://51/", which parses as 0.0.0.51. */
    {NULL, "http:%351", URL_OK, "http://0.0.0.51/"},
    {NULL, "http://%351/x", URL_OK, "http://0.0.0.51/x"},
    {NULL, "http://%30x7f.1/", URL_OK, "http://127.0.0.1/"},
    {NULL, "http://%61bc.de/", URL_OK, "http://abc.de/"},
    /* Found by fuzzing: a '\' in a base's userinfo was kept raw, and the
     * next normalisation read it as '/' (a new authority). */
    {"http://\\:@e", "x", URL_OK, "http://%5C@e/x"},
    {"http://u\\v:p\\q@e/", "x", URL_OK, "http://u%5Cv:p%5Cq@e/x"},
    {"http://h/d/", "a\\b?x\\y", URL_OK, "http://h/d/a/b?x\\y"}, /* not in the query */
    /* whitespace */
    {NULL, "  http://h/x \n", URL_OK, "http://h/x"},
    {"http://h/d/", "\t\r\n x.html\f\v ", URL_OK, "http://h/d/x.html"},
    {NULL, "http://h/a\tb\nc\r", URL_OK, "http://h/abc"},
    {NULL, "ht\ntp://h\t.example/", URL_OK, "http://h.example/"},
    {RFC, "", URL_EMPTY, NULL},
    {RFC, " \t\r\n ", URL_EMPTY, NULL},
    {NULL, "", URL_EMPTY, NULL},
    /* skipped and bad schemes */
    {RFC, "#frag", URL_SKIPPED, NULL},
    {RFC, "#", URL_SKIPPED, NULL},
    {RFC, "  #top", URL_SKIPPED, NULL},
    {RFC, "javascript:void(0)", URL_SKIPPED, NULL},
    {RFC, "JavaScript:alert(1)", URL_SKIPPED, NULL},
    {RFC, "java\tscript:alert(1)", URL_SKIPPED, NULL},
    {RFC, " javascript:x", URL_SKIPPED, NULL},
    {RFC, "mailto:someone@example.com", URL_SKIPPED, NULL},
    {RFC, "tel:+15551234", URL_SKIPPED, NULL},
    {RFC, "data:text/html,<p>hi</p>", URL_SKIPPED, NULL},
    {RFC, "about:blank", URL_SKIPPED, NULL},
    {RFC, "blob:https://h/uuid", URL_SKIPPED, NULL},
    {RFC, "sms:5551234", URL_SKIPPED, NULL},
    {RFC, "callto:someone", URL_SKIPPED, NULL},
    {RFC, "ftp://h/file", URL_BAD_SCHEME, NULL},
    {RFC, "FTP://h/file", URL_BAD_SCHEME, NULL},
    {RFC, "file:///etc/passwd", URL_BAD_SCHEME, NULL},
    {RFC, "gopher://h/", URL_BAD_SCHEME, NULL},
    {RFC, "a:b", URL_BAD_SCHEME, NULL}, /* WHATWG: "a" is a scheme */
    {RFC, "localhost:8080/x", URL_BAD_SCHEME, NULL},
    {RFC, "averyveryverylongscheme:x", URL_BAD_SCHEME, NULL},
    {RFC, "1a:b", URL_OK, "http://a/b/c/1a:b"}, /* a digit starts no scheme */
    {RFC, "./a:b", URL_OK, "http://a/b/c/a:b"},
    {RFC, "x/y:z", URL_OK, "http://a/b/c/x/y:z"},
    {"ftp://h/d/", "x", URL_BAD_SCHEME, NULL},
    {"mailto:a@b", "x", URL_BAD_SCHEME, NULL},
    {"not a url", "x", URL_MALFORMED, NULL},
    {"h/d/", "x", URL_MALFORMED, NULL},
    {NULL, "x/y", URL_MALFORMED, NULL},
    {NULL, "/x/y", URL_MALFORMED, NULL},
    /* hosts */
    {NULL, "http://[::1]:8080/x", URL_OK, "http://[::1]:8080/x"},
    {NULL, "http://[2001:DB8::A]/", URL_OK, "http://[2001:db8::a]/"},
    {NULL, "http://[0:0:0:0:0:0:0:1]/", URL_OK, "http://[::1]/"}, /* curl compresses */
    {NULL, "https://[::1]:443/", URL_OK, "https://[::1]/"},
    {"http://[::1]:81/d/", "x", URL_OK, "http://[::1]:81/d/x"},
    {NULL, "http://[fe80::1%25eth0]/", URL_MALFORMED, NULL}, /* zone id */
    {NULL, "http://[::1/", URL_MALFORMED, NULL},
    {NULL, "http://[1:2:3:4:5:6:7:8:9]/", URL_MALFORMED, NULL},
    {NULL, "http://127.1/", URL_OK, "http://127.0.0.1/"}, /* curl normalises IPv4 */
    {NULL, "http://0x7f.0.0.1/", URL_OK, "http://127.0.0.1/"},
    {NULL, "http://%41bc.example/", URL_OK, "http://abc.example/"}, /* curl decodes */
    /* internationalised hosts: punycode, one spelling per host */
    {NULL, "http://M\303\274nchen.DE/", URL_OK, "http://xn--mnchen-3ya.de/"},
    {NULL, "http://M\303\234NCHEN.de/", URL_OK, "http://xn--mnchen-3ya.de/"}, /* UTS #46 maps */
    {NULL, "http://xn--mnchen-3ya.DE/", URL_OK, "http://xn--mnchen-3ya.de/"},
    {NULL, "http://XN--MNCHEN-3YA.de:8080/a", URL_OK, "http://xn--mnchen-3ya.de:8080/a"},
    {NULL, "http://%C3%A9.example/", URL_OK, "http://xn--9ca.example/"}, /* decoded first */
    {NULL, "http://fa\xc3\x9f.de/", URL_OK, "http://xn--fa-hia.de/"},    /* non-transitional */
    {NULL,
     "https://u@b\xc3\xbc"
     "cher.de:81/x?q=\xc3\xbc",
     URL_OK, "https://u@xn--bcher-kva.de:81/x?q=%C3%BC"},
    {NULL, "http://\xe6\x97\xa5\xe6\x9c\xac.jp/", URL_OK, "http://xn--wgv71a.jp/"},
    {"http://a.test/d/", "//m\xc3\xbcnchen.de/x", URL_OK, "http://xn--mnchen-3ya.de/x"},
    {"http://xn--mnchen-3ya.de/d/", "x", URL_OK, "http://xn--mnchen-3ya.de/d/x"},
    {NULL,
     "http://a\xe2\x80\x8d"
     "b.de/",
     URL_BAD_IDN, NULL}, /* ZWJ out of context */
    {NULL,
     "http://a.\xcc\x80"
     "b.de/",
     URL_BAD_IDN, NULL},                                           /* starts with a mark */
    {NULL, "http://\xc3\xbc.xn--\xc3\xbc.de/", URL_BAD_IDN, NULL}, /* "xn--" + non-ASCII */
    {"http://a.test/", "//\xc3\xbc-.de/", URL_BAD_IDN, NULL},      /* hyphen last */
    /* ASCII names with A-labels are checked too (punycode that decodes to
     * what IDNA allows), and a valid one keeps its form */
    {NULL, "http://xn--zz.com/", URL_BAD_IDN, NULL},   /* not punycode */
    {NULL, "http://www.xn--.com/", URL_BAD_IDN, NULL}, /* empty */
    {NULL, "http://XN--A.com/", URL_BAD_IDN, NULL},    /* decodes to U+0080 */
    {NULL, "http://a.XN--P1AI/", URL_OK, "http://a.xn--p1ai/"},
    {NULL, "http://xn--ls8h.la/", URL_OK, "http://xn--ls8h.la/"}, /* as browsers take it */
    {NULL, "http://axn--b.de/", URL_OK, "http://axn--b.de/"},     /* not at a label's start */
    {NULL, "http://ex.com%2541/", URL_MALFORMED, NULL}, /* decodes to '%': not a fixed point */
    {NULL, "http://ex%00.com/", URL_MALFORMED, NULL},
    {NULL, "http://exa mple.com/", URL_MALFORMED, NULL},
    {NULL, "http://a@b@c/", URL_MALFORMED, NULL},
    {NULL, "http://", URL_NO_HOST, NULL},
    {NULL, "http:", URL_NO_HOST, NULL},
    {NULL, "http://:80/", URL_NO_HOST, NULL},
    {NULL, "http://?x", URL_NO_HOST, NULL},
    {NULL, "http:///p", URL_OK, "http://p/"}, /* WHATWG: "p" is the host */
    /* userinfo: kept as given, empty parts dropped */
    {NULL, "http://User:Pa%2fss@H/", URL_OK, "http://User:Pa%2fss@h/"},
    {NULL, "http://us;er@h/", URL_OK, "http://us;er@h/"},
    {NULL, "http://@h/", URL_OK, "http://h/"},
    {NULL, "http://u:@h/", URL_OK, "http://u@h/"},
    {NULL, "http://:p@h/", URL_OK, "http://:p@h/"},
    {NULL, "https://u:p@h:443/x", URL_OK, "https://u:p@h/x"},
};
#define NCASES ((int)(sizeof CASES / sizeof CASES[0]))

/* Printable copy of s for messages (controls and non-ASCII as \xNN). */
static const char *show(const char *s, char *buf, size_t cap)
{
    if (!s)
        return "(null)";
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 5 < cap; p++) {
        if (*p < 0x20 || *p >= 0x7f)
            n += (size_t)snprintf(buf + n, cap - n, "\\x%02x", *p);
        else
            buf[n++] = (char)*p;
    }
    buf[n] = '\0';
    return buf;
}

START_TEST(resolve_case)
{
    const rcase *c = &CASES[_i];
    char b1[256], b2[256], b3[256], b4[256];
    arena a;
    arena_init(&a, 0);
    char *out = (char *)"untouched";
    url_err e = url_resolve(&a, c->base, c->ref, &out);
    ck_assert_msg(e == c->err && (e != URL_OK ? out == NULL : strcmp(out, c->want) == 0),
                  "case %d: base=\"%s\" ref=\"%s\": got %s \"%s\", want %s \"%s\"", _i,
                  show(c->base, b1, sizeof b1), show(c->ref, b2, sizeof b2), url_err_str(e),
                  show(out, b3, sizeof b3), url_err_str(c->err), show(c->want, b4, sizeof b4));
    arena_release(&a);
}
END_TEST

/* The normal form is a fixed point, with and without a base. */
START_TEST(normal_form_is_fixed_point)
{
    const rcase *c = &CASES[_i];
    char b1[256], b2[256];
    if (c->err != URL_OK)
        return;
    arena a;
    arena_init(&a, 0);
    char *out = NULL, *out2 = NULL;
    url_err e = url_normalize(&a, c->want, &out);
    ck_assert_msg(e == URL_OK && strcmp(out, c->want) == 0,
                  "case %d: normalize(\"%s\"): got %s \"%s\"", _i, show(c->want, b1, sizeof b1),
                  url_err_str(e), show(out, b2, sizeof b2));
    e = url_resolve(&a, "https://other.example/x/y", c->want, &out2);
    ck_assert_msg(e == URL_OK && strcmp(out2, c->want) == 0,
                  "case %d: resolve(other, \"%s\"): got %s \"%s\"", _i,
                  show(c->want, b1, sizeof b1), url_err_str(e), show(out2, b2, sizeof b2));
    arena_release(&a);
}
END_TEST

/* ---- url_host ---- */

typedef struct hcase {
    const char *url;
    size_t cap;
    int rc;
    const char *want;
} hcase;

static const hcase HCASES[] = {
    {"http://example.com/", 64, 0, "example.com"},
    {"https://Example.COM:8443/x?y", 64, 0, "example.com"},
    {"HTTP://H.Example", 64, 0, "h.example"},
    {"http://u:p@host.example:81/", 64, 0, "host.example"},
    {"http://[2001:DB8::1]:8080/", 64, 0, "[2001:db8::1]"},
    {"http://h.example?q", 64, 0, "h.example"},
    {"http://h.example#f", 64, 0, "h.example"},
    {"http://abc/", 4, 0, "abc"}, /* exactly fits with its NUL */
    {"http://abcd/", 4, -1, NULL},
    {"http://abc/", 0, -1, NULL},
    {"ftp://h/", 64, -1, NULL},
    {"h/x", 64, -1, NULL},
    {"http:///x", 64, -1, NULL},
    {"http://u@:80/", 64, -1, NULL},
    {"http://[::1/", 64, -1, NULL},
    {NULL, 64, -1, NULL},
};
#define NHCASES ((int)(sizeof HCASES / sizeof HCASES[0]))

START_TEST(host_case)
{
    const hcase *c = &HCASES[_i];
    char buf[64] = "sentinel";
    int rc = url_host(c->url, buf, c->cap);
    ck_assert_msg(rc == c->rc && (rc != 0 || strcmp(buf, c->want) == 0),
                  "case %d: url_host(\"%s\", cap %zu): got %d \"%s\", want %d \"%s\"", _i,
                  c->url ? c->url : "(null)", c->cap, rc, rc == 0 ? buf : "", c->rc,
                  c->want ? c->want : "");
}
END_TEST

/* url_host reads what url_resolve writes. */
START_TEST(host_of_resolved)
{
    arena a;
    arena_init(&a, 0);
    char *out = NULL, host[64];
    ck_assert_int_eq(url_resolve(&a, "http://h/", "//U:P@WWW.Example.ORG:8080/x", &out), URL_OK);
    ck_assert_str_eq(out, "http://U:P@www.example.org:8080/x");
    ck_assert_int_eq(url_host(out, host, sizeof host), 0);
    ck_assert_str_eq(host, "www.example.org");
    arena_release(&a);
}
END_TEST

/* ---- length limit ---- */

/* "http://h/" followed by filler up to total length n. */
static char *long_url(size_t n, char fill)
{
    char *s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, "http://h/", 9);
    memset(s + 9, fill, n - 9);
    s[n] = '\0';
    return s;
}

START_TEST(too_long)
{
    arena a;
    arena_init(&a, 0);
    char *out = NULL;

    char *s = long_url(URL_MAX_LEN, 'x');
    ck_assert_int_eq(url_normalize(&a, s, &out), URL_OK);
    ck_assert_msg(strcmp(out, s) == 0, "long URL changed (%zu bytes)", strlen(out));
    free(s);

    s = long_url(URL_MAX_LEN + 1, 'x');
    ck_assert_int_eq(url_normalize(&a, s, &out), URL_TOO_LONG);
    ck_assert_ptr_null(out);
    free(s);

    /* Whitespace around does not count; a fragment is cut before the check. */
    s = long_url(URL_MAX_LEN, 'x');
    char *padded = malloc(URL_MAX_LEN + 2 * 100 + 1);
    ck_assert_ptr_nonnull(padded);
    snprintf(padded, URL_MAX_LEN + 2 * 100 + 1, "%100s%s%100s", "", s, "");
    ck_assert_int_eq(url_normalize(&a, padded, &out), URL_OK);
    ck_assert_msg(strcmp(out, s) == 0, "long URL changed (%zu bytes)", strlen(out));
    free(padded);
    free(s);
    s = long_url(URL_MAX_LEN * 2, 'x');
    s[20] = '#';
    ck_assert_int_eq(url_normalize(&a, s, &out), URL_OK);
    ck_assert_str_eq(out, "http://h/xxxxxxxxxxx");
    free(s);

    /* Short input, long once encoded: 3000 bytes of 0xff become 9000. */
    s = long_url(9 + 3000, '\xff');
    ck_assert_int_eq(url_normalize(&a, s, &out), URL_TOO_LONG);
    ck_assert_ptr_null(out);
    free(s);

    /* Short ref, long result: a long base directory. */
    s = long_url(URL_MAX_LEN - 1, 'x'); /* directory of URL_MAX_LEN - 2 bytes */
    s[URL_MAX_LEN - 3] = '/';
    ck_assert_int_eq(url_resolve(&a, s, "ab", &out), URL_OK);
    ck_assert_uint_eq(strlen(out), URL_MAX_LEN);
    ck_assert_int_eq(url_resolve(&a, s, "abc", &out), URL_TOO_LONG);
    ck_assert_ptr_null(out);
    free(s);

    /* Over-long links that are not pages are still just skipped. */
    s = long_url(URL_MAX_LEN * 2, 'x');
    memcpy(s, "javascript:", 11);
    ck_assert_int_eq(url_resolve(&a, "http://h/", s, &out), URL_SKIPPED);
    free(s);
    arena_release(&a);
}
END_TEST

/* ---- memory ---- */

START_TEST(results_live_in_arena)
{
    arena a;
    arena_init(&a, 0);
    char *u1 = NULL, *u2 = NULL, *bad = (char *)"x";
    /* the first call makes the arena's first chunk */
    ck_assert_int_eq(url_normalize(&a, "http://h/warm", &u1), URL_OK);
    size_t live = alloc_live_bytes(), used = arena_used(&a);

    ck_assert_int_eq(url_resolve(&a, "http://h/d/", "one", &u1), URL_OK);
    ck_assert_int_eq(url_resolve(&a, "http://h/d/", "two?x", &u2), URL_OK);
    ck_assert_str_eq(u1, "http://h/d/one");
    ck_assert_str_eq(u2, "http://h/d/two?x");
    ck_assert_ptr_ne(u1, u2);
    ck_assert_uint_ge(arena_used(&a) - used, strlen(u1) + 1 + strlen(u2) + 1);
    /* nothing came from the process allocator, nothing leaked there */
    ck_assert_uint_eq(alloc_live_bytes(), live);

    /* errors allocate nothing and clear *out */
    used = arena_used(&a);
    ck_assert_int_eq(url_resolve(&a, "http://h/", "mailto:x@y", &bad), URL_SKIPPED);
    ck_assert_ptr_null(bad);
    ck_assert_int_eq(url_normalize(&a, "http://h:99999/", &bad), URL_MALFORMED);
    ck_assert_ptr_null(bad);
    ck_assert_uint_eq(arena_used(&a), used);
    ck_assert_uint_eq(alloc_live_bytes(), live);

    arena_release(&a);
}
END_TEST

START_TEST(null_arena_uses_process_allocator)
{
    size_t live = alloc_live_bytes();
    char *out = NULL;
    ck_assert_int_eq(url_resolve(NULL, "http://h/d/", "../X%7e", &out), URL_OK);
    ck_assert_str_eq(out, "http://h/X~");
    ck_assert_uint_eq(alloc_live_bytes(), live + strlen(out) + 1);
    alloc_strfree(out);
    ck_assert_uint_eq(alloc_live_bytes(), live);

    out = (char *)"x";
    ck_assert_int_eq(url_normalize(NULL, "ftp://h/", &out), URL_BAD_SCHEME);
    ck_assert_ptr_null(out);
    ck_assert_uint_eq(alloc_live_bytes(), live);
}
END_TEST

START_TEST(out_of_memory)
{
    char *out = (char *)"x";
    alloc_fail_after(1);
    url_err e = url_normalize(NULL, "http://h/", &out);
    alloc_fail_reset();
    ck_assert_int_eq(e, URL_NOMEM);
    ck_assert_ptr_null(out);

    arena a;
    arena_init(&a, 0); /* no chunk yet: the result needs one */
    out = (char *)"x";
    alloc_fail_after(1);
    e = url_normalize(&a, "http://h/", &out);
    alloc_fail_reset();
    ck_assert_int_eq(e, URL_NOMEM);
    ck_assert_ptr_null(out);
    ck_assert_int_eq(url_normalize(&a, "http://h/", &out), URL_OK);
    ck_assert_str_eq(out, "http://h/");
    arena_release(&a);
}
END_TEST

START_TEST(null_ref_and_err_str)
{
    char *out = (char *)"x";
    ck_assert_int_eq(url_resolve(NULL, "http://h/", NULL, &out), URL_EMPTY);
    ck_assert_ptr_null(out);

    const char *want[] = {"ok",         "empty",         "skipped",
                          "bad scheme", "malformed",     "no host",
                          "too long",   "out of memory", "bad internationalised host name"};
    for (int e = URL_OK; e <= URL_BAD_IDN; e++)
        ck_assert_msg(strcmp(url_err_str((url_err)e), want[e]) == 0, "url_err_str(%d) = \"%s\"", e,
                      url_err_str((url_err)e));
    ck_assert_str_eq(url_err_str((url_err)99), "unknown");
}
END_TEST

/* url_resolve's string-only fast path gives what curl's way gives: every
 * table case above, then 200,000 generated references (bytes the fast path
 * takes and bytes it must refuse) against bases in normal form and bases
 * that only look it (case, default ports, escapes, numeric hosts, dots). */
START_TEST(fast_path_agrees_with_curl)
{
    static const char *const BASES[] = {
        "http://example.com/dir/page.html",
        "http://example.com/",
        "https://example.com:8443/a/b/",
        "http://127.0.0.1:8000/library/x.html",
        "http://example.com/a/b/c?q=1&r=2",
        "http://example.com/a/./b/../c/d",
        "http://a-b.example/x;y/z@w:v",
        "http://example.com/a'b/c(d)",
        "http://EXAMPLE.com/x/y",
        "http://example.com:80/x/y",
        "https://example.com:443/x",
        "http://0x7f.1/x/y",
        "http://127.1/x",
        "http://example.com/%7Ea/%2e%2e/b",
        "http://example.com/a\\b/c",
        "http://example.com",
        "http://example.com./x/",
        "http://u:p@example.com/x/",
        "http://[::1]:8080/x/",
        "http://example.com:08080/x",
        "http://abc.def/x/y",
        "http://10.0.0.256/x",
        /* Found by fuzzing: bases whose path has dot segments or whose
         * query curl refuses are not in normal form either. */
        "http://p/a/..?q",
        "http://p/x/.?q",
        "http://p/xn--/?\xff\xff.\xff",
    };
    static const char ALPHA[] = "ab./?=&#-_~!$'()*+,;@:%\\ \tA09";
    char *got, *want;
    arena a;
    arena_init(&a, 0);
    for (size_t i = 0; i < NCASES; i++)
        for (size_t b = 0; b < sizeof BASES / sizeof BASES[0]; b++) {
            url_err e1 = url_resolve(&a, BASES[b], CASES[i].ref, &got);
            url_err e2 = url_resolve_curl(&a, BASES[b], CASES[i].ref, &want);
            ck_assert_msg(e1 == e2 && (e1 != URL_OK || !strcmp(got, want)),
                          "base %s ref %s: %s (%d) vs curl's %s (%d)", BASES[b], CASES[i].ref,
                          e1 == URL_OK ? got : "-", e1, e2 == URL_OK ? want : "-", e2);
        }
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int n = 0; n < 200000; n++) {
        char ref[16];
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t len = 1 + x % 12;
        for (size_t k = 0; k < len; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            /* Mostly the bytes the fast path takes, now and then others. */
            ref[k] = ALPHA[x % 8 < 7 ? x % 23 : x % (sizeof ALPHA - 1)];
        }
        ref[len] = '\0';
        const char *base = BASES[(x >> 32) % (sizeof BASES / sizeof BASES[0])];
        url_err e1 = url_resolve(&a, base, ref, &got);
        url_err e2 = url_resolve_curl(&a, base, ref, &want);
        ck_assert_msg(e1 == e2 && (e1 != URL_OK || !strcmp(got, want)),
                      "base %s ref \"%s\": %s (%d) vs curl's %s (%d)", base, ref,
                      e1 == URL_OK ? got : "-", e1, e2 == URL_OK ? want : "-", e2);
        if (n % 1000 == 0)
            arena_reset(&a, 0);
    }
    arena_release(&a);
}
END_TEST

static Suite *url_suite(void)
{
    Suite *s = suite_create("url");
    TCase *tc = tcase_create("resolve");
    tcase_add_loop_test(tc, resolve_case, 0, NCASES);
    tcase_add_loop_test(tc, normal_form_is_fixed_point, 0, NCASES);
    tcase_add_test(tc, fast_path_agrees_with_curl);
    suite_add_tcase(s, tc);

    tc = tcase_create("host");
    tcase_add_loop_test(tc, host_case, 0, NHCASES);
    tcase_add_test(tc, host_of_resolved);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_test(tc, too_long);
    tcase_add_test(tc, null_ref_and_err_str);
    suite_add_tcase(s, tc);

    tc = tcase_create("memory");
    tcase_add_test(tc, results_live_in_arena);
    tcase_add_test(tc, null_arena_uses_process_allocator);
    tcase_add_test(tc, out_of_memory);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(url_suite()); }
