#!/usr/bin/env bash
# Cluster mode: pause, resume and cancel given on one node act on every node
# within a second; a paused job writes nothing anywhere
# (tests/integration/cluster_control.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/pg.sh
pg_start
trap pg_stop EXIT
python3 tests/integration/cluster_control.py
