/* env — what a worker keeps for its whole life: the arena pool, the curl
 * multi handle its transfers share (connections, DNS cache; TLS sessions
 * through a share handle), the body budget, default headers and the
 * settings. worker_env_init is an init chain: each step's undo stands
 * after it and a failure unwinds exactly the steps done (tests run it with
 * every allocation failing in turn). */
#ifndef CRAWLD_WORKER_ENV_H
#define CRAWLD_WORKER_ENV_H

#include "arena_pool.h"
#include "config.h"
#include <curl/curl.h>

typedef struct worker_env {
    crawld_config cfg;
    arena_pool pool;
    CURLM *multi;                               /* every transfer of the worker (fetch.c) */
    CURLSH *share;                              /* TLS sessions across the multi's transfers */
    struct fetch_xfer *fetch_head, *fetch_tail; /* transfers in flight, oldest first */
    int fetch_inflight;                         /* how many */
    size_t fetch_budget;                        /* config_fetch_buffer_bytes */
    size_t fetch_held;                          /* body bytes of transfers not yet released */
    /* The network step fetch_wait runs (serve.c sets it: the transfers and
     * the channel); NULL: fetch_step alone. <0 when the worker must stop. */
    int (*net_step)(struct worker_env *e, int timeout_ms);
    void *net_ud;
    struct curl_slist *headers; /* Accept, Accept-Language */
    char *user_agent;           /* process allocator */
    arena *scratch;             /* tiny arena for incoming task frames */
    int allow_private;          /* 1: loopback/private addresses may be fetched */
    unsigned long pages;        /* pages served by this process */
    long trim_floor_kb;         /* RSS after the last malloc_trim (serve.c) */
    unsigned long trims;        /* malloc_trim calls after pages */
    int curl_global;            /* curl_alloc_global_init succeeded */
    struct js_runtime *js;      /* made on the first JS page (worker_env_js) */
    int js_failed;              /* making it failed once: JS pages run without */
} worker_env;

/* 0, or -1 with a message naming the step that failed. */
int worker_env_init(worker_env *e, const crawld_config *cfg, char *err, size_t errlen);
/* Every transfer must have been released (fetch_release) before. */
void worker_env_free(worker_env *e);

/* The worker's JS runtime, made on first use (JS_Init, one context, the
 * heap and address-space limits from the config), so a worker that only
 * sees --no-js pages never pays for it. NULL when it cannot be made (logged
 * once; JS pages then run without scripts and say so). */
struct js_runtime *worker_env_js(worker_env *e);

/* The RSS line, in KiB, past which a page's scripts are stopped
 * (js_config.rss_stop_kb): 7/8 of rss_soft_mb, the last eighth left for what
 * a script allocates between two of the watchdog's samples. A worker with a
 * JS runtime that is still over it after a page retires (serve.c), so the
 * next page's scripts do not start over the line. */
long worker_env_script_rss_kb(const worker_env *e);

#endif
