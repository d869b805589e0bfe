#!/usr/bin/env python3
"""Recrawls end to end through real workers and a real server (the /rc/
pages of tests/server/httpd.py, whose validators and 304s follow a version
per page): a WARC crawl records each page's ETag and Last-Modified; a
recrawl with --since sends them back (the server sees If-None-Match, or
If-Modified-Since alone where the page had no ETag), unchanged pages get
"not_modified": true records and revisit records of the
server-not-modified profile pointing at the earlier capture, a changed
page gets a full response record, and the page only a 304 page links to
is still crawled. Bad --since values are refused naming the option.

usage: recrawl.py BASE_URL   (CRAWLD_BIN: the build directory)"""
import json, os, sqlite3, subprocess, sys, time, urllib.request, zlib
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import check, dump_log_on_failure, finish, wait_for  # noqa: E402
from crawl_lib import crawl_daemon  # noqa: E402

BASE = sys.argv[1]
RC = BASE + "/rc/"
SEED = RC + "index.html"
PAGES = {RC + n + ".html" for n in ("index", "a", "b", "c", "same1", "same2", "deep", "plain")}
NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
PLAIN = RC + "plain.html"  # no validator: asked in full again, the same bytes


def get(path):
    with urllib.request.urlopen(BASE + path, timeout=10) as r:
        return r.read()


def warc_records(path):
    """[(warc headers dict, block bytes)] read on our own, member by member."""
    with open(path, "rb") as f:
        data = f.read()
    out, off = [], 0
    while off < len(data):
        d = zlib.decompressobj(wbits=31)
        raw = d.decompress(data[off:])
        check(d.eof, "gzip member at %d is complete" % off)
        off = len(data) - len(d.unused_data)
        head, _, rest = raw.partition(b"\r\n\r\n")
        h = {}
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.decode().partition(":")
            h[k.strip().lower()] = v.strip()
        n = int(h["content-length"])
        out.append((h, rest[:n]))
    return out


WARCIO = r"""
import { WARCParser } from "warcio";
import fs from "fs";
const parser = new WARCParser(fs.createReadStream(process.argv[2]));
for await (const record of parser) {
  await record.readFully(false);
  const h = record.httpHeaders;
  process.stdout.write(JSON.stringify({
    type: record.warcType,
    warc: Object.fromEntries(record.warcHeaders.headers),
    status: h ? Number(h.statusCode) : null,
  }) + "\n");
}
"""


def read_warcio(path):
    """Every record as warcio (an independent reader) sees it; None without it."""
    wd = os.environ.get("WARCIO_DIR") or ""
    if not wd:
        return None
    script = os.path.join(wd, "read_recrawl.mjs")
    with open(script, "w") as f:
        f.write(WARCIO)
    r = subprocess.run(["node", script, path], capture_output=True, timeout=120)
    check(r.returncode == 0, "warcio reads %s to the end: %r" % (path, r.stderr[-800:]))
    out = []
    for line in r.stdout.splitlines():
        rec = json.loads(line)
        rec["warc"] = {k.lower(): v for k, v in rec["warc"].items()}
        out.append(rec)
    return out


def wait_done(d, jid, timeout=90):
    rc, out, err = d.ctl("wait", str(jid), "--timeout", str(timeout))
    check(rc == 0 and "done" in out, "job %s done: %d %r %r" % (jid, rc, out, err))
    recs = d.records(jid)
    urls = [r["url"] for r in recs]
    check(len(urls) == len(set(urls)), "job %s: no URL twice: %r" % (jid, sorted(urls)))
    return {r["url"]: r for r in recs}


d = crawl_daemon("recrawl")
try:
    d.start()
    # ---- the first crawl records the validators ----
    j1 = d.submit([SEED], "--no-js", "--warc", "--depth", "3")
    first = wait_done(d, j1)
    check(set(first) == PAGES, "the first crawl took every page: %r" % sorted(first))
    check(first[RC + "a.html"].get("etag") == '"a-0"', "a.html's ETag recorded: %r"
          % first[RC + "a.html"])
    check("etag" not in first[RC + "b.html"] and
          first[RC + "b.html"].get("last_modified", "").endswith(" GMT"),
          "b.html: Last-Modified recorded, no ETag: %r" % first[RC + "b.html"])
    check(all(r.get("warc_date") for r in first.values()), "every WARC page has its warc_date")
    check(not any(r.get("not_modified") for r in first.values()), "no 304 in a first crawl")

    # ---- two URLs with the same bytes: one response, one revisit ----
    s1, s2 = first[RC + "same1.html"], first[RC + "same2.html"]
    check(s1.get("payload_digest") and s1.get("payload_digest") == s2.get("payload_digest"),
          "same1 and same2 have one payload digest: %r %r" % (s1.get("payload_digest"),
                                                            s2.get("payload_digest")))
    dup = [r for r in (s1, s2) if r.get("identical_payload")]
    orig = [r for r in (s1, s2) if not r.get("identical_payload")]
    check(len(dup) == 1 and len(orig) == 1, "one of same1/same2 is marked identical_payload")
    recs1 = warc_records(os.path.join(d.out, str(j1), "crawl.warc.gz"))
    if len(dup) == 1 and len(orig) == 1:
        check(dup[0].get("refers_to_url") == orig[0]["final_url"] and
              dup[0].get("refers_to_date") == orig[0]["warc_date"],
              "the duplicate's record names the first capture: %r" % dup[0])
        got = {(h["warc-type"], h["warc-target-uri"]): (h, b) for h, b in recs1
               if h["warc-type"] in ("response", "revisit")}
        check(("response", orig[0]["url"]) in got and ("response", dup[0]["url"]) not in got,
              "a full response record for the first URL only: %r" % sorted(got))
        h, block = got.get(("revisit", dup[0]["url"]), ({}, b""))
        check(h.get("warc-profile") == IDENTICAL and
              h.get("warc-payload-digest") == s1["payload_digest"] and
              h.get("warc-refers-to-target-uri") == orig[0]["final_url"] and
              h.get("warc-refers-to-date") == orig[0]["warc_date"],
              "an identical-payload-digest revisit for the second URL: %r" % h)
        check(block.startswith(b"HTTP/1.") and block.endswith(b"\r\n\r\n") and
              b"<h1>" not in block, "the revisit's block is the HTTP header block alone")
    check(sum(1 for h, _ in recs1 if h["warc-type"] == "response") == len(PAGES) - 1,
          "one response record per page but the duplicate")

    # ---- bad values ----
    rc, out, err = d.ctl("submit", "--since", "abc")
    check(rc == 2 and "--since" in err, "--since abc refused naming it: %d %r" % (rc, err))
    rc, out, err = d.ctl("submit", "--since", "9999")
    check(rc == 1 and "since" in err and "9999" in err,
          "--since of no job refused naming it: %d %r" % (rc, err))
    rc, out, err = d.ctl("submit", "--depth", "1")
    check(rc == 2 and "--since" in err, "no URL and no --since refused: %d %r" % (rc, err))

    # ---- the recrawl: c.html changed, the rest did not ----
    get("/rc/change?name=c")
    seen_before = json.loads(get("/rc/seen"))
    j2 = d.submit([], "--no-js", "--warc", "--depth", "3", "--since", str(j1))
    check(d.job(j2).get("since") == j1, "crawlctl job shows since: %r" % d.job(j2))
    second = wait_done(d, j2)
    check(set(second) == PAGES, "the recrawl reached every earlier page (deep.html only a 304 "
          "page links to): %r" % sorted(second))
    seen = json.loads(get("/rc/seen"))
    last = {p: v[-1] for p, v in seen.items() if len(v) > len(seen_before.get(p, []))}
    check(last.get("/rc/a.html", {}).get("if_none_match") == '"a-0"',
          "a.html asked with If-None-Match of the earlier ETag: %r" % last.get("/rc/a.html"))
    check(last.get("/rc/a.html", {}).get("if_modified_since") == first[RC + "a.html"]["last_modified"],
          "a.html asked with If-Modified-Since too: %r" % last.get("/rc/a.html"))
    check(last.get("/rc/b.html") == {"if_none_match": None,
                                     "if_modified_since": first[RC + "b.html"]["last_modified"]},
          "b.html (no ETag) asked with If-Modified-Since alone: %r" % last.get("/rc/b.html"))
    for u in PAGES - {RC + "c.html", PLAIN}:
        r = second[u]
        check(r["status"] == 304 and r.get("not_modified") is True and r["links"] == [],
              "%s: a not_modified record of a 304: %r" % (u, r))
        check(r.get("refers_to_date") == first[u]["warc_date"],
              "%s: refers to the earlier capture's date: %r vs %r"
              % (u, r.get("refers_to_date"), first[u]["warc_date"]))
        check(r.get("etag") == first[u].get("etag") and
              r.get("last_modified") == first[u].get("last_modified"),
              "%s: a 304 keeps the validators for the next recrawl: %r" % (u, r))
    # Both jobs ended: their captures and digests left the state database
    # (only a running job reads them), while the first job's digests were
    # there for its identical-payload revisits.
    db = sqlite3.connect(os.path.join(d.dir, "state", "crawld.db"))
    left = {t: db.execute("SELECT count(*) FROM %s WHERE job_id IN (?, ?)" % t, (j1, j2)).fetchone()[0]
            for t in ("recrawl", "digests")}
    db.close()
    check(left == {"recrawl": 0, "digests": 0},
          "an ended job's recrawl captures and digests are dropped: %r" % left)
    c = second[RC + "c.html"]
    check(c["status"] == 200 and "not_modified" not in c and c.get("etag") == '"c-1"' and
          c.get("title") == "rc c v1",
          "the changed page is fetched in full with its new ETag: %r" % c)

    # ---- the recrawl's WARC: revisits for the 304s, a response for c.html ----
    recs = warc_records(os.path.join(d.out, str(j2), "crawl.warc.gz"))
    by_uri = {}
    for h, block in recs:
        if h["warc-type"] in ("response", "revisit"):
            by_uri.setdefault(h["warc-target-uri"], []).append((h, block))
    for u in PAGES - {RC + "c.html", PLAIN}:
        got = by_uri.get(u, [])
        check(len(got) == 1 and got[0][0]["warc-type"] == "revisit",
              "%s: one revisit record: %r" % (u, [g[0] for g in got]))
        if got:
            h, block = got[0]
            check(h.get("warc-profile") == NOT_MODIFIED, "%s: server-not-modified profile" % u)
            check(h.get("warc-refers-to-target-uri") == u and
                  h.get("warc-refers-to-date") == first[u]["warc_date"],
                  "%s: refers to the earlier capture: %r" % (u, h))
            check(block.startswith(b"HTTP/1.") and b" 304 " in block.split(b"\r\n")[0] and
                  block.endswith(b"\r\n\r\n"), "%s: the block is the 304's header block" % u)
    got = by_uri.get(RC + "c.html", [])
    check(len(got) == 1 and got[0][0]["warc-type"] == "response" and
          b"version 1" in got[0][1], "c.html: a full response record of the new version")
    # plain.html has no validator: fetched in full, and its bytes are the
    # earlier job's: a revisit of that capture, not a second response
    p2 = second[PLAIN]
    check(p2["status"] == 200 and p2.get("identical_payload") is True and
          p2.get("refers_to_url") == first[PLAIN]["final_url"] and
          p2.get("refers_to_date") == first[PLAIN]["warc_date"],
          "the unchanged page without validators refers to the earlier capture: %r" % p2)
    got = by_uri.get(PLAIN, [])
    check(len(got) == 1 and got[0][0]["warc-type"] == "revisit" and
          got[0][0].get("warc-profile") == IDENTICAL and
          got[0][0].get("warc-refers-to-date") == first[PLAIN]["warc_date"],
          "plain.html: an identical-payload-digest revisit: %r" % [g[0] for g in got])
    wr = read_warcio(os.path.join(d.out, str(j2), "crawl.warc.gz"))
    if wr is not None:
        rv = {r["warc"].get("warc-target-uri"): r for r in wr if r["type"] == "revisit"}
        check(set(rv) == PAGES - {RC + "c.html"} and
              all(r["status"] in (200, 304) for r in rv.values()),
              "warcio reads a revisit with its HTTP status per unchanged page: %r" % sorted(rv))
        check(rv.get(RC + "a.html", {}).get("status") == 304 and
              rv.get(PLAIN, {}).get("status") == 200, "a 304 revisit and a 200 revisit")
    else:
        print("recrawl: warcio not installed (run warc.sh once): own WARC reader only")

    # ---- digests are kept across a restart: a job stopped between two
    # URLs of the same bytes gives the second a revisit after the restart ----
    j3 = d.submit([RC + "same1.html", RC + "same2.html"], "--no-js", "--warc", "--depth", "0",
                  "--delay-ms", "4000")
    out3 = os.path.join(d.out, str(j3), "pages.jsonl")

    def lines3():
        try:
            with open(out3) as f:
                return [json.loads(x) for x in f if x.endswith("\n")]
        except OSError:
            return []
    wait_for(lambda: len(lines3()) >= 1, 20, "the first page of the job", step=0.05)
    check(len(lines3()) == 1, "stopped with one page recorded")
    check(d.stop() == 0, "clean stop between the two pages")
    d.start()
    third = wait_done(d, j3)
    check(set(third) == {RC + "same1.html", RC + "same2.html"}, "both pages: %r" % sorted(third))
    firstp = lines3()[0]
    other = [r for r in third.values() if r["url"] != firstp["url"]]
    check(len(other) == 1 and other[0].get("identical_payload") is True and
          other[0].get("refers_to_url") == firstp["final_url"],
          "after the restart the same bytes are a revisit of the page before it: %r" % other)
    check(d.stop() == 0, "clean stop")

    # ---- after a restart the recrawl job still says what it recrawled ----
    d.start()
    check(d.job(j2).get("since") == j1, "since kept across a restart: %r" % d.job(j2))
    check(d.check_log_lines(), "every log line parses")
    check(d.stop() == 0, "clean stop")
finally:
    dump_log_on_failure(d)
    check(d.cleanup(), "no worker left behind")

# ---- a recrawl schedule (--every): runs by itself, linked, kept across a restart ----
d = crawl_daemon("recrawl-every", extra="[daemon]\nmin_every_s = 1\n")
try:
    d.start()
    for bad in ("0s", "5x", "10", "-1m", "366d"):
        rc, out, err = d.ctl("submit", "--every", bad, SEED)
        check(rc != 0 and "--every" in err, "--every %s refused naming it: %d %r" % (bad, rc, err))
    j1 = d.submit([SEED], "--no-js", "--depth", "0", "--every", "2s")
    wait_done(d, j1)
    check(d.job(j1).get("every") == 2 and d.job(j1).get("next_run"),
          "crawlctl job shows every and the next run: %r" % d.job(j1))

    def run_after(jid):
        for jj in d.request({"cmd": "jobs"})["jobs"]:
            if d.job(jj["id"]).get("since") == jid:
                return jj["id"]
        return None
    j2 = wait_for(lambda: run_after(j1), 15, "the second run to start by itself", step=0.2)
    check(j2 is not None, "a second run started by itself")
    if j2:
        check(d.job(j2).get("every") == 2, "the second run keeps the period")
        r2 = wait_done(d, j2)
        check(list(r2) == [SEED] and r2[SEED].get("not_modified") is True,
              "the second run is a recrawl of the first (304): %r" % r2)
        check(d.job(j1).get("next_run") is None, "the first run has no next run any more")
        # stopped before the third run is due, started again after it is:
        # the missed run starts once
        check(d.stop() == 0, "clean stop")
        time.sleep(3)
        d.start()
        j3 = wait_for(lambda: run_after(j2), 15, "the missed run to start after the restart", step=0.2)
        check(j3 is not None, "the missed run started after the restart")
        time.sleep(0.5)
        check(sum(1 for jj in d.request({"cmd": "jobs"})["jobs"]
                  if d.job(jj["id"]).get("since") == j2) == 1, "the missed run started once")
        if j3:
            wait_done(d, j3)
            # cancel of the finished run waiting for the next stops the schedule
            rc, out, err = d.ctl("cancel", str(j3))
            check(rc == 0, "cancel of the waiting run: %d %r" % (rc, err))
            check(d.job(j3).get("next_run") is None, "no next run after cancel: %r" % d.job(j3))
            time.sleep(3)
            check(run_after(j3) is None, "no run after the schedule was stopped")
            check(d.stop() == 0, "clean stop")
            d.start()
            time.sleep(1.5)
            check(run_after(j3) is None, "still stopped after a restart")
    check(d.stop() == 0, "clean stop")
finally:
    dump_log_on_failure(d)
    check(d.cleanup(), "no worker left behind")
finish("recrawl")
