/* Check suite: record (common/record.c), the one definition of a
 * pages.jsonl line, and its makers: a page's record (page_result_json), the
 * records crawld makes for pages no worker ran to the end (robots
 * disallowed and quarantined, results_synth_record; refused by the
 * worker, jobs_page_error), read back from a job's pages.jsonl. Every one has the same keys in the
 * same order, and the writer's line is what jansson would dump. */
#include "alloc.h"
#include "arena.h"
#include "config.h"
#include "jobs.h"
#include "json_alloc.h"
#include "log.h"
#include "page.h"
#include "record.h"
#include "utf8.h"

#include "testutil.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

/* The keys of a JSON object line, in order, comma-separated, into out. */
static void keys_of(const char *line, char *out, size_t cap)
{
    json_error_t e;
    json_t *o = json_loads(line, 0, &e);
    ck_assert_msg(o != NULL, "not JSON (%s): %.300s", e.text, line);
    ck_assert(json_is_object(o));
    size_t n = 0;
    out[0] = '\0';
    for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it))
        n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s", n ? "," : "",
                              json_object_iter_key(it));
    ck_assert_uint_lt(n, cap);
    json_decref(o);
}

/* The table's keys, optional ones only when with_optional. */
static void table_keys(char *out, size_t cap, int with_optional)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < record_nfields; i++)
        if (with_optional || !(record_fields[i].flags & (RECORD_OPTIONAL | RECORD_WITH_PREV)))
            n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? "," : "", record_fields[i].name);
}

static char *write_heap(const record *r)
{
    record_buf b = {0};
    ck_assert_int_eq(record_write(&b, r), 0);
    ck_assert_uint_eq(strlen(b.p), b.len);
    char *s = strdup(b.p);
    record_buf_release(&b);
    return s;
}

/* jansson's dump of the line the writer made: the same bytes. */
static void same_as_jansson(const char *line)
{
    json_error_t e;
    json_t *o = json_loads(line, 0, &e);
    ck_assert_msg(o != NULL, "not JSON (%s): %.300s", e.text, line);
    char *d = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10));
    ck_assert_str_eq(line, d);
    json_free_t jfree;
    json_get_alloc_funcs(NULL, &jfree); /* json_alloc's */
    jfree(d);
    json_decref(o);
}

START_TEST(zeroed_record_has_every_field_empty)
{
    record r = {.url = "http://a.example/",
                .error = "robots: disallowed",
                .ts = "2026-12-07T01:02:03.456Z"};
    char *s = write_heap(&r);
    char got[2048], want[2048];
    keys_of(s, got, sizeof(got));
    table_keys(want, sizeof(want), 0);
    ck_assert_str_eq(got, want);
    ck_assert_str_eq(s, "{\"job_id\":null,\"url\":\"http://a.example/\",\"final_url\":null,"
                        "\"status\":0,\"content_type\":null,\"depth\":0,\"title\":null,"
                        "\"links\":[],\"js\":false,\"js_stats\":null,\"js_note\":null,"
                        "\"bytes\":0,\"wire_bytes\":0,\"fetch_ms\":0.0,\"parse_ms\":0.0,"
                        "\"js_ms\":0.0,\"error\":\"robots: disallowed\",\"statuses\":[],"
                        "\"redirects\":0,\"http_version\":0,"
                        "\"ts\":\"2026-12-07T01:02:03.456Z\",\"canonical\":null,"
                        "\"noindex\":false,\"nofollow\":false,\"nofollow_links\":0,"
                        "\"skipped_links\":0,\"charset\":null,\"charset_note\":null,"
                        "\"text_len\":0,\"parent\":null,\"attempts\":0,"
                        "\"retries\":0,\"retry_reasons\":[]}");
    same_as_jansson(s);
    free(s);
}
END_TEST

START_TEST(full_record_in_table_order_as_jansson_dumps_it)
{
    static const char *const links[] = {"http://a.example/x?q=\"1\"", "http://a.example/\xc3\xa9/",
                                        "http://a.example/a\\b"};
    static const long statuses[] = {301, 302, 200};
    static const char *const reasons[] = {"503 retry-after=7s", "connection reset"};
    record_js js = {.scripts = 3,
                    .failed = 1,
                    .skipped = 2,
                    .timers = 4,
                    .fetches = 5,
                    .timed_out = 1,
                    .error = "TypeError: x is \"undefined\"\n  at line 3"};
    record r = {.task_id = 9,
                .job_id = 4,
                .url = "http://a.example/",
                .final_url = "http://a.example/final",
                .status = 200,
                .content_type = "text/html",
                .depth = 2,
                .title =
                    "tab\there, ctl \x01\x1f, del \x7f, slash /, \xe2\x80\x94 \xf0\x9f\x98\x80",
                .links = {links, 3},
                .js = 1,
                .js_stats = &js,
                .js_note = "unused",
                .bytes = 12345678901LL,
                .wire_bytes = 77,
                .fetch_ms = 12.3456,
                .parse_ms = 0.04,
                .js_ms = 123456789012.9,
                .error = "\b\f\r",
                .statuses = {statuses, 3},
                .redirects = 2,
                .http_version = 20,
                .warc_records = 6,
                .warc_error = "w",
                .ts = "2026-12-07T01:02:03.456Z",
                .canonical = "http://a.example/c",
                .noindex = 1,
                .nofollow = 1,
                .nofollow_links = 3,
                .skipped_links = 4,
                .charset = "windows-1252",
                .charset_note = "n",
                .text_len = 5,
                .text = "hello",
                .parent = "http://a.example/p",
                .attempts = 3,
                .retries = 2,
                .retry_reasons = {reasons, 2},
                .retry_after_s = 7,
                .retry_gave_up = "max_retries (2) reached: 503",
                .sitemap = "urlset",
                .sitemap_urls = 7,
                .sitemap_lastmod = "2024-01-02",
                .etag = "\"v1\"",
                .last_modified = "Mon, 07 Dec 2026 01:02:03 GMT",
                .not_modified = 1,
                .refers_to_date = "2026-12-07T01:02:03.456789Z",
                .warc_date = "2026-12-07T01:02:03.400000Z",
                .payload_digest = "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                .fields = "{\"h1\":\"Title\",\"links\":[\"/a\",null],\"none\":null}",
                .fields_cut = "{\"links\":{\"matched\":150,\"kept\":100,\"values_cut\":0}}",
                .fields_note = "extract: n"};
    char *s = write_heap(&r);
    char got[2048], want[2048];
    keys_of(s, got, sizeof(got));
    table_keys(want, sizeof(want), 1);
    ck_assert_str_eq(got, want);
    same_as_jansson(s);
    json_t *o = json_loads(s, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(o, "title")), r.title);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(o, "links"), 1)), links[1]);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "bytes")), 12345678901LL);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "retries")), 2);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(o, "retry_reasons"), 1)),
                     "connection reset");
    ck_assert_int_eq(json_integer_value(json_object_get(o, "retry_after_s")), 7);
    ck_assert(json_is_true(json_object_get(json_object_get(o, "js_stats"), "timed_out")));
    ck_assert(json_is_false(json_object_get(json_object_get(o, "js_stats"), "out_of_memory")));
    ck_assert_int_eq(json_array_size(json_object_get(o, "statuses")), 3);
    /* --extract's fields: JSON text written as it is */
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "fields"), "h1")),
                     "Title");
    ck_assert(
        json_is_null(json_array_get(json_object_get(json_object_get(o, "fields"), "links"), 1)));
    ck_assert_int_eq(json_integer_value(json_object_get(
                         json_object_get(json_object_get(o, "fields_cut"), "links"), "matched")),
                     150);
    json_decref(o);
    ck_assert_ptr_nonnull(strstr(s, "\"fetch_ms\":12.3,"));
    ck_assert_ptr_nonnull(strstr(s, "\"parse_ms\":0.0,"));
    ck_assert_ptr_nonnull(strstr(s, "\"js_ms\":1.23456789e11,")); /* jansson's form */
    free(s);
}
END_TEST

/* A sitemap task's record: "sitemap" and the two after it, written even
 * when 0 or null; a page's record has none of the three. */
START_TEST(sitemap_fields_follow_sitemap)
{
    record r = {.url = "http://a.example/robots.txt", .ts = "t", .sitemap = "robots"};
    char *s = write_heap(&r);
    ck_assert_ptr_nonnull(strstr(s, ",\"attempts\":0,\"retries\":0,\"retry_reasons\":[],"
                                    "\"sitemap\":\"robots\",\"sitemap_urls\":0,"
                                    "\"sitemap_lastmod\":null}"));
    same_as_jansson(s);
    free(s);
    record p = {.url = "http://a.example/", .ts = "t", .sitemap_urls = 3};
    s = write_heap(&p);
    ck_assert_ptr_null(strstr(s, "sitemap"));
    free(s);
}
END_TEST

/* Recrawls: a response's validators and a 304's fields, each left out
 * when absent (an ordinary page's record is the same as before). */
START_TEST(recrawl_fields_only_when_set)
{
    record r = {.url = "http://a.example/",
                .status = 304,
                .ts = "t",
                .etag = "W/\"x\"",
                .last_modified = "Mon, 07 Dec 2026 01:02:03 GMT",
                .not_modified = 1,
                .refers_to_date = "2026-12-07T01:02:03.456789Z"};
    char *s = write_heap(&r);
    ck_assert_ptr_nonnull(strstr(s, ",\"retry_reasons\":[],\"etag\":\"W/\\\"x\\\"\","
                                    "\"last_modified\":\"Mon, 07 Dec 2026 01:02:03 GMT\","
                                    "\"not_modified\":true,"
                                    "\"refers_to_date\":\"2026-12-07T01:02:03.456789Z\"}"));
    same_as_jansson(s);
    free(s);
    record p = {.url = "http://a.example/", .ts = "t", .last_modified = "L"};
    s = write_heap(&p);
    ck_assert_ptr_null(strstr(s, "etag"));
    ck_assert_ptr_null(strstr(s, "not_modified"));
    ck_assert_ptr_null(strstr(s, "refers_to_date"));
    ck_assert_ptr_nonnull(strstr(s, ",\"last_modified\":\"L\"}"));
    free(s);
}
END_TEST

/* Bytes outside UTF-8 become U+FFFD, one per byte,
 * as utf8_lossy writes them: the line is always valid JSON and the field
 * is never dropped (jansson refused such a string and left the key out). */
START_TEST(invalid_utf8_becomes_replacement_characters)
{
    record r = {.url = "http://a.example/",
                .title = "bad \xc0\xaf and \xed\xa0\x80 end",
                .error = "b\xff\xc3(\xe2\x82",
                .ts = "t"};
    char *s = write_heap(&r);
    same_as_jansson(s);
    json_t *o = json_loads(s, 0, NULL);
    ck_assert_ptr_nonnull(o);
    char want[64];
    size_t n = utf8_lossy(want, r.title, strlen(r.title));
    want[n] = '\0';
    ck_assert_str_eq(json_string_value(json_object_get(o, "title")), want);
    n = utf8_lossy(want, r.error, strlen(r.error));
    want[n] = '\0';
    ck_assert_str_eq(json_string_value(json_object_get(o, "error")), want);
    json_decref(o);
    free(s);
}
END_TEST

/* An arena-backed line grows in place past its first 2 KiB and stays
 * valid; out of the arena it is the same line. */
START_TEST(long_lines_in_an_arena)
{
    static char lk[400][64];
    static const char *links[400];
    for (int i = 0; i < 400; i++) {
        snprintf(lk[i], sizeof(lk[i]), "http://a.example/page/%d.html", i);
        links[i] = lk[i];
    }
    record r = {.url = "http://a.example/", .links = {links, 400}, .ts = "t"};
    arena a;
    arena_init(&a, 1024);
    record_buf b = {.a = &a};
    ck_assert_int_eq(record_write(&b, &r), 0);
    char *heap = write_heap(&r);
    ck_assert_str_eq(b.p, heap);
    same_as_jansson(b.p);
    free(heap);
    arena_release(&a);
}
END_TEST

/* ---- the makers: a page's record and crawld's own, one key list ---- */

static char page_keys[2048];

/* A page's record as the worker makes it for a job (no fetch: a page
 * struct filled as page_run fills it). */
static void page_record_keys(void)
{
    json_alloc_install();
    arena a;
    arena_init(&a, 0);
    static const char *links[] = {"http://a.example/1", "http://a.example/2"};
    page_task t = {.task_id = 5,
                   .job_id = 3,
                   .url = "http://a.example/",
                   .depth = 1,
                   .for_job = 1,
                   .parent = "http://a.example/p",
                   .attempts = 1};
    page p;
    memset(&p, 0, sizeof(p));
    p.a = &a;
    p.task = &t;
    p.fetch.final_url = t.url;
    p.fetch.status = 200;
    p.fetch.mime = "text/html";
    p.fetch.hops = 1;
    p.fetch.hop_status[0] = 200;
    p.parsed = 1;
    p.doc.title = "T";
    p.doc.links = links;
    p.doc.nlinks = 2;
    p.doc.charset = "utf-8";
    size_t len;
    char *s = page_result_json(&p, &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(strlen(s), len);
    same_as_jansson(s);
    keys_of(s, page_keys, sizeof(page_keys));
    /* A fetch error and a page with scripts: the same keys. */
    char k[2048];
    p.parsed = 0;
    p.fetch.status = 0;
    p.fetch.hops = 0;
    p.error = "connect: refused";
    keys_of(page_result_json(&p, NULL), k, sizeof(k));
    ck_assert_str_eq(k, page_keys);
    p.parsed = 1;
    p.error = NULL;
    p.js_ran = 1;
    p.js_scripts = 2;
    keys_of(page_result_json(&p, NULL), k, sizeof(k));
    ck_assert_str_eq(k, page_keys);
    arena_release(&a);
    char want[2048];
    table_keys(want, sizeof(want), 0);
    ck_assert_str_eq(page_keys, want);
}

/* crawld's records through the jobs API, read back from pages.jsonl. */
typedef struct run {
    char dir[64];
    crawld_config cfg;
    uv_loop_t loop;
    jobs j;
    job *jb;
} run;

static void run_start(run *r, int robots)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->dir, sizeof(r->dir), "/tmp/test_record.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(r->dir));
    config_defaults(&r->cfg);
    snprintf(r->cfg.state_dir, sizeof(r->cfg.state_dir), "%s", r->dir);
    snprintf(r->cfg.output_dir, sizeof(r->cfg.output_dir), "%s", r->dir);
    r->cfg.delay_ms = 0;
    r->cfg.per_host_concurrency = 2;
    ck_assert_int_eq(uv_loop_init(&r->loop), 0);
    char err[256];
    ck_assert_msg(jobs_init(&r->j, &r->loop, &r->cfg, err, sizeof(err)) == 0, "%s", err);
    const char *seeds[] = {"http://h.example/a", "http://h.example/b"};
    jobs_submit_opts o = {.js = 1,
                          .depth = 3,
                          .max_pages = 100,
                          .delay_ms = 0,
                          .obey_robots = robots,
                          .scope = "host"};
    r->jb = jobs_submit(&r->j, seeds, 2, &o, err, sizeof(err));
    ck_assert_msg(r->jb != NULL, "%s", err);
}

static void run_stop(run *r)
{
    jobs_close(&r->j);
    uv_run(&r->loop, UV_RUN_DEFAULT);
    jobs_free(&r->j);
    ck_assert_int_eq(uv_loop_close(&r->loop), 0);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", r->dir);
    (void)!system(cmd);
}

/* The job's records, parsed, in file order; their count. */
static int read_records(run *r, json_t **out, int cap)
{
    ck_assert_int_eq(jobs_flush(&r->j), 0);
    FILE *f = fopen(r->jb->out_path, "r");
    ck_assert_ptr_nonnull(f);
    char line[8192];
    int n = 0;
    while (fgets(line, sizeof(line), f)) {
        ck_assert_int_lt(n, cap);
        size_t len = strlen(line);
        ck_assert_msg(len && line[len - 1] == '\n', "a whole line: %.200s", line);
        line[len - 1] = '\0';
        char k[2048];
        keys_of(line, k, sizeof(k));
        ck_assert_msg(strcmp(k, page_keys) == 0, "keys\n  %s\nof a page record\n  %s", k,
                      page_keys);
        same_as_jansson(line);
        out[n++] = json_loads(line, 0, NULL);
    }
    fclose(f);
    return n;
}

static void check_unfetched(json_t *o, const char *url, const char *error, int attempts,
                            long long job_id)
{
    ck_assert_str_eq(json_string_value(json_object_get(o, "url")), url);
    ck_assert_str_eq(json_string_value(json_object_get(o, "error")), error);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "attempts")), attempts);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "job_id")), job_id);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "depth")), 0);
    ck_assert(json_is_null(json_object_get(o, "parent"))); /* a seed */
    ck_assert(json_is_true(json_object_get(o, "js")));     /* asked for */
    ck_assert(json_is_null(json_object_get(o, "final_url")));
    ck_assert_int_eq(json_integer_value(json_object_get(o, "status")), 0);
    ck_assert(json_is_null(json_object_get(o, "content_type")));
    ck_assert(json_is_null(json_object_get(o, "title")));
    ck_assert(json_is_array(json_object_get(o, "links")));
    ck_assert_int_eq(json_array_size(json_object_get(o, "links")), 0);
    ck_assert(json_is_null(json_object_get(o, "js_stats")));
    ck_assert_int_eq(json_array_size(json_object_get(o, "statuses")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "bytes")), 0);
    ck_assert(json_is_real(json_object_get(o, "fetch_ms")));
    const char *ts = json_string_value(json_object_get(o, "ts"));
    ck_assert_ptr_nonnull(ts);
    ck_assert_int_eq(ts[strlen(ts) - 1], 'Z');
}

/* The worker refused a page (jobs_page_error) and another page's worker
 * crashed at its last attempt (quarantined): both records have the page
 * record's keys in its order, and the values of a page never fetched. */
START_TEST(refused_and_quarantined_records)
{
    page_record_keys();
    run r;
    run_start(&r, 0);
    jobs_page *a = jobs_next(&r.j), *b = jobs_next(&r.j);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_str_eq(a->url, "http://h.example/a");
    jobs_page_error(&r.j, a, "bad_task: url must be a non-empty string");
    ck_assert_int_eq(jobs_page_failed(&r.j, b, "worker crashed (signal 9)", 1, 0), 1);
    ck_assert_int_eq(r.jb->failed, 2);
    ck_assert_int_eq(r.jb->state, JOB_DONE);
    json_t *recs[4];
    ck_assert_int_eq(read_records(&r, recs, 4), 2);
    check_unfetched(recs[0], "http://h.example/a", "bad_task: url must be a non-empty string", 1,
                    r.jb->id);
    check_unfetched(recs[1], "http://h.example/b",
                    "quarantined: worker crashed (signal 9) (1 attempts)", 1, r.jb->id);
    json_decref(recs[0]);
    json_decref(recs[1]);
    run_stop(&r);
}
END_TEST

/* robots.txt disallows both seeds: their records (made by the scheduler)
 * have the page record's keys. */
START_TEST(robots_disallowed_records)
{
    page_record_keys();
    run r;
    run_start(&r, 1);
    jobs_page *p = jobs_next(&r.j);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(p->kind, JOBS_ROBOTS);
    const char *body = "User-agent: *\nDisallow: /\n";
    frame_result fr = {
        .status = 200, .record = "{}", .record_len = 2, .body = body, .body_len = strlen(body)};
    jobs_page_done(&r.j, p, &fr);
    ck_assert_ptr_null(jobs_next(&r.j)); /* parks the two rows: a query writes nothing */
    ck_assert_int_eq(jobs_settle(&r.j), 2);
    ck_assert_ptr_null(jobs_next(&r.j));
    ck_assert_int_eq(r.jb->state, JOB_DONE);
    json_t *recs[4];
    ck_assert_int_eq(read_records(&r, recs, 4), 2);
    check_unfetched(recs[0], "http://h.example/a", "robots: disallowed", 0, r.jb->id);
    check_unfetched(recs[1], "http://h.example/b", "robots: disallowed", 0, r.jb->id);
    json_decref(recs[0]);
    json_decref(recs[1]);
    run_stop(&r);
}
END_TEST

int main(void)
{
    json_alloc_install();
    log_set_level(LOG_OFF);
    Suite *s = suite_create("record");
    TCase *tc = tcase_create("writer");
    tcase_add_test(tc, zeroed_record_has_every_field_empty);
    tcase_add_test(tc, full_record_in_table_order_as_jansson_dumps_it);
    tcase_add_test(tc, sitemap_fields_follow_sitemap);
    tcase_add_test(tc, recrawl_fields_only_when_set);
    tcase_add_test(tc, invalid_utf8_becomes_replacement_characters);
    tcase_add_test(tc, long_lines_in_an_arena);
    suite_add_tcase(s, tc);
    tc = tcase_create("makers");
    tcase_add_test(tc, refused_and_quarantined_records);
    tcase_add_test(tc, robots_disallowed_records);
    suite_add_tcase(s, tc);
    return testutil_run(s);
}
