#!/usr/bin/env python3
"""The Grafana dashboard (contrib/grafana/crawld.json) against a real
daemon's `crawlctl metrics`, so that it cannot rot when a metric is renamed:

* the dashboard is well-formed: a uid and title, panels with unique ids,
  a grid position, targets with a refId and an expression, the data source
  a variable;
* every metric name an expression or a variable's query names has a sample
  in the exposition of a daemon with a finished crawl (4xx, 5xx and 2xx
  records) and a job running;
* every label it groups by (`by (...)`), matches on (`{label="v"}`,
  `=~"a|b"`) or shows in a legend (`{{label}}`) is a label of those
  samples, and every value it matches is one crawld gives (`instance` is
  Prometheus's, not crawld's: left out).

usage: grafana.py BASE_URL DASHBOARD_JSON   (CRAWLD_BIN: the build directory)"""
import collections, json, os, re, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import check, dump_log_on_failure, finish, wait_for  # noqa: E402
from crawl_lib import crawl_daemon  # noqa: E402

BASE, DASH = sys.argv[1], sys.argv[2]
NAME = re.compile(r"\b(crawld_[A-Za-z0-9_]+)\b")
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
SELECTOR = re.compile(r"\b(crawld_[A-Za-z0-9_]+)\{([^}]*)\}")
MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)"')
BY = re.compile(r"\bby\s*\(([^)]*)\)")
LEGEND = re.compile(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")
OURS = lambda label: label != "instance"  # noqa: E731 - Prometheus adds instance


def exposition(text):
    """{name: {label: set(values)}} of every sample line."""
    out = collections.defaultdict(lambda: collections.defaultdict(set))
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not check(m is not None, "a sample line: %r" % line):
            continue
        out[m.group(1)]  # a sample without labels counts too
        for k, v in LABEL.findall(m.group(2) or ""):
            out[m.group(1)][k].add(v)
    return out


with open(DASH) as f:
    dash = json.load(f)
check(dash.get("uid") and dash.get("title") and isinstance(dash.get("panels"), list),
      "the dashboard has a uid, a title and panels")
ids = [p.get("id") for p in dash["panels"]]
check(len(ids) == len(set(ids)) and None not in ids, "panel ids unique")
exprs = []  # (panel title, expr, legend)
for p in dash["panels"]:
    gp = p.get("gridPos", {})
    check(all(isinstance(gp.get(k), int) for k in "xywh") and gp["x"] + gp["w"] <= 24,
          "panel %r has a grid position in 24 columns" % p.get("title"))
    check(p.get("datasource", {}).get("uid") == "${datasource}",
          "panel %r reads the data source variable" % p.get("title"))
    targets = p.get("targets") or []
    check(targets and all(t.get("refId") and t.get("expr") for t in targets),
          "panel %r has targets with refId and expr" % p.get("title"))
    exprs += [(p["title"], t["expr"], t.get("legendFormat", "")) for t in targets]
for v in dash.get("templating", {}).get("list", []):
    q = v.get("query")
    q = q.get("query") if isinstance(q, dict) else q
    if v.get("type") == "query":
        exprs.append(("variable " + v["name"], q, ""))
check(len(exprs) >= 20, "the dashboard queries something (%d expressions)" % len(exprs))

d = crawl_daemon("grafana")
try:
    d.start()
    # a finished crawl with records of every class the dashboard names
    seeds = [BASE + "/site/", BASE + "/status/404", BASE + "/status/500", BASE + "/reset"]
    jid = d.submit(seeds, "--no-js", "--depth", "1")
    rc, out, err = d.ctl("wait", str(jid), "--timeout", "90")
    check(rc in (0, 1), "crawl ended: %d %r %r" % (rc, out, err))
    # and one running (its pages show per job while it runs)
    run = d.submit([BASE + "/hang?s=60"], "--no-js", "--depth", "0")
    wait_for(lambda: d.job(run)["in_flight"] == 1, 20, "the running job's page in flight")
    rc, text, err = d.ctl("metrics")
    check(rc == 0 and "crawld_up" in text, "crawlctl metrics: %d %r" % (rc, err))
    have = exposition(text)
    names_used = set()
    for title, expr, legend in exprs:
        names = NAME.findall(expr)
        check(names, "%s: %r names a crawld metric" % (title, expr))
        names_used.update(names)
        for n in names:
            check(n in have, "%s: %s is in crawlctl metrics" % (title, n))
        labels = set()
        for m in BY.finditer(expr):
            labels.update(l.strip() for l in m.group(1).split(",") if l.strip())
        labels.update(LEGEND.findall(legend))
        for l in filter(OURS, labels):
            check(any(l in have.get(n, {}) for n in names),
                  "%s: label %r is on %s" % (title, l, "/".join(names)))
        for n, sel in SELECTOR.findall(expr):
            for l, op, val in MATCHER.findall(sel):
                if not OURS(l) or n not in have:
                    continue
                if not check(l in have[n], "%s: %s has label %r" % (title, n, l)):
                    continue
                for v in (val.split("|") if op in ("=~", "!~") else [val]):
                    check(v in have[n][l], "%s: %s{%s} takes the value %r (crawld gives %s)"
                          % (title, n, l, v, sorted(have[n][l])))
    print("grafana: %d expressions, %d metrics checked" % (len(exprs), len(names_used)))
    d.ctl("cancel", str(run))
    check(d.stop() == 0, "crawld exits 0 (no leak in the debug and asan builds)")
finally:
    dump_log_on_failure(d)
    d.stop()
    d.cleanup()
finish("grafana")
