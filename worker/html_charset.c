/* html_charset — html_prepare (html.h): the steps before any parse. The
 * size cap, the charset (HTTP header, BOM, then the WHATWG prescan of
 * <meta> in the first 1024 bytes, html_sniff_charset) and decoding to
 * UTF-8: windows-1252 by table (as browsers read ISO-8859-1), anything else
 * with iconv, bad bytes as U+FFFD. The text handed on is the body itself
 * when it needs nothing, else a copy in the arena; an unknown charset is
 * read as UTF-8 and named in charset_note. */
#include "ascii.h"
#include "html.h"

#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* The charset prescan window (WHATWG: 1024 bytes). */
#define SNIFF_WINDOW 1024
#define LABEL_MAX 64

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

static const cs_entry *cs_lookup(const char *label)
{
    for (size_t i = 0; i < sizeof CHARSETS / sizeof CHARSETS[0]; i++)
        for (const char *l = CHARSETS[i].labels; *l; l += strlen(l) + 1)
            if (!strcmp(l, label))
                return &CHARSETS[i];
    return NULL;
}

/* Lowercases s[0..n) without surrounding whitespace and quotes into out
 * (LABEL_MAX bytes); "" when nothing is left or it is too long. */
static void label_clean(const char *s, size_t n, char *out)
{
    while (n && (ascii_is_ws((unsigned char)*s) || *s == '"' || *s == '\''))
        s++, n--;
    while (n && (ascii_is_ws((unsigned char)s[n - 1]) || s[n - 1] == '"' || s[n - 1] == '\''))
        n--;
    if (n >= LABEL_MAX)
        n = 0;
    /* The label may end up in a note, a log line and JSON: printable ASCII. */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = ascii_lower((unsigned char)s[i]);
        out[i] = (char)((c > 0x20 && c < 0x7F && c != '"' && c != '\\') ? c : '?');
    }
    out[n] = '\0';
}

/* A label's name to report: the WHATWG name when known, else the label. */
static const char *label_name(arena *a, const char *label)
{
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
                      size_t *vlen)
{
    while (s->p < s->end && (ascii_is_ws(*s->p) || *s->p == '/'))
        s->p++;
    if (s->p >= s->end || *s->p == '>')
        return false;
    *name = s->p;
    do
        s->p++;
    while (s->p < s->end && *s->p != '=' && !ascii_is_ws(*s->p) && *s->p != '/' && *s->p != '>');
    *nlen = (size_t)(s->p - *name);
    *val = s->p;
    *vlen = 0;
    while (s->p < s->end && ascii_is_ws(*s->p))
        s->p++;
    if (s->p >= s->end || *s->p != '=')
        return s->p < s->end;
    s->p++;
    while (s->p < s->end && ascii_is_ws(*s->p))
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
    while (s->p < s->end && !ascii_is_ws(*s->p) && *s->p != '>')
        s->p++;
    *vlen = (size_t)(s->p - *val);
    return true;
}

/* "charset=" in a content attribute (WHATWG "extracting a character encoding
 * from a meta element"). */
static bool content_charset(const unsigned char *c, size_t n, char *out)
{
    size_t i = 0;
    while (i + 7 <= n) {
        if (!ascii_eq_lit_n((const char *)c + i, 7, "charset")) {
            i++;
            continue;
        }
        i += 7;
        while (i < n && ascii_is_ws(c[i]))
            i++;
        if (i >= n || c[i] != '=')
            continue;
        i++;
        while (i < n && ascii_is_ws(c[i]))
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
            while (i < n && !ascii_is_ws(c[i]) && c[i] != ';')
                i++;
            stop = i;
        }
        label_clean((const char *)c + start, stop - start, out);
        return out[0] != '\0';
    }
    return false;
}

static bool prescan(const char *body, size_t len, char *out)
{
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
        } else if (left >= 6 && ascii_eq_lit_n((const char *)s.p + 1, 4, "meta") &&
                   (ascii_is_ws(s.p[5]) || s.p[5] == '/')) {
            s.p += 5;
            bool pragma = false, got_pragma = false;
            char charset[LABEL_MAX] = "", from_content[LABEL_MAX] = "";
            while (scan_attr(&s, &name, &nlen, &val, &vlen)) {
                if (ascii_eq_lit_n((const char *)name, nlen, "http-equiv")) {
                    if (ascii_eq_lit_n((const char *)val, vlen, "content-type"))
                        pragma = true;
                } else if (ascii_eq_lit_n((const char *)name, nlen, "content") && !got_pragma) {
                    got_pragma = content_charset(val, vlen, from_content);
                } else if (ascii_eq_lit_n((const char *)name, nlen, "charset") && !charset[0]) {
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
            while (s.p < s.end && !ascii_is_ws(*s.p) && *s.p != '>')
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

const char *html_sniff_charset(arena *a, const char *header_charset, const char *body, size_t len)
{
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

static bool all_ascii(const char *s, size_t n)
{
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

static char *decode_1252(arena *a, const char *in, size_t n, size_t *out_len)
{
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
                               size_t *out_len, size_t *bad, size_t *fail_at)
{
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
static html_err html_decode(arena *a, const char *cs, const char **in, size_t *n, html_doc *d)
{
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
 * The entry point */

html_err html_prepare(arena *a, const char *body, size_t len, const html_options *opt,
                      const char **in, size_t *n, html_doc *out)
{
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
