/* test_dom — the DOM over gumbo's tree (dom.c): edits keep parent/index
 * invariants (checked over the whole tree after every edit), navigation,
 * attributes and classList, 100,000-deep trees, and that everything lives in
 * the arena. Lookups and selectors: test_dom_select; markup: test_dom_serialize. */
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

#define DEEP 100000

/* ---------------------------------------------------------------------------
 * Document and nodes */

START_TEST(document_accessors)
{
    dom *d = load("<!DOCTYPE html><html><head><title>t</title></head><body><p>x<!--c--></p>"
                  "<My-Widget>w</My-Widget><svg><linearGradient/></svg><template><b>t</b>"
                  "</template></body></html>");
    check_doc(d);
    ck_assert_ptr_eq(dom_arena(d), &A);
    GumboNode *doc = dom_document(d);
    ck_assert_int_eq(doc->type, GUMBO_NODE_DOCUMENT);
    ck_assert_str_eq(dom_tag_name(d, doc), "#document");
    GumboNode *html = dom_document_element(d);
    ck_assert_str_eq(dom_tag_name(d, html), "html");
    ck_assert_str_eq(dom_tag_name(d, dom_head(d)), "head");
    ck_assert_str_eq(dom_tag_name(d, dom_body(d)), "body");
    GumboNode *p = dom_first_child(dom_body(d));
    ck_assert_str_eq(dom_tag_name(d, p), "p");
    ck_assert_str_eq(dom_tag_name(d, dom_first_child(p)), "#text");
    ck_assert_str_eq(dom_tag_name(d, dom_last_child(p)), "#comment");
    GumboNode *w = dom_next_sibling(p);
    ck_assert_int_eq(w->v.element.tag, GUMBO_TAG_UNKNOWN);
    ck_assert_str_eq(dom_tag_name(d, w), "my-widget");
    GumboNode *svg = dom_next_sibling(w);
    ck_assert_str_eq(dom_tag_name(d, svg), "svg");
    ck_assert_str_eq(dom_tag_name(d, dom_first_child(svg)), "lineargradient");
    GumboNode *tpl = dom_next_sibling(svg);
    ck_assert_str_eq(dom_tag_name(d, tpl), "template");
    ck_assert_str_eq(inner(d, tpl), "<b>t</b>");

    ck_assert_str_eq(dom_err_word(DOM_OK), "ok");
    ck_assert_str_eq(dom_err_word(DOM_NOMEM), "nomem");
    ck_assert_str_eq(dom_err_word(DOM_HIERARCHY), "hierarchy");
    ck_assert_str_eq(dom_err_word(DOM_NOT_FOUND), "notfound");
    ck_assert_str_eq(dom_err_word(DOM_SYNTAX), "syntax");
    ck_assert_str_eq(dom_err_word(DOM_INVALID), "invalid");

    /* Removing <html> leaves a document without a document element. */
    ck_assert_int_eq(dom_remove_child(d, doc, html), DOM_OK);
    ck_assert_ptr_null(dom_document_element(d));
    ck_assert_ptr_null(dom_head(d));
    ck_assert_ptr_null(dom_body(d));
    check_doc(d);
    finish();
}
END_TEST

START_TEST(new_rejects_nothing_to_wrap)
{
    ck_assert_ptr_null(dom_new(&A, NULL, URL));
    finish();
}
END_TEST

START_TEST(create_element_names)
{
    dom *d = load("<p>x</p>");
    GumboNode *n = el(d, "div");
    ck_assert_int_eq(n->type, GUMBO_NODE_ELEMENT);
    ck_assert_int_eq(n->v.element.tag, GUMBO_TAG_DIV);
    ck_assert_int_eq(n->v.element.tag_namespace, GUMBO_NAMESPACE_HTML);
    ck_assert_ptr_null(n->parent);
    ck_assert_int_eq(n->parse_flags & GUMBO_INSERTION_BY_PARSER, 0);
    ck_assert_uint_eq(dom_child_count(n), 0);
    ck_assert_uint_eq(dom_attr_count(n), 0);

    n = el(d, "My-Widget");
    ck_assert_int_eq(n->v.element.tag, GUMBO_TAG_UNKNOWN);
    ck_assert_str_eq(dom_tag_name(d, n), "my-widget");
    ck_assert_uint_eq(n->v.element.original_tag.length, 11);
    ck_assert_int_eq(memcmp(n->v.element.original_tag.data, "<my-widget>", 11), 0);
    ck_assert_str_eq(outer(d, n), "<my-widget></my-widget>");

    n = el(d, "IMG");
    ck_assert_int_eq(n->v.element.tag, GUMBO_TAG_IMG);
    ck_assert_str_eq(outer(d, n), "<img>");
    n = el(d, "template");
    ck_assert_int_eq(n->type, GUMBO_NODE_TEMPLATE);
    n = el(d, "a1.b_c:d-e");
    ck_assert_str_eq(dom_tag_name(d, n), "a1.b_c:d-e");

    const char *bad[] = {"",    "1a",  "-x",       "_x",        "a b", "a>", "a<",
                         "a/b", "a=b", "\xc3\xa4", "a\xc3\xa4", " a",  "a\t"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dom_err e = DOM_OK;
        ck_assert_msg(dom_create_element(d, bad[i], &e) == NULL, "'%s' accepted", bad[i]);
        ck_assert_int_eq(e, DOM_SYNTAX);
    }
    dom_err e = DOM_OK;
    ck_assert_ptr_null(dom_create_element(d, NULL, &e));
    ck_assert_int_eq(e, DOM_SYNTAX);

    GumboNode *t = dom_create_text(d, "a<b", 3);
    ck_assert_int_eq(t->type, GUMBO_NODE_TEXT);
    ck_assert_str_eq(t->v.text.text, "a<b");
    ck_assert_ptr_null(t->parent);
    t = dom_create_text(d, "abcdef", 2); /* len bounds the copy */
    ck_assert_str_eq(t->v.text.text, "ab");
    GumboNode *c = dom_create_comment(d, "hi", 2);
    ck_assert_int_eq(c->type, GUMBO_NODE_COMMENT);
    ck_assert_str_eq(outer(d, c), "<!--hi-->");
    finish();
}
END_TEST

/* ---------------------------------------------------------------------------
 * Tree edits */

START_TEST(append_child)
{
    dom *d = load("<body><p id=a>A</p></body>");
    GumboNode *body = dom_body(d);
    GumboNode *b = el(d, "b");
    ck_assert_int_eq(dom_append_child(d, b, txt(d, "bold")), DOM_OK);
    ck_assert_int_eq(dom_append_child(d, body, b), DOM_OK);
    check_doc(d);
    ck_assert_ptr_eq(b->parent, body);
    ck_assert_uint_eq(b->index_within_parent, 1);
    ck_assert_str_eq(inner(d, body), "<p id=\"a\">A</p><b>bold</b>");
    /* many appends grow the vector past its first capacity */
    for (int i = 0; i < 50; i++)
        ck_assert_int_eq(dom_append_child(d, b, el(d, "i")), DOM_OK);
    ck_assert_uint_eq(dom_child_count(b), 51);
    check_doc(d);
    /* appending a node that is already the last child keeps it there */
    GumboNode *last = dom_last_child(b);
    ck_assert_int_eq(dom_append_child(d, b, last), DOM_OK);
    ck_assert_ptr_eq(dom_last_child(b), last);
    ck_assert_uint_eq(dom_child_count(b), 51);
    check_doc(d);
    finish();
}
END_TEST

START_TEST(insert_before)
{
    dom *d = load("<body><ul><li id=a>a</li><li id=b>b</li></ul><p id=other>o</p></body>");
    GumboNode *ul = dom_first_child(dom_body(d));
    GumboNode *a = by_id(d, "a"), *b = by_id(d, "b");
    GumboNode *x = el(d, "li");
    dom_set_attr(d, x, "id", "x");
    ck_assert_int_eq(dom_insert_before(d, ul, x, a), DOM_OK); /* first */
    check_doc(d);
    ck_assert_str_eq(query(d, ul, "li"), "x,a,b");
    GumboNode *y = el(d, "li");
    dom_set_attr(d, y, "id", "y");
    ck_assert_int_eq(dom_insert_before(d, ul, y, b), DOM_OK); /* middle */
    check_doc(d);
    ck_assert_str_eq(query(d, ul, "li"), "x,a,y,b");
    ck_assert_int_eq(dom_insert_before(d, ul, x, NULL), DOM_OK); /* NULL appends (a move) */
    check_doc(d);
    ck_assert_str_eq(query(d, ul, "li"), "a,y,b,x");
    ck_assert_int_eq(dom_insert_before(d, ul, y, y), DOM_OK); /* before itself: stays */
    check_doc(d);
    ck_assert_str_eq(query(d, ul, "li"), "a,y,b,x");
    ck_assert_int_eq(dom_insert_before(d, ul, x, a), DOM_OK); /* move backwards */
    check_doc(d);
    ck_assert_str_eq(query(d, ul, "li"), "x,a,y,b");
    ck_assert_str_eq(inner(d, ul), "<li id=\"x\"></li><li id=\"a\">a</li><li id=\"y\"></li>"
                                   "<li id=\"b\">b</li>");

    /* ref that is not a child of parent */
    const char *before = outer(d, dom_document(d));
    GumboNode *z = el(d, "li");
    ck_assert_int_eq(dom_insert_before(d, ul, z, by_id(d, "other")), DOM_NOT_FOUND);
    ck_assert_int_eq(dom_insert_before(d, ul, z, el(d, "li")), DOM_NOT_FOUND);
    ck_assert_int_eq(dom_insert_before(d, ul, b, dom_first_child(a)), DOM_NOT_FOUND);
    ck_assert_ptr_null(z->parent);
    ck_assert_ptr_eq(b->parent, ul); /* not taken out on failure */
    ck_assert_str_eq(outer(d, dom_document(d)), before);
    check_doc(d);
    finish();
}
END_TEST

START_TEST(remove_child)
{
    dom *d = load("<body><p id=a>a</p><p id=b>b</p><p id=c>c</p></body>");
    GumboNode *body = dom_body(d), *b = by_id(d, "b");
    ck_assert_int_eq(dom_remove_child(d, body, b), DOM_OK);
    check_doc(d);
    ck_assert_ptr_null(b->parent);
    ck_assert_str_eq(inner(d, body), "<p id=\"a\">a</p><p id=\"c\">c</p>");
    ck_assert_uint_eq(by_id(d, "c")->index_within_parent, 1);
    ck_assert_ptr_null(dom_get_element_by_id(d, dom_document(d), "b"));
    ck_assert_int_eq(dom_remove_child(d, body, b), DOM_NOT_FOUND);
    ck_assert_int_eq(dom_remove_child(d, dom_head(d), by_id(d, "a")), DOM_NOT_FOUND);
    ck_assert_int_eq(dom_remove_child(d, body, NULL), DOM_NOT_FOUND);
    ck_assert_str_eq(inner(d, body), "<p id=\"a\">a</p><p id=\"c\">c</p>");
    /* the removed subtree is intact and can go back */
    ck_assert_str_eq(outer(d, b), "<p id=\"b\">b</p>");
    ck_assert_int_eq(dom_insert_before(d, body, b, by_id(d, "c")), DOM_OK);
    ck_assert_str_eq(inner(d, body), "<p id=\"a\">a</p><p id=\"b\">b</p><p id=\"c\">c</p>");
    check_doc(d);
    finish();
}
END_TEST

START_TEST(replace_child)
{
    dom *d = load("<body><p id=a>a</p><p id=b>b</p><p id=c>c</p><div id=o><i id=i>i</i></div>"
                  "</body>");
    GumboNode *body = dom_body(d), *a = by_id(d, "a"), *b = by_id(d, "b"), *c = by_id(d, "c");
    GumboNode *n = el(d, "hr");
    ck_assert_int_eq(dom_replace_child(d, body, n, b), DOM_OK);
    check_doc(d);
    ck_assert_ptr_null(b->parent);
    ck_assert_str_eq(query(d, body, "*"), "a,hr,c,o,i");
    /* a later sibling replaces an earlier one */
    ck_assert_int_eq(dom_replace_child(d, body, c, a), DOM_OK);
    check_doc(d);
    ck_assert_str_eq(query(d, body, "*"), "c,hr,o,i");
    /* an earlier sibling replaces a later one */
    ck_assert_int_eq(dom_replace_child(d, body, c, n), DOM_OK);
    check_doc(d);
    ck_assert_str_eq(query(d, body, "*"), "c,o,i");
    /* from another parent */
    GumboNode *i = by_id(d, "i");
    ck_assert_int_eq(dom_replace_child(d, body, i, c), DOM_OK);
    check_doc(d);
    ck_assert_str_eq(inner(d, body), "<i id=\"i\">i</i><div id=\"o\"></div>");
    /* itself: nothing changes */
    ck_assert_int_eq(dom_replace_child(d, body, i, i), DOM_OK);
    ck_assert_str_eq(inner(d, body), "<i id=\"i\">i</i><div id=\"o\"></div>");
    /* old not a child */
    ck_assert_int_eq(dom_replace_child(d, body, el(d, "b"), a), DOM_NOT_FOUND);
    ck_assert_int_eq(dom_replace_child(d, body, el(d, "b"), NULL), DOM_NOT_FOUND);
    /* an ancestor into its descendant */
    GumboNode *o = by_id(d, "o");
    ck_assert_int_eq(dom_append_child(d, o, a), DOM_OK);
    ck_assert_int_eq(dom_replace_child(d, o, body, a), DOM_HIERARCHY);
    ck_assert_int_eq(dom_replace_child(d, o, o, a), DOM_HIERARCHY);
    ck_assert_str_eq(inner(d, body), "<i id=\"i\">i</i><div id=\"o\"><p id=\"a\">a</p></div>");
    check_doc(d);
    finish();
}
END_TEST

START_TEST(hierarchy_errors)
{
    dom *d = load("<body><div id=outer><div id=mid><p id=in>t</p></div></div></body>");
    GumboNode *outerd = by_id(d, "outer"), *mid = by_id(d, "mid"), *in = by_id(d, "in");
    const char *before = outer(d, dom_document(d));
    ck_assert_int_eq(dom_append_child(d, in, outerd), DOM_HIERARCHY);
    ck_assert_int_eq(dom_append_child(d, mid, outerd), DOM_HIERARCHY);
    ck_assert_int_eq(dom_append_child(d, in, in), DOM_HIERARCHY);
    ck_assert_int_eq(dom_insert_before(d, in, dom_body(d), NULL), DOM_HIERARCHY);
    ck_assert_int_eq(dom_append_child(d, in, dom_document_element(d)), DOM_HIERARCHY);
    /* under a text node */
    GumboNode *t = dom_first_child(in);
    ck_assert_int_eq(dom_append_child(d, t, el(d, "b")), DOM_HIERARCHY);
    ck_assert_int_eq(dom_insert_before(d, t, el(d, "b"), NULL), DOM_HIERARCHY);
    /* a document cannot be a child */
    ck_assert_int_eq(dom_append_child(d, in, dom_document(d)), DOM_HIERARCHY);
    /* the document takes one element and no text */
    GumboNode *doc = dom_document(d);
    ck_assert_int_eq(dom_append_child(d, doc, el(d, "html")), DOM_HIERARCHY);
    ck_assert_int_eq(dom_append_child(d, doc, in), DOM_HIERARCHY);
    ck_assert_int_eq(dom_append_child(d, doc, txt(d, "x")), DOM_HIERARCHY);
    ck_assert_ptr_eq(in->parent, mid);
    ck_assert_str_eq(outer(d, dom_document(d)), before);
    check_doc(d);
    /* comments are fine; replacing the one element is fine */
    ck_assert_int_eq(dom_append_child(d, doc, dom_create_comment(d, "c", 1)), DOM_OK);
    ck_assert_int_eq(dom_append_child(d, doc, dom_document_element(d)), DOM_OK); /* moves */
    GumboNode *h2 = el(d, "html");
    ck_assert_int_eq(dom_replace_child(d, doc, h2, dom_document_element(d)), DOM_OK);
    ck_assert_ptr_eq(dom_document_element(d), h2);
    ck_assert_str_eq(outer(d, doc), "<!--c--><html></html>");
    check_doc(d);
    finish();
}
END_TEST

START_TEST(move_between_parents)
{
    dom *d = load("<body><ul id=u1><li id=a>a</li><li id=b>b</li></ul>"
                  "<ol id=u2><li id=c>c</li></ol></body>");
    GumboNode *u1 = by_id(d, "u1"), *u2 = by_id(d, "u2"), *a = by_id(d, "a");
    ck_assert_int_eq(dom_insert_before(d, u2, a, by_id(d, "c")), DOM_OK);
    check_doc(d);
    ck_assert_ptr_eq(a->parent, u2);
    ck_assert_uint_eq(a->index_within_parent, 0);
    ck_assert_uint_eq(by_id(d, "b")->index_within_parent, 0);
    ck_assert_str_eq(inner(d, u1), "<li id=\"b\">b</li>");
    ck_assert_str_eq(inner(d, u2), "<li id=\"a\">a</li><li id=\"c\">c</li>");
    /* the whole list moves into the other one */
    ck_assert_int_eq(dom_append_child(d, by_id(d, "c"), u1), DOM_OK);
    check_doc(d);
    ck_assert_str_eq(inner(d, dom_body(d)),
                     "<ol id=\"u2\"><li id=\"a\">a</li><li id=\"c\">c<ul id=\"u1\">"
                     "<li id=\"b\">b</li></ul></li></ol>");
    finish();
}
END_TEST

START_TEST(navigation)
{
    dom *d = load("<body><div id=p>t1<b id=x></b><!--c--><i id=y></i>t2</div></body>");
    GumboNode *p = by_id(d, "p"), *x = by_id(d, "x"), *y = by_id(d, "y");
    ck_assert_uint_eq(dom_child_count(p), 5);
    ck_assert_int_eq(dom_first_child(p)->type, GUMBO_NODE_TEXT);
    ck_assert_int_eq(dom_last_child(p)->type, GUMBO_NODE_TEXT);
    ck_assert_ptr_eq(dom_first_element_child(p), x);
    ck_assert_ptr_eq(dom_next_element_sibling(x), y);
    ck_assert_ptr_null(dom_next_element_sibling(y));
    ck_assert_ptr_eq(dom_next_sibling(dom_first_child(p)), x);
    ck_assert_ptr_eq(dom_prev_sibling(x), dom_first_child(p));
    ck_assert_ptr_null(dom_prev_sibling(dom_first_child(p)));
    ck_assert_ptr_null(dom_next_sibling(dom_last_child(p)));
    ck_assert_int_eq(dom_next_sibling(x)->type, GUMBO_NODE_COMMENT);
    ck_assert_ptr_null(dom_first_child(x));
    ck_assert_ptr_null(dom_last_child(x));
    ck_assert_ptr_null(dom_first_child(dom_first_child(p)));
    ck_assert_uint_eq(dom_child_count(dom_first_child(p)), 0);
    ck_assert_ptr_null(dom_next_sibling(dom_document(d)));
    ck_assert_ptr_null(dom_prev_sibling(dom_document(d)));
    ck_assert_ptr_null(dom_next_sibling(el(d, "b"))); /* detached */
    finish();
}
END_TEST

/* ---------------------------------------------------------------------------
 * Attributes */

START_TEST(attributes)
{
    dom *d = load("<body><a id=l HREF=\"/x\" Data-Foo-Bar=\"1\">l</a>"
                  "<svg><a xlink:href=\"#s\" viewBox=\"0 0 1 1\"></a></svg></body>");
    GumboNode *a = by_id(d, "l");
    ck_assert_str_eq(dom_get_attr(a, "href"), "/x");
    ck_assert_str_eq(dom_get_attr(a, "HREF"), "/x");
    ck_assert_str_eq(dom_get_attr(a, "data-foo-bar"), "1");
    ck_assert_ptr_null(dom_get_attr(a, "data-foo"));
    ck_assert_ptr_null(dom_get_attr(a, "hre"));
    ck_assert_ptr_null(dom_get_attr(dom_first_child(a), "href")); /* a text node */
    ck_assert_uint_eq(dom_attr_count(a), 3);
    const char *n, *v;
    ck_assert(dom_attr_at(a, 0, &n, &v));
    ck_assert_str_eq(n, "id");
    ck_assert_str_eq(v, "l");
    ck_assert(dom_attr_at(a, 2, &n, &v));
    ck_assert_str_eq(n, "data-foo-bar");
    ck_assert(!dom_attr_at(a, 3, &n, &v));
    ck_assert(!dom_attr_at(dom_first_child(a), 0, &n, &v));

    /* replace keeps the position, a new one goes last, lowercased */
    ck_assert_int_eq(dom_set_attr(d, a, "Href", "/y"), DOM_OK);
    ck_assert_uint_eq(dom_attr_count(a), 3);
    ck_assert_int_eq(dom_set_attr(d, a, "Data-New-Thing", "v&\""), DOM_OK);
    ck_assert_uint_eq(dom_attr_count(a), 4);
    ck_assert(dom_attr_at(a, 3, &n, &v));
    ck_assert_str_eq(n, "data-new-thing");
    ck_assert_str_eq(v, "v&\"");
    ck_assert_str_eq(outer(d, a), "<a id=\"l\" href=\"/y\" data-foo-bar=\"1\" "
                                  "data-new-thing=\"v&amp;&quot;\">l</a>");
    ck_assert_int_eq(dom_set_attr(d, a, "empty", NULL), DOM_OK);
    ck_assert_str_eq(dom_get_attr(a, "empty"), "");
    ck_assert_int_eq(dom_remove_attr(d, a, "DATA-FOO-BAR"), DOM_OK);
    ck_assert_int_eq(dom_remove_attr(d, a, "absent"), DOM_OK);
    ck_assert_int_eq(dom_remove_attr(d, a, "empty"), DOM_OK);
    ck_assert_str_eq(outer(d, a), "<a id=\"l\" href=\"/y\" data-new-thing=\"v&amp;&quot;\">l</a>");

    /* errors */
    GumboNode *t = dom_first_child(a);
    ck_assert_int_eq(dom_set_attr(d, t, "x", "1"), DOM_INVALID);
    ck_assert_int_eq(dom_remove_attr(d, t, "x"), DOM_INVALID);
    const char *bad[] = {"", "a b", "a=b", "a>", "a/", "a\"", "a'", "a\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_int_eq(dom_set_attr(d, a, bad[i], "v"), DOM_SYNTAX);
    ck_assert_int_eq(dom_set_attr(d, a, NULL, "v"), DOM_SYNTAX);
    ck_assert_uint_eq(dom_attr_count(a), 3);

    /* foreign attributes: xlink prefix and case kept */
    GumboNode *sa = dom_first_child(dom_next_sibling(a));
    ck_assert_str_eq(dom_get_attr(sa, "xlink:href"), "#s");
    ck_assert_ptr_null(dom_get_attr(sa, "href"));
    ck_assert_str_eq(dom_get_attr(sa, "viewbox"), "0 0 1 1");
    ck_assert_str_eq(outer(d, sa), "<a xlink:href=\"#s\" viewBox=\"0 0 1 1\"></a>");
    ck_assert_int_eq(dom_set_attr(d, sa, "preserveAspectRatio", "none"), DOM_OK);
    ck_assert(dom_attr_at(sa, 2, &n, &v));
    ck_assert_str_eq(n, "preserveAspectRatio");
    finish();
}
END_TEST

START_TEST(dataset_attributes)
{
    /* what element.dataset.fooBar reads and writes */
    dom *d = load("<div id=d data-foo-bar=\"x\" data-a=\"1\"></div>");
    GumboNode *e = by_id(d, "d");
    ck_assert_str_eq(dom_get_attr(e, "data-foo-bar"), "x");
    ck_assert_int_eq(dom_set_attr(d, e, "data-foo-bar", "y"), DOM_OK);
    ck_assert_int_eq(dom_set_attr(d, e, "data-new-key", "z"), DOM_OK);
    ck_assert_int_eq(dom_remove_attr(d, e, "data-a"), DOM_OK);
    ck_assert_str_eq(outer(d, e), "<div id=\"d\" data-foo-bar=\"y\" data-new-key=\"z\"></div>");
    ck_assert_str_eq(query(d, dom_document(d), "[data-new-key=z]"), "d");
    ck_assert_str_eq(query(d, dom_document(d), "[data-a]"), "");
    finish();
}
END_TEST

START_TEST(class_list)
{
    dom *d = load("<div id=d class=\" a  b a \"></div><p id=p></p>");
    GumboNode *e = by_id(d, "d"), *p = by_id(d, "p");
    ck_assert(dom_class_contains(e, "a"));
    ck_assert(dom_class_contains(e, "b"));
    ck_assert(!dom_class_contains(e, "A"));
    ck_assert(!dom_class_contains(e, "c"));
    ck_assert(!dom_class_contains(e, ""));
    ck_assert(!dom_class_contains(p, "a"));
    /* the update steps rewrite the set: duplicates and extra spaces go */
    ck_assert_int_eq(dom_class_add(d, e, "a"), DOM_OK);
    ck_assert_str_eq(dom_get_attr(e, "class"), "a b");
    ck_assert_int_eq(dom_class_add(d, e, "c"), DOM_OK);
    ck_assert_str_eq(dom_get_attr(e, "class"), "a b c");
    ck_assert_int_eq(dom_class_remove(d, e, "b"), DOM_OK);
    ck_assert_str_eq(dom_get_attr(e, "class"), "a c");
    ck_assert_int_eq(dom_class_remove(d, e, "zz"), DOM_OK);
    ck_assert_str_eq(dom_get_attr(e, "class"), "a c");
    bool on = false;
    ck_assert_int_eq(dom_class_toggle(d, e, "b", &on), DOM_OK);
    ck_assert(on);
    ck_assert_str_eq(dom_get_attr(e, "class"), "a c b");
    ck_assert_int_eq(dom_class_toggle(d, e, "a", &on), DOM_OK);
    ck_assert(!on);
    ck_assert_str_eq(dom_get_attr(e, "class"), "c b");
    ck_assert_int_eq(dom_class_remove(d, e, "c"), DOM_OK);
    ck_assert_int_eq(dom_class_remove(d, e, "b"), DOM_OK);
    ck_assert_str_eq(dom_get_attr(e, "class"), "");
    /* no class attribute: remove creates none, add creates it */
    ck_assert_int_eq(dom_class_remove(d, p, "x"), DOM_OK);
    ck_assert_ptr_null(dom_get_attr(p, "class"));
    ck_assert_int_eq(dom_class_add(d, p, "x"), DOM_OK);
    ck_assert_str_eq(dom_get_attr(p, "class"), "x");
    ck_assert_str_eq(query(d, dom_document(d), ".x"), "p");
    /* bad tokens and nodes */
    ck_assert_int_eq(dom_class_add(d, p, ""), DOM_SYNTAX);
    ck_assert_int_eq(dom_class_add(d, p, "a b"), DOM_SYNTAX);
    ck_assert_int_eq(dom_class_remove(d, p, "a\tb"), DOM_SYNTAX);
    ck_assert_int_eq(dom_class_toggle(d, p, " ", &on), DOM_SYNTAX);
    ck_assert_int_eq(dom_class_add(d, p, NULL), DOM_SYNTAX);
    ck_assert_str_eq(dom_get_attr(p, "class"), "x");
    GumboNode *t = txt(d, "t");
    ck_assert_int_eq(dom_class_add(d, t, "x"), DOM_INVALID);
    ck_assert(!dom_class_contains(t, "x"));
    /* many tokens */
    for (int i = 0; i < 300; i++) {
        char tok[16];
        snprintf(tok, sizeof tok, "t%d", i % 150);
        ck_assert_int_eq(dom_class_add(d, p, tok), DOM_OK);
    }
    ck_assert(dom_class_contains(p, "t149"));
    size_t spaces = 0;
    for (const char *s = dom_get_attr(p, "class"); *s; s++)
        spaces += *s == ' ';
    ck_assert_uint_eq(spaces, 150); /* "x" and t0..t149, once each */
    finish();
}
END_TEST

/* ---------------------------------------------------------------------------
 * Depth and memory */

START_TEST(deep_tree)
{
    dom *d = load("<html><head></head><body></body></html>");
    GumboNode *body = dom_body(d);
    /* built bottom-up: every insertion's ancestor check is short */
    GumboNode *leaf = el(d, "span");
    ck_assert_int_eq(dom_set_attr(d, leaf, "id", "leaf"), DOM_OK);
    ck_assert_int_eq(dom_append_child(d, leaf, txt(d, "x")), DOM_OK);
    GumboNode *top = leaf;
    for (int i = 0; i < DEEP; i++) {
        GumboNode *div = el(d, "div");
        ck_assert_int_eq(dom_append_child(d, div, top), DOM_OK);
        top = div;
    }
    ck_assert_int_eq(dom_append_child(d, body, top), DOM_OK);
    ck_assert_uint_eq(check_tree(dom_document(d)), 1 + 3 + DEEP + 2);

    /* serialize */
    size_t len;
    char *s = dom_serialize(d, body, false, &len);
    ck_assert_ptr_nonnull(s);
    const char *mid = "<span id=\"leaf\">x</span>";
    ck_assert_uint_eq(len, (size_t)DEEP * 11 + strlen(mid));
    ck_assert_int_eq(strncmp(s, "<div><div>", 10), 0);
    ck_assert_int_eq(strncmp(s + (size_t)DEEP * 5, mid, strlen(mid)), 0);
    ck_assert_str_eq(s + len - 12, "</div></div>");
    s = dom_serialize(d, dom_document(d), true, &len);
    ck_assert_uint_eq(len, (size_t)DEEP * 11 + strlen(mid) +
                               strlen("<html><head></head><body>"
                                      "</body></html>"));
    /* text */
    ck_assert_str_eq(dom_text_content(d, body, &len), "x");
    ck_assert_str_eq(dom_text_content(d, dom_document(d), &len), "x");

    /* lookups and selectors */
    ck_assert_ptr_eq(dom_get_element_by_id(d, dom_document(d), "leaf"), leaf);
    dom_list l;
    ck_assert_int_eq(dom_by_tag(d, dom_document(d), "div", &l), DOM_OK);
    ck_assert_uint_eq(l.n, DEEP);
    ck_assert_str_eq(query(d, dom_document(d), "div span"), "leaf");
    ck_assert_str_eq(query(d, dom_document(d), "body > div > div > div > div > span"), "");
    ck_assert_str_eq(query(d, dom_document(d), "span div"), "");
    ck_assert_str_eq(query(d, dom_document(d), "p div, p span, section *"), "");
    ck_assert_int_eq(dom_query(d, dom_document(d), "div div", false, &l), DOM_OK);
    ck_assert_uint_eq(l.n, DEEP - 1);
    ck_assert_int_eq(dom_query(d, dom_document(d), "body > div > div", false, &l), DOM_OK);
    ck_assert_uint_eq(l.n, 1);
    ck_assert_ptr_eq(l.items[0], dom_first_child(top));
    ck_assert_int_eq(dom_query(d, dom_document(d), "div > span:only-child", false, &l), DOM_OK);
    ck_assert_uint_eq(l.n, 1);
    /* a query rooted deep down */
    ck_assert_str_eq(query(d, leaf->parent->parent, "body div > span"), "leaf");
    bool yes;
    ck_assert_int_eq(dom_matches(d, leaf, "html body div span", &yes), DOM_OK);
    ck_assert(yes);
    ck_assert_int_eq(dom_matches(d, leaf, "p span", &yes), DOM_OK);
    ck_assert(!yes);

    /* edits at the bottom, and an ancestor into the deepest node */
    ck_assert_int_eq(dom_set_inner_html(d, leaf, "<a href=/d>deep</a>", 19), DOM_OK);
    ck_assert_int_eq(dom_append_child(d, leaf, top), DOM_HIERARCHY);
    ck_assert_str_eq(dom_text_content(d, body, NULL), "deep");
    ck_assert_int_eq(dom_remove_child(d, body, top), DOM_OK);
    ck_assert_str_eq(inner(d, body), "");
    finish();
}
END_TEST

START_TEST(nomem)
{
    dom *d = load("<body><div id=box><p>keep</p></div></body>");
    GumboNode *box = by_id(d, "box");
    size_t big = 4u << 20;
    char *s = malloc(big + 1);
    ck_assert_ptr_nonnull(s);
    memset(s, 'a', big);
    s[big] = '\0';
    const char *before = outer(d, dom_document(d));

    alloc_fail_after(1);
    ck_assert_ptr_null(dom_create_text(d, s, big));
    ck_assert_ptr_null(dom_create_comment(d, s, big));
    ck_assert_int_eq(dom_set_text_content(d, box, s, big), DOM_NOMEM);
    ck_assert_int_eq(dom_set_inner_html(d, box, s, big), DOM_NOMEM);
    ck_assert_int_eq(dom_set_outer_html(d, dom_first_child(box), s, big), DOM_NOMEM);
    ck_assert_int_eq(dom_insert_html_after(d, NULL, s, big), DOM_NOMEM);
    ck_assert_int_eq(dom_set_attr(d, box, "title", s), DOM_NOMEM);
    ck_assert_int_eq(dom_class_add(d, box, s), DOM_NOMEM);
    dom_err e = DOM_OK;
    ck_assert_ptr_null(dom_create_element(d, s, &e));
    ck_assert_int_eq(e, DOM_NOMEM);
    alloc_fail_reset();
    ck_assert_str_eq(outer(d, dom_document(d)), before);
    check_doc(d);

    /* a text node as big as the test: serialise and read it back, then
     * fail the copies */
    GumboNode *t = dom_create_text(d, s, big);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(dom_append_child(d, box, t), DOM_OK);
    alloc_fail_after(1);
    ck_assert_ptr_null(dom_serialize(d, box, false, NULL));
    ck_assert_ptr_null(dom_text_content(d, box, NULL));
    ck_assert_ptr_null(dom_text_content(d, t, NULL));
    alloc_fail_reset();

    /* a new arena whose first chunk cannot be had */
    arena B;
    arena_init(&B, 0);
    alloc_fail_after(1);
    ck_assert_ptr_null(dom_new(&B, parse_gumbo("<p>x</p>"), URL));
    alloc_fail_reset();
    arena_release(&B);
    free(s);
    finish();
}
END_TEST

START_TEST(lives_in_arena)
{
    size_t before = alloc_live_bytes();
    dom *d = load(FIXTURE);
    for (int i = 0; i < 200; i++) {
        GumboNode *p = el(d, "p");
        ck_assert_int_eq(dom_set_attr(d, p, "class", "k"), DOM_OK);
        ck_assert_int_eq(dom_set_inner_html(d, p, "<b>b</b>", 8), DOM_OK);
        ck_assert_int_eq(dom_append_child(d, dom_body(d), p), DOM_OK);
    }
    dom_list l;
    ck_assert_int_eq(dom_query(d, dom_document(d), ".k > b:only-child", false, &l), DOM_OK);
    ck_assert_uint_eq(l.n, 200);
    ck_assert_ptr_nonnull(dom_serialize(d, dom_document(d), true, NULL));
    ck_assert_uint_ge(alloc_live_bytes(), before); /* the arena's chunks */
    finish();
}
END_TEST

/* Scripts call these in loops: the arena must not grow with each call. */
START_TEST(repeated_calls_do_not_grow)
{
    dom *d = load(FIXTURE);
    GumboNode *w1 = by_id(d, "w1"), *s1 = by_id(d, "s1");
    const char *sels[] = {"p span", "[lang|=en]", "x > y", ":nope", "div > p > span"};
    bool yes;
    dom_list l;
    for (int round = 0; round < 2; round++) {
        size_t used = arena_used(&A);
        for (int i = 0; i < 10000; i++) {
            ck_assert_str_eq(dom_tag_name(d, w1), "my-widget");
            for (size_t k = 0; k < sizeof sels / sizeof sels[0]; k++) {
                dom_err e = dom_matches(d, s1, sels[k], &yes);
                ck_assert_int_eq(e, k == 3 ? DOM_SYNTAX : DOM_OK);
                ck_assert(k == 3 || yes == (k != 2));
            }
        }
        if (round == 1) /* the first round filled the caches */
            ck_assert_uint_eq(arena_used(&A), used);
    }
    /* the same name from another element is the same string */
    GumboNode *w2 = el(d, "MY-WIDGET");
    ck_assert_ptr_eq(dom_tag_name(d, w2), dom_tag_name(d, w1));
    /* many distinct names and selectors still work past the caches */
    for (int i = 0; i < 100; i++) {
        char name[32], sel[64];
        snprintf(name, sizeof name, "x-e%d", i);
        GumboNode *e = el(d, name);
        ck_assert_str_eq(dom_tag_name(d, e), name);
        ck_assert_int_eq(dom_append_child(d, dom_body(d), e), DOM_OK);
        snprintf(sel, sizeof sel, "body > x-e%d", i);
        ck_assert_int_eq(dom_query(d, dom_document(d), sel, false, &l), DOM_OK);
        ck_assert_uint_eq(l.n, 1);
        ck_assert_ptr_eq(l.items[0], e);
    }
    for (int i = 0; i < 100; i++) {
        char name[32];
        snprintf(name, sizeof name, "X-E%d", i);
        ck_assert_int_eq(dom_by_tag(d, dom_document(d), name, &l), DOM_OK);
        ck_assert_uint_eq(l.n, 1);
        name[0] = 'x', name[2] = 'e';
        ck_assert_str_eq(dom_tag_name(d, l.items[0]), name);
    }
    finish();
}
END_TEST
static Suite *dom_suite(void)
{
    Suite *s = suite_create("dom");
    TCase *tc = tcase_create("nodes");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, document_accessors);
    tcase_add_test(tc, new_rejects_nothing_to_wrap);
    tcase_add_test(tc, create_element_names);
    tcase_add_test(tc, append_child);
    tcase_add_test(tc, insert_before);
    tcase_add_test(tc, remove_child);
    tcase_add_test(tc, replace_child);
    tcase_add_test(tc, hierarchy_errors);
    tcase_add_test(tc, move_between_parents);
    tcase_add_test(tc, navigation);
    suite_add_tcase(s, tc);

    tc = tcase_create("attributes");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, attributes);
    tcase_add_test(tc, dataset_attributes);
    tcase_add_test(tc, class_list);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, deep_tree);
    tcase_add_test(tc, nomem);
    tcase_add_test(tc, lives_in_arena);
    tcase_add_test(tc, repeated_calls_do_not_grow);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(dom_suite()); }
