#!/usr/bin/env python3
"""netbench — crawld, Scrapy and wget2 against many origins that answer
late (bench/netserver.py), the benchmark of issue 18 (many pages in flight
per worker). bench/netbench.sh installs what is missing and runs this.

  netbench.py --bin BUILD_DIR --tmp DIR --out-json FILE --out-md FILE
              [--latencies "0 50 200"] [--origins 100] [--pages 1000]
              [--https-share 0.2] [--bandwidth 0] [--keepalive-off-ms 50]
              [--procs 1] [--timeout 300] [--only crawld,scrapy,wget2,ceiling]

For each latency (keep-alive on), and once with keep-alive off at
--keepalive-off-ms (none when negative), a fresh netserver with that
setting, then one after the other:

  ceiling  curl --parallel with as many connections as origins fetching
           every page once: what the server sustains on this machine, so a
           limit of the harness is not read as a crawler's;
  crawld   the shipped config except delay_ms = 0, per_host_concurrency = 1,
           allow_private = true and ca_file = the run's CA; --no-js, scope
           the test origins (regex), depth 1000;
  scrapy   bench/peers/scrapy_spider.py at Scrapy's defaults (16 requests
           in flight, 8 per host), the offsite filter opened to every host
           and ROBOTSTXT_OBEY on (every crawler fetches the 100 robots.txt);
           Scrapy does not verify certificates;
  wget2    -r --level=inf --span-hosts --domains=<the origins' addresses>
           --ca-certificate=CA, its defaults otherwise (5 threads).

Each crawler's whole process tree is sampled every 100 ms (CPU, RSS summed).
Pages found: distinct /p/K.html answered 200 as HTML. The politeness limit
is ORIGINS x 1000 / LATENCY pages/s (one request per origin at a time); the
CPU limit 1000 / (CPU ms per page) x cores."""
import argparse, datetime, json, os, re, resource, signal, subprocess, sys, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import bench_peers  # noqa: E402  (TreeSampler, run_tree)

PAGE_RE = re.compile(r"/p/(\d+)\.html$")
CRAWLERS = ("crawld", "scrapy", "wget2")


def page_ids(urls):
    out = set()
    for u in urls:
        m = PAGE_RE.search(u.split("?", 1)[0])
        if m:
            out.add(int(m.group(1)))
    return out


def proc_cpu_s(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            w = f.read().rsplit(")", 1)[1].split()
        return (int(w[11]) + int(w[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


class Server:
    """One netserver for one setting."""

    def __init__(self, a, latency, keepalive):
        self.info_path = os.path.join(a.tmp, "netserver-%s-%s.json" % (latency, keepalive))
        cmd = [sys.executable, os.path.join(HERE, "netserver.py"), "--origins", str(a.origins),
               "--pages", str(a.pages), "--latency-ms", str(latency), "--bandwidth",
               str(a.bandwidth), "--keepalive", keepalive, "--https-share", str(a.https_share),
               "--procs", str(a.procs), "--tls-dir", os.path.join(a.tmp, "tls"),
               "--info", self.info_path]
        self.cmd = " ".join(cmd[1:]).replace(HERE, "bench").replace(a.tmp, "$TMP")
        self.log = open(os.path.join(a.tmp, "netserver.log"), "a")
        self.p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.log,
                                  stdin=subprocess.DEVNULL)
        end = time.time() + 60
        while not os.path.exists(self.info_path):
            if self.p.poll() is not None or time.time() > end:
                raise SystemExit("netbench: netserver did not start (log: %s)" % self.log.name)
            time.sleep(0.05)
        with open(self.info_path) as f:
            self.info = json.load(f)
        # /__stats from an HTTP origin (origin 0 is one unless every origin is HTTPS).
        self.stats_url = next((o for o in self.info["origins"] if o.startswith("http:")), None)

    def pids(self):
        return [self.p.pid] + [q for q in bench_peers.bench_js.descendants(self.p.pid)
                               if q != self.p.pid]

    def cpu_s(self):
        return sum(proc_cpu_s(q) for q in self.pids())

    def stats(self):
        if not self.stats_url:
            return {}
        try:
            with urllib.request.urlopen(self.stats_url + "/__stats", timeout=10) as r:
                return json.load(r)
        except OSError:
            return {}

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.log.close()


def ceiling(a, srv, work):
    """curl --parallel over every page, as many connections as origins."""
    info = srv.info
    n = len(info["origins"])
    cfg = os.path.join(work, "urls.cfg")
    with open(cfg, "w") as f:
        for k in range(info["pages"]):
            f.write('url = "%s/p/%d.html"\noutput = "/dev/null"\n' % (info["origins"][k % n], k))
    argv = ["curl", "-s", "-Z", "--parallel-max", str(min(n, 300)), "-w", "%{http_code}\\n",
            "-K", cfg]
    if info.get("ca"):
        argv[1:1] = ["--cacert", info["ca"]]
    t0 = time.time()
    r = subprocess.run(argv, capture_output=True, text=True, timeout=a.timeout)
    secs = time.time() - t0
    ok = sum(1 for l in r.stdout.split() if l == "200")
    return {"pages": ok, "seconds": secs, "rate": ok / secs if secs > 0 else 0,
            "exit": r.returncode,
            "cmd": "curl -s -Z --parallel-max %d [--cacert CA] -w '%%{http_code}\\n' -K URLS "
                   "(URLS: the %d pages, origin by origin in turn)" % (min(n, 300), info["pages"])}


def scope_regex(info):
    return "^https?://127\\.0\\.[0-9]+\\.[0-9]+:[0-9]+/"


def run_crawld(a, srv, work):
    os.environ["CRAWLD_BIN"] = a.bin
    os.environ.setdefault("CRAWLD_TEST_LOG_LEVEL", "warn")
    sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
    from daemon_lib import Daemon  # the integration tests' scratch-config daemon
    conf = "[politeness]\ndelay_ms = 0\nper_host_concurrency = 1\n"
    if a.crawld_conf:  # CRAWLD_CONF: more keys, "[section] key = value; ..."
        conf += "".join(x.strip().replace("] ", "]\n") + "\n" for x in a.crawld_conf.split(";"))
    if srv.info.get("ca"):
        conf += "[network]\nca_file = %s\n" % srv.info["ca"]
    # workers=None: the shipped default (2); allow_private = true appended.
    d = Daemon("netbench", conf=conf, workers=None, crawl=True)
    opts = ["--no-js", "--depth", "1000", "--max-pages", str(a.pages + 1000),
            "--scope", "regex:" + scope_regex(srv.info)]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    try:
        d.start()
        s = bench_peers.TreeSampler(d.proc.pid, t0)
        s.start()
        rc, out, err = d.ctl("submit", *opts, srv.info["seed"])
        jid = out.strip()
        r = subprocess.run([a.bin + "/crawlctl", "-s", d.sock, "wait", jid, "--timeout",
                            str(int(a.timeout))], capture_output=True, text=True)
        t1 = time.time()
        rc = r.returncode
        if rc != 0:
            d.ctl("cancel", jid)
        samples = s.stop()
        cpu = s.cpu_seconds()
        cpu_sup = s.cpu.get(d.proc.pid)
        urls, errors, fetch_ms, parse_ms, spans = [], {}, [], [], []
        with open(os.path.join(d.out, jid, "pages.jsonl")) as f:
            for line in f:
                if not line.strip():
                    continue
                rec = json.loads(line)
                if rec.get("error"):
                    w = rec["error"].split(":", 1)[0]
                    errors[w] = errors.get(w, 0) + 1
                if (rec.get("content_type") or "").split(";")[0] == "text/html" and \
                        200 <= (rec.get("status") or 0) < 300:
                    urls.append(rec.get("final_url") or rec["url"])
                    fetch_ms.append(rec.get("fetch_ms") or 0)
                    parse_ms.append(rec.get("parse_ms") or 0)
                if rec.get("ts") and rec.get("fetch_ms") is not None:
                    spans.append(page_span(rec))
        d.stop()
        # crawld reaped its workers and we reaped crawld (and the crawlctl
        # calls): the whole tree's CPU, start to stop, the last 100 ms the
        # sampler misses included.
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = max(cpu, ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime)
    finally:
        d.cleanup()
    cmd = ("crawld -c CONF (shipped config; delay_ms = 0, per_host_concurrency = 1, "
           "allow_private = true, ca_file = CA); crawlctl submit %s SEED; crawlctl wait ID"
           % " ".join(opts))
    mean = lambda v: sum(v) / len(v) if v else None  # noqa: E731
    return {"t0": t0, "t1": t1, "exit": rc, "samples": samples, "cpu_s": cpu,
            "cpu_supervisor_s": cpu_sup, "urls": urls, "errors": errors, "cmd": cmd,
            "fetch_ms": mean(fetch_ms), "parse_ms": mean(parse_ms),
            "gap": where_time_goes(spans, t0, t1)}


def page_span(rec):
    """(origin, start, end) of a page in wall-clock seconds: end is the
    record's ts (the worker stamps it when it builds the result), start that
    less the page's fetch, parse and script times."""
    end = datetime.datetime.strptime(rec["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    took = ((rec.get("fetch_ms") or 0) + (rec.get("parse_ms") or 0) + (rec.get("js_ms") or 0)) / 1000
    u = rec.get("url") or ""
    return (u.split("/")[2] if u.count("/") >= 2 else u, end - took, end, u, rec.get("parent"))


def where_time_goes(spans, t0, t1):
    """Where a politeness-bound crawl's time goes, origin by origin (one
    request per origin at a time, so an origin's time is its pages' fetches
    and the hand-offs between them): before its first page starts (the
    crawl finding it: ramp-up), its pages' own time (fetch + parse), the
    hand-offs (a page's result built to the origin's next page started:
    the worker sends it, crawld commits and dispatches, the worker starts
    the transfer), and after its last page until the crawl ends (tail).
    Means over origins, in seconds."""
    by, ended = {}, {}
    for o, a, b, u, parent in spans:
        by.setdefault(o, []).append((a, b, parent))
        ended[u] = b
    if not by:
        return None
    ramp = busy = hand = unknown = tail = 0.0
    hands = []
    for pages in by.values():
        pages.sort(key=lambda x: x[0])
        ramp += max(0.0, pages[0][0] - t0)
        tail += max(0.0, t1 - pages[-1][1])
        busy += sum(b - a for a, b, _ in pages)
        for (a, b, _), (na, _, parent) in zip(pages, pages[1:]):
            # the next page was known when its parent's record was built:
            # the wait before that is the site's (nothing to fetch yet), the
            # rest the hand-off's
            known = max(b, ended.get(parent, b) if parent else b)
            h = max(0.0, na - known)
            hands.append(h)
            hand += h
            unknown += max(0.0, min(na, known) - b)
    n = len(by)
    hands.sort()
    pct = lambda q: hands[min(len(hands) - 1, int(q * len(hands)))] * 1000 if hands else None  # noqa: E731
    return {"origins": n, "wall_s": t1 - t0, "ramp_s": ramp / n, "pages_s": busy / n,
            "handoff_s": hand / n, "unknown_s": unknown / n, "tail_s": tail / n,
            "handoff_ms_p50": pct(0.5), "handoff_ms_p90": pct(0.9), "handoff_ms_p99": pct(0.99)}


SPIDER = '''"""netbench's Scrapy peer: bench/peers/scrapy_spider.py with the offsite
filter open to every host (the site spans many loopback addresses)."""
import sys
sys.path.insert(0, %r)
import scrapy_spider as base


class NetSpider(base.PeerSpider):
    name = "netpeer"

    def __init__(self, **kw):
        super().__init__(**kw)
        self.allowed_domains = None
'''


def run_peer(a, srv, name, work):
    info = srv.info
    if name == "scrapy":
        spider = os.path.join(work, "net_spider.py")
        with open(spider, "w") as f:
            f.write(SPIDER % os.path.join(HERE, "peers"))
        out = os.path.join(work, "found.txt")
        argv = ["scrapy", "runspider", spider, "-a", "seed=" + info["seed"], "-a", "out=" + out,
                "-s", "CLOSESPIDER_PAGECOUNT=%d" % (a.pages + 1000), "-s", "ROBOTSTXT_OBEY=True"]
    else:
        out = os.path.join(work, "out")
        hosts = sorted({o.split("://", 1)[1].rsplit(":", 1)[0] for o in info["origins"]})
        argv = ["wget2", "--recursive", "--level=inf", "-q", "-nH", "-P", out, "--span-hosts",
                "--domains=" + ",".join(hosts)]
        if info.get("ca"):
            argv.append("--ca-certificate=" + info["ca"])
        argv.append(info["seed"])
    t0, t1, rc, samples, cpu = bench_peers.run_tree(argv, a.timeout, cwd=work,
                                                    log=os.path.join(work, "log.txt"))
    if name == "scrapy":
        urls = list(bench_peers.read_found(out))
    else:
        if rc == 8:  # wget2: some URL answered an error; not a failure here
            rc = 0
        urls = []
        for dp, _, files in os.walk(out):
            for fn in files:
                if fn.endswith(".html"):
                    urls.append("/" + os.path.relpath(os.path.join(dp, fn), out))
    cmd = " ".join(argv).replace(work, "$RUN").replace(HERE, "bench").replace(
        info["seed"], "SEED").replace(info.get("ca") or "\0", "CA")
    if name == "wget2":
        cmd = re.sub(r"--domains=\S+", "--domains=<the %d origin addresses>" % len(hosts), cmd)
    return {"t0": t0, "t1": t1, "exit": rc, "samples": samples, "cpu_s": cpu, "urls": urls,
            "cmd": cmd}


def measure(a, srv, name, latency, keepalive):
    work = os.path.join(a.tmp, "%s-%s-%s" % (name, latency, keepalive))
    os.makedirs(work, exist_ok=True)
    before, scpu0, load = srv.stats(), srv.cpu_s(), os.getloadavg()[0]
    if name == "ceiling":
        r = ceiling(a, srv, work)
        res = dict(r)
    else:
        r = run_crawld(a, srv, work) if name == "crawld" else run_peer(a, srv, name, work)
        ids = page_ids(r["urls"])
        secs = r["t1"] - r["t0"]
        res = {"pages": len(ids), "seconds": secs, "rate": len(ids) / secs if secs > 0 else 0,
               "exit": r["exit"], "cpu_s": r["cpu_s"],
               "cpu_ms_per_page": r["cpu_s"] * 1000 / len(ids) if ids else None,
               "peak_rss_kb": max((s[1] for s in r["samples"]), default=0), "cmd": r["cmd"],
               "ids": sorted(ids)}
        for k in ("errors", "cpu_supervisor_s", "fetch_ms", "parse_ms", "gap"):
            if k in r:
                res[k] = r[k]
    after, scpu1 = srv.stats(), srv.cpu_s()
    res.update({"crawler": name, "latency_ms": latency, "keepalive": keepalive,
                "load1_before": load, "server_cpu_s": scpu1 - scpu0,
                "served": {k: after.get(k, 0) - before.get(k, 0) for k in after}})
    print("netbench: %-7s %4s ms keep-alive %-3s: %4d pages in %6.2f s = %7.1f pages/s%s"
          % (name, latency, keepalive, res["pages"], res["seconds"], res["rate"],
             "" if name == "ceiling" else ", %.2f CPU ms/page, peak RSS %.1f MB, exit %s"
             % (res["cpu_ms_per_page"] or 0, res["peak_rss_kb"] / 1024, res["exit"])),
          flush=True)
    return res


def fmt(v, f="%.1f"):
    return "—" if v is None else f % v


def table(a, results, meta):
    cores = os.cpu_count() or 1
    lines = ["# netbench: crawld, Scrapy and wget2 over %d origins that answer late" % a.origins,
             "",
             "%s, commit %s, %s; %d cores (%s), load %s at the start, %s at the end."
             % (meta["date"], meta["commit"], meta["host"], cores, meta["cpu"],
                meta["load_start"], " ".join("%.2f" % x for x in os.getloadavg())),
             "%d pages (%d B of HTML each on average, %d links) over %d origins, %d of them "
             "HTTPS; bandwidth cap %s; netserver processes %d."
             % (a.pages, meta["page_bytes"], meta["links"], a.origins, meta["https_origins"],
                "%d B/s per connection" % a.bandwidth if a.bandwidth else "none", a.procs),
             "Command: `%s`" % meta["command"], "",
             "| latency | keep-alive | crawler | pages found | s | pages/s | CPU ms/page | "
             "peak RSS MB | requests served | connections | of politeness limit | of CPU limit | "
             "harness ceiling pages/s |",
             "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    notes = []
    for (lat, ka), rows in results:
        ceil = next((r for r in rows if r["crawler"] == "ceiling"), None)
        ceil_txt = fmt(ceil["rate"]) if ceil else "—"
        polite = a.origins * 1000.0 / lat if lat > 0 else None
        found = {r["crawler"]: set(r["ids"]) for r in rows if r["crawler"] != "ceiling"}
        sets = list(found.values())
        if sets and any(s != sets[0] for s in sets):
            notes.append("At %s ms, keep-alive %s the crawlers did not find the same pages: %s."
                         % (lat, ka, ", ".join("%s %d" % (k, len(v)) for k, v in found.items())))
        for r in rows:
            if r["crawler"] == "ceiling":
                continue
            cpu_lim = 1000.0 / r["cpu_ms_per_page"] * cores if r["cpu_ms_per_page"] else None
            lines.append("| %s ms | %s | %s | %d | %.1f | %.1f | %s | %.1f | %d | %d | %s | %s | %s |" % (
                fmt(lat, "%g"), ka, r["crawler"], r["pages"], r["seconds"], r["rate"],
                fmt(r["cpu_ms_per_page"], "%.2f"), r["peak_rss_kb"] / 1024,
                r["served"].get("requests", 0), r["served"].get("connections", 0),
                "%.1f %% of %.0f" % (100 * r["rate"] / polite, polite) if polite else "— (no limit)",
                "%.1f %% of %.0f" % (100 * r["rate"] / cpu_lim, cpu_lim) if cpu_lim else "—",
                ceil_txt))
            if r["exit"] not in (0, None):
                notes.append("%s at %s ms, keep-alive %s: exit %s." % (r["crawler"], lat, ka, r["exit"]))
            if r.get("fetch_ms") is not None:
                notes.append("crawld at %s ms, keep-alive %s: a page's record says fetch_ms "
                             "%.1f, parse_ms %.2f on average; CPU %.2f s, of it crawld itself "
                             "%.2f s (the rest: its workers)."
                             % (lat, ka, r["fetch_ms"], r["parse_ms"], r["cpu_s"],
                                r.get("cpu_supervisor_s") or 0))
            g = r.get("gap")
            if g:
                notes.append("crawld at %s ms, keep-alive %s, where an origin's %.2f s went (mean "
                             "of %d origins): ramp-up until its first page %.2f s, its pages "
                             "(fetch + parse) %.2f s, waiting between its pages for the next to "
                             "be found (its parent's record) %.2f s, hand-offs once it was "
                             "found (result, commit, dispatch, transfer start) %.2f s (each: "
                             "median %s ms, p90 %s, p99 %s), after its last page %.2f s."
                             % (lat, ka, g["wall_s"], g["origins"], g["ramp_s"], g["pages_s"],
                                g.get("unknown_s", 0), g["handoff_s"], fmt(g["handoff_ms_p50"]),
                                fmt(g["handoff_ms_p90"]), fmt(g["handoff_ms_p99"]), g["tail_s"]))
            if r.get("errors"):
                notes.append("crawld at %s ms, keep-alive %s: error records %s."
                             % (lat, ka, r["errors"]))
        if ceil:
            notes.append("Ceiling at %s ms, keep-alive %s: %d pages in %.2f s (%s); netserver "
                         "CPU %.2f ms a page." % (lat, ka, ceil["pages"], ceil["seconds"], ceil["cmd"],
                                                   ceil["server_cpu_s"] * 1000 / max(ceil["pages"], 1)))
    lines += ["", "Pages found: distinct /p/K.html answered 200 as HTML (the site has %d). "
              "Requests served: every request the server answered during the run (pages, "
              "robots.txt, 404s); connections: the TCP connections it accepted. Politeness limit: origins x 1000 / latency pages/s (one "
              "request per origin at a time); CPU limit: 1000 / (CPU ms per page) x %d cores; "
              "CPU and RSS of the crawler's whole process tree, sampled every 100 ms."
              % (a.pages, cores), ""]
    lines += ["* " + n for n in notes]
    lines += ["", "Commands:", ""]
    seen = set()
    for _, rows in results:
        for r in rows:
            if r["crawler"] not in seen:
                seen.add(r["crawler"])
                lines.append("* %s: `%s`" % (r["crawler"], r["cmd"]))
    lines.append("* netserver: `%s`" % meta["server_cmd"])
    return "\n".join(lines) + "\n"


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--out-json", required=True)
    ap.add_argument("--out-md", required=True)
    ap.add_argument("--latencies", default="0 50 200")
    ap.add_argument("--origins", type=int, default=100)
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--https-share", type=float, default=0.2)
    ap.add_argument("--bandwidth", type=int, default=0)
    ap.add_argument("--keepalive-off-ms", type=float, default=50)
    ap.add_argument("--procs", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--crawld-conf", default="")
    ap.add_argument("--only", default="ceiling,crawld,scrapy,wget2")
    ap.add_argument("--command", default="bench/netbench.sh")
    a = ap.parse_args()
    a.bin = os.path.abspath(a.bin)
    only = a.only.split(",")
    settings = [(float(x), "on") for x in a.latencies.split()]
    if a.keepalive_off_ms >= 0:
        settings.append((a.keepalive_off_ms, "off"))
    results, meta = [], None
    load_start = " ".join("%.2f" % x for x in os.getloadavg())
    for lat, ka in settings:
        lat = int(lat) if lat == int(lat) else lat
        srv = Server(a, lat, ka)
        try:
            if meta is None:
                meta = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                                 capture_output=True, text=True).stdout.strip(),
                        "host": os.uname().nodename, "load_start": load_start,
                        "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                                     if l.startswith("model name")), "?"),
                        "page_bytes": srv.info["page_bytes"], "links": srv.info["links"],
                        "https_origins": srv.info["https_origins"], "command": a.command,
                        "server_cmd": srv.cmd}
            rows = [measure(a, srv, name, lat, ka) for name in ("ceiling",) + CRAWLERS
                    if name in only]
        finally:
            srv.stop()
        results.append(((lat, ka), rows))
        with open(a.out_json, "w") as f:
            json.dump({"meta": meta, "args": vars(a), "results": results}, f)
    md = table(a, results, meta)
    with open(a.out_md, "w") as f:
        f.write(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
