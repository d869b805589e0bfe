#!/usr/bin/env python3
"""The cost of --save text,html,dom,markdown (bench/content.sh): DOCROOT
served by a threaded http.server on 127.0.0.1, crawled with JS from its
index.html by a fresh crawld per run (WORKERS workers, depth 10, MAX_PAGES
pages), once without --save and once with every kind. Per run: pages,
wall time (job created to ended), pages/s, the workers' CPU per page (user +
system of every worker, the exited ones through crawld's cutime/cstime),
and with --save the size of content.jsonl.zst and of its lines.

usage: content.py DOCROOT MAX_PAGES WORKERS   (CRAWLD_BIN: the build)"""
import functools, http.server, json, os, subprocess, sys, threading
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
from daemon_lib import check  # noqa: E402
from crawl_lib import crawl_daemon  # noqa: E402

DOCROOT, MAX_PAGES, WORKERS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
TICK = os.sysconf("SC_CLK_TCK")


def ticks(pid, fields):
    with open("/proc/%d/stat" % pid) as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return sum(int(rest[i - 3]) for i in fields)  # stat's field n is rest[n - 3]


def worker_cpu_s(d):
    """Every worker's user + system seconds so far: the live ones' own, the
    exited ones' through crawld's cutime + cstime (libuv reaps them)."""
    live = sum(ticks(p, (14, 15)) for p in d.worker_pids_now())
    return (live + ticks(d.proc.pid, (16, 17))) / TICK


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet,
                                                                            directory=DOCROOT))
threading.Thread(target=srv.serve_forever, daemon=True).start()
seed = "http://127.0.0.1:%d/index.html" % srv.server_address[1]
rows = []
try:
    for save in (None, "text,html,dom,markdown"):
        d = crawl_daemon("bench-content", workers=WORKERS)
        try:
            d.start()
            c0 = worker_cpu_s(d)
            opts = ["--js", "--depth", "10", "--max-pages", str(MAX_PAGES)]
            if save:
                opts += ["--save", save]
            jid = d.submit([seed], *opts)
            rc, out, err = d.ctl("wait", str(jid), "--timeout", "1800", timeout=1900)
            check(rc == 0, "job done: %r %r" % (out, err))
            cpu = worker_cpu_s(d) - c0
            j = d.job(jid)
            pages, wall = j["done"] + j["failed"], j["ended"] - j["created"]
            row = {"save": save or "none", "pages": pages, "wall_s": round(wall, 2),
                   "pages_per_s": round(pages / wall, 1),
                   "worker_cpu_ms_per_page": round(cpu / pages * 1000, 1)}
            if save:
                z = os.path.join(d.out, str(jid), "content.jsonl.zst")
                raw = subprocess.run(["zstd", "-dc", z], capture_output=True, check=True).stdout
                row["content_zst_kb"] = os.path.getsize(z) // 1024
                row["content_raw_kb"] = len(raw) // 1024
                row["records"] = raw.count(b"\n")
            rows.append(row)
            print(json.dumps(row), flush=True)
            d.stop()
        finally:
            d.cleanup()
finally:
    srv.shutdown()
if len(rows) == 2:
    a, b = rows
    print("same pages: %s (%d, %d)" % (a["pages"] == b["pages"], a["pages"], b["pages"]))
    print("--save text,html,dom,markdown: pages/s %.1f -> %.1f (%+.0f %%), worker CPU/page "
          "%.1f -> %.1f ms (%+.0f %%)"
          % (a["pages_per_s"], b["pages_per_s"], (b["pages_per_s"] / a["pages_per_s"] - 1) * 100,
             a["worker_cpu_ms_per_page"], b["worker_cpu_ms_per_page"],
             (b["worker_cpu_ms_per_page"] / a["worker_cpu_ms_per_page"] - 1) * 100))
