/* test_alloc — the process allocator: counters in both builds, failure
 * injection, and (CRAWLD_DEBUG) the leak report and the size checks. */
#include "alloc.h"
#include "testutil.h"

#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct sample {
    long a, b;
    char name[40];
} sample;

START_TEST(test_new_free_counts)
{
    alloc_stats s0, s1, s2;
    alloc_get_stats(&s0);
    char *p = alloc_new(1000);
    ck_assert_ptr_nonnull(p);
    memset(p, 0x5a, 1000);
    alloc_get_stats(&s1);
    ck_assert_uint_eq(s1.live_bytes, s0.live_bytes + 1000);
    ck_assert_uint_eq(s1.live_blocks, s0.live_blocks + 1);
    ck_assert_uint_eq(s1.total_allocs, s0.total_allocs + 1);
    ck_assert_uint_ge(s1.peak_bytes, s0.live_bytes + 1000);
    ck_assert_uint_eq(alloc_live_bytes(), s1.live_bytes);
    alloc_free(p, 1000);
    alloc_get_stats(&s2);
    ck_assert_uint_eq(s2.live_bytes, s0.live_bytes);
    ck_assert_uint_eq(s2.live_blocks, s0.live_blocks);
    ck_assert_uint_eq(s2.total_allocs, s0.total_allocs + 1);
    ck_assert_uint_eq(s2.peak_bytes, s1.peak_bytes); /* peak never goes down */
}
END_TEST

START_TEST(test_peak_tracks_high_water)
{
    size_t base = alloc_live_bytes();
    void *big = alloc_new(1 << 20);
    ck_assert_ptr_nonnull(big);
    alloc_free(big, 1 << 20);
    void *small = alloc_new(10);
    ck_assert_ptr_nonnull(small);
    alloc_stats s;
    alloc_get_stats(&s);
    ck_assert_uint_eq(s.live_bytes, base + 10);
    ck_assert_uint_ge(s.peak_bytes, base + (1 << 20));
    alloc_free(small, 10);
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

START_TEST(test_resize_counts_and_keeps_contents)
{
    alloc_stats s0, s;
    alloc_get_stats(&s0);
    unsigned char *p = alloc_new(10);
    ck_assert_ptr_nonnull(p);
    for (int i = 0; i < 10; i++)
        p[i] = (unsigned char)(i + 1);
    p = alloc_resize(p, 10, 100000);
    ck_assert_ptr_nonnull(p);
    for (int i = 0; i < 10; i++)
        ck_assert_uint_eq(p[i], (unsigned)(i + 1));
    memset(p + 10, 0xee, 100000 - 10);
    alloc_get_stats(&s);
    ck_assert_uint_eq(s.live_bytes, s0.live_bytes + 100000);
    ck_assert_uint_eq(s.live_blocks, s0.live_blocks + 1);
    ck_assert_uint_ge(s.peak_bytes, s0.live_bytes + 100000);

    p = alloc_resize(p, 100000, 5);
    ck_assert_ptr_nonnull(p);
    for (int i = 0; i < 5; i++)
        ck_assert_uint_eq(p[i], (unsigned)(i + 1));
    alloc_get_stats(&s);
    ck_assert_uint_eq(s.live_bytes, s0.live_bytes + 5);
    ck_assert_uint_eq(s.live_blocks, s0.live_blocks + 1);
    alloc_free(p, 5);
    alloc_get_stats(&s);
    ck_assert_uint_eq(s.live_bytes, s0.live_bytes);
    ck_assert_uint_eq(s.live_blocks, s0.live_blocks);
}
END_TEST

START_TEST(test_resize_null_is_new)
{
    size_t base = alloc_live_bytes();
    char *p = alloc_resize(NULL, 0, 64);
    ck_assert_ptr_nonnull(p);
    memset(p, 1, 64);
    ck_assert_uint_eq(alloc_live_bytes(), base + 64);
    alloc_free(p, 64);
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

START_TEST(test_zeroed_and_typed)
{
    size_t base = alloc_live_bytes();
    /* Dirty a block, free it, then ask for the same size zeroed: malloc
     * tends to hand the same memory back, so a missing memset shows. */
    unsigned char *d = alloc_new(256);
    ck_assert_ptr_nonnull(d);
    memset(d, 0xff, 256);
    alloc_free(d, 256);
    unsigned char *z = alloc_zeroed(256);
    ck_assert_ptr_nonnull(z);
    for (int i = 0; i < 256; i++)
        ck_assert_uint_eq(z[i], 0);
    alloc_free(z, 256);

    sample *s = ALLOC_NEW(sample);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(s->a, 0);
    ck_assert_int_eq(s->name[0], 0);
    ck_assert_uint_eq(alloc_live_bytes(), base + sizeof(sample));
    ALLOC_FREE(s);
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

START_TEST(test_strdup_strfree)
{
    size_t base = alloc_live_bytes();
    const char *src = "worker retired";
    char *s = alloc_strdup(src);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_ne(s, src);
    ck_assert_str_eq(s, src);
    ck_assert_uint_eq(alloc_live_bytes(), base + strlen(src) + 1);
    char *e = alloc_strdup("");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e, "");
    ck_assert_uint_eq(alloc_live_bytes(), base + strlen(src) + 2);
    alloc_strfree(s);
    alloc_strfree(e);
    alloc_strfree(NULL);
    alloc_free(NULL, 123);
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

START_TEST(test_fail_after_nth)
{
    size_t base = alloc_live_bytes();
    void *ok[2];
    alloc_fail_after(3);
    ok[0] = alloc_new(16);
    ok[1] = alloc_new(16);
    void *third = alloc_new(16);
    void *fourth = alloc_new(16);
    void *fifth = alloc_zeroed(16);
    ck_assert_ptr_nonnull(ok[0]);
    ck_assert_ptr_nonnull(ok[1]);
    ck_assert_ptr_null(third);
    ck_assert_ptr_null(fourth);
    ck_assert_ptr_null(fifth);
    ck_assert_int_eq(alloc_fail_count(), 5);
    /* Failed allocations are not counted as live. */
    ck_assert_uint_eq(alloc_live_bytes(), base + 32);
    alloc_fail_reset();
    void *again = alloc_new(16);
    ck_assert_ptr_nonnull(again);
    alloc_free(again, 16);
    alloc_free(ok[0], 16);
    alloc_free(ok[1], 16);
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

START_TEST(test_fail_after_one_and_zero)
{
    alloc_fail_after(1);
    ck_assert_ptr_null(alloc_new(1));
    ck_assert_ptr_null(alloc_strdup("x"));
    alloc_fail_after(0); /* 0 disables */
    for (int i = 0; i < 100; i++) {
        void *p = alloc_new(8);
        ck_assert_ptr_nonnull(p);
        alloc_free(p, 8);
    }
    /* A new alloc_fail_after restarts the count. */
    alloc_fail_after(2);
    void *p = alloc_new(8);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_null(alloc_new(8));
    alloc_fail_after(2);
    void *q = alloc_new(8);
    ck_assert_ptr_nonnull(q);
    alloc_fail_reset();
    ck_assert_int_eq(alloc_fail_count(), 0);
    alloc_free(p, 8);
    alloc_free(q, 8);
}
END_TEST

START_TEST(test_failed_resize_keeps_block)
{
    alloc_stats s0, s;
    char *p = alloc_new(32);
    ck_assert_ptr_nonnull(p);
    memcpy(p, "still here", 11);
    alloc_get_stats(&s0);
    alloc_fail_after(1);
    ck_assert_ptr_null(alloc_resize(p, 32, 4096));
    alloc_fail_reset();
    alloc_get_stats(&s);
    ck_assert_uint_eq(s.live_bytes, s0.live_bytes);
    ck_assert_uint_eq(s.live_blocks, s0.live_blocks);
    ck_assert_str_eq(p, "still here");
    alloc_free(p, 32); /* the old size is still the right one */
    ck_assert_uint_eq(alloc_live_bytes(), s0.live_bytes - 32);
}
END_TEST

#define THREADS 4
#define PER_THREAD 20000

static void *churn(void *arg)
{
    size_t sz = (size_t)(uintptr_t)arg;
    for (int i = 0; i < PER_THREAD; i++) {
        void *p = alloc_new(sz + (size_t)(i % 7));
        if (!p)
            return (void *)1;
        alloc_free(p, sz + (size_t)(i % 7));
    }
    return NULL;
}

START_TEST(test_counters_thread_safe)
{
    alloc_stats s0, s;
    alloc_get_stats(&s0);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, churn, (void *)(uintptr_t)(16 * (i + 1))), 0);
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        ck_assert_ptr_null(r);
    }
    alloc_get_stats(&s);
    ck_assert_uint_eq(s.live_bytes, s0.live_bytes);
    ck_assert_uint_eq(s.live_blocks, s0.live_blocks);
    ck_assert_uint_eq(s.total_allocs, s0.total_allocs + THREADS * PER_THREAD);
}
END_TEST

#ifdef CRAWLD_DEBUG
/* ---- tracking allocator only ------------------------------------------ */

#define LEAK_SIZE 12345

/* Not static, so -rdynamic gives the backtrace a name to show. */
void testalloc_plant_leak(void *arg);
void testalloc_plant_leak(void *arg)
{
    (void)arg;
    char *p = alloc_new(LEAK_SIZE);
    if (p)
        memset(p, 1, LEAK_SIZE);
}

static void free_everything(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++) {
        char *s = alloc_strdup("no leak here");
        void *p = alloc_new((size_t)i * 10);
        p = alloc_resize(p, (size_t)i * 10, (size_t)i * 20);
        alloc_free(p, (size_t)i * 20);
        alloc_strfree(s);
    }
}

static void leak_but_disable_check(void *arg)
{
    testalloc_plant_leak(arg);
    alloc_exit_check_disable();
}

static void free_wrong_size(void *arg)
{
    (void)arg;
    void *p = alloc_new(100);
    alloc_free(p, 99);
}

static void resize_wrong_size(void *arg)
{
    (void)arg;
    void *p = alloc_new(100);
    p = alloc_resize(p, 101, 200);
    alloc_free(p, 200);
}

START_TEST(test_debug_is_tracking) { ck_assert_int_eq(alloc_is_tracking(), 1); }
END_TEST

START_TEST(test_debug_leak_in_child_reported)
{
    ck_assert_uint_eq(alloc_live_bytes(), 0); /* nothing of ours for the child to inherit */
    char out[16384];
    int status = testutil_fork_capture(testalloc_plant_leak, NULL, out, sizeof(out));
    ck_assert_int_ne(status, -1);
    ck_assert_msg(WIFEXITED(status), "child did not exit normally (status %d)", status);
    ck_assert_int_eq(WEXITSTATUS(status), 1);
    ck_assert_ptr_nonnull(strstr(out, "msg=\"leak\""));
    ck_assert_ptr_nonnull(strstr(out, "size=12345"));
    ck_assert_ptr_nonnull(strstr(out, "blocks=1 bytes=12345"));
    /* backtrace_symbols_fd lines look like "binary(func+0x1d)[0x55d0...]". */
    ck_assert_msg(strstr(out, ")[0x") != NULL, "no backtrace line in:\n%s", out);
    ck_assert_msg(strstr(out, "testalloc_plant_leak") != NULL,
                  "backtrace does not name the allocating function:\n%s", out);
}
END_TEST

START_TEST(test_debug_clean_child_no_report)
{
    char out[4096];
    int status = testutil_fork_capture(free_everything, NULL, out, sizeof(out));
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    ck_assert_msg(out[0] == '\0', "unexpected stderr from a clean child:\n%s", out);
}
END_TEST

START_TEST(test_debug_exit_check_disable)
{
    char out[4096];
    int status = testutil_fork_capture(leak_but_disable_check, NULL, out, sizeof(out));
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    ck_assert_ptr_null(strstr(out, "leak"));
}
END_TEST

START_TEST(test_debug_free_wrong_size_aborts)
{
    char out[4096];
    int status = testutil_fork_capture(free_wrong_size, NULL, out, sizeof(out));
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "status %d", status);
    ck_assert_ptr_nonnull(strstr(out, "free with the wrong size"));
    ck_assert_ptr_nonnull(strstr(out, "size=99 actual=100"));
}
END_TEST

START_TEST(test_debug_resize_wrong_size_aborts)
{
    char out[4096];
    int status = testutil_fork_capture(resize_wrong_size, NULL, out, sizeof(out));
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "status %d", status);
    ck_assert_ptr_nonnull(strstr(out, "resize with the wrong size"));
}
END_TEST

/* The same check through Check's own signal expectation. */
START_TEST(test_debug_free_wrong_size_signal)
{
    void *p = alloc_new(48);
    alloc_free(p, 47);
}
END_TEST

START_TEST(test_debug_leak_report_counts)
{
    /* The report goes to stderr; keep the expected "leak" lines out of the
     * test log (this is the forked test process, not the runner). */
    int devnull = open("/dev/null", O_WRONLY);
    ck_assert_int_ge(devnull, 0);
    dup2(devnull, 2);
    close(devnull);
    void *a = alloc_new(10), *b = alloc_new(20);
    ck_assert_uint_eq(alloc_leak_report(), 2);
    alloc_free(a, 10);
    ck_assert_uint_eq(alloc_leak_report(), 1);
    alloc_free(b, 20);
    ck_assert_uint_eq(alloc_leak_report(), 0);
}
END_TEST

#else
/* ---- release ----------------------------------------------------------- */

START_TEST(test_release_not_tracking)
{
    ck_assert_int_eq(alloc_is_tracking(), 0);
    void *p = alloc_new(10);
    ck_assert_uint_eq(alloc_leak_report(), 0);
    alloc_exit_check_disable(); /* a no-op, but it must exist */
    alloc_free(p, 10);
}
END_TEST
#endif

static Suite *alloc_suite(void)
{
    Suite *s = suite_create("alloc");
    TCase *tc = tcase_create("counters");
    tcase_add_test(tc, test_new_free_counts);
    tcase_add_test(tc, test_peak_tracks_high_water);
    tcase_add_test(tc, test_resize_counts_and_keeps_contents);
    tcase_add_test(tc, test_resize_null_is_new);
    tcase_add_test(tc, test_zeroed_and_typed);
    tcase_add_test(tc, test_strdup_strfree);
    tcase_add_test(tc, test_counters_thread_safe);
    suite_add_tcase(s, tc);

    tc = tcase_create("failure_injection");
    tcase_add_test(tc, test_fail_after_nth);
    tcase_add_test(tc, test_fail_after_one_and_zero);
    tcase_add_test(tc, test_failed_resize_keeps_block);
    suite_add_tcase(s, tc);

    tc = tcase_create("build");
#ifdef CRAWLD_DEBUG
    tcase_add_test(tc, test_debug_is_tracking);
    tcase_add_test(tc, test_debug_leak_in_child_reported);
    tcase_add_test(tc, test_debug_clean_child_no_report);
    tcase_add_test(tc, test_debug_exit_check_disable);
    tcase_add_test(tc, test_debug_free_wrong_size_aborts);
    tcase_add_test(tc, test_debug_resize_wrong_size_aborts);
    tcase_add_test_raise_signal(tc, test_debug_free_wrong_size_signal, SIGABRT);
    tcase_add_test(tc, test_debug_leak_report_counts);
#else
    tcase_add_test(tc, test_release_not_tracking);
#endif
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(alloc_suite()); }
