#!/usr/bin/env bash
# crawld budgets and recycling with real workers (daemon_recycle.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start --site-pages 100
trap httpd_stop EXIT
python3 tests/integration/daemon_recycle.py "$HTTPD_URL"
