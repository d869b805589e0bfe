/* robots — robots.txt (RFC 9309) parsed for one product token, matched
 * against paths, plus the policy that turns an HTTP outcome into rules.
 * Fetching (first ROBOTS_MAX_BYTES, up to 5 redirects) and caching are the
 * caller's; RFC 9309 says a cached copy SHOULD NOT serve past 24 hours.
 * A robots object is one block from the process allocator, immutable once
 * built (any thread may match against it); the allow-all and disallow-all
 * objects are static and never fail. Free every object with robots_free. */
#ifndef CRAWLD_ROBOTS_H
#define CRAWLD_ROBOTS_H

#include <stddef.h>

#define ROBOTS_MAX_BYTES (500 * 1024) /* RFC 9309 §2.5: at least 500 KiB */
#define ROBOTS_MAX_LINE (16 * 1024)   /* longer lines are skipped */
#define ROBOTS_DELAY_SATURATE_MS 2147483647L
#define ROBOTS_MATCH_BUDGET (16u * 1024 * 1024) /* steps per robots_allowed */

typedef struct robots robots; /* rules that apply to one product token */

/* Parses body (len bytes, NULL allowed when len is 0) for product token
 * `agent` (NULL or a value without a token: only "*" groups apply). NULL
 * only when the process allocator failed; nothing is then left allocated.
 *
 *  - only the first ROBOTS_MAX_BYTES are read; when the body is longer, the
 *    line cut by that limit is dropped too (a cut pattern would mean
 *    something else); a UTF-8 BOM at the start is skipped;
 *  - lines end in LF, CRLF or CR; a line over ROBOTS_MAX_LINE bytes is
 *    skipped whole; '#' starts a comment; a line is `key: value` (no colon:
 *    ignored), keys case-insensitive, whitespace around key and value
 *    trimmed; NUL bytes and invalid UTF-8 are plain octets;
 *  - keys: user-agent (also "useragent", "user agent"), allow, disallow
 *    (also Google's typos "dissallow", "dissalow", "disalow", "diasllow",
 *    "disallaw"), crawl-delay (also "crawldelay", "crawl delay"), sitemap
 *    (also "site-map"); anything else is ignored;
 *  - groups: consecutive user-agent lines open one group; an allow,
 *    disallow or crawl-delay line ends the run, so the next user-agent line
 *    opens a new group. Sitemap and unknown lines do not end a run. Rules
 *    before the first user-agent line are ignored;
 *  - product tokens: of a user-agent value and of `agent`, the leading run
 *    of [A-Za-z_-] is the token ("crawld/1.0" → "crawld", "crawld-bot" stays
 *    "crawld-bot"); tokens compare case-insensitively. A value that is "*"
 *    (alone, or followed by whitespace) names every crawler;
 *  - selection: every group naming our token, merged; if none, every "*"
 *    group, merged; if none, no rules (everything allowed). A group that
 *    names both us and "*" counts as naming us. A group naming us with no
 *    rules means everything is allowed for us;
 *  - patterns: an empty allow/disallow is no rule. A pattern that starts
 *    with neither '/' nor '*' gets a '/' in front (the site owner's intent,
 *    and the safer reading for us). '*' matches any run of octets, '$' at
 *    the end anchors, a '$' elsewhere is a literal;
 *  - crawl-delay: a non-negative decimal, fraction allowed ("0.5", ".5"),
 *    read up to the first octet that is not part of it ("10s" → 10 s); no
 *    digits → ignored. Milliseconds, fraction truncated past 1 ms,
 *    saturating at ROBOTS_DELAY_SATURATE_MS. Several in the selected groups:
 *    the largest. Capping is the caller's job;
 *  - sitemaps: every Sitemap value (global, whatever the group), as given,
 *    in file order; one with a control octet inside is dropped. */
robots *robots_parse(const char *body, size_t len, const char *agent);

/* Static objects: never NULL, robots_free is a no-op on them. */
robots *robots_allow_all(void);    /* 4xx, too many redirects */
robots *robots_disallow_all(void); /* 5xx, 429, unreachable */

/* The status policy (RFC 9309 §2.3.1): 2xx → robots_parse(body); 3xx (the
 * caller follows up to 5 redirects, so one arriving here means more) and
 * 4xx, 401 and 403 included → allow all; 429 → disallow all (Google reads
 * it as a server error: the host asks us to back off); 5xx, 0 (network
 * error, unreachable) and anything else → disallow all. NULL only when
 * robots_parse ran out of memory: do not cache that as an answer. (RFC 9309
 * §2.3.1.4 lets a crawler treat a file as unavailable after 30 days of 5xx:
 * a caller's cache policy.) */
robots *robots_from_response(long status, const char *body, size_t len, const char *agent);

/* 1 when the outcome means robots.txt could not be read, so the policy
 * above disallows everything (429, 5xx, 0 and any status outside 2xx-4xx,
 * or fetch_failed whatever the status); 0 when the file or its absence
 * decides. The one statement of that rule: robots_from_response uses it. */
int robots_unreadable(long status, int fetch_failed);

/* 1 allowed, 0 disallowed. path_and_query starts with '/' (NULL or "" is
 * read as "/"); no fragment. r NULL → 0. Allocates nothing.
 *
 * RFC 9309 §2.2.2/§2.2.3. Pattern and path are compared in a normal form:
 * %XX of an unreserved octet (A-Z a-z 0-9 - . _ ~) decoded, other %XX with
 * uppercase hex, a '%' that starts no escape, octets <= 0x20, 0x7F and
 * non-ASCII percent-encoded; in the path, '*' and '$' are
 * encoded too (%2A, %24), so a pattern writes a literal '*' as %2A (§2.2.3).
 * Reserved characters are not equated with their escapes ("/" ≠ "%2F").
 * A pattern matches a prefix of the path (whole path if it ends in '$').
 * The matching rule with the longest normalised pattern (octets, '*' and '$'
 * included) decides; Allow wins a tie; no match → allowed. "/robots.txt"
 * (alone or with a query) is always allowed. Cost per rule is O(path ×
 * pattern) at worst (greedy wildcard matching, no backtracking blow-up);
 * rules are kept longest first so the first match decides. A file built to
 * be slow (long '*' patterns against long paths) could still cost seconds
 * per path, so one call stops after ROBOTS_MATCH_BUDGET matching steps and
 * answers "disallowed"; ordinary files use a tiny fraction of the budget
 * (docs/platform-notes.md has its cost). */
int robots_allowed(const robots *r, const char *path_and_query);

/* Crawl-delay of the selected groups in milliseconds; -1 when none. */
long robots_crawl_delay_ms(const robots *r);

/* Rules kept (the selected groups' non-empty allow/disallow lines); 0 for
 * the static objects. */
size_t robots_rule_count(const robots *r);
/* Rule i in precedence order (longest first, Allow before Disallow on a
 * tie): its normalised pattern, and *allow set to 1 or 0. NULL when i is out
 * of range. */
const char *robots_rule(const robots *r, size_t i, int *allow);

size_t robots_sitemap_count(const robots *r);
const char *robots_sitemap(const robots *r, size_t i); /* NULL out of range */

/* Bytes the object holds from the process allocator (0 for static ones). */
size_t robots_size(const robots *r);

void robots_free(robots *r); /* r may be NULL */

#endif
