/* commands — crawld's control commands: status, submit (its options checked
 * by the jobopts table), jobs, job and its long poll, cancel, pause, resume,
 * recycle, drain, shutdown, metrics, reload. command_handle() is the control
 * socket's handler (control.h); each answers with a reply object. */
#include "crawld_int.h"
#include "alloc.h"
#include "exposition.h"
#include "jobopts.h"
#include "log.h"
#include "rss.h"

#include <openssl/evp.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long req_id(json_t *req, const char *key, int *ok)
{
    json_t *v = json_object_get(req, key);
    *ok = json_is_integer(v) && json_integer_value(v) > 0;
    return *ok ? (long long)json_integer_value(v) : 0;
}

static json_t *status_json(daemon_ctx *d)
{
    jobs *j = &d->jobs;
    long self_kb = rss_self_kb();
    long total_kb = pool_rss_kb_total(&d->pool) + (self_kb > 0 ? self_kb : 0);
    json_t *jl = json_array();
    int n = 0;
    for (job *jb = j->list; jl && jb && n < 50; jb = jb->next, n++) {
        json_t *o =
            json_pack("{s:I, s:s, s:i, s:i, s:i, s:i}", "id", (json_int_t)jb->id, "state",
                      job_state_str(jb->state), "done", (int)jb->done, "pending", (int)jb->pending,
                      "in_flight", (int)jb->in_flight, "failed", (int)jb->failed);
        if (o)
            json_array_append_new(jl, o);
    }
    json_t *st = json_pack(
        "{s:i, s:s, s:f, s:s, s:{s:i, s:i, s:i, s:i, s:i}, s:f, s:f, s:f, s:o, s:o, s:o, s:i, "
        "s:i, s:{s:i, s:i}}",
        "pid", (int)getpid(), "version", CRAWLD_VERSION, "uptime_s",
        (double)(long long)((daemon_now_s() - d->started) * 10) / 10, "state",
        d->stopping ? "draining" : "running", "queue", "pending", (int)j->pending, "in_flight",
        (int)j->in_flight, "done", (int)j->done, "failed", (int)j->failed, "quarantined",
        (int)d->pool.quarantined, "pages_per_s", pool_pages_per_s(&d->pool), "rss_mb_total",
        (double)(total_kb * 10 / 1024) / 10, "rss_mb", (double)(self_kb * 10 / 1024) / 10,
        "recycles", pool_recycles_json(&d->pool), "workers", pool_workers_json(&d->pool), "jobs",
        jl, "workers_configured", d->cfg.workers, "spawned", (int)d->pool.spawned, "control",
        "clients", d->ctl.nclients, "refused", (int)d->ctl.refused);
    if (st) { /* loop turns that waited for results to gather (coalesce_us) */
        json_object_set_new(st, "coalesced", json_integer((json_int_t)d->pool.coalesced));
        /* hosts whose delay is raised because they refused pages (429, 503, …) */
        json_object_set_new(st, "hosts_backing_off",
                            json_integer((json_int_t)politeness_backing_off(&j->pol)));
        /* of rss_mb, the state database's page cache: bounded, it fills as
         * the frontier grows (an operator tells it from a leak by this) */
        long long cb = store_cache_bytes(j->st);
        json_object_set_new(st, "db_cache_mb",
                            json_real(cb < 0 ? -1.0 : (double)(cb * 10 / (1 << 20)) / 10));
    }
    if (st && d->api_on) /* the HTTP API's counts (docs/daemon.md, The HTTP API) */
        json_object_set_new(st, "api",
                            json_pack("{s:I, s:I, s:I, s:i}", "requests",
                                      (json_int_t)d->api.requests, "unauthorized",
                                      (json_int_t)d->api.unauthorized, "refused",
                                      (json_int_t)d->api.refused, "connections", d->api.nconn));
    return st;
}

/* The request's options are checked by the table (jobopts_from_json); what
 * needs the jobs (URLs, the output directory) by jobs_submit. */
static json_t *cmd_submit(daemon_ctx *d, json_t *req)
{
    if (d->stopping)
        return control_error("daemon is draining; not taking jobs");
    jobopts jo;
    const json_t *urls;
    char err[320];
    if (jobopts_from_json(req, &jo, &urls, err, sizeof(err)) < 0)
        return control_error("submit: %s", err);
    size_t n = json_array_size(urls);
    const char **list = alloc_zeroed(n * sizeof(char *));
    if (!list)
        return control_error("out of memory");
    for (size_t i = 0; i < n; i++)
        list[i] = json_string_value(json_array_get(urls, i));
    jobs_submit_opts o = {.js = jo.js == JOBOPT_FROM_CONFIG ? d->cfg.js_default : jo.js,
                          .depth = jo.depth,
                          .max_pages = jo.max_pages,
                          .delay_ms = jo.delay_ms,
                          .obey_robots = jo.obey_robots,
                          .scope = jo.scope,
                          .name = jo.name,
                          .output = jo.output,
                          .warc = jo.warc,
                          .exclude = jo.exclude,
                          .include = jo.include,
                          .canonical = jo.canonical,
                          .priority = jo.priority,
                          .sitemaps = jo.sitemaps,
                          .header = jo.header,
                          .user = jo.user,
                          .bearer = jo.bearer,
                          .proxy = jo.proxy,
                          .cookies = jo.cookies,
                          .since = jo.since,
                          .extract = jo.extract};
    if (jo.every) { /* recrawl schedules: the period, at least min_every_s */
        long long secs = 0;
        if (jobopts_duration_s(jo.every, &secs) < 0 || secs < d->cfg.min_every_s) {
            alloc_free(list, n * sizeof(char *));
            return control_error("submit: \"every\" (--every): %s is under the minimum of %ds "
                                 "(min_every_s)",
                                 jo.every, d->cfg.min_every_s);
        }
        o.every_s = secs;
    }
    if (jo.save && jobopts_save_mask(jo.save, &o.save, err, sizeof(err)) < 0) {
        alloc_free(list, n * sizeof(char *)); /* checked by the table already */
        return control_error("submit: %s", err);
    }
    json_t *reply = NULL;
    job *jb = jobs_submit(&d->jobs, list, n, &o, err, sizeof(err));
    if (!jb) {
        reply = control_error("submit: %s", err);
        goto out;
    }
    log_info("crawld", "job submitted",
             "job=%lld seeds=%ld js=%d scope=\"%s\" depth=%d "
             "max_pages=%d robots=%d delay_ms=%d warc=%d excludes=%zu includes=%zu canonical=%d "
             "priority=%d sitemaps=%d headers=%zu auth=%s proxy=%d",
             jb->id, jb->pending, jb->js, jb->scope_spec, jb->depth, jb->max_pages, jb->obey_robots,
             jb->delay_ms, jb->warc, json_array_size(jb->exclude), json_array_size(jb->include),
             jb->canonical, jb->priority, jb->sitemaps, json_array_size(jo.header),
             jb->sess.user     ? "basic"
             : jb->sess.bearer ? "bearer"
                               : "none",
             jb->sess.proxy != NULL);
    reply = json_pack("{s:b, s:I, s:i, s:s}", "ok", 1, "job", (json_int_t)jb->id, "pages",
                      (int)jb->pending, "output", jb->out_path);
    if (reply && jb->warc)
        json_object_set_new(reply, "warc_output", json_string(jb->warc_path));
    if (reply && jb->save)
        json_object_set_new(reply, "content_output", json_string(jb->content_path));
    pool_dispatch(&d->pool);
out:
    alloc_free(list, n * sizeof(char *));
    return reply;
}

/* {"ok":true,"metrics":TEXT}: the Prometheus text exposition (metrics.h). */
static json_t *cmd_metrics(daemon_ctx *d)
{
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    double up = daemon_now_s() - d->started;
    exposition_daemon md = {.version = CRAWLD_VERSION,
                            .start_time_s = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9 - up,
                            .uptime_s = up,
                            .rss_kb = rss_self_kb(),
                            .draining = d->stopping,
                            .workers_configured = d->cfg.workers,
                            .control_clients = d->ctl.nclients,
                            .control_accepted = d->ctl.accepted,
                            .control_refused = d->ctl.refused};
    metrics_buf b;
    metrics_buf_init(&b);
    json_t *reply = exposition_render(&b, &md, &d->pool, &d->jobs) < 0
                        ? control_error("metrics: out of memory")
                        : json_pack("{s:b, s:s%}", "ok", 1, "metrics", b.s, b.len);
    metrics_buf_release(&b);
    return reply;
}

/* ---- pages: a job's committed records (docs/daemon.md, Following a job) ---- */

#define PAGES_DEFAULT_BYTES (1024 * 1024)
/* The bound of max_bytes: escaped in the reply, under CONTROL_MAX_PENDING_OUT. */
#define PAGES_MAX_BYTES (2 * 1024 * 1024)
/* A single record longer than max_bytes still comes whole, up to this: at
 * worst twice as long escaped, its reply stays under CONTROL_MAX_PENDING_OUT. */
#define PAGES_MAX_RECORD (3 * 1024 * 1024)

/* The arguments of pages and content: {"id","from","max_bytes","wait_ms"}
 * and no other field. NULL when they are good (a filled), else the error
 * reply naming the field. */
typedef struct stream_args {
    long long id, from;
    size_t max;
    json_t *wait;     /* borrowed; NULL: none */
    const char *node; /* pages in a cluster: that node's file; NULL: this node's */
} stream_args;

static json_t *stream_args_read(json_t *req, const char *cmd, size_t dflt, int most, stream_args *a)
{
    static const char *const known[] = {"cmd", "id", "from", "max_bytes", "wait_ms", "node"};
    const char *key;
    json_t *val;
    json_object_foreach(req, key, val)
    {
        size_t k = 0;
        while (k < sizeof(known) / sizeof(known[0]) && strcmp(key, known[k]) != 0)
            k++;
        if (k == sizeof(known) / sizeof(known[0]))
            return control_error("%s: unknown field \"%.60s\" (known: id, from, max_bytes, "
                                 "wait_ms, node)",
                                 cmd, key);
    }
    json_t *nd = json_object_get(req, "node");
    a->node = json_string_value(nd);
    if (nd &&
        (!a->node || !a->node[0] || strlen(a->node) > 32 ||
         strspn(a->node, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
             strlen(a->node)))
        return control_error("%s: \"node\" must be a node_id (1 to 32 of A-Z a-z 0-9 _ -)", cmd);
    if (nd && strcmp(cmd, "pages") != 0)
        return control_error("%s: \"node\" is for pages only", cmd);
    int ok;
    a->id = req_id(req, "id", &ok);
    if (!ok)
        return control_error("%s: \"id\" must be a positive integer", cmd);
    json_t *f = json_object_get(req, "from");
    if (f && (!json_is_integer(f) || json_integer_value(f) < 0))
        return control_error("%s: \"from\" must be a byte offset: 0 or a \"next\" a reply gave",
                             cmd);
    a->from = f ? (long long)json_integer_value(f) : 0;
    json_t *m = json_object_get(req, "max_bytes");
    if (m && (!json_is_integer(m) || json_integer_value(m) < 1 || json_integer_value(m) > most))
        return control_error("%s: \"max_bytes\" must be an integer of 1..%d", cmd, most);
    a->max = m ? (size_t)json_integer_value(m) : dflt;
    a->wait = json_object_get(req, "wait_ms");
    if (a->wait && (!json_is_integer(a->wait) || json_integer_value(a->wait) < 0 ||
                    json_integer_value(a->wait) > CONTROL_MAX_WAIT_MS))
        return control_error("%s: \"wait_ms\" must be an integer of 0..%d", cmd,
                             CONTROL_MAX_WAIT_MS);
    return NULL;
}

/* {"cmd":"pages","id":N,"from":F,"max_bytes":B,"wait_ms":W} ->
 * {"ok":true,"id":N,"from":F,"next":NX,"data":LINES,"ended":BOOL}: whole
 * lines of pages.jsonl from F, only committed ones. With wait_ms and nothing
 * new it parks until a commit, the job's end or wait_ms. */
static json_t *cmd_pages(daemon_ctx *d, json_t *req)
{
    stream_args a;
    json_t *bad = stream_args_read(req, "pages", PAGES_DEFAULT_BYTES, PAGES_MAX_BYTES, &a);
    if (bad)
        return bad;
    long long id = a.id, from = a.from;
    size_t max = a.max;
    json_t *w = a.wait;
    job *jb = jobs_find_any(&d->jobs, id);
    if (!jb)
        return control_error("pages: no job %lld", id);
    long long end = jobs_pages_committed(jb);
    char path[600] = "", err[700];
    if (a.node && jobs_cluster_node_pages(&d->jobs, jb, a.node, path, sizeof(path), &end, err,
                                          sizeof(err)) < 0)
        return control_error("pages: job %lld: %s", id, err);
    if (from > end)
        return control_error("pages: \"from\" %lld is past job %lld's committed end (%lld)", from,
                             id, end);
    /* A long poll: nothing new yet (cheap: asked again every loop turn). */
    if (w && json_integer_value(w) > 0 && from == end && !jobs_pages_ended(jb))
        return CONTROL_PARK;
    char *buf;
    size_t len, cap;
    int rc = a.node ? jobs_pages_read_file(path, end, from, max, &buf, &len, &cap, err, sizeof(err))
                    : jobs_pages_read(jb, from, max, &buf, &len, &cap, err, sizeof(err));
    if (rc == -2)
        return control_error("pages: %s", err);
    if (rc < 0)
        return control_error("pages: job %lld: %s", id, err);
    if (len > PAGES_MAX_RECORD) { /* one record alone: len > max_bytes */
        alloc_free(buf, cap);
        return control_error("pages: job %lld: the record at byte %lld is %zu bytes, more than a "
                             "reply carries (%d); read it from pages.jsonl",
                             id, from, len, PAGES_MAX_RECORD);
    }
    long long next = from + (long long)len;
    json_t *data = json_stringn(buf ? buf : "", len);
    alloc_free(buf, cap);
    if (!data)
        return control_error("pages: job %lld: its records from %lld are not valid UTF-8", id,
                             from);
    return json_pack("{s:b, s:I, s:I, s:I, s:o, s:b}", "ok", 1, "id", (json_int_t)id, "from",
                     (json_int_t)from, "next", (json_int_t)next, "data", data, "ended",
                     jobs_pages_ended(jb) && next == end);
}

/* Bytes of content.jsonl.zst a reply carries at most (base64: 4/3 of it). */
#define CONTENT_DEFAULT_BYTES (1024 * 1024)
#define CONTENT_MAX_BYTES (2 * 1024 * 1024)

/* {"cmd":"content","id":N,"from":F,"max_bytes":B,"wait_ms":W} ->
 * {"ok":true,"id":N,"from":F,"next":NX,"data":BASE64,"ended":BOOL}: the
 * committed bytes of the job's content.jsonl.zst (zstd frames, --save) from
 * F, base64 (RFC 4648) because they are binary; the HTTP route sends them
 * as they are. Parks like pages. docs/daemon.md, "Content". */
static json_t *cmd_content(daemon_ctx *d, json_t *req)
{
    stream_args a;
    json_t *bad = stream_args_read(req, "content", CONTENT_DEFAULT_BYTES, CONTENT_MAX_BYTES, &a);
    if (bad)
        return bad;
    long long id = a.id, from = a.from;
    size_t max = a.max;
    json_t *w = a.wait;
    job *jb = jobs_find_any(&d->jobs, id);
    if (!jb)
        return control_error("content: no job %lld", id);
    long long end = jobs_content_committed(jb);
    if (end >= 0 && from == end && w && json_integer_value(w) > 0 && !jobs_pages_ended(jb))
        return CONTROL_PARK;
    char *buf;
    size_t len, cap;
    char err[700];
    if (jobs_content_read(jb, from, max, &buf, &len, &cap, err, sizeof(err)) < 0)
        return control_error("content: job %lld: %s", id, err);
    size_t blen = 4 * ((len + 2) / 3);
    char *b64 = alloc_new(blen + 1);
    if (!b64) {
        alloc_free(buf, cap);
        return control_error("content: out of memory");
    }
    int n = len ? EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)buf, (int)len) : 0;
    alloc_free(buf, cap);
    json_t *data = json_stringn(b64, (size_t)n);
    alloc_free(b64, blen + 1);
    long long next = from + (long long)len;
    return json_pack("{s:b, s:I, s:I, s:I, s:o, s:b}", "ok", 1, "id", (json_int_t)id, "from",
                     (json_int_t)from, "next", (json_int_t)next, "data", data, "ended",
                     jobs_pages_ended(jb) && next == end);
}

json_t *command_handle(void *ud, json_t *req)
{
    daemon_ctx *d = ud;
    const char *cmd = json_string_value(json_object_get(req, "cmd"));
    int ok;
    if (strcmp(cmd, "status") == 0 && json_is_true(json_object_get(req, "cluster"))) {
        char err[400];
        json_t *cl = jobs_cluster_status(&d->jobs, err, sizeof(err));
        if (!cl)
            return control_error("status --cluster: %s", err);
        return json_pack("{s:b, s:o}", "ok", 1, "cluster", cl);
    }
    if (strcmp(cmd, "status") == 0) {
        json_t *st = status_json(d);
        return st ? json_pack("{s:b, s:o}", "ok", 1, "status", st) : NULL;
    }
    if (strcmp(cmd, "submit") == 0)
        return cmd_submit(d, req);
    if (strcmp(cmd, "jobs") == 0) {
        json_t *a = json_array();
        for (job *jb = d->jobs.list; a && jb; jb = jb->next)
            json_array_append_new(a, job_json(jb));
        return a ? json_pack("{s:b, s:o}", "ok", 1, "jobs", a) : NULL;
    }
    if (strcmp(cmd, "job") == 0 || strcmp(cmd, "cancel") == 0 || strcmp(cmd, "pause") == 0 ||
        strcmp(cmd, "resume") == 0) {
        long long id = req_id(req, "id", &ok);
        if (!ok)
            return control_error("%s: \"id\" must be a positive integer", cmd);
        job *jb = jobs_find_any(&d->jobs, id);
        if (!jb)
            return control_error("%s: no job %lld", cmd, id);
        json_t *w = json_object_get(req, "wait_ms");
        if (w && (strcmp(cmd, "job") != 0 || !json_is_integer(w) || json_integer_value(w) < 0 ||
                  json_integer_value(w) > CONTROL_MAX_WAIT_MS))
            return control_error("%s: \"wait_ms\" must be an integer of 0..%d (job only)", cmd,
                                 CONTROL_MAX_WAIT_MS);
        /* A long poll: the answer comes when the job ends (or wait_ms passes). */
        if (w && json_integer_value(w) > 0 && (jb->state == JOB_RUNNING || jb->state == JOB_PAUSED))
            return CONTROL_PARK;
        if (strcmp(cmd, "cancel") == 0) {
            /* a finished run waiting for the next: its schedule stops */
            if (jobs_next_run(jb) > 0) {
                if (jobs_unschedule(&d->jobs, jb) < 0)
                    return control_error("cancel: job %lld: state database: %s", id,
                                         store_errmsg(d->jobs.st));
                log_info("crawld", "schedule stopped", "job=%lld", id);
            } else if (jobs_cancel(&d->jobs, jb) < 0)
                return control_error("cancel: job %lld is already %s", id,
                                     job_state_str(jb->state));
            log_info("crawld", "job cancelled", "job=%lld in_flight=%ld", id, jb->in_flight);
        } else if (strcmp(cmd, "pause") == 0 || strcmp(cmd, "resume") == 0) {
            int pause = cmd[0] == 'p';
            if (jobs_pause(&d->jobs, jb, pause) < 0)
                return control_error("%s: job %lld is %s", cmd, id, job_state_str(jb->state));
            if (!pause)
                pool_dispatch(&d->pool);
        }
        json_t *o = job_json(jb);
        if (o) /* the jar's size, never its contents (docs/daemon.md, Cookies) */
            json_object_set_new(o, "cookies", json_integer(jobs_cookie_count(&d->jobs, jb)));
        json_t *nodes = o && d->jobs.cl ? jobs_cluster_job_nodes(&d->jobs, jb) : NULL;
        if (nodes) /* in a cluster: each node's committed lengths (crawlctl export) */
            json_object_set_new(o, "nodes", nodes);
        return o ? json_pack("{s:b, s:o}", "ok", 1, "job", o) : NULL;
    }
    if (strcmp(cmd, "recycle") == 0) {
        json_t *w = json_object_get(req, "worker");
        int slot = -1;
        if (w && !json_is_null(w)) {
            if (!json_is_integer(w) || json_integer_value(w) < 0)
                return control_error("recycle: \"worker\" must be a worker id (0..%d)",
                                     d->cfg.workers - 1);
            slot = (int)json_integer_value(w);
        }
        int n = pool_recycle(&d->pool, slot);
        if (n < 0)
            return control_error("recycle: no worker %d (ids are 0..%d)", slot, d->cfg.workers - 1);
        log_info("crawld", "recycle asked", "worker=%d asked=%d", slot, n);
        return json_pack("{s:b, s:i}", "ok", 1, "asked", n);
    }
    if (strcmp(cmd, "drain") == 0 || strcmp(cmd, "shutdown") == 0) {
        int drain = cmd[0] == 'd';
        daemon_stop_soon(d, drain ? d->cfg.grace_ms : 0,
                         drain ? "drain" : "shutdown"); /* static: cmd dies with the request */
        return json_pack("{s:b, s:s}", "ok", 1, "state", "draining");
    }
    if (strcmp(cmd, "metrics") == 0)
        return cmd_metrics(d);
    if (strcmp(cmd, "reload") == 0)
        return daemon_reload(d, "crawlctl");
    if (strcmp(cmd, "pages") == 0)
        return cmd_pages(d, req);
    if (strcmp(cmd, "content") == 0)
        return cmd_content(d, req);
    return control_error("unknown command \"%.60s\"", cmd);
}
