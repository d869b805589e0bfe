/* js — page JavaScript in SpiderMonkey (libmozjs-102) behind a C API; the
 * only C++ of the project is in worker/js/ and no C++ type appears here. One
 * js_runtime per worker process owns the engine, its context and a watchdog
 * thread that stops a page's scripts at its time budget or RSS line. A page
 * gets a fresh realm over its DOM (dom.h, in the page arena); when
 * js_page_run returns no realm and no wrapper can reach that arena, so the
 * caller may read the final tree and release it. Compiled scripts outlive
 * pages in a bounded cache that goes with the runtime and js_hint_critical.
 * docs/worker.md ("Page JavaScript") has the design. */
#ifndef CRAWLD_JS_H
#define CRAWLD_JS_H

#include "arena.h"
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct js_runtime js_runtime;
struct dom;

typedef struct js_config {
    size_t heap_bytes;      /* JSGC_MAX_BYTES */
    size_t as_limit_bytes;  /* RLIMIT_AS set to this when >0 (never under ASan) */
    long time_budget_ms;    /* per page, wall clock for all its scripts */
    long rss_stop_kb;       /* a page's scripts stop when RSS passes this (0: never);
                             * sampled by the watchdog while a page runs */
    const char *user_agent; /* navigator.userAgent */
} js_config;

/* What a page's scripts fetch (external <script src>, fetch(), XHR) goes
 * through the worker's curl multi with the page's limits. */
typedef struct js_response {
    long status;      /* 0 when no response */
    const char *body; /* in the page arena, NUL-terminated */
    size_t len;
    const char *content_type; /* may be NULL */
    const char *final_url;    /* may be NULL */
    const char *error;        /* "word: detail" when no response, else NULL */
} js_response;

/* A script's request with a method, a body and headers (XMLHttpRequest,
 * fetch()). Strings in the page arena. */
typedef struct js_request {
    const char *url;    /* absolute */
    const char *method; /* upper case: GET, POST, PUT, DELETE, HEAD... */
    const char *body;   /* NULL: none */
    size_t body_len;
    const char *const *headers; /* "Name: value" lines */
    int n_headers;
} js_request;

typedef struct js_host {
    void *ud;
    /* GET url (absolute). Returns 0 when a response came (any status). */
    int (*fetch)(void *ud, const char *url, js_response *out);
    /* console.* and script errors; level: 0 debug, 1 info, 2 warn, 3 error. */
    void (*log)(void *ud, int level, const char *msg);
    /* May be NULL. Called from the engine's interrupt callback every
     * JS_POLL_MS or so while the page's scripts run (the watchdog requests
     * the interrupts): the worker's other transfers go on meanwhile. It must
     * not run JavaScript. */
    void (*poll)(void *ud);
    /* Any method with a body and headers, under the same limits as fetch
     * (which counts the same requests); may be NULL (then only GET). */
    int (*request)(void *ud, const js_request *req, js_response *out);
    /* document.cookie against the job's cookie jar; both NULL: the realm
     * keeps what scripts set to itself. cookie_get: the cookies scripts
     * may read for the page's URL ("a=b; c=d", in the page arena; NULL on
     * no memory); cookie_set: one assignment's string (jar.h). */
    const char *(*cookie_get)(void *ud);
    void (*cookie_set)(void *ud, const char *s);
} js_host;

#define JS_POLL_MS 5

typedef struct js_page_result {
    int scripts_run;     /* classic scripts evaluated */
    int scripts_failed;  /* threw, or could not be fetched/compiled */
    int scripts_skipped; /* type=module, unknown types, nomodule aside */
    int timers_fired;
    int timed_out;           /* the time budget stopped a script */
    int out_of_memory;       /* a script ran out of memory, or was stopped at rss_stop_kb */
    double ms;               /* wall time inside js_page_run */
    const char *first_error; /* in the page arena, NULL when none */
    /* CRAWLD_JS_TRACE_MISSING: "kind.name:count ..." most read first, in the
     * page arena; NULL when the trace is off or nothing was missing. */
    const char *missing;
} js_page_result;

/* 0, or -1 with a message naming what failed. JS_Init happens on the first
 * call in the process; a second runtime in one process is refused. */
int js_runtime_new(const js_config *cfg, js_runtime **out, char *err, size_t errlen);
/* Destroys the context and shuts the engine down (needed before exit). */
void js_runtime_free(js_runtime *rt);

/* Runs the page's classic scripts against d in a fresh realm: in document
 * order (inline and external; an error in one does not stop the next), then
 * DOMContentLoaded, timers on virtual time and promise jobs until quiet or
 * the budget is spent, then load. Returns 0 when the page ran (scripts may
 * still have failed: see res), -1 when no realm could be made. Always
 * leaves no realm and no wrapper behind. */
int js_page_run(js_runtime *rt, struct dom *d, const js_host *host, js_page_result *res);

/* Memory hints, chosen by measurement (docs/platform-notes.md): moderate
 * after every page, critical when RSS passes the soft budget and on retire. */
void js_hint_moderate(js_runtime *rt);
void js_hint_critical(js_runtime *rt);

typedef struct js_heap_stats {
    size_t gc_bytes;         /* JSGC_BYTES */
    size_t gc_max_bytes;     /* JSGC_MAX_BYTES */
    unsigned long gc_number; /* GCs so far */
    unsigned long pages;     /* pages run */
    /* The compiled-script cache (runtime.cpp, "script cache"): classic
     * scripts are compiled once to a stencil and instantiated in every
     * later page that runs the same bytes under the same name. */
    unsigned long script_hits;      /* scripts instantiated from the cache */
    unsigned long script_compiles;  /* scripts compiled from source */
    unsigned long script_evictions; /* entries dropped to stay in bounds */
    size_t script_entries;          /* entries now */
    size_t script_source_bytes;     /* their source bytes now */
    /* The baseline JIT's warm-up trigger now: the engine's default between
     * pages (page_run.cpp raises it while the prelude's function runs). */
    unsigned long baseline_warmup;
} js_heap_stats;
void js_heap_stats_get(js_runtime *rt, js_heap_stats *out);

#ifdef __cplusplus
}
#endif

#endif
