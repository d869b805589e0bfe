/* dom_select — finding elements: getElementById, getElementsByTagName and
 * ...ByClassName, and the selector engine behind matches, querySelector and
 * querySelectorAll (the Selectors Level 4 subset docs/worker.md lists).
 *
 * Selectors are compiled into the page arena; the last SEL_CACHE texts are
 * remembered in struct dom, so a script's loop does not grow the arena.
 * Matching allocates nothing but dom_query's bit sets (also in the arena).
 * Nothing here edits the tree. */
#include "dom.h"
#include "dom_internal.h"

#include "utf8.h"

#include <stdint.h>
#include <string.h>

/* Above this many 64-bit words of compound bits per depth, dom_query
 * matches right to left instead (the bit sets cost depth x words x 32 B). */
#define QUERY_MAX_WORDS 16

/* The matcher recurses once per compound and once per nested list
 * (:not, :is, :where): these bound its stack. Longer is DOM_SYNTAX. */
#define SEL_MAX_CHAIN 128
#define SEL_MAX_NEST 8

/* An+B coefficients saturate here (no page has a billion siblings). */
#define NTH_MAX 1000000000LL

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
    S_NTH_CHILD,        /* a, b; :first-child is 0n+1 */
    S_NTH_LAST_CHILD,   /* :last-child is 0n+1 */
    S_NTH_OF_TYPE,      /* :first-of-type is 0n+1 */
    S_NTH_LAST_OF_TYPE, /* :last-of-type is 0n+1 */
    S_ONLY_CHILD,
    S_ONLY_OF_TYPE,
    S_ROOT,
    S_EMPTY,
    S_CHECKED,
    S_DISABLED,
    S_ENABLED,
    S_NOT, /* list: matches none of it */
    S_IS   /* list: :is and :where, matches one of it */
} skind;

typedef enum aop { A_EXISTS, A_EQ, A_WORD, A_PREFIX, A_SUFFIX, A_SUBSTR, A_DASH } aop;

/* How a compound joins the one to its left: " ", ">", "+", "~". */
typedef enum comb { C_NONE, C_DESCENDANT, C_CHILD, C_ADJACENT, C_SIBLING } comb;

struct complex;

typedef struct simple {
    skind kind;
    aop op;
    bool ci;          /* [attr=v i] */
    const char *name; /* type and attribute names lowercase; id and class as written */
    size_t nlen;
    const char *val;
    size_t vlen;
    long long a, b;       /* An+B */
    struct complex *list; /* S_NOT, S_IS */
    struct simple *next;
} simple;

typedef struct compound {
    simple *first; /* all must match; none: matches every element */
    comb comb;     /* how it joins the compound to its left */
    struct compound *left;
    struct compound *next_all; /* every top-level compound, left to right */
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
    bool siblings; /* a top-level + or ~ (dom_query then needs the siblings' state) */
} sel;

typedef struct sparser {
    arena *a;
    const char *s;
    size_t i;
    bool nomem;
    bool siblings;   /* a top-level + or ~ seen */
    unsigned nest;   /* depth of :not/:is/:where lists around p->i */
    compound **tail; /* where the next top-level compound joins the all list */
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
    size_t outn = i, n; /* the leading "-" is copied too */
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

static complex *sp_list(sparser *p, bool nested);

static inline bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* Does c end a number token? Not when it would go on as a dimension
 * ("3px", "2n+1e2"), a decimal ("1.5") or a percentage. */
static inline bool number_ends(unsigned char c)
{
    return !name_char(c) && c != '.' && c != '%' && c != '\\';
}

/* Decimal digits at p->i, saturating at NTH_MAX; false when none. */
static bool sp_digits(sparser *p, long long *v)
{
    long long x = 0;
    size_t n = 0;
    unsigned char c;
    while (is_digit(c = sp_peek(p, 0))) {
        if (x < NTH_MAX)
            x = x * 10 + (c - '0');
        p->i++, n++;
    }
    *v = x < NTH_MAX ? x : NTH_MAX;
    return n > 0;
}

/* The An+B of :nth-*(...), p->i past the '(', through the ')'. The grammar
 * is CSS Syntax's over tokens, here over characters: a sign binds to what
 * follows it without whitespace ("+n", "-2n", "+5"), the n and a following
 * "-digits" are one token ("2n-1", "-n-3"), and whitespace may stand
 * around a binary + or - ("2n + 1", "2n- 1", "2n +1"; not "+ 2n", "- n",
 * "2n + -1"). */
static bool sp_nth(sparser *p, simple *s)
{
    sp_ws(p);
    const char *t = p->s + p->i;
    /* dom_eq_ci stops at the first difference, so never reads past a NUL */
    size_t word = dom_eq_ci(t, 3, "odd", 3) ? 3 : dom_eq_ci(t, 4, "even", 4) ? 4 : 0;
    if (word && !name_char((unsigned char)t[word]) && t[word] != '\\') {
        s->a = 2, s->b = word == 3;
        p->i += word;
    } else {
        long long sign = 1, v = 0;
        unsigned char c = sp_peek(p, 0);
        if (c == '+' || c == '-') {
            sign = c == '-' ? -1 : 1;
            p->i++;
        }
        bool digits = sp_digits(p, &v);
        c = sp_peek(p, 0);
        if (c == 'n' || c == 'N') {
            s->a = sign * (digits ? v : 1);
            p->i++;
            c = sp_peek(p, 0);
            if (c == '-' && is_digit(sp_peek(p, 1))) { /* "n-3" is one token */
                p->i++;
                sp_digits(p, &v);
                s->b = -v;
                if (!number_ends(sp_peek(p, 0)))
                    return false;
            } else if (c == '-' && !name_char(sp_peek(p, 1)) && sp_peek(p, 1) != '\\') {
                p->i++; /* "n-" then a number without a sign */
                sp_ws(p);
                if (!sp_digits(p, &v) || !number_ends(sp_peek(p, 0)))
                    return false;
                s->b = -v;
            } else if (name_char(c) || c == '\\') {
                return false; /* "nth", "n-a", "n--" */
            } else {
                sp_ws(p);
                c = sp_peek(p, 0);
                if (c == '+' || c == '-') {
                    p->i++;
                    if (!is_digit(sp_peek(p, 0)))
                        sp_ws(p); /* "+ 1": then no second sign */
                    if (!sp_digits(p, &v) || !number_ends(sp_peek(p, 0)))
                        return false;
                    s->b = c == '-' ? -v : v;
                }
            }
        } else {
            if (!digits || !number_ends(c))
                return false;
            s->a = 0, s->b = sign * v;
        }
    }
    sp_ws(p);
    if (sp_peek(p, 0) != ')')
        return false;
    p->i++;
    return true;
}

/* :name or :name(...); p->i is past the ':'. */
static simple *sp_pseudo(sparser *p)
{
    size_t len;
    const char *name = sp_ident(p, &len, true);
    if (!name)
        return NULL;
    static const struct {
        const char *name;
        skind kind;
        long long a, b;
    } plain[] = {{"first-child", S_NTH_CHILD, 0, 1},
                 {"last-child", S_NTH_LAST_CHILD, 0, 1},
                 {"only-child", S_ONLY_CHILD, 0, 0},
                 {"first-of-type", S_NTH_OF_TYPE, 0, 1},
                 {"last-of-type", S_NTH_LAST_OF_TYPE, 0, 1},
                 {"only-of-type", S_ONLY_OF_TYPE, 0, 0},
                 {"root", S_ROOT, 0, 0},
                 {"empty", S_EMPTY, 0, 0},
                 {"checked", S_CHECKED, 0, 0},
                 {"disabled", S_DISABLED, 0, 0},
                 {"enabled", S_ENABLED, 0, 0}},
      func[] = {{"nth-child", S_NTH_CHILD, 0, 0},
                {"nth-last-child", S_NTH_LAST_CHILD, 0, 0},
                {"nth-of-type", S_NTH_OF_TYPE, 0, 0},
                {"nth-last-of-type", S_NTH_LAST_OF_TYPE, 0, 0},
                {"not", S_NOT, 0, 0},
                {"is", S_IS, 0, 0},
                {"where", S_IS, 0, 0}};
    simple *s = NULL;
    if (sp_peek(p, 0) != '(') {
        for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
            if (!strcmp(name, plain[i].name) && (s = sp_new_simple(p, plain[i].kind))) {
                s->a = plain[i].a, s->b = plain[i].b;
                break;
            }
        return s; /* NULL: a pseudo-class we do not know (:hover), or no memory */
    }
    p->i++;
    for (size_t i = 0; i < sizeof func / sizeof func[0] && !s; i++)
        if (!strcmp(name, func[i].name) && !(s = sp_new_simple(p, func[i].kind)))
            return NULL;
    if (!s)
        return NULL;
    if (s->kind != S_NOT && s->kind != S_IS)
        return sp_nth(p, s) ? s : NULL;
    if (p->nest >= SEL_MAX_NEST)
        return NULL;
    p->nest++;
    s->list = sp_list(p, true);
    p->nest--;
    if (!s->list)
        return NULL;
    p->i++; /* sp_list stopped at the ')' */
    return s;
}

static compound *sp_compound(sparser *p)
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
            if (!(s = sp_pseudo(p)))
                return NULL;
        } else {
            break;
        }
        *tail = s, tail = &s->next;
        any = true;
    }
    if (!any)
        return NULL;
    if (!p->nest) {
        c->bit = p->ncomp++;
        *p->tail = c;
        p->tail = &c->next_all;
    }
    return c;
}

/* Compounds and combinators up to a ',', a ')' or the end (the caller
 * decides which of those may end it). */
static complex *sp_complex(sparser *p)
{
    compound *c = sp_compound(p);
    if (!c)
        return NULL;
    for (unsigned n = 1;; n++) {
        bool ws = sp_ws(p);
        unsigned char ch = sp_peek(p, 0);
        if (ch == '\0' || ch == ',' || ch == ')')
            break;
        comb how;
        if (ch == '>' || ch == '+' || ch == '~') {
            p->i++;
            sp_ws(p);
            how = ch == '>' ? C_CHILD : ch == '+' ? C_ADJACENT : C_SIBLING;
            if (how != C_CHILD && !p->nest)
                p->siblings = true;
        } else if (ws) {
            how = C_DESCENDANT;
        } else {
            return NULL;
        }
        if (n == SEL_MAX_CHAIN)
            return NULL;
        compound *next = sp_compound(p);
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

/* A selector list: to the end of the text, or (nested) to the ')' that
 * closes the pseudo-class, left unread. */
static complex *sp_list(sparser *p, bool nested)
{
    complex *first = NULL, **tail = &first;
    sp_ws(p);
    for (;;) {
        complex *x = sp_complex(p);
        if (!x)
            return NULL;
        *tail = x, tail = &x->next;
        unsigned char ch = sp_peek(p, 0);
        if (ch == (nested ? ')' : '\0'))
            return first;
        if (ch != ',')
            return NULL;
        p->i++; /* the ',' */
        sp_ws(p);
    }
}

static dom_err sel_parse(dom *d, const char *text, sel *out)
{
    memset(out, 0, sizeof *out);
    if (!text)
        return DOM_SYNTAX;
    sparser p = {.a = d->a, .s = text, .tail = &out->all};
    out->first = sp_list(&p, false);
    if (!out->first)
        return p.nomem ? DOM_NOMEM : DOM_SYNTAX;
    out->ncomp = p.ncomp;
    out->siblings = p.siblings;
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
    return dom_eq_ci(p, pn, q, qn);
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
static bool nth_matches(const simple *s, const GumboNode *e, const pos_hint *h)
{
    bool from_end = s->kind == S_NTH_LAST_CHILD || s->kind == S_NTH_LAST_OF_TYPE;
    bool of_type = s->kind == S_NTH_OF_TYPE || s->kind == S_NTH_LAST_OF_TYPE;
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
    return type && (dom_eq_ci(type, strlen(type), "checkbox", 8) ||
                    dom_eq_ci(type, strlen(type), "radio", 5));
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

static bool list_matches(const complex *x, const GumboNode *e, const pos_hint *h);

static bool compound_matches(const compound *c, const GumboNode *e, const pos_hint *h)
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
        case S_NTH_CHILD:
        case S_NTH_LAST_CHILD:
        case S_NTH_OF_TYPE:
        case S_NTH_LAST_OF_TYPE:
            ok = nth_matches(s, e, h);
            break;
        case S_ONLY_CHILD:
        case S_ONLY_OF_TYPE: {
            bool of_type = s->kind == S_ONLY_OF_TYPE;
            ok = sibling_pos(e, false, of_type, 1) == 1 && sibling_pos(e, true, of_type, 1) == 1;
            break;
        }
        case S_ROOT:
            ok = e->parent && e->parent->type == GUMBO_NODE_DOCUMENT;
            break;
        case S_EMPTY:
            ok = is_empty(e);
            break;
        case S_CHECKED:
            ok = is_checked(e);
            break;
        case S_DISABLED:
            ok = control_state(e) == 2;
            break;
        case S_ENABLED:
            ok = control_state(e) == 1;
            break;
        case S_NOT:
            ok = !list_matches(s->list, e, h);
            break;
        case S_IS:
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
static mres match_from(const compound *c, const GumboNode *e, const pos_hint *h)
{
    if (!compound_matches(c, e, h))
        return M_FAIL_HERE;
    if (!c->left)
        return M_MATCH;
    const GumboNode *m;
    mres r;
    switch (c->comb) {
    case C_CHILD:
        if (!(m = dom_parent_elem(e)))
            return M_FAIL_ALL;
        return match_from(c->left, m, h);
    case C_DESCENDANT:
        for (m = dom_parent_elem(e); m; m = dom_parent_elem(m))
            if ((r = match_from(c->left, m, h)) == M_MATCH || r == M_FAIL_ALL)
                return r;
        return M_FAIL_ALL;
    case C_ADJACENT:
        if (!(m = prev_element(e)))
            return M_FAIL_SIBLINGS;
        return match_from(c->left, m, h);
    case C_SIBLING:
        for (m = prev_element(e); m; m = prev_element(m))
            if ((r = match_from(c->left, m, h)) != M_FAIL_HERE)
                return r;
        return M_FAIL_SIBLINGS;
    case C_NONE:
        break;
    }
    return M_FAIL_ALL; /* a left compound always has a combinator */
}

static bool list_matches(const complex *x, const GumboNode *e, const pos_hint *h)
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
    for (const compound *c = s->all; c; c = c->next_all) {
        if (c->left) {
            const uint64_t *need = c->comb == C_CHILD        ? ps
                                   : c->comb == C_DESCENDANT ? A
                                   : c->comb == C_ADJACENT   ? P
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
