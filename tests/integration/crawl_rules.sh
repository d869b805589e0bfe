#!/usr/bin/env bash
# crawld's URL rules beside the scope: --exclude / --include filters (seeds
# always taken), internationalised hosts as one host, X-Robots-Tag and the
# Link header obeyed, --canonical (tests/integration/crawl_rules.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start
trap httpd_stop EXIT
python3 tests/integration/crawl_rules.py "$HTTPD_URL"
