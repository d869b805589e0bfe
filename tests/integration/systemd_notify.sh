#!/usr/bin/env bash
# sd_notify against a NOTIFY_SOCKET made by the test: READY=1 only once the
# socket answers and every worker is up, STATUS= lines, WATCHDOG=1 with
# WATCHDOG_PID set or unset (none for another pid), RELOADING/STOPPING
# (tests/integration/systemd_notify.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start --site-pages 20
trap httpd_stop EXIT
python3 tests/integration/systemd_notify.py "$HTTPD_URL"
