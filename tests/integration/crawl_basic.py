#!/usr/bin/env python3
"""crawld follows links: the exact set of a generated site's pages, each
exactly once and fetched once; depth and max-pages exact (and in the
breadth-first order); host/domain/prefix/regex scopes; redirects into and
out of scope; meta nofollow; crawlctl submit refusals.

usage: crawl_basic.py BASE_URL   (CRAWLD_BIN: the build directory)"""
import collections, os, re, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import check, dump_log_on_failure, finish  # noqa: E402
from crawl_lib import bfs, crawl_daemon, path_of, stats  # noqa: E402

BASE = sys.argv[1]
PORT = BASE.rsplit(":", 1)[1]
SITE = BASE + "/site/"
host_scope = lambda u: u.startswith(BASE + "/")  # noqa: E731


def crawl(d, seeds, *opts, timeout=60):
    jid = d.submit(seeds, "--no-js", *opts)
    rc, out, err = d.ctl("wait", str(jid), "--timeout", str(timeout))
    check(rc == 0 and "done" in out, "job %s done: %d %r %r" % (jid, rc, out, err))
    return jid, d.records(jid)


def exact(recs, expected, what):
    urls = [r["url"] for r in recs]
    dup = [u for u, n in collections.Counter(urls).items() if n > 1]
    check(not dup, "%s: no page twice (%r)" % (what, dup[:5]))
    got, want = set(urls), set(expected)
    check(got == want, "%s: exact set (%d records, %d expected; missing %r, extra %r)"
          % (what, len(got), len(want), sorted(want - got)[:5], sorted(got - want)[:5]))


d = crawl_daemon("crawl")
try:
    d.start()
    # ---- the whole site from its index: every page once, fetched once ----
    full = bfs([SITE], 100, host_scope)
    stats(BASE, reset=True)
    jid, recs = crawl(d, [SITE], "--depth", "100", "--max-pages", "100000", "--name", "full")
    exact(recs, [u for u, _ in full], "whole site")
    check(len(recs) == 121, "121 pages (index + 120): %d" % len(recs))
    depth_of = dict(full)
    check(all(r["depth"] == depth_of.get(r["url"]) for r in recs), "depth of every record")
    check(all(r["status"] == 200 and r["error"] is None and r["attempts"] == 1 for r in recs),
          "every page 200, one attempt")
    par = {r["url"]: r["parent"] for r in recs}
    check(par[SITE] is None and all(par[u] in par for u in par if u != SITE),
          "parent: null for the seed, a crawled page otherwise")
    st = stats(BASE)
    page_hits = {p: n for p, n in st.items() if p.startswith("/site")}
    check(len(page_hits) == 121 and all(n == 1 for n in page_hits.values()),
          "each page fetched exactly once: %r" % [p for p, n in page_hits.items() if n != 1][:5])
    check(st.get("/robots.txt") == 1, "robots.txt fetched once: %r" % st.get("/robots.txt"))
    check(not any("example.invalid" in r["url"] for r in recs), "external link not followed")
    j = d.job(jid)
    check(j["done"] == 121 and j["failed"] == 0 and j["pending"] == 0 and j["state"] == "done",
          "job counters %r" % j)

    # ---- depth exact ----
    for depth in (0, 1, 3):
        want = bfs([BASE + "/site/p/0.html"], depth, host_scope)
        jid, recs = crawl(d, [BASE + "/site/p/0.html"], "--depth", str(depth))
        exact(recs, [u for u, _ in want], "depth %d" % depth)
        check(max(r["depth"] for r in recs) == depth, "deepest record is %d" % depth)

    # ---- max-pages exact, in breadth-first order ----
    for mp in (1, 17, 50):
        want = bfs([SITE], 100, host_scope, max_pages=mp)
        jid, recs = crawl(d, [SITE], "--depth", "100", "--max-pages", str(mp))
        check(len(recs) == mp, "max-pages %d: %d records" % (mp, len(recs)))
        exact(recs, [u for u, _ in want], "max-pages %d (BFS prefix)" % mp)

    # ---- scopes ----
    # prefix: seed /site/p/0.html → only /site/p/…; the index is out.
    want = bfs([BASE + "/site/p/0.html"], 100, lambda u: u.startswith(BASE + "/site/p/"))
    stats(BASE, reset=True)
    jid, recs = crawl(d, [BASE + "/site/p/0.html"], "--depth", "100", "--scope", "prefix")
    exact(recs, [u for u, _ in want], "prefix scope")
    check("/site/" not in stats(BASE), "prefix: the index was never fetched")
    # regex: one-digit pages only
    rx = r"^http://127\.0\.0\.1:%s/site/p/[0-9]\.html$" % PORT
    want = bfs([BASE + "/site/p/0.html"], 100, lambda u: re.search(rx, u) is not None)
    jid, recs = crawl(d, [BASE + "/site/p/0.html"], "--depth", "100", "--scope", "regex:" + rx)
    exact(recs, [u for u, _ in want], "regex scope")
    check(all(re.search(rx, r["url"]) for r in recs) and len(recs) >= 5, "regex: %d pages"
          % len(recs))
    # domain: an IP address has no registrable domain → compared as host + port
    want = bfs([SITE], 2, host_scope)
    jid, recs = crawl(d, [SITE], "--depth", "2", "--scope", "domain")
    exact(recs, [u for u, _ in want], "domain scope (IP: host rule)")
    # host: localhost:PORT is another host than 127.0.0.1:PORT
    lh = "http://localhost:%s" % PORT
    jid, recs = crawl(d, [lh + "/site/p/5.html"], "--depth", "1")
    check(all(r["url"].startswith(lh + "/") for r in recs) and len(recs) >= 5,
          "host scope stays on localhost:%s" % PORT)

    # ---- redirects ----
    want = bfs([BASE + "/site/p/7.html"], 1, host_scope)
    stats(BASE, reset=True)
    into = BASE + "/redirect-to?url=/site/p/7.html"
    jid, recs = crawl(d, [into], "--depth", "1")
    first = [r for r in recs if r["url"] == into]
    check(len(first) == 1 and first[0]["final_url"] == BASE + "/site/p/7.html",
          "redirect into scope: recorded under its URL with final_url")
    exact(recs, [into] + [u for u, d_ in want if d_ == 1 and u != BASE + "/site/p/7.html"],
          "redirect into scope: its links followed")
    check(stats(BASE).get("/site/p/7.html") == 1, "redirect target fetched once (not again "
          "under its own URL): %r" % stats(BASE).get("/site/p/7.html"))
    out = BASE + "/redirect-to?url=" + "http://localhost:%s/site/p/9.html" % PORT
    stats(BASE, reset=True)
    jid, recs = crawl(d, [out], "--depth", "3")
    check(len(recs) == 1 and recs[0]["final_url"] == "http://localhost:%s/site/p/9.html" % PORT,
          "redirect out of scope: the page recorded, its links not followed (%d)" % len(recs))
    check(sum(n for p, n in stats(BASE).items() if p.startswith("/site/p/")) == 1,
          "nothing of the other host crawled")

    # ---- meta nofollow ----
    stats(BASE, reset=True)
    jid, recs = crawl(d, [BASE + "/robots-meta"], "--depth", "3")
    check([r["url"] for r in recs] == [BASE + "/robots-meta"], "nofollow page: no links followed")
    check("/robots-meta-child" not in stats(BASE), "nofollow child never fetched")

    # ---- refusals ----
    r = d.request({"cmd": "submit", "urls": [SITE], "warc": "yes"})
    check(not r["ok"] and "warc" in r["error"], "a non-boolean warc refused: %r" % r)
    rc, out, err = d.ctl("submit", "--output", "/tmp/elsewhere", SITE)
    check(rc == 1 and "not under the output root" in err, "--output outside refused: %r" % err)
    rc, out, err = d.ctl("submit", "--output", "../x", SITE)
    check(rc == 1 and ".." in err, "--output with .. refused: %r" % err)
    rc, out, err = d.ctl("submit", "--scope", "regex:(", SITE)
    check(rc == 1 and "regex" in err, "bad regex refused: %r" % err)
    rc, out, err = d.ctl("submit", "--scope", "hots", SITE)
    check(rc == 1 and "hots" in err, "unknown scope refused: %r" % err)
    # --output under the root
    jid = d.submit([BASE + "/site/p/3.html"], "--depth", "0", "--output", "named/run1")
    d.wait_job(jid)
    p = os.path.join(d.out, "named", "run1", "pages.jsonl")
    check(os.path.exists(p) and len(open(p).readlines()) == 1, "--output DIR/pages.jsonl")
    rc, out, err = d.ctl("submit", "--output", "named/run1", SITE)
    check(rc == 1 and "already" in err, "--output of another job refused: %r" % err)
    check("level=error" not in d.log_text(), "no error lines in the log")
    rc = d.stop()
    check(rc == 0, "SIGTERM → 0, got %r" % rc)
finally:
    dump_log_on_failure(d)
    check(d.cleanup(), "no worker left behind")
finish("crawl_basic")
