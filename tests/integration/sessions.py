#!/usr/bin/env python3
"""Sessions per job, against the test server's /session/ pages (two
origins of one server: 127.0.0.1:PORT and other.localhost:PORT) and a
forward proxy (tests/server/proxy.py):

* --header lines arrive on every request of the job, both origins;
* --user and --bearer reach the seeds' origin and never the other one,
  neither by a link nor by a redirect from the seeds' origin;
* bad values are refused naming the flag;
* --proxy with credentials: the proxy sees every request and its
  Proxy-Authorization; [network] proxy with allow_private off: the proxy
  is trusted, a private target through it is refused (literal and name);
* no secret string in pages.jsonl, the WARC, crawld's log, status, job,
  jobs and metrics output, or crawld --check-config.

usage: sessions.py BASE_URL   (CRAWLD_BIN: the build directory)"""
import base64, gzip, json, os, subprocess, sys, tempfile, time, urllib.request
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import BIN, Daemon, check, dump_log_on_failure, finish, wait_for  # noqa: E402
from crawl_lib import crawl_daemon  # noqa: E402

BASE = sys.argv[1]
PORT = BASE.rsplit(":", 1)[1]
SEED = BASE + "/session/start"
OTHER = "other.localhost:" + PORT
HDR_SECRET = "hdr-secret-7Qx"
PASSWORD = "pw-secret-9Kz"
BEARER = "bearer-secret-3Lm"
PROXY_PW = "proxy-secret-5Tn"
B64 = [base64.b64encode(s.encode()).decode() for s in
       ("alice:" + PASSWORD, "pu:" + PROXY_PW, "op:" + PROXY_PW)]  # as Basic sends them
SECRETS = [HDR_SECRET, PASSWORD, BEARER, PROXY_PW] + B64


def session_log(reset=False):
    with urllib.request.urlopen(BASE + "/session/log" + ("?reset=1" if reset else ""), timeout=10) as r:
        return json.loads(r.read())


def hdr(entry, name):
    return [v for k, v in entry["headers"] if k.lower() == name.lower()]


def crawl(d, *opts):
    jid = d.submit([SEED], "--no-js", "--depth", "2", "--warc", "--scope", "regex:.*", *opts)
    rc, out, err = d.ctl("wait", str(jid), "--timeout", "60")
    check(rc == 0 and "done" in out, "job %s done: %d %r %r" % (jid, rc, out, err))
    return jid


def auth_only_on_seed_origin(log, want, what):
    seed_reqs = [e for e in log if e["host"] == "127.0.0.1:" + PORT]
    other_reqs = [e for e in log if e["host"] == OTHER]
    paths = sorted(e["path"] for e in other_reqs)
    check("/session/link" in paths and "/session/redirected" in paths and "/session/hopped" in paths,
          "%s: the other origin was reached by a link and by redirects (%r)" % (what, paths))
    check(seed_reqs and all(hdr(e, "Authorization") == [want] for e in seed_reqs),
          "%s: every request to the seeds' origin carries %r (%r)"
          % (what, want, [(e["path"], hdr(e, "Authorization")) for e in seed_reqs]))
    check(all(not hdr(e, "Authorization") for e in other_reqs),
          "%s: no request to the other origin carries Authorization (%r)"
          % (what, [(e["path"], hdr(e, "Authorization")) for e in other_reqs]))


def outputs(d, jids):
    """Every text a user or a file shows: records, WARC, log, control replies."""
    texts = {"log": d.log_text()}
    for jid in jids:
        base = os.path.join(d.out, str(jid))
        with open(os.path.join(base, "pages.jsonl"), errors="replace") as f:
            texts["pages %d" % jid] = f.read()
        warc = os.path.join(base, "crawl.warc.gz")
        if os.path.exists(warc):
            with gzip.open(warc) as f:
                texts["warc %d" % jid] = f.read().decode("utf-8", "replace")
        for args in (("job", str(jid)), ("--json", "job", str(jid))):
            texts[" ".join(args)] = d.ctl(*args)[1]
    for args in (("status",), ("--json", "status"), ("jobs",), ("--json", "jobs"), ("metrics",)):
        texts[" ".join(args)] = d.ctl(*args)[1]
    r = subprocess.run([BIN + "/crawld", "-c", d.conf, "--check-config"], capture_output=True,
                       text=True, timeout=30)
    texts["check-config"] = r.stdout + r.stderr
    return texts


def no_secret(texts):
    for name, text in texts.items():
        for s in SECRETS:
            check(s not in text, "%s shows no secret (%s found)" % (name, s))


def start_proxy(auth=None):
    pf = tempfile.mktemp(prefix="crawld-proxy.")
    cmd = [sys.executable, os.path.join(os.path.dirname(__file__), "..", "server", "proxy.py"),
           "--port-file", pf] + (["--auth", auth] if auth else [])
    p = subprocess.Popen(cmd)
    wait_for(lambda: os.path.exists(pf), 10, "proxy port file")
    with open(pf) as f:
        port = int(f.read())
    os.unlink(pf)
    return p, port


def start_socks(auth=None):
    pf = tempfile.mktemp(prefix="crawld-socks.")
    cmd = [sys.executable, os.path.join(os.path.dirname(__file__), "..", "server", "socks5.py"),
           "--port-file", pf] + (["--auth", auth] if auth else [])
    p = subprocess.Popen(cmd)
    wait_for(lambda: os.path.exists(pf), 10, "socks port file")
    ports = []
    for f in (pf, pf + ".log"):
        with open(f) as fh:
            ports.append(int(fh.read()))
        os.unlink(f)
    return p, ports[0], ports[1]


def proxy_log(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/__log" % port, timeout=10) as r:
        return json.loads(r.read())


procs = []
d = crawl_daemon("sessions")
d2 = None
try:
    d.start()
    jids = []

    # refusals, each naming its flag
    for opts, flag, words in [
            (("--header", "Host: x"), "--header", "Host"),
            (("--header", "Cookie: a=b"), "--header", "cookie jar"),
            (("--header", "Content-Length: 3"), "--header", "Content-Length"),
            (("--header", "Authorization: Basic eA=="), "--header", "--user or --bearer"),
            (("--header", "X-A: a\r\nX-B: b"), "--header", "control character"),
            (("--header", "Bad Name: v"), "--header", "Name: value"),
            (("--header", "X-Empty:"), "--header", "no value"),
            (("--user", "nocolon"), "--user", "USER:PASSWORD"),
            (("--bearer", "a b"), "--bearer", "token"),
            (("--proxy", "ftp://127.0.0.1:1"), "--proxy", "http:// or socks5h://"),
            (("--user", "a:" + PASSWORD, "--bearer", BEARER), "--user and --bearer", "one"),
    ]:
        rc, out, err = d.ctl("submit", *opts, SEED)
        check(rc != 0 and flag in err and words in err,
              "submit %r refused naming %s (%r): rc=%d %r" % (opts[:2], flag, words, rc, err))
        check(all(s not in err for s in SECRETS), "the refusal of %r quotes no secret" % (opts[:2],))
    rc, out, err = d.ctl("submit", "--user", "u:" + PASSWORD, SEED, "http://" + OTHER + "/session/x")
    check(rc != 0 and "--user" in err and "two origins" in err,
          "--user with seeds on two origins refused: %d %r" % (rc, err))
    rc, out, err = d.ctl("submit", *(["--header", "X-N: v"] * 33), SEED)
    check(rc != 0 and "--header" in err, "a 33rd --header refused: %d %r" % (rc, err))

    # headers everywhere, basic auth to the seeds' origin only
    session_log(reset=True)
    jid = crawl(d, "--header", "X-Session: " + HDR_SECRET, "--header", "Accept-Language: de",
                "--user", "alice:" + PASSWORD)
    jids.append(jid)
    log = session_log(reset=True)
    check(len(log) >= 5, "the job fetched the session pages (%d requests)" % len(log))
    check(all(hdr(e, "X-Session") == [HDR_SECRET] for e in log),
          "--header X-Session on every request, both origins (%r)"
          % [(e["host"], e["path"], hdr(e, "X-Session")) for e in log])
    check(all(hdr(e, "Accept-Language") == ["de"] for e in log),
          "--header Accept-Language replaces the worker's own, once")
    auth_only_on_seed_origin(log, "Basic " + base64.b64encode(("alice:" + PASSWORD).encode()).decode(),
                             "--user")
    j = d.job(jid)
    check(j.get("header") == ["X-Session", "Accept-Language"] and j.get("user") == "alice"
          and j.get("bearer") is None, "crawlctl job shows header names and the user: %r"
          % {k: j.get(k) for k in ("header", "user", "bearer", "proxy")})
    recs = d.records(jid)
    check(all(r.get("error") is None for r in recs) and len(recs) == 5,
          "every page fetched: %r" % [(r["url"], r.get("error")) for r in recs])
    with gzip.open(os.path.join(d.out, str(jid), "crawl.warc.gz")) as f:
        warc = f.read().decode("utf-8", "replace")
    check("Authorization: <redacted>" in warc and "X-Session: <redacted>" in warc,
          "the WARC request records show the secrets' names, redacted")

    # the page's scripts: the headers on every request, credentials only on the seeds' origin
    jid = d.submit([BASE + "/session/js"], "--js", "--depth", "0", "--header", "X-Session: " +
                   HDR_SECRET, "--user", "alice:" + PASSWORD)
    d.wait_job(jid)
    jids.append(jid)
    log = session_log(reset=True)
    got = sorted((e["host"] == OTHER, e["path"], tuple(hdr(e, "Authorization")),
                  tuple(hdr(e, "X-Session"))) for e in log)
    basic = "Basic " + base64.b64encode(("alice:" + PASSWORD).encode()).decode()
    want = sorted([(False, "/session/js", (basic,), (HDR_SECRET,)),
                   (False, "/session/jsxhr", (basic,), (HDR_SECRET,)),
                   (True, "/session/jsfetch", (), (HDR_SECRET,)),
                   (True, "/session/jsxhr", (), (HDR_SECRET,))])
    check(got == want, "scripts' requests: headers everywhere, credentials on the seeds' origin "
          "only: %r" % got)

    # bearer, same rule
    jid = crawl(d, "--bearer", BEARER)
    jids.append(jid)
    auth_only_on_seed_origin(session_log(reset=True), "Bearer " + BEARER, "--bearer")
    check(d.job(jid).get("bearer") == "<redacted>", "crawlctl job shows the bearer redacted")

    # a job's proxy, with credentials in its URL
    proxy, pport = start_proxy(auth="pu:" + PROXY_PW)
    procs.append(proxy)
    jid = crawl(d, "--proxy", "http://pu:%s@127.0.0.1:%d" % (PROXY_PW, pport), "--user",
                "alice:" + PASSWORD)
    jids.append(jid)
    recs = d.records(jid)
    check(len(recs) == 5 and all(r.get("status") == 200 for r in recs),
          "the proxied job's pages: %r" % [(r["url"], r.get("status"), r.get("error")) for r in recs])
    plog = proxy_log(pport)
    seen = {e["url"] for e in plog}
    check(all(r["url"] in seen for r in recs), "the proxy saw every page (%r)" % sorted(seen))
    want = "Basic " + base64.b64encode(("pu:" + PROXY_PW).encode()).decode()
    check(all(e["proxy_auth"] == want for e in plog), "every request carried the proxy's credentials")
    auth_only_on_seed_origin(session_log(reset=True),
                             "Basic " + base64.b64encode(("alice:" + PASSWORD).encode()).decode(),
                             "--user through the proxy")
    check(d.job(jid).get("proxy") == "http://<redacted>@127.0.0.1:%d" % pport,
          "crawlctl job shows the proxy without its credentials: %r" % d.job(jid).get("proxy"))

    # the session survives a restart (kept in the state database), shown the same
    shown = {k: d.job(jids[0]).get(k) for k in ("header", "user", "password", "bearer")}
    d.stop()
    d.start()
    again = {k: d.job(jids[0]).get(k) for k in ("header", "user", "password", "bearer")}
    check(again == shown and again["password"] == "<redacted>",
          "the session is the same after a restart: %r / %r" % (shown, again))
    # secrets are kept only in a state directory of mode 0700
    state = os.path.join(d.dir, "state")
    check(os.stat(state).st_mode & 0o777 == 0o700, "crawld made the state directory mode 0700")
    os.chmod(state, 0o750)
    rc, out, err = d.ctl("submit", "--user", "a:" + PASSWORD, SEED)
    check(rc != 0 and "--user" in err and "0700" in err,
          "a secret refused while the state directory is 0750: %d %r" % (rc, err))
    rc, out, err = d.ctl("submit", "--no-js", "--depth", "0", SEED)
    check(rc == 0, "a job without secrets still taken: %d %r" % (rc, err))
    d.wait_job(int(out.strip()))
    session_log(reset=True)
    os.chmod(state, 0o700)

    # a job's socks5h:// proxy: the proxy resolves the names
    socks, sport, slog = start_socks(auth="su:" + PROXY_PW)
    procs.append(socks)
    jid = crawl(d, "--proxy", "socks5h://su:%s@127.0.0.1:%d" % (PROXY_PW, sport), "--bearer", BEARER)
    jids.append(jid)
    recs = d.records(jid)
    check(len(recs) == 5 and all(r.get("status") == 200 for r in recs),
          "the socks job's pages: %r" % [(r["url"], r.get("status"), r.get("error")) for r in recs])
    targets = {(e["target"], e["atyp"]) for e in proxy_log(slog)}
    check(("127.0.0.1:" + PORT, 1) in targets and (OTHER, 3) in targets,
          "the socks proxy got both origins, the name unresolved: %r" % sorted(targets))
    auth_only_on_seed_origin(session_log(reset=True), "Bearer " + BEARER, "--bearer through socks5h")

    texts = outputs(d, jids)
    check(any("Authorization: <redacted>" in t for n, t in texts.items() if n.startswith("warc")),
          "the WARC was read")
    no_secret(texts)

    # the daemon's proxy, private addresses refused: the proxy (127.0.0.1)
    # is trusted, private targets through it are not
    open_proxy, oport = start_proxy()
    procs.append(open_proxy)
    d2 = Daemon("sessions-proxy", crawl=True, allow_private=False,
                conf="[politeness]\ndelay_ms = 0\n[network]\nproxy = http://127.0.0.1:%d\n"
                     "proxy_user = op:%s\n" % (oport, PROXY_PW))
    d2.start()
    jid = d2.submit(["http://public.test/"], "--no-js", "--depth", "0")
    d2.wait_job(jid)
    rec = d2.records(jid)[0]
    check(rec.get("status") == 200 and rec.get("title") == "Public page",
          "a public page through the trusted proxy: %r" % rec)
    for target in ("http://127.0.0.2:%s/session/x" % PORT, "http://localhost:%s/session/y" % PORT,
                   "http://[::1]:%s/session/z" % PORT):
        jid = d2.submit([target], "--no-js", "--depth", "0", "--no-robots")
        d2.wait_job(jid)
        rec = d2.records(jid)[0]
        check((rec.get("error") or "").startswith("blocked:"),
              "a private target through the proxy refused: %r" % rec)
    # through socks5h:// too; nothing reaches the proxy for a private literal
    socks2, sport2, slog2 = start_socks()
    procs.append(socks2)
    jid = d2.submit(["http://127.0.0.2:%s/session/s" % PORT], "--no-js", "--depth", "0",
                    "--no-robots", "--proxy", "socks5h://127.0.0.1:%d" % sport2)
    d2.wait_job(jid)
    rec = d2.records(jid)[0]
    check((rec.get("error") or "").startswith("blocked:"),
          "a private target through socks5h refused: %r" % rec)
    check(proxy_log(slog2) == [], "the socks proxy got no request: %r" % proxy_log(slog2))
    urls = [e["url"] for e in proxy_log(oport)]
    check(not any("/session/" in u for u in urls),
          "no private target's request reached the proxy (%r)" % urls)
    check(all(e["proxy_auth"] for e in proxy_log(oport)), "[network] proxy_user sent to the proxy")
    r = subprocess.run([BIN + "/crawld", "-c", d2.conf, "--check-config"], capture_output=True,
                       text=True, timeout=30)
    check(r.returncode == 0 and "proxy_user = op:<redacted>" in r.stdout and PROXY_PW not in r.stdout,
          "--check-config hides the proxy's password: %r" % r.stdout[-300:])
    check(PROXY_PW not in d2.log_text(), "crawld's log shows no proxy password")
    d2.stop()
    # crawld does not start with proxy credentials in a state directory others may read
    os.chmod(os.path.join(d2.dir, "state"), 0o755)
    r = subprocess.run([BIN + "/crawld", "-c", d2.conf, "--foreground"], capture_output=True,
                       text=True, timeout=30)
    check(r.returncode == 1 and "proxy credentials" in r.stderr and "0700" in r.stderr
          and PROXY_PW not in r.stderr, "no start with a 0755 state directory: %d %r"
          % (r.returncode, r.stderr))
    with open(os.path.join(d2.dir, "bad.conf"), "w") as f:
        f.write("[network]\nproxy = ftp://127.0.0.1:1\n")
    r = subprocess.run([BIN + "/crawld", "-c", os.path.join(d2.dir, "bad.conf"), "--check-config"],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 2 and "[network] proxy" in r.stderr and "socks5h://" in r.stderr,
          "a bad [network] proxy refused naming the key: %d %r" % (r.returncode, r.stderr))
    d.stop()
except BaseException:
    dump_log_on_failure(d)
    if d2:
        dump_log_on_failure(d2)
    raise
finally:
    for p in procs:
        p.terminate()
        p.wait()
    d.cleanup()
    if d2:
        d2.cleanup()
finish("sessions")
