#!/usr/bin/env python3
"""queue_per_worker above 1 and coalesce_us, with a one-slot worker (the
real worker with fetches_per_worker = 1: it announces slots 1 and runs one
transfer at a time): a worker killed -9 while three pages wait behind its
own gives those three back with no attempt counted (each done once, by the
next worker), its own page is redone; the queues fill to the limit and no
further; once a page time is known the queue is only as deep as the
coalescing window needs (slow pages: one); with coalescing on, a 400-page
job ends with every page exactly once.

Then a worker with slots (the default fetches_per_worker): killed -9 while
it parses one page (a script that loops) and holds many others still
fetching (slow responses), it gives every fetching page back unstarted
(each done once, attempts 1) and the page it was parsing counts an attempt
(attempts 2). Frozen (SIGSTOP) while every page it holds is still
fetching, it is killed after page_timeout_ms + 5 s of silence and every page
goes back unstarted. Pages that went back unstarted from two dead workers
are fetched alone, one at a time, and cost no attempt.

usage: daemon_queue.py BASE_URL"""
import datetime, os, signal, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import Daemon, alive, check, dump_log_on_failure, finish, wait_for  # noqa: E402

BASE = sys.argv[1]
d = Daemon("queue", workers=1,
           conf="[daemon]\nqueue_per_worker = 3\ncoalesce_us = 2000\nfetches_per_worker = 1\n"
                "[limits]\nmax_attempts = 3\n")
try:
    d.start()
    slow = BASE + "/slow?ms=2000&q=1"
    after = [BASE + "/site/p/%d.html?q" % i for i in range(6)]
    jid = d.submit([slow] + after)
    w = wait_for(lambda: next((x for x in d.status()["workers"] if x["state"] == "busy"
                               and x["url"] == slow and x.get("queued") == 3), None),
                 10, "the worker on the slow page with three pages queued behind it")
    if w:
        check(w["queued_url"] == after[0], "the first queued page is the next in order: %r" % w)
        # A worker that announces one slot: its page is the one being
        # parsed (as far as crawld knows), the three behind it queued, four
        # in flight.
        check(w.get("slots") == 1 and w.get("in_flight") == 4 and w.get("parsing") == 1
              and [(f["url"], f["stage"]) for f in w.get("flight", [])]
              == [(slow, "parse")] + [(u, "queued") for u in after[:3]],
              "status: the page it runs and the three queued: %r" % w.get("flight"))
        job = d.job(jid)
        check(job["in_flight"] == 4 and job["pending"] == 3,
              "one running + three queued in flight, the rest pending: %r" % job)
        os.kill(w["pid"], signal.SIGKILL)
        d.wait_job(jid)
        recs = d.records(jid)
        check(sorted(r["url"] for r in recs) == sorted([slow] + after),
              "every page once: %r" % sorted(r["url"] for r in recs))
        by = {r["url"]: r for r in recs}
        check(by.get(slow, {}).get("attempts") == 2, "the killed page: attempt 2")
        check(all(by.get(u, {}).get("attempts") == 1 and by.get(u, {}).get("error") is None
                  for u in after[:3]), "queued pages: no attempt counted: %r"
              % [(u, by.get(u, {}).get("attempts")) for u in after[:3]])
        check(not alive(w["pid"]), "the killed worker is gone")
    # Now a page time is known (2 s pages): the queue is only as deep as the
    # coalescing window needs, one page, not queue_per_worker's three.
    slow2 = BASE + "/slow?ms=1500&q=2"
    more = [BASE + "/site/p/%d.html?d" % i for i in range(4)]
    jid2 = d.submit([slow2] + more)
    w = wait_for(lambda: next((x for x in d.status()["workers"] if x["state"] == "busy"
                               and x["url"] == slow2), None), 10, "the worker on the second slow page")
    if w:
        time.sleep(0.3)  # dispatch had every chance to queue more
        st = d.status()
        job = d.job(jid2)
        check(st["workers"][0].get("queued") == 1 and job["in_flight"] == 2,
              "slow pages: one queued behind the running one: %r, %r" % (st["workers"][0], job))
    d.wait_job(jid2)
    check(len(d.records(jid2)) == 5, "the five pages done")
    # Coalescing on, one worker kept busy with three queued: every page once.
    urls = [BASE + "/site/p/%d.html?c" % i for i in range(400)]
    jid = d.submit(urls)
    d.wait_job(jid, 120)
    recs = d.records(jid)
    check(len(recs) == 400 and sorted(r["url"] for r in recs) == sorted(urls),
          "400 pages, each once (%d records)" % len(recs))
    check(all(r["status"] == 200 and r["error"] is None for r in recs), "all fetched")
    st = d.status()
    check(all(x.get("queued", 0) == 0 for x in st["workers"]), "queues empty at the end")
    check(st["coalesced"] > 0, "results were coalesced: %r" % st["coalesced"])
    # The page cache holds the frontier the crawl wrote, within crawld's RSS.
    check(0 < st["db_cache_mb"] <= st["rss_mb"], "db page cache in use, within crawld's RSS: "
          "%r of %r MB" % (st["db_cache_mb"], st["rss_mb"]))
    check(d.stop() == 0, "crawld exits 0")
    check(d.cleanup(), "no worker left behind")
    dump_log_on_failure(d)

    # A worker with slots, killed while it parses one page and fetches many.
    d = Daemon("slots", workers=1, conf="[limits]\nmax_attempts = 3\n")
    d.start()
    work = BASE + "/jswork?n=150000000&s=1"  # ~3 s of script: parsed while the others fetch
    fetching = [BASE + "/slow?ms=6000&s=%d" % i for i in range(12)]
    jid = d.submit([work] + fetching, "--js")
    w = wait_for(lambda: next((x for x in d.status()["workers"] if x["url"] == work
                               and x.get("parsing") == 1 and x.get("in_flight") == 13), None),
                 10, "the worker parsing the script page with twelve pages fetching")
    if w:
        check(w.get("slots", 0) > 1, "the worker announced slots: %r" % w.get("slots"))
        stages = sorted((f["url"], f["stage"]) for f in w.get("flight", []))
        check(stages == sorted([(work, "parse")] + [(u, "fetch") for u in fetching]),
              "status: one page parsed, twelve fetching: %r" % w.get("flight"))
        os.kill(w["pid"], signal.SIGKILL)
        d.wait_job(jid, 60)
        recs = d.records(jid)
        urls = [r["url"] for r in recs]
        check(sorted(urls) == sorted([work] + fetching),
              "every page exactly one record: %r" % sorted(urls))
        by = {r["url"]: r for r in recs}
        check(by.get(work, {}).get("attempts") == 2 and by.get(work, {}).get("error") is None,
              "the page being parsed: attempt 2: %r" % by.get(work))
        check(all(by.get(u, {}).get("attempts") == 1 and by.get(u, {}).get("error") is None
                  and by.get(u, {}).get("status") == 200 for u in fetching),
              "pages still fetching: back unstarted, attempts 1: %r"
              % [(u, by.get(u, {}).get("attempts"), by.get(u, {}).get("error"))
                 for u in fetching])
        st = d.status()
        check(st["recycles"]["crash"] == 1, "one crash: %r" % st["recycles"])
        check(st["queue"]["quarantined"] == 0, "none quarantined: %r" % st["queue"])
        check(not alive(w["pid"]), "the killed worker is gone")
    check(d.stop() == 0, "crawld exits 0")
    dump_log_on_failure(d)

    # A worker with slots frozen (SIGSTOP) while every page it holds is
    # still fetching: it says nothing, so crawld kills it page_timeout_ms +
    # 5 s after it last spoke, and every page goes back unstarted (attempts
    # 1), done once by the next worker.
    d = Daemon("frozen", workers=1, conf="[limits]\npage_timeout_ms = 2500\nmax_attempts = 3\n")
    d.start()
    fetching = [BASE + "/slow?ms=1500&f=%d" % i for i in range(6)]
    jid = d.submit(fetching)
    w = wait_for(lambda: next((x for x in d.status()["workers"] if x.get("in_flight") == 6
                               and x.get("parsing") == 0), None),
                 10, "the worker with six pages fetching")
    if w:
        t0 = time.time()
        os.kill(w["pid"], signal.SIGSTOP)
        check(wait_for(lambda: not alive(w["pid"]), 30, "the frozen worker killed"),
              "the frozen worker is killed")
        took = time.time() - t0
        check(took >= 6.0, "not killed before page_timeout_ms + 5 s of silence: %.1f s" % took)
        d.wait_job(jid, 60)
        recs = d.records(jid)
        check(sorted(r["url"] for r in recs) == sorted(fetching),
              "frozen: every page exactly one record: %r" % sorted(r["url"] for r in recs))
        check(all(r.get("attempts") == 1 and r.get("error") is None and r.get("status") == 200
                  for r in recs), "frozen: every page back unstarted, attempts 1: %r"
              % [(r["url"], r.get("attempts"), r.get("error")) for r in recs])
        check(d.status()["recycles"]["timeout"] == 1, "frozen: killed once for its deadline: %r"
              % d.status()["recycles"])
        check("no parse message" in d.log_text(), "frozen: the reason is logged")
    check(d.stop() == 0, "crawld exits 0")
    dump_log_on_failure(d)

    # Pages that went back unstarted from two dead workers are sent alone:
    # the real worker fetches each with nothing else running and says so
    # (status stage "alone"), one after another; none counts an attempt.
    d = Daemon("alone", workers=1, conf="[limits]\nmax_attempts = 2\n")
    d.start()
    pages = [BASE + "/slow?ms=1500&a=%d" % i for i in range(4)]
    jid = d.submit(pages)
    for k in range(2):
        w = wait_for(lambda: next((x for x in d.status()["workers"] if x.get("in_flight") == 4
                                   and x.get("parsing") == 0 and x.get("pid")), None),
                     10, "the worker with four pages fetching (death %d)" % (k + 1))
        if not w:
            break
        os.kill(w["pid"], signal.SIGKILL)
        wait_for(lambda: not alive(w["pid"]), 10, "the worker gone")
    seen_alone = []

    def watch_alone():
        for x in d.status()["workers"]:
            stages = [f["stage"] for f in x.get("flight", [])]
            if "alone" in stages:
                seen_alone.append(stages)
        return d.job(jid)["state"] != "running"
    wait_for(watch_alone, 60, "the job ends", step=0.05)
    recs = d.records(jid)
    check(sorted(r["url"] for r in recs) == sorted(pages),
          "alone: every page exactly one record: %r" % sorted(r["url"] for r in recs))
    check(all(r.get("attempts") == 1 and r.get("error") is None and r.get("status") == 200
              for r in recs), "alone: no attempt counted for deaths it only shared: %r"
          % [(r.get("attempts"), r.get("error")) for r in recs])
    check(seen_alone and all(st.count("alone") == 1 for st in seen_alone),
          "alone: status shows one page fetching alone at a time: %r" % seen_alone[:3])
    ends = sorted(datetime.datetime.strptime(r["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
                  for r in recs)
    gaps = [round(b - a, 2) for a, b in zip(ends, ends[1:])]
    check(len(gaps) == 3 and all(g >= 1.0 for g in gaps),
          "alone: each 1.5 s fetch ran after the one before: %r s apart" % gaps)
    check(d.status()["recycles"]["crash"] == 2 and d.status()["queue"]["quarantined"] == 0,
          "alone: two crashes, none quarantined: %r" % d.status()["recycles"])
    check(d.stop() == 0, "crawld exits 0")
finally:
    dump_log_on_failure(d)
    check(d.cleanup(), "no worker left behind")
finish("daemon_queue")
