/* dom — see dom.h. The tree: the document, nodes, navigation, attributes,
 * classList and edits. Serialisation and markup (innerHTML, outerHTML,
 * textContent's read, fragment parsing) are in dom_serialize.c; lookups and
 * the selector engine in dom_select.c; what the three share is in
 * dom_internal.h.
 *
 * Invariants every function keeps: each child's parent pointer names the
 * node whose children vector holds it, at index_within_parent. dom_new
 * re-establishes them over the parsed tree once (one stackless pass), so
 * every later walk can move through the tree by parent pointers and
 * indices alone: preorder "next" is first child, else next sibling, else
 * the parent's next sibling, and so on up. No walk needs a stack, so no
 * depth is too deep. */
#include "dom.h"
#include "dom_internal.h"

#include "url.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

/* ---------------------------------------------------------------------------
 * Vectors and the tree invariants */

bool dom_vec_reserve(arena *a, GumboVector *v, size_t need)
{
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

static void reindex(GumboVector *v, size_t from)
{
    for (size_t i = from; i < v->length; i++)
        ((GumboNode *)v->data[i])->index_within_parent = i;
}

/* Sets parent/index of every child of every node under top (top itself is
 * left as it is). */
void dom_fix_tree(GumboNode *top)
{
    for (GumboNode *n = top; n; n = dom_next_raw(top, n)) {
        GumboVector *v = dom_kids(n);
        if (!v)
            continue;
        for (size_t i = 0; i < v->length; i++) {
            GumboNode *c = v->data[i];
            c->parent = n;
            c->index_within_parent = i;
        }
    }
}

static void detach(GumboNode *c)
{
    GumboVector *v = dom_kids(c->parent);
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
void dom_insert_nodes(GumboNode *p, size_t at, GumboNode **nodes, size_t k)
{
    GumboVector *v = dom_kids(p);
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

const char *dom_err_word(dom_err e)
{
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

dom *dom_new(arena *a, void *gumbo_output, const char *url)
{
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
    dom_fix_tree(g->document);
    if (dom_templates_adopt(d, g->document) != DOM_OK)
        return NULL;
    return d;
}

arena *dom_arena(dom *d) { return d->a; }

GumboNode *dom_document(dom *d) { return d->out->document; }

GumboNode *dom_document_element(dom *d)
{
    GumboNode *doc = d->out->document;
    for (size_t i = 0; i < doc->v.document.children.length; i++) {
        GumboNode *c = doc->v.document.children.data[i];
        if (dom_is_elem(c))
            return c;
    }
    return NULL;
}

static GumboNode *html_child(dom *d, GumboTag tag)
{
    GumboNode *html = dom_document_element(d);
    if (!html)
        return NULL;
    for (GumboNode *c = dom_first_element_child(html); c; c = dom_next_element_sibling(c))
        if (c->v.element.tag == tag && c->v.element.tag_namespace == GUMBO_NAMESPACE_HTML)
            return c;
    return NULL;
}

GumboNode *dom_head(dom *d) { return html_child(d, GUMBO_TAG_HEAD); }

GumboNode *dom_body(dom *d) { return html_child(d, GUMBO_TAG_BODY); }

const char *dom_base_url(dom *d)
{
    if (d->base_gen == d->gen && d->base)
        return d->base;
    const char *href = NULL;
    GumboNode *doc = d->out->document;
    for (GumboNode *n = doc; n; n = dom_next_pre(doc, n, true)) {
        if (dom_is_elem(n) && n->v.element.tag == GUMBO_TAG_BASE &&
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
void dom_tag_piece(const GumboNode *n, const char **p, size_t *len)
{
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
    while (i < m && !ascii_is_ws((unsigned char)s[i]) && s[i] != '/' && s[i] != '>')
        i++;
    *p = m ? s + start : "";
    *len = i - start;
}

static uint32_t hash_ci(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ ascii_lower((unsigned char)s[i])) * 0x100000001b3ULL;
    return (uint32_t)(h ^ (h >> 32));
}

/* The lowercase copy of p[0..len), made once per distinct name; "" on
 * NOMEM. */
static const char *intern_name(dom *d, const char *p, size_t len)
{
    if (d->names_cap) {
        size_t mask = d->names_cap - 1;
        for (size_t i = hash_ci(p, len) & mask; d->names[i]; i = (i + 1) & mask)
            if (strlen(d->names[i]) == len && ascii_eq_n(d->names[i], len, p, len))
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
        *q = (char)ascii_lower((unsigned char)*q);
    size_t i = hash_ci(s, len) & (d->names_cap - 1);
    while (d->names[i])
        i = (i + 1) & (d->names_cap - 1);
    d->names[i] = s;
    d->names_n++;
    return s;
}

const char *dom_tag_name(dom *d, const GumboNode *n)
{
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
    dom_tag_piece(n, &p, &len);
    if (n->v.element.tag != GUMBO_TAG_UNKNOWN)
        return p;
    return intern_name(d, p, len);
}

static bool valid_element_name(const char *name)
{
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

GumboNode *dom_create_element(dom *d, const char *name, dom_err *err)
{
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
        orig[i + 1] = (char)ascii_lower((unsigned char)name[i]);
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

static GumboNode *new_chardata(dom *d, GumboNodeType type, const char *text, size_t len)
{
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

GumboNode *dom_create_text(dom *d, const char *text, size_t len)
{
    return new_chardata(d, GUMBO_NODE_TEXT, text, len);
}

GumboNode *dom_create_comment(dom *d, const char *text, size_t len)
{
    return new_chardata(d, GUMBO_NODE_COMMENT, text, len);
}

/* ---------------------------------------------------------------------------
 * Tree edits */

/* The DOM's pre-insertion validity, in its order: parent kind, cycles, the
 * reference, then the document's own rules (old: the child being replaced). */
static dom_err check_insert(GumboNode *parent, GumboNode *child, GumboNode *ref, GumboNode *old)
{
    if (!parent || !child || !dom_kids(parent))
        return DOM_HIERARCHY;
    if (child->type == GUMBO_NODE_DOCUMENT)
        return DOM_HIERARCHY;
    for (GumboNode *x = parent; x; x = x->parent)
        if (x == child)
            return DOM_HIERARCHY;
    if (ref && ref->parent != parent)
        return DOM_NOT_FOUND;
    if (parent->type == GUMBO_NODE_DOCUMENT) {
        if (dom_is_text(child))
            return DOM_HIERARCHY;
        if (dom_is_elem(child)) {
            GumboVector *v = dom_kids(parent);
            for (size_t i = 0; i < v->length; i++) {
                GumboNode *c = v->data[i];
                if (dom_is_elem(c) && c != old && c != child)
                    return DOM_HIERARCHY;
            }
        }
    }
    return DOM_OK;
}

dom_err dom_append_child(dom *d, GumboNode *parent, GumboNode *child)
{
    return dom_insert_before(d, parent, child, NULL);
}

dom_err dom_insert_before(dom *d, GumboNode *parent, GumboNode *child, GumboNode *ref)
{
    dom_err e = check_insert(parent, child, ref, NULL);
    if (e)
        return e;
    if (ref == child)
        ref = dom_next_sibling(child);
    GumboVector *v = dom_kids(parent);
    if (!dom_vec_reserve(d->a, v, (size_t)v->length + 1))
        return DOM_NOMEM;
    detach(child);
    dom_insert_nodes(parent, ref ? ref->index_within_parent : v->length, &child, 1);
    d->gen++;
    return DOM_OK;
}

dom_err dom_remove_child(dom *d, GumboNode *parent, GumboNode *child)
{
    if (!parent || !child || child->parent != parent)
        return DOM_NOT_FOUND;
    detach(child);
    d->gen++;
    return DOM_OK;
}

dom_err dom_replace_child(dom *d, GumboNode *parent, GumboNode *newc, GumboNode *old)
{
    if (!old)
        return DOM_NOT_FOUND;
    dom_err e = check_insert(parent, newc, old, old);
    if (e)
        return e;
    if (newc == old)
        return DOM_OK;
    detach(newc);
    GumboVector *v = dom_kids(parent);
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
 * Templates: the content fragment is the template's one raw child, an
 * element named like a script-made DocumentFragment; navigation hides it. */

static const char FRAG_NAME[] = "crawld-fragment";

static bool is_content(const GumboNode *c)
{
    const char *p;
    size_t n;
    if (!dom_is_elem(c) || c->v.element.tag != GUMBO_TAG_UNKNOWN)
        return false;
    dom_tag_piece(c, &p, &n);
    return n == sizeof FRAG_NAME - 1 && memcmp(p, FRAG_NAME, n) == 0;
}

GumboNode *dom_template_content(dom *d, GumboNode *t)
{
    if (!t || t->type != GUMBO_NODE_TEMPLATE)
        return NULL;
    GumboVector *v = &t->v.element.children;
    if (v->length && is_content(v->data[0]))
        return v->data[0];
    GumboNode *f = dom_create_element(d, FRAG_NAME, NULL);
    if (!f || !dom_vec_reserve(d->a, v, (size_t)v->length + 1))
        return NULL;
    dom_insert_nodes(t, 0, &f, 1);
    return f;
}

dom_err dom_templates_adopt(dom *d, GumboNode *top)
{
    for (GumboNode *n = top; n; n = dom_next_raw(top, n)) {
        if (n->type != GUMBO_NODE_TEMPLATE)
            continue;
        GumboVector *v = &n->v.element.children; /* a fresh parse's: no content yet */
        GumboNode *f = dom_create_element(d, FRAG_NAME, NULL);
        void **one = arena_alloc(d->a, 4 * sizeof *one);
        if (!f || !one)
            return DOM_NOMEM;
        f->v.element.children = *v; /* the parsed children, indices unchanged */
        for (size_t i = 0; i < v->length; i++)
            ((GumboNode *)v->data[i])->parent = f;
        one[0] = f;
        v->data = one;
        v->length = 1;
        v->capacity = 4;
        f->parent = n;
        f->index_within_parent = 0;
    }
    return DOM_OK;
}

/* ---------------------------------------------------------------------------
 * Navigation: a template shows no children (they are its content's) */

GumboNode *dom_first_child(const GumboNode *n)
{
    const GumboVector *v = n && n->type != GUMBO_NODE_TEMPLATE ? dom_ckids(n) : NULL;
    return v && v->length ? v->data[0] : NULL;
}

GumboNode *dom_last_child(const GumboNode *n)
{
    const GumboVector *v = n && n->type != GUMBO_NODE_TEMPLATE ? dom_ckids(n) : NULL;
    return v && v->length ? v->data[v->length - 1] : NULL;
}

static inline const GumboVector *sibs(const GumboNode *n)
{
    return n && n->parent && n->parent->type != GUMBO_NODE_TEMPLATE ? dom_ckids(n->parent) : NULL;
}

GumboNode *dom_next_sibling(const GumboNode *n)
{
    const GumboVector *v = sibs(n);
    size_t i = v ? n->index_within_parent + 1 : 0;
    return v && i < v->length ? v->data[i] : NULL;
}

GumboNode *dom_prev_sibling(const GumboNode *n)
{
    const GumboVector *v = sibs(n);
    size_t i = n ? n->index_within_parent : 0;
    return v && i > 0 && i <= v->length ? v->data[i - 1] : NULL;
}

GumboNode *dom_first_element_child(const GumboNode *n)
{
    const GumboVector *v = n && n->type != GUMBO_NODE_TEMPLATE ? dom_ckids(n) : NULL;
    for (size_t i = 0; v && i < v->length; i++)
        if (dom_is_elem(v->data[i]))
            return v->data[i];
    return NULL;
}

GumboNode *dom_next_element_sibling(const GumboNode *n)
{
    for (GumboNode *s = dom_next_sibling(n); s; s = dom_next_sibling(s))
        if (dom_is_elem(s))
            return s;
    return NULL;
}

size_t dom_child_count(const GumboNode *n)
{
    const GumboVector *v = n && n->type != GUMBO_NODE_TEMPLATE ? dom_ckids(n) : NULL;
    return v ? v->length : 0;
}

/* ---------------------------------------------------------------------------
 * Attributes */

/* Does at's qualified name ("href", "xlink:href") equal name[0..len)? */
static bool attr_is(const GumboAttribute *at, const char *name, size_t len)
{
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
    if (len < pl || !ascii_eq_n(name, pl, pre, pl))
        return false;
    return ascii_eq_n(name + pl, len - pl, at->name, strlen(at->name));
}

GumboAttribute *dom_find_attr(const GumboNode *n, const char *name, size_t len, size_t *idx)
{
    if (!dom_is_elem(n) || !name)
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

const char *dom_get_attr(const GumboNode *n, const char *name)
{
    GumboAttribute *at = name ? dom_find_attr(n, name, strlen(name), NULL) : NULL;
    return at ? at->value : NULL;
}

static bool valid_attr_name(const char *name)
{
    if (!name || !*name)
        return false;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7F || *p == ' ' || *p == '/' || *p == '>' || *p == '=' ||
            *p == '"' || *p == '\'' || *p == '<')
            return false;
    return true;
}

dom_err dom_set_attr(dom *d, GumboNode *n, const char *name, const char *value)
{
    if (!dom_is_elem(n))
        return DOM_INVALID;
    if (!valid_attr_name(name))
        return DOM_SYNTAX;
    if (!value)
        value = "";
    size_t vlen = strlen(value);
    char *val = arena_strndup(d->a, value, vlen);
    if (!val)
        return DOM_NOMEM;
    GumboAttribute *at = dom_find_attr(n, name, strlen(name), NULL);
    if (!at) {
        GumboVector *v = &n->v.element.attributes;
        at = arena_alloc_zeroed(d->a, sizeof *at);
        char *nm = arena_strdup(d->a, name);
        if (!at || !nm || !dom_vec_reserve(d->a, v, (size_t)v->length + 1))
            return DOM_NOMEM;
        if (n->v.element.tag_namespace == GUMBO_NAMESPACE_HTML)
            for (char *q = nm; *q; q++)
                *q = (char)ascii_lower((unsigned char)*q);
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

dom_err dom_remove_attr(dom *d, GumboNode *n, const char *name)
{
    if (!dom_is_elem(n))
        return DOM_INVALID;
    size_t i;
    if (!name || !dom_find_attr(n, name, strlen(name), &i))
        return DOM_OK;
    GumboVector *v = &n->v.element.attributes;
    memmove(&v->data[i], &v->data[i + 1], (v->length - i - 1) * sizeof *v->data);
    v->length--;
    d->gen++;
    return DOM_OK;
}

size_t dom_attr_count(const GumboNode *n)
{
    return dom_is_elem(n) ? n->v.element.attributes.length : 0;
}

bool dom_attr_at(const GumboNode *n, size_t i, const char **name, const char **value)
{
    if (!dom_is_elem(n) || i >= n->v.element.attributes.length)
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
bool dom_has_token(const char *s, const char *tok, size_t len, bool ci)
{
    const unsigned char *p = (const unsigned char *)s;
    if (!s || !len)
        return false;
    while (*p) {
        while (ascii_is_ws(*p))
            p++;
        const unsigned char *start = p;
        while (*p && !ascii_is_ws(*p))
            p++;
        size_t n = (size_t)(p - start);
        if (n == len &&
            (ci ? ascii_eq_n((const char *)start, n, tok, len) : !memcmp(start, tok, len)))
            return true;
    }
    return false;
}

bool dom_class_contains(const GumboNode *n, const char *token)
{
    return token && dom_has_token(dom_get_attr(n, "class"), token, strlen(token), false);
}

static bool valid_token(const char *t)
{
    if (!t || !*t)
        return false;
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        if (ascii_is_ws(*p))
            return false;
    return true;
}

typedef struct tok {
    const char *p;
    size_t len;
} tok;

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return (uint32_t)(h ^ (h >> 32));
}

/* The DOMTokenList update steps: the class attribute becomes its token set
 * (duplicates dropped, order kept, one space between) with token added or
 * removed. */
static dom_err class_edit(dom *d, GumboNode *n, const char *token, bool add)
{
    if (!dom_is_elem(n))
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
        if (!ascii_is_ws((unsigned char)cur[i]) &&
            (i == 0 || ascii_is_ws((unsigned char)cur[i - 1])))
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
                while (ascii_is_ws((unsigned char)*p))
                    p++;
                if (!*p)
                    break;
                start = p;
                while (*p && !ascii_is_ws((unsigned char)*p))
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

dom_err dom_class_add(dom *d, GumboNode *n, const char *token)
{
    return class_edit(d, n, token, true);
}

dom_err dom_class_remove(dom *d, GumboNode *n, const char *token)
{
    return class_edit(d, n, token, false);
}

dom_err dom_class_toggle(dom *d, GumboNode *n, const char *token, bool *on)
{
    bool had = dom_class_contains(n, token);
    dom_err e = class_edit(d, n, token, !had);
    if (on && !e)
        *on = !had;
    return e;
}

/* ---------------------------------------------------------------------------
 * Text */

static void drop_children(GumboNode *n)
{
    GumboVector *v = dom_kids(n);
    for (size_t i = 0; i < v->length; i++) {
        GumboNode *c = v->data[i];
        c->parent = NULL;
        c->index_within_parent = 0;
    }
    v->length = 0;
}

dom_err dom_set_text_content(dom *d, GumboNode *n, const char *text, size_t len)
{
    if (!n)
        return DOM_INVALID;
    if (!text)
        len = 0;
    if (n->type == GUMBO_NODE_DOCUMENT)
        return DOM_OK; /* textContent on a document does nothing */
    if (dom_is_chardata(n)) {
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
    GumboVector *v = dom_kids(n);
    if (t && !dom_vec_reserve(d->a, v, 1))
        return DOM_NOMEM;
    drop_children(n);
    if (t)
        dom_insert_nodes(n, 0, &t, 1);
    d->gen++;
    return DOM_OK;
}
