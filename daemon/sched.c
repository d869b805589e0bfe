/* sched — which page goes next (jobs_next, see jobs.h): round-robin over
 * running jobs, each job's cache of pending rows, the politeness and
 * robots checks, robots.txt tasks, the wake timer for when a waiting host
 * is ready, and jobs_settle: the records of the robots-disallowed rows a
 * look parked (looking writes nothing). */
#include "jobs_int.h"
#include "alloc.h"
#include "cookie.h"
#include "log.h"
#include "wire.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

void sched_freed_add(job *jb, const char *host)
{
    for (int i = 0; i < jb->nfreed; i++)
        if (strcmp(jb->freed[i], host) == 0)
            return;
    char *h = alloc_strdup(host);
    if (!h)
        return; /* a hint only: the cache finds the host's rows in time */
    if (jb->nfreed == JOBS_FREED_HOSTS) {
        alloc_strfree(jb->freed[0]);
        memmove(jb->freed, jb->freed + 1, (JOBS_FREED_HOSTS - 1) * sizeof(char *));
        jb->nfreed--;
    }
    jb->freed[jb->nfreed++] = h;
}

static void freed_drop(job *jb, int i)
{
    alloc_strfree(jb->freed[i]);
    memmove(jb->freed + i, jb->freed + i + 1, (size_t)(jb->nfreed - i - 1) * sizeof(char *));
    jb->nfreed--;
}

void sched_cache_clear(job *jb)
{
    while (jb->nfreed)
        freed_drop(jb, jb->nfreed - 1);
    if (jb->cache)
        store_rows_free(jb->cache, jb->cache_n);
    jb->cache_n = 0;
    jb->cache_end_id = 0;
    jb->cache_end_depth = 0;
    jb->cache_complete = 0;
    jb->cache_stale = 0;
}

/* A row robots.txt disallows, taken out of its job's cache by job_take
 * and parked on j->parked until jobs_settle gives it its record: looking
 * writes nothing, so a failed write cannot cut a look short, and the row,
 * out of the cache (and kept out of it by row_out), is recorded once. */
struct jobs_parked {
    struct jobs_parked *next;
    job *jb;
    store_row row; /* its strings are this entry's */
    char why[400];
};

/* Whether the row is out of the cache's hands: in flight, or parked. */
static size_t out_slot(long long id, size_t cap)
{
    return (size_t)(((unsigned long long)id * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
}

static void out_add(jobs *j, long long id)
{
    size_t i = out_slot(id, j->out_cap);
    while (j->out_ids[i] && j->out_ids[i] != id)
        i = (i + 1) & (j->out_cap - 1);
    j->out_ids[i] = id;
}

/* Hashes the ids of the rows out (pages in flight that are not stale, and
 * parked rows) for row_out, once per look: with many pages in flight a walk
 * of the list for every cached row cost more than the rest of a dispatch.
 * -1 when out of memory (row_out then walks the lists). */
static int out_build(jobs *j)
{
    size_t n = 0;
    for (const jobs_page *p = j->flight; p; p = p->next)
        n++;
    for (const jobs_parked *d = j->parked; d; d = d->next)
        n++;
    size_t cap = 64;
    while (cap < 2 * n)
        cap *= 2;
    if (cap > j->out_cap) {
        long long *ids = alloc_new(cap * sizeof(long long));
        if (!ids) {
            alloc_free(j->out_ids, j->out_cap * sizeof(long long));
            j->out_ids = NULL;
            j->out_cap = 0;
            return -1;
        }
        alloc_free(j->out_ids, j->out_cap * sizeof(long long));
        j->out_ids = ids;
        j->out_cap = cap;
    }
    memset(j->out_ids, 0, j->out_cap * sizeof(long long));
    for (const jobs_page *p = j->flight; p; p = p->next)
        if (p->kind == JOBS_PAGE && !p->stale && p->row_id)
            out_add(j, p->row_id);
    for (const jobs_parked *d = j->parked; d; d = d->next)
        if (d->row.id)
            out_add(j, d->row.id);
    return 0;
}

/* Whether the row is out: in flight (not stale) or parked. As of the last
 * out_build when it succeeded (built is 1), else from the lists. */
static int row_out(const jobs *j, long long row_id, int built)
{
    if (built) {
        size_t i = out_slot(row_id, j->out_cap);
        while (j->out_ids[i]) {
            if (j->out_ids[i] == row_id)
                return 1;
            i = (i + 1) & (j->out_cap - 1);
        }
        return 0;
    }
    for (const jobs_page *p = j->flight; p; p = p->next)
        if (p->kind == JOBS_PAGE && p->row_id == row_id && !p->stale)
            return 1;
    for (const jobs_parked *d = j->parked; d; d = d->next)
        if (d->row.id == row_id)
            return 1;
    return 0;
}

void sched_out_free(jobs *j)
{
    alloc_free(j->out_ids, j->out_cap * sizeof(long long));
    j->out_ids = NULL;
    j->out_cap = 0;
}

static void wake_cb(uv_timer_t *t)
{
    jobs *j = t->data;
    j->wake_at = 0;
    jobs_settle(j);
    if (j->on_wake)
        j->on_wake(j->wake_ud);
}

static jobs_page *page_new(jobs_page_kind kind, long long job_id, const char *url,
                           const char *origin)
{
    jobs_page *p = ALLOC_NEW(jobs_page);
    if (!p)
        return NULL;
    p->kind = kind;
    p->job_id = job_id;
    p->url = alloc_strdup(url);
    p->origin = alloc_strdup(origin);
    if (!p->url || !p->origin) {
        jobs_page_free(p);
        return NULL;
    }
    return p;
}

/* A robots.txt task for host (the origin h was got for). */
static jobs_page *robots_task(jobs *j, job *jb, polite_host *h, const char *host)
{
    char url[600];
    snprintf(url, sizeof(url), "%s/robots.txt", host);
    jobs_page *p = page_new(JOBS_ROBOTS, jb->id, url, host);
    if (!p)
        return NULL;
    p->raw_body = ROBOTS_RAW_BODY;
    p->max_redirects = ROBOTS_MAX_REDIRECTS;
    p->attempts = 1;
    p->sess = &jb->sess; /* its headers, proxy and (on the seeds' origin) credentials */
    p->auth = jb->sess.auth_origin && strcmp(host, jb->sess.auth_origin) == 0;
    politeness_robots_fetching(h);
    p->next = j->flight;
    j->flight = p;
    j->robots_fetches++;
    log_debug("jobs", "fetching robots.txt", "host=\"%s\" job=%lld", host, jb->id);
    return p;
}

/* Reads more pending rows into the job's cache, breadth-first (by depth,
 * then id): from the start when stale, else after the last one read. Taken rows are dropped first.
 * The number read, -1 on a database error. */
static int cache_fill(jobs *j, job *jb)
{
    if (!jb->cache) {
        jb->cache = alloc_zeroed(JOBS_CACHE_ROWS * sizeof(store_row));
        if (!jb->cache)
            return -1;
    }
    if (jb->cache_stale)
        sched_cache_clear(jb);
    int k = 0;
    for (int i = 0; i < jb->cache_n; i++)
        if (jb->cache[i].id)
            jb->cache[k++] = jb->cache[i];
    jb->cache_n = k;
    if (jb->cache_complete || k == JOBS_CACHE_ROWS)
        return 0;
    int want = JOBS_CACHE_ROWS - k;
    int n = store_rows_pending_bfs(j->st, jb->id, jb->cache_end_depth, jb->cache_end_id, want,
                                   jb->cache + k);
    if (n < 0)
        return -1;
    if (n) {
        jb->cache_end_id = jb->cache[k + n - 1].id;
        jb->cache_end_depth = jb->cache[k + n - 1].depth;
    }
    if (n < want)
        jb->cache_complete = 1;
    /* A row handed out is pending in the database until its record (or
     * its return) but never in the cache: a copy cached now would outlive
     * the page's end and be handed out a second time. */
    int kept = 0, built = n > 0 && out_build(j) == 0;
    for (int i = k; i < k + n; i++) {
        if (row_out(j, jb->cache[i].id, built))
            store_rows_free(&jb->cache[i], 1);
        else
            jb->cache[k + kept++] = jb->cache[i];
    }
    jb->cache_n += kept;
    return n;
}

static void cache_drop(store_row *r) { store_rows_free(r, 1); /* id 0: taken */ }

#define SCHED_FULL_HOSTS 8

static int host_full(const char *const *full, const char *host)
{
    for (int i = 0; i < SCHED_FULL_HOSTS && full[i]; i++)
        if (strcmp(full[i], host) == 0)
            return 1;
    return 0;
}

/* What one look (job_take) carries from row to row. */
typedef struct look {
    uint64_t now, *wake;
    long long wall_ms;
    int built; /* the hash of rows out is built (row_out) */
    /* Hosts this look found unable to start a page (their slots full, their
     * delay running, robots.txt being read): their other rows are skipped
     * by name, without the host table's lookup and LRU move. The names
     * are the rows' own (a row taken ends the look; a refill of the cache
     * forgets them). */
    const char *full[SCHED_FULL_HOSTS];
    int nfull;
} look;

/* Row r of job jb, if it may go now: the page (r taken: its strings moved
 * or freed, its id 0), a robots.txt task for its host, or NULL (r parked
 * when robots.txt disallows it, else left as it is). */
static jobs_page *take_row(jobs *j, job *jb, store_row *r, look *lk)
{
    if (!r->id || row_out(j, r->id, lk->built))
        return NULL;
    if (r->not_before > lk->wall_ms) {
        uint64_t at = lk->now + (uint64_t)(r->not_before - lk->wall_ms);
        if (at < *lk->wake)
            *lk->wake = at;
        return NULL;
    }
    if (host_full(lk->full, r->host))
        return NULL;
    polite_host *h = politeness_get(&j->pol, r->host, lk->now);
    if (!h)
        return NULL;
    if (jb->obey_robots) {
        if (!politeness_robots_known(h)) {
            jobs_page *got = NULL;
            /* a host backing off (its robots.txt refused) waits first */
            if (politeness_robots_needed(h) && politeness_host_may_start(h, lk->now, 1, lk->wake) &&
                cluster_may_start(j, r->host))
                got = robots_task(j, jb, h, r->host);
            if (!got)
                lk->full[lk->nfull++ % SCHED_FULL_HOSTS] = r->host;
            return got;
        }
        const char *path = NULL;
        char origin[512];
        politeness_origin(r->url, origin, sizeof(origin), &path);
        /* robots.txt read for its sitemaps is never disallowed itself */
        int robots_row =
            r->sitemap == WIRE_SITEMAP_ROBOTS || r->sitemap == WIRE_SITEMAP_ROBOTS_SEED;
        if (!robots_row && !politeness_robots_allow(h, path)) {
            jobs_parked *d = ALLOC_NEW(jobs_parked);
            if (!d) /* stays cached: looked at again next time */
                return NULL;
            d->jb = jb;
            d->row = *r;
            *r = (store_row){0}; /* taken: its strings are d's now */
            const char *unread = politeness_robots_why(h);
            if (unread)
                snprintf(d->why, sizeof(d->why),
                         "robots: disallowed (robots.txt unreadable: %.300s)", unread);
            else
                snprintf(d->why, sizeof(d->why), "robots: disallowed");
            d->next = j->parked;
            j->parked = d;
            return NULL;
        }
    }
    if (!politeness_host_may_start(h, lk->now, j->cfg->per_host_concurrency, lk->wake)) {
        lk->full[lk->nfull++ % SCHED_FULL_HOSTS] = r->host;
        return NULL;
    }
    long long epoch = cluster_may_start(j, r->host); /* in a cluster: under a lease */
    if (!epoch) {
        lk->full[lk->nfull++ % SCHED_FULL_HOSTS] = r->host;
        return NULL;
    }
    jobs_page *p = page_new(JOBS_PAGE, jb->id, r->url, r->host);
    if (!p)
        return NULL;
    p->lease_epoch = epoch;
    p->row_id = r->id;
    p->depth = r->depth;
    p->attempts = r->attempts + 1;
    p->no_js = r->no_js;
    p->js = jb->js && !r->no_js && !r->sitemap;
    p->warc = jb->warc;
    p->save = r->sitemap ? 0 : jb->save; /* --save: what the worker sends of the page */
    if (jb->since && !r->sitemap) { /* a recrawl: the earlier capture, when it had validators */
        store_capture c;
        if (store_capture_get(j->st, jb->id, r->url, &c) == 1) {
            p->etag = c.etag;
            p->last_modified = c.last_modified;
            p->ref_date = c.date;
            c.etag = c.last_modified = c.date = NULL;
        }
        store_capture_release(&c); /* a failed read: an ordinary request */
    }
    p->sess = &jb->sess;
    p->auth = jb->sess.auth_origin && strcmp(r->host, jb->sess.auth_origin) == 0;
    p->extract = r->sitemap ? NULL : jb->extract_lines; /* the job outlives its pages */
    p->jar = !r->sitemap; /* a page keeps the job's cookies (docs/daemon.md, Cookies) */
    if (p->jar && jb->cookie_jar) {
        char host[256];
        if (cookie_url_host(r->url, host, sizeof(host)) == 0 &&
            store_cookies_for_host(j->st, jb->id, host, (long long)jobs_now_unix(), &p->cookies) <
                0)
            p->cookies = NULL; /* the page goes without: the store's error shows at commit */
    }
    if (r->sitemap) { /* read for its URLs, not rendered */
        p->sitemap = r->sitemap;
        p->max_body = JOBS_SITEMAP_MAX_BODY;
        p->max_redirects = ROBOTS_MAX_REDIRECTS;
    }
    if (r->parent) { /* moved, not copied */
        p->parent = r->parent;
        r->parent = NULL;
    }
    p->retries = r->retries;
    p->retry_reasons = r->retry_reasons; /* moved too */
    r->retry_reasons = NULL;
    cache_drop(r);
    politeness_host_take(&j->pol, h, lk->now, jb->delay_ms);
    p->next = j->flight;
    j->flight = p;
    jb->pending--;
    jb->in_flight++;
    j->pending--;
    j->in_flight++;
    return p;
}

/* A freed host's next rows, read from the store past the cache: the page
 * (or robots.txt task) of the first that may go, or NULL. A host with no
 * row pending, or whose row went, leaves the list; one that may not start
 * yet stays. */
static jobs_page *take_freed(jobs *j, job *jb, look *lk)
{
    jobs_page *got = NULL;
    for (int i = jb->nfreed - 1; i >= 0 && !got && jb->state == JOB_RUNNING; i--) {
        store_row rows[4];
        int n = store_rows_pending(j->st, jb->id, jb->freed[i], 0, 4, rows);
        if (n < 0)
            return NULL;
        int waits = 0; /* the host may not start yet */
        for (int k = 0; k < n && !got && !waits; k++) {
            long long id = rows[k].id;
            got = take_row(j, jb, &rows[k], lk);
            if (!rows[k].id) /* taken or parked: its copy in the cache goes too */
                for (int c = 0; c < jb->cache_n; c++)
                    if (jb->cache[c].id == id)
                        cache_drop(&jb->cache[c]);
            waits = !got && rows[k].id && host_full(lk->full, rows[k].host);
        }
        /* lk->full may hold these rows' names, which go now */
        memset(lk->full, 0, sizeof(lk->full));
        lk->nfull = 0;
        store_rows_free(rows, n);
        if (!waits || got)
            freed_drop(jb, i);
    }
    return got;
}

/* The first row of the job's cache that may go now (politeness, robots,
 * not_before), looking at JOBS_CACHE_ROWS rows at most, then the next rows
 * of hosts just freed when rows lie past the cache: the page, a robots.txt
 * task for its host, or NULL (with *wake lowered to when a skipped row may
 * go). Rows robots.txt disallows are parked. */
static jobs_page *job_take(jobs *j, job *jb, uint64_t now, uint64_t *wake)
{
    jobs_page *got = NULL;
    int from = 0;
    if (jb->cache_stale || jb->cache_n == 0)
        if (cache_fill(j, jb) < 0)
            return NULL;
    look lk = {.now = now,
               .wake = wake,
               .wall_ms = (long long)(jobs_now_unix() * 1000),
               .built = out_build(j) == 0};
    for (int pass = 0; pass < 2 && !got && jb->state == JOB_RUNNING; pass++) {
        for (int i = from; i < jb->cache_n && !got && jb->state == JOB_RUNNING; i++)
            got = take_row(j, jb, &jb->cache[i], &lk);
        if (got || jb->cache_complete)
            break;
        /* Nothing here may go: read the rows after these, as many as the
         * cache has room for (JOBS_CACHE_ROWS looked at per call, as before).
         * The fill keeps the rows still cached first, in order. */
        int kept = 0;
        for (int i = 0; i < jb->cache_n; i++)
            kept += jb->cache[i].id != 0;
        if (cache_fill(j, jb) <= 0)
            break;
        memset(lk.full, 0, sizeof(lk.full));
        lk.nfull = 0;
        from = kept;
    }
    if (!got && !jb->cache_complete && jb->nfreed && jb->state == JOB_RUNNING) {
        memset(lk.full, 0, sizeof(lk.full)); /* names of rows the refill may have freed */
        lk.nfull = 0;
        got = take_freed(j, jb, &lk);
    }
    return got;
}

/* The parked rows in the order they were parked (the list is newest
 * first), taken off j->parked. */
static jobs_parked *parked_take(jobs *j)
{
    jobs_parked *d = j->parked, *rev = NULL;
    j->parked = NULL;
    while (d) {
        jobs_parked *next = d->next;
        d->next = rev;
        rev = d;
        d = next;
    }
    return rev;
}

void sched_unpark(jobs *j)
{
    jobs_parked *d = parked_take(j);
    while (d) {
        jobs_parked *next = d->next;
        d->jb->cache_stale = 1; /* pending still: read again */
        cache_drop(&d->row);
        ALLOC_FREE(d);
        d = next;
    }
}

/* Gives each parked row its record ("robots: disallowed…", without a
 * fetch). A row whose job stopped running before its turn (a commit of the
 * rows before it failed and held the job), or whose batch was rolled back
 * meanwhile (its row may be gone with it), gets none: it is pending still
 * and read again. */
int jobs_settle(jobs *j)
{
    jobs_parked *d = parked_take(j);
    long rollbacks = j->rollbacks;
    int n = 0;
    while (d) {
        jobs_parked *next = d->next;
        job *jb = d->jb;
        store_row *row = &d->row;
        n++;
        if (jb->state == JOB_RUNNING && j->rollbacks == rollbacks) {
            json_t *rec =
                results_synth_record(jb->id, row->url, row->depth, row->parent,
                                     jb->js && !row->sitemap, row->attempts, d->why, row->sitemap);
            if (rec) {
                results_commit_json(j, jb, row->id, row->url, row->depth, row->attempts, rec, 0);
                json_decref(rec);
            }
        } else
            jb->cache_stale = 1;
        cache_drop(row);
        ALLOC_FREE(d);
        d = next;
    }
    return n;
}

static void arm_wake(jobs *j, uint64_t at, uint64_t now)
{
    if (j->wake_at && j->wake_at <= at)
        return;
    j->wake_at = at;
    uv_timer_start(&j->wake, wake_cb, at > now ? at - now : 0, 0);
}

jobs_page *jobs_next(jobs *j)
{
    uint64_t now = jobs_now_ms(j), wake = UINT64_MAX;
    size_t n = 0;
    for (job *jb = j->list; jb; jb = jb->next)
        n++;
    if (n == 0)
        return NULL;
    job **order = alloc_new(n * sizeof(job *));
    if (!order)
        return NULL;
    /* Ascending ids, starting after the job that got the last page. */
    size_t k = 0, first = 0;
    for (job *jb = j->list; jb; jb = jb->next)
        order[n - 1 - k++] = jb;
    while (first < n && order[first]->id <= j->rr_last)
        first++;
    /* Then by --priority, higher first (an insertion sort, stable: jobs of
     * one priority keep their round-robin turn). A job gets a page only
     * when no job above it has one that may go now. */
    job **rot = alloc_new(n * sizeof(job *));
    if (!rot) {
        alloc_free(order, n * sizeof(job *));
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        job *jb = order[(first + i) % n];
        size_t at = i;
        while (at > 0 && rot[at - 1]->priority < jb->priority) {
            rot[at] = rot[at - 1];
            at--;
        }
        rot[at] = jb;
    }
    alloc_free(order, n * sizeof(job *));
    order = rot;
    jobs_page *got = NULL;
    for (size_t i = 0; i < n && !got; i++) {
        job *jb = order[i];
        if (jb->state != JOB_RUNNING || jb->pending <= 0)
            continue;
        got = job_take(j, jb, now, &wake);
        if (got)
            j->rr_last = jb->id;
    }
    alloc_free(order, n * sizeof(job *));
    if (j->parked) /* their records: the loop settles them on its next turn */
        wake = now;
    if ((!got || j->parked) && wake != UINT64_MAX)
        arm_wake(j, wake, now);
    return got;
}
