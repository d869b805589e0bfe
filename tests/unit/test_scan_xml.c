/* test_scan_xml — scan_sax (scan_xml.c, libxml2's HTML parser in SAX mode):
 * each documented difference from html_parse pinned with scan's own answer,
 * and scan_count_attrs reading start tags as libxml2 does. */
#include "alloc.h"
#include "arena.h"
#include "html.h"
#include "scan.h"

#include <check.h>
#include <gumbo.h>

#include "scan_fixture.h"
#include "html_fixture.h"
#include "testutil.h"
#include <dirent.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* ---- documented differences: scan's own answer ---------------------------- */

START_TEST(differs_elements_and_depth)
{
    html_doc s = scan_n("", 0, NULL, 1);
    ck_assert_ptr_null(s.title);
    ck_assert_uint_eq(s.nlinks, 0);
    ck_assert_str_eq(s.text, "");
    ck_assert_uint_eq(s.elements, 0); /* gumbo: 3 (html, head, body) */
    s = scan("<p>x</p>");
    ck_assert_uint_eq(s.elements, 3); /* html, body, p: no implied head */
    ck_assert_uint_eq(s.max_depth, 3);
    html_doc g = parse("<p>x</p>");
    ck_assert_uint_eq(g.elements, 4);
    finish();
}
END_TEST

START_TEST(differs_character_references)
{
    /* HTML5's legacy references without ';' and names outside HTML4. */
    html_doc s = scan("<p>a &amp b &notit; c &NewLine; d &#x80; e</p><a href='/?x=1&copy'>c</a>");
    ck_assert_str_eq(s.text, "a &amp b &notit; c &NewLine; d \xC2\x80 e c"); /* U+0080 kept */
    ck_assert_str_eq(s.links[0], "http://example.com/?x=1&copy");
    html_doc g = parse("<p>a &amp b &notit; c &NewLine; d &#x80; e</p><a href='/?x=1&copy'>c</a>");
    ck_assert_str_eq(g.text, "a & b \xC2\xACit; c d \xE2\x82\xAC e c");
    /* With the ';' both agree (same() covers it); the common ones: */
    s = scan("<p>&lt;&gt;&amp;&quot;&#39;&nbsp;&eacute;&#x263A;</p>");
    ck_assert_str_eq(s.text, "<>&\"'\xC2\xA0\xC3\xA9\xE2\x98\xBA");
    finish();
}
END_TEST

START_TEST(differs_markup_in_text_elements)
{
    /* HTML5 reads these as text; libxml2 as tags, which scan ignores. */
    html_doc s = scan("<title>a <b>bold</b> z</title><textarea><a href=/ta>t</a></textarea>"
                      "<xmp><a href=/xmp>x</a></xmp><iframe><a href=/if>i</a></iframe>"
                      "<noembed><a href=/ne></a></noembed><a href=/ok>ok</a>");
    ck_assert_uint_eq(s.nlinks, 1);
    ck_assert_str_eq(s.links[0], "http://example.com/ok");
    ck_assert_str_eq(s.title, "a z"); /* gumbo: "a <b>bold</b> z" */
    html_doc g = parse("<title>a <b>bold</b> z</title>");
    ck_assert_str_eq(g.title, "a <b>bold</b> z");
    /* Plain text in a textarea is text for both. */
    same_s("textarea", "<textarea>typed here</textarea>");
    finish();
}
END_TEST

START_TEST(differs_cdata_and_bogus_comments)
{
    const char *h = "<p>a<![CDATA[ <a href=/cd>x</a> ]]>b</p>";
    html_doc s = scan(h), g = parse(h);
    ck_assert_uint_eq(g.nlinks, 0); /* a bogus comment up to the first '>' */
    ck_assert_uint_eq(s.nlinks, 1); /* libxml2: text "<![CDATA[", then a real <a> */
    ck_assert_str_eq(s.links[0], "http://example.com/cd");
    /* Inside <script> (where CDATA markers usually are) both agree. */
    same_s("cdata in script", "<script>//<![CDATA[\nvar a='<a href=/s>';\n//]]></script><p>t</p>");
    finish();
}
END_TEST

START_TEST(differs_foreign_content)
{
    /* Inside <svg> nothing is an HTML link, as in gumbo, ... */
    same_s("svg", "<svg><a href=/svg-a><text>t</text></a><title>st</title></svg><a href=/h>h</a>");
    /* ... but HTML5 leaves <svg> at a <p>; libxml2 does not. */
    const char *h = "<svg><p><a href=/after>x</a></p></svg>";
    html_doc s = scan(h), g = parse(h);
    ck_assert_uint_eq(g.nlinks, 1);
    ck_assert_uint_eq(s.nlinks, 0);
    finish();
}
END_TEST

START_TEST(differs_control_characters)
{
    /* NUL dropped (gumbo too, in text), form feed a space, other C0
     * controls dropped from text (gumbo keeps them). */
    const char h[] = "<p>a\0b\fc\x01"
                     "d</p><a href='/x\0y'>l</a>";
    html_doc s = scan_n(h, sizeof h - 1, NULL, 1);
    ck_assert_str_eq(s.text, "ab cd l");
    ck_assert_uint_eq(s.nlinks, 1);
    ck_assert_str_eq(s.links[0], "http://example.com/xy");
    finish();
}
END_TEST

START_TEST(differs_noscript_in_head)
{
    /* HTML5 ("in head noscript") closes a <noscript> in <head> at body
     * content, which then is visible text; libxml2 keeps it open. */
    const char *h = "<noscript><a href=/ns>n</a></noscript><p>p</p>";
    html_doc s = scan(h), g = parse(h);
    ck_assert_str_eq(g.text, "n p");
    ck_assert_str_eq(s.text, "p");
    ck_assert_uint_eq(s.nlinks, 1);
    ck_assert_str_eq(s.links[0], g.links[0]);
    finish();
}
END_TEST

START_TEST(attribute_count_matches_libxml2)
{
    /* scan_count_attrs reads start tags as libxml2 does: checked on
     * shapes that trip simple counters (quotes after bogus names, names
     * longer than 100 bytes, '>' in quoted values, "/>"). */
    static const struct {
        const char *tag;
        size_t n;
    } t[] = {
        {"<p>", 0},
        {"<p a b c>", 3},
        {"<p a=1 b='x y' c=\"q > r\" d>", 4},
        {"<p a=\"1\"b=\"2\"c>", 3},
        {"<p a!=\"x y z\">", 3},
        {"<p .=\"x y\">", 1},
        {"<p a/b c/>", 2},
        {"<p a = 'v' b>", 2},
        {"<p a=\fb c>", 2},
        {"<p \"a b\">", 1},
        {"<p a=\"unterminated b c d", 1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const char *s = t[i].tag;
        ck_assert_msg(scan_count_attrs(s, s + strlen(s), 100, NULL) == t[i].n, "%s", s);
    }
    char name[400] = "<p ";
    memset(name + 3, 'x', 250);
    strcpy(name + 253, ">");
    ck_assert_uint_eq(scan_count_attrs(name, name + strlen(name), 100, NULL), 3);
    finish();
}
END_TEST

static Suite *scan_xml_suite(void)
{
    Suite *s = suite_create("scan_xml");
    TCase *tc = tcase_create("differs");
    tcase_add_checked_fixture(tc, setup_scan, NULL);
    tcase_add_test(tc, differs_elements_and_depth);
    tcase_add_test(tc, differs_character_references);
    tcase_add_test(tc, differs_markup_in_text_elements);
    tcase_add_test(tc, differs_cdata_and_bogus_comments);
    tcase_add_test(tc, differs_foreign_content);
    tcase_add_test(tc, differs_control_characters);
    tcase_add_test(tc, differs_noscript_in_head);
    suite_add_tcase(s, tc);

    tc = tcase_create("attrs");
    tcase_add_checked_fixture(tc, setup_scan, NULL);
    tcase_add_test(tc, attribute_count_matches_libxml2);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(scan_xml_suite()); }
