"""js_site — the JS site bench_js.py serves (and bench_peers.py and soak.sh
reuse): pages whose links to other pages exist only after their scripts ran,
one mix of techniques per page (gen_page), and gen() writing the whole site
with expected.json. stdlib only."""
import json, os, random

LINKS_PER_PAGE = 5
EXT_SCRIPTS = 4      # js/0.js .. js/3.js, shared by the pages that use them
TIMER_MS = 10        # each level of the nested setTimeout

MECHS = ["append", "innerHTML", "write", "timeout", "domcontentloaded", "fetch",
         "datahref", "external"]

WORDS = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
         "incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud "
         "exercitation ullamco laboris nisi aliquip ex ea commodo consequat duis aute irure "
         "in reprehenderit voluptate velit esse cillum fugiat nulla pariatur excepteur sint "
         "occaecat cupidatat non proident sunt culpa qui officia deserunt mollit anim id est "
         "crawler daemon worker page script frontier queue host robots fetch parse render "
         "index archive catalogue report season market river station garden library").split()


# --------------------------------------------------------------------------
# the site
# --------------------------------------------------------------------------

def targets(i, n):
    """The pages page i links to: LINKS_PER_PAGE distinct pages, not i."""
    out = []
    for mul, add in ((7, 1), (13, 5), (31, 11), (1, 1), (101, 17), (3, 2), (17, 29), (53, 3)):
        t = (i * mul + add) % n
        if t != i and t not in out:
            out.append(t)
        if len(out) == LINKS_PER_PAGE:
            return out
    k = 1
    while len(out) < min(LINKS_PER_PAGE, n - 1):
        t = (i + k) % n
        if t != i and t not in out:
            out.append(t)
        k += 1
    return out


def mechs(i):
    """Two ways page i makes its links: A makes the first 3, B the other 2."""
    a = i % len(MECHS)
    b = (a + 1 + (i // len(MECHS)) % (len(MECHS) - 1)) % len(MECHS)
    return a, b


def href(t, j, i):
    """Link j of page i to page t, in one of the forms pages use."""
    f = (i + j) % 3
    return ("%d.html" % t, "/p/%d.html" % t, "../p/%d.html" % t)[f]


def text(rng, words):
    return " ".join(rng.choice(WORDS) for _ in range(words))


def static_body(rng, i):
    """~5-10 KB of markup without any <a href>: the page's own content."""
    target = rng.randint(3500, 7000)
    parts = ['<header class="site"><h1>Page %d: %s</h1><p class="lede">%s</p></header>'
             % (i, text(rng, 4).title(), text(rng, 25))]
    size = len(parts[0])
    sec = 0
    while size < target:
        sec += 1
        kind = rng.randint(0, 3)
        if kind == 0:
            s = '<section id="s%d"><h2>%s</h2>%s</section>' % (
                sec, text(rng, 3).title(),
                "".join("<p>%s.</p>" % text(rng, rng.randint(30, 70)).capitalize()
                        for _ in range(rng.randint(1, 3))))
        elif kind == 1:
            s = '<ul class="facts">%s</ul>' % "".join(
                "<li><b>%s</b> %s</li>" % (text(rng, 1), text(rng, rng.randint(5, 12)))
                for _ in range(rng.randint(3, 7)))
        elif kind == 2:
            s = '<table class="data"><thead><tr><th>Name</th><th>Value</th><th>Note</th></tr></thead><tbody>%s</tbody></table>' % "".join(
                "<tr><td>%s</td><td>%d</td><td>%s</td></tr>" % (text(rng, 2), rng.randint(1, 99999), text(rng, 4))
                for _ in range(rng.randint(3, 8)))
        else:
            s = '<div class="card"><img alt="%s" width="120" height="80"><p>%s</p></div>' % (
                text(rng, 2), text(rng, rng.randint(20, 40)))
        parts.append(s)
        size += len(s)
    return "\n".join(parts)


GARBAGE_JS = """<script>
(function () {
  // What page scripts do all day: build, sort and index a few thousand
  // small objects, serialise some, keep a cache on window.
  var n = %(n)d, items = [];
  for (var k = 0; k < n; k++)
    items.push({ id: k, label: 'item-' + k, tags: [k %% 7, k %% 11], score: (k * 2654435761) %% 1000 });
  items.sort(function (a, b) { return a.score - b.score || a.id - b.id; });
  var byLabel = new Map();
  items.forEach(function (o) { byLabel.set(o.label, o); });
  var s = JSON.stringify(items.slice(0, 200));
  window.__cache = { n: items.length, first: items[0].label, size: s.length, map: byLabel };
})();
</script>"""


def js_array(hrefs):
    return json.dumps(hrefs)


def mech_parts(m, i, hrefs, slot):
    """(head, body) markup and side files for mechanism m making hrefs.
    slot ('a' or 'b') keeps ids apart when a page uses two mechanisms."""
    c = "links-" + slot
    L = js_array(hrefs)
    head, body, files = "", "", {}
    if m == "append":
        body = ('<nav id="%s"></nav><script>\n(function () {\n  var nav = document.getElementById(%r);\n'
                '  %s.forEach(function (h, k) {\n    var a = document.createElement("a");\n'
                '    a.href = h; a.textContent = "Related " + (k + 1); a.className = "rel";\n'
                '    nav.appendChild(a);\n  });\n})();\n</script>' % (c, c, L))
    elif m == "innerHTML":
        body = ('<div id="%s" class="list"></div><script>\n'
                'document.getElementById(%r).innerHTML = %s.map(function (h, k) {\n'
                '  return \'<p class="item"><a href="\' + h + \'">Read more \' + k + \'</a></p>\';\n'
                '}).join("");\n</script>' % (c, c, L))
    elif m == "write":
        body = ('<div class="written"><script>\nfor (var w = 0, W = %s; w < W.length; w++)\n'
                '  document.write(\'<a class="w" href="\' + W[w] + \'">Page link \' + w + \'</a> \');\n'
                '</script></div>' % L)
    elif m == "timeout":
        first, rest = hrefs[:1], hrefs[1:]
        body = ('<ol id="%s"></ol><script>\n(function () {\n  function add(list) {\n'
                '    var ol = document.getElementById(%r);\n    list.forEach(function (h) {\n'
                '      var li = document.createElement("li"), a = document.createElement("a");\n'
                '      a.setAttribute("href", h); a.appendChild(document.createTextNode("Later " + h));\n'
                '      li.appendChild(a); ol.appendChild(li);\n    });\n  }\n'
                '  setTimeout(function () {\n    add(%s);\n    setTimeout(function () { add(%s); }, %d);\n'
                '  }, %d);\n})();\n</script>' % (c, c, js_array(first), js_array(rest), TIMER_MS, TIMER_MS))
    elif m == "domcontentloaded":
        head = ('<script>\ndocument.addEventListener("DOMContentLoaded", function () {\n'
                '  var box = document.querySelector("#%s");\n'
                '  var ul = document.createElement("ul");\n'
                '  %s.forEach(function (h) {\n'
                '    var li = document.createElement("li");\n'
                '    li.innerHTML = \'<a href="\' + h + \'">Also see</a>\';\n'
                '    ul.appendChild(li);\n  });\n  box.appendChild(ul);\n});\n</script>' % (c, L))
        body = '<aside id="%s"></aside>' % c
    elif m == "fetch":
        files["data/%d-%s.json" % (i, slot)] = json.dumps(
            {"page": i, "title": "Related pages", "items": [{"url": h, "title": "Item %d" % k}
                                                          for k, h in enumerate(hrefs)]})
        body = ('<section id="%s"></section><script>\n'
                'fetch("../data/%d-%s.json").then(function (r) { return r.json(); }).then(function (d) {\n'
                '  var box = document.getElementById(%r);\n'
                '  d.items.forEach(function (it) {\n    var a = document.createElement("a");\n'
                '    a.href = it.url; a.textContent = it.title; box.appendChild(a);\n  });\n'
                '});\n</script>' % (c, i, slot, c))
    elif m == "datahref":
        spans = "".join('<span class="js-link" data-href="%s">Go %d</span> ' % (h, k)
                        for k, h in enumerate(hrefs))
        body = ('<p id="%s">%s</p><script>\n'
                'document.querySelectorAll("#%s [data-href]").forEach(function (el) {\n'
                '  var a = document.createElement("a");\n  a.href = el.dataset.href;\n'
                '  a.textContent = el.textContent;\n  el.parentNode.replaceChild(a, el);\n'
                '});\n</script>' % (c, spans, c))
    elif m == "external":
        k = (i // len(MECHS)) % EXT_SCRIPTS
        body = ('<div id="%s" data-widget="related"></div>\n'
                '<script type="application/json" class="page-data">%s</script>\n'
                '<script src="../js/%d.js"></script>' % (c, json.dumps({"box": c, "links": hrefs}), k))
    return head, body, files


# Four shared scripts, each rendering the page's JSON island its own way.
EXT_JS = [
    # 0: widget with a DocumentFragment
    """(function () {
  var nodes = document.querySelectorAll('script.page-data');
  var d = JSON.parse(nodes[nodes.length - 1].textContent);
  var frag = document.createDocumentFragment(), ul = document.createElement('ul');
  d.links.forEach(function (h, k) {
    var li = document.createElement('li'), a = document.createElement('a');
    a.href = h; a.textContent = 'Widget ' + k; li.appendChild(a); ul.appendChild(li);
  });
  frag.appendChild(ul);
  document.getElementById(d.box).appendChild(frag);
})();
""",
    # 1: template string and insertAdjacentHTML
    """(function () {
  var nodes = document.getElementsByClassName('page-data');
  var d = JSON.parse(nodes[nodes.length - 1].textContent);
  var html = d.links.map((h, k) => `<div class="teaser"><a href="${h}">Teaser ${k}</a></div>`).join('');
  document.getElementById(d.box).insertAdjacentHTML('beforeend', html);
})();
""",
    # 2: a small component class, classList and append()
    """(function () {
  class Related {
    constructor(box, links) { this.box = box; this.links = links; this.cache = new Map(); }
    item(h, k) {
      const a = document.createElement('a');
      a.setAttribute('href', h); a.classList.add('related', 'k' + k); a.textContent = 'Component ' + k;
      this.cache.set(h, a);
      return a;
    }
    render() { this.box.append(...this.links.map((h, k) => this.item(h, k))); }
  }
  const nodes = document.querySelectorAll('script.page-data');
  const d = JSON.parse(nodes[nodes.length - 1].textContent);
  new Related(document.getElementById(d.box), d.links).render();
})();
""",
    # 3: document.currentScript, closest() and a string-built table
    """(function () {
  var me = document.currentScript, island = me && me.previousElementSibling;
  if (!island || island.className !== 'page-data') {
    var all = document.querySelectorAll('script.page-data'); island = all[all.length - 1];
  }
  var d = JSON.parse(island.textContent), box = document.getElementById(d.box);
  var rows = '';
  for (var k = 0; k < d.links.length; k++)
    rows += '<tr><td>' + k + '</td><td><a href="' + d.links[k] + '">Row ' + k + '</a></td></tr>';
  box.innerHTML = '<table class="rel"><tbody>' + rows + '</tbody></table>';
})();
""",
]


def gen_page(i, n):
    rng = random.Random(i * 7919 + 17)
    ts = targets(i, n)
    hrefs = [href(t, j, i) for j, t in enumerate(ts)]
    a, b = mechs(i)
    ha, ba, fa = mech_parts(MECHS[a], i, hrefs[:3], "a")
    hb, bb, fb = mech_parts(MECHS[b], i, hrefs[3:], "b")
    files = dict(fa)
    files.update(fb)
    content = static_body(rng, i)
    cut = content.find("</header>") + len("</header>")
    garbage = GARBAGE_JS % {"n": 2000 + (i * 37) % 3000}
    html = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            "<title>Page %d</title>\n<style>body{font:14px sans-serif;max-width:60em;margin:auto}"
            ".card{border:1px solid #ccc;padding:4px}table.data td{padding:2px 6px}</style>\n"
            "%s\n%s%s</head>\n<body>\n%s\n%s\n<main>%s</main>\n%s\n"
            "<footer><p>Generated page %d of %d (%s + %s).</p></footer>\n</body></html>\n"
            % (i, garbage, ha, hb, content[:cut], ba, content[cut:], bb, i, n, MECHS[a], MECHS[b]))
    return html, ["/p/%d.html" % t for t in ts], files


def gen(site, n):
    for sub in ("p", "data", "js"):
        os.makedirs(os.path.join(site, sub), exist_ok=True)
    expected = {}
    total = 0
    for i in range(n):
        html, links, files = gen_page(i, n)
        with open(os.path.join(site, "p", "%d.html" % i), "w") as f:
            f.write(html)
        total += len(html)
        for name, body in files.items():
            with open(os.path.join(site, name), "w") as f:
                f.write(body)
        expected[str(i)] = {"links": links, "mechs": [MECHS[m] for m in mechs(i)]}
    for k, src in enumerate(EXT_JS):
        with open(os.path.join(site, "js", "%d.js" % k), "w") as f:
            f.write(src)
    with open(os.path.join(site, "index.html"), "w") as f:
        f.write("<!DOCTYPE html><title>bench_js</title><p>bench_js site</p>\n")
    with open(os.path.join(site, "expected.json"), "w") as f:
        json.dump({"pages": n, "pages_dir": "/p/", "links": expected}, f)
    print("bench_js: generated %d pages (%.1f KB average) in %s" % (n, total / n / 1024, site))
