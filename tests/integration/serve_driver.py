#!/usr/bin/env python3
"""Drives `crawld-worker serve` over a socketpair on fd 3 the way crawld does,
and checks loop mode: results, bad frames answered (never a crash), stats,
RSS reported, exit at once on EOF, parent-death signal.

usage: serve_driver.py WORKER BASE_URL
"""
import json, os, socket, struct, subprocess, sys, time
from frames import FR_FAILED, FR_RETIRE, decode

W, BASE = sys.argv[1], sys.argv[2]
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what, file=sys.stderr)


BASE_CONF = "/tmp/serve_driver_base.conf"
with open(BASE_CONF, "w") as f:
    f.write("[network]\nallow_private = true\n")


def start(extra_env=None, conf=BASE_CONF):
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    env = dict(os.environ)
    env.update(extra_env or {})
    args = [W, "serve", "--fd", str(child.fileno())] + (["-c", conf] if conf else [])
    p = subprocess.Popen(args, pass_fds=(child.fileno(),), env=env)
    child.close()
    parent.settimeout(30)
    hello = recv(parent)
    global last_hello
    last_hello = hello
    check(hello and hello["type"] == "ready" and hello["pid"] == p.pid and hello["version"],
          "ready handshake: %r" % (hello,))
    return p, parent


def send_raw(s, payload: bytes):
    s.sendall(struct.pack(">I", len(payload)) + payload)


def send(s, obj):
    send_raw(s, json.dumps(obj).encode())


def recv(s):
    hdr = b""
    while len(hdr) < 4:
        c = s.recv(4 - len(hdr))
        if not c:
            return None
        hdr += c
    n = struct.unpack(">I", hdr)[0]
    buf = b""
    while len(buf) < n:
        c = s.recv(n - len(buf))
        if not c:
            return None
        buf += c
    return decode(buf)


parsed = set()  # task ids whose parse message came


def recv_page(s):
    """The next result; every result must follow its task's parse message
    (crawld counts an attempt only for a page it was told is parsed)."""
    while True:
        m = recv(s)
        if m and m["type"] == "parse":
            check(m["task_id"] not in parsed, "one parse message per task: %r" % m)
            parsed.add(m["task_id"])
            continue
        if m and m["type"] == "result":
            check(m["task_id"] in parsed, "parse message before result %r" % m["task_id"])
            parsed.discard(m["task_id"])
        return m


p, s = start()
# A good task.
send(s, {"type": "task", "task_id": 1, "job_id": 9, "url": BASE + "/site/p/1.html", "depth": 2})
r = recv_page(s)
check(r and r["type"] == "result" and r["task_id"] == 1, "result for task 1: %r" % (r,))
check(r["page"]["status"] == 200 and r["page"]["title"] == "Page 1", "page fields")
check(r["page"]["depth"] == 2 and r["page"]["job_id"] == 9, "depth/job echoed")
check(r["worker"]["rss_kb"] > 1000 and r["worker"]["pages"] == 1, "worker stats: %r" % r["worker"])
check(r["worker"]["pid"] == p.pid, "pid reported")
# The binary header agrees with the record and the stats.
h = r["header"]
check(h["status"] == 200 and h["bytes"] == r["page"]["bytes"] and not h["flags"] & FR_FAILED,
      "header status/bytes/flags: %r" % h)
check(h["rss_kb"] == r["worker"]["rss_kb"] and h["js_heap_kb"] == r["worker"]["js_heap_kb"],
      "header numbers = stats: %r" % h)
check(r["links"] == r["page"]["links"] and len(r["links"]) > 3, "links section = record's links")
check(r["final_url"] == r["page"]["final_url"], "final_url section")
check(r["body"] == b"", "no body section but for a raw fetch")
check("task_id" not in r["page"] and r["page"]["parent"] is None and r["page"]["attempts"] == 0,
      "the record is the job's line: no task_id, parent and attempts: %r" % r["page"])
send(s, {"type": "task", "task_id": 11, "job_id": 9, "url": BASE + "/site/p/3.html", "depth": 1,
         "parent": BASE + "/site/p/1.html", "attempts": 2})
r = recv_page(s)
check(r and r["page"]["parent"] == BASE + "/site/p/1.html" and r["page"]["attempts"] == 2
      and r["page"]["depth"] == 1, "parent/attempts/depth from the task: %r" % (r and r["page"]))
check(b"00000000" not in r["record_raw"], "times as short decimals: %r" % r["record_raw"][:400])

# Bad frames: each gets an error reply, and the worker keeps serving.
send_raw(s, b"{not json")
e = recv(s)
check(e and e["type"] == "error" and e["error"].startswith("bad_frame: invalid JSON"), "bad json: %r" % e)
send_raw(s, b"[1,2]")
e = recv(s)
check(e and e["type"] == "error" and "bad_frame" in e["error"], "array frame: %r" % e)
send(s, {"type": "dance"})
e = recv(s)
check(e and "unknown type" in e["error"], "unknown type: %r" % e)
send(s, {"type": "task", "task_id": 5})
e = recv(s)
check(e and e["error"].startswith("bad_task") and e["task_id"] == 5, "missing url: %r" % e)
send(s, {"type": "task", "task_id": -3, "url": BASE + "/"})
e = recv(s)
check(e and e["error"].startswith("bad_task"), "negative task id: %r" % e)
s.sendall(struct.pack(">I", 0))
e = recv(s)
check(e and "empty frame" in e["error"], "empty frame: %r" % e)
big = b"x" * (70 * 1024)
send_raw(s, big)
e = recv(s)
check(e and "larger than" in e["error"], "oversized frame: %r" % e)
# Still in step after the oversized one: a ping answers.
send(s, {"type": "ping"})
e = recv(s)
check(e and e["type"] == "pong" and e["worker"]["pages"] == 2, "pong after bad frames: %r" % e)

# A fetch error is a result with the error word, not a crash.
send(s, {"type": "task", "task_id": 2, "url": BASE + "/redirect-loop"})
r = recv_page(s)
check(r and r["page"]["error"].startswith("too_many_redirects"), "error word in result")
check(r and r["header"]["flags"] & FR_FAILED and r["links"] == [], "failed flag, no links")

# A raw fetch (robots.txt): any type kept, not parsed, body returned whole.
send(s, {"type": "task", "task_id": 3, "url": BASE + "/robots.txt", "raw_body": 512000,
         "max_redirects": 5})
r = recv_page(s)
check(r and b"Disallow: /private/" in r["body"], "raw body in its section: %r" % (r,))
check(r and "body" not in r["page"], "the record does not carry the body: %r" % (r and r["page"]))
check(r and r["page"]["title"] is None, "raw fetch not parsed")
send(s, {"type": "task", "task_id": 4, "url": BASE + "/invalid-utf8", "raw_body": 100000})
r = recv_page(s)
check(r and b"invalid \xff\xfe bytes" in r["body"] and b"Invalid UTF-8" in r["body"],
      "raw body byte for byte, invalid UTF-8 kept: %r" % (r and r["body"][:200],))
send(s, {"type": "task", "task_id": 6, "url": BASE + "/site/p/1.html", "raw_body": 100})
r = recv_page(s)
check(r and len(r["body"]) == 100 and r["page"]["bytes"] > 100, "raw body cut at N")
send(s, {"type": "task", "task_id": 5, "url": BASE + "/redirect/3", "raw_body": 100,
         "max_redirects": 2})
r = recv_page(s)
check(r and r["page"]["error"].startswith("too_many_redirects"), "per-task redirect cap")

# Memory: RSS after page 100 vs page 20 (flat), arenas reused.
rss = []
for i in range(100):
    send(s, {"type": "task", "task_id": 100 + i, "url": BASE + "/site/p/%d.html" % (i % 50)})
    r = recv_page(s)
    rss.append(r["worker"]["rss_kb"])
check(r["worker"]["pool_misses"] <= 2, "page arenas reused: %r" % r["worker"])
if os.environ.get("CRAWLD_BUILD") == "asan":
    # ASan's quarantine keeps freed memory resident on purpose (256 MB by
    # default): RSS flatness is measured in the release and debug builds.
    check(rss[-1] > 0, "rss reported under asan")
else:
    check(rss[-1] <= rss[19] * 1.05 + 512, "rss flat: page20=%d page100=%d" % (rss[19], rss[-1]))

# EOF on the channel: the worker exits at once, status 0.
t0 = time.time()
s.close()
rc = p.wait(timeout=10)
check(rc == 0, "exit 0 on EOF, got %r" % rc)
check(time.time() - t0 < 2, "exit promptly on EOF")

# retire: exits 0.
p, s = start()
send(s, {"type": "retire"})
check(p.wait(timeout=10) == 0, "retire exits 0")
s.close()

# Soft RSS budget: a worker is always over 1 MB, so it must retire after
# its page (exit 0 right after the reply); with a roomy budget it stays.
conf = "/tmp/serve_driver.conf"
with open(conf, "w") as f:
    f.write("[limits]\nrss_soft_mb = 1\nrss_hard_mb = 2\n[network]\nallow_private = true\n")
p, s = start(conf=conf)
send(s, {"type": "task", "task_id": 1, "url": BASE + "/site/p/2.html"})
r = recv_page(s)
check(r and r["worker"]["retire"] is True and r["header"]["flags"] & 1,
      "over soft budget -> retire flag: %r" % (r,))
check(r and r["page"]["status"] == 200, "the page is still answered before retiring")
check(p.wait(timeout=10) == 0, "retiring worker exits 0")
s.close()
p, s = start()
send(s, {"type": "task", "task_id": 1, "url": BASE + "/site/p/2.html"})
r = recv_page(s)
check(r and r["worker"]["retire"] is False, "under budget stays: %r" % (r,))
s.close()
check(p.wait(timeout=10) == 0, "exit 0 on EOF")

# gumbo fails an assertion on this page (JS on: gumbo builds the tree). The
# page keeps the scan's answer and says why; the worker served a good JS page
# before without retiring, and now retires once the record is sent.
p, s = start()
send(s, {"type": "task", "task_id": 1, "url": BASE + "/site/p/2.html", "js": True})
r = recv_page(s)
check(r and r["page"]["status"] == 200 and r["worker"]["retire"] is False
      and not r["header"]["flags"] & FR_RETIRE, "a good JS page: no retire: %r" % (r,))
send(s, {"type": "task", "task_id": 2, "url": BASE + "/fixtures/html/gumbo_abort.html",
         "js": True})
r = recv_page(s)
check(r and r["page"]["title"] == "Gumbo abort" and r["page"].get("error") is None,
      "the page keeps the scan's answer: %r" % (r and r["page"],))
check(r and "the HTML parser failed an assertion" in (r["page"].get("js_note") or ""),
      "js_note says gumbo failed: %r" % (r and r["page"].get("js_note"),))
check(r and r["worker"]["retire"] is True and r["header"]["flags"] & FR_RETIRE,
      "retire after gumbo's assertion: %r" % (r and (r["worker"], r["header"]),))
check(p.wait(timeout=10) == 0, "the retiring worker exits 0")
s.close()

# ---- Many pages in flight (issue 18) ----
# ready offers fetches_per_worker slots (the default, 64).
p, s = start()
check(last_hello["slots"] == 64, "ready offers 64 slots: %r" % (last_hello,))
# Concurrent transfers: four pages that each take 600 ms come back in about
# the time of one, not of four.
t0 = time.time()
for i in range(4):
    send(s, {"type": "task", "task_id": 40 + i, "url": BASE + "/slow?ms=600&n=%d" % i})
got = [recv_page(s) for _ in range(4)]
took = time.time() - t0
check(all(r and r["type"] == "result" and r["page"]["title"] == "Slow" for r in got),
      "four slow pages answered: %r" % ([r and r.get("page", r) for r in got],))
check(sorted(r["task_id"] for r in got) == [40, 41, 42, 43], "each task once")
check(took < 1.5, "four 600 ms pages in %.2f s (in flight together, not one after another)" % took)
# Results in the order pages complete: a slow page sent first comes last.
send(s, {"type": "task", "task_id": 50, "url": BASE + "/slow?ms=800"})
send(s, {"type": "task", "task_id": 51, "url": BASE + "/site/p/4.html"})
send(s, {"type": "ping"})
msgs = [recv_page(s) for _ in range(3)]
check([m["type"] for m in msgs if m].count("pong") == 1, "one pong: %r" % (msgs,))
ids = [m["task_id"] for m in msgs if m and m["type"] == "result"]
check(ids == [51, 50], "results in completion order, not task order: %r" % ids)
s.close()
check(p.wait(timeout=10) == 0, "exit 0 on EOF with pages done")

# A ping while transfers are in flight: the pong comes before their results.
p, s = start()
send(s, {"type": "task", "task_id": 60, "url": BASE + "/slow?ms=1500"})
send(s, {"type": "task", "task_id": 61, "url": BASE + "/slow?ms=1500&n=1"})
time.sleep(0.1)
t0 = time.time()
send(s, {"type": "ping"})
m = recv_page(s)
check(m and m["type"] == "pong" and time.time() - t0 < 0.5,
      "pong with transfers in flight, in %.3f s: %r" % (time.time() - t0, m and m["type"]))
# EOF with transfers in flight: the worker leaves at once (crawld gives
# them back unstarted).
t0 = time.time()
s.close()
check(p.wait(timeout=10) == 0 and time.time() - t0 < 1, "exit 0 at once on EOF, transfers in flight")
p, s = start()
send(s, {"type": "task", "task_id": 62, "url": BASE + "/slow?ms=3000"})
send(s, {"type": "retire"})
t0 = time.time()
check(p.wait(timeout=10) == 0 and time.time() - t0 < 1, "retire with a transfer in flight: exit 0 at once")
s.close()

# Transfers go on while a page's scripts run: loop.html's script spins
# until the 1 s JS budget; a page whose server answers after 300 ms is sent
# right after it. Its transfer completes during the script (fetch_ms about
# 300, not 1000+) and its result follows the first page's at once.
conf_js = "/tmp/serve_driver_js.conf"
with open(conf_js, "w") as f:
    f.write("[limits]\njs_time_budget_ms = 1000\n[network]\nallow_private = true\n")
p, s = start(conf=conf_js)
send(s, {"type": "task", "task_id": 70, "url": BASE + "/fixtures/jsite/loop.html", "js": True})
m = recv(s)
check(m and m["type"] == "parse" and m["task_id"] == 70, "loop.html is parsed: %r" % (m,))
parsed.add(70)
send(s, {"type": "task", "task_id": 71, "url": BASE + "/slow?ms=300"})
r1 = recv_page(s)
t1 = time.time()
r2 = recv_page(s)
gap = time.time() - t1
check(r1 and r1["task_id"] == 70 and r1["page"]["js_stats"]["timed_out"],
      "the spinning page stopped at its budget: %r" % (r1 and r1.get("page"),))
check(r2 and r2["task_id"] == 71 and 250 <= r2["page"]["fetch_ms"] < 600,
      "the other page's transfer completed during the script: fetch_ms %r"
      % (r2 and r2["page"]["fetch_ms"],))
check(gap < 0.25, "its result follows the first's at once (%.3f s)" % gap)
s.close()
check(p.wait(timeout=10) == 0, "exit 0 on EOF")
# EOF while a page's scripts run: the page is dropped, the worker exits 0.
p, s = start(conf=conf_js)
send(s, {"type": "task", "task_id": 72, "url": BASE + "/fixtures/jsite/loop.html", "js": True})
m = recv(s)
check(m and m["type"] == "parse", "loop.html is parsed: %r" % (m,))
s.close()
check(p.wait(timeout=10) == 0, "EOF during a page's scripts: exit 0")

# fetches_per_worker = 1: ready offers one slot and the worker runs one
# transfer at a time, the tasks behind it in the order they came (crawld's
# queue for a one-slot worker): a fast page sent after a slow one waits for
# it and comes second, where with slots it would come first.
conf_one = "/tmp/serve_driver_one.conf"
with open(conf_one, "w") as f:
    f.write("[daemon]\nfetches_per_worker = 1\n[network]\nallow_private = true\n")
p, s = start(conf=conf_one)
check(last_hello["slots"] == 1, "ready offers 1 slot: %r" % (last_hello,))
t0 = time.time()
send(s, {"type": "task", "task_id": 80, "url": BASE + "/slow?ms=800&one=1"})
send(s, {"type": "task", "task_id": 81, "url": BASE + "/site/p/5.html"})
send(s, {"type": "task", "task_id": 82, "url": BASE + "/slow?ms=400&one=2"})
got = [recv_page(s) for _ in range(3)]
took = time.time() - t0
check([r and r.get("task_id") for r in got] == [80, 81, 82],
      "one transfer at a time, in task order: %r" % ([r and r.get("task_id") for r in got],))
check(took >= 1.15, "800 ms then 400 ms one after another: %.2f s" % took)
# EOF with tasks waiting behind a transfer: the worker leaves at once.
send(s, {"type": "task", "task_id": 83, "url": BASE + "/slow?ms=3000&one=3"})
send(s, {"type": "task", "task_id": 84, "url": BASE + "/site/p/6.html"})
time.sleep(0.1)
t0 = time.time()
s.close()
check(p.wait(timeout=10) == 0 and time.time() - t0 < 1, "exit 0 at once on EOF, a task waiting")

print("serve_driver: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
