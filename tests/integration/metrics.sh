#!/usr/bin/env bash
# crawlctl metrics: Prometheus text that promtool accepts, and numbers that
# match the records, `crawlctl status --json` and the recycles asked for
# (tests/integration/metrics.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start --site-pages 40
trap httpd_stop EXIT
python3 tests/integration/metrics.py "$HTTPD_URL"
