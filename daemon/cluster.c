/* cluster — a node of several sharing one frontier on PostgreSQL
 * (docs/cluster.md): the hosts this node leases, renewed, claimed to its
 * fair share and given back when done; the leases a batch commits under;
 * the shared job table followed (jobs, pause, resume, cancel, done from
 * any node); the heartbeat status --cluster reads; a lost connection
 * reopened and the files cut back to what the database says. One timer,
 * tick_cb: every CLUSTER_TICK_MS an idle node looks for work; every
 * CLUSTER_FULL_EVERY ticks (400 ms, or lease_ms / 3 when less) the rest. */
#include "jobs_int.h"
#include "alloc.h"
#include "log.h"
#include "rss.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CLUSTER_TICK_MS 100  /* an idle node looks for work this often */
#define CLUSTER_FULL_EVERY 4 /* ticks: renew, give back, heartbeat, job table */
#define CLUSTER_MAX_LEASES 256
#define CLUSTER_CLAIM_MAX 4 /* hosts claimed per tick */

struct jobs_cluster {
    uv_timer_t tick;
    long long lease_ms;
    store_lease lease[CLUSTER_MAX_LEASES];
    int drain[CLUSTER_MAX_LEASES]; /* past the fair share: no new page, given back once idle */
    int nlease;
    /* the open batch's hosts, with the epoch each record was made under */
    store_lease *tx;
    int ntx, captx;
    int down; /* the database is unreachable: reconnecting */
    unsigned long ticks;
    long long last_pages;  /* pages_total at the last heartbeat */
    uint64_t last_beat_ms; /* loop time of it */
    double pages_per_s;
};

static long long wall_ms(void) { return (long long)(jobs_now_unix() * 1000); }

static store_lease *lease_find(jobs_cluster *c, const char *host)
{
    for (int i = 0; i < c->nlease; i++)
        if (strcmp(c->lease[i].host, host) == 0)
            return &c->lease[i];
    return NULL;
}

static void lease_drop(jobs_cluster *c, int i)
{
    c->nlease--;
    c->lease[i] = c->lease[c->nlease];
    c->drain[i] = c->drain[c->nlease];
}

/* When the next request to host may start (wall clock, unix ms): what the
 * next owner waits for. */
static long long next_ok_wall(jobs *j, const char *host)
{
    polite_host *h = politeness_get(&j->pol, host, jobs_now_ms(j));
    long long next_ok = wall_ms();
    if (h && h->next_ok_ms > jobs_now_ms(j))
        next_ok += (long long)(h->next_ok_ms - jobs_now_ms(j));
    return next_ok;
}

static int host_in_flight(const jobs *j, const char *host)
{
    for (const jobs_page *p = j->flight; p; p = p->next)
        if (strcmp(p->origin, host) == 0)
            return 1;
    return 0;
}

long long cluster_may_start(jobs *j, const char *host)
{
    jobs_cluster *c = j->cl;
    if (!c)
        return 1;
    if (c->down)
        return 0;
    store_lease *l = lease_find(c, host);
    /* a page starts only while the lease outlives its deadline, and not on
     * a host being given back */
    if (!l || c->drain[l - c->lease] || l->until_ms - wall_ms() <= j->cfg->page_timeout_ms + 100)
        return 0;
    return l->epoch;
}

long long cluster_lease_epoch(jobs *j, const char *host)
{
    if (!j->cl)
        return 1;
    store_lease *l = lease_find(j->cl, host);
    return l ? l->epoch : 0;
}

int cluster_page_valid(jobs *j, const jobs_page *p)
{
    jobs_cluster *c = j->cl;
    if (!c || p->kind != JOBS_PAGE)
        return 1;
    store_lease *l = lease_find(c, p->origin);
    return l && l->epoch == p->lease_epoch;
}

int cluster_tx_add(jobs *j, const char *host, long long epoch)
{
    jobs_cluster *c = j->cl;
    if (!c)
        return 0;
    for (int i = 0; i < c->ntx; i++)
        if (strcmp(c->tx[i].host, host) == 0) {
            if (c->tx[i].epoch != epoch)
                c->tx[i].epoch = 0; /* two epochs in one group: it cannot hold both */
            return 0;
        }
    if (c->ntx == c->captx) {
        int cap = c->captx ? c->captx * 2 : 8;
        store_lease *n = alloc_new((size_t)cap * sizeof(*n));
        if (!n)
            return -1;
        if (c->ntx)
            memcpy(n, c->tx, (size_t)c->ntx * sizeof(*n));
        alloc_free(c->tx, (size_t)c->captx * sizeof(*n));
        c->tx = n;
        c->captx = cap;
    }
    store_lease *l = &c->tx[c->ntx++];
    memset(l, 0, sizeof(*l));
    snprintf(l->host, sizeof(l->host), "%s", host);
    l->epoch = epoch;
    return 0;
}

const store_lease *cluster_tx_leases(jobs *j, int *n)
{
    *n = j->cl ? j->cl->ntx : 0;
    return j->cl ? j->cl->tx : NULL;
}

void cluster_tx_clear(jobs *j)
{
    if (j->cl)
        j->cl->ntx = 0;
}

/* A lease this node no longer holds: its pages in flight come back to
 * nothing (another node fetches them), its cached rows go. */
static void lease_lost(jobs *j, const char *host, const char *why)
{
    int n = 0;
    for (jobs_page *p = j->flight; p; p = p->next)
        if (p->kind == JOBS_PAGE && !p->stale && strcmp(p->origin, host) == 0) {
            p->stale = 1;
            n++;
        }
    for (job *jb = j->list; jb; jb = jb->next)
        jb->cache_stale = 1;
    log_warn("cluster", "host lease lost", "host=\"%s\" why=\"%s\" pages_dropped=%d", host, why, n);
}

/* ---- the shared job table ---- */

static void refresh_counts(jobs *j, job *jb);

typedef struct sync_ctx {
    jobs *j;
    int changed;
} sync_ctx;

static job_state state_of(const char *s)
{
    if (strcmp(s, "paused") == 0)
        return JOB_PAUSED;
    if (strcmp(s, "done") == 0)
        return JOB_DONE;
    if (strcmp(s, "cancelled") == 0)
        return JOB_CANCELLED;
    if (strcmp(s, "failed") == 0)
        return JOB_FAILED;
    return JOB_RUNNING;
}

static int sync_job(void *ud, const store_job *r)
{
    sync_ctx *x = ud;
    jobs *j = x->j;
    job *jb = jobs_find(j, r->id);
    if (!jb) { /* submitted on another node */
        if (jobs_load_one(j, r) < 0)
            return -1;
        jb = jobs_find(j, r->id);
        if (jb)
            log_info("cluster", "job from another node", "job=%lld state=%s", jb->id,
                     job_state_str(jb->state));
        job *old = jb && jb->since && jb->every_s ? jobs_find(j, jb->since) : NULL;
        if (old) /* another node started this schedule's next run */
            old->successor = 1;
        x->changed = 1;
        return 0;
    }
    job_state want = state_of(r->state);
    if (jb->held || want == jb->state)
        return 0;
    if (!job_active(jb)) /* ended here: what this node knows stays */
        return 0;
    x->changed = 1;
    log_info("cluster", "job state from another node", "job=%lld was=%s now=%s", jb->id,
             job_state_str(jb->state), r->state);
    if (want == JOB_RUNNING || want == JOB_PAUSED) {
        jb->state = want;
        jb->cache_stale = 1;
        jb->error[0] = '\0';
        return 0;
    }
    /* ended by another node: cancelled (its pending rows dropped there,
     * this node's pages in flight too: they end without a record, as
     * dropped rows do), done (nothing pending anywhere) or failed */
    for (jobs_page *p = j->flight; p; p = p->next)
        if (p->kind == JOBS_PAGE && p->job_id == jb->id)
            p->stale = 1;
    j->pending -= jb->pending;
    jb->pending = 0;
    jb->state = want;
    jb->ended = r->ended > 0 ? r->ended : jobs_now_unix();
    if (r->error)
        snprintf(jb->error, sizeof(jb->error), "%s", r->error);
    refresh_counts(j, jb);
    if (jb->in_flight == 0)
        job_close_output(j, jb);
    return 0;
}

/* The job's counts are the cluster's: every node's records. */
static void refresh_counts(jobs *j, job *jb)
{
    long c[ROW_STATE_COUNT];
    if (store_job_counts(j->st, jb->id, c) < 0)
        return;
    j->done += c[ROW_DONE] - jb->done;
    jb->done = c[ROW_DONE];
    j->failed += c[ROW_FAILED] - jb->failed;
    jb->failed = c[ROW_FAILED];
    jb->rows = c[ROW_PENDING] + c[ROW_DONE] + c[ROW_FAILED] + c[ROW_DROPPED];
    jb->cluster_pending = c[ROW_PENDING];
}

int cluster_job_pending(jobs *j, job *jb)
{
    long c[ROW_STATE_COUNT];
    if (store_job_counts(j->st, jb->id, c) < 0)
        return -1;
    if (c[ROW_PENDING] == 0) /* it ends here: with the cluster's counts */
        refresh_counts(j, jb);
    return c[ROW_PENDING] > 0;
}

/* The job's pending rows on this node's hosts, less its pages in flight
 * (pending in the database until their commit): what the scheduler may
 * still find here. */
static void refresh_pending(jobs *j, job *jb)
{
    long mine = store_job_pending_mine(j->st, jb->id);
    if (mine < 0)
        return;
    long flying = 0;
    for (const jobs_page *p = j->flight; p; p = p->next)
        if (p->kind == JOBS_PAGE && p->job_id == jb->id && !p->stale)
            flying++;
    long want = mine - flying > 0 ? mine - flying : 0;
    if (want != jb->pending) {
        j->pending += want - jb->pending;
        jb->pending = want;
        jb->cache_stale = 1;
    }
}

/* ---- leases ---- */

static void renew(jobs *j, jobs_cluster *c)
{
    if (!c->nlease)
        return;
    long long until = wall_ms() + c->lease_ms;
    if (store_lease_renew(j->st, c->lease, c->nlease, until) < 0)
        return; /* kept: a lease that was not renewed times out here too */
    for (int i = c->nlease - 1; i >= 0; i--)
        if (c->lease[i].epoch == 0) {
            char host[sizeof(c->lease[i].host)];
            snprintf(host, sizeof(host), "%s", c->lease[i].host);
            lease_drop(c, i);
            lease_lost(j, host, "not renewed: another node holds it");
        }
}

/* Gives back the leases of hosts with nothing pending and nothing in
 * flight here. Past this node's fair share (a node joined or came back)
 * hosts are drained: no new page starts on them, and each is given back
 * once its pages in flight have ended (another node takes it up). */
static void release(jobs *j, jobs_cluster *c, long fair)
{
    if (!c->nlease)
        return;
    int busy[CLUSTER_MAX_LEASES];
    if (store_leases_busy(j->st, c->lease, c->nlease, busy) < 0)
        return;
    long kept = 0; /* busy hosts not being given back */
    for (int i = 0; i < c->nlease; i++)
        kept += busy[i] && !c->drain[i];
    for (int i = c->nlease - 1; i >= 0 && kept > fair; i--)
        if (busy[i] && !c->drain[i]) {
            c->drain[i] = 1;
            kept--;
            log_info("cluster", "host given back past the fair share: draining",
                     "host=\"%s\" fair=%ld", c->lease[i].host, fair);
        }
    for (int i = c->nlease - 1; i >= 0; i--) {
        if ((busy[i] && !c->drain[i]) || host_in_flight(j, c->lease[i].host))
            continue;
        if (store_lease_release(j->st, &c->lease[i], next_ok_wall(j, c->lease[i].host)) < 0)
            return;
        log_debug("cluster", "host lease given back", "host=\"%s\" pending=%d", c->lease[i].host,
                  busy[i]);
        busy[i] = busy[c->nlease - 1];
        lease_drop(c, i);
    }
}

typedef struct claimed {
    jobs *j;
    const store_lease *l;
    int n;
} claimed;

/* A claimed host's back-off, as its last owner kept it (store_host_backoff_put). */
static int backoff_of_claimed(void *ud, const store_host_backoff *hb)
{
    claimed *x = ud;
    for (int i = 0; i < x->n; i++)
        if (strcmp(x->l[i].host, hb->host) == 0)
            return jobs_host_backoff_restore(x->j, hb);
    return 0;
}

/* Claims idle hosts with pending rows up to this node's fair share:
 * ceil(hosts with pending rows / live nodes). */
static int claim(jobs *j, jobs_cluster *c, long *fair_out)
{
    long nodes = 0, hosts = 0;
    if (store_cluster_share(j->st, c->lease_ms, &nodes, &hosts) < 0)
        return -1;
    if (nodes < 1)
        nodes = 1;
    long fair = (hosts + nodes - 1) / nodes;
    *fair_out = fair;
    long want = fair - c->nlease;
    if (want > CLUSTER_CLAIM_MAX)
        want = CLUSTER_CLAIM_MAX;
    if (want > CLUSTER_MAX_LEASES - c->nlease)
        want = CLUSTER_MAX_LEASES - c->nlease;
    if (want <= 0)
        return 0;
    store_lease got[CLUSTER_CLAIM_MAX];
    int n = store_lease_claim(j->st, (int)want, wall_ms() + c->lease_ms, got);
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        c->drain[c->nlease] = 0;
        c->lease[c->nlease++] = got[i];
        /* the last owner's schedule holds: its next request's time */
        polite_host *h = politeness_get(&j->pol, got[i].host, jobs_now_ms(j));
        long long wait = got[i].next_ok_ms - wall_ms();
        if (h && wait > 0 && h->next_ok_ms < jobs_now_ms(j) + (uint64_t)wait)
            h->next_ok_ms = jobs_now_ms(j) + (uint64_t)wait;
        log_info("cluster", "host leased", "host=\"%s\" epoch=%lld wait_ms=%lld", got[i].host,
                 got[i].epoch, wait > 0 ? wait : 0);
    }
    claimed x = {j, got, n};
    if (n && store_host_backoff_foreach(j->st, backoff_of_claimed, &x) < 0)
        log_warn("cluster", "cannot read the claimed hosts' back-off", "error=\"%s\"",
                 store_errmsg(j->st));
    if (n)
        for (job *jb = j->list; jb; jb = jb->next)
            jb->cache_stale = 1;
    return n;
}

static void beat(jobs *j, jobs_cluster *c)
{
    uint64_t now = jobs_now_ms(j);
    if (c->last_beat_ms && now > c->last_beat_ms)
        c->pages_per_s =
            (double)(j->pages_total - c->last_pages) * 1000.0 / (double)(now - c->last_beat_ms);
    c->last_pages = j->pages_total;
    c->last_beat_ms = now;
    long rss = j->node_rss_kb ? j->node_rss_kb(j->wake_ud) : rss_self_kb();
    char info[256];
    snprintf(info, sizeof(info),
             "{\"hosts\":%d,\"pages\":%lld,\"pages_per_s\":%.1f,\"in_flight\":%ld,"
             "\"rss_mb\":%ld,\"pid\":%ld}",
             c->nlease, j->pages_total, c->pages_per_s, j->in_flight, rss / 1024, (long)getpid());
    store_node_beat(j->st, info);
}

/* After the connection came back: every lease is gone (a new node row),
 * and the committed lengths are the database's, whatever a COMMIT that
 * lost its answer did: the files are cut to them. */
static void rejoin(jobs *j, jobs_cluster *c)
{
    for (int i = c->nlease - 1; i >= 0; i--) {
        char host[sizeof(c->lease[i].host)];
        snprintf(host, sizeof(host), "%s", c->lease[i].host);
        lease_drop(c, i);
        lease_lost(j, host, "the database connection was lost");
    }
    if (store_jobs_foreach(j->st, jobs_offsets_reread, j) < 0)
        log_error("cluster", "cannot read the committed lengths again", "error=\"%s\"",
                  store_errmsg(j->st));
}

/* Whether a running job has nothing to start here: the node is idle and
 * looks for work (rows other nodes admitted on its hosts, hosts to claim)
 * at every tick, not every CLUSTER_FULL_EVERY. */
static int starving(const jobs *j)
{
    for (const job *jb = j->list; jb; jb = jb->next)
        if (jb->state == JOB_RUNNING && jb->pending <= 0)
            return 1;
    return 0;
}

static void tick_cb(uv_timer_t *t)
{
    jobs *j = t->data;
    jobs_cluster *c = j->cl;
    int full = c->ticks++ % CLUSTER_FULL_EVERY == 0;
    if (!full && (c->down || !starving(j)))
        return;
    if (j->tx_open) /* the tick's writes are not the batch's */
        batch_commit(j);
    if (j->tx_open)
        return;
    if (!c->down && store_reconnect_needed(j->st))
        log_warn("cluster", "database connection lost; reconnecting", "error=\"%s\"",
                 store_errmsg(j->st));
    int rc = store_reconnect(j->st);
    if (rc < 0) {
        if (!c->down)
            log_error("cluster", "database unreachable; reconnecting", "error=\"%s\"",
                      store_errmsg(j->st));
        c->down = 1;
        return;
    }
    if (rc == 1 || c->down) {
        log_info("cluster", "database reachable again", "reconnected=%d", rc == 1);
        c->down = 0;
        if (rc == 1)
            rejoin(j, c);
    }
    if (full)
        renew(j, c);
    long fair = CLUSTER_MAX_LEASES;
    sync_ctx x = {j, 0};
    if (claim(j, c, &fair) > 0)
        x.changed = 1;
    if (full) {
        release(j, c, fair);
        beat(j, c);
        if (store_jobs_foreach(j->st, sync_job, &x) < 0)
            log_warn("cluster", "cannot read the job table", "error=\"%s\"", store_errmsg(j->st));
    }
    for (job *jb = j->list; jb; jb = jb->next)
        if (job_active(jb)) {
            if (full)
                refresh_counts(j, jb);
            if (jb->state != JOB_RUNNING || (!full && jb->pending > 0))
                continue;
            long was = jb->pending;
            refresh_pending(j, jb);
            x.changed |= was != jb->pending;
            job_maybe_end(j, jb);
        }
    if (x.changed && j->on_wake)
        j->on_wake(j->wake_ud);
}

int cluster_start(jobs *j, char *err, size_t errlen)
{
    const crawld_config *cfg = j->cfg;
    if (!cfg->cluster_database[0])
        return 0;
    jobs_cluster *c = ALLOC_NEW(jobs_cluster);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    c->lease_ms = config_lease_ms(cfg);
    if (store_cluster_join(j->st, cfg->cluster_node_id, c->lease_ms) < 0) {
        snprintf(err, errlen, "[cluster] database: %s", store_errmsg(j->st));
        ALLOC_FREE(c);
        return -1;
    }
    j->cl = c;
    uv_timer_init(j->loop, &c->tick);
    c->tick.data = j;
    long long full = (long long)CLUSTER_TICK_MS * CLUSTER_FULL_EVERY;
    if (c->lease_ms / 3 < full)
        full = c->lease_ms / 3;
    long long every = full / CLUSTER_FULL_EVERY > 0 ? full / CLUSTER_FULL_EVERY : 1;
    uv_timer_start(&c->tick, tick_cb, 0, (uint64_t)every);
    uv_unref((uv_handle_t *)&c->tick);
    log_info("cluster", "node joined", "node=%s lease_ms=%lld tick_ms=%lld", cfg->cluster_node_id,
             c->lease_ms, every);
    return 0;
}

void cluster_stop(jobs *j)
{
    jobs_cluster *c = j->cl;
    if (!c || uv_is_closing((uv_handle_t *)&c->tick))
        return;
    /* leases given back at a clean stop: other nodes go on at once */
    for (int i = 0; i < c->nlease && !c->down && !j->tx_open; i++)
        if (!host_in_flight(j, c->lease[i].host))
            store_lease_release(j->st, &c->lease[i], next_ok_wall(j, c->lease[i].host));
    c->nlease = 0;
    uv_close((uv_handle_t *)&c->tick, NULL);
}

void cluster_free(jobs *j)
{
    jobs_cluster *c = j->cl;
    if (!c)
        return;
    j->cl = NULL;
    alloc_free(c->tx, (size_t)c->captx * sizeof(store_lease));
    ALLOC_FREE(c);
}

static int node_json(void *ud, const store_node *n)
{
    json_t *a = ud;
    json_t *o = n->info ? json_loads(n->info, 0, NULL) : NULL;
    if (!json_is_object(o)) {
        json_decref(o);
        o = json_object();
    }
    json_object_del(o, "pid");
    json_object_set_new(o, "node", json_string(n->name));
    json_object_set_new(o, "hosts", json_integer(n->hosts)); /* leases held now */
    json_object_set_new(o, "seen_ms", json_integer(n->seen_ms));
    return json_array_append_new(a, o);
}

json_t *jobs_cluster_status(jobs *j, char *err, size_t errlen)
{
    if (!j->cl) {
        snprintf(err, errlen, "this crawld is not in a cluster (no [cluster] database)");
        return NULL;
    }
    if (j->tx_open)
        batch_commit(j);
    json_t *nodes = json_array();
    if (!nodes || store_nodes_foreach(j->st, j->cl->lease_ms, node_json, nodes) < 0) {
        snprintf(err, errlen, "%s", store_errmsg(j->st));
        json_decref(nodes);
        return NULL;
    }
    return json_pack("{s:s, s:I, s:o}", "node", j->cfg->cluster_node_id, "lease_ms",
                     (json_int_t)j->cl->lease_ms, "nodes", nodes);
}

static int node_lengths_json(void *ud, const store_node_lengths *n)
{
    return json_array_append_new(ud, json_pack("{s:s, s:I, s:I, s:I}", "node", n->node, "committed",
                                               (json_int_t)n->committed, "warc_committed",
                                               (json_int_t)n->warc_committed, "content_committed",
                                               (json_int_t)n->content_committed));
}

json_t *jobs_cluster_job_nodes(jobs *j, const job *jb)
{
    if (!j->cl)
        return NULL;
    if (j->tx_open)
        batch_commit(j);
    json_t *a = json_array();
    if (!a || store_job_nodes(j->st, jb->id, node_lengths_json, a) < 0) {
        json_decref(a);
        return NULL;
    }
    return a;
}

typedef struct find_node {
    const char *name;
    long long end;
    int found;
} find_node;

static int node_end(void *ud, const store_node_lengths *n)
{
    find_node *f = ud;
    if (strcmp(n->node, f->name) == 0) {
        f->end = n->committed;
        f->found = 1;
    }
    return 0;
}

int jobs_cluster_node_pages(jobs *j, const job *jb, const char *node, char *path, size_t cap,
                            long long *end, char *err, size_t errlen)
{
    if (!j->cl) {
        snprintf(err, errlen, "\"node\" needs a cluster (this crawld has no [cluster] database)");
        return -1;
    }
    if (j->tx_open)
        batch_commit(j);
    find_node f = {node, 0, 0};
    if (store_job_nodes(j->st, jb->id, node_end, &f) < 0) {
        snprintf(err, errlen, "state database: %s", store_errmsg(j->st));
        return -1;
    }
    if (!f.found) {
        snprintf(err, errlen, "no node \"%.40s\" has committed pages of job %lld", node, jb->id);
        return -1;
    }
    /* the output directory is shared: each node's file beside this one's */
    snprintf(path, cap, "%s/pages.%s.jsonl", jb->out_dir, node);
    *end = f.end;
    return 0;
}

job *jobs_find_any(jobs *j, long long id)
{
    job *jb = jobs_find(j, id);
    if (jb || !j->cl || j->cl->down)
        return jb;
    if (j->tx_open)
        batch_commit(j);
    sync_ctx x = {j, 0};
    if (store_jobs_foreach(j->st, sync_job, &x) < 0)
        return NULL;
    if (x.changed && j->on_wake)
        j->on_wake(j->wake_ud);
    return jobs_find(j, id);
}
