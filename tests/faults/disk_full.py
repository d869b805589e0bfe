"""Disk full under a crawl. The output root is a 2 MB tmpfs, filled by a
file until ~48 KB are left; a crawl of a 300-page site (about 10x that in
records) then runs out of space. The job must pause, not fail, with an
error naming ENOSPC and the file, in `crawlctl job`, `crawlctl jobs` and
one log line; pages.jsonl (and crawl.warc.gz) hold only whole records, up
to the length the database says is committed, and the pages the database
counts as done are exactly the records in the file; the job stays paused
while the disk is full. Space back (filler deleted, or the tmpfs remounted
bigger): the job runs again by itself, or on `crawlctl resume` (which,
while still full, pauses it again with nothing lost), and completes with
every page of the site exactly once (tests/faults/crawl_check.py: every
line a JSON record, no URL twice, no page of the breadth-first walk
missing, none outside it).

A third job saves every page's content (--save, content.jsonl.zst): held
the same way, the file is whole zstd frames up to its committed length with
one record per committed page, and after the space comes back every page
is in it exactly once.

Under `make test-matrix` ($CRAWLD_MATRIX, tests/faults/matrix.py) the
config, the JS option and the hosts (the 300 pages split over them, with
?ref= variants of 30 pages each) come from the row."""
import collections, json, os, sqlite3, subprocess, sys, time, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)
from daemon_lib import check, dump_log_on_failure, finish, wait_for  # noqa: E402
from crawl_lib import crawl_daemon  # noqa: E402
import crawl_check, matrix  # noqa: E402

BASE = sys.argv[1]
origins = matrix.sites(BASE, 300, refs=30)
SEEDS = [o + "/site/" for o in origins]
want = crawl_check.expected(SEEDS, 1000)
LEFT = 48 * 1024

d = crawl_daemon("disk-full", extra=matrix.conf(""), workers=matrix.workers(2))
mounted = False


def run(*cmd):
    r = subprocess.run(list(cmd), capture_output=True, text=True)
    check(r.returncode == 0, "%s: %s" % (" ".join(cmd), r.stderr.strip()))
    return r.returncode == 0


def fill(name):
    """A file taking all but LEFT bytes of the tmpfs."""
    st = os.statvfs(d.out)
    free = st.f_bavail * st.f_frsize
    path = os.path.join(d.out, name)
    with open(path, "wb") as f:
        f.write(b"\0" * max(0, free - LEFT))
    return path


def db_job(jid):
    con = sqlite3.connect("file:%s/state/crawld.db?mode=ro" % d.dir, uri=True, timeout=10)
    try:
        committed, warc_committed, state, error = con.execute(
            "SELECT o.committed, o.warc_committed, j.state, j.error FROM jobs j "
            "JOIN job_offsets o ON o.job_id = j.id WHERE j.id=?", (jid,)).fetchone()
        fin = dict(con.execute("SELECT state, count(*) FROM frontier WHERE job_id=? GROUP BY state",
                               (jid,)).fetchall())
    finally:
        con.close()
    return committed, warc_committed, state, error, fin.get(2, 0) + fin.get(3, 0), fin.get(0, 0)


def warc_uris(path, upto):
    """Target URIs of the response records; the file must be whole gzip
    members end to end, exactly upto bytes."""
    with open(path, "rb") as f:
        data = f.read()
    check(len(data) == upto, "crawl.warc.gz is %d bytes, committed %d" % (len(data), upto))
    uris, off = [], 0
    while off < len(data):
        z = zlib.decompressobj(wbits=31)
        raw = z.decompress(data[off:])
        if not z.eof:
            check(False, "whole gzip member at %d of %d" % (off, len(data)))
            break
        off = len(data) - len(z.unused_data)
        head = raw.partition(b"\r\n\r\n")[0].decode()
        f = dict(l.split(": ", 1) for l in head.split("\r\n")[1:])
        # A page whose payload an earlier page of the job had is a revisit
        # record (identical-payload-digest) naming that capture: still this
        # page's one record in the WARC. The site of the matrix's
        # configurations has such pages; the suite's own run may not.
        if f.get("WARC-Type") == "response" or (
                f.get("WARC-Type") == "revisit" and "identical-payload-digest" in f.get("WARC-Profile", "")):
            uris.append(f["WARC-Target-URI"])
    return uris


def content_offsets(jid, upto):
    """content.jsonl.zst's records, the file exactly upto bytes of whole
    zstd frames (zstd -dc decodes it)."""
    path = os.path.join(d.out, str(jid), "content.jsonl.zst")
    check(os.path.getsize(path) == upto, "content.jsonl.zst is %d bytes, committed %d"
          % (os.path.getsize(path), upto))
    r = subprocess.run(["zstd", "-dc", path], capture_output=True)
    check(r.returncode == 0, "zstd -dc decodes the content file: %r" % r.stderr[-200:])
    return [json.loads(l) for l in r.stdout.splitlines()]


def content_committed(jid):
    con = sqlite3.connect("file:%s/state/crawld.db?mode=ro" % d.dir, uri=True, timeout=10)
    try:
        return con.execute("SELECT content_committed FROM job_offsets WHERE job_id=?",
                           (jid,)).fetchone()[0]
    finally:
        con.close()


def check_content(jid, recs, phase):
    """One content record per record line, at its offset, of its URL."""
    out = os.path.join(d.out, str(jid), "pages.jsonl")
    starts, off = {}, 0
    with open(out, "rb") as f:
        for line in f:
            starts[off] = json.loads(line)["url"]
            off += len(line)
    c = content_offsets(jid, content_committed(jid))
    got = {x["offset"]: x["url"] for x in c}
    check(len(got) == len(c) == len(recs) and got == starts,
          "%s: one content record per page line (%d records, %d lines)" % (phase, len(c), len(recs)))


def check_held(jid, phase, warc=False):
    """While the disk is full: paused with the error, whole records only,
    the database and the file agree."""
    j = wait_for(lambda: d.job(jid) if d.job(jid)["state"] != "running" else None, 60,
                 "%s: job %d stops when the disk fills" % (phase, jid))
    if not j:
        return
    err = j.get("error") or ""
    out = os.path.join(d.out, str(jid), "pages.jsonl")
    wpath = os.path.join(d.out, str(jid), "crawl.warc.gz")
    check(j["state"] == "paused" and j.get("retrying") is True,
          "%s: the job is paused, not failed: %r" % (phase, j))
    check("No space left on device (ENOSPC)" in err and
          (out in err or (warc and wpath in err) or
           os.path.join(d.out, str(jid), "content.jsonl.zst") in err),
          "%s: the error names ENOSPC and the file: %r"
          % (phase, err))
    rc, o, e = d.ctl("job", str(jid))
    check(rc == 0 and "ENOSPC" in o and "paused" in o, "%s: crawlctl job shows it:\n%s" % (phase, o))
    rc, o, e = d.ctl("jobs")
    check(rc == 0 and "error: write " in o and "ENOSPC" in o, "%s: crawlctl jobs shows it:\n%s"
          % (phase, o))
    # Retries happen every 3 s; the disk is still full, so it stays paused.
    time.sleep(3.5)
    j2 = d.job(jid)
    check(j2["state"] == "paused", "%s: stays paused while the disk is full: %s" % (phase, j2["state"]))
    committed, warc_committed, state, derr, finished, pending = db_job(jid)
    check(state == "paused" and "ENOSPC" in (derr or ""), "%s: stored as paused with the error: %r %r"
          % (phase, state, derr))
    with open(out, "rb") as f:
        data = f.read()
    check(len(data) == committed, "%s: pages.jsonl is %d bytes, committed %d" % (phase, len(data), committed))
    check(data == b"" or data.endswith(b"\n"), "%s: no torn record" % phase)
    recs = crawl_check.parse_lines(data, phase + ": ")[0]
    urls = [r["url"] for r in recs]
    check(len(urls) == len(set(urls)), "%s: no page twice" % phase)
    check(finished == len(recs) == j2["done"] + j2["failed"],
          "%s: pages done in the database %d = records %d = counters %d" % (
              phase, finished, len(recs), j2["done"] + j2["failed"]))
    check(j2["pending"] == pending and j2["in_flight"] == 0,
          "%s: pending %d = rows pending in the database %d" % (phase, j2["pending"], pending))
    if warc:
        w = warc_uris(wpath, warc_committed)
        check(sorted(w) == sorted(r["final_url"] for r in recs),
              "%s: the WARC has a response for each record, once (%d/%d)" % (phase, len(w), len(recs)))
    return recs


def check_complete(jid, phase, warc=False):
    j = d.wait_job(jid, timeout=90)
    check(j is not None and d.job(jid)["state"] == "done", "%s: the job completes" % phase)
    j = d.job(jid)
    out = os.path.join(d.out, str(jid), "pages.jsonl")
    with open(out, "rb") as f:
        data = f.read()
    recs = crawl_check.check_output(out, want, phase).records
    bad = [(r["url"], r.get("status"), r.get("error")) for r in recs
           if r.get("error") is not None or r.get("status") != 200]
    check(not bad, "%s: every page fine (%d not, e.g. %r)" % (phase, len(bad), bad[:3]))
    check(j["done"] == len(want) and j["pending"] == 0 and "error" not in j,
          "%s: counters and no error left: %r" % (phase, j))
    committed, warc_committed, state, derr, finished, pending = db_job(jid)
    check(committed == len(data) and state == "done" and finished == len(want),
          "%s: database agrees: %r" % (phase, (committed, len(data), state, finished)))
    if warc:
        w = warc_uris(os.path.join(d.out, str(jid), "crawl.warc.gz"), warc_committed)
        c = collections.Counter(w)
        check(set(c) == want and max(c.values()) == 1,
              "%s: every page in the WARC once (%d records, %d pages)" % (phase, len(w), len(c)))


try:
    os.makedirs(d.out)
    mounted = run("mount", "-t", "tmpfs", "-o", "size=2m", "crawld-disk-full", d.out)
    if not mounted:
        raise SystemExit(finish("disk_full"))
    d.start()
    matrix.announce("disk_full", d)
    opts = (*matrix.js_opts(["--no-js"]), "--depth", "1000", "--max-pages", "100000",
            "--scope", "prefix")

    # ---- 1: pages.jsonl fills the disk; space comes back by deleting the filler ----
    filler = fill("filler1")
    jid = d.submit(SEEDS, *opts)
    check_held(jid, "delete")
    log = d.log_text()
    lines = [l for l in log.splitlines() if "job paused: its records cannot be committed" in l]
    check(len(lines) == 1 and "ENOSPC" in lines[0] and "pages.jsonl" in lines[0],
          "one clear log line: %r" % lines)
    check("job failed" not in log, "the job never failed")
    # kill -9 and a restart while held: still held, still retried.
    d.kill9()
    d.restart()
    j = d.job(jid)
    check(j["state"] == "paused" and j.get("retrying") and "ENOSPC" in j.get("error", ""),
          "held again after a restart: %r" % j)
    check("job held after an output error; retrying" in d.log_text(), "the restart says so")
    os.unlink(filler)
    t0 = time.time()
    wait_for(lambda: d.job(jid)["state"] != "paused", 10, "the job runs again by itself")
    check(time.time() - t0 < 8, "automatic retry within a few seconds (%.1fs)" % (time.time() - t0))
    check_complete(jid, "delete")
    check("held job runs again" in d.log_text(), "the retry is logged")

    # ---- 2: WARC job; crawlctl resume while still full pauses it again;
    # remounting the tmpfs bigger lets it finish ----
    filler = fill("filler2")
    jid = d.submit(SEEDS, "--warc", *opts)
    before = check_held(jid, "warc", warc=True)
    rc, o, e = d.ctl("resume", str(jid))
    check(rc == 0, "crawlctl resume of a held job: %r" % e)
    wait_for(lambda: d.job(jid).get("retrying"), 30, "resumed on a full disk, it is held again")
    after = check_held(jid, "warc-again", warc=True)
    check(before is not None and after is not None and len(after) >= len(before),
          "nothing committed was lost by the second failure")
    run("mount", "-o", "remount,size=16m", d.out)
    check_complete(jid, "warc", warc=True)
    log = d.log_text()
    check("job failed" not in log, "no job ever failed")
    check(d.status()["state"] == "running", "the daemon kept running")

    # ---- 3: --save: content.jsonl.zst fills the disk with the rest ----
    filler = fill("filler3")
    jid = d.submit(SEEDS, "--save", "text,markdown", *opts)
    held = check_held(jid, "save")
    err = d.job(jid).get("error") or ""
    check("ENOSPC" in err, "save: the error names ENOSPC: %r" % err)
    if held is not None:
        check_content(jid, held, "save (held)")
    run("mount", "-o", "remount,size=32m", d.out)
    check_complete(jid, "save")
    check_content(jid, crawl_check.check_output(os.path.join(d.out, str(jid), "pages.jsonl"),
                                                want, "save").records, "save (complete)")
    check("job failed" not in d.log_text(), "no job ever failed")
    check(d.stop() == 0, "crawld exits 0")
finally:
    dump_log_on_failure(d)
    if d.proc and d.proc.poll() is None:
        d.proc.kill()
        d.proc.wait()
    if mounted:
        if subprocess.run(["umount", d.out]).returncode != 0:
            subprocess.run(["umount", "-l", d.out])
    check(d.cleanup(), "no worker left behind")
finish("disk_full")
