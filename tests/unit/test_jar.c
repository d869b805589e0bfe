/* Check suite: jar (a page's cookie jar for document.cookie): the Netscape
 * line of a script's assignment, what a browser refuses, and reads and
 * writes against curl's engine. */
#include "arena.h"
#include "cookie.h"
#include "jar.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#define NOW 1700000000

static const char *line(const char *url, const char *s)
{
    static char out[4200];
    return jar_script_line(url, s, NOW, out, sizeof(out)) == 0 ? out : NULL;
}

START_TEST(assignment_becomes_a_line)
{
    /* host-only, the default path (up to the URL path's last '/') */
    ck_assert_str_eq(line("http://www.example.com/a/b/page?q=1", "k = v "),
                     "www.example.com\tFALSE\t/a/b\tFALSE\t0\tk\tv");
    ck_assert_str_eq(line("http://www.example.com/page", "k=v"),
                     "www.example.com\tFALSE\t/\tFALSE\t0\tk\tv");
    ck_assert_str_eq(line("http://www.example.com", "k="),
                     "www.example.com\tFALSE\t/\tFALSE\t0\tk\t");
    /* attributes in any case; max-age over expires; a domain cookie */
    ck_assert_str_eq(line("https://www.Example.com/x", "k=v; Path=/p; MAX-AGE=60; "
                                                       "expires=Thu, 01 Jan 1970 00:00:00 GMT; "
                                                       "Domain=.EXAMPLE.com; secure; SameSite=Lax"),
                     ".example.com\tTRUE\t/p\tTRUE\t1700000060\tk\tv");
    ck_assert_str_eq(line("http://h.example/", "k=v; expires=Wed, 01 Jan 2031 00:00:00 GMT"),
                     "h.example\tFALSE\t/\tFALSE\t1924992000\tk\tv");
    /* removals: max-age 0 or below, an expiry in the past */
    ck_assert_str_eq(line("http://h.example/", "k=; max-age=0"),
                     "h.example\tFALSE\t/\tFALSE\t1\tk\t");
    ck_assert_str_eq(line("http://h.example/", "k=; max-age=-5"),
                     "h.example\tFALSE\t/\tFALSE\t1\tk\t");
    ck_assert_str_eq(line("http://h.example/", "k=; expires=Thu, 01 Jan 1970 00:00:00 GMT"),
                     "h.example\tFALSE\t/\tFALSE\t1\tk\t");
    /* a bad max-age is ignored; a relative path gives the default */
    ck_assert_str_eq(line("http://h.example/d/p", "k=v; max-age=soon; path=rel"),
                     "h.example\tFALSE\t/d\tFALSE\t0\tk\tv");
    /* an IP host: its own address only, host-only */
    ck_assert_str_eq(line("http://127.0.0.1:8080/", "k=v; domain=127.0.0.1"),
                     "127.0.0.1\tFALSE\t/\tFALSE\t0\tk\tv");
}
END_TEST

START_TEST(refused_as_a_browser_refuses)
{
    ck_assert_ptr_null(line("http://www.example.com/", "novalue"));
    ck_assert_ptr_null(line("http://www.example.com/", "=v"));
    ck_assert_ptr_null(line("http://www.example.com/", "k=v; HttpOnly"));
    ck_assert_ptr_null(line("http://www.example.com/", "k=v; secure"));
    ck_assert_ptr_null(line("http://www.example.com/", "k=v; domain=other.com"));
    ck_assert_ptr_null(line("http://www.example.com/", "k=v; domain=ample.com"));
    ck_assert_ptr_null(line("http://www.example.com/", "k=v; domain=com"));
    ck_assert_ptr_null(line("http://www.example.com/", "k=v; domain=sub.www.example.com"));
    ck_assert_ptr_null(line("http://127.0.0.1/", "k=v; domain=0.0.1"));
    ck_assert_ptr_null(line("http://www.example.com/", "k=a\tb"));
    ck_assert_ptr_null(line("http://www.example.com/", "k=a\nb"));
}
END_TEST

START_TEST(reads_and_writes_through_curl)
{
    arena a;
    arena_init(&a, 0);
    page_jar j;
    ck_assert_int_eq(jar_open(&j,
                              "www.example.com\tFALSE\t/\tFALSE\t0\tone\t1\n"
                              "#HttpOnly_www.example.com\tFALSE\t/\tFALSE\t0\thid\th\n"
                              ".example.com\tTRUE\t/a\tFALSE\t0\tdeep\td\n"
                              "www.example.com\tFALSE\t/\tTRUE\t0\tsec\ts\n"
                              "other.example.com\tFALSE\t/\tFALSE\t0\tother\to\n",
                              "www.example.com\tFALSE\t/\tFALSE\t0\tresp\tr\n"),
                     0);
    const char *u = "http://www.example.com/a/page";
    ck_assert_str_eq(jar_script_get(&j, u), "deep=d; one=1; resp=r");
    ck_assert_str_eq(jar_script_get(&j, "https://www.example.com/"), "one=1; sec=s; resp=r");
    ck_assert_str_eq(jar_script_get(&j, "http://www.example.com/ab"), "one=1; resp=r");
    ck_assert_int_eq(jar_script_set(&j, u, "js=x; path=/"), 0);
    ck_assert_int_eq(jar_script_set(&j, u, "one=; max-age=0; path=/"), 0);
    ck_assert_int_eq(jar_script_set(&j, u, "hid=over; path=/"), 1);
    ck_assert_int_eq(jar_script_set(&j, u, "x=y; domain=elsewhere.org"), 1);
    ck_assert_str_eq(jar_script_get(&j, u), "deep=d; resp=r; js=x");
    /* the changes since the task's cookies: the response's and the script's */
    const char *c = NULL;
    size_t n = 0;
    ck_assert_int_eq(jar_changes(&j, &a, &c, &n), 0);
    ck_assert_uint_eq(n, strlen(c));
    ck_assert_ptr_nonnull(strstr(c, "www.example.com\tFALSE\t/\tFALSE\t0\tresp\tr\n"));
    ck_assert_ptr_nonnull(strstr(c, "www.example.com\tFALSE\t/\tFALSE\t0\tjs\tx\n"));
    ck_assert_ptr_nonnull(strstr(c, "www.example.com\tFALSE\t/\tFALSE\t1\tone\t"));
    ck_assert_ptr_null(strstr(c, "hid"));
    ck_assert_ptr_null(strstr(c, "deep"));
    ck_assert_ptr_null(strstr(c, "elsewhere"));
    jar_close(&j);
    jar_close(&j); /* twice is safe */
    arena_release(&a);
}
END_TEST

/* A cookie the response set and a script removed comes back removed (or
 * not at all), never as set, also once curl dropped the expired entry. */
START_TEST(set_then_removed_is_not_reported_as_set)
{
    arena a;
    arena_init(&a, 0);
    page_jar j;
    ck_assert_int_eq(jar_open(&j, NULL, "h.example\tFALSE\t/\tFALSE\t0\tx\t1\n"), 0);
    ck_assert_int_eq(jar_script_set(&j, "http://h.example/", "x=; max-age=0"), 0);
    ck_assert_int_eq(jar_script_set(&j, "http://h.example/", "y=2"), 0); /* curl purges here */
    ck_assert_str_eq(jar_script_get(&j, "http://h.example/"), "y=2");
    const char *c = NULL;
    size_t n = 0;
    ck_assert_int_eq(jar_changes(&j, &a, &c, &n), 0);
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_null(strstr(c, "\t0\tx\t"));
    ck_assert_ptr_nonnull(strstr(c, "h.example\tFALSE\t/\tFALSE\t0\ty\t2\n"));
    jar_close(&j);
    arena_release(&a);
}
END_TEST

/* A script's loop neither grows the jar past a job's cookies nor takes
 * memory for each read of document.cookie. */
START_TEST(a_script_loop_stays_bounded)
{
    page_jar j;
    ck_assert_int_eq(jar_open(&j, NULL, NULL), 0);
    const char *u = "http://h.example/";
    char s[64];
    for (int i = 0; i < COOKIE_MAX_PER_JOB; i++) {
        snprintf(s, sizeof(s), "c%d=v", i);
        ck_assert_int_eq(jar_script_set(&j, u, s), 0);
    }
    ck_assert_int_eq(jar_script_set(&j, u, "one_more=v"), 1);
    ck_assert_int_eq(jar_script_set(&j, u, "c7=changed"), 0); /* one already there may change */
    const char *r = jar_script_get(&j, u);
    ck_assert_ptr_nonnull(strstr(r, "; c7=changed;"));
    ck_assert_ptr_null(strstr(r, "one_more"));
    for (int i = 0; i < 100; i++)
        ck_assert_ptr_eq(jar_script_get(&j, u), r); /* the same buffer */
    jar_close(&j);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("jar");
    TCase *tc = tcase_create("jar");
    tcase_add_test(tc, assignment_becomes_a_line);
    tcase_add_test(tc, refused_as_a_browser_refuses);
    tcase_add_test(tc, reads_and_writes_through_curl);
    tcase_add_test(tc, set_then_removed_is_not_reported_as_set);
    tcase_add_test(tc, a_script_loop_stays_bounded);
    suite_add_tcase(s, tc);
    return testutil_run(s);
}
