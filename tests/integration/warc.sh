#!/usr/bin/env bash
# WARC output: `crawlctl submit --warc` writes crawl.warc.gz beside
# pages.jsonl; it is read back with an independent reader (warcio, the
# webrecorder JavaScript library from npm, installed into build/warcio on
# first use) and checked against pages.jsonl: warcinfo first, one response
# per page with its final URL and status, digests, request/response links,
# one gzip member per record; then kill -9 mid-crawl and restart: every page
# still in the WARC exactly once, readable to the end
# (tests/integration/warc.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}

# The reader. npm answers from its registry (a mirror on the CI machines);
# installed once per checkout, pinned.
WARCIO_VERSION=2.4.11
export WARCIO_DIR=$PWD/build/warcio
if [ ! -f "$WARCIO_DIR/node_modules/warcio/package.json" ] ||
   ! grep -q "\"version\": \"$WARCIO_VERSION\"" "$WARCIO_DIR/node_modules/warcio/package.json"; then
    if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
        mkdir -p "$WARCIO_DIR"
        (cd "$WARCIO_DIR" && timeout 300 npm install --no-audit --no-fund --no-save \
            --prefix "$WARCIO_DIR" "warcio@$WARCIO_VERSION" >"$WARCIO_DIR/install.log" 2>&1) ||
            echo "warc: npm install warcio@$WARCIO_VERSION failed (log: $WARCIO_DIR/install.log)"
    fi
fi
if [ ! -f "$WARCIO_DIR/node_modules/warcio/package.json" ]; then
    echo "########################################################################"
    echo "SKIP: warc: the warcio reader cannot be installed (node/npm missing or"
    echo "SKIP: the registry unreachable): WARC files checked by the test's own"
    echo "SKIP: gzip/record walk only, not by an independent reader"
    echo "########################################################################"
    export WARCIO_DIR=
fi

source tests/server/start.sh
httpd_start --site-pages 300
trap httpd_stop EXIT
python3 tests/integration/warc.py "$HTTPD_URL"
