/* bench_frontier — the frontier's insert and take rates, through the store
 * interface, on either backend: SQLite (WAL, in a temp directory; one
 * writer, as crawld is today) or PostgreSQL (--spec URI; --writers
 * processes, each its own connection and node, as crawld nodes would be).
 *
 *   bench_frontier [--spec SPEC] [--writers N] [TOTAL [PAGES_PER_TX]]
 *
 * Insert: TOTAL new URLs (default 1,000,000) admitted as crawld admits a
 * page's links: 50 links a page, 30 % of them already seen (the seen set
 * answers), PAGES_PER_TX pages in one group (default 1: one commit a page).
 * With N writers, writer w admits the pages w, w+N, …: the same URLs, the
 * same repeats, in N processes at once.
 * Claim and finish: each writer claims up to 8 idle hosts with pending rows
 * (store_lease_claim), then for each reads up to 64 of its pending rows
 * (store_rows_pending) and ends them in one group committed under that
 * host's lease (store_group_commit checks it), until no host is left: one
 * cycle is one such group. What a node's scheduler and batch do, without
 * the fetch.
 * Prints URLs/s inserted, rows/s and cycles/s finished, the RSS of the
 * first process and (SQLite) the database's size. bench/frontier.sh runs
 * both backends in one run and prints their ratios. Targets (issue 5):
 * >= 50,000 URLs/s inserted on SQLite, RSS < 100 MB. */
#include "alloc.h"
#include "rss.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LINKS_PER_PAGE 50
#define HOSTS 997
#define CLAIM_MAX 8
#define WINDOW 64

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The k-th new URL and its host. */
static void url_of(long k, char *url, size_t un, char *host, size_t hn)
{
    snprintf(url, un, "https://host%ld.example/section/%ld/article-%ld.html?ref=%ld", k % HOSTS,
             k / 1000, k, k % 13);
    snprintf(host, hn, "https://host%ld.example", k % HOSTS);
}

typedef struct counts {
    long inserted, tried, pages, finished, cycles, lost;
    double t_insert, t_take;
    long rss_insert_kb, rss_take_kb;
} counts;

/* One admission of a group, kept until the group's end. */
typedef struct admission {
    char url[192], host[64];
    long page;
} admission;

static int admission_cmp(const void *a, const void *b)
{
    return strcmp(((const admission *)a)->url, ((const admission *)b)->url);
}

/* Admits a group's links in URL order, then commits. Every writer admits
 * in that one order: two groups that add the same URLs then wait for each
 * other at the first one they share, never each for the other (PostgreSQL
 * found such deadlocks between writers admitting in page order). */
static int admit_group(store *s, long long job, admission *g, long n, counts *c)
{
    qsort(g, (size_t)n, sizeof(*g), admission_cmp);
    char parent[160];
    for (long i = 0; i < n; i++) {
        snprintf(parent, sizeof(parent), "https://host%ld.example/section/%ld/page.html",
                 g[i].page % HOSTS, g[i].page);
        int r = store_row_add(s, job, g[i].url, 2, parent, g[i].host, ROW_PENDING, NULL);
        if (r < 0)
            return -1;
        c->inserted += r;
        c->tried++;
    }
    return store_group_commit(s, NULL, 0, NULL, 0) == STORE_OK ? 0 : -1;
}

/* Admits pages w, w+n, … until the writers together have total URLs.
 * Page p's links: new URL keys p*35 .. p*35+34 (35 new a page), and 15
 * repeats of keys earlier pages admitted. -1 on a store error. */
static int insert_phase(store *s, long long job, long total, long per_tx, int w, int n, counts *c)
{
    const long fresh = LINKS_PER_PAGE * 7 / 10; /* 70 % new, 30 % seen */
    long pages = (total + fresh - 1) / fresh;
    admission *g = alloc_zeroed((size_t)per_tx * LINKS_PER_PAGE * sizeof(admission));
    if (!g)
        return -1;
    long ng = 0, mine = 0;
    for (long p = w; p < pages; p += n) {
        for (int i = 0; i < LINKS_PER_PAGE; i++) {
            long k;
            if (i < fresh)
                k = p * fresh + i;
            else if (p > 0)
                k = ((p * 7919L + i * 104729L) % (p * fresh)); /* admitted before */
            else
                k = i - fresh;
            if (k >= total)
                continue;
            url_of(k, g[ng].url, sizeof(g[ng].url), g[ng].host, sizeof(g[ng].host));
            g[ng++].page = p;
        }
        c->pages++;
        if (++mine % per_tx == 0) {
            if (store_group_begin(s) < 0 || admit_group(s, job, g, ng, c) < 0)
                goto fail;
            ng = 0;
        }
    }
    if (ng && (store_group_begin(s) < 0 || admit_group(s, job, g, ng, c) < 0))
        goto fail;
    alloc_free(g, (size_t)per_tx * LINKS_PER_PAGE * sizeof(admission));
    return 0;
fail:
    fprintf(stderr, "bench_frontier: insert: %s\n", store_errmsg(s));
    alloc_free(g, (size_t)per_tx * LINKS_PER_PAGE * sizeof(admission));
    return -1;
}

/* Claims hosts and ends their pending rows, a group per host window, until
 * no host with pending rows is left to claim. -1 on a store error. */
static int take_phase(store *s, long long job, counts *c)
{
    store_lease l[CLAIM_MAX];
    store_row rows[WINDOW];
    for (;;) {
        int nl = store_lease_claim(s, CLAIM_MAX, now_ms() + 60000, l);
        if (nl < 0)
            goto fail;
        if (nl == 0)
            return 0; /* every host with pending rows is drained or another's */
        for (int h = 0; h < nl; h++) {
            long long after = 0;
            for (;;) {
                int n = store_rows_pending(s, job, l[h].host, after, WINDOW, rows);
                if (n < 0)
                    goto fail;
                if (n == 0)
                    break;
                after = rows[n - 1].id;
                if (store_group_begin(s) < 0) {
                    store_rows_free(rows, n);
                    goto fail;
                }
                for (int i = 0; i < n; i++)
                    if (store_row_finish(s, rows[i].id, ROW_DONE, 1) == 0)
                        c->finished++;
                store_rows_free(rows, n);
                store_rc rc = store_group_commit(s, &l[h], 1, NULL, 0);
                if (rc == STORE_LEASE_LOST) {
                    c->lost++;
                    break;
                }
                if (rc != STORE_OK)
                    goto fail;
                c->cycles++;
            }
        }
    }
fail:
    fprintf(stderr, "bench_frontier: take: %s\n", store_errmsg(s));
    return -1;
}

/* A writer that failed says so (inserted -1), so the parent never waits
 * for it; 1. */
static int writer_failed(int fd)
{
    counts c = {.inserted = -1};
    if (fd >= 0 && write(fd, &c, sizeof(c)) < 0)
        return 1;
    return 1;
}

/* One writer: its own store (connection, node), both phases, its counts
 * through fd. The insert phase ends at a barrier (every writer's last
 * commit) so the take phase measures taking alone. */
static int writer(const char *spec, long long job, long total, long per_tx, int w, int n, int fd,
                  int go_fd)
{
    char err[512];
    store *s = store_open(spec, err, sizeof(err));
    if (!s) {
        fprintf(stderr, "bench_frontier: writer %d: %s\n", w, err);
        return writer_failed(fd);
    }
    counts c = {0};
    double t0 = now();
    if (insert_phase(s, job, total, per_tx, w, n, &c) < 0)
        return writer_failed(fd);
    c.t_insert = now() - t0;
    c.rss_insert_kb = rss_self_kb();
    if (fd >= 0) { /* tell the parent, wait for every writer */
        if (write(fd, &c, sizeof(c)) != (ssize_t)sizeof(c))
            return 1;
        char b;
        if (read(go_fd, &b, 1) != 1)
            return 1;
    }
    t0 = now();
    if (take_phase(s, job, &c) < 0)
        return writer_failed(fd);
    c.t_take = now() - t0;
    c.rss_take_kb = rss_self_kb();
    if (fd >= 0 && write(fd, &c, sizeof(c)) != (ssize_t)sizeof(c))
        return 1;
    store_close(s);
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_frontier [--spec SPEC] [--writers N] [TOTAL [PAGES_PER_TX]]\n"
                    "  SPEC: a libpq URI (postgresql://…) or a SQLite path (default: a temp "
                    "directory's crawld.db)\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *spec = NULL;
    int writers = 1;
    int a = 1;
    for (; a < argc && argv[a][0] == '-' && argv[a][1] == '-'; a++) {
        if (!strcmp(argv[a], "--spec") && a + 1 < argc)
            spec = argv[++a];
        else if (!strcmp(argv[a], "--writers") && a + 1 < argc)
            writers = atoi(argv[++a]);
        else
            return usage();
    }
    long total = a < argc ? atol(argv[a++]) : 1000000;
    long per_tx = a < argc ? atol(argv[a++]) : 1;
    if (a < argc || total <= 0 || per_tx <= 0 || writers < 1 || writers > 64)
        return usage();
    char dir[] = "/tmp/bench_frontier.XXXXXX", path[128], err[512];
    int sqlite = !spec || strncmp(spec, "postgres", 8) != 0;
    if (!spec) {
        if (!mkdtemp(dir))
            return 1;
        snprintf(path, sizeof(path), "%s/crawld.db", dir);
        spec = path;
    }
    if (sqlite && writers > 1) {
        fprintf(stderr, "bench_frontier: SQLite has one writer (--writers 1)\n");
        return 2;
    }
    store *s = store_open(spec, err, sizeof(err));
    if (!s) {
        fprintf(stderr, "bench_frontier: %s\n", err);
        return 1;
    }
    long long job;
    if (store_group_begin(s) < 0 || store_job_insert(s, "bench", "running", "{}", 1.0, &job) < 0 ||
        store_group_commit(s, NULL, 0, NULL, 0) != STORE_OK) {
        fprintf(stderr, "bench_frontier: job: %s\n", store_errmsg(s));
        return 1;
    }
    counts sum = {0};
    double ti = 0, tt = 0;
    if (writers == 1) {
        /* in this process, on this store: what crawld does */
        double t0 = now();
        if (insert_phase(s, job, total, per_tx, 0, 1, &sum) < 0)
            return 1;
        ti = now() - t0;
        sum.rss_insert_kb = rss_self_kb();
        t0 = now();
        if (take_phase(s, job, &sum) < 0)
            return 1;
        tt = now() - t0;
        sum.rss_take_kb = rss_self_kb();
    } else {
        int up[2], go[2];
        if (pipe(up) < 0 || pipe(go) < 0)
            return 1;
        pid_t pids[64];
        for (int w = 0; w < writers; w++) {
            pids[w] = fork();
            if (pids[w] < 0)
                return 1;
            if (pids[w] == 0) {
                close(up[0]);
                close(go[1]);
                _exit(writer(spec, job, total, per_tx, w, writers, up[1], go[0]));
            }
        }
        close(up[1]);
        close(go[0]);
        /* wall time of each phase: from the first start to the last end */
        double t0 = now();
        counts c;
        for (int w = 0; w < writers; w++) {
            if (read(up[0], &c, sizeof(c)) != (ssize_t)sizeof(c) || c.inserted < 0)
                return 1; /* its error is on stderr; the others end with us */
            sum.inserted += c.inserted;
            sum.tried += c.tried;
            sum.pages += c.pages;
            if (w == 0)
                sum.rss_insert_kb = c.rss_insert_kb;
        }
        ti = now() - t0;
        t0 = now();
        char b[64] = {0};
        if (write(go[1], b, (size_t)writers) != writers)
            return 1;
        for (int w = 0; w < writers; w++) {
            if (read(up[0], &c, sizeof(c)) != (ssize_t)sizeof(c) || c.inserted < 0)
                return 1;
            sum.finished += c.finished;
            sum.cycles += c.cycles;
            sum.lost += c.lost;
            if (w == 0)
                sum.rss_take_kb = c.rss_take_kb;
        }
        tt = now() - t0;
        int bad = 0;
        for (int w = 0; w < writers; w++) {
            int st;
            waitpid(pids[w], &st, 0);
            bad |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
        }
        if (bad)
            return 1;
    }
    long counts_by_state[ROW_STATE_COUNT];
    if (store_job_counts(s, job, counts_by_state) < 0) {
        fprintf(stderr, "bench_frontier: counts: %s\n", store_errmsg(s));
        return 1;
    }
    printf("bench_frontier: %s, %d writer(s): %ld URLs (%ld admissions tried, %ld pages of %d "
           "links, 30 %% seen; %ld page(s) per group)\n",
           store_backend(s), writers, sum.inserted, sum.tried, sum.pages, LINKS_PER_PAGE, per_tx);
    printf("insert: %.2f s, %.0f URLs/s inserted (%.0f admissions/s)\n", ti, sum.inserted / ti,
           sum.tried / ti);
    printf("take:   %.2f s, %.0f rows/s claimed and finished, %.0f cycles/s (claim, read %d, "
           "finish, commit under the lease); %ld leases lost\n",
           tt, sum.finished / tt, sum.cycles / tt, WINDOW, sum.lost);
    printf("rss:    %.1f MB after insert, %.1f MB after take (first writer)\n",
           sum.rss_insert_kb / 1024.0, sum.rss_take_kb / 1024.0);
    if (sqlite) {
        struct stat st;
        if (stat(spec, &st) == 0)
            printf("db:     %.1f MB on disk\n", st.st_size / 1048576.0);
    }
    /* every URL admitted once and ended once, by whichever writer */
    int ok = sum.finished == sum.inserted && counts_by_state[ROW_DONE] == sum.inserted &&
             counts_by_state[ROW_PENDING] == 0;
    printf("check:  %ld admitted, %ld done, %ld pending: %s\n", sum.inserted,
           counts_by_state[ROW_DONE], counts_by_state[ROW_PENDING], ok ? "ok" : "MISMATCH");
    store_close(s);
    if (spec == path) {
        char cmd[160];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        (void)!system(cmd);
    }
    return ok ? 0 : 1;
}
