#!/usr/bin/env python3
"""cluster — one crawl of one generated site by crawld on SQLite (one node,
as shipped) and by 1, 2 and 3 crawld nodes sharing a frontier on
PostgreSQL, one worker each, all on this machine, in one run (bench/cluster.sh
starts the PostgreSQL server and calls this).

The site: bench/netserver.py, ORIGINS loopback origins (each a host of its
own) answering after LATENCY ms, PAGES pages whose links go mostly to other
origins, HTTPS on a fifth of them (a CA made at run time). Every run crawls
the same pages with the same job (no JS, depth 1000, the site's origins in
scope, delay_ms 0, per_host_concurrency 2): the same work.

Per run: pages recorded, seconds from submit to done on every node, pages/s
and its ratio to the SQLite run; CPU ms per page of the crawld trees (every
node's crawld and workers) and of the PostgreSQL server (the postmaster and
its children: backends, checkpointer, WAL writer); each node's share of the
pages; and every page exactly once (checked: a run that doubles or loses a
page fails the benchmark).

usage: bench/cluster.py BUILD_DIR PG_SPEC_PREFIX PG_DIR
  env: PAGES (3000) ORIGINS (12) LATENCY (20) NODES ("1 2 3") RESULTS"""
import json, os, resource, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, HERE)

BUILD = os.path.abspath(sys.argv[1])
PG_DIR = sys.argv[2]
PG_BIN = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")
PAGES = int(os.environ.get("PAGES", "3000"))
ORIGINS = int(os.environ.get("ORIGINS", "12"))
LATENCY = os.environ.get("LATENCY", "20")
NODES = [int(x) for x in os.environ.get("NODES", "1 2 3").split()]
RESULTS = os.environ.get("RESULTS", os.path.join(ROOT, "bench", "results"))
TIMEOUT = float(os.environ.get("TIMEOUT", "600"))

os.environ["CRAWLD_BIN"] = BUILD
os.environ.setdefault("CRAWLD_TEST_LOG_LEVEL", "warn")
from daemon_lib import Daemon  # noqa: E402  (the tests' scratch-config daemon)

CLK = os.sysconf("SC_CLK_TCK")


def stat_fields(pid):
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()


def pg_cpu_s():
    """The PostgreSQL server's CPU so far: the postmaster's own and its
    reaped children's (cutime, cstime), and its live children's."""
    with open(os.path.join(PG_DIR, "data", "postmaster.pid")) as f:
        pm = int(f.readline())
    w = stat_fields(pm)
    t = int(w[11]) + int(w[12]) + int(w[13]) + int(w[14])
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            c = stat_fields(int(d))
        except OSError:
            continue
        if int(c[1]) == pm:
            t += int(c[11]) + int(c[12])
    return t / CLK


def createdb(name):
    subprocess.run([PG_BIN + "/createdb", "-h", PG_DIR, "-U", "crawld", name], check=True)
    return "postgresql://crawld@/%s?host=%s" % (name, PG_DIR)


def start_site(tmp):
    info = os.path.join(tmp, "site.json")
    cmd = [sys.executable, os.path.join(HERE, "netserver.py"), "--origins", str(ORIGINS),
           "--pages", str(PAGES), "--latency-ms", LATENCY, "--https-share", "0.2",
           "--tls-dir", os.path.join(tmp, "tls"), "--info", info, "--procs", "1"]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "site.log"), "a"),
                         stdin=subprocess.DEVNULL)
    end = time.time() + 60
    while not os.path.exists(info):
        if p.poll() is not None or time.time() > end:
            raise SystemExit("cluster: netserver did not start")
        time.sleep(0.05)
    with open(info) as f:
        return p, json.load(f)


def run(name, nnodes, db, site, tmp):
    out = os.path.join(tmp, name + "-out")
    os.makedirs(out)
    conf = ("[politeness]\ndelay_ms = 0\nper_host_concurrency = 2\n"
            "[network]\nca_file = %s\n" % site["ca"])
    nodes = []
    for k in range(nnodes):
        c = conf
        if db:
            c += "[cluster]\ndatabase = %s\nnode_id = n%d\n" % (db, k)
        d = Daemon("bench-%s-%d" % (name, k), conf=c, workers=1, crawl=True)
        # the nodes share one output directory (export reads it)
        with open(d.conf) as f:
            text = f.read()
        with open(d.conf, "w") as f:
            f.write(text.replace("output_dir = %s\n" % d.out, "output_dir = %s\n" % out))
        nodes.append(d)
    for d in nodes:
        d.start()
    pg0 = pg_cpu_s() if db else 0.0
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    opts = ["--no-js", "--depth", "1000", "--max-pages", str(PAGES + 1000), "--scope",
            "regex:^https?://127\\.0\\.[0-9]+\\.[0-9]+:[0-9]+/"]
    t0 = time.time()
    rc, jid, err = nodes[0].ctl("submit", *opts, site["seed"])
    jid = jid.strip()
    if rc != 0:
        raise SystemExit("cluster: submit failed: " + err)
    for d in nodes:
        left = TIMEOUT - (time.time() - t0)
        r = subprocess.run([BUILD + "/crawlctl", "-s", d.sock, "wait", jid, "--timeout",
                            str(max(1, int(left)))], capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit("cluster: %s: job %s did not end as done (%s)" % (name, jid, r.stdout))
    t1 = time.time()
    per_node, urls = [], []
    for f in sorted(os.listdir(os.path.join(out, jid))):
        if not f.startswith("pages"):
            continue
        with open(os.path.join(out, jid, f)) as fh:
            u = [json.loads(l)["url"] for l in fh if l.strip()]
        per_node.append((f, len(u)))
        urls += u
    for d in nodes:
        d.stop()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if db:  # the nodes' backends gone and reaped: their CPU is the postmaster's cutime
        dbname = db.split("/")[-1].split("?")[0]
        end = time.time() + 10
        while time.time() < end and subprocess.run(
                [PG_BIN + "/psql", "-h", PG_DIR, "-U", "crawld", "-d", "postgres", "-Atqc",
                 "SELECT count(*) FROM pg_stat_activity WHERE datname='%s'" % dbname],
                capture_output=True, text=True).stdout.strip() not in ("0", ""):
            time.sleep(0.05)
        time.sleep(0.3)
    pg1 = pg_cpu_s() if db else 0.0
    for d in nodes:
        d.cleanup()
    n = len(urls)
    if n != len(set(urls)):
        raise SystemExit("cluster: %s: %d records, %d URLs: a page twice" % (name, n, len(set(urls))))
    crawld_cpu = ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime
    return {"name": name, "nodes": nnodes, "pages": n, "seconds": t1 - t0,
            "rate": n / (t1 - t0), "crawld_ms_page": 1000 * crawld_cpu / max(n, 1),
            "db_ms_page": 1000 * (pg1 - pg0) / max(n, 1) if db else None, "db_cpu_s": pg1 - pg0,
            "per_node": per_node}


def main():
    os.makedirs(RESULTS, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="crawld-cluster-bench.")
    site_p, site = start_site(tmp)
    runs = []
    try:
        runs.append(run("sqlite", 1, None, site, tmp))
        for k in NODES:
            name = "pg%d" % k if "pg%d" % k not in [r["name"] for r in runs] else "pg%d_%d" % (k, len(runs))
            runs.append(run(name, k, createdb("bench_" + name), site, tmp))
    finally:
        site_p.terminate()
        site_p.wait()
    base = runs[0]
    lines = ["# crawld cluster benchmark (%s)" % time.strftime("%Y-%m-%d %H:%M:%S"),
             "site: bench/netserver.py --origins %d --pages %d --latency-ms %s --https-share 0.2;"
             " job: crawlctl submit --no-js --depth 1000 --scope regex:(the origins); "
             "[politeness] delay_ms 0, per_host_concurrency 2; one worker a node; %d cores"
             % (ORIGINS, PAGES, LATENCY, os.cpu_count()),
             "",
             "| run | nodes | pages | seconds | pages/s | vs SQLite | crawld CPU ms/page | "
             "DB CPU ms/page | pages per node |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in runs:
        lines.append("| %s | %d | %d | %.1f | %.1f | %.2fx | %.2f | %s | %s |" % (
            r["name"], r["nodes"], r["pages"], r["seconds"], r["rate"], r["rate"] / base["rate"],
            r["crawld_ms_page"], "%.2f" % r["db_ms_page"] if r["db_ms_page"] is not None else "-",
            " ".join("%d" % c for _, c in r["per_node"])))
    text = "\n".join(lines) + "\n"
    print(text)
    with open(os.path.join(RESULTS, "cluster.md"), "w") as f:
        f.write(text)
    with open(os.path.join(RESULTS, "cluster.json"), "w") as f:
        json.dump(runs, f, indent=1)


if __name__ == "__main__":
    main()
