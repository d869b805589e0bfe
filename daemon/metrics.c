/* metrics — see metrics.h. */
#include "metrics.h"
#include "alloc.h"
#include "utf8.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const double metrics_hist_bounds[METRICS_HIST_BOUNDS] = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                         1,    2.5,   5,    10,  30};

void metrics_hist_observe(metrics_hist *h, double v)
{
    if (!(v > 0)) /* negative, zero or NaN */
        v = 0;
    int i = 0;
    while (i < METRICS_HIST_BOUNDS && v > metrics_hist_bounds[i])
        i++;
    h->n[i]++;
    h->count++;
    h->sum += v;
}

metrics_class metrics_class_of(long status, int has_error)
{
    if (has_error || status < 200 || status > 599)
        return METRICS_ERROR;
    return (metrics_class)(status / 100 - 2);
}

const char *metrics_class_str(metrics_class c)
{
    static const char *n[] = {"2xx", "3xx", "4xx", "5xx", "error"};
    return c < METRICS_CLASS_COUNT ? n[c] : "?";
}

/* ---- text buffer ---- */

void metrics_buf_init(metrics_buf *b) { memset(b, 0, sizeof(*b)); }

void metrics_buf_release(metrics_buf *b)
{
    alloc_free(b->s, b->cap);
    metrics_buf_init(b);
}

static int buf_reserve(metrics_buf *b, size_t more)
{
    if (b->oom)
        return -1;
    if (b->len + more + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 8192;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *s = alloc_resize(b->s, b->cap, cap);
    if (!s) {
        b->oom = 1;
        return -1;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

void metrics_buf_printf(metrics_buf *b, const char *fmt, ...)
{
    va_list ap;
    char tmp[512];
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || buf_reserve(b, (size_t)n) < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)n < sizeof(tmp))
        memcpy(b->s + b->len, tmp, (size_t)n + 1);
    else { /* longer than the scratch: format again straight into the buffer */
        va_start(ap, fmt);
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

static void buf_put(metrics_buf *b, const char *s, size_t n)
{
    if (buf_reserve(b, n) < 0)
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void metrics_escape_label(metrics_buf *b, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    const unsigned char *end = s + strlen((const char *)s);
    while (*s) {
        size_t n = utf8_seq_len(s, end);
        if (n == 0) {
            buf_put(b, UTF8_REPLACEMENT, 3);
            s++;
        } else if (*s == '\\')
            buf_put(b, "\\\\", 2);
        else if (*s == '"')
            buf_put(b, "\\\"", 2);
        else if (*s == '\n')
            buf_put(b, "\\n", 2);
        else
            buf_put(b, (const char *)s, n);
        s += n;
    }
}

void metrics_family(metrics_buf *b, const char *name, metrics_type type, const char *help)
{
    static const char *const types[] = {"counter", "gauge", "histogram"};
    metrics_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, types[type]);
}

static void single(metrics_buf *b, const char *name, metrics_type type, const char *help, double v)
{
    metrics_family(b, name, type, help);
    metrics_buf_printf(b, "%s %.15g\n", name, v);
}

void metrics_counter(metrics_buf *b, const char *name, const char *help, double v)
{
    single(b, name, METRICS_COUNTER, help, v);
}

void metrics_gauge(metrics_buf *b, const char *name, const char *help, double v)
{
    single(b, name, METRICS_GAUGE, help, v);
}

void metrics_write_hist(metrics_buf *b, const char *name, const char *help, const metrics_hist *h)
{
    metrics_family(b, name, METRICS_HISTOGRAM, help);
    unsigned long long cum = 0;
    for (int i = 0; i < METRICS_HIST_BOUNDS; i++) {
        cum += h->n[i];
        metrics_buf_printf(b, "%s_bucket{le=\"%g\"} %llu\n", name, metrics_hist_bounds[i], cum);
    }
    cum += h->n[METRICS_HIST_BOUNDS];
    metrics_buf_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n", name, cum);
    metrics_buf_printf(b, "%s_sum %.15g\n%s_count %llu\n", name, h->sum, name, h->count);
}
