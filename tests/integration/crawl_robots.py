#!/usr/bin/env python3
"""robots.txt and politeness, end to end through real workers.

usage: crawl_robots.py BASE_URL   (CRAWLD_BIN: the build directory)"""
import os, re, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import SLOW, check, dump_log_on_failure, finish, wait_for  # noqa: E402
from crawl_lib import bfs, crawl_daemon, path_of, put_robots, reset_robots, stats  # noqa: E402

BASE = sys.argv[1]
PORT = BASE.rsplit(":", 1)[1]
SITE = BASE + "/site/"
host_scope = lambda u: u.startswith(BASE + "/")  # noqa: E731
daemons = []


def same_keys(recs, what):
    """Every record has one key list, in one order (common/record.h): a page
    crawld recorded without a fetch ("robots: disallowed") as a fetched one."""
    shapes = {}
    for r in recs:
        shapes.setdefault(tuple(r), r.get("error"))
    check(len(shapes) <= 1, "%s: every record has the same keys in the same order: %r"
          % (what, [(list(k), e) for k, e in shapes.items()]))


def crawl(d, seeds, *opts, timeout=60):
    jid = d.submit(seeds, "--no-js", *opts)
    rc, out, err = d.ctl("wait", str(jid), "--timeout", str(timeout))
    check(rc == 0 and "done" in out, "job %s done: %d %r %r" % (jid, rc, out, err))
    recs = d.records(jid)
    same_keys(recs, "job %s" % jid)
    return jid, recs


def fresh(d):
    """A restart forgets the robots cache (it is in memory, TTL across jobs)."""
    if d.proc:
        check(d.stop() == 0, "clean stop")
    d.start()


# A refused robots.txt is retried twice, 100..200 ms apart (without Retry-After).
d = crawl_daemon("robots", "max_retries = 2\nretry_base_ms = 100\nretry_max_ms = 200\n")
daemons.append(d)
try:
    d.start()
    # ---- Disallow: the URLs get a record without a fetch; their links are not followed ----
    put_robots(BASE, "User-agent: *\nDisallow: /site/p/1\nDisallow: /site/p/4.html$\n")
    dis = lambda u: re.match(r"/site/p/(1[^/]*|4\.html)$", path_of(u)) is not None  # noqa: E731
    want = bfs([SITE], 100, host_scope, allowed=lambda u: not dis(u))
    stats(BASE, reset=True)
    jid, recs = crawl(d, [SITE], "--depth", "100")
    got = {r["url"]: r for r in recs}
    check(sorted(got) == sorted(u for u, _ in want) and len(recs) == len(want),
          "exact set with disallowed leaves (%d vs %d)" % (len(recs), len(want)))
    bad = [u for u, r in got.items() if dis(u) != (r["error"] == "robots: disallowed")]
    check(not bad, "exactly the disallowed URLs say robots: disallowed: %r" % bad[:4])
    check(any(dis(u) for u in got), "some URLs were disallowed")
    hits = stats(BASE)
    check(not [p for p in hits if re.match(r"/site/p/(1|4\.html$)", p)],
          "no disallowed URL was fetched: %r" % [p for p in hits if p.startswith("/site/p/1")])
    check(all(n == 1 for p, n in hits.items() if p.startswith("/site")), "every page fetched once")
    check(hits.get("/robots.txt") == 1, "robots.txt fetched once per host")
    # The cache holds across jobs (TTL): a second job fetches no robots.txt.
    stats(BASE, reset=True)
    crawl(d, [BASE + "/site/p/0.html"], "--depth", "0")
    check("/robots.txt" not in stats(BASE), "robots.txt cached across jobs")

    # ---- our product token's group wins over * ----
    put_robots(BASE, "User-agent: *\nDisallow: /\n\nUser-agent: crawld\nDisallow: /site/p/2.html\n"
               "Allow: /site/p/2.html$x\n")
    fresh(d)
    jid, recs = crawl(d, [BASE + "/site/p/0.html"], "--depth", "1")
    errs = {r["url"]: r["error"] for r in recs}
    check(errs.get(BASE + "/site/p/2.html") == "robots: disallowed", "our group's Disallow")
    check(sum(1 for e in errs.values() if e is None) == len(errs) - 1, "the rest allowed (not *)")

    # ---- longest match wins, Allow wins a tie; * and $ ----
    put_robots(BASE, "User-agent: *\nDisallow: /site/p/\nAllow: /site/p/*3.html$\n"
               "Allow: /site/p/0.html\n")
    fresh(d)
    jid, recs = crawl(d, [BASE + "/site/p/0.html"], "--depth", "2")
    ok = [r["url"] for r in recs if r["error"] is None]
    okp = [u for u in ok if "/site/p/" in u]
    check(okp == [u for u in okp if re.search(r"/p/(0|\d*3)\.html$", u)] and
          BASE + "/site/p/0.html" in ok, "Allow patterns with * and $: %r" % ok)

    # ---- 5xx → everything disallowed; 4xx → everything allowed; --no-robots ----
    put_robots(BASE, "", status=503)
    fresh(d)
    stats(BASE, reset=True)
    jid, recs = crawl(d, [BASE + "/site/p/0.html", BASE + "/site/p/5.html"], "--depth", "3")
    check(len(recs) == 2 and all(r["error"] == "robots: disallowed (robots.txt unreadable: "
                               "status 503 after 2 retries)" for r in recs),
          "robots 503: seeds disallowed after the retries, saying why, nothing followed: %r"
          % [r["error"] for r in recs])
    hits = stats(BASE)
    check(not [p for p in hits if p.startswith("/site")], "robots 503: nothing fetched")
    check(hits.get("/robots.txt") == 3, "robots 503: fetched once and retried twice: %r"
          % hits.get("/robots.txt"))
    # A robots.txt refused twice (503, Retry-After: 1), then read: the host's pages
    # waited for it and were crawled by its rules, none recorded as disallowed.
    put_robots(BASE, "User-agent: *\nDisallow: /site/p/2.html\n", fail=2, retry_after=1)
    fresh(d)
    stats(BASE, reset=True)
    t0 = time.time()
    jid, recs = crawl(d, [BASE + "/site/p/0.html", BASE + "/site/p/2.html"], "--depth", "0")
    took = time.time() - t0
    errs = {path_of(r["url"]): r["error"] for r in recs}
    check(errs == {"/site/p/0.html": None, "/site/p/2.html": "robots: disallowed"},
          "robots 503 twice then 200: its rules apply, nothing disallowed for want of it: %r" % errs)
    hits = stats(BASE)
    check(hits.get("/robots.txt") == 3 and hits.get("/site/p/0.html") == 1,
          "robots 503 twice then 200: three robots.txt fetches, the page once: %r" % hits)
    check(took >= 1.9, "Retry-After: 1 honoured twice before the robots.txt was read (%.2f s)" % took)
    jid, recs = crawl(d, [BASE + "/site/p/0.html"], "--depth", "1", "--no-robots")
    check(len(recs) > 1 and all(r["error"] is None for r in recs), "--no-robots ignores it")
    put_robots(BASE, "", status=404)
    fresh(d)
    want = bfs([BASE + "/site/p/0.html"], 2, host_scope)
    jid, recs = crawl(d, [BASE + "/site/p/0.html"], "--depth", "2")
    check(len(recs) == len(want) and all(r["error"] is None for r in recs),
          "robots 404: everything allowed")

    # ---- Crawl-delay honoured; capped by max_crawl_delay_ms ----
    put_robots(BASE, "User-agent: *\nCrawl-delay: 0.3\n")
    fresh(d)
    t0 = time.time()
    jid, recs = crawl(d, [BASE + "/site/p/%d.html" % i for i in range(5)], "--depth", "0")
    el = time.time() - t0
    check(len(recs) == 5 and el >= 4 * 0.3 - 0.05, "Crawl-delay 0.3 s: 5 pages took %.2f s" % el)
    check(d.stop() == 0, "stop")
    d2 = crawl_daemon("robots-cap", "max_crawl_delay_ms = 50\n")
    daemons.append(d2)
    put_robots(BASE, "User-agent: *\nCrawl-delay: 30\n")
    d2.start()
    t0 = time.time()
    jid, recs = crawl(d2, [BASE + "/site/p/%d.html" % i for i in range(5)], "--depth", "0")
    el = time.time() - t0
    check(len(recs) == 5 and el < 10, "Crawl-delay 30 capped at 50 ms: %.2f s" % el)
    reset_robots(BASE)

    # ---- delay_ms per job: gaps between requests to one host ----
    t0 = time.time()
    jid, recs = crawl(d2, [BASE + "/site/p/%d.html" % i for i in range(5)], "--depth", "0",
                      "--delay-ms", "250")
    el = time.time() - t0
    check(el >= 4 * 0.25 - 0.05, "--delay-ms 250: 5 pages took %.2f s" % el)
    check(d2.job(jid)["delay_ms"] == 250, "job shows its delay")

    # ---- a slow host never stalls another: 127.0.0.1 slow, localhost fast ----
    slow = [BASE + "/slow?ms=1500&i=%d" % i for i in range(4)]
    j_slow = d2.submit(slow, "--no-js", "--depth", "0")
    lh = "http://localhost:%s" % PORT
    t0 = time.time()
    jid, recs = crawl(d2, [lh + "/site/p/0.html"], "--depth", "2")
    el = time.time() - t0
    check(d2.job(j_slow)["state"] == "running", "slow job still running when the fast one ended")
    check(el < 4 * SLOW, "fast host's job ended in %.2f s beside a slow host" % el)
    check(d2.status()["workers"] and d2.job(j_slow)["in_flight"] <= 1,
          "per-host concurrency 1 for the slow host")
    d2.wait_job(j_slow, timeout=30)

    # ---- pause, resume, cancel ----
    urls = [BASE + "/site/p/%d.html" % i for i in range(40)]
    jid = d2.submit(urls, "--no-js", "--depth", "0", "--delay-ms", "100")
    wait_for(lambda: d2.job(jid)["done"] >= 2, 10, "some pages done")
    rc, out, err = d2.ctl("pause", str(jid))
    check(rc == 0, "pause")
    wait_for(lambda: d2.job(jid)["in_flight"] == 0, 10, "in-flight page finished")
    n1 = d2.job(jid)["done"]
    t_end = time.time() + 0.8
    while time.time() < t_end:  # nothing moves while paused
        check(d2.job(jid)["done"] == n1, "no progress while paused") or None
        time.sleep(0.1)
    check(d2.job(jid)["state"] == "paused", "state paused")
    rc, out, err = d2.ctl("resume", str(jid))
    check(rc == 0, "resume")
    rc, out, err = d2.ctl("wait", str(jid), "--timeout", "60")
    check(rc == 0, "resumed job completes")
    recs = d2.records(jid)
    check(sorted(r["url"] for r in recs) == sorted(urls), "paused job: exact set once")
    jid = d2.submit(urls, "--no-js", "--depth", "0", "--delay-ms", "200")
    wait_for(lambda: d2.job(jid)["done"] >= 2, 10, "some pages done")
    rc, out, err = d2.ctl("cancel", str(jid))
    check(rc == 0, "cancel")
    rc, out, err = d2.ctl("wait", str(jid), "--timeout", "30")
    check(rc == 1 and "cancelled" in out, "wait on cancelled → 1: %r" % out)
    j = d2.job(jid)
    recs = d2.records(jid)
    check(j["pending"] == 0 and len(recs) == j["done"] + j["failed"] and len(recs) < 40,
          "cancelled: pending dropped, %d records" % len(recs))
    check(len({r["url"] for r in recs}) == len(recs), "cancelled: no page twice")
    for x in (d, d2):
        check("level=error" not in x.log_text(), "no error lines in the log")
    check(d2.stop() == 0, "clean stop")
finally:
    reset_robots(BASE)
    for x in daemons:
        dump_log_on_failure(x)
        check(x.cleanup(), "no worker left behind")
finish("crawl_robots")
