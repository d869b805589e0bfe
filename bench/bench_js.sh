#!/usr/bin/env bash
# bench_js — page JavaScript: one crawld worker against headless Chromium on
# a generated site whose links exist only after the pages' scripts ran
# (appendChild, innerHTML, document.write, nested setTimeout,
# DOMContentLoaded, fetch() of JSON, data-href elements, shared external
# scripts; every page also makes a few thousand throwaway objects).
# Targets (issue "JavaScript"): crawld's JS pages/s >= 10x Chromium's,
# worker memory <= 1/5 of Chromium's, worker RSS drift <= 5% from page 500
# to page 5,000. The site is written to a temp dir and served by nginx
# (Debian's nginx-light; python3 -m http.server when nginx is missing).
# Chromium runs on the first min(PAGES, 1000) pages (CHROMIUM_PAGES=N to
# change; BENCH_JS_CHROMIUM=0 to skip it). Details: bench/bench_js.py.
# The report goes to stdout and bench/results/bench_js.txt. Exit 1 when more
# than 1% of the pages came out with the wrong links.
# usage: bench/bench_js.sh [BUILD_DIR] [PAGES]
set -euo pipefail
OUT=${1:-build}
PAGES=${2:-5000}
cd "$(dirname "$0")/.."
BIN=$(cd "$OUT" && pwd)
[ -x "$BIN/crawld-worker" ] || { echo "bench_js: $BIN/crawld-worker not found (make -j2)" >&2; exit 1; }
# What the bench needs from Debian, installed when missing and running as root.
need=()
command -v chromium >/dev/null || [ "${BENCH_JS_CHROMIUM:-1}" = 0 ] || need+=(chromium)
command -v nginx >/dev/null || need+=(nginx-light)
# shellcheck source=harness.sh
source bench/harness.sh
harness_install "${need[@]}"
harness_tmp bench_js
D=$HARNESS_TMP
python3 bench/bench_js.py gen "$D/site" "$PAGES"
harness_serve "$D/site" /expected.json "${BENCH_JS_SERVER:-nginx}"
mkdir -p bench/results
# The driver stops Chromium and the worker when it gets SIGTERM.
harness_drive python3 bench/bench_js.py run --bin "$BIN" --base "$HARNESS_URL" --site "$D/site" \
    --pages "$PAGES" --tmp "$D" --server "$HARNESS_SERVER" --out bench/results/bench_js.txt \
    ${CHROMIUM_PAGES:+--chromium-pages "$CHROMIUM_PAGES"}
