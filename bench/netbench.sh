#!/usr/bin/env bash
# netbench — crawld, Scrapy and wget2 against ORIGINS loopback origins that
# answer after LATENCY ms (bench/netserver.py: a generated site of PAGES
# pages spread over them, HTTPS on a share of them with a CA made at run
# time), at each latency of LATENCIES with keep-alive on and once with it
# off; beside them the harness's ceiling (curl --parallel, one connection
# per origin). pages/s, CPU ms per page and peak RSS of each crawler's
# process tree, pages found, the share of the politeness and CPU limits
# reached (bench/netbench.py says how each is measured).
# Results: $RESULTS/netbench.md (and netbench.json, netbench-TIMESTAMP.md).
# Installs what is missing (Debian: wget2 python3-scrapy openssl curl; as root).
# usage: bench/netbench.sh [BUILD_DIR]
#   env: LATENCIES ("0 50 200") ORIGINS (100) PAGES (1000) HTTPS_SHARE (0.2)
#        KEEPALIVE_OFF_MS (50: the latency of the keep-alive-off row; -1: none)
#        BANDWIDTH (bytes/s per connection, 0: none) PROCS (netserver
#        processes, 1) TIMEOUT (300 s a crawl) ONLY (ceiling,crawld,scrapy,wget2)
#        RESULTS (bench/results) CRAWLD_CONF (more crawld keys for a trial:
#        "[daemon] coalesce_us = 0; [limits] max_attempts = 3")
#        QUICK=1: PAGES 200, ORIGINS 50, KEEPALIVE_OFF_MS 50 (under 2 minutes)
# A full run with the defaults takes 5 to 10 minutes on two cores.
set -euo pipefail
OUT=${1:-build}
if [ "${QUICK:-0}" = 1 ]; then
    PAGES=${PAGES:-200}
    ORIGINS=${ORIGINS:-50}
fi
LATENCIES=${LATENCIES:-0 50 200}
ORIGINS=${ORIGINS:-100}
PAGES=${PAGES:-1000}
HTTPS_SHARE=${HTTPS_SHARE:-0.2}
KEEPALIVE_OFF_MS=${KEEPALIVE_OFF_MS:-50}
BANDWIDTH=${BANDWIDTH:-0}
PROCS=${PROCS:-1}
TIMEOUT=${TIMEOUT:-300}
ONLY=${ONLY:-ceiling,crawld,scrapy,wget2}
RESULTS=${RESULTS:-bench/results}
cd "$(dirname "$0")/.."
BIN=$(cd "$OUT" && pwd)
for b in crawld crawld-worker crawlctl; do
    [ -x "$BIN/$b" ] || { echo "netbench: $BIN/$b not found (make -j2)" >&2; exit 1; }
done

# shellcheck source=harness.sh
source bench/harness.sh
need=()
command -v wget2 >/dev/null || need+=(wget2)
command -v scrapy >/dev/null || need+=(python3-scrapy)
command -v openssl >/dev/null || need+=(openssl)
command -v curl >/dev/null || need+=(curl)
harness_need "${need[@]}"

D=$(mktemp -d /tmp/netbench.XXXXXX)
PY=""
cleanup() {
    if [ -n "$PY" ]; then kill "$PY" 2>/dev/null || true; wait "$PY" 2>/dev/null || true; fi
    rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$RESULTS"
cmd="bench/netbench.sh"
[ "${QUICK:-0}" = 1 ] && cmd="QUICK=1 $cmd"
cmd="${CRAWLD_CONF:+CRAWLD_CONF='$CRAWLD_CONF' }LATENCIES='$LATENCIES' ORIGINS=$ORIGINS PAGES=$PAGES HTTPS_SHARE=$HTTPS_SHARE KEEPALIVE_OFF_MS=$KEEPALIVE_OFF_MS BANDWIDTH=$BANDWIDTH PROCS=$PROCS $cmd"
t0=$(date +%s)
# In the background and waited for, so a signal runs the trap at once.
python3 bench/netbench.py --bin "$BIN" --tmp "$D" --out-json "$RESULTS/netbench.json" \
    --out-md "$RESULTS/netbench.md" --latencies "$LATENCIES" --origins "$ORIGINS" \
    --pages "$PAGES" --https-share "$HTTPS_SHARE" --bandwidth "$BANDWIDTH" \
    --keepalive-off-ms "$KEEPALIVE_OFF_MS" --procs "$PROCS" --timeout "$TIMEOUT" \
    --only "$ONLY" --crawld-conf "${CRAWLD_CONF:-}" --command "$cmd" &
PY=$!
rc=0
wait "$PY" || rc=$?
PY=""
[ $rc -eq 0 ] || { echo "netbench: failed (exit $rc)" >&2; exit $rc; }
cp "$RESULTS/netbench.md" "$RESULTS/netbench-$(date -u +%Y%m%dT%H%M%SZ).md"
echo "netbench: $(($(date +%s) - t0)) s; table in $RESULTS/netbench.md"
