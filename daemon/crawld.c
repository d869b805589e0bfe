/* crawld — the supervisor: reads the config, opens the control socket,
 * opens the state database and resumes its jobs (jobs.c, store.c), starts the
 * page workers (pool.c), feeds them the frontier and answers crawlctl
 * (control.c), all on one libuv loop. Signals only
 * start things the loop does: SIGTERM/SIGINT drain and exit 0. */
#include "alloc.h"
#include "config.h"
#include "control.h"
#include "jobs.h"
#include "json_alloc.h"
#include "log.h"
#include "pool.h"
#include "rss.h"
#include "scope.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

typedef struct daemon_ctx {
    uv_loop_t loop;
    crawld_config cfg;
    char config_path[PATH_MAX]; /* "" → built-in defaults */
    char worker_path[PATH_MAX];
    jobs jobs;
    pool pool;
    control ctl;
    uv_signal_t sig_term, sig_int, sig_hup;
    uv_timer_t watchdog;
    uv_timer_t defer; /* runs a stop outside the request that asked for it */
    long defer_grace;
    const char *defer_why;
    int stopping;
    int notify; /* under systemd */
    double started;
    int ready_fd; /* daemonising: tells the parent we are up; -1 otherwise */
    int closes_pending;
} daemon_ctx;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- shutdown ---- */

static void on_handle_closed(uv_handle_t *h)
{
    daemon_ctx *d = h->data;
    d->closes_pending--;
}

static void on_pool_closed(pool *p) { (void)p; }
static void on_control_closed(control *c) { (void)c; }

static void on_pool_stopped(pool *p)
{
    daemon_ctx *d = p->user;
    log_info("crawld", "workers stopped; closing", "pages_done=%ld", p->pages_done);
    pool_close(&d->pool, on_pool_closed);
    jobs_close(&d->jobs);
    control_close(&d->ctl, on_control_closed);
    uv_handle_t *hs[] = {(uv_handle_t *)&d->sig_term, (uv_handle_t *)&d->sig_int,
                         (uv_handle_t *)&d->sig_hup, (uv_handle_t *)&d->watchdog,
                         (uv_handle_t *)&d->defer};
    for (size_t i = 0; i < sizeof(hs) / sizeof(hs[0]); i++) {
        d->closes_pending++;
        uv_close(hs[i], on_handle_closed);
    }
}

static void begin_stop(daemon_ctx *d, long grace_ms, const char *why)
{
    if (d->stopping) {
        log_info("crawld", "already stopping", "why=%s", why);
        return;
    }
    d->stopping = 1;
    log_info("crawld", "stopping", "why=%s grace_ms=%ld in_flight=%ld pending=%ld", why, grace_ms,
             d->jobs.in_flight, d->jobs.pending);
    if (d->notify)
        sd_notify(0, "STOPPING=1");
    pool_stop(&d->pool, grace_ms, on_pool_stopped);
}

static void on_defer(uv_timer_t *t)
{
    daemon_ctx *d = t->data;
    begin_stop(d, d->defer_grace, d->defer_why);
}

static void stop_soon(daemon_ctx *d, long grace_ms, const char *why)
{
    if (d->stopping)
        return;
    d->defer_grace = grace_ms;
    d->defer_why = why;
    uv_timer_start(&d->defer, on_defer, 0, 0);
}

static void on_signal(uv_signal_t *s, int signum)
{
    daemon_ctx *d = s->data;
    if (signum == SIGHUP) {
        log_warn("crawld", "SIGHUP: reload is not supported yet; config unchanged", NULL);
        return;
    }
    stop_soon(d, d->cfg.grace_ms, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void on_watchdog(uv_timer_t *t)
{
    (void)t;
    sd_notify(0, "WATCHDOG=1");
}

/* ---- requests ---- */

static long long req_id(json_t *req, const char *key, int *ok)
{
    json_t *v = json_object_get(req, key);
    *ok = json_is_integer(v) && json_integer_value(v) > 0;
    return *ok ? (long long)json_integer_value(v) : 0;
}

static json_t *status_json(daemon_ctx *d)
{
    jobs *j = &d->jobs;
    long self_kb = rss_self_kb();
    long total_kb = pool_rss_kb_total(&d->pool) + (self_kb > 0 ? self_kb : 0);
    json_t *jl = json_array();
    int n = 0;
    for (job *jb = j->list; jl && jb && n < 50; jb = jb->next, n++) {
        json_t *o = json_pack("{s:I, s:s, s:i, s:i, s:i, s:i}", "id", (json_int_t)jb->id,
                              "state", job_state_str(jb->state), "done", (int)jb->done,
                              "pending", (int)jb->pending, "in_flight", (int)jb->in_flight,
                              "failed", (int)jb->failed);
        if (o)
            json_array_append_new(jl, o);
    }
    json_t *st = json_pack(
        "{s:i, s:s, s:f, s:s, s:{s:i, s:i, s:i, s:i, s:i}, s:f, s:f, s:f, s:o, s:o, s:o, s:i, "
        "s:i, s:{s:i, s:i}}",
        "pid", (int)getpid(), "version", CRAWLD_VERSION, "uptime_s",
        (double)(long long)((now_s() - d->started) * 10) / 10, "state",
        d->stopping ? "draining" : "running", "queue", "pending", (int)j->pending, "in_flight",
        (int)j->in_flight, "done", (int)j->done, "failed", (int)j->failed, "quarantined",
        (int)d->pool.quarantined, "pages_per_s", pool_pages_per_s(&d->pool), "rss_mb_total",
        (double)(total_kb * 10 / 1024) / 10, "rss_mb", (double)(self_kb * 10 / 1024) / 10,
        "recycles", pool_recycles_json(&d->pool), "workers", pool_workers_json(&d->pool), "jobs",
        jl, "workers_configured", d->cfg.workers, "spawned", (int)d->pool.spawned, "control",
        "clients", d->ctl.nclients, "refused", (int)d->ctl.refused);
    return st;
}

static json_t *cmd_submit(daemon_ctx *d, json_t *req)
{
    if (d->stopping)
        return control_error("daemon is draining; not taking jobs");
    json_t *urls = json_object_get(req, "urls");
    if (!json_is_array(urls) || json_array_size(urls) == 0)
        return control_error("submit: \"urls\" must be a non-empty array of strings");
    size_t n = json_array_size(urls);
    const char **list = alloc_zeroed(n * sizeof(char *));
    if (!list)
        return control_error("out of memory");
    json_t *reply = NULL;
    for (size_t i = 0; i < n; i++) {
        list[i] = json_string_value(json_array_get(urls, i));
        if (!list[i]) {
            reply = control_error("submit: urls[%zu] is not a string", i);
            goto out;
        }
    }
    jobs_submit_opts o = {.js = d->cfg.js_default, .depth = 3, .max_pages = 1000,
                         .delay_ms = -1, .obey_robots = -1};
    json_t *v;
    if ((v = json_object_get(req, "js"))) {
        if (!json_is_boolean(v)) {
            reply = control_error("submit: \"js\" must be true or false");
            goto out;
        }
        o.js = json_is_true(v);
    }
    if ((v = json_object_get(req, "depth"))) {
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000) {
            reply = control_error("submit: \"depth\" must be an integer 0..1000");
            goto out;
        }
        o.depth = (int)json_integer_value(v);
    }
    if ((v = json_object_get(req, "max_pages"))) {
        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
            json_integer_value(v) > 100000000) {
            reply = control_error("submit: \"max_pages\" must be an integer 1..100000000");
            goto out;
        }
        o.max_pages = (int)json_integer_value(v);
    }
    if ((v = json_object_get(req, "scope"))) {
        const char *s = json_string_value(v);
        char serr[300];
        if (!s) {
            reply = control_error("submit: \"scope\" must be host, domain, prefix or regex:RE");
            goto out;
        }
        if (scope_spec_check(s, serr, sizeof(serr)) < 0) {
            reply = control_error("submit: %s", serr);
            goto out;
        }
        o.scope = s;
    }
    if ((v = json_object_get(req, "name"))) {
        if (!json_is_string(v)) {
            reply = control_error("submit: \"name\" must be a string");
            goto out;
        }
        o.name = json_string_value(v);
    }
    if ((v = json_object_get(req, "delay_ms"))) {
        if (!json_is_integer(v) || json_integer_value(v) < 0 ||
            json_integer_value(v) > 3600000) {
            reply = control_error("submit: \"delay_ms\" must be an integer 0..3600000");
            goto out;
        }
        o.delay_ms = (int)json_integer_value(v);
    }
    if ((v = json_object_get(req, "obey_robots"))) {
        if (!json_is_boolean(v)) {
            reply = control_error("submit: \"obey_robots\" must be true or false");
            goto out;
        }
        o.obey_robots = json_is_true(v);
    }
    if ((v = json_object_get(req, "output"))) {
        if (!json_is_string(v) || json_string_length(v) == 0) {
            reply = control_error("submit: \"output\" must be a directory name");
            goto out;
        }
        o.output = json_string_value(v);
    }
    if (json_is_true(json_object_get(req, "warc"))) {
        reply = control_error("submit: warc output arrives with issue 7");
        goto out;
    }
    char err[320];
    job *jb = jobs_submit(&d->jobs, list, n, &o, err, sizeof(err));
    if (!jb) {
        reply = control_error("submit: %s", err);
        goto out;
    }
    log_info("crawld", "job submitted", "job=%lld seeds=%ld js=%d scope=\"%s\" depth=%d "
             "max_pages=%d robots=%d delay_ms=%d", jb->id, jb->pending, jb->js, jb->scope_spec,
             jb->depth, jb->max_pages, jb->obey_robots, jb->delay_ms);
    reply = json_pack("{s:b, s:I, s:i, s:s}", "ok", 1, "job", (json_int_t)jb->id, "pages",
                      (int)jb->pending, "output", jb->out_path);
    pool_dispatch(&d->pool);
out:
    alloc_free(list, n * sizeof(char *));
    return reply;
}

static json_t *cmd_metrics(daemon_ctx *d)
{
    char buf[4096];
    int n = 0;
#define M(...) n += snprintf(buf + n, n < (int)sizeof(buf) ? sizeof(buf) - (size_t)n : 0, __VA_ARGS__)
    M("# TYPE crawld_pages_total counter\ncrawld_pages_total %ld\n", d->pool.pages_done);
    M("# TYPE crawld_queue_pages gauge\n");
    M("crawld_queue_pages{state=\"pending\"} %ld\n", d->jobs.pending);
    M("crawld_queue_pages{state=\"in_flight\"} %ld\n", d->jobs.in_flight);
    M("# TYPE crawld_pages_failed_total counter\ncrawld_pages_failed_total %ld\n",
      d->jobs.failed);
    M("# TYPE crawld_quarantined_total counter\ncrawld_quarantined_total %ld\n",
      d->pool.quarantined);
    M("# TYPE crawld_recycles_total counter\n");
    for (int r = RECYCLE_RSS; r < RECYCLE_SHUTDOWN; r++)
        M("crawld_recycles_total{reason=\"%s\"} %ld\n", recycle_reason_str((recycle_reason)r),
          d->pool.recycles[r]);
    M("# TYPE crawld_worker_start_failures_total counter\n"
      "crawld_worker_start_failures_total %ld\n",
      d->pool.start_failures_total);
    M("# TYPE crawld_workers gauge\n");
    for (int s = 0; s < WORKER_STATE_COUNT; s++)
        M("crawld_workers{state=\"%s\"} %d\n", worker_state_str((worker_state)s),
          pool_count_state(&d->pool, (worker_state)s));
    M("# TYPE crawld_rss_bytes gauge\ncrawld_rss_bytes{process=\"supervisor\"} %ld\n"
      "crawld_rss_bytes{process=\"workers\"} %ld\n",
      rss_self_kb() * 1024, pool_rss_kb_total(&d->pool) * 1024);
#undef M
    return json_pack("{s:b, s:s}", "ok", 1, "text", buf);
}

static json_t *handle(void *ud, json_t *req)
{
    daemon_ctx *d = ud;
    const char *cmd = json_string_value(json_object_get(req, "cmd"));
    int ok;
    if (strcmp(cmd, "status") == 0) {
        json_t *st = status_json(d);
        return st ? json_pack("{s:b, s:o}", "ok", 1, "status", st) : NULL;
    }
    if (strcmp(cmd, "submit") == 0)
        return cmd_submit(d, req);
    if (strcmp(cmd, "jobs") == 0) {
        json_t *a = json_array();
        for (job *jb = d->jobs.list; a && jb; jb = jb->next)
            json_array_append_new(a, job_json(jb));
        return a ? json_pack("{s:b, s:o}", "ok", 1, "jobs", a) : NULL;
    }
    if (strcmp(cmd, "job") == 0 || strcmp(cmd, "cancel") == 0 || strcmp(cmd, "pause") == 0 ||
        strcmp(cmd, "resume") == 0) {
        long long id = req_id(req, "id", &ok);
        if (!ok)
            return control_error("%s: \"id\" must be a positive integer", cmd);
        job *jb = jobs_find(&d->jobs, id);
        if (!jb)
            return control_error("%s: no job %lld", cmd, id);
        if (strcmp(cmd, "cancel") == 0) {
            if (jobs_cancel(&d->jobs, jb) < 0)
                return control_error("cancel: job %lld is already %s", id,
                                     job_state_str(jb->state));
            log_info("crawld", "job cancelled", "job=%lld in_flight=%ld", id, jb->in_flight);
        } else if (strcmp(cmd, "pause") == 0 || strcmp(cmd, "resume") == 0) {
            int pause = cmd[0] == 'p';
            if (jobs_pause(&d->jobs, jb, pause) < 0)
                return control_error("%s: job %lld is %s", cmd, id, job_state_str(jb->state));
            if (!pause)
                pool_dispatch(&d->pool);
        }
        json_t *o = job_json(jb);
        return o ? json_pack("{s:b, s:o}", "ok", 1, "job", o) : NULL;
    }
    if (strcmp(cmd, "recycle") == 0) {
        json_t *w = json_object_get(req, "worker");
        int slot = -1;
        if (w && !json_is_null(w)) {
            if (!json_is_integer(w) || json_integer_value(w) < 0)
                return control_error("recycle: \"worker\" must be a worker id (0..%d)",
                                     d->cfg.workers - 1);
            slot = (int)json_integer_value(w);
        }
        int n = pool_recycle(&d->pool, slot);
        if (n < 0)
            return control_error("recycle: no worker %d (ids are 0..%d)", slot,
                                 d->cfg.workers - 1);
        log_info("crawld", "recycle asked", "worker=%d asked=%d", slot, n);
        return json_pack("{s:b, s:i}", "ok", 1, "asked", n);
    }
    if (strcmp(cmd, "drain") == 0 || strcmp(cmd, "shutdown") == 0) {
        int drain = cmd[0] == 'd';
        stop_soon(d, drain ? d->cfg.grace_ms : 0, cmd);
        return json_pack("{s:b, s:s}", "ok", 1, "state", "draining");
    }
    if (strcmp(cmd, "metrics") == 0)
        return cmd_metrics(d);
    if (strcmp(cmd, "reload") == 0)
        return control_error("reload: not yet supported (restart crawld to apply a new config)");
    return control_error("unknown command \"%.60s\"", cmd);
}

static void wake_dispatch(void *ud)
{
    daemon_ctx *d = ud;
    pool_dispatch(&d->pool);
}

/* ---- start ---- */

static void usage(FILE *f)
{
    fprintf(f, "usage: crawld [-c FILE] [--foreground] [--check-config] [--version]\n");
}

static int find_worker(char *out, size_t cap)
{
    const char *env = getenv("CRAWLD_WORKER");
    if (env && *env) {
        snprintf(out, cap, "%s", env);
        return 0;
    }
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return -1;
    self[n] = '\0';
    snprintf(out, cap, "%s/crawld-worker", dirname(self));
    return 0;
}

static int mkdirs(const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(tmp, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* Forks; the parent waits until the child says it is serving (exit 0) or
 * exits (its status), so `crawld` returns once the socket answers. */
static int daemonize(void)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0) {
        close(pfd[1]);
        char c;
        ssize_t r;
        while ((r = read(pfd[0], &c, 1)) < 0 && errno == EINTR)
            ;
        if (r == 1)
            _exit(0);
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
    }
    close(pfd[0]);
    setsid();
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        close(null);
    }
    return pfd[1];
}

int main(int argc, char **argv)
{
    const char *conf = NULL;
    int foreground = 0, check = 0;
    static const struct option opts[] = {{"config", required_argument, 0, 'c'},
                                         {"foreground", no_argument, 0, 'f'},
                                         {"check-config", no_argument, 0, 'k'},
                                         {"version", no_argument, 0, 'V'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "c:fh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': conf = optarg; break;
        case 'f': foreground = 1; break;
        case 'k': check = 1; break;
        case 'V': printf("crawld %s\n", CRAWLD_VERSION); return 0;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "crawld: unexpected argument \"%s\"\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    json_alloc_install();
    static daemon_ctx dctx;
    daemon_ctx *d = &dctx;
    d->ready_fd = -1;
    char err[600];
    config_defaults(&d->cfg);
    if (!conf && access(CONFIG_DEFAULT_FILE, F_OK) == 0)
        conf = CONFIG_DEFAULT_FILE;
    if (conf && config_load(&d->cfg, conf, err, sizeof(err)) < 0) {
        fprintf(stderr, "crawld: %s\n", err);
        return 2;
    }
    if (config_validate(&d->cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "crawld: %s: %s\n", conf ? conf : "built-in defaults", err);
        return 2;
    }
    if (check) {
        printf("; effective config (%s)\n", conf ? conf : "built-in defaults");
        config_dump(&d->cfg, stdout);
        return 0;
    }
    if (conf && !realpath(conf, d->config_path)) {
        fprintf(stderr, "crawld: %s: %s\n", conf, strerror(errno));
        return 2;
    }
    int l = log_level_parse(d->cfg.log_level);
    if (l >= 0)
        log_set_level((log_level)l);
    log_init_from_env();
    if (find_worker(d->worker_path, sizeof(d->worker_path)) < 0) {
        fprintf(stderr, "crawld: cannot find my own executable (/proc/self/exe)\n");
        return 1;
    }
    if (mkdirs(d->cfg.state_dir) < 0 || mkdirs(d->cfg.output_dir) < 0) {
        fprintf(stderr, "crawld: cannot create %s or %s: %s\n", d->cfg.state_dir,
                d->cfg.output_dir, strerror(errno));
        return 1;
    }
    /* Refuse early, on the caller's terminal, when a daemon already answers. */
    if (control_probe(d->cfg.socket)) {
        fprintf(stderr, "crawld: another crawld answers on %s\n", d->cfg.socket);
        return 1;
    }
    if (!foreground && !getenv("NOTIFY_SOCKET")) {
        d->ready_fd = daemonize();
        if (d->ready_fd < 0) {
            fprintf(stderr, "crawld: cannot daemonize: %s\n", strerror(errno));
            return 1;
        }
    }
    d->notify = getenv("NOTIFY_SOCKET") != NULL;
    d->started = now_s();

    int rc = 1;
    uv_loop_init(&d->loop);
    if (jobs_init(&d->jobs, &d->loop, &d->cfg, err, sizeof(err)) < 0) {
        log_error("crawld", "state database", "error=\"%s\"", err);
        fprintf(stderr, "crawld: %s\n", err);
        uv_loop_close(&d->loop);
        return 1;
    }
    d->jobs.on_wake = wake_dispatch;
    d->jobs.wake_ud = d;
    if (control_open(&d->ctl, &d->loop, d->cfg.socket, handle, d, err, sizeof(err)) < 0) {
        log_error("crawld", "control socket", "error=\"%s\"", err);
        fprintf(stderr, "crawld: %s\n", err);
        jobs_close(&d->jobs);
        uv_run(&d->loop, UV_RUN_DEFAULT); /* finish the close */
        goto out_loop;
    }
    uv_signal_init(&d->loop, &d->sig_term);
    uv_signal_init(&d->loop, &d->sig_int);
    uv_signal_init(&d->loop, &d->sig_hup);
    uv_timer_init(&d->loop, &d->watchdog);
    uv_timer_init(&d->loop, &d->defer);
    d->sig_term.data = d->sig_int.data = d->sig_hup.data = d;
    d->watchdog.data = d->defer.data = d;
    uv_signal_start(&d->sig_term, on_signal, SIGTERM);
    uv_signal_start(&d->sig_int, on_signal, SIGINT);
    uv_signal_start(&d->sig_hup, on_signal, SIGHUP);
    if (pool_init(&d->pool, &d->loop, &d->cfg, &d->jobs, d->worker_path, d->config_path, err,
                  sizeof(err)) < 0) {
        log_error("crawld", "pool", "error=\"%s\"", err);
        goto out_loop; /* cannot happen but for OOM; handles leak to the exit */
    }
    d->pool.user = d;
    uint64_t wd_usec = 0;
    if (d->notify && sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec > 0)
        uv_timer_start(&d->watchdog, on_watchdog, wd_usec / 2000, wd_usec / 2000);
    log_info("crawld", "started",
             "pid=%ld version=%s workers=%d socket=\"%s\" config=\"%s\" worker=\"%s\"",
             (long)getpid(), CRAWLD_VERSION, d->cfg.workers, d->cfg.socket,
             d->config_path[0] ? d->config_path : "built-in defaults", d->worker_path);
    if (d->notify)
        sd_notifyf(0, "READY=1\nSTATUS=serving %d workers on %s\nMAINPID=%ld", d->cfg.workers,
                   d->cfg.socket, (long)getpid());
    if (d->ready_fd >= 0) {
        (void)!write(d->ready_fd, "1", 1);
        close(d->ready_fd);
        d->ready_fd = -1;
    }
    uv_run(&d->loop, UV_RUN_DEFAULT);
    pool_free(&d->pool);
    rc = 0;
out_loop:
    jobs_free(&d->jobs);
    {
        int lc = uv_loop_close(&d->loop);
        if (lc != 0) {
            log_error("crawld", "loop not empty at exit", "error=\"%s\"", uv_strerror(lc));
            rc = 1;
        }
    }
    if (rc == 0)
        log_info("crawld", "exited", "pages=%lld", d->jobs.pages_total);
    return rc;
}
