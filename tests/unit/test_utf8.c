/* test_utf8 — the one UTF-8 validator (utf8.h): the WHATWG decoder's
 * answers at every boundary (overlong forms, surrogates, past U+10FFFF,
 * truncated sequences), checked against a decoder written here from the
 * bit patterns, the maximal subparts one U+FFFD replaces, the ASCII fast
 * path at every alignment, the lossy copy and the encoder. */
#include "utf8.h"

#include <check.h>

#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define U(s) ((const unsigned char *)(s))

static size_t seq(const char *s, size_t n) { return utf8_seq_len(U(s), U(s) + n); }

/* The reference: decode by the bit patterns, then refuse what is too long
 * for its value, a surrogate or past U+10FFFF. */
static size_t ref_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t len;
    uint32_t cp, min;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0)
        len = 2, cp = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
        len = 3, cp = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0)
        len = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

START_TEST(boundaries)
{
    static const struct {
        const char *s;
        size_t len;
    } T[] = {
        {"A", 1},
        {"\x7F", 1},
        {"\x80", 0},             /* lone continuation byte */
        {"\xC0\x80", 0},         /* overlong NUL */
        {"\xC1\xBF", 0},         /* overlong U+007F */
        {"\xC2\x80", 2},         /* U+0080 */
        {"\xDF\xBF", 2},         /* U+07FF */
        {"\xE0\x80\x80", 0},     /* overlong */
        {"\xE0\x9F\xBF", 0},     /* overlong U+07FF */
        {"\xE0\xA0\x80", 3},     /* U+0800 */
        {"\xED\x9F\xBF", 3},     /* U+D7FF */
        {"\xED\xA0\x80", 0},     /* U+D800, a surrogate */
        {"\xED\xBF\xBF", 0},     /* U+DFFF */
        {"\xEE\x80\x80", 3},     /* U+E000 */
        {"\xEF\xBF\xBF", 3},     /* U+FFFF */
        {"\xF0\x80\x80\x80", 0}, /* overlong */
        {"\xF0\x8F\xBF\xBF", 0}, /* overlong U+FFFF */
        {"\xF0\x90\x80\x80", 4}, /* U+10000 */
        {"\xF4\x8F\xBF\xBF", 4}, /* U+10FFFF */
        {"\xF4\x90\x80\x80", 0}, /* U+110000 */
        {"\xF5\x80\x80\x80", 0}, /* past U+10FFFF by its lead byte */
        {"\xF8\x88\x80\x80\x80", 0},
        {"\xFE", 0},
        {"\xFF", 0},
        {"\xE2\x82", 0},     /* truncated at the end */
        {"\xE2\x82\x41", 0}, /* truncated by ASCII */
        {"\xF0\x9F\x98", 0},
        {"\xC3", 0},
    };
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
        size_t n = strlen(T[i].s);
        ck_assert_msg(seq(T[i].s, n) == T[i].len, "case %zu: %zu, want %zu", i, seq(T[i].s, n),
                      T[i].len);
        ck_assert_int_eq(utf8_valid(T[i].s, n), T[i].len == n);
    }
    /* The end bounds the read: a valid sequence cut by end is not one. */
    ck_assert_uint_eq(seq("\xE2\x82\xAC", 2), 0);
    ck_assert_uint_eq(seq("\xE2\x82\xAC", 3), 3);
    ck_assert_uint_eq(seq("\xF0\x9F\x98\x80", 3), 0);
}
END_TEST

/* Every one-, two- and three-byte input and every four-byte one over a
 * spread of continuation bytes: utf8_seq_len answers as the reference. */
START_TEST(same_as_reference)
{
    unsigned char b[4];
    for (unsigned x = 0; x < 256; x++) {
        b[0] = (unsigned char)x;
        ck_assert_uint_eq(utf8_seq_len(b, b + 1), ref_len(b, 1));
        for (unsigned y = 0; y < 256; y++) {
            b[1] = (unsigned char)y;
            ck_assert_uint_eq(utf8_seq_len(b, b + 2), ref_len(b, 2));
            for (unsigned z = 0; z < 256; z++) {
                b[2] = (unsigned char)z;
                size_t got = utf8_seq_len(b, b + 3), want = ref_len(b, 3);
                if (got != want)
                    ck_abort_msg("%02x %02x %02x: %zu, want %zu", x, y, z, got, want);
            }
        }
    }
    static const unsigned char cont[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90,
                                         0x9F, 0xA0, 0xBF, 0xC0, 0xF4, 0xFF};
    for (unsigned x = 0xF0; x < 0x100; x++)
        for (unsigned y = 0; y < 256; y++)
            for (size_t i = 0; i < sizeof cont; i++)
                for (size_t j = 0; j < sizeof cont; j++) {
                    b[0] = (unsigned char)x, b[1] = (unsigned char)y;
                    b[2] = cont[i], b[3] = cont[j];
                    ck_assert_uint_eq(utf8_seq_len(b, b + 4), ref_len(b, 4));
                }
}
END_TEST

/* One U+FFFD per maximal subpart (Unicode 3.9, WHATWG): the bytes a valid
 * sequence could still have started with, at least one. */
START_TEST(maximal_subparts)
{
    static const struct {
        const char *s;
        size_t bad;
    } T[] = {
        {"\x80", 1},         {"\xC0\x80", 1},     {"\xC2", 1},         {"\xC2\x41", 1},
        {"\xE2\x82", 2},     {"\xE2\x82\x41", 2}, {"\xE0\x80", 1},     {"\xE0\xA0", 2},
        {"\xED\xA0\x80", 1}, {"\xF0\x9F\x98", 3}, {"\xF0\x80", 1},     {"\xF4\x90", 1},
        {"\xF4\x8F\xBF", 3}, {"\xF5", 1},         {"\xFF\xBF\xBF", 1},
    };
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
        size_t n = strlen(T[i].s);
        ck_assert_uint_eq(seq(T[i].s, n), 0);
        ck_assert_msg(utf8_bad_len(U(T[i].s), U(T[i].s) + n) == T[i].bad, "case %zu: %zu", i,
                      utf8_bad_len(U(T[i].s), U(T[i].s) + n));
    }
}
END_TEST

/* The ASCII fast path reads eight bytes at a time: a bad byte at every
 * position of a run, at every alignment, is found where it is. */
START_TEST(ascii_fast_path)
{
    char buf[80];
    memset(buf, 'a', sizeof buf);
    ck_assert(utf8_valid(buf, sizeof buf));
    ck_assert(utf8_valid(buf, 0));
    for (size_t off = 0; off < 8; off++)
        for (size_t bad = off; bad < sizeof buf; bad++) {
            memset(buf, 'a', sizeof buf);
            buf[bad] = (char)0xFF;
            ck_assert_uint_eq(utf8_valid_prefix(buf + off, sizeof buf - off), bad - off);
            buf[bad] = (char)0xC3; /* valid with the next byte, cut at the end */
            if (bad + 1 < sizeof buf) {
                buf[bad + 1] = (char)0xA9;
                ck_assert(utf8_valid(buf + off, sizeof buf - off));
            }
            ck_assert_uint_eq(utf8_valid_prefix(buf + off, bad + 1 - off), bad - off);
        }
    /* NUL and controls are ASCII, valid UTF-8 */
    ck_assert(utf8_valid("a\0b\x01\x7F", 5));
    /* after a multi-byte sequence the scan goes on */
    const char *mix = "h\xC3\xA9llo w\xE2\x82\xAC rld \xF0\x9F\x98\x80 and more ascii text\x80!";
    ck_assert_uint_eq(utf8_valid_prefix(mix, strlen(mix)), strlen(mix) - 2);
}
END_TEST

START_TEST(lossy_copy)
{
    char out[64];
    size_t n = utf8_lossy(out, "a\0b", 3);
    ck_assert_uint_eq(n, 5);
    ck_assert(!memcmp(out, "a" UTF8_REPLACEMENT "b", 5));
    /* one U+FFFD per byte of a bad sequence; valid sequences as they are */
    n = utf8_lossy(out,
                   "\xE2\x82"
                   "x\xC3\xA9\xED\xA0\x80",
                   8);
    ck_assert_uint_eq(n, 3 + 3 + 1 + 2 + 9);
    ck_assert(!memcmp(out,
                      UTF8_REPLACEMENT UTF8_REPLACEMENT
                      "x\xC3\xA9" UTF8_REPLACEMENT UTF8_REPLACEMENT UTF8_REPLACEMENT,
                      n));
    ck_assert_uint_eq(utf8_lossy(out, "", 0), 0);
    /* the worst case is 3 * n */
    ck_assert_uint_eq(utf8_lossy(out, "\xFF\xFF\xFF\xFF", 4), 12);
    ck_assert(utf8_valid(out, 12));
}
END_TEST

START_TEST(encoder)
{
    char o[4];
    static const struct {
        uint32_t cp;
        const char *s;
    } T[] = {
        {0x41, "A"},
        {0x7F, "\x7F"},
        {0x80, "\xC2\x80"},
        {0x7FF, "\xDF\xBF"},
        {0x800, "\xE0\xA0\x80"},
        {0xFFFF, "\xEF\xBF\xBF"},
        {0x10000, "\xF0\x90\x80\x80"},
        {0x10FFFF, "\xF4\x8F\xBF\xBF"},
        {0xD800, UTF8_REPLACEMENT},
        {0xDFFF, UTF8_REPLACEMENT},
        {0x110000, UTF8_REPLACEMENT},
        {0xFFFFFFFF, UTF8_REPLACEMENT},
    };
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
        size_t n = utf8_put(o, T[i].cp);
        ck_assert_uint_eq(n, strlen(T[i].s));
        ck_assert_msg(!memcmp(o, T[i].s, n), "U+%04X", (unsigned)T[i].cp);
    }
    /* every scalar value encodes to one valid sequence of its length */
    for (uint32_t cp = 1; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        size_t n = utf8_put(o, cp);
        size_t want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (n != want || utf8_seq_len(U(o), U(o) + n) != n)
            ck_abort_msg("U+%04X: %zu bytes", (unsigned)cp, n);
    }
}
END_TEST

static Suite *utf8_suite(void)
{
    Suite *s = suite_create("utf8");
    TCase *tc = tcase_create("utf8");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, boundaries);
    tcase_add_test(tc, same_as_reference);
    tcase_add_test(tc, maximal_subparts);
    tcase_add_test(tc, ascii_fast_path);
    tcase_add_test(tc, lossy_copy);
    tcase_add_test(tc, encoder);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(utf8_suite()); }
