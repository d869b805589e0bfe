/* url — resolve and normalise URLs with libcurl's URL API (CURLU), so one
 * page never appears under two spellings.
 *
 * Normal form: scheme and host lowercase, default port dropped, dot segments
 * removed, empty path → "/", fragment dropped, percent-encoding of unreserved
 * characters decoded and other escapes' hex uppercased, query kept as given.
 * Only http and https are crawlable. */
#ifndef CRAWLD_URL_H
#define CRAWLD_URL_H

#include "arena.h"

typedef enum url_err {
    URL_OK = 0,
    URL_EMPTY,       /* empty or whitespace only */
    URL_SKIPPED,     /* fragment-only, javascript:, mailto:, tel:, data: … */
    URL_BAD_SCHEME,  /* a scheme other than http/https */
    URL_MALFORMED,   /* curl could not parse it */
    URL_NO_HOST,
    URL_TOO_LONG,    /* longer than URL_MAX_LEN */
    URL_NOMEM
} url_err;

#define URL_MAX_LEN 8192

/* Resolves ref against base (base NULL: ref must be absolute) and writes the
 * normal form into *out, allocated in a (or with the process allocator when
 * a is NULL: free with alloc_strfree). Leading/trailing ASCII whitespace of
 * ref is ignored, as browsers do. */
url_err url_resolve(arena *a, const char *base, const char *ref, char **out);
/* url_resolve(a, NULL, url, out). */
url_err url_normalize(arena *a, const char *url, char **out);
const char *url_err_str(url_err e);
/* Lowercase host of a normalised absolute URL, copied into buf; 0 or -1. */
int url_host(const char *url, char *buf, size_t cap);

#endif
