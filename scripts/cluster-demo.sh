#!/usr/bin/env bash
# README, "Running on several machines": two crawld nodes on this host
# share one frontier on PostgreSQL. A private PostgreSQL server in a
# temporary directory (tests/server/pg.sh: initdb, a Unix socket only; as
# the postgres user when run as root), three origins of a sample site on
# 127.0.0.1, nodes a and b with the same [cluster] database and one output
# directory; a job submitted on a, followed on b; status --cluster, each
# node's share and export; then everything it started is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CRAWLD_BIN:-build}
BIN=$(cd "$BIN" && pwd)
source tests/server/pg.sh
DEMO=$(mktemp -d "${TMPDIR:-/tmp}/crawld-cluster-demo.XXXXXX")
HTTPD_PIDS=()
cleanup() {
    for n in a b; do
        "$BIN/crawlctl" -s "$DEMO/$n.sock" shutdown >/dev/null 2>&1 || true
    done
    for n in a b; do
        for _ in $(seq 50); do [ -S "$DEMO/$n.sock" ] || break; sleep 0.1; done
    done
    for p in "${HTTPD_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    pg_stop
    rm -rf "$DEMO"
}
trap cleanup EXIT

echo "== a PostgreSQL server of the demo's own (socket in its directory)"
pg_start
echo "   database: $PG_SPEC"
SEEDS=()
for i in 1 2 3; do
    python3 tests/server/httpd.py --port 0 --port-file "$DEMO/port$i" --site-pages 100 \
        2>/dev/null &
    HTTPD_PIDS+=($!)
done
for i in 1 2 3; do
    for _ in $(seq 100); do [ -s "$DEMO/port$i" ] && break; sleep 0.05; done
    SEEDS+=("http://127.0.0.1:$(cat "$DEMO/port$i")/site/")
done
mkdir -p "$DEMO/output"
for n in a b; do
    cat >"$DEMO/$n.conf" <<CONF
[daemon]
socket = $DEMO/$n.sock
state_dir = $DEMO/state-$n
output_dir = $DEMO/output
workers = 1
[politeness]
delay_ms = 0
[network]
allow_private = true
[cluster]
database = $PG_SPEC
node_id = $n
CONF
    mkdir -p "$DEMO/state-$n"
    echo "== starting node $n ([cluster] node_id = $n)"
    CRAWLD_LOG_LEVEL=warn "$BIN/crawld" -c "$DEMO/$n.conf"
done
echo "== node a: crawlctl submit --depth 4 ${SEEDS[*]}"
JOB=$("$BIN/crawlctl" -s "$DEMO/a.sock" submit --depth 4 "${SEEDS[@]}")
echo "   job $JOB"
echo "== node b: crawlctl wait $JOB"
"$BIN/crawlctl" -s "$DEMO/b.sock" wait "$JOB" --timeout 120
echo "== node b: crawlctl status --cluster"
"$BIN/crawlctl" -s "$DEMO/b.sock" status --cluster | sed 's/^/   /'
echo "== node b: crawlctl job $JOB (the cluster's counts)"
"$BIN/crawlctl" -s "$DEMO/b.sock" job "$JOB" | grep -E '^(state|done|failed|pending)' | sed 's/^/   /'
echo "== each node's file"
wc -l "$DEMO/output/$JOB"/pages.*.jsonl | sed 's/^/   /'
echo "== node a: crawlctl export $JOB (every node's committed records)"
"$BIN/crawlctl" -s "$DEMO/a.sock" export "$JOB" | python3 -c '
import collections, json, sys
recs = [json.loads(l) for l in sys.stdin]
urls = [r["url"] for r in recs]
print("   records: %d, unique URLs: %d" % (len(recs), len(set(urls))))
print("   by status:", dict(collections.Counter(r["status"] for r in recs)))'
