"""Helpers for the crawl tests: an independent breadth-first crawl of the
test server (urllib + html.parser: the expected set and order), the
server's per-path request counts, robots.txt changes, a daemon config for
crawling (no delay, private addresses allowed), kill -9 of crawld mid-crawl."""
import collections, json, os, sys, urllib.parse, urllib.request
from html.parser import HTMLParser

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import Daemon, check, wait_for  # noqa: E402

CRAWL_CONF = "[politeness]\ndelay_ms = 0\n"


def crawl_daemon(name, extra="", workers=2):
    return Daemon(name, conf=CRAWL_CONF + extra, workers=workers, crawl=True)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []
        self.nofollow = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and (a.get("name") or "").lower() == "robots":
            c = (a.get("content") or "").lower()
            self.nofollow |= "nofollow" in c or "none" in c
        if tag in ("a", "area") and a.get("href") is not None:
            if "nofollow" not in (a.get("rel") or "").lower().split():
                self.links.append(a["href"])
        elif tag in ("iframe", "frame") and a.get("src") is not None:
            self.links.append(a["src"])


def page_links(url):
    """(status, links in document order, unique, absolute, no fragment)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            status, body, final = r.status, r.read().decode("utf-8", "replace"), r.geturl()
    except urllib.error.HTTPError as e:
        return e.code, []
    p = _Links()
    p.feed(body)
    if p.nofollow:
        return status, []
    out, seen = [], set()
    for h in p.links:
        u = urllib.parse.urldefrag(urllib.parse.urljoin(final, h.strip()))[0]
        if not u.startswith(("http://", "https://")):
            continue
        sp = urllib.parse.urlsplit(u)
        if sp.path == "":
            u = urllib.parse.urlunsplit((sp.scheme, sp.netloc, "/", sp.query, ""))
        if u not in seen:
            seen.add(u)
            out.append(u)
    return status, out


def bfs(seeds, depth, in_scope=lambda u: True, allowed=lambda u: True, max_pages=None):
    """The crawl crawld should make with per-host concurrency 1: FIFO over
    rows in insertion order. Returns the ordered list of (url, depth)."""
    order, seen = [], set()
    q = collections.deque()
    for s in seeds:
        if s not in seen and (max_pages is None or len(seen) < max_pages):
            seen.add(s)
            q.append((s, 0))
    while q:
        u, d = q.popleft()
        order.append((u, d))
        if not allowed(u) or d >= depth:
            continue
        status, links = page_links(u)
        if not 200 <= status < 300:
            continue
        for l in links:
            if l in seen or not in_scope(l):
                continue
            if max_pages is not None and len(seen) >= max_pages:
                break
            seen.add(l)
            q.append((l, d + 1))
    return order


def stats(base, reset=False):
    with urllib.request.urlopen(base + "/stats?paths=1" + ("&reset=1" if reset else ""),
                                timeout=10) as r:
        return json.loads(r.read())["paths"]


def put_robots(base, text, status=None, fail=0, retry_after=None, delay_ms=0):
    """robots.txt becomes text (with status); with fail=K, the next K fetches
    answer 503 first (with Retry-After: retry_after when given)."""
    q = {}
    if status:
        q["status"] = status
    if fail:
        q["fail"] = fail
    if retry_after is not None:
        q["retry-after"] = retry_after
    if delay_ms:
        q["delay-ms"] = delay_ms
    req = urllib.request.Request(base + "/robots.txt" + ("?" + urllib.parse.urlencode(q) if q else ""),
                                 data=text.encode(), method="PUT")
    urllib.request.urlopen(req, timeout=10).read()


def reset_robots(base):
    urllib.request.urlopen(urllib.request.Request(base + "/robots.txt", method="DELETE"),
                           timeout=10).read()


def path_of(url):
    sp = urllib.parse.urlsplit(url)
    return sp.path + ("?" + sp.query if sp.query else "")


def jsonl_lines(path):
    """The records of a pages.jsonl; checks that no torn line ends it."""
    with open(path, "rb") as f:
        data = f.read()
    check(data == b"" or data.endswith(b"\n"), "no torn line at the end")
    return [json.loads(l) for l in data.splitlines() if l.strip()]


def committed_lines(path):
    """Complete lines in a pages.jsonl so far (0 when it is not there)."""
    try:
        with open(path, "rb") as f:
            return f.read().count(b"\n")
    except FileNotFoundError:
        return 0


def kill9_mid_crawl(d, jid, out, total, done=40):
    """Waits until job jid has done pages, kill -9s crawld and checks that
    its pages.jsonl (out) holds some but not all of the total; appends a
    torn, uncommitted record, as a crash inside write() leaves it. Returns
    the number of records at the kill. crawld is left stopped."""
    wait_for(lambda: d.job(jid)["done"] >= done, 30, "%d pages done" % done)
    # "done" moves as results come in; their lines reach pages.jsonl when the
    # batch commits (up to 50 ms later): kill once some are there.
    wait_for(lambda: committed_lines(out) > 0, 30, "a batch committed")
    d.kill9()
    n = len(jsonl_lines(out))
    check(0 < n < total, "killed mid-crawl (%d of %d)" % (n, total))
    with open(out, "ab") as f:
        f.write(b'{"url":"http://torn.invalid/","status":200,"tit')
    return n


def kill9_again_until_done(d, jid, n_at_kill, more, timeout):
    """The second kill: once job jid has done more pages past n_at_kill,
    kill -9 and restart crawld; the job must then complete within timeout
    seconds."""
    wait_for(lambda: d.job(jid)["done"] >= n_at_kill + more, 30, "%d more pages" % more)
    d.kill9()
    d.restart()
    rc, o, e = d.ctl("wait", str(jid), "--timeout", str(timeout))
    check(rc == 0 and "done" in o, "job completes after two kill -9: %d %r %r" % (rc, o, e))
