/* dom_fixture — what the DOM suites (test_dom, test_dom_select,
 * test_dom_serialize) share: loading a document into a dom, the parent/index
 * invariants checked over a whole tree, and short ways to build, find and
 * print nodes. Header only, everything static, like html_fixture.h. */
#ifndef CRAWLD_DOM_FIXTURE_H
#define CRAWLD_DOM_FIXTURE_H

#include "dom.h"
#include "html.h"

#include <check.h>

#include "html_fixture.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void *parse_gumbo(const char *html)
{
    html_doc doc = parse(html);
    ck_assert_ptr_nonnull(doc.gumbo_output);
    return doc.gumbo_output;
}

static inline dom *load(const char *html)
{
    dom *d = dom_new(&A, parse_gumbo(html), URL);
    ck_assert_ptr_nonnull(d);
    return d;
}

static inline GumboVector *kids_of(GumboNode *n)
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
static inline size_t check_tree(GumboNode *top)
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

static inline void check_doc(dom *d)
{
    ck_assert_ptr_null(dom_document(d)->parent);
    check_tree(dom_document(d));
}

static inline const char *outer(dom *d, const GumboNode *n)
{
    size_t len = 12345;
    const char *s = dom_serialize(d, n, true, &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(len, strlen(s));
    return s;
}

static inline const char *inner(dom *d, const GumboNode *n)
{
    size_t len = 12345;
    const char *s = dom_serialize(d, n, false, &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(len, strlen(s));
    return s;
}

static inline GumboNode *el(dom *d, const char *name)
{
    dom_err e = DOM_NOMEM;
    GumboNode *n = dom_create_element(d, name, &e);
    ck_assert_int_eq(e, DOM_OK);
    ck_assert_ptr_nonnull(n);
    return n;
}

static inline GumboNode *txt(dom *d, const char *s)
{
    GumboNode *n = dom_create_text(d, s, strlen(s));
    ck_assert_ptr_nonnull(n);
    return n;
}

static inline GumboNode *by_id(dom *d, const char *id)
{
    GumboNode *n = dom_get_element_by_id(d, dom_document(d), id);
    ck_assert_msg(n != NULL, "no #%s", id);
    return n;
}

/* A list as "id,id,tag": each node's id, or its tag name when it has none. */
static inline const char *names(dom *d, const dom_list *l)
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

static inline const char *query(dom *d, GumboNode *root, const char *sel)
{
    dom_list l = {(GumboNode **)1, 99};
    dom_err e = dom_query(d, root, sel, false, &l);
    ck_assert_msg(e == DOM_OK, "selector '%s': %s", sel, dom_err_word(e));
    return names(d, &l);
}

/* ---------------------------------------------------------------------------
 * The document the lookup and limit tests search */

static const char *const FIXTURE =
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

#endif
