"""The exactly-once check of a crawl's pages.jsonl, shared by the fault
scripts that crawl a generated site.

expected(seeds, depth): the pages a breadth-first walk of the served sites
reaches from the seeds within depth, in prefix scope (under a seed's
directory), fetched independently of crawld (crawl_lib.bfs).

check_output(path, want, phase): reads the file and checks, each as its own
assertion that names the pages at fault:
  * every line is a whole JSON object with a "url" (none torn, none garbled,
    the file ends with a newline);
  * no URL has two records anywhere in the file;
  * no loss: every expected page has a record (a quarantined record counts
    as present; they are returned and reported);
  * nothing else: no record for a page outside the walk.
Returns a Result with the records and the counts.

frontier_settled(d, jid, nrecords): once the job is done, the state
database agrees: no frontier row left pending (or in flight), and as many
rows done or failed as there are records."""
import collections, json, os, sqlite3, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from daemon_lib import check  # noqa: E402
from crawl_lib import bfs  # noqa: E402


def prefix_of(seed):
    return seed[:seed.rindex("/") + 1]


def expected(seeds, depth):
    prefixes = [prefix_of(s) for s in seeds]
    return {u for u, _ in bfs(seeds, depth, lambda u: any(u.startswith(p) for p in prefixes))}


class Result:
    def __init__(self):
        self.records = []
        self.bad_lines = 0
        self.duplicated = []
        self.lost = []
        self.extra = []
        self.quarantined = []


def parse_lines(data, phase=""):
    """(records, number of lines that are not a whole JSON object with a url)."""
    recs, bad, first_bad = [], 0, None
    lines = data.split(b"\n")
    if lines[-1] == b"":  # the newline that ends the last line (or an empty file)
        lines.pop()
    for i, line in enumerate(lines):
        try:
            r = json.loads(line)
            ok = isinstance(r, dict) and isinstance(r.get("url"), str)
        except ValueError:
            ok = False
        if ok:
            recs.append(r)
        else:
            bad += 1
            first_bad = first_bad or (i + 1, line[:120])
    check(bad == 0, "%severy line of pages.jsonl is a JSON record (%d are not; first: line %r)"
          % (phase, bad, first_bad))
    return recs, bad


def check_output(path, want, phase=""):
    """phase, when given, prefixes every message ('delete: ')."""
    phase = phase + ": " if phase else ""
    res = Result()
    with open(path, "rb") as f:
        data = f.read()
    check(data == b"" or data.endswith(b"\n"), "%spages.jsonl ends with a whole line" % phase)
    res.records, res.bad_lines = parse_lines(data, phase)
    count = collections.Counter(r["url"] for r in res.records)
    res.duplicated = sorted(u for u, n in count.items() if n > 1)
    res.lost = sorted(set(want) - set(count))
    res.extra = sorted(set(count) - set(want))
    res.quarantined = [r for r in res.records if (r.get("error") or "").startswith("quarantined")]
    check(not res.duplicated, "%sno page recorded twice: %d URLs have more than one record (%d "
          "surplus records), e.g. %r" % (phase, len(res.duplicated),
                                         sum(count[u] - 1 for u in res.duplicated),
                                         [(u, count[u]) for u in res.duplicated[:3]]))
    check(not res.lost, "%sno page lost: %d of the %d pages the walk reaches have no record, e.g. %r"
          % (phase, len(res.lost), len(want), res.lost[:3]))
    check(not res.extra, "%sno page outside the walk: %d records, e.g. %r"
          % (phase, len(res.extra), res.extra[:3]))
    if res.quarantined:
        print("%s%d quarantined (counted as present): %r" % (
            phase, len(res.quarantined), [(r["url"], r.get("error")) for r in res.quarantined[:5]]))
    return res


def frontier_settled(d, jid, nrecords, phase=""):
    phase = phase + ": " if phase else ""
    con = sqlite3.connect("file:%s/state/crawld.db?mode=ro" % d.dir, uri=True, timeout=10)
    try:
        by = dict(con.execute("SELECT state, count(*) FROM frontier WHERE job_id=? GROUP BY state",
                              (jid,)).fetchall())
        left = [u for (u,) in con.execute("SELECT url FROM frontier WHERE job_id=? AND state IN "
                                          "(0, 1) ORDER BY id LIMIT 3", (jid,))]
    finally:
        con.close()
    unsettled = by.get(0, 0) + by.get(1, 0)  # store.h: ROW_PENDING, ROW_IN_FLIGHT
    check(unsettled == 0, "%sthe job is done and no frontier row is left pending: %d are, e.g. %r"
          % (phase, unsettled, left))
    finished = by.get(2, 0) + by.get(3, 0)  # ROW_DONE, ROW_FAILED
    check(finished == nrecords, "%sfrontier rows done or failed (%d) = records (%d)"
          % (phase, finished, nrecords))
    return unsettled
