#!/usr/bin/env python3
"""A small SOCKS5 proxy for the session tests (RFC 1928 CONNECT only, with
no authentication or RFC 1929 user/password): the target's name is
resolved here (what socks5h:// asks for), localhost and *.localhost as
127.0.0.1; every CONNECT's target is logged.

    socks5.py --port-file FILE [--auth USER:PASSWORD]

The log is served by a small HTTP endpoint on the port written to
FILE.log (GET / answers JSON [{"target": "host:port", "atyp": 1|3|4}])."""
import argparse, ipaddress, json, os, select, socket, socketserver, struct, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG, LOCK = [], threading.Lock()


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise ConnectionError("short read")
        b += c
    return b


class Socks(socketserver.BaseRequestHandler):
    def handle(self):
        c = self.request
        try:
            ver, n = recv_exact(c, 2)
            methods = recv_exact(c, n)
            want = 2 if self.server.auth else 0
            if ver != 5 or want not in methods:
                c.sendall(b"\x05\xff")
                return
            c.sendall(bytes([5, want]))
            if want == 2:
                _, ul = recv_exact(c, 2)
                user = recv_exact(c, ul).decode()
                pl = recv_exact(c, 1)[0]
                pw = recv_exact(c, pl).decode()
                ok = "%s:%s" % (user, pw) == self.server.auth
                c.sendall(b"\x01\x00" if ok else b"\x01\x01")
                if not ok:
                    return
            ver, cmd, _, atyp = recv_exact(c, 4)
            if atyp == 1:
                host = socket.inet_ntoa(recv_exact(c, 4))
            elif atyp == 4:
                host = str(ipaddress.IPv6Address(recv_exact(c, 16)))
            else:
                host = recv_exact(c, recv_exact(c, 1)[0]).decode()
            port = struct.unpack("!H", recv_exact(c, 2))[0]
            with LOCK:
                LOG.append({"target": "%s:%d" % (host, port), "atyp": atyp})
            if cmd != 1:
                c.sendall(b"\x05\x07\x00\x01" + b"\x00" * 6)
                return
            addr = "127.0.0.1" if host == "localhost" or host.endswith(".localhost") else host
            try:
                t = socket.create_connection((addr, port), timeout=10)
            except OSError:
                c.sendall(b"\x05\x05\x00\x01" + b"\x00" * 6)
                return
            c.sendall(b"\x05\x00\x00\x01" + b"\x00" * 6)
            with t:
                socks = [c, t]
                while True:
                    r, _, _ = select.select(socks, [], [], 30)
                    if not r:
                        return
                    for s in r:
                        data = s.recv(65536)
                        if not data:
                            return
                        (t if s is c else c).sendall(data)
        except (ConnectionError, OSError):
            return


class LogHandler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        with LOCK:
            body = json.dumps(LOG).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def write(path, port):
    with open(path + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--auth")
    o = ap.parse_args()
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Socks)
    srv.daemon_threads = True
    srv.auth = o.auth
    logsrv = ThreadingHTTPServer(("127.0.0.1", 0), LogHandler)
    logsrv.daemon_threads = True
    threading.Thread(target=logsrv.serve_forever, daemon=True).start()
    write(o.port_file + ".log", logsrv.server_address[1])
    write(o.port_file, srv.server_address[1])
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
