"""kill -9 of a random busy worker every 300 ms while crawld crawls a
2,000-page site: the pool refills, killed pages are done again, and at the
end every page of the site is in pages.jsonl exactly once (done, or
quarantined with the reason when the kills hit it max_attempts times);
no worker is left behind."""
import collections, os, random, signal, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from daemon_lib import alive, check, dump_log_on_failure, finish  # noqa: E402
from crawl_lib import bfs, crawl_daemon  # noqa: E402

BASE = sys.argv[1]
SITE = BASE + "/site/"
ASAN = os.environ.get("CRAWLD_BUILD") == "asan"
rng = random.Random(1234)

want = [u for u, _ in bfs([SITE], 1000, lambda u: u.startswith(BASE + "/site/"))]
d = crawl_daemon("kill-workers", extra="[limits]\nmax_attempts = 5\n")
try:
    d.start()
    # 5 ms between pages of the one host: the crawl lasts ~15 s, so the
    # kills land all through it.
    jid = d.submit([SITE], "--no-js", "--depth", "1000", "--max-pages", "100000",
                   "--scope", "prefix", "--delay-ms", "5")
    kills, t_end = 0, time.time() + (600 if ASAN else 300)
    while time.time() < t_end:
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
        time.sleep(0.3)
    j = d.job(jid)
    check(j["state"] == "done", "the job completes under the kills: %r" % j["state"])
    recs = d.records(jid)
    count = collections.Counter(r["url"] for r in recs)
    dup = [u for u, n in count.items() if n > 1]
    check(not dup, "no page twice (%d duplicated, e.g. %r)" % (len(dup), dup[:3]))
    check(set(count) == set(want), "exactly the site's %d pages (%d records; missing %d, extra %d)"
          % (len(want), len(recs), len(set(want) - set(count)), len(set(count) - set(want))))
    quarantined = [r for r in recs if (r.get("error") or "").startswith("quarantined")]
    check(all("worker crashed" in r["error"] for r in quarantined),
          "quarantined pages say why: %r" % [r["error"] for r in quarantined[:3]])
    check(len(quarantined) < len(want) // 20, "few pages quarantined (%d)" % len(quarantined))
    st = d.status()
    check(kills >= 5 and st["recycles"]["crash"] >= 5, "workers were killed (%d kills, %d crashes"
          " counted)" % (kills, st["recycles"]["crash"]))
    print("kill_workers: %d pages, %d kills, %d crashes counted, %d quarantined, %d redone"
          % (len(recs), kills, st["recycles"]["crash"], len(quarantined),
             sum(1 for r in recs if r.get("attempts", 1) > 1 and not r.get("error"))))
    pids = d.worker_pids_now()
    check(d.stop() == 0, "crawld exits 0")
    check(not any(alive(p) for p in pids), "no worker left behind")
finally:
    dump_log_on_failure(d)
    check(d.cleanup(), "cleanup: no worker left")
finish("kill_workers")
