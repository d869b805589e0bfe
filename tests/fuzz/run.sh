#!/usr/bin/env bash
# Runs the libFuzzer targets built by tests/fuzz/fuzz.mk.
#
#   run.sh fuzz  OUT [NAME...]  each target for FUZZ_SECONDS (default 60)
#                               over its seeds and OUT/corpus/NAME
#   run.sh smoke OUT [NAME...]  replay tests/fuzz/regressions/NAME/*, then
#                               the seeds plus FUZZ_SMOKE_RUNS (2000) inputs
#                               (at most FUZZ_SMOKE_SECONDS, 10, per target)
#
# Crashes, leaks and timeouts are written to OUT/crashes/NAME/; logs to
# OUT/logs/. One line per target; exit 1 when any target failed.
set -u
MODE=${1:?usage: run.sh fuzz|smoke OUT [NAME...]}
OUT=${2:?usage: run.sh fuzz|smoke OUT [NAME...]}
shift 2
cd "$(dirname "$0")/../.."
HERE=tests/fuzz
[ $# -gt 0 ] || set -- control frame robots url config html scan
SECONDS_EACH=${FUZZ_SECONDS:-60}
SMOKE_RUNS=${FUZZ_SMOKE_RUNS:-2000}
SMOKE_SECONDS=${FUZZ_SMOKE_SECONDS:-10}

# Leaks are failures; UBSan stops at the first report.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Longest input each target is fuzzed with (the seeds may be longer).
max_len() {
    case $1 in
    html | scan) echo 65536 ;;
    robots) echo 16384 ;;
    control) echo 8192 ;;
    frame) echo 8192 ;;
    *) echo 4096 ;;
    esac
}

mkdir -p "$OUT/logs"
fail=0
for name in "$@"; do
    bin="$OUT/fuzz_$name"
    seeds="$HERE/corpus/$name"
    regr="$HERE/regressions/$name"
    crashes="$OUT/crashes/$name"
    log="$OUT/logs/$name.$MODE.log"
    mkdir -p "$crashes"
    if [ ! -x "$bin" ]; then
        echo "FAIL fuzz_$name: $bin not built"
        fail=1
        continue
    fi
    common=(-artifact_prefix="$crashes/" -timeout=25 -print_final_stats=1)
    dict="$HERE/$name.dict"
    [ "$name" = scan ] && dict="$HERE/html.dict" # the same language
    [ -f "$dict" ] && common+=(-dict="$dict")
    t0=$(date +%s)
    ok=1
    : >"$log"
    if [ "$MODE" = smoke ]; then
        # Each regression file run once, whole (no max_len cut).
        shopt -s nullglob
        cases=("$regr"/*)
        shopt -u nullglob
        if [ ${#cases[@]} -gt 0 ]; then
            "$bin" "${common[@]}" "${cases[@]}" >>"$log" 2>&1 || ok=0
        fi
        if [ $ok = 1 ]; then
            work=$(mktemp -d)
            "$bin" "${common[@]}" -runs="$SMOKE_RUNS" -max_total_time="$SMOKE_SECONDS" \
                -max_len="$(max_len "$name")" "$work" "$seeds" >>"$log" 2>&1 || ok=0
            rm -rf "$work"
        fi
        extra="regressions=${#cases[@]}"
    elif [ "$MODE" = fuzz ]; then
        work="$OUT/corpus/$name"
        mkdir -p "$work"
        "$bin" "${common[@]}" -max_total_time="$SECONDS_EACH" -max_len="$(max_len "$name")" \
            "$work" "$seeds" >>"$log" 2>&1 || ok=0
        extra="corpus=$(ls "$work" | wc -l)"
    else
        echo "run.sh: unknown mode $MODE" >&2
        exit 2
    fi
    secs=$(( $(date +%s) - t0 ))
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    if [ $ok = 1 ]; then
        printf 'PASS fuzz_%-8s %4ss  runs=%s exec/s=%s cov=%s ft=%s %s\n' "$name" "$secs" \
            "${runs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" "$extra"
    else
        fail=1
        printf 'FAIL fuzz_%-8s %4ss  (log: %s; crash files in %s)\n' "$name" "$secs" "$log" "$crashes"
        grep -E 'ERROR|SUMMARY|runtime error|Test unit written|deadly signal' "$log" | head -8 | sed 's/^/    /'
    fi
done
exit $fail
