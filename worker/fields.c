/* fields — see fields.h. */
#include "fields.h"
#include "fieldspec.h"
#include "utf8.h"

#include <stdio.h>
#include <string.h>

/* A growable JSON text in the arena. */
typedef struct jbuf {
    arena *a;
    char *p;
    size_t len, cap;
    int oom;
} jbuf;

static void put(jbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = arena_resize(b->a, b->p, b->cap, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

#define PUT_LIT(b, s) put((b), (s), sizeof(s) - 1)

/* s[0..n) as a JSON string (utf8.h's escaping, as the record's). */
static void put_str(jbuf *b, const char *s, size_t n)
{
    PUT_LIT(b, "\"");
    const char *end = s + n;
    while (s < end) {
        size_t k = utf8_json_plain(s, (size_t)(end - s));
        put(b, s, k);
        s += k;
        if (s == end)
            break;
        char esc[UTF8_JSON_ESC_MAX];
        put(b, esc, utf8_json_escape(esc, (unsigned char)*s++));
    }
    PUT_LIT(b, "\"");
}

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Runs of ASCII whitespace become one space, none at either end; in place. */
static size_t collapse(char *s, size_t n)
{
    size_t o = 0;
    int space = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_ws((unsigned char)s[i])) {
            space = o > 0;
            continue;
        }
        if (space)
            s[o++] = ' ';
        space = 0;
        s[o++] = s[i];
    }
    return o;
}

/* At most max bytes of s[0..n), not ending inside a UTF-8 sequence. */
static size_t cut_utf8(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

/* One node's value: its collapsed text, or attr's value; NULL: the node
 * has no such attribute. *oom on a full arena. */
static const char *node_value(dom *d, GumboNode *n, const char *attr, size_t *len, int *oom)
{
    if (attr) {
        const char *v = dom_get_attr(n, attr);
        *len = v ? strlen(v) : 0;
        return v;
    }
    size_t tl = 0;
    char *t = dom_text_content(d, n, &tl);
    if (!t) {
        *oom = 1;
        return NULL;
    }
    *len = collapse(t, tl);
    return t;
}

int fields_extract(arena *a, dom *d, const char *specs, const char **fields, const char **cut)
{
    jbuf out = {.a = a}, cuts = {.a = a};
    size_t budget = FIELDSPEC_MAX_PAGE;
    char why[320];
    PUT_LIT(&out, "{");
    int nf = 0;
    for (const char *l = specs; l && *l;) {
        size_t ln = strcspn(l, "\n");
        char *line = arena_strndup(a, l, ln);
        l += ln + (l[ln] == '\n');
        fieldspec fs;
        if (!line)
            return -1;
        if (fieldspec_parse(a, line, &fs, why, sizeof(why)) < 0)
            continue; /* checked at submit: only a task written by hand */
        if (nf++)
            PUT_LIT(&out, ",");
        put_str(&out, fs.name, strlen(fs.name));
        PUT_LIT(&out, ":");
        dom_list m = {NULL, 0};
        dom_err de = d ? dom_query(d, dom_document(d), fs.selector, false, &m) : DOM_OK;
        if (de == DOM_NOMEM)
            return -1;
        if (!d || de != DOM_OK || m.n == 0) {
            PUT_LIT(&out, "null");
            continue;
        }
        size_t kept = 0, values_cut = 0;
        if (m.n > 1)
            PUT_LIT(&out, "[");
        for (size_t i = 0; i < m.n && i < FIELDSPEC_MAX_VALUES; i++) {
            if (m.n > 1 && budget == 0)
                break; /* the page's budget is spent: the list ends here */
            int oom = 0;
            size_t vn = 0;
            const char *v = node_value(d, m.items[i], fs.attr, &vn, &oom);
            if (oom)
                return -1;
            if (i)
                PUT_LIT(&out, ",");
            kept++;
            if (!v) {
                PUT_LIT(&out, "null");
                continue;
            }
            size_t max = budget < FIELDSPEC_MAX_VALUE ? budget : FIELDSPEC_MAX_VALUE;
            size_t k = cut_utf8(v, vn, max);
            values_cut += k < vn;
            budget -= k;
            put_str(&out, v, k);
        }
        if (m.n > 1)
            PUT_LIT(&out, "]");
        if (kept < m.n || values_cut) {
            char num[96];
            put(&cuts, cuts.len ? "," : "{", 1);
            put_str(&cuts, fs.name, strlen(fs.name));
            put(&cuts, num,
                (size_t)snprintf(num, sizeof(num),
                                 ":{\"matched\":%zu,\"kept\":%zu,\"values_cut\":%zu}", m.n, kept,
                                 values_cut));
        }
    }
    PUT_LIT(&out, "}");
    if (cuts.len)
        PUT_LIT(&cuts, "}");
    if (out.oom || cuts.oom)
        return -1;
    *fields = out.p;
    *cut = cuts.len ? cuts.p : NULL;
    return 0;
}
