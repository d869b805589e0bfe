#!/usr/bin/env bash
# systemd/crawld.service and crawld.socket: `systemd-analyze verify` passes
# (paths pointed at this build, the man pages of man/ on MANPATH so the
# Documentation= lines resolve), the sandbox scores under 4.0 with
# `systemd-analyze security --offline=yes`, and the settings the daemon
# relies on are there. Skipped (exit 0, saying so) without systemd-analyze.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$(cd "${CRAWLD_BIN:-build}" && pwd)
if ! command -v systemd-analyze >/dev/null; then
    echo "systemd_units: SKIPPED: systemd-analyze not installed (apt-get install systemd)"
    exit 0
fi
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/crawld-units.XXXXXX")
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/units" "$T/man/man1" "$T/man/man5" "$T/man/man8"
sed -e "s#/usr/local/sbin/crawld#$BIN/crawld#" -e "s#/usr/local/bin/crawlctl#$BIN/crawlctl#" \
    systemd/crawld.service >"$T/units/crawld.service"
cp systemd/crawld.socket "$T/units/"
cp man/crawlctl.1 "$T/man/man1/"; cp man/crawld.conf.5 "$T/man/man5/"; cp man/crawld.8 "$T/man/man8/"
grep -q "ExecStart=$BIN/crawld " "$T/units/crawld.service" && ok || bad "ExecStart not rewritten"

if out=$(cd "$T/units" && MANPATH="$T/man" systemd-analyze verify crawld.service crawld.socket 2>&1) \
    && [ -z "$out" ]; then ok; else bad "systemd-analyze verify: $out"; fi
# verify must catch a broken unit: a missing executable fails it.
sed -e "s#^ExecStart=.*#ExecStart=/nonexistent/crawld#" "$T/units/crawld.service" >"$T/broken.service"
if (cd "$T" && MANPATH="$T/man" systemd-analyze verify broken.service >/dev/null 2>&1); then
    bad "verify passed a unit with a missing ExecStart"
else ok; fi

sec=$(systemd-analyze security --offline=yes systemd/crawld.service 2>&1 || true)
score=$(printf '%s\n' "$sec" | sed -n 's/.*Overall exposure level for crawld.service: \([0-9.]*\).*/\1/p')
echo "systemd_units: exposure $score"
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s < 4.0) }'; then ok
else bad "exposure level '$score' is not under 4.0"; fi

s=systemd/crawld.service
for want in '^Type=notify$' '^WatchdogSec=30$' '^Restart=on-failure$' '^OOMPolicy=continue$' \
    '^RuntimeDirectory=crawld$' '^RuntimeDirectoryPreserve=yes$' '^StateDirectory=crawld$' \
    '^NoNewPrivileges=yes$' '^ProtectSystem=strict$' '^ProtectHome=yes$' '^PrivateTmp=yes$' \
    '^PrivateDevices=yes$' '^RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6$' \
    '^SystemCallFilter=@system-service$' '^MemoryHigh=' '^MemoryMax=' '^CapabilityBoundingSet=$' \
    '^ProtectKernelTunables=yes$' '^ProtectKernelModules=yes$' '^ProtectControlGroups=yes$' \
    '^RestrictNamespaces=yes$' '^LockPersonality=yes$' '^MemoryDenyWriteExecute=no$' \
    '^ExecReload=/usr/local/bin/crawlctl reload$'; do
    grep -q -- "$want" "$s" && ok || bad "$s lacks $want"
done
for want in '^ListenStream=/run/crawld/crawld.sock$' '^SocketMode=0660$'; do
    grep -q -- "$want" systemd/crawld.socket && ok || bad "crawld.socket lacks $want"
done
# The socket path is CLI.md's default, the one crawlctl and crawld use.
grep -q '"/run/crawld/crawld.sock"' common/config.c && ok || bad "config default socket moved"
echo "systemd_units: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
