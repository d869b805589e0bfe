/* test_log — the line format, escaping, level filtering and configuration. */
#include "log.h"

#include <check.h>

#include "testutil.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A pipe whose write end the logger writes to; read back without blocking. */
static int pipe_fds[2] = {-1, -1};

static void pipe_setup(void) {
    ck_assert_int_eq(pipe2(pipe_fds, O_CLOEXEC), 0);
    ck_assert_int_eq(fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK), 0);
    log_set_fd(pipe_fds[1]);
}

static void pipe_teardown(void) {
    log_set_fd(-1);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
}

/* Everything written so far (the writes are synchronous). */
static const char *drain(void) {
    static char buf[16384];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof(buf) - 1 && (n = read(pipe_fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    return buf;
}

START_TEST(test_format_example) {
    char buf[256];
    int n = log_format(buf, sizeof(buf), LOG_INFO, "pool", "worker retired", "pid=1234 reason=rss");
    ck_assert_str_eq(buf, "level=info mod=pool msg=\"worker retired\" pid=1234 reason=rss\n");
    ck_assert_int_eq(n, (int)strlen(buf));
}
END_TEST

START_TEST(test_format_escapes_msg) {
    char buf[256];
    log_format(buf, sizeof(buf), LOG_WARN, "fetch", "say \"hi\"\\path\nnext\ttab\rcr\x7f!", NULL);
    ck_assert_str_eq(
        buf, "level=warn mod=fetch msg=\"say \\\"hi\\\"\\\\path\\nnext\\x09tab\\x0dcr\\x7f!\"\n");
    /* One event, one line. */
    ck_assert_ptr_eq(strchr(buf, '\n'), buf + strlen(buf) - 1);
    /* UTF-8 passes through untouched. */
    log_format(buf, sizeof(buf), LOG_INFO, "m", "caf\xc3\xa9", NULL);
    ck_assert_str_eq(buf, "level=info mod=m msg=\"caf\xc3\xa9\"\n");
}
END_TEST

START_TEST(test_format_nulls_and_empty_kv) {
    char buf[128];
    log_format(buf, sizeof(buf), LOG_ERROR, NULL, NULL, NULL);
    ck_assert_str_eq(buf, "level=error mod=- msg=\"\"\n");
    log_format(buf, sizeof(buf), LOG_INFO, "a", "b", "");
    ck_assert_str_eq(buf, "level=info mod=a msg=\"b\"\n"); /* no trailing space */
}
END_TEST

START_TEST(test_format_kv_stays_one_line) {
    char buf[128];
    log_format(buf, sizeof(buf), LOG_INFO, "cfg", "bad value", "key=a\nb x=1\r2");
    ck_assert_str_eq(buf, "level=info mod=cfg msg=\"bad value\" key=a b x=1 2\n");
}
END_TEST

static const char *level_names[] = {"debug", "info", "warn", "error"};

/* Loop: one iteration per level. */
START_TEST(test_format_level_names) {
    char buf[128], want[128];
    log_format(buf, sizeof(buf), (log_level)_i, "m", "x", "k=v");
    snprintf(want, sizeof(want), "level=%s mod=m msg=\"x\" k=v\n", level_names[_i]);
    ck_assert_str_eq(buf, want);
}
END_TEST

START_TEST(test_format_truncates_within_cap) {
    char long_msg[500];
    memset(long_msg, 'm', sizeof(long_msg) - 1);
    long_msg[sizeof(long_msg) - 1] = '\0';
    for (int cap = 8; cap <= 300; cap += 7) {
        char buf[400];
        memset(buf, '#', sizeof(buf));
        int n = log_format(buf, cap, LOG_INFO, "pool", long_msg, "pid=1 reason=rss");
        ck_assert_int_le(n, cap - 1);
        ck_assert_int_eq(n, (int)strlen(buf));
        ck_assert_int_eq(buf[n - 1], '\n'); /* still a whole line */
        ck_assert_ptr_eq(strchr(buf, '\n'), buf + n - 1);
        int first_written = -1;
        for (int i = cap; i < (int)sizeof(buf) && first_written < 0; i++)
            if (buf[i] != '#')
                first_written = i;
        ck_assert_msg(first_written < 0, "cap %d: byte %d written", cap, first_written);
    }
    /* Every line length around the cap: a line that would end exactly at
     * cap - 1, cap or cap + 1 bytes is where an off-by-one writes past. */
    for (int cap = 40; cap <= 72; cap += 16) {
        for (int len = 0; len <= cap + 4; len++) {
            char buf[200], msg[100], kvs[100];
            memset(buf, '#', sizeof(buf));
            memset(msg, 'm', (size_t)len);
            msg[len] = '\0';
            int n = log_format(buf, cap, LOG_INFO, "m", msg, NULL);
            int bad = n > cap - 1 || n != (int)strlen(buf) || buf[n - 1] != '\n' ||
                      buf[cap] != '#' || buf[cap + 1] != '#';
            /* The same through kv. */
            memset(kvs, 'k', (size_t)len);
            kvs[len] = '\0';
            memset(buf, '#', sizeof(buf));
            int n2 = log_format(buf, cap, LOG_INFO, "m", "x", kvs);
            bad = bad || n2 > cap - 1 || n2 != (int)strlen(buf) || buf[n2 - 1] != '\n' ||
                  buf[cap] != '#' || buf[cap + 1] != '#';
            ck_assert_msg(!bad, "cap %d, length %d: n=%d n2=%d", cap, len, n, n2);
        }
    }

    /* A long kv too. */
    char kv[300];
    memset(kv, 'k', sizeof(kv) - 1);
    kv[sizeof(kv) - 1] = '\0';
    char buf[64];
    int n = log_format(buf, sizeof(buf), LOG_INFO, "m", "x", kv);
    ck_assert_int_eq(n, 63);
    ck_assert_int_eq(buf[62], '\n');
    ck_assert_int_eq(buf[63], '\0');
}
END_TEST

START_TEST(test_write_example_line) {
    log_info("pool", "worker retired", "pid=%d reason=%s", 1234, "rss");
    ck_assert_str_eq(drain(), "level=info mod=pool msg=\"worker retired\" pid=1234 reason=rss\n");
    log_write(LOG_ERROR, "daemon", "no kv", NULL);
    ck_assert_str_eq(drain(), "level=error mod=daemon msg=\"no kv\"\n");
}
END_TEST

START_TEST(test_write_default_level_info) {
    ck_assert_int_eq(log_get_level(), LOG_INFO);
    log_debug("m", "hidden", "n=%d", 1);
    ck_assert_str_eq(drain(), "");
    log_info("m", "shown", "n=%d", 2);
    log_warn("m", "shown", "n=%d", 3);
    log_error("m", "shown", "n=%d", 4);
    ck_assert_str_eq(drain(), "level=info mod=m msg=\"shown\" n=2\n"
                              "level=warn mod=m msg=\"shown\" n=3\n"
                              "level=error mod=m msg=\"shown\" n=4\n");
}
END_TEST

START_TEST(test_write_filters_below_level) {
    log_set_level(LOG_WARN);
    ck_assert_int_eq(log_get_level(), LOG_WARN);
    log_debug("m", "no", NULL);
    log_info("m", "no", NULL);
    ck_assert_str_eq(drain(), "");
    log_warn("m", "yes", NULL);
    ck_assert_str_eq(drain(), "level=warn mod=m msg=\"yes\"\n");

    log_set_level(LOG_DEBUG);
    log_debug("m", "now", NULL);
    ck_assert_str_eq(drain(), "level=debug mod=m msg=\"now\"\n");

    log_set_level(LOG_OFF);
    log_error("m", "no", NULL);
    ck_assert_str_eq(drain(), "");
}
END_TEST

START_TEST(test_write_off_is_not_a_level) {
    log_set_level(LOG_DEBUG);
    log_write(LOG_OFF, "m", "never", NULL);
    ck_assert_str_eq(drain(), "");
}
END_TEST

START_TEST(test_write_long_kv_one_line) {
    char big[4000];
    memset(big, 'v', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    log_info("m", "long", "k=%s", big);
    const char *out = drain();
    size_t len = strlen(out);
    ck_assert_uint_gt(len, 1000);
    ck_assert_uint_lt(len, 2048);
    ck_assert_int_eq(out[len - 1], '\n');
    ck_assert_ptr_eq(strchr(out, '\n'), out + len - 1);
    ck_assert_int_eq(strncmp(out, "level=info mod=m msg=\"long\" k=vvv", 33), 0);
}
END_TEST

START_TEST(test_set_fd_negative_means_stderr) {
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    dup2(fds[1], 2); /* this forked test's stderr */
    log_set_fd(-1);
    log_info("m", "to stderr", NULL);
    char buf[256];
    ssize_t n = read(fds[0], buf, sizeof(buf) - 1);
    ck_assert_int_gt(n, 0);
    buf[n] = '\0';
    ck_assert_str_eq(buf, "level=info mod=m msg=\"to stderr\"\n");
}
END_TEST

static const struct {
    const char *s;
    int level;
} parse_table[] = {
    {"debug", LOG_DEBUG},  {"info", LOG_INFO},   {"INFO", LOG_INFO}, {"warn", LOG_WARN},
    {"Warning", LOG_WARN}, {"error", LOG_ERROR}, {"off", LOG_OFF},   {"", -1},
    {"verbose", -1},       {"infos", -1},        {" info", -1},
};
#define N_PARSE (int)(sizeof(parse_table) / sizeof(parse_table[0]))

/* Loop: one iteration per row. */
START_TEST(test_level_parse) {
    ck_assert_msg(log_level_parse(parse_table[_i].s) == parse_table[_i].level,
                  "parse(\"%s\") = %d, want %d", parse_table[_i].s,
                  log_level_parse(parse_table[_i].s), parse_table[_i].level);
}
END_TEST

START_TEST(test_level_parse_null) {
    ck_assert_int_eq(log_level_parse(NULL), -1);
}
END_TEST

START_TEST(test_init_from_env) {
    unsetenv("CRAWLD_LOG_LEVEL");
    log_init_from_env();
    ck_assert_int_eq(log_get_level(), LOG_INFO); /* unset: unchanged */

    setenv("CRAWLD_LOG_LEVEL", "debug", 1);
    log_init_from_env();
    ck_assert_int_eq(log_get_level(), LOG_DEBUG);
    log_debug("env", "visible", NULL);
    ck_assert_str_eq(drain(), "level=debug mod=env msg=\"visible\"\n");

    setenv("CRAWLD_LOG_LEVEL", "loud", 1);
    log_init_from_env();
    ck_assert_int_eq(log_get_level(), LOG_DEBUG); /* invalid: unchanged */

    setenv("CRAWLD_LOG_LEVEL", "ERROR", 1);
    log_init_from_env();
    ck_assert_int_eq(log_get_level(), LOG_ERROR);
    log_warn("env", "hidden", NULL);
    ck_assert_str_eq(drain(), "");
    unsetenv("CRAWLD_LOG_LEVEL");
}
END_TEST

static Suite *log_suite(void) {
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, test_format_example);
    tcase_add_test(tc, test_format_escapes_msg);
    tcase_add_test(tc, test_format_nulls_and_empty_kv);
    tcase_add_test(tc, test_format_kv_stays_one_line);
    tcase_add_loop_test(tc, test_format_level_names, LOG_DEBUG, LOG_ERROR + 1);
    tcase_add_test(tc, test_format_truncates_within_cap);
    suite_add_tcase(s, tc);

    tc = tcase_create("write");
    tcase_add_checked_fixture(tc, pipe_setup, pipe_teardown);
    tcase_add_test(tc, test_write_example_line);
    tcase_add_test(tc, test_write_default_level_info);
    tcase_add_test(tc, test_write_filters_below_level);
    tcase_add_test(tc, test_write_off_is_not_a_level);
    tcase_add_test(tc, test_write_long_kv_one_line);
    tcase_add_test(tc, test_init_from_env);
    suite_add_tcase(s, tc);

    tc = tcase_create("config");
    tcase_add_test(tc, test_set_fd_negative_means_stderr);
    tcase_add_loop_test(tc, test_level_parse, 0, N_PARSE);
    tcase_add_test(tc, test_level_parse_null);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    return testutil_run(log_suite());
}
