/* store_int — what store.c (the interface, the seen cache, the open group)
 * and a backend (store_sqlite.c, store_pg.c) share: the backend's operations, each on
 * its own handle. No other file includes it. */
#ifndef CRAWLD_STORE_INT_H
#define CRAWLD_STORE_INT_H

#include "store.h"

typedef struct store_ops {
    const char *name;
    void *(*open)(const char *path, char *err, size_t errlen);
    void (*close)(void *b);
    const char *(*errmsg)(void *b);
    long long (*cache_bytes)(void *b);
    int (*probe_write)(void *b);
    int (*job_id_floor)(void *b, long long floor);
    int (*job_insert)(void *b, const char *name, const char *state, const char *opts,
                      double created, long long *id);
    int (*job_set_state)(void *b, long long id, const char *state, double ended, const char *error);
    int (*jobs_foreach)(void *b, int (*cb)(void *ud, const store_job *j), void *ud);
    int (*job_counts)(void *b, long long job_id, long counts[ROW_STATE_COUNT]);
    int (*job_drop_pending)(void *b, long long job_id);
    long (*job_sitemaps)(void *b, long long job_id, int kind);
    int (*lease_claim)(void *b, int max, long long until_ms, store_lease *out);
    int (*lease_renew)(void *b, store_lease *l, int n, long long until_ms);
    int (*rows_pending)(void *b, long long job_id, const char *host, long long after_id, int max,
                        store_row *rows);
    int (*rows_pending_bfs)(void *b, long long job_id, int after_depth, long long after_id, int max,
                            store_row *rows);
    int (*begin)(void *b);
    int (*row_finish)(void *b, long long row_id, store_row_state state, int attempts);
    /* uh: the URL's 64-bit hash, the seen set's key (store.c) */
    int (*row_add)(void *b, long long job_id, long long uh, const char *url, int depth,
                   const char *parent, const char *host, store_row_state state, int sitemap,
                   long long *row_id);
    int (*row_delete)(void *b, long long row_id);
    int (*row_requeue)(void *b, long long row_id, int attempts, long long not_before, int no_js);
    int (*row_retry)(void *b, long long row_id, int attempts, long long not_before, int retries,
                     const char *reasons);
    int (*host_backoff_put)(void *b, const char *host, long long delay_ms, long long until_ms);
    int (*host_backoff_foreach)(void *b, int (*cb)(void *ud, const store_host_backoff *h),
                                void *ud);
    store_rc (*commit)(void *b, const store_lease *l, int nl, const store_lengths *len, int nlen);
    void (*rollback)(void *b);
    /* recrawls (store.h) */
    int (*capture_put)(void *b, long long job_id, const char *url, const char *etag,
                       const char *last_modified, const char *date);
    int (*capture_get)(void *b, long long job_id, const char *url, store_capture *c);
    int (*digest_put)(void *b, long long job_id, const char *digest, const char *url,
                      const char *date);
    int (*digest_get)(void *b, long long job_id, const char *digest, store_capture *c);
    /* cookie jars (store.h): one cookie by its key; a count of the job's
     * (domain NULL) or one domain's; lines covering host, each to cb */
    int (*cookie_put)(void *b, long long job_id, const char *domain, const char *path,
                      const char *name, long long expires, const char *line);
    int (*cookie_delete)(void *b, long long job_id, const char *domain, const char *path,
                         const char *name);
    int (*cookie_exists)(void *b, long long job_id, const char *domain, const char *path,
                         const char *name);
    long (*cookie_count)(void *b, long long job_id, const char *domain, long long now_s);
    int (*cookies_for_host)(void *b, long long job_id, const char *host, long long now_s,
                            int (*cb)(void *ud, const char *line), void *ud);
    int (*cookies_copy)(void *b, long long from_job, long long to_job, long long now_s);
    /* cluster mode (store.h); NULL in a backend without it */
    int (*cluster_join)(void *b, const char *name, long long lease_ms);
    int (*node_beat)(void *b, const char *info);
    int (*job_successor)(void *b, long long job_id);
    int (*job_nodes)(void *b, long long job_id, int (*cb)(void *ud, const store_node_lengths *n),
                     void *ud);
    int (*nodes_foreach)(void *b, long long live_ms, int (*cb)(void *ud, const store_node *n),
                         void *ud);
    int (*cluster_share)(void *b, long long live_ms, long *nodes, long *hosts);
    int (*lease_release)(void *b, const store_lease *l, long long next_ok_ms);
    int (*leases_busy)(void *b, const store_lease *l, int n, int *busy);
    long (*job_pending_mine)(void *b, long long job_id);
    int (*reconnect)(void *b);
    /* n rows at depth with parent, state and sitemap kind, committed at
     * once on a connection of their own: row_id[i] its new row or 0; how
     * many new (store.h, store_links_add) */
    int (*links_add)(void *b, long long job_id, int depth, const char *parent, int state,
                     int sitemap, long long max_rows, int n, const long long *uh,
                     const char *const *url, const char *const *host, long long *row_id,
                     int *capped);
    int (*job_admitted)(void *b, long long job_id, long long rows);
    int (*connected)(void *b);
} store_ops;

extern const store_ops store_sqlite_ops;
extern const store_ops store_pg_ops;

#endif
