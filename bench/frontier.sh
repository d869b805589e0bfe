#!/usr/bin/env bash
# frontier — bench_frontier on both store backends in one run, on the same
# machine, the same URLs and the same work: SQLite with its one writer (as
# crawld is today), PostgreSQL with one writer and with WRITERS writer
# processes (each its own connection and node, as crawld nodes would be).
# Prints each run's figures and their ratios against SQLite's; writes them
# to $RESULTS/frontier.txt.
#
# PostgreSQL runs on a server of its own (tests/server/pg.sh: a temp
# directory, a Unix socket only), with the durability SQLite has in crawld
# (WAL, synchronous=NORMAL: a commit is not flushed, a crash of the machine
# may lose the last ones): fsync and full_page_writes on,
# synchronous_commit off. Each run gets a database of its own.
#
# usage: bench/frontier.sh [BUILD_DIR]
#   env: TOTAL (URLs, 1000000) PER_TX (pages per group, 16) WRITERS (3)
#        RESULTS (bench/results)
set -euo pipefail
OUT=${1:-build}
TOTAL=${TOTAL:-1000000}
PER_TX=${PER_TX:-16}
WRITERS=${WRITERS:-3}
RESULTS=${RESULTS:-bench/results}
cd "$(dirname "$0")/.."
B=$OUT/bench/bench_frontier
[ -x "$B" ] || { echo "frontier: $B not found (make -j2 $B)" >&2; exit 1; }
# shellcheck source=../tests/server/pg.sh
source tests/server/pg.sh
PG_OPTS="-c fsync=on -c full_page_writes=on -c synchronous_commit=off -c shared_buffers=256MB"
export PG_OPTS
pg_start
trap pg_stop EXIT
mkdir -p "$RESULTS"
out=$RESULTS/frontier.txt
: >"$out"

psql_v() { # database, query: the value
    "$PG_BIN/psql" -h "$PG_DIR" -U crawld -d "$1" -Atqc "$2"
}
run() { # name, database ("" for SQLite), then bench_frontier's arguments
    local name=$1 dbname=$2 lsn0=""
    shift 2
    echo "== $name" | tee -a "$out"
    [ -n "$dbname" ] && lsn0=$(psql_v "$dbname" "SELECT pg_current_wal_lsn()")
    "$B" "$@" "$TOTAL" "$PER_TX" | tee -a "$out" "$PG_DIR/$name.txt"
    if [ -n "$dbname" ]; then
        # what the database holds and wrote for it: the inputs of the
        # estimate in docs/cluster.md
        psql_v "$dbname" "SELECT format('pg:     %s MB database, frontier %s MB heap + %s MB indexes, %s MB WAL written',
            round(pg_database_size(current_database()) / 1048576.0, 1),
            round(pg_relation_size('frontier') / 1048576.0, 1),
            round(pg_indexes_size('frontier') / 1048576.0, 1),
            round(pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn0') / 1048576.0, 1))" |
            tee -a "$out" "$PG_DIR/$name.txt"
    fi
}
db() { # a fresh database; its URI
    "$PG_BIN/createdb" -h "$PG_DIR" -U crawld "$1"
    echo "postgresql://crawld@/$1?host=$PG_DIR"
}

echo "# bench_frontier $(git rev-parse --short HEAD 2>/dev/null || echo '?')  $(date -u +%FT%TZ)" \
    "cpus=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg)  TOTAL=$TOTAL PER_TX=$PER_TX" | tee -a "$out"
run sqlite ""
run pg1 f1 --spec "$(db f1)" --writers 1
run "pg$WRITERS" "f$WRITERS" --spec "$(db "f$WRITERS")" --writers "$WRITERS"

python3 - "$PG_DIR" "$WRITERS" <<'P' | tee -a "$out"
import re, sys
d, w = sys.argv[1], sys.argv[2]
def fig(name):
    t = open("%s/%s.txt" % (d, name)).read()
    ins = float(re.search(r"([\d.]+) URLs/s inserted", t).group(1))
    rows = float(re.search(r"([\d.]+) rows/s claimed", t).group(1))
    cyc = float(re.search(r"([\d.]+) cycles/s", t).group(1))
    return ins, rows, cyc
base = fig("sqlite")
print("%-22s %14s %14s %12s" % ("", "inserted/s", "finished/s", "cycles/s"))
for name, label in (("sqlite", "SQLite, 1 writer"), ("pg1", "PostgreSQL, 1 writer"),
                    ("pg" + w, "PostgreSQL, %s writers" % w)):
    f = fig(name)
    print("%-22s %8.0f %5.2fx %8.0f %5.2fx %6.0f %5.2fx" % (
        label, f[0], f[0] / base[0], f[1], f[1] / base[1], f[2], f[2] / base[2]))
P
