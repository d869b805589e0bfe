#!/usr/bin/env bash
# crawld backs off when a server asks: 503/429 with Retry-After (both
# forms), 503 for ever (gives up after max_retries), a connection reset and
# an empty reply are retried, each page recorded once with its retries; a
# host backing off holds up no other host; retry state survives kill -9
# (tests/integration/retry_backoff.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start --site-pages 40
trap httpd_stop EXIT
python3 tests/integration/retry_backoff.py "$HTTPD_URL"
