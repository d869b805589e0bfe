/* test_sitemap — the sitemap reader (worker/sitemap.c): urlset and index,
 * gzip (one member, several, a bomb), <lastmod>, the protocol's limits,
 * malformed XML, locs that are not http(s), and DTDs and entities refused. */
#include <check.h>

#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "arena.h"
#include "sitemap.h"

static arena A;

static void setup(void) { arena_init(&A, 0); }
static void teardown(void) { arena_release(&A); }

static int parse(const char *xml, size_t max_urls, size_t max_bytes, sitemap_doc *d)
{
    return sitemap_parse(&A, xml, strlen(xml), max_urls, max_bytes, 0, d);
}

/* body[len] as one gzip member (malloc'd; *out_len its size). */
static unsigned char *gzip_of(const char *body, size_t len, size_t *out_len)
{
    z_stream z = {0};
    ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&z, (uLong)len) + 64;
    unsigned char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    z.next_in = (Bytef *)body;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

#define NS "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\""

START_TEST(urlset_locs_normalised_and_refused)
{
    const char *xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<urlset " NS ">\n"
                      " <url><loc>\n  HTTP://Example.COM:80/a/../b?x=1&amp;y=2#frag\n </loc>"
                      "<lastmod>2024-05-01T10:00:00+02:00</lastmod><priority>0.5</priority></url>\n"
                      " <url><loc>ftp://example.com/file</loc></url>\n"
                      " <url><loc>/relative/page</loc></url>\n"
                      " <url><loc>javascript:alert(1)</loc></url>\n"
                      " <url><loc><![CDATA[https://example.com/c d]]></loc>"
                      "<lastmod>yesterday</lastmod></url>\n"
                      " <url><lastmod>2020-01-01</lastmod></url>\n"
                      " <url/>\n"
                      "</urlset>\n";
    sitemap_doc d;
    ck_assert_int_eq(parse(xml, SITEMAP_MAX_URLS, SITEMAP_MAX_BYTES, &d), 0);
    ck_assert_ptr_null(d.error);
    ck_assert_int_eq(d.kind, SITEMAP_URLSET);
    ck_assert_uint_eq(d.nurls, 2);
    ck_assert_str_eq(d.urls[0], "http://example.com/b?x=1&y=2");
    ck_assert_str_eq(d.urls[1], "https://example.com/c%20d");
    ck_assert_str_eq(d.lastmods[0], "2024-05-01T10:00:00+02:00");
    ck_assert_ptr_null(d.lastmods[1]); /* "yesterday" is no W3C datetime */
    ck_assert_uint_eq(d.refused, 3);
    ck_assert_str_eq(d.newest, "2024-05-01T10:00:00+02:00");
    ck_assert_int_eq(d.gzip, 0);
}
END_TEST

START_TEST(index_lists_sitemaps)
{
    const char *xml =
        "<sitemapindex " NS ">"
        "<sitemap><loc>http://h/s1.xml</loc><lastmod>2023-01-02</lastmod></sitemap>"
        "<sitemap><loc>http://h/s2.xml.gz</loc><lastmod>2024-02-03</lastmod></sitemap>"
        "</sitemapindex>";
    sitemap_doc d;
    ck_assert_int_eq(parse(xml, SITEMAP_MAX_URLS, SITEMAP_MAX_BYTES, &d), 0);
    ck_assert_int_eq(d.kind, SITEMAP_INDEX);
    ck_assert_uint_eq(d.nurls, 2);
    ck_assert_str_eq(d.urls[0], "http://h/s1.xml");
    ck_assert_str_eq(d.urls[1], "http://h/s2.xml.gz");
    ck_assert_str_eq(d.newest, "2024-02-03");
    /* <url> entries are not an index's: nothing is read from them */
    const char *mixed = "<sitemapindex><url><loc>http://h/p</loc></url></sitemapindex>";
    ck_assert_int_eq(parse(mixed, SITEMAP_MAX_URLS, SITEMAP_MAX_BYTES, &d), 0);
    ck_assert_uint_eq(d.nurls, 0);
}
END_TEST

START_TEST(gzip_is_read_by_its_magic)
{
    const char *xml = "<urlset><url><loc>http://h/1</loc></url><url><loc>http://h/2</loc></url>"
                      "</urlset>";
    size_t zl;
    unsigned char *z = gzip_of(xml, strlen(xml), &zl);
    sitemap_doc d;
    ck_assert_int_eq(sitemap_parse(&A, (char *)z, zl, 10, SITEMAP_MAX_BYTES, 0, &d), 0);
    ck_assert_int_eq(d.gzip, 1);
    ck_assert_uint_eq(d.nurls, 2);
    ck_assert_str_eq(d.urls[1], "http://h/2");
    ck_assert_uint_eq(d.bytes, strlen(xml));
    /* two members one after the other: both read */
    unsigned char *two = malloc(zl * 2);
    memcpy(two, z, zl);
    memcpy(two + zl, z, zl);
    /* the second member's document repeats the root: it was inflated (the
     * error is past the first document), and is malformed */
    ck_assert_int_eq(sitemap_parse(&A, (char *)two, zl * 2, 10, SITEMAP_MAX_BYTES, 0, &d), 1);
    ck_assert_uint_eq(d.bytes, 2 * strlen(xml));
    ck_assert_ptr_nonnull(strstr(d.error, "sitemap: malformed XML"));
    /* a damaged stream: an error naming gzip */
    z[zl / 2] ^= 0xff;
    z[zl / 2 + 1] ^= 0xff;
    int rc = sitemap_parse(&A, (char *)z, zl, 10, SITEMAP_MAX_BYTES, 0, &d);
    ck_assert_int_eq(rc, 1);
    ck_assert_ptr_nonnull(strstr(d.error, "sitemap: "));
    free(two);
    free(z);
}
END_TEST

/* 64 MiB of XML (one URL, then comments of spaces) in well under 1 MiB of
 * gzip: inflating stops at the limit, never more is held. */
START_TEST(gzip_bomb_stops_at_the_byte_limit)
{
    size_t n = 64u << 20;
    char *big = malloc(n);
    ck_assert_ptr_nonnull(big);
    const char *head = "<urlset><url><loc>http://h/kept</loc></url>";
    memset(big, ' ', n);
    memcpy(big, head, strlen(head));
    for (size_t at = 1024; at + 1024 < n; at += 1024) { /* each comment under libxml2's caps */
        memcpy(big + at, "<!--", 4);
        memcpy(big + at + 1000, "-->", 3);
    }
    memcpy(big + n - 14, "</urlset>\n", 10);
    size_t zl;
    unsigned char *z = gzip_of(big, n - 1, &zl);
    free(big);
    ck_assert_uint_lt(zl, 1u << 20);
    sitemap_doc d;
    size_t used0 = arena_used(&A);
    ck_assert_int_eq(sitemap_parse(&A, (char *)z, zl, 10, SITEMAP_MAX_BYTES, 0, &d), 1);
    ck_assert_uint_le(d.bytes, SITEMAP_MAX_BYTES);
    ck_assert_uint_eq(d.nurls, 1);
    ck_assert_str_eq(d.urls[0], "http://h/kept");
    ck_assert_ptr_nonnull(strstr(d.error, "over 52428800 bytes uncompressed"));
    ck_assert_ptr_nonnull(strstr(d.error, "the 1 URLs before it kept"));
    ck_assert_uint_lt(arena_used(&A) - used0, 64 * 1024); /* nothing of the body in the arena */
    free(z);
}
END_TEST

START_TEST(plain_body_over_the_byte_limit)
{
    const char *xml = "<urlset><url><loc>http://h/1</loc></url><url><loc>http://h/2</loc></url>"
                      "</urlset>";
    sitemap_doc d;
    ck_assert_int_eq(parse(xml, 10, 45, &d), 1);
    ck_assert_uint_eq(d.nurls, 1);
    ck_assert_ptr_nonnull(strstr(d.error, "over 45 bytes uncompressed"));
    /* cut by the fetch's cap: the same error, the URLs before it kept */
    ck_assert_int_eq(sitemap_parse(&A, xml, 45, 10, SITEMAP_MAX_BYTES, 1, &d), 1);
    ck_assert_uint_eq(d.nurls, 1);
    ck_assert_ptr_nonnull(strstr(d.error, "over 52428800 bytes"));
}
END_TEST

START_TEST(over_the_url_limit_keeps_the_first)
{
    char xml[4096] = "<urlset>";
    for (int i = 0; i < 5; i++)
        snprintf(xml + strlen(xml), sizeof(xml) - strlen(xml), "<url><loc>http://h/%d</loc></url>",
                 i);
    strcat(xml, "</urlset>");
    sitemap_doc d;
    ck_assert_int_eq(parse(xml, 3, SITEMAP_MAX_BYTES, &d), 1);
    ck_assert_uint_eq(d.nurls, 3);
    ck_assert_str_eq(d.urls[2], "http://h/2");
    ck_assert_str_eq(d.error,
                     "sitemap: more than 3 URLs, the limit of the sitemaps protocol: the first 3 "
                     "kept");
    /* exactly at the limit: no error */
    ck_assert_int_eq(parse(xml, 5, SITEMAP_MAX_BYTES, &d), 0);
    ck_assert_uint_eq(d.nurls, 5);
}
END_TEST

START_TEST(malformed_xml_names_the_line)
{
    /* 500 good entries, one per line, then a broken one on line 502: the
     * entries the reader handed over before it met the error are kept (it
     * reads ahead by a few KB, so not necessarily all 500) */
    size_t cap = 64 * 1024, n = 0;
    char *xml = malloc(cap);
    n += (size_t)snprintf(xml + n, cap - n, "<urlset>\n");
    for (int i = 0; i < 500; i++)
        n += (size_t)snprintf(xml + n, cap - n, "<url><loc>http://h/%d</loc></url>\n", i);
    snprintf(xml + n, cap - n, "<url><loc>http://h/bad</url>\n</urlset>");
    sitemap_doc d;
    ck_assert_int_eq(parse(xml, 1000, SITEMAP_MAX_BYTES, &d), 1);
    free(xml);
    ck_assert_ptr_nonnull(strstr(d.error, "sitemap: malformed XML at line 502: "));
    ck_assert_uint_gt(d.nurls, 250);
    ck_assert_uint_lt(d.nurls, 501);
    ck_assert_str_eq(d.urls[0], "http://h/0");
    ck_assert_int_eq(parse("not xml at all", 10, SITEMAP_MAX_BYTES, &d), 1);
    ck_assert_ptr_nonnull(strstr(d.error, "sitemap: malformed XML"));
    ck_assert_int_eq(sitemap_parse(&A, "", 0, 10, 100, 0, &d), 1);
    ck_assert_str_eq(d.error, "sitemap: the body is empty");
    ck_assert_int_eq(parse("<html><body>x</body></html>", 10, SITEMAP_MAX_BYTES, &d), 1);
    ck_assert_str_eq(d.error,
                     "sitemap: the root element is <html>, not <urlset> or <sitemapindex>");
}
END_TEST

START_TEST(external_entity_refused)
{
    const char *xml = "<?xml version=\"1.0\"?>\n"
                      "<!DOCTYPE urlset [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                      "<urlset><url><loc>http://h/&x;</loc></url></urlset>";
    sitemap_doc d;
    ck_assert_int_eq(parse(xml, 10, SITEMAP_MAX_BYTES, &d), 1);
    ck_assert_ptr_nonnull(strstr(d.error, "DOCTYPE is refused"));
    ck_assert_uint_eq(d.nurls, 0);
    const char *laughs = "<?xml version=\"1.0\"?>\n"
                         "<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\">"
                         "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
                         "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>\n"
                         "<urlset><url><loc>http://h/&c;</loc></url></urlset>";
    /* refused by libxml2's own guard or by ours, whichever comes first:
     * never expanded into a URL */
    ck_assert_int_eq(parse(laughs, 10, SITEMAP_MAX_BYTES, &d), 1);
    ck_assert_ptr_nonnull(strstr(d.error, "sitemap: "));
    ck_assert_uint_eq(d.nurls, 0);
    /* an entity never declared: not well-formed */
    ck_assert_int_eq(
        parse("<urlset><url><loc>http://h/&nope;</loc></url></urlset>", 10, SITEMAP_MAX_BYTES, &d),
        1);
    ck_assert_uint_eq(d.nurls, 0);
}
END_TEST

static const struct {
    const char *s;
    int ok;
} lastmods[] = {
    {"2024", 1},
    {"2024-05", 1},
    {"2024-05-31", 1},
    {"2024-05-31T10:20Z", 1},
    {"2024-05-31T10:20:30+01:00", 1},
    {"2024-05-31T10:20:30.45-05:00", 1},
    {"2024-13-01", 0},
    {"2024-05-31T10:20", 0}, /* a time needs its zone */
    {"24-05-31", 0},
    {"2024-05-31 10:20Z", 0},
    {"2024-05-31T10:20:30.Z", 0},
    {"yesterday", 0},
    {"", 0},
};

START_TEST(lastmod_format)
{
    ck_assert_msg(sitemap_lastmod_ok(lastmods[_i].s) == lastmods[_i].ok, "\"%s\" should be %s",
                  lastmods[_i].s, lastmods[_i].ok ? "accepted" : "refused");
}
END_TEST

static Suite *sitemap_suite(void)
{
    Suite *s = suite_create("sitemap");
    TCase *tc = tcase_create("read");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, urlset_locs_normalised_and_refused);
    tcase_add_test(tc, index_lists_sitemaps);
    tcase_add_test(tc, gzip_is_read_by_its_magic);
    tcase_add_test(tc, gzip_bomb_stops_at_the_byte_limit);
    tcase_add_test(tc, plain_body_over_the_byte_limit);
    tcase_add_test(tc, over_the_url_limit_keeps_the_first);
    tcase_add_test(tc, malformed_xml_names_the_line);
    tcase_add_test(tc, external_entity_refused);
    tcase_add_loop_test(tc, lastmod_format, 0, sizeof(lastmods) / sizeof(lastmods[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(sitemap_suite()); }
