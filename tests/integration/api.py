#!/usr/bin/env python3
"""The HTTP API ([api] in crawld.conf) through the real daemon, over TCP on
127.0.0.1, every request and answer checked against docs/openapi.yaml:
each route; the long poll (answered as the job ends, and at its wait);
400s naming the field, 401 (no token, wrong token: one answer), 404, 405,
413 (Content-Length and chunked), a token file re-read on SIGHUP and on
crawlctl reload (a 0644 one refused, the old tokens kept), the limits
(connections, idle timeout), raw garbage over a socket, TLS (a CA and a
certificate made with openssl), the config refusals, the token never in
the log, status or metrics, and a parked request answered as crawld stops.

usage: api.py BASE_URL   (tests/server/httpd.py; CRAWLD_BIN: the build)"""
import json, os, signal, socket, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import BIN, SLOW, Daemon, check, dump_log_on_failure, finish, wait_for  # noqa: E402
from api_lib import Client, free_port, make_ca, make_server_cert, token_file  # noqa: E402

BASE = sys.argv[1]
TOKEN, TOKEN2, NEW = "tok-Alpha-7f3c9e", "tok-Beta-21d0aa", "tok-Gamma-88b1e4"
tmp = tempfile.mkdtemp(prefix="crawld-api.")
tokens = token_file(os.path.join(tmp, "tokens"), [TOKEN, TOKEN2])


def api_conf(port, extra=""):
    return "\n[api]\nlisten = 127.0.0.1:%d\ntoken_file = %s\n%s" % (port, tokens, extra)


def check_config(text):
    path = os.path.join(tmp, "check.conf")
    with open(path, "w") as f:
        f.write(text)
    r = subprocess.run([BIN + "/crawld", "--check-config", "-c", path], capture_output=True,
                       text=True, timeout=30)
    return r.returncode, r.stdout + r.stderr


def raw(port, data, timeout=5):
    """Sends data over a plain socket; what came back before the close."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout * SLOW)
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            c = s.recv(65536)
            if not c:
                return out
            out += c
    except OSError:
        return b""
    finally:
        s.close()


# ---- config refusals: named keys, exit 2 ----
for bad, word in (("localhost:8480", "no host names"), ("127.0.0.1", "ADDRESS:PORT"),
                  ("127.0.0.1:0", "ADDRESS:PORT"), ("::1:8480", "not a numeric IPv4"),
                  ("[::1]:99999", "ADDRESS:PORT")):
    rc, out = check_config("[api]\nlisten = %s\ntoken_file = %s\n" % (bad, tokens))
    check(rc == 2 and "[api] listen:" in out and word in out,
          "listen = %s: exit 2 naming [api] listen (%s): %d %r" % (bad, word, rc, out[-300:]))
rc, out = check_config("[api]\nlisten = [::1]:8480\ntoken_file = %s\n" % tokens)
check(rc == 0, "listen = [::1]:8480 is accepted: %d %r" % (rc, out[-200:]))
rc, out = check_config("[api]\nlisten = 127.0.0.1:8480\n")
check(rc == 2 and "[api] token_file: required" in out, "listen without token_file: %r" % out)
rc, out = check_config("[api]\ntls_cert = /x.pem\n")
check(rc == 2 and "tls_cert and tls_key" in out, "tls_cert without tls_key: %r" % out)
rc, out = check_config("[api]\nmax_body_kb = 0\n")
check(rc == 2 and "[api] max_body_kb" in out, "max_body_kb = 0: %r" % out)

# a token file group or others may read: crawld does not start, and says why
loose = token_file(os.path.join(tmp, "loose"), [TOKEN], 0o644)
d0 = Daemon("api-loose", conf="\n[api]\nlisten = 127.0.0.1:%d\ntoken_file = %s\n"
            % (free_port(), loose))
try:
    d0.start(wait_ready=False)
    rc = d0.proc.wait(timeout=20 * SLOW)
    log = d0.log_text()
    check(rc == 2 and "[api] token_file" in log and "0600" in log,
          "a 0644 token file: exit 2 naming token_file and 0600: %d %r" % (rc, log[-400:]))
finally:
    d0.cleanup()

port = free_port()
d = Daemon("api", conf=api_conf(port, "max_connections = 8\ntimeout_s = 3\nmax_body_kb = 64\n"))
c = Client(port, TOKEN)
try:
    d.start()

    # ---- 401: no token, a wrong one, another scheme: one answer ----
    answers = [c.call("GET", "/v1/status", token=None), c.call("GET", "/v1/status", token="nope"),
               c.call("GET", "/v1/status", token=TOKEN + "x"),
               c.call("GET", "/v1/status", token=TOKEN[:-1]),
               c.call("GET", "/v1/status", token=None, headers={"Authorization": "Basic " + TOKEN})]
    check(all(a.status == 401 for a in answers), "401s: %r" % [a.status for a in answers])
    check(len({a.body for a in answers}) == 1, "one 401 body for every failure: %r"
          % {a.body for a in answers})
    check(answers[0].header("WWW-Authenticate") == 'Bearer realm="crawld"', "WWW-Authenticate")
    a = c.call("GET", "/metrics", token=None)
    check(a.status == 401, "/metrics needs a token (metrics_auth defaults to true): %d" % a.status)
    a = c.call("GET", "/nowhere", token=None, expect_valid=False)
    check(a.status == 401, "an unknown route without a token: 401 first: %d" % a.status)

    # ---- the routes ----
    a = c.call("GET", "/v1/status")
    check(a.status == 200 and a.json()["status"]["state"] == "running", "GET /v1/status")
    a = Client(port, TOKEN2).call("GET", "/v1/status")
    check(a.status == 200, "the second token of the file works too: %d" % a.status)
    a = c.call("POST", "/v1/jobs", {"urls": [BASE + "/site/"], "depth": 10, "max_pages": 12,
                                     "js": False})
    check(a.status == 201, "POST /v1/jobs: 201: %d %r" % (a.status, a.body))
    jid = a.json().get("job")
    check(a.header("Location") == "/v1/jobs/%s" % jid, "Location: %r" % a.header("Location"))
    t0 = time.time()
    a = c.call("GET", "/v1/jobs/%d?wait=30000" % jid)
    took = time.time() - t0
    check(a.status == 200 and a.json()["job"]["state"] == "done",
          "GET ?wait=30000 answers as the job ends: %r" % a.body[:200])
    check(took < 25 * SLOW, "… before the wait is over (%.1fs)" % took)
    recs = d.records(jid)
    check(len(recs) == a.json()["job"]["done"] + a.json()["job"]["failed"] == 12,
          "the job's counts match its 12 records: %d %r" % (len(recs), a.body[:200]))
    a = c.call("GET", "/v1/jobs")
    check(a.status == 200 and [j["id"] for j in a.json()["jobs"]] == [jid], "GET /v1/jobs")
    # --save and --extract through the API: the fields come back in the
    # records the pages route streams, the content in content.jsonl.zst
    a = c.call("POST", "/v1/jobs", {"urls": [BASE + "/site/"], "depth": 0, "js": False,
                                     "save": "markdown", "extract": ["title=title", "links=a@href"]})
    check(a.status == 201, "POST /v1/jobs with save and extract: %d %r" % (a.status, a.body))
    xj = a.json().get("job")
    c.call("GET", "/v1/jobs/%d?wait=30000" % xj)
    a = c.call("GET", "/v1/jobs/%d/pages" % xj)
    recs = [json.loads(l) for l in a.body.decode().splitlines()]
    check(len(recs) == 1 and recs[0].get("fields", {}).get("title") == recs[0].get("title")
          and recs[0]["fields"].get("links") == "p/0.html",
          "the record's fields through the pages route: %r" % [r.get("fields") for r in recs])
    zst = os.path.join(d.out, str(xj), "content.jsonl.zst")
    md = subprocess.run(["zstd", "-dc", zst], capture_output=True, text=True).stdout
    check(md.count("\n") == 1 and "markdown" in json.loads(md.splitlines()[0]),
          "the page's Markdown in content.jsonl.zst: %r" % md[:120])
    # … and over HTTP: the committed bytes, in pieces of 7, decode to the same lines
    got, off, ended = b"", 0, False
    for _ in range(10000):
        a = c.call("GET", "/v1/jobs/%d/content?from=%d&max_bytes=7" % (xj, off))
        if a.status != 200 or not a.body:
            ended = a.header("Crawld-Job-Ended") == "true"
            break
        got += a.body
        off = int(a.header("Crawld-Next-Offset"))
    with open(zst, "rb") as f:
        whole = f.read()
    check(got == whole and ended and a.header("Content-Type") == "application/zstd",
          "GET /content in pieces is the committed file, byte for byte, then ended: %d of %d, %r"
          % (len(got), len(whole), a.header("Content-Type")))
    dec = subprocess.run(["zstd", "-dc"], input=got, capture_output=True).stdout.decode()
    check(dec == md, "the bytes over HTTP decode to the page's content line")
    a = c.call("GET", "/v1/jobs/%d/content" % jid)
    check(a.status == 400 and b"without --save" in a.body,
          "content of a job without --save: 400 saying so: %d %r" % (a.status, a.body[:120]))
    a = c.call("GET", "/v1/jobs/%d/content?from=%d" % (xj, len(whole) + 1))
    check(a.status == 400 and b"past the committed end" in a.body,
          "content from past the end: 400: %d %r" % (a.status, a.body[:120]))
    jid_list = [jid, xj]
    a = c.call("GET", "/v1/jobs")
    check(sorted(j["id"] for j in a.json()["jobs"]) == jid_list, "GET /v1/jobs lists both: %r"
          % a.body[:200])
    ctl = d.request({"cmd": "job", "id": jid})
    a = c.call("GET", "/v1/jobs/%d" % jid)
    check(a.json() == ctl, "GET /v1/jobs/ID is the control reply: %r %r" % (a.json(), ctl))
    a = c.call("GET", "/metrics")
    check(a.status == 200 and a.header("Content-Type").startswith("text/plain; version=0.0.4")
          and b"crawld_up 1" in a.body, "GET /metrics: %d %r" % (a.status, a.body[:100]))
    rc, out, err = d.ctl("metrics")
    names = lambda t: sorted(l.split()[2] for l in t.splitlines() if l.startswith("# TYPE"))  # noqa
    check(names(a.body.decode()) == names(out), "/metrics has crawlctl metrics' families")

    # pause, a long poll that waits its time out, resume, cancel, 409
    a = c.call("POST", "/v1/jobs", {"urls": [BASE + "/slow?ms=4000"], "depth": 0, "js": False})
    slow = a.json()["job"]
    a = c.call("POST", "/v1/jobs/%d/pause" % slow)
    check(a.status == 200 and a.json()["job"]["state"] == "paused", "pause: %r" % a.body[:100])
    t0 = time.time()
    a = c.call("GET", "/v1/jobs/%d?wait=1200" % slow)
    took = time.time() - t0
    check(a.status == 200 and a.json()["job"]["state"] == "paused" and 1.1 <= took < 6 * SLOW,
          "a paused job's long poll answers at its wait (%.2fs): %r" % (took, a.body[:80]))
    a = c.call("POST", "/v1/jobs/%d/resume" % slow, {})
    check(a.status == 200 and a.json()["job"]["state"] == "running", "resume: %r" % a.body[:100])
    # several long polls parked at once; the loop still answers others
    got = []
    polls = [threading.Thread(target=lambda: got.append(
        c.call("GET", "/v1/jobs/%d?wait=20000" % slow))) for _ in range(3)]
    for t in polls:
        t.start()
    wait_for(lambda: True, 0.1, "")
    a = c.call("GET", "/v1/status")
    check(a.status == 200, "status answered while long polls wait")
    t0 = time.time()
    a = c.call("POST", "/v1/jobs/%d/cancel" % slow)
    check(a.status == 200 and a.json()["job"]["state"] == "cancelled", "cancel: %r" % a.body[:90])
    for t in polls:
        t.join(30 * SLOW)
    check(len(got) == 3 and all(g.json()["job"]["state"] == "cancelled" for g in got),
          "the parked polls answer as the job is cancelled: %r" % [g.body[:60] for g in got])
    check(time.time() - t0 < 5 * SLOW, "… at once, not at their wait")
    a = c.call("POST", "/v1/jobs/%d/cancel" % slow)
    check(a.status == 409 and "already cancelled" in a.json()["error"], "cancel again: 409 %r"
          % a.body)
    a = c.call("POST", "/v1/jobs/%d/resume" % slow)
    check(a.status == 409, "resume a cancelled job: 409: %d" % a.status)

    # ---- the pages route: pages.jsonl's committed records from an offset ----
    with open(os.path.join(d.out, str(jid), "pages.jsonl"), "rb") as f:
        whole = f.read()
    a = c.call("GET", "/v1/jobs/%d/pages" % jid)
    check(a.status == 200 and a.header("Content-Type") == "application/x-ndjson" and
          a.body == whole, "GET pages: the whole pages.jsonl: %d %d/%d bytes"
          % (a.status, len(a.body), len(whole)))
    check(a.header("Crawld-Next-Offset") == str(len(whole)) and
          a.header("Crawld-Job-Ended") == "true", "pages headers: %r" % a.headers)
    got, off, ended, n = b"", 0, False, 0
    while not ended and n < 200:
        a = c.call("GET", "/v1/jobs/%d/pages?from=%d&max_bytes=1500" % (jid, off))
        got += a.body
        off = int(a.header("Crawld-Next-Offset"))
        ended = a.header("Crawld-Job-Ended") == "true" and not a.body
        n += 1
    check(got == whole and n > 2, "pages read in %d pieces of at most 1500 bytes: the file" % n)
    check(all(json.loads(l) for l in got.splitlines()), "every line a record")
    a = c.call("GET", "/v1/jobs/%d/pages?from=%d" % (jid, len(whole) + 5))
    check(a.status == 400 and '\\"from\\"' in a.body.decode(), "from past the end: 400 %r" % a.body)
    a = c.call("POST", "/v1/jobs", {"urls": [BASE + "/slow?ms=1500"], "depth": 0, "js": False})
    pj = a.json()["job"]
    t0 = time.time()
    a = c.call("GET", "/v1/jobs/%d/pages?from=0&wait=20000" % pj)
    took = time.time() - t0
    check(a.status == 200 and a.body.count(b"\n") == 1 and 0.8 < took < 15 * SLOW,
          "pages?wait: answered as the record is committed (%.2fs): %r" % (took, a.body[:80]))
    c.call("GET", "/v1/jobs/%d?wait=20000" % pj)
    a = c.call("GET", "/v1/jobs/%d/pages?from=%s&wait=20000" % (pj, a.header("Crawld-Next-Offset")))
    check(a.status == 200 and a.body == b"" and a.header("Crawld-Job-Ended") == "true",
          "pages at the end of an ended job: empty, ended: %r %r" % (a.body, a.headers))

    # ---- 400s name what was wrong ----
    bad = [
        ("POST", "/v1/jobs", '{"urls": [', "invalid JSON at line 1"),
        ("POST", "/v1/jobs", "[1, 2]", "must be a JSON object"),
        ("POST", "/v1/jobs", {"urls": [BASE + "/"], "bogus": 1}, 'unknown field \\"bogus\\"'),
        ("POST", "/v1/jobs", {"urls": [BASE + "/"], "depth": "x"}, '\\"depth\\" must be'),
        ("POST", "/v1/jobs", {"urls": [BASE + "/"], "js": 1}, '\\"js\\"'),
        ("POST", "/v1/jobs", {"urls": "x"}, '\\"urls\\" must be'),
        ("POST", "/v1/jobs", {"cmd": "shutdown", "urls": [BASE]}, 'unknown field \\"cmd\\"'),
        ("POST", "/v1/jobs", {"urls": [BASE], "urls ": 1}, 'unknown field \\"urls \\"'),
        ("GET", "/v1/jobs/%d?wait=abc" % jid, '\\"wait\\" must be an integer'),
        ("GET", "/v1/jobs/%d?wait=30001" % jid, '\\"wait\\" must be an integer of 0..30000'),
        ("GET", "/v1/jobs/%d?wait=-1" % jid, '\\"wait\\"'),
        ("GET", "/v1/jobs/%d?limit=1" % jid, 'unknown query parameter \\"limit\\"'),
        ("GET", "/v1/status?x", 'unknown query parameter \\"x\\"'),
        ("POST", "/v1/jobs/%d/pause" % jid, {"now": True}, 'unknown field \\"now\\"'),
        ("POST", "/v1/jobs/%d/cancel" % jid, "nope", "invalid JSON"),
    ]
    for method, path, *rest in bad:
        body, word = (rest[0], rest[1]) if len(rest) == 2 else (None, rest[0])
        a = c.call(method, path, body, expect_valid=False)
        check(a.status == 400 and word in a.body.decode(),
              "%s %s %r: 400 naming %s: %d %r" % (method, path, body, word, a.status, a.body))
    a = c.call("POST", "/v1/jobs", {"urls": ["ftp://x/"]})
    check(a.status == 400 and "ftp" in a.body.decode(), "a bad URL: 400: %r" % a.body)

    # ---- 404, 405, 413 ----
    for path in ("/", "/v1", "/v1/jobs/", "/v1/jobs/abc", "/v1/jobs/0", "/v1/jobs/1/stop",
                 "/v1/jobs/1/pause/x", "/metrics/"):
        a = c.call("GET", path, expect_valid=False)
        check(a.status == 404, "GET %s: 404: %d" % (path, a.status))
    a = c.call("GET", "/v1/jobs/99999")
    check(a.status == 404 and "no job 99999" in a.json()["error"], "no job: 404 %r" % a.body)
    a = c.call("POST", "/v1/jobs/99999/pause")
    check(a.status == 404, "pause of no job: 404: %d" % a.status)
    for method, path, allow in (("DELETE", "/v1/jobs", "GET, POST"), ("PUT", "/v1/status", "GET"),
                                ("GET", "/v1/jobs/%d/cancel" % jid, "POST"),
                                ("POST", "/metrics", "GET")):
        a = c.call(method, path, expect_valid=False)
        check(a.status == 405 and a.header("Allow") == allow, "%s %s: 405, Allow %s: %d %r"
              % (method, path, allow, a.status, a.header("Allow")))
    big = {"urls": [BASE + "/"], "name": "x" * (70 * 1024)}
    a = c.call("POST", "/v1/jobs", big)
    check(a.status == 413 and "max_body_kb" in a.json()["error"], "70 KB body: 413: %d" % a.status)
    chunked = (b"POST /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode() +
               b"\r\nTransfer-Encoding: chunked\r\n\r\n" +
               b"".join(b"4000\r\n" + b" " * 0x4000 + b"\r\n" for _ in range(6)) + b"0\r\n\r\n")
    out = raw(port, chunked)
    check(out.startswith(b"HTTP/1.1 413") and b"max_body_kb" in out, "a chunked body past the "
          "limit: 413: %r" % out[:120])

    # ---- garbage over the socket: answered or closed, never the daemon ----
    for junk in (b"GARBAGE\r\n\r\n", b"\x00\xff" * 500, b"GET / HTTP/1.1\r\n",
                 b"GET /v1/status HTTP/1.1\r\nX: " + b"a" * 70000 + b"\r\n\r\n",
                 b"POST /v1/jobs HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                 b"POST /v1/jobs HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
                 b"GET /v1/status HTTP/9.9\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"):
        raw(port, junk)
    out = raw(port, b"GET /\xff%FE\x01 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
              TOKEN.encode() + b"\r\nConnection: close\r\n\r\n")
    check(out.startswith(b"HTTP/1.1 404") or out.startswith(b"HTTP/1.1 400"),
          "a path that is not UTF-8: 404 or 400: %r" % out[:80])
    a = c.call("GET", "/v1/status")
    check(a.status == 200 and d.proc.poll() is None, "alive after garbage: %d" % a.status)

    # ---- limits: max_connections = 8, timeout_s = 3 ----
    t_open = time.time()
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]
    extra = socket.create_connection(("127.0.0.1", port))
    extra.settimeout(5 * SLOW)
    try:
        extra.sendall(b"GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n")
        refused = extra.recv(100) == b""
    except OSError:
        refused = True
    check(refused, "a 9th connection past max_connections = 8 is closed unanswered")
    extra.close()
    idle[0].settimeout(10 * SLOW)
    idle[0].sendall(b"GET /v1/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                    TOKEN.encode() + b"\r\n\r\n")
    check(idle[0].recv(9) == b"HTTP/1.1 ", "the 8 in the limit are served")
    t0 = time.time()
    idle[1].settimeout(10 * SLOW)
    try:
        closed = idle[1].recv(10) == b""
    except OSError:
        closed = False
    took = time.time() - t_open
    check(closed and 2.5 < took < 8 * SLOW, "an idle connection is closed after timeout_s = 3 "
          "(%.1fs)" % took)
    for s in idle:
        s.close()
    a = wait_for(lambda: c.call("GET", "/v1/status").status == 200, 10, "the API after the limit")
    check(bool(a), "the API answers once the connections are gone")

    # ---- the token file, re-read on reload ----
    token_file(tokens, [NEW])
    d.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: c.call("GET", "/v1/status", token=NEW).status == 200, 10,
             "the new token after SIGHUP")
    check(c.call("GET", "/v1/status").status == 401, "the old token is refused after SIGHUP")
    os.chmod(tokens, 0o640)
    rc, out, err = d.ctl("reload")
    check(rc == 1 and "[api] token_file" in err and "0600" in err,
          "crawlctl reload with a 0640 token file: refused, named: %d %r" % (rc, err))
    check(c.call("GET", "/v1/status", token=NEW).status == 200, "… the running token is kept")
    token_file(tokens, [TOKEN, TOKEN2])
    rc, out, err = d.ctl("reload")
    check(rc == 0 and c.call("GET", "/v1/status").status == 200, "reload back: %d %r" % (rc, err))
    check(c.call("GET", "/v1/status", token=NEW).status == 401, "… and the removed one refused")

    api_st = d.status().get("api", {})
    check(api_st.get("unauthorized", 0) >= 5 and api_st.get("requests", 0) > 50 and
          api_st.get("refused", 0) >= 1, "status.api counts requests, 401s, refusals: %r" % api_st)

    # ---- the tokens are never shown ----
    st = json.dumps(d.request({"cmd": "status"}))
    rc, met, _ = d.ctl("metrics")
    rc2, conf, _ = d.ctl("--json", "status")
    for t in (TOKEN, TOKEN2, NEW):
        check(t not in d.log_text() and t not in st and t not in met and t not in conf,
              "token %s… is in no log, status or metrics" % t[:6])

    # ---- a parked request is answered as crawld stops ----
    a = c.call("POST", "/v1/jobs", {"urls": [BASE + "/slow?ms=9000"], "depth": 0, "js": False})
    slow = a.json()["job"]
    got = []
    th = threading.Thread(target=lambda: got.append(c.call("GET", "/v1/jobs/%d?wait=25000" % slow)))
    th.start()
    time.sleep(0.3)  # the request is parked (nothing to poll for from outside)
    rc = d.stop()
    th.join(30 * SLOW)
    check(rc == 0, "crawld exits 0: %r" % rc)
    check(len(got) == 1 and got[0].status == 200, "the parked request got its answer at the stop")
    print("api: %d requests checked against docs/openapi.yaml" % c.sent)
finally:
    dump_log_on_failure(d)
    d.cleanup()

# ---- TLS: a certificate for 127.0.0.1 from a CA made here ----
ca_key, ca = make_ca(tmp, "ca")
key, crt = make_server_cert(tmp, ca_key, ca)
port = free_port()
d = Daemon("api-tls", conf=api_conf(port, "tls_cert = %s\ntls_key = %s\nmetrics_auth = false\n"
                                    % (crt, key)))
try:
    d.start()
    tc = Client(port, TOKEN, tls_ca=ca)
    a = tc.call("GET", "/v1/status")
    check(a.status == 200, "TLS: GET /v1/status with the CA: %d" % a.status)
    a = tc.call("GET", "/metrics", token=None)
    check(a.status == 200 and b"crawld_up 1" in a.body, "metrics_auth = false: /metrics open")
    check(tc.call("GET", "/v1/status", token=None).status == 401, "… the rest still needs one")
    out = raw(port, b"GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n")
    check(not out.startswith(b"HTTP/1.1 200"), "plain HTTP to the TLS port is not served")
    check(tc.call("GET", "/v1/status").status == 200 and d.proc.poll() is None,
          "TLS: alive after plain HTTP")
    check(d.stop() == 0, "TLS daemon exits 0")
finally:
    dump_log_on_failure(d)
    d.cleanup()

finish("api")
