/* libFuzzer target: html_parse on arbitrary bytes from a fixed URL, with
 * want_text on, in a fresh arena per input (released at the end).
 *
 * Byte 0 picks the Content-Type charset passed in (none, utf-8,
 * windows-1252, shift_jis, a bogus label); the rest is the body.
 * Invariants (fuzz_check_doc, fuzz_html_doc.h): every extracted link, the
 * base and the canonical URL are absolute http(s) URLs in normal form (no
 * fragment, no raw space, control or non-ASCII octet outside an IDN host,
 * normalize(link) == link); links are unique; with meta nofollow there are
 * none; the text is text_len bytes long. */
#include "arena.h"
#include "html.h"

#include "fuzz_html_doc.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    html_options opt = {.content_type_charset = FUZZ_CHARSETS[data[0] & 7], .want_text = 1};
    arena a;
    arena_init(&a, 0);
    html_doc d;
    html_err e = html_parse(&a, FUZZ_PAGE_URL, (const char *)data + 1, size - 1, &opt, &d);
    if (e == HTML_NOMEM)
        abort(); /* nothing limits the arena here */
    if (e == HTML_OK)
        fuzz_check_doc(&a, &d);
    arena_release(&a);
    return 0;
}
