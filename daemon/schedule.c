/* schedule — recrawls: a job's --every schedule, whose next run is a new
 * job that recrawls the last (jobs_schedule_tick, every JOBS_SCHEDULE_MS),
 * and a --since submit's seeds and rows taken from the earlier job's
 * records (docs/daemon.md, Recrawls). Part of the jobs module
 * (jobs_int.h). */
#include "jobs_int.h"
#include "recrawl.h"
#include "alloc.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

/* ---- --every ---- */

double jobs_next_run(const job *jb)
{
    if (!jb->every_s || jb->successor || jb->unscheduled)
        return 0;
    if (jb->state != JOB_DONE || !jb->ended)
        return 0;
    return jb->ended + (double)jb->every_s;
}

/* The next run of jb's schedule: a recrawl of jb with its options. */
static void schedule_start(jobs *j, job *jb)
{
    jobs_submit_opts o = {.js = jb->js,
                          .depth = jb->depth,
                          .max_pages = jb->max_pages,
                          .delay_ms = jb->delay_ms,
                          .obey_robots = jb->obey_robots,
                          .scope = jb->scope_spec,
                          .name = jb->name[0] ? jb->name : NULL,
                          .warc = jb->warc,
                          .exclude = jb->exclude,
                          .include = jb->include,
                          .canonical = jb->canonical,
                          .priority = jb->priority,
                          .sitemaps = jb->sitemaps,
                          .save = jb->save,
                          .since = jb->id,
                          .every_s = jb->every_s,
                          /* the session goes on, its cookie jar too (below) */
                          .user = jb->sess.user,
                          .bearer = jb->sess.bearer,
                          .proxy = jb->sess.proxy,
                          .extract = jb->extract};
    json_t *header = NULL;
    for (const char *l = jb->sess.headers; l && *l;) {
        size_t n = strcspn(l, "\n");
        if (!header)
            header = json_array();
        if (header)
            json_array_append_new(header, json_stringn(l, n));
        l += n + (l[n] == '\n');
    }
    o.header = header;
    char err[400];
    jb->successor = 1;                                   /* once, whatever happens below */
    int mine = store_job_claim_successor(j->st, jb->id); /* in a cluster: one node starts it */
    if (mine != 1) {
        json_decref(header);
        if (mine < 0)
            log_error("jobs", "scheduled recrawl not started", "job=%lld error=\"%s\"", jb->id,
                      store_errmsg(j->st));
        return;
    }
    job *nj = jobs_submit(j, NULL, 0, &o, err, sizeof(err));
    json_decref(header);
    if (!nj) {
        log_error("jobs", "scheduled recrawl not started", "job=%lld error=\"%s\"", jb->id, err);
        return;
    }
    if (store_cookies_copy(j->st, jb->id, nj->id, (long long)jobs_now_unix()) < 0)
        log_warn("jobs", "scheduled recrawl starts with an empty cookie jar",
                 "job=%lld since=%lld error=\"%s\"", nj->id, jb->id, store_errmsg(j->st));
    else if (jb->cookie_jar)
        nj->cookie_jar = 1; /* its tasks ask the store for their hosts' cookies */
    log_info("jobs", "scheduled recrawl started", "job=%lld since=%lld every_s=%lld", nj->id,
             jb->id, jb->every_s);
    if (j->on_wake)
        j->on_wake(j->wake_ud);
}

void jobs_schedule_tick(jobs *j)
{
    double now = jobs_now_unix();
    for (job *jb = j->list; jb; jb = jb->next) {
        double at = jobs_next_run(jb);
        if (at > 0 && now >= at)
            schedule_start(j, jb);
    }
}

void schedule_timer_cb(uv_timer_t *t) { jobs_schedule_tick(t->data); }

int jobs_unschedule(jobs *j, job *jb)
{
    if (jobs_next_run(jb) <= 0)
        return -1;
    batch_commit(j);
    if (store_job_set_state(j->st, jb->id, "done", jb->ended, JOBS_UNSCHEDULED) < 0)
        return -1;
    jb->unscheduled = 1;
    snprintf(jb->error, sizeof(jb->error), "%s", JOBS_UNSCHEDULED);
    return 0;
}

/* ---- --since ---- */

/* Recrawls: the earlier job's pages into *set and the seeds of the new
 * job (the URLs given, then the earlier job's seeds) into *all (the
 * process allocator, *nall of them). 0, or -1 with err naming --since. */
int schedule_since_seeds(jobs *j, long long since, int max_pages, const char *const *urls, size_t n,
                         recrawl_set *set, const char ***all, size_t *nall, char *err,
                         size_t errlen)
{
    job *old = jobs_find(j, since);
    if (!old) {
        snprintf(err, errlen, "\"since\" (--since): no job %lld", since);
        return -1;
    }
    if (old->state != JOB_DONE && old->state != JOB_CANCELLED) {
        snprintf(err, errlen, "\"since\" (--since): job %lld is not finished (%s)", since,
                 job_state_str(old->state));
        return -1;
    }
    char e[400];
    if (recrawl_load(old->out_path, old->committed, (size_t)max_pages, set, e, sizeof(e)) < 0) {
        snprintf(err, errlen, "\"since\" (--since): job %lld: %s", since, e);
        return -1;
    }
    size_t cap = n + set->seeds;
    *all = alloc_zeroed((cap ? cap : 1) * sizeof(char *));
    if (!*all) {
        recrawl_set_release(set);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        (*all)[k++] = urls[i];
    for (size_t i = 0; i < set->n && k < cap; i++)
        if (set->p[i].depth == 0 || !set->p[i].parent)
            (*all)[k++] = set->p[i].url;
    *nall = k;
    if (k == 0) {
        recrawl_set_release(set);
        alloc_free(*all, (cap ? cap : 1) * sizeof(char *));
        *all = NULL;
        snprintf(err, errlen, "\"since\" (--since): job %lld recorded no page", since);
        return -1;
    }
    return 0;
}

/* Recrawls: the earlier job's other pages as rows of job id at their
 * depth (a 304 follows no link: the pages it led to are here already),
 * and every page's capture for the conditional requests. -1: the store. */
int schedule_since_admit(jobs *j, job *jb, long long id, const recrawl_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        const recrawl_page *p = &set->p[i];
        if (p->depth > 0 && p->parent && jb->rows < jb->max_pages) {
            char origin[512];
            if (politeness_origin(p->url, origin, sizeof(origin), NULL) < 0)
                continue;
            int r =
                store_row_add(j->st, id, p->url, p->depth, p->parent, origin, ROW_PENDING, NULL);
            if (r < 0)
                return -1;
            jb->rows += r;
        }
        if ((p->etag || p->last_modified) &&
            store_capture_put(j->st, id, p->url, p->etag, p->last_modified, p->date) < 0)
            return -1;
        /* the earlier job's payloads: the same bytes again are a revisit */
        if (jb->warc && p->digest && p->date &&
            store_digest_put(j->st, id, p->digest, p->final_url ? p->final_url : p->url, p->date) <
                0)
            return -1;
    }
    return 0;
}
