/* test_js_dom — the DOM pieces real libraries lean on (worker/js/
 * prelude_dom.cpp, bindings_doc.cpp): DOMTokenList, a second document
 * (createHTMLDocument) kept apart from the page's, fragments that move
 * their children, event phases and their order, readyState's order,
 * computed display, template content, tree walks, custom elements,
 * htmx's XPath shape, and an XMLHttpRequest POST whose body, headers and
 * method reach the test server (tests/server/httpd.py /echo-body). Each
 * page writes what it saw into one link; the tests compare it whole. */
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
#include <stdio.h>
#include <string.h>

/* Results joined with '_', spaces as '.', into one link /r?... */
#define REPORT_JS "function report(r){add('/r?'+r.map(String).join('_').replace(/ /g,'.'));}"

START_TEST(class_list_semantics)
{
    page_ctx pc;
    html_doc d =
        run("<body>" ADD_JS "<script>" REPORT_JS
            "var e=document.createElement('div');e.className='  a b  a ';var r=[];"
            "var cl=e.classList;r.push(cl.length,cl.contains('a'));"
            "cl.add('c','a');r.push(e.className);"
            "r.push(cl.toggle('b'),cl.toggle('b',true),cl.toggle('z',false),cl.toggle('b',true));"
            "r.push(cl.replace('a','q'),cl.replace('nope','w'),e.getAttribute('class'));"
            "r.push(cl.item(1),cl[2],cl.item(9),Array.from(cl).join('.'),cl.value);"
            "try{cl.add('')}catch(x){r.push(x.name)}"
            "try{cl.add('a b')}catch(x){r.push(x.name)}"
            "e.setAttribute('class','live');r.push(cl.value,cl.length,e.classList===cl);"
            "cl.remove('live');r.push(e.getAttribute('class')==='',cl.length);"
            "report(r);</script></body>",
            &pc);
    EXPECT_LINKS(d, "http://example.com/r?2_true_a.b.c_false_true_false_true_true_false_q.c.b_c_b_"
                    "null_q.c.b_q.c.b_SyntaxError_InvalidCharacterError_live_1_true_true_0");
    ck_assert_int_eq(pc.res.scripts_failed, 0);
}
END_TEST

START_TEST(create_html_document_is_apart)
{
    page_ctx pc;
    html_doc d = run(
        "<body>" ADD_JS "<script>" REPORT_JS
        "var d2=document.implementation.createHTMLDocument('t2');var r=[d2.title,document.title];"
        "d2.body.innerHTML='<a href=/moved>x</a><a href=/stays-in-d2>y</a><p id=p2>p</p>"
        "<script>window.ran=1<\\/script>';"
        "r.push(document.getElementById('p2')===null,d2.getElementById('p2')!==null);"
        "r.push(d2.body.parentNode===d2.documentElement,d2.documentElement.parentNode===d2);"
        "r.push(d2.querySelectorAll('a').length,document.querySelectorAll('a').length);"
        "r.push(d2.body.firstChild.ownerDocument===d2,d2.createElement('i').ownerDocument===d2);"
        "r.push(d2.defaultView===null,d2.nodeType,d2.head.nodeName);"
        "var a=d2.querySelector('a');document.body.appendChild(a);"
        "r.push(a.ownerDocument===document,d2.querySelectorAll('a').length,window.ran===undefined);"
        "r.push(document.implementation.hasFeature(),a.compareDocumentPosition(d2.body)&1);"
        "report(r);</script></body>",
        &pc);
    /* The link left in the second document is not the page's. */
    EXPECT_LINKS(
        d, "http://example.com/moved",
        "http://example.com/r?t2__true_true_true_true_2_0_true_true_true_9_HEAD_true_1_true_"
        "true_1");
    ck_assert_int_eq(pc.res.scripts_failed, 0);
}
END_TEST

START_TEST(fragments_move_and_clone)
{
    page_ctx pc;
    html_doc d = run(
        "<body><div id=box></div>" ADD_JS "<script>" REPORT_JS "var r=[];"
        "var f=document.createDocumentFragment();"
        "['/f1','/f2'].forEach(function(h){var a=document.createElement('a');a.href=h;"
        "f.appendChild(a);});"
        "r.push(f.nodeType,f.nodeName==='#document-fragment',f.childNodes.length,f."
        "querySelectorAll('a').length);"
        "var box=document.getElementById('box');var back=box.appendChild(f);"
        "r.push(back===f,f.childNodes.length,box.childNodes.length,f.parentNode===null);"
        "var c=box.cloneNode(true);r.push(c.childNodes.length,c.firstChild!==box.firstChild,"
        "c.parentNode===null);"
        "var div=document.createElement('div'),inp=document.createElement('input');"
        "inp.setAttribute('type','radio');inp.setAttribute('checked','checked');"
        "inp.setAttribute('name','t');div.appendChild(inp);"
        "r.push(div.cloneNode(true).cloneNode(true).lastChild.checked);"
        "inp.checked=false;r.push(inp.cloneNode(true).checked,div.cloneNode(false).childNodes."
        "length);"
        "var ff=document.createDocumentFragment();ff.appendChild(document.createElement('b'));"
        "var fc=ff.cloneNode(true);r.push(fc.nodeType,fc.firstChild.nodeName,ff.childNodes.length);"
        "box.insertBefore(ff,box.firstChild);r.push(box.firstChild.nodeName,ff.childNodes.length);"
        "report(r);</script></body>",
        &pc);
    EXPECT_LINKS(d, "http://example.com/f1", "http://example.com/f2",
                 "http://example.com/r?11_true_2_2_true_0_2_true_2_true_true_true_"
                 "false_0_11_B_1_B_0");
    ck_assert_int_eq(pc.res.scripts_failed, 0);
}
END_TEST

START_TEST(event_phases_and_order)
{
    page_ctx pc;
    html_doc d =
        run("<body><div id=o><p id=m><span id=t>x</span></p></div>"
            "<button id=b onclick=\"log.push('attr:'+event.type)\">b</button><input id=in>" ADD_JS
            "<script>" REPORT_JS "var log=[];"
            "var o=document.getElementById('o'),m=document.getElementById('m'),"
            "t=document.getElementById('t');"
            "var L=function(n){return function(e){log.push(n+e.eventPhase);};};"
            "o.addEventListener('x',L('oC'),true);o.addEventListener('x',L('oB'));"
            "m.addEventListener('x',L('mC'),{capture:true});m.addEventListener('x',L('mB'));"
            "t.addEventListener('x',L('tB'));t.addEventListener('x',L('tC'),true);"
            "window.addEventListener('x',L('wC'),true);document.addEventListener('x',L('dB'));"
            "var once=0;t.addEventListener('x',function(){once++;},{once:true});"
            "t.dispatchEvent(new CustomEvent('x',{bubbles:true}));log.push('|');"
            "t.dispatchEvent(new Event('x'));log.push('|once'+once);"
            "m.addEventListener('y',function(e){e.stopPropagation();log.push('stop');});"
            "o.addEventListener('y',function(){log.push('never');});"
            "t.dispatchEvent(new Event('y',{bubbles:true}));"
            "t.addEventListener('z',function(e){e.stopImmediatePropagation();log.push('first');});"
            "t.addEventListener('z',function(){log.push('never');});"
            "t.dispatchEvent(new Event('z'));"
            "var c=new Event('c',{cancelable:true});t.addEventListener('c',function(e){"
            "e.preventDefault();});log.push(t.dispatchEvent(c),c.defaultPrevented);"
            "var n=new Event('c');log.push(t.dispatchEvent(n),n.defaultPrevented);"
            "var b=document.getElementById('b');b.click();"
            "b.onclick=function(){log.push('prop');return false;};"
            "log.push(b.dispatchEvent(new MouseEvent('click',{bubbles:true,cancelable:true})));"
            "var i=document.getElementById('in');"
            "['focus','focusin','blur','focusout'].forEach(function(k){"
            "i.addEventListener(k,function(e){log.push(k+(e.bubbles?'B':''));});});"
            "i.focus();log.push(document.activeElement===i);i.blur();"
            "log.push(document.activeElement===document.body);"
            "report(log);</script></body>",
            &pc);
    EXPECT_LINKS(d, "http://example.com/r?wC1_oC1_mC1_tC2_tB2_mB3_oB3_dB3_|_wC1_oC1_mC1_tC2_tB2_|"
                    "once1_stop_first_false_true_true_false_attr:click_prop_false_focus_focusinB_"
                    "true_blur_focusoutB_true");
    ck_assert_int_eq(pc.res.scripts_failed, 0);
}
END_TEST

START_TEST(ready_state_order)
{
    page_ctx pc;
    html_doc d = run("<body>" ADD_JS "<script>" REPORT_JS "var seq=[document.readyState];"
                     "document.addEventListener('readystatechange',function(){"
                     "seq.push('rs-'+document.readyState);});"
                     "document.addEventListener('DOMContentLoaded',function(){"
                     "seq.push('dcl-'+document.readyState);});"
                     "window.addEventListener('DOMContentLoaded',function(){seq.push('wdcl');});"
                     "window.addEventListener('load',function(e){"
                     "seq.push('load-'+document.readyState,e.target===document);report(seq);});"
                     "</script></body>",
                     &pc);
    EXPECT_LINKS(d, "http://example.com/r?loading_rs-interactive_dcl-interactive_wdcl_"
                    "rs-complete_load-complete_true");
    ck_assert_int_eq(pc.res.scripts_failed, 0);
}
END_TEST

START_TEST(computed_display)
{
    page_ctx pc;
    html_doc d = run(
        "<body><div id=d1>d</div><span id=s1>s</span><ul><li id=l1>l</li></ul><p id=h hidden>h</p>"
        "<div id=n style='display: none'><b id=inner>i</b></div>" ADD_JS "<script>" REPORT_JS
        "var g=function(id){return getComputedStyle(document.getElementById(id));};"
        "var d1=document.getElementById('d1');"
        "var r=[g('d1').display,g('s1').display,g('l1').display,g('h').display,g('n').display,"
        "getComputedStyle(document.scripts[0]).display,g('d1').getPropertyValue('display')];"
        "d1.style.display='none';r.push(g('d1').display,d1.getAttribute('style'));"
        "d1.style.removeProperty('display');r.push(g('d1').display,d1.style.length);"
        "d1.style.backgroundColor='red';r.push(d1.style['background-color'],"
        "d1.getAttribute('style'),'backgroundColor' in d1.style);"
        "d1.setAttribute('style','margin-top: 3px');r.push(d1.style.marginTop,g('d1').marginTop);"
        "r.push(d1.getClientRects().length,document.getElementById('inner').getClientRects()."
        "length,"
        "document.createElement('div').getClientRects().length,d1.offsetWidth);"
        "report(r);</script></body>",
        &pc);
    EXPECT_LINKS(d, "http://example.com/r?block_inline_list-item_none_none_none_block_none_"
                    "display:.none;_block_0_red_background-color:.red;_true_3px_3px_1_0_0_0");
    ck_assert_int_eq(pc.res.scripts_failed, 0);
}
END_TEST

/* ---- against the test server ---- */

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

START_TEST(xhr_post_body_reaches_the_server)
{
    page_ctx pc;
    char url[256], want[512];
    snprintf(url, sizeof(url), "%s/fixtures/js/page.html", HTTPD.base_url);
    const char *html =
        "<body>" ADD_JS "<script>" REPORT_JS "var states=[];var x=new XMLHttpRequest();"
        "x.onreadystatechange=function(){states.push(x.readyState);};"
        "x.open('post','/echo-body');x.setRequestHeader('Content-Type','application/json');"
        "x.setRequestHeader('X-Test','t9');x.responseType='json';"
        "x.onload=function(){var j=x.response;report([x.status,x.statusText,j.method,j.type,j.x,"
        "j.body==='{\"a\":[1,2]}',x.getResponseHeader('content-type'),states.join('')]);};"
        "x.send(JSON.stringify({a:[1,2]}));"
        "var y=new XMLHttpRequest();y.open('GET','/echo-body');"
        "y.onload=function(){add('/wrong-aborted-loaded');};"
        "y.onabort=function(){add('/aborted-'+y.readyState);};y.send();y.abort();"
        "</script></body>";
    html_doc d = run_in(&A, url, html, &pc);
    snprintf(want, sizeof(want), "%s/r?200_OK_POST_application/json_t9_true_application/json_1234",
             HTTPD.base_url);
    char ab[256];
    snprintf(ab, sizeof(ab), "%s/aborted-4", HTTPD.base_url);
    EXPECT_LINKS(d, ab, want);
    ck_assert_int_eq(pc.res.scripts_failed, 0);
    ck_assert_int_eq(FETCHES, 1); /* the aborted request never left */
}
END_TEST

/* An inline script inserted runs at once (jQuery's globalEval inserts and
 * removes one); an external one runs after the running task and gets load,
 * or error when it cannot be fetched. */
START_TEST(inserted_scripts_run_and_fire_load)
{
    page_ctx pc;
    char url[256], w0[256], w1[256], w2[256];
    snprintf(url, sizeof(url), "%s/fixtures/js/page.html", HTTPD.base_url);
    const char *html =
        "<body>" ADD_JS "<script>" REPORT_JS "var r=[];"
        "var s=document.createElement('script');s.text='window.sync=(window.sync||0)+1';"
        "document.head.appendChild(s).parentNode.removeChild(s);r.push(window.sync);"
        "document.head.appendChild(s);r.push(window.sync);"
        "var e=document.createElement('script');e.src='ext.js';"
        "e.onload=function(){add('/loaded-'+(window.extLoaded===true));};"
        "document.head.appendChild(e);r.push(window.extLoaded===undefined);"
        "var m=document.createElement('script');m.src='/fixtures/js/nothere.js';"
        "m.addEventListener('error',function(){add('/missing-error');});"
        "document.body.appendChild(m);report(r);</script></body>";
    html_doc d = run_in(&A, url, html, &pc);
    snprintf(w0, sizeof(w0), "%s/r?1_1_true", HTTPD.base_url);
    snprintf(w1, sizeof(w1), "%s/loaded-true", HTTPD.base_url);
    snprintf(w2, sizeof(w2), "%s/missing-error", HTTPD.base_url);
    /* ext.js adds its own link before its load event. */
    char wx[256];
    snprintf(wx, sizeof(wx), "%s/from-external", HTTPD.base_url);
    EXPECT_LINKS(d, w0, wx, w1, w2);
}
END_TEST

/* x.constructor as in browsers, and window a Window (an EventTarget), not a
 * plain object: Bootstrap 3's tooltip throws when an element is an
 * instance of document.constructor, and jQuery's $.extend(true, ...)
 * copies a window it takes for a plain object (jQuery UI's position).
 * Attributes are Attr-like (Bootstrap 3's sanitizer reads nodeValue). */
START_TEST(constructors_and_the_window)
{
    page_ctx pc;
    html_doc d = run("<body data-k=v1>" ADD_JS "<script>" REPORT_JS
                     "var p=Object.getPrototypeOf(window),r=[];"
                     "r.push(document.constructor===HTMLDocument,"
                     "document.body instanceof document.constructor,"
                     "document.body.constructor===HTMLElement,"
                     "document.createTextNode('x').constructor===Text,"
                     "p===Object.prototype,p.constructor===Window,window instanceof Window,"
                     "window instanceof EventTarget,typeof window.addEventListener);"
                     "try{new Window()}catch(x){r.push(x.name)}"
                     "var at=document.body.attributes[0];"
                     "r.push(at.name,at.nodeValue,at.nodeType,at.ownerElement===document.body);"
                     "report(r);</script></body>",
                     &pc);
    EXPECT_LINKS(d, "http://example.com/r?true_false_true_true_false_true_true_true_function_"
                    "TypeError_data-k_v1_2_true");
    ck_assert_int_eq(pc.res.scripts_failed, 0);
}
END_TEST

/* <template>: the parsed children live in template.content, a fragment
 * hidden from the document's navigation, lookups and selectors (and from
 * link extraction); innerHTML reads and writes the content; clones and
 * importNode copy it; a template parsed by innerHTML gets its own. */
START_TEST(template_content)
{
    page_ctx pc;
    html_doc d = run(
        "<body><template id=t><a href=/in-template>x</a><p class=q>p</p>"
        "<template id=n><i>n</i></template></template>" ADD_JS "<script>" REPORT_JS
        "var t=document.getElementById('t'),c=t.content,r=[];"
        "r.push(t.childNodes.length,t.firstChild,t.children.length,c.nodeType,c.nodeName.slice(1));"
        "r.push(c.childNodes.length,c.firstChild.tagName,c.parentNode,c.firstChild.parentNode===c);"
        "r.push(document.querySelectorAll('a').length,document.getElementsByTagName('p').length,"
        "document.querySelector('.q'),c.querySelectorAll('a,p').length,t.textContent==='');"
        "r.push(document.getElementById('n'),c.querySelector('#n').content.firstChild.tagName);"
        "r.push(c.querySelectorAll('body a, template a, body > template > *').length,"
        "c.firstChild.closest('template'));"
        "r.push(t.innerHTML==='<a href=\"/in-template\">x</a><p class=\"q\">p</p>"
        "<template id=\"n\"><i>n</i></template>');"
        "r.push(document.body.innerHTML.indexOf('<template id=\"t\"><a "
        "href=\"/in-template\">')===0);"
        "var "
        "k=document.importNode(c,true);r.push(k.nodeType,k.childNodes.length,k.firstChild!==c."
        "firstChild);"
        "var "
        "cl=t.cloneNode(true);r.push(cl.content.childNodes.length,cl.content!==c,t.cloneNode(false)"
        ".content.childNodes.length);"
        "var "
        "e=document.createElement('template');e.innerHTML='<b>b</b><template><u>u</u></template>';"
        "r.push(e.childNodes.length,e.content.childNodes.length,e.content.lastChild.content."
        "firstChild.tagName);"
        "var dv=document.createElement('div');dv.innerHTML='<template><a href=/x>x</a></template>';"
        "r.push(dv.querySelectorAll('a').length,dv.firstChild.content.querySelectorAll('a').length)"
        ";"
        "document.body.appendChild(k);report(r);</script></body>",
        &pc);
    EXPECT_LINKS(d, "http://example.com/in-template",
                 "http://example.com/r?0_null_0_11_document-fragment_3_A_null_true_0_0_null_2_true_"
                 "null_I_0_null_true_true_11_3_true_3_true_0_0_2_U_0_1");
    ck_assert_int_eq(pc.res.scripts_failed, 0);
}
END_TEST

/* TreeWalker and NodeIterator: the standard's orders under whatToShow and
 * filters (SKIP descends, REJECT prunes in a walker, only skips in an
 * iterator), every walker move, and a walk over template content. */
START_TEST(tree_walker_and_node_iterator)
{
    page_ctx pc;
    html_doc d = run(
        "<body><div id=r><p id=a>t1<i id=b>t2</i><!--c1--></p><p id=c class=x><b id=d></b></p>"
        "<s id=e></s></div><template id=t><u id=f><!--c2--></u>text</template>" ADD_JS
        "<script>" REPORT_JS "var r=[],root=document.getElementById('r'),nm=function(n){return "
        "n?(n.id||n.nodeName.slice(n.nodeType===1?0:1)):'null'};"
        "var all=function(w){var o=[];for(var n;(n=w.nextNode());)o.push(nm(n));return "
        "o.join('.')};"
        "r.push(all(document.createTreeWalker(root,NodeFilter.SHOW_ELEMENT)));"
        "r.push(all(document.createTreeWalker(root,NodeFilter.SHOW_ELEMENT|NodeFilter.SHOW_COMMENT|"
        "4)));"
        "var rej=function(n){return "
        "n.className==='x'?NodeFilter.FILTER_REJECT:NodeFilter.FILTER_ACCEPT};"
        "var skp={acceptNode:function(n){return n.className==='x'?3:1}};"
        "r.push(all(document.createTreeWalker(root,1,rej)),all(document.createTreeWalker(root,1,"
        "skp)));"
        "r.push(all(document.createNodeIterator(root,1,rej)));"
        "var w=document.createTreeWalker(root,1);"
        "r.push(nm(w.firstChild()),nm(w.nextSibling()),nm(w.firstChild()),nm(w.parentNode()),"
        "nm(w.lastChild()),nm(w.previousSibling()),nm(w.previousNode()),nm(w.previousNode()),"
        "nm(w.previousNode()),nm(w.parentNode()),nm(w.currentNode));"
        "w.currentNode=document.getElementById('d');r.push(nm(w.nextNode()),nm(w.nextNode()));"
        "var it=document.createNodeIterator(root,1);it.nextNode();it.nextNode();"
        "r.push(nm(it.previousNode()),nm(it.previousNode()),nm(it.previousNode()),nm(it.nextNode())"
        ","
        "it.pointerBeforeReferenceNode);"
        "var tc=document.getElementById('t').content,tw=document.createTreeWalker(document,129);"
        "tw.currentNode=tc;r.push(all(tw));"
        "r.push(all(document.createTreeWalker(document.body,1)));"
        "report(r);</script></body>",
        &pc);
    /* the iterator's first node is its root; its pointer turns at each reversal */
    EXPECT_LINKS(d, "http://example.com/r?a.b.c.d.e_a.text.b.text.comment.c.d.e_a.b.e_a.b.d.e_"
                    "r.a.b.d.e_a_c_d_c_d_null_c_b_a_r_r_e_null_a_r_null_r_false_f.comment_"
                    "r.a.b.c.d.e.t.SCRIPT.SCRIPT");
    ck_assert_int_eq(pc.res.scripts_failed, 0);
}
END_TEST

/* Custom elements: an element parsed before its define is upgraded (its
 * constructor runs on the node, attributeChangedCallback for observed
 * attributes, then connectedCallback); created ones are upgraded at once;
 * connected/disconnected follow inserts, innerHTML and removal;
 * whenDefined resolves; bad and repeated names throw. */
START_TEST(custom_elements)
{
    page_ctx pc;
    html_doc d = run(
        "<body><x-a id=p1 k=1 other=2></x-a>" ADD_JS "<script>" REPORT_JS
        "var log=[],r=[];var p1=document.getElementById('p1');r.push(p1 instanceof HTMLElement);"
        "class XA extends HTMLElement{static get observedAttributes(){return['k']}"
        "constructor(){super();this.made=1;log.push('new-'+this.id)}"
        "connectedCallback(){log.push('in-'+this.id)}disconnectedCallback(){log.push('out-'+this."
        "id)}"
        "attributeChangedCallback(n,o,v){log.push('attr-'+n+'-'+o+'-'+v)}}"
        "customElements.whenDefined('x-a').then(function(c){log.push('defined-'+(c===XA))});"
        "customElements.define('x-a',XA);"
        "r.push(p1 instanceof XA,p1.made,customElements.get('x-a')===XA,customElements.get('x-b'));"
        "p1.setAttribute('k','3');p1.setAttribute('other','4');p1.removeAttribute('k');"
        "var c=document.createElement('x-a');c.id='c';r.push(c instanceof XA);"
        "document.body.appendChild(c);c.remove();"
        "var n=new XA();r.push(n.tagName,n.parentNode);"
        "var dv=document.createElement('div');dv.innerHTML='<x-a "
        "id=h></x-a>';document.body.appendChild(dv);"
        "dv.innerHTML='';"
        "try{customElements.define('nodash',class extends HTMLElement{})}catch(e){r.push(e.name)}"
        "try{customElements.define('x-a',class extends HTMLElement{})}catch(e){r.push(e.name)}"
        "Promise.resolve().then(function(){r.push(log.join('.'));report(r)});</script></body>",
        &pc);
    EXPECT_LINKS(d,
                 "http://example.com/r?true_true_1_true_undefined_true_X-A_null_SyntaxError_"
                 "NotSupportedError_new-p1.attr-k-null-1.in-p1.attr-k-1-3.attr-k-3-null.new-.in-c."
                 "out-c.new-.new-h.in-h.out-h.defined-true");
    ck_assert_int_eq(pc.res.scripts_failed, 0);
}
END_TEST

/* XPath: htmx's one expression (descendants with an attribute whose name
 * starts with one of the prefixes), through XPathEvaluator's expression
 * and document.evaluate; content of templates is not searched; any other
 * expression finds nothing. */
START_TEST(xpath_htmx_shape)
{
    page_ctx pc;
    html_doc d = run(
        "<body><div id=r><p id=a hx-on:click=x></p><p id=b data-hx-on-load=y><i id=c hx-get=/z></i>"
        "</p><template><b id=t hx-on:click=x></b></template></div>" ADD_JS "<script>" REPORT_JS
        "var r=[],root=document.getElementById('r'),ids=function(it){var o=[];"
        "for(var n;(n=it.iterateNext());)o.push(n.id);return o.join('.')};"
        "var q=new XPathEvaluator().createExpression('.//*[@*[ starts-with(name(), \"hx-on:\") or "
        "starts-with(name(), \"data-hx-on-\") ]]');"
        "r.push(ids(q.evaluate(root)),ids(q.evaluate(document.getElementById('b'))));"
        "r.push(ids(document.evaluate('.//*[@*[starts-with(name(), \"hx-\")]]',root,null,"
        "XPathResult.ORDERED_NODE_ITERATOR_TYPE,null)));"
        "r.push(document.evaluate('//p',root,null,7,null).snapshotLength);"
        "report(r);</script></body>",
        &pc);
    EXPECT_LINKS(d, "http://example.com/r?a.b__a.c_0");
    ck_assert_int_eq(pc.res.scripts_failed, 0);
}
END_TEST

static Suite *js_dom_suite(void)
{
    Suite *s = suite_create("js_dom");
    TCase *tc = tcase_create("dom");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, class_list_semantics);
    tcase_add_test(tc, constructors_and_the_window);
    tcase_add_test(tc, create_html_document_is_apart);
    tcase_add_test(tc, fragments_move_and_clone);
    tcase_add_test(tc, event_phases_and_order);
    tcase_add_test(tc, ready_state_order);
    tcase_add_test(tc, computed_display);
    tcase_add_test(tc, template_content);
    tcase_add_test(tc, tree_walker_and_node_iterator);
    tcase_add_test(tc, custom_elements);
    tcase_add_test(tc, xpath_htmx_shape);
    suite_add_tcase(s, tc);

    tc = tcase_create("network");
    tcase_add_checked_fixture(tc, setup_net, teardown_net);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, xhr_post_body_reaches_the_server);
    tcase_add_test(tc, inserted_scripts_run_and_fire_load);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(js_dom_suite()); }
