/* Check suite: jobs — the in-memory queue, records written once, requeue and
 * quarantine, cancel and pause, job ids after a restart. */
#include "alloc.h"
#include "jobs.h"
#include "json_alloc.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char root[256];
static jobs J;

static void setup(void)
{
    json_alloc_install();
    snprintf(root, sizeof(root), "/tmp/test_jobs.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    jobs_init(&J, root);
}

static void teardown(void)
{
    jobs_free(&J);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
    (void)!system(cmd);
}

static int count_lines(long long id, const char *needle)
{
    char path[400], line[4096];
    snprintf(path, sizeof(path), "%s/%lld/pages.jsonl", root, id);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    int n = 0;
    while (fgets(line, sizeof(line), f))
        if (!needle || strstr(line, needle))
            n++;
    fclose(f);
    return n;
}

static job *submit(const char *const *urls, size_t n)
{
    char err[256];
    jobs_submit_opts o = {.js = 1, .depth = 3, .max_pages = 10};
    job *jb = jobs_submit(&J, urls, n, &o, err, sizeof(err));
    ck_assert_msg(jb != NULL, "%s", err);
    return jb;
}

static json_t *record(const char *url, const char *error)
{
    return json_pack("{s:s, s:i, s:o, s:I}", "url", url, "status", 200, "error",
                     error ? json_string(error) : json_null(), "task_id", (json_int_t)5);
}

START_TEST(submit_normalises_and_dedups)
{
    const char *u[] = {"HTTP://Example.COM:80/a/../b", "http://example.com/b", "https://x.org"};
    job *jb = submit(u, 3);
    ck_assert_int_eq(jb->id, 1);
    ck_assert_int_eq(jb->pending, 2);
    ck_assert_str_eq(jb->head->url, "http://example.com/b");
    ck_assert_str_eq(jb->tail->url, "https://x.org/");
    ck_assert_int_eq(J.pending, 2);
}
END_TEST

START_TEST(bad_url_refused_and_named)
{
    const char *u[] = {"http://ok.example/", "ftp://nope.example/"};
    char err[256];
    jobs_submit_opts o = {0};
    ck_assert_ptr_null(jobs_submit(&J, u, 2, &o, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "ftp://nope.example/"));
    ck_assert_ptr_null(J.list);
    ck_assert_int_eq(J.pending, 0);
    ck_assert_ptr_null(jobs_submit(&J, u, 0, &o, err, sizeof(err)));
}
END_TEST

START_TEST(done_writes_one_record_with_attempts_and_parent)
{
    const char *u[] = {"http://a.example/1", "http://a.example/2"};
    job *jb = submit(u, 2);
    jobs_page *p = jobs_next(&J);
    ck_assert_int_eq(p->attempts, 1);
    ck_assert_int_eq(jb->in_flight, 1);
    json_t *r = record(p->url, NULL);
    jobs_page_done(&J, p, r);
    json_decref(r);
    ck_assert_int_eq(jb->done, 1);
    ck_assert_int_eq(jb->state, JOB_RUNNING);
    p = jobs_next(&J);
    r = record(p->url, "timeout: slow");
    jobs_page_done(&J, p, r);
    json_decref(r);
    ck_assert_int_eq(jb->failed, 1);
    ck_assert_int_eq(jb->state, JOB_DONE);
    ck_assert_int_eq(jb->out_fd, -1);
    ck_assert_int_eq(count_lines(jb->id, NULL), 2);
    ck_assert_int_eq(count_lines(jb->id, "\"parent\":null"), 2);
    ck_assert_int_eq(count_lines(jb->id, "\"attempts\":1"), 2);
    ck_assert_int_eq(count_lines(jb->id, "task_id"), 0);
    ck_assert_ptr_null(jobs_next(&J));
}
END_TEST

START_TEST(failed_requeues_then_quarantines)
{
    const char *u[] = {"http://a.example/bad", "http://a.example/good"};
    job *jb = submit(u, 2);
    for (int i = 1; i <= 3; i++) {
        jobs_page *p = jobs_next(&J);
        ck_assert_str_eq(p->url, "http://a.example/bad"); /* requeued at the front */
        ck_assert_int_eq(p->attempts, i);
        int q = jobs_page_failed(&J, p, "worker crashed (signal 9)", 3);
        ck_assert_int_eq(q, i == 3);
    }
    ck_assert_int_eq(jb->quarantined, 1);
    ck_assert_int_eq(count_lines(jb->id, "quarantined: worker crashed (signal 9) (3 attempts)"),
                     1);
    ck_assert_int_eq(count_lines(jb->id, "\"attempts\":3"), 1);
    jobs_page *p = jobs_next(&J); /* the crawl goes on */
    ck_assert_str_eq(p->url, "http://a.example/good");
    json_t *r = record(p->url, NULL);
    jobs_page_done(&J, p, r);
    json_decref(r);
    ck_assert_int_eq(jb->state, JOB_DONE);
    ck_assert_int_eq(count_lines(jb->id, NULL), 2);
}
END_TEST

START_TEST(cancel_drops_pending_keeps_in_flight)
{
    const char *u[] = {"http://a.example/1", "http://a.example/2", "http://a.example/3"};
    job *jb = submit(u, 3);
    jobs_page *p = jobs_next(&J);
    ck_assert_int_eq(jobs_cancel(&J, jb), 0);
    ck_assert_int_eq(jobs_cancel(&J, jb), -1);
    ck_assert_int_eq(jb->pending, 0);
    ck_assert_int_eq(J.pending, 0);
    ck_assert_ptr_null(jobs_next(&J));
    json_t *r = record(p->url, NULL);
    jobs_page_done(&J, p, r);
    json_decref(r);
    ck_assert_int_eq(jb->state, JOB_CANCELLED);
    ck_assert_int_eq(count_lines(jb->id, NULL), 1);
}
END_TEST

START_TEST(pause_holds_pages)
{
    const char *u1[] = {"http://a.example/1"}, *u2[] = {"http://b.example/1"};
    job *a = submit(u1, 1);
    job *b = submit(u2, 1);
    ck_assert_int_eq(jobs_pause(&J, a, 1), 0);
    jobs_page *p = jobs_next(&J);
    ck_assert_int_eq(p->job_id, b->id); /* the paused (older) job waits */
    ck_assert_ptr_null(jobs_next(&J));
    ck_assert_int_eq(jobs_pause(&J, a, 0), 0);
    jobs_page *q = jobs_next(&J);
    ck_assert_int_eq(q->job_id, a->id);
    jobs_page_failed(&J, p, "x", 1);
    jobs_page_failed(&J, q, "x", 1);
    ck_assert_int_eq(a->state, JOB_DONE);
}
END_TEST

START_TEST(ids_continue_after_restart)
{
    const char *u[] = {"http://a.example/1"};
    submit(u, 1);
    submit(u, 1);
    jobs_free(&J);
    jobs_init(&J, root);
    job *jb = submit(u, 1);
    ck_assert_int_eq(jb->id, 3);
}
END_TEST

START_TEST(job_json_shape)
{
    const char *u[] = {"http://a.example/1"};
    job *jb = submit(u, 1);
    json_t *o = job_json(jb);
    ck_assert_str_eq(json_string_value(json_object_get(o, "state")), "running");
    ck_assert_int_eq(json_integer_value(json_object_get(o, "pending")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "total")), 1);
    ck_assert(json_is_null(json_object_get(o, "ended")));
    json_decref(o);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("jobs");
    TCase *tc = tcase_create("jobs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, submit_normalises_and_dedups);
    tcase_add_test(tc, bad_url_refused_and_named);
    tcase_add_test(tc, done_writes_one_record_with_attempts_and_parent);
    tcase_add_test(tc, failed_requeues_then_quarantines);
    tcase_add_test(tc, cancel_drops_pending_keeps_in_flight);
    tcase_add_test(tc, pause_holds_pages);
    tcase_add_test(tc, ids_continue_after_restart);
    tcase_add_test(tc, job_json_shape);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
