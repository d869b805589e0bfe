/* metrics — see metrics.h. */
#include "metrics.h"
#include "alloc.h"
#include "jobs.h"
#include "pool.h"
#include "utf8.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const double metrics_hist_bounds[METRICS_HIST_BOUNDS] = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                         1,    2.5,   5,    10,  30};

void metrics_hist_observe(metrics_hist *h, double v)
{
    if (!(v > 0)) /* negative, zero or NaN */
        v = 0;
    int i = 0;
    while (i < METRICS_HIST_BOUNDS && v > metrics_hist_bounds[i])
        i++;
    h->n[i]++;
    h->count++;
    h->sum += v;
}

metrics_class metrics_class_of(long status, int has_error)
{
    if (has_error || status < 200 || status > 599)
        return METRICS_ERROR;
    return (metrics_class)(status / 100 - 2);
}

const char *metrics_class_str(metrics_class c)
{
    static const char *n[] = {"2xx", "3xx", "4xx", "5xx", "error"};
    return c < METRICS_CLASS_COUNT ? n[c] : "?";
}

/* ---- text buffer ---- */

void metrics_buf_init(metrics_buf *b) { memset(b, 0, sizeof(*b)); }

void metrics_buf_release(metrics_buf *b)
{
    alloc_free(b->s, b->cap);
    metrics_buf_init(b);
}

static int buf_reserve(metrics_buf *b, size_t more)
{
    if (b->oom)
        return -1;
    if (b->len + more + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 8192;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *s = alloc_resize(b->s, b->cap, cap);
    if (!s) {
        b->oom = 1;
        return -1;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

void metrics_buf_printf(metrics_buf *b, const char *fmt, ...)
{
    va_list ap;
    char tmp[512];
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || buf_reserve(b, (size_t)n) < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)n < sizeof(tmp))
        memcpy(b->s + b->len, tmp, (size_t)n + 1);
    else { /* longer than the scratch: format again straight into the buffer */
        va_start(ap, fmt);
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

static void buf_put(metrics_buf *b, const char *s, size_t n)
{
    if (buf_reserve(b, n) < 0)
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void metrics_escape_label(metrics_buf *b, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    const unsigned char *end = s + strlen((const char *)s);
    while (*s) {
        size_t n = utf8_seq_len(s, end);
        if (n == 0) {
            buf_put(b, UTF8_REPLACEMENT, 3);
            s++;
        } else if (*s == '\\')
            buf_put(b, "\\\\", 2);
        else if (*s == '"')
            buf_put(b, "\\\"", 2);
        else if (*s == '\n')
            buf_put(b, "\\n", 2);
        else
            buf_put(b, (const char *)s, n);
        s += n;
    }
}

static void family(metrics_buf *b, const char *name, const char *type, const char *help)
{
    metrics_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A family of one unlabelled sample. */
static void single(metrics_buf *b, const char *name, const char *type, const char *help,
                   double v)
{
    family(b, name, type, help);
    metrics_buf_printf(b, "%s %.15g\n", name, v);
}

void metrics_write_hist(metrics_buf *b, const char *name, const char *help,
                        const metrics_hist *h)
{
    family(b, name, "histogram", help);
    unsigned long long cum = 0;
    for (int i = 0; i < METRICS_HIST_BOUNDS; i++) {
        cum += h->n[i];
        metrics_buf_printf(b, "%s_bucket{le=\"%g\"} %llu\n", name, metrics_hist_bounds[i], cum);
    }
    cum += h->n[METRICS_HIST_BOUNDS];
    metrics_buf_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n", name, cum);
    metrics_buf_printf(b, "%s_sum %.15g\n%s_count %llu\n", name, h->sum, name, h->count);
}

/* ---- the families ---- */

static void render_daemon(metrics_buf *b, const metrics_daemon *d, pool *p)
{
    single(b, "crawld_up", "gauge", "1 while crawld answers.", 1);
    family(b, "crawld_build_info", "gauge", "Always 1; the version is in the label.");
    metrics_buf_printf(b, "crawld_build_info{version=\"");
    metrics_escape_label(b, d->version);
    metrics_buf_printf(b, "\"} 1\n");
    single(b, "crawld_start_time_seconds", "gauge", "When crawld started, in unix seconds.",
           d->start_time_s);
    single(b, "crawld_uptime_seconds", "gauge", "Seconds since crawld started.", d->uptime_s);
    single(b, "crawld_draining", "gauge", "1 while crawld drains before exiting.",
           d->draining ? 1 : 0);
    single(b, "crawld_rss_bytes", "gauge", "Resident memory of the crawld supervisor.",
           d->rss_kb > 0 ? (double)d->rss_kb * 1024 : 0);
    single(b, "crawld_alloc_live_bytes", "gauge",
           "Bytes the supervisor holds from its process allocator.",
           (double)alloc_live_bytes());
    single(b, "crawld_control_clients", "gauge", "Control socket connections open now.",
           d->control_clients);
    single(b, "crawld_control_connections_total", "counter",
           "Control socket connections accepted.", (double)d->control_accepted);
    single(b, "crawld_control_refused_total", "counter",
           "Control socket connections refused (peer uid, too many clients).",
           (double)d->control_refused);
    single(b, "crawld_workers_configured", "gauge", "Worker slots in the config.",
           d->workers_configured);
    family(b, "crawld_workers", "gauge", "Worker processes by state.");
    for (int s = 0; s < WORKER_STATE_COUNT; s++)
        metrics_buf_printf(b, "crawld_workers{state=\"%s\"} %d\n",
                           worker_state_str((worker_state)s), pool_count_state(p, (worker_state)s));
    single(b, "crawld_workers_rss_bytes", "gauge", "Resident memory of every worker together.",
           (double)pool_rss_kb_total(p) * 1024);
    single(b, "crawld_worker_spawns_total", "counter", "Worker processes started.",
           (double)p->spawned);
    single(b, "crawld_worker_start_failures_total", "counter",
           "Workers that exited before their ready handshake (restarted with backoff).",
           (double)p->start_failures_total);
    family(b, "crawld_recycles_total", "counter", "Workers replaced, by reason.");
    for (int r = RECYCLE_RSS; r < RECYCLE_SHUTDOWN; r++)
        metrics_buf_printf(b, "crawld_recycles_total{reason=\"%s\"} %ld\n",
                           recycle_reason_str((recycle_reason)r), p->recycles[r]);
    single(b, "crawld_worker_results_total", "counter",
           "Results received from workers (pages and robots.txt fetches).",
           (double)p->pages_done);
    single(b, "crawld_pages_per_second", "gauge",
           "Worker results per second, averaged over the last 10 seconds.",
           pool_pages_per_s(p));
}

/* Per worker slot; an empty slot (backoff or stopped) has only its state. */
static void render_workers(metrics_buf *b, pool *p)
{
    static const char *states[] = {"starting", "idle", "busy", "retiring", "backoff", "stopped"};
    enum { NSTATES = sizeof(states) / sizeof(states[0]) };
    uint64_t now = uv_now(p->loop);
    family(b, "crawld_worker_state", "gauge", "1 for the worker slot's current state.");
    for (int i = 0; i < p->nslots; i++) {
        worker *w = p->slots[i].w;
        const char *cur = w ? worker_state_str(w->state) : p->stopping ? "stopped" : "backoff";
        for (int s = 0; s < NSTATES; s++)
            metrics_buf_printf(b, "crawld_worker_state{worker=\"%d\",state=\"%s\"} %d\n", i,
                               states[s], strcmp(cur, states[s]) == 0);
    }
    family(b, "crawld_worker_rss_bytes", "gauge", "Resident memory of the worker process.");
    for (int i = 0; i < p->nslots; i++) {
        worker *w = p->slots[i].w;
        if (w && w->pid > 0)
            metrics_buf_printf(b, "crawld_worker_rss_bytes{worker=\"%d\",pid=\"%ld\"} %lld\n", i,
                               (long)w->pid, (long long)(w->rss_kb > 0 ? w->rss_kb : 0) * 1024);
    }
    family(b, "crawld_worker_pages_total", "counter",
           "Pages the worker process finished (starts again at 0 with each new process).");
    for (int i = 0; i < p->nslots; i++)
        if (p->slots[i].w)
            metrics_buf_printf(b, "crawld_worker_pages_total{worker=\"%d\"} %ld\n", i,
                               p->slots[i].w->pages);
    family(b, "crawld_worker_max_pages", "gauge",
           "Pages after which the worker process is recycled (jittered).");
    for (int i = 0; i < p->nslots; i++)
        if (p->slots[i].w)
            metrics_buf_printf(b, "crawld_worker_max_pages{worker=\"%d\"} %ld\n", i,
                               p->slots[i].w->max_pages);
    family(b, "crawld_worker_page_seconds", "gauge",
           "How long the worker has been on its current page; 0 without one.");
    for (int i = 0; i < p->nslots; i++) {
        worker *w = p->slots[i].w;
        if (w)
            metrics_buf_printf(b, "crawld_worker_page_seconds{worker=\"%d\"} %.3f\n", i,
                               w->task && now >= w->task_start_ms
                                   ? (double)(now - w->task_start_ms) / 1000.0
                                   : 0.0);
    }
    family(b, "crawld_worker_js_heap_bytes", "gauge",
           "JavaScript GC heap of the worker after its last page (workers that ran JS).");
    for (int i = 0; i < p->nslots; i++) {
        worker *w = p->slots[i].w;
        if (w && w->js_heap_kb >= 0)
            metrics_buf_printf(b, "crawld_worker_js_heap_bytes{worker=\"%d\"} %lld\n", i,
                               (long long)w->js_heap_kb * 1024);
    }
    family(b, "crawld_worker_arena_retained_bytes", "gauge",
           "Page arena memory the worker kept after its last page.");
    for (int i = 0; i < p->nslots; i++) {
        worker *w = p->slots[i].w;
        if (w && w->arena_retained_kb >= 0)
            metrics_buf_printf(b, "crawld_worker_arena_retained_bytes{worker=\"%d\"} %lld\n", i,
                               (long long)w->arena_retained_kb * 1024);
    }
    family(b, "crawld_worker_start_failures", "gauge",
           "Consecutive start failures of the slot (0 once a worker is ready).");
    for (int i = 0; i < p->nslots; i++)
        metrics_buf_printf(b, "crawld_worker_start_failures{worker=\"%d\"} %d\n", i,
                           p->slots[i].start_failures);
}

static void render_jobs(metrics_buf *b, pool *p, jobs *j)
{
    single(b, "crawld_queue_pending", "gauge", "Pages waiting for a worker, over all jobs.",
           (double)j->pending);
    single(b, "crawld_queue_in_flight", "gauge", "Pages given to a worker and not yet recorded.",
           (double)j->in_flight);
    single(b, "crawld_queue_done", "gauge",
           "Pages recorded without an error, over every job in the state database.",
           (double)j->done);
    single(b, "crawld_queue_failed", "gauge",
           "Pages recorded with an error, over every job in the state database.",
           (double)j->failed);
    single(b, "crawld_queue_quarantined", "gauge",
           "Pages quarantined since crawld started (cost max_attempts workers).",
           (double)p->quarantined);

    long by_state[5] = {0};
    static const job_state states[] = {JOB_RUNNING, JOB_PAUSED, JOB_DONE, JOB_CANCELLED,
                                       JOB_FAILED};
    for (job *jb = j->list; jb; jb = jb->next)
        for (int s = 0; s < 5; s++)
            if (jb->state == states[s])
                by_state[s]++;
    family(b, "crawld_jobs", "gauge", "Jobs by state.");
    for (int s = 0; s < 5; s++)
        metrics_buf_printf(b, "crawld_jobs{state=\"%s\"} %ld\n", job_state_str(states[s]),
                           by_state[s]);

    family(b, "crawld_job_pages", "gauge", "Pages of each running or paused job, by state.");
    for (job *jb = j->list; jb; jb = jb->next) {
        if (jb->state != JOB_RUNNING && jb->state != JOB_PAUSED)
            continue;
        const char *n[] = {"pending", "in_flight", "done", "failed"};
        long v[] = {jb->pending, jb->in_flight, jb->done, jb->failed};
        for (int k = 0; k < 4; k++)
            metrics_buf_printf(b, "crawld_job_pages{job=\"%lld\",state=\"%s\"} %ld\n", jb->id,
                               n[k], v[k]);
    }
    family(b, "crawld_job_info", "gauge",
           "Always 1 for each running or paused job; its name and state are labels.");
    for (job *jb = j->list; jb; jb = jb->next) {
        if (jb->state != JOB_RUNNING && jb->state != JOB_PAUSED)
            continue;
        metrics_buf_printf(b, "crawld_job_info{job=\"%lld\",name=\"", jb->id);
        metrics_escape_label(b, jb->name);
        metrics_buf_printf(b, "\",state=\"%s\"} 1\n", job_state_str(jb->state));
    }

    family(b, "crawld_pages_total", "counter",
           "Page records written since crawld started, by job and status class "
           "(error: no HTTP response, fetch error, robots, quarantined).");
    for (job *jb = j->list; jb; jb = jb->next) {
        long any = 0;
        for (int c = 0; c < METRICS_CLASS_COUNT; c++)
            any |= jb->pages_class[c];
        if (!any)
            continue;
        for (int c = 0; c < METRICS_CLASS_COUNT; c++)
            metrics_buf_printf(b, "crawld_pages_total{job=\"%lld\",class=\"%s\"} %ld\n", jb->id,
                               metrics_class_str((metrics_class)c), jb->pages_class[c]);
    }
    single(b, "crawld_bytes_fetched_total", "counter",
           "Response body bytes of the page records written.", (double)j->bytes_fetched);
    single(b, "crawld_fetch_seconds_total", "counter",
           "Fetch time of the page records written (records' fetch_ms).", j->fetch_s);
    single(b, "crawld_parse_seconds_total", "counter",
           "Parse time of the page records written (records' parse_ms).", j->parse_s);
    single(b, "crawld_js_seconds_total", "counter",
           "JavaScript time of the page records written (records' js_ms).", j->js_s);
    single(b, "crawld_robots_fetches_total", "counter", "robots.txt fetches given to workers.",
           (double)j->robots_fetches);
}

int metrics_render(metrics_buf *b, const metrics_daemon *d, pool *p, jobs *j)
{
    render_daemon(b, d, p);
    render_workers(b, p);
    render_jobs(b, p, j);
    metrics_write_hist(b, "crawld_page_duration_seconds",
                       "Time a worker took per page (robots.txt not counted), from starting "
                       "it to its result.",
                       &p->page_hist);
    metrics_write_hist(b, "crawld_page_js_seconds",
                       "JavaScript time per page record with JS on (records' js_ms).",
                       &j->js_hist);
    return b->oom ? -1 : 0;
}
