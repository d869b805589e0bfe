/* Check suite: pool — the worker state table, restart backoff, jittered
 * max pages, a worker's capacity, what a worker's death costs each page it
 * held and the unstarted-forever guard (the parts of pool.c that are pure). The pool itself is
 * tested end to end in tests/integration/daemon_*.py with real workers. */
#include "pool.h"

#include <check.h>

#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
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

START_TEST(capacity_is_slots_or_one_and_the_queue)
{
    ck_assert_int_eq(pool_capacity(64, 8), 64); /* slots: no queue on top */
    ck_assert_int_eq(pool_capacity(4, 0), 4);
    ck_assert_int_eq(pool_capacity(2, 8), 2);
    ck_assert_int_eq(pool_capacity(1, 0), 1); /* the old form: today's page + queue */
    ck_assert_int_eq(pool_capacity(1, 3), 4);
    ck_assert_int_eq(pool_capacity(1, -1), 1);
}
END_TEST

START_TEST(death_counts_parsing_pages_and_struck_ones)
{
    ck_assert(pool_death_counts(1, 0, 0, 3));  /* being parsed: an attempt */
    ck_assert(pool_death_counts(0, 1, 1, 3));  /* fetching alone: its own death */
    ck_assert(!pool_death_counts(0, 0, 0, 3)); /* fetching beside others: unstarted */
    ck_assert(!pool_death_counts(0, 0, 3, 3)); /* ... however often */
    ck_assert(!pool_death_counts(0, 0, 5, 3));
    ck_assert(pool_death_counts(0, 0, 6, 3)); /* 2 x max_attempts, never alone */
    ck_assert(pool_death_counts(0, 0, 2, 1));
    ck_assert(!pool_death_counts(0, 0, 1, 1));
}
END_TEST

START_TEST(exit_clean_only_for_a_retire_that_ended_well)
{
    ck_assert(pool_exit_clean(0, 0, 0, RECYCLE_RSS));       /* it said it leaves */
    ck_assert(pool_exit_clean(0, 0, 0, RECYCLE_MAX_PAGES)); /* crawld asked */
    ck_assert(!pool_exit_clean(0, 0, 0, RECYCLE_NONE));     /* left unasked */
    ck_assert(!pool_exit_clean(0, 0, 0, RECYCLE_CRASH));
    ck_assert(!pool_exit_clean(0, 1, 0, RECYCLE_RSS));      /* failed status */
    ck_assert(!pool_exit_clean(9, 0, 0, RECYCLE_RSS));      /* a signal */
    ck_assert(!pool_exit_clean(0, 0, 1, RECYCLE_RSS_HARD)); /* killed */
}
END_TEST

START_TEST(strikes_count_forget_and_stay_bounded)
{
    pool_strikes *s = calloc(1, sizeof(*s));
    ck_assert_ptr_nonnull(s);
    uint64_t a = pool_page_key(1, "http://a.example/");
    uint64_t b = pool_page_key(2, "http://a.example/"); /* another job: another page */
    ck_assert(a != 0 && b != 0 && a != b);
    ck_assert(a == pool_page_key(1, "http://a.example/"));
    ck_assert_int_eq(pool_strike_get(s, a), 0);
    ck_assert_int_eq(pool_strike_add(s, a), 1);
    ck_assert_int_eq(pool_strike_add(s, a), 2);
    ck_assert_int_eq(pool_strike_add(s, b), 1);
    ck_assert_int_eq(pool_strike_get(s, a), 2);
    ck_assert_int_eq(s->used, 2);
    pool_strike_forget(s, a);
    ck_assert_int_eq(pool_strike_get(s, a), 0);
    ck_assert_int_eq(pool_strike_get(s, b), 1);
    pool_strike_forget(s, a); /* twice: nothing */
    ck_assert_int_eq(s->used, 1);
    /* Full: the entry with the fewest strikes makes room, a page with
     * many keeps them. */
    ck_assert_int_eq(pool_strike_add(s, b), 2);
    ck_assert_int_eq(pool_strike_add(s, b), 3);
    char url[64];
    for (int i = 0; i < 2 * POOL_STRIKES; i++) {
        snprintf(url, sizeof(url), "http://h%d.example/", i);
        ck_assert_int_eq(pool_strike_add(s, pool_page_key(1, url)), 1);
        ck_assert_int_le(s->used, POOL_STRIKES);
    }
    ck_assert_int_eq(s->used, POOL_STRIKES);
    ck_assert_int_eq(pool_strike_get(s, b), 3);
    free(s);
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
    tcase_add_test(tc, capacity_is_slots_or_one_and_the_queue);
    tcase_add_test(tc, death_counts_parsing_pages_and_struck_ones);
    tcase_add_test(tc, exit_clean_only_for_a_retire_that_ended_well);
    tcase_add_test(tc, strikes_count_forget_and_stay_bounded);
    suite_add_tcase(s, tc);
    return testutil_run(s);
}
