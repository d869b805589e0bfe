/* libFuzzer target: fieldspec_parse and the selector parser under it
 * (common/selector.c), which crawld runs on every --extract spec a client
 * sends (docs/daemon.md, Fields by selector).
 *
 * Invariants on every input (cut at its first NUL): no crash, leak or
 * undefined behaviour; a spec that parses has a NAME of the allowed
 * characters, a non-empty selector that sel_parse takes again, and an
 * attribute without upper case; fieldspec_check agrees with
 * fieldspec_parse; and a refusal says something. */
#include "alloc.h"
#include "arena.h"
#include "fieldspec.h"
#include "selector.h"

#include "fuzz_check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *spec = malloc(size + 1);
    if (!spec)
        return 0;
    memcpy(spec, data, size);
    spec[size] = '\0';
    arena a;
    arena_init(&a, 0);
    fieldspec f;
    char err[320] = "", err2[320] = "";
    int rc = fieldspec_parse(&a, spec, &f, err, sizeof(err));
    if (rc != fieldspec_check(spec, err2, sizeof(err2)))
        FUZZ_FAIL("fieldspec_check disagrees with fieldspec_parse on \"%s\"", spec);
    if (rc < 0 && !err[0])
        FUZZ_FAIL("refused without a reason: \"%s\"", spec);
    if (rc == 0) {
        size_t n = strlen(f.name);
        if (n == 0 || n > FIELDSPEC_MAX_NAME ||
            strspn(f.name, "abcdefghijklmnopqrstuvwxyz"
                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                           "0123456789_-") != n)
            FUZZ_FAIL("name \"%s\" taken", f.name);
        if (!f.selector[0])
            FUZZ_FAIL("empty selector taken from \"%s\"", spec);
        sel s;
        if (sel_parse(&a, f.selector, &s, NULL) != SEL_OK)
            FUZZ_FAIL("selector \"%s\" parsed once, not twice", f.selector);
        for (const char *c = f.attr; c && *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                FUZZ_FAIL("attribute \"%s\" not lowercased", f.attr);
    }
    /* the selector parser on the whole input too */
    sel s;
    size_t stop = 0;
    if (sel_parse(&a, spec, &s, &stop) == SEL_ERR_SYNTAX && stop > size)
        FUZZ_FAIL("stopped at %zu of %zu bytes", stop, size);
    arena_release(&a);
    free(spec);
    return 0;
}
