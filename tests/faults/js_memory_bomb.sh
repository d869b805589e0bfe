#!/usr/bin/env bash
# Fault: pages whose scripts grow memory the JS heap limit does not count
# (arrays, typed arrays, strings, ArrayBuffers), crawled with JS on and the
# shipped rss_* / js_* defaults: each page gets one record in one attempt,
# with its static link followed and an error that names memory, and no
# worker is killed at the hard RSS budget (tests/faults/js_memory_bomb.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
python3 tests/faults/js_memory_bomb.py
