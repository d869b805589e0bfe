/* env — see env.h. */
#include "env.h"
#include "alloc.h"
#include "curl_alloc.h"
#include "js/js.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

int worker_env_init(worker_env *e, const crawld_config *cfg, char *err, size_t errlen)
{
    memset(e, 0, sizeof(*e));
    e->cfg = *cfg;
    e->allow_private = cfg->allow_private;
    const char *step;

    step = "curl global init";
    if (curl_alloc_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        goto fail_global;
    e->curl_global = 1;

    step = "arena pool";
    if (arena_pool_init(&e->pool, NULL) < 0)
        goto fail_pool;

    step = "user agent";
    e->user_agent = alloc_strdup(cfg->user_agent);
    if (!e->user_agent)
        goto fail_ua;

    step = "curl multi handle";
    e->multi = curl_multi_init();
    if (!e->multi)
        goto fail_curl;
    /* Connections to every origin a worker has in flight stay open. */
    long slots = cfg->fetches_per_worker > 0 ? cfg->fetches_per_worker : 1;
    curl_multi_setopt(e->multi, CURLMOPT_MAXCONNECTS, 4 * slots);
    e->fetch_budget = config_fetch_buffer_bytes(cfg);

    step = "curl share handle";
    e->share = curl_share_init();
    if (!e->share ||
        curl_share_setopt(e->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK)
        goto fail_share;

    step = "request headers";
    struct curl_slist *h = curl_slist_append(NULL, "Accept: text/html,application/xhtml+xml,"
                                                   "application/xml;q=0.9,*/*;q=0.8");
    if (!h)
        goto fail_headers;
    e->headers = h;
    h = curl_slist_append(e->headers, "Accept-Language: en;q=0.9,*;q=0.5");
    if (!h)
        goto fail_headers2;

    step = "scratch arena";
    e->scratch = arena_pool_acquire(&e->pool, ARENA_POOL_TINY, "task-frame");
    if (!e->scratch)
        goto fail_scratch;
    return 0;

fail_scratch:
fail_headers2:
    curl_slist_free_all(e->headers);
    e->headers = NULL;
fail_headers:
fail_share:
    if (e->share)
        curl_share_cleanup(e->share);
    e->share = NULL;
    curl_multi_cleanup(e->multi);
    e->multi = NULL;
fail_curl:
    alloc_strfree(e->user_agent);
    e->user_agent = NULL;
fail_ua:
    arena_pool_deinit(&e->pool);
fail_pool:
    curl_alloc_global_cleanup();
    e->curl_global = 0;
fail_global:
    snprintf(err, errlen, "worker init failed at step \"%s\"", step);
    return -1;
}

struct js_runtime *worker_env_js(worker_env *e)
{
    if (e->js || e->js_failed)
        return e->js;
    js_config jc = {.heap_bytes = (size_t)e->cfg.js_heap_mb << 20,
                    .as_limit_bytes = (size_t)e->cfg.js_address_space_mb << 20,
                    .time_budget_ms = e->cfg.js_time_budget_ms,
                    .rss_stop_kb = worker_env_script_rss_kb(e),
                    .user_agent = e->user_agent};
    char err[256];
    if (js_runtime_new(&jc, &e->js, err, sizeof(err)) < 0) {
        e->js = NULL;
        e->js_failed = 1;
        log_error("worker", "no JavaScript runtime", "error=\"%s\"", err);
    }
    return e->js;
}

long worker_env_script_rss_kb(const worker_env *e)
{
    long soft_kb = (long)e->cfg.rss_soft_mb * 1024;
    return soft_kb - soft_kb / 8;
}

void worker_env_free(worker_env *e)
{
    if (e->js) {
        js_runtime_free(e->js);
        e->js = NULL;
    }
    if (e->scratch)
        arena_pool_release(&e->pool, e->scratch);
    curl_slist_free_all(e->headers);
    if (e->multi)
        curl_multi_cleanup(e->multi);
    if (e->share)
        curl_share_cleanup(e->share);
    alloc_strfree(e->user_agent);
    arena_pool_deinit(&e->pool);
    if (e->curl_global)
        curl_alloc_global_cleanup();
    memset(e, 0, sizeof(*e));
}
