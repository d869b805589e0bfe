#!/usr/bin/env python3
"""Sitemaps, end to end through real workers: pages no link reaches, found
through robots.txt's Sitemap line, an index and its urlsets (plain, gzip
by its bytes, gzip by Content-Encoding, one index down), only with
--sitemaps; /sitemap.xml of a seed's host when robots.txt names none; the
50,000-URL limit and malformed XML give the sitemap's record an error;
kill -9 of crawld while sitemap URLs are crawled loses and repeats none.

usage: crawl_sitemaps.py BASE_URL   (CRAWLD_BIN: the build directory)"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import check, dump_log_on_failure, finish  # noqa: E402
from crawl_lib import (crawl_daemon, jsonl_lines, kill9_again_until_done,  # noqa: E402
                       kill9_mid_crawl, path_of, put_robots, reset_robots, stats)

BASE = sys.argv[1]
SEED = BASE + "/sm/page/seed"  # a page with no links
PAGE = BASE + "/sm/page/"


def crawl(d, *opts, seeds=(SEED,), timeout=90):
    jid = d.submit(list(seeds), "--no-js", *opts)
    rc, out, err = d.ctl("wait", str(jid), "--timeout", str(timeout))
    check(rc == 0 and "done" in out, "job %s done: %d %r %r" % (jid, rc, out, err))
    recs = d.records(jid)
    urls = [r["url"] for r in recs]
    check(len(urls) == len(set(urls)), "job %s: no URL twice: %r" % (jid, sorted(urls)))
    return jid, {r["url"]: r for r in recs}


def sitemaps_of(got):
    return {path_of(u): r for u, r in got.items() if "sitemap" in r}


d = crawl_daemon("sitemaps")
try:
    d.start()
    put_robots(BASE, "User-agent: *\nDisallow: /private/\nSitemap: %s/sm/index.xml\n" % BASE)

    # ---- without --sitemaps: only the seed ----
    jid, got = crawl(d, "--depth", "3")
    check(list(got) == [SEED], "without --sitemaps the seed alone: %r" % sorted(got))
    check("sitemap" not in got[SEED], "a page's record has no sitemap field")

    # ---- with --sitemaps: robots.txt -> index -> urlsets ----
    stats(BASE, reset=True)
    jid, got = crawl(d, "--sitemaps", "--depth", "0")
    pages = {u for u, r in got.items() if "sitemap" not in r}
    want = {SEED} | {PAGE + n for n in ("u1", "u2", "u3", "g1", "g2", "c1", "d1")}
    check(pages == want, "the pages of every sitemap, at depth 0: got %r" % sorted(pages))
    check(all(got[u]["depth"] == 0 and got[u]["status"] == 200 and got[u]["error"] is None
              for u in want), "every sitemap page fetched at depth 0")
    sm = sitemaps_of(got)
    kinds = {p: (r["sitemap"], r["sitemap_urls"]) for p, r in sm.items()}
    check(kinds == {"/robots.txt": ("robots", 1), "/sm/index.xml": ("index", 5),
                    "/sm/urlset.xml": ("urlset", 4), "/sm/pages.xml.gz": ("urlset", 2),
                    "/sm/ce.xml": ("urlset", 1), "/sm/nested.xml": ("index", 1),
                    "/sm/deep.xml": ("urlset", 1)},
          "one record per sitemap, what it is and how many URLs it gave: %r" % kinds)
    check(all(r["error"] is None and r["js"] is False and r["links"] == [] for r in sm.values()),
          "sitemap records without error: %r" % [(p, r["error"]) for p, r in sm.items()])
    check(sm["/sm/urlset.xml"]["sitemap_lastmod"] == "2024-05-01", "a urlset's newest <lastmod>")
    check(sm["/sm/index.xml"]["sitemap_lastmod"] == "2024-06-05", "an index's newest <lastmod>")
    check(got[PAGE + "g1"]["parent"] == BASE + "/sm/pages.xml.gz"
          and got[PAGE + "d1"]["parent"] == BASE + "/sm/deep.xml"
          and got[BASE + "/sm/deep.xml"]["parent"] == BASE + "/sm/nested.xml",
          "a page's parent is the sitemap that listed it, a sitemap's the one above it")
    check("http://example.invalid/x" not in got, "a sitemap's URL outside the scope stays out")
    hits = stats(BASE)
    check(hits.get("/sm/index.xml") == 1, "the index that lists itself is read once: %r" % hits)
    check("/sitemap.xml" not in hits, "robots.txt named a sitemap: no /sitemap.xml")
    keys = {tuple(r) for r in sm.values()}
    check(len(keys) == 1 and list(keys)[0][-3:] == ("sitemap", "sitemap_urls", "sitemap_lastmod"),
          "sitemap records end with sitemap, sitemap_urls, sitemap_lastmod: %r" % keys)

    # ---- robots.txt names none: /sitemap.xml of the seed's host ----
    reset_robots(BASE)
    jid, got = crawl(d, "--sitemaps", "--depth", "0")
    sm = sitemaps_of(got)
    check({p: r["sitemap_urls"] for p, r in sm.items()} == {"/robots.txt": 1, "/sitemap.xml": 1},
          "robots.txt without Sitemap: /sitemap.xml read: %r" % sorted(sm))
    check(PAGE + "root1" in got, "the page /sitemap.xml lists is crawled")

    # ---- a sitemap found after the window moved on ----
    # robots.txt (slow, cached from the job before) comes back after the
    # seed's links were read into the breadth-first window: the /sitemap.xml
    # row it adds at depth 0 is behind the window's cursor and must still be
    # taken (it once stayed pending, and the job never ended).
    put_robots(BASE, "User-agent: *\n", delay_ms=800)
    site = BASE + "/site/p/0.html"
    for _ in range(2):
        jid, got = crawl(d, "--sitemaps", "--depth", "1", seeds=(site,), timeout=30)
    check(PAGE + "root1" in got and BASE + "/sitemap.xml" in got,
          "a sitemap row behind the window is taken, its page crawled: %r"
          % sorted(path_of(u) for u in got)[:8])
    reset_robots(BASE)

    # ---- limits and malformed XML: the sitemap's record says so ----
    put_robots(BASE, "User-agent: *\nSitemap: %s/sm/big.xml\nSitemap: %s/sm/bad.xml\n"
               % (BASE, BASE))
    jid, got = crawl(d, "--sitemaps", "--depth", "0", "--max-pages", "60")
    big, bad = got[BASE + "/sm/big.xml"], got[BASE + "/sm/bad.xml"]
    check(big["sitemap_urls"] == 50000 and big["error"] ==
          "sitemap: more than 50000 URLs, the limit of the sitemaps protocol: the first 50000 kept",
          "over 50,000 URLs: an error naming the limit, the first 50,000 kept: %r %r"
          % (big["error"], big["sitemap_urls"]))
    # (the reader may meet the error before it hands over the root element)
    check(bad["sitemap"] in ("urlset", "sitemap") and (bad["error"] or "").startswith(
        "sitemap: malformed XML at line "), "malformed XML named in its record: %r" % bad["error"])
    check(len(got) == 60 and PAGE + "b0" in got, "the URLs up to the limit are crawled, "
          "up to --max-pages (%d records)" % len(got))
    check(d.ping(), "crawld still answers")

    # ---- the job's cap on sitemap files: the index's record names it ----
    put_robots(BASE, "User-agent: *\nSitemap: %s/sm/many.xml\n" % BASE)
    jid, got = crawl(d, "--sitemaps", "--depth", "0", "--max-pages", "20")
    many = got[BASE + "/sm/many.xml"]
    check(many["sitemap_urls"] == 1001 and many["error"] ==
          "sitemap: the job's limit of 1000 sitemap files is reached: 2 of the 1001 sitemaps "
          "listed here are not read", "over the job's sitemap files: %r" % many["error"])
    check(len(got) == 20, "--max-pages holds with sitemaps (%d records)" % len(got))

    # ---- robots.txt read for sitemaps is never disallowed; a sitemap may be ----
    put_robots(BASE, "User-agent: *\nDisallow: /sm/\nSitemap: %s/sm/index.xml\n" % BASE)
    check(d.stop() == 0, "clean stop")
    d.start()  # the rules cached from the jobs above go with the restart
    jid, got = crawl(d, "--sitemaps", "--depth", "0")
    rob, idx = got[BASE + "/robots.txt"], got[BASE + "/sm/index.xml"]
    check(rob["status"] == 200 and rob["error"] is None and rob["sitemap_urls"] == 1,
          "robots.txt read although Disallow: / covers it: %r" % rob["error"])
    check(idx.get("sitemap") == "sitemap" and idx["sitemap_urls"] == 0,
          "a disallowed sitemap's record says it is one, unread: %r" % idx)
    check(idx["error"] == "robots: disallowed" and set(got) == {
        SEED, BASE + "/robots.txt", BASE + "/sm/index.xml"},
        "a disallowed sitemap is not fetched: %r" % sorted(got))
    check(d.stop() == 0, "clean stop")
    d.start()  # and those rules go too
    errs = [l for l in d.log_text().splitlines() if "level=error" in l]
    check(not errs, "no error lines in the log: %r" % errs[:3])

    # ---- kill -9 of crawld while sitemap URLs are crawled ----
    put_robots(BASE, "User-agent: *\nSitemap: %s/sm/big.xml?n=400\n" % BASE)
    jid = d.submit([SEED], "--no-js", "--sitemaps", "--depth", "0", "--max-pages", "1000")
    out = os.path.join(d.out, str(jid), "pages.jsonl")
    want = {SEED, BASE + "/robots.txt", BASE + "/sm/big.xml?n=400"} | \
        {PAGE + "b%d" % i for i in range(400)}
    n_at_kill = kill9_mid_crawl(d, jid, out, len(want))
    d.restart()
    kill9_again_until_done(d, jid, n_at_kill, 60, 90)
    urls = [r["url"] for r in jsonl_lines(out)]
    check(len(urls) == len(set(urls)), "no URL twice after kill -9 (%d records, %d unique)"
          % (len(urls), len(set(urls))))
    check(set(urls) == want, "every sitemap URL once after kill -9 (missing %r, extra %r)"
          % (sorted(want - set(urls))[:4], sorted(set(urls) - want)[:4]))
    check(d.check_log_lines(), "every log line parses")
    check(d.stop() == 0, "clean stop")
finally:
    reset_robots(BASE)
    dump_log_on_failure(d)
    check(d.cleanup(), "no worker left behind")
finish("crawl_sitemaps")
