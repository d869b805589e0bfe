"""The configuration a fault script runs in, for `make test-matrix`
(tests/run_matrix.sh runs the scripts once per row of
tests/faults/matrix.conf).

The row comes in $CRAWLD_MATRIX as space-separated key=value words:

  name=NAME               the row's name, printed by every run and failure
  tuned=yes|no            yes: the script keeps its own config keys (its
                          timeouts, max_attempts, ...) and the row's keys
                          replace its scheduling keys; no: the config holds
                          nothing but the scratch keys every test sets
                          (socket, state and output paths, delay_ms = 0,
                          allow_private, as scripts/demo.sh) and the row's
                          keys, and the scripts' job options do not set JS
  hosts=N                 origins the script crawls: N test servers on
                          127.0.0.1, one port each (default 1)
  per_host_concurrency=N  [politeness] key
  queue_per_worker=N, coalesce_us=N, js=true|false, workers=N,
  fetches_per_worker=N    [daemon] keys (fetches_per_worker 1: a worker
                          holds one page, queue_per_worker queues behind it)

A crawld key the row does not name is not written (its built-in default
applies, or the script's own value when tuned). Without $CRAWLD_MATRIX
nothing changes: ROW is None and every function here returns what the script did
before (so `make test` is unchanged)."""
import atexit, os, re, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from daemon_lib import BIN, check  # noqa: E402

SECTION = {"per_host_concurrency": "politeness", "queue_per_worker": "daemon",
           "coalesce_us": "daemon", "js": "daemon", "workers": "daemon",
           "fetches_per_worker": "daemon"}
TEST_KEYS = ("name", "tuned", "hosts")
# What every test's config sets (scripts/demo.sh's scratch config).
SCRATCH_KEYS = {"socket", "state_dir", "output_dir", "delay_ms", "allow_private"}


def parse(text):
    """{key: value} of a row; raises ValueError on an unknown key or a bad word."""
    row = {}
    for word in (text or "").split():
        k, eq, v = word.partition("=")
        if not eq or not v:
            raise ValueError("matrix: %r is not key=value" % word)
        if k not in SECTION and k not in TEST_KEYS:
            raise ValueError("matrix: unknown key %r" % k)
        row[k] = v
    if row and "name" not in row:
        raise ValueError("matrix: a row needs name=")
    return row


ROW = parse(os.environ.get("CRAWLD_MATRIX")) or None


def label():
    """One line naming the configuration, '' outside the matrix."""
    if ROW is None:
        return ""
    return " ".join("%s=%s" % (k, v) for k, v in ROW.items())


def tuned():
    """Whether the script's own config keys and job options apply."""
    return ROW is None or ROW.get("tuned", "yes") == "yes"


def hosts():
    return int(ROW.get("hosts", "1")) if ROW else 1


def workers(script_default):
    """The workers line the Daemon writes: the row's, else the script's own
    when tuned, else None (not written: the built-in default)."""
    if ROW and "workers" in ROW:
        return int(ROW["workers"])
    return script_default if tuned() else None


def conf(script_conf):
    """The script's extra config text with the row applied: untuned, only the
    row's keys; tuned, the script's keys minus those the row sets, then the
    row's."""
    if ROW is None:
        return script_conf
    out = []
    if not tuned():  # the scratch config's one politeness key (scripts/demo.sh)
        out += ["[politeness]", "delay_ms = 0"]
    else:
        for line in script_conf.splitlines():
            if line.partition("=")[0].strip() not in ROW:
                out.append(line)
    for sect in ("daemon", "politeness"):
        keys = [k for k in SECTION if SECTION[k] == sect and k in ROW and k != "workers"]
        if keys:
            out.append("[%s]" % sect)
            out.extend("%s = %s" % (k, ROW[k]) for k in keys)
    return "\n".join(out) + "\n"


def js_opts(script_opts):
    """The job's JS option: the script's own outside the matrix or when
    tuned and the row leaves js alone; none in the matrix otherwise (the
    config's js decides)."""
    if ROW is None or (tuned() and "js" not in ROW):
        return list(script_opts)
    return []


def effective(conf_path):
    """{key: value} of `crawld --check-config -c FILE` (every key)."""
    r = subprocess.run([BIN + "/crawld", "--check-config", "-c", conf_path],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, "crawld --check-config: %s" % r.stderr.strip())
    eff = {}
    for line in r.stdout.splitlines():
        k, eq, v = line.partition(" = ")
        if eq:
            eff[k.strip()] = v.strip()
    if not r.stdout.endswith("\n") or "=" not in r.stdout:
        check(False, "crawld --check-config printed no config")
    return eff


def announce(script, d):
    """Prints the configuration and checks that crawld gets it: the row's
    keys are in effect, and an untuned config sets only the scratch keys."""
    if ROW is None:
        return
    print("%s: matrix configuration %s" % (script, label()), flush=True)
    eff = effective(d.conf)
    for k in SECTION:
        if k in ROW:
            check(eff.get(k) == ROW[k], "%s = %s in effect (crawld says %r)" % (k, ROW[k], eff.get(k)))
    if not tuned():
        with open(d.conf) as f:
            keys = {l.partition("=")[0].strip() for l in f
                    if "=" in l and not l.lstrip().startswith((";", "#"))}
        extra = keys - SCRATCH_KEYS - set(SECTION).intersection(ROW)
        check(not extra, "untuned config sets only the scratch keys and the row's (also %s)"
              % sorted(extra))
    print("%s: effective %s" % (script, " ".join(
        "%s=%s" % (k, eff.get(k)) for k in ("workers", "fetches_per_worker", "js",
                                           "queue_per_worker", "coalesce_us",
                                           "per_host_concurrency", "delay_ms", "max_attempts",
                                           "page_timeout_ms"))), flush=True)


_servers = []


def _stop_servers():
    for p, tmp in _servers:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for f in os.listdir(tmp):
            os.unlink(os.path.join(tmp, f))
        os.rmdir(tmp)
    _servers.clear()


atexit.register(_stop_servers)


def start_httpd(*args):
    """One more tests/server/httpd.py on a free port of 127.0.0.1; returns
    its origin. Stopped at exit."""
    tmp = tempfile.mkdtemp(prefix="crawld-matrix-httpd.")
    port_file = os.path.join(tmp, "port")
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "server", "httpd.py"),
                          "--port", "0", "--port-file", port_file] + list(args),
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    _servers.append((p, tmp))
    end = time.time() + 10
    while time.time() < end:
        if os.path.exists(port_file):
            with open(port_file) as f:
                port = f.read().strip()
            if re.fullmatch(r"[0-9]+", port):
                return "http://127.0.0.1:%s" % port
        if p.poll() is not None:
            break
        time.sleep(0.01)
    raise RuntimeError("matrix: test server did not start")


def sites(base, pages, refs=0):
    """The origins a site-crawling script crawls: [base] outside the matrix
    (the server its .sh started); in the matrix, hosts() servers of its own,
    pages // hosts() pages each, with --site-refs refs."""
    if ROW is None:
        return [base]
    n = hosts()
    args = ["--site-pages", str(max(1, pages // n))]
    if refs:
        args += ["--site-refs", str(refs)]
    return [start_httpd(*args) for _ in range(n)]
