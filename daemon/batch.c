/* batch — group commit (see jobs.h, jobs_int.h): one store group shared by
 * many results, committed after the files written in it are fdatasync'd,
 * with each job's new lengths compare-and-set from the committed ones; a
 * failed batch is rolled back, its files cut back and its jobs held; the
 * retry timer asks a held job's files and the store whether they answer
 * again. */
#include "jobs_int.h"
#include "alloc.h"
#include "log.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void retry_cb(uv_timer_t *t);

static void tx_reset(job *jb)
{
    jb->tx_finished = jb->tx_done = jb->tx_failed = jb->tx_quarantined = 0;
}

void batch_retry_arm(jobs *j)
{
    if (j->retry.data && !uv_is_closing((uv_handle_t *)&j->retry) &&
        !uv_is_active((uv_handle_t *)&j->retry))
        uv_timer_start(&j->retry, retry_cb, JOBS_RETRY_MS, JOBS_RETRY_MS);
}

/* Pauses a job whose batch could not be committed, with msg as its error;
 * retry_cb runs it again once its files and the database answer. persist:
 * store the paused state (not when the database is what failed). A job the
 * user paused stays the user's: it gets the error but no retry. */
static void job_hold(jobs *j, job *jb, const char *msg, int persist)
{
    if (jb->state != JOB_RUNNING && !(jb->state == JOB_PAUSED && jb->held))
        return;
    int first = !jb->held;
    snprintf(jb->error, sizeof(jb->error), "%s", msg);
    jb->held = 1;
    jb->state = JOB_PAUSED;
    if (persist && store_job_set_state(j->st, jb->id, "paused", 0, jb->error) < 0)
        log_error("jobs", "cannot store job state", "job=%lld error=\"%s\"", jb->id,
                  store_errmsg(j->st));
    if (first)
        log_error("jobs", "job paused: its records cannot be committed; retrying",
                  "job=%lld error=\"%s\" retry_ms=%d pending=%ld", jb->id, jb->error, JOBS_RETRY_MS,
                  jb->pending);
    batch_retry_arm(j);
}

/* Rolls the open batch back: every file written in it is cut back to its
 * committed length and its job's counters move back (the batch's pages are
 * pending again: they are fetched again). culprit (its file failed) is
 * held with msg; when culprit is NULL the database failed and every job in
 * the batch is held. */
/* How a rollback ends (batch_abort_how): */
#define ABORT_NO_HOLD 1 /* a lease was lost: nothing to wait for, the jobs go on */
#define ABORT_KEEP                                                                                 \
    2 /* the COMMIT's answer was lost: the bytes stay until the                                    \
       * database says which lengths it kept (cluster.c) */

static void batch_abort_how(jobs *j, const char *msg, job *culprit, int how);

void batch_abort(jobs *j, const char *msg, job *culprit) { batch_abort_how(j, msg, culprit, 0); }

static void batch_abort_how(jobs *j, const char *msg, job *culprit, int how)
{
    store_group_abort(j->st);
    cluster_tx_clear(j);
    j->rollbacks++;
    sched_unpark(j); /* parked rows may be gone with the batch: read again */
    for (job *jb = j->list; jb; jb = jb->next) /* rows inserted or finished are undone */
        jb->cache_stale = 1;
    if (j->tx_open)
        uv_timer_stop(&j->group);
    j->tx_open = 0;
    j->tx_pages = 0;
    int was = j->flushing;
    j->flushing = 1;
    /* Pages handed out from rows the batch inserted: those rows are gone
     * (and their ids may be given to other rows), so what comes back for
     * them is dropped; the links are found again when their parent is. */
    for (jobs_page *p = j->flight; p; p = p->next)
        if (p->kind == JOBS_PAGE && p->row_id >= j->tx_min_row)
            p->stale = 1;
    j->tx_min_row = LLONG_MAX;
    for (job *jb = j->list; jb; jb = jb->next) {
        if (!jb->dirty)
            continue;
        jb->dirty = 0;
        size_t need = (size_t)(jb->written - jb->committed);
        size_t wneed = (size_t)(jb->warc_written - jb->warc_committed);
        size_t cneed = jb->cbuf_len; /* uncompressed: more than its frame needs */
        jb->obuf_len = 0;
        jb->wbuf_len = 0;
        jb->cbuf_len = 0;
        if (how & ABORT_KEEP)
            ; /* cut to the database's lengths once it answers (jobs_offsets_reread) */
        else if (jb->content_fd >= 0 && ftruncate(jb->content_fd, jb->content_committed) < 0)
            log_error("jobs", "cannot cut the content file back after a failed commit",
                      "job=%lld error=\"%s\"", jb->id, strerror(errno));
        jb->content_written = jb->content_committed;
        if (!(how & ABORT_KEEP) && jb->out_fd >= 0 && ftruncate(jb->out_fd, jb->committed) < 0)
            log_error("jobs", "cannot cut back after a failed commit", "job=%lld error=\"%s\"",
                      jb->id, strerror(errno));
        if (!(how & ABORT_KEEP) && jb->warc_fd >= 0 &&
            ftruncate(jb->warc_fd, jb->warc_committed) < 0)
            log_error("jobs", "cannot cut the WARC back after a failed commit",
                      "job=%lld error=\"%s\"", jb->id, strerror(errno));
        jb->written = jb->committed;
        jb->warc_written = jb->warc_committed;
        /* Counters from the database as it is again; a row in flight (and
         * not stale) is pending there but not here. */
        long c[ROW_STATE_COUNT], flying = 0;
        for (const jobs_page *p = j->flight; p; p = p->next)
            if (p->kind == JOBS_PAGE && p->job_id == jb->id && !p->stale)
                flying++;
        if (store_job_counts(j->st, jb->id, c) == 0) {
            j->pending += c[ROW_PENDING] - flying - jb->pending;
            jb->pending = c[ROW_PENDING] - flying;
            j->done += c[ROW_DONE] - jb->done;
            jb->done = c[ROW_DONE];
            j->failed += c[ROW_FAILED] - jb->failed;
            jb->failed = c[ROW_FAILED];
            jb->rows = c[ROW_PENDING] + c[ROW_DONE] + c[ROW_FAILED] + c[ROW_DROPPED];
            long sm = jb->sitemaps ? store_job_sitemaps(j->st, jb->id, WIRE_SITEMAP_FILE) : 0;
            if (sm >= 0)
                jb->sitemap_files = sm;
        } else
            log_error("jobs", "cannot recount a job after a rollback; its counters are off",
                      "job=%lld error=\"%s\"", jb->id, store_errmsg(j->st));
        j->pages_total -= jb->tx_done + jb->tx_failed;
        jb->quarantined -= jb->tx_quarantined;
        log_info("jobs", "batch rolled back", "job=%lld pages=%ld", jb->id, jb->tx_finished);
        tx_reset(jb);
        if (!(how & ABORT_NO_HOLD) && (!culprit || jb == culprit)) {
            jb->hold_need = need > JOBS_PROBE_MIN ? need : JOBS_PROBE_MIN;
            jb->hold_wneed = wneed > JOBS_PROBE_MIN ? wneed : JOBS_PROBE_MIN;
            jb->hold_cneed = cneed > JOBS_PROBE_MIN ? cneed : JOBS_PROBE_MIN;
            job_hold(j, jb, msg, culprit != NULL);
        }
    }
    j->flushing = was;
}

/* Commits the open batch: every file written since the last commit is
 * written out and fdatasync'd (once per file), then the group commits,
 * moving each such job's lengths from committed to written (CAS). */
int batch_commit(jobs *j)
{
    if (!j->tx_open || j->flushing)
        return 0;
    uv_timer_stop(&j->group);
    j->flushing = 1;
    char e[800];
    job *culprit = NULL;
    store_lengths few[16], *len = few;
    int nlen = 0, cap = 16, rc = -1;
    for (job *jb = j->list; jb; jb = jb->next)
        if (jb->dirty && ++nlen > cap)
            cap *= 2;
    if (cap > 16 && !(len = alloc_new((size_t)cap * sizeof(*len)))) {
        snprintf(e, sizeof(e), "out of memory committing a batch");
        goto fail;
    }
    nlen = 0;
    for (job *jb = j->list; jb; jb = jb->next) {
        if (!jb->dirty)
            continue;
        culprit = jb;
        if (jb->out_fd < 0 || output_obuf_write(jb) < 0 || fdatasync(jb->out_fd) < 0) {
            output_write_error(e, sizeof(e), jb->out_path, jb->out_fd < 0);
            goto fail;
        }
        if (jb->warc &&
            (jb->warc_fd < 0 || output_wbuf_write(jb) < 0 || fdatasync(jb->warc_fd) < 0)) {
            output_write_error(e, sizeof(e), jb->warc_path, jb->warc_fd < 0);
            goto fail;
        }
        /* content.jsonl.zst: the batch's lines as one zstd frame (none: the
         * file and its length stay as they are) */
        if (jb->save && jb->cbuf_len &&
            (jb->content_fd < 0 || output_content_write(jb) < 0 || fdatasync(jb->content_fd) < 0)) {
            output_write_error(e, sizeof(e), jb->content_path, jb->content_fd < 0);
            goto fail;
        }
        len[nlen++] =
            (store_lengths){.job_id = jb->id,
                            .pages_from = jb->committed,
                            .pages_to = jb->written,
                            .warc_from = jb->warc_committed,
                            .warc_to = jb->warc ? jb->warc_written : jb->warc_committed,
                            .content_from = jb->content_committed,
                            .content_to = jb->save ? jb->content_written : jb->content_committed};
    }
    /* In a cluster the group commits only if this node still holds, under
     * the same epochs, the lease of every host it recorded pages of; with
     * one node there are none (docs/cluster.md). */
    int nl;
    const store_lease *l = cluster_tx_leases(j, &nl);
    store_rc src = store_group_commit(j->st, l, nl, len, nlen);
    if (src == STORE_LEASE_LOST) {
        snprintf(e, sizeof(e), "state database: %s", store_errmsg(j->st));
        log_error("cluster", "commit refused: a host lease was lost; the group is rolled back",
                  "error=\"%s\"", store_errmsg(j->st));
        batch_abort_how(j, e, NULL, ABORT_NO_HOLD);
        goto out;
    }
    if (src != STORE_OK && j->cl && store_reconnect_needed(j->st)) {
        /* the connection went: the COMMIT may have been kept */
        snprintf(e, sizeof(e), "state database: %s", store_errmsg(j->st));
        batch_abort_how(j, e, NULL, ABORT_KEEP);
        goto out;
    }
    if (src != STORE_OK)
        goto dberr;
    cluster_tx_clear(j);
    j->tx_open = 0;
    j->tx_pages = 0;
    for (job *jb = j->list; jb; jb = jb->next)
        if (jb->dirty) {
            jb->committed = jb->written;
            jb->warc_committed = jb->warc_written;
            if (jb->save)
                jb->content_committed = jb->content_written;
            jb->dirty = 0;
            tx_reset(jb);
        }
    j->tx_min_row = LLONG_MAX;
    rc = 0;
    goto out;
dberr:
    snprintf(e, sizeof(e), "state database: %s", store_errmsg(j->st));
    culprit = NULL;
fail:
    batch_abort(j, e, culprit);
out:
    if (len != few)
        alloc_free(len, (size_t)cap * sizeof(*len));
    j->flushing = 0;
    return rc;
}

int jobs_flush(jobs *j) { return batch_commit(j); }

static void group_cb(uv_timer_t *t) { batch_commit(t->data); }

/* Opens the batch (a store group) if none is open; its timer starts. */
int batch_begin(jobs *j)
{
    if (j->tx_open)
        return 0;
    j->tx_min_row = LLONG_MAX;
    if (store_group_begin(j->st) < 0)
        return -1;
    j->tx_open = 1;
    j->tx_pages = 0;
    uv_timer_start(&j->group, group_cb, JOBS_GROUP_MS, 0);
    return 0;
}

/* Whether a held job can go on: the database gives its write lock and each
 * file takes the failed batch's bytes (fallocate, then cut back to the
 * committed length; a filesystem without fallocate is taken at its word).
 * 0, or -1 with why. */
static int job_probe(jobs *j, job *jb, char *why, size_t cap)
{
    if (!j->tx_open && store_probe_write(j->st) < 0) {
        snprintf(why, cap, "state database: %.300s", store_errmsg(j->st));
        return -1;
    }
    struct {
        int fd;
        long long committed;
        size_t need;
        const char *path;
    } f[3] = {{jb->out_fd, jb->committed, jb->hold_need, jb->out_path},
              {jb->warc_fd, jb->warc_committed, jb->hold_wneed, jb->warc_path},
              {jb->content_fd, jb->content_committed, jb->hold_cneed, jb->content_path}};
    for (int i = 0; i < 3; i++) {
        if ((i == 1 && !jb->warc) || (i == 2 && !jb->save))
            continue;
        if (f[i].fd < 0) {
            snprintf(why, cap, "%.600s: not open", f[i].path);
            return -1;
        }
        if (fallocate(f[i].fd, 0, (off_t)f[i].committed, (off_t)f[i].need) < 0) {
            if (errno == EOPNOTSUPP || errno == ENOSYS)
                continue;
            output_write_error(why, cap, f[i].path, 0);
            if (ftruncate(f[i].fd, f[i].committed) < 0) /* a partial allocation */
                log_warn("jobs", "cannot cut back after a probe", "job=%lld error=\"%s\"", jb->id,
                         strerror(errno));
            return -1;
        }
        if (ftruncate(f[i].fd, f[i].committed) < 0) {
            output_write_error(why, cap, f[i].path, 0);
            return -1;
        }
    }
    return 0;
}

static void retry_cb(uv_timer_t *t)
{
    jobs *j = t->data;
    int left = 0, resumed = 0;
    for (job *jb = j->list; jb; jb = jb->next) {
        if (!jb->held)
            continue;
        if (jb->state != JOB_PAUSED) {
            jb->held = 0;
            continue;
        }
        char why[700];
        if (job_probe(j, jb, why, sizeof(why)) < 0) {
            log_debug("jobs", "held job still blocked", "job=%lld error=\"%s\"", jb->id, why);
            left++;
            continue;
        }
        if (store_job_set_state(j->st, jb->id, "running", 0, NULL) < 0) {
            log_debug("jobs", "held job still blocked", "job=%lld error=\"state database: %s\"",
                      jb->id, store_errmsg(j->st));
            left++;
            continue;
        }
        log_info("jobs", "held job runs again", "job=%lld was=\"%s\" pending=%ld", jb->id,
                 jb->error, jb->pending);
        jb->held = 0;
        jb->error[0] = '\0';
        jb->state = JOB_RUNNING;
        resumed++;
    }
    if (!left)
        uv_timer_stop(t);
    if (resumed && j->on_wake)
        j->on_wake(j->wake_ud);
}
