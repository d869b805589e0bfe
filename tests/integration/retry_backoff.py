#!/usr/bin/env python3
"""Back off when a server asks, against the test server's /backoff/NAME
(tests/server/httpd.py): a refused answer (429, 502, 503, 504, a reset or
empty connection) is retried after its Retry-After or an exponential
back-off, never recorded until final; the record says how many retries and
why; a host backing off holds up no other host; the retry count and the
wait survive kill -9 of crawld.

usage: retry_backoff.py BASE_URL   (CRAWLD_BIN: the build directory)"""
import json, os, sys, time, urllib.request
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import Daemon, check, dump_log_on_failure, finish, wait_for  # noqa: E402

BASE = sys.argv[1]
PORT = BASE.rsplit(":", 1)[1]
OTHER = "http://localhost:" + PORT  # another host (origin) on the same server

CONF = ("\n[politeness]\nmax_retries = 2\nretry_base_ms = 200\nretry_max_ms = 400\n"
        "retry_after_max_s = 30\n")


def log():
    with urllib.request.urlopen(BASE + "/backoff-log", timeout=10) as r:
        return json.load(r)


def gaps(name):
    t = log().get(name, [])
    return [b - a for a, b in zip(t, t[1:])]


def one(d, url, timeout=30):
    jid = d.submit([url], "--no-js")
    d.wait_job(jid, timeout)
    recs = d.records(jid)
    check(len(recs) == 1, "%s: one record, not %d" % (url, len(recs)))
    return recs[0] if recs else {}


d = Daemon("retry", conf=CONF)
try:
    d.start()

    # 503 with Retry-After: 1 twice, then 200.
    r = one(d, BASE + "/backoff/ra?fail=2&retry-after=1")
    check(r.get("status") == 200 and r.get("retries") == 2 and r.get("attempts") == 1,
          "503 x2 then 200: status 200, retries 2, attempts 1: %r" %
          {k: r.get(k) for k in ("status", "retries", "attempts")})
    check(r.get("retry_reasons") == ["503 retry-after=1s"] * 2,
          "the reasons say 503 and the Retry-After: %r" % r.get("retry_reasons"))
    check("retry_gave_up" not in r, "a page that got its answer did not give up")
    g = gaps("ra")
    check(len(g) == 2 and min(g) >= 1.0, "each retry waited the Retry-After (>= 1 s): %r" % g)

    # 429 with an HTTP-date 2 s ahead.
    r = one(d, BASE + "/backoff/date?fail=1&code=429&retry-after=2&date=1")
    rr = r.get("retry_reasons") or [""]
    check(r.get("status") == 200 and r.get("retries") == 1 and rr[0].startswith("429 retry-after="),
          "429 with an HTTP-date retried: %r" % {k: r.get(k) for k in ("status", "retry_reasons")})
    g = gaps("date")
    check(len(g) == 1 and g[0] >= 1.0, "the HTTP-date was waited for (>= 1 s): %r" % g)

    # 503 for ever, no Retry-After: exponential back-off, then the answer is final.
    r = one(d, BASE + "/backoff/never?fail=-1")
    check(r.get("status") == 503 and r.get("retries") == 2 and
          r.get("retry_reasons") == ["503", "503"] and
          "max_retries (2) reached: 503" in (r.get("retry_gave_up") or ""),
          "503 for ever: recorded 503 after max_retries, saying why: %r" %
          {k: r.get(k) for k in ("status", "retries", "retry_reasons", "retry_gave_up")})
    g = gaps("never")
    check(len(g) == 2 and all(x >= 0.1 for x in g),
          "3 requests, back-off >= base/2 between them: %r" % g)

    # A connection reset, an empty reply: retried as well. fail=2: curl itself
    # tries a reused connection that died once more, so one refusal may be
    # curl's to retry; the second is crawld's.
    for name, q, why in (("reset", "reset=1", "connection reset"),
                         ("empty", "empty=1", "empty reply")):
        r = one(d, BASE + "/backoff/%s?fail=2&%s" % (name, q))
        rr = r.get("retry_reasons") or []
        check(r.get("status") == 200 and rr and all(x == why for x in rr) and
              r.get("retries") == len(rr),
              "%s is retried: %r" % (why, {k: r.get(k) for k in ("status", "error",
                                                                 "retry_reasons")}))
    # A 404 is an answer, not a refusal: recorded at once, retries 0.
    r = one(d, BASE + "/status/404")
    check(r.get("status") == 404 and r.get("retries") == 0 and r.get("retry_reasons") == [],
          "a 404 is not retried: %r" % {k: r.get(k) for k in ("status", "retries")})

    # A host backing off holds up no other host.
    slow = d.submit([BASE + "/backoff/hold?fail=-1&retry-after=4"], "--no-js")
    wait_for(lambda: len(log().get("hold", [])) >= 1, 10, "the refusing host's first request")
    wait_for(lambda: d.status().get("hosts_backing_off", 0) >= 1, 10,
             "status shows the host backing off")
    rc, o, e = d.ctl("status")
    check(rc == 0 and "hosts backing off: 1" in o, "crawlctl status shows it:\n" + o)
    t0 = time.time()
    fast = d.submit([OTHER + "/site/p/%d.html" % i for i in range(10)], "--no-js")
    d.wait_job(fast, 20)
    took = time.time() - t0
    nfast = len(d.records(fast))
    check(nfast == 10 and took < 3.0, "the other host's %d pages took %.2f s (< 3 s, while the "
          "first waits 4 s)" % (nfast, took))
    check(d.job(slow)["state"] == "running" and len(log()["hold"]) == 1,
          "the refusing host was still waiting its Retry-After meanwhile")
    rc, m, e = d.ctl("metrics")
    check(rc == 0 and 'crawld_page_retries_total{reason="503"}' in m and
          "crawld_hosts_backing_off 1" in m, "metrics count retries by reason and the host "
          "backing off")
    n503 = [l for l in m.splitlines() if l.startswith('crawld_page_retries_total{reason="503"}')]
    check(n503 and int(float(n503[0].split()[1])) >= 5, "retries of 503 counted: %r" % n503)
    d.wait_job(slow, 30)

    # Retry state survives kill -9: the wait and the count.
    jid = d.submit([BASE + "/backoff/restart?fail=2&retry-after=3"], "--no-js")
    wait_for(lambda: len(log().get("restart", [])) >= 1, 10, "first request")
    wait_for(lambda: "reason=\"503 retry-after=3s\" retry=1" in d.log_text(), 10,
             "the first retry stored")
    time.sleep(0.3)  # the retry's group commits within 50 ms
    d.kill9()
    d.start()
    d.wait_job(jid, 30)
    recs = d.records(jid)
    check(len(recs) == 1, "one record across kill -9, not %d" % len(recs))
    r = recs[0] if recs else {}
    check(r.get("status") == 200 and r.get("retries") == 2,
          "the retry count survived the restart: %r" % {k: r.get(k) for k in ("status",
                                                                              "retries")})
    g = gaps("restart")
    check(len(g) == 2 and min(g) >= 3.0, "the Retry-After held across the restart: %r" % g)
    # exit 0: under the debug build, nothing leaked (the tracking allocator)
    check(d.stop() == 0, "clean stop")
except Exception:
    dump_log_on_failure(d)
    raise
finally:
    d.cleanup()
finish("retry_backoff")
