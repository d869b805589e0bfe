#!/usr/bin/env bash
# bench_js — page JavaScript: one crawld worker against headless Chromium on
# a generated site whose links exist only after the pages' scripts ran
# (appendChild, innerHTML, document.write, nested setTimeout,
# DOMContentLoaded, fetch() of JSON, data-href elements, shared external
# scripts; every page also makes a few thousand throwaway objects).
# Targets (issue "JavaScript"): crawld's JS pages/s >= 10x Chromium's,
# worker memory <= 1/5 of Chromium's, worker RSS drift <= 5% from page 500
# to page 5,000. The site is written to a temp dir and served by nginx
# (Debian's nginx-light; python3 -m http.server when nginx is missing).
# Chromium runs on the first min(PAGES, 1000) pages (CHROMIUM_PAGES=N to
# change; BENCH_JS_CHROMIUM=0 to skip it). Details: bench/bench_js.py.
# The report goes to stdout and bench/results/bench_js.txt. Exit 1 when more
# than 1% of the pages came out with the wrong links.
# usage: bench/bench_js.sh [BUILD_DIR] [PAGES]
set -euo pipefail
OUT=${1:-build}
PAGES=${2:-5000}
cd "$(dirname "$0")/.."
BIN=$(cd "$OUT" && pwd)
[ -x "$BIN/crawld-worker" ] || { echo "bench_js: $BIN/crawld-worker not found (make -j2)" >&2; exit 1; }
# What the bench needs from Debian, installed when missing and running as root.
need=()
command -v chromium >/dev/null || [ "${BENCH_JS_CHROMIUM:-1}" = 0 ] || need+=(chromium)
command -v nginx >/dev/null || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ]; then
    echo "bench_js: installing ${need[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || true
    systemctl stop nginx 2>/dev/null || true
fi
D=$(mktemp -d /tmp/bench_js.XXXXXX)
SP=""
PY=""
cleanup() {
    # The driver first (SIGTERM: it kills Chromium and the worker), then the server.
    if [ -n "$PY" ]; then
        kill "$PY" 2>/dev/null || true
        wait "$PY" 2>/dev/null || true
    fi
    if [ -n "$SP" ]; then
        kill "$SP" 2>/dev/null || true
        wait "$SP" 2>/dev/null || true
    fi
    rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
python3 bench/bench_js.py gen "$D/site" "$PAGES"
chmod 755 "$D" && chmod -R a+rX "$D/site" # nginx workers run as www-data
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$port"
up() { curl -sf -o /dev/null "$URL/expected.json"; }
SERVER=""
# shellcheck source=nginx.sh
source bench/nginx.sh
if [ "${BENCH_JS_SERVER:-nginx}" = nginx ]; then
    if nginx_static "$D/site" "$D/nginx" /expected.json; then
        SP=$NGINX_PID URL=$NGINX_URL SERVER=nginx
    else
        echo "bench_js: nginx did not serve the site; using python3 -m http.server" >&2
    fi
fi
if [ -z "$SERVER" ]; then
    python3 -m http.server "$port" --bind 127.0.0.1 --directory "$D/site" >/dev/null 2>&1 &
    SP=$!
    for _ in $(seq 100); do up && break; sleep 0.05; done
    up || { echo "bench_js: python3 -m http.server did not come up" >&2; exit 1; }
    SERVER="python3 -m http.server"
fi
mkdir -p bench/results
# In the background and waited for, so a signal runs the trap at once.
python3 bench/bench_js.py run --bin "$BIN" --base "$URL" --site "$D/site" --pages "$PAGES" \
    --tmp "$D" --server "$SERVER" --out bench/results/bench_js.txt \
    ${CHROMIUM_PAGES:+--chromium-pages "$CHROMIUM_PAGES"} &
PY=$!
rc=0
wait "$PY" || rc=$?
PY=""
exit "$rc"
