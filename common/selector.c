/* selector — see selector.h. */
#include "selector.h"
#include "ascii.h"
#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct sparser {
    arena *a;
    const char *s;
    size_t i;
    bool nomem;
    bool siblings;       /* a top-level + or ~ seen */
    unsigned nest;       /* depth of :not/:is/:where lists around p->i */
    sel_compound **tail; /* where the next top-level compound joins the all list */
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

static sel_simple *sp_new_simple(sparser *p, sel_kind k)
{
    sel_simple *s = arena_alloc_zeroed(p->a, sizeof *s);
    if (!s)
        p->nomem = true;
    else
        s->kind = k;
    return s;
}

/* [name], [name op value], [name op value i|s]; p->i is past the '['. */
static sel_simple *sp_attr(sparser *p)
{
    sp_ws(p);
    sel_simple *s = sp_new_simple(p, SEL_ATTR);
    if (!s || !(s->name = sp_ident(p, &s->nlen, true)))
        return NULL;
    sp_ws(p);
    unsigned char c = sp_peek(p, 0);
    if (c == ']') {
        p->i++;
        s->op = SEL_A_EXISTS;
        return s;
    }
    if (c == '=') {
        s->op = SEL_A_EQ;
        p->i++;
    } else {
        if (sp_peek(p, 1) != '=')
            return NULL;
        switch (c) {
        case '~':
            s->op = SEL_A_WORD;
            break;
        case '^':
            s->op = SEL_A_PREFIX;
            break;
        case '$':
            s->op = SEL_A_SUFFIX;
            break;
        case '*':
            s->op = SEL_A_SUBSTR;
            break;
        case '|':
            s->op = SEL_A_DASH;
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

static sel_complex *sp_list(sparser *p, bool nested);

static inline bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* Does c end a number token? Not when it would go on as a dimension
 * ("3px", "2n+1e2"), a decimal ("1.5") or a percentage. */
static inline bool number_ends(unsigned char c)
{
    return !name_char(c) && c != '.' && c != '%' && c != '\\';
}

/* Decimal digits at p->i, saturating at SEL_NTH_MAX; false when none. */
static bool sp_digits(sparser *p, long long *v)
{
    long long x = 0;
    size_t n = 0;
    unsigned char c;
    while (is_digit(c = sp_peek(p, 0))) {
        if (x < SEL_NTH_MAX)
            x = x * 10 + (c - '0');
        p->i++, n++;
    }
    *v = x < SEL_NTH_MAX ? x : SEL_NTH_MAX;
    return n > 0;
}

/* The An+B of :nth-*(...), p->i past the '(', through the ')'. The grammar
 * is CSS Syntax's over tokens, here over characters: a sign binds to what
 * follows it without whitespace ("+n", "-2n", "+5"), the n and a following
 * "-digits" are one token ("2n-1", "-n-3"), and whitespace may stand
 * around a binary + or - ("2n + 1", "2n- 1", "2n +1"; not "+ 2n", "- n",
 * "2n + -1"). */
static bool sp_nth(sparser *p, sel_simple *s)
{
    sp_ws(p);
    const char *t = p->s + p->i;
    /* ascii_eq_n stops at the first difference, so never reads past a NUL */
    size_t word = ascii_eq_n(t, 3, "odd", 3) ? 3 : ascii_eq_n(t, 4, "even", 4) ? 4 : 0;
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
static sel_simple *sp_pseudo(sparser *p)
{
    size_t len;
    const char *name = sp_ident(p, &len, true);
    if (!name)
        return NULL;
    static const struct {
        const char *name;
        sel_kind kind;
        long long a, b;
    } plain[] = {{"first-child", SEL_NTH_CHILD, 0, 1},
                 {"last-child", SEL_NTH_LAST_CHILD, 0, 1},
                 {"only-child", SEL_ONLY_CHILD, 0, 0},
                 {"first-of-type", SEL_NTH_OF_TYPE, 0, 1},
                 {"last-of-type", SEL_NTH_LAST_OF_TYPE, 0, 1},
                 {"only-of-type", SEL_ONLY_OF_TYPE, 0, 0},
                 {"root", SEL_ROOT, 0, 0},
                 {"empty", SEL_EMPTY, 0, 0},
                 {"checked", SEL_CHECKED, 0, 0},
                 {"disabled", SEL_DISABLED, 0, 0},
                 {"enabled", SEL_ENABLED, 0, 0}},
      func[] = {{"nth-child", SEL_NTH_CHILD, 0, 0},
                {"nth-last-child", SEL_NTH_LAST_CHILD, 0, 0},
                {"nth-of-type", SEL_NTH_OF_TYPE, 0, 0},
                {"nth-last-of-type", SEL_NTH_LAST_OF_TYPE, 0, 0},
                {"not", SEL_NOT, 0, 0},
                {"is", SEL_IS, 0, 0},
                {"where", SEL_IS, 0, 0}};
    sel_simple *s = NULL;
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
    if (s->kind != SEL_NOT && s->kind != SEL_IS)
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

static sel_compound *sp_compound(sparser *p)
{
    sel_compound *c = arena_alloc_zeroed(p->a, sizeof *c);
    if (!c) {
        p->nomem = true;
        return NULL;
    }
    sel_simple **tail = &c->first;
    bool any = false;
    unsigned char ch = sp_peek(p, 0);
    if (ch == '*') {
        p->i++;
        any = true;
    } else {
        size_t len;
        const char *name = sp_ident(p, &len, true);
        if (name) {
            sel_simple *s = sp_new_simple(p, SEL_TYPE);
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
        sel_simple *s = NULL;
        ch = sp_peek(p, 0);
        if (ch == '#' || ch == '.') {
            p->i++;
            if (!(s = sp_new_simple(p, ch == '#' ? SEL_ID : SEL_CLASS)) ||
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
static sel_complex *sp_complex(sparser *p)
{
    sel_compound *c = sp_compound(p);
    if (!c)
        return NULL;
    for (unsigned n = 1;; n++) {
        bool ws = sp_ws(p);
        unsigned char ch = sp_peek(p, 0);
        if (ch == '\0' || ch == ',' || ch == ')')
            break;
        sel_comb how;
        if (ch == '>' || ch == '+' || ch == '~') {
            p->i++;
            sp_ws(p);
            how = ch == '>' ? SEL_C_CHILD : ch == '+' ? SEL_C_ADJACENT : SEL_C_SIBLING;
            if (how != SEL_C_CHILD && !p->nest)
                p->siblings = true;
        } else if (ws) {
            how = SEL_C_DESCENDANT;
        } else {
            return NULL;
        }
        if (n == SEL_MAX_CHAIN)
            return NULL;
        sel_compound *next = sp_compound(p);
        if (!next)
            return NULL;
        next->left = c;
        next->comb = how;
        c = next;
    }
    c->last = true;
    sel_complex *x = arena_alloc_zeroed(p->a, sizeof *x);
    if (!x) {
        p->nomem = true;
        return NULL;
    }
    x->right = c;
    return x;
}

/* A selector list: to the end of the text, or (nested) to the ')' that
 * closes the pseudo-class, left unread. */
static sel_complex *sp_list(sparser *p, bool nested)
{
    sel_complex *first = NULL, **tail = &first;
    sp_ws(p);
    for (;;) {
        sel_complex *x = sp_complex(p);
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

sel_err sel_parse(arena *a, const char *text, sel *out, size_t *stop)
{
    memset(out, 0, sizeof *out);
    if (stop)
        *stop = 0;
    if (!text)
        return SEL_ERR_SYNTAX;
    sparser p = {.a = a, .s = text, .tail = &out->all};
    out->first = sp_list(&p, false);
    if (!out->first) {
        if (stop)
            *stop = p.i;
        return p.nomem ? SEL_ERR_NOMEM : SEL_ERR_SYNTAX;
    }
    out->ncomp = p.ncomp;
    out->siblings = p.siblings;
    return SEL_OK;
}

int sel_check(const char *text, char *err, size_t errlen)
{
    arena a;
    arena_init(&a, 0);
    sel s;
    size_t at = 0;
    sel_err e = sel_parse(&a, text, &s, &at);
    arena_release(&a);
    if (e == SEL_ERR_NOMEM)
        snprintf(err, errlen, "out of memory");
    else if (e)
        snprintf(err, errlen, "does not parse at byte %zu: \"%.200s\"", at, text);
    return e ? -1 : 0;
}
