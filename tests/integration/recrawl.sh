#!/usr/bin/env bash
# Recrawls (crawlctl submit --since JOB): conditional requests with the
# earlier job's validators, 304s recorded as not_modified with WARC
# revisit records of the server-not-modified profile, a changed page in
# full, every earlier page reached again (tests/integration/recrawl.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start --site-pages 20
trap httpd_stop EXIT
python3 tests/integration/recrawl.py "$HTTPD_URL"
