"""crawld against hostile workers (CRAWLD_WORKER pointed at a fake that
says "ready" and then misbehaves on its first task): each is killed, what
it sends after is not read, the page is requeued and at max_attempts
quarantined with "worker crashed"; the daemon answers all along, counts the
crashes, and a real worker afterwards crawls normally."""
import os, stat, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from daemon_lib import Daemon, check, dump_log_on_failure, finish, wait_for  # noqa: E402

BASE = sys.argv[1]
FAKE = r'''#!/usr/bin/env python3
import json, os, struct, sys, time
# Not crawld's lines: out of its log, which must be logfmt throughout.
os.dup2(os.open(sys.argv[0] + ".stderr", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644), 2)
sys.path.insert(0, FRAMES_DIR)
from frames import encode_result
mode = sys.argv[1]
def send(b):
    os.write(3, b)
def frame(obj):
    d = json.dumps(obj).encode()
    return struct.pack(">I", len(d)) + d
def read_frame():
    h = b""
    while len(h) < 4:
        c = os.read(3, 4 - len(h))
        if not c:
            sys.exit(0)
        h += c
    n = struct.unpack(">I", h)[0]
    d = b""
    while len(d) < n:
        c = os.read(3, n - len(d))
        if not c:
            sys.exit(0)
        d += c
    return json.loads(d)
send(frame({"type": "ready", "version": "fake", "pid": os.getpid()}))
task = read_frame()
if mode == "refuses":  # a worker within the protocol that refuses every task
    while True:
        if task.get("type") == "task":
            send(frame({"type": "error", "task_id": task["task_id"],
                        "error": "bad_task: refused for the test"}))
        task = read_frame()
if mode == "garbage":
    send(b"\x00\x00\x00\x10this is not json")
elif mode == "huge":
    send(b"\xff\xff\xff\xff" + b"x" * 100)
elif mode == "wrong_task":
    send(encode_result({"task_id": task["task_id"] + 1000, "status": 200},
                       {"record": b'{"url":"http://evil.example/"}',
                        "links": b"http://evil.example/x\n"}))
elif mode == "json_result":  # the old form: a result must be binary
    send(frame({"type": "result", "task_id": task["task_id"], "worker": {},
                "page": {"url": task["url"], "links": ["http://evil.example/x"]}}))
elif mode == "bad_sections":  # section lengths that do not add up to the frame
    f = bytearray(encode_result({"task_id": task["task_id"], "status": 200},
                                {"record": b'{"url":"x"}'}))
    f[4 + 84 + 8 + 3] += 5  # the record's length, in a well-framed payload
    send(bytes(f))
elif mode == "bad_record":  # a record that would break pages.jsonl
    send(encode_result({"task_id": task["task_id"], "status": 200},
                       {"record": b'{"url":"x"}\n{"url":"injected"}'}))
elif mode == "not_message":
    send(frame([1, 2, 3]))
# Then it claims the real page with a made-up record: must never be read.
rec = {"url": task["url"], "final_url": task["url"], "status": 200,
       "links": ["http://evil.example/injected"], "title": "forged"}
send(encode_result({"task_id": task["task_id"], "status": 200},
                   {"record": json.dumps(rec).encode(), "final_url": task["url"].encode(),
                    "links": b"http://evil.example/injected\n"}))
time.sleep(30)
'''

tmp = tempfile.mkdtemp(prefix="hostile.")
daemons = []
shapes = {}  # key list (in order) -> the modes whose record has it
try:
    for mode in ("garbage", "huge", "wrong_task", "not_message", "json_result", "bad_sections",
                 "bad_record"):
        path = os.path.join(tmp, "worker-" + mode)
        with open(path, "w") as f:
            f.write(FAKE.replace("mode = sys.argv[1]", "mode = %r" % mode)
                    .replace("FRAMES_DIR", repr(os.path.join(HERE, "..", "integration"))))
        os.chmod(path, 0o755)
        d = Daemon("hostile-" + mode, workers=1, env={"CRAWLD_WORKER": path},
                   conf="[limits]\nmax_attempts = 2\n")
        daemons.append(d)
        d.start()
        url = BASE + "/site/p/1.html?%s" % mode
        jid = d.submit([url])
        wait_for(lambda: d.job(jid)["state"] != "running", 30, "%s: job ends" % mode)
        recs = d.records(jid)
        check(len(recs) == 1 and recs[0]["url"] == url, "%s: one record for the page: %r"
              % (mode, [r.get("url") for r in recs]))
        r = recs[0] if recs else {}
        shapes.setdefault(tuple(r), []).append(mode)
        check((r.get("error") or "").startswith("quarantined: worker crashed")
              and r.get("attempts") == 2, "%s: quarantined with the reason: %r" % (mode, r.get("error")))
        check(r.get("title") != "forged" and "http://evil.example/injected" not in (r.get("links") or []),
              "%s: nothing the worker sent after breaking the protocol was used" % mode)
        st = d.status()
        check(st["recycles"]["crash"] >= 2, "%s: crashes counted: %r" % (mode, st["recycles"]))
        check(st["state"] == "running", "%s: the daemon keeps serving" % mode)
        log = d.log_text()
        check("killing worker" in log and "reason=crash" in log, "%s: the kill is logged" % mode)
        check(d.stop() == 0, "%s: crawld exits 0" % mode)
        check(d.cleanup(), "%s: no worker left behind" % mode)
        dump_log_on_failure(d)
    # A worker that refuses its tasks (an error frame, within the protocol):
    # each page gets one record at once (jobs_page_error), with the worker's
    # error and a page record's keys; the worker is not killed.
    path = os.path.join(tmp, "worker-refuses")
    with open(path, "w") as f:
        f.write(FAKE.replace("mode = sys.argv[1]", "mode = 'refuses'")
                .replace("FRAMES_DIR", repr(os.path.join(HERE, "..", "integration"))))
    os.chmod(path, 0o755)
    d = Daemon("hostile-refuses", workers=1, env={"CRAWLD_WORKER": path})
    daemons.append(d)
    d.start()
    urls = [BASE + "/site/p/1.html?refused", BASE + "/site/p/2.html?refused"]
    jid = d.submit(urls, "--depth", "0", "--no-robots")
    wait_for(lambda: d.job(jid)["state"] != "running", 30, "refuses: job ends")
    recs = d.records(jid)
    check(sorted(r.get("url") for r in recs) == sorted(urls), "refuses: one record a page: %r"
          % [r.get("url") for r in recs])
    for r in recs:
        shapes.setdefault(tuple(r), []).append("refuses")
        check(r.get("error") == "bad_task: refused for the test" and r.get("status") == 0
              and r.get("attempts") == 1 and r.get("job_id") == jid and r.get("depth") == 0
              and r.get("parent") is None and r.get("links") == [] and r.get("final_url") is None,
              "refuses: the record of a refused page: %r" % r)
    st = d.status()
    check(st["recycles"]["crash"] == 0, "refuses: no worker killed: %r" % st["recycles"])
    check("worker answered an error" in d.log_text(), "refuses: the refusal is logged")
    check(d.stop() == 0, "refuses: crawld exits 0")
    check(d.cleanup(), "refuses: no worker left behind")
    dump_log_on_failure(d)
    # The same daemon setup with the real worker crawls normally.
    d = Daemon("hostile-real", workers=1)
    daemons.append(d)
    d.start()
    jid = d.submit([BASE + "/site/p/1.html"])
    d.wait_job(jid)
    recs = d.records(jid)
    check(len(recs) == 1 and recs[0]["status"] == 200 and recs[0]["error"] is None,
          "the real worker crawls normally")
    shapes.setdefault(tuple(recs[0]) if recs else (), []).append("real worker")
    check(len(shapes) == 1, "a quarantined or refused page's record has the keys of a page's, "
          "in its order: "
          "%r" % [(list(k), m) for k, m in shapes.items()])
    check(d.stop() == 0, "crawld exits 0")
finally:
    for d in daemons:
        dump_log_on_failure(d)
        d.cleanup()
    os.system("rm -rf " + tmp)
finish("hostile_worker")
