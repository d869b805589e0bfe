/* serve — see serve.h. */
#include "serve.h"
#include "alloc.h"
#include "frame.h"
#include "html.h"
#include "js/js.h"
#include "log.h"
#include "page.h"
#include "rss.h"
#include "warc.h"
#include "wire.h"

#include <errno.h>
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

/* Skips a frame whose payload we refuse to buffer, so the stream stays in
 * step: the length is known, the bytes are read and dropped. */
static int drain(int fd, size_t n)
{
    char buf[8192];
    while (n) {
        ssize_t r = read(fd, buf, n < sizeof(buf) ? n : sizeof(buf));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        n -= (size_t)r;
    }
    return 0;
}

static int run_task(worker_env *e, int fd, arena *scratch, const wire_task *task)
{
    long long task_id = task->task_id;
    page_task t = {.task_id = task_id,
                   .job_id = task->job_id,
                   .url = task->url,
                   .depth = task->depth,
                   .js = task->js,
                   .js_off = task->js ? NULL : task->js_off,
                   .timeout_ms = task->timeout_ms,
                   .max_body = (size_t)task->max_body,
                   .want_text = task->want_text,
                   .raw_body = (size_t)task->raw_body,
                   .max_redirects = task->max_redirects,
                   .warc = task->warc,
                   .for_job = 1,
                   .parent = task->parent,
                   .attempts = task->attempts};

    page p;
    size_t rlen = 0;
    if (page_run(e, &t, &p) < 0)
        return send_error(fd, scratch, task_id, "nomem", "no page arena");
    /* The WARC records travel in the result frame: they must fit it with
     * the record (FRAME_MAX_RESULT, frame.h); else the page goes without
     * them and its record says so. */
    char *r = page_result_json(&p, &rlen);
    if (r && p.warc && rlen + p.warc_len > FRAME_MAX_RESULT - SERVE_FRAME_SLACK) {
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
    if (record && p.parsed && p.doc.nlinks) {
        size_t n = 0;
        for (size_t i = 0; i < p.doc.nlinks; i++)
            n += strlen(p.doc.links[i]) + 1;
        char *l = arena_alloc(scratch, n), *q = l;
        for (size_t i = 0; l && i < p.doc.nlinks; i++) {
            size_t k = strlen(p.doc.links[i]);
            if (memchr(p.doc.links[i], '\n', k) || memchr(p.doc.links[i], '\r', k))
                continue; /* never a normalised URL; kept out of the list */
            memcpy(q, p.doc.links[i], k);
            q += k;
            *q++ = '\n';
        }
        fr.links = l;
        fr.links_len = l ? (size_t)(q - l) : 0;
    }
    fr.status = p.fetch.status;
    fr.bytes = (int64_t)p.fetch.body_len;
    /* The times as the record has them (0.1 ms steps), so crawld's sums
     * (metrics) agree with what the records say. */
    fr.fetch_us = (int64_t)(p.fetch.fetch_ms * 10) * 100;
    fr.parse_us = (int64_t)(p.parse_ms * 10) * 100;
    fr.js_us = (int64_t)(p.js_ms * 10) * 100;
    fr.flags = (p.error ? FR_FAILED : 0) | (p.js_ran ? FR_JS : 0) |
               (p.parsed && p.doc.meta_nofollow ? FR_NOFOLLOW : 0);
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

int serve_loop(worker_env *e, int fd)
{
    arena *scratch = e->scratch;
    size_t n = 0;
    char *hello = wire_ready_encode(scratch, CRAWLD_VERSION, (long long)getpid(), 1, &n);
    if (!hello || frame_write(fd, hello, n) != FRAME_OK)
        return 1;
    for (;;) {
        arena_reset(scratch, 64 * 1024);
        char *buf;
        size_t len;
        frame_err fe = frame_read(fd, scratch, FRAME_MAX_TASK, &buf, &len);
        if (fe == FRAME_EOF)
            return 0; /* the supervisor closed the channel: leave now */
        if (fe == FRAME_TOO_LARGE) {
            /* Only the header was read: drop the payload to stay in step. */
            if (drain(fd, len) < 0 ||
                send_error(fd, scratch, 0, "bad_frame", "frame larger than 64 KiB") < 0)
                return 1;
            continue;
        }
        if (fe == FRAME_EMPTY) {
            if (send_error(fd, scratch, 0, "bad_frame", "empty frame") < 0)
                return 1;
            continue;
        }
        if (fe != FRAME_OK) {
            log_error("serve", "channel failed", "error=\"%s\"", frame_err_str(fe));
            return 1;
        }
        /* The message lives in the scratch arena: the reset frees it. */
        wire_msg m;
        wire_err err;
        int rc = 0;
        if (wire_decode(WIRE_AT_WORKER, scratch, buf, len, &m, &err) < 0)
            rc = send_error(fd, scratch, err.task_id, err.word, err.detail);
        else if (m.type == WIRE_TASK)
            rc = run_task(e, fd, scratch, &m.task);
        else if (m.type == WIRE_PING) {
            char *p = wire_pong_encode(scratch, stats_json(e, scratch, rss_self_kb(), 0, NULL), &n);
            rc = p && frame_write(fd, p, n) == FRAME_OK ? 0 : -1;
        } else if (m.type == WIRE_RETIRE)
            rc = 1;
        else {
            char d[120];
            snprintf(d, sizeof(d), "unknown type '%.60s'", m.unknown);
            rc = send_error(fd, scratch, 0, "bad_frame", d);
        }
        if (rc < 0)
            return 1;
        if (rc > 0)
            return 0;
    }
}
