/* Check suite: control — NDJSON line splitting and its bounds (linebuf). */
#include "alloc.h"
#include "control.h"

#include <check.h>

#include "testutil.h"
#include <stdlib.h>
#include <string.h>

typedef struct seen {
    int n;
    char lines[16][64];
    size_t lens[16];
    int stop_after; /* 0: never */
} seen;

static int on_line(void *ud, char *line, size_t len)
{
    seen *s = ud;
    ck_assert_int_eq(line[len], '\0');
    if (s->n < 16) {
        snprintf(s->lines[s->n], sizeof(s->lines[0]), "%s", line);
        s->lens[s->n] = len;
    }
    s->n++;
    return s->stop_after && s->n >= s->stop_after;
}

START_TEST(lines_split_across_feeds)
{
    linebuf lb;
    seen s = {0};
    linebuf_init(&lb, 100);
    ck_assert_int_eq(linebuf_feed(&lb, "{\"a\":1}\n{\"b\"", 12, on_line, &s), LINEBUF_OK);
    ck_assert_int_eq(s.n, 1);
    ck_assert_str_eq(s.lines[0], "{\"a\":1}");
    ck_assert_int_eq(linebuf_feed(&lb, ":2}", 3, on_line, &s), LINEBUF_OK);
    ck_assert_int_eq(s.n, 1); /* a half line is never handed out */
    ck_assert_int_eq(linebuf_feed(&lb, "\r\n\nx\n", 5, on_line, &s), LINEBUF_OK);
    ck_assert_int_eq(s.n, 4);
    ck_assert_str_eq(s.lines[1], "{\"b\":2}"); /* CR stripped */
    ck_assert_str_eq(s.lines[2], "");          /* blank line passed through */
    ck_assert_str_eq(s.lines[3], "x");
    linebuf_free(&lb);
}
END_TEST

START_TEST(byte_by_byte)
{
    linebuf lb;
    seen s = {0};
    linebuf_init(&lb, 100);
    const char *in = "abc\ndef\n";
    for (size_t i = 0; i < strlen(in); i++)
        ck_assert_int_eq(linebuf_feed(&lb, in + i, 1, on_line, &s), LINEBUF_OK);
    ck_assert_int_eq(s.n, 2);
    ck_assert_str_eq(s.lines[1], "def");
    linebuf_free(&lb);
}
END_TEST

START_TEST(line_at_limit_passes_one_over_fails)
{
    linebuf lb;
    seen s = {0};
    linebuf_init(&lb, 10);
    ck_assert_int_eq(linebuf_feed(&lb, "0123456789\n", 11, on_line, &s), LINEBUF_OK);
    ck_assert_int_eq(s.n, 1);
    ck_assert_int_eq(linebuf_feed(&lb, "01234", 5, on_line, &s), LINEBUF_OK);
    ck_assert_int_eq(linebuf_feed(&lb, "567890", 6, on_line, &s), LINEBUF_TOO_LONG);
    ck_assert_int_eq(s.n, 1);
    ck_assert_uint_le(lb.cap, 11); /* never more than max + 1 bytes */
    linebuf_free(&lb);
}
END_TEST

START_TEST(endless_line_bounded)
{
    linebuf lb;
    seen s = {0};
    linebuf_init(&lb, CONTROL_LINE_MAX);
    static char chunk[65536];
    memset(chunk, 'x', sizeof(chunk));
    linebuf_rc rc = LINEBUF_OK;
    int feeds = 0;
    while (rc == LINEBUF_OK && feeds < 100) {
        rc = linebuf_feed(&lb, chunk, sizeof(chunk), on_line, &s);
        feeds++;
    }
    ck_assert_int_eq(rc, LINEBUF_TOO_LONG);
    ck_assert_int_eq(feeds, 17); /* 16 × 64 KiB = 1 MiB fits; the 17th passes it */
    ck_assert_uint_le(lb.cap, CONTROL_LINE_MAX + 1);
    linebuf_free(&lb);
}
END_TEST

START_TEST(stop_leaves_the_rest)
{
    linebuf lb;
    seen s = {.stop_after = 1};
    linebuf_init(&lb, 100);
    ck_assert_int_eq(linebuf_feed(&lb, "a\nb\nc\n", 6, on_line, &s), LINEBUF_STOPPED);
    ck_assert_int_eq(s.n, 1);
    linebuf_free(&lb);
}
END_TEST

START_TEST(binary_bytes_pass_through)
{
    linebuf lb;
    seen s = {0};
    linebuf_init(&lb, 100);
    ck_assert_int_eq(linebuf_feed(&lb, "\xff\x01\x02\n", 4, on_line, &s), LINEBUF_OK);
    ck_assert_int_eq(s.n, 1);
    ck_assert_uint_eq(s.lens[0], 3);
    linebuf_free(&lb);
}
END_TEST

START_TEST(nomem_is_reported)
{
    linebuf lb;
    seen s = {0};
    linebuf_init(&lb, 100);
    alloc_fail_after(1);
    ck_assert_int_eq(linebuf_feed(&lb, "abc", 3, on_line, &s), LINEBUF_NOMEM);
    alloc_fail_reset();
    ck_assert_int_eq(linebuf_feed(&lb, "abc\n", 4, on_line, &s), LINEBUF_OK);
    ck_assert_int_eq(s.n, 1);
    linebuf_free(&lb);
}
END_TEST

START_TEST(error_reply_shape)
{
    json_t *e = control_error("bad %s %d", "thing", 7);
    ck_assert_ptr_nonnull(e);
    ck_assert(json_is_false(json_object_get(e, "ok")));
    ck_assert_str_eq(json_string_value(json_object_get(e, "error")), "bad thing 7");
    json_decref(e);
}
END_TEST

START_TEST(probe_of_nothing_is_zero)
{
    ck_assert_int_eq(control_probe("/nonexistent/dir/crawld.sock"), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("control");
    TCase *tc = tcase_create("linebuf");
    tcase_add_test(tc, lines_split_across_feeds);
    tcase_add_test(tc, byte_by_byte);
    tcase_add_test(tc, line_at_limit_passes_one_over_fails);
    tcase_add_test(tc, endless_line_bounded);
    tcase_add_test(tc, stop_leaves_the_rest);
    tcase_add_test(tc, binary_bytes_pass_through);
    tcase_add_test(tc, nomem_is_reported);
    tcase_add_test(tc, error_reply_shape);
    tcase_add_test(tc, probe_of_nothing_is_zero);
    suite_add_tcase(s, tc);
    return testutil_run(s);
}
