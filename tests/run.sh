#!/usr/bin/env bash
# Runs tests/deps_check.py, tests/docs_check.py, every Check suite in OUT/tests and every
# tests/integration/*.sh and tests/faults/*.sh script
# against the binaries in OUT; prints one line per suite and a closing
# "tests: N passed, N failed" line; exits non-zero on any failure.
set -u
OUT=${1:?usage: tests/run.sh OUTDIR}
OUT=$(cd "$OUT" && pwd)
cd "$(dirname "$0")/.."
export CRAWLD_BIN="$OUT"
export CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-60}
if [ "${CRAWLD_BUILD:-release}" = asan ]; then
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:halt_on_error=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    export CK_DEFAULT_TIMEOUT=240
fi
LOGDIR="$OUT/test-logs"
mkdir -p "$LOGDIR"
pass=0; fail=0; failed=()
run_one() {
    local name=$1; shift
    local log="$LOGDIR/$name.log"
    local t0=$(date +%s)
    if "$@" >"$log" 2>&1; then
        pass=$((pass + 1))
        printf 'PASS %-28s %3ss  %s\n' "$name" $(( $(date +%s) - t0 )) "$(grep -E '^[0-9]+%: Checks' "$log" | tail -1)"
    else
        fail=$((fail + 1)); failed+=("$name")
        printf 'FAIL %-28s (log: %s)\n' "$name" "$log"
        tail -n 40 "$log" | sed 's/^/    /'
    fi
}
# No circle among the modules' includes, and every function docs/daemon.md
# names exists (unit phase: run with TESTS=unit too).
run_one deps_check python3 tests/deps_check.py
run_one docs_check python3 tests/docs_check.py
for t in "$OUT"/tests/test_*; do
    [ -x "$t" ] || continue
    run_one "$(basename "$t")" "$t"
done
# The store's suite once more on PostgreSQL: a server of its own
# (tests/server/pg.sh), started and stopped around it.
if [ -x "$OUT/tests/test_store" ]; then
    run_one test_store_pg bash -c 'source tests/server/pg.sh && pg_run "$0"' "$OUT/tests/test_store"
fi
# TESTS=unit: the Check suites alone (CI runs them once more without
# CAP_SYS_RESOURCE: no suite may depend on raising a limit back).
[ "${TESTS:-all}" = unit ] && set -- || set -- tests/integration/*.sh tests/faults/*.sh
for s in "$@"; do
    [ -f "$s" ] || continue
    run_one "$(basename "$s" .sh)" bash "$s"
done
[ ${#failed[@]} -eq 0 ] || echo "failed: ${failed[*]}"
echo "tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
