/* scope — decides which discovered URLs a crawl job may fetch: the kind of
 * `--scope`, the depth and page limits, a URL length limit and a guard
 * against crawler traps. A scope is compiled once per job (scope_new) and
 * owns all it holds, path counters included (process allocator, freed by
 * scope_free). scope_check is pure and allocation-free (any thread);
 * scope_note_path and scope_admit keep per-job counters: the caller
 * serialises them. Seeds and checked URLs are normalised absolute URLs. */
#ifndef CRAWLD_SCOPE_H
#define CRAWLD_SCOPE_H

#include <stddef.h>

/* Kinds (a URL must be http or https for every kind):
 *   host    (default) the URL's host and port equal a seed's. Hosts compare
 *           ASCII case-insensitively; the port is the one in the normal form,
 *           a scheme's default port counting as no port, so http://h/ and
 *           https://h/ are the same site (either scheme is in) while
 *           http://127.0.0.1:8080/ and http://127.0.0.1:9090/ are not.
 *           Userinfo is ignored.
 *   domain  the URL's registrable domain (public suffix list, libpsl's
 *           built-in list including the private section, so a.github.io
 *           and b.github.io are different domains while a.example.co.uk and
 *           b.example.co.uk are the same) equals a seed's; the port does not
 *           matter. An IP address, or a host with no registrable domain
 *           ("localhost", "co.uk", "github.io"), is compared by the host
 *           rule instead (host and port), on both sides.
 *   prefix  the URL starts with a seed up to and including the last '/' of
 *           the seed's path: seed http://a/b/c.html gives http://a/b/,
 *           seed http://a/b/ gives http://a/b/. Scheme, userinfo and port
 *           are read as in the host rule; the path compares byte for byte.
 *   regex:RE  the whole normalised URL matches the POSIX extended regular
 *           expression RE (regcomp REG_EXTENDED|REG_NOSUB, unanchored: use
 *           ^ and $ to anchor). Seeds play no part. */
typedef enum scope_kind { SCOPE_HOST, SCOPE_DOMAIN, SCOPE_PREFIX, SCOPE_REGEX } scope_kind;

typedef enum scope_verdict {
    SCOPE_IN = 0,
    SCOPE_OUT_HOST,    /* host scope: another host or port */
    SCOPE_OUT_DOMAIN,  /* domain scope: another registrable domain */
    SCOPE_OUT_PREFIX,  /* prefix scope: under no seed's prefix */
    SCOPE_OUT_REGEX,   /* regex scope: no match */
    SCOPE_TOO_DEEP,    /* depth > max_depth */
    SCOPE_TOO_LONG,    /* strlen(url) > max_url_len */
    SCOPE_TRAP,        /* a trap rule (scope_check, scope_note_path) */
    SCOPE_BAD_URL,     /* NULL, not http(s)://, or no host */
    SCOPE_MAX_PAGES,   /* scope_admit: the job's page budget is spent */
    SCOPE_EXCLUDED,    /* an --exclude pattern matches */
    SCOPE_NOT_INCLUDED /* --include patterns given, none matches */
} scope_verdict;

/* Limits. A limit set to 0 (or below, for the ints) is off, except
 * max_depth: 0 means seeds only, below 0 is off. */
typedef struct scope_opts {
    int max_depth;               /* 3: seeds are depth 0 (CLI --depth) */
    size_t max_pages;            /* 1000: URLs scope_admit lets in (--max-pages) */
    size_t max_url_len;          /* 2048 bytes */
    int max_path_segments;       /* 64 */
    int max_repeat_segments;     /* 3: a segment may occur 3 times, not 4 */
    int max_query_params;        /* 32 */
    size_t max_query_len;        /* 1024 bytes, without the '?' */
    unsigned max_query_variants; /* 1000 per scheme://authority/path */
    size_t max_tracked_paths;    /* 65536 paths (a 2 MiB table at most) */
} scope_opts;

/* Fills o with the defaults above. */
void scope_opts_init(scope_opts *o);

typedef struct scope scope;

/* Compiles spec ("host" | "domain" | "prefix" | "regex:RE"; NULL means
 * "host") against nseeds seed URLs (each run through url_normalize, so a
 * seed that is not an absolute http(s) URL is an error). opts NULL means
 * scope_opts_init's defaults; it is copied. host, domain and prefix need at
 * least one seed. Returns NULL with a one-line message in err (when errlen
 * > 0) naming what was wrong: `scope: unknown kind "hots"`,
 * `scope: regex: <regerror text>`, `scope: seed "x": malformed URL`,
 * `scope: no seed URLs`, `scope: out of memory`. Nothing is left allocated
 * on failure. Free with scope_free. */
scope *scope_new(const char *spec, const char *const *seeds, size_t nseeds, const scope_opts *opts,
                 char *err, size_t errlen);
void scope_free(scope *s); /* s may be NULL */

/* Validates a spec alone (kind and regex), as scope_new would: 0, or -1
 * with the same message in err. For crawlctl to refuse a bad --scope. */
int scope_spec_check(const char *spec, char *err, size_t errlen);

/* --- URL filters (crawlctl submit --exclude RE / --include RE) ---
 * Beside the kind: a URL the kind admits is still out when any exclude
 * pattern matches it, or when include patterns were given and none
 * matches. Patterns are POSIX extended regular expressions (regcomp
 * REG_EXTENDED|REG_NOSUB) matched unanchored against the whole normalised
 * URL, as regex:RE is. At most SCOPE_MAX_FILTERS of each, each at most
 * SCOPE_MAX_FILTER_LEN bytes. */
#define SCOPE_MAX_FILTERS 32
#define SCOPE_MAX_FILTER_LEN 1024

/* Checks one pattern alone, as scope_add_filter would: 0, or -1 with
 * `regex: <regerror text> in "RE"` (or the empty / too long message). */
int scope_filter_check(const char *re, char *err, size_t errlen);
/* Compiles re into s as an exclude (include 0) or include (include 1)
 * pattern. 0, or -1 with scope_filter_check's message, `too many
 * patterns (at most 32)` or `out of memory`; s is unchanged then. */
int scope_add_filter(scope *s, int include, const char *re, char *err, size_t errlen);

/* The verdict for url found at depth, first failing test wins, in this
 * order: BAD_URL (NULL url), TOO_LONG, BAD_URL (not http(s)://host),
 * OUT_* (the kind), EXCLUDED, NOT_INCLUDED (the filters), TOO_DEEP, TRAP
 * (stateless rules). Seeds are checked like
 * any URL (a regex seed may be out); a caller that always fetches its seeds
 * skips the check for them. No allocation, no state change.
 *
 * Trap guard (the stateless part). The path is cut at '/' into
 * segments; the empty piece after a trailing '/' is not a segment ("/" has
 * none, "/a/b/" has two, "/a//b" has three, the middle one empty). A URL is
 * a trap when:
 *   - it has more than max_path_segments segments, or
 *   - any one segment (byte-exact, the empty one included) occurs more than
 *     max_repeat_segments times: /a/b/a/b/a/b/a/b, the result of relative
 *     links resolved against ever deeper paths, or calendar loops, or
 *   - its query is longer than max_query_len bytes or has more than
 *     max_query_params '&'-separated parameters. */
scope_verdict scope_check(const scope *s, const char *url, int depth);

/* Counts url as one more variant of its path: SCOPE_IN while the path has
 * been noted at most max_query_variants times (this call included), then
 * SCOPE_TRAP; SCOPE_BAD_URL for a URL scope_check would call bad. Call it
 * once per distinct URL (after the frontier's seen-set), or repeats of one
 * URL count as variants. An allocation failure while growing the table
 * leaves the path uncounted (SCOPE_IN).
 *
 * The trap guard's stateful part: endless query variants of one path
 * (?page=1,2,3…, session ids, sort orders). Every scheme://authority/path
 * (the URL up to '?') may be noted at most max_query_variants times; later
 * variants are traps. The counters live in a hash table of at most
 * max_tracked_paths paths (64-bit keyed hashes of the path with their
 * counts, 16 bytes a slot, the table at most half full, process allocator);
 * once it is full, paths not yet in it are not counted (the page budget
 * still bounds the crawl). */
scope_verdict scope_note_path(scope *s, const char *url);
/* Drops the path counters (for a job that ended: 32-64 bytes a path it
 * saw, which an ended job would otherwise keep for the daemon's life);
 * counting starts again from nothing if the scope is used again. */
void scope_forget_paths(scope *s);

/* What the frontier calls once per new URL: scope_check, then SCOPE_MAX_PAGES
 * when max_pages URLs were already admitted, then scope_note_path; a URL
 * that passes all three is counted against max_pages and gets SCOPE_IN. */
scope_verdict scope_admit(scope *s, const char *url, int depth);

size_t scope_pages_admitted(const scope *s);
scope_kind scope_get_kind(const scope *s);

/* "in", "out_of_scope:host", "out_of_scope:domain", "out_of_scope:prefix",
 * "out_of_scope:regex", "too_deep", "too_long", "trap", "bad_url",
 * "max_pages", "excluded", "not_included"; "unknown" for anything else.
 * Static strings. */
const char *scope_verdict_str(scope_verdict v);

#endif
