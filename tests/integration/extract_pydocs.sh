#!/usr/bin/env bash
# --extract cross-checked on real pages: Debian's python3-doc served on
# 127.0.0.1, crawled by the real daemon with a dozen selectors, every field
# of every page compared with lxml + cssselect over the same files
# (tests/integration/extract_pydocs.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
python3 tests/integration/extract_pydocs.py
