#!/usr/bin/env python3
"""compare — the measuring half of bench/compare.sh (which builds the two
revisions and starts the servers).

  compare.py run --before BIN --after BIN --runs N --daemon-url URL
                 --daemon-pages P --daemon-rounds R --peers "NAME=SEED ..."
                 --max-pages M --timeout S --workers W --tmp DIR --raw FILE
                 [--after-opts "OPTS"]
      RUNS times: bench_daemon.py, then crawld --no-js and --js on each
      corpus (bench_peers.py's one_run, the function behind its crawld
      rows), each once for BIN before and once for BIN after, back to back,
      which goes first alternating. Every measurement runs in a process of
      its own. One JSON line per measurement in FILE. --after-opts: options
      the after side's crawld rows add to `crawlctl submit` (the cost of a
      feature: the same BIN on both sides, the feature on one).

  compare.py table --raw FILE --meta JSON --tolerance PCT --seconds S
                   --loadavg-end L --out FILE.md
      median of each metric per side, after/before, within ±PCT or not;
      printed and written to FILE.md.

  compare.py peer BIN CORPUS SEED JS MAX_PAGES TIMEOUT WORKERS TMP
      one crawld run of bench_peers.py; its result as JSON on stdout."""
import argparse, json, os, re, signal, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))

# (metric, which way is better: +1 higher, -1 lower, 0 must be equal)
DAEMON = [
    ("through crawld, pages/s (best of rounds)", +1),
    ("worker loop alone, pages/s (best of rounds)", +1),
    ("crawld CPU per page, us", -1),
    ("worker CPU per page, us", -1),
]
for _n in (2, 16):
    DAEMON += [("crawld VmRSS after the crawl, %d workers, MB" % _n, -1),
               ("crawld VmHWM (peak), %d workers, MB" % _n, -1),
               ("crawld RssAnon (private), %d workers, MB" % _n, -1),
               ("workers' RSS total, %d workers, MB" % _n, -1)]
# The columns of REPORT.md's crawld rows (bench/report.py).
PEERS = [
    ("pages found", 0),
    ("pages/s", +1),
    ("steady pages/s (first page to last)", +1),
    ("CPU per page (crawld + workers), ms", -1),
    ("peak RSS of the process tree, MB", -1),
]


def parse_daemon(out):
    """bench_daemon.py's summary lines -> {metric: value}."""
    m = {}

    def grab(rx, *names):
        g = re.search(rx, out)
        if not g:
            raise ValueError("bench_daemon output has no match for %r" % rx)
        for name, v in zip(names, g.groups()):
            m[name] = float(v)

    grab(r"through crawld \(best\):\s+([\d.]+)", DAEMON[0][0])
    grab(r"worker loop alone \(best\):\s+([\d.]+)", DAEMON[1][0])
    grab(r"CPU per page \(median\): worker ([\d.]+) us .*crawld ([\d.]+) us", DAEMON[3][0], DAEMON[2][0])
    for i, n in enumerate((2, 16)):
        grab(r"crawld RSS, %d workers after \d+ pages: ([\d.]+) MB \(peak ([\d.]+) MB, private ([\d.]+) MB\);"
             r" workers ([\d.]+) MB total" % n, *[x[0] for x in DAEMON[4 + 4 * i:8 + 4 * i]])
    return m


CHILD = []  # the measurement running now: its own session, so it can be stopped whole
STOPPING = []  # set by SIGTERM


def run_child(argv, env=None):
    """argv in a session of its own (bench_daemon.py leaves its crawld running
    when killed alone); (exit code, stdout, stderr)."""
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, start_new_session=True, env=env)
    CHILD.append(p)
    out, err = p.communicate()
    CHILD.pop()
    try:  # anything of the session left behind
        os.killpg(p.pid, signal.SIGKILL)
    except OSError:
        pass
    return p.returncode, out, err


def on_term(signum, frame):
    """SIGTERM (compare.sh interrupted): TERM to the measurement's session
    (crawld drains, bench_peers' daemon wrapper cleans up), KILL to what is
    left 10 s later, then exit."""
    if not CHILD:
        sys.exit(143)
    signal.signal(signal.SIGALRM, lambda *_: os.killpg(CHILD[0].pid, signal.SIGKILL) if CHILD else None)
    signal.alarm(10)
    try:
        os.killpg(CHILD[0].pid, signal.SIGTERM)
    except OSError:
        pass
    STOPPING.append(True)


def run_daemon(a, bin_dir):
    rc, out, err = run_child([sys.executable, os.path.join(HERE, "bench_daemon.py"), bin_dir, a.daemon_url,
                              str(a.daemon_pages), str(a.daemon_rounds)])
    if rc != 0:
        raise RuntimeError("bench_daemon.py exit %d: %s" % (rc, (out + err)[-1500:]))
    return parse_daemon(out), out


def run_peer(a, bin_dir, corpus, seed, js, tmp, opts=""):
    os.makedirs(tmp, exist_ok=True)
    rc, out, err = run_child([sys.executable, os.path.abspath(__file__), "peer", bin_dir, corpus, seed,
                              "1" if js else "0", str(a.max_pages), str(a.timeout), str(a.workers), tmp],
                             dict(os.environ, CRAWLD_SUBMIT_OPTS=opts))
    if rc != 0:
        raise RuntimeError("crawld run exit %d: %s" % (rc, err[-1500:]))
    res = json.loads(out)
    if res["exit"] != 0:
        raise RuntimeError("crawld run: crawlctl wait exit %s" % res["exit"])
    pages = res["pages"]
    if not pages:
        raise RuntimeError("crawld run: no page found (is the server up?)")
    m = {PEERS[0][0]: pages, PEERS[1][0]: res["rate"], PEERS[2][0]: res["steady_rate"],
         PEERS[3][0]: res["cpu_s"] / pages * 1000 if pages and res.get("cpu_s") is not None else None,
         PEERS[4][0]: res["peak_rss_kb"] / 1024}
    return m, "%d pages in %.2f s, exit %s" % (pages, res["seconds"], res["exit"])


def cmd_run(a):
    signal.signal(signal.SIGTERM, on_term)
    sides = {"before": os.path.abspath(a.before), "after": os.path.abspath(a.after)}
    peers = [p.split("=", 1) for p in a.peers.split()]
    benches = [("bench_daemon", None, None, None)]
    for corpus, seed in peers:
        benches += [("%s no JS" % corpus, corpus, seed, False), ("%s JS" % corpus, corpus, seed, True)]
    if os.path.exists(a.raw):
        os.unlink(a.raw)
    failed = 0
    for k in range(a.runs):
        for i, (name, corpus, seed, js) in enumerate(benches):
            order = ("before", "after") if (k + i) % 2 == 0 else ("after", "before")
            for side in order:
                print("compare: run %d/%d: %s, %s ..." % (k + 1, a.runs, name, side), end="", flush=True)
                rec = {"run": k, "side": side, "bench": name, "load1": os.getloadavg()[0]}
                t0 = time.time()
                try:
                    if corpus is None:
                        rec["metrics"], rec["output"] = run_daemon(a, sides[side])
                        note = "%.0f pages/s through crawld" % rec["metrics"][DAEMON[0][0]]
                    else:
                        rec["metrics"], note = run_peer(a, sides[side], corpus, seed, js,
                                                        os.path.join(a.tmp, side),
                                                        (a.after_opts or "") if side == "after" else "")
                except (RuntimeError, ValueError, KeyError) as e:
                    rec["error"] = str(e)
                    note = "FAILED: %s" % str(e).splitlines()[0][:200]
                    failed += 1
                if STOPPING:
                    sys.exit(143)
                rec["seconds"] = time.time() - t0
                print(" %s (%.1f s)" % (note, rec["seconds"]), flush=True)
                with open(a.raw, "a") as f:
                    f.write(json.dumps(rec) + "\n")
    return 1 if failed else 0


def verdict(ratio, better, tol):
    if ratio is None:
        return "n/a"
    if better == 0:
        return "same" if ratio == 1 else "DIFFERS"
    if abs(ratio - 1) <= tol:
        return "within"
    good = (ratio > 1) == (better > 0)
    return "OUTSIDE (%s)" % ("better" if good else "worse")


def cmd_table(a):
    recs = [json.loads(l) for l in open(a.raw) if l.strip()]
    meta = json.loads(a.meta)
    tol = a.tolerance / 100
    benches = []
    for r in recs:
        if r["bench"] not in benches:
            benches.append(r["bench"])
    rows, outside, unmeasured, errors = [], [], [], [r for r in recs if "error" in r]
    for b in benches:
        spec = DAEMON if b == "bench_daemon" else PEERS
        for metric, better in spec:
            vals = {}
            for side in ("before", "after"):
                vals[side] = [r["metrics"][metric] for r in recs if r["bench"] == b and r["side"] == side
                              and "metrics" in r and r["metrics"].get(metric) is not None]
            med = {s: statistics.median(v) if v else None for s, v in vals.items()}
            # A median of 0 is below the resolution (CPU in clock ticks): no ratio.
            ratio = med["after"] / med["before"] if med["before"] and med["after"] else None
            v = verdict(ratio, better, tol)
            if v == "n/a":
                unmeasured.append("%s: %s" % (b, metric))
            elif v not in ("within", "same"):
                outside.append("%s: %s" % (b, metric))
            spread = []
            for s in ("before", "after"):
                xs = vals[s]
                spread.append("%.1f" % ((max(xs) - min(xs)) / med[s] * 100) if len(xs) > 1 and med[s] else "-")
            if better == 0:  # a count: no x.5 from the median of an even number of runs
                med = {s: int(x) if x is not None and x == int(x) else x for s, x in med.items()}
            rows.append((b + ": " + metric, med["before"], med["after"], ratio, v, "/".join(spread),
                         " ".join(fmt(x) for x in vals["before"]), " ".join(fmt(x) for x in vals["after"])))
    nruns = max((r["run"] for r in recs), default=-1) + 1
    per_run = sum(r["seconds"] for r in recs) / nruns if nruns else 0
    L = ["# crawld: before/after comparison", ""]
    L.append("- before: `%s` (%s) %s" % (meta["before"], meta["before_rev"], meta["before_subject"]))
    L.append("- after:  `%s` (%s) %s" % (meta["after"], meta["after_rev"], meta["after_subject"]))
    L.append("- date %s, host %s, nproc %s (%s), load average at start %s, at end %s"
             % (meta["date"], meta["host"], meta["nproc"], meta["cpu"], meta["loadavg_start"], a.loadavg_end))
    L.append("- harness (bench scripts, test server): `%s`; settings %s"
             % (meta["harness"], ", ".join("%s=%s" % kv for kv in meta["env"].items() if kv[1] is not None)
                or "defaults"))
    L.append("- %d run(s); in each, every benchmark once per revision, back to back, the first of each pair "
             "alternating; load average (1 min) before each measurement %.2f..%.2f"
             % (nruns, min(r["load1"] for r in recs), max(r["load1"] for r in recs)))
    L.append("- time: %d s in all (builds included); %.0f s per run of both sides" % (a.seconds, per_run))
    L.append("")
    L.append("| metric | before (median) | after (median) | after/before | ±%g %% | spread of runs %% (before/after) "
             "| before runs | after runs |" % a.tolerance)
    L.append("| --- | ---: | ---: | ---: | --- | ---: | --- | --- |")
    for name, mb, ma, ratio, v, spread, rb, ra in rows:
        L.append("| %s | %s | %s | %s | %s | %s | %s | %s |"
                 % (name, fmt(mb), fmt(ma), "%.3f" % ratio if ratio is not None else "-", v, spread, rb, ra))
    L.append("")
    if errors:
        L.append("Failed measurements (not counted):")
        L += ["- run %d, %s, %s: %s" % (r["run"] + 1, r["bench"], r["side"], r["error"].splitlines()[0][:300])
              for r in errors]
        L.append("")
    compared = len(rows) - len(unmeasured)
    if outside:
        L.append("Verdict: %d of %d metrics outside ±%g %% or different: %s."
                 % (len(outside), compared, a.tolerance, "; ".join(outside)))
    else:
        L.append("Verdict: every metric compared (%d) within ±%g %%." % (compared, a.tolerance))
    if unmeasured:
        L.append("")
        L.append("Not compared (a median of 0 or no figure; runs too short for the 100 ms CPU sampling?): %s."
                 % "; ".join(unmeasured))
    text = "\n".join(L) + "\n"
    with open(a.out, "w") as f:
        f.write(text)
    sys.stdout.write(text)
    return 0


def fmt(x):
    if x is None:
        return "-"
    if isinstance(x, int):  # pages found
        return "%d" % x
    return "%.0f" % x if abs(x) >= 1000 else "%.1f" % x if abs(x) >= 10 else "%.2f" % x


def cmd_peer(argv):
    bin_dir, corpus, seed, js, max_pages, timeout, workers, tmp = argv
    # SIGTERM unwinds through crawld_run, whose cleanup stops the daemon.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.path.insert(0, HERE)
    import bench_peers  # noqa: E402  (its crawld rows: one_run -> crawld_run)
    a = {"bin": os.path.abspath(bin_dir), "corpus": corpus, "seed": seed, "max_pages": int(max_pages),
         "timeout": float(timeout), "workers": int(workers)}
    r = bench_peers.one_run("crawld", js == "1", a, tmp, 0)
    for k in ("series", "workers", "urls"):
        r.pop(k, None)
    json.dump(r, sys.stdout)
    return 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "peer":
        if len(sys.argv) != 10:
            sys.stderr.write(__doc__)
            return 2
        return cmd_peer(sys.argv[2:])
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("cmd", choices=("run", "table"))
    for opt in ("before", "after", "daemon-url", "peers", "tmp", "raw", "meta", "out", "loadavg-end",
                "after-opts"):
        ap.add_argument("--" + opt)
    for opt in ("runs", "daemon-pages", "daemon-rounds", "max-pages", "workers", "seconds"):
        ap.add_argument("--" + opt, type=int)
    for opt in ("timeout", "tolerance"):
        ap.add_argument("--" + opt, type=float)
    a = ap.parse_args()
    return cmd_run(a) if a.cmd == "run" else cmd_table(a)


if __name__ == "__main__":
    sys.exit(main())
