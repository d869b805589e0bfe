#!/usr/bin/env python3
"""crawld's sd_notify, checked with the real protocol: an AF_UNIX datagram
socket in NOTIFY_SOCKET, SO_PASSCRED for the sender's pid.

* READY=1 comes after the control socket answers and after every worker's
  handshake (workers made slow to start by a wrapper), from crawld's pid,
  with MAINPID; never while a worker cannot start.
* STATUS= lines: pages per second and the queue, updated after a crawl.
* WATCHDOG=1 every WATCHDOG_USEC/2 when WATCHDOG_PID is crawld's pid or
  unset; none when it names another pid or WATCHDOG_USEC is unset.
* RELOADING=1 then READY=1 around `crawlctl reload`; STOPPING=1 on SIGTERM.
* Workers inherit none of NOTIFY_SOCKET, WATCHDOG_*.

usage: systemd_notify.py BASE_URL   (CRAWLD_BIN: the build directory)"""
import os, signal, socket, struct, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import (BIN, SLOW, Daemon, check, dump_log_on_failure, finish,  # noqa: E402
                        wait_for)

BASE = sys.argv[1]
daemons = []


class Notify:
    """The receiving end of sd_notify: (sender pid, {key: value}) per datagram."""

    def __init__(self, path):
        self.path = path
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.s.bind(path)
        self.msgs = []  # (time, pid, dict, raw)

    def poll(self, timeout=0.0):
        self.s.settimeout(timeout if timeout > 0 else 0.0001)
        got = []
        while True:
            try:
                data, anc, _, _ = self.s.recvmsg(65536, socket.CMSG_SPACE(12))
            except (BlockingIOError, socket.timeout):
                break
            pid = None
            for lvl, typ, cd in anc:
                if lvl == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS:
                    pid = struct.unpack("3i", cd[:12])[0]
            kv = {}
            for line in data.decode().split("\n"):
                if "=" in line:
                    k, v = line.split("=", 1)
                    kv[k] = v
            m = (time.time(), pid, kv, data.decode())
            self.msgs.append(m)
            got.append(m)
            self.s.settimeout(0.0001)
        return got

    def wait(self, pred, timeout, what):
        """The first message so far (received already or now) matching pred."""
        end = time.time() + timeout * SLOW
        while time.time() < end:
            self.poll(0.05)
            for m in self.msgs:
                if pred(m):
                    return m
        check(False, "timed out waiting for " + what)
        return None

    def close(self):
        self.s.close()


def start(d, env, pid_wrapper=None):
    """Starts crawld; pid_wrapper: 'self' sets WATCHDOG_PID=$$ then execs (so
    it is crawld's own pid), else a value for WATCHDOG_PID."""
    d.logf = open(d.log, "ab")
    e = dict(d.env)
    e.update(env)
    argv = [BIN + "/crawld", "-c", d.conf, "--foreground"]
    if pid_wrapper == "self":
        argv = ["sh", "-c", 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$0" "$@"'] + argv
    elif pid_wrapper is not None:
        e["WATCHDOG_PID"] = pid_wrapper
    d.proc = subprocess.Popen(argv, stdout=d.logf, stderr=d.logf, env=e)


def environ_of(pid):
    with open("/proc/%d/environ" % pid, "rb") as f:
        return [x.split(b"=", 1)[0].decode() for x in f.read().split(b"\0") if x]


try:
    # ---- READY after the socket and the workers; STATUS; WATCHDOG (own pid) ----
    d = Daemon("notify")
    daemons.append(d)
    slow = os.path.join(d.dir, "slow-worker")
    with open(slow, "w") as f:  # the workers' handshake comes 1.5 s late
        f.write('#!/bin/sh\nsleep 1.5\nexec "%s/crawld-worker" "$@"\n' % BIN)
    os.chmod(slow, 0o755)
    n = Notify(os.path.join(d.dir, "notify.sock"))
    start(d, {"NOTIFY_SOCKET": n.path, "WATCHDOG_USEC": "400000", "CRAWLD_WORKER": slow},
          pid_wrapper="self")
    t_sock = wait_for(lambda: d.proc.poll() is None and d.ping() and time.time(), 10,
                      "control socket")
    early = [m for m in n.poll() if "READY" in m[2]]
    check(t_sock and not early, "no READY=1 while the workers start (%r)" % early)
    st = d.status()
    check(sum(1 for w in st["workers"] if w["state"] == "starting") == 2,
          "socket answers while both workers start: %r" % [w["state"] for w in st["workers"]])
    ready = n.wait(lambda m: m[2].get("READY") == "1", 20, "READY=1")
    if ready:
        states = [w["state"] for w in d.status()["workers"]]
        check(states == ["idle", "idle"], "every worker up at READY=1: %r" % states)
        check(ready[0] > t_sock, "READY=1 after the socket answered")
        check(ready[1] == d.proc.pid, "READY=1 sent by crawld (pid %r, want %d)"
              % (ready[1], d.proc.pid))
        check(ready[2].get("MAINPID") == str(d.proc.pid), "MAINPID=%r" % ready[2].get("MAINPID"))
        check("STATUS" in ready[2], "READY=1 carries a STATUS")
    starting = [m for m in n.msgs if m[2].get("STATUS", "").startswith("starting")]
    check(starting and ready and starting[0][0] <= ready[0], "STATUS=starting before READY=1")
    # WATCHDOG=1 about every 200 ms (WATCHDOG_USEC/2).
    t0 = time.time()
    end = time.time() + 1.2
    while time.time() < end:
        n.poll(0.05)
    dogs = [m for m in n.msgs if m[2].get("WATCHDOG") == "1" and m[0] >= t0]
    check(len(dogs) >= 3, "WATCHDOG=1 with WATCHDOG_PID=crawld: %d in 1.2 s" % len(dogs))
    check(all(m[1] == d.proc.pid for m in n.msgs),
          "every message from crawld's pid: %r" % sorted({m[1] for m in n.msgs}))
    for w in d.status()["workers"]:
        env = environ_of(w["pid"])
        leaked = [k for k in env if k in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")]
        check(not leaked, "worker %d environment has no %r" % (w["pid"], leaked))
    # STATUS after a crawl: pages per second, the queue, pages done.
    jid = d.submit([BASE + "/site/p/%d.html" % i for i in range(6)], "--no-js")
    d.wait_job(jid)
    m = n.wait(lambda m: " 6 done" in m[2].get("STATUS", ""), 10, "STATUS with 6 pages done")
    if m:
        s = m[2]["STATUS"]
        check(s.startswith("running: ") and "pages/s" in s and "pending" in s
              and "in flight" in s and "2/2 workers" in s, "STATUS line: %r" % s)
    # Reload: RELOADING=1, then READY=1 again.
    n.poll()
    t1 = time.time()
    rc, out, err = d.ctl("reload")
    check(rc == 0, "reload: %r" % err)
    rl = n.wait(lambda m: m[2].get("RELOADING") == "1" and m[0] >= t1, 5, "RELOADING=1")
    rd = n.wait(lambda m: m[2].get("READY") == "1" and m[0] >= t1, 5, "READY=1 after reload")
    check(rl and rd and rl[0] <= rd[0], "RELOADING=1 before READY=1")
    # SIGTERM: STOPPING=1, exit 0.
    d.proc.send_signal(signal.SIGTERM)
    n.wait(lambda m: m[2].get("STOPPING") == "1", 10, "STOPPING=1")
    check(d.stop() == 0, "exit 0 after SIGTERM")
    n.close()
    check(d.cleanup(), "no worker left (notify)")
    dump_log_on_failure(d)

    # ---- WATCHDOG_PID unset: the watchdog is ours ----
    # ---- WATCHDOG_PID another pid, or no WATCHDOG_USEC: no WATCHDOG=1 ----
    for name, env, wpid, want in (("wd-unset", {"WATCHDOG_USEC": "300000"}, None, True),
                                  ("wd-other", {"WATCHDOG_USEC": "300000"}, "1", False),
                                  ("wd-none", {}, None, False)):
        d = Daemon(name, workers=1)
        daemons.append(d)
        n = Notify(os.path.join(d.dir, "notify.sock"))
        env = dict(env, NOTIFY_SOCKET=n.path)
        start(d, env, pid_wrapper=wpid)
        r = n.wait(lambda m: m[2].get("READY") == "1", 20, "READY=1 (%s)" % name)
        end = time.time() + 1.0
        while time.time() < end:
            n.poll(0.05)
        dogs = [m for m in n.msgs if m[2].get("WATCHDOG") == "1"]
        if want:
            check(len(dogs) >= 3 and all(m[1] == d.proc.pid for m in dogs),
                  "%s: WATCHDOG=1 from crawld, %d in 1 s" % (name, len(dogs)))
        else:
            check(r is not None and not dogs, "%s: no WATCHDOG=1 (%d)" % (name, len(dogs)))
        check(d.stop() == 0, "%s: exit 0" % name)
        n.close()
        check(d.cleanup(), "no worker left (%s)" % name)
        dump_log_on_failure(d)

    # ---- a worker that cannot start: the socket answers, READY=1 never comes ----
    d = Daemon("notready", workers=1, env={"CRAWLD_WORKER": "/nonexistent/crawld-worker"})
    daemons.append(d)
    n = Notify(os.path.join(d.dir, "notify.sock"))
    start(d, {"NOTIFY_SOCKET": n.path})
    wait_for(lambda: d.proc.poll() is None and d.ping(), 10, "control socket (notready)")
    end = time.time() + 2.0
    while time.time() < end:
        n.poll(0.05)
    check(not any("READY" in m[2] for m in n.msgs), "no READY=1 while no worker can start")
    check(any(m[2].get("STATUS", "").startswith("starting") for m in n.msgs),
          "STATUS=starting sent")
    check(d.stop() == 0, "notready: exit 0")
    n.close()
    check(d.cleanup(), "no worker left (notready)")
    dump_log_on_failure(d)
finally:
    for x in daemons:
        if x.proc and x.proc.poll() is None:
            x.proc.kill()
            x.proc.wait()
finish("systemd_notify")
