/* pool_report — the pool's numbers (pool_int.h): the status arrays, counts,
 * the page rate and the metric families. */
#include "pool_int.h"

/* The state of an empty slot: in backoff, or stopped once the pool stops. */
static const char *const empty_slot_states[] = {"backoff", "stopped"};
static const char *empty_slot_str(const pool *p) { return empty_slot_states[p->stopping != 0]; }

double pool_pages_per_s(pool *p)
{
    uint64_t sec = uv_now(p->loop) / 1000;
    long n = 0;
    for (int i = 0; i < 10; i++)
        if (p->rate_sec[i] + 10 > sec)
            n += p->rate_n[i];
    return (double)n / 10.0;
}

int pool_count_state(pool *p, worker_state s)
{
    int n = 0;
    for (int i = 0; i < p->nslots; i++)
        if (p->slots[i].w && p->slots[i].w->state == s)
            n++;
    return n;
}

long pool_rss_kb_total(pool *p)
{
    long t = 0;
    for (int i = 0; i < p->nslots; i++)
        if (p->slots[i].w && p->slots[i].w->rss_kb > 0)
            t += p->slots[i].w->rss_kb;
    return t;
}

int pool_in_flight(pool *p)
{
    int n = 0;
    for (int i = 0; i < p->nslots; i++)
        if (p->slots[i].w)
            n += p->slots[i].w->nflight;
    return n;
}

/* A worker's pages in flight for status: each with its stage ("parse":
 * being parsed, as far as crawld knows; "fetch" on a worker with slots;
 * "alone": fetching with nothing else in flight, after a dead worker;
 * "queued" behind a one-slot worker's page) and its time in that stage. */
static json_t *flight_json(const worker *w, uint64_t now)
{
    json_t *a = json_array();
    for (int i = 0; a && i < w->nflight; i++) {
        const pool_task *t = &w->flight[i];
        const char *stage = t->parsing     ? "parse"
                            : t->alone     ? "alone"
                            : w->slots > 1 ? "fetch"
                                           : "queued";
        uint64_t since = t->parsing ? t->start_ms : t->sent_ms;
        json_array_append_new(a, json_pack("{s:s, s:s, s:I}", "url", t->pg->url, "stage", stage,
                                           "ms", (json_int_t)(now >= since ? now - since : 0)));
    }
    return a;
}

json_t *pool_workers_json(pool *p)
{
    json_t *a = json_array();
    uint64_t now = uv_now(p->loop);
    for (int i = 0; a && i < p->nslots; i++) {
        pool_slot *s = &p->slots[i];
        worker *w = s->w;
        json_t *o;
        if (!w) {
            o = json_pack("{s:i, s:n, s:s, s:n, s:i, s:i, s:i, s:n, s:n, s:n, s:n, s:i}", "id", i,
                          "pid", "state", empty_slot_str(p), "rss_mb", "rss_soft_mb",
                          p->cfg->rss_soft_mb, "rss_hard_mb", p->cfg->rss_hard_mb, "pages", 0,
                          "url", "page_ms", "js_heap_mb", "arena_retained_kb", "start_failures",
                          s->start_failures);
        } else {
            o = json_pack("{s:i, s:i, s:s, s:f, s:i, s:i, s:i, s:i, s:n, s:i}", "id", i, "pid",
                          (int)w->pid, "state", worker_state_str(w->state), "rss_mb",
                          (double)((w->rss_kb * 10) / 1024) / 10.0, "rss_soft_mb",
                          p->cfg->rss_soft_mb, "rss_hard_mb", p->cfg->rss_hard_mb, "pages",
                          (int)w->pages, "max_pages", (int)w->max_pages, "js_heap_mb",
                          "start_failures", s->start_failures);
            if (o) {
                /* url, page_ms: the page being parsed (a one-slot worker's:
                 * the page it runs); queued: the others */
                const pool_task *t = worker_parsing(w);
                const pool_task *q = NULL;
                for (int k = 0; k < w->nflight && !q; k++)
                    if (!w->flight[k].parsing)
                        q = &w->flight[k];
                int parsing = 0;
                for (int k = 0; k < w->nflight; k++)
                    parsing += w->flight[k].parsing;
                json_object_set_new(o, "url", t ? json_string(t->pg->url) : json_null());
                json_object_set_new(o, "page_ms",
                                    t && now >= t->start_ms
                                        ? json_integer((json_int_t)(now - t->start_ms))
                                        : json_null());
                json_object_set_new(o, "js_heap_mb",
                                    w->js_heap_kb >= 0
                                        ? json_real((double)((w->js_heap_kb * 10) / 1024) / 10.0)
                                        : json_null());
                json_object_set_new(o, "arena_retained_kb",
                                    w->arena_retained_kb >= 0 ? json_integer(w->arena_retained_kb)
                                                              : json_null());
                json_object_set_new(o, "queued_url", q ? json_string(q->pg->url) : json_null());
                json_object_set_new(o, "queued", json_integer(w->nflight - parsing));
                json_object_set_new(o, "in_flight", json_integer(w->nflight));
                json_object_set_new(o, "parsing", json_integer(parsing));
                json_object_set_new(o, "slots", json_integer(w->slots));
                json_object_set_new(o, "flight", flight_json(w, now));
                if (w->state == WORKER_RETIRING)
                    json_object_set_new(
                        o, "reason",
                        json_string(recycle_reason_str(w->reason == RECYCLE_NONE ? RECYCLE_CRASH
                                                                                 : w->reason)));
            }
        }
        if (o)
            json_array_append_new(a, o);
    }
    return a;
}

json_t *pool_recycles_json(pool *p)
{
    json_t *o = json_object();
    for (int r = RECYCLE_RSS; o && r < RECYCLE_SHUTDOWN; r++)
        json_object_set_new(o, recycle_reason_str((recycle_reason)r), json_integer(p->recycles[r]));
    if (o)
        json_object_set_new(o, "start_failures", json_integer(p->start_failures_total));
    return o;
}

/* ---- metrics ---- */

static void metrics_workers(pool *p, metrics_buf *b)
{
    metrics_family(b, "crawld_workers", METRICS_GAUGE, "Worker processes by state.");
    for (int s = 0; s < WORKER_STATE_COUNT; s++)
        metrics_buf_printf(b, "crawld_workers{state=\"%s\"} %d\n",
                           worker_state_str((worker_state)s), pool_count_state(p, (worker_state)s));
    metrics_gauge(b, "crawld_workers_rss_bytes", "Resident memory of every worker together.",
                  (double)pool_rss_kb_total(p) * 1024);
    metrics_counter(b, "crawld_worker_spawns_total", "Worker processes started.",
                    (double)p->spawned);
    metrics_counter(b, "crawld_worker_start_failures_total",
                    "Workers that exited before their ready handshake (restarted with backoff).",
                    (double)p->start_failures_total);
    metrics_family(b, "crawld_recycles_total", METRICS_COUNTER, "Workers replaced, by reason.");
    for (int r = RECYCLE_RSS; r < RECYCLE_SHUTDOWN; r++)
        metrics_buf_printf(b, "crawld_recycles_total{reason=\"%s\"} %ld\n",
                           recycle_reason_str((recycle_reason)r), p->recycles[r]);
    metrics_gauge(b, "crawld_workers_pages_in_flight",
                  "Pages every worker holds together: being fetched, parsed or queued.",
                  (double)pool_in_flight(p));
    metrics_counter(b, "crawld_worker_results_total",
                    "Results received from workers (pages and robots.txt fetches).",
                    (double)p->pages_done);
    metrics_gauge(b, "crawld_pages_per_second",
                  "Worker results per second, averaged over the last 10 seconds.",
                  pool_pages_per_s(p));
}

/* Per worker slot; an empty slot (backoff or stopped) has only its state
 * and its start failures. */
static void metrics_slots(pool *p, metrics_buf *b)
{
    uint64_t now = uv_now(p->loop);
    metrics_family(b, "crawld_worker_state", METRICS_GAUGE,
                   "1 for the worker slot's current state.");
    for (int i = 0; i < p->nslots; i++) {
        worker *w = p->slots[i].w;
        for (int s = 0; s < WORKER_STATE_COUNT; s++)
            metrics_buf_printf(b, "crawld_worker_state{worker=\"%d\",state=\"%s\"} %d\n", i,
                               worker_state_str((worker_state)s), w && w->state == (worker_state)s);
        for (int e = 0; e < 2; e++)
            metrics_buf_printf(b, "crawld_worker_state{worker=\"%d\",state=\"%s\"} %d\n", i,
                               empty_slot_states[e], !w && e == (p->stopping != 0));
    }
    metrics_family(b, "crawld_worker_rss_bytes", METRICS_GAUGE,
                   "Resident memory of the worker process.");
    for (int i = 0; i < p->nslots; i++) {
        worker *w = p->slots[i].w;
        if (w && w->pid > 0)
            metrics_buf_printf(b, "crawld_worker_rss_bytes{worker=\"%d\",pid=\"%ld\"} %lld\n", i,
                               (long)w->pid, (long long)(w->rss_kb > 0 ? w->rss_kb : 0) * 1024);
    }
    metrics_family(b, "crawld_worker_pages_total", METRICS_COUNTER,
                   "Pages the worker process finished (starts again at 0 with each new process).");
    for (int i = 0; i < p->nslots; i++)
        if (p->slots[i].w)
            metrics_buf_printf(b, "crawld_worker_pages_total{worker=\"%d\"} %ld\n", i,
                               p->slots[i].w->pages);
    metrics_family(b, "crawld_worker_max_pages", METRICS_GAUGE,
                   "Pages after which the worker process is recycled (jittered).");
    for (int i = 0; i < p->nslots; i++)
        if (p->slots[i].w)
            metrics_buf_printf(b, "crawld_worker_max_pages{worker=\"%d\"} %ld\n", i,
                               p->slots[i].w->max_pages);
    metrics_family(b, "crawld_worker_page_seconds", METRICS_GAUGE,
                   "How long the worker has been on its current page; 0 without one.");
    for (int i = 0; i < p->nslots; i++) {
        worker *w = p->slots[i].w;
        const pool_task *t = w ? worker_parsing(w) : NULL;
        if (w)
            metrics_buf_printf(b, "crawld_worker_page_seconds{worker=\"%d\"} %.3f\n", i,
                               t && now >= t->start_ms ? (double)(now - t->start_ms) / 1000.0
                                                       : 0.0);
    }
    metrics_family(b, "crawld_worker_pages_in_flight", METRICS_GAUGE,
                   "Pages the worker holds: being fetched, parsed or queued.");
    for (int i = 0; i < p->nslots; i++)
        if (p->slots[i].w)
            metrics_buf_printf(b, "crawld_worker_pages_in_flight{worker=\"%d\"} %d\n", i,
                               p->slots[i].w->nflight);
    metrics_family(b, "crawld_worker_js_heap_bytes", METRICS_GAUGE,
                   "JavaScript GC heap of the worker after its last page (workers that ran JS).");
    for (int i = 0; i < p->nslots; i++) {
        worker *w = p->slots[i].w;
        if (w && w->js_heap_kb >= 0)
            metrics_buf_printf(b, "crawld_worker_js_heap_bytes{worker=\"%d\"} %lld\n", i,
                               (long long)w->js_heap_kb * 1024);
    }
    metrics_family(b, "crawld_worker_arena_retained_bytes", METRICS_GAUGE,
                   "Page arena memory the worker kept after its last page.");
    for (int i = 0; i < p->nslots; i++) {
        worker *w = p->slots[i].w;
        if (w && w->arena_retained_kb >= 0)
            metrics_buf_printf(b, "crawld_worker_arena_retained_bytes{worker=\"%d\"} %lld\n", i,
                               (long long)w->arena_retained_kb * 1024);
    }
    metrics_family(b, "crawld_worker_start_failures", METRICS_GAUGE,
                   "Consecutive start failures of the slot (0 once a worker is ready).");
    for (int i = 0; i < p->nslots; i++)
        metrics_buf_printf(b, "crawld_worker_start_failures{worker=\"%d\"} %d\n", i,
                           p->slots[i].start_failures);
}

void pool_metrics(pool *p, metrics_buf *b, metrics_section s)
{
    switch (s) {
    case METRICS_WORKERS:
        metrics_workers(p, b);
        metrics_slots(p, b);
        break;
    case METRICS_QUEUE:
        metrics_gauge(b, "crawld_queue_quarantined",
                      "Pages quarantined since crawld started (cost max_attempts workers).",
                      (double)p->quarantined);
        break;
    case METRICS_JOBS:
        break;
    case METRICS_HISTOGRAMS:
        metrics_write_hist(b, "crawld_page_duration_seconds",
                           "Time a worker took per page (robots.txt not counted), from starting "
                           "it to its result.",
                           &p->page_hist);
        break;
    }
}
