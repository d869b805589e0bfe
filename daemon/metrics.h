/* metrics — the Prometheus text exposition format (version 0.0.4): a
 * growing text buffer, counters, gauges and histograms written into it, and
 * label escaping. It knows no daemon module: each module that has numbers
 * writes its own families (pool_metrics, jobs_metrics) and exposition.h
 * puts them together for `crawlctl metrics`.
 *
 * Owners: the caller owns a metrics_buf (init / release); a metrics_hist is
 * a plain struct embedded where it is observed. Observing a value is a
 * bucket increment: nothing allocates on the page path. Writing allocates
 * only the buffer's text, from the process allocator. */
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
/* The HELP and TYPE lines of a family; its samples follow with
 * metrics_buf_printf. */
typedef enum metrics_type { METRICS_COUNTER, METRICS_GAUGE, METRICS_HISTOGRAM } metrics_type;
void metrics_family(metrics_buf *b, const char *name, metrics_type type, const char *help);
/* A family of one unlabelled sample (value printed %.15g). */
void metrics_counter(metrics_buf *b, const char *name, const char *help, double v);
void metrics_gauge(metrics_buf *b, const char *name, const char *help, double v);
/* One histogram family: HELP, TYPE, cumulative _bucket lines (le="…",
 * then le="+Inf" equal to _count), _sum and _count. */
void metrics_write_hist(metrics_buf *b, const char *name, const char *help, const metrics_hist *h);

/* The exposition's sections, in their order: a module that reports is
 * asked once per section (exposition.c) and writes its families of that
 * section, or nothing. */
typedef enum metrics_section {
    METRICS_WORKERS,    /* the worker processes and slots */
    METRICS_QUEUE,      /* pages pending, in flight, recorded, quarantined */
    METRICS_JOBS,       /* jobs, their pages, sums over the records */
    METRICS_HISTOGRAMS, /* every histogram, last */
} metrics_section;

#endif
