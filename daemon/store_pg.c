/* store_pg — the store's PostgreSQL backend (store_int.h) through libpq:
 * one connection per open store (one node), statements prepared once on
 * it, a group is one READ COMMITTED transaction. Hosts are leased with
 * FOR UPDATE SKIP LOCKED and their leases timed by the database's clock;
 * each open is a node (the nodes table) with an epoch of its own.
 * docs/daemon.md, "PostgreSQL backend". Over ~900 lines because it is
 * one implementation of every store_ops entry (store_int.h), each a
 * prepared statement and its result read, against one connection. */
#include "store_int.h"
#include "alloc.h"

#include <libpq-fe.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The schema this build writes; a database of a newer one is refused. */
#define PG_SCHEMA_VERSION 2 /* 2: job_offsets per (job, node); nodes.info */
/* Held while the schema is created, so two nodes starting together do not
 * race on CREATE TABLE IF NOT EXISTS. */
#define PG_SCHEMA_LOCK 0x637261776c64LL /* "crawld" */
#define PG_MAX_ARGS 12

/* A job's committed lengths, one column each, in store_lengths' order: a
 * length added to store_lengths is a column here and a pair in
 * lengths_pairs(); the CAS statement is built from this list. */
static const char *const length_cols[] = {"committed", "warc_committed", "content_committed"};
#define PG_NLENGTHS ((int)(sizeof(length_cols) / sizeof(length_cols[0])))

static void lengths_pairs(const store_lengths *l, long long from[], long long to[])
{
    from[0] = l->pages_from, to[0] = l->pages_to;
    from[1] = l->warc_from, to[1] = l->warc_to;
    from[2] = l->content_from, to[2] = l->content_to;
}

enum {
    P_JOB_INSERT,
    P_JOB_OFFSETS_INSERT,
    P_JOB_STATE,
    P_JOB_ALL,
    P_JOB_COUNTS,
    P_JOB_DROP,
    P_JOB_SITEMAPS,
    P_JOB_FLOOR,
    P_JOB_CAS,
    P_FR_ADD,
    P_FR_DELETE,
    P_FR_WINDOW,
    P_FR_WINDOW_BFS,
    P_FR_WINDOW_DEEPER,
    P_FR_WINDOW_HOST,
    P_FR_FINISH,
    P_FR_REQUEUE,
    P_FR_RETRY,
    P_LEASE_CLAIM,
    P_LEASE_RENEW,
    P_LEASE_LOCK,
    P_LEASE_CHECK,
    P_HB_PUT,
    P_HB_DELETE,
    P_HB_ALL,
    P_CAP_PUT,
    P_CAP_GET,
    P_CAP_FORGET,
    P_DIG_PUT,
    P_DIG_GET,
    P_DIG_FORGET,
    P_CK_PUT,
    P_CK_DELETE,
    P_CK_EXISTS,
    P_CK_COUNT_JOB,
    P_CK_COUNT_DOMAIN,
    P_CK_HOST,
    P_CK_COPY,
    P_OFFSETS_MINE,
    P_NODE_NAME,
    P_NODE_BEAT,
    P_NODES_LIVE,
    P_SHARE,
    P_LEASE_RELEASE,
    P_LEASE_BUSY,
    P_JOB_PENDING_MINE,
    P_JOB_NODES,
    P_JOB_SUCCESSOR,
    P_JOB_ADMITTED,
    P_COUNT
};

/* What each statement does, for error messages ("frontier insert: …"). */
static const struct {
    const char *what, *sql;
} stmts[P_COUNT] = {
    [P_JOB_INSERT] = {"job insert", "INSERT INTO jobs(name,state,opts,created) "
                                    "VALUES($1,$2,$3,$4::float8) RETURNING id"},
    [P_JOB_OFFSETS_INSERT] = {"job offsets insert",
                              "INSERT INTO job_offsets(job_id,node) VALUES($1,$2) "
                              "ON CONFLICT DO NOTHING"},
    [P_JOB_STATE] = {"job state",
                     "UPDATE jobs SET state=$2, ended=$3::float8, error=$4 WHERE id=$1::bigint"},
    [P_JOB_ALL] = {"jobs read",
                   "SELECT j.id,j.name,j.state,j.opts,j.created,j.ended,o.committed,j.error,"
                   "o.warc_committed,o.content_committed FROM jobs j LEFT JOIN job_offsets o "
                   "ON o.job_id=j.id AND o.node=$1 ORDER BY j.id"},
    [P_JOB_COUNTS] = {"job counts",
                      "SELECT state,count(*) FROM frontier WHERE job_id=$1 GROUP BY state"},
    [P_JOB_DROP] = {"job drop pending", "UPDATE frontier SET state=4 WHERE job_id=$1 AND state=0"},
    [P_JOB_SITEMAPS] = {"job sitemaps",
                        "SELECT count(*) FROM frontier WHERE job_id=$1 AND sitemap>=$2"},
    /* new ids above floor, never lowered: the sequence's last value is the
     * last id given (or, not yet called, one less than the next) */
    [P_JOB_FLOOR] = {"job id floor",
                     "SELECT setval('jobs_id_seq', $1::bigint) FROM jobs_id_seq "
                     "WHERE (CASE WHEN is_called THEN last_value ELSE last_value-1 END)"
                     " < $1::bigint"},
    [P_JOB_CAS] = {"committed lengths", NULL}, /* built from length_cols (pg_open) */
    [P_FR_ADD] = {"frontier insert",
                  /* the host gets its hosts row (leases) with its first URL */
                  "WITH ins AS (INSERT INTO frontier(job_id,uh,url,depth,parent,host,state,sitemap)"
                  " VALUES($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (job_id,uh) DO NOTHING"
                  " RETURNING id,host),"
                  " h AS (INSERT INTO hosts(host) SELECT host FROM ins ON CONFLICT DO NOTHING)"
                  " SELECT id FROM ins"},
    [P_FR_DELETE] = {"frontier delete", "DELETE FROM frontier WHERE id=$1"},
    [P_FR_WINDOW] = {"pending rows",
                     "SELECT id,url,parent,host,depth,attempts,not_before,no_js,sitemap,retries,"
                     "retry_reasons FROM frontier WHERE job_id=$1 AND state=0 AND id>$2 "
                     "AND ($4::bigint=0 OR host IN (SELECT host FROM hosts WHERE owner=$4)) "
                     "ORDER BY id LIMIT $3"},
    [P_FR_WINDOW_BFS] = {"pending rows (breadth-first)",
                         "SELECT id,url,parent,host,depth,attempts,not_before,no_js,sitemap,"
                         "retries,retry_reasons FROM frontier WHERE job_id=$1 AND state=0 "
                         "AND depth=$4 AND id>$2 "
                         "AND ($5::bigint=0 OR host IN (SELECT host FROM hosts WHERE owner=$5)) "
                         "ORDER BY id LIMIT $3"},
    [P_FR_WINDOW_DEEPER] = {"pending rows (deeper)",
                            "SELECT id,url,parent,host,depth,attempts,not_before,no_js,sitemap,"
                            "retries,retry_reasons FROM frontier WHERE job_id=$1 AND state=0 "
                            "AND depth>$2 "
                            "AND ($4::bigint=0 OR host IN (SELECT host FROM hosts WHERE owner=$4)) "
                            "ORDER BY depth,id LIMIT $3"},
    [P_FR_WINDOW_HOST] = {"pending rows of a host",
                          "SELECT id,url,parent,host,depth,attempts,not_before,no_js,sitemap,"
                          "retries,retry_reasons FROM frontier WHERE job_id=$1 AND state=0 "
                          "AND id>$2 AND host=$4 ORDER BY id LIMIT $3"},
    [P_FR_FINISH] = {"row finish",
                     "UPDATE frontier SET state=$2, attempts=$3 WHERE id=$1 AND state=0"},
    [P_FR_REQUEUE] = {"row requeue", "UPDATE frontier SET state=0, attempts=$2, not_before=$3, "
                                     "no_js=$4 WHERE id=$1"},
    [P_FR_RETRY] = {"row retry", "UPDATE frontier SET state=0, attempts=$2, not_before=$3, "
                                 "retries=$4, retry_reasons=$5 WHERE id=$1"},
    /* Idle hosts with pending rows: not leased, or their lease ran out by
     * the database's clock. SKIP LOCKED passes over hosts another node is
     * claiming or committing under; a row locked after our snapshot is
     * checked again on its newest version, so two nodes never both get
     * one. Each claim takes a new epoch. $3: the lease's length in ms. */
    [P_LEASE_CLAIM] = {"lease claim",
                       "WITH c AS (SELECT h.host FROM hosts h"
                       " WHERE (h.owner IS NULL OR h.lease_until <= clock_timestamp())"
                       " AND EXISTS (SELECT 1 FROM frontier f WHERE f.host=h.host AND f.state=0)"
                       " ORDER BY h.host LIMIT $2 FOR UPDATE SKIP LOCKED)"
                       " UPDATE hosts h SET owner=$1, epoch=nextval('lease_epoch'),"
                       " lease_until=clock_timestamp() + $3::bigint * interval '1 millisecond'"
                       " FROM c WHERE h.host=c.host RETURNING h.host, h.epoch, h.next_ok_at"},
    [P_LEASE_RENEW] = {"lease renew",
                       "UPDATE hosts h SET"
                       " lease_until=clock_timestamp() + $3::bigint * interval '1 millisecond'"
                       " FROM unnest($1::text[], $2::bigint[]) AS l(host, epoch)"
                       " WHERE h.host=l.host AND h.epoch=l.epoch AND h.owner=$4"
                       " AND h.lease_until > clock_timestamp() RETURNING h.host, h.epoch"},
    /* A commit locks its hosts first (a claim skips them from then on),
     * then checks them: the ones not held. */
    [P_LEASE_LOCK] = {"lease lock", "SELECT host FROM hosts WHERE host = ANY($1::text[]) "
                                    "ORDER BY host FOR SHARE"},
    [P_LEASE_CHECK] =
        {"lease check",
         "SELECT l.host, l.epoch FROM unnest($1::text[], $2::bigint[]) AS l(host, "
         "epoch) WHERE NOT EXISTS (SELECT 1 FROM hosts h WHERE h.host=l.host"
         " AND h.epoch=l.epoch AND h.owner=$3 AND h.lease_until > clock_timestamp())"},
    [P_HB_PUT] = {"host back-off",
                  "INSERT INTO host_backoff(host,delay_ms,until_ms) VALUES($1,$2,$3) "
                  "ON CONFLICT(host) DO UPDATE SET delay_ms=$2, until_ms=$3"},
    [P_HB_DELETE] = {"host back-off delete", "DELETE FROM host_backoff WHERE host=$1"},
    [P_HB_ALL] = {"host back-offs read", "SELECT host,delay_ms,until_ms FROM host_backoff"},
    [P_CAP_PUT] = {"capture put",
                   "INSERT INTO recrawl(job_id,url,etag,last_modified,date) VALUES($1,$2,$3,$4,$5) "
                   "ON CONFLICT(job_id,url) DO UPDATE SET etag=$3, last_modified=$4, date=$5"},
    [P_CAP_GET] = {"capture get",
                   "SELECT etag,last_modified,date FROM recrawl WHERE job_id=$1 AND url=$2"},
    [P_CAP_FORGET] = {"captures drop", "DELETE FROM recrawl WHERE job_id=$1"},
    [P_DIG_PUT] = {"digest put", "INSERT INTO digests(job_id,digest,url,date) VALUES($1,$2,$3,$4) "
                                 "ON CONFLICT DO NOTHING"},
    [P_DIG_GET] = {"digest get", "SELECT url,date FROM digests WHERE job_id=$1 AND digest=$2"},
    [P_DIG_FORGET] = {"digests drop", "DELETE FROM digests WHERE job_id=$1"},
    [P_CK_PUT] = {"cookie put", "INSERT INTO cookies(job_id,domain,path,name,expires,line) "
                                "VALUES($1,$2,$3,$4,$5,$6) ON CONFLICT(job_id,domain,path,name) "
                                "DO UPDATE SET expires=$5, line=$6"},
    [P_CK_DELETE] = {"cookie delete",
                     "DELETE FROM cookies WHERE job_id=$1 AND domain=$2 AND path=$3 AND name=$4"},
    [P_CK_EXISTS] = {"cookie lookup", "SELECT 1 FROM cookies WHERE job_id=$1 AND domain=$2 "
                                      "AND path=$3 AND name=$4"},
    [P_CK_COUNT_JOB] = {"cookie count", "SELECT count(*) FROM cookies WHERE job_id=$1 "
                                        "AND ($2::bigint=0 OR expires=0 OR expires>$2::bigint)"},
    [P_CK_COUNT_DOMAIN] = {"cookie count", "SELECT count(*) FROM cookies WHERE job_id=$1 AND "
                                           "domain=$2 AND ($3::bigint=0 OR expires=0 OR "
                                           "expires>$3::bigint)"},
    /* the host itself or a parent domain; byte order as SQLite's */
    [P_CK_HOST] = {"cookies of a host",
                   "SELECT line FROM cookies WHERE job_id=$1 "
                   "AND (domain=$2 OR right($2, length(domain)+1)='.'||domain) "
                   "AND (expires=0 OR expires>$3::bigint) "
                   "ORDER BY length(path) DESC, domain COLLATE \"C\", name COLLATE \"C\""},
    [P_CK_COPY] = {"cookies copy", "INSERT INTO cookies(job_id,domain,path,name,expires,line) "
                                   "SELECT $2,domain,path,name,expires,line FROM cookies "
                                   "WHERE job_id=$1 AND (expires=0 OR expires>$3::bigint) "
                                   "ON CONFLICT DO NOTHING"},
    /* ---- cluster mode (store_cluster_join) ---- */
    [P_OFFSETS_MINE] = {"job offsets insert",
                        "INSERT INTO job_offsets(job_id,node) SELECT id,$1 FROM jobs "
                        "WHERE state IN ('running','paused') ON CONFLICT DO NOTHING"},
    [P_NODE_NAME] = {"node name", "UPDATE nodes SET name=$2 WHERE id=$1"},
    [P_NODE_BEAT] = {"node heartbeat",
                     "UPDATE nodes SET seen=clock_timestamp(), info=$2 WHERE id=$1"},
    /* the live nodes (a heartbeat within $1 ms), one per name (its newest
     * open), with the hosts each holds now */
    [P_NODES_LIVE] = {"nodes read",
                      "SELECT DISTINCT ON (n.name) n.name, n.info,"
                      " (extract(epoch FROM clock_timestamp()-n.seen)*1000)::bigint,"
                      " (SELECT count(*) FROM hosts h WHERE h.owner=n.id"
                      " AND h.lease_until > clock_timestamp())"
                      " FROM nodes n WHERE n.seen > clock_timestamp() - $1::bigint * interval "
                      "'1 millisecond' ORDER BY n.name, n.id DESC"},
    [P_SHARE] = {"cluster share",
                 "SELECT (SELECT count(DISTINCT name) FROM nodes WHERE seen > clock_timestamp()"
                 " - $1::bigint * interval '1 millisecond'),"
                 " (SELECT count(*) FROM hosts h WHERE EXISTS (SELECT 1 FROM frontier f"
                 " WHERE f.host=h.host AND f.state=0))"},
    /* a lease given back: free at once, its next request's time kept */
    [P_LEASE_RELEASE] = {"lease release",
                         "UPDATE hosts SET owner=NULL, lease_until=clock_timestamp(),"
                         " next_ok_at=$3 WHERE host=$1 AND epoch=$2 AND owner=$4"},
    [P_LEASE_BUSY] = {"hosts with pending rows",
                      "SELECT l.host FROM unnest($1::text[]) AS l(host) WHERE EXISTS"
                      " (SELECT 1 FROM frontier f WHERE f.host=l.host AND f.state=0)"},
    [P_JOB_PENDING_MINE] = {"pending rows of this node's hosts",
                            "SELECT count(*) FROM frontier WHERE job_id=$1 AND state=0 AND host IN"
                            " (SELECT host FROM hosts WHERE owner=$2)"},
    [P_JOB_ADMITTED] = {"job admitted", "UPDATE jobs SET admitted=$2 WHERE id=$1"},
    [P_JOB_SUCCESSOR] = {"job successor",
                         "UPDATE jobs SET successor=true WHERE id=$1 AND NOT successor"},
    [P_JOB_NODES] = {"job's nodes",
                     "SELECT node, committed, warc_committed, content_committed FROM job_offsets "
                     "WHERE job_id=$1 ORDER BY node COLLATE \"C\""},
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS crawld_schema(version integer NOT NULL);"
    "CREATE TABLE IF NOT EXISTS jobs("
    " id bigserial PRIMARY KEY, name text, state text NOT NULL, opts text NOT NULL,"
    " created double precision NOT NULL, ended double precision, error text,"
    " successor boolean NOT NULL DEFAULT false," /* a schedule's next run started */
    " admitted bigint NOT NULL DEFAULT 0);"      /* cluster mode: rows --max-pages counts */
    /* a job's committed lengths, per node: each node writes its own files
     * (pages.NODE.jsonl); node '' is the one node outside cluster mode */
    "CREATE TABLE IF NOT EXISTS job_offsets("
    " job_id bigint NOT NULL, node text NOT NULL DEFAULT '',"
    " committed bigint NOT NULL DEFAULT 0,"
    " warc_committed bigint NOT NULL DEFAULT 0,"
    " content_committed bigint NOT NULL DEFAULT 0," /* content.jsonl.zst (--save) */
    " PRIMARY KEY(job_id, node));"
    "CREATE TABLE IF NOT EXISTS frontier("
    " id bigserial PRIMARY KEY, job_id bigint NOT NULL, uh bigint NOT NULL, url text NOT NULL,"
    " depth integer NOT NULL, parent text, host text NOT NULL,"
    " state smallint NOT NULL DEFAULT 0, attempts integer NOT NULL DEFAULT 0,"
    " not_before bigint NOT NULL DEFAULT 0, no_js integer NOT NULL DEFAULT 0,"
    " sitemap integer NOT NULL DEFAULT 0, retries integer NOT NULL DEFAULT 0,"
    " retry_reasons text, UNIQUE(job_id, uh));"
    "CREATE INDEX IF NOT EXISTS frontier_pending_depth ON frontier(job_id, depth, id)"
    " WHERE state=0;"
    "CREATE INDEX IF NOT EXISTS frontier_pending_host ON frontier(job_id, host, id)"
    " WHERE state=0;"
    /* a lease claim's question: has this host pending rows, of any job */
    "CREATE INDEX IF NOT EXISTS frontier_pending_hosts ON frontier(host) WHERE state=0;"
    /* one row per host ever admitted: who leases it (a node's id), under
     * which epoch, until when (the database's clock), and when its next
     * request may start (kept for the scheduler, unused yet) */
    "CREATE TABLE IF NOT EXISTS hosts("
    " host text PRIMARY KEY, owner bigint, epoch bigint NOT NULL DEFAULT 0,"
    " lease_until timestamptz, next_ok_at bigint NOT NULL DEFAULT 0);"
    "CREATE SEQUENCE IF NOT EXISTS lease_epoch;"
    /* each open store is a node: its id owns leases, its epoch is unique */
    "CREATE TABLE IF NOT EXISTS nodes("
    " id bigserial PRIMARY KEY, name text NOT NULL, epoch bigint NOT NULL,"
    " started timestamptz NOT NULL DEFAULT clock_timestamp(), seen timestamptz, info text);"
    "CREATE TABLE IF NOT EXISTS host_backoff("
    " host text PRIMARY KEY, delay_ms bigint NOT NULL, until_ms bigint NOT NULL);"
    "CREATE TABLE IF NOT EXISTS recrawl("
    " job_id bigint NOT NULL, url text NOT NULL, etag text, last_modified text, date text,"
    " PRIMARY KEY(job_id, url));"
    "CREATE TABLE IF NOT EXISTS digests("
    " job_id bigint NOT NULL, digest text NOT NULL, url text NOT NULL, date text NOT NULL,"
    " PRIMARY KEY(job_id, digest));"
    "CREATE TABLE IF NOT EXISTS cookies("
    " job_id bigint NOT NULL, domain text NOT NULL, path text NOT NULL, name text NOT NULL,"
    " expires bigint NOT NULL DEFAULT 0, line text NOT NULL,"
    " PRIMARY KEY(job_id, domain, path, name));";

typedef struct pg {
    PGconn *conn;
    long long node, epoch; /* this open's node row and its epoch */
    int cluster;           /* store_cluster_join: windows of this node's hosts only */
    char name[40];         /* its node_id in cluster mode; "" else */
    long long lease_ms;    /* cluster mode: the lease (the session's idle timeout) */
    char *spec;            /* for the links' connection */
    PGconn *links;         /* cluster mode: links admitted on their own, autocommit */
    char why[400];         /* the last failure, one line */
} pg;

typedef struct pgargs {
    const char *v[PG_MAX_ARGS];
    char num[PG_MAX_ARGS][24];
    int n;
} pgargs;

static void a_ll(pgargs *a, long long x)
{
    snprintf(a->num[a->n], sizeof(a->num[0]), "%lld", x);
    a->v[a->n] = a->num[a->n];
    a->n++;
}

static void a_dbl(pgargs *a, double x)
{
    snprintf(a->num[a->n], sizeof(a->num[0]), "%.17g", x);
    a->v[a->n] = a->num[a->n];
    a->n++;
}

static void a_str(pgargs *a, const char *s) { a->v[a->n++] = s; } /* NULL: SQL NULL */

/* libpq's messages run over lines (ERROR, DETAIL, HINT): one line here. */
static void set_why(pg *q, const char *what, const char *msg)
{
    int n =
        snprintf(q->why, sizeof(q->why), "postgresql: %s: %s", what, msg && *msg ? msg : "failed");
    if (n < 0)
        return;
    for (char *p = q->why; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    for (size_t l = strlen(q->why); l && q->why[l - 1] == ' ';)
        q->why[--l] = '\0';
}

static int res_ok(PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Runs prepared statement i: its result, or NULL (q->why says why). */
static PGresult *run(pg *q, int i, const pgargs *a)
{
    char name[16];
    snprintf(name, sizeof(name), "s%d", i);
    PGresult *r = PQexecPrepared(q->conn, name, a ? a->n : 0, a ? a->v : NULL, NULL, NULL, 0);
    if (r && res_ok(r))
        return r;
    set_why(q, stmts[i].what, r ? PQresultErrorMessage(r) : PQerrorMessage(q->conn));
    PQclear(r);
    return NULL;
}

/* A statement that answers no rows: 0 or -1. */
static int run_done(pg *q, int i, const pgargs *a)
{
    PGresult *r = run(q, i, a);
    PQclear(r);
    return r ? 0 : -1;
}

/* Rows a statement changed: -1 on error. */
static long long run_changed(pg *q, int i, const pgargs *a)
{
    PGresult *r = run(q, i, a);
    if (!r)
        return -1;
    long long n = atoll(PQcmdTuples(r));
    PQclear(r);
    return n;
}

/* A plain (not prepared) command: 0 or -1. */
static int exec_cmd(pg *q, const char *what, const char *sql)
{
    PGresult *r = PQexec(q->conn, sql);
    int ok = r && res_ok(r);
    if (!ok)
        set_why(q, what, r ? PQresultErrorMessage(r) : PQerrorMessage(q->conn));
    PQclear(r);
    return ok ? 0 : -1;
}

static long long val_ll(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static const char *val_str(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static char *val_dup(PGresult *r, int row, int col)
{
    const char *v = val_str(r, row, col);
    return v ? alloc_strdup(v) : NULL;
}

/* The spec as it may be shown: a password in the URI's user part or in a
 * password= parameter becomes "<redacted>". */
static void spec_redact(const char *spec, char *out, size_t cap)
{
    size_t o = 0;
    const char *p = spec, *auth = strstr(spec, "://");
    const char *at = NULL, *colon = NULL;
    if (auth) {
        auth += 3;
        const char *end = auth + strcspn(auth, "/?");
        for (const char *x = auth; x < end; x++)
            if (*x == '@')
                at = x; /* the last one: a password may hold '@' unencoded */
        if (at) {
            colon = memchr(auth, ':', (size_t)(at - auth));
        }
    }
    while (*p && o + 1 < cap) {
        if (colon && p == colon + 1) {
            o += (size_t)snprintf(out + o, cap - o, "<redacted>");
            if (o >= cap)
                break;
            p = at;
            continue;
        }
        if ((p == spec || p[-1] == '?' || p[-1] == '&') && strncmp(p, "password=", 9) == 0) {
            o += (size_t)snprintf(out + o, cap - o, "password=<redacted>");
            if (o >= cap)
                break;
            p += 9 + strcspn(p + 9, "&");
            continue;
        }
        out[o++] = *p++;
    }
    out[o < cap ? o : cap - 1] = '\0';
}

static const char *pg_errmsg(void *b)
{
    pg *q = b;
    return q->why[0] ? q->why : "postgresql: no error";
}

static void pg_close(void *b)
{
    pg *q = b;
    if (!q)
        return;
    PQfinish(q->conn);
    if (q->links)
        PQfinish(q->links);
    alloc_strfree(q->spec);
    ALLOC_FREE(q);
}

/* The schema, created if missing, under an advisory lock; its version row
 * written once, and a newer one refused. */
static int pg_schema(pg *q)
{
    if (exec_cmd(q, "begin", "BEGIN") < 0)
        return -1;
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%lld)", PG_SCHEMA_LOCK);
    if (exec_cmd(q, "schema lock", sql) < 0 || exec_cmd(q, "schema", schema) < 0)
        goto fail;
    PGresult *r = PQexec(q->conn, "SELECT max(version) FROM crawld_schema");
    if (!r || !res_ok(r)) {
        set_why(q, "schema version", r ? PQresultErrorMessage(r) : PQerrorMessage(q->conn));
        PQclear(r);
        goto fail;
    }
    int have = PQgetisnull(r, 0, 0) ? 0 : atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (have > PG_SCHEMA_VERSION) {
        snprintf(q->why, sizeof(q->why),
                 "postgresql: the database's schema version is %d, newer than this crawld's %d",
                 have, PG_SCHEMA_VERSION);
        goto fail;
    }
    if (have == 1 && exec_cmd(q, "schema upgrade",
                              "ALTER TABLE job_offsets ADD COLUMN IF NOT EXISTS node text "
                              "NOT NULL DEFAULT '';"
                              "ALTER TABLE job_offsets DROP CONSTRAINT IF EXISTS job_offsets_pkey;"
                              "ALTER TABLE job_offsets ADD PRIMARY KEY (job_id, node);"
                              "ALTER TABLE nodes ADD COLUMN IF NOT EXISTS info text;"
                              "ALTER TABLE jobs ADD COLUMN IF NOT EXISTS successor boolean "
                              "NOT NULL DEFAULT false;"
                              "ALTER TABLE jobs ADD COLUMN IF NOT EXISTS admitted bigint "
                              "NOT NULL DEFAULT 0;"
                              "UPDATE crawld_schema SET version=2") < 0)
        goto fail;
    if (have == 0) {
        snprintf(sql, sizeof(sql), "INSERT INTO crawld_schema(version) VALUES(%d)",
                 PG_SCHEMA_VERSION);
        if (exec_cmd(q, "schema version", sql) < 0)
            goto fail;
    }
    /* As SQLite's open: legacy in-flight rows pending, and what ended
     * jobs or long-past back-offs left behind pruned. */
    if (exec_cmd(q, "open cleanup",
                 "UPDATE frontier SET state=0 WHERE state=1;"
                 "DELETE FROM recrawl WHERE job_id IN "
                 "(SELECT id FROM jobs WHERE state IN ('done','cancelled','failed'));"
                 "DELETE FROM digests WHERE job_id IN "
                 "(SELECT id FROM jobs WHERE state IN ('done','cancelled','failed'));"
                 "DELETE FROM host_backoff WHERE "
                 "until_ms < extract(epoch FROM clock_timestamp())::bigint * 1000 - 86400000") < 0)
        goto fail;
    return exec_cmd(q, "commit", "COMMIT");
fail:
    exec_cmd(q, "rollback", "ROLLBACK");
    return -1;
}

/* This open as a node: its row, its id and epoch. */
static int pg_node(pg *q)
{
    char host[128] = "?", name[160];
    gethostname(host, sizeof(host) - 1);
    snprintf(name, sizeof(name), "%s:%ld", host, (long)getpid());
    const char *v[1] = {name};
    PGresult *r = PQexecParams(q->conn,
                               "INSERT INTO nodes(name,epoch,seen) "
                               "VALUES($1,nextval('lease_epoch'),clock_timestamp()) "
                               "RETURNING id,epoch",
                               1, NULL, v, NULL, NULL, 0);
    if (!r || !res_ok(r) || PQntuples(r) != 1) {
        set_why(q, "node register", r ? PQresultErrorMessage(r) : PQerrorMessage(q->conn));
        PQclear(r);
        return -1;
    }
    q->node = val_ll(r, 0, 0);
    q->epoch = val_ll(r, 0, 1);
    PQclear(r);
    return 0;
}

static int pg_prepare(pg *q)
{
    char cas[400];
    int o = snprintf(cas, sizeof(cas), "UPDATE job_offsets SET ");
    for (int i = 0; i < PG_NLENGTHS; i++)
        o += snprintf(cas + o, sizeof(cas) - (size_t)o, "%s%s=$%d", i ? ", " : "", length_cols[i],
                      3 + 2 * i);
    o += snprintf(cas + o, sizeof(cas) - (size_t)o, " WHERE job_id=$1 AND node=$%d",
                  2 + 2 * PG_NLENGTHS);
    for (int i = 0; i < PG_NLENGTHS; i++)
        o += snprintf(cas + o, sizeof(cas) - (size_t)o, " AND %s=$%d", length_cols[i], 2 + 2 * i);
    for (int i = 0; i < P_COUNT; i++) {
        const char *sql = i == P_JOB_CAS ? cas : stmts[i].sql;
        char name[16];
        snprintf(name, sizeof(name), "s%d", i);
        PGresult *r = PQprepare(q->conn, name, sql, 0, NULL);
        int ok = r && res_ok(r);
        if (!ok)
            set_why(q, stmts[i].what, r ? PQresultErrorMessage(r) : PQerrorMessage(q->conn));
        PQclear(r);
        if (!ok)
            return -1;
    }
    return 0;
}

static void notice_drop(void *ud, const char *msg)
{
    (void)ud;
    (void)msg;
}

static void *pg_open(const char *spec, char *err, size_t errlen)
{
    char shown[512];
    spec_redact(spec, shown, sizeof(shown));
    pg *q = ALLOC_NEW(pg);
    if (!q) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    q->spec = alloc_strdup(spec);
    if (!q->spec) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    q->conn = PQconnectdb(spec);
    if (!q->conn) {
        snprintf(err, errlen, "%s: out of memory", shown);
        goto fail;
    }
    if (PQstatus(q->conn) != CONNECTION_OK) {
        set_why(q, "connect", PQerrorMessage(q->conn));
        goto fail_why;
    }
    /* quiet: NOTICEs ("relation already exists, skipping") go nowhere */
    PQsetNoticeProcessor(q->conn, notice_drop, NULL);
    if (exec_cmd(q, "session", "SET client_min_messages=warning; SET TIME ZONE 'UTC'") < 0 ||
        pg_schema(q) < 0 || pg_node(q) < 0 || pg_prepare(q) < 0)
        goto fail_why;
    q->why[0] = '\0';
    return q;
fail_why:
    snprintf(err, errlen, "%s: %s", shown, q->why);
fail:
    pg_close(q);
    return NULL;
}

static long long pg_cache_bytes(void *b)
{
    (void)b;
    return -1;
}

/* No write lock to wait for: a group can begin whenever the connection is
 * up and no transaction is open. */
static int pg_probe_write(void *b)
{
    pg *q = b;
    if (PQstatus(q->conn) != CONNECTION_OK) {
        set_why(q, "connection", PQerrorMessage(q->conn));
        return -1;
    }
    if (PQtransactionStatus(q->conn) != PQTRANS_IDLE) {
        snprintf(q->why, sizeof(q->why), "postgresql: a transaction is open");
        return -1;
    }
    return 0;
}

static int pg_begin(void *b)
{
    pg *q = b;
    q->why[0] = '\0';
    return exec_cmd(q, "begin", "BEGIN");
}

/* Keeps q->why: the failure that made the group roll back is the news (on
 * a dead connection there is no transaction left to roll back). */
static void pg_rollback(void *b)
{
    pg *q = b;
    PGTransactionStatusType t = PQtransactionStatus(q->conn);
    if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR)
        PQclear(PQexec(q->conn, "ROLLBACK"));
}

static int pg_job_id_floor(void *b, long long floor)
{
    pgargs a = {0};
    a_ll(&a, floor);
    return run_done(b, P_JOB_FLOOR, &a);
}

static int pg_job_insert(void *b, const char *name, const char *state, const char *opts,
                         double created, long long *id)
{
    pg *q = b;
    pgargs a = {0};
    a_str(&a, name);
    a_str(&a, state);
    a_str(&a, opts);
    a_dbl(&a, created);
    PGresult *r = run(q, P_JOB_INSERT, &a);
    if (!r)
        return -1;
    *id = val_ll(r, 0, 0);
    PQclear(r);
    pgargs o = {0};
    a_ll(&o, *id);
    a_str(&o, q->name);
    return run_done(q, P_JOB_OFFSETS_INSERT, &o);
}

static int pg_job_set_state(void *b, long long id, const char *state, double ended,
                            const char *error)
{
    pg *q = b;
    pgargs a = {0};
    a_ll(&a, id);
    a_str(&a, state);
    if (ended > 0)
        a_dbl(&a, ended);
    else
        a_str(&a, NULL);
    a_str(&a, error && *error ? error : NULL);
    if (run_done(q, P_JOB_STATE, &a) < 0)
        return -1;
    /* as store_sqlite.c: an ended job's captures and digests go */
    if (strcmp(state, "running") == 0 || strcmp(state, "paused") == 0)
        return 0;
    pgargs j = {0};
    a_ll(&j, id);
    return run_done(q, P_CAP_FORGET, &j) < 0 || run_done(q, P_DIG_FORGET, &j) < 0 ? -1 : 0;
}

static int pg_jobs_foreach(void *b, int (*cb)(void *ud, const store_job *j), void *ud)
{
    pg *q = b;
    pgargs a = {0};
    a_str(&a, q->name);
    /* this node's lengths of every active job, 0 until it commits */
    if (run_done(q, P_OFFSETS_MINE, &a) < 0)
        return -1;
    PGresult *r = run(q, P_JOB_ALL, &a);
    if (!r)
        return -1;
    int out = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        store_job j = {
            .id = val_ll(r, i, 0),
            .name = val_str(r, i, 1),
            .state = val_str(r, i, 2),
            .opts = val_str(r, i, 3),
            .created = strtod(PQgetvalue(r, i, 4), NULL),
            .ended = PQgetisnull(r, i, 5) ? 0 : strtod(PQgetvalue(r, i, 5), NULL),
            .committed = val_ll(r, i, 6),
            .error = val_str(r, i, 7),
            .warc_committed = val_ll(r, i, 8),
            .content_committed = val_ll(r, i, 9),
        };
        if (cb(ud, &j) < 0) {
            out = -1;
            break;
        }
    }
    PQclear(r);
    return out;
}

static int pg_job_counts(void *b, long long job_id, long counts[ROW_STATE_COUNT])
{
    memset(counts, 0, sizeof(long) * ROW_STATE_COUNT);
    pgargs a = {0};
    a_ll(&a, job_id);
    PGresult *r = run(b, P_JOB_COUNTS, &a);
    if (!r)
        return -1;
    for (int i = 0; i < PQntuples(r); i++) {
        long long state = val_ll(r, i, 0);
        if (state >= 0 && state < ROW_STATE_COUNT)
            counts[state] = (long)val_ll(r, i, 1);
    }
    PQclear(r);
    return 0;
}

static int pg_job_drop_pending(void *b, long long job_id)
{
    pgargs a = {0};
    a_ll(&a, job_id);
    return run_done(b, P_JOB_DROP, &a);
}

static long pg_job_sitemaps(void *b, long long job_id, int kind)
{
    pgargs a = {0};
    a_ll(&a, job_id);
    a_ll(&a, kind);
    PGresult *r = run(b, P_JOB_SITEMAPS, &a);
    if (!r)
        return -1;
    long n = (long)val_ll(r, 0, 0);
    PQclear(r);
    return n;
}

/* ---- leases ---- */

/* The caller's until_ms (its clock) as a length from now: the database
 * times the lease from its own clock, which is later than ours was when we
 * asked, so the database never ends a lease before the caller thinks. */
static long long lease_ms(long long until_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    return until_ms > now ? until_ms - now : 0;
}

/* Appends v, quoted, to a text[] literal in buf ({"a","b\"c"}). -1 when
 * it is full. */
static int array_add(char *buf, size_t cap, size_t *o, const char *v)
{
    if (*o + 3 >= cap)
        return -1;
    if (*o > 1)
        buf[(*o)++] = ',';
    buf[(*o)++] = '"';
    for (; *v; v++) {
        if (*o + 4 >= cap)
            return -1;
        if (*v == '"' || *v == '\\')
            buf[(*o)++] = '\\';
        buf[(*o)++] = *v;
    }
    buf[(*o)++] = '"';
    buf[*o] = '\0';
    return 0;
}

/* The sizes of the leases' array literals: each host escaped, quoted and
 * a comma, each epoch 20 digits and a comma, the braces and the NUL. */
static void lease_caps(const store_lease *l, int n, size_t *hcap, size_t *ecap)
{
    *hcap = *ecap = 8;
    for (int i = 0; i < n; i++) {
        *hcap += 2 * strlen(l[i].host) + 4;
        *ecap += 22;
    }
}

/* The leases as a text[] and a bigint[] literal (process allocator). */
static int lease_arrays(const store_lease *l, int n, char **hosts, char **epochs)
{
    size_t hcap, ecap;
    lease_caps(l, n, &hcap, &ecap);
    *hosts = alloc_new(hcap);
    *epochs = alloc_new(ecap);
    if (!*hosts || !*epochs)
        goto fail;
    size_t ho = 1, eo = 1;
    (*hosts)[0] = (*epochs)[0] = '{';
    for (int i = 0; i < n; i++) {
        if (array_add(*hosts, hcap, &ho, l[i].host) < 0)
            goto fail;
        eo += (size_t)snprintf(*epochs + eo, ecap - eo, "%s%lld", i ? "," : "", l[i].epoch);
    }
    memcpy(*hosts + ho, "}", 2);
    memcpy(*epochs + eo, "}", 2);
    return 0;
fail:
    if (*hosts)
        alloc_free(*hosts, hcap);
    if (*epochs)
        alloc_free(*epochs, ecap);
    *hosts = *epochs = NULL;
    return -1;
}

static void lease_arrays_free(const store_lease *l, int n, char *hosts, char *epochs)
{
    size_t hcap, ecap;
    lease_caps(l, n, &hcap, &ecap);
    alloc_free(hosts, hcap);
    alloc_free(epochs, ecap);
}

static int pg_lease_claim(void *b, int max, long long until_ms, store_lease *out)
{
    pg *q = b;
    pgargs a = {0};
    a_ll(&a, q->node);
    a_ll(&a, max);
    a_ll(&a, lease_ms(until_ms));
    PGresult *r = run(q, P_LEASE_CLAIM, &a);
    if (!r)
        return -1;
    int n = 0;
    for (int i = 0; i < PQntuples(r) && n < max; i++) {
        const char *h = PQgetvalue(r, i, 0);
        if (strlen(h) >= sizeof(out[n].host))
            continue; /* cannot be named back: it lapses unused */
        memcpy(out[n].host, h, strlen(h) + 1);
        out[n].epoch = val_ll(r, i, 1);
        out[n].until_ms = until_ms;
        out[n].next_ok_ms = val_ll(r, i, 2);
        n++;
    }
    PQclear(r);
    return n;
}

static int pg_lease_renew(void *b, store_lease *l, int n, long long until_ms)
{
    pg *q = b;
    if (n <= 0)
        return 0;
    char *hosts, *epochs;
    if (lease_arrays(l, n, &hosts, &epochs) < 0) {
        set_why(q, "lease renew", "out of memory");
        return -1;
    }
    pgargs a = {0};
    a_str(&a, hosts);
    a_str(&a, epochs);
    a_ll(&a, lease_ms(until_ms));
    a_ll(&a, q->node);
    PGresult *r = run(q, P_LEASE_RENEW, &a);
    lease_arrays_free(l, n, hosts, epochs);
    if (!r)
        return -1;
    int held = 0;
    for (int i = 0; i < n; i++) {
        int kept = 0;
        for (int k = 0; k < PQntuples(r) && !kept; k++)
            kept = strcmp(PQgetvalue(r, k, 0), l[i].host) == 0 && val_ll(r, k, 1) == l[i].epoch;
        if (kept) {
            l[i].until_ms = until_ms;
            held++;
        } else
            l[i].epoch = 0;
    }
    PQclear(r);
    return held;
}

/* ---- rows ---- */

static int window_read(pg *q, int i, const pgargs *a, int max, store_row *rows)
{
    PGresult *r = run(q, i, a);
    if (!r)
        return -1;
    int n = 0;
    for (; n < PQntuples(r) && n < max; n++) {
        store_row *w = &rows[n];
        memset(w, 0, sizeof(*w));
        w->id = val_ll(r, n, 0);
        w->url = val_dup(r, n, 1);
        w->parent = val_dup(r, n, 2);
        w->host = val_dup(r, n, 3);
        w->depth = (int)val_ll(r, n, 4);
        w->attempts = (int)val_ll(r, n, 5);
        w->not_before = val_ll(r, n, 6);
        w->no_js = (int)val_ll(r, n, 7);
        w->sitemap = (int)val_ll(r, n, 8);
        w->retries = (int)val_ll(r, n, 9);
        w->retry_reasons = val_dup(r, n, 10);
        if (!w->url || !w->host || (!w->parent && !PQgetisnull(r, n, 2)) ||
            (!w->retry_reasons && !PQgetisnull(r, n, 10))) {
            store_rows_free(rows, n + 1);
            set_why(q, stmts[i].what, "out of memory");
            PQclear(r);
            return -1;
        }
    }
    PQclear(r);
    return n;
}

static int pg_rows_pending(void *b, long long job_id, const char *host, long long after_id, int max,
                           store_row *rows)
{
    pgargs a = {0};
    a_ll(&a, job_id);
    a_ll(&a, after_id);
    a_ll(&a, max);
    if (host)
        a_str(&a, host);
    else
        a_ll(&a, ((pg *)b)->cluster ? ((pg *)b)->node : 0);
    return window_read(b, host ? P_FR_WINDOW_HOST : P_FR_WINDOW, &a, max, rows);
}

static int pg_rows_pending_bfs(void *b, long long job_id, int after_depth, long long after_id,
                               int max, store_row *rows)
{
    pgargs a = {0};
    a_ll(&a, job_id);
    a_ll(&a, after_id);
    a_ll(&a, max);
    a_ll(&a, after_depth);
    long long mine = ((pg *)b)->cluster ? ((pg *)b)->node : 0;
    a_ll(&a, mine);
    int n = window_read(b, P_FR_WINDOW_BFS, &a, max, rows);
    if (n < 0 || n == max)
        return n;
    pgargs d = {0};
    a_ll(&d, job_id);
    a_ll(&d, after_depth);
    a_ll(&d, max - n);
    a_ll(&d, mine);
    int m = window_read(b, P_FR_WINDOW_DEEPER, &d, max - n, rows + n);
    if (m < 0) {
        store_rows_free(rows, n);
        return -1;
    }
    return n + m;
}

static int pg_row_finish(void *b, long long row_id, store_row_state state, int attempts)
{
    pgargs a = {0};
    a_ll(&a, row_id);
    a_ll(&a, state);
    a_ll(&a, attempts);
    long long n = run_changed(b, P_FR_FINISH, &a);
    return n < 0 ? -1 : n == 1 ? 0 : 1;
}

static int pg_row_add(void *b, long long job_id, long long uh, const char *url, int depth,
                      const char *parent, const char *host, store_row_state state, int sitemap,
                      long long *row_id)
{
    pgargs a = {0};
    a_ll(&a, job_id);
    a_ll(&a, uh);
    a_str(&a, url);
    a_ll(&a, depth);
    a_str(&a, parent);
    a_str(&a, host);
    a_ll(&a, state);
    a_ll(&a, sitemap);
    PGresult *r = run(b, P_FR_ADD, &a);
    if (!r)
        return -1;
    int added = PQntuples(r) == 1;
    if (added && row_id)
        *row_id = val_ll(r, 0, 0);
    PQclear(r);
    return added;
}

static int pg_row_delete(void *b, long long row_id)
{
    pgargs a = {0};
    a_ll(&a, row_id);
    return run_done(b, P_FR_DELETE, &a);
}

static int pg_row_requeue(void *b, long long row_id, int attempts, long long not_before, int no_js)
{
    pgargs a = {0};
    a_ll(&a, row_id);
    a_ll(&a, attempts);
    a_ll(&a, not_before);
    a_ll(&a, no_js);
    return run_done(b, P_FR_REQUEUE, &a);
}

static int pg_row_retry(void *b, long long row_id, int attempts, long long not_before, int retries,
                        const char *reasons)
{
    pgargs a = {0};
    a_ll(&a, row_id);
    a_ll(&a, attempts);
    a_ll(&a, not_before);
    a_ll(&a, retries);
    a_str(&a, reasons);
    return run_done(b, P_FR_RETRY, &a);
}

static int pg_host_backoff_put(void *b, const char *host, long long delay_ms, long long until_ms)
{
    pgargs a = {0};
    a_str(&a, host);
    if (delay_ms <= 0)
        return run_done(b, P_HB_DELETE, &a);
    a_ll(&a, delay_ms);
    a_ll(&a, until_ms);
    return run_done(b, P_HB_PUT, &a);
}

static int pg_host_backoff_foreach(void *b, int (*cb)(void *ud, const store_host_backoff *h),
                                   void *ud)
{
    PGresult *r = run(b, P_HB_ALL, NULL);
    if (!r)
        return -1;
    int ret = 0;
    for (int i = 0; i < PQntuples(r) && ret == 0; i++) {
        store_host_backoff h = {
            .host = PQgetvalue(r, i, 0), .delay_ms = val_ll(r, i, 1), .until_ms = val_ll(r, i, 2)};
        if (cb(ud, &h) < 0)
            ret = -1;
    }
    PQclear(r);
    return ret;
}

/* ---- the group's commit ---- */

/* Locks the group's hosts (a claim skips them from here to COMMIT), then
 * asks which are not this node's under their epoch with time left. */
static store_rc leases_check(pg *q, const store_lease *l, int nl)
{
    char *hosts, *epochs;
    if (lease_arrays(l, nl, &hosts, &epochs) < 0) {
        set_why(q, "lease check", "out of memory");
        return STORE_ERR;
    }
    store_rc rc = STORE_ERR;
    pgargs a = {0};
    a_str(&a, hosts);
    PGresult *r = run(q, P_LEASE_LOCK, &a);
    if (!r)
        goto out;
    PQclear(r);
    a_str(&a, epochs);
    a_ll(&a, q->node);
    r = run(q, P_LEASE_CHECK, &a);
    if (!r)
        goto out;
    if (PQntuples(r) > 0) {
        snprintf(q->why, sizeof(q->why), "postgresql: lease of %.200s lost (epoch %s)",
                 PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
        rc = STORE_LEASE_LOST;
    } else
        rc = STORE_OK;
    PQclear(r);
out:
    lease_arrays_free(l, nl, hosts, epochs);
    return rc;
}

static store_rc pg_commit(void *b, const store_lease *l, int nl, const store_lengths *len, int nlen)
{
    pg *q = b;
    store_rc rc = nl > 0 ? leases_check(q, l, nl) : STORE_OK;
    if (rc != STORE_OK)
        goto fail;
    rc = STORE_ERR;
    for (int i = 0; i < nlen; i++) {
        long long from[PG_NLENGTHS], to[PG_NLENGTHS];
        lengths_pairs(&len[i], from, to);
        pgargs a = {0};
        a_ll(&a, len[i].job_id);
        for (int k = 0; k < PG_NLENGTHS; k++) {
            a_ll(&a, from[k]);
            a_ll(&a, to[k]);
        }
        a_str(&a, q->name);
        long long n = run_changed(q, P_JOB_CAS, &a);
        if (n < 0)
            goto fail;
        if (n != 1) {
            snprintf(q->why, sizeof(q->why),
                     "postgresql: job %lld: committed lengths are not %lld/%lld as the group "
                     "expected",
                     len[i].job_id, len[i].pages_from, len[i].warc_from);
            rc = STORE_CONFLICT;
            goto fail;
        }
    }
    /* A COMMIT of a transaction that failed answers ROLLBACK: not kept. */
    PGresult *r = PQexec(q->conn, "COMMIT");
    int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(r), "COMMIT") == 0;
    if (!ok)
        set_why(q, "commit",
                r && !res_ok(r) ? PQresultErrorMessage(r)
                : r             ? "the transaction had failed: rolled back"
                                : PQerrorMessage(q->conn));
    PQclear(r);
    if (ok)
        return STORE_OK;
fail:
    pg_rollback(q);
    return rc;
}

/* ---- recrawls ---- */

static int pg_capture_put(void *b, long long job_id, const char *url, const char *etag,
                          const char *last_modified, const char *date)
{
    pgargs a = {0};
    a_ll(&a, job_id);
    a_str(&a, url);
    a_str(&a, etag);
    a_str(&a, last_modified);
    a_str(&a, date);
    return run_done(b, P_CAP_PUT, &a);
}

static int pg_capture_get(void *b, long long job_id, const char *url, store_capture *c)
{
    pgargs a = {0};
    a_ll(&a, job_id);
    a_str(&a, url);
    PGresult *r = run(b, P_CAP_GET, &a);
    if (!r)
        return -1;
    int found = PQntuples(r) > 0;
    if (found) {
        c->etag = val_dup(r, 0, 0);
        c->last_modified = val_dup(r, 0, 1);
        c->date = val_dup(r, 0, 2);
    }
    PQclear(r);
    return found;
}

static int pg_digest_put(void *b, long long job_id, const char *digest, const char *url,
                         const char *date)
{
    pgargs a = {0};
    a_ll(&a, job_id);
    a_str(&a, digest);
    a_str(&a, url);
    a_str(&a, date);
    long long n = run_changed(b, P_DIG_PUT, &a);
    return n < 0 ? -1 : n > 0;
}

static int pg_digest_get(void *b, long long job_id, const char *digest, store_capture *c)
{
    pgargs a = {0};
    a_ll(&a, job_id);
    a_str(&a, digest);
    PGresult *r = run(b, P_DIG_GET, &a);
    if (!r)
        return -1;
    int found = PQntuples(r) > 0;
    if (found) {
        c->url = val_dup(r, 0, 0);
        c->date = val_dup(r, 0, 1);
    }
    PQclear(r);
    return found;
}

/* ---- cookie jars ---- */

static void a_key(pgargs *a, long long job_id, const char *domain, const char *path,
                  const char *name)
{
    a_ll(a, job_id);
    a_str(a, domain);
    a_str(a, path);
    a_str(a, name);
}

static int pg_cookie_put(void *b, long long job_id, const char *domain, const char *path,
                         const char *name, long long expires, const char *line)
{
    pgargs a = {0};
    a_key(&a, job_id, domain, path, name);
    a_ll(&a, expires);
    a_str(&a, line);
    return run_done(b, P_CK_PUT, &a);
}

static int pg_cookie_delete(void *b, long long job_id, const char *domain, const char *path,
                            const char *name)
{
    pgargs a = {0};
    a_key(&a, job_id, domain, path, name);
    return run_done(b, P_CK_DELETE, &a);
}

static int pg_cookie_exists(void *b, long long job_id, const char *domain, const char *path,
                            const char *name)
{
    pgargs a = {0};
    a_key(&a, job_id, domain, path, name);
    PGresult *r = run(b, P_CK_EXISTS, &a);
    if (!r)
        return -1;
    int has = PQntuples(r) > 0;
    PQclear(r);
    return has;
}

static long pg_cookie_count(void *b, long long job_id, const char *domain, long long now_s)
{
    pgargs a = {0};
    a_ll(&a, job_id);
    if (domain)
        a_str(&a, domain);
    a_ll(&a, now_s);
    PGresult *r = run(b, domain ? P_CK_COUNT_DOMAIN : P_CK_COUNT_JOB, &a);
    if (!r)
        return -1;
    long n = (long)val_ll(r, 0, 0);
    PQclear(r);
    return n;
}

static int pg_cookies_for_host(void *b, long long job_id, const char *host, long long now_s,
                               int (*cb)(void *ud, const char *line), void *ud)
{
    pgargs a = {0};
    a_ll(&a, job_id);
    a_str(&a, host);
    a_ll(&a, now_s);
    PGresult *r = run(b, P_CK_HOST, &a);
    if (!r)
        return -1;
    for (int i = 0; i < PQntuples(r); i++)
        if (cb(ud, PQgetvalue(r, i, 0)) < 0)
            break;
    PQclear(r);
    return 0;
}

static int pg_cookies_copy(void *b, long long from_job, long long to_job, long long now_s)
{
    pgargs a = {0};
    a_ll(&a, from_job);
    a_ll(&a, to_job);
    a_ll(&a, now_s);
    return run_done(b, P_CK_COPY, &a);
}

/* ---- links, on a connection of their own (cluster mode) ----
 * A page's links are admitted in one statement, committed at once, in
 * URL-hash order: two nodes admitting overlapping links wait at most for
 * one statement of the other, never for its whole group, and never in
 * opposite orders (docs/cluster.md, rule 5: unordered inserts of the same
 * keys in two open groups deadlock). Idempotent (ON CONFLICT DO NOTHING),
 * so a group that rolls back leaves them and its page, fetched again,
 * admits them again as no-ops. */
/* Rows the statement's snapshot shows are left out before the insert: a
 * unique check on a row another transaction is updating (this node's own
 * open group ending it, on the other connection) would wait for that
 * transaction, which waits for this statement. */
/* --max-pages across nodes ($9 > 0): the job's row is locked for the
 * statement (FOR UPDATE: the nodes' admissions to one job are serial, each
 * one statement long) and no more new rows go in than it has room for
 * (jobs.admitted, which each statement moves by what it admitted; an
 * alias, state 5, is not counted). A job row not yet committed (its
 * submit's group) is not seen: no cap, no count (the submit sets it). */
static const char links_sql[] =
    "WITH cap AS (SELECT CASE WHEN $9::bigint > 0 THEN greatest(0, $9::bigint - admitted) END"
    " AS room FROM jobs WHERE id=$1 FOR UPDATE),"
    " v AS (SELECT * FROM unnest($3::bigint[], $4::text[], $5::text[]) AS v(uh, url, host)"
    " WHERE NOT EXISTS (SELECT 1 FROM frontier f WHERE f.job_id=$1 AND f.uh=v.uh)"
    " ORDER BY uh LIMIT (SELECT room FROM cap)),"
    " ins AS (INSERT INTO frontier(job_id,uh,url,depth,parent,host,state,sitemap)"
    " SELECT $1, uh, url, $2, $6, host, $7, $8 FROM v ORDER BY uh"
    " ON CONFLICT (job_id,uh) DO NOTHING RETURNING id, uh, host),"
    " h AS (INSERT INTO hosts(host) SELECT DISTINCT host FROM ins"
    " WHERE NOT EXISTS (SELECT 1 FROM hosts x WHERE x.host=ins.host) ORDER BY host"
    " ON CONFLICT DO NOTHING),"
    " n AS (UPDATE jobs SET admitted = admitted + (SELECT count(*) FROM ins)"
    " WHERE id=$1 AND $7 <> 5)"
    " SELECT id, uh FROM ins"
    " UNION ALL SELECT -1, coalesce((SELECT room FROM cap), -1)"; /* the room: last row */

static int links_conn(pg *q)
{
    if (q->links && PQstatus(q->links) == CONNECTION_OK)
        return 0;
    if (q->links)
        PQfinish(q->links);
    q->links = PQconnectdb(q->spec);
    if (!q->links || PQstatus(q->links) != CONNECTION_OK) {
        set_why(q, "links connect", q->links ? PQerrorMessage(q->links) : "out of memory");
        return -1;
    }
    PQsetNoticeProcessor(q->links, notice_drop, NULL);
    /* lock_timeout: a guard; a wait on this node's own open group (the
     * other connection) would never end (links_sql avoids those it knows) */
    PGresult *r = PQexec(q->links, "SET client_min_messages=warning; SET TIME ZONE 'UTC';"
                                   " SET lock_timeout = 5000");
    int ok = r && res_ok(r);
    PQclear(r);
    r = ok ? PQprepare(q->links, "links", links_sql, 0, NULL) : NULL;
    ok = r && res_ok(r);
    if (!ok)
        set_why(q, "links prepare", r ? PQresultErrorMessage(r) : PQerrorMessage(q->links));
    PQclear(r);
    return ok ? 0 : -1;
}

/* A text[] or bigint[] literal of n values, process allocator (*cap). */
static char *array_lit(int n, const char *const *s, const long long *v, size_t *cap)
{
    size_t c = 8;
    for (int i = 0; i < n; i++)
        c += s ? 2 * strlen(s[i]) + 4 : 22;
    char *buf = alloc_new(c);
    if (!buf)
        return NULL;
    size_t o = 1;
    buf[0] = '{';
    buf[1] = '\0';
    for (int i = 0; i < n; i++) {
        if (s && array_add(buf, c, &o, s[i]) < 0) {
            alloc_free(buf, c);
            return NULL;
        }
        if (!s)
            o += (size_t)snprintf(buf + o, c - o, "%s%lld", i ? "," : "", v[i]);
    }
    memcpy(buf + o, "}", 2);
    *cap = c;
    return buf;
}

static int pg_links_add(void *b, long long job_id, int depth, const char *parent, int state,
                        int sitemap, long long max_rows, int n, const long long *uh,
                        const char *const *url, const char *const *host, long long *row_id,
                        int *capped)
{
    *capped = 0;
    pg *q = b;
    if (links_conn(q) < 0)
        return -1;
    size_t cu = 0, cs = 0, ch = 0;
    char *uhs = array_lit(n, NULL, uh, &cu), *urls = array_lit(n, url, NULL, &cs),
         *hosts = array_lit(n, host, NULL, &ch);
    int rc = -1;
    if (!uhs || !urls || !hosts) {
        set_why(q, "links", "out of memory");
        goto out;
    }
    char job[24], dep[24], st[24], sm[24], mx[24];
    snprintf(job, sizeof(job), "%lld", job_id);
    snprintf(dep, sizeof(dep), "%d", depth);
    snprintf(st, sizeof(st), "%d", state);
    snprintf(sm, sizeof(sm), "%d", sitemap);
    snprintf(mx, sizeof(mx), "%lld", max_rows);
    const char *v[9] = {job, dep, uhs, urls, hosts, parent, st, sm, mx};
    PGresult *r = PQexecPrepared(q->links, "links", 9, v, NULL, NULL, 0);
    if (!r || !res_ok(r)) {
        set_why(q, "links insert", r ? PQresultErrorMessage(r) : PQerrorMessage(q->links));
        PQclear(r);
        goto out;
    }
    for (int i = 0; i < n; i++)
        row_id[i] = 0;
    rc = 0;
    for (int k = 0; k < PQntuples(r); k++) {
        long long id = val_ll(r, k, 0), h = val_ll(r, k, 1);
        if (id == -1) { /* the room there was: links may have been left out */
            *capped = h >= 0 && h < n;
            continue;
        }
        for (int i = 0; i < n; i++)
            if (uh[i] == h && !row_id[i]) {
                row_id[i] = id;
                rc++;
                break;
            }
    }
    PQclear(r);
out:
    if (uhs)
        alloc_free(uhs, cu);
    if (urls)
        alloc_free(urls, cs);
    if (hosts)
        alloc_free(hosts, ch);
    return rc;
}

/* ---- cluster mode ---- */

static int pg_cluster_join(void *b, const char *name, long long lease_ms)
{
    pg *q = b;
    if (name != q->name) /* a reconnect joins again under its own name */
        snprintf(q->name, sizeof(q->name), "%s", name);
    q->cluster = 1;
    q->lease_ms = lease_ms;
    /* A node stopped (SIGSTOP, a VM paused) inside a group would keep its
     * row locks and stall every node that takes its hosts up: the server
     * ends such a session after half a lease, before any other node may
     * claim them (docs/cluster.md). */
    char sql[96];
    snprintf(sql, sizeof(sql), "SET idle_in_transaction_session_timeout = %lld",
             lease_ms / 2 > 0 ? lease_ms / 2 : 1);
    if (exec_cmd(q, "session timeout", sql) < 0)
        return -1;
    pgargs a = {0};
    a_ll(&a, q->node);
    a_str(&a, q->name);
    return run_done(q, P_NODE_NAME, &a);
}

static int pg_job_nodes(void *b, long long job_id, int (*cb)(void *ud, const store_node_lengths *n),
                        void *ud)
{
    pg *q = b;
    pgargs a = {0};
    a_ll(&a, job_id);
    PGresult *r = run(q, P_JOB_NODES, &a);
    if (!r)
        return -1;
    int out = 0;
    for (int i = 0; i < PQntuples(r) && out == 0; i++) {
        store_node_lengths n = {.node = PQgetvalue(r, i, 0),
                                .committed = val_ll(r, i, 1),
                                .warc_committed = val_ll(r, i, 2),
                                .content_committed = val_ll(r, i, 3)};
        out = cb(ud, &n) < 0 ? -1 : 0;
    }
    PQclear(r);
    return out;
}

static int pg_job_admitted(void *b, long long job_id, long long rows)
{
    pgargs a = {0};
    a_ll(&a, job_id);
    a_ll(&a, rows);
    return run_done(b, P_JOB_ADMITTED, &a);
}

static int pg_job_successor(void *b, long long job_id)
{
    pgargs a = {0};
    a_ll(&a, job_id);
    long long n = run_changed(b, P_JOB_SUCCESSOR, &a);
    return n < 0 ? -1 : n == 1;
}

static int pg_node_beat(void *b, const char *info)
{
    pg *q = b;
    pgargs a = {0};
    a_ll(&a, q->node);
    a_str(&a, info);
    return run_done(q, P_NODE_BEAT, &a);
}

static int pg_nodes_foreach(void *b, long long live_ms, int (*cb)(void *ud, const store_node *n),
                            void *ud)
{
    pg *q = b;
    pgargs a = {0};
    a_ll(&a, live_ms);
    PGresult *r = run(q, P_NODES_LIVE, &a);
    if (!r)
        return -1;
    int out = 0;
    for (int i = 0; i < PQntuples(r) && out == 0; i++) {
        store_node n = {.name = PQgetvalue(r, i, 0),
                        .info = val_str(r, i, 1),
                        .seen_ms = val_ll(r, i, 2),
                        .hosts = (long)val_ll(r, i, 3)};
        out = cb(ud, &n) < 0 ? -1 : 0;
    }
    PQclear(r);
    return out;
}

static int pg_cluster_share(void *b, long long live_ms, long *nodes, long *hosts)
{
    pg *q = b;
    pgargs a = {0};
    a_ll(&a, live_ms);
    PGresult *r = run(q, P_SHARE, &a);
    if (!r)
        return -1;
    *nodes = (long)val_ll(r, 0, 0);
    *hosts = (long)val_ll(r, 0, 1);
    PQclear(r);
    return 0;
}

static int pg_lease_release(void *b, const store_lease *l, long long next_ok_ms)
{
    pg *q = b;
    pgargs a = {0};
    a_str(&a, l->host);
    a_ll(&a, l->epoch);
    a_ll(&a, next_ok_ms);
    a_ll(&a, q->node);
    long long n = run_changed(q, P_LEASE_RELEASE, &a);
    return n < 0 ? -1 : n > 0;
}

static int pg_leases_busy(void *b, const store_lease *l, int n, int *busy)
{
    pg *q = b;
    char *hosts, *epochs;
    if (lease_arrays(l, n, &hosts, &epochs) < 0) {
        set_why(q, "hosts with pending rows", "out of memory");
        return -1;
    }
    pgargs a = {0};
    a_str(&a, hosts);
    PGresult *r = run(q, P_LEASE_BUSY, &a);
    lease_arrays_free(l, n, hosts, epochs);
    if (!r)
        return -1;
    for (int i = 0; i < n; i++) {
        busy[i] = 0;
        for (int k = 0; k < PQntuples(r) && !busy[i]; k++)
            busy[i] = strcmp(PQgetvalue(r, k, 0), l[i].host) == 0;
    }
    PQclear(r);
    return 0;
}

static long pg_job_pending_mine(void *b, long long job_id)
{
    pg *q = b;
    pgargs a = {0};
    a_ll(&a, job_id);
    a_ll(&a, q->node);
    PGresult *r = run(q, P_JOB_PENDING_MINE, &a);
    if (!r)
        return -1;
    long n = (long)val_ll(r, 0, 0);
    PQclear(r);
    return n;
}

static int pg_connected(void *b) { return PQstatus(((pg *)b)->conn) == CONNECTION_OK; }

/* A connection that broke is opened again as it was first: its session,
 * a new node row (the old one's leases lapse), its name, the statements. */
static int pg_reconnect(void *b)
{
    pg *q = b;
    if (PQstatus(q->conn) == CONNECTION_OK)
        return 0;
    PQreset(q->conn);
    if (PQstatus(q->conn) != CONNECTION_OK) {
        set_why(q, "connect", PQerrorMessage(q->conn));
        return -1;
    }
    PQsetNoticeProcessor(q->conn, notice_drop, NULL);
    if (exec_cmd(q, "session", "SET client_min_messages=warning; SET TIME ZONE 'UTC'") < 0 ||
        pg_node(q) < 0 || pg_prepare(q) < 0)
        return -1;
    if (q->cluster && pg_cluster_join(q, q->name, q->lease_ms) < 0)
        return -1;
    q->why[0] = '\0';
    return 1;
}

const store_ops store_pg_ops = {
    .name = "postgresql",
    .cluster_join = pg_cluster_join,
    .node_beat = pg_node_beat,
    .job_nodes = pg_job_nodes,
    .job_successor = pg_job_successor,
    .job_admitted = pg_job_admitted,
    .nodes_foreach = pg_nodes_foreach,
    .cluster_share = pg_cluster_share,
    .lease_release = pg_lease_release,
    .leases_busy = pg_leases_busy,
    .job_pending_mine = pg_job_pending_mine,
    .reconnect = pg_reconnect,
    .links_add = pg_links_add,
    .connected = pg_connected,
    .open = pg_open,
    .close = pg_close,
    .errmsg = pg_errmsg,
    .cache_bytes = pg_cache_bytes,
    .probe_write = pg_probe_write,
    .job_id_floor = pg_job_id_floor,
    .job_insert = pg_job_insert,
    .job_set_state = pg_job_set_state,
    .jobs_foreach = pg_jobs_foreach,
    .job_counts = pg_job_counts,
    .job_drop_pending = pg_job_drop_pending,
    .job_sitemaps = pg_job_sitemaps,
    .lease_claim = pg_lease_claim,
    .lease_renew = pg_lease_renew,
    .rows_pending = pg_rows_pending,
    .rows_pending_bfs = pg_rows_pending_bfs,
    .begin = pg_begin,
    .row_finish = pg_row_finish,
    .row_add = pg_row_add,
    .row_delete = pg_row_delete,
    .row_requeue = pg_row_requeue,
    .row_retry = pg_row_retry,
    .host_backoff_put = pg_host_backoff_put,
    .host_backoff_foreach = pg_host_backoff_foreach,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .capture_put = pg_capture_put,
    .capture_get = pg_capture_get,
    .digest_put = pg_digest_put,
    .digest_get = pg_digest_get,
    .cookie_put = pg_cookie_put,
    .cookie_delete = pg_cookie_delete,
    .cookie_exists = pg_cookie_exists,
    .cookie_count = pg_cookie_count,
    .cookies_copy = pg_cookies_copy,
    .cookies_for_host = pg_cookies_for_host,
};
