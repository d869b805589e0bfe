#!/usr/bin/env bash
# Fault: kill -9 of crawld at random moments, 10 times, through a crawl of a
# 2,000-page site; after each restart the job goes on, and at the end every
# page is in pages.jsonl exactly once (tests/faults/kill_crawld.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
export CRAWLD_TEST_LOGFMT=1  # every line crawld logs must parse (tests/logfmt_check.py)
source tests/server/start.sh
httpd_start --site-pages 2000
trap httpd_stop EXIT
python3 tests/faults/kill_crawld.py "$HTTPD_URL"
