#!/usr/bin/env python3
"""Cluster mode control: three nodes (a, b, c) on one PostgreSQL database.

Job 1, submitted on a over three origins with a per-host delay (so it runs
for several seconds): `crawlctl pause` on b: every node says paused within
1 s and, once the pages in flight are in, no node writes a record for
1.5 s; `resume` on c: every node says running within 1 s and records come
again; `cancel` on b: every node says cancelled within 1 s, writing stops,
and `crawlctl wait` on c says so. No page written twice.

Job 2, the same site faster: paused on c and resumed on a mid-crawl, then
left to finish: done on every node with every page of the walk exactly once
(a pause and resume loses no page and doubles none).

usage: cluster_control.py   (run by cluster_control.sh: PG_DIR, CRAWLD_BIN)"""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import SLOW, check, finish, wait_for  # noqa: E402
from cluster_lib import (Cluster, elapsed_ok, expected_pages, fetched_twice,  # noqa: E402
                         hold_for, settle, start_origins)

NODES = ("a", "b", "c")
DELAY_MS = 40          # job 1, per host: 25 pages/s each, ~75/s over the three hosts
DELAY_MS_2 = 5         # job 2: a few seconds in all
T0 = time.time()
origins = start_origins(3, 300)
cl = None


def command(jid, node, cmd, state):
    """crawlctl CMD JID on node; every node's `job` says state within 1 s."""
    t0 = time.time()
    rc, out, err = cl[node].ctl(cmd, str(jid))
    check(rc == 0, "%s %d on %s: rc %d %r" % (cmd, jid, node, rc, err))
    took = cl.wait_state(jid, state, 10, "job %d %s on every node after %s on %s"
                         % (jid, state, cmd, node), t0=t0)
    elapsed_ok(took, 1.0, "job %d, %s on %s: %s on every node" % (jid, cmd, node, state))
    print("job %d, %s on %s: %s everywhere after %s"
          % (jid, cmd, node, state, "%.3f s" % took if took is not None else "-"))


def quiet(jid, what, seconds):
    """Once the pages in flight are in (the count still for 0.3 s), no
    node's file grows for `seconds`. Returns the count."""
    n = settle(lambda: cl.line_count(jid), 0.3, 5, "the writes to stop (%s)" % what)
    if n is None:
        return cl.line_count(jid)
    check(hold_for(lambda: cl.line_count(jid) == n, seconds),
          "%s: no record written for %.1f s (%d, then %d)" % (what, seconds, n, cl.line_count(jid)))
    return n


def submit(delay_ms, name):
    jid = cl["a"].submit([o.seed for o in origins], "--no-js", "--depth", "1000",
                         "--max-pages", "100000", "--delay-ms", str(delay_ms), "--name", name)
    if jid is None:
        raise RuntimeError("submit refused")
    cl.wait_state(jid, "running", 10, "job %d running on every node" % jid)
    return jid


try:
    want = expected_pages(origins)
    cl = Cluster("cluster_control", NODES)
    cl.start()

    # ---- job 1: pause on b, resume on c, cancel on b ----
    jid = submit(DELAY_MS, "control")
    wait_for(lambda: cl.line_count(jid) >= 30, 30, "30 records written")
    command(jid, "b", "pause", "paused")
    n_paused = quiet(jid, "paused", 1.5)
    check(cl.all_in(jid, "paused"), "still paused on every node: %r" % cl.states(jid))
    check(n_paused < len(want), "paused mid-crawl (%d of %d)" % (n_paused, len(want)))
    command(jid, "c", "resume", "running")
    wait_for(lambda: cl.line_count(jid) >= n_paused + 10, 10,
             "records again after resume (%d at the pause)" % n_paused)
    n_cancel = cl.line_count(jid)
    check(n_cancel < len(want), "cancelled mid-crawl (%d of %d)" % (n_cancel, len(want)))
    command(jid, "b", "cancel", "cancelled")
    quiet(jid, "cancelled", 1.0)
    rc, out, err = cl["c"].ctl("wait", str(jid), "--timeout", "10")
    check(rc == 1 and "cancelled" in out + err,
          "crawlctl wait on c: cancelled, exit 1: rc %d %r %r" % (rc, out, err))
    cl.check_union(jid, want, "job 1 (paused, resumed, cancelled)", exact=False)
    twice = fetched_twice(origins)
    print("job 1: pages fetched more than once (not a failure by itself): %d %r"
          % (len(twice), sorted(twice.items())[:5]))

    # ---- job 2: pause on c, resume on a, then to the end ----
    for o in origins:
        o.stats(reset=True)
    jid2 = submit(DELAY_MS_2, "control-2")
    wait_for(lambda: cl.line_count(jid2) >= 30, 30, "30 records of job 2 written")
    command(jid2, "c", "pause", "paused")
    n2 = quiet(jid2, "job 2 paused", 0.5)
    check(n2 < len(want), "job 2 paused mid-crawl (%d of %d)" % (n2, len(want)))
    command(jid2, "a", "resume", "running")
    took = cl.wait_state(jid2, "done", 60, "job %d done on every node" % jid2, step=0.1)
    cl.check_union(jid2, want, "job 2 (paused, resumed, to the end)")
    jobs = {n: cl.job(n, jid2) or {} for n in NODES}
    st = {n: (j.get("state"), j.get("done"), j.get("pending")) for n, j in jobs.items()}
    check(all(v == ("done", len(want), 0) for v in st.values()),
          "job 2 on every node: done, %d pages done, none pending: %r" % (len(want), st))
    twice = fetched_twice(origins)
    print("job 2: pages fetched more than once (not a failure by itself): %d %r"
          % (len(twice), sorted(twice.items())[:5]))

    for n in NODES:
        # (an error line here: e.g. "result for a row that is not pending",
        # which README.md gives as the sign of a page handed out twice)
        errs = cl.log_lines(n, "level=error")
        check(not errs, "no error lines in node %s's log: %r" % (n, errs[:3]))
    for n in NODES:
        rc = cl[n].stop()
        check(rc == 0, "node %s: SIGTERM -> 0, got %r" % (n, rc))
except Exception as e:  # noqa: BLE001 - reported as a failure, cleanup below
    check(False, "cluster_control raised %r" % e)
    import traceback
    traceback.print_exc()
finally:
    if cl is not None:
        check(cl.cleanup(), "no worker left behind")
    for o in origins:
        o.stop()
print("cluster_control: %.1f s (SLOW %.1f)" % (time.time() - T0, SLOW))
finish("cluster_control")
