#!/usr/bin/env bash
# Sitemaps (--sitemaps): robots.txt's Sitemap lines, an index, a urlset, a
# gzip body and a gzip Content-Encoding, nested indexes and a cycle,
# /sitemap.xml of a seed's host, the protocol's URL limit, malformed XML,
# and kill -9 of crawld while sitemap URLs are crawled
# (tests/integration/crawl_sitemaps.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/start.sh
httpd_start --site-pages 20
trap httpd_stop EXIT
python3 tests/integration/crawl_sitemaps.py "$HTTPD_URL"
