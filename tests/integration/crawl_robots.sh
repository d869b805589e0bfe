#!/usr/bin/env bash
# robots.txt (RFC 9309) and politeness: Disallow honoured without a fetch,
# our product token's group, 4xx/5xx policy, --no-robots, Crawl-delay and
# its cap, delay_ms, a slow host never stalls another, cancel/pause/resume
# (tests/integration/crawl_robots.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start --site-pages 60
trap httpd_stop EXIT
python3 tests/integration/crawl_robots.py "$HTTPD_URL"
