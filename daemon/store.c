/* store — see store.h: the interface over a backend (store_int.h), the
 * seen cache in front of every backend's inserts, the open group. */
#include "store_int.h"
#include "alloc.h"
#include "cookie.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* URLs known to be in the frontier, as (job, url hash) keys: most links a
 * page has were seen before, and each was an insert probing the unique
 * index (docs/platform-notes.md has its cost). A hit means the row
 * exists (the key is what the uniqueness constraint compares, so a hit
 * answers exactly as the insert would); a miss asks the backend. Two-way,
 * fixed size (SEEN_SLOTS x 8 bytes), so it never grows with the frontier;
 * emptied when a group rolls back (its rows are gone). An anonymous
 * mapping, not the allocator: its pages are zero until touched, so a daemon
 * that saw a few URLs holds a few pages of it, not 8 MB (and the first
 * submit does not pay for zeroing it), and emptying it gives the
 * pages back (MADV_DONTNEED) instead of writing 8 MB of zeros. */
#define SEEN_BITS 20
#define SEEN_SLOTS (1u << SEEN_BITS)

struct store {
    const store_ops *ops;
    void *b;        /* the backend's handle */
    uint64_t *seen; /* SEEN_SLOTS keys, 0 = empty; NULL: not allocated */
    long long seen_hits;
    int group;       /* a group is open */
    int why_cluster; /* the last error: cluster mode asked of a backend without it */
    int cluster;     /* joined a cluster: links on their own (store_links_add) */
};

static uint64_t seen_key(long long job_id, long long uh)
{
    uint64_t k = (uint64_t)uh ^ ((uint64_t)job_id * 0x9e3779b97f4a7c15ULL);
    return k ? k : 1;
}

static int seen_has(store *s, uint64_t k)
{
    if (!s->seen)
        return 0;
    size_t i = (size_t)(k >> (64 - SEEN_BITS));
    return s->seen[i] == k || s->seen[i ^ 1] == k;
}

static void seen_put(store *s, uint64_t k)
{
    if (!s->seen) {
        void *m = mmap(NULL, SEEN_SLOTS * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return; /* no cache: every link asks the backend */
        s->seen = m;
    }
    size_t i = (size_t)(k >> (64 - SEEN_BITS));
    if (s->seen[i] == k || s->seen[i ^ 1] == k)
        return;
    if (s->seen[i] == 0)
        s->seen[i] = k;
    else {
        s->seen[i ^ 1] = s->seen[i]; /* the older one moves over (and may go) */
        s->seen[i] = k;
    }
}

static void seen_clear(store *s)
{
    if (s->seen && madvise(s->seen, SEEN_SLOTS * sizeof(uint64_t), MADV_DONTNEED) < 0)
        memset(s->seen, 0, SEEN_SLOTS * sizeof(uint64_t));
}

/* The seen set is keyed by a 64-bit hash of the normalised URL, not the
 * text: the unique index stays ~5x smaller (1,000,000 URLs fit SQLite's page
 * cache), which is what keeps inserts fast at that size. Two URLs of one
 * job colliding has a probability of about n^2 / 2^65 (3e-8 at 10^6 URLs);
 * the loser would be taken as seen. */
static long long url_hash(const char *u)
{
    unsigned long long h = 1469598103934665603ULL;
    for (; *u; u++)
        h = (h ^ (unsigned char)*u) * 1099511628211ULL;
    h ^= h >> 33; /* finalise (murmur3 fmix64): FNV's low bits mix poorly */
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return (long long)h;
}

store *store_open(const char *spec, char *err, size_t errlen)
{
    const store_ops *ops = &store_sqlite_ops;
    const char *path = spec;
    if (strncmp(spec, "sqlite:", 7) == 0)
        path = spec + 7;
    else if (strncmp(spec, "postgresql://", 13) == 0 || strncmp(spec, "postgres://", 11) == 0)
        ops = &store_pg_ops; /* a libpq URI, given whole */
    else if (strstr(spec, "://")) {
        snprintf(err, errlen, "%.*s: no such store backend (this build has sqlite, postgresql)",
                 (int)strcspn(spec, ":"), spec);
        return NULL;
    }
    store *s = ALLOC_NEW(store);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->ops = ops;
    s->b = ops->open(path, err, errlen);
    if (!s->b) {
        ALLOC_FREE(s);
        return NULL;
    }
    return s;
}

void store_close(store *s)
{
    if (!s)
        return;
    if (s->group)
        store_group_abort(s);
    s->ops->close(s->b);
    if (s->seen)
        munmap(s->seen, SEEN_SLOTS * sizeof(uint64_t));
    ALLOC_FREE(s);
}

const char *store_errmsg(store *s)
{
    if (s && s->why_cluster)
        return "cluster mode needs a PostgreSQL store";
    return s ? s->ops->errmsg(s->b) : "no store";
}
const char *store_backend(const store *s) { return s->ops->name; }
long long store_cache_bytes(store *s) { return s->ops->cache_bytes(s->b); }
long long store_seen_hits(const store *s) { return s->seen_hits; }

int store_probe_write(store *s)
{
    if (s->group) /* the group holds the write lock */
        return 0;
    return s->ops->probe_write(s->b);
}

int store_job_id_floor(store *s, long long floor) { return s->ops->job_id_floor(s->b, floor); }

int store_job_insert(store *s, const char *name, const char *state, const char *opts_json,
                     double created, long long *id)
{
    return s->ops->job_insert(s->b, name, state, opts_json, created, id);
}

int store_job_set_state(store *s, long long id, const char *state, double ended, const char *error)
{
    return s->ops->job_set_state(s->b, id, state, ended, error);
}

int store_jobs_foreach(store *s, int (*cb)(void *ud, const store_job *j), void *ud)
{
    return s->ops->jobs_foreach(s->b, cb, ud);
}

int store_job_counts(store *s, long long job_id, long counts[ROW_STATE_COUNT])
{
    return s->ops->job_counts(s->b, job_id, counts);
}

int store_job_drop_pending(store *s, long long job_id)
{
    return s->ops->job_drop_pending(s->b, job_id);
}

long store_job_sitemaps(store *s, long long job_id, int kind)
{
    return s->ops->job_sitemaps(s->b, job_id, kind);
}

int store_lease_claim(store *s, int max, long long until_ms, store_lease *out)
{
    return max > 0 ? s->ops->lease_claim(s->b, max, until_ms, out) : 0;
}

int store_lease_renew(store *s, store_lease *l, int n, long long until_ms)
{
    return s->ops->lease_renew(s->b, l, n, until_ms);
}

/* ---- cluster mode: PostgreSQL only ---- */

static int no_cluster(store *s)
{
    if (s->ops->cluster_join)
        return 0;
    s->why_cluster = 1;
    return -1;
}

int store_cluster_join(store *s, const char *name, long long lease_ms)
{
    if (no_cluster(s) || s->ops->cluster_join(s->b, name, lease_ms) < 0)
        return -1;
    s->cluster = 1;
    return 0;
}

int store_job_nodes(store *s, long long job_id, int (*cb)(void *ud, const store_node_lengths *n),
                    void *ud)
{
    return no_cluster(s) ? -1 : s->ops->job_nodes(s->b, job_id, cb, ud);
}

int store_job_claim_successor(store *s, long long job_id)
{
    if (!s->cluster || !s->ops->job_successor)
        return 1;
    return s->ops->job_successor(s->b, job_id);
}

int store_node_beat(store *s, const char *info)
{
    return no_cluster(s) ? -1 : s->ops->node_beat(s->b, info);
}

int store_nodes_foreach(store *s, long long live_ms, int (*cb)(void *ud, const store_node *n),
                        void *ud)
{
    return no_cluster(s) ? -1 : s->ops->nodes_foreach(s->b, live_ms, cb, ud);
}

int store_cluster_share(store *s, long long live_ms, long *nodes, long *hosts)
{
    return no_cluster(s) ? -1 : s->ops->cluster_share(s->b, live_ms, nodes, hosts);
}

int store_lease_release(store *s, const store_lease *l, long long next_ok_ms)
{
    return no_cluster(s) ? -1 : s->ops->lease_release(s->b, l, next_ok_ms);
}

int store_leases_busy(store *s, const store_lease *l, int n, int *busy)
{
    if (n <= 0)
        return 0;
    return no_cluster(s) ? -1 : s->ops->leases_busy(s->b, l, n, busy);
}

long store_job_pending_mine(store *s, long long job_id)
{
    return no_cluster(s) ? -1 : s->ops->job_pending_mine(s->b, job_id);
}

int store_reconnect(store *s)
{
    if (!s->ops->reconnect)
        return 0;
    int r = s->ops->reconnect(s->b);
    if (r == 1)
        seen_clear(s); /* a lost COMMIT may not have kept what it saw */
    return r;
}

int store_reconnect_needed(store *s) { return s->ops->connected && !s->ops->connected(s->b); }

int store_rows_pending(store *s, long long job_id, const char *host, long long after_id, int max,
                       store_row *rows)
{
    return s->ops->rows_pending(s->b, job_id, host, after_id, max, rows);
}

int store_rows_pending_bfs(store *s, long long job_id, int after_depth, long long after_id, int max,
                           store_row *rows)
{
    return s->ops->rows_pending_bfs(s->b, job_id, after_depth, after_id, max, rows);
}

void store_rows_free(store_row *rows, int n)
{
    for (int i = 0; i < n; i++) {
        alloc_strfree(rows[i].url);
        alloc_strfree(rows[i].parent);
        alloc_strfree(rows[i].host);
        alloc_strfree(rows[i].retry_reasons);
        memset(&rows[i], 0, sizeof(rows[i]));
    }
}

int store_group_begin(store *s)
{
    if (s->group || s->ops->begin(s->b) < 0)
        return -1;
    s->group = 1;
    return 0;
}

int store_group_open(const store *s) { return s->group; }

int store_row_finish(store *s, long long row_id, store_row_state state, int attempts)
{
    return s->ops->row_finish(s->b, row_id, state, attempts);
}

static int row_add(store *s, long long job_id, const char *url, int depth, const char *parent,
                   const char *host, store_row_state state, int sitemap, long long *row_id)
{
    long long uh = url_hash(url);
    uint64_t key = seen_key(job_id, uh);
    if (seen_has(s, key)) {
        s->seen_hits++;
        return 0;
    }
    int rc;
    if (s->cluster && s->ops->links_add) { /* in a cluster every row goes in apart */
        long long id = 0;
        int capped;
        rc = s->ops->links_add(s->b, job_id, depth, parent, state, sitemap, 0, 1, &uh, &url, &host,
                               &id, &capped);
        if (rc == 1 && row_id)
            *row_id = id;
    } else
        rc = s->ops->row_add(s->b, job_id, uh, url, depth, parent, host, state, sitemap, row_id);
    if (rc >= 0)
        seen_put(s, key); /* inserted or already there: the row exists */
    return rc;
}

int store_row_add(store *s, long long job_id, const char *url, int depth, const char *parent,
                  const char *host, store_row_state state, long long *row_id)
{
    return row_add(s, job_id, url, depth, parent, host, state, 0, row_id);
}

int store_row_add_sitemap(store *s, long long job_id, const char *url, const char *parent,
                          const char *host, int sitemap, long long *row_id)
{
    return row_add(s, job_id, url, 0, parent, host, ROW_PENDING, sitemap, row_id);
}

int store_job_set_admitted(store *s, long long job_id, long long rows)
{
    if (!s->cluster || !s->ops->job_admitted)
        return 0;
    return s->ops->job_admitted(s->b, job_id, rows);
}

int store_links_add(store *s, long long job_id, int depth, const char *parent, store_link *l, int n,
                    long long max_rows)
{
    if (!s->cluster || !s->ops->links_add) {
        int added = 0;
        for (int i = 0; i < n; i++) {
            l[i].row_id = 0;
            int rc = row_add(s, job_id, l[i].url, depth, parent, l[i].host, ROW_PENDING, 0,
                             &l[i].row_id);
            if (rc < 0)
                return -1;
            if (rc == 0)
                l[i].row_id = 0;
            added += rc;
        }
        return added;
    }
    /* the ones the seen cache does not know, in one statement */
    long long *uh = alloc_new((size_t)(n ? n : 1) * sizeof(long long));
    long long *ids = alloc_new((size_t)(n ? n : 1) * sizeof(long long));
    const char **url = alloc_new((size_t)(n ? n : 1) * sizeof(char *));
    const char **host = alloc_new((size_t)(n ? n : 1) * sizeof(char *));
    int *at = alloc_new((size_t)(n ? n : 1) * sizeof(int));
    int m = 0, rc = -1, capped = 0;
    if (!uh || !ids || !url || !host || !at)
        goto out;
    for (int i = 0; i < n; i++) {
        l[i].row_id = 0;
        long long h = url_hash(l[i].url);
        if (seen_has(s, seen_key(job_id, h))) {
            s->seen_hits++;
            continue;
        }
        uh[m] = h;
        url[m] = l[i].url;
        host[m] = l[i].host;
        at[m++] = i;
    }
    rc = m ? s->ops->links_add(s->b, job_id, depth, parent, ROW_PENDING, 0, max_rows, m, uh, url,
                               host, ids, &capped)
           : 0;
    if (rc >= 0)
        for (int k = 0; k < m; k++) {
            l[at[k]].row_id = ids[k];
            /* inserted or already there; one the cap left out is neither */
            if (ids[k] || !capped)
                seen_put(s, seen_key(job_id, uh[k]));
        }
out:
    alloc_free(uh, (size_t)(n ? n : 1) * sizeof(long long));
    alloc_free(ids, (size_t)(n ? n : 1) * sizeof(long long));
    alloc_free(url, (size_t)(n ? n : 1) * sizeof(char *));
    alloc_free(host, (size_t)(n ? n : 1) * sizeof(char *));
    alloc_free(at, (size_t)(n ? n : 1) * sizeof(int));
    return rc;
}

int store_row_delete(store *s, long long row_id) { return s->ops->row_delete(s->b, row_id); }

int store_row_requeue(store *s, long long row_id, int attempts, long long not_before, int no_js)
{
    return s->ops->row_requeue(s->b, row_id, attempts, not_before, no_js);
}

int store_row_retry(store *s, long long row_id, int attempts, long long not_before, int retries,
                    const char *reasons)
{
    return s->ops->row_retry(s->b, row_id, attempts, not_before, retries, reasons);
}

int store_host_backoff_put(store *s, const char *host, long long delay_ms, long long until_ms)
{
    return s->ops->host_backoff_put(s->b, host, delay_ms, until_ms);
}

int store_host_backoff_foreach(store *s, int (*cb)(void *ud, const store_host_backoff *h), void *ud)
{
    return s->ops->host_backoff_foreach(s->b, cb, ud);
}

store_rc store_group_commit(store *s, const store_lease *l, int nl, const store_lengths *len,
                            int nlen)
{
    if (!s->group)
        return STORE_ERR;
    s->group = 0;
    store_rc rc = s->ops->commit(s->b, l, nl, len, nlen);
    if (rc != STORE_OK)
        seen_clear(s); /* the backend rolled the group back: its rows are gone */
    return rc;
}

void store_group_abort(store *s)
{
    seen_clear(s); /* rows inserted in the group are gone */
    s->group = 0;
    s->ops->rollback(s->b);
}

/* ---- recrawls ---- */

void store_capture_release(store_capture *c)
{
    alloc_strfree(c->url);
    alloc_strfree(c->etag);
    alloc_strfree(c->last_modified);
    alloc_strfree(c->date);
    memset(c, 0, sizeof(*c));
}

int store_capture_put(store *s, long long job_id, const char *url, const char *etag,
                      const char *last_modified, const char *date)
{
    return s->ops->capture_put(s->b, job_id, url, etag, last_modified, date);
}

int store_capture_get(store *s, long long job_id, const char *url, store_capture *c)
{
    memset(c, 0, sizeof(*c));
    return s->ops->capture_get(s->b, job_id, url, c);
}

int store_digest_put(store *s, long long job_id, const char *digest, const char *url,
                     const char *date)
{
    return s->ops->digest_put(s->b, job_id, digest, url, date);
}

int store_digest_get(store *s, long long job_id, const char *digest, store_capture *c)
{
    memset(c, 0, sizeof(*c));
    return s->ops->digest_get(s->b, job_id, digest, c);
}

/* ---- cookie jars ---- */

/* One line of a merge: its key's parts as NUL-terminated strings. */
static int cookie_merge_one(store *s, long long job_id, const char *line, size_t n, long long now_s,
                            store_cookie_counts *o)
{
    cookie_line c;
    char why[160], domain[256], path[1024], name[1024];
    int rc = cookie_parse(line, n, &c, why, sizeof(why));
    if (rc == 1)
        return 0;
    if (rc < 0 || cookie_domain_key(&c, domain, sizeof(domain)) < 0 || c.path_len >= sizeof(path) ||
        c.name_len >= sizeof(name)) {
        o->refused++;
        return 0;
    }
    memcpy(path, c.path, c.path_len);
    path[c.path_len] = '\0';
    memcpy(name, c.name, c.name_len);
    name[c.name_len] = '\0';
    if (c.expires != 0 && c.expires <= now_s) {
        if (s->ops->cookie_delete(s->b, job_id, domain, path, name) < 0)
            return -1;
        o->deleted++;
        return 0;
    }
    int has = s->ops->cookie_exists(s->b, job_id, domain, path, name);
    if (has < 0)
        return -1;
    if (!has) {
        long nd = s->ops->cookie_count(s->b, job_id, domain, 0);
        long nj = nd < 0 ? -1 : s->ops->cookie_count(s->b, job_id, NULL, 0);
        if (nj < 0)
            return -1;
        if (nd >= COOKIE_MAX_PER_HOST || nj >= COOKIE_MAX_PER_JOB) {
            o->refused++;
            return 0;
        }
    }
    char *l = alloc_strndup(line, n);
    if (!l)
        return -1;
    rc = s->ops->cookie_put(s->b, job_id, domain, path, name, c.expires, l);
    alloc_strfree(l);
    if (rc < 0)
        return -1;
    o->set++;
    return 0;
}

int store_cookies_merge(store *s, long long job_id, const char *lines, size_t len, long long now_s,
                        store_cookie_counts *out)
{
    store_cookie_counts o = {0};
    for (const char *p = lines, *end = lines + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (cookie_merge_one(s, job_id, p, n, now_s, &o) < 0)
            return -1;
        p += n + 1;
    }
    if (out)
        *out = o;
    return 0;
}

typedef struct cookie_gather {
    char *buf;
    size_t len;
} cookie_gather;

static int gather_line(void *ud, const char *line)
{
    cookie_gather *g = ud;
    size_t n = strlen(line);
    if (g->len + n + 1 > COOKIE_MAX_TASK)
        return 0; /* over the task's share: the rest stay home */
    memcpy(g->buf + g->len, line, n);
    g->len += n;
    g->buf[g->len++] = '\n';
    return 0;
}

int store_cookies_for_host(store *s, long long job_id, const char *host, long long now_s,
                           char **out)
{
    *out = NULL;
    cookie_gather g = {.buf = alloc_new(COOKIE_MAX_TASK + 1)};
    if (!g.buf)
        return -1;
    int rc = s->ops->cookies_for_host(s->b, job_id, host, now_s, gather_line, &g);
    if (rc == 0 && g.len) {
        g.buf[g.len] = '\0';
        if (!(*out = alloc_strdup(g.buf)))
            rc = -1;
    }
    alloc_free(g.buf, COOKIE_MAX_TASK + 1);
    return rc;
}

long store_cookies_count(store *s, long long job_id, long long now_s)
{
    return s->ops->cookie_count(s->b, job_id, NULL, now_s);
}

int store_cookies_copy(store *s, long long from_job, long long to_job, long long now_s)
{
    return s->ops->cookies_copy(s->b, from_job, to_job, now_s);
}
