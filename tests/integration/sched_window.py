#!/usr/bin/env python3
"""The scheduler reads a job's pending rows into a cache of
JOBS_CACHE_ROWS (256) rows in id order. When every cached row belongs to a
busy host, a host whose page just came back gets its next row from the
store past the cache (job_take's freed hosts), instead of waiting for the
busy host's rows ahead of it to leave the cache.

One job, per_host_concurrency 1: a page of host B, then 300 slow pages of
host A (150 ms each), then four more pages of B. B's four later rows are
past the cache; B's first page frees B, and the four go while A has done
only a few pages (without the freed hosts they wait for ~45 of A's pages,
some 7 s).

usage: sched_window.py BASE_URL"""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import Daemon, check, dump_log_on_failure, finish, wait_for  # noqa: E402

BASE = sys.argv[1]
LH = "http://localhost:" + BASE.rsplit(":", 1)[1]
d = Daemon("window", workers=1, conf="[politeness]\nper_host_concurrency = 1\n")
try:
    d.start()
    a = [BASE + "/slow?ms=150&a=%d" % i for i in range(300)]
    b = [LH + "/site/p/%d.html?w" % i for i in range(5)]
    jid = d.submit([b[0]] + a + b[1:], "--no-js")
    t0 = time.time()

    def b_done():
        urls = {r["url"] for r in d.records(jid)}
        return all(u in urls for u in b)
    check(wait_for(b_done, 30, "B's five pages"), "B's five pages done")
    took = time.time() - t0
    recs = d.records(jid)
    a_done = sum(1 for r in recs if r["url"] in set(a))
    check(a_done < 25, "B's rows past the cache went while A had done %d of its 300 pages "
          "(%.1f s)" % (a_done, took))
    check(all(r.get("error") is None and r.get("status") == 200 for r in recs if r["url"] in b),
          "B's pages fetched")
    rc, o, e = d.ctl("cancel", str(jid))
    check(rc == 0, "cancel: %r" % e)
    check(d.stop() == 0, "crawld exits 0")
finally:
    dump_log_on_failure(d)
    check(d.cleanup(), "no worker left behind")
finish("sched_window")
