"""Helpers for the cluster tests (tests/integration/cluster_*.py): several
crawld nodes on one PostgreSQL database (docs/cluster.md), one output
directory they share, several HTTP origins, and the checks every cluster
test makes on the per-node files.

The .sh wrapper starts the PostgreSQL server (tests/server/pg.sh, which
exports PG_DIR, the socket directory); each test makes a database of its
own with psql and builds the nodes' URI from PG_DIR.

Every name the C side chooses (config keys, file names, reply fields, log
words) is in the block below, so a rename there is one edit here."""
import collections, json, os, re, shutil, signal, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import daemon_lib  # noqa: E402
from daemon_lib import SLOW, Daemon, check, wait_for  # noqa: E402
from crawl_lib import CRAWL_CONF, bfs  # noqa: E402

# ---- the interface (docs/cluster.md; one place) ----
CLUSTER_SECTION = "cluster"
KEY_DATABASE = "database"          # a libpq URI
KEY_NODE_ID = "node_id"            # [A-Za-z0-9_-]{1,32}
KEY_LEASE_MS = "lease_ms"          # host lease; default 4 x [limits] page_timeout_ms
PAGES_FILE = "pages.%s.jsonl"      # % node_id, in OUTPUT/JOBID/
PAGES_FILE_RE = re.compile("^%s$" % re.escape(PAGES_FILE).replace("%s", "([A-Za-z0-9_-]{1,32})"))
STATUS_CLUSTER = ("status", "--cluster")   # crawlctl [--json] status --cluster
CLUSTER_KEY = "cluster"            # the reply's key holding {"nodes": [...]}
NODES_KEY = "nodes"
NODE_KEY = "node"                  # each node's name in "nodes"
NODE_FIELDS = ("node", "hosts", "pages", "rss_mb", "seen_ms")
# `crawlctl status --cluster` (text): a line per live node that starts with
# its name, or with "node" and its name ("node a   hosts 2 ...")
TEXT_NODE_LINE = r"^\s*(?:node[\s=:]+)?%s(?:\s|$)"
LEASE_LOST_WORDS = ("lease", "lost")   # both on one log line of a node whose commit was refused
RECORD_FIELDS = ("url", "status")
# the record's job: pages.jsonl calls it "job_id" (common/record.c); the
# cluster interface as first written said "job": either is taken
RECORD_JOB_KEYS = ("job_id", "job")

HERE = os.path.dirname(os.path.abspath(__file__))
HTTPD = os.path.join(HERE, "..", "server", "httpd.py")
PSQL = os.path.join(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"), "psql")
if not os.access(PSQL, os.X_OK):
    PSQL = shutil.which("psql") or "psql"


# ---- PostgreSQL ----
def pg_dir():
    d = os.environ.get("PG_DIR")
    if not d or not os.path.isdir(d):
        sys.exit("cluster tests need PG_DIR (run them through their .sh: tests/server/pg.sh)")
    return d


def psql(sql, db="crawld"):
    """Runs sql on database db of the test's server; returns its rows as
    text (unaligned, tuples only)."""
    r = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", pg_dir(),
                        "-U", "crawld", "-d", db, "-c", sql],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("psql %r: %s" % (sql, r.stderr.strip()))
    return r.stdout


def create_database(name):
    """A fresh database; returns the libpq URI the nodes are given."""
    psql('DROP DATABASE IF EXISTS "%s"' % name)
    psql('CREATE DATABASE "%s"' % name)
    return "postgresql://crawld@/%s?host=%s" % (name, pg_dir())


# ---- HTTP origins ----
class Origin:
    """One tests/server/httpd.py on a free port of 127.0.0.1 serving a
    site of site_pages pages (args: more httpd.py options); page_ms > 0:
    each /site/p/ page answers page_ms after its request (the server run
    through this file's slow-site mode), so a host's page is in flight most
    of the time."""

    def __init__(self, site_pages, *args, page_ms=0):
        self.site_pages = site_pages
        self.dir = tempfile.mkdtemp(prefix="crawld-origin.")
        port_file = os.path.join(self.dir, "port")
        front = [os.path.abspath(__file__), "slow-site", str(page_ms)] if page_ms else [HTTPD]
        self.proc = subprocess.Popen([sys.executable] + front + ["--port", "0", "--port-file",
                                      port_file, "--site-pages", str(site_pages)]
                                     + [str(a) for a in args],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(self.dir, "stderr"), "wb"))
        self.port = None
        self.port_file = port_file

    def wait(self):
        def port():
            if self.proc.poll() is not None:
                raise RuntimeError("httpd exited")
            with open(self.port_file) as f:
                t = f.read().strip()
            return int(t) if t else None
        self.port = wait_for(port, 10, "httpd on %s to listen" % self.dir)
        if self.port is None:
            raise RuntimeError("httpd did not start")
        self.url = "http://127.0.0.1:%d" % self.port
        self.seed = self.url + "/site/"
        return self

    def stats(self, reset=False):
        """{path: requests} since the start (or the last reset)."""
        with urllib.request.urlopen(self.url + "/stats?paths=1" + ("&reset=1" if reset else ""),
                                    timeout=10) as r:
            return json.loads(r.read())["paths"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def start_origins(n, site_pages, *args, page_ms=0):
    """n servers, each with a site of site_pages pages; started together."""
    os_ = [Origin(site_pages, *args, page_ms=page_ms) for _ in range(n)]
    for o in os_:
        o.wait()
    return os_


def expected_pages(origins):
    """Every URL a host-scoped crawl of each origin's /site/ finds (the
    breadth-first walk of crawl_lib), depth unbounded. A site is the same
    bytes on every port (its links carry no host) for one size, so the walk
    is made once per size, on a server of its own without page delays, and
    mapped onto each origin."""
    walks = {}
    out = []
    for o in origins:
        if o.site_pages not in walks:
            w = Origin(o.site_pages).wait()
            try:
                walks[o.site_pages] = (w.url, [u for u, _ in bfs(
                    [w.seed], 1000, lambda u, b=w.url: u.startswith(b + "/"))])
            finally:
                w.stop()
        base, urls = walks[o.site_pages]
        out.extend(o.url + u[len(base):] for u in urls)
    return out


def check_config(text):
    """`crawld --check-config` of a config file holding text: (rc, output)."""
    d = tempfile.mkdtemp(prefix="crawld-cluster-conf.")
    try:
        path = os.path.join(d, "crawld.conf")
        with open(path, "w") as f:
            f.write(text)
        r = subprocess.run([daemon_lib.BIN + "/crawld", "--check-config", "-c", path],
                           capture_output=True, text=True, timeout=30)
        return r.returncode, r.stdout + r.stderr
    finally:
        shutil.rmtree(d, ignore_errors=True)


def cluster_section(db, node_id, lease_ms=None):
    sect = "\n[%s]\n%s = %s\n%s = %s\n" % (CLUSTER_SECTION, KEY_DATABASE, db, KEY_NODE_ID, node_id)
    if lease_ms is not None:
        sect += "%s = %d\n" % (KEY_LEASE_MS, lease_ms)
    return sect


# ---- the nodes ----
class Cluster:
    """Nodes named by ids, one worker each, one database, one output dir.
    conf: more config text for every node (e.g. "[limits]\\npage_timeout_ms = 1000\\n");
    lease_ms: the [cluster] lease (None: the built-in default)."""

    def __init__(self, dbname, ids, conf="", lease_ms=None, workers=1):
        self.db = create_database(dbname)
        self.out = tempfile.mkdtemp(prefix="crawld-cluster-out.")
        self.nodes = {}
        for nid in ids:
            sect = cluster_section(self.db, nid, lease_ms)
            self.nodes[nid] = Daemon("node-" + nid, conf=CRAWL_CONF + conf + sect,
                                     workers=workers, crawl=True, out=self.out)

    def __getitem__(self, nid):
        return self.nodes[nid]

    def start(self):
        for d in self.nodes.values():
            d.start(wait_ready=False)
        for nid, d in self.nodes.items():
            if not wait_for(lambda: d.proc.poll() is None and d.ping(), 15,
                            "node %s's socket" % nid):
                raise RuntimeError("node %s did not start" % nid)
        for nid, d in self.nodes.items():
            wait_for(lambda: d.workers_in("idle") == d.nworkers(), 20,
                     "node %s's workers idle" % nid)
        return self

    # -- crawlctl, as a person would use it --
    def job(self, nid, jid):
        """`crawlctl --json job ID` on node nid: the job object (None when it fails)."""
        rc, out, err = self.nodes[nid].ctl("--json", "job", str(jid), timeout=10)
        if rc != 0:
            return None
        return json.loads(out).get("job")

    def states(self, jid):
        """{node: job state} as each node answers (None where it failed)."""
        out = {}
        for nid in self.nodes:
            try:
                j = self.job(nid, jid)
            except (ValueError, subprocess.TimeoutExpired):
                j = None
            out[nid] = j.get("state") if j else None
        return out

    def all_in(self, jid, state):
        return all(s == state for s in self.states(jid).values())

    def wait_state(self, jid, state, timeout, what, step=0.01, t0=None):
        """Polls every node until each says state; returns the seconds it
        took from t0 (default: now; None on timeout: a failed check)."""
        t0 = time.time() if t0 is None else t0
        ok = wait_for(lambda: self.all_in(jid, state), timeout, what, step=step)
        return time.time() - t0 if ok else None

    def cluster_text(self, nid):
        """`crawlctl status --cluster` on node nid: (rc, stdout, stderr)."""
        return self.nodes[nid].ctl(*STATUS_CLUSTER, timeout=10)

    def cluster_nodes(self, nid):
        """`crawlctl --json status --cluster` on node nid: its node list."""
        rc, out, err = self.nodes[nid].ctl("--json", *STATUS_CLUSTER, timeout=10)
        if rc != 0:
            raise RuntimeError("status --cluster: rc %d %s" % (rc, err.strip()))
        return nodes_of(json.loads(out))

    # -- the shared output --
    def job_dir(self, jid):
        return os.path.join(self.out, str(jid))

    def files(self, jid):
        """{node id: path} of every pages.NODE.jsonl of job jid."""
        try:
            names = os.listdir(self.job_dir(jid))
        except FileNotFoundError:
            return {}
        return {m.group(1): os.path.join(self.job_dir(jid), n)
                for n in names for m in [PAGES_FILE_RE.match(n)] if m}

    def line_count(self, jid):
        """Complete lines over every node's file, now."""
        n = 0
        for p in self.files(jid).values():
            try:
                with open(p, "rb") as f:
                    n += f.read().count(b"\n")
            except FileNotFoundError:
                pass
        return n

    def records(self, jid):
        """{node id: [record, ...]}; checks no file ends in a torn line and
        every line is a JSON object with the record fields."""
        out = {}
        for nid, p in sorted(self.files(jid).items()):
            with open(p, "rb") as f:
                data = f.read()
            check(data == b"" or data.endswith(b"\n"),
                  "%s ends with a whole line (its committed prefix is all of it)" % p)
            recs, bad = [], 0
            for line in data.splitlines():
                if not line.strip():
                    continue
                try:
                    r = json.loads(line)
                except ValueError:
                    bad += 1
                    continue
                if not isinstance(r, dict) or not all(k in r for k in RECORD_FIELDS) \
                        or not any(k in r for k in RECORD_JOB_KEYS):
                    bad += 1
                    continue
                recs.append(r)
            check(bad == 0, "%s: every line a record with %s and %s (%d are not)"
                  % (p, "/".join(RECORD_FIELDS), " or ".join(RECORD_JOB_KEYS), bad))
            out[nid] = recs
        return out

    def check_union(self, jid, expected, what, exact=True):
        """The union of every node's records of job jid is exactly the
        expected URLs (exact=False: some of them), each once. Returns
        {node id: records}."""
        by_node = self.records(jid)
        urls = [r["url"] for recs in by_node.values() for r in recs]
        c = collections.Counter(urls)
        dup = [u for u, n in c.items() if n > 1]
        where = {}
        for nid, recs in by_node.items():
            for r in recs:
                where.setdefault(r["url"], []).append(nid)
        check(not dup, "%s: no URL twice over the nodes' files (%d twice: %s)"
              % (what, len(dup), ", ".join("%s in %s" % (u, where[u]) for u in dup[:5])))
        got, want = set(urls), set(expected)
        if exact:
            check(got == want, "%s: exactly the %d pages of the walk (%d; missing %d %r; "
                  "extra %d %r)" % (what, len(want), len(got), len(want - got),
                                    sorted(want - got)[:5], len(got - want),
                                    sorted(got - want)[:5]))
        else:
            check(got <= want, "%s: only pages of the walk (%d extra: %r)"
                  % (what, len(got - want), sorted(got - want)[:5]))
        wrong_job = [r["url"] for recs in by_node.values() for r in recs
                     if record_job(r) != jid]
        check(not wrong_job, "%s: every record says job %d (%r)" % (what, jid, wrong_job[:3]))
        not_ok = [(r["url"], r["status"]) for recs in by_node.values() for r in recs
                  if r["status"] != 200]
        check(not not_ok, "%s: every page 200 (%r)" % (what, not_ok[:3]))
        print("%s: %d records: %s" % (what, len(urls), ", ".join(
            "%s %d" % (n, len(r)) for n, r in sorted(by_node.items()))))
        return by_node

    def log_lines(self, nid, *words):
        """Lines of node nid's log that contain every word (case-insensitive)."""
        return [l for l in self.nodes[nid].log_text().splitlines()
                if all(w in l.lower() for w in words)]

    def cleanup(self):
        """Stops every node (SIGCONT first: a test may have stopped one)."""
        ok = True
        for nid, d in self.nodes.items():
            if d.proc is not None and d.proc.poll() is None:
                try:
                    os.kill(d.proc.pid, signal.SIGCONT)
                except ProcessLookupError:
                    pass
            try:
                if d.proc is not None:
                    d.stop(timeout=20)
            except Exception as e:  # noqa: BLE001 - cleanup goes on
                print("stopping node %s: %r" % (nid, e), file=sys.stderr)
        for nid, d in self.nodes.items():
            if daemon_lib.failed:
                sys.stderr.write("---- node %s log (%s) ----\n" % (nid, d.log))
                try:
                    sys.stderr.write(d.log_text()[-5000:])
                except OSError:
                    pass
            ok &= d.cleanup()
        if not daemon_lib.failed:
            shutil.rmtree(self.out, ignore_errors=True)
        return ok


def record_job(r):
    for k in RECORD_JOB_KEYS:
        if k in r:
            return r[k]
    return None


def nodes_of(reply):
    """The node list of `crawlctl --json status --cluster`, whether crawlctl
    prints the reply's "cluster" object ({"nodes": [...]}), the whole reply
    or the status object with "cluster" inside."""
    for v in (reply, reply.get(CLUSTER_KEY) if isinstance(reply, dict) else None,
              (reply.get("status") or {}).get(CLUSTER_KEY) if isinstance(reply, dict) else None):
        if isinstance(v, dict) and isinstance(v.get(NODES_KEY), list):
            return v[NODES_KEY]
    raise ValueError("no %s.%s in %r" % (CLUSTER_KEY, NODES_KEY, reply))


def hold_for(pred, seconds, step=0.02):
    """pred() stays true for `seconds` (polled); False at the first time it
    is not. An observation window, not a wait for something to happen."""
    end = time.time() + seconds
    while time.time() < end:
        if not pred():
            return False
        time.sleep(step)
    return bool(pred())


def settle(value, quiet, timeout, what):
    """Polls value() until it has not changed for `quiet` seconds; returns
    the value (None on timeout, a failed check)."""
    last = [value(), time.time()]

    def still():
        v = value()
        if v != last[0]:
            last[0], last[1] = v, time.time()
            return False
        return time.time() - last[1] >= quiet
    return last[0] if wait_for(still, timeout, what) else None


def fetched_twice(origins):
    """Pages of /site/ some origin served more than once (for the report)."""
    out = {}
    for o in origins:
        for p, n in o.stats().items():
            if p.startswith("/site") and n > 1:
                out[o.url + p] = n
    return out


def elapsed_ok(secs, limit, what):
    return check(secs is not None and secs <= limit * SLOW,
                 "%s within %.1f s (took %s)" % (what, limit * SLOW,
                                                 "%.2f s" % secs if secs is not None else "longer"))


def _slow_site(page_ms, argv):
    """httpd.py with every /site/p/ page answered page_ms late (the
    server's own wait, which gives up when the client goes)."""
    sys.path.insert(0, os.path.join(HERE, "..", "server"))
    import httpd  # noqa: E402

    def delayed(fn):
        def ep(self, q, rest):
            if rest and not self.wait_client(page_ms / 1000):
                raise httpd.AbortConnection()
            return fn(self, q, rest)
        return ep
    httpd.PREFIX_ROUTES = tuple((p, delayed(f) if p == "/site/" else f)
                                for p, f in httpd.PREFIX_ROUTES)
    return httpd.main(argv)


if __name__ == "__main__":
    # python3 cluster_lib.py slow-site MS [httpd.py options]
    if len(sys.argv) >= 3 and sys.argv[1] == "slow-site":
        sys.exit(_slow_site(int(sys.argv[2]), sys.argv[3:]))
    sys.exit("usage: cluster_lib.py slow-site MS [httpd.py options]")
