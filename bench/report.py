#!/usr/bin/env python3
"""report — bench/results/peers.json (bench/bench_peers.py) to REPORT.md and
PNG charts with gnuplot: throughput.png, memory.png, rss_time.png.
usage: bench/report.py RESULTS_JSON OUT_DIR"""
import json, os, statistics, subprocess, sys

NOJS_PEERS = ("wget2 no JS", "scrapy no JS", "crawlee-cheerio no JS")
ORDER = ["crawld no JS", "crawld JS", "wget2 no JS", "scrapy no JS", "crawlee-cheerio no JS",
         "crawlee-jsdom JS", "chromium JS"]
LABEL = {"crawld no JS": "crawld --no-js", "crawld JS": "crawld --js", "wget2 no JS": "wget2",
         "scrapy no JS": "Scrapy", "crawlee-cheerio no JS": "Crawlee CheerioCrawler",
         "crawlee-jsdom JS": "Crawlee JSDOMCrawler (runScripts)",
         "chromium JS": "headless Chromium (playwright-core)"}
SHORT = {"crawld no JS": "crawld-nojs", "crawld JS": "crawld-js", "wget2 no JS": "wget2",
         "scrapy no JS": "scrapy", "crawlee-cheerio no JS": "cheerio",
         "crawlee-jsdom JS": "jsdom-js", "chromium JS": "chromium-js"}


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def summary(c):
    runs = c["runs"]
    m = next(r for r in runs if r["run"] == c["median_run"])
    return {"pages": m["pages"], "pages_all": [r["pages"] for r in runs],
            "rate": med([r["rate"] for r in runs]), "rates": [r["rate"] for r in runs],
            "steady": med([r["steady_rate"] for r in runs]),
            "peak_mb": med([r["peak_rss_kb"] for r in runs]) / 1024,
            "peak_max_mb": max(r["peak_rss_kb"] for r in runs) / 1024,
            "seconds": med([r["seconds"] for r in runs]),
            "exits": [r["exit"] for r in runs], "cmd": m["cmd"], "median": m,
            "cpu_ms": med([r["cpu_s"] / r["pages"] * 1000 if r.get("cpu_s") is not None and r["pages"]
                           else None for r in runs]),
            "load": [r.get("load1_before") for r in runs],
            "missed": c.get("chromium_pages_missed"),
            "script_errors": m.get("pages_with_script_errors"),
            "missed_ex": c.get("chromium_pages_missed_examples") or []}


def worker_drift(m):
    """Worker RSS flat? For each worker that lived through most of the run:
    mean RSS over the second quarter of the run against the last quarter."""
    ws = m.get("workers") or {}
    if not m.get("series"):
        return None
    T = m["series"][-1][0]
    out = []
    for pid, pts in ws.items():
        q2 = [r for t, r in pts if T * 0.25 <= t < T * 0.5]
        q4 = [r for t, r in pts if t >= T * 0.75]
        if len(q2) >= 3 and len(q4) >= 3:
            a, b = sum(q2) / len(q2), sum(q4) / len(q4)
            out.append((pid, a / 1024, b / 1024, (b - a) / a * 100))
    return out


def fmt(x, f="%.1f"):
    return "n/a" if x is None else f % x


def corpus_section(name, r, L, charts):
    S = {k: summary(r["crawlers"][k]) for k in ORDER if k in r["crawlers"]}
    ex = r.get("extra") or {}
    if name in ("gen", "long"):
        L.append("### Corpus `%s`: generated site, %d pages, %d with JS (share %.2f)%s"
                 % (name, ex.get("pages", 0), ex.get("js_pages", 0), ex.get("js_share", 0),
                    ": a long crawl, crawld --js alone, once" if name == "long" else ""))
        L.append("")
        L.append("Seed `%s`. From the seed, %d pages are reachable when page scripts run, %d when they "
                 "do not (links of JS pages exist only after their scripts ran: appendChild, innerHTML, "
                 "document.write, timers, DOMContentLoaded, fetch() of JSON, data-href, shared external "
                 "scripts; bench/bench_js.py's page generator)." % (r["seed"], ex.get("reachable_js", 0),
                                                                    ex.get("reachable_nojs", 0)))
    else:
        L.append("### Corpus `pydocs`: the Python documentation (Debian %s)" % ex.get("package", "python3-doc"))
        L.append("")
        L.append("Served from `%s` (%d .html files; the pages also link to `_sources/*.txt`, which every "
                 "crawler fetches but which are not counted as pages). Seed `%s`."
                 % (ex.get("root"), ex.get("html_files", 0), r["seed"]))
    L.append("")
    L.append("Each crawler %d times, cap %d pages (JSDOMCrawler and Chromium: %d), timeout %d s; the median run by pages/s. "
             "Peak RSS: the whole process tree, summed, sampled every 100 ms (median of the runs; max in "
             "brackets). Steady pages/s: between the first and the last page found (without start-up). CPU ms/page: "
             "user+system time of the whole tree per page found (other engineers' jobs share this machine: the "
             "1-minute load average before each run is in the last column)."
             % (r["runs"], r["max_pages"], r.get("slow_max_pages", r["max_pages"]), r["timeout"]))
    L.append("")
    L.append("| crawler | pages found | pages/s (median) | pages/s of each run | steady pages/s | "
             "CPU ms/page | peak RSS MB | Chromium's pages missed | pages with script errors | exit | "
             "load avg before |")
    L.append("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for k, s in S.items():
        L.append("| %s | %d%s | **%.1f** | %s | %s | %s | %.1f (%.1f) | %s | %s | %s | %s |" % (
            LABEL[k], s["pages"],
            "" if len(set(s["pages_all"])) == 1 else " (%s)" % "/".join(map(str, s["pages_all"])),
            s["rate"], " / ".join("%.1f" % x for x in s["rates"]), fmt(s["steady"]), fmt(s["cpu_ms"], "%.2f"),
            s["peak_mb"], s["peak_max_mb"], "n/a" if s["missed"] is None else s["missed"],
            "n/a" if s["script_errors"] is None else s["script_errors"], " ".join(map(str, s["exits"])), " ".join(fmt(x, "%.1f") for x in s["load"])))
    fl = r.get("floor")
    floor = med(fl["rates"]) if fl and fl.get("rates") else None
    L.append("")
    if floor:
        L.append("Floor (build/bench/bench_floor: one libcurl easy handle, keep-alive, fetching the %d pages "
                 "crawld found without JS, and a gumbo parse of each; no link extraction, no queue, no "
                 "output, one process): **%.1f pages/s** (rounds: %s; fetch only: %s pages/s)."
                 % (fl["pages"], floor, " / ".join("%.1f" % x for x in fl["rates"]),
                    fmt(fl.get("fetch_only_rate"))))
    L.append("")
    # targets
    T = []
    c0, cj, ch = S.get("crawld no JS"), S.get("crawld JS"), S.get("chromium JS")
    peers = [(k, S[k]) for k in NOJS_PEERS if k in S]
    if c0 and peers:
        fk, fp = max(peers, key=lambda kv: kv[1]["rate"])
        x = c0["rate"] / fp["rate"]
        T.append(("JS off: >= 2x the pages/s of the fastest peer", "%.1f / %.1f (%s) = %.2fx"
                  % (c0["rate"], fp["rate"], LABEL[fk], x), x >= 2))
        if c0["cpu_ms"] and fp["cpu_ms"]:
            xc = fp["cpu_ms"] / c0["cpu_ms"]
            T.append(("(same in CPU per page)", "%.2f vs %.2f ms = %.2fx" % (c0["cpu_ms"], fp["cpu_ms"], xc),
                      xc >= 2))
        if c0["steady"] and fp["steady"]:
            xs = c0["steady"] / fp["steady"]
            T.append(("(same, steady pages/s, start-up left out)", "%.1f / %.1f = %.2fx"
                      % (c0["steady"], fp["steady"], xs), xs >= 2))
    if c0 and floor:
        x = c0["rate"] / floor
        T.append(("JS off: >= 70% of the floor", "%.1f / %.1f = %.0f%%" % (c0["rate"], floor, x * 100),
                  x >= 0.7))
        if c0["steady"]:
            xs = c0["steady"] / floor
            T.append(("(same, steady pages/s)", "%.1f / %.1f = %.0f%%" % (c0["steady"], floor, xs * 100),
                      xs >= 0.7))
    jc = r.get("js_clean")
    if cj and ch and jc:
        L.append("Script errors (median runs): of the %d pages both crawld --js and Chromium fetched, %d had a "
                 "script error in crawld alone, %d in Chromium alone; both ran every script without error on %d%s."
                 % (jc["pages_both"], jc["crawld_errors_only"], jc["chromium_errors_only"], jc["clean"],
                    (" (crawld's errors, e.g.: " + "; ".join(e.replace("|", "/")[:120] for e in
                                                           jc["error_examples"][:3]) + ")")
                    if jc.get("error_examples") else ""))
        L.append("")
        if jc.get("crawld_rate") and jc.get("chromium_rate"):
            x = jc["crawld_rate"] / jc["chromium_rate"]
            T.append(("JS on: >= 10x headless Chromium's pages/s (only the %d pages where both ran every script "
                      "without error)" % jc["clean"], "%.1f / %.1f = %.1fx (whole runs: %.1f / %.1f = %.1fx)"
                      % (jc["crawld_rate"], jc["chromium_rate"], x, cj["rate"], ch["rate"], cj["rate"] / ch["rate"]),
                      x >= 10))
        else:
            T.append(("JS on: >= 10x headless Chromium's pages/s", "no page where both ran every script without "
                      "error", None))
    elif cj and ch:
        x = cj["rate"] / ch["rate"]
        T.append(("JS on: >= 10x headless Chromium's pages/s (every page; script errors not recorded)",
                  "%.1f / %.1f = %.1fx" % (cj["rate"], ch["rate"], x), x >= 10))
    if cj and ch:
        if cj["cpu_ms"] and ch["cpu_ms"]:
            xc = ch["cpu_ms"] / cj["cpu_ms"]
            T.append(("(same in CPU per page, less sensitive to a busy machine)", "%.1f vs %.1f ms = %.1fx"
                      % (cj["cpu_ms"], ch["cpu_ms"], xc), xc >= 10))
        mr = ch["peak_mb"] / cj["peak_mb"]
        T.append(("JS on: <= 1/5 of Chromium's memory (peak tree RSS)", "%.1f MB vs %.1f MB = 1/%.1f"
                  % (cj["peak_mb"], ch["peak_mb"], mr), mr >= 5))
        T.append(("JS on: every page Chromium finds", "%d of Chromium's %d pages missed%s"
                  % (cj["missed"] or 0, ch["pages"], (": " + ", ".join(cj["missed_ex"])) if cj["missed"] else ""),
                  not cj["missed"]))
    for key in ("crawld no JS", "crawld JS"):
        m = S[key]["median"] if key in S else {}
        if m.get("cpu_supervisor_s") is not None and m.get("cpu_s") and m["pages"]:
            L.append("%s, median run: CPU %.2f ms/page, of which crawld (supervisor: frontier, SQLite, "
                     "pages.jsonl) %.2f ms and its workers (fetch, parse%s) %.2f ms."
                     % (LABEL[key], m["cpu_s"] / m["pages"] * 1000, m["cpu_supervisor_s"] / m["pages"] * 1000,
                        ", scripts" if key == "crawld JS" else "",
                        (m["cpu_s"] - m["cpu_supervisor_s"]) / m["pages"] * 1000))
            L.append("")
    for key in ("crawld JS", "crawld no JS"):
        if key in S:
            d = worker_drift(S[key]["median"])
            if d:
                worst = max(abs(x[3]) for x in d)
                T.append(("%s: worker RSS flat (2nd vs last quarter of the crawl, within 5%%)" % LABEL[key],
                          "; ".join("worker %s %.1f -> %.1f MB (%+.1f%%)" % x for x in d), worst <= 5))
            else:
                T.append(("%s: worker RSS flat" % LABEL[key], "crawl too short to tell (under 12 samples "
                          "per quarter)", None))
    if T:
        L.append("| target | measured | |")
        L.append("| --- | --- | --- |")
        for what, got, ok in T:
            L.append("| %s | %s | %s |" % (what, got, "n/a" if ok is None else ("met" if ok else "**NOT met**")))
        L.append("")
    L.append("Commands (`$RUN` is the run's scratch directory):")
    L.append("")
    L.append("```")
    for k, s in S.items():
        L.append("%s: %s" % (SHORT[k], s["cmd"]))
    if fl:
        L.append("floor: %s" % fl["cmd"])
    L.append("```")
    L.append("")
    charts[name] = (S, floor)


def gnuplot(script, cwd):
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True, cwd=cwd)
    if r.returncode != 0:
        sys.stderr.write("report: gnuplot failed: %s\n" % r.stderr[-2000:])
    return r.returncode == 0


def charts(res, charts_in, out):
    names = [n for n in charts_in if n != "long"] or list(charts_in)
    keys = [k for k in ORDER if any(k in charts_in[n][0] for n in names)]
    # throughput / memory: one row per crawler, one column per corpus
    with open(os.path.join(out, "bars.dat"), "w") as f:
        f.write("crawler " + " ".join("%s_rate %s_mem" % (n, n) for n in names) + "\n")
        for k in keys:
            row = [SHORT[k]]
            for n in names:
                s = charts_in[n][0].get(k)
                row += ["%.2f" % s["rate"], "%.2f" % s["peak_mb"]] if s else ["NaN", "NaN"]
            f.write(" ".join(row) + "\n")
    cols = " ".join(str(2 + 2 * i) for i in range(len(names)))
    common = ('set terminal pngcairo size 1000,520 font "sans,10"\nset style data histogram\n'
              'set style histogram clustered gap 1\nset style fill solid 0.8 border -1\n'
              'set xtics rotate by -25\nset grid ytics\nset key top right\n')
    plot_r = ", ".join("'bars.dat' using %d:xtic(1) title '%s'" % (2 + 2 * i, n) for i, n in enumerate(names))
    plot_m = ", ".join("'bars.dat' using %d:xtic(1) title '%s'" % (3 + 2 * i, n) for i, n in enumerate(names))
    del cols
    gnuplot(common + "set output 'throughput.png'\nset title 'Pages per second (median of runs; log scale)'\n"
            "set logscale y\nset ylabel 'pages/s'\nplot " + plot_r + "\n", out)
    gnuplot(common + "set output 'memory.png'\nset title 'Peak RSS of the whole process tree (median of runs; "
            "log scale)'\nset logscale y\nset ylabel 'MB'\nplot " + plot_m + "\n", out)
    # RSS over time: the longest crawld JS run (gen if there) and Chromium's
    n = next((c for c in ("long", "gen") if c in charts_in), names[0])
    S = charts_in[n][0]
    plots = []
    for k, title in (("crawld JS", "crawld --js, whole tree"), ("chromium JS", "Chromium, whole tree"),
                     ("crawld no JS", "crawld --no-js, whole tree")):
        if k in S and S[k]["median"].get("series"):
            fn = "rss_%s.dat" % SHORT[k]
            with open(os.path.join(out, fn), "w") as f:
                for t, kb in S[k]["median"]["series"]:
                    f.write("%.3f %.2f\n" % (t, kb / 1024))
            plots.append("'%s' using 1:2 with lines lw 2 title '%s'" % (fn, title))
    if "crawld JS" in S:
        for i, (pid, pts) in enumerate(sorted((S["crawld JS"]["median"].get("workers") or {}).items())):
            fn = "rss_worker_%d.dat" % i
            with open(os.path.join(out, fn), "w") as f:
                for t, kb in pts:
                    f.write("%.3f %.2f\n" % (t, kb / 1024))
            plots.append("'%s' using 1:2 with lines title 'crawld --js worker %s'" % (fn, pid))
    if plots:
        gnuplot('set terminal pngcairo size 1000,520 font "sans,10"\nset output "rss_time.png"\n'
                "set title 'RSS over time, corpus %s (median runs; sampled every 100 ms)'\n"
                "set xlabel 'seconds since start'\nset ylabel 'MB'\nset logscale y\nset grid\n"
                "set key outside bottom center horizontal\nplot %s\n" % (n, ", ".join(plots)), out)


def netbench_section(results, L):
    """The real-network rows (bench/netbench.sh: many origins that answer
    late) from netbench.md beside peers.json, when a run left one there
    (`make bench` runs both into bench/results)."""
    try:
        with open(os.path.join(results, "netbench.md")) as f:
            md = f.read().splitlines()
    except OSError:
        return
    L.append("## Real network: many origins that answer late (bench/netbench.sh)")
    L.append("")
    L.append("Its own run (the date and commit below may differ from this report's); the whole "
             "table of bench/results/netbench.md:")
    L.append("")
    L.extend(("#" + line) if line.startswith("#") else line for line in md[1:])
    L.append("")


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    res = json.load(open(sys.argv[1]))
    out = sys.argv[2]
    meta = res.pop("_meta", {})
    v = meta.get("versions", {})
    env = meta.get("env", {})
    L = ["# crawld against other crawlers", ""]
    L.append("Run of %s, commit %s, host %s: %s CPUs (%s), %s RAM. One corpus at a time, one crawler at a "
             "time, each against nginx on 127.0.0.1 (nginx-light, one worker process)."
             % (meta.get("date", "?"), meta.get("commit", "?"), meta.get("host", "?"), v.get("cpus", "?"),
                v.get("cpu", "?"), v.get("mem", "?")))
    L.append("")
    for note in meta.get("notes") or []:
        L.append("Note: " + note)
        L.append("")
    L.append("Reproduce: `make bench-peers` (or `PAGES=%s JS_SHARE=%s RUNS=%s bash bench/bench_peers.sh build`)."
             % (env.get("PAGES") or 2000, env.get("JS_SHARE") or 0.3, env.get("RUNS") or 3))
    L.append("Settings of this run: " + ", ".join("%s=%s" % kv for kv in env.items() if kv[1]) + ".")
    L.append("")
    L.append("Versions: " + "; ".join("%s %s" % (k, v[k]) for k in
                                       ("wget2", "scrapy", "crawlee", "playwright-core", "chromium", "node",
                                        "nginx") if k in v) + ".")
    L.append("")
    L.append("How each is run: crawld with %s workers (`--no-js` / `--js`, no delay, per-host concurrency 4, "
             "robots.txt obeyed); wget2 recursive with its default 5 threads; Scrapy with its defaults "
             "(16 requests in flight, 8 per domain; robots.txt off, cookies off); Crawlee 3 CheerioCrawler and "
             "JSDOMCrawler (runScripts: true, 24 ms of timers awaited after load) with their autoscaled "
             "pools, storage in memory; Debian's Chromium through playwright-core, %s tabs of one browser, "
             "each page: load event, a 12+12 ms timer chain, any request still in flight, then every "
             "a[href] but rel=nofollow ones (crawld does not follow those either). All follow every link on the seed's host (crawld: scope host, depth 1000). Pages per "
             "second count the whole run, start-up included (crawld: starting the daemon and its workers, "
             "submit, wait for the job's end)."
             % (next(iter(res.values()))["workers"] if res else 2, env.get("PLAYWRIGHT_TABS") or 4))
    L.append("")
    L.append("Charts: [throughput.png](throughput.png), [memory.png](memory.png), "
             "[rss_time.png](rss_time.png).")
    L.append("")
    ch = {}
    for name, r in res.items():
        corpus_section(name, r, L, ch)
    os.makedirs(out, exist_ok=True)
    if ch and any(ch[n][0] for n in ch):
        charts(res, ch, out)
    netbench_section(os.path.dirname(os.path.abspath(sys.argv[1])), L)
    with open(os.path.join(out, "REPORT.md"), "w") as f:
        f.write("\n".join(L) + "\n")
    print("\n".join(L))
    print("report: %s/REPORT.md" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
