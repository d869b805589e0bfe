/* test_html_extract — what html_parse takes from a page (html_extract.c):
 * title, base, links (shapes, schemes, duplicates, nofollow, the attributes
 * the link rule reads), meta robots, canonical and visible text. */
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

#define ck_has_link(d, u) ck_assert_msg(link_index(&(d), (u)) >= 0, "missing link %s", (u))
#define ck_no_link(d, u) ck_assert_msg(link_index(&(d), (u)) < 0, "unexpected link %s", (u))

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

static Suite *html_extract_suite(void)
{
    Suite *s = suite_create("html_extract");
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
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(html_extract_suite()); }
