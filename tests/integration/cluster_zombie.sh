#!/usr/bin/env bash
# Cluster mode: a node stopped (SIGSTOP) for three leases loses its hosts to
# the other; woken, its commit is refused ("lease lost") and nothing it
# fetched meanwhile is written twice (tests/integration/cluster_zombie.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/pg.sh
pg_start
trap pg_stop EXIT
python3 tests/integration/cluster_zombie.py
