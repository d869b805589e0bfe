#!/usr/bin/env bash
# Several pages queued behind each worker, and result coalescing
# (daemon_queue.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start --site-pages 400
trap httpd_stop EXIT
python3 tests/integration/daemon_queue.py "$HTTPD_URL"
