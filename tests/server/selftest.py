#!/usr/bin/env python3
"""Self-test of tests/server/httpd.py: starts it on a free port, checks every
endpoint, stops it. Exit 0 when all checks pass. Takes a few seconds.

    python3 tests/server/selftest.py [-v]
"""

import gzip
import hashlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zlib
from urllib.parse import urldefrag, urljoin, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
VERBOSE = "-v" in sys.argv
failures = []


def check(cond, what):
    if VERBOSE or not cond:
        print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def start(*args):
    d = tempfile.mkdtemp(prefix="httpd-selftest.")
    pf = os.path.join(d, "port")
    t0 = time.monotonic()
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "httpd.py"), "--port", "0", "--port-file", pf, *args])
    while not os.path.exists(pf):
        if p.poll() is not None or time.monotonic() - t0 > 10:
            raise SystemExit("httpd did not start")
        time.sleep(0.01)
    with open(pf) as f:
        port = int(f.read())
    return p, port, time.monotonic() - t0, d


def get(port, path, method="GET", headers=None, body=None, conn=None):
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    if conn is None:
        c.close()
    return r, data


def title(data):
    m = re.search(rb"<title>(.*?)</title>", data, re.S)
    return m.group(1) if m else None


def raw(port, data, timeout=2.0):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(data)
    s.settimeout(timeout)
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except socket.timeout:
        out += b"<timeout>"
    except ConnectionResetError:
        out += b"<reset>"
    s.close()
    return out


def main():
    n_pages = 300
    p, port, took, tmpdir = start("--site-pages", str(n_pages))
    check(took < 1.5, f"startup in {took:.2f}s")
    try:
        run(port, n_pages)
        # stop: SIGTERM with a connection still hanging
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /hang HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.2)
        p.send_signal(signal.SIGTERM)
        rc = p.wait(5)
        check(rc == 0, f"SIGTERM exit code {rc}")
        s.close()
    finally:
        if p.poll() is None:
            p.kill()
        for f in os.listdir(tmpdir):
            os.unlink(os.path.join(tmpdir, f))
        os.rmdir(tmpdir)
    print(f"{len(failures)} failure(s)" if failures else "selftest: all ok")
    return 1 if failures else 0


def run(port, n_pages):
    base = f"http://127.0.0.1:{port}"

    # --- site: BFS from /site/ reaches index + N pages, deterministic content
    conn = http.client.HTTPConnection("127.0.0.1", port)
    seen = {base + "/site/": 0}
    queue = [base + "/site/"]
    sizes = []
    for u in queue:
        r, body = get(port, urlsplit(u).path, conn=conn)
        check(r.status == 200, f"{u} 200")
        if u != base + "/site/":
            sizes.append(len(body))
            k = u.rsplit("/", 1)[1][:-5]
            if title(body) != f"Page {k}".encode():
                check(False, f"{u} title")
        for h in re.findall(rb'href="([^"]*)"', body):
            v = urldefrag(urljoin(u, h.decode()))[0]
            if v.startswith(base + "/site/") and v not in seen:
                seen[v] = seen[u] + 1
                queue.append(v)
    conn.close()
    check(len(seen) == n_pages + 1, f"site BFS reaches {len(seen)} URLs (want {n_pages + 1})")
    check(max(seen.values()) <= 12, f"site max depth {max(seen.values())} <= 12")
    check(min(sizes) >= 8000 and max(sizes) <= 15500, f"page sizes {min(sizes)}..{max(sizes)}")
    h1 = hashlib.md5(get(port, "/site/p/7.html")[1]).hexdigest()
    out = subprocess.run([sys.executable, "-B", "-c",
                          f"import sys, hashlib; sys.path.insert(0, {HERE!r}); import httpd\n"
                          f"print(hashlib.md5(httpd.site_page(7, {n_pages})).hexdigest())"],
                         capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "123"})
    check(out.stdout.strip() == h1, "site page identical in another process")
    r, body = get(port, "/site/p/0.html")
    check(b'href="http://example.invalid/"' in body and b"mailto:" in body and b'href="#top"' in body,
          "page has external, mailto and fragment links")
    check(get(port, f"/site/p/{n_pages}.html")[0].status == 404, "page N is 404")
    r, _ = get(port, "/site")
    check(r.status == 301 and r.getheader("Location") == "/site/", "/site -> /site/")

    # --- keep-alive and stats
    get(port, "/stats?reset=1")
    c = http.client.HTTPConnection("127.0.0.1", port)
    for k in range(5):
        get(port, f"/site/p/{k}.html", conn=c)
    c.close()
    st = json.loads(get(port, "/stats?paths=1")[1])
    check(st["requests"] == 5 and st["connections"] == 2, f"stats after 5 keep-alive requests: {st}")
    check(st["paths"].get("/site/p/3.html") == 1, "stats paths")
    check(get(port, "/count")[1] == b"5\n", "/count")

    # --- status
    for code in (200, 301, 404, 410, 429, 500, 503):
        r, body = get(port, f"/status/{code}")
        check(r.status == code and title(body) == f"Status {code}".encode(), f"/status/{code}")
    r, body = get(port, "/status/204")
    check(r.status == 204 and body == b"", "/status/204 empty")
    r, _ = get(port, "/status/503?retry-after=7")
    check(r.getheader("Retry-After") == "7", "retry-after")
    check(get(port, "/status/99")[0].status == 400, "/status/99 -> 400")

    # --- timing
    t = time.monotonic()
    r, _ = get(port, "/slow?ms=300")
    check(r.status == 200 and 0.28 < time.monotonic() - t < 1.5, "/slow?ms=300")
    c = http.client.HTTPConnection("127.0.0.1", port)
    t = time.monotonic()
    c.request("GET", "/slowbody?ms=600&bytes=5000")
    r = c.getresponse()
    t_head = time.monotonic() - t
    body = r.read()
    t_all = time.monotonic() - t
    c.close()
    check(t_head < 0.3 and 0.55 < t_all < 2 and len(body) == 5000, f"/slowbody head {t_head:.2f}s all {t_all:.2f}s")
    out = raw(port, b"GET /hang?s=0.3 HTTP/1.1\r\nHost: x\r\n\r\n", timeout=3)
    check(out == b"", f"/hang?s=0.3 closes without a response ({out[:20]!r})")
    out = raw(port, b"GET /hang HTTP/1.1\r\nHost: x\r\n\r\n", timeout=0.5)
    check(out == b"<timeout>", "/hang hangs")
    out = raw(port, b"GET /reset HTTP/1.1\r\nHost: x\r\n\r\n")
    check(out == b"<reset>", f"/reset sends RST ({out[:20]!r})")

    # --- big bodies
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("GET", "/endless")
    r = c.getresponse()
    got = r.read(3 * 1024 * 1024)
    check(r.getheader("Transfer-Encoding") == "chunked" and len(got) == 3 * 1024 * 1024, "/endless chunked")
    c.close()
    r, body = get(port, "/big?mb=2")
    check(len(body) == 2 * 1024 * 1024 and body.endswith(b"</html>\n") and title(body) == b"Big", "/big?mb=2")
    r, body = get(port, "/deep?n=1000")
    check(body.count(b"<div>") == 1000 and body.count(b"</div>") == 1000, "/deep?n=1000")
    r, body = get(port, "/attrs?n=3000")
    check(body.count(b" a") >= 3000 and b" abb7>" in body and b" abb8" not in body, "/attrs?n=3000")
    r, body = get(port, "/thfont?n=3000&text=70000")
    check(int(r.getheader("Content-Length")) == len(body) and body.count(b"<th><font>") == 3000
          and body.endswith(b"<font>" + b"x" * 70000) and title(body) == b"Th font", "/thfont")
    r, body = get(port, "/deep")
    check(int(r.getheader("Content-Length")) == len(body) and body.count(b"<div>") == 100000, "/deep default")

    # --- compression
    r, body = get(port, "/gzipbomb")
    check(r.getheader("Content-Encoding") == "gzip" and 900_000 < len(body) < 1_200_000,
          f"/gzipbomb compressed size {len(body)}")
    r, body = get(port, "/gzipbomb?mb=64")
    d = zlib.decompressobj(31)
    total = 0
    for i in range(0, len(body), 4096):
        total += len(d.decompress(body[i:i + 4096]))
    total += len(d.flush())
    check(total == 64 * 1024 * 1024 and d.eof, f"/gzipbomb?mb=64 decodes to {total}")
    r, body = get(port, "/gzip")
    check(r.getheader("Content-Encoding") == "gzip" and title(gzip.decompress(body)) == b"Gzip OK", "/gzip")
    r, body = get(port, "/deflate")
    check(title(zlib.decompress(body)) == b"Deflate OK", "/deflate")
    r, body = get(port, "/deflate?raw=1")
    check(title(zlib.decompress(body, -15)) == b"Deflate OK", "/deflate?raw=1")
    r, body = get(port, "/br")
    check(r.status in (200, 501), f"/br {r.status}")

    # --- redirects
    r, _ = get(port, "/redirect/3")
    check(r.status == 302 and r.getheader("Location") == "/redirect/2", "/redirect/3")
    r, _ = get(port, "/redirect/1")
    check(r.getheader("Location") == "/landing", "/redirect/1 -> /landing")
    check(title(get(port, "/landing")[1]) == b"Landing", "/landing")
    r, _ = get(port, "/redirect-loop")
    check(r.getheader("Location") == "/redirect-loop", "/redirect-loop")
    r, _ = get(port, "/redirect-to?url=http://example.invalid/x&code=301")
    check(r.status == 301 and r.getheader("Location") == "http://example.invalid/x", "/redirect-to")

    # --- types and charsets
    r, body = get(port, "/nonhtml.json")
    check(r.getheader("Content-Type") == "application/json" and json.loads(body)["ok"], "/nonhtml.json")
    r, body = get(port, "/image.png")
    check(r.getheader("Content-Type") == "image/png" and body.startswith(b"\x89PNG\r\n\x1a\n"), "/image.png")
    r, body = get(port, "/plain.txt")
    check(r.getheader("Content-Type").startswith("text/plain"), "/plain.txt")
    r, body = get(port, "/invalid-utf8")
    try:
        body.decode("utf-8")
        check(False, "/invalid-utf8 is invalid")
    except UnicodeDecodeError:
        check(True, "/invalid-utf8 is invalid")
    r, body = get(port, "/latin1")
    check(title(body) == "Café Olé".encode("latin-1") and b'charset="iso-8859-1"' in body
          and r.getheader("Content-Type") == "text/html", "/latin1")
    r, body = get(port, "/latin1-header")
    check(title(body) == "Café Olé".encode("latin-1") and b"<meta charset" not in body
          and r.getheader("Content-Type") == "text/html; charset=iso-8859-1", "/latin1-header")

    # --- links and host
    r, body = get(port, "/base", headers={"Host": f"localhost:{port}"})
    check(f'<base href="http://localhost:{port}/other/dir/">'.encode() in body, "/base uses Host")
    r, body = get(port, "/links")
    for needle in (b'href="../up.html"', b'href="  /spaces  "', f'href="//127.0.0.1:{port}/proto-rel"'.encode(),
                   b'rel="canonical" href="/canon"', b'rel="nofollow"', b'<iframe src="/iframe"', b"<area ",
                   b'rel="stylesheet"', b'href="javascript:void(0)"', b'href="%7Euser/a%20b.html"'):
        check(needle in body, f"/links has {needle.decode()}")
    check(b'<frame src="/frame1">' in get(port, "/frames")[1], "/frames")
    check(b'content="noindex, nofollow"' in get(port, "/robots-meta")[1], "/robots-meta")
    r, _ = get(port, "/x-robots-tag")
    check(r.getheader("X-Robots-Tag") == "noindex, nofollow", "/x-robots-tag")
    r, body = get(port, "/echo-ua", headers={"User-Agent": "crawld-test/1 <x>"})
    check(title(body) == b"UA: crawld-test/1 &lt;x&gt;", "/echo-ua")

    # --- robots
    r, body = get(port, "/robots.txt")
    check(b"Disallow: /private/" in body and b"Crawl-delay: 0" in body, "/robots.txt default")
    check(get(port, "/private/x.html")[0].status == 200, "/private/x.html")
    get(port, "/robots.txt?status=500", method="PUT", body=b"x")
    check(get(port, "/robots.txt")[0].status == 500, "PUT /robots.txt?status=500")
    get(port, "/robots.txt", method="DELETE")
    check(b"Disallow: /private/" in get(port, "/robots.txt")[1], "DELETE /robots.txt restores")

    # --- HEAD and malformed requests
    r, body = get(port, "/big", method="HEAD")
    check(r.getheader("Content-Length") == str(10 * 1024 * 1024) and body == b"", "HEAD /big")
    out = raw(port, b"GET /landing HTTP/1.1\r\nHost: x\r\n\r\nGET /canon HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    check(out.count(b"HTTP/1.1 200") == 2, "pipelined requests")
    raw(port, b"GARBAGE\r\n\r\n")
    check(get(port, "/landing")[0].status == 200, "alive after garbage")


if __name__ == "__main__":
    sys.exit(main())
