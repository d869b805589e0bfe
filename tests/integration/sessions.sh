#!/usr/bin/env bash
# Sessions per job: --header on every request, --user / --bearer to the
# seeds' origin only (across links and redirects), --proxy and [network]
# proxy (tests/server/proxy.py), the address rule through a proxy, and no
# secret in any output (tests/integration/sessions.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start
trap httpd_stop EXIT
python3 tests/integration/sessions.py "$HTTPD_URL"
