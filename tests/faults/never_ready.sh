#!/usr/bin/env bash
# Fault: a worker that never says "ready" is killed after
# [limits] worker_start_timeout_ms, counted as a start failure and replaced
# with backoff; one clear log line; the daemon keeps answering
# (tests/faults/never_ready.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
export CRAWLD_TEST_LOGFMT=1  # every line crawld logs must parse (tests/logfmt_check.py)
python3 tests/faults/never_ready.py
