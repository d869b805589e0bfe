/* Check suite: the scheduler and its results (daemon/sched.c,
 * results.c, batch.c) against a model. A seeded random walk
 * takes pages (jobs_next, rows it parks settled by jobs_settle as the loop
 * does), finishes them (jobs_page_done), fails them as a
 * killed worker would (jobs_page_failed: requeue, or quarantine at the last
 * attempt), hands queued ones back (jobs_page_unstarted), pauses and resumes
 * the job and commits the batch, in any order, on a generated site of
 * several hosts with ?ref= variants. The model checks at every step that no
 * row is handed out while it is out or after it has its record, and at the
 * end that every page a breadth-first walk of the site reaches has exactly
 * one record in pages.jsonl, and that the counters add up. It runs over
 * per_host_concurrency 1 and 4, one host and three, and several seeds; and
 * with robots.txt obeyed, where each host's file (fetched once, through
 * the same random hand-backs) keeps some of its pages out. */
#include "alloc.h"
#include "config.h"
#include "jobs.h"
#include "log.h"
#include "store.h"

#include <check.h>
#include <jansson.h>
#include <uv.h>

#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#define PAGES_PER_HOST 200
#define MAX_HOSTS 3
#define MAX_URLS (MAX_HOSTS * PAGES_PER_HOST * 4)
#define MAX_OUT 64

/* The site: page N of host K links to pages 2N+1 and 2N+2 of its host, to
 * page N of the next host, and to a ?ref= variant of page (7N+3) mod M;
 * variants link nowhere. Every URL is its normal form already. */
static int nhosts;

static void url_of(char *buf, size_t cap, int host, int page, int ref)
{
    if (ref)
        snprintf(buf, cap, "http://h%d.example/p%d?ref=%d", host, page, ref);
    else
        snprintf(buf, cap, "http://h%d.example/p%d", host, page);
}

/* Parses a site URL; 0, or -1 when it is none of the site's. */
static int url_parse(const char *u, int *host, int *page, int *ref)
{
    *ref = 0;
    int n = 0;
    if (sscanf(u, "http://h%d.example/p%d%n", host, page, &n) != 2)
        return -1;
    if (u[n] == '?' && sscanf(u + n, "?ref=%d", ref) != 1)
        return -1;
    return 0;
}

/* The links of u, newline-terminated, into buf; their count. */
static int links_of(const char *u, char *buf, size_t cap)
{
    int host, page, ref;
    buf[0] = '\0';
    if (url_parse(u, &host, &page, &ref) < 0 || ref)
        return 0;
    char l[128];
    size_t len = 0;
    int n = 0;
    int kids[2] = {2 * page + 1, 2 * page + 2};
    for (int i = 0; i < 2; i++)
        if (kids[i] < PAGES_PER_HOST) {
            url_of(l, sizeof(l), host, kids[i], 0);
            len += (size_t)snprintf(buf + len, cap - len, "%s\n", l);
            n++;
        }
    if (nhosts > 1) {
        url_of(l, sizeof(l), (host + 1) % nhosts, page, 0);
        len += (size_t)snprintf(buf + len, cap - len, "%s\n", l);
        n++;
    }
    url_of(l, sizeof(l), host, (7 * page + 3) % PAGES_PER_HOST, 1 + page % 3);
    len += (size_t)snprintf(buf + len, cap - len, "%s\n", l);
    return n + 1;
}

/* robots.txt of each host when the walk obeys it: host 0 disallows the
 * paths under /p1, host 1 its ?ref=2 variants, host 2 cannot be read (503)
 * so all of it is disallowed. Kept apart from robots.c's matcher on
 * purpose: the model says which pages, the scheduler must agree. */
static int robots_on;
static const struct {
    int status;
    const char *body; /* the result's body section (wire.h) */
} ROBOTS_REPLY[MAX_HOSTS] = {
    {200, "User-agent: *\nDisallow: /p1\n"},
    {200, "User-agent: *\nDisallow: /*?ref=2\n"},
    {503, ""},
};

/* The record error a disallowed URL must have, or NULL when u may be crawled. */
static const char *disallowed_why(const char *u)
{
    int host, page, ref;
    if (!robots_on || url_parse(u, &host, &page, &ref) < 0)
        return NULL;
    const char *path = strchr(u + strlen("http://"), '/');
    if (host == 0 && strncmp(path, "/p1", 3) == 0)
        return "robots: disallowed";
    if (host == 1 && ref == 2)
        return "robots: disallowed";
    if (host == 2)
        return "robots: disallowed (robots.txt unreadable: status 503)";
    return NULL;
}

/* Robots tasks of each host out now, and whether its rules are known. */
static int robots_out[MAX_HOSTS], robots_known[MAX_HOSTS];

/* The model: URLs reached so far, each with its record count. */
static char *urls[MAX_URLS];
static int records[MAX_URLS], quarantined[MAX_URLS];
static int nurls;
/* Records of the open batch (url indexes): a failed commit takes them back. */
static int uncommitted[MAX_URLS * 4];
static int nuncommitted;

static int url_index(const char *u, int add)
{
    for (int i = 0; i < nurls; i++)
        if (strcmp(urls[i], u) == 0)
            return i;
    if (!add)
        return -1;
    ck_assert_int_lt(nurls, MAX_URLS);
    urls[nurls] = strdup(u);
    records[nurls] = 0;
    quarantined[nurls] = 0;
    return nurls++;
}

static void model_reset(void)
{
    for (int i = 0; i < nurls; i++)
        free(urls[i]);
    nurls = 0;
    nuncommitted = 0;
}

/* Breadth-first from the seeds: every URL the site reaches. A quarantined
 * or robots-disallowed page has a record but no links: the walk does not
 * go through it. */
static int reachable(char seen[][64])
{
    int n = 0;
    for (int h = 0; h < nhosts; h++)
        url_of(seen[n++], 64, h, 0, 0);
    for (int i = 0; i < n; i++) {
        char buf[1024];
        int k = url_index(seen[i], 0);
        if ((k >= 0 && quarantined[k]) || disallowed_why(seen[i]))
            continue;
        links_of(seen[i], buf, sizeof(buf));
        for (char *l = buf, *nl; (nl = strchr(l, '\n')); l = nl + 1) {
            *nl = '\0';
            int dup = 0;
            for (int k = 0; k < n && !dup; k++)
                dup = strcmp(seen[k], l) == 0;
            if (!dup)
                snprintf(seen[n++], 64, "%.63s", l);
        }
    }
    return n;
}

static unsigned long rng;
static unsigned rnd(unsigned n)
{
    rng = rng * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned)((rng >> 33) % n);
}

typedef struct run {
    char dir[64];
    crawld_config cfg;
    uv_loop_t loop;
    jobs j;
    job *jb;
    jobs_page *out[MAX_OUT];
    int nout;
    int max_attempts;
    long quarantined;
    int aborts; /* batches rolled back by an injected write error */
} run;

static void run_start_opts(run *r, int per_host, int hosts, int js, int robots);
static void run_start(run *r, int per_host, int hosts) { run_start_opts(r, per_host, hosts, 0, 0); }
static void run_start_js(run *r, int per_host, int hosts, int js)
{
    run_start_opts(r, per_host, hosts, js, 0);
}

static void run_start_opts(run *r, int per_host, int hosts, int js, int robots)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->dir, sizeof(r->dir), "/tmp/test_sched.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(r->dir));
    config_defaults(&r->cfg);
    snprintf(r->cfg.state_dir, sizeof(r->cfg.state_dir), "%s", r->dir);
    snprintf(r->cfg.output_dir, sizeof(r->cfg.output_dir), "%s", r->dir);
    r->cfg.per_host_concurrency = per_host;
    r->cfg.delay_ms = 0;
    r->cfg.obey_robots = 0;
    /* The model's 503 robots.txt is final at once: the walk runs on no
     * clock, so a retry's wait would never end (retries of a refused
     * robots.txt: test_backoff and the crawl_robots script). */
    r->cfg.max_retries = 0;
    r->max_attempts = r->cfg.max_attempts;
    nhosts = hosts;
    robots_on = robots;
    memset(robots_out, 0, sizeof(robots_out));
    memset(robots_known, 0, sizeof(robots_known));
    ck_assert_int_eq(uv_loop_init(&r->loop), 0);
    char err[256];
    ck_assert_msg(jobs_init(&r->j, &r->loop, &r->cfg, err, sizeof(err)) == 0, "%s", err);
    char seeds[MAX_HOSTS][64];
    const char *sp[MAX_HOSTS];
    for (int h = 0; h < hosts; h++) {
        url_of(seeds[h], sizeof(seeds[h]), h, 0, 0);
        sp[h] = seeds[h];
        url_index(seeds[h], 1);
    }
    jobs_submit_opts o = {.js = js,
                          .depth = 1000,
                          .max_pages = 100000,
                          .delay_ms = 0,
                          .obey_robots = robots,
                          .scope = "host"};
    r->jb = jobs_submit(&r->j, sp, (size_t)hosts, &o, err, sizeof(err));
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
    model_reset();
}

static void take(run *r, int step)
{
    if (r->nout == MAX_OUT)
        return;
    /* As the loop does: the rows a look parked (robots-disallowed) get
     * their records before the next look (jobs_settle), and a look that
     * found nothing but rows to park is made again once they have them. */
    jobs_settle(&r->j);
    jobs_page *p;
    while (!(p = jobs_next(&r->j)) && jobs_settle(&r->j) > 0)
        ;
    if (!p)
        return;
    int host, page, ref;
    ck_assert_msg(url_parse(p->url, &host, &page, &ref) == 0 || p->kind == JOBS_ROBOTS,
                  "step %d: %s is none of the site's", step, p->url);
    if (p->kind == JOBS_ROBOTS) {
        ck_assert_msg(robots_on, "step %d: a robots task with robots off", step);
        ck_assert_int_eq(sscanf(p->url, "http://h%d.example/robots.txt", &host), 1);
        ck_assert_msg(!robots_known[host] && robots_out[host] == 0, "step %d: %s fetched while %s",
                      step, p->url, robots_known[host] ? "known" : "already out");
        robots_out[host]++;
        r->out[r->nout++] = p;
        return;
    }
    ck_assert_int_eq(p->kind, JOBS_PAGE);
    ck_assert_msg(!robots_on || robots_known[host], "step %d: %s before its robots.txt", step,
                  p->url);
    ck_assert_msg(!disallowed_why(p->url), "step %d: %s handed out, robots.txt disallows it", step,
                  p->url);
    for (int i = 0; i < r->nout; i++)
        ck_assert_msg(r->out[i]->kind != JOBS_PAGE || r->out[i]->row_id != p->row_id,
                      "step %d: row %lld (%s) handed out while it is out", step, p->row_id, p->url);
    int k = url_index(p->url, 0);
    ck_assert_msg(k >= 0, "step %d: %s was never linked", step, p->url);
    ck_assert_msg(records[k] == 0, "step %d: %s handed out again after its record", step, p->url);
    r->out[r->nout++] = p;
}

static jobs_page *pick(run *r)
{
    if (!r->nout)
        return NULL;
    unsigned i = rnd((unsigned)r->nout);
    jobs_page *p = r->out[i];
    r->out[i] = r->out[--r->nout];
    return p;
}

/* After an operation: when no batch is open, what it held is committed. */
static void note_commit(run *r)
{
    if (!r->j.tx_open)
        nuncommitted = 0;
}

static void recorded(int k)
{
    records[k]++;
    ck_assert_int_lt(nuncommitted, MAX_URLS * 4);
    uncommitted[nuncommitted++] = k;
}

static int robots_host(const jobs_page *p)
{
    int host = -1;
    ck_assert_int_eq(sscanf(p->url, "http://h%d.example/robots.txt", &host), 1);
    robots_out[host]--;
    return host;
}

static void finish(run *r, jobs_page *p)
{
    if (p->kind == JOBS_ROBOTS) { /* the worker's raw fetch: status and body */
        int host = robots_host(p);
        const char *body = ROBOTS_REPLY[host].body;
        frame_result fr = {.status = ROBOTS_REPLY[host].status,
                           .record = "{}",
                           .record_len = 2,
                           .body = body,
                           .body_len = strlen(body)};
        jobs_page_done(&r->j, p, &fr);
        robots_known[host] = 1;
        note_commit(r);
        return;
    }
    if (p->stale) { /* its row went with a rolled-back batch: dropped */
        frame_result fr = {.status = 200, .record = "{}", .record_len = 2};
        jobs_page_done(&r->j, p, &fr);
        note_commit(r);
        return;
    }
    char links[1024], rec[256];
    int n = links_of(p->url, links, sizeof(links));
    for (char *l = links, *nl; n && (nl = strchr(l, '\n')); l = nl + 1) {
        *nl = '\0';
        url_index(l, 1);
        *nl = '\n';
    }
    int k = url_index(p->url, 0);
    if (!r->jb->held)
        recorded(k);
    snprintf(rec, sizeof(rec), "{\"url\":\"%s\",\"status\":200}", p->url);
    frame_result fr = {.status = 200,
                       .record = rec,
                       .record_len = strlen(rec),
                       .links = links,
                       .links_len = strlen(links)};
    jobs_page_done(&r->j, p, &fr);
    note_commit(r);
}

static void crash(run *r, jobs_page *p)
{
    if (p->kind == JOBS_ROBOTS) { /* asked for again (max_attempts is for pages here) */
        robots_host(p);
        jobs_page_failed(&r->j, p, "worker crashed (signal 9)", 1000, 0);
        return;
    }
    int k = url_index(p->url, 0), stale = p->stale, held = r->jb->held;
    if (jobs_page_failed(&r->j, p, "worker crashed (signal 9)", r->max_attempts, 0) && !stale &&
        !held) {
        recorded(k);
        quarantined[k] = 1;
        r->quarantined++;
    }
    note_commit(r);
}

/* The job's pages.jsonl refuses the open batch (ENOSPC, as /dev/full): the
 * batch rolls back, its records are taken back and the job is held; the
 * user's resume lets it go on (the file takes writes again). */
static void write_error(run *r)
{
    if (!r->j.tx_open || r->jb->out_fd < 0)
        return;
    int fd = r->jb->out_fd, saved = dup(fd), full = open("/dev/full", O_WRONLY);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(full, 0);
    ck_assert_int_eq(dup2(full, fd), fd);
    ck_assert_int_eq(jobs_flush(&r->j), -1);
    ck_assert_int_eq(dup2(saved, fd), fd);
    close(saved);
    close(full);
    ck_assert_int_eq(r->jb->held, 1);
    for (int i = 0; i < nuncommitted; i++) {
        int k = uncommitted[i];
        records[k]--;
        if (quarantined[k]) {
            quarantined[k] = 0;
            r->quarantined--;
        }
    }
    nuncommitted = 0;
    r->aborts++;
    ck_assert_int_eq(jobs_pause(&r->j, r->jb, 0), 0);
}

/* One step of the walk: mostly takes and finishes, some failures and
 * hand-backs, now and then a commit or a pause and resume. */
static void step(run *r, int s)
{
    unsigned c = rnd(100);
    if (c < 45)
        take(r, s);
    else if (c < 80) {
        jobs_page *p = pick(r);
        if (p)
            finish(r, p);
    } else if (c < 90) {
        jobs_page *p = pick(r);
        if (p)
            crash(r, p);
    } else if (c < 96) {
        jobs_page *p = pick(r);
        if (p && p->kind == JOBS_ROBOTS)
            robots_host(p);
        if (p)
            jobs_page_unstarted(&r->j, p);
    } else if (c < 97) {
        jobs_flush(&r->j);
        note_commit(r);
    } else if (c < 98)
        write_error(r);
    else if (r->jb->state == JOB_RUNNING) {
        ck_assert_int_eq(jobs_pause(&r->j, r->jb, 1), 0);
        note_commit(r);
        ck_assert_int_eq(jobs_pause(&r->j, r->jb, 0), 0);
    }
}

/* Reads pages.jsonl: each site URL's record count into counts. */
static int read_records(run *r, char seen[][64], int nseen, int *counts)
{
    FILE *f = fopen(r->jb->out_path, "r");
    ck_assert_ptr_nonnull(f);
    char line[4096]; /* a record of a page never fetched is ~600 bytes */
    int lines = 0;
    while (fgets(line, sizeof(line), f)) {
        json_error_t e;
        json_t *o = json_loads(line, 0, &e);
        ck_assert_msg(o != NULL, "line %d of pages.jsonl: %s", lines + 1, e.text);
        const char *u = json_string_value(json_object_get(o, "url"));
        ck_assert_ptr_nonnull(u);
        int found = 0;
        for (int i = 0; i < nseen && !found; i++)
            if (strcmp(seen[i], u) == 0) {
                counts[i]++;
                found = 1;
            }
        ck_assert_msg(found, "a record for %s, which the site does not reach", u);
        /* A disallowed page's record says so; a crawled page has no error
         * but a quarantine. */
        const char *err = json_string_value(json_object_get(o, "error"));
        const char *why = disallowed_why(u);
        if (why)
            ck_assert_msg(err && strcmp(err, why) == 0, "%s: error \"%s\", want \"%s\"", u,
                          err ? err : "(none)", why);
        else
            ck_assert_msg(!err || strncmp(err, "quarantined: ", 13) == 0,
                          "%s: error \"%s\" on a page robots.txt allows", u, err);
        json_decref(o);
        lines++;
    }
    fclose(f);
    return lines;
}

static void walk_robots(int per_host, int hosts, unsigned long seed, int steps, int robots)
{
    run r;
    run_start_opts(&r, per_host, hosts, 0, robots);
    rng = seed;
    for (int s = 0; s < steps; s++)
        step(&r, s);
    /* Drain: everything out finishes, everything left is taken and finished. */
    for (int guard = 0; guard < 100000; guard++) {
        take(&r, steps + guard);
        jobs_page *p = pick(&r);
        if (!p)
            break;
        finish(&r, p);
    }
    ck_assert_int_eq(r.nout, 0);
    ck_assert_ptr_null(jobs_next(&r.j));
    jobs_flush(&r.j);
    static char seen[MAX_URLS][64];
    int nseen = reachable(seen);
    int counts[MAX_URLS] = {0};
    int lines = read_records(&r, seen, nseen, counts);
    int lost = 0, twice = 0;
    for (int i = 0; i < nseen; i++) {
        if (counts[i] == 0 && lost++ < 5)
            fprintf(stderr, "lost: %s\n", seen[i]);
        if (counts[i] > 1 && twice++ < 5)
            fprintf(stderr, "recorded %d times: %s\n", counts[i], seen[i]);
    }
    if (lost)
        fprintf(stderr, "state %d pending %ld in_flight %ld done %ld failed %ld refused %ld\n",
                r.jb->state, r.jb->pending, r.jb->in_flight, r.jb->done, r.jb->failed, r.j.refused);
    ck_assert_msg(lost == 0 && twice == 0,
                  "per_host_concurrency=%d hosts=%d seed=%lu: %d lost, %d recorded twice of %d",
                  per_host, hosts, seed, lost, twice, nseen);
    ck_assert_int_eq(lines, nseen);
    ck_assert_int_eq(r.jb->state, JOB_DONE);
    ck_assert_int_eq(r.jb->pending, 0);
    ck_assert_int_eq(r.jb->in_flight, 0);
    ck_assert_int_eq(r.jb->done + r.jb->failed, nseen);
    ck_assert_int_eq(r.jb->quarantined, r.quarantined);
    ck_assert_int_eq(r.j.refused, 0);
    ck_assert_msg(r.aborts > 0, "no batch was rolled back: the walk missed that path");
    if (robots) { /* the walk went where robots.txt matters */
        int dis = 0, crawled = 0;
        for (int i = 0; i < nseen; i++) {
            if (disallowed_why(seen[i]))
                dis++;
            else
                crawled++;
        }
        ck_assert_msg(dis >= 10 && crawled >= 10, "robots walk: %d disallowed, %d crawled", dis,
                      crawled);
        for (int h = 0; h < hosts; h++)
            ck_assert_msg(robots_known[h], "robots.txt of h%d never answered", h);
    }
    run_stop(&r);
}

static void walk(int per_host, int hosts, unsigned long seed, int steps)
{
    walk_robots(per_host, hosts, seed, steps, 0);
}

/* Cancel with pages out: the pending rows are dropped, the pages out still
 * get their one record each when they come back (done or failed), and a
 * row is never ended twice. */
START_TEST(cancel_keeps_the_pages_out)
{
    run r;
    run_start(&r, 4, 3);
    rng = 7;
    for (int s = 0; s < 400; s++)
        step(&r, s);
    while (r.nout < 6) {
        int was = r.nout;
        take(&r, 0);
        if (r.nout == was)
            break;
    }
    ck_assert_int_ge(r.nout, 2);
    int out = r.nout;
    long before = r.jb->done + r.jb->failed;
    ck_assert_int_eq(jobs_cancel(&r.j, r.jb), 0);
    ck_assert_int_eq(r.jb->state, JOB_CANCELLED);
    ck_assert_ptr_null(jobs_next(&r.j));
    finish(&r, pick(&r));
    jobs_page_unstarted(&r.j, pick(&r));
    while (r.nout)
        finish(&r, pick(&r));
    ck_assert_int_eq(r.j.refused, 0);
    ck_assert_int_eq(r.jb->in_flight, 0);
    ck_assert_int_eq(r.jb->done + r.jb->failed, before + out - 1);
    /* pages.jsonl: no URL twice. */
    FILE *f = fopen(r.jb->out_path, "r");
    ck_assert_ptr_nonnull(f);
    char line[4096]; /* a record of a page never fetched is ~600 bytes */
    int lines = 0;
    while (fgets(line, sizeof(line), f))
        lines++;
    fclose(f);
    ck_assert_int_eq(lines, before + out - 1);
    for (int i = 0; i < nurls; i++)
        ck_assert_int_le(records[i], 1);
    run_stop(&r);
}
END_TEST

/* The walks: per_host_concurrency 1 and 4, one host and three, seeds 1-4. */
static const struct {
    int per_host, hosts;
} walks[] = {{1, 1}, {4, 1}, {1, 3}, {4, 3}};

START_TEST(walk_configuration)
{
    for (unsigned long seed = 1; seed <= 4; seed++)
        walk(walks[_i].per_host, walks[_i].hosts, seed, 3000);
}
END_TEST

/* robots.txt obeyed: disallowed pages get exactly one record each
 * ("robots: disallowed", with why when the file was unreadable), through
 * rolled-back batches and holds, and are never handed out; the rest are
 * crawled once, none before its host's robots.txt is known. */
START_TEST(robots_disallowed_recorded_once)
{
    for (unsigned long seed = 1; seed <= 3; seed++) {
        walk_robots(1, 3, seed, 3000, 1);
        walk_robots(4, 3, seed, 3000, 1);
    }
}
END_TEST

/* A page whose worker is killed at the hard RSS budget with JS on is tried
 * once more without JS, even past max_attempts; it keeps JS off through a
 * hand-back; a page killed so without JS follows max_attempts as any. */
START_TEST(hard_budget_kill_retries_without_js)
{
    run r;
    run_start_js(&r, 1, 1, 1);
    jobs_page *p = jobs_next(&r.j);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(p->js, 1);
    for (int a = 1; a < r.max_attempts; a++) { /* crashes up to the last attempt */
        ck_assert_int_eq(jobs_page_failed(&r.j, p, "worker crashed (signal 9)", r.max_attempts, 0),
                         0);
        p = jobs_next(&r.j);
        ck_assert_ptr_nonnull(p);
        ck_assert_int_eq(p->js, 1);
    }
    ck_assert_int_eq(p->attempts, r.max_attempts);
    /* The last attempt is killed at the hard budget: once more, without JS. */
    ck_assert_int_eq(jobs_page_failed(&r.j, p, "worker killed (rss_hard)", r.max_attempts, 1), 0);
    p = jobs_next(&r.j);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(p->js, 0);
    ck_assert_int_eq(p->no_js, 1);
    ck_assert_int_eq(p->attempts, r.max_attempts + 1);
    jobs_page_unstarted(&r.j, p);
    p = jobs_next(&r.j);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(p->js, 0);
    ck_assert_int_eq(p->attempts, r.max_attempts + 1);
    /* Killed again without JS: past max_attempts, quarantined. */
    ck_assert_int_eq(jobs_page_failed(&r.j, p, "worker killed (rss_hard)", r.max_attempts, 1), 1);
    ck_assert_int_eq(r.jb->quarantined, 1);
    ck_assert_int_eq(r.jb->state, JOB_DONE);
    run_stop(&r);
}
END_TEST

int main(void)
{
    log_set_level(LOG_OFF);
    Suite *s = suite_create("sched");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, walk_configuration, 0, (int)(sizeof(walks) / sizeof(walks[0])));
    tcase_add_test(tc, cancel_keeps_the_pages_out);
    tcase_add_test(tc, hard_budget_kill_retries_without_js);
    tcase_add_test(tc, robots_disallowed_recorded_once);
    suite_add_tcase(s, tc);
    return testutil_run(s);
}
