#!/usr/bin/env bash
# Cluster mode: two nodes crawl while their PostgreSQL server is restarted
# (pg_ctl restart -m immediate) twice and their sessions terminated eight
# times at seeded moments; crawld answers all along, the job ends done by
# itself, every page once (tests/integration/cluster_db_faults.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/pg.sh
pg_start
trap pg_stop EXIT
python3 tests/integration/cluster_db_faults.py
