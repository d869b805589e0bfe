/* test_arena_pool — buckets, reuse, retain limits, free-list caps, and the
 * per-name held counts that catch arenas never given back. */
#include "alloc.h"
#include "arena_pool.h"

#include "testutil.h"

#include <check.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct {
    size_t hint;
    arena_pool_bucket bucket;
} hint_table[] = {
    {0, ARENA_POOL_TINY},
    {1024, ARENA_POOL_TINY},
    {1025, ARENA_POOL_SMALL},
    {4096, ARENA_POOL_SMALL},
    {4097, ARENA_POOL_MEDIUM},
    {16 * 1024, ARENA_POOL_MEDIUM},
    {16 * 1024 + 1, ARENA_POOL_LARGE},
    {(size_t)1 << 40, ARENA_POOL_LARGE},
};
#define N_HINTS (int)(sizeof(hint_table) / sizeof(hint_table[0]))

/* Loop: one iteration per row of hint_table. */
START_TEST(test_bucket_for_hint)
{
    arena_pool p;
    ck_assert_int_eq(arena_pool_init(&p, NULL), 0);
    ck_assert_int_eq(arena_pool_bucket_for(&p, hint_table[_i].hint), hint_table[_i].bucket);
    /* acquire_hint lands in that bucket's stats. */
    arena *a = arena_pool_acquire_hint(&p, hint_table[_i].hint, "hint");
    ck_assert_ptr_nonnull(a);
    for (int b = 0; b < ARENA_POOL_BUCKETS; b++) {
        arena_pool_bucket_stats st;
        arena_pool_stats(&p, (arena_pool_bucket)b, &st);
        ck_assert_uint_eq(st.live, b == (int)hint_table[_i].bucket ? 1 : 0);
    }
    arena_pool_release(&p, a);
    ck_assert_uint_eq(arena_pool_deinit(&p), 0);
}
END_TEST

START_TEST(test_defaults)
{
    arena_pool_config cfg;
    arena_pool_config_default(&cfg);
    ck_assert_uint_eq(cfg.bucket[ARENA_POOL_TINY].retain_bytes, 1024);
    ck_assert_uint_eq(cfg.bucket[ARENA_POOL_TINY].free_cap, 512);
    ck_assert_uint_eq(cfg.bucket[ARENA_POOL_SMALL].retain_bytes, 4096);
    ck_assert_uint_eq(cfg.bucket[ARENA_POOL_SMALL].free_cap, 128);
    ck_assert_uint_eq(cfg.bucket[ARENA_POOL_MEDIUM].retain_bytes, 16 * 1024);
    ck_assert_uint_eq(cfg.bucket[ARENA_POOL_MEDIUM].free_cap, 64);
    ck_assert_uint_eq(cfg.bucket[ARENA_POOL_LARGE].retain_bytes, 1024 * 1024);
    ck_assert_uint_eq(cfg.bucket[ARENA_POOL_LARGE].free_cap, 8);
    for (int b = 0; b < ARENA_POOL_BUCKETS; b++)
        ck_assert_uint_gt(cfg.bucket[b].chunk_bytes, 0);
    ck_assert_str_eq(arena_pool_bucket_name(ARENA_POOL_TINY), "tiny");
    ck_assert_str_eq(arena_pool_bucket_name(ARENA_POOL_SMALL), "small");
    ck_assert_str_eq(arena_pool_bucket_name(ARENA_POOL_MEDIUM), "medium");
    ck_assert_str_eq(arena_pool_bucket_name(ARENA_POOL_LARGE), "large");
    ck_assert_str_eq(arena_pool_bucket_name(ARENA_POOL_BUCKETS), "?");
}
END_TEST

START_TEST(test_init_rejects_zero_chunk)
{
    arena_pool_config cfg;
    arena_pool_config_default(&cfg);
    cfg.bucket[ARENA_POOL_MEDIUM].chunk_bytes = 0;
    arena_pool p;
    ck_assert_int_eq(arena_pool_init(&p, &cfg), -1);
    arena_pool_config_default(&cfg);
    cfg.bucket[ARENA_POOL_TINY].free_cap = 3;
    ck_assert_int_eq(arena_pool_init(&p, &cfg), 0);
    ck_assert_uint_eq(p.cfg.bucket[ARENA_POOL_TINY].free_cap, 3);
    ck_assert_uint_eq(arena_pool_deinit(&p), 0);
}
END_TEST

START_TEST(test_explicit_bucket)
{
    arena_pool p;
    arena_pool_init(&p, NULL);
    arena *a = arena_pool_acquire(&p, ARENA_POOL_MEDIUM, "js");
    ck_assert_ptr_nonnull(a);
    arena_pool_bucket_stats st;
    arena_pool_stats(&p, ARENA_POOL_MEDIUM, &st);
    ck_assert_uint_eq(st.live, 1);
    ck_assert_uint_eq(st.misses, 1);
    ck_assert_uint_eq(st.hits, 0);
    /* A fresh arena's first chunk is the bucket's chunk size. */
    ck_assert_uint_eq(a->min_chunk, p.cfg.bucket[ARENA_POOL_MEDIUM].chunk_bytes);
    ck_assert_ptr_nonnull(arena_alloc(a, 10));
    ck_assert_uint_eq(arena_capacity(a), p.cfg.bucket[ARENA_POOL_MEDIUM].chunk_bytes);
    /* Out-of-range buckets are refused without side effects. */
    ck_assert_ptr_null(arena_pool_acquire(&p, ARENA_POOL_BUCKETS, "js"));
    ck_assert_int_eq(arena_pool_held(&p, "js"), 1);
    arena_pool_release(&p, a);
    arena_pool_release(&p, NULL); /* no-op */
    ck_assert_uint_eq(arena_pool_deinit(&p), 0);
}
END_TEST

START_TEST(test_reuse_same_arena_and_memory)
{
    size_t base = alloc_live_bytes();
    arena_pool p;
    arena_pool_init(&p, NULL);
    arena *a = arena_pool_acquire(&p, ARENA_POOL_LARGE, "page");
    char *m = arena_alloc(a, 100);
    memcpy(m, "page one", 9);
    arena_pool_release(&p, a);

    arena_pool_bucket_stats st;
    arena_pool_stats(&p, ARENA_POOL_LARGE, &st);
    ck_assert_uint_eq(st.free, 1);
    ck_assert_uint_eq(st.live, 0);
    ck_assert_uint_gt(st.retained_bytes, 0);

    alloc_stats s0, s1;
    alloc_get_stats(&s0);
    arena *b = arena_pool_acquire(&p, ARENA_POOL_LARGE, "page");
    ck_assert_ptr_eq(b, a);
    ck_assert_uint_eq(arena_used(b), 0); /* released arenas come back empty */
    char *m2 = arena_alloc(b, 100);
    ck_assert_ptr_eq(m2, m); /* the same chunk memory */
    alloc_get_stats(&s1);
    ck_assert_uint_eq(s1.total_allocs, s0.total_allocs); /* a hit costs no malloc */

    arena_pool_stats(&p, ARENA_POOL_LARGE, &st);
    ck_assert_uint_eq(st.hits, 1);
    ck_assert_uint_eq(st.misses, 1);
    ck_assert_uint_eq(st.free, 0);
    ck_assert_uint_eq(st.retained_bytes, 0);
    ck_assert_uint_eq(st.live, 1);
    arena_pool_release(&p, b);
    ck_assert_uint_eq(arena_pool_deinit(&p), 0);
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

/* Loop: one iteration per bucket. Fill the arena far past the bucket's
 * retain limit; after release it keeps at most that much. */
START_TEST(test_retain_limit_after_release)
{
    arena_pool_bucket b = (arena_pool_bucket)_i;
    arena_pool p;
    arena_pool_init(&p, NULL);
    size_t limit = p.cfg.bucket[b].retain_bytes;
    arena *a = arena_pool_acquire(&p, b, "fill");
    size_t total = 0;
    for (int i = 0; total < 5 * limit; i++) {
        size_t n = (size_t)(i % 300) + 1;
        char *m = arena_alloc(a, n);
        ck_assert_ptr_nonnull(m);
        m[n - 1] = 1;
        total += n;
    }
    ck_assert_uint_gt(arena_capacity(a), limit);
    arena_pool_release(&p, a);
    arena_pool_bucket_stats st;
    arena_pool_stats(&p, b, &st);
    ck_assert_uint_le(st.retained_bytes, limit);
    ck_assert_uint_le(arena_capacity(a), limit); /* idle arena, still ours to inspect */
    ck_assert_uint_eq(st.retained_bytes, arena_capacity(a));
    ck_assert_uint_eq(arena_pool_retained_bytes(&p), st.retained_bytes);
    ck_assert_uint_eq(arena_pool_deinit(&p), 0);
}
END_TEST

START_TEST(test_free_list_cap)
{
    size_t base = alloc_live_bytes();
    arena_pool p;
    arena_pool_init(&p, NULL);
    size_t cap = p.cfg.bucket[ARENA_POOL_LARGE].free_cap;
    enum { MAXN = 64 };
    ck_assert_uint_le(cap + 3, MAXN);
    arena *as[MAXN];
    for (size_t i = 0; i < cap + 3; i++) {
        as[i] = arena_pool_acquire(&p, ARENA_POOL_LARGE, "page");
        ck_assert_ptr_nonnull(as[i]);
        arena_alloc(as[i], 1000);
    }
    ck_assert_int_eq(arena_pool_held(&p, "page"), (long)(cap + 3));
    for (size_t i = 0; i < cap + 3; i++)
        arena_pool_release(&p, as[i]);
    arena_pool_bucket_stats st;
    arena_pool_stats(&p, ARENA_POOL_LARGE, &st);
    ck_assert_uint_eq(st.free, cap);
    ck_assert_uint_eq(st.freed, 3);
    ck_assert_uint_eq(st.live, 0);
    ck_assert_uint_eq(st.misses, cap + 3);
    ck_assert_int_eq(arena_pool_held(&p, "page"), 0);
    ck_assert_uint_le(st.retained_bytes, cap * p.cfg.bucket[ARENA_POOL_LARGE].retain_bytes);
    ck_assert_uint_eq(arena_pool_deinit(&p), 0);
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

START_TEST(test_free_list_cap_custom)
{
    arena_pool_config cfg;
    arena_pool_config_default(&cfg);
    cfg.bucket[ARENA_POOL_TINY].free_cap = 2;
    arena_pool p;
    arena_pool_init(&p, &cfg);
    arena *a[5];
    for (int i = 0; i < 5; i++)
        a[i] = arena_pool_acquire(&p, ARENA_POOL_TINY, "tiny");
    for (int i = 0; i < 5; i++)
        arena_pool_release(&p, a[i]);
    arena_pool_bucket_stats st;
    arena_pool_stats(&p, ARENA_POOL_TINY, &st);
    ck_assert_uint_eq(st.free, 2);
    ck_assert_uint_eq(st.freed, 3);
    /* The two kept are the first two released (a[0], a[1]); the next
     * acquires hand them back, most recently released first. */
    arena *x = arena_pool_acquire(&p, ARENA_POOL_TINY, "tiny");
    arena *y = arena_pool_acquire(&p, ARENA_POOL_TINY, "tiny");
    ck_assert_ptr_eq(x, a[1]);
    ck_assert_ptr_eq(y, a[0]);
    arena_pool_stats(&p, ARENA_POOL_TINY, &st);
    ck_assert_uint_eq(st.hits, 2);
    ck_assert_uint_eq(st.free, 0);
    arena_pool_release(&p, x);
    arena_pool_release(&p, y);
    ck_assert_uint_eq(arena_pool_deinit(&p), 0);
}
END_TEST

START_TEST(test_held_by_name)
{
    arena_pool p;
    arena_pool_init(&p, NULL);
    arena *p1 = arena_pool_acquire(&p, ARENA_POOL_LARGE, "page");
    arena *p2 = arena_pool_acquire(&p, ARENA_POOL_LARGE, "page");
    arena *s1 = arena_pool_acquire(&p, ARENA_POOL_SMALL, "session");
    arena *n1 = arena_pool_acquire(&p, ARENA_POOL_TINY, NULL);
    ck_assert_int_eq(arena_pool_held(&p, "page"), 2);
    ck_assert_int_eq(arena_pool_held(&p, "session"), 1);
    ck_assert_int_eq(arena_pool_held(&p, "nobody"), 0);
    /* Names compare by value, not by pointer. */
    char copy[] = "page";
    ck_assert_int_eq(arena_pool_held(&p, copy), 2);
    arena *p3 = arena_pool_acquire(&p, ARENA_POOL_LARGE, copy);
    ck_assert_int_eq(arena_pool_held(&p, "page"), 3);
    arena_pool_release(&p, p3);
    arena_pool_release(&p, p1);
    ck_assert_int_eq(arena_pool_held(&p, "page"), 1);
    arena_pool_release(&p, s1);
    ck_assert_int_eq(arena_pool_held(&p, "session"), 0);
    arena_pool_release(&p, p2);
    arena_pool_release(&p, n1);
    ck_assert_int_eq(arena_pool_held(&p, "page"), 0);
    ck_assert_uint_eq(arena_pool_deinit(&p), 0);
}
END_TEST

START_TEST(test_baseline_after_deinit)
{
    size_t base = alloc_live_bytes();
    arena_pool p;
    arena_pool_init(&p, NULL);
    for (int round = 0; round < 20; round++) {
        arena *a[ARENA_POOL_BUCKETS];
        for (int b = 0; b < ARENA_POOL_BUCKETS; b++) {
            a[b] = arena_pool_acquire(&p, (arena_pool_bucket)b, "round");
            for (int i = 0; i < 100 * (b + 1); i++)
                arena_alloc(a[b], (size_t)(i * 13 % 500));
        }
        for (int b = 0; b < ARENA_POOL_BUCKETS; b++)
            arena_pool_release(&p, a[b]);
    }
    ck_assert_uint_gt(alloc_live_bytes(), base); /* idle arenas are retained */
    ck_assert_uint_gt(arena_pool_retained_bytes(&p), 0);
    ck_assert_uint_eq(arena_pool_deinit(&p), 0);
    ck_assert_uint_eq(alloc_live_bytes(), base);
    ck_assert_uint_eq(arena_pool_retained_bytes(&p), 0);
}
END_TEST

START_TEST(test_acquire_failure)
{
    size_t base = alloc_live_bytes();
    arena_pool p;
    arena_pool_init(&p, NULL);
    /* First allocation is the name counter. */
    alloc_fail_after(1);
    ck_assert_ptr_null(arena_pool_acquire(&p, ARENA_POOL_SMALL, "oom"));
    /* Second is the pooled arena itself. */
    alloc_fail_after(2);
    ck_assert_ptr_null(arena_pool_acquire(&p, ARENA_POOL_SMALL, "oom2"));
    alloc_fail_reset();
    ck_assert_int_eq(arena_pool_held(&p, "oom"), 0);
    ck_assert_int_eq(arena_pool_held(&p, "oom2"), 0);
    arena_pool_bucket_stats st;
    arena_pool_stats(&p, ARENA_POOL_SMALL, &st);
    ck_assert_uint_eq(st.live, 0);
    ck_assert_uint_eq(st.misses, 0);
    /* Works afterwards, and a failed acquire is no leak at deinit. */
    arena *a = arena_pool_acquire(&p, ARENA_POOL_SMALL, "oom2");
    ck_assert_ptr_nonnull(a);
    arena_pool_release(&p, a);
    ck_assert_uint_eq(arena_pool_deinit(&p), 0);
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

/* Releasing an arena twice drops its name below zero: abort. */
START_TEST(test_release_more_than_acquired_aborts)
{
    arena_pool p;
    arena_pool_init(&p, NULL);
    arena *a = arena_pool_acquire(&p, ARENA_POOL_SMALL, "twice");
    arena_pool_release(&p, a);
    arena_pool_release(&p, a);
}
END_TEST

/* Runs in a forked child: two names still held at deinit. Ends with
 * _exit(deinit's result) so neither the debug build's exit check nor
 * LeakSanitizer runs over the arenas leaked on purpose. */
static void deinit_with_held_names(void *arg)
{
    (void)arg;
    arena_pool p;
    arena_pool_init(&p, NULL);
    arena *a = arena_pool_acquire(&p, ARENA_POOL_LARGE, "leaked-page");
    arena_alloc(a, 100);
    arena_pool_acquire(&p, ARENA_POOL_LARGE, "leaked-page");
    arena_pool_acquire(&p, ARENA_POOL_TINY, "leaked-session");
    arena *ok = arena_pool_acquire(&p, ARENA_POOL_TINY, "fine");
    arena_pool_release(&p, ok);
    if (arena_pool_held(&p, "leaked-page") != 2)
        _exit(100);
    size_t held = arena_pool_deinit(&p);
    _exit(held > 50 ? 50 : (int)held);
}

START_TEST(test_deinit_with_held_name)
{
    char out[4096];
    int status = testutil_fork_capture(deinit_with_held_names, NULL, out, sizeof(out));
    ck_assert_int_ne(status, -1);
#ifdef CRAWLD_DEBUG
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
                  "debug build: expected SIGABRT, status %d", status);
#else
    ck_assert_msg(WIFEXITED(status), "release build: expected an exit, status %d", status);
    ck_assert_int_eq(WEXITSTATUS(status), 2); /* two names */
#endif
    ck_assert_ptr_nonnull(strstr(out, "arena still held at teardown\" name=leaked-page held=2"));
    ck_assert_ptr_nonnull(strstr(out, "name=leaked-session held=1"));
    ck_assert_ptr_null(strstr(out, "name=fine"));
}
END_TEST

/* The same arena released twice while another arena of its name is still
 * held: the per-name count alone cannot see it, and pushing the arena on the
 * free list twice would hand it to two owners. */
START_TEST(test_double_release_same_name_held_aborts)
{
    arena_pool p;
    arena_pool_init(&p, NULL);
    arena *a = arena_pool_acquire(&p, ARENA_POOL_LARGE, "page");
    arena *b = arena_pool_acquire(&p, ARENA_POOL_LARGE, "page");
    ck_assert_ptr_nonnull(b);
    arena_pool_release(&p, a);
    arena_pool_release(&p, a);
}
END_TEST

#ifdef CRAWLD_DEBUG
/* The same abort through Check's own signal expectation. */
START_TEST(test_deinit_with_held_name_aborts)
{
    arena_pool p;
    arena_pool_init(&p, NULL);
    arena_pool_acquire(&p, ARENA_POOL_SMALL, "leaked-session");
    arena_pool_deinit(&p);
}
END_TEST
#endif

static Suite *arena_pool_suite(void)
{
    Suite *s = suite_create("arena_pool");
    TCase *tc = tcase_create("buckets");
    tcase_add_loop_test(tc, test_bucket_for_hint, 0, N_HINTS);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_init_rejects_zero_chunk);
    tcase_add_test(tc, test_explicit_bucket);
    suite_add_tcase(s, tc);

    tc = tcase_create("reuse");
    tcase_add_test(tc, test_reuse_same_arena_and_memory);
    tcase_add_loop_test(tc, test_retain_limit_after_release, 0, ARENA_POOL_BUCKETS);
    tcase_add_test(tc, test_free_list_cap);
    tcase_add_test(tc, test_free_list_cap_custom);
    tcase_add_test(tc, test_baseline_after_deinit);
    tcase_add_test(tc, test_acquire_failure);
    suite_add_tcase(s, tc);

    tc = tcase_create("names");
    tcase_add_test(tc, test_held_by_name);
    tcase_add_test_raise_signal(tc, test_release_more_than_acquired_aborts, SIGABRT);
    tcase_add_test_raise_signal(tc, test_double_release_same_name_held_aborts, SIGABRT);
    tcase_add_test(tc, test_deinit_with_held_name);
#ifdef CRAWLD_DEBUG
    tcase_add_test_raise_signal(tc, test_deinit_with_held_name_aborts, SIGABRT);
#endif
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(arena_pool_suite()); }
