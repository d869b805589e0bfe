#!/usr/bin/env bash
# Fault: with allow_private = false (the default) no seed, link or redirect
# reaches a private address in any spelling, only http and https are
# followed, and job output stays under output_dir
# (tests/faults/private_addresses.py).
#
# The test runs in a network namespace of its own (unshare --net, root):
# there the origin server gets 198.51.100.7 (TEST-NET-2, not private by the
# rule) on lo, so a crawl with the default rule can fetch pages whose links
# and redirects point at private addresses; 10.1.2.3, 192.168.7.7,
# 172.16.5.5, 169.254.9.9, 100.64.1.1 and fd00::7 are put on lo too, so a
# connection to any of them would reach the canary, which listens on every
# address of the namespace and counts what it accepts.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CRAWLD_BIN=${CRAWLD_BIN:-build}
export CRAWLD_TEST_LOGFMT=1  # every line crawld logs must parse (tests/logfmt_check.py)
if [[ ${1:-} != --in-netns ]]; then
    if ! unshare --net true 2>/dev/null; then
        echo "private_addresses: needs root and unshare --net (a network namespace)" >&2
        exit 1
    fi
    exec unshare --net -- "$0" --in-netns
fi
ip link set lo up
for a in 198.51.100.7/32 10.1.2.3/32 192.168.7.7/32 172.16.5.5/32 169.254.9.9/32 100.64.1.1/32; do
    ip addr add "$a" dev lo
done
ip -6 addr add fd00::7/128 dev lo nodad
python3 tests/faults/private_addresses.py 198.51.100.7
