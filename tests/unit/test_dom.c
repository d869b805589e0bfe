/* test_dom — the DOM over gumbo's tree: edits keep parent/index invariants
 * (checked over the whole tree after every edit), serialisation, markup
 * (innerHTML, outerHTML, document.write), attributes and classList,
 * lookups, the selector engine (results, order, syntax errors, and the two
 * matchers agreeing), html.c's extraction seeing edits made between
 * html_tree_build and html_tree_extract, 100,000-deep trees, and that
 * everything lives in the arena. */
#include "alloc.h"
#include "arena.h"
#include "dom.h"
#include "html.h"

#include <check.h>

#include "html_fixture.h"
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEEP 100000

static void *parse_gumbo(const char *html)
{
    html_doc doc = parse(html);
    ck_assert_ptr_nonnull(doc.gumbo_output);
    return doc.gumbo_output;
}

static dom *load(const char *html)
{
    dom *d = dom_new(&A, parse_gumbo(html), URL);
    ck_assert_ptr_nonnull(d);
    return d;
}

static GumboVector *kids_of(GumboNode *n)
{
    if (n->type == GUMBO_NODE_DOCUMENT)
        return &n->v.document.children;
    if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE)
        return &n->v.element.children;
    return NULL;
}

/* Walks the whole tree under top with its own stack (not the parent
 * pointers it checks) and verifies that every child's parent is the node
 * holding it, at index_within_parent. Returns the number of nodes. */
static size_t check_tree(GumboNode *top)
{
    size_t cap = 1024, sp = 0, count = 1;
    GumboNode **stack = malloc(cap * sizeof *stack);
    ck_assert_ptr_nonnull(stack);
    stack[sp++] = top;
    while (sp) {
        GumboNode *n = stack[--sp];
        GumboVector *v = kids_of(n);
        if (!v)
            continue;
        ck_assert_uint_le(v->length, v->capacity);
        for (size_t i = 0; i < v->length; i++) {
            GumboNode *c = v->data[i];
            ck_assert_ptr_nonnull(c);
            ck_assert_msg(c->parent == n, "child %zu: wrong parent", i);
            ck_assert_msg(c->index_within_parent == i, "child %zu: index_within_parent %zu", i,
                          c->index_within_parent);
            ck_assert_msg(c->type != GUMBO_NODE_DOCUMENT, "a document as a child");
            count++;
            if (sp == cap) {
                cap *= 2;
                stack = realloc(stack, cap * sizeof *stack);
                ck_assert_ptr_nonnull(stack);
            }
            stack[sp++] = c;
        }
    }
    free(stack);
    return count;
}

static void check_doc(dom *d)
{
    ck_assert_ptr_null(dom_document(d)->parent);
    check_tree(dom_document(d));
}

static const char *outer(dom *d, const GumboNode *n)
{
    size_t len = 12345;
    const char *s = dom_serialize(d, n, true, &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(len, strlen(s));
    return s;
}

static const char *inner(dom *d, const GumboNode *n)
{
    size_t len = 12345;
    const char *s = dom_serialize(d, n, false, &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(len, strlen(s));
    return s;
}

static GumboNode *el(dom *d, const char *name)
{
    dom_err e = DOM_NOMEM;
    GumboNode *n = dom_create_element(d, name, &e);
    ck_assert_int_eq(e, DOM_OK);
    ck_assert_ptr_nonnull(n);
    return n;
}

static GumboNode *txt(dom *d, const char *s)
{
    GumboNode *n = dom_create_text(d, s, strlen(s));
    ck_assert_ptr_nonnull(n);
    return n;
}

static GumboNode *by_id(dom *d, const char *id)
{
    GumboNode *n = dom_get_element_by_id(d, dom_document(d), id);
    ck_assert_msg(n != NULL, "no #%s", id);
    return n;
}

/* A list as "id,id,tag": each node's id, or its tag name when it has none. */
static const char *names(dom *d, const dom_list *l)
{
    static char out[8192];
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < l->n; i++) {
        const char *id = dom_get_attr(l->items[i], "id");
        const char *s = id ? id : dom_tag_name(d, l->items[i]);
        o += (size_t)snprintf(out + o, sizeof out - o, "%s%s", i ? "," : "", s);
        ck_assert_uint_lt(o, sizeof out);
    }
    return out;
}

static const char *query(dom *d, GumboNode *root, const char *sel)
{
    dom_list l = {(GumboNode **)1, 99};
    dom_err e = dom_query(d, root, sel, false, &l);
    ck_assert_msg(e == DOM_OK, "selector '%s': %s", sel, dom_err_word(e));
    return names(d, &l);
}

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

/* ---------------------------------------------------------------------------
 * Lookups */

static const char *FIXTURE =
    "<!DOCTYPE html><html><head><title>T</title></head><body>\n"
    "<div id=\"d1\" class=\"a b\" data-x=\"hello-world\">\n"
    "  <p id=\"p1\" class=\"a\">one <span id=\"s1\" lang=\"en-US\">x</span></p>\n"
    "  <p id=\"p2\" class=\"b c\" title='say \"hi\"'><a id=\"a1\" href=\"http://x.test/1\" "
    "rel=\"nofollow noopener\">l1</a></p>\n"
    "  <ul id=\"u1\"><li id=\"l1\">1</li><li id=\"l2\" class=\"a\">2</li><li id=\"l3\">3</li>"
    "</ul>\n"
    "</div>\n"
    "<div id=\"d2\"><section id=\"sec\"><div id=\"d3\"><p id=\"p3\" class=\"c\"><em id=\"e1\">"
    "</em></p></div></section></div>\n"
    "<my-widget id=\"w1\" Data-Foo-Bar=\"1\"></my-widget>\n"
    "<article id=\"ar1\"><section id=\"x1\"><article id=\"ar2\"><div id=\"dv\">"
    "<section id=\"x3\"><i id=\"em2\"></i></section></div></article></section></article>\n"
    "<p id=\"dup\">first</p><p id=\"dup\">second</p>\n"
    "</body></html>";

START_TEST(get_element_by_id)
{
    dom *d = load(FIXTURE);
    GumboNode *doc = dom_document(d);
    GumboNode *p1 = dom_get_element_by_id(d, doc, "p1");
    ck_assert_ptr_nonnull(p1);
    ck_assert_str_eq(dom_get_attr(p1, "class"), "a");
    ck_assert_ptr_null(dom_get_element_by_id(d, doc, "P1")); /* case-sensitive */
    ck_assert_ptr_null(dom_get_element_by_id(d, doc, "nope"));
    ck_assert_ptr_null(dom_get_element_by_id(d, doc, ""));
    ck_assert_ptr_null(dom_get_element_by_id(d, doc, NULL));
    GumboNode *dup = dom_get_element_by_id(d, doc, "dup");
    ck_assert_str_eq(dom_text_content(d, dup, NULL), "first");
    /* under a root, root excluded */
    GumboNode *d1 = by_id(d, "d1");
    ck_assert_ptr_eq(dom_get_element_by_id(d, d1, "s1"), by_id(d, "s1"));
    ck_assert_ptr_null(dom_get_element_by_id(d, d1, "d1"));
    ck_assert_ptr_null(dom_get_element_by_id(d, d1, "e1"));
    /* follows edits */
    ck_assert_int_eq(dom_set_attr(d, by_id(d, "e1"), "id", "renamed"), DOM_OK);
    ck_assert_ptr_null(dom_get_element_by_id(d, doc, "e1"));
    ck_assert_ptr_nonnull(dom_get_element_by_id(d, doc, "renamed"));
    finish();
}
END_TEST

START_TEST(by_tag_and_class)
{
    dom *d = load(FIXTURE);
    GumboNode *doc = dom_document(d), *d1 = by_id(d, "d1");
    dom_list l;
    ck_assert_int_eq(dom_by_tag(d, doc, "p", &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "p1,p2,p3,dup,dup");
    ck_assert_int_eq(dom_by_tag(d, doc, "P", &l), DOM_OK);
    ck_assert_uint_eq(l.n, 5);
    ck_assert_int_eq(dom_by_tag(d, d1, "*", &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "p1,s1,p2,a1,u1,l1,l2,l3");
    ck_assert_int_eq(dom_by_tag(d, doc, "*", &l), DOM_OK);
    ck_assert_uint_eq(l.n, 27);
    ck_assert_str_eq(dom_tag_name(d, l.items[0]), "html");
    ck_assert_int_eq(dom_by_tag(d, doc, "MY-WIDGET", &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "w1");
    ck_assert_int_eq(dom_by_tag(d, doc, "table", &l), DOM_OK);
    ck_assert_uint_eq(l.n, 0);
    ck_assert_int_eq(dom_by_tag(d, d1, "div", &l), DOM_OK); /* root excluded */
    ck_assert_uint_eq(l.n, 0);

    ck_assert_int_eq(dom_by_class(d, doc, "a", &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "d1,p1,l2");
    ck_assert_int_eq(dom_by_class(d, doc, "  b   a ", &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "d1");
    ck_assert_int_eq(dom_by_class(d, doc, "c", &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "p2,p3");
    ck_assert_int_eq(dom_by_class(d, doc, "b c", &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "p2");
    ck_assert_int_eq(dom_by_class(d, doc, "A", &l), DOM_OK);
    ck_assert_uint_eq(l.n, 0);
    ck_assert_int_eq(dom_by_class(d, doc, " ", &l), DOM_OK);
    ck_assert_uint_eq(l.n, 0);
    ck_assert_int_eq(dom_by_class(d, d1, "a", &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "p1,l2");
    ck_assert_int_eq(dom_by_tag(d, NULL, "p", &l), DOM_INVALID);
    finish();
}
END_TEST

/* ---------------------------------------------------------------------------
 * Selectors */

typedef struct qcase {
    const char *sel;
    const char *want;
} qcase;

static const qcase QCASES[] = {
    {"p", "p1,p2,p3,dup,dup"},
    {"P", "p1,p2,p3,dup,dup"},
    {"#p2", "p2"},
    {"#P2", ""},
    {".a", "d1,p1,l2"},
    {".A", ""},
    {".a.b", "d1"},
    {".b.a", "d1"},
    {"p.c", "p2,p3"},
    {"div p", "p1,p2,p3"},
    {"div > p", "p1,p2,p3"},
    {"section p", "p3"},
    {"section > p", ""},
    {"section > div > p", "p3"},
    {"div div p", "p3"},
    {"div > div p", ""},
    {"body > div", "d1,d2"},
    {"body div", "d1,d2,d3,dv"},
    {"li, p", "p1,p2,l1,l2,l3,p3,dup,dup"},
    {"p, .a", "d1,p1,p2,l2,p3,dup,dup"},
    {"p,p", "p1,p2,p3,dup,dup"},
    {"[href]", "a1"},
    {"[href^=http]", "a1"},
    {"[href^='http://x']", "a1"},
    {"[href^=\"https\"]", ""},
    {"[href$=\"/1\"]", "a1"},
    {"[href*='x.test']", "a1"},
    {"[href*='']", ""},
    {"[href^='']", ""},
    {"[href$=\"\"]", ""},
    {"[rel~='']", ""},
    {"[lang|='']", ""},
    {"[href='']", ""},
    {"[rel~=nofollow]", "a1"},
    {"[rel~=follow]", ""},
    {"[rel~='nofollow noopener']", ""},
    {"[lang|=en]", "s1"},
    {"[lang|=en-US]", "s1"},
    {"[lang|=e]", ""},
    {"[title='say \"hi\"']", "p2"},
    {"[title=\"say \\\"hi\\\"\"]", "p2"},
    {"[data-x=hello-world]", "d1"},
    {"[DATA-X=hello-world]", "d1"},
    {"[data-x=HELLO-WORLD]", ""},
    {"[data-x=HELLO-WORLD i]", "d1"},
    {"[ data-x = 'hello-world' s ]", "d1"},
    {"[data-foo-bar]", "w1"},
    {"[data-foo-bar=\"1\"]", "w1"},
    {"my-widget", "w1"},
    {"MY-WIDGET", "w1"},
    {"li:first-child", "l1"},
    {"li:last-child", "l3"},
    {"em:only-child", "e1"},
    {"li:only-child", ""},
    {"ul > :not(.a)", "l1,l3"},
    {":root", "html"},
    {"em:empty", "e1"},
    {"li:empty", ""},
    {"p:not(.c)", "p1,dup,dup"},
    {"p:not([id=dup]):not(#p1)", "p2,p3"},
    {"#d1 .a", "p1,l2"},
    {"div#d2 > section > div#d3 > p.c > em", "e1"},
    {"  p  >  span  ", "s1"},
    {"ul li:not(:first-child):not(:last-child)", "l2"},
    {"a[href][rel]", "a1"},
    {"#d1>p>a", "a1"},
    {"html body div p span", "s1"},
    {"head title", "title"},
    {"#\\70 1", "p1"},
    {"#p\\31", "p1"},
    {"article > section i", "em2"},
    {"article > section > i", ""},
    {"article section > i", "em2"},
    {"article > section div > section > i", "em2"},
    {"body > article > section > article > div > section > i", "em2"},
    {"*", "html,head,title,body,d1,p1,s1,p2,a1,u1,l1,l2,l3,d2,sec,d3,p3,e1,w1,ar1,x1,ar2,dv,x3,"
          "em2,dup,dup"},
    {"div *", "p1,s1,p2,a1,u1,l1,l2,l3,sec,d3,p3,e1,x3,em2"},
    {"*.c", "p2,p3"},
    {"div\t>\np", "p1,p2,p3"},
};

START_TEST(selectors)
{
    dom *d = load(FIXTURE);
    check_doc(d);
    GumboNode *doc = dom_document(d);
    for (size_t i = 0; i < sizeof QCASES / sizeof QCASES[0]; i++) {
        const char *got = query(d, doc, QCASES[i].sel);
        ck_assert_msg(!strcmp(got, QCASES[i].want), "'%s': got '%s', want '%s'", QCASES[i].sel, got,
                      QCASES[i].want);
    }
    finish();
}
END_TEST

START_TEST(selectors_scoped)
{
    dom *d = load(FIXTURE);
    GumboNode *d1 = by_id(d, "d1"), *d2 = by_id(d, "d2");
    ck_assert_str_eq(query(d, d1, "p"), "p1,p2");
    ck_assert_str_eq(query(d, d1, "*"), "p1,s1,p2,a1,u1,l1,l2,l3");
    /* root excluded, but its ancestors and itself count for the match */
    ck_assert_str_eq(query(d, d2, "div"), "d3");
    ck_assert_str_eq(query(d, d2, "div p"), "p3");
    ck_assert_str_eq(query(d, d1, "body p"), "p1,p2");
    ck_assert_str_eq(query(d, d1, "body > div > p"), "p1,p2");
    ck_assert_str_eq(query(d, d1, "#d1 > p"), "p1,p2");
    ck_assert_str_eq(query(d, d1, "#d2 p"), "");
    /* a detached subtree */
    GumboNode *box = el(d, "div");
    ck_assert_int_eq(dom_set_inner_html(d, box, "<p id=q1><b id=q2></b></p>", 26), DOM_OK);
    ck_assert_str_eq(query(d, box, "div b"), "q2");
    ck_assert_str_eq(query(d, box, "body b"), "");
    ck_assert_str_eq(query(d, box, ":root"), "");
    /* a text node has no descendants */
    ck_assert_str_eq(query(d, dom_first_child(by_id(d, "l1")), "*"), "");
    finish();
}
END_TEST

START_TEST(selectors_first_only)
{
    dom *d = load(FIXTURE);
    dom_list l;
    ck_assert_int_eq(dom_query(d, dom_document(d), "li", true, &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "l1");
    ck_assert_int_eq(dom_query(d, dom_document(d), "p, .a", true, &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "d1");
    ck_assert_int_eq(dom_query(d, dom_document(d), "table", true, &l), DOM_OK);
    ck_assert_uint_eq(l.n, 0);
    finish();
}
END_TEST

static const char *BAD_SELECTORS[] = {
    "",
    " ",
    "a,",
    ",a",
    "a,,b",
    "a >",
    "> a",
    "a > > b",
    "a + b",
    "a ~ b",
    "a+b",
    "div::before",
    "::after",
    ":hover",
    "a:nth-child(2)",
    ":first-child(1)",
    "[",
    "[a",
    "[a=]",
    "[a='x]",
    "[a=\"x]",
    "[a='x'",
    "[=x]",
    "[a~~b]",
    "[a!=b]",
    "[a=b c]",
    "[a=b i x]",
    "[1a]",
    "#",
    ".",
    "#1a",
    ".1a",
    "#-1",
    "a)",
    "(a)",
    ":not(",
    ":not()",
    ":not(a b)",
    ":not(a > b)",
    ":not(:not(a))",
    ":not(a,b)",
    "*|a",
    "a|b",
    "svg|rect",
    "a!",
    "a{}",
    "a\\",
    "/* c */ a",
    "a /* c */",
    "@media",
    "a b,",
    "&",
    "a:",
    ":",
    "-",
    "-1",
    "[a='\n']",
    "p.",
    "p#",
    "p[",
    "p[]",
    "a\x01",
    "a, ,b",
};

START_TEST(selectors_bad_syntax)
{
    dom *d = load(FIXTURE);
    GumboNode *p1 = by_id(d, "p1");
    for (size_t i = 0; i < sizeof BAD_SELECTORS / sizeof BAD_SELECTORS[0]; i++) {
        dom_list l = {(GumboNode **)1, 7};
        dom_err e = dom_query(d, dom_document(d), BAD_SELECTORS[i], false, &l);
        ck_assert_msg(e == DOM_SYNTAX, "'%s': %s", BAD_SELECTORS[i], dom_err_word(e));
        ck_assert_uint_eq(l.n, 0);
        bool yes = true;
        e = dom_matches(d, p1, BAD_SELECTORS[i], &yes);
        ck_assert_msg(e == DOM_SYNTAX, "matches '%s': %s", BAD_SELECTORS[i], dom_err_word(e));
        ck_assert(!yes);
    }
    dom_list l;
    ck_assert_int_eq(dom_query(d, dom_document(d), NULL, false, &l), DOM_SYNTAX);
    bool yes;
    ck_assert_int_eq(dom_matches(d, p1, NULL, &yes), DOM_SYNTAX);
    finish();
}
END_TEST

static void expect_matches(dom *d, const char *id, const char *sel, bool want)
{
    bool yes = !want;
    ck_assert_int_eq(dom_matches(d, by_id(d, id), sel, &yes), DOM_OK);
    ck_assert_msg(yes == want, "#%s matches '%s': %d", id, sel, yes);
}

START_TEST(matches)
{
    dom *d = load(FIXTURE);
    expect_matches(d, "s1", "span", true);
    expect_matches(d, "s1", "p span", true);
    expect_matches(d, "s1", "div > p > span", true);
    expect_matches(d, "s1", "div > span", false);
    expect_matches(d, "s1", "li, [lang|=en]", true);
    expect_matches(d, "em2", "article > section i", true);
    expect_matches(d, "em2", "article > section > i", false);
    expect_matches(d, "em2", "section > article > div i", true);
    expect_matches(d, "em2", "section > article > section i", false);
    expect_matches(d, "p3", "p:not(.a)", true);
    bool yes = true;
    ck_assert_int_eq(dom_matches(d, dom_first_child(by_id(d, "l1")), "*", &yes), DOM_INVALID);
    ck_assert(!yes);
    ck_assert_int_eq(dom_matches(d, dom_document(d), "*", &yes), DOM_INVALID);
    finish();
}
END_TEST

/* dom_query (top down) and dom_matches (right to left) are two matchers:
 * they must agree on every element for every selector. */
START_TEST(matchers_agree)
{
    dom *d = load(FIXTURE);
    GumboNode *doc = dom_document(d);
    dom_list all;
    ck_assert_int_eq(dom_by_tag(d, doc, "*", &all), DOM_OK);
    for (size_t i = 0; i < sizeof QCASES / sizeof QCASES[0]; i++) {
        dom_list got;
        ck_assert_int_eq(dom_query(d, doc, QCASES[i].sel, false, &got), DOM_OK);
        size_t k = 0;
        for (size_t j = 0; j < all.n; j++) {
            bool yes;
            ck_assert_int_eq(dom_matches(d, all.items[j], QCASES[i].sel, &yes), DOM_OK);
            bool listed = k < got.n && got.items[k] == all.items[j];
            ck_assert_msg(yes == listed, "'%s' on element %zu: matches %d, listed %d",
                          QCASES[i].sel, j, yes, listed);
            k += listed;
        }
        ck_assert_uint_eq(k, got.n);
    }
    finish();
}
END_TEST

/* A selector list too long for the top-down bit sets takes the other path:
 * same answers. */
START_TEST(selectors_long_list)
{
    dom *d = load(FIXTURE);
    size_t cap = 64 * 1024, o = 0;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    for (int i = 0; i < 1100; i++)
        o += (size_t)snprintf(s + o, cap - o, "x%d > y, ", i);
    snprintf(s + o, cap - o, "div > p > span, article section > i, li:last-child");
    const char *got = query(d, dom_document(d), s);
    ck_assert_str_eq(got, "s1,l3,em2");
    dom_list l;
    ck_assert_int_eq(dom_query(d, dom_document(d), s, true, &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "s1");
    /* and the same short list on the bit sets */
    ck_assert_str_eq(
        query(d, dom_document(d), "x1 > y, div > p > span, article section > i, li:last-child"),
        "s1,l3,em2");
    free(s);
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

    tc = tcase_create("markup");
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

    tc = tcase_create("lookups");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, get_element_by_id);
    tcase_add_test(tc, by_tag_and_class);
    tcase_add_test(tc, selectors);
    tcase_add_test(tc, selectors_scoped);
    tcase_add_test(tc, selectors_first_only);
    tcase_add_test(tc, selectors_bad_syntax);
    tcase_add_test(tc, matches);
    tcase_add_test(tc, matchers_agree);
    tcase_add_test(tc, selectors_long_list);
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
