#!/usr/bin/env bash
# Runs every bench program already built in BUILD_DIR/bench (default build)
# and keeps each one's output in bench/results/NAME-TIMESTAMP.txt, plus
# bench/results/NAME.txt for the latest run. Builds nothing: run
# `make build/bench/bench_arena` (or `make bench`) first.
#
# Programs take no arguments, except those in NEEDS_HTTPD / bench_args
# below: they get the worker binary and the URL of tests/server/httpd.py,
# started once for the whole run (unless HTTPD_URL is already set) and
# stopped on exit. Exits non-zero when a program fails or none exists.
set -u
OUT=${1:-build}
cd "$(dirname "$0")/.."
if [ ! -d "$OUT/bench" ]; then
    echo "bench/run.sh: no $OUT/bench (build the bench programs first)" >&2
    exit 1
fi
OUT_ABS=$(cd "$OUT" && pwd)
RESULTS=bench/results
mkdir -p "$RESULTS"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)

# Programs that need the test HTTP server; it is started once, here.
NEEDS_HTTPD=(bench_pages)
for name in "${NEEDS_HTTPD[@]}"; do
    if [ -x "$OUT/bench/$name" ] && [ -z "${HTTPD_URL:-}" ]; then
        # shellcheck source=../tests/server/start.sh
        source tests/server/start.sh
        HTTPD_LOG=/dev/null httpd_start || { echo "bench/run.sh: cannot start httpd" >&2; exit 1; }
        trap httpd_stop EXIT
    fi
done

# Arguments for the programs that need them, one per line.
bench_args() {
    case $1 in
    bench_pages) printf '%s\n' "$OUT_ABS/crawld-worker" "$HTTPD_URL" ;;
    esac
}

ran=0; failed=0
for prog in "$OUT"/bench/bench_*; do
    [ -f "$prog" ] && [ -x "$prog" ] || continue
    name=$(basename "$prog")
    # bench_floor needs the URL list bench/bench_peers.sh makes: run there.
    [ "$name" = bench_floor ] && continue
    file="$RESULTS/$name-$stamp.txt"
    args=()
    argv=$(bench_args "$name")
    [ -n "$argv" ] && mapfile -t args <<<"$argv"
    {
        echo "# $name  commit=$commit  date=$stamp  host=$(uname -n)  cpus=$(nproc)  out=$OUT"
        "$prog" "${args[@]}"
    } >"$file" 2>&1
    rc=$?
    cp "$file" "$RESULTS/$name.txt"
    ran=$((ran + 1))
    if [ $rc -ne 0 ]; then
        failed=$((failed + 1))
        echo "FAIL $name (exit $rc, output in $file)"
    else
        echo "ok   $name -> $file"
    fi
    cat "$file"
    echo
done
if [ $ran -eq 0 ]; then
    echo "bench/run.sh: no bench programs in $OUT/bench" >&2
    exit 1
fi
[ $failed -eq 0 ]
