#!/usr/bin/env bash
# The worker sandbox: workers started by crawld run with no_new_privs and a
# seccomp filter; inside it execve, ptrace and fork fail with EPERM; crawls
# with JS on and off work as before; worker_sandbox = false turns it off
# (tests/faults/sandbox.py, tests/unit/test_sandbox.c).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
export CRAWLD_TEST_LOGFMT=1  # every line crawld logs must parse (tests/logfmt_check.py)
source tests/server/start.sh
httpd_start --site-pages 60
trap httpd_stop EXIT
python3 tests/faults/sandbox.py "$HTTPD_URL"
