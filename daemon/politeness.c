/* politeness — see politeness.h. */
#include "politeness.h"
#include "alloc.h"

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
        if (h != keep && h->in_flight == 0 && h->rstate != ROBOTS_FETCHING) {
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

void politeness_set_robots(politeness *p, polite_host *h, robots *rules, uint64_t now_ms,
                           const char *why)
{
    robots_free(h->rules);
    h->rules = rules;
    alloc_strfree(h->robots_why);
    h->robots_why = why ? alloc_strdup(why) : NULL; /* on OOM: no reason, same rules */
    h->rstate = ROBOTS_KNOWN;
    h->rules_until_ms = now_ms + p->ttl_ms;
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
    return d;
}
