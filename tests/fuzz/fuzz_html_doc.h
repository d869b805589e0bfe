/* fuzz_html_doc — what fuzz_html and fuzz_scan share: how an input becomes
 * a page (byte 0 picks the Content-Type charset, the rest is the body,
 * from one fixed URL) and the invariants every html_doc the two parsers
 * return must hold. Header only: each target is one file plus the project
 * sources fuzz.mk lists. */
#ifndef CRAWLD_FUZZ_HTML_DOC_H
#define CRAWLD_FUZZ_HTML_DOC_H

#include "arena.h"
#include "html.h"
#include "url.h"

#include "fuzz_check.h"

#include <string.h>

#define FUZZ_PAGE_URL "http://example.com/dir/page.html?x=1"

/* Byte 0 of an input, & 7: the charset passed as the header's. */
static const char *const FUZZ_CHARSETS[8] = {NULL,      "utf-8",    "windows-1252", "shift_jis",
                                             "x-bogus", "UTF-16LE", NULL,           "iso-8859-2"};

/* An absolute http(s) URL in normal form (no fragment, no raw space,
 * control or non-ASCII octet outside an IDN host, normalize(u) == u). */
static inline void fuzz_check_url(arena *a, const char *u)
{
    if (!u)
        FUZZ_FAIL("NULL URL");
    if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
        FUZZ_FAIL("not http(s): \"%s\"", u);
    long bad = fuzz_bad_octet(u);
    if (bad >= 0)
        FUZZ_FAIL("octet 0x%02x at %ld of \"%s\"", (unsigned char)u[bad], bad, u);
    char *again;
    url_err e = url_normalize(a, u, &again);
    if (e != URL_OK || strcmp(again, u) != 0)
        FUZZ_FAIL("not in normal form: \"%s\" -> %s \"%s\"", u, url_err_str(e),
                  e == URL_OK ? again : "");
}

/* The invariants of a parse that returned HTML_OK with want_text on: a
 * charset; text_len bytes of text; the base, the canonical URL and every
 * link checked by fuzz_check_url; links unique (each against the 64 before
 * it); none with meta nofollow. */
static inline void fuzz_check_doc(arena *a, const html_doc *d)
{
    if (!d->charset || !d->text || strlen(d->text) != d->text_len)
        FUZZ_FAIL("text %zu bytes, text_len %zu", d->text ? strlen(d->text) : 0, d->text_len);
    if (d->base_href)
        fuzz_check_url(a, d->base_href);
    if (d->canonical)
        fuzz_check_url(a, d->canonical);
    if (d->meta_nofollow && d->nlinks)
        FUZZ_FAIL("links despite meta nofollow");
    for (size_t i = 0; i < d->nlinks; i++) {
        fuzz_check_url(a, d->links[i]);
        for (size_t j = 0; j < i && j < 64; j++)
            if (strcmp(d->links[i], d->links[j]) == 0)
                FUZZ_FAIL("duplicate link %s", d->links[i]);
    }
}

#endif
