#!/usr/bin/env bash
# Page JavaScript end to end: crawld-worker fetch --js against the fixture
# pages of tests/fixtures/jsite (exact links per technique, hostile scripts,
# --no-js), and a crawl through crawld whose links exist only after scripts
# (tests/integration/js_pages.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start
trap httpd_stop EXIT
python3 tests/integration/js_pages.py "$HTTPD_URL"
