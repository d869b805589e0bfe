"""A locked database under a crawl. Another connection takes the write
lock (BEGIN EXCLUSIVE) on STATE_DIR/crawld.db while a 300-page crawl runs:
held 2.5 s (under the 5 s busy timeout) crawld waits and goes on, no job
paused; held 9 s the job is held: paused with "state database: database is
locked", one log line, the daemon answering status at once meanwhile; when
the lock goes the job runs again by itself. At the end the job is done with
every page of the site exactly once and the database agrees with the file."""
import collections, json, os, sqlite3, sys, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from daemon_lib import SLOW, check, dump_log_on_failure, finish, wait_for  # noqa: E402
from crawl_lib import bfs, crawl_daemon  # noqa: E402

BASE = sys.argv[1]
SITE = BASE + "/site/"
want = {u for u, _ in bfs([SITE], 1000, lambda u: u.startswith(SITE))}
d = crawl_daemon("db-locked")


def hold_lock(seconds, took):
    """BEGIN EXCLUSIVE for seconds; took is set once the lock is held.
    Retried every millisecond, not through SQLite's busy handler: crawld's
    group commit keeps its write transaction open while results come in,
    and the handler's growing sleeps (up to 100 ms) could miss every gap
    until the crawl had ended (CI saw the job done before the lock)."""
    con = sqlite3.connect(os.path.join(d.dir, "state", "crawld.db"), timeout=0,
                          isolation_level=None)
    try:
        end = time.time() + 30
        while True:
            try:
                con.execute("BEGIN EXCLUSIVE")
                break
            except sqlite3.OperationalError:
                if time.time() > end:
                    raise
                time.sleep(0.001)
        took.set()
        time.sleep(seconds)
        con.execute("COMMIT")
    finally:
        con.close()


def locked(seconds):
    took = threading.Event()
    t = threading.Thread(target=hold_lock, args=(seconds, took))
    t.start()
    check(took.wait(30), "the lock is taken")
    return t


def done(jid):
    j = d.job(jid)
    return j["done"] + j["failed"]


try:
    d.start()
    # 50 ms between pages: about 15 s of crawling, results all along (room
    # for the long lock below to be taken while the crawl still runs).
    jid = d.submit([SITE], "--no-js", "--depth", "1000", "--max-pages", "100000",
                   "--scope", "prefix", "--delay-ms", "50")
    wait_for(lambda: done(jid) >= 20, 30, "the crawl is under way")

    # ---- under the busy timeout: crawld waits ----
    t = locked(2.5)
    n0 = done(jid)
    t.join()
    wait_for(lambda: done(jid) > n0 + 5, 20, "the crawl goes on after a short lock")
    j = d.job(jid)
    check(j["state"] == "running" and "error" not in j, "a short lock pauses nothing: %r" % j)
    check("job paused" not in d.log_text(), "no job paused for a short lock")

    # ---- past the busy timeout: held, retried, runs again ----
    t = locked(9)
    j = wait_for(lambda: d.job(jid) if d.job(jid)["state"] == "paused" else None, 20,
                 "the job is held while the lock stays")
    if j:
        check(j.get("retrying") is True and j.get("error") == "state database: database is locked",
              "paused with the reason: %r" % j)
        t0 = time.time()
        st = d.status()
        check(time.time() - t0 < 1.0 * SLOW and st["state"] == "running",
              "status answers at once while held (%.2fs)" % (time.time() - t0))
        rc, out, err = d.ctl("jobs")
        check(rc == 0 and "database is locked (retrying)" in out, "crawlctl jobs shows it:\n" + out)
    log = d.log_text()
    lines = [l for l in log.splitlines() if "job paused: its records cannot be committed" in l]
    check(len(lines) == 1 and "database is locked" in lines[0], "one clear log line: %r" % lines)
    t.join()
    t0 = time.time()
    wait_for(lambda: d.job(jid)["state"] == "running" or d.job(jid)["state"] == "done", 10,
             "the job runs again once the lock is gone")
    check(time.time() - t0 < 6 * SLOW, "within a few seconds (%.1fs)" % (time.time() - t0))

    d.wait_job(jid, timeout=120)
    j = d.job(jid)
    check(j["state"] == "done" and "error" not in j, "the job completes: %r" % j)
    out = os.path.join(d.out, str(jid), "pages.jsonl")
    with open(out, "rb") as f:
        data = f.read()
    check(data.endswith(b"\n"), "no torn record")
    recs = [json.loads(l) for l in data.splitlines()]
    count = collections.Counter(r["url"] for r in recs)
    dup = [u for u, n in count.items() if n > 1]
    check(not dup, "no page twice (%d, e.g. %r)" % (len(dup), dup[:3]))
    check(set(count) == want, "every page of the site (missing %d, extra %d)"
          % (len(want - set(count)), len(set(count) - want)))
    check(all(r["error"] is None and r["status"] == 200 for r in recs), "every page fine")
    check(j["done"] == len(want) and j["pending"] == 0, "counters: %r" % j)
    con = sqlite3.connect("file:%s/state/crawld.db?mode=ro" % d.dir, uri=True, timeout=10)
    committed, state = con.execute(
        "SELECT o.committed, j.state FROM jobs j JOIN job_offsets o ON o.job_id = j.id "
        "WHERE j.id=?", (jid,)).fetchone()
    rows = con.execute("SELECT count(*) FROM frontier WHERE job_id=? AND state IN (2,3)",
                       (jid,)).fetchone()[0]
    con.close()
    check(committed == len(data) and state == "done" and rows == len(want),
          "the database agrees: %r" % ((committed, len(data), state, rows),))
    log = d.log_text()
    check("job failed" not in log, "no job failed")
    check(d.stop() == 0, "crawld exits 0")
finally:
    dump_log_on_failure(d)
    check(d.cleanup(), "no worker left behind")
finish("db_locked")
