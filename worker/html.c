/* html — see html.h.
 *
 * Order of work: sniff the charset, decode to UTF-8 when needed (windows-1252
 * by table, anything else with iconv), parse with gumbo into the arena, walk
 * the tree once without recursion collecting raw hrefs, title, text and
 * robots hints, then resolve the hrefs against the final base (the first
 * <base href> applies to links before it too) and drop duplicates with two
 * hash sets: one on the raw href (a repeated href is resolved only once) and
 * one on the resolved URL. The link rule, the text sink and the resolution
 * are html_extract.c's, shared with the scan drivers (scan.h).
 *
 * gumbo facts this file depends on (0.10.1, Debian build with asserts on):
 * - It never checks the allocator's result: ours leaves the parse on OOM.
 * - With the default max_errors (-1) every parse error copies the whole stack
 *   of open elements into the error list: n nested unclosed elements cost
 *   O(n^2) memory (100,000 nested <div>s exhaust the machine). max_errors = 0
 *   records nothing; we never read the errors.
 * - Its parser is iterative (no recursion on depth), but some steps scan the
 *   whole stack of open elements for every tag or character (a <div> looks
 *   for an open <p> in button scope; text under unclosed formatting elements
 *   rebuilds them), so deeply nested pages parse in O(depth^2) time. Some of
 *   those scans allocate nothing (text under open formatting elements: every
 *   character looks for the newest one in the open stack, from the bottom),
 *   so the time budget cannot rest on the allocator alone: see parse_budget.
 * - It asserts that one parse handles fewer than 10^9 tokens: input is capped
 *   at HTML_MAX_PARSE_BYTES. Other assertions fire on some input: see
 *   __assert_fail below.
 * - The tree points into the parsed buffer (original_text fields): when no
 *   decoding is needed that buffer is the caller's body, which must outlive
 *   gumbo_output. Strings in html_doc never point into the body. */
#include "html.h"

#include "alloc.h"
#include "tags.h"

#include <dlfcn.h>
#include <errno.h>
#include <gumbo.h>
#include <iconv.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The charset prescan window (WHATWG: 1024 bytes). */
#define SNIFF_WINDOW 1024
#define LABEL_MAX 64

/* ---------------------------------------------------------------------------
 * Small helpers */

static inline bool is_ws(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static inline unsigned char lower(unsigned char c) {
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* ASCII case-insensitive compare of s[0..n) with the lowercase literal lit. */
static bool eq_lit_n(const char *s, size_t n, const char *lit) {
    size_t i = 0;
    for (; i < n && lit[i]; i++)
        if (lower((unsigned char)s[i]) != (unsigned char)lit[i])
            return false;
    return i == n && lit[i] == '\0';
}

static const char *attr(const GumboElement *el, const char *name) {
    const GumboAttribute *at = gumbo_get_attribute(&el->attributes, name);
    return at ? at->value : NULL;
}

static void sink_text(html_text *t, const char *s) {
    html_text_add(t, s, strlen(s));
}

/* ---------------------------------------------------------------------------
 * Charsets */

typedef enum cs_kind {
    CS_UTF8,     /* parse as it is */
    CS_1252,     /* our own table decoder (WHATWG windows-1252) */
    CS_ASCII_OK, /* iconv; bytes < 0x80 are ASCII, so pure ASCII input needs nothing */
    CS_ICONV,    /* iconv always (UTF-16, ISO-2022-JP) */
} cs_kind;

typedef struct cs_entry {
    const char *name;  /* WHATWG name, lowercase */
    const char *iconv; /* glibc iconv name */
    cs_kind kind;
    const char *labels; /* NUL-separated, ends with an empty label */
} cs_entry;

/* WHATWG Encoding Standard labels (the ones a crawl meets; iconv is asked
 * directly for any other label). "gbk" decodes as gb18030, "shift_jis" as
 * CP932, "euc-kr" as CP949 and "big5" as Big5-HKSCS, as browsers do. */
static const cs_entry CHARSETS[] = {
    {"utf-8", NULL, CS_UTF8,
     "utf-8\0utf8\0unicode-1-1-utf-8\0unicode11utf8\0unicode20utf8\0x-unicode20utf8\0"},
    {"windows-1252", NULL, CS_1252,
     "windows-1252\0iso-8859-1\0latin1\0us-ascii\0ascii\0ansi_x3.4-1968\0cp1252\0cp819\0"
     "csisolatin1\0ibm819\0iso-ir-100\0iso8859-1\0iso88591\0iso_8859-1\0iso_8859-1:1987\0l1\0"
     "x-cp1252\0x-user-defined\0"},
    {"ibm866", "IBM866", CS_ASCII_OK, "ibm866\0866\0cp866\0csibm866\0"},
    {"iso-8859-2", "ISO-8859-2", CS_ASCII_OK,
     "iso-8859-2\0csisolatin2\0iso-ir-101\0iso8859-2\0iso88592\0iso_8859-2\0iso_8859-2:1987\0l2\0"
     "latin2\0"},
    {"iso-8859-3", "ISO-8859-3", CS_ASCII_OK,
     "iso-8859-3\0csisolatin3\0iso-ir-109\0iso8859-3\0iso88593\0iso_8859-3\0iso_8859-3:1988\0l3\0"
     "latin3\0"},
    {"iso-8859-4", "ISO-8859-4", CS_ASCII_OK,
     "iso-8859-4\0csisolatin4\0iso-ir-110\0iso8859-4\0iso88594\0iso_8859-4\0iso_8859-4:1988\0l4\0"
     "latin4\0"},
    {"iso-8859-5", "ISO-8859-5", CS_ASCII_OK,
     "iso-8859-5\0csisolatincyrillic\0cyrillic\0iso-ir-144\0iso8859-5\0iso88595\0iso_8859-5\0"
     "iso_8859-5:1988\0"},
    {"iso-8859-6", "ISO-8859-6", CS_ASCII_OK,
     "iso-8859-6\0arabic\0asmo-708\0csiso88596e\0csiso88596i\0csisolatinarabic\0ecma-114\0"
     "iso-8859-6-e\0iso-8859-6-i\0iso-ir-127\0iso8859-6\0iso88596\0iso_8859-6\0iso_8859-6:1987\0"},
    {"iso-8859-7", "ISO-8859-7", CS_ASCII_OK,
     "iso-8859-7\0csisolatingreek\0ecma-118\0elot_928\0greek\0greek8\0iso-ir-126\0iso8859-7\0"
     "iso88597\0iso_8859-7\0iso_8859-7:1987\0sun_eu_greek\0"},
    {"iso-8859-8", "ISO-8859-8", CS_ASCII_OK,
     "iso-8859-8\0csiso88598e\0csisolatinhebrew\0hebrew\0iso-8859-8-e\0iso-ir-138\0iso8859-8\0"
     "iso88598\0iso_8859-8\0iso_8859-8:1988\0visual\0"},
    {"iso-8859-8-i", "ISO-8859-8", CS_ASCII_OK, "iso-8859-8-i\0csiso88598i\0logical\0"},
    {"iso-8859-10", "ISO-8859-10", CS_ASCII_OK,
     "iso-8859-10\0csisolatin6\0iso-ir-157\0iso8859-10\0iso885910\0l6\0latin6\0"},
    {"iso-8859-13", "ISO-8859-13", CS_ASCII_OK, "iso-8859-13\0iso8859-13\0iso885913\0"},
    {"iso-8859-14", "ISO-8859-14", CS_ASCII_OK, "iso-8859-14\0iso8859-14\0iso885914\0"},
    {"iso-8859-15", "ISO-8859-15", CS_ASCII_OK,
     "iso-8859-15\0csisolatin9\0iso8859-15\0iso885915\0iso_8859-15\0l9\0"},
    {"iso-8859-16", "ISO-8859-16", CS_ASCII_OK, "iso-8859-16\0"},
    {"koi8-r", "KOI8-R", CS_ASCII_OK, "koi8-r\0cskoi8r\0koi\0koi8\0koi8_r\0"},
    {"koi8-u", "KOI8-U", CS_ASCII_OK, "koi8-u\0koi8-ru\0"},
    {"macintosh", "MACINTOSH", CS_ASCII_OK, "macintosh\0csmacintosh\0mac\0x-mac-roman\0"},
    {"windows-874", "CP874", CS_ASCII_OK,
     "windows-874\0dos-874\0iso-8859-11\0iso8859-11\0iso885911\0tis-620\0"},
    {"windows-1250", "WINDOWS-1250", CS_ASCII_OK, "windows-1250\0cp1250\0x-cp1250\0"},
    {"windows-1251", "WINDOWS-1251", CS_ASCII_OK, "windows-1251\0cp1251\0x-cp1251\0"},
    {"windows-1253", "WINDOWS-1253", CS_ASCII_OK, "windows-1253\0cp1253\0x-cp1253\0"},
    {"windows-1254", "WINDOWS-1254", CS_ASCII_OK,
     "windows-1254\0cp1254\0csisolatin5\0iso-8859-9\0iso-ir-148\0iso8859-9\0iso88599\0"
     "iso_8859-9\0iso_8859-9:1989\0l5\0latin5\0x-cp1254\0"},
    {"windows-1255", "WINDOWS-1255", CS_ASCII_OK, "windows-1255\0cp1255\0x-cp1255\0"},
    {"windows-1256", "WINDOWS-1256", CS_ASCII_OK, "windows-1256\0cp1256\0x-cp1256\0"},
    {"windows-1257", "WINDOWS-1257", CS_ASCII_OK, "windows-1257\0cp1257\0x-cp1257\0"},
    {"windows-1258", "WINDOWS-1258", CS_ASCII_OK, "windows-1258\0cp1258\0x-cp1258\0"},
    {"x-mac-cyrillic", "MAC-CYRILLIC", CS_ASCII_OK, "x-mac-cyrillic\0x-mac-ukrainian\0"},
    {"gbk", "GB18030", CS_ASCII_OK,
     "gbk\0chinese\0csgb2312\0csiso58gb231280\0gb2312\0gb_2312\0gb_2312-80\0iso-ir-58\0x-gbk\0"},
    {"gb18030", "GB18030", CS_ASCII_OK, "gb18030\0"},
    {"big5", "BIG5-HKSCS", CS_ASCII_OK, "big5\0big5-hkscs\0cn-big5\0csbig5\0x-x-big5\0"},
    {"euc-jp", "EUC-JP", CS_ASCII_OK, "euc-jp\0cseucpkdfmtjapanese\0x-euc-jp\0"},
    {"iso-2022-jp", "ISO-2022-JP", CS_ICONV, "iso-2022-jp\0csiso2022jp\0"},
    {"shift_jis", "CP932", CS_ASCII_OK,
     "shift_jis\0csshiftjis\0ms932\0ms_kanji\0shift-jis\0sjis\0windows-31j\0x-sjis\0"},
    {"euc-kr", "CP949", CS_ASCII_OK,
     "euc-kr\0cseuckr\0csksc56011987\0iso-ir-149\0korean\0ks_c_5601-1987\0ks_c_5601-1989\0"
     "ksc5601\0ksc_5601\0windows-949\0"},
    {"utf-16be", "UTF-16BE", CS_ICONV, "utf-16be\0unicodefffe\0"},
    {"utf-16le", "UTF-16LE", CS_ICONV,
     "utf-16le\0utf-16\0csunicode\0iso-10646-ucs-2\0ucs-2\0unicode\0unicodefeff\0"},
};

static const cs_entry *cs_lookup(const char *label) {
    for (size_t i = 0; i < sizeof CHARSETS / sizeof CHARSETS[0]; i++)
        for (const char *l = CHARSETS[i].labels; *l; l += strlen(l) + 1)
            if (!strcmp(l, label))
                return &CHARSETS[i];
    return NULL;
}

/* Lowercases s[0..n) without surrounding whitespace and quotes into out
 * (LABEL_MAX bytes); "" when nothing is left or it is too long. */
static void label_clean(const char *s, size_t n, char *out) {
    while (n && (is_ws((unsigned char)*s) || *s == '"' || *s == '\''))
        s++, n--;
    while (n && (is_ws((unsigned char)s[n - 1]) || s[n - 1] == '"' || s[n - 1] == '\''))
        n--;
    if (n >= LABEL_MAX)
        n = 0;
    /* The label may end up in a note, a log line and JSON: printable ASCII. */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = lower((unsigned char)s[i]);
        out[i] = (char)((c > 0x20 && c < 0x7F && c != '"' && c != '\\') ? c : '?');
    }
    out[n] = '\0';
}

/* A label's name to report: the WHATWG name when known, else the label. */
static const char *label_name(arena *a, const char *label) {
    const cs_entry *e = cs_lookup(label);
    return e ? e->name : arena_strdup(a, label);
}

/* The WHATWG "prescan a byte stream to determine its encoding", on at most
 * SNIFF_WINDOW bytes. Writes the charset label found (cleaned) into out. */
typedef struct scan {
    const unsigned char *p, *end;
} scan;

/* Reads one attribute; false at '>' or the end of the window. */
static bool scan_attr(scan *s, const unsigned char **name, size_t *nlen, const unsigned char **val,
                      size_t *vlen) {
    while (s->p < s->end && (is_ws(*s->p) || *s->p == '/'))
        s->p++;
    if (s->p >= s->end || *s->p == '>')
        return false;
    *name = s->p;
    do
        s->p++;
    while (s->p < s->end && *s->p != '=' && !is_ws(*s->p) && *s->p != '/' && *s->p != '>');
    *nlen = (size_t)(s->p - *name);
    *val = s->p;
    *vlen = 0;
    while (s->p < s->end && is_ws(*s->p))
        s->p++;
    if (s->p >= s->end || *s->p != '=')
        return s->p < s->end;
    s->p++;
    while (s->p < s->end && is_ws(*s->p))
        s->p++;
    if (s->p >= s->end)
        return false;
    if (*s->p == '"' || *s->p == '\'') {
        unsigned char q = *s->p++;
        *val = s->p;
        while (s->p < s->end && *s->p != q)
            s->p++;
        if (s->p >= s->end)
            return false;
        *vlen = (size_t)(s->p - *val);
        s->p++;
        return true;
    }
    *val = s->p;
    while (s->p < s->end && !is_ws(*s->p) && *s->p != '>')
        s->p++;
    *vlen = (size_t)(s->p - *val);
    return true;
}

/* "charset=" in a content attribute (WHATWG "extracting a character encoding
 * from a meta element"). */
static bool content_charset(const unsigned char *c, size_t n, char *out) {
    size_t i = 0;
    while (i + 7 <= n) {
        if (!eq_lit_n((const char *)c + i, 7, "charset")) {
            i++;
            continue;
        }
        i += 7;
        while (i < n && is_ws(c[i]))
            i++;
        if (i >= n || c[i] != '=')
            continue;
        i++;
        while (i < n && is_ws(c[i]))
            i++;
        if (i >= n)
            return false;
        size_t start, stop;
        if (c[i] == '"' || c[i] == '\'') {
            unsigned char q = c[i++];
            start = i;
            while (i < n && c[i] != q)
                i++;
            if (i >= n)
                return false;
            stop = i;
        } else {
            start = i;
            while (i < n && !is_ws(c[i]) && c[i] != ';')
                i++;
            stop = i;
        }
        label_clean((const char *)c + start, stop - start, out);
        return out[0] != '\0';
    }
    return false;
}

static bool prescan(const char *body, size_t len, char *out) {
    scan s = {(const unsigned char *)body,
              (const unsigned char *)body + (len < SNIFF_WINDOW ? len : SNIFF_WINDOW)};
    const unsigned char *name, *val;
    size_t nlen, vlen;
    while (s.p < s.end) {
        size_t left = (size_t)(s.end - s.p);
        if (*s.p != '<') {
            const unsigned char *lt = memchr(s.p, '<', left);
            if (!lt)
                break;
            s.p = lt;
            continue;
        }
        if (left >= 4 && !memcmp(s.p, "<!--", 4)) {
            const unsigned char *q = s.p + 2; /* "<!-->" closes itself */
            while (q + 3 <= s.end && memcmp(q, "-->", 3))
                q++;
            if (q + 3 > s.end)
                break;
            s.p = q + 3;
        } else if (left >= 6 && eq_lit_n((const char *)s.p + 1, 4, "meta") &&
                   (is_ws(s.p[5]) || s.p[5] == '/')) {
            s.p += 5;
            bool pragma = false, got_pragma = false;
            char charset[LABEL_MAX] = "", from_content[LABEL_MAX] = "";
            while (scan_attr(&s, &name, &nlen, &val, &vlen)) {
                if (eq_lit_n((const char *)name, nlen, "http-equiv")) {
                    if (eq_lit_n((const char *)val, vlen, "content-type"))
                        pragma = true;
                } else if (eq_lit_n((const char *)name, nlen, "content") && !got_pragma) {
                    got_pragma = content_charset(val, vlen, from_content);
                } else if (eq_lit_n((const char *)name, nlen, "charset") && !charset[0]) {
                    label_clean((const char *)val, vlen, charset);
                }
            }
            if (charset[0]) {
                strcpy(out, charset);
                return true;
            }
            if (pragma && got_pragma) {
                strcpy(out, from_content);
                return true;
            }
        } else if (left >= 2 &&
                   (((s.p[1] | 32) >= 'a' && (s.p[1] | 32) <= 'z') ||
                    (left >= 3 && s.p[1] == '/' && (s.p[2] | 32) >= 'a' && (s.p[2] | 32) <= 'z'))) {
            /* Any other tag: skip its name and attributes, so an attribute
             * value holding "<meta" is not taken for a tag. */
            while (s.p < s.end && !is_ws(*s.p) && *s.p != '>')
                s.p++;
            while (scan_attr(&s, &name, &nlen, &val, &vlen)) {
            }
            if (s.p < s.end)
                s.p++;
        } else if (left >= 2 && (s.p[1] == '!' || s.p[1] == '/' || s.p[1] == '?')) {
            const unsigned char *gt = memchr(s.p, '>', left);
            if (!gt)
                break;
            s.p = gt + 1;
        } else {
            s.p++;
        }
    }
    return false;
}

const char *html_sniff_charset(arena *a, const char *header_charset, const char *body, size_t len) {
    char label[LABEL_MAX];
    if (!body)
        len = 0;
    if (header_charset) {
        label_clean(header_charset, strlen(header_charset), label);
        if (label[0])
            return label_name(a, label);
    }
    const unsigned char *u = (const unsigned char *)body;
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        return "utf-8";
    if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF)
        return "utf-16be";
    if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE)
        return "utf-16le";
    if (prescan(body, len, label)) {
        const char *name = label_name(a, label);
        /* A document whose <meta> could be read as ASCII is not UTF-16. */
        if (name && !strncmp(name, "utf-16", 6))
            return "utf-8";
        return name;
    }
    return "utf-8";
}

/* ---------------------------------------------------------------------------
 * Decoding to UTF-8 */

static bool all_ascii(const char *s, size_t n) {
    size_t i = 0;
    uint64_t acc = 0;
    for (; i + 32 <= n; i += 32) {
        uint64_t w[4];
        memcpy(w, s + i, 32);
        acc |= w[0] | w[1] | w[2] | w[3];
        if (acc & 0x8080808080808080ULL)
            return false;
    }
    for (; i < n; i++)
        if ((unsigned char)s[i] & 0x80)
            return false;
    return true;
}

/* windows-1252 0x80..0x9F (WHATWG index; the five holes map to C1 controls). */
static const uint16_t CP1252_HIGH[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static char *decode_1252(arena *a, const char *in, size_t n, size_t *out_len) {
    const unsigned char *u = (const unsigned char *)in;
    size_t extra = 0;
    for (size_t i = 0; i < n; i++)
        if (u[i] >= 0x80)
            extra += (u[i] < 0xA0 && CP1252_HIGH[u[i] - 0x80] >= 0x800) ? 2 : 1;
    char *out = arena_alloc(a, n + extra + 1);
    if (!out)
        return NULL;
    char *o = out;
    for (size_t i = 0; i < n; i++) {
        unsigned c = u[i];
        if (c < 0x80) {
            *o++ = (char)c;
            continue;
        }
        if (c < 0xA0)
            c = CP1252_HIGH[c - 0x80];
        if (c < 0x800) {
            *o++ = (char)(0xC0 | (c >> 6));
            *o++ = (char)(0x80 | (c & 0x3F));
        } else {
            *o++ = (char)(0xE0 | (c >> 12));
            *o++ = (char)(0x80 | ((c >> 6) & 0x3F));
            *o++ = (char)(0x80 | (c & 0x3F));
        }
    }
    *out_len = (size_t)(o - out);
    return out;
}

typedef enum dec_result { DEC_OK, DEC_NOMEM, DEC_FAILED } dec_result;

/* iconv into a growing arena buffer. Invalid or truncated sequences become
 * U+FFFD (one per bad byte), as browsers decode; *bad counts them. */
static dec_result decode_iconv(arena *a, iconv_t cd, const char *in, size_t n, char **out,
                               size_t *out_len, size_t *bad, size_t *fail_at) {
    size_t cap = n + n / 2 + 64, used = 0;
    char *o = arena_alloc(a, cap);
    if (!o)
        return DEC_NOMEM;
    char *ip = (char *)in;
    size_t ileft = n;
    bool flushing = false;
    for (;;) {
        char *op = o + used;
        size_t oleft = cap - used - 1; /* room for a NUL */
        size_t r =
            flushing ? iconv(cd, NULL, NULL, &op, &oleft) : iconv(cd, &ip, &ileft, &op, &oleft);
        used = (size_t)(op - o);
        if (r != (size_t)-1) {
            if (flushing)
                break;
            flushing = true;
            continue;
        }
        int err = errno;
        if (err == E2BIG || cap - used - 1 < 3) {
            char *no = arena_resize(a, o, cap, cap * 2);
            if (!no)
                return DEC_NOMEM;
            o = no;
            cap *= 2;
            continue;
        }
        if (err == EILSEQ || err == EINVAL) {
            memcpy(o + used, "\xEF\xBF\xBD", 3);
            used += 3;
            (*bad)++;
            if (err == EINVAL) { /* truncated at the end */
                ileft = 0;
                flushing = true;
            } else {
                ip++;
                ileft--;
            }
            continue;
        }
        *fail_at = n - ileft;
        return DEC_FAILED;
    }
    o[used] = '\0';
    *out = o;
    *out_len = used;
    return DEC_OK;
}

/* Sets *in / *n to the UTF-8 text to parse and d->charset / charset_note. */
static html_err html_decode(arena *a, const char *cs, const char **in, size_t *n, html_doc *d) {
    const unsigned char *u = (const unsigned char *)*in;
    const cs_entry *e = cs_lookup(cs);
    const char *iconv_name;
    char upper[LABEL_MAX];

    d->charset = "utf-8";
    if (e && e->kind == CS_UTF8) {
        if (*n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
            *in += 3, *n -= 3;
        return HTML_OK;
    }
    if (e && e->kind == CS_ICONV && !strncmp(e->name, "utf-16", 6) && *n >= 2) {
        /* A BOM tells the byte order, whichever UTF-16 the label said. */
        if (u[0] == 0xFE && u[1] == 0xFF)
            e = cs_lookup("utf-16be"), *in += 2, *n -= 2;
        else if (u[0] == 0xFF && u[1] == 0xFE)
            e = cs_lookup("utf-16le"), *in += 2, *n -= 2;
    }
    if (e && (e->kind == CS_1252 || e->kind == CS_ASCII_OK) && all_ascii(*in, *n)) {
        d->charset = e->name; /* same bytes either way */
        return HTML_OK;
    }
    if (e && e->kind == CS_1252) {
        size_t olen;
        char *o = decode_1252(a, *in, *n, &olen);
        if (!o)
            return HTML_NOMEM;
        d->charset = e->name;
        *in = o, *n = olen;
        return HTML_OK;
    }

    if (e) {
        iconv_name = e->iconv;
    } else {
        /* Not a WHATWG label: let iconv try it, if it looks like a name. */
        size_t i = 0;
        for (; cs[i] && i < sizeof upper - 1; i++) {
            unsigned char c = (unsigned char)cs[i];
            bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                      c == '.' || c == ':';
            if (!ok)
                break;
            upper[i] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
        }
        upper[i] = '\0';
        iconv_name = cs[i] ? NULL : upper;
    }
    iconv_t cd = iconv_name ? iconv_open("UTF-8", iconv_name) : (iconv_t)-1;
    if (cd == (iconv_t)-1) {
        d->charset_note = arena_sprintf(a, "unknown charset: %s", cs);
        return d->charset_note ? HTML_OK : HTML_NOMEM;
    }
    char *o = NULL;
    size_t olen = 0, bad = 0, fail_at = 0;
    dec_result r = decode_iconv(a, cd, *in, *n, &o, &olen, &bad, &fail_at);
    iconv_close(cd);
    if (r == DEC_NOMEM)
        return HTML_NOMEM;
    if (r == DEC_FAILED) {
        d->charset_note =
            arena_sprintf(a, "decoding %s failed at byte %zu; parsed as utf-8", cs, fail_at);
        return d->charset_note ? HTML_OK : HTML_NOMEM;
    }
    d->charset = e ? e->name : cs;
    if (bad) {
        d->charset_note = arena_sprintf(a, "%zu invalid %s sequences replaced", bad, d->charset);
        if (!d->charset_note)
            return HTML_NOMEM;
    }
    *in = o, *n = olen;
    return HTML_OK;
}

/* ---------------------------------------------------------------------------
 * The walk */

typedef struct frame {
    const GumboVector *kids;
    unsigned idx;
    bool no_text; /* this element hides its text (script, head, …) */
    bool block;   /* leaving it separates words */
} frame;

typedef struct walk {
    arena *a;
    html_doc *d;
    frame *stack;
    size_t sp, cap;
    html_collect c; /* links, base, canonical, robots */
    bool have_title;
    size_t no_text; /* open elements hiding text */
    html_text text;
} walk;

static bool push(walk *w, const GumboVector *kids, bool no_text, bool block) {
    if (w->sp == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 256;
        frame *ns = arena_resize(w->a, w->stack, w->cap * sizeof *ns, ncap * sizeof *ns);
        if (!ns)
            return false;
        w->stack = ns;
        w->cap = ncap;
    }
    w->stack[w->sp++] = (frame){kids, 0, no_text, block};
    if (no_text)
        w->no_text++;
    return true;
}

static bool take_title(walk *w, const GumboElement *el) {
    html_text t = {.a = w->a};
    for (unsigned i = 0; i < el->children.length; i++) {
        const GumboNode *k = el->children.data[i];
        if (k->type == GUMBO_NODE_TEXT || k->type == GUMBO_NODE_WHITESPACE)
            sink_text(&t, k->v.text.text);
    }
    w->d->title = html_text_finish(&t);
    w->have_title = true;
    return w->d->title != NULL;
}

static const char *gumbo_attr(const void *el, const char *name) {
    return attr(el, name);
}

static bool visit_html(walk *w, const GumboElement *el) {
    if (el->tag == GUMBO_TAG_TITLE)
        return w->have_title || take_title(w, el);
    return html_collect_element(&w->c, (int)el->tag, gumbo_attr, el);
}

static html_err walk_tree(walk *w, const GumboNode *doc) {
    if (!push(w, &doc->v.document.children, false, false))
        return HTML_NOMEM;
    while (w->sp) {
        frame *f = &w->stack[w->sp - 1];
        if (f->idx >= f->kids->length) {
            if (f->no_text)
                w->no_text--;
            if (f->block)
                html_text_break(&w->text);
            w->sp--;
            continue;
        }
        const GumboNode *n = f->kids->data[f->idx++];
        switch (n->type) {
        case GUMBO_NODE_TEXT:
        case GUMBO_NODE_CDATA:
        case GUMBO_NODE_WHITESPACE:
            if (!w->no_text)
                sink_text(&w->text, n->v.text.text);
            break;
        case GUMBO_NODE_ELEMENT: {
            const GumboElement *el = &n->v.element;
            bool html = el->tag_namespace == GUMBO_NAMESPACE_HTML;
            w->d->elements++;
            if (w->sp > w->d->max_depth) /* the document frame is below */
                w->d->max_depth = w->sp;
            if (html && !visit_html(w, el))
                return HTML_NOMEM;
            unsigned fl = html ? tag_flags((int)el->tag) : 0;
            bool block = (fl & TAG_BLOCK) != 0;
            if (block)
                html_text_break(&w->text);
            if (el->children.length) {
                if (!push(w, &el->children, (fl & TAG_HIDES_TEXT) != 0, block))
                    return HTML_NOMEM;
            }
            break;
        }
        case GUMBO_NODE_TEMPLATE:
            /* Template contents are inert: no links, no text. */
            w->d->elements++;
            if (w->sp > w->d->max_depth)
                w->d->max_depth = w->sp;
            break;
        default: /* comments, the document */
            break;
        }
    }
    return w->text.oom ? HTML_NOMEM : HTML_OK;
}

/* ---------------------------------------------------------------------------
 * gumbo's allocator
 *
 * gumbo makes millions of small allocations (a 10 MB page: 6.1 million, half
 * of them 8 bytes or less) and needs no more than pointer alignment. Handing
 * each to arena_alloc would round it to ARENA_ALIGN (16): bumping 8-aligned
 * through blocks taken from the arena makes the tree ~17% smaller (229 -> 189
 * MB on that page) and allocation cheaper. A free of the latest allocation
 * (gumbo's temporary buffers often are) gives its bytes back. */

#define GUMBO_BLOCK (32 * 1024)
#define GUMBO_BIG (4 * 1024) /* larger requests go to the arena directly */

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

typedef struct gumbo_heap {
    arena *a;
    char *cur, *end; /* free part of the current block */
    char *last;      /* latest allocation, while it can be taken back */
} gumbo_heap;

/* The way out of a parse, while gumbo runs on this thread (see below). */
static _Thread_local sigjmp_buf *volatile parse_escape;

enum { ESCAPE_ASSERT = 1, ESCAPE_NOMEM = 2, ESCAPE_TIME = 3 };

/* The time budget's state for the parse on this thread (see parse_budget).
 * in_alloc: gumbo_alloc is changing the arena, which must not be left half
 * done; late: the budget ran out meanwhile, gumbo_alloc leaves on its way
 * out. clock_deadline_ns: the allocator's own check, used only when no timer
 * could be set (0: none). */
static _Thread_local volatile sig_atomic_t parse_in_alloc, parse_late;
static _Thread_local int64_t parse_clock_deadline_ns;
static _Thread_local unsigned parse_allocs;

static int64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *gumbo_alloc_in(gumbo_heap *h, size_t size) {
    size_t n = (size + 7) & ~(size_t)7;
    if (n == 0)
        n = 8;
    if (n > (size_t)(h->end - h->cur)) {
        char *p = arena_alloc(h->a, n > GUMBO_BIG ? size : GUMBO_BLOCK);
        if (!p)
            return NULL;
        if (n > GUMBO_BIG)
            return p;
        if (h->end > h->cur)
            POISON(h->cur, (size_t)(h->end - h->cur));
        h->cur = p;
        h->end = p + GUMBO_BLOCK;
        POISON(h->cur, GUMBO_BLOCK);
    }
    char *p = h->cur;
    h->cur += n;
    h->last = p;
    UNPOISON(p, size ? size : 1);
    return p;
}

static void *gumbo_alloc(void *userdata, size_t size) {
    parse_in_alloc = 1;
    void *p = gumbo_alloc_in(userdata, size);
    parse_in_alloc = 0;
    if (!p) /* gumbo never checks for NULL: leave the parse instead */
        siglongjmp(*parse_escape, ESCAPE_NOMEM);
    if (parse_late)
        siglongjmp(*parse_escape, ESCAPE_TIME);
    /* gumbo allocates 5-8 times per tag: a clock read every 256 is free. */
    if (parse_clock_deadline_ns && ++parse_allocs % 256 == 0 && mono_ns() > parse_clock_deadline_ns)
        siglongjmp(*parse_escape, ESCAPE_TIME);
    return p;
}

static void gumbo_free(void *userdata, void *p) {
    gumbo_heap *h = userdata;
    parse_in_alloc = 1;
    if (p && p == h->last) {
        POISON(h->last, (size_t)(h->cur - h->last));
        h->cur = h->last;
    }
    h->last = NULL; /* everything else goes with the arena */
    parse_in_alloc = 0;
    if (parse_late)
        siglongjmp(*parse_escape, ESCAPE_TIME);
}

/* Debian builds gumbo with its assertions on, and some of them fire on
 * input: "<table><tr><svg><title><![CDATA[x]]>t" fails one in handle_in_table
 * (found by fuzzing; the only assertion seen in 60,000 random tag soups).
 * Everything gumbo holds is in the arena and it keeps no global state, so
 * leaving gumbo there with siglongjmp costs the page its tree, not the
 * worker its life.
 *
 * Only gumbo's own assertions are left that way, never an abort: a SIGABRT
 * handler cannot tell who raised the signal, and most aborts must not be
 * jumped out of. The debug allocator aborts with its mutex held, and glibc's
 * heap checks (malloc_printerr) abort inside malloc or free with an arena
 * lock held, even the malloc that glibc's own __assert_fail makes to format
 * its message: a jump from there leaves the lock taken and the next
 * allocation hangs. So this file defines __assert_fail, which the dynamic
 * linker binds gumbo's assertions to (the executable comes first in symbol
 * lookup), and it leaves the parse before anything is allocated or locked,
 * when all of these hold:
 *   - parse_escape: a guarded parse runs on this thread;
 *   - parse_in_gumbo and not parse_in_alloc: gumbo's code is on top of the
 *     stack, not our allocator hooks it calls (an assertion there is ours,
 *     with the arena half changed);
 *   - the caller's code is libgumbo's (dladdr), not a signal handler's or
 *     anybody else's that happened to run on this thread meanwhile.
 * Any other assertion goes to glibc's __assert_fail as before (message,
 * abort); any abort ends the process as it always did. After an escape the
 * process counts it (html_gumbo_assertions) and the worker retires once the
 * page is answered (serve.c). */
static _Thread_local volatile sig_atomic_t parse_in_gumbo;
static _Thread_local const char *parse_assert_file;
static _Thread_local unsigned parse_assert_line;
static _Atomic unsigned long gumbo_assertions;

unsigned long html_gumbo_assertions(void) {
    return atomic_load(&gumbo_assertions);
}

/* Whether code at pc is in the object that holds gumbo's parser. */
static bool in_libgumbo(const void *pc) {
    Dl_info at, gumbo;
    void *entry = (void *)gumbo_parse_with_options;
    return dladdr(pc, &at) && dladdr(entry, &gumbo) && at.dli_fbase == gumbo.dli_fbase;
}

typedef void (*assert_fail_fn)(const char *, const char *, unsigned int, const char *);

_Noreturn void __assert_fail(const char *assertion, const char *file, unsigned int line,
                             const char *function) {
    sigjmp_buf *j = parse_escape;
    if (j && parse_in_gumbo && !parse_in_alloc && in_libgumbo(__builtin_return_address(0))) {
        parse_escape = NULL;
        parse_assert_file = file; /* gumbo's static text: it outlives the parse */
        parse_assert_line = line;
        atomic_fetch_add(&gumbo_assertions, 1);
        siglongjmp(*j, ESCAPE_ASSERT);
    }
    assert_fail_fn next = (assert_fail_fn)dlsym(RTLD_NEXT, "__assert_fail");
    if (next)
        next(assertion, file, line, function);
    fprintf(stderr, "%s:%u: %s: Assertion `%s' failed.\n", file, line, function ? function : "?",
            assertion);
    alloc_abort();
}

/* The time budget (html_options.parse_budget_ms). gumbo's quadratic steps
 * are scans of its stack of open elements, and some allocate nothing: under
 * open formatting elements every character of text costs such a scan, so
 * <th><font> 20,000 times then 1 MB of text takes 6.5 s with gaps of up to
 * 2.2 s between two allocations (docs/platform-notes.md). A check of the
 * clock in gumbo_alloc would come that late; a timer does not. So a one-shot
 * POSIX timer (CLOCK_MONOTONIC: the page deadline is wall time) sends
 * PARSE_BUDGET_SIGNAL to this thread (SIGEV_THREAD_ID) at the budget, and
 * on_budget leaves gumbo with siglongjmp, as a failed assertion does. That is safe
 * anywhere in gumbo: it keeps everything in the arena, allocates only
 * through us and calls nothing that takes a lock (max_errors = 0: no error
 * text is formatted). The one place a jump must not land is gumbo_alloc
 * while it moves the arena's pointers or asks the process allocator for a
 * block (its mutex, in the debug build): there on_budget only sets
 * parse_late and gumbo_alloc leaves on its way out.
 * For the parse the signal is unblocked and handled here; after it the
 * timer is deleted before the mask and the old disposition are put back,
 * and timer_delete returns with any signal already sent delivered (to
 * on_budget, which ignores it once parse_escape is NULL).
 * When no timer can be made (timer_create fails past RLIMIT_SIGPENDING),
 * gumbo_alloc reads the clock every 256 allocations instead: in time for
 * tags, too late or never for text.
 * No other part of the worker uses real-time signals (curl runs with
 * CURLOPT_NOSIGNAL; glibc keeps its own below SIGRTMIN). */
#define PARSE_BUDGET_SIGNAL (SIGRTMIN + 2)

static void on_budget(int sig) {
    (void)sig;
    sigjmp_buf *j = parse_escape;
    if (!j)
        return; /* sent as the parse ended */
    if (parse_in_alloc) {
        parse_late = 1;
        return;
    }
    parse_escape = NULL;
    siglongjmp(*j, ESCAPE_TIME);
}

typedef struct parse_budget {
    long ms;
    bool timer_set; /* timer, prev and prev_mask to undo */
    timer_t timer;
    struct sigaction prev;
    sigset_t prev_mask;
} parse_budget;

static void budget_start(parse_budget *b) {
    parse_in_alloc = parse_late = 0;
    parse_allocs = 0;
    parse_clock_deadline_ns = 0;
    b->timer_set = false;
    if (b->ms <= 0)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_budget;
    sigemptyset(&sa.sa_mask);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, PARSE_BUDGET_SIGNAL);
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = PARSE_BUDGET_SIGNAL;
    ev._sigev_un._tid = gettid(); /* glibc 2.36 has no sigev_notify_thread_id */
    struct itimerspec its = {
        .it_value = {.tv_sec = b->ms / 1000, .tv_nsec = (b->ms % 1000) * 1000000}};
    if (sigaction(PARSE_BUDGET_SIGNAL, &sa, &b->prev) != 0)
        goto clock;
    pthread_sigmask(SIG_UNBLOCK, &set, &b->prev_mask);
    if (timer_create(CLOCK_MONOTONIC, &ev, &b->timer) != 0)
        goto undo;
    if (timer_settime(b->timer, 0, &its, NULL) != 0) {
        timer_delete(b->timer);
        goto undo;
    }
    b->timer_set = true;
    return;
undo:
    pthread_sigmask(SIG_SETMASK, &b->prev_mask, NULL);
    sigaction(PARSE_BUDGET_SIGNAL, &b->prev, NULL);
clock:
    parse_clock_deadline_ns = mono_ns() + (int64_t)b->ms * 1000000;
}

/* With parse_escape already NULL. */
static void budget_end(parse_budget *b) {
    if (b->timer_set) {
        timer_delete(b->timer);
        pthread_sigmask(SIG_SETMASK, &b->prev_mask, NULL);
        sigaction(PARSE_BUDGET_SIGNAL, &b->prev, NULL);
        b->timer_set = false;
    }
    parse_clock_deadline_ns = 0;
    parse_in_alloc = parse_late = 0;
}

/* gumbo_parse_with_options with the escape hatch; NULL and *esc set when
 * gumbo failed an assertion, ran out of memory or (budget_ms > 0) of time. */
static GumboOutput *guarded_parse(const GumboOptions *go, const char *in, size_t n, long budget_ms,
                                  int *esc) {
    sigjmp_buf jb;
    GumboOutput *volatile g = NULL;
    parse_budget b = {.ms = budget_ms};
    *esc = 0;
    parse_assert_file = NULL;
    parse_assert_line = 0;
    budget_start(&b); /* before sigsetjmp: the mask it saves has the signal open */
    int r = sigsetjmp(jb, 1);
    if (r == 0) {
        parse_escape = &jb;
        parse_in_gumbo = 1;
        g = gumbo_parse_with_options(go, in, n);
    } else {
        *esc = r;
    }
    parse_in_gumbo = 0;
    parse_escape = NULL;
    budget_end(&b);
    return *esc ? NULL : g;
}

void *html_parse_fragment(arena *a, const char *html, size_t len, int context_tag, int context_ns) {
    if (!html)
        html = "", len = 0;
    if (len > HTML_MAX_PARSE_BYTES)
        return NULL;
    gumbo_heap heap = {.a = a};
    GumboOptions go = kGumboDefaultOptions;
    go.allocator = gumbo_alloc;
    go.deallocator = gumbo_free;
    go.userdata = &heap;
    go.max_errors = 0;
    go.fragment_context = (GumboTag)context_tag;
    go.fragment_namespace = (GumboNamespaceEnum)context_ns;
    int esc;
    GumboOutput *g = guarded_parse(&go, html, len, 0, &esc);
    return g && g->root ? g : NULL;
}

/* ---------------------------------------------------------------------------
 * The entry point */

html_err html_prepare(arena *a, const char *body, size_t len, const html_options *opt,
                      const char **in, size_t *n, html_doc *out) {
    memset(out, 0, sizeof *out);
    if (!body)
        body = "", len = 0;
    *in = body;
    *n = len;
    if (len > HTML_MAX_PARSE_BYTES) {
        out->parse_error = "document larger than 256 MiB";
        return HTML_PARSE;
    }
    const char *cs = html_sniff_charset(a, opt ? opt->content_type_charset : NULL, body, len);
    if (!cs)
        return HTML_NOMEM;
    html_err err = html_decode(a, cs, in, n, out);
    if (err)
        return err;
    if (*n > HTML_MAX_PARSE_BYTES) {
        out->parse_error = "document larger than 256 MiB once decoded";
        return HTML_PARSE;
    }
    return HTML_OK;
}

html_err html_parse(arena *a, const char *url, const char *body, size_t len,
                    const html_options *opt, html_doc *out) {
    const char *in;
    size_t n;
    html_err err = html_prepare(a, body, len, opt, &in, &n, out);
    if (err)
        return err;

    gumbo_heap heap = {.a = a};
    GumboOptions go = kGumboDefaultOptions;
    go.allocator = gumbo_alloc;
    go.deallocator = gumbo_free;
    go.userdata = &heap;
    go.max_errors = 0; /* see the top of this file */
    long budget = opt ? opt->parse_budget_ms : 0;
    int esc;
    GumboOutput *g = guarded_parse(&go, in, n, budget, &esc);
    if (esc == ESCAPE_NOMEM)
        return HTML_NOMEM;
    if (esc == ESCAPE_TIME) {
        out->parse_error = arena_sprintf(a, "the HTML parser took over %ld ms", budget);
        if (!out->parse_error)
            out->parse_error = "the HTML parser ran out of time";
        return HTML_TOO_SLOW;
    }
    if (esc == ESCAPE_ASSERT) {
        out->parse_error = arena_sprintf(a, "the HTML parser failed an assertion (%s:%u)",
                                         parse_assert_file, parse_assert_line);
        if (!out->parse_error)
            out->parse_error = "the HTML parser failed an assertion";
        return HTML_PARSE;
    }
    if (!g || !g->document) {
        out->parse_error = "the HTML parser gave no document";
        return HTML_PARSE;
    }
    out->gumbo_output = g;
    if (opt && opt->after_parse)
        opt->after_parse(opt->after_parse_ud, g);

    walk w = {.a = a, .d = out, .c = {.a = a, .d = out}, .text = {.a = a, .count_only = !(opt && opt->want_text)}};
    if ((err = walk_tree(&w, g->document)))
        return err;
    out->text = html_text_finish(&w.text);
    out->text_len = w.text.len;
    if (!out->text && !w.text.count_only)
        return HTML_NOMEM;
    return html_collect_finish(&w.c, url);
}
