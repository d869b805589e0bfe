#!/usr/bin/env python3
"""kill -9 of crawld at any moment, restart: every job completes with every
page exactly once; 50 jobs at once share the workers and each gets its
exact set.

usage: crawl_restart.py BASE_URL   (CRAWLD_BIN: the build directory)"""
import json, os, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import BIN, check, dump_log_on_failure, finish, wait_for  # noqa: E402
from crawl_lib import (bfs, crawl_daemon, jsonl_lines, kill9_again_until_done,  # noqa: E402
                       kill9_mid_crawl)

BASE = sys.argv[1]
SITE = BASE + "/site/"
host_scope = lambda u: u.startswith(BASE + "/")  # noqa: E731


d = crawl_daemon("restart")
try:
    want = {u for u, _ in bfs([SITE], 100, host_scope)}
    d.start()
    jid = d.submit([SITE], "--no-js", "--depth", "100", "--max-pages", "100000")
    lh = "http://localhost:" + BASE.rsplit(":", 1)[1]
    paused = d.submit([lh + "/site/p/%d.html" % i for i in range(6)], "--no-js", "--depth", "0",
                      "--delay-ms", "400")
    rc, o, e = d.ctl("pause", str(paused))
    check(rc == 0, "pause: %r" % e)
    out = os.path.join(d.out, str(jid), "pages.jsonl")
    # First kill: early in the crawl, a torn record left at the end.
    n_at_kill = kill9_mid_crawl(d, jid, out, len(want))
    d.restart()
    check(d.job(paused)["state"] == "paused", "a paused job stays paused across a restart")
    # Second kill: later, while pages are in flight.
    kill9_again_until_done(d, jid, n_at_kill, 100, 90)
    recs = jsonl_lines(out)
    urls = [r["url"] for r in recs]
    check(len(urls) == len(set(urls)), "no page twice after kill -9 (%d records, %d unique)"
          % (len(urls), len(set(urls))))
    check(set(urls) == want, "the exact set after kill -9 (%d vs %d; missing %r)"
          % (len(set(urls)), len(want), sorted(want - set(urls))[:4]))
    check("torn.invalid" not in open(out).read(), "the torn line was cut")
    check("output cut back" in d.log_text(), "restart logged the cut")
    j = d.job(jid)
    check(j["done"] == len(want) and j["pending"] == 0, "counters after restart: %r" % j)
    d.ctl("resume", str(paused))
    rc, o, e = d.ctl("wait", str(paused), "--timeout", "30")
    check(rc == 0, "the paused job resumes after the restart and completes")
    rc, o, e = d.ctl("jobs")
    check(rc == 0 and o.splitlines()[1].split()[0] == str(paused), "jobs newest first:\n" + o)

    # ---- 50 jobs at once ----
    seeds = [BASE + "/site/p/%d.html" % (k * 7) for k in range(50)]
    procs = [subprocess.Popen([BIN + "/crawlctl", "-s", d.sock, "submit", "--no-js", "--depth", "1",
                               s], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for s in seeds]
    ids = []
    for p in procs:
        o, e = p.communicate(timeout=60)
        check(p.returncode == 0, "submit: %r" % e)
        ids.append(int(o.strip()) if p.returncode == 0 else None)
    check(len(set(ids)) == 50, "50 job ids")
    t0 = time.time()
    firsts = {}
    def all_done():
        for i in ids:
            j = d.job(i)
            if j["done"] and i not in firsts:
                firsts[i] = time.time() - t0
        return all(d.job(i)["state"] == "done" for i in ids)
    wait_for(all_done, 120, "50 jobs done", step=0.1)
    for s, i in zip(seeds, ids):
        want = {u for u, _ in bfs([s], 1, host_scope)}
        got = [r["url"] for r in d.records(i)]
        check(len(got) == len(set(got)) and set(got) == want,
              "job %d (%s): exact set once (%d vs %d)" % (i, s, len(got), len(want)))
    # Round-robin: every job had its first page long before the last job ended.
    check(len(firsts) == 50 and max(firsts.values()) < 0.8 * (time.time() - t0) + 0.5,
          "round-robin: every job started early (last first page at %.2f s)"
          % max(firsts.values() or [0]))
    # (a worker whose crawld was killed logs its broken channel: mod=serve)
    check(not [l for l in d.log_text().splitlines() if "level=error" in l and "mod=serve" not in l],
          "no error lines from crawld in the log")
    check(d.stop() == 0, "clean stop")
finally:
    dump_log_on_failure(d)
    check(d.cleanup(), "no worker left behind")
finish("crawl_restart")
