#!/usr/bin/env bash
# crawld crawls: the exact page set of a known link graph, each page once;
# depth and max-pages exact; every scope rule; redirects into and out of
# scope; nofollow; --output and bad option refusals (tests/integration/crawl_basic.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start --site-pages 120
trap httpd_stop EXIT
python3 tests/integration/crawl_basic.py "$HTTPD_URL"
