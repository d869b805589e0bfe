#!/usr/bin/env bash
# The README's first command: serve a sample site on 127.0.0.1 and render
# pages of it with the worker, no daemon needed. Later stages add crawld.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start --site-pages 50
trap httpd_stop EXIT
echo "== sample site on $HTTPD_URL/site/"
echo "== crawld-worker fetch $HTTPD_URL/site/p/7.html (the page record)"
"$BIN/crawld-worker" fetch "$HTTPD_URL/site/p/7.html" | python3 -m json.tool
echo "== its links"
"$BIN/crawld-worker" fetch --dump links "$HTTPD_URL/site/p/7.html"
echo "== a gzip bomb stops at the body cap (exit 1, error too_large)"
"$BIN/crawld-worker" fetch "$HTTPD_URL/gzipbomb?mb=1024" || echo "exit $?"
