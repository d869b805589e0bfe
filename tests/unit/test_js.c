/* test_js — the SpiderMonkey shim (worker/js/): pages whose links exist
 * only after their scripts ran (one technique per test, exact link lists),
 * hostile scripts (endless loop, memory bomb, throw, deep recursion, syntax
 * error) with the next page in the same runtime still working, bombs of
 * malloc'd memory stopped at the RSS line (arrays, typed arrays, strings),
 * heap bounds
 * over 200 pages and 1,000 pages reusing one arena.
 *
 * Check's fork mode: the runtime is made in a checked fixture's setup and
 * freed in its teardown, in the forked child (JS_Init in main would make
 * every child crash on exit). A runtime with an address-space limit sets
 * RLIMIT_AS, and a test never changes its own process's limits: the
 * hostile, rss_line and oom tests (START_CHILD_TEST) make, use and free
 * theirs in a child of the test process. fetch/XHR/external scripts go to
 * the real test server (tests/server/httpd.py) through a libcurl easy
 * handle. */
#include "alloc.h"
#include "arena.h"
#include "dom.h"
#include "html.h"
#include "js/js.h"
#include "rss.h"

#include <check.h>
#include <curl/curl.h>

#include "testutil.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define URL "http://example.com/dir/page.html"

static js_runtime *RT;
static arena A;
static testutil_httpd HTTPD;
static char LOG[32768];
static size_t LOGLEN;

/* ---- host ---- */

static void host_log(void *ud, int level, const char *msg)
{
    (void)ud;
    int n = snprintf(LOG + LOGLEN, sizeof(LOG) - LOGLEN, "L%d %s\n", level, msg);
    if (n > 0 && LOGLEN + (size_t)n < sizeof(LOG))
        LOGLEN += (size_t)n;
}

typedef struct body_buf {
    arena *a;
    char *p;
    size_t len, cap;
} body_buf;

static size_t on_body(char *ptr, size_t sz, size_t nm, void *ud)
{
    body_buf *b = ud;
    size_t n = sz * nm;
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 4096;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        b->p = arena_resize(b->a, b->p, b->cap, ncap);
        b->cap = ncap;
    }
    memcpy(b->p + b->len, ptr, n);
    b->len += n;
    b->p[b->len] = '\0';
    return n;
}

static int FETCHES;

/* A plain GET into the page arena; the worker's real fetch is wired in
 * page.c. */
static int host_fetch(void *ud, const char *url, js_response *out)
{
    arena *a = ud;
    FETCHES++;
    memset(out, 0, sizeof(*out));
    CURL *h = curl_easy_init();
    if (!h) {
        out->error = "nomem: curl";
        return -1;
    }
    body_buf b = {a, NULL, 0, 0};
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        out->error = arena_sprintf(a, "network: %s", curl_easy_strerror(rc));
        curl_easy_cleanup(h);
        return -1;
    }
    long code = 0;
    char *eff = NULL, *ct = NULL;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff);
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
    out->status = code;
    out->body = b.p ? b.p : "";
    out->len = b.len;
    out->final_url = eff ? arena_strdup(a, eff) : NULL;
    out->content_type = ct ? arena_strdup(a, ct) : NULL;
    curl_easy_cleanup(h);
    return 0;
}

/* ---- pages ---- */

typedef struct page_ctx {
    arena *a;
    const char *url;
    js_page_result res;
    int rc;
    int ran;
} page_ctx;

/* What page.c's run_scripts does between html_tree_build and
 * html_tree_extract. */
static void run_scripts(page_ctx *pc, void *gumbo_output)
{
    dom *d = dom_new(pc->a, gumbo_output, pc->url);
    ck_assert_ptr_nonnull(d);
    js_host host = {pc->a, host_fetch, host_log};
    pc->rc = js_page_run(RT, d, &host, &pc->res);
    pc->ran = 1;
}

static html_doc run_in(arena *a, const char *url, const char *html, page_ctx *pc)
{
    memset(pc, 0, sizeof(*pc));
    pc->a = a;
    pc->url = url;
    html_options o = {0};
    html_doc doc;
    ck_assert_int_eq(html_tree_build(a, html, strlen(html), &o, &doc), HTML_OK);
    run_scripts(pc, doc.gumbo_output);
    ck_assert_int_eq(html_tree_extract(a, url, &o, &doc), HTML_OK);
    ck_assert_int_eq(pc->ran, 1);
    ck_assert_int_eq(pc->rc, 0);
    return doc;
}

static html_doc run(const char *html, page_ctx *pc) { return run_in(&A, URL, html, pc); }

static void expect_links(const html_doc *d, const char *const *want, size_t n)
{
    int ok = d->nlinks == n;
    for (size_t i = 0; ok && i < n; i++)
        ok = !strcmp(d->links[i], want[i]);
    if (!ok) {
        fprintf(stderr, "links: got %zu:\n", d->nlinks);
        for (size_t i = 0; i < d->nlinks; i++)
            fprintf(stderr, "  %s\n", d->links[i]);
        fprintf(stderr, "wanted %zu:\n", n);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "  %s\n", want[i]);
        fprintf(stderr, "log:\n%s", LOG);
    }
    ck_assert_msg(ok, "links differ (see stderr)");
}
#define EXPECT_LINKS(doc, ...)                                                                     \
    do {                                                                                           \
        const char *const w_[] = {__VA_ARGS__};                                                    \
        expect_links(&(doc), w_, sizeof(w_) / sizeof(w_[0]));                                      \
    } while (0)

#define ck_log_has(s) ck_assert_msg(strstr(LOG, (s)) != NULL, "log lacks \"%s\":\n%s", (s), LOG)

/* A page-level helper every script page uses to add a link. */
#define ADD_JS                                                                                     \
    "<script>function add(h){var a=document.createElement('a');a.href=h;"                          \
    "a.textContent=h;document.body.appendChild(a);return a;}</script>"

/* ---- fixtures ---- */

static size_t vm_size(void)
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

static void rt_make_rss(long budget_ms, size_t as_extra, long rss_stop_kb)
{
    char err[256];
    js_config c = {.heap_bytes = (size_t)64 << 20,
                   .as_limit_bytes = 0,
                   .time_budget_ms = budget_ms,
                   .rss_stop_kb = rss_stop_kb,
                   .user_agent = "crawld-test/1.0"};
    if (as_extra)
        /* PLATFORM-NOTES: ~2.2 GB of address space after JS_Init + a
         * context, so the limit is that plus the memory budget. */
        c.as_limit_bytes = vm_size() + ((size_t)2300 << 20) + as_extra;
    LOGLEN = 0;
    LOG[0] = '\0';
    FETCHES = 0;
    ck_assert_msg(js_runtime_new(&c, &RT, err, sizeof(err)) == 0, "js_runtime_new: %s", err);
    arena_init(&A, 0);
}

static void rt_make(long budget_ms, size_t as_extra) { rt_make_rss(budget_ms, as_extra, 0); }

static void setup(void) { rt_make(5000, 0); }
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
static void setup_net(void)
{
    ck_assert_int_eq(testutil_httpd_start(&HTTPD), 0);
    rt_make(5000, 0);
}
static void teardown(void)
{
    arena_release(&A);
    js_runtime_free(RT);
    RT = NULL;
}
static void teardown_net(void)
{
    teardown();
    testutil_httpd_stop(&HTTPD);
}

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

/* ---- techniques ---- */

START_TEST(append_created_anchor)
{
    page_ctx pc;
    html_doc d = run("<body><a href=/static>s</a>" ADD_JS "<script>add('/made');"
                     "var b=document.createElement('a');b.setAttribute('href','made2?x=1');"
                     "document.body.appendChild(b);</script></body>",
                     &pc);
    EXPECT_LINKS(d, "http://example.com/static", "http://example.com/made",
                 "http://example.com/dir/made2?x=1");
    ck_assert_int_eq(pc.res.scripts_run, 2);
    ck_assert_int_eq(pc.res.scripts_failed, 0);
}
END_TEST

START_TEST(inner_html)
{
    page_ctx pc;
    html_doc d = run("<div id=box><a href=/old>old</a></div><script>"
                     "var b=document.getElementById('box');"
                     "b.innerHTML='<ul><li><a href=\"/inner1\">1</a><li><a href=inner2>2</a></ul>';"
                     "if (b.innerHTML.indexOf('inner2') < 0) throw new Error('innerHTML get');"
                     "var p=document.createElement('p');p.innerHTML='<a href=/p>p</a>';"
                     "document.body.appendChild(p);"
                     "b.insertAdjacentHTML('afterend','<a href=/adjacent>x</a>');"
                     "</script>",
                     &pc);
    EXPECT_LINKS(d, "http://example.com/inner1", "http://example.com/dir/inner2",
                 "http://example.com/adjacent", "http://example.com/p");
    ck_assert_int_eq(pc.res.scripts_failed, 0);
}
END_TEST

START_TEST(document_write)
{
    page_ctx pc;
    html_doc d =
        run("<body><p>before</p><script>"
            "document.write('<a href=\"/w1\">');document.write('one</a>');"
            "document.writeln('<a href=/w2>two</a>');"
            "</script><a href=/after>after</a>"
            "<script>document.write('<script>document.write(\"<a href=/nested>n</a>\")<\\/script>')"
            "</script></body>",
            &pc);
    EXPECT_LINKS(d, "http://example.com/w1", "http://example.com/w2", "http://example.com/after",
                 "http://example.com/nested");
    ck_assert_int_eq(pc.res.scripts_run, 3);
}
END_TEST

START_TEST(timers_nested)
{
    page_ctx pc;
    html_doc d = run(
        "<body>" ADD_JS "<script>"
        "setTimeout(function(){ add('/t500');"
        "  setTimeout(function(){ add('/t1500'); }, 1000); }, 500);"
        "setTimeout(function(){ add('/t0'); }, 0);"
        "var n=0, id=setInterval(function(){ if(++n==3){ clearInterval(id); add('/i3'); } }, 100);"
        "var dead=setTimeout(function(){ add('/cleared'); }, 10); clearTimeout(dead);"
        "setTimeout('add(\"/string-timer\")', 2000);"
        "requestAnimationFrame(function(ts){ add('/raf?' + (ts > 0)); });"
        "queueMicrotask(function(){ add('/micro'); });"
        "</script></body>",
        &pc);
    EXPECT_LINKS(d, "http://example.com/micro", "http://example.com/t0",
                 "http://example.com/raf?true", "http://example.com/i3", "http://example.com/t500",
                 "http://example.com/t1500", "http://example.com/string-timer");
    ck_assert_int_ge(pc.res.timers_fired, 8);
    ck_assert_int_eq(pc.res.timed_out, 0);
}
END_TEST

START_TEST(endless_interval_is_capped)
{
    page_ctx pc;
    html_doc d = run("<body>" ADD_JS "<script>var k=0;setInterval(function(){k++;},0);"
                     "addEventListener('load', function(){ add('/loaded'); });</script></body>",
                     &pc);
    EXPECT_LINKS(d, "http://example.com/loaded");
    ck_assert_int_eq(pc.res.timed_out, 0);
    ck_assert_int_gt(pc.res.timers_fired, 1000);
    ck_assert_int_le(pc.res.timers_fired, 11000);
}
END_TEST

START_TEST(dom_content_loaded_and_load)
{
    page_ctx pc;
    html_doc d =
        run("<body onload=\"add('/body-onload')\">" ADD_JS "<script>"
            "var order=[];"
            "document.addEventListener('DOMContentLoaded', function(){ order.push('dcl');"
            "  add('/dcl?state=' + document.readyState); });"
            "window.addEventListener('DOMContentLoaded', function(){ add('/dcl-window'); });"
            "function gone(){ add('/removed-listener'); }"
            "document.addEventListener('DOMContentLoaded', gone);"
            "document.removeEventListener('DOMContentLoaded', gone);"
            "window.addEventListener('load', function(){ add('/load?' + order.join()); });"
            "add('/sync?state=' + document.readyState);"
            "</script></body>",
            &pc);
    EXPECT_LINKS(d, "http://example.com/sync?state=loading",
                 "http://example.com/dcl?state=interactive", "http://example.com/dcl-window",
                 "http://example.com/body-onload", "http://example.com/load?dcl");
}
END_TEST

START_TEST(fetch_json)
{
    page_ctx pc;
    char url[256], html[1024];
    snprintf(url, sizeof(url), "%s/fixtures/js/page.html", HTTPD.base_url);
    snprintf(html, sizeof(html),
             "<body>" ADD_JS "<script>"
             "fetch('links.json').then(function(r){"
             "  if (!r.ok || r.status !== 200) throw new Error('status ' + r.status);"
             "  add('/status?' + r.status);"
             "  return r.json(); })"
             ".then(function(j){ j.links.forEach(add); })"
             ".catch(function(e){ add('/fetch-failed'); });"
             "fetch('/fixtures/js/missing.json').then(function(r){ add('/missing?' + r.ok + '-' + "
             "r.status); });"
             "fetch('links.json', {method:'POST'}).catch(function(e){ add('/post-refused'); });"
             "</script></body>");
    html_doc d = run_in(&A, url, html, &pc);
    char w0[128], w1[128], w2[128], w3[128], w4[128];
    snprintf(w0, sizeof(w0), "%s/post-refused", HTTPD.base_url);
    snprintf(w1, sizeof(w1), "%s/status?200", HTTPD.base_url);
    snprintf(w2, sizeof(w2), "%s/from-json-1", HTTPD.base_url);
    snprintf(w3, sizeof(w3), "%s/fixtures/js/rel/from-json-2", HTTPD.base_url);
    snprintf(w4, sizeof(w4), "%s/missing?false-404", HTTPD.base_url);
    EXPECT_LINKS(d, w0, w1, w2, w3, w4);
    ck_assert_int_eq(FETCHES, 2);
}
END_TEST

START_TEST(xhr)
{
    page_ctx pc;
    char url[256], html[2048];
    snprintf(url, sizeof(url), "%s/fixtures/js/page.html", HTTPD.base_url);
    snprintf(
        html, sizeof(html),
        "<body>" ADD_JS "<script>"
        "var x=new XMLHttpRequest(); var states=[];"
        "x.onreadystatechange=function(){ states.push(x.readyState); };"
        "x.onload=function(){ if (x.status===200) x.responseText.trim().split('\\n').forEach(add); "
        "};"
        "x.addEventListener('load', function(){ add('/states?' + states.join('')); });"
        "x.open('GET', 'lines.txt', true); x.send();"
        "var s=new XMLHttpRequest(); s.open('GET', 'links.json', false); s.send();"
        "add('/sync?' + s.status + '-' + JSON.parse(s.responseText).count);"
        "var j=new XMLHttpRequest(); j.responseType='json'; j.open('GET','links.json');"
        "j.addEventListener('load', function(){ add(j.response.links[0] + '?json'); }); j.send();"
        "</script></body>");
    html_doc d = run_in(&A, url, html, &pc);
    char w[5][128];
    snprintf(w[0], 128, "%s/sync?200-2", HTTPD.base_url);
    snprintf(w[1], 128, "%s/from-xhr-1", HTTPD.base_url);
    snprintf(w[2], 128, "%s/from-xhr-2", HTTPD.base_url);
    snprintf(w[3], 128, "%s/states?1234", HTTPD.base_url);
    snprintf(w[4], 128, "%s/from-json-1?json", HTTPD.base_url);
    EXPECT_LINKS(d, w[0], w[1], w[2], w[3], w[4]);
}
END_TEST

START_TEST(query_selector_dataset)
{
    page_ctx pc;
    html_doc d = run(
        "<ul id=list><li class='card hot' data-href='/card1' data-link-id=7>a</li>"
        "<li class=card data-href='card2'>b</li><li class=other data-href=/no>c</li></ul>" ADD_JS
        "<script>"
        "document.querySelectorAll('#list > li.card').forEach(function(el){"
        "  add(el.dataset.href + '?id=' + (el.dataset.linkId || ''));"
        "});"
        "var first=document.querySelector('li.hot');"
        "first.dataset.targetUrl='/via-dataset';"
        "add(first.getAttribute('data-target-url'));"
        "add('/keys?' + Object.keys(first.dataset).join('+'));"
        "add('/has?' + ('href' in first.dataset) + '-' + ('nope' in first.dataset));"
        "var li=document.getElementsByTagName('li'), c=document.getElementsByClassName('card');"
        "add('/counts?' + li.length + '-' + c.length + '-' + first.matches('ul > .card')"
        "    + '-' + (first.closest('ul') === document.getElementById('list')));"
        "</script>",
        &pc);
    EXPECT_LINKS(d, "http://example.com/card1?id=7",
                 "http://example.com/dir/card2?id=", "http://example.com/via-dataset",
                 "http://example.com/keys?href+linkId+targetUrl",
                 "http://example.com/has?true-false", "http://example.com/counts?3-2-true-true");
}
END_TEST

START_TEST(external_script)
{
    page_ctx pc;
    char url[256];
    snprintf(url, sizeof(url), "%s/fixtures/js/page.html", HTTPD.base_url);
    html_doc d = run_in(&A, url,
                        "<body><script src=ext.js></script>"
                        "<script src=/fixtures/js/nothere.js></script>"
                        "<script src=throws.js></script>"
                        "<script>if (window.extLoaded && window.beforeThrow) {"
                        "var a=document.createElement('a');a.href='/after-ext';"
                        "document.body.appendChild(a);}</script></body>",
                        &pc);
    char w0[128], w1[128];
    snprintf(w0, sizeof(w0), "%s/from-external", HTTPD.base_url);
    snprintf(w1, sizeof(w1), "%s/after-ext", HTTPD.base_url);
    EXPECT_LINKS(d, w0, w1);
    ck_assert_int_eq(pc.res.scripts_run, 2);
    ck_assert_int_eq(pc.res.scripts_failed, 2); /* 404 and the throw */
    ck_log_has("nothere.js: HTTP 404");
    ck_log_has("throws.js:2:");
}
END_TEST

START_TEST(tree_edits)
{
    page_ctx pc;
    html_doc d =
        run("<div id=c><a id=k href=/keep>k</a><a id=r href=/remove-me>r</a>"
            "<a id=x href=/replace-me>x</a><span id=gone><a href=/gone>g</a></span></div>"
            "<script>"
            "var c=document.getElementById('c');"
            "var removed=c.removeChild(document.getElementById('r'));"
            "var n=document.createElement('a'); n.href='/replacement';"
            "var old=c.replaceChild(n, document.getElementById('x'));"
            "var i=document.createElement('a'); i.href='/inserted';"
            "c.insertBefore(i, document.getElementById('k'));"
            "document.getElementById('gone').remove();"
            "var f=document.createDocumentFragment();"
            "['/frag1','/frag2'].forEach(function(h){var a=document.createElement('a');"
            "  a.href=h; f.appendChild(a);});"
            "c.appendChild(f);"
            "c.append('text', (function(){var a=document.createElement('a');a.href='/appended';"
            "  return a;})());"
            "var cl=document.getElementById('k').cloneNode(true); cl.href='/clone';"
            "c.prepend(cl);"
            "if (removed.parentNode !== null || old.getAttribute('href') !== '/replace-me')"
            "  throw new Error('returned nodes');"
            "if (c.firstChild !== cl || cl.nextSibling !== i || i.nextElementSibling.id !== 'k')"
            "  throw new Error('order');"
            "</script>",
            &pc);
    EXPECT_LINKS(d, "http://example.com/clone", "http://example.com/inserted",
                 "http://example.com/keep", "http://example.com/replacement",
                 "http://example.com/frag1", "http://example.com/frag2",
                 "http://example.com/appended");
    ck_assert_int_eq(pc.res.scripts_failed, 0);
}
END_TEST

START_TEST(class_list)
{
    page_ctx pc;
    html_doc d =
        run("<body><div id=a class='x  y'></div>" ADD_JS "<script>"
            "var el=document.getElementById('a'), cl=el.classList;"
            "cl.add('on'); cl.remove('x'); var t1=cl.toggle('z'); var t2=cl.toggle('y');"
            "add('/state?' + cl.contains('on') + '-' + cl.contains('x') + '-' + t1 + '-' + t2"
            "    + '-' + cl.length + '-' + el.className.replace(/ /g, '_'));"
            "document.querySelectorAll('.on').forEach(function(){ add('/found-on'); });"
            "el.className='q'; add('/cn?' + document.getElementsByClassName('q').length);"
            "</script></body>",
            &pc);
    EXPECT_LINKS(d, "http://example.com/state?true-false-true-false-2-on_z",
                 "http://example.com/found-on", "http://example.com/cn?1");
}
END_TEST

START_TEST(href_resolved_and_window)
{
    page_ctx pc;
    html_doc d = run(
        "<title>Old</title><body><a id=u href='../up/x?q=1#frag'>u</a><img id=i "
        "src='img.png'>" ADD_JS "<script>"
        "add('/href?u=' + encodeURIComponent(document.getElementById('u').href));"
        "add('/src?u=' + encodeURIComponent(document.getElementById('i').src));"
        "add('/loc?' + location.hostname + '-' + location.pathname + '-' + location.protocol);"
        "add('/ua?' + encodeURIComponent(navigator.userAgent));"
        "add('/win?' + (window === self) + '-' + (globalThis === window) + '-'"
        "    + (document.defaultView === window) + '-' + (document.body === document.body)"
        "    + '-' + (document.getElementById('u') === document.querySelector('#u'))"
        "    + '-' + (document.body instanceof HTMLElement) + '-' + document.body.nodeType"
        "    + '-' + document.body.tagName + '-' + document.documentElement.nodeName);"
        "add(new URL('rel/path?a=b', location.href).href.replace('example.com', 'example.org'));"
        "document.title = 'New ' + document.title;"
        "add('/title?' + encodeURIComponent(document.title));"
        "console.log('hello', 1, {k: 2}); console.error('bad thing');"
        "</script></body>",
        &pc);
    EXPECT_LINKS(d, "http://example.com/up/x?q=1",
                 "http://example.com/href?u=http%3A%2F%2Fexample.com%2Fup%2Fx%3Fq%3D1",
                 "http://example.com/src?u=http%3A%2F%2Fexample.com%2Fdir%2Fimg.png",
                 "http://example.com/loc?example.com-/dir/page.html-http:",
                 "http://example.com/ua?crawld-test%2F1.0",
                 "http://example.com/win?true-true-true-true-true-true-1-BODY-HTML",
                 "http://example.org/dir/rel/path?a=b", "http://example.com/title?New%20Old");
    ck_log_has("L1 console: hello 1 {\"k\":2}");
    ck_log_has("L3 console: bad thing");
}
END_TEST

START_TEST(dynamic_script_element_runs)
{
    page_ctx pc;
    html_doc d =
        run("<body>" ADD_JS "<script>"
            "var s=document.createElement('script'); s.textContent=\"add('/dyn-inline')\";"
            "document.body.appendChild(s);"
            "document.body.insertAdjacentHTML('beforeend', '<script>add(\"/never\")<\\/script>');"
            "document.getElementById;"
            "</script></body>",
            &pc);
    EXPECT_LINKS(d, "http://example.com/dyn-inline");
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

    tc = tcase_create("techniques");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, append_created_anchor);
    tcase_add_test(tc, inner_html);
    tcase_add_test(tc, document_write);
    tcase_add_test(tc, timers_nested);
    tcase_add_test(tc, endless_interval_is_capped);
    tcase_add_test(tc, dom_content_loaded_and_load);
    tcase_add_test(tc, query_selector_dataset);
    tcase_add_test(tc, tree_edits);
    tcase_add_test(tc, class_list);
    tcase_add_test(tc, href_resolved_and_window);
    tcase_add_test(tc, dynamic_script_element_runs);
    tcase_add_test(tc, script_cache_reuses_stencils);
    tcase_add_test(tc, script_cache_errors_unchanged);
    suite_add_tcase(s, tc);

    tc = tcase_create("network");
    tcase_add_checked_fixture(tc, setup_net, teardown_net);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, fetch_json);
    tcase_add_test(tc, xhr);
    tcase_add_test(tc, external_script);
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
