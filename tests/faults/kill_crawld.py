"""kill -9 of crawld at 10 random moments of a 2,000-page crawl (the random
delays are seeded, so a failure repeats): after every restart the job
resumes from its committed state, the file is cut back to its committed
length, and at the end every page is in pages.jsonl exactly once with no
torn line; the workers never outlive a killed crawld."""
import collections, json, os, random, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from daemon_lib import check, dump_log_on_failure, finish  # noqa: E402
from crawl_lib import bfs, crawl_daemon  # noqa: E402

BASE = sys.argv[1]
SITE = BASE + "/site/"
rng = random.Random(20261125)
want = {u for u, _ in bfs([SITE], 1000, lambda u: u.startswith(BASE + "/site/"))}

d = crawl_daemon("kill-crawld")
try:
    d.start()
    # 3 ms between pages of the one host: the crawl lasts long enough for
    # ten kills at random moments.
    jid = d.submit([SITE], "--no-js", "--depth", "1000", "--max-pages", "100000",
                   "--scope", "prefix", "--delay-ms", "3")
    out = os.path.join(d.out, str(jid), "pages.jsonl")
    kills = 0
    for i in range(10):
        time.sleep(rng.uniform(0.1, 1.2))
        if d.job(jid)["state"] != "running":
            break
        d.kill9()
        kills += 1
        d.restart()
    check(kills >= 5, "crawld was killed mid-crawl %d times" % kills)
    d.wait_job(jid, timeout=300)
    check(d.job(jid)["state"] == "done", "the job completes")
    with open(out, "rb") as f:
        data = f.read()
    check(data.endswith(b"\n"), "no torn line at the end")
    recs = [json.loads(l) for l in data.splitlines() if l.strip()]
    count = collections.Counter(r["url"] for r in recs)
    dup = [u for u, n in count.items() if n > 1]
    check(not dup, "no page twice after %d kills (%d duplicated, e.g. %r)" % (kills, len(dup), dup[:3]))
    check(set(count) == want, "exactly the site's %d pages (missing %d, extra %d)"
          % (len(want), len(want - set(count)), len(set(count) - want)))
    check(all(r["error"] is None and r["status"] == 200 for r in recs), "every page fetched fine")
    print("kill_crawld: %d kills, %d pages once each" % (kills, len(recs)))
    check(d.stop() == 0, "crawld exits 0")
finally:
    dump_log_on_failure(d)
    check(d.cleanup(), "no worker left behind")
finish("kill_crawld")
