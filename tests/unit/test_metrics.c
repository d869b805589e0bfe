/* Check suite: metrics — the Prometheus text formatter: label escaping,
 * cumulative histogram buckets, status classes, the buffer, and a whole
 * exposition (exposition.h: the supervisor's figures, pool_metrics and
 * jobs_metrics) rendered from a hand-built pool and jobs checked line by line
 * against the format's rules (one HELP/TYPE per family, samples right after
 * their family, counters named _total) and byte for byte against the samples
 * in tests/fixtures/metrics/ (taken from the renderer when it was one file
 * that read pool's and jobs' fields). The daemon's real numbers are
 * checked end to end by tests/integration/metrics.py (with promtool). */
#include "alloc.h"
#include "jobs.h"
#include "exposition.h"
#include "metrics.h"
#include "pool.h"

#include <check.h>

#include "testutil.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *escaped(const char *in, char *out, size_t cap)
{
    metrics_buf b;
    metrics_buf_init(&b);
    metrics_escape_label(&b, in);
    ck_assert(!b.oom);
    snprintf(out, cap, "%s", b.len ? b.s : "");
    metrics_buf_release(&b);
    return out;
}

START_TEST(label_values_are_escaped)
{
    char o[256];
    ck_assert_str_eq(escaped("plain-1.0", o, sizeof(o)), "plain-1.0");
    ck_assert_str_eq(escaped("a\"b", o, sizeof(o)), "a\\\"b");
    ck_assert_str_eq(escaped("a\\b", o, sizeof(o)), "a\\\\b");
    ck_assert_str_eq(escaped("a\nb", o, sizeof(o)), "a\\nb");
    ck_assert_str_eq(escaped("\\\"\n", o, sizeof(o)), "\\\\\\\"\\n");
    ck_assert_str_eq(escaped("", o, sizeof(o)), "");
    ck_assert_str_eq(escaped(NULL, o, sizeof(o)), "");
    /* Tabs and other bytes pass as they are: only \ " and newline are special. */
    ck_assert_str_eq(escaped("a\tb{c}=d,", o, sizeof(o)), "a\tb{c}=d,");
}
END_TEST

START_TEST(label_values_stay_utf8)
{
    char o[256];
    ck_assert_str_eq(escaped("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", o, sizeof(o)),
                     "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"); /* valid: unchanged */
    ck_assert_str_eq(escaped("a\xFF"
                             "b",
                             o, sizeof(o)),
                     "a\xEF\xBF\xBD"
                     "b");
    /* a sequence cut short (a name truncated in the middle of a character) */
    ck_assert_str_eq(escaped("x\xC3", o, sizeof(o)), "x\xEF\xBF\xBD");
    ck_assert_str_eq(escaped("\xE2\x82", o, sizeof(o)), "\xEF\xBF\xBD\xEF\xBF\xBD");
    ck_assert_str_eq(escaped("\xC0\xAF", o, sizeof(o)), "\xEF\xBF\xBD\xEF\xBF\xBD"); /* overlong */
    ck_assert_str_eq(escaped("\xED\xA0\x80", o, sizeof(o)),
                     "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); /* surrogate */
    ck_assert_str_eq(escaped("\xF4\x90\x80\x80", o, sizeof(o)),
                     "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  /* > U+10FFFF */
    ck_assert_str_eq(escaped("\xC3\"", o, sizeof(o)), "\xEF\xBF\xBD\\\""); /* quote not eaten */
}
END_TEST

START_TEST(status_classes)
{
    ck_assert_int_eq(metrics_class_of(200, 0), METRICS_2XX);
    ck_assert_int_eq(metrics_class_of(299, 0), METRICS_2XX);
    ck_assert_int_eq(metrics_class_of(301, 0), METRICS_3XX);
    ck_assert_int_eq(metrics_class_of(304, 0), METRICS_3XX);
    ck_assert_int_eq(metrics_class_of(404, 0), METRICS_4XX);
    ck_assert_int_eq(metrics_class_of(500, 0), METRICS_5XX);
    ck_assert_int_eq(metrics_class_of(599, 0), METRICS_5XX);
    ck_assert_int_eq(metrics_class_of(0, 1), METRICS_ERROR);   /* no response */
    ck_assert_int_eq(metrics_class_of(200, 1), METRICS_ERROR); /* e.g. too_large */
    ck_assert_int_eq(metrics_class_of(0, 0), METRICS_ERROR);
    ck_assert_int_eq(metrics_class_of(100, 0), METRICS_ERROR);
    ck_assert_int_eq(metrics_class_of(600, 0), METRICS_ERROR);
    ck_assert_int_eq(metrics_class_of(-1, 0), METRICS_ERROR);
    ck_assert_str_eq(metrics_class_str(METRICS_2XX), "2xx");
    ck_assert_str_eq(metrics_class_str(METRICS_5XX), "5xx");
    ck_assert_str_eq(metrics_class_str(METRICS_ERROR), "error");
}
END_TEST

/* The value of the sample line that starts with `prefix ` in text; NAN when
 * there is none. */
static double sample(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, prefix, n) == 0 && l[n] == ' ')
            return strtod(l + n + 1, NULL);
    return NAN;
}

START_TEST(histogram_buckets_are_cumulative)
{
    metrics_hist h;
    memset(&h, 0, sizeof(h));
    /* A bound belongs to its own bucket (le = less or equal). */
    double vals[] = {0.0, 0.01, 0.0101, 0.02, 0.3, 0.5, 1.0, 7, 30, 30.5, 1000, -3, NAN};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
        metrics_hist_observe(&h, vals[i]);
    ck_assert_uint_eq(h.count, 13);
    metrics_buf b;
    metrics_buf_init(&b);
    metrics_write_hist(&b, "x_seconds", "Test.", &h);
    ck_assert(!b.oom);
    const char *t = b.s;
    ck_assert_ptr_nonnull(strstr(t, "# HELP x_seconds Test.\n# TYPE x_seconds histogram\n"));
    ck_assert_double_eq(sample(t, "x_seconds_bucket{le=\"0.01\"}"), 4); /* 0, .01, -3, NaN */
    ck_assert_double_eq(sample(t, "x_seconds_bucket{le=\"0.025\"}"), 6);
    ck_assert_double_eq(sample(t, "x_seconds_bucket{le=\"0.05\"}"), 6);
    ck_assert_double_eq(sample(t, "x_seconds_bucket{le=\"0.5\"}"), 8);
    ck_assert_double_eq(sample(t, "x_seconds_bucket{le=\"1\"}"), 9);
    ck_assert_double_eq(sample(t, "x_seconds_bucket{le=\"10\"}"), 10);
    ck_assert_double_eq(sample(t, "x_seconds_bucket{le=\"30\"}"), 11);
    ck_assert_double_eq(sample(t, "x_seconds_bucket{le=\"+Inf\"}"), 13);
    ck_assert_double_eq(sample(t, "x_seconds_count"), 13);
    ck_assert_double_eq_tol(sample(t, "x_seconds_sum"),
                            0.01 + 0.0101 + 0.02 + 0.3 + 0.5 + 1 + 7 + 30 + 30.5 + 1000, 1e-6);
    /* Every bound once, in order, non-decreasing, then +Inf. */
    double prev = -1;
    int n = 0;
    for (const char *l = strstr(t, "x_seconds_bucket"); l; l = strstr(l + 1, "x_seconds_bucket")) {
        double v = strtod(strchr(l, '}') + 2, NULL);
        ck_assert(v >= prev);
        prev = v;
        n++;
    }
    ck_assert_int_eq(n, METRICS_HIST_BOUNDS + 1);
    ck_assert_ptr_nonnull(strstr(t, "x_seconds_bucket{le=\"30\"} 11\n"
                                    "x_seconds_bucket{le=\"+Inf\"} 13\n"
                                    "x_seconds_sum "));
    metrics_buf_release(&b);
}
END_TEST

START_TEST(empty_histogram)
{
    metrics_hist h;
    memset(&h, 0, sizeof(h));
    metrics_buf b;
    metrics_buf_init(&b);
    metrics_write_hist(&b, "e", "Empty.", &h);
    ck_assert_double_eq(sample(b.s, "e_bucket{le=\"+Inf\"}"), 0);
    ck_assert_double_eq(sample(b.s, "e_count"), 0);
    ck_assert_double_eq(sample(b.s, "e_sum"), 0);
    metrics_buf_release(&b);
}
END_TEST

START_TEST(buffer_grows_and_releases)
{
    size_t base = alloc_live_bytes();
    metrics_buf b;
    metrics_buf_init(&b);
    char big[3000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    for (int i = 0; i < 20; i++) /* past the 512-byte scratch and the first 8 KiB */
        metrics_buf_printf(&b, "%d:%s\n", i, big);
    ck_assert(!b.oom);
    ck_assert_uint_eq(b.len, 20 * (sizeof(big) - 1 + 2) + 30); /* "0:".."19:" */
    ck_assert_uint_eq(strlen(b.s), b.len);
    ck_assert_int_eq(strncmp(b.s + b.len - 3003, "19:x", 4), 0);
    metrics_buf_release(&b);
    ck_assert_uint_eq(alloc_live_bytes(), base);
    ck_assert_ptr_null(b.s);
}
END_TEST

/* ---- a whole exposition from hand-built structures ---- */

typedef struct fake {
    uv_loop_t loop;
    crawld_config cfg;
    pool p;
    jobs j;
    pool_slot slots[3];
    worker w0, w1;
    jobs_page task;
    pool_task flight[1];
    job jb1, jb2;
} fake;

static void fake_init(fake *f)
{
    memset(f, 0, sizeof(*f));
    ck_assert_int_eq(uv_loop_init(&f->loop), 0);
    f->p.loop = &f->loop;
    f->p.cfg = &f->cfg;
    f->p.nslots = 3;
    f->p.slots = f->slots;
    f->p.spawned = 7;
    f->p.start_failures_total = 2;
    f->p.recycles[RECYCLE_MANUAL] = 3;
    f->p.recycles[RECYCLE_RSS_HARD] = 1;
    f->p.quarantined = 1;
    f->p.pages_done = 42;
    metrics_hist_observe(&f->p.page_hist, 0.2);
    metrics_hist_observe(&f->p.page_hist, 3);
    f->w0.state = WORKER_BUSY;
    f->w0.pid = 1234;
    f->w0.rss_kb = 2048;
    f->w0.pages = 40;
    f->w0.max_pages = 100;
    f->w0.js_heap_kb = 512;
    f->w0.arena_retained_kb = -1;
    f->flight[0] = (pool_task){.pg = &f->task, .id = 1, .parsing = 1};
    f->flight[0].sent_ms = f->flight[0].start_ms = uv_now(&f->loop);
    f->w0.flight = f->flight;
    f->w0.nflight = 1;
    f->w0.flight_cap = 1;
    f->w0.slots = 1;
    f->w1.state = WORKER_IDLE;
    f->w1.pid = 1235;
    f->w1.rss_kb = 1024;
    f->w1.pages = 2;
    f->w1.js_heap_kb = -1;
    f->w1.arena_retained_kb = 256;
    f->slots[0].w = &f->w0;
    f->slots[1].w = &f->w1;
    f->slots[2].start_failures = 2; /* empty: in backoff */
    f->jb1.id = 1;
    f->jb1.state = JOB_DONE;
    f->jb1.pages_class[METRICS_2XX] = 5;
    f->jb1.pages_class[METRICS_ERROR] = 1;
    f->jb2.id = 2;
    f->jb2.state = JOB_RUNNING;
    snprintf(f->jb2.name, sizeof(f->jb2.name), "say \"hi\"\\\n");
    f->jb2.pending = 9;
    f->jb2.in_flight = 1;
    f->jb2.done = 3;
    f->jb2.pages_class[METRICS_4XX] = 3;
    f->jb2.next = &f->jb1;
    f->j.list = &f->jb2;
    f->j.pending = 9;
    f->j.in_flight = 1;
    f->j.done = 8;
    f->j.failed = 1;
    f->j.bytes_fetched = 123456;
    f->j.js_s = 1.5;
    f->j.robots_fetches = 2;
    f->j.retries[2] = 3; /* "503" */
    f->j.retries[4] = 1; /* "connection" */
    f->j.retries_gave_up = 1;
    f->j.pol.backing_off = 1;
}

static const exposition_daemon fake_daemon = {.version = "0.1.0",
                                              .start_time_s = 1700000000.5,
                                              .uptime_s = 12.25,
                                              .rss_kb = 4096,
                                              .workers_configured = 3,
                                              .control_clients = 1,
                                              .control_accepted = 5};

/* The format's rules, line by line: each family's HELP then TYPE once,
 * its samples right after it, names and label syntax sane, counters named
 * _total. Returns the number of sample lines. */
static int check_exposition(const char *t)
{
    char fam[128] = "", type[16] = "";
    char seen[4096] = " ";
    int samples = 0;
    for (const char *l = t; *l;) {
        const char *e = strchr(l, '\n');
        ck_assert_msg(e != NULL, "every line ends with a newline");
        char line[1024];
        size_t n = (size_t)(e - l);
        ck_assert_uint_lt(n, sizeof(line));
        memcpy(line, l, n);
        line[n] = '\0';
        l = e + 1;
        if (strncmp(line, "# HELP ", 7) == 0) {
            ck_assert_int_eq(sscanf(line + 7, "%127s", fam), 1);
            char key[140];
            snprintf(key, sizeof(key), " %s ", fam);
            ck_assert_msg(!strstr(seen, key), "family %s declared twice", fam);
            strncat(seen, key + 1, sizeof(seen) - strlen(seen) - 1);
            ck_assert_msg(strncmp(e + 1, "# TYPE ", 7) == 0, "TYPE after HELP of %s", fam);
            type[0] = '\0';
            continue;
        }
        if (strncmp(line, "# TYPE ", 7) == 0) {
            char name[128];
            ck_assert_int_eq(sscanf(line + 7, "%127s %15s", name, type), 2);
            ck_assert_str_eq(name, fam);
            ck_assert(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0 ||
                      strcmp(type, "histogram") == 0);
            if (strcmp(type, "counter") == 0)
                ck_assert_msg(strlen(fam) > 6 && strcmp(fam + strlen(fam) - 6, "_total") == 0,
                              "counter %s ends in _total", fam);
            continue;
        }
        ck_assert_msg(line[0] != '#' && line[0], "unexpected line \"%s\"", line);
        samples++;
        size_t nl = strcspn(line, "{ ");
        char name[128];
        ck_assert_uint_lt(nl, sizeof(name));
        memcpy(name, line, nl);
        name[nl] = '\0';
        int ok = strcmp(name, fam) == 0;
        if (strcmp(type, "histogram") == 0 && strncmp(name, fam, strlen(fam)) == 0) {
            const char *suf = name + strlen(fam);
            ok = !strcmp(suf, "_bucket") || !strcmp(suf, "_sum") || !strcmp(suf, "_count");
        }
        ck_assert_msg(ok, "sample %s outside its family %s", name, fam);
        for (const char *c = name; *c; c++)
            ck_assert(*c == '_' || *c == ':' || (*c >= 'a' && *c <= 'z') ||
                      (*c >= 'A' && *c <= 'Z') || (c > name && *c >= '0' && *c <= '9'));
        const char *v = line + nl;
        if (*v == '{') { /* labels: name="value" pairs, value with only \\ \" \n escapes */
            v++;
            while (*v != '}') {
                while ((*v >= 'a' && *v <= 'z') || *v == '_')
                    v++;
                ck_assert_msg(v[0] == '=' && v[1] == '"', "label syntax in \"%s\"", line);
                v += 2;
                while (*v != '"') {
                    ck_assert_msg(*v, "unterminated label value in \"%s\"", line);
                    if (*v == '\\') {
                        v++;
                        ck_assert(*v == '\\' || *v == '"' || *v == 'n');
                    }
                    v++;
                }
                v++;
                if (*v == ',')
                    v++;
            }
            v++;
        }
        ck_assert_msg(*v == ' ', "one space before the value in \"%s\"", line);
        char *end;
        double d = strtod(v + 1, &end);
        ck_assert_msg(*end == '\0' && end > v + 1, "a number ends the line \"%s\"", line);
        (void)d;
    }
    return samples;
}

START_TEST(whole_exposition)
{
    size_t base = alloc_live_bytes();
    static fake f;
    fake_init(&f);
    metrics_buf b;
    metrics_buf_init(&b);
    ck_assert_int_eq(exposition_render(&b, &fake_daemon, &f.p, &f.j), 0);
    const char *t = b.s;
    ck_assert_int_gt(check_exposition(t), 80);
    ck_assert_double_eq(sample(t, "crawld_up"), 1);
    ck_assert_double_eq(sample(t, "crawld_start_time_seconds"), 1700000000.5);
    ck_assert_double_eq(sample(t, "crawld_uptime_seconds"), 12.25);
    ck_assert_double_eq(sample(t, "crawld_rss_bytes"), 4096.0 * 1024);
    ck_assert_double_eq(sample(t, "crawld_build_info{version=\"0.1.0\"}"), 1);
    ck_assert_double_eq(sample(t, "crawld_worker_spawns_total"), 7);
    ck_assert_double_eq(sample(t, "crawld_worker_start_failures_total"), 2);
    ck_assert_double_eq(sample(t, "crawld_recycles_total{reason=\"manual\"}"), 3);
    ck_assert_double_eq(sample(t, "crawld_recycles_total{reason=\"rss_hard\"}"), 1);
    ck_assert_double_eq(sample(t, "crawld_recycles_total{reason=\"reload\"}"), 0);
    ck_assert(isnan(sample(t, "crawld_recycles_total{reason=\"shutdown\"}")));
    ck_assert(isnan(sample(t, "crawld_recycles_total{reason=\"none\"}")));
    ck_assert_double_eq(sample(t, "crawld_workers{state=\"busy\"}"), 1);
    ck_assert_double_eq(sample(t, "crawld_workers{state=\"idle\"}"), 1);
    ck_assert_double_eq(sample(t, "crawld_workers_rss_bytes"), 3072.0 * 1024);
    /* per worker: one state at 1; the empty slot is in backoff */
    ck_assert_double_eq(sample(t, "crawld_worker_state{worker=\"0\",state=\"busy\"}"), 1);
    ck_assert_double_eq(sample(t, "crawld_worker_state{worker=\"0\",state=\"idle\"}"), 0);
    ck_assert_double_eq(sample(t, "crawld_worker_state{worker=\"1\",state=\"idle\"}"), 1);
    ck_assert_double_eq(sample(t, "crawld_worker_state{worker=\"2\",state=\"backoff\"}"), 1);
    ck_assert_double_eq(sample(t, "crawld_worker_state{worker=\"2\",state=\"idle\"}"), 0);
    ck_assert_double_eq(sample(t, "crawld_worker_rss_bytes{worker=\"0\",pid=\"1234\"}"),
                        2048.0 * 1024);
    ck_assert_double_eq(sample(t, "crawld_worker_rss_bytes{worker=\"1\",pid=\"1235\"}"),
                        1024.0 * 1024);
    ck_assert(!strstr(t, "crawld_worker_rss_bytes{worker=\"2\""));
    ck_assert_double_eq(sample(t, "crawld_worker_pages_total{worker=\"0\"}"), 40);
    ck_assert_double_eq(sample(t, "crawld_worker_js_heap_bytes{worker=\"0\"}"), 512.0 * 1024);
    ck_assert(!strstr(t, "crawld_worker_js_heap_bytes{worker=\"1\"")); /* unknown: absent */
    ck_assert_double_eq(sample(t, "crawld_worker_arena_retained_bytes{worker=\"1\"}"),
                        256.0 * 1024);
    ck_assert_double_eq(sample(t, "crawld_worker_start_failures{worker=\"2\"}"), 2);
    ck_assert_double_eq(sample(t, "crawld_worker_page_seconds{worker=\"1\"}"), 0);
    /* queue and jobs */
    ck_assert_double_eq(sample(t, "crawld_queue_pending"), 9);
    ck_assert_double_eq(sample(t, "crawld_queue_in_flight"), 1);
    ck_assert_double_eq(sample(t, "crawld_queue_quarantined"), 1);
    ck_assert_double_eq(sample(t, "crawld_jobs{state=\"running\"}"), 1);
    ck_assert_double_eq(sample(t, "crawld_jobs{state=\"done\"}"), 1);
    ck_assert_double_eq(sample(t, "crawld_jobs{state=\"failed\"}"), 0);
    ck_assert_double_eq(sample(t, "crawld_job_pages{job=\"2\",state=\"pending\"}"), 9);
    ck_assert(!strstr(t, "crawld_job_pages{job=\"1\"")); /* ended jobs: no progress gauges */
    ck_assert_double_eq(
        sample(t, "crawld_job_info{job=\"2\",name=\"say \\\"hi\\\"\\\\\\n\",state=\"running\"}"),
        1);
    ck_assert_double_eq(sample(t, "crawld_pages_total{job=\"1\",class=\"2xx\"}"), 5);
    ck_assert_double_eq(sample(t, "crawld_pages_total{job=\"1\",class=\"error\"}"), 1);
    ck_assert_double_eq(sample(t, "crawld_pages_total{job=\"1\",class=\"4xx\"}"), 0);
    ck_assert_double_eq(sample(t, "crawld_pages_total{job=\"2\",class=\"4xx\"}"), 3);
    ck_assert_double_eq(sample(t, "crawld_bytes_fetched_total"), 123456);
    ck_assert_double_eq(sample(t, "crawld_js_seconds_total"), 1.5);
    ck_assert_double_eq(sample(t, "crawld_robots_fetches_total"), 2);
    ck_assert_double_eq(sample(t, "crawld_page_duration_seconds_count"), 2);
    ck_assert_double_eq(sample(t, "crawld_page_duration_seconds_bucket{le=\"0.25\"}"), 1);
    ck_assert_double_eq(sample(t, "crawld_page_duration_seconds_bucket{le=\"5\"}"), 2);
    ck_assert_double_eq_tol(sample(t, "crawld_page_duration_seconds_sum"), 3.2, 1e-9);
    ck_assert_double_eq(sample(t, "crawld_page_js_seconds_count"), 0);
    metrics_buf_release(&b);
    ck_assert_uint_eq(alloc_live_bytes(), base);
    ck_assert_int_eq(uv_loop_close(&f.loop), 0);
}
END_TEST

START_TEST(no_jobs_no_workers)
{
    static fake f;
    fake_init(&f);
    f.j.list = NULL;
    f.p.nslots = 0;
    f.p.stopping = 1;
    metrics_buf b;
    metrics_buf_init(&b);
    ck_assert_int_eq(exposition_render(&b, &fake_daemon, &f.p, &f.j), 0);
    check_exposition(b.s);
    ck_assert_ptr_nonnull(strstr(b.s, "# TYPE crawld_pages_total counter\n"));
    ck_assert(!strstr(b.s, "crawld_pages_total{"));
    ck_assert_double_eq(sample(b.s, "crawld_jobs{state=\"running\"}"), 0);
    metrics_buf_release(&b);
    ck_assert_int_eq(uv_loop_close(&f.loop), 0);
}
END_TEST

START_TEST(stopped_slot)
{
    static fake f;
    fake_init(&f);
    f.p.stopping = 1;
    metrics_buf b;
    metrics_buf_init(&b);
    ck_assert_int_eq(exposition_render(&b, &fake_daemon, &f.p, &f.j), 0);
    ck_assert_double_eq(sample(b.s, "crawld_worker_state{worker=\"2\",state=\"stopped\"}"), 1);
    ck_assert_double_eq(sample(b.s, "crawld_worker_state{worker=\"2\",state=\"backoff\"}"), 0);
    metrics_buf_release(&b);
    ck_assert_int_eq(uv_loop_close(&f.loop), 0);
}
END_TEST

START_TEST(out_of_memory_is_reported)
{
    size_t base = alloc_live_bytes();
    static fake f;
    fake_init(&f);
    for (long n = 1; n <= 4; n++) {
        metrics_buf b;
        metrics_buf_init(&b);
        alloc_fail_after(n);
        int rc = exposition_render(&b, &fake_daemon, &f.p, &f.j);
        alloc_fail_reset();
        if (rc == 0) { /* enough room before the failure point */
            check_exposition(b.s);
        } else {
            ck_assert(b.oom);
        }
        metrics_buf_release(&b);
        ck_assert_uint_eq(alloc_live_bytes(), base);
    }
    metrics_buf b;
    metrics_buf_init(&b);
    alloc_fail_after(1);
    ck_assert_int_eq(exposition_render(&b, &fake_daemon, &f.p, &f.j), -1);
    alloc_fail_reset();
    metrics_buf_release(&b);
    ck_assert_uint_eq(alloc_live_bytes(), base);
    ck_assert_int_eq(uv_loop_close(&f.loop), 0);
}
END_TEST

/* ---- the exact text, against a sample taken from the renderer ---- */

/* t with the value of crawld_alloc_live_bytes (which depends on what the
 * test process allocated before) replaced by X, into out. */
static void mask_alloc_live(const char *t, char *out, size_t cap)
{
    const char *key = "\ncrawld_alloc_live_bytes ";
    const char *at = strstr(t, key);
    ck_assert_ptr_nonnull(at);
    at += strlen(key);
    size_t head = (size_t)(at - t);
    const char *tail = strchr(at, '\n');
    ck_assert_ptr_nonnull(tail);
    ck_assert_uint_lt(head + 1 + strlen(tail), cap);
    memcpy(out, t, head);
    snprintf(out + head, cap - head, "X%s", tail);
}

/* Compares the exposition of f with tests/fixtures/metrics/NAME line by
 * line, naming the first line that differs. */
static void same_as_sample(fake *f, const exposition_daemon *d, const char *name)
{
    char path[4096];
    const char *src = testutil_src_dir();
    ck_assert_ptr_nonnull(src);
    snprintf(path, sizeof(path), "%s/tests/fixtures/metrics/%s", src, name);
    static char want[65536], got[65536];
    FILE *fp = fopen(path, "r");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    size_t n = fread(want, 1, sizeof(want) - 1, fp);
    ck_assert(feof(fp));
    fclose(fp);
    want[n] = '\0';
    metrics_buf b;
    metrics_buf_init(&b);
    ck_assert_int_eq(exposition_render(&b, d, &f->p, &f->j), 0);
    mask_alloc_live(b.s, got, sizeof(got));
    metrics_buf_release(&b);
    int line = 1;
    const char *w = want, *g = got, *start = got;
    for (; *w && *w == *g; w++, g++)
        if (*w == '\n') {
            line++;
            start = g + 1;
        }
    ck_assert_msg(*w == *g, "%s line %d differs: got \"%.*s\"", name, line,
                  (int)strcspn(start, "\n"), start);
}

START_TEST(exposition_matches_sample)
{
    static fake f;
    fake_init(&f);
    same_as_sample(&f, &fake_daemon, "exposition.txt");
    /* draining: the empty slot is stopped, not in backoff; other states,
     * recycle reasons, job states, sums and a label to repair */
    exposition_daemon d = fake_daemon;
    d.draining = 1;
    d.rss_kb = -1;
    d.control_refused = 4;
    f.p.stopping = 1;
    f.p.recycles[RECYCLE_RSS] = 6;
    f.p.recycles[RECYCLE_RELOAD] = 1;
    f.w0.state = WORKER_RETIRING;
    f.w0.nflight = 0;
    f.w1.state = WORKER_STARTING;
    f.w1.rss_kb = 0;
    f.jb1.state = JOB_CANCELLED;
    f.jb2.state = JOB_PAUSED;
    f.jb2.failed = 2;
    snprintf(f.jb2.name, sizeof(f.jb2.name), "bad \xff utf-8 \xe2\x82\xac");
    f.j.fetch_s = 2.75;
    f.j.parse_s = 0.125;
    metrics_hist_observe(&f.j.js_hist, 0.05);
    metrics_hist_observe(&f.j.js_hist, 40);
    same_as_sample(&f, &d, "exposition_draining.txt");
    ck_assert_int_eq(uv_loop_close(&f.loop), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("metrics");
    tcase_add_test(tc, label_values_are_escaped);
    tcase_add_test(tc, label_values_stay_utf8);
    tcase_add_test(tc, status_classes);
    tcase_add_test(tc, histogram_buckets_are_cumulative);
    tcase_add_test(tc, empty_histogram);
    tcase_add_test(tc, buffer_grows_and_releases);
    tcase_add_test(tc, whole_exposition);
    tcase_add_test(tc, no_jobs_no_workers);
    tcase_add_test(tc, stopped_slot);
    tcase_add_test(tc, out_of_memory_is_reported);
    tcase_add_test(tc, exposition_matches_sample);
    suite_add_tcase(s, tc);
    return testutil_run(s);
}
