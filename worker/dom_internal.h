/* dom_internal — the private half of dom.h, for dom.c, dom_serialize.c and
 * dom_select.c only: struct dom, the small node predicates, and the tree
 * primitives dom.c owns and the other two build their edits on.
 *
 * Every primitive keeps dom.c's invariant (a child's parent pointer and
 * index_within_parent say where it sits). Include dom.h first: this file
 * does not, so that the pair reads as one module to tests/deps_check.py. */
#ifndef CRAWLD_DOM_INTERNAL_H
#define CRAWLD_DOM_INTERNAL_H

#ifndef CRAWLD_DOM_H
#error "include dom.h before dom_internal.h"
#endif

#include "ascii.h"

#include <stdint.h>
#include <string.h>

/* Scripts call matches/querySelector and tagName in loops: the last few
 * compiled selectors and every unknown tag name are kept, so a loop does not
 * grow the arena with each call. */
#define SEL_CACHE 8

struct sel;

struct dom {
    arena *a;
    GumboOutput *out;
    const char *url;
    unsigned long gen;      /* bumped by every edit */
    unsigned long base_gen; /* gen when base was looked up */
    const char *base;       /* cached dom_base_url, valid while base_gen == gen */
    const char **names;     /* lowercase unknown tag names, open addressing */
    size_t names_cap, names_n;
    struct {
        const char *text; /* NULL: empty slot */
        struct sel *sel;  /* NULL when the text did not compile */
        dom_err err;
    } sels[SEL_CACHE];
    unsigned sels_next;
};

/* ---------------------------------------------------------------------------
 * Small utilities (ASCII whitespace and case: ascii.h) */

static inline bool dom_is_elem(const GumboNode *n)
{
    return n && (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE);
}

static inline bool dom_is_chardata(const GumboNode *n)
{
    return n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
           n->type == GUMBO_NODE_CDATA || n->type == GUMBO_NODE_COMMENT;
}

static inline bool dom_is_text(const GumboNode *n)
{
    return n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
           n->type == GUMBO_NODE_CDATA;
}

static inline GumboVector *dom_kids(GumboNode *n)
{
    if (!n)
        return NULL;
    if (n->type == GUMBO_NODE_DOCUMENT)
        return &n->v.document.children;
    if (dom_is_elem(n))
        return &n->v.element.children;
    return NULL;
}

static inline const GumboVector *dom_ckids(const GumboNode *n) { return dom_kids((GumboNode *)n); }

/* A template's children are its content fragment's (dom_template_content):
 * its one raw child, the fragment, is hidden from every walk, and the
 * fragment has no parent element (as a DocumentFragment). */
static inline const GumboNode *dom_parent_elem(const GumboNode *n)
{
    return dom_is_elem(n->parent) && n->parent->type != GUMBO_NODE_TEMPLATE ? n->parent : NULL;
}

/* n's parent in the tree scripts see: NULL above a template's content. */
static inline GumboNode *dom_tree_parent(const GumboNode *n)
{
    return n->parent && n->parent->type != GUMBO_NODE_TEMPLATE ? n->parent : NULL;
}

/* Preorder successor of n inside root's subtree over the raw tree (into
 * templates' content too): for the passes that fix the tree up. */
static inline GumboNode *dom_next_raw(const GumboNode *root, GumboNode *n)
{
    GumboVector *v = dom_kids(n);
    if (v && v->length)
        return v->data[0];
    while (n && n != root) {
        GumboVector *pv = dom_kids(n->parent);
        size_t i = n->index_within_parent + 1;
        if (pv && i < pv->length)
            return pv->data[i];
        n = n->parent;
    }
    return NULL;
}

/* Preorder successor of n inside root's subtree (descend: may enter n's
 * children); NULL after the last node. */
static inline GumboNode *dom_next_pre(const GumboNode *root, const GumboNode *n, bool descend)
{
    if (descend) {
        GumboNode *c = dom_first_child(n);
        if (c)
            return c;
    }
    while (n && n != root) {
        GumboNode *s = dom_next_sibling(n);
        if (s)
            return s;
        n = n->parent;
    }
    return NULL;
}

/* ---------------------------------------------------------------------------
 * Tree primitives (dom.c) */

/* Grows v to hold need entries; the old array stays behind in the arena. */
bool dom_vec_reserve(arena *a, GumboVector *v, size_t need);
/* Sets parent/index of every child of every node under top (top itself is
 * left as it is). */
void dom_fix_tree(GumboNode *top);
/* Moves the children of every template under top (top included) into the
 * template's content fragment, as a browser's parser builds it. For a
 * tree fresh from gumbo only (once). */
dom_err dom_templates_adopt(dom *d, GumboNode *top);
/* Inserts nodes[0..k) at index at of p's children; capacity is reserved. */
void dom_insert_nodes(GumboNode *p, size_t at, GumboNode **nodes, size_t k);
/* The element's local name as written (any case), not NUL-terminated. */
void dom_tag_piece(const GumboNode *n, const char **p, size_t *len);
/* n's attribute whose qualified name is name[0..len) (ASCII case-insensitive);
 * *idx (when not NULL) its index. */
GumboAttribute *dom_find_attr(const GumboNode *n, const char *name, size_t len, size_t *idx);
/* Is tok[0..len) one of the whitespace-separated tokens of s? */
bool dom_has_token(const char *s, const char *tok, size_t len, bool ci);

#endif
