# shellcheck shell=bash
# Sourced by bench/soak.sh and bench/bench_js.sh, which both run a Python
# driver against a generated static site: what they set up around it; and
# for what they install, by bench/bench_peers.sh, bench/jscorpus.sh and
# bench/compare.sh.
#
#   harness_install PKG...     install the Debian packages named (none:
#                              nothing), only when running as root; a failed
#                              install is not an error (callers fall back)
#   harness_need PKG...        the Debian packages a bench cannot run without
#                              (none: nothing): installed as root (one
#                              `apt-get update` when the install fails), else
#                              exit 1 naming them
#   harness_npm_ci DIR MOD...  `npm ci` in DIR (no browser download) when any
#                              of DIR/node_modules/MOD is missing
#   harness_tmp NAME           HARNESS_TMP=$(mktemp -d /tmp/NAME.XXXXXX), and
#                              traps: on exit the driver, then the server, is
#                              stopped and HARNESS_TMP removed; INT and TERM
#                              exit 130 (running that)
#   harness_serve ROOT PROBE [SERVER]
#                              serve ROOT on a free port of 127.0.0.1 with
#                              nginx (bench/nginx.sh, files in
#                              HARNESS_TMP/nginx) or, when nginx does not
#                              answer or SERVER is not "nginx",
#                              python3 -m http.server; wait until PROBE (a
#                              path) answers. Sets HARNESS_URL and
#                              HARNESS_SERVER ("nginx" or
#                              "python3 -m http.server"); 1 when neither
#                              answers
#   harness_drive CMD...       run the driver in the background and wait for
#                              it (so a signal runs the traps at once);
#                              returns its exit status
#
# Messages are prefixed with the script's name. Needs python3 and curl.

# shellcheck source=nginx.sh
source "$(dirname "${BASH_SOURCE[0]}")/nginx.sh"

HARNESS_NAME=$(basename "$0" .sh)
HARNESS_TMP=""
HARNESS_URL=""
HARNESS_SERVER=""
_HARNESS_SERVER_PID=""
_HARNESS_DRIVER_PID=""

harness_install() {
    [ $# -gt 0 ] && [ "$(id -u)" = 0 ] || return 0
    echo "$HARNESS_NAME: installing $*" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1 || true
    systemctl stop nginx 2>/dev/null || true
}

harness_need() {
    [ $# -gt 0 ] || return 0
    if [ "$(id -u)" != 0 ]; then
        echo "$HARNESS_NAME: missing $* (install them, or run as root)" >&2
        exit 1
    fi
    echo "$HARNESS_NAME: installing $*" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q -o DPkg::Lock::Timeout=600 "$@" >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null 2>&1 &&
          apt-get install -y -q -o DPkg::Lock::Timeout=600 "$@" >/dev/null; } || exit 1
    systemctl stop nginx 2>/dev/null || true
}

harness_npm_ci() {
    local dir=$1 m
    shift
    for m in "$@"; do
        [ -d "$dir/node_modules/$m" ] && continue
        echo "$HARNESS_NAME: npm ci in $dir" >&2
        (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 \
            npm ci --no-audit --no-fund >/dev/null)
        return
    done
}

_harness_stop() {
    local p
    # The driver first (SIGTERM: it stops what it started), then the server.
    for p in "$_HARNESS_DRIVER_PID" "$_HARNESS_SERVER_PID"; do
        if [ -n "$p" ]; then
            kill "$p" 2>/dev/null || true
            wait "$p" 2>/dev/null || true
        fi
    done
    [ -z "$HARNESS_TMP" ] || rm -rf "$HARNESS_TMP"
}

harness_tmp() {
    HARNESS_TMP=$(mktemp -d "/tmp/$1.XXXXXX")
    trap _harness_stop EXIT
    trap 'exit 130' INT TERM
}

harness_serve() {
    local root=$1 probe=$2 server=${3:-nginx} port
    chmod 755 "$HARNESS_TMP" && chmod -R a+rX "$root" # nginx workers run as www-data
    if [ "$server" = nginx ]; then
        if nginx_static "$root" "$HARNESS_TMP/nginx" "$probe"; then
            _HARNESS_SERVER_PID=$NGINX_PID HARNESS_URL=$NGINX_URL HARNESS_SERVER=nginx
            return 0
        fi
        echo "$HARNESS_NAME: nginx did not serve the site; using python3 -m http.server" >&2
    fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    HARNESS_URL="http://127.0.0.1:$port"
    python3 -m http.server "$port" --bind 127.0.0.1 --directory "$root" >/dev/null 2>&1 &
    _HARNESS_SERVER_PID=$!
    # shellcheck disable=SC2034 # for the caller
    HARNESS_SERVER="python3 -m http.server"
    for _ in $(seq 100); do curl -sf -o /dev/null "$HARNESS_URL$probe" && return 0; sleep 0.05; done
    curl -sf -o /dev/null "$HARNESS_URL$probe" && return 0
    echo "$HARNESS_NAME: python3 -m http.server did not come up" >&2
    return 1
}

harness_drive() {
    local rc=0
    "$@" &
    _HARNESS_DRIVER_PID=$!
    wait "$_HARNESS_DRIVER_PID" || rc=$?
    _HARNESS_DRIVER_PID=""
    return "$rc"
}
