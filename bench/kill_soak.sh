#!/usr/bin/env bash
# The exactly-once measurement under worker kills: a crawl of a generated
# 2,000-page site split over 3 hosts on 127.0.0.1 (plus ?ref= query variants
# of each host's first 120 pages: 3,081 URLs in all), per_host_concurrency =
# 4, every other key at its shipped default (2 workers, JS on, max_attempts
# 3), 5 ms between pages of a host, while 100 random busy workers are killed
# with kill -9, one every 0.12 s (the crawl lasts about 30 s). The line says
# how many kills there were: fewer than 100 when the crawl ended first. Prints the command, then one line: duplicates (URLs with more
# than one record), losses (pages a breadth-first walk reaches from the seeds
# within the job's depth and scope and that have no record), quarantined
# pages (counted as present), extra records and unparseable lines.
#
#   bench/kill_soak.sh [BUILD_DIR]     (default build)
#
# KILL_PAGES, KILL_COUNT, KILL_INTERVAL, KILL_DELAY_MS and SOAK_MATRIX (the
# $CRAWLD_MATRIX row, tests/faults/matrix.py) change it. Exit status: that of
# tests/faults/kill_workers.py, non-zero when any page is duplicated or lost.
# The full log is in bench/results/kill_soak-DATE.log.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=$(cd "${1:-build}" && pwd)
export CRAWLD_BIN=$BIN
export CRAWLD_MATRIX=${SOAK_MATRIX:-"name=soak per_host_concurrency=4 hosts=3 tuned=no"}
export KILL_PAGES=${KILL_PAGES:-2000}
export KILL_COUNT=${KILL_COUNT:-100}
export KILL_INTERVAL=${KILL_INTERVAL:-0.12}
export KILL_DELAY_MS=${KILL_DELAY_MS:-5}
export KILL_REPORT=1
mkdir -p bench/results
LOG=bench/results/kill_soak-$(date +%Y%m%d-%H%M%S).log
echo "kill_soak: CRAWLD_BIN=$BIN CRAWLD_MATRIX='$CRAWLD_MATRIX' KILL_PAGES=$KILL_PAGES" \
     "KILL_COUNT=$KILL_COUNT KILL_INTERVAL=$KILL_INTERVAL KILL_DELAY_MS=$KILL_DELAY_MS" \
     "KILL_REPORT=1 python3 tests/faults/kill_workers.py -"
python3 tests/faults/kill_workers.py - >"$LOG" 2>&1
rc=$?
grep -E '^(kill_soak|kill_workers|FAIL)' "$LOG" | cut -c1-300
echo "kill_soak: log $LOG, exit $rc"
exit $rc
