/* test_js — the SpiderMonkey shim's runtime and limits (worker/js/): one
 * runtime per process and the cost of a page without scripts, hostile
 * scripts (endless loop, memory bomb, throw, deep recursion, syntax error)
 * with the next page in the same runtime still working, bombs of malloc'd
 * memory stopped at the RSS line (arrays, typed arrays, strings), the script
 * cache, and heap bounds over 200 pages and 1,000 pages reusing one arena.
 * What pages do through the DOM bindings: test_js_page.
 *
 * Check's fork mode: the runtime is made in a checked fixture's setup and
 * freed in its teardown, in the forked child (JS_Init in main would make
 * every child crash on exit). A runtime with an address-space limit sets
 * RLIMIT_AS, and a test never changes its own process's limits: the
 * hostile, rss_line and oom tests (START_CHILD_TEST) make, use and free
 * theirs in a child of the test process. */
#include "alloc.h"
#include "arena.h"
#include "dom.h"
#include "html.h"
#include "js/js.h"
#include "rss.h"

#include <check.h>
#include <curl/curl.h>

#include "js_fixture.h"
#include "testutil.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The RSS line: RSS_LINE_MB over what the process held before the engine
 * started (which takes ~15-30 MB, ~7x that under ASan); RLIMIT_AS (not
 * under ASan) far above it, so that without the line a bomb runs on to
 * RLIMIT_AS or to the 20 s budget (ASan runs the bombs slowly). */
/* RSS_MARGIN_MB: how far a bomb that allocates 8 MB a turn may pass the
 * line before the next sample stops it (measured: ~1-6 MB in release and
 * debug, up to 33 MB under ASan, whose allocator maps and quarantines). */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_LINE_MB 384
#define RSS_MARGIN_MB 64
#else
#define RSS_LINE_MB 192
#define RSS_MARGIN_MB 32
#endif
static long RSS_LINE_KB;
static void setup_rss_line(void)
{
    RSS_LINE_KB = rss_self_kb() + (long)RSS_LINE_MB * 1024;
    rt_make_rss(20000, (size_t)1024 << 20, RSS_LINE_KB);
}
static void setup_hostile(void) { rt_make(300, (size_t)768 << 20); }
#if !defined(__SANITIZE_ADDRESS__)
static void setup_oom(void) { rt_make(10000, (size_t)256 << 20); }
#endif

/* ---- runtime ---- */

START_TEST(second_runtime_refused)
{
    char err[256] = "";
    js_config c = {.heap_bytes = 16 << 20, .time_budget_ms = 100};
    js_runtime *rt2 = NULL;
    ck_assert_int_eq(js_runtime_new(&c, &rt2, err, sizeof(err)), -1);
    ck_assert_ptr_null(rt2);
    ck_assert_msg(strstr(err, "one runtime") != NULL, "%s", err);
}
END_TEST

START_TEST(no_scripts_is_cheap)
{
    page_ctx pc;
    html_doc d = run("<a href=/x>x</a><script type=module>add('/m')</script>", &pc);
    EXPECT_LINKS(d, "http://example.com/x");
    ck_assert_int_eq(pc.res.scripts_run, 0);
    ck_assert_int_eq(pc.res.scripts_skipped, 1);
    /* Cost of js_page_run on pages without and with a trivial script. */
    double none = 0, one = 0;
    const int n = 200;
    for (int i = 0; i < n; i++) {
        arena_reset(&A, 1 << 20);
        run("<p>hello <a href=/a>a</a></p>", &pc);
        none += pc.res.ms;
    }
    for (int i = 0; i < n; i++) {
        arena_reset(&A, 1 << 20);
        run("<p>hello <a href=/a>a</a></p><script>var x = 1;</script>", &pc);
        ck_assert_int_eq(pc.res.scripts_run, 1);
        one += pc.res.ms;
    }
    fprintf(stderr,
            "measure: js_page_run no script %.4f ms, one tiny script %.3f ms (mean of %d)\n",
            none / n, one / n, n);
    ck_assert_msg(none / n < 1.0, "a page without scripts took %.3f ms", none / n);
}
END_TEST

/* ---- hostile ---- */

static void next_page_works(void)
{
    page_ctx pc;
    arena_reset(&A, 1 << 20);
    html_doc d = run("<body>" ADD_JS "<script>add('/next-ok');</script></body>", &pc);
    EXPECT_LINKS(d, "http://example.com/next-ok");
    ck_assert_int_eq(pc.res.timed_out, 0);
    ck_assert_int_eq(pc.res.out_of_memory, 0);
    ck_assert_int_eq(pc.res.scripts_failed, 0);
}

START_CHILD_TEST(endless_loop, setup_hostile, teardown)
{
    page_ctx pc;
    long long t0 = testutil_now_ms();
    html_doc d = run("<body><a href=/static>s</a><script>while(true){}</script>"
                     "<script>add('/never')</script></body>",
                     &pc);
    long long ms = testutil_now_ms() - t0;
    EXPECT_LINKS(d, "http://example.com/static");
    ck_assert_int_eq(pc.res.timed_out, 1);
    ck_assert_msg(ms < 2000, "took %lld ms for a 300 ms budget", ms);
    fprintf(stderr, "measure: while(true) stopped after %lld ms (budget 300)\n", ms);
    next_page_works();
    /* A loop in a timer and a promise-job loop are stopped the same way. */
    arena_reset(&A, 1 << 20);
    d = run("<a href=/s2>s</a><script>setTimeout(function(){for(;;){}},10)</script>", &pc);
    ck_assert_int_eq(pc.res.timed_out, 1);
    EXPECT_LINKS(d, "http://example.com/s2");
    arena_reset(&A, 1 << 20);
    d = run("<a href=/s3>s</a><script>(function f(){Promise.resolve().then(f)})()</script>", &pc);
    ck_assert_int_eq(pc.res.timed_out, 1);
    EXPECT_LINKS(d, "http://example.com/s3");
    next_page_works();
}
END_TEST

START_CHILD_TEST(memory_bomb, setup_hostile, teardown)
{
    page_ctx pc;
    html_doc d = run("<body><a href=/static>s</a><script>"
                     "var keep=[]; for(;;){ keep.push(new Array(1<<16).fill(1.5)); }"
                     "</script></body>",
                     &pc);
    EXPECT_LINKS(d, "http://example.com/static");
    ck_assert_msg(pc.res.out_of_memory || pc.res.timed_out, "neither oom nor timeout");
    fprintf(stderr, "measure: memory bomb ended by %s in %.0f ms\n",
            pc.res.out_of_memory ? "out_of_memory" : "timeout", pc.res.ms);
    next_page_works();
    /* Strings too. */
    arena_reset(&A, 1 << 20);
    d = run("<script>var s='x'; var all=[]; for(;;){ s = s + s; all.push(s); }</script>", &pc);
    ck_assert_msg(pc.res.out_of_memory || pc.res.timed_out || pc.res.scripts_failed == 1,
                  "string bomb not stopped");
    next_page_works();
}
END_TEST

#if !defined(__SANITIZE_ADDRESS__)
/* RLIMIT_AS (not under ASan, where the runtime does not set it): a bomb of
 * malloc'd array storage, outside the GC heap limit, ends as a JS out of
 * memory well before a 10 s budget, and the runtime works afterwards. */
START_CHILD_TEST(rlimit_out_of_memory, setup_oom, teardown)
{
    page_ctx pc;
    /* One page and two full GCs first, as a worker has done long before
     * its memory runs out: the engine compresses a large script source
     * (the prelude's) on a helper thread when a major GC comes, and a
     * compression that meets the exhausted address space is an
     * "[unhandlable oom]" MOZ_CRASH (docs/platform-notes.md). */
    next_page_works();
    js_hint_critical(RT);
    js_hint_critical(RT);
    long long t0 = testutil_now_ms();
    html_doc d = run("<body><a href=/static>s</a><script>"
                     "var keep=[]; for(;;){ keep.push(new Array(1<<16).fill(1.5)); }"
                     "</script><script>add('/never')</script></body>",
                     &pc);
    long long ms = testutil_now_ms() - t0;
    EXPECT_LINKS(d, "http://example.com/static");
    ck_assert_int_eq(pc.res.out_of_memory, 1);
    ck_assert_int_eq(pc.res.timed_out, 0);
    fprintf(stderr, "measure: RLIMIT_AS bomb: out_of_memory after %lld ms\n", ms);
    next_page_works();
    next_page_works();
}
END_TEST
#endif

/* Peak RSS since the last reset_peak_rss (VmHWM; writing 5 to clear_refs
 * resets it, Linux 4.0+). */
static void reset_peak_rss(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "we");
    ck_assert_ptr_nonnull(f);
    fputs("5", f);
    ck_assert_int_eq(fclose(f), 0);
}
static long peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    ck_assert_ptr_nonnull(f);
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

/* A script that grows memory the GC heap limit does not count is stopped
 * by the watchdog's RSS samples once RSS passes js_config.rss_stop_kb:
 * the page keeps its static link, says out of memory with the line in
 * MB, RSS never went far past the line, the shrinking GC and trim after
 * it bring RSS back under the line, and the next page runs. margin_mb: how
 * far the bomb may pass the line between two samples, or in one native
 * step it cannot be stopped inside. */
static void rss_bomb(const char *script, long margin_mb)
{
    page_ctx pc;
    char html[512];
    snprintf(html, sizeof(html),
             "<body>" ADD_JS "<a href=/static>s</a><script>%s</script>"
             "<script>add('/never')</script></body>",
             script);
    next_page_works();
    long before = rss_self_kb();
    ck_assert_msg(before + 64 * 1024 < RSS_LINE_KB, "RSS %ld kB already near the line %ld kB",
                  before, RSS_LINE_KB);
    arena_reset(&A, 1 << 20);
    reset_peak_rss();
    LOGLEN = 0;
    html_doc d = run(html, &pc);
    long peak = peak_rss_kb();
    long after = rss_self_kb();
    fprintf(stderr,
            "measure: rss line %ld MB: \"%s\" stopped after %.0f ms, peak %ld MB, %ld MB "
            "after\n",
            RSS_LINE_KB / 1024, script, pc.res.ms, peak / 1024, after / 1024);
    EXPECT_LINKS(d, "http://example.com/static");
    ck_assert_int_eq(pc.res.out_of_memory, 1);
    ck_assert_int_eq(pc.res.timed_out, 0);
    char want[96];
    snprintf(want, sizeof(want), "oom: script stopped: worker memory over %ld MB",
             RSS_LINE_KB / 1024);
    ck_assert_ptr_nonnull(pc.res.first_error);
    ck_assert_str_eq(pc.res.first_error, want);
    ck_log_has("js: worker memory ");
    ck_assert_msg(peak <= RSS_LINE_KB + margin_mb * 1024, "peak RSS %ld kB, line %ld kB + %ld MB",
                  peak, RSS_LINE_KB, margin_mb);
    ck_assert_msg(after < RSS_LINE_KB, "RSS %ld kB after the page, line %ld kB", after,
                  RSS_LINE_KB);
    next_page_works();
}

/* The bomb of issue 16: 8 MB of malloc'd elements per turn. */
START_CHILD_TEST(rss_line_array_bomb, setup_rss_line, teardown)
{
    rss_bomb("var x=[];while(true){x.push(new Array(1e6).fill(1));}", RSS_MARGIN_MB);
}
END_TEST

/* Typed arrays: their data is malloc'd (calloc), 8 MB written per turn. */
START_CHILD_TEST(rss_line_typed_array_bomb, setup_rss_line, teardown)
{
    rss_bomb("var x=[];while(true){x.push(new Float64Array(1<<20).fill(1.5));}", RSS_MARGIN_MB);
}
END_TEST

/* Strings doubled and flattened (indexOf), every one kept: one flatten is
 * one uninterruptible copy as large as all kept before it, so the margin
 * is the line itself. Not flattened, a doubling string is a rope and ends
 * in "allocation size overflow" without memory (below). */
START_CHILD_TEST(rss_line_string_bomb, setup_rss_line, teardown)
{
    rss_bomb("var x=[],s='xxxxxxxx';while(true){s=s+s;s.indexOf('y');x.push(s);}",
             RSS_LINE_MB + RSS_MARGIN_MB);
    page_ctx pc;
    arena_reset(&A, 1 << 20);
    run("<script>var s='x';while(true){s+=s;}</script>", &pc);
    ck_assert_int_eq(pc.res.out_of_memory, 0);
    ck_assert_int_eq(pc.res.scripts_failed, 1);
    ck_assert_ptr_nonnull(strstr(pc.res.first_error, "allocation size overflow"));
}
END_TEST

#if !defined(__SANITIZE_ADDRESS__)
/* ArrayBuffers are calloc'd and never touched here: RSS stays flat and
 * RLIMIT_AS refuses one at last, an engine out of memory. */
START_CHILD_TEST(rss_line_untouched_buffers, setup_rss_line, teardown)
{
    page_ctx pc;
    reset_peak_rss();
    html_doc d = run("<a href=/static>s</a>"
                     "<script>var x=[];while(true){x.push(new ArrayBuffer(64<<20));}</script>",
                     &pc);
    EXPECT_LINKS(d, "http://example.com/static");
    ck_assert_int_eq(pc.res.out_of_memory, 1);
    ck_assert_str_eq(pc.res.first_error, "oom: script ran out of memory");
    ck_assert_msg(peak_rss_kb() < RSS_LINE_KB, "peak %ld kB", peak_rss_kb());
    next_page_works();
}
END_TEST
#endif

START_CHILD_TEST(throw_then_good, setup_hostile, teardown)
{
    page_ctx pc;
    html_doc d =
        run("<body>" ADD_JS "\n<script>\nvar x = 1;\nthrow new TypeError('boom');\n</script>"
            "<script>add('/second');</script></body>",
            &pc);
    EXPECT_LINKS(d, "http://example.com/second");
    ck_assert_int_eq(pc.res.scripts_failed, 1);
    ck_assert_int_eq(pc.res.scripts_run, 2);
    ck_log_has("L3 http://example.com/dir/page.html:4:");
    ck_log_has("TypeError: boom");
    ck_assert_ptr_nonnull(pc.res.first_error);
    ck_assert_msg(strstr(pc.res.first_error, "boom") != NULL, "%s", pc.res.first_error);
    /* Errors thrown in callbacks are reported too, and the rest goes on. */
    arena_reset(&A, 1 << 20);
    LOGLEN = 0;
    d = run(
        "<body>" ADD_JS "<script>setTimeout(function(){ throw new Error('in-timer'); }, 1);"
        "Promise.reject(new Error('rejected')).catch(function(){ add('/caught'); });"
        "Promise.resolve().then(function(){ undefined.x; });"
        "document.addEventListener('DOMContentLoaded', function(){ throw new Error('in-dcl'); });"
        "setTimeout(function(){ add('/later'); }, 5);</script></body>",
        &pc);
    EXPECT_LINKS(d, "http://example.com/caught", "http://example.com/later");
    ck_log_has("in-timer");
    ck_log_has("in-dcl");
    ck_log_has("(unhandled promise rejection)");
    ck_log_has("undefined has no properties");
}
END_TEST

START_CHILD_TEST(deep_recursion, setup_hostile, teardown)
{
    page_ctx pc;
    html_doc d = run("<body>" ADD_JS "<script>function f(n){ return f(n+1) + 1; }"
                     "try { f(0); } catch (e) { add('/caught-' + e.name); }</script>"
                     "<script>function g(){ g(); } g();</script>"
                     "<script>add('/after');</script></body>",
                     &pc);
    EXPECT_LINKS(d, "http://example.com/caught-InternalError", "http://example.com/after");
    ck_assert_int_eq(pc.res.scripts_failed, 1);
    ck_log_has("too much recursion");
    next_page_works();
}
END_TEST

START_CHILD_TEST(syntax_error, setup_hostile, teardown)
{
    page_ctx pc;
    html_doc d =
        run("<body>" ADD_JS "<script>var x = ;</script><script>add('/after-syntax');</script>"
            "<script>document.querySelector('a[[[');</script></body>",
            &pc);
    EXPECT_LINKS(d, "http://example.com/after-syntax");
    ck_assert_int_eq(pc.res.scripts_failed, 2);
    ck_log_has("SyntaxError");
    ck_log_has("querySelector");
}
END_TEST

/* ---- script cache ---- */

static js_heap_stats stats(void)
{
    js_heap_stats st;
    js_heap_stats_get(RT, &st);
    return st;
}

START_TEST(script_cache_reuses_stencils)
{
    page_ctx pc;
    const char *page = "<body>" ADD_JS "<script>add('/c' + (1 + 1));</script></body>";
    js_heap_stats a = stats();
    html_doc d = run(page, &pc);
    EXPECT_LINKS(d, "http://example.com/c2");
    js_heap_stats b = stats();
    ck_assert_uint_eq(b.script_compiles, a.script_compiles + 2);
    ck_assert_uint_eq(b.script_hits, a.script_hits);
    ck_assert_uint_eq(b.script_entries, a.script_entries + 2);

    /* The same page again: both scripts from the cache, same links. */
    arena_reset(&A, 1 << 20);
    d = run(page, &pc);
    EXPECT_LINKS(d, "http://example.com/c2");
    ck_assert_int_eq(pc.res.scripts_run, 2);
    js_heap_stats c = stats();
    ck_assert_uint_eq(c.script_compiles, b.script_compiles);
    ck_assert_uint_eq(c.script_hits, b.script_hits + 2);

    /* One byte changed: that script is compiled again, the other is not. */
    arena_reset(&A, 1 << 20);
    d = run("<body>" ADD_JS "<script>add('/c' + (1 + 2));</script></body>", &pc);
    EXPECT_LINKS(d, "http://example.com/c3");
    js_heap_stats e = stats();
    ck_assert_uint_eq(e.script_compiles, c.script_compiles + 1);
    ck_assert_uint_eq(e.script_hits, c.script_hits + 1);

    /* An inline script is named by its page (errors say URL:line), so the
     * same bytes on another page are another entry. */
    arena_reset(&A, 1 << 20);
    d = run_in(&A, "http://example.com/other.html", page, &pc);
    EXPECT_LINKS(d, "http://example.com/c2");
    js_heap_stats f = stats();
    ck_assert_uint_eq(f.script_compiles, e.script_compiles + 2);
    ck_assert_uint_eq(f.script_evictions, 0);
}
END_TEST

/* The prelude runs with the baseline JIT's trigger out of reach; the page's
 * scripts, and every later page, with the engine's default, also after a
 * page whose script threw (page_run.cpp, setup_realm). */
START_TEST(prelude_jit_trigger_restored)
{
    js_heap_stats a = stats();
    ck_assert_uint_gt(a.baseline_warmup, 0);
    ck_assert_uint_lt(a.baseline_warmup, 100000);
    page_ctx pc;
    html_doc d = run("<body>" ADD_JS "<script>var n = 0; for (var i = 0; i < 5000; i++) n += i;"
                     "add('/n' + n); throw new Error('late');</script></body>",
                     &pc);
    EXPECT_LINKS(d, "http://example.com/n12497500");
    ck_assert_int_eq(pc.res.scripts_failed, 1);
    js_heap_stats b = stats();
    ck_assert_uint_eq(b.baseline_warmup, a.baseline_warmup);
}
END_TEST

/* A script that does not compile is never cached and reports the same
 * error every time; a cached script that throws reports the same file:line
 * as when it was compiled. */
START_TEST(script_cache_errors_unchanged)
{
    const char *pages[] = {
        "<body>" ADD_JS "<script>\nvar x = ;</script><script>add('/after');</script></body>",
        "<body>" ADD_JS "<script>\nvar y = 1;\nthrow new TypeError('boom');</script>"
        "<script>add('/after');</script></body>",
    };
    for (size_t p = 0; p < 2; p++) {
        char first[sizeof(LOG)];
        js_heap_stats before = stats();
        for (int round = 0; round < 2; round++) {
            page_ctx pc;
            arena_reset(&A, 1 << 20);
            LOGLEN = 0;
            LOG[0] = '\0';
            html_doc d = run(pages[p], &pc);
            EXPECT_LINKS(d, "http://example.com/after");
            ck_assert_int_eq(pc.res.scripts_failed, 1);
            ck_assert_ptr_nonnull(pc.res.first_error);
            if (round == 0) {
                ck_log_has(p == 0 ? "SyntaxError" : "TypeError: boom");
                ck_log_has(p == 0 ? "L3 http://example.com/dir/page.html:2:"
                                  : "L3 http://example.com/dir/page.html:3:");
                memcpy(first, LOG, LOGLEN + 1);
            } else {
                ck_assert_str_eq(LOG, first);
            }
        }
        js_heap_stats after = stats();
        /* Page 1: ADD_JS and add('/after') kept, the bad script never.
         * Page 2: ADD_JS reused; the throwing script and add('/after') (now
         * on line 3, so another entry) kept. */
        ck_assert_uint_eq(after.script_entries, before.script_entries + 2);
    }
}
END_TEST

/* Many distinct scripts: the cache stays within its bounds (entries and
 * source bytes), evicts the oldest, and worker RSS stays flat. */
START_TEST(script_cache_bounded)
{
    enum { FUNCS = 1300 };
    size_t cap = FUNCS * 40 + 64;
    char *src = malloc(cap);
    ck_assert_ptr_nonnull(src);
    long rss_start = rss_self_kb(), rss_mid = 0, rss_end = 0;
    size_t max_bytes = 0, max_entries = 0;
    const int pages = 600;
    for (int i = 0; i < pages; i++) {
        size_t n = (size_t)snprintf(src, cap, "<body><script>");
        for (int j = 0; j < FUNCS; j++)
            n += (size_t)snprintf(src + n, cap - n, "function f%d_%d(){return %d;}\n", i, j, j);
        snprintf(src + n, cap - n, "var r = f%d_7();</script></body>", i);
        page_ctx pc;
        arena_reset(&A, 1 << 20);
        run(src, &pc);
        ck_assert_int_eq(pc.res.scripts_run, 1);
        js_hint_moderate(RT);
        js_heap_stats st = stats();
        if (st.script_source_bytes > max_bytes)
            max_bytes = st.script_source_bytes;
        if (st.script_entries > max_entries)
            max_entries = st.script_entries;
        if (i == pages / 2 - 1)
            rss_mid = rss_self_kb();
    }
    rss_end = rss_self_kb();
    js_heap_stats st = stats();
    free(src);
    fprintf(stderr,
            "measure: script cache, %d distinct ~%d KB scripts: max %zu entries, %zu source bytes, "
            "%lu evictions; RSS before %ld KB, after page %d %ld KB, after page %d %ld KB\n",
            pages, FUNCS * 31 / 1024, max_entries, max_bytes, st.script_evictions, rss_start,
            pages / 2, rss_mid, pages, rss_end);
    ck_assert_uint_eq(st.script_compiles, (unsigned long)pages);
    ck_assert(max_entries <= 256);
    ck_assert(max_bytes <= (size_t)8 << 20);
    ck_assert_uint_gt(st.script_evictions, (unsigned long)pages / 2);
    /* Flat: the second half of the pages adds no more than noise. */
    ck_assert_msg(rss_end - rss_mid < 24 * 1024, "RSS grew %ld KB over %d pages", rss_end - rss_mid,
                  pages / 2);
    /* critical gives the compiled scripts back. */
    js_hint_critical(RT);
    st = stats();
    fprintf(stderr, "measure: script cache: RSS after critical (cache emptied) %ld KB\n",
            rss_self_kb());
    ck_assert_uint_eq(st.script_entries, 0);
    ck_assert_uint_eq(st.script_source_bytes, 0);
}
END_TEST

/* ---- memory over many pages ---- */

START_TEST(heap_bounded_200_pages)
{
    js_heap_stats st;
    size_t at20 = 0, at200 = 0, peak = 0;
    double mod_ms = 0, mod_max = 0;
    for (int i = 1; i <= 200; i++) {
        page_ctx pc;
        arena_reset(&A, 1 << 20);
        html_doc d = run("<body>" ADD_JS "<script>var keep=[];"
                         "for (var i=0;i<50000;i++) keep.push({i:i, s:'v'+i});"
                         "add('/n?' + keep.length);</script></body>",
                         &pc);
        EXPECT_LINKS(d, "http://example.com/n?50000");
        js_heap_stats_get(RT, &st);
        if (st.gc_bytes > peak)
            peak = st.gc_bytes;
        long long t0 = testutil_now_ms();
        js_hint_moderate(RT);
        double ms = (double)(testutil_now_ms() - t0);
        mod_ms += ms;
        if (ms > mod_max)
            mod_max = ms;
        js_heap_stats_get(RT, &st);
        /* Where one GC falls is luck: compare the highest value over pages
         * 11-30 with the highest over pages 181-200. */
        if (i > 10 && i <= 30 && st.gc_bytes > at20)
            at20 = st.gc_bytes;
        if (i > 180 && st.gc_bytes > at200)
            at200 = st.gc_bytes;
    }
    js_heap_stats_get(RT, &st);
    fprintf(stderr,
            "measure: 200 pages x 50k objects: max gc_bytes after moderate pages 11-30 %zu, "
            "181-200 %zu "
            "peak %zu, gcs %lu, moderate mean %.2f ms max %.0f ms\n",
            at20, at200, peak, st.gc_number, mod_ms / 200, mod_max);
    long long t0 = testutil_now_ms();
    js_hint_critical(RT);
    long long crit = testutil_now_ms() - t0;
    js_heap_stats_get(RT, &st);
    fprintf(stderr, "measure: critical %lld ms, gc_bytes after %zu\n", crit, st.gc_bytes);
    ck_assert_uint_eq(st.pages, 200);
    ck_assert_msg(at200 <= 2 * at20 + (1u << 20), "heap grew: pages 11-30 %zu, 181-200 %zu", at20,
                  at200);
}
END_TEST

START_TEST(thousand_pages_one_arena)
{
    arena a;
    arena_init(&a, 0);
    for (int i = 0; i < 1000; i++) {
        page_ctx pc;
        char url[64];
        snprintf(url, sizeof(url), "http://example.com/p%d.html", i);
        html_doc d =
            run_in(&a, url,
                   "<body><div id=c></div><script>"
                   "var c=document.getElementById('c');"
                   "window.keep=[c, document.body, document];"
                   "var a=document.createElement('a'); a.href='/x?'+c.childNodes.length;"
                   "c.appendChild(a); c.innerHTML += '<a href=/y>y</a>';"
                   "setTimeout(function(){ c.querySelector('a').textContent = 'late'; }, 10);"
                   "</script></body>",
                   &pc);
        ck_assert_uint_eq(d.nlinks, 2);
        ck_assert_str_eq(d.links[0], "http://example.com/x?0");
        arena_reset(&a, 1 << 20);
        if (i % 100 == 99)
            js_hint_moderate(RT);
    }
    arena_release(&a);
}
END_TEST

/* The two hints' effect and cost on a 300,000-object page (numbers on stderr). */
START_TEST(moderate_hint_numbers)
{
    js_heap_stats st;
    page_ctx pc;
    run("<script>var keep=[];for(var i=0;i<300000;i++) keep.push({i:i});</script>", &pc);
    js_heap_stats_get(RT, &st);
    size_t before = st.gc_bytes;
    long long t0 = testutil_now_ms();
    js_hint_moderate(RT);
    long long t1 = testutil_now_ms();
    js_heap_stats_get(RT, &st);
    size_t after_mod = st.gc_bytes;
    arena_reset(&A, 1 << 20);
    run("<script>var keep=[];for(var i=0;i<300000;i++) keep.push({i:i});</script>", &pc);
    js_heap_stats_get(RT, &st);
    size_t before2 = st.gc_bytes;
    long long t2 = testutil_now_ms();
    js_hint_critical(RT);
    long long t3 = testutil_now_ms();
    js_heap_stats_get(RT, &st);
    fprintf(stderr,
            "measure: 300k objects: moderate %zu -> %zu bytes in %lld ms; critical %zu -> %zu "
            "bytes in %lld ms\n",
            before, after_mod, t1 - t0, before2, st.gc_bytes, t3 - t2);
    ck_assert_uint_le(after_mod, before);
    ck_assert_uint_lt(st.gc_bytes, before2);
}
END_TEST

static Suite *js_suite(void)
{
    Suite *s = suite_create("js");
    TCase *tc = tcase_create("runtime");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, second_runtime_refused);
    tcase_add_test(tc, no_scripts_is_cheap);
    suite_add_tcase(s, tc);

    tc = tcase_create("script_cache");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, script_cache_reuses_stencils);
    tcase_add_test(tc, prelude_jit_trigger_restored);
    tcase_add_test(tc, script_cache_errors_unchanged);
    suite_add_tcase(s, tc);

    tc = tcase_create("hostile");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, endless_loop);
    tcase_add_test(tc, memory_bomb);
    tcase_add_test(tc, throw_then_good);
    tcase_add_test(tc, deep_recursion);
    tcase_add_test(tc, syntax_error);
    suite_add_tcase(s, tc);

    tc = tcase_create("rss_line");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, rss_line_array_bomb);
    tcase_add_test(tc, rss_line_typed_array_bomb);
    tcase_add_test(tc, rss_line_string_bomb);
#if !defined(__SANITIZE_ADDRESS__)
    tcase_add_test(tc, rss_line_untouched_buffers);
#endif
    suite_add_tcase(s, tc);

#if !defined(__SANITIZE_ADDRESS__)
    tc = tcase_create("oom");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, rlimit_out_of_memory);
    suite_add_tcase(s, tc);
#endif

    tc = tcase_create("memory");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, heap_bounded_200_pages);
    tcase_add_test(tc, thousand_pages_one_arena);
    tcase_add_test(tc, moderate_hint_numbers);
    tcase_add_test(tc, script_cache_bounded);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(js_suite()); }
