"""Fault: hostile pages and hostile robots.txt through the real daemon
(tests/faults/hostile_server.py serves them on 127.0.0.1).

Every page ends as RFC 9309 and the limits say, with exactly one record
(a failed one names what was wrong); crawld keeps running and serves a
normal job afterwards; no worker passes its hard RSS budget (status polled
all along) and none is recycled for RSS.

  /nested?n=100000   parses (JS off: libxml2's SAX scan, no tree)
  /attrs?n=1000000   refused by the scan's attribute guard (more than 1024)
  With JS on, scan_sax runs first and guards gumbo (quadratic in depth and
  in attributes per tag; 100,000 nested elements take it ~16 s):
  /nested?n=100000&js=1  scripts skipped (depth over 512): one attempt, the
                     scan's title and links, js_note names the depth
  /attrs?n=1000000&js=1  the scan's attribute error, as with JS off
  /nested?n=500&js=1 under the limit: scripts walk the tree (title changed)
  /thfont?n=50000&js=1  depth 4 for the scan, 50,002 for gumbo (~17 s): its
                     time budget (a tenth of page_timeout_ms here) ends it,
                     one attempt, the scan's title and links, js_note names it
  and the workers that ran them are the same processes afterwards
  /huge?mb=500       too_large at max_body_mb; the server sent far less than 500 MB
  /gzip6             decode: curl refuses more than 5 stacked encodings
  /gzipbomb?mb=64   too_large: decoded bytes count against max_body_mb
  /trickle (1 B/s)   timeout: below low_speed_bytes for low_speed_time_ms
  /trickle (300 B/s) timeout: the fetch deadline (3/4 of page_timeout_ms)
  /redir/6           too_many_redirects (max_redirects = 5); /redir/5 lands
  robots.txt 600 KiB only its first 500 KiB: /early disallowed, /late allowed
  robots.txt 404     everything allowed
  robots.txt 503     everything disallowed
  robots.txt hangs   unreachable (timeout): everything disallowed
  robots.txt redirected to ftp://…/robots"quoted.txt  refused: everything
                     disallowed; the error crawld logs keeps the quote, and
                     the line still parses (the .sh sets CRAWLD_TEST_LOGFMT)

The limits above are this script's config. Under `make test-matrix`
($CRAWLD_MATRIX, tests/faults/matrix.py) the row's keys replace its
scheduling keys (per_host_concurrency, workers, js, queue_per_worker,
coalesce_us), the first job takes JS from the config, and the normal pages
are spread over the row's number of hosts; an untuned row drops the
script's config altogether and the expectations follow the effective
limits (crawld --check-config): /redir/(max_redirects + 1) and
/redir/max_redirects, the fetch deadline at 3/4 of page_timeout_ms, the
parser budget at a tenth of it (2 s at most)."""
import os, re, sys, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)
from daemon_lib import Daemon, SLOW, check, dump_log_on_failure, finish, wait_for  # noqa: E402
from logfmt_check import LogfmtError, parse  # noqa: E402
from hostile_server import HostileServer, bomb  # noqa: E402
import matrix  # noqa: E402

PAGE_TIMEOUT_MS = int(6000 * SLOW)
RSS_HARD_MB = 512
# Where the "quote" robots.txt redirects: a scheme the worker refuses, so
# the page's error and crawld's robots.txt log line carry this URL.
QUOTED_ROBOTS = 'ftp://127.0.0.1:1/robots"quoted.txt'
MAX_BODY_MB = 10
CONF = """[politeness]
delay_ms = 0
per_host_concurrency = 2
[limits]
page_timeout_ms = %d
max_redirects = 5
max_attempts = 2
max_body_mb = %d
rss_hard_mb = %d
[network]
low_speed_bytes = 100
low_speed_time_ms = 2000
""" % (PAGE_TIMEOUT_MS, MAX_BODY_MB, RSS_HARD_MB)


class RssWatch(threading.Thread):
    """Polls crawlctl status (raw protocol) and keeps each worker's peak RSS."""

    def __init__(self, d):
        super().__init__(daemon=True)
        self.d, self.peak, self.stop_flag, self.samples = d, {}, False, 0
        self.last = None

    def run(self):
        while not self.stop_flag:
            try:
                st = self.d.status()
            except Exception:  # noqa: BLE001 - a poll may race a worker restart
                st = None
            if st:
                self.last = st
                self.samples += 1
                for w in st["workers"]:
                    if w.get("pid"):
                        self.peak[w["pid"]] = max(self.peak.get(w["pid"], 0), w.get("rss_mb", 0))
            time.sleep(0.1)


def one_record_each(recs, urls):
    by = {}
    for r in recs:
        by.setdefault(r["url"], []).append(r)
    for u in urls:
        check(len(by.get(u, [])) == 1, "exactly one record for %s (got %d)" % (u, len(by.get(u, []))))
    check(len(recs) == len(urls), "%d records for %d pages" % (len(recs), len(urls)))
    return {u: by[u][0] for u in urls if by.get(u)}


def same_keys(recs, what):
    """Every record has one key list, in one order (common/record.h): error
    records (timeouts, parse errors, robots-disallowed, quarantined) as a
    page's."""
    shapes = {}
    for r in recs:
        shapes.setdefault(tuple(r), r.get("error"))
    check(len(shapes) <= 1, "%s: every record has the same keys in the same order: %r"
          % (what, [(list(k), e) for k, e in shapes.items()]))


def err_of(rec):
    return rec.get("error") or ""


def main():
    bomb(64)  # made before the crawl: making it is slower than the low-speed limit
    # robots.txt 404: all allowed. One host, or the matrix row's number.
    mains = [HostileServer().start() for _ in range(matrix.hosts())]
    main_srv = mains[0]
    robots = {m: HostileServer(robots=m).start() for m in ("503", "hang", "big")}
    robots["quote"] = HostileServer(robots="redirect:" + QUOTED_ROBOTS).start()
    d = Daemon("hostile-pages", conf=matrix.conf(CONF), workers=matrix.workers(2), crawl=True)
    watch = RssWatch(d)
    try:
        d.start()
        matrix.announce("hostile_pages", d)
        eff = matrix.effective(d.conf)
        page_timeout_ms = int(eff["page_timeout_ms"])
        max_redirects = int(eff["max_redirects"])
        max_body_mb = int(eff["max_body_mb"])
        rss_hard_mb = int(eff["rss_hard_mb"])
        check(matrix.ROW is not None or (page_timeout_ms, max_redirects, max_body_mb, rss_hard_mb)
              == (PAGE_TIMEOUT_MS, 5, MAX_BODY_MB, RSS_HARD_MB), "the script's limits in effect")
        watch.start()
        # Page i of the normal pages is on host i mod hosts.
        host_of = {}

        def on(i, key, path):
            srv = mains[i % len(mains)]
            host_of[key] = srv
            return srv.origin + path

        o = main_srv.origin
        pages = {
            "nested": on(0, "nested", "/nested?n=100000"),
            "attrs": on(1, "attrs", "/attrs?n=1000000"),
            "huge": on(2, "huge", "/huge?mb=500"),
            "gzip6": on(3, "gzip6", "/gzip6"),
            "bomb": on(4, "bomb", "/gzipbomb?mb=64"),
            "trickle": on(5, "trickle", "/trickle?bps=1"),
            "drip": on(6, "drip", "/trickle?bps=300"),
            "redir6": on(7, "redir6", "/redir/%d" % (max_redirects + 1)),
            "redir5": on(8, "redir5", "/redir/%d" % max_redirects),
            "ok404": on(9, "ok404", "/ok"),
            "r503": robots["503"].origin + "/page",
            "rhang": robots["hang"].origin + "/page",
            "rbig_early": robots["big"].origin + "/early",
            "rbig_late": robots["big"].origin + "/late",
            "rbig_other": robots["big"].origin + "/other",
            "rquote": robots["quote"].origin + "/page",
        }
        t0 = time.time()
        jid = d.submit(list(pages.values()), "--depth", "0", *matrix.js_opts(["--no-js"]))
        # The worst case: nested and attrs each take max_attempts page deadlines.
        d.wait_job(jid, timeout=4 * 2 * page_timeout_ms / 1000 / SLOW + 60)
        took = time.time() - t0
        recs = one_record_each(d.records(jid), list(pages.values()))
        r = {k: recs.get(u, {}) for k, u in pages.items()}

        def ends(key, pred, what):
            check(pred(r[key]), "%s: %s (record: error=%r status=%r title=%r)"
                  % (key, what, err_of(r[key]), r[key].get("status"), r[key].get("title")))

        # Without JS the page goes through libxml2's SAX scan (worker/scan.c):
        # deep nesting parses; an element with a million attributes is refused
        # by the scan's attribute guard, naming it.
        ends("nested", lambda x: not x.get("error") and x.get("status") == 200, "parsed")
        ends("attrs", lambda x: err_of(x) == "parse: an element with more than 1024 attributes",
             "refused by the attribute guard, which the error names")
        ends("huge", lambda x: err_of(x) == "too_large: body passed %d bytes" % (max_body_mb << 20),
             "too_large at max_body_mb")
        sent = host_of["huge"].stats.body_bytes.get("/huge", 0)
        check(sent < 100 << 20, "the 500 MB body was cut early (server wrote %d MB)" % (sent >> 20))
        ends("gzip6", lambda x: err_of(x).startswith("decode: ") and "encodings" in err_of(x),
             "decode error naming the encodings")
        ends("bomb", lambda x: err_of(x).startswith("too_large: "), "too_large")
        ends("trickle", lambda x: err_of(x).startswith("timeout: ") and "slow" in err_of(x),
             "timeout by the low-speed limit")
        ends("drip", lambda x: err_of(x).startswith("timeout: ") and "timed out" in err_of(x),
             "timeout by the page's fetch deadline (above the low-speed limit)")
        ends("redir6", lambda x: err_of(x).startswith("too_many_redirects: ")
             and str(max_redirects) in err_of(x), "too_many_redirects after %d" % max_redirects)
        ends("redir5", lambda x: not x.get("error")
             and x.get("final_url") == host_of["redir5"].origin + "/redir/0"
             and x.get("redirects") == max_redirects and x.get("title") == "Landed",
             "lands after %d redirects" % max_redirects)
        ends("ok404", lambda x: not x.get("error") and x.get("status") == 200,
             "robots.txt 404: allowed")
        # RFC 9309: unreadable (5xx, a timeout) disallows all, and the record
        # says why; a file whose rules disallow says only that. A 503 is
        # retried first (max_retries, the back-off), and the record says so.
        ends("r503", lambda x: re.fullmatch(r"robots: disallowed \(robots\.txt unreadable: status 503"
                                            r"( after \d+ retries)?\)", err_of(x)) is not None,
             "robots: disallowed, robots.txt 503 (after its retries)")
        ends("rhang", lambda x: err_of(x).startswith("robots: disallowed (robots.txt unreadable: "
                                                     "timeout: "), "robots: disallowed, timeout")
        ends("rbig_early", lambda x: err_of(x) == "robots: disallowed", "robots: disallowed")
        ends("rquote", lambda x: err_of(x).startswith(
            "robots: disallowed (robots.txt unreadable: url: redirect to %s refused"
            % QUOTED_ROBOTS), "robots: disallowed, robots.txt redirected to a refused URL")
        # The quote reaches the log through the robots.txt line's error value
        # and must read back from it whole.
        errs = []
        for line in d.log_text().splitlines():
            if "robots.txt" in line and "quoted.txt" in line:
                try:
                    errs.append(dict(parse(line)).get("error", ""))
                except LogfmtError as e:
                    errs.append("does not parse: %s: %s" % (e, line))
        check(len(errs) == 1 and errs[0].startswith("url: redirect to %s refused" % QUOTED_ROBOTS),
              "the robots.txt line reads back with the quoted URL: %r" % errs)
        for key in ("rbig_late", "rbig_other"):
            ends(key, lambda x: not x.get("error") and x.get("status") == 200,
                 "allowed (rule after 500 KiB ignored)")
        for m, s in robots.items():
            check(s.stats.requests.get("/page", 0) == 0 or m == "big",
                  "robots %s: the disallowed page was never requested" % m)
        check(robots["big"].stats.requests.get("/early", 0) == 0, "/early never requested")
        for i, srv in enumerate(mains):
            check(srv.stats.requests.get("/robots.txt", 0) == 1,
                  "robots.txt (404) of host %d fetched once" % i)
        check(robots["big"].stats.requests.get("/robots.txt", 0) == 1,
              "robots.txt (600 KiB) fetched once")

        # With JS on, scan_sax runs before gumbo and guards it: a page nested
        # deeper than 512 keeps the scan's answer without scripts, a tag with
        # too many attributes is the scan's error; a page the scan sees as
        # shallow but gumbo as deep (<th><font>, then text) is ended by
        # gumbo's time budget and keeps the scan's answer too; each ends in
        # one attempt, well inside the page deadline, and no worker is
        # killed. Under the limit, scripts walk the tree (querySelectorAll,
        # textContent, innerHTML, cloneNode) and retitle the page.
        st0 = d.status()
        pids0 = sorted(w["pid"] for w in st0["workers"] if w.get("pid"))
        js_pages = {"nested_js": o + "/nested?n=100000&js=1",
                    "attrs_js": o + "/attrs?n=1000000&js=1",
                    "shallow_js": o + "/nested?n=500&js=1",
                    "thfont_js": o + "/thfont?n=50000&js=1"}
        t1 = time.time()
        jid_js = d.submit(list(js_pages.values()), "--depth", "0", "--js")
        d.wait_job(jid_js, timeout=2 * 2 * page_timeout_ms / 1000 / SLOW + 30)
        took_js = time.time() - t1
        rj = one_record_each(d.records(jid_js), list(js_pages.values()))
        r.update({k: rj.get(u, {}) for k, u in js_pages.items()})
        for k in js_pages:
            x = r[k]
            spent = sum(x.get(f) or 0 for f in ("fetch_ms", "parse_ms", "js_ms"))
            check(x.get("attempts") == 1 and spent < page_timeout_ms / 3,
                  "%s: one attempt, well inside the page deadline (%d ms): attempts=%r, "
                  "fetch+parse+js %.0f ms, error=%r" % (k, page_timeout_ms, x.get("attempts"),
                                                        spent, err_of(x)))
        ends("nested_js", lambda x: not x.get("error") and x.get("status") == 200
             and x.get("js") is False
             and x.get("js_note") == "js: skipped, nesting depth 100002 over 512"
             and x.get("title") == "Nested", "scripts skipped, naming the depth; the scan's title")
        ends("attrs_js", lambda x: err_of(x) == "parse: an element with more than 1024 attributes"
             and x.get("js") is False, "the attribute guard's error, as with JS off")
        budget_ms = min(2000, page_timeout_ms // 10)  # worker/page.c: gumbo_budget_ms
        ends("thfont_js", lambda x: not x.get("error") and x.get("status") == 200
             and x.get("js") is False
             and x.get("js_note") == "js: skipped, the HTML parser took over %d ms" % budget_ms
             and x.get("title") == "Th font" and o + "/before-thfont" in (x.get("links") or []),
             "gumbo's budget ended it: no scripts, the scan's title and links, js_note names it")
        ends("shallow_js", lambda x: not x.get("error") and x.get("js") is True
             and not x.get("js_note") and (x.get("title") or "").startswith("divs 500 "),
             "under the limit the scripts ran and retitled the page")
        st1 = d.status()
        pids1 = sorted(w["pid"] for w in st1["workers"] if w.get("pid"))
        for why in ("timeout", "crash"):
            check(st1["recycles"].get(why, 0) == st0["recycles"].get(why, 0),
                  "no worker recycled for %s by the JS pages: %r -> %r"
                  % (why, st0["recycles"], st1["recycles"]))
        check(pids1 == pids0, "the same worker processes before and after the JS pages: %r -> %r"
              % (pids0, pids1))
        print("  js pages: %.1f s; shallow title=%r js_stats=%r"
              % (took_js, r["shallow_js"].get("title"), r["shallow_js"].get("js_stats")))

        # crawld is still here and serves a normal job.
        check(d.proc.poll() is None, "crawld still running")
        jid2 = d.submit([o + "/after"], "--depth", "0", "--no-js")
        d.wait_job(jid2, timeout=30)
        after = d.records(jid2)
        same_keys(d.records(jid) + d.records(jid_js) + after, "every job")
        check(len(after) == 1 and after[0].get("status") == 200 and not after[0].get("error"),
              "a normal page after the hostile ones: %r" % after)
        watch.stop_flag = True
        watch.join()
        st = d.status()
        peak = max(watch.peak.values() or [0])
        check(watch.samples > 10, "RSS sampled (%d samples)" % watch.samples)
        check(peak < rss_hard_mb, "worker peak RSS %d MB under the hard budget %d MB"
              % (peak, rss_hard_mb))
        check(st["recycles"].get("rss_hard", 0) == 0 and st["recycles"].get("rss", 0) == 0,
              "no worker recycled for RSS: %r" % st["recycles"])
        print("hostile_pages: %.1f s, worker peak RSS %d MB over %d workers, recycles %r"
              % (took, peak, len(watch.peak), st["recycles"]))
        for k in list(pages) + list(js_pages):
            print("  %-11s %s" % (k, err_of(r[k]) or "ok %s%s" % (
                r[k].get("status"), " (%s)" % r[k]["js_note"] if r[k].get("js_note") else "")))
        check(d.stop() == 0, "crawld exits 0 on SIGTERM")
    finally:
        watch.stop_flag = True
        dump_log_on_failure(d)
        check(d.cleanup(), "no worker left behind")
        for s in mains + list(robots.values()):
            s.stop()
    finish("hostile_pages")


if __name__ == "__main__":
    main()
