#!/usr/bin/env bash
# bench_extract — the cost of --extract: Debian's python3-doc library/ pages
# (317 pages, served by nginx on 127.0.0.1) crawled by crawld without and
# with four --extract selectors, scripts off and on, one run each (RUNS to
# repeat); prints pages/s and the workers' CPU per page of each crawl
# (bench/bench_extract.py) and appends them to $RESULTS/extract.jsonl.
#
# usage: bench/bench_extract.sh [BUILD_DIR]     (default build)
#   env: RUNS (1) WORKERS (2) MODES ("no-js js") RESULTS (bench/results)
set -euo pipefail
cd "$(dirname "$0")/.."
export CRAWLD_BIN=${1:-${CRAWLD_BIN:-build}}
# shellcheck source=harness.sh
source bench/harness.sh
need=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ -d /usr/share/doc/python3/html ] || need+=(python3-doc)
harness_need "${need[@]}"
harness_tmp crawld-bench-extract
harness_serve /usr/share/doc/python3/html /library/index.html
echo "bench_extract: pages served by $HARNESS_SERVER at $HARNESS_URL"
harness_drive python3 bench/bench_extract.py "$HARNESS_URL/"
