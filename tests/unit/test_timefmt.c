/* test_timefmt — ISO 8601 UTC timestamps: exact text for fixed instants
 * (epoch, a leap day, the last nanosecond of a second), milliseconds and
 * microseconds truncated, never rounded, and the current time. */
#include "timefmt.h"

#include <check.h>

#include "testutil.h"
#include <string.h>

static const char *fmt(time_t sec, long nsec, int digits)
{
    static char out[TIMEFMT_ISO_SIZE];
    struct timespec ts = {.tv_sec = sec, .tv_nsec = nsec};
    timefmt_iso(out, sizeof out, &ts, digits);
    return out;
}

START_TEST(fixed_instants)
{
    ck_assert_str_eq(fmt(0, 0, 3), "1970-01-01T00:00:00.000Z");
    ck_assert_str_eq(fmt(951868799, 999999999, 3), "2000-02-29T23:59:59.999Z");
    ck_assert_str_eq(fmt(951868799, 999999999, 6), "2000-02-29T23:59:59.999999Z");
    ck_assert_str_eq(fmt(1700000000, 123456789, 3), "2023-11-14T22:13:20.123Z");
    ck_assert_str_eq(fmt(1700000000, 123456789, 6), "2023-11-14T22:13:20.123456Z");
    ck_assert_str_eq(fmt(1700000000, 5000000, 3), "2023-11-14T22:13:20.005Z");
    ck_assert_str_eq(fmt(1700000000, 1000, 6), "2023-11-14T22:13:20.000001Z");
    ck_assert_str_eq(fmt(1700000000, 123456789, 9), "2023-11-14T22:13:20.123456789Z");
}
END_TEST

START_TEST(small_buffer_is_cut_and_terminated)
{
    char out[11];
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 0};
    timefmt_iso(out, sizeof out, &ts, 3);
    ck_assert_str_eq(out, "1970-01-01");
}
END_TEST

START_TEST(now_is_now)
{
    char out[TIMEFMT_ISO_SIZE];
    time_t before = time(NULL);
    timefmt_iso_now(out, sizeof out);
    time_t after = time(NULL);
    ck_assert_uint_eq(strlen(out), 24);
    ck_assert_int_eq(out[23], 'Z');
    /* the seconds part is one of the seconds the call ran in */
    char a[TIMEFMT_ISO_SIZE], b[TIMEFMT_ISO_SIZE];
    struct timespec ta = {.tv_sec = before}, tb = {.tv_sec = after};
    timefmt_iso(a, sizeof a, &ta, 3);
    timefmt_iso(b, sizeof b, &tb, 3);
    ck_assert_msg(!strncmp(out, a, 19) || !strncmp(out, b, 19), "%s not in [%s, %s]", out, a, b);
}
END_TEST

static Suite *timefmt_suite(void)
{
    Suite *s = suite_create("timefmt");
    TCase *tc = tcase_create("timefmt");
    tcase_add_test(tc, fixed_instants);
    tcase_add_test(tc, small_buffer_is_cut_and_terminated);
    tcase_add_test(tc, now_is_now);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(timefmt_suite()); }
