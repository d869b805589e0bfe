"""The js_libs test's HTTP server on 127.0.0.1: the pages of site/, the npm
packages installed at test time under /nm/ (node_modules), and POST /echo,
whose JSON reply names a link built from the form it was sent
({"href": "/echo-<name>-<n>.html", "type": Content-Type}).
Usage: serve.py NODE_MODULES PORT_FILE"""
import http.server, json, os, sys, urllib.parse

SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "site")
NM = os.path.abspath(sys.argv[1])


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=SITE, **k)

    def log_message(self, *a):
        pass

    def translate_path(self, path):
        p = urllib.parse.urlsplit(path).path
        if p.startswith("/nm/"):
            full = os.path.normpath(os.path.join(NM, urllib.parse.unquote(p[4:])))
            return full if full.startswith(NM + os.sep) else os.path.join(SITE, "-")
        return super().translate_path(path)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(n).decode("utf-8", "replace"))
        if urllib.parse.urlsplit(self.path).path != "/echo":
            self.send_error(404)
            return
        name = form.get("name", ["none"])[0]
        num = form.get("n", ["0"])[0]
        out = json.dumps({"href": "/echo-%s-%s.html" % (name, num),
                          "type": self.headers.get("Content-Type")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
srv.serve_forever()
