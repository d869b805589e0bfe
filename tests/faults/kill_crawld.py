"""kill -9 of crawld at 10 random moments of a 2,000-page crawl (the random
delays are seeded, so a failure repeats): after every restart the job
resumes from its committed state, the file is cut back to its committed
length, and at the end every page is in pages.jsonl exactly once with no
torn line; the workers never outlive a killed crawld. The file is checked
by tests/faults/crawl_check.py: every line a JSON record, no URL twice, no
page of the breadth-first walk missing, none outside it.

Under `make test-matrix` ($CRAWLD_MATRIX, tests/faults/matrix.py) the
config, the JS option and the hosts come from the row; KILL_PAGES (pages
over all hosts) and CRASH_KILLS (kills, default 10) scale it, and the
random moments are drawn over a span that fits the scaled crawl."""
import os, random, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)
from daemon_lib import check, dump_log_on_failure, finish  # noqa: E402
from crawl_lib import crawl_daemon  # noqa: E402
import crawl_check, matrix  # noqa: E402

BASE = sys.argv[1]
PAGES = int(os.environ.get("KILL_PAGES", "2000"))
KILLS = int(os.environ.get("CRASH_KILLS", "10"))
DEPTH = 1000
rng = random.Random(20261125)
origins = matrix.sites(BASE, PAGES, refs=120)
seeds = [o + "/site/" for o in origins]
want = crawl_check.expected(seeds, DEPTH)
# The moments are drawn from 0.1..1.2 s after each restart for 2,000 pages,
# less for a smaller crawl.
SPAN = 1.2 * min(1.0, PAGES / 2000)

d = crawl_daemon("kill-crawld", extra=matrix.conf(""), workers=matrix.workers(2))
try:
    d.start()
    matrix.announce("kill_crawld", d)
    # 3 ms between pages of a host: the crawl lasts long enough for ten
    # kills at random moments.
    jid = d.submit(seeds, *matrix.js_opts(["--no-js"]), "--depth", str(DEPTH),
                   "--max-pages", "100000", "--scope", "prefix", "--delay-ms", "3")
    out = os.path.join(d.out, str(jid), "pages.jsonl")
    kills = 0
    for i in range(KILLS):
        time.sleep(rng.uniform(0.1, SPAN))
        if d.job(jid)["state"] != "running":
            break
        d.kill9()
        kills += 1
        d.restart()
    check(kills >= min(5, KILLS), "crawld was killed mid-crawl %d times" % kills)
    d.wait_job(jid, timeout=300)
    j = d.job(jid)
    check(j["state"] == "done", "the job completes")
    recs = crawl_check.check_output(out, want, "after %d kills" % kills).records
    bad = [(r["url"], r.get("status"), r.get("error")) for r in recs
           if r.get("error") is not None or r.get("status") != 200]
    check(not bad, "every page fetched fine (%d not, e.g. %r)" % (len(bad), bad[:3]))
    crawl_check.frontier_settled(d, jid, len(recs))
    check(j["done"] == len(recs) and j["pending"] == 0 and j["in_flight"] == 0,
          "the job's counters match the records: done %d, %d records, pending %d, in flight %d"
          % (j["done"], len(recs), j["pending"], j["in_flight"]))
    print("kill_crawld: %d kills, %d pages once each" % (kills, len(recs)))
    check(d.stop() == 0, "crawld exits 0")
finally:
    dump_log_on_failure(d)
    check(d.cleanup(), "no worker left behind")
finish("kill_crawld")
