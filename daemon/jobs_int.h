/* jobs_int — what the files of the jobs module share and no one else sees:
 * jobs.c (the job table), job_session.c (what a job keeps of its submit),
 * schedule.c (recrawls), sched.c (which page goes next), results.c (what
 * comes back for it), output.c (a job's files) and batch.c (group commit,
 * hold and retry). Only those files include it; everything else uses
 * jobs.h. The jobs struct and every job, page, file and timer in it stay
 * the module's: these run on the loop's thread, like the public API. */
#ifndef CRAWLD_JOBS_INT_H
#define CRAWLD_JOBS_INT_H

#include "jobs.h"
#include "recrawl.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <uv.h>

static inline double jobs_now_unix(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline uint64_t jobs_now_ms(jobs *j) { return uv_now(j->loop); }

static inline int job_active(const job *jb)
{
    return jb->state == JOB_RUNNING || jb->state == JOB_PAUSED;
}

/* jobs.c: the job table */
void jobs_page_free(jobs_page *p);
/* Stops the job with a failure (fmt has one %s: detail); the open batch is
 * committed first. */
void job_fail(jobs *j, job *jb, const char *fmt, const char *detail);
/* Ends the job (done) when nothing is pending or in flight. */
void job_maybe_end(jobs *j, job *jb);

/* store_host_backoff_foreach callback (ud: jobs): a host's kept back-off
 * restored (at start; in a cluster, a host this node claims). */
int jobs_host_backoff_restore(void *ud, const store_host_backoff *hb);
/* A job another node submitted, loaded as at start (cluster.c). 0/-1. */
int jobs_load_one(jobs *j, const store_job *r);
/* store_jobs_foreach callback (ud: jobs): a job's committed lengths from
 * the store, and its files cut back to them (cluster.c, after a reconnect). */
int jobs_offsets_reread(void *ud, const store_job *r);
void job_close_output(jobs *j, job *jb);

/* cluster.c: a node of a cluster (docs/cluster.md); each a no-op, or
 * "yes", when j->cl is NULL */
typedef struct jobs_cluster jobs_cluster;
/* Joins the cluster when [cluster] database is set (after store_open,
 * before the jobs load); its timer starts with the loop. 0, -1 with err. */
int cluster_start(jobs *j, char *err, size_t errlen);
void cluster_stop(jobs *j); /* gives the idle leases back, closes the timer */
void cluster_free(jobs *j);
/* The epoch of this node's lease of host when a page may start under it
 * now (it outlives the page deadline), else 0; 1 outside a cluster. */
long long cluster_may_start(jobs *j, const char *host);
/* The epoch of this node's lease of host now, 0 none (1 outside a cluster). */
long long cluster_lease_epoch(jobs *j, const char *host);
/* Whether the page's lease is still this node's (its result may count). */
int cluster_page_valid(jobs *j, const jobs_page *p);
/* The open batch's leases: a record's host and the epoch it was made
 * under; given to store_group_commit. */
int cluster_tx_add(jobs *j, const char *host, long long epoch);
const store_lease *cluster_tx_leases(jobs *j, int *n);
void cluster_tx_clear(jobs *j);
/* 1 when the job has pending rows on any node, 0 none (its counts then
 * the cluster's), -1 error. */
int cluster_job_pending(jobs *j, job *jb);

/* job_session.c: what a job keeps of its submit beyond numbers */
void job_session_release(job_session *s);
/* Takes the session options into jb->sess (copies): 0, or -1 with err
 * naming the option. Credentials go to one origin, the seeds': seeds on
 * two origins with --user or --bearer are refused. */
int job_session_take(job *jb, const json_t *header, const char *user, const char *bearer,
                     const char *proxy, const char *const *seeds, size_t nseeds, char *err,
                     size_t errlen);
/* 0 when the session's secrets may be kept in the state directory (it is
 * crawld's own, mode 0700), or -1 with err naming the option. */
int job_session_may_store(const jobs *j, const job_session *s, char *err, size_t errlen);
/* The session into the job's stored options, in clear. */
void job_session_store(const job_session *s, const json_t *header, json_t *opts);
/* The session shown in o, never its secrets. */
void job_session_show(const job_session *s, json_t *o);
void job_extract_release(job *jb);
/* The --extract specs into the job (copies): 0, or -1 with err. */
int job_extract_take(job *jb, const json_t *specs, char *err, size_t errlen);
/* The filter patterns into the job (copies) and its scope: 0, or -1 with
 * err naming the option. */
int job_filters(job *jb, const json_t *exc, const json_t *inc, char *err, size_t errlen);

/* schedule.c: recrawls (--every, --since) */
void schedule_timer_cb(uv_timer_t *t);
/* --since: the earlier job's pages into *set, the new job's seeds into
 * *all (*nall). 0, or -1 with err naming --since. */
int schedule_since_seeds(jobs *j, long long since, int max_pages, const char *const *urls, size_t n,
                         recrawl_set *set, const char ***all, size_t *nall, char *err,
                         size_t errlen);
/* --since: the earlier job's other pages as rows of job id, and their
 * captures for the conditional requests. -1: the store. */
int schedule_since_admit(jobs *j, job *jb, long long id, const recrawl_set *set);

/* sched.c: the scheduler */
typedef struct jobs_parked jobs_parked;
/* Empties the job's row cache (kept allocated). */
void sched_cache_clear(job *jb);
void sched_freed_add(job *jb, const char *host); /* its page came back: a slot free */
/* Drops every parked row unrecorded (pending still: its job reads its
 * rows again); after a rollback, which may have taken the rows. */
void sched_unpark(jobs *j);
void sched_out_free(jobs *j); /* the look's hash of rows out */

/* results.c: results and records */
/* Puts a record crawld made into the batch, as a worker's would be; 1 when
 * accepted. */
int results_commit_json(jobs *j, job *jb, long long row_id, const char *url, int depth,
                        int attempts, json_t *rec, int was_in_flight);
/* The record of a page that was never fetched (common/record.h: every
 * field, these set, the rest empty; a sitemap row of kind sitemap > 0 has
 * "sitemap" too); NULL out of memory. */
json_t *results_synth_record(long long job_id, const char *url, int depth, const char *parent,
                             int js, int attempts, const char *error, int sitemap);

/* output.c: a job's files */
/* Checks an --output directory (strictly under the output root) and makes
 * it; its real path into out. 0, or -1 with err. */
int output_resolve(jobs *j, const char *want, char *out, size_t cap, char *err, size_t errlen);
/* Opens pages.jsonl (and crawl.warc.gz); create: truncate them. */
int output_open(job *jb, int create, char *err, size_t errlen);
/* Writes and fdatasyncs a new crawl.warc.gz's warcinfo record. */
int output_write_warcinfo(jobs *j, job *jb, const char *opts_json, char *err, size_t errlen);
int output_cut_back(job *jb, char *err, size_t errlen);
void output_close_fd(job *jb);
/* "write PATH: strerror (ENAME)" from errno, or "closed". */
void output_write_error(char *e, size_t cap, const char *path, int fd_closed);
int output_obuf_append(job *jb, const char *s, size_t len);
int output_warc_append(job *jb, const char *recs, size_t len);
/* Write the buffered records (pages.jsonl, crawl.warc.gz) out: 0, or -1
 * with errno. */
int output_obuf_write(job *jb);
int output_wbuf_write(job *jb);
/* content.jsonl.zst (--save): opened with the others when jb->save (create:
 * truncated); a page's content object ({"url",…} from the worker) buffered
 * as a line with its record's byte offset in pages.jsonl put first (-1 on
 * OOM or a malformed object); the buffered lines compressed as one zstd
 * frame and written, content_written set past it (0, or -1 with errno);
 * the file cut back to content_committed at load. */
#define OUTPUT_CONTENT_LEVEL 3
int output_content_open(job *jb, int create, char *err, size_t errlen);
int output_content_append(job *jb, long long offset, const char *obj, size_t len);
int output_content_write(job *jb);
int output_content_cut_back(job *jb, char *err, size_t errlen);

/* batch.c: group commit, hold and retry */
/* Opens the batch (a store group) unless one is open. 0, or -1. */
int batch_begin(jobs *j);
/* Commits the open batch (files written and fdatasync'd first, then the
 * group with each job's lengths compare-and-set). 0, or -1 when it failed
 * and was rolled back. */
int batch_commit(jobs *j);
/* Rolls the open batch back and holds culprit (NULL: every job in it). */
void batch_abort(jobs *j, const char *msg, job *culprit);
/* Starts the retry timer unless it runs. */
void batch_retry_arm(jobs *j);

#endif
