/* dom_select — finding elements: getElementById, getElementsByTagName and
 * ...ByClassName, and the selector engine behind matches, querySelector and
 * querySelectorAll (type, #id, .class, [attr ops], :first-child and the
 * like, :not, descendant and child combinators).
 *
 * Selectors are compiled into the page arena; the last SEL_CACHE texts are
 * remembered in struct dom, so a script's loop does not grow the arena.
 * Nothing here edits the tree. */
#include "dom.h"
#include "dom_internal.h"

#include "utf8.h"

#include <stdint.h>
#include <string.h>

/* Above this many 64-bit words of compound bits per depth, dom_query
 * matches right to left instead (the bit sets cost depth x words x 16 B). */
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

static bool has_prev_element(const GumboNode *n)
{
    for (GumboNode *s = dom_prev_sibling(n); s; s = dom_prev_sibling(s))
        if (dom_is_elem(s))
            return true;
    return false;
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
            if (!dom_eq_ci(p, len, name, nlen))
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

static inline unsigned char sp_peek(const sparser *p, size_t ahead)
{
    /* s is NUL-terminated: never look past a NUL */
    for (size_t k = 0; k < ahead; k++)
        if (!p->s[p->i + k])
            return 0;
    return (unsigned char)p->s[p->i + ahead];
}

static bool sp_ws(sparser *p)
{
    bool any = false;
    while (ascii_is_ws(sp_peek(p, 0)))
        p->i++, any = true;
    return any;
}

static inline bool is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline bool name_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static inline bool name_char(unsigned char c)
{
    return name_start(c) || (c >= '0' && c <= '9') || c == '-';
}

/* A valid escape at s ("\" then not a newline or the end). */
static inline bool escape_at(const char *s)
{
    return s[0] == '\\' && s[1] != '\0' && s[1] != '\n' && s[1] != '\r' && s[1] != '\f';
}

/* Decodes one escape at s (after the backslash check) into out (4 bytes
 * room, may be NULL); returns the input bytes used, *outn the bytes made. */
static size_t decode_escape(const char *s, char *out, size_t *outn)
{
    const unsigned char *u = (const unsigned char *)s + 1;
    if (is_hex(*u)) {
        unsigned long cp = 0;
        size_t n = 0;
        while (n < 6 && is_hex(u[n])) {
            unsigned char c = u[n];
            cp = cp * 16 + (unsigned long)(c <= '9' ? c - '0' : ascii_lower(c) - 'a' + 10);
            n++;
        }
        if (ascii_is_ws(u[n]))
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
static const char *sp_ident(sparser *p, size_t *len, bool fold)
{
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
            out[o++] = (char)(fold ? ascii_lower((unsigned char)s[j]) : s[j]);
            j++;
        }
    }
    out[o] = '\0';
    p->i += i;
    *len = o;
    return out;
}

/* A quoted string (the quote at p->i); NULL when unterminated. */
static const char *sp_string(sparser *p, size_t *len)
{
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

static simple *sp_new_simple(sparser *p, skind k)
{
    simple *s = arena_alloc_zeroed(p->a, sizeof *s);
    if (!s)
        p->nomem = true;
    else
        s->kind = k;
    return s;
}

/* [name], [name op value], [name op value i|s]; p->i is past the '['. */
static simple *sp_attr(sparser *p)
{
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
        (ascii_is_ws(sp_peek(p, 1)) || sp_peek(p, 1) == ']')) {
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
static simple *sp_pseudo(sparser *p, bool in_not)
{
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

static compound *sp_compound(sparser *p, bool in_not)
{
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

static complex *sp_complex(sparser *p)
{
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

static dom_err sel_parse(dom *d, const char *text, sel *out)
{
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
 * Selectors: matching
 *
 * Compound selectors are linked right to left and matched two ways.
 * dom_matches goes right to left from the element: the combinators are only
 * descendant and child, so a selector splits at its descendant combinators
 * into chains of child steps, and taking for each chain the lowest ancestor
 * where it matches is always right (a lower match leaves more ancestors for
 * the chains to its left): no backtracking, O(depth) per element. dom_query
 * walks the subtree top down carrying, per depth, one bit per compound ("the
 * selector up to this compound matches here" and "... at some ancestor"),
 * which is O(nodes x compounds) whatever the depth and the selector; a
 * selector too long for the bit sets falls back to matching each element
 * right to left. */

static bool starts_with(const char *s, size_t n, const char *v, size_t vn, bool ci)
{
    return n >= vn && (ci ? dom_eq_ci(s, vn, v, vn) : !memcmp(s, v, vn));
}

static bool contains(const char *s, size_t n, const char *v, size_t vn, bool ci)
{
    for (size_t i = 0; i + vn <= n; i++)
        if (starts_with(s + i, n - i, v, vn, ci))
            return true;
    return false;
}

static bool attr_matches(const simple *s, const GumboNode *e)
{
    GumboAttribute *at = dom_find_attr(e, s->name, s->nlen, NULL);
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
            if (ascii_is_ws((unsigned char)s->val[i]))
                return false;
        return dom_has_token(v, s->val, s->vlen, s->ci);
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

static bool compound_matches(const compound *c, const GumboNode *e)
{
    for (const simple *s = c->first; s; s = s->next) {
        bool ok = false;
        switch (s->kind) {
        case S_TYPE: {
            const char *p;
            size_t len;
            dom_tag_piece(e, &p, &len);
            ok = dom_eq_ci(p, len, s->name, s->nlen);
            break;
        }
        case S_ID: {
            const char *id = dom_get_attr(e, "id");
            ok = id && strlen(id) == s->nlen && !memcmp(id, s->name, s->nlen);
            break;
        }
        case S_CLASS:
            ok = dom_has_token(dom_get_attr(e, "class"), s->name, s->nlen, false);
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
static bool complex_matches(const complex *x, const GumboNode *e)
{
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
                if (!(y = dom_parent_elem(y))) {
                    ok = false;
                    break;
                }
                cc = cc->left;
            }
            if (ok)
                break;
            if (anchored || !(at = dom_parent_elem(at)))
                return false;
        }
        if (!cc->left)
            return true;
        if (!(at = dom_parent_elem(y)))
            return false;
        c = cc->left;
        anchored = false;
    }
}

static bool sel_matches(const sel *s, const GumboNode *e)
{
    for (const complex *x = s->first; x; x = x->next)
        if (complex_matches(x, e))
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

static bool qs_level(qstate *q, size_t level)
{
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

static inline bool bit_get(const uint64_t *w, unsigned i) { return (w[i / 64] >> (i % 64)) & 1; }

/* Fills level L for node n from level L-1 (level 0 is all zero); true when
 * n matches the selector. */
static bool qs_visit(qstate *q, const sel *s, size_t level, const GumboNode *n)
{
    unsigned w = q->words;
    uint64_t *ps = q->bits + 2 * (level - 1) * w, *pa = ps + w;
    uint64_t *S = q->bits + 2 * level * w, *A = S + w;
    for (unsigned i = 0; i < w; i++) {
        A[i] = pa[i] | ps[i];
        S[i] = 0;
    }
    if (!dom_is_elem(n))
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
            if (!dom_is_elem(n) || !sel_matches(s, n))
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
