#!/usr/bin/env python3
"""bench_daemon — what the supervisor costs.

(a) the worker loop alone: N pages through W `crawld-worker serve`
    processes driven directly over fd-3 socketpairs by a minimal driver
    (reads each frame, does not parse it, sends the next prebuilt task);
(b) the same N pages through crawld with W workers: `crawlctl submit`, then
    the job polled until done (parse, record write and dispatch all in crawld).
Rounds alternate (a) and (b); the best of each is reported. Then crawld's own
RSS (VmRSS and VmHWM) after a crawl with 2 and with 16 workers.

usage: bench_daemon.py BUILD_DIR BASE_URL [PAGES] [ROUNDS]"""
import json, os, resource, select, socket, struct, subprocess, sys, tempfile, time

BIN = os.path.abspath(sys.argv[1])
BASE = sys.argv[2]
PAGES = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
ROUNDS = int(sys.argv[4]) if len(sys.argv) > 4 else 3
WORKERS = 2
SITE = 500


def urls(n, tag):
    return [BASE + "/site/p/%d.html?%s%d" % (i % SITE, tag, i) for i in range(n)]


def write_conf(d, workers):
    conf = os.path.join(d, "crawld.conf")
    with open(conf, "w") as f:
        f.write("[daemon]\nsocket = %s/s.sock\nstate_dir = %s/state\noutput_dir = %s/out\n"
                "workers = %d\nlog_level = warn\n%s[network]\nallow_private = true\n"
                "[politeness]\ndelay_ms = 0\nper_host_concurrency = 64\nobey_robots = false\n"
                % (d, d, d, workers, EXTRA))
    return conf


def recv_frame(s):
    hdr = b""
    while len(hdr) < 4:
        c = s.recv(4 - len(hdr))
        if not c:
            raise EOFError
        hdr += c
    n = struct.unpack(">I", hdr)[0]
    got = 0
    while got < n:
        c = s.recv(min(1 << 20, n - got))
        if not c:
            raise EOFError
        got += len(c)


def frame(obj):
    b = json.dumps(obj).encode()
    return struct.pack(">I", len(b)) + b


def direct(conf, n, tag):
    """(a): W workers, each kept busy by this driver."""
    procs, socks = [], []
    for _ in range(WORKERS):
        a, b = socket.socketpair()
        # Python's fds are close-on-exec (PEP 446): only the dup2'd fd 3 passes.
        p = subprocess.Popen([BIN + "/crawld-worker", "serve", "-c", conf], close_fds=False,
                             preexec_fn=lambda fd=b.fileno(): os.dup2(fd, 3))
        b.close()
        recv_frame(a)  # ready
        procs.append(p)
        socks.append(a)
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    tasks = [frame({"type": "task", "task_id": i + 1, "job_id": 1, "url": u, "depth": 0,
                    "js": JS, "timeout_ms": 22500, "want_text": False})
             for i, u in enumerate(urls(n, tag))]
    t0 = time.time()
    nxt = 0
    # Two tasks per worker outstanding: the next is always there when a page
    # ends, so the workers never wait (a deeper queue changes nothing here:
    # this driver does no work between pages).
    for _ in range(2):
        for s in socks:
            if nxt < n:
                s.sendall(tasks[nxt])
                nxt += 1
    done = 0
    while done < n:
        rl, _, _ = select.select(socks, [], [])
        for s in rl:
            recv_frame(s)
            done += 1
            if nxt < n:
                s.sendall(tasks[nxt])
                nxt += 1
    dt = time.time() - t0
    for s in socks:
        s.close()
    for p in procs:
        p.wait()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
    WORKER_CPU.append(cpu / n * 1e6)
    return n / dt


# JS off by default: the cheapest pages are the supervisor's worst case (the
# site's pages carry one small script, which with JS on costs the worker
# ~5 ms a page and makes the supervisor's share look smaller).
# BENCH_DAEMON_JS=1 measures with JS on.
JS = os.environ.get("BENCH_DAEMON_JS", "0") == "1"
WORKER_CPU = []
DAEMON_CPU = []
# Extra [daemon] lines, e.g. BENCH_DAEMON_CONF="coalesce_us = 0\nqueue_per_worker = 1"
EXTRA = os.environ.get("BENCH_DAEMON_CONF", "").replace("\\n", "\n")
if EXTRA and not EXTRA.endswith("\n"):
    EXTRA += "\n"


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def request(sock, obj):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    s.sendall((json.dumps(obj) + "\n").encode())
    buf = b""
    while not buf.endswith(b"\n"):
        buf += s.recv(1 << 20)
    s.close()
    return json.loads(buf)


def start_daemon(d, workers):
    conf = write_conf(d, workers)
    sock = os.path.join(d, "s.sock")
    p = subprocess.Popen([BIN + "/crawld", "-c", conf, "--foreground"])
    end = time.time() + 30
    while time.time() < end:
        try:
            st = request(sock, {"cmd": "status"})["status"]
            if all(w["state"] == "idle" for w in st["workers"]):
                return p, sock, conf
        except OSError:
            pass
        time.sleep(0.02)
    raise SystemExit("crawld did not come up")


def through_daemon(sock, n, tag, pid=None):
    """(b): one job of n pages; time from submit to done."""
    c0 = cpu_s(pid) if pid else 0
    t0 = time.time()
    # The pages only, as the worker loop gets them: no link following, no
    # robots.txt, no per-host delay (one local host serves every page).
    rep = request(sock, {"cmd": "submit", "urls": urls(n, tag), "js": JS, "depth": 0,
                         "max_pages": n, "obey_robots": False, "delay_ms": 0})
    jid = rep["job"]
    while True:
        j = request(sock, {"cmd": "job", "id": jid})["job"]
        if j["state"] != "running":
            break
        time.sleep(0.01)
    dt = time.time() - t0
    assert j["done"] + j["failed"] == n, j
    if pid:
        DAEMON_CPU.append((cpu_s(pid) - c0) / n * 1e6)
    return n / dt


def proc_mem(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM", "RssAnon"):
                out[k] = int(v.split()[0]) / 1024
    return out


def main():
    d = tempfile.mkdtemp(prefix="bench-daemon.")
    conf = write_conf(d, WORKERS)
    # Warm the server and the page cache.
    direct(conf, 200, "warm")
    daemon, sock, _ = start_daemon(os.path.join(d), WORKERS)
    a, b = [], []
    for r in range(ROUNDS):
        a.append(direct(conf, PAGES, "a%d-" % r))
        b.append(through_daemon(sock, PAGES, "b%d-" % r, daemon.pid))
        print("round %d: worker loop alone %.0f pages/s, through crawld %.0f pages/s"
              % (r + 1, a[-1], b[-1]), flush=True)
    m2 = proc_mem(daemon.pid)
    st = request(sock, {"cmd": "status"})["status"]
    daemon.terminate()
    daemon.wait()
    best_a, best_b = max(a), max(b)
    print("pages=%d workers=%d rounds=%d js=%s" % (PAGES, WORKERS, ROUNDS, JS))
    print("worker loop alone (best):   %.0f pages/s" % best_a)
    print("through crawld (best):      %.0f pages/s" % best_b)
    print("throughput difference:      %.1f %% (best against best; the Python test server on"
          " the same 2 cores makes single rounds vary by ~20 %%)" % ((1 - best_b / best_a) * 100))
    wc, dc = sorted(WORKER_CPU[1:])[len(WORKER_CPU[1:]) // 2], sorted(DAEMON_CPU)[len(DAEMON_CPU) // 2]
    print("CPU per page (median): worker %.0f us (both workers' CPU / pages), crawld %.0f us"
          " (incl. status polling) -> supervisor CPU = %.1f %% of the workers'"
          % (wc, dc, dc / wc * 100))
    print("crawld RSS, 2 workers after %d pages: %.1f MB (peak %.1f MB, private %.1f MB);"
          " workers %.1f MB total" % (PAGES * ROUNDS, m2["VmRSS"], m2["VmHWM"], m2["RssAnon"],
                                      st["rss_mb_total"] - st["rss_mb"]))
    d16 = tempfile.mkdtemp(prefix="bench-daemon16.")
    daemon, sock, _ = start_daemon(d16, 16)
    through_daemon(sock, PAGES, "c-")
    m16 = proc_mem(daemon.pid)
    st = request(sock, {"cmd": "status"})["status"]
    daemon.terminate()
    daemon.wait()
    print("crawld RSS, 16 workers after %d pages: %.1f MB (peak %.1f MB, private %.1f MB);"
          " workers %.1f MB total" % (PAGES, m16["VmRSS"], m16["VmHWM"], m16["RssAnon"],
                                      st["rss_mb_total"] - st["rss_mb"]))
    subprocess.run(["rm", "-rf", d, d16])


main()
