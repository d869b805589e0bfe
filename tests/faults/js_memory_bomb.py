"""Fault: JS memory bombs through the real daemon, with the shipped
defaults for every rss_* and js_* key (rss_soft_mb 256, rss_hard_mb 512,
rss_poll_ms 250, js_heap_mb 64, js_address_space_mb 4096, max_attempts 3):
the config written here sets none of them.

Each bomb page holds a static <a href> to its own linked page and one
script:
  /bomb/array    x.push(new Array(1e6).fill(1)) forever (issue 16): 8 MB of
                 malloc'd elements a turn, outside the GC heap limit
  /bomb/typed    x.push(new Float64Array(1<<20).fill(1.5)) forever
  /bomb/string   s = s + s, flattened (indexOf) and kept, forever
  /bomb/buffers  x.push(new ArrayBuffer(64<<20)) forever: calloc'd and never
                 touched, so RSS stays flat and RLIMIT_AS ends it
Each must end with exactly one record, attempts 1, its static link in
"links", js_stats.out_of_memory and a js_stats.error that names memory; the
linked page has a record (the link was followed); status says
recycles.rss_hard == 0 and no crash; a normal job afterwards is served.
A worker polled over rss_hard_mb fails the test too.

Then /huge: one native call (a 1 GB string flattened) that no interrupt
stops halfway takes its worker past rss_hard_mb; the supervisor kills it
and the page is tried once more with JS off: one record, attempts 2,
"js": false, a js_note naming the hard RSS budget, its static link
followed, recycles.rss_hard == 1."""
import http.server, os, socketserver, sys, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from daemon_lib import Daemon, check, dump_log_on_failure, finish  # noqa: E402

RSS_HARD_MB = 512  # the shipped default (conf/crawld.conf)
ASAN = os.environ.get("CRAWLD_BUILD") == "asan"
BOMBS = {
    "array": "var x=[];while(true){x.push(new Array(1e6).fill(1));}",
    "typed": "var x=[];while(true){x.push(new Float64Array(1<<20).fill(1.5));}",
    "string": "var x=[],s='xxxxxxxx';while(true){s=s+s;s.indexOf('y');x.push(s);}",
    "buffers": "var x=[];while(true){x.push(new ArrayBuffer(64<<20));}",
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        parts = self.path.split("/")
        if len(parts) == 3 and parts[1] == "bomb" and parts[2] in BOMBS:
            body = ("<html><head><title>bomb %s</title></head><body>"
                    "<a href=\"/linked/%s\">static</a><script>%s</script>"
                    "<script>var a=document.createElement('a');a.href='/never/%s';"
                    "document.body.appendChild(a);</script></body></html>"
                    % (parts[2], parts[2], BOMBS[parts[2]], parts[2]))
        elif self.path == "/huge":
            body = ("<html><head><title>huge</title></head><body>"
                    "<a href=\"/linked/huge\">static</a><script>"
                    "var s='x'.repeat(1e9); s.indexOf('y');</script></body></html>")
        elif self.path == "/robots.txt":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        else:
            body = "<html><head><title>%s</title></head><body>ok</body></html>" % self.path
        b = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class RssWatch(threading.Thread):
    """Polls status and keeps the highest worker RSS seen."""

    def __init__(self, d):
        super().__init__(daemon=True)
        self.d, self.peak, self.stop_flag = d, 0.0, False

    def run(self):
        while not self.stop_flag:
            try:
                for w in self.d.status()["workers"]:
                    self.peak = max(self.peak, w.get("rss_mb") or 0)
            except Exception:  # noqa: BLE001 - a poll may race a worker restart
                pass
            time.sleep(0.05)


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    origin = "http://127.0.0.1:%d" % srv.server_address[1]
    # Only [daemon], [politeness] (no delay, no robots) and allow_private:
    # every [limits] key is the shipped default.
    d = Daemon("jsbomb", workers=2)
    watch = None
    try:
        d.start()
        watch = RssWatch(d)
        watch.start()
        urls = [origin + "/bomb/" + k for k in BOMBS]
        jid = d.submit(urls, "--js", "--depth", "1", "--scope", "host")
        d.wait_job(jid, 120)
        recs = d.records(jid)
        by_url = {}
        for r in recs:
            by_url.setdefault(r["url"], []).append(r)
        for k in BOMBS:
            u = origin + "/bomb/" + k
            rs = by_url.get(u, [])
            check(len(rs) == 1, "%s: exactly one record (%d)" % (k, len(rs)))
            if not rs:
                continue
            r = rs[0]
            js = r.get("js_stats") or {}
            err = js.get("error") or ""
            check(r.get("attempts") == 1, "%s: attempts 1: %r" % (k, r.get("attempts")))
            check(r.get("error") is None, "%s: the page itself did not fail: %r"
                  % (k, r.get("error")))
            check(origin + "/linked/" + k in r.get("links", []),
                  "%s: static link kept: %r" % (k, r.get("links")))
            check(origin + "/never/" + k not in r.get("links", []),
                  "%s: the script after the bomb did not run: %r" % (k, r.get("links")))
            if k == "buffers" and ASAN:
                # ASan reserves its shadow memory, so the runtime sets no
                # RLIMIT_AS there (runtime.cpp): untouched buffers end at
                # the time budget instead.
                check(js.get("timed_out") is True or js.get("out_of_memory") is True,
                      "%s: stopped (time budget under ASan): %r" % (k, js))
            else:
                check(js.get("out_of_memory") is True and "memory" in err,
                      "%s: js error names memory: %r" % (k, js))
            if k != "buffers":  # the RSS line, not RLIMIT_AS
                check(err.startswith("oom: script stopped: worker memory over "),
                      "%s: stopped at the RSS line: %r" % (k, err))
            linked = by_url.get(origin + "/linked/" + k, [])
            check(len(linked) == 1 and linked[0].get("status") == 200,
                  "%s: linked page crawled: %r" % (k, linked))
        check(len(recs) == 2 * len(BOMBS), "%d records: %r"
              % (len(recs), sorted(r["url"] for r in recs)))
        st = d.status()
        rec = st["recycles"]
        check(rec["rss_hard"] == 0, "no worker killed at rss_hard_mb: %r" % rec)
        check(rec.get("crash", 0) == 0 and rec.get("timeout", 0) == 0,
              "no crash or page timeout: %r" % rec)
        check(watch.peak < RSS_HARD_MB, "worker RSS peak %.1f MB under %d MB"
              % (watch.peak, RSS_HARD_MB))
        print("measure: worker RSS peak seen by status polls: %.1f MB" % watch.peak)
        # still serving: a normal JS job afterwards
        jid2 = d.submit([origin + "/after"], "--js", "--depth", "0")
        d.wait_job(jid2, 30)
        r2 = d.records(jid2)
        check(len(r2) == 1 and r2[0].get("status") == 200 and r2[0].get("error") is None,
              "a normal page after the bombs: %r" % r2)
        # One native call past the hard budget: a 1 GB string flattened in
        # one indexOf() (~1.5 s here), which no interrupt stops halfway (a
        # typed array's fill() is self-hosted JS and is stopped). The supervisor's
        # poll kills the worker over rss_hard_mb; the page is tried once more
        # without JS and keeps its static link.
        jid3 = d.submit([origin + "/huge"], "--js", "--depth", "1", "--scope", "host")
        d.wait_job(jid3, 120)
        r3 = d.records(jid3)
        hu = [r for r in r3 if r["url"] == origin + "/huge"]
        check(len(hu) == 1, "huge: exactly one record: %r" % hu)
        if hu:
            h = hu[0]
            check(h.get("attempts") == 2 and h.get("js") is False and h.get("error") is None,
                  "huge: the second attempt ran without JS: %r"
                  % {k: h.get(k) for k in ("attempts", "js", "error", "js_note")})
            check("hard RSS budget" in (h.get("js_note") or ""),
                  "huge: js_note says why JS was off: %r" % h.get("js_note"))
            check(origin + "/linked/huge" in h.get("links", []),
                  "huge: static link kept: %r" % h.get("links"))
        check(any(r["url"] == origin + "/linked/huge" and r.get("status") == 200 for r in r3),
              "huge: linked page crawled: %r" % [r["url"] for r in r3])
        rec = d.status()["recycles"]
        check(rec["rss_hard"] == 1, "huge: one worker killed at rss_hard_mb: %r" % rec)
        check(d.ping(), "crawld still answers")
        check(d.stop() == 0, "crawld exits 0")
        check(d.cleanup(), "no worker left")
    finally:
        if watch:
            watch.stop_flag = True
        dump_log_on_failure(d)
        srv.shutdown()
    finish("js_memory_bomb")


main()
