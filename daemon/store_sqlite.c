/* store_sqlite — the store's SQLite backend (store_int.h): WAL in one file,
 * statements prepared once, a group is one BEGIN IMMEDIATE … COMMIT.
 * Durability: synchronous=NORMAL (WAL). That is enough for exactly-once
 * output: the caller fdatasyncs its files before the group that CAS-es
 * their new lengths commits, so after a crash (or a power loss that drops
 * the last commits) a file is never shorter than its committed length.
 * Near ~900 lines: one implementation of every store_ops entry, as
 * store_pg.c is. */
#include "store_int.h"
#include "alloc.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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
    S_JOB_CAS,
    S_JOB_ALL,
    S_JOB_COUNTS,
    S_JOB_DROP,
    S_FR_ADD,
    S_FR_DELETE,
    S_FR_WINDOW,
    S_FR_WINDOW_BFS,
    S_FR_WINDOW_DEEPER,
    S_FR_WINDOW_HOST,
    S_FR_FINISH,
    S_FR_REQUEUE,
    S_HOSTS_PENDING,
    S_JOB_SITEMAPS,
    /* recrawls */
    S_CAP_PUT,
    S_CAP_GET,
    S_DIG_PUT,
    S_DIG_GET,
    S_CK_PUT,
    S_CK_DELETE,
    S_CK_EXISTS,
    S_CK_COUNT_JOB,
    S_CK_COUNT_DOMAIN,
    S_CK_HOST,
    S_FR_RETRY,
    S_HB_PUT,
    S_HB_DELETE,
    S_HB_ALL,
    S_CAP_FORGET,
    S_DIG_FORGET,
    S_CK_COPY,
    S_COUNT
};

static const char *const sql[S_COUNT] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_JOB_INSERT] = "INSERT INTO jobs(name,state,opts,created) VALUES(?1,?2,?3,?4)",
    [S_JOB_STATE] = "UPDATE jobs SET state=?2, ended=?3, error=?4 WHERE id=?1",
    [S_JOB_OFFSETS_INSERT] = "INSERT INTO job_offsets(job_id) VALUES(?1)",
    [S_JOB_CAS] = "UPDATE job_offsets SET committed=?3, warc_committed=?5, content_committed=?7 "
                  "WHERE job_id=?1 AND committed=?2 AND warc_committed=?4 "
                  "AND content_committed=?6",
    [S_JOB_ALL] = "SELECT j.id,j.name,j.state,j.opts,j.created,j.ended,o.committed,j.error,"
                  "o.warc_committed,o.content_committed FROM jobs j JOIN job_offsets o ON "
                  "o.job_id=j.id ORDER BY j.id",
    [S_JOB_COUNTS] = "SELECT state,count(*) FROM frontier WHERE job_id=?1 GROUP BY state",
    [S_JOB_DROP] = "UPDATE frontier SET state=4 WHERE job_id=?1 AND state=0",
    [S_FR_ADD] = "INSERT OR IGNORE INTO frontier(job_id,uh,url,depth,parent,host,state,sitemap) "
                 "VALUES(?1,?7,?2,?3,?4,?5,?6,?8)",
    [S_FR_DELETE] = "DELETE FROM frontier WHERE id=?1",
    [S_FR_WINDOW] =
        "SELECT id,url,parent,host,depth,attempts,not_before,no_js,sitemap,retries,retry_reasons "
        "FROM frontier "
        "WHERE job_id=?1 AND state=0 AND id>?2 ORDER BY id LIMIT ?3",
    /* The breadth-first window in two seeks of frontier_pending_depth: the
     * rest of the window's depth, then the deeper rows. One statement with
     * (depth,id)>(?4,?2) seeks on the depth alone and steps over every row
     * of that depth before after_id (SQLite 3.40: 8.8 ms a read 99,000
     * rows into one depth, against 0.3 ms at its start). */
    [S_FR_WINDOW_BFS] =
        "SELECT id,url,parent,host,depth,attempts,not_before,no_js,sitemap,retries,retry_reasons "
        "FROM frontier "
        "WHERE job_id=?1 AND state=0 AND depth=?4 AND id>?2 ORDER BY id LIMIT ?3",
    [S_FR_WINDOW_DEEPER] =
        "SELECT id,url,parent,host,depth,attempts,not_before,no_js,sitemap,retries,retry_reasons "
        "FROM frontier "
        "WHERE job_id=?1 AND state=0 AND depth>?2 ORDER BY depth,id LIMIT ?3",
    [S_FR_WINDOW_HOST] =
        "SELECT id,url,parent,host,depth,attempts,not_before,no_js,sitemap,retries,retry_reasons "
        "FROM "
        "frontier WHERE job_id=?1 AND state=0 AND id>?2 AND host=?4 "
        "ORDER BY id LIMIT ?3",
    [S_FR_FINISH] = "UPDATE frontier SET state=?2, attempts=?3 WHERE id=?1 AND state=0",
    [S_FR_REQUEUE] =
        "UPDATE frontier SET state=0, attempts=?2, not_before=?3, no_js=?4 WHERE id=?1",
    [S_HOSTS_PENDING] = "SELECT DISTINCT host FROM frontier WHERE state=0 LIMIT ?1",
    [S_JOB_SITEMAPS] = "SELECT count(*) FROM frontier WHERE job_id=?1 AND sitemap>=?2",
    /* recrawls (store.h, Recrawls) */
    [S_CAP_PUT] = "INSERT OR REPLACE INTO recrawl(job_id,url,etag,last_modified,date) "
                  "VALUES(?1,?2,?3,?4,?5)",
    [S_CAP_GET] = "SELECT etag,last_modified,date FROM recrawl WHERE job_id=?1 AND url=?2",
    [S_DIG_PUT] = "INSERT OR IGNORE INTO digests(job_id,digest,url,date) VALUES(?1,?2,?3,?4)",
    [S_DIG_GET] = "SELECT url,date FROM digests WHERE job_id=?1 AND digest=?2",
    /* cookie jars (store.h); ?3 now: 0 counts expired ones too */
    [S_CK_PUT] = "INSERT OR REPLACE INTO cookies(job_id,domain,path,name,expires,line) "
                 "VALUES(?1,?2,?3,?4,?5,?6)",
    [S_CK_DELETE] = "DELETE FROM cookies WHERE job_id=?1 AND domain=?2 AND path=?3 AND name=?4",
    [S_CK_EXISTS] = "SELECT 1 FROM cookies WHERE job_id=?1 AND domain=?2 AND path=?3 AND name=?4",
    [S_CK_COUNT_JOB] = "SELECT count(*) FROM cookies WHERE job_id=?1 "
                       "AND (?3=0 OR expires=0 OR expires>?3)",
    [S_CK_COUNT_DOMAIN] = "SELECT count(*) FROM cookies WHERE job_id=?1 AND domain=?2 "
                          "AND (?3=0 OR expires=0 OR expires>?3)",
    /* the host itself or a parent domain: "a.b.c" takes "b.c" and "c" */
    [S_CK_HOST] = "SELECT line FROM cookies WHERE job_id=?1 "
                  "AND (domain=?2 OR substr(?2, -length(domain)-1)='.'||domain) "
                  "AND (expires=0 OR expires>?3) ORDER BY length(path) DESC, domain, name",
    /* retries and host back-off */
    [S_FR_RETRY] = "UPDATE frontier SET state=0, attempts=?2, not_before=?3, retries=?4, "
                   "retry_reasons=?5 WHERE id=?1",
    [S_HB_PUT] = "INSERT INTO host_backoff(host,delay_ms,until_ms) VALUES(?1,?2,?3) "
                 "ON CONFLICT(host) DO UPDATE SET delay_ms=?2, until_ms=?3",
    [S_HB_DELETE] = "DELETE FROM host_backoff WHERE host=?1",
    [S_HB_ALL] = "SELECT host,delay_ms,until_ms FROM host_backoff",
    /* what only a running job reads, dropped when it ends (sq_job_set_state) */
    [S_CAP_FORGET] = "DELETE FROM recrawl WHERE job_id=?1",
    [S_DIG_FORGET] = "DELETE FROM digests WHERE job_id=?1",
    /* a schedule's next run takes the jar the last one ended with */
    [S_CK_COPY] = "INSERT OR IGNORE INTO cookies(job_id,domain,path,name,expires,line) "
                  "SELECT ?2,domain,path,name,expires,line FROM cookies WHERE job_id=?1 "
                  "AND (expires=0 OR expires>?3)",
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
     * job's opts hold its seeds (a job of many seeds rewrote them each commit).
     * jobs.committed and jobs.warc_committed are kept for older databases,
     * whose values are copied here once (migrate) and not used after. */
    "CREATE TABLE IF NOT EXISTS job_offsets("
    " job_id INTEGER PRIMARY KEY,"
    " committed INTEGER NOT NULL DEFAULT 0,"
    " warc_committed INTEGER NOT NULL DEFAULT 0,"
    " content_committed INTEGER NOT NULL DEFAULT 0);" /* content.jsonl.zst (--save) */
    "CREATE TABLE IF NOT EXISTS frontier("
    " id INTEGER PRIMARY KEY,"
    " job_id INTEGER NOT NULL, uh INTEGER NOT NULL, url TEXT NOT NULL,"
    " depth INTEGER NOT NULL,"
    " parent TEXT, host TEXT NOT NULL, state INTEGER NOT NULL DEFAULT 0,"
    " attempts INTEGER NOT NULL DEFAULT 0, not_before INTEGER NOT NULL DEFAULT 0,"
    " no_js INTEGER NOT NULL DEFAULT 0,"
    " sitemap INTEGER NOT NULL DEFAULT 0,"
    " retries INTEGER NOT NULL DEFAULT 0, retry_reasons TEXT,"
    " UNIQUE(job_id, uh));"
    /* hosts that asked to be left alone (429, 503, …): their delay while
     * they refuse and when their next request may start, so a restart
     * does not hit them again at once */
    "CREATE TABLE IF NOT EXISTS host_backoff("
    " host TEXT PRIMARY KEY, delay_ms INTEGER NOT NULL, until_ms INTEGER NOT NULL);"
    /* take-next: a job's pending rows in id order. Partial: a page that
     * ends only deletes its entry, and the index stays as small as the
     * pending set. */
    "DROP INDEX IF EXISTS frontier_take;"
    /* the scheduler's window: a job's pending rows breadth-first, by depth
     * then id (store_rows_pending_bfs); the id-only index it replaced
     * (frontier_pending) is dropped from older databases */
    "DROP INDEX IF EXISTS frontier_pending;"
    "CREATE INDEX IF NOT EXISTS frontier_pending_depth ON frontier(job_id, depth, id) "
    "WHERE state=0;"
    /* a freed host's next rows (store_rows_pending with a host: job_take
     * past its cache), partial as the one above */
    "CREATE INDEX IF NOT EXISTS frontier_pending_host ON frontier(job_id, host, id) "
    "WHERE state=0;"
    /* Recrawls: the earlier capture of each URL a recrawl job asks again
     * (its validators and date), and the payload digests a job recorded
     * in full (the first URL and date of each); one row per URL or digest,
     * the primary key the only index. */
    "CREATE TABLE IF NOT EXISTS recrawl("
    " job_id INTEGER NOT NULL, url TEXT NOT NULL,"
    " etag TEXT, last_modified TEXT, date TEXT,"
    " PRIMARY KEY(job_id, url)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS digests("
    " job_id INTEGER NOT NULL, digest TEXT NOT NULL,"
    " url TEXT NOT NULL, date TEXT NOT NULL,"
    " PRIMARY KEY(job_id, digest)) WITHOUT ROWID;"
    /* each job's cookie jar (store.h, docs/daemon.md "Cookies"): a cookie
     * per (domain, path, name), its Netscape line as curl writes it; new in
     * an older database by the IF NOT EXISTS */
    "CREATE TABLE IF NOT EXISTS cookies("
    " job_id INTEGER NOT NULL, domain TEXT NOT NULL, path TEXT NOT NULL,"
    " name TEXT NOT NULL, expires INTEGER NOT NULL DEFAULT 0, line TEXT NOT NULL,"
    " PRIMARY KEY(job_id, domain, path, name));";

typedef struct sq {
    sqlite3 *db;
    sqlite3_stmt *st[S_COUNT];
    /* This open's lease epoch: one node holds every host, and a lease made
     * under another open (an earlier process) is not this one's. */
    long long epoch;
    char why[200]; /* why the last group failed when SQLite did not fail */
} sq;

static const char *sq_errmsg(void *b)
{
    sq *q = b;
    return q->why[0] ? q->why : sqlite3_errmsg(q->db);
}

static void sq_close(void *b)
{
    sq *q = b;
    if (!q)
        return;
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(q->st[i]);
    sqlite3_close(q->db);
    ALLOC_FREE(q);
}

/* Columns added after the first schema; CREATE TABLE IF NOT EXISTS leaves an
 * older database's table as it was, so each is added when missing. */
static const struct {
    const char *table, *column, *ddl;
} added_columns[] = {
    {"jobs", "warc_committed",
     "ALTER TABLE jobs ADD COLUMN warc_committed INTEGER NOT NULL "
     "DEFAULT 0"},
    {"frontier", "no_js", "ALTER TABLE frontier ADD COLUMN no_js INTEGER NOT NULL DEFAULT 0"},
    {"frontier", "sitemap", "ALTER TABLE frontier ADD COLUMN sitemap INTEGER NOT NULL DEFAULT 0"},
    {"frontier", "retries", "ALTER TABLE frontier ADD COLUMN retries INTEGER NOT NULL DEFAULT 0"},
    {"frontier", "retry_reasons", "ALTER TABLE frontier ADD COLUMN retry_reasons TEXT"},
    {"job_offsets", "content_committed",
     "ALTER TABLE job_offsets ADD COLUMN content_committed INTEGER NOT NULL DEFAULT 0"},
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

static void *sq_open(const char *path, char *err, size_t errlen)
{
    sq *s = ALLOC_NEW(sq);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* Unique per open: the clock in ms, and a count for opens within one ms. */
    static unsigned opens;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    s->epoch = ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000) * 1000 + opens++ % 1000;
    char *msg = NULL;
    int rc = sqlite3_open_v2(
        path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK)
        goto fail;
    sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
    rc = sqlite3_exec(s->db,
                      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                      "PRAGMA foreign_keys=OFF; PRAGMA cache_size=-32000;"
                      /* checkpoint every ~40 MB of WAL instead of 4 MB:
                       * faster frontier inserts (bench_frontier; the figures
                       * are in docs/platform-notes.md) */
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
    /* Pruned at each open: the captures and digests of jobs that ended
     * (a database from before they were dropped at the end), and host
     * back-offs whose wait ended a day ago (a host not asked since). */
    rc = sqlite3_exec(s->db,
                      "DELETE FROM recrawl WHERE job_id IN "
                      "(SELECT id FROM jobs WHERE state IN ('done','cancelled','failed'));"
                      "DELETE FROM digests WHERE job_id IN "
                      "(SELECT id FROM jobs WHERE state IN ('done','cancelled','failed'));"
                      "DELETE FROM host_backoff WHERE "
                      "until_ms < CAST(strftime('%s','now') AS INTEGER) * 1000 - 86400000;",
                      NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        goto fail;
    for (int i = 0; i < S_COUNT; i++) {
        rc = sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL);
        if (rc != SQLITE_OK)
            goto fail;
    }
    return s;
fail:
    snprintf(err, errlen, "%s: %s", path,
             msg     ? msg
             : s->db ? sqlite3_errmsg(s->db)
                     : "open failed");
    sqlite3_free(msg);
    sq_close(s);
    return NULL;
}

/* Runs a statement that returns no rows; resets it. */
static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static long long sq_cache_bytes(void *b)
{
    sq *q = b;
    int cur = 0, hi = 0;
    if (sqlite3_db_status(q->db, SQLITE_DBSTATUS_CACHE_USED, &cur, &hi, 0) != SQLITE_OK)
        return -1;
    return cur;
}

static int sq_begin(void *b)
{
    sq *q = b;
    q->why[0] = '\0';
    return step_done(q->st[S_BEGIN]);
}

static void sq_rollback(void *b)
{
    sq *q = b;
    if (!sqlite3_get_autocommit(q->db))
        step_done(q->st[S_ROLLBACK]);
}

/* Whether the write lock can be had now: BEGIN IMMEDIATE without waiting,
 * then ROLLBACK. */
static int sq_probe_write(void *b)
{
    sq *q = b;
    sqlite3_busy_timeout(q->db, 0);
    int rc = sq_begin(q);
    sqlite3_busy_timeout(q->db, STORE_BUSY_TIMEOUT_MS);
    if (rc == 0)
        sq_rollback(q);
    return rc;
}

static int sq_job_id_floor(void *b, long long floor)
{
    sq *q = b;
    char s[200];
    snprintf(s, sizeof(s),
             "INSERT INTO sqlite_sequence(name,seq) SELECT 'jobs',%lld WHERE NOT EXISTS"
             "(SELECT 1 FROM sqlite_sequence WHERE name='jobs');"
             "UPDATE sqlite_sequence SET seq=%lld WHERE name='jobs' AND seq<%lld;",
             floor, floor, floor);
    return sqlite3_exec(q->db, s, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static int sq_job_insert(void *b, const char *name, const char *state, const char *opts_json,
                         double created, long long *id)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_JOB_INSERT];
    bind_text_or_null(st, 1, name);
    sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, opts_json, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 4, created);
    if (step_done(st) < 0)
        return -1;
    *id = sqlite3_last_insert_rowid(q->db);
    st = q->st[S_JOB_OFFSETS_INSERT];
    sqlite3_bind_int64(st, 1, *id);
    return step_done(st);
}

static int sq_job_set_state(void *b, long long id, const char *state, double ended,
                            const char *error)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_JOB_STATE];
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    if (ended > 0)
        sqlite3_bind_double(st, 3, ended);
    else
        sqlite3_bind_null(st, 3);
    bind_text_or_null(st, 4, error && *error ? error : NULL);
    if (step_done(st) < 0)
        return -1;
    /* An ended job's recrawl captures and digests are read by nobody:
     * a later --since reads its pages.jsonl, a schedule's next run is a
     * job of its own. */
    if (strcmp(state, "running") == 0 || strcmp(state, "paused") == 0)
        return 0;
    for (int i = 0; i < 2; i++) {
        st = q->st[i ? S_DIG_FORGET : S_CAP_FORGET];
        sqlite3_bind_int64(st, 1, id);
        if (step_done(st) < 0)
            return -1;
    }
    return 0;
}

static int sq_cookies_copy(void *b, long long from_job, long long to_job, long long now_s)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_CK_COPY];
    sqlite3_bind_int64(st, 1, from_job);
    sqlite3_bind_int64(st, 2, to_job);
    sqlite3_bind_int64(st, 3, now_s);
    return step_done(st);
}

static int sq_jobs_foreach(void *b, int (*cb)(void *ud, const store_job *j), void *ud)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_JOB_ALL];
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
            .content_committed = sqlite3_column_int64(st, 9),
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

static int sq_job_counts(void *b, long long job_id, long counts[ROW_STATE_COUNT])
{
    sq *q = b;
    memset(counts, 0, sizeof(long) * ROW_STATE_COUNT);
    sqlite3_stmt *st = q->st[S_JOB_COUNTS];
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

static long sq_job_sitemaps(void *b, long long job_id, int kind)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_JOB_SITEMAPS];
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_int(st, 2, kind);
    long n = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

static int sq_job_drop_pending(void *b, long long job_id)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_JOB_DROP];
    sqlite3_bind_int64(st, 1, job_id);
    return step_done(st);
}

/* One node: every host with pending rows is this node's, for good. */
static int sq_lease_claim(void *b, int max, long long until_ms, store_lease *out)
{
    sq *q = b;
    (void)until_ms;
    sqlite3_stmt *st = q->st[S_HOSTS_PENDING];
    sqlite3_bind_int(st, 1, max);
    int n = 0, rc;
    while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *h = (const char *)sqlite3_column_text(st, 0);
        if (!h || strlen(h) >= sizeof(out[n].host))
            continue;
        memcpy(out[n].host, h, strlen(h) + 1);
        out[n].epoch = q->epoch;
        out[n].until_ms = LLONG_MAX;
        n++;
    }
    if (n < max && rc != SQLITE_DONE)
        n = -1;
    sqlite3_reset(st);
    return n;
}

static int sq_lease_renew(void *b, store_lease *l, int n, long long until_ms)
{
    sq *q = b;
    (void)until_ms;
    int held = 0;
    for (int i = 0; i < n; i++) {
        if (l[i].epoch == q->epoch) {
            l[i].until_ms = LLONG_MAX;
            held++;
        } else
            l[i].epoch = 0;
    }
    return held;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    return v ? alloc_strdup(v) : NULL;
}

/* Steps a window statement (bound) into rows: how many, -1. */
static int window_read(sqlite3_stmt *st, int max, store_row *rows);

static int sq_rows_pending(void *b, long long job_id, const char *host, long long after_id, int max,
                           store_row *rows)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[host ? S_FR_WINDOW_HOST : S_FR_WINDOW];
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_int64(st, 2, after_id);
    sqlite3_bind_int(st, 3, max);
    if (host)
        sqlite3_bind_text(st, 4, host, -1, SQLITE_STATIC);
    return window_read(st, max, rows);
}

static int sq_rows_pending_bfs(void *b, long long job_id, int after_depth, long long after_id,
                               int max, store_row *rows)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_FR_WINDOW_BFS];
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_int64(st, 2, after_id);
    sqlite3_bind_int(st, 3, max);
    sqlite3_bind_int(st, 4, after_depth);
    int n = window_read(st, max, rows);
    if (n < 0 || n == max)
        return n;
    st = q->st[S_FR_WINDOW_DEEPER];
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_int(st, 2, after_depth);
    sqlite3_bind_int(st, 3, max - n);
    int m = window_read(st, max - n, rows + n);
    if (m < 0) {
        store_rows_free(rows, n);
        return -1;
    }
    return n + m;
}

static int window_read(sqlite3_stmt *st, int max, store_row *rows)
{
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
        r->sitemap = sqlite3_column_int(st, 8);
        r->retries = sqlite3_column_int(st, 9);
        r->retry_reasons = col_dup(st, 10);
        n++;
        if (!r->url || !r->host) {
            rc = SQLITE_NOMEM;
            break;
        }
    }
    if (n < max && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        store_rows_free(rows, n);
        return -1;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return n;
}

static int sq_row_finish(void *b, long long row_id, store_row_state state, int attempts)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_FR_FINISH];
    sqlite3_bind_int64(st, 1, row_id);
    sqlite3_bind_int(st, 2, (int)state);
    sqlite3_bind_int(st, 3, attempts);
    if (step_done(st) < 0)
        return -1;
    return sqlite3_changes(q->db) == 1 ? 0 : 1;
}

static int sq_row_add(void *b, long long job_id, long long uh, const char *url, int depth,
                      const char *parent, const char *host, store_row_state state, int sitemap,
                      long long *row_id)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_FR_ADD];
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, depth);
    bind_text_or_null(st, 4, parent);
    sqlite3_bind_text(st, 5, host, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, (int)state);
    sqlite3_bind_int64(st, 7, uh);
    sqlite3_bind_int(st, 8, sitemap);
    if (step_done(st) < 0)
        return -1;
    if (sqlite3_changes(q->db) == 0)
        return 0;
    if (row_id)
        *row_id = sqlite3_last_insert_rowid(q->db);
    return 1;
}

static int sq_row_delete(void *b, long long row_id)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_FR_DELETE];
    sqlite3_bind_int64(st, 1, row_id);
    return step_done(st);
}

static int sq_row_requeue(void *b, long long row_id, int attempts, long long not_before, int no_js)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_FR_REQUEUE];
    sqlite3_bind_int64(st, 1, row_id);
    sqlite3_bind_int(st, 2, attempts);
    sqlite3_bind_int64(st, 3, not_before);
    sqlite3_bind_int(st, 4, no_js);
    return step_done(st);
}

static int sq_row_retry(void *b, long long row_id, int attempts, long long not_before, int retries,
                        const char *reasons)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_FR_RETRY];
    sqlite3_bind_int64(st, 1, row_id);
    sqlite3_bind_int(st, 2, attempts);
    sqlite3_bind_int64(st, 3, not_before);
    sqlite3_bind_int(st, 4, retries);
    bind_text_or_null(st, 5, reasons);
    return step_done(st);
}

static int sq_host_backoff_put(void *b, const char *host, long long delay_ms, long long until_ms)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[delay_ms > 0 ? S_HB_PUT : S_HB_DELETE];
    sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
    if (delay_ms > 0) {
        sqlite3_bind_int64(st, 2, delay_ms);
        sqlite3_bind_int64(st, 3, until_ms);
    }
    return step_done(st);
}

static int sq_host_backoff_foreach(void *b, int (*cb)(void *ud, const store_host_backoff *h),
                                   void *ud)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_HB_ALL];
    int rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_host_backoff h = {.host = (const char *)sqlite3_column_text(st, 0),
                                .delay_ms = sqlite3_column_int64(st, 1),
                                .until_ms = sqlite3_column_int64(st, 2)};
        if (h.host && cb(ud, &h) < 0) {
            ret = -1;
            break;
        }
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = -1;
    sqlite3_reset(st);
    return ret;
}

/* The leases, then each job's lengths (CAS), then COMMIT; any failure
 * rolls everything back. */
static store_rc sq_commit(void *b, const store_lease *l, int nl, const store_lengths *len, int nlen)
{
    sq *q = b;
    store_rc rc = STORE_ERR;
    for (int i = 0; i < nl; i++)
        if (l[i].epoch != q->epoch) {
            snprintf(q->why, sizeof(q->why), "lease of %.100s lost (epoch %lld, ours %lld)",
                     l[i].host, l[i].epoch, q->epoch);
            rc = STORE_LEASE_LOST;
            goto fail;
        }
    for (int i = 0; i < nlen; i++) {
        sqlite3_stmt *st = q->st[S_JOB_CAS];
        sqlite3_bind_int64(st, 1, len[i].job_id);
        sqlite3_bind_int64(st, 2, len[i].pages_from);
        sqlite3_bind_int64(st, 3, len[i].pages_to);
        sqlite3_bind_int64(st, 4, len[i].warc_from);
        sqlite3_bind_int64(st, 5, len[i].warc_to);
        sqlite3_bind_int64(st, 6, len[i].content_from);
        sqlite3_bind_int64(st, 7, len[i].content_to);
        if (step_done(st) < 0)
            goto fail;
        if (sqlite3_changes(q->db) != 1) {
            snprintf(q->why, sizeof(q->why),
                     "job %lld: committed lengths are not %lld/%lld/%lld as the group expected",
                     len[i].job_id, len[i].pages_from, len[i].warc_from, len[i].content_from);
            rc = STORE_CONFLICT;
            goto fail;
        }
    }
    if (step_done(q->st[S_COMMIT]) < 0)
        goto fail;
    return STORE_OK;
fail:
    sq_rollback(q);
    return rc;
}

static char *column_dup(sqlite3_stmt *st, int i)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    return v ? alloc_strdup(v) : NULL;
}

static int sq_capture_put(void *b, long long job_id, const char *url, const char *etag,
                          const char *last_modified, const char *date)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_CAP_PUT];
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
    bind_text_or_null(st, 3, etag);
    bind_text_or_null(st, 4, last_modified);
    bind_text_or_null(st, 5, date);
    return step_done(st);
}

static int sq_capture_get(void *b, long long job_id, const char *url, store_capture *c)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_CAP_GET];
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), found = 0;
    if (rc == SQLITE_ROW) {
        c->etag = column_dup(st, 0);
        c->last_modified = column_dup(st, 1);
        c->date = column_dup(st, 2);
        found = 1;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return found ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int sq_digest_put(void *b, long long job_id, const char *digest, const char *url,
                         const char *date)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_DIG_PUT];
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_text(st, 2, digest, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, url, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, date, -1, SQLITE_STATIC);
    if (step_done(st) < 0)
        return -1;
    return sqlite3_changes(q->db) > 0;
}

static int sq_digest_get(void *b, long long job_id, const char *digest, store_capture *c)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_DIG_GET];
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_text(st, 2, digest, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), found = 0;
    if (rc == SQLITE_ROW) {
        c->url = column_dup(st, 0);
        c->date = column_dup(st, 1);
        found = 1;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return found ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* ---- cookie jars ---- */

static void bind_key(sqlite3_stmt *st, long long job_id, const char *domain, const char *path,
                     const char *name)
{
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_text(st, 2, domain, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, name, -1, SQLITE_TRANSIENT);
}

static int sq_cookie_put(void *b, long long job_id, const char *domain, const char *path,
                         const char *name, long long expires, const char *line)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_CK_PUT];
    bind_key(st, job_id, domain, path, name);
    sqlite3_bind_int64(st, 5, expires);
    sqlite3_bind_text(st, 6, line, -1, SQLITE_TRANSIENT);
    return step_done(st);
}

static int sq_cookie_delete(void *b, long long job_id, const char *domain, const char *path,
                            const char *name)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_CK_DELETE];
    bind_key(st, job_id, domain, path, name);
    return step_done(st);
}

static int sq_cookie_exists(void *b, long long job_id, const char *domain, const char *path,
                            const char *name)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_CK_EXISTS];
    bind_key(st, job_id, domain, path, name);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static long sq_cookie_count(void *b, long long job_id, const char *domain, long long now_s)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[domain ? S_CK_COUNT_DOMAIN : S_CK_COUNT_JOB];
    sqlite3_bind_int64(st, 1, job_id);
    if (domain)
        sqlite3_bind_text(st, 2, domain, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, now_s);
    long n = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

static int sq_cookies_for_host(void *b, long long job_id, const char *host, long long now_s,
                               int (*cb)(void *ud, const char *line), void *ud)
{
    sq *q = b;
    sqlite3_stmt *st = q->st[S_CK_HOST];
    sqlite3_bind_int64(st, 1, job_id);
    sqlite3_bind_text(st, 2, host, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, now_s);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(st, 0);
        if (line && cb(ud, line) < 0)
            break;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

const store_ops store_sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .errmsg = sq_errmsg,
    .cache_bytes = sq_cache_bytes,
    .probe_write = sq_probe_write,
    .job_id_floor = sq_job_id_floor,
    .job_insert = sq_job_insert,
    .job_set_state = sq_job_set_state,
    .jobs_foreach = sq_jobs_foreach,
    .job_counts = sq_job_counts,
    .job_drop_pending = sq_job_drop_pending,
    .job_sitemaps = sq_job_sitemaps,
    .lease_claim = sq_lease_claim,
    .lease_renew = sq_lease_renew,
    .rows_pending = sq_rows_pending,
    .rows_pending_bfs = sq_rows_pending_bfs,
    .begin = sq_begin,
    .row_finish = sq_row_finish,
    .row_add = sq_row_add,
    .row_delete = sq_row_delete,
    .row_requeue = sq_row_requeue,
    .row_retry = sq_row_retry,
    .host_backoff_put = sq_host_backoff_put,
    .host_backoff_foreach = sq_host_backoff_foreach,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .capture_put = sq_capture_put,
    .capture_get = sq_capture_get,
    .digest_put = sq_digest_put,
    .digest_get = sq_digest_get,
    .cookie_put = sq_cookie_put,
    .cookie_delete = sq_cookie_delete,
    .cookie_exists = sq_cookie_exists,
    .cookie_count = sq_cookie_count,
    .cookies_copy = sq_cookies_copy,
    .cookies_for_host = sq_cookies_for_host,
};
