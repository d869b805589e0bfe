#!/usr/bin/env python3
"""crawld test HTTP server: deterministic fixtures for integration tests and benchmarks.

Usage:
    python3 tests/server/httpd.py --port 0 --port-file FILE [--site-pages N] [--site-refs R]
        [--bind 127.0.0.1] [--robots-file F] [--robots-status N]
        [--crawl-delay S] [--idle-timeout S] [--verbose]

Binds --bind (default 127.0.0.1), picks a free port with --port 0, and once it
is listening writes the port number (decimal, newline-terminated) to
--port-file atomically (tmp file + rename). HTTP/1.1 with keep-alive; every
response carries Content-Length except /endless (chunked). One daemon thread
per connection. Quiet unless --verbose. SIGTERM/SIGINT: exit 0.
Python 3.11 standard library only; the optional `brotli` module enables /br.
The bodies it sends are built in httpd_content.py (imported from beside it).
Over ~900 lines: this docstring's endpoint table is the fixtures' contract,
and every endpoint is a few lines of the one handler class; the bodies are out
already.

HOST below is the request's Host header when it is a plain host[:port]
(letters, digits, '.', '-', or [v6]), else "BIND:PORT" of the listening socket.
Encoded endpoints (/gzip, /deflate, /br, /gzipbomb) ignore Accept-Encoding and
always send the encoded body. HEAD works on every GET endpoint (same headers,
no body). POST is treated like GET after the request body is read.

Endpoint                        | Response
------------------------------- | ------------------------------------------------
/site/                          | index of the generated site (title "Site index"), links to p/0.html
/site/p/K.html  (0 <= K < N)    | "Page K": ~8-15 KB HTML, deterministic in (K, N); links to
                                |   pages 2K+1, 2K+2, (K-1)//2, 7K+1, K+1, K-1, 13K+5 (mod N),
                                |   ../ (index), http://example.invalid/, mailto:, #fragments.
                                |   Every page is reachable from /site/ within depth 1+log2(N).
                                |   With --site-refs R (default 0: none) page K also links to
                                |   (K mod R).html?ref=(K div R mod 3): query variants of the
                                |   first R pages (up to 3 each), served as the page without
                                |   the query.
/site                           | 301 -> /site/
/status/NNN                     | status NNN (200..599) with a small HTML body (none for 204/304);
                                |   ?location=U adds Location, ?retry-after=S adds Retry-After
/slow?ms=N                      | waits N ms (default 1000) before the headers; title "Slow"
/slowbody?ms=N&bytes=B          | headers at once (Content-Length B), then the body trickled over
                                |   N ms (default 2000 ms, 10000 bytes)
/jswork?n=N                     | title "JS work"; a script that loops N times (default 10000000)
                                |   then adds a link to /landing
/endless                        | HTML forever, chunked, 64 KiB chunks, until the client goes away
/big?mb=N                       | HTML page of exactly N MiB (default 10, fractions ok), Content-Length
/gzipbomb?mb=N                  | Content-Encoding: gzip, text/html; decodes to exactly N MiB
                                |   (default 1024, max 16384, at least the 131-byte HTML wrapper);
                                |   ~1 KB compressed per decoded MiB (1 GiB -> ~1.06 MB)
/gzip                           | small gzip-encoded page, title "Gzip OK"
/deflate                        | small deflate (zlib, RFC 1950) page, title "Deflate OK";
                                |   ?raw=1 sends raw RFC 1951 deflate instead
/br                             | brotli page, title "Brotli OK"; 501 if module brotli is missing
/redirect/N                     | 302 -> /redirect/N-1 ... /redirect/1 -> /landing (N redirects);
                                |   /redirect/0 is the landing page itself; ?abs=1: absolute Location
/landing                        | title "Landing"
/redirect-loop                  | 302 -> /redirect-loop forever
/redirect-to?url=U&code=C       | C (any 3xx, default 302) with Location: U (verbatim)
/nonhtml.json                   | application/json
/image.png                      | image/png, a valid 16x16 PNG
/plain.txt                      | text/plain; charset=utf-8
/invalid-utf8                   | text/html; charset=utf-8 with invalid UTF-8 bytes in the body,
                                |   title "Invalid UTF-8"
/latin1                         | ISO-8859-1 bytes, <meta charset="iso-8859-1">, Content-Type
                                |   text/html (no charset), title "Café Olé" (latin1 bytes)
/latin1-header                  | same page without the meta; Content-Type text/html; charset=iso-8859-1
/deep?n=N                       | N nested <div> (default 100000), streamed, Content-Length
/attrs?n=N                      | one <div> with N distinct attributes (default 100000), title "Attrs"
/thfont?n=N&text=M              | <th><font> N times (default 20000) then M bytes of "x" (default
                                |   1000000), title "Th font", a link to /before-thfont first
/base                           | <base href="http://HOST/other/dir/"> and relative links
/links                          | links of every shape (see README.md for the expected resolutions);
                                |   <link rel="canonical" href="/canon">, next/prev/alternate/stylesheet
/a/b/links.html                 | the same page as /links at a deeper path
/frames                         | <frameset> with <frame src="/frame1"> and <frame src="/frame2">
/canon                          | title "Canonical"
/robots-meta                    | <meta name="robots" content="noindex, nofollow">, links to
                                |   /robots-meta-child (a 200 page that should not be followed)
/x-robots-tag                   | X-Robots-Tag: noindex, nofollow header, link to /robots-meta-child
/robots.txt                     | default "User-agent: *\\nDisallow: /private/\\nCrawl-delay: 0";
                                |   see --robots-file/--robots-status/--crawl-delay; PUT /robots.txt
                                |   [?status=N] replaces it at run time, DELETE restores it;
                                |   [&fail=K&fail-status=S&retry-after=V] answers S (503), empty,
                                |   with Retry-After V when given, to the next K fetches first;
                                |   [&delay-ms=D] answers after D ms
/private/...                    | any path: a 200 HTML page (disallowed by the default robots.txt)
/hang?s=S                       | reads the request, never answers; closes after S s (default 120)
                                |   or as soon as the client disconnects
/reset                          | closes the connection with a TCP RST, no response
/count                          | text/plain: requests served, not counting /count, /stats and
                                |   PUT/DELETE /robots.txt
/stats                          | JSON {"requests", "connections", "open_connections"};
                                |   ?paths=1 adds {"paths": {path: count}}; ?reset=1 zeroes after
/echo-ua                        | <title>UA: (User-Agent, HTML-escaped)</title>
/echo-body                      | JSON {"method", "type" (Content-Type), "body" (the request body,
                                |   UTF-8), "x" (the X-Test header or null)}: what a script sent
/style.css                      | text/css
/fixtures/PATH                  | tests/fixtures/PATH; ?header=Name:Value (repeatable) adds headers
/rules/links?to=URL             | a page linking to each URL given (repeatable), verbatim;
                                |   ?header=Name:Value as for /fixtures/; ?delay=S waits first
/backoff/NAME                   | the first ?fail=N (2) requests answer ?code=C (503) with
                                |   ?retry-after=S (&date=1: an HTTP-date), or &reset=1 a TCP
                                |   RST, &empty=1 no answer; then a 200 page "Backoff NAME"
/backoff-log                    | JSON {NAME: [unix times of its requests]}
/                               | small index page linking to a few of the above
/session/start                  | links to /session/same, /session/hop (302 to other.localhost),
                                |   other.localhost:PORT/session/link and a /redirect-to there
/session/js                     | scripts fetch other.localhost's /session/jsfetch, XHR
                                |   /session/jsxhr on both origins
/session/NAME                   | a small page; every /session/ request is logged
/session/log                    | JSON [{"host","path","headers":[[k,v]…]}]; ?reset=1 clears it
/sitemap.xml                    | a <urlset> of /sm/page/root1 (a host's default sitemap)
/sm/index.xml                   | <sitemapindex>: /sm/urlset.xml, /sm/pages.xml.gz (gzip body,
                                |   application/gzip, no Content-Encoding), /sm/ce.xml
                                |   (Content-Encoding: gzip), /sm/nested.xml and itself (a cycle)
/sm/urlset.xml                  | <urlset>: /sm/page/u1..u3, http://example.invalid/x, ftp://HOST/f
/sm/pages.xml.gz, /sm/ce.xml    | <urlset>s of /sm/page/g1..g2 and /sm/page/c1
/sm/nested.xml, /sm/deep.xml    | an index of /sm/deep.xml; a <urlset> of /sm/page/d1
/sm/big.xml?n=N                 | <urlset> of /sm/page/b0..b(N-1) (default 50001)
/sm/bad.xml                     | /sm/page/bad1, then XML that is not well-formed
/sm/many.xml?n=N                | <sitemapindex> of /sm/deep.xml?i=0..N-1 (default 1001)
/sm/page/NAME                   | a small HTML page "Sitemap page NAME", no links
anything else                   | 404 HTML page
"""

import argparse
import html
import json
import os
import re
import select
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from urllib.parse import quote  # sessions

from httpd_content import (
    BR_BODY, CHUNK, CSS_BODY, DEFLATE_BODY, FILLER, GZIP_BODY, INVALID_UTF8, JSON_BODY, LATIN1,
    LATIN1_HEADER, MiB, PLAIN_BODY, PNG, RAW_DEFLATE_BODY, filler, gzip_bomb, page, site_index,
    site_page,
)
from httpd_content import sitemap_gzip, sitemap_index, sitemap_urlset  # sitemaps

HTML_CT = "text/html; charset=utf-8"

# Paths that do not count as "requests" in /count and /stats.
CONTROL_PATHS = frozenset(("/count", "/stats"))


class AbortConnection(Exception):
    """Raised by a handler to drop the connection without writing anything more."""


class BadRequest(Exception):
    """A query parameter is malformed or out of range: answered with 400."""


def is_disconnect(exc):
    """Client went away (or we dropped it on purpose): never worth a traceback."""
    if isinstance(exc, (OSError, AbortConnection)):
        return True
    return isinstance(exc, ValueError) and "closed file" in str(exc)


# ---------------------------------------------------------------------------

class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.connections = 0
        self.open_connections = 0
        self.paths = {}

    def request(self, path):
        with self.lock:
            if path not in CONTROL_PATHS:
                self.requests += 1
            self.paths[path] = self.paths.get(path, 0) + 1

    def snapshot(self, paths=False, reset=False):
        with self.lock:
            out = {"requests": self.requests, "connections": self.connections,
                   "open_connections": self.open_connections}
            if paths:
                out["paths"] = dict(sorted(self.paths.items()))
            if reset:
                self.requests = 0
                self.connections = 0
                self.paths = {}
            return out


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # never wait for /hang or /endless threads on exit
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, addr, handler, opts):
        self.opts = opts
        self.stats = Stats()
        self.robots_lock = threading.Lock()
        self.robots_default = self.load_robots()
        self.robots = self.robots_default
        self.resets = threading.local()
        super().__init__(addr, handler)

    def load_robots(self):
        o = self.opts
        if o.robots_file:
            with open(o.robots_file, "rb") as f:
                body = f.read()
        else:
            body = f"User-agent: *\nDisallow: /private/\nCrawl-delay: {o.crawl_delay}\n".encode()
        return (o.robots_status, body)

    def server_bind(self):
        # HTTPServer.server_bind calls getfqdn(), a reverse DNS lookup: skip it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port

    def shutdown_request(self, request):
        if getattr(self.resets, "flag", False):
            self.resets.flag = False
            try:
                request.close()  # SO_LINGER {1, 0} is set: close() sends RST
            except OSError:
                pass
            return
        super().shutdown_request(request)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if is_disconnect(exc):
            return
        sys.stderr.write(f"httpd: error serving {client_address}:\n")
        traceback.print_exc()


# ---------------------------------------------------------------------------
# Handler


def _num(q, name, default, lo, hi, conv):
    v = q.get(name, [None])[0]
    if v is None or v == "":
        return default
    try:
        n = conv(v)
    except ValueError:
        raise BadRequest(f"{name}={v!r} is not a number") from None
    if not lo <= n <= hi:
        raise BadRequest(f"{name}={v} out of range [{lo}, {hi}]")
    return n


def _int(q, name, default, lo, hi):
    return _num(q, name, default, lo, hi, int)


def _float(q, name, default, lo, hi):
    return _num(q, name, default, lo, hi, float)


HOST_RE = re.compile(r"(?:[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "crawld-testhttpd/1.0"
    disable_nagle_algorithm = True

    def version_string(self):
        return self.server_version

    # ---- plumbing ---------------------------------------------------------

    def setup(self):
        self.timeout = self.server.opts.idle_timeout
        super().setup()
        st = self.server.stats
        with st.lock:
            st.connections += 1
            st.open_connections += 1

    def finish(self):
        st = self.server.stats
        with st.lock:
            st.open_connections -= 1
        try:
            super().finish()
        except Exception:
            pass

    def handle(self):
        try:
            super().handle()
        except Exception as e:  # noqa: BLE001
            self.close_connection = True
            if not is_disconnect(e):
                sys.stderr.write(f"httpd: error on {self.command} {self.path}:\n")
                traceback.print_exc()

    def log_message(self, format, *args):  # noqa: A002
        if self.server.opts.verbose:
            super().log_message(format, *args)

    def host(self):
        h = (self.headers.get("Host") or "").strip()
        if h and HOST_RE.fullmatch(h):
            return h
        host, port = self.server.server_address[:2]
        if ":" in host:
            host = f"[{host}]"
        return f"{host}:{port}"

    def head_only(self):
        return self.command == "HEAD"

    def respond(self, code, body=b"", ctype=HTML_CT, headers=(), close=False, length=True):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(code)
        if ctype:
            self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        if close:
            self.send_header("Connection", "close")
        self._headers_buffer.append(b"\r\n")  # headers and body in one write
        if not self.head_only():
            self._headers_buffer.append(body)
        self.flush_headers()

    def start_stream(self, code, length, ctype=HTML_CT, headers=()):
        """Send headers; returns False for HEAD (caller must not send a body)."""
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        if length is not None:
            self.send_header("Content-Length", str(length))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        return not self.head_only()

    def drain_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if te and te != "identity":
            self.respond(501, page("Not Implemented", "<p>chunked request bodies unsupported</p>"), close=True)
            return None
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            n = -1
        if n < 0:
            self.respond(400, page("Bad Request", "<p>bad Content-Length</p>"), close=True)
            return None
        if n > 16 * MiB:
            self.respond(413, page("Too Large", "<p>request body over 16 MiB</p>"), close=True)
            return None
        return self.rfile.read(n) if n else b""

    def wait_client(self, seconds):
        """Sleep up to `seconds`. Returns False as soon as the client disconnects."""
        deadline = time.monotonic() + seconds
        sock = self.connection
        p = select.poll()
        p.register(sock.fileno(), select.POLLIN | select.POLLPRI | getattr(select, "POLLRDHUP", 0))
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            ev = p.poll(max(1, int(left * 1000)))
            if not ev:
                continue
            _, mask = ev[0]
            if mask & (select.POLLHUP | select.POLLERR | select.POLLNVAL | getattr(select, "POLLRDHUP", 0)):
                return False
            try:
                data = sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
            except BlockingIOError:
                continue
            except OSError:
                return False
            if not data:
                return False
            # The client sent more bytes (pipelining): stop watching, just sleep.
            left = deadline - time.monotonic()
            if left > 0:
                time.sleep(left)
            return True

    # ---- dispatch -----------------------------------------------------------

    def do_GET(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def dispatch(self):
        parts = urlsplit(self.path)
        path = parts.path or "/"
        q = parse_qs(parts.query, keep_blank_values=True)
        body = self.drain_body()
        if body is None:
            return
        self.req_body = body
        try:
            if self.command in ("PUT", "DELETE"):
                if path == "/robots.txt":
                    return self.robots_config(q, body)
                return self.respond(405, page("Method Not Allowed", "<p>PUT/DELETE only on /robots.txt</p>"),
                                    headers=[("Allow", "GET, HEAD, POST")])
            self.server.stats.request(path)
            fn = ROUTES.get(path)
            if fn is not None:
                return fn(self, q)
            for prefix, fn in PREFIX_ROUTES:
                if path.startswith(prefix):
                    return fn(self, q, path[len(prefix):])
            return self.not_found()
        except BadRequest as e:
            return self.respond(400, page("Bad Request", f"<p>{html.escape(str(e))}</p>"))

    def not_found(self):
        self.respond(404, page("Not Found", f"<h1>Not Found</h1>\n<p>{html.escape(self.path)}</p>"))

    # ---- endpoints ------------------------------------------------------------

    def ep_fixture(self, q, rest):
        """Files under tests/fixtures/, with a type from the extension. ?delay=S waits first;
        ?header=Name:Value (repeatable) adds response headers."""
        root = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
        full = os.path.realpath(os.path.join(root, rest))
        if not full.startswith(root + os.sep) or not os.path.isfile(full):
            return self.not_found()
        delay = _float(q, "delay", 0.0, 0.0, 60.0)
        if delay and not self.wait_client(delay):
            return
        ext = os.path.splitext(full)[1].lower()
        ctype = {".html": HTML_CT, ".htm": HTML_CT, ".js": "text/javascript; charset=utf-8",
                 ".json": "application/json", ".css": "text/css", ".txt": "text/plain; charset=utf-8"}.get(
                     ext, "application/octet-stream")
        with open(full, "rb") as f:
            self.respond(200, f.read(), ctype=ctype, headers=self.fixture_headers(q))

    # -- fixture response headers (crawl rules: X-Robots-Tag, Link) --------------
    @staticmethod
    def fixture_headers(q):
        """?header=Name:Value (repeatable): extra response headers of a fixture,
        in the order given; a value without ':' or with CR/LF is a 400."""
        out = []
        for h in q.get("header", []):
            name, sep, value = h.partition(":")
            if not sep or not re.fullmatch(r"[A-Za-z0-9-]+", name) or "\r" in value or "\n" in value:
                raise BadRequest("header=Name:Value")
            out.append((name, value.strip()))
        return out

    def ep_rules_links(self, q):
        """/rules/links?to=URL (repeatable): a page whose only links are the URLs
        given, verbatim (HTML-escaped), in order; ?header= as for fixtures;
        ?delay=S waits first."""
        delay = _float(q, "delay", 0.0, 0.0, 60.0)
        if delay and not self.wait_client(delay):
            return
        items = "".join(f'<li><a href="{html.escape(u, quote=True)}">{i}</a></li>\n'
                        for i, u in enumerate(q.get("to", [])))
        self.respond(200, page("Rules links", f"<ul>\n{items}</ul>"), headers=self.fixture_headers(q))

    def ep_root(self, q):
        items = "".join(f"<li><a href=\"{p}\">{p}</a></li>\n" for p in
                        ("/site/", "/links", "/base", "/landing", "/robots.txt", "/stats"))
        self.respond(200, page("crawld test server", f"<h1>crawld test server</h1>\n<ul>\n{items}</ul>"))

    def ep_site_redirect(self, q):
        self.respond(301, page("Moved", "<p><a href=\"/site/\">/site/</a></p>"), headers=[("Location", "/site/")])

    def ep_site(self, q, rest):
        n = self.server.opts.site_pages
        if rest == "":
            return self.respond(200, site_index(n))
        m = re.fullmatch(r"p/(0|[1-9][0-9]*)\.html", rest)
        if not m or int(m.group(1)) >= n:
            return self.not_found()
        self.respond(200, site_page(int(m.group(1)), n, self.server.opts.site_refs))

    def ep_status(self, q, rest):
        if not re.fullmatch(r"[0-9]{3}", rest) or not 200 <= int(rest) <= 599:
            return self.respond(400, page("Bad Request", "<p>use /status/NNN with 200 &lt;= NNN &lt;= 599</p>"))
        code = int(rest)
        headers = []
        if "location" in q:
            headers.append(("Location", q["location"][0]))
        if "retry-after" in q:
            headers.append(("Retry-After", q["retry-after"][0]))
        if code in (204, 304):
            self.send_response(code)
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            return
        self.respond(code, page(f"Status {code}", f"<h1>Status {code}</h1>\n<p>{html.escape(self.responses.get(code, ('',))[0])}</p>"),
                     headers=headers)

    def ep_slow(self, q):
        ms = _int(q, "ms", 1000, 0, 3_600_000)
        if not self.wait_client(ms / 1000):
            raise AbortConnection()
        self.respond(200, page("Slow", f"<h1>Slow</h1>\n<p>Waited {ms} ms.</p>\n<p><a href=\"/landing\">landing</a></p>"))

    def ep_jswork(self, q):
        n = _int(q, "n", 10_000_000, 0, 10_000_000_000)
        self.respond(200, page("JS work", "<h1>JS work</h1>\n<script>var s = 0; for (var i = 0; i < "
                               f"{n}; i++) s += i % 7; var a = document.createElement('a'); "
                               "a.href = '/landing'; document.body.appendChild(a);</script>"))

    def ep_slowbody(self, q):
        ms = _int(q, "ms", 2000, 0, 3_600_000)
        size = _int(q, "bytes", 10000, 0, 64 * MiB)
        prefix = b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Slow body</title></head><body>\n"
        suffix = b"\n</body></html>\n"
        if size >= len(prefix) + len(suffix):
            mid = size - len(prefix) - len(suffix)
            body = prefix + filler(mid) + suffix
        else:
            body = b" " * size
        if not self.start_stream(200, size):
            return
        nchunks = max(1, min(size, ms // 50 if ms >= 50 else 1))
        start = time.monotonic()
        for i in range(nchunks):
            a, b = size * i // nchunks, size * (i + 1) // nchunks
            due = start + ms / 1000 * (i + 1) / nchunks
            left = due - time.monotonic()
            if left > 0:
                time.sleep(left)
            self.wfile.write(body[a:b])

    def ep_endless(self, q):
        http10 = self.request_version == "HTTP/1.0"
        self.send_response(200)
        self.send_header("Content-Type", HTML_CT)
        if http10:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if self.head_only():
            return
        first = b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Endless</title></head><body>\n"
        first = first + filler(CHUNK - len(first))
        frame = (lambda d: d) if http10 else (lambda d: b"%x\r\n" % len(d) + d + b"\r\n")
        w = self.wfile
        w.write(frame(first))
        data = frame(FILLER)
        while True:
            w.write(data)

    def ep_big(self, q):
        total = int(_float(q, "mb", 10, 0, 1 << 20) * MiB)
        self.stream_html_of_size("Big", total)

    def stream_html_of_size(self, title, total):
        prefix = (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>"
                  f"<body>\n<h1>{title}</h1>\n").encode()
        suffix = b"\n</body></html>\n"
        if total < len(prefix) + len(suffix):
            prefix, suffix = b" " * total, b""
        if not self.start_stream(200, total):
            return
        w = self.wfile
        w.write(prefix)
        mid = total - len(prefix) - len(suffix)
        full, rem = divmod(mid, CHUNK)
        for _ in range(full):
            w.write(FILLER)
        w.write(filler(rem) + suffix)

    def ep_gzipbomb(self, q):
        total = int(_float(q, "mb", 1024, 0, 16384) * MiB)
        head, block, n, tail = gzip_bomb(total)
        length = len(head) + len(block) * n + len(tail)
        if not self.start_stream(200, length, headers=[("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]):
            return
        w = self.wfile
        w.write(head)
        batch = max(1, CHUNK // max(1, len(block)))
        batch_bytes = block * batch
        sent = 0
        while n - sent >= batch:
            w.write(batch_bytes)
            sent += batch
        if n - sent:
            w.write(block * (n - sent))
        w.write(tail)

    def ep_gzip(self, q):
        self.respond(200, GZIP_BODY, headers=[("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")])

    def ep_deflate(self, q):
        body = RAW_DEFLATE_BODY if q.get("raw", ["0"])[0] not in ("", "0") else DEFLATE_BODY
        self.respond(200, body, headers=[("Content-Encoding", "deflate"), ("Vary", "Accept-Encoding")])

    def ep_br(self, q):
        if BR_BODY is None:
            return self.respond(501, page("Brotli unavailable", "<p>python module brotli is not installed</p>"))
        self.respond(200, BR_BODY, headers=[("Content-Encoding", "br"), ("Vary", "Accept-Encoding")])

    def redirect(self, code, location, close=False):
        self.respond(code, page("Redirect", f"<p>Moved to <a href=\"{html.escape(location)}\">{html.escape(location)}</a></p>"),
                     headers=[("Location", location)], close=close)

    def ep_redirect(self, q, rest):
        if not re.fullmatch(r"0|[1-9][0-9]{0,5}", rest):
            return self.not_found()
        n = int(rest)
        if n == 0:
            return self.ep_landing(q)
        target = "/landing" if n == 1 else f"/redirect/{n - 1}"
        absolute = q.get("abs", ["0"])[0] not in ("", "0")
        if absolute:
            target = f"http://{self.host()}{target}?abs=1" if n > 1 else f"http://{self.host()}{target}"
        self.redirect(302, target)

    def ep_landing(self, q):
        self.respond(200, page("Landing", "<h1>Landing</h1>\n<p>You have arrived.</p>"))

    def ep_redirect_loop(self, q):
        self.redirect(302, "/redirect-loop")

    def ep_redirect_to(self, q):
        url = q.get("url", [""])[0]
        if not url or any(c in url for c in "\r\n"):
            return self.respond(400, page("Bad Request", "<p>url= required</p>"))
        code = _int(q, "code", 302, 300, 399)
        self.redirect(code, url)

    def ep_json(self, q):
        self.respond(200, JSON_BODY, ctype="application/json")

    def ep_png(self, q):
        self.respond(200, PNG, ctype="image/png")

    def ep_plain(self, q):
        self.respond(200, PLAIN_BODY, ctype="text/plain; charset=utf-8")

    def ep_css(self, q):
        self.respond(200, CSS_BODY, ctype="text/css; charset=utf-8")

    def ep_invalid_utf8(self, q):
        self.respond(200, INVALID_UTF8)

    def ep_latin1(self, q):
        self.respond(200, LATIN1, ctype="text/html")

    def ep_latin1_header(self, q):
        self.respond(200, LATIN1_HEADER, ctype="text/html; charset=iso-8859-1")

    def ep_deep(self, q):
        n = _int(q, "n", 100000, 0, 50_000_000)
        prefix = b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Deep</title></head><body>\n"
        middle = b"deep"
        suffix = b"\n</body></html>\n"
        total = len(prefix) + 5 * n + len(middle) + 6 * n + len(suffix)
        if not self.start_stream(200, total):
            return
        w = self.wfile
        w.write(prefix)
        for unit in (b"<div>", None, b"</div>"):
            if unit is None:
                w.write(middle)
                continue
            per = CHUNK // len(unit)
            big = unit * per
            full, rem = divmod(n, per)
            for _ in range(full):
                w.write(big)
            if rem:
                w.write(unit * rem)
        w.write(suffix)

    def ep_thfont(self, q):
        # libxml2 closes every <th> (depth 4); HTML5 ignores them and keeps
        # all N <font>s open, and each character of the text then costs
        # gumbo a scan of them.
        n = _int(q, "n", 20000, 0, 5_000_000)
        m = _int(q, "text", 1_000_000, 0, 50_000_000)
        prefix = (b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Th font</title>"
                  b"</head><body><a href=\"/before-thfont\">before</a>\n")
        total = len(prefix) + 10 * n + m
        if not self.start_stream(200, total):
            return
        w = self.wfile
        w.write(prefix)
        for unit, count in ((b"<th><font>", n), (b"x", m)):
            per = CHUNK // len(unit)
            full, rem = divmod(count, per)
            for _ in range(full):
                w.write(unit * per)
            if rem:
                w.write(unit * rem)

    def ep_attrs(self, q):
        n = _int(q, "n", 100000, 0, 2_000_000)
        attrs = "".join(" a%x" % k for k in range(n))
        self.respond(200, page("Attrs", f"<div{attrs}>x</div><a href=\"/after-attrs\">after</a>"))

    def ep_base(self, q):
        h = self.host()
        body = (
            "<h1>Base</h1>\n<ul>\n"
            "<li><a href=\"page.html\">page</a></li>\n"
            "<li><a href=\"../up.html\">up</a></li>\n"
            "<li><a href=\"/abs.html\">absolute path</a></li>\n"
            "<li><a href=\"?q=1\">query</a></li>\n"
            "<li><a href=\"#frag\">fragment</a></li>\n"
            f"<li><a href=\"//{h}/proto-rel\">protocol-relative</a></li>\n"
            "</ul>"
        )
        self.respond(200, page("Base", body, head_extra=f"<base href=\"http://{h}/other/dir/\">\n"))

    def ep_links(self, q):
        h = self.host()
        body = f"""<h1>Links</h1>
<ul>
<li><a href="../up.html">parent-relative</a></li>
<li><a href="./same.html">dot-relative</a></li>
<li><a href="//{h}/proto-rel">protocol-relative</a></li>
<li><a href="?q=1">query only</a></li>
<li><a href="#frag">fragment only</a></li>
<li><a href="%7Euser/a%20b.html">percent-encoded</a></li>
<li><a href="/abs/path">absolute path</a></li>
<li><a href="HTTP://{h.upper()}/UPPER/../x">upper-case scheme and host, dot segments</a></li>
<li><a href="javascript:void(0)">javascript</a></li>
<li><a href="mailto:a@b">mailto</a></li>
<li><a href="tel:1">tel</a></li>
<li><a href="data:text/html,hi">data</a></li>
<li><a href="  /spaces  ">surrounding whitespace</a></li>
<li><a href="
	/newline-tab
">newline and tab around the URL</a></li>
<li><a href="/q?a=1&amp;b=2">entity in query</a></li>
<li><A HREF="/upper-tag">upper-case tag</A></li>
<li><a href="">empty href (this page)</a></li>
<li><a>no href</a></li>
<li><a href="http://example.invalid/ext">external host</a></li>
<li><a rel="nofollow" href="/nofollow">rel=nofollow</a></li>
<li><a href="/frames">frames page</a></li>
</ul>
<map name="m"><area shape="rect" coords="0,0,10,10" href="/area" alt="area"></map>
<img src="/image.png" usemap="#m" alt="map">
<iframe src="/iframe"></iframe>
"""
        head = ("<link rel=\"canonical\" href=\"/canon\">\n"
                "<link rel=\"next\" href=\"/next\">\n"
                "<link rel=\"prev\" href=\"/prev\">\n"
                "<link rel=\"alternate\" href=\"/alternate\" hreflang=\"fr\">\n"
                "<link rel=\"stylesheet\" href=\"/style.css\">\n")
        self.respond(200, page("Links", body, head_extra=head))

    def ep_frames(self, q):
        doc = ("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>Frames</title>\n</head>\n"
               "<frameset cols=\"50%,50%\">\n<frame src=\"/frame1\">\n<frame src=\"/frame2\">\n</frameset>\n</html>\n")
        self.respond(200, doc)

    def ep_canon(self, q):
        self.respond(200, page("Canonical", "<h1>Canonical</h1>"))

    def ep_robots_meta(self, q):
        self.respond(200, page("Robots meta", "<h1>Robots meta</h1>\n<p><a href=\"/robots-meta-child\">child</a></p>",
                               head_extra="<meta name=\"robots\" content=\"noindex, nofollow\">\n"))

    def ep_robots_meta_child(self, q):
        self.respond(200, page("Robots meta child", "<h1>Robots meta child</h1>"))

    def ep_x_robots_tag(self, q):
        self.respond(200, page("X-Robots-Tag", "<h1>X-Robots-Tag</h1>\n<p><a href=\"/robots-meta-child\">child</a></p>"),
                     headers=[("X-Robots-Tag", "noindex, nofollow")])

    def ep_robots(self, q):
        with self.server.robots_lock:
            status, body = self.server.robots[:2]
            fail = self.server.robots[2] if len(self.server.robots) > 2 else None
            delay = self.server.robots[3] if len(self.server.robots) > 3 else 0
            if fail and fail[0] > 0:  # PUT ?fail=N&fail-status=S: S for the next N fetches
                self.server.robots = (status, body, (fail[0] - 1, fail[1], fail[2]))
                self.respond(fail[1], b"", ctype="text/plain; charset=utf-8",
                             headers=[("Retry-After", fail[2])] if fail[2] else ())
                return
        if delay:
            time.sleep(delay / 1000)
        self.respond(status, body, ctype="text/plain; charset=utf-8")

    def robots_config(self, q, body):
        srv = self.server
        with srv.robots_lock:
            if self.command == "DELETE":
                srv.robots = srv.robots_default
            else:
                fail = (_int(q, "fail", 0, 0, 100), _int(q, "fail-status", 503, 200, 599),
                        q.get("retry-after", [""])[0])
                srv.robots = (_int(q, "status", 200, 200, 599), body, fail,
                              _int(q, "delay-ms", 0, 0, 10000))
        self.respond(200, b"ok\n", ctype="text/plain; charset=utf-8")

    def ep_private(self, q, rest):
        t = html.escape(rest or "index")
        self.respond(200, page(f"Private {t}", f"<h1>Private {t}</h1>\n<p>robots.txt disallows this.</p>"))

    def ep_hang(self, q):
        s = _float(q, "s", 120, 0, 3600)
        self.wait_client(s)
        raise AbortConnection()

    def ep_reset(self, q):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.server.resets.flag = True
        raise AbortConnection()

    def ep_count(self, q):
        self.respond(200, f"{self.server.stats.snapshot()['requests']}\n", ctype="text/plain; charset=utf-8")

    def ep_stats(self, q):
        snap = self.server.stats.snapshot(paths=q.get("paths", ["0"])[0] not in ("", "0"),
                                          reset=q.get("reset", ["0"])[0] not in ("", "0"))
        self.respond(200, json.dumps(snap) + "\n", ctype="application/json")

    def ep_echo_body(self, q):
        out = {"method": self.command, "type": self.headers.get("Content-Type"),
               "body": self.req_body.decode("utf-8", "replace"), "x": self.headers.get("X-Test")}
        self.respond(200, json.dumps(out), ctype="application/json")

    def ep_echo_ua(self, q):
        ua = self.headers.get("User-Agent", "")
        esc = html.escape(ua)
        self.respond(200, page(f"UA: {esc}", f"<h1>UA: {esc}</h1>"))


# ---- sitemaps (tests/integration/crawl_sitemaps.py): one block ----
def ep_sitemap_root(self, q):
    self.respond(200, sitemap_urlset(self.host(), ["root1"]), ctype="application/xml")


def ep_sitemaps(self, q, rest):
    h = self.host()
    xml = "application/xml"
    if rest == "index.xml":
        return self.respond(200, sitemap_index(h, ["/sm/urlset.xml", "/sm/pages.xml.gz", "/sm/ce.xml",
                                                   "/sm/nested.xml", "/sm/index.xml"]), ctype=xml)
    if rest == "urlset.xml":
        body = sitemap_urlset(h, ["u1", "u2", "u3"]).replace(
            "</urlset>", f"<url><loc>http://example.invalid/x</loc></url>\n"
                         f"<url><loc>ftp://{h}/f</loc></url>\n</urlset>")
        return self.respond(200, body, ctype=xml)
    if rest == "pages.xml.gz":
        return self.respond(200, sitemap_gzip(sitemap_urlset(h, ["g1", "g2"])), ctype="application/gzip")
    if rest == "ce.xml":
        return self.respond(200, sitemap_gzip(sitemap_urlset(h, ["c1"])), ctype=xml,
                            headers=[("Content-Encoding", "gzip")])
    if rest == "nested.xml":
        return self.respond(200, sitemap_index(h, ["/sm/deep.xml"]), ctype=xml)
    if rest == "deep.xml":
        return self.respond(200, sitemap_urlset(h, ["d1"]), ctype=xml)
    if rest == "big.xml":
        n = _int(q, "n", 50001, 0, 200000)
        return self.respond(200, sitemap_urlset(h, (f"b{i}" for i in range(n))), ctype=xml)
    if rest == "many.xml":
        n = _int(q, "n", 1001, 0, 100000)
        return self.respond(200, sitemap_index(h, (f"/sm/deep.xml?i={i}" for i in range(n))), ctype=xml)
    if rest == "bad.xml":
        body = sitemap_urlset(h, ["bad1"]).replace("</urlset>", "<url><loc>http://x/</url>\n</urlset>")
        return self.respond(200, body, ctype=xml)
    m = re.fullmatch(r"page/([A-Za-z0-9]+)", rest)
    if m:
        return self.respond(200, page(f"Sitemap page {m.group(1)}", f"<h1>Sitemap page {m.group(1)}</h1>"))
    return self.not_found()


# ---- recrawls (tests/integration/recrawl.py): one block ----
# /rc/index.html links a.html, b.html, c.html, same1.html, same2.html;
# a.html links deep.html. Each page has a version (0 at start); its body
# and validators follow it: ETag "NAME-V" (b.html sends none) and
# Last-Modified a fixed day + V hours (c.html sends none). A request whose
# If-None-Match names the ETag, or (no If-None-Match) whose
# If-Modified-Since is the Last-Modified, gets a 304. same1 and same2
# serve the same bytes; plain.html sends no validator. /rc/change?name=N
# bumps N's version;
# /rc/seen gives, per path, the conditional headers of each request.
RC_LOCK = threading.Lock()
RC_VERSION = {}
RC_SEEN = {}
RC_LINKS = {"index": ["a.html", "b.html", "c.html", "same1.html", "same2.html", "plain.html"],
            "a": ["deep.html"]}


def rc_validators(name, v):
    etag = None if name in ("b", "plain") else f'"{name}-{v}"'
    lm = None if name in ("c", "plain") else time.strftime("%a, %d %b %Y %H:%M:%S GMT",
                                                time.gmtime(1764547200 + 3600 * v))
    return etag, lm


def ep_recrawl(self, q, rest):
    if rest == "change":
        name = q.get("name", [""])[0]
        with RC_LOCK:
            RC_VERSION[name] = RC_VERSION.get(name, 0) + 1
        return self.respond(200, "ok", ctype="text/plain")
    if rest == "seen":
        with RC_LOCK:
            body = json.dumps(RC_SEEN)
        return self.respond(200, body, ctype="application/json")
    m = re.fullmatch(r"([a-z0-9]+)\.html", rest)
    if not m or (m.group(1) not in RC_LINKS and m.group(1) not in ("b", "c", "same1", "same2", "deep", "plain")):
        return self.not_found()
    name = m.group(1)
    inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
    with RC_LOCK:
        v = RC_VERSION.get(name, 0)
        RC_SEEN.setdefault("/rc/" + rest, []).append({"if_none_match": inm, "if_modified_since": ims})
    etag, lm = rc_validators(name, v)
    headers = [(k, x) for k, x in (("ETag", etag), ("Last-Modified", lm)) if x]
    if (inm is not None and etag is not None and inm == etag) or (inm is None and ims is not None and ims == lm):
        return self.respond(304, b"", ctype=None, headers=headers, length=False)
    links = "".join(f'<a href="{h}">{h}</a>\n' for h in RC_LINKS.get(name, []))
    if name.startswith("same"):
        body = page("Same", "<h1>The same bytes at two URLs</h1>")
    else:
        body = page(f"rc {name} v{v}", f"<h1>{name} version {v}</h1>\n{links}")
    return self.respond(200, body, headers=headers)
# ---- sessions (tests/integration/sessions.py): one block ----
# /session/<name>: a page that links to the other spellings of the server
# (127.0.0.1 and other.localhost are two origins of one server) and to a
# redirect onto the other origin; /session/log: every /session/ request's
# host, path and headers (JSON list; ?reset=1 clears it).
SESSION_LOG = []
SESSION_LOCK = threading.Lock()


def ep_session(self, q, rest):
    if rest == "log":
        with SESSION_LOCK:
            out = list(SESSION_LOG)
            if q.get("reset", ["0"])[0] == "1":
                SESSION_LOG.clear()
        return self.respond(200, json.dumps(out), ctype="application/json")
    with SESSION_LOCK:
        SESSION_LOG.append({"host": self.headers.get("Host", ""), "path": self.path,
                            "headers": [[k, v] for k, v in self.headers.items()]})
    port = self.server.server_address[1]
    other = f"http://other.localhost:{port}/session/"
    if rest == "start":
        here = f"http://{self.host()}/session/"
        body = (f'<a href="{here}same">same</a> <a href="{other}link">other</a> '
                f'<a href="/redirect-to?url={quote(other + "redirected")}">redir</a>'
                f'<a href="{here}hop">hop</a>')
        return self.respond(200, page("Session start", body))
    if rest == "js":  # the page's scripts ask both origins
        here = f"http://{self.host()}/session/"
        body = ("<script>"
                f"fetch('{other}jsfetch').then(function(r){{return r.text();}});"
                f"var x = new XMLHttpRequest(); x.open('GET', '{here}jsxhr', false); x.send();"
                f"var y = new XMLHttpRequest(); y.open('GET', '{other}jsxhr', false); y.send();"
                "</script>")
        return self.respond(200, page("Session js", body))
    if rest == "hop":  # a redirect of the seed's origin onto the other origin
        return self.redirect(302, other + "hopped")
    return self.respond(200, page(f"Session {rest}", f"<p>{html.escape(rest)}</p>"))


# ---- cookies (tests/integration/crawl_cookies.py): one block ----
# /ck/expect?name=N&v=V   the value a page must receive for cookie N (the
#                         test tells the server; the crawler never asks it)
# /ck/set/N[?v=V][&links=K][&ms=M][&del=1][&read=1]
#                         sets cookie N=V (Path=/, a session cookie; no v:
#                         the value expected for N) and expects it; links to /ck/gate/1..K (?ms=M),
#                         with del to /ck/del/N, with read to /ck/js/read/N
# /ck/del/N               expires cookie N (Max-Age=0)
# /ck/gate/I[?ms=M]       after M ms, a page whose title lists the cookies
#                         it received as name:ok or name:bad (never a
#                         value); with any cookie ok it links to /ck/inner/I
# /ck/inner/I             reachable only through a gate that had its cookie
# /ck/js/read/N[?v=V]     sets own=o1 and an HttpOnly hid=h1 (Path=/); its
#                         script titles the page "js read [NAMES]" with the
#                         names document.cookie shows, sorted, and links to
#                         /ck/js/seen/N only when it shows N=V (no v: the
#                         value expected for N)
# /ck/js/write/N[?v=V][&del=D][&over=O][&fetch=F][&set=S][&session=1][&links=K][&ms=M]
#                         the response sets S=r1 (Path=/); its script
#                         expires D, sets N=V (no v: the value expected for
#                         N; expected from now on) with document.cookie
#                         (path=/, max-age=600; session: none), tries to
#                         overwrite O, to set a cookie for another domain
#                         and an HttpOnly one; with F it fetch()es
#                         /ck/js/echo?set=F; then titles the page
#                         "js write [ECHO] [NAMES]"; links to /ck/gate/1..K
# /ck/js/echo[?set=F]     text: the cookies received as in a gate's title;
#                         sets F=f1 (Path=/)
# /ck/js/seen/N           the page a read script links to
CK_EXPECT = {}
CK_LOCK = threading.Lock()


def _ck_received(self):
    got = []
    for part in (self.headers.get("Cookie") or "").split(";"):
        name, eq, value = part.strip().partition("=")
        if name and eq:
            with CK_LOCK:
                want = CK_EXPECT.get(name)
            got.append(f"{name}:{'ok' if want is not None and want == value else 'bad'}")
    return sorted(got)


_CK_NAMES_JS = ("function names(){var c=document.cookie;return c?c.split('; ')"
                ".map(function(p){return p.split('=')[0];}).sort().join(' '):'';}")


def _ck_js(self, q, rest):
    kind, _, name = rest.partition("/")
    if kind == "echo":
        f = q.get("set", [""])[0]
        hdrs = [("Set-Cookie", f"{f}=f1; Path=/")] if f else []
        return self.respond(200, " ".join(_ck_received(self)), ctype="text/plain; charset=utf-8",
                            headers=hdrs)
    if kind == "seen" and name:
        return self.respond(200, page(f"js seen {name}", f"<h1>seen {name}</h1>"))
    with CK_LOCK:
        v = q.get("v", [CK_EXPECT.get(name, "")])[0]
        if kind == "write":
            CK_EXPECT[name] = v
    if kind == "read" and name:
        script = (_CK_NAMES_JS + "document.title='js read ['+names()+']';"
                  f"if(document.cookie.split('; ').indexOf({json.dumps(name + '=' + v)})>=0)"
                  "{var a=document.createElement('a');"
                  f"a.href='/ck/js/seen/{quote(name)}';document.body.appendChild(a);}}")
        return self.respond(200, page("js read", f"<script>{script}</script>"),
                            headers=[("Set-Cookie", "own=o1; Path=/"),
                                     ("Set-Cookie", "hid=h1; Path=/; HttpOnly")])
    if kind == "write" and name:
        d, o, f, sc = (q.get(k, [""])[0] for k in ("del", "over", "fetch", "set"))
        k = _int(q, "links", 0, 0, 1000)
        ms = _int(q, "ms", 0, 0, 10000)
        gq = f"?ms={ms}" if ms else ""
        links = "".join(f'<p><a href="/ck/gate/{i}{gq}">gate {i}</a></p>\n' for i in range(1, k + 1))
        age = "" if q.get("session", [""])[0] == "1" else "; max-age=600"
        js = [_CK_NAMES_JS]
        if d:
            js.append(f"document.cookie={json.dumps(d + '=; path=/; max-age=0')};")
        js += [f"document.cookie={json.dumps(name + '=' + v + '; path=/' + age)};",
               "document.cookie='elsewhere=1; domain=example.com; path=/';",
               "document.cookie='scripted=1; path=/; HttpOnly';"]
        if o:
            js.append(f"document.cookie={json.dumps(o + '=overwritten; path=/')};")
        if f:
            js.append(f"fetch('/ck/js/echo?set={quote(f)}').then(function(r){{return r.text();}})"
                      ".then(function(t){document.title='js write ['+t+'] ['+names()+']';});")
        else:
            js.append("document.title='js write [] ['+names()+']';")
        return self.respond(200, page("js write", f"<script>{''.join(js)}</script>\n{links}"),
                            headers=[("Set-Cookie", f"{sc}=r1; Path=/")] if sc else [])
    return self.not_found()


def ep_cookies(self, q, rest):
    name = rest.split("/", 1)[1] if "/" in rest else ""
    if rest == "expect":
        with CK_LOCK:
            CK_EXPECT[q.get("name", [""])[0]] = q.get("v", [""])[0]
        return self.respond(200, "ok\n", ctype="text/plain; charset=utf-8")
    if rest.startswith("set/") and name:
        with CK_LOCK:
            v = q.get("v", [CK_EXPECT.get(name, "")])[0]
            CK_EXPECT[name] = v
        k = _int(q, "links", 0, 0, 1000)
        ms = _int(q, "ms", 0, 0, 10000)
        gq = f"?ms={ms}" if ms else ""
        links = "".join(f'<p><a href="/ck/gate/{i}{gq}">gate {i}</a></p>\n' for i in range(1, k + 1))
        if q.get("del", [""])[0] == "1":
            links += f'<p><a href="/ck/del/{name}">del</a></p>\n'
        if q.get("read", [""])[0] == "1":
            links += f'<p><a href="/ck/js/read/{name}">read</a></p>\n'
        return self.respond(200, page(f"set {name}", f"<h1>set {name}</h1>\n{links}"),
                            headers=[("Set-Cookie", f"{name}={v}; Path=/")])
    if rest.startswith("del/") and name:
        return self.respond(200, page(f"del {name}", f"<h1>del {name}</h1>"),
                            headers=[("Set-Cookie", f"{name}=; Path=/; Max-Age=0")])
    if rest.startswith("js/"):
        return _ck_js(self, q, rest[3:])
    if rest.startswith("gate/") and name.isdigit():
        time.sleep(_int(q, "ms", 0, 0, 10000) / 1000)
        got = _ck_received(self)
        ok = any(g.endswith(":ok") for g in got)
        inner = f'<p><a href="/ck/inner/{name}">inner</a></p>' if ok else ""
        return self.respond(200, page(f"gate {name} [{' '.join(got)}]", f"<h1>gate {name}</h1>\n{inner}"))
    if rest.startswith("inner/") and name.isdigit():
        got = _ck_received(self)
        return self.respond(200, page(f"inner {name} [{' '.join(got)}]", f"<h1>inner {name}</h1>"))
    return self.not_found()


ROUTES = {
    "/": Handler.ep_root,
    "/site": Handler.ep_site_redirect,
    "/slow": Handler.ep_slow,
    "/slowbody": Handler.ep_slowbody,
    "/jswork": Handler.ep_jswork,
    "/endless": Handler.ep_endless,
    "/big": Handler.ep_big,
    "/gzipbomb": Handler.ep_gzipbomb,
    "/gzip": Handler.ep_gzip,
    "/deflate": Handler.ep_deflate,
    "/br": Handler.ep_br,
    "/landing": Handler.ep_landing,
    "/redirect-loop": Handler.ep_redirect_loop,
    "/redirect-to": Handler.ep_redirect_to,
    "/nonhtml.json": Handler.ep_json,
    "/image.png": Handler.ep_png,
    "/plain.txt": Handler.ep_plain,
    "/style.css": Handler.ep_css,
    "/invalid-utf8": Handler.ep_invalid_utf8,
    "/latin1": Handler.ep_latin1,
    "/latin1-header": Handler.ep_latin1_header,
    "/deep": Handler.ep_deep,
    "/attrs": Handler.ep_attrs,
    "/thfont": Handler.ep_thfont,
    "/base": Handler.ep_base,
    "/links": Handler.ep_links,
    "/a/b/links.html": Handler.ep_links,
    "/frames": Handler.ep_frames,
    "/canon": Handler.ep_canon,
    "/robots-meta": Handler.ep_robots_meta,
    "/robots-meta-child": Handler.ep_robots_meta_child,
    "/x-robots-tag": Handler.ep_x_robots_tag,
    "/robots.txt": Handler.ep_robots,
    "/hang": Handler.ep_hang,
    "/reset": Handler.ep_reset,
    "/count": Handler.ep_count,
    "/stats": Handler.ep_stats,
    "/echo-ua": Handler.ep_echo_ua,
    "/echo-body": Handler.ep_echo_body,
    "/rules/links": Handler.ep_rules_links,
    "/sitemap.xml": ep_sitemap_root,  # sitemaps
}

PREFIX_ROUTES = (
    ("/site/", Handler.ep_site),
    ("/status/", Handler.ep_status),
    ("/redirect/", Handler.ep_redirect),
    ("/private/", Handler.ep_private),
    ("/fixtures/", Handler.ep_fixture),
    ("/sm/", ep_sitemaps),  # sitemaps
    ("/rc/", ep_recrawl),  # recrawls
    ("/session/", ep_session),  # sessions
    ("/ck/", ep_cookies),  # cookies
)


# ---- back off when a server asks (retries of 429/503, Retry-After) ---------
# /backoff/NAME?fail=N&code=C&retry-after=S&date=1&reset=1&empty=1
#     The first N requests for NAME (default 2; -1: every one) answer status C
#     (default 503) with Retry-After: S when given (delta-seconds; with
#     date=1 an HTTP-date S seconds ahead); reset=1 closes them with a TCP
#     RST instead, empty=1 closes them with no answer at all (curl: "Empty
#     reply from server"). Later requests: a 200 page titled "Backoff NAME".
# /backoff-log
#     JSON {NAME: [unix time of each request, in order]}.
import email.utils as _eu  # noqa: E402

_BACKOFF_LOCK = threading.Lock()
_BACKOFF_LOG = {}


def _ep_backoff(self, q, rest):
    name = rest.strip("/") or "x"
    fail = _int(q, "fail", 2, -1, 1000000)
    code = _int(q, "code", 503, 200, 599)
    with _BACKOFF_LOCK:
        times = _BACKOFF_LOG.setdefault(name, [])
        times.append(time.time())
        n = len(times)
    if fail < 0 or n <= fail:
        if q.get("reset", ["0"])[0] not in ("", "0"):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.server.resets.flag = True
            raise AbortConnection()
        if q.get("empty", ["0"])[0] not in ("", "0"):
            self.close_connection = True
            raise AbortConnection()
        headers = []
        if "retry-after" in q:
            ra = _int(q, "retry-after", 0, 0, 86400)
            if q.get("date", ["0"])[0] not in ("", "0"):
                headers.append(("Retry-After", _eu.formatdate(time.time() + ra, usegmt=True)))
            else:
                headers.append(("Retry-After", str(ra)))
        self.respond(code, page(f"Refused {code}", f"<h1>{code}</h1>"), headers=headers)
        return
    self.respond(200, page(f"Backoff {name}", f"<h1>Backoff {name}</h1><p>request {n}</p>"))


def _ep_backoff_log(self, q):
    with _BACKOFF_LOCK:
        snap = {k: list(v) for k, v in _BACKOFF_LOG.items()}
    self.respond(200, json.dumps(snap) + "\n", ctype="application/json")


ROUTES["/backoff-log"] = _ep_backoff_log
PREFIX_ROUTES = PREFIX_ROUTES + (("/backoff/", _ep_backoff),)


# ---------------------------------------------------------------------------


def write_port_file(path, port):
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description="crawld test HTTP server (see the module docstring)")
    ap.add_argument("--port", type=int, default=0, help="TCP port, 0 = pick a free one (default)")
    ap.add_argument("--port-file", help="write the listening port here (atomically) once listening")
    ap.add_argument("--bind", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    ap.add_argument("--site-pages", type=int, default=1000, help="pages in /site/ (default 1000)")
    ap.add_argument("--site-refs", type=int, default=0,
                    help="pages K also link to (K mod R).html?ref=(K div R mod 3) (default 0: none)")
    ap.add_argument("--robots-file", help="serve this file as /robots.txt")
    ap.add_argument("--robots-status", type=int, default=200, help="status of /robots.txt (default 200)")
    ap.add_argument("--crawl-delay", default="0", help="Crawl-delay in the default robots.txt (default 0)")
    ap.add_argument("--idle-timeout", type=float, default=120.0,
                    help="seconds a connection may stay idle or blocked before it is closed (default 120)")
    ap.add_argument("--verbose", action="store_true", help="log every request to stderr")
    opts = ap.parse_args(argv)
    if opts.site_pages < 1:
        ap.error("--site-pages must be >= 1")

    def on_signal(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    family = socket.AF_INET6 if ":" in opts.bind else socket.AF_INET
    Server.address_family = family
    srv = Server((opts.bind, opts.port), Handler, opts)
    port = srv.server_address[1]
    if opts.port_file:
        write_port_file(opts.port_file, port)
    if opts.verbose:
        sys.stderr.write(f"httpd: listening on {opts.bind}:{port}\n")
    try:
        srv.serve_forever(poll_interval=None)  # block in select(); no idle wake-ups
    except (SystemExit, KeyboardInterrupt):
        pass
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

