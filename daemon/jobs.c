/* jobs — see jobs.h. */
#include "jobs.h"
#include "alloc.h"
#include "url.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_unix(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Job ids continue after the highest numeric directory already in the
 * output root, so a restarted daemon never writes into an old job's file. */
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

void jobs_init(jobs *j, const char *output_dir)
{
    memset(j, 0, sizeof(*j));
    snprintf(j->output_dir, sizeof(j->output_dir), "%s", output_dir);
    j->next_id = highest_job_dir(output_dir) + 1;
}

static void page_free(jobs_page *p)
{
    if (!p)
        return;
    alloc_strfree(p->url);
    ALLOC_FREE(p);
}

static void job_close_output(job *jb)
{
    if (jb->out_fd >= 0)
        close(jb->out_fd);
    jb->out_fd = -1;
}

static void job_drop_pending(jobs *j, job *jb)
{
    jobs_page *p = jb->head, *n;
    for (; p; p = n) {
        n = p->next;
        page_free(p);
    }
    jb->head = jb->tail = NULL;
    j->pending -= jb->pending;
    jb->pending = 0;
}

void jobs_free(jobs *j)
{
    job *jb = j->list, *n;
    for (; jb; jb = n) {
        n = jb->next;
        job_drop_pending(j, jb);
        job_close_output(jb);
        ALLOC_FREE(jb);
    }
    j->list = NULL;
}

const char *job_state_str(job_state s)
{
    switch (s) {
    case JOB_RUNNING: return "running";
    case JOB_PAUSED: return "paused";
    case JOB_DONE: return "done";
    case JOB_CANCELLED: return "cancelled";
    case JOB_FAILED: return "failed";
    }
    return "?";
}

static int job_active(const job *jb) { return jb->state == JOB_RUNNING || jb->state == JOB_PAUSED; }

/* A job ends when nothing is pending or in flight. */
static void job_maybe_end(job *jb)
{
    if (jb->pending == 0 && jb->in_flight == 0) {
        if (job_active(jb))
            jb->state = JOB_DONE;
        if (!jb->ended)
            jb->ended = now_unix();
        job_close_output(jb);
    }
}

/* FNV-1a: the de-dup set of one submit. */
static size_t hash_str(const char *s)
{
    size_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Open addressing, linear probing; 1 when s was already in the set. */
static int seen_add(jobs_page **set, size_t cap, jobs_page *p)
{
    size_t i = hash_str(p->url) & (cap - 1);
    for (; set[i]; i = (i + 1) & (cap - 1))
        if (strcmp(set[i]->url, p->url) == 0)
            return 1;
    set[i] = p;
    return 0;
}

job *jobs_submit(jobs *j, const char *const *urls, size_t n, const jobs_submit_opts *o, char *err,
                 size_t errlen)
{
    job *jb = NULL;
    jobs_page *head = NULL, *tail = NULL;
    size_t count = 0;
    if (n == 0) {
        snprintf(err, errlen, "no URL given");
        return NULL;
    }
    size_t cap = 16;
    while (cap < n * 2)
        cap *= 2;
    jobs_page **set = alloc_zeroed(cap * sizeof(*set));
    if (!set) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        char *norm = NULL;
        url_err ue = url_normalize(NULL, urls[i], &norm);
        if (ue != URL_OK) {
            snprintf(err, errlen, "bad URL \"%.200s\": %s", urls[i], url_err_str(ue));
            goto fail;
        }
        jobs_page *p = ALLOC_NEW(jobs_page);
        if (!p) {
            alloc_strfree(norm);
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        p->url = norm;
        if (seen_add(set, cap, p)) { /* the same page twice in one submit is one page */
            page_free(p);
            continue;
        }
        if (tail)
            tail->next = p;
        else
            head = p;
        tail = p;
        count++;
    }
    jb = ALLOC_NEW(job);
    if (!jb) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    jb->out_fd = -1;
    jb->id = j->next_id;
    char dir[400];
    snprintf(dir, sizeof(dir), "%s/%lld", j->output_dir, jb->id);
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        goto fail;
    }
    snprintf(jb->out_path, sizeof(jb->out_path), "%s/pages.jsonl", dir);
    jb->out_fd = open(jb->out_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (jb->out_fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s", jb->out_path, strerror(errno));
        goto fail;
    }
    j->next_id++;
    jb->state = JOB_RUNNING;
    jb->js = o->js;
    jb->depth = o->depth;
    jb->max_pages = o->max_pages;
    snprintf(jb->scope, sizeof(jb->scope), "%s", o->scope ? o->scope : "host");
    if (o->name)
        snprintf(jb->name, sizeof(jb->name), "%s", o->name);
    jb->created = now_unix();
    for (jobs_page *p = head; p; p = p->next)
        p->job_id = jb->id;
    jb->head = head;
    jb->tail = tail;
    jb->pending = (long)count;
    j->pending += (long)count;
    jb->next = j->list;
    j->list = jb;
    alloc_free(set, cap * sizeof(*set));
    return jb;
fail:
    alloc_free(set, cap * sizeof(*set));
    if (jb) {
        job_close_output(jb);
        ALLOC_FREE(jb);
    }
    for (jobs_page *p = head, *nx; p; p = nx) {
        nx = p->next;
        page_free(p);
    }
    return NULL;
}

job *jobs_find(jobs *j, long long id)
{
    for (job *jb = j->list; jb; jb = jb->next)
        if (jb->id == id)
            return jb;
    return NULL;
}

int jobs_has_pending(const jobs *j)
{
    for (const job *jb = j->list; jb; jb = jb->next)
        if (jb->state == JOB_RUNNING && jb->head)
            return 1;
    return 0;
}

jobs_page *jobs_next(jobs *j)
{
    job *pick = NULL;
    for (job *jb = j->list; jb; jb = jb->next) /* newest first: the last hit is the oldest */
        if (jb->state == JOB_RUNNING && jb->head)
            pick = jb;
    if (!pick)
        return NULL;
    jobs_page *p = pick->head;
    pick->head = p->next;
    if (!pick->head)
        pick->tail = NULL;
    p->next = NULL;
    p->attempts++;
    pick->pending--;
    pick->in_flight++;
    j->pending--;
    j->in_flight++;
    return p;
}

/* Writes one line; a short write is retried, an error fails the job. */
static void job_write_line(jobs *j, job *jb, json_t *rec)
{
    if (jb->out_fd < 0)
        return;
    char *s = json_dumps(rec, JSON_COMPACT | JSON_REAL_PRECISION(10));
    if (!s) {
        snprintf(jb->error, sizeof(jb->error), "out of memory formatting a record");
        jb->state = JOB_FAILED;
        return;
    }
    size_t len = strlen(s);
    json_free_t jfree;
    json_get_alloc_funcs(NULL, &jfree);
    /* One write of line + newline keeps concurrent appenders' lines whole. */
    char *line = alloc_new(len + 1);
    if (line) {
        memcpy(line, s, len);
        line[len] = '\n';
    }
    jfree(s);
    if (!line) {
        snprintf(jb->error, sizeof(jb->error), "out of memory formatting a record");
        jb->state = JOB_FAILED;
        return;
    }
    size_t off = 0;
    while (off < len + 1) {
        ssize_t w = write(jb->out_fd, line + off, len + 1 - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(jb->error, sizeof(jb->error), "write %s: %s", jb->out_path,
                     w < 0 ? strerror(errno) : "short write");
            jb->state = JOB_FAILED;
            break;
        }
        off += (size_t)w;
    }
    alloc_free(line, len + 1);
    j->pages_total++;
}

static void page_leaves_flight(jobs *j, job *jb)
{
    jb->in_flight--;
    j->in_flight--;
}

void jobs_page_done(jobs *j, jobs_page *p, json_t *record)
{
    job *jb = jobs_find(j, p->job_id);
    if (jb) {
        page_leaves_flight(j, jb);
        json_object_del(record, "task_id");
        json_object_set_new(record, "parent", json_null());
        json_object_set_new(record, "attempts", json_integer(p->attempts));
        int failed = json_is_string(json_object_get(record, "error"));
        if (failed) {
            jb->failed++;
            j->failed++;
        } else {
            jb->done++;
            j->done++;
        }
        job_write_line(j, jb, record);
        job_maybe_end(jb);
    }
    page_free(p);
}

static void iso_now(char *buf, size_t cap)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000);
}

int jobs_page_failed(jobs *j, jobs_page *p, const char *reason, int max_attempts)
{
    job *jb = jobs_find(j, p->job_id);
    snprintf(p->last_error, sizeof(p->last_error), "%s", reason);
    if (!jb) {
        page_free(p);
        return 0;
    }
    page_leaves_flight(j, jb);
    if (!job_active(jb)) { /* cancelled meanwhile: the page is dropped */
        page_free(p);
        job_maybe_end(jb);
        return 0;
    }
    if (p->attempts < max_attempts) {
        p->next = jb->head; /* front: it was next in line already */
        jb->head = p;
        if (!jb->tail)
            jb->tail = p;
        jb->pending++;
        j->pending++;
        return 0;
    }
    char ts[64], err[200];
    iso_now(ts, sizeof(ts));
    snprintf(err, sizeof(err), "quarantined: %s (%d attempts)", reason, p->attempts);
    json_t *rec = json_pack("{s:s, s:n, s:i, s:n, s:i, s:n, s:n, s:[], s:b, s:i, s:f, s:f, s:f, "
                            "s:i, s:s, s:s, s:I}",
                            "url", p->url, "final_url", "status", 0, "content_type", "depth",
                            p->depth, "parent", "title", "links", "js", 0, "bytes", 0, "fetch_ms",
                            0.0, "parse_ms", 0.0, "js_ms", 0.0, "attempts", p->attempts, "error",
                            err, "ts", ts, "job_id", (json_int_t)jb->id);
    jb->failed++;
    jb->quarantined++;
    j->failed++;
    if (rec) {
        job_write_line(j, jb, rec);
        json_decref(rec);
    }
    job_maybe_end(jb);
    page_free(p);
    return 1;
}

int jobs_cancel(jobs *j, job *jb)
{
    if (!job_active(jb))
        return -1;
    job_drop_pending(j, jb);
    jb->state = JOB_CANCELLED;
    jb->ended = now_unix();
    if (jb->in_flight == 0)
        job_close_output(jb);
    return 0;
}

int jobs_pause(jobs *j, job *jb, int pause)
{
    (void)j;
    if (!job_active(jb))
        return -1;
    jb->state = pause ? JOB_PAUSED : JOB_RUNNING;
    return 0;
}

json_t *job_json(const job *jb)
{
    json_t *o = json_pack("{s:I, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:b, s:i, s:i, s:s, "
                          "s:s}",
                          "id", (json_int_t)jb->id, "state", job_state_str(jb->state), "pending",
                          (int)jb->pending, "in_flight", (int)jb->in_flight, "done", (int)jb->done,
                          "failed", (int)jb->failed, "quarantined", (int)jb->quarantined,
                          "total", (int)(jb->pending + jb->in_flight + jb->done + jb->failed),
                          "created", jb->created, "js", jb->js, "depth", jb->depth, "max_pages",
                          jb->max_pages, "scope", jb->scope, "output", jb->out_path);
    if (!o)
        return NULL;
    json_object_set_new(o, "name", jb->name[0] ? json_string(jb->name) : json_null());
    json_object_set_new(o, "ended", jb->ended ? json_real(jb->ended) : json_null());
    if (jb->error[0])
        json_object_set_new(o, "error", json_string(jb->error));
    return o;
}
