/* jobs — the job table (see jobs.h and jobs_int.h): load at start, submit,
 * find, cancel, pause, a job's failure and end, its JSON and metrics. */
#include "jobs_int.h"
#include "alloc.h"
#include "jobopts.h"
#include "log.h"
#include "session.h"
#include "url.h"
#include "wire.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *job_state_str(job_state s)
{
    switch (s) {
    case JOB_RUNNING:
        return "running";
    case JOB_PAUSED:
        return "paused";
    case JOB_DONE:
        return "done";
    case JOB_CANCELLED:
        return "cancelled";
    case JOB_FAILED:
        return "failed";
    }
    return "?";
}

static job_state state_parse(const char *s)
{
    static const job_state all[] = {JOB_RUNNING, JOB_PAUSED, JOB_DONE, JOB_CANCELLED, JOB_FAILED};
    for (size_t i = 0; s && i < sizeof(all) / sizeof(all[0]); i++)
        if (strcmp(s, job_state_str(all[i])) == 0)
            return all[i];
    return JOB_FAILED;
}

/* Job ids continue after the highest numeric directory already in the
 * output root, so a new database never writes into an old job's file. */
static long long highest_job_dir(const char *root)
{
    long long hi = 0;
    DIR *d = opendir(root);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long long v = strtoll(e->d_name, &end, 10);
        if (end != e->d_name && *end == '\0' && v > hi)
            hi = v;
    }
    closedir(d);
    return hi;
}

static void job_free(job *jb)
{
    sched_cache_clear(jb);
    alloc_free(jb->cache, JOBS_CACHE_ROWS * sizeof(store_row));
    output_close_fd(jb);
    alloc_free(jb->obuf, jb->obuf_cap);
    alloc_free(jb->wbuf, jb->wbuf_cap);
    alloc_free(jb->cbuf, jb->cbuf_cap);
    scope_free(jb->scope);
    json_decref(jb->exclude);
    json_decref(jb->include);
    job_extract_release(jb);
    job_session_release(&jb->sess);
    ALLOC_FREE(jb);
}

long jobs_cookie_count(jobs *j, const job *jb)
{
    return store_cookies_count(j->st, jb->id, (long long)jobs_now_unix());
}

void jobs_page_free(jobs_page *p)
{
    if (!p)
        return;
    alloc_strfree(p->url);
    alloc_strfree(p->parent);
    alloc_strfree(p->origin);
    alloc_strfree(p->etag);
    alloc_strfree(p->last_modified);
    alloc_strfree(p->ref_date);
    alloc_strfree(p->cookies);
    alloc_strfree(p->retry_reasons);
    ALLOC_FREE(p);
}

/* Closes pages.jsonl; what the open batch wrote to it is committed first. */
void job_close_output(jobs *j, job *jb)
{
    if (jb->dirty)
        batch_commit(j);
    output_close_fd(jb);
    sched_cache_clear(jb); /* read again if the job runs again */
    /* An ended job stays listed, for good: what it held for crawling (batch
     * buffer, row cache, trap counters) goes back now, so a long daemon's
     * RSS does not step up with every job (docs/platform-notes.md). Made
     * again if it runs again. */
    alloc_free(jb->cache, JOBS_CACHE_ROWS * sizeof(store_row));
    jb->cache = NULL;
    scope_forget_paths(jb->scope); /* its trap counters: 32-64 bytes a path */
    if (jb->obuf_len == 0) {
        alloc_free(jb->obuf, jb->obuf_cap);
        jb->obuf = NULL;
        jb->obuf_cap = 0;
    }
    if (jb->wbuf_len == 0) {
        alloc_free(jb->wbuf, jb->wbuf_cap);
        jb->wbuf = NULL;
        jb->wbuf_cap = 0;
    }
    if (jb->cbuf_len == 0) {
        alloc_free(jb->cbuf, jb->cbuf_cap);
        jb->cbuf = NULL;
        jb->cbuf_cap = 0;
    }
}

/* Marks a failure that stops the job; its pending rows stay for a look.
 * The open batch is committed first (the job's state is written after it). */
void job_fail(jobs *j, job *jb, const char *fmt, const char *detail)
{
    if (jb->state == JOB_FAILED)
        return;
    batch_commit(j);
    if (jb->state == JOB_FAILED) /* the commit failed, and the job with it */
        return;
    snprintf(jb->error, sizeof(jb->error), fmt, detail);
    log_error("jobs", "job failed", "job=%lld error=\"%s\"", jb->id, jb->error);
    j->pending -= jb->pending;
    jb->pending = 0;
    jb->state = JOB_FAILED;
    jb->ended = jobs_now_unix();
    store_job_set_state(j->st, jb->id, "failed", jb->ended, jb->error);
    if (jb->in_flight == 0)
        job_close_output(j, jb);
}

/* A job ends when nothing is pending or in flight. */
void job_maybe_end(jobs *j, job *jb)
{
    if (jb->pending != 0 || jb->in_flight != 0)
        return;
    if (jb->dirty) /* its last records: committed before it is done */
        batch_commit(j);
    if (jb->pending != 0 || jb->in_flight != 0) /* the commit failed: its pages came back */
        return;
    /* in a cluster, done when no node has a row pending (rows in flight
     * anywhere are pending in the database) */
    if (j->cl && job_active(jb) && cluster_job_pending(j, jb) != 0)
        return;
    if (job_active(jb)) {
        jb->state = JOB_DONE;
        jb->ended = jobs_now_unix();
        if (store_job_set_state(j->st, jb->id, "done", jb->ended, NULL) < 0)
            log_error("jobs", "cannot store job state", "job=%lld error=\"%s\"", jb->id,
                      store_errmsg(j->st));
        log_info("jobs", "job done", "job=%lld done=%ld failed=%ld", jb->id, jb->done, jb->failed);
    }
    if (!jb->ended)
        jb->ended = jobs_now_unix();
    job_close_output(j, jb);
}

/* ---- setup and load ---- */

typedef struct load_ctx {
    jobs *j;
    int errors;
} load_ctx;

/* The job's files in its directory: pages.jsonl, crawl.warc.gz,
 * content.jsonl.zst; in a cluster each node's own, pages.NODE.jsonl,
 * crawl.NODE.warc.gz, content.NODE.jsonl.zst (docs/cluster.md). */
static void job_paths(const jobs *j, job *jb)
{
    const char *node = j->cfg->cluster_database[0] ? j->cfg->cluster_node_id : "";
    const char *dot = node[0] ? "." : "";
    snprintf(jb->out_path, sizeof(jb->out_path), "%s/pages%s%s.jsonl", jb->out_dir, dot, node);
    snprintf(jb->warc_path, sizeof(jb->warc_path), "%s/crawl%s%s.warc.gz", jb->out_dir, dot, node);
    snprintf(jb->content_path, sizeof(jb->content_path), "%s/content%s%s.jsonl.zst", jb->out_dir,
             dot, node);
}

static int load_job(void *ud, const store_job *r)
{
    load_ctx *x = ud;
    jobs *j = x->j;
    job *jb = ALLOC_NEW(job);
    if (!jb)
        return -1;
    jb->out_fd = -1;
    jb->cluster_pending = -1;
    jb->warc_fd = -1;
    jb->content_fd = -1;
    jb->id = r->id;
    jb->state = state_parse(r->state);
    jb->created = r->created;
    jb->ended = r->ended;
    jb->committed = r->committed;
    jb->warc_committed = r->warc_committed;
    jb->content_committed = r->content_committed;
    if (r->name)
        snprintf(jb->name, sizeof(jb->name), "%s", r->name);
    if (r->error)
        snprintf(jb->error, sizeof(jb->error), "%s", r->error);
    /* Paused with an error: crawld held it (a user's pause clears the error). */
    jb->held = jb->state == JOB_PAUSED && jb->error[0];
    jb->hold_need = jb->hold_wneed = jb->hold_cneed = JOBS_PROBE_MIN;
    json_error_t jerr;
    json_t *o = json_loads(r->opts ? r->opts : "{}", 0, &jerr);
    jb->js = json_is_true(json_object_get(o, "js"));
    jb->depth = (int)json_integer_value(json_object_get(o, "depth"));
    jb->max_pages = (int)json_integer_value(json_object_get(o, "max_pages"));
    jb->delay_ms = (int)json_integer_value(json_object_get(o, "delay_ms"));
    jb->obey_robots = json_is_true(json_object_get(o, "obey_robots"));
    jb->warc = json_is_true(json_object_get(o, "warc"));
    jb->sitemaps = json_is_true(json_object_get(o, "sitemaps"));
    jb->save = (int)json_integer_value(json_object_get(o, "save")) & JOBOPT_SAVE_ALL;
    jb->since = json_integer_value(json_object_get(o, "since"));
    jb->every_s = json_integer_value(json_object_get(o, "every"));
    jb->unscheduled = r->error && strncmp(r->error, "unscheduled:", 12) == 0;
    const char *spec = json_string_value(json_object_get(o, "scope"));
    snprintf(jb->scope_spec, sizeof(jb->scope_spec), "%s", spec ? spec : "host");
    const char *dir = json_string_value(json_object_get(o, "output"));
    if (dir)
        snprintf(jb->out_dir, sizeof(jb->out_dir), "%s", dir);
    else
        snprintf(jb->out_dir, sizeof(jb->out_dir), "%s/%lld", j->output_dir, jb->id);
    job_paths(j, jb);
    json_t *seeds = json_object_get(o, "seeds");
    size_t ns = json_array_size(seeds);
    const char **sv = alloc_zeroed((ns + 1) * sizeof(char *));
    for (size_t i = 0; sv && i < ns; i++)
        sv[i] = json_string_value(json_array_get(seeds, i));
    scope_opts so;
    scope_opts_init(&so);
    so.max_depth = jb->depth;
    so.max_pages = 0; /* the frontier counts rows itself */
    char err[400] = "";
    jb->scope = sv ? scope_new(jb->scope_spec, sv, ns, &so, err, sizeof(err)) : NULL;
    if (jb->scope && job_filters(jb, json_object_get(o, "exclude"), json_object_get(o, "include"),
                                 err, sizeof(err)) < 0) {
        scope_free(jb->scope);
        jb->scope = NULL;
    }
    jb->canonical = json_is_true(json_object_get(o, "canonical"));
    jb->priority = (int)json_integer_value(json_object_get(o, "priority"));
    if (sv && job_session_take(
                  jb, json_object_get(o, "header"), json_string_value(json_object_get(o, "user")),
                  json_string_value(json_object_get(o, "bearer")),
                  json_string_value(json_object_get(o, "proxy")), sv, ns, err, sizeof(err)) < 0) {
        scope_free(jb->scope); /* fails the job as a bad scope does */
        jb->scope = NULL;
    }
    if (job_extract_take(jb, json_object_get(o, "extract"), err, sizeof(err)) < 0) {
        scope_free(jb->scope);
        jb->scope = NULL;
    }
    alloc_free(sv, (ns + 1) * sizeof(char *));
    json_decref(o);

    long counts[ROW_STATE_COUNT];
    store_job_counts(j->st, jb->id, counts);
    jb->pending = counts[ROW_PENDING];
    jb->done = counts[ROW_DONE];
    jb->failed = counts[ROW_FAILED];
    jb->rows = counts[ROW_PENDING] + counts[ROW_DONE] + counts[ROW_FAILED] + counts[ROW_DROPPED];
    jb->cookie_jar = store_cookies_count(j->st, jb->id, 0) != 0; /* -1: ask anyway */
    if (jb->sitemaps) { /* the per-job cap counts what was admitted before the restart */
        long sm = store_job_sitemaps(j->st, jb->id, WIRE_SITEMAP_FILE);
        jb->sitemap_files = sm > 0 ? sm : 0;
    }
    jb->next = j->list;
    j->list = jb;

    if (job_active(jb)) {
        if (!jb->scope) {
            job_fail(j, jb, "cannot rebuild the scope: %s", err);
            x->errors++;
            return 0;
        }
        if (output_open(jb, 0, err, sizeof(err)) < 0) {
            job_fail(j, jb, "%s", err);
            x->errors++;
            return 0;
        }
        if (output_cut_back(jb, err, sizeof(err)) < 0) {
            job_fail(j, jb, "%s", err);
            return 0;
        }
        j->pending += jb->pending;
        log_info("jobs", "job resumed", "job=%lld state=%s pending=%ld done=%ld failed=%ld", jb->id,
                 job_state_str(jb->state), jb->pending, jb->done, jb->failed);
        job_maybe_end(j, jb);
    }
    j->done += jb->done;
    j->failed += jb->failed;
    return 0;
}

int jobs_load_one(jobs *j, const store_job *r)
{
    load_ctx x = {j, 0};
    return load_job(&x, r);
}

int jobs_offsets_reread(void *ud, const store_job *r)
{
    jobs *j = ud;
    job *jb = jobs_find(j, r->id);
    if (!jb || jb->out_fd < 0)
        return 0;
    if (jb->committed != r->committed)
        log_warn("cluster", "committed length differs from the database's: the database holds",
                 "job=%lld here=%lld database=%lld", jb->id, jb->committed, r->committed);
    jb->committed = jb->written = r->committed;
    jb->warc_committed = jb->warc_written = r->warc_committed;
    jb->content_committed = jb->content_written = r->content_committed;
    char err[400];
    if (output_cut_back(jb, err, sizeof(err)) < 0)
        job_fail(j, jb, "%s", err);
    return 0;
}

/* A host that was backing off when crawld stopped: its delay, and its
 * next request not before the time kept (wall clock, turned to loop time).
 * One whose wait ended more than retry_max_ms ago is not restored (its row
 * stays until the host answers again, or refuses). */
int jobs_host_backoff_restore(void *ud, const store_host_backoff *hb)
{
    jobs *j = ud;
    long long left = hb->until_ms - (long long)(jobs_now_unix() * 1000);
    if (-left > j->cfg->retry_max_ms) /* long over: forgotten (no page of it came since) */
        return 0;
    polite_host *h = politeness_get(&j->pol, hb->host, jobs_now_ms(j));
    if (!h)
        return -1;
    politeness_host_restore(&j->pol, h, (long)hb->delay_ms,
                            jobs_now_ms(j) + (uint64_t)(left > 0 ? left : 0));
    return 0;
}

int jobs_init(jobs *j, uv_loop_t *loop, const crawld_config *cfg, char *err, size_t errlen)
{
    memset(j, 0, sizeof(*j));
    j->tx_min_row = LLONG_MAX;
    j->cfg = cfg;
    j->loop = loop;
    snprintf(j->output_dir, sizeof(j->output_dir), "%s", cfg->output_dir);
    size_t n = strcspn(cfg->user_agent, "/ ");
    if (n >= sizeof(j->agent))
        n = sizeof(j->agent) - 1;
    memcpy(j->agent, cfg->user_agent, n);
    j->agent[n] = '\0';
    if (politeness_init(&j->pol, (size_t)cfg->max_hosts, (uint64_t)cfg->robots_ttl_s * 1000,
                        cfg->max_crawl_delay_ms) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    politeness_set_backoff(&j->pol, cfg->retry_base_ms, cfg->retry_max_ms, cfg->adaptive_delay,
                           cfg->adaptive_max_delay_ms, cfg->adaptive_target_concurrency);
    /* in a cluster the shared database (never named in messages: its URI
     * may hold a password), else SQLite in the state directory */
    char path[CONFIG_PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/crawld.db", cfg->state_dir);
    j->st = store_open(cfg->cluster_database[0] ? cfg->cluster_database : path, err, errlen);
    if (cfg->cluster_database[0])
        snprintf(path, sizeof(path), "[cluster] database");
    if (!j->st) {
        politeness_free(&j->pol);
        return -1;
    }
    if (cluster_start(j, err, errlen) < 0) {
        store_close(j->st);
        j->st = NULL;
        politeness_free(&j->pol);
        return -1;
    }
    store_job_id_floor(j->st, highest_job_dir(cfg->output_dir));
    j->rng = uv_hrtime() ^ ((uint64_t)getpid() << 32) ^ 0x9E3779B97F4A7C15ull;
    if (store_host_backoff_foreach(j->st, jobs_host_backoff_restore, j) < 0) {
        snprintf(err, errlen, "%s: cannot load host back-off: %s", path, store_errmsg(j->st));
        store_close(j->st);
        j->st = NULL;
        politeness_free(&j->pol);
        return -1;
    }
    load_ctx x = {j, 0};
    if (store_jobs_foreach(j->st, load_job, &x) < 0) {
        snprintf(err, errlen, "%s: cannot load jobs: %s", path, store_errmsg(j->st));
        jobs_free(j);
        return -1;
    }
    uv_timer_init(loop, &j->wake);
    j->wake.data = j;
    uv_timer_init(loop, &j->group);
    j->group.data = j;
    uv_timer_init(loop, &j->retry);
    j->retry.data = j;
    /* recrawl schedules: a run's successor is the job whose since it is */
    for (job *jb = j->list; jb; jb = jb->next) {
        job *old = jb->since && jb->every_s ? jobs_find(j, jb->since) : NULL;
        if (old)
            old->successor = 1;
    }
    uv_timer_init(loop, &j->schedule);
    j->schedule.data = j;
    uv_timer_start(&j->schedule, schedule_timer_cb, JOBS_SCHEDULE_MS, JOBS_SCHEDULE_MS);
    uv_unref((uv_handle_t *)&j->schedule);
    for (job *jb = j->list; jb; jb = jb->next)
        if (jb->held && jb->state == JOB_PAUSED) {
            log_warn("jobs", "job held after an output error; retrying", "job=%lld error=\"%s\"",
                     jb->id, jb->error);
            batch_retry_arm(j);
        }
    return 0;
}

void jobs_close(jobs *j)
{
    batch_commit(j);
    cluster_stop(j);
    if (j->wake.data && !uv_is_closing((uv_handle_t *)&j->wake))
        uv_close((uv_handle_t *)&j->wake, NULL);
    if (j->group.data && !uv_is_closing((uv_handle_t *)&j->group))
        uv_close((uv_handle_t *)&j->group, NULL);
    if (j->retry.data && !uv_is_closing((uv_handle_t *)&j->retry))
        uv_close((uv_handle_t *)&j->retry, NULL);
    if (j->schedule.data && !uv_is_closing((uv_handle_t *)&j->schedule))
        uv_close((uv_handle_t *)&j->schedule, NULL);
}

void jobs_free(jobs *j)
{
    if (j->st)
        batch_commit(j);
    sched_unpark(j);
    sched_out_free(j);
    job *jb = j->list, *n;
    for (; jb; jb = n) {
        n = jb->next;
        job_free(jb);
    }
    j->list = NULL;
    jobs_page *p = j->flight, *pn;
    for (; p; p = pn) {
        pn = p->next;
        jobs_page_free(p);
    }
    j->flight = NULL;
    cluster_free(j);
    store_close(j->st);
    j->st = NULL;
    politeness_free(&j->pol);
}

job *jobs_find(jobs *j, long long id)
{
    for (job *jb = j->list; jb; jb = jb->next)
        if (jb->id == id)
            return jb;
    return NULL;
}

/* ---- submit ---- */

job *jobs_submit(jobs *j, const char *const *urls, size_t n, const jobs_submit_opts *o, char *err,
                 size_t errlen)
{
    job *jb = NULL;
    char **norm = NULL;
    json_t *opts = NULL;
    char *opts_s = NULL;
    int in_tx = 0;
    recrawl_set since = {0};
    const char **all = NULL;
    size_t all_cap = 0;
    if (o->since > 0) {
        size_t nall = 0;
        if (schedule_since_seeds(j, o->since, o->max_pages, urls, n, &since, &all, &nall, err,
                                 errlen) < 0)
            return NULL;
        all_cap = n + since.seeds;
        urls = all;
        n = nall;
    }
    if (n == 0) {
        snprintf(err, errlen, "no URL given");
        return NULL;
    }
    batch_commit(j); /* the job is created in its own transaction */
    norm = alloc_zeroed(n * sizeof(char *));
    if (!norm)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        url_err ue = url_normalize(NULL, urls[i], &norm[i]);
        if (ue != URL_OK) {
            snprintf(err, errlen, "bad URL \"%.200s\": %s", urls[i], url_err_str(ue));
            goto fail;
        }
    }
    jb = ALLOC_NEW(job);
    if (!jb)
        goto nomem;
    jb->out_fd = -1;
    jb->cluster_pending = -1;
    jb->warc_fd = -1;
    jb->content_fd = -1;
    jb->save = o->save & JOBOPT_SAVE_ALL;
    jb->state = JOB_RUNNING;
    jb->js = o->js;
    jb->warc = o->warc;
    jb->sitemaps = o->sitemaps;
    jb->depth = o->depth;
    jb->max_pages = o->max_pages;
    jb->delay_ms = o->delay_ms >= 0 ? o->delay_ms : j->cfg->delay_ms;
    jb->obey_robots = o->obey_robots >= 0 ? o->obey_robots : j->cfg->obey_robots;
    snprintf(jb->scope_spec, sizeof(jb->scope_spec), "%s", o->scope ? o->scope : "host");
    if (o->name)
        snprintf(jb->name, sizeof(jb->name), "%s", o->name);
    jb->created = jobs_now_unix();
    scope_opts so;
    scope_opts_init(&so);
    so.max_depth = jb->depth;
    so.max_pages = 0;
    jb->scope = scope_new(jb->scope_spec, (const char *const *)norm, n, &so, err, errlen);
    if (!jb->scope)
        goto fail;
    if (job_filters(jb, o->exclude, o->include, err, errlen) < 0)
        goto fail;
    jb->canonical = o->canonical;
    jb->priority = o->priority;
    if (job_session_take(jb, o->header, o->user, o->bearer, o->proxy, (const char *const *)norm, n,
                         err, errlen) < 0 ||
        job_session_may_store(j, &jb->sess, err, errlen) < 0)
        goto fail;
    if (job_extract_take(jb, o->extract, err, errlen) < 0)
        goto fail;
    if (o->output &&
        output_resolve(j, o->output, jb->out_dir, sizeof(jb->out_dir), err, errlen) < 0)
        goto fail;
    opts = json_pack("{s:b, s:i, s:i, s:i, s:b, s:s, s:[]}", "js", jb->js, "depth", jb->depth,
                     "max_pages", jb->max_pages, "delay_ms", jb->delay_ms, "obey_robots",
                     jb->obey_robots, "scope", jb->scope_spec, "seeds");
    if (!opts)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        json_array_append_new(json_object_get(opts, "seeds"), json_string(norm[i]));
    if (jb->out_dir[0])
        json_object_set_new(opts, "output", json_string(jb->out_dir));
    if (jb->warc)
        json_object_set_new(opts, "warc", json_true());
    if (jb->exclude)
        json_object_set(opts, "exclude", jb->exclude);
    if (jb->include)
        json_object_set(opts, "include", jb->include);
    if (jb->canonical)
        json_object_set_new(opts, "canonical", json_true());
    if (jb->priority)
        json_object_set_new(opts, "priority", json_integer(jb->priority));
    if (jb->sitemaps)
        json_object_set_new(opts, "sitemaps", json_true());
    if (jb->save)
        json_object_set_new(opts, "save", json_integer(jb->save));
    jb->since = o->since;
    if (jb->since)
        json_object_set_new(opts, "since", json_integer(jb->since));
    jb->every_s = o->every_s;
    if (jb->every_s)
        json_object_set_new(opts, "every", json_integer(jb->every_s));
    job_session_store(&jb->sess, o->header, opts);
    if (jb->extract)
        json_object_set(opts, "extract", jb->extract);
    if (store_group_begin(j->st) < 0)
        goto dberr;
    in_tx = 1;
    long long id;
    opts_s = json_dumps(opts, JSON_COMPACT);
    if (!opts_s || store_job_insert(j->st, o->name, "running", opts_s, jb->created, &id) < 0)
        goto dberr;
    jb->id = id;
    if (!jb->out_dir[0])
        snprintf(jb->out_dir, sizeof(jb->out_dir), "%s/%lld", j->output_dir, id);
    job_paths(j, jb);
    for (size_t i = 0; i < n && jb->rows < jb->max_pages; i++) {
        char origin[512];
        if (politeness_origin(norm[i], origin, sizeof(origin), NULL) < 0) {
            snprintf(err, errlen, "bad URL \"%.200s\": no host", norm[i]);
            goto fail;
        }
        /* Sitemaps: each seed's host's robots.txt first, read for its
         * Sitemap lines (none: /sitemap.xml); a row like the seed's. */
        if (jb->sitemaps && jb->rows + 1 < jb->max_pages) {
            char rurl[600];
            snprintf(rurl, sizeof(rurl), "%s/robots.txt", origin);
            int r = store_row_add_sitemap(j->st, id, rurl, NULL, origin, WIRE_SITEMAP_ROBOTS_SEED,
                                          NULL);
            if (r < 0)
                goto dberr;
            jb->rows += r;
        }
        int r = store_row_add(j->st, id, norm[i], 0, NULL, origin, ROW_PENDING, NULL);
        if (r < 0)
            goto dberr;
        jb->rows += r;
    }
    if (jb->since && schedule_since_admit(j, jb, id, &since) < 0)
        goto dberr;
    /* --cookies: the jar's first cookies, in the job's own group */
    for (size_t i = 0; o->cookies && i < json_array_size(o->cookies); i++) {
        const char *l = json_string_value(json_array_get(o->cookies, i));
        store_cookie_counts cc;
        if (l && store_cookies_merge(j->st, id, l, strlen(l), (long long)jb->created, &cc) < 0)
            goto dberr;
        if (l && cc.set)
            jb->cookie_jar = 1;
    }
    if (output_open(jb, 1, err, errlen) < 0)
        goto fail;
    if (jb->warc) { /* the archive's copy of the options shows no secret */
        json_t *shown = json_deep_copy(opts);
        if (shown)
            job_session_show(&jb->sess, shown);
        char *shown_s = shown ? json_dumps(shown, JSON_COMPACT) : NULL;
        json_decref(shown);
        int wr = shown_s ? output_write_warcinfo(j, jb, shown_s, err, errlen) : -1;
        if (shown_s) {
            json_free_t jf;
            json_get_alloc_funcs(NULL, &jf);
            jf(shown_s);
        } else {
            snprintf(err, errlen, "out of memory");
        }
        if (wr < 0)
            goto fail;
    }
    /* The new job's lengths: nothing yet, but a WARC job's warcinfo and a
     * --save job's empty zstd frame (output_content_open). */
    store_lengths len = {
        .job_id = id, .warc_to = jb->warc_committed, .content_to = jb->content_committed};
    /* in a cluster, --max-pages counts from the seeds (store_links_add) */
    if (store_job_set_admitted(j->st, id, jb->rows) < 0)
        goto dberr;
    if (store_group_commit(j->st, NULL, 0, &len, 1) != STORE_OK) {
        in_tx = 0;
        goto dberr;
    }
    in_tx = 0;
    jb->pending = jb->rows;
    j->pending += jb->pending;
    jb->next = j->list;
    j->list = jb;
    goto out;
nomem:
    snprintf(err, errlen, "out of memory");
    goto fail;
dberr:
    snprintf(err, errlen, "state database: %s", store_errmsg(j->st));
fail:
    if (in_tx)
        store_group_abort(j->st);
    if (j->cl && jb && jb->id) /* its seeds went in apart (store_row_add): dropped */
        store_job_drop_pending(j->st, jb->id);
    if (jb) {
        if (jb->out_fd >= 0) {
            output_close_fd(jb);
            unlink(jb->out_path);
            if (jb->warc)
                unlink(jb->warc_path);
            if (jb->save)
                unlink(jb->content_path);
        }
        job_free(jb);
        jb = NULL;
    }
out:
    if (opts_s) {
        json_free_t jf;
        json_get_alloc_funcs(NULL, &jf);
        jf(opts_s);
    }
    json_decref(opts);
    for (size_t i = 0; norm && i < n; i++)
        alloc_strfree(norm[i]);
    alloc_free(norm, n * sizeof(char *));
    if (all)
        alloc_free(all, (all_cap ? all_cap : 1) * sizeof(char *));
    recrawl_set_release(&since);
    return jb;
}

/* ---- control ---- */

int jobs_cancel(jobs *j, job *jb)
{
    batch_commit(j);
    if (!job_active(jb))
        return -1;
    if (store_group_begin(j->st) < 0 || store_job_drop_pending(j->st, jb->id) < 0)
        goto dberr;
    /* Pages in flight finish as they would have: their rows stay pending
     * (the drop took them too), so their records are written once. */
    for (const jobs_page *p = j->flight; p; p = p->next)
        if (p->kind == JOBS_PAGE && p->job_id == jb->id && !p->stale &&
            store_row_requeue(j->st, p->row_id, p->attempts - 1, 0, p->no_js) < 0)
            goto dberr;
    if (store_job_set_state(j->st, jb->id, "cancelled", jobs_now_unix(), NULL) < 0 ||
        store_group_commit(j->st, NULL, 0, NULL, 0) != STORE_OK)
        goto dberr;
    j->pending -= jb->pending;
    jb->pending = 0;
    jb->state = JOB_CANCELLED;
    jb->ended = jobs_now_unix();
    if (jb->in_flight == 0)
        job_close_output(j, jb);
    return 0;
dberr:
    store_group_abort(j->st);
    return -1;
}

int jobs_pause(jobs *j, job *jb, int pause)
{
    batch_commit(j);
    if (!job_active(jb))
        return -1;
    if (store_job_set_state(j->st, jb->id, pause ? "paused" : "running", 0, NULL) < 0)
        return -1;
    jb->state = pause ? JOB_PAUSED : JOB_RUNNING;
    if (jb->held) /* the user decides now; a resume that fails again holds it again */
        log_info("jobs",
                 pause ? "held job paused by the user: no more retries"
                       : "held job resumed by the user",
                 "job=%lld error=\"%s\"", jb->id, jb->error);
    jb->held = 0;
    jb->error[0] = '\0';
    jb->cache_stale = 1;
    return 0;
}

json_t *job_json(const job *jb)
{
    /* in a cluster, pending on every node (less this node's in flight) */
    long pending = jb->cluster_pending < 0               ? jb->pending
                   : jb->cluster_pending > jb->in_flight ? jb->cluster_pending - jb->in_flight
                                                         : 0;
    json_t *o = json_pack("{s:I, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:b, s:i, s:i, s:s, "
                          "s:s, s:i, s:b}",
                          "id", (json_int_t)jb->id, "state", job_state_str(jb->state), "pending",
                          (int)pending, "in_flight", (int)jb->in_flight, "done", (int)jb->done,
                          "failed", (int)jb->failed, "quarantined", (int)jb->quarantined, "total",
                          (int)(pending + jb->in_flight + jb->done + jb->failed), "created",
                          jb->created, "js", jb->js, "depth", jb->depth, "max_pages", jb->max_pages,
                          "scope", jb->scope_spec, "output", jb->out_path, "delay_ms", jb->delay_ms,
                          "obey_robots", jb->obey_robots);
    if (!o)
        return NULL;
    json_object_set_new(o, "name", jb->name[0] ? json_string(jb->name) : json_null());
    json_object_set_new(o, "warc", json_boolean(jb->warc));
    json_object_set_new(o, "exclude", jb->exclude ? json_copy(jb->exclude) : json_array());
    json_object_set_new(o, "include", jb->include ? json_copy(jb->include) : json_array());
    json_object_set_new(o, "canonical", json_boolean(jb->canonical));
    json_object_set_new(o, "priority", json_integer(jb->priority));
    json_object_set_new(o, "sitemaps", json_boolean(jb->sitemaps));
    json_t *save = json_array(); /* --save: the kinds, by name ([] when none) */
    for (int i = 0; save && i < 4; i++)
        if (jb->save & (1 << i))
            json_array_append_new(save, json_string(jobopts_save_kinds[i]));
    json_object_set_new(o, "save", save ? save : json_null());
    if (jb->save)
        json_object_set_new(o, "content_output", json_string(jb->content_path));
    json_object_set_new(o, "since", jb->since ? json_integer(jb->since) : json_null());
    json_object_set_new(o, "every", jb->every_s ? json_integer(jb->every_s) : json_null());
    double next = jobs_next_run(jb);
    json_object_set_new(o, "next_run", next > 0 ? json_real(next) : json_null());
    job_session_show(&jb->sess, o);
    json_object_set_new(o, "extract", jb->extract ? json_copy(jb->extract) : json_array());
    if (jb->warc)
        json_object_set_new(o, "warc_output", json_string(jb->warc_path));
    json_object_set_new(o, "ended", jb->ended ? json_real(jb->ended) : json_null());
    if (jb->error[0])
        json_object_set_new(o, "error", json_string(jb->error));
    if (jb->held) /* paused by crawld after that error; tried every JOBS_RETRY_MS */
        json_object_set_new(o, "retrying", json_true());
    return o;
}

/* Metric families by section (metrics.h); job states named by
 * job_state_str, in their enum order. */
void jobs_metrics(jobs *j, metrics_buf *b, metrics_section s)
{
    enum { NSTATES = JOB_FAILED + 1 };
    long by_state[NSTATES] = {0};
    switch (s) {
    case METRICS_WORKERS:
        break;
    case METRICS_QUEUE:
        metrics_gauge(b, "crawld_queue_pending", "Pages waiting for a worker, over all jobs.",
                      (double)j->pending);
        metrics_gauge(b, "crawld_queue_in_flight", "Pages given to a worker and not yet recorded.",
                      (double)j->in_flight);
        metrics_gauge(b, "crawld_queue_done",
                      "Pages recorded without an error, over every job in the state database.",
                      (double)j->done);
        metrics_gauge(b, "crawld_queue_failed",
                      "Pages recorded with an error, over every job in the state database.",
                      (double)j->failed);
        /* back off when a server asks */
        metrics_family(b, "crawld_page_retries_total", METRICS_COUNTER,
                       "Answers not recorded because the server asked to be asked again, since "
                       "crawld started, by reason (status, or connection: reset, empty reply).");
        for (int c = 0; c < BACKOFF_NCLASSES; c++)
            metrics_buf_printf(b, "crawld_page_retries_total{reason=\"%s\"} %ld\n",
                               backoff_classes[c], j->retries[c]);
        metrics_counter(b, "crawld_page_retries_exhausted_total",
                        "Pages recorded with a refused answer after max_retries retries.",
                        (double)j->retries_gave_up);
        metrics_gauge(b, "crawld_hosts_backing_off",
                      "Hosts whose delay is raised because they refused pages.",
                      (double)politeness_backing_off(&j->pol));
        break;
    case METRICS_JOBS:
        for (job *jb = j->list; jb; jb = jb->next)
            if ((unsigned)jb->state < NSTATES)
                by_state[jb->state]++;
        metrics_family(b, "crawld_jobs", METRICS_GAUGE, "Jobs by state.");
        for (int st = 0; st < NSTATES; st++)
            metrics_buf_printf(b, "crawld_jobs{state=\"%s\"} %ld\n", job_state_str((job_state)st),
                               by_state[st]);
        metrics_family(b, "crawld_job_pages", METRICS_GAUGE,
                       "Pages of each running or paused job, by state.");
        for (job *jb = j->list; jb; jb = jb->next) {
            if (jb->state != JOB_RUNNING && jb->state != JOB_PAUSED)
                continue;
            const char *n[] = {"pending", "in_flight", "done", "failed"};
            long v[] = {jb->pending, jb->in_flight, jb->done, jb->failed};
            for (int k = 0; k < 4; k++)
                metrics_buf_printf(b, "crawld_job_pages{job=\"%lld\",state=\"%s\"} %ld\n", jb->id,
                                   n[k], v[k]);
        }
        metrics_family(b, "crawld_job_info", METRICS_GAUGE,
                       "Always 1 for each running or paused job; its name and state are labels.");
        for (job *jb = j->list; jb; jb = jb->next) {
            if (jb->state != JOB_RUNNING && jb->state != JOB_PAUSED)
                continue;
            metrics_buf_printf(b, "crawld_job_info{job=\"%lld\",name=\"", jb->id);
            metrics_escape_label(b, jb->name);
            metrics_buf_printf(b, "\",state=\"%s\"} 1\n", job_state_str(jb->state));
        }
        metrics_family(b, "crawld_pages_total", METRICS_COUNTER,
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
        metrics_counter(b, "crawld_bytes_fetched_total",
                        "Response body bytes of the page records written.",
                        (double)j->bytes_fetched);
        metrics_counter(b, "crawld_fetch_seconds_total",
                        "Fetch time of the page records written (records' fetch_ms).", j->fetch_s);
        metrics_counter(b, "crawld_parse_seconds_total",
                        "Parse time of the page records written (records' parse_ms).", j->parse_s);
        metrics_counter(b, "crawld_js_seconds_total",
                        "JavaScript time of the page records written (records' js_ms).", j->js_s);
        metrics_counter(b, "crawld_robots_fetches_total", "robots.txt fetches given to workers.",
                        (double)j->robots_fetches);
        break;
    case METRICS_HISTOGRAMS:
        metrics_write_hist(b, "crawld_page_js_seconds",
                           "JavaScript time per page record with JS on (records' js_ms).",
                           &j->js_hist);
        break;
    }
}
