#!/usr/bin/env bash
# Cluster mode politeness: --delay-ms 300 and per_host_concurrency = 1 hold
# per origin across nodes while one node is stopped (SIGTERM) and another
# killed -9 mid-crawl; robots.txt once per node that held an origin
# (tests/integration/cluster_politeness.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/pg.sh
pg_start
trap pg_stop EXIT
python3 tests/integration/cluster_politeness.py
