#!/usr/bin/env bash
# What a page leaves (crawlctl submit --save): content.jsonl.zst with every
# kind right on known pages, one record per page in the same group commit
# as pages.jsonl (exactly once across kill -9), the size cap, bad --save
# and content_max_kb refused; then the Python docs (python3-doc) crawled
# with JS and --save dom,markdown (tests/integration/content.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start
trap httpd_stop EXIT
python3 tests/integration/content.py "$HTTPD_URL"
