/* test_dom_serialize — markup out and in (dom_serialize.c): textContent,
 * serialisation and its escaping, innerHTML, outerHTML, and the fragments
 * document.write inserts, and html.c's extraction seeing DOM edits. */
#include "alloc.h"
#include "arena.h"
#include "dom.h"
#include "html.h"

#include <check.h>

#include "dom_fixture.h"
#include "html_fixture.h"
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------
 * Text and serialisation */

START_TEST(text_content)
{
    dom *d = load("<body><div id=d>one <b>two</b><!--no--> <i>th<u>ree</u></i></div>"
                  "<script id=s>var x = 1 < 2;</script></body>");
    GumboNode *e = by_id(d, "d");
    size_t len = 0;
    char *s = dom_text_content(d, e, &len);
    ck_assert_str_eq(s, "one two three");
    ck_assert_uint_eq(len, 13);
    ck_assert_str_eq(dom_text_content(d, by_id(d, "s"), NULL), "var x = 1 < 2;");
    GumboNode *b = dom_first_element_child(e);
    ck_assert_str_eq(dom_text_content(d, dom_first_child(b), &len), "two");
    ck_assert_uint_eq(len, 3);
    ck_assert_str_eq(dom_text_content(d, dom_next_sibling(b), &len), "no");
    ck_assert_str_eq(dom_text_content(d, el(d, "p"), &len), "");
    ck_assert_uint_eq(len, 0);
    ck_assert_str_eq(dom_text_content(d, dom_document(d), NULL), "one two threevar x = 1 < 2;");

    /* set on an element: one text node, escaped when serialised */
    ck_assert_int_eq(dom_set_text_content(d, e, "a<b>&c", 6), DOM_OK);
    check_doc(d);
    ck_assert_uint_eq(dom_child_count(e), 1);
    ck_assert_int_eq(dom_first_child(e)->type, GUMBO_NODE_TEXT);
    ck_assert_str_eq(inner(d, e), "a&lt;b&gt;&amp;c");
    ck_assert_str_eq(dom_text_content(d, e, NULL), "a<b>&c");
    ck_assert_int_eq(dom_set_text_content(d, e, "xyz", 2), DOM_OK);
    ck_assert_str_eq(inner(d, e), "xy");
    ck_assert_int_eq(dom_set_text_content(d, e, "", 0), DOM_OK);
    ck_assert_uint_eq(dom_child_count(e), 0);
    ck_assert_str_eq(outer(d, e), "<div id=\"d\"></div>");
    /* set on a text node and a comment */
    GumboNode *t = txt(d, "old");
    ck_assert_int_eq(dom_append_child(d, e, t), DOM_OK);
    ck_assert_int_eq(dom_set_text_content(d, t, "new", 3), DOM_OK);
    ck_assert_str_eq(inner(d, e), "new");
    GumboNode *c = dom_create_comment(d, "c", 1);
    ck_assert_int_eq(dom_append_child(d, e, c), DOM_OK);
    ck_assert_int_eq(dom_set_text_content(d, c, "cc", 2), DOM_OK);
    ck_assert_str_eq(inner(d, e), "new<!--cc-->");
    /* a whitespace-only text node becomes ordinary text */
    GumboNode *body = dom_body(d);
    ck_assert_int_eq(dom_set_inner_html(d, body, " <p>x</p>", 9), DOM_OK);
    GumboNode *ws = dom_first_child(body);
    ck_assert_int_eq(ws->type, GUMBO_NODE_WHITESPACE);
    ck_assert_int_eq(dom_set_text_content(d, ws, "w", 1), DOM_OK);
    ck_assert_int_eq(ws->type, GUMBO_NODE_TEXT);
    ck_assert_str_eq(inner(d, body), "w<p>x</p>");
    check_doc(d);
    finish();
}
END_TEST

START_TEST(serialize_escaping)
{
    dom *d = load("<body><p id=p></p></body>");
    GumboNode *p = by_id(d, "p");
    ck_assert_int_eq(dom_set_attr(d, p, "title",
                                  "a&b<c>\"d'e\xc2\xa0"
                                  "f"),
                     DOM_OK);
    ck_assert_int_eq(dom_append_child(d, p,
                                      txt(d, "1 < 2 & 3 > \"q\" 'r'\xc2\xa0"
                                             "end")),
                     DOM_OK);
    ck_assert_str_eq(outer(d, p), "<p id=\"p\" title=\"a&amp;b&lt;c&gt;&quot;d'e&nbsp;f\">"
                                  "1 &lt; 2 &amp; 3 &gt; \"q\" 'r'&nbsp;end</p>");
    ck_assert_str_eq(inner(d, p), "1 &lt; 2 &amp; 3 &gt; \"q\" 'r'&nbsp;end");
    /* other UTF-8 passes through */
    ck_assert_int_eq(dom_set_text_content(d, p, "\xc3\xa9\xc2\xa9", 4), DOM_OK);
    ck_assert_str_eq(inner(d, p), "\xc3\xa9\xc2\xa9");
    finish();
}
END_TEST

START_TEST(serialize_elements)
{
    dom *d = load("<!DOCTYPE html><html><head><meta charset=utf-8><link rel=x href=y>"
                  "<style>a > b { x: \"&\" }</style><script>if (a < b && c) {}</script>"
                  "</head><body><p>a<br>b<img src=i.png alt=\"\"><input type=text>"
                  "<wbr></p><hr><xmp><b>&</b></xmp><textarea>&lt;t&gt;</textarea>"
                  "<table><colgroup><col></colgroup><tr><td>1</td></tr></table><video>"
                  "<source src=v><track src=t></video><embed src=e><area><My-El A=\"1\">x</My-El>"
                  "<iframe>&lt;raw</iframe><noscript><i>n</i></noscript></body></html>");
    check_doc(d);
    ck_assert_str_eq(inner(d, dom_head(d)),
                     "<meta charset=\"utf-8\"><link rel=\"x\" href=\"y\">"
                     "<style>a > b { x: \"&\" }</style><script>if (a < b && c) {}</script>");
    ck_assert_str_eq(inner(d, dom_body(d)),
                     "<p>a<br>b<img src=\"i.png\" alt=\"\"><input type=\"text\"><wbr></p><hr>"
                     "<xmp><b>&</b></xmp><textarea>&lt;t&gt;</textarea>"
                     "<table><colgroup><col></colgroup><tbody><tr><td>1</td></tr></tbody></table>"
                     "<video><source src=\"v\"><track src=\"t\"></video><embed src=\"e\">"
                     "<area><my-el a=\"1\">x</my-el><iframe>&lt;raw</iframe>"
                     "<noscript><i>n</i></noscript>");
    /* the document: doctype first; outer and inner the same */
    const char *doc = outer(d, dom_document(d));
    ck_assert_int_eq(strncmp(doc, "<!DOCTYPE html><html><head><meta charset=\"utf-8\">", 49), 0);
    ck_assert_str_eq(inner(d, dom_document(d)), doc);
    ck_assert_str_eq(doc + strlen(doc) - 14, "</body></html>");
    /* inner of a void element and of a text node */
    GumboNode *br = dom_next_sibling(dom_first_child(dom_first_child(dom_body(d))));
    ck_assert_str_eq(dom_tag_name(d, br), "br");
    ck_assert_str_eq(outer(d, br), "<br>");
    ck_assert_str_eq(inner(d, br), "");
    ck_assert_str_eq(outer(d, dom_first_child(dom_first_child(dom_body(d)))), "a");
    ck_assert_str_eq(inner(d, dom_first_child(dom_first_child(dom_body(d)))), "");
    /* created raw-text elements keep their text as it is */
    GumboNode *sc = el(d, "script");
    ck_assert_int_eq(dom_set_text_content(d, sc, "a<b&&c", 6), DOM_OK);
    ck_assert_str_eq(outer(d, sc), "<script>a<b&&c</script>");
    ck_assert_ptr_null(dom_serialize(d, NULL, true, NULL));
    finish();
}
END_TEST

/* ---------------------------------------------------------------------------
 * Markup */

START_TEST(inner_html)
{
    dom *d = load("<body><div id=box><p id=old>old</p></div><table id=t><tr id=tr></tr>"
                  "</table></body>");
    GumboNode *box = by_id(d, "box"), *old = by_id(d, "old");
    const char *html = "<a href=\"/x\">x &amp; y</a><b>b</b>tail<!--c-->";
    ck_assert_int_eq(dom_set_inner_html(d, box, html, strlen(html)), DOM_OK);
    check_doc(d);
    ck_assert_ptr_null(old->parent);
    ck_assert_uint_eq(dom_child_count(box), 4);
    ck_assert_str_eq(inner(d, box), "<a href=\"/x\">x &amp; y</a><b>b</b>tail<!--c-->");
    ck_assert_str_eq(dom_get_attr(dom_first_child(box), "href"), "/x");
    ck_assert_ptr_eq(dom_first_child(box)->parent, box);
    /* len bounds the input */
    ck_assert_int_eq(dom_set_inner_html(d, box, "<i>1</i><u>2</u>", 8), DOM_OK);
    ck_assert_str_eq(inner(d, box), "<i>1</i>");
    /* the context decides: <td> is kept under a <tr>, dropped under a <div> */
    GumboNode *tr = by_id(d, "tr");
    ck_assert_int_eq(dom_set_inner_html(d, tr, "<td>1</td><td>2</td>", 20), DOM_OK);
    check_doc(d);
    ck_assert_str_eq(inner(d, tr), "<td>1</td><td>2</td>");
    ck_assert_int_eq(dom_set_inner_html(d, box, "<td>1</td>", 10), DOM_OK);
    ck_assert_str_eq(inner(d, box), "1");
    /* script context: raw text */
    GumboNode *sc = el(d, "script");
    ck_assert_int_eq(dom_append_child(d, box, sc), DOM_OK);
    ck_assert_int_eq(dom_set_inner_html(d, sc, "<b>if (a<b)</b>", 15), DOM_OK);
    ck_assert_uint_eq(dom_child_count(sc), 1);
    ck_assert_str_eq(dom_text_content(d, sc, NULL), "<b>if (a<b)</b>");
    /* an unknown-tag context parses as a div */
    GumboNode *w = el(d, "x-w");
    ck_assert_int_eq(dom_append_child(d, box, w), DOM_OK);
    ck_assert_int_eq(dom_set_inner_html(d, w, "<p>p</p>", 8), DOM_OK);
    ck_assert_str_eq(outer(d, w), "<x-w><p>p</p></x-w>");
    /* empty clears */
    ck_assert_int_eq(dom_set_inner_html(d, box, "", 0), DOM_OK);
    ck_assert_uint_eq(dom_child_count(box), 0);
    ck_assert_int_eq(dom_set_inner_html(d, box, NULL, 0), DOM_OK);
    check_doc(d);
    /* not an element */
    GumboNode *t = txt(d, "t");
    ck_assert_int_eq(dom_set_inner_html(d, t, "<b>", 3), DOM_INVALID);
    ck_assert_int_eq(dom_set_inner_html(d, dom_document(d), "<b>", 3), DOM_INVALID);
    finish();
}
END_TEST

START_TEST(inner_html_input_need_not_outlive)
{
    /* The parsed tree points into its input (original_tag): dom must keep
     * its own copy. ASan reports the read if it does not. */
    dom *d = load("<body><div id=box></div></body>");
    GumboNode *box = by_id(d, "box");
    const char *src = "<X-Foo data-Q=1>t</X-Foo><My-Other/>";
    size_t n = strlen(src);
    char *heap = malloc(n + 1);
    ck_assert_ptr_nonnull(heap);
    memcpy(heap, src, n + 1);
    ck_assert_int_eq(dom_set_inner_html(d, box, heap, n), DOM_OK);
    memset(heap, 'Z', n);
    free(heap);
    ck_assert_str_eq(dom_tag_name(d, dom_first_child(box)), "x-foo");
    ck_assert_str_eq(inner(d, box), "<x-foo data-q=\"1\">t</x-foo><my-other></my-other>");
    ck_assert_str_eq(query(d, box, "x-foo, my-other"), "x-foo,my-other");
    finish();
}
END_TEST

/* innerHTML in every kind of context gumbo knows: a result or a clean
 * error, and a consistent tree either way. */
START_TEST(inner_html_contexts)
{
    dom *d = load("<body><div id=box></div></body>");
    GumboNode *box = by_id(d, "box");
    const char *tags[] = {"html",      "head",     "body",    "template", "table",    "tbody",
                          "tr",        "td",       "caption", "colgroup", "select",   "optgroup",
                          "option",    "textarea", "title",   "style",    "script",   "noscript",
                          "plaintext", "xmp",      "iframe",  "noembed",  "noframes", "frameset",
                          "svg",       "math",     "p",       "ul",       "a",        "button",
                          "form",      "x-y",      "pre",     "listing",  "image",    "frame"};
    const char *html = "<p>x</p><b>y</b>t<tr><td>c</td></tr><svg><g/></svg><option>o"
                       "<frameset><!--c--></select>&amp;<script>s</script>";
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        GumboNode *e = el(d, tags[i]);
        ck_assert_int_eq(dom_append_child(d, box, e), DOM_OK);
        dom_err r = dom_set_inner_html(d, e, html, strlen(html));
        ck_assert_msg(r == DOM_OK || r == DOM_SYNTAX, "%s: %s", tags[i], dom_err_word(r));
        ck_assert_ptr_nonnull(dom_serialize(d, e, true, NULL));
    }
    /* foreign contexts: parsed children of an <svg> element */
    ck_assert_int_eq(dom_set_inner_html(d, box, "<svg><g></g></svg>", 18), DOM_OK);
    GumboNode *g = dom_first_child(dom_first_child(box));
    ck_assert_int_eq(g->v.element.tag_namespace, GUMBO_NAMESPACE_SVG);
    ck_assert_int_eq(dom_set_inner_html(d, g, "<circle r=1></circle><linearGradient/>", 38),
                     DOM_OK);
    ck_assert_int_eq(dom_first_child(g)->v.element.tag_namespace, GUMBO_NAMESPACE_SVG);
    ck_assert_str_eq(inner(d, g), "<circle r=\"1\"></circle><lineargradient></lineargradient>");
    check_doc(d);
    finish();
}
END_TEST

START_TEST(outer_html)
{
    dom *d = load("<body><p id=a>a</p><p id=b>b</p><p id=c>c</p></body>");
    GumboNode *body = dom_body(d), *b = by_id(d, "b");
    const char *h = "<i id=i1>1</i>mid<i id=i2>2</i>";
    ck_assert_int_eq(dom_set_outer_html(d, b, h, strlen(h)), DOM_OK);
    check_doc(d);
    ck_assert_ptr_null(b->parent);
    ck_assert_str_eq(inner(d, body), "<p id=\"a\">a</p><i id=\"i1\">1</i>mid<i id=\"i2\">2</i>"
                                     "<p id=\"c\">c</p>");
    ck_assert_uint_eq(by_id(d, "c")->index_within_parent, 4);
    /* empty removes */
    ck_assert_int_eq(dom_set_outer_html(d, by_id(d, "a"), "", 0), DOM_OK);
    check_doc(d);
    ck_assert_str_eq(query(d, body, "*"), "i1,i2,c");
    /* no element parent */
    ck_assert_int_eq(dom_set_outer_html(d, dom_document_element(d), "<p>", 3), DOM_HIERARCHY);
    ck_assert_int_eq(dom_set_outer_html(d, el(d, "p"), "<p>", 3), DOM_HIERARCHY);
    ck_assert_str_eq(query(d, body, "*"), "i1,i2,c");
    finish();
}
END_TEST

START_TEST(insert_html_after)
{
    dom *d = load("<html><head><script id=hs>1</script><title>t</title></head>"
                  "<body><p id=a>a</p><script id=bs>2</script><p id=z>z</p></body></html>");
    GumboNode *bs = by_id(d, "bs");
    const char *h = "<b id=w1>w</b>text";
    ck_assert_int_eq(dom_insert_html_after(d, bs, h, strlen(h)), DOM_OK);
    check_doc(d);
    ck_assert_str_eq(inner(d, dom_body(d)), "<p id=\"a\">a</p><script id=\"bs\">2</script>"
                                            "<b id=\"w1\">w</b>text<p id=\"z\">z</p>");
    /* NULL: at the end of <body> */
    ck_assert_int_eq(dom_insert_html_after(d, NULL, "<i id=end></i>", 14), DOM_OK);
    check_doc(d);
    ck_assert_str_eq(query(d, dom_body(d), "*"), "a,bs,w1,z,end");
    /* in <head>: parsed in its context, the link stays after the script */
    ck_assert_int_eq(dom_insert_html_after(d, by_id(d, "hs"), "<link id=l rel=next href=n>", 27),
                     DOM_OK);
    check_doc(d);
    ck_assert_str_eq(query(d, dom_head(d), "*"), "hs,l,title");
    /* ref without an element parent */
    ck_assert_int_eq(dom_insert_html_after(d, el(d, "p"), "x", 1), DOM_HIERARCHY);
    ck_assert_int_eq(dom_insert_html_after(d, dom_document_element(d), "x", 1), DOM_HIERARCHY);
    finish();
}
END_TEST

START_TEST(fragment_gumbo_assertion)
{
    /* Input on which Debian's gumbo asserts (see html.c): a failed parse is
     * an error, and the target keeps its children. */
    dom *d = load("<body><div id=box><p>keep</p></div></body>");
    GumboNode *box = by_id(d, "box");
    const char *bad = "<table><tr><svg><title><![CDATA[x]]>t";
    ck_assert_int_eq(dom_set_inner_html(d, box, bad, strlen(bad)), DOM_SYNTAX);
    ck_assert_str_eq(inner(d, box), "<p>keep</p>");
    /* and the DOM goes on working */
    ck_assert_int_eq(dom_set_inner_html(d, box, "<i>ok</i>", 9), DOM_OK);
    ck_assert_str_eq(inner(d, box), "<i>ok</i>");
    check_doc(d);
    finish();
}
END_TEST

/* ---------------------------------------------------------------------------
 * html.c's extraction sees the edits made between html_tree_build and
 * html_tree_extract */

typedef struct edit_ctx {
    int ran;
} edit_ctx;

static void edit_tree(edit_ctx *h, void *gumbo_output)
{
    h->ran++;
    dom *d = dom_new(&A, gumbo_output, URL);
    ck_assert_ptr_nonnull(d);
    GumboNode *body = dom_body(d);
    /* removed link */
    ck_assert_int_eq(dom_remove_child(d, body, by_id(d, "old")), DOM_OK);
    /* innerHTML replaces a link with another */
    const char *h1 = "<a href=\"/new1\">n1</a>";
    ck_assert_int_eq(dom_set_inner_html(d, by_id(d, "box"), h1, strlen(h1)), DOM_OK);
    /* a created link */
    GumboNode *a = el(d, "a");
    ck_assert_int_eq(dom_set_attr(d, a, "href", "/new2"), DOM_OK);
    ck_assert_int_eq(dom_append_child(d, body, a), DOM_OK);
    /* changed href */
    ck_assert_int_eq(dom_set_attr(d, by_id(d, "chg"), "href", "/after"), DOM_OK);
    /* document.write from the head script */
    const char *h3 = "<link rel=next href=\"/new3\">";
    ck_assert_int_eq(dom_insert_html_after(d, by_id(d, "s"), h3, strlen(h3)), DOM_OK);
    /* outerHTML */
    const char *h4 = "<a href=\"/new4\">4</a>";
    ck_assert_int_eq(dom_set_outer_html(d, by_id(d, "keep"), h4, strlen(h4)), DOM_OK);
    /* a nofollow link made followable by removing rel */
    ck_assert_int_eq(dom_remove_attr(d, by_id(d, "nf"), "rel"), DOM_OK);
    /* a new title */
    GumboNode *title = dom_first_element_child(dom_head(d));
    ck_assert_str_eq(dom_tag_name(d, title), "title");
    ck_assert_int_eq(dom_set_text_content(d, title, "New title", 9), DOM_OK);
    check_doc(d);
}

START_TEST(extraction_sees_edits)
{
    const char *page = "<html><head><title>t</title><script id=s>1</script></head><body>"
                       "<a id=old href=\"/old\">o</a><a id=keep href=\"/keep\">k</a>"
                       "<div id=box><a href=\"/gone\">g</a></div><a id=chg href=\"/before\">c</a>"
                       "<a id=nf rel=nofollow href=\"/nf\">nf</a></body></html>";
    edit_ctx h = {0};
    html_options o = {.want_text = 1};
    html_doc doc;
    ck_assert_int_eq(html_tree_build(&A, page, strlen(page), &o, &doc), HTML_OK);
    edit_tree(&h, doc.gumbo_output);
    ck_assert_int_eq(html_tree_extract(&A, URL, &o, &doc), HTML_OK);
    ck_assert_int_eq(h.ran, 1);
    ck_assert_str_eq(doc.title, "New title");
    ck_assert_uint_eq(doc.nlinks, 6);
    ck_assert_str_eq(doc.links[0], "http://example.com/new3");
    ck_assert_str_eq(doc.links[1], "http://example.com/new4");
    ck_assert_str_eq(doc.links[2], "http://example.com/new1");
    ck_assert_str_eq(doc.links[3], "http://example.com/after");
    ck_assert_str_eq(doc.links[4], "http://example.com/nf");
    ck_assert_str_eq(doc.links[5], "http://example.com/new2");
    ck_assert_int_lt(link_index(&doc, "http://example.com/old"), 0);
    ck_assert_int_lt(link_index(&doc, "http://example.com/keep"), 0);
    ck_assert_int_lt(link_index(&doc, "http://example.com/gone"), 0);
    ck_assert_int_lt(link_index(&doc, "http://example.com/before"), 0);
    ck_assert_uint_eq(doc.nofollow_links, 0);
    /* a and div text: only the block element separates words */
    ck_assert_str_eq(doc.text, "4 n1 cnf");
    finish();
}
END_TEST

static void add_base(void *gumbo_output)
{
    dom *d = dom_new(&A, gumbo_output, URL);
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(dom_base_url(d), URL);
    GumboNode *base = el(d, "base");
    ck_assert_int_eq(dom_set_attr(d, base, "href", "http://other.test/b/"), DOM_OK);
    ck_assert_int_eq(dom_append_child(d, dom_head(d), base), DOM_OK);
    ck_assert_str_eq(dom_base_url(d), "http://other.test/b/");
}

START_TEST(extraction_sees_new_base)
{
    const char *page = "<html><head></head><body><a href=\"x\">x</a></body></html>";
    html_options o = {0};
    html_doc doc;
    ck_assert_int_eq(html_tree_build(&A, page, strlen(page), &o, &doc), HTML_OK);
    add_base(doc.gumbo_output);
    ck_assert_int_eq(html_tree_extract(&A, URL, &o, &doc), HTML_OK);
    ck_assert_str_eq(doc.base_href, "http://other.test/b/");
    ck_assert_uint_eq(doc.nlinks, 1);
    ck_assert_str_eq(doc.links[0], "http://other.test/b/x");
    finish();
}
END_TEST

START_TEST(base_url)
{
    dom *d = load("<html><head><title>t</title></head><body><p>x</p></body></html>");
    ck_assert_str_eq(dom_base_url(d), URL);
    /* a <base> without href does not count; the first with one does */
    GumboNode *b0 = el(d, "base");
    ck_assert_int_eq(dom_append_child(d, dom_head(d), b0), DOM_OK);
    ck_assert_str_eq(dom_base_url(d), URL);
    GumboNode *b1 = el(d, "base");
    ck_assert_int_eq(dom_set_attr(d, b1, "href", "/sub/dir/"), DOM_OK);
    ck_assert_int_eq(dom_append_child(d, dom_body(d), b1), DOM_OK);
    ck_assert_str_eq(dom_base_url(d), "http://example.com/sub/dir/");
    ck_assert_int_eq(dom_set_attr(d, b0, "href", "../up/"), DOM_OK);
    ck_assert_str_eq(dom_base_url(d), "http://example.com/up/");
    ck_assert_int_eq(dom_remove_child(d, dom_head(d), b0), DOM_OK);
    ck_assert_str_eq(dom_base_url(d), "http://example.com/sub/dir/");
    ck_assert_int_eq(dom_remove_attr(d, b1, "href"), DOM_OK);
    ck_assert_str_eq(dom_base_url(d), URL);
    /* an href that does not resolve leaves the document URL */
    ck_assert_int_eq(dom_set_attr(d, b1, "href", "javascript:void(0)"), DOM_OK);
    ck_assert_str_eq(dom_base_url(d), URL);

    dom *d2 = load("<html><head><base href=\"https://cdn.example.org/x/\"></head></html>");
    ck_assert_str_eq(dom_base_url(d2), "https://cdn.example.org/x/");
    finish();
}
END_TEST

static Suite *dom_serialize_suite(void)
{
    Suite *s = suite_create("dom_serialize");
    TCase *tc = tcase_create("markup");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, text_content);
    tcase_add_test(tc, serialize_escaping);
    tcase_add_test(tc, serialize_elements);
    tcase_add_test(tc, inner_html);
    tcase_add_test(tc, inner_html_input_need_not_outlive);
    tcase_add_test(tc, inner_html_contexts);
    tcase_add_test(tc, outer_html);
    tcase_add_test(tc, insert_html_after);
    tcase_add_test(tc, fragment_gumbo_assertion);
    tcase_add_test(tc, extraction_sees_edits);
    tcase_add_test(tc, extraction_sees_new_base);
    tcase_add_test(tc, base_url);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(dom_serialize_suite()); }
