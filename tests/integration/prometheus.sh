#!/usr/bin/env bash
# Debian's prometheus scrapes crawld's GET /metrics (the HTTP API) during a
# crawl; its query API then says up == 1 and the job's crawld_pages_total
# equals the records in pages.jsonl (tests/integration/prometheus.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
command -v prometheus >/dev/null || { echo "prometheus: the prometheus command is needed" >&2; exit 1; }
source tests/server/start.sh
httpd_start --site-pages 60
trap httpd_stop EXIT
python3 tests/integration/prometheus.py "$HTTPD_URL"
