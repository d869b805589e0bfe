/* test_js_page — pages whose links exist only after their scripts ran
 * (worker/js/'s DOM bindings, timers, events, fetch and XHR against the test
 * server tests/server/httpd.py): one technique per test, exact link lists. */
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

static testutil_httpd HTTPD;
static void setup_net(void)
{
    ck_assert_int_eq(testutil_httpd_start(&HTTPD), 0);
    rt_make(5000, 0);
}
static void teardown_net(void)
{
    teardown();
    testutil_httpd_stop(&HTTPD);
}

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
             "fetch('/echo-body', {method:'POST', body:'a=1&b=2', headers:{'X-Test':'t1'}})"
             ".then(function(r){ return r.json(); }).then(function(j){"
             "  add('/post?' + j.method + '-' + j.body + '-' + j.x + '-' + j.type); });"
             "</script></body>");
    html_doc d = run_in(&A, url, html, &pc);
    char w0[128], w1[128], w2[128], w3[128], w4[128];
    /* The POST's method, body and header reached the server (its echo). */
    snprintf(w0, sizeof(w0), "%s/post?POST-a=1&b=2-t1-text/plain;charset=UTF-8", HTTPD.base_url);
    snprintf(w1, sizeof(w1), "%s/status?200", HTTPD.base_url);
    snprintf(w2, sizeof(w2), "%s/from-json-1", HTTPD.base_url);
    snprintf(w3, sizeof(w3), "%s/fixtures/js/rel/from-json-2", HTTPD.base_url);
    snprintf(w4, sizeof(w4), "%s/missing?false-404", HTTPD.base_url);
    EXPECT_LINKS(d, w1, w2, w3, w4, w0);
    ck_assert_int_eq(FETCHES, 3);
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
    /* href reads back absolute with its fragment, as in browsers. */
    EXPECT_LINKS(d, "http://example.com/up/x?q=1",
                 "http://example.com/href?u=http%3A%2F%2Fexample.com%2Fup%2Fx%3Fq%3D1%23frag",
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

static Suite *js_page_suite(void)
{
    Suite *s = suite_create("js_page");
    TCase *tc = tcase_create("techniques");
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
    suite_add_tcase(s, tc);

    tc = tcase_create("network");
    tcase_add_checked_fixture(tc, setup_net, teardown_net);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, fetch_json);
    tcase_add_test(tc, xhr);
    tcase_add_test(tc, external_script);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(js_page_suite()); }
