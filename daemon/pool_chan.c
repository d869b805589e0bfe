/* pool_chan — the pool's side of each worker's channel (pool_int.h): tasks
 * encoded into the output buffer and flushed once a loop turn, frames read
 * and decoded (wire.h), results, parse and the other messages handled
 * against each worker's flight set, pages dispatched, results coalesced. */
#include "pool_int.h"
#include "alloc.h"
#include "json_alloc.h"
#include "jsonv.h"
#include "log.h"
#include "rss.h"
#include "wire.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POOL_RECORD_DEPTH 32 /* a record nests 2 deep; more is not our worker's */
#define POOL_FRAME_ARENA_RETAIN (256 * 1024)

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

/* The worker broke the protocol: killed, and nothing more it sends is read
 * (its pages go back through the exit path like a crash's). */
static void worker_distrust(worker *w, const char *why)
{
    w->untrusted = 1;
    worker_kill(w, RECYCLE_CRASH, why);
}

/* Sends pg to w: it joins the worker's flight set (the page it runs when
 * it was idle; a one-slot worker queues the rest behind it, a worker with
 * slots starts fetching it on receipt). The task is encoded straight into
 * the channel's output (one per page, the hot path: no allocation but the
 * buffer's growth, wire.h). */
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
                   .warc = pg->warc, /* the worker builds the page's WARC records */
                   .if_none_match = pg->etag,
                   .if_modified_since = pg->last_modified,
                   .refers_to_date = pg->ref_date,
                   .jar = pg->jar,
                   .cookies = pg->cookies,
                   .save = pg->save};
    if (pg->raw_body > 0) { /* robots.txt: raw body, its own redirect cap */
        t.raw_body = pg->raw_body;
        t.max_redirects = pg->max_redirects;
    }
    if (pg->sitemap) { /* a sitemap task: its kind, its cap, robots.txt's redirect cap */
        t.sitemap = pg->sitemap;
        t.max_body = pg->max_body;
        t.max_redirects = pg->max_redirects;
    }
    if (pg->sess) { /* the job's session; credentials only on the seeds' origin */
        t.headers = pg->sess->headers;
        t.proxy = pg->sess->proxy;
        if (pg->auth) {
            t.user = pg->sess->user;
            t.bearer = pg->sess->bearer;
        }
    }
    t.extract = pg->extract;  /* --extract: the record's fields */
    if (pg->no_js && !pg->js) /* the record's js_note says why */
        t.js_off = "js: off for this attempt: a worker running this page's scripts was killed "
                   "at the hard RSS budget";
    /* a page that went back unstarted from two dead workers is fetched
     * alone (one death is common to every page a worker held: those are
     * fetched together again) */
    if (w->slots > 1 && p->strikes.used > 0 &&
        pool_strike_get(&p->strikes, pool_page_key(pg->job_id, pg->url)) >= POOL_ALONE_STRIKES)
        t.alone = 1;
    uint64_t now = uv_now(p->loop);
    pool_task *ft = &w->flight[w->nflight++];
    *ft = (pool_task){.pg = pg, .id = tid, .sent_ms = now, .sent_alone = t.alone};
    if (w->nflight == 1) {
        if (w->slots <= 1) { /* runs it now: being parsed, as far as crawld knows */
            ft->parsing = 1;
            ft->start_ms = now;
            ft->start_ns = uv_hrtime();
        }
        w->result_ns = 0; /* gap_ns measures while it has work */
        worker_set_state(w, WORKER_BUSY);
    }
    char *q = worker_reserve(w, wire_task_bound(&t));
    if (q)
        worker_commit(w, wire_task_encode(&t, q));
    alloc_strfree(pg->cookies); /* sent: a page given out again looks them up again */
    pg->cookies = NULL;
    if (!q) /* the pages go back through the exit path */
        worker_kill(w, RECYCLE_CRASH, "cannot send the task");
}

/* How many pages a one-slot worker may hold queued behind its own: as many
 * as the coalescing window needs and no more, up to queue_per_worker. While
 * crawld sleeps (at most coalesce_us, at most half of the shortest queue)
 * a worker runs through about coalesce_us / page time pages, so
 * 1 + 2 x that keeps it fed: small fast pages get a deep queue (fewer
 * wake-ups per page), slow pages (JS, big, slow hosts) one, so a slow page
 * never holds many others behind it. Until a page time is known:
 * queue_per_worker. A worker that announced slots has no queue: it fetches
 * all its pages at once. */
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

/* A worker takes another page when it holds fewer than its capacity
 * (pool_capacity) and will serve it: ready, not leaving, not asked to
 * retire after its pages, below its page limit counting the ones it
 * holds, the daemon not stopping. */
static int worker_room(const worker *w)
{
    const pool *p = w->pool;
    if ((w->state != WORKER_IDLE && w->state != WORKER_BUSY) || w->killed || w->exited ||
        p->stopping || (w->nflight > 0 && w->retire_after_page))
        return 0;
    int cap = pool_capacity(w->slots, queue_depth(p));
    if (cap > w->flight_cap)
        cap = w->flight_cap;
    return w->nflight < cap && w->pages + w->nflight + 1 <= w->max_pages;
}

void pool_dispatch(pool *p)
{
    if (p->stopping)
        return;
    for (int i = 0; i < p->nslots; i++) {
        worker *w = p->slots[i].w;
        if (!w || w->state != WORKER_IDLE || !worker_room(w))
            continue;
        jobs_page *pg = jobs_next(p->jobs);
        if (!pg)
            return;
        worker_give_page(w, pg);
    }
    /* Idle workers first; then one more page each per round, so the
     * workers fill evenly. */
    for (int more = 1; more;) {
        more = 0;
        for (int i = 0; i < p->nslots; i++) {
            worker *w = p->slots[i].w;
            if (!w || !worker_room(w))
                continue;
            jobs_page *pg = jobs_next(p->jobs);
            if (!pg)
                return;
            worker_give_page(w, pg);
            more = 1;
        }
    }
}

/* Where task id is in w's flight set, or -1 when w does not hold it. */
static int worker_find(const worker *w, long long id)
{
    for (int i = 0; i < w->nflight; i++)
        if (w->flight[i].id == id)
            return i;
    return -1;
}

/* Takes entry i out of w's flight set. */
static pool_task worker_take(worker *w, int i)
{
    pool_task t = w->flight[i];
    w->nflight--;
    memmove(w->flight + i, w->flight + i + 1, (size_t)(w->nflight - i) * sizeof(pool_task));
    return t;
}

/* A one-slot worker's oldest page is the one it runs: it started it the
 * moment the previous one ended (its result was read just now). */
static void worker_promote(worker *w)
{
    if (w->slots > 1 || !w->nflight || w->flight[0].parsing)
        return;
    w->flight[0].parsing = 1;
    w->flight[0].start_ms = uv_now(w->pool->loop);
    w->flight[0].start_ns = w->pool->result_ns ? w->pool->result_ns : uv_hrtime();
}

const pool_task *worker_parsing(const worker *w)
{
    for (int i = 0; i < w->nflight; i++)
        if (w->flight[i].parsing)
            return &w->flight[i];
    return NULL;
}

/* A one-slot worker that leaves after its page never starts the pages
 * queued behind it: back to their jobs, no attempt counted. */
static void worker_return_queued(worker *w)
{
    while (w->slots <= 1 && w->nflight > 0) {
        pool_task t = worker_take(w, w->nflight - 1);
        jobs_page_unstarted(w->pool->jobs, t.pg);
    }
}

/* A page has its record: its strikes (pool_strikes) go. */
static void page_finished(pool *p, const jobs_page *pg)
{
    if (p->strikes.used)
        pool_strike_forget(&p->strikes, pool_page_key(pg->job_id, pg->url));
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

/* The page-time histogram: from when the worker started the page (a
 * one-slot worker: handed out, or promoted from its queue; one with slots:
 * sent, its fetch starts on receipt) to its result. robots.txt not
 * counted. */
static void observe_page_time(worker *w, const pool_task *t)
{
    uint64_t from = w->slots > 1 ? t->sent_ms : t->start_ms;
    uint64_t now = uv_now(w->pool->loop);
    if (t->pg->kind == JOBS_PAGE && now >= from)
        metrics_hist_observe(&w->pool->page_hist, (double)(now - from) / 1000.0);
}

/* What follows a page leaving w by its answer: a one-slot worker runs the
 * next queued page (unless it leaves: the queue goes back); a worker with
 * nothing left in flight is idle or retires (worker_after_page); one with
 * slots that says it leaves keeps its other pages to finish, gets no more,
 * and may go once they are answered. */
static void worker_answered(worker *w, int says_retire)
{
    if (w->slots <= 1) {
        if (w->nflight && !says_retire && w->state == WORKER_BUSY)
            worker_promote(w);
        else {
            worker_return_queued(w); /* a retiring worker exits before reading it */
            worker_after_page(w, says_retire);
        }
    } else if (!w->nflight || says_retire)
        worker_after_page(w, says_retire);
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
    int i = worker_find(w, r.task_id);
    if (i < 0) {
        /* Our workers answer the tasks they hold, each once: anything else
         * is a broken or hostile process. Its pages go back. */
        log_warn("pool", "result for no task of this worker", "slot=%d pid=%ld task_id=%lld",
                 w->slot, (long)w->pid, (long long)r.task_id);
        worker_distrust(w, "result for a task it does not hold");
        return;
    }
    /* The record goes into pages.jsonl as it is: one JSON object on one
     * line, or the worker is not trusted (its pages go back). */
    if (!jsonv_valid_object_line(r.record, r.record_len, POOL_RECORD_DEPTH)) {
        log_warn("pool", "result record is not one JSON object line", "slot=%d pid=%ld", w->slot,
                 (long)w->pid);
        worker_distrust(w, "result record is not one JSON object line");
        return;
    }
    if (r.rss_kb > 0)
        w->rss_kb = (long)r.rss_kb;
    w->js_heap_kb = (long)r.js_heap_kb;
    w->arena_retained_kb = (long)r.arena_retained_kb;
    w->pages++;
    w->heard_ms = uv_now(p->loop);
    pool_task t = worker_take(w, i);
    observe_page_time(w, &t);
    p->result_ns = uv_hrtime();
    if (w->slots <= 1) {
        if (t.start_ns && p->result_ns > t.start_ns) {
            double d = (double)(p->result_ns - t.start_ns);
            p->page_ns = p->page_ns > 0 ? p->page_ns * 0.9 + d * 0.1 : d;
        }
    } else {
        if (w->result_ns && p->result_ns > w->result_ns) {
            double d = (double)(p->result_ns - w->result_ns);
            w->gap_ns = w->gap_ns > 0 ? w->gap_ns * 0.9 + d * 0.1 : d;
        }
        w->result_ns = p->result_ns;
    }
    page_finished(p, t.pg);
    jobs_page_done(p->jobs, t.pg, &r);
    record_rate(p);
    worker_answered(w, (r.flags & FR_RETIRE) != 0);
}

/* The worker refused our task ("bad_task: …"): the page gets that record. */
static void on_task_error(worker *w, const wire_error *m)
{
    pool *p = w->pool;
    const char *e = m->error;
    long long tid = m->task_id;
    log_warn("pool", "worker answered an error", "slot=%d pid=%ld task_id=%lld error=\"%s\"",
             w->slot, (long)w->pid, (long long)tid, e ? e : "?");
    int i = worker_find(w, tid);
    if (i < 0)
        return;
    w->heard_ms = uv_now(p->loop);
    pool_task t = worker_take(w, i);
    observe_page_time(w, &t);
    page_finished(p, t.pg);
    jobs_page_error(p->jobs, t.pg, e ? e : "worker: error");
    if (w->slots <= 1 && w->nflight && w->state == WORKER_BUSY)
        worker_promote(w);
    else if (!w->nflight)
        worker_after_page(w, 0);
}

/* The worker's fetch of a task is over and it parses the page now: from
 * here the page's deadline is page_timeout_ms, and its worker's death
 * counts it an attempt. A parse for a task it does not hold is a broken or
 * hostile worker; a second one for the same task changes nothing. */
static void on_parse(worker *w, const wire_parse *m)
{
    pool *p = w->pool;
    int i = worker_find(w, m->task_id);
    if (i < 0) {
        log_warn("pool", "parse for no task of this worker", "slot=%d pid=%ld task_id=%lld",
                 w->slot, (long)w->pid, m->task_id);
        worker_distrust(w, "parse for a task it does not hold");
        return;
    }
    pool_task *t = &w->flight[i];
    w->heard_ms = uv_now(p->loop);
    if (t->parsing)
        return;
    t->parsing = 1;
    t->alone = 0; /* its fetch is over: the parse is what counts now */
    t->start_ms = w->heard_ms;
    t->start_ns = uv_hrtime();
}

/* The transfer of a task sent "alone" starts with nothing else in flight:
 * if the worker dies before its parse, the page did it. Said of a task
 * not held or not sent alone, it is a broken or hostile worker. */
static void on_alone(worker *w, const wire_parse *m)
{
    int i = worker_find(w, m->task_id);
    if (i < 0 || !w->flight[i].sent_alone) {
        log_warn("pool", "alone for no task of this worker sent alone",
                 "slot=%d pid=%ld task_id=%lld", w->slot, (long)w->pid, m->task_id);
        worker_distrust(w, "alone for a task it does not hold alone");
        return;
    }
    w->heard_ms = uv_now(w->pool->loop);
    if (!w->flight[i].parsing)
        w->flight[i].alone = 1;
}

static void on_message(worker *w, const char *buf, size_t len);

/* A frame's JSON (and whatever is built from it while it is handled, the
 * record line included) lives in the pool's frame arena: one reset instead
 * of a malloc and free per value (docs/platform-notes.md has what they
 * cost). Nothing made here is kept: what outlives the frame is copied (the
 * store's binds, the output buffer, strdup'd page fields). */
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
    w->slots = m->slots >= 1 && m->slots <= WIRE_MAX_SLOTS ? (int)m->slots : 1;
    /* a one-slot worker's page and its queue; else its slots */
    int cap = w->slots > 1 ? w->slots : 1 + POOL_QUEUE_MAX;
    w->flight = alloc_zeroed((size_t)cap * sizeof(pool_task));
    if (!w->flight) {
        worker_set_state(w, WORKER_IDLE);
        worker_kill(w, RECYCLE_CRASH, "out of memory for its pages in flight");
        return;
    }
    w->flight_cap = cap;
    long rss = rss_kb(w->pid);
    if (rss > 0)
        w->rss_kb = rss;
    w->deadline_ms = 0;
    log_debug("pool", "worker ready", "slot=%d pid=%ld version=%s slots=%d", w->slot, (long)w->pid,
              m->version, w->slots);
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
    case WIRE_PARSE:
        on_parse(w, &m.parse);
        break;
    case WIRE_ALONE:
        on_alone(w, &m.parse);
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

/* Result coalescing. Each result wakes crawld from epoll_wait, and a sleep
 * and wake-up can cost more than handling the result (docs/platform-notes.md:
 * crawld's CPU per page). When every worker holds more than one page in
 * flight, nobody waits for crawld: it can sleep a little after a turn and
 * then take every result that came in one wake-up. The sleep is at most
 * coalesce_us and at most half of the least work a worker holds beyond
 * its next page (pages x the moving average of a page's time on a one-slot
 * worker; of the time between results on one with slots), so a worker
 * never runs out of work while crawld sleeps; it is skipped when a worker
 * is idle, starting or leaving, holds one page, has no time measured yet,
 * or under 100 us. Control requests and timers wait at most that long. */
void pool_on_coalesce(uv_check_t *c)
{
    pool *p = c->data;
    pool_flush(p); /* never sleep on unsent tasks */
    long cap_us = p->cfg->coalesce_us;
    if (cap_us <= 0 || p->stopping)
        return;
    int busy = 0;
    double spare_ns = 0; /* the least work any worker holds beyond its next page */
    for (int i = 0; i < p->nslots; i++) {
        worker *w = p->slots[i].w;
        if (!w || w->state != WORKER_BUSY || w->killed || w->nflight < 2)
            return;
        double per = w->slots > 1 ? w->gap_ns : p->page_ns;
        if (per <= 0)
            return;
        double ns = per * (w->nflight - 1);
        if (!busy++ || ns < spare_ns)
            spare_ns = ns;
    }
    if (!busy)
        return;
    double us = spare_ns / 1000.0 * 0.5;
    if (us > (double)cap_us)
        us = (double)cap_us;
    if (us < 100)
        return;
    struct timespec ts = {0, (long)(us * 1000)};
    nanosleep(&ts, NULL);
    p->coalesced++;
}
