#!/usr/bin/env bash
# bench_peers — crawld against wget2, Scrapy, Crawlee (CheerioCrawler,
# JSDOMCrawler) and headless Chromium (playwright-core), on two corpora
# served by nginx on 127.0.0.1, in one run:
#   gen:    a generated site of PAGES pages, a share JS_SHARE of them with
#           links only after scripts (bench/bench_peers.py gen);
#   pydocs: the Python documentation of Debian's python3-doc.
# Each crawler RUNS times per corpus (median reported), each run bounded by
# MAX_PAGES (where the crawler has a cap) and TIMEOUT seconds; the floor is
# build/bench/bench_floor (curl + gumbo over the pages crawld found).
# Installs what is missing (Debian: wget2 chromium nginx-light python3-scrapy
# python3-doc gnuplot-nox; npm: bench/peers, npm ci, no browser download).
# Results: $RESULTS/peers.json, $RESULTS/REPORT.md and PNG charts
# (bench/report.py).
# usage: bench/bench_peers.sh [BUILD_DIR]
#   env: PAGES (2000) JS_SHARE (0.3) RUNS (3) TIMEOUT (600) MAX_PAGES (PAGES+1000)
#        SLOW_MAX_PAGES (cap of JSDOMCrawler and Chromium, 1000)
#        CORPORA ("gen pydocs long") ONLY (crawler names, comma-separated)
#        LONG_PAGES (10000: corpus "long", a generated site crawled once by
#        crawld --js alone, for the RSS-over-time chart)
#        WORKERS (crawld workers, 2) PLAYWRIGHT_TABS (4)
#        RESULTS (directory of the results, bench/results)
set -euo pipefail
OUT=${1:-build}
PAGES=${PAGES:-2000}
JS_SHARE=${JS_SHARE:-0.3}
RUNS=${RUNS:-3}
TIMEOUT=${TIMEOUT:-600}
MAX_PAGES=${MAX_PAGES:-$((PAGES + 1000))}
SLOW_MAX_PAGES=${SLOW_MAX_PAGES:-1000}
CORPORA=${CORPORA:-gen pydocs long}
LONG_PAGES=${LONG_PAGES:-10000}
WORKERS=${WORKERS:-2}
cd "$(dirname "$0")/.."
BIN=$(cd "$OUT" && pwd)
for b in crawld crawld-worker crawlctl bench/bench_floor; do
    [ -x "$BIN/$b" ] || { echo "bench_peers: $BIN/$b not found (make -j2 $OUT/$b)" >&2; exit 1; }
done

# shellcheck source=harness.sh
source bench/harness.sh
# What the bench needs, installed when missing (as root).
need=()
command -v wget2 >/dev/null || need+=(wget2)
command -v chromium >/dev/null || need+=(chromium)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v scrapy >/dev/null || need+=(python3-scrapy)
command -v gnuplot >/dev/null || need+=(gnuplot-nox)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
[ -d /usr/share/doc/python3/html ] || need+=(python3-doc)
harness_need "${need[@]}"
harness_npm_ci bench/peers crawlee playwright-core

D=$(mktemp -d /tmp/bench_peers.XXXXXX)
NPIDS=()
PY=""
cleanup() {
    if [ -n "$PY" ]; then kill "$PY" 2>/dev/null || true; wait "$PY" 2>/dev/null || true; fi
    for p in "${NPIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
chmod 755 "$D" # nginx workers run as www-data
RESULTS=${RESULTS:-bench/results}
mkdir -p "$RESULTS"
RES=$RESULTS/peers.json
rm -f "$RES"
# shellcheck source=nginx.sh
source bench/nginx.sh
versions=$(python3 - <<'P'
import json, subprocess
def v(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip().splitlines()[0]
    except Exception as e:  # noqa: BLE001
        return "unknown (%s)" % e
print(json.dumps({
    "wget2": v(["wget2", "--version"]), "scrapy": v(["scrapy", "version"]),
    "chromium": v(["chromium", "--version"]), "node": v(["node", "--version"]),
    "crawlee": v(["node", "-p", "require('./bench/peers/node_modules/crawlee/package.json').version"]),
    "playwright-core": v(["node", "-p", "require('./bench/peers/node_modules/playwright-core/package.json').version"]),
    "nginx": subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip(),
    "cpus": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(),
    "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?"),
    "mem": next((l.split(":", 1)[1].strip() for l in open("/proc/meminfo") if l.startswith("MemTotal")), "?"),
}))
P
)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)

for corpus in $CORPORA; do
    case $corpus in
    gen)
        python3 bench/bench_peers.py gen "$D/gen" "$PAGES" "$JS_SHARE"
        chmod -R a+rX "$D/gen"
        nginx_static "$D/gen" "$D/nginx-gen" /p/0.html || { echo "bench_peers: nginx failed" >&2; exit 1; }
        NPIDS+=("$NGINX_PID")
        seed="$NGINX_URL/p/0.html"
        extra=$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); e["server"]="nginx"; print(json.dumps(e))' "$D/gen/expected.json")
        ;;
    pydocs)
        root=$(readlink -f /usr/share/doc/python3/html)
        nginx_static "$root" "$D/nginx-pydocs" /index.html || { echo "bench_peers: nginx failed" >&2; exit 1; }
        NPIDS+=("$NGINX_PID")
        seed="$NGINX_URL/index.html"
        html=$(find -L "$root" -name '*.html' | wc -l)
        extra=$(printf '{"server":"nginx","root":"%s","html_files":%d,"package":"%s"}' "$root" "$html" \
            "$(dpkg-query -W -f '${Package} ${Version}' python3-doc 2>/dev/null)")
        ;;
    long)
        python3 bench/bench_peers.py gen "$D/long" "$LONG_PAGES" "$JS_SHARE"
        chmod -R a+rX "$D/long"
        nginx_static "$D/long" "$D/nginx-long" /p/0.html || { echo "bench_peers: nginx failed" >&2; exit 1; }
        NPIDS+=("$NGINX_PID")
        seed="$NGINX_URL/p/0.html"
        extra=$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); e["server"]="nginx"; print(json.dumps(e))' "$D/long/expected.json")
        ;;
    *) echo "bench_peers: unknown corpus $corpus" >&2; exit 2 ;;
    esac
    runs=$RUNS only=${ONLY:-} max=$MAX_PAGES
    if [ "$corpus" = long ]; then runs=1 only="crawld JS" max=$((LONG_PAGES + 1000)); fi
    # In the background and waited for, so a signal runs the trap at once.
    nice -n 5 python3 bench/bench_peers.py run --bin "$BIN" --corpus "$corpus" --seed "$seed" \
        --out "$RES" --runs "$runs" --max-pages "$max" --slow-max-pages "$SLOW_MAX_PAGES" \
        --timeout "$TIMEOUT" --workers "$WORKERS" --tmp "$D" --extra "$extra" ${only:+--only "$only"} &
    PY=$!
    wait "$PY"
    PY=""
done
python3 - "$RES" "$versions" "$commit" "$PAGES" "$JS_SHARE" <<'P'
import json, sys, time, os
p, versions, commit, pages, share = sys.argv[1:]
r = json.load(open(p))
r["_meta"] = {"versions": json.loads(versions), "commit": commit, "host": os.uname().nodename,
              "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
              "env": {k: os.environ.get(k) for k in ("PAGES", "JS_SHARE", "RUNS", "TIMEOUT", "MAX_PAGES", "SLOW_MAX_PAGES",
                                                     "CORPORA", "ONLY", "WORKERS", "PLAYWRIGHT_TABS", "LONG_PAGES")}}
json.dump(r, open(p, "w"))
P
python3 bench/report.py "$RES" "$RESULTS"
