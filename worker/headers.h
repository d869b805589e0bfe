/* headers — what a crawler obeys in a page's response headers, beside the
 * HTML's own: X-Robots-Tag (read as <meta name=robots> is: noindex,
 * nofollow, none) and a Link header's rel="canonical" target. Pure string
 * work on values curl hands over; the only allocation is the canonical's
 * copy in the caller's arena. */
#ifndef CRAWLD_HEADERS_H
#define CRAWLD_HEADERS_H

#include "arena.h"

/* Applies one X-Robots-Tag value: sets *noindex and *nofollow (never
 * clears them). The value is a comma-separated list of directives, matched
 * ASCII case-insensitively: "noindex", "nofollow", "none" (both); others
 * (noarchive, max-snippet: 20, unavailable_after: DATE, …) are ignored.
 * A value that starts with "NAME:" where NAME is one token and no
 * directive that takes a value is for that crawler only: it applies when
 * NAME equals agent (the robots product token, "crawld"), else it is
 * skipped whole ("googlebot: noindex" is not ours). agent NULL: only the
 * generic form applies. */
void headers_x_robots(const char *value, const char *agent, int *noindex, int *nofollow);

/* The target of the first link with rel="canonical" (rel a space-separated
 * list, quoted or not, matched case-insensitively) in a Link header value
 * (RFC 8288: `<URI>; rel="canonical", <URI2>; rel=alternate`), resolved
 * against base into a (url_resolve's normal form). NULL when there is none
 * or it does not resolve. */
const char *headers_link_canonical(arena *a, const char *value, const char *base);

#endif
