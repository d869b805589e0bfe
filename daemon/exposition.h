/* exposition — crawld's whole metrics text for `crawlctl metrics`: the
 * supervisor's own figures, then what the pool (pool_metrics) and the jobs
 * (jobs_metrics) write, section by section (metrics.h). Counters count since
 * the daemon started (a restart is a counter reset, which rate() handles;
 * crawld_start_time_seconds says when).
 *
 * It reads no field of pool or jobs. The caller owns the buffer and the
 * facts it passes in. */
#ifndef CRAWLD_EXPOSITION_H
#define CRAWLD_EXPOSITION_H

#include "jobs.h"
#include "metrics.h"
#include "pool.h"

/* What only the supervisor knows. */
typedef struct exposition_daemon {
    const char *version;
    double start_time_s; /* unix seconds */
    double uptime_s;
    long rss_kb; /* crawld itself; < 0 unknown */
    int draining;
    int workers_configured;
    int control_clients;
    long control_accepted, control_refused;
} exposition_daemon;

/* Appends every family to b. 0, or -1 when out of memory (b->oom). */
int exposition_render(metrics_buf *b, const exposition_daemon *d, pool *p, jobs *j);

#endif
