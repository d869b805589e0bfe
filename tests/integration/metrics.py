#!/usr/bin/env python3
"""crawlctl metrics against a real daemon: the text passes `promtool check
metrics` (skipped, loudly, when promtool is missing); pages by job and
status class equal the records in pages.jsonl; the page-time histogram
counts every page a worker rendered (not robots.txt, not robots-disallowed
records) in cumulative buckets; the JS histogram and time, bytes and
robots fetches equal the records' sums; queue, job and worker gauges equal
`crawlctl status --json`; recycles and spawns after `crawlctl recycle 0`
and a kill -9; label values escaped; ended jobs give their buffers back
(crawld_alloc_live_bytes); --json prints the reply object.

usage: metrics.py BASE_URL   (CRAWLD_BIN: the build directory)"""
import collections, json, math, os, re, shutil, signal, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import alive, check, dump_log_on_failure, finish, wait_for  # noqa: E402
from crawl_lib import crawl_daemon  # noqa: E402

BASE = sys.argv[1]
SITE = BASE + "/site/"
LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')


def unescape(v):
    return re.sub(r'\\(.)', lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), v)


def parse(text):
    """{(name, frozenset(labels)): value} and {family: type}; checks the
    shape of every line on the way."""
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, typ = line.split(" ", 3)
            check(name not in types, "family %s declared once" % name)
            types[name] = typ
            continue
        if line.startswith("#") or not line:
            continue
        m = LINE.match(line)
        if not check(m is not None, "sample line shape: %r" % line):
            continue
        labels = {}
        if m.group(2):
            rest = m.group(2)
            for lm in LABEL.finditer(rest):
                labels[lm.group(1)] = unescape(lm.group(2))
            check("".join(x.group(0) for x in LABEL.finditer(rest)) == rest,
                  "labels parse whole: %r" % line)
        key = (m.group(1), frozenset(labels.items()))
        check(key not in samples, "sample once: %r" % line)
        samples[key] = float(m.group(3))
    return samples, types


def get(samples, metric, **labels):
    return samples.get((metric, frozenset((k, str(v)) for k, v in labels.items())))


def series(samples, name):
    return {k[1]: v for k, v in samples.items() if k[0] == name}


def metrics(d):
    rc, out, err = d.ctl("metrics")
    check(rc == 0 and err == "", "crawlctl metrics rc=%d err=%r" % (rc, err))
    return out


def promtool(text, what):
    exe = shutil.which("promtool")
    if not exe:
        print("SKIP: promtool not installed (Debian package prometheus); "
              "`promtool check metrics` NOT run for %s" % what, file=sys.stderr, flush=True)
        return
    r = subprocess.run([exe, "check", "metrics"], input=text, capture_output=True, text=True,
                       timeout=60)
    check(r.returncode == 0 and not r.stdout.strip() and not r.stderr.strip(),
          "promtool check metrics (%s): rc=%d %s%s" % (what, r.returncode, r.stdout, r.stderr))


def klass(r):
    if r.get("error") is not None or not 200 <= (r.get("status") or 0) <= 599:
        return "error"
    return "%dxx" % (r["status"] // 100)


def check_hist(s, name, count):
    b = {dict(k)["le"]: v for k, v in series(s, name + "_bucket").items()}
    les = sorted((float(le), v) for le, v in b.items())
    check(len(les) >= 10 and les[-1][0] == math.inf, "%s: buckets up to +Inf: %r" % (name, b))
    check(all(les[i][1] <= les[i + 1][1] for i in range(len(les) - 1)),
          "%s: buckets cumulative, non-decreasing: %r" % (name, les))
    check(b.get("+Inf") == count and get(s, name + "_count") == count,
          "%s: +Inf bucket and _count = %d: %r %r" % (name, count, b.get("+Inf"),
                                                    get(s, name + "_count")))
    check(b.get("0.01") is not None and b.get("30") is not None, "%s: 0.01 … 30" % name)
    return les


d = crawl_daemon("metrics", extra="[limits]\nrss_poll_ms = 100\n")
try:
    d.start()
    t0 = time.time()
    text = metrics(d)
    promtool(text, "idle daemon")
    s, types = parse(text)
    check(get(s, "crawld_up") == 1, "crawld_up 1")
    check(types.get("crawld_pages_total") == "counter" and
          types.get("crawld_page_duration_seconds") == "histogram" and
          types.get("crawld_queue_pending") == "gauge", "types: %r" % types)
    check(all(n.endswith("_total") for n, t in types.items() if t == "counter"),
          "every counter ends in _total")
    check(not series(s, "crawld_pages_total"), "no page series before any page")
    check(get(s, "crawld_worker_spawns_total") == 2, "two workers spawned")
    st = get(s, "crawld_start_time_seconds")
    check(st and abs(st + get(s, "crawld_uptime_seconds") - t0) < 5,
          "start time + uptime = now: %r" % st)
    check(get(s, "crawld_rss_bytes") > 1e6, "supervisor RSS: %r" % get(s, "crawld_rss_bytes"))
    check(get(s, "crawld_control_clients") == 1, "one control client (this request)")

    # ---- a crawl with every status class; robots.txt on ----
    seeds = [SITE, BASE + "/status/404", BASE + "/status/410", BASE + "/status/500",
             BASE + "/status/503", BASE + "/status/304", BASE + "/reset",
             BASE + "/private/no", BASE + "/redirect/2"]
    j1 = d.submit(seeds, "--no-js", "--depth", "2", "--name", "classes")
    rc, out, err = d.ctl("wait", str(j1), "--timeout", "60")
    check(rc == 0, "job 1 done: %r %r" % (out, err))
    # ---- a JS job: the JS histogram and time ----
    j2 = d.submit([BASE + "/site/p/%d.html" % i for i in range(3)] + [BASE + "/status/404"],
                  "--js", "--depth", "0", "--name", "js")
    rc, out, err = d.ctl("wait", str(j2), "--timeout", "60")
    check(rc == 0, "job 2 done: %r %r" % (out, err))
    recs = {j1: d.records(j1), j2: d.records(j2)}
    allrecs = recs[j1] + recs[j2]
    text = metrics(d)
    promtool(text, "after two jobs")
    s, _ = parse(text)
    for jid, rs in recs.items():
        want = collections.Counter(klass(r) for r in rs)
        got = {dict(k)["class"]: v for k, v in series(s, "crawld_pages_total").items()
               if dict(k)["job"] == str(jid)}
        check(set(got) == {"2xx", "3xx", "4xx", "5xx", "error"},
              "job %d: every class present: %r" % (jid, got))
        check(all(got.get(c, 0) == want.get(c, 0) for c in got) and
              sum(got.values()) == len(rs),
              "job %d: pages_total by class = records: %r vs %r" % (jid, got, dict(want)))
    c1 = collections.Counter(klass(r) for r in recs[j1])
    check(all(c1[c] > 0 for c in ("2xx", "3xx", "4xx", "5xx", "error")),
          "job 1 has every class: %r" % dict(c1))
    robots_synth = [r for r in allrecs if (r.get("error") or "").startswith("robots:")]
    check(len(robots_synth) == 1, "one robots-disallowed record: %r" % robots_synth)
    # A worker's answer that was retried (503, a reset: back off when a
    # server asks) is a page the worker rendered without a record of its own.
    retried = sum(r.get("retries", 0) for r in allrecs)
    check(retried >= 2, "the 503 and the reset were retried: %d" % retried)
    rendered = len(allrecs) - len(robots_synth) + retried
    check_hist(s, "crawld_page_duration_seconds", rendered)
    dsum = get(s, "crawld_page_duration_seconds_sum")
    check(dsum is not None and dsum > 0, "page time sum > 0: %r" % dsum)
    js_recs = [r for r in allrecs if r.get("js") and r.get("error") is None]
    check(len(js_recs) >= 3, "JS ran on the JS job's pages: %d" % len(js_recs))
    check_hist(s, "crawld_page_js_seconds", len(js_recs))
    js_sum = sum(r.get("js_ms") or 0 for r in allrecs) / 1000
    check(abs(get(s, "crawld_js_seconds_total") - js_sum) < 1e-3 and js_sum > 0,
          "js seconds = records' js_ms: %r vs %r" % (get(s, "crawld_js_seconds_total"), js_sum))
    check(abs(get(s, "crawld_page_js_seconds_sum") - sum(r["js_ms"] for r in js_recs) / 1000)
          < 1e-3, "JS histogram sum")
    fsum = sum(r.get("fetch_ms") or 0 for r in allrecs) / 1000
    check(abs(get(s, "crawld_fetch_seconds_total") - fsum) < 1e-3,
          "fetch seconds = records' fetch_ms: %r vs %r" % (get(s, "crawld_fetch_seconds_total"),
                                                           fsum))
    check(get(s, "crawld_bytes_fetched_total") == sum(r.get("bytes") or 0 for r in allrecs),
          "bytes = records' bytes: %r" % get(s, "crawld_bytes_fetched_total"))
    check(get(s, "crawld_robots_fetches_total") == 1, "robots.txt fetched once: %r"
          % get(s, "crawld_robots_fetches_total"))
    check(get(s, "crawld_worker_results_total") == rendered + 1,
          "worker results = pages + robots.txt: %r" % get(s, "crawld_worker_results_total"))
    check(get(s, "crawld_jobs", state="done") == 2 and get(s, "crawld_jobs", state="running") == 0,
          "jobs by state: %r" % series(s, "crawld_jobs"))
    check(len(series(s, "crawld_job_pages")) == 0, "no progress gauges for ended jobs")

    # ---- gauges against status, with a paused job holding pages ----
    j3 = d.submit([SITE], "--no-js", "--depth", "6", "--delay-ms", "300",
                  "--name", 'we"ird\\name\nx')
    wait_for(lambda: d.job(j3)["done"] >= 1, 20, "job 3 under way")
    rc, _, err = d.ctl("pause", str(j3))
    check(rc == 0, "pause: %r" % err)
    wait_for(lambda: d.job(j3)["in_flight"] == 0, 20, "job 3 in flight drained")
    st = d.status()
    text = metrics(d)
    st2 = d.status()
    promtool(text, "paused job")
    s, _ = parse(text)
    check(st["queue"] == st2["queue"], "queue steady while paused")
    q = st["queue"]
    check(q["pending"] > 0, "paused job keeps pending pages: %r" % q)
    check(get(s, "crawld_queue_pending") == q["pending"] and
          get(s, "crawld_queue_in_flight") == q["in_flight"] and
          get(s, "crawld_queue_done") == q["done"] and
          get(s, "crawld_queue_failed") == q["failed"] and
          get(s, "crawld_queue_quarantined") == q["quarantined"],
          "queue gauges = status: %r vs %r" % (q, {k[0]: v for k, v in s.items()
                                                   if k[0].startswith("crawld_queue_")}))
    j = d.job(j3)
    check(all(get(s, "crawld_job_pages", job=j3, state=k) == j[k]
              for k in ("pending", "in_flight", "done", "failed")),
          "job 3 gauges = job: %r vs %r" % (j, series(s, "crawld_job_pages")))
    check(get(s, "crawld_jobs", state="paused") == 1, "one paused job")
    check(get(s, "crawld_job_info", job=j3, name='we"ird\\name\nx', state="paused") == 1,
          "job name label escaped and read back: %r" % series(s, "crawld_job_info"))
    check('name="we\\"ird\\\\name\\nx"' in text, "escaped as \\\" \\\\ \\n in the text")
    check(get(s, "crawld_control_clients") == 1, "one control client")
    check(get(s, "crawld_workers_configured") == st["workers_configured"], "workers configured")
    for w in st["workers"]:
        states = {dict(k)["state"]: v for k, v in series(s, "crawld_worker_state").items()
                  if dict(k)["worker"] == str(w["id"])}
        check(sum(states.values()) == 1 and states.get(w["state"]) == 1,
              "worker %d: one state, %s: %r" % (w["id"], w["state"], states))
        rss = get(s, "crawld_worker_rss_bytes", worker=w["id"], pid=w["pid"])
        check(rss is not None and rss > 1e6, "worker %d RSS gauge with its pid: %r"
              % (w["id"], rss))
        check(get(s, "crawld_worker_pages_total", worker=w["id"]) == w["pages"],
              "worker %d pages = status" % w["id"])
    check(get(s, "crawld_workers", state="idle") == sum(1 for w in st["workers"]
                                                         if w["state"] == "idle"),
          "idle workers = status")
    heap = series(s, "crawld_worker_js_heap_bytes")
    check(all(v > 0 for v in heap.values()), "JS heap gauges positive when present: %r" % heap)

    # ---- recycles: crawlctl recycle 0, then kill -9 of worker 1 ----
    old = {w["id"]: w["pid"] for w in st["workers"]}
    rc, _, err = d.ctl("recycle", "0")
    check(rc == 0, "recycle 0: %r" % err)
    wait_for(lambda: d.status()["workers"][0]["pid"] not in (None, old[0]) and
             d.workers_in("idle") == 2, 20, "worker 0 replaced")
    s, _ = parse(metrics(d))
    rec = {dict(k)["reason"]: v for k, v in series(s, "crawld_recycles_total").items()}
    check(rec == {"rss": 0, "rss_hard": 0, "max_pages": 0, "timeout": 0, "crash": 0,
                  "manual": 1, "reload": 0}, "recycles after recycle 0: %r" % rec)
    check(get(s, "crawld_worker_spawns_total") == 3, "three spawns: %r"
          % get(s, "crawld_worker_spawns_total"))
    check(get(s, "crawld_worker_pages_total", worker=0) == 0, "new worker 0 starts at 0 pages")
    os.kill(old[1], signal.SIGKILL)
    wait_for(lambda: not alive(old[1]) and d.status()["workers"][1]["pid"] not in (None, old[1])
             and d.workers_in("idle") == 2, 20, "worker 1 replaced after kill -9")
    text = metrics(d)
    promtool(text, "after recycles")
    s, _ = parse(text)
    check(get(s, "crawld_recycles_total", reason="crash") == 1 and
          get(s, "crawld_recycles_total", reason="manual") == 1,
          "crash and manual counted: %r" % series(s, "crawld_recycles_total"))
    check(get(s, "crawld_worker_spawns_total") == 4, "four spawns")
    check(get(s, "crawld_worker_start_failures_total") == 0, "no start failures")
    new = d.status()["workers"]
    check(all(get(s, "crawld_worker_rss_bytes", worker=w["id"], pid=w["pid"]) for w in new),
          "RSS gauges carry the new pids")

    # ---- an ended job gives back what it held for writing ----
    # (its record batch buffer, 64 KB at least, and its row cache: each ended
    # job kept ~80 KB here, ~1.5 MB with JS pages, for the daemon's life)
    def live():
        return get(parse(metrics(d))[0], "crawld_alloc_live_bytes")

    pages = [BASE + "/site/p/%d.html?mem" % i for i in range(20)]
    d.wait_job(d.submit(pages, "--no-js", "--depth", "0"))
    before = live()
    for k in range(6):
        d.wait_job(d.submit([u + "%d" % k for u in pages], "--no-js", "--depth", "0"))
    after = live()
    check(before and after is not None and after - before < 6 * 24 * 1024,
          "six more ended jobs keep under 24 KB each: %r -> %r bytes" % (before, after))

    # ---- --json: the reply object; usage errors ----
    rc, out, err = d.ctl("--json", "metrics")
    rep = json.loads(out) if rc == 0 else {}
    check(rep.get("ok") is True and "crawld_up 1\n" in rep.get("metrics", ""),
          "--json prints the reply: %r" % out[:200])
    rc, out, err = d.ctl("metrics", "extra")
    check(rc == 2 and "takes no arguments" in err, "metrics with an argument: %d %r" % (rc, err))
    rc, _, _ = d.ctl("cancel", str(j3))
    check(rc == 0, "cancel job 3")
    check(d.stop() == 0, "crawld exits 0")
finally:
    dump_log_on_failure(d)
    check(d.cleanup(), "no worker left behind")
finish("metrics")
