/* crawld — the supervisor: reads the config, opens the control socket,
 * opens the state database and resumes its jobs (jobs.c, store.c), starts the
 * page workers (pool.c), feeds them the frontier and answers crawlctl
 * (control.c; the commands in commands.c), all on one libuv loop. Signals only
 * start things the loop does: SIGTERM/SIGINT drain and exit 0, SIGHUP (and
 * `crawlctl reload`) re-reads the config and replaces the workers one by one.
 *
 * Under systemd: the control socket may come from crawld.socket
 * (sd_listen_fds, fd 3), READY=1 goes out once the socket, the database and
 * every worker are up, STATUS= every few seconds, WATCHDOG=1 from a loop
 * timer when WatchdogSec= asks for it.
 *
 * The workers never read the config file: they get <state_dir>/worker.conf,
 * the config crawld runs with, written at start and at each accepted reload
 * (reload.c), so an edited (or broken) file cannot reach a worker that
 * restarts between reloads.
 *
 * main is the start-up read as a list of steps (parse_args ... run_loop),
 * each of which returns STEP_NEXT or the exit status, and one cleanup:
 * release_all undoes what the finished steps did (d->up). */
#include "crawld_int.h"
#include "json_alloc.h"
#include "log.h"
#include "rss.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

double daemon_now_s(void)
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
static void on_api_closed(api *a) { (void)a; }

static void on_pool_stopped(pool *p)
{
    daemon_ctx *d = p->user;
    log_info("crawld", "workers stopped; closing", "pages_done=%ld", p->pages_done);
    pool_close(&d->pool, on_pool_closed);
    jobs_close(&d->jobs);
    control_close(&d->ctl, on_control_closed);
    if (d->api_on)
        api_close(&d->api, on_api_closed);
    uv_handle_t *hs[] = {(uv_handle_t *)&d->sig_term, (uv_handle_t *)&d->sig_int,
                         (uv_handle_t *)&d->sig_hup,  (uv_handle_t *)&d->watchdog,
                         (uv_handle_t *)&d->defer,    (uv_handle_t *)&d->status};
    /* Closing the signal handles gives SIGTERM, SIGINT and SIGHUP their
     * default action back: a late one (a second kill, a supervisor that
     * repeats itself) would end the process between its last state write
     * and its exit, status -15 instead of 0. It is on its way out: they are
     * blocked while the handles close, then ignored (a pending one is
     * dropped when unblocked; SIGKILL still works). */
    sigset_t term, old;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigaddset(&term, SIGINT);
    sigaddset(&term, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &term, &old);
    for (size_t i = 0; i < sizeof(hs) / sizeof(hs[0]); i++) {
        d->closes_pending++;
        uv_close(hs[i], on_handle_closed);
    }
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void begin_stop(daemon_ctx *d, long grace_ms, const char *why)
{
    if (d->stopping) {
        log_info("crawld", "already stopping", "why=%s", why);
        return;
    }
    d->stopping = 1;
    uv_timer_stop(&d->jobs.schedule); /* no scheduled recrawl starts while stopping */
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

void daemon_stop_soon(daemon_ctx *d, long grace_ms, const char *why)
{
    if (d->stopping)
        return;
    d->defer_grace = grace_ms;
    d->defer_why = why;
    uv_timer_start(&d->defer, on_defer, 0, 0);
}

/* ---- systemd: READY, STATUS, WATCHDOG ---- */

static void on_watchdog(uv_timer_t *t)
{
    (void)t;
    sd_notify(0, "WATCHDOG=1");
}

/* Every slot holds a worker that has answered its ready handshake. */
static int workers_up(const pool *p)
{
    for (int i = 0; i < p->nslots; i++)
        if (!p->slots[i].w || !p->slots[i].w->ready)
            return 0;
    return 1;
}

void daemon_notify_status(daemon_ctx *d, const char *extra)
{
    int up = 0;
    for (int i = 0; i < d->pool.nslots; i++)
        up += d->pool.slots[i].w && d->pool.slots[i].w->ready &&
              d->pool.slots[i].w->state != WORKER_RETIRING;
    sd_notifyf(0,
               "%sSTATUS=%s: %.1f pages/s, queue %ld pending, %ld in flight, %ld done, "
               "%ld failed; %d/%d workers",
               extra ? extra : "", d->stopping ? "draining" : "running", pool_pages_per_s(&d->pool),
               d->jobs.pending, d->jobs.in_flight, d->jobs.done, d->jobs.failed, up,
               d->pool.nslots);
}

#define STATUS_FIRST_MS 50   /* polls for "every worker up" until READY=1 */
#define STATUS_EVERY_MS 2000 /* then STATUS= this often */

static void on_status(uv_timer_t *t)
{
    daemon_ctx *d = t->data;
    if (d->ready_sent) {
        daemon_notify_status(d, NULL);
        return;
    }
    if (!workers_up(&d->pool))
        return;
    d->ready_sent = 1;
    char extra[64];
    snprintf(extra, sizeof(extra), "READY=1\nMAINPID=%ld\n", (long)getpid());
    daemon_notify_status(d, extra);
    log_info("crawld", "ready", "workers=%d socket=\"%s\"", d->pool.nslots, d->ctl.path);
    uv_timer_start(&d->status, on_status, STATUS_EVERY_MS, STATUS_EVERY_MS);
}

static void on_signal(uv_signal_t *s, int signum)
{
    daemon_ctx *d = s->data;
    if (signum == SIGHUP) {
        json_decref(daemon_reload(d, "SIGHUP"));
        return;
    }
    daemon_stop_soon(d, d->cfg.grace_ms, signum == SIGTERM ? "SIGTERM" : "SIGINT");
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

/* $CRAWLD_WORKER, else crawld-worker next to this executable (the build
 * tree), else ../lib/crawld/crawld-worker from it (the installed layout:
 * PREFIX/sbin/crawld and PREFIX/lib/crawld/crawld-worker, whatever PREFIX and
 * DESTDIR were). When neither exists the first is kept, so the pool's start
 * failures name it. */
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
    const char *dir = dirname(self);
    char installed[PATH_MAX];
    if (snprintf(installed, sizeof(installed), "%s/../lib/crawld/crawld-worker", dir) >=
        (int)sizeof(installed))
        installed[0] = '\0';
    snprintf(out, cap, "%s/crawld-worker", dir);
    /* realpath: the log and ps show a clean path */
    char real[PATH_MAX];
    if (access(out, X_OK) != 0 && installed[0] && access(installed, X_OK) == 0 &&
        (size_t)snprintf(out, cap, "%s", realpath(installed, real) ? real : installed) >= cap)
        return -1;
    return 0;
}

static int mkdirs(const char *path, mode_t last)
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
    return mkdir(tmp, last) < 0 && errno != EEXIST ? -1 : 0;
}

/* A start-up step returns STEP_NEXT to go on, or the exit status of crawld. */
#define STEP_NEXT (-1)

/* Options; --version and --help answer here (0), a bad option is 2. */
static int parse_args(daemon_ctx *d, int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'}, {"foreground", no_argument, 0, 'f'},
        {"check-config", no_argument, 0, 'k'}, {"version", no_argument, 0, 'V'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "c:fh", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            d->conf_arg = optarg;
            break;
        case 'f':
            d->foreground = 1;
            break;
        case 'k':
            d->check_only = 1;
            break;
        case 'V':
            printf("crawld %s\n", CRAWLD_VERSION);
            return 0;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "crawld: unexpected argument \"%s\"\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    return STEP_NEXT;
}

/* The config (-c, else CONFIG_DEFAULT_FILE when it exists, else defaults),
 * validated with its user and group names; --check-config prints it (0);
 * a bad one is 2. Then the log level it names. */
static int load_config(daemon_ctx *d)
{
    signal(SIGPIPE, SIG_IGN);
    json_alloc_install();
    const char *conf = d->conf_arg;
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
    control names_only; /* resolves allow_users / allow_groups; no socket yet */
    memset(&names_only, 0, sizeof(names_only));
    if (control_set_access(&names_only, d->cfg.allow_users, d->cfg.allow_groups, err, sizeof(err)) <
        0) {
        fprintf(stderr, "crawld: %s: [daemon] %s\n", conf ? conf : "built-in defaults", err);
        return 2;
    }
    if (d->check_only) {
        printf("; effective config (%s)\n", conf ? conf : "built-in defaults");
        config_dump_shown(&d->cfg, stdout);
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
    return STEP_NEXT;
}

/* The worker executable and the state and output directories; 1 on failure. */
static int prepare_paths(daemon_ctx *d)
{
    if (find_worker(d->worker_path, sizeof(d->worker_path)) < 0) {
        fprintf(stderr, "crawld: cannot find my own executable (/proc/self/exe)\n");
        return 1;
    }
    /* the state directory is crawld's own: jobs' secrets (docs/daemon.md,
     * Sessions) and worker.conf's proxy password are kept there */
    if (mkdirs(d->cfg.state_dir, 0700) < 0 || mkdirs(d->cfg.output_dir, 0755) < 0) {
        fprintf(stderr, "crawld: cannot create %s or %s: %s\n", d->cfg.state_dir, d->cfg.output_dir,
                strerror(errno));
        return 1;
    }
    struct stat st;
    int proxy_secret = d->cfg.proxy_user[0] || strchr(d->cfg.proxy, '@');
    if (proxy_secret && (stat(d->cfg.state_dir, &st) < 0 || (st.st_mode & 077))) {
        fprintf(stderr,
                "crawld: [network] proxy credentials are kept in %s/worker.conf only when %s is "
                "mode 0700 (chmod 700 %s)\n",
                d->cfg.state_dir, d->cfg.state_dir, d->cfg.state_dir);
        return 1;
    }
    return STEP_NEXT;
}

/* The socket systemd passed, if any, else a check that no daemon answers on
 * the configured one; 1 on failure, on the caller's terminal. */
static int claim_socket(daemon_ctx *d)
{
    /* Socket activation (crawld.socket): systemd listens and passes the socket
     * as fd 3 with LISTEN_FDS=1 and LISTEN_PID=our pid. Checked before
     * daemonize forks, which changes the pid. */
    int nfds = sd_listen_fds(1);
    if (nfds > 1 || nfds < 0) {
        fprintf(stderr, "crawld: socket activation: %s\n",
                nfds < 0 ? strerror(-nfds) : "more than one socket passed (expected one)");
        return 1;
    }
    if (nfds == 1) {
        if (sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1, NULL, 0) <= 0) {
            fprintf(stderr,
                    "crawld: socket activation: fd %d is not a listening unix stream "
                    "socket\n",
                    SD_LISTEN_FDS_START);
            return 1;
        }
        d->listen_fd = SD_LISTEN_FDS_START;
    }
    /* Refuse early, on the caller's terminal, when a daemon already answers
     * (an activated socket answers through systemd: not another daemon). */
    if (d->listen_fd < 0 && control_probe(d->cfg.socket)) {
        fprintf(stderr, "crawld: another crawld answers on %s\n", d->cfg.socket);
        return 1;
    }
    return STEP_NEXT;
}

/* Into the background unless --foreground or under systemd: forks; the
 * parent waits until the child says it is serving (exit 0) or exits (its
 * status), so `crawld` returns once the socket answers. */
static int daemonize(daemon_ctx *d)
{
    if (!d->foreground && !getenv("NOTIFY_SOCKET")) {
        int pfd[2];
        pid_t pid = -1;
        if (pipe2(pfd, O_CLOEXEC) == 0)
            pid = fork();
        if (pid < 0) {
            fprintf(stderr, "crawld: cannot daemonize: %s\n", strerror(errno));
            return 1;
        }
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
        d->ready_fd = pfd[1];
    }
    d->notify = getenv("NOTIFY_SOCKET") != NULL;
    d->started = daemon_now_s();
    return STEP_NEXT;
}

/* crawld's RSS and its workers' (the cluster heartbeat's figure). */
static long node_rss_kb(void *ud)
{
    daemon_ctx *d = ud;
    long self = rss_self_kb();
    return (self > 0 ? self : 0) + (d->up >= UP_POOL ? pool_rss_kb_total(&d->pool) : 0);
}

/* The loop and the state database, which resumes its jobs; 1 on failure
 * (this step closes its own loop then). */
static int open_state(daemon_ctx *d)
{
    char err[600];
    uv_loop_init(&d->loop);
    if (jobs_init(&d->jobs, &d->loop, &d->cfg, err, sizeof(err)) < 0) {
        log_error("crawld", "state database", "error=\"%s\"", err);
        fprintf(stderr, "crawld: %s\n", err);
        uv_loop_close(&d->loop);
        return 1;
    }
    d->jobs.on_wake = wake_dispatch;
    d->jobs.wake_ud = d;
    d->jobs.node_rss_kb = node_rss_kb;
    d->up = UP_STATE;
    return STEP_NEXT;
}

/* <state_dir>/worker.conf, the config the workers will load; 1 on failure. */
static int write_worker_config(daemon_ctx *d)
{
    char err[600];
    if (daemon_write_worker_conf(d, &d->cfg, err, sizeof(err)) < 0) {
        log_error("crawld", "worker config", "error=\"%s\"", err);
        fprintf(stderr, "crawld: %s\n", err);
        return 1;
    }
    return STEP_NEXT;
}

/* The control socket (the one systemd passed, else the configured path) and
 * who may use it; 1 on failure (this step closes the socket then). */
static int start_control(daemon_ctx *d)
{
    char err[600];
    int crc =
        d->listen_fd >= 0
            ? control_adopt(&d->ctl, &d->loop, d->listen_fd, command_handle, d, err, sizeof(err))
            : control_open(&d->ctl, &d->loop, d->cfg.socket, command_handle, d, err, sizeof(err));
    if (crc == 0 && control_set_access(&d->ctl, d->cfg.allow_users, d->cfg.allow_groups, err,
                                       sizeof(err)) < 0) {
        control_close(&d->ctl, NULL);
        crc = -1;
    }
    if (crc < 0) {
        log_error("crawld", "control socket", "error=\"%s\"", err);
        fprintf(stderr, "crawld: %s\n", err);
        return 1;
    }
    d->up = UP_CONTROL;
    return STEP_NEXT;
}

/* The HTTP API when [api] listen is set; 2 on failure (a config error: the
 * token file, the TLS files, the address), the control socket closed then. */
static int start_api(daemon_ctx *d)
{
    char err[600];
    if (!d->cfg.api_listen[0])
        return STEP_NEXT;
    if (api_open(&d->api, &d->loop, &d->cfg, command_handle, d, err, sizeof(err)) < 0) {
        log_error("crawld", "api", "error=\"%s\"", err);
        fprintf(stderr, "crawld: %s\n", err);
        control_close(&d->ctl, NULL);
        d->up = UP_STATE; /* release_all closes the database and runs the closes */
        return 2;
    }
    d->api_on = 1;
    return STEP_NEXT;
}

/* Signal handles, timers and the worker pool; then "started", systemd's
 * STATUS= polling for READY=1, and the daemonising parent let go. 1 when
 * the pool cannot start (only out of memory). */
static int start_pool(daemon_ctx *d)
{
    char err[600];
    uv_signal_init(&d->loop, &d->sig_term);
    uv_signal_init(&d->loop, &d->sig_int);
    uv_signal_init(&d->loop, &d->sig_hup);
    uv_timer_init(&d->loop, &d->watchdog);
    uv_timer_init(&d->loop, &d->status);
    uv_timer_init(&d->loop, &d->defer);
    d->sig_term.data = d->sig_int.data = d->sig_hup.data = d;
    d->watchdog.data = d->defer.data = d->status.data = d;
    uv_signal_start(&d->sig_term, on_signal, SIGTERM);
    uv_signal_start(&d->sig_int, on_signal, SIGINT);
    uv_signal_start(&d->sig_hup, on_signal, SIGHUP);
    if (pool_init(&d->pool, &d->loop, &d->cfg, &d->jobs, d->worker_path, d->worker_conf, err,
                  sizeof(err)) < 0) {
        log_error("crawld", "pool", "error=\"%s\"", err);
        return 1; /* the started handles leak to the exit */
    }
    d->pool.user = d;
    d->up = UP_POOL;
    uint64_t wd_usec = 0;
    if (d->notify && sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec > 0)
        uv_timer_start(&d->watchdog, on_watchdog, wd_usec / 2000, wd_usec / 2000);
    log_info("crawld", "started",
             "pid=%ld version=%s workers=%d socket=\"%s\" activated=%d config=\"%s\" "
             "worker=\"%s\"",
             (long)getpid(), CRAWLD_VERSION, d->cfg.workers, d->ctl.path, d->listen_fd >= 0,
             d->config_path[0] ? d->config_path : "built-in defaults", d->worker_path);
    if (d->listen_fd >= 0 && strcmp(d->ctl.path, d->cfg.socket) != 0)
        log_warn("crawld", "serving the socket systemd passed, not the configured one",
                 "activated=\"%s\" configured=\"%s\"", d->ctl.path, d->cfg.socket);
    if (d->notify) {
        /* READY=1 waits for every worker's handshake (on_status); the
         * daemonising parent below only waits for the socket. */
        sd_notifyf(0, "STATUS=starting %d workers on %s", d->cfg.workers, d->ctl.path);
        uv_timer_start(&d->status, on_status, STATUS_FIRST_MS, STATUS_FIRST_MS);
    }
    if (d->ready_fd >= 0) {
        (void)!write(d->ready_fd, "1", 1);
        close(d->ready_fd);
        d->ready_fd = -1;
    }
    return STEP_NEXT;
}

/* Serves until a stop (SIGTERM, SIGINT, drain, shutdown) has closed every
 * handle (on_pool_stopped); 0. */
static int run_loop(daemon_ctx *d)
{
    uv_run(&d->loop, UV_RUN_DEFAULT);
    return 0;
}

/* Undoes what start-up did, in reverse, whether it served or failed part
 * way; returns the exit status (1 when the loop is not empty at the end). */
static int release_all(daemon_ctx *d, int rc)
{
    if (d->up >= UP_POOL)
        pool_free(&d->pool); /* closed by on_pool_stopped as the loop ran */
    if (d->up == UP_STATE) { /* failed before the control socket: close the database */
        jobs_close(&d->jobs);
        uv_run(&d->loop, UV_RUN_DEFAULT); /* finish the closes */
    }
    if (d->up >= UP_STATE) {
        jobs_free(&d->jobs);
        int lc = uv_loop_close(&d->loop);
        if (lc != 0) {
            log_error("crawld", "loop not empty at exit", "error=\"%s\"", uv_strerror(lc));
            rc = 1;
        }
    }
    if (rc == 0 && d->up >= UP_POOL)
        log_info("crawld", "exited", "pages=%lld", d->jobs.pages_total);
    return rc;
}

int main(int argc, char **argv)
{
    static daemon_ctx dctx; /* libuv holds pointers into it until the end */
    daemon_ctx *d = &dctx;
    d->ready_fd = -1;
    d->listen_fd = -1;
    int rc;
    if ((rc = parse_args(d, argc, argv)) != STEP_NEXT)
        goto cleanup;
    if ((rc = load_config(d)) != STEP_NEXT)
        goto cleanup;
    if ((rc = prepare_paths(d)) != STEP_NEXT)
        goto cleanup;
    if ((rc = claim_socket(d)) != STEP_NEXT)
        goto cleanup;
    if ((rc = daemonize(d)) != STEP_NEXT)
        goto cleanup;
    if ((rc = open_state(d)) != STEP_NEXT)
        goto cleanup;
    if ((rc = write_worker_config(d)) != STEP_NEXT)
        goto cleanup;
    if ((rc = start_control(d)) != STEP_NEXT)
        goto cleanup;
    if ((rc = start_api(d)) != STEP_NEXT)
        goto cleanup;
    if ((rc = start_pool(d)) != STEP_NEXT)
        goto cleanup;
    rc = run_loop(d);
cleanup:
    return release_all(d, rc);
}
