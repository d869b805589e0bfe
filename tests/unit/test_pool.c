/* Check suite: pool — the worker state table, restart backoff, jittered
 * max pages (the parts of pool.c that are pure). The pool itself is tested
 * end to end in tests/integration/daemon_*.py with real workers. */
#include "pool.h"

#include <check.h>

#include "testutil.h"
#include <string.h>

START_TEST(transitions_follow_the_table)
{
    ck_assert(pool_transition_ok(WORKER_STARTING, WORKER_IDLE));
    ck_assert(pool_transition_ok(WORKER_STARTING, WORKER_RETIRING));
    ck_assert(!pool_transition_ok(WORKER_STARTING, WORKER_BUSY)); /* no page before ready */
    ck_assert(pool_transition_ok(WORKER_IDLE, WORKER_BUSY));
    ck_assert(pool_transition_ok(WORKER_IDLE, WORKER_RETIRING));
    ck_assert(pool_transition_ok(WORKER_BUSY, WORKER_IDLE));
    ck_assert(pool_transition_ok(WORKER_BUSY, WORKER_RETIRING));
    ck_assert(!pool_transition_ok(WORKER_BUSY, WORKER_BUSY)); /* one page at a time */
    for (int s = 0; s < WORKER_STATE_COUNT; s++) {
        ck_assert(!pool_transition_ok(WORKER_RETIRING, (worker_state)s)); /* terminal */
        ck_assert(!pool_transition_ok((worker_state)s, WORKER_STARTING)); /* only at spawn */
        ck_assert(!pool_transition_ok((worker_state)s, (worker_state)s));
    }
    ck_assert(!pool_transition_ok(WORKER_STATE_COUNT, WORKER_IDLE));
}
END_TEST

START_TEST(names)
{
    ck_assert_str_eq(worker_state_str(WORKER_STARTING), "starting");
    ck_assert_str_eq(worker_state_str(WORKER_IDLE), "idle");
    ck_assert_str_eq(worker_state_str(WORKER_BUSY), "busy");
    ck_assert_str_eq(worker_state_str(WORKER_RETIRING), "retiring");
    ck_assert_str_eq(recycle_reason_str(RECYCLE_RSS), "rss");
    ck_assert_str_eq(recycle_reason_str(RECYCLE_RSS_HARD), "rss_hard");
    ck_assert_str_eq(recycle_reason_str(RECYCLE_MAX_PAGES), "max_pages");
    ck_assert_str_eq(recycle_reason_str(RECYCLE_TIMEOUT), "timeout");
    ck_assert_str_eq(recycle_reason_str(RECYCLE_CRASH), "crash");
    ck_assert_str_eq(recycle_reason_str(RECYCLE_RELOAD), "reload");
}
END_TEST

START_TEST(backoff_doubles_and_caps)
{
    ck_assert_int_eq(pool_backoff_ms(0), 0);
    ck_assert_int_eq(pool_backoff_ms(1), 250);
    ck_assert_int_eq(pool_backoff_ms(2), 500);
    ck_assert_int_eq(pool_backoff_ms(3), 1000);
    ck_assert_int_eq(pool_backoff_ms(8), 30000);
    ck_assert_int_eq(pool_backoff_ms(1000), 30000);
}
END_TEST

START_TEST(jitter_stays_within_ten_percent)
{
    long lo = 1 << 30, hi = 0;
    for (unsigned long r = 0; r < 5000; r++) {
        long v = pool_jittered_max(10000, r * 2654435761UL);
        ck_assert_int_ge(v, 9000);
        ck_assert_int_le(v, 11000);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    ck_assert_int_lt(lo, 9100); /* it really spreads */
    ck_assert_int_gt(hi, 10900);
    ck_assert_int_eq(pool_jittered_max(5, 12345), 5); /* ±0 below 10 */
    ck_assert_int_eq(pool_jittered_max(1, 7), 1);
    for (unsigned long r = 0; r < 100; r++)
        ck_assert_int_ge(pool_jittered_max(10, r), 9);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pool");
    TCase *tc = tcase_create("pool");
    tcase_add_test(tc, transitions_follow_the_table);
    tcase_add_test(tc, names);
    tcase_add_test(tc, backoff_doubles_and_caps);
    tcase_add_test(tc, jitter_stays_within_ten_percent);
    suite_add_tcase(s, tc);
    return testutil_run(s);
}
