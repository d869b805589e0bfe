/* politeness — see politeness.h. */
#include "politeness.h"
#include "alloc.h"
#include "backoff.h"

#include <string.h>

static size_t hash_str(const char *s)
{
    size_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

int politeness_init(politeness *p, size_t max_hosts, uint64_t ttl_ms, long max_crawl_delay_ms)
{
    memset(p, 0, sizeof(*p));
    p->nbuckets = 4096;
    p->buckets = alloc_zeroed(p->nbuckets * sizeof(*p->buckets));
    p->max_hosts = max_hosts ? max_hosts : 1;
    p->ttl_ms = ttl_ms;
    p->max_crawl_delay_ms = max_crawl_delay_ms;
    return p->buckets ? 0 : -1;
}

void politeness_set_backoff(politeness *p, long retry_base_ms, long retry_max_ms, int adaptive,
                            long adaptive_max_ms, int adaptive_target)
{
    p->retry_base_ms = retry_base_ms;
    p->retry_max_ms = retry_max_ms;
    p->adaptive = adaptive;
    p->adaptive_max_ms = adaptive_max_ms;
    p->adaptive_target = adaptive_target;
}

static void host_free(polite_host *h)
{
    robots_free(h->rules);
    alloc_strfree(h->robots_why);
    alloc_strfree(h->origin);
    ALLOC_FREE(h);
}

void politeness_free(politeness *p)
{
    polite_host *h = p->lru_head, *n;
    for (; h; h = n) {
        n = h->lnext;
        host_free(h);
    }
    alloc_free(p->buckets, p->nbuckets * sizeof(*p->buckets));
    memset(p, 0, sizeof(*p));
}

int politeness_origin(const char *url, char *buf, size_t cap, const char **path)
{
    const char *s = strstr(url, "://");
    if (!s || s == url)
        return -1;
    const char *e = strchr(s + 3, '/');
    if (!e)
        e = s + 3 + strcspn(s + 3, "?#");
    size_t n = (size_t)(e - url);
    if (n == (size_t)(s + 3 - url) || n >= cap)
        return -1;
    memcpy(buf, url, n);
    buf[n] = '\0';
    if (path)
        *path = *e ? e : "/";
    return 0;
}

static void lru_unlink(politeness *p, polite_host *h)
{
    if (h->lprev)
        h->lprev->lnext = h->lnext;
    else
        p->lru_head = h->lnext;
    if (h->lnext)
        h->lnext->lprev = h->lprev;
    else
        p->lru_tail = h->lprev;
    h->lprev = h->lnext = NULL;
}

static void lru_push(politeness *p, polite_host *h)
{
    h->lnext = p->lru_head;
    h->lprev = NULL;
    if (p->lru_head)
        p->lru_head->lprev = h;
    p->lru_head = h;
    if (!p->lru_tail)
        p->lru_tail = h;
}

static void hash_unlink(politeness *p, polite_host *h)
{
    polite_host **pp = &p->buckets[hash_str(h->origin) & (p->nbuckets - 1)];
    for (; *pp; pp = &(*pp)->hnext)
        if (*pp == h) {
            *pp = h->hnext;
            return;
        }
}

static void evict_idle(politeness *p, const polite_host *keep)
{
    polite_host *h = p->lru_tail;
    while (p->count > p->max_hosts && h) {
        polite_host *prev = h->lprev;
        if (h != keep && h->in_flight == 0 && h->rstate != ROBOTS_FETCHING &&
            h->refusal_ms == 0) { /* a host backing off keeps its state */
            lru_unlink(p, h);
            hash_unlink(p, h);
            host_free(h);
            p->count--;
            p->evicted++;
        }
        h = prev;
    }
}

polite_host *politeness_get(politeness *p, const char *origin, uint64_t now_ms)
{
    size_t b = hash_str(origin) & (p->nbuckets - 1);
    polite_host *h = p->buckets[b];
    while (h && strcmp(h->origin, origin) != 0)
        h = h->hnext;
    if (h) {
        lru_unlink(p, h);
        lru_push(p, h);
    } else {
        h = ALLOC_NEW(polite_host);
        if (!h)
            return NULL;
        h->origin = alloc_strdup(origin);
        if (!h->origin) {
            ALLOC_FREE(h);
            return NULL;
        }
        h->hnext = p->buckets[b];
        p->buckets[b] = h;
        lru_push(p, h);
        p->count++;
        if (p->count > p->max_hosts)
            evict_idle(p, h);
    }
    if (h->rstate == ROBOTS_KNOWN && now_ms >= h->rules_until_ms) {
        robots_free(h->rules);
        h->rules = NULL;
        alloc_strfree(h->robots_why);
        h->robots_why = NULL;
        h->rstate = ROBOTS_UNKNOWN;
    }
    return h;
}

/* Takes ownership of rules; why as in politeness_robots_read. */
static void set_robots(politeness *p, polite_host *h, robots *rules, uint64_t now_ms,
                       const char *why)
{
    robots_free(h->rules);
    h->rules = rules;
    alloc_strfree(h->robots_why);
    h->robots_why = why ? alloc_strdup(why) : NULL; /* on OOM: no reason, same rules */
    h->rstate = ROBOTS_KNOWN;
    h->rules_until_ms = now_ms + p->ttl_ms;
}

/* A late answer for a host whose count was already taken back must not
 * drive it below zero (and so make it look idle to eviction). */
static void in_flight_down(polite_host *h)
{
    if (h->in_flight > 0)
        h->in_flight--;
}

/* Never brings the next start forward: a longer wait set before stands. */
static void wait_from(politeness *p, polite_host *h, uint64_t now_ms, long base_delay_ms)
{
    uint64_t next = now_ms + (uint64_t)politeness_delay_ms(p, h, base_delay_ms);
    if (next > h->next_ok_ms)
        h->next_ok_ms = next;
}

void politeness_host_take(politeness *p, polite_host *h, uint64_t now_ms, long base_delay_ms)
{
    h->in_flight++;
    h->next_ok_ms = now_ms + (uint64_t)politeness_delay_ms(p, h, base_delay_ms);
}

void politeness_host_release(politeness *p, polite_host *h, uint64_t now_ms, long base_delay_ms)
{
    in_flight_down(h);
    wait_from(p, h, now_ms, base_delay_ms);
}

void politeness_host_unstarted(polite_host *h) { in_flight_down(h); }

void politeness_robots_fetching(polite_host *h)
{
    h->rstate = ROBOTS_FETCHING;
    h->in_flight++;
}

void politeness_robots_read(politeness *p, polite_host *h, robots *rules, uint64_t now_ms,
                            const char *why, long base_delay_ms)
{
    in_flight_down(h);
    set_robots(p, h, rules, now_ms, why);
    h->robots_attempts = 0;
    h->robots_retries = 0;
    wait_from(p, h, now_ms, base_delay_ms);
}

void politeness_robots_refused(politeness *p, polite_host *h, uint64_t now_ms, long wait_ms)
{
    h->robots_retries++;
    politeness_host_refused(p, h, now_ms, wait_ms);
    h->rstate = ROBOTS_UNKNOWN; /* fetched again once the wait is over */
}

void politeness_robots_lost(polite_host *h)
{
    in_flight_down(h);
    h->rstate = ROBOTS_UNKNOWN;
}

void politeness_robots_failed(politeness *p, polite_host *h, int max_attempts, uint64_t now_ms)
{
    in_flight_down(h);
    /* A robots.txt that keeps killing workers is "unreachable". */
    if (++h->robots_attempts >= max_attempts)
        set_robots(p, h, robots_disallow_all(), now_ms, "its fetch ended the worker every time");
    else
        h->rstate = ROBOTS_UNKNOWN;
}

static void set_refusal(politeness *p, polite_host *h, long ms)
{
    p->backing_off += (ms > 0) - (h->refusal_ms > 0);
    h->refusal_ms = ms;
}

void politeness_host_refused(politeness *p, polite_host *h, uint64_t now_ms, long wait_ms)
{
    in_flight_down(h);
    set_refusal(p, h,
                backoff_host_refused(h->refusal_ms, wait_ms, p->retry_base_ms, p->retry_max_ms));
    uint64_t next = now_ms + (uint64_t)(wait_ms > 0 ? wait_ms : 0);
    if (next > h->next_ok_ms)
        h->next_ok_ms = next;
}

void politeness_host_answered(politeness *p, polite_host *h, double latency_ms, int ok,
                              long base_delay_ms)
{
    if (h->refusal_ms && ok)
        set_refusal(p, h, backoff_host_recovered(h->refusal_ms, p->retry_base_ms));
    if (p->adaptive)
        h->adapt_ms = backoff_adapt_ms(h->adapt_ms, latency_ms, p->adaptive_target, ok,
                                       base_delay_ms, p->adaptive_max_ms);
}

void politeness_host_restore(politeness *p, polite_host *h, long refusal_ms, uint64_t next_ok_ms)
{
    set_refusal(p, h, refusal_ms > 0 ? refusal_ms : 0);
    if (next_ok_ms > h->next_ok_ms)
        h->next_ok_ms = next_ok_ms;
}

long politeness_host_refusal_ms(const polite_host *h) { return h->refusal_ms; }

long politeness_backing_off(const politeness *p) { return p->backing_off; }

int politeness_robots_needed(const polite_host *h)
{
    return h->rstate == ROBOTS_UNKNOWN && h->in_flight == 0;
}

int politeness_robots_known(const polite_host *h) { return h->rstate == ROBOTS_KNOWN; }

int politeness_robots_allow(const polite_host *h, const char *path)
{
    return robots_allowed(h->rules, path);
}

const char *politeness_robots_why(const polite_host *h) { return h->robots_why; }

int politeness_host_may_start(const polite_host *h, uint64_t now_ms, int max_in_flight,
                              uint64_t *wake)
{
    if (h->in_flight >= max_in_flight)
        return 0; /* a page coming back wakes the scheduler, not a timer */
    if (now_ms < h->next_ok_ms) {
        if (h->next_ok_ms < *wake)
            *wake = h->next_ok_ms;
        return 0;
    }
    return 1;
}

long politeness_delay_ms(const politeness *p, const polite_host *h, long base_delay_ms)
{
    long d = base_delay_ms;
    if (h->rstate == ROBOTS_KNOWN && h->rules) {
        long cd = robots_crawl_delay_ms(h->rules);
        if (cd > p->max_crawl_delay_ms)
            cd = p->max_crawl_delay_ms;
        if (cd > d)
            d = cd;
    }
    if (h->refusal_ms > d)
        d = h->refusal_ms;
    if (h->adapt_ms > d)
        d = h->adapt_ms;
    return d;
}
