/* store — crawld's SQLite state (WAL) in state_dir/crawld.db: jobs (options,
 * state, counters, how far pages.jsonl and crawl.warc.gz are committed) and the frontier (one
 * row per URL a job ever admitted: depth, parent, state, attempts, host,
 * not-before time). UNIQUE(job_id, uh) — uh a 64-bit hash of the
 * normalised URL — is the job's seen set: a URL is inserted with INSERT OR
 * IGNORE and never twice.
 *
 * Only the supervisor opens the database, after any fork. Statements are
 * prepared once. Writers bracket their work with store_begin (BEGIN
 * IMMEDIATE) / store_commit. Durability: synchronous=NORMAL (WAL). That is
 * enough for exactly-once output: the caller fdatasyncs pages.jsonl before
 * the commit that records its new length, so after a crash (or power loss
 * that drops the last commits) the file is never shorter than the committed
 * offset; recovery cuts it back to that offset and the pages after it are
 * done again. A lost commit costs a refetch, never a duplicate.
 *
 * Rows are never "in flight" in the database: that state lives in the
 * supervisor's memory (it means nothing after a restart), so handing out a
 * page costs no write. store_open still turns any state-1 row into pending. */
#ifndef CRAWLD_STORE_H
#define CRAWLD_STORE_H

#include <stddef.h>

typedef enum store_row_state {
    ROW_PENDING = 0,
    ROW_IN_FLIGHT = 1, /* legacy/unused: reset to pending on open */
    ROW_DONE = 2,      /* record written, no error */
    ROW_FAILED = 3,    /* record written with an error */
    ROW_DROPPED = 4,   /* job cancelled before it was fetched: no record */
    ROW_ALIAS = 5,     /* a redirect's final URL: seen, never fetched, not counted */
    ROW_STATE_COUNT
} store_row_state;

typedef struct store store;

typedef struct store_row {
    long long id;
    char *url;    /* process allocator; store_rows_free */
    char *parent; /* NULL for seeds */
    char *host;   /* scheme://host[:port] */
    int depth;
    int attempts;
    long long not_before; /* unix ms; 0 none */
    int no_js; /* run it without JS: a worker was killed at the hard RSS budget on it */
} store_row;

typedef struct store_job {
    long long id;
    const char *name; /* NULL when none */
    const char *state;
    const char *opts; /* JSON text */
    double created, ended;
    long long committed; /* bytes of pages.jsonl covered by commits */
    long long warc_committed; /* bytes of crawl.warc.gz covered by commits */
    const char *error;   /* NULL when none */
} store_job;

/* Opens (creating) path, sets WAL and the schema (a database made before a
 * column existed gets it with ALTER TABLE … ADD COLUMN), resets
 * ROW_IN_FLIGHT rows to pending. NULL with a message in err. */
store *store_open(const char *path, char *err, size_t errlen);
void store_close(store *s); /* s may be NULL */
const char *store_errmsg(store *s);

int store_begin(store *s);  /* BEGIN IMMEDIATE; 0 or -1 */
int store_commit(store *s); /* 0 or -1 (the transaction is rolled back) */
void store_rollback(store *s);
/* Whether the write lock can be had now (BEGIN IMMEDIATE without waiting,
 * then ROLLBACK): 0, or -1 (store_errmsg says why). Outside a transaction. */
int store_probe_write(store *s);

/* Job ids start above floor (e.g. the highest job directory already on
 * disk), so a new database never reuses an old job's directory. */
int store_job_id_floor(store *s, long long floor);
/* Inserts a job; its id in *id. 0 or -1. */
int store_job_insert(store *s, const char *name, const char *state, const char *opts_json,
                     double created, long long *id);
int store_job_set_state(store *s, long long id, const char *state, double ended,
                        const char *error);
int store_job_set_committed(store *s, long long id, long long committed);
int store_job_set_warc_committed(store *s, long long id, long long committed);
/* Calls cb for every job, oldest first (strings valid during the call). */
int store_jobs_foreach(store *s, int (*cb)(void *ud, const store_job *j), void *ud);
/* Rows of the job per state. */
int store_job_counts(store *s, long long job_id, long counts[ROW_STATE_COUNT]);
/* Every pending row of the job becomes ROW_DROPPED. */
int store_job_drop_pending(store *s, long long job_id);

/* INSERT OR IGNORE: 1 inserted (its id in *row_id when not NULL), 0 already
 * seen, -1 error. */
int store_frontier_add(store *s, long long job_id, const char *url, int depth,
                       const char *parent, const char *host, store_row_state state,
                       long long *row_id);
/* Repeats store_frontier_add answered from its in-memory cache of known
 * (job, URL) keys without asking the database (store.c). */
long long store_seen_hits(const store *s);
/* Heap the database's page cache holds now (it grows with the database up
 * to cache_size, 32 MB, and stays); -1 when SQLite cannot say. */
long long store_cache_bytes(store *s);
int store_frontier_delete(store *s, long long row_id);
/* Up to max pending rows of the job with id > after_id, by id. Returns how
 * many (rows filled; free with store_rows_free), -1 on error. */
int store_frontier_window(store *s, long long job_id, long long after_id, int max,
                          store_row *rows);
void store_rows_free(store_row *rows, int n);
/* Sets a pending row's state and attempts: 0; 1 when the row is not
 * pending (finished already, dropped, or gone), nothing written; -1 on a
 * database error. A row ends once. */
int store_frontier_finish(store *s, long long row_id, store_row_state state, int attempts);
/* Back to pending with attempts, not_before and no_js. */
int store_frontier_requeue(store *s, long long row_id, int attempts, long long not_before,
                           int no_js);

#endif
