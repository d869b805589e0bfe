/* libFuzzer target: url_normalize and url_resolve.
 *
 * Byte 0 picks a base (or NULL, or one taken from the input up to its first
 * newline); the rest is the reference. Invariants on every URL_OK result:
 * it is http:// or https://, has no '#', no space, control or non-ASCII
 * octet (an IDN host is in punycode), fits in URL_MAX_LEN, url_host accepts
 * it, and it is a fixed point:
 * normalize(result) == result (and resolving it against any base too).
 * And url_resolve (with its string-only fast path) answers exactly as
 * url_resolve_curl, on every base including the input's own. */
#include "alloc.h"
#include "arena.h"
#include "url.h"

#include "fuzz_check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const BASES[] = {
    NULL,
    "http://example.com/a/b/c.html?q=1",
    "https://EXAMPLE.com:443/dir/",
    "http://user:pw@[::1]:8080/x/%7Ey/../z",
    "http://example.com",
    "http://127.0.0.1:8000/library/os.html", /* normal form: the fast path's */
    "https://xn--nxasmq6b.example/%E2%82%AC/",
    "ftp://example.com/", /* not crawlable: every resolve fails */
};
#define NBASES (sizeof(BASES) / sizeof(BASES[0]))

static void check_result(arena *a, const char *u)
{
    size_t n = strlen(u);
    if (n > URL_MAX_LEN)
        abort();
    if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
        abort();
    long bad = fuzz_bad_octet(u);
    if (bad >= 0)
        FUZZ_FAIL("octet 0x%02x at %ld of \"%s\"", (unsigned char)u[bad], bad, u);
    char host[1024];
    if (url_host(u, host, sizeof host) != 0 && n < 1000)
        FUZZ_FAIL("url_host refuses \"%s\"", u);
    char *again = NULL;
    url_err e = url_normalize(a, u, &again);
    if (e != URL_OK || strcmp(again, u) != 0)
        FUZZ_FAIL("not idempotent: normalize(\"%s\") = %s \"%s\"", u, url_err_str(e),
                  e == URL_OK ? again : "");
    /* An absolute normal URL resolves to itself against any http base. */
    e = url_resolve(a, BASES[1], u, &again);
    if (e != URL_OK || strcmp(again, u) != 0)
        FUZZ_FAIL("resolve(base, \"%s\") = %s \"%s\"", u, url_err_str(e), e == URL_OK ? again : "");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 3 * URL_MAX_LEN)
        return 0;
    char *buf = malloc(size); /* ref, NUL-terminated (a NUL inside ends it) */
    memcpy(buf, data + 1, size - 1);
    buf[size - 1] = '\0';
    const char *base, *ref = buf;
    unsigned pick = data[0] % (NBASES + 1);
    if (pick == NBASES) {
        char *nl = strchr(buf, '\n');
        if (nl) {
            *nl = '\0';
            ref = nl + 1;
        }
        base = buf;
    } else {
        base = BASES[pick];
    }

    arena a;
    arena_init(&a, 0);
    char *out = NULL;
    url_err e = url_resolve(&a, base, ref, &out);
    if ((e == URL_OK) != (out != NULL))
        abort();
    if (e == URL_OK)
        check_result(&a, out);
    /* The same with the process allocator, which must give the same answer. */
    char *out2 = NULL;
    if (url_resolve(NULL, base, ref, &out2) != e)
        abort();
    if (e == URL_OK && strcmp(out, out2) != 0)
        abort();
    alloc_strfree(out2);
    char *slow = NULL;
    url_err es = url_resolve_curl(&a, base, ref, &slow);
    if (es != e || (e == URL_OK && strcmp(out, slow) != 0))
        FUZZ_FAIL("url_resolve(\"%s\", \"%s\") = %s \"%s\", url_resolve_curl: %s \"%s\"", base, ref,
                  url_err_str(e), e == URL_OK ? out : "", url_err_str(es),
                  es == URL_OK ? slow : "");
    /* The reference on its own. */
    if (url_normalize(&a, ref, &out) == URL_OK)
        check_result(&a, out);
    arena_release(&a);
    free(buf);
    return 0;
}
