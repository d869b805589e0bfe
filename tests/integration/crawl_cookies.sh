#!/usr/bin/env bash
# A job's cookie jar: cookies set by pages reach the job's later pages on
# any worker and across kill -9 of crawld; --cookies FILE seeds the jar; a
# cookie's value is never in pages.jsonl, the log, status or the WARC
# (tests/integration/crawl_cookies.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start
trap httpd_stop EXIT
python3 tests/integration/crawl_cookies.py "$HTTPD_URL"
