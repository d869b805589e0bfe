#!/usr/bin/env python3
"""Socket activation (crawld.socket) for real, without systemd: the test
binds and listens on a unix socket like systemd's socket unit, then execs
crawld through a wrapper that moves the socket to fd 3 and sets
LISTEN_FDS=1 and LISTEN_PID to its own pid (kept by exec), as systemd does.

* crawlctl reaches crawld on the activated socket; crawld never creates its
  configured socket path; a job runs.
* On exit crawld leaves the socket file (systemd's) in place.
* A request sent while crawld is down waits in the backlog and is answered
  by the next crawld started on the same socket.
* LISTEN_PID naming another process: crawld ignores the fd and binds its
  configured path (plain start, no systemd).
* The workers inherit neither fd 3 of crawld nor LISTEN_*.

usage: systemd_socket.py BASE_URL   (CRAWLD_BIN: the build directory)"""
import json, os, signal, socket, stat, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import BIN, Daemon, check, dump_log_on_failure, finish, wait_for  # noqa: E402

BASE = sys.argv[1]
WRAP = ("import os, sys\n"
        "fd = int(sys.argv[1])\n"
        "if fd != 3:\n"
        "    os.dup2(fd, 3)\n"
        "    os.close(fd)\n"
        "os.set_inheritable(3, True)\n"
        "os.environ['LISTEN_FDS'] = '1'\n"
        "os.environ['LISTEN_PID'] = sys.argv[2] if sys.argv[2] != 'self' else str(os.getpid())\n"
        "os.execv(sys.argv[3], sys.argv[3:])\n")


def activate(d, lsock, listen_pid="self"):
    d.logf = open(d.log, "ab")
    d.proc = subprocess.Popen([sys.executable, "-c", WRAP, str(lsock.fileno()), listen_pid,
                               BIN + "/crawld", "-c", d.conf, "--foreground"],
                              stdout=d.logf, stderr=d.logf, env=d.env,
                              pass_fds=(lsock.fileno(),))


def ctl(path, *args):
    r = subprocess.run([BIN + "/crawlctl", "-s", path] + list(args), capture_output=True,
                       text=True, timeout=60)
    return r.returncode, r.stdout, r.stderr


daemons = []
try:
    d = Daemon("activated")
    daemons.append(d)
    act = os.path.join(d.dir, "activated.sock")  # what crawld.socket would listen on
    lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    lsock.bind(act)
    os.chmod(act, 0o660)
    lsock.listen(64)
    ino = os.stat(act).st_ino
    activate(d, lsock)
    wait_for(lambda: d.proc.poll() is None and ctl(act, "status")[0] == 0, 10,
             "crawlctl status on the activated socket")
    st = json.loads(ctl(act, "--json", "status")[1])
    check(st["pid"] == d.proc.pid, "the activated socket is served by crawld")
    wait_for(lambda: all(w["state"] == "idle" for w in json.loads(
        ctl(act, "--json", "status")[1])["workers"]), 20, "workers idle")
    check(not os.path.exists(d.sock), "configured socket path not created: %s" % d.sock)
    wait_for(lambda: "activated=" in d.log_text(), 10, "started line")
    log = d.log_text()
    check("activated=1" in log and act in log, "log names the activated socket")
    check("serving the socket systemd passed" in log, "log warns about the configured path")
    rc, out, err = ctl(act, "submit", "--depth", "0", "--no-js", BASE + "/site/p/1.html")
    check(rc == 0, "submit on the activated socket: %r" % err)
    jid = int(out) if rc == 0 else 0
    rc, out, err = ctl(act, "wait", str(jid), "--timeout", "30")
    check(rc == 0, "job done: %r %r" % (out, err))
    for w in json.loads(ctl(act, "--json", "status")[1])["workers"]:
        fds = os.listdir("/proc/%d/fd" % w["pid"])
        targets = {os.readlink("/proc/%d/fd/%s" % (w["pid"], f)) for f in fds}
        crawld_lsock = os.readlink("/proc/%d/fd/3" % d.proc.pid)
        check(crawld_lsock not in targets, "worker %d does not hold the listening socket"
              % w["pid"])
        with open("/proc/%d/environ" % w["pid"], "rb") as f:
            env = f.read()
        check(b"LISTEN_FDS=" not in env and b"LISTEN_PID=" not in env,
              "worker %d has no LISTEN_*" % w["pid"])
    # Stop: the socket file is systemd's and stays.
    check(d.stop() == 0, "exit 0 after SIGTERM")
    check(os.path.exists(act) and os.stat(act).st_ino == ino,
          "activated socket file left in place")
    # A request while no crawld runs waits in the backlog, like under systemd.
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(60)
    c.connect(act)
    c.sendall(b'{"cmd":"status"}\n')
    activate(d, lsock)
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = c.recv(65536)
        if not chunk:
            break
        buf += chunk
    c.close()
    rep = json.loads(buf or b"{}")
    check(rep.get("ok") is True and rep["status"]["pid"] == d.proc.pid,
          "request queued while crawld was down answered by the new crawld: %r" % buf[:120])
    check(d.stop() == 0, "second run: exit 0")
    check(d.cleanup(), "no worker left (activated)")
    dump_log_on_failure(d)

    # LISTEN_PID of another process: not ours, crawld binds its own path.
    d2 = Daemon("notours")
    daemons.append(d2)
    activate(d2, lsock, listen_pid="1")
    wait_for(lambda: d2.proc.poll() is None and d2.ping(), 10, "crawld on its configured path")
    check(stat.S_ISSOCK(os.lstat(d2.sock).st_mode), "configured socket made")
    check(wait_for(lambda: "activated=0" in d2.log_text(), 10, "started line"), "not activated")
    check(d2.stop() == 0, "notours: exit 0")
    check(not os.path.exists(d2.sock), "own socket file removed at exit")
    check(d2.cleanup(), "no worker left (notours)")
    dump_log_on_failure(d2)
    lsock.close()
finally:
    for x in daemons:
        if x.proc and x.proc.poll() is None:
            x.proc.kill()
            x.proc.wait()
finish("systemd_socket")
