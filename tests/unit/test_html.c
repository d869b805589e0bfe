/* test_html — html_parse (and its two steps, html_tree_build and
 * html_tree_extract) and html_sniff_charset: title, base, links, robots,
 * canonical, text, charsets, hostile input (deep nesting, 10 MB, garbage),
 * gumbo's time budget, and that a whole parse lives in the arena. */
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

#define ck_has_link(d, u) ck_assert_msg(link_index(&(d), (u)) >= 0, "missing link %s", (u))
#define ck_no_link(d, u) ck_assert_msg(link_index(&(d), (u)) < 0, "unexpected link %s", (u))

/* Strict UTF-8: no overlongs, surrogates or code points past U+10FFFF
 * (jansson refuses such strings in the result message). */
static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p, n, cp;
        if (c < 0x80) {
            p++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 1, cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2, cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3, cp = c & 0x07;
        } else {
            return 0;
        }
        for (unsigned i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        p += n + 1;
    }
    return 1;
}

/* ---- title ---------------------------------------------------------------- */

START_TEST(title_whitespace)
{
    html_doc d = parse("<html><head><title>\n  Hello \t\r\n  World  </title></head></html>");
    ck_assert_str_eq(d.title, "Hello World");
    finish();
}
END_TEST

START_TEST(title_missing_and_empty)
{
    html_doc d = parse("<p>no title here</p>");
    ck_assert_ptr_null(d.title);
    d = parse("<title>   </title>");
    ck_assert_ptr_nonnull(d.title);
    ck_assert_str_eq(d.title, "");
    finish();
}
END_TEST

START_TEST(title_entities_first_only)
{
    html_doc d =
        parse("<title>Tom &amp; Jerry &lt;3 &eacute;&#x263A;</title><title>second</title>");
    ck_assert_str_eq(d.title, "Tom & Jerry <3 \xC3\xA9\xE2\x98\xBA");
    /* An SVG <title> is not the document's title. */
    d = parse("<body><svg><title>svg</title></svg><title>html</title></body>");
    ck_assert_str_eq(d.title, "html");
    finish();
}
END_TEST

/* ---- base ----------------------------------------------------------------- */

START_TEST(base_href_changes_resolution)
{
    /* The first <base href> applies to every link, even one before it. */
    html_doc d =
        parse("<a href='early'>e</a><base target=_blank><base href='http://other.example/x/'>"
              "<base href='http://third.example/'><a href='y?z=1'>y</a>"
              "<a href='/root'>r</a>");
    ck_assert_str_eq(d.base_href, "http://other.example/x/");
    ck_assert_uint_eq(d.nlinks, 3);
    ck_assert_str_eq(d.links[0], "http://other.example/x/early");
    ck_assert_str_eq(d.links[1], "http://other.example/x/y?z=1");
    ck_assert_str_eq(d.links[2], "http://other.example/root");

    d = parse("<base href='../up/'><a href='a'>a</a>");
    ck_assert_str_eq(d.base_href, "http://example.com/up/");
    ck_assert_str_eq(d.links[0], "http://example.com/up/a");

    /* A base that does not resolve to http(s) is ignored. */
    d = parse("<base href='javascript:void(0)'><a href='a'>a</a>");
    ck_assert_ptr_null(d.base_href);
    ck_assert_str_eq(d.links[0], "http://example.com/dir/a");
    finish();
}
END_TEST

/* ---- links ---------------------------------------------------------------- */

START_TEST(link_elements)
{
    html_doc d = parse("<head><link rel=next href='/n'><link rel='PREV' href='/p'>"
                       "<link rel='alternate' hreflang=de href='/de'>"
                       "<link rel=stylesheet href='/s.css'><link rel='alternate stylesheet' "
                       "href='/alt.css'><link rel=icon href='/i.ico'><link href='/norel'>"
                       "<link rel=preload href='/pre'></head><body>"
                       "<a href='/a'>a</a><a name=anchor>no href</a>"
                       "<map><area href='/area' alt=x></map><iframe src='/frame1'></iframe>"
                       "<img src='/img.png'><script src='/s.js'></script>"
                       "<template><a href='/inert'>t</a></template></body>");
    ck_has_link(d, "http://example.com/n");
    ck_has_link(d, "http://example.com/p");
    ck_has_link(d, "http://example.com/de");
    ck_has_link(d, "http://example.com/a");
    ck_has_link(d, "http://example.com/area");
    ck_has_link(d, "http://example.com/frame1");
    ck_no_link(d, "http://example.com/s.css");
    ck_no_link(d, "http://example.com/alt.css");
    ck_no_link(d, "http://example.com/i.ico");
    ck_no_link(d, "http://example.com/norel");
    ck_no_link(d, "http://example.com/pre");
    ck_no_link(d, "http://example.com/img.png");
    ck_no_link(d, "http://example.com/s.js");
    ck_no_link(d, "http://example.com/inert");
    ck_assert_uint_eq(d.nlinks, 6);
    ck_assert_uint_eq(d.skipped_links, 0);

    d = parse("<frameset><frame src='f1.html'><frame src='/f2.html'></frameset>");
    ck_assert_uint_eq(d.nlinks, 2);
    ck_assert_str_eq(d.links[0], "http://example.com/dir/f1.html");
    ck_assert_str_eq(d.links[1], "http://example.com/f2.html");
    finish();
}
END_TEST

START_TEST(link_relative_shapes)
{
    html_doc d = parse("<a href='../up.html'>1</a><a href='./same.html'>2</a>"
                       "<a href='//cdn.example.org/x'>3</a><a href='?q=1'>4</a>"
                       "<a href='#frag'>5</a><a href='other.html#frag'>6</a>"
                       "<a href='  spaced.html  '>7</a><a href='HTTPS://Example.COM:443/A'>8</a>"
                       "<a href='sub/'>9</a>");
    ck_assert_uint_eq(d.nlinks, 8);
    ck_assert_str_eq(d.links[0], "http://example.com/up.html");
    ck_assert_str_eq(d.links[1], "http://example.com/dir/same.html");
    ck_assert_str_eq(d.links[2], "http://cdn.example.org/x");
    ck_assert_str_eq(d.links[3], "http://example.com/dir/page.html?q=1");
    ck_assert_str_eq(d.links[4], "http://example.com/dir/other.html");
    ck_assert_str_eq(d.links[5], "http://example.com/dir/spaced.html");
    ck_assert_str_eq(d.links[6], "https://example.com/A");
    ck_assert_str_eq(d.links[7], "http://example.com/dir/sub/");
    ck_assert_uint_eq(d.skipped_links, 1); /* #frag */
    finish();
}
END_TEST

START_TEST(link_skipped_schemes)
{
    html_doc d = parse("<a href='javascript:void(0)'>j</a><a href='mailto:a@b.c'>m</a>"
                       "<a href='tel:+123'>t</a><a href='data:text/html,x'>d</a>"
                       "<a href='ftp://x/y'>f</a><a href=''>empty</a><a href='   '>ws</a>"
                       "<a href='JavaScript:alert(1)'>J</a><iframe src='about:blank'></iframe>"
                       "<a href='ok.html'>ok</a>");
    ck_assert_uint_eq(d.nlinks, 1);
    ck_assert_str_eq(d.links[0], "http://example.com/dir/ok.html");
    ck_assert_uint_eq(d.skipped_links, 9);
    finish();
}
END_TEST

START_TEST(link_duplicates_collapsed_in_order)
{
    /* Repeated hrefs and different spellings of one URL are kept once, at the
     * place of their first appearance; repeated skipped hrefs count each time. */
    html_doc d = parse("<a href='/b'>1</a><a href='/a'>2</a><a href='/b'>3</a>"
                       "<a href='http://EXAMPLE.com/a'>4</a><a href='../a#top'>5</a>"
                       "<a href='/c'>6</a><a href='mailto:x@y'>7</a><a href='mailto:x@y'>8</a>"
                       "<a href='/%7Eb'>9</a><a href='/~b'>10</a>");
    ck_assert_uint_eq(d.nlinks, 4);
    ck_assert_str_eq(d.links[0], "http://example.com/b");
    ck_assert_str_eq(d.links[1], "http://example.com/a");
    ck_assert_str_eq(d.links[2], "http://example.com/c");
    ck_assert_str_eq(d.links[3], "http://example.com/~b");
    ck_assert_uint_eq(d.skipped_links, 2);
    finish();
}
END_TEST

START_TEST(link_many_unique)
{
    /* Enough links to make the hash sets probe and wrap. */
    enum { N = 5000 };
    size_t cap = (size_t)N * 2 * 40, len = 0;
    char *html = malloc(cap);
    ck_assert_ptr_nonnull(html);
    for (int r = 0; r < 2; r++)
        for (int i = 0; i < N; i++)
            len += (size_t)snprintf(html + len, cap - len, "<a href='/p/%d'>x</a>", i);
    html_doc d = parse_n(html, len, NULL, 0);
    free(html);
    ck_assert_uint_eq(d.nlinks, N);
    ck_assert_str_eq(d.links[0], "http://example.com/p/0");
    ck_assert_str_eq(d.links[N - 1], "http://example.com/p/4999");
    finish();
}
END_TEST

START_TEST(link_rel_nofollow)
{
    html_doc d = parse("<a href='/f'>f</a><a rel='external NoFollow' href='/nf'>nf</a>"
                       "<a rel=nofollowx href='/x'>x</a><map><area rel=nofollow href='/na'></map>"
                       "<link rel='next nofollow' href='/next'>");
    ck_has_link(d, "http://example.com/f");
    ck_has_link(d, "http://example.com/x");
    ck_has_link(d, "http://example.com/next"); /* rel=nofollow applies to a/area */
    ck_no_link(d, "http://example.com/nf");
    ck_no_link(d, "http://example.com/na");
    ck_assert_uint_eq(d.nofollow_links, 2);
    ck_assert_uint_eq(d.nlinks, 3);
    finish();
}
END_TEST

/* ---- robots, canonical ---------------------------------------------------- */

START_TEST(meta_robots_variants)
{
    static const struct {
        const char *meta;
        int noindex, nofollow;
    } cases[] = {
        {"<meta name=robots content=noindex>", 1, 0},
        {"<meta name='ROBOTS' content='NOFOLLOW'>", 0, 1},
        {"<meta name=robots content='none'>", 1, 1},
        {"<meta name=robots content='noindex,nofollow'>", 1, 1},
        {"<meta name=Robots content=' noarchive , NoIndex '>", 1, 0},
        {"<meta name=robots content='index follow'>", 0, 0},
        {"<meta name=robots content='noindexing'>", 0, 0},
        {"<meta name=googlebot content='noindex,nofollow'>", 0, 0},
        {"<meta content='noindex' name=' robots '>", 1, 0},
        {"<meta name=robots>", 0, 0},
        {"<meta name=robots content=noindex><meta name=robots content=nofollow>", 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char html[256];
        snprintf(html, sizeof html, "<head>%s</head><a href='/x'>x</a>", cases[i].meta);
        html_doc d = parse(html);
        ck_assert_msg(d.meta_noindex == cases[i].noindex, "noindex for %s", cases[i].meta);
        ck_assert_msg(d.meta_nofollow == cases[i].nofollow, "nofollow for %s", cases[i].meta);
        ck_assert_uint_eq(d.nlinks, cases[i].nofollow ? 0 : 1);
        ck_assert_ptr_nonnull(d.links);
    }
    finish();
}
END_TEST

START_TEST(canonical)
{
    html_doc d = parse("<head><base href='http://b.example/d/'><link rel=Canonical href='c.html'>"
                       "<link rel=canonical href='/second'></head>");
    ck_assert_str_eq(d.canonical, "http://b.example/d/c.html");
    ck_assert_uint_eq(d.nlinks, 0); /* canonical is not a link to follow */
    d = parse("<link rel=canonical href='mailto:x@y'>");
    ck_assert_ptr_null(d.canonical);
    d = parse("<p>none</p>");
    ck_assert_ptr_null(d.canonical);
    finish();
}
END_TEST

/* ---- text ----------------------------------------------------------------- */

START_TEST(text_visible_only)
{
    const char *html = "<html><head><title>T</title><style>p{color:red}</style>"
                       "<script>var hidden = 1;</script></head><body>\n"
                       "  <h1>Head  line</h1><p>First\tpara&nbsp;x</p><p>Hel<b>lo</b> "
                       "<i>world</i></p><script>alert('no')</script><noscript>nojs</noscript>"
                       "<template><p>inert</p></template><style>.x{}</style>"
                       "<ul><li>one</li><li>two</li></ul>end<br>after<!-- comment --></body>"
                       "</html>";
    html_doc d = parse(html);
    ck_assert_str_eq(d.text, "Head line First para\xC2\xA0x Hello world one two end after");
    ck_assert_uint_eq(d.text_len, strlen(d.text));
    ck_assert_str_eq(d.title, "T");

    /* Without want_text: text_len only. */
    html_doc d2 = parse_n(html, strlen(html), NULL, 0);
    ck_assert_ptr_null(d2.text);
    ck_assert_uint_eq(d2.text_len, d.text_len);

    d = parse("<p>   </p>");
    ck_assert_str_eq(d.text, "");
    ck_assert_uint_eq(d.text_len, 0);
    finish();
}
END_TEST

/* ---- the two steps -------------------------------------------------------- */

START_TEST(tree_steps)
{
    /* html_tree_build only builds: nothing is extracted until
     * html_tree_extract, which then gives what html_parse gives. */
    const char *html = "<html><head><title>T</title><base href='/b/'></head><body>"
                       "<a href='x'>x</a><p>text</p></body></html>";
    html_options o = {.want_text = 1};
    html_doc d;
    ck_assert_int_eq(html_tree_build(&A, html, strlen(html), &o, &d), HTML_OK);
    ck_assert_ptr_nonnull(d.gumbo_output);
    ck_assert_str_eq(d.charset, "utf-8");
    ck_assert_ptr_null(d.title);
    ck_assert_ptr_null(d.text);
    ck_assert_uint_eq(d.nlinks, 0);
    ck_assert_uint_eq(d.elements, 0);
    ck_assert_int_eq(html_tree_extract(&A, URL, &o, &d), HTML_OK);
    html_doc p = parse(html);
    ck_assert_str_eq(d.title, p.title);
    ck_assert_str_eq(d.text, p.text);
    ck_assert_str_eq(d.base_href, p.base_href);
    ck_assert_uint_eq(d.nlinks, 1);
    ck_assert_str_eq(d.links[0], "http://example.com/b/x");
    ck_assert_uint_eq(d.elements, p.elements);
    ck_assert_uint_eq(d.max_depth, p.max_depth);

    /* No tree (a failed build, or none at all): nothing to extract. */
    const char *bad = "<table><tr><svg><title><![CDATA[x]]>t"; /* gumbo's assertion */
    ck_assert_int_eq(html_tree_build(&A, bad, strlen(bad), &o, &d), HTML_PARSE);
    ck_assert_ptr_null(d.gumbo_output);
    ck_assert_int_eq(html_tree_extract(&A, URL, &o, &d), HTML_PARSE);
    html_doc none = {0};
    ck_assert_int_eq(html_tree_extract(&A, URL, &o, &none), HTML_PARSE);
    ck_assert_ptr_nonnull(none.parse_error);
    finish();
}
END_TEST

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

/* ---- hostile and edge input ----------------------------------------------- */

START_TEST(empty_document)
{
    html_doc d = parse_n("", 0, NULL, 1);
    ck_assert_ptr_null(d.title);
    ck_assert_uint_eq(d.nlinks, 0);
    ck_assert_str_eq(d.text, "");
    ck_assert_uint_eq(d.elements, 3); /* html, head, body */
    ck_assert_ptr_nonnull(d.gumbo_output);
    d = parse_n(NULL, 0, NULL, 0);
    ck_assert_uint_eq(d.text_len, 0);
    finish();
}
END_TEST

START_TEST(deep_nesting)
{
    /* gumbo builds this iteratively but in O(depth^2) time (each <div> scans
     * the open elements for a <p>); the walk must not recurse. */
    enum { DEPTH = 100000 };
    size_t len;
    char *html = nested_doc("<div>", DEPTH, "<a href='/deep'>bottom</a>", &len);
    html_doc d = parse_n(html, len, NULL, 1);
    free(html);
    ck_assert_uint_eq(d.nlinks, 1);
    ck_assert_str_eq(d.links[0], "http://example.com/deep");
    ck_assert_uint_ge(d.max_depth, DEPTH);
    ck_assert_uint_ge(d.elements, DEPTH + 3);
    ck_assert_str_eq(d.text, "bottom");
    finish();
}
END_TEST

START_TEST(deep_nesting_inline)
{
    /* <span> nesting costs gumbo O(depth): go deeper. */
    enum { DEPTH = 300000 };
    size_t len;
    char *html = nested_doc("<span>", DEPTH, "<a href='/s'>s</a>", &len);
    html_doc d = parse_n(html, len, NULL, 0);
    free(html);
    ck_assert_uint_eq(d.nlinks, 1);
    ck_assert_uint_ge(d.max_depth, DEPTH);
    finish();
}
END_TEST

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

START_TEST(ten_megabytes)
{
    size_t len, items;
    char *html = big_page(10u << 20, &len, &items);
    double t0 = now();
    html_doc d = parse_n(html, len, NULL, 1);
    double t = now() - t0;
    free(html);
    fprintf(stderr, "ten_megabytes: %.1f MB in %.2f s (%.1f MB/s), arena peak %.0f MB\n",
            (double)len / 1e6, t, (double)len / 1e6 / t, (double)A.peak_used / 1e6);
    ck_assert_str_eq(d.title, "Big page");
    ck_assert_uint_eq(d.nlinks, items);
    ck_assert_uint_eq(d.skipped_links, items);
    char last[64];
    snprintf(last, sizeof last, "http://example.com/item/%zu", items - 1);
    ck_assert_str_eq(d.links[items - 1], last);
    ck_assert_uint_gt(d.text_len, len / 4);
    ck_assert_ptr_nonnull(strstr(d.text, "Item 0 Some words about item 0 & more words"));
    finish();
}
END_TEST

static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

START_TEST(garbage_input)
{
    static const char *pieces[] = {
        "<",
        ">",
        "</",
        "<a href='",
        "<table>",
        "<td>",
        "<tr>",
        "<svg>",
        "<math>",
        "<template>",
        "</template>",
        "<!--",
        "-->",
        "&#x",
        "&amp",
        ";",
        "\0",
        "<b>",
        "</b>",
        "<p>",
        "</p>",
        "<select>",
        "<option>",
        "<frameset>",
        "<script>",
        "</script>",
        "<meta ",
        "charset=",
        "\"",
        "'",
        "=",
        " ",
        "<base href=",
        "<title>",
        "<iframe src=",
        "<form>",
        "<li>",
        "<nobr>",
        "<font>",
        "</div>",
        "<div>",
        "<caption>",
        "<col>",
        "<foreignObject>",
        "<desc>",
        "<mi>",
        "<annotation-xml encoding=text/html>",
        "<plaintext>",
        "<textarea>",
        "\xff",
        "\xc3",
        "\xe2\x82",
        "<!DOCTYPE html>",
        "<?x",
        "<![CDATA[",
        "]]>",
        "<image>",
        "<isindex>",
        "<noscript>",
        "<rt>",
        "<ruby>",
        "<h1>",
        "<h2>",
        "</h1>",
        "<button>",
    };
    enum { LEN = 256 * 1024 };
    char *buf = malloc(LEN);
    ck_assert_ptr_nonnull(buf);
    for (int round = 0; round < 12; round++) {
        rng_state = 0x9E3779B97F4A7C15ULL * (uint64_t)(round + 1);
        size_t n = 0;
        if (round < 4) { /* raw random bytes */
            for (n = 0; n < LEN; n++)
                buf[n] = (char)rng();
        } else { /* random tag soup */
            while (n < LEN - 64) {
                const char *p = pieces[rng() % (sizeof pieces / sizeof pieces[0])];
                size_t pl = *p ? strlen(p) : 1;
                memcpy(buf + n, p, pl);
                n += pl;
                if (rng() % 3 == 0)
                    buf[n++] = (char)('a' + rng() % 26);
            }
        }
        static const char *charsets[] = {NULL, "shift_jis", "utf-16le", "iso-2022-jp"};
        html_options o = {.content_type_charset = charsets[round % 4], .want_text = 1};
        html_doc d;
        ck_assert_int_eq(html_parse(&A, URL, buf, n, &o, &d), HTML_OK);
        ck_assert_uint_eq(d.text_len, d.text ? strlen(d.text) : 0);
        ck_assert(valid_utf8(d.text));
        ck_assert(!d.title || valid_utf8(d.title));
        ck_assert(!d.charset_note || valid_utf8(d.charset_note));
        for (size_t i = 0; i < d.nlinks; i++)
            ck_assert(!strncmp(d.links[i], "http", 4) && valid_utf8(d.links[i]));
        arena_reset(&A, 0);
    }
    free(buf);
    finish();
}
END_TEST

START_TEST(lives_in_arena)
{
    const char *html = "<title>x</title><a href='/a'>a</a><p>text</p>";
    html_doc d = parse(html);
    ck_assert_uint_gt(alloc_live_bytes(), live0); /* the arena's chunks */
    ck_assert_uint_gt(arena_used(&A), 0);
    ck_assert_str_eq(d.links[0], "http://example.com/a");
    finish(); /* live bytes back to the baseline */
}
END_TEST

START_TEST(nomem_is_an_error)
{
    /* Our own allocations report HTML_NOMEM (here: the decode buffer). */
    const char *html = "<title>Caf\xe9</title>";
    html_options o = {.content_type_charset = "latin1"};
    html_doc d;
    alloc_fail_after(1);
    html_err e = html_parse(&A, URL, html, strlen(html), &o, &d);
    alloc_fail_reset();
    ck_assert_int_eq(e, HTML_NOMEM);
    finish();
}
END_TEST

START_TEST(gumbo_oom_is_nomem)
{
    /* gumbo cannot handle NULL from its allocator: the parse is left instead,
     * and the arena stays usable. */
    const char *html = "<title>x</title><p>some text</p>";
    html_doc d;
    alloc_fail_after(1);
    html_err e = html_parse(&A, URL, html, strlen(html), NULL, &d);
    alloc_fail_reset();
    ck_assert_int_eq(e, HTML_NOMEM);
    d = parse(html);
    ck_assert_str_eq(d.title, "x");
    finish();
}
END_TEST

START_TEST(gumbo_assertion_is_parse_error)
{
    /* Debian's gumbo 0.10.1 fails an assertion on this input: the page gets
     * its error, the process lives and counts it (the worker retires on it). */
    const char *bad = "<table><tr><svg><title><![CDATA[x]]>t";
    struct sigaction before, after;
    sigaction(SIGABRT, NULL, &before);
    unsigned long n0 = html_gumbo_assertions();
    for (int i = 0; i < 3; i++) { /* again and again: the escape is re-armed */
        html_doc d;
        ck_assert_int_eq(html_parse(&A, URL, bad, strlen(bad), NULL, &d), HTML_PARSE);
        ck_assert_ptr_nonnull(d.parse_error);
        ck_assert_msg(!strncmp(d.parse_error, "the HTML parser failed an assertion (src/parser.c:",
                               strlen("the HTML parser failed an assertion (src/parser.c:")),
                      "parse_error: %s", d.parse_error);
        ck_assert_ptr_null(d.gumbo_output);
    }
    ck_assert_uint_eq(html_gumbo_assertions(), n0 + 3);
    sigaction(SIGABRT, NULL, &after);
    ck_assert_ptr_eq((void *)after.sa_handler, (void *)before.sa_handler);
    html_doc d = parse("<title>after</title><a href='/ok'>ok</a>");
    ck_assert_str_eq(d.title, "after");
    ck_assert_uint_eq(d.nlinks, 1);
    ck_assert_uint_eq(html_gumbo_assertions(), n0 + 3); /* a good page is not counted */
    finish();
}
END_TEST

/* A page gumbo needs more than the arena's first chunk for: the second
 * allocation from the process allocator is made by gumbo_alloc, under
 * gumbo (the first is the chunk html_prepare takes). */
static void abort_in_gumbo_alloc(void *arg)
{
    (void)arg;
    size_t n = 4000;
    char *html = malloc(n * 8 + 1);
    if (!html)
        return;
    for (size_t i = 0; i < n; i++)
        memcpy(html + i * 8, "<p>x</p>", 8);
    alloc_abort_after(2);
    html_doc d;
    html_err e = html_parse(&A, URL, html, n * 8, NULL, &d);
    alloc_fail_reset();
    fprintf(stderr, "html_parse returned %d: %s\n", (int)e, d.parse_error ? d.parse_error : "");
    free(html);
    arena_release(&A);
}

START_TEST(abort_in_allocator_under_gumbo_is_not_caught)
{
    /* The debug allocator aborts with its mutex held, glibc's heap checks
     * with an arena lock held: an abort while gumbo waits for our allocator
     * must end the process, never be jumped out of. */
    char out[4096];
    int status = testutil_fork_capture(abort_in_gumbo_alloc, NULL, out, sizeof out);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
                  "expected death by SIGABRT, status %d: %s", status, out);
    finish();
}
END_TEST

static void assert_of_our_own(void *arg)
{
    (void)arg;
    const char *why = "an assertion outside gumbo";
    /* What assert() expands to, whatever NDEBUG says. */
    __assert_fail(why, __FILE__, __LINE__, __func__);
}

START_TEST(assertion_outside_gumbo_still_aborts)
{
    /* html.c's __assert_fail stands in for glibc's in the whole process:
     * every assertion that is not gumbo's under a parse still prints its
     * message and ends the process with SIGABRT. Before a parse and after
     * one that left gumbo on an assertion. */
    char out[4096];
    int status = testutil_fork_capture(assert_of_our_own, NULL, out, sizeof out);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "status %d: %s", status, out);
    ck_assert_msg(strstr(out, "an assertion outside gumbo") && strstr(out, "test_html.c"),
                  "message: %s", out);
    const char *bad = "<table><tr><svg><title><![CDATA[x]]>t";
    html_doc d;
    ck_assert_int_eq(html_parse(&A, URL, bad, strlen(bad), NULL, &d), HTML_PARSE);
    status = testutil_fork_capture(assert_of_our_own, NULL, out, sizeof out);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "status %d: %s", status, out);
    finish();
}
END_TEST

static volatile sig_atomic_t own_handler_calls;
static void own_handler(int sig)
{
    (void)sig;
    own_handler_calls++;
}

START_TEST(own_abort_handler_kept)
{
    /* A handler the process had is back after the parse, and was not called
     * for gumbo's assertion. */
    struct sigaction sa, now;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = own_handler;
    sigaction(SIGABRT, &sa, NULL);
    const char *bad = "<table><tr><svg><title><![CDATA[x]]>t";
    html_doc d;
    ck_assert_int_eq(html_parse(&A, URL, bad, strlen(bad), NULL, &d), HTML_PARSE);
    sigaction(SIGABRT, NULL, &now);
    ck_assert_ptr_eq((void *)now.sa_handler, (void *)own_handler);
    ck_assert_int_eq(own_handler_calls, 0);
    raise(SIGABRT);
    ck_assert_int_eq(own_handler_calls, 1);
    finish();
}
END_TEST

START_TEST(abort_outside_parse_still_aborts)
{
    /* raise, not abort(): a binary linked with libmozjs-102 gets mozalloc's
     * abort(), which ends in SIGSEGV. */
    html_doc d = parse("<p>x</p>");
    (void)d;
    raise(SIGABRT);
}
END_TEST

/* ---- time budget ---------------------------------------------------------- */

/* <th><font> n times, then text bytes of 'x': libxml2 closes every <th> (the
 * scan's depth is 4), HTML5 ignores a <th> outside a table and keeps all n
 * <font>s open. gumbo's time is quadratic in n from the tags; then every
 * character looks for the newest <font> in the open stack from its bottom,
 * allocating nothing (n = 20,000 and 1 MB of text: 6.5 s, up to 2.2 s
 * between two allocations). The caller frees it. */
static char *thfont_doc(size_t n, size_t text, size_t *len)
{
    static const char head[] = "<title>Th font</title><a href='/before'>b</a>";
    static const char unit[] = "<th><font>";
    size_t u = sizeof unit - 1, h = sizeof head - 1;
    *len = h + n * u + text;
    char *html = malloc(*len + 1);
    ck_assert_ptr_nonnull(html);
    memcpy(html, head, h);
    for (size_t i = 0; i < n; i++)
        memcpy(html + h + i * u, unit, u);
    memset(html + h + n * u, 'x', text);
    html[*len] = '\0';
    return html;
}

/* html_parse with a budget; *ms: how long it took. */
static html_err parse_budget(const char *html, size_t len, long budget, html_doc *d, double *ms)
{
    html_options o = {.want_text = 1, .parse_budget_ms = budget};
    double t0 = now();
    html_err e = html_parse(&A, URL, html, len, &o, d);
    *ms = (now() - t0) * 1000;
    return e;
}

START_TEST(budget_leaves_gumbo_in_text)
{
    /* gumbo allocates nothing for seconds here: only the timer stops it in
     * time. Again and again: the timer is made anew each parse. */
    size_t len;
    char *html = thfont_doc(20000, 1000000, &len);
    for (int i = 0; i < 3; i++) {
        html_doc d;
        double ms;
        ck_assert_int_eq(parse_budget(html, len, 100, &d, &ms), HTML_TOO_SLOW);
        ck_assert_str_eq(d.parse_error, "the HTML parser took over 100 ms");
        ck_assert_ptr_null(d.gumbo_output);
        ck_assert_msg(ms >= 100 && ms < 1000, "parse left after %.0f ms", ms);
    }
    free(html);
    html_doc d = parse("<title>after</title><a href='/ok'>ok</a>"); /* the arena is fine */
    ck_assert_str_eq(d.title, "after");
    ck_assert_uint_eq(d.nlinks, 1);
    finish(); /* nothing gumbo held outlives the arena */
}
END_TEST

START_TEST(budget_leaves_gumbo_in_tags)
{
    /* 200,000 pairs, no text: ~7 s of allocating tag after tag. */
    size_t len;
    char *html = thfont_doc(200000, 0, &len);
    html_doc d;
    double ms;
    ck_assert_int_eq(parse_budget(html, len, 100, &d, &ms), HTML_TOO_SLOW);
    free(html);
    ck_assert_str_eq(d.parse_error, "the HTML parser took over 100 ms");
    ck_assert_msg(ms >= 100 && ms < 1000, "parse left after %.0f ms", ms);
    finish();
}
END_TEST

/* The child of budget_without_timer_reads_the_clock: with no queued signal
 * allowed, a 100 ms budget on the tag-driven page. It changes a limit of its
 * own process only (Check's test process keeps its limits, and a hard limit
 * lowered there could not be raised again without CAP_SYS_RESOURCE: Check's
 * timer would then fall back to another clock and time the test wrongly).
 * It reports on stderr, for the parent to assert on. */
static void parse_without_timers(void *arg)
{
    const char *html = arg;
    struct rlimit rl;
    if (getrlimit(RLIMIT_SIGPENDING, &rl) != 0) {
        fprintf(stderr, "getrlimit failed\n");
        return;
    }
    rl.rlim_cur = 0; /* the soft limit is the one the kernel applies */
    if (setrlimit(RLIMIT_SIGPENDING, &rl) != 0) {
        fprintf(stderr, "setrlimit failed\n");
        return;
    }
    timer_t t;
    struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN + 2};
    int timer_refused = timer_create(CLOCK_MONOTONIC, &ev, &t) != 0;
    html_doc d;
    double ms;
    html_err e = parse_budget(html, strlen(html), 100, &d, &ms);
    fprintf(stderr, "timer_refused=%d err=%d ms=%.0f error=%s\n", timer_refused, (int)e, ms,
            d.parse_error ? d.parse_error : "(none)");
    arena_release(&A);
}

START_TEST(budget_without_timer_reads_the_clock)
{
    /* No queued signal allowed: timer_create fails (EAGAIN), and gumbo_alloc
     * reads the clock instead, which stops the tag-driven parse in time. */
    size_t len;
    char *html = thfont_doc(200000, 0, &len);
    struct rlimit before, after;
    ck_assert_int_eq(getrlimit(RLIMIT_SIGPENDING, &before), 0);
    char out[4096];
    int status = testutil_fork_capture(parse_without_timers, html, out, sizeof out);
    free(html);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d: %s", status,
                  out);
    int refused = -1, err = -1;
    double ms = -1;
    char perr[200] = "";
    ck_assert_msg(sscanf(out, "timer_refused=%d err=%d ms=%lf error=%199[^\n]", &refused, &err, &ms,
                         perr) == 4,
                  "child said: %s", out);
    ck_assert_int_eq(refused, 1); /* what the test relies on */
    ck_assert_int_eq(err, HTML_TOO_SLOW);
    ck_assert_str_eq(perr, "the HTML parser took over 100 ms");
    ck_assert_msg(ms >= 100 && ms < 1000, "parse left after %.0f ms", ms);
    ck_assert_int_eq(getrlimit(RLIMIT_SIGPENDING, &after), 0); /* ours is untouched */
    ck_assert_uint_eq(after.rlim_cur, before.rlim_cur);
    ck_assert_uint_eq(after.rlim_max, before.rlim_max);
    finish();
}
END_TEST

/* What a page's scripts may take between the two steps. */
static void slow_edit(int *ran)
{
    *ran += 1;
    struct timespec ts = {0, 150 * 1000000}; /* past the budget: it no longer runs */
    nanosleep(&ts, NULL);
}

static volatile sig_atomic_t budget_signals;
static void count_budget_signal(int sig)
{
    (void)sig;
    budget_signals++;
}

START_TEST(budget_unspent_leaves_nothing_behind)
{
    /* A page gumbo builds in time: the budget covers gumbo only (not the
     * time between html_tree_build and html_tree_extract, where scripts
     * run, nor the extraction), and the signal's disposition and mask are
     * the process's own again after the build. */
    int sig = SIGRTMIN + 2; /* PARSE_BUDGET_SIGNAL */
    struct sigaction sa, now_sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = count_budget_signal;
    sigaction(sig, &sa, NULL);
    sigset_t block, mask;
    sigemptyset(&block);
    sigaddset(&block, sig);
    sigprocmask(SIG_BLOCK, &block, NULL); /* html_tree_build opens it for gumbo only */
    const char *html = "<title>t</title><th><font><a href='/a'>a</a>";
    int ran = 0;
    html_options o = {.parse_budget_ms = 50};
    html_doc d;
    ck_assert_int_eq(html_tree_build(&A, html, strlen(html), &o, &d), HTML_OK);
    slow_edit(&ran);
    ck_assert_int_eq(html_tree_extract(&A, URL, &o, &d), HTML_OK);
    ck_assert_int_eq(ran, 1);
    ck_assert_str_eq(d.title, "t");
    ck_assert_uint_eq(d.nlinks, 1);
    sigprocmask(SIG_BLOCK, NULL, &mask);
    ck_assert(sigismember(&mask, sig)); /* blocked again, as before */
    sigaction(sig, NULL, &now_sa);
    ck_assert_ptr_eq((void *)now_sa.sa_handler, (void *)count_budget_signal);
    sigprocmask(SIG_UNBLOCK, &block, NULL); /* nothing was left pending */
    ck_assert_int_eq(budget_signals, 0);
    finish();
}
END_TEST

/* ---- the link rule's attribute list ---------------------------------------- */

/* The attributes html_collect_element asked for, in order. */
typedef struct asked {
    const char *name[16];
    int n;
} asked;

static const char *recording_attr(const void *el, const char *name)
{
    asked *k = (asked *)el;
    if (k->n < 16)
        k->name[k->n++] = name;
    const char *v = link_rule_value(name);
    return v ? v : "x";
}

/* html_collect_attrs(tag) names exactly what the rule reads on every
 * element: the tokenizer drops the attributes of the rest, so an attribute
 * the rule read without listing it would be lost on pages without JS. */
START_TEST(link_rule_reads_only_listed_attrs)
{
    for (int tag = 0; tag < GUMBO_TAG_LAST; tag++) {
        html_doc d = {0};
        html_collect c = {.a = &A, .d = &d};
        asked k = {.n = 0};
        ck_assert(html_collect_element(&c, tag, recording_attr, &k));
        const char *list = html_collect_attrs(tag);
        const char *tn = gumbo_normalized_tagname((GumboTag)tag);
        for (int i = 0; i < k.n; i++)
            ck_assert_msg(attr_listed(list, k.name[i]),
                          "the rule reads %s on <%s>, html_collect_attrs does not list it",
                          k.name[i], tn);
        for (const char *p = list; p && *p; p += strlen(p) + 1) {
            int read = 0;
            for (int i = 0; i < k.n; i++)
                read |= !strcmp(k.name[i], p);
            ck_assert_msg(read, "html_collect_attrs lists %s on <%s>, the rule does not read it", p,
                          tn);
            ck_assert_msg(link_rule_value(p) != NULL, "no test value for attribute %s", p);
        }
    }
    finish();
}
END_TEST

static Suite *html_suite(void)
{
    Suite *s = suite_create("html");
    TCase *tc = tcase_create("extract");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, link_rule_reads_only_listed_attrs);
    tcase_add_test(tc, title_whitespace);
    tcase_add_test(tc, title_missing_and_empty);
    tcase_add_test(tc, title_entities_first_only);
    tcase_add_test(tc, base_href_changes_resolution);
    tcase_add_test(tc, link_elements);
    tcase_add_test(tc, link_relative_shapes);
    tcase_add_test(tc, link_skipped_schemes);
    tcase_add_test(tc, link_duplicates_collapsed_in_order);
    tcase_add_test(tc, link_many_unique);
    tcase_add_test(tc, link_rel_nofollow);
    tcase_add_test(tc, meta_robots_variants);
    tcase_add_test(tc, canonical);
    tcase_add_test(tc, text_visible_only);
    tcase_add_test(tc, tree_steps);
    suite_add_tcase(s, tc);

    tc = tcase_create("charset");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, charset_meta_latin1);
    tcase_add_test(tc, charset_header_overrides_meta);
    tcase_add_test(tc, charset_bom);
    tcase_add_test(tc, charset_iconv_multibyte);
    tcase_add_test(tc, charset_unknown_note);
    tcase_add_test(tc, charset_invalid_utf8);
    tcase_add_test(tc, sniff_rules);
    suite_add_tcase(s, tc);

    tc = tcase_create("hostile");
    tcase_add_checked_fixture(tc, setup, NULL);
    /* The 100,000-deep page takes gumbo ~20 s (more under sanitizers). */
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, empty_document);
    tcase_add_test(tc, deep_nesting);
    tcase_add_test(tc, deep_nesting_inline);
    tcase_add_test(tc, ten_megabytes);
    tcase_add_test(tc, garbage_input);
    tcase_add_test(tc, lives_in_arena);
    tcase_add_test(tc, nomem_is_an_error);
    tcase_add_test(tc, gumbo_oom_is_nomem);
    tcase_add_test(tc, gumbo_assertion_is_parse_error);
    tcase_add_test(tc, abort_in_allocator_under_gumbo_is_not_caught);
    tcase_add_test(tc, assertion_outside_gumbo_still_aborts);
    tcase_add_test(tc, own_abort_handler_kept);
    tcase_add_test_raise_signal(tc, abort_outside_parse_still_aborts, SIGABRT);
    tcase_add_test(tc, budget_leaves_gumbo_in_text);
    tcase_add_test(tc, budget_leaves_gumbo_in_tags);
    tcase_add_test(tc, budget_without_timer_reads_the_clock);
    tcase_add_test(tc, budget_unspent_leaves_nothing_behind);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(html_suite()); }
