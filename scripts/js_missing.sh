#!/usr/bin/env bash
# The missing-property trace over a local tree of HTML pages: serves DIR on
# 127.0.0.1, runs `crawld-worker fetch --js` with CRAWLD_JS_TRACE_MISSING=1
# on every *.html under it (two at a time), and prints the properties read
# while undefined, summed over the pages, most read first, then the pages
# whose scripts failed. docs/worker.md ("Missing properties") was made with
#   scripts/js_missing.sh /usr/share/doc/python3/html
#   scripts/js_missing.sh /usr/share/doc/doxygen/html
# Usage: scripts/js_missing.sh DIR [TOP]   (CRAWLD_BIN: the build, default build)
set -euo pipefail
dir=$(cd "$1" && pwd)
top=${2:-40}
bin=$(cd "${CRAWLD_BIN:-build}" && pwd)
tmp=$(mktemp -d)
trap 'kill "$srv" 2>/dev/null || true; rm -rf "$tmp"' EXIT
python3 - "$dir" "$tmp/port" <<'PY' &
import http.server, os, sys
class H(http.server.SimpleHTTPRequestHandler):
    def __init__(s, *a, **k): super().__init__(*a, directory=sys.argv[1], **k)
    def log_message(s, *a): pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[2] + ".t", "w").write(str(srv.server_address[1])); os.rename(sys.argv[2] + ".t", sys.argv[2])
srv.serve_forever()
PY
srv=$!
for _ in $(seq 100); do [ -f "$tmp/port" ] && break; sleep 0.1; done
base="http://127.0.0.1:$(cat "$tmp/port")"
(cd "$dir" && find -L . -name '*.html' | sort | sed "s#^\.#$base#") >"$tmp/urls"
export bin tmp
xargs -P 2 -n 1 sh -c 'h=$(printf %s "$0" | md5sum | cut -c1-12);
    CRAWLD_JS_TRACE_MISSING=1 "$bin/crawld-worker" fetch --js "$0" >"$tmp/$h.json" 2>"$tmp/$h.log" || true' \
    <"$tmp/urls"
python3 - "$tmp" "$top" <<'PY'
import collections, glob, json, re, sys
tmp, top = sys.argv[1], int(sys.argv[2])
counts, pages, failed = collections.Counter(), collections.Counter(), []
n = 0
for log in glob.glob(tmp + "/*.log"):
    for line in open(log, errors="replace"):
        m = re.search(r'props="([^"]*)"', line)
        if m:
            for item in m.group(1).split():
                k, _, c = item.rpartition(":")
                counts[k] += int(c)
                pages[k] += 1
for js in glob.glob(tmp + "/*.json"):
    try:
        r = json.loads(open(js).read().strip().splitlines()[-1])
    except (ValueError, IndexError):
        continue
    n += 1
    st = r.get("js_stats") or {}
    if st.get("failed") or r.get("js_note"):
        failed.append((r["url"], st.get("error") or r.get("js_note")))
print("pages: %d, with a script error: %d" % (n, len(failed)))
print("| property | reads | pages |\n| --- | ---: | ---: |")
for k, c in counts.most_common(top):
    print("| `%s` | %d | %d |" % (k, c, pages[k]))
for u, e in sorted(failed)[:20]:
    print("failed:", u, e)
PY
