#!/usr/bin/env bash
# Fault: hostile pages (100,000 nested elements, a million attributes, a
# 500 MB body, six stacked gzip encodings, a gzip bomb, one byte a second,
# six redirects) and hostile robots.txt (600 KiB, 404, 503, no answer),
# served by tests/faults/hostile_server.py, crawled by the real daemon: each
# page gets one record that says how it ended, crawld keeps serving and the
# workers stay inside their RSS budget (tests/faults/hostile_pages.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
export CRAWLD_TEST_LOGFMT=1  # every line crawld logs must parse (tests/logfmt_check.py)
python3 tests/faults/hostile_pages.py
