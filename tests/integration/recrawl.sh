#!/usr/bin/env bash
# Recrawls (crawlctl submit --since JOB): conditional requests with the
# earlier job's validators, 304s recorded as not_modified with WARC
# revisit records of the server-not-modified profile, a changed page in
# full, every earlier page reached again (tests/integration/recrawl.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
# warcio (installed by warc.sh into build/warcio) reads the revisit records
# too when it is there
export WARCIO_DIR=${WARCIO_DIR:-$PWD/build/warcio}
[ -f "$WARCIO_DIR/node_modules/warcio/package.json" ] || WARCIO_DIR=
source tests/server/start.sh
httpd_start --site-pages 20
trap httpd_stop EXIT
python3 tests/integration/recrawl.py "$HTTPD_URL"
