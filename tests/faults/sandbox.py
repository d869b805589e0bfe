"""Workers under the sandbox. The real crawld-worker's hidden
sandbox-selftest command installs the filter and finds execve, ptrace,
fork, unshare, mount and personality denied (EPERM) and threads allowed.
Workers started by crawld show NoNewPrivs 1 and Seccomp 2 (filter) in
/proc; a JS crawl whose links only exist after scripts (fetch, timers)
finds exactly its pages, a --no-js crawl of a 60-page site finds all of it,
no worker dies and none logs "sandbox not installed". With [limits]
worker_sandbox = false the workers run unfiltered."""
import json, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from daemon_lib import ASAN, BIN, check, dump_log_on_failure, finish, wait_for  # noqa: E402
from crawl_lib import bfs, crawl_daemon  # noqa: E402

BASE = sys.argv[1]
SITE = BASE + "/site/"
JSITE = BASE + "/fixtures/jsite/"
daemons = []


def proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


def worker_pids(d):
    return [w["pid"] for w in d.status()["workers"] if w.get("pid")]


try:
    # ---- the real binary, sandboxed, tries what is denied ----
    r = subprocess.run([BIN + "/crawld-worker", "sandbox-selftest"], capture_output=True,
                       text=True, timeout=60)
    res = json.loads(r.stdout) if r.stdout.strip().startswith("{") else {}
    check(r.returncode == 0, "sandbox-selftest passes: %d %r %r" % (r.returncode, r.stdout, r.stderr))
    for call in ["execve", "unshare", "mount", "personality"] + ([] if ASAN else ["ptrace", "fork"]):
        check(res.get(call) == "EPERM", "%s is denied: %r" % (call, res.get(call)))
    check(res.get("thread") == "allowed", "threads are allowed: %r" % res.get("thread"))

    # ---- workers started by crawld are filtered; crawls work ----
    d = crawl_daemon("sandbox")
    daemons.append(d)
    d.start()
    pids = worker_pids(d)
    check(len(pids) == 2, "two workers: %r" % pids)
    for pid in pids:
        st = proc_status(pid)
        check(st.get("NoNewPrivs") == "1" and st.get("Seccomp") == "2",
              "worker %d: NoNewPrivs %r Seccomp %r" % (pid, st.get("NoNewPrivs"), st.get("Seccomp")))
    graph = [JSITE + "graph/%d.html" % i for i in range(5)]
    jid = d.submit([graph[0]], "--js", "--scope", "prefix", "--depth", "10")
    d.wait_job(jid, timeout=120)
    recs = d.records(jid)
    check(sorted(r["url"] for r in recs) == sorted(graph),
          "--js crawl: exactly the 5 pages reached only through scripts: %r" % [r["url"] for r in recs])
    check(all(r["js"] is True and r["error"] is None for r in recs), "scripts ran on every page")
    pages = ["fetch.html", "xhr.html", "timer.html", "external.html", "append.html"]
    jid = d.submit([JSITE + p for p in pages], "--js", "--depth", "0")
    d.wait_job(jid, timeout=120)
    recs = {r["url"]: r for r in d.records(jid)}
    # external.html's second script is missing by design: one failure.
    check(len(recs) == len(pages) and all((r.get("js_stats") or {}).get("failed") ==
                                          (1 if u.endswith("external.html") else 0)
                                          for u, r in recs.items()),
          "fetch, XHR, timers, external scripts run: %r" % {u: r.get("js_stats") for u, r in recs.items()})
    check(JSITE + "fetched-a.html" in (recs.get(JSITE + "fetch.html") or {}).get("links", []),
          "fetch() worked under the filter")
    check(JSITE + "external-ext.html" in (recs.get(JSITE + "external.html") or {}).get("links", []),
          "an external script was fetched and ran")
    want = {u for u, _ in bfs([SITE], 1000, lambda u: u.startswith(SITE))}
    jid = d.submit([SITE], "--no-js", "--scope", "prefix", "--depth", "1000")
    d.wait_job(jid, timeout=120)
    recs = d.records(jid)
    check({r["url"] for r in recs} == want and len(recs) == len(want) and
          all(r["status"] == 200 for r in recs), "--no-js crawl: every page once")
    st = d.status()
    check(st["recycles"].get("crash", 0) == 0, "no worker died: %r" % st["recycles"])
    check("sandbox not installed" not in d.log_text(), "every worker installed it")
    check(d.stop() == 0, "crawld exits 0")
    check(d.cleanup(), "nothing left behind")
    dump_log_on_failure(d)

    # ---- worker_sandbox = false ----
    d = crawl_daemon("nosandbox", extra="[limits]\nworker_sandbox = false\n", workers=1)
    daemons.append(d)
    d.start()
    for pid in worker_pids(d):
        check(proc_status(pid).get("Seccomp") == "0", "worker_sandbox = false: no filter")
    check(d.stop() == 0, "crawld exits 0")
    check(d.cleanup(), "nothing left behind")
    dump_log_on_failure(d)
finally:
    for x in daemons:
        x.cleanup()
finish("sandbox")
