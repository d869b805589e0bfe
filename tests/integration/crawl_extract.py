#!/usr/bin/env python3
"""crawlctl submit --extract NAME=SELECTOR[@attr] through the real daemon.

* tests/fixtures/extract/ on the test server: one match gives a string
  (text whitespace-collapsed), several a list, none null; @attr gives the
  attribute as written; a JS page's script adds nodes the field sees (and,
  with --no-js, does not); a list over 100 values is cut and a value over
  4096 bytes is cut, a page's values past 256 KiB are cut, each said in
  fields_cut; a non-HTML page has every
  field null with fields_note; `crawlctl job` shows the specs and a
  restart keeps them.
* bad options refused by crawlctl / crawld with a message naming what was
  wrong, the daemon still serving afterwards.

usage: crawl_extract.py BASE_URL   (CRAWLD_BIN: the build directory)"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import check, dump_log_on_failure, finish  # noqa: E402
from crawl_lib import crawl_daemon  # noqa: E402

BASE = sys.argv[1]
X = BASE + "/fixtures/extract/"


def crawl(d, seeds, *opts, timeout=60):
    jid = d.submit(seeds, *opts)
    rc, out, err = d.ctl("wait", str(jid), "--timeout", str(timeout))
    check(rc == 0 and "done" in out, "job %s done: %d %r %r" % (jid, rc, out, err))
    return jid, {r["url"]: r for r in d.records(jid)}


def refused(d, opts, words):
    rc, out, err = d.ctl("submit", *opts, X + "index.html")
    check(rc in (1, 2) and all(w in err for w in words),
          "refused %r: rc=%d err=%r (want %r)" % (opts, rc, err, words))


SPECS = ["title=title", "h1=h1", "links=ul.items a@href", "ids=li > a@data-id",
         "first=li:first-child a", "none=.nothing", "desc=meta[name=description]@content",
         "missing=h1@data-nope", "price=p.price", "empty=#empty", "ext=a[href^=\"http\"]@href",
         "bold=li:not(:first-child) b"]

d = crawl_daemon("extract")
try:
    d.start()
    opts = ["--depth", "0", "--no-js"]
    for s in SPECS:
        opts += ["--extract", s]
    jid, recs = crawl(d, [X + "index.html"], *opts)
    f = recs[X + "index.html"].get("fields")
    want = {"title": "Extract fixture", "h1": "The main heading",
            "links": ["/one.html", "two.html", "https://example.org/x"],
            "ids": ["1", "2", "3"], "first": "One", "none": None,
            "desc": "A page for --extract", "missing": None, "price": "€ 12.50",
            "empty": "", "ext": "https://example.org/x", "bold": "bold"}
    check(f == want, "fields of index.html:\n got %r\nwant %r" % (f, want))
    check(list(f) == [s.split("=", 1)[0] for s in SPECS], "fields in the order given: %r" % list(f))
    check("fields_cut" not in recs[X + "index.html"], "nothing cut")
    j = d.job(jid)
    check(j["extract"] == SPECS, "job shows the specs: %r" % j.get("extract"))
    rc, out, err = d.ctl("job", str(jid))
    check(rc == 0 and "extract" in out and "ul.items a@href" in out, "crawlctl job prints them")

    # ---- a page's scripts add nodes: the field sees the tree they leave ----
    js_opts = ["--depth", "0", "--extract", "tags=span.tag", "--extract", "added=.added",
               "--extract", "h2=h2@data-x"]
    jid, recs = crawl(d, [X + "js.html"], "--js", *js_opts)
    r = recs[X + "js.html"]
    check(r["js"] is True, "scripts ran: %r" % r.get("js_note"))
    check(r["fields"] == {"tags": ["static", "made", "by", "script"],
                          "added": ["made", "by", "script"], "h2": "from-js"},
          "JS fields: %r" % r.get("fields"))
    jid, recs = crawl(d, [X + "js.html"], "--no-js", *js_opts)
    check(recs[X + "js.html"]["fields"] == {"tags": "static", "added": None, "h2": None},
          "no-JS fields (the parsed tree): %r" % recs[X + "js.html"].get("fields"))

    # ---- limits: 100 values a list, 4096 bytes a value ----
    jid, recs = crawl(d, [X + "many.html"], "--depth", "0", "--no-js",
                      "--extract", "items=li.n", "--extract", "long=#long", "--extract", "one=li")
    r = recs[X + "many.html"]
    check("fields" in r, "many.html has fields: %r" % {k: v for k, v in r.items() if k != "links"})
    items = r["fields"]["items"]
    check(items == ["item %d" % i for i in range(100)], "the first 100 items: %d" % len(items))
    lv = r["fields"]["long"]
    check(len(lv.encode()) == 4096 and lv == "é" * 2048, "long value cut at 4096 bytes")
    check(r.get("fields_cut") == {"items": {"matched": 150, "kept": 100, "values_cut": 0},
                                  "long": {"matched": 1, "kept": 1, "values_cut": 1},
                                  "one": {"matched": 150, "kept": 100, "values_cut": 0}},
          "fields_cut: %r" % r.get("fields_cut"))

    # ---- the page's budget: 256 KiB of values, then the list ends ----
    jid, recs = crawl(d, [X + "budget.html"], "--depth", "0", "--no-js", "--extract", "b=p.b",
                      "--extract", "after=title")
    r = recs[X + "budget.html"]
    b = r["fields"]["b"]
    check(len(b) == 66 and b[:65] == ["x" * 4000] * 65 and b[65] == "x" * (262144 - 260000),
          "budget: 65 whole values and the 66th cut: %d values" % len(b))
    check(r["fields"]["after"] == "", "a field after the spent budget: \"\" (cut)")
    check(r.get("fields_cut") == {"b": {"matched": 100, "kept": 66, "values_cut": 1},
                                  "after": {"matched": 1, "kept": 1, "values_cut": 1}},
          "budget fields_cut: %r" % r.get("fields_cut"))

    # ---- not HTML: every field null, fields_note says why ----
    jid, recs = crawl(d, [BASE + "/robots.txt"], "--depth", "0", "--extract", "t=title")
    r = list(recs.values())[0]
    check(r["fields"] == {"t": None} and "not an HTML page" in (r.get("fields_note") or ""),
          "text page: %r %r" % (r.get("fields"), r.get("fields_note")))

    # ---- bad options, each refused naming what was wrong ----
    refused(d, ["--extract", "=h1"], ["--extract", "name", "empty"])
    refused(d, ["--extract", "1x=h1"], ["--extract", "1x", "[A-Za-z_]"])
    refused(d, ["--extract", "a b=h1"], ["--extract", "a b"])
    refused(d, ["--extract", "h1"], ["--extract", "NAME=SELECTOR"])
    refused(d, ["--extract", "t="], ["--extract", "selector is empty"])
    refused(d, ["--extract", "t=a["], ["--extract", "selector", "a[", "does not parse"])
    refused(d, ["--extract", "t=a:hover"], ["--extract", "a:hover", "does not parse"])
    refused(d, ["--extract", "t=a@"], ["--extract", "attribute", "empty"])
    refused(d, ["--extract", "t=a@hr ef"], ["--extract", "attribute", "hr ef"])
    refused(d, ["--extract", "t=h1", "--extract", "t=h2"], ["--extract", "\"t\"", "twice"])
    many = []
    for i in range(33):
        many += ["--extract", "f%d=p" % i]
    refused(d, many, ["--extract", "more than 32"])
    rc, out, err = d.ctl("submit", X + "index.html", "--extract")
    check(rc == 2 and "--extract needs a value" in err, "--extract alone: %d %r" % (rc, err))
    # the raw request too (crawlctl checks the count itself)
    rep = d.request({"cmd": "submit", "urls": [X + "index.html"],
                     "extract": ["f%d=p" % i for i in range(33)]})
    check(not rep["ok"] and "extract" in rep["error"] and "32" in rep["error"],
          "33 specs refused by crawld: %r" % rep)
    rep = d.request({"cmd": "submit", "urls": [X + "index.html"], "extract": "t=h1"})
    check(not rep["ok"] and "\"extract\" must be an array" in rep["error"], "not an array: %r" % rep)
    check(d.ping() and d.proc.poll() is None, "the daemon still serves")

    # ---- a restart keeps the specs (a job resumes with them) ----
    jid = d.submit([X + "index.html"], "--depth", "0", "--no-js", "--extract", "h1=h1")
    d.wait_job(jid)
    d.stop()
    d.restart()
    check(d.job(jid)["extract"] == ["h1=h1"], "specs kept across a restart: %r" % d.job(jid))
    check(d.stop() == 0, "crawld exits 0")
    check(d.check_log_lines(), "no sanitizer or other stray line in the log")
    finish("crawl_extract")
except BaseException:
    dump_log_on_failure(d)
    raise
finally:
    d.cleanup()
