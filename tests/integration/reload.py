#!/usr/bin/env python3
"""Config reload, end to end.

* `crawlctl reload` with a changed log_level: the reply names the changed
  key, debug lines appear, both workers are replaced (recycles.reload) and
  load the new config (state_dir/worker.conf).
* SIGHUP does the same; log_level=warn silences info lines.
* Keys read only at start (workers, user_agent) are reported in
  restart_required and keep their running values; the others apply.
* A file that does not load or validate is refused with the reason
  ("config: FILE:LINE: …"), logged, and changes nothing: no worker replaced,
  and a worker that restarts meanwhile still starts (it reads worker.conf,
  not the broken file). SIGHUP with a bad file: the daemon keeps running.
* Reloads during a crawl: every page recorded exactly once, first attempt,
  no error.

usage: reload.py BASE_URL   (CRAWLD_BIN: the build directory)"""
import json, os, re, signal, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import Daemon, alive, check, dump_log_on_failure, finish, wait_for  # noqa: E402

BASE = sys.argv[1]


def set_keys(d, **kv):
    """Rewrites key = value lines of d's config (adds [limits] ones at the end)."""
    with open(d.conf) as f:
        text = f.read()
    for k, v in kv.items():
        line = "%s = %s" % (k, v)
        if re.search(r"(?m)^%s\s*=.*$" % k, text):
            text = re.sub(r"(?m)^%s\s*=.*$" % k, line, text)
        else:
            text += "\n[%s]\n%s\n" % ("limits" if k.startswith("rss") else "daemon", line)
    with open(d.conf, "w") as f:
        f.write(text)


def reload_json(d):
    rc, out, err = d.ctl("--json", "reload")
    try:
        return rc, json.loads(out) if out.strip() else None, err
    except ValueError:
        return rc, None, err


def recycles(d):
    return d.status()["recycles"]["reload"]


def worker_conf(d):
    with open(os.path.join(d.dir, "state", "worker.conf")) as f:
        return f.read()


env = {k: v for k, v in os.environ.items() if k != "CRAWLD_LOG_LEVEL"}
d = Daemon("reload", workers=2, env=None)
d.env = env
try:
    set_keys(d, log_level="info")
    d.start()
    old = {w["pid"] for w in d.status()["workers"]}
    check("level=debug" not in d.log_text(), "no debug lines at log_level=info")
    for p in old:
        with open("/proc/%d/cmdline" % p, "rb") as f:
            cmd = f.read().split(b"\0")
        check(os.path.join(d.dir, "state", "worker.conf").encode() in cmd,
              "worker %d loads state_dir/worker.conf: %r" % (p, cmd))

    # ---- crawlctl reload: log level + workers replaced, reason reload ----
    set_keys(d, log_level="debug")
    rc, rep, err = reload_json(d)
    check(rc == 0 and rep and rep["ok"], "reload ok: %r %r" % (rep, err))
    if rep:
        check(rep["changed"] == ["daemon.log_level"], "changed: %r" % rep["changed"])
        check(rep["restart_required"] == [], "restart_required: %r" % rep["restart_required"])
        check(rep["workers_replacing"] == 2, "workers_replacing: %r" % rep["workers_replacing"])
        check(rep["config"] == d.conf, "config path: %r" % rep["config"])
    wait_for(lambda: recycles(d) == 2 and d.workers_in("idle") == 2, 20,
             "both workers replaced")
    new = {w["pid"] for w in d.status()["workers"]}
    check(not (new & old) and len(new) == 2, "new worker pids: %r → %r" % (old, new))
    check(not any(alive(p) for p in old), "old workers gone")
    log = d.log_text()
    tail = log[log.find("config reloaded"):]
    check("config reloaded" in log and "source=crawlctl" in tail.split("\n")[0],
          "reload logged with its source")
    check("level=debug" in tail, "debug lines after the reload")
    check(tail.count("reason=reload") >= 2, "workers retired with reason=reload")
    check("log_level = debug" in worker_conf(d), "worker.conf has the new log_level")
    st = d.status()
    check(st["recycles"]["manual"] == 0 and st["recycles"]["crash"] == 0,
          "only reload recycles: %r" % st["recycles"])

    # ---- SIGHUP: the same, log_level=warn silences info ----
    set_keys(d, log_level="warn")
    d.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: recycles(d) == 4 and d.workers_in("idle") == 2, 20,
             "SIGHUP: both workers replaced")
    check("log_level = warn" in worker_conf(d), "SIGHUP applied the file")
    n_info = d.log_text().count("level=info")
    d.ctl("recycle")  # info lines ("worker retiring", "worker started") at info level
    wait_for(lambda: d.status()["recycles"]["manual"] == 2 and d.workers_in("idle") == 2, 20,
             "manual recycle")
    check(d.log_text().count("level=info") == n_info, "no info lines at log_level=warn")

    # ---- restart-only keys: reported, running values kept; others apply ----
    set_keys(d, log_level="info", workers=3, user_agent="other/9", rss_poll_ms=100)
    rc, rep, err = reload_json(d)
    check(rc == 0 and rep, "reload with restart-only keys ok: %r" % err)
    if rep:
        check(sorted(rep["restart_required"]) == ["daemon.user_agent", "daemon.workers"],
              "restart_required: %r" % rep["restart_required"])
        check(sorted(rep["changed"]) == ["daemon.log_level", "limits.rss_poll_ms"],
              "changed: %r" % rep["changed"])
    check(d.status()["workers_configured"] == 2 and len(d.status()["workers"]) == 2,
          "still 2 workers")
    wc = worker_conf(d)
    check("rss_poll_ms = 100" in wc and "user_agent = other/9" not in wc
          and "workers = 2" in wc, "worker.conf: new poll, old agent and workers")
    check(d.log_text().count("needs a restart") >= 2, "restart-only keys logged")
    wait_for(lambda: recycles(d) == 6 and d.workers_in("idle") == 2, 20, "replaced again")
    set_keys(d, workers=2)
    with open(d.conf) as f:
        text = f.read()
    with open(d.conf, "w") as f:
        f.write(re.sub(r"(?m)^user_agent = other/9\n", "", text))

    # ---- a bad file: refused with the reason, nothing changes ----
    good = open(d.conf).read()
    before = recycles(d)
    wc_before = worker_conf(d)
    with open(d.conf, "w") as f:
        f.write(good + "\n[daemon]\nworkers = banana\n")
    rc, out, err = d.ctl("reload")
    check(rc == 1 and "config: " + d.conf + ":" in err and "[daemon] workers: not an integer"
          in err, "bad value refused with file:line and key: %d %r" % (rc, err))
    check("reload refused; keeping the running config" in d.log_text(), "refusal logged")
    with open(d.conf, "w") as f:
        f.write(good + "\n[limits]\nrss_soft_mb = 900\nrss_hard_mb = 800\n")
    rc, rep, err = reload_json(d)
    check(rc == 1 and "config: " in err and "rss_soft_mb" in err,
          "invalid combination refused: %r" % err)
    check(rep is not None and rep.get("ok") is False and rep["error"].startswith("config: "),
          "--json refusal: %r" % rep)
    d.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: d.log_text().count("reload refused") >= 3, 10, "SIGHUP refusal logged")
    check(d.proc.poll() is None and d.ping(), "daemon keeps running after bad reloads")
    check(worker_conf(d) == wc_before, "worker.conf untouched by refused reloads")
    # A worker replaced now still starts: it reads worker.conf, not the bad file.
    pid0 = d.status()["workers"][0]["pid"]
    d.ctl("recycle", "0")
    wait_for(lambda: d.status()["workers"][0]["pid"] not in (None, pid0)
             and d.status()["workers"][0]["state"] == "idle", 20,
             "worker restarted while the file is bad")
    check(d.status()["workers"][0].get("start_failures", 0) == 0, "no start failure")
    check(recycles(d) == before, "no reload recycle from refused reloads")
    with open(d.conf, "w") as f:
        f.write(good)

    # ---- reloads during a crawl: no page lost, none twice ----
    urls = [BASE + "/slow?ms=40&i=%d" % i for i in range(80)]
    jid = d.submit(urls, "--no-js")
    r0 = recycles(d)
    for i in range(3):
        wait_for(lambda: d.job(jid)["done"] >= 10 * (i + 1) or
                 d.job(jid)["state"] != "running", 30, "pages done before reload %d" % i)
        rc, out, err = d.ctl("reload")
        check(rc == 0, "reload %d during the crawl: %r" % (i, err))
    d.wait_job(jid, timeout=60)
    j = d.job(jid)
    check(j["state"] == "done" and j["done"] == 80 and j["failed"] == 0, "job: %r" % j)
    recs = d.records(jid)
    got = [r["url"] for r in recs]
    check(len(got) == 80 and set(got) == set(urls), "every page once: %d records, %d distinct"
          % (len(got), len(set(got))))
    check(all(r["status"] == 200 and r["error"] is None and r.get("attempts", 1) == 1
              for r in recs), "every page fetched on its first attempt, no error")
    # a worker told to go at a reload leaves once its pages are done, which
    # may be after the job's last one: wait for it, not for the job
    wait_for(lambda: recycles(d) > r0, 20, "a reload recycle counted")
    check(recycles(d) > r0, "workers replaced during the crawl (%d → %d)" % (r0, recycles(d)))
    wait_for(lambda: d.workers_in("idle") == 2, 20, "workers idle at the end")
    check(d.stop() == 0, "exit 0")
    check(d.cleanup(), "no worker left")
finally:
    dump_log_on_failure(d)
    if d.proc and d.proc.poll() is None:
        d.proc.kill()
        d.proc.wait()
finish("reload")
