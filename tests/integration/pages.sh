#!/usr/bin/env bash
# Following a job's records: the control socket's "pages" command (only
# committed bytes, whole lines, paging by max_bytes, the long poll) and
# `crawlctl pages --follow` across a kill -9 of crawld
# (tests/integration/pages.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start --site-pages 400
trap httpd_stop EXIT
python3 tests/integration/pages.py "$HTTPD_URL"
