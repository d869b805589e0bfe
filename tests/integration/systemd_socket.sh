#!/usr/bin/env bash
# Socket activation as systemd does it: the test binds the control socket,
# crawld gets it as fd 3 with LISTEN_FDS=1 and LISTEN_PID=its pid, crawlctl
# talks to it; a request waiting in the backlog across a restart is served
# (tests/integration/systemd_socket.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start --site-pages 20
trap httpd_stop EXIT
python3 tests/integration/systemd_socket.py "$HTTPD_URL"
