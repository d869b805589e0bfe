/* runtime.cpp — the engine, the watchdog, the job queue, the script cache
 * and GC hints (js.h). A page's life (its scripts, events and timers) is in
 * page_run.cpp; the DOM surface in bindings.cpp (natives) and prelude.cpp
 * (JS over those natives). */
#include "shim.hpp"

#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <openssl/sha.h>

#if defined(__SANITIZE_ADDRESS__)
#define SHIM_ASAN 1
#else
#define SHIM_ASAN 0
#endif

/* Process-wide: JS_Init may run once (a second call crashes, even after
 * JS_ShutDown), so a second runtime is refused for the life of the process. */
static std::atomic<int> g_engine_used{0};

/* moderate hint: a full (non-shrinking) GC once the GC heap grew this much
 * since the last collection; below it, JS_MaybeGC (see js_hint_moderate).
 * Chosen with bench_js: larger keeps more RSS for no less CPU, smaller
 * collects almost every page (docs/platform-notes.md has the runs). */
#define MODERATE_GROWTH_BYTES (4u << 20)

/* While a page runs the watchdog reads RSS this often (watchdog_main): often
 * enough that a script filling memory as fast as it can passes the RSS line
 * by little, rarely enough that the reads cost nothing visible
 * (docs/platform-notes.md has both rates). */
#define WATCHDOG_SAMPLE_NS ((int64_t)5 * 1000000)

/* Script cache bounds (see "script cache" below): 8 MiB of source holds a
 * few sites' worth of libraries; its stencils cost several times that in
 * RSS (docs/platform-notes.md), well under rss_soft_mb's default 256. */
#define SCRIPT_CACHE_MAX_BYTES ((size_t)8 << 20)
#define SCRIPT_CACHE_MAX_ENTRIES 256

int64_t shim_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- job queue ----
 *
 * Our own JS::JobQueue rather than js::UseInternalJobQueues + js::RunJobs
 * (both exist in 102): the internal queue reports an uncaught exception of a
 * job through js::PrepareScriptEnvironmentAndInvoke, which MOZ_RELEASE_ASSERTs
 * that the embedding set a ScriptEnvironmentPreparer, and it cannot be told
 * to stop at the page's budget between two jobs. Jobs live in a
 * PersistentRootedObjectVector (traced), are drained after every script and
 * every timer callback, and are dropped at the end of the page. */
class PageJobQueue : public JS::JobQueue
{
  public:
    explicit PageJobQueue(js_runtime *rt) : rt_(rt) {}
    JSObject *getIncumbentGlobal(JSContext *cx) override { return JS::CurrentGlobalOrNull(cx); }
    bool enqueuePromiseJob(JSContext *cx, JS::HandleObject, JS::HandleObject job, JS::HandleObject,
                           JS::HandleObject) override
    {
        if (!rt_->page)
            return true; /* no page: nothing would ever run it */
        if (!rt_->jobs->append(job)) {
            JS_ReportOutOfMemory(cx);
            return false;
        }
        return true;
    }
    void runJobs(JSContext *) override;
    bool empty() const override { return rt_->job_head >= rt_->jobs->length(); }

  private:
    js::UniquePtr<SavedJobQueue> saveJobQueue(JSContext *) override
    {
        return js::MakeUnique<SavedJobQueue>();
    }
    js_runtime *rt_;
};

/* Rejections still without a handler once the queue is empty are reported,
 * as browsers do at a microtask checkpoint. */
static void on_rejection(JSContext *, bool, JS::HandleObject promise,
                         JS::PromiseRejectionHandlingState state, void *data)
{
    js_runtime *rt = (js_runtime *)data;
    if (!rt->page)
        return;
    if (state == JS::PromiseRejectionHandlingState::Unhandled) {
        if (rt->rejected->length() < 1000 && !rt->rejected->append(promise))
            rt->oom_seen.store(true);
        return;
    }
    for (size_t i = 0; i < rt->rejected->length(); i++) {
        if ((*rt->rejected)[i] == promise) {
            rt->rejected->erase(rt->rejected->begin() + i);
            break;
        }
    }
}

static void report_rejections(Page *pg)
{
    js_runtime *rt = pg->rt;
    if (!rt->rejected->length())
        return;
    JSContext *cx = pg->cx;
    JS::RootedObject p(cx);
    JS::RootedValue v(cx);
    size_t n = rt->rejected->length();
    for (size_t i = 0; i < n && !pg->stop; i++) {
        p = (*rt->rejected)[i];
        v = JS::GetPromiseResult(p);
        shim_report_value(pg, v, "unhandled promise rejection");
    }
    rt->rejected->clear();
}

void shim_drain_jobs(Page *pg)
{
    js_runtime *rt = pg->rt;
    JSContext *cx = pg->cx;
    JS::RootedObject job(cx);
    JS::RootedValue rv(cx);
    while (!pg->stop && rt->job_head < rt->jobs->length()) {
        if (shim_page_should_stop(pg))
            break;
        job = (*rt->jobs)[rt->job_head];
        rt->job_head++;
        if (!JS::Call(cx, JS::UndefinedHandleValue, job, JS::HandleValueArray::empty(), &rv))
            shim_handle_failure(pg, "promise job");
        /* A job that queues a job forever must not grow the vector forever. */
        if (rt->job_head >= 1024 && rt->job_head * 2 >= rt->jobs->length()) {
            rt->jobs->erase(rt->jobs->begin(), rt->jobs->begin() + rt->job_head);
            rt->job_head = 0;
        }
    }
    if (rt->job_head >= rt->jobs->length()) {
        rt->jobs->clear();
        rt->job_head = 0;
        report_rejections(pg);
    }
}

void PageJobQueue::runJobs(JSContext *)
{
    if (rt_->page)
        shim_drain_jobs(rt_->page);
}

void shim_drop_jobs(js_runtime *rt)
{
    rt->jobs->clear();
    rt->job_head = 0;
    rt->rejected->clear();
}

/* ---- reporting ---- */

void shim_log(Page *pg, int level, const char *fmt, ...)
{
    if (!pg->host || !pg->host->log)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    pg->host->log(pg->host->ud, level, buf);
}

void shim_note_error(Page *pg, const char *msg)
{
    if (!pg->res->first_error)
        pg->res->first_error = arena_strdup(pg->a, msg);
}

static void mark_timeout(Page *pg)
{
    if (!pg->res->timed_out) {
        pg->res->timed_out = 1;
        shim_log(pg, 2, "js: time budget of %ld ms spent, scripts stopped",
                 pg->rt->cfg.time_budget_ms);
        shim_note_error(pg, "timeout: time budget spent");
    }
    pg->stop = true;
}

void shim_mark_oom(Page *pg)
{
    if (!pg->res->out_of_memory) {
        pg->res->out_of_memory = 1;
        shim_log(pg, 3, "js: out of memory, scripts stopped");
        shim_note_error(pg, "oom: script ran out of memory");
    }
    pg->stop = true;
}

/* The watchdog saw the process's RSS over the line (see watchdog_main). The
 * page is marked out of memory, as when the engine itself ran out. */
static void mark_rss(Page *pg)
{
    if (!pg->res->out_of_memory) {
        js_runtime *rt = pg->rt;
        long line_mb = rt->cfg.rss_stop_kb / 1024;
        pg->res->out_of_memory = 1;
        shim_log(pg, 3, "js: worker memory %ld MB over %ld MB, scripts stopped",
                 rt->rss_hit_kb.load() / 1024, line_mb);
        char msg[96];
        snprintf(msg, sizeof(msg), "oom: script stopped: worker memory over %ld MB", line_mb);
        shim_note_error(pg, msg);
    }
    pg->stop = true;
}

bool shim_page_should_stop(Page *pg)
{
    if (pg->stop)
        return true;
    if (pg->rt->rss_hit.load(std::memory_order_relaxed)) {
        mark_rss(pg);
        return true;
    }
    if (pg->rt->oom_seen.load(std::memory_order_relaxed)) {
        shim_mark_oom(pg);
        return true;
    }
    if (pg->deadline_ns && shim_now_ns() >= pg->deadline_ns) {
        mark_timeout(pg);
        return true;
    }
    return false;
}

static void report_stack(Page *pg, JS::ExceptionStack &es, const char *where)
{
    JSContext *cx = pg->cx;
    JS::ErrorReportBuilder rb(cx);
    char msg[1024];
    if (!rb.init(cx, es, JS::ErrorReportBuilder::NoSideEffects)) {
        JS_ClearPendingException(cx);
        snprintf(msg, sizeof(msg), "%s: uncaught exception (not reportable)", where);
    } else {
        JSErrorReport *r = rb.report();
        const char *text = rb.toStringResult() ? rb.toStringResult().c_str() : "exception";
        if (r && r->filename)
            snprintf(msg, sizeof(msg), "%s:%u:%u: %s (%s)", r->filename, r->lineno, r->column + 1,
                     text, where);
        else
            snprintf(msg, sizeof(msg), "%s (%s)", text, where);
    }
    if (pg->host && pg->host->log)
        pg->host->log(pg->host->ud, 3, msg);
    shim_note_error(pg, msg);
}

void shim_report_value(Page *pg, JS::HandleValue v, const char *where)
{
    JSContext *cx = pg->cx;
    if (pg->rt->oom_seen.load()) {
        shim_mark_oom(pg);
        return;
    }
    JS::RootedObject stack(cx);
    if (v.isObject()) {
        JS::RootedObject o(cx, &v.toObject());
        stack = JS::ExceptionStackOrNull(o);
    }
    JS::ExceptionStack es(cx, v, stack);
    report_stack(pg, es, where);
}

void shim_handle_failure(Page *pg, const char *where)
{
    JSContext *cx = pg->cx;
    js_runtime *rt = pg->rt;
    if (JS_IsExceptionPending(cx)) {
        if (JS_IsThrowingOutOfMemory(cx) || rt->oom_seen.load()) {
            JS_ClearPendingException(cx);
            shim_mark_oom(pg);
            return;
        }
        JS::ExceptionStack es(cx);
        if (!JS::StealPendingExceptionStack(cx, &es)) {
            JS_ClearPendingException(cx);
            shim_log(pg, 3, "%s: exception could not be read", where);
            return;
        }
        report_stack(pg, es, where);
        return;
    }
    /* Uncatchable: our interrupt callback, or memory. */
    if (rt->rss_hit.load())
        mark_rss(pg);
    else if (rt->deadline_hit.load() || (pg->deadline_ns && shim_now_ns() >= pg->deadline_ns))
        mark_timeout(pg);
    else if (rt->oom_seen.load())
        shim_mark_oom(pg);
    else
        shim_log(pg, 3, "%s: terminated", where);
}

/* ---- interrupt and watchdog ---- */

static bool on_interrupt(JSContext *cx)
{
    js_runtime *rt = (js_runtime *)JS_GetContextPrivate(cx);
    if (rt->rss_hit.load())
        return false; /* memory: the running script stops (uncatchable) */
    int64_t dl = rt->deadline_ns.load();
    if (dl && shim_now_ns() >= dl) {
        rt->deadline_hit.store(true);
        return false; /* uncatchable: the running script stops */
    }
    /* The host's network step: other pages' transfers go on while this
     * page's scripts run (it runs no JavaScript, so no re-entry). */
    Page *pg = rt->page;
    if (pg && pg->host && pg->host->poll && !rt->in_poll) {
        rt->in_poll = true;
        pg->host->poll(pg->host->ud);
        rt->in_poll = false;
    }
    return true;
}

static void on_oom(JSContext *cx, void *)
{
    js_runtime *rt = (js_runtime *)JS_GetContextPrivate(cx);
    rt->oom_seen.store(true);
}

static void ts_from_ns(struct timespec *ts, int64_t ns)
{
    ts->tv_sec = ns / 1000000000;
    ts->tv_nsec = ns % 1000000000;
}

/* While a page runs, the watchdog reads the process's RSS every
 * WATCHDOG_SAMPLE_NS (when cfg.rss_stop_kb is set) and sleeps until the
 * deadline otherwise; it sleeps on its condition variable while no page
 * runs. At the deadline, or once RSS passed the line, it asks the engine to
 * call on_interrupt (the only thread-safe way into a running script), again
 * every WATCHDOG_SAMPLE_NS while the page lasts, in case a request landed
 * between two scripts. The RSS line stops memory the GC heap limit does not
 * count (array elements, strings, typed arrays are malloc'd) before the
 * supervisor's hard budget kills the worker; one allocation larger than
 * what is left is RLIMIT_AS's to refuse. */
static void *watchdog_main(void *arg)
{
    js_runtime *rt = (js_runtime *)arg;
    const long line_kb = rt->cfg.rss_stop_kb;
    pthread_mutex_lock(&rt->wd_mu);
    while (!rt->wd_quit) {
        if (!rt->wd_page) {
            pthread_cond_wait(&rt->wd_cv, &rt->wd_mu);
            continue;
        }
        int64_t dl = rt->wd_deadline;
        bool hit = rt->rss_hit.load();
        if (!hit && line_kb > 0) {
            long kb = rss_self_kb();
            if (kb > line_kb) {
                rt->rss_hit_kb.store(kb);
                rt->rss_hit.store(true);
                hit = true;
            }
        }
        int64_t now = shim_now_ns();
        int64_t wake;
        if (hit || (dl && now >= dl)) {
            JS_RequestInterruptCallback(rt->cx);
            wake = now + WATCHDOG_SAMPLE_NS;
        } else if (rt->wd_poll) {
            JS_RequestInterruptCallback(rt->cx); /* the host's network step */
            wake = now + (int64_t)JS_POLL_MS * 1000000;
            if (dl && dl < wake)
                wake = dl;
        } else if (line_kb > 0) {
            wake = now + WATCHDOG_SAMPLE_NS;
            if (dl && dl < wake)
                wake = dl;
        } else if (dl) {
            wake = dl;
        } else {
            pthread_cond_wait(&rt->wd_cv, &rt->wd_mu);
            continue;
        }
        struct timespec ts;
        ts_from_ns(&ts, wake);
        pthread_cond_timedwait(&rt->wd_cv, &rt->wd_mu, &ts);
    }
    pthread_mutex_unlock(&rt->wd_mu);
    return NULL;
}

/* page: a page starts (true) or ended (false); deadline_ns 0: no time limit. */
void shim_watchdog_arm(js_runtime *rt, bool page, int64_t deadline_ns)
{
    rt->deadline_hit.store(false);
    rt->deadline_ns.store(deadline_ns);
    pthread_mutex_lock(&rt->wd_mu);
    rt->wd_page = page;
    rt->wd_deadline = deadline_ns;
    rt->wd_poll = page && rt->page && rt->page->host && rt->page->host->poll;
    pthread_cond_signal(&rt->wd_cv);
    pthread_mutex_unlock(&rt->wd_mu);
}

/* ---- runtime ---- */

static size_t stack_quota(void)
{
    struct rlimit rl;
    size_t lim = 8u << 20;
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        lim = (size_t)rl.rlim_cur;
    size_t q = lim / 2;
    if (q > (4u << 20))
        q = 4u << 20;
    if (q < (256u << 10))
        q = 256u << 10;
    return q;
}

static size_t vm_size_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "re");
    unsigned long pages = 0;
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

/* ---- script cache ----
 *
 * Every classic script is compiled to a JS::Stencil (parser output, bound
 * to no realm) and instantiated in the page's realm; the stencil is kept,
 * keyed by the SHA-256 of the exact source bytes plus the file name and
 * first line given to the compiler. The name and line are part of the key
 * because a stencil carries them: an error thrown by a cached script must
 * name the same file:line as a fresh compile would, so an inline script is
 * only shared by pages with the same URL, while an external script (named
 * by its URL, line 1) is shared by every page that loads it. A script that
 * does not compile is never cached: the next page compiles it again and
 * reports the same SyntaxError.
 *
 * Bounded: at most SCRIPT_CACHE_MAX_ENTRIES entries and
 * SCRIPT_CACHE_MAX_BYTES of source; least recently used entries go first,
 * and a script larger than the byte bound is run but not kept. The stencil
 * costs several times its source (measured in docs/platform-notes.md). The
 * cache lives as long as the runtime, and js_hint_critical empties it. */
static void script_entry_free(ScriptEntry *e)
{
    if (e->stencil)
        JS::StencilRelease(e->stencil);
    alloc_strfree(e->file);
    alloc_free(e, sizeof(*e));
}

static void script_cache_unlink(js_runtime *rt, ScriptEntry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        rt->sc_head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        rt->sc_tail = e->prev;
    e->prev = e->next = nullptr;
    rt->sc_entries--;
    rt->sc_bytes -= e->src_len;
}

static void script_cache_push_front(js_runtime *rt, ScriptEntry *e)
{
    e->prev = nullptr;
    e->next = rt->sc_head;
    if (rt->sc_head)
        rt->sc_head->prev = e;
    rt->sc_head = e;
    if (!rt->sc_tail)
        rt->sc_tail = e;
    rt->sc_entries++;
    rt->sc_bytes += e->src_len;
}

static void script_cache_drop(js_runtime *rt)
{
    while (rt->sc_head) {
        ScriptEntry *e = rt->sc_head;
        script_cache_unlink(rt, e);
        script_entry_free(e);
    }
}

/* The stencil for this source under this name: from the cache, or compiled
 * now (and kept when it fits). NULL with an exception pending (or an
 * uncatchable failure) when it does not compile. */
already_AddRefed<JS::Stencil> shim_script_stencil(js_runtime *rt, JSContext *cx,
                                                  const JS::ReadOnlyCompileOptions &opts,
                                                  const char *file, unsigned line, const char *src,
                                                  size_t len)
{
    unsigned char digest[32];
    SHA256((const unsigned char *)src, len, digest);
    for (ScriptEntry *e = rt->sc_head; e; e = e->next) {
        if (e->src_len == len && e->line == line && !memcmp(e->digest, digest, sizeof(digest)) &&
            !strcmp(e->file, file)) {
            if (e != rt->sc_head) {
                script_cache_unlink(rt, e);
                script_cache_push_front(rt, e);
            }
            rt->sc_hits++;
            RefPtr<JS::Stencil> st(e->stencil);
            return st.forget();
        }
    }
    JS::SourceText<mozilla::Utf8Unit> text;
    if (!text.init(cx, src, len, JS::SourceOwnership::Borrowed))
        return nullptr;
    /* The source is copied into the stencil's ScriptSource: the page arena
     * may go. */
    RefPtr<JS::Stencil> st = JS::CompileGlobalScriptToStencil(cx, opts, text);
    if (!st)
        return nullptr;
    rt->sc_compiles++;
    if (len > SCRIPT_CACHE_MAX_BYTES)
        return st.forget();
    ScriptEntry *e = (ScriptEntry *)alloc_zeroed(sizeof(ScriptEntry));
    char *fcopy = alloc_strdup(file);
    if (!e || !fcopy) { /* not kept; the page still runs it */
        if (e)
            alloc_free(e, sizeof(*e));
        alloc_strfree(fcopy);
        return st.forget();
    }
    memcpy(e->digest, digest, sizeof(digest));
    e->src_len = len;
    e->line = line;
    e->file = fcopy;
    e->stencil = st.get();
    JS::StencilAddRef(e->stencil);
    while (rt->sc_tail && (rt->sc_entries + 1 > SCRIPT_CACHE_MAX_ENTRIES ||
                           rt->sc_bytes + len > SCRIPT_CACHE_MAX_BYTES)) {
        ScriptEntry *old = rt->sc_tail;
        script_cache_unlink(rt, old);
        script_entry_free(old);
        rt->sc_evictions++;
    }
    script_cache_push_front(rt, e);
    return st.forget();
}

static void runtime_destroy(js_runtime *rt)
{
    if (rt->wd_started) {
        pthread_mutex_lock(&rt->wd_mu);
        rt->wd_quit = true;
        pthread_cond_signal(&rt->wd_cv);
        pthread_mutex_unlock(&rt->wd_mu);
        pthread_join(rt->wd_thread, NULL);
    }
    pthread_cond_destroy(&rt->wd_cv);
    pthread_mutex_destroy(&rt->wd_mu);
    if (rt->cx) {
        script_cache_drop(rt);
        if (rt->prelude)
            JS::StencilRelease(rt->prelude);
        if (rt->zone_anchor) {
            rt->zone_anchor->~PersistentRooted();
            alloc_free(rt->zone_anchor, sizeof(*rt->zone_anchor));
        }
        if (rt->jobs) {
            rt->jobs->~PersistentRootedVector();
            alloc_free(rt->jobs, sizeof(*rt->jobs));
        }
        if (rt->rejected) {
            rt->rejected->~PersistentRootedVector();
            alloc_free(rt->rejected, sizeof(*rt->rejected));
        }
        JS::SetJobQueue(rt->cx, nullptr);
        JS_DestroyContext(rt->cx);
    }
    if (rt->jobq) {
        rt->jobq->~PageJobQueue();
        alloc_free(rt->jobq, sizeof(*rt->jobq));
    }
    alloc_strfree(rt->user_agent);
    rt->~js_runtime();
    alloc_free(rt, sizeof(*rt));
    JS_ShutDown();
}

extern "C" int js_runtime_new(const js_config *cfg, js_runtime **out, char *err, size_t errlen)
{
    *out = NULL;
    int expect = 0;
    if (!g_engine_used.compare_exchange_strong(expect, 1)) {
        snprintf(err, errlen, "js: one runtime per process (JS_Init cannot run twice)");
        return -1;
    }
    if (!JS_Init()) {
        snprintf(err, errlen, "js: JS_Init failed");
        return -1;
    }
    void *mem = alloc_zeroed(sizeof(js_runtime));
    if (!mem) {
        JS_ShutDown();
        snprintf(err, errlen, "js: out of memory");
        return -1;
    }
    js_runtime *rt = new (mem) js_runtime();
    rt->cfg = *cfg;
    rt->cfg.user_agent = NULL;
    rt->user_agent = alloc_strdup(cfg->user_agent ? cfg->user_agent : "crawld");
    {
        /* docs/worker.md, "Missing properties": off unless asked for. */
        const char *tm = getenv("CRAWLD_JS_TRACE_MISSING");
        rt->trace_missing = tm && *tm && strcmp(tm, "0") != 0;
    }
    pthread_mutex_init(&rt->wd_mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&rt->wd_cv, &ca);
    pthread_condattr_destroy(&ca);

    size_t heap = cfg->heap_bytes ? cfg->heap_bytes : (size_t)64 << 20;
    if (heap > 0xffffffffu)
        heap = 0xffffffffu; /* JS_NewContext takes a uint32_t */
    rt->cx = JS_NewContext((uint32_t)heap);
    if (!rt->cx || !rt->user_agent) {
        snprintf(err, errlen, "js: JS_NewContext failed");
        goto fail;
    }
    JS_SetContextPrivate(rt->cx, rt);
    /* Before any code runs (JS_SetNativeStackQuota's rule): deep recursion
     * becomes a catchable InternalError instead of a SIGSEGV. */
    JS_SetNativeStackQuota(rt->cx, stack_quota());
    JS_SetGCParameter(rt->cx, JSGC_MAX_BYTES, (uint32_t)heap);
    /* wasm reserves gigabytes of address space per memory, which RLIMIT_AS
     * would refuse; pages do not need it to show their links. */
    JS::ContextOptionsRef(rt->cx).setWasm(false).setAsmJS(false);
    /* Ion off: page scripts run once and briefly, so Ion's compile time is
     * never paid back; the baseline JIT stays, turning it off too was slower
     * (bench_js; docs/platform-notes.md). */
    JS_SetGlobalJitCompilerOption(rt->cx, JSJITCOMPILER_ION_ENABLE, 0);
    if (!JS::InitSelfHostedCode(rt->cx)) {
        snprintf(err, errlen, "js: InitSelfHostedCode failed");
        goto fail;
    }
    {
        void *jm = alloc_zeroed(sizeof(PageJobQueue));
        void *vm = alloc_zeroed(sizeof(JS::PersistentRootedObjectVector));
        void *rm = alloc_zeroed(sizeof(JS::PersistentRootedObjectVector));
        if (!jm || !vm || !rm) {
            alloc_free(jm, sizeof(PageJobQueue));
            alloc_free(vm, sizeof(JS::PersistentRootedObjectVector));
            alloc_free(rm, sizeof(JS::PersistentRootedObjectVector));
            snprintf(err, errlen, "js: out of memory");
            goto fail;
        }
        rt->jobq = new (jm) PageJobQueue(rt);
        rt->jobs = new (vm) JS::PersistentRootedObjectVector(rt->cx);
        rt->rejected = new (rm) JS::PersistentRootedObjectVector(rt->cx);
    }
    JS::SetPromiseRejectionTrackerCallback(rt->cx, on_rejection, rt);
    JS::SetJobQueue(rt->cx, rt->jobq);
    if (!JS_AddInterruptCallback(rt->cx, on_interrupt)) {
        snprintf(err, errlen, "js: JS_AddInterruptCallback failed");
        goto fail;
    }
    JS::SetOutOfMemoryCallback(rt->cx, on_oom, rt);
    {
        JS::RealmOptions ro;
        void *am = alloc_zeroed(sizeof(JS::PersistentRootedObject));
        if (!am) {
            snprintf(err, errlen, "js: out of memory");
            goto fail;
        }
        rt->zone_anchor = new (am) JS::PersistentRootedObject(rt->cx);
        rt->zone_anchor->set(JS_NewGlobalObject(rt->cx, &bindings_global_class, nullptr,
                                                JS::DontFireOnNewGlobalHook, ro));
        if (!rt->zone_anchor->get()) {
            snprintf(err, errlen, "js: zone anchor global failed");
            goto fail;
        }
    }
    (void)rss_self_kb(); /* its page size is cached before the watchdog reads it */
    if (pthread_create(&rt->wd_thread, NULL, watchdog_main, rt) != 0) {
        snprintf(err, errlen, "js: watchdog thread could not start");
        goto fail;
    }
    rt->wd_started = true;
    if (cfg->as_limit_bytes > 0 && !SHIM_ASAN) {
        /* The soft limit only, so a caller may still raise it. The engine's
         * reservations are made by now (JS_Init + a context: gigabytes of
         * address space, docs/platform-notes.md), so a limit below today's
         * size could only fail. */
        size_t vm_now = vm_size_bytes();
        if (vm_now && cfg->as_limit_bytes <= vm_now) {
            snprintf(err, errlen,
                     "js: as_limit_bytes %zu is below the process's virtual size %zu "
                     "(JS_Init + context ~2.2 GB; set it to that + the memory budget)",
                     cfg->as_limit_bytes, vm_now);
            goto fail;
        }
        struct rlimit rl;
        if (getrlimit(RLIMIT_AS, &rl) != 0) {
            snprintf(err, errlen, "js: getrlimit(RLIMIT_AS): %s", strerror(errno));
            goto fail;
        }
        rlim_t want = (rlim_t)cfg->as_limit_bytes;
        if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
            want = rl.rlim_max;
        rl.rlim_cur = want;
        if (setrlimit(RLIMIT_AS, &rl) != 0) {
            snprintf(err, errlen, "js: setrlimit(RLIMIT_AS): %s", strerror(errno));
            goto fail;
        }
    }
    rt->bytes_after_gc = JS_GetGCParameter(rt->cx, JSGC_BYTES);
    *out = rt;
    return 0;
fail:
    runtime_destroy(rt);
    return -1;
}

extern "C" void js_runtime_free(js_runtime *rt)
{
    if (!rt)
        return;
    runtime_destroy(rt);
}

/* ---- GC hints ----
 *
 * Chosen by measurement (tests/unit/test_js.c prints "measure:" lines;
 * docs/platform-notes.md has the figures): JS_MaybeGC alone does not
 * collect, so it cannot be the only hint.
 * moderate: a normal (non-shrinking) full GC once the GC heap grew by
 * min(MODERATE_GROWTH_BYTES, heap limit / 4) since the last one; below
 * that JS_MaybeGC (cheap; lets the engine finish what it started).
 * critical: a shrinking full GC, which also gives empty chunks back. */
extern "C" void js_hint_moderate(js_runtime *rt)
{
    if (!rt)
        return;
    JSContext *cx = rt->cx;
    size_t now = JS_GetGCParameter(cx, JSGC_BYTES);
    size_t growth = MODERATE_GROWTH_BYTES;
    size_t max = JS_GetGCParameter(cx, JSGC_MAX_BYTES);
    if (max / 4 < growth)
        growth = max / 4;
    if (now < rt->bytes_after_gc) /* the engine collected on its own */
        rt->bytes_after_gc = now;
    if (now > rt->bytes_after_gc + growth) {
        JS::PrepareForFullGC(cx);
        JS::NonIncrementalGC(cx, JS::GCOptions::Normal, JS::GCReason::API);
        rt->bytes_after_gc = JS_GetGCParameter(cx, JSGC_BYTES);
    } else {
        JS_MaybeGC(cx);
    }
}

extern "C" void js_hint_critical(js_runtime *rt)
{
    if (!rt)
        return;
    JSContext *cx = rt->cx;
    /* Compiled scripts are the first thing to give back: they come again
     * from source at the cost of one compile each. */
    script_cache_drop(rt);
    JS::PrepareForFullGC(cx);
    JS::NonIncrementalGC(cx, JS::GCOptions::Shrink, JS::GCReason::API);
    rt->bytes_after_gc = JS_GetGCParameter(cx, JSGC_BYTES);
}

extern "C" void js_heap_stats_get(js_runtime *rt, js_heap_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (!rt)
        return;
    out->gc_bytes = JS_GetGCParameter(rt->cx, JSGC_BYTES);
    out->gc_max_bytes = JS_GetGCParameter(rt->cx, JSGC_MAX_BYTES);
    out->gc_number = JS_GetGCParameter(rt->cx, JSGC_NUMBER);
    out->pages = rt->pages;
    out->script_hits = rt->sc_hits;
    out->script_compiles = rt->sc_compiles;
    out->script_evictions = rt->sc_evictions;
    out->script_entries = rt->sc_entries;
    out->script_source_bytes = rt->sc_bytes;
    uint32_t trigger = 0;
    if (JS_GetGlobalJitCompilerOption(rt->cx, JSJITCOMPILER_BASELINE_WARMUP_TRIGGER, &trigger))
        out->baseline_warmup = trigger;
}
