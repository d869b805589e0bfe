/* Check suite: store — jobs and frontier on the SQLite backend, or on
 * PostgreSQL when CRAWLD_TEST_PG holds a libpq URI (tests/run.sh runs it
 * so against a server of its own, tests/server/pg.sh): insert and
 * de-dup (the seen set), take order (windows by id, of a job or a host),
 * requeue and finish, committed lengths and state surviving a reopen,
 * in-flight rows reset on open, a crash (child _exit inside a group)
 * leaving the last commit intact; the group commit: its lease check, the
 * compare-and-set of the lengths (a mismatch keeps nothing), a second end
 * of a row refused inside a group, links new and seen. PostgreSQL alone:
 * two nodes leasing hosts at once never share one, a commit under a lost
 * lease keeps nothing, a killed connection fails the next call and a
 * reopen works, errors never show the password, a newer schema refused.
 * Over ~900 lines on purpose: one suite, so that every case runs against
 * both backends from the one fixture that picks the backend. */
#include "alloc.h"
#include "cookie.h"
#include "store.h"

#include <check.h>
#include <libpq-fe.h>
#include <limits.h>
#include <sqlite3.h>
#include <time.h>

#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[256], path[300];
static const char *spec;    /* what store_open is given: path, or pg_spec */
static const char *pg_spec; /* $CRAWLD_TEST_PG: the suite runs on PostgreSQL */
static store *S;

/* A connection of the test's own to the PostgreSQL server. */
static PGconn *pg_admin(void)
{
    PGconn *c = PQconnectdb(pg_spec);
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
    return c;
}

static void pg_exec(const char *sql)
{
    PGconn *c = pg_admin();
    PGresult *r = PQexec(c, sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
                  "%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
}

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/test_store.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/crawld.db", dir);
    spec = path;
    if (pg_spec) { /* every test on an empty database */
        pg_exec(
            "SET client_min_messages=warning; DROP SCHEMA public CASCADE; CREATE SCHEMA public");
        spec = pg_spec;
    }
    char err[256];
    S = store_open(spec, err, sizeof(err));
    ck_assert_msg(S != NULL, "%s", err);
}

static void teardown(void)
{
    store_close(S);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    (void)!system(cmd);
}

static long long new_job(void)
{
    long long id = 0;
    ck_assert_int_eq(store_job_insert(S, "t", "running", "{}", 1.0, &id), 0);
    return id;
}

static void reopen(void)
{
    char err[256];
    store_close(S);
    S = store_open(spec, err, sizeof(err));
    ck_assert_msg(S != NULL, "%s", err);
}

START_TEST(insert_and_dedupe)
{
    long long j1 = new_job(), j2 = new_job();
    ck_assert_int_gt(j2, j1);
    long long rid = 0;
    ck_assert_int_eq(store_row_add(S, j1, "http://a/", 0, NULL, "http://a", ROW_PENDING, &rid), 1);
    ck_assert_int_gt(rid, 0);
    ck_assert_int_eq(
        store_row_add(S, j1, "http://a/", 1, "http://a/x", "http://a", ROW_PENDING, NULL), 0);
    /* the seen set is per job */
    ck_assert_int_eq(store_row_add(S, j2, "http://a/", 0, NULL, "http://a", ROW_PENDING, NULL), 1);
    long c[ROW_STATE_COUNT];
    ck_assert_int_eq(store_job_counts(S, j1, c), 0);
    ck_assert_int_eq(c[ROW_PENDING], 1);
}
END_TEST

/* The in-memory seen cache answers repeats without the database, and a
 * rolled-back transaction empties it: else the URLs it inserted would be
 * "seen" but have no row, and never be crawled. */
START_TEST(seen_cache_answers_repeats_and_forgets_a_rollback)
{
    long long j = new_job();
    char u[64];
    ck_assert_int_eq(store_group_begin(S), 0);
    for (int i = 0; i < 3000; i++) {
        snprintf(u, sizeof(u), "http://a/%d", i);
        ck_assert_int_eq(store_row_add(S, j, u, 0, NULL, "http://a", ROW_PENDING, NULL), 1);
    }
    long long h0 = store_seen_hits(S);
    for (int i = 0; i < 3000; i++) {
        snprintf(u, sizeof(u), "http://a/%d", i);
        ck_assert_int_eq(store_row_add(S, j, u, 0, NULL, "http://a", ROW_PENDING, NULL), 0);
    }
    ck_assert_int_ge(store_seen_hits(S) - h0, 2900); /* a few may have been evicted */
    store_group_abort(S);
    long c[ROW_STATE_COUNT];
    ck_assert_int_eq(store_job_counts(S, j, c), 0);
    ck_assert_int_eq(c[ROW_PENDING], 0);
    for (int i = 0; i < 3000; i++) {
        snprintf(u, sizeof(u), "http://a/%d", i);
        ck_assert_int_eq(store_row_add(S, j, u, 0, NULL, "http://a", ROW_PENDING, NULL), 1);
    }
    /* Another job's keys are its own. */
    long long j2 = new_job();
    ck_assert_int_eq(store_row_add(S, j2, "http://a/1", 0, NULL, "http://a", ROW_PENDING, NULL), 1);
    /* A new process (reopen) has an empty cache; the database still says seen. */
    reopen();
    ck_assert_int_eq(store_row_add(S, j, "http://a/7", 0, NULL, "http://a", ROW_PENDING, NULL), 0);
    ck_assert_int_eq(store_seen_hits(S), 0);
    ck_assert_int_eq(store_job_counts(S, j, c), 0);
    ck_assert_int_eq(c[ROW_PENDING], 3000);
}
END_TEST

START_TEST(take_order_and_windows)
{
    long long j = new_job();
    char u[64];
    for (int i = 0; i < 100; i++) {
        snprintf(u, sizeof(u), "http://h%d/p%d", i % 3, i);
        ck_assert_int_eq(
            store_row_add(S, j, u, i % 4, i ? "http://h0/p0" : NULL, "h", ROW_PENDING, NULL), 1);
    }
    store_row rows[40];
    int n = store_rows_pending(S, j, NULL, 0, 40, rows);
    ck_assert_int_eq(n, 40);
    ck_assert_str_eq(rows[0].url, "http://h0/p0");
    ck_assert_ptr_null(rows[0].parent);
    ck_assert_str_eq(rows[1].parent, "http://h0/p0");
    for (int i = 1; i < n; i++)
        ck_assert_int_gt(rows[i].id, rows[i - 1].id);
    long long last = rows[39].id;
    /* finish the first ten: they leave the window */
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(store_row_finish(S, rows[i].id, i % 2 ? ROW_FAILED : ROW_DONE, 1), 0);
    store_rows_free(rows, n);
    n = store_rows_pending(S, j, NULL, 0, 40, rows);
    ck_assert_str_eq(rows[0].url, "http://h1/p10");
    store_rows_free(rows, n);
    n = store_rows_pending(S, j, NULL, last, 40, rows);
    ck_assert_int_eq(n, 40);
    ck_assert_str_eq(rows[0].url, "http://h1/p40");
    store_rows_free(rows, n);
    long c[ROW_STATE_COUNT];
    store_job_counts(S, j, c);
    ck_assert_int_eq(c[ROW_PENDING], 90);
    ck_assert_int_eq(c[ROW_DONE], 5);
    ck_assert_int_eq(c[ROW_FAILED], 5);
}
END_TEST

/* The scheduler's window: breadth-first, (depth, id), paged by its last
 * row; a deep row added first comes after a shallow one added later. */
START_TEST(bfs_window_order)
{
    long long j = new_job();
    char u[64];
    int depth_of[60];
    for (int i = 0; i < 60; i++) {
        depth_of[i] = (i * 7) % 5; /* depths mixed against ids */
        snprintf(u, sizeof(u), "http://h%d/p%d", i % 3, i);
        ck_assert_int_eq(store_row_add(S, j, u, depth_of[i], NULL, "h", ROW_PENDING, NULL), 1);
    }
    store_row rows[7];
    int seen = 0, after_depth = 0, last_depth = -1;
    long long after = 0, last_id = 0;
    for (;;) {
        int n = store_rows_pending_bfs(S, j, after_depth, after, 7, rows);
        ck_assert_int_ge(n, 0);
        if (n == 0)
            break;
        for (int i = 0; i < n; i++) {
            ck_assert_msg(rows[i].depth > last_depth ||
                              (rows[i].depth == last_depth && rows[i].id > last_id),
                          "row %lld depth %d after %lld depth %d", rows[i].id, rows[i].depth,
                          last_id, last_depth);
            last_depth = rows[i].depth;
            last_id = rows[i].id;
        }
        after = rows[n - 1].id;
        after_depth = rows[n - 1].depth;
        seen += n;
        store_rows_free(rows, n);
    }
    ck_assert_int_eq(seen, 60);
    /* A row added now at depth 0 sorts before every deeper one. */
    long long rid;
    ck_assert_int_eq(store_row_add(S, j, "http://late/0", 0, NULL, "late", ROW_PENDING, &rid), 1);
    store_row all[64];
    int n = store_rows_pending_bfs(S, j, 0, 0, 64, all);
    ck_assert_int_eq(n, 61);
    int at = -1;
    for (int i = 0; i < n; i++)
        if (all[i].id == rid)
            at = i;
    ck_assert_int_ge(at, 0);
    ck_assert_int_eq(all[at + 1].depth, 1); /* the last of depth 0 */
    for (int i = 0; i <= at; i++)
        ck_assert_int_eq(all[i].depth, 0);
    store_rows_free(all, n);
    /* Ended rows leave it. */
    ck_assert_int_eq(store_row_finish(S, rid, ROW_DONE, 1), 0);
    n = store_rows_pending_bfs(S, j, 0, 0, 64, all);
    ck_assert_int_eq(n, 60);
    for (int i = 0; i < n; i++)
        ck_assert_int_ne(all[i].id, rid);
    store_rows_free(all, n);
}
END_TEST

START_TEST(requeue_keeps_attempts)
{
    long long j = new_job(), rid;
    store_row_add(S, j, "http://a/1", 0, NULL, "http://a", ROW_PENDING, &rid);
    store_row_add(S, j, "http://a/2", 0, NULL, "http://a", ROW_PENDING, NULL);
    ck_assert_int_eq(store_row_requeue(S, rid, 2, 0, 1), 0);
    store_row rows[4];
    int n = store_rows_pending(S, j, NULL, 0, 4, rows);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(rows[0].attempts, 2);
    ck_assert_int_eq(rows[0].no_js, 1);
    ck_assert_int_eq(rows[1].no_js, 0);
    ck_assert_str_eq(rows[0].url, "http://a/1"); /* still first: its id did not change */
    store_rows_free(rows, n);
    ck_assert_int_eq(store_job_drop_pending(S, j), 0);
    ck_assert_int_eq(store_rows_pending(S, j, NULL, 0, 4, rows), 0);
}
END_TEST

/* A sitemap task's row keeps its kind; one seen set with the pages (a
 * URL admitted as a page is not admitted again as a sitemap, nor the
 * other way); store_job_sitemaps counts rows of a kind and up, done or not. */
START_TEST(sitemap_rows_keep_their_kind)
{
    long long j = new_job(), rid;
    ck_assert_int_eq(store_row_add_sitemap(S, j, "http://a/robots.txt", NULL, "http://a", 2, &rid),
                     1);
    ck_assert_int_eq(
        store_row_add_sitemap(S, j, "http://a/s.xml", "http://a/robots.txt", "http://a", 3, NULL),
        1);
    ck_assert_int_eq(
        store_row_add_sitemap(S, j, "http://a/s2.xml", "http://a/s.xml", "http://a", 4, NULL), 1);
    ck_assert_int_eq(store_row_add(S, j, "http://a/s.xml", 0, NULL, "http://a", ROW_PENDING, NULL),
                     0);
    ck_assert_int_eq(
        store_row_add(S, j, "http://a/p", 0, "http://a/s.xml", "http://a", ROW_PENDING, NULL), 1);
    ck_assert_int_eq(store_row_add_sitemap(S, j, "http://a/p", NULL, "http://a", 3, NULL), 0);
    store_row rows[8];
    int n = store_rows_pending(S, j, NULL, 0, 8, rows);
    ck_assert_int_eq(n, 4);
    ck_assert_int_eq(rows[0].sitemap, 2);
    ck_assert_int_eq(rows[1].sitemap, 3);
    ck_assert_str_eq(rows[1].parent, "http://a/robots.txt");
    ck_assert_int_eq(rows[1].depth, 0);
    ck_assert_int_eq(rows[2].sitemap, 4);
    ck_assert_int_eq(rows[3].sitemap, 0);
    store_rows_free(rows, n);
    ck_assert_int_eq(store_row_finish(S, rid, ROW_DONE, 1), 0);
    ck_assert_int_eq(store_job_sitemaps(S, j, 3), 2);
    ck_assert_int_eq(store_job_sitemaps(S, j, 1), 3);
    ck_assert_int_eq(store_job_sitemaps(S, j + 1, 1), 0);
}
END_TEST

/* Back off when a server asks: a retried row is pending with its wait,
 * its retry count and reasons (attempts as given, no_js kept); a host's
 * back-off is kept and forgotten; both survive a reopen. */
static int grab_backoff(void *ud, const store_host_backoff *h)
{
    store_host_backoff *out = ud;
    static char host[64];
    snprintf(host, sizeof(host), "%s", h->host);
    *out = *h;
    out->host = host;
    out[1].delay_ms++; /* counts the calls */
    return 0;
}

/* A host back-off wait far ahead (2100-01-01): never pruned. */
#define FAR_FUTURE_MS 4102444800000LL

START_TEST(retry_and_host_backoff_survive_reopen)
{
    long long j = new_job(), rid;
    store_row_add(S, j, "http://a/1", 0, NULL, "http://a", ROW_PENDING, &rid);
    ck_assert_int_eq(store_row_requeue(S, rid, 1, 0, 1), 0);
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_row_retry(S, rid, 1, 1234567, 2, "503 retry-after=2s\n429\n"), 0);
    ck_assert_int_eq(store_host_backoff_put(S, "http://a", 4000, FAR_FUTURE_MS), 0);
    ck_assert_int_eq(store_host_backoff_put(S, "http://b", 1000, 5), 0);
    ck_assert_int_eq(store_host_backoff_put(S, "http://b", 0, 0), 0); /* recovered: forgotten */
    /* a wait that ended more than a day ago: pruned at the next open */
    ck_assert_int_eq(store_host_backoff_put(S, "http://old", 2000, 5), 0);
    ck_assert_int_eq(store_group_commit(S, NULL, 0, NULL, 0), STORE_OK);
    reopen();
    store_row rows[2];
    ck_assert_int_eq(store_rows_pending(S, j, NULL, 0, 2, rows), 1);
    ck_assert_int_eq(rows[0].attempts, 1);
    ck_assert_int_eq(rows[0].not_before, 1234567);
    ck_assert_int_eq(rows[0].no_js, 1);
    ck_assert_int_eq(rows[0].retries, 2);
    ck_assert_str_eq(rows[0].retry_reasons, "503 retry-after=2s\n429\n");
    store_rows_free(rows, 1);
    store_host_backoff got[2] = {{0}, {0}};
    ck_assert_int_eq(store_host_backoff_foreach(S, grab_backoff, got), 0);
    ck_assert_int_eq(got[1].delay_ms, 1); /* one host: http://old was pruned */
    ck_assert_str_eq(got[0].host, "http://a");
    ck_assert_int_eq(got[0].delay_ms, 4000);
    ck_assert_int_eq(got[0].until_ms, FAR_FUTURE_MS);
    /* a rolled-back group keeps neither */
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_row_retry(S, rid, 1, 0, 3, "x\n"), 0);
    ck_assert_int_eq(store_host_backoff_put(S, "http://a", 0, 0), 0);
    store_group_abort(S);
    ck_assert_int_eq(store_rows_pending(S, j, NULL, 0, 2, rows), 1);
    ck_assert_int_eq(rows[0].retries, 2);
    store_rows_free(rows, 1);
    got[1].delay_ms = 0;
    ck_assert_int_eq(store_host_backoff_foreach(S, grab_backoff, got), 0);
    ck_assert_int_eq(got[1].delay_ms, 1);
}
END_TEST

START_TEST(a_row_finishes_once)
{
    long long j = new_job(), rid, rid2;
    store_row_add(S, j, "http://a/1", 0, NULL, "http://a", ROW_PENDING, &rid);
    store_row_add(S, j, "http://a/2", 0, NULL, "http://a", ROW_PENDING, &rid2);
    ck_assert_int_eq(store_row_finish(S, rid, ROW_DONE, 1), 0);
    /* A second end of the same row is refused and changes nothing. */
    ck_assert_int_eq(store_row_finish(S, rid, ROW_FAILED, 2), 1);
    ck_assert_int_eq(store_row_finish(S, 999999, ROW_DONE, 1), 1);
    long c[ROW_STATE_COUNT];
    ck_assert_int_eq(store_job_counts(S, j, c), 0);
    ck_assert_int_eq(c[ROW_DONE], 1);
    ck_assert_int_eq(c[ROW_FAILED], 0);
    ck_assert_int_eq(c[ROW_PENDING], 1);
    /* A dropped row is not pending either; a requeued one is again. */
    ck_assert_int_eq(store_job_drop_pending(S, j), 0);
    ck_assert_int_eq(store_row_finish(S, rid2, ROW_DONE, 1), 1);
    ck_assert_int_eq(store_row_requeue(S, rid2, 0, 0, 0), 0);
    ck_assert_int_eq(store_row_finish(S, rid2, ROW_DONE, 1), 0);
}
END_TEST

static int grab_job(void *ud, const store_job *j)
{
    store_job *out = ud;
    out->id = j->id;
    out->committed = j->committed;
    out->warc_committed = j->warc_committed;
    out->content_committed = j->content_committed;
    out->ended = j->ended;
    out->state = strcmp(j->state, "done") == 0      ? "done"
                 : strcmp(j->state, "running") == 0 ? "running"
                                                    : "other";
    return 0;
}

START_TEST(committed_offset_survives_reopen)
{
    long long j = new_job(), rid;
    store_row_add(S, j, "http://a/1", 0, NULL, "http://a", ROW_PENDING, &rid);
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_row_finish(S, rid, ROW_DONE, 1), 0);
    ck_assert_int_eq(
        store_row_add(S, j, "http://a/2", 1, "http://a/1", "http://a", ROW_PENDING, NULL), 1);
    store_lengths len = {j, 0, 1234, 0, 0, 0, 0};
    ck_assert_int_eq(store_group_commit(S, NULL, 0, &len, 1), STORE_OK);
    /* a rolled-back group changes nothing */
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(
        store_row_add(S, j, "http://a/3", 1, "http://a/1", "http://a", ROW_PENDING, NULL), 1);
    store_group_abort(S);
    reopen();
    store_job got = {0};
    ck_assert_int_eq(store_jobs_foreach(S, grab_job, &got), 0);
    ck_assert_int_eq(got.id, j);
    ck_assert_int_eq(got.committed, 1234);
    long c[ROW_STATE_COUNT];
    store_job_counts(S, j, c);
    ck_assert_int_eq(c[ROW_DONE], 1);
    ck_assert_int_eq(c[ROW_PENDING], 1);
}
END_TEST

/* Recrawls: captures by (job, URL) and digests by (job, digest), the
 * first digest kept, in groups like rows (a rollback keeps none), and
 * still there after a reopen. */
START_TEST(captures_and_digests_survive_reopen)
{
    long long j = new_job(), k = new_job();
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_capture_put(S, j, "http://a/1", "\"e1\"", "L1", "D1"), 0);
    ck_assert_int_eq(store_capture_put(S, j, "http://a/2", NULL, "L2", "D2"), 0);
    ck_assert_int_eq(store_digest_put(S, j, "sha1:X", "http://a/1", "D1"), 1);
    ck_assert_int_eq(store_digest_put(S, j, "sha1:X", "http://a/2", "D2"), 0); /* first kept */
    ck_assert_int_eq(store_digest_put(S, k, "sha1:X", "http://b/", "D3"), 1);  /* per job */
    ck_assert_int_eq(store_group_commit(S, NULL, 0, NULL, 0), STORE_OK);
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_digest_put(S, j, "sha1:Y", "http://a/3", "D4"), 1);
    store_group_abort(S);
    reopen();
    store_capture c;
    ck_assert_int_eq(store_capture_get(S, j, "http://a/1", &c), 1);
    ck_assert_str_eq(c.etag, "\"e1\"");
    ck_assert_str_eq(c.last_modified, "L1");
    ck_assert_str_eq(c.date, "D1");
    store_capture_release(&c);
    ck_assert_int_eq(store_capture_get(S, j, "http://a/2", &c), 1);
    ck_assert_ptr_null(c.etag);
    store_capture_release(&c);
    ck_assert_int_eq(store_capture_get(S, k, "http://a/1", &c), 0);
    ck_assert_int_eq(store_digest_get(S, j, "sha1:X", &c), 1);
    ck_assert_str_eq(c.url, "http://a/1");
    ck_assert_str_eq(c.date, "D1");
    store_capture_release(&c);
    ck_assert_int_eq(store_digest_get(S, k, "sha1:X", &c), 1);
    ck_assert_str_eq(c.url, "http://b/");
    store_capture_release(&c);
    ck_assert_int_eq(store_digest_get(S, j, "sha1:Y", &c), 0); /* rolled back */
}
END_TEST

/* A database written before job_offsets existed: the offsets its jobs rows
 * hold are carried over on open, and commits from then on land. */
START_TEST(older_database_keeps_its_offsets)
{
    store_close(S);
    S = NULL;
    unlink(path);
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(
        sqlite3_exec(db,
                     "CREATE TABLE jobs(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT,"
                     " state TEXT NOT NULL, opts TEXT NOT NULL, created REAL NOT NULL,"
                     " ended REAL, committed INTEGER NOT NULL DEFAULT 0, error TEXT,"
                     " warc_committed INTEGER NOT NULL DEFAULT 0);"
                     "INSERT INTO jobs(id,name,state,opts,created,committed,warc_committed)"
                     " VALUES(7,'old','running','{}',1.0,4321,876);"
                     /* a frontier from before no_js */
                     "CREATE TABLE frontier(id INTEGER PRIMARY KEY, job_id INTEGER NOT NULL,"
                     " uh INTEGER NOT NULL, url TEXT NOT NULL, depth INTEGER NOT NULL,"
                     " parent TEXT, host TEXT NOT NULL, state INTEGER NOT NULL DEFAULT 0,"
                     " attempts INTEGER NOT NULL DEFAULT 0, not_before INTEGER NOT NULL"
                     " DEFAULT 0, UNIQUE(job_id, uh));"
                     "INSERT INTO frontier(id,job_id,uh,url,depth,host,attempts)"
                     " VALUES(3,7,1,'http://a/x',0,'http://a',1);",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    reopen();
    store_job got = {0};
    ck_assert_int_eq(store_jobs_foreach(S, grab_job, &got), 0);
    ck_assert_int_eq(got.id, 7);
    ck_assert_int_eq(got.committed, 4321);
    ck_assert_int_eq(got.warc_committed, 876);
    store_row rows[2];
    ck_assert_int_eq(store_rows_pending(S, 7, NULL, 0, 2, rows), 1);
    ck_assert_int_eq(rows[0].no_js, 0);
    ck_assert_int_eq(rows[0].sitemap, 0); /* a column added on open: a page */
    ck_assert_int_eq(rows[0].attempts, 1);
    store_rows_free(rows, 1);
    ck_assert_int_eq(store_row_requeue(S, 3, 2, 0, 1), 0);
    ck_assert_int_eq(store_rows_pending(S, 7, NULL, 0, 2, rows), 1);
    ck_assert_int_eq(rows[0].no_js, 1);
    ck_assert_int_eq(rows[0].retries, 0); /* the retry columns were added */
    ck_assert_ptr_null(rows[0].retry_reasons);
    store_rows_free(rows, 1);
    ck_assert_int_eq(store_row_retry(S, 3, 2, 99, 1, "503\n"), 0);
    ck_assert_int_eq(store_rows_pending(S, 7, NULL, 0, 2, rows), 1);
    ck_assert_int_eq(rows[0].retries, 1);
    store_rows_free(rows, 1);
    ck_assert_int_eq(store_group_begin(S), 0);
    store_lengths len = {7, 4321, 5000, 876, 876, 0, 0};
    ck_assert_int_eq(store_group_commit(S, NULL, 0, &len, 1), STORE_OK);
    reopen(); /* and the copy is made once: the new offset is not overwritten */
    ck_assert_int_eq(store_jobs_foreach(S, grab_job, &got), 0);
    ck_assert_int_eq(got.committed, 5000);
    ck_assert_int_eq(got.warc_committed, 876);
}
END_TEST

START_TEST(in_flight_rows_reset_on_open)
{
    long long j = new_job(), rid;
    store_row_add(S, j, "http://a/1", 0, NULL, "http://a", ROW_IN_FLIGHT, &rid);
    reopen();
    long c[ROW_STATE_COUNT];
    store_job_counts(S, j, c);
    ck_assert_int_eq(c[ROW_IN_FLIGHT], 0);
    ck_assert_int_eq(c[ROW_PENDING], 1);
}
END_TEST

START_TEST(crash_mid_transaction_keeps_last_commit)
{
    long long j = new_job(), rid;
    store_row_add(S, j, "http://a/1", 0, NULL, "http://a", ROW_PENDING, &rid);
    store_lengths len = {j, 0, 100, 0, 0, 0, 0};
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_group_commit(S, NULL, 0, &len, 1), STORE_OK);
    store_close(S);
    S = NULL;
    pid_t pid = fork();
    if (pid == 0) { /* its own connection, after the fork; dies inside a transaction */
        char err[256];
        store *c = store_open(spec, err, sizeof(err));
        if (!c)
            _exit(3);
        store_group_begin(c);
        store_row_finish(c, rid, ROW_DONE, 1);
        store_row_add(c, j, "http://a/2", 1, "http://a/1", "http://a", ROW_PENDING, NULL);
        _exit(0); /* no commit, no close: as kill -9 */
    }
    int st;
    waitpid(pid, &st, 0);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    char err[256];
    S = store_open(spec, err, sizeof(err));
    ck_assert_ptr_nonnull(S);
    store_job got = {0};
    store_jobs_foreach(S, grab_job, &got);
    ck_assert_int_eq(got.committed, 100);
    long c[ROW_STATE_COUNT];
    store_job_counts(S, j, c);
    ck_assert_int_eq(c[ROW_PENDING], 1);
}
END_TEST

START_TEST(job_ids_above_floor_and_state)
{
    ck_assert_int_eq(store_job_id_floor(S, 41), 0);
    long long j = new_job();
    ck_assert_int_eq(j, 42);
    ck_assert_int_eq(store_job_id_floor(S, 10), 0); /* never lowered */
    ck_assert_int_eq(new_job(), 43);
    ck_assert_int_eq(store_job_set_state(S, j, "done", 5.0, NULL), 0);
    reopen();
    store_job got = {0};
    store_jobs_foreach(S, grab_job, &got); /* last one wins: 43, running */
    ck_assert_int_eq(got.id, 43);
    ck_assert_str_eq(got.state, "running");
}
END_TEST

START_TEST(bad_path_is_an_error)
{
    char err[256] = "";
    store *x = store_open("/nonexistent/dir/crawld.db", err, sizeof(err));
    ck_assert_ptr_null(x);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/dir/crawld.db"));
}
END_TEST

/* The committed lengths of job id, read back. */
static void lengths_of(long long id, long long *pages, long long *warc)
{
    store_job got = {0};
    ck_assert_int_eq(store_jobs_foreach(S, grab_job, &got), 0); /* the last job */
    ck_assert_int_eq(got.id, id);
    *pages = got.committed;
    *warc = got.warc_committed;
}

/* A group as a batch builds it: a row ended, links admitted (new, seen),
 * then the commit moves the lengths from what they were. */
START_TEST(group_commit_moves_lengths_by_cas)
{
    long long j = new_job(), rid, lid = 0;
    ck_assert_int_eq(store_row_add(S, j, "http://a/1", 0, NULL, "http://a", ROW_PENDING, &rid), 1);
    ck_assert_int_eq(store_group_open(S), 0);
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_group_open(S), 1);
    ck_assert_int_eq(store_group_begin(S), -1); /* one group at a time */
    ck_assert_int_eq(store_row_finish(S, rid, ROW_DONE, 1), 0);
    ck_assert_int_eq(
        store_row_add(S, j, "http://a/2", 1, "http://a/1", "http://a", ROW_PENDING, &lid), 1);
    ck_assert_int_gt(lid, rid);
    ck_assert_int_eq(
        store_row_add(S, j, "http://a/2", 1, "http://a/1", "http://a", ROW_PENDING, NULL), 0);
    ck_assert_int_eq(
        store_row_add(S, j, "http://a/1", 1, "http://a/1", "http://a", ROW_PENDING, NULL), 0);
    store_lengths len = {j, 0, 500, 0, 70, 0, 0};
    ck_assert_int_eq(store_group_commit(S, NULL, 0, &len, 1), STORE_OK);
    ck_assert_int_eq(store_group_open(S), 0);
    /* No group open: nothing to commit. */
    ck_assert_int_eq(store_group_commit(S, NULL, 0, &len, 1), STORE_ERR);
    reopen();
    long long pages, warc;
    lengths_of(j, &pages, &warc);
    ck_assert_int_eq(pages, 500);
    ck_assert_int_eq(warc, 70);
    long c[ROW_STATE_COUNT];
    ck_assert_int_eq(store_job_counts(S, j, c), 0);
    ck_assert_int_eq(c[ROW_DONE], 1);
    ck_assert_int_eq(c[ROW_PENDING], 1);
    /* The next group moves them on from there. */
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_row_finish(S, lid, ROW_FAILED, 1), 0);
    store_lengths next = {j, 500, 800, 70, 70, 0, 0};
    ck_assert_int_eq(store_group_commit(S, NULL, 0, &next, 1), STORE_OK);
    lengths_of(j, &pages, &warc);
    ck_assert_int_eq(pages, 800);
    ck_assert_int_eq(warc, 70);
}
END_TEST

/* Expected lengths that are not the committed ones (another writer moved
 * them, or the caller's idea of its file is off): the whole group fails
 * with STORE_CONFLICT and nothing of it is kept: not the row it ended, not
 * the links it added (and the seen cache forgets them), not the lengths. */
START_TEST(group_cas_mismatch_keeps_nothing)
{
    long long j = new_job(), rid;
    ck_assert_int_eq(store_row_add(S, j, "http://a/1", 0, NULL, "http://a", ROW_PENDING, &rid), 1);
    ck_assert_int_eq(store_group_begin(S), 0);
    store_lengths first = {j, 0, 300, 0, 0, 0, 0};
    ck_assert_int_eq(store_group_commit(S, NULL, 0, &first, 1), STORE_OK);
    for (int k = 0; k < 2; k++) { /* the pages length off, then the WARC's */
        ck_assert_int_eq(store_group_begin(S), 0);
        ck_assert_int_eq(store_row_finish(S, rid, ROW_DONE, 1), 0);
        ck_assert_int_eq(
            store_row_add(S, j, "http://a/2", 1, "http://a/1", "http://a", ROW_PENDING, NULL), 1);
        ck_assert_int_eq(store_row_requeue(S, rid, 5, 0, 1), 0);
        store_lengths off = {j, k ? 300 : 299, 600, k ? 1 : 0, 9, 0, 0};
        ck_assert_int_eq(store_group_commit(S, NULL, 0, &off, 1), STORE_CONFLICT);
        ck_assert_int_eq(store_group_open(S), 0);
        ck_assert_ptr_nonnull(strstr(store_errmsg(S), "committed lengths"));
        long long pages, warc;
        lengths_of(j, &pages, &warc);
        ck_assert_int_eq(pages, 300);
        ck_assert_int_eq(warc, 0);
        long c[ROW_STATE_COUNT];
        ck_assert_int_eq(store_job_counts(S, j, c), 0);
        ck_assert_int_eq(c[ROW_PENDING], 1);
        ck_assert_int_eq(c[ROW_DONE], 0);
        store_row rows[4];
        ck_assert_int_eq(store_rows_pending(S, j, NULL, 0, 4, rows), 1);
        ck_assert_int_eq(rows[0].attempts, 0); /* the requeue went too */
        ck_assert_int_eq(rows[0].no_js, 0);
        store_rows_free(rows, 1);
    }
    /* A job the group does not know is a mismatch too. */
    ck_assert_int_eq(store_group_begin(S), 0);
    store_lengths none = {j + 100, 0, 1, 0, 0, 0, 0};
    ck_assert_int_eq(store_group_commit(S, NULL, 0, &none, 1), STORE_CONFLICT);
    /* With the right lengths the same group goes through. */
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_row_finish(S, rid, ROW_DONE, 1), 0);
    ck_assert_int_eq(
        store_row_add(S, j, "http://a/2", 1, "http://a/1", "http://a", ROW_PENDING, NULL), 1);
    store_lengths ok = {j, 300, 600, 0, 9, 0, 0};
    ck_assert_int_eq(store_group_commit(S, NULL, 0, &ok, 1), STORE_OK);
}
END_TEST

/* content.jsonl.zst's length (--save) moves by the same CAS, survives a
 * reopen, and a group expecting another one fails whole. */
START_TEST(group_cas_content_length)
{
    long long j = new_job(), rid;
    ck_assert_int_eq(store_row_add(S, j, "http://a/1", 0, NULL, "http://a", ROW_PENDING, &rid), 1);
    ck_assert_int_eq(store_group_begin(S), 0);
    store_lengths first = {j, 0, 300, 0, 0, 0, 4000};
    ck_assert_int_eq(store_group_commit(S, NULL, 0, &first, 1), STORE_OK);
    reopen();
    store_job got = {0};
    ck_assert_int_eq(store_jobs_foreach(S, grab_job, &got), 0);
    ck_assert_int_eq(got.content_committed, 4000);
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_row_finish(S, rid, ROW_DONE, 1), 0);
    store_lengths off = {j, 300, 600, 0, 0, 3999, 5000};
    ck_assert_int_eq(store_group_commit(S, NULL, 0, &off, 1), STORE_CONFLICT);
    ck_assert_int_eq(store_group_open(S), 0);
    long c[ROW_STATE_COUNT];
    ck_assert_int_eq(store_job_counts(S, j, c), 0);
    ck_assert_int_eq(c[ROW_DONE], 0);
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_row_finish(S, rid, ROW_DONE, 1), 0);
    store_lengths ok = {j, 300, 600, 0, 0, 4000, 5000};
    ck_assert_int_eq(store_group_commit(S, NULL, 0, &ok, 1), STORE_OK);
    ck_assert_int_eq(store_jobs_foreach(S, grab_job, &got), 0);
    ck_assert_int_eq(got.content_committed, 5000);
    ck_assert_int_eq(got.committed, 600);
}
END_TEST

/* Inside a group a row ends once, as outside: the second end answers 1
 * at once (the caller takes its record back) and the group still commits
 * the first. */
START_TEST(group_refuses_a_second_end)
{
    long long j = new_job(), rid;
    ck_assert_int_eq(store_row_add(S, j, "http://a/1", 0, NULL, "http://a", ROW_PENDING, &rid), 1);
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_row_finish(S, rid, ROW_DONE, 1), 0);
    ck_assert_int_eq(store_row_finish(S, rid, ROW_FAILED, 2), 1);
    ck_assert_int_eq(store_row_finish(S, rid + 1000, ROW_DONE, 1), 1); /* gone */
    ck_assert_int_eq(store_group_commit(S, NULL, 0, NULL, 0), STORE_OK);
    long c[ROW_STATE_COUNT];
    ck_assert_int_eq(store_job_counts(S, j, c), 0);
    ck_assert_int_eq(c[ROW_DONE], 1);
    ck_assert_int_eq(c[ROW_FAILED], 0);
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_row_finish(S, rid, ROW_FAILED, 3), 1); /* and in a later group */
    store_group_abort(S);
}
END_TEST

/* SQLite's leases: one node holds every host with pending rows, for good;
 * a group built under them commits, one under a lease that is not this
 * open's (forged, or an earlier process's) fails with STORE_LEASE_LOST and
 * keeps nothing. */
START_TEST(leases_one_node_holds_every_host)
{
    long long j = new_job(), rid;
    ck_assert_int_eq(store_row_add(S, j, "http://a/1", 0, NULL, "http://a", ROW_PENDING, &rid), 1);
    ck_assert_int_eq(store_row_add(S, j, "http://b/1", 0, NULL, "http://b", ROW_PENDING, NULL), 1);
    ck_assert_int_eq(store_row_add(S, j, "http://b/2", 0, NULL, "http://b", ROW_DONE, NULL), 1);
    store_lease l[4];
    ck_assert_int_eq(store_lease_claim(S, 4, 1000, l), 2);
    ck_assert_int_eq(store_lease_claim(S, 1, 1000, l + 2), 1);
    for (int i = 0; i < 2; i++) {
        ck_assert(strcmp(l[i].host, "http://a") == 0 || strcmp(l[i].host, "http://b") == 0);
        ck_assert_int_ne(l[i].epoch, 0);
        ck_assert_int_eq(l[i].until_ms, LLONG_MAX); /* never lapses */
    }
    ck_assert_int_eq(store_lease_renew(S, l, 2, 2000), 2);
    ck_assert_int_eq(l[0].until_ms, LLONG_MAX);
    /* A host's own rows, for the node that leases it. */
    store_row rows[4];
    ck_assert_int_eq(store_rows_pending(S, j, "http://b", 0, 4, rows), 1);
    ck_assert_str_eq(rows[0].url, "http://b/1");
    store_rows_free(rows, 1);
    ck_assert_int_eq(store_rows_pending(S, j, "http://c", 0, 4, rows), 0);
    /* Under a forged lease: lost, nothing kept. */
    store_lease forged[3] = {l[0], l[1], l[0]};
    forged[2].epoch++;
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_row_finish(S, rid, ROW_DONE, 1), 0);
    store_lengths len = {j, 0, 10, 0, 0, 0, 0};
    ck_assert_int_eq(store_group_commit(S, forged, 3, &len, 1), STORE_LEASE_LOST);
    ck_assert_ptr_nonnull(strstr(store_errmsg(S), "lease"));
    long c[ROW_STATE_COUNT];
    ck_assert_int_eq(store_job_counts(S, j, c), 0);
    ck_assert_int_eq(c[ROW_PENDING], 2);
    ck_assert_int_eq(store_lease_renew(S, forged, 3, 2000), 2);
    ck_assert_int_eq(forged[2].epoch, 0);
    /* Under the node's own leases the same group commits. */
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_row_finish(S, rid, ROW_DONE, 1), 0);
    ck_assert_int_eq(store_group_commit(S, l, 2, &len, 1), STORE_OK);
    ck_assert_int_eq(store_job_counts(S, j, c), 0);
    ck_assert_int_eq(c[ROW_PENDING], 1);
    /* Another open is another node's epoch: the old leases are lost. */
    reopen();
    ck_assert_int_eq(store_lease_renew(S, l, 2, 3000), 0);
    ck_assert_int_eq(store_lease_claim(S, 4, 1000, l), 1);
    ck_assert_str_eq(l[0].host, "http://b");
}
END_TEST

START_TEST(backend_from_the_spec)
{
    ck_assert_str_eq(store_backend(S), pg_spec ? "postgresql" : "sqlite");
    char other[600], err[512] = "";
    if (pg_spec) /* the short scheme too */
        snprintf(other, sizeof(other), "postgres://%s", strstr(pg_spec, "://") + 3);
    else
        snprintf(other, sizeof(other), "sqlite:%s", path);
    store *x = store_open(other, err, sizeof(err));
    ck_assert_msg(x != NULL, "%s", err);
    ck_assert_str_eq(store_backend(x), pg_spec ? "postgresql" : "sqlite");
    store_close(x);
    x = store_open("mysql://db/crawld", err, sizeof(err));
    ck_assert_ptr_null(x);
    ck_assert_ptr_nonnull(strstr(err, "mysql: no such store backend"));
    /* a PostgreSQL URI goes to libpq: no server there, and the error says where */
    x = store_open("postgresql:///crawld?host=/nonexistent/pg", err, sizeof(err));
    ck_assert_ptr_null(x);
    ck_assert_msg(strstr(err, "postgresql") && strstr(err, "/nonexistent/pg"), "%s", err);
}
END_TEST

/* ---- cookie jars ---- */

#define NOW 1800000000LL

static char *jar_for(long long job, const char *host)
{
    char *out = NULL;
    ck_assert_int_eq(store_cookies_for_host(S, job, host, NOW, &out), 0);
    return out;
}

static void merge(long long job, const char *lines, int set, int deleted, int refused)
{
    store_cookie_counts c;
    ck_assert_int_eq(store_cookies_merge(S, job, lines, strlen(lines), NOW, &c), 0);
    ck_assert_int_eq(c.set, set);
    ck_assert_int_eq(c.deleted, deleted);
    ck_assert_int_eq(c.refused, refused);
}

START_TEST(jar_set_overwrite_and_expire)
{
    long long j1 = new_job(), j2 = new_job();
    merge(j1,
          "a.example\tFALSE\t/\tFALSE\t0\tsid\tone\n"
          "#HttpOnly_.example\tTRUE\t/x\tFALSE\t1900000000\tpref\tdark\n",
          2, 0, 0);
    ck_assert_int_eq(store_cookies_count(S, j1, NOW), 2);
    ck_assert_int_eq(store_cookies_count(S, j2, NOW), 0);
    /* a host gets its own cookies and its parent domain's, longest path first */
    char *l = jar_for(j1, "a.example");
    ck_assert_str_eq(l, "#HttpOnly_.example\tTRUE\t/x\tFALSE\t1900000000\tpref\tdark\n"
                        "a.example\tFALSE\t/\tFALSE\t0\tsid\tone\n");
    alloc_strfree(l);
    l = jar_for(j1, "b.example"); /* the parent's only */
    ck_assert_str_eq(l, "#HttpOnly_.example\tTRUE\t/x\tFALSE\t1900000000\tpref\tdark\n");
    alloc_strfree(l);
    ck_assert_ptr_null(jar_for(j1, "xa.example.org")); /* not a suffix on a dot */
    ck_assert_ptr_null(jar_for(j1, "notexample"));
    ck_assert_ptr_null(jar_for(j2, "a.example")); /* another job's jar */
    /* the same (domain, path, name) again replaces it; the domain's case
     * and leading dot do not make another cookie */
    merge(j1, "A.Example\tFALSE\t/\tFALSE\t0\tsid\ttwo\n", 1, 0, 0);
    ck_assert_int_eq(store_cookies_count(S, j1, NOW), 2);
    l = jar_for(j1, "a.example");
    ck_assert_ptr_nonnull(strstr(l, "\tsid\ttwo\n"));
    ck_assert_ptr_null(strstr(l, "\tsid\tone"));
    alloc_strfree(l);
    /* a line expired at merge time deletes it; malformed lines are refused */
    merge(j1, "a.example\tFALSE\t/\tFALSE\t1\tsid\t\nnot a cookie\n# comment\n\n", 0, 1, 1);
    ck_assert_int_eq(store_cookies_count(S, j1, NOW), 1);
    l = jar_for(j1, "a.example");
    ck_assert_ptr_null(strstr(l, "sid"));
    alloc_strfree(l);
    /* one that expires later stays until then: counted and sent before, not after */
    merge(j1, "a.example\tFALSE\t/\tFALSE\t1800000100\tshort\tv\n", 1, 0, 0);
    ck_assert_int_eq(store_cookies_count(S, j1, NOW), 2);
    ck_assert_int_eq(store_cookies_count(S, j1, NOW + 200), 1);
    char *later = NULL;
    ck_assert_int_eq(store_cookies_for_host(S, j1, "a.example", NOW + 200, &later), 0);
    ck_assert_ptr_null(strstr(later, "short"));
    alloc_strfree(later);
}
END_TEST

START_TEST(jar_limits)
{
    long long j = new_job();
    char line[COOKIE_MAX_LINE + 200];
    /* per host: COOKIE_MAX_PER_HOST new ones, then refused; replacing one
     * of them still works */
    for (int i = 0; i < COOKIE_MAX_PER_HOST + 3; i++) {
        snprintf(line, sizeof(line), "h.example\tFALSE\t/\tFALSE\t0\tc%d\tv\n", i);
        merge(j, line, i < COOKIE_MAX_PER_HOST, 0, i >= COOKIE_MAX_PER_HOST);
    }
    merge(j, "h.example\tFALSE\t/\tFALSE\t0\tc0\tnew\n", 1, 0, 0);
    ck_assert_int_eq(store_cookies_count(S, j, NOW), COOKIE_MAX_PER_HOST);
    /* per cookie: a line longer than COOKIE_MAX_LINE is refused */
    int n = snprintf(line, sizeof(line), "o.example\tFALSE\t/\tFALSE\t0\tbig\t");
    memset(line + n, 'x', COOKIE_MAX_LINE);
    line[n + COOKIE_MAX_LINE] = '\0';
    merge(j, line, 0, 0, 1);
    /* per job: COOKIE_MAX_PER_JOB in all, over many hosts */
    int total = COOKIE_MAX_PER_HOST, refused = 0;
    for (int h = 0; total < COOKIE_MAX_PER_JOB + 5; h++)
        for (int i = 0; i < 10; i++, total++) {
            snprintf(line, sizeof(line), "h%d.example\tFALSE\t/\tFALSE\t0\tc%d\tv\n", h, i);
            store_cookie_counts c;
            ck_assert_int_eq(store_cookies_merge(S, j, line, strlen(line), NOW, &c), 0);
            refused += c.refused;
        }
    ck_assert_int_eq(store_cookies_count(S, j, NOW), COOKIE_MAX_PER_JOB);
    ck_assert_int_eq(refused, total - COOKIE_MAX_PER_JOB);
    /* a task carries at most COOKIE_MAX_TASK bytes of them */
    long long k = new_job();
    memset(line, 'y', 3000);
    for (int i = 0; i < 20; i++) {
        char l2[COOKIE_MAX_LINE + 100];
        snprintf(l2, sizeof(l2), "t.example\tFALSE\t/\tFALSE\t0\tc%d\t%.3000s\n", i, line);
        merge(k, l2, 1, 0, 0);
    }
    char *out = jar_for(k, "t.example");
    ck_assert_uint_le(strlen(out), COOKIE_MAX_TASK);
    ck_assert_uint_gt(strlen(out), COOKIE_MAX_TASK - 3100);
    alloc_strfree(out);
}
END_TEST

START_TEST(jar_goes_with_its_group)
{
    long long j = new_job();
    ck_assert_int_eq(store_group_begin(S), 0);
    merge(j, "g.example\tFALSE\t/\tFALSE\t0\tkept\tv\n", 1, 0, 0);
    ck_assert_int_eq(store_group_commit(S, NULL, 0, NULL, 0), STORE_OK);
    ck_assert_int_eq(store_group_begin(S), 0);
    merge(j, "g.example\tFALSE\t/\tFALSE\t0\tlost\tv\n", 1, 0, 0);
    store_group_abort(S);
    reopen();
    ck_assert_int_eq(store_cookies_count(S, j, NOW), 1);
    char *l = jar_for(j, "g.example");
    ck_assert_ptr_nonnull(strstr(l, "kept"));
    ck_assert_ptr_null(strstr(l, "lost"));
    alloc_strfree(l);
    if (pg_spec)
        return;
    /* a database from before the jar gets its table at open */
    store_close(S);
    S = NULL;
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "DROP TABLE cookies", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    reopen();
    ck_assert_int_eq(store_cookies_count(S, j, NOW), 0);
    merge(j, "g.example\tFALSE\t/\tFALSE\t0\tagain\tv\n", 1, 0, 0);
    ck_assert_int_eq(store_cookies_count(S, j, NOW), 1);
}
END_TEST

/* Cluster mode needs PostgreSQL: SQLite says so. */
START_TEST(sqlite_has_no_cluster_mode)
{
    ck_assert_int_eq(store_cluster_join(S, "a", 60000), -1);
    ck_assert_str_eq(store_errmsg(S), "cluster mode needs a PostgreSQL store");
    ck_assert_int_eq(store_reconnect(S), 0);
    ck_assert_int_eq(store_reconnect_needed(S), 0);
    long long j = new_job(); /* one node: every schedule's next run is its own */
    ck_assert_int_eq(store_job_claim_successor(S, j), 1);
    ck_assert_int_eq(store_job_claim_successor(S, j), 1);
}
END_TEST

/* ---- PostgreSQL alone ---- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static store *open_node(const char *with)
{
    char err[512];
    store *n = store_open(with, err, sizeof(err));
    ck_assert_msg(n != NULL, "%s", err);
    return n;
}

#define NODE_HOSTS 300

/* Two nodes (two processes, a store each) claim the same idle hosts at
 * once, a few at a time, until none is left: every host goes to exactly
 * one of them, and a third finds nothing idle while their leases last. */
START_TEST(pg_two_nodes_never_share_a_host)
{
    long long j = new_job();
    char u[64], h[64];
    ck_assert_int_eq(store_group_begin(S), 0);
    for (int i = 0; i < NODE_HOSTS; i++) {
        snprintf(h, sizeof(h), "http://h%d", i);
        snprintf(u, sizeof(u), "http://h%d/", i);
        ck_assert_int_eq(store_row_add(S, j, u, 0, NULL, h, ROW_PENDING, NULL), 1);
    }
    ck_assert_int_eq(store_group_commit(S, NULL, 0, NULL, 0), STORE_OK);
    int go[2];
    ck_assert_int_eq(pipe(go), 0);
    pid_t pid[2];
    char out[2][320];
    for (int k = 0; k < 2; k++) {
        snprintf(out[k], sizeof(out[k]), "%s/node%d", dir, k);
        pid[k] = fork();
        ck_assert_int_ge(pid[k], 0);
        if (pid[k] == 0) {
            close(go[1]);
            store *n = open_node(spec);
            FILE *f = fopen(out[k], "w");
            char c;
            if (!f || read(go[0], &c, 1) != 0) /* both start when the pipe closes */
                _exit(3);
            for (;;) {
                store_lease l[7];
                int got = store_lease_claim(n, 7, now_ms() + 60000, l);
                if (got < 0) {
                    fprintf(stderr, "%s\n", store_errmsg(n));
                    _exit(2);
                }
                if (got == 0)
                    break;
                for (int i = 0; i < got; i++)
                    fprintf(f, "%s %lld\n", l[i].host, l[i].epoch);
            }
            fclose(f);
            store_close(n);
            _exit(0);
        }
    }
    close(go[0]);
    close(go[1]);
    for (int k = 0; k < 2; k++) {
        int st;
        ck_assert_int_eq(waitpid(pid[k], &st, 0), pid[k]);
        ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "node %d: status %d", k, st);
    }
    static int owner[NODE_HOSTS];
    memset(owner, 0, sizeof(owner));
    int total = 0;
    for (int k = 0; k < 2; k++) {
        FILE *f = fopen(out[k], "r");
        ck_assert_ptr_nonnull(f);
        int i;
        long long epoch;
        while (fscanf(f, "http://h%d %lld\n", &i, &epoch) == 2) {
            ck_assert(i >= 0 && i < NODE_HOSTS);
            ck_assert_msg(owner[i] == 0, "host h%d leased by node %d and node %d", i, owner[i] - 1,
                          k);
            ck_assert_int_gt(epoch, 0);
            owner[i] = k + 1;
            total++;
        }
        fclose(f);
    }
    ck_assert_int_eq(total, NODE_HOSTS);
    store_lease l[4];
    ck_assert_int_eq(store_lease_claim(S, 4, now_ms() + 1000, l), 0);
}
END_TEST

/* A node's lease lapses (by the database's clock) and another node takes
 * the host: the first node's group, built under the old lease, is refused
 * at commit with STORE_LEASE_LOST and keeps nothing (the row it ended, the
 * link it added, the lengths); its renewal marks the lease lost; the new
 * holder commits the same work. A lease that lapsed with nobody taking it
 * is lost too. */
START_TEST(pg_commit_under_a_lost_lease_keeps_nothing)
{
    store *B = open_node(spec);
    long long j = new_job(), r1, r2;
    ck_assert_int_eq(store_row_add(S, j, "http://a/1", 0, NULL, "http://a", ROW_PENDING, &r1), 1);
    ck_assert_int_eq(store_row_add(S, j, "http://a/2", 0, NULL, "http://a", ROW_PENDING, &r2), 1);
    store_lease la, lb;
    ck_assert_int_eq(store_lease_claim(S, 4, now_ms() + 400, &la), 1);
    ck_assert_str_eq(la.host, "http://a");
    ck_assert_int_gt(la.epoch, 0);
    ck_assert_int_eq(store_lease_claim(B, 4, now_ms() + 60000, &lb), 0); /* A holds it */
    ck_assert_int_eq(store_lease_renew(S, &la, 1, now_ms() + 400), 1);
    /* under its lease, A commits */
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_row_finish(S, r1, ROW_DONE, 1), 0);
    store_lengths len = {j, 0, 10, 0, 0, 0, 0};
    ck_assert_int_eq(store_group_commit(S, &la, 1, &len, 1), STORE_OK);
    /* A builds a group; meanwhile its lease lapses and B takes the host */
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_row_finish(S, r2, ROW_DONE, 1), 0);
    ck_assert_int_eq(
        store_row_add(S, j, "http://a/3", 1, "http://a/2", "http://a", ROW_PENDING, NULL), 1);
    long long deadline = now_ms() + 10000;
    int got = 0;
    while (!got && now_ms() < deadline) {
        got = store_lease_claim(B, 4, now_ms() + 60000, &lb);
        ck_assert_int_ge(got, 0);
        if (!got)
            usleep(20000);
    }
    ck_assert_int_eq(got, 1);
    ck_assert_str_eq(lb.host, "http://a");
    ck_assert_int_gt(lb.epoch, la.epoch);
    store_lengths next = {j, 10, 20, 0, 0, 0, 0};
    ck_assert_int_eq(store_group_commit(S, &la, 1, &next, 1), STORE_LEASE_LOST);
    ck_assert_msg(strstr(store_errmsg(S), "lease of http://a lost"), "%s", store_errmsg(S));
    ck_assert_int_eq(store_group_open(S), 0);
    long c[ROW_STATE_COUNT];
    ck_assert_int_eq(store_job_counts(B, j, c), 0);
    ck_assert_int_eq(c[ROW_DONE], 1);
    ck_assert_int_eq(c[ROW_PENDING], 1); /* r2 still pending, http://a/3 not there */
    long long pages, warc;
    lengths_of(j, &pages, &warc);
    ck_assert_int_eq(pages, 10);
    ck_assert_int_eq(store_lease_renew(S, &la, 1, now_ms() + 1000), 0);
    ck_assert_int_eq(la.epoch, 0);
    /* B, the holder now, commits the same work */
    ck_assert_int_eq(store_group_begin(B), 0);
    ck_assert_int_eq(store_row_finish(B, r2, ROW_DONE, 1), 0);
    ck_assert_int_eq(
        store_row_add(B, j, "http://a/3", 1, "http://a/2", "http://a", ROW_PENDING, NULL), 1);
    ck_assert_int_eq(store_group_commit(B, &lb, 1, &next, 1), STORE_OK);
    lengths_of(j, &pages, &warc);
    ck_assert_int_eq(pages, 20);
    /* a lease that lapsed, taken by nobody: lost as well */
    ck_assert_int_eq(store_row_add(S, j, "http://b/1", 0, NULL, "http://b", ROW_PENDING, &r1), 1);
    store_lease lz;
    ck_assert_int_eq(store_lease_claim(S, 4, now_ms() - 1, &lz), 1); /* no time left */
    ck_assert_str_eq(lz.host, "http://b");
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_row_finish(S, r1, ROW_DONE, 1), 0);
    ck_assert_int_eq(store_group_commit(S, &lz, 1, NULL, 0), STORE_LEASE_LOST);
    ck_assert_int_eq(store_job_counts(S, j, c), 0);
    ck_assert_int_eq(c[ROW_PENDING], 2);
    store_close(B);
}
END_TEST

/* One seen set for every node: a URL another node admitted in a group is
 * seen once that group commits, and new again when it rolls back (the
 * second node's insert waits for the first's group either way). */
static int add_in_child(long long j, const char *url)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char err[512];
        store *n = store_open(spec, err, sizeof(err));
        if (!n)
            _exit(9);
        int rc = store_row_add(n, j, url, 0, NULL, "http://a", ROW_PENDING, NULL);
        store_close(n);
        _exit(rc < 0 ? 8 : rc);
    }
    return pid;
}

static int child_status(pid_t pid)
{
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFEXITED(st));
    return WEXITSTATUS(st);
}

START_TEST(pg_two_nodes_share_one_seen_set)
{
    long long j = new_job();
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_row_add(S, j, "http://a/1", 0, NULL, "http://a", ROW_PENDING, NULL), 1);
    pid_t pid = add_in_child(j, "http://a/1");
    ck_assert_int_eq(store_group_commit(S, NULL, 0, NULL, 0), STORE_OK);
    ck_assert_int_eq(child_status(pid), 0); /* seen */
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_row_add(S, j, "http://a/2", 0, NULL, "http://a", ROW_PENDING, NULL), 1);
    pid = add_in_child(j, "http://a/2");
    store_group_abort(S);
    ck_assert_int_eq(child_status(pid), 1); /* new: the other's row went */
    long c[ROW_STATE_COUNT];
    ck_assert_int_eq(store_job_counts(S, j, c), 0);
    ck_assert_int_eq(c[ROW_PENDING], 2);
}
END_TEST

/* The server ends the store's connection (pg_terminate_backend): the next
 * call fails and says so, a group cannot begin, and a reopen works with
 * everything committed still there. */
START_TEST(pg_killed_connection_fails_then_reopens)
{
    long long j = new_job();
    ck_assert_int_eq(store_row_add(S, j, "http://a/1", 0, NULL, "http://a", ROW_PENDING, NULL), 1);
    store_close(S);
    char victim[700];
    snprintf(victim, sizeof(victim), "%s%sapplication_name=crawld_victim", pg_spec,
             strchr(pg_spec, '?') ? "&" : "?");
    S = open_node(victim);
    PGconn *c = pg_admin();
    PGresult *r = PQexec(c, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE application_name='crawld_victim'");
    ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
    ck_assert_int_eq(PQntuples(r), 1);
    PQclear(r);
    long long deadline = now_ms() + 10000; /* until its backend is gone */
    for (int n = 1; n > 0 && now_ms() < deadline;) {
        r = PQexec(c, "SELECT 1 FROM pg_stat_activity WHERE application_name='crawld_victim'");
        n = PQntuples(r);
        PQclear(r);
        if (n)
            usleep(10000);
    }
    PQfinish(c);
    long counts[ROW_STATE_COUNT];
    ck_assert_int_eq(store_job_counts(S, j, counts), -1);
    const char *m = store_errmsg(S);
    ck_assert_msg(strstr(m, "postgresql: job counts: ") &&
                      (strstr(m, "terminat") || strstr(m, "connection")),
                  "%s", m);
    ck_assert_ptr_null(strchr(m, '\n'));
    ck_assert_int_eq(store_group_begin(S), -1);
    ck_assert_int_eq(store_probe_write(S), -1);
    reopen();
    ck_assert_int_eq(store_probe_write(S), 0);
    ck_assert_int_eq(store_job_counts(S, j, counts), 0);
    ck_assert_int_eq(counts[ROW_PENDING], 1);
}
END_TEST

/* ---- cluster mode (PostgreSQL) ---- */

static store *open_member(const char *name)
{
    store *n = open_node(pg_spec);
    ck_assert_msg(store_cluster_join(n, name, 60000) == 0, "%s", store_errmsg(n));
    return n;
}

static long long lengths_in(store *n, long long id)
{
    store_job got = {0};
    ck_assert_int_eq(store_jobs_foreach(n, grab_job, &got), 0); /* the last job */
    ck_assert_int_eq(got.id, id);
    return got.committed;
}

/* Two members of a cluster: each has its own committed lengths of one job
 * (pages.NODE.jsonl), moved by its own CAS; each reads the pending rows of
 * the hosts it leases only; a lease given back is claimed at once by the
 * other, with the time its next request may start. */
START_TEST(pg_cluster_members_keep_their_own_lengths_and_hosts)
{
    store_close(S);
    S = open_member("a");
    store *b = open_member("b");
    long long j = new_job(), rid;
    ck_assert_int_eq(store_row_add(S, j, "http://x/1", 0, NULL, "http://x", ROW_PENDING, &rid), 1);
    ck_assert_int_eq(store_row_add(S, j, "http://x/2", 0, NULL, "http://x", ROW_PENDING, NULL), 1);
    ck_assert_int_eq(store_row_add(S, j, "http://y/1", 0, NULL, "http://y", ROW_PENDING, NULL), 1);
    /* lengths: a's and b's, apart */
    ck_assert_int_eq(store_group_begin(S), 0);
    store_lengths la = {j, 0, 100, 0, 0, 0, 0};
    ck_assert_int_eq(store_group_commit(S, NULL, 0, &la, 1), STORE_OK);
    ck_assert_int_eq(lengths_in(S, j), 100);
    ck_assert_int_eq(lengths_in(b, j), 0);
    ck_assert_int_eq(store_group_begin(b), 0);
    store_lengths wrong = {j, 100, 150, 0, 0, 0, 0}; /* a's, not b's */
    ck_assert_int_eq(store_group_commit(b, NULL, 0, &wrong, 1), STORE_CONFLICT);
    ck_assert_int_eq(store_group_begin(b), 0);
    store_lengths lb = {j, 0, 40, 0, 0, 0, 0};
    ck_assert_int_eq(store_group_commit(b, NULL, 0, &lb, 1), STORE_OK);
    ck_assert_int_eq(lengths_in(S, j), 100);
    ck_assert_int_eq(lengths_in(b, j), 40);
    /* no lease, no rows */
    store_row rows[8];
    ck_assert_int_eq(store_rows_pending_bfs(S, j, 0, 0, 8, rows), 0);
    ck_assert_int_eq(store_rows_pending(S, j, NULL, 0, 8, rows), 0);
    long nodes = 0, hosts = 0;
    ck_assert_int_eq(store_cluster_share(S, 60000, &nodes, &hosts), 0);
    ck_assert_int_eq(hosts, 2);
    ck_assert_int_ge(nodes, 2);
    store_lease l[2], m[2];
    ck_assert_int_eq(store_lease_claim(S, 1, now_ms() + 60000, l), 1);
    ck_assert_int_eq(store_lease_claim(b, 2, now_ms() + 60000, m), 1);
    ck_assert_str_ne(l[0].host, m[0].host);
    store *hx = strcmp(l[0].host, "http://x") == 0 ? S : b;
    store *hy = hx == S ? b : S;
    int n = store_rows_pending_bfs(hx, j, 0, 0, 8, rows);
    ck_assert_int_eq(n, 2);
    for (int i = 0; i < n; i++)
        ck_assert_str_eq(rows[i].host, "http://x");
    store_rows_free(rows, n);
    n = store_rows_pending_bfs(hy, j, 0, 0, 8, rows);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(rows[0].host, "http://y");
    store_rows_free(rows, n);
    ck_assert_int_eq(store_job_pending_mine(hx, j), 2);
    ck_assert_int_eq(store_job_pending_mine(hy, j), 1);
    /* busy while x has pending rows; not once they ended */
    store_lease *lx = hx == S ? &l[0] : &m[0];
    int busy = -1;
    ck_assert_int_eq(store_leases_busy(hx, lx, 1, &busy), 0);
    ck_assert_int_eq(busy, 1);
    ck_assert_int_eq(store_row_finish(hx, rid, ROW_DONE, 1), 0);
    ck_assert_int_eq(store_row_finish(hx, rid + 1, ROW_DONE, 1), 0);
    ck_assert_int_eq(store_leases_busy(hx, lx, 1, &busy), 0);
    ck_assert_int_eq(busy, 0);
    /* given back with its next request's time; the other member takes it
     * at once (it has a pending row again) and learns that time */
    ck_assert_int_eq(store_row_add(S, j, "http://x/3", 1, NULL, "http://x", ROW_PENDING, NULL), 1);
    long long next_ok = now_ms() + 5000;
    ck_assert_int_eq(store_lease_release(hx, lx, next_ok), 1);
    ck_assert_int_eq(store_lease_release(hx, lx, next_ok), 0); /* not ours any more */
    store_lease t[2];
    ck_assert_int_eq(store_lease_claim(hy, 2, now_ms() + 60000, t), 1);
    ck_assert_str_eq(t[0].host, "http://x");
    ck_assert_int_eq(t[0].next_ok_ms, next_ok);
    ck_assert_int_gt(t[0].epoch, lx->epoch);
    /* a schedule's next run: one member starts it */
    ck_assert_int_eq(store_job_claim_successor(b, j), 1);
    ck_assert_int_eq(store_job_claim_successor(S, j), 0);
    ck_assert_int_eq(store_job_claim_successor(b, j), 0);
    store_close(b);
}
END_TEST

/* A member stopped inside a group (SIGSTOP) would hold its row locks and
 * stall the member that takes its hosts up: the server ends its session
 * after half a lease, so the other goes on, and the stopped one's commit
 * fails with its connection gone (it then reads its lengths again). */
START_TEST(pg_cluster_stopped_group_releases_its_locks)
{
    store_close(S);
    S = open_node(pg_spec);
    ck_assert_int_eq(store_cluster_join(S, "a", 400), 0);
    store *b = open_member("b");
    long long j = new_job(), rid;
    ck_assert_int_eq(store_row_add(S, j, "http://w/1", 0, NULL, "http://w", ROW_PENDING, &rid), 1);
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_row_finish(S, rid, ROW_DONE, 1), 0);
    usleep(700 * 1000); /* "stopped" past half its lease */
    long long t0 = now_ms();
    ck_assert_int_eq(store_row_finish(b, rid, ROW_DONE, 1), 0); /* not blocked, still pending */
    ck_assert_int_lt(now_ms() - t0, 5000);
    ck_assert_int_eq(store_group_commit(S, NULL, 0, NULL, 0), STORE_ERR);
    ck_assert_int_eq(store_reconnect_needed(S), 1);
    ck_assert_int_eq(store_reconnect(S), 1);
    long c[ROW_STATE_COUNT];
    ck_assert_int_eq(store_job_counts(S, j, c), 0);
    ck_assert_int_eq(c[ROW_DONE], 1);
    store_close(b);
}
END_TEST

/* Links go in apart from the open group, committed at once: a member's own
 * open group ending a row, or another member's, never makes them wait
 * (the links connection would wait on a transaction that waits for it);
 * a rollback keeps them; the seen cache answers repeats. */
START_TEST(pg_cluster_links_apart_from_the_group)
{
    store_close(S);
    S = open_member("a");
    store *b = open_member("b");
    long long j = new_job(), r1, r2;
    ck_assert_int_eq(store_row_add(S, j, "http://x/1", 0, NULL, "http://x", ROW_PENDING, &r1), 1);
    ck_assert_int_eq(store_row_add(S, j, "http://x/2", 0, NULL, "http://x", ROW_PENDING, &r2), 1);
    ck_assert_int_eq(store_group_begin(S), 0);
    ck_assert_int_eq(store_row_finish(S, r1, ROW_DONE, 1), 0);
    ck_assert_int_eq(store_group_begin(b), 0);
    ck_assert_int_eq(store_row_finish(b, r2, ROW_DONE, 1), 0);
    store_link l[3] = {{"http://x/1", "http://x", -1},
                       {"http://x/2", "http://x", -1},
                       {"http://y/9", "http://y", -1}};
    long long t0 = now_ms();
    ck_assert_int_eq(store_links_add(S, j, 1, "http://x/1", l, 3, 0), 1);
    ck_assert_int_lt(now_ms() - t0, 2000);
    ck_assert_int_eq(l[0].row_id, 0);
    ck_assert_int_eq(l[1].row_id, 0);
    ck_assert_int_gt(l[2].row_id, 0);
    store_group_abort(S);
    ck_assert_int_eq(store_group_commit(b, NULL, 0, NULL, 0), STORE_OK);
    long c[ROW_STATE_COUNT];
    ck_assert_int_eq(store_job_counts(b, j, c), 0);
    ck_assert_int_eq(c[ROW_PENDING], 2); /* x/1 (its end rolled back) and y/9 (kept) */
    ck_assert_int_eq(c[ROW_DONE], 1);
    ck_assert_int_eq(store_links_add(S, j, 1, "http://x/1", l, 3, 0), 0); /* the cache forgot */
    long long hits = store_seen_hits(S);
    ck_assert_int_eq(store_links_add(S, j, 1, "http://x/1", l, 3, 0), 0);
    ck_assert_int_eq(store_seen_hits(S), hits + 3);
    /* the other member learns y/9 is there from the database */
    store_link again = {"http://y/9", "http://y", -1};
    ck_assert_int_eq(store_links_add(b, j, 1, NULL, &again, 1, 0), 0);
    ck_assert_int_eq(again.row_id, 0);
    /* and its host has its row for the leases */
    store_lease got[2];
    ck_assert_int_eq(store_lease_claim(b, 2, now_ms() + 60000, got), 2);
    store_close(b);
}
END_TEST

#define LINK_ROUNDS 60
#define LINK_POOL 80

/* Two members, each in groups that end a row of its own and admit 40 of
 * the same 80 links in an order of its own, at the same time: in one open
 * group each (links admitted as rows of the group) they deadlock; apart,
 * sorted, they never do. */
START_TEST(pg_cluster_links_never_deadlock)
{
    long long j = new_job();
    ck_assert_int_eq(store_group_begin(S), 0);
    for (int i = 0; i < 2 * LINK_ROUNDS; i++) {
        char u[64];
        snprintf(u, sizeof(u), "http://own%d/%d", i % 2, i);
        ck_assert_int_eq(store_row_add(S, j, u, 0, NULL, "http://own", ROW_PENDING, NULL), 1);
    }
    ck_assert_int_eq(store_group_commit(S, NULL, 0, NULL, 0), STORE_OK);
    int go[2];
    ck_assert_int_eq(pipe(go), 0);
    pid_t pid[2];
    for (int k = 0; k < 2; k++) {
        pid[k] = fork();
        ck_assert_int_ge(pid[k], 0);
        if (pid[k] == 0) {
            close(go[1]);
            char name[16];
            snprintf(name, sizeof(name), "m%d", k);
            store *n = open_node(pg_spec);
            if (store_cluster_join(n, name, 60000) < 0)
                _exit(3);
            char c;
            if (read(go[0], &c, 1) != 0)
                _exit(3);
            unsigned seed = 7u + (unsigned)k;
            static char urls[LINK_POOL][48];
            for (int i = 0; i < LINK_POOL; i++)
                snprintf(urls[i], sizeof(urls[i]), "http://shared/%d", i);
            for (int round = 0; round < LINK_ROUNDS; round++) {
                store_row rows[1];
                char u[64];
                snprintf(u, sizeof(u), "http://own%d/%d", k, 2 * round + k);
                if (store_group_begin(n) < 0)
                    _exit(4);
                int got = store_rows_pending(n, j, "http://own", 0, 1, rows);
                if (got < 0)
                    _exit(5);
                store_link l[40];
                for (int i = 0; i < 40; i++) {
                    int pick = (int)(rand_r(&seed) % LINK_POOL);
                    l[i] = (store_link){urls[pick], "http://shared", 0};
                }
                if (store_links_add(n, j, 1, u, l, 40, 0) < 0) {
                    fprintf(stderr, "%s\n", store_errmsg(n));
                    _exit(6);
                }
                store_rc rc = store_group_commit(n, NULL, 0, NULL, 0);
                store_rows_free(rows, got);
                if (rc != STORE_OK) {
                    fprintf(stderr, "%s\n", store_errmsg(n));
                    _exit(7);
                }
            }
            store_close(n);
            _exit(0);
        }
    }
    close(go[0]);
    close(go[1]);
    for (int k = 0; k < 2; k++) {
        int st;
        ck_assert_int_eq(waitpid(pid[k], &st, 0), pid[k]);
        ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "member %d: status %d", k, st);
    }
    long c[ROW_STATE_COUNT];
    ck_assert_int_eq(store_job_counts(S, j, c), 0);
    ck_assert_int_le(c[ROW_PENDING], 2 * LINK_ROUNDS + LINK_POOL);
    ck_assert_int_gt(c[ROW_PENDING], 2 * LINK_ROUNDS + LINK_POOL / 2);
}
END_TEST

/* --max-pages across members: the job's admitted rows are one counter;
 * no member admits past max_rows, whoever admits first. */
START_TEST(pg_cluster_max_rows_across_members)
{
    store_close(S);
    S = open_member("a");
    store *b = open_member("b");
    long long j = new_job();
    ck_assert_int_eq(store_job_set_admitted(S, j, 2), 0); /* two seeds, say */
    store_link l[8];
    char u[8][32];
    for (int i = 0; i < 8; i++) {
        snprintf(u[i], sizeof(u[i]), "http://m/%d", i);
        l[i] = (store_link){u[i], "http://m", -1};
    }
    ck_assert_int_eq(store_links_add(S, j, 1, NULL, l, 4, 7), 4); /* 2 + 4: room for 1 more */
    ck_assert_int_eq(store_links_add(b, j, 1, NULL, l + 4, 4, 7), 1);
    int got = 0;
    for (int i = 4; i < 8; i++)
        got += l[i].row_id > 0;
    ck_assert_int_eq(got, 1);
    ck_assert_int_eq(store_links_add(S, j, 1, NULL, l + 4, 4, 7), 0); /* full */
    ck_assert_int_eq(store_links_add(S, j, 1, NULL, l + 4, 4, 0), 3); /* no cap */
    store_close(b);
}
END_TEST

typedef struct seen_nodes {
    int a, b, hosts_a;
    char info_a[128];
} seen_nodes;

static int grab_node(void *ud, const store_node *n)
{
    seen_nodes *x = ud;
    if (strcmp(n->name, "a") == 0) {
        x->a++;
        x->hosts_a = (int)n->hosts;
        snprintf(x->info_a, sizeof(x->info_a), "%s", n->info ? n->info : "");
        ck_assert_int_lt(n->seen_ms, 60000);
    }
    if (strcmp(n->name, "b") == 0)
        x->b++;
    return 0;
}

/* Heartbeats: the live members by name with what they said and the hosts
 * they hold; a member whose connection broke reconnects as a new node row
 * under the same name, its leases gone. SQLite has no cluster mode. */
START_TEST(pg_cluster_heartbeats_and_reconnect)
{
    store_close(S);
    char victim[700];
    snprintf(victim, sizeof(victim), "%s%sapplication_name=crawld_member", pg_spec,
             strchr(pg_spec, '?') ? "&" : "?");
    S = open_node(victim);
    ck_assert_int_eq(store_cluster_join(S, "a", 60000), 0);
    store *b = open_member("b");
    long long j = new_job();
    ck_assert_int_eq(store_row_add(S, j, "http://z/1", 0, NULL, "http://z", ROW_PENDING, NULL), 1);
    store_lease l[1];
    ck_assert_int_eq(store_lease_claim(S, 1, now_ms() + 60000, l), 1);
    ck_assert_int_eq(store_node_beat(S, "{\"pages\":7}"), 0);
    ck_assert_int_eq(store_node_beat(b, NULL), 0);
    seen_nodes x = {0};
    ck_assert_int_eq(store_nodes_foreach(b, 60000, grab_node, &x), 0);
    ck_assert_int_eq(x.a, 1);
    ck_assert_int_eq(x.b, 1);
    ck_assert_int_eq(x.hosts_a, 1);
    ck_assert_str_eq(x.info_a, "{\"pages\":7}");
    ck_assert_int_eq(store_reconnect(S), 0); /* up: nothing to do */
    ck_assert_int_eq(store_reconnect_needed(S), 0);
    PGconn *c = pg_admin();
    PGresult *r = PQexec(c, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE application_name='crawld_member'");
    ck_assert_int_ge(PQntuples(r), 1); /* its connection, and its links' */
    PQclear(r);
    PQfinish(c);
    long counts[ROW_STATE_COUNT];
    for (long long end = now_ms() + 10000; store_job_counts(S, j, counts) == 0 && now_ms() < end;)
        usleep(10000);
    ck_assert_int_eq(store_reconnect_needed(S), 1);
    ck_assert_int_eq(store_reconnect(S), 1);
    ck_assert_int_eq(store_job_counts(S, j, counts), 0);
    ck_assert_int_eq(counts[ROW_PENDING], 1);
    /* a new node row: the old one's lease is not this one's */
    ck_assert_int_eq(store_lease_renew(S, l, 1, now_ms() + 60000), 0);
    ck_assert_int_eq(store_node_beat(S, "{\"pages\":8}"), 0);
    memset(&x, 0, sizeof(x));
    ck_assert_int_eq(store_nodes_foreach(b, 60000, grab_node, &x), 0);
    ck_assert_int_eq(x.a, 1); /* one per name: the newest */
    ck_assert_str_eq(x.info_a, "{\"pages\":8}");
    store_close(b);
}
END_TEST

/* A spec with a password (in the URI's user part or as a parameter) that
 * fails to open names what failed, never the password. */
START_TEST(pg_errors_never_show_the_password)
{
    const char *query = strchr(pg_spec, '?');
    ck_assert_ptr_nonnull(query);
    char bad[2][700], err[512];
    snprintf(bad[0], sizeof(bad[0]), "postgresql://crawld:Sekr1t%%40pw@/nosuchdb%s", query);
    snprintf(bad[1], sizeof(bad[1]), "postgresql:///nosuchdb%s&user=crawld&password=Sekr1tpw",
             query);
    for (int i = 0; i < 2; i++) {
        err[0] = '\0';
        ck_assert_ptr_null(store_open(bad[i], err, sizeof(err)));
        ck_assert_msg(strstr(err, "nosuchdb") && strstr(err, "<redacted>"), "%s", err);
        ck_assert_msg(!strstr(err, "Sekr1t"), "the password shows: %s", err);
    }
}
END_TEST

/* A database whose schema is newer than this build's is refused, saying so. */
START_TEST(pg_newer_schema_refused)
{
    pg_exec("UPDATE crawld_schema SET version=99");
    char err[512];
    ck_assert_ptr_null(store_open(pg_spec, err, sizeof(err)));
    ck_assert_msg(strstr(err, "schema version is 99"), "%s", err);
    pg_exec("UPDATE crawld_schema SET version=1");
    store *x = open_node(pg_spec);
    store_close(x);
}
END_TEST

int main(void)
{
    pg_spec = getenv("CRAWLD_TEST_PG");
    if (pg_spec && !*pg_spec)
        pg_spec = NULL;
    Suite *s = suite_create(pg_spec ? "store (postgresql)" : "store");
    TCase *tc = tcase_create("store");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, insert_and_dedupe);
    tcase_add_test(tc, take_order_and_windows);
    tcase_add_test(tc, bfs_window_order);
    tcase_add_test(tc, requeue_keeps_attempts);
    tcase_add_test(tc, sitemap_rows_keep_their_kind);
    tcase_add_test(tc, retry_and_host_backoff_survive_reopen);
    tcase_add_test(tc, a_row_finishes_once);
    tcase_add_test(tc, committed_offset_survives_reopen);
    tcase_add_test(tc, captures_and_digests_survive_reopen);
    tcase_add_test(tc, in_flight_rows_reset_on_open);
    tcase_add_test(tc, crash_mid_transaction_keeps_last_commit);
    tcase_add_test(tc, job_ids_above_floor_and_state);
    tcase_add_test(tc, seen_cache_answers_repeats_and_forgets_a_rollback);
    tcase_add_test(tc, group_commit_moves_lengths_by_cas);
    tcase_add_test(tc, group_cas_mismatch_keeps_nothing);
    tcase_add_test(tc, group_cas_content_length);
    tcase_add_test(tc, group_refuses_a_second_end);
    tcase_add_test(tc, backend_from_the_spec);
    tcase_add_test(tc, jar_set_overwrite_and_expire);
    tcase_add_test(tc, jar_limits);
    tcase_add_test(tc, jar_goes_with_its_group);
    if (!pg_spec) { /* SQLite's own: its files, its one node */
        tcase_add_test(tc, older_database_keeps_its_offsets);
        tcase_add_test(tc, bad_path_is_an_error);
        tcase_add_test(tc, leases_one_node_holds_every_host);
        tcase_add_test(tc, sqlite_has_no_cluster_mode);
    } else {
        tcase_add_test(tc, pg_two_nodes_never_share_a_host);
        tcase_add_test(tc, pg_commit_under_a_lost_lease_keeps_nothing);
        tcase_add_test(tc, pg_two_nodes_share_one_seen_set);
        tcase_add_test(tc, pg_killed_connection_fails_then_reopens);
        tcase_add_test(tc, pg_errors_never_show_the_password);
        tcase_add_test(tc, pg_newer_schema_refused);
        tcase_add_test(tc, pg_cluster_members_keep_their_own_lengths_and_hosts);
        tcase_add_test(tc, pg_cluster_heartbeats_and_reconnect);
        tcase_add_test(tc, pg_cluster_stopped_group_releases_its_locks);
        tcase_add_test(tc, pg_cluster_links_apart_from_the_group);
        tcase_add_test(tc, pg_cluster_links_never_deadlock);
        tcase_add_test(tc, pg_cluster_max_rows_across_members);
    }
    suite_add_tcase(s, tc);
    return testutil_run(s);
}
