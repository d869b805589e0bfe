/* exposition — see exposition.h. */
#include "exposition.h"
#include "alloc.h"

static void write_daemon(metrics_buf *b, const exposition_daemon *d)
{
    metrics_gauge(b, "crawld_up", "1 while crawld answers.", 1);
    metrics_family(b, "crawld_build_info", METRICS_GAUGE, "Always 1; the version is in the label.");
    metrics_buf_printf(b, "crawld_build_info{version=\"");
    metrics_escape_label(b, d->version);
    metrics_buf_printf(b, "\"} 1\n");
    metrics_gauge(b, "crawld_start_time_seconds", "When crawld started, in unix seconds.",
                  d->start_time_s);
    metrics_gauge(b, "crawld_uptime_seconds", "Seconds since crawld started.", d->uptime_s);
    metrics_gauge(b, "crawld_draining", "1 while crawld drains before exiting.",
                  d->draining ? 1 : 0);
    metrics_gauge(b, "crawld_rss_bytes", "Resident memory of the crawld supervisor.",
                  d->rss_kb > 0 ? (double)d->rss_kb * 1024 : 0);
    metrics_gauge(b, "crawld_alloc_live_bytes",
                  "Bytes the supervisor holds from its process allocator.",
                  (double)alloc_live_bytes());
    metrics_gauge(b, "crawld_control_clients", "Control socket connections open now.",
                  d->control_clients);
    metrics_counter(b, "crawld_control_connections_total", "Control socket connections accepted.",
                    (double)d->control_accepted);
    metrics_counter(b, "crawld_control_refused_total",
                    "Control socket connections refused (peer uid, too many clients).",
                    (double)d->control_refused);
    metrics_gauge(b, "crawld_workers_configured", "Worker slots in the config.",
                  d->workers_configured);
}

int exposition_render(metrics_buf *b, const exposition_daemon *d, pool *p, jobs *j)
{
    write_daemon(b, d);
    /* The order of the text since crawlctl metrics first had it: the jobs'
     * queue gauges come before the pool's quarantined pages, the pool's
     * histogram before the jobs'. */
    pool_metrics(p, b, METRICS_WORKERS);
    jobs_metrics(j, b, METRICS_WORKERS);
    jobs_metrics(j, b, METRICS_QUEUE);
    pool_metrics(p, b, METRICS_QUEUE);
    pool_metrics(p, b, METRICS_JOBS);
    jobs_metrics(j, b, METRICS_JOBS);
    pool_metrics(p, b, METRICS_HISTOGRAMS);
    jobs_metrics(j, b, METRICS_HISTOGRAMS);
    return b->oom ? -1 : 0;
}
