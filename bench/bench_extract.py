#!/usr/bin/env python3
"""The cost of --extract (bench/bench_extract.sh): the same pages crawled by
a fresh crawld without and with four selectors, per mode (--no-js: the
worker builds a gumbo tree only for the selectors; --js: the tree the
scripts ran on is there already). Per crawl: pages/s (submit to the job's
end) and the workers' CPU (utime + stime from /proc, before the submit and
after the end; no worker is recycled in a crawl this short) per page.

usage: bench_extract.py BASE_URL   (CRAWLD_BIN; env RUNS, WORKERS, MODES, RESULTS)"""
import json, os, sys, time
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from daemon_lib import check  # noqa: E402
from crawl_lib import crawl_daemon  # noqa: E402
import pydocs  # noqa: E402

BASE = sys.argv[1]
RUNS = int(os.environ.get("RUNS", "1"))
WORKERS = int(os.environ.get("WORKERS", "2"))
MODES = os.environ.get("MODES", "no-js js").split()
RESULTS = os.environ.get("RESULTS", os.path.join(HERE, "results"))
EXTRACT = ["h1=h1", "headerlinks=.headerlink@href", "functions=dl.function > dt",
           "external=a[href^=\"http\"]@href"]
TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / TICK


def crawl(pages, mode, extract):
    d = crawl_daemon("bench-extract", workers=WORKERS)
    try:
        d.start()
        pids = [w["pid"] for w in d.status()["workers"] if w.get("pid")]
        c0 = sum(cpu_s(p) for p in pids)
        opts = ["--depth", "0", "--" + mode, "--max-pages", str(len(pages) + 1)]
        for s in EXTRACT if extract else []:
            opts += ["--extract", s]
        t0 = time.time()
        jid = d.submit([BASE + p for p in pages], *opts)
        rc, out, err = d.ctl("wait", str(jid), "--timeout", "900")
        wall = time.time() - t0
        check(rc == 0, "crawl done: %r %r" % (out, err))
        now = [w["pid"] for w in d.status()["workers"] if w.get("pid")]
        check(now == pids, "no worker recycled during the crawl")
        cpu = sum(cpu_s(p) for p in pids) - c0
        recs = d.records(jid)
        ok = sum(1 for r in recs if r.get("status") == 200)
        with_fields = sum(1 for r in recs if r.get("fields"))
        return {"mode": mode, "extract": len(EXTRACT) if extract else 0, "pages": len(recs),
                "ok": ok, "with_fields": with_fields, "wall_s": round(wall, 2),
                "pages_per_s": round(len(recs) / wall, 1),
                "worker_cpu_ms_per_page": round(cpu * 1000 / len(recs), 2)}
    finally:
        d.cleanup()


def main():
    pages = pydocs.library_pages()
    rows = []
    for run in range(RUNS):
        for mode in MODES:
            for extract in ((False, True) if run % 2 == 0 else (True, False)):
                r = crawl(pages, mode, extract)
                r["run"] = run
                rows.append(r)
                print("bench_extract: %-6s extract=%d pages=%d ok=%d  %6.1f pages/s  "
                      "%7.2f ms worker CPU/page" % (r["mode"], r["extract"], r["pages"], r["ok"],
                                                    r["pages_per_s"], r["worker_cpu_ms_per_page"]),
                      flush=True)
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "extract.jsonl"), "a") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    for mode in MODES:
        a = [r for r in rows if r["mode"] == mode and not r["extract"]]
        b = [r for r in rows if r["mode"] == mode and r["extract"]]
        pa = sum(r["pages_per_s"] for r in a) / len(a)
        pb = sum(r["pages_per_s"] for r in b) / len(b)
        ca = sum(r["worker_cpu_ms_per_page"] for r in a) / len(a)
        cb = sum(r["worker_cpu_ms_per_page"] for r in b) / len(b)
        print("bench_extract: %s: pages/s %.1f -> %.1f (%+.1f%%), worker CPU/page %.2f -> %.2f ms "
              "(%+.1f%%)" % (mode, pa, pb, (pb / pa - 1) * 100, ca, cb, (cb / ca - 1) * 100))


main()
