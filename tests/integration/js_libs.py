"""Real libraries through crawld --js (tests/integration/js_libs.sh installs
them): each page of tests/js_libs/site, served with the packages by
tests/js_libs/serve.py, builds its links with its library (ready handlers,
$.getJSON, $.post, $.getScript, delegated handlers fired by .trigger(),
widgets and their events, a Backbone router and view, lodash templates and
debounce, XMLHttpRequest POST, a React 18 component with state, effects
and a click through its root listener, a Vue 3 in-DOM template with a
<template v-if>, Alpine 3's x-for and x-if over <template> content, a
lit 3 element in the light DOM, upgraded, its attribute changed, and one
created by script, htmx 2's hx-get on load, an hx-on handler found by
its XPath query, and an hx-post). A
link named /wrong-... is what a page adds
when a feature answered otherwise than a browser. Every record must show
its scripts ran with no error and exactly the expected links, in order.
Then the missing-property trace: on with CRAWLD_JS_TRACE_MISSING, absent
without it."""
import json, os, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import BIN, check, finish, dump_log_on_failure, wait_for  # noqa: E402
from crawl_lib import crawl_daemon  # noqa: E402

NM = sys.argv[1]
ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SLOW = os.environ.get("CRAWLD_BUILD") in ("asan", "debug")

port_file = os.path.join(os.environ.get("TMPDIR", "/tmp"), "js-libs-port.%d" % os.getpid())
srv = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests/js_libs/serve.py"), NM, port_file])


def jquery(v):
    return ["ready-%d" % v, "hide-ok", "show-ok", "class-ok", "delegated-7", "parsed", "parsed-clean",
            "json-1", "json-2", "from-getscript", "echo-posted-2", "order-interactive-ready-complete-load"]


PAGES = {
    "jquery1.html": jquery(1),
    "jquery2.html": jquery(2),
    "jquery3.html": jquery(3),
    "jqueryui.html": ["tabs-built", "tab-activated-t2", "tab-two-shown", "accordion-headers-2",
                      "button-clicked", "widget-string"],
    "bootstrap3.html": ["menu-item", "tab-shown-p2", "tab-pane-switched", "dropdown-open", "collapse-shown"],
    "bootstrap5.html": ["menu-item", "tab-shown-b2", "tab-pane-switched", "dropdown-open", "collapse-shown"],
    "backbone.html": ["json-1", "json-2", "view-event"],
    "lodash.html": ["ab", "cd", "echo-xhr-3", "debounced-1"],
    "react_vue.html": ["json-1", "json-2", "react-clicked-1", "vue-json-1", "vue-json-2", "vue-clicked"],
    "templates.html": ["alpine-json-1", "alpine-json-2", "alpine-if",
                       "lit-changed-json-1", "lit-changed-json-2", "htmx-loaded", "echo-htmx-5",
                       "lit-created-json-1", "lit-created-json-2"],
}

try:
    wait_for(lambda: os.path.exists(port_file), 10, "the page server's port")
    with open(port_file) as f:
        base = "http://127.0.0.1:%s/" % f.read().strip()
    d = crawl_daemon("js-libs", extra="[limits]\njs_time_budget_ms = %d\n" % (20000 if SLOW else 5000))
    try:
        d.start()
        seeds = [base + p for p in PAGES]
        jid = d.submit(seeds, "--js", "--depth", "0")
        d.wait_job(jid, timeout=300 if SLOW else 120)
        recs = {r["url"]: r for r in d.records(jid)}
        check(sorted(recs) == sorted(seeds), "every page crawled: %r" % sorted(recs))
        for page, names in PAGES.items():
            r = recs.get(base + page, {})
            st = r.get("js_stats") or {}
            check(r.get("js") is True and r.get("js_note") is None and r.get("error") is None,
                  "%s: scripts ran (js=%r, js_note=%r, error=%r)" % (page, r.get("js"), r.get("js_note"),
                                                                     r.get("error")))
            check(st.get("failed") == 0 and st.get("error") is None and not st.get("timed_out"),
                  "%s: no script error: %r" % (page, st))
            want = [base + n + ".html" for n in names]
            check(r.get("links") == want, "%s: links %r, want %r" % (page, r.get("links"), want))
        check(d.stop() == 0, "crawld exits 0")
    finally:
        dump_log_on_failure(d)
        check(d.cleanup(), "no worker left behind")

    # The missing-property trace: one log line per page, counts by name.
    def fetch(env):
        return subprocess.run([BIN + "/crawld-worker", "fetch", "--js", base + "jquery3.html"],
                              capture_output=True, text=True, timeout=120, env=env)
    on = fetch(dict(os.environ, CRAWLD_JS_TRACE_MISSING="1"))
    line = [l for l in on.stderr.splitlines() if 'msg="missing properties"' in l]
    check(on.returncode == 0 and len(line) == 1, "trace on: one missing-properties line: %s" % on.stderr[-500:])
    # jQuery asks once for an AMD loader (typeof define) and reads its data
    # expando on elements (jQuery<digits>, counted under one name).
    check(line and " window.define:1" in line[0] and "Element.jQueryN:" in line[0],
          "trace on: window and element reads counted: %s" % (line[:1],))
    off = fetch(dict((k, v) for k, v in os.environ.items() if k != "CRAWLD_JS_TRACE_MISSING"))
    check(off.returncode == 0 and "missing properties" not in off.stderr, "trace off: no line")
    rec = json.loads(off.stdout.strip().splitlines()[-1])
    check(rec.get("links") == [base + n + ".html" for n in jquery(3)], "trace off: same links")
finally:
    srv.terminate()
    srv.wait(timeout=10)
    if os.path.exists(port_file):
        os.remove(port_file)
finish("js_libs")
