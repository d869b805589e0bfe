#!/usr/bin/env python3
"""What a page leaves (--save), through the real daemon:

* bad --save values refused naming the kind, crawld still answering; a bad
  [limits] content_max_kb refused naming the key;
* tests/fixtures/content/ crawled with JS and --save text,html,dom,markdown:
  every kind present and right (the script's words in dom, markdown and
  text, not in html; a latin-1 page's html decoded to UTF-8; hidden and
  script words left out of markdown); one record per pages.jsonl line, its
  offset the line's;
* the cap: a page past content_max_kb has its kinds cut on a UTF-8
  boundary and named in "truncated";
* kill -9 of crawld twice during a --save crawl of /site/, a torn record
  and a torn frame left at the ends: every page exactly once in
  pages.jsonl and in content.jsonl.zst, which zstd -dc decodes cleanly;
  `crawlctl content` gives the file's bytes (whole, --follow, --from);
* the Python docs (Debian's python3-doc) served by a real HTTP server,
  crawled with JS and --save dom,markdown: every page has both, and its
  Markdown has its h1 as a "# " heading.

usage: content.py BASE_URL   (CRAWLD_BIN: the build directory)"""
import functools, http.server, json, os, re, subprocess, sys, threading
from html.parser import HTMLParser
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import BIN, check, dump_log_on_failure, finish, wait_for  # noqa: E402
from crawl_lib import (bfs, crawl_daemon, jsonl_lines, kill9_again_until_done,  # noqa: E402
                       kill9_mid_crawl)

BASE = sys.argv[1]
C = BASE + "/fixtures/content/"
PYDOC = "/usr/share/doc/python3/html"
KINDS = ["text", "html", "dom", "markdown"]


def content(d, jid):
    """The records of a job's content.jsonl.zst; zstd -dc must decode it."""
    path = os.path.join(d.out, str(jid), "content.jsonl.zst")
    r = subprocess.run(["zstd", "-dc", path], capture_output=True)
    check(r.returncode == 0, "zstd -dc decodes %s: %r" % (path, r.stderr[-300:]))
    data = r.stdout
    check(data == b"" or data.endswith(b"\n"), "content ends with a whole line")
    return [json.loads(l) for l in data.splitlines()]


def lines_by_offset(d, jid):
    """pages.jsonl's records by the byte offset of their line."""
    path = os.path.join(d.out, str(jid), "pages.jsonl")
    out, off = {}, 0
    with open(path, "rb") as f:
        for no, line in enumerate(f, 1):
            out[off] = (no, json.loads(line))
            off += len(line)
    return out


def one_to_one(d, jid, what):
    """Every content record names a pages.jsonl line of its URL; every
    HTML page's line has exactly one record."""
    recs = content(d, jid)
    lines = lines_by_offset(d, jid)
    seen = set()
    for c in recs:
        check(c.get("offset") in lines, "%s: offset %r is a line start" % (what, c.get("offset")))
        if c.get("offset") not in lines:
            continue
        no, r = lines[c["offset"]]
        check(r["url"] == c["url"], "%s: line %d is %s, its content says %s"
              % (what, no, r["url"], c["url"]))
        check(c["offset"] not in seen, "%s: line %d has one content record" % (what, no))
        seen.add(c["offset"])
    html_lines = {o for o, (_, r) in lines.items()
                  if r.get("status") == 200 and "html" in (r.get("content_type") or "")}
    check(html_lines == seen, "%s: every HTML page has its record (%d lines, %d records)"
          % (what, len(html_lines), len(seen)))
    return {c["url"]: c for c in recs}


def crawl(d, seeds, *opts, timeout=90):
    jid = d.submit(seeds, *opts)
    rc, out, err = d.ctl("wait", str(jid), "--timeout", str(timeout))
    check(rc == 0 and "done" in out, "job %s done: %d %r %r" % (jid, rc, out, err))
    return jid


class H1(HTMLParser):
    """The words of the first <h1>, headerlinks (¶) left out."""

    def __init__(self):
        super().__init__()
        self.depth, self.done, self.words, self.skip = 0, False, [], 0

    def handle_starttag(self, tag, attrs):
        if tag == "h1" and not self.done:
            self.depth = 1
        elif self.depth and tag == "a" and "headerlink" in (dict(attrs).get("class") or ""):
            self.skip = 1

    def handle_endtag(self, tag):
        if tag == "h1" and self.depth:
            self.depth, self.done = 0, True
        elif tag == "a":
            self.skip = 0

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.words += re.findall(r"[A-Za-z0-9]+", data)


d = crawl_daemon("content", extra="[limits]\ncontent_max_kb = 4\n")
try:
    # ---- a bad content_max_kb: refused naming the key ----
    bad = os.path.join(d.dir, "bad.conf")
    with open(d.conf) as f, open(bad, "w") as g:
        g.write(f.read().replace("content_max_kb = 4", "content_max_kb = 0"))
    r = subprocess.run([BIN + "/crawld", "-c", bad, "--check-config"], capture_output=True,
                       text=True)
    check(r.returncode == 2 and "content_max_kb" in r.stderr,
          "content_max_kb = 0 refused naming the key: %d %r" % (r.returncode, r.stderr))

    d.start()
    # ---- bad --save values: refused, naming what was wrong ----
    for val, want in [("pdf", 'unknown kind "pdf" (text, html, dom, markdown)'),
                      ("text,pdf", 'unknown kind "pdf"'),
                      ("text,,html", "an empty kind"),
                      ("text,text", 'kind "text" given twice'),
                      ("", "--save")]:
        rc, o, e = d.ctl("submit", "--save", val, C + "index.html")
        check(rc != 0 and want in e, "--save %r refused: %d %r" % (val, rc, e))
    rc, o, e = d.ctl("submit", C + "index.html", "--save")
    check(rc == 2 and "--save needs a value" in e, "--save alone: %d %r" % (rc, e))
    check(d.ping() and d.status() is not None, "crawld still answers")

    # ---- every kind on known pages, with JS ----
    L1, L1H = BASE + "/latin1", BASE + "/latin1-header"  # meta charset; header charset
    jid = crawl(d, [C + "index.html", L1, L1H], "--js", "--depth", "1", "--save",
                "text,html,dom,markdown")
    j = d.job(jid)
    check(j["save"] == KINDS, "job shows the kinds: %r" % j.get("save"))
    check(j["content_output"].endswith("/%d/content.jsonl.zst" % jid), "and the file: %r" % j)
    rc, o, e = d.ctl("job", str(jid))
    check(rc == 0 and '"markdown"' in o and "content.jsonl.zst" in o, "crawlctl job: %r" % o)
    # crawlctl content: the committed bytes, as the file holds them
    zpath = os.path.join(d.out, str(jid), "content.jsonl.zst")
    with open(zpath, "rb") as f:
        whole = f.read()

    def ctl_bytes(*args):
        r = subprocess.run([BIN + "/crawlctl", "-s", d.sock] + list(args), capture_output=True,
                           timeout=60, env=d.env)
        return r.returncode, r.stdout, r.stderr.decode(errors="replace")

    rc, o, e = ctl_bytes("content", str(jid))
    check(rc == 0 and len(whole) > 0 and o == whole,
          "crawlctl content: the file's %d bytes (%d, rc %d, %r)" % (len(whole), len(o), rc, e))
    rc, o, e = ctl_bytes("content", str(jid), "--follow")
    check(rc == 0 and o == whole, "crawlctl content --follow of an ended job: all, exit 0")
    rc, o, e = ctl_bytes("content", str(jid), "--from", str(len(whole) // 2))
    check(rc == 0 and o == whole[len(whole) // 2:], "crawlctl content --from: the rest")
    rc, o, e = ctl_bytes("content", str(jid), "--from", "x")
    check(rc == 2 and "content --from" in e and "not a number" in e,
          "content --from x: usage, exit 2: %d %r" % (rc, e))
    rc, o, e = ctl_bytes("content", "999999")
    check(rc != 0 and "no job 999999" in e, "content of no job: %d %r" % (rc, e))
    by = one_to_one(d, jid, "fixtures")
    check({C + p for p in ("index.html", "js.html", "big.html")} | {L1, L1H} <= set(by),
          "the pages: %r" % sorted(by))
    ix = by.get(C + "index.html", {})
    check(all(isinstance(ix.get(k), str) for k in KINDS), "index: every kind: %r" % ix.keys())
    md = ix.get("markdown", "")
    for want in ["# Content index", "First *para* with **bold** and `inline_code()`.",
                 "- first\n- second\n  - nested", "| A | B |\n| --- | --- |\n| 1 | 2 |",
                 "```c\nint main(void) { return 0; }\n```",
                 '[JS page](%sjs.html "the JS page")' % C, "![a picture](%spic.png)" % C]:
        check(want in md, "index markdown has %r:\n%s" % (want, md))
    check("hidden words" not in md and "script words" not in md and "color" not in md,
          "index markdown leaves hidden, script and style out:\n" + md)
    check("Content index" in ix.get("text", "") and "script words" not in ix.get("text", ""),
          "index text: %r" % ix.get("text"))
    check('<h1>Content index</h1>' in ix.get("html", "") and "script words" in ix.get("html", ""),
          "index html is the body as fetched")
    check("<h1>Content index</h1>" in ix.get("dom", ""), "index dom: %r" % ix.get("dom"))
    js = by.get(C + "js.html", {})
    check("Added by the script" in js.get("dom", "") and "<h2>Made heading</h2>" in js.get("dom", ""),
          "js dom shows what the script added: %r" % js.get("dom"))
    check("Added by the script" in js.get("markdown", "") and
          "## Made heading" in js.get("markdown", ""), "js markdown too: %r" % js.get("markdown"))
    check("Added by the script" in js.get("text", ""), "js text too: %r" % js.get("text"))
    check("Added by the script" not in js.get("html", "x") and "Made heading" not in js.get("html"),
          "js html is as fetched, without it")
    for u in (L1, L1H):
        la = by.get(u, {})
        check("<h1>Caf\u00e9 Ol\u00e9</h1>" in la.get("html", "") and
              "# Caf\u00e9 Ol\u00e9" in la.get("markdown", "") and
              "fa\u00e7ade na\u00efve" in la.get("text", ""),
              "latin-1 page %s decoded to UTF-8: %r" % (u, la.get("html")))
    # ---- the cap: 4 KiB per kind ----
    big = by.get(C + "big.html", {})
    check(set(big.get("truncated", [])) == set(KINDS), "big: every kind cut: %r"
          % big.get("truncated"))
    for k in KINDS:
        n = len(big.get(k, "").encode("utf-8"))
        check(4096 - 4 < n <= 4096, "big %s cut at 4 KiB on a UTF-8 boundary (%d bytes)" % (k, n))
    check("truncated" not in ix, "a small page is not cut")
    # --save without a kind the worker needs a tree for: no JS, text only
    jid2 = crawl(d, [C + "index.html"], "--no-js", "--depth", "1", "--save", "markdown,text")
    by2 = one_to_one(d, jid2, "no-js")
    js2 = by2.get(C + "js.html", {})
    check(set(js2) == {"url", "offset", "text", "markdown"}, "only the kinds asked: %r" % js2)
    check("Made heading" not in js2.get("markdown", "x") and "Before scripts" in js2["markdown"],
          "without JS markdown is the parsed page: %r" % js2.get("markdown"))
    check("# Content index" in by2.get(C + "index.html", {}).get("markdown", ""),
          "no-JS markdown of the index")

    # ---- kill -9 during a --save crawl: exactly once in both files ----
    site = BASE + "/site/"
    want = {u for u, _ in bfs([site], 100, lambda u: u.startswith(BASE + "/"))}
    jid = d.submit([site], "--no-js", "--depth", "100", "--max-pages", "100000", "--save",
                   "text,markdown")
    out = os.path.join(d.out, str(jid), "pages.jsonl")
    zst = os.path.join(d.out, str(jid), "content.jsonl.zst")
    n_at_kill = kill9_mid_crawl(d, jid, out, len(want))
    with open(zst, "ab") as f:  # a frame torn by the crash
        f.write(b"\x28\xb5\x2f\xfd\x04\x58torn")
    d.restart()
    kill9_again_until_done(d, jid, n_at_kill, 100, 120)
    recs = jsonl_lines(out)
    urls = [r["url"] for r in recs]
    check(len(urls) == len(set(urls)) and set(urls) == want,
          "pages.jsonl: every page once (%d records, %d unique, %d wanted)"
          % (len(urls), len(set(urls)), len(want)))
    by3 = one_to_one(d, jid, "after kill -9")
    check(set(by3) == want, "content: every page once (%d of %d)" % (len(by3), len(want)))
    check("content file cut back" in d.log_text(), "restart logged the content cut")
    check(d.stop() == 0, "crawld exits 0")
    d2 = crawl_daemon("content-pydoc")  # the default cap: whole pages

    # ---- the Python docs, with JS, dom and markdown ----
    if not os.path.isdir(PYDOC):
        check(False, "%s is missing (apt-get install python3-doc)" % PYDOC)
    else:
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *a):
                pass
        handler = functools.partial(Quiet, directory=PYDOC)
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        try:
            check(d.cleanup(), "no worker left behind")
            d = d2
            d.start()
            P = "http://127.0.0.1:%d/" % srv.server_address[1]
            jid = crawl(d, [P + "index.html"], "--js", "--depth", "3", "--max-pages", "120",
                        "--save", "dom,markdown", timeout=300)
            by4 = one_to_one(d, jid, "python docs")
            check(len(by4) >= 100, "python docs: %d pages with content" % len(by4))
            no_h1 = 0
            for u, c in by4.items():
                check(isinstance(c.get("dom"), str) and isinstance(c.get("markdown"), str),
                      "%s has dom and markdown" % u)
                p = H1()
                p.feed(c.get("dom") or "")
                if not p.words:
                    no_h1 += 1
                    continue
                heads = [l for l in (c.get("markdown") or "").splitlines() if l.startswith("# ")]
                ok = any(all(w in h for w in p.words) for h in heads)
                check(ok, "%s: markdown has its h1 %r as '# ' (headings %r)"
                      % (u, " ".join(p.words), heads[:3]))
            check(no_h1 < len(by4) / 4, "most pages have an h1 (%d without)" % no_h1)
            check(d.stop() == 0, "crawld exits 0")
        finally:
            srv.shutdown()
finally:
    dump_log_on_failure(d)
    check(d.cleanup(), "no worker left behind")
finish("content")
