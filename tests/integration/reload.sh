#!/usr/bin/env bash
# Config reload: crawlctl reload and SIGHUP apply a good file (log level,
# workers replaced one by one, reason reload), refuse a bad one with the
# reason and keep running, report restart-only keys, and lose or duplicate no
# page of a crawl running meanwhile (tests/integration/reload.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start --site-pages 20
trap httpd_stop EXIT
python3 tests/integration/reload.py "$HTTPD_URL"
