"""Helpers for the crawld integration tests: a scratch directory per daemon
(socket, state, output, config), the real crawld and crawlctl from
$CRAWLD_BIN, polling with deadlines (never sleeps to wait for things), and
a check that no process started by a test is left behind.

Daemon(crawl=False) (the daemon_* tests of the pool) submits with --depth 0
unless a test says otherwise and turns politeness off (no delay, no
robots.txt, per-host concurrency 64): they test workers, not crawling. The
crawl_* tests pass crawl=True and set what they test."""
import json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import logfmt_check  # noqa: E402

BIN = os.path.abspath(os.environ.get("CRAWLD_BIN", "build"))
BUILD = os.environ.get("CRAWLD_BUILD", "release")
ASAN = BUILD == "asan"
# Everything is slower under the sanitizers and the tracking allocator.
SLOW = 4.0 if ASAN else (1.5 if BUILD == "debug" else 1.0)

# The fault scripts export CRAWLD_TEST_LOGFMT=1: cleanup() then fails the
# test on any line crawld and its workers wrote to the log that is not
# logfmt (tests/logfmt_check.py). A fake worker a test points CRAWLD_WORKER
# at writes its own stderr elsewhere: its lines are not crawld's.
LOGFMT = os.environ.get("CRAWLD_TEST_LOGFMT") == "1"
LSAN_TRACER_LOST = re.compile(r"==\d+==Unable to get registers from thread \d+\.\Z")

passed = failed = 0
# Under `make test-matrix` every failure names the configuration it ran in.
_MATRIX = " [matrix %s]" % os.environ["CRAWLD_MATRIX"] if os.environ.get("CRAWLD_MATRIX") else ""


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL%s:" % _MATRIX, what, file=sys.stderr, flush=True)
    return cond


def finish(name):
    print("%s%s: %d passed, %d failed" % (name, _MATRIX, passed, failed))
    sys.exit(1 if failed else 0)


def wait_for(pred, timeout, what, step=0.02):
    """Polls pred() until it returns a true value or timeout (scaled) passes."""
    end = time.time() + timeout * SLOW
    while True:
        try:
            v = pred()
        except Exception:  # noqa: BLE001 - a poll may race a restart
            v = None
        if v:
            return v
        if time.time() > end:
            check(False, "timed out waiting for " + what)
            return None
        time.sleep(step)


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


class Daemon:
    """One crawld in its own scratch directory."""

    def __init__(self, name, conf="", workers=2, env=None, allow_private=True, crawl=False,
                 out=None):
        self.crawl = crawl
        self.dir = tempfile.mkdtemp(prefix="crawld-%s." % name)
        self.sock = os.path.join(self.dir, "crawld.sock")
        self.conf = os.path.join(self.dir, "crawld.conf")
        # out: an output_dir of the caller's (several daemons may share one,
        # as the nodes of a cluster do); default: the daemon's own.
        self.out = out if out is not None else os.path.join(self.dir, "out")
        self.log = os.path.join(self.dir, "crawld.log")
        with open(self.conf, "w") as f:
            f.write("[daemon]\nsocket = %s\nstate_dir = %s/state\noutput_dir = %s\n"
                    % (self.sock, self.dir, self.out))
            # workers=None leaves the key to its built-in default (2).
            if workers is not None:
                f.write("workers = %d\n" % workers)
            # info is the built-in default; the line is written only to change it.
            if os.environ.get("CRAWLD_TEST_LOG_LEVEL"):
                f.write("log_level = %s\n" % os.environ["CRAWLD_TEST_LOG_LEVEL"])
            if not crawl:
                f.write("[politeness]\ndelay_ms = 0\nobey_robots = false\n"
                        "per_host_concurrency = 64\n")
            f.write(conf)
            if allow_private:
                f.write("\n[network]\nallow_private = true\n")
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.proc = None
        self.seen_workers = set()

    def start(self, wait_ready=True):
        self.logf = open(self.log, "ab")
        self.proc = subprocess.Popen([BIN + "/crawld", "-c", self.conf, "--foreground"],
                                     stdout=self.logf, stderr=self.logf, env=self.env)
        if wait_ready:
            wait_for(lambda: self.proc.poll() is None and self.ping(), 10, "crawld socket")
            wait_for(lambda: self.workers_in("idle") == self.nworkers(), 20,
                     "every worker idle")
        return self

    def ping(self):
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(self.sock)
            s.close()
            return True
        except OSError:
            return False

    def ctl(self, *args, timeout=60):
        r = subprocess.run([BIN + "/crawlctl", "-s", self.sock] + list(args),
                           capture_output=True, text=True, timeout=timeout * SLOW, env=self.env)
        return r.returncode, r.stdout, r.stderr

    def request(self, obj):
        """One raw NDJSON request over the socket."""
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(30 * SLOW)
        s.connect(self.sock)
        s.sendall((json.dumps(obj) + "\n").encode())
        buf = b""
        while not buf.endswith(b"\n"):
            c = s.recv(65536)
            if not c:
                break
            buf += c
        s.close()
        return json.loads(buf)

    def status(self):
        st = self.request({"cmd": "status"})["status"]
        for w in st["workers"]:
            if w.get("pid"):
                self.seen_workers.add(w["pid"])
        return st

    def nworkers(self):
        return self.status()["workers_configured"]

    def workers_in(self, state):
        return sum(1 for w in self.status()["workers"] if w["state"] == state)

    def submit(self, urls, *opts):
        if not self.crawl and "--depth" not in opts:
            opts = ("--depth", "0") + tuple(opts)
        rc, out, err = self.ctl("submit", *opts, *urls)
        check(rc == 0, "submit rc=%d err=%s" % (rc, err))
        return int(out.strip()) if rc == 0 else None

    def job(self, jid):
        return self.request({"cmd": "job", "id": jid})["job"]

    def wait_job(self, jid, timeout=30):
        return wait_for(lambda: self.job(jid)["state"] not in ("running", "paused"),
                        timeout, "job %d to end" % jid)

    def records(self, jid):
        path = os.path.join(self.out, str(jid), "pages.jsonl")
        with open(path) as f:
            return [json.loads(l) for l in f if l.strip()]

    def log_text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def worker_pids_now(self):
        """Every process whose command line names this daemon's config: the
        workers, found without asking the daemon (it may be dead)."""
        # crawld starts workers with -c STATE_DIR/worker.conf (the config it
        # runs with); the config file itself is matched too.
        names = {self.conf.encode()}
        try:
            with open(self.conf) as f:
                for line in f:
                    k, _, v = line.partition("=")
                    if k.strip() == "state_dir":
                        names.add((v.strip() + "/worker.conf").encode())
        except OSError:
            pass
        pids = []
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    cmd = f.read().split(b"\0")
            except OSError:
                continue
            if b"serve" in cmd and names.intersection(cmd) and alive(int(d)):
                pids.append(int(d))
        return pids

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Stops crawld; returns its exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout * SLOW)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
            check(False, "crawld did not exit after signal %d" % sig)
        self.logf.close()
        return rc

    def kill9(self):
        """kill -9 of crawld; its workers must leave on their own."""
        workers = self.worker_pids_now()
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.logf.close()
        wait_for(lambda: not any(alive(p) for p in workers), 10, "workers die with crawld")

    def restart(self):
        """Start again after kill9, on the same state."""
        self.start(wait_ready=False)
        wait_for(lambda: self.proc.poll() is None and self.ping(), 15, "crawld answers after restart")

    def check_log_lines(self):
        """Every line of the log (crawld's stdout and stderr, which its
        workers share) parses as logfmt; shows the first that do not."""
        try:
            with open(self.log, "rb") as f:
                bad = logfmt_check.bad_lines(f.read())
        except FileNotFoundError:  # never started, or already cleaned up
            return True
        if BUILD == "asan":
            # A worker doing its exit-time leak check when crawld is killed
            # -9 gets SIGKILL (PR_SET_PDEATHSIG) under the sanitizer's
            # tracer, which then says this one line and nothing else; any
            # real report has more lines, which still fail here.
            bad = [b for b in bad if not LSAN_TRACER_LOST.match(b[2])]
        for no, why, text in bad[:5]:
            print("%s:%d: %s: %s" % (self.log, no, why, text[:300]), file=sys.stderr)
        return check(not bad, "every line of %s is logfmt (%d are not)" % (self.log, len(bad)))

    def cleanup(self):
        """Kills whatever is left and says whether anything was; with
        LOGFMT, checks the log once nothing can write to it any more."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        left = wait_for(lambda: not self.worker_pids_now(), 3, "workers to be gone") is not None
        for pid in self.worker_pids_now():
            os.kill(pid, signal.SIGKILL)
        if LOGFMT:
            self.check_log_lines()
        if not failed:  # kept for a look when something failed
            shutil.rmtree(self.dir, ignore_errors=True)
        return left


def dump_log_on_failure(d):
    if failed:
        sys.stderr.write("---- crawld log (%s) ----\n" % d.log)
        try:
            sys.stderr.write(d.log_text()[-6000:])
        except OSError:
            pass
