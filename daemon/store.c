/* store — see store.h. */
#include "store.h"
#include "alloc.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* A writer waits this long for another connection's lock (sqlite's busy
 * handler) before a statement fails with SQLITE_BUSY. */
#define STORE_BUSY_TIMEOUT_MS 5000

enum {
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_JOB_INSERT,
    S_JOB_STATE,
    S_JOB_OFFSETS_INSERT,
    S_JOB_COMMITTED,
    S_JOB_WARC_COMMITTED,
    S_JOB_ALL,
    S_JOB_COUNTS,
    S_JOB_DROP,
    S_FR_ADD,
    S_FR_DELETE,
    S_FR_WINDOW,
    S_FR_FINISH,
    S_FR_REQUEUE,
    S_COUNT
};

static const char *const sql[S_COUNT] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_JOB_INSERT] = "INSERT INTO jobs(name,state,opts,created) VALUES(?1,?2,?3,?4)",
    [S_JOB_STATE] = "UPDATE jobs SET state=?2, ended=?3, error=?4 WHERE id=?1",
    [S_JOB_OFFSETS_INSERT] = "INSERT INTO job_offsets(job_id) VALUES(?1)",
    [S_JOB_COMMITTED] = "UPDATE job_offsets SET committed=?2 WHERE job_id=?1",
    [S_JOB_WARC_COMMITTED] = "UPDATE job_offsets SET warc_committed=?2 WHERE job_id=?1",
    [S_JOB_ALL] = "SELECT j.id,j.name,j.state,j.opts,j.created,j.ended,o.committed,j.error,"
                  "o.warc_committed FROM jobs j JOIN job_offsets o ON o.job_id=j.id ORDER BY j.id",
    [S_JOB_COUNTS] = "SELECT state,count(*) FROM frontier WHERE job_id=?1 GROUP BY state",
    [S_JOB_DROP] = "UPDATE frontier SET state=4 WHERE job_id=?1 AND state=0",
    [S_FR_ADD] = "INSERT OR IGNORE INTO frontier(job_id,uh,url,depth,parent,host,state) "
                 "VALUES(?1,?7,?2,?3,?4,?5,?6)",
    [S_FR_DELETE] = "DELETE FROM frontier WHERE id=?1",
    [S_FR_WINDOW] = "SELECT id,url,parent,host,depth,attempts,not_before,no_js FROM frontier "
                    "WHERE job_id=?1 AND state=0 AND id>?2 ORDER BY id LIMIT ?3",
    [S_FR_FINISH] = "UPDATE frontier SET state=?2, attempts=?3 WHERE id=?1 AND state=0",
    [S_FR_REQUEUE] = "UPDATE frontier SET state=0, attempts=?2, not_before=?3, no_js=?4 WHERE id=?1",
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS jobs("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " name TEXT, state TEXT NOT NULL, opts TEXT NOT NULL,"
    " created REAL NOT NULL, ended REAL,"
    " committed INTEGER NOT NULL DEFAULT 0, error TEXT,"
    " warc_committed INTEGER NOT NULL DEFAULT 0);"
    /* How much of each job's output is committed, updated with every batch:
     * its own small rows, because SQLite rewrites a whole row on UPDATE and a
     * job's opts hold its seeds (a 20,000-seed job rewrote ~1 MB a commit).
     * jobs.committed and jobs.warc_committed are kept for older databases,
     * whose values are copied here once (migrate) and not used after. */
    "CREATE TABLE IF NOT EXISTS job_offsets("
    " job_id INTEGER PRIMARY KEY,"
    " committed INTEGER NOT NULL DEFAULT 0,"
    " warc_committed INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS frontier("
    " id INTEGER PRIMARY KEY,"
    " job_id INTEGER NOT NULL, uh INTEGER NOT NULL, url TEXT NOT NULL,"
    " depth INTEGER NOT NULL,"
    " parent TEXT, host TEXT NOT NULL, state INTEGER NOT NULL DEFAULT 0,"
    " attempts INTEGER NOT NULL DEFAULT 0, not_before INTEGER NOT NULL DEFAULT 0,"
    " no_js INTEGER NOT NULL DEFAULT 0,"
    " UNIQUE(job_id, uh));"
    /* take-next: a job's pending rows in id order. Partial: a page that
     * ends only deletes its entry (the full (job_id, state, id) index this
     * replaces moved it, a delete and an insert per page, and held every
     * row); the index stays as small as the pending set. */
    "DROP INDEX IF EXISTS frontier_take;"
    "CREATE INDEX IF NOT EXISTS frontier_pending ON frontier(job_id, id) WHERE state=0;";

/* URLs known to be in the frontier, as (job, url hash) keys: most links a
 * page has were seen before, and each was an INSERT OR IGNORE probing the
 * unique index (a sixth of crawld's CPU crawling a site). A hit means the row
 * exists (the key is what the UNIQUE constraint compares, so a hit answers
 * exactly as the insert would); a miss asks the database. Two-way, fixed
 * size (SEEN_SLOTS x 8 bytes), so it never grows with the frontier;
 * emptied when a transaction rolls back (its rows are gone). An anonymous
 * mapping, not the allocator: its pages are zero until touched, so a daemon
 * that saw a few URLs holds a few pages of it, not 8 MB (zeroing it on the
 * first submit also cost that submit ~30 ms), and emptying it gives the
 * pages back (MADV_DONTNEED) instead of writing 8 MB of zeros. */
#define SEEN_BITS 20
#define SEEN_SLOTS (1u << SEEN_BITS)

struct store {
    sqlite3 *db;
    sqlite3_stmt *st[S_COUNT];
    uint64_t *seen; /* SEEN_SLOTS keys, 0 = empty; NULL: not allocated */
    long long seen_hits;
};

static uint64_t seen_key(long long job_id, long long uh)
{
    uint64_t k = (uint64_t)uh ^ ((uint64_t)job_id * 0x9e3779b97f4a7c15ULL);
    return k ? k : 1;
}

static int seen_has(store *s, uint64_t k)
{
    if (!s->seen)
        return 0;
    size_t i = (size_t)(k >> (64 - SEEN_BITS));
    return s->seen[i] == k || s->seen[i ^ 1] == k;
}

static void seen_put(store *s, uint64_t k)
{
    if (!s->seen) {
        void *m = mmap(NULL, SEEN_SLOTS * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return; /* no cache: every link asks the database */
        s->seen = m;
    }
    size_t i = (size_t)(k >> (64 - SEEN_BITS));
    if (s->seen[i] == k || s->seen[i ^ 1] == k)
        return;
    if (s->seen[i] == 0)
        s->seen[i] = k;
    else {
        s->seen[i ^ 1] = s->seen[i]; /* the older one moves over (and may go) */
        s->seen[i] = k;
    }
}

static void seen_clear(store *s)
{
    if (s->seen && madvise(s->seen, SEEN_SLOTS * sizeof(uint64_t), MADV_DONTNEED) < 0)
        memset(s->seen, 0, SEEN_SLOTS * sizeof(uint64_t));
}

const char *store_errmsg(store *s) { return s && s->db ? sqlite3_errmsg(s->db) : "no database"; }

void store_close(store *s)
{
    if (!s)
        return;
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db);
    if (s->seen)
        munmap(s->seen, SEEN_SLOTS * sizeof(uint64_t));
    ALLOC_FREE(s);
}

/* Columns added after the first schema; CREATE TABLE IF NOT EXISTS leaves an
 * older database's table as it was, so each is added when missing. */
static const struct {
    const char *table, *column, *ddl;
} added_columns[] = {
    {"jobs", "warc_committed", "ALTER TABLE jobs ADD COLUMN warc_committed INTEGER NOT NULL "
                               "DEFAULT 0"},
    {"frontier", "no_js", "ALTER TABLE frontier ADD COLUMN no_js INTEGER NOT NULL DEFAULT 0"},
};

static int has_column(sqlite3 *db, const char *table, const char *column, int *has)
{
    char q[128];
    snprintf(q, sizeof(q), "PRAGMA table_info(%s)", table);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, q, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    *has = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        if (name && strcmp(name, column) == 0)
            *has = 1;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int migrate(sqlite3 *db, char **msg)
{
    for (size_t i = 0; i < sizeof(added_columns) / sizeof(added_columns[0]); i++) {
        int has = 0;
        int rc = has_column(db, added_columns[i].table, added_columns[i].column, &has);
        if (rc == SQLITE_OK && !has)
            rc = sqlite3_exec(db, added_columns[i].ddl, NULL, NULL, msg);
        if (rc != SQLITE_OK)
            return rc;
    }
    /* A database from before job_offsets: every job gets its row, with the
     * offsets its jobs row held. */
    return sqlite3_exec(db,
                        "INSERT OR IGNORE INTO job_offsets(job_id,committed,warc_committed) "
                        "SELECT id,committed,warc_committed FROM jobs",
                        NULL, NULL, msg);
}

store *store_open(const char *path, char *err, size_t errlen)
{
    store *s = ALLOC_NEW(store);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    char *msg = NULL;
    int rc = sqlite3_open_v2(path, &s->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK)
        goto fail;
    sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
    rc = sqlite3_exec(s->db,
                      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                      "PRAGMA foreign_keys=OFF; PRAGMA cache_size=-32000;"
                      /* checkpoint every ~40 MB of WAL instead of 4 MB: a
                       * 1M-URL frontier inserted at 42,000 URLs/s with the
                       * default, 63,000 with this (bench_frontier) */
                      "PRAGMA wal_autocheckpoint=10000;",
                      NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        goto fail;
    rc = sqlite3_exec(s->db, schema, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        goto fail;
    rc = migrate(s->db, &msg);
    if (rc != SQLITE_OK)
        goto fail;
    rc = sqlite3_exec(s->db, "UPDATE frontier SET state=0 WHERE state=1", NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        goto fail;
    for (int i = 0; i < S_COUNT; i++) {
        rc = sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL);
        if (rc != SQLITE_OK)
            goto fail;
    }
    return s;
fail:
    snprintf(err, errlen, "%s: %s", path, msg ? msg : s->db ? sqlite3_errmsg(s->db) : "open failed");
    sqlite3_free(msg);
    store_close(s);
    return NULL;
}

/* Runs a statement that returns no rows; resets it. */
static int step_done(store *s, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    (void)s;
    return rc == SQLITE_DONE ? 0 : -1;
}

int store_begin(store *s) { return step_done(s, s->st[S_BEGIN]); }

int store_commit(store *s)
{
    if (step_done(s, s->st[S_COMMIT]) == 0)
        return 0;
    store_rollback(s);
    return -1;
}

void store_rollback(store *s)
{
    seen_clear(s); /* rows inserted in the transaction are gone */
    if (!sqlite3_get_autocommit(s->db))
        step_done(s, s->st[S_ROLLBACK]);
}

int store_probe_write(store *s)
{
    sqlite3_busy_timeout(s->db, 0);
    int rc = step_done(s, s->st[S_BEGIN]);
    sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
    if (rc == 0)
        store_rollback(s);
    return rc;
}

int store_job_id_floor(store *s, long long floor)
{
    char q[200];
    snprintf(q, sizeof(q),
             "INSERT INTO sqlite_sequence(name,seq) SELECT 'jobs',%lld WHERE NOT EXISTS"
             "(SELECT 1 FROM sqlite_sequence WHERE name='jobs');"
             "UPDATE sqlite_sequence SET seq=%lld WHERE name='jobs' AND seq<%lld;",
             floor, floor, floor);
    return sqlite3_exec(s->db, q, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

int store_job_insert(store *s, const char *name, const char *state, const char *opts_json,
                     double created, long long *id)
{
    sqlite3_stmt *st = s->st[S_JOB_INSERT];
    bind_text_or_null(st, 1, name);
    sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, opts_json, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 4, created);
    if (step_done(s, st) < 0)
        return -1;
    *id = sqlite3_last_insert_rowid(s->db);
    st = s->st[S_JOB_OFFSETS_INSERT];
    sqlite3_bind_int64(st, 1, *id);
    return step_done(s, st);
}

int store_job_set_state(store *s, long long id, const char *state, double ended,
                        const char *error)
{
    sqlite3_stmt *st = s->st[S_JOB_STATE];
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    if (ended > 0)
        sqlite3_bind_double(st, 3, ended);
    else
        sqlite3_bind_null(st, 3);
    bind_text_or_null(st, 4, error && *error ? error : NULL);
    return step_done(s, st);
}

int store_job_set_committed(store *s, long long id, long long committed)
{
    sqlite3_stmt *st = s->st[S_JOB_COMMITTED];
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, committed);
    return step_done(s, st);
}

int store_job_set_warc_committed(store *s, long long id, long long committed)
{
    sqlite3_stmt *st = s->st[S_JOB_WARC_COMMITTED];
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, committed);
    return step_done(s, st);
}

int store_jobs_foreach(store *s, int (*cb)(void *ud, const store_job *j), void *ud)
{
    sqlite3_stmt *st = s->st[S_JOB_ALL];
    int rc, out = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_job j = {
            .id = sqlite3_column_int64(st, 0),
            .name = (const char *)sqlite3_column_text(st, 1),
            .state = (const char *)sqlite3_column_text(st, 2),
            .opts = (const char *)sqlite3_column_text(st, 3),
            .created = sqlite3_column_double(st, 4),
            .ended = sqlite3_column_double(st, 5),
            .committed = sqlite3_column_int64(st, 6),
            .error = (const char *)sqlite3_column_text(st, 7),
            .warc_committed = sqlite3_column_int64(st, 8),
        };
        if (cb(ud, &j) < 0) {
            out = -1;
            break;
        }
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        out = -1;
    sqlite3_reset(st);
    return out;
}

int store_job_counts(store *s, long long job_id, long counts[ROW_STATE_COUNT])
{
    memset(counts, 0, sizeof(long) * ROW_STATE_COUNT);
    sqlite3_stmt *st = s->st[S_JOB_COUNTS];
    sqlite3_bind_int64(st, 1, job_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int state = sqlite3_column_int(st, 0);
        if (state >= 0 && state < ROW_STATE_COUNT)
            counts[state] = (long)sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int store_job_drop_pending(store *s, long long job_id)
{
    sqlite3_stmt *st = s->st[S_JOB_DROP];
    sqlite3_bind_int64(st, 1, job_id);
    return step_done(s, st);
}

/* The seen set is keyed by a 64-bit hash of the normalised URL, not the
 * text: the unique index stays ~5x smaller (1,000,000 URLs fit the page
 * cache), which is what keeps inserts fast at that size. Two URLs of one
 * job colliding has a probability of about n^2 / 2^65 (3e-8 at 10^6 URLs);
 * the loser would be taken as seen. */
static long long url_hash(const char *u)
{
    unsigned long long h = 1469598103934665603ULL;
    for (; *u; u++)
        h = (h ^ (unsigned char)*u) * 1099511628211ULL;
    h ^= h >> 33; /* finalise (murmur3 fmix64): FNV's low bits mix poorly */
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return (long long)h;
}

int store_frontier_add(store *s, long long job_id, const char *url, int depth,
                       const char *parent, const char *host, store_row_state state,
                       long long *row_id)
{
    long long uh = url_hash(url);
    uint64_t key = seen_key(job_id, uh);
    if (seen_has(s, key)) {
        s->seen_hits++;
        return 0;
    }
    sqlite3_stmt *st = s->st[S_FR_ADD];
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, depth);
    bind_text_or_null(st, 4, parent);
    sqlite3_bind_text(st, 5, host, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, (int)state);
    sqlite3_bind_int64(st, 7, uh);
    if (step_done(s, st) < 0)
        return -1;
    seen_put(s, key); /* inserted or already there: the row exists */
    if (sqlite3_changes(s->db) == 0)
        return 0;
    if (row_id)
        *row_id = sqlite3_last_insert_rowid(s->db);
    return 1;
}

long long store_seen_hits(const store *s) { return s->seen_hits; }

long long store_cache_bytes(store *s)
{
    int cur = 0, hi = 0;
    if (sqlite3_db_status(s->db, SQLITE_DBSTATUS_CACHE_USED, &cur, &hi, 0) != SQLITE_OK)
        return -1;
    return cur;
}

int store_frontier_delete(store *s, long long row_id)
{
    sqlite3_stmt *st = s->st[S_FR_DELETE];
    sqlite3_bind_int64(st, 1, row_id);
    return step_done(s, st);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    return v ? alloc_strdup(v) : NULL;
}

void store_rows_free(store_row *rows, int n)
{
    for (int i = 0; i < n; i++) {
        alloc_strfree(rows[i].url);
        alloc_strfree(rows[i].parent);
        alloc_strfree(rows[i].host);
        memset(&rows[i], 0, sizeof(rows[i]));
    }
}

int store_frontier_window(store *s, long long job_id, long long after_id, int max,
                          store_row *rows)
{
    sqlite3_stmt *st = s->st[S_FR_WINDOW];
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_int64(st, 2, after_id);
    sqlite3_bind_int(st, 3, max);
    int n = 0, rc = SQLITE_DONE;
    while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_row *r = &rows[n];
        r->id = sqlite3_column_int64(st, 0);
        r->url = col_dup(st, 1);
        r->parent = col_dup(st, 2);
        r->host = col_dup(st, 3);
        r->depth = sqlite3_column_int(st, 4);
        r->attempts = sqlite3_column_int(st, 5);
        r->not_before = sqlite3_column_int64(st, 6);
        r->no_js = sqlite3_column_int(st, 7);
        n++;
        if (!r->url || !r->host) {
            rc = SQLITE_NOMEM;
            break;
        }
    }
    if (n < max && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        sqlite3_reset(st);
        store_rows_free(rows, n);
        return -1;
    }
    sqlite3_reset(st);
    return n;
}

int store_frontier_finish(store *s, long long row_id, store_row_state state, int attempts)
{
    sqlite3_stmt *st = s->st[S_FR_FINISH];
    sqlite3_bind_int64(st, 1, row_id);
    sqlite3_bind_int(st, 2, (int)state);
    sqlite3_bind_int(st, 3, attempts);
    if (step_done(s, st) < 0)
        return -1;
    return sqlite3_changes(s->db) == 1 ? 0 : 1;
}

int store_frontier_requeue(store *s, long long row_id, int attempts, long long not_before,
                           int no_js)
{
    sqlite3_stmt *st = s->st[S_FR_REQUEUE];
    sqlite3_bind_int64(st, 1, row_id);
    sqlite3_bind_int(st, 2, attempts);
    sqlite3_bind_int64(st, 3, not_before);
    sqlite3_bind_int(st, 4, no_js);
    return step_done(s, st);
}
