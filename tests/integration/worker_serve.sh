#!/usr/bin/env bash
# crawld-worker loop mode (fd 3 frames), driven as crawld drives it.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start --site-pages 100
trap httpd_stop EXIT
python3 tests/integration/serve_driver.py "$BIN/crawld-worker" "$HTTPD_URL"
