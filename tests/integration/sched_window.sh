#!/usr/bin/env bash
# A freed host's rows past the scheduler's row cache go without waiting
# for the busy host's rows ahead of them (sched_window.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start --site-pages 50
trap httpd_stop EXIT
python3 tests/integration/sched_window.py "$HTTPD_URL"
