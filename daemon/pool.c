/* pool — see pool.h. The workers' lifecycle: spawn, state, exit, backoff,
 * the RSS and deadline poll, stop, close, recycle and reload. The channel
 * is pool_chan.c, status and metrics pool_report.c (pool_int.h). */
#include "pool_int.h"
#include "alloc.h"
#include "log.h"
#include "rss.h"

#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BACKOFF_BASE_MS 250
#define BACKOFF_MAX_MS 30000

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

uint64_t pool_page_key(long long job_id, const char *url)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)job_id; /* FNV-1a */
    for (const unsigned char *c = (const unsigned char *)url; c && *c; c++) {
        h ^= *c;
        h *= 1099511628211ULL;
    }
    return h ? h : 1;
}

static int strike_find(const pool_strikes *s, uint64_t key)
{
    if (!s->used)
        return -1;
    for (int i = 0; i < POOL_STRIKES; i++)
        if (s->key[i] == key)
            return i;
    return -1;
}

int pool_strike_get(const pool_strikes *s, uint64_t key)
{
    int i = strike_find(s, key);
    return i < 0 ? 0 : s->n[i];
}

int pool_strike_add(pool_strikes *s, uint64_t key)
{
    int i = strike_find(s, key);
    if (i < 0) { /* a free entry, else the one with the fewest strikes */
        int least = -1;
        for (int k = 0; k < POOL_STRIKES && i < 0; k++) {
            if (!s->key[k])
                i = k;
            else if (least < 0 || s->n[k] < s->n[least])
                least = k;
        }
        if (i < 0)
            i = least;
        else
            s->used++;
        s->key[i] = key;
        s->n[i] = 0;
    }
    return ++s->n[i];
}

void pool_strike_forget(pool_strikes *s, uint64_t key)
{
    int i = strike_find(s, key);
    if (i < 0)
        return;
    s->key[i] = 0;
    s->n[i] = 0;
    s->used--;
}

int pool_death_counts(int parsing, int alone, int strikes, int max_attempts)
{
    return parsing || alone || strikes >= 2 * max_attempts;
}

int pool_exit_clean(int term_signal, long long status, int killed, recycle_reason reason)
{
    return !term_signal && status == 0 && !killed && reason != RECYCLE_NONE &&
           reason != RECYCLE_CRASH;
}

int pool_capacity(int slots, int queue_depth)
{
    if (slots > 1)
        return slots;
    return 1 + (queue_depth > 0 ? queue_depth : 0);
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
    const pool_task *t = worker_parsing(w);
    if (t)
        log_warn("pool", "killing worker",
                 "slot=%d pid=%ld reason=%s rss_mb=%ld detail=\"%s\" in_flight=%d url=\"%s\"",
                 w->slot, (long)w->pid, recycle_reason_str(w->reason), w->rss_kb / 1024,
                 detail ? detail : "", w->nflight, t->pg->url);
    else
        log_warn("pool", "killing worker",
                 "slot=%d pid=%ld reason=%s rss_mb=%ld detail=\"%s\" in_flight=%d", w->slot,
                 (long)w->pid, recycle_reason_str(w->reason), w->rss_kb / 1024,
                 detail ? detail : "", w->nflight);
    uv_process_kill(&w->proc, SIGKILL);
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

/* What comes after its last page in flight: idle, or retiring for one of
 * the reasons. */
void worker_after_page(worker *w, int worker_says_retire)
{
    pool *p = w->pool;
    if (w->state == WORKER_RETIRING) {
        /* it said it leaves while pages were in flight: now it may go */
        if (!w->killed && !w->deadline_ms)
            w->deadline_ms = uv_now(p->loop) + EXIT_WAIT_MS;
        return;
    }
    if (worker_says_retire) {
        w->reason = RECYCLE_RSS;
        worker_set_state(w, WORKER_RETIRING);
        /* it exits on its own at once, giving up the pages it holds
         * (pool_exit_clean); with pages in flight, no exit deadline: a
         * kill would make their return a death, and they are under their
         * own deadlines */
        w->deadline_ms = w->nflight ? 0 : uv_now(p->loop) + EXIT_WAIT_MS;
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

static void worker_free(worker *w)
{
    frame_decoder_free(&w->dec);
    alloc_free(w->rbuf, WORKER_RBUF);
    alloc_free(w->obuf, w->ocap);
    alloc_free(w->flight, (size_t)w->flight_cap * sizeof(pool_task));
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

/* The worker is dead: every page it held goes back exactly once. One it
 * was parsing counts an attempt (jobs_page_failed: requeued, or
 * quarantined at max_attempts), and so does one whose transfer ran alone
 * (pool_strikes: its fetch may be what kills workers); one still fetching
 * beside others, or queued behind a one-slot worker's page, goes back
 * unstarted (jobs_page_unstarted) with a strike; from POOL_ALONE_STRIKES on
 * it is sent alone. */
static void worker_return_flight(worker *w, recycle_reason r, const char *how, int clean)
{
    pool *p = w->pool;
    char reason[96];
    if (r == RECYCLE_CRASH)
        snprintf(reason, sizeof(reason), "worker crashed (%s)", how);
    else
        snprintf(reason, sizeof(reason), "worker killed (%s)", recycle_reason_str(r));
    while (w->nflight > 0) {
        pool_task t = w->flight[0];
        w->nflight--;
        memmove(w->flight, w->flight + 1, (size_t)w->nflight * sizeof(pool_task));
        jobs_page *pg = t.pg;
        uint64_t key = pool_page_key(pg->job_id, pg->url);
        /* a one-slot worker never started its queued pages: no guard needed */
        int strikes = w->slots > 1 ? pool_strike_get(&p->strikes, key) : 0;
        char url[256];
        snprintf(url, sizeof(url), "%s", pg->url);
        int attempts = pg->attempts;
        if (clean && !t.parsing) {
            /* it left by a retire and stopped this page's transfer itself:
             * no death, so neither an attempt nor a strike */
            p->unstarted++;
            log_debug("pool", "page back unstarted (worker retired)", "url=\"%s\"", url);
            jobs_page_unstarted(p->jobs, pg);
            continue;
        }
        if (!pool_death_counts(t.parsing, t.alone, strikes, p->cfg->max_attempts)) {
            if (w->slots > 1)
                pool_strike_add(&p->strikes, key);
            p->unstarted++;
            log_debug("pool", "page back unstarted", "url=\"%s\" times=%d", url, strikes + 1);
            jobs_page_unstarted(p->jobs, pg);
            continue;
        }
        if (t.alone)
            log_warn("pool", "worker died fetching a page alone: counts an attempt",
                     "url=\"%s\" times=%d attempts=%d", url, strikes, attempts);
        else if (!t.parsing)
            log_warn("pool", "page went back unstarted too often: counts an attempt",
                     "url=\"%s\" times=%d attempts=%d", url, strikes, attempts);
        /* JS goes off for a page whose scripts may have done it, not for
         * one still fetching */
        int drop_js = t.parsing && r == RECYCLE_RSS_HARD;
        if (jobs_page_failed(p->jobs, pg, reason, p->cfg->max_attempts, drop_js)) {
            p->quarantined++;
            pool_strike_forget(&p->strikes, key);
            log_warn("pool", "page quarantined", "url=\"%s\" attempts=%d reason=\"%s\"", url,
                     attempts, reason);
        } else
            log_info("pool", "page requeued", "url=\"%s\" attempts=%d reason=\"%s\"", url, attempts,
                     reason);
    }
}

static void on_exit_cb(uv_process_t *proc, int64_t status, int term_signal)
{
    worker *w = proc->data;
    pool *p = w->pool;
    /* Gone: nothing more is sent to it while its last results are read
     * (each result dispatches, and worker_room asks this). */
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
    worker_return_flight(w, r, how, pool_exit_clean(term_signal, status, w->killed, w->reason));
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

/* Whether a page w holds is past its deadline (d says which and why).
 * Being parsed: page_timeout_ms from its parse start (a one-slot worker:
 * from when it became the page it runs, today's deadline). Still fetching
 * on a worker that announced slots: the worker's own fetch timeout bounds
 * it; crawld steps in only when the worker has said nothing for
 * page_timeout_ms + POOL_FETCH_GRACE_MS since the page was sent (wedged). */
static int worker_overdue(const worker *w, uint64_t now, char *d, size_t dn)
{
    uint64_t limit = (uint64_t)w->pool->cfg->page_timeout_ms;
    for (int i = 0; i < w->nflight; i++) {
        const pool_task *t = &w->flight[i];
        if (t->parsing) {
            if (now >= t->start_ms + limit) {
                snprintf(d, dn, "page deadline passed");
                return 1;
            }
        } else if (w->slots > 1) {
            uint64_t since = t->sent_ms > w->heard_ms ? t->sent_ms : w->heard_ms;
            if (now >= since + limit + POOL_FETCH_GRACE_MS) {
                snprintf(d, dn, "no parse message and nothing else from the worker for %llu ms",
                         (unsigned long long)(now - since));
                return 1;
            }
        }
    }
    return 0;
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
        char d[96];
        if (rss > hard_kb) {
            snprintf(d, sizeof(d), "rss %ld MB over %d MB", rss / 1024, p->cfg->rss_hard_mb);
            worker_kill(w, RECYCLE_RSS_HARD, d);
        } else if (worker_overdue(w, now, d, sizeof(d)))
            worker_kill(w, RECYCLE_TIMEOUT, d);
        else if (w->deadline_ms && now >= w->deadline_ms) {
            if (w->state == WORKER_STARTING)
                worker_kill(w, RECYCLE_NONE, "no ready handshake");
            else
                worker_kill(w, w->reason, "did not exit when asked");
        } else if (p->stopping && p->stop_deadline_ms && now >= p->stop_deadline_ms &&
                   w->nflight > 0)
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
    static const char *drop[] = {
        "NOTIFY_SOCKET=", "WATCHDOG_PID=",   "WATCHDOG_USEC=", "LISTEN_PID=",
        "LISTEN_FDS=",    "LISTEN_FDNAMES=", "CRAWLD_WORKER="};
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

int pool_init(pool *p, uv_loop_t *loop, const crawld_config *cfg, jobs *jb, const char *worker_path,
              const char *config_path, char *err, size_t errlen)
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
    uv_timer_start(&p->tick, on_tick, (uint64_t)p->cfg->rss_poll_ms, (uint64_t)p->cfg->rss_poll_ms);
    p->gen++;
    int n = 0;
    for (int i = 0; i < p->nslots; i++)
        n += p->slots[i].w != NULL;
    p->reloading = 1;
    pool_reload_step(p);
    return n;
}
