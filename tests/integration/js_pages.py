"""Page JavaScript with the real worker and the real daemon: for each
fixture page of tests/fixtures/jsite the exact links found with --js and
with --no-js; runaway loops, memory bombs, throwing and deeply recursive
scripts still give the page's static links and leave a working worker;
a crawl whose links exist only after scripts finds exactly its pages."""
import json, os, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import BIN, check, finish, dump_log_on_failure  # noqa: E402
from crawl_lib import crawl_daemon  # noqa: E402

BASE = sys.argv[1]
SITE = BASE + "/fixtures/jsite/"
ASAN = os.environ.get("CRAWLD_BUILD") == "asan"
D = tempfile.mkdtemp(prefix="js-pages.")
CONF = os.path.join(D, "worker.conf")
with open(CONF, "w") as f:
    # A short script budget so the runaway page ends quickly; a small heap
    # and address space so the memory bomb hits a limit.
    # rss_soft_mb is high so one worker serves every page of the sequence
    # below even under ASan (7x the RSS), where the bomb page would retire it.
    f.write("[limits]\njs_time_budget_ms = %d\njs_heap_mb = 64\nrss_soft_mb = 8192\nrss_hard_mb = 16384\n"
            "js_address_space_mb = %d\n[network]\nallow_private = true\n"
            % (1500 if ASAN else 600, 0 if ASAN else 3584))


def fetch(page, js=True, timeout=60):
    args = [BIN + "/crawld-worker", "fetch", "--js" if js else "--no-js", "--dump", "json",
            "-c", CONF, SITE + page]
    t0 = time.time()
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                       env=dict(os.environ, CRAWLD_LOG_LEVEL="debug"))
    rec = json.loads(r.stdout.strip().splitlines()[-1]) if r.stdout.strip() else {}
    return r.returncode, rec, r.stderr, time.time() - t0


def u(*names):
    return [SITE + n for n in names]


CASES = [
    # page, links with --js (document order), what it shows
    ("append.html", u("static.html", "append-one.html", "append-two.html"), "createElement + appendChild"),
    ("inner.html", u("static.html", "inner-1.html", "inner-2.html", "inner-3.html"), "innerHTML"),
    ("write.html", u("static.html", "written.html"), "document.write"),
    # timer-1 at 200 ms, the interval's third tick at 300 ms, timer-2 at 700 ms
    ("timer.html", u("static.html", "timer-1.html", "interval-3.html", "timer-2.html"),
     "setTimeout (nested), setInterval, clearTimeout"),
    ("ready.html", u("static.html", "ready-dcl.html", "ready-load.html"), "DOMContentLoaded and load"),
    ("fetch.html", u("static.html", "fetched-a.html", "fetched-b.html"), "fetch() of JSON"),
    ("xhr.html", u("static.html", "xhr-fetched-a.html"), "XMLHttpRequest"),
    ("dataset.html", u("static.html", "card-1.html", "hot-card-2.html"),
     "querySelectorAll + dataset + classList + insertBefore"),
    ("external.html", u("static.html", "external-ext.html", "after-external.html"),
     "external script; a missing one does not stop the next"),
    ("edit.html", u("static.html", "replacement.html"), "removeChild and replaceChild"),
    ("throw.html", u("static.html", "after-throw.html"), "a throwing and a broken script, then a good one"),
    ("recurse.html", u("static.html", "recursion-caught-yes.html"), "deep recursion is catchable"),
    ("module.html", u("static.html", "classic.html"), "type=module and other types are skipped"),
]

try:
    for page, want, what in CASES:
        rc, rec, err, _ = fetch(page)
        check(rc == 0 and rec.get("js") is True, "%s: ran with JS (rc=%d): %s" % (page, rc, err[-400:]))
        got = rec.get("links")
        check(got == want, "%s (%s): links %r, want %r" % (page, what, got, want))
        # Without JS only the static link is there.
        # Without JS only the static links are there.
        static = u("static.html", "removed.html", "replaced.html") if page == "edit.html" \
            else u("static.html")
        rc, rec, err, _ = fetch(page, js=False)
        check(rc == 0 and rec.get("js") is False and rec.get("links") == static,
              "%s --no-js: only the static links: %r" % (page, rec.get("links")))

    rc, rec, err, _ = fetch("throw.html")
    st = rec.get("js_stats") or {}
    check(st.get("scripts") == 1 and st.get("failed") == 2 and "TypeError" in (st.get("error") or ""),
          "throw.html: 1 script ran, 2 failed, the first error kept: %r" % st)
    check("script error" in err or "TypeError" in err, "script errors go to the debug log")
    rc, rec, err, _ = fetch("module.html")
    check((rec.get("js_stats") or {}).get("skipped") == 2, "module.html: 2 scripts skipped: %r"
          % rec.get("js_stats"))
    rc, rec, err, _ = fetch("append.html")
    check(rec.get("js_ms", 0) > 0 and rec.get("js_ms") < 5000, "js_ms measured: %r" % rec.get("js_ms"))

    # Runaway loop: stopped at the budget; the script before it ran, the one
    # after it too (a timed-out script does not end the page's other scripts
    # only if budget is left: here it is spent, so "after-loop" is absent).
    rc, rec, err, dt = fetch("loop.html")
    st = rec.get("js_stats") or {}
    check(rc == 0 and st.get("timed_out") is True, "loop.html: timed out: %r" % st)
    check(SITE + "static.html" in rec.get("links", []) and SITE + "before-loop.html" in rec.get("links", []),
          "loop.html: static and earlier links kept: %r" % rec.get("links"))
    check(dt < 20, "loop.html: the budget ends it (%.1f s)" % dt)

    # Memory bomb: a limit stops it (heap, address space or the time
    # budget), the page keeps its static link, the worker exits cleanly.
    rc, rec, err, dt = fetch("bomb.html", timeout=120)
    st = rec.get("js_stats") or {}
    check(rc == 0 and rec.get("links") == u("static.html"), "bomb.html: static link kept (rc=%d) %r %s"
          % (rc, rec.get("links"), err[-300:]))
    check(st.get("out_of_memory") or st.get("timed_out"), "bomb.html: stopped by a limit: %r" % st)

    # One worker process, hostile pages between good ones: it goes on.
    drv = os.path.join(os.path.dirname(os.path.abspath(__file__)), "serve_driver.py")
    seq = ["append.html", "loop.html", "inner.html", "bomb.html", "fetch.html", "throw.html",
           "recurse.html", "timer.html"]
    r = subprocess.run([sys.executable, "-c", r'''
import json, os, socket, struct, subprocess, sys
BIN, CONF, SITE = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, sys.argv[4])
from frames import decode
pages = sys.argv[5:]
a, b = socket.socketpair()
p = subprocess.Popen([BIN + "/crawld-worker", "serve", "-c", CONF], close_fds=False,
                     preexec_fn=lambda fd=b.fileno(): os.dup2(fd, 3))
b.close()
def rd():
    h = b""
    while len(h) < 4:
        c = a.recv(4 - len(h)); assert c; h += c
    n = struct.unpack(">I", h)[0]; d = b""
    while len(d) < n:
        c = a.recv(n - len(d)); assert c; d += c
    return decode(d)
rd()
out = []
for i, pg in enumerate(pages):
    t = json.dumps({"type": "task", "task_id": i + 1, "url": SITE + pg, "js": True}).encode()
    a.sendall(struct.pack(">I", len(t)) + t)
    m = rd()
    while m["type"] == "parse":  # the page's parse message comes before its result
        m = rd()
    out.append({"page": pg, "links": m["page"]["links"], "pid": m["worker"]["pid"],
                "js": m["page"]["js"], "js_heap_kb": m["worker"].get("js_heap_kb")})
a.close()
print(json.dumps({"results": out, "exit": p.wait(timeout=30)}))
''', BIN, CONF, SITE, os.path.dirname(drv)] + seq, capture_output=True, text=True, timeout=300)
    res = json.loads(r.stdout) if r.stdout.strip() else {"results": [], "exit": None}
    byp = {x["page"]: x for x in res["results"]}
    want = dict((c[0], c[1]) for c in CASES)
    check(len(res["results"]) == len(seq), "serve: every page answered (%d): %s" % (len(res["results"]), r.stderr[-500:]))
    check(len({x["pid"] for x in res["results"]}) == 1, "serve: one worker process for all")
    for pg in ("append.html", "inner.html", "fetch.html", "throw.html", "recurse.html", "timer.html"):
        check(byp.get(pg, {}).get("links") == want[pg], "serve: %s after hostile pages: %r"
              % (pg, byp.get(pg, {}).get("links")))
    check(res["exit"] == 0, "serve: worker exits 0 on EOF (%r)" % res["exit"])
    check(all(isinstance(x["js_heap_kb"], int) and x["js_heap_kb"] >= 0 for x in res["results"]),
          "serve: js_heap_kb reported")

    # Through crawld: a site whose links exist only after scripts.
    graph = [SITE + "graph/%d.html" % i for i in range(5)]
    d = crawl_daemon("js-crawl", extra="[limits]\njs_time_budget_ms = %d\n" % (3000 if ASAN else 1500))
    try:
        d.start()
        jid = d.submit([graph[0]], "--js", "--scope", "prefix", "--depth", "10")
        d.wait_job(jid, timeout=120)
        recs = d.records(jid)
        check(sorted(r["url"] for r in recs) == sorted(graph), "--js crawl: exactly the 5 pages: %r"
              % sorted(r["url"] for r in recs))
        check(all(r["js"] is True and r["error"] is None for r in recs),
              "--js crawl: every record ran JS: %r" % [(r["js"], r["error"]) for r in recs])
        jid = d.submit([graph[0]], "--no-js", "--scope", "prefix", "--depth", "10")
        d.wait_job(jid, timeout=60)
        recs = d.records(jid)
        check([r["url"] for r in recs] == graph[:1] and recs[0]["js"] is False,
              "--no-js crawl: the seed only: %r" % [r["url"] for r in recs])
        st = d.status()
        check(any(isinstance(w.get("js_heap_mb"), (int, float)) for w in st["workers"]),
              "status shows js_heap_mb: %r" % [w.get("js_heap_mb") for w in st["workers"]])
        check(d.stop() == 0, "crawld exits 0")
    finally:
        dump_log_on_failure(d)
        check(d.cleanup(), "no worker left behind")
finally:
    subprocess.run(["rm", "-rf", D])
finish("js_pages")
