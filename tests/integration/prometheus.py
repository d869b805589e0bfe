#!/usr/bin/env python3
"""Prometheus for real: Debian's prometheus scrapes crawld's GET /metrics
(the HTTP API, with a bearer token from a credentials file) every second
during a crawl; read back through Prometheus's query API, up == 1 and the
job's crawld_pages_total (summed over its classes) equals the records in
its pages.jsonl once the job is done.

usage: prometheus.py BASE_URL   (tests/server/httpd.py; CRAWLD_BIN)"""
import json, os, subprocess, sys, tempfile, time, urllib.parse, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon_lib import SLOW, Daemon, check, dump_log_on_failure, finish, wait_for  # noqa: E402
from api_lib import free_port, token_file  # noqa: E402

BASE = sys.argv[1]
TOKEN = "prom-scrape-5d2c81"
tmp = tempfile.mkdtemp(prefix="crawld-prom.")
tokens = token_file(os.path.join(tmp, "tokens"), [TOKEN])
cred = os.path.join(tmp, "cred")
with open(cred, "w") as f:
    f.write(TOKEN)
api_port, prom_port = free_port(), free_port()
d = Daemon("prom", conf="\n[api]\nlisten = 127.0.0.1:%d\ntoken_file = %s\n" % (api_port, tokens))
with open(os.path.join(tmp, "prometheus.yml"), "w") as f:
    f.write("""global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: crawld
    authorization:
      type: Bearer
      credentials_file: %s
    static_configs:
      - targets: ["127.0.0.1:%d"]
""" % (cred, api_port))
prom = None


def query(q):
    url = "http://127.0.0.1:%d/api/v1/query?%s" % (prom_port, urllib.parse.urlencode({"query": q}))
    with urllib.request.urlopen(url, timeout=5) as r:
        res = json.load(r)
    if res.get("status") != "success" or not res["data"]["result"]:
        return None
    return float(res["data"]["result"][0]["value"][1])


try:
    d.start()
    prom = subprocess.Popen(["prometheus", "--config.file=" + os.path.join(tmp, "prometheus.yml"),
                             "--storage.tsdb.path=" + os.path.join(tmp, "data"),
                             "--web.listen-address=127.0.0.1:%d" % prom_port],
                            stdout=open(os.path.join(tmp, "prom.log"), "w"),
                            stderr=subprocess.STDOUT)
    wait_for(lambda: query('up{job="crawld"}') == 1.0, 30, "Prometheus: up == 1")
    rc, out, err = d.ctl("submit", "--no-js", "--depth", "10", "--max-pages", "40",
                         "--delay-ms", "60", BASE + "/site/")
    jid = int(out.strip())
    seen_running = wait_for(lambda: query('crawld_job_info{exported_job="%d",state="running"}'
                                          % jid) or query('crawld_job_pages{exported_job="%d"}'
                                                          % jid), 30, "a scrape during the crawl")
    check(bool(seen_running), "Prometheus scraped the job while it ran")
    rc, out, err = d.ctl("wait", str(jid), "--timeout", "120")
    check(rc == 0, "the job ends: %d %r" % (rc, err))
    recs = d.records(jid)
    q = 'sum(crawld_pages_total{exported_job="%d"})' % jid
    got = wait_for(lambda: query(q) == len(recs), 20, "%s == %d" % (q, len(recs)))
    check(got and len(recs) == 40, "Prometheus reads %s = %r, pages.jsonl has %d records"
          % (q, query(q), len(recs)))
    check(query('up{job="crawld"}') == 1.0, "up == 1 after the crawl")
    n = query('count_over_time(up{job="crawld"}[1m])')
    check(n is not None and n >= 3, "several scrapes (%r)" % n)
    print("prometheus: %s = %r after %r scrapes" % (q, query(q), n))
    check(TOKEN not in d.log_text(), "the scrape token is not in crawld's log")
finally:
    if prom:
        prom.terminate()
        try:
            prom.wait(timeout=20)
        except subprocess.TimeoutExpired:
            prom.kill()
            prom.wait()
    check(d.stop() == 0, "crawld exits 0 (no leak in the debug and asan builds)")
    dump_log_on_failure(d)
    d.cleanup()
finish("prometheus")
