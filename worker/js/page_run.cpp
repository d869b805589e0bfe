/* page_run.cpp — the life of a page (js_page_run): its realm, its scripts in
 * document order (inline and external, through the script cache), the
 * DOMContentLoaded and load events, and timers in virtual time, all under
 * the watchdog's budget (runtime.cpp). */
#include "shim.hpp"

#include <malloc.h>
#include <string.h>
#include <strings.h>

/* Virtual-time limits of one page. */
#define TIMER_MAX_FIRINGS 10000
#define TIMER_VIRTUAL_MS 60000.0
#define TIMER_AFTER_LOAD_VIRTUAL_MS 5000.0
#define TIMER_AFTER_LOAD_FIRINGS 1000

/* ---- scripts ---- */

static bool ascii_ieq(const char *a, const char *b) { return strcasecmp(a, b) == 0; }

/* The HTML spec's JavaScript MIME type essences. */
static bool is_js_mime(const char *t)
{
    static const char *const types[] = {"application/ecmascript",
                                        "application/javascript",
                                        "application/x-ecmascript",
                                        "application/x-javascript",
                                        "text/ecmascript",
                                        "text/javascript",
                                        "text/javascript1.0",
                                        "text/javascript1.1",
                                        "text/javascript1.2",
                                        "text/javascript1.3",
                                        "text/javascript1.4",
                                        "text/javascript1.5",
                                        "text/jscript",
                                        "text/livescript",
                                        "text/x-ecmascript",
                                        "text/x-javascript"};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (ascii_ieq(t, types[i]))
            return true;
    return false;
}

enum script_kind { SCRIPT_CLASSIC, SCRIPT_MODULE, SCRIPT_OTHER };

/* type="module" is skipped and counted: there is no module loader (import
 * maps, module fetch graph) here. nomodule scripts do run: they are the
 * legacy fallback a module-less browser runs, and often hold the links. */
static script_kind classify(const GumboNode *n)
{
    const char *type = dom_get_attr(n, "type");
    char buf[64];
    if (!type || !*type) {
        const char *lang = dom_get_attr(n, "language");
        if (!type && lang && *lang) {
            snprintf(buf, sizeof(buf), "text/%s", lang);
            return is_js_mime(buf) ? SCRIPT_CLASSIC : SCRIPT_OTHER;
        }
        return SCRIPT_CLASSIC;
    }
    /* trim ASCII whitespace */
    while (*type == ' ' || *type == '\t' || *type == '\n' || *type == '\r' || *type == '\f')
        type++;
    size_t len = strlen(type);
    while (len && (type[len - 1] == ' ' || type[len - 1] == '\t' || type[len - 1] == '\n' ||
                   type[len - 1] == '\r' || type[len - 1] == '\f'))
        len--;
    if (len >= sizeof(buf))
        return SCRIPT_OTHER;
    memcpy(buf, type, len);
    buf[len] = '\0';
    if (ascii_ieq(buf, "module"))
        return SCRIPT_MODULE;
    return is_js_mime(buf) ? SCRIPT_CLASSIC : SCRIPT_OTHER;
}

static bool in_template(const GumboNode *n)
{
    for (const GumboNode *p = n->parent; p; p = p->parent)
        if (p->type == GUMBO_NODE_TEMPLATE)
            return true;
    return false;
}

static unsigned script_line(const GumboNode *n)
{
    if (n->type == GUMBO_NODE_ELEMENT && n->v.element.start_pos.line)
        return n->v.element.start_pos.line;
    return 1;
}

static bool call_hook(Page *pg, const char *name, const JS::HandleValueArray &argv,
                      JS::MutableHandleValue rv)
{
    JSContext *cx = pg->cx;
    JS::RootedObject global(cx, JS::CurrentGlobalOrNull(cx));
    JS::RootedValue hv(cx, JS::GetReservedSlot(global, GSLOT_HOOKS));
    if (!hv.isObject())
        return false;
    JS::RootedObject hooks(cx, &hv.toObject());
    if (!JS_CallFunctionName(cx, hooks, name, argv, rv)) {
        shim_handle_failure(pg, name);
        return false;
    }
    return true;
}

/* load / error at a script element (prelude hook fireAt). */
static void fire_at(Page *pg, GumboNode *n, const char *type)
{
    if (pg->stop)
        return;
    JSContext *cx = pg->cx;
    JS::RootedValueArray<2> argv(cx);
    JSString *s = JS_NewStringCopyZ(cx, type);
    if (!s || !bindings_wrap(cx, pg, n, argv[0])) {
        shim_handle_failure(pg, type);
        return;
    }
    argv[1].setString(s);
    JS::RootedValue rv(cx);
    call_hook(pg, "fireAt", argv, &rv);
}

static void flush_writes(Page *pg, GumboNode *script)
{
    if (!pg->wlen)
        return;
    dom_err e = dom_insert_html_after(pg->d, script, pg->wbuf, pg->wlen);
    if (e == DOM_HIERARCHY || e == DOM_NOT_FOUND) /* the script left the tree */
        e = dom_insert_html_after(pg->d, NULL, pg->wbuf, pg->wlen);
    if (e != DOM_OK)
        shim_log(pg, 2, "js: document.write dropped: %s", dom_err_word(e));
    else if (memmem(pg->wbuf, pg->wlen, "<script", 7) || memmem(pg->wbuf, pg->wlen, "<SCRIPT", 7))
        pg->scripts_added = true;
    pg->wlen = 0;
}

/* scripts_run counts scripts that completed, scripts_failed those that
 * threw, did not compile or could not be fetched: the two are disjoint.
 * eager: every inner function compiled into the stencil now (external
 * scripts, the ones pages share). A lazily compiled stencil leaves inner
 * functions to be parsed again in each realm on their first call, which
 * costs more than compiling them eagerly once (bench_jscache;
 * docs/platform-notes.md). Inline scripts, rarely seen twice, stay lazy
 * (cheaper to compile once). */
static void eval_script(Page *pg, GumboNode *n, const char *file, unsigned line, const char *src,
                        size_t len, bool eager)
{
    JSContext *cx = pg->cx;
    JS::CompileOptions opts(cx);
    opts.setFileAndLine(file, line).setNoScriptRval(true);
    if (eager)
        opts.setEagerDelazificationStrategy(JS::DelazificationOption::ParseEverythingEagerly);
    GumboNode *outer = pg->current_script; /* a script inserted by a running one */
    pg->current_script = n;
    bool ok = false;
    {
        RefPtr<JS::Stencil> st = shim_script_stencil(pg->rt, cx, opts, file, line, src, len);
        if (st) {
            JS::InstantiateOptions iopts(opts);
            JS::RootedScript script(cx, JS::InstantiateGlobalStencil(cx, iopts, st));
            ok = script && JS_ExecuteScript(cx, script);
        }
    }
    pg->current_script = outer;
    if (ok) {
        pg->res->scripts_run++;
    } else {
        pg->res->scripts_failed++;
        shim_handle_failure(pg, "script");
    }
    flush_writes(pg, n);
    /* A microtask checkpoint after every script, as browsers do. */
    shim_drain_jobs(pg);
}

static void run_script(Page *pg, GumboNode *n)
{
    ptrset_add(pg->a, &pg->started, n);
    if (in_template(n))
        return;
    switch (classify(n)) {
    case SCRIPT_CLASSIC:
        break;
    case SCRIPT_MODULE:
    case SCRIPT_OTHER:
        pg->res->scripts_skipped++;
        return;
    }
    const char *src = dom_get_attr(n, "src");
    if (src) {
        char *abs = NULL;
        url_err ue = url_resolve(pg->a, dom_base_url(pg->d), src, &abs);
        if (ue != URL_OK) {
            shim_log(pg, 3, "js: script src \"%.200s\" not fetched: %s", src, url_err_str(ue));
            pg->res->scripts_failed++;
            fire_at(pg, n, "error");
            return;
        }
        js_response resp;
        memset(&resp, 0, sizeof(resp));
        if (!pg->host || !pg->host->fetch || pg->host->fetch(pg->host->ud, abs, &resp) != 0) {
            shim_log(pg, 3, "js: script %s not fetched: %s", abs,
                     resp.error ? resp.error : "no fetcher");
            pg->res->scripts_failed++;
            fire_at(pg, n, "error");
            return;
        }
        if (resp.status < 200 || resp.status > 299 || !resp.body) {
            shim_log(pg, 3, "js: script %s: HTTP %ld", abs, resp.status);
            pg->res->scripts_failed++;
            fire_at(pg, n, "error");
            return;
        }
        if (shim_page_should_stop(pg))
            return;
        eval_script(pg, n, resp.final_url ? resp.final_url : abs, 1, resp.body, resp.len, true);
        fire_at(pg, n, "load");
        return;
    }
    size_t len = 0;
    char *text = dom_text_content(pg->d, n, &len);
    if (!text) {
        pg->res->scripts_failed++;
        return;
    }
    eval_script(pg, n, dom_url(pg->d), script_line(n), text, len,
                false); /* inline: named by the page */
}

void shim_script_inserted(Page *pg, GumboNode *n)
{
    /* External scripts run after the running task (as async ones do);
     * inline ones at once: jQuery's globalEval inserts and removes one. */
    if (dom_get_attr(n, "src") || ptrset_has(&pg->started, n) || shim_page_should_stop(pg))
        return;
    if (classify(n) != SCRIPT_CLASSIC || in_template(n) || !dom_first_child(n))
        return;
    char *saved = pg->wbuf;
    size_t wlen = pg->wlen, wcap = pg->wcap;
    pg->wbuf = NULL; /* its document.write text is its own */
    pg->wlen = pg->wcap = 0;
    run_script(pg, n);
    pg->wbuf = saved;
    pg->wlen = wlen;
    pg->wcap = wcap;
}

/* Runs every script element not started yet, in document order; starts over
 * when one attached new scripts (document.write, appendChild). */
static void run_pending_scripts(Page *pg)
{
    do {
        pg->scripts_added = false;
        dom_list l = {NULL, 0};
        if (dom_by_tag(pg->d, dom_document(pg->d), "script", &l) != DOM_OK) {
            shim_mark_oom(pg);
            return;
        }
        for (size_t i = 0; i < l.n && !pg->stop; i++) {
            if (ptrset_has(&pg->started, l.items[i]))
                continue;
            if (shim_page_should_stop(pg))
                return;
            run_script(pg, l.items[i]);
            if (pg->scripts_added)
                break;
        }
    } while (pg->scripts_added && !pg->stop);
}

static void fire(Page *pg, const char *event)
{
    if (shim_page_should_stop(pg))
        return;
    JSContext *cx = pg->cx;
    JS::RootedValueArray<1> argv(cx);
    JSString *s = JS_NewStringCopyZ(cx, event);
    if (!s) {
        shim_handle_failure(pg, event);
        return;
    }
    argv[0].setString(s);
    JS::RootedValue rv(cx);
    call_hook(pg, "fire", argv, &rv);
    shim_drain_jobs(pg);
    if (pg->scripts_added)
        run_pending_scripts(pg);
}

/* Virtual time: the prelude's clock jumps to the next due timer. */
static void run_timers(Page *pg, double vlimit, int max_firings)
{
    JSContext *cx = pg->cx;
    JS::RootedValueArray<1> argv(cx);
    argv[0].setDouble(vlimit);
    JS::RootedValue rv(cx);
    int fired = 0;
    while (!shim_page_should_stop(pg) && fired < max_firings) {
        if (!call_hook(pg, "runTimer", argv, &rv))
            continue; /* the callback failed: reported; stop flags checked above */
        if (!rv.isInt32() || rv.toInt32() == 0)
            break;
        fired++;
        pg->res->timers_fired++;
        shim_drain_jobs(pg);
        if (pg->scripts_added)
            run_pending_scripts(pg);
    }
}

/* The baseline JIT's warm-up trigger while the prelude's function runs:
 * never reached (-1 puts the engine's default back). */
#define PRELUDE_WARMUP 1000000000u

static bool setup_realm(Page *pg, JS::HandleObject global)
{
    JSContext *cx = pg->cx;
    js_runtime *rt = pg->rt;
    /* Standard classes resolve lazily (DefaultGlobalClassOps): eager
     * InitRealmStandardClasses costs every page (docs/platform-notes.md). */
    JS::RootedObject map(cx, JS::NewMapObject(cx));
    JS::RootedObject wrappers(cx, JS::NewArrayObject(cx, 0));
    JS::RootedObject protos(cx, JS::NewArrayObject(cx, 4));
    if (!map || !wrappers || !protos)
        return false;
    JS::SetReservedSlot(global, GSLOT_NODEMAP, JS::ObjectValue(*map));
    JS::SetReservedSlot(global, GSLOT_WRAPPERS, JS::ObjectValue(*wrappers));
    JS::SetReservedSlot(global, GSLOT_PROTOS, JS::ObjectValue(*protos));

    if (!rt->prelude) {
        JS::CompileOptions opts(cx);
        opts.setFileAndLine("crawld:prelude", 1);
        /* Every inner function into the stencil: with the default lazy
         * parse each realm parses again the functions it calls
         * (docs/platform-notes.md). */
        opts.setEagerDelazificationStrategy(JS::DelazificationOption::ParseEverythingEagerly);
        /* The two halves of the prelude's function, joined (the engine
         * keeps its own copy of the source). */
        size_t len = prelude_source_len + prelude_dom_source_len;
        char *joined = (char *)alloc_new(len);
        if (!joined) {
            JS_ReportOutOfMemory(cx);
            return false;
        }
        memcpy(joined, prelude_source, prelude_source_len);
        memcpy(joined + prelude_source_len, prelude_dom_source, prelude_dom_source_len);
        JS::SourceText<mozilla::Utf8Unit> text;
        bool ok = text.init(cx, joined, len, JS::SourceOwnership::Borrowed);
        already_AddRefed<JS::Stencil> st =
            ok ? JS::CompileGlobalScriptToStencil(cx, opts, text) : already_AddRefed<JS::Stencil>();
        alloc_free(joined, len);
        rt->prelude = st.take(); /* our reference; released in runtime_destroy */
        if (!rt->prelude)
            return false;
    }
    JS::CompileOptions opts(cx);
    opts.setFileAndLine("crawld:prelude", 1);
    JS::InstantiateOptions iopts(opts);
    JS::RootedScript script(cx, JS::InstantiateGlobalStencil(cx, iopts, rt->prelude));
    if (!script)
        return false;
    JS::RootedValue fn(cx);
    if (!JS_ExecuteScript(cx, script, &fn))
        return false;
    JS::RootedObject natives(cx, JS_NewPlainObject(cx));
    if (!natives || !bindings_define_natives(cx, natives))
        return false;
    JSString *ua =
        JS_NewStringCopyUTF8Z(cx, JS::ConstUTF8CharsZ(rt->user_agent, strlen(rt->user_agent)));
    if (!ua)
        return false;
    JS::RootedObject opt(cx, JS_NewPlainObject(cx));
    if (!opt || !JS_DefineProperty(cx, opt, "traceMissing", rt->trace_missing, JSPROP_ENUMERATE))
        return false;
    JS::RootedValueArray<4> argv(cx);
    argv[0].setObject(*natives);
    argv[1].setObject(*global);
    argv[2].setString(ua);
    argv[3].setObject(*opt);
    JS::RootedValue hooks(cx);
    /* The prelude's function runs once per realm, and its loops warm it up
     * past the baseline JIT's trigger: each page compiled it again (and
     * toggled the code's write protection, an mprotect with TLB shootdowns
     * per stub), 0.6-0.7 ms of its 2.3 ms (docs/platform-notes.md). The
     * trigger is a process-wide option read at each warm-up check, so it is
     * raised for this call only; page scripts and the prelude's functions
     * they call warm up as usual. */
    JS_SetGlobalJitCompilerOption(cx, JSJITCOMPILER_BASELINE_WARMUP_TRIGGER, PRELUDE_WARMUP);
    bool called = JS_CallFunctionValue(cx, global, fn, argv, &hooks);
    JS_SetGlobalJitCompilerOption(cx, JSJITCOMPILER_BASELINE_WARMUP_TRIGGER, (uint32_t)-1);
    if (!called || !hooks.isObject())
        return false;
    JS::SetReservedSlot(global, GSLOT_HOOKS, hooks);
    return true;
}

/* The missing-property trace's counts, copied into the page arena. */
static void read_missing(Page *pg)
{
    JSContext *cx = pg->cx;
    JS::RootedValue rv(cx);
    if (!call_hook(pg, "missing", JS::HandleValueArray::empty(), &rv) || !rv.isString()) {
        if (JS_IsExceptionPending(cx))
            JS_ClearPendingException(cx);
        return;
    }
    JS::RootedString s(cx, rv.toString());
    JS::UniqueChars c = JS_EncodeStringToUTF8(cx, s);
    if (c && *c.get())
        pg->res->missing = arena_strdup(pg->a, c.get());
}

static bool has_classic_script(Page *pg)
{
    dom_list l = {NULL, 0};
    if (dom_by_tag(pg->d, dom_document(pg->d), "script", &l) != DOM_OK)
        return true; /* let the full path report it */
    bool any = false;
    for (size_t i = 0; i < l.n; i++) {
        if (in_template(l.items[i]))
            continue;
        if (classify(l.items[i]) == SCRIPT_CLASSIC)
            any = true;
    }
    if (!any) {
        for (size_t i = 0; i < l.n; i++)
            if (!in_template(l.items[i]))
                pg->res->scripts_skipped++;
    }
    return any;
}

extern "C" int js_page_run(js_runtime *rt, struct dom *d, const js_host *host, js_page_result *res)
{
    memset(res, 0, sizeof(*res));
    if (!rt || !d)
        return -1;
    int64_t t0 = shim_now_ns();
    JSContext *cx = rt->cx;
    Page pg;
    memset((void *)&pg, 0, sizeof(pg));
    pg.rt = rt;
    pg.cx = cx;
    pg.d = d;
    pg.a = dom_arena(d);
    pg.host = host;
    pg.res = res;
    pg.gen = ++rt->gen;
    pg.deadline_ns =
        rt->cfg.time_budget_ms > 0 ? t0 + (int64_t)rt->cfg.time_budget_ms * 1000000 : 0;
    rt->pages++;

    /* No classic script and no <body onload>: no realm at all. */
    GumboNode *body = dom_body(d);
    if (!has_classic_script(&pg) && !(body && dom_get_attr(body, "onload"))) {
        res->ms = (double)(shim_now_ns() - t0) / 1e6;
        return 0;
    }

    int rc = 0;
    rt->oom_seen.store(false);
    rt->page = &pg;
    shim_drop_jobs(rt);
    rt->rss_hit.store(false);
    shim_watchdog_arm(rt, true, pg.deadline_ns);
    {
        JS::RealmOptions options;
        /* One zone for every page: JIT stub code and shapes are per zone, so
         * a fresh zone per page costs more than twice as much CPU
         * (docs/platform-notes.md). */
        if (rt->zone_anchor)
            options.creationOptions().setNewCompartmentInExistingZone(rt->zone_anchor->get());
        JS::RootedObject global(cx, JS_NewGlobalObject(cx, &bindings_global_class, nullptr,
                                                       JS::FireOnNewGlobalHook, options));
        if (!global) {
            shim_handle_failure(&pg, "realm");
            rc = -1;
        } else {
            JSAutoRealm ar(cx, global);
            if (!setup_realm(&pg, global)) {
                shim_handle_failure(&pg, "prelude");
                if (!pg.stop) {
                    shim_log(&pg, 3, "js: page realm could not be set up");
                    rc = -1;
                }
            } else {
                run_pending_scripts(&pg);
                fire(&pg, "DOMContentLoaded");
                run_timers(&pg, TIMER_VIRTUAL_MS, TIMER_MAX_FIRINGS);
                fire(&pg, "load");
                JS::RootedValue now(cx);
                double vnow = 0;
                if (!pg.stop && call_hook(&pg, "now", JS::HandleValueArray::empty(), &now) &&
                    now.isNumber())
                    vnow = now.toNumber();
                run_timers(&pg, vnow + TIMER_AFTER_LOAD_VIRTUAL_MS, TIMER_AFTER_LOAD_FIRINGS);
            }
            if (JS_IsExceptionPending(cx))
                JS_ClearPendingException(cx);
            if (rt->trace_missing)
                read_missing(&pg);
            /* Nothing may reach the arena once the page ends. */
            bindings_clear_wrappers(cx, global);
            for (int i = 0; i < GSLOT_COUNT; i++)
                JS::SetReservedSlot(global, i, JS::UndefinedValue());
        }
        shim_drop_jobs(rt);
        rt->page = nullptr;
        shim_watchdog_arm(rt, false, 0);
    }
    if (JS_IsExceptionPending(cx))
        JS_ClearPendingException(cx);
    if (res->out_of_memory || rt->oom_seen.load()) {
        /* PLATFORM-NOTES: after an OOM every evaluation fails until the old
         * global is unrooted (done: it went out of scope) and a shrinking
         * full GC ran. */
        js_hint_critical(rt);
        rt->oom_seen.store(false);
        /* The freed elements, strings and buffers were malloc'd: give the
         * heap pages back, or the next page could start over the RSS line
         * (glibc keeps large freed chunks once its mmap threshold rose). */
        malloc_trim(0);
    }
    rt->deadline_hit.store(false);
    rt->rss_hit.store(false);
    JS::ClearKeptObjects(cx);
    res->ms = (double)(shim_now_ns() - t0) / 1e6;
    return rc;
}
