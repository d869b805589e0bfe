#!/usr/bin/env bash
# crawld with workers that cannot start, kill -9 of crawld, peer credentials (daemon_backoff.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start --site-pages 100
trap httpd_stop EXIT
python3 tests/integration/daemon_backoff.py "$HTTPD_URL"
