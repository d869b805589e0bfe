#!/usr/bin/env python3
"""crawld's URL rules beside the scope, against the test server's
tests/fixtures/rules/ pages:

* --exclude RE / --include RE: the exact page set of each; a seed is taken
  even when a filter would leave it out; a bad RE refused naming the flag;
  the patterns shown by `crawlctl job` and kept across a restart.
* IDN: a seed spelled münchen.localhost and links spelled in punycode and
  in upper-case UTF-8 are one host (curl resolves *.localhost to
  127.0.0.1): every record in punycode, the page linked under two
  spellings fetched once, robots.txt fetched once; a bad IDN refused.
* X-Robots-Tag (generic, for crawld, for another crawler, two headers) and
  Link: <…>; rel="canonical".
* --canonical: a page whose canonical differs has its canonical queued
  instead of its links.
* --priority: a job of higher priority gets its pages first.
* the scheduler's window reads breadth-first: a host's deep rows do not hold
  back another host's shallower ones.

usage: crawl_rules.py BASE_URL   (CRAWLD_BIN: the build directory)"""
import collections, os, sys, urllib.parse
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import check, dump_log_on_failure, finish, wait_for  # noqa: E402
from crawl_lib import crawl_daemon, stats  # noqa: E402

BASE = sys.argv[1]
PORT = BASE.rsplit(":", 1)[1]
R = BASE + "/fixtures/rules/"


def crawl(d, seeds, *opts, timeout=60):
    jid = d.submit(seeds, "--no-js", *opts)
    rc, out, err = d.ctl("wait", str(jid), "--timeout", str(timeout))
    check(rc == 0 and "done" in out, "job %s done: %d %r %r" % (jid, rc, out, err))
    return jid, d.records(jid)


def exact(recs, expected, what):
    urls = [r["url"] for r in recs]
    dup = [u for u, n in collections.Counter(urls).items() if n > 1]
    check(not dup, "%s: no page twice (%r)" % (what, dup[:5]))
    got, want = set(urls), set(expected)
    check(got == want, "%s: exact set (missing %r, extra %r)"
          % (what, sorted(want - got), sorted(got - want)))


def by_url(recs):
    return {r["url"]: r for r in recs}


d = crawl_daemon("rules")
try:
    d.start()
    F = R + "f/"
    everything = [F + "index.html", F + "keep1.html", F + "skip.html?print=1",
                  F + "docs/d1.html", F + "docs/d2.html", F + "docs/d3.html",
                  F + "other/o1.html"]
    jid, recs = crawl(d, [F + "index.html"], "--depth", "5")
    exact(recs, everything, "no filter")

    # ---- --exclude: any match leaves a URL out ----
    jid, recs = crawl(d, [F + "index.html"], "--depth", "5", "--exclude", "[?]print=",
                      "--exclude", "/other/")
    exact(recs, [u for u in everything if "print" not in u and "/other/" not in u], "--exclude")
    j = d.job(jid)
    check(j["exclude"] == ["[?]print=", "/other/"] and j["include"] == [],
          "job shows the patterns: %r %r" % (j.get("exclude"), j.get("include")))
    rc, out, err = d.ctl("job", str(jid))
    check(rc == 0 and '["[?]print=","/other/"]' in out and "exclude" in out,
          "crawlctl job prints them: %r" % out)
    excl_job = jid

    # ---- --include: at least one must match; the seed is taken anyway ----
    jid, recs = crawl(d, [F + "index.html"], "--depth", "5", "--include", "/docs/d[12]",
                      "--include", "d3")
    exact(recs, [F + "index.html", F + "docs/d1.html", F + "docs/d2.html", F + "docs/d3.html"],
          "--include (seed outside the patterns still taken)")
    # both: exclude wins over include
    jid, recs = crawl(d, [F + "index.html"], "--depth", "5", "--include", "/docs/",
                      "--exclude", "d2")
    exact(recs, [F + "index.html", F + "docs/d1.html", F + "docs/d3.html"], "include + exclude")
    # a seed an exclude matches is still fetched, its links filtered
    jid, recs = crawl(d, [F + "index.html"], "--depth", "1", "--exclude", "index|keep")
    exact(recs, [F + "index.html", F + "skip.html?print=1", F + "docs/d1.html",
                 F + "docs/d2.html", F + "other/o1.html"], "excluded seed taken")

    # ---- refusals ----
    rc, out, err = d.ctl("submit", "--exclude", "a(b", F + "index.html")
    check(rc == 1 and "--exclude" in err and "regex:" in err and "(" in err,
          "bad --exclude RE refused naming the flag and regcomp's words: %r" % err)
    rc, out, err = d.ctl("submit", "--include", "x{2,1}", F + "index.html")
    check(rc == 1 and "--include" in err, "bad --include refused: %r" % err)
    rc, out, err = d.ctl("submit", "--exclude", F + "index.html")
    check(rc == 2, "--exclude without its value is a usage error: %d %r" % (rc, err))
    many = []
    for i in range(33):
        many += ["--exclude", "x%d" % i]
    rc, out, err = d.ctl("submit", *many, F + "index.html")
    check(rc == 2 and "--exclude" in err and "32" in err, "33 patterns refused: %r" % err)

    # ---- IDN: one host under every spelling ----
    uhost = "münchen.localhost:%s" % PORT
    phost = "xn--mnchen-3ya.localhost:%s" % PORT
    idn = R.replace(BASE, "http://" + phost)
    seed = ("http://%s/rules/links?" % uhost) + urllib.parse.urlencode(
        [("to", idn + "f/docs/d2.html"),                                  # punycode
         ("to", "http://MÜNCHEN.localhost:%s/fixtures/rules/f/docs/d2.html" % PORT),  # UTF-8
         ("to", "//münchen.localhost:%s/fixtures/rules/f/docs/d3.html" % PORT),
         ("to", BASE + "/fixtures/rules/f/keep1.html")])                  # another host
    stats(BASE, reset=True)
    jid, recs = crawl(d, [seed], "--depth", "2")
    hosts = {urllib.parse.urlsplit(r["url"]).netloc for r in recs}
    check(hosts == {phost}, "one host, in punycode: %r" % hosts)
    exact([r for r in recs if "/rules/links" not in r["url"]],
          [idn + "f/docs/d2.html", idn + "f/docs/d3.html"],
          "the page linked under two spellings once")
    st = stats(BASE)
    check(st.get("/fixtures/rules/f/docs/d2.html") == 1, "d2 fetched once: %r" % st)
    check(st.get("/robots.txt") == 1, "robots.txt once: one host for politeness: %r"
          % st.get("/robots.txt"))
    check(not any(urllib.parse.urlsplit(r["url"]).path.endswith("keep1.html") for r in recs)
          and "/fixtures/rules/f/keep1.html" not in st, "127.0.0.1 is another host")
    rc, out, err = d.ctl("submit", "http://a\u200db.localhost:%s/" % PORT)
    check(rc == 1 and "bad URL" in err and "a\u200db.localhost" in err
          and "internationalised" in err, "a bad IDN refused naming the URL: %r" % err)

    # ---- X-Robots-Tag and Link: rel=canonical ----
    X = R + "x/"
    stats(BASE, reset=True)
    jid, recs = crawl(d, [X + "index.html"], "--depth", "3")
    got = by_url(recs)
    p = {i: X + u for i, u in enumerate([
        "index.html", "p1.html?header=X-Robots-Tag:nofollow",
        "p2.html?header=X-Robots-Tag:crawld:%20nofollow",
        "p3.html?header=X-Robots-Tag:otherbot:%20noindex,%20nofollow",
        "p4.html?header=X-Robots-Tag:noindex&header=X-Robots-Tag:CRAWLD:%20nofollow",
        "p5.html?header=Link:%3C/fixtures/rules/x/canon5.html%3E;%20rel=%22canonical%22"])}
    exact(recs, list(p.values()) + [X + "c3.html", X + "c5.html"],
          "X-Robots-Tag nofollow obeyed (generic, ours, two headers), another's ignored")
    check(got[p[1]]["nofollow"] is True and got[p[1]]["noindex"] is False
          and got[p[1]]["links"] == [], "p1: generic nofollow, no links recorded")
    check(got[p[3]]["links"] == [X + "c3.html"], "p3: its link recorded")
    check(got[p[2]]["nofollow"] is True, "p2: crawld: nofollow")
    check(got[p[3]]["nofollow"] is False and got[p[3]]["noindex"] is False,
          "p3: otherbot's rules are not ours")
    check(got[p[4]]["noindex"] is True and got[p[4]]["nofollow"] is True,
          "p4: two headers add up")
    check(got[p[5]]["canonical"] == X + "canon5.html",
          "p5: Link rel=canonical recorded: %r" % got[p[5]]["canonical"])
    st = stats(BASE)
    check(not any(st.get("/fixtures/rules/x/c%d.html" % i) for i in (1, 2, 4)),
          "nofollow children never fetched: %r" % st)

    # ---- --canonical ----
    C = R + "c/"
    jid, recs = crawl(d, [C + "index.html"], "--depth", "3")
    exact(recs, [C + "index.html", C + "dup.html", C + "dup-child.html", C + "self.html",
                 C + "self-child.html"], "without --canonical: links followed, canonical not")
    check(by_url(recs)[C + "dup.html"]["canonical"] == C + "orig.html", "canonical recorded")
    jid, recs = crawl(d, [C + "index.html"], "--depth", "3", "--canonical")
    exact(recs, [C + "index.html", C + "dup.html", C + "orig.html", C + "orig-child.html",
                 C + "self.html", C + "self-child.html"],
          "--canonical: the canonical queued instead of the page's links")
    got = by_url(recs)
    check(got[C + "orig.html"]["depth"] == 2 and got[C + "orig.html"]["parent"] == C + "dup.html",
          "the canonical is a link of the page: depth + 1, parent %r" % got[C + "orig.html"])
    check(d.job(jid)["canonical"] is True, "job shows canonical")
    # depth still bounds it
    jid, recs = crawl(d, [C + "dup.html"], "--depth", "0", "--canonical")
    exact(recs, [C + "dup.html"], "--canonical at depth 0: nothing queued")

    # ---- the patterns survive a restart ----
    d.kill9()
    d.restart()
    j = d.job(excl_job)
    check(j["exclude"] == ["[?]print=", "/other/"], "patterns kept across a restart: %r" % j)
    check("level=error" not in d.log_text(), "no error lines in the log")
    rc = d.stop()
    check(rc == 0, "SIGTERM → 0, got %r" % rc)
finally:
    dump_log_on_failure(d)
    check(d.cleanup(), "no worker left behind")

# ---- --priority: a job of higher priority gets its pages first ----
# One worker, one page per host at a time (the default). Job A (priority 0)
# has 300 seeds pending; job B (priority 5, same host) comes while A runs:
# from then on B has a page pending whenever the host is free, so no page
# of A is fetched between B's first page and its last. With equal
# priorities the jobs would take turns.
d = crawl_daemon("prio", workers=1)
try:
    d.start()
    SITE = BASE + "/site/"
    a = d.submit(["%sp/%d.html" % (SITE, k) for k in range(300)], "--no-js", "--depth", "0")
    wait_for(lambda: d.job(a)["done"] >= 1, 30, "job A under way")
    b = d.submit([SITE + "p/5.html"], "--no-js", "--depth", "100", "--max-pages", "25",
                 "--priority", "5")
    d.wait_job(b, timeout=60)
    d.wait_job(a, timeout=60)
    check(d.job(b)["done"] == 25 and d.job(a)["done"] == 300, "both done: %r %r"
          % (d.job(a), d.job(b)))
    ev = sorted([(r["ts"], "A") for r in d.records(a)] + [(r["ts"], "B") for r in d.records(b)])
    seq = "".join(w for _, w in ev)
    # Whether A got a page in before B came depends on the machine's load;
    # with equal priorities the two would take turns either way.
    check(seq.strip("A").count("A") == 0,
          "no page of A (priority 0) between B's (priority 5) first and last; records in "
          "time order: %s" % seq)
    check(d.job(b)["priority"] == 5 and d.job(a)["priority"] == 0, "jobs show their priority")
    rc, out, err = d.ctl("submit", "--priority", "101", SITE)
    check(rc == 2 and "--priority" in err, "priority out of range refused: %r" % err)
    rc = d.stop()
    check(rc == 0, "SIGTERM → 0, got %r" % rc)
finally:
    dump_log_on_failure(d)
    check(d.cleanup(), "no worker left behind")

# ---- breadth-first window: a deep host does not starve shallower rows ----
# One job, one worker, two pages per host. Seed a (127.0.0.1) leads to m,
# whose 300 links to slow pages of the same host are depth 2; seed s, slow
# (1 s), links to four pages of another host (localhost) at depth 1, found
# after the 300 deep rows (higher ids). The scheduler's window (256 rows)
# reads by depth, so the four go at once; read by id it would hold only
# deep rows and the four would wait for some 45 slow pages.
LH = "http://localhost:%s" % PORT
d = crawl_daemon("bfs", workers=1, extra="[politeness]\nper_host_concurrency = 2\n")
try:
    d.start()
    b = [LH + "/site/p/%d.html" % i for i in range(1, 5)]
    s = BASE + "/rules/links?" + urllib.parse.urlencode([("delay", "1")] + [("to", u) for u in b])
    jid = d.submit([R + "w/a.html", s], "--no-js", "--depth", "2", "--scope",
                   "regex:^http://(127\\.0\\.0\\.1|localhost):%s/" % PORT)

    def b_done():
        return all(u in {r["url"] for r in d.records(jid)} for u in b)
    check(wait_for(b_done, 60, "the other host's four pages"), "the four shallow pages done")
    recs = d.records(jid)
    deep = sum(1 for r in recs if "/slow?" in r["url"])
    check(deep < 20, "the four depth-1 pages went while %d of the 300 depth-2 pages were done"
          % deep)
    check(all(r["depth"] == 1 for r in recs if r["url"] in b), "they are depth 1")
    rc, o, e = d.ctl("cancel", str(jid))
    check(rc == 0, "cancel: %r" % e)
    check(d.stop() == 0, "crawld exits 0")
finally:
    dump_log_on_failure(d)
    check(d.cleanup(), "no worker left behind")
finish("crawl_rules")
