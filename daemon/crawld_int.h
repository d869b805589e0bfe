/* crawld_int.h — what the files of crawld share, and no other file
 * includes: the daemon's context and the calls between crawld.c (start-up,
 * stop, signals, systemd notifications), commands.c (the control commands)
 * and reload.c (the config reload, worker.conf). */
#ifndef CRAWLD_CRAWLD_INT_H
#define CRAWLD_CRAWLD_INT_H

#include "api.h"
#include "config.h"
#include "control.h"
#include "jobs.h"
#include "pool.h"

#include <jansson.h>
#include <limits.h>
#include <uv.h>

/* How far start-up got: release_all undoes exactly the steps that finished. */
typedef enum {
    UP_NONE,    /* no loop yet: an exit status is all there is to return */
    UP_STATE,   /* the loop and the state database (jobs) */
    UP_CONTROL, /* and the control socket */
    UP_POOL,    /* and the signal handles, the timers and the pool: serving */
} daemon_up;

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
    uv_timer_t status; /* READY=1 once the workers are up, then STATUS= */
    int ready_sent;
    int listen_fd;              /* socket activation: the fd systemd passed; -1 otherwise */
    char worker_conf[PATH_MAX]; /* <state_dir>/worker.conf, what workers load */
    uv_timer_t defer;           /* runs a stop outside the request that asked for it */
    long defer_grace;
    const char *defer_why;
    int stopping;
    int notify; /* under systemd */
    double started;
    int ready_fd; /* daemonising: tells the parent we are up; -1 otherwise */
    int closes_pending;
    const char *conf_arg; /* -c FILE; NULL → CONFIG_DEFAULT_FILE or defaults */
    int foreground, check_only;
    daemon_up up;
    api api;    /* the HTTP API ([api] listen) */
    int api_on; /* api is open */
} daemon_ctx;

/* ---- crawld.c ---- */

/* Monotonic seconds. */
double daemon_now_s(void);
/* Starts a stop (drain with grace_ms; 0: at once) on the next loop turn,
 * outside the request that asked; why is kept, so static. */
void daemon_stop_soon(daemon_ctx *d, long grace_ms, const char *why);
/* STATUS= (pages/s, the queue, workers up) to systemd, after extra
 * ("READY=1\n", or NULL). */
void daemon_notify_status(daemon_ctx *d, const char *extra);

/* ---- commands.c ---- */

/* The control socket's handler (control_handler): dispatches on "cmd". */
json_t *command_handle(void *ud, json_t *req);

/* ---- reload.c ---- */

/* Re-reads the config file; the control reply (source: "SIGHUP",
 * "crawlctl"). A file that does not load or validate changes nothing. */
json_t *daemon_reload(daemon_ctx *d, const char *source);
/* Writes c as <state_dir>/worker.conf and checks it reads back the same;
 * 0, or -1 with err. */
int daemon_write_worker_conf(daemon_ctx *d, const crawld_config *c, char *err, size_t errlen);

#endif
