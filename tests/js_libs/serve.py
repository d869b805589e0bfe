"""The js_libs test's HTTP server on 127.0.0.1: the pages of site/, the npm
packages installed at test time under /nm/ (node_modules), and POST /echo,
whose JSON reply names a link built from the form it was sent
({"href": "/echo-<name>-<n>.html", "type": Content-Type}) — or, asked by
htmx (an HX-Request header), that link as HTML to swap in — and /lit.js: lit's
ES modules (crawld runs no module scripts) joined into one classic script
that defines window.lit (each module's imports and exports become reads
and writes of that object).
Usage: serve.py NODE_MODULES PORT_FILE"""
import http.server, json, os, re, sys, urllib.parse

SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "site")
NM = os.path.abspath(sys.argv[1])


LIT = ["@lit/reactive-element/css-tag.js", "@lit/reactive-element/reactive-element.js",
       "lit-html/lit-html.js", "lit-element/lit-element.js"]


def pairs(names, import_side):
    out = []
    for x in names.split(","):
        a, _, b = x.strip().partition(" as ")
        b = b or a
        out.append("%s:%s" % ((a, b) if import_side else (b, a)))
    return ",".join(out)


def lit_bundle():
    parts = ["var lit = window.lit = {};"]
    for name in LIT:
        with open(os.path.join(NM, name), encoding="utf-8") as f:
            src = f.read()
        src = re.sub(r'export\s*\*\s*from\s*"[^"]*";?', "", src)
        src = re.sub(r'export\s*\{[^}]*\}\s*from\s*"[^"]*";?', "", src)
        src = re.sub(r'import\s*\{([^}]*)\}\s*from\s*"[^"]*";?',
                     lambda m: "var {%s} = lit;" % pairs(m.group(1), True), src)
        src = re.sub(r'export\s*\{([^}]*)\};?',
                     lambda m: "Object.assign(lit, {%s});" % pairs(m.group(1), False), src)
        parts.append("(function () {\n%s\n})();" % src)
    return "\n".join(parts).encode()


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

    def do_GET(self):
        if urllib.parse.urlsplit(self.path).path != "/lit.js":
            return super().do_GET()
        out = lit_bundle()
        self.send_response(200)
        self.send_header("Content-Type", "text/javascript")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(n).decode("utf-8", "replace"))
        if urllib.parse.urlsplit(self.path).path != "/echo":
            self.send_error(404)
            return
        name = form.get("name", ["none"])[0]
        num = form.get("n", ["0"])[0]
        href = "/echo-%s-%s.html" % (name, num)
        if self.headers.get("HX-Request") == "true":
            out, ctype = ('<a href="%s">posted</a>' % href).encode(), "text/html"
        else:
            out = json.dumps({"href": href, "type": self.headers.get("Content-Type")}).encode()
            ctype = "application/json"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
srv.serve_forever()
