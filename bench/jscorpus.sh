#!/usr/bin/env bash
# jscorpus — how much of the real web's JavaScript crawld runs, page by page
# against headless Chromium (playwright-core driving Debian's chromium):
#   libs:  generated pages that load real libraries (jQuery 1/2/3, jQuery UI,
#          Bootstrap 3 and 5, lodash, underscore, Backbone, Alpine, htmx) and
#          small apps bundled with esbuild (React + react-router, Vue +
#          vue-router, Preact, Svelte, Lit), whose links exist only after the
#          library ran (bench/jscorpus.py gen; bench/jscorpus/);
#   docs:  Debian's documentation packages, JS of their generators included:
#          python3-doc (Sphinx), doxygen-doc and lmdb-doc (Doxygen),
#          openjdk-17-doc (Javadoc).
# Each corpus is served by nginx on 127.0.0.1 and crawled once by each.
# Installs what is missing (Debian: chromium nginx-light nodejs npm and the
# documentation packages; npm: bench/jscorpus and bench/peers, npm ci, no
# browser download). Results: $RESULTS/jscorpus.json and jscorpus.md.
# usage: bench/jscorpus.sh [BUILD_DIR]
#   env: QUICK=1 (two pages per library, lmdb-doc alone)
#        ONLY (libraries, comma-separated, e.g. jquery3,react; "none" for
#        the docs alone)  DOCS (packages, "python3-doc doxygen-doc lmdb-doc
#        openjdk-17-doc"; "" for none)
#        DOC_MAX_PAGES (crawld's cap per docs package, 20000)
#        DOC_CHROMIUM_MAX_PAGES (Chromium's, 2000)  TIMEOUT (1800 s a crawl)
#        WORKERS (crawld workers, 2)  PLAYWRIGHT_TABS (4)
#        LONG (pages of a long crawld --js crawl of library pages for the
#        worker RSS over time: 10000; QUICK: 0, none)
#        RESULTS (bench/results)
set -euo pipefail
OUT=${1:-build}
QUICK=${QUICK:-}
if [ -n "$QUICK" ]; then DOCS_DEFAULT="lmdb-doc"; else DOCS_DEFAULT="python3-doc doxygen-doc lmdb-doc openjdk-17-doc"; fi
DOCS=${DOCS-$DOCS_DEFAULT}
ONLY=${ONLY:-}
DOC_MAX_PAGES=${DOC_MAX_PAGES:-20000}
DOC_CHROMIUM_MAX_PAGES=${DOC_CHROMIUM_MAX_PAGES:-2000}
TIMEOUT=${TIMEOUT:-1800}
WORKERS=${WORKERS:-2}
if [ -n "$QUICK" ]; then LONG=${LONG:-0}; else LONG=${LONG:-10000}; fi
cd "$(dirname "$0")/.."
BIN=$(cd "$OUT" && pwd)
for b in crawld crawld-worker crawlctl; do
    [ -x "$BIN/$b" ] || { echo "jscorpus: $BIN/$b not found (make -j2)" >&2; exit 1; }
done

doc_root() {
    case $1 in
    python3-doc) echo /usr/share/doc/python3/html ;;
    doxygen-doc) echo /usr/share/doc/doxygen/html ;;
    lmdb-doc) echo /usr/share/doc/lmdb-doc/html ;;
    openjdk-17-doc) echo /usr/share/doc/openjdk-17-doc/api ;;
    *) echo "jscorpus: unknown docs package $1" >&2; return 1 ;;
    esac
}
doc_label() {
    case $1 in
    python3-doc) echo "Python documentation (Sphinx)" ;;
    doxygen-doc) echo "Doxygen manual (Doxygen)" ;;
    lmdb-doc) echo "LMDB API (Doxygen)" ;;
    openjdk-17-doc) echo "Java 17 API (Javadoc)" ;;
    esac
}

# shellcheck source=harness.sh
source bench/harness.sh
# What the bench needs, installed when missing (as root).
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
for p in $DOCS; do [ -d "$(doc_root "$p")" ] || need+=("$p"); done
harness_need "${need[@]}"
harness_npm_ci bench/peers playwright-core
NPM_LOG=$(mktemp /tmp/jscorpus-npm.XXXXXX)
if [ ! -f bench/jscorpus/node_modules/.package-lock.json ] ||
    [ bench/jscorpus/package-lock.json -nt bench/jscorpus/node_modules/.package-lock.json ]; then
    echo "jscorpus: npm ci in bench/jscorpus" >&2
    (cd bench/jscorpus && npm ci --no-audit --no-fund >"$NPM_LOG" 2>&1) ||
        { cat "$NPM_LOG" >&2; echo "jscorpus: npm ci in bench/jscorpus failed" >&2; exit 1; }
fi
rm -f "$NPM_LOG"

D=$(mktemp -d /tmp/jscorpus.XXXXXX)
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
RES=$RESULTS/jscorpus.json
rm -f "$RES"
# shellcheck source=nginx.sh
source bench/nginx.sh
T0=$(date +%s)

runpy() { # in the background and waited for, so a signal runs the trap at once
    nice -n 5 python3 bench/jscorpus.py run --bin "$BIN" --out "$RES" --tmp "$D" --timeout "$TIMEOUT" \
        --workers "$WORKERS" "$@" &
    PY=$!
    wait "$PY"
    PY=""
}

if [ "$ONLY" != none ]; then
    python3 bench/jscorpus.py gen "$D/site" ${ONLY:+--only "$ONLY"} ${QUICK:+--quick}
    chmod -R a+rX "$D/site"
    # POST answered with the file, as an application would (jQuery's $.ajax POST).
    NGINX_EXTRA='error_page 405 =200 $uri;' nginx_static "$D/site" "$D/nginx-site" /index.html ||
        { echo "jscorpus: nginx failed" >&2; exit 1; }
    NPIDS+=("$NGINX_PID")
    n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["pages"]))' "$D/site/expected.json")
    runpy --name libs --group libs --seed "$NGINX_URL/index.html" --depth 1 --max-pages $((n + 10)) \
        --expected "$D/site/expected.json"
fi
for p in $DOCS; do
    root=$(readlink -f "$(doc_root "$p")")
    nginx_static "$root" "$D/nginx-$p" /index.html || { echo "jscorpus: nginx failed" >&2; exit 1; }
    NPIDS+=("$NGINX_PID")
    html=$(find -L "$root" -name '*.html' | wc -l)
    extra=$(printf '{"root":"%s","html_files":%d,"package":"%s"}' "$root" "$html" \
        "$(dpkg-query -W -f '${Version}' "$p" 2>/dev/null)")
    runpy --name "$p" --group "$(doc_label "$p")" --seed "$NGINX_URL/index.html" --depth 1000 \
        --max-pages "$DOC_MAX_PAGES" --chromium-max-pages "$DOC_CHROMIUM_MAX_PAGES" --extra "$extra"
done
if [ "$LONG" -gt 0 ] && [ "$ONLY" != none ]; then
    # Many library pages for one crawld --js crawl: the worker RSS over time.
    python3 bench/jscorpus.py gen "$D/long" --repeat "$LONG" ${ONLY:+--only "$ONLY"}
    chmod -R a+rX "$D/long"
    NGINX_EXTRA='error_page 405 =200 $uri;' nginx_static "$D/long" "$D/nginx-long" /index.html ||
        { echo "jscorpus: nginx failed" >&2; exit 1; }
    NPIDS+=("$NGINX_PID")
    runpy --name long --group "long crawl" --seed "$NGINX_URL/index.html" --depth 1 \
        --max-pages $((LONG + 10)) --only-crawler crawld
fi
python3 - "$RES" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" "$T0" <<'P'
import json, os, subprocess, sys, time
p, commit, t0 = sys.argv[1:]
r = json.load(open(p))
def v(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip().splitlines()[0]
    except Exception as e:  # noqa: BLE001
        return "unknown (%s)" % e
vers = {"chromium": v(["chromium", "--version"]), "node": v(["node", "--version"]),
        "playwright-core": v(["node", "-p", "require('./bench/peers/node_modules/playwright-core/package.json').version"])}
for x in r.values():
    vers.update({k: x for k, x in (x.get("versions") or {}).items()})
r["_meta"] = {"commit": commit, "host": os.uname().nodename, "quick": bool(os.environ.get("QUICK")),
              "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "seconds": time.time() - float(t0),
              "cpus": os.cpu_count(), "versions": vers,
              "mem": next((l.split(":", 1)[1].strip() for l in open("/proc/meminfo") if l.startswith("MemTotal")), "?"),
              "env": {k: os.environ.get(k) for k in ("QUICK", "ONLY", "DOCS", "DOC_MAX_PAGES", "DOC_CHROMIUM_MAX_PAGES",
                                                     "TIMEOUT", "WORKERS", "PLAYWRIGHT_TABS", "LONG")}}
json.dump(r, open(p, "w"))
P
python3 bench/jscorpus.py report "$RES" "$RESULTS"
echo "jscorpus: $(( $(date +%s) - T0 )) s; $RESULTS/jscorpus.md"
