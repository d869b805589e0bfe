/* test_backoff — back off when a server asks: which answers are retried
 * and their reasons, the wait before a retry (Retry-After capped, the
 * exponential back-off's bounds and jitter range), a host's refusal delay
 * growing and recovering, the latency-following delay, and the politeness
 * transitions that keep that state per host. */
#include <check.h>

#include "testutil.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "backoff.h"
#include "politeness.h"

static char why[80];

static int retryable(long status, const char *error, long long ra)
{
    why[0] = '\0';
    return backoff_retryable(status, error, ra, why, sizeof(why));
}

START_TEST(refusals_are_retried_with_their_reason)
{
    ck_assert_int_eq(retryable(503, NULL, 2), 1);
    ck_assert_str_eq(why, "503 retry-after=2s");
    ck_assert_int_eq(retryable(429, NULL, -1), 1);
    ck_assert_str_eq(why, "429");
    ck_assert_int_eq(retryable(502, NULL, -1), 1);
    ck_assert_int_eq(retryable(504, NULL, 0), 1);
    ck_assert_str_eq(why, "504 retry-after=0s");
    ck_assert_int_eq(retryable(0, "recv: Recv failure: Connection reset by peer", -1), 1);
    ck_assert_str_eq(why, "connection reset");
    ck_assert_int_eq(retryable(0, "protocol: Empty reply from server", -1), 1);
    ck_assert_str_eq(why, "empty reply");
    ck_assert_int_eq(retryable(0, "recv: transfer closed with 10 bytes remaining to read", -1), 1);
    ck_assert_str_eq(why, "recv error");
}
END_TEST

START_TEST(answers_and_unreachable_hosts_are_not_retried)
{
    long final[] = {200, 301, 304, 400, 403, 404, 410, 500, 501, 505, 599};
    for (size_t i = 0; i < sizeof(final) / sizeof(final[0]); i++)
        ck_assert_msg(!retryable(final[i], NULL, 5), "status %ld retried", final[i]);
    ck_assert_int_eq(retryable(0, "connect: Connection refused", -1), 0);
    ck_assert_int_eq(retryable(0, "dns: Could not resolve host: x.invalid", -1), 0);
    ck_assert_int_eq(retryable(0, "timeout: Operation timed out", -1), 0);
    ck_assert_int_eq(retryable(0, "protocol: Weird server reply", -1), 0);
    ck_assert_int_eq(retryable(0, "tls: reset", -1), 0);
}
END_TEST

START_TEST(reason_classes)
{
    ck_assert_str_eq(backoff_classes[backoff_reason_class("503 retry-after=2s")], "503");
    ck_assert_str_eq(backoff_classes[backoff_reason_class("429")], "429");
    ck_assert_str_eq(backoff_classes[backoff_reason_class("502")], "502");
    ck_assert_str_eq(backoff_classes[backoff_reason_class("504 retry-after=1s")], "504");
    ck_assert_str_eq(backoff_classes[backoff_reason_class("connection reset")], "connection");
    ck_assert_str_eq(backoff_classes[backoff_reason_class("empty reply")], "connection");
}
END_TEST

START_TEST(retry_after_is_honoured_up_to_its_cap)
{
    ck_assert_int_eq(backoff_wait_ms(1, 2, 300, 1000, 60000, 12345), 2000);
    ck_assert_int_eq(backoff_wait_ms(5, 0, 300, 1000, 60000, 12345), 0);
    ck_assert_int_eq(backoff_wait_ms(1, 86400, 300, 1000, 60000, 1), 300000);
    ck_assert_int_eq(backoff_wait_ms(1, 10, 0, 1000, 60000, 1), 0); /* cap 0: never wait */
}
END_TEST

/* Without Retry-After: d = min(max, base * 2^(n-1)); every wait in
 * [d/2, d], both ends reached. */
START_TEST(exponential_backoff_bounds_and_jitter)
{
    const long base = 1000, max = 60000;
    for (int n = 1; n <= 40; n++) {
        long d = base;
        for (int i = 1; i < n && d < max; i++)
            d *= 2;
        if (d > max)
            d = max;
        long lo = LONG_MAX, hi = 0;
        for (uint64_t rnd = 0; rnd < 3000; rnd++) {
            long w = backoff_wait_ms(n, -1, 300, base, max, rnd * 0x9E3779B97F4A7C15ull);
            ck_assert_msg(w >= d / 2 && w <= d, "retry %d: %ld not in [%ld, %ld]", n, w, d / 2, d);
            lo = w < lo ? w : lo;
            hi = w > hi ? w : hi;
        }
        ck_assert_int_eq(backoff_wait_ms(n, -1, 300, base, max, (uint64_t)(d / 2)), d);
        ck_assert_int_eq(backoff_wait_ms(n, -1, 300, base, max, 0), d / 2);
        ck_assert_msg(hi - lo > d / 4, "retry %d: jitter spread %ld..%ld", n, lo, hi);
    }
    /* huge retry counts do not overflow */
    long w = backoff_wait_ms(1000000, -1, 300, 3600000, 3600000, UINT64_MAX);
    ck_assert(w >= 1800000 && w <= 3600000);
}
END_TEST

START_TEST(host_delay_grows_while_refused_and_recovers)
{
    const long base = 1000, max = 60000;
    long d = backoff_host_refused(0, 0, base, max);
    ck_assert_int_eq(d, base);
    d = backoff_host_refused(d, 0, base, max);
    ck_assert_int_eq(d, 2000);
    d = backoff_host_refused(d, 1500, base, max); /* a step per refusal */
    ck_assert_int_eq(d, 3000);
    d = backoff_host_refused(d, 5000, base, max); /* a longer Retry-After wins */
    ck_assert_int_eq(d, 5000);
    for (int i = 0; i < 100; i++)
        d = backoff_host_refused(d, 0, base, max);
    ck_assert_int_eq(d, max);
    ck_assert_int_eq(backoff_host_refused(0, 10 * max, base, max), max);
    int answers = 0;
    while (d) {
        long next = backoff_host_recovered(d, base);
        ck_assert(next < d);
        d = next;
        answers++;
    }
    ck_assert_int_eq(answers, 6); /* 30000 15000 7500 3750 1875 then below 1000: 0 */
}
END_TEST

START_TEST(adaptive_delay_follows_latency_within_bounds)
{
    /* latency ~0 (loopback): the delay stays at the floor */
    long d = 0;
    for (int i = 0; i < 100; i++)
        d = backoff_adapt_ms(d, 0.3, 1, 1, 0, 60000);
    ck_assert_int_eq(d, 0);
    d = 250;
    for (int i = 0; i < 100; i++)
        d = backoff_adapt_ms(d, 0.0, 1, 1, 250, 60000);
    ck_assert_int_eq(d, 250);
    /* 800 ms answers, target 2: converges on 400 */
    d = 0;
    for (int i = 0; i < 40; i++)
        d = backoff_adapt_ms(d, 800, 2, 1, 0, 60000);
    ck_assert(d >= 398 && d <= 400);
    /* a failure never lowers it; a success does */
    ck_assert_int_eq(backoff_adapt_ms(400, 0, 1, 0, 0, 60000), 400);
    ck_assert_int_eq(backoff_adapt_ms(400, 0, 1, 1, 0, 60000), 200);
    ck_assert_int_eq(backoff_adapt_ms(400, 4000, 1, 0, 0, 60000), 2200);
    /* capped */
    ck_assert_int_eq(backoff_adapt_ms(60000, 1e9, 1, 1, 0, 5000), 5000);
}
END_TEST

/* The politeness transitions: a refusal holds the host for its wait and
 * raises its delay; answers bring the delay back down; a host backing off
 * is counted and never evicted. */
START_TEST(politeness_host_backs_off_and_recovers)
{
    politeness p;
    ck_assert_int_eq(politeness_init(&p, 16, 86400000, 30000), 0);
    politeness_set_backoff(&p, 1000, 60000, 0, 60000, 1);
    polite_host *h = politeness_get(&p, "http://a.test", 1000);
    politeness_host_take(&p, h, 1000, 0);
    uint64_t wake = UINT64_MAX;
    politeness_host_refused(&p, h, 1100, 3000);
    ck_assert_int_eq(politeness_backing_off(&p), 1);
    ck_assert_int_eq(politeness_host_refusal_ms(h), 3000);
    ck_assert_int_eq(politeness_host_may_start(h, 4000, 1, &wake), 0);
    ck_assert_int_eq(wake, 4100);
    ck_assert_int_eq(politeness_host_may_start(h, 4100, 1, &wake), 1);
    ck_assert_int_eq(politeness_delay_ms(&p, h, 0), 3000);
    /* other hosts: untouched */
    polite_host *o = politeness_get(&p, "http://b.test", 1200);
    ck_assert_int_eq(politeness_delay_ms(&p, o, 0), 0);
    ck_assert_int_eq(politeness_host_may_start(o, 1200, 1, &wake), 1);
    /* a failed answer does not recover it; successes do */
    politeness_host_answered(&p, h, 5, 0, 0);
    ck_assert_int_eq(politeness_host_refusal_ms(h), 3000);
    politeness_host_answered(&p, h, 5, 1, 0);
    ck_assert_int_eq(politeness_host_refusal_ms(h), 1500);
    politeness_host_answered(&p, h, 5, 1, 0);
    ck_assert_int_eq(politeness_host_refusal_ms(h), 0);
    ck_assert_int_eq(politeness_backing_off(&p), 0);
    ck_assert_int_eq(politeness_delay_ms(&p, h, 0), 0);
    /* adaptive off: latency does not move the delay */
    politeness_host_answered(&p, h, 5000, 1, 0);
    ck_assert_int_eq(politeness_delay_ms(&p, h, 0), 0);
    politeness_free(&p);
}
END_TEST

/* A refused robots.txt: the host goes back to "unknown" (asked for again)
 * behind the wait, its retries counted until a read resets them. */
START_TEST(politeness_robots_refused_waits_and_asks_again)
{
    politeness p;
    ck_assert_int_eq(politeness_init(&p, 16, 86400000, 30000), 0);
    politeness_set_backoff(&p, 1000, 60000, 0, 60000, 1);
    polite_host *h = politeness_get(&p, "http://a.test", 1000);
    uint64_t wake = UINT64_MAX;
    ck_assert_int_eq(politeness_robots_needed(h), 1);
    politeness_robots_fetching(h);
    ck_assert_int_eq(politeness_robots_needed(h), 0);
    politeness_robots_refused(&p, h, 1100, 2000);
    ck_assert_int_eq(h->robots_retries, 1);
    ck_assert_int_eq(politeness_robots_known(h), 0);
    ck_assert_int_eq(politeness_robots_needed(h), 1);
    ck_assert_int_eq(politeness_host_may_start(h, 3000, 1, &wake), 0);
    ck_assert_int_eq(wake, 3100);
    ck_assert_int_eq(politeness_host_may_start(h, 3100, 1, &wake), 1);
    ck_assert_int_eq(politeness_backing_off(&p), 1);
    politeness_robots_fetching(h);
    politeness_robots_refused(&p, h, 3200, 1000);
    ck_assert_int_eq(h->robots_retries, 2);
    politeness_robots_fetching(h);
    politeness_robots_read(&p, h, robots_allow_all(), 5000, NULL, 0);
    ck_assert_int_eq(h->robots_retries, 0);
    ck_assert_int_eq(politeness_robots_known(h), 1);
    politeness_free(&p);
}
END_TEST

START_TEST(politeness_keeps_backing_off_hosts_and_restores_them)
{
    politeness p;
    ck_assert_int_eq(politeness_init(&p, 16, 86400000, 30000), 0);
    politeness_set_backoff(&p, 1000, 60000, 1, 60000, 1);
    polite_host *h = politeness_get(&p, "http://keep.test", 0);
    politeness_host_restore(&p, h, 8000, 50000);
    ck_assert_int_eq(politeness_backing_off(&p), 1);
    char origin[64];
    for (int i = 0; i < 100; i++) { /* far past max_hosts: idle hosts are evicted */
        snprintf(origin, sizeof(origin), "http://h%d.test", i);
        politeness_get(&p, origin, 10);
    }
    ck_assert_int_le(p.count, 17);
    h = politeness_get(&p, "http://keep.test", 20);
    ck_assert_int_eq(politeness_host_refusal_ms(h), 8000); /* kept, not made anew */
    uint64_t wake = UINT64_MAX;
    ck_assert_int_eq(politeness_host_may_start(h, 20, 1, &wake), 0);
    ck_assert_int_eq(wake, 50000);
    /* adaptive on: the delay follows the latency, floored at the base delay */
    politeness_host_answered(&p, h, 4000, 1, 100);
    ck_assert_int_eq(politeness_delay_ms(&p, h, 100), 4000); /* refusal 4000, adapt 2000 */
    politeness_host_answered(&p, h, 4000, 1, 100);
    ck_assert_int_eq(politeness_host_refusal_ms(h), 2000);
    ck_assert_int_eq(politeness_delay_ms(&p, h, 100), 3000);
    politeness_free(&p);
}
END_TEST

static Suite *backoff_suite(void)
{
    Suite *s = suite_create("backoff");
    TCase *tc = tcase_create("retryable");
    tcase_add_test(tc, refusals_are_retried_with_their_reason);
    tcase_add_test(tc, answers_and_unreachable_hosts_are_not_retried);
    tcase_add_test(tc, reason_classes);
    suite_add_tcase(s, tc);
    tc = tcase_create("arithmetic");
    tcase_add_test(tc, retry_after_is_honoured_up_to_its_cap);
    tcase_add_test(tc, exponential_backoff_bounds_and_jitter);
    tcase_add_test(tc, host_delay_grows_while_refused_and_recovers);
    tcase_add_test(tc, adaptive_delay_follows_latency_within_bounds);
    suite_add_tcase(s, tc);
    tc = tcase_create("politeness");
    tcase_add_test(tc, politeness_host_backs_off_and_recovers);
    tcase_add_test(tc, politeness_robots_refused_waits_and_asks_again);
    tcase_add_test(tc, politeness_keeps_backing_off_hosts_and_restores_them);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(backoff_suite()); }
