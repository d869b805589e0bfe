/* store — crawld's state behind one backend-neutral interface: jobs, their
 * committed output lengths, the frontier (one row per URL a job admitted;
 * (job, URL) unique: the seen set) and host leases. The backend is chosen at
 * store_open (SQLite, store_sqlite.c; PostgreSQL, store_pg.c); only
 * store*.c know it.
 * Writes go in groups: one transaction that checks the caller's host leases
 * and compare-and-sets each job's committed lengths at store_group_commit.
 * Invariants: a row ends once (store_row_finish refuses a second end); a
 * committed length moves only by CAS; a failed group leaves nothing; rows
 * are never in flight in the store (that is the caller's memory). The
 * design and what each backend promises: docs/daemon.md, "The store". */
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

/* What a group commit (and the calls that may fail) answer. */
typedef enum store_rc {
    STORE_OK = 0,
    STORE_ERR = -1,        /* the backend failed (store_errmsg says why) */
    STORE_LEASE_LOST = -2, /* a lease the group was built under is no longer ours */
    STORE_CONFLICT = -3    /* a committed length was not the one the group expected */
} store_rc;

typedef struct store store;

typedef struct store_row {
    long long id;
    char *url;    /* process allocator; store_rows_free */
    char *parent; /* NULL for seeds */
    char *host;   /* scheme://host[:port] */
    int depth;
    int attempts;
    long long not_before; /* unix ms; 0 none */
    int no_js;            /* run it without JS: a worker was killed at the hard RSS budget on it */
    int sitemap;          /* 0 a page; else a sitemap task of that kind (jobs.h, JOBS_SITEMAP_*) */
    /* Retries (store_row_retry): answers a server asked to be asked again
     * (429, 503, …) that were not recorded; why, one short reason per
     * retry, each ended by '\n' (NULL: none). */
    int retries;
    char *retry_reasons;
} store_row;

/* A host a server asked to back off (store_host_backoff_put): its delay
 * while it refuses, and when its next request may start (unix ms). */
typedef struct store_host_backoff {
    const char *host; /* scheme://host[:port] */
    long long delay_ms;
    long long until_ms;
} store_host_backoff;

typedef struct store_job {
    long long id;
    const char *name; /* NULL when none */
    const char *state;
    const char *opts; /* JSON text */
    double created, ended;
    long long committed;         /* bytes of pages.jsonl covered by commits */
    long long warc_committed;    /* bytes of crawl.warc.gz covered by commits */
    const char *error;           /* NULL when none */
    long long content_committed; /* bytes of content.jsonl.zst covered by commits (--save) */
} store_job;

/* A host this node may fetch from until until_ms (unix ms), under epoch. */
typedef struct store_lease {
    char host[512]; /* scheme://host[:port] */
    long long epoch;
    long long until_ms;
    long long next_ok_ms; /* a claim: when the last owner said its next request may start */
} store_lease;

/* A job's committed lengths, moved from (pages_from, warc_from) to
 * (pages_to, warc_to) by a group commit, or the group fails. */
typedef struct store_lengths {
    long long job_id;
    long long pages_from, pages_to;
    long long warc_from, warc_to;
    long long content_from, content_to; /* content.jsonl.zst (--save) */
} store_lengths;

/* ---- the store ---- */

/* spec: "sqlite:PATH" or a bare PATH (SQLite), or a libpq URI
 * "postgresql://…" / "postgres://…" (PostgreSQL, store_pg.c; err never
 * shows its password). Creates or migrates the schema and turns legacy
 * in-flight rows pending. NULL with err. */
store *store_open(const char *spec, char *err, size_t errlen);
void store_close(store *s); /* s may be NULL */
const char *store_errmsg(store *s);
const char *store_backend(const store *s); /* "sqlite" or "postgresql" */
/* Memory the backend's own cache holds now; -1 when it cannot say. */
long long store_cache_bytes(store *s);
/* Repeats of store_row_add answered by the in-memory seen cache. */
long long store_seen_hits(const store *s);
/* Whether a group could begin now without waiting (the write lock is
 * free): 0, or -1 (store_errmsg says why). Not inside a group. */
int store_probe_write(store *s);

/* ---- jobs ---- */

/* New job ids start above floor (the highest job directory on disk). */
int store_job_id_floor(store *s, long long floor);
/* Inserts a job (its committed lengths 0); its id in *id. In a group. */
int store_job_insert(store *s, const char *name, const char *state, const char *opts_json,
                     double created, long long *id);
int store_job_set_state(store *s, long long id, const char *state, double ended, const char *error);
/* Calls cb for every job, oldest first (strings valid during the call). */
int store_jobs_foreach(store *s, int (*cb)(void *ud, const store_job *j), void *ud);
/* Rows of the job per state. */
int store_job_counts(store *s, long long job_id, long counts[ROW_STATE_COUNT]);
/* Every pending row of the job becomes ROW_DROPPED. */
int store_job_drop_pending(store *s, long long job_id);
/* Rows of the job whose sitemap kind is kind or more, whatever their
 * state; -1 on error. */
long store_job_sitemaps(store *s, long long job_id, int kind);

/* ---- host leases ----
 * With SQLite there is one node and it holds every host: a lease is made
 * under the open store's epoch and never lapses (until_ms LLONG_MAX); it is
 * lost only when its epoch is not the open store's (an earlier open's).
 * With PostgreSQL each open is a node: a claim takes idle hosts under a new
 * epoch each, timed by the database's clock (until_ms minus the caller's
 * now is the length that counts); once it lapses another node may take the
 * host, and the lease is lost. */

/* Up to max idle hosts with pending rows, leased to this node until
 * until_ms, into out. How many, or -1. */
int store_lease_claim(store *s, int max, long long until_ms, store_lease *out);
/* Extends the leases to until_ms; a lease lost meanwhile gets epoch 0.
 * How many are still held, or -1. */
int store_lease_renew(store *s, store_lease *l, int n, long long until_ms);

/* ---- cluster mode (PostgreSQL; docs/cluster.md) ----
 * Each -1 on error (store_errmsg), and on SQLite ("needs PostgreSQL"). */

/* A live node as store_nodes_foreach gives it (strings valid in the call). */
typedef struct store_node {
    const char *name, *info; /* info: the JSON its last heartbeat wrote, or NULL */
    long long seen_ms;       /* since its last heartbeat */
    long hosts;              /* leases it holds now */
} store_node;

/* This open becomes node `name` of a cluster: its committed lengths are its
 * own per job (store_job.committed, the CAS), and the pending rows read
 * (store_rows_pending*) are those of hosts it leases. A group left open
 * past lease_ms / 2 (the node stopped) is ended by the server. */
int store_cluster_join(store *s, const char *name, long long lease_ms);
/* A node's committed lengths of a job (strings valid during the call). */
typedef struct store_node_lengths {
    const char *node;
    long long committed, warc_committed, content_committed;
} store_node_lengths;
/* Calls cb for every node with lengths of the job, by name. */
int store_job_nodes(store *s, long long job_id, int (*cb)(void *ud, const store_node_lengths *n),
                    void *ud);
/* A schedule's next run of job_id is this node's to start: 1 (no node
 * started it before), 0 (one did), -1. Always 1 outside a cluster. */
int store_job_claim_successor(store *s, long long job_id);
/* Marks this node alive now, with info (a JSON text) for status. */
int store_node_beat(store *s, const char *info);
/* Calls cb for each node whose heartbeat is within live_ms, by name. */
int store_nodes_foreach(store *s, long long live_ms, int (*cb)(void *ud, const store_node *n),
                        void *ud);
/* Live nodes (heartbeat within live_ms) and hosts with pending rows. */
int store_cluster_share(store *s, long long live_ms, long *nodes, long *hosts);
/* Gives a lease back: free at once; next_ok_ms (unix ms) is when the next
 * owner's first request may start. 1 given back, 0 not ours any more. */
int store_lease_release(store *s, const store_lease *l, long long next_ok_ms);
/* busy[i] = whether host l[i] has pending rows (of any job). */
int store_leases_busy(store *s, const store_lease *l, int n, int *busy);
/* Pending rows of the job on hosts this node leases. */
long store_job_pending_mine(store *s, long long job_id);
/* After a failure: whether the connection is up (0), came back just now
 * (1: a new node row and epoch, every lease lost; read the committed
 * lengths again), or is still down (-1). */
int store_reconnect(store *s);
/* Whether the connection is down (store_reconnect has work to do). */
int store_reconnect_needed(store *s);

/* ---- reading pending rows ---- */

/* Up to max pending rows with id > after_id, by id: the job's, or (host
 * not NULL) only that host's. How many (free with store_rows_free), -1. */
int store_rows_pending(store *s, long long job_id, const char *host, long long after_id, int max,
                       store_row *rows);
/* Up to max pending rows of the job after (after_depth, after_id) in
 * (depth, id) order: breadth-first, shallow rows of every host before
 * deeper ones (the scheduler's window). How many, -1. */
int store_rows_pending_bfs(store *s, long long job_id, int after_depth, long long after_id, int max,
                           store_row *rows);
void store_rows_free(store_row *rows, int n);

/* ---- groups ---- */

/* Opens the group (one write transaction; one open at a time). 0 or -1.
 * The row writes below answer at once and are part of the open group; made
 * with none open, each is a group of its own. */
int store_group_begin(store *s);
int store_group_open(const store *s);
/* Ends a pending row: 0; 1 when it is not pending (ended already,
 * dropped, gone), nothing written; -1 on error. */
int store_row_finish(store *s, long long row_id, store_row_state state, int attempts);
/* Admits a URL: 1 new (its id in *row_id), 0 seen before, -1 on error.
 * In a cluster (store_cluster_join) every row goes in apart from the open
 * group, as store_links_add's, committed at once. */
int store_row_add(store *s, long long job_id, const char *url, int depth, const char *parent,
                  const char *host, store_row_state state, long long *row_id);
/* The same for a sitemap task's row (store_row.sitemap = sitemap > 0),
 * pending, at depth 0; one seen set with the pages'. */
int store_row_add_sitemap(store *s, long long job_id, const char *url, const char *parent,
                          const char *host, int sitemap, long long *row_id);
/* A link to admit (store_links_add): row_id is set to its new row, or 0
 * when the job had it before. */
typedef struct store_link {
    const char *url, *host;
    long long row_id;
} store_link;
/* Admits a page's links as pending rows at depth with parent: how many
 * are new, -1 on error. max_rows > 0: in a cluster no more go in than the
 * job's admitted rows leave room for under max_rows (--max-pages across
 * nodes: the job's row is locked for the statement). In a cluster on a connection of their own, in
 * one statement committed at once, in URL-hash order (two nodes admitting the same links never
 * deadlock: docs/cluster.md); they stay when the open group rolls back (its page, fetched again,
 * admits them again as no-ops). Else as store_row_add each, in the open group. */
int store_links_add(store *s, long long job_id, int depth, const char *parent, store_link *l, int n,
                    long long max_rows);
/* In a cluster: the job's admitted rows (what --max-pages counts; the
 * links statement moves it) set to rows, in the open group (its submit).
 * 0 or -1; nothing outside a cluster. */
int store_job_set_admitted(store *s, long long job_id, long long rows);
/* Takes back a row the open group added (a trap path). */
int store_row_delete(store *s, long long row_id);
/* Back to pending with attempts, not_before and no_js. */
int store_row_requeue(store *s, long long row_id, int attempts, long long not_before, int no_js);
/* ---- retries and host back-off (issue 20: back off when a server asks) ---- */

/* A page a server asked to retry goes back to pending: not before
 * not_before (unix ms), attempts as given (a retry costs no attempt),
 * with its retry count and reasons ('\n'-ended, may be NULL). */
int store_row_retry(store *s, long long row_id, int attempts, long long not_before, int retries,
                    const char *reasons);
/* Keeps a host's back-off (delay_ms 0: forgets it). Part of the open group. */
int store_host_backoff_put(store *s, const char *host, long long delay_ms, long long until_ms);
/* Calls cb for every host kept backing off (strings valid during the call). */
int store_host_backoff_foreach(store *s, int (*cb)(void *ud, const store_host_backoff *h),
                               void *ud);

/* Commits the open group if every lease in l is still this node's and
 * every job in len has the committed lengths it expects (then moved to the
 * new ones). Else, or on error, the group is rolled back, nothing of it
 * kept: STORE_LEASE_LOST, STORE_CONFLICT or STORE_ERR. */
store_rc store_group_commit(store *s, const store_lease *l, int nl, const store_lengths *len,
                            int nlen);
/* Rolls the open group back (none open: nothing). */
void store_group_abort(store *s);

/* ---- recrawls ----
 * A recrawl job (crawlctl submit --since) keeps, per URL it asks again,
 * the earlier capture: its validators (sent back as If-None-Match and
 * If-Modified-Since) and its WARC-Date. A job with WARC output keeps the
 * payload digest of every response it recorded in full, with the first
 * URL and date: a later response with the same digest is a revisit. One
 * row per (job, URL) and per (job, digest), found by that key; they go
 * with the job's other rows into the group. docs/daemon.md, Recrawls. */

/* Strings of the process allocator (store_capture_release); NULL: none. */
typedef struct store_capture {
    char *url; /* store_digest_get: the first URL with the digest */
    char *etag, *last_modified;
    char *date; /* WARC-Date (or record time) of the capture */
} store_capture;
void store_capture_release(store_capture *c);

/* The earlier capture of url for job_id (a later put replaces it). 0/-1. */
int store_capture_put(store *s, long long job_id, const char *url, const char *etag,
                      const char *last_modified, const char *date);
/* 1 found (into *c), 0 none, -1 on error. */
int store_capture_get(store *s, long long job_id, const char *url, store_capture *c);
/* A digest recorded in full: 1 new, 0 known already (the first is kept), -1. */
int store_digest_put(store *s, long long job_id, const char *digest, const char *url,
                     const char *date);
/* 1 found (c->url, c->date), 0 none, -1 on error. */
int store_digest_get(store *s, long long job_id, const char *digest, store_capture *c);
/* ---- cookie jars ----
 * A job's cookies (docs/daemon.md, Cookies), one per (domain, path, name),
 * each kept as its Netscape line (common/cookie.h). Written in the open
 * group, so a page's cookies commit with its record or not at all. */

/* What a merge did. */
typedef struct store_cookie_counts {
    int set, deleted;
    int refused; /* malformed, or over a limit (cookie.h) */
} store_cookie_counts;

/* Merges lines (Netscape lines, each ended by '\n' or the end) into the
 * job's jar: a cookie expired at now_s (unix seconds) is deleted, any
 * other set or replaced; a new one past COOKIE_MAX_PER_HOST of its domain
 * or COOKIE_MAX_PER_JOB of the job is refused. 0, or -1 (backend). */
int store_cookies_merge(store *s, long long job_id, const char *lines, size_t len, long long now_s,
                        store_cookie_counts *out);
/* The job's unexpired cookies whose domain covers host (the host itself or
 * a parent domain; curl decides the rest), longest path first, as lines
 * each ended by '\n', at most COOKIE_MAX_TASK bytes: process allocator
 * (alloc_strfree), NULL in *out when none. 0, or -1. */
int store_cookies_for_host(store *s, long long job_id, const char *host, long long now_s,
                           char **out);
/* The job's unexpired cookies, or -1. */
long store_cookies_count(store *s, long long job_id, long long now_s);
/* Copies from_job's unexpired cookies into to_job's jar (a schedule's next
 * run; cookies to_job has already are kept). 0, or -1. */
int store_cookies_copy(store *s, long long from_job, long long to_job, long long now_s);

#endif
