/* ascii — the byte tests HTML's and CSS's own grammars use (WHATWG: ASCII
 * whitespace, ASCII case-insensitive match), for the charset prescan, the
 * link rule, the DOM and the selector parser. Locale-free; header-only,
 * every function static inline. */
#ifndef CRAWLD_ASCII_H
#define CRAWLD_ASCII_H

#include <stdbool.h>
#include <stddef.h>

/* ASCII whitespace: space, tab, LF, CR, FF. */
static inline bool ascii_is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static inline unsigned char ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* ASCII case-insensitive match of a[0..an) and b[0..bn); stops at the
 * first difference, so a shorter NUL-terminated string is never read past. */
static inline bool ascii_eq_n(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++)
        if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
            return false;
    return true;
}

/* ASCII case-insensitive compare of s[0..n) with the lowercase literal lit. */
static inline bool ascii_eq_lit_n(const char *s, size_t n, const char *lit)
{
    size_t i = 0;
    for (; i < n && lit[i]; i++)
        if (ascii_lower((unsigned char)s[i]) != (unsigned char)lit[i])
            return false;
    return i == n && lit[i] == '\0';
}

#endif
