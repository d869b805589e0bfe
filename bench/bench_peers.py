#!/usr/bin/env python3
"""bench_peers — crawld against the crawlers people use, same machine, same run.

Two subcommands (bench/bench_peers.sh installs what is missing, serves the
corpora with nginx and runs both, then bench/report.py):

  bench_peers.py gen SITE_DIR PAGES JS_SHARE
      a generated site: p/0.html .. p/PAGES-1.html; a share JS_SHARE (0..1)
      of them (never page 0) are bench_js.py's JS pages, whose links exist
      only after their scripts ran; the others carry the same kind of
      content with their links as plain <a href>. expected.json says which
      pages are JS pages and how many pages a crawl from p/0.html reaches
      with and without running scripts.

  bench_peers.py run --bin BUILD_DIR --corpus NAME --seed URL --out JSON
                     [--runs 3] [--max-pages N] [--slow-max-pages M] [--timeout S]
                     [--only a,b]
      crawls the site at SEED with each crawler RUNS times, one after the
      other: crawld --no-js and --js (2 workers, no delay, per-host
      concurrency 4), wget2 (default 5 threads), Scrapy (defaults: 16
      requests in flight), Crawlee CheerioCrawler and JSDOMCrawler (page
      scripts run in jsdom) with their autoscaled pools, headless Chromium
      through playwright-core (PLAYWRIGHT_TABS tabs, default 4). Each run
      is bounded by a page cap (where the crawler has one; M for JSDOM and
      Chromium, which are slow) and a timeout.
      While a crawler runs, its whole process tree is sampled every 100 ms
      from /proc (RSS summed over the tree; for crawld also each worker).
      Then bench_floor (build/bench) fetches and gumbo-parses the pages
      crawld found without JS, RUNS times. Results (every run, the
      commands, the series of the median runs) are merged into JSON under
      the corpus name.

Script errors (crawld --js and Chromium): a crawld record's js_stats.failed,
timed_out, out_of_memory, js_note or "js": false; Chromium's uncaught
exceptions, console.error and failed script requests (playwright_crawl.mjs's
PAGE_LOG). The JS speed comparison ("js_clean") is made over the pages where
both ran every script without error.

Pages found: the distinct HTML pages (text/html, fetched with 2xx) a
crawler reports, URLs without fragment, "dir/" counted as "dir/index.html".
Pages per second: pages found / wall time of the run, from the start of the
crawler's process (for crawld: of the daemon, its workers included) to its
exit (crawld: to the end of the job)."""
import json, os, random, shlex, signal, statistics, subprocess, sys, threading, time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import bench_js  # noqa: E402  (/proc helpers)
import js_site  # noqa: E402  (the JS page generator)

SAMPLE_S = 0.1


# --------------------------------------------------------------------------
# the generated site
# --------------------------------------------------------------------------

def is_js_page(i, share):
    return i != 0 and (i * 2654435761 % 1000003) % 1000 < share * 1000


def static_page(i, n):
    """A page like bench_js's, its links as plain <a href>, no script."""
    rng = random.Random(i * 7919 + 17)
    ts = js_site.targets(i, n)
    hrefs = [js_site.href(t, j, i) for j, t in enumerate(ts)]
    content = js_site.static_body(rng, i)
    cut = content.find("</header>") + len("</header>")
    nav = '<nav class="related">%s</nav>' % " ".join(
        '<a class="rel" href="%s">Related %d</a>' % (h, k + 1) for k, h in enumerate(hrefs))
    html = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            "<title>Page %d</title>\n<style>body{font:14px sans-serif;max-width:60em;margin:auto}"
            ".card{border:1px solid #ccc;padding:4px}table.data td{padding:2px 6px}</style>\n"
            "</head>\n<body>\n%s\n%s\n<main>%s</main>\n"
            "<footer><p>Generated page %d of %d (static).</p></footer>\n</body></html>\n"
            % (i, content[:cut], nav, content[cut:], i, n))
    return html, ["/p/%d.html" % t for t in ts]


def reach(links, start=0):
    seen, todo = {start}, [start]
    while todo:
        for t in links[todo.pop()]:
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return seen


def gen(site, n, share):
    for sub in ("p", "data", "js"):
        os.makedirs(os.path.join(site, sub), exist_ok=True)
    js_pages, links_all, links_nojs, total = [], [], [], 0
    for i in range(n):
        if is_js_page(i, share):
            html, links, files = js_site.gen_page(i, n)
            js_pages.append(i)
        else:
            html, links = static_page(i, n)
            files = {}
        for name, body in files.items():
            with open(os.path.join(site, name), "w") as f:
                f.write(body)
        with open(os.path.join(site, "p", "%d.html" % i), "w") as f:
            f.write(html)
        total += len(html)
        ts = [int(l.rsplit("/", 1)[1].split(".")[0]) for l in links]
        links_all.append(ts)
        links_nojs.append([] if is_js_page(i, share) else ts)
    for k, src in enumerate(js_site.EXT_JS):
        with open(os.path.join(site, "js", "%d.js" % k), "w") as f:
            f.write(src)
    with open(os.path.join(site, "index.html"), "w") as f:
        f.write('<!DOCTYPE html><title>bench_peers</title><p><a href="p/0.html">start</a>\n')
    ex = {"pages": n, "js_share": share, "js_pages": len(js_pages),
          "reachable_js": len(reach(links_all)), "reachable_nojs": len(reach(links_nojs))}
    with open(os.path.join(site, "expected.json"), "w") as f:
        json.dump(ex, f)
    print("bench_peers: generated %d pages (%d with JS, %.1f KB average) in %s; from p/0.html "
          "%d pages are reachable with JS, %d without"
          % (n, len(js_pages), total / n / 1024, site, ex["reachable_js"], ex["reachable_nojs"]))


# --------------------------------------------------------------------------
# measuring a process tree
# --------------------------------------------------------------------------

class TreeSampler(threading.Thread):
    """Every SAMPLE_S: VmRSS of root and each of its descendants. Keeps
    (t, sum, {pid: rss} of root's direct children) per sample."""

    def __init__(self, root, t0):
        super().__init__(daemon=True)
        self.root, self.t0 = root, t0
        self.samples = []
        self.cpu = {}  # pid -> user+system seconds, last seen
        self.stop_ev = threading.Event()

    def run(self):
        while not self.stop_ev.is_set():
            pids = bench_js.descendants(self.root)
            total, kids = 0, {}
            for p in pids:
                rss = bench_js.proc_mem_kb(p)[0]
                if rss is None:
                    continue
                total += rss
                self.cpu[p] = bench_js.cpu_s(p)
                if p != self.root and ppid(p) == self.root:
                    kids[p] = rss
            if total:
                self.samples.append((round(time.time() - self.t0, 3), total, kids))
            self.stop_ev.wait(SAMPLE_S)

    def stop(self):
        self.stop_ev.set()
        self.join()
        return self.samples

    def cpu_seconds(self):
        """CPU time of the tree: each process as last sampled (the last
        100 ms of a process that exited are missed)."""
        return sum(self.cpu.values())


def ppid(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def norm(u):
    u = urllib.parse.urldefrag(u.strip())[0]
    sp = urllib.parse.urlsplit(u)
    path = sp.path or "/"
    if path.endswith("/"):
        path += "index.html"
    return urllib.parse.urlunsplit((sp.scheme, sp.netloc, path, sp.query, ""))


def read_found(path):
    """Lines "UNIX_SECONDS URL content-type [status]" -> {url: first time} of
    HTML pages fetched with 2xx (an error page, a 404, is no page found)."""
    found = {}
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 4 and not 200 <= int(parts[3]) < 300:
                    continue
                if len(parts) >= 3 and parts[2] == "text/html":
                    found.setdefault(norm(parts[1]), float(parts[0]))
    except OSError:
        pass
    return found


def run_tree(cmd, timeout, cwd=None, env=None, log=None):
    """Runs cmd in its own session with a sampler on it; kills the session at
    timeout. Returns (t0, t1, exit code or 'timeout', samples)."""
    logf = open(log, "w") if log else subprocess.DEVNULL
    t0 = time.time()
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=logf,
                         stderr=logf, start_new_session=True)
    s = TreeSampler(p.pid, t0)
    s.start()
    maxrss = rucpu = 0
    try:
        rc, maxrss, rucpu = wait_rusage(p, timeout)
    except subprocess.TimeoutExpired:
        rc = "timeout"
        os.killpg(p.pid, signal.SIGTERM)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    except BaseException:  # SIGTERM from bench_peers.sh: take the crawler along
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        raise
    t1 = time.time()
    samples = s.stop()
    cpu = max(s.cpu_seconds(), rucpu)
    try:  # anything of the session left behind (Chromium helpers)
        os.killpg(p.pid, signal.SIGKILL)
    except OSError:
        pass
    if log:
        logf.close()
    # A run shorter than a sample or two: the kernel's high-water mark of the
    # largest process of the tree (a lower bound of the tree's sum).
    if maxrss > max((x[1] for x in samples), default=0):
        samples.append((round(t1 - t0, 3), maxrss, {}))
    return t0, t1, rc, samples, cpu


def wait_rusage(p, timeout):
    """Waits for p like p.wait(timeout) with wait4: (exit code, ru_maxrss KB,
    CPU seconds of p and the descendants it waited for)."""
    end = time.time() + timeout
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            p.returncode = os.waitstatus_to_exitcode(status)
            return p.returncode, ru.ru_maxrss, ru.ru_utime + ru.ru_stime
        if time.time() > end:
            raise subprocess.TimeoutExpired(p.args, timeout)
        time.sleep(0.01)


# --------------------------------------------------------------------------
# the crawlers
# --------------------------------------------------------------------------

def crawld_errors(rec):
    """The script errors of a crawld record (none: an empty list)."""
    errs = []
    st = rec.get("js_stats") or {}
    if st.get("failed"):
        errs.append("%d scripts failed%s" % (st["failed"], (": " + str(st.get("error"))) if st.get("error") else ""))
    for k in ("timed_out", "out_of_memory"):
        if st.get(k):
            errs.append(k)
    if rec.get("js_note"):
        errs.append("js_note: %s" % rec["js_note"])
    if rec.get("js") is False:
        errs.append("js false")
    if rec.get("error"):
        errs.append("error: %s" % rec["error"])
    return errs


def crawld_run(a, js, tmp, k):
    os.environ["CRAWLD_BIN"] = a["bin"]
    os.environ.setdefault("CRAWLD_TEST_LOG_LEVEL", "warn")
    sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
    from daemon_lib import Daemon  # the integration tests' scratch-config daemon
    conf = "[politeness]\ndelay_ms = 0\nper_host_concurrency = 4\n"
    d = Daemon("bench-peers", conf=conf, workers=a["workers"], crawl=True)
    opts = ["--js" if js else "--no-js", "--depth", "1000", "--max-pages", str(a["max_pages"])]
    # More submit options for a trial (bench/compare.sh's AFTER_OPTS).
    opts += shlex.split(os.environ.get("CRAWLD_SUBMIT_OPTS", ""))
    t0 = time.time()
    try:
        return crawld_crawl(a, d, opts, t0)
    finally:
        d.cleanup()  # kills what is left when interrupted; removes its directory


def crawld_crawl(a, d, opts, t0):
    d.start()
    s = TreeSampler(d.proc.pid, t0)
    s.start()
    rc, out, err = d.ctl("submit", *opts, a["seed"])
    jid = out.strip()
    r = subprocess.run([a["bin"] + "/crawlctl", "-s", d.sock, "wait", jid, "--timeout",
                        str(int(a["timeout"]))], capture_output=True, text=True)
    t1 = time.time()
    rc = r.returncode if r.returncode == 0 else ("timeout" if "timeout" in r.stderr + r.stdout
                                                   else r.returncode)
    if rc != 0:
        d.ctl("cancel", jid)
    samples = s.stop()
    cpu = s.cpu_seconds()
    a["_cpu_supervisor"] = s.cpu.get(d.proc.pid)  # crawld itself; the rest is its workers
    found, perpage = {}, {}
    from datetime import datetime
    path = os.path.join(d.out, jid, "pages.jsonl")
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            if (rec.get("content_type") or "").split(";")[0] == "text/html" and \
                    200 <= (rec.get("status") or 0) < 300:
                ts = datetime.fromisoformat(rec["ts"].replace("Z", "+00:00")).timestamp()
                u = norm(rec.get("final_url") or rec["url"])
                found.setdefault(u, ts)
                perpage.setdefault(u, (crawld_errors(rec), (rec.get("fetch_ms") or 0) + (rec.get("js_ms") or 0)))
    a["_perpage"] = perpage
    d.stop()
    cmd = "crawld -c CONF (workers=%d, delay_ms=0, per_host_concurrency=4); crawlctl submit %s %s; " \
          "crawlctl wait ID" % (a["workers"], " ".join(opts), a["seed"])
    return t0, t1, rc, samples, cpu, found, cmd


def peer_cmd(name, a, out, tmp):
    peers = os.path.join(HERE, "peers")
    seed, n = a["seed"], str(a["max_pages"])
    if name in SLOW:
        n = str(min(a["max_pages"], a["slow_max_pages"]))
    if name == "wget2":
        return ["wget2", "--recursive", "--level=inf", "--no-parent", "-q", "-nH", "-P", out, seed]
    if name == "scrapy":
        return ["scrapy", "runspider", os.path.join(peers, "scrapy_spider.py"), "-a", "seed=" + seed,
                "-a", "out=" + out, "-s", "CLOSESPIDER_PAGECOUNT=" + n]
    if name == "crawlee-cheerio":
        return ["node", os.path.join(peers, "crawlee_crawl.mjs"), "cheerio", seed, n, out]
    if name == "crawlee-jsdom":
        return ["node", os.path.join(peers, "crawlee_crawl.mjs"), "jsdom", seed, n, out, "--js"]
    if name == "chromium":  # PAGE_LOG (pages.jsonl beside OUT): each page's script errors
        return ["node", os.path.join(peers, "playwright_crawl.mjs"), seed, n, out,
                os.environ.get("PLAYWRIGHT_TABS", "4")]
    raise ValueError(name)


def wget2_found(d, base):
    """wget2 -nH -P d: every saved .html file, timed by its ctime (when it was
    written; wget2 sets mtime from Last-Modified)."""
    found = {}
    for dp, _, files in os.walk(d):
        for fn in files:
            if fn.endswith(".html"):
                p = os.path.join(dp, fn)
                found.setdefault(norm(base + "/" + os.path.relpath(p, d)), os.stat(p).st_ctime)
    return found


# The browsers: capped at --slow-max-pages (their pages/s are per page; the
# pages they find are compared with crawld's all the same).
SLOW = ("crawlee-jsdom", "chromium")

CRAWLERS = [  # (name, js)
    ("crawld", False), ("crawld", True), ("wget2", False), ("scrapy", False),
    ("crawlee-cheerio", False), ("crawlee-jsdom", True), ("chromium", True),
]


def one_run(name, js, a, tmp, k):
    """One crawl; returns its result dict (series kept by the caller)."""
    work = os.path.join(tmp, "%s-%s-%s-%d" % (a["corpus"], name, "js" if js else "nojs", k))
    load = os.getloadavg()[0]
    os.makedirs(work, exist_ok=True)
    if name == "crawld":
        t0, t1, rc, samples, cpu, found, cmd = crawld_run(a, js, work, k)
    else:
        out = os.path.join(work, "out") if name == "wget2" else os.path.join(work, "found.txt")
        argv = peer_cmd(name, a, out, work)
        env = dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1", CRAWLEE_STORAGE_DIR=work + "/storage",
                   PAGE_LOG=os.path.join(work, "pages.jsonl"))
        t0, t1, rc, samples, cpu = run_tree(argv, a["timeout"], cwd=work, env=env,
                                       log=os.path.join(work, "log.txt"))
        if name == "wget2":
            sp = urllib.parse.urlsplit(a["seed"])
            found = wget2_found(out, "%s://%s" % (sp.scheme, sp.netloc))
            if rc == 8:  # wget2: some URL answered an error (a 404 link); not a failure here
                rc = 0
        else:
            found = read_found(out)
        if name == "chromium":
            a["_perpage"] = read_page_log(os.path.join(work, "pages.jsonl"))
        cmd = " ".join(argv).replace(work, "$RUN").replace(HERE, "bench")
    secs = t1 - t0
    times = sorted(found.values())
    steady = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 2 and times[-1] > times[0] else None
    res = {"crawler": name, "js": js, "run": k, "exit": rc, "pages": len(found), "seconds": secs,
           "rate": len(found) / secs if secs > 0 else 0, "steady_rate": steady,
           "peak_rss_kb": max((s[1] for s in samples), default=0), "cmd": cmd,
           "cpu_s": cpu, "load1_before": load,
           "series": [(s[0], s[1]) for s in samples]}
    if name == "crawld":
        res["cpu_supervisor_s"] = a.pop("_cpu_supervisor", None)
        # Each worker's RSS over the crawl (workers are crawld's children).
        res["workers"] = {}
        for t, _, kids in samples:
            for pid, rss in kids.items():
                res["workers"].setdefault(str(pid), []).append((t, rss))
    res["urls"] = sorted(found)
    pp = a.pop("_perpage", None)
    if js and pp is not None:  # {url: (script errors, ms)}; kept for the median run only
        res["perpage"] = {u: pp[u] for u in found if u in pp}
        res["pages_with_script_errors"] = sum(1 for e, _ in res["perpage"].values() if e)
    return res


def read_page_log(path):
    """playwright_crawl.mjs's PAGE_LOG -> {url: (script errors, ms)}."""
    out = {}
    try:
        with open(path) as f:
            for line in f:
                try:
                    p = json.loads(line)
                except ValueError:
                    continue
                out.setdefault(norm(p["url"]), (p.get("errors") or [], p.get("ms") or 0))
    except OSError:
        pass
    return out


def clean_js(cd, ch):
    """crawld --js against Chromium over the pages both found and where both
    ran every script without error: each one's pages/s there, its run's wall
    time apportioned to those pages by its own time per page (crawld:
    fetch_ms + js_ms; Chromium: goto to links read)."""
    a, b = cd.get("perpage"), ch.get("perpage")
    if a is None or b is None:
        return None
    both = set(a) & set(b)
    clean = [u for u in both if not a[u][0] and not b[u][0]]
    out = {"pages_both": len(both), "clean": len(clean),
           "crawld_errors_only": sum(1 for u in both if a[u][0] and not b[u][0]),
           "chromium_errors_only": sum(1 for u in both if b[u][0] and not a[u][0]),
           "error_examples": sorted({e for u in both for e in a[u][0]})[:5]}
    for key, pp, run in (("crawld", a, cd), ("chromium", b, ch)):
        tot = sum(ms for _, ms in pp.values())
        part = sum(pp[u][1] for u in clean)
        out[key + "_rate"] = len(clean) / (run["seconds"] * part / tot) if clean and tot and part else None
    return out


def floor_run(a, urls, tmp):
    lst = os.path.join(tmp, "floor-urls.txt")
    with open(lst, "w") as f:
        f.write("\n".join(urls) + "\n")
    exe = os.path.join(a["bin"], "bench", "bench_floor")
    r = subprocess.run([exe, lst, str(a["runs"])], capture_output=True, text=True, timeout=a["timeout"])
    rates, fetch = [], None
    for line in r.stdout.splitlines():
        w = line.split()
        if w and w[0] == "floor:":
            rates.append(float(w[7]))
        elif w and w[0] == "fetch:":
            fetch = float(w[7])
    return {"exit": r.returncode, "rates": rates, "fetch_only_rate": fetch, "pages": len(urls),
            "cmd": "build/bench/bench_floor URLS %d  (URLS: the %d pages crawld found without JS)"
                   % (a["runs"], len(urls)), "stderr": r.stderr[-2000:]}


def median_run(runs):
    """The run with the median pages per second."""
    s = sorted(runs, key=lambda r: r["rate"])
    return s[len(s) // 2]


def run(a):
    tmp = a["tmp"]
    only = set(a["only"].split(",")) if a.get("only") else None  # names or keys ("crawld JS")
    res = {"corpus": a["corpus"], "seed": a["seed"], "runs": a["runs"], "max_pages": a["max_pages"],
           "slow_max_pages": a["slow_max_pages"],
           "timeout": a["timeout"], "workers": a["workers"], "crawlers": {}, "extra": a["extra"]}
    for name, js in CRAWLERS:
        key = "%s %s" % (name, "JS" if js else "no JS")
        if only and name not in only and key not in only:
            continue
        runs = []
        for k in range(a["runs"]):
            print("bench_peers: %s: %s run %d/%d ..." % (a["corpus"], key, k + 1, a["runs"]), flush=True)
            r = one_run(name, js, a, tmp, k)
            print("bench_peers:   %d pages in %.2f s = %.1f pages/s, peak RSS %.1f MB, exit %s"
                  % (r["pages"], r["seconds"], r["rate"], r["peak_rss_kb"] / 1024, r["exit"]), flush=True)
            runs.append(r)
        med = median_run(runs)
        urls = med["urls"]
        for r in runs:  # keep the series and URL lists of the median run only
            if r is not med:
                r.pop("series", None)
                r.pop("workers", None)
                r.pop("perpage", None)
            r.pop("urls", None)
        res["crawlers"][key] = {"name": name, "js": js, "runs": runs, "median_run": med["run"],
                                "urls": urls}
    nojs = res["crawlers"].get("crawld no JS")
    if nojs and nojs["urls"]:
        print("bench_peers: %s: floor (curl + gumbo) over %d pages ..." % (a["corpus"], len(nojs["urls"])),
              flush=True)
        res["floor"] = floor_run(a, nojs["urls"], tmp)
        print("bench_peers:   floor %s pages/s" % res["floor"]["rates"], flush=True)
    # crawld --js against Chromium over the pages where both ran every script.
    cj, chj = res["crawlers"].get("crawld JS"), res["crawlers"].get("chromium JS")
    if cj and chj:
        mc = next(r for r in cj["runs"] if r["run"] == cj["median_run"])
        mh = next(r for r in chj["runs"] if r["run"] == chj["median_run"])
        res["js_clean"] = clean_js(mc, mh)
        for r in (mc, mh):
            r.pop("perpage", None)
    # Against Chromium's pages (median runs): how many of them each crawler missed.
    ch = res["crawlers"].get("chromium JS")
    ch_urls = set(ch["urls"]) if ch else None
    for key, c in res["crawlers"].items():
        urls = set(c.pop("urls"))
        if ch_urls is not None:
            missed = sorted(ch_urls - urls)
            c["chromium_pages_missed"] = len(missed)
            c["chromium_pages_missed_examples"] = missed[:5]
    try:
        with open(a["out"]) as f:
            allres = json.load(f)
    except (OSError, ValueError):
        allres = {}
    allres[a["corpus"]] = res
    with open(a["out"], "w") as f:
        json.dump(allres, f)
    return 0


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if len(sys.argv) == 5 and sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
        return 0
    if len(sys.argv) >= 2 and sys.argv[1] == "run":
        kv = dict(zip(sys.argv[2::2], sys.argv[3::2]))
        for k in ("--bin", "--corpus", "--seed", "--out"):
            if k not in kv:
                raise SystemExit("bench_peers run: %s is required" % k)
        a = {"bin": os.path.abspath(kv["--bin"]), "corpus": kv["--corpus"], "seed": kv["--seed"],
             "out": kv["--out"], "runs": int(kv.get("--runs", 3)),
             "max_pages": int(kv.get("--max-pages", 10000)),
             "slow_max_pages": int(kv.get("--slow-max-pages", 10000)), "timeout": float(kv.get("--timeout", 600)),
             "workers": int(kv.get("--workers", 2)), "only": kv.get("--only"),
             "tmp": kv.get("--tmp") or "/tmp", "extra": json.loads(kv.get("--extra", "{}"))}
        return run(a)
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
