#!/usr/bin/env bash
# [network] ca_file: an HTTPS server on 127.0.0.1 whose certificate comes
# from a CA made by the test (openssl CLI). Without ca_file the crawl's page
# is a "tls:" certificate error record; with the CA it is fetched and its
# links followed; with another CA it fails again; a missing file fails the
# config, naming the key and the path (tests/integration/tls_ca.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
command -v openssl >/dev/null || { echo "tls_ca: the openssl command is needed" >&2; exit 1; }
python3 tests/integration/tls_ca.py
