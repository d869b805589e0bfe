#!/usr/bin/env bash
# contrib/grafana/crawld.json queries only what crawld exports: every metric
# name, label and label value it names is in a real `crawlctl metrics`
# (tests/integration/grafana.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start --site-pages 20
trap httpd_stop EXIT
python3 tests/integration/grafana.py "$HTTPD_URL" contrib/grafana/crawld.json
