#!/usr/bin/env bash
# bench_daemon — pages per second through crawld (2 workers) against the
# worker loop alone on small local pages, and crawld's RSS with 2 and 16
# workers. Release build: `make && bash bench/bench_daemon.sh [BUILD_DIR]
# [PAGES] [ROUNDS]`. Output on stdout and in bench/results/bench_daemon.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(cd "${1:-build}" && pwd)
source tests/server/start.sh
httpd_start --site-pages 500
trap httpd_stop EXIT
mkdir -p bench/results
{
    echo "# bench_daemon  commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
        "date=$(date -u +%Y%m%dT%H%M%SZ) cpus=$(nproc) out=$OUT"
    python3 bench/bench_daemon.py "$OUT" "$HTTPD_URL" "${2:-2000}" "${3:-3}"
} 2>&1 | tee bench/results/bench_daemon.txt
