#!/usr/bin/env bash
# Installs the Debian packages crawld builds and tests with, when missing.
set -euo pipefail
PKGS="build-essential g++ pkg-config libuv1-dev libcurl4-openssl-dev libmozjs-102-dev
libgumbo-dev libxml2-dev check libsqlite3-dev libpq-dev postgresql libjansson-dev libinih-dev libsystemd-dev libpsl-dev libidn2-dev python3 curl
systemd man-db groff-base prometheus clang clang-format zlib1g-dev libssl-dev libseccomp-dev
libcap2-bin
libmicrohttpd-dev openssl python3-jsonschema python3-yaml"
# content out (--save): zstd for content.jsonl.zst and its tests; python3-doc
# is the real site tests/integration/content.sh crawls
PKGS="$PKGS libzstd-dev zstd python3-doc"
missing=()
for p in $PKGS; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# npm (tests/integration/warc.sh installs the warcio reader with it,
# tests/integration/js_libs.sh the libraries its pages run): Debian's
# package only when no npm is there (a nodejs build that ships npm has none).
command -v npm >/dev/null 2>&1 || missing+=(npm)
# --extract's cross-check (tests/integration/extract_pydocs.sh, bench/bench_extract.sh):
# real pages to crawl and an independent selector implementation
for p in python3-doc python3-lxml python3-cssselect; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: all present"
    exit 0
fi
echo "deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
