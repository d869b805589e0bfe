#!/usr/bin/env bash
# Fault: workers that break the channel protocol (garbage bytes, a frame
# header claiming 4 GB, a result for a task they do not run, JSON that is
# not a message) are killed and never trusted; their pages go back and are
# quarantined with the reason; crawld keeps serving
# (tests/faults/hostile_worker.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
export CRAWLD_TEST_LOGFMT=1  # every line crawld logs must parse (tests/logfmt_check.py)
source tests/server/start.sh
httpd_start
trap httpd_stop EXIT
python3 tests/faults/hostile_worker.py "$HTTPD_URL"
