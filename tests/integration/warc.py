#!/usr/bin/env python3
"""WARC output read back with an independent reader.

warcio (webrecorder's JavaScript library, $WARCIO_DIR from warc.sh) parses
crawl.warc.gz record by record and reports each record's offset and length,
WARC headers, HTTP status and headers and payload. This test checks that
against pages.jsonl and verifies, on its own side: the digests (sha1 base32
of what warcio returned, and of the block decompressed from the gzip member
at warcio's offset), that every record is exactly one gzip member, record
ids, WARC-Concurrent-To links, warcinfo first. Then kill -9 of crawld twice
mid-crawl with torn bytes appended to both files: after the restart the
WARC holds every page exactly once and reads to the end.

usage: warc.py BASE_URL   (CRAWLD_BIN: the build directory)"""
import base64, collections, hashlib, json, os, re, subprocess, sys, urllib.request, zlib
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import check, dump_log_on_failure, finish  # noqa: E402
from crawl_lib import (bfs, crawl_daemon, jsonl_lines, kill9_again_until_done,  # noqa: E402
                       kill9_mid_crawl)

BASE = sys.argv[1]
SITE = BASE + "/site/"
WARCIO_DIR = os.environ.get("WARCIO_DIR") or ""
host_scope = lambda u: u.startswith(BASE + "/")  # noqa: E731

READER = r"""
import { WARCParser } from "warcio";
import fs from "fs";
const parser = new WARCParser(fs.createReadStream(process.argv[2]));
for await (const record of parser) {
  const payload = await record.readFully(false);
  const h = record.httpHeaders;
  process.stdout.write(JSON.stringify({
    offset: parser.offset, length: parser.recordLength,
    type: record.warcType,
    warc: Object.fromEntries(record.warcHeaders.headers),
    status: h ? Number(h.statusCode) : null,
    statusline: h ? h.statusline : null,
    http: h ? Object.fromEntries(h.headers) : null,
    payload: Buffer.from(payload).toString("base64"),
  }) + "\n");
}
"""


def read_warcio(path):
    """Every record as warcio sees it, or None when warcio is not there."""
    if not WARCIO_DIR:
        return None
    script = os.path.join(WARCIO_DIR, "read_warc.mjs")
    with open(script, "w") as f:
        f.write(READER)
    r = subprocess.run(["node", script, path], capture_output=True, timeout=120)
    check(r.returncode == 0, "warcio reads %s to the end: %s" % (path, r.stderr[-800:]))
    out = []
    for line in r.stdout.splitlines():
        rec = json.loads(line)
        rec["payload"] = base64.b64decode(rec["payload"])
        rec["warc"] = {k.lower(): v for k, v in rec["warc"].items()}
        if rec["http"] is not None:
            rec["http"] = {k.lower(): v for k, v in rec["http"].items()}
        out.append(rec)
    return out


def members(data):
    """The file as gzip members, on our own: [(offset, length, bytes)]."""
    out, off = [], 0
    while off < len(data):
        d = zlib.decompressobj(wbits=31)
        raw = d.decompress(data[off:])
        check(d.eof, "gzip member at %d is complete" % off)
        if not d.eof:
            break
        n = len(data) - off - len(d.unused_data)
        out.append((off, n, raw))
        off += n
    return out


def split_record(raw):
    """(WARC header fields, block) of one uncompressed record."""
    head, sep, rest = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    fields = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        fields[k.strip().lower()] = v.strip()
    n = int(fields["content-length"])
    return lines[0], fields, rest[:n], rest[n:]


def sha1_b32(*parts):
    h = hashlib.sha1()
    for p in parts:
        h.update(p)
    return "sha1:" + base64.b32encode(h.digest()).decode()


UUID = re.compile(r"^<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}>$")
DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")


def check_warc(path, recs):
    """Checks the file against the job's page records; returns the response
    records (warcio's view when it is there, else our own walk)."""
    with open(path, "rb") as f:
        data = f.read()
    mem = members(data)
    ours = []
    for off, n, raw in mem:
        ver, fields, block, tail = split_record(raw)
        check(ver == "WARC/1.1" and tail == b"\r\n\r\n",
              "member at %d is exactly one WARC/1.1 record (%r, tail %r)" % (off, ver, tail[:8]))
        ours.append((off, n, fields, block))
    check(sum(n for _, n, _ in mem) == len(data), "the file is gzip members end to end")
    wr = read_warcio(path)
    if wr is not None:
        check(len(wr) == len(ours), "warcio sees every record (%d vs %d members)"
              % (len(wr), len(ours)))
        check([(r["offset"], r["length"]) for r in wr] == [(o, n) for o, n, _, _ in ours],
              "warcio's record offsets and lengths are the gzip members")
    else:
        wr = []
        for off, n, fields, block in ours:  # the fallback: our own reading
            rec = {"offset": off, "length": n, "type": fields["warc-type"], "warc": fields,
                   "status": None, "http": None, "payload": block}
            if fields["warc-type"] in ("request", "response"):
                head, _, payload = block.partition(b"\r\n\r\n")
                hl = head.decode("latin-1").split("\r\n")
                rec["statusline"] = hl[0]
                rec["http"] = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip()
                               for l in hl[1:] if ":" in l}
                rec["payload"] = payload
                if fields["warc-type"] == "response":
                    rec["status"] = int(hl[0].split()[1])
            wr.append(rec)
    check(len(wr) > 0 and wr[0]["type"] == "warcinfo", "warcinfo is the first record")
    info = wr[0]["payload"].decode()
    check("software: crawld/" in info and "format: WARC File Format 1.1" in info and
          "conformsTo: http://iipc.github.io/warc-specifications/" in info,
          "warcinfo names the software and format: %r" % info[:300])
    m = re.search(r"^crawld-options: (.*)$", info, re.M)
    check(m and json.loads(m.group(1).strip()).get("warc") is True,
          "warcinfo carries the job's options")
    check(sum(1 for r in wr if r["type"] == "warcinfo") == 1, "one warcinfo")
    ids = [r["warc"]["warc-record-id"] for r in wr]
    check(len(ids) == len(set(ids)), "record ids unique")
    check(all(UUID.match(i) for i in ids), "record ids are <urn:uuid:v4>: %r" % ids[:2])
    check(all(DATE.match(r["warc"]["warc-date"]) for r in wr), "WARC-Date W3C-ISO8601 UTC")
    by_id = {r["warc"]["warc-record-id"]: r for r in wr}
    resp = [r for r in wr if r["type"] == "response"]
    reqs = [r for r in wr if r["type"] == "request"]
    # Digests: the payload warcio returned, and the whole block from the member.
    bad_pd = [r["warc"]["warc-target-uri"] for r in resp
              if r["warc"].get("warc-payload-digest") != sha1_b32(r["payload"])]
    check(not bad_pd, "payload digests verify (%d responses; bad: %r)" % (len(resp), bad_pd[:3]))
    blocks = {fields["warc-record-id"]: block for _, _, fields, block in ours}
    bad_bd = [r["warc"]["warc-record-id"] for r in wr if r["type"] != "warcinfo"
              and r["warc"].get("warc-block-digest") != sha1_b32(blocks[r["warc"]["warc-record-id"]])]
    check(not bad_bd, "block digests verify (bad: %r)" % bad_bd[:3])
    for r in resp:
        h = r["http"]
        check("content-encoding" not in h and "transfer-encoding" not in h and
              int(h.get("content-length", len(r["payload"]))) == len(r["payload"]),
              "response headers match the recorded payload: %s" % r["warc"]["warc-target-uri"])
        check(r["warc"]["content-type"] == "application/http;msgtype=response",
              "response content type")
        check(r["warc"].get("warc-ip-address") == "127.0.0.1", "WARC-IP-Address")
    # Request → response: each request is concurrent to one response of its URL.
    linked = collections.Counter()
    for q in reqs:
        to = q["warc"].get("warc-concurrent-to")
        r = by_id.get(to)
        check(r is not None and r["type"] == "response" and
              r["warc"]["warc-target-uri"] == q["warc"]["warc-target-uri"],
              "request %s concurrent to its response" % q["warc"]["warc-target-uri"])
        check(q["statusline"].startswith("GET ") and "user-agent" in q["http"],
              "request record holds the request curl sent: %r" % q["statusline"])
        linked[to] += 1
    check(all(linked[r["warc"]["warc-record-id"]] == 1 for r in resp) and len(reqs) == len(resp),
          "every response has exactly one request (%d requests, %d responses)"
          % (len(reqs), len(resp)))
    check(not [r for r in wr if r["type"] != "warcinfo" and
               r["warc"]["warc-target-uri"].endswith("/robots.txt")], "no robots.txt records")
    # Against pages.jsonl: each fetched page has its final response, once.
    fetched = [p for p in recs if p.get("error") is None and p.get("status")]
    want = collections.Counter((p["final_url"], p["status"]) for p in fetched)
    have = collections.Counter((r["warc"]["warc-target-uri"], r["status"]) for r in resp)
    missing = want - have
    check(not missing, "every fetched page has a response record with its final URL and status "
          "(missing %r)" % list(missing)[:3])
    hops = sum(len(p["statuses"]) for p in fetched)
    check(len(resp) == hops, "one response per exchange of the pages, no more (%d vs %d)"
          % (len(resp), hops))
    check(sum(p.get("warc_records", 0) for p in recs) == len(resp) + len(reqs),
          "the records' warc_records add up to the file")
    for p in recs:
        if p.get("error") is None and p.get("status"):
            check("warc_error" not in p, "no warc_error on %s: %r" % (p["url"], p.get("warc_error")))
    return resp


d = crawl_daemon("warc")
try:
    d.start()
    # ---- a crawl with every kind of response ----
    extra = [BASE + "/redirect/2", BASE + "/gzip", BASE + "/image.png", BASE + "/plain.txt",
             BASE + "/status/404", BASE + "/nonhtml.json", BASE + "/reset"]
    jid = d.submit([SITE] + extra, "--warc", "--no-js", "--depth", "2", "--max-pages", "60")
    rc, o, e = d.ctl("wait", str(jid), "--timeout", "120")
    check(rc == 0, "warc job done: %r %r" % (o, e))
    rc, o, e = d.ctl("job", str(jid))
    check(rc == 0 and re.search(r"^warc\s+true$", o, re.M) and "crawl.warc.gz" in o,
          "crawlctl job shows warc:\n" + o)
    recs = d.records(jid)
    wpath = os.path.join(d.out, str(jid), "crawl.warc.gz")
    check(os.path.exists(wpath), "crawl.warc.gz beside pages.jsonl")
    resp = check_warc(wpath, recs)
    by_uri = collections.defaultdict(list)
    for r in resp:
        by_uri[r["warc"]["warc-target-uri"]].append(r)
    g = by_uri.get(BASE + "/gzip", [None])[0]
    check(g is not None and g["http"].get("x-crawld-original-content-encoding") == "gzip" and
          b"Gzip OK" in g["payload"], "gzip page: decoded payload, original encoding kept")
    png = urllib.request.urlopen(BASE + "/image.png", timeout=10).read()
    p = by_uri.get(BASE + "/image.png", [None])[0]
    check(p is not None and p["payload"] == png, "a non-HTML body is kept byte for byte")
    hop = [(r["warc"]["warc-target-uri"], r["status"]) for r in resp
           if "/redirect/" in r["warc"]["warc-target-uri"] or r["warc"]["warc-target-uri"].endswith("/landing")]
    check(sorted(hop) == sorted([(BASE + "/redirect/2", 302), (BASE + "/redirect/1", 302),
                                 (BASE + "/landing", 200)]),
          "every redirect hop has its response: %r" % hop)
    nf = by_uri.get(BASE + "/status/404", [None])[0]
    check(nf is not None and nf["status"] == 404, "a 404 is recorded")
    hang = [r for r in recs if r["url"] == BASE + "/reset"]
    check(len(hang) == 1 and hang[0]["error"] and "warc_records" not in hang[0] and
          not by_uri.get(hang[0]["url"]), "a failed fetch has no WARC records")
    # A job without --warc has no WARC.
    j2 = d.submit([BASE + "/site/p/5.html"], "--no-js", "--depth", "0")
    d.wait_job(j2)
    check(not os.path.exists(os.path.join(d.out, str(j2), "crawl.warc.gz")),
          "no crawl.warc.gz without --warc")
    check(d.job(j2)["warc"] is False, "job says warc false")
    check(d.stop() == 0, "clean stop")

    # ---- kill -9 mid-crawl, twice, torn bytes at the end of both files ----
    want = {u for u, _ in bfs([SITE], 100, host_scope)}
    d.restart()
    jid = d.submit([SITE], "--warc", "--no-js", "--depth", "100", "--max-pages", "100000")
    out = os.path.join(d.out, str(jid), "pages.jsonl")
    wpath = os.path.join(d.out, str(jid), "crawl.warc.gz")
    n_at_kill = kill9_mid_crawl(d, jid, out, len(want))
    with open(wpath, "rb") as f:
        head = f.read(4096)
    with open(wpath, "ab") as f:  # half a gzip member, as a crash inside write() leaves it
        f.write(head[:len(head) // 2])
    d.restart()
    kill9_again_until_done(d, jid, n_at_kill, 80, 120)
    recs = jsonl_lines(out)
    urls = [r["url"] for r in recs]
    check(len(urls) == len(set(urls)) and set(urls) == want,
          "pages.jsonl: the exact set once (%d records, %d unique, %d wanted)"
          % (len(urls), len(set(urls)), len(want)))
    resp = check_warc(wpath, recs)
    finals = collections.Counter(r["warc"]["warc-target-uri"] for r in resp)
    dup = [u for u, n in finals.items() if n > 1]
    check(not dup, "no page twice in the WARC after kill -9: %r" % dup[:3])
    check(set(r["final_url"] for r in recs if r.get("status")) <= set(finals),
          "every page in the WARC after kill -9")
    check("WARC cut back" in d.log_text(), "restart logged the WARC cut")
    check(not [l for l in d.log_text().splitlines() if "level=error" in l and "mod=serve" not in l],
          "no error lines from crawld in the log")
    check(d.stop() == 0, "clean stop")
finally:
    dump_log_on_failure(d)
    check(d.cleanup(), "no worker left behind")
finish("warc")
