#!/usr/bin/env bash
# crawld end to end: config, pool, submit → records, status, control input
# limits, 200 clients, SIGTERM drain (tests/integration/daemon_basic.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start --site-pages 100
trap httpd_stop EXIT
python3 tests/integration/daemon_basic.py "$HTTPD_URL"
