#!/usr/bin/env bash
# make install / uninstall into a DESTDIR: the exact tree, units rewritten to
# PREFIX, an existing config kept, the installed crawld finding its worker in
# lib/crawld/, the man pages rendering without warnings, every config key of
# common/config.c documented in man/crawld.conf.5 and conf/crawld.conf, and
# uninstall leaving no file behind (a modified config stays).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${CRAWLD_BUILD:-release}
unset MAKEFLAGS MFLAGS MAKELEVEL  # run as its own make, not a sub-make of `make test`
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/crawld-install.XXXXXX")
CPID=""
cleanup() {
    if [ -n "$CPID" ] && kill -0 "$CPID" 2>/dev/null; then kill -9 "$CPID"; wait "$CPID" 2>/dev/null || true; fi
    rm -rf "$T"
}
trap cleanup EXIT
files() { (cd "$1" && find . \( -type f -o -type l \) | sort); }

# ---- every config key is documented ----
keys=$(sed -n -e 's/^ *\(INT\|BOOL\|STR\)_KEY("\([a-z]*\)", *\([a-z_]*\).*/\2 \3/p' \
              -e 's/^ *{"\([a-z]*\)", *"\([a-z_]*\)", *K_.*/\1 \2/p' common/config.c)
nkeys=$(printf '%s\n' "$keys" | grep -c .)
[ "$nkeys" -ge 30 ] && ok || bad "found only $nkeys keys in common/config.c"
while read -r sec key; do
    grep -q "^\.BR $key \" = " man/crawld.conf.5 || bad "man/crawld.conf.5 lacks [$sec] $key"
    # in conf/crawld.conf, inside its own section
    awk -v s="[$sec]" -v k="$key" '$0 == s {in_s = 1; next} /^\[/ {in_s = 0}
        in_s && $1 == k && $2 == "=" {found = 1} END {exit !found}' conf/crawld.conf \
        || bad "conf/crawld.conf lacks [$sec] $key"
    ok
done <<<"$keys"
for sec in daemon limits politeness network; do
    grep -q "^\.SS \[$sec\]" man/crawld.conf.5 && ok || bad "man page lacks section [$sec]"
done

# ---- man pages render without warnings ----
for m in man/crawld.8 man/crawlctl.1 man/crawld.conf.5; do
    w=$( { LC_ALL=C.UTF-8 MANWIDTH=80 man -l --warnings=w "$m" >/dev/null; } 2>&1 || echo "man failed")
    g=$(groff -ww -z -man "$m" 2>&1 || echo "groff failed")
    [ -z "$w$g" ] && ok || bad "$m: $w $g"
    LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$m" 2>/dev/null | grep -q "^NAME" && ok || bad "$m: no NAME"
done

# ---- install into DESTDIR, default PREFIX ----
D=$T/root
make -s install BUILD="$BUILD" DESTDIR="$D" >"$T/install.log" 2>&1 || { cat "$T/install.log"; bad "make install"; }
want="./etc/crawld/crawld.conf
./usr/local/bin/crawlctl
./usr/local/lib/crawld/crawld-worker
./usr/local/lib/systemd/system/crawld.service
./usr/local/lib/systemd/system/crawld.socket
./usr/local/sbin/crawld
./usr/local/share/man/man1/crawlctl.1
./usr/local/share/man/man5/crawld.conf.5
./usr/local/share/man/man8/crawld.8"
got=$(files "$D")
[ "$got" = "$want" ] && ok || bad "installed tree:
$got"
for x in usr/local/sbin/crawld usr/local/bin/crawlctl usr/local/lib/crawld/crawld-worker; do
    [ -x "$D/$x" ] && ok || bad "$x not executable"
done
cmp -s conf/crawld.conf "$D/etc/crawld/crawld.conf" && ok || bad "crawld.conf differs"
grep -q '^ExecStart=/usr/local/sbin/crawld --foreground$' "$D/usr/local/lib/systemd/system/crawld.service" \
    && ok || bad "ExecStart in the installed unit"
[ "$(stat -c %a "$D/usr/local/lib/systemd/system/crawld.service")" = 644 ] && ok || bad "unit mode"
# Installed units verify against the installed tree (its executables and man pages).
if command -v systemd-analyze >/dev/null; then
    mkdir -p "$T/u"
    sed -e "s#=/usr/local/#=$D/usr/local/#" "$D/usr/local/lib/systemd/system/crawld.service" >"$T/u/crawld.service"
    cp "$D/usr/local/lib/systemd/system/crawld.socket" "$T/u/"
    out=$(cd "$T/u" && MANPATH="$D/usr/local/share/man" systemd-analyze verify crawld.service crawld.socket 2>&1) \
        && [ -z "$out" ] && ok || bad "verify installed units: $out"
fi
# A second install keeps an existing (edited) config.
echo "; edited by the operator" >>"$D/etc/crawld/crawld.conf"
make -s install BUILD="$BUILD" DESTDIR="$D" >"$T/install2.log" 2>&1 || bad "second make install"
grep -q "edited by the operator" "$D/etc/crawld/crawld.conf" && ok || bad "existing config overwritten"
grep -q "keeping the existing" "$T/install2.log" && ok || bad "install does not say it kept the config"

# ---- the installed crawld finds crawld-worker in ../lib/crawld/ ----
S=$T/run
mkdir -p "$S"
cat >"$S/crawld.conf" <<CONF
[daemon]
socket = $S/crawld.sock
state_dir = $S/state
output_dir = $S/out
workers = 1
CONF
env -u CRAWLD_WORKER "$D/usr/local/sbin/crawld" -c "$S/crawld.conf" --foreground >"$S/log" 2>&1 &
CPID=$!
up=""
for _ in $(seq 1 400); do
    if st=$("$D/usr/local/bin/crawlctl" -s "$S/crawld.sock" --json status 2>/dev/null) \
        && printf '%s' "$st" | python3 -c 'import json,sys; s=json.load(sys.stdin); sys.exit(s["workers"][0]["state"] != "idle")'; then
        up=1; break
    fi
    sleep 0.05
done
[ -n "$up" ] && ok || bad "installed crawld: no idle worker ($(tail -3 "$S/log"))"
grep -q "worker=\"$D/usr/local/lib/crawld/crawld-worker\"" "$S/log" && ok || bad "worker path: $(grep -o 'worker="[^"]*"' "$S/log")"
kill -TERM "$CPID"; wait "$CPID" && ok || bad "installed crawld exit status"
CPID=""

# ---- uninstall: no file left but the edited config ----
make -s uninstall DESTDIR="$D" >"$T/un.log" 2>&1 || bad "make uninstall"
[ "$(files "$D")" = "./etc/crawld/crawld.conf" ] && ok || bad "after uninstall: $(files "$D")"
grep -q "keeping.*modified" "$T/un.log" && ok || bad "uninstall does not say it kept the config"
[ ! -e "$D/usr/local/lib/crawld" ] && ok || bad "lib/crawld left"
# An unmodified config goes too; nothing at all is left.
cp conf/crawld.conf "$D/etc/crawld/crawld.conf"
make -s install BUILD="$BUILD" DESTDIR="$D" >/dev/null 2>&1 || bad "third make install"
make -s uninstall DESTDIR="$D" >/dev/null 2>&1 || bad "second make uninstall"
[ -z "$(files "$D")" ] && ok || bad "left after uninstall: $(files "$D")"
[ ! -e "$D/etc/crawld" ] && ok || bad "/etc/crawld left"

# ---- PREFIX=/usr: units in /lib/systemd/system, paths rewritten ----
D2=$T/usr
make -s install BUILD="$BUILD" PREFIX=/usr DESTDIR="$D2" >/dev/null 2>&1 || bad "install PREFIX=/usr"
for x in lib/systemd/system/crawld.service lib/systemd/system/crawld.socket usr/sbin/crawld \
    usr/bin/crawlctl usr/lib/crawld/crawld-worker usr/share/man/man8/crawld.8; do
    [ -e "$D2/$x" ] && ok || bad "PREFIX=/usr: $x missing"
done
grep -q '^ExecStart=/usr/sbin/crawld --foreground$' "$D2/lib/systemd/system/crawld.service" \
    && grep -q '^ExecReload=/usr/bin/crawlctl reload$' "$D2/lib/systemd/system/crawld.service" \
    && ok || bad "PREFIX=/usr: unit paths"
make -s uninstall PREFIX=/usr DESTDIR="$D2" >/dev/null 2>&1 || bad "uninstall PREFIX=/usr"
[ -z "$(files "$D2")" ] && ok || bad "PREFIX=/usr left: $(files "$D2")"

echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
