"""Soak: the real daemon crawls a generated JS site (bench/bench_js.py gen)
for a fixed time while the RSS of crawld and of every worker is sampled
once a second from /proc; then a trend check and a gnuplot PNG.

    python3 bench/soak.py run --bin BUILD --base URL --pages N --duration S
                              --workers W --data FILE --png FILE --report FILE

One job crawls the whole site (--depth 1000 --max-pages N, JS on, no
politeness); when it ends before the time is up the same crawl is submitted
again (a new job: pages are fetched again). Data file columns:
  t_s  pages_done  crawld_mb  known_urls  worker_0_mb … worker_W-1_mb  db_cache_mb
(known_urls: URLs the running jobs hold, done + pending + in flight:
crawld's state grows with them, so its RSS is reported per known URL too)
(per worker slot: a recycled worker's successor continues its slot's
line; NaN while the slot has no live worker).
(db_cache_mb: of crawld's RSS, the state database's page cache, from
`status`: a bounded cache — cache_size, 32 MB — that fills as the frontier's
database grows, so crawld's trend is checked on its RSS without it, and the
cache against its cap.)

Trend check, on each series and on the sum of the workers: mean of the
second 10% of samples (the first is start-up) against the last 10%, and the slope of a least-squares line
over everything after the first 10% (warm-up), in MB per hour."""
import argparse, os, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import daemon_lib  # noqa: E402
from daemon_lib import Daemon  # noqa: E402


def rss_mb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")


def slope_per_hour(ts, ys):
    """Least-squares slope of ys over ts (seconds), in units per hour."""
    n = len(ts)
    if n < 2:
        return float("nan")
    mt, my = mean(ts), mean(ys)
    var = sum((t - mt) ** 2 for t in ts)
    if var == 0:
        return float("nan")
    return sum((t - mt) * (y - my) for t, y in zip(ts, ys)) / var * 3600.0


def trend(name, ts, ys):
    pts = [(t, y) for t, y in zip(ts, ys) if y is not None]
    if len(pts) < 20:
        return "%-12s too few samples (%d)" % (name, len(pts)), None
    k = max(1, len(pts) // 10)
    # The first decile is start-up (processes loading, arenas and JS heap
    # growing to their working size): the second one is the baseline.
    first, last = mean([y for _, y in pts[k:2 * k]]), mean([y for _, y in pts[-k:]])
    rest = pts[k:]
    s = slope_per_hour([t for t, _ in rest], [y for _, y in rest])
    change = (last - first) / first * 100 if first else float("nan")
    line = ("%-12s 10-20%% %7.1f MB  last 10%% %7.1f MB  change %+6.1f%%  slope %+7.2f MB/h"
            "  min %6.1f  max %6.1f" % (name, first, last, change, s,
                                        min(y for _, y in pts), max(y for _, y in pts)))
    return line, change


def run(a):
    conf = ("[politeness]\ndelay_ms = 0\nobey_robots = false\nper_host_concurrency = %d\n"
            % a.workers)
    d = Daemon("soak", conf=conf, workers=a.workers, crawl=True)
    start_url = a.base + "/p/0.html"
    rows = []
    jobs = []
    pages_before = 0  # pages of jobs already ended
    try:
        d.start()
        t0 = time.time()
        jid = d.submit([start_url], "--depth", "1000", "--max-pages", str(a.pages), "--js")
        jobs.append(jid)
        next_tick = t0
        with open(a.data, "w") as f:
            f.write("# t_s pages_done crawld_mb known_urls %s db_cache_mb\n"
                    % " ".join("worker_%d_mb" % i for i in range(a.workers)))
            while True:
                now = time.time()
                if now - t0 >= a.duration:
                    break
                st = d.status()
                job = d.job(jid)
                done = pages_before + job["done"] + job["failed"]
                known = job["done"] + job["failed"] + job["pending"] + job.get("in_flight", 0)
                if job["state"] not in ("running", "paused"):
                    pages_before += job["done"] + job["failed"]
                    jid = d.submit([start_url], "--depth", "1000", "--max-pages", str(a.pages),
                                   "--js")
                    jobs.append(jid)
                slots = [None] * a.workers
                for w in st["workers"]:
                    i = w.get("id", 0)
                    if w.get("pid") and 0 <= i < a.workers:
                        slots[i] = rss_mb(w["pid"])
                dbc = st.get("db_cache_mb")
                row = (now - t0, done, rss_mb(d.proc.pid), slots, known,
                       dbc if dbc is not None and dbc >= 0 else None)
                rows.append(row)
                f.write("%.1f %d %s %d %s %s\n" % (row[0], done, "%.2f" % row[2] if row[2] else "NaN",
                                                   known,
                                                   " ".join("%.2f" % s if s else "NaN" for s in slots),
                                                   "%.2f" % row[5] if row[5] is not None else "NaN"))
                f.flush()
                next_tick += a.interval
                time.sleep(max(0.0, next_tick - time.time()))
        st = d.status()
        final_jobs = [d.job(j) for j in jobs]
        d.stop()
    finally:
        d.cleanup()
    elapsed = rows[-1][0] if rows else 0
    pages = rows[-1][1] if rows else 0
    ts = [r[0] for r in rows]
    lines = ["soak: %d workers, %.0f s, %d pages (%.1f pages/s), %d jobs, %d samples"
             % (a.workers, elapsed, pages, pages / elapsed if elapsed else 0, len(jobs), len(rows)),
             "recycles: %s" % st.get("recycles"),
             "jobs: %s" % ", ".join("%d %s done=%d failed=%d" % (j["id"], j["state"], j["done"],
                                                                j["failed"]) for j in final_jobs)]
    verdicts = []
    line, ch = trend("crawld", ts, [r[2] for r in rows])
    lines.append(line)
    own = [r[2] - r[5] if r[2] is not None and r[5] is not None else None for r in rows]
    line, ch = trend("crawld-db", ts, own)
    lines.append(line + "   (crawld without the database page cache)")
    verdicts.append(("crawld without the db cache", ch))
    caches = [r[5] for r in rows if r[5] is not None]
    if caches:
        lines.append("db cache     %.1f -> %.1f MB, max %.1f MB (cap: cache_size 32 MB)%s"
                     % (caches[0], caches[-1], max(caches),
                        "" if max(caches) <= 32.5 else "  OVER ITS CAP"))
        if max(caches) > 32.5:
            verdicts.append(("db cache over its cap", float("inf")))
    k = max(1, len(rows) // 10)
    if len(rows) >= 20:
        dk = rows[-1][4] - rows[k][4]
        dm = (rows[-1][2] or 0) - (rows[k][2] or 0)
        lines.append("crawld       %+.2f MB while the known URLs went %d -> %d (%s bytes per URL)"
                     % (dm, rows[k][4], rows[-1][4],
                        "%.0f" % (dm * 1048576 / dk) if dk > 0 else "n/a"))
    for i in range(a.workers):
        line, ch = trend("worker %d" % i, ts, [r[3][i] for r in rows])
        lines.append(line)
    tot = [sum(s for s in r[3] if s) if all(r[3]) else None for r in rows]
    line, ch = trend("workers sum", ts, tot)
    lines.append(line)
    verdicts.append(("workers", ch))
    bad = [n for n, c in verdicts if c is not None and c > a.max_growth]
    lines.append("trend: %s (limit: last 10%% at most %.0f%% above the 10-20%% baseline)"
                 % ("RISING: " + ", ".join(bad) if bad else "flat", a.max_growth))
    lines.append("data: %s" % a.data)
    lines.append("plot: %s" % a.png)
    report = "\n".join(lines)
    print(report)
    with open(a.report, "w") as f:
        f.write(report + "\n")
    plot(a)
    return 1 if bad else 0


def plot(a):
    cols = " , ".join(
        ["'%s' using ($1/60):3 with lines lw 2 title 'crawld'" % a.data] +
        ["'%s' using ($1/60):($3-$%d) with lines lw 2 title 'crawld without the db page cache'"
         % (a.data, 5 + a.workers)] +
        ["'%s' using ($1/60):%d with lines dt 3 title 'db page cache (cap 32 MB)'"
         % (a.data, 5 + a.workers)] +
        ["'%s' using ($1/60):%d with lines title 'worker slot %d'" % (a.data, 5 + i, i)
         for i in range(a.workers)] +
        ["'%s' using ($1/60):2 axes x1y2 with lines dt 2 lc rgb 'gray' title 'pages done'"
         % a.data])
    script = """set terminal pngcairo size 1200,600 noenhanced
set output '%s'
set title 'crawld soak: RSS per process (sampled each second)'
set xlabel 'minutes'
set ylabel 'RSS (MB)'
set y2label 'pages done'
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set key top left
set grid
plot %s
""" % (a.png, cols)
    try:
        r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    except FileNotFoundError:
        print("soak: gnuplot not found (apt-get install gnuplot-nox): no PNG", file=sys.stderr)
        return
    if r.returncode != 0:
        print("soak: gnuplot failed: %s" % r.stderr, file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--bin", required=True)
    r.add_argument("--base", required=True)
    r.add_argument("--pages", type=int, default=50000)
    r.add_argument("--duration", type=float, default=1800)
    r.add_argument("--interval", type=float, default=1.0)
    r.add_argument("--workers", type=int, default=2)
    r.add_argument("--max-growth", type=float, default=10.0)
    r.add_argument("--data", required=True)
    r.add_argument("--png", required=True)
    r.add_argument("--report", required=True)
    a = ap.parse_args()
    daemon_lib.BIN = os.path.abspath(a.bin)
    sys.exit(run(a))


if __name__ == "__main__":
    main()
