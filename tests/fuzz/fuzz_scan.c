/* libFuzzer target: scan_sax (libxml2 SAX) and scan_lex (the HTML5
 * tokenizer) on arbitrary bytes from a fixed URL, with want_text on, in a
 * fresh arena per input (released at the end).
 *
 * Byte 0 picks the Content-Type charset passed in, as in fuzz_html.c; the
 * rest is the body. Invariants: fuzz_html's (fuzz_html_doc.h: links, base
 * and canonical URL absolute http(s) in normal form, links unique, none
 * with meta nofollow, text_len bytes of text); the text valid UTF-8 (it
 * goes into JSON), the title valid UTF-8; gumbo_output is NULL;
 * the only error on input under the size cap is the attribute guard's
 * HTML_PARSE, and then some start tag really has more than
 * SCAN_MAX_ATTRS attributes (scan_lex: the input is long enough to
 * hold one, 2 bytes an attribute). libxml2's own memory is checked by
 * LeakSanitizer at exit of each run (-detect_leaks). */
#include "arena.h"
#include "html.h"
#include "scan.h"

#include "../strict_utf8.h"
#include "fuzz_html_doc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Some '<' starts a tag the guard counts over the limit. */
static int has_huge_tag(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] == '<' && scan_count_attrs(p + i, p + n, SCAN_MAX_ATTRS, NULL) > SCAN_MAX_ATTRS)
            return 1;
    return 0;
}

static void check_doc(arena *a, html_doc *d)
{
    if (d->gumbo_output)
        FUZZ_FAIL("gumbo_output set");
    fuzz_check_doc(a, d);
    if (!valid_utf8(d->text) || (d->title && !valid_utf8(d->title)))
        FUZZ_FAIL("text or title not valid UTF-8");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    html_options opt = {.content_type_charset = FUZZ_CHARSETS[data[0] & 7], .want_text = 1};
    arena a;
    arena_init(&a, 0);
    html_doc d;
    const char *body = (const char *)data + 1;
    html_err e = scan_sax(&a, FUZZ_PAGE_URL, body, size - 1, &opt, &d);
    if (e == HTML_NOMEM)
        abort(); /* nothing limits the arena here */
    /* The guard counts the cleaned-up UTF-8 text: check only input that the
     * clean-up and decoding leave as it is (ASCII, no NUL or form feed,
     * no charset named). */
    int plain = opt.content_type_charset == NULL && !memmem(body, size - 1, "charset", 7);
    for (size_t i = 0; plain && i < size - 1; i++)
        plain = body[i] > 0 && body[i] != '\f' && (unsigned char)body[i] < 0x80;
    if (e == HTML_PARSE && plain && !has_huge_tag(body, size - 1))
        FUZZ_FAIL("HTML_PARSE without a tag over the attribute limit");
    if (e == HTML_OK)
        check_doc(&a, &d);
    html_doc l;
    e = scan_lex(&a, FUZZ_PAGE_URL, body, size - 1, &opt, &l);
    if (e == HTML_NOMEM)
        abort();
    if (e == HTML_PARSE && size - 1 <= 2 * SCAN_MAX_ATTRS && size - 1 <= HTML_MAX_PARSE_BYTES)
        FUZZ_FAIL("scan_lex: HTML_PARSE on input too short for the attribute guard");
    if (e == HTML_OK)
        check_doc(&a, &l);
    arena_release(&a);
    return 0;
}
