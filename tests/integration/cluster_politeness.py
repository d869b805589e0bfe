#!/usr/bin/env python3
"""Cluster mode politeness across handovers: three nodes (a, b, c; one
worker each) on one PostgreSQL database, lease_ms = 2000, page_timeout_ms
= 1000, [politeness] per_host_concurrency = 1; four origins of 26 pages
each (pages answer 50 ms late), one job submitted with `crawlctl submit
--delay-ms 300`. Each origin logs every request's start and end.

Mid-crawl (a quarter of the pages in) a node holding leases other than a
is stopped with SIGTERM (a clean stop: its leases given back at once),
and later (past half) another node holding leases is killed -9 (its leases
lapse): their hosts move to the nodes left, and one node ends the crawl.

Checks: for each origin, over the whole crawl and both handovers, no two
requests overlap and consecutive starts are at least 295 ms apart (the
delay holds across nodes: "a new owner waits until the old owner's next
request time"); robots.txt was fetched at most once per node that held the
origin (the nodes whose log says "host leased" for it); the job ends done
on the last node; every page of the walk exactly once in the nodes'
committed records.

usage: cluster_politeness.py   (run by cluster_politeness.sh: PG_DIR, CRAWLD_BIN)"""
import collections, os, random, re, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import SLOW, check, finish, wait_for  # noqa: E402
from cluster_lib import Cluster, expected_pages  # noqa: E402
from cluster_faults_lib import (check_lines_union, committed_records, held_hosts,  # noqa: E402
                                start_timed_origins)

NODES = ("a", "b", "c")
DB = "cluster_politeness"
LEASE_MS = 2000
PAGE_TIMEOUT_MS = 1000
DELAY_MS = 300
MIN_GAP = 0.295  # s between two starts on one origin (the server's clock: 5 ms of slack)
T0 = time.time()
seed = int(os.environ.get("CLUSTER_POLITENESS_SEED") or random.SystemRandom().randrange(1 << 30))
print("seed %d (CLUSTER_POLITENESS_SEED=%d replays it)" % (seed, seed), flush=True)
rng = random.Random(seed)
LEASED = re.compile(r'msg="host leased" host="([^"]+)"')

origins = start_timed_origins(4, 25, page_ms=50)
cl = None


def holders(hosts):
    """{node: {host: until}} of the given nodes' leases now."""
    return {n: held_hosts(DB, n) for n in hosts}


try:
    want = expected_pages(origins)
    check(len(want) == 4 * 26, "the walk finds 4 x 26 pages: %d" % len(want))
    cl = Cluster(DB, NODES, lease_ms=LEASE_MS,
                 conf="per_host_concurrency = 1\n[limits]\npage_timeout_ms = %d\n"
                 % PAGE_TIMEOUT_MS)
    cl.start()
    for o in origins:
        o.stats(reset=True)
    t_sub = time.time()
    jid = cl["a"].submit([o.seed for o in origins], "--no-js", "--depth", "1000",
                         "--max-pages", "100000", "--delay-ms", str(DELAY_MS),
                         "--name", "politeness")
    if jid is None:
        raise RuntimeError("submit refused")
    alive = list(NODES)
    events = []  # (what, node, time, hosts it held)

    def handover(frac, candidates, how):
        """At frac of the pages, stops the candidate holding most leases."""
        at = int(frac * len(want))
        got = wait_for(lambda: cl.line_count(jid) >= at and any(
            held_hosts(DB, n) for n in candidates) and True, 30,
            "%d records and a lease on %s" % (at, "/".join(candidates)), step=0.02)
        if not got:
            return None
        h = holders(candidates)
        most = max(len(v) for v in h.values())
        node = rng.choice(sorted(n for n, v in h.items() if len(v) == most))
        d = cl[node]
        t = time.time()
        if how == "SIGTERM":
            rc = d.stop()
            check(rc == 0, "node %s: SIGTERM mid-crawl -> 0, got %r" % (node, rc))
        else:
            d.kill9()
        alive.remove(node)
        events.append((how, node, t, sorted(h[node])))
        print("%s of %s at %.2f s (%d records of %d): it held %s"
              % (how, node, t - t_sub, cl.line_count(jid), len(want), sorted(h[node])),
              flush=True)
        return node

    handover(0.25, ["b", "c"], "SIGTERM")
    handover(0.55, [n for n in alive], "kill -9")
    last = alive[0] if len(alive) == 1 else None
    check(len(alive) == 1, "two nodes stopped mid-crawl: %r left" % alive)
    took = wait_for(lambda: (cl.job(last, jid) or {}).get("state") == "done", 40,
                    "job %d done on %s" % (jid, last), step=0.05) if last else None
    print("job done on %s %.1f s after the submit" % (last, time.time() - t_sub))
    check(cl[last].proc.poll() is None, "node %s's crawld still runs" % last)

    # ---- each origin: one request at a time, starts >= 295 ms apart ----
    robots_fetches = {}
    worst = []
    for o in origins:
        log = sorted(o.reqlog(), key=lambda r: r["start"])
        robots_fetches[o.url] = sum(1 for r in log if r["path"] == "/robots.txt")
        overlap, close = [], []
        for p, q in zip(log, log[1:]):
            if q["start"] < p["end"]:
                overlap.append((p["path"], q["path"], round(p["end"] - q["start"], 3)))
            if q["start"] - p["start"] < MIN_GAP:
                close.append((p["path"], "+%.3f s" % (p["start"] - t_sub), q["path"],
                              "%.0f ms" % (1000 * (q["start"] - p["start"]))))
        gaps = [q["start"] - p["start"] for p, q in zip(log, log[1:])]
        worst.append((o.url, round(1000 * min(gaps)) if gaps else None, len(log)))
        check(not overlap, "%s: no two requests overlap (%d do: %r)"
              % (o.url, len(overlap), overlap[:3]))
        check(not close, "%s: consecutive requests start >= %.0f ms apart (%d do not: %r)"
              % (o.url, 1000 * MIN_GAP, len(close), close[:4]))
    print("least gap between starts per origin (ms), requests: %r" % worst)
    for what, node, t, hosts in events:
        for h in hosts:
            o = next(x for x in origins if x.url == h)
            log = sorted(o.reqlog(), key=lambda r: r["start"])
            before = [r for r in log if r["start"] <= t]
            after = [r for r in log if r["start"] > t]
            if before and after:
                print("  %s of %s, %s: last request before +%.3f s (%s), first after +%.3f s "
                      "(%s): %.0f ms apart" % (
                          what, node, h, before[-1]["start"] - t_sub, before[-1]["path"],
                          after[0]["start"] - t_sub, after[0]["path"],
                          1000 * (after[0]["start"] - before[-1]["start"])))

    # ---- robots.txt: once per node that held the origin ----
    leases = {o.url: collections.Counter() for o in origins}
    for n in NODES:
        for m in LEASED.finditer(cl[n].log_text()):
            if m.group(1) in leases:
                leases[m.group(1)][n] += 1
    for o in origins:
        owners = leases[o.url]
        check(robots_fetches[o.url] <= len(owners),
              "%s: robots.txt fetched %d times, at most once per node that held it (%s)"
              % (o.url, robots_fetches[o.url], dict(owners)))
        check(robots_fetches[o.url] >= 1, "%s: robots.txt fetched" % o.url)
    print("robots.txt fetches: %r; leases per origin: %r"
          % (robots_fetches, {h: dict(c) for h, c in leases.items()}))

    lines, tail = committed_records(cl, DB, jid)
    print("bytes past the committed length: %r" % tail)
    check(all(v >= 0 for v in tail.values()), "no file shorter than its committed length: %r"
          % tail)
    check_lines_union(lines, want, jid, "two handovers")
    if last:
        rc = cl[last].stop()
        check(rc == 0, "node %s: SIGTERM -> 0, got %r" % (last, rc))
except Exception as e:  # noqa: BLE001 - reported as a failure, cleanup below
    check(False, "cluster_politeness raised %r" % e)
    import traceback
    traceback.print_exc()
finally:
    if cl is not None:
        check(cl.cleanup(), "no worker left behind")
    for o in origins:
        o.stop()
print("cluster_politeness: %.1f s (SLOW %.1f, seed %d)" % (time.time() - T0, SLOW, seed))
finish("cluster_politeness")
