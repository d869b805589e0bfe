#!/usr/bin/env python3
"""Following a job's records, against the test server's /site/:

* the "pages" control command: from 0 it gives exactly pages.jsonl (whole
  lines, only committed bytes); max_bytes pages it (a record longer than
  max_bytes still comes whole; pages concatenate to the file; "ended" only
  on the last); a "from" inside a line, past the committed end, negative or
  not an integer, an unknown job, a bad max_bytes or wait_ms and an unknown
  field are refused naming the field, and crawld keeps answering;
* the long poll: wait_ms returns as soon as a record commits (well before
  wait_ms), after wait_ms with nothing when nothing commits, at once with
  "ended" when the job has ended;
* `crawlctl pages --follow` started before a crawl's first page prints
  records while the job runs and, when it ends, exactly pages.jsonl (byte
  for byte: no duplicate, no partial line), then exits 0;
* following across a kill -9 of crawld (a torn record appended to the file
  as a crash leaves it) and its restart: what was printed before the kill
  is a prefix of the final file, the output in the end is the file;
* `crawlctl pages` without --follow (up to the committed end), --from,
  refusals (exit 1 naming the field; exit 2 for usage), and a reader that
  goes away (`| head -n 2`: exit 0, nothing on stderr).

usage: pages.py BASE_URL   (CRAWLD_BIN: the build directory)"""
import json, os, subprocess, sys, time, urllib.parse
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import BIN, SLOW, check, dump_log_on_failure, finish, wait_for  # noqa: E402
from crawl_lib import crawl_daemon  # noqa: E402

BASE = sys.argv[1]


def slow_link(to, delay):
    """A page that answers after delay seconds, linking to `to`."""
    return BASE + "/rules/links?" + urllib.parse.urlencode({"to": to, "delay": delay})


def pages(d, jid, **kw):
    req = {"cmd": "pages", "id": jid}
    req.update(kw)
    return d.request(req)


def out_bytes(d, jid):
    with open(os.path.join(d.out, str(jid), "pages.jsonl"), "rb") as f:
        return f.read()


def follow(d, jid, out_path, *args):
    """crawlctl pages JID --follow, its stdout into out_path."""
    f = open(out_path, "wb")
    p = subprocess.Popen([BIN + "/crawlctl", "-s", d.sock, "pages", str(jid), "--follow"]
                         + list(args), stdout=f, stderr=subprocess.PIPE, env=d.env)
    f.close()
    return p


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def read_all(d, jid, max_bytes=None):
    """Pages through the job's records; returns (bytes, replies)."""
    got, frm, reps = b"", 0, []
    for _ in range(10000):
        kw = {"from": frm}
        if max_bytes is not None:
            kw["max_bytes"] = max_bytes
        r = pages(d, jid, **kw)
        reps.append(r)
        if not check(r.get("ok") is True, "pages from %d: %r" % (frm, r)):
            break
        data = r["data"].encode()
        check(r["from"] == frm and r["next"] == frm + len(data) and r["id"] == jid,
              "reply's from/next/id agree with its data: %r" % {k: r[k] for k in r if k != "data"})
        check(data == b"" or data.endswith(b"\n"), "whole lines only")
        got += data
        frm = r["next"]
        if r["ended"] or not data:
            break
    return got, reps


d = crawl_daemon("pages")
try:
    d.start()
    # ---- a finished job: everything, paged ----
    jid = d.submit([BASE + "/site/"], "--no-js", "--depth", "3", "--max-pages", "40")
    rc, out, err = d.ctl("wait", str(jid), "--timeout", "60")
    check(rc == 0, "job %d done: %r %r" % (jid, out, err))
    whole = out_bytes(d, jid)
    nrec = whole.count(b"\n")
    check(nrec >= 20, "the job wrote records (%d)" % nrec)
    got, reps = read_all(d, jid)
    check(got == whole, "pages from 0 is exactly pages.jsonl (%d vs %d bytes)"
          % (len(got), len(whole)))
    check(len(reps) == 1 and reps[0]["ended"] is True and reps[0]["next"] == len(whole),
          "one reply (1 MiB default), ended, next = the file's length")
    r = pages(d, jid, **{"from": len(whole)})
    check(r.get("ok") and r["data"] == "" and r["ended"] is True and r["next"] == len(whole),
          "from the end: nothing, ended: %r" % r)
    # max_bytes 1: one record a reply (each longer than 1 byte, still whole)
    got, reps = read_all(d, jid, max_bytes=1)
    check(got == whole, "max_bytes 1 pages concatenate to the file")
    check(len(reps) == nrec and all(r["data"].count("\n") == 1 for r in reps),
          "max_bytes 1: one whole record per reply (%d replies, %d records)" % (len(reps), nrec))
    check([r["ended"] for r in reps] == [False] * (nrec - 1) + [True],
          "ended only on the last page")
    lines = whole.splitlines(keepends=True)
    mb = max(len(l) for l in lines) * 3
    got, reps = read_all(d, jid, max_bytes=mb)
    check(got == whole and len(reps) > 1, "max_bytes %d pages concatenate (%d replies)"
          % (mb, len(reps)))
    check(all(len(r["data"].encode()) <= mb for r in reps), "no page over max_bytes")
    datas = [r["data"].encode() for r in reps]
    check(all(len(a) + len(b.split(b"\n")[0]) + 1 > mb for a, b in zip(datas, datas[1:]) if b),
          "each page but the last is as full as whole lines allow")
    # max_bytes at a record's edge: exactly the records that fit, from 0 and mid-file
    for at in (0, len(lines[0])):
        i = 0 if at == 0 else 1
        a, b = lines[i], lines[i + 1]
        for mb, want in ((len(a), a), (len(a) + len(b) - 1, a), (len(a) + len(b), a + b)):
            r = pages(d, jid, **{"from": at, "max_bytes": mb})
            check(r.get("ok") and r["data"].encode() == want,
                  "from %d max_bytes %d: %d bytes (got %d)" % (at, mb, len(want),
                                                              len(r.get("data", "").encode())))
    # a "from" a reply gave, in the middle of the file
    mid = len(lines[0]) + len(lines[1])
    r = pages(d, jid, **{"from": mid, "max_bytes": 1})
    check(r.get("ok") and r["data"].encode() == lines[2], "from a record's start: that record")

    # ---- refusals name what was wrong; crawld goes on ----
    def refused(req, want, what):
        r = d.request(dict({"cmd": "pages"}, **req))
        check(r.get("ok") is False and want in r.get("error", ""),
              "%s refused with %r: %r" % (what, want, r))

    refused({"id": jid, "from": 1}, 'pages: "from" 1 is not the start of a record (0, or a "next"',
            "from in a line")
    refused({"id": jid, "from": mid + 5}, "is not the start of a record", "from in a line (mid)")
    refused({"id": jid, "from": len(whole) + 1}, '"from" %d is past job %d\'s committed end (%d)'
            % (len(whole) + 1, jid, len(whole)), "from past the end")
    refused({"id": jid, "from": -1}, 'pages: "from" must be a byte offset', "negative from")
    refused({"id": jid, "from": "0"}, 'pages: "from" must be a byte offset', "string from")
    refused({"id": 9999}, "pages: no job 9999", "unknown job")
    refused({}, 'pages: "id" must be a positive integer', "no id")
    refused({"id": jid, "max_bytes": 0}, 'pages: "max_bytes" must be an integer of 1..', "max 0")
    refused({"id": jid, "max_bytes": 1 << 30}, '"max_bytes" must be an integer', "max huge")
    refused({"id": jid, "wait_ms": 10 ** 6}, 'pages: "wait_ms" must be an integer of 0..',
            "wait_ms huge")
    refused({"id": jid, "wait_ms": True}, '"wait_ms" must be an integer', "wait_ms bool")
    refused({"id": jid, "form": 0}, 'pages: unknown field "form"', "unknown field")
    check(d.request({"cmd": "status"}).get("ok") is True, "crawld answers after the refusals")

    # ---- the long poll ----
    # One page that answers after 1.5 s: a poll from 0 returns when its
    # record commits, not at wait_ms.
    jid = d.submit([slow_link(BASE + "/landing", 1.5)], "--no-js", "--depth", "0")
    t = time.monotonic()
    r = pages(d, jid, **{"from": 0, "wait_ms": 20000})
    el = time.monotonic() - t
    check(r.get("ok") and r["data"].count("\n") == 1 and r["next"] == len(r["data"].encode()),
          "the long poll brings the record: %r" % r)
    check(el < 8 * SLOW, "it returned on the commit, well before wait_ms (%.2f s)" % el)
    wait_for(lambda: d.job(jid)["state"] == "done", 20, "job done")
    t = time.monotonic()
    r = pages(d, jid, **{"from": r["next"], "wait_ms": 20000})
    el = time.monotonic() - t
    check(r.get("ok") and r["data"] == "" and r["ended"] is True,
          "at the end of an ended job: ended, nothing: %r" % r)
    check(el < 2 * SLOW, "answered at once when ended (%.2f s)" % el)
    # Nothing commits within wait_ms: the reply comes after it, empty.
    jid = d.submit([slow_link(BASE + "/landing", 4)], "--no-js", "--depth", "0")
    t = time.monotonic()
    r = pages(d, jid, **{"from": 0, "wait_ms": 600})
    el = time.monotonic() - t
    check(r.get("ok") and r["data"] == "" and r["next"] == 0 and r["ended"] is False,
          "wait_ms passed with nothing: empty, not ended: %r" % r)
    check(0.55 < el < 3 * SLOW, "after wait_ms (%.2f s)" % el)
    d.ctl("cancel", str(jid))

    # ---- crawlctl pages --follow from before the first page ----
    jid = d.submit([slow_link(BASE + "/site/", 1.5)], "--no-js", "--depth", "4",
                   "--max-pages", "60", "--delay-ms", "50")
    fout = os.path.join(d.dir, "follow1.out")
    p = follow(d, jid, fout)
    check(pages(d, jid)["next"] == 0, "the follower started before the first record committed")
    wait_for(lambda: file_bytes(fout).count(b"\n") >= 3 and d.job(jid)["state"] == "running"
             or d.job(jid)["state"] != "running", 60, "records printed")
    check(d.job(jid)["state"] == "running",
          "records printed while the job runs (as they commit, not at the end)")
    try:
        rc = p.wait(timeout=90 * SLOW)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    err = p.stderr.read().decode()
    p.stderr.close()
    check(rc == 0 and err == "", "the follower exits 0 when the job has ended: %d %r" % (rc, err))
    check(d.job(jid)["state"] == "done", "the job is done")
    got, whole = file_bytes(fout), out_bytes(d, jid)
    check(got == whole and whole.count(b"\n") >= 15,
          "the follower printed exactly pages.jsonl (%d vs %d bytes, %d records)"
          % (len(got), len(whole), whole.count(b"\n")))
    # without --follow: up to the committed end; --from a record's start
    rc, out, err = d.ctl("pages", str(jid))
    check(rc == 0 and out.encode() == whole, "crawlctl pages: the whole file (%d)" % rc)
    first = len(whole.splitlines(keepends=True)[0])
    rc, out, err = d.ctl("pages", str(jid), "--from", str(first))
    check(rc == 0 and out.encode() == whole[first:], "--from: the rest of the file")
    rc, out, err = d.ctl("pages", str(jid), "--from", str(first + 1))
    check(rc == 1 and out == "" and 'pages: "from" %d is not the start of a record'
          % (first + 1) in err, "--from inside a record: exit 1, named: %d %r" % (rc, err))
    r = subprocess.run(
        ["bash", "-c", '"$0" -s "$1" pages "$2" > /dev/full', BIN + "/crawlctl", d.sock,
         str(jid)], capture_output=True, text=True, timeout=30 * SLOW)
    check(r.returncode == 1 and "crawlctl: pages: write: No space left on device" in r.stderr,
          "stdout that cannot be written: exit 1, said: %d %r" % (r.returncode, r.stderr))
    rc, out, err = d.ctl("pages", "9999", "--follow")
    check(rc == 1 and "pages: no job 9999" in err, "unknown job: exit 1: %d %r" % (rc, err))
    rc, out, err = d.ctl("pages", str(jid), "--from", "x")
    check(rc == 2 and "not a number" in err, "--from x: usage, exit 2: %d %r" % (rc, err))
    rc, out, err = d.ctl("pages", str(jid), "--bogus")
    check(rc == 2 and '"--bogus"' in err, "an unknown flag: exit 2: %d %r" % (rc, err))

    # ---- following across kill -9 and a restart ----
    jid = d.submit([slow_link(BASE + "/site/", 0.5)], "--no-js", "--depth", "7",
                   "--max-pages", "250", "--delay-ms", "20")
    fout = os.path.join(d.dir, "follow2.out")
    p = follow(d, jid, fout)
    wait_for(lambda: file_bytes(fout).count(b"\n") >= 15, 60, "15 records printed")
    d.kill9()
    before = file_bytes(fout)
    outp = os.path.join(d.out, str(jid), "pages.jsonl")
    at_kill = file_bytes(outp)
    check(at_kill.startswith(before), "what was printed is in the file at the kill")
    with open(outp, "ab") as f:  # as a crash inside write() leaves it
        f.write(b'{"url":"http://torn.invalid/","status":200,"tit')
    check(at_kill.count(b"\n") < 250, "killed mid-crawl (%d records)" % at_kill.count(b"\n"))
    check(p.poll() is None, "the follower waits for crawld to come back")
    d.restart()
    try:
        rc = p.wait(timeout=120 * SLOW)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    err = p.stderr.read().decode()
    p.stderr.close()
    check(rc == 0 and err == "", "the follower went on and exited 0: %d %r" % (rc, err))
    check(d.job(jid)["state"] == "done", "the job is done after the restart")
    got, whole = file_bytes(fout), out_bytes(d, jid)
    check(whole.startswith(before), "nothing printed before the kill was taken back")
    check(got == whole, "the follower printed exactly the final pages.jsonl (%d vs %d bytes)"
          % (len(got), len(whole)))
    urls = [json.loads(l)["url"] for l in got.splitlines()]
    check(len(urls) == len(set(urls)) and b"torn.invalid" not in got,
          "no record twice, no torn record (%d records)" % len(urls))

    # ---- a reader that goes away ----
    r = subprocess.run(["bash", "-c", 'set -o pipefail; "$0" -s "$1" pages "$2" --follow | '
                        'head -n 2 >/dev/null', BIN + "/crawlctl", d.sock, str(jid)],
                       capture_output=True, text=True, timeout=30 * SLOW)
    check(len(whole) > 150000, "more than a pipe holds (%d bytes)" % len(whole))
    check(r.returncode == 0 and r.stderr == "",
          "| head -n 2: crawlctl exits 0, quietly: %d %r" % (r.returncode, r.stderr))
    check(d.request({"cmd": "status"}).get("ok") is True, "crawld still answers")
    check(d.stop() == 0, "crawld exits 0 (no leak in the debug and asan builds)")
finally:
    dump_log_on_failure(d)
    d.stop()
    d.cleanup()
finish("pages")
