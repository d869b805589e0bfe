/* bench_frontier — the frontier's insert and take rates at 1,000,000 URLs
 * (SQLite, WAL, in a temp directory), and the process's RSS at that size.
 *
 * Insert: links are inserted as the supervisor does, INSERT OR IGNORE in
 * one transaction per page (50 links a page, 20 % of them already seen).
 * Take: a window of 64 pending rows by id, then each row finished (marked
 * done) with one commit per 64 rows (a page commit in crawld carries one
 * finish plus its links; this measures the frontier part alone).
 * Targets (issue 5): >= 50,000 URLs/s inserted, RSS < 100 MB. */
#include "alloc.h"
#include "rss.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long total = argc > 1 ? atol(argv[1]) : 1000000;
    /* pages per transaction: 1 is what crawld does today (one commit per
     * page); more shows what group commit would give */
    long per_tx = argc > 2 ? atol(argv[2]) : 1;
    char dir[] = "/tmp/bench_frontier.XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char path[128], err[256];
    snprintf(path, sizeof(path), "%s/crawld.db", dir);
    store *s = store_open(path, err, sizeof(err));
    if (!s) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    long long job;
    store_job_insert(s, "bench", "running", "{}", 1.0, &job);
    char url[160], parent[160];
    long inserted = 0, tried = 0, page = 0;
    double t0 = now();
    while (inserted < total) {
        if (page % per_tx == 0)
            store_group_begin(s);
        snprintf(parent, sizeof(parent), "https://host%ld.example/section/%ld/page.html",
                 page % 997, page);
        for (int i = 0; i < 50 && inserted < total; i++) {
            /* 1 in 5 links repeats an earlier URL (the seen set answers) */
            long k = (i % 5 == 4 && inserted > 100) ? (inserted * 7919L) % inserted : inserted;
            snprintf(url, sizeof(url),
                     "https://host%ld.example/section/%ld/article-%ld.html?ref=%ld", k % 997,
                     k / 1000, k, k % 13);
            char host[64];
            snprintf(host, sizeof(host), "https://host%ld.example", k % 997);
            int r = store_row_add(s, job, url, 2, parent, host, ROW_PENDING, NULL);
            if (r < 0) {
                fprintf(stderr, "insert: %s\n", store_errmsg(s));
                return 1;
            }
            inserted += r;
            tried++;
        }
        page++;
        if (page % per_tx == 0 || inserted >= total)
            store_group_commit(s, NULL, 0, NULL, 0);
    }
    double ti = now() - t0;
    long rss_ins = rss_self_kb();
    /* take */
    store_row rows[64];
    long taken = 0;
    long long after = 0;
    int after_depth = 0;
    t0 = now();
    for (;;) {
        /* as the scheduler reads its window: breadth-first */
        int n = store_rows_pending_bfs(s, job, after_depth, after, 64, rows);
        if (n <= 0)
            break;
        store_group_begin(s);
        for (int i = 0; i < n; i++)
            store_row_finish(s, rows[i].id, ROW_DONE, 1);
        store_group_commit(s, NULL, 0, NULL, 0);
        after = rows[n - 1].id;
        after_depth = rows[n - 1].depth;
        taken += n;
        store_rows_free(rows, n);
    }
    double tt = now() - t0;
    long rss_end = rss_self_kb();
    struct stat_sz {
        long long b;
    } db = {0};
    FILE *f = fopen(path, "rb");
    if (f) {
        fseek(f, 0, SEEK_END);
        db.b = ftell(f);
        fclose(f);
    }
    printf("bench_frontier: %ld URLs (%ld inserts tried, %ld pages of 50 links, %ld page(s) per "
           "transaction)\n",
           inserted, tried, page, per_tx);
    printf("insert: %.2f s, %.0f URLs/s inserted (%.0f INSERT OR IGNORE/s)\n", ti, inserted / ti,
           tried / ti);
    printf("take:   %.2f s, %.0f URLs/s taken and finished\n", tt, taken / tt);
    printf("rss:    %.1f MB after insert, %.1f MB after take (sqlite cache_size 32 MB)\n",
           rss_ins / 1024.0, rss_end / 1024.0);
    printf("db:     %.1f MB on disk\n", db.b / 1048576.0);
    store_close(s);
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    (void)!system(cmd);
    return 0;
}
