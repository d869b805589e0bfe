/* bench_arena — what the page arena and the arena pool buy over malloc.
 *
 * 1. DOM-like: 1,000,000 small allocations (16-128 bytes, deterministic
 *    pseudo-random sizes), each written, then all freed: arena_alloc +
 *    arena_release vs malloc/free vs alloc_new/alloc_free (the process
 *    allocator). Reported: ns per allocation (including the write) and the
 *    time to free them all.
 * 2. Pages: 100,000 x (acquire(large) + 200 allocations of 64 B + release)
 *    vs arena_init + the same + arena_release per page.
 *
 * Each measurement runs in its own forked process, so no variant inherits
 * the heap another one left behind (1M freed small blocks in malloc's bins
 * make the next large malloc consolidate them, and a trimmed heap makes the
 * next run fault its pages in again). In that process the first run is
 * "cold" (fresh pages: first-touch faults included); then glibc is told to
 * keep freed memory (no trim, no mmap for chunks), one run settles the heap
 * and the median of the next 3 is "warm" (allocator work only). The
 * variants take turns over ROUNDS rounds (default 5), so load elsewhere on
 * the machine spreads over all of them; every figure is the median over
 * the rounds.
 *
 * Output: a table for people, then one key=value line per figure.
 * Usage: bench_arena [rounds] */
#include "alloc.h"
#include "arena.h"
#include "arena_pool.h"

#include <limits.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DOM_ALLOCS 1000000
#define POOL_PAGES 100000
#define PAGE_ALLOCS 200
#define PAGE_ALLOC_SIZE 64
#define MAX_RUNS 15

static volatile uint64_t sink; /* keeps the work observable */
static int runs = 5;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static long minor_faults(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_arena: %s failed\n", what);
    exit(1);
}

/* xorshift32: the same sizes on every run and every machine. */
static uint8_t sizes[DOM_ALLOCS];
static void make_sizes(void)
{
    uint32_t x = 2463534242u;
    for (int i = 0; i < DOM_ALLOCS; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        sizes[i] = (uint8_t)(16 + x % 113); /* 16..128 */
    }
}

static void *ptrs[DOM_ALLOCS];

/* One measurement: [0] ns per allocation, [1] ms to free everything. */
typedef void (*dom_fn)(double out[2], size_t *chunks);

static void dom_arena(double out[2], size_t *chunks)
{
    uint64_t sum = 0;
    arena a;
    arena_init(&a, 0);
    uint64_t t0 = now_ns();
    for (int i = 0; i < DOM_ALLOCS; i++) {
        unsigned char *p = arena_alloc(&a, sizes[i]);
        if (!p)
            die("arena_alloc");
        memset(p, i & 0xff, sizes[i]);
        sum += p[sizes[i] - 1];
    }
    uint64_t t1 = now_ns();
    *chunks = a.chunks;
    arena_release(&a);
    uint64_t t2 = now_ns();
    sink += sum;
    out[0] = (double)(t1 - t0) / DOM_ALLOCS;
    out[1] = (double)(t2 - t1) / 1e6;
}

static void dom_malloc(double out[2], size_t *chunks)
{
    uint64_t sum = 0;
    *chunks = 0;
    uint64_t t0 = now_ns();
    for (int i = 0; i < DOM_ALLOCS; i++) {
        unsigned char *p = malloc(sizes[i]);
        if (!p)
            die("malloc");
        memset(p, i & 0xff, sizes[i]);
        sum += p[sizes[i] - 1];
        ptrs[i] = p;
    }
    uint64_t t1 = now_ns();
    for (int i = 0; i < DOM_ALLOCS; i++)
        free(ptrs[i]);
    uint64_t t2 = now_ns();
    sink += sum;
    out[0] = (double)(t1 - t0) / DOM_ALLOCS;
    out[1] = (double)(t2 - t1) / 1e6;
}

static void dom_process_alloc(double out[2], size_t *chunks)
{
    uint64_t sum = 0;
    *chunks = 0;
    uint64_t t0 = now_ns();
    for (int i = 0; i < DOM_ALLOCS; i++) {
        unsigned char *p = alloc_new(sizes[i]);
        if (!p)
            die("alloc_new");
        memset(p, i & 0xff, sizes[i]);
        sum += p[sizes[i] - 1];
        ptrs[i] = p;
    }
    uint64_t t1 = now_ns();
    for (int i = 0; i < DOM_ALLOCS; i++)
        alloc_free(ptrs[i], sizes[i]);
    uint64_t t2 = now_ns();
    sink += sum;
    out[0] = (double)(t1 - t0) / DOM_ALLOCS;
    out[1] = (double)(t2 - t1) / 1e6;
}

static void fill_page(arena *a)
{
    uint64_t sum = 0;
    for (int j = 0; j < PAGE_ALLOCS; j++) {
        unsigned char *p = arena_alloc(a, PAGE_ALLOC_SIZE);
        if (!p)
            die("arena_alloc");
        memset(p, j, PAGE_ALLOC_SIZE);
        sum += p[PAGE_ALLOC_SIZE - 1];
    }
    sink += sum;
}

/* ns per page through the pool; pool_stats gets the large bucket's stats. */
static arena_pool_bucket_stats pool_stats;
static double pages_pool(void)
{
    arena_pool pool;
    if (arena_pool_init(&pool, NULL) != 0)
        die("arena_pool_init");
    uint64_t t0 = now_ns();
    for (int i = 0; i < POOL_PAGES; i++) {
        arena *a = arena_pool_acquire(&pool, ARENA_POOL_LARGE, "bench-page");
        if (!a)
            die("arena_pool_acquire");
        fill_page(a);
        arena_pool_release(&pool, a);
    }
    double ns = (double)(now_ns() - t0) / POOL_PAGES;
    arena_pool_stats(&pool, ARENA_POOL_LARGE, &pool_stats);
    if (arena_pool_deinit(&pool) != 0)
        die("arena_pool_deinit");
    return ns;
}

/* ns per page with a fresh arena each time, first chunk of chunk_bytes. */
static size_t fresh_chunk;
static double pages_fresh(void)
{
    uint64_t t0 = now_ns();
    for (int i = 0; i < POOL_PAGES; i++) {
        arena a;
        arena_init(&a, fresh_chunk);
        fill_page(&a);
        arena_release(&a);
    }
    return (double)(now_ns() - t0) / POOL_PAGES;
}

/* What a variant's process sends back. */
typedef struct result {
    double cold[2];               /* the process's first run */
    double warm[2];               /* median of its WARM_RUNS timed warm runs */
    long cold_faults;             /* minor faults in the first run */
    long warm_faults;             /* in the timed warm runs together */
    size_t chunks;                /* arena chunks (DOM arena variant) */
    arena_pool_bucket_stats pool; /* pages_pool only: the last run's stats */
} result;

#define WARM_RUNS 3

static void keep_freed_memory(void)
{
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
}

static void measure_dom(dom_fn fn, result *r)
{
    double a[WARM_RUNS], f[WARM_RUNS], out[2];
    long f0 = minor_faults();
    fn(r->cold, &r->chunks);
    r->cold_faults = minor_faults() - f0;
    keep_freed_memory();
    fn(out, &r->chunks); /* settles the heap under the new settings */
    f0 = minor_faults();
    for (int i = 0; i < WARM_RUNS; i++) {
        fn(out, &r->chunks);
        a[i] = out[0];
        f[i] = out[1];
    }
    r->warm_faults = minor_faults() - f0;
    r->warm[0] = median(a, WARM_RUNS);
    r->warm[1] = median(f, WARM_RUNS);
}

static void measure_pages(double (*fn)(void), result *r)
{
    double ns[WARM_RUNS];
    long f0 = minor_faults();
    r->cold[0] = fn();
    r->cold_faults = minor_faults() - f0;
    keep_freed_memory();
    fn();
    f0 = minor_faults();
    for (int i = 0; i < WARM_RUNS; i++)
        ns[i] = fn();
    r->warm_faults = minor_faults() - f0;
    r->warm[0] = median(ns, WARM_RUNS);
    r->pool = pool_stats;
}

/* Runs one variant in a child process and collects its result. */
static void in_child(dom_fn dom, double (*pages)(void), result *r)
{
    int fds[2];
    if (pipe(fds) < 0)
        die("pipe");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(fds[0]);
        result res;
        memset(&res, 0, sizeof(res));
        size_t base = alloc_live_bytes();
        if (dom)
            measure_dom(dom, &res);
        else
            measure_pages(pages, &res);
        if (alloc_live_bytes() != base)
            die("returning every byte");
        _exit(write(fds[1], &res, sizeof(res)) == (ssize_t)sizeof(res) ? 0 : 1);
    }
    close(fds[1]);
    ssize_t n = read(fds[0], r, sizeof(*r));
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    if (n != (ssize_t)sizeof(*r) || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("a variant's process");
}

/* A variant's figures over the rounds: medians of each. */
typedef struct summary {
    double warm[2], cold[2];
    long cold_faults, warm_faults;
    size_t chunks;
    arena_pool_bucket_stats pool;
} summary;

static void summarize(const result *rs, int n, summary *out)
{
    double v[4][MAX_RUNS];
    for (int i = 0; i < n; i++) {
        v[0][i] = rs[i].warm[0];
        v[1][i] = rs[i].warm[1];
        v[2][i] = rs[i].cold[0];
        v[3][i] = rs[i].cold[1];
    }
    out->warm[0] = median(v[0], n);
    out->warm[1] = median(v[1], n);
    out->cold[0] = median(v[2], n);
    out->cold[1] = median(v[3], n);
    out->cold_faults = rs[n - 1].cold_faults;
    out->warm_faults = 0;
    for (int i = 0; i < n; i++)
        out->warm_faults += rs[i].warm_faults;
    out->chunks = rs[n - 1].chunks;
    out->pool = rs[n - 1].pool;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        runs = atoi(argv[1]);
        if (runs < 1 || runs > MAX_RUNS) {
            fprintf(stderr, "usage: bench_arena [rounds 1..%d]\n", MAX_RUNS);
            return 2;
        }
    }
    make_sizes();

    /* Rounds interleave the variants, so a burst of load elsewhere on the
     * machine lands on all of them rather than on one. */
    static result r_ar[MAX_RUNS], r_ma[MAX_RUNS], r_pa[MAX_RUNS];
    static result r_pool[MAX_RUNS], r_fl[MAX_RUNS], r_fd[MAX_RUNS];
    arena_pool_config cfg;
    arena_pool_config_default(&cfg);
    size_t large_chunk = cfg.bucket[ARENA_POOL_LARGE].chunk_bytes;
    for (int r = 0; r < runs; r++) {
        in_child(dom_arena, NULL, &r_ar[r]);
        in_child(dom_malloc, NULL, &r_ma[r]);
        in_child(dom_process_alloc, NULL, &r_pa[r]);
        in_child(NULL, pages_pool, &r_pool[r]);
        fresh_chunk = large_chunk;
        in_child(NULL, pages_fresh, &r_fl[r]);
        fresh_chunk = 0;
        in_child(NULL, pages_fresh, &r_fd[r]);
    }
    summary ar, ma, pa, pool, fresh_large, fresh_def;
    summarize(r_ar, runs, &ar);
    summarize(r_ma, runs, &ma);
    summarize(r_pa, runs, &pa);
    summarize(r_pool, runs, &pool);
    summarize(r_fl, runs, &fresh_large);
    summarize(r_fd, runs, &fresh_def);

    const char *build = alloc_is_tracking() ? "debug" : "release";
    printf("bench_arena (%s build, %d rounds; medians; warm = heap kept, no page faults; cold = "
           "first run in a fresh process)\n\n",
           build, runs);
    printf("DOM-like: %d allocations of 16-128 B, each written, then all freed\n", DOM_ALLOCS);
    printf("  %-22s %10s %12s %10s %12s %8s\n", "allocator", "warm ns", "warm free ms", "cold ns",
           "cold free ms", "cold flt");
    const struct {
        const char *name;
        summary *r;
    } dom_rows[] = {{"arena", &ar}, {"malloc/free", &ma}, {"alloc_new/alloc_free", &pa}};
    for (int i = 0; i < 3; i++)
        printf("  %-22s %10.2f %12.3f %10.2f %12.3f %8ld\n", dom_rows[i].name,
               dom_rows[i].r->warm[0], dom_rows[i].r->warm[1], dom_rows[i].r->cold[0],
               dom_rows[i].r->cold[1], dom_rows[i].r->cold_faults);
    printf("  arena chunks for the 1M allocations: %zu; page faults in warm runs: %ld/%ld/%ld\n",
           ar.chunks, ar.warm_faults, ma.warm_faults, pa.warm_faults);

    printf("\nPages: %d x (acquire + %d x %d B + release)\n", POOL_PAGES, PAGE_ALLOCS,
           PAGE_ALLOC_SIZE);
    printf("  %-30s %10s %10s %10s\n", "arena source", "warm ns", "vs pool", "1st run ns");
    char label[64];
    snprintf(label, sizeof(label), "arena_init (%zu KiB chunk)", large_chunk / 1024);
    printf("  %-30s %10.1f %9.2fx %10.1f\n", "arena_pool (large bucket)", pool.warm[0], 1.0,
           pool.cold[0]);
    printf("  %-30s %10.1f %9.2fx %10.1f\n", label, fresh_large.warm[0],
           fresh_large.warm[0] / pool.warm[0], fresh_large.cold[0]);
    snprintf(label, sizeof(label), "arena_init (%d KiB chunk)", ARENA_DEFAULT_CHUNK / 1024);
    printf("  %-30s %10.1f %9.2fx %10.1f\n", label, fresh_def.warm[0],
           fresh_def.warm[0] / pool.warm[0], fresh_def.cold[0]);
    printf("  (1st run: the first 100,000 pages of a fresh process, glibc defaults)\n");
    printf("  pool, last process: hits %llu, misses %llu\n", (unsigned long long)pool.pool.hits,
           (unsigned long long)pool.pool.misses);

    printf("\n");
    printf("build=%s\n", build);
    printf("rounds=%d\n", runs);
    printf("dom_allocs=%d\n", DOM_ALLOCS);
    printf("dom_arena_ns_per_alloc=%.2f\n", ar.warm[0]);
    printf("dom_arena_release_ms=%.3f\n", ar.warm[1]);
    printf("dom_arena_cold_ns_per_alloc=%.2f\n", ar.cold[0]);
    printf("dom_arena_cold_release_ms=%.3f\n", ar.cold[1]);
    printf("dom_arena_chunks=%zu\n", ar.chunks);
    printf("dom_malloc_ns_per_alloc=%.2f\n", ma.warm[0]);
    printf("dom_malloc_free_all_ms=%.3f\n", ma.warm[1]);
    printf("dom_malloc_cold_ns_per_alloc=%.2f\n", ma.cold[0]);
    printf("dom_malloc_cold_free_all_ms=%.3f\n", ma.cold[1]);
    printf("dom_alloc_ns_per_alloc=%.2f\n", pa.warm[0]);
    printf("dom_alloc_free_all_ms=%.3f\n", pa.warm[1]);
    printf("dom_alloc_cold_ns_per_alloc=%.2f\n", pa.cold[0]);
    printf("dom_alloc_cold_free_all_ms=%.3f\n", pa.cold[1]);
    printf("pool_pages=%d\n", POOL_PAGES);
    printf("pool_ns_per_page=%.1f\n", pool.warm[0]);
    printf("arena_init_ns_per_page=%.1f\n", fresh_large.warm[0]);
    printf("arena_init_default_chunk_ns_per_page=%.1f\n", fresh_def.warm[0]);
    printf("pool_speedup=%.2f\n", fresh_large.warm[0] / pool.warm[0]);
    printf("pool_speedup_default_chunk=%.2f\n", fresh_def.warm[0] / pool.warm[0]);
    printf("pool_first_run_ns_per_page=%.1f\n", pool.cold[0]);
    printf("arena_init_first_run_ns_per_page=%.1f\n", fresh_large.cold[0]);
    printf("arena_init_default_chunk_first_run_ns_per_page=%.1f\n", fresh_def.cold[0]);
    return 0;
}
