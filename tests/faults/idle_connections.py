"""10,000 connections that never send a line: crawld holds at most its
client cap (1024) of them; every connection past the cap gets
{"ok":false,"error":"too many clients (max 1024)"} and is closed at once, so
file descriptors and memory do not grow with the flood; crawlctl over the
cap gets the reason, and once the flood is gone the daemon answers again."""
import os, resource, socket, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from daemon_lib import BIN, Daemon, check, dump_log_on_failure, finish  # noqa: E402

CAP = 1024

# The flood needs more descriptors than the usual soft limit, for this script
# and the crawld it starts. The process the test runner started keeps its own
# limits: the script runs again as a child with the soft limit raised there.
if "IDLE_FLOOD_CONNECTIONS" not in os.environ:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 10000
    if hard != resource.RLIM_INFINITY and hard < want + 200:
        want = hard - 200
        print("idle_connections: RLIMIT_NOFILE hard limit %d: %d connections" % (hard, want))

    def raise_nofile():
        resource.setrlimit(resource.RLIMIT_NOFILE, (want + 200, hard))

    sys.stdout.flush()
    env = dict(os.environ, IDLE_FLOOD_CONNECTIONS=str(want))
    sys.exit(subprocess.call([sys.executable, os.path.abspath(__file__)], env=env,
                             preexec_fn=raise_nofile))

want = int(os.environ["IDLE_FLOOD_CONNECTIONS"])
check(resource.getrlimit(resource.RLIMIT_NOFILE)[0] >= want + 200,
      "the child has the raised descriptor limit")
check(want > CAP + 100, "enough descriptors to pass the cap (%d)" % want)

d = Daemon("idle-flood", workers=1)
socks = []
try:
    d.start()
    pid = d.proc.pid

    def fds():
        return len(os.listdir("/proc/%d/fd" % pid))

    def rss_kb():
        with open("/proc/%d/status" % pid) as f:
            return int(next(l for l in f if l.startswith("VmRSS")).split()[1])

    fd0, rss0 = fds(), rss_kb()
    for _ in range(want):
        s = socket.socket(socket.AF_UNIX)
        s.connect(d.sock)
        socks.append(s)
    time.sleep(1)
    answered = 0
    for s in socks[CAP + 50:]:
        s.settimeout(5)
        try:
            if b"too many clients" in s.recv(4096):
                answered += 1
        except OSError:
            pass
    over = len(socks) - (CAP + 50)
    check(answered == over, "every connection past the cap answered with the reason (%d of %d)"
          % (answered, over))
    fd1, rss1 = fds(), rss_kb()
    check(fd1 <= fd0 + CAP + 20, "descriptors bounded by the cap: %d -> %d" % (fd0, fd1))
    # Release: measured +0.7 MB. The debug and ASan builds put large headers
    # on every allocation, and the refused clients' structs are alive together
    # for a moment while the burst is accepted; their ceiling is higher.
    limit_kb = 8 * 1024 if os.environ.get("CRAWLD_BUILD", "release") == "release" else 48 * 1024
    check(rss1 - rss0 < limit_kb, "memory does not grow with the flood: %d -> %d KB (limit +%d)"
          % (rss0, rss1, limit_kb))
    # A few connections of the start-up checks may still have been closing
    # (and counted) when the flood began, leaving slots under the cap: these
    # fill them, so the next client is past the cap for sure.
    for _ in range(16):
        s = socket.socket(socket.AF_UNIX)
        s.connect(d.sock)
        socks.append(s)
    time.sleep(0.5)
    r = subprocess.run([BIN + "/crawlctl", "-s", d.sock, "status"], capture_output=True,
                       text=True, timeout=30)
    check(r.returncode == 1 and "too many clients" in r.stderr,
          "crawlctl over the cap gets the reason: rc=%d %r" % (r.returncode, r.stderr.strip()))
    for s in socks:
        s.close()
    socks = []
    time.sleep(1)
    check(d.request({"cmd": "status"})["ok"] is True, "answers again once the flood is gone")
    check(fds() <= fd0 + 2, "descriptors back: %d" % fds())
    check(d.stop() == 0, "crawld exits 0")
finally:
    for s in socks:
        s.close()
    dump_log_on_failure(d)
    check(d.cleanup(), "no worker left behind")
finish("idle_connections")
