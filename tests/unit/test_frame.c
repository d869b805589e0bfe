/* Check suite: frame (length-prefixed channel frames). */
#include "alloc.h"
#include "arena.h"
#include "frame.h"

#include <check.h>

#include "testutil.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <signal.h>
#include <unistd.h>

static int sv[2];
static arena a;

static void setup(void)
{
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    arena_init(&a, 0);
}

static void teardown(void)
{
    if (sv[0] >= 0)
        close(sv[0]);
    if (sv[1] >= 0)
        close(sv[1]);
    arena_release(&a);
}

static void put_header(int fd, uint32_t n)
{
    unsigned char h[4] = {n >> 24, n >> 16, n >> 8, n};
    ck_assert_int_eq(write(fd, h, 4), 4);
}

START_TEST(write_then_read_round_trip)
{
    ck_assert_int_eq(frame_write(sv[0], "{\"a\":1}", 7), FRAME_OK);
    char *out;
    size_t len;
    ck_assert_int_eq(frame_read(sv[1], &a, 100, &out, &len), FRAME_OK);
    ck_assert_uint_eq(len, 7);
    ck_assert_str_eq(out, "{\"a\":1}");
}
END_TEST

START_TEST(header_is_big_endian_length)
{
    ck_assert_int_eq(frame_write(sv[0], "abc", 3), FRAME_OK);
    unsigned char buf[7];
    ck_assert_int_eq(read(sv[1], buf, 7), 7);
    ck_assert_int_eq(buf[0] | buf[1] | buf[2], 0);
    ck_assert_int_eq(buf[3], 3);
    ck_assert_int_eq(memcmp(buf + 4, "abc", 3), 0);
}
END_TEST

START_TEST(read_eof_before_header_is_eof)
{
    close(sv[0]);
    sv[0] = -1;
    char *out;
    size_t len;
    ck_assert_int_eq(frame_read(sv[1], &a, 100, &out, &len), FRAME_EOF);
}
END_TEST

START_TEST(read_eof_inside_frame_is_truncated)
{
    put_header(sv[0], 10);
    ck_assert_int_eq(write(sv[0], "abc", 3), 3);
    close(sv[0]);
    sv[0] = -1;
    char *out;
    size_t len;
    ck_assert_int_eq(frame_read(sv[1], &a, 100, &out, &len), FRAME_TRUNCATED);
}
END_TEST

START_TEST(read_eof_inside_header_is_truncated)
{
    ck_assert_int_eq(write(sv[0], "\0\0", 2), 2);
    close(sv[0]);
    sv[0] = -1;
    char *out;
    size_t len;
    ck_assert_int_eq(frame_read(sv[1], &a, 100, &out, &len), FRAME_TRUNCATED);
}
END_TEST

START_TEST(read_refuses_oversized_before_buffering)
{
    put_header(sv[0], 0x7fffffff);
    size_t before = arena_used(&a);
    char *out = NULL;
    size_t len = 0;
    ck_assert_int_eq(frame_read(sv[1], &a, 1000, &out, &len), FRAME_TOO_LARGE);
    ck_assert_uint_eq(len, 0x7fffffff); /* the declared size, to skip it */
    ck_assert_uint_eq(arena_used(&a), before);
    ck_assert_ptr_null(out);
}
END_TEST

START_TEST(read_refuses_empty_frame)
{
    put_header(sv[0], 0);
    char *out;
    size_t len;
    ck_assert_int_eq(frame_read(sv[1], &a, 100, &out, &len), FRAME_EMPTY);
}
END_TEST

START_TEST(write_refuses_empty) { ck_assert_int_eq(frame_write(sv[0], "", 0), FRAME_EMPTY); }
END_TEST

START_TEST(write_to_closed_peer_is_io_error)
{
    signal(SIGPIPE, SIG_IGN);
    close(sv[1]);
    sv[1] = -1;
    ck_assert_int_eq(frame_write(sv[0], "x", 1), FRAME_IO);
}
END_TEST

START_TEST(large_frame_crosses_socket_buffer)
{
    /* 3 MB is larger than the socket buffer: writer and reader overlap. */
    size_t n = 3 * 1024 * 1024;
    char *big = malloc(n);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)('a' + i % 26);
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[1]);
        _exit(frame_write(sv[0], big, n) == FRAME_OK ? 0 : 1);
    }
    char *out;
    size_t len;
    ck_assert_int_eq(frame_read(sv[1], &a, FRAME_MAX_RESULT, &out, &len), FRAME_OK);
    ck_assert_uint_eq(len, n);
    ck_assert_int_eq(memcmp(out, big, n), 0);
    ck_assert_int_eq(out[n], '\0');
    free(big);
}
END_TEST

static void frame_bytes(char *dst, const char *payload, uint32_t n)
{
    dst[0] = (char)(n >> 24);
    dst[1] = (char)(n >> 16);
    dst[2] = (char)(n >> 8);
    dst[3] = (char)n;
    memcpy(dst + 4, payload, n);
}

START_TEST(decoder_byte_by_byte)
{
    size_t base = alloc_live_bytes();
    frame_decoder d;
    frame_decoder_init(&d, 100);
    char wire[64];
    frame_bytes(wire, "hello", 5);
    char *out;
    size_t len;
    for (int i = 0; i < 8; i++) {
        ck_assert_int_eq(frame_decoder_feed(&d, wire + i, 1), FRAME_OK);
        ck_assert_int_eq(frame_decoder_next(&d, &out, &len), FRAME_EOF);
    }
    ck_assert_int_eq(frame_decoder_feed(&d, wire + 8, 1), FRAME_OK);
    ck_assert_int_eq(frame_decoder_next(&d, &out, &len), FRAME_OK);
    ck_assert_str_eq(out, "hello");
    ck_assert_int_eq(frame_decoder_next(&d, &out, &len), FRAME_EOF);
    frame_decoder_free(&d);
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

START_TEST(decoder_several_frames_in_one_feed_keep_next_header)
{
    frame_decoder d;
    frame_decoder_init(&d, 100);
    char wire[64];
    frame_bytes(wire, "one", 3);
    frame_bytes(wire + 7, "two!", 4);
    frame_bytes(wire + 15, "3", 1);
    ck_assert_int_eq(frame_decoder_feed(&d, wire, 20), FRAME_OK);
    char *out;
    size_t len;
    ck_assert_int_eq(frame_decoder_next(&d, &out, &len), FRAME_OK);
    ck_assert_str_eq(out, "one");
    ck_assert_int_eq(frame_decoder_next(&d, &out, &len), FRAME_OK);
    ck_assert_str_eq(out, "two!");
    ck_assert_uint_eq(len, 4);
    ck_assert_int_eq(frame_decoder_next(&d, &out, &len), FRAME_OK);
    ck_assert_str_eq(out, "3");
    ck_assert_int_eq(frame_decoder_next(&d, &out, &len), FRAME_EOF);
    frame_decoder_free(&d);
}
END_TEST

START_TEST(decoder_rejects_oversized_and_empty)
{
    frame_decoder d;
    frame_decoder_init(&d, 10);
    char wire[8] = {0, 0, 0, 11, 'x'};
    char *out;
    size_t len;
    ck_assert_int_eq(frame_decoder_feed(&d, wire, 5), FRAME_OK);
    ck_assert_int_eq(frame_decoder_next(&d, &out, &len), FRAME_TOO_LARGE);
    frame_decoder_free(&d);
    frame_decoder_init(&d, 10);
    char empty[4] = {0, 0, 0, 0};
    ck_assert_int_eq(frame_decoder_feed(&d, empty, 4), FRAME_OK);
    ck_assert_int_eq(frame_decoder_next(&d, &out, &len), FRAME_EMPTY);
    frame_decoder_free(&d);
}
END_TEST

START_TEST(decoder_feed_fails_cleanly_without_memory)
{
    size_t base = alloc_live_bytes();
    frame_decoder d;
    frame_decoder_init(&d, 100);
    alloc_fail_after(1);
    ck_assert_int_eq(frame_decoder_feed(&d, "abcd", 4), FRAME_NOMEM);
    alloc_fail_reset();
    ck_assert_int_eq(frame_decoder_feed(&d, "\0\0\0\1z", 5), FRAME_OK);
    char *out;
    size_t len;
    ck_assert_int_eq(frame_decoder_next(&d, &out, &len), FRAME_OK);
    ck_assert_str_eq(out, "z");
    frame_decoder_free(&d);
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

START_TEST(writev_gathers_parts_into_one_frame)
{
    struct iovec parts[4] = {{"ab", 2}, {NULL, 0}, {"cde", 3}, {"", 0}};
    ck_assert_int_eq(frame_writev(sv[0], parts, 4), FRAME_OK);
    char *out;
    size_t len;
    ck_assert_int_eq(frame_read(sv[1], &a, 100, &out, &len), FRAME_OK);
    ck_assert_uint_eq(len, 5);
    ck_assert_str_eq(out, "abcde");
    struct iovec none[2] = {{NULL, 0}, {"", 0}};
    ck_assert_int_eq(frame_writev(sv[0], none, 2), FRAME_EMPTY);
    struct iovec many[FRAME_MAX_PARTS + 1];
    for (int i = 0; i <= FRAME_MAX_PARTS; i++)
        many[i] = (struct iovec){"x", 1};
    ck_assert_int_eq(frame_writev(sv[0], many, FRAME_MAX_PARTS + 1), FRAME_TOO_LARGE);
    unsigned char h[FRAME_HEADER];
    frame_put_header(h, 0x01020304);
    ck_assert_int_eq(h[0], 1);
    ck_assert_int_eq(h[3], 4);
}
END_TEST

START_TEST(err_strings_name_the_problem)
{
    ck_assert_str_eq(frame_err_str(FRAME_TOO_LARGE), "frame too large");
    ck_assert_str_eq(frame_err_str(FRAME_TRUNCATED), "truncated frame");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("frame");
    TCase *tc = tcase_create("frame");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, write_then_read_round_trip);
    tcase_add_test(tc, header_is_big_endian_length);
    tcase_add_test(tc, read_eof_before_header_is_eof);
    tcase_add_test(tc, read_eof_inside_frame_is_truncated);
    tcase_add_test(tc, read_eof_inside_header_is_truncated);
    tcase_add_test(tc, read_refuses_oversized_before_buffering);
    tcase_add_test(tc, read_refuses_empty_frame);
    tcase_add_test(tc, write_refuses_empty);
    tcase_add_test(tc, write_to_closed_peer_is_io_error);
    tcase_add_test(tc, large_frame_crosses_socket_buffer);
    tcase_add_test(tc, decoder_byte_by_byte);
    tcase_add_test(tc, decoder_several_frames_in_one_feed_keep_next_header);
    tcase_add_test(tc, decoder_rejects_oversized_and_empty);
    tcase_add_test(tc, decoder_feed_fails_cleanly_without_memory);
    tcase_add_test(tc, err_strings_name_the_problem);
    tcase_add_test(tc, writev_gathers_parts_into_one_frame);
    suite_add_tcase(s, tc);
    return testutil_run(s);
}
