/* politeness — per-host state of the supervisor, in memory: when the next
 * request to a host may start (delay_ms, or the site's Crawl-delay when
 * larger, capped at max_crawl_delay_ms), how many pages are in flight there
 * (capped by per_host_concurrency), and the host's robots.txt rules, cached
 * for robots_ttl_s across jobs.
 *
 * A host is "scheme://host[:port]" of a normalised URL. Hosts are
 * unbounded in a long-running daemon, so the table keeps at most max_hosts
 * entries: when it is full, the least recently used idle host (nothing in
 * flight, no robots fetch under way) is evicted with its rules; a busy one
 * is never evicted (the table may then pass the cap for a while). */
#ifndef CRAWLD_POLITENESS_H
#define CRAWLD_POLITENESS_H

#include "robots.h"

#include <stddef.h>
#include <stdint.h>

typedef enum robots_state {
    ROBOTS_UNKNOWN = 0, /* never fetched, or expired */
    ROBOTS_FETCHING,    /* a worker is fetching it: the host's URLs wait */
    ROBOTS_KNOWN
} robots_state;

typedef struct polite_host {
    struct polite_host *hnext;         /* hash chain */
    struct polite_host *lprev, *lnext; /* LRU list, most recent first */
    char *origin;
    uint64_t next_ok_ms; /* loop time the next request may start */
    int in_flight;       /* pages and robots fetches under way */
    robots_state rstate;
    robots *rules;           /* ROBOTS_KNOWN */
    char *robots_why;        /* why robots.txt was not read when the rules are
                              * "disallow all" for want of it ("503", a fetch
                              * error); NULL when the rules are the file's */
    uint64_t rules_until_ms; /* TTL */
    int robots_attempts;     /* robots fetches lost to a worker crash */
} polite_host;

typedef struct politeness {
    polite_host **buckets;
    size_t nbuckets, count, max_hosts;
    polite_host *lru_head, *lru_tail;
    uint64_t ttl_ms;
    long max_crawl_delay_ms;
    long evicted;
} politeness;

int politeness_init(politeness *p, size_t max_hosts, uint64_t ttl_ms, long max_crawl_delay_ms);
void politeness_free(politeness *p);

/* "scheme://host[:port]" of a normalised URL into buf; its path+query in
 * *path (points into url). 0, or -1 when url is not scheme://host. */
int politeness_origin(const char *url, char *buf, size_t cap, const char **path);

/* The host's entry, made when new (NULL only on allocation failure); marks
 * it most recently used and may evict idle hosts. Expired rules go back to
 * ROBOTS_UNKNOWN. */
polite_host *politeness_get(politeness *p, const char *origin, uint64_t now_ms);
/* Takes ownership of rules (robots_from_response's); why (copied; NULL
 * for none) says why they are not the file's own, for the records of the
 * pages they disallow. */
void politeness_set_robots(politeness *p, polite_host *h, robots *rules, uint64_t now_ms,
                           const char *why);
/* The gap to keep after a request to h: max(base_delay_ms, Crawl-delay
 * capped at max_crawl_delay_ms). */
long politeness_delay_ms(const politeness *p, const polite_host *h, long base_delay_ms);

#endif
