#!/usr/bin/env bash
# compare — is AFTER_REV within noise of BEFORE_REV? Builds both revisions
# (release, `make -j2`) in trees of their own and runs, interleaved, RUNS
# times each: bench_daemon.py (pages/s through crawld, CPU per page, crawld's
# RSS with 2 and 16 workers) and bench_peers.py's crawld rows (crawld --no-js
# and --js on the corpora `gen` and `pydocs`, served by nginx). Prints the
# median of each metric before and after, after/before, and whether that
# ratio is within ±TOLERANCE %; writes the table to $RESULTS/compare.md.
#
# usage: bench/compare.sh BEFORE_REV AFTER_REV [RUNS]     (RUNS: 5)
#   env: PAGES (gen corpus, 2000) JS_SHARE (0.3) MAX_PAGES (PAGES+1000)
#        TIMEOUT (600 s a crawl) WORKERS (2) CORPORA ("gen pydocs")
#        DAEMON_PAGES (2000) DAEMON_ROUNDS (3): bench_daemon.py's PAGES ROUNDS
#        TOLERANCE (5, in %) RESULTS (bench/results)
#        AFTER_OPTS (options the after side's crawld rows add to
#        `crawlctl submit`: with BEFORE_REV = AFTER_REV, the cost of a
#        feature, e.g. AFTER_OPTS="--sitemaps"; bench_daemon's rows go
#        without them)
#        TREES (${TMPDIR:-/tmp}/crawld-compare: one tree per commit, kept and
#        reused by later comparisons; `rm -rf` it when done)
#
# Same harness for both sides: the bench scripts, test server and nginx of
# this checkout, started once; only the binaries differ. Each run measures
# every benchmark for both revisions back to back, which one goes first
# alternating (before/after, then after/before), so load from elsewhere
# falls on both alike. Installs nginx-light and python3-doc when missing
# (as root), like bench_peers.sh. Raw runs: $RESULTS/compare-raw.jsonl.
set -euo pipefail
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    sed -n '10,20p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
cd "$(dirname "$0")/.."
RUNS=${3:-5}
PAGES=${PAGES:-2000}
JS_SHARE=${JS_SHARE:-0.3}
MAX_PAGES=${MAX_PAGES:-$((PAGES + 1000))}
TIMEOUT=${TIMEOUT:-600}
WORKERS=${WORKERS:-2}
CORPORA=${CORPORA:-gen pydocs}
DAEMON_PAGES=${DAEMON_PAGES:-2000}
DAEMON_ROUNDS=${DAEMON_ROUNDS:-3}
TOLERANCE=${TOLERANCE:-5}
RESULTS=${RESULTS:-bench/results}
TREES=${TREES:-${TMPDIR:-/tmp}/crawld-compare}
case $RUNS in '' | *[!0-9]* | 0) echo "compare: RUNS must be a positive number" >&2; exit 2 ;; esac
before=$(git rev-parse --verify -q "$1^{commit}") || { echo "compare: no commit $1" >&2; exit 2; }
after=$(git rev-parse --verify -q "$2^{commit}") || { echo "compare: no commit $2" >&2; exit 2; }
t_start=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# shellcheck source=harness.sh
source bench/harness.sh
# nginx for the corpora and the Python docs, as bench_peers.sh installs them.
need=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ -d /usr/share/doc/python3/html ] || need+=(python3-doc)
harness_need "${need[@]}"

# One tree per commit, extracted with git archive (no worktree to register)
# into a temporary name and renamed once whole; `make` then builds what is
# missing, nothing when an earlier comparison built it already.
build_tree() {
    local sha=$1 tree=$TREES/$1 t0
    if [ ! -d "$tree" ]; then
        mkdir -p "$TREES"
        rm -rf "$tree.part"
        mkdir "$tree.part"
        git archive "$sha" | tar -x -C "$tree.part"
        mv "$tree.part" "$tree"
    fi
    t0=$(date +%s)
    echo "compare: make -j2 in $tree (${sha:0:10})" >&2
    if ! (cd "$tree" && env -u CFLAGS -u CXXFLAGS -u LDFLAGS make -j2 BUILD=release \
            >"$tree/compare-build.log" 2>&1); then
        tail -20 "$tree/compare-build.log" >&2
        echo "compare: build of ${sha:0:10} failed (log: $tree/compare-build.log)" >&2
        exit 1
    fi
    for b in crawld crawld-worker crawlctl; do
        [ -x "$tree/build/$b" ] || { echo "compare: $tree/build/$b not built" >&2; exit 1; }
    done
    echo "compare:   built in $(($(date +%s) - t0)) s" >&2
}
build_tree "$before"
build_tree "$after"

D=$(mktemp -d /tmp/bench_compare.XXXXXX)
NPIDS=()
PY=""
cleanup() {
    if [ -n "$PY" ]; then kill "$PY" 2>/dev/null || true; wait "$PY" 2>/dev/null || true; fi
    for p in "${NPIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    httpd_stop
    rm -rf "$D"
}
# shellcheck source=../tests/server/start.sh
source tests/server/start.sh
trap cleanup EXIT
trap 'exit 130' INT TERM
chmod 755 "$D" # nginx workers run as www-data
mkdir -p "$RESULTS"

# The servers, started once for every run of both sides: bench_daemon.sh's
# test server (500 site pages), and bench_peers.sh's nginx per corpus.
HTTPD_LOG=/dev/null httpd_start --site-pages 500 || { echo "compare: httpd failed" >&2; exit 1; }
# shellcheck source=nginx.sh
source bench/nginx.sh
peers=()
for corpus in $CORPORA; do
    case $corpus in
    gen)
        python3 bench/bench_peers.py gen "$D/gen" "$PAGES" "$JS_SHARE" >&2
        chmod -R a+rX "$D/gen"
        nginx_static "$D/gen" "$D/nginx-gen" /p/0.html || { echo "compare: nginx failed" >&2; exit 1; }
        seed="/p/0.html"
        ;;
    pydocs)
        nginx_static "$(readlink -f /usr/share/doc/python3/html)" "$D/nginx-pydocs" /index.html ||
            { echo "compare: nginx failed" >&2; exit 1; }
        seed="/index.html"
        ;;
    *) echo "compare: unknown corpus $corpus (gen, pydocs)" >&2; exit 2 ;;
    esac
    NPIDS+=("$NGINX_PID")
    peers+=("$corpus=$NGINX_URL$seed")
done

harness=$(git rev-parse --short HEAD)
git diff --quiet HEAD -- bench tests/server tests/integration || harness="$harness+changes"
meta=$(python3 - "$before" "$after" "$1" "$2" "$harness" "$load_start" <<'P'
import json, os, subprocess, sys, time
before, after, brev, arev, harness, load = sys.argv[1:]
def subject(sha):
    return subprocess.run(["git", "log", "-1", "--format=%s", sha], capture_output=True,
                          text=True).stdout.strip()
print(json.dumps({
    "before": before, "after": after, "before_rev": brev, "after_rev": arev,
    "before_subject": subject(before), "after_subject": subject(after), "harness": harness,
    "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "host": os.uname().nodename,
    "nproc": os.cpu_count(), "loadavg_start": load,
    "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                 if l.startswith("model name")), "?"),
    "env": {k: os.environ.get(k) for k in ("PAGES", "JS_SHARE", "MAX_PAGES", "TIMEOUT", "WORKERS",
                                           "CORPORA", "DAEMON_PAGES", "DAEMON_ROUNDS", "AFTER_OPTS")}}))
P
)

# In the background and waited for, so a signal runs the trap at once. The
# benchmarks' scratch directories go under $D, which cleanup removes.
mkdir "$D/tmp"
TMPDIR=$D/tmp python3 bench/compare.py run --before "$TREES/$before/build" --after "$TREES/$after/build" \
    --runs "$RUNS" --daemon-url "$HTTPD_URL" --daemon-pages "$DAEMON_PAGES" \
    --daemon-rounds "$DAEMON_ROUNDS" --peers "${peers[*]}" --max-pages "$MAX_PAGES" \
    --timeout "$TIMEOUT" --workers "$WORKERS" --tmp "$D" --after-opts="${AFTER_OPTS:-}" \
    --raw "$RESULTS/compare-raw.jsonl" &
PY=$!
rc=0
wait "$PY" || rc=$?
PY=""
stamp=$(date -u +%Y%m%dT%H%M%SZ)
python3 bench/compare.py table --raw "$RESULTS/compare-raw.jsonl" --meta "$meta" \
    --tolerance "$TOLERANCE" --seconds "$(($(date +%s) - t_start))" \
    --loadavg-end "$(cut -d' ' -f1-3 /proc/loadavg)" --out "$RESULTS/compare.md"
cp "$RESULTS/compare.md" "$RESULTS/compare-$stamp.md"
cp "$RESULTS/compare-raw.jsonl" "$RESULTS/compare-raw-$stamp.jsonl"
[ $rc -eq 0 ] || echo "compare: some measurements failed (listed above the verdict)" >&2
exit $rc
