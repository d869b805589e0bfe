/* url — resolve and normalise URLs with libcurl's URL API (CURLU), so one
 * page never appears under two spellings. Results go into the arena the
 * caller passes, or the process allocator when it passes none (the caller
 * frees them); on error nothing is allocated. No logging, no state: any
 * thread. Only http and https are crawlable. */
#ifndef CRAWLD_URL_H
#define CRAWLD_URL_H

#include "arena.h"

typedef enum url_err {
    URL_OK = 0,
    URL_EMPTY,      /* empty or whitespace only */
    URL_SKIPPED,    /* fragment-only, javascript:, mailto:, tel:, data: … */
    URL_BAD_SCHEME, /* a scheme other than http/https */
    URL_MALFORMED,  /* curl could not parse it */
    URL_NO_HOST,
    URL_TOO_LONG, /* longer than URL_MAX_LEN */
    URL_NOMEM,
    URL_BAD_IDN /* a non-ASCII host libidn2 refuses (IDNA2008 / UTS #46) */
} url_err;

#define URL_MAX_LEN 8192

/* Resolves ref against base (base NULL: ref must be absolute, else
 * URL_MALFORMED) and writes the normal form into *out, allocated in a (or
 * with the process allocator when a is NULL: free with alloc_strfree).
 * On any error *out is NULL and nothing is allocated.
 * URL_EMPTY: ref NULL, empty or whitespace only. URL_SKIPPED: "#…" only, or
 * javascript: mailto: tel: data: about: blob: sms: callto:. URL_BAD_SCHEME:
 * any other scheme, in ref or base. URL_TOO_LONG: ref (without fragment,
 * once percent-encoded) or the result over URL_MAX_LEN bytes. URL_MALFORMED:
 * curl refused it (bad host, port out of 0-65535, IPv6 zone id, …).
 *
 * URL_BAD_IDN: a non-ASCII host that is no valid internationalised name.
 *
 * Normal form: scheme and host lowercase, an internationalised host in
 * punycode (IDNA2008 with UTS #46 mapping, non-transitional: MÜNCHEN.de
 * and münchen.de give xn--mnchen-3ya.de; A-labels are taken as given,
 * lowercased), default port dropped (http 80, https 443), dot
 * segments removed (also "%2e" ones), empty path → "/", fragment dropped,
 * userinfo kept as given (an empty one dropped), and in path and query:
 * %XX of an unreserved character (A-Z a-z 0-9 - . _ ~) decoded, other
 * escapes' hex uppercased, a '%' that starts no escape written "%25", and
 * spaces, controls, non-ASCII bytes and the WHATWG set (path: " < > ` { };
 * query: " < > ') percent-encoded. An empty query ("?") is dropped.
 * normalize(normalize(x)) == normalize(x).
 *
 * References are read the way browsers read links (WHATWG): ASCII
 * whitespace and C0 controls around ref are ignored, tabs and newlines
 * inside are removed, '\' before the query is '/', "http:foo" is relative
 * against an http base, any number of slashes may follow "http:". */
url_err url_resolve(arena *a, const char *base, const char *ref, char **out);
/* The same, always through curl's URL API: url_resolve takes a string-only
 * fast path for a path reference against a base in normal form (url.c);
 * the tests check the two agree. */
url_err url_resolve_curl(arena *a, const char *base, const char *ref, char **out);
/* url_resolve(a, NULL, url, out). */
url_err url_normalize(arena *a, const char *url, char **out);
const char *url_err_str(url_err e);
/* Lowercase host of a normalised absolute URL (an IPv6 literal keeps its
 * brackets, as curl's CURLUPART_HOST), copied into buf; 0, or -1 when url
 * is not http(s)://host… or the host does not fit in cap bytes. */
int url_host(const char *url, char *buf, size_t cap);

#endif
