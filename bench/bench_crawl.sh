#!/usr/bin/env bash
# bench_crawl — end to end: pages per second crawling a 5,000-page local
# site (tests/server/httpd.py --site-pages 5000) with crawld (2 workers,
# --no-js, no delay, per-host concurrency 6 (two workers, each with two pages queued), robots.txt obeyed) against
# wget2 --recursive --level=inf --no-parent -q on the same site, in the same
# run. The Python test server is slower than either crawler, so by default
# the site is copied once (wget2 mirror) and served by nginx (Debian's
# nginx-light, installed when missing and running as root); SERVER=python
# keeps the Python server. Needs wget2 (Debian's package) on PATH.
# usage: bench/bench_crawl.sh [BUILD_DIR] [PAGES]
set -euo pipefail
OUT=${1:-build}
PAGES=${2:-5000}
cd "$(dirname "$0")/.."
BIN=$(cd "$OUT" && pwd)
command -v wget2 >/dev/null || { echo "bench_crawl: wget2 not found (apt-get install wget2)" >&2; exit 1; }
source tests/server/start.sh
HTTPD_LOG=/dev/null httpd_start --site-pages "$PAGES"
D=$(mktemp -d /tmp/bench_crawl.XXXXXX)
DP=""
cleanup() {
    [ -n "$DP" ] && kill "$DP" 2>/dev/null && wait "$DP" 2>/dev/null
    [ -n "${NP:-}" ] && kill "$NP" 2>/dev/null && wait "$NP" 2>/dev/null
    httpd_stop
    rm -rf "$D"
}
trap cleanup EXIT
cat > "$D/crawld.conf" <<C
[daemon]
socket = $D/s
state_dir = $D/state
output_dir = $D/out
workers = 2
log_level = warn
[politeness]
delay_ms = 0
per_host_concurrency = 6
[network]
allow_private = true
C
"$BIN/crawld" -c "$D/crawld.conf" --foreground 2>"$D/crawld.log" &
DP=$!
for _ in $(seq 200); do [ -S "$D/s" ] && break; sleep 0.05; done
# The server renders each page once and caches it (lru 4096): warm it with
# wget2 first, so neither crawler pays for the generator alone.
( cd "$D" && wget2 --recursive --level=inf --no-parent -q -P warm "$HTTPD_URL/site/" ) || true
SITE_URL=$HTTPD_URL
NP=""
if [ "${SERVER:-nginx}" = nginx ]; then
    if ! command -v nginx >/dev/null && [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >/dev/null 2>&1 || true
        systemctl stop nginx 2>/dev/null || true
    fi
    root=$(echo "$D"/warm/*)
    chmod 755 "$D" && chmod -R a+rX "$D/warm" # nginx workers run as www-data
    # shellcheck source=nginx.sh
    source bench/nginx.sh
    if nginx_static "$root" "$D/nginx" /site/; then
        NP=$NGINX_PID SITE_URL=$NGINX_URL
    else
        echo "bench_crawl: nginx did not serve the copy; using the Python server" >&2
    fi
fi
# CPU seconds (user + system) of a process and of its children alive now.
cpu_of() { awk '{print ($14 + $15) / '"$(getconf CLK_TCK)"'}' "/proc/$1/stat"; }
cpu_children() {
    local s=0 c
    for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
        s=$(echo "$s + $(cpu_of "$c")" | bc -l)
    done
    echo "$s"
}
c0=$(cpu_of "$DP"); w0=$(cpu_children "$DP")
t0=$(date +%s.%N)
J=$("$BIN/crawlctl" -s "$D/s" submit --no-js --depth 1000 --max-pages 1000000 "$SITE_URL/site/")
"$BIN/crawlctl" -s "$D/s" wait "$J" --timeout 900 >/dev/null
t1=$(date +%s.%N)
c1=$(cpu_of "$DP"); w1=$(cpu_children "$DP")
n=$(wc -l < "$D/out/$J/pages.jsonl")
rss=$(awk '/VmHWM/{print $2}' /proc/$DP/status)
( cd "$D" && /usr/bin/time -f "%e" -o wget2.time wget2 --recursive --level=inf --no-parent -q -P w "$SITE_URL/site/" ) || true
wn=$(find "$D/w" -type f | wc -l)
wt=$(cat "$D/wget2.time")
# wget2 runs 5 download threads by default; also with 2, like crawld's workers.
( cd "$D" && /usr/bin/time -f "%e" -o wget2t2.time wget2 --max-threads=2 --recursive --level=inf --no-parent -q -P w2 "$SITE_URL/site/" ) || true
wn2=$(find "$D/w2" -type f | wc -l)
wt2=$(cat "$D/wget2t2.time")
ct=$(echo "$t1 - $t0" | bc -l)
printf 'bench_crawl: %d-page site served by %s, 2 workers, no JS\n' "$PAGES" "$( [ -n "$NP" ] && echo nginx || echo the Python test server)"
printf 'crawld: %d pages in %.2f s = %.0f pages/s (supervisor peak RSS %.1f MB)\n' "$n" "$ct" \
    "$(echo "$n / $ct" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
printf 'CPU per page: crawld %.0f us, workers %.0f us (crawld = %.1f %% of the workers; both measured over the crawl, workers still alive at its end)\n' \
    "$(echo "($c1 - $c0) / $n * 1000000" | bc -l)" "$(echo "($w1 - $w0) / $n * 1000000" | bc -l)" \
    "$(echo "($c1 - $c0) / ($w1 - $w0) * 100" | bc -l)"
printf 'wget2:  %d files in %.2f s = %.0f pages/s (default 5 threads)\n' "$wn" "$wt" "$(echo "$wn / $wt" | bc -l)"
printf 'wget2:  %d files in %.2f s = %.0f pages/s (--max-threads=2)\n' "$wn2" "$wt2" "$(echo "$wn2 / $wt2" | bc -l)"
