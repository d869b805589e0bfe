#!/usr/bin/env bash
# Who may talk to crawld's control socket: SO_PEERCRED with allow_users and
# allow_groups, checked with crawlctl run as another user
# (tests/integration/control_access.py). Needs root (to switch users).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
    echo "control_access: SKIP: needs root and setpriv to run crawlctl as another user" >&2
    exit 0
fi
python3 tests/integration/control_access.py
