#!/usr/bin/env python3
"""jscorpus — how much of the real web's JavaScript crawld runs, against
headless Chromium, page by page (bench/jscorpus.sh installs, serves, calls).

  jscorpus.py gen SITE_DIR [--only a,b] [--quick] [--repeat N]
      the library corpus: for each library a few small pages that load the
      real library file (bench/jscorpus/node_modules, copied to SITE/lib/)
      and use it the way sites do, so that their links exist only after the
      library ran (templates in bench/jscorpus/pages/LIB/), and small apps
      bundled with esbuild (bench/jscorpus/apps/), one shell page per
      route. SITE/index.html links to every page; SITE/expected.json lists
      the pages, their library and the links they should end with. With
      --repeat N the index links N pages: the pages again and again, ?r=K.

  jscorpus.py run --bin BUILD_DIR --name NAME --group LABEL --seed URL
                  --depth D --max-pages N [--chromium-max-pages M]
                  --out JSON --tmp DIR [--timeout S] [--workers 2]
                  [--expected expected.json]
      crawls SEED with crawld --js and with headless Chromium (playwright-
      core, bench/peers/playwright_crawl.mjs), each once, each bounded by
      depth D, its page cap and the timeout; keeps for every page the links
      each found and the script errors each saw, with each crawler's whole
      process tree sampled every 100 ms (bench_peers' sampler). Merged into
      JSON under NAME.

  jscorpus.py report JSON OUT_DIR
      writes OUT_DIR/jscorpus.md (and prints it).

A page's links: every http(s) a[href] after scripts, resolved, without its
fragment, a link to the page itself left out. crawld's are its record's
`links`; Chromium's are read from the DOM after load and settling.
A script error: crawld: js_stats.failed > 0, timed_out, out_of_memory, a
js_note or a record with js false or an error; Chromium: an uncaught
exception (pageerror), a console.error or a script request that failed.
A page passes when crawld found >= 99 % of Chromium's links and has no
script error where Chromium has none."""
import json, os, shutil, signal, subprocess, sys, time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import bench_peers  # noqa: E402  (process-tree sampler, run_tree)
import report as peers_report  # noqa: E402  (worker_drift)

JC = os.path.join(HERE, "jscorpus")
NM = os.path.join(JC, "node_modules")
N_LINKS = 8

# Library files as sites load them (the minified dist file), served as /lib/NAME.js.
FILES = {
    "jquery1": "jquery1/dist/jquery.min.js", "jquery2": "jquery2/dist/jquery.min.js",
    "jquery3": "jquery3/dist/jquery.min.js", "jquery-ui": "jquery-ui/dist/jquery-ui.min.js",
    "bootstrap3": "bootstrap3/dist/js/bootstrap.min.js",
    "bootstrap5.bundle": "bootstrap5/dist/js/bootstrap.bundle.min.js",
    "lodash": "lodash/lodash.min.js", "underscore": "underscore/underscore-umd-min.js",
    "backbone": "backbone/backbone-min.js", "alpine": "alpinejs/dist/cdn.min.js",
    "htmx": "htmx.org/dist/htmx.min.js",
}

# library -> (template directory under pages/, substitutions, npm package for the version)
LIBS = {
    "jquery1": ("jquery", {"JQ": "jquery1"}, "jquery1"),
    "jquery2": ("jquery", {"JQ": "jquery2"}, "jquery2"),
    "jquery3": ("jquery", {"JQ": "jquery3"}, "jquery3"),
    "jquery-ui": ("jquery-ui", {}, "jquery-ui"),
    "bootstrap3": ("bootstrap3", {}, "bootstrap3"),
    "bootstrap5": ("bootstrap5", {}, "bootstrap5"),
    "lodash": ("lodash", {"NAME": "lodash"}, "lodash"),
    "underscore": ("underscore", {"NAME": "underscore"}, "underscore"),
    "backbone": ("backbone", {}, "backbone"),
    "alpine": ("alpine", {}, "alpinejs"),
    "htmx": ("htmx", {}, "htmx.org"),
}
APPS = {"react": "react-router-dom", "vue": "vue-router", "preact": "preact", "svelte": "svelte",
        "lit": "lit"}
APP_PAGES = ("index.html", "about.html")


def version(pkg):
    try:
        with open(os.path.join(NM, pkg, "package.json")) as f:
            return json.load(f)["version"]
    except (OSError, ValueError, KeyError):
        return "?"


def subst(text, kv):
    for k, v in kv.items():
        text = text.replace("@@%s@@" % k, v)
    return text


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def gen(site, only, quick, repeat=0):
    names = [n for n in list(LIBS) + list(APPS) if not only or n in only]
    if only and set(only) - set(names):
        raise SystemExit("jscorpus: unknown library %s (known: %s)"
                         % (", ".join(sorted(set(only) - set(names))), ", ".join(list(LIBS) + list(APPS))))
    os.makedirs(os.path.join(site, "lib"), exist_ok=True)
    for name, rel in FILES.items():
        shutil.copyfile(os.path.join(NM, rel), os.path.join(site, "lib", name + ".js"))
    apps = [n for n in names if n in APPS]
    if apps:
        r = subprocess.run(["node", os.path.join(JC, "apps", "build.mjs"), os.path.join(site, "lib", "apps")]
                           + apps, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit("jscorpus: esbuild failed: %s" % r.stderr[-3000:])
        for n in apps:
            os.replace(os.path.join(site, "lib", "apps", n + ".js"), os.path.join(site, "lib", "app-%s.js" % n))
    pages, index = [], []
    for name in names:
        if name in LIBS:
            tdir, kv, pkg = LIBS[name]
            tpls = sorted(f for f in os.listdir(os.path.join(JC, "pages", tdir)) if f.endswith(".html"))
            if quick:
                tpls = tpls[:2]
            for t in tpls:
                page = t[:-5]
                base = "/c/%s/%s" % (name, page)
                links = ["/t/%s/%s/%d.html" % (name, page, k) for k in range(N_LINKS)]
                data = {"links": links}
                frag = "".join('<a href="%s">Fragment %d</a>\n' % (h, k) for k, h in enumerate(links))
                kv2 = dict(kv, LIB="/lib", LINKS=json.dumps(links), LINKS_ATTR=json.dumps(links).replace('"', "'"),
                           DATA=base + ".json", FRAG=base + ".frag.html")
                with open(os.path.join(JC, "pages", tdir, t)) as f:
                    html = subst(f.read(), kv2)
                write(os.path.join(site, base.lstrip("/") + ".html"), html)
                write(os.path.join(site, base.lstrip("/") + ".json"), json.dumps(data))
                write(os.path.join(site, base.lstrip("/") + ".frag.html"), frag)
                pages.append({"path": base + ".html", "group": name, "expected": links + ["/index.html"]})
        else:
            pkg = APPS[name]
            with open(os.path.join(JC, "apps", "shell.html")) as f:
                shell = f.read()
            for p in APP_PAGES:
                stem = p[:-5]
                base = "/app/%s" % name
                routes = ["/item/%s-%d" % (stem, k) for k in range(N_LINKS)]
                cfg = {"base": base, "data": "%s/%s.json" % (base, stem), "routes": routes}
                write(os.path.join(site, base.lstrip("/"), p),
                      subst(shell, {"NAME": name, "LIB": "/lib", "CFG": json.dumps(cfg)}))
                write(os.path.join(site, base.lstrip("/"), stem + ".json"), json.dumps({"routes": routes}))
                pages.append({"path": "%s/%s" % (base, p), "group": name,
                              "expected": [base + r for r in routes] + ["/index.html"]})
    for p in pages:
        index.append('<li><a href="%s">%s</a></li>' % (p["path"], p["path"]))
    for k in range(max(0, repeat - len(pages))):  # a long crawl: the same pages again, ?r=K
        u = "%s?r=%d" % (pages[k % len(pages)]["path"], k // len(pages) + 1)
        index.append('<li><a href="%s">%s</a></li>' % (u, u))
    write(os.path.join(site, "index.html"), "<!DOCTYPE html>\n<title>jscorpus</title>\n<ul>\n%s\n</ul>\n"
          % "\n".join(index))
    vers = {n: version(LIBS[n][2] if n in LIBS else APPS[n]) for n in names}
    for n in apps:
        vers[n] = "%s %s" % (APPS[n], vers[n])
        if n in ("react", "vue"):
            vers[n] = "%s %s, %s" % (n, version(n), vers[n])
    vers["esbuild"] = version("esbuild")
    with open(os.path.join(site, "expected.json"), "w") as f:
        json.dump({"pages": pages, "versions": vers, "groups": names}, f)
    print("jscorpus: generated %d pages of %d libraries in %s" % (len(pages), len(names), site))


# --------------------------------------------------------------------------
# crawling
# --------------------------------------------------------------------------

def norm_links(page, links):
    page = bench_peers.norm(page)
    out = set()
    for h in links or []:
        if not isinstance(h, str):
            h = h.get("url") or h.get("href") or ""
        try:
            u = urllib.parse.urljoin(page, h.strip())
        except ValueError:
            continue
        if not u.startswith(("http://", "https://")):
            continue
        u = bench_peers.norm(u)
        if u != page:
            out.add(u)
    return out


def crawl_crawld(a):
    os.environ["CRAWLD_BIN"] = a["bin"]
    os.environ.setdefault("CRAWLD_TEST_LOG_LEVEL", "warn")
    sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
    from daemon_lib import Daemon  # scratch config and directory; allow_private for loopback
    conf = "[politeness]\ndelay_ms = 0\nper_host_concurrency = 4\n"
    d = Daemon("jscorpus", conf=conf, workers=a["workers"], crawl=True)
    opts = ["--js", "--depth", str(a["depth"]), "--max-pages", str(a["max_pages"])]
    t0 = time.time()
    try:
        d.start()
        s = bench_peers.TreeSampler(d.proc.pid, t0)
        s.start()
        _, out, _ = d.ctl("submit", *opts, a["seed"])
        jid = out.strip()
        r = subprocess.run([a["bin"] + "/crawlctl", "-s", d.sock, "wait", jid, "--timeout",
                            str(int(a["timeout"]))], capture_output=True, text=True)
        t1 = time.time()
        rc = r.returncode
        if rc != 0:
            d.ctl("cancel", jid)
        samples = s.stop()
        pages = {}
        with open(os.path.join(d.out, jid, "pages.jsonl")) as f:
            for line in f:
                if not line.strip():
                    continue
                rec = json.loads(line)
                if (rec.get("content_type") or "").split(";")[0] != "text/html" or \
                        not 200 <= (rec.get("status") or 0) < 300:
                    continue
                url = bench_peers.norm(rec.get("final_url") or rec["url"])
                st = rec.get("js_stats") or {}
                pages[url] = {"links": sorted(norm_links(url, rec.get("links"))), "errors": bench_peers.crawld_errors(rec),
                              "scripts": st.get("scripts"), "ms": (rec.get("fetch_ms") or 0) + (rec.get("js_ms") or 0)}
        d.stop()
    finally:
        d.cleanup()
    cmd = "crawld -c CONF (workers=%d, shipped config but delay_ms=0, per_host_concurrency=4, " \
          "allow_private=true); crawlctl submit %s %s; crawlctl wait ID" % (a["workers"], " ".join(opts), a["seed"])
    return {"seconds": t1 - t0, "exit": rc, "peak_rss_kb": max((x[1] for x in samples), default=0),
            "series": [(x[0], x[1]) for x in samples], "pages": pages, "cmd": cmd,
            "workers": _workers(samples)}


def _workers(samples):
    w = {}
    for t, _, kids in samples:
        for pid, rss in kids.items():
            w.setdefault(str(pid), []).append((t, rss))
    return w


def crawl_chromium(a):
    work = os.path.join(a["tmp"], "chromium-" + a["name"])
    os.makedirs(work, exist_ok=True)
    found, plog = os.path.join(work, "found.txt"), os.path.join(work, "pages.jsonl")
    argv = ["node", os.path.join(HERE, "peers", "playwright_crawl.mjs"), a["seed"], str(a["chromium_max_pages"]),
            found, os.environ.get("PLAYWRIGHT_TABS", "4")]
    env = dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1", PAGE_LOG=plog, MAX_DEPTH=str(a["depth"]))
    t0, t1, rc, samples, _ = bench_peers.run_tree(argv, a["timeout"], cwd=work, env=env,
                                                  log=os.path.join(work, "log.txt"))
    pages = {}
    try:
        with open(plog) as f:
            for line in f:
                try:
                    p = json.loads(line)
                except ValueError:
                    continue
                if p.get("type") != "text/html" or not 200 <= (p.get("status") or 0) < 300:
                    continue
                url = bench_peers.norm(p["url"])
                pages[url] = {"links": sorted(norm_links(url, p.get("links"))), "errors": p.get("errors") or [],
                              "ms": p.get("ms") or 0}
    except OSError:
        pass
    try:
        with open(os.path.join(work, "log.txt")) as f:
            log_tail = f.read()[-2000:]
    except OSError:
        log_tail = ""
    cmd = "PAGE_LOG=pages.jsonl MAX_DEPTH=%d " % a["depth"] + " ".join(argv).replace(work + "/", "").replace(HERE, "bench")
    return {"seconds": t1 - t0, "exit": rc, "peak_rss_kb": max((x[1] for x in samples), default=0),
            "series": [(x[0], x[1]) for x in samples], "pages": pages, "cmd": cmd, "log_tail": log_tail}


def run(a):
    res = {"name": a["name"], "group": a["group"], "seed": a["seed"], "depth": a["depth"],
           "max_pages": a["max_pages"], "chromium_max_pages": a["chromium_max_pages"], "timeout": a["timeout"],
           "workers": a["workers"], "extra": a["extra"]}
    if a.get("expected"):
        with open(a["expected"]) as f:
            ex = json.load(f)
        base = a["seed"].rsplit("/", 1)[0]
        res["expected"] = {bench_peers.norm(base + p["path"]): {"group": p["group"], "links": len(p["expected"])}
                           for p in ex["pages"]}
        res["versions"] = ex["versions"]
        res["groups"] = ex["groups"]
    for who, fn in (("crawld", crawl_crawld), ("chromium", crawl_chromium)):
        if a["only_crawler"] and who != a["only_crawler"]:
            continue
        print("jscorpus: %s: %s ..." % (a["name"], who), flush=True)
        r = fn(a)
        print("jscorpus:   %d pages in %.1f s, peak RSS %.0f MB, exit %s"
              % (len(r["pages"]), r["seconds"], r["peak_rss_kb"] / 1024, r["exit"]), flush=True)
        res[who] = r
    try:
        with open(a["out"]) as f:
            allres = json.load(f)
    except (OSError, ValueError):
        allres = {}
    allres[a["name"]] = res
    with open(a["out"], "w") as f:
        json.dump(allres, f)
    return 0


# --------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------

def compare(r):
    """Per page: links each found, common, errors. The library corpus: its
    pages; the docs: the pages Chromium fetched (crawld's beyond Chromium's
    cap have nothing to be compared with)."""
    cd, ch = r.get("crawld", {}).get("pages", {}), r.get("chromium", {}).get("pages", {})
    exp = r.get("expected")
    rows = []
    for url in sorted(set(cd) | set(ch)):
        if exp is not None and url not in exp:
            continue  # the index page, leaf pages
        c, h = cd.get(url), ch.get(url)
        if exp is None and h is None:
            continue  # docs: a page past Chromium's cap has nothing to be compared with
        row = {"url": url, "group": exp[url]["group"] if exp else r["group"],
               "expected": exp[url]["links"] if exp else None,
               "crawld": None if c is None else len(c["links"]),
               "chromium": None if h is None else len(h["links"]),
               "crawld_errors": None if c is None else c["errors"],
               "chromium_errors": None if h is None else h["errors"]}
        if c is not None and h is not None:
            hl, cl = set(h["links"]), set(c["links"])
            row["common"] = len(hl & cl)
            row["ratio"] = row["common"] / len(hl) if hl else 1.0
            row["missing_examples"] = sorted(hl - cl)[:3]
            row["pass"] = row["ratio"] >= 0.99 and not (c["errors"] and not h["errors"])
            row["clean"] = not c["errors"] and not h["errors"]
        rows.append(row)
    if exp is not None:  # a page neither fetched is a page neither passed
        for url, e in exp.items():
            if url not in cd and url not in ch:
                rows.append({"url": url, "group": e["group"], "expected": e["links"], "crawld": None,
                             "chromium": None, "crawld_errors": None, "chromium_errors": None})
    return rows


def clean_rate(crawler, rows, who):
    """Pages/s over the clean pages: the run's wall time apportioned to them
    by the crawler's own time per page (crawld: fetch_ms + js_ms; Chromium:
    goto to links read)."""
    pages = crawler["pages"]
    tot = sum(p["ms"] for p in pages.values())
    clean = [r["url"] for r in rows if r.get("clean")]
    part = sum(pages[u]["ms"] for u in clean if u in pages)
    if not clean or not tot or not part:
        return None, len(clean)
    return len(clean) / (crawler["seconds"] * part / tot), len(clean)


def fmt(x, f="%.1f"):
    return "n/a" if x is None else f % x


def ok(b):
    return "n/a" if b is None else ("met" if b else "**NOT met**")


def report(path, out):
    res = json.load(open(path))
    meta = res.pop("_meta", {})
    L = ["# crawld against headless Chromium on the real web's JavaScript", ""]
    L.append("Run of %s, commit %s, host %s (%s CPUs, %s). %s" % (
        meta.get("date", "?"), meta.get("commit", "?"), meta.get("host", "?"), meta.get("cpus", "?"),
        meta.get("mem", "?"), "QUICK run (a few pages per library)." if meta.get("quick") else ""))
    L.append("")
    L.append("Reproduce: `make bench-jscorpus` (or `QUICK=1 bash bench/jscorpus.sh build`). Settings: %s."
             % (", ".join("%s=%s" % kv for kv in (meta.get("env") or {}).items() if kv[1]) or "defaults"))
    L.append("")
    L.append("Versions: %s." % "; ".join("%s %s" % kv for kv in (meta.get("versions") or {}).items()))
    L.append("")
    L.append("Each corpus is served by nginx on 127.0.0.1 and crawled once by crawld --js (the shipped config, "
             "but `delay_ms = 0`, `per_host_concurrency = 4` and `allow_private = true`: every page is on one "
             "loopback host) and once by Debian's Chromium driven by playwright-core (bench/peers/"
             "playwright_crawl.mjs: 4 tabs; per page: load event, a 12+12 ms timer chain, every request still in "
             "flight, then every a[href] but rel=nofollow ones, which crawld leaves out of its links too). A page passes when crawld found >= 99 % of the links Chromium found "
             "in it and has no script error where Chromium has none. Script errors: crawld's from its record "
             "(js_stats.failed, timed_out, out_of_memory, js_note, js false); Chromium's from uncaught "
             "exceptions, console.error and failed script requests.")
    L.append("")
    T, groups_all, total = [], [], {"pages": 0, "pass": 0}
    speeds = []
    for name, r in res.items():
        if name == "long":  # crawld alone, for the worker RSS over time (below)
            continue
        rows = compare(r)
        both = [x for x in rows if x.get("ratio") is not None]
        cd, ch = r.get("crawld"), r.get("chromium")
        if r.get("expected") is not None:
            L.append("## Libraries (corpus `%s`)" % name)
        else:
            L.append("## Documentation: %s (corpus `%s`)" % (r["group"], name))
            ex = r.get("extra") or {}
            L.append("")
            L.append("Served from `%s` (%s .html files), seed `%s`; crawld capped at %d pages, Chromium at %d."
                     % (ex.get("root", "?"), ex.get("html_files", "?"), r["seed"], r["max_pages"],
                        r["chromium_max_pages"]))
        L.append("")
        groups = r.get("groups") or [r["group"]]
        L.append("| library | version | pages | pass | pass rate | pages with >= 99 % of the links | "
                 "links crawld / Chromium (expected) | pages with script errors crawld / Chromium |")
        L.append("| --- | --- | ---: | ---: | ---: | ---: | --- | --- |")
        for g in groups:
            gr = [x for x in rows if x["group"] == g]
            n = len(gr)
            p = sum(1 for x in gr if x.get("pass"))
            lc = sum(x["crawld"] or 0 for x in gr)
            lh = sum(x["chromium"] or 0 for x in gr)
            le = sum(x["expected"] or 0 for x in gr) if r.get("expected") else None
            ec = sum(1 for x in gr if x["crawld_errors"])
            eh = sum(1 for x in gr if x["chromium_errors"])
            nl = sum(1 for x in gr if (x.get("ratio") or 0) >= 0.99)
            L.append("| %s | %s | %d | %d | %s | %d | %d / %d%s | %d / %d |" % (
                g, (r.get("versions") or {}).get(g, (r.get("extra") or {}).get("package", "")), n, p,
                fmt(100.0 * p / n if n else None, "%.0f %%"), nl, lc, lh, "" if le is None else " (%d)" % le, ec, eh))
            groups_all.append((g, n, p))
            total["pages"] += n
            total["pass"] += p
        npass = sum(1 for x in rows if x.get("pass"))
        T.append(("%s: pages that pass" % name, "%d of %d (%s)" % (npass, len(rows), fmt(
            100.0 * npass / len(rows) if rows else None, "%.1f %%")), (npass >= 0.99 * len(rows)) if rows else None))
        L.append("")
        if cd and ch:
            only_ch = sorted(set(ch["pages"]) - set(cd["pages"]))
            L.append("Pages found: crawld %d, Chromium %d; Chromium's pages crawld did not find: %d%s."
                     % (len(cd["pages"]), len(ch["pages"]), len(only_ch),
                        (" (" + ", ".join(only_ch[:5]) + ("…" if len(only_ch) > 5 else "") + ")") if only_ch else ""))
            if r.get("expected") is None:
                T.append(("%s: every page Chromium finds" % r["group"], "%d of Chromium's %d missed"
                          % (len(only_ch), len(ch["pages"])), not only_ch))
            L.append("")
            rc, nc = clean_rate(cd, rows, "crawld")
            rh, _ = clean_rate(ch, rows, "chromium")
            speeds.append((name, rc, rh, nc, len(both), cd, ch))
        # per page (library corpus: every page; docs: failing pages only, at most 40)
        show = rows if r.get("expected") is not None else \
            sorted((x for x in rows if not x.get("pass")), key=lambda x: x.get("ratio") is None)[:40]
        if show:
            L.append("<details><summary>%s</summary>" % ("Every page" if r.get("expected") is not None else
                                                         "Pages that did not pass (at most 40)"))
            L.append("")
            L.append("| page | links crawld | links Chromium | ratio | crawld's script errors | Chromium's | pass |")
            L.append("| --- | ---: | ---: | ---: | --- | --- | --- |")
            for x in show:
                L.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                    urllib.parse.urlsplit(x["url"]).path, fmt(x["crawld"], "%d"), fmt(x["chromium"], "%d"),
                    fmt(x.get("ratio"), "%.2f"), _errs(x["crawld_errors"]), _errs(x["chromium_errors"]),
                    "yes" if x.get("pass") else "no"))
            L.append("")
            L.append("</details>")
            L.append("")
    L.append("## Against the targets")
    L.append("")
    passing = total["pass"] / total["pages"] if total["pages"] else None
    T.insert(0, ("all corpora: >= 99 % of Chromium's links on >= 99 % of pages, no script error where Chromium "
                 "has none",
                 "%d of %d pages pass (%s)" % (total["pass"], total["pages"], fmt(passing and passing * 100, "%.1f %%")),
                 None if passing is None else passing >= 0.99))
    for name, rc, rh, nc, nb, cd, ch in speeds:
        if rc and rh:
            T.append(("%s: JS pages/s >= 10x Chromium's (over the %d of %d pages both ran without a script error)"
                      % (name, nc, nb), "%.1f / %.1f = %.1fx" % (rc, rh, rc / rh), rc / rh >= 10))
        else:
            T.append(("%s: JS pages/s >= 10x Chromium's" % name, "no page both ran without a script error (of %d)"
                      % nb, None))
        T.append(("%s: peak RSS <= 1/10 of Chromium's (whole process trees)" % name, "%.0f MB vs %.0f MB = 1/%.1f"
                  % (cd["peak_rss_kb"] / 1024, ch["peak_rss_kb"] / 1024,
                     ch["peak_rss_kb"] / max(cd["peak_rss_kb"], 1)), ch["peak_rss_kb"] >= 10 * cd["peak_rss_kb"]))
        T.append(("%s: whole-run pages/s (all pages, start-up included)" % name, "crawld %.1f (%d pages in %.1f s), "
                  "Chromium %.1f (%d in %.1f s)" % (len(cd["pages"]) / cd["seconds"], len(cd["pages"]), cd["seconds"],
                                                    len(ch["pages"]) / ch["seconds"], len(ch["pages"]), ch["seconds"]),
                  None))
    long_ = res.get("long", {}).get("crawld")
    if long_:
        d = _drift(long_)
        T.append(("long crawl (%d library pages, crawld alone, %.1f pages/s, peak RSS %.0f MB): worker RSS flat "
                  "(mean of the last quarter vs the second quarter, within 5 %%)"
                  % (len(long_["pages"]), len(long_["pages"]) / long_["seconds"], long_["peak_rss_kb"] / 1024),
                  "; ".join("worker %s %.1f -> %.1f MB (%+.1f%%)" % x for x in d) if d else "too short to tell",
                  (max(abs(x[3]) for x in d) <= 5) if d else None))
    L.append("| target | measured | |")
    L.append("| --- | --- | --- |")
    for what, got, b in T:
        L.append("| %s | %s | %s |" % (what, got, ok(b)))
    L.append("")
    L.append("JS pages/s over the clean pages: each crawler's wall time of the run, apportioned to those pages by "
             "its own time per page (crawld: fetch_ms + js_ms of the record; Chromium: goto to links read), "
             "start-up included.")
    L.append("")
    L.append("Commands:")
    L.append("")
    L.append("```")
    for name, r in res.items():
        for who in ("crawld", "chromium"):
            if r.get(who):
                L.append("%s %s: %s" % (name, who, r[who]["cmd"]))
    L.append("```")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "jscorpus.md"), "w") as f:
        f.write("\n".join(L) + "\n")
    print("\n".join(L))
    return 0


def _errs(e):
    if e is None:
        return "—"
    if not e:
        return ""
    s = "; ".join(e[:2]) + (" (+%d)" % (len(e) - 2) if len(e) > 2 else "")
    return s.replace("|", "\\|").replace("\n", " ")[:160]


_drift = peers_report.worker_drift  # the workers' RSS, second quarter against the last


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run_tree and Daemon clean up on the way out
    if len(sys.argv) >= 3 and sys.argv[1] == "gen":
        rest = [x for x in sys.argv[3:] if x != "--quick"]
        kv = dict(zip(rest[::2], rest[1::2]))
        only = [x for x in (kv.get("--only") or "").split(",") if x]
        gen(sys.argv[2], only, "--quick" in sys.argv, int(kv.get("--repeat", 0)))
        return 0
    if len(sys.argv) >= 2 and sys.argv[1] == "run":
        kv = dict(zip(sys.argv[2::2], sys.argv[3::2]))
        for k in ("--bin", "--name", "--seed", "--out", "--tmp"):
            if k not in kv:
                raise SystemExit("jscorpus run: %s is required" % k)
        mp = int(kv.get("--max-pages", 1000))
        a = {"bin": os.path.abspath(kv["--bin"]), "name": kv["--name"], "group": kv.get("--group", kv["--name"]),
             "seed": kv["--seed"], "out": kv["--out"], "tmp": kv["--tmp"], "depth": int(kv.get("--depth", 1000)),
             "max_pages": mp, "chromium_max_pages": int(kv.get("--chromium-max-pages", mp)),
             "timeout": float(kv.get("--timeout", 600)), "workers": int(kv.get("--workers", 2)),
             "expected": kv.get("--expected"), "extra": json.loads(kv.get("--extra", "{}")),
             "only_crawler": kv.get("--only-crawler")}
        return run(a)
    if len(sys.argv) == 4 and sys.argv[1] == "report":
        return report(sys.argv[2], sys.argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
