#!/usr/bin/env python3
"""A small plain-HTTP forward proxy for the session tests (no CONNECT):
requests in absolute form are forwarded to their origin with http.client
and the answer relayed; every one is logged. The host public.test is
answered by the proxy itself (a page on a name no resolver knows: what a
crawl through a proxy to the public network looks like).

    proxy.py --port-file FILE [--auth USER:PASSWORD]

GET /__log (origin form) answers the log: JSON [{"method", "url",
"proxy_auth" (the Proxy-Authorization header or null)}]; --auth makes
every other request without those credentials a 407."""
import argparse, base64, http.client, json, os, sys, threading, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG, LOCK = [], threading.Lock()
HOP = {"connection", "proxy-connection", "proxy-authorization", "keep-alive", "te", "trailer",
       "transfer-encoding", "upgrade"}


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body, ctype="text/html; charset=utf-8", extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        if self.path == "/__log":
            with LOCK:
                return self.send(200, json.dumps(LOG).encode(), "application/json")
        pa = self.headers.get("Proxy-Authorization")
        with LOCK:
            LOG.append({"method": self.command, "url": self.path, "proxy_auth": pa})
        if self.server.auth and pa != "Basic " + base64.b64encode(self.server.auth.encode()).decode():
            return self.send(407, b"proxy auth", extra=[("Proxy-Authenticate", 'Basic realm="p"')])
        u = urllib.parse.urlsplit(self.path)
        if u.scheme != "http" or not u.hostname:
            return self.send(400, b"absolute http URL expected")
        if u.hostname == "public.test":
            body = b"<html><head><title>Public page</title></head><body><p>via proxy</p></body></html>"
            if u.path == "/robots.txt":
                return self.send(404, b"none", "text/plain")
            return self.send(200, body)
        host = u.hostname
        if host == "localhost" or host.endswith(".localhost"):  # as curl resolves them
            host = "127.0.0.1"
        conn = http.client.HTTPConnection(host, u.port or 80, timeout=30)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        hdrs["Host"] = u.netloc
        try:
            conn.request(self.command, urllib.parse.urlunsplit(("", "", u.path or "/", u.query, "")),
                         headers=hdrs)
            r = conn.getresponse()
            body = r.read()
        except OSError as e:
            return self.send(502, str(e).encode(), "text/plain")
        finally:
            conn.close()
        extra = [(k, v) for k, v in r.getheaders()
                 if k.lower() not in HOP and k.lower() not in ("content-length", "content-type")]
        self.send(r.status, body, r.getheader("Content-Type") or "application/octet-stream", extra)

    do_HEAD = do_GET


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--auth")
    o = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    srv.daemon_threads = True
    srv.auth = o.auth
    tmp = o.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.replace(tmp, o.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
