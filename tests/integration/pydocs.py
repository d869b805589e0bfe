"""Debian's python3-doc pages (/usr/share/doc/python3/html) served on
127.0.0.1 by http.server in a thread, and an independent implementation of
--extract over the same files: lxml.html (libxml2's HTML parser) and
cssselect. Shared by tests/integration/extract_pydocs.py and
bench/bench_extract.py."""
import functools, http.server, os, re, sys, threading

DOCS = os.environ.get("PYDOCS_DIR", "/usr/share/doc/python3/html")

try:
    import lxml.html  # noqa: F401
    from lxml.cssselect import CSSSelector
except ImportError:  # a python3 other than Debian's (pyenv): its packages
    sys.path.append("/usr/lib/python3/dist-packages")
    import lxml.html  # noqa: F401,E402
    from lxml.cssselect import CSSSelector  # noqa: E402


def library_pages(step=1):
    """library/*.html, sorted, every step-th (paths relative to DOCS)."""
    d = os.path.join(DOCS, "library")
    if not os.path.isdir(d):
        sys.exit("pydocs: %s is missing (Debian package python3-doc)" % d)
    return ["library/" + f for f in sorted(os.listdir(d)) if f.endswith(".html")][::step]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


def serve():
    """Starts the server; returns (base URL, server) (server.shutdown() stops it)."""
    h = functools.partial(_Quiet, directory=DOCS)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return "http://127.0.0.1:%d/" % srv.server_address[1], srv


_WS = re.compile(r"[ \t\n\r\f]+")
MAX_VALUES, MAX_VALUE = 100, 4096  # common/fieldspec.h


def _cut(v):
    b = v.encode("utf-8")
    if len(b) <= MAX_VALUE:
        return v
    return b[:MAX_VALUE].decode("utf-8", "ignore")


def reference(path, specs):
    """{NAME: value} for the file at DOCS/path, as --extract defines it."""
    with open(os.path.join(DOCS, path), "rb") as f:
        doc = lxml.html.document_fromstring(f.read())
    out = {}
    for spec in specs:
        name, rest = spec.split("=", 1)
        sel, _, attr = rest.partition("@") if "@" in rest.split("]")[-1] else (rest, "", "")
        els = CSSSelector(sel.strip(), translator="html")(doc)
        vals = []
        for e in els[:MAX_VALUES]:
            if attr:
                v = e.get(attr.lower())
            else:
                v = _WS.sub(" ", e.text_content()).strip(" ")
            vals.append(None if v is None else _cut(v))
        out[name] = None if not els else vals[0] if len(els) == 1 else vals
    return out
