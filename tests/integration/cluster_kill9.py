#!/usr/bin/env python3
"""Cluster mode, a node killed -9 five times: three nodes (a, b, c; one
worker each) on one PostgreSQL database, page_timeout_ms = 1000, lease_ms =
3000; a 903-page site on three origins whose pages answer 80 ms late (a
crawl of well over 10 s). One node (the victim, chosen by the seed) has its
crawld (not its worker) killed -9 at five moments of the crawl the seed
picks (each at a share of the walk's pages committed, one in each fifth
of 4 % to 80 %); restarted on the same config after the first four, left
dead after the fifth.

Each kill: the victim's worker goes with its crawld and no process of it is
left; every host the victim leased at its death (the database's hosts
table) that still had pending rows is fetched again (the origin's request
log, with times) within lease_ms + 1 s of the kill, and not before the
lease the victim held ran out (one node at a time). Each restart: the
victim leases a host again within lease_ms + 3 s (its fair share is
ceil(3 hosts / 3 nodes) = 1, so a node holding two gives one back), and
at least three of the kills find it holding one.

At the end: the job is done on the two surviving nodes; each node's
committed records (its pages.NODE.jsonl up to the length job_offsets
holds; a survivor's file is exactly that, the dead node's no shorter) hold
every page of the breadth-first walk exactly once; `crawlctl export` on a
survivor streams exactly those lines; the /site pages the origins served
more than once number at most 5 x 64.

CLUSTER_KILL9_SEED=N replays a run (the seed is printed).

usage: cluster_kill9.py   (run by cluster_kill9.sh: PG_DIR, CRAWLD_BIN)"""
import os, random, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import SLOW, alive, check, finish, wait_for  # noqa: E402
from cluster_lib import Cluster, expected_pages  # noqa: E402
from cluster_faults_lib import (check_lines_union, committed_records, held_hosts,  # noqa: E402
                                host_owners, pending_by_host, site_refetches,
                                start_timed_origins)

NODES = ("a", "b", "c")
DB = "cluster_kill9"
LEASE_MS = 3000
PAGE_TIMEOUT_MS = 1000
KILLS = 5
PAGE_MS = 80  # each /site page answers this late: ~10 pages/s a host
SLACK = 1.0  # s past the lease for another node's first request
T0 = time.time()
seed = int(os.environ.get("CLUSTER_KILL9_SEED") or random.SystemRandom().randrange(1 << 30))
print("seed %d (CLUSTER_KILL9_SEED=%d replays it)" % (seed, seed), flush=True)
rng = random.Random(seed)
victim = rng.choice(NODES)
survivors = [n for n in NODES if n != victim]
# five moments, one in each fifth of 4 %..80 % of the pages committed
moments = [0.04 + 0.152 * (i + rng.random()) for i in range(KILLS)]
print("victim %s; kills at %s of the pages committed"
      % (victim, ", ".join("%.0f %%" % (100 * m) for m in moments)), flush=True)

origins = start_timed_origins(3, 300, page_ms=PAGE_MS)
cl = None


def rel(t):
    return t - T0


def job_ended():
    """The job is no longer running on the first survivor."""
    return (cl.job(survivors[0], jid) or {}).get("state") not in ("running", "paused", None)


try:
    want = expected_pages(origins)
    check(len(want) == 3 * 301, "the walk finds 3 x 301 pages: %d" % len(want))
    cl = Cluster(DB, NODES, lease_ms=LEASE_MS,
                 conf="[limits]\npage_timeout_ms = %d\n" % PAGE_TIMEOUT_MS)
    cl.start()
    for o in origins:
        o.stats(reset=True)
    jid = cl[survivors[0]].submit([o.seed for o in origins], "--no-js", "--depth", "1000",
                                  "--max-pages", "100000", "--name", "kill9")
    if jid is None:
        raise RuntimeError("submit refused")
    t_sub = time.time()
    by_host = {o.url: o for o in origins}
    takeover = []  # (kill, host, seconds from the kill to another node's first request)
    for k, frac in enumerate(moments):
        at = int(frac * len(want))
        # the moment: that many records in (the job still running)
        wait_for(lambda: cl.line_count(jid) >= at or job_ended(), 60,
                 "kill %d: %d records" % (k + 1, at), step=0.05)
        if not check(not job_ended(), "kill %d comes mid-crawl (%d records of %d wanted)"
                     % (k + 1, at, len(want))):
            break
        d = cl[victim]
        pids = [d.proc.pid] + d.worker_pids_now()
        t_kill = time.time()
        d.kill9()  # waits for the victim's worker to go with it
        t_gone = time.time()
        check(not any(alive(p) for p in pids),
              "kill %d: crawld and its worker gone (%r)" % (k + 1, pids))
        held = held_hosts(DB, victim)  # its leases as it died (none can be renewed now)
        pend = pending_by_host(DB, jid)
        n_at = cl.line_count(jid)
        print("kill %d at %.1f s (%d records of %d, %.0f %%): %s held %s; pending there %s"
              % (k + 1, rel(t_kill), n_at, len(want), 100.0 * n_at / len(want), victim,
                 {h: "+%.2f s" % (u - t_kill) for h, u in held.items()},
                 {h: pend.get(h, 0) for h in held}), flush=True)
        if not held:
            print("kill %d: %s held no lease: no takeover to watch" % (k + 1, victim))
        # watch its hosts until another node has come to each that had
        # rows pending, or lease_ms + SLACK (+ a little) after the kill
        t_end = t_kill + (LEASE_MS / 1000 + SLACK) * SLOW + 0.3
        watch = [h for h in held if pend.get(h, 0)]

        owners = []  # (time, {host: (owner, epoch)}) at each change: why, when one fails

        def came(h):
            return any(r["start"] > t_gone for r in by_host[h].reqlog())

        def watched():
            o = {h: v[:2] for h, v in host_owners(DB, watch).items()}
            if not owners or owners[-1][1] != o:
                owners.append((time.time(), o))
            return time.time() >= t_end or all(came(h) for h in watch)
        wait_for(watched, LEASE_MS / 1000 + SLACK + 5, "the window after kill %d" % (k + 1),
                 step=0.05)
        for h, until in held.items():
            if pend.get(h, 0) == 0:
                continue  # nothing left there: no one need come
            log = by_host[h].reqlog()
            after = sorted(r["start"] for r in log if r["start"] > t_gone)
            first = after[0] if after else None
            took = first - t_kill if first else None
            takeover.append((k + 1, h, took))
            if not check(first is not None and took <= (LEASE_MS / 1000 + SLACK) * SLOW,
                         "kill %d: %s (leased by %s until kill +%.2f s, %d rows pending) fetched "
                         "by another node within lease_ms + %.0f s of the kill (first request: %s)"
                         % (k + 1, h, victim, until - t_kill, pend[h], SLACK,
                            "+%.2f s" % took if took is not None else "none")):
                print("  owners of %s after the kill: %s" % (h, ", ".join(
                    "+%.2f s %s" % (t - t_kill, o.get(h)) for t, o in owners)))
            # one node at a time: none before the victim's lease ran out
            # (requests the victim's worker sent as it died are before t_gone)
            early = [r for r in log if t_gone + 0.2 < r["start"] < until - 0.05]
            check(not early, "kill %d: no request to %s between the kill and the end of %s's "
                  "lease (+%.2f s): %r" % (k + 1, h, victim, until - t_kill,
                                           [("+%.2f" % (r["start"] - t_kill), r["path"])
                                            for r in early[:3]]))
        if k < KILLS - 1:
            d.restart()
            t_up = time.time()
            check(d.proc.poll() is None, "kill %d: %s restarted" % (k + 1, victim))
            # back, it claims its share: ceil(3 hosts / 3 nodes) = 1, the
            # host another node holds past its own share given back
            got = wait_for(lambda: held_hosts(DB, victim) or job_ended() or cl.line_count(jid)
                           >= len(want) - 30, LEASE_MS / 1000 + 3,
                           "restart %d: %s to lease a host again" % (k + 1, victim), step=0.05)
            if got and not isinstance(got, dict):
                print("restart %d: the crawl is near its end: %s not asked to lease" % (k + 1, victim))
            elif got:
                print("restart %d: %s leases %s %.2f s after its restart"
                      % (k + 1, victim, sorted(got), time.time() - t_up))
            else:
                shares = {n: sorted(held_hosts(DB, n)) for n in NODES}
                print("restart %d: leases per node %.1f s after it: %r; rows pending per host: "
                      "%r" % (k + 1, time.time() - t_up, shares, pending_by_host(DB, jid)))
                for n in survivors:
                    st = cl[n].status()
                    print("  %s: workers (state, pages queued, url) %r" % (n, [
                        (w.get("state"), w.get("queued"), w.get("url")) for w in st["workers"]]))
    print("takeovers (kill, host, s after the kill): %r"
          % [(k, h, round(t, 2) if t is not None else None) for k, h, t in takeover])
    check(len(takeover) >= 3, "at least three takeovers watched: %d" % len(takeover))

    # ---- the end: two survivors finish the job ----
    def done():
        return all((cl.job(n, jid) or {}).get("state") == "done" for n in survivors)
    ok = wait_for(done, 90, "job %d done on %s" % (jid, " and ".join(survivors)), step=0.1)
    print("job done on the survivors %.1f s after the submit" % (time.time() - t_sub))
    check(cl[victim].proc.poll() is not None, "the victim stays dead")
    for n in survivors:
        check(cl[n].proc.poll() is None, "survivor %s's crawld still runs" % n)
    jobs = {n: cl.job(n, jid) or {} for n in survivors}
    check(all(j.get("done") == len(want) and j.get("pending") == 0 for j in jobs.values()),
          "survivors: %d pages done, none pending: %r" % (len(want), {
              n: (j.get("state"), j.get("done"), j.get("pending")) for n, j in jobs.items()}))

    lines, tail = committed_records(cl, DB, jid)
    print("bytes past the committed length: %r" % tail)
    check(sorted(lines) == sorted(NODES), "every node has a committed length and a file: %r %r"
          % (sorted(lines), sorted(cl.files(jid))))
    for n in survivors:
        check(tail.get(n) == 0, "survivor %s's file is its committed length (%r past it)"
              % (n, tail.get(n)))
    check(tail.get(victim, 0) >= 0, "the dead node's file is no shorter than its committed "
          "length (%r)" % tail.get(victim))
    check_lines_union(lines, want, jid, "%d kills of %s" % (KILLS, victim))
    rc, out, err = cl[survivors[0]].ctl("export", str(jid), timeout=30)
    exp = out.encode().splitlines(keepends=True)
    union = [l for ls in lines.values() for l in ls]
    print("export on %s: %d lines (committed: %s)" % (survivors[0], len(exp), ", ".join(
        "%s %d" % (n, len(l)) for n, l in sorted(lines.items()))))
    check(rc == 0 and sorted(exp) == sorted(union),
          "crawlctl export on %s: exactly the committed lines of every node (rc %d, %d lines, "
          "want %d; %r)" % (survivors[0], rc, len(exp), len(union), err.strip()[:200]))
    extra, twice = site_refetches(origins)
    print("pages fetched more than once: %d extra requests, %r" % (extra, sorted(twice.items())[:5]))
    check(extra <= KILLS * 64, "pages fetched again at most %d x 64: %d" % (KILLS, extra))
    for n in survivors:
        rc = cl[n].stop()
        check(rc == 0, "node %s: SIGTERM -> 0, got %r" % (n, rc))
except Exception as e:  # noqa: BLE001 - reported as a failure, cleanup below
    check(False, "cluster_kill9 raised %r" % e)
    import traceback
    traceback.print_exc()
finally:
    if cl is not None:
        check(cl.cleanup(), "no worker left behind")
    for o in origins:
        o.stop()
print("cluster_kill9: %.1f s (SLOW %.1f, seed %d)" % (time.time() - T0, SLOW, seed))
finish("cluster_kill9")
