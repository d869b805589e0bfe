/* Check suite: wire (the messages of the supervisor↔worker channel). */
#include "alloc.h"
#include "arena.h"
#include "frame.h"
#include "json_alloc.h"
#include "wire.h"

#include <check.h>

#include "testutil.h"
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
    close(sv[0]);
    close(sv[1]);
    arena_release(&a);
}

/* Encodes t into an arena buffer of exactly wire_task_bound bytes. */
static char *encode(const wire_task *t, size_t *len)
{
    size_t bound = wire_task_bound(t);
    char *buf = arena_alloc(&a, bound + 1);
    ck_assert_ptr_nonnull(buf);
    *len = wire_task_encode(t, buf);
    ck_assert_uint_le(*len, bound);
    buf[*len] = '\0';
    return buf;
}

static int decode_at(wire_side side, const char *s, wire_msg *m, wire_err *e)
{
    return wire_decode(side, &a, s, strlen(s), m, e);
}

START_TEST(task_round_trip_every_field)
{
    wire_task t = {.task_id = 0x7fffffffffffLL,
                   .job_id = 42,
                   .url = "http://h.example/a?q=\"x\"&b=\\c\x01\x1f\x7f/caf\xc3\xa9",
                   .depth = INT_MAX,
                   .js = 0,
                   .js_off = "js: off for this attempt: \"quoted\"\n",
                   .timeout_ms = 22500,
                   .max_body = 10LL << 20,
                   .want_text = 1,
                   .attempts = 3,
                   .parent = "http://h.example/",
                   .raw_body = 500 * 1024,
                   .max_redirects = 5,
                   .warc = 1,
                   .alone = 1,
                   .sitemap = WIRE_SITEMAP_MAX};
    size_t len;
    char *s = encode(&t, &len);
    ck_assert_ptr_null(memchr(s, '\n', len)); /* one line: controls escaped */
    wire_msg m;
    wire_err e;
    ck_assert_int_eq(wire_decode(WIRE_AT_WORKER, &a, s, len, &m, &e), 0);
    ck_assert_int_eq(m.type, WIRE_TASK);
    const wire_task *d = &m.task;
    ck_assert_int_eq(d->task_id, t.task_id);
    ck_assert_int_eq(d->job_id, 42);
    ck_assert_str_eq(d->url, t.url);
    ck_assert_int_eq(d->depth, INT_MAX);
    ck_assert_int_eq(d->js, 0);
    ck_assert_str_eq(d->js_off, t.js_off);
    ck_assert_int_eq(d->timeout_ms, 22500);
    ck_assert_int_eq(d->max_body, 10LL << 20);
    ck_assert_int_eq(d->want_text, 1);
    ck_assert_int_eq(d->attempts, 3);
    ck_assert_str_eq(d->parent, t.parent);
    ck_assert_int_eq(d->raw_body, 500 * 1024);
    ck_assert_int_eq(d->max_redirects, 5);
    ck_assert_int_eq(d->warc, 1);
    ck_assert_int_eq(d->alone, 1);
    ck_assert_int_eq(d->sitemap, WIRE_SITEMAP_MAX);

    /* The other values: booleans on, a seed (no parent), no limits. */
    wire_task u = {.task_id = 1, .url = "http://a/", .js = 1};
    s = encode(&u, &len);
    ck_assert_int_eq(wire_decode(WIRE_AT_WORKER, &a, s, len, &m, &e), 0);
    ck_assert_int_eq(m.task.js, 1);
    ck_assert_ptr_null(m.task.parent);
    ck_assert_ptr_null(m.task.js_off);
    ck_assert_int_eq(m.task.warc, 0);
    ck_assert_int_eq(m.task.raw_body, 0);
    ck_assert_int_eq(m.task.max_redirects, 0);
    ck_assert_int_eq(m.task.max_body, 0);
    ck_assert_ptr_null(strstr(s, "raw_body")); /* optional fields left out */
    ck_assert_ptr_null(strstr(s, "warc"));
    ck_assert_int_eq(m.task.alone, 0);
    ck_assert_ptr_null(strstr(s, "alone"));
    ck_assert_int_eq(m.task.sitemap, 0);
    ck_assert_ptr_null(strstr(s, "sitemap"));
}
END_TEST

START_TEST(task_sitemap_out_of_range_refused)
{
    wire_msg m;
    wire_err e;
    char buf[200];
    snprintf(buf, sizeof(buf),
             "{\"type\":\"task\",\"task_id\":9,\"url\":\"http://a/\",\"sitemap\":%d}",
             WIRE_SITEMAP_MAX + 1);
    ck_assert_int_eq(decode_at(WIRE_AT_WORKER, buf, &m, &e), -1);
    ck_assert_str_eq(e.word, "bad_task");
    ck_assert_str_eq(e.field, "sitemap");
    ck_assert_int_eq(
        decode_at(WIRE_AT_WORKER,
                  "{\"type\":\"task\",\"task_id\":9,\"url\":\"http://a/\",\"sitemap\":1}", &m, &e),
        0);
    ck_assert_int_eq(m.task.sitemap, WIRE_SITEMAP_ROBOTS);
}
END_TEST

/* Recrawls: the earlier capture's validators and date go through as
 * given; a validator with CR or LF (a header injection) is refused naming it. */
START_TEST(task_recrawl_fields_round_trip)
{
    wire_task t = {.task_id = 3,
                   .url = "http://a/",
                   .if_none_match = "W/\"x y\"",
                   .if_modified_since = "Mon, 01 Dec 2025 00:00:00 GMT",
                   .refers_to_date = "2026-12-07T01:02:03.456789Z"};
    size_t len;
    char *s = encode(&t, &len);
    wire_msg m;
    wire_err e;
    ck_assert_int_eq(decode_at(WIRE_AT_WORKER, s, &m, &e), 0);
    ck_assert_str_eq(m.task.if_none_match, t.if_none_match);
    ck_assert_str_eq(m.task.if_modified_since, t.if_modified_since);
    ck_assert_str_eq(m.task.refers_to_date, t.refers_to_date);
    wire_task plain = {.task_id = 4, .url = "http://a/"};
    s = encode(&plain, &len);
    ck_assert_ptr_null(strstr(s, "if_none_match"));
    ck_assert_int_eq(decode_at(WIRE_AT_WORKER, s, &m, &e), 0);
    ck_assert_ptr_null(m.task.if_none_match);
    ck_assert_int_eq(decode_at(WIRE_AT_WORKER,
                               "{\"type\":\"task\",\"task_id\":9,\"url\":\"http://a/\","
                               "\"if_none_match\":\"x\\r\\nX-Evil: 1\"}",
                               &m, &e),
                     -1);
    ck_assert_str_eq(e.field, "if_none_match");
    ck_assert_int_eq(decode_at(WIRE_AT_WORKER,
                               "{\"type\":\"task\",\"task_id\":9,\"url\":\"http://a/\","
                               "\"if_modified_since\":\"x\\ny\"}",
                               &m, &e),
                     -1);
    ck_assert_str_eq(e.field, "if_modified_since");
}
END_TEST

/* --extract: the specs travel as one string (newlines and quotes escaped),
 * absent from a task without them. */
START_TEST(task_extract_round_trip)
{
    wire_task t = {
        .task_id = 3, .url = "http://a/", .extract = "h1=h1\nm=a[href^=\"mailto:x@y\"]@href\nx=p"};
    size_t len;
    char *s = encode(&t, &len);
    ck_assert_uint_le(len, wire_task_bound(&t));
    wire_msg m;
    wire_err e;
    ck_assert_int_eq(decode_at(WIRE_AT_WORKER, s, &m, &e), 0);
    ck_assert_str_eq(m.task.extract, t.extract);
    wire_task plain = {.task_id = 4, .url = "http://a/"};
    s = encode(&plain, &len);
    ck_assert_ptr_null(strstr(s, "extract"));
    ck_assert_int_eq(decode_at(WIRE_AT_WORKER, s, &m, &e), 0);
    ck_assert_ptr_null(m.task.extract);
    ck_assert_int_eq(decode_at(WIRE_AT_WORKER,
                               "{\"type\":\"task\",\"task_id\":9,\"url\":\"http://a/\","
                               "\"extract\":[\"h1=h1\"]}",
                               &m, &e),
                     -1);
    ck_assert_str_eq(e.field, "extract");
}
END_TEST

START_TEST(task_absent_fields_are_defaults)
{
    wire_msg m;
    wire_err e;
    ck_assert_int_eq(decode_at(WIRE_AT_WORKER,
                               "{\"type\":\"task\",\"task_id\":9,\"url\":\"http://a/\","
                               "\"parent\":null,\"depth\":null}",
                               &m, &e),
                     0);
    ck_assert_int_eq(m.type, WIRE_TASK);
    ck_assert_int_eq(m.task.task_id, 9);
    ck_assert_int_eq(m.task.job_id + m.task.depth + m.task.js + m.task.want_text + m.task.attempts +
                         m.task.timeout_ms + m.task.max_body + m.task.raw_body +
                         m.task.max_redirects + m.task.warc,
                     0);
    ck_assert_ptr_null(m.task.parent);
    ck_assert_ptr_null(m.task.js_off);
}
END_TEST

START_TEST(task_bound_holds_for_the_worst_strings)
{
    /* Every byte a control character (6 bytes escaped), numbers at their
     * widest: the encoder stays inside the bound. */
    size_t n = 3000;
    char *url = arena_alloc(&a, n + 1), *parent = arena_alloc(&a, n + 1);
    memset(url, 0x01, n);
    memset(parent, '"', n);
    url[n] = parent[n] = '\0';
    wire_task t = {.task_id = LLONG_MAX,
                   .job_id = LLONG_MIN,
                   .url = url,
                   .depth = INT_MIN,
                   .js_off = parent,
                   .timeout_ms = LONG_MIN,
                   .max_body = LLONG_MIN,
                   .want_text = 0,
                   .attempts = INT_MIN,
                   .parent = parent,
                   .raw_body = LLONG_MAX,
                   .max_redirects = INT_MAX,
                   .warc = 1,
                   .alone = 1};
    size_t len;
    char *s = encode(&t, &len);
    ck_assert_uint_gt(len, 6 * n);
    ck_assert_int_eq(s[len - 1], '}');
}
END_TEST

START_TEST(task_strings_escaped_as_records_are)
{
    /* The same escaping as pages.jsonl (utf8_json_escape): short escapes
     * for quote, backslash and the common controls, \u00XX for the others,
     * DEL and valid UTF-8 as they are, a byte of no valid sequence as
     * U+FFFD; jansson reads every one back. */
    wire_task t = {.task_id = 1, .url = "http://a/\"q\\b\n\t\x01\x7f\xc3\xa9\xff."};
    size_t len;
    char *s = encode(&t, &len);
    ck_assert_ptr_nonnull(
        strstr(s, "\"http://a/\\\"q\\\\b\\n\\t\\u0001\x7f\xc3\xa9\xef\xbf\xbd.\""));
    wire_msg m;
    wire_err e;
    ck_assert_int_eq(decode_at(WIRE_AT_WORKER, s, &m, &e), 0);
    ck_assert_str_eq(m.task.url, "http://a/\"q\\b\n\t\x01\x7f\xc3\xa9\xef\xbf\xbd.");
}
END_TEST

/* Each broken task names its field in e.field and in the detail, and the
 * task's id is echoed once it was read. */
static const struct {
    const char *json, *field;
} bad_tasks[] = {
    {"{\"type\":\"task\",\"url\":\"http://a/\"}", "task_id"},
    {"{\"type\":\"task\",\"task_id\":0,\"url\":\"http://a/\"}", "task_id"},
    {"{\"type\":\"task\",\"task_id\":-3,\"url\":\"http://a/\"}", "task_id"},
    {"{\"type\":\"task\",\"task_id\":\"7\",\"url\":\"http://a/\"}", "task_id"},
    {"{\"type\":\"task\",\"task_id\":1.5,\"url\":\"http://a/\"}", "task_id"},
    {"{\"type\":\"task\",\"task_id\":7}", "url"},
    {"{\"type\":\"task\",\"task_id\":7,\"url\":\"\"}", "url"},
    {"{\"type\":\"task\",\"task_id\":7,\"url\":5}", "url"},
    {"{\"type\":\"task\",\"task_id\":7,\"url\":\"http://a/\",\"job_id\":\"1\"}", "job_id"},
    {"{\"type\":\"task\",\"task_id\":7,\"url\":\"http://a/\",\"job_id\":-1}", "job_id"},
    {"{\"type\":\"task\",\"task_id\":7,\"url\":\"http://a/\",\"depth\":-1}", "depth"},
    {"{\"type\":\"task\",\"task_id\":7,\"url\":\"http://a/\",\"depth\":3000000000}", "depth"},
    {"{\"type\":\"task\",\"task_id\":7,\"url\":\"http://a/\",\"depth\":\"2\"}", "depth"},
    {"{\"type\":\"task\",\"task_id\":7,\"url\":\"http://a/\",\"js\":1}", "js"},
    {"{\"type\":\"task\",\"task_id\":7,\"url\":\"http://a/\",\"js\":\"true\"}", "js"},
    {"{\"type\":\"task\",\"task_id\":7,\"url\":\"http://a/\",\"want_text\":0}", "want_text"},
    {"{\"type\":\"task\",\"task_id\":7,\"url\":\"http://a/\",\"warc\":\"yes\"}", "warc"},
    {"{\"type\":\"task\",\"task_id\":7,\"url\":\"http://a/\",\"timeout_ms\":-5}", "timeout_ms"},
    {"{\"type\":\"task\",\"task_id\":7,\"url\":\"http://a/\",\"timeout_ms\":\"9\"}", "timeout_ms"},
    {"{\"type\":\"task\",\"task_id\":7,\"url\":\"http://a/\",\"max_body\":-1}", "max_body"},
    {"{\"type\":\"task\",\"task_id\":7,\"url\":\"http://a/\",\"raw_body\":[]}", "raw_body"},
    {"{\"type\":\"task\",\"task_id\":7,\"url\":\"http://a/\",\"max_redirects\":101}",
     "max_redirects"},
    {"{\"type\":\"task\",\"task_id\":7,\"url\":\"http://a/\",\"max_redirects\":-1}",
     "max_redirects"},
    {"{\"type\":\"task\",\"task_id\":7,\"url\":\"http://a/\",\"attempts\":\"2\"}", "attempts"},
    {"{\"type\":\"task\",\"task_id\":7,\"url\":\"http://a/\",\"parent\":5}", "parent"},
    {"{\"type\":\"task\",\"task_id\":7,\"url\":\"http://a/\",\"js_off\":true}", "js_off"},
};

START_TEST(task_decode_errors_name_the_field)
{
    wire_msg m;
    wire_err e;
    const char *json = bad_tasks[_i].json, *field = bad_tasks[_i].field;
    ck_assert_msg(decode_at(WIRE_AT_WORKER, json, &m, &e) == -1, "accepted %s", json);
    ck_assert_str_eq(e.word, "bad_task");
    ck_assert_ptr_nonnull(e.field);
    ck_assert_msg(strcmp(e.field, field) == 0, "%s: field %s, not %s", json, e.field, field);
    ck_assert_msg(strncmp(e.detail, field, strlen(field)) == 0, "%s: detail '%s'", json, e.detail);
    ck_assert_int_eq(e.task_id, strcmp(field, "task_id") == 0 ? 0 : 7);
}
END_TEST

START_TEST(frame_errors_name_what_was_wrong)
{
    wire_msg m;
    wire_err e;
    ck_assert_int_eq(decode_at(WIRE_AT_WORKER, "{not json", &m, &e), -1);
    ck_assert_str_eq(e.word, "bad_frame");
    ck_assert_ptr_null(e.field);
    ck_assert_ptr_nonnull(strstr(e.detail, "invalid JSON at byte"));
    ck_assert_int_eq(decode_at(WIRE_AT_WORKER, "[1,2]", &m, &e), -1);
    ck_assert_str_eq(e.detail, "not a JSON object");
    ck_assert_int_eq(decode_at(WIRE_AT_WORKER, "{\"a\":1}", &m, &e), -1);
    ck_assert_str_eq(e.field, "type");
    ck_assert_int_eq(decode_at(WIRE_AT_WORKER, "{\"type\":5}", &m, &e), -1);
    ck_assert_str_eq(e.field, "type");
    ck_assert_ptr_nonnull(strstr(e.detail, "type"));
    /* duplicate keys are refused (jansson: JSON_REJECT_DUPLICATES) */
    ck_assert_int_eq(
        decode_at(WIRE_AT_WORKER, "{\"type\":\"task\",\"task_id\":1,\"task_id\":2}", &m, &e), -1);
    ck_assert_str_eq(e.word, "bad_frame");
    /* a type the side does not take decodes as unknown, named */
    ck_assert_int_eq(decode_at(WIRE_AT_WORKER, "{\"type\":\"dance\"}", &m, &e), 0);
    ck_assert_int_eq(m.type, WIRE_UNKNOWN);
    ck_assert_str_eq(m.unknown, "dance");
    ck_assert_int_eq(decode_at(WIRE_AT_WORKER, "{\"type\":\"ready\",\"pid\":1}", &m, &e), 0);
    ck_assert_int_eq(m.type, WIRE_UNKNOWN);
    ck_assert_int_eq(decode_at(WIRE_AT_DAEMON, "{\"type\":\"task\",\"task_id\":1}", &m, &e), 0);
    ck_assert_int_eq(m.type, WIRE_UNKNOWN);
}
END_TEST

START_TEST(truncated_task_never_decodes)
{
    wire_task t = {.task_id = 12,
                   .job_id = 3,
                   .url = "http://a/x",
                   .parent = "http://a/",
                   .raw_body = 100,
                   .max_redirects = 5,
                   .warc = 1};
    size_t len;
    char *s = encode(&t, &len);
    for (size_t n = 0; n < len; n++) {
        char *cut = arena_strndup(&a, s, n);
        wire_msg m;
        wire_err e;
        ck_assert_msg(wire_decode(WIRE_AT_WORKER, &a, cut, n, &m, &e) == -1, "%zu bytes", n);
        ck_assert_str_eq(e.word, "bad_frame");
    }
}
END_TEST

START_TEST(oversized_task_refused_by_the_frame)
{
    /* A task over FRAME_MAX_TASK never reaches the decoder: the worker's
     * frame_read refuses it on its header and the stream stays in step. */
    size_t n = FRAME_MAX_TASK;
    char *url = arena_alloc(&a, n + 1);
    memset(url, 'a', n);
    url[n] = '\0';
    wire_task t = {.task_id = 1, .url = url};
    size_t len;
    char *s = encode(&t, &len);
    ck_assert_uint_gt(len, FRAME_MAX_TASK);
    unsigned char h[FRAME_HEADER];
    frame_put_header(h, (uint32_t)len);
    ck_assert_int_eq(write(sv[0], h, sizeof(h)), (ssize_t)sizeof(h));
    ck_assert_int_eq(write(sv[0], s, 100), 100); /* the rest never read */
    char *buf;
    size_t got;
    ck_assert_int_eq(frame_read(sv[1], &a, FRAME_MAX_TASK, &buf, &got), FRAME_TOO_LARGE);
    ck_assert_uint_eq(got, len);
}
END_TEST

START_TEST(ping_and_retire)
{
    wire_msg m;
    wire_err e;
    size_t n;
    const char *s = wire_ping(&n);
    ck_assert_int_eq(wire_decode(WIRE_AT_WORKER, &a, s, n, &m, &e), 0);
    ck_assert_int_eq(m.type, WIRE_PING);
    s = wire_retire(&n);
    ck_assert_int_eq(wire_decode(WIRE_AT_WORKER, &a, s, n, &m, &e), 0);
    ck_assert_int_eq(m.type, WIRE_RETIRE);
}
END_TEST

START_TEST(worker_messages_round_trip)
{
    wire_msg m;
    wire_err e;
    size_t n;
    char *s = wire_ready_encode(&a, "0.1.0", 4242, 64, &n);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(wire_decode(WIRE_AT_DAEMON, &a, s, n, &m, &e), 0);
    ck_assert_int_eq(m.type, WIRE_READY);
    ck_assert_str_eq(m.ready.version, "0.1.0");
    ck_assert_int_eq(m.ready.pid, 4242);
    ck_assert_int_eq(m.ready.slots, 64);
    /* a worker that says nothing of slots takes one task at a time */
    ck_assert_int_eq(decode_at(WIRE_AT_DAEMON, "{\"type\":\"ready\",\"pid\":3}", &m, &e), 0);
    ck_assert_int_eq(m.ready.slots, 1);
    ck_assert_int_eq(decode_at(WIRE_AT_DAEMON, "{\"type\":\"ready\",\"slots\":0}", &m, &e), -1);
    ck_assert_str_eq(e.field, "slots");
    ck_assert_int_eq(decode_at(WIRE_AT_DAEMON, "{\"type\":\"ready\",\"slots\":1025}", &m, &e), -1);
    ck_assert_str_eq(e.field, "slots");

    s = wire_alone_encode(&a, 99, &n);
    ck_assert_int_eq(wire_decode(WIRE_AT_DAEMON, &a, s, n, &m, &e), 0);
    ck_assert_int_eq(m.type, WIRE_ALONE);
    ck_assert_int_eq(m.parse.task_id, 99);
    ck_assert_int_eq(decode_at(WIRE_AT_DAEMON, "{\"type\":\"alone\"}", &m, &e), -1);
    ck_assert_str_eq(e.field, "task_id");
    ck_assert_ptr_nonnull(strstr(e.detail, "alone"));
    /* a worker never takes it */
    ck_assert_int_eq(decode_at(WIRE_AT_WORKER, "{\"type\":\"alone\",\"task_id\":3}", &m, &e), 0);
    ck_assert_int_eq(m.type, WIRE_UNKNOWN);

    s = wire_parse_encode(&a, 123456789012LL, &n);
    ck_assert_int_eq(wire_decode(WIRE_AT_DAEMON, &a, s, n, &m, &e), 0);
    ck_assert_int_eq(m.type, WIRE_PARSE);
    ck_assert_int_eq(m.parse.task_id, 123456789012LL);
    /* crawld reads the encoder's exact text without jansson; every other
     * form goes through the JSON path and answers the same */
    ck_assert_int_eq(decode_at(WIRE_AT_DAEMON, "{\"type\":\"parse\",\"task_id\":7}", &m, &e), 0);
    ck_assert_int_eq(m.parse.task_id, 7);
    ck_assert_int_eq(decode_at(WIRE_AT_DAEMON, "{ \"task_id\": 8, \"type\": \"parse\" }", &m, &e),
                     0);
    ck_assert_int_eq(m.type, WIRE_PARSE);
    ck_assert_int_eq(m.parse.task_id, 8);
    ck_assert_int_eq(
        decode_at(WIRE_AT_DAEMON, "{\"type\":\"parse\",\"task_id\":9223372036854775807}", &m, &e),
        0);
    ck_assert_int_eq(m.parse.task_id, 9223372036854775807LL);
    ck_assert_int_eq(decode_at(WIRE_AT_DAEMON, "{\"type\":\"parse\",\"task_id\":0}", &m, &e), -1);
    ck_assert_str_eq(e.field, "task_id");
    ck_assert_int_eq(decode_at(WIRE_AT_DAEMON, "{\"type\":\"parse\",\"task_id\":07}", &m, &e), -1);
    ck_assert_int_eq(decode_at(WIRE_AT_DAEMON, "{\"type\":\"parse\",\"task_id\":7x}", &m, &e), -1);
    ck_assert_int_eq(decode_at(WIRE_AT_DAEMON, "{\"type\":\"parse\"}", &m, &e), -1);
    ck_assert_str_eq(e.field, "task_id");
    ck_assert_int_eq(decode_at(WIRE_AT_DAEMON, "{\"type\":\"parse\",\"task_id\":\"7\"}", &m, &e),
                     -1);
    ck_assert_str_eq(e.field, "task_id");
    /* the worker does not take it */
    ck_assert_int_eq(decode_at(WIRE_AT_WORKER, "{\"type\":\"parse\",\"task_id\":7}", &m, &e), 0);
    ck_assert_int_eq(m.type, WIRE_UNKNOWN);

    s = wire_pong_encode(&a, "{\"pid\":1,\"rss_kb\":13000}", &n);
    ck_assert_int_eq(wire_decode(WIRE_AT_DAEMON, &a, s, n, &m, &e), 0);
    ck_assert_int_eq(m.type, WIRE_PONG);
    ck_assert_int_eq(m.pong.rss_kb, 13000);
    ck_assert_int_eq(decode_at(WIRE_AT_DAEMON, "{\"type\":\"pong\"}", &m, &e), 0);
    ck_assert_int_eq(m.pong.rss_kb, -1);

    s = wire_error_encode(&a, 77, "bad_task", "url must be a \"non-empty\" string", &n);
    ck_assert_int_eq(wire_decode(WIRE_AT_DAEMON, &a, s, n, &m, &e), 0);
    ck_assert_int_eq(m.type, WIRE_ERROR);
    ck_assert_int_eq(m.error.task_id, 77);
    ck_assert_str_eq(m.error.error, "bad_task: url must be a \"non-empty\" string");
    s = wire_error_encode(&a, 0, "bad_frame", "empty frame", &n);
    ck_assert_ptr_nonnull(strstr(s, "\"task_id\":null"));
    ck_assert_int_eq(wire_decode(WIRE_AT_DAEMON, &a, s, n, &m, &e), 0);
    ck_assert_int_eq(m.error.task_id, 0);
}
END_TEST

START_TEST(worker_message_errors_name_the_field)
{
    static const struct {
        const char *json, *field;
    } cases[] = {
        {"{\"type\":\"ready\",\"pid\":\"1\"}", "pid"},
        {"{\"type\":\"ready\",\"pid\":1,\"version\":2}", "version"},
        {"{\"type\":\"pong\",\"worker\":[]}", "worker"},
        {"{\"type\":\"pong\",\"worker\":{\"rss_kb\":\"x\"}}", "rss_kb"},
        {"{\"type\":\"error\",\"task_id\":\"1\",\"error\":\"x\"}", "task_id"},
        {"{\"type\":\"error\",\"task_id\":1,\"error\":5}", "error"},
        /* the result is binary: its old JSON form is refused */
        {"{\"type\":\"result\",\"task_id\":1,\"page\":{}}", "type"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        wire_msg m;
        wire_err e;
        ck_assert_msg(decode_at(WIRE_AT_DAEMON, cases[i].json, &m, &e) == -1, "accepted %s",
                      cases[i].json);
        ck_assert_str_eq(e.word, "bad_frame");
        ck_assert_str_eq(e.field, cases[i].field);
    }
}
END_TEST

START_TEST(result_round_trip_through_socket)
{
    const char rec[] = "{\"url\":\"http://a/\"}";
    const char links[] = "http://a/1\nhttp://a/2\n";
    frame_result r = {.task_id = 0x1122334455LL,
                      .rss_kb = 14000,
                      .js_heap_kb = -1,
                      .arena_retained_kb = 256,
                      .flags = FR_JS | FR_NOFOLLOW,
                      .status = 301,
                      .bytes = 5000000000LL,
                      .fetch_us = 1500,
                      .parse_us = 700,
                      .js_us = 3,
                      .stats = "{}",
                      .stats_len = 2,
                      .final_url = "http://a/x",
                      .final_url_len = 10,
                      .record = rec,
                      .record_len = sizeof(rec) - 1,
                      .links = links,
                      .links_len = sizeof(links) - 1,
                      .warc = "\x1f\x8b\0z",
                      .warc_len = 4};
    ck_assert_int_eq(wire_result_write(sv[0], &r), FRAME_OK);
    char *buf;
    size_t len;
    ck_assert_int_eq(frame_read(sv[1], &a, FRAME_MAX_RESULT, &buf, &len), FRAME_OK);
    ck_assert(wire_is_result(buf, len));
    frame_result d;
    wire_err e;
    ck_assert_int_eq(wire_result_decode(buf, len, &d, &e), 0);
    ck_assert_int_eq(d.task_id, r.task_id);
    ck_assert_int_eq(d.rss_kb, 14000);
    ck_assert_int_eq(d.js_heap_kb, -1);
    ck_assert_int_eq(d.arena_retained_kb, 256);
    ck_assert_int_eq(d.bytes, 5000000000LL);
    ck_assert_int_eq(d.status, 301);
    ck_assert_int_eq(d.flags, FR_JS | FR_NOFOLLOW);
    ck_assert_int_eq(d.fetch_us, 1500);
    ck_assert_int_eq(d.parse_us, 700);
    ck_assert_int_eq(d.js_us, 3);
    ck_assert_uint_eq(d.stats_len, 2);
    ck_assert_uint_eq(d.record_len, r.record_len);
    ck_assert_int_eq(memcmp(d.record, rec, d.record_len), 0);
    ck_assert_int_eq(memcmp(d.links, links, d.links_len), 0);
    ck_assert_int_eq(memcmp(d.final_url, "http://a/x", 10), 0);
    ck_assert_uint_eq(d.warc_len, 4);
    ck_assert_int_eq(d.warc[2], 0);
    ck_assert_uint_eq(d.body_len, 0);
    ck_assert_uint_eq(len, FR_HEADER + 2 + 10 + r.record_len + r.links_len + 4);
}
END_TEST

/* The cookie jar: a task's jar flag and cookie lines, and the result's
 * "CKS1" trailer (what the page set); a result without it decodes as
 * before, a trailer cut short does not decode. */
START_TEST(cookies_travel_both_ways)
{
    wire_task t = {.task_id = 9,
                   .url = "http://a/",
                   .jar = 1,
                   .cookies =
                       "a\tFALSE\t/\tFALSE\t0\tn\tv\"\\\n#HttpOnly_b\tTRUE\t/\tTRUE\t9\tm\tw\n"};
    size_t len;
    char *s = encode(&t, &len);
    wire_msg m;
    wire_err e;
    ck_assert_int_eq(wire_decode(WIRE_AT_WORKER, &a, s, len, &m, &e), 0);
    ck_assert_int_eq(m.task.jar, 1);
    ck_assert_str_eq(m.task.cookies, t.cookies);
    wire_task u = {.task_id = 9, .url = "http://a/", .cookies = "x"}; /* no jar: not sent */
    s = encode(&u, &len);
    ck_assert_ptr_null(strstr(s, "cookies"));
    ck_assert_ptr_null(strstr(s, "jar"));

    const char rec[] = "{}";
    const char ck[] = "a\tFALSE\t/\tFALSE\t0\tn\tnew\n";
    frame_result r = {.task_id = 3,
                      .record = rec,
                      .record_len = 2,
                      .links = "http://a/1\n",
                      .links_len = 11,
                      .cookies = ck,
                      .cookies_len = sizeof(ck) - 1};
    ck_assert_int_eq(wire_result_write(sv[0], &r), FRAME_OK);
    char *buf;
    ck_assert_int_eq(frame_read(sv[1], &a, FRAME_MAX_RESULT, &buf, &len), FRAME_OK);
    frame_result d;
    ck_assert_int_eq(wire_result_decode(buf, len, &d, &e), 0);
    ck_assert_uint_eq(d.cookies_len, sizeof(ck) - 1);
    ck_assert_int_eq(memcmp(d.cookies, ck, d.cookies_len), 0);
    ck_assert_uint_eq(d.links_len, 11);
    ck_assert_uint_eq(len, FR_HEADER + 2 + 11 + 8 + sizeof(ck) - 1);
    /* a trailer whose length runs past the frame */
    ck_assert_int_eq(wire_result_decode(buf, len - 1, &d, &e), -1);
    ck_assert_str_eq(e.field, "sections");
    /* without cookies: no trailer at all */
    r.cookies_len = 0;
    ck_assert_int_eq(wire_result_write(sv[0], &r), FRAME_OK);
    ck_assert_int_eq(frame_read(sv[1], &a, FRAME_MAX_RESULT, &buf, &len), FRAME_OK);
    ck_assert_uint_eq(len, FR_HEADER + 2 + 11);
    ck_assert_int_eq(wire_result_decode(buf, len, &d, &e), 0);
    ck_assert_uint_eq(d.cookies_len, 0);
}
END_TEST

/* --save: the task's kinds, and the result's "CNT1" trailer (the page's
 * content object) beside the cookies' or alone. */
START_TEST(content_travels_both_ways)
{
    wire_task t = {.task_id = 9, .url = "http://a/", .save = 15};
    size_t len;
    char *s = encode(&t, &len);
    wire_msg m;
    wire_err e;
    ck_assert_int_eq(wire_decode(WIRE_AT_WORKER, &a, s, len, &m, &e), 0);
    ck_assert_int_eq(m.task.save, 15);
    wire_task u = {.task_id = 9, .url = "http://a/"}; /* none: not sent */
    s = encode(&u, &len);
    ck_assert_ptr_null(strstr(s, "save"));
    const char *bad = "{\"type\":\"task\",\"task_id\":1,\"url\":\"http://a/\",\"save\":16}";
    ck_assert_int_eq(wire_decode(WIRE_AT_WORKER, &a, bad, strlen(bad), &m, &e), -1);
    ck_assert_str_eq(e.field, "save");

    const char rec[] = "{}";
    const char ck[] = "a\tFALSE\t/\tFALSE\t0\tn\tnew\n";
    const char ct[] = "{\"url\":\"http://a/\",\"text\":\"caf\xc3\xa9\"}";
    frame_result r = {
        .task_id = 3, .record = rec, .record_len = 2, .content = ct, .content_len = sizeof(ct) - 1};
    for (int with_cookies = 0; with_cookies < 2; with_cookies++) {
        r.cookies = with_cookies ? ck : NULL;
        r.cookies_len = with_cookies ? sizeof(ck) - 1 : 0;
        ck_assert_int_eq(wire_result_write(sv[0], &r), FRAME_OK);
        char *buf;
        ck_assert_int_eq(frame_read(sv[1], &a, FRAME_MAX_RESULT, &buf, &len), FRAME_OK);
        frame_result d;
        ck_assert_int_eq(wire_result_decode(buf, len, &d, &e), 0);
        ck_assert_uint_eq(d.content_len, sizeof(ct) - 1);
        ck_assert_int_eq(memcmp(d.content, ct, d.content_len), 0);
        ck_assert_uint_eq(d.cookies_len, r.cookies_len);
        ck_assert_uint_eq(len, FR_HEADER + 2 + 8 + sizeof(ct) - 1 +
                                   (with_cookies ? 8 + sizeof(ck) - 1 : 0));
        ck_assert_int_eq(wire_result_decode(buf, len - 1, &d, &e), -1);
    }
}
END_TEST

START_TEST(robots_body_section_round_trip)
{
    /* A raw fetch's body goes as it came: NUL, invalid UTF-8, CR. */
    const char body[] = "User-agent: *\r\nDisallow: /private/\0\xff\xfe\x80 caf\xe9\n";
    const char rec[] = "{\"url\":\"http://a/robots.txt\",\"error\":null}";
    frame_result r = {.task_id = 5,
                      .status = 200,
                      .stats = "{}",
                      .stats_len = 2,
                      .record = rec,
                      .record_len = sizeof(rec) - 1,
                      .body = body,
                      .body_len = sizeof(body) - 1};
    ck_assert_int_eq(wire_result_write(sv[0], &r), FRAME_OK);
    char *buf;
    size_t len;
    ck_assert_int_eq(frame_read(sv[1], &a, FRAME_MAX_RESULT, &buf, &len), FRAME_OK);
    wire_msg m;
    wire_err e;
    ck_assert_int_eq(wire_decode(WIRE_AT_DAEMON, &a, buf, len, &m, &e), 0);
    ck_assert_int_eq(m.type, WIRE_RESULT);
    ck_assert_uint_eq(m.result.body_len, sizeof(body) - 1);
    ck_assert_int_eq(memcmp(m.result.body, body, sizeof(body) - 1), 0);
    ck_assert_uint_eq(m.result.record_len, sizeof(rec) - 1);
    ck_assert_uint_eq(m.result.warc_len + m.result.links_len + m.result.final_url_len, 0);
    /* The body is the last section: it ends the frame. */
    ck_assert_ptr_eq(m.result.body + m.result.body_len, buf + len);
    /* A worker does not take results: to it they are not JSON. */
    ck_assert_int_eq(wire_decode(WIRE_AT_WORKER, &a, buf, len, &m, &e), -1);
    ck_assert_str_eq(e.word, "bad_frame");
}
END_TEST

START_TEST(result_decoder_refuses_malformed)
{
    frame_result r = {
        .task_id = 1, .record = "{}", .record_len = 2, .links = "http://a/", .links_len = 9};
    unsigned char buf[FR_HEADER + 11];
    wire_result_header(&r, buf);
    memcpy(buf + FR_HEADER, "{}http://a/", 11);
    frame_result d;
    wire_err e;
    /* links not ended by a newline */
    ck_assert_int_eq(wire_result_decode((char *)buf, sizeof(buf), &d, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.detail, "newline"));
    ck_assert_str_eq(e.field, "links");
    /* sections longer than the frame, and shorter */
    ck_assert_int_eq(wire_result_decode((char *)buf, sizeof(buf) - 1, &d, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.detail, "add up"));
    ck_assert_str_eq(e.field, "sections");
    /* a header cut short, JSON, no record */
    ck_assert_int_eq(wire_result_decode((char *)buf, 20, &d, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.detail, "cut short"));
    ck_assert_str_eq(e.field, "header");
    ck_assert_int_eq(wire_result_decode("{\"type\":1}", 10, &d, &e), -1);
    ck_assert_str_eq(e.field, "header");
    ck_assert(!wire_is_result("{\"type\":1}", 10));
    frame_result z = {.task_id = 1};
    wire_result_header(&z, buf);
    ck_assert_int_eq(wire_result_decode((char *)buf, FR_HEADER, &d, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.detail, "without a record"));
    ck_assert_str_eq(e.field, "record");
    /* the largest lengths do not wrap the sum */
    memset(buf + 4 + FR_NFIELDS * 8, 0xff, FR_NSECTIONS * 4);
    ck_assert_int_eq(wire_result_decode((char *)buf, sizeof(buf), &d, &e), -1);
    ck_assert_str_eq(e.field, "sections");
    /* the previous layout (CRR1, five sections) is not taken for this one */
    memcpy(buf, "CRR1", 4);
    ck_assert(!wire_is_result((char *)buf, sizeof(buf)));
}
END_TEST

START_TEST(truncated_result_never_decodes)
{
    const char rec[] = "{\"url\":\"http://a/\"}";
    frame_result r = {.task_id = 3,
                      .stats = "{}",
                      .stats_len = 2,
                      .record = rec,
                      .record_len = sizeof(rec) - 1,
                      .links = "http://a/1\n",
                      .links_len = 11,
                      .body = "abc",
                      .body_len = 3};
    ck_assert_int_eq(wire_result_write(sv[0], &r), FRAME_OK);
    char *buf;
    size_t len;
    ck_assert_int_eq(frame_read(sv[1], &a, FRAME_MAX_RESULT, &buf, &len), FRAME_OK);
    frame_result d;
    wire_err e;
    ck_assert_int_eq(wire_result_decode(buf, len, &d, &e), 0);
    for (size_t n = 0; n < len; n++) {
        ck_assert_msg(wire_result_decode(buf, n, &d, &e) == -1, "%zu bytes", n);
        ck_assert_str_eq(e.field, n < FR_HEADER ? "header" : "sections");
    }
    /* one byte more than the sections say */
    char *longer = arena_alloc(&a, len + 1);
    memcpy(longer, buf, len);
    longer[len] = 'x';
    ck_assert_int_eq(wire_result_decode(longer, len + 1, &d, &e), -1);
    ck_assert_str_eq(e.field, "sections");
}
END_TEST

START_TEST(oversized_result_section_refused_before_writing)
{
    /* A section a length field cannot hold: refused before any byte goes
     * out (the pointer is never read). */
    frame_result r = {.task_id = 1,
                      .record = "{}",
                      .record_len = 2,
                      .warc = "",
                      .warc_len = (size_t)UINT32_MAX + 1};
    ck_assert_int_eq(wire_result_write(sv[0], &r), FRAME_TOO_LARGE);
    /* and a frame over the reader's cap is refused on its header */
    char *buf;
    size_t len;
    const char rec[] = "{\"a\":1}";
    frame_result s = {.task_id = 1, .record = rec, .record_len = sizeof(rec) - 1};
    ck_assert_int_eq(wire_result_write(sv[0], &s), FRAME_OK);
    ck_assert_int_eq(frame_read(sv[1], &a, FR_HEADER, &buf, &len), FRAME_TOO_LARGE);
    ck_assert_uint_eq(len, FR_HEADER + sizeof(rec) - 1);
}
END_TEST

int main(void)
{
    json_alloc_install();
    Suite *s = suite_create("wire");
    TCase *tc = tcase_create("wire");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, task_round_trip_every_field);
    tcase_add_test(tc, task_absent_fields_are_defaults);
    tcase_add_test(tc, task_recrawl_fields_round_trip);
    tcase_add_test(tc, task_sitemap_out_of_range_refused);
    tcase_add_test(tc, task_bound_holds_for_the_worst_strings);
    tcase_add_test(tc, task_strings_escaped_as_records_are);
    tcase_add_loop_test(tc, task_decode_errors_name_the_field, 0,
                        (int)(sizeof(bad_tasks) / sizeof(bad_tasks[0])));
    tcase_add_test(tc, frame_errors_name_what_was_wrong);
    tcase_add_test(tc, truncated_task_never_decodes);
    tcase_add_test(tc, oversized_task_refused_by_the_frame);
    tcase_add_test(tc, ping_and_retire);
    tcase_add_test(tc, worker_messages_round_trip);
    tcase_add_test(tc, worker_message_errors_name_the_field);
    tcase_add_test(tc, result_round_trip_through_socket);
    tcase_add_test(tc, cookies_travel_both_ways);
    tcase_add_test(tc, robots_body_section_round_trip);
    tcase_add_test(tc, result_decoder_refuses_malformed);
    tcase_add_test(tc, truncated_result_never_decodes);
    tcase_add_test(tc, oversized_result_section_refused_before_writing);
    tcase_add_test(tc, content_travels_both_ways);
    tcase_add_test(tc, task_extract_round_trip);
    suite_add_tcase(s, tc);
    return testutil_run(s);
}
