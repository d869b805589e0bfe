#!/usr/bin/env python3
"""Cluster mode, a node that sleeps through its leases: two nodes (a, b) on
one PostgreSQL database, lease_ms = 3000, page_timeout_ms = 1000; a ~600-page
site on four origins whose pages each answer 60 ms late (so a host's page
is nearly always in flight, and the crawl lasts well past 10 s). Once a has
committed pages, its crawld (not its worker) is stopped with SIGSTOP for
three leases: b takes a's hosts meanwhile. Woken with SIGCONT, a's next
commit is refused: its log says the lease was lost; the job still ends
"done" on both nodes and the union of the nodes' files holds every page of
the walk exactly once.

usage: cluster_zombie.py   (run by cluster_zombie.sh: PG_DIR, CRAWLD_BIN)"""
import collections, json, os, signal, sys, time, urllib.parse
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import SLOW, check, finish, wait_for  # noqa: E402
from cluster_lib import (LEASE_LOST_WORDS, Cluster, expected_pages, fetched_twice,  # noqa: E402
                         psql, start_origins)

NODES = ("a", "b")
LEASE_MS = 3000
PAGE_TIMEOUT_MS = 1000
T0 = time.time()
origins = start_origins(4, 150, page_ms=60)
cl = None
stopped = False


def origin_of(url):
    return urllib.parse.urlsplit(url).netloc


def urls_in(nid):
    """The URLs of the records in node nid's file so far, in file order."""
    p = cl.files(jid).get(nid)
    if not p:
        return []
    out = []
    with open(p, "rb") as f:
        for line in f.read().splitlines():
            try:
                out.append(json.loads(line)["url"])
            except (ValueError, KeyError, TypeError):
                pass  # a line being written
    return out


def host_counts(nid):
    return collections.Counter(origin_of(u) for u in urls_in(nid))


try:
    want = expected_pages(origins)
    check(len(want) == 4 * 151, "the walk finds 4 x 151 pages: %d" % len(want))
    cl = Cluster("cluster_zombie", NODES, lease_ms=LEASE_MS,
                 conf="[limits]\npage_timeout_ms = %d\n" % PAGE_TIMEOUT_MS)
    cl.start()
    for o in origins:
        o.stats(reset=True)
    jid = cl["a"].submit([o.seed for o in origins], "--no-js", "--depth", "1000",
                         "--max-pages", "100000", "--name", "zombie")
    if jid is None:
        raise RuntimeError("submit refused")
    wait_for(lambda: len(urls_in("a")) >= 10, 30, "node a to commit 10 records")
    # The hosts a is crawling now: those of its last records.
    a_hosts = {origin_of(u) for u in urls_in("a")[-8:]}
    b_before = host_counts("b")
    print("before the stop: a is on %r; b has %r" % (sorted(a_hosts), dict(b_before)))

    # ---- a sleeps through three leases ----
    pid = cl["a"].proc.pid
    t_stop = time.time()
    os.kill(pid, signal.SIGSTOP)
    stopped = True
    # The stop lasts three leases (deadlines, polled); b's record count at
    # each lease boundary: b must go on writing through every one of them
    # (its own hosts, then a's), not stall behind the sleeper.
    lease_s = LEASE_MS / 1000
    b_counts = [len(urls_in("b"))]
    for k in (1, 2, 3):
        wait_for(lambda: time.time() >= t_stop + k * lease_s, lease_s + 5,
                 "lease %d of the stop to pass" % k, step=0.05)
        b_counts.append(len(urls_in("b")))
    # b took over a's hosts once their leases lapsed.
    took_over = sorted(h for h, n in host_counts("b").items()
                       if h in a_hosts and n > b_before[h])
    check(took_over, "b wrote pages of a host a was on (%r) while a slept" % sorted(a_hosts))
    grew = [b - a for a, b in zip(b_counts, b_counts[1:])]
    check(all(g >= 5 for g in grew), "b wrote pages in each lease of a's sleep (records at "
          "each lease boundary: %r)" % b_counts)
    if not took_over or not all(g >= 5 for g in grew):
        # Why not: sessions waiting on a lock, or left in a transaction (a's,
        # stopped mid-transaction, holds its locks as long as it sleeps).
        try:
            print("sessions of the database while a sleeps:\n" + psql(
                "SELECT pid, state, wait_event_type, wait_event, now() - xact_start, "
                "left(regexp_replace(query, '\\s+', ' ', 'g'), 90) FROM pg_stat_activity "
                "WHERE datname = 'cluster_zombie' AND pid <> pg_backend_pid()", db="crawld"))
        except RuntimeError as e:
            print("pg_stat_activity: %s" % e)
    n_at_cont = cl.line_count(jid)
    os.kill(pid, signal.SIGCONT)
    stopped = False
    print("a stopped for %.1f s; b's records at each lease: %r; b took over %r; %d records at "
          "SIGCONT" % (time.time() - t_stop, b_counts, took_over, n_at_cont))

    # ---- a's next commit is refused ----
    lost = wait_for(lambda: cl.log_lines("a", *LEASE_LOST_WORDS), 15,
                    "node a to log a lost lease")
    check(bool(lost), "node a's log has a line with %s" % " and ".join(map(repr, LEASE_LOST_WORDS)))
    for line in (lost or [])[:6]:
        print("a's log: %s" % line[:300])
    check(cl["a"].proc.poll() is None, "node a still runs after losing its leases")

    took = cl.wait_state(jid, "done", 90, "job %d done on both nodes" % jid, step=0.1)
    print("job done on both nodes, %.1f s into the test" % (time.time() - T0))
    by_node = cl.check_union(jid, want, "a stopped for three leases")
    check(len(by_node.get("b", [])) > 0, "b wrote pages")
    jobs = {n: cl.job(n, jid) for n in NODES}
    st = {n: (j or {}).get("state") for n, j in jobs.items()}
    dn = {n: (j or {}).get("done") for n, j in jobs.items()}
    check(all(v == "done" for v in st.values()) and all(v == len(want) for v in dn.values()),
          "both nodes: done, %d pages done: %r %r" % (len(want), st, dn))
    twice = fetched_twice(origins)
    print("pages fetched more than once: %d %r" % (len(twice), sorted(twice.items())[:5]))
    for n in NODES:
        rc = cl[n].stop()
        check(rc == 0, "node %s: SIGTERM -> 0, got %r" % (n, rc))
except Exception as e:  # noqa: BLE001 - reported as a failure, cleanup below
    check(False, "cluster_zombie raised %r" % e)
    import traceback
    traceback.print_exc()
finally:
    if cl is not None:
        if stopped:
            os.kill(cl["a"].proc.pid, signal.SIGCONT)
        check(cl.cleanup(), "no worker left behind")
    for o in origins:
        o.stop()
print("cluster_zombie: %.1f s (SLOW %.1f)" % (time.time() - T0, SLOW))
finish("cluster_zombie")
