#!/usr/bin/env bash
# Cluster mode: three crawld nodes on one PostgreSQL database crawl a
# 3,000-page site spread over six origins, one job submitted on one node;
# every page once over the nodes' pages.NODE.jsonl, each node its share,
# every node agrees on the job; status --cluster lists the nodes
# (tests/integration/cluster_crawl.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
source tests/server/pg.sh
pg_start
trap pg_stop EXIT
python3 tests/integration/cluster_crawl.py
