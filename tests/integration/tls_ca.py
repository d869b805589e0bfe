#!/usr/bin/env python3
"""[network] ca_file, end to end: a CA and a server certificate for
127.0.0.1 made with openssl, an HTTPS server (http.server in a thread) on
127.0.0.1 serving a page with two links. crawld without ca_file: one record,
status 0, error "tls: SSL certificate problem: …". With ca_file = the CA:
the three pages, 200, no error. With ca_file = another CA: the tls error
again. crawld --check-config with a missing or relative ca_file: exit 2 and
the key and path named. crawld-worker fetch -c CONF reads the key too.

usage: tls_ca.py   (CRAWLD_BIN: the build directory)"""
import http.server, os, shutil, ssl, subprocess, sys, tempfile, threading
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import BIN, Daemon, check, dump_log_on_failure, finish  # noqa: E402

PAGES = {
    "/": b'<!DOCTYPE html><title>TLS index</title><a href="/a.html">a</a> <a href="/b.html">b</a>',
    "/a.html": b"<!DOCTYPE html><title>TLS a</title><p>a",
    "/b.html": b"<!DOCTYPE html><title>TLS b</title><p>b",
}


def openssl(*args):
    r = subprocess.run(("openssl",) + args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("tls_ca: openssl %s failed: %s" % (args[0], r.stderr[-500:]))


def make_ca(d, name):
    key, crt = os.path.join(d, name + ".key"), os.path.join(d, name + ".pem")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", crt, "-days", "1", "-subj", "/CN=crawld test " + name,
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign")
    return key, crt


def make_server_cert(d, ca_key, ca_crt):
    key, csr, crt = (os.path.join(d, "server" + e) for e in (".key", ".csr", ".pem"))
    ext = os.path.join(d, "server.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1")
    openssl("x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial",
            "-out", crt, "-days", "1", "-extfile", ext)
    return key, crt


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802
        body = PAGES.get(self.path)
        self.send_response(200 if body else 404)
        body = body or b"not found"
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def crawl(name, conf, url):
    """A crawl of url from a daemon with conf; its records."""
    d = Daemon("tls-" + name, conf=conf)
    try:
        d.start()
        jid = d.submit([url], "--no-js", "--depth", "1")
        rc, out, err = d.ctl("wait", str(jid), "--timeout", "60")
        check(rc in (0, 1), "%s: job %s ends: %d %r %r" % (name, jid, rc, out, err))
        recs = d.records(jid)
        d.stop()
        return recs
    finally:
        dump_log_on_failure(d)
        d.cleanup()


def check_config(conf_text, tmp):
    path = os.path.join(tmp, "check.conf")
    with open(path, "w") as f:
        f.write(conf_text)
    r = subprocess.run([BIN + "/crawld", "--check-config", "-c", path], capture_output=True,
                       text=True, timeout=30)
    return r.returncode, r.stdout + r.stderr


tmp = tempfile.mkdtemp(prefix="crawld-tls-ca.")
srv = None
try:
    ca_key, ca = make_ca(tmp, "ca")
    _, other_ca = make_ca(tmp, "other-ca")
    key, crt = make_server_cert(tmp, ca_key, ca)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = "https://127.0.0.1:%d" % srv.server_address[1]
    seed = base + "/"

    # ---- no ca_file: the system's bundle does not know our CA ----
    recs = crawl("system", "", seed)
    check(len(recs) == 1, "without ca_file: the seed's record only: %d" % len(recs))
    if recs:
        r = recs[0]
        check(r["status"] == 0 and (r["error"] or "").startswith("tls: ") and
              "certificate" in r["error"], "without ca_file: a tls certificate error: %r"
              % r["error"])
        check(r["links"] == [], "without ca_file: no links")

    # ---- ca_file = the CA: fetched, links followed ----
    recs = crawl("ca", "[network]\nca_file = %s\n" % ca, seed)
    got = {r["url"]: r for r in recs}
    check(sorted(got) == sorted(base + p for p in PAGES), "with ca_file: the three pages: %r"
          % sorted(got))
    check(all(r["status"] == 200 and r["error"] is None for r in recs),
          "with ca_file: every page 200 without error: %r"
          % [(r["url"], r["status"], r["error"]) for r in recs])
    check(got.get(seed, {}).get("title") == "TLS index", "with ca_file: the index's title")

    # ---- ca_file = a CA that did not sign the server's certificate ----
    recs = crawl("other", "[network]\nca_file = %s\n" % other_ca, seed)
    check(len(recs) == 1 and (recs[0]["error"] or "").startswith("tls: "),
          "with another CA: a tls error: %r" % [r["error"] for r in recs])

    # ---- a missing file, a relative path: the config fails, named ----
    rc, out = check_config("[network]\nca_file = %s/missing.pem\n" % tmp, tmp)
    check(rc == 2 and "[network] ca_file: cannot read %s/missing.pem: No such file" % tmp in out,
          "--check-config, missing ca_file: exit 2 naming key and path: %d %r" % (rc, out))
    rc, out = check_config("[network]\nca_file = ca.pem\n", tmp)
    check(rc == 2 and "[network] ca_file: \"ca.pem\" must be an absolute path" in out,
          "--check-config, relative ca_file: exit 2: %d %r" % (rc, out))
    rc, out = check_config("[network]\nca_file = %s\n" % ca, tmp)
    check(rc == 0 and ("ca_file = %s" % ca) in out, "--check-config prints ca_file: %d" % rc)

    # ---- by hand: crawld-worker fetch -c CONF ----
    conf = os.path.join(tmp, "worker.conf")
    with open(conf, "w") as f:
        f.write("[network]\nca_file = %s\n" % ca)
    r = subprocess.run([BIN + "/crawld-worker", "fetch", "--no-js", "-c", conf, base + "/a.html"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0 and '"status":200' in r.stdout,
          "crawld-worker fetch -c CONF with ca_file: %d %r" % (r.returncode, r.stderr[-300:]))
    r = subprocess.run([BIN + "/crawld-worker", "fetch", "--no-js", base + "/a.html"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 1 and '"error":"tls: ' in r.stdout,
          "crawld-worker fetch without ca_file: a tls error: %d" % r.returncode)
finally:
    if srv:
        srv.shutdown()
    shutil.rmtree(tmp, ignore_errors=True)
finish("tls_ca")
