/* pool — see pool.h. */
#include "pool_int.h"
#include "json_alloc.h"
#include "jsonv.h"
#include "alloc.h"
#include "log.h"
#include "rss.h"
#include "wire.h"

#include <errno.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POOL_RECORD_DEPTH 32 /* a record nests 2 deep; more is not our worker's */
#define BACKOFF_BASE_MS 250
#define BACKOFF_MAX_MS 30000
#define POOL_FRAME_ARENA_RETAIN (256 * 1024)

extern char **environ;

/* ---- pure helpers (unit-tested) ---- */

const char *worker_state_str(worker_state s)
{
    static const char *n[] = {"starting", "idle", "busy", "retiring"};
    return s < WORKER_STATE_COUNT ? n[s] : "?";
}

const char *recycle_reason_str(recycle_reason r)
{
    static const char *n[] = {"none",  "rss",    "rss_hard", "max_pages", "timeout",
                              "crash", "manual", "reload",   "shutdown"};
    return r < RECYCLE_COUNT ? n[r] : "?";
}

/* The state of an empty slot: in backoff, or stopped once the pool stops. */
static const char *const empty_slot_states[] = {"backoff", "stopped"};
static const char *empty_slot_str(const pool *p) { return empty_slot_states[p->stopping != 0]; }

int pool_transition_ok(worker_state from, worker_state to)
{
    /* rows: from; columns: to (starting idle busy retiring) */
    static const unsigned char ok[WORKER_STATE_COUNT][WORKER_STATE_COUNT] = {
        [WORKER_STARTING] = {0, 1, 0, 1}, /* ready; killed or stopped */
        [WORKER_IDLE] = {0, 0, 1, 1},     /* page dispatched; retire / kill */
        [WORKER_BUSY] = {0, 1, 0, 1},     /* result; retire after result / kill */
        [WORKER_RETIRING] = {0, 0, 0, 0}, /* terminal: the process exits */
    };
    if (from >= WORKER_STATE_COUNT || to >= WORKER_STATE_COUNT)
        return 0;
    return ok[from][to];
}

long pool_backoff_ms(int failures)
{
    if (failures < 1)
        return 0;
    long d = BACKOFF_BASE_MS;
    for (int i = 1; i < failures && d < BACKOFF_MAX_MS; i++)
        d *= 2;
    return d > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : d;
}

long pool_jittered_max(long max_pages, unsigned long rnd)
{
    long span = max_pages / 10; /* ±10 % */
    long v = max_pages;
    if (span > 0)
        v += (long)(rnd % (unsigned long)(2 * span + 1)) - span;
    return v < 1 ? 1 : v;
}

/* ---- internals ---- */

static unsigned long rng_next(pool *p)
{
    unsigned long x = p->rng; /* xorshift64 */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return p->rng = x;
}

static void spawn_worker(pool *p, int slot);
static void pool_maybe_stopped(pool *p);
static void pool_maybe_closed(pool *p);

void worker_set_state(worker *w, worker_state to)
{
    if (!pool_transition_ok(w->state, to)) {
        /* A bug, not bad input: say so loudly, keep the daemon up. */
        log_error("pool", "illegal worker transition", "slot=%d pid=%ld from=%s to=%s", w->slot,
                  (long)w->pid, worker_state_str(w->state), worker_state_str(to));
        return;
    }
    log_debug("pool", "worker state", "slot=%d pid=%ld from=%s to=%s", w->slot, (long)w->pid,
              worker_state_str(w->state), worker_state_str(to));
    w->state = to;
}

typedef struct write_req {
    uv_write_t req;
    size_t len;
    char data[];
} write_req;

static void on_write(uv_write_t *req, int status)
{
    (void)status; /* a dead worker's write fails; its exit callback cleans up */
    write_req *wr = (write_req *)req;
    alloc_free(wr, sizeof(*wr) + wr->len);
}

/* Makes room in w's output for one frame of at most n payload bytes and
 * returns where the payload goes (worker_commit then writes its header);
 * NULL when the channel is gone or on OOM. Frames are written by
 * worker_flush, once a loop turn: a worker handed several pages in one
 * turn (results come in bursts, coalesce_us) gets them in one write and
 * wakes once. */
static char *worker_reserve(worker *w, size_t n)
{
    if (w->exited || uv_is_closing((uv_handle_t *)&w->chan))
        return NULL;
    if (w->olen + FRAME_HEADER + n > w->ocap) {
        size_t cap = w->ocap ? w->ocap : 4096;
        while (cap < w->olen + FRAME_HEADER + n)
            cap *= 2;
        char *b = alloc_resize(w->obuf, w->ocap, cap);
        if (!b)
            return NULL;
        w->obuf = b;
        w->ocap = cap;
    }
    return w->obuf + w->olen + FRAME_HEADER;
}

/* The payload worker_reserve made room for is n bytes: it joins the output. */
static void worker_commit(worker *w, size_t n)
{
    frame_put_header((unsigned char *)w->obuf + w->olen, (uint32_t)n);
    w->olen += FRAME_HEADER + n;
}

/* Queues one frame for w; -1 when the channel is gone or on OOM. */
int worker_send(worker *w, const char *s, size_t n)
{
    char *q = worker_reserve(w, n);
    if (!q)
        return -1;
    memcpy(q, s, n);
    worker_commit(w, n);
    return 0;
}

/* Writes what worker_send queued: directly when the channel has nothing
 * pending (no request, no poll for writability), the rest through
 * uv_write. A channel that fails kills the worker (its pages come back
 * through the exit path). */
static void worker_flush(worker *w)
{
    if (!w->olen)
        return;
    size_t n = w->olen, off = 0;
    w->olen = 0;
    if (w->exited || uv_is_closing((uv_handle_t *)&w->chan))
        return;
    if (uv_stream_get_write_queue_size((uv_stream_t *)&w->chan) == 0) {
        uv_buf_t b = uv_buf_init(w->obuf, (unsigned)n);
        int r = uv_try_write((uv_stream_t *)&w->chan, &b, 1);
        if (r >= 0)
            off = (size_t)r;
        else if (r != UV_EAGAIN) {
            worker_kill(w, RECYCLE_CRASH, "cannot send the task");
            return;
        }
        if (off == n)
            return;
    }
    write_req *wr = alloc_new(sizeof(*wr) + n - off);
    if (!wr) {
        worker_kill(w, RECYCLE_CRASH, "out of memory sending the task");
        return;
    }
    wr->len = n - off;
    memcpy(wr->data, w->obuf + off, wr->len);
    uv_buf_t b = uv_buf_init(wr->data, (unsigned)wr->len);
    if (uv_write(&wr->req, (uv_stream_t *)&w->chan, &b, 1, on_write) < 0) {
        alloc_free(wr, sizeof(*wr) + wr->len);
        worker_kill(w, RECYCLE_CRASH, "cannot send the task");
    }
}

static void pool_flush(pool *p)
{
    for (int i = 0; i < p->nslots; i++)
        if (p->slots[i].w)
            worker_flush(p->slots[i].w);
}

void pool_on_flush(uv_prepare_t *h) { pool_flush(h->data); }

void worker_kill(worker *w, recycle_reason why, const char *detail)
{
    if (w->killed || w->exited)
        return;
    w->killed = 1;
    if (w->reason == RECYCLE_NONE)
        w->reason = why;
    if (w->state != WORKER_RETIRING)
        worker_set_state(w, WORKER_RETIRING);
    /* Two formats, not a " url=\"" argument: log.c escapes every %s as a
     * value, so a pair cannot come in through one. */
    if (w->task)
        log_warn("pool", "killing worker",
                 "slot=%d pid=%ld reason=%s rss_mb=%ld detail=\"%s\" url=\"%s\"", w->slot,
                 (long)w->pid, recycle_reason_str(w->reason), w->rss_kb / 1024,
                 detail ? detail : "", w->task->url);
    else
        log_warn("pool", "killing worker", "slot=%d pid=%ld reason=%s rss_mb=%ld detail=\"%s\"",
                 w->slot, (long)w->pid, recycle_reason_str(w->reason), w->rss_kb / 1024,
                 detail ? detail : "");
    uv_process_kill(&w->proc, SIGKILL);
}

/* The worker broke the protocol: killed, and nothing more it sends is read
 * (its page goes back through the exit path like a crash). */
static void worker_distrust(worker *w, const char *why)
{
    w->untrusted = 1;
    worker_kill(w, RECYCLE_CRASH, why);
}

/* Asks an idle (or just-finished) worker to leave after nothing more. */
void worker_retire(worker *w, recycle_reason why)
{
    if (w->reason == RECYCLE_NONE)
        w->reason = why;
    if (w->state != WORKER_RETIRING)
        worker_set_state(w, WORKER_RETIRING);
    w->deadline_ms = uv_now(w->pool->loop) + EXIT_WAIT_MS;
    size_t n;
    const char *msg = wire_retire(&n);
    if (worker_send(w, msg, n) < 0)
        worker_kill(w, why, "channel gone");
    log_info("pool", "worker retiring", "slot=%d pid=%ld reason=%s pages=%ld rss_mb=%ld", w->slot,
             (long)w->pid, recycle_reason_str(w->reason), w->pages, w->rss_kb / 1024);
}

/* Sends pg to w: as its page when idle, else queued behind the one it runs.
 * The task is encoded straight into the channel's output (one per page,
 * the hot path: no allocation but the buffer's growth, wire.h). */
static void worker_give_page(worker *w, jobs_page *pg)
{
    pool *p = w->pool;
    long long tid = ++p->next_task_id;
    long fetch_ms = (long)p->cfg->page_timeout_ms * 3 / 4; /* the rest: parse + JS */
    wire_task t = {.task_id = tid,
                   .job_id = pg->job_id,
                   .url = pg->url,
                   .depth = pg->depth,
                   .js = pg->js,
                   .timeout_ms = fetch_ms > 0 ? fetch_ms : 1,
                   .attempts = pg->attempts,
                   .parent = pg->parent,
                   .warc = pg->warc}; /* the worker builds the page's WARC records */
    if (pg->raw_body > 0) {           /* robots.txt: raw body, its own redirect cap */
        t.raw_body = pg->raw_body;
        t.max_redirects = pg->max_redirects;
    }
    if (pg->no_js && !pg->js) /* the record's js_note says why */
        t.js_off = "js: off for this attempt: a worker running this page's scripts was killed "
                   "at the hard RSS budget";
    if (w->state == WORKER_BUSY) {
        w->queued[w->nqueued] = pg;
        w->queued_id[w->nqueued++] = tid;
    } else {
        w->task = pg;
        w->task_id = tid;
        w->task_start_ms = uv_now(p->loop);
        w->task_start_ns = uv_hrtime();
        w->deadline_ms = w->task_start_ms + (uint64_t)p->cfg->page_timeout_ms;
        worker_set_state(w, WORKER_BUSY);
    }
    char *q = worker_reserve(w, wire_task_bound(&t));
    if (q)
        worker_commit(w, wire_task_encode(&t, q));
    else /* the pages go back through the exit path */
        worker_kill(w, RECYCLE_CRASH, "cannot send the task");
}

/* How many pages a busy worker may hold queued behind its own: as many as
 * the coalescing window needs and no more, up to queue_per_worker. While
 * crawld sleeps (at most coalesce_us, at most half of the shortest queue)
 * a worker runs through about coalesce_us / page time pages, so
 * 1 + 2 x that keeps it fed: small fast pages get a deep queue (fewer
 * wake-ups per page), slow pages (JS, big, slow hosts) one, so a slow page
 * never holds many others behind it. Until a page time is known:
 * queue_per_worker. */
static int queue_depth(const pool *p)
{
    int q = p->cfg->queue_per_worker;
    if (q > POOL_QUEUE_MAX)
        q = POOL_QUEUE_MAX;
    if (q > 1 && p->page_ns > 0) {
        double want = 1 + 2.0 * (double)p->cfg->coalesce_us * 1000 / p->page_ns;
        if (want < q)
            q = (int)want;
    }
    return q;
}

/* A busy worker takes another page queued behind its own (up to
 * queue_depth) when it will serve it: not asked to retire, below its page
 * limit counting the ones it has, the daemon not stopping. */
static int worker_can_queue(const worker *w)
{
    int q = queue_depth(w->pool);
    return w->state == WORKER_BUSY && w->nqueued < q && !w->killed && !w->exited &&
           !w->retire_after_page &&
           !w->pool->stopping && w->pages + 2 + w->nqueued <= w->max_pages;
}

void pool_dispatch(pool *p)
{
    if (p->stopping)
        return;
    for (int i = 0; i < p->nslots; i++) {
        worker *w = p->slots[i].w;
        if (!w || w->state != WORKER_IDLE)
            continue;
        jobs_page *pg = jobs_next(p->jobs);
        if (!pg)
            return;
        worker_give_page(w, pg);
    }
    /* Idle workers first; then pages queued behind busy ones, one each
     * per round so the queues fill evenly. */
    for (int more = 1; more;) {
        more = 0;
        for (int i = 0; i < p->nslots; i++) {
            worker *w = p->slots[i].w;
            if (!w || !worker_can_queue(w))
                continue;
            jobs_page *pg = jobs_next(p->jobs);
            if (!pg)
                return;
            worker_give_page(w, pg);
            more = 1;
        }
    }
}

/* The first queued page becomes the one the worker runs (it started it the
 * moment the previous one ended). */
static void worker_promote_queued(worker *w)
{
    w->task = w->queued[0];
    w->task_id = w->queued_id[0];
    w->nqueued--;
    memmove(w->queued, w->queued + 1, (size_t)w->nqueued * sizeof(w->queued[0]));
    memmove(w->queued_id, w->queued_id + 1, (size_t)w->nqueued * sizeof(w->queued_id[0]));
    w->task_start_ms = uv_now(w->pool->loop);
    w->task_start_ns = w->pool->result_ns; /* its result was read just now */
    w->deadline_ms = w->task_start_ms + (uint64_t)w->pool->cfg->page_timeout_ms;
}

/* The queued pages will never run on this worker: back to their jobs. */
void worker_return_queued(worker *w)
{
    while (w->nqueued > 0) {
        jobs_page *pg = w->queued[--w->nqueued];
        w->queued[w->nqueued] = NULL;
        jobs_page_unstarted(w->pool->jobs, pg);
    }
}

static void record_rate(pool *p)
{
    p->pages_done++;
    uint64_t sec = uv_now(p->loop) / 1000;
    int i = (int)(sec % 10);
    if (p->rate_sec[i] != sec) {
        p->rate_sec[i] = sec;
        p->rate_n[i] = 0;
    }
    p->rate_n[i]++;
}

double pool_pages_per_s(pool *p)
{
    uint64_t sec = uv_now(p->loop) / 1000;
    long n = 0;
    for (int i = 0; i < 10; i++)
        if (p->rate_sec[i] + 10 > sec)
            n += p->rate_n[i];
    return (double)n / 10.0;
}

/* What comes after a page: idle, or retiring for one of the reasons. */
void worker_after_page(worker *w, int worker_says_retire)
{
    pool *p = w->pool;
    if (w->state == WORKER_RETIRING)
        return;
    if (worker_says_retire) {
        w->reason = RECYCLE_RSS;
        worker_set_state(w, WORKER_RETIRING);
        w->deadline_ms = uv_now(p->loop) + EXIT_WAIT_MS; /* it exits on its own */
        log_info("pool", "worker retiring", "slot=%d pid=%ld reason=rss rss_mb=%ld soft_mb=%d",
                 w->slot, (long)w->pid, w->rss_kb / 1024, p->cfg->rss_soft_mb);
    } else if (w->pages >= w->max_pages)
        worker_retire(w, RECYCLE_MAX_PAGES);
    else if (w->retire_after_page)
        worker_retire(w, w->retire_for_reload ? RECYCLE_RELOAD : RECYCLE_MANUAL);
    else if (p->stopping)
        worker_retire(w, RECYCLE_SHUTDOWN);
    else {
        worker_set_state(w, WORKER_IDLE);
        w->deadline_ms = 0;
    }
}

/* The page-time histogram: from when the worker started the page (handed
 * out, or promoted from its queue) to its result. robots.txt not counted. */
static void observe_page_time(worker *w, const jobs_page *pg)
{
    if (pg->kind == JOBS_PAGE)
        metrics_hist_observe(&w->pool->page_hist,
                             (double)(uv_now(w->pool->loop) - w->task_start_ms) / 1000.0);
}

static void on_result(worker *w, char *buf, size_t len)
{
    pool *p = w->pool;
    frame_result r;
    wire_err e;
    if (wire_result_decode(buf, len, &r, &e) < 0) {
        log_warn("pool", "bad result from worker", "slot=%d pid=%ld error=\"%s\"", w->slot,
                 (long)w->pid, e.detail);
        worker_distrust(w, e.detail);
        return;
    }
    if (!w->task || r.task_id != w->task_id) {
        /* Our workers answer the task they run: anything else is a broken
         * or hostile process. Its pages go back. */
        log_warn("pool", "result for no task of this worker", "slot=%d pid=%ld task_id=%lld",
                 w->slot, (long)w->pid, (long long)r.task_id);
        worker_distrust(w, "result for a task it does not run");
        return;
    }
    /* The record goes into pages.jsonl as it is: one JSON object on one
     * line, or the worker is not trusted (its page goes back). */
    if (!json_valid_object_line(r.record, r.record_len, POOL_RECORD_DEPTH)) {
        log_warn("pool", "result record is not one JSON object line", "slot=%d pid=%ld",
                 w->slot, (long)w->pid);
        worker_distrust(w, "result record is not one JSON object line");
        return;
    }
    if (r.rss_kb > 0)
        w->rss_kb = (long)r.rss_kb;
    w->js_heap_kb = (long)r.js_heap_kb;
    w->arena_retained_kb = (long)r.arena_retained_kb;
    w->pages++;
    jobs_page *pg = w->task;
    w->task = NULL;
    w->task_id = 0;
    observe_page_time(w, pg);
    p->result_ns = uv_hrtime();
    if (w->task_start_ns && p->result_ns > w->task_start_ns) {
        double d = (double)(p->result_ns - w->task_start_ns);
        p->page_ns = p->page_ns > 0 ? p->page_ns * 0.9 + d * 0.1 : d;
    }
    jobs_page_done(p->jobs, pg, &r);
    record_rate(p);
    int says_retire = (r.flags & FR_RETIRE) != 0;
    if (w->nqueued && !says_retire && w->state == WORKER_BUSY)
        worker_promote_queued(w); /* already running it */
    else {
        worker_return_queued(w); /* a retiring worker exits before reading it */
        worker_after_page(w, says_retire);
    }
}

/* The worker refused our task ("bad_task: …"): the page gets that record. */
static void on_task_error(worker *w, const wire_error *m)
{
    pool *p = w->pool;
    const char *e = m->error;
    long long tid = m->task_id;
    log_warn("pool", "worker answered an error", "slot=%d pid=%ld task_id=%lld error=\"%s\"",
             w->slot, (long)w->pid, (long long)tid, e ? e : "?");
    if (!w->task || tid != w->task_id)
        return;
    jobs_page *pg = w->task;
    w->task = NULL;
    observe_page_time(w, pg);
    json_t *rec = json_pack("{s:s, s:n, s:i, s:i, s:[], s:s}", "url", pg->url, "final_url",
                            "status", 0, "depth", pg->depth, "links", "error",
                            e ? e : "worker: error");
    if (rec) {
        jobs_page_done_json(p->jobs, pg, rec);
        json_decref(rec);
    } else
        jobs_page_failed(p->jobs, pg, "worker error", 1, 0);
    if (w->nqueued && w->state == WORKER_BUSY)
        worker_promote_queued(w);
    else
        worker_after_page(w, 0);
}

static void on_message(worker *w, const char *buf, size_t len);

/* A frame's JSON (and whatever is built from it while it is handled, the
 * record line included) lives in the pool's frame arena: one reset instead
 * of a malloc and free per value (measured: jansson's allocations were
 * about a sixth of crawld's CPU per page). Nothing made here is kept: what
 * outlives the frame is copied (SQLite binds, the output buffer, strdup'd
 * page fields). */
static void on_frame(worker *w, char *buf, size_t len)
{
    pool *p = w->pool;
    if (wire_is_result(buf, len)) {
        on_result(w, buf, len);
        if (!w->untrusted)
            pool_dispatch(p);
        arena_reset(&p->frame_arena, POOL_FRAME_ARENA_RETAIN);
        return;
    }
    arena *prev = json_alloc_push(&p->frame_arena);
    on_message(w, buf, len);
    json_alloc_pop(prev);
    arena_reset(&p->frame_arena, POOL_FRAME_ARENA_RETAIN);
}

static void on_ready(worker *w, const wire_ready *m)
{
    pool *p = w->pool;
    if (w->state != WORKER_STARTING)
        return;
    pool_slot *s = &p->slots[w->slot];
    if (m->pid != w->pid)
        log_warn("pool", "ready with another pid", "slot=%d pid=%ld said=%lld", w->slot,
                 (long)w->pid, m->pid);
    if (s->start_failures)
        log_info("pool", "worker started after failures", "slot=%d pid=%ld failures=%d", w->slot,
                 (long)w->pid, s->start_failures);
    s->start_failures = 0;
    p->backoff_logged = 0;
    w->ready = 1;
    long rss = rss_kb(w->pid);
    if (rss > 0)
        w->rss_kb = rss;
    w->deadline_ms = 0;
    log_debug("pool", "worker ready", "slot=%d pid=%ld version=%s", w->slot, (long)w->pid,
              m->version);
    worker_set_state(w, WORKER_IDLE);
    if (p->stopping)
        worker_retire(w, RECYCLE_SHUTDOWN);
    else if (w->retire_after_page)
        worker_retire(w, RECYCLE_MANUAL);
    else {
        pool_reload_step(p); /* this one may be the replacement it waited for */
        pool_dispatch(p);
    }
}

/* Every message but the result (wire.h). One that does not decode is a
 * broken or hostile worker; one of a type crawld does not take is logged. */
static void on_message(worker *w, const char *buf, size_t len)
{
    pool *p = w->pool;
    wire_msg m;
    wire_err e;
    if (wire_decode(WIRE_AT_DAEMON, &p->frame_arena, buf, len, &m, &e) < 0) {
        log_warn("pool", "bad frame from worker", "slot=%d pid=%ld error=\"%s\"", w->slot,
                 (long)w->pid, e.detail);
        worker_distrust(w, e.detail);
        return;
    }
    switch (m.type) {
    case WIRE_READY:
        on_ready(w, &m.ready);
        break;
    case WIRE_ERROR:
        on_task_error(w, &m.error);
        pool_dispatch(p);
        break;
    case WIRE_PONG:
        if (m.pong.rss_kb > 0)
            w->rss_kb = (long)m.pong.rss_kb;
        break;
    default:
        log_warn("pool", "unknown frame from worker", "slot=%d pid=%ld type=\"%.40s\"", w->slot,
                 (long)w->pid, m.type == WIRE_UNKNOWN ? m.unknown : "?");
        break;
    }
}

static void worker_decode(worker *w)
{
    for (;;) {
        if (w->untrusted)
            return; /* nothing more it says is read */
        char *buf;
        size_t len;
        frame_err fe = frame_decoder_next(&w->dec, &buf, &len);
        if (fe == FRAME_EOF)
            return;
        if (fe != FRAME_OK) {
            worker_distrust(w, frame_err_str(fe));
            return;
        }
        on_frame(w, buf, len);
    }
}

static void worker_feed(worker *w, const char *data, size_t n)
{
    if (frame_decoder_feed(&w->dec, data, n) != FRAME_OK) {
        worker_kill(w, RECYCLE_CRASH, "out of memory buffering a frame");
        return;
    }
    worker_decode(w);
}

void pool_on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    worker *w = h->data;
    *buf = uv_buf_init(w->rbuf, WORKER_RBUF);
}

void pool_on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    worker *w = s->data;
    if (n > 0) {
        worker_feed(w, buf->base, (size_t)n);
        pool_flush(w->pool); /* the pages its results freed go out now */
        return;
    }
    if (n == 0)
        return;
    /* EOF or error: the process should be gone or going; make sure. */
    uv_read_stop(s);
    if (!w->exited && !w->killed) {
        uint64_t soon = uv_now(w->pool->loop) + EXIT_WAIT_MS;
        if (!w->deadline_ms || w->deadline_ms > soon || w->state != WORKER_RETIRING)
            w->deadline_ms = soon;
        if (w->state != WORKER_RETIRING) {
            w->reason = RECYCLE_CRASH;
            worker_set_state(w, WORKER_RETIRING);
        }
    }
}

/* Frames the worker wrote before exiting may still sit in the socket when
 * the exit callback comes first: read them now so no result is lost. */
void worker_drain_channel(worker *w)
{
    uv_os_fd_t fd;
    if (uv_fileno((uv_handle_t *)&w->chan, &fd) < 0)
        return;
    for (;;) {
        ssize_t r = read(fd, w->rbuf, WORKER_RBUF);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return;
        worker_feed(w, w->rbuf, (size_t)r);
    }
}

static void worker_free(worker *w)
{
    frame_decoder_free(&w->dec);
    alloc_free(w->rbuf, WORKER_RBUF);
    alloc_free(w->obuf, w->ocap);
    ALLOC_FREE(w);
}

static void on_worker_handle_closed(uv_handle_t *h)
{
    worker *w = h->data;
    if (--w->handles_open > 0)
        return;
    pool *p = w->pool;
    worker_free(w);
    p->live_workers--;
    pool_maybe_closed(p);
}

static void worker_close_handles(worker *w)
{
    w->handles_open = 2;
    uv_close((uv_handle_t *)&w->proc, on_worker_handle_closed);
    uv_close((uv_handle_t *)&w->chan, on_worker_handle_closed);
}

static void on_backoff(uv_timer_t *t)
{
    pool *p = t->data;
    pool_slot *s = (pool_slot *)(void *)((char *)t - offsetof(pool_slot, backoff));
    if (!p->stopping)
        spawn_worker(p, (int)(s - p->slots));
}

/* The slot's process is gone (or never started): refill it. */
static void slot_refill(pool *p, int slot, int start_failed, const char *why)
{
    pool_slot *s = &p->slots[slot];
    if (p->stopping) {
        pool_maybe_stopped(p);
        return;
    }
    if (!start_failed) {
        spawn_worker(p, slot);
        return;
    }
    s->start_failures++;
    p->start_failures_total++;
    long delay = pool_backoff_ms(s->start_failures);
    if (!p->backoff_logged) {
        /* One line per failing series; recovery logs "started after failures". */
        log_error("pool", "worker fails to start; retrying with backoff",
                  "slot=%d worker=\"%s\" error=\"%s\" first_delay_ms=%ld max_delay_ms=%d", slot,
                  p->worker_path, why, delay, BACKOFF_MAX_MS);
        p->backoff_logged = 1;
    } else
        log_debug("pool", "worker start failed", "slot=%d failures=%d delay_ms=%ld error=\"%s\"",
                  slot, s->start_failures, delay, why);
    uv_timer_start(&s->backoff, on_backoff, (uint64_t)delay, 0);
}

static void on_exit_cb(uv_process_t *proc, int64_t status, int term_signal)
{
    worker *w = proc->data;
    pool *p = w->pool;
    /* Gone: nothing more is queued on it while its last results are read
     * (each result dispatches, and worker_can_queue asks this). */
    w->exited = 1;
    worker_drain_channel(w); /* a last result may be waiting */
    char how[64];
    if (term_signal)
        snprintf(how, sizeof(how), "signal %d", term_signal);
    else
        snprintf(how, sizeof(how), "status %lld", (long long)status);
    int start_failed = !w->ready && w->reason != RECYCLE_SHUTDOWN;
    recycle_reason r = w->reason;
    if (r == RECYCLE_NONE)
        r = RECYCLE_CRASH;
    if (!start_failed && r != RECYCLE_SHUTDOWN)
        p->recycles[r]++;
    if (w->task) {
        char reason[96];
        if (r == RECYCLE_CRASH)
            snprintf(reason, sizeof(reason), "worker crashed (%s)", how);
        else
            snprintf(reason, sizeof(reason), "worker killed (%s)", recycle_reason_str(r));
        jobs_page *pg = w->task;
        w->task = NULL;
        const char *url_copy = pg->url;
        int attempts = pg->attempts;
        char url[256];
        snprintf(url, sizeof(url), "%s", url_copy);
        if (jobs_page_failed(p->jobs, pg, reason, p->cfg->max_attempts,
                             r == RECYCLE_RSS_HARD)) {
            p->quarantined++;
            log_warn("pool", "page quarantined", "url=\"%s\" attempts=%d reason=\"%s\"", url,
                     attempts, reason);
        } else
            log_info("pool", "page requeued", "url=\"%s\" attempts=%d reason=\"%s\"", url,
                     attempts, reason);
    }
    worker_return_queued(w); /* never started: no attempt counted */
    if (start_failed)
        log_debug("pool", "worker died before ready", "slot=%d pid=%ld exit=\"%s\"", w->slot,
                  (long)w->pid, how);
    else if (r == RECYCLE_CRASH)
        log_warn("pool", "worker died", "slot=%d pid=%ld exit=\"%s\" pages=%ld", w->slot,
                 (long)w->pid, how, w->pages);
    else
        log_info("pool", "worker exited", "slot=%d pid=%ld reason=%s exit=\"%s\" pages=%ld",
                 w->slot, (long)w->pid, recycle_reason_str(r), how, w->pages);
    p->slots[w->slot].last_exit_status = term_signal ? -term_signal : (long)status;
    p->slots[w->slot].w = NULL;
    int slot = w->slot;
    char why[96];
    if (w->killed && w->reason == RECYCLE_NONE) /* on_tick: past worker_start_timeout_ms */
        snprintf(why, sizeof(why), "no ready within worker_start_timeout_ms=%d: killed",
                 p->cfg->worker_start_timeout_ms);
    else
        snprintf(why, sizeof(why), "exited before ready: %s", how);
    worker_close_handles(w);
    slot_refill(p, slot, start_failed, why);
    pool_dispatch(p);
}

static void spawn_worker(pool *p, int slot)
{
    worker *w = ALLOC_NEW(worker);
    char *rbuf = w ? alloc_new(WORKER_RBUF) : NULL;
    if (!w || !rbuf) {
        if (w)
            ALLOC_FREE(w);
        slot_refill(p, slot, 1, "out of memory");
        return;
    }
    w->pool = p;
    w->slot = slot;
    w->rbuf = rbuf;
    w->state = WORKER_STARTING;
    w->arena_retained_kb = -1;
    w->js_heap_kb = -1;
    w->max_pages = pool_jittered_max(p->cfg->max_pages_per_worker, rng_next(p));
    w->gen = p->gen;
    frame_decoder_init(&w->dec, FRAME_MAX_RESULT);
    uv_pipe_init(p->loop, &w->chan, 0);
    w->chan.data = w;
    w->proc.data = w;
    p->live_workers++;

    char *args[6] = {p->worker_path, "serve", NULL, NULL, NULL, NULL};
    if (p->config_path[0]) {
        args[2] = "-c";
        args[3] = p->config_path;
    }
    uv_stdio_container_t stdio[4];
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = UV_INHERIT_FD;
    stdio[1].data.fd = 1;
    stdio[2].flags = UV_INHERIT_FD;
    stdio[2].data.fd = 2;
    stdio[3].flags = UV_CREATE_PIPE | UV_READABLE_PIPE | UV_WRITABLE_PIPE;
    stdio[3].data.stream = (uv_stream_t *)&w->chan;
    uv_process_options_t o;
    memset(&o, 0, sizeof(o));
    o.file = p->worker_path;
    o.args = args;
    o.env = p->env;
    o.exit_cb = on_exit_cb;
    o.stdio = stdio;
    o.stdio_count = 4;
    int rc = uv_spawn(p->loop, &w->proc, &o);
    if (rc < 0) {
        w->exited = 1;
        worker_close_handles(w); /* libuv: a failed spawn's handle is closed too */
        char why[160];
        snprintf(why, sizeof(why), "spawn: %s", uv_strerror(rc));
        slot_refill(p, slot, 1, why);
        return;
    }
    w->pid = w->proc.pid;
    w->deadline_ms = uv_now(p->loop) + (uint64_t)p->cfg->worker_start_timeout_ms;
    p->spawned++;
    p->slots[slot].w = w;
    log_info("pool", "worker started", "slot=%d pid=%ld max_pages=%ld", slot, (long)w->pid,
             w->max_pages);
    uv_read_start((uv_stream_t *)&w->chan, pool_on_alloc, pool_on_read);
}

/* Result coalescing. Each result wakes crawld from epoll_wait, and in this
 * VM a sleep and wake-up cost more than handling the result (perf: a third
 * of crawld's CPU per page was kernel time, most of it that). When every
 * busy worker has pages queued behind its own, nobody waits for crawld: it
 * can sleep a little after a turn and then take every result that came in
 * one wake-up. The sleep is at most coalesce_us and at most half of what
 * the shortest queue holds (pages queued x the moving average of a page's
 * time), so a worker never runs out of work while crawld sleeps; it is
 * skipped when a worker is idle, starting or leaving, or under 100 us.
 * Control requests and timers wait at most that long. */
void pool_on_coalesce(uv_check_t *c)
{
    pool *p = c->data;
    pool_flush(p); /* never sleep on unsent tasks */
    long cap_us = p->cfg->coalesce_us;
    if (cap_us <= 0 || p->stopping || p->page_ns <= 0)
        return;
    int busy = 0, minq = POOL_QUEUE_MAX;
    for (int i = 0; i < p->nslots; i++) {
        worker *w = p->slots[i].w;
        if (!w || w->state != WORKER_BUSY || w->killed)
            return;
        busy++;
        if (w->nqueued < minq)
            minq = w->nqueued;
    }
    if (!busy || minq < 1)
        return;
    double us = p->page_ns / 1000.0 * minq * 0.5;
    if (us > (double)cap_us)
        us = (double)cap_us;
    if (us < 100)
        return;
    struct timespec ts = {0, (long)(us * 1000)};
    nanosleep(&ts, NULL);
    p->coalesced++;
}

static void on_tick(uv_timer_t *t)
{
    pool *p = t->data;
    uint64_t now = uv_now(p->loop);
    long hard_kb = (long)p->cfg->rss_hard_mb * 1024;
    for (int i = 0; i < p->nslots; i++) {
        worker *w = p->slots[i].w;
        if (!w || w->exited)
            continue;
        long rss = rss_kb(w->pid);
        if (rss >= 0)
            w->rss_kb = rss;
        if (w->killed)
            continue;
        if (rss > hard_kb) {
            char d[64];
            snprintf(d, sizeof(d), "rss %ld MB over %d MB", rss / 1024, p->cfg->rss_hard_mb);
            worker_kill(w, RECYCLE_RSS_HARD, d);
        } else if (w->deadline_ms && now >= w->deadline_ms) {
            if (w->state == WORKER_BUSY)
                worker_kill(w, RECYCLE_TIMEOUT, "page deadline passed");
            else if (w->state == WORKER_STARTING)
                worker_kill(w, RECYCLE_NONE, "no ready handshake");
            else
                worker_kill(w, w->reason, "did not exit when asked");
        } else if (p->stopping && p->stop_deadline_ms && now >= p->stop_deadline_ms &&
                   w->state == WORKER_BUSY)
            worker_kill(w, RECYCLE_SHUTDOWN, "grace period over");
    }
}

static void build_env(pool *p)
{
    size_t n = 0;
    for (char **e = environ; e && *e; e++)
        n++;
    p->env = alloc_zeroed((n + 1) * sizeof(char *));
    if (!p->env)
        return;
    static const char *drop[] = {"NOTIFY_SOCKET=", "WATCHDOG_PID=",  "WATCHDOG_USEC=",
                                 "LISTEN_PID=",    "LISTEN_FDS=",    "LISTEN_FDNAMES=",
                                 "CRAWLD_WORKER="};
    size_t k = 0;
    for (char **e = environ; e && *e; e++) {
        int keep = 1;
        for (size_t d = 0; d < sizeof(drop) / sizeof(drop[0]); d++)
            if (strncmp(*e, drop[d], strlen(drop[d])) == 0)
                keep = 0;
        if (keep)
            p->env[k++] = *e;
    }
    p->env_n = n + 1;
}

int pool_init(pool *p, uv_loop_t *loop, const crawld_config *cfg, jobs *jb,
              const char *worker_path, const char *config_path, char *err, size_t errlen)
{
    memset(p, 0, sizeof(*p));
    arena_init(&p->frame_arena, 0);
    p->loop = loop;
    p->cfg = cfg;
    p->jobs = jb;
    snprintf(p->worker_path, sizeof(p->worker_path), "%s", worker_path);
    snprintf(p->config_path, sizeof(p->config_path), "%s", config_path ? config_path : "");
    p->rng = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16) ^ 0x9e3779b97f4a7c15UL;
    p->nslots = cfg->workers;
    p->slots = alloc_zeroed((size_t)p->nslots * sizeof(pool_slot));
    build_env(p);
    if (!p->slots || !p->env) {
        snprintf(err, errlen, "out of memory");
        alloc_free(p->slots, (size_t)p->nslots * sizeof(pool_slot));
        alloc_free(p->env, p->env_n * sizeof(char *));
        p->slots = NULL;
        p->env = NULL;
        return -1;
    }
    for (int i = 0; i < p->nslots; i++) {
        uv_timer_init(loop, &p->slots[i].backoff);
        p->slots[i].backoff.data = p;
    }
    uv_timer_init(loop, &p->tick);
    p->tick.data = p;
    uv_check_init(loop, &p->coalesce);
    p->coalesce.data = p;
    uv_check_start(&p->coalesce, pool_on_coalesce);
    uv_unref((uv_handle_t *)&p->coalesce); /* never keeps the loop alive */
    uv_prepare_init(loop, &p->flush);
    p->flush.data = p;
    uv_prepare_start(&p->flush, pool_on_flush);
    uv_unref((uv_handle_t *)&p->flush);
    uv_timer_start(&p->tick, on_tick, (uint64_t)cfg->rss_poll_ms, (uint64_t)cfg->rss_poll_ms);
    for (int i = 0; i < p->nslots; i++)
        spawn_worker(p, i);
    return 0;
}

static void pool_maybe_stopped(pool *p)
{
    if (!p->stopping || !p->on_stopped)
        return;
    for (int i = 0; i < p->nslots; i++)
        if (p->slots[i].w)
            return;
    void (*cb)(pool *) = p->on_stopped;
    p->on_stopped = NULL;
    cb(p);
}

void pool_stop(pool *p, long grace_ms, void (*on_stopped)(pool *p))
{
    if (p->stopping)
        return;
    p->stopping = 1;
    p->on_stopped = on_stopped;
    p->stop_deadline_ms = uv_now(p->loop) + (uint64_t)(grace_ms > 0 ? grace_ms : 0);
    int busy = 0;
    for (int i = 0; i < p->nslots; i++) {
        uv_timer_stop(&p->slots[i].backoff);
        worker *w = p->slots[i].w;
        if (!w)
            continue;
        if (w->state == WORKER_IDLE)
            worker_retire(w, RECYCLE_SHUTDOWN);
        else if (w->state == WORKER_STARTING)
            worker_kill(w, RECYCLE_SHUTDOWN, "daemon stopping");
        else if (w->state == WORKER_BUSY) {
            busy++;
            if (grace_ms <= 0)
                worker_kill(w, RECYCLE_SHUTDOWN, "daemon stopping now");
        }
    }
    log_info("pool", "stopping workers", "busy=%d grace_ms=%ld", busy, grace_ms);
    pool_maybe_stopped(p);
}

static void on_pool_handle_closed(uv_handle_t *h)
{
    pool *p = h->data;
    p->closing--;
    pool_maybe_closed(p);
}

static void pool_maybe_closed(pool *p)
{
    if (!p->on_closed || p->closing > 0 || p->live_workers > 0)
        return;
    void (*cb)(pool *) = p->on_closed;
    p->on_closed = NULL;
    cb(p);
}

void pool_close(pool *p, void (*on_closed)(pool *p))
{
    p->on_closed = on_closed;
    p->closing = 3 + p->nslots;
    uv_close((uv_handle_t *)&p->tick, on_pool_handle_closed);
    uv_close((uv_handle_t *)&p->coalesce, on_pool_handle_closed);
    uv_close((uv_handle_t *)&p->flush, on_pool_handle_closed);
    for (int i = 0; i < p->nslots; i++)
        uv_close((uv_handle_t *)&p->slots[i].backoff, on_pool_handle_closed);
}

void pool_free(pool *p)
{
    arena_release(&p->frame_arena);
    alloc_free(p->slots, (size_t)p->nslots * sizeof(pool_slot));
    alloc_free(p->env, p->env_n * sizeof(char *));
    p->slots = NULL;
    p->env = NULL;
}

int pool_recycle(pool *p, int slot)
{
    if (slot >= p->nslots)
        return -1;
    int n = 0;
    for (int i = 0; i < p->nslots; i++) {
        if (slot >= 0 && i != slot)
            continue;
        worker *w = p->slots[i].w;
        if (!w)
            continue;
        if (w->state == WORKER_IDLE) {
            worker_retire(w, RECYCLE_MANUAL);
            n++;
        } else if (w->state == WORKER_BUSY || w->state == WORKER_STARTING) {
            w->retire_after_page = 1; /* a starting one serves no page: it retires when ready */
            n++;
        }
    }
    return n;
}

/* Replaces the next worker of an older generation, unless a replacement is
 * under way: a slot empty, starting or retiring, or an old worker already
 * asked to go after its page. */
void pool_reload_step(pool *p)
{
    if (!p->reloading || p->stopping)
        return;
    worker *next = NULL;
    for (int i = 0; i < p->nslots; i++) {
        worker *w = p->slots[i].w;
        if (!w || w->state == WORKER_STARTING || w->state == WORKER_RETIRING ||
            w->retire_after_page)
            return;
        if (w->gen != p->gen && !next)
            next = w;
    }
    if (!next) {
        p->reloading = 0;
        log_info("pool", "reload: every worker replaced", "workers=%d", p->nslots);
        return;
    }
    if (next->state == WORKER_IDLE)
        worker_retire(next, RECYCLE_RELOAD);
    else {
        next->retire_after_page = 1;
        next->retire_for_reload = 1;
        log_info("pool", "worker retires after its page", "slot=%d pid=%ld reason=reload",
                 next->slot, (long)next->pid);
    }
}

int pool_reload(pool *p)
{
    if (p->stopping)
        return 0;
    uv_timer_start(&p->tick, on_tick, (uint64_t)p->cfg->rss_poll_ms,
                   (uint64_t)p->cfg->rss_poll_ms);
    p->gen++;
    int n = 0;
    for (int i = 0; i < p->nslots; i++)
        n += p->slots[i].w != NULL;
    p->reloading = 1;
    pool_reload_step(p);
    return n;
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
                          "pid", "state", empty_slot_str(p), "rss_mb",
                          "rss_soft_mb", p->cfg->rss_soft_mb, "rss_hard_mb", p->cfg->rss_hard_mb,
                          "pages", 0, "url", "page_ms", "js_heap_mb", "arena_retained_kb",
                          "start_failures", s->start_failures);
        } else {
            o = json_pack("{s:i, s:i, s:s, s:f, s:i, s:i, s:i, s:i, s:n, s:i}", "id", i, "pid",
                          (int)w->pid, "state", worker_state_str(w->state), "rss_mb",
                          (double)((w->rss_kb * 10) / 1024) / 10.0, "rss_soft_mb",
                          p->cfg->rss_soft_mb, "rss_hard_mb", p->cfg->rss_hard_mb, "pages",
                          (int)w->pages, "max_pages", (int)w->max_pages, "js_heap_mb",
                          "start_failures", s->start_failures);
            if (o) {
                json_object_set_new(o, "url", w->task ? json_string(w->task->url) : json_null());
                json_object_set_new(o, "page_ms", w->task ? json_integer((json_int_t)(
                                                                now - w->task_start_ms))
                                                          : json_null());
                json_object_set_new(o, "js_heap_mb",
                                    w->js_heap_kb >= 0
                                        ? json_real((double)((w->js_heap_kb * 10) / 1024) / 10.0)
                                        : json_null());
                json_object_set_new(o, "arena_retained_kb",
                                    w->arena_retained_kb >= 0
                                        ? json_integer(w->arena_retained_kb)
                                        : json_null());
                json_object_set_new(o, "queued_url", w->nqueued
                                                         ? json_string(w->queued[0]->url)
                                                         : json_null());
                json_object_set_new(o, "queued", json_integer(w->nqueued));
                if (w->state == WORKER_RETIRING)
                    json_object_set_new(o, "reason",
                                        json_string(recycle_reason_str(w->reason == RECYCLE_NONE
                                                                           ? RECYCLE_CRASH
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
        json_object_set_new(o, recycle_reason_str((recycle_reason)r),
                            json_integer(p->recycles[r]));
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
        if (w)
            metrics_buf_printf(b, "crawld_worker_page_seconds{worker=\"%d\"} %.3f\n", i,
                               w->task && now >= w->task_start_ms
                                   ? (double)(now - w->task_start_ms) / 1000.0
                                   : 0.0);
    }
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
