/* scan — see scan.h. What both drivers share, and the first of them.
 *
 * Order of work: the size cap, charset sniffing and decoding (html_prepare),
 * then a UTF-8 clean-up copy only when the text needs one (invalid
 * sequences, NUL, form feed), then one of two drivers calling the same
 * element callbacks (scan_start_el / scan_end_el / scan_add_text),
 * balanced: the lexer here (run_lexer), or libxml2's push parser
 * (scan_xml.c); each hands each HTML element to html_collect_element, and
 * html_collect_finish resolves the links as html_parse does. scan_st and the
 * callbacks are declared in scan_internal.h. The lexer reads named
 * character references from libxml2's HTML 4 table (htmlEntityLookup). */
#include "scan.h"
#include "scan_internal.h"

#include "tags.h"
#include "utf8.h"

#include <gumbo.h>
#include <libxml/HTMLparser.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* ---------------------------------------------------------------------------
 * UTF-8 clean-up */

static inline bool needs_fix(unsigned char c) { return c == 0 || c == '\f' || c >= 0x80; }

/* Points *in / *n at text libxml2 takes as it is: the input itself when it
 * already is, else a cleaned copy in the arena. false: out of memory. */
static bool clean_utf8(arena *a, const char **in, size_t *n)
{
    const unsigned char *s = (const unsigned char *)*in, *end = s + *n, *p = s;
    for (;;) {
        /* Eight bytes at a time while they are ASCII without NUL or form
         * feed: byte by byte this loop was a visible share of scan_lex's
         * time (docs/platform-notes.md). */
        for (uint64_t w; end - p >= 8; p += 8) {
            memcpy(&w, p, 8);
            const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
            uint64_t ff = w ^ (ones * '\f');
            if ((w | ((w - ones) & ~w) | ((ff - ones) & ~ff)) & highs)
                break;
        }
        while (p < end && !needs_fix(*p))
            p++;
        if (p == end)
            return true;
        size_t k = *p >= 0x80 ? utf8_seq_len(p, end) : 0;
        if (!k)
            break;
        p += k;
    }
    /* Worst case: every byte becomes U+FFFD (3 bytes). */
    if (*n > (SIZE_MAX - 1) / 3)
        return false;
    char *out = arena_alloc(a, *n * 3 + 1);
    if (!out)
        return false;
    size_t head = (size_t)(p - s);
    memcpy(out, s, head);
    char *o = out + head;
    while (p < end) {
        unsigned char c = *p;
        if (c < 0x80) {
            if (c == '\f')
                *o++ = ' ';
            else if (c)
                *o++ = (char)c;
            p++;
            continue;
        }
        size_t k = utf8_seq_len(p, end);
        if (k) {
            memcpy(o, p, k);
            o += k, p += k;
        } else {
            memcpy(o, UTF8_REPLACEMENT, 3);
            o += 3;
            p += utf8_bad_len(p, end);
        }
    }
    *o = '\0';
    *in = out;
    *n = (size_t)(o - out);
    return true;
}

/* ---------------------------------------------------------------------------
 * The element stack, both drivers' */

const char *scan_attr(const void *el, const char *name)
{
    const void *const *pair = el;
    const xmlChar *const *at = (const xmlChar *const *)pair[0];
    arena *a = (arena *)pair[1];
    for (size_t i = 0; at && at[i]; i += 2)
        if (!strcmp((const char *)at[i], name))
            return arena_strdup(a, at[i + 1] ? (const char *)at[i + 1] : "");
    return NULL;
}

/* The elements HTML5 reads as text (RCDATA / RAWTEXT / PLAINTEXT) that
 * libxml2 parses as markup; script and style it reads as text itself. */
static bool text_only(int tag)
{
    return (tags_flags(tag) & (TAGS_RCDATA | TAGS_RAW_TEXT)) && tag != GUMBO_TAG_SCRIPT &&
           tag != GUMBO_TAG_STYLE;
}

/* An element opens: tag is its GumboTag, attr / el read its attributes
 * (html_collect_element's). Both drivers (libxml2's SAX, the lexer) call
 * this and scan_end_el, balanced. */
void scan_start_el(scan_st *st, int tag, html_attr_fn attr, const void *el)
{
    if (st->oom)
        return;
    if (st->sp == st->cap) {
        size_t ncap = st->cap ? st->cap * 2 : 256;
        unsigned char *ns = arena_resize(st->a, st->stack, st->cap, ncap);
        if (!ns) {
            st->oom = true;
            return;
        }
        st->stack = ns;
        st->cap = ncap;
    }
    unsigned char f = 0;
    html_doc *d = st->d;
    /* Depth counts inert content too: gumbo builds <template> contents as
     * elements on its stack, and page.c reads max_depth as the bound on
     * gumbo's cost before a page's scripts run. */
    if (st->sp + 1 > d->max_depth)
        d->max_depth = st->sp + 1;
    if (st->inert) { /* template contents, or markup HTML5 reads as text */
        st->stack[st->sp++] = 0;
        return;
    }
    d->elements++;
    if (st->foreign || tag == GUMBO_TAG_SVG || tag == GUMBO_TAG_MATH) {
        if (!st->foreign)
            f |= SCAN_F_FOREIGN;
    } else {
        if (tag == GUMBO_TAG_TITLE && !st->have_title) {
            f |= SCAN_F_TITLE;
            st->title_at = st->sp + 1;
            st->title = (html_text){.a = st->a};
        } else {
            if (!html_collect_element(&st->c, tag, attr, el))
                st->oom = true;
        }
        unsigned fl = tags_flags(tag);
        if (fl & TAGS_BLOCK) {
            f |= SCAN_F_BLOCK;
            html_text_break(&st->text);
        }
        if (fl & TAGS_HIDES_TEXT)
            f |= SCAN_F_HIDE;
        if (tag == GUMBO_TAG_TEMPLATE || text_only(tag))
            f |= SCAN_F_INERT;
    }
    st->stack[st->sp++] = f;
    st->no_text += (f & SCAN_F_HIDE) != 0;
    st->foreign += (f & SCAN_F_FOREIGN) != 0;
    st->inert += (f & SCAN_F_INERT) != 0;
}

void scan_end_el(scan_st *st)
{
    if (st->oom || !st->sp)
        return;
    unsigned char f = st->stack[--st->sp];
    if (f & SCAN_F_TITLE) {
        st->d->title = html_text_finish(&st->title);
        st->have_title = true;
        st->title_at = 0;
        if (!st->d->title)
            st->oom = true;
    }
    if (f & SCAN_F_HIDE)
        st->no_text--;
    if (f & SCAN_F_BLOCK)
        html_text_break(&st->text);
    if (f & SCAN_F_FOREIGN)
        st->foreign--;
    if (f & SCAN_F_INERT)
        st->inert--;
}

static bool wants_title(const scan_st *st) { return st->title_at && st->title_at == st->sp; }

static bool wants_text(const scan_st *st)
{
    return !st->no_text && (!st->inert || (st->sp && (st->stack[st->sp - 1] & SCAN_F_INERT)));
}

void scan_add_text(scan_st *st, const char *ch, size_t len)
{
    if (st->oom || !len)
        return;
    if (wants_title(st))
        html_text_add(&st->title, ch, len);
    if (wants_text(st))
        html_text_add(&st->text, ch, len);
}

/* ---------------------------------------------------------------------------
 * The lexer (scan_lex): HTML5 tokenization, hand-written */

static inline bool lx_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static inline bool lx_alpha(unsigned char c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }

static inline bool lx_alnum(unsigned char c) { return lx_alpha(c) || (c >= '0' && c <= '9'); }

/* An end tag closes at most this many open elements down from the top (or
 * is ignored): bounds the cost of end tags that match nothing on pages
 * that never close their elements (HTML5's scope checks are as bounded in
 * practice: scope boundaries stop them). */
#define LEX_END_SEARCH 256

/* Windows-1252 for numeric references to 0x80..0x9F (HTML5). */
static const unsigned short W1252[32] = {
    0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};

/* The character reference at s ('&'), decoded into o: bytes read (0: not a
 * reference, the '&' stays), *olen bytes written. Numeric ones as HTML5
 * (';' optional, 0x80..0x9F through windows-1252, 0, surrogates and past
 * U+10FFFF as U+FFFD); named ones as libxml2's scan reads them (HTML 4
 * names, ';' required), so scan_lex and scan_sax agree. */
static size_t char_ref(const char *s, const char *end, char *o, size_t *olen)
{
    const char *p = s + 1;
    if (p < end && *p == '#') {
        p++;
        bool hex = p < end && (*p | 32) == 'x';
        if (hex)
            p++;
        unsigned long cp = 0;
        const char *d0 = p;
        for (; p < end; p++) {
            unsigned char c = (unsigned char)*p;
            unsigned v;
            if (c >= '0' && c <= '9')
                v = c - '0';
            else if (hex && (c | 32) >= 'a' && (c | 32) <= 'f')
                v = (c | 32) - 'a' + 10;
            else
                break;
            if (cp <= 0x10FFFF)
                cp = cp * (hex ? 16 : 10) + v;
        }
        if (p == d0)
            return 0;
        if (p < end && *p == ';')
            p++;
        if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            cp = 0xFFFD;
        else if (cp >= 0x80 && cp <= 0x9F)
            cp = W1252[cp - 0x80];
        *olen = utf8_put(o, (uint32_t)cp);
        return (size_t)(p - s);
    }
    char name[33];
    size_t k = 0;
    while (p + k < end && k < sizeof name - 1 && lx_alnum((unsigned char)p[k])) {
        name[k] = p[k];
        k++;
    }
    if (!k || p + k >= end || p[k] != ';')
        return 0;
    name[k] = '\0';
    const htmlEntityDesc *e = htmlEntityLookup((const xmlChar *)name);
    if (!e)
        return 0;
    *olen = utf8_put(o, e->value);
    return k + 2;
}

/* s[0..n) with its references decoded, in the arena (never longer than
 * the input), or s itself when it has none. NULL: out of memory. */
static const char *decode_refs(arena *a, const char *s, size_t n, size_t *out_len)
{
    const char *amp = memchr(s, '&', n);
    if (!amp) {
        *out_len = n;
        return s;
    }
    char *out = arena_alloc(a, n + 1), *o = out;
    if (!out)
        return NULL;
    const char *p = s, *end = s + n;
    while (amp) {
        memcpy(o, p, (size_t)(amp - p));
        o += amp - p;
        size_t w = 0, r = char_ref(amp, end, o, &w);
        if (r) {
            o += w;
            p = amp + r;
        } else {
            *o++ = '&';
            p = amp + 1;
        }
        amp = p < end ? memchr(p, '&', (size_t)(end - p)) : NULL;
    }
    memcpy(o, p, (size_t)(end - p));
    o += end - p;
    *o = '\0';
    *out_len = (size_t)(o - out);
    return out;
}

typedef struct lex_st {
    scan_st *st;
    int *tags; /* the tag of each open element, parallel to st->stack */
    size_t cap;
    size_t head_at; /* 1 + index of an open <head>, 0: none */
    /* The start tag being read: attribute name / value pairs, NULL-ended
     * (the libxml2 SAX layout, read by scan_attr). */
    const char **attrs;
    size_t nattr, attr_cap;
    bool too_many_attrs;
} lex_st;

static void lex_text(lex_st *lx, const char *s, size_t n, bool refs)
{
    scan_st *st = lx->st;
    if (!n || st->oom)
        return;
    if (lx->head_at && lx->head_at == st->sp) {
        /* Text that is not blank ends <head> (HTML5 "in head": anything else). */
        size_t i = 0;
        while (i < n && lx_ws((unsigned char)s[i]))
            i++;
        if (i < n) {
            while (st->sp >= lx->head_at && !st->oom)
                scan_end_el(st);
            lx->head_at = 0;
        }
    }
    if (!wants_title(st) && !wants_text(st))
        return;
    if (refs && !(s = decode_refs(st->a, s, n, &n))) {
        st->oom = true;
        return;
    }
    scan_add_text(st, s, n);
}

static void lex_push(lex_st *lx, int tag, const void *el)
{
    scan_st *st = lx->st;
    if (st->sp == lx->cap) {
        size_t ncap = lx->cap ? lx->cap * 2 : 256;
        int *nt = arena_resize(st->a, lx->tags, lx->cap * sizeof(int), ncap * sizeof(int));
        if (!nt) {
            st->oom = true;
            return;
        }
        lx->tags = nt;
        lx->cap = ncap;
    }
    size_t at = st->sp;
    scan_start_el(st, tag, scan_attr, el);
    if (st->sp == at + 1) {
        lx->tags[at] = tag;
        if (tag == GUMBO_TAG_HEAD && !lx->head_at && !st->foreign)
            lx->head_at = at + 1;
    }
}

static void lex_pop_to(lex_st *lx, size_t sp)
{
    scan_st *st = lx->st;
    while (st->sp > sp && !st->oom)
        scan_end_el(st);
    if (lx->head_at > st->sp)
        lx->head_at = 0;
}

/* Where the end tag "</name" (any case, then a blank, '/' or '>') starts
 * in [p, end), or NULL. */
static const char *find_end_tag(const char *p, const char *end, const char *name, size_t nlen)
{
    while (p < end && (p = memchr(p, '<', (size_t)(end - p)))) {
        if ((size_t)(end - p) >= nlen + 2 && p[1] == '/' && !strncasecmp(p + 2, name, nlen)) {
            const char *q = p + 2 + nlen;
            if (q == end || lx_ws((unsigned char)*q) || *q == '/' || *q == '>')
                return p;
        }
        p++;
    }
    return NULL;
}

static bool lex_add_attr(lex_st *lx, const char *name, size_t nlen, const char *val, size_t vlen)
{
    arena *a = lx->st->a;
    if (lx->nattr + 3 > lx->attr_cap) {
        size_t ncap = lx->attr_cap ? lx->attr_cap * 2 : 32;
        const char **na =
            arena_resize(a, lx->attrs, lx->attr_cap * sizeof(char *), ncap * sizeof(char *));
        if (!na)
            return false;
        lx->attrs = na;
        lx->attr_cap = ncap;
    }
    char *nm = arena_strndup(a, name, nlen);
    size_t dl;
    const char *dv = decode_refs(a, val, vlen, &dl);
    char *v = dv ? arena_strndup(a, dv, dl) : NULL;
    if (!nm || !v)
        return false;
    for (char *c = nm; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c + 32);
    lx->attrs[lx->nattr++] = nm;
    lx->attrs[lx->nattr++] = v;
    lx->attrs[lx->nattr] = NULL;
    return true;
}

/* Reads the attributes of the tag whose name ends at p, up to its '>'.
 * keep: store them in lx->attrs. Returns the byte after the tag, or NULL
 * when the input ends inside it (HTML5 drops such a tag). */
static const char *lex_attrs(lex_st *lx, const char *p, const char *end, bool keep,
                             bool *self_closing)
{
    size_t count = 0;
    lx->nattr = 0;
    *self_closing = false;
    for (;;) {
        while (p < end && (lx_ws((unsigned char)*p) || (*p == '/' && p + 1 < end && p[1] != '>')))
            p++;
        if (p >= end)
            return NULL;
        if (*p == '>')
            return p + 1;
        if (*p == '/') { /* "/>", or a '/' that is the input's last byte */
            if (p + 1 >= end)
                return NULL;
            *self_closing = true;
            return p + 2;
        }
        const char *name = p++; /* a leading '=' belongs to the name */
        while (p < end && !lx_ws((unsigned char)*p) && *p != '/' && *p != '>' && *p != '=')
            p++;
        size_t nlen = (size_t)(p - name);
        while (p < end && lx_ws((unsigned char)*p))
            p++;
        const char *val = "";
        size_t vlen = 0;
        if (p < end && *p == '=') {
            p++;
            while (p < end && lx_ws((unsigned char)*p))
                p++;
            if (p < end && (*p == '"' || *p == '\'')) {
                const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
                if (!q)
                    return NULL;
                val = p + 1;
                vlen = (size_t)(q - val);
                p = q + 1;
            } else {
                val = p;
                while (p < end && !lx_ws((unsigned char)*p) && *p != '>')
                    p++;
                vlen = (size_t)(p - val);
            }
        }
        if (++count > SCAN_MAX_ATTRS) {
            lx->too_many_attrs = true;
            return NULL;
        }
        if (keep && !lex_add_attr(lx, name, nlen, val, vlen)) {
            lx->st->oom = true;
            return NULL;
        }
    }
}

/* The tag name at p: its GumboTag (GUMBO_TAG_UNKNOWN when too long to be
 * one); *after is where the name ends. */
static int lex_tag_name(const char *p, const char *end, const char **after)
{
    const char *q = p;
    while (q < end && !lx_ws((unsigned char)*q) && *q != '/' && *q != '>')
        q++;
    *after = q;
    size_t n = (size_t)(q - p);
    return n < 16 ? (int)gumbo_tagn_enum(p, (unsigned)n) : GUMBO_TAG_UNKNOWN;
}

/* The raw text of an element HTML5 reads as text, from p to its end tag
 * (or the end of the input): given to the text sinks (refs: RCDATA), then
 * the element closed. Returns where its end tag starts, or end. */
static const char *lex_raw_text(lex_st *lx, int tag, size_t sp, const char *p, const char *end,
                                bool refs)
{
    const char *name = gumbo_normalized_tagname((GumboTag)tag);
    const char *stop = tag == GUMBO_TAG_PLAINTEXT ? NULL : find_end_tag(p, end, name, strlen(name));
    if (!stop)
        stop = end;
    if (tag != GUMBO_TAG_SCRIPT && tag != GUMBO_TAG_STYLE) /* hidden anyway */
        lex_text(lx, p, (size_t)(stop - p), refs);
    lex_pop_to(lx, sp);
    if (stop < end) { /* skip the end tag itself */
        bool sc;
        const char *after;
        lex_tag_name(stop + 2, end, &after);
        const char *q = lex_attrs(lx, after, end, false, &sc);
        return q ? q : end;
    }
    return end;
}

static const char *lex_start_tag(lex_st *lx, const char *p, const char *end)
{
    scan_st *st = lx->st;
    const char *q;
    int tag = lex_tag_name(p + 1, end, &q);
    bool foreign = st->foreign || tag == GUMBO_TAG_SVG || tag == GUMBO_TAG_MATH;
    bool sc;
    q = lex_attrs(lx, q, end, !foreign && html_collect_attrs(tag), &sc);
    if (!q)
        return end;
    unsigned fl = tags_flags(tag);
    if (!foreign && lx->head_at && !(fl & TAGS_HEAD_CONTENT))
        lex_pop_to(lx, lx->head_at - 1); /* anything else ends <head> */
    const void *el[2] = {lx->attrs, st->a};
    if (!lx->nattr)
        el[0] = NULL;
    size_t sp = st->sp;
    lex_push(lx, tag, el);
    if (st->oom)
        return end;
    if (foreign) {
        if (sc)
            lex_pop_to(lx, sp);
        return q;
    }
    if (fl & TAGS_VOID) {
        lex_pop_to(lx, sp);
        return q;
    }
    if (fl & (TAGS_RCDATA | TAGS_RAW_TEXT))
        return lex_raw_text(lx, tag, sp, q, end, (fl & TAGS_RCDATA) != 0);
    return q;
}

static const char *lex_end_tag(lex_st *lx, const char *p, const char *end)
{
    scan_st *st = lx->st;
    const char *q;
    int tag = lex_tag_name(p + 2, end, &q);
    bool sc;
    q = lex_attrs(lx, q, end, false, &sc);
    if (!q)
        return end;
    /* </html> and </body> close nothing (content after them still counts). */
    if (tag == GUMBO_TAG_HTML || tag == GUMBO_TAG_BODY)
        return q;
    size_t lim = st->sp > LEX_END_SEARCH ? st->sp - LEX_END_SEARCH : 0;
    for (size_t i = st->sp; i > lim; i--)
        if (lx->tags[i - 1] == tag) {
            lex_pop_to(lx, i - 1);
            break;
        }
    return q;
}

/* "<!…": a comment ("<!--" to "-->", "--!>", or HTML5's abrupt "<!-->"),
 * CDATA inside SVG / MathML (text), else a bogus comment to the next '>'
 * (DOCTYPE too). */
static const char *lex_markup_decl(lex_st *lx, const char *p, const char *end)
{
    size_t left = (size_t)(end - p);
    if (left >= 4 && !memcmp(p, "<!--", 4)) {
        const char *q = p + 4;
        if (q < end && *q == '>')
            return q + 1;
        if (end - q >= 2 && q[0] == '-' && q[1] == '>')
            return q + 2;
        for (; q < end && (q = memchr(q, '-', (size_t)(end - q))); q++) {
            if (end - q >= 3 && q[1] == '-' && q[2] == '>')
                return q + 3;
            if (end - q >= 4 && q[1] == '-' && q[2] == '!' && q[3] == '>')
                return q + 4;
        }
        return end;
    }
    if (lx->st->foreign && left >= 9 && !memcmp(p, "<![CDATA[", 9)) {
        const char *q = p + 9, *stop = q;
        while ((stop = memchr(stop, ']', (size_t)(end - stop))) && end - stop >= 3 &&
               !(stop[1] == ']' && stop[2] == '>'))
            stop++;
        if (!stop || end - stop < 3)
            stop = end;
        lex_text(lx, q, (size_t)(stop - q), false);
        return stop < end ? stop + 3 : end;
    }
    const char *gt = memchr(p, '>', left);
    return gt ? gt + 1 : end;
}

static html_err run_lexer(scan_st *st, const char *in, size_t n)
{
    lex_st lx = {.st = st};
    const char *p = in, *end = in + n;
    while (p < end && !st->oom && !lx.too_many_attrs) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        const char *stop = lt ? lt : end;
        lex_text(&lx, p, (size_t)(stop - p), true);
        if (!lt)
            break;
        unsigned char c = lt + 1 < end ? (unsigned char)lt[1] : 0;
        if (lx_alpha(c))
            p = lex_start_tag(&lx, lt, end);
        else if (c == '/' && lt + 2 < end && lx_alpha((unsigned char)lt[2]))
            p = lex_end_tag(&lx, lt, end);
        else if (c == '/' && lt + 2 < end && lt[2] == '>')
            p = lt + 3; /* "</>": nothing */
        else if (c == '!')
            p = lex_markup_decl(&lx, lt, end);
        else if (c == '?' || c == '/') { /* bogus comment to the next '>' */
            const char *gt = memchr(lt, '>', (size_t)(end - lt));
            p = gt ? gt + 1 : end;
        } else {
            lex_text(&lx, "<", 1, false);
            p = lt + 1;
        }
    }
    if (lx.too_many_attrs)
        return HTML_PARSE;
    lex_pop_to(&lx, 0);
    return st->oom ? HTML_NOMEM : HTML_OK;
}

/* ---------------------------------------------------------------------------
 * The entry points */

html_err scan_run(arena *a, const char *url, const char *body, size_t len, const html_options *opt,
                  html_doc *out, html_err (*run)(scan_st *, const char *, size_t))
{
    const char *in;
    size_t n;
    html_err err = html_prepare(a, body, len, opt, &in, &n, out);
    if (err)
        return err;
    if (!clean_utf8(a, &in, &n))
        return HTML_NOMEM;

    scan_st st = {.a = a,
                  .d = out,
                  .c = {.a = a, .d = out},
                  .text = {.a = a, .count_only = !(opt && opt->want_text)}};
    if ((err = run(&st, in, n))) {
        if (err == HTML_PARSE) /* the only HTML_PARSE of both drivers: the attribute guard */
            out->parse_error = "an element with more than 1024 attributes";
        return err;
    }
    out->text = html_text_finish(&st.text);
    out->text_len = st.text.len;
    if (st.text.oom || (!out->text && !st.text.count_only))
        return HTML_NOMEM;
    return html_collect_finish(&st.c, url);
}

html_err scan_lex(arena *a, const char *url, const char *body, size_t len, const html_options *opt,
                  html_doc *out)
{
    return scan_run(a, url, body, len, opt, out, run_lexer);
}
