#!/usr/bin/env bash
# soak — the real daemon crawls a generated 50,000-page JS site (the pages of
# bench/bench_js.py: links made by scripts, throwaway objects on every page)
# for DURATION seconds (default 1800), served by nginx (python3 -m
# http.server when nginx is missing); the RSS of crawld and of every worker
# is sampled each second into bench/results/soak-STAMP.dat and drawn with
# gnuplot into bench/results/soak-STAMP.png; the trend check (mean of the
# last 10% of the run against the second 10%, the first being start-up, and
# a least-squares slope after the first 10%) goes to stdout and
# bench/results/soak-STAMP.txt. Exit 1 when crawld's or the workers' RSS
# ends more than SOAK_MAX_GROWTH percent (default 10) above that baseline.
# crawld's RSS includes SQLite's page cache (store.c: cache_size 32 MB), which
# fills as the frontier grows: in a short run it rises with the known URLs
# and levels off once the cache is full. `crawlctl status --json` gives its
# size (db_cache_mb), so crawld's trend is checked on its RSS without it,
# and the cache against its cap; both are drawn.
# Not part of make test or make bench: run it by hand.
# usage: bench/soak.sh [BUILD_DIR] [DURATION_S] [PAGES]
# env: SOAK_WORKERS (2), SOAK_SITE (a directory to keep the generated site in
# and reuse; default a temp dir removed at exit), SOAK_MAX_GROWTH (10)
set -euo pipefail
OUT=${1:-build}
DURATION=${2:-1800}
PAGES=${3:-50000}
cd "$(dirname "$0")/.."
BIN=$(cd "$OUT" && pwd)
[ -x "$BIN/crawld" ] || { echo "soak: $BIN/crawld not found (make -j2)" >&2; exit 1; }
need=()
command -v nginx >/dev/null || need+=(nginx-light)
command -v gnuplot >/dev/null || need+=(gnuplot-nox)
# shellcheck source=harness.sh
source bench/harness.sh
harness_install "${need[@]}"
harness_tmp soak
SITE=${SOAK_SITE:-$HARNESS_TMP/site}
if [ -f "$SITE/expected.json" ] &&
    python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["pages"] != int(sys.argv[2]))' \
        "$SITE/expected.json" "$PAGES"; then
    echo "soak: reusing the site in $SITE" >&2
else
    python3 bench/bench_js.py gen "$SITE" "$PAGES"
fi
harness_serve "$SITE" /index.html
mkdir -p bench/results
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
R=bench/results/soak-$STAMP
harness_drive python3 bench/soak.py run --bin "$BIN" --base "$HARNESS_URL" --pages "$PAGES" \
    --duration "$DURATION" --workers "${SOAK_WORKERS:-2}" --max-growth "${SOAK_MAX_GROWTH:-10}" \
    --data "$R.dat" --png "$R.png" --report "$R.txt"
