#!/usr/bin/env python3
"""bench_js — crawld's page JavaScript against headless Chromium.

Targets (issue "JavaScript"): JS pages per second of one crawld worker at
least 10x headless Chromium's; the worker's memory at most a fifth of
Chromium's; the worker's RSS flat over 5,000 JS pages (at most 5% drift
after warm-up, measured from page 500 to the last page).

Two subcommands (bench/bench_js.sh runs both and serves the site):

  bench_js.py gen SITE_DIR PAGES
      writes the site: p/0.html .. p/PAGES-1.html, data/K.json, js/K.js and
      expected.json (each page's links, as paths). A page's links to other
      pages exist ONLY after its scripts ran; see js_site.gen_page() for the mix.

  bench_js.py run --bin BUILD_DIR --base URL --site SITE_DIR --pages N
                  [--chromium-pages M] [--tmp DIR] [--out FILE]
      (1) one `crawld-worker serve` driven over an fd-3 socketpair (two tasks
          outstanding, like crawld keeps one page queued behind a busy worker),
          every page with "js": true, then every page again with "js": false;
      (2) one headless Chromium driven over the DevTools protocol (a minimal
          websocket client below), one tab, the first M pages
          (default min(N, 1000): Chromium is slow; rates are per page).
      Both check every page's links against expected.json. Exit status 1
      when more than 1% of the pages of the crawld JS run (or of the Chromium
      run) have the wrong links: then the comparison means nothing.

Timers: crawld runs timers on virtual time (up to 60 s of it before load,
5 s after), so it never waits. Chromium runs them on the wall clock. The
longest timer chain on any page here is 10 ms + 10 ms (a setTimeout that
sets another), started by a script before load. After Page.loadEventFired
the driver awaits, in the page, the same shape of chain one step longer at
each level: `new Promise(r => setTimeout(() => setTimeout(r, 12), 12))`
(SETTLE_MS = 12 per level). Chromium runs due timers in order of due time,
so the page's outer timer (registered before load) fires before ours, and
its inner one is registered before ours and due before it: however late
the machine runs the timers, the page's chain is done when ours is, i.e.
the page got the timer time crawld simulates for it and not much more.
A fetch() (~1 ms to the local server) that is still in flight then
(Network.* events) is awaited, then 5 ms more for its promise chain.
stdlib only."""
import base64, hashlib, json, os, select, signal, socket, struct, subprocess
import sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
from frames import decode  # noqa: E402  (the worker's result frames)

from js_site import EXT_SCRIPTS, MECHS, TIMER_MS, gen  # noqa: E402  (the site)

SETTLE_MS = TIMER_MS + 2  # Chromium: each level of the chain awaited after load (see above)


# --------------------------------------------------------------------------
# crawld: one worker over fd 3
# --------------------------------------------------------------------------

def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        c = s.recv(min(1 << 20, n - len(buf)))
        if not c:
            raise EOFError
        buf += c
    return bytes(buf)


def recv_frame(s):
    n = struct.unpack(">I", recv_exact(s, 4))[0]
    return decode(recv_exact(s, n))


def frame(obj):
    b = json.dumps(obj).encode()
    return struct.pack(">I", len(b)) + b


def proc_mem_kb(pid):
    """(VmRSS, VmHWM, Pss) of one process in KB; Pss None without smaps_rollup."""
    rss = hwm = pss = None
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        return None, None, None
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, hwm, pss


def cpu_s(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            parts = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


class Worker:
    def __init__(self, bin_dir, conf):
        a, b = socket.socketpair()
        # Python's fds are close-on-exec (PEP 446): only the dup2'd fd 3 passes.
        self.p = subprocess.Popen([os.path.join(bin_dir, "crawld-worker"), "serve", "-c", conf,
                                   "--fd", "3"], close_fds=False,
                                  preexec_fn=lambda fd=b.fileno(): os.dup2(fd, 3))
        b.close()
        self.s = a
        self.ready = recv_frame(a)
        if self.ready.get("type") != "ready":
            raise RuntimeError("worker: expected a ready frame, got %r" % self.ready)

    def replace(self, other):
        self.p, self.s, self.ready = other.p, other.s, other.ready

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        try:
            self.s.close()
        except OSError:
            pass

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def crawld_run(bin_dir, conf, urls, expected, js):
    """All urls through one worker, two tasks outstanding. Returns stats."""
    n = len(urls)
    warm = min(500, max(1, n // 2))
    tasks = [frame({"type": "task", "task_id": i + 1, "job_id": 1, "url": u, "depth": 0,
                    "js": js, "timeout_ms": 22500, "want_text": False})
             for i, u in enumerate(urls)]
    w = Worker(bin_dir, conf)
    try:
        return crawld_loop(w, bin_dir, conf, urls, tasks, expected, warm)
    finally:
        w.kill()


def crawld_loop(w, bin_dir, conf, urls, tasks, expected, warm):
    n = len(urls)
    st = {"pages": n, "mismatch": 0, "mismatch_by_mech": {}, "links_found": 0, "links_expected": 0,
          "pages_without_links": 0, "errors": {}, "script_failed_pages": 0, "first_errors": {},
          "rss_kb": [], "heap_kb": [], "js_ms": 0.0, "restarts": 0, "warm": warm,
          "examples": [], "retire": []}
    cpu0 = cpu_s(w.p.pid)
    t0 = time.time()
    nxt = 0
    outstanding = []
    for _ in range(2):
        if nxt < n:
            w.s.sendall(tasks[nxt])
            outstanding.append(nxt)
            nxt += 1
    done = 0
    pss_samples = []
    while done < n:
        try:
            r = recv_frame(w.s)
        except EOFError:
            # The worker left (retired on RSS, or crashed): crawld would start
            # another and hand it the unfinished pages. Do the same, count it.
            rc = w.p.wait()
            st["restarts"] += 1
            st["retire"].append("after page %d: exit %s" % (done, rc))
            w.close()
            w.replace(Worker(bin_dir, conf))
            for k in outstanding:
                w.s.sendall(tasks[k])
            continue
        if r.get("type") != "result":
            continue
        tid = r["task_id"] - 1
        outstanding.remove(tid)
        if nxt < n:
            w.s.sendall(tasks[nxt])
            outstanding.append(nxt)
            nxt += 1
        done += 1
        page, wk = r.get("page", {}), r.get("worker", {})
        got = set(page.get("links") or [])
        exp = expected[tid]
        st["links_found"] += len(got)
        st["links_expected"] += len(exp["links"])
        if not got:
            st["pages_without_links"] += 1
        if got != exp["links"]:
            st["mismatch"] += 1
            key = "+".join(exp["mechs"])
            st["mismatch_by_mech"][key] = st["mismatch_by_mech"].get(key, 0) + 1
            if len(st["examples"]) < 5:
                st["examples"].append({"url": urls[tid], "missing": sorted(exp["links"] - got),
                                       "extra": sorted(got - exp["links"]), "mechs": exp["mechs"],
                                       "error": page.get("error"),
                                       "js_error": (page.get("js_stats") or {}).get("error")})
        if page.get("error"):
            e = str(page["error"]).split(":")[0]
            st["errors"][e] = st["errors"].get(e, 0) + 1
        js_stats = page.get("js_stats") or {}
        if js_stats.get("failed"):
            st["script_failed_pages"] += 1
            e = str(js_stats.get("error"))[:160]
            st["first_errors"][e] = st["first_errors"].get(e, 0) + 1
        st["js_ms"] += page.get("js_ms") or 0.0
        st["rss_kb"].append(wk.get("rss_kb"))
        st["heap_kb"].append(wk.get("js_heap_kb"))
        if done % 100 == 0 or done == warm or done == n:
            pss_samples.append(proc_mem_kb(w.p.pid)[2])
    dt = time.time() - t0
    cpu1 = cpu_s(w.p.pid)
    rss, hwm, pss = proc_mem_kb(w.p.pid)
    w.close()
    st["seconds"] = dt
    st["rate"] = n / dt
    st["cpu_ms_per_page"] = (cpu1 - cpu0) / n * 1000 if not st["restarts"] else None
    st["hwm_kb"] = hwm
    st["pss_max_kb"] = max([p for p in pss_samples if p] or [0]) or None
    st["rss_warm_kb"] = st["rss_kb"][warm - 1]
    marks = sorted({warm, n} | {k for k in range(1000, n, 1000)})
    st["rss_marks"] = [(k, st["rss_kb"][k - 1], st["heap_kb"][k - 1]) for k in marks]
    st["rss_end_kb"] = st["rss_kb"][-1]
    st["win_warm_kb"] = st["win_end_kb"] = None
    if n >= warm + 200:
        a = [x for x in st["rss_kb"][warm - 1:warm + 99] if x]
        b = [x for x in st["rss_kb"][-100:] if x]
        if a and b:
            st["win_warm_kb"], st["win_end_kb"] = sum(a) / len(a), sum(b) / len(b)
    st["rss_max_kb"] = max(x for x in st["rss_kb"] if x is not None)
    st["heap_warm_kb"] = st["heap_kb"][warm - 1]
    st["heap_end_kb"] = st["heap_kb"][-1]
    return st


# --------------------------------------------------------------------------
# Chromium over the DevTools protocol
# --------------------------------------------------------------------------

class WebSocket:
    """Just enough RFC 6455 for CDP: client frames masked, server frames not;
    fragmented messages reassembled; ping answered; 16/64-bit lengths."""

    def __init__(self, url, timeout=30):
        assert url.startswith("ws://")
        hostport, _, path = url[5:].partition("/")
        host, _, port = hostport.rpartition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (path, hostport, key))
        self.sock.sendall(req.encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            c = self.sock.recv(4096)
            if not c:
                raise ConnectionError("websocket: closed during handshake")
            self.buf += c
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        if " 101 " not in lines[0] + " ":
            raise ConnectionError("websocket: handshake refused: %s" % lines[0])
        want = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                                             .encode()).digest()).decode()
        hdrs = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip()
                for l in lines[1:] if ":" in l}
        if hdrs.get("sec-websocket-accept") != want:
            raise ConnectionError("websocket: bad Sec-WebSocket-Accept")

    def _send_frame(self, opcode, payload):
        hdr = bytearray([0x80 | opcode])
        n = len(payload)
        if n < 126:
            hdr.append(0x80 | n)
        elif n < 65536:
            hdr.append(0x80 | 126)
            hdr += struct.pack(">H", n)
        else:
            hdr.append(0x80 | 127)
            hdr += struct.pack(">Q", n)
        mask = os.urandom(4)
        hdr += mask
        # XOR with the mask, a machine word at a time.
        m = int.from_bytes(mask * ((n + 3) // 4), "little") if n else 0
        p = int.from_bytes(payload, "little") ^ (m & ((1 << (8 * n)) - 1)) if n else 0
        self.sock.sendall(bytes(hdr) + p.to_bytes(n, "little"))

    def send(self, text):
        self._send_frame(0x1, text.encode())

    def _read(self, n):
        while len(self.buf) < n:
            c = self.sock.recv(max(65536, n - len(self.buf)))
            if not c:
                raise ConnectionError("websocket: connection closed")
            self.buf += c
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self):
        """The next whole text or binary message, as str."""
        parts, first_op = [], None
        while True:
            b0, b1 = self._read(2)
            fin, op, masked, n = b0 & 0x80, b0 & 0x0F, b1 & 0x80, b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if masked else None
            data = self._read(n)
            if mask:
                data = bytes(c ^ mask[k & 3] for k, c in enumerate(data))
            if op == 0x9:       # ping
                self._send_frame(0xA, data)
                continue
            if op == 0xA:       # pong
                continue
            if op == 0x8:
                raise ConnectionError("websocket: closed by peer")
            if op in (0x1, 0x2):
                first_op, parts = op, [data]
            elif op == 0x0:
                parts.append(data)
            if fin and first_op is not None:
                return b"".join(parts).decode("utf-8", "replace")

    def close(self):
        try:
            self._send_frame(0x8, b"")
        except OSError:
            pass
        self.sock.close()


class CDP:
    """Commands and events over one websocket. Keeps the ids of the page's
    network requests in flight (Network.* events), so the driver can wait
    for a fetch() a page started without a fixed sleep."""

    def __init__(self, ws):
        self.ws = ws
        self.nid = 0
        self.events = []
        self.inflight = set()

    def _take(self, m):
        meth = m.get("method")
        if not meth:
            return
        p = m.get("params", {})
        if meth == "Network.requestWillBeSent":
            self.inflight.add(p.get("requestId"))
        elif meth in ("Network.loadingFinished", "Network.loadingFailed"):
            self.inflight.discard(p.get("requestId"))
        elif not meth.startswith("Network."):
            self.events.append(m)

    def _next(self, end, what):
        left = end - time.time()
        if left <= 0:
            raise TimeoutError("cdp: %s timed out" % what)
        self.ws.sock.settimeout(left)
        try:
            return json.loads(self.ws.recv())
        except socket.timeout:
            raise TimeoutError("cdp: %s timed out" % what)

    def call(self, method, timeout=30, **params):
        self.nid += 1
        mid = self.nid
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        end = time.time() + timeout
        while True:
            m = self._next(end, method)
            if m.get("id") == mid:
                if "error" in m:
                    raise RuntimeError("cdp: %s: %s" % (method, m["error"]))
                return m.get("result", {})
            self._take(m)

    def wait_event(self, name, timeout=30):
        end = time.time() + timeout
        while True:
            for k, e in enumerate(self.events):
                if e["method"] == name:
                    del self.events[:k + 1]
                    return e
            self.events.clear()
            self._take(self._next(end, "waiting for " + name))

    def wait_network_idle(self, timeout=30):
        end = time.time() + timeout
        while self.inflight:
            self._take(self._next(end, "waiting for the network"))


def descendants(root):
    """root and every process below it (walks /proc)."""
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def tree_mem(root):
    """(sum of VmRSS, sum of Pss or None, process count) over root's tree, in KB."""
    rss = pss = 0
    have_pss = True
    pids = descendants(root)
    for p in pids:
        r, _, s = proc_mem_kb(p)
        rss += r or 0
        if s is None:
            have_pss = False
        else:
            pss += s
    return rss, (pss if have_pss else None), len(pids)


def tree_cpu(root):
    return sum(cpu_s(p) for p in descendants(root))


def chromium_run(urls, warm_urls, expected, tmp):
    exe = None
    for c in ("chromium", "chromium-browser", "google-chrome"):
        for d in os.environ.get("PATH", "").split(":"):
            if os.access(os.path.join(d, c), os.X_OK):
                exe = os.path.join(d, c)
                break
        if exe:
            break
    if not exe:
        return {"skipped": "no chromium on PATH"}
    prof = tempfile.mkdtemp(prefix="chromium.", dir=tmp)
    errlog = open(os.path.join(tmp, "chromium.stderr"), "w+")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
           "--user-data-dir=" + prof,
           # Puppeteer-style quiet profile: no first-run, sync, update or
           # background traffic while we measure.
           "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--disable-default-apps",
           "--disable-extensions", "--mute-audio", "about:blank"]
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errlog,
                         start_new_session=True)
    st = {"pages": len(urls), "mismatch": 0, "mismatch_by_mech": {}, "examples": [],
          "mem": [], "errors": 0, "exe": exe, "network_waits": 0}
    ws = None
    try:
        port = None
        end = time.time() + 60
        while time.time() < end and port is None:
            try:
                with open(os.path.join(prof, "DevToolsActivePort")) as f:
                    first = f.readline().strip()
                    if first.isdigit():
                        port = int(first)
            except OSError:
                pass
            if port is None:
                errlog.seek(0)
                for line in errlog.read().splitlines():
                    if "DevTools listening on ws://" in line:
                        port = int(line.split("ws://", 1)[1].split("/")[0].rsplit(":", 1)[1])
                if p.poll() is not None:
                    errlog.seek(0)
                    raise RuntimeError("chromium exited %s: %s" % (p.returncode, errlog.read()[-2000:]))
                time.sleep(0.05)
        if port is None:
            raise RuntimeError("chromium: no DevTools port after 60 s")
        page_ws = None
        end = time.time() + 30
        while page_ws is None and time.time() < end:
            with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port, timeout=10) as r:
                for t in json.load(r):
                    if t.get("type") == "page" and t.get("webSocketDebuggerUrl"):
                        page_ws = t["webSocketDebuggerUrl"]
                        break
            if page_ws is None:
                time.sleep(0.1)
        if page_ws is None:
            raise RuntimeError("chromium: no page target")
        with urllib.request.urlopen("http://127.0.0.1:%d/json/version" % port, timeout=10) as r:
            st["version"] = json.load(r).get("Browser")
        ws = WebSocket(page_ws)
        cdp = CDP(ws)
        cdp.call("Page.enable")
        cdp.call("Runtime.enable")
        # Network events only to see a page's fetch() in flight; no bodies kept.
        cdp.call("Network.enable", maxTotalBufferSize=0, maxResourceBufferSize=0)
        settle = "new Promise(r => setTimeout(() => setTimeout(r, %d), %d))"
        grab = "Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"

        def visit(u):
            cdp.events.clear()
            cdp.inflight.clear()
            r = cdp.call("Page.navigate", url=u)
            if r.get("errorText"):
                raise RuntimeError("navigate %s: %s" % (u, r["errorText"]))
            cdp.wait_event("Page.loadEventFired")
            cdp.call("Runtime.evaluate", expression=settle % (SETTLE_MS, SETTLE_MS), awaitPromise=True)
            # A fetch() still in flight: wait for it, then give its promise
            # chain (json(), then the DOM work) a few ms of page time.
            while cdp.inflight:
                st["network_waits"] += 1
                cdp.wait_network_idle()
                cdp.call("Runtime.evaluate", expression=settle % (0, 5), awaitPromise=True)
            v = cdp.call("Runtime.evaluate", expression=grab, returnByValue=True)
            return set(v.get("result", {}).get("value") or [])

        for u in warm_urls:
            visit(u)
        mem0 = tree_mem(p.pid)
        st["mem"].append(mem0)
        cpu0 = tree_cpu(p.pid)
        t0 = time.time()
        for k, u in enumerate(urls):
            try:
                got = visit(u)
            except (TimeoutError, RuntimeError) as e:
                st["errors"] += 1
                got = set()
                if len(st["examples"]) < 5:
                    st["examples"].append({"url": u, "error": str(e)})
            exp = expected[k]
            if got != exp["links"]:
                st["mismatch"] += 1
                key = "+".join(exp["mechs"])
                st["mismatch_by_mech"][key] = st["mismatch_by_mech"].get(key, 0) + 1
                if len(st["examples"]) < 5:
                    st["examples"].append({"url": u, "missing": sorted(exp["links"] - got),
                                           "extra": sorted(got - exp["links"]), "mechs": exp["mechs"]})
            if (k + 1) % 100 == 0 or k + 1 == len(urls):
                st["mem"].append(tree_mem(p.pid))
        dt = time.time() - t0
        st["cpu_ms_per_page"] = (tree_cpu(p.pid) - cpu0) / len(urls) * 1000
        st["seconds"] = dt
        st["rate"] = len(urls) / dt
        st["rss_max_kb"] = max(m[0] for m in st["mem"])
        pss = [m[1] for m in st["mem"] if m[1] is not None]
        st["pss_max_kb"] = max(pss) if pss else None
        st["procs_max"] = max(m[2] for m in st["mem"])
        return st
    finally:
        if ws:
            ws.close()
        pids = descendants(p.pid)
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except OSError:
            pass
        for q in pids:
            try:
                os.kill(q, signal.SIGTERM)
            except OSError:
                pass
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass
            p.wait()
        for q in pids:
            try:
                os.kill(q, signal.SIGKILL)
            except OSError:
                pass
        errlog.close()


# --------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------

def mb(kb):
    return "n/a" if kb is None else "%.1f MB" % (kb / 1024)


def run(args):
    bin_dir = os.path.abspath(args["--bin"])
    base = args["--base"].rstrip("/")
    site = args["--site"]
    n = int(args["--pages"])
    tmp = args.get("--tmp") or tempfile.mkdtemp(prefix="bench_js.")
    cn = int(args.get("--chromium-pages") or min(n, 1000))
    with open(os.path.join(site, "expected.json")) as f:
        ex = json.load(f)
    if ex["pages"] != n:
        raise SystemExit("bench_js: site has %d pages, not %d" % (ex["pages"], n))
    urls = [base + "/p/%d.html" % i for i in range(n)]
    expected = [{"links": {base + l for l in ex["links"][str(i)]["links"]},
                 "mechs": ex["links"][str(i)]["mechs"]} for i in range(n)]
    conf = os.path.join(tmp, "crawld.conf")
    with open(conf, "w") as f:
        f.write("[daemon]\nlog_level = warn\n[network]\nallow_private = true\n")

    print("bench_js: crawld worker, %d pages with JS ..." % n, flush=True)
    cj = crawld_run(bin_dir, conf, urls, expected, True)
    print("bench_js: crawld worker, %d pages without JS ..." % n, flush=True)
    cn_ = crawld_run(bin_dir, conf, urls, expected, False)
    ch = None
    if cn > 0 and os.environ.get("BENCH_JS_CHROMIUM", "1") != "0":
        # Warm-up: 20 pages from the end of the site (outside the measured
        # subset when the site is big enough), then the first cn pages.
        warm = urls[max(0, n - 20):]
        print("bench_js: chromium, %d warm-up + %d pages ..." % (len(warm), cn), flush=True)
        ch = chromium_run(urls[:cn], warm, expected[:cn], tmp)

    ok = True
    L = []
    L.append("bench_js: %d generated JS pages (links only after scripts run), served by %s"
             % (n, args.get("--server", "?")))
    L.append("  page mix (two mechanisms per page): %s; %d shared external scripts; "
             "~5-10 KB per page; 2000-5000 throwaway objects per page" % (", ".join(MECHS), EXT_SCRIPTS))
    L.append("")
    L.append("crawld (one crawld-worker serve over fd 3, 2 tasks outstanding):")
    L.append("  JS:    %d pages in %.2f s = %.1f pages/s  (JS time %.2f ms/page, worker CPU %s ms/page)"
             % (n, cj["seconds"], cj["rate"], cj["js_ms"] / n,
                "%.2f" % cj["cpu_ms_per_page"] if cj["cpu_ms_per_page"] is not None else "n/a"))
    L.append("  no JS: %d pages in %.2f s = %.1f pages/s" % (n, cn_["seconds"], cn_["rate"]))
    drift = (cj["rss_end_kb"] - cj["rss_warm_kb"]) / cj["rss_warm_kb"] * 100
    L.append("  worker RSS (rss_kb in results): page %d %s, last page %s, max %s; drift %+.1f%%"
             % (cj["warm"], mb(cj["rss_warm_kb"]), mb(cj["rss_end_kb"]), mb(cj["rss_max_kb"]), drift))
    L.append("  worker VmHWM %s, Pss max %s; JS heap page %d %s, last %s; worker restarts %d%s"
             % (mb(cj["hwm_kb"]), mb(cj["pss_max_kb"]), cj["warm"], mb(cj["heap_warm_kb"]),
                mb(cj["heap_end_kb"]), cj["restarts"],
                (" (" + "; ".join(cj["retire"]) + ")") if cj["retire"] else ""))
    after = [x for x in cj["rss_kb"][cj["warm"] - 1:] if x]
    L.append("  worker RSS from page %d on: min %s, max %s (it swings with the JS heap between GCs)"
             % (cj["warm"], mb(min(after)), mb(max(after))))
    L.append("  worker RSS / JS heap along the run: " + ", ".join(
        "page %d %s/%s" % (k, mb(r), mb(h)) for k, r, h in cj["rss_marks"]))
    if cj["win_end_kb"]:
        L.append("  worker RSS mean of pages %d-%d %s, of the last 100 pages %s: drift %+.1f%%"
                 % (cj["warm"], cj["warm"] + 99, mb(cj["win_warm_kb"]), mb(cj["win_end_kb"]),
                    (cj["win_end_kb"] - cj["win_warm_kb"]) / cj["win_warm_kb"] * 100))
    L.append("  links JS:    %d/%d pages wrong (%.2f%%), %d/%d links found; pages with a failed script: %d"
             % (cj["mismatch"], n, 100.0 * cj["mismatch"] / n, cj["links_found"],
                cj["links_expected"], cj["script_failed_pages"]))
    if cj["mismatch_by_mech"]:
        L.append("    wrong pages by mechanisms: " + ", ".join(
            "%s %d" % kv for kv in sorted(cj["mismatch_by_mech"].items(), key=lambda kv: -kv[1])))
    for e, c in sorted(cj["first_errors"].items(), key=lambda kv: -kv[1])[:8]:
        L.append("    script error x%d: %s" % (c, e))
    for e, c in cj["errors"].items():
        L.append("    page error x%d: %s" % (c, e))
    for e in cj["examples"]:
        L.append("    e.g. %s" % json.dumps(e))
    L.append("  links no JS: %d/%d pages wrong, %d/%d links found, %d pages without any link "
             "(expected: all missing)" % (cn_["mismatch"], n, cn_["links_found"], cn_["links_expected"],
                                           cn_["pages_without_links"]))
    if cj["mismatch"] > 0.01 * n:
        ok = False
        L.append("  FAIL: more than 1% of crawld's JS pages have the wrong links")
    L.append("")
    if ch is None:
        L.append("chromium: not run")
    elif "skipped" in ch:
        L.append("chromium: skipped (%s)" % ch["skipped"])
    else:
        L.append("chromium (%s, one headless browser, one tab, DevTools protocol; first %d of %d pages%s;"
                 % (ch.get("version"), cn, n, " (all)" if cn == n else ", as it is slow; rates are per page"))
        L.append("          each page: navigate, load event, then a %d+%d ms setTimeout chain awaited in the page for the"
                 " page's %d+%d ms timers, then links read):" % (SETTLE_MS, SETTLE_MS, TIMER_MS, TIMER_MS))
        L.append("  JS:    %d pages in %.2f s = %.1f pages/s (steady state, after 20 warm-up pages; "
                 "browser CPU, all processes: %.2f ms/page)" % (cn, ch["seconds"], ch["rate"], ch["cpu_ms_per_page"]))
        L.append("  memory, browser + all its processes (max of %d samples, every 100 pages; up to %d processes): "
                 "RSS sum %s, Pss sum %s" % (len(ch["mem"]), ch["procs_max"], mb(ch["rss_max_kb"]), mb(ch["pss_max_kb"])))
        L.append("  links: %d/%d pages wrong (%.2f%%), navigation errors %d; pages with a fetch() still "
                 "in flight after that (then awaited): %d"
                 % (ch["mismatch"], cn, 100.0 * ch["mismatch"] / cn, ch["errors"],
                    ch["network_waits"]))
        if ch["mismatch_by_mech"]:
            L.append("    wrong pages by mechanisms: " + ", ".join(
                "%s %d" % kv for kv in sorted(ch["mismatch_by_mech"].items(), key=lambda kv: -kv[1])))
        for e in ch["examples"]:
            L.append("    e.g. %s" % json.dumps(e))
        if ch["mismatch"] > 0.01 * cn:
            ok = False
            L.append("  FAIL: more than 1% of Chromium's pages have the wrong links (settle time too short?)")
    L.append("")
    L.append("targets:")
    if ch and "rate" in ch:
        ratio = cj["rate"] / ch["rate"]
        L.append("  speed:  crawld %.1f / chromium %.1f pages/s = %.1fx   (target >= 10x): %s"
                 % (cj["rate"], ch["rate"], ratio, "met" if ratio >= 10 else "NOT met"))
        if cj["cpu_ms_per_page"] and ch.get("cpu_ms_per_page"):
            L.append("          (CPU per page, less sensitive to a busy machine: crawld worker %.1f ms, "
                     "chromium all processes %.1f ms = %.1fx)" % (cj["cpu_ms_per_page"], ch["cpu_ms_per_page"],
                                                               ch["cpu_ms_per_page"] / cj["cpu_ms_per_page"]))
        cm = cj["rss_max_kb"]
        mr = ch["rss_max_kb"] / cm
        L.append("  memory: crawld worker RSS max %s vs chromium RSS sum %s = 1/%.1f   (target <= 1/5): %s"
                 % (mb(cm), mb(ch["rss_max_kb"]), mr, "met" if mr >= 5 else "NOT met"))
        if ch["pss_max_kb"] and cj["pss_max_kb"]:
            pr = ch["pss_max_kb"] / cj["pss_max_kb"]
            L.append("          crawld worker Pss max %s vs chromium Pss sum %s = 1/%.1f: %s"
                     % (mb(cj["pss_max_kb"]), mb(ch["pss_max_kb"]), pr, "met" if pr >= 5 else "NOT met"))
    else:
        L.append("  speed, memory: no Chromium numbers")
    # Flat = the mean RSS of the last 100 pages within 5% (either way) of the
    # mean of pages WARM..WARM+99. A single page's RSS says where it fell
    # between two GCs (the sawtooth is printed above), not whether memory
    # grows; the single-page figure is printed for reference.
    if cj["win_end_kb"]:
        mdrift = (cj["win_end_kb"] - cj["win_warm_kb"]) / cj["win_warm_kb"] * 100
        flat = "met" if abs(mdrift) <= 5 else "NOT met"
    else:
        mdrift, flat = drift, "not measured (too few pages)"
    if n < 5000:
        flat += " (over %d pages; the target is over 5,000)" % n
    L.append("  flat:   worker RSS, mean of the last 100 pages against pages %d-%d: %+.1f%%"
             "   (page %d -> %d: %+.1f%%; target: within 5%%): %s"
             % (cj["warm"], cj["warm"] + 99, mdrift, cj["warm"], n, drift, flat))
    L.append("  link check: %s" % ("ok" if ok else "FAILED"))
    report = "\n".join(L) + "\n"
    sys.stdout.write("\n" + report)
    if not ok:
        sys.stderr.write("bench_js: FAIL: too many pages with the wrong links (see the report above)\n")
    out = args.get("--out")
    if out:
        os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
        with open(out, "w") as f:
            f.write(report)
    return 0 if ok else 1


def main():
    # bench_js.sh's trap sends SIGTERM: unwind, so the finally blocks kill
    # Chromium and the worker.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if len(sys.argv) >= 2 and sys.argv[1] == "gen" and len(sys.argv) == 4:
        gen(sys.argv[2], int(sys.argv[3]))
        return 0
    if len(sys.argv) >= 2 and sys.argv[1] == "run":
        a = sys.argv[2:]
        args = dict(zip(a[::2], a[1::2]))
        for k in ("--bin", "--base", "--site", "--pages"):
            if k not in args:
                raise SystemExit("bench_js run: %s is required" % k)
        return run(args)
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
