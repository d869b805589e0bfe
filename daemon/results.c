/* results — what comes back for a page given out (jobs_page_done,
 * jobs_page_error, jobs_page_failed,
 * jobs_page_unstarted): its record and links into the open batch exactly
 * once (commit_record), a robots.txt read into its host's rules, a
 * requeue, a JS-off retry or a quarantine. */
#include "jobs_int.h"
#include "dedup.h"
#include "alloc.h"
#include "backoff.h"
#include "log.h"
#include "record.h"
#include "timefmt.h"
#include "wire.h"

#include <stdio.h>
#include <string.h>

static void flight_remove(jobs *j, jobs_page *p)
{
    for (jobs_page **pp = &j->flight; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            p->next = NULL;
            return;
        }
}

/* The metrics of one record written: its status class, bytes and times.
 * A few additions per page (metrics.h). */
static void count_record(jobs *j, job *jb, const frame_result *r)
{
    int failed = (r->flags & FR_FAILED) != 0;
    jb->pages_class[metrics_class_of((long)r->status, failed)]++;
    if (r->bytes > 0)
        j->bytes_fetched += (long long)r->bytes;
    j->fetch_s += (double)r->fetch_us / 1e6;
    j->parse_s += (double)r->parse_us / 1e6;
    double js = (double)r->js_us / 1e6;
    j->js_s += js;
    if (!failed && (r->flags & FR_JS)) /* pages whose scripts ran */
        metrics_hist_observe(&j->js_hist, js);
}

/* Sitemaps: admits the robots.txt row of a host a job with sitemaps on
 * has a page of (seen set: once per job and host). The rows it made go
 * to *added. 0, or -1 on a database error. */
static int sitemap_host(jobs *j, job *jb, const char *origin, long *added)
{
    char rurl[600];
    long long rid;
    snprintf(rurl, sizeof(rurl), "%s/robots.txt", origin);
    int rc = store_row_add_sitemap(j->st, jb->id, rurl, NULL, origin, WIRE_SITEMAP_ROBOTS, &rid);
    if (rc == 1) {
        if (rid < j->tx_min_row)
            j->tx_min_row = rid;
        ++*added;
    }
    return rc < 0 ? -1 : 0;
}

/* In a cluster: a page's links (each '\n'-ended, from l to end, edited in
 * place) admitted in one statement of their own, committed at once and in
 * one order (store_links_add; docs/cluster.md, rule 5), not in the open
 * group: up to the job's --max-pages as this node counts it. New rows to
 * *added; *low_depth lowered when a new host's robots.txt row went in.
 * 0, or -1 on a database error. */
static int admit_links_cluster(jobs *j, job *jb, const char *url, int link_depth, char *l,
                               char *end, long *added, int *low_depth)
{
    int cap = 0, n = 0, rc = -1;
    for (const char *p = l; p < end; p++)
        cap += *p == '\n';
    store_link *lk = alloc_new((size_t)(cap ? cap : 1) * sizeof(*lk));
    char(*origins)[512] = alloc_new((size_t)(cap ? cap : 1) * 512);
    if (!lk || !origins)
        goto out;
    long room = jb->max_pages - jb->rows - *added;
    while (l < end && n < room) {
        char *nl = memchr(l, '\n', (size_t)(end - l));
        *nl = '\0';
        const char *link = l;
        l = nl + 1;
        if (!*link || scope_check(jb->scope, link, link_depth) != SCOPE_IN ||
            politeness_origin(link, origins[n], sizeof(origins[n]), NULL) < 0)
            continue;
        lk[n].url = link;
        lk[n].host = origins[n];
        n++;
    }
    if (store_links_add(j->st, jb->id, link_depth, url, lk, n, jb->max_pages) < 0)
        goto out;
    rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        if (!lk[i].row_id)
            continue;
        if (scope_note_path(jb->scope, lk[i].url) == SCOPE_TRAP) {
            if (store_row_delete(j->st, lk[i].row_id) < 0)
                rc = -1;
            continue;
        }
        ++*added;
        long before = *added;
        if (jb->sitemaps && jb->rows + *added < jb->max_pages &&
            sitemap_host(j, jb, lk[i].host, added) < 0)
            rc = -1;
        if (*added != before)
            *low_depth = 0;
    }
out:
    if (!lk || !origins)
        rc = -1;
    alloc_free(lk, (size_t)(cap ? cap : 1) * sizeof(*lk));
    alloc_free(origins, (size_t)(cap ? cap : 1) * 512);
    return rc;
}

/* Appends the record line r->record (and, for a WARC job, the page's WARC
 * records) to the job's output, then puts the row's final state and, when
 * follow, the page's links in the open batch (group commit: the files are
 * fdatasync'd and their new lengths stored when the batch commits). The
 * links (r->links) are edited in place into strings. was_in_flight: the
 * row was handed out (else it was pending). sitemap: the row is a sitemap
 * task of that kind, whose links are sitemaps (FR_SITEMAPS) or pages, all
 * at depth 0. */
static int commit_record(jobs *j, job *jb, long long row_id, const char *url, int depth,
                         int attempts, frame_result *r, int follow, const char *alias,
                         int was_in_flight, int sitemap)
{
    if (was_in_flight) {
        jb->in_flight--;
        j->in_flight--;
    } else {
        jb->pending--;
        j->pending--;
    }
    if (jb->out_fd < 0) { /* the job failed meanwhile: the record cannot be kept */
        job_maybe_end(j, jb);
        return 0;
    }
    if (jb->held) { /* its output cannot be written now: the row stays pending */
        jb->pending++;
        j->pending++;
        jb->cache_stale = 1; /* it left the cache when it was taken */
        log_debug("jobs", "result not written: the job is held", "job=%lld url=\"%s\"", jb->id,
                  url);
        return 0;
    }
    int failed = (r->flags & FR_FAILED) != 0, accepted = 0;
    size_t wbuf_was = jb->wbuf_len, obuf_was = jb->obuf_len;
    long long warc_was = jb->warc_written, written_was = jb->written;
    if (jb->warc && r->warc_len && jb->warc_fd >= 0 &&
        output_warc_append(jb, r->warc, r->warc_len) < 0) {
        job_fail(j, jb, "%s", "out of memory buffering WARC records");
        goto out;
    }
    /* Buffered until the batch commits: one write per file per batch, then
     * its fdatasync (a crash before that loses only uncommitted records,
     * which the restart does again). */
    if (output_obuf_append(jb, r->record, r->record_len) < 0) {
        jb->wbuf_len = wbuf_was; /* the page's WARC records go with its line */
        jb->warc_written = warc_was;
        job_fail(j, jb, "%s", "out of memory buffering a record");
        goto out;
    }
    jb->written += (long long)r->record_len + 1;
    jb->dirty = 1;
    jb->tx_finished++; /* from here a failure rolls the batch back (batch_abort) */
    long added = 0;
    if (batch_begin(j) < 0)
        goto dberr;
    int fin = store_row_finish(j->st, row_id, failed ? ROW_FAILED : ROW_DONE, attempts);
    if (fin < 0)
        goto dberr;
    if (fin == 1) { /* it has its record already, or was dropped: not written twice */
        jb->obuf_len = obuf_was;
        jb->written = written_was;
        jb->wbuf_len = wbuf_was;
        jb->warc_written = warc_was;
        jb->tx_finished--;
        if (j->cl) /* in a cluster: cancelled on another node, or ended there */
            log_info("cluster", "result for a row another node ended or dropped: not written",
                     "job=%lld row=%lld url=\"%s\"", jb->id, row_id, url);
        else {
            j->refused++;
            log_error("jobs", "result for a row that is not pending: not written",
                      "job=%lld row=%lld url=\"%s\"", jb->id, row_id, url);
        }
        goto out;
    }
    if (j->cl) { /* the group commits only while this node holds the row's host */
        char origin[512];
        if (politeness_origin(url, origin, sizeof(origin), NULL) == 0 &&
            cluster_tx_add(j, origin, cluster_lease_epoch(j, origin)) < 0) {
            batch_abort(j, "out of memory keeping a batch's leases", NULL);
            goto out;
        }
    }
    /* Payload digests (dedup.h): a payload the job recorded before keeps
     * a revisit record, and its record line says which capture it is. */
    if (jb->warc && jb->warc_fd >= 0 && r->warc_len && !failed && !sitemap) {
        warc_buf recs = {0}, field = {0};
        int dd = dedup_page(j->st, jb->id, r, &recs, &field);
        if (dd < 0)
            goto dberr;
        if (dd == 1 && field.len && r->record_len > 1 &&
            jb->obuf_len == obuf_was + r->record_len + 1 &&
            jb->wbuf_len == wbuf_was + r->warc_len) {
            size_t rl = r->record_len - 1; /* the line without its closing brace */
            jb->obuf_len = obuf_was;
            jb->wbuf_len = wbuf_was;
            jb->warc_written = warc_was;
            jb->written = written_was;
            if (warc_buf_append(&field, "}", 1) < 0 ||
                output_warc_append(jb, recs.p, recs.len) < 0 ||
                output_obuf_append(jb, r->record, rl) < 0) {
                warc_buf_release(&recs);
                warc_buf_release(&field);
                batch_abort(j, "out of memory buffering a revisit record", NULL);
                goto out;
            }
            jb->obuf_len--; /* the newline goes after the addition */
            if (output_obuf_append(jb, field.p, field.len) < 0) {
                warc_buf_release(&recs);
                warc_buf_release(&field);
                batch_abort(j, "out of memory buffering a revisit record", NULL);
                goto out;
            }
            jb->written = written_was + (long long)(rl + field.len) + 1;
        }
        warc_buf_release(&recs);
        warc_buf_release(&field);
    }
    /* --save: the page's content, a line of content.jsonl.zst naming its
     * record's offset in pages.jsonl, in the same batch as that record */
    if (jb->save && r->content_len && jb->content_fd >= 0 && !sitemap &&
        output_content_append(jb, written_was, r->content, r->content_len) < 0) {
        batch_abort(j, "out of memory buffering a page's content", NULL);
        goto out;
    }
    if (alias) { /* the redirect's target is seen: never fetched again under its own URL */
        char origin[512];
        if (politeness_origin(alias, origin, sizeof(origin), NULL) == 0 &&
            store_row_add(j->st, jb->id, alias, depth, url, origin, ROW_ALIAS, NULL) < 0)
            goto dberr;
    }
    if (r->cookies_len) { /* what the page set joins the job's jar in its group */
        store_cookie_counts cc;
        if (store_cookies_merge(j->st, jb->id, r->cookies, r->cookies_len,
                                (long long)jobs_now_unix(), &cc) < 0)
            goto dberr;
        if (cc.set)
            jb->cookie_jar = 1;
        if (cc.refused) /* counts only: a job's cookies are secrets */
            log_warn("jobs", "cookies refused (malformed or over the jar's limits)",
                     "job=%lld refused=%d", jb->id, cc.refused);
    }
    /* A sitemap's links: sitemaps one level down (robots.txt's are the
     * first level), or pages at depth 0; a page's: pages one deeper. */
    int link_depth = sitemap ? 0 : depth + 1;
    int link_kind = !sitemap || !(r->flags & FR_SITEMAPS) ? 0
                    : sitemap < WIRE_SITEMAP_FILE         ? WIRE_SITEMAP_FILE
                                                          : sitemap + 1;
    long added_files = 0;
    int low_depth = link_depth; /* the shallowest row added: sitemap_host's are at 0 */
    char *l = follow && link_kind <= WIRE_SITEMAP_MAX ? (char *)r->links : NULL;
    char *end = l ? l + r->links_len : NULL;
    if (l && j->cl && !link_kind) { /* a page's links, in a cluster */
        if (admit_links_cluster(j, jb, url, link_depth, l, end, &added, &low_depth) < 0)
            goto dberr;
        l = NULL;
    }
    while (l && l < end) {
        char *nl = memchr(l, '\n', (size_t)(end - l)); /* the decoder checked the last one */
        *nl = '\0';
        const char *link = l;
        l = nl + 1;
        if (jb->rows + added >= jb->max_pages)
            break;
        if (!*link)
            continue;
        char origin[512];
        if (link_kind) { /* a sitemap: any host robots.txt names (its URLs meet the scope) */
            if (jb->sitemap_files + added_files >= JOBS_SITEMAP_MAX_FILES)
                break;
            if (politeness_origin(link, origin, sizeof(origin), NULL) < 0)
                continue;
            long long rid;
            int rc = store_row_add_sitemap(j->st, jb->id, link, url, origin, link_kind, &rid);
            if (rc < 0)
                goto dberr;
            if (rc == 1) {
                if (rid < j->tx_min_row)
                    j->tx_min_row = rid;
                added++;
                added_files++;
            }
            continue;
        }
        if (scope_check(jb->scope, link, link_depth) != SCOPE_IN)
            continue;
        if (politeness_origin(link, origin, sizeof(origin), NULL) < 0)
            continue;
        long long rid;
        int rc = store_row_add(j->st, jb->id, link, link_depth, url, origin, ROW_PENDING, &rid);
        if (rc < 0)
            goto dberr;
        if (rc == 1 && rid < j->tx_min_row)
            j->tx_min_row = rid;
        if (rc == 1) {
            if (scope_note_path(jb->scope, link) == SCOPE_TRAP) {
                if (store_row_delete(j->st, rid) < 0)
                    goto dberr;
            } else {
                added++;
                long before = added;
                if (jb->sitemaps && jb->rows + added < jb->max_pages &&
                    sitemap_host(j, jb, origin, &added) < 0)
                    goto dberr;
                if (added != before)
                    low_depth = 0;
            }
        }
    }
    jb->sitemap_files += added_files;
    jb->rows += added;
    jb->pending += added;
    j->pending += added;
    if (added)
        jb->cache_complete = 0; /* new rows past the cached ones */
    if (added && low_depth < jb->cache_end_depth)
        jb->cache_stale = 1; /* … or before them: the window reads by depth (a
                              * sitemap's URLs and a new host's robots.txt at 0) */
    if (failed) {
        jb->failed++;
        j->failed++;
        jb->tx_failed++;
    } else {
        jb->done++;
        j->done++;
        jb->tx_done++;
    }
    j->pages_total++;
    count_record(j, jb, r);
    accepted = 1;
    if (++j->tx_pages >= JOBS_GROUP_PAGES || jb->wbuf_len >= JOBS_GROUP_WARC_BYTES ||
        jb->cbuf_len >= JOBS_GROUP_WARC_BYTES)
        accepted = batch_commit(j) == 0;
    goto out;
dberr:;
    char e[400];
    snprintf(e, sizeof(e), "state database: %.300s", store_errmsg(j->st));
    batch_abort(j, e, NULL);
out:
    job_maybe_end(j, jb);
    return accepted;
}

/* commit_record for a record crawld made itself (robots-disallowed,
 * quarantined, refused by the worker): no links, no WARC records. */
int results_commit_json(jobs *j, job *jb, long long row_id, const char *url, int depth,
                        int attempts, json_t *rec, int was_in_flight)
{
    char *s = json_dumps(rec, JSON_COMPACT | JSON_REAL_PRECISION(10));
    if (!s) {
        if (was_in_flight) {
            jb->in_flight--;
            j->in_flight--;
        } else {
            jb->pending--;
            j->pending--;
        }
        job_fail(j, jb, "%s", "out of memory formatting a record");
        job_maybe_end(j, jb);
        return 0;
    }
    frame_result r = {.record = s, .record_len = strlen(s)};
    r.status = (int64_t)json_integer_value(json_object_get(rec, "status"));
    if (json_is_string(json_object_get(rec, "error")))
        r.flags |= FR_FAILED;
    int accepted =
        commit_record(j, jb, row_id, url, depth, attempts, &r, 0, NULL, was_in_flight, 0);
    json_free_t jfree;
    json_get_alloc_funcs(NULL, &jfree);
    jfree(s);
    return accepted;
}

/* The record of a page no worker ran to the end (robots-disallowed,
 * quarantined, refused by its worker): every field at its empty value but
 * these. ts: TIMEFMT_ISO_SIZE bytes, filled now. sitemap: the row's
 * sitemap kind (its record says it is one, unread), else 0. */
static record unfetched(char *ts, long long job_id, const char *url, int depth, const char *parent,
                        int js, int attempts, const char *error, int sitemap)
{
    timefmt_iso_now(ts, TIMEFMT_ISO_SIZE);
    return (record){.sitemap = !sitemap                      ? NULL
                               : sitemap < WIRE_SITEMAP_FILE ? "robots"
                                                             : "sitemap",
                    .job_id = job_id,
                    .url = url,
                    .depth = depth,
                    .js = js,
                    .error = error,
                    .ts = ts,
                    .parent = parent,
                    .attempts = attempts};
}

json_t *results_synth_record(long long job_id, const char *url, int depth, const char *parent,
                             int js, int attempts, const char *error, int sitemap)
{
    char ts[TIMEFMT_ISO_SIZE];
    record r = unfetched(ts, job_id, url, depth, parent, js, attempts, error, sitemap);
    return record_json(&r);
}

static void host_release(jobs *j, jobs_page *p, long delay_ms)
{
    polite_host *h = politeness_get(&j->pol, p->origin, jobs_now_ms(j));
    if (h)
        politeness_host_release(&j->pol, h, jobs_now_ms(j), delay_ms);
    job *jb = p->kind == JOBS_PAGE ? jobs_find(j, p->job_id) : NULL;
    if (jb && !jb->cache_complete)
        sched_freed_add(jb, p->origin);
}

/* A failed robots.txt fetch's error ("word: detail"), copied into buf
 * from the record, which is parsed for that alone (the body comes in the
 * result's body section); NULL when the fetch did not fail. */
static const char *robots_error(const frame_result *res, char *buf, size_t n)
{
    if (!(res->flags & FR_FAILED))
        return NULL;
    json_t *rec = json_loadb(res->record, res->record_len, 0, NULL);
    const char *e = json_string_value(json_object_get(rec, "error"));
    snprintf(buf, n, "%s", e ? e : "fetch failed");
    json_decref(rec);
    return buf;
}

/* ---- back off when a server asks (docs/daemon.md, "Back-off") ---- */

static uint64_t next_rand(jobs *j) /* xorshift64*: the back-off's jitter */
{
    j->rng ^= j->rng >> 12;
    j->rng ^= j->rng << 25;
    j->rng ^= j->rng >> 27;
    return j->rng * 0x2545F4914F6CDD1Dull;
}

/* What a page's answer says about retrying: read from its record, parsed
 * only for the statuses and errors that may be retried (not the hot path). */
typedef struct answer {
    int retryable;
    char reason[80];
    long long retry_after_s; /* -1: none */
} answer;

static void read_answer(const frame_result *r, answer *a)
{
    memset(a, 0, sizeof(*a));
    a->retry_after_s = -1;
    long st = (long)r->status;
    if (!(r->flags & FR_FAILED) && st != 429 && st != 502 && st != 503 && st != 504)
        return;
    json_t *rec = json_loadb(r->record, r->record_len, 0, NULL);
    const char *err = json_string_value(json_object_get(rec, "error"));
    json_t *ra = json_object_get(rec, "retry_after_s");
    if (json_is_integer(ra) && json_integer_value(ra) > 0)
        a->retry_after_s = (long long)json_integer_value(ra);
    a->retryable = backoff_retryable(st, err, a->retry_after_s, a->reason, sizeof(a->reason));
    json_decref(rec);
}

/* Keeps h's back-off across a restart (delay 0: forgotten): part of the
 * open batch when one is open. A failure costs only the memory of it. */
static void keep_host_backoff(jobs *j, const char *host, long delay_ms, long wait_ms)
{
    long long until = (long long)(jobs_now_unix() * 1000) + wait_ms;
    if (store_host_backoff_put(j->st, host, delay_ms, until) < 0)
        log_warn("jobs", "cannot store a host's back-off", "host=\"%s\" error=\"%s\"", host,
                 store_errmsg(j->st));
}

/* A robots.txt the server refused (503, 429 with or without Retry-After, a
 * reset) is retried like a page, up to max_retries times, while the host's
 * pages wait; only then is it unreadable (everything disallowed). 1 when
 * retried. */
static int robots_retry(jobs *j, jobs_page *p, polite_host *h, const answer *a)
{
    const crawld_config *c = j->cfg;
    job *jb = jobs_find(j, p->job_id);
    if (!a->retryable || h->robots_retries >= c->max_retries || !jb || !job_active(jb))
        return 0;
    long wait = backoff_wait_ms(h->robots_retries + 1, a->retry_after_s, c->retry_after_max_s,
                                c->retry_base_ms, c->retry_max_ms, next_rand(j));
    politeness_robots_refused(&j->pol, h, jobs_now_ms(j), wait);
    keep_host_backoff(j, p->origin, politeness_host_refusal_ms(h), wait);
    log_info("jobs", "robots.txt retried: the server asked to back off",
             "host=\"%s\" reason=\"%s\" retry=%d wait_ms=%ld", p->origin, a->reason,
             h->robots_retries, wait);
    return 1;
}

static void robots_done(jobs *j, jobs_page *p, const frame_result *res)
{
    polite_host *h = politeness_get(&j->pol, p->origin, jobs_now_ms(j));
    if (!h)
        return;
    char ebuf[300];
    const char *err = robots_error(res, ebuf, sizeof(ebuf));
    long status = err ? 0 : (long)res->status;
    const char *body = res->body;
    size_t len = res->body_len;
    int unread = robots_unreadable(status, err != NULL);
    if (unread) {
        answer a;
        read_answer(res, &a);
        if (robots_retry(j, p, h, &a))
            return;
    }
    robots *r = robots_from_response(status, body, len, j->agent);
    if (!r) {
        politeness_robots_lost(h); /* out of memory: asked again later */
        return;
    }
    /* An unreadable robots.txt (robots_unreadable) disallows everything:
     * the pages' records say why. */
    char why[300];
    int n = err ? snprintf(why, sizeof(why), "%.250s", err)
                : snprintf(why, sizeof(why), "status %ld", status);
    if (h->robots_retries > 0 && n > 0 && (size_t)n < sizeof(why))
        snprintf(why + n, sizeof(why) - (size_t)n, " after %d retries", h->robots_retries);
    job *jb = jobs_find(j, p->job_id);
    politeness_robots_read(&j->pol, h, r, jobs_now_ms(j), unread ? why : NULL,
                           jb ? jb->delay_ms : j->cfg->delay_ms);
    /* Two formats: log.c escapes every %s as a value, so the error pair
     * cannot come in through an argument. */
    if (err)
        log_info("jobs", "robots.txt",
                 "host=\"%s\" status=%ld rules=%zu crawl_delay_ms=%ld error=\"%s\"", p->origin,
                 status, robots_rule_count(r), robots_crawl_delay_ms(r), err);
    else
        log_info("jobs", "robots.txt", "host=\"%s\" status=%ld rules=%zu crawl_delay_ms=%ld",
                 p->origin, status, robots_rule_count(r), robots_crawl_delay_ms(r));
}

/* A stale page (its row went with a rolled-back batch) comes back: nothing
 * of it is kept and nothing is counted but its flight. 1 when it was (p
 * freed). */
static int page_stale(jobs *j, jobs_page *p)
{
    if (!p->stale && !cluster_page_valid(j, p)) { /* its host's lease went meanwhile */
        log_info("cluster", "result dropped: its host lease was lost", "job=%lld url=\"%s\"",
                 p->job_id, p->url);
        p->stale = 1;
    }
    if (!p->stale)
        return 0;
    job *jb = jobs_find(j, p->job_id);
    host_release(j, p, jb ? jb->delay_ms : j->cfg->delay_ms);
    log_debug("jobs", "result dropped: its row was rolled back", "job=%lld url=\"%s\"", p->job_id,
              p->url);
    jobs_page_free(p);
    if (jb) {
        jb->in_flight--;
        j->in_flight--;
        job_maybe_end(j, jb);
    }
    return 1;
}

/* The record's "canonical" followed by '\n' (the links section's form), or
 * NULL (none, or out of memory: nothing is followed). Parses the record
 * line, which crawld otherwise copies untouched: only for a --canonical
 * job's page whose canonical differs (FR_CANONICAL). */
static char *canonical_link(const frame_result *r)
{
    json_t *rec = json_loadb(r->record, r->record_len, 0, NULL);
    const char *c = json_string_value(json_object_get(rec, "canonical"));
    char *out = NULL;
    if (c && *c && !strpbrk(c, "\r\n")) {
        size_t n = strlen(c);
        if ((out = alloc_zeroed(n + 2))) {
            memcpy(out, c, n);
            out[n] = '\n';
        }
    }
    json_decref(rec);
    return out;
}

/* A refused answer with retries left: the row goes back to pending, not
 * before its wait, with its retry counted and its reason, and no record;
 * the host waits too, and its delay grows. 1 when so (p freed), else 0. */
static int page_retry(jobs *j, job *jb, jobs_page *p, const answer *a)
{
    const crawld_config *c = j->cfg;
    if (!a->retryable || p->retries >= c->max_retries || !job_active(jb))
        return 0;
    size_t had = p->retry_reasons ? strlen(p->retry_reasons) : 0, add = strlen(a->reason);
    char *reasons = alloc_new(had + add + 2);
    if (!reasons)
        return 0; /* recorded as it is */
    memcpy(reasons, p->retry_reasons ? p->retry_reasons : "", had);
    memcpy(reasons + had, a->reason, add);
    memcpy(reasons + had + add, "\n", 2);
    long wait = backoff_wait_ms(p->retries + 1, a->retry_after_s, c->retry_after_max_s,
                                c->retry_base_ms, c->retry_max_ms, next_rand(j));
    long long not_before = (long long)(jobs_now_unix() * 1000) + wait;
    polite_host *h = politeness_get(&j->pol, p->origin, jobs_now_ms(j));
    if (h) {
        politeness_host_refused(&j->pol, h, jobs_now_ms(j), wait);
        keep_host_backoff(j, p->origin, politeness_host_refusal_ms(h), wait);
    }
    if (!jb->cache_complete)
        sched_freed_add(jb, p->origin);
    jb->in_flight--;
    j->in_flight--;
    jb->cache_stale = 1; /* pending again, below the cached rows */
    if (store_row_retry(j->st, p->row_id, p->attempts - 1, not_before, p->retries + 1, reasons) < 0)
        log_error("jobs", "cannot store a retry", "job=%lld error=\"%s\"", jb->id,
                  store_errmsg(j->st));
    jb->pending++;
    j->pending++;
    j->retries[backoff_reason_class(a->reason)]++;
    log_info("jobs", "page retried: the server asked to back off",
             "job=%lld url=\"%s\" reason=\"%s\" retry=%d wait_ms=%ld", jb->id, p->url, a->reason,
             p->retries + 1, wait);
    alloc_free(reasons, had + add + 2);
    jobs_page_free(p);
    return 1;
}

/* The record of a page that was retried, or whose retries ran out, with
 * its retries, their reasons and (gave_up) why this answer is final: the
 * worker's line with those fields set. NULL when there is nothing to add
 * (or no memory: the line goes as the worker wrote it); else the caller
 * frees it with the JSON allocator. */
static char *retried_record(const jobs_page *p, const frame_result *r, const char *gave_up)
{
    if (!p->retries && !gave_up)
        return NULL;
    json_t *rec = json_loadb(r->record, r->record_len, 0, NULL);
    json_t *list = json_array();
    char *out = NULL;
    if (!json_is_object(rec) || !list)
        goto out;
    for (const char *s = p->retry_reasons; s && *s;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        json_array_append_new(list, json_stringn(s, n));
        s += n + (nl != NULL);
    }
    json_object_set_new(rec, "retries", json_integer(p->retries));
    json_object_set(rec, "retry_reasons", list);
    if (gave_up)
        json_object_set_new(rec, "retry_gave_up", json_string(gave_up));
    out = json_dumps(rec, JSON_COMPACT | JSON_REAL_PRECISION(10));
out:
    json_decref(list);
    json_decref(rec);
    return out;
}

/* The job's cap on sitemap files (JOBS_SITEMAP_MAX_FILES): when the
 * sitemaps this task lists do not all fit under it, its record gets an
 * error naming the cap (unless it has one already) and r->record points
 * to that line, which the caller frees (jansson's allocator); else NULL.
 * commit_record admits the ones that fit. */
static char *sitemap_over_cap(job *jb, frame_result *r)
{
    if (!(r->flags & FR_SITEMAPS) || !r->links_len)
        return NULL;
    long n = 0;
    for (size_t i = 0; i < r->links_len; i++)
        n += r->links[i] == '\n';
    long room = JOBS_SITEMAP_MAX_FILES - jb->sitemap_files;
    if (n <= room)
        return NULL;
    json_t *rec = json_loadb(r->record, r->record_len, 0, NULL);
    char *s = NULL;
    if (rec && json_is_null(json_object_get(rec, "error"))) {
        char e[200];
        snprintf(e, sizeof(e),
                 "sitemap: the job's limit of %d sitemap files is reached: %ld of the %ld "
                 "sitemaps listed here are not read",
                 JOBS_SITEMAP_MAX_FILES, n - (room > 0 ? room : 0), n);
        json_object_set_new(rec, "error", json_string(e));
        s = json_dumps(rec, JSON_COMPACT | JSON_REAL_PRECISION(10));
    }
    json_decref(rec);
    log_warn("jobs", "sitemap files over the job's limit", "job=%lld limit=%d listed=%ld", jb->id,
             JOBS_SITEMAP_MAX_FILES, n);
    if (s) {
        r->record = s;
        r->record_len = strlen(s);
        r->flags |= FR_FAILED;
    }
    return s;
}

void jobs_page_done(jobs *j, jobs_page *p, frame_result *r)
{
    flight_remove(j, p);
    if (p->kind == JOBS_ROBOTS) {
        robots_done(j, p, r);
        jobs_page_free(p);
        return;
    }
    if (page_stale(j, p))
        return;
    job *jb = jobs_find(j, p->job_id);
    const crawld_config *c = j->cfg;
    /* settings a reload may have changed */
    politeness_set_backoff(&j->pol, c->retry_base_ms, c->retry_max_ms, c->adaptive_delay,
                           c->adaptive_max_delay_ms, c->adaptive_target_concurrency);
    answer a;
    read_answer(r, &a);
    if (jb && page_retry(j, jb, p, &a))
        return;
    char gave_up[160], *line = NULL;
    int ran_out = a.retryable && c->max_retries > 0 && p->retries >= c->max_retries;
    if (ran_out) {
        snprintf(gave_up, sizeof(gave_up), "max_retries (%d) reached: %s", c->max_retries,
                 a.reason);
        j->retries_gave_up++;
    }
    polite_host *h = politeness_get(&j->pol, p->origin, jobs_now_ms(j));
    if (h) { /* how the host answered: its refusal delay recovers, its latency is learnt */
        long was = politeness_host_refusal_ms(h);
        int ok = !(r->flags & FR_FAILED) && r->status >= 200 && r->status < 400;
        politeness_host_answered(&j->pol, h, (double)r->fetch_us / 1000.0, ok,
                                 jb ? jb->delay_ms : c->delay_ms);
        if (politeness_host_refusal_ms(h) != was)
            keep_host_backoff(j, p->origin, politeness_host_refusal_ms(h), 0);
    }
    host_release(j, p, jb ? jb->delay_ms : j->cfg->delay_ms);
    if (!jb) {
        jobs_page_free(p);
        return;
    }
    line = retried_record(p, r, ran_out ? gave_up : NULL);
    if (line) {
        r->record = line;
        r->record_len = strlen(line);
    }
    /* Links are followed from a 2xx HTML page without nofollow, in a running
     * job, when the page did not end (after redirects) outside the scope. A
     * paused job takes no new pages but keeps what its pages in flight
     * found: their links wait, pending, for the resume. */
    char *alias = NULL;
    if (r->final_url_len &&
        (strlen(p->url) != r->final_url_len || memcmp(p->url, r->final_url, r->final_url_len)))
        alias = alloc_strndup(r->final_url, r->final_url_len);
    int follow = (jb->state == JOB_RUNNING || jb->state == JOB_PAUSED) && r->status >= 200 &&
                 r->status < 300 && !(r->flags & (FR_FAILED | FR_NOFOLLOW)) &&
                 (!alias || scope_check(jb->scope, alias, p->depth) == SCOPE_IN);
    char *canon = NULL, *relined = NULL;
    if (p->sitemap) {
        /* A sitemap task lists only URLs it means to give: those before a
         * limit or an error stay, whatever the status (robots.txt's 404
         * still gives a seed's host /sitemap.xml). */
        follow = jb->state == JOB_RUNNING || jb->state == JOB_PAUSED;
        if (follow)
            relined = sitemap_over_cap(jb, r);
    } else if (follow && jb->canonical && (r->flags & FR_CANONICAL)) {
        /* --canonical: the page names another URL as its canonical, so its
         * links are left to that page; the canonical URL is queued as if it
         * were the page's only link (depth + 1, scope, filters, traps and
         * page budget as for any link). */
        canon = canonical_link(r);
        r->links = canon;
        r->links_len = canon ? strlen(canon) : 0;
    }
    /* commit_record cuts the links section in place: the size is taken now */
    size_t canon_size = canon ? r->links_len + 1 : 0;
    commit_record(j, jb, p->row_id, p->url, p->depth, p->attempts, r, follow, alias, 1, p->sitemap);
    if (canon)
        alloc_free(canon, canon_size);
    if (relined) {
        json_free_t jfree;
        json_get_alloc_funcs(NULL, &jfree);
        jfree(relined);
    }
    alloc_strfree(alias);
    jobs_page_free(p);
    if (line) {
        json_free_t jfree;
        json_get_alloc_funcs(NULL, &jfree);
        jfree(line);
    }
}

void jobs_page_error(jobs *j, jobs_page *p, const char *error)
{
    char ts[TIMEFMT_ISO_SIZE];
    record rec = unfetched(ts, p->job_id, p->url, p->depth, p->parent, p->js, p->attempts,
                           error ? error : "worker: error", p->sitemap);
    record_buf b = {0};
    if (record_write(&b, &rec) < 0) { /* as a crash at its last attempt: quarantined */
        record_buf_release(&b);
        jobs_page_failed(j, p, "worker error", 1, 0);
        return;
    }
    frame_result r = {.record = b.p, .record_len = b.len, .flags = FR_FAILED};
    jobs_page_done(j, p, &r);
    record_buf_release(&b);
}

int jobs_page_failed(jobs *j, jobs_page *p, const char *reason, int max_attempts, int drop_js)
{
    flight_remove(j, p);
    snprintf(p->last_error, sizeof(p->last_error), "%s", reason);
    if (p->kind == JOBS_ROBOTS) {
        polite_host *h = politeness_get(&j->pol, p->origin, jobs_now_ms(j));
        if (h)
            politeness_robots_failed(&j->pol, h, max_attempts, jobs_now_ms(j));
        jobs_page_free(p);
        return 0;
    }
    if (page_stale(j, p))
        return 0;
    job *jb = jobs_find(j, p->job_id);
    host_release(j, p, jb ? jb->delay_ms : j->cfg->delay_ms);
    if (!jb) {
        jobs_page_free(p);
        return 0;
    }
    int quarantined = 0;
    if (!job_active(jb)) { /* cancelled or failed meanwhile: the page is dropped */
        jb->in_flight--;
        j->in_flight--;
        store_row_finish(j->st, p->row_id, ROW_DROPPED, p->attempts);
        job_maybe_end(j, jb);
    } else if (p->attempts < max_attempts || (drop_js && p->js)) {
        /* A page whose scripts took the worker past its hard budget is
         * tried once more without them, whatever its attempts: its links
         * that need no script are not lost to them. */
        int no_js = p->no_js || (drop_js && p->js);
        if (no_js && !p->no_js)
            log_warn("jobs",
                     "page requeued without JS: its worker was killed at the hard RSS "
                     "budget",
                     "job=%lld url=\"%s\" attempts=%d", jb->id, p->url, p->attempts);
        jb->in_flight--;
        j->in_flight--;
        jb->cache_stale = 1; /* pending again, maybe below the cached rows */
        if (store_row_requeue(j->st, p->row_id, p->attempts, 0, no_js) < 0)
            log_error("jobs", "cannot store a requeue", "job=%lld error=\"%s\"", jb->id,
                      store_errmsg(j->st));
        jb->pending++;
        j->pending++;
    } else {
        char err[200];
        snprintf(err, sizeof(err), "quarantined: %s (%d attempts)", reason, p->attempts);
        json_t *rec = results_synth_record(jb->id, p->url, p->depth, p->parent, p->js, p->attempts,
                                           err, p->sitemap);
        if (rec) {
            /* Counted once its record is in the batch (a held job keeps
             * the row pending; a rolled-back batch takes the count back). */
            if (results_commit_json(j, jb, p->row_id, p->url, p->depth, p->attempts, rec, 1)) {
                jb->quarantined++;
                jb->tx_quarantined++;
                quarantined = 1;
            }
            json_decref(rec);
        }
    }
    jobs_page_free(p);
    return quarantined;
}

void jobs_page_unstarted(jobs *j, jobs_page *p)
{
    flight_remove(j, p);
    if (p->kind == JOBS_ROBOTS) {
        polite_host *h = politeness_get(&j->pol, p->origin, jobs_now_ms(j));
        if (h)
            politeness_robots_lost(h);
        jobs_page_free(p);
        return;
    }
    if (page_stale(j, p))
        return;
    job *jb = jobs_find(j, p->job_id);
    polite_host *h = politeness_get(&j->pol, p->origin, jobs_now_ms(j));
    if (h)
        politeness_host_unstarted(h);
    if (!jb) {
        jobs_page_free(p);
        return;
    }
    jb->in_flight--;
    j->in_flight--;
    if (!job_active(jb)) {
        store_row_finish(j->st, p->row_id, ROW_DROPPED, p->attempts - 1);
        job_maybe_end(j, jb);
    } else {
        jb->cache_stale = 1; /* pending again, maybe below the cached rows */
        if (store_row_requeue(j->st, p->row_id, p->attempts - 1, 0, p->no_js) < 0)
            log_error("jobs", "cannot store a requeue", "job=%lld error=\"%s\"", jb->id,
                      store_errmsg(j->st));
        jb->pending++;
        j->pending++;
    }
    jobs_page_free(p);
}
