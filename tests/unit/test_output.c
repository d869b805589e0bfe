/* test_output — following a job's records (daemon/output.c,
 * jobs_pages_read and jobs_pages_ended): only bytes under the committed
 * length, whole lines, max_bytes counted exactly at the records' edges, a
 * record longer than max_bytes (and than the 64 KiB read step) whole, a
 * "from" inside a record or past the end refused, nothing leaked. */
#include <check.h>

#include "testutil.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "jobs.h"

/* Record sizes (with their '\n'): small ones around a 300 KB one (several
 * read steps) and a 70 KB one. */
static const size_t sizes[] = {10, 300000, 50, 70000, 5, 200};
#define NREC (sizeof(sizes) / sizeof(sizes[0]))

static char path[256];
static char *content; /* the committed bytes */
static size_t committed;

/* pages.jsonl: the records, then an uncommitted record and a torn one. */
static void make_file(job *jb)
{
    snprintf(path, sizeof(path), "/tmp/crawld-test-output.%d.jsonl", (int)getpid());
    committed = 0;
    for (size_t i = 0; i < NREC; i++)
        committed += sizes[i];
    content = malloc(committed);
    ck_assert_ptr_nonnull(content);
    size_t at = 0;
    for (size_t i = 0; i < NREC; i++) {
        memset(content + at, 'a' + (int)i, sizes[i] - 1);
        content[at + sizes[i] - 1] = '\n';
        at += sizes[i];
    }
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(content, 1, committed, f), committed);
    fputs("{\"uncommitted\":1}\n{\"torn", f);
    fclose(f);
    memset(jb, 0, sizeof(*jb));
    snprintf(jb->out_path, sizeof(jb->out_path), "%s", path);
    jb->committed = (long long)committed;
    jb->written = (long long)committed;
    jb->state = JOB_RUNNING;
}

static void drop_file(void)
{
    unlink(path);
    free(content);
    content = NULL;
}

/* Reads from `from` with max; checks the reply is whole lines of the
 * committed bytes; returns its length. */
static size_t read_ok(const job *jb, long long from, size_t max)
{
    char *out, err[256];
    size_t len, cap;
    ck_assert_int_eq(jobs_pages_read(jb, from, max, &out, &len, &cap, err, sizeof(err)), 0);
    ck_assert_uint_le((size_t)from + len, committed);
    if (len) {
        ck_assert_ptr_nonnull(out);
        ck_assert_int_eq(memcmp(out, content + from, len), 0);
        ck_assert_int_eq(out[len - 1], '\n');
    }
    alloc_free(out, cap);
    return len;
}

START_TEST(reads_only_committed_whole_lines)
{
    size_t base = alloc_live_bytes();
    job jb;
    make_file(&jb);
    ck_assert_uint_eq(read_ok(&jb, 0, 1 << 20), committed); /* the tail is not served */
    /* max_bytes 1: one record a read, each whole, the 300 KB one too */
    long long from = 0;
    for (size_t i = 0; i < NREC; i++) {
        size_t n = read_ok(&jb, from, 1);
        ck_assert_uint_eq(n, sizes[i]);
        from += (long long)n;
    }
    ck_assert_uint_eq(read_ok(&jb, from, 1), 0); /* at the committed end: nothing */
    /* at the edges: exactly what fits */
    ck_assert_uint_eq(read_ok(&jb, 0, sizes[0]), sizes[0]);
    ck_assert_uint_eq(read_ok(&jb, 0, sizes[0] + sizes[1] - 1), sizes[0]);
    ck_assert_uint_eq(read_ok(&jb, 0, sizes[0] + sizes[1]), sizes[0] + sizes[1]);
    long long r2 = (long long)(sizes[0] + sizes[1]);
    ck_assert_uint_eq(read_ok(&jb, r2, sizes[2] + sizes[3] - 1), sizes[2]);
    ck_assert_uint_eq(read_ok(&jb, r2, sizes[2] + sizes[3]), sizes[2] + sizes[3]);
    /* a record longer than max but past the first: not in this read */
    ck_assert_uint_eq(read_ok(&jb, 0, sizes[0] + 100000), sizes[0]);
    /* a commit moves the end: the next record is served then, not before */
    jb.committed = (long long)committed - (long long)sizes[NREC - 1];
    ck_assert_uint_eq(read_ok(&jb, r2, 1 << 20), committed - sizes[NREC - 1] - (size_t)r2);
    drop_file();
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

START_TEST(bad_offsets_are_refused)
{
    size_t base = alloc_live_bytes();
    job jb;
    make_file(&jb);
    char *out, err[256];
    size_t len, cap;
    long long bad[] = {1, 9, 11, (long long)sizes[0] + 5, (long long)committed - 1};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_int_eq(jobs_pages_read(&jb, bad[i], 100, &out, &len, &cap, err, sizeof(err)), -2);
        ck_assert_ptr_null(out);
        ck_assert_ptr_nonnull(strstr(err, "is not the start of a record"));
        ck_assert_ptr_nonnull(strstr(err, "\"from\""));
    }
    ck_assert_int_eq(
        jobs_pages_read(&jb, (long long)committed + 1, 100, &out, &len, &cap, err, sizeof(err)),
        -1);
    ck_assert_ptr_nonnull(strstr(err, "past the committed end"));
    ck_assert_int_eq(jobs_pages_read(&jb, -1, 100, &out, &len, &cap, err, sizeof(err)), -1);
    /* a file shorter than its committed length: an error, not a short read */
    jb.committed = (long long)committed + 1000;
    ck_assert_int_eq(
        jobs_pages_read(&jb, (long long)committed, 1 << 20, &out, &len, &cap, err, sizeof(err)),
        -1);
    ck_assert_ptr_nonnull(strstr(err, "read "));
    drop_file();
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

START_TEST(ended_only_when_nothing_can_commit)
{
    job jb;
    memset(&jb, 0, sizeof(jb));
    jb.state = JOB_RUNNING;
    ck_assert_int_eq(jobs_pages_ended(&jb), 0);
    jb.state = JOB_PAUSED;
    ck_assert_int_eq(jobs_pages_ended(&jb), 0);
    jb.state = JOB_CANCELLED;
    jb.in_flight = 1; /* a cancelled job's page in flight still commits */
    ck_assert_int_eq(jobs_pages_ended(&jb), 0);
    jb.in_flight = 0;
    jb.dirty = 1; /* its last records in the open batch */
    ck_assert_int_eq(jobs_pages_ended(&jb), 0);
    jb.dirty = 0;
    ck_assert_int_eq(jobs_pages_ended(&jb), 1);
    jb.state = JOB_DONE;
    ck_assert_int_eq(jobs_pages_ended(&jb), 1);
    jb.state = JOB_FAILED;
    ck_assert_int_eq(jobs_pages_ended(&jb), 1);
}
END_TEST

static Suite *output_suite(void)
{
    Suite *s = suite_create("output");
    TCase *tc = tcase_create("pages");
    tcase_add_test(tc, reads_only_committed_whole_lines);
    tcase_add_test(tc, bad_offsets_are_refused);
    tcase_add_test(tc, ended_only_when_nothing_can_commit);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(output_suite()); }
