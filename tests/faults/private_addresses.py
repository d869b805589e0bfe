"""Fault: the private-address rule, the http(s)-only rule and output paths
confined under output_dir, through the real daemon with allow_private =
false (run by private_addresses.sh inside a network namespace; argv[1] is
the origin's public-looking address there).

A canary listens on every address of the namespace (dual-stack [::], on its
own port and on port 80) and counts every connection it accepts: it must
count none. Seeds, links and redirects name it in every spelling; a seed
is refused at submit or ends with one record "blocked: private address …";
a link or redirect ends the same way; the check is on the address curl
connects to (a name resolving to 127.0.0.1 is caught, and 10.x, 192.168.x,
169.254.x … are refused before any connection: the canary listens there too).
IPv6 forms that carry 127.0.0.1 (v4-mapped, v4-compatible, NAT64, 6to4)
are judged by that address. Redirects to file:, ftp:, gopher:, dict: are
refused with an error that names the target ("url: redirect to … refused:
only http and https are followed"); such links never enter the frontier. --output cannot leave the
output root (.., absolute paths, a symlinked directory, a symlinked
pages.jsonl); a job's name never becomes a path; job ids must be integers."""
import os, socket, sys, threading, urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)
from daemon_lib import Daemon, check, dump_log_on_failure, finish  # noqa: E402
from hostile_server import HostileServer  # noqa: E402

ORIGIN_ADDR = sys.argv[1] if len(sys.argv) > 1 else "198.51.100.7"


class Canary:
    """Accepts on [::]:port (v4 and v6) and counts; closes at once."""

    def __init__(self, port=0):
        self.s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        self.s.bind(("::", port))
        self.s.listen(64)
        self.port = self.s.getsockname()[1]
        self.count = 0
        self.peers = []
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while True:
            try:
                c, a = self.s.accept()
            except OSError:
                return
            self.count += 1
            self.peers.append(a)
            c.close()

    def close(self):
        self.s.close()


def spellings(port):
    """Host spellings that all mean a private address, with the port."""
    p = ":%d" % port
    return ["127.0.0.1" + p, "2130706433" + p, "0177.0.0.1" + p, "0x7f000001" + p, "127.1" + p,
            "0x7f.1" + p, "127.000.000.001" + p, "[::1]" + p, "[::ffff:7f00:1]" + p,
            "[::ffff:127.0.0.1]" + p, "[::127.0.0.1]" + p, "localhost" + p, "localhost." + p,
            "LOCALHOST" + p, "0.0.0.0" + p, "0" + p, "[::]" + p, "169.254.9.9" + p,
            "10.1.2.3" + p, "192.168.7.7" + p, "172.16.5.5" + p, "100.64.1.1" + p,
            "[fd00::7]" + p, "[::ffff:a01:203]" + p, "[64:ff9b::7f00:1]" + p,
            "[2002:7f00:1::1]" + p, "localhost", "127.0.0.1"]  # the last two: port 80


def refused(url, err):
    """The record of a page at a private address: blocked at connect; a
    name with a trailing dot may not resolve at all (getaddrinfo does not
    read /etc/hosts for "localhost.") and is then a dns error."""
    err = err or ""
    if err.startswith("blocked: private address "):
        return True
    return "localhost." in url and err.startswith("dns: ")


def main():
    canary = Canary()
    canary80 = Canary(80)
    origin = HostileServer(bind=ORIGIN_ADDR).start()
    o = origin.origin
    d = Daemon("private", conf="[politeness]\ndelay_ms = 0\nper_host_concurrency = 4\n"
               "[limits]\npage_timeout_ms = 10000\n", workers=2, allow_private=False,
               crawl=True)
    outside = os.path.join(d.dir, "outside")
    os.makedirs(outside)
    targets = ["http://%s/canary" % h for h in spellings(canary.port)]
    try:
        d.start()
        # -- the origin itself is reachable (so the rule, not the network, refuses)
        jid = d.submit([o + "/ok"], "--depth", "0", "--no-js")
        d.wait_job(jid)
        recs = d.records(jid)
        check(len(recs) == 1 and recs[0].get("status") == 200,
              "the public-looking origin is fetched: %r" % recs)

        # -- seeds, one job each (a seed curl cannot parse is refused at submit)
        accepted, seed_norm = 0, {}
        for u in targets:
            rc, out, err = d.ctl("submit", "--depth", "0", "--no-robots", "--no-js", u)
            if rc != 0:
                check(rc == 1 and "bad URL" in err, "seed %s: refused at submit, rc=%d err=%r"
                      % (u, rc, err))
                continue
            accepted += 1
            j = int(out.strip())
            d.wait_job(j)
            r = d.records(j)
            if r:
                seed_norm[u] = r[0]["url"]
            check(len(r) == 1 and refused(u, r[0].get("error")),
                  "seed %s: one record, blocked: %r" % (u, [x.get("error") for x in r]))
        check(accepted >= len(targets) - 4, "most spellings parse as URLs (%d of %d): each "
              "reached the connect-time check" % (accepted, len(targets)))
        # The same seeds with robots.txt on: the robots fetch is refused too.
        # The page is disallowed (RFC 9309: robots.txt unreachable), and its
        # record names the block, not a bare "disallowed".
        rob = []
        for u in targets:
            rc, out, _ = d.ctl("submit", "--depth", "0", "--no-js", u)
            if rc == 0:
                rob.append((u, int(out.strip())))
        for u, j in rob:
            d.wait_job(j)
            r = d.records(j)
            pre = "robots: disallowed (robots.txt unreadable: "
            check(len(r) == 1 and (r[0].get("error") or "").startswith(pre)
                  and refused(u, r[0]["error"][len(pre):]),
                  "seed %s with robots.txt on: disallowed, naming the block: %r"
                  % (u, [x.get("error") for x in r]))

        # -- robots.txt that redirects to the canary: refused like any other
        # fetch; the host is then unreachable, so disallowed (RFC 9309).
        rorigin = HostileServer(bind=ORIGIN_ADDR, robots="redirect:http://127.1:%d/robots.txt"
                                % canary.port).start()
        try:
            jid = d.submit([rorigin.origin + "/page"], "--depth", "0", "--no-js")
            d.wait_job(jid)
            recs = d.records(jid)
            check(len(recs) == 1 and (recs[0].get("error") or "").startswith(
                "robots: disallowed (robots.txt unreadable: ") and "private" in recs[0]["error"],
                  "robots.txt redirecting to the canary: the page is disallowed: %r"
                  % [r.get("error") for r in recs])
            check(rorigin.stats.requests.get("/robots.txt") == 1 and
                  not rorigin.stats.requests.get("/page"), "robots.txt asked once, page never")
        finally:
            rorigin.stop()

        # -- links: a page on the origin links to every spelling (scope: anything)
        q = urllib.parse.urlencode([("u", u) for u in targets] +
                                   [("u", "file:///etc/passwd"), ("u", "ftp://%s/x" % ORIGIN_ADDR),
                                    ("u", "gopher://%s:70/1" % ORIGIN_ADDR),
                                    ("u", "dict://%s:2628/d:x" % ORIGIN_ADDR)])
        page = o + "/links?" + q
        jid = d.submit([page], "--depth", "1", "--scope", "regex:.*", "--no-robots", "--no-js")
        d.wait_job(jid, timeout=60)
        recs = d.records(jid)
        parent = [r for r in recs if r["url"] == page]
        check(len(parent) == 1 and parent[0].get("status") == 200, "the links page is fetched")
        links = parent[0].get("links", []) if parent else []
        check(all(l.startswith(("http://", "https://")) for l in links),
              "only http(s) links are kept: %r" % [l for l in links if not l.startswith("http")])
        check(set(links) == set(seed_norm.values()),
              "the links are the spellings accepted as seeds, normalised: %r != %r"
              % (sorted(links), sorted(set(seed_norm.values()))))
        print("  %d spellings, %d accepted as URLs, %d distinct after normalising"
              % (len(targets), accepted, len(set(seed_norm.values()))))
        for u in targets:
            print("    %-45s -> %s" % (u, seed_norm.get(u, "refused at submit")))
        by = {}
        for r in recs:
            by.setdefault(r["url"], []).append(r)
        for l in links:
            got = by.get(l, [])
            check(len(got) == 1 and refused(l, got[0].get("error")),
                  "link %s: one record, blocked: %r"
                % (l, [x.get("error") for x in got]))
        check(len(recs) == 1 + len(links), "one record per page (%d for %d links)"
              % (len(recs), len(links)))

        # -- redirects from the origin to every spelling and to other schemes
        redirs = {u: o + "/to?" + urllib.parse.urlencode({"u": u}) for u in targets}
        schemes = {u: o + "/to?" + urllib.parse.urlencode({"u": u}) for u in
                   ("file:///etc/passwd", "ftp://%s/x" % ORIGIN_ADDR,
                    "gopher://%s:70/1" % ORIGIN_ADDR, "dict://%s:2628/d:x" % ORIGIN_ADDR)}
        jid = d.submit(list(redirs.values()) + list(schemes.values()), "--depth", "0",
                       "--no-robots", "--no-js")
        d.wait_job(jid, timeout=60)
        recs = {r["url"]: r for r in d.records(jid)}
        check(len(recs) == len(redirs) + len(schemes), "one record per redirecting page")
        for u, seed in redirs.items():
            e = (recs.get(seed) or {}).get("error") or ""
            # A Location curl cannot parse fails as a url error; the others
            # must be stopped at connect.
            check(refused(u, e), "redirect to %s: blocked (%r)" % (u, e))
        for u, seed in schemes.items():
            e = (recs.get(seed) or {}).get("error") or ""
            check(e == "url: redirect to %s refused: only http and https are followed" % u
                  and recs[seed].get("final_url") == seed,
                  "redirect to %s: refused naming the scheme (%r)" % (u, e))
            print("  redirect to %-40s %s" % (u, e))

        check(canary.count == 0 and canary80.count == 0,
              "the canary was never reached (%d connections from %r, port 80: %d)"
              % (canary.count, canary.peers, canary80.count))

        # -- output paths
        root = d.out
        os.symlink(outside, os.path.join(root, "evil"))
        bad = ["../escape", "/tmp/crawld-private-escape", "a/../../escape", outside,
               "evil/newdir", "evil", root + "/../escape", ".", "./"]
        for want in bad:
            rc, out, err = d.ctl("submit", "--depth", "0", "--output", want, o + "/ok")
            check(rc == 1 and err.strip(), "--output %r refused (rc=%d err=%r)" % (want, rc, err))
        check(os.listdir(outside) == [], "nothing made outside the root: %r" % os.listdir(outside))
        check(not os.path.exists(os.path.join(d.dir, "escape")) and
              not os.path.exists("/tmp/crawld-private-escape"), "no escape directory")
        # A directory under the root whose pages.jsonl is a symlink out.
        pre = os.path.join(root, "pre")
        os.makedirs(pre)
        victim = os.path.join(outside, "victim")
        with open(victim, "w") as f:
            f.write("precious\n")
        os.symlink(victim, os.path.join(pre, "pages.jsonl"))
        rc, out, err = d.ctl("submit", "--depth", "0", "--output", "pre", o + "/ok")
        check(rc == 1, "--output over a symlinked pages.jsonl refused (rc=%d err=%r)" % (rc, err))
        with open(victim) as f:
            check(f.read() == "precious\n", "the file outside was not truncated or written")
        # Allowed: a new directory under the root, relative and absolute.
        for want in ("mine/deeper", os.path.join(root, "abs")):
            rc, out, err = d.ctl("submit", "--depth", "0", "--output", want, o + "/ok")
            check(rc == 0, "--output %r accepted (err=%r)" % (want, err))
            if rc == 0:
                d.wait_job(int(out.strip()))
                path = want if want.startswith("/") else os.path.join(root, want)
                check(os.path.isfile(os.path.join(path, "pages.jsonl")),
                      "--output %r: pages.jsonl written there" % want)
        # The name is never a path.
        rc, out, err = d.ctl("submit", "--depth", "0", "--name", "../../../tmp/x/../evil/",
                             o + "/ok")
        check(rc == 0, "a name with ../ is just a name (err=%r)" % err)
        if rc == 0:
            j = int(out.strip())
            d.wait_job(j)
            check(os.path.isfile(os.path.join(root, str(j), "pages.jsonl")),
                  "that job writes to OUTPUT/ID")
        check(os.listdir(outside) == ["victim"], "still nothing made outside: %r"
              % os.listdir(outside))
        for bad_id in ("../1", "1/..", "/etc/passwd", 1.5, -1, True):
            r = d.request({"cmd": "job", "id": bad_id})
            check(r.get("ok") is False, "job id %r refused: %r" % (bad_id, r))
        check(d.proc.poll() is None, "crawld still running")
        check(d.stop() == 0, "crawld exits 0 on SIGTERM")
    finally:
        dump_log_on_failure(d)
        check(d.cleanup(), "no worker left behind")
        origin.stop()
        canary.close()
        canary80.close()
    finish("private_addresses")


if __name__ == "__main__":
    main()
