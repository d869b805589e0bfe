/* utf8 — which bytes are UTF-8 as the WHATWG decoder reads it (no overlong
 * forms, no surrogates, nothing past U+10FFFF), how much of a bad sequence
 * one U+FFFD replaces, and the encoder. No allocation, no logging. */
#ifndef CRAWLD_UTF8_H
#define CRAWLD_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF8_REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD, 3 bytes */

/* Bytes of the valid sequence at p (1..4; p < end), 0 when the bytes there
 * are not one. Inline: the tokenizer and the record check call it per
 * character. */
static inline size_t utf8_seq_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0], lo = 0x80, hi = 0xBF;
    size_t need;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* past U+10FFFF */
    } else
        return 0;
    if ((size_t)(end - p) <= need)
        return 0;
    for (size_t i = 1; i <= need; i++) {
        if (p[i] < lo || p[i] > hi)
            return 0;
        lo = 0x80, hi = 0xBF;
    }
    return need + 1;
}

/* Bytes (>= 1) of the maximal subpart of the invalid sequence at p: what
 * the WHATWG decoder replaces with one U+FFFD. */
size_t utf8_bad_len(const unsigned char *p, const unsigned char *end);

/* Bytes of s before its first invalid sequence; n when s is all valid.
 * ASCII is skipped eight bytes at a time. */
size_t utf8_valid_prefix(const char *s, size_t n);
static inline bool utf8_valid(const char *s, size_t n) { return utf8_valid_prefix(s, n) == n; }

/* s with NUL and every byte that is not part of a valid sequence replaced
 * by U+FFFD (one per byte), into out, which has room for 3 * n bytes.
 * Returns the bytes written; out is not NUL-terminated. */
size_t utf8_lossy(char *out, const char *s, size_t n);

/* JSON strings, escaped as jansson escapes them (", \ and control
 * characters; / and non-ASCII left as they are), with NUL and every byte
 * outside a valid UTF-8 sequence written as U+FFFD, one each. The record
 * writer and the channel's encoder both write with these two:
 * utf8_json_plain: bytes of s[0..n) from the start that go out as they are;
 * utf8_json_escape: what the byte *p (one that does not) becomes, into out
 * (room for UTF8_JSON_ESC_MAX bytes); returns the bytes written. */
#define UTF8_JSON_ESC_MAX 6
size_t utf8_json_plain(const char *s, size_t n);
size_t utf8_json_escape(char *out, unsigned char c);

/* cp as UTF-8 into out (room for 4 bytes); a surrogate or a code point past
 * U+10FFFF is written as U+FFFD. Returns the bytes written. */
size_t utf8_put(char *out, uint32_t cp);

#endif
