/* shim.hpp — what runtime.cpp, bindings.cpp and prelude.cpp share inside the
 * SpiderMonkey shim: the runtime and page structs, the global's reserved
 * slots and the helpers that turn a JS failure into a page result.
 *
 * Nothing here is visible from C (js.h is the only public header). */
#ifndef CRAWLD_JS_SHIM_HPP
#define CRAWLD_JS_SHIM_HPP

#include <jsapi.h>
#include <jsfriendapi.h>
#include <js/Array.h>
#include <js/CompilationAndEvaluation.h>
#include <js/Conversions.h>
#include <js/ContextOptions.h>
#include <js/ErrorReport.h>
#include <js/Exception.h>
#include <js/GCVector.h>
#include <js/Initialization.h>
#include <js/Interrupt.h>
#include <js/MapAndSet.h>
#include <js/MemoryCallbacks.h>
#include <js/Promise.h>
#include <js/SourceText.h>
#include <js/experimental/JSStencil.h>
#include <mozilla/RefPtr.h>

#include <atomic>
#include <pthread.h>
#include <stdint.h>

extern "C" {
#include "alloc.h"
#include "arena.h"
#include "dom.h"
#include "js.h"
#include "rss.h"
#include "url.h"
}

/* The global's application slots (JSCLASS_GLOBAL_APPLICATION_SLOTS is 5). */
enum {
    GSLOT_NODEMAP = 0, /* Map: (double)(uintptr_t)GumboNode* -> wrapper */
    GSLOT_WRAPPERS,    /* Array of every wrapper made for the page */
    GSLOT_PROTOS,      /* Array [document, element, text, comment] prototypes */
    GSLOT_HOOKS,       /* the prelude's hooks object (runTimer, fire, ...) */
    GSLOT_COUNT
};

/* A node wrapper's reserved slots. */
enum { NSLOT_NODE = 0, NSLOT_GEN, NSLOT_COUNT };

struct js_runtime;

/* Pointer set in the page arena (scripts already started). */
struct ptrset {
    const void **slots;
    size_t cap, n;
};

/* One js_page_run. Lives on js_page_run's stack; rt->page points to it
 * only while the page runs. */
struct Page {
    js_runtime *rt;
    JSContext *cx;
    dom *d;
    arena *a;
    const js_host *host;
    js_page_result *res;
    int32_t gen;             /* wrappers carry it; other values are stale */
    int64_t deadline_ns;     /* CLOCK_MONOTONIC */
    GumboNode *current_script;
    bool stop;               /* timed out or out of memory: run nothing more */
    bool scripts_added;      /* a script element was attached somewhere */
    char *wbuf;              /* document.write text of the running script */
    size_t wlen, wcap;
    ptrset started;          /* script elements already run or never to run */
    int console_lines;
    int fetches;
};

class PageJobQueue;

/* One compiled classic script in the runtime's script cache (runtime.cpp).
 * Allocated with alloc_zeroed; holds one reference on its stencil. */
struct ScriptEntry {
    ScriptEntry *prev, *next;    /* LRU list: head most recently used */
    unsigned char digest[32];    /* SHA-256 of the source bytes */
    size_t src_len;
    unsigned line;               /* first line given to the compiler */
    char *file;                  /* alloc_strdup: the name errors carry */
    JS::Stencil *stencil;
};

struct js_runtime {
    JSContext *cx;
    js_config cfg;
    char *user_agent;                      /* alloc_strdup */
    bool trace_missing;                    /* CRAWLD_JS_TRACE_MISSING: count undefined reads */
    PageJobQueue *jobq;
    JS::PersistentRootedObjectVector *jobs; /* promise jobs of the page */
    JS::PersistentRootedObjectVector *rejected; /* rejected promises with no handler yet */
    size_t job_head;
    JS::Stencil *prelude;                  /* compiled once, instantiated per page */
    ScriptEntry *sc_head, *sc_tail;        /* script cache, LRU order */
    size_t sc_entries, sc_bytes;           /* entries, their source bytes */
    unsigned long sc_hits, sc_compiles, sc_evictions;
    JS::PersistentRootedObject *zone_anchor; /* a global whose zone every page shares */
    Page *page;                            /* the page running, or NULL */
    std::atomic<int64_t> deadline_ns;      /* 0: no page */
    std::atomic<bool> deadline_hit;
    std::atomic<bool> oom_seen;
    std::atomic<bool> rss_hit;             /* the watchdog saw RSS over cfg.rss_stop_kb */
    std::atomic<long> rss_hit_kb;          /* the RSS it saw */
    /* watchdog */
    pthread_t wd_thread;
    pthread_mutex_t wd_mu;
    pthread_cond_t wd_cv;
    bool wd_started;
    bool wd_quit;
    bool wd_page;        /* a page runs: sample RSS; guarded by wd_mu */
    int64_t wd_deadline; /* guarded by wd_mu */
    bool wd_poll;        /* the page's host polls: interrupt every JS_POLL_MS; guarded by wd_mu */
    bool in_poll;        /* the engine thread is inside host->poll */
    /* stats */
    unsigned long pages;
    size_t bytes_after_gc;
    int32_t gen;
};

int64_t shim_now_ns(void);

/* True (and the page marked stopped) when the budget is spent or memory ran
 * out; checked before anything new runs. */
bool shim_page_should_stop(Page *pg);
/* After a JSAPI call returned false: report and clear the pending exception
 * (level 3 with file:line), or mark the page timed out / out of memory when
 * the failure was uncatchable. where: "script", "timer", "promise job"... */
void shim_handle_failure(Page *pg, const char *where);
/* Reports an exception value caught in JS (the prelude's try/catch). */
void shim_report_value(Page *pg, JS::HandleValue v, const char *where);
void shim_log(Page *pg, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void shim_note_error(Page *pg, const char *msg);
/* runtime.cpp, for page_run.cpp: the promise job queue run and dropped, a
 * page marked out of memory, the watchdog armed for a page (page true, its
 * deadline) or idle, and a script's stencil from the cache or compiled. */
void shim_drain_jobs(Page *pg);
void shim_drop_jobs(js_runtime *rt);
void shim_mark_oom(Page *pg);
void shim_watchdog_arm(js_runtime *rt, bool page, int64_t deadline_ns);
already_AddRefed<JS::Stencil> shim_script_stencil(js_runtime *rt, JSContext *cx,
                                                  const JS::ReadOnlyCompileOptions &opts,
                                                  const char *file, unsigned line,
                                                  const char *src, size_t len);

/* Requests a page's scripts may make (script src, fetch, XHR). */
#define FETCH_MAX_PER_PAGE 100

/* bindings.cpp */
Page *bindings_page(JSContext *cx); /* the running page, or an exception */
/* The GumboNode of a live wrapper of this page, or an exception. */
bool bindings_node(JSContext *cx, Page *pg, JS::HandleValue v, GumboNode **out);
/* A UTF-8 string (bad bytes as U+FFFD); NULL gives null. */
bool bindings_string(JSContext *cx, JS::MutableHandleValue out, const char *s, size_t len);
/* bindings_doc.cpp: the second table of natives (documents, requests). */
bool bindings_doc_define(JSContext *cx, JS::HandleObject natives);
/* page_run.cpp: a script element was inserted into the document; an inline
 * classic one not started yet runs now, as in browsers. */
void shim_script_inserted(Page *pg, GumboNode *script);

bool bindings_define_natives(JSContext *cx, JS::HandleObject natives);
bool bindings_wrap(JSContext *cx, Page *pg, GumboNode *n, JS::MutableHandleValue out);
void bindings_clear_wrappers(JSContext *cx, JS::HandleObject global);
extern const JSClass bindings_global_class;
bool ptrset_has(const ptrset *s, const void *p);
bool ptrset_add(arena *a, ptrset *s, const void *p);
/* Marks every script element under root (root included) started, so that
 * markup parsed by innerHTML never runs (as in browsers). */
void bindings_mark_scripts_started(Page *pg, GumboNode *root);

/* prelude.cpp and prelude_dom.cpp: the two halves of one function's source */
extern const char prelude_source[];
extern const size_t prelude_source_len;
extern const char prelude_dom_source[];
extern const size_t prelude_dom_source_len;

#endif
