/* metrics — crawld's numbers in the Prometheus text exposition format
 * (version 0.0.4) for `crawlctl metrics`: read from the pool (workers,
 * recycles, the page-time histogram), the jobs (queue, pages by job and
 * status class, bytes, fetch/parse/JS time) and a few supervisor facts the
 * caller passes in. Counters count since the daemon started (a restart is a
 * counter reset, which rate() handles; crawld_start_time_seconds says when).
 *
 * The histogram and the status classes live here so pool.h and jobs.h can
 * embed them; this header includes neither. Observing a value is a bucket
 * increment: nothing allocates on the page path. Rendering allocates one
 * growing text buffer from the process allocator. */
#ifndef CRAWLD_METRICS_H
#define CRAWLD_METRICS_H

#include <stddef.h>

/* ---- histogram ---- */

/* Upper bounds in seconds (le labels), shared by every histogram:
 * 0.01 … 30, then +Inf. */
#define METRICS_HIST_BOUNDS 11
extern const double metrics_hist_bounds[METRICS_HIST_BOUNDS];

typedef struct metrics_hist {
    /* Per bucket, NOT cumulative (the renderer sums them); the last one
     * counts values above the largest bound (+Inf). */
    unsigned long long n[METRICS_HIST_BOUNDS + 1];
    unsigned long long count;
    double sum;
} metrics_hist;

/* Counts v (seconds; negative or NaN counted as 0) in its bucket. */
void metrics_hist_observe(metrics_hist *h, double v);

/* ---- page status classes (crawld_pages_total{class}) ---- */

typedef enum metrics_class {
    METRICS_2XX,
    METRICS_3XX,
    METRICS_4XX,
    METRICS_5XX,
    METRICS_ERROR, /* no HTTP response: fetch error, robots, quarantined, … */
    METRICS_CLASS_COUNT
} metrics_class;

/* A record's class: METRICS_ERROR when it has an error or a status outside
 * 200..599, else the status class. */
metrics_class metrics_class_of(long status, int has_error);
const char *metrics_class_str(metrics_class c);

/* ---- text buffer ---- */

typedef struct metrics_buf {
    char *s; /* NUL-terminated while len > 0; process allocator */
    size_t len, cap;
    int oom; /* an append failed: the text is incomplete */
} metrics_buf;

void metrics_buf_init(metrics_buf *b);
void metrics_buf_release(metrics_buf *b);
/* printf-style append; on failure sets b->oom. */
void metrics_buf_printf(metrics_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a label value: backslash, double quote and newline escaped
 * (\\ \" \n) as the format asks; bytes that are not valid UTF-8 become
 * U+FFFD so the text stays UTF-8. */
void metrics_escape_label(metrics_buf *b, const char *s);
/* One histogram family: HELP, TYPE, cumulative _bucket lines (le="…",
 * then le="+Inf" equal to _count), _sum and _count. */
void metrics_write_hist(metrics_buf *b, const char *name, const char *help,
                        const metrics_hist *h);

/* ---- the whole exposition ---- */

/* What only the supervisor knows. */
typedef struct metrics_daemon {
    const char *version;
    double start_time_s; /* unix seconds */
    double uptime_s;
    long rss_kb; /* crawld itself; < 0 unknown */
    int draining;
    int workers_configured;
    int control_clients;
    long control_accepted, control_refused;
} metrics_daemon;

struct pool;
struct jobs;

/* Appends every family to b. 0, or -1 when out of memory (b->oom). */
int metrics_render(metrics_buf *b, const metrics_daemon *d, struct pool *p, struct jobs *j);

#endif
