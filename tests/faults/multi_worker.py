"""crawld against fake workers that announce slots (many pages in flight,
answered in completion order; CRAWLD_WORKER points at a fake that speaks
the protocol and fetches nothing):
  out_of_order  results in another order than sent are taken, and every
                page has exactly one record;
  parse_die     a worker holding 4 pages says it parses one, then dies: that
                page costs an attempt, the 3 others none; each once in the end;
  killer        a page whose fetch kills every worker it reaches goes back
                unstarted twice, then is sent "alone" (the worker fetches it
                with nothing else running and says so): each death then
                counts an attempt and it is quarantined: the crawl does not
                loop on it;
  shared_death  workers that die holding 4 pages none of which they had
                started alone, three times over (more than max_attempts):
                the pages go back unstarted each time, are sent alone, and
                are done with no attempt counted and none quarantined;
  bad_parse     a parse for a task the worker does not hold kills it, and
                nothing it sends after is read;
  dup_result    a second result for a task (no longer held) kills it; the
                page keeps its one record;
  wedged        a worker that says nothing is killed at page_timeout_ms + 5 s
                after the page was sent; the page costs no attempt;
  stuck_parse   a page past page_timeout_ms from its parse message kills its
                worker and costs an attempt;
  retire_mid    a worker that says it leaves after one page finishes the
                others it holds, unkilled;
  limits        dispatch never gives a worker more than its slots, nor a
                host more than per_host_concurrency pages, across workers;
                and it does fill every slot when hosts allow.

usage: multi_worker.py"""
import json, os, stat, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from daemon_lib import Daemon, check, dump_log_on_failure, finish, wait_for  # noqa: E402

FAKE = r'''#!/usr/bin/env python3
import json, os, select, struct, sys, time
os.dup2(os.open(sys.argv[0] + ".stderr", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644), 2)
sys.path.insert(0, FRAMES_DIR)
from frames import encode_result
MODE, DIR, SLOTS = os.environ["MW_MODE"], os.environ["MW_DIR"], int(os.environ["MW_SLOTS"])
HOLD = float(os.environ.get("MW_HOLD", "0.2"))
buf = b""
def send(b):
    os.write(3, b)
def frame(obj):
    d = json.dumps(obj).encode()
    return struct.pack(">I", len(d)) + d
def event(*words):  # one line per event, for the test to replay (O_APPEND)
    with open(os.path.join(DIR, "events"), "a") as f:
        f.write(" ".join(str(w) for w in words) + "\n")
def read_frames(timeout):
    """Every frame that arrives within timeout (at least one read when any)."""
    global buf
    r, _, _ = select.select([3], [], [], timeout)
    if r:
        c = os.read(3, 65536)
        if not c:
            sys.exit(0)
        buf += c
    out = []
    while len(buf) >= 4:
        n = struct.unpack(">I", buf[:4])[0]
        if len(buf) < 4 + n:
            break
        out.append(json.loads(buf[4:4 + n]))
        buf = buf[4 + n:]
    return out
def host(u):
    return u.split("/")[2]
def result(t, flags=0):
    rec = {"url": t["url"], "final_url": t["url"], "status": 200, "attempts": t["attempts"],
           "error": None, "links": [], "title": "fake", "pid": os.getpid()}
    return encode_result({"task_id": t["task_id"], "status": 200, "flags": flags},
                         {"record": json.dumps(rec).encode(), "final_url": t["url"].encode()})
def answer(t, flags=0):
    if t.get("alone") and MODE == "shared_death":  # started alone only now, as its turn came
        event("alone", time.monotonic(), os.getpid(), t["task_id"], host(t["url"]))
        send(frame({"type": "alone", "task_id": t["task_id"]}))
    event("done", time.monotonic(), os.getpid(), t["task_id"], host(t["url"]))
    send(frame({"type": "parse", "task_id": t["task_id"]}))
    send(result(t, flags))
first = not os.path.exists(os.path.join(DIR, "died"))
send(frame({"type": "ready", "version": "fake", "pid": os.getpid(), "slots": SLOTS}))
held = []  # (due, task)
n = 0
while True:
    now = time.monotonic()
    wait = min([d for d, _ in held], default=now + 1) - now
    for t in read_frames(max(0.0, wait)):
        if t.get("type") != "task":
            continue
        event("recv", time.monotonic(), os.getpid(), t["task_id"], host(t["url"]))
        if t.get("alone") and MODE != "shared_death":  # its transfer starts now, alone
            event("alone", time.monotonic(), os.getpid(), t["task_id"], host(t["url"]))
            send(frame({"type": "alone", "task_id": t["task_id"]}))
        if MODE in ("wedged", "stuck_parse") and first:
            open(os.path.join(DIR, "died"), "w").close()
            if MODE == "stuck_parse":  # its parse never ends
                send(frame({"type": "parse", "task_id": t["task_id"]}))
            continue  # a wedged worker: it never says anything again
        if MODE == "killer" and "killer" in t["url"]:
            os._exit(1)  # its fetch kills the worker: no parse, no result
        if MODE == "bad_parse":
            send(frame({"type": "parse", "task_id": t["task_id"] + 1000}))
            send(result(dict(t, url="http://evil.example/forged")))
            time.sleep(30)
        if MODE == "dup_result":
            answer(t)
            send(result(t))
            time.sleep(30)
        # out_of_order: a later page is held shorter, so answers come back
        # in another order than the tasks came
        hold = HOLD * (1 - 0.2 * (n % 4)) if MODE == "out_of_order" else HOLD
        n += 1
        held.append((time.monotonic() + hold, t))
    if MODE == "parse_die" and first and len(held) == 4:
        open(os.path.join(DIR, "died"), "w").close()
        victim = next(t for _, t in held if "victim" in t["url"])
        send(frame({"type": "parse", "task_id": victim["task_id"]}))
        time.sleep(0.2)
        os._exit(1)
    if MODE == "shared_death" and len(held) == 4:
        # dies holding four pages, none started alone, three workers in a row
        n_dead = len([f for f in os.listdir(DIR) if f.startswith("dead.")])
        if n_dead < 3:
            open(os.path.join(DIR, "dead.%d" % os.getpid()), "w").close()
            os._exit(1)
    if MODE == "retire_mid" and first and len(held) == 3:
        # says it leaves after its first page, then takes longer than
        # EXIT_WAIT_MS to answer the two others, then exits
        open(os.path.join(DIR, "died"), "w").close()
        ts = [t for _, t in held]
        answer(ts[0], flags=1)
        time.sleep(3.5)
        for t in ts[1:]:
            answer(t)
        os._exit(0)
    if MODE in ("parse_die", "retire_mid") and first:
        continue  # holds its pages until it has the four
    now = time.monotonic()
    due = [x for x in held if x[0] <= now]
    held = [x for x in held if x[0] > now]
    for _, t in due:
        answer(t)
'''

tmp = tempfile.mkdtemp(prefix="multi.")
daemons = []


def fake_daemon(mode, slots=4, workers=1, conf="", hold=0.2):
    mdir = os.path.join(tmp, mode)
    os.makedirs(mdir)
    path = os.path.join(mdir, "worker")
    with open(path, "w") as f:
        f.write(FAKE.replace("FRAMES_DIR", repr(os.path.join(HERE, "..", "integration"))))
    os.chmod(path, 0o755)
    d = Daemon("multi-" + mode, workers=workers,
               env={"CRAWLD_WORKER": path, "MW_MODE": mode, "MW_DIR": mdir,
                    "MW_SLOTS": str(slots), "MW_HOLD": str(hold)}, conf=conf)
    daemons.append(d)
    d.start()
    return d, mdir


def events(mdir):
    try:
        with open(os.path.join(mdir, "events")) as f:
            return [l.split() for l in f if l.strip()]
    except FileNotFoundError:
        return []


def once_each(d, jid, urls, what):
    recs = d.records(jid)
    check(sorted(r["url"] for r in recs) == sorted(urls),
          "%s: every page exactly one record (%d records, %d pages)" % (what, len(recs), len(urls)))
    return {r["url"]: r for r in recs}


def stop(d, what):
    check(d.stop() == 0, "%s: crawld exits 0" % what)
    check(d.cleanup(), "%s: no worker left behind" % what)
    dump_log_on_failure(d)


try:
    # (a) Out of order: two workers of 4 slots, 40 pages.
    d, mdir = fake_daemon("out_of_order", workers=2)
    urls = ["http://h%d.example/p/%d" % (i % 5, i) for i in range(40)]
    jid = d.submit(urls)
    d.wait_job(jid, 60)
    by = once_each(d, jid, urls, "out_of_order")
    check(all(r["attempts"] == 1 and r["error"] is None for r in by.values()),
          "out_of_order: no attempt lost: %r" % sorted({r["attempts"] for r in by.values()}))
    ev = events(mdir)
    order = {}
    for e in ev:
        order.setdefault((e[2], e[0]), []).append(e[3])
    swapped = any(order.get((pid, "recv")) != order.get((pid, "done"))
                  for pid in {e[2] for e in ev})
    check(swapped, "out_of_order: a worker answered in another order than it was sent")
    st = d.status()
    check(st["queue"]["in_flight"] == 0 and all(w.get("in_flight") == 0 for w in st["workers"]),
          "out_of_order: nothing left in flight: %r" % [w.get("in_flight") for w in st["workers"]])
    check(all(w.get("slots") == 4 for w in st["workers"]), "out_of_order: status shows the slots")
    stop(d, "out_of_order")

    # (b) Four pages on one worker; it says it parses one, then dies.
    d, mdir = fake_daemon("parse_die", conf="[limits]\nmax_attempts = 3\n")
    urls = ["http://a.example/victim"] + ["http://a.example/p%d" % i for i in range(3)]
    jid = d.submit(urls)
    d.wait_job(jid, 60)
    by = once_each(d, jid, urls, "parse_die")
    check(by.get(urls[0], {}).get("attempts") == 2,
          "parse_die: the page being parsed costs an attempt: %r" % by.get(urls[0]))
    check(all(by.get(u, {}).get("attempts") == 1 for u in urls[1:]),
          "parse_die: the pages still fetching cost none: %r"
          % [by.get(u, {}).get("attempts") for u in urls[1:]])
    check(all(r.get("error") is None for r in by.values()), "parse_die: all fetched in the end")
    check(d.status()["recycles"]["crash"] == 1, "parse_die: one crash counted")
    stop(d, "parse_die")

    # Deadlines. Wedged: the worker says nothing at all; killed at
    # page_timeout_ms + 5 s, its page goes back with no attempt counted.
    # Stuck in parse: killed page_timeout_ms after its parse message, the
    # page costs an attempt.
    for mode, attempts in (("wedged", 1), ("stuck_parse", 2)):
        d, mdir = fake_daemon(mode, conf="[limits]\npage_timeout_ms = 1000\n")
        url = "http://w.example/%s" % mode
        t0 = time.time()
        jid = d.submit([url])
        d.wait_job(jid, 60)
        took = time.time() - t0
        by = once_each(d, jid, [url], mode)
        r = by.get(url, {})
        check(r.get("attempts") == attempts and r.get("error") is None,
              "%s: answered by the next worker, attempts %d: %r" % (mode, attempts, r))
        check(d.status()["recycles"]["timeout"] == 1, "%s: killed for its deadline once" % mode)
        if mode == "wedged":
            check("no parse message" in d.log_text(), "wedged: the reason is logged")
            check(took >= 5.5, "wedged: not killed before page_timeout_ms + 5 s: %.1f s" % took)
        else:
            check(took < 5, "stuck_parse: killed page_timeout_ms after its parse: %.1f s" % took)
        stop(d, mode)

    # A worker with slots that says it leaves after one page keeps its
    # others, past EXIT_WAIT_MS, and is not killed for them.
    d, mdir = fake_daemon("retire_mid")
    urls = ["http://r.example/p%d" % i for i in range(3)]
    jid = d.submit(urls)
    d.wait_job(jid, 60)
    by = once_each(d, jid, urls, "retire_mid")
    check(all(r.get("attempts") == 1 and r.get("error") is None for r in by.values()),
          "retire_mid: every page answered by the retiring worker: %r"
          % [(r.get("attempts"), r.get("error")) for r in by.values()])
    # the retire is counted when the worker has exited, which may come
    # after its last page finished the job
    wait_for(lambda: d.status()["recycles"]["rss"] >= 1, 30, "retire_mid: the retire counted")
    rc = d.status()["recycles"]
    check(rc["rss"] == 1 and rc["crash"] == 0 and rc["timeout"] == 0,
          "retire_mid: one retire, no kill: %r" % rc)
    pids = {r.get("pid") for r in by.values()}
    check(len(pids) == 1, "retire_mid: the one worker answered them all: %r" % pids)
    stop(d, "retire_mid")

    # (c) A page whose fetch kills every worker: max_attempts 2, so it goes
    # back unstarted twice, then costs attempts 1 and 2 and is quarantined.
    d, mdir = fake_daemon("killer", conf="[limits]\nmax_attempts = 2\n")
    url = "http://k.example/killer"
    jid = d.submit([url])
    wait_for(lambda: d.job(jid)["state"] != "running", 60, "killer: the job ends")
    by = once_each(d, jid, [url], "killer")
    r = by.get(url, {})
    check((r.get("error") or "").startswith("quarantined: worker crashed") and r.get("attempts") == 2,
          "killer: quarantined after its attempts: %r" % r)
    check(d.status()["recycles"]["crash"] == 4, "killer: twice unstarted, then alone twice, an "
          "attempt each: %r crashes" % d.status()["recycles"]["crash"])
    check("worker died fetching a page alone" in d.log_text(), "killer: the guard is logged")
    alone = [e for e in events(mdir) if e[0] == "alone"]
    check(len(alone) == 2, "killer: sent alone after its second death, twice: %r" % alone)
    more = ["http://k.example/p%d" % i for i in range(6)]
    jid = d.submit(more)
    d.wait_job(jid, 60)
    by = once_each(d, jid, more, "killer: the crawl goes on")
    stop(d, "killer")

    # Deaths no page is to blame for, more of them than max_attempts: every
    # page goes back unstarted each time, is then sent alone, and is done
    # with no attempt counted.
    d, mdir = fake_daemon("shared_death", conf="[limits]\nmax_attempts = 2\n")
    urls = ["http://s%d.example/p" % i for i in range(4)]
    jid = d.submit(urls)
    d.wait_job(jid, 60)
    by = once_each(d, jid, urls, "shared_death")
    check(all(r.get("attempts") == 1 and r.get("error") is None for r in by.values()),
          "shared_death: no attempt counted, none quarantined: %r"
          % [(r.get("attempts"), r.get("error")) for r in by.values()])
    check(d.status()["recycles"]["crash"] == 3, "shared_death: three deaths: %r"
          % d.status()["recycles"])
    alone = {e[3] for e in events(mdir) if e[0] == "alone"}
    check(len(alone) >= 4, "shared_death: the pages were sent alone after: %r" % alone)
    stop(d, "shared_death")

    # (d) A parse for a task it does not hold; a second result for a task.
    d, mdir = fake_daemon("bad_parse", conf="[limits]\nmax_attempts = 2\n")
    url = "http://b.example/p"
    jid = d.submit([url])
    wait_for(lambda: d.job(jid)["state"] != "running", 60, "bad_parse: the job ends")
    by = once_each(d, jid, [url], "bad_parse")
    r = by.get(url, {})
    check((r.get("error") or "").startswith("quarantined: worker crashed"),
          "bad_parse: the page is quarantined, never answered: %r" % r)
    check(r.get("title") != "fake", "bad_parse: nothing it sent after the breach was read")
    check("parse for no task of this worker" in d.log_text(), "bad_parse: the breach is logged")
    check(d.status()["recycles"]["crash"] >= 2, "bad_parse: the workers were killed")
    stop(d, "bad_parse")

    d, mdir = fake_daemon("dup_result")
    urls = ["http://c.example/p%d" % i for i in range(3)]
    jid = d.submit(urls)
    d.wait_job(jid, 60)
    by = once_each(d, jid, urls, "dup_result")
    check(all(r.get("error") is None for r in by.values()), "dup_result: each page answered once")
    check("result for no task of this worker" in d.log_text(), "dup_result: the breach is logged")
    # the last worker is killed for its second result after its first one
    # finished the job: wait for the kill, not for the job
    check(wait_for(lambda: d.status()["recycles"]["crash"] >= 3, 30, "dup_result: three kills"),
          "dup_result: each worker was killed")
    stop(d, "dup_result")

    # (e) Limits: two workers of 4 slots, per_host_concurrency 2. On 3 hosts
    # the hosts bind (at most 6 in flight); on 20 hosts the slots do (8).
    d, mdir = fake_daemon("limits", workers=2, hold=0.3,
                          conf="[politeness]\nper_host_concurrency = 2\n")
    seen = {"max_worker": 0, "max_total": 0}

    def watch():
        st = d.status()
        for w in st["workers"]:
            seen["max_worker"] = max(seen["max_worker"], w.get("in_flight") or 0)
            check(len(w.get("flight") or []) == (w.get("in_flight") or 0),
                  "limits: status lists each page in flight")
        seen["max_total"] = max(seen["max_total"], sum(w.get("in_flight") or 0
                                                       for w in st["workers"]))
        return d.job(jid)["state"] != "running"

    urls = ["http://h%d.example/p/%d" % (i % 3, i) for i in range(30)]
    jid = d.submit(urls)
    wait_for(watch, 60, "limits: 3 hosts job ends", step=0.05)
    once_each(d, jid, urls, "limits 3 hosts")
    check(seen["max_total"] <= 6, "limits: 3 hosts x 2 at most: %r" % seen)
    check(seen["max_worker"] <= 4, "limits: slots per worker at most: %r" % seen)
    per_host, per_worker, top_host, top_worker = {}, {}, 0, 0
    for e in sorted(events(mdir), key=lambda e: float(e[1])):
        k = 1 if e[0] == "recv" else -1
        per_host[e[4]] = per_host.get(e[4], 0) + k
        per_worker[e[2]] = per_worker.get(e[2], 0) + k
        top_host = max(top_host, per_host[e[4]])
        top_worker = max(top_worker, per_worker[e[2]])
    check(top_host == 2, "limits: a host never had more than 2 pages on the workers, and had 2: "
          "%d" % top_host)
    check(top_worker <= 4, "limits: a worker never held more than its slots: %d" % top_worker)
    os.unlink(os.path.join(mdir, "events"))
    seen.update(max_worker=0, max_total=0)
    urls = ["http://h%d.example/q/%d" % (i % 20, i) for i in range(80)]
    jid = d.submit(urls)
    wait_for(watch, 60, "limits: 20 hosts job ends", step=0.05)
    once_each(d, jid, urls, "limits 20 hosts")
    check(seen["max_worker"] == 4, "limits: the slots are filled, and not more: %r" % seen)
    top_worker, per_worker = 0, {}
    for e in sorted(events(mdir), key=lambda e: float(e[1])):
        per_worker[e[2]] = per_worker.get(e[2], 0) + (1 if e[0] == "recv" else -1)
        top_worker = max(top_worker, per_worker[e[2]])
    check(top_worker == 4, "limits: a worker held its 4 slots and never more: %d" % top_worker)
    stop(d, "limits")
finally:
    for d in daemons:
        dump_log_on_failure(d)
        d.cleanup()
    os.system("rm -rf " + tmp)
finish("multi_worker")
