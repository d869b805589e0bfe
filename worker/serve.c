/* serve — see serve.h. */
#include "serve.h"
#include "alloc.h"
#include "frame.h"
#include "content.h"
#include "html.h"
#include "js/js.h"
#include "log.h"
#include "page.h"
#include "rss.h"
#include "warc.h"
#include "wire.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <malloc.h>
#include <string.h>
#include <unistd.h>

#define SERVE_TRIM_SLACK_KB 8192
#define SERVE_FRAME_SLACK (64 * 1024) /* the worker stats and framing */

typedef struct worker_numbers {
    long js_heap_kb, arena_retained_kb;
} worker_numbers;

/* The worker's own numbers, as the "worker" object of every answer (and in
 * *out, when not NULL, those crawld reads from a result's header). */
static char *stats_json(worker_env *e, arena *a, long rss, int retire, worker_numbers *out)
{
    alloc_stats as;
    alloc_get_stats(&as);
    arena_pool_bucket_stats large;
    arena_pool_stats(&e->pool, ARENA_POOL_LARGE, &large);
    js_heap_stats js = {0};
    if (e->js)
        js_heap_stats_get(e->js, &js);
    if (out) {
        out->js_heap_kb = js.pages || e->js ? (long)(js.gc_bytes / 1024) : -1L;
        out->arena_retained_kb = (long)(arena_pool_retained_bytes(&e->pool) / 1024);
    }
    return arena_sprintf(a,
                         "{\"pid\":%ld,\"pages\":%lu,\"rss_kb\":%ld,\"rss_soft_mb\":%d,"
                         "\"live_bytes\":%zu,\"peak_bytes\":%zu,\"arena_retained_kb\":%zu,"
                         "\"pool_hits\":%llu,\"pool_misses\":%llu,\"trims\":%lu,\"js_heap_kb\":%ld,"
                         "\"js_gcs\":%lu,\"retire\":%s}",
                         (long)getpid(), e->pages, rss, e->cfg.rss_soft_mb, as.live_bytes,
                         as.peak_bytes, arena_pool_retained_bytes(&e->pool) / 1024,
                         (unsigned long long)large.hits, (unsigned long long)large.misses, e->trims,
                         js.pages || e->js ? (long)(js.gc_bytes / 1024) : -1L, js.gc_number,
                         retire ? "true" : "false");
}

static int send_error(int fd, arena *a, long long task_id, const char *word, const char *detail)
{
    size_t n = 0;
    char *s = wire_error_encode(a, task_id, word, detail, &n);
    log_warn("serve", "bad frame", "error=\"%s: %s\"", word, detail);
    if (!s)
        return -1;
    return frame_write(fd, s, n) == FRAME_OK ? 0 : -1;
}

/* A task at the worker, from its frame to its result; lives in its page's
 * arena (the slot goes with page_end). */
struct serve_state;

typedef struct serve_slot {
    page_task t;
    page p;
    struct serve_state *s;
    struct serve_slot *next; /* the queue of pages to process, or of tasks waiting */
    int alone;               /* fetched with no other transfer running (wire.h) */
} serve_slot;

typedef struct serve_state {
    worker_env *e;
    int fd;
    arena *net_scratch; /* replies sent from the network step */
    frame_decoder dec;
    size_t skip;                   /* bytes of a refused frame still to drop */
    serve_slot *ready, *ready_end; /* transfers over, pages to process: FIFO */
    serve_slot *wait, *wait_end;   /* tasks past fetches_per_worker transfers: FIFO */
    int cap;                       /* fetches_per_worker: transfers at once */
    serve_slot *alone_run;         /* an "alone" task's transfer running: none starts */
    int quit;                      /* 1: leave (exit 0), 2: channel failed (exit 1) */
    int eof;                       /* the supervisor closed the channel */
} serve_state;

/* Works one page whose transfer is over, from the parse message to the
 * result. 0, 1 when the worker retires, -1 when the channel failed. */
static int process_page(serve_state *s, serve_slot *sl)
{
    worker_env *e = s->e;
    int fd = s->fd;
    arena *scratch = e->scratch;
    page_task t = sl->t; /* a copy: the slot goes with page_end */
    long long task_id = t.task_id;
    size_t n = 0;
    char *pm = wire_parse_encode(scratch, task_id, &n);
    if (!pm || frame_write(fd, pm, n) != FRAME_OK)
        return -1;
    /* An "alone" task's transfer is over and crawld now knows it is
     * parsed: the others may start. Not before its parse message, or
     * crawld would see the next page start alone while this one still
     * reads as fetching alone. */
    if (s->alone_run == sl)
        s->alone_run = NULL;
    page_finish(e, &sl->p);
    if (s->eof) { /* closed while the page was worked on: nobody to tell */
        page_end(e, &sl->p);
        return 0;
    }
    page p = sl->p; /* page_end clears it through this copy */
    size_t rlen = 0;
    /* The WARC records travel in the result frame: they must fit it with
     * the record (FRAME_MAX_RESULT, frame.h); else the page goes without
     * them and its record says so. */
    char *r = page_result_json(&p, &rlen);
    if (r && p.warc &&
        rlen + p.warc_len + p.fetch.cookies_len > FRAME_MAX_RESULT - SERVE_FRAME_SLACK) {
        p.warc_error = arena_sprintf(p.a,
                                     "warc: records of %zu bytes and a record of %zu do not "
                                     "fit a result frame",
                                     p.warc_len, rlen);
        p.warc = NULL;
        r = page_result_json(&p, &rlen);
    }
    /* Everything the frame carries is copied out of the page arena, which
     * page_end gives back before the frame is written. */
    frame_result fr = {.task_id = task_id};
    char *record = r ? arena_strndup(scratch, r, rlen) : NULL;
    fr.record = record;
    fr.record_len = rlen;
    if (record && p.warc) {
        char *w = arena_alloc(scratch, p.warc_len);
        if (w) {
            memcpy(w, p.warc, p.warc_len);
            fr.warc = w;
            fr.warc_len = p.warc_len;
        } else
            record = NULL; /* reported as nomem below */
    }
    if (record && t.raw_body && p.fetch.body) {
        /* A raw fetch (robots.txt): the body's first raw_body bytes, as
         * they came, in their own section. */
        size_t n = p.fetch.body_len < t.raw_body ? p.fetch.body_len : t.raw_body;
        char *b = arena_alloc(scratch, n ? n : 1);
        if (b) {
            memcpy(b, p.fetch.body, n);
            fr.body = b;
            fr.body_len = n;
        } else
            record = NULL; /* reported as nomem below */
    }
    if (record && p.fetch.final_url) {
        fr.final_url = arena_strdup(scratch, p.fetch.final_url);
        fr.final_url_len = fr.final_url ? strlen(fr.final_url) : 0;
    }
    /* A sitemap task's URLs travel as a page's links do. */
    const char *const *links = p.sitemap_kind ? (const char *const *)p.sitemap_urls
                               : p.parsed     ? p.doc.links
                                              : NULL;
    size_t nlinks = p.sitemap_kind ? p.sitemap_nurls : p.parsed ? p.doc.nlinks : 0;
    if (record && links && nlinks) {
        size_t n = 0;
        for (size_t i = 0; i < nlinks; i++)
            n += strlen(links[i]) + 1;
        char *l = arena_alloc(scratch, n), *q = l;
        for (size_t i = 0; l && i < nlinks; i++) {
            size_t k = strlen(links[i]);
            if (memchr(links[i], '\n', k) || memchr(links[i], '\r', k))
                continue; /* never a normalised URL; kept out of the list */
            memcpy(q, links[i], k);
            q += k;
            *q++ = '\n';
        }
        fr.links = l;
        fr.links_len = l ? (size_t)(q - l) : 0;
    }
    if (record && p.fetch.cookies_len) { /* the job's jar: what the page set (wire.h) */
        char *c = arena_alloc(scratch, p.fetch.cookies_len);
        if (c) {
            memcpy(c, p.fetch.cookies, p.fetch.cookies_len);
            fr.cookies = c;
            fr.cookies_len = p.fetch.cookies_len;
        } else
            record = NULL; /* reported as nomem below */
    }
    /* --save: the page's content object, when it was parsed (content.h) */
    if (record && t.save && p.parsed) {
        size_t cl = 0;
        char *c = content_build(&p, t.save, (size_t)e->cfg.content_max_kb << 10,
                                page_gumbo_budget_ms(e), &cl);
        if (c && rlen + fr.warc_len + fr.cookies_len + cl > FRAME_MAX_RESULT - SERVE_FRAME_SLACK) {
            c = content_build(&p, 0, 0, 0, &cl); /* {"url":…}: the URL and why */
            if (c)
                c = arena_sprintf(p.a,
                                  "%.*s,\"error\":\"content: too large for a result "
                                  "frame\"}",
                                  (int)(cl - 1), c);
            cl = c ? strlen(c) : 0;
        }
        char *cc = c ? arena_alloc(scratch, cl) : NULL;
        if (cc) {
            memcpy(cc, c, cl);
            fr.content = cc;
            fr.content_len = cl;
        } else
            record = NULL; /* reported as nomem below */
    }
    fr.status = p.fetch.status;
    fr.bytes = (int64_t)p.fetch.body_len;
    /* The times as the record has them (0.1 ms steps), so crawld's sums
     * (metrics) agree with what the records say. */
    fr.fetch_us = (int64_t)(p.fetch.fetch_ms * 10) * 100;
    fr.parse_us = (int64_t)(p.parse_ms * 10) * 100;
    fr.js_us = (int64_t)(p.js_ms * 10) * 100;
    fr.flags = (p.error ? FR_FAILED : 0) | (p.js_ran ? FR_JS : 0) | (p.nofollow ? FR_NOFOLLOW : 0) |
               (p.canonical_other ? FR_CANONICAL : 0) |
               (p.sitemap_lists_sitemaps ? FR_SITEMAPS : 0);
    int js_page = p.js_ran;
    page_end(e, &p);
    e->pages++;
    if (e->js && js_page)
        js_hint_moderate(e->js); /* the page's realm is garbage now */

    /* malloc_trim(0) hands free heap pages back with madvise, and the next
     * page faults them in again, so trimming after every page costs the
     * worker loop CPU; trim only when RSS has grown SERVE_TRIM_SLACK_KB past
     * where the last trim left it (RSS stays as flat). A JS page's RSS
     * swings by more than 1 MB, and with the JS engine's threads each
     * madvise is a TLB shootdown on every CPU: 8 MB holds at most that much
     * free heap for far fewer faults. docs/platform-notes.md has the
     * measurements (bench_pages, perf stat on the Python docs). */
    long rss = rss_self_kb();
    if (rss > e->trim_floor_kb + SERVE_TRIM_SLACK_KB) {
        malloc_trim(0);
        rss = rss_self_kb();
        e->trim_floor_kb = rss;
        e->trims++;
    }
    /* A worker with a JS runtime keeps under the line its scripts are
     * stopped at (below rss_soft_mb): over it, every script of the next
     * page would be stopped at its first sample. */
    long budget_kb = (long)e->cfg.rss_soft_mb * 1024;
    if (e->js && worker_env_script_rss_kb(e) < budget_kb)
        budget_kb = worker_env_script_rss_kb(e);
    int retire = 0;
    const char *why = "rss";
    if (rss > budget_kb) {
        if (e->js)
            js_hint_critical(e->js); /* full, non-incremental, shrinking */
        malloc_trim(0);
        rss = rss_self_kb();
        retire = rss > budget_kb;
    }
    /* gumbo failed one of its assertions in this process and was left with
     * siglongjmp (html.c). What it held died with the page arena, but code
     * that broke its own invariants once is not trusted with the next page:
     * a new worker costs one exec and a JS runtime. */
    if (html_gumbo_assertions() > 0) {
        retire = 1;
        why = "gumbo_assertion";
    }
    if (!record)
        return send_error(fd, scratch, task_id, "nomem", "result record");
    worker_numbers wn;
    fr.stats = stats_json(e, scratch, rss, retire, &wn);
    fr.stats_len = fr.stats ? strlen(fr.stats) : 0;
    fr.rss_kb = rss;
    fr.js_heap_kb = wn.js_heap_kb;
    fr.arena_retained_kb = wn.arena_retained_kb;
    if (retire)
        fr.flags |= FR_RETIRE;
    if (wire_result_write(fd, &fr) != FRAME_OK)
        return -1;
    if (retire) {
        log_info("serve", "worker retiring", "reason=%s rss_kb=%ld soft_mb=%d", why, rss,
                 e->cfg.rss_soft_mb);
        return 1;
    }
    return 0;
}

static void queue_ready(serve_state *s, serve_slot *sl)
{
    sl->next = NULL;
    if (s->ready_end)
        s->ready_end->next = sl;
    else
        s->ready = sl;
    s->ready_end = sl;
}

static void on_transfer_done(fetch_xfer *x, void *ud)
{
    serve_slot *sl = ud;
    (void)x;
    queue_ready(sl->s, sl);
}

/* A task's transfer starts (page_begin). */
static void begin_task(serve_state *s, serve_slot *sl)
{
    sl->next = NULL;
    page_begin(s->e, &sl->t, &sl->p, sl->p.a); /* cannot fail: the arena is given */
    if (!sl->p.begun)
        queue_ready(s, sl); /* no transfer: the error is the page's result */
    else {
        sl->p.xfer.on_done = on_transfer_done;
        sl->p.xfer.done_ud = sl;
    }
}

/* A task (decoded in the step's scratch arena): its page arena, its
 * strings copied there, its transfer started. */
static int start_task(serve_state *s, const wire_task *task)
{
    worker_env *e = s->e;
    arena *a = arena_pool_acquire(&e->pool, ARENA_POOL_LARGE, "page");
    if (!a)
        return send_error(s->fd, s->net_scratch, task->task_id, "nomem", "no page arena");
    serve_slot *sl = arena_alloc_zeroed(a, sizeof(*sl));
    char *url = arena_strdup(a, task->url);
    char *parent = task->parent ? arena_strdup(a, task->parent) : NULL;
    char *js_off = !task->js && task->js_off ? arena_strdup(a, task->js_off) : NULL;
    /* the job's session (docs/worker.md, Sessions), copied as the rest */
    fetch_session sess = {.auth_url = url};
    const char *const from[] = {task->headers, task->user, task->bearer, task->proxy};
    const char **to[] = {&sess.headers, &sess.user, &sess.bearer, &sess.proxy};
    int sess_nomem = 0;
    for (size_t i = 0; i < sizeof(from) / sizeof(from[0]); i++)
        if (from[i] && !(*to[i] = arena_strdup(a, from[i])))
            sess_nomem = 1;
    char *cookies = task->jar && task->cookies ? arena_strdup(a, task->cookies) : NULL;
    /* recrawls: the earlier capture's validators and date */
    char *inm = task->if_none_match ? arena_strdup(a, task->if_none_match) : NULL;
    char *ims = task->if_modified_since ? arena_strdup(a, task->if_modified_since) : NULL;
    char *rdate = task->refers_to_date ? arena_strdup(a, task->refers_to_date) : NULL;
    if (!sl || !url || (task->parent && !parent) || (!task->js && task->js_off && !js_off) ||
        (task->jar && task->cookies && !cookies) || sess_nomem || (task->if_none_match && !inm) ||
        (task->if_modified_since && !ims) || (task->refers_to_date && !rdate)) {
        arena_pool_release(&e->pool, a);
        return send_error(s->fd, s->net_scratch, task->task_id, "nomem", "task frame");
    }
    page_task t = {.task_id = task->task_id,
                   .job_id = task->job_id,
                   .url = url,
                   .depth = task->depth,
                   .js = task->js,
                   .js_off = js_off,
                   .timeout_ms = task->timeout_ms,
                   .max_body = (size_t)task->max_body,
                   .want_text = task->want_text,
                   .raw_body = (size_t)task->raw_body,
                   .max_redirects = task->max_redirects,
                   .warc = task->warc,
                   .for_job = 1,
                   .parent = parent,
                   .attempts = task->attempts,
                   .sitemap = task->sitemap,
                   .sess = sess,
                   .jar = task->jar,
                   .cookies = cookies,
                   .if_none_match = inm,
                   .if_modified_since = ims,
                   .refers_to_date = rdate,
                   .save = task->save};
    /* --extract: the record's fields (a copy as the rest; none without memory
     * is a page without them, never a failed task) */
    t.extract = task->extract ? arena_strdup(a, task->extract) : NULL;
    sl->t = t;
    sl->s = s;
    sl->alone = task->alone;
    sl->p.a = a; /* page_begin takes it from here */
    /* Never more than fetches_per_worker transfers: crawld sends a worker
     * that announced one slot its queue (queue_per_worker), which must
     * wait its turn, in order. An "alone" task waits for the transfers
     * running to end (start_waiting). */
    if (s->wait || s->alone_run || task->alone || e->fetch_inflight >= s->cap) {
        if (s->wait_end)
            s->wait_end->next = sl;
        else
            s->wait = sl;
        s->wait_end = sl;
        return 0;
    }
    begin_task(s, sl);
    return 0;
}

/* Starts the transfers of waiting tasks while there is room, in order. An
 * "alone" task (a page that went back unstarted from a dead worker) starts
 * when no transfer runs, after telling crawld, and nothing starts beside
 * it: if the worker dies now, crawld knows which page did it. */
static void start_waiting(serve_state *s)
{
    while (s->wait && !s->alone_run && s->e->fetch_inflight < s->cap) {
        serve_slot *sl = s->wait;
        if (sl->alone && s->e->fetch_inflight > 0)
            break;
        s->wait = sl->next;
        if (!s->wait)
            s->wait_end = NULL;
        if (sl->alone) {
            size_t n = 0;
            char *m = wire_alone_encode(s->net_scratch, sl->t.task_id, &n);
            if (!m || frame_write(s->fd, m, n) != FRAME_OK) {
                s->quit = 2;
                /* back at the head: the page is ended with the others */
                sl->next = s->wait;
                s->wait = sl;
                if (!s->wait_end)
                    s->wait_end = sl;
                return;
            }
            s->alone_run = sl;
        }
        begin_task(s, sl);
    }
}

/* One frame from crawld. 0, or -1 when the channel failed. */
static int handle_frame(serve_state *s, char *buf, size_t len)
{
    arena *sc = s->net_scratch;
    wire_msg m;
    wire_err err;
    if (wire_decode(WIRE_AT_WORKER, sc, buf, len, &m, &err) < 0)
        return send_error(s->fd, sc, err.task_id, err.word, err.detail);
    if (m.type == WIRE_TASK)
        return start_task(s, &m.task);
    if (m.type == WIRE_PING) {
        size_t n = 0;
        char *p = wire_pong_encode(sc, stats_json(s->e, sc, rss_self_kb(), 0, NULL), &n);
        return p && frame_write(s->fd, p, n) == FRAME_OK ? 0 : -1;
    }
    if (m.type == WIRE_RETIRE) {
        s->quit = 1;
        return 0;
    }
    char d[120];
    snprintf(d, sizeof(d), "unknown type '%.60s'", m.unknown);
    return send_error(s->fd, sc, 0, "bad_frame", d);
}

/* Reads what the channel has without blocking and handles every complete
 * frame. */
static void read_channel(serve_state *s)
{
    char buf[16384];
    for (;;) {
        struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
        int pr = poll(&pfd, 1, 0);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0 || !(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
            break;
        ssize_t r = read(s->fd, buf, sizeof(buf));
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r == 0) {
            s->quit = 1; /* the supervisor closed the channel: leave now */
            s->eof = 1;
            return;
        }
        if (r < 0) {
            log_error("serve", "channel failed", "error=\"%s\"", strerror(errno));
            s->quit = 2;
            return;
        }
        size_t off = 0;
        if (s->skip) { /* the rest of a refused frame */
            off = (size_t)r < s->skip ? (size_t)r : s->skip;
            s->skip -= off;
        }
        if (off < (size_t)r &&
            frame_decoder_feed(&s->dec, buf + off, (size_t)r - off) != FRAME_OK) {
            log_error("serve", "channel failed", "error=\"no memory for a frame\"");
            s->quit = 2;
            return;
        }
        if ((size_t)r < sizeof(buf))
            break;
    }
    for (;;) {
        arena_reset(s->net_scratch, 16 * 1024);
        char *f;
        size_t len;
        frame_err fe = frame_decoder_next(&s->dec, &f, &len);
        if (fe == FRAME_EOF)
            break;
        int rc;
        if (fe == FRAME_TOO_LARGE || fe == FRAME_EMPTY) {
            /* Only the header is looked at: the payload is dropped (what
             * is buffered now, the rest as it comes) to stay in step. */
            frame_decoder *d = &s->dec;
            const unsigned char *h = (const unsigned char *)d->buf + d->consumed;
            size_t n = (size_t)h[0] << 24 | (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
            size_t have = d->len - d->consumed - FRAME_HEADER;
            size_t drop = n < have ? n : have;
            d->consumed += FRAME_HEADER + drop;
            s->skip = n - drop;
            rc = send_error(s->fd, s->net_scratch, 0, "bad_frame",
                            fe == FRAME_EMPTY ? "empty frame" : "frame larger than 64 KiB");
        } else if (fe != FRAME_OK) {
            log_error("serve", "channel failed", "error=\"%s\"", frame_err_str(fe));
            s->quit = 2;
            return;
        } else {
            rc = handle_frame(s, f, len);
        }
        if (rc < 0) {
            s->quit = 2;
            return;
        }
        if (s->quit)
            return;
    }
}

/* The network step: transfers, then the channel (tasks start their
 * transfers at once; ping is answered; retire and EOF set quit). Also
 * called while a page is worked on (e->net_step: between the tree build
 * and the scripts, from the JS interrupt callback, while a script's own
 * request runs), so it never works a page itself. */
static int net_step(worker_env *e, int timeout_ms)
{
    serve_state *s = e->net_ud;
    if (s->quit)
        return -1;
    if (fetch_step(e, s->fd, timeout_ms) < 0) {
        log_error("serve", "curl multi failed", "inflight=%d", e->fetch_inflight);
        s->quit = 2;
        return -1;
    }
    read_channel(s); /* poll says whether there is anything */
    if (!s->quit)
        start_waiting(s);
    return s->quit ? -1 : 0;
}

int serve_loop(worker_env *e, int fd)
{
    long slots = e->cfg.fetches_per_worker > 0 ? e->cfg.fetches_per_worker : 1;
    serve_state s = {.e = e, .fd = fd, .cap = (int)slots};
    size_t n = 0;
    char *hello = wire_ready_encode(e->scratch, CRAWLD_VERSION, (long long)getpid(), slots, &n);
    if (!hello || frame_write(fd, hello, n) != FRAME_OK)
        return 1;
    s.net_scratch = arena_pool_acquire(&e->pool, ARENA_POOL_TINY, "net-step");
    if (!s.net_scratch)
        return 1;
    frame_decoder_init(&s.dec, FRAME_MAX_TASK);
    e->net_step = net_step;
    e->net_ud = &s;
    int rc = 0;
    while (!s.quit) {
        net_step(e, s.ready ? 0 : 1000);
        if (s.quit || !s.ready)
            continue;
        serve_slot *sl = s.ready;
        s.ready = sl->next;
        if (!s.ready)
            s.ready_end = NULL;
        arena_reset(e->scratch, 64 * 1024);
        rc = process_page(&s, sl);
        if (rc < 0)
            s.quit = 2;
        else if (rc > 0)
            break;
    }
    /* Pages not worked on go with the process; crawld gives them back
     * unstarted. Their transfers stop before their arenas go. */
    e->net_step = NULL;
    e->net_ud = NULL;
    while (s.ready) {
        serve_slot *sl = s.ready;
        s.ready = sl->next;
        page_end(e, &sl->p);
    }
    while (s.wait) { /* never begun: their arenas go */
        serve_slot *sl = s.wait;
        s.wait = sl->next;
        page_end(e, &sl->p);
    }
    while (e->fetch_head) {
        fetch_xfer *x = e->fetch_head;
        serve_slot *sl = x->done_ud;
        if (sl)
            page_end(e, &sl->p);
        else
            fetch_release(e, x);
    }
    frame_decoder_free(&s.dec);
    arena_pool_release(&e->pool, s.net_scratch);
    return s.quit == 2 ? 1 : 0;
}
