/* libFuzzer target: html_parse on arbitrary bytes from a fixed URL, with
 * want_text on, in a fresh arena per input (released at the end).
 *
 * Byte 0 picks the Content-Type charset passed in (none, utf-8,
 * windows-1252, shift_jis, a bogus label); the rest is the body.
 * Invariants: every extracted link, the base and the canonical URL are
 * absolute http(s) URLs in normal form (no fragment, no raw space, control
 * or non-ASCII octet outside an IDN host, normalize(link) == link); links are unique; with
 * meta nofollow there are none; the text is text_len bytes long. */
#include "arena.h"
#include "html.h"
#include "url.h"

#include "fuzz_check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_URL "http://example.com/dir/page.html?x=1"

static const char *const CHARSETS[8] = {NULL, "utf-8", "windows-1252", "shift_jis",
                                        "x-bogus", "UTF-16LE", NULL, "iso-8859-2"};

/* Octets a normal-form URL may hold: printable ASCII but '#', and UTF-8
 * in the host (an IDN host stays as curl gives it). -1 when all are fine,
 * else the offending offset. */
static long bad_octet(const char *u)
{
    const char *auth = strstr(u, "://");
    size_t host_end = auth ? (size_t)(auth + 3 - u) + strcspn(auth + 3, "/?") : 0;
    for (size_t i = 0; u[i]; i++) {
        unsigned char c = (unsigned char)u[i];
        if (c == '#' || c <= 0x20 || c == 0x7f || (c >= 0x80 && i >= host_end))
            return (long)i;
    }
    return -1;
}

static void check_url(arena *a, const char *u)
{
    if (!u)
        FUZZ_FAIL("NULL URL");
    if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
        FUZZ_FAIL("not http(s): \"%s\"", u);
    long bad = bad_octet(u);
    if (bad >= 0)
        FUZZ_FAIL("octet 0x%02x at %ld of \"%s\"", (unsigned char)u[bad], bad, u);
    char *again;
    url_err e = url_normalize(a, u, &again);
    if (e != URL_OK || strcmp(again, u) != 0)
        FUZZ_FAIL("not in normal form: \"%s\" -> %s \"%s\"", u, url_err_str(e),
                  e == URL_OK ? again : "");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    html_options opt = {.content_type_charset = CHARSETS[data[0] & 7], .want_text = 1};
    arena a;
    arena_init(&a, 0);
    html_doc d;
    html_err e = html_parse(&a, PAGE_URL, (const char *)data + 1, size - 1, &opt, &d);
    if (e == HTML_NOMEM)
        abort(); /* nothing limits the arena here */
    if (e == HTML_OK) {
        if (!d.charset || !d.text || strlen(d.text) != d.text_len)
            abort();
        if (d.base_href)
            check_url(&a, d.base_href);
        if (d.canonical)
            check_url(&a, d.canonical);
        if (d.meta_nofollow && d.nlinks)
            abort();
        for (size_t i = 0; i < d.nlinks; i++) {
            check_url(&a, d.links[i]);
            for (size_t j = 0; j < i && j < 64; j++)
                if (strcmp(d.links[i], d.links[j]) == 0)
                    abort();
        }
    }
    arena_release(&a);
    return 0;
}
