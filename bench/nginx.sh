# Sourced by the bench scripts: serve a directory of static files with
# Debian's nginx (nginx-light) on a free port of 127.0.0.1.
#
# nginx_static ROOT WORKDIR PROBE: starts nginx (in the foreground of a
# background job) with its config, pid and temp files in WORKDIR, serving
# ROOT; waits until PROBE (a path such as /site/) answers. Sets NGINX_PID and
# NGINX_URL and returns 0; on failure prints nginx's error log, stops it and
# returns 1. NGINX_EXTRA, when set, is added to the server block. The caller must make ROOT world-readable: nginx's workers run as
# www-data.
nginx_static() {
    local root=$1 work=$2 probe=$3 bin port
    NGINX_PID="" NGINX_URL=""
    bin=$(command -v nginx || echo /usr/sbin/nginx)
    [ -x "$bin" ] || return 1
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    mkdir -p "$work"
    cat > "$work/nginx.conf" <<N
worker_processes 1;
daemon off;
pid $work/pid;
error_log $work/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    types { text/html html; application/json json; text/javascript js; }
    default_type application/octet-stream;
    client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work;
    uwsgi_temp_path $work; scgi_temp_path $work;
    server { listen 127.0.0.1:$port; root $root; index index.html; ${NGINX_EXTRA:-} }
}
N
    "$bin" -c "$work/nginx.conf" -p "$work" &
    NGINX_PID=$!
    for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port$probe" && break; sleep 0.05; done
    if curl -sf -o /dev/null "http://127.0.0.1:$port$probe"; then
        NGINX_URL="http://127.0.0.1:$port"
        return 0
    fi
    cat "$work/error.log" >&2 || true
    kill "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
    NGINX_PID=""
    return 1
}
