#!/usr/bin/env python3
"""netserver — a test server for real-network conditions (bench/netbench.sh).

Many origins on loopback, each answering every request after LATENCY ms
(before the response headers: a server that "answers after 100 ms"), with
an optional bandwidth cap per connection, keep-alive on or off, and HTTPS on
a share of the origins (a CA made at run time with the openssl CLI). They
serve one generated site of PAGES pages spread over the origins: page K
lives on origin K mod ORIGINS at /p/K.html, ~PAGE_BYTES of HTML with LINKS
absolute links, nearly all to other origins (the first one to page K+1, so
every page is reachable from page 0; the others drawn from a generator
seeded by SEED and K: the same site every run). Every origin has a
robots.txt that allows all and an index page linking to its first page.

  python3 bench/netserver.py [--origins 100] [--pages 1000] [--latency-ms 0]
      [--bandwidth 0] [--keepalive on|off] [--https-share 0.2] [--seed 1]
      [--page-bytes 6144] [--links 10] [--hosts addrs|ports] [--procs 1]
      [--tls-dir DIR] [--info FILE]

--hosts addrs (default) puts origin i on its own loopback address
(127.0.0.2, 127.0.0.3, ...; Linux routes all of 127/8 to lo), each on a
free port: every origin is a host of its own to every crawler. --hosts
ports puts them all on 127.0.0.1, one port each: crawld keys politeness on
scheme, host and port, but Scrapy and wget2 key theirs on the host name,
so to them 100 ports are one host.

--procs N: N processes accept on the same sockets (forked after binding),
for when one Python process is the bottleneck; counters are per process in
shared memory and summed.

Prints one line per origin ("origin URL") and "ready SEED_URL" on stdout;
--info FILE gets the same as JSON (origins, seed, ca, pages, settings),
written once every socket listens. GET /__stats on any origin (no latency,
not counted) answers JSON counters summed over processes: requests, pages,
robots, index, not_found, connections, tls_connections, bytes. SIGTERM or
SIGINT: prints the counters on stderr and exits 0. Python 3 standard
library only."""
import argparse, asyncio, json, multiprocessing, os, random, signal, socket, ssl, subprocess, sys

COUNTERS = ("requests", "pages", "robots", "index", "not_found", "connections",
            "tls_connections", "bytes")

WORDS = ("network latency crawler origin server page link robots politeness worker fetch "
         "connection keepalive bandwidth handshake certificate request response header body "
         "queue frontier scheduler host address socket buffer stream window parser token "
         "element attribute record index archive budget memory arena process thread").split()


def origin_addr(i, mode):
    if mode == "ports":
        return "127.0.0.1"
    j = i + 1  # 127.0.0.2 .. 127.0.0.254, 127.0.1.1 ..
    return "127.0.%d.%d" % (j // 254, j % 254 + 1)


def is_https(i, share):
    """Spread evenly: origin i is HTTPS when floor((i+1)*share) passes an integer."""
    return int((i + 1) * share + 1e-9) > int(i * share + 1e-9)


def make_tls(tls_dir, addrs):
    """A CA and one server certificate (every origin address as an IP SAN),
    made with the openssl CLI unless tls_dir already holds them."""
    os.makedirs(tls_dir, exist_ok=True)
    ca, ca_key = os.path.join(tls_dir, "ca.pem"), os.path.join(tls_dir, "ca.key")
    crt, key = os.path.join(tls_dir, "server.pem"), os.path.join(tls_dir, "server.key")
    sans = ",".join("IP:%s" % a for a in sorted(set(addrs)))
    sanfile = os.path.join(tls_dir, "san.txt")
    if all(os.path.exists(p) for p in (ca, crt, key, sanfile)) and open(sanfile).read() == sans:
        return ca, crt, key

    def run(*cmd):
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # ECDSA P-256: a handshake costs the server a fraction of RSA's, so the
    # harness's CPU goes to serving pages.
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", "/CN=netserver test CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    csr = os.path.join(tls_dir, "server.csr")
    run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1")
    ext = os.path.join(tls_dir, "server.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n" % sans)
    run("openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
        "-out", crt, "-days", "2", "-extfile", ext)
    with open(sanfile, "w") as f:
        f.write(sans)
    return ca, crt, key


def gen_site(a, bases):
    """bytes of every page, and the link targets of each (for the docs)."""
    n, norig = a.pages, a.origins
    pages, links = [], []
    for k in range(n):
        rng = random.Random(a.seed * 1000003 + k)
        ts = [(k + 1) % n] if n > 1 else []
        while len(ts) < min(a.links, n - 1):
            t = rng.randrange(n)
            if t != k and t not in ts:
                ts.append(t)
        links.append(ts)
        nav = "\n".join('<li><a href="%s/p/%d.html">Page %d</a></li>' % (bases[t % norig], t, t)
                        for t in ts)
        head = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                "<title>Page %d</title>\n<style>body{font:14px sans-serif;max-width:60em;"
                "margin:auto}</style>\n</head>\n<body>\n<header><h1>Page %d</h1>"
                "<p>origin %d of %d</p></header>\n<nav><ul>\n%s\n</ul></nav>\n<main>\n"
                % (k, k, k % norig, norig, nav))
        tail = "</main>\n<footer><p>Generated page %d of %d.</p></footer>\n</body></html>\n" % (k, n)
        paras, size = [], len(head) + len(tail)
        while size < a.page_bytes:
            p = "<p>%s.</p>\n" % " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40)))
            paras.append(p)
            size += len(p)
        body = head + "".join(paras) + tail
        pages.append(body.encode())
    return pages, links


class Counters:
    """Per-process slots in shared memory: each process adds to its own, no
    lock; readers sum."""

    def __init__(self, procs):
        self.arr = multiprocessing.RawArray("q", procs * len(COUNTERS))
        self.slot = 0

    def add(self, name, v=1):
        self.arr[self.slot * len(COUNTERS) + COUNTERS.index(name)] += v

    def total(self):
        out = dict.fromkeys(COUNTERS, 0)
        for j in range(len(self.arr)):
            out[COUNTERS[j % len(COUNTERS)]] += self.arr[j]
        return out


class Origin:
    def __init__(self, i, a, sock, url, tls, site, counters):
        self.i, self.a, self.sock, self.url, self.tls = i, a, sock, url, tls
        self.site, self.c = site, counters

    def page(self, path):
        """(status, content type, body) of a GET of path on this origin."""
        if path == "/robots.txt":
            self.c.add("robots")
            return 200, "text/plain", b"User-agent: *\nDisallow:\n"
        if path.startswith("/p/") and path.endswith(".html"):
            try:
                k = int(path[3:-5])
            except ValueError:
                k = -1
            if 0 <= k < len(self.site) and k % self.a.origins == self.i and path == "/p/%d.html" % k:
                self.c.add("pages")
                return 200, "text/html; charset=utf-8", self.site[k]
        if path in ("/", "/index.html") and self.i < len(self.site):
            self.c.add("index")
            return 200, "text/html; charset=utf-8", (
                '<!DOCTYPE html><html><head><title>Origin %d</title></head><body>'
                '<p><a href="/p/%d.html">first page</a></p></body></html>\n' % (self.i, self.i)).encode()
        self.c.add("not_found")
        return 404, "text/html; charset=utf-8", b"<!DOCTYPE html><title>Not found</title>\n"

    async def serve(self, reader, writer):
        self.c.add("connections")
        if self.tls:
            self.c.add("tls_connections")
        sock = writer.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        try:
            while True:
                try:
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                        asyncio.TimeoutError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                parts = lines[0].split()
                if len(parts) != 3:
                    return
                method, target, version = parts
                hdrs = {}
                for l in lines[1:]:
                    k, _, v = l.partition(":")
                    hdrs[k.strip().lower()] = v.strip().lower()
                path = target.split("?", 1)[0].split("#", 1)[0]
                if "://" in path:  # absolute form
                    path = "/" + path.split("://", 1)[1].partition("/")[2]
                n = int(hdrs.get("content-length", "0") or 0)
                if n:
                    await reader.readexactly(n)
                if path == "/__stats":
                    body = (json.dumps(self.c.total()) + "\n").encode()
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
                    await writer.drain()
                    continue
                self.c.add("requests")
                keep = (self.a.keepalive and version == "HTTP/1.1"
                        and hdrs.get("connection") != "close") or \
                       (self.a.keepalive and version == "HTTP/1.0"
                        and hdrs.get("connection") == "keep-alive")
                if self.a.latency_ms > 0:
                    await asyncio.sleep(self.a.latency_ms / 1000.0)
                status, ctype, body = self.page(path)
                reason = b"OK" if status == 200 else b"Not Found"
                resp = b"HTTP/1.1 %d %s\r\nServer: netserver\r\nContent-Type: %s\r\n" \
                       b"Content-Length: %d\r\nConnection: %s\r\n\r\n" % (
                           status, reason, ctype.encode(), len(body),
                           b"keep-alive" if keep else b"close")
                if method != "HEAD":
                    resp += body
                self.c.add("bytes", len(resp))
                await self.send(writer, resp)
                if not keep:
                    return
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError):
            return
        finally:
            try:
                writer.close()
            except Exception:  # noqa: BLE001 - a reset connection
                pass

    async def send(self, writer, data):
        bw = self.a.bandwidth
        if bw <= 0:
            writer.write(data)
            await writer.drain()
            return
        # The cap as a steady trickle: slices of 1/20 s of the rate.
        step = max(1, bw // 20)
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        for off in range(0, len(data), step):
            chunk = data[off:off + step]
            writer.write(chunk)
            await writer.drain()
            due = t0 + (off + len(chunk)) / bw
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)


async def main_async(origins, on_stop):
    servers = []
    for o in origins:
        ctx = None
        if o.tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(o.a._crt, o.a._key)
            ctx.set_alpn_protocols(["http/1.1"])
        servers.append(await asyncio.start_server(o.serve, sock=o.sock, ssl=ctx, backlog=1024,
                                                  ssl_handshake_timeout=30 if ctx else None))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    await stop.wait()
    # Out at once: cancelling the connections still open would only log
    # their cancellation.
    on_stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--origins", type=int, default=100)
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--latency-ms", type=float, default=0)
    ap.add_argument("--bandwidth", type=int, default=0, help="bytes/s per connection, 0 none")
    ap.add_argument("--keepalive", choices=("on", "off"), default="on")
    ap.add_argument("--https-share", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--page-bytes", type=int, default=6144)
    ap.add_argument("--links", type=int, default=10)
    ap.add_argument("--hosts", choices=("addrs", "ports"), default="addrs")
    ap.add_argument("--procs", type=int, default=1)
    ap.add_argument("--tls-dir", default=None, help="CA and certificate (made when missing)")
    ap.add_argument("--info", default=None, help="JSON file written once listening")
    a = ap.parse_args()
    if a.origins < 1 or a.pages < 1 or not 0 <= a.https_share <= 1 or a.procs < 1:
        ap.error("origins and pages must be >= 1, https-share within 0..1, procs >= 1")
    if a.hosts == "addrs" and a.origins > 250 * 254:
        ap.error("at most %d origins with --hosts addrs" % (250 * 254))
    a.keepalive = a.keepalive == "on"
    https = [is_https(i, a.https_share) for i in range(a.origins)]
    ca = None
    if any(https):
        tls_dir = a.tls_dir or os.path.join(os.environ.get("TMPDIR", "/tmp"), "netserver-tls")
        ca, a._crt, a._key = make_tls(tls_dir, [origin_addr(i, a.hosts) for i in range(a.origins)
                                                if https[i]])
    socks, bases = [], []
    for i in range(a.origins):
        addr = origin_addr(i, a.hosts)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, 0))
        s.listen(1024)
        s.setblocking(False)
        socks.append(s)
        bases.append("%s://%s:%d" % ("https" if https[i] else "http", addr, s.getsockname()[1]))
    site, _ = gen_site(a, bases)
    counters = Counters(a.procs)
    info = {"origins": bases, "seed": "%s/p/0.html" % bases[0], "ca": ca, "pages": a.pages,
            "https_origins": sum(https), "latency_ms": a.latency_ms, "bandwidth": a.bandwidth,
            "keepalive": a.keepalive, "hosts": a.hosts, "procs": a.procs, "seed_rng": a.seed,
            "page_bytes": sum(map(len, site)) // len(site), "links": a.links, "pid": os.getpid()}
    kids = []
    for slot in range(1, a.procs):
        pid = os.fork()
        if pid == 0:
            counters.slot = slot
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us
            asyncio.run(main_async([Origin(i, a, socks[i], bases[i], https[i], site, counters)
                                    for i in range(a.origins)], lambda: os._exit(0)))
            os._exit(0)
        kids.append(pid)
    for b in bases:
        print("origin", b)
    print("ready", info["seed"], flush=True)
    if a.info:
        tmp = a.info + ".tmp"
        with open(tmp, "w") as f:
            json.dump(info, f)
        os.rename(tmp, a.info)
    def stop():
        for pid in kids:
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except OSError:
                pass
        print("netserver: " + json.dumps(counters.total()), file=sys.stderr, flush=True)
        os._exit(0)

    asyncio.run(main_async([Origin(i, a, socks[i], bases[i], https[i], site, counters)
                            for i in range(a.origins)], stop))
    return 0


if __name__ == "__main__":
    sys.exit(main())
