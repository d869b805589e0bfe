#!/usr/bin/env python3
"""A job's cookie jar against the test server's /ck/ routes (httpd.py):

* a cookie the seed sets (Set-Cookie) is sent with the job's later pages,
  fetched by two workers: each gate page says it got the cookie with the
  right value, and the inner pages, linked only from a gate that had it,
  are crawled; a job of its own does not get another job's cookie.
* the jar survives kill -9 of crawld mid-job: gates fetched after the
  restart still get the cookie.
* --cookies FILE seeds the jar: the cookie for 127.0.0.1 is sent, the one
  for another host (localhost) is not; a malformed file is refused naming
  the file and line; `crawlctl job` shows a count of cookies.
* a page that expires a cookie (Max-Age=0) takes it out of the jar.
* page scripts: document.cookie shows a page the jar's cookie and those
  its response set, never an HttpOnly one; a cookie a script sets with
  document.cookie reaches the job's later pages on both workers, one it
  may not set (another domain, HttpOnly) does not.
* no cookie value appears in pages.jsonl, the log, status or job JSON, or
  the WARC, whose request records show `Cookie: <redacted>`.

usage: crawl_cookies.py BASE_URL   (CRAWLD_BIN: the build directory)"""
import gzip, json, os, sys, tempfile, urllib.request
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import check, dump_log_on_failure, finish, wait_for  # noqa: E402
from crawl_lib import committed_lines, crawl_daemon  # noqa: E402

BASE = sys.argv[1]
PORT = BASE.rsplit(":", 1)[1]
SECRET = "s3cr3t-0f-the-jar-7Q2"
SECRET2 = "s3cr3t-after-restart-9Z4"
SEEDED = "s3cr3t-seeded-5K1"
OTHER = "s3cr3t-other-host-3M8"
GATES = 6


def expect(name, v):
    with urllib.request.urlopen("%s/ck/expect?name=%s&v=%s" % (BASE, name, v)) as r:
        r.read()


JSREAD = "s3cr3t-js-read-8R6"
JSWRITE = "s3cr3t-js-write-2W5"


def crawl(d, seeds, *opts, timeout=60, js=False):
    jid = d.submit(seeds, *(() if js else ("--no-js",)), *opts)
    rc, out, err = d.ctl("wait", str(jid), "--timeout", str(timeout))
    check(rc == 0 and "done" in out, "job %s done: %d %r %r" % (jid, rc, out, err))
    return jid, {r["url"]: r for r in d.records(jid)}


def gates_ok(recs, name, n, q=""):
    for i in range(1, n + 1):
        g = recs.get("%s/ck/gate/%d%s" % (BASE, i, q))
        check(g is not None and ("[%s:ok]" % name) in g["title"],
              "gate %d got cookie %s with its value: %r" % (i, name, g and g["title"]))
        check(("%s/ck/inner/%d" % (BASE, i)) in recs, "inner %d reached through its gate" % i)


d = crawl_daemon("cookies", extra="per_host_concurrency = 2\n[daemon]\nmin_every_s = 1\n")
tmp = tempfile.mkdtemp(prefix="crawld-cookies.")
try:
    d.start()
    check(d.nworkers() == 2, "two workers")

    # ---- a cookie set by the seed reaches every later page, on both workers ----
    # the values are given to the server aside: never in a URL the crawler sees
    expect("sess", SECRET)
    jid, recs = crawl(d, ["%s/ck/set/sess?links=%d" % (BASE, GATES)],
                      "--depth", "2", "--warc")
    check(len(recs) == 1 + 2 * GATES, "seed, gates and inner pages: %d" % len(recs))
    gates_ok(recs, "sess", GATES)
    j = d.job(jid)
    check(j.get("cookies") == 1, "crawlctl job counts one cookie: %r" % j.get("cookies"))
    rc, out, err = d.ctl("job", str(jid))
    check(rc == 0 and "cookies" in out and SECRET not in out, "crawlctl job shows the count only")
    warc_job = jid

    # another job has a jar of its own: the gate gets no cookie, no inner page
    jid2, recs2 = crawl(d, ["%s/ck/gate/1" % BASE], "--depth", "1")
    g = recs2.get("%s/ck/gate/1" % BASE)
    check(g is not None and g["title"] == "gate 1 []", "no cookie from another job: %r"
          % (g and g["title"]))
    check(len(recs2) == 1, "no inner page without the cookie")

    # ---- a page that expires the cookie takes it out of the jar ----
    jid3, recs3 = crawl(d, ["%s/ck/set/gone?v=x1&links=0" % BASE], "--depth", "0")
    check(d.job(jid3)["cookies"] == 1, "one cookie after the set")
    jid4, recs4 = crawl(d, ["%s/ck/set/gone?v=x2&links=0&del=1" % BASE], "--depth", "1")
    check(("%s/ck/del/gone" % BASE) in recs4, "the page that expires it was fetched")
    check(d.job(jid4)["cookies"] == 0, "the jar is empty once a page expired the cookie: %r"
          % d.job(jid4)["cookies"])

    # ---- page scripts: document.cookie reads and writes the job's jar ----
    expect("jsr", JSREAD)
    jid7, recs7 = crawl(d, ["%s/ck/set/jsr?read=1" % BASE], "--depth", "2", js=True)
    r = recs7.get("%s/ck/js/read/jsr" % BASE)
    check(r is not None and r["title"] == "js read [jsr own]",
          "document.cookie shows the jar's cookie and the response's, not the HttpOnly one: %r"
          % (r and r["title"]))
    check(("%s/ck/js/seen/jsr" % BASE) in recs7,
          "the script linked on seeing the jar's cookie with its value")
    check(d.job(jid7)["cookies"] == 3, "jsr, own and the HttpOnly hid in the jar: %r"
          % d.job(jid7)["cookies"])
    expect("jsw", JSWRITE)
    jid8, recs8 = crawl(d, ["%s/ck/js/write/jsw?links=%d" % (BASE, GATES)], "--depth", "2",
                        js=True)
    w = recs8.get("%s/ck/js/write/jsw?links=%d" % (BASE, GATES))
    check(w is not None and w["title"] == "js write [] [jsw]",
          "the script's cookie is in document.cookie, the refused ones are not: %r"
          % (w and w["title"]))
    check(len(recs8) == 1 + 2 * GATES, "writer, gates and inner pages: %d" % len(recs8))
    gates_ok(recs8, "jsw", GATES)
    check(d.job(jid8)["cookies"] == 1, "only the script's allowed cookie in the jar: %r"
          % d.job(jid8)["cookies"])

    # ---- --cookies FILE: seeded for this host only; bad files refused ----
    expect("seeded", SEEDED)
    expect("other", OTHER)
    good = os.path.join(tmp, "jar.txt")
    with open(good, "w") as f:
        f.write("# Netscape HTTP Cookie File\n\n"
                "127.0.0.1\tFALSE\t/\tFALSE\t0\tseeded\t%s\n"
                "localhost\tFALSE\t/\tFALSE\t0\tother\t%s\n"
                "127.0.0.1\tFALSE\t/\tFALSE\t1\texpired\tgone\n" % (SEEDED, OTHER))
    jid5, recs5 = crawl(d, ["%s/ck/gate/1" % BASE], "--depth", "1", "--cookies", good)
    g = recs5.get("%s/ck/gate/1" % BASE)
    check(g is not None and g["title"] == "gate 1 [seeded:ok]",
          "the seeded cookie for 127.0.0.1 is sent, the localhost one and the expired one "
          "are not: %r" % (g and g["title"]))
    check(("%s/ck/inner/1" % BASE) in recs5, "inner page reached with the seeded cookie")
    check(d.job(jid5)["cookies"] == 2, "two unexpired cookies in the seeded jar: %r"
          % d.job(jid5)["cookies"])
    # a schedule's next run starts with the jar the last run ended with:
    # its gate gets the seeded cookie though the run has no --cookies
    jsa = d.submit(["%s/ck/gate/1" % BASE], "--no-js", "--depth", "1", "--cookies", good,
                    "--every", "1s")
    rc, out, err = d.ctl("wait", str(jsa), "--timeout", "60")

    def next_run(jid):
        for jj in d.request({"cmd": "jobs"})["jobs"]:
            if d.job(jj["id"]).get("since") == jid:
                return jj["id"]
        return None
    jsb = wait_for(lambda: next_run(jsa), 20, "the scheduled run", step=0.2)
    check(jsb is not None, "the schedule's next run started")
    if jsb:
        d.ctl("cancel", str(jsa))
        rc, out, err = d.ctl("wait", str(jsb), "--timeout", "60")
        d.ctl("cancel", str(jsb))
        recs_b = {r["url"]: r for r in d.records(jsb)}
        g = recs_b.get("%s/ck/gate/1" % BASE)
        check(g is not None and g["title"] == "gate 1 [seeded:ok]",
              "the next run sends the jar's cookie: %r" % (g and g["title"]))
        check(d.job(jsb)["cookies"] == 2, "the next run's jar holds the two cookies: %r"
              % d.job(jsb)["cookies"])
    bad = os.path.join(tmp, "bad.txt")
    with open(bad, "w") as f:
        f.write("# comment\n127.0.0.1\tFALSE\t/\tFALSE\tsoon\tn\tv\n")
    rc, out, err = d.ctl("submit", "--cookies", bad, "%s/ck/gate/1" % BASE)
    check(rc == 2 and ("%s:2:" % bad) in err and "expires" in err,
          "a malformed line refused naming file and line: %d %r" % (rc, err))
    rc, out, err = d.ctl("submit", "--cookies", os.path.join(tmp, "none.txt"), BASE + "/")
    check(rc == 2 and "none.txt" in err, "a missing file refused: %d %r" % (rc, err))
    # the daemon refuses a bad line sent by hand, naming the field
    r = d.request({"cmd": "submit", "urls": [BASE + "/"], "cookies": ["a\tb"]})
    check(not r["ok"] and "cookies[0]" in r["error"], "daemon names the field: %r" % r)

    # ---- the jar survives kill -9 of crawld mid-job ----
    expect("late", SECRET2)
    jid6 = d.submit(["%s/ck/set/late?links=%d&ms=300" % (BASE, GATES)], "--no-js",
                    "--depth", "2", "--delay-ms", "0")
    out6 = os.path.join(d.out, str(jid6), "pages.jsonl")
    # gates answer slowly (ms=): the seed's record is committed first
    wait_for(lambda: committed_lines(out6) >= 1, 30, "the seed's record committed")
    d.kill9()
    n_at_kill = committed_lines(out6)
    check(n_at_kill < 1 + 2 * GATES, "killed mid-job (%d records)" % n_at_kill)
    d.restart()
    rc, o, e = d.ctl("wait", str(jid6), "--timeout", "60")
    check(rc == 0 and "done" in o, "job done after the restart: %d %r" % (rc, o))
    recs6 = {r["url"]: r for r in d.records(jid6)}
    gates_ok(recs6, "late", GATES, "?ms=300")

    # ---- no cookie value anywhere users see ----
    secrets = [SECRET, SECRET2, SEEDED, OTHER, JSREAD, JSWRITE]
    for jj in (jid, jid2, jid5, jid6, jid7, jid8):
        with open(os.path.join(d.out, str(jj), "pages.jsonl")) as f:
            text = f.read()
        check(not any(s in text for s in secrets), "no cookie value in job %d's pages.jsonl" % jj)
    st = json.dumps(d.status())
    check(not any(s in st for s in secrets), "no cookie value in status")
    for jj in (jid, jid5, jid6):
        t = json.dumps(d.job(jj))
        check(not any(s in t for s in secrets), "no cookie value in job %d's JSON" % jj)
    rc, m, e = d.ctl("metrics")
    check(rc == 0 and not any(s in m for s in secrets), "no cookie value in the metrics")
    with gzip.open(os.path.join(d.out, str(warc_job), "crawl.warc.gz"), "rb") as f:
        warc = f.read().decode("utf-8", "replace")
    check(not any(s in warc for s in secrets), "no cookie value in the WARC")
    check("Cookie: <redacted>" in warc and "Set-Cookie: <redacted>" in warc,
          "the WARC shows the Cookie and Set-Cookie headers redacted")
    check(d.stop() == 0, "crawld exits 0")
    log = d.log_text()
    check(not any(s in log for s in secrets), "no cookie value in the log")
finally:
    dump_log_on_failure(d)
    check(d.cleanup(), "no worker left behind")
finish("crawl_cookies")
