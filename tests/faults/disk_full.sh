#!/usr/bin/env bash
# Fault: the output filesystem fills up (a 2 MB tmpfs, root only) through a
# crawl: the job pauses with the error (ENOSPC and the path) instead of
# failing, its files hold only whole committed records, and once space
# returns it goes on by itself (or on `crawlctl resume`) and completes with
# every page exactly once, in pages.jsonl and in the WARC
# (tests/faults/disk_full.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
export CRAWLD_TEST_LOGFMT=1  # every line crawld logs must parse (tests/logfmt_check.py)
if [ "$(id -u)" -ne 0 ] || ! command -v mount >/dev/null; then
    echo "SKIP: disk_full: mounting a small tmpfs needs root"
    exit 0
fi
source tests/server/start.sh
httpd_start --site-pages 300
trap httpd_stop EXIT
python3 tests/faults/disk_full.py "$HTTPD_URL"
