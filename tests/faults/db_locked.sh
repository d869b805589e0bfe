#!/usr/bin/env bash
# Fault: another process holds the write lock on crawld's SQLite database
# mid-crawl: for less than the busy timeout crawld waits; for longer the
# job is held (paused, retried every few seconds) with one clear log line,
# and goes on when the lock is gone; every page exactly once
# (tests/faults/db_locked.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
export CRAWLD_TEST_LOGFMT=1  # every line crawld logs must parse (tests/logfmt_check.py)
source tests/server/start.sh
httpd_start --site-pages 300
trap httpd_stop EXIT
python3 tests/faults/db_locked.py "$HTTPD_URL"
