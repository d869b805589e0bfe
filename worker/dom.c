/* dom — see dom.h.
 *
 * Invariants every function keeps: each child's parent pointer names the
 * node whose children vector holds it, at index_within_parent. dom_new
 * re-establishes them over the parsed tree once (one stackless pass), so
 * every later walk can move through the tree by parent pointers and
 * indices alone: preorder "next" is first child, else next sibling, else
 * the parent's next sibling, and so on up. No walk needs a stack, so no
 * depth is too deep.
 *
 * Selectors are compiled into the arena (compound selectors linked right to
 * left) and matched two ways. dom_matches goes right to left from the
 * element: the combinators are only descendant and child, so a selector
 * splits at its descendant combinators into chains of child steps, and
 * taking for each chain the lowest ancestor where it matches is always
 * right (a lower match leaves more ancestors for the chains to its left):
 * no backtracking, O(depth) per element. dom_query walks the subtree top
 * down carrying, per depth, one bit per compound ("the selector up to this
 * compound matches here" and "... at some ancestor"), which is O(nodes x
 * compounds) whatever the depth and the selector; a selector too long for
 * the bit sets falls back to matching each element right to left. */
#include "dom.h"

#include "html.h"
#include "tags.h"
#include "utf8.h"
#include "url.h"

#include <limits.h>
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

/* Above this many 64-bit words of compound bits per depth, dom_query
 * matches right to left instead (the bit sets cost depth x words x 16 B). */
#define QUERY_MAX_WORDS 16
/* Cap of the allocation that tells a failed fragment parse's cause. */
#define FRAGMENT_PROBE_MAX ((size_t)1 << 20)

/* ---------------------------------------------------------------------------
 * Small helpers */

static inline bool is_ws(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static inline unsigned char lower(unsigned char c) {
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static bool eq_ci(const char *a, size_t an, const char *b, size_t bn) {
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return false;
    return true;
}

static inline bool is_elem(const GumboNode *n) {
    return n && (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE);
}

static inline bool is_chardata(const GumboNode *n) {
    return n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
           n->type == GUMBO_NODE_CDATA || n->type == GUMBO_NODE_COMMENT;
}

static inline bool is_text(const GumboNode *n) {
    return n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
           n->type == GUMBO_NODE_CDATA;
}

static GumboVector *kids(GumboNode *n) {
    if (!n)
        return NULL;
    if (n->type == GUMBO_NODE_DOCUMENT)
        return &n->v.document.children;
    if (is_elem(n))
        return &n->v.element.children;
    return NULL;
}

static const GumboVector *ckids(const GumboNode *n) {
    return kids((GumboNode *)n);
}

static inline const GumboNode *parent_elem(const GumboNode *n) {
    return is_elem(n->parent) ? n->parent : NULL;
}

/* Preorder successor of n inside root's subtree (descend: may enter n's
 * children); NULL after the last node. */
static GumboNode *next_pre(const GumboNode *root, const GumboNode *n, bool descend) {
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

/* A growable byte buffer in the arena. */
typedef struct buf {
    arena *a;
    char *p;
    size_t len, cap;
    bool oom;
} buf;

static bool buf_reserve(buf *b, size_t more) {
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

static void buf_add(buf *b, const char *s, size_t n) {
    if (!n || !buf_reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void buf_str(buf *b, const char *s) {
    buf_add(b, s, strlen(s));
}

static char *buf_finish(buf *b, size_t *len) {
    if (!buf_reserve(b, 0))
        return NULL;
    b->p[b->len] = '\0';
    if (len)
        *len = b->len;
    return b->p;
}

/* A growable node list in the arena. */
static bool list_push(arena *a, dom_list *l, size_t *cap, GumboNode *n) {
    if (l->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        if (ncap > SIZE_MAX / sizeof *l->items)
            return false;
        GumboNode **p = arena_resize(a, l->items, *cap * sizeof *l->items, ncap * sizeof *l->items);
        if (!p)
            return false;
        l->items = p;
        *cap = ncap;
    }
    l->items[l->n++] = n;
    return true;
}

/* ---------------------------------------------------------------------------
 * Vectors and the tree invariants */

static bool vec_reserve(arena *a, GumboVector *v, size_t need) {
    if (need <= v->capacity)
        return true;
    if (need > UINT_MAX / 2)
        return false;
    size_t cap = v->capacity ? v->capacity : 4;
    while (cap < need)
        cap *= 2;
    void **p = arena_alloc(a, cap * sizeof *p);
    if (!p)
        return false;
    if (v->length)
        memcpy(p, v->data, v->length * sizeof *p);
    v->data = p; /* the old array stays behind in the arena */
    v->capacity = (unsigned)cap;
    return true;
}

static void reindex(GumboVector *v, size_t from) {
    for (size_t i = from; i < v->length; i++)
        ((GumboNode *)v->data[i])->index_within_parent = i;
}

/* Sets parent/index of every child of every node under top (top itself is
 * left as it is). */
static void fix_tree(GumboNode *top) {
    for (GumboNode *n = top; n; n = next_pre(top, n, true)) {
        GumboVector *v = kids(n);
        if (!v)
            continue;
        for (size_t i = 0; i < v->length; i++) {
            GumboNode *c = v->data[i];
            c->parent = n;
            c->index_within_parent = i;
        }
    }
}

static void detach(GumboNode *c) {
    GumboVector *v = kids(c->parent);
    if (v) {
        size_t i = c->index_within_parent;
        if (i >= v->length || v->data[i] != c)
            for (i = 0; i < v->length && v->data[i] != c; i++) {
            }
        if (i < v->length) {
            memmove(&v->data[i], &v->data[i + 1], (v->length - i - 1) * sizeof *v->data);
            v->length--;
            reindex(v, i);
        }
    }
    c->parent = NULL;
    c->index_within_parent = 0;
}

/* Inserts nodes[0..k) at index at of p's children; capacity is reserved. */
static void insert_nodes(GumboNode *p, size_t at, GumboNode **nodes, size_t k) {
    GumboVector *v = kids(p);
    if (v->length > at)
        memmove(&v->data[at + k], &v->data[at], (v->length - at) * sizeof *v->data);
    for (size_t i = 0; i < k; i++) {
        v->data[at + i] = nodes[i];
        nodes[i]->parent = p;
    }
    v->length += (unsigned)k;
    reindex(v, at);
}

/* ---------------------------------------------------------------------------
 * Document */

const char *dom_err_word(dom_err e) {
    switch (e) {
    case DOM_OK:
        return "ok";
    case DOM_NOMEM:
        return "nomem";
    case DOM_HIERARCHY:
        return "hierarchy";
    case DOM_NOT_FOUND:
        return "notfound";
    case DOM_SYNTAX:
        return "syntax";
    case DOM_INVALID:
        return "invalid";
    }
    return "unknown";
}

const char *dom_url(dom *d) { return d->url; }

dom *dom_new(arena *a, void *gumbo_output, const char *url) {
    GumboOutput *g = gumbo_output;
    if (!a || !g || !g->document)
        return NULL;
    dom *d = arena_alloc_zeroed(a, sizeof *d);
    if (!d)
        return NULL;
    d->a = a;
    d->out = g;
    d->url = arena_strdup(a, url ? url : "");
    if (!d->url)
        return NULL;
    d->base_gen = ULONG_MAX;
    g->document->parent = NULL;
    g->document->index_within_parent = 0;
    fix_tree(g->document);
    return d;
}

arena *dom_arena(dom *d) {
    return d->a;
}

GumboNode *dom_document(dom *d) {
    return d->out->document;
}

GumboNode *dom_document_element(dom *d) {
    GumboNode *doc = d->out->document;
    for (size_t i = 0; i < doc->v.document.children.length; i++) {
        GumboNode *c = doc->v.document.children.data[i];
        if (is_elem(c))
            return c;
    }
    return NULL;
}

static GumboNode *html_child(dom *d, GumboTag tag) {
    GumboNode *html = dom_document_element(d);
    if (!html)
        return NULL;
    for (GumboNode *c = dom_first_element_child(html); c; c = dom_next_element_sibling(c))
        if (c->v.element.tag == tag && c->v.element.tag_namespace == GUMBO_NAMESPACE_HTML)
            return c;
    return NULL;
}

GumboNode *dom_head(dom *d) {
    return html_child(d, GUMBO_TAG_HEAD);
}

GumboNode *dom_body(dom *d) {
    return html_child(d, GUMBO_TAG_BODY);
}

const char *dom_base_url(dom *d) {
    if (d->base_gen == d->gen && d->base)
        return d->base;
    const char *href = NULL;
    GumboNode *doc = d->out->document;
    for (GumboNode *n = doc; n; n = next_pre(doc, n, true)) {
        if (is_elem(n) && n->v.element.tag == GUMBO_TAG_BASE &&
            n->v.element.tag_namespace == GUMBO_NAMESPACE_HTML && (href = dom_get_attr(n, "href")))
            break;
    }
    const char *base = d->url;
    char *abs;
    if (href && url_resolve(d->a, d->url, href, &abs) == URL_OK)
        base = abs;
    d->base = base;
    d->base_gen = d->gen;
    return base;
}

/* ---------------------------------------------------------------------------
 * Nodes */

/* The element's local name as written (any case): static for known tags,
 * else the name in original_tag ("<my-Widget a=1>" -> "my-Widget"). */
static void tag_piece(const GumboNode *n, const char **p, size_t *len) {
    const GumboElement *el = &n->v.element;
    if (el->tag != GUMBO_TAG_UNKNOWN) {
        *p = gumbo_normalized_tagname(el->tag);
        *len = strlen(*p);
        return;
    }
    const char *s = el->original_tag.data;
    size_t m = s ? el->original_tag.length : 0, i = 0;
    if (i < m && s[i] == '<')
        i++;
    if (i < m && s[i] == '/')
        i++;
    size_t start = i;
    while (i < m && !is_ws((unsigned char)s[i]) && s[i] != '/' && s[i] != '>')
        i++;
    *p = m ? s + start : "";
    *len = i - start;
}

static uint32_t hash_ci(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ lower((unsigned char)s[i])) * 0x100000001b3ULL;
    return (uint32_t)(h ^ (h >> 32));
}

/* The lowercase copy of p[0..len), made once per distinct name; "" on
 * NOMEM. */
static const char *intern_name(dom *d, const char *p, size_t len) {
    if (d->names_cap) {
        size_t mask = d->names_cap - 1;
        for (size_t i = hash_ci(p, len) & mask; d->names[i]; i = (i + 1) & mask)
            if (strlen(d->names[i]) == len && eq_ci(d->names[i], len, p, len))
                return d->names[i];
    }
    if (2 * (d->names_n + 1) > d->names_cap) {
        size_t cap = d->names_cap ? 2 * d->names_cap : 16;
        const char **t = arena_alloc_zeroed(d->a, cap * sizeof *t);
        if (!t)
            return "";
        for (size_t j = 0; j < d->names_cap; j++) {
            const char *k = d->names[j];
            if (!k)
                continue;
            size_t i = hash_ci(k, strlen(k)) & (cap - 1);
            while (t[i])
                i = (i + 1) & (cap - 1);
            t[i] = k;
        }
        d->names = t;
        d->names_cap = cap;
    }
    char *s = arena_strndup(d->a, p, len);
    if (!s)
        return "";
    for (char *q = s; *q; q++)
        *q = (char)lower((unsigned char)*q);
    size_t i = hash_ci(s, len) & (d->names_cap - 1);
    while (d->names[i])
        i = (i + 1) & (d->names_cap - 1);
    d->names[i] = s;
    d->names_n++;
    return s;
}

const char *dom_tag_name(dom *d, const GumboNode *n) {
    if (!n)
        return "";
    switch (n->type) {
    case GUMBO_NODE_DOCUMENT:
        return "#document";
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_WHITESPACE:
        return "#text";
    case GUMBO_NODE_CDATA:
        return "#cdata-section";
    case GUMBO_NODE_COMMENT:
        return "#comment";
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE:
        break;
    }
    const char *p;
    size_t len;
    tag_piece(n, &p, &len);
    if (n->v.element.tag != GUMBO_TAG_UNKNOWN)
        return p;
    return intern_name(d, p, len);
}

static bool valid_element_name(const char *name) {
    unsigned char c = (unsigned char)name[0];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
        return false;
    for (const unsigned char *p = (const unsigned char *)name + 1; *p; p++) {
        c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':'))
            return false;
    }
    return true;
}

GumboNode *dom_create_element(dom *d, const char *name, dom_err *err) {
    dom_err dummy;
    if (!err)
        err = &dummy;
    if (!name || !valid_element_name(name)) {
        *err = DOM_SYNTAX;
        return NULL;
    }
    size_t len = strlen(name);
    GumboNode *n = arena_alloc_zeroed(d->a, sizeof *n);
    char *orig = arena_alloc(d->a, len + 3);
    if (!n || !orig) {
        *err = DOM_NOMEM;
        return NULL;
    }
    orig[0] = '<';
    for (size_t i = 0; i < len; i++)
        orig[i + 1] = (char)lower((unsigned char)name[i]);
    orig[len + 1] = '>';
    orig[len + 2] = '\0';
    GumboTag tag = gumbo_tagn_enum(orig + 1, (unsigned)len);
    n->type = tag == GUMBO_TAG_TEMPLATE ? GUMBO_NODE_TEMPLATE : GUMBO_NODE_ELEMENT;
    n->parse_flags = GUMBO_INSERTION_NORMAL;
    n->v.element.tag = tag;
    n->v.element.tag_namespace = GUMBO_NAMESPACE_HTML;
    n->v.element.original_tag.data = orig;
    n->v.element.original_tag.length = len + 2;
    *err = DOM_OK;
    return n;
}

static GumboNode *new_chardata(dom *d, GumboNodeType type, const char *text, size_t len) {
    if (!text)
        len = 0;
    GumboNode *n = arena_alloc_zeroed(d->a, sizeof *n);
    char *s = arena_strndup(d->a, text ? text : "", len);
    if (!n || !s)
        return NULL;
    n->type = type;
    n->parse_flags = GUMBO_INSERTION_NORMAL;
    n->v.text.text = s;
    n->v.text.original_text.data = s;
    n->v.text.original_text.length = strlen(s);
    return n;
}

GumboNode *dom_create_text(dom *d, const char *text, size_t len) {
    return new_chardata(d, GUMBO_NODE_TEXT, text, len);
}

GumboNode *dom_create_comment(dom *d, const char *text, size_t len) {
    return new_chardata(d, GUMBO_NODE_COMMENT, text, len);
}

/* ---------------------------------------------------------------------------
 * Tree edits */

/* The DOM's pre-insertion validity, in its order: parent kind, cycles, the
 * reference, then the document's own rules (old: the child being replaced). */
static dom_err check_insert(GumboNode *parent, GumboNode *child, GumboNode *ref, GumboNode *old) {
    if (!parent || !child || !kids(parent))
        return DOM_HIERARCHY;
    if (child->type == GUMBO_NODE_DOCUMENT)
        return DOM_HIERARCHY;
    for (GumboNode *x = parent; x; x = x->parent)
        if (x == child)
            return DOM_HIERARCHY;
    if (ref && ref->parent != parent)
        return DOM_NOT_FOUND;
    if (parent->type == GUMBO_NODE_DOCUMENT) {
        if (is_text(child))
            return DOM_HIERARCHY;
        if (is_elem(child)) {
            GumboVector *v = kids(parent);
            for (size_t i = 0; i < v->length; i++) {
                GumboNode *c = v->data[i];
                if (is_elem(c) && c != old && c != child)
                    return DOM_HIERARCHY;
            }
        }
    }
    return DOM_OK;
}

dom_err dom_append_child(dom *d, GumboNode *parent, GumboNode *child) {
    return dom_insert_before(d, parent, child, NULL);
}

dom_err dom_insert_before(dom *d, GumboNode *parent, GumboNode *child, GumboNode *ref) {
    dom_err e = check_insert(parent, child, ref, NULL);
    if (e)
        return e;
    if (ref == child)
        ref = dom_next_sibling(child);
    GumboVector *v = kids(parent);
    if (!vec_reserve(d->a, v, (size_t)v->length + 1))
        return DOM_NOMEM;
    detach(child);
    insert_nodes(parent, ref ? ref->index_within_parent : v->length, &child, 1);
    d->gen++;
    return DOM_OK;
}

dom_err dom_remove_child(dom *d, GumboNode *parent, GumboNode *child) {
    if (!parent || !child || child->parent != parent)
        return DOM_NOT_FOUND;
    detach(child);
    d->gen++;
    return DOM_OK;
}

dom_err dom_replace_child(dom *d, GumboNode *parent, GumboNode *newc, GumboNode *old) {
    if (!old)
        return DOM_NOT_FOUND;
    dom_err e = check_insert(parent, newc, old, old);
    if (e)
        return e;
    if (newc == old)
        return DOM_OK;
    detach(newc);
    GumboVector *v = kids(parent);
    size_t i = old->index_within_parent;
    v->data[i] = newc;
    newc->parent = parent;
    newc->index_within_parent = i;
    old->parent = NULL;
    old->index_within_parent = 0;
    d->gen++;
    return DOM_OK;
}

/* ---------------------------------------------------------------------------
 * Navigation */

GumboNode *dom_first_child(const GumboNode *n) {
    const GumboVector *v = ckids(n);
    return v && v->length ? v->data[0] : NULL;
}

GumboNode *dom_last_child(const GumboNode *n) {
    const GumboVector *v = ckids(n);
    return v && v->length ? v->data[v->length - 1] : NULL;
}

GumboNode *dom_next_sibling(const GumboNode *n) {
    const GumboVector *v = n ? ckids(n->parent) : NULL;
    size_t i = v ? n->index_within_parent + 1 : 0;
    return v && i < v->length ? v->data[i] : NULL;
}

GumboNode *dom_prev_sibling(const GumboNode *n) {
    const GumboVector *v = n ? ckids(n->parent) : NULL;
    size_t i = n ? n->index_within_parent : 0;
    return v && i > 0 && i <= v->length ? v->data[i - 1] : NULL;
}

GumboNode *dom_first_element_child(const GumboNode *n) {
    const GumboVector *v = ckids(n);
    for (size_t i = 0; v && i < v->length; i++)
        if (is_elem(v->data[i]))
            return v->data[i];
    return NULL;
}

GumboNode *dom_next_element_sibling(const GumboNode *n) {
    for (GumboNode *s = dom_next_sibling(n); s; s = dom_next_sibling(s))
        if (is_elem(s))
            return s;
    return NULL;
}

static bool has_prev_element(const GumboNode *n) {
    for (GumboNode *s = dom_prev_sibling(n); s; s = dom_prev_sibling(s))
        if (is_elem(s))
            return true;
    return false;
}

size_t dom_child_count(const GumboNode *n) {
    const GumboVector *v = ckids(n);
    return v ? v->length : 0;
}

/* ---------------------------------------------------------------------------
 * Attributes */

/* Does at's qualified name ("href", "xlink:href") equal name[0..len)? */
static bool attr_is(const GumboAttribute *at, const char *name, size_t len) {
    const char *pre = "";
    switch (at->attr_namespace) {
    case GUMBO_ATTR_NAMESPACE_NONE:
        break;
    case GUMBO_ATTR_NAMESPACE_XLINK:
        pre = "xlink:";
        break;
    case GUMBO_ATTR_NAMESPACE_XML:
        pre = "xml:";
        break;
    case GUMBO_ATTR_NAMESPACE_XMLNS:
        pre = strcmp(at->name, "xmlns") ? "xmlns:" : "";
        break;
    }
    size_t pl = strlen(pre);
    if (len < pl || !eq_ci(name, pl, pre, pl))
        return false;
    return eq_ci(name + pl, len - pl, at->name, strlen(at->name));
}

static GumboAttribute *find_attr(const GumboNode *n, const char *name, size_t len, size_t *idx) {
    if (!is_elem(n) || !name)
        return NULL;
    const GumboVector *v = &n->v.element.attributes;
    for (size_t i = 0; i < v->length; i++) {
        GumboAttribute *at = v->data[i];
        if (attr_is(at, name, len)) {
            if (idx)
                *idx = i;
            return at;
        }
    }
    return NULL;
}

const char *dom_get_attr(const GumboNode *n, const char *name) {
    GumboAttribute *at = name ? find_attr(n, name, strlen(name), NULL) : NULL;
    return at ? at->value : NULL;
}

static bool valid_attr_name(const char *name) {
    if (!name || !*name)
        return false;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7F || *p == ' ' || *p == '/' || *p == '>' || *p == '=' ||
            *p == '"' || *p == '\'' || *p == '<')
            return false;
    return true;
}

dom_err dom_set_attr(dom *d, GumboNode *n, const char *name, const char *value) {
    if (!is_elem(n))
        return DOM_INVALID;
    if (!valid_attr_name(name))
        return DOM_SYNTAX;
    if (!value)
        value = "";
    size_t vlen = strlen(value);
    char *val = arena_strndup(d->a, value, vlen);
    if (!val)
        return DOM_NOMEM;
    GumboAttribute *at = find_attr(n, name, strlen(name), NULL);
    if (!at) {
        GumboVector *v = &n->v.element.attributes;
        at = arena_alloc_zeroed(d->a, sizeof *at);
        char *nm = arena_strdup(d->a, name);
        if (!at || !nm || !vec_reserve(d->a, v, (size_t)v->length + 1))
            return DOM_NOMEM;
        if (n->v.element.tag_namespace == GUMBO_NAMESPACE_HTML)
            for (char *q = nm; *q; q++)
                *q = (char)lower((unsigned char)*q);
        at->attr_namespace = GUMBO_ATTR_NAMESPACE_NONE;
        at->name = nm;
        at->original_name.data = nm;
        at->original_name.length = strlen(nm);
        v->data[v->length++] = at;
    }
    at->value = val;
    at->original_value.data = val;
    at->original_value.length = vlen;
    d->gen++;
    return DOM_OK;
}

dom_err dom_remove_attr(dom *d, GumboNode *n, const char *name) {
    if (!is_elem(n))
        return DOM_INVALID;
    size_t i;
    if (!name || !find_attr(n, name, strlen(name), &i))
        return DOM_OK;
    GumboVector *v = &n->v.element.attributes;
    memmove(&v->data[i], &v->data[i + 1], (v->length - i - 1) * sizeof *v->data);
    v->length--;
    d->gen++;
    return DOM_OK;
}

size_t dom_attr_count(const GumboNode *n) {
    return is_elem(n) ? n->v.element.attributes.length : 0;
}

bool dom_attr_at(const GumboNode *n, size_t i, const char **name, const char **value) {
    if (!is_elem(n) || i >= n->v.element.attributes.length)
        return false;
    const GumboAttribute *at = n->v.element.attributes.data[i];
    if (name)
        *name = at->name;
    if (value)
        *value = at->value;
    return true;
}

/* ---------------------------------------------------------------------------
 * classList */

/* Is tok[0..len) one of the whitespace-separated tokens of s? */
static bool has_token(const char *s, const char *tok, size_t len, bool ci) {
    const unsigned char *p = (const unsigned char *)s;
    if (!s || !len)
        return false;
    while (*p) {
        while (is_ws(*p))
            p++;
        const unsigned char *start = p;
        while (*p && !is_ws(*p))
            p++;
        size_t n = (size_t)(p - start);
        if (n == len && (ci ? eq_ci((const char *)start, n, tok, len) : !memcmp(start, tok, len)))
            return true;
    }
    return false;
}

bool dom_class_contains(const GumboNode *n, const char *token) {
    return token && has_token(dom_get_attr(n, "class"), token, strlen(token), false);
}

static bool valid_token(const char *t) {
    if (!t || !*t)
        return false;
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        if (is_ws(*p))
            return false;
    return true;
}

typedef struct tok {
    const char *p;
    size_t len;
} tok;

static uint32_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return (uint32_t)(h ^ (h >> 32));
}

/* The DOMTokenList update steps: the class attribute becomes its token set
 * (duplicates dropped, order kept, one space between) with token added or
 * removed. */
static dom_err class_edit(dom *d, GumboNode *n, const char *token, bool add) {
    if (!is_elem(n))
        return DOM_INVALID;
    if (!valid_token(token))
        return DOM_SYNTAX;
    const char *cur = dom_get_attr(n, "class");
    if (!cur && !add)
        return DOM_OK;
    if (!cur)
        cur = "";
    size_t curlen = strlen(cur), tlen = strlen(token), ntok = 0;
    for (size_t i = 0; i < curlen; i++)
        if (!is_ws((unsigned char)cur[i]) && (i == 0 || is_ws((unsigned char)cur[i - 1])))
            ntok++;
    size_t cap = 16;
    while (cap < 2 * (ntok + 1))
        cap *= 2;
    tok *set = arena_alloc_zeroed(d->a, cap * sizeof *set);
    char *out = arena_alloc(d->a, curlen + tlen + 2);
    if (!set || !out)
        return DOM_NOMEM;
    size_t olen = 0;
    const char *p = cur;
    for (int pass = 0; pass < 2; pass++) {
        /* pass 0: the current tokens; pass 1: the added one */
        while (pass == 0 ? *p != '\0' : add) {
            const char *start;
            size_t len;
            if (pass == 0) {
                while (is_ws((unsigned char)*p))
                    p++;
                if (!*p)
                    break;
                start = p;
                while (*p && !is_ws((unsigned char)*p))
                    p++;
                len = (size_t)(p - start);
            } else {
                start = token, len = tlen, add = false;
            }
            if (!add && pass == 0 && len == tlen && !memcmp(start, token, tlen))
                continue; /* removing it */
            size_t i = hash_bytes(start, len) & (cap - 1);
            while (set[i].p && !(set[i].len == len && !memcmp(set[i].p, start, len)))
                i = (i + 1) & (cap - 1);
            if (set[i].p)
                continue;
            set[i] = (tok){start, len};
            if (olen)
                out[olen++] = ' ';
            memcpy(out + olen, start, len);
            olen += len;
        }
    }
    out[olen] = '\0';
    return dom_set_attr(d, n, "class", out);
}

dom_err dom_class_add(dom *d, GumboNode *n, const char *token) {
    return class_edit(d, n, token, true);
}

dom_err dom_class_remove(dom *d, GumboNode *n, const char *token) {
    return class_edit(d, n, token, false);
}

dom_err dom_class_toggle(dom *d, GumboNode *n, const char *token, bool *on) {
    bool had = dom_class_contains(n, token);
    dom_err e = class_edit(d, n, token, !had);
    if (on && !e)
        *on = !had;
    return e;
}

/* ---------------------------------------------------------------------------
 * Text */

char *dom_text_content(dom *d, const GumboNode *n, size_t *len) {
    if (!n)
        return NULL;
    if (is_chardata(n)) {
        size_t l = strlen(n->v.text.text);
        char *s = arena_strndup(d->a, n->v.text.text, l);
        if (s && len)
            *len = l;
        return s;
    }
    size_t total = 0;
    for (const GumboNode *x = n; x; x = next_pre(n, x, true))
        if (is_text(x))
            total += strlen(x->v.text.text);
    char *s = arena_alloc(d->a, total + 1);
    if (!s)
        return NULL;
    size_t at = 0;
    for (const GumboNode *x = n; x; x = next_pre(n, x, true))
        if (is_text(x)) {
            size_t l = strlen(x->v.text.text);
            memcpy(s + at, x->v.text.text, l);
            at += l;
        }
    s[at] = '\0';
    if (len)
        *len = at;
    return s;
}

static void drop_children(GumboNode *n) {
    GumboVector *v = kids(n);
    for (size_t i = 0; i < v->length; i++) {
        GumboNode *c = v->data[i];
        c->parent = NULL;
        c->index_within_parent = 0;
    }
    v->length = 0;
}

dom_err dom_set_text_content(dom *d, GumboNode *n, const char *text, size_t len) {
    if (!n)
        return DOM_INVALID;
    if (!text)
        len = 0;
    if (n->type == GUMBO_NODE_DOCUMENT)
        return DOM_OK; /* textContent on a document does nothing */
    if (is_chardata(n)) {
        char *s = arena_strndup(d->a, text ? text : "", len);
        if (!s)
            return DOM_NOMEM;
        if (n->type == GUMBO_NODE_WHITESPACE)
            n->type = GUMBO_NODE_TEXT;
        n->v.text.text = s;
        n->v.text.original_text.data = s;
        n->v.text.original_text.length = strlen(s);
        d->gen++;
        return DOM_OK;
    }
    GumboNode *t = NULL;
    if (len && !(t = dom_create_text(d, text, len)))
        return DOM_NOMEM;
    GumboVector *v = kids(n);
    if (t && !vec_reserve(d->a, v, 1))
        return DOM_NOMEM;
    drop_children(n);
    if (t)
        insert_nodes(n, 0, &t, 1);
    d->gen++;
    return DOM_OK;
}

/* ---------------------------------------------------------------------------
 * Serialisation */

static bool is_void(const GumboNode *n) {
    return n->v.element.tag_namespace == GUMBO_NAMESPACE_HTML &&
           (tag_flags((int)n->v.element.tag) & TAG_VOID);
}

/* Text inside these is serialised as it stands (HTML5 serialisation). */
static bool is_raw_parent(const GumboNode *p) {
    return is_elem(p) && p->v.element.tag_namespace == GUMBO_NAMESPACE_HTML &&
           (tag_flags((int)p->v.element.tag) & TAG_RAW_TEXT);
}

static void put_escaped(buf *b, const char *s, bool attr) {
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

static void put_tag_name(buf *b, const GumboNode *n) {
    const char *p;
    size_t len;
    tag_piece(n, &p, &len);
    if (!buf_reserve(b, len))
        return;
    for (size_t i = 0; i < len; i++)
        b->p[b->len++] = (char)lower((unsigned char)p[i]);
}

/* Writes what comes before n's children; true when they are to follow. */
static bool ser_enter(buf *b, const GumboNode *n) {
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

static void ser_leave(buf *b, const GumboNode *n) {
    if (is_elem(n) && !is_void(n)) {
        buf_add(b, "</", 2);
        put_tag_name(b, n);
        buf_add(b, ">", 1);
    }
}

static void ser_subtree(buf *b, const GumboNode *top) {
    const GumboNode *n = top;
    for (;;) {
        if (ser_enter(b, n)) {
            n = dom_first_child(n);
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

char *dom_serialize(dom *d, const GumboNode *n, bool outer, size_t *len) {
    buf b = {.a = d->a};
    if (!n)
        return NULL;
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
                              GumboNode ***nodes, size_t *k) {
    int tag = GUMBO_TAG_DIV, ns = GUMBO_NAMESPACE_HTML;
    if (is_elem(ctx)) {
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
    if (!g || !is_elem(g->root)) {
        /* Out of memory, or gumbo gave up on this input (it asserted):
         * when the arena can still give about what a parse of this input
         * asks for, it was the input. */
        size_t probe = (len < FRAGMENT_PROBE_MAX / 2 ? 2 * len : FRAGMENT_PROBE_MAX) + 64 * 1024;
        return arena_alloc(d->a, probe) ? DOM_SYNTAX : DOM_NOMEM;
    }
    fix_tree(g->root);
    GumboVector *v = &g->root->v.element.children;
    *nodes = (GumboNode **)v->data;
    *k = v->length;
    return DOM_OK;
}

/* Puts nodes[0..k) into p at index at, in place of the `replace` children
 * from there on. */
static dom_err splice(dom *d, GumboNode *p, size_t at, size_t replace, GumboNode **nodes,
                      size_t k) {
    GumboVector *v = kids(p);
    if (!vec_reserve(d->a, v, (size_t)v->length + k))
        return DOM_NOMEM;
    for (size_t i = 0; i < replace; i++) {
        GumboNode *c = v->data[at + i];
        c->parent = NULL;
        c->index_within_parent = 0;
    }
    if (v->length > at + replace)
        memmove(&v->data[at], &v->data[at + replace], (v->length - at - replace) * sizeof *v->data);
    v->length -= (unsigned)replace;
    insert_nodes(p, at, nodes, k);
    d->gen++;
    return DOM_OK;
}

dom_err dom_set_inner_html(dom *d, GumboNode *n, const char *html, size_t len) {
    if (!is_elem(n))
        return DOM_INVALID;
    GumboNode **nodes;
    size_t k;
    dom_err e = parse_fragment(d, n, html, len, &nodes, &k);
    if (e)
        return e;
    return splice(d, n, 0, n->v.element.children.length, nodes, k);
}

dom_err dom_set_outer_html(dom *d, GumboNode *n, const char *html, size_t len) {
    if (!n)
        return DOM_INVALID;
    GumboNode *p = n->parent;
    if (!is_elem(p))
        return DOM_HIERARCHY;
    GumboNode **nodes;
    size_t k;
    dom_err e = parse_fragment(d, p, html, len, &nodes, &k);
    if (e)
        return e;
    return splice(d, p, n->index_within_parent, 1, nodes, k);
}

dom_err dom_insert_html_after(dom *d, GumboNode *ref, const char *html, size_t len) {
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
    if (!is_elem(p))
        return DOM_HIERARCHY;
    GumboNode **nodes;
    size_t k;
    dom_err e = parse_fragment(d, p, html, len, &nodes, &k);
    if (e)
        return e;
    return splice(d, p, at, 0, nodes, k);
}

/* ---------------------------------------------------------------------------
 * Lookups */

GumboNode *dom_get_element_by_id(dom *d, GumboNode *root, const char *id) {
    (void)d;
    if (!root || !id || !*id)
        return NULL;
    for (GumboNode *n = next_pre(root, root, true); n; n = next_pre(root, n, true)) {
        const char *v;
        if (is_elem(n) && (v = dom_get_attr(n, "id")) && !strcmp(v, id))
            return n;
    }
    return NULL;
}

dom_err dom_by_tag(dom *d, GumboNode *root, const char *name, dom_list *out) {
    out->items = NULL;
    out->n = 0;
    if (!root || !name)
        return DOM_INVALID;
    bool all = !strcmp(name, "*");
    size_t nlen = strlen(name), cap = 0;
    for (GumboNode *n = next_pre(root, root, true); n; n = next_pre(root, n, true)) {
        if (!is_elem(n))
            continue;
        if (!all) {
            const char *p;
            size_t len;
            tag_piece(n, &p, &len);
            if (!eq_ci(p, len, name, nlen))
                continue;
        }
        if (!list_push(d->a, out, &cap, n))
            return DOM_NOMEM;
    }
    return DOM_OK;
}

dom_err dom_by_class(dom *d, GumboNode *root, const char *classes, dom_list *out) {
    out->items = NULL;
    out->n = 0;
    if (!root || !classes)
        return DOM_INVALID;
    size_t cap = 0;
    const char *c = classes;
    while (is_ws((unsigned char)*c))
        c++;
    if (!*c)
        return DOM_OK;
    for (GumboNode *n = next_pre(root, root, true); n; n = next_pre(root, n, true)) {
        const char *cls = is_elem(n) ? dom_get_attr(n, "class") : NULL;
        if (!cls)
            continue;
        bool all = true;
        for (const char *p = c; *p && all;) {
            const char *start = p;
            while (*p && !is_ws((unsigned char)*p))
                p++;
            all = has_token(cls, start, (size_t)(p - start), false);
            while (is_ws((unsigned char)*p))
                p++;
        }
        if (all && !list_push(d->a, out, &cap, n))
            return DOM_NOMEM;
    }
    return DOM_OK;
}

/* ---------------------------------------------------------------------------
 * Selectors: parsing */

typedef enum skind {
    S_TYPE,
    S_ID,
    S_CLASS,
    S_ATTR,
    S_FIRST_CHILD,
    S_LAST_CHILD,
    S_ONLY_CHILD,
    S_ROOT,
    S_EMPTY,
    S_NOT
} skind;

typedef enum aop { A_EXISTS, A_EQ, A_WORD, A_PREFIX, A_SUFFIX, A_SUBSTR, A_DASH } aop;

typedef enum comb { C_NONE, C_DESCENDANT, C_CHILD } comb;

struct compound;

typedef struct simple {
    skind kind;
    aop op;
    bool ci;          /* [attr=v i] */
    const char *name; /* type and attribute names lowercase; id and class as written */
    size_t nlen;
    const char *val;
    size_t vlen;
    struct compound *neg; /* S_NOT */
    struct simple *next;
} simple;

typedef struct compound {
    simple *first; /* all must match; none: matches every element */
    comb comb;     /* how it joins the compound to its left */
    struct compound *left;
    struct compound *next_all; /* every compound of the list, left to right */
    unsigned bit;              /* its index in that order */
    bool last;                 /* rightmost of its complex selector */
} compound;

typedef struct complex {
    compound *right;
    struct complex *next;
} complex;

typedef struct sel {
    complex *first;
    compound *all;
    unsigned ncomp;
} sel;

typedef struct sparser {
    arena *a;
    const char *s;
    size_t i;
    bool nomem;
    compound **tail; /* where the next compound joins the all list */
    unsigned ncomp;
} sparser;

static inline unsigned char sp_peek(const sparser *p, size_t ahead) {
    /* s is NUL-terminated: never look past a NUL */
    for (size_t k = 0; k < ahead; k++)
        if (!p->s[p->i + k])
            return 0;
    return (unsigned char)p->s[p->i + ahead];
}

static bool sp_ws(sparser *p) {
    bool any = false;
    while (is_ws(sp_peek(p, 0)))
        p->i++, any = true;
    return any;
}

static inline bool is_hex(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline bool name_start(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static inline bool name_char(unsigned char c) {
    return name_start(c) || (c >= '0' && c <= '9') || c == '-';
}

/* A valid escape at s ("\" then not a newline or the end). */
static inline bool escape_at(const char *s) {
    return s[0] == '\\' && s[1] != '\0' && s[1] != '\n' && s[1] != '\r' && s[1] != '\f';
}

/* Decodes one escape at s (after the backslash check) into out (4 bytes
 * room, may be NULL); returns the input bytes used, *outn the bytes made. */
static size_t decode_escape(const char *s, char *out, size_t *outn) {
    const unsigned char *u = (const unsigned char *)s + 1;
    if (is_hex(*u)) {
        unsigned long cp = 0;
        size_t n = 0;
        while (n < 6 && is_hex(u[n])) {
            unsigned char c = u[n];
            cp = cp * 16 + (unsigned long)(c <= '9' ? c - '0' : lower(c) - 'a' + 10);
            n++;
        }
        if (is_ws(u[n]))
            n++;
        char tmp[4];
        /* CSS: NUL, surrogates and past U+10FFFF are U+FFFD (utf8_put does the
         * last two; cp is at most six hex digits) */
        *outn = utf8_put(out ? out : tmp, cp ? (uint32_t)cp : 0xFFFD);
        return 1 + n;
    }
    if (out)
        out[0] = (char)*u;
    *outn = 1;
    return 2;
}

/* A CSS identifier (escapes decoded) into the arena; NULL when there is
 * none here. fold: ASCII-lowercase it. */
static const char *sp_ident(sparser *p, size_t *len, bool fold) {
    const char *s = p->s + p->i;
    size_t i = 0;
    if (s[0] == '-')
        i = 1;
    if (!(name_start((unsigned char)s[i]) || (i == 1 && s[i] == '-') || escape_at(s + i)))
        return NULL;
    size_t outn = 0, n;
    while (s[i]) {
        if (escape_at(s + i)) {
            i += decode_escape(s + i, NULL, &n);
            outn += n;
        } else if (name_char((unsigned char)s[i])) {
            i++, outn++;
        } else {
            break;
        }
    }
    char *out = arena_alloc(p->a, outn + 1);
    if (!out) {
        p->nomem = true;
        return NULL;
    }
    size_t o = 0;
    for (size_t j = 0; j < i;) {
        if (s[j] == '\\') {
            j += decode_escape(s + j, out + o, &n);
            o += n;
        } else {
            out[o++] = (char)(fold ? lower((unsigned char)s[j]) : s[j]);
            j++;
        }
    }
    out[o] = '\0';
    p->i += i;
    *len = o;
    return out;
}

/* A quoted string (the quote at p->i); NULL when unterminated. */
static const char *sp_string(sparser *p, size_t *len) {
    const char *s = p->s + p->i;
    char q = s[0];
    size_t i = 1, outn = 0, n;
    while (s[i] && s[i] != q) {
        if (s[i] == '\n' || s[i] == '\r' || s[i] == '\f')
            return NULL;
        if (s[i] == '\\') {
            if (!s[i + 1])
                return NULL;
            if (s[i + 1] == '\n' || s[i + 1] == '\r' || s[i + 1] == '\f') {
                i += 2; /* an escaped newline is dropped */
                continue;
            }
            i += decode_escape(s + i, NULL, &n);
            outn += n;
        } else {
            i++, outn++;
        }
    }
    if (s[i] != q)
        return NULL;
    char *out = arena_alloc(p->a, outn + 1);
    if (!out) {
        p->nomem = true;
        return NULL;
    }
    size_t o = 0;
    for (size_t j = 1; j < i;) {
        if (s[j] == '\\') {
            if (s[j + 1] == '\n' || s[j + 1] == '\r' || s[j + 1] == '\f') {
                j += 2;
                continue;
            }
            j += decode_escape(s + j, out + o, &n);
            o += n;
        } else {
            out[o++] = s[j++];
        }
    }
    out[o] = '\0';
    p->i += i + 1;
    *len = o;
    return out;
}

static simple *sp_new_simple(sparser *p, skind k) {
    simple *s = arena_alloc_zeroed(p->a, sizeof *s);
    if (!s)
        p->nomem = true;
    else
        s->kind = k;
    return s;
}

/* [name], [name op value], [name op value i|s]; p->i is past the '['. */
static simple *sp_attr(sparser *p) {
    sp_ws(p);
    simple *s = sp_new_simple(p, S_ATTR);
    if (!s || !(s->name = sp_ident(p, &s->nlen, true)))
        return NULL;
    sp_ws(p);
    unsigned char c = sp_peek(p, 0);
    if (c == ']') {
        p->i++;
        s->op = A_EXISTS;
        return s;
    }
    if (c == '=') {
        s->op = A_EQ;
        p->i++;
    } else {
        if (sp_peek(p, 1) != '=')
            return NULL;
        switch (c) {
        case '~':
            s->op = A_WORD;
            break;
        case '^':
            s->op = A_PREFIX;
            break;
        case '$':
            s->op = A_SUFFIX;
            break;
        case '*':
            s->op = A_SUBSTR;
            break;
        case '|':
            s->op = A_DASH;
            break;
        default:
            return NULL;
        }
        p->i += 2;
    }
    sp_ws(p);
    c = sp_peek(p, 0);
    if (c == '"' || c == '\'')
        s->val = sp_string(p, &s->vlen);
    else
        s->val = sp_ident(p, &s->vlen, false);
    if (!s->val)
        return NULL;
    bool ws = sp_ws(p);
    c = sp_peek(p, 0);
    if (ws && (c == 'i' || c == 'I' || c == 's' || c == 'S') &&
        (is_ws(sp_peek(p, 1)) || sp_peek(p, 1) == ']')) {
        s->ci = c == 'i' || c == 'I';
        p->i++;
        sp_ws(p);
    }
    if (sp_peek(p, 0) != ']')
        return NULL;
    p->i++;
    return s;
}

static compound *sp_compound(sparser *p, bool in_not);

/* :name or :not(...); p->i is past the ':'. */
static simple *sp_pseudo(sparser *p, bool in_not) {
    size_t len;
    const char *name = sp_ident(p, &len, true);
    if (!name)
        return NULL;
    static const struct {
        const char *name;
        skind kind;
    } plain[] = {{"first-child", S_FIRST_CHILD},
                 {"last-child", S_LAST_CHILD},
                 {"only-child", S_ONLY_CHILD},
                 {"root", S_ROOT},
                 {"empty", S_EMPTY}};
    if (sp_peek(p, 0) != '(') {
        for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
            if (!strcmp(name, plain[i].name))
                return sp_new_simple(p, plain[i].kind);
        return NULL;
    }
    if (strcmp(name, "not") || in_not) /* :not(:not(x)) is not CSS either */
        return NULL;
    p->i++;
    sp_ws(p);
    simple *s = sp_new_simple(p, S_NOT);
    if (!s || !(s->neg = sp_compound(p, true)))
        return NULL;
    sp_ws(p);
    if (sp_peek(p, 0) != ')')
        return NULL;
    p->i++;
    return s;
}

static compound *sp_compound(sparser *p, bool in_not) {
    compound *c = arena_alloc_zeroed(p->a, sizeof *c);
    if (!c) {
        p->nomem = true;
        return NULL;
    }
    simple **tail = &c->first;
    bool any = false;
    unsigned char ch = sp_peek(p, 0);
    if (ch == '*') {
        p->i++;
        any = true;
    } else {
        size_t len;
        const char *name = sp_ident(p, &len, true);
        if (name) {
            simple *s = sp_new_simple(p, S_TYPE);
            if (!s)
                return NULL;
            s->name = name, s->nlen = len;
            *tail = s, tail = &s->next;
            any = true;
        } else if (p->nomem) {
            return NULL;
        }
    }
    for (;;) {
        simple *s = NULL;
        ch = sp_peek(p, 0);
        if (ch == '#' || ch == '.') {
            p->i++;
            if (!(s = sp_new_simple(p, ch == '#' ? S_ID : S_CLASS)) ||
                !(s->name = sp_ident(p, &s->nlen, false)))
                return NULL;
        } else if (ch == '[') {
            p->i++;
            if (!(s = sp_attr(p)))
                return NULL;
        } else if (ch == ':') {
            p->i++;
            if (!(s = sp_pseudo(p, in_not)))
                return NULL;
        } else {
            break;
        }
        *tail = s, tail = &s->next;
        any = true;
    }
    if (!any)
        return NULL;
    if (!in_not) {
        c->bit = p->ncomp++;
        *p->tail = c;
        p->tail = &c->next_all;
    }
    return c;
}

static complex *sp_complex(sparser *p) {
    compound *c = sp_compound(p, false);
    if (!c)
        return NULL;
    for (;;) {
        bool ws = sp_ws(p);
        unsigned char ch = sp_peek(p, 0);
        if (ch == '\0' || ch == ',')
            break;
        comb how;
        if (ch == '>') {
            p->i++;
            sp_ws(p);
            how = C_CHILD;
        } else if (ws) {
            how = C_DESCENDANT;
        } else {
            return NULL; /* +, ~, or anything else */
        }
        compound *next = sp_compound(p, false);
        if (!next)
            return NULL;
        next->left = c;
        next->comb = how;
        c = next;
    }
    c->last = true;
    complex *x = arena_alloc_zeroed(p->a, sizeof *x);
    if (!x) {
        p->nomem = true;
        return NULL;
    }
    x->right = c;
    return x;
}

static dom_err sel_parse(dom *d, const char *text, sel *out) {
    memset(out, 0, sizeof *out);
    if (!text)
        return DOM_SYNTAX;
    sparser p = {.a = d->a, .s = text, .tail = &out->all};
    complex **tail = &out->first;
    sp_ws(&p);
    for (;;) {
        complex *x = sp_complex(&p);
        if (!x)
            return p.nomem ? DOM_NOMEM : DOM_SYNTAX;
        *tail = x, tail = &x->next;
        if (sp_peek(&p, 0) == '\0')
            break;
        p.i++; /* the ',' */
        sp_ws(&p);
    }
    out->ncomp = p.ncomp;
    return DOM_OK;
}

/* sel_parse through the cache: *out points at the compiled selector. */
static dom_err sel_compile(dom *d, const char *text, const sel **out) {
    *out = NULL;
    if (!text)
        return DOM_SYNTAX;
    for (unsigned i = 0; i < SEL_CACHE; i++)
        if (d->sels[i].text && !strcmp(d->sels[i].text, text)) {
            *out = d->sels[i].sel;
            return d->sels[i].err;
        }
    sel *s = arena_alloc(d->a, sizeof *s);
    char *copy = arena_strdup(d->a, text);
    if (!s || !copy)
        return DOM_NOMEM;
    dom_err e = sel_parse(d, text, s);
    if (e == DOM_NOMEM)
        return e; /* not remembered: it may work next time */
    unsigned slot = d->sels_next++ % SEL_CACHE;
    d->sels[slot].text = copy;
    d->sels[slot].sel = e ? NULL : s;
    d->sels[slot].err = e;
    *out = d->sels[slot].sel;
    return e;
}

/* ---------------------------------------------------------------------------
 * Selectors: matching */

static bool starts_with(const char *s, size_t n, const char *v, size_t vn, bool ci) {
    return n >= vn && (ci ? eq_ci(s, vn, v, vn) : !memcmp(s, v, vn));
}

static bool contains(const char *s, size_t n, const char *v, size_t vn, bool ci) {
    for (size_t i = 0; i + vn <= n; i++)
        if (starts_with(s + i, n - i, v, vn, ci))
            return true;
    return false;
}

static bool attr_matches(const simple *s, const GumboNode *e) {
    GumboAttribute *at = find_attr(e, s->name, s->nlen, NULL);
    if (!at)
        return false;
    const char *v = at->value;
    size_t n = strlen(v);
    switch (s->op) {
    case A_EXISTS:
        return true;
    case A_EQ:
        return n == s->vlen && starts_with(v, n, s->val, s->vlen, s->ci);
    case A_WORD:
        if (!s->vlen)
            return false;
        for (size_t i = 0; i < s->vlen; i++)
            if (is_ws((unsigned char)s->val[i]))
                return false;
        return has_token(v, s->val, s->vlen, s->ci);
    case A_PREFIX:
        return s->vlen && starts_with(v, n, s->val, s->vlen, s->ci);
    case A_SUFFIX:
        return s->vlen && n >= s->vlen &&
               starts_with(v + n - s->vlen, s->vlen, s->val, s->vlen, s->ci);
    case A_SUBSTR:
        return s->vlen && contains(v, n, s->val, s->vlen, s->ci);
    case A_DASH:
        return starts_with(v, n, s->val, s->vlen, s->ci) && (n == s->vlen || v[s->vlen] == '-');
    }
    return false;
}

static bool compound_matches(const compound *c, const GumboNode *e) {
    for (const simple *s = c->first; s; s = s->next) {
        bool ok = false;
        switch (s->kind) {
        case S_TYPE: {
            const char *p;
            size_t len;
            tag_piece(e, &p, &len);
            ok = eq_ci(p, len, s->name, s->nlen);
            break;
        }
        case S_ID: {
            const char *id = dom_get_attr(e, "id");
            ok = id && strlen(id) == s->nlen && !memcmp(id, s->name, s->nlen);
            break;
        }
        case S_CLASS:
            ok = has_token(dom_get_attr(e, "class"), s->name, s->nlen, false);
            break;
        case S_ATTR:
            ok = attr_matches(s, e);
            break;
        case S_FIRST_CHILD:
            ok = !has_prev_element(e);
            break;
        case S_LAST_CHILD:
            ok = !dom_next_element_sibling(e);
            break;
        case S_ONLY_CHILD:
            ok = !has_prev_element(e) && !dom_next_element_sibling(e);
            break;
        case S_ROOT:
            ok = e->parent && e->parent->type == GUMBO_NODE_DOCUMENT;
            break;
        case S_EMPTY:
            ok = true;
            for (GumboNode *c2 = dom_first_child(e); c2 && ok; c2 = dom_next_sibling(c2))
                ok = c2->type == GUMBO_NODE_COMMENT;
            break;
        case S_NOT:
            ok = !compound_matches(s->neg, e);
            break;
        }
        if (!ok)
            return false;
    }
    return true;
}

/* Right to left, see the top of the file. */
static bool complex_matches(const complex *x, const GumboNode *e) {
    const compound *c = x->right;
    const GumboNode *at = e;
    bool anchored = true; /* the rightmost chain must match at e itself */
    for (;;) {
        const compound *cc;
        const GumboNode *y;
        for (;;) {
            bool ok = true;
            cc = c, y = at;
            for (;;) {
                if (!compound_matches(cc, y)) {
                    ok = false;
                    break;
                }
                if (!cc->left || cc->comb == C_DESCENDANT)
                    break;
                if (!(y = parent_elem(y))) {
                    ok = false;
                    break;
                }
                cc = cc->left;
            }
            if (ok)
                break;
            if (anchored || !(at = parent_elem(at)))
                return false;
        }
        if (!cc->left)
            return true;
        if (!(at = parent_elem(y)))
            return false;
        c = cc->left;
        anchored = false;
    }
}

static bool sel_matches(const sel *s, const GumboNode *e) {
    for (const complex *x = s->first; x; x = x->next)
        if (complex_matches(x, e))
            return true;
    return false;
}

dom_err dom_matches(dom *d, GumboNode *el, const char *selector, bool *yes) {
    *yes = false;
    if (!is_elem(el))
        return DOM_INVALID;
    const sel *s;
    dom_err e = sel_compile(d, selector, &s);
    if (e)
        return e;
    *yes = sel_matches(s, el);
    return DOM_OK;
}

/* Top-down state per depth: S (compound k matches here with everything to
 * its left) and A (S of some proper ancestor), `words` words each. */
typedef struct qstate {
    arena *a;
    unsigned words;
    uint64_t *bits; /* level L: S at [2L*words], A at [(2L+1)*words] */
    size_t levels;  /* levels allocated */
} qstate;

static bool qs_level(qstate *q, size_t level) {
    if (level < q->levels)
        return true;
    size_t n = q->levels ? q->levels : 64;
    while (n <= level)
        n *= 2;
    size_t per = 2 * (size_t)q->words * sizeof(uint64_t);
    if (n > SIZE_MAX / per)
        return false;
    uint64_t *b = arena_resize(q->a, q->bits, q->levels * per, n * per);
    if (!b)
        return false;
    q->bits = b;
    q->levels = n;
    return true;
}

static inline bool bit_get(const uint64_t *w, unsigned i) {
    return (w[i / 64] >> (i % 64)) & 1;
}

/* Fills level L for node n from level L-1 (level 0 is all zero); true when
 * n matches the selector. */
static bool qs_visit(qstate *q, const sel *s, size_t level, const GumboNode *n) {
    unsigned w = q->words;
    uint64_t *ps = q->bits + 2 * (level - 1) * w, *pa = ps + w;
    uint64_t *S = q->bits + 2 * level * w, *A = S + w;
    for (unsigned i = 0; i < w; i++) {
        A[i] = pa[i] | ps[i];
        S[i] = 0;
    }
    if (!is_elem(n))
        return false;
    bool hit = false;
    for (const compound *c = s->all; c; c = c->next_all) {
        if (c->left) {
            const uint64_t *need = c->comb == C_CHILD ? ps : A;
            if (!bit_get(need, c->left->bit))
                continue;
        }
        if (!compound_matches(c, n))
            continue;
        S[c->bit / 64] |= (uint64_t)1 << (c->bit % 64);
        hit |= c->last;
    }
    return hit;
}

dom_err dom_query(dom *d, GumboNode *root, const char *selector, bool first_only, dom_list *out) {
    out->items = NULL;
    out->n = 0;
    if (!root)
        return DOM_INVALID;
    const sel *s;
    dom_err e = sel_compile(d, selector, &s);
    if (e)
        return e;
    size_t cap = 0;
    unsigned words = (s->ncomp + 63) / 64;
    if (words > QUERY_MAX_WORDS) {
        for (GumboNode *n = next_pre(root, root, true); n; n = next_pre(root, n, true)) {
            if (!is_elem(n) || !sel_matches(s, n))
                continue;
            if (!list_push(d->a, out, &cap, n))
                return DOM_NOMEM;
            if (first_only)
                break;
        }
        return DOM_OK;
    }
    qstate q = {.a = d->a, .words = words};
    /* The selector sees the whole tree: the states of root and its
     * ancestors come first, top down. */
    size_t depth = 0;
    for (const GumboNode *x = root; x; x = x->parent)
        depth++;
    GumboNode **chain = arena_alloc(d->a, depth * sizeof *chain);
    if (!chain || !qs_level(&q, depth))
        return DOM_NOMEM;
    memset(q.bits, 0, 2 * (size_t)words * sizeof(uint64_t));
    size_t k = depth;
    for (GumboNode *x = root; x; x = x->parent)
        chain[--k] = x;
    for (size_t l = 1; l <= depth; l++)
        qs_visit(&q, s, l, chain[l - 1]);

    size_t level = depth;
    const GumboNode *n = root;
    for (;;) {
        GumboNode *next = dom_first_child(n);
        if (next) {
            level++;
        } else {
            while (n != root && !(next = dom_next_sibling(n))) {
                n = n->parent;
                level--;
            }
            if (n == root)
                break;
        }
        n = next;
        if (!qs_level(&q, level))
            return DOM_NOMEM;
        if (qs_visit(&q, s, level, n)) {
            if (!list_push(d->a, out, &cap, (GumboNode *)n))
                return DOM_NOMEM;
            if (first_only)
                break;
        }
    }
    return DOM_OK;
}
