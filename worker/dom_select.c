/* dom_select — finding elements: getElementById, getElementsByTagName and
 * ...ByClassName, and the selector engine behind matches, querySelector and
 * querySelectorAll (the Selectors Level 4 subset docs/worker.md lists).
 *
 * Selectors are compiled (common/selector.h parses them) into the page arena; the last SEL_CACHE
 * texts are remembered in struct dom, so a script's loop does not grow the arena. Matching
 * allocates nothing but dom_query's bit sets (also in the arena). Nothing here edits the tree. */
#include "dom.h"
#include "dom_internal.h"

#include "selector.h"

#include <stdint.h>
#include <string.h>

/* Above this many 64-bit words of compound bits per depth, dom_query
 * matches right to left instead (the bit sets cost depth x words x 32 B). */
#define QUERY_MAX_WORDS 16

/* A growable node list in the arena. */
static bool list_push(arena *a, dom_list *l, size_t *cap, GumboNode *n)
{
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
 * Lookups */

GumboNode *dom_get_element_by_id(dom *d, GumboNode *root, const char *id)
{
    (void)d;
    if (!root || !id || !*id)
        return NULL;
    for (GumboNode *n = dom_next_pre(root, root, true); n; n = dom_next_pre(root, n, true)) {
        const char *v;
        if (dom_is_elem(n) && (v = dom_get_attr(n, "id")) && !strcmp(v, id))
            return n;
    }
    return NULL;
}

dom_err dom_by_tag(dom *d, GumboNode *root, const char *name, dom_list *out)
{
    out->items = NULL;
    out->n = 0;
    if (!root || !name)
        return DOM_INVALID;
    bool all = !strcmp(name, "*");
    size_t nlen = strlen(name), cap = 0;
    for (GumboNode *n = dom_next_pre(root, root, true); n; n = dom_next_pre(root, n, true)) {
        if (!dom_is_elem(n))
            continue;
        if (!all) {
            const char *p;
            size_t len;
            dom_tag_piece(n, &p, &len);
            if (!ascii_eq_n(p, len, name, nlen))
                continue;
        }
        if (!list_push(d->a, out, &cap, n))
            return DOM_NOMEM;
    }
    return DOM_OK;
}

dom_err dom_by_class(dom *d, GumboNode *root, const char *classes, dom_list *out)
{
    out->items = NULL;
    out->n = 0;
    if (!root || !classes)
        return DOM_INVALID;
    size_t cap = 0;
    const char *c = classes;
    while (ascii_is_ws((unsigned char)*c))
        c++;
    if (!*c)
        return DOM_OK;
    for (GumboNode *n = dom_next_pre(root, root, true); n; n = dom_next_pre(root, n, true)) {
        const char *cls = dom_is_elem(n) ? dom_get_attr(n, "class") : NULL;
        if (!cls)
            continue;
        bool all = true;
        for (const char *p = c; *p && all;) {
            const char *start = p;
            while (*p && !ascii_is_ws((unsigned char)*p))
                p++;
            all = dom_has_token(cls, start, (size_t)(p - start), false);
            while (ascii_is_ws((unsigned char)*p))
                p++;
        }
        if (all && !list_push(d->a, out, &cap, n))
            return DOM_NOMEM;
    }
    return DOM_OK;
}

/* sel_parse through the cache: *out points at the compiled selector. */
static dom_err sel_compile(dom *d, const char *text, const sel **out)
{
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
    sel_err se = sel_parse(d->a, text, s, NULL);
    dom_err e = se == SEL_ERR_NOMEM ? DOM_NOMEM : se ? DOM_SYNTAX : DOM_OK;
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
 * Selectors: matching
 *
 * Compound selectors are linked right to left and matched two ways.
 * dom_matches goes right to left from the element, backtracking over the
 * candidates a combinator offers (ancestors for " ", earlier siblings for
 * "~"), as browsers do, and cut short the way they do: a failure says how
 * far it reaches. A left part that matched at no ancestor of e matches at no
 * ancestor of anything further up or to the left either (their ancestors are
 * among e's), so a descendant search that fails ends the whole match; one
 * that matched at no earlier sibling ends the sibling searches around it.
 * Without that, "a b c d" on a deep tree would retry every ancestor
 * for every ancestor. dom_query walks the subtree top down carrying, per
 * depth, one bit per compound ("the selector up to this compound matches
 * here", "... at some ancestor", "... at the previous element sibling",
 * "... at some earlier element sibling"), which is O(nodes x compounds)
 * whatever the depth and the combinators (times what one compound costs:
 * the -of-type positions count siblings, and compounds inside
 * :not/:is/:where are matched right to left in both matchers); a selector
 * too long for the bit sets falls back to matching each element right to
 * left. */

static bool starts_with(const char *s, size_t n, const char *v, size_t vn, bool ci)
{
    return n >= vn && (ci ? ascii_eq_n(s, vn, v, vn) : !memcmp(s, v, vn));
}

static bool contains(const char *s, size_t n, const char *v, size_t vn, bool ci)
{
    for (size_t i = 0; i + vn <= n; i++)
        if (starts_with(s + i, n - i, v, vn, ci))
            return true;
    return false;
}

static bool attr_matches(const sel_simple *s, const GumboNode *e)
{
    GumboAttribute *at = dom_find_attr(e, s->name, s->nlen, NULL);
    if (!at)
        return false;
    const char *v = at->value;
    size_t n = strlen(v);
    switch (s->op) {
    case SEL_A_EXISTS:
        return true;
    case SEL_A_EQ:
        return n == s->vlen && starts_with(v, n, s->val, s->vlen, s->ci);
    case SEL_A_WORD:
        if (!s->vlen)
            return false;
        for (size_t i = 0; i < s->vlen; i++)
            if (ascii_is_ws((unsigned char)s->val[i]))
                return false;
        return dom_has_token(v, s->val, s->vlen, s->ci);
    case SEL_A_PREFIX:
        return s->vlen && starts_with(v, n, s->val, s->vlen, s->ci);
    case SEL_A_SUFFIX:
        return s->vlen && n >= s->vlen &&
               starts_with(v + n - s->vlen, s->vlen, s->val, s->vlen, s->ci);
    case SEL_A_SUBSTR:
        return s->vlen && contains(v, n, s->val, s->vlen, s->ci);
    case SEL_A_DASH:
        return starts_with(v, n, s->val, s->vlen, s->ci) && (n == s->vlen || v[s->vlen] == '-');
    }
    return false;
}

static const GumboNode *prev_element(const GumboNode *n)
{
    for (const GumboNode *s = dom_prev_sibling(n); s; s = dom_prev_sibling(s))
        if (dom_is_elem(s))
            return s;
    return NULL;
}

/* Same local name (ASCII case-insensitive) in the same namespace. */
static bool same_type(const GumboNode *x, const GumboNode *y)
{
    if (x->v.element.tag_namespace != y->v.element.tag_namespace)
        return false;
    if (x->v.element.tag != GUMBO_TAG_UNKNOWN || y->v.element.tag != GUMBO_TAG_UNKNOWN)
        return x->v.element.tag == y->v.element.tag; /* a known name is always its enum */
    const char *p, *q;
    size_t pn, qn;
    dom_tag_piece(x, &p, &pn);
    dom_tag_piece(y, &q, &qn);
    return ascii_eq_n(p, pn, q, qn);
}

/* e's 1-based position among its element siblings (of its type when
 * of_type), from the last when from_end; counting stops past limit, so
 * that :first-child looks at one sibling, not all before it. */
static long long sibling_pos(const GumboNode *e, bool from_end, bool of_type, long long limit)
{
    long long i = 1;
    for (const GumboNode *s = from_end ? dom_next_sibling(e) : dom_prev_sibling(e); s && i <= limit;
         s = from_end ? dom_next_sibling(s) : dom_prev_sibling(s))
        if (dom_is_elem(s) && (!of_type || same_type(s, e)))
            i++;
    return i;
}

/* What dom_query's walk knows of the element it visits: its position
 * among its element siblings, and (counted once per parent, on demand)
 * how many they are; so that :nth-child over n rows is O(n), not O(n^2). */
typedef struct pos_hint {
    const GumboNode *e;
    long long pos;
    long long *count; /* < 0: not counted yet */
} pos_hint;

/* Is e's position a*n + b for some n >= 0? */
static bool nth_matches(const sel_simple *s, const GumboNode *e, const pos_hint *h)
{
    bool from_end = s->kind == SEL_NTH_LAST_CHILD || s->kind == SEL_NTH_LAST_OF_TYPE;
    bool of_type = s->kind == SEL_NTH_OF_TYPE || s->kind == SEL_NTH_LAST_OF_TYPE;
    if (s->a <= 0 && s->b < 1)
        return false; /* every a*n + b is below 1 */
    long long pos;
    if (h && h->e == e && !of_type) {
        if (from_end && *h->count < 0)
            *h->count = sibling_pos(e, true, false, INT64_MAX) + h->pos - 1;
        pos = from_end ? *h->count - h->pos + 1 : h->pos;
    } else {
        /* with a <= 0 no position past b can match */
        pos = sibling_pos(e, from_end, of_type, s->a <= 0 ? s->b : INT64_MAX);
    }
    if (s->a == 0)
        return pos == s->b;
    long long d = pos - s->b;
    return d % s->a == 0 && d / s->a >= 0;
}

static inline bool is_html(const GumboNode *e, GumboTag tag)
{
    return e->v.element.tag == tag && e->v.element.tag_namespace == GUMBO_NAMESPACE_HTML;
}

static inline bool has_attr(const GumboNode *e, const char *name)
{
    return dom_get_attr(e, name) != NULL;
}

/* HTML's "checkedness" and "selectedness" as the attributes give them
 * (scripts that set .checked change the attribute through the prelude). */
static bool is_checked(const GumboNode *e)
{
    if (is_html(e, GUMBO_TAG_OPTION))
        return has_attr(e, "selected");
    if (!is_html(e, GUMBO_TAG_INPUT) || !has_attr(e, "checked"))
        return false;
    const char *type = dom_get_attr(e, "type");
    return type && (ascii_eq_n(type, strlen(type), "checkbox", 8) ||
                    ascii_eq_n(type, strlen(type), "radio", 5));
}

/* Inside a <fieldset disabled>, outside its first <legend> child? */
static bool in_disabled_fieldset(const GumboNode *e)
{
    const GumboNode *below = e;
    for (const GumboNode *f = dom_parent_elem(e); f; below = f, f = dom_parent_elem(f)) {
        if (!is_html(f, GUMBO_TAG_FIELDSET) || !has_attr(f, "disabled"))
            continue;
        const GumboNode *legend = dom_first_element_child(f);
        while (legend && !is_html(legend, GUMBO_TAG_LEGEND))
            legend = dom_next_element_sibling(legend);
        if (below != legend)
            return true;
    }
    return false;
}

/* 0: not a control :enabled/:disabled speak of; 1 enabled; 2 disabled
 * (HTML's "actually disabled"). */
static int control_state(const GumboNode *e)
{
    if (e->v.element.tag_namespace != GUMBO_NAMESPACE_HTML)
        return 0;
    switch (e->v.element.tag) {
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_FIELDSET:
        return has_attr(e, "disabled") || in_disabled_fieldset(e) ? 2 : 1;
    case GUMBO_TAG_OPTGROUP:
        return has_attr(e, "disabled") ? 2 : 1;
    case GUMBO_TAG_OPTION: {
        const GumboNode *g = dom_parent_elem(e);
        return has_attr(e, "disabled") ||
                       (g && is_html(g, GUMBO_TAG_OPTGROUP) && has_attr(g, "disabled"))
                   ? 2
                   : 1;
    }
    default:
        return 0;
    }
}

/* No children but comments (and empty text, which is no content either). */
static bool is_empty(const GumboNode *e)
{
    for (const GumboNode *c = dom_first_child(e); c; c = dom_next_sibling(c))
        if (c->type != GUMBO_NODE_COMMENT && (!dom_is_text(c) || c->v.text.text[0]))
            return false;
    return true;
}

static bool list_matches(const sel_complex *x, const GumboNode *e, const pos_hint *h);

static bool compound_matches(const sel_compound *c, const GumboNode *e, const pos_hint *h)
{
    for (const sel_simple *s = c->first; s; s = s->next) {
        bool ok = false;
        switch (s->kind) {
        case SEL_TYPE: {
            const char *p;
            size_t len;
            dom_tag_piece(e, &p, &len);
            ok = ascii_eq_n(p, len, s->name, s->nlen);
            break;
        }
        case SEL_ID: {
            const char *id = dom_get_attr(e, "id");
            ok = id && strlen(id) == s->nlen && !memcmp(id, s->name, s->nlen);
            break;
        }
        case SEL_CLASS:
            ok = dom_has_token(dom_get_attr(e, "class"), s->name, s->nlen, false);
            break;
        case SEL_ATTR:
            ok = attr_matches(s, e);
            break;
        case SEL_NTH_CHILD:
        case SEL_NTH_LAST_CHILD:
        case SEL_NTH_OF_TYPE:
        case SEL_NTH_LAST_OF_TYPE:
            ok = nth_matches(s, e, h);
            break;
        case SEL_ONLY_CHILD:
        case SEL_ONLY_OF_TYPE: {
            bool of_type = s->kind == SEL_ONLY_OF_TYPE;
            ok = sibling_pos(e, false, of_type, 1) == 1 && sibling_pos(e, true, of_type, 1) == 1;
            break;
        }
        case SEL_ROOT:
            ok = e->parent && e->parent->type == GUMBO_NODE_DOCUMENT;
            break;
        case SEL_EMPTY:
            ok = is_empty(e);
            break;
        case SEL_CHECKED:
            ok = is_checked(e);
            break;
        case SEL_DISABLED:
            ok = control_state(e) == 2;
            break;
        case SEL_ENABLED:
            ok = control_state(e) == 1;
            break;
        case SEL_NOT:
            ok = !list_matches(s->list, e, h);
            break;
        case SEL_IS:
            ok = list_matches(s->list, e, h);
            break;
        }
        if (!ok)
            return false;
    }
    return true;
}

/* How far a failure reaches (see the top of this section): only this
 * element; it and its earlier siblings; everything further up or left. */
typedef enum mres { M_MATCH, M_FAIL_HERE, M_FAIL_SIBLINGS, M_FAIL_ALL } mres;

/* Does the selector up to c match with e as c's subject? h: see pos_hint
 * (it speaks of one element, the others are counted). */
static mres match_from(const sel_compound *c, const GumboNode *e, const pos_hint *h)
{
    if (!compound_matches(c, e, h))
        return M_FAIL_HERE;
    if (!c->left)
        return M_MATCH;
    const GumboNode *m;
    mres r;
    switch (c->comb) {
    case SEL_C_CHILD:
        if (!(m = dom_parent_elem(e)))
            return M_FAIL_ALL;
        return match_from(c->left, m, h);
    case SEL_C_DESCENDANT:
        for (m = dom_parent_elem(e); m; m = dom_parent_elem(m))
            if ((r = match_from(c->left, m, h)) == M_MATCH || r == M_FAIL_ALL)
                return r;
        return M_FAIL_ALL;
    case SEL_C_ADJACENT:
        if (!(m = prev_element(e)))
            return M_FAIL_SIBLINGS;
        return match_from(c->left, m, h);
    case SEL_C_SIBLING:
        for (m = prev_element(e); m; m = prev_element(m))
            if ((r = match_from(c->left, m, h)) != M_FAIL_HERE)
                return r;
        return M_FAIL_SIBLINGS;
    case SEL_C_NONE:
        break;
    }
    return M_FAIL_ALL; /* a left compound always has a combinator */
}

static bool list_matches(const sel_complex *x, const GumboNode *e, const pos_hint *h)
{
    for (; x; x = x->next)
        if (match_from(x->right, e, h) == M_MATCH)
            return true;
    return false;
}

dom_err dom_matches(dom *d, GumboNode *el, const char *selector, bool *yes)
{
    *yes = false;
    if (!dom_is_elem(el))
        return DOM_INVALID;
    const sel *s;
    dom_err e = sel_compile(d, selector, &s);
    if (e)
        return e;
    *yes = list_matches(s->first, el, NULL);
    return DOM_OK;
}

/* Top-down state per depth, `words` words each: S (compound k matches here
 * with everything to its left), A (S of some proper ancestor), P (S of the
 * previous element sibling), Q (S of some earlier element sibling). */
typedef struct qstate {
    arena *a;
    unsigned words;
    uint64_t *bits; /* level L: S, A, P, Q from [4L*words] */
    long long *pos; /* level L: [2L] the visited element's position among
                     * its element siblings, [2L+1] how many they are (< 0:
                     * not counted) */
    size_t levels;  /* levels allocated */
} qstate;

static bool qs_level(qstate *q, size_t level)
{
    if (level < q->levels)
        return true;
    size_t n = q->levels ? q->levels : 64;
    while (n <= level)
        n *= 2;
    size_t per = 4 * (size_t)q->words * sizeof(uint64_t);
    if (n > SIZE_MAX / per)
        return false;
    uint64_t *b = arena_resize(q->a, q->bits, q->levels * per, n * per);
    if (!b)
        return false;
    q->bits = b;
    long long *pos = arena_resize(q->a, q->pos, q->levels * 2 * sizeof *pos, n * 2 * sizeof *pos);
    if (!pos)
        return false;
    q->pos = pos;
    q->levels = n;
    return true;
}

static inline bool bit_get(const uint64_t *w, unsigned i) { return (w[i / 64] >> (i % 64)) & 1; }

/* Fills level L for node n from level L-1 (level 0 is all zero) and from
 * what level L holds for n's earlier siblings; first: n is its parent's
 * first child (nothing at level L is n's sibling). all_siblings: every
 * earlier sibling of n was visited (so its position is known). True when n
 * matches. */
static bool qs_visit(qstate *q, const sel *s, size_t level, const GumboNode *n, bool first,
                     bool all_siblings)
{
    unsigned w = q->words;
    const uint64_t *ps = q->bits + 4 * (level - 1) * w, *pa = ps + w;
    uint64_t *S = q->bits + 4 * level * w, *A = S + w, *P = A + w, *Q = P + w;
    long long *pc = q->pos + 2 * level;
    if (first) {
        memset(S, 0, 4 * (size_t)w * sizeof(uint64_t));
        pc[0] = 0, pc[1] = -1;
    }
    if (!dom_is_elem(n))
        return false; /* text between elements leaves the siblings' state */
    pos_hint h = {n, ++pc[0], &pc[1]};
    for (unsigned i = 0; i < w; i++) {
        A[i] = pa[i] | ps[i];
        P[i] = S[i];
        Q[i] |= S[i];
        S[i] = 0;
    }
    bool hit = false;
    for (const sel_compound *c = s->all; c; c = c->next_all) {
        if (c->left) {
            const uint64_t *need = c->comb == SEL_C_CHILD        ? ps
                                   : c->comb == SEL_C_DESCENDANT ? A
                                   : c->comb == SEL_C_ADJACENT   ? P
                                                                 : Q;
            if (!bit_get(need, c->left->bit))
                continue;
        }
        if (!compound_matches(c, n, all_siblings ? &h : NULL))
            continue;
        S[c->bit / 64] |= (uint64_t)1 << (c->bit % 64);
        hit |= c->last;
    }
    return hit;
}

dom_err dom_query(dom *d, GumboNode *root, const char *selector, bool first_only, dom_list *out)
{
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
        for (GumboNode *n = dom_next_pre(root, root, true); n; n = dom_next_pre(root, n, true)) {
            if (!dom_is_elem(n) || !list_matches(s->first, n, NULL))
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
     * ancestors come first, top down, each after its earlier siblings when
     * the selector has + or ~. */
    size_t depth = 0;
    for (const GumboNode *x = root; x; x = dom_tree_parent(x))
        depth++;
    GumboNode **chain = arena_alloc(d->a, depth * sizeof *chain);
    if (!chain || !qs_level(&q, depth))
        return DOM_NOMEM;
    memset(q.bits, 0, 4 * (size_t)words * sizeof(uint64_t));
    size_t k = depth;
    for (GumboNode *x = root; x; x = dom_tree_parent(x))
        chain[--k] = x;
    for (size_t l = 1; l <= depth; l++) {
        bool first = true;
        if (l > 1 && s->siblings)
            for (GumboNode *x = dom_first_child(chain[l - 2]); x && x != chain[l - 1];
                 x = dom_next_sibling(x)) {
                qs_visit(&q, s, l, x, first, false);
                first = false;
            }
        qs_visit(&q, s, l, chain[l - 1], first, false);
    }

    size_t level = depth;
    const GumboNode *n = root;
    for (;;) {
        GumboNode *next = dom_first_child(n);
        bool first = next != NULL;
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
        if (qs_visit(&q, s, level, n, first, true)) {
            if (!list_push(d->a, out, &cap, (GumboNode *)n))
                return DOM_NOMEM;
            if (first_only)
                break;
        }
    }
    return DOM_OK;
}
