/* jobs — the in-memory job list until the frontier (issue 5) replaces it:
 * each job is a FIFO of normalised URLs (no link following), its counters,
 * and its output file OUTPUT_DIR/JOB_ID/pages.jsonl, written one JSON line
 * per page, exactly once per page.
 *
 * A page is a jobs_page owned by the job's queue while pending; jobs_next
 * hands it to the caller (in flight), who gives it back exactly once with
 * jobs_page_done (a record was made) or jobs_page_failed (the worker died:
 * requeued, or quarantined at max_attempts). Everything lives in the process
 * allocator; jobs_free releases every job and page still held. */
#ifndef CRAWLD_JOBS_H
#define CRAWLD_JOBS_H

#include <jansson.h>
#include <stddef.h>

typedef struct jobs_page {
    struct jobs_page *next;
    long long job_id;
    char *url;     /* normalised (alloc_strdup) */
    int depth;
    int attempts;  /* times handed to a worker, this one included */
    char last_error[96];
} jobs_page;

typedef enum job_state {
    JOB_RUNNING,   /* pages pending or in flight */
    JOB_PAUSED,    /* pages kept, none dispatched */
    JOB_DONE,      /* every page has its record */
    JOB_CANCELLED, /* pending pages dropped by cancel */
    JOB_FAILED     /* its output could not be written */
} job_state;

typedef struct job {
    struct job *next; /* newer jobs first */
    long long id;
    job_state state;
    char name[64];
    int js;
    int depth, max_pages;
    char scope[64];
    double created; /* unix seconds */
    double ended;   /* 0 while running */
    jobs_page *head, *tail; /* pending pages */
    long pending, in_flight, done, failed, quarantined;
    int out_fd; /* pages.jsonl, O_APPEND; -1 when closed */
    char out_path[512];
    char error[700]; /* why FAILED */
} job;

typedef struct jobs {
    job *list; /* newest first */
    long long next_id;
    char output_dir[256];
    long pending, in_flight, done, failed; /* over all jobs */
    long long pages_total;                 /* records written, all time */
} jobs;

typedef struct jobs_submit_opts {
    int js;
    int depth, max_pages;
    const char *scope; /* stored, not enforced until issue 5 */
    const char *name;  /* may be NULL */
} jobs_submit_opts;

void jobs_init(jobs *j, const char *output_dir);
void jobs_free(jobs *j);

/* Normalises every URL (all or nothing), creates OUTPUT_DIR/ID/pages.jsonl
 * and queues the pages. Returns the new job or NULL with a message in err
 * naming the bad URL or the file that could not be made. */
job *jobs_submit(jobs *j, const char *const *urls, size_t n, const jobs_submit_opts *o, char *err,
                 size_t errlen);

job *jobs_find(jobs *j, long long id);
/* The next page to dispatch (oldest running job first), or NULL. The page is
 * in flight until handed back. */
jobs_page *jobs_next(jobs *j);
int jobs_has_pending(const jobs *j);

/* The worker answered: record is the worker's page object (borrowed; the
 * function adds "parent" and "attempts" and writes it). Frees p. */
void jobs_page_done(jobs *j, jobs_page *p, json_t *record);
/* The worker died or was killed with p in flight, for reason ("worker
 * killed: rss_hard …"). Requeued at the front of its job when attempts <
 * max_attempts; else quarantined: a record with "error":"quarantined: …"
 * is written. Returns 1 when quarantined, 0 when requeued. Frees or keeps p. */
int jobs_page_failed(jobs *j, jobs_page *p, const char *reason, int max_attempts);

/* Drops pending pages; pages in flight still get their record. 0, or -1
 * when the job is not running/paused. */
int jobs_cancel(jobs *j, job *jb);
int jobs_pause(jobs *j, job *jb, int pause);

const char *job_state_str(job_state s);
/* {"id","name","state","pending","in_flight","done","failed","quarantined",
 *  "created","ended","output"}: a new reference. */
json_t *job_json(const job *jb);

#endif
