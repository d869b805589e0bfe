#!/usr/bin/env bash
# Fault: kill -9 of random busy workers every 300 ms through a 2,000-page
# crawl; every page ends up in pages.jsonl exactly once
# (tests/faults/kill_workers.py). Run by tests/run.sh with the integration
# scripts.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
export CRAWLD_TEST_LOGFMT=1  # every line crawld logs must parse (tests/logfmt_check.py)
source tests/server/start.sh
httpd_start --site-pages 2000
trap httpd_stop EXIT
python3 tests/faults/kill_workers.py "$HTTPD_URL"
