#!/usr/bin/env python3
"""The Python docs over the HTTP API: submit with JS, --save dom,markdown and
--extract h1 and .headerlink@href (POST /v1/jobs with a token), wait
(GET /v1/jobs/ID?wait=), read the committed records from /pages and the
content from /content in pieces, and check every page: its fields match
its rendered DOM (the h1's text, the headerlinks' hrefs), its Markdown has
the h1 as a "# " heading. Every request and answer is checked against
docs/openapi.yaml (api_lib).

usage: api_pydocs.py   (CRAWLD_BIN: the build directory)"""
import functools, html.parser, http.server, json, os, subprocess, sys, tempfile, threading
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import Daemon, check, dump_log_on_failure, finish  # noqa: E402
from api_lib import Client, free_port, token_file  # noqa: E402

PYDOC = "/usr/share/doc/python3/html"
TOKEN = "tok-pydocs-4c1e7a"


class Dom(html.parser.HTMLParser):
    """The first h1's words and every a.headerlink's href of a serialised DOM."""
    def __init__(self):
        super().__init__()
        self.h1, self.in_h1, self.done_h1, self.hrefs = [], 0, False, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "h1" and not self.done_h1:
            self.in_h1 += 1
        elif self.in_h1:
            self.in_h1 += tag not in ("br", "img", "wbr")
        if tag == "a" and "headerlink" in (a.get("class") or "").split():
            self.hrefs.append(a.get("href"))

    def handle_endtag(self, tag):
        if self.in_h1:
            self.in_h1 -= 1
            if not self.in_h1:
                self.done_h1 = True

    def handle_data(self, data):
        if self.in_h1:
            self.h1.append(data)


def one(v):
    return [] if v is None else v if isinstance(v, list) else [v]


if not os.path.isdir(PYDOC):
    check(False, "%s is missing (apt-get install python3-doc)" % PYDOC)
    finish("api_pydocs")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=PYDOC))
threading.Thread(target=srv.serve_forever, daemon=True).start()
SITE = "http://127.0.0.1:%d/" % srv.server_address[1]
tmp = tempfile.mkdtemp(prefix="crawld-api-pydocs.")
port = free_port()
d = Daemon("api-pydocs", crawl=True, conf="[politeness]\ndelay_ms = 0\nper_host_concurrency = 4\n"
           "\n[api]\nlisten = 127.0.0.1:%d\ntoken_file = %s\n"
           % (port, token_file(os.path.join(tmp, "tokens"), [TOKEN])))
c = Client(port, TOKEN)
try:
    d.start()
    a = c.call("POST", "/v1/jobs", {"urls": [SITE + "library/index.html"], "js": True, "depth": 1,
                                     "max_pages": 60, "save": "dom,markdown",
                                     "extract": ["h1=h1", "anchors=.headerlink@href"]})
    check(a.status == 201, "POST /v1/jobs: %d %r" % (a.status, a.body[:200]))
    jid = a.json().get("job")
    for _ in range(20):  # ?wait is at most 30 s a call
        a = c.call("GET", "/v1/jobs/%d?wait=30000" % jid, timeout=60)
        if a.json()["job"]["state"] != "running":
            break
    check(a.json()["job"]["state"] == "done", "the job is done: %r" % a.body[:200])

    recs, off = [], 0
    while True:
        a = c.call("GET", "/v1/jobs/%d/pages?from=%d" % (jid, off))
        recs += [json.loads(l) for l in a.body.decode().splitlines()]
        off = int(a.header("Crawld-Next-Offset"))
        if a.header("Crawld-Job-Ended") == "true" and not a.body:
            break
    zst, off = b"", 0
    while True:
        a = c.call("GET", "/v1/jobs/%d/content?from=%d&max_bytes=65536" % (jid, off))
        zst += a.body
        off = int(a.header("Crawld-Next-Offset"))
        if a.header("Crawld-Job-Ended") == "true" and not a.body:
            break
    lines = subprocess.run(["zstd", "-dc"], input=zst, capture_output=True,
                           check=True).stdout.decode().splitlines()
    content = {json.loads(l)["url"]: json.loads(l) for l in lines}
    pages = [r for r in recs if r.get("status") == 200 and (r.get("content_type") or "")
             .startswith("text/html")]
    check(len(pages) >= 50, "the Python docs: %d HTML pages over /pages" % len(pages))
    bad = []
    for r in pages:
        cn = content.get(r["url"])
        if not cn or not isinstance(cn.get("dom"), str) or not isinstance(cn.get("markdown"), str):
            bad.append((r["url"], "no dom or markdown"))
            continue
        p = Dom()
        p.feed(cn["dom"])
        h1 = " ".join("".join(p.h1).split())
        f = r.get("fields") or {}
        # the field is the first h1's text (one h1 a page in these docs)
        if h1 and one(f.get("h1"))[:1] != [h1]:
            bad.append((r["url"], "h1 %r vs the DOM's %r" % (f.get("h1"), h1)))
        if one(f.get("anchors")) != p.hrefs[:100]:
            bad.append((r["url"], "anchors: %d vs the DOM's %d" % (len(one(f.get("anchors"))),
                                                                 len(p.hrefs))))
        words = h1.replace("¶", "").split()
        md_h1 = [l for l in cn["markdown"].splitlines() if l.startswith("# ")]
        if words and not any(all(w in l for w in words[:3]) for l in md_h1):
            bad.append((r["url"], "markdown has no '# ' line with %r" % words[:3]))
    check(not bad, "every page: fields match its rendered DOM, Markdown has its h1: %r" % bad[:5])
    check(sum(1 for r in pages if one((r.get("fields") or {}).get("anchors"))) >= 40,
          "most pages have headerlink anchors")
    check(d.stop() == 0, "crawld exits 0")
finally:
    srv.shutdown()
    dump_log_on_failure(d)
    d.cleanup()
finish("api_pydocs")
