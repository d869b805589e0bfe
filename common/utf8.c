/* utf8 — see utf8.h. */
#include "utf8.h"

#include <string.h>

size_t utf8_bad_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0], lo = 0x80, hi = 0xBF;
    size_t need;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else
        return 1;
    size_t i = 1;
    for (; i <= need && p + i < end && p[i] >= lo && p[i] <= hi; i++)
        lo = 0x80, hi = 0xBF;
    return i;
}

size_t utf8_valid_prefix(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        for (uint64_t w; end - p >= 8; p += 8) {
            memcpy(&w, p, 8);
            if (w & 0x8080808080808080ULL)
                break;
        }
        if (p == end)
            break;
        size_t k = utf8_seq_len(p, end);
        if (!k)
            break;
        p += k;
    }
    return (size_t)(p - (const unsigned char *)s);
}

size_t utf8_lossy(char *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    char *o = out;
    while (p < end) {
        size_t k = *p ? utf8_seq_len(p, end) : 0;
        if (k) {
            memcpy(o, p, k);
            o += k, p += k;
        } else {
            memcpy(o, UTF8_REPLACEMENT, 3);
            o += 3, p++;
        }
    }
    return (size_t)(o - out);
}

size_t utf8_put(char *o, uint32_t cp)
{
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t utf8_json_plain(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *q = p, *end = p + n;
    size_t k;
    while (q < end) {
        if (*q >= 0x20 && *q < 0x80 && *q != '"' && *q != '\\')
            q++;
        else if (*q >= 0x80 && (k = utf8_seq_len(q, end)) != 0)
            q += k;
        else
            break;
    }
    return (size_t)(q - p);
}

size_t utf8_json_escape(char *out, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *e = NULL;
    switch (c) {
    case '"':
        e = "\\\"";
        break;
    case '\\':
        e = "\\\\";
        break;
    case '\b':
        e = "\\b";
        break;
    case '\f':
        e = "\\f";
        break;
    case '\n':
        e = "\\n";
        break;
    case '\r':
        e = "\\r";
        break;
    case '\t':
        e = "\\t";
        break;
    default:
        if (c == 0 || c >= 0x80) { /* NUL, or a byte of no valid sequence */
            memcpy(out, UTF8_REPLACEMENT, 3);
            return 3;
        }
        memcpy(out, "\\u00", 4);
        out[4] = hex[c >> 4];
        out[5] = hex[c & 15];
        return 6;
    }
    out[0] = e[0];
    out[1] = e[1];
    return 2;
}
