#!/usr/bin/env bash
# `make deps` and `make clean` on a machine without the libraries: make must
# not ask pkg-config while it reads the Makefile (it used to print a "Package
# libuv was not found" line per library before deps installed anything).
# A stand-in pkg-config answers as on a fresh machine and notes each call;
# `make -n all` must call it (the stand-in is really the one make uses).
set -euo pipefail
cd "$(dirname "$0")/../.."
unset MAKEFLAGS MFLAGS MAKELEVEL  # its own make, not a sub-make of `make test`
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/crawld-make-deps.XXXXXX")
trap 'rm -rf "$T"' EXIT

mkdir "$T/bin"
cat >"$T/bin/pkg-config" <<EOF
#!/bin/sh
echo "\$*" >>"$T/calls"
for p in "\$@"; do
    case "\$p" in -*) ;; *) echo "Package \$p was not found in the pkg-config search path." >&2 ;; esac
done
exit 1
EOF
chmod +x "$T/bin/pkg-config"

# goal, then what its output may not contain; stdout and stderr together.
for goal in deps clean; do
    : >"$T/calls"
    out=$(PATH="$T/bin:$PATH" make -n $goal PKG_CONFIG="$T/bin/pkg-config" 2>&1) ||
        bad "make -n $goal failed: $out"
    if printf '%s\n' "$out" | grep -Eiq 'not found|error|warning'; then
        bad "make -n $goal printed: $(printf '%s\n' "$out" | grep -Ei 'not found|error|warning' | head -3)"
    else
        ok
    fi
    [ ! -s "$T/calls" ] && ok || bad "make -n $goal ran pkg-config: $(head -3 "$T/calls")"
done
out=$(make -n deps PKG_CONFIG=/bin/false 2>&1) || bad "make -n deps PKG_CONFIG=/bin/false failed"
printf '%s\n' "$out" | grep -q '^bash .ci/deps.sh$' && ok || bad "make -n deps: $out"

# The control: a build goal does ask, once per query, not once per file.
: >"$T/calls"
PATH="$T/bin:$PATH" make -n -B BUILD=debug all PKG_CONFIG="$T/bin/pkg-config" >/dev/null 2>&1 || true
n=$(grep -c . "$T/calls" || true)
[ "$n" -ge 1 ] && ok || bad "make -n all never ran the stand-in pkg-config"
dups=$(sort "$T/calls" | uniq -d)
[ -z "$dups" ] && ok || bad "make -n all ran the same pkg-config query twice: $dups"

echo "make_deps: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
