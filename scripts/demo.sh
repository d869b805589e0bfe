#!/usr/bin/env bash
# The README's first command: serve a sample site on 127.0.0.1, start crawld
# with a scratch config (every other key at its built-in default), crawl the
# site, show progress, status and a summary of the pages found, then stop
# everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CRAWLD_BIN:-build}
BIN=$(cd "$BIN" && pwd)
source tests/server/start.sh
DEMO=$(mktemp -d "${TMPDIR:-/tmp}/crawld-demo.XXXXXX")
cleanup() {
    "$BIN/crawlctl" -s "$DEMO/crawld.sock" shutdown >/dev/null 2>&1 || true
    for _ in $(seq 50); do [ -S "$DEMO/crawld.sock" ] || break; sleep 0.1; done
    httpd_stop
}
trap cleanup EXIT
HTTPD_LOG=/dev/null httpd_start --site-pages 300

cat >"$DEMO/crawld.conf" <<CONF
[daemon]
socket = $DEMO/crawld.sock
state_dir = $DEMO/state
output_dir = $DEMO/output
[politeness]
delay_ms = 0
[network]
; the sample site is on 127.0.0.1, which crawld refuses by default
allow_private = true
CONF
mkdir -p "$DEMO/state" "$DEMO/output"
export CRAWLD_SOCKET="$DEMO/crawld.sock"

echo "== crawld --check-config (the effective config)"
"$BIN/crawld" -c "$DEMO/crawld.conf" --check-config | sed 's/^/   /'
echo "== starting crawld (2 workers) on $CRAWLD_SOCKET"
CRAWLD_LOG_LEVEL=warn "$BIN/crawld" -c "$DEMO/crawld.conf"
echo "== crawlctl submit --depth 4 --max-pages 200 $HTTPD_URL/site/"
JOB=$("$BIN/crawlctl" submit --depth 4 --max-pages 200 "$HTTPD_URL/site/")
echo "   job $JOB"
echo "== crawlctl wait $JOB"
"$BIN/crawlctl" wait "$JOB" --timeout 120
echo "== crawlctl status"
"$BIN/crawlctl" status
echo "== crawlctl job $JOB"
"$BIN/crawlctl" job "$JOB"
OUTFILE="$DEMO/output/$JOB/pages.jsonl"
echo "== summary of $OUTFILE"
python3 - "$OUTFILE" <<'PY'
import collections, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
urls = [r["url"] for r in recs]
print("   pages: %d (unique URLs: %d)" % (len(recs), len(set(urls))))
print("   by status:", dict(collections.Counter(r["status"] for r in recs)))
print("   by depth: ", dict(sorted(collections.Counter(r["depth"] for r in recs).items())))
print("   errors:   ", dict(collections.Counter((r["error"] or "none").split(":")[0] for r in recs)))
for r in recs[:5]:
    print("   %-45s %3s %-12s %2d links" % (r["url"][-45:], r["status"], r["title"], len(r["links"])))
PY
