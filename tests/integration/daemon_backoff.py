#!/usr/bin/env python3
"""crawld when workers cannot start (a missing worker binary, a worker that
exits at once): restarted with exponential backoff, one clear log line, the
daemon answers and exits 0 on SIGTERM. kill -9 of crawld: its workers exit
on their own within a second. Peer credentials: another uid is refused.

usage: daemon_backoff.py BASE_URL"""
import os, shutil, signal, stat, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import BIN, SLOW, Daemon, alive, check, dump_log_on_failure, finish, wait_for  # noqa: E402

BASE = sys.argv[1]
daemons = []


def backoff_case(name, worker):
    d = Daemon(name, env={"CRAWLD_WORKER": worker})
    daemons.append(d)
    d.start(wait_ready=False)
    wait_for(lambda: d.ping(), 10, "socket of a daemon without workers")
    st = wait_for(lambda: d.status() if d.status()["recycles"]["start_failures"] >= 4 else None,
                  15, "start failures to pile up")
    if st:
        check(all(w["state"] in ("backoff", "starting") for w in st["workers"]),
              "slots wait in backoff: %r" % [w["state"] for w in st["workers"]])
        t0 = time.time()
        n0 = st["recycles"]["start_failures"]
        time.sleep(0.5)  # the rate of restarts is what is measured here
        n1 = d.status()["recycles"]["start_failures"]
        # 250, 500, 1000, 2000 ms...: after 4+ failures per slot, at most a
        # couple more per half second (no busy loop).
        check(n1 - n0 <= 4, "restarts slow down: %d in %.1fs" % (n1 - n0, time.time() - t0))
    log = d.log_text()
    check(log.count("worker fails to start; retrying with backoff") == 1,
          "one clear log line: %d" % log.count("worker fails to start"))
    check(worker in log, "the line names the worker path")
    rc, out, err = d.ctl("status")
    check(rc == 0 and "backoff" in out, "status answers during backoff: %r" % out)
    jid = d.submit([BASE + "/site/p/1.html"])
    check(d.job(jid)["pending"] == 1, "page waits for a worker")
    check(d.stop() == 0, "SIGTERM during backoff → exit 0")
    check(d.cleanup(), "nothing left behind (%s)" % name)
    dump_log_on_failure(d)


try:
    # A worker path that does not exist (exec fails inside uv_spawn).
    backoff_case("noworker", "/nonexistent/crawld-worker")
    # A worker that starts and exits at once, before its ready handshake.
    fake = shutil.which("false") or "/bin/false"
    backoff_case("falseworker", fake)

    # ---- kill -9 of crawld: the workers leave within a second ----
    d = Daemon("kill9")
    daemons.append(d)
    d.start()
    jid = d.submit([BASE + "/slow?ms=3000&a=%d" % i for i in range(2)])
    wait_for(lambda: d.workers_in("busy") == 2, 10, "both busy")
    pids = d.worker_pids_now()
    check(len(pids) == 2, "two worker processes found: %r" % pids)
    d.proc.send_signal(signal.SIGKILL)
    d.proc.wait()
    t0 = time.time()
    gone = wait_for(lambda: not any(alive(p) for p in pids), 1.0 / SLOW + (1 if SLOW > 1 else 0),
                    "workers to exit after kill -9 of crawld")
    check(gone is not None, "workers gone within %.2fs" % (time.time() - t0))
    d.logf.close()
    # The socket file stays behind: a new daemon replaces it (stale).
    check(os.path.exists(d.sock), "stale socket left by kill -9")
    d2 = Daemon("kill9b")
    d2.conf, d2.sock, d2.out = d.conf, d.sock, d.out  # same socket and output root
    daemons.append(d2)
    d2.start()
    check("replaced a stale socket" in d2.log_text(), "restart replaces the stale socket")
    jid2 = d2.submit([BASE + "/site/p/3.html"])
    check(jid2 is not None and jid2 > jid, "job ids continue after the old ones (%r > %r)"
          % (jid2, jid))
    d2.wait_job(jid2)

    # ---- peer credentials: another uid is refused even when it can connect ----
    if os.geteuid() == 0 and shutil.which("setpriv"):
        os.chmod(d2.sock, 0o666)
        os.chmod(os.path.dirname(d2.sock), 0o755)
        for _ in range(5):  # the refusal must arrive every time, not a reset
            r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                BIN + "/crawlctl", "-s", d2.sock, "status"],
                               capture_output=True, text=True, timeout=30)
            check(r.returncode == 1 and "permission denied" in r.stderr,
                  "other uid refused: %d %r" % (r.returncode, r.stderr))
        os.chmod(d2.sock, 0o660)
        check(d2.status()["control"]["refused"] == 5, "refusals counted")
    check(d2.stop() == 0, "exit 0")
    check(d2.cleanup(), "nothing left behind (kill9)")
    dump_log_on_failure(d2)
finally:
    for x in daemons:
        x.cleanup()
finish("daemon_backoff")
