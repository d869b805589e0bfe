#!/usr/bin/env bash
# crawlctl submit --extract NAME=SELECTOR[@attr]: the record's fields
# through the real daemon, against the test server's tests/fixtures/extract/
# pages and, cross-checked with lxml + cssselect, Debian's python3-doc pages
# (tests/integration/crawl_extract.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start
trap httpd_stop EXIT
python3 tests/integration/crawl_extract.py "$HTTPD_URL"
