/* jobs — crawl jobs and the scheduler between the frontier (store.h) and
 * the pool: which page goes to the next idle worker (jobs_next) and what
 * becomes of what comes back (jobs_page_done, jobs_page_failed).
 * The caller owns the jobs struct; it owns every job, page, file and timer
 * in it, and its numbers leave through job_json and jobs_metrics.
 * Invariants: a page given out is handed back exactly once (done, failed or
 * unstarted); after any crash and restart every page of a job is in its
 * pages.jsonl (and crawl.warc.gz) exactly once. Files: jobs.c, sched.c,
 * results.c, output.c, batch.c sharing jobs_int.h; the design is
 * docs/daemon.md. */
#ifndef CRAWLD_JOBS_H
#define CRAWLD_JOBS_H

#include "backoff.h"
#include "config.h"
#include "wire.h"
#include "metrics.h"
#include "politeness.h"
#include "scope.h"
#include "store.h"

#include <jansson.h>
#include <stddef.h>
#include <uv.h>

#define JOBS_CACHE_ROWS 256             /* pending rows a job holds in memory (job.cache) */
#define JOBS_FREED_HOSTS 32             /* hosts a job remembers as just freed (job.freed) */
#define JOBS_GROUP_PAGES 256            /* results per commit at most */
#define JOBS_GROUP_MS 50                /* a result waits at most this long for its commit */
#define JOBS_GROUP_WARC_BYTES (8 << 20) /* WARC bytes a job buffers before a commit */
#define JOBS_RETRY_MS 3000         /* a held job's output and the database are tried this often */
#define JOBS_PROBE_MIN (64 * 1024) /* bytes a held job's file must take before it resumes */
#define ROBOTS_RAW_BODY (500 * 1024)
#define ROBOTS_MAX_REDIRECTS 5
/* Sitemaps (docs/daemon.md, Sitemaps): a frontier row whose sitemap kind
 * (store_row.sitemap) is one of wire.h's WIRE_SITEMAP_* is a sitemap task. */
#define JOBS_SITEMAP_MAX_FILES 1000        /* sitemap files one job reads at most */
#define JOBS_SITEMAP_MAX_BODY (50LL << 20) /* the protocol's 50 MB, decoded */

typedef enum jobs_page_kind {
    JOBS_PAGE,  /* a frontier row: the worker renders it */
    JOBS_ROBOTS /* robots.txt of a host: raw fetch */
} jobs_page_kind;

typedef struct jobs_page {
    struct jobs_page *next; /* in the in-flight list */
    jobs_page_kind kind;
    long long job_id;
    long long row_id; /* frontier row (JOBS_PAGE) */
    char *url;        /* normalised (alloc_strdup) */
    char *parent;     /* NULL for seeds */
    char *origin;     /* scheme://host[:port] */
    int depth;
    int attempts; /* times handed to a worker, this one included */
    int js;
    int no_js;          /* the row runs without JS from now on (store_row.no_js) */
    int raw_body;       /* robots: body cap for the worker, else 0 */
    int max_redirects;  /* robots: 5, else 0 (the worker's default) */
    int warc;           /* the worker builds the page's WARC records */
    int sitemap;        /* a sitemap task of this kind (WIRE_SITEMAP_*), else 0 */
    long long max_body; /* the fetch's cap, 0: the worker's */
    /* recrawls: the earlier capture (store_capture_get), NULL: none */
    char *etag, *last_modified, *ref_date;
    /* The job's session (job_session, owned by the job, which outlives
     * its pages); auth: the page is on the seeds' origin, so the task
     * carries the job's credentials. */
    const struct job_session *sess;
    int auth;
    const char *extract; /* --extract specs joined by '\n' (the job's extract_lines), or NULL */
    int jar;             /* a page: the worker runs it with the job's cookie jar */
    char *cookies;       /* jar: the job's cookies for its host (store.h), or NULL */
    char last_error[96];
    int stale;   /* its row was made in a batch that was rolled back: its result is dropped */
    int retries; /* answers the server asked to retry, not recorded (store_row.retries) */
    char *retry_reasons;   /* their reasons, each ended by '\n'; NULL: none */
    int save;              /* --save: the kinds the worker sends (JOBOPT_SAVE_*), 0: none */
    long long lease_epoch; /* cluster mode: the host's lease it was started under */
} jobs_page;

typedef enum job_state {
    JOB_RUNNING,   /* pages pending or in flight */
    JOB_PAUSED,    /* pages kept, none dispatched */
    JOB_DONE,      /* every page has its record */
    JOB_CANCELLED, /* pending pages dropped by cancel */
    JOB_FAILED     /* its output could not be written */
} job_state;

/* A job's request session (docs/daemon.md, Sessions): alloc_strdup'd
 * strings, NULL when not given. headers: the --header lines joined by
 * '\n'; auth_origin: the seeds' origin, the one user or bearer go to. */
typedef struct job_session {
    char *headers;
    char *user, *bearer;
    char *proxy;
    char *auth_origin;
} job_session;

typedef struct job {
    struct job *next; /* newer jobs first */
    job_session sess;
    long long id;
    job_state state;
    char name[64];
    int js;
    int depth, max_pages;
    int delay_ms;
    int obey_robots;
    int sitemaps;       /* read the sitemaps of the hosts it crawls */
    long long since;    /* a recrawl of this job (its captures in the store), 0: none */
    long long every_s;  /* --every: the next run starts this long after this one ends; 0: none */
    int successor;      /* a later run of the schedule exists (its since is this job) */
    int unscheduled;    /* its schedule was stopped (cancel of the finished job) */
    int cookie_jar;     /* its jar may hold cookies: its tasks ask the store for theirs */
    long sitemap_files; /* sitemap file rows admitted (JOBS_SITEMAP_MAX_FILES) */
    char scope_spec[512];
    scope *scope;
    json_t *exclude, *include; /* the filter patterns (arrays of strings, owned), or NULL */
    int canonical;             /* --canonical (results.c) */
    int priority;              /* --priority: jobs_next asks higher ones first */
    /* --extract (docs/daemon.md, Fields): the specs (an array, owned) and
     * the same joined by '\n' for the tasks (alloc'd); NULL: none */
    json_t *extract;
    char *extract_lines;
    double created; /* unix seconds */
    double ended;   /* 0 while running */
    long pending, in_flight, done, failed, quarantined;
    /* In a cluster: pending rows on every node, as of the last look
     * (pending above is what this node may start); -1 outside one. */
    long cluster_pending;
    long pages_class[METRICS_CLASS_COUNT]; /* records written since start, by class */
    long rows;                             /* frontier rows counted against max_pages */
    long long committed;                   /* bytes of pages.jsonl covered by a commit */
    long long written;                     /* bytes of pages.jsonl accepted (>= committed); the
                                            * last obuf_len of them are still in obuf */
    int dirty;                             /* written in the open batch: synced before its commit */
    char *obuf;                            /* records of the open batch, written out (one write)
                                            * just before its fdatasync */
    size_t obuf_len, obuf_cap;
    int out_fd;                             /* pages.jsonl, O_APPEND; -1 when closed */
    int warc;                               /* crawl.warc.gz is written too */
    long long warc_committed, warc_written; /* as committed/written, for it */
    char *wbuf;                             /* WARC records of the open batch (gzip members) */
    size_t wbuf_len, wbuf_cap;
    int warc_fd; /* crawl.warc.gz, O_APPEND; -1 when closed or none */
    char out_dir[512];
    char out_path[600];
    char warc_path[600];
    char error[700]; /* why FAILED, or why crawld paused it (held) */
    /* Held: paused by crawld because a commit failed in a way that can pass
     * (disk full, I/O error, database locked); the batch was rolled back and
     * every JOBS_RETRY_MS the files and the database are tried, then the job
     * runs again. A user's pause or resume ends the hold. */
    int held;
    size_t hold_need, hold_wneed; /* bytes of the failed batch per file */
    /* Content (--save; docs/daemon.md, "Content"): content.jsonl.zst, one
     * zstd frame per group commit. cbuf holds the open batch's lines
     * uncompressed (compressed when the batch commits, so a page taken back
     * is only a length); content_written moves only inside batch_commit. */
    int save;                                     /* JOBOPT_SAVE_* kinds; 0: no content file */
    long long content_committed, content_written; /* bytes of content.jsonl.zst */
    char *cbuf;
    size_t cbuf_len, cbuf_cap;
    int content_fd; /* content.jsonl.zst, O_APPEND; -1 when closed or none */
    char content_path[600];
    size_t hold_cneed;
    long tx_finished, tx_done, tx_failed, tx_quarantined; /* this job's results in the open batch */
    /* The first pending rows of the frontier, read once and handed out one
     * by one (job_take): reading a window of rows for every page was a
     * fifth of crawld's CPU. Rows are in (depth, id) order, breadth-first
     * (a host's deep rows never hold back other hosts' shallower ones);
     * taken ones have id 0.
     * cache_complete: no pending row past (cache_end_depth, cache_end_id)
     * when read (cleared by an insert); cache_stale: rows may have gone back
     * to pending below it (requeue, resume, a rolled-back batch, links
     * shallower than cache_end_depth): read again from the start. */
    struct store_row *cache;
    int cache_n;
    long long cache_end_id;
    int cache_end_depth; /* the cache reads breadth-first: (depth, id) of its last row */
    int cache_complete, cache_stale;
    /* Hosts whose page came back (a slot free again), newest last: when no
     * cached row may go and rows lie past the cache, job_take asks the
     * store for these hosts' next rows (one indexed query each), so a free
     * host does not wait for the rows of busy hosts ahead of its own to
     * leave the cache. */
    char *freed[JOBS_FREED_HOSTS];
    int nfreed;
} job;

typedef struct jobs {
    job *list; /* newest first */
    const crawld_config *cfg;
    uv_loop_t *loop;
    store *st;
    politeness pol;
    char output_dir[256];
    char agent[64];    /* robots product token: the user agent up to '/' */
    jobs_page *flight; /* every page in flight */
    long long rr_last; /* id of the job that got the last page */
    uv_timer_t wake;
    uint64_t wake_at; /* 0: not armed */
    void (*on_wake)(void *ud);
    void *wake_ud;
    uv_timer_t group; /* commits the open batch JOBS_GROUP_MS after its first result */
    int tx_open;      /* a write transaction (the batch) is open */
    int flushing;     /* inside a commit or its rollback */
    long tx_pages;    /* results in the open batch */
    long pending, in_flight, done, failed; /* over all jobs */
    long long pages_total;                 /* records written since start */
    long robots_fetches;
    /* Metrics: sums over the records written since start (metrics.h). */
    long long bytes_fetched;
    double fetch_s, parse_s, js_s;
    metrics_hist js_hist; /* js_ms of records with JS on */
    uv_timer_t retry;     /* tries the held jobs' files and the database */
    uv_timer_t schedule;  /* recrawl schedules: starts the runs that are due (jobs_schedule_tick) */
    long long tx_min_row; /* lowest frontier row inserted in the open batch; LLONG_MAX none */
    long refused; /* results for rows not pending (a second record refused); should stay 0 */
    struct jobs_parked *parked; /* rows a look found robots-disallowed, for jobs_settle */
    long rollbacks;             /* batches rolled back since start */
    long long *out_ids;         /* sched.c: the rows out (in flight, parked), hashed per look */
    size_t out_cap;
    /* Back off when a server asks (results.c): retries since start by
     * reason class (backoff_classes), pages whose retries ran out, and the
     * back-off's jitter. */
    long retries[BACKOFF_NCLASSES];
    long retries_gave_up;
    uint64_t rng;
    /* cluster mode (cluster.c, docs/cluster.md); NULL: one node */
    struct jobs_cluster *cl;
    long (*node_rss_kb)(void *ud); /* crawld and its workers, for the heartbeat (wake_ud) */
} jobs;

typedef struct jobs_submit_opts {
    int js;
    int depth, max_pages;
    int delay_ms;                    /* -1: the config's */
    int obey_robots;                 /* -1: the config's */
    const char *scope;               /* NULL: host */
    const char *name;                /* may be NULL */
    const char *output;              /* NULL: OUTPUT_DIR/ID; else a directory under OUTPUT_DIR */
    int warc;                        /* also write crawl.warc.gz */
    const json_t *exclude, *include; /* filter patterns (borrowed); NULL: none */
    int canonical;                   /* follow a page's differing canonical instead */
    int priority;                    /* -100..100; higher goes first */
    int sitemaps;         /* read sitemaps (robots.txt's, /sitemap.xml of the seeds' hosts) */
    const json_t *header; /* --header lines (borrowed); NULL: none */
    const char *user, *bearer, *proxy; /* NULL: none */
    const json_t *cookies; /* --cookies: Netscape lines seeding the jar (borrowed); NULL */
    long long since;       /* recrawl this finished job's pages (recrawl.h); 0: none */
    long long every_s;     /* --every: a schedule of recrawls (jobs_schedule_tick); 0: none */
    int save;              /* --save: JOBOPT_SAVE_* kinds; 0: none */
    const json_t *extract; /* --extract specs (borrowed, checked by jobopts); NULL: none */
} jobs_submit_opts;

/* Opens state_dir/crawld.db, loads every job (cutting each pages.jsonl
 * back to its committed length), arms the wake timer on loop. 0, or -1
 * with err. */
int jobs_init(jobs *j, uv_loop_t *loop, const crawld_config *cfg, char *err, size_t errlen);
/* Commits the open batch, closes the timer handles (before uv_loop_close). */
void jobs_close(jobs *j);
/* Commits the open batch now (fdatasync of the files written in it, then
 * the store group). 0, or -1 when it failed (the jobs that wrote into it failed). */
int jobs_flush(jobs *j);
void jobs_free(jobs *j);

/* Normalises every URL (all or nothing), checks the scope spec and the
 * output directory, creates the job and its seeds (at most max_pages). */
job *jobs_submit(jobs *j, const char *const *urls, size_t n, const jobs_submit_opts *o, char *err,
                 size_t errlen);

job *jobs_find(jobs *j, long long id);
/* Recrawl schedules (--every): starts, once, the next run of every
 * finished (done) job of a schedule whose period has passed since it
 * ended and that has no later run yet: a new job like --since it with the
 * same options. Called every JOBS_SCHEDULE_MS. */
void jobs_schedule_tick(jobs *j);
/* Stops the schedule of a finished job waiting for its next run: kept in
 * the store as the job's error ("unscheduled: ..."). 0, or -1 when it has
 * none waiting or the store failed. */
int jobs_unschedule(jobs *j, job *jb);
/* When the next run of jb's schedule starts (unix s), or 0: none. */
double jobs_next_run(const job *jb);
#define JOBS_SCHEDULE_MS 500
#define JOBS_UNSCHEDULED "unscheduled: the schedule was stopped by cancel"
/* The next page or robots task to dispatch, or NULL. A query: it writes
 * no record and nothing to the store; rows it finds robots-disallowed are
 * parked for jobs_settle, and the wake timer is armed to run it. */
jobs_page *jobs_next(jobs *j);
/* Gives the parked robots-disallowed rows their records (into the open
 * batch); run by the wake timer before it calls on_wake, and by any caller
 * that wants them written before its next jobs_next. How many rows it took
 * off the parking (recorded, or left pending when their job stopped). */
int jobs_settle(jobs *j);

/* The worker answered with r (wire.h): its record line is written as it
 * is, its links (edited in place into strings) followed when the page may
 * be, its WARC records (if any) appended to a WARC job's crawl.warc.gz with
 * the record. Frees p. */
void jobs_page_done(jobs *j, jobs_page *p, frame_result *r);
/* The worker answered an error for p instead of a result (it refused the
 * task): p gets a record with every field (common/record.h), error set,
 * no links, counted failed; when no record can be made it is handed to
 * jobs_page_failed (max_attempts 1). error NULL: "worker: error". Frees p. */
void jobs_page_error(jobs *j, jobs_page *p, const char *error);
/* The worker died with p in flight: requeued when attempts < max_attempts,
 * else quarantined (a record with "error":"quarantined: …"). drop_js: the
 * worker was killed at the hard RSS budget; a page that ran with JS is then
 * requeued to run without it (once, whatever its attempts), and keeps that
 * through its later attempts. Returns 1 when quarantined. Frees p. */
int jobs_page_failed(jobs *j, jobs_page *p, const char *reason, int max_attempts, int drop_js);
/* Hands back a page that was given out but never started (queued behind
 * another page on a worker that left first, or still fetching on a worker
 * that died): it goes back to pending as it was, without counting an
 * attempt. */
void jobs_page_unstarted(jobs *j, jobs_page *p);

int jobs_cancel(jobs *j, job *jb);
int jobs_pause(jobs *j, job *jb, int pause);

const char *job_state_str(job_state s);
/* status --cluster: this node and the live nodes ({"node", "nodes": [{"node",
 * "hosts", "pages", "pages_per_s", "in_flight", "rss_mb", "seen_ms"}]}),
 * or NULL with err (not in a cluster, the database). */
json_t *jobs_cluster_status(jobs *j, char *err, size_t errlen);
/* jobs_find; in a cluster a job this node has not seen yet (submitted on
 * another node since its last look) is read from the database first. */
job *jobs_find_any(jobs *j, long long id);
json_t *job_json(const job *jb);
/* The job's unexpired cookies (its jar's size; never their values), -1. */
long jobs_cookie_count(jobs *j, const job *jb);
/* Writes the jobs' metric families of section s (metrics.h): the queue
 * gauges; jobs by state, each live job's pages and name, pages by status
 * class and the records' sums; the JS-time histogram. */
void jobs_metrics(jobs *j, metrics_buf *b, metrics_section s);

/* ---- following a job's records (crawlctl pages; docs/daemon.md, Following
 * a job) ----
 * Only committed bytes of pages.jsonl are ever read: a commit is never taken
 * back, not by a crash nor a rolled-back batch. */

/* Bytes of pages.jsonl covered by a commit (the store's length, mirrored). */
long long jobs_pages_committed(const job *jb);
/* 1 when no record can commit any more: a final state, nothing in flight,
 * nothing in the open batch. */
int jobs_pages_ended(const job *jb);
/* Whole lines of the job's pages.jsonl from byte from (0, or a byte just
 * past a '\n', at most the committed length) and never past the committed
 * length: as many as fit in max bytes, or the first whole when it alone is
 * longer. *out (process allocator, *cap bytes: alloc_free(*out, *cap)) holds
 * *len bytes; NULL and 0 when nothing is new. 0; -2 with err when from is
 * not a record's start ("\"from\" 12 is not the start of a record ..."); -1
 * with err on a read error. */
int jobs_pages_read(const job *jb, long long from, size_t max, char **out, size_t *len, size_t *cap,
                    char *err, size_t errlen);
/* The same of any pages file whose committed length is end (another
 * node's pages.NODE.jsonl in a shared output directory). */
int jobs_pages_read_file(const char *path, long long end, long long from, size_t max, char **out,
                         size_t *len, size_t *cap, char *err, size_t errlen);
/* In a cluster: node's pages file of the job and its committed length
 * (from the database) into path and *end. 0; -1 with err (not in a
 * cluster, no such node for the job, the database). */
int jobs_cluster_node_pages(jobs *j, const job *jb, const char *node, char *path, size_t cap,
                            long long *end, char *err, size_t errlen);
/* In a cluster: every node that has committed lengths of the job, as
 * [{"node", "committed", "warc_committed", "content_committed"}], by
 * name; NULL outside a cluster or on a database error. */
json_t *jobs_cluster_job_nodes(jobs *j, const job *jb);

/* The committed length of the job's content.jsonl.zst (--save), -1 when
 * the job has none. */
long long jobs_content_committed(const job *jb);
/* Bytes of the job's content.jsonl.zst from byte from (at most its
 * committed length), never past the committed length, at most max: the
 * zstd frames of its commits, cut anywhere (a reader that appends the
 * pieces in order decodes them as one stream). *out as jobs_pages_read's;
 * NULL and 0 when nothing is new. 0, or -1 with err (no content file: the
 * job has no --save; from past the end; a read error). */
int jobs_content_read(const job *jb, long long from, size_t max, char **out, size_t *len,
                      size_t *cap, char *err, size_t errlen);

#endif
