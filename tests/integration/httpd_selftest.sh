#!/usr/bin/env bash
# The test HTTP server checks itself, so a broken fixture never passes for a
# broken crawler (or the reverse).
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 tests/server/selftest.py
