/* test_scan — both light drivers (scan.h: scan_lex in scan.c, scan_sax in
 * scan_xml.c) against html_parse: the same links, title, base, canonical,
 * robots, counts and text on every HTML fixture of the repo (test_html's
 * cases, the html fuzz seeds, the test server's site pages, pages written for
 * the rules), scan_lex's tokenizer rules and its documented differences,
 * and invalid UTF-8 and hostile input (deep nesting, a million attributes,
 * 10 MB, NUL bytes) with the guard's error and the arena as the only memory
 * left after a page. scan_sax's own differences: test_scan_xml. */
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

/* ---- the same answers ----------------------------------------------------- */

/* test_html.c's documents, and pages written for each rule. */
static const char *const CASES[] = {
    /* test_html.c */
    "<html><head><title>\n  Hello \t\r\n  World  </title></head></html>",
    "<p>no title here</p>",
    "<title>   </title>",
    "<title>Tom &amp; Jerry &lt;3 &eacute;&#x263A;</title><title>second</title>",
    "<body><svg><title>svg</title></svg><title>html</title></body>",
    "<a href='early'>e</a><base target=_blank><base href='http://other.example/x/'>"
    "<base href='http://third.example/'><a href='y?z=1'>y</a><a href='/root'>r</a>",
    "<base href='../up/'><a href='a'>a</a>",
    "<base href='javascript:void(0)'><a href='a'>a</a>",
    "<head><link rel=next href='/n'><link rel='PREV' href='/p'>"
    "<link rel='alternate' hreflang=de href='/de'><link rel=stylesheet href='/s.css'>"
    "<link rel='alternate stylesheet' href='/alt.css'><link rel=icon href='/i.ico'>"
    "<link href='/norel'><link rel=preload href='/pre'></head><body>"
    "<a href='/a'>a</a><a name=anchor>no href</a><map><area href='/area' alt=x></map>"
    "<iframe src='/frame1'></iframe><img src='/img.png'><script src='/s.js'></script>"
    "<template><a href='/inert'>t</a></template></body>",
    "<frameset><frame src='f1.html'><frame src='/f2.html'></frameset>",
    "<a href='../up.html'>1</a><a href='./same.html'>2</a><a href='//cdn.example.org/x'>3</a>"
    "<a href='?q=1'>4</a><a href='#frag'>5</a><a href='other.html#frag'>6</a>"
    "<a href='  spaced.html  '>7</a><a href='HTTPS://Example.COM:443/A'>8</a><a href='sub/'>9</a>",
    "<a href='javascript:void(0)'>j</a><a href='mailto:a@b.c'>m</a><a href='tel:+123'>t</a>"
    "<a href='data:text/html,x'>d</a><a href='ftp://x/y'>f</a><a href=''>empty</a>"
    "<a href='   '>ws</a><a href='JavaScript:alert(1)'>J</a><iframe src='about:blank'></iframe>"
    "<a href='ok.html'>ok</a>",
    "<a href='/b'>1</a><a href='/a'>2</a><a href='/b'>3</a><a href='http://EXAMPLE.com/a'>4</a>"
    "<a href='../a#top'>5</a><a href='/c'>6</a><a href='mailto:x@y'>7</a>"
    "<a href='mailto:x@y'>8</a><a href='/%7Eb'>9</a><a href='/~b'>10</a>",
    "<a href='/f'>f</a><a rel='external NoFollow' href='/nf'>nf</a><a rel=nofollowx href='/x'>x</a>"
    "<map><area rel=nofollow href='/na'></map><link rel='next nofollow' href='/next'>",
    "<head><meta name=robots content=noindex></head><a href='/x'>x</a>",
    "<head><meta name='ROBOTS' content='NOFOLLOW'></head><a href='/x'>x</a>",
    "<head><meta name=robots content='none'></head><a href='/x'>x</a>",
    "<head><meta name=robots content='noindex,nofollow'></head><a href='/x'>x</a>",
    "<head><meta name=Robots content=' noarchive , NoIndex '></head><a href='/x'>x</a>",
    "<head><meta name=robots content='index follow'></head><a href='/x'>x</a>",
    "<head><meta name=robots content='noindexing'></head><a href='/x'>x</a>",
    "<head><meta name=googlebot content='noindex,nofollow'></head><a href='/x'>x</a>",
    "<head><meta content='noindex' name=' robots '></head><a href='/x'>x</a>",
    "<head><meta name=robots></head><a href='/x'>x</a>",
    "<head><meta name=robots content=noindex><meta name=robots content=nofollow></head>"
    "<a href='/x'>x</a>",
    "<head><base href='http://b.example/d/'><link rel=Canonical href='c.html'>"
    "<link rel=canonical href='/second'></head>",
    "<link rel=canonical href='mailto:x@y'>",
    "<html><head><title>T</title><style>p{color:red}</style><script>var hidden = 1;</script>"
    "</head><body>\n  <h1>Head  line</h1><p>First\tpara&nbsp;x</p><p>Hel<b>lo</b> "
    "<i>world</i></p><script>alert('no')</script><noscript>nojs</noscript>"
    "<template><p>inert</p></template><style>.x{}</style>"
    "<ul><li>one</li><li>two</li></ul>end<br>after<!-- comment --></body></html>",
    "<p>   </p>",
    "",
    "<title>x</title><a href='/a'>a</a><p>text</p>",
    /* comments, script and style holding fake links */
    "<body><!-- <a href='/in-comment'>c</a> --><a href='/real'>r</a>"
    "<script>var s = '<a href=\"/in-script\">x</a>'; if (a < b && c > d) {}</script>"
    "<style>a[href='/in-style'] { color: red } /* <a href=/css> */</style>"
    "<script>document.write('</a><a href=/dw>')</script><p>after</p></body>",
    "<script type='text/template'><a href='/tpl-script'>t</a></script><a href=/ok>ok</a>",
    /* entities in hrefs and text */
    "<a href='/s?a=1&amp;b=2'>amp</a><a href='/s?x=&lt;y&gt;'>lt</a><a href='/&#x41;&#66;'>num</a>"
    "<a href=\"/q?c=&quot;d&quot;\">quot</a><p>caf&eacute; &copy; 2024 &mdash; &hellip; &nbsp;</p>",
    /* unclosed and misnested tags */
    "<div><p>one<p>two<div>three<a href=/u1>u1<a href=/u2>u2</div><span>four",
    "<ul><li>a<li>b<li><a href=/li>c</a></ul><table><tr><td>cell<td><a href=/td>d</a></table>",
    "<b><i>bold italic</b> still italic</i> plain <a href=/x>x</a>",
    /* noscript, iframe, frames */
    "<body><noscript><a href='/ns'>no js</a><img src=/pixel></noscript>"
    "<iframe src='/if'></iframe><p>visible</p></body>",
    "<head><noscript><link rel=alternate href=/ns-alt></noscript></head><body>x</body>",
    /* base and canonical variants */
    "<head><base href='https://cdn.example.net/a/b/'></head><a href=../c>c</a>"
    "<link rel='canonical' href='//example.com/canon'>",
    "<base href=''><a href=x>x</a>",
    "<head><link rel='  alternate  ' type=application/rss+xml href='/feed'>"
    "<link rel=next href='/p2'><link rel=prev href='/p0'></head>",
    /* doctype, processing instruction, whitespace */
    "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
    "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n<html "
    "xmlns=\"http://www.w3.org/1999/xhtml\">"
    "<head><title>X</title></head><body><p>x<br/>y</p><a href=\"/xhtml\"/>z</body></html>",
    "<?xml version=\"1.0\"?><html><body><h1>PI</h1></body></html>",
    "\n\n   <p>lead</p>\n\n",
    /* uppercase tags, odd attribute quoting */
    "<HTML><HEAD><TITLE>Upper</TITLE></HEAD><BODY><A HREF=/UP>UP</A><A\nhref\n=\n'/nl'>nl</A>"
    "<a href=/unq?x=1>unq</a><a href=\"/dq'x\">dq</a></BODY></HTML>",
    "<a href='/one' href='/two'>dup attr</a><a rel=nofollow rel=follow href=/nf>x</a>",
    /* forms, tables, lists: word breaks */
    "<form><input value=x><button>Go</button><select><option>o1<option>o2</select></form>"
    "<table><caption>cap</caption><tr><th>h</th><td>c</td></tr></table><dl><dt>t<dd>d</dl>",
    "<p>inline<span>span</span><em>em</em>text<br>br<hr>hr</p><h2>h2</h2>tail",
    /* meta charset in a utf-8 page, and a BOM */
    "<meta charset='utf-8'><title>caf\xc3\xa9</title><p>na\xc3\xafve \xe2\x82\xac</p>",
    "\xef\xbb\xbf<title>bom</title><a href=/bom>b</a>",
};

START_TEST(same_as_html_parse_on_fixtures)
{
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "case %zu", i);
        same(name, CASES[i], strlen(CASES[i]), NULL);
        arena_reset(&A, 0);
    }
    finish();
}
END_TEST

/* Charset variants: header, meta, BOM, multibyte, unknown labels. */
START_TEST(same_as_html_parse_on_charsets)
{
    static const struct {
        const char *html, *hdr;
    } cs[] = {
        {"<meta charset=iso-8859-1><title>Caf\xe9 Ol\xe9</title><p>\xc7"
         "a co\xfbte</p>"
         "<a href='/caf\xe9'>c</a>",
         NULL},
        {"<meta http-equiv=Content-Type content='text/html; charset=windows-1252'>"
         "<title>\x93quoted\x94 \x80</title><a href=/q>q</a>",
         NULL},
        {"<title>Caf\xe9</title><a href=/h>h</a>", "latin1"},
        {"<meta charset=utf-8><title>Caf\xe9</title>", "windows-1252"},
        {"<meta charset=shift_jis><title>\x93\xfa\x96\x7b</title><a href=/sj>s</a>", NULL},
        {"<title>x</title>", "x-no-such-charset"},
        {"<meta charset=koi8-r><title>\xf0\xd2\xc9\xd7\xc5\xd4</title>", NULL},
        {"\xff\xfe<\0t\0i\0t\0l\0e\0>\0u\0t\0f\0"
         "1\0"
         "6\0<\0/\0t\0i\0t\0l\0e\0>\0",
         NULL},
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "charset %zu", i);
        size_t len = strlen(cs[i].html);
        if (i == 7)
            len = 2 + 2 * strlen("<title>utf16</title>");
        same(name, cs[i].html, len, cs[i].hdr);
        arena_reset(&A, 0);
    }
    finish();
}
END_TEST

/* Every seed of tests/fuzz/corpus/html (byte 0 picks the header charset
 * there, as in fuzz_html.c). */
START_TEST(same_as_html_parse_on_fuzz_seeds)
{
    static const char *const CHARSETS[8] = {NULL,      "utf-8",    "windows-1252", "shift_jis",
                                            "x-bogus", "UTF-16LE", NULL,           "iso-8859-2"};
    const char *src = testutil_src_dir();
    ck_assert_ptr_nonnull(src);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/html", src);
    DIR *dp = opendir(dir);
    ck_assert_ptr_nonnull(dp);
    struct dirent *de;
    int files = 0;
    /* Seeds whose answers differ for documented reasons (docs/worker.md lists them). */
    static const char *const DIFFER[] = {"template_script", "gumbo_assert", "nested_tables_svg",
                                         "plaintext_frameset", NULL};
    while ((de = readdir(dp))) {
        if (de->d_name[0] == '.')
            continue;
        int skip = 0;
        for (size_t i = 0; DIFFER[i]; i++)
            skip |= !strcmp(de->d_name, DIFFER[i]);
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        FILE *f = fopen(path, "rb");
        ck_assert_ptr_nonnull(f);
        static char buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        if (n < 1)
            continue;
        files++;
        if (skip) { /* still: no crash, an answer */
            html_options o = {.content_type_charset = CHARSETS[buf[0] & 7], .want_text = 1};
            html_doc s;
            ck_assert_int_eq(scan_sax(&A, URL, buf + 1, n - 1, &o, &s), HTML_OK);
        } else {
            same(de->d_name, buf + 1, n - 1, CHARSETS[buf[0] & 7]);
        }
        arena_reset(&A, 0);
    }
    closedir(dp);
    ck_assert_int_ge(files, 10);
    finish();
}
END_TEST

/* Site pages of tests/server/httpd.py, generated by it: K pages, each
 * followed by a NUL. Caller frees. */
static char *site_pages(int from, int count, size_t *len)
{
    const char *src = testutil_src_dir();
    ck_assert_ptr_nonnull(src);
    char cmd[8192];
    snprintf(
        cmd, sizeof cmd,
        "python3 -c 'import sys; sys.path.insert(0, \"%s/tests/server\"); import httpd\n"
        "for k in range(%d, %d): sys.stdout.buffer.write(httpd.site_page(k, 5000) + b\"\\0\")'",
        src, from, from + count);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t cap = (size_t)count * 20000 + 1, n = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    size_t r;
    while ((r = fread(buf + n, 1, cap - 1 - n, p)) > 0)
        n += r;
    ck_assert_int_eq(pclose(p), 0);
    buf[n] = '\0';
    *len = n;
    return buf;
}

START_TEST(same_as_html_parse_on_site_pages)
{
    size_t len;
    char *all = site_pages(0, 40, &len);
    int pages = 0;
    for (char *p = all; p < all + len; p += strlen(p) + 1) {
        char name[32];
        snprintf(name, sizeof name, "site page %d", pages++);
        same(name, p, strlen(p), NULL);
        html_doc s = scan(p);
        ck_assert_uint_gt(s.nlinks, 3);
        ck_assert_ptr_nonnull(s.title);
        arena_reset(&A, 0);
    }
    free(all);
    ck_assert_int_eq(pages, 40);
    finish();
}
END_TEST

START_TEST(invalid_utf8_same_as_html_parse)
{
    const char *h = "<title>a\xff\xfe"
                    "b\xc3(\xed\xa0\x80z\xf4\x90\x80\x80</title>"
                    "<p>\xc0\xaf trunc \xe2\x82</p><p>ok caf\xc3\xa9</p><a href='/\xff'>x</a>";
    same("invalid utf-8", h, strlen(h), NULL);
    html_doc s = scan(h);
    ck_assert_ptr_nonnull(strstr(s.title, "\xEF\xBF\xBD"));
    ck_assert_ptr_nonnull(strstr(s.text, "ok caf\xC3\xA9")); /* no switch to Latin-1 */
    finish();
}
END_TEST

/* libxml2 2.9's push parser stops for good at content that follows an
 * emptied element stack (after </html>, or after an end tag before any
 * element); scan resumes it, as HTML5 goes on. */
START_TEST(same_after_the_element_stack_empties)
{
    static const char *const cases[] = {
        "</div><title>T</title><a href=/x>x</a>",
        "\n</p><!doctype html><html><head><title>T</title></head><body><a href=/x>x</a>",
        "<!doctype html></span><title>T</title><p>t<a href=/x>x</a>",
        "<p>a</p></body></html><a href=/after>after</a>",
        "<p>a</p></html>\n<script>var x = 1;</script><a href=/after>x</a> tail",
        "<p>a</p></html><!-- c --> <a href=/after>x</a>",
        "<title>T</title></html>\n\n",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "case %zu", i);
        same_s(name, cases[i]);
        arena_reset(&A, 0);
    }
    /* Stopped again and again: the links agree; the text gets a word break
     * where libxml2 closes the <body> it opened again (gumbo: one body). */
    const char *again = "<p>a</p></html></html></div><a href=/1>1</a></html>text<a href=/2>2</a>";
    html_doc g = parse(again), d = scan(again);
    ck_assert_uint_eq(d.nlinks, 2);
    ck_assert_uint_eq(g.nlinks, 2);
    ck_assert_str_eq(d.links[1], g.links[1]);
    ck_assert_str_eq(g.text, "a 1text2");
    ck_assert_str_eq(d.text, "a 1 text2");
    /* The stop falls in one chunk, the rest of the page in later ones. */
    char html[8192];
    size_t len = (size_t)snprintf(html, sizeof html, "<title>T</title><p>%0900d</p></html>", 0);
    for (int i = 0; i < 200; i++)
        len += (size_t)snprintf(html + len, sizeof html - len, "<a href=/%d>%d</a>", i, i);
    same("late links", html, len, NULL);
    html_doc s = scan_n(html, len, NULL, 0);
    ck_assert_uint_eq(s.nlinks, 200);
    ck_assert_str_eq(s.links[199], "http://example.com/199");
    finish();
}
END_TEST

/* ---- scan_lex: HTML5's tokenizer rules ------------------------------------ */

static html_doc lex(const char *html)
{
    html_options o = {.want_text = 1};
    html_doc d;
    ck_assert_int_eq(scan_lex(&A, URL, html, strlen(html), &o, &d), HTML_OK);
    return d;
}

static const char *pairs_attr(const void *el, const char *name)
{
    for (const char *const *p = el; *p; p += 2)
        if (!strcmp(p[0], name))
            return p[1];
    return NULL;
}

/* For every element the link rule reads, scan_lex on "<tag a=v ...>" (every
 * attribute html_collect_attrs lists, with a value the rule acts on) gives
 * what the rule itself gives for those attributes: the tokenizer keeps all
 * the rule needs. Each case must also differ from the element without
 * attributes, or the values would prove nothing. */
START_TEST(lex_keeps_what_the_link_rule_reads)
{
    int checked = 0;
    for (int tag = 0; tag < GUMBO_TAG_LAST; tag++) {
        const char *list = html_collect_attrs(tag);
        if (!list)
            continue;
        const char *tn = gumbo_normalized_tagname((GumboTag)tag);
        char html[256];
        const char *pairs[17];
        size_t n = 0, len = (size_t)snprintf(html, sizeof html, "<%s", tn);
        for (const char *p = list; *p && n < 16; p += strlen(p) + 1) {
            const char *v = link_rule_value(p);
            ck_assert_msg(v != NULL, "no test value for attribute %s", p);
            pairs[n++] = p;
            pairs[n++] = v;
            len += (size_t)snprintf(html + len, sizeof html - len, " %s=\"%s\"", p, v);
        }
        pairs[n] = NULL;
        snprintf(html + len, sizeof html - len, ">");

        html_doc want = {0}, bare = {0};
        html_collect c = {.a = &A, .d = &want};
        ck_assert(html_collect_element(&c, tag, pairs_attr, pairs));
        ck_assert_int_eq(html_collect_finish(&c, URL), HTML_OK);
        const char *none[1] = {NULL};
        c = (html_collect){.a = &A, .d = &bare};
        ck_assert(html_collect_element(&c, tag, pairs_attr, none));
        ck_assert_int_eq(html_collect_finish(&c, URL), HTML_OK);

        html_doc got = lex(html);
        char why[512];
        /* only what the rule sets: take the rest from what scan_lex gave */
        html_doc w = got, b = got;
        w.links = want.links, w.nlinks = want.nlinks, w.skipped_links = want.skipped_links;
        w.nofollow_links = want.nofollow_links, w.base_href = want.base_href;
        w.canonical = want.canonical, w.meta_noindex = want.meta_noindex;
        w.meta_nofollow = want.meta_nofollow;
        b.links = bare.links, b.nlinks = bare.nlinks, b.skipped_links = bare.skipped_links;
        b.nofollow_links = bare.nofollow_links, b.base_href = bare.base_href;
        b.canonical = bare.canonical, b.meta_noindex = bare.meta_noindex;
        b.meta_nofollow = bare.meta_nofollow;
        ck_assert_msg(*doc_diff(&w, &b, why, sizeof why) != '\0',
                      "%s: the test values do not make the rule act", html);
        ck_assert_msg(!*doc_diff(&got, &w, why, sizeof why), "scan_lex on %s: %s", html, why);
        checked++;
    }
    ck_assert_int_ge(checked, 7);
    finish();
}
END_TEST

/* Where libxml2 reads markup otherwise than HTML5 (the differs_ tests above)
 * and at the tokenizer's corners (comments, raw text, attribute syntax, the
 * end of the input inside a construct), scan_lex gives gumbo's answer. */
START_TEST(lex_same_as_html_parse_at_tokenizer_corners)
{
    static const char *const H[] = {
        "<title>a <b>bold</b> z</title><textarea><a href=/ta>t</a></textarea>"
        "<xmp><a href=/xmp>x</a></xmp><iframe><a href=/if>i</a></iframe>"
        "<noembed><a href=/ne></a></noembed><noframes><a href=/nf></a></noframes><a "
        "href=/ok>ok</a>",
        "<p>a<![CDATA[ <a href=/cd>x</a> ]]>b</p>",
        "<p>x &#x80; &#128; &#0; &#xD800; &#x110000; &#65 &#x42; y</p>",
        "<svg><![CDATA[<a href=/in-cdata>]]></svg><a href=/after>a</a>",
        "</div><title>t</title><a href=/x>x</a>",
        "<p>x</p></html><a href=/after-html>a</a> tail",
        "<!--><a href=/abrupt>a</a>",
        "<!---><a href=/abrupt2>a</a>",
        "<!-- x --!><a href=/bang>b</a>",
        "<!-- a -- b --><a href=/dashes>d</a>",
        "<a href=/a1 <a href=/a2>x</a>",
        "<a =href=/eq href=/real>x</a>",
        "<a href=/q'x\"y>x</a>",
        "<a/href=/slash>x</a>",
        "<a href = \"/spaced\" >s</a>",
        "<?php echo '<a href=/php>' ?><a href=/after-pi>x</a>",
        "<!DOCTYPE html SYSTEM \"<a href=/dt>\"><a href=/after-dt>x</a>",
        "</ a href=/bogus-end><a href=/after-end>x</a></>",
        "<head><title>t</title>text ends head<a href=/h>h</a></head>",
        "<html><head><link rel=next href=/n><p>body content ends head</p>"
        "<meta name=robots content=nofollow>",
        "<SCRIPT>var a='</scripty>'; b='<a href=/in>'</SCRIPT ><a href=/out>o</a>",
        "<style>a{}</STYLE\n><a href=/after-style>s</a>",
        "<a href='/unterminated",
        "<a href=/ok>ok</a><a href=/eof-in-tag",
        /* A '/' as the input's last byte (was read as "/>", past the end). */
        "<a href=/ok>ok</a><script /",
        "<a href=/ok>ok</a><title a=1/",
        "<a href=/ok>ok</a><p/",
        "<a href=/ok>ok</a><!-- eof in comment <a href=/c>",
        "<a href=/ok>ok</a><title>never closed <a href=/t>",
        "<a href=/ok>ok</a><script>never closed <a href=/s>",
        "<a href=/x>x</a><plaintext><a href=/pt>pt</a></plaintext>",
        "<table><tr><td><a href=/td1>1<td><a href=/td2>2</table>",
        "<a href='&#x2F;ent?a=1&amp;b=2&lt;'>e</a><a href='/x?y&z'>z</a>",
        "<p>one</p   ><p>two</p x=y><br/>three",
        "<a href=/1>1</a><a href=/2>2",
        "< a href=/not-a-tag>x</a><a href=/real>r</a>",
        "<math><ms>x</ms></math><a href=/after-math>x</a>",
    };
    for (size_t i = 0; i < sizeof H / sizeof H[0]; i++)
        for (int want = 1; want >= 0; want--) {
            html_options o = {.want_text = want};
            html_doc g, l;
            ck_assert_int_eq(html_parse(&A, URL, H[i], strlen(H[i]), &o, &g), HTML_OK);
            ck_assert_int_eq(scan_lex(&A, URL, H[i], strlen(H[i]), &o, &l), HTML_OK);
            char why[800];
            ck_assert_msg(!*doc_diff(&g, &l, why, sizeof why), "case %zu (want_text %d) %s: %s", i,
                          want, H[i], why);
        }
    finish();
}
END_TEST

/* scan_lex's own differences from html_parse (docs/worker.md). */
START_TEST(lex_differs)
{
    /* Character references: HTML 4 names with their ';' only, as scan_sax. */
    html_doc l = lex("<p>a &amp b &notit; c &NewLine; d &eacute;</p>");
    ck_assert_str_eq(l.text, "a &amp b &notit; c &NewLine; d \xC3\xA9");
    /* No tree construction: HTML5 leaves <svg> at a <p> and reads HTML at
     * SVG / MathML integration points; scan_lex stays foreign to </svg>. */
    l = lex("<svg><p><a href=/after>x</a></p></svg>");
    ck_assert_uint_eq(l.nlinks, 0);
    ck_assert_uint_eq(parse("<svg><p><a href=/after>x</a></p></svg>").nlinks, 1);
    l = lex("<math><mi><a href=/in-math>m</a></mi></math>");
    ck_assert_uint_eq(l.nlinks, 0);
    /* <noscript> in <head> stays open (hidden), as in scan_sax. */
    l = lex("<noscript><a href=/ns>n</a></noscript><p>p</p>");
    ck_assert_str_eq(l.text, "p");
    ck_assert_uint_eq(l.nlinks, 1);
    /* An end tag closes its element only within 256 open elements of the
     * top: past that it is ignored, and a hiding element stays open. */
    char h[4096] = "<noscript>";
    for (int i = 0; i < 300; i++)
        strcat(h, "<b>");
    strcat(h, "</noscript><p>shown</p><a href=/l>l</a>");
    l = lex(h);
    ck_assert_str_eq(l.text, "");
    ck_assert_uint_eq(l.nlinks, 1);
    ck_assert_str_eq(parse(h).text, "shown l");
    finish();
}
END_TEST

/* Elements never closed and end tags that match nothing: each end tag looks
 * at most 256 elements down, so 200,000 of each stay linear. */
START_TEST(lex_unclosed_and_unmatched)
{
    enum { N = 200000 };
    size_t len = 0, cap = (size_t)N * 10 + 64;
    char *html = malloc(cap);
    ck_assert_ptr_nonnull(html);
    for (int i = 0; i < N; i++)
        memcpy(html + len, "<p>", 3), len += 3;
    for (int i = 0; i < N; i++)
        memcpy(html + len, "</div>", 6), len += 6;
    len += (size_t)snprintf(html + len, cap - len, "<a href=/end>e</a>");
    long long t0 = testutil_now_ms();
    html_options o = {.want_text = 1};
    html_doc d;
    ck_assert_int_eq(scan_lex(&A, URL, html, len, &o, &d), HTML_OK);
    long long ms = testutil_now_ms() - t0;
    fprintf(stderr, "scan_lex unclosed_and_unmatched: %zu bytes in %lld ms\n", len, ms);
    ck_assert_uint_eq(d.nlinks, 1);
    ck_assert_str_eq(d.text, "e");
    ck_assert_int_lt(ms, 5000); /* quadratic: minutes */
    free(html);
    finish();
}
END_TEST

/* ---- hostile input -------------------------------------------------------- */

START_TEST(deep_nesting)
{
    DRV = DRIVERS[_i];
    enum { DEPTH = 100000 };
    size_t len;
    char *html = nested_doc("<div>", DEPTH, "<a href='/deep'>bottom</a>", &len);
    html_doc d = scan_n(html, len, NULL, 1);
    free(html);
    ck_assert_uint_eq(d.nlinks, 1);
    ck_assert_str_eq(d.links[0], "http://example.com/deep");
    ck_assert_uint_ge(d.max_depth, DEPTH);
    ck_assert_uint_ge(d.elements, DEPTH + (_i ? 1 : 2)); /* scan_lex implies no html, body */
    ck_assert_str_eq(d.text, "bottom");
    finish();
}
END_TEST

/* max_depth bounds gumbo's work for page.c's guard, so it counts what
 * gumbo nests too: <template> contents (HTML5 builds them as elements),
 * and elements after a stray end tag that stopped libxml2 before. */
START_TEST(depth_counts_template_contents_and_after_a_stop)
{
    DRV = DRIVERS[_i];
    enum { DEPTH = 2000 };
    static const char *const pre[] = {"<template>", "</div>", "<p>x</p></html>",
                                      "<template><template>"};
    for (size_t k = 0; k < sizeof pre / sizeof pre[0]; k++) {
        size_t len = strlen(pre[k]) + (size_t)DEPTH * 5;
        char *html = malloc(len + 1);
        ck_assert_ptr_nonnull(html);
        strcpy(html, pre[k]);
        for (size_t i = 0; i < DEPTH; i++)
            memcpy(html + strlen(pre[k]) + i * 5, "<div>", 5);
        html[len] = '\0';
        html_doc d = scan_n(html, len, NULL, 0);
        free(html);
        ck_assert_msg(d.max_depth >= DEPTH, "%s: max_depth %zu", pre[k], d.max_depth);
        arena_reset(&A, 0);
    }
    finish();
}
END_TEST

/* Peak RSS grows by less than limit_mb over fn (it runs in a forked child
 * by Check, so the peak is this test's). */
static long peak_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

START_TEST(million_attributes_refused)
{
    DRV = DRIVERS[_i];
    enum { N = 1000000 };
    size_t cap = (size_t)N * 12 + 64, len = 0;
    char *html = malloc(cap);
    ck_assert_ptr_nonnull(html);
    len += (size_t)snprintf(html, cap, "<a href=/before>b</a><p ");
    for (size_t i = 0; i < N; i++)
        len += (size_t)snprintf(html + len, cap - len, "a%zu=1 ", i);
    len += (size_t)snprintf(html + len, cap - len, ">x</p><a href=/after>a</a>");
    long kb0 = peak_kb();
    long long t0 = testutil_now_ms();
    html_options o = {.want_text = 1};
    html_doc d;
    ck_assert_int_eq(DRV(&A, URL, html, len, &o, &d), HTML_PARSE);
    long long ms = testutil_now_ms() - t0;
    fprintf(stderr, "%s million_attributes: %zu bytes refused in %lld ms, peak RSS +%ld MB\n",
            DRIVER_NAME[_i], len, ms, (peak_kb() - kb0) / 1024);
    ck_assert_int_lt(ms, 5000);
    ck_assert_int_lt(peak_kb() - kb0, 256 * 1024);
    /* Wherever the tag starts against the feeding chunks, and after
     * constructs that make the push parser wait (a long comment, text). */
    static const char *const LEAD[] = {"%s",
                                       "x%s",
                                       "<!-- %s -->",
                                       "<script>%s</script>",
                                       "<!DOCTYPE html %s>",
                                       "<div title='%s'>"};
    for (size_t l = 0; l < sizeof LEAD / sizeof LEAD[0]; l++) {
        for (size_t pad = SCAN_CHUNK - 3; pad <= SCAN_CHUNK * 3 + 1; pad += 1025) {
            char filler[4096];
            memset(filler, 'f', pad);
            filler[pad] = '\0';
            char lead[8192];
            int ll = snprintf(lead, sizeof lead, LEAD[l], filler);
            size_t n = (size_t)ll;
            memcpy(html, lead, n);
            n += (size_t)snprintf(html + n, cap - n, "<p ");
            for (size_t i = 0; i < 20000; i++)
                n += (size_t)snprintf(html + n, cap - n, "b%zu ", i);
            n += (size_t)snprintf(html + n, cap - n, ">x</p>");
            t0 = testutil_now_ms();
            ck_assert_msg(DRV(&A, URL, html, n, &o, &d) == HTML_PARSE, "lead %zu pad %zu", l, pad);
            ck_assert_int_lt(testutil_now_ms() - t0, 1000);
            arena_reset(&A, 0);
        }
    }
    /* At the limit it parses. */
    len = (size_t)snprintf(html, cap, "<p ");
    for (size_t i = 0; i < SCAN_MAX_ATTRS; i++)
        len += (size_t)snprintf(html + len, cap - len, "a%zu=1 ", i);
    len += (size_t)snprintf(html + len, cap - len, "href=/x>x</p><a href=/after>a</a>");
    ck_assert_int_eq(DRV(&A, URL, html, len, &o, &d), HTML_PARSE); /* 1025 */
    len = (size_t)snprintf(html, cap, "<p ");
    for (size_t i = 0; i < SCAN_MAX_ATTRS; i++)
        len += (size_t)snprintf(html + len, cap - len, "a%zu=1 ", i);
    len += (size_t)snprintf(html + len, cap - len, ">x</p><a href=/after>a</a>");
    ck_assert_int_eq(DRV(&A, URL, html, len, &o, &d), HTML_OK);
    ck_assert_uint_eq(d.nlinks, 1);
    free(html);
    finish();
}
END_TEST

START_TEST(ten_megabytes)
{
    DRV = DRIVERS[_i];
    size_t len, items;
    char *html = big_page(10u << 20, &len, &items);
    long long t0 = testutil_now_ms();
    html_doc d = scan_n(html, len, NULL, 1);
    long long ms = testutil_now_ms() - t0;
    fprintf(stderr, "%s ten_megabytes: %.1f MB in %lld ms, arena peak %.0f MB\n", DRIVER_NAME[_i],
            (double)len / 1e6, ms, (double)A.peak_used / 1e6);
    ck_assert_str_eq(d.title, "Big page");
    ck_assert_uint_eq(d.nlinks, items);
    ck_assert_uint_eq(d.skipped_links, items);
    ck_assert_uint_gt(d.text_len, len / 4);
    ck_assert_ptr_nonnull(strstr(d.text, "Item 0 Some words about item 0 & more words"));
    /* One long tag, one long comment, one long script: fed as they come. */
    memcpy(html, "<a title='", 10);
    memset(html + 10, 'x', len - 30);
    memcpy(html + len - 20, "' href=/t>y</a>    ", 19);
    t0 = testutil_now_ms();
    d = scan_n(html, len - 1, NULL, 0);
    ms = testutil_now_ms() - t0;
    ck_assert_uint_eq(d.nlinks, 1);
    ck_assert_int_lt(ms, 10000);
    memcpy(html, "<!--", 4);
    memset(html + 4, 'y', len - 20);
    memcpy(html + len - 16, "--><a href=/c>", 14);
    d = scan_n(html, len - 2, NULL, 0);
    ck_assert_uint_eq(d.nlinks, 1);
    memcpy(html, "<script>", 8);
    memset(html + 8, ' ', len - 30);
    memcpy(html + len - 22, "</script><a href=/s>", 20);
    d = scan_n(html, len - 2, NULL, 0);
    ck_assert_uint_eq(d.nlinks, 1);
    free(html);
    finish();
}
END_TEST

START_TEST(nul_and_garbage)
{
    DRV = DRIVERS[_i];
    enum { LEN = 256 * 1024 };
    char *buf = malloc(LEN);
    ck_assert_ptr_nonnull(buf);
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int round = 0; round < 6; round++) {
        for (size_t i = 0; i < LEN; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            buf[i] = round < 2 ? (char)x : "<a href=/\0>x\"' =&;#\xff\xc3"[x % 20];
        }
        html_options o = {.want_text = 1};
        html_doc d;
        ck_assert_int_eq(DRV(&A, URL, buf, LEN, &o, &d), HTML_OK);
        ck_assert_uint_eq(d.text_len, strlen(d.text));
        for (size_t i = 0; i < d.nlinks; i++)
            ck_assert(!strncmp(d.links[i], "http", 4));
        arena_reset(&A, 0);
    }
    /* All NUL. */
    memset(buf, 0, LEN);
    html_doc d = scan_n(buf, LEN, NULL, 1);
    ck_assert_str_eq(d.text, "");
    free(buf);
    finish();
}
END_TEST

START_TEST(too_big_refused)
{
    DRV = DRIVERS[_i];
    html_options o = {0};
    html_doc d;
    /* Refused before a byte is read, like html_parse. */
    ck_assert_int_eq(DRV(&A, URL, "x", HTML_MAX_PARSE_BYTES + 1, &o, &d), HTML_PARSE);
    ck_assert_int_eq(html_parse(&A, URL, "x", HTML_MAX_PARSE_BYTES + 1, &o, &d), HTML_PARSE);
    finish();
}
END_TEST

START_TEST(nomem_is_an_error)
{
    DRV = DRIVERS[_i];
    const char *html = "<title>Caf\xe9</title>";
    html_options o = {.content_type_charset = "latin1"};
    html_doc d;
    alloc_fail_after(1);
    html_err e = DRV(&A, URL, html, strlen(html), &o, &d);
    alloc_fail_reset();
    ck_assert_int_eq(e, HTML_NOMEM);
    finish();
}
END_TEST

START_TEST(lives_in_arena)
{
    DRV = DRIVERS[_i];
    html_doc d = scan("<title>x</title><a href='/a'>a</a><p>text</p>");
    ck_assert_str_eq(d.links[0], "http://example.com/a");
    ck_assert_str_eq(d.title, "x");
    /* libxml2 allocates with malloc: all of it is freed by the end of each
     * page (malloc's in-use bytes come back exactly). */
    const char *h = "<html><head><title>T</title><script>var x = '<a>';</script></head><body>"
                    "<div><p>one &amp; two<a href='/a?b=1&amp;c'>a</a><svg><a href=/s>s</a></svg>"
                    "<table><tr><td>x<td>y</table><p a=1 a=2 b c>unclosed</b></i>";
    for (int i = 0; i < 3; i++)
        scan(h);
    arena_reset(&A, 0);
    size_t used0 = 0;
    for (int i = 0; i < 200; i++) {
        d = scan(h);
        arena_reset(&A, 0);
        if (i == 10) /* after the first pages' one-off allocations */
            used0 = mallinfo2().uordblks;
        if (i > 10)
            ck_assert_uint_eq(mallinfo2().uordblks, used0);
    }
    ck_assert_uint_eq(mallinfo2().uordblks, used0);
    finish(); /* live bytes back to the baseline */
}
END_TEST

Suite *scan_suite(void)
{
    Suite *s = suite_create("scan");
    TCase *tc = tcase_create("same");
    tcase_add_checked_fixture(tc, setup_scan, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, same_as_html_parse_on_fixtures);
    tcase_add_test(tc, same_as_html_parse_on_charsets);
    tcase_add_test(tc, same_as_html_parse_on_fuzz_seeds);
    tcase_add_test(tc, same_as_html_parse_on_site_pages);
    tcase_add_test(tc, invalid_utf8_same_as_html_parse);
    tcase_add_test(tc, same_after_the_element_stack_empties);
    suite_add_tcase(s, tc);

    tc = tcase_create("lex");
    tcase_add_checked_fixture(tc, setup_scan, NULL);
    tcase_add_test(tc, lex_same_as_html_parse_at_tokenizer_corners);
    tcase_add_test(tc, lex_differs);
    tcase_add_test(tc, lex_keeps_what_the_link_rule_reads);
    suite_add_tcase(s, tc);

    tc = tcase_create("hostile");
    tcase_add_checked_fixture(tc, setup_scan, NULL);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, deep_nesting, 0, 2);
    tcase_add_test(tc, lex_unclosed_and_unmatched);
    tcase_add_loop_test(tc, depth_counts_template_contents_and_after_a_stop, 0, 2);
    tcase_add_loop_test(tc, million_attributes_refused, 0, 2);
    tcase_add_loop_test(tc, ten_megabytes, 0, 2);
    tcase_add_loop_test(tc, nul_and_garbage, 0, 2);
    tcase_add_loop_test(tc, too_big_refused, 0, 2);
    tcase_add_loop_test(tc, nomem_is_an_error, 0, 2);
    tcase_add_loop_test(tc, lives_in_arena, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(scan_suite()); }
