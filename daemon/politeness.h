/* politeness — the supervisor's per-host state, in memory: when a host's
 * next request may start (delay_ms, or its Crawl-delay capped at
 * max_crawl_delay_ms), what is in flight there, and its robots.txt rules,
 * cached for robots_ttl_s across jobs. A host is "scheme://host[:port]".
 * This module owns every polite_host field: callers change a host only
 * through the transitions below and read it through the queries.
 * Invariants: in_flight >= 0; a ROBOTS_FETCHING host counts its fetch in
 * in_flight; at most max_hosts entries, evicting the least recently used
 * idle host (nothing in flight, no fetch under way) — a busy one never, so
 * the table may pass the cap for a while. */
#ifndef CRAWLD_POLITENESS_H
#define CRAWLD_POLITENESS_H

#include "robots.h"

#include <stddef.h>
#include <stdint.h>

/* UNKNOWN -fetching-> FETCHING -read-> KNOWN; FETCHING -lost, failed->
 * UNKNOWN (failed: KNOWN "disallow all" once max_attempts fetches died);
 * KNOWN -TTL passed (politeness_get)-> UNKNOWN. */
typedef enum robots_state {
    ROBOTS_UNKNOWN = 0, /* never fetched, expired, or its fetch was lost */
    ROBOTS_FETCHING,    /* a worker is fetching it: the host's URLs wait */
    ROBOTS_KNOWN        /* rules cached until rules_until_ms */
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
    int robots_retries;      /* robots fetches the server refused (503, 429, …) in a row */
    /* Back-off (backoff.h): the delay a host that refused (429, 503, …)
     * gets, grown while it refuses, halved after each answer, 0 when none;
     * the latency-following delay when [politeness] adaptive_delay is on. */
    long refusal_ms;
    long adapt_ms;
} polite_host;

typedef struct politeness {
    polite_host **buckets;
    size_t nbuckets, count, max_hosts;
    polite_host *lru_head, *lru_tail;
    uint64_t ttl_ms;
    long max_crawl_delay_ms;
    long evicted;
    /* Back-off settings (politeness_set_backoff) and how many hosts have a
     * refusal delay now (refusal_ms > 0): such a host is never evicted. */
    long retry_base_ms, retry_max_ms;
    int adaptive;
    long adaptive_max_ms;
    int adaptive_target;
    long backing_off;
} politeness;

int politeness_init(politeness *p, size_t max_hosts, uint64_t ttl_ms, long max_crawl_delay_ms);
void politeness_free(politeness *p);
/* The back-off settings ([politeness] retry_base_ms, retry_max_ms,
 * adaptive_delay, adaptive_max_delay_ms, adaptive_target_concurrency). */
void politeness_set_backoff(politeness *p, long retry_base_ms, long retry_max_ms, int adaptive,
                            long adaptive_max_ms, int adaptive_target);

/* "scheme://host[:port]" of a normalised URL into buf; its path+query in
 * *path (points into url). 0, or -1 when url is not scheme://host. */
int politeness_origin(const char *url, char *buf, size_t cap, const char **path);

/* The host's entry, made when new (NULL only on allocation failure); marks
 * it most recently used and may evict idle hosts. Expired rules go back to
 * ROBOTS_UNKNOWN. */
polite_host *politeness_get(politeness *p, const char *origin, uint64_t now_ms);

/* Transitions, each named for what happened to the host. */

/* A page of h goes to a worker at now_ms: one more in flight, and the next
 * request to h waits politeness_delay_ms(base_delay_ms) from now. */
void politeness_host_take(politeness *p, polite_host *h, uint64_t now_ms, long base_delay_ms);
/* A page of h came back (result, failure, dropped): one less in flight; the
 * next request waits the delay from now, unless it must wait longer already. */
void politeness_host_release(politeness *p, polite_host *h, uint64_t now_ms, long base_delay_ms);
/* A page of h came back never started: one less in flight; the wait set
 * when it was taken stands. */
void politeness_host_unstarted(polite_host *h);
/* A worker is sent for h's robots.txt: h's pages wait for it, and it
 * counts as in flight at h. */
void politeness_robots_fetching(polite_host *h);
/* The robots.txt fetch answered: rules (robots_from_response's) are h's
 * from here, cached for the TTL; why (copied; NULL for none) says why they
 * are not the file's own, for the records of the pages they disallow. One
 * less in flight, the count of lost fetches reset, and the next request
 * waits the delay (the new Crawl-delay counted) unless it waits longer. */
void politeness_robots_read(politeness *p, polite_host *h, robots *rules, uint64_t now_ms,
                            const char *why, long base_delay_ms);
/* The fetch came back with nothing to keep (never started, or its rules
 * could not be built): one less in flight, robots.txt asked for again. */
void politeness_robots_lost(polite_host *h);
/* The fetch's worker died: one less in flight; asked for again, until
 * max_attempts fetches have died so: then h is "disallow all" (unreachable). */
void politeness_robots_failed(politeness *p, polite_host *h, int max_attempts, uint64_t now_ms);
/* The server refused the fetch (a retryable answer: 503, 429, a reset…)
 * and retries are left: as politeness_host_refused, then asked for again
 * once h may start; h->robots_retries counts these until a read. */
void politeness_robots_refused(politeness *p, polite_host *h, uint64_t now_ms, long wait_ms);

/* A page of h was refused (backoff_retryable): one less in flight, h's
 * refusal delay grows (backoff_host_refused) and its next request waits
 * at least wait_ms from now. */
void politeness_host_refused(politeness *p, polite_host *h, uint64_t now_ms, long wait_ms);
/* A page of h was answered in latency_ms and not refused (ok: a 2xx/3xx):
 * h's refusal delay recovers (halves); with adaptive_delay on, its delay
 * follows the latency (backoff_adapt_ms, base_delay_ms the floor). Call
 * before politeness_host_release, which applies the delay. */
void politeness_host_answered(politeness *p, polite_host *h, double latency_ms, int ok,
                              long base_delay_ms);
/* h's back-off as kept across a restart: its refusal delay, and its next
 * request not before next_ok_ms (loop time). */
void politeness_host_restore(politeness *p, polite_host *h, long refusal_ms, uint64_t next_ok_ms);

/* Queries. */

/* h's refusal delay (0: none). */
long politeness_host_refusal_ms(const polite_host *h);
/* Hosts with a refusal delay now. */
long politeness_backing_off(const politeness *p);

/* 1 when h's robots.txt should be fetched now: not known, not being
 * fetched, nothing in flight at h. */
int politeness_robots_needed(const polite_host *h);
/* 1 when h's rules are known (cached and not expired at politeness_get). */
int politeness_robots_known(const polite_host *h);
/* 1 when h's known rules allow path (path and query, from politeness_origin). */
int politeness_robots_allow(const polite_host *h, const char *path);
/* Why h's rules are "disallow all" for want of its robots.txt ("status
 * 503", a fetch error); NULL when they are the file's own. */
const char *politeness_robots_why(const polite_host *h);
/* 1 when a page of h may start at now_ms: fewer than max_in_flight under
 * way and its delay passed; when only the delay holds it, *wake is lowered
 * to when the delay passes. */
int politeness_host_may_start(const polite_host *h, uint64_t now_ms, int max_in_flight,
                              uint64_t *wake);
/* The gap to keep after a request to h: max(base_delay_ms, Crawl-delay
 * capped at max_crawl_delay_ms, its refusal delay, its adaptive delay). */
long politeness_delay_ms(const politeness *p, const polite_host *h, long base_delay_ms);

#endif
