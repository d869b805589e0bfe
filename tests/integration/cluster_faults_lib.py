"""Helpers of the cluster fault tests (cluster_kill9, cluster_politeness,
cluster_db_faults), on top of cluster_lib:

* TimedOrigin: tests/server/httpd.py run through this file, which records
  every request's start and end (time.time(), the clock the test reads
  too), its path and whether it was answered, served as JSON on /reqlog;
  page_ms > 0 answers each /site/p/ page that late (as cluster_lib's
  slow-site does);
* the PostgreSQL server of tests/server/pg.sh restarted (pg_ctl restart -m
  immediate) as its own user, as pg.sh's _pg_as runs it, and the nodes'
  backends terminated;
* the database's view: the hosts a node leases, the pending rows per host,
  each node's committed length of a job, and a job's records read up to
  those lengths (what export must give).

usage (the server): cluster_faults_lib.py timed-site PAGE_MS [httpd.py options]"""
import collections, json, os, pwd, subprocess, sys, threading, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster_lib import Origin, pg_dir, psql, record_job  # noqa: E402
from daemon_lib import check, wait_for  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PG_BIN = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")


# ---- an origin that logs each request's start and end ----
class TimedOrigin(Origin):
    """cluster_lib.Origin (site_pages, url, seed, stats, stop) whose server
    logs every request: reqlog() gives [{start, end, path, port, ok}]."""

    def __init__(self, site_pages, *args, page_ms=0):  # noqa: D107 - Origin's, another front
        import tempfile
        self.site_pages = site_pages
        self.dir = tempfile.mkdtemp(prefix="crawld-timed-origin.")
        self.port_file = os.path.join(self.dir, "port")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "timed-site", str(page_ms),
             "--port", "0", "--port-file", self.port_file, "--site-pages", str(site_pages)]
            + [str(a) for a in args],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.dir, "stderr"), "wb"))
        self.port = None

    def reqlog(self):
        with urllib.request.urlopen(self.url + "/reqlog", timeout=10) as r:
            return [dict(zip(("start", "end", "path", "port", "ok"), e))
                    for e in json.loads(r.read())]

    def host(self):
        """The origin as crawld names a host (scheme://host:port)."""
        return self.url


def start_timed_origins(n, site_pages, *args, page_ms=0):
    os_ = [TimedOrigin(site_pages, *args, page_ms=page_ms) for _ in range(n)]
    for o in os_:
        o.wait()
    return os_


def _timed_site(page_ms, argv):
    sys.path.insert(0, os.path.join(HERE, "..", "server"))
    import httpd  # noqa: E402
    from urllib.parse import urlsplit
    log, lock = [], threading.Lock()
    dispatch = httpd.Handler.dispatch

    def timed(self):
        path = urlsplit(self.path).path or "/"
        if path == "/reqlog":
            with lock:
                body = json.dumps(log)
            return self.respond(200, body + "\n", ctype="application/json")
        if path in httpd.CONTROL_PATHS or self.command in ("PUT", "DELETE"):
            return dispatch(self)
        t0, ok = time.time(), False
        try:
            dispatch(self)
            ok = True
        finally:
            with lock:
                log.append([t0, time.time(), path, self.client_address[1], ok])
    httpd.Handler.dispatch = timed
    if page_ms:
        def delayed(fn):
            def ep(self, q, rest):
                if rest and not self.wait_client(page_ms / 1000):
                    raise httpd.AbortConnection()
                return fn(self, q, rest)
            return ep
        httpd.PREFIX_ROUTES = tuple((p, delayed(f) if p == "/site/" else f)
                                    for p, f in httpd.PREFIX_ROUTES)
    return httpd.main(argv)


# ---- the PostgreSQL server of pg.sh ----
def pg_user():
    """The user pg.sh runs the server as: this one, or as root "postgres"
    (else "nobody")."""
    if os.getuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        return pwd.getpwnam("nobody")


def pg_as(cmd):
    """cmd as the server's user (pg.sh's _pg_as: setpriv when root)."""
    u = pg_user()
    if u is None:
        return cmd
    return ["setpriv", "--reuid=%d" % u.pw_uid, "--regid=%d" % u.pw_gid, "--clear-groups",
            "--"] + cmd


def pg_restart_immediate(timeout=60):
    """pg_ctl restart -m immediate (a crash and a restart: every session
    gone, crash recovery, then up again); (rc, seconds it took)."""
    d = pg_dir()
    t0 = time.time()
    r = subprocess.run(pg_as([os.path.join(PG_BIN, "pg_ctl"), "-D", os.path.join(d, "data"),
                              "-l", os.environ.get("PG_LOG", os.path.join(d, "server.log")),
                              "-m", "immediate", "-w", "-t", "30", "restart"]),
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, timeout=timeout)
    if r.returncode != 0:
        sys.stderr.write("pg_ctl restart: rc %d %s\n" % (r.returncode, r.stderr.strip()))
    return r.returncode, time.time() - t0


def pg_terminate(dbname):
    """Terminates every session on dbname (the nodes'); how many."""
    out = psql("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
               "WHERE datname = '%s' AND pid <> pg_backend_pid()) t" % dbname)
    return int(out.strip() or 0)


def sessions(dbname):
    return int(psql("SELECT count(*) FROM pg_stat_activity WHERE datname = '%s'" % dbname)
               .strip() or 0)


# ---- the database's view ----
def held_hosts(dbname, node):
    """{host: lease_until (unix s)} of the leases node holds now."""
    out = psql("SELECT h.host, extract(epoch FROM h.lease_until) FROM hosts h JOIN nodes n "
               "ON n.id = h.owner WHERE n.name = '%s' AND h.lease_until > clock_timestamp()"
               % node, db=dbname)
    res = {}
    for line in out.splitlines():
        if "|" in line:
            h, until = line.rsplit("|", 1)
            res[h] = float(until)
    return res


def host_owners(dbname, hosts):
    """{host: (owner node name or None, epoch, lease_until unix s or None)}."""
    if not hosts:
        return {}
    out = psql("SELECT h.host, coalesce(n.name, ''), h.epoch, coalesce(extract(epoch FROM "
               "h.lease_until), 0) FROM hosts h LEFT JOIN nodes n ON n.id = h.owner "
               "WHERE h.host IN (%s)" % ", ".join("'%s'" % h for h in hosts), db=dbname)
    res = {}
    for line in out.splitlines():
        f = line.split("|")
        if len(f) == 4:
            res[f[0]] = (f[1] or None, int(f[2]), float(f[3]) or None)
    return res


def pending_by_host(dbname, jid):
    out = psql("SELECT host, count(*) FROM frontier WHERE job_id = %d AND state = 0 GROUP BY host"
               % jid, db=dbname)
    return {h: int(n) for h, n in (l.rsplit("|", 1) for l in out.splitlines() if "|" in l)}


def committed_lengths(dbname, jid):
    """{node: committed length of its pages file} of job jid."""
    out = psql("SELECT node, committed FROM job_offsets WHERE job_id = %d" % jid, db=dbname)
    return {n: int(c) for n, c in (l.rsplit("|", 1) for l in out.splitlines() if "|" in l)}


def committed_records(cl, dbname, jid):
    """{node: [line bytes]}: each node's pages file up to its committed
    length (what export must stream), and {node: bytes past it}."""
    lengths = committed_lengths(dbname, jid)
    lines, tail = {}, {}
    for nid, path in cl.files(jid).items():
        with open(path, "rb") as f:
            data = f.read()
        n = lengths.get(nid, 0)
        lines[nid] = data[:n].splitlines(keepends=True)
        tail[nid] = len(data) - n
    for nid in lengths:
        if nid not in lines:
            lines[nid], tail[nid] = [], -lengths[nid]
    return lines, tail


def check_lines_union(lines_by_node, expected, jid, what):
    """The records of lines_by_node ({node: [line bytes]}) are exactly the
    expected URLs, each once, each of job jid with status 200; returns the
    {node: records}."""
    by_node, bad = {}, 0
    for nid, lines in sorted(lines_by_node.items()):
        recs = []
        for l in lines:
            try:
                r = json.loads(l)
                recs.append(r)
            except ValueError:
                bad += 1
        by_node[nid] = recs
    check(bad == 0, "%s: every committed line is a JSON record (%d are not)" % (what, bad))
    urls = [r.get("url") for recs in by_node.values() for r in recs]
    c = collections.Counter(urls)
    dup = sorted(u for u, n in c.items() if n > 1)
    where = collections.defaultdict(list)
    for nid, recs in by_node.items():
        for r in recs:
            where[r.get("url")].append(nid)
    check(not dup, "%s: no URL twice over the nodes (%d twice: %s)"
          % (what, len(dup), ", ".join("%s in %s" % (u, where[u]) for u in dup[:5])))
    got, want = set(urls), set(expected)
    check(got == want, "%s: exactly the %d pages of the walk (%d; missing %d %r; extra %d %r)"
          % (what, len(want), len(got), len(want - got), sorted(want - got)[:5],
             len(got - want), sorted(got - want)[:5]))
    wrong = [r.get("url") for recs in by_node.values() for r in recs if record_job(r) != jid]
    check(not wrong, "%s: every record says job %d (%r)" % (what, jid, wrong[:3]))
    not_ok = [(r.get("url"), r.get("status")) for recs in by_node.values() for r in recs
              if r.get("status") != 200]
    check(not not_ok, "%s: every page 200 (%r)" % (what, not_ok[:3]))
    print("%s: %d records: %s" % (what, len(urls), ", ".join(
        "%s %d" % (n, len(r)) for n, r in sorted(by_node.items()))))
    return by_node


def site_refetches(origins):
    """Requests of /site pages past the first of each: (count, {url: n})."""
    extra, twice = 0, {}
    for o in origins:
        for p, n in o.stats().items():
            if p.startswith("/site") and n > 1:
                extra += n - 1
                twice[o.url + p] = n
    return extra, twice


def no_process_left(pids, timeout=10):
    """Every pid is gone (zombies of ours reaped by Popen.wait count as gone)."""
    from daemon_lib import alive
    return wait_for(lambda: not any(alive(p) for p in pids), timeout,
                    "processes %r to be gone" % sorted(pids)) is not None


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "timed-site":
        sys.exit(_timed_site(int(sys.argv[2]), sys.argv[3:]))
    sys.exit("usage: cluster_faults_lib.py timed-site PAGE_MS [httpd.py options]")
