"""A worker that never sends its ready handshake (CRAWLD_WORKER pointed at a
fake that sleeps) is killed once [limits] worker_start_timeout_ms has
passed, not before; each kill counts as a start failure, the slot is
refilled with backoff and the log says so once, naming the timeout; status
answers all along, a submitted page waits, SIGTERM exits 0 and no fake is
left. A worker that says ready late but inside a longer timeout is kept:
the timeout is the configured one, not a fixed 30 s."""
import os, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from daemon_lib import BIN, SLOW, Daemon, alive, check, dump_log_on_failure, finish, wait_for  # noqa: E402

FAKE = r'''#!/usr/bin/env python3
import json, os, struct, sys, time
# Not crawld's lines: out of its log, which must be logfmt throughout.
os.dup2(os.open(sys.argv[0] + ".stderr", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644), 2)
delay = DELAY
if delay < 0:
    time.sleep(3600)  # never ready
time.sleep(delay)
d = json.dumps({"type": "ready", "version": "fake", "pid": os.getpid()}).encode()
os.write(3, struct.pack(">I", len(d)) + d)
while os.read(3, 65536):  # idle until crawld closes the channel
    pass
'''

tmp = tempfile.mkdtemp(prefix="never-ready.")
daemons = []


def fake(name, delay):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(FAKE.replace("DELAY", repr(delay)))
    os.chmod(path, 0o755)
    return path


try:
    # The key is checked and shown.
    conf = os.path.join(tmp, "bad.conf")
    with open(conf, "w") as f:
        f.write("[limits]\nworker_start_timeout_ms = 50\n")
    r = subprocess.run([BIN + "/crawld", "--check-config", "-c", conf], capture_output=True,
                       text=True)
    check(r.returncode == 2 and "worker_start_timeout_ms" in r.stderr,
          "a timeout under 100 ms is refused: %d %r" % (r.returncode, r.stderr))
    r = subprocess.run([BIN + "/crawld", "--check-config", "-c", "/dev/null"], capture_output=True,
                       text=True)
    check("worker_start_timeout_ms = 30000" in r.stdout, "default 30000 ms: %r" % r.stdout[-300:])

    # ---- never ready: killed after the timeout, start failures, backoff ----
    never = fake("worker-never", -1)
    d = Daemon("never-ready", workers=1, env={"CRAWLD_WORKER": never},
               conf="[limits]\nworker_start_timeout_ms = 1000\n")
    daemons.append(d)
    t0 = time.time()
    d.start(wait_ready=False)
    wait_for(lambda: d.ping(), 10, "socket of a daemon whose worker never starts")
    st = d.status()
    w = st["workers"][0]
    check(w["state"] == "starting" and w.get("pid"), "the worker is starting: %r" % w)
    pid = w.get("pid") or 0
    check(alive(pid), "the fake worker runs")
    # Still there well inside the timeout: nothing kills it early.
    time.sleep(max(0, 0.6 - (time.time() - t0)))
    check(alive(pid) and d.status()["recycles"]["start_failures"] == 0,
          "not killed before worker_start_timeout_ms")
    wait_for(lambda: not alive(pid), 5, "the fake worker to be killed")
    dt = time.time() - t0
    check(0.9 <= dt <= 4 * SLOW, "killed after the 1000 ms timeout (%.2fs)" % dt)
    st = wait_for(lambda: d.status() if d.status()["recycles"]["start_failures"] >= 2 else None,
                  15, "a second start failure after backoff")
    if st:
        check(st["workers"][0]["state"] in ("backoff", "starting"),
              "the slot waits in backoff: %r" % st["workers"][0])
    rc, out, err = d.ctl("status")
    check(rc == 0, "crawlctl status answers: %d %r" % (rc, err))
    jid = d.submit(["http://127.0.0.1:9/never"])
    check(jid is not None and d.job(jid)["pending"] == 1, "a page waits for a worker")
    log = d.log_text()
    check(log.count("worker fails to start; retrying with backoff") == 1,
          "one line for the failing series: %d" % log.count("worker fails to start"))
    line = [l for l in log.splitlines() if "worker fails to start" in l]
    check(line and "no ready within worker_start_timeout_ms=1000" in line[0] and never in line[0],
          "the line names the timeout and the worker: %r" % line)
    check("no ready handshake" in log, "the kill is logged")
    check(d.stop() == 0, "SIGTERM while the worker never starts → exit 0")
    check(d.cleanup(), "no fake worker left behind")
    dump_log_on_failure(d)

    # ---- ready after 1.5 s: fails a 1000 ms timeout, passes a 4000 ms one ----
    late = fake("worker-late", 1.5)
    for timeout, ok in ((1000, False), (4000, True)):
        d = Daemon("late-ready-%d" % timeout, workers=1, env={"CRAWLD_WORKER": late},
                   conf="[limits]\nworker_start_timeout_ms = %d\n" % timeout)
        daemons.append(d)
        d.start(wait_ready=False)
        wait_for(lambda: d.ping(), 10, "socket")
        if ok:
            wait_for(lambda: d.workers_in("idle") == 1, 10, "the late worker is taken")
            time.sleep(0.3)
            st = d.status()
            check(st["recycles"]["start_failures"] == 0 and st["spawned"] == 1,
                  "timeout %d: a late ready is accepted: %r" % (timeout, st["recycles"]))
        else:
            wait_for(lambda: d.status()["recycles"]["start_failures"] >= 1, 10,
                     "timeout %d: the late worker fails" % timeout)
            check(d.workers_in("idle") == 0, "timeout %d: never idle" % timeout)
        check(d.stop() == 0, "timeout %d: exit 0" % timeout)
        check(d.cleanup(), "timeout %d: nothing left" % timeout)
        dump_log_on_failure(d)
finally:
    for x in daemons:
        x.cleanup()
    os.system("rm -rf " + tmp)
finish("never_ready")
