# shellcheck shell=bash
# A PostgreSQL server of the test's own, for bash scripts: source this file,
#
#   pg_start            # initdb into a temp dir, start it, create database crawld
#   trap pg_stop EXIT   # the caller owns traps
#   ... "$PG_SPEC" ...  # postgresql://crawld@/crawld?host=PG_DIR
#   pg_stop             # stops it (fast), removes PG_DIR; safe to call twice
#
#   pg_run CMD [ARG...] # pg_start, CMD with CRAWLD_TEST_PG=$PG_SPEC, pg_stop;
#                       # CMD's exit status (1 when the server did not start)
#
# The server listens on a Unix socket in PG_DIR only (listen_addresses ''),
# trusts local connections (superuser "crawld"), and runs with fsync off: a
# test's data is thrown away; PG_OPTS (more "-c name=value" options, after
# those, so they win) changes that for a benchmark. Run as root, it runs as the user "postgres"
# (or "nobody"), since PostgreSQL refuses root. Binaries from
# $PG_BIN (default /usr/lib/postgresql/15/bin). Exports PG_DIR, PG_SPEC,
# PG_LOG. Never depends on a system-wide server.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

_pg_as() {
    if [[ $(id -u) -eq 0 ]]; then
        setpriv --reuid="$_PG_USER" --regid="$(id -g "$_PG_USER")" --clear-groups -- "$@"
    else
        "$@"
    fi
}

pg_start() {
    if [[ -n ${PG_DIR:-} && -d ${PG_DIR:-} ]]; then
        echo "pg_start: a server is already running in $PG_DIR; call pg_stop first" >&2
        return 1
    fi
    if [[ ! -x $PG_BIN/initdb ]]; then
        echo "pg_start: no $PG_BIN/initdb (apt-get install postgresql-15)" >&2
        return 1
    fi
    _PG_USER=$(id -un)
    if [[ $(id -u) -eq 0 ]]; then
        _PG_USER=nobody
        getent passwd postgres >/dev/null && _PG_USER=postgres
    fi
    PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/crawld-pg.XXXXXX") || return 1
    chmod 755 "$PG_DIR"
    [[ $(id -u) -eq 0 ]] && chown "$_PG_USER" "$PG_DIR"
    PG_LOG=$PG_DIR/server.log # written by the server
    export PG_DIR PG_LOG
    if ! _pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U crawld --auth=trust -E UTF8 \
        --locale=C.UTF-8 --no-sync >"$PG_DIR/initdb.log" 2>&1; then
        echo "pg_start: initdb failed:" >&2
        tail -n 20 "$PG_DIR/initdb.log" >&2
        return 1
    fi
    if ! _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_LOG" -w -t 30 \
        -o "-k $PG_DIR -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${PG_OPTS:-}" \
        start >/dev/null 2>&1; then
        echo "pg_start: the server did not start:" >&2
        tail -n 20 "$PG_LOG" >&2
        return 1
    fi
    if ! "$PG_BIN/createdb" -h "$PG_DIR" -U crawld crawld 2>"$PG_DIR/createdb.log"; then
        echo "pg_start: createdb failed:" >&2
        cat "$PG_DIR/createdb.log" >&2
        pg_stop
        return 1
    fi
    PG_SPEC="postgresql://crawld@/crawld?host=$PG_DIR"
    export PG_SPEC
}

pg_stop() {
    [[ -n ${PG_DIR:-} && -d ${PG_DIR:-} ]] || return 0
    if [[ -f $PG_DIR/data/postmaster.pid ]]; then
        _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_DIR"
    unset PG_DIR PG_SPEC
}

pg_run() {
    pg_start || return 1
    local rc=0
    CRAWLD_TEST_PG=$PG_SPEC "$@" || rc=$?
    pg_stop
    return $rc
}
