#!/usr/bin/env bash
# Cluster mode: one node of three has its crawld killed -9 at five seeded
# moments of a 903-page crawl (restarted four times, left dead); its hosts
# go to the others within a lease, every page once in the committed
# records, export gives them (tests/integration/cluster_kill9.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/pg.sh
pg_start
trap pg_stop EXIT
python3 tests/integration/cluster_kill9.py
