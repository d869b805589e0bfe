#!/usr/bin/env bash
# cluster — a crawl of one generated site (bench/netserver.py: latency,
# many origins, TLS on a share of them) by crawld on SQLite and by 1, 2
# and 3 crawld nodes sharing a frontier on PostgreSQL, one worker each, in
# one run on this machine: pages/s against the SQLite run, and the CPU per
# page of the crawld trees and of the database (bench/cluster.py).
# On one machine this measures what the shared frontier costs and where
# the nodes contend, not scaling: every node, the server and the site
# share the same cores.
#
# PostgreSQL runs on a server of its own (tests/server/pg.sh) with the
# durability SQLite has in crawld: fsync on, synchronous_commit off.
#
# usage: bench/cluster.sh [BUILD_DIR]
#   env: PAGES (3000) ORIGINS (12) LATENCY (20 ms) NODES ("1 2 3")
#        RESULTS (bench/results)
set -euo pipefail
OUT=${1:-build}
cd "$(dirname "$0")/.."
for b in crawld crawld-worker crawlctl; do
    [ -x "$OUT/$b" ] || { echo "cluster: $OUT/$b not found (make -j2)" >&2; exit 1; }
done
# shellcheck source=../tests/server/pg.sh
source tests/server/pg.sh
PG_OPTS="-c fsync=on -c full_page_writes=on -c synchronous_commit=off -c shared_buffers=256MB"
export PG_OPTS
pg_start
trap "cp \"\$PG_LOG\" \"${RESULTS:-bench/results}/cluster-pg.log\" 2>/dev/null; pg_stop" EXIT
python3 bench/cluster.py "$OUT" "$PG_DIR"
