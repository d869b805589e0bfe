#!/usr/bin/env python3
"""Hostile HTTP server for tests/faults (stdlib only, threaded, 127.0.0.1 by
default). Importable (HostileServer) or run by hand:

    python3 tests/faults/hostile_server.py [--bind ADDR] [--port N] [--robots MODE]

Every body is generated while it is sent: nothing big is built in memory.

Endpoint           | Response
------------------ | -------------------------------------------------------
/nested?n=N        | N nested <div>s (default 100000), Content-Length; &js=1 adds
                   |   a script that walks the whole tree (title: what it found)
/attrs?n=N         | one <div> with N distinct attributes (default 1000000); &js=1
                   |   adds a script that retitles the page "scripts ran"
/thfont?n=N&text=M | a link to /before-thfont, <th><font> N times (default 50000),
                   |   M bytes of "x" (default 1000000), Content-Length; depth 4
                   |   for libxml2, N + 2 for HTML5 (gumbo: ~17 s);
                   |   &js=1 adds a script that retitles the page "scripts ran"
/huge?mb=N         | an HTML body of N MiB (default 500) with Content-Length,
                   |   64 KiB writes; the bytes sent are counted (stats)
/gzip6             | a page gzipped 6 times, "Content-Encoding: gzip, gzip, …"
/gzipbomb?mb=N     | gzip once, decodes to N MiB of zeros (default 1024)
/trickle?bps=B     | headers, then B bytes a second (default 1) until the
                   |   client leaves (never ends on its own)
/redir/N           | 302 -> /redir/N-1 … /redir/0 is a page titled "Landed"
/to?u=URL&code=C   | C (default 302) with Location: URL verbatim
/links?u=U&u=V…    | a page whose <a href>s are the given URLs verbatim
/ok                | a small page titled "OK"
/robots.txt        | by MODE: "404" (default), "503", "hang" (read the request,
                   |   answer nothing until the client leaves), "big" (600 KiB:
                   |   "Disallow: /early" first, "Disallow: /late" after 500 KiB),
                   |   "redirect:URL" (302 to URL)
anything else      | a small page titled by its path (200)

stats() gives per-path request counts and bytes of body written."""
import argparse, gzip, http.server, socket, socketserver, sys, threading, time, zlib
import urllib.parse

ROBOTS_BIG_SIZE = 600 * 1024
CHUNK = 64 * 1024


def small_page(title, body=""):
    return ("<!doctype html><html><head><title>%s</title></head><body><h1>%s</h1>%s"
            "</body></html>" % (title, title, body)).encode()


def _gzip6():
    data = small_page("Six layers", "<p>decoded six times</p>")
    for _ in range(6):
        data = gzip.compress(data, mtime=0)
    return data


def _gzip_bomb(mb):
    c = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip wrapper
    zero = bytes(1 << 20)
    out = [c.compress(b"<html><body>")]
    for _ in range(mb):
        out.append(c.compress(zero))
    out.append(c.compress(b"</body></html>"))
    out.append(c.flush())
    return b"".join(out)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = {}
        self.body_bytes = {}

    def hit(self, path):
        with self.lock:
            self.requests[path] = self.requests.get(path, 0) + 1

    def sent(self, path, n):
        with self.lock:
            self.body_bytes[path] = self.body_bytes.get(path, 0) + n


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hostile/1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def head(self, code, length=None, ctype="text/html; charset=utf-8", extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        if length is not None:
            self.send_header("Content-Length", str(length))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()

    def whole(self, code, body, ctype="text/html; charset=utf-8", extra=()):
        self.head(code, len(body), ctype, extra)
        self.wfile.write(body)
        self.server.stats.sent(self.path_only, len(body))

    def stream(self, parts, total, extra=()):
        """Writes the byte strings of the iterator parts (total bytes)."""
        self.head(200, total, extra=extra)
        for p in parts:
            self.wfile.write(p)
            self.server.stats.sent(self.path_only, len(p))

    def do_GET(self):
        sp = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(sp.query)
        path = self.path_only = sp.path
        self.server.stats.hit(path)
        try:
            self.route(path, q)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True

    def route(self, path, q):
        num = lambda k, d: int(q.get(k, [d])[0])  # noqa: E731
        if path == "/robots.txt":
            return self.robots()
        if path == "/nested":
            n = num("n", 100000)
            pre, post = b"<!doctype html><html><head><title>Nested</title></head><body>", \
                b"</body></html>"
            if q.get("js"):  # walks the whole tree: every DOM walk is as deep as the page
                post = (b"<script>var b = document.body; document.title = 'divs ' + "
                        b"document.querySelectorAll('div').length + ' text ' + "
                        b"b.textContent.length + ' html ' + b.innerHTML.length + ' clone ' + "
                        b"b.cloneNode(true).childNodes.length;</script>" + post)
            total = len(pre) + 5 * n + 1 + 6 * n + len(post)

            def parts():
                yield pre
                for i in range(0, n, 10000):
                    yield b"<div>" * min(10000, n - i)
                yield b"x"
                for i in range(0, n, 10000):
                    yield b"</div>" * min(10000, n - i)
                yield post
            return self.stream(parts(), total)
        if path == "/attrs":
            n = num("n", 1000000)
            pre = b"<!doctype html><html><head><title>Attrs</title></head><body><div"
            post = b">x</div></body></html>"
            if q.get("js"):
                post = b">x</div><script>document.title = 'scripts ran';</script></body></html>"
            step = 20000

            def block(i):
                return "".join(" a%x" % k for k in range(i, min(i + step, n))).encode()
            # " a%x" % k is 2 bytes and k's hex digits: counted, not built,
            # so the headers go out at once however loaded the machine is
            # (the worker's low-speed limit counts the wait for them)
            attrs_len, lo, digits = 0, 0, 1
            while lo < n:
                hi = min(n, 16 ** digits)
                attrs_len += (hi - lo) * (2 + digits)
                lo, digits = hi, digits + 1
            total = len(pre) + attrs_len + len(post)

            def parts():
                yield pre
                for i in range(0, n, step):
                    yield block(i)
                yield post
            return self.stream(parts(), total)
        if path == "/thfont":
            n, m = num("n", 50000), num("text", 1000000)
            pre = b"<!doctype html><html><head><title>Th font</title>"
            if q.get("js"):
                pre += b"<script>document.title = 'scripts ran';</script>"
            pre += b"</head><body><a href='/before-thfont'>before</a>"

            def parts():
                yield pre
                for i in range(0, n, 10000):
                    yield b"<th><font>" * min(10000, n - i)
                for i in range(0, m, CHUNK):
                    yield b"x" * min(CHUNK, m - i)
            return self.stream(parts(), len(pre) + 10 * n + m)
        if path == "/huge":
            total = num("mb", 500) << 20
            pre = b"<!doctype html><html><head><title>Huge</title></head><body>"
            fill = (b"<p>" + b"a" * 1020 + b"</p>\n") * (CHUNK // 1028)

            def parts():
                left = total - len(pre)
                yield pre
                while left > 0:
                    c = fill if left >= len(fill) else fill[:left]
                    left -= len(c)
                    yield c
            return self.stream(parts(), total)
        if path == "/gzip6":
            return self.whole(200, GZIP6, extra=[("Content-Encoding", ", ".join(["gzip"] * 6))])
        if path == "/gzipbomb":
            body = bomb(num("mb", 1024))
            return self.whole(200, body, extra=[("Content-Encoding", "gzip")])
        if path == "/trickle":
            bps = max(1, num("bps", 1))
            self.close_connection = True  # no length: the body ends when the connection does
            self.head(200, None, extra=[("Connection", "close")])
            self.wfile.write(b"<!doctype html><html><head><title>Trickle</title></head><body>")
            self.wfile.flush()
            while True:
                time.sleep(1)
                self.wfile.write(b"x" * bps)
                self.wfile.flush()
                self.server.stats.sent(path, bps)
        if path.startswith("/redir/"):
            n = int(path[len("/redir/"):] or 0)
            if n <= 0:
                return self.whole(200, small_page("Landed"))
            return self.redirect(302, "/redir/%d" % (n - 1))
        if path == "/to":
            return self.redirect(num("code", 302), q.get("u", ["/ok"])[0])
        if path == "/links":
            body = "".join('<a href="%s">l%d</a>\n' % (u.replace('"', "&quot;"), i)
                           for i, u in enumerate(q.get("u", [])))
            return self.whole(200, small_page("Links", body))
        return self.whole(200, small_page(path.strip("/") or "OK"))

    def redirect(self, code, location):
        body = b"moved"
        self.head(code, len(body), "text/plain", [("Location", location)])
        self.wfile.write(body)

    def robots(self):
        mode = self.server.robots
        if mode.startswith("redirect:"):
            return self.redirect(302, mode[len("redirect:"):])
        if mode == "503":
            return self.whole(503, b"unavailable", "text/plain")
        if mode == "hang":
            self.close_connection = True
            self.connection.settimeout(1)
            end = time.time() + 120
            while time.time() < end:  # until the client gives up
                try:
                    if self.connection.recv(1024) == b"":
                        return
                except socket.timeout:
                    continue
            return
        if mode == "big":
            early = b"User-agent: *\nDisallow: /early\n"
            late = b"Disallow: /late\n"
            pad_line = b"# " + b"p" * 1021 + b"\n"  # 1 KiB comment lines
            first = early + pad_line * ((500 * 1024 - len(early)) // len(pad_line))
            first += b"#" * (500 * 1024 - len(first) - 1) + b"\n"  # exactly 500 KiB
            rest = late + pad_line * ((ROBOTS_BIG_SIZE - len(first) - len(late)) // len(pad_line))
            body = first + rest
            return self.whole(200, body, "text/plain")
        return self.whole(404, b"no robots here", "text/plain")


GZIP6 = _gzip6()
_bombs = {}
_bomb_lock = threading.Lock()


def bomb(mb):
    with _bomb_lock:
        if mb not in _bombs:
            _bombs[mb] = _gzip_bomb(mb)
        return _bombs[mb]


class HostileServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # clients that leave mid-body are the point

    def __init__(self, bind="127.0.0.1", port=0, robots="404"):
        self.address_family = socket.AF_INET6 if ":" in bind else socket.AF_INET
        self.robots = robots
        self.stats = Stats()
        super().__init__((bind, port), Handler)
        self.thread = None

    @property
    def origin(self):
        host = self.server_address[0]
        return "http://%s:%d" % ("[%s]" % host if ":" in host else host, self.server_address[1])

    def start(self):
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.shutdown()
        self.server_close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--robots", default="404", help="404, 503, hang, big or redirect:URL")
    a = ap.parse_args()
    s = HostileServer(a.bind, a.port, a.robots)
    print(s.origin, flush=True)
    try:
        s.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
