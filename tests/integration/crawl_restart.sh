#!/usr/bin/env bash
# Exactly once across crashes: kill -9 of crawld mid-crawl (twice, and with
# a torn uncommitted line in pages.jsonl), restart, the exact set once; 50
# jobs submitted at once (tests/integration/crawl_restart.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start --site-pages 400
trap httpd_stop EXIT
python3 tests/integration/crawl_restart.py "$HTTPD_URL"
