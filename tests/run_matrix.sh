#!/usr/bin/env bash
# make test-matrix: the fault scripts that exercise scheduling, run once per
# configuration of tests/faults/matrix.conf (a pairwise covering set of the
# scheduling settings, one row the shipped defaults; matrix_cover.py checks
# the table first and fails when a pair is missing). Each run gets its row in
# $CRAWLD_MATRIX (tests/faults/matrix.py) and prints it; a failure names the
# row and the script. Logs in OUT/test-logs/matrix/ROW-SCRIPT.log.
#
#   bash tests/run_matrix.sh OUT [SCRIPT...]      (default: the four below)
#
# The crawls are scaled to fit the 10-minute budget on two cores: KILL_PAGES
# (default 450) pages over all hosts for kill_workers and kill_crawld, plus
# their ?ref= variants; CRASH_KILLS (default 6) kills of crawld. Release
# builds only: the debug and sanitizer builds take several times longer.
set -u
OUT=${1:?usage: tests/run_matrix.sh OUTDIR [SCRIPT...]}
shift
OUT=$(cd "$OUT" && pwd)
cd "$(dirname "$0")/.."
SCRIPTS=("$@")
[ ${#SCRIPTS[@]} -gt 0 ] || SCRIPTS=(kill_workers kill_crawld hostile_pages disk_full)
export CRAWLD_BIN="$OUT"
export KILL_PAGES=${KILL_PAGES:-450}
export CRASH_KILLS=${CRASH_KILLS:-6}
LOGDIR="$OUT/test-logs/matrix"
mkdir -p "$LOGDIR"

ROWS=$(python3 tests/faults/matrix_cover.py --self-test tests/faults/matrix.conf) || {
    echo "test-matrix: tests/faults/matrix.conf does not cover every pair (see above)"
    exit 1
}
echo "test-matrix: $(echo "$ROWS" | wc -l) configurations x ${#SCRIPTS[@]} scripts (every pair of values covered)"
t_all=$(date +%s)
pass=0; fail=0; failed=()
declare -A result
while IFS= read -r row; do
    name=${row%% *}; name=${name#name=}
    echo "== $row"
    result[$name]=""
    for s in "${SCRIPTS[@]}"; do
        log="$LOGDIR/$name-$s.log"
        t0=$(date +%s)
        if CRAWLD_MATRIX="$row" bash "tests/faults/$s.sh" >"$log" 2>&1; then
            pass=$((pass + 1))
            printf 'PASS %-14s %-9s %3ss\n' "$s" "$name" $(( $(date +%s) - t0 ))
            result[$name]+=" $s:pass"
        else
            fail=$((fail + 1)); failed+=("$s[$name]")
            printf 'FAIL %-14s %-9s %3ss  (config: %s; log: %s)\n' "$s" "$name" \
                $(( $(date +%s) - t0 )) "$row" "$log"
            grep -E '^FAIL' "$log" | cut -c1-400 | head -n 8 | sed 's/^/    /'
            result[$name]+=" $s:FAIL"
        fi
    done
done <<<"$ROWS"
echo "test-matrix: per configuration"
while IFS= read -r row; do
    name=${row%% *}; name=${name#name=}
    printf '  %-9s%s    (%s)\n' "$name" "${result[$name]}" "${row#name=$name }"
done <<<"$ROWS"
[ ${#failed[@]} -eq 0 ] || echo "failed: ${failed[*]}"
echo "test-matrix: $pass passed, $fail failed, $(( $(date +%s) - t_all ))s"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
