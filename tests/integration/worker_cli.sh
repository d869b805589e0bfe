#!/usr/bin/env bash
# crawld-worker fetch by hand: exit codes, dump modes, error words, against
# the test server on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${CRAWLD_BIN:-build}
W="$BIN/crawld-worker"
source tests/server/start.sh
httpd_start --site-pages 100
trap httpd_stop EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
expect_rc() { # expected-rc description cmd...
    local want=$1 what=$2; shift 2
    local rc=0
    "$@" >/tmp/wcli.out 2>/tmp/wcli.err || rc=$?
    if [ "$rc" -eq "$want" ]; then ok; else bad "$what: exit $rc, wanted $want ($(head -c 300 /tmp/wcli.err))"; fi
}
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(d.get(sys.argv[2])))' /tmp/wcli.out "$1"; }

expect_rc 0 "version" "$W" --version
grep -q "^crawld-worker [0-9]" /tmp/wcli.out && ok || bad "version text"

expect_rc 0 "page fetch" "$W" fetch "$HTTPD_URL/site/p/3.html"
[ "$(jget status)" = 200 ] && ok || bad "status 200: $(jget status)"
[ "$(jget title)" = '"Page 3"' ] && ok || bad "title: $(jget title)"
[ "$(jget error)" = null ] && ok || bad "error null"
python3 -c 'import json,sys; d=json.load(open("/tmp/wcli.out")); sys.exit(0 if len(d["links"])>=5 and all(l.startswith("http") for l in d["links"]) else 1)' && ok || bad "links absolute"
cp /tmp/wcli.out /tmp/wcli.page
# The keys of two records, in order, are the same (common/record.h).
same_keys() { python3 -c 'import json,sys; k=[list(json.load(open(f))) for f in sys.argv[1:]]; sys.exit(0 if k[0]==k[1] else print(k) or 1)' "$@"; }

expect_rc 0 "404 is a response" "$W" fetch "$HTTPD_URL/status/404"
[ "$(jget status)" = 404 ] && ok || bad "404 status"

expect_rc 1 "gzip bomb" "$W" fetch "$HTTPD_URL/gzipbomb?mb=1024"
jget error | grep -q '"too_large: ' && ok || bad "too_large word: $(jget error)"

expect_rc 1 "redirect loop" "$W" fetch "$HTTPD_URL/redirect-loop"
jget error | grep -q '"too_many_redirects: ' && ok || bad "redirect word"
same_keys /tmp/wcli.page /tmp/wcli.out && ok || bad "a fetch error's record has a page's keys"

expect_rc 1 "timeout" "$W" fetch --timeout-ms 300 "$HTTPD_URL/hang"
jget error | grep -q '"timeout: ' && ok || bad "timeout word"

expect_rc 1 "bad url" "$W" fetch "ftp://example.org/"
jget error | grep -q '"url: ' && ok || bad "url word: $(cat /tmp/wcli.out)"
grep -q "url:" /tmp/wcli.err && ok || bad "url error on stderr"
same_keys /tmp/wcli.page /tmp/wcli.out && ok || bad "a bad URL's record has a page's keys"

expect_rc 0 "links dump" "$W" fetch --dump links "$HTTPD_URL/site/p/3.html"
grep -q "^$HTTPD_URL/site/p/7.html$" /tmp/wcli.out && ok || bad "links dump has p/7 ($(head -3 /tmp/wcli.out))"
! grep -q "mailto:" /tmp/wcli.out && ok || bad "mailto dropped"

expect_rc 0 "text dump" "$W" fetch --dump text "$HTTPD_URL/site/p/3.html"
grep -q "Page 3" /tmp/wcli.out && ok || bad "text has title words"
! grep -q "<p>" /tmp/wcli.out && ok || bad "text has no tags"

expect_rc 0 "html dump" "$W" fetch --dump html "$HTTPD_URL/site/p/3.html"
grep -q "<title>Page 3</title>" /tmp/wcli.out && ok || bad "html dump"

expect_rc 0 "latin1 decoded" "$W" fetch "$HTTPD_URL/latin1"
[ "$(python3 -c 'import json; print(json.load(open("/tmp/wcli.out"))["title"])')" = "Café Olé" ] && ok || bad "latin1 title: $(jget title)"

expect_rc 0 "non-html recorded" "$W" fetch "$HTTPD_URL/nonhtml.json"
[ "$(jget content_type)" = '"application/json"' ] && ok || bad "content_type json"
[ "$(jget title)" = null ] && ok || bad "non-html not parsed"

expect_rc 2 "no url" "$W" fetch
expect_rc 2 "two urls" "$W" fetch a b
expect_rc 2 "bad dump" "$W" fetch --dump pdf "$HTTPD_URL/"
grep -q -- "--dump" /tmp/wcli.err && ok || bad "bad dump named"
expect_rc 2 "bad timeout" "$W" fetch --timeout-ms abc "$HTTPD_URL/"
expect_rc 2 "unknown command" "$W" frobnicate
echo "[daemon]
bogus = 1" > /tmp/wcli.conf
expect_rc 2 "bad config" "$W" fetch -c /tmp/wcli.conf "$HTTPD_URL/"
grep -q "/tmp/wcli.conf:2: \[daemon\] bogus: unknown key" /tmp/wcli.err && ok || bad "config error names file:line key"
expect_rc 2 "serve without channel" "$W" serve --fd 97

echo "worker_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
