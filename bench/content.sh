#!/usr/bin/env bash
# content — the cost of `--save text,html,dom,markdown`: the Python docs
# (Debian's python3-doc) crawled with JS through crawld twice, once without
# --save and once with every kind, same pages (--max-pages); pages/s and
# worker CPU per page of each, one run each. Release build:
#   make && bash bench/content.sh [BUILD_DIR] [MAX_PAGES] [WORKERS]
# (defaults build, 400, 2). Output on stdout and in
# bench/results/content.txt. Installs python3-doc when missing (as root).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(cd "${1:-build}" && pwd)
# shellcheck source=harness.sh
source bench/harness.sh
need=()
[ -d /usr/share/doc/python3/html ] || need+=(python3-doc)
command -v zstd >/dev/null || need+=(zstd)
harness_need "${need[@]}"
mkdir -p bench/results
{
    echo "# content  commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
        "date=$(date -u +%Y%m%dT%H%M%SZ) cpus=$(nproc) out=$OUT"
    CRAWLD_BIN=$OUT python3 bench/content.py /usr/share/doc/python3/html "${2:-400}" "${3:-2}"
} 2>&1 | tee bench/results/content.txt
