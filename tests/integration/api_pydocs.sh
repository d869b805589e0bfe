#!/usr/bin/env bash
# Issue 21's whole path over HTTP: the Python docs (python3-doc) crawled
# with JS, --save dom,markdown and --extract h1 and .headerlink@href, all
# through the HTTP API with a bearer token from this process: the records
# (with their fields) from /pages, the rendered DOM and Markdown from
# /content (tests/integration/api_pydocs.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
python3 tests/integration/api_pydocs.py
