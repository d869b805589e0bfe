# shellcheck shell=bash
# Helpers for integration scripts: source this file, then
#
#   httpd_start [extra httpd.py args]   # e.g. httpd_start --site-pages 200
#   trap httpd_stop EXIT                 # the caller owns traps
#   curl "$HTTPD_URL/site/"
#   httpd_stop
#
# httpd_start runs tests/server/httpd.py in the background on a free port of
# 127.0.0.1 and waits (polling, up to 10 s) until it listens. It exports
#   HTTPD_PORT  the port          HTTPD_URL  http://127.0.0.1:PORT
#   HTTPD_PID   the server pid    HTTPD_DIR  its temporary directory (port file)
# The server's stderr goes to the caller's stderr, or to $HTTPD_LOG when set.
# $PYTHON picks the interpreter (default python3). Safe under `set -euo pipefail`.
# httpd_stop sends SIGTERM (SIGKILL after 5 s), reaps it, removes HTTPD_DIR;
# calling it when nothing runs is a no-op. One server per shell at a time.

_HTTPD_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

httpd_start() {
    if [[ -n ${HTTPD_PID:-} ]] && kill -0 "$HTTPD_PID" 2>/dev/null; then
        echo "httpd_start: a server is already running (pid $HTTPD_PID); call httpd_stop first" >&2
        return 1
    fi
    local dir pid i port=""
    dir=$(mktemp -d "${TMPDIR:-/tmp}/crawld-httpd.XXXXXX") || return 1
    if [[ -n ${HTTPD_LOG:-} ]]; then
        "${PYTHON:-python3}" "$_HTTPD_HERE/httpd.py" --port 0 --port-file "$dir/port" "$@" \
            </dev/null >>"$HTTPD_LOG" 2>&1 &
    else
        "${PYTHON:-python3}" "$_HTTPD_HERE/httpd.py" --port 0 --port-file "$dir/port" "$@" \
            </dev/null >&2 &
    fi
    pid=$!
    # Poll every 10 ms for up to 10 s.
    for ((i = 0; i < 1000; i++)); do
        if [[ -s $dir/port ]]; then
            port=$(<"$dir/port")
            break
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            break
        fi
        sleep 0.01
    done
    if [[ -z $port ]]; then
        echo "httpd_start: server did not start (pid $pid)" >&2
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        rm -rf "$dir"
        return 1
    fi
    export HTTPD_PORT=$port
    export HTTPD_PID=$pid
    export HTTPD_URL="http://127.0.0.1:$port"
    export HTTPD_DIR=$dir
    return 0
}

httpd_stop() {
    local pid=${HTTPD_PID:-} i
    if [[ -n $pid ]]; then
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 500; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.01
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    if [[ -n ${HTTPD_DIR:-} && -d $HTTPD_DIR ]]; then
        rm -rf "$HTTPD_DIR"
    fi
    unset HTTPD_PORT HTTPD_PID HTTPD_URL HTTPD_DIR
    return 0
}
