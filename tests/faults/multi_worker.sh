#!/usr/bin/env bash
# Fault: workers that keep many pages in flight (ready announces slots) and
# answer in completion order: out-of-order results, a death with one page
# being parsed, a page that kills every worker it reaches, parse and result
# frames for tasks not held, and dispatch within slots and per-host limits
# (tests/faults/multi_worker.py; fake workers, no HTTP server).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
export CRAWLD_TEST_LOGFMT=1  # every line crawld logs must parse (tests/logfmt_check.py)
python3 tests/faults/multi_worker.py
