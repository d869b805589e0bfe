#!/usr/bin/env python3
"""Cluster mode when the database fails under the nodes: two nodes (a, b;
one worker each) on one PostgreSQL database, lease_ms = 2000,
page_timeout_ms = 1000; a 604-page site on four origins whose pages answer
60 ms late. While they crawl, ten faults at moments the seed picks (one in
each 1.5 s slot from 1 s after the submit): two `pg_ctl restart -m
immediate` of the server (every session cut, crash recovery, up again) and
eight `pg_terminate_backend` of every session on the nodes' database; with
a batch committed every 50 ms on each node, some land in a COMMIT.

Checks: `crawlctl job` answers on both nodes all along (polled every 10 to
50 ms, fastest right after each fault), and at least once shows the job
with an error naming the database; no crawld exits; each node logs that
the database was unreachable and reachable again; the job ends "done" on
both nodes by itself (no resume); each node's file is its committed length
and the nodes' committed records hold every page of the walk exactly once.

CLUSTER_DB_FAULTS_SEED=N replays a run (the seed is printed).

usage: cluster_db_faults.py   (run by cluster_db_faults.sh: PG_DIR, CRAWLD_BIN)"""
import collections, os, random, re, sys, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import SLOW, check, finish, wait_for  # noqa: E402
from cluster_lib import Cluster, expected_pages  # noqa: E402
from cluster_faults_lib import (check_lines_union, committed_records,  # noqa: E402
                                pg_restart_immediate, pg_terminate, start_timed_origins)

NODES = ("a", "b")
DB = "cluster_db_faults"
LEASE_MS = 2000
PAGE_TIMEOUT_MS = 1000
FAULTS = 10
RESTARTS = 2
SLOT = 1.5  # s: one fault in each
T0 = time.time()
seed = int(os.environ.get("CLUSTER_DB_FAULTS_SEED") or random.SystemRandom().randrange(1 << 30))
print("seed %d (CLUSTER_DB_FAULTS_SEED=%d replays it)" % (seed, seed), flush=True)
rng = random.Random(seed)
restart_at = set(rng.sample(range(1, FAULTS), RESTARTS))
# (0.8 s apart at least: two ticks of 400 ms, so each fault is one reconnect)
plan = [(1.0 + SLOT * k + rng.uniform(0, SLOT - 0.8), "restart" if k in restart_at else "terminate")
        for k in range(FAULTS)]
print("faults (s after the submit): %s" % ", ".join("%.2f %s" % p for p in plan), flush=True)

origins = start_timed_origins(4, 150, page_ms=60)
cl = None


def db_error(j):
    e = (j or {}).get("error") or ""
    return "database" in e.lower()


try:
    want = expected_pages(origins)
    check(len(want) == 4 * 151, "the walk finds 4 x 151 pages: %d" % len(want))
    cl = Cluster(DB, NODES, lease_ms=LEASE_MS,
                 conf="[limits]\npage_timeout_ms = %d\n" % PAGE_TIMEOUT_MS)
    cl.start()
    pids = {n: cl[n].proc.pid for n in NODES}
    jid = cl["a"].submit([o.seed for o in origins], "--no-js", "--depth", "1000",
                         "--max-pages", "100000", "--name", "db-faults")
    if jid is None:
        raise RuntimeError("submit refused")
    t_sub = time.time()
    wait_for(lambda: all(cl.job(n, jid) for n in NODES), 10, "job %d on both nodes" % jid,
             step=0.01)

    polls = fails = 0
    states = {n: None for n in NODES}
    db_errors = []       # (s after the submit, node, state, error)
    unanswered = []      # (s, node)
    exited = []
    done_faults = []     # (s, kind, result, job states at the time)
    restart = None       # the thread of a restart under way
    restart_out = []
    restart_polls = {}   # node: polls begun and answered while pg_ctl restart ran
    last_fault = None
    deadline = t_sub + 75 * SLOW
    k = 0
    while time.time() < deadline:
        now = time.time() - t_sub
        # the next fault, once its moment came and no restart is under way
        if k < FAULTS and now >= plan[k][0] and not (restart and restart.is_alive()):
            kind = plan[k][1]
            running = [n for n in NODES if states[n] in ("running", "paused")]
            if kind == "restart":
                restart = threading.Thread(target=lambda: restart_out.append(
                    pg_restart_immediate()), daemon=True)
                restart.start()
                res = "started"
            else:
                try:
                    res = "%d sessions" % pg_terminate(DB)
                except Exception as e:  # noqa: BLE001 - the server may still be recovering
                    res = "failed: %s" % str(e)[:80]
            done_faults.append((now, kind, res, dict(states)))
            check(running, "fault %d (%s) lands while the job runs (%r)" % (k + 1, kind, states))
            last_fault = time.time()
            k += 1
        for n in NODES:
            if cl[n].proc.poll() is not None:
                if n not in exited:
                    exited.append(n)
                continue
            polls += 1
            in_restart = bool(restart and restart.is_alive())
            j = cl.job(n, jid)  # crawlctl --json job
            in_restart &= bool(restart and restart.is_alive())
            if in_restart:
                restart_polls[n] = restart_polls.get(n, 0) + 1
            if j is None:
                fails += 1
                unanswered.append((round(now, 2), n))
                continue
            states[n] = j.get("state")
            if db_error(j):
                db_errors.append((round(now, 2), n, j.get("state"), j.get("error")))
        if k >= FAULTS and all(s == "done" for s in states.values()) and not (
                restart and restart.is_alive()):
            break
        if exited:
            break
        fast = last_fault is not None and time.time() - last_fault < 3
        time.sleep(0.01 if fast else 0.05)
    t_end = time.time() - t_sub
    if restart:
        restart.join(60)
    print("faults: %s" % "; ".join("+%.2f s %s (%s) job %r" % f for f in done_faults))
    print("restarts took: %s" % ", ".join("%.2f s (rc %d)" % (t, rc) for rc, t in restart_out))
    print("%d polls of crawlctl job, %d unanswered; the job with a database error %d times, "
          "first: %r" % (polls, fails, len(db_errors), db_errors[:2]))
    # where the faults hit: the statement each node was in (a group commit
    # takes its "lease lock" first, then writes and commits)
    kinds = collections.Counter(re.sub(r"^state database: postgresql: ([^:]*):.*", r"\1", e)
                                for _, _, _, e in db_errors)
    print("errors the job showed, by statement (polls): %r" % dict(kinds))
    print("ended %.1f s after the submit: %r" % (t_end, states))
    check(len(done_faults) == FAULTS, "all %d faults made: %d" % (FAULTS, len(done_faults)))
    check(all(rc == 0 for rc, _ in restart_out) and len(restart_out) == RESTARTS,
          "both pg_ctl restarts succeeded: %r" % restart_out)
    check(not exited, "no crawld exited: %r" % exited)
    for n in NODES:
        check(cl[n].proc.poll() is None and cl[n].proc.pid == pids[n],
              "node %s's crawld is the one started" % n)
    check(not unanswered, "crawlctl job answered on every node all along (%d of %d polls did "
          "not: %r)" % (fails, polls, unanswered[:5]))
    check(db_errors, "crawlctl job showed an error naming the database at least once")
    check(all(restart_polls.get(n) for n in NODES), "crawlctl job polled on each node while "
          "the server restarted: %r" % restart_polls)
    check(all(s == "done" for s in states.values()),
          "the job ended done on both nodes by itself: %r" % states)
    for n in NODES:
        # each fault cuts every session: one reconnect each ("unreachable" is
        # logged only when a reconnect fails, as it may during a restart)
        down = cl.log_lines(n, "database unreachable")
        up = cl.log_lines(n, "database reachable again", "reconnected=1")
        check(len(up) >= FAULTS, "node %s reconnected after each fault: %d times"
              % (n, len(up)))
        held = cl.log_lines(n, "cannot be committed")
        lost = cl.log_lines(n, "lease", "lost")
        print("node %s: unreachable %d, back %d, batches held %d, lease-lost lines %d"
              % (n, len(down), len(up), len(held), len(lost)))
    jobs = {n: cl.job(n, jid) or {} for n in NODES}
    check(all(j.get("done") == len(want) and j.get("pending") == 0 for j in jobs.values()),
          "both nodes: %d pages done, none pending: %r" % (len(want), {
              n: (j.get("state"), j.get("done"), j.get("pending"), j.get("error"))
              for n, j in jobs.items()}))
    lines, tail = committed_records(cl, DB, jid)
    check(sorted(tail) == list(NODES) and all(v == 0 for v in tail.values()),
          "each node's file is its committed length (bytes past it: %r)" % tail)
    check_lines_union(lines, want, jid, "%d database faults" % FAULTS)
    for n in NODES:
        rc = cl[n].stop()
        check(rc == 0, "node %s: SIGTERM -> 0, got %r" % (n, rc))
except Exception as e:  # noqa: BLE001 - reported as a failure, cleanup below
    check(False, "cluster_db_faults raised %r" % e)
    import traceback
    traceback.print_exc()
finally:
    if cl is not None:
        check(cl.cleanup(), "no worker left behind")
    for o in origins:
        o.stop()
print("cluster_db_faults: %.1f s (SLOW %.1f, seed %d)" % (time.time() - T0, SLOW, seed))
finish("cluster_db_faults")
