/* test_html_charset — charsets (html_charset.c): meta and header
 * declarations, BOMs, iconv's multibyte decoders, unknown names, invalid
 * UTF-8 made valid, and html_sniff_charset's rules. */
#include "alloc.h"
#include "arena.h"
#include "html.h"

#include <check.h>
#include <gumbo.h>

#include "html_fixture.h"
#include <assert.h>
#include "testutil.h"
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

static html_doc parse_cs(const char *html, const char *hdr_charset)
{
    return parse_n(html, strlen(html), hdr_charset, 1);
}

/* ---- charsets ------------------------------------------------------------- */

START_TEST(charset_meta_latin1)
{
    html_doc d =
        parse("<meta charset=iso-8859-1><title>Caf\xe9 \x80 \x93q\x94</title><p>na\xefve</p>");
    ck_assert_str_eq(d.title, "Caf\xC3\xA9 \xE2\x82\xAC \xE2\x80\x9Cq\xE2\x80\x9D");
    ck_assert_str_eq(d.charset, "windows-1252");
    ck_assert_ptr_null(d.charset_note);
    ck_assert_str_eq(d.text, "na\xC3\xAFve");

    d = parse("<meta http-equiv='Content-Type' content='text/html; charset=\"ISO-8859-1\"'>"
              "<title>Caf\xe9</title>");
    ck_assert_str_eq(d.title, "Caf\xC3\xA9");

    /* Pure ASCII in a single-byte charset is parsed as it is: no decoded
     * copy (the arena grows by the same amount as for utf-8). */
    d = parse("<meta charset=latin1><title>plain</title>");
    ck_assert_str_eq(d.title, "plain");
    ck_assert_str_eq(d.charset, "windows-1252");
    enum { BIG = 64 * 1024 };
    char *ascii = malloc(BIG);
    ck_assert_ptr_nonnull(ascii);
    memset(ascii, 'x', BIG);
    memcpy(ascii, "<title>a</title>", 16);
    size_t used[2];
    for (int i = 0; i < 2; i++) {
        arena_reset(&A, 0);
        d = parse_n(ascii, BIG, i ? "iso-8859-1" : "utf-8", 0);
        used[i] = arena_used(&A);
    }
    free(ascii);
    ck_assert_str_eq(d.charset, "windows-1252");
    ck_assert_uint_eq(used[0], used[1]);
    finish();
}
END_TEST

START_TEST(charset_header_overrides_meta)
{
    html_doc d = parse_cs("<meta charset=iso-8859-1><title>Caf\xC3\xA9</title>", "UTF-8");
    ck_assert_str_eq(d.title, "Caf\xC3\xA9");
    ck_assert_str_eq(d.charset, "utf-8");
    d = parse_cs("<meta charset=utf-8><title>Caf\xe9</title>", "\"latin1\"");
    ck_assert_str_eq(d.title, "Caf\xC3\xA9");
    ck_assert_str_eq(d.charset, "windows-1252");
    /* An empty header value does not count. */
    d = parse_cs("<meta charset=iso-8859-1><title>Caf\xe9</title>", "");
    ck_assert_str_eq(d.title, "Caf\xC3\xA9");
    finish();
}
END_TEST

START_TEST(charset_bom)
{
    /* UTF-8 BOM: wins over <meta>, and is not text. */
    html_doc d = parse("\xEF\xBB\xBF<meta charset=iso-8859-1><title>Caf\xC3\xA9</title><p>x</p>");
    ck_assert_str_eq(d.title, "Caf\xC3\xA9");
    ck_assert_str_eq(d.text, "x");
    ck_assert_str_eq(d.charset, "utf-8");

    /* UTF-16LE with BOM. */
    const char *ascii = "<title>Hi \xe9</title><a href='/u16'>x</a>";
    char u16[128];
    size_t n = 0;
    u16[n++] = (char)0xFF;
    u16[n++] = (char)0xFE;
    for (const char *p = ascii; *p; p++) {
        u16[n++] = *p;
        u16[n++] = 0;
    }
    d = parse_n(u16, n, NULL, 1);
    ck_assert_str_eq(d.charset, "utf-16le");
    ck_assert_str_eq(d.title, "Hi \xC3\xA9");
    ck_assert_str_eq(d.links[0], "http://example.com/u16");
    ck_assert_str_eq(d.text, "x");

    /* UTF-16BE with BOM. */
    n = 0;
    u16[n++] = (char)0xFE;
    u16[n++] = (char)0xFF;
    for (const char *p = ascii; *p; p++) {
        u16[n++] = 0;
        u16[n++] = *p;
    }
    d = parse_n(u16, n, NULL, 1);
    ck_assert_str_eq(d.charset, "utf-16be");
    ck_assert_str_eq(d.title, "Hi \xC3\xA9");
    /* "utf-16" from the header: the BOM picks the byte order. */
    d = parse_n(u16, n, "utf-16", 1);
    ck_assert_str_eq(d.charset, "utf-16be");
    ck_assert_str_eq(d.title, "Hi \xC3\xA9");
    /* Without a BOM, "utf-16" is little-endian. */
    n = 0;
    for (const char *p = ascii; *p; p++) {
        u16[n++] = *p;
        u16[n++] = 0;
    }
    d = parse_n(u16, n, "UTF-16", 1);
    ck_assert_str_eq(d.charset, "utf-16le");
    ck_assert_str_eq(d.title, "Hi \xC3\xA9");
    finish();
}
END_TEST

START_TEST(charset_iconv_multibyte)
{
    /* Shift_JIS 日本 (0x93FA 0x967B), declared with a WHATWG alias. */
    html_doc d = parse("<meta charset=x-sjis><title>\x93\xfa\x96\x7b</title>");
    ck_assert_str_eq(d.charset, "shift_jis");
    ck_assert_str_eq(d.title, "\xE6\x97\xA5\xE6\x9C\xAC");
    ck_assert_ptr_null(d.charset_note);

    /* A truncated sequence at the end becomes U+FFFD and is noted. */
    d = parse_cs("<title>\x93\xfa</title><p>x\x93", "shift_jis");
    ck_assert_str_eq(d.title, "\xE6\x97\xA5");
    ck_assert_str_eq(d.text, "x\xEF\xBF\xBD");
    ck_assert_ptr_nonnull(d.charset_note);
    ck_assert_ptr_nonnull(strstr(d.charset_note, "replaced"));

    /* koi8-r from the header; a charset only iconv knows (cp850). */
    d = parse_cs("<title>\xf0\xd2\xc9\xd7\xc5\xd4</title>", "koi8-r");
    ck_assert_str_eq(d.title, "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82"); /* Привет */
    d = parse_cs("<title>\x82</title>", "cp850");
    ck_assert_str_eq(d.charset, "cp850");
    ck_assert_str_eq(d.title, "\xC3\xA9");
    finish();
}
END_TEST

START_TEST(charset_unknown_note)
{
    html_doc d = parse_cs("<title>Caf\xC3\xA9</title>", "x-no-such-charset");
    ck_assert_str_eq(d.charset_note, "unknown charset: x-no-such-charset");
    ck_assert_str_eq(d.charset, "utf-8");
    ck_assert_str_eq(d.title, "Caf\xC3\xA9");
    d = parse("<meta charset='bogus/../x'><title>t</title>");
    ck_assert_ptr_nonnull(d.charset_note);
    ck_assert_str_eq(d.title, "t");
    finish();
}
END_TEST

START_TEST(charset_invalid_utf8)
{
    html_doc d = parse("<title>a\xff\xfe"
                       "b\xc3(\xed\xa0\x80z\xf4\x90\x80\x80</title>"
                       "<p>\xc0\xaf</p><a href='/\xff'>x</a>");
    ck_assert_ptr_nonnull(d.title);
    ck_assert_ptr_nonnull(strstr(d.title, "\xEF\xBF\xBD"));
    ck_assert(valid_utf8(d.title));
    ck_assert(valid_utf8(d.text));
    ck_assert_ptr_null(d.charset_note);
    ck_assert_str_eq(d.charset, "utf-8");
    ck_assert_uint_eq(d.nlinks + d.skipped_links, 1);
    finish();
}
END_TEST

START_TEST(sniff_rules)
{
    ck_assert_str_eq(html_sniff_charset(&A, NULL, "", 0), "utf-8");
    ck_assert_str_eq(html_sniff_charset(&A, NULL, NULL, 0), "utf-8");
    ck_assert_str_eq(html_sniff_charset(&A, " 'Shift_JIS' ", "", 0), "shift_jis");
    ck_assert_str_eq(html_sniff_charset(&A, "X-Weird", "", 0), "x-weird");
    const char *s = "<meta charset=\"ISO-8859-2\">";
    ck_assert_str_eq(html_sniff_charset(&A, NULL, s, strlen(s)), "iso-8859-2");
    s = "<META HTTP-EQUIV=content-type CONTENT='text/html;charset = koi8-r'>";
    ck_assert_str_eq(html_sniff_charset(&A, NULL, s, strlen(s)), "koi8-r");
    /* content without http-equiv: no pragma, no charset. */
    s = "<meta content='text/html; charset=koi8-r'>";
    ck_assert_str_eq(html_sniff_charset(&A, NULL, s, strlen(s)), "utf-8");
    s = "<!-- a > b <meta charset=koi8-r> --><p>";
    ck_assert_str_eq(html_sniff_charset(&A, NULL, s, strlen(s)), "utf-8");
    s = "<div title='<meta charset=koi8-r>'>";
    ck_assert_str_eq(html_sniff_charset(&A, NULL, s, strlen(s)), "utf-8");
    s = "<meta charset=utf-16le>";
    ck_assert_str_eq(html_sniff_charset(&A, NULL, s, strlen(s)), "utf-8");
    s = "<meta charset=x-user-defined>";
    ck_assert_str_eq(html_sniff_charset(&A, NULL, s, strlen(s)), "windows-1252");
    s = "\xFE\xFF\0<";
    ck_assert_str_eq(html_sniff_charset(&A, NULL, s, 4), "utf-16be");

    /* Only the first 1024 bytes are looked at. */
    char big[1200];
    memset(big, ' ', sizeof big);
    memcpy(big + 1100, "<meta charset=koi8-r>", 21);
    ck_assert_str_eq(html_sniff_charset(&A, NULL, big, sizeof big), "utf-8");
    memcpy(big + 900, "<meta charset=koi8-r>", 21);
    ck_assert_str_eq(html_sniff_charset(&A, NULL, big, sizeof big), "koi8-r");
    finish();
}
END_TEST

static Suite *html_charset_suite(void)
{
    Suite *s = suite_create("html_charset");
    TCase *tc = tcase_create("charset");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, charset_meta_latin1);
    tcase_add_test(tc, charset_header_overrides_meta);
    tcase_add_test(tc, charset_bom);
    tcase_add_test(tc, charset_iconv_multibyte);
    tcase_add_test(tc, charset_unknown_note);
    tcase_add_test(tc, charset_invalid_utf8);
    tcase_add_test(tc, sniff_rules);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(html_charset_suite()); }
