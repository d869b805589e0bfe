#!/usr/bin/env python3
"""crawld end to end: config errors, the pool comes up, submit → records,
status/jobs/job/wait/cancel/recycle, crawlctl exit codes and socket
discovery, the socket's mode and stale-socket rules, bad control input and
200 clients at once, SIGTERM drain; no worker left behind.

usage: daemon_basic.py BASE_URL   (CRAWLD_BIN: the build directory)"""
import json, os, re, select, signal, socket, stat, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import BIN, Daemon, alive, check, dump_log_on_failure, finish, wait_for  # noqa: E402

BASE = sys.argv[1]
daemons = []


def run(*args, env=None):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=60, env=env)


# ---- config: errors name file, line and key; --check-config ----
d0 = Daemon("conf")
bad = os.path.join(d0.dir, "bad.conf")
with open(bad, "w") as f:
    f.write("[daemon]\nworkers = 2\n\nwrokers = 3\n")
r = run(BIN + "/crawld", "-c", bad, "--foreground")
check(r.returncode == 2, "unknown key exits 2, got %d" % r.returncode)
check("bad.conf:4: [daemon] wrokers: unknown key" in r.stderr, "names file:line key: %r" % r.stderr)
with open(bad, "w") as f:
    f.write("[limits]\nrss_poll_ms = fast\n")
r = run(BIN + "/crawld", "-c", bad, "--check-config")
check(r.returncode == 2 and "bad.conf:2: [limits] rss_poll_ms: not an integer" in r.stderr,
      "bad value: %r" % r.stderr)
r = run(BIN + "/crawld", "-c", d0.conf, "--check-config")
check(r.returncode == 0 and "rss_poll_ms = 250" in r.stdout and "grace_ms = 30000" in r.stdout
      and ("socket = " + d0.sock) in r.stdout, "--check-config prints the effective config")
r = run(BIN + "/crawld", "--bogus")
check(r.returncode == 2, "unknown option exits 2")
r = run(BIN + "/crawld", "--version")
check(r.returncode == 0 and r.stdout.startswith("crawld "), "--version")

# ---- crawlctl without a daemon: exit codes and socket discovery ----
r = run(BIN + "/crawlctl", "-s", d0.sock, "status")
check(r.returncode == 3 and d0.sock in r.stderr, "unreachable → 3 naming the socket: %r" % r.stderr)
r = run(BIN + "/crawlctl", "status", env=dict(os.environ, CRAWLD_SOCKET=d0.sock + ".env"))
check(r.returncode == 3 and d0.sock + ".env" in r.stderr, "$CRAWLD_SOCKET is used")
r = run(BIN + "/crawlctl", "status", env={k: v for k, v in os.environ.items()
                                          if k != "CRAWLD_SOCKET"})
check(r.returncode == 3 and "/run/crawld/crawld.sock" in r.stderr, "default socket path")
r = run(BIN + "/crawlctl")
check(r.returncode == 2, "no command → 2")
r = run(BIN + "/crawlctl", "-s", d0.sock, "frobnicate")
check(r.returncode == 2, "unknown command → 2")
r = run(BIN + "/crawlctl", "-s", d0.sock, "job", "abc")
check(r.returncode == 2, "bad id → 2")
r = run(BIN + "/crawlctl", "-s", d0.sock, "submit")
check(r.returncode == 2, "submit without URL → 2")

# ---- a stale socket file is replaced; a live one is not ----
stale = socket.socket(socket.AF_UNIX)
stale.bind(d0.sock)
stale.close()  # the file stays, nothing answers
check(stat.S_ISSOCK(os.lstat(d0.sock).st_mode), "stale socket file made")

d = d0
daemons.append(d)
try:
    d.start()
    check("replaced a stale socket" in d.log_text(), "stale socket replaced")
    mode = stat.S_IMODE(os.stat(d.sock).st_mode)
    check(mode == 0o660, "socket mode 0660, got %o" % mode)

    # A second daemon on the same socket is refused, the first keeps serving.
    r = run(BIN + "/crawld", "-c", d.conf, "--foreground")
    check(r.returncode == 1 and "another crawld answers" in r.stderr,
          "second daemon refused: %d %r" % (r.returncode, r.stderr))
    check(d.ping(), "first daemon still answers")

    # ---- the pool is up ----
    st = d.status()
    check(len(st["workers"]) == 2 and all(w["state"] == "idle" and w["pid"] > 0
                                          for w in st["workers"]), "two idle workers: %r" % st)
    for key in ("pid", "version", "uptime_s", "state", "queue", "pages_per_s", "rss_mb_total",
                "recycles", "workers", "jobs"):
        check(key in st, "status has %s" % key)
    for key in ("rss", "max_pages", "timeout", "crash", "reload"):
        check(key in st["recycles"], "recycles has %s" % key)
    for key in ("id", "pid", "state", "rss_mb", "rss_soft_mb", "rss_hard_mb", "pages", "url",
                "page_ms", "js_heap_mb", "arena_retained_kb"):
        check(key in st["workers"][0], "worker has %s" % key)
    rc, out, err = d.ctl("status")
    check(rc == 0 and "idle" in out and str(st["workers"][0]["pid"]) in out
          and "RSS MB" in out, "status table: %r" % out)
    rc, out, err = d.ctl("--json", "status")
    check(rc == 0 and json.loads(out)["state"] == "running", "status --json")
    rc, out, err = d.ctl("status", "--json")
    check(rc == 0 and "workers" in json.loads(out), "status --json after the command")

    # ---- submit, wait, records ----
    urls = [BASE + "/site/p/%d.html" % i for i in range(20)] + [BASE + "/status/404"]
    jid = d.submit(urls + [urls[0]], "--no-js", "--name", "basic")
    rc, out, err = d.ctl("wait", str(jid), "--timeout", "60")
    check(rc == 0 and "done" in out, "wait → 0: %d %r %r" % (rc, out, err))
    recs = d.records(jid)
    got = sorted(r["url"] for r in recs)
    check(got == sorted(urls), "every page exactly once (%d records)" % len(recs))
    check(all(r["attempts"] == 1 and r["parent"] is None and r["error"] is None
              and "ts" in r for r in recs), "attempts/parent/error fields")
    check(any(r["status"] == 404 for r in recs), "404 page recorded")
    check(all(r["js"] is False for r in recs), "--no-js reached the worker")
    rc, out, err = d.ctl("jobs")
    check(rc == 0 and "basic" in out and "done" in out, "jobs table: %r" % out)
    rc, out, err = d.ctl("job", str(jid))
    check(rc == 0 and "done" in out, "job table")
    table = out
    rc, out, err = d.ctl("--json", "job", str(jid))
    j = json.loads(out)["job"] if rc == 0 else {}
    check(j.get("done") == 21 and j.get("failed") == 0 and j.get("total") == 21,
          "job counters: %r" % j)
    # Times: ISO 8601 in UTC for people, the same second as --json's epoch number.
    for key in ("created", "ended"):
        check(isinstance(j.get(key), (int, float)) and abs(j[key] - time.time()) < 600,
              "--json %s is epoch seconds: %r" % (key, j.get(key)))
        want = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(j.get(key) or 0)))
        check(re.search(r"(?m)^%s +%s$" % (key, re.escape(want)), table) is not None,
              "job table shows %s as %s: %r" % (key, want, table))
    st = d.status()
    check(st["queue"]["done"] + st["queue"]["failed"] == 21 and st["queue"]["pending"] == 0,
          "queue counters: %r" % st["queue"])
    check(sum(w["pages"] for w in st["workers"]) == 21, "pages per worker add up")

    # Refusals: bad URL (named), unknown job, wait on an unknown job.
    rc, out, err = d.ctl("submit", BASE + "/ok", "ftp://example.org/x")
    check(rc == 1 and "ftp://example.org/x" in err, "bad URL refused and named: %r" % err)
    rc, out, err = d.ctl("job", "999")
    check(rc == 1 and "no job 999" in err, "unknown job → 1")
    rc, out, err = d.ctl("wait", "999")
    check(rc == 1, "wait unknown job → 1")
    rc, out, err = d.ctl("recycle", "99")
    check(rc == 1 and "no worker 99" in err, "recycle unknown worker → 1")
    rc, out, err = d.ctl("reload")
    check(rc == 0 and out == "ok\n", "reload (tests/integration/reload.py has the rest): %r" % err)
    wait_for(lambda: d.status()["recycles"]["reload"] == 2 and d.workers_in("idle") == 2, 20,
             "both workers replaced by the reload")
    rc, out, err = d.ctl("metrics")
    check(rc == 0 and 'crawld_pages_total{job="%d",class="2xx"} 20\n' % jid in out
          and 'crawld_pages_total{job="%d",class="4xx"} 1\n' % jid in out,
          "metrics (tests/integration/metrics.py has the rest): %r" % out[:200])

    # ---- recycle one worker: a fresh one takes its place ----
    old = d.status()["workers"][0]["pid"]
    rc, out, err = d.ctl("recycle", "0")
    check(rc == 0, "recycle 0")
    wait_for(lambda: d.status()["workers"][0]["pid"] not in (None, old)
             and d.status()["workers"][0]["state"] == "idle", 20, "worker 0 replaced")
    check(not alive(old), "old worker gone")
    check(d.status()["recycles"]["manual"] == 1, "recycle counted as manual")

    # ---- cancel and pause ----
    slow = [BASE + "/slow?ms=800&i=%d" % i for i in range(8)]
    jid2 = d.submit(slow)
    rc, out, err = d.ctl("pause", str(jid2))
    check(rc == 0, "pause")
    rc, out, err = d.ctl("resume", str(jid2))
    check(rc == 0, "resume")
    rc, out, err = d.ctl("cancel", str(jid2))
    check(rc == 0, "cancel")
    rc, out, err = d.ctl("wait", str(jid2), "--timeout", "30")
    check(rc == 1 and "cancelled" in out, "wait on a cancelled job → 1: %r" % out)
    n2 = len(d.records(jid2))
    check(n2 <= 2, "cancelled job: only pages in flight recorded (%d)" % n2)
    rc, out, err = d.ctl("cancel", str(jid2))
    check(rc == 1, "cancel twice → 1")
    wait_for(lambda: d.workers_in("idle") == 2, 20, "workers idle after cancel")

    # Paused while its seed is in flight: the seed's record and its links are
    # kept (a paused job takes no new pages but loses none), so after resume
    # the job crawls the linked pages and ends done with all three.
    from urllib.parse import quote
    kids = [BASE + "/slow?ms=10&pz=%d" % i for i in range(2)]
    seed = BASE + "/rules/links?delay=1.5&" + "&".join("to=" + quote(k, safe="") for k in kids)
    jid6 = d.submit([seed], "--depth", "1")
    wait_for(lambda: d.job(jid6)["in_flight"] >= 1, 10, "paused test: the seed in flight")
    rc, out, err = d.ctl("pause", str(jid6))
    check(rc == 0, "pause with a page in flight: %r" % err)
    wait_for(lambda: d.job(jid6)["in_flight"] == 0, 15, "paused test: the seed's result in")
    j6 = d.job(jid6)
    check(j6["state"] == "paused" and j6["pending"] == 2,
          "paused: the seed's 2 links pending, job still paused: %r" % j6)
    rc, out, err = d.ctl("resume", str(jid6))
    check(rc == 0, "resume after the seed came back: %r" % err)
    d.wait_job(jid6)
    urls = sorted(r["url"] for r in d.records(jid6))
    check(urls == sorted([seed] + kids), "paused then resumed: every page once: %r" % urls)

    # wait --timeout: 124
    jid3 = d.submit([BASE + "/slow?ms=3000&w=1"])
    rc, out, err = d.ctl("wait", str(jid3), "--timeout", "0.3")
    check(rc == 124, "wait timeout → 124, got %d" % rc)
    d.wait_job(jid3)

    # ---- long poll: {"cmd":"job","wait_ms":N} answers as the job ends ----
    def raw(lines, nreplies, hangup=False):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(30)
        s.connect(d.sock)
        s.sendall("".join(json.dumps(x) + "\n" for x in lines).encode())
        if hangup:
            s.close()
            return []
        buf = b""
        while buf.count(b"\n") < nreplies:
            c = s.recv(65536)
            if not c:
                break
            buf += c
        s.close()
        return [json.loads(x) for x in buf.splitlines()]

    jid5 = d.submit([BASE + "/slow?ms=1500&lp=1"])
    t = time.time()
    r = raw([{"cmd": "job", "id": jid5, "wait_ms": 20000}], 1)[0]
    took = time.time() - t
    check(r["ok"] and r["job"]["state"] == "done", "long poll: the job's end: %r" % r)
    check(1.0 <= took < 15, "long poll: held until the job ended (~1.5 s), not the 20 s: %.2f"
          % took)
    jid6 = d.submit([BASE + "/slow?ms=3000&lp=2"])
    t = time.time()
    r = raw([{"cmd": "job", "id": jid6, "wait_ms": 300}, {"cmd": "status"}], 2)
    took = time.time() - t
    check(len(r) == 2 and r[0].get("job", {}).get("state") == "running" and "status" in r[1],
          "long poll past wait_ms: the running job, then the next request's reply, in order: %r"
          % r)
    check(0.25 <= took < 2.5, "wait_ms 300 held ~0.3 s: %.2f" % took)
    for bad in (-1, "1", 30001, 1.5):
        r = raw([{"cmd": "job", "id": jid6, "wait_ms": bad}], 1)[0]
        check(not r["ok"] and "wait_ms" in r["error"], "wait_ms %r refused by name: %r" % (bad, r))
    r = raw([{"cmd": "cancel", "id": jid6, "wait_ms": 100}], 1)[0]
    check(not r["ok"] and "wait_ms" in r["error"], "wait_ms is for job only: %r" % r)
    raw([{"cmd": "job", "id": jid6, "wait_ms": 20000}], 0, hangup=True)  # gone while parked
    check(d.job(jid6)["state"] == "running", "daemon answers while a hung-up poll is parked")
    d.wait_job(jid6)
    check(alive(d.proc.pid), "daemon alive after the long polls")

    # ---- bad control input: errors or a clean close, never a crash ----
    def conv(lines, read=True, expect=None):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(20)
        s.connect(d.sock)
        s.sendall(lines)
        out = b""
        if read:
            while out.count(b"\n") < (expect or lines.count(b"\n")):
                c = s.recv(65536)
                if not c:
                    break
                out += c
        s.close()
        return [json.loads(l) for l in out.splitlines() if l.strip()]

    rep = conv(b"garbage\n[1,2]\n{\"nocmd\":1}\n{\"cmd\":\"dance\"}\n{\"cmd\":\"status\"}\n")
    check(len(rep) == 5, "five replies on one connection: %r" % rep)
    if len(rep) == 5:
        check(not rep[0]["ok"] and "invalid JSON" in rep[0]["error"], "garbage → error")
        check(not rep[1]["ok"] and "not a JSON object" in rep[1]["error"], "array → error")
        check(not rep[2]["ok"] and "cmd" in rep[2]["error"], "no cmd → error")
        check(not rep[3]["ok"] and "unknown command" in rep[3]["error"], "unknown cmd → error")
        check(rep[4]["ok"], "still serving after bad lines")
    rep = conv(b"\x00\xff\xfe binary \x01\x02\n\r\n\n{\"cmd\":\"status\"}\r\n", expect=2)
    check(len(rep) == 2 and rep[1]["ok"], "binary junk, blank lines, CRLF: %r" % rep)
    rep = conv(json.dumps({"cmd": "submit", "urls": "notalist"}).encode() + b"\n")
    check(rep and not rep[0]["ok"] and "urls" in rep[0]["error"], "submit type error")
    # Submit options (common/jobopts.c): one value just out of range, through
    # crawlctl (usage, exit 2, the flag named) and as a raw request (refused,
    # the field named), the same verdict; the edge itself taken both ways.
    jobs_before = len(d.request({"cmd": "jobs"})["jobs"])
    for flag, field, lo, hi in (("--depth", "depth", 0, 1000),
                                ("--max-pages", "max_pages", 1, 100000000),
                                ("--delay-ms", "delay_ms", 0, 3600000)):
        rng = "%d..%d" % (lo, hi)
        for v in (lo - 1, hi + 1):
            rc, out, err = d.ctl("submit", flag, str(v), BASE + "/site/p/1.html")
            check(rc == 2 and flag in err and rng in err,
                  "crawlctl %s %d refused naming the flag and %s: %d %r" % (flag, v, rng, rc, err))
            rep = conv(json.dumps({"cmd": "submit", "urls": [BASE + "/site/p/1.html"],
                                   field: v}).encode() + b"\n")
            check(rep and not rep[0]["ok"] and rep[0]["error"] ==
                  "submit: \"%s\" must be an integer %s" % (field, rng),
                  "raw %s=%d refused naming the field: %r" % (field, v, rep))
    rep = conv(json.dumps({"cmd": "submit", "urls": [BASE + "/site/p/1.html"], "depth": 0,
                           "max_pages": 1, "maxpages": 5}).encode() + b"\n")
    check(rep and not rep[0]["ok"] and "unknown field \"maxpages\"" in rep[0]["error"],
          "an unknown submit field is refused by name: %r" % rep)
    rep = conv(json.dumps({"cmd": "submit", "urls": [BASE + "/site/p/1.html"],
                           "depth": "1"}).encode() + b"\n")
    check(rep and not rep[0]["ok"] and "\"depth\"" in rep[0]["error"],
          "a string depth is refused by name: %r" % rep)
    check(len(d.request({"cmd": "jobs"})["jobs"]) == jobs_before, "no job made by a refusal")
    rc, out, err = d.ctl("submit", "--depth", "0", "--max-pages", "1", "--delay-ms", "0",
                         BASE + "/site/p/2.html")
    check(rc == 0 and out.strip().isdigit(), "the lower edges taken: %d %r" % (rc, err))
    if rc == 0:
        d.wait_job(int(out.strip()))

    # An endless line: error reply and close once it passes 1 MiB.
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(20)
    s.connect(d.sock)
    sent, closed = 0, False
    chunk = b"x" * 65536
    try:
        while sent < 8 * 1024 * 1024:
            s.sendall(chunk)
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError):
        closed = True
    data = b""
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            data += c
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    check(b"longer than 1048576" in data, "endless line → error reply: %r" % data[:200])
    check(sent <= 4 * 1024 * 1024 or closed or data, "connection closed early")
    # A half line, then hang-up.
    conv(b'{"cmd":"sta', read=False)
    check(d.status()["state"] == "running", "alive after half line + hang-up")

    # ---- 200 clients at once ----
    socks = []
    for i in range(200):
        c = socket.socket(socket.AF_UNIX)
        c.connect(d.sock)
        socks.append(c)
    for c in socks:
        c.sendall(b'{"cmd":"status"}\n')
    pending = {c.fileno(): [c, b""] for c in socks}
    ok = 0
    end = time.time() + 30
    while pending and time.time() < end:
        rl, _, _ = select.select([v[0] for v in pending.values()], [], [], 1)
        for c in rl:
            v = pending[c.fileno()]
            b = c.recv(1 << 20)
            v[1] += b
            if not b or v[1].endswith(b"\n"):
                ok += 1 if json.loads(v[1]).get("ok") else 0
                del pending[c.fileno()]
    check(ok == 200, "200 concurrent clients answered (%d)" % ok)
    check(d.status()["control"]["clients"] >= 200, "200 connections held at once")
    for c in socks:
        c.close()
    wait_for(lambda: d.status()["control"]["clients"] == 1, 10, "clients closed")
    # And 40 crawlctl processes in parallel.
    procs = [subprocess.Popen([BIN + "/crawlctl", "-s", d.sock, "--json", "status"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(40)]
    rcs = [p.wait(timeout=60) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    check(rcs.count(0) == 40, "40 parallel crawlctl: %r" % rcs)

    # ---- SIGTERM: no new work, pages in flight finish, exit 0 ----
    # (grace_ms is the default 30 s: plenty for 1.5 s pages.)
    slow = [BASE + "/slow?ms=1500&t=%d" % i for i in range(4)]
    jid4 = d.submit(slow)
    wait_for(lambda: d.workers_in("busy") == 2, 10, "both workers busy")
    pids = [w["pid"] for w in d.status()["workers"]]
    d.proc.send_signal(signal.SIGTERM)
    st = wait_for(lambda: d.status() if d.status()["state"] == "draining" else None, 5,
                  "draining state")
    if st:
        # Two running and one queued behind each (queue_per_worker = 1): sent
        # pages are in flight and finish within the grace period.
        check(st["queue"]["in_flight"] == 4, "four pages in flight while draining (%r)"
              % st["queue"]["in_flight"])
        rc, out, err = d.ctl("submit", BASE + "/site/p/1.html")
        check(rc == 1 and "draining" in err, "no new jobs while draining")
    rc = d.stop()
    check(rc == 0, "SIGTERM → exit 0, got %r" % rc)
    recs = d.records(jid4)
    check(len(recs) == 4 and all(r["status"] == 200 and r["error"] is None for r in recs),
          "pages in flight finished: %r" % [(r["url"], r["error"]) for r in recs])
    check(not any(alive(p) for p in pids), "workers gone after SIGTERM")
    check(not os.path.exists(d.sock), "socket removed at exit")
    log = d.log_text()
    check("level=error" not in log, "no error lines in the log")
    check('msg="exited"' in log, "clean exit logged")

    # ---- SIGTERM again and again while stopping: still exit 0 ----
    # (the signal handles close before the last state write; a late SIGTERM
    # used to kill the process there, status -15)
    d2 = Daemon("sigterm-storm", workers=2)
    daemons.append(d2)
    d2.start()
    d2.proc.send_signal(signal.SIGTERM)
    end = time.time() + 30
    while d2.proc.poll() is None and time.time() < end:
        try:
            d2.proc.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            break
        time.sleep(0.0005)
    rc = d2.stop()
    check(rc == 0, "SIGTERM storm while stopping → exit 0, got %r" % rc)
    check('msg="exited"' in d2.log_text(), "SIGTERM storm: clean exit logged")

    # ---- a socket path that is not a socket is never replaced ----
    with open(d.sock, "w") as f:
        f.write("not a socket")
    r = run(BIN + "/crawld", "-c", d.conf, "--foreground")
    check(r.returncode == 1 and "not a socket" in r.stderr, "refuses a non-socket path: %r"
          % r.stderr)
    os.unlink(d.sock)
finally:
    dump_log_on_failure(d)
    for x in daemons:
        check(x.cleanup(), "no worker left behind")
finish("daemon_basic")
