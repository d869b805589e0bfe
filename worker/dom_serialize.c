/* dom_serialize — the DOM's markup, both ways: innerHTML / outerHTML out
 * (HTML5 serialisation), textContent's read, and innerHTML / outerHTML /
 * insertAdjacentHTML in (a gumbo fragment parse spliced into the tree).
 *
 * Strings go into the page arena; a fragment's input is copied there first,
 * since gumbo's tree points into it. Splices use dom.c's primitives, so the
 * tree's invariant (dom_internal.h) holds after each call. */
#include "dom.h"
#include "dom_internal.h"

#include "html.h"
#include "tags.h"

#include <stdint.h>
#include <string.h>

/* Cap of the allocation that tells a failed fragment parse's cause. */
#define FRAGMENT_PROBE_MAX ((size_t)1 << 20)

/* A growable byte buffer in the arena. */
typedef struct buf {
    arena *a;
    char *p;
    size_t len, cap;
    bool oom;
} buf;

static bool buf_reserve(buf *b, size_t more)
{
    if (b->oom)
        return false;
    if (more < SIZE_MAX - b->len - 1 && b->len + more + 1 <= b->cap)
        return true;
    if (more >= SIZE_MAX / 4 - b->len) {
        b->oom = true;
        return false;
    }
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < b->len + more + 1)
        ncap *= 2;
    char *np = arena_resize(b->a, b->p, b->cap, ncap);
    if (!np) {
        b->oom = true;
        return false;
    }
    b->p = np;
    b->cap = ncap;
    return true;
}

static void buf_add(buf *b, const char *s, size_t n)
{
    if (!n || !buf_reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void buf_str(buf *b, const char *s) { buf_add(b, s, strlen(s)); }

static char *buf_finish(buf *b, size_t *len)
{
    if (!buf_reserve(b, 0))
        return NULL;
    b->p[b->len] = '\0';
    if (len)
        *len = b->len;
    return b->p;
}

/* ---------------------------------------------------------------------------
 * Text */

char *dom_text_content(dom *d, const GumboNode *n, size_t *len)
{
    if (!n)
        return NULL;
    if (dom_is_chardata(n)) {
        size_t l = strlen(n->v.text.text);
        char *s = arena_strndup(d->a, n->v.text.text, l);
        if (s && len)
            *len = l;
        return s;
    }
    size_t total = 0;
    for (const GumboNode *x = n; x; x = dom_next_pre(n, x, true))
        if (dom_is_text(x))
            total += strlen(x->v.text.text);
    char *s = arena_alloc(d->a, total + 1);
    if (!s)
        return NULL;
    size_t at = 0;
    for (const GumboNode *x = n; x; x = dom_next_pre(n, x, true))
        if (dom_is_text(x)) {
            size_t l = strlen(x->v.text.text);
            memcpy(s + at, x->v.text.text, l);
            at += l;
        }
    s[at] = '\0';
    if (len)
        *len = at;
    return s;
}

/* ---------------------------------------------------------------------------
 * Serialisation */

static bool is_void(const GumboNode *n)
{
    return n->v.element.tag_namespace == GUMBO_NAMESPACE_HTML &&
           (tags_flags((int)n->v.element.tag) & TAGS_VOID);
}

/* Text inside these is serialised as it stands (HTML5 serialisation). */
static bool is_raw_parent(const GumboNode *p)
{
    return dom_is_elem(p) && p->v.element.tag_namespace == GUMBO_NAMESPACE_HTML &&
           (tags_flags((int)p->v.element.tag) & TAGS_RAW_TEXT);
}

static void put_escaped(buf *b, const char *s, bool attr)
{
    const char *run = s;
    for (const char *p = s;; p++) {
        const char *rep = NULL;
        size_t skip = 1;
        switch (*p) {
        case '\0':
            buf_add(b, run, (size_t)(p - run));
            return;
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = attr ? "&quot;" : NULL;
            break;
        case '\xC2':
            if (p[1] == '\xA0')
                rep = "&nbsp;", skip = 2;
            break;
        default:
            break;
        }
        if (rep) {
            buf_add(b, run, (size_t)(p - run));
            buf_str(b, rep);
            p += skip - 1;
            run = p + 1;
        }
    }
}

static void put_tag_name(buf *b, const GumboNode *n)
{
    const char *p;
    size_t len;
    dom_tag_piece(n, &p, &len);
    if (!buf_reserve(b, len))
        return;
    for (size_t i = 0; i < len; i++)
        b->p[b->len++] = (char)ascii_lower((unsigned char)p[i]);
}

/* Writes what comes before n's children; true when they are to follow. */
static bool ser_enter(buf *b, const GumboNode *n)
{
    if (n->parent && n->parent->type == GUMBO_NODE_TEMPLATE) /* the content fragment */
        return n->v.element.children.length > 0;
    switch (n->type) {
    case GUMBO_NODE_DOCUMENT: {
        const GumboDocument *doc = &n->v.document;
        if (doc->has_doctype) {
            buf_str(b, "<!DOCTYPE ");
            buf_str(b, doc->name ? doc->name : "html");
            buf_str(b, ">");
        }
        return doc->children.length > 0;
    }
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE: {
        const GumboElement *el = &n->v.element;
        buf_add(b, "<", 1);
        put_tag_name(b, n);
        for (size_t i = 0; i < el->attributes.length; i++) {
            const GumboAttribute *at = el->attributes.data[i];
            buf_add(b, " ", 1);
            switch (at->attr_namespace) {
            case GUMBO_ATTR_NAMESPACE_NONE:
                break;
            case GUMBO_ATTR_NAMESPACE_XLINK:
                buf_str(b, "xlink:");
                break;
            case GUMBO_ATTR_NAMESPACE_XML:
                buf_str(b, "xml:");
                break;
            case GUMBO_ATTR_NAMESPACE_XMLNS:
                if (strcmp(at->name, "xmlns"))
                    buf_str(b, "xmlns:");
                break;
            }
            buf_str(b, at->name);
            buf_add(b, "=\"", 2);
            put_escaped(b, at->value, true);
            buf_add(b, "\"", 1);
        }
        buf_add(b, ">", 1);
        return !is_void(n) && el->children.length > 0;
    }
    case GUMBO_NODE_COMMENT:
        buf_str(b, "<!--");
        buf_str(b, n->v.text.text);
        buf_str(b, "-->");
        return false;
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_WHITESPACE:
    case GUMBO_NODE_CDATA:
        if (is_raw_parent(n->parent))
            buf_str(b, n->v.text.text);
        else
            put_escaped(b, n->v.text.text, false);
        return false;
    }
    return false;
}

static void ser_leave(buf *b, const GumboNode *n)
{
    if (dom_is_elem(n) && !is_void(n) && !(n->parent && n->parent->type == GUMBO_NODE_TEMPLATE)) {
        buf_add(b, "</", 2);
        put_tag_name(b, n);
        buf_add(b, ">", 1);
    }
}

static void ser_subtree(buf *b, const GumboNode *top)
{
    const GumboNode *n = top;
    for (;;) {
        if (ser_enter(b, n)) {
            /* a template's one raw child is its content (hidden from
             * dom_first_child) */
            n = n->type == GUMBO_NODE_TEMPLATE ? n->v.element.children.data[0] : dom_first_child(n);
            continue;
        }
        ser_leave(b, n);
        for (;;) {
            if (n == top || b->oom)
                return;
            const GumboNode *s = dom_next_sibling(n);
            if (s) {
                n = s;
                break;
            }
            n = n->parent;
            ser_leave(b, n);
        }
    }
}

char *dom_serialize(dom *d, const GumboNode *n, bool outer, size_t *len)
{
    buf b = {.a = d->a};
    if (!n)
        return NULL;
    if (!outer && n->type == GUMBO_NODE_TEMPLATE) {
        const GumboVector *v = &n->v.element.children;
        if (!v->length)
            return buf_finish(&b, len);
        n = v->data[0];
    }
    if (outer || n->type == GUMBO_NODE_DOCUMENT) {
        if (outer && n->type != GUMBO_NODE_DOCUMENT) {
            ser_subtree(&b, n);
        } else {
            ser_enter(&b, n); /* the doctype */
            for (GumboNode *c = dom_first_child(n); c; c = dom_next_sibling(c))
                ser_subtree(&b, c);
        }
    } else {
        for (GumboNode *c = dom_first_child(n); c; c = dom_next_sibling(c))
            ser_subtree(&b, c);
    }
    return buf_finish(&b, len);
}

/* ---------------------------------------------------------------------------
 * Markup */

/* Parses html as a fragment whose parent would be ctx; *nodes, *k: the
 * fragment's top nodes (still pointing at the fragment's root). */
static dom_err parse_fragment(dom *d, const GumboNode *ctx, const char *html, size_t len,
                              GumboNode ***nodes, size_t *k)
{
    int tag = GUMBO_TAG_DIV, ns = GUMBO_NAMESPACE_HTML;
    if (dom_is_elem(ctx)) {
        tag = ctx->v.element.tag == GUMBO_TAG_UNKNOWN ? GUMBO_TAG_DIV : (int)ctx->v.element.tag;
        ns = ctx->v.element.tag_namespace;
    }
    if (!html)
        len = 0;
    /* The tree keeps pointers into its input (original_text): the input
     * must live as long as the tree, so it goes into the arena. */
    char *copy = arena_alloc(d->a, len + 1);
    if (!copy)
        return DOM_NOMEM;
    if (len)
        memcpy(copy, html, len);
    copy[len] = '\0';
    GumboOutput *g = html_parse_fragment(d->a, copy, len, tag, ns);
    if (!g || !dom_is_elem(g->root)) {
        /* Out of memory, or gumbo gave up on this input (it asserted):
         * when the arena can still give about what a parse of this input
         * asks for, it was the input. */
        size_t probe = (len < FRAGMENT_PROBE_MAX / 2 ? 2 * len : FRAGMENT_PROBE_MAX) + 64 * 1024;
        return arena_alloc(d->a, probe) ? DOM_SYNTAX : DOM_NOMEM;
    }
    dom_fix_tree(g->root);
    if (dom_templates_adopt(d, g->root) != DOM_OK)
        return DOM_NOMEM;
    GumboVector *v = &g->root->v.element.children;
    *nodes = (GumboNode **)v->data;
    *k = v->length;
    return DOM_OK;
}

/* Puts nodes[0..k) into p at index at, in place of the `replace` children
 * from there on. */
static dom_err splice(dom *d, GumboNode *p, size_t at, size_t replace, GumboNode **nodes, size_t k)
{
    GumboVector *v = dom_kids(p);
    if (!dom_vec_reserve(d->a, v, (size_t)v->length + k))
        return DOM_NOMEM;
    for (size_t i = 0; i < replace; i++) {
        GumboNode *c = v->data[at + i];
        c->parent = NULL;
        c->index_within_parent = 0;
    }
    if (v->length > at + replace)
        memmove(&v->data[at], &v->data[at + replace], (v->length - at - replace) * sizeof *v->data);
    v->length -= (unsigned)replace;
    dom_insert_nodes(p, at, nodes, k);
    d->gen++;
    return DOM_OK;
}

dom_err dom_set_inner_html(dom *d, GumboNode *n, const char *html, size_t len)
{
    if (!dom_is_elem(n))
        return DOM_INVALID;
    GumboNode *ctx = n;
    if (n->type == GUMBO_NODE_TEMPLATE && !(n = dom_template_content(d, n)))
        return DOM_NOMEM;
    GumboNode **nodes;
    size_t k;
    dom_err e = parse_fragment(d, ctx, html, len, &nodes, &k);
    if (e)
        return e;
    return splice(d, n, 0, n->v.element.children.length, nodes, k);
}

dom_err dom_set_outer_html(dom *d, GumboNode *n, const char *html, size_t len)
{
    if (!n)
        return DOM_INVALID;
    GumboNode *p = n->parent;
    if (!dom_is_elem(p))
        return DOM_HIERARCHY;
    GumboNode **nodes;
    size_t k;
    dom_err e = parse_fragment(d, p, html, len, &nodes, &k);
    if (e)
        return e;
    return splice(d, p, n->index_within_parent, 1, nodes, k);
}

dom_err dom_insert_html_after(dom *d, GumboNode *ref, const char *html, size_t len)
{
    GumboNode *p;
    size_t at;
    if (ref) {
        p = ref->parent;
        at = ref->index_within_parent + 1;
    } else {
        p = dom_body(d);
        if (!p)
            p = dom_document_element(d);
        at = p ? p->v.element.children.length : 0;
    }
    if (!dom_is_elem(p))
        return DOM_HIERARCHY;
    GumboNode **nodes;
    size_t k;
    dom_err e = parse_fragment(d, p, html, len, &nodes, &k);
    if (e)
        return e;
    return splice(d, p, at, 0, nodes, k);
}
