#!/usr/bin/env bash
# The HTTP API ([api] in crawld.conf) through the real daemon: every route,
# long polls, 400/401/404/405/413, the token file re-read on reload, limits,
# garbage, TLS, every request and answer checked against docs/openapi.yaml
# (tests/integration/api.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
command -v openssl >/dev/null || { echo "api: the openssl command is needed" >&2; exit 1; }
source tests/server/start.sh
httpd_start --site-pages 40
trap httpd_stop EXIT
python3 tests/integration/api.py "$HTTPD_URL"
