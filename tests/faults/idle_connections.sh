#!/usr/bin/env bash
# Fault: 10,000 idle connections to the control socket: past the client cap
# each is answered with the reason and closed at once; crawld's fds and
# memory stay bounded and it keeps answering (tests/faults/idle_connections.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
export CRAWLD_TEST_LOGFMT=1  # every line crawld logs must parse (tests/logfmt_check.py)
python3 tests/faults/idle_connections.py
