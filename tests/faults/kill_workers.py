"""kill -9 of a random busy worker every 300 ms while crawld crawls a
2,000-page site: the pool refills, killed pages are done again, and at the
end every page of the site is in pages.jsonl exactly once (done, or
quarantined with the reason when the kills hit it max_attempts times);
no worker is left behind.

What "exactly once" means here (tests/faults/crawl_check.py): every line of
pages.jsonl is a whole JSON record; no URL has two records anywhere in the
file; no loss: every page an independent breadth-first walk of the served
sites reaches from the seeds within the job's depth and scope has a record
(quarantined records count as present and are reported); no record for a
page outside that walk; and the state database agrees: no frontier row
left pending once the job is done.

Under `make test-matrix` ($CRAWLD_MATRIX, tests/faults/matrix.py) the
config, the JS option and the number of hosts come from the row, the site
pages link to ?ref= query variants of their first 120 pages, and the crawl
is scaled by KILL_PAGES (pages over all hosts), KILL_COUNT (stop killing
after this many; default: until the job ends) and KILL_INTERVAL (seconds
between kills). bench/kill_soak.sh runs it with KILL_REPORT=1: the counts
are printed as one line whatever they are."""
import os, random, signal, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)
from daemon_lib import alive, check, dump_log_on_failure, finish  # noqa: E402
from crawl_lib import crawl_daemon  # noqa: E402
import crawl_check, matrix  # noqa: E402

BASE = sys.argv[1]
ASAN = os.environ.get("CRAWLD_BUILD") == "asan"
PAGES = int(os.environ.get("KILL_PAGES", "2000"))
KILL_COUNT = int(os.environ.get("KILL_COUNT", "0")) or None
INTERVAL = float(os.environ.get("KILL_INTERVAL", "0.3"))
DELAY_MS = os.environ.get("KILL_DELAY_MS", "5")
DEPTH = 1000
rng = random.Random(int(os.environ.get("KILL_SEED", "1234")))

origins = matrix.sites(BASE, PAGES, refs=120)
seeds = [o + "/site/" for o in origins]
want = crawl_check.expected(seeds, DEPTH)
d = crawl_daemon("kill-workers", extra=matrix.conf("[limits]\nmax_attempts = 5\n"),
                 workers=matrix.workers(2))
try:
    d.start()
    matrix.announce("kill_workers", d)
    max_attempts = int(matrix.effective(d.conf)["max_attempts"])
    # 5 ms between pages of a host: the crawl lasts ~15 s, so the kills land
    # all through it.
    t0 = time.time()
    jid = d.submit(seeds, *matrix.js_opts(["--no-js"]), "--depth", str(DEPTH),
                   "--max-pages", "100000", "--scope", "prefix", "--delay-ms", DELAY_MS)
    kills, t_end = 0, time.time() + (600 if ASAN else 300)
    while time.time() < t_end and (KILL_COUNT is None or kills < KILL_COUNT):
        j = d.job(jid)
        if j["state"] not in ("running", "paused"):
            break
        busy = [w for w in d.status()["workers"] if w["state"] == "busy" and w["pid"]]
        if not busy:  # pages are short: look again soon
            time.sleep(0.005)
            continue
        w = rng.choice(busy)
        try:
            os.kill(w["pid"], signal.SIGKILL)
            kills += 1
        except ProcessLookupError:
            pass
        time.sleep(INTERVAL)
    d.wait_job(jid, timeout=600 if ASAN else 300)
    took = time.time() - t0
    j = d.job(jid)
    check(j["state"] == "done", "the job completes under the kills: %r" % j["state"])
    res = crawl_check.check_output(os.path.join(d.out, str(jid), "pages.jsonl"), want)
    recs = res.records
    quarantined = res.quarantined
    check(all("worker crashed" in r["error"] for r in quarantined),
          "quarantined pages say why: %r" % [r["error"] for r in quarantined[:3]])
    check(all(r.get("attempts") == max_attempts for r in quarantined),
          "quarantined after max_attempts = %d: %r" % (max_attempts,
                                                       [r.get("attempts") for r in quarantined[:5]]))
    check(len(quarantined) < max(1, len(want) // 20), "few pages quarantined (%d)" % len(quarantined))
    check(j["done"] + j["failed"] == len(recs) and j["pending"] == 0 and j["in_flight"] == 0,
          "the job's counters match the records: done %d + failed %d, %d records, pending %d, "
          "in flight %d" % (j["done"], j["failed"], len(recs), j["pending"], j["in_flight"]))
    unsettled = crawl_check.frontier_settled(d, jid, len(recs))
    st = d.status()
    check(kills >= 5 and st["recycles"]["crash"] >= 5, "workers were killed (%d kills, %d crashes"
          " counted)" % (kills, st["recycles"]["crash"]))
    print("kill_workers: %d pages, %d kills, %d crashes counted, %d quarantined, %d redone, %.1f s"
          % (len(recs), kills, st["recycles"]["crash"], len(quarantined),
             sum(1 for r in recs if r.get("attempts", 1) > 1 and not r.get("error")), took))
    if os.environ.get("KILL_REPORT"):
        print("kill_soak: hosts=%d pages_expected=%d records=%d kills=%d duplicates=%d "
              "losses=%d extra=%d quarantined=%d bad_lines=%d rows_left_pending=%d seconds=%.1f"
              % (len(origins), len(want), len(recs), kills, len(res.duplicated), len(res.lost),
                 len(res.extra), len(quarantined), res.bad_lines, unsettled, took))
    pids = d.worker_pids_now()
    check(d.stop() == 0, "crawld exits 0")
    check(not any(alive(p) for p in pids), "no worker left behind")
finally:
    dump_log_on_failure(d)
    check(d.cleanup(), "cleanup: no worker left")
finish("kill_workers")
