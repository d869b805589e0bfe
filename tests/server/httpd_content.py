"""Bodies of crawld's test HTTP server (httpd.py): the generated site's pages,
the fixed fixtures (PNG, JSON, charsets, compressed pages) and the gzip bomb.
Functions and constants, no server state (gzip_bomb keeps a small cache);
httpd.py imports what it sends.
"""

import gzip
import html
import json
import random
import struct
import threading
import zlib
from functools import lru_cache

try:  # optional
    import brotli  # type: ignore
except Exception:  # pragma: no cover - depends on the machine
    brotli = None

KiB = 1024
MiB = 1024 * 1024
CHUNK = 64 * KiB


def page(title, body, head_extra="", charset="utf-8"):
    """A small complete HTML document as str."""
    meta = f'<meta charset="{charset}">\n' if charset else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
        f"{meta}<title>{title}</title>\n{head_extra}</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


WORDS = (
    "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
    "incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud "
    "exercitation ullamco laboris nisi aliquip ex ea commodo consequat duis aute irure "
    "in reprehenderit voluptate velit esse cillum fugiat nulla pariatur excepteur sint "
    "occaecat cupidatat non proident sunt culpa qui officia deserunt mollit anim id est "
    "laborum crawler arena worker page memory frontier robots politeness render script "
    "document window element attribute parser gumbo spider monkey engine cache socket "
    "request response header body status redirect queue depth link anchor fragment "
    "river mountain harbor lantern meadow orchard granite willow copper thunder velvet "
    "saffron marble compass harvest beacon summit glacier prairie canyon tundra delta"
).split()

SECTION_TITLES = (
    "Overview", "Background", "Details", "Discussion", "History", "Usage", "Notes",
    "Examples", "Related work", "Summary",
)


def _sentence(rng):
    n = rng.randint(6, 18)
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    if n > 8 and rng.random() < 0.3:
        words[rng.randint(3, n - 2)] += ","
    return " ".join(words) + "."


def _paragraph(rng):
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 8)))


def site_links(k, n, refs=0):
    """(href, text) pairs of page K: various relative shapes, all inside /site/p/."""
    out = []
    if refs > 0:
        r = min(refs, n)
        out.append((f"{k % r}.html?ref={k // r % 3}", f"Referenced page {k % r}"))
    if 2 * k + 1 < n:
        out.append((f"./{2 * k + 1}.html", f"Child page {2 * k + 1}"))
    if 2 * k + 2 < n:
        out.append((f"../p/{2 * k + 2}.html", f"Child page {2 * k + 2}"))
    if k > 0:
        out.append((f"{(k - 1) // 2}.html", f"Parent page {(k - 1) // 2}"))
    out.append((f"/site/p/{(k * 7 + 1) % n}.html", f"See also page {(k * 7 + 1) % n}"))
    out.append((f"{(k + 1) % n}.html#sec2", f"Next page {(k + 1) % n}"))
    out.append((f"./{(k - 1) % n}.html", f"Previous page {(k - 1) % n}"))
    out.append((f"{(k * 13 + 5) % n}.html", f"Random page {(k * 13 + 5) % n}"))
    return out


@lru_cache(maxsize=4096)
def site_page(k, n, refs=0):
    rng = random.Random(1_000_003 * k + 12_345)
    target = 8200 + rng.randrange(6300)
    links = site_links(k, n, refs)
    parts = [
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        f"<title>Page {k}</title>\n",
        f"<meta name=\"description\" content=\"{html.escape(_sentence(rng))}\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        "</head>\n<body id=\"top\">\n<header>\n<nav class=\"site-nav\">\n",
        "<a href=\"../\">Home</a> |\n",
        f"<a href=\"{(k - 1) // 2 if k else 0}.html\">Up</a> |\n",
        "<a href=\"#main\">Skip to content</a>\n</nav>\n</header>\n",
        f"<main id=\"main\">\n<article>\n<h1>Page {k}</h1>\n",
    ]
    size = sum(len(p) for p in parts)
    pending = list(links)
    section = 1
    while size < target - 700 or pending:
        chunk = []
        if rng.random() < 0.25:
            section += 1
            chunk.append(f"<h2 id=\"sec{section}\">{SECTION_TITLES[section % len(SECTION_TITLES)]}</h2>\n")
        para = _paragraph(rng)
        if pending:
            href, text = pending.pop(0)
            words = para.split(" ")
            at = rng.randint(1, max(1, len(words) - 1))
            words.insert(at, f"<a href=\"{href}\">{text}</a>")
            para = " ".join(words)
        elif rng.random() < 0.2:
            para = para.replace(".", ". <em>" + rng.choice(WORDS) + "</em>", 1)
        chunk.append(f"<p>{para}</p>\n")
        s = "".join(chunk)
        parts.append(s)
        size += len(s)
    if section < 2:
        parts.append("<h2 id=\"sec2\">More</h2>\n")
    parts.append("</article>\n<aside>\n<h2>Related pages</h2>\n<ul class=\"related\">\n")
    for href, text in links:
        parts.append(f"<li><a href=\"{href}\">{text}</a></li>\n")
    parts.append("</ul>\n</aside>\n</main>\n<footer>\n")
    parts.append("<a href=\"http://example.invalid/\">External site</a> |\n")
    parts.append("<a href=\"mailto:webmaster@example.invalid\">Contact</a> |\n")
    parts.append("<a href=\"#top\">Back to top</a>\n")
    parts.append(f"<p class=\"copy\">Generated test page {k} of {n}.</p>\n</footer>\n")
    parts.append(f"<script>var pageNumber = {k}; var pageCount = {n};</script>\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts).encode("utf-8")


def site_index(n):
    body = (
        "<h1>Site index</h1>\n"
        f"<p>A generated site of {n} pages. Start at the first page.</p>\n"
        "<ul>\n<li><a href=\"p/0.html\">Page 0</a></li>\n</ul>\n"
    )
    return page("Site index", body).encode()


def _png(width=16, height=16):
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    raw = b"".join(
        b"\x00" + b"".join(bytes(((x * 16) & 255, (y * 16) & 255, 128)) for x in range(width))
        for y in range(height)
    )
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


PNG = _png()
JSON_BODY = json.dumps({"ok": True, "name": "crawld test server", "items": [1, 2, 3]}).encode() + b"\n"
PLAIN_BODY = b"This is plain text, not HTML.\n<a href=\"/should-not-be-a-link\">not a link</a>\n"
CSS_BODY = b"body { font-family: sans-serif; }\n"

_LOREM_LINE = (b"<p>" + " ".join(WORDS[:24]).encode() + b".</p>\n")


def filler(n):
    """n bytes of whole <p> lines padded with spaces (never a cut tag)."""
    lines = n // len(_LOREM_LINE)
    return _LOREM_LINE * lines + b" " * (n - lines * len(_LOREM_LINE))


FILLER = filler(CHUNK)  # exactly 64 KiB, safe to repeat


def compressed_page(title):
    return page(title, f"<h1>{title}</h1>\n<p>This body was sent compressed.</p>\n"
                       "<p><a href=\"/landing\">landing</a></p>").encode()


GZIP_BODY = gzip.compress(compressed_page("Gzip OK"), mtime=0)
DEFLATE_BODY = zlib.compress(compressed_page("Deflate OK"), 9)
_rawco = zlib.compressobj(9, zlib.DEFLATED, -15)
RAW_DEFLATE_BODY = _rawco.compress(compressed_page("Deflate OK")) + _rawco.flush()
BR_BODY = brotli.compress(compressed_page("Brotli OK")) if brotli is not None else None

INVALID_UTF8 = (
    b"<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>Invalid UTF-8</title>\n</head>\n"
    b"<body>\n<h1>Invalid UTF-8</h1>\n"
    b"<p>Lone continuation \x80\x81, truncated sequence \xe2\x82, overlong \xc0\xaf, "
    b"surrogate \xed\xa0\x80, out of range \xf5\x80\x80\x80, invalid \xff\xfe bytes.</p>\n"
    b"<p>Valid too: caf\xc3\xa9.</p>\n<p><a href=\"/landing\">landing \xff</a></p>\n</body>\n</html>\n"
)
LATIN1_BODY_HTML = (
    "<h1>Café Olé</h1>\n<p>Ça coûte déjà ½ — façade naïve, Ünïcödé in ISO-8859-1.</p>\n"
    "<p><a href=\"/landing\">Voilà</a></p>"
).replace("—", "-")
LATIN1 = page("Café Olé", LATIN1_BODY_HTML, charset="iso-8859-1").encode("latin-1")
LATIN1_HEADER = page("Café Olé", LATIN1_BODY_HTML, charset=None).encode("latin-1")


# ---- gzip bomb -------------------------------------------------------------

BOMB_PREFIX = (b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Gzip bomb</title></head>"
               b"<body><p>Inflate me.</p><pre>")
BOMB_SUFFIX = b"</pre></body></html>\n"
_bomb_lock = threading.Lock()
_bomb_cache = {}
_SPACES_MIB = b" " * MiB


def gzip_bomb(total):
    """(head, block, nblocks, tail) such that head + block*nblocks + tail is a
    gzip member decoding to exactly `total` bytes (HTML wrapper + spaces).
    Each block is 1 MiB of spaces compressed after a Z_FULL_FLUSH, so it is
    self-contained and can be repeated; only ~1 KB per block is held."""
    with _bomb_lock:
        hit = _bomb_cache.get(total)
        if hit is not None:
            return hit
        fill = max(0, total - len(BOMB_PREFIX) - len(BOMB_SUFFIX))
        nblocks, rem = divmod(fill, MiB)
        co = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
        head = co.compress(BOMB_PREFIX) + co.flush(zlib.Z_FULL_FLUSH)
        block = co.compress(_SPACES_MIB) + co.flush(zlib.Z_FULL_FLUSH)
        tail = co.compress(b" " * rem) + co.compress(BOMB_SUFFIX) + co.flush(zlib.Z_FINISH)
        crc = zlib.crc32(BOMB_PREFIX)
        for _ in range(nblocks):
            crc = zlib.crc32(_SPACES_MIB, crc)
        crc = zlib.crc32(b" " * rem, crc)
        crc = zlib.crc32(BOMB_SUFFIX, crc)
        decoded = len(BOMB_PREFIX) + nblocks * MiB + rem + len(BOMB_SUFFIX)
        gz_head = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + head
        gz_tail = tail + struct.pack("<II", crc & 0xFFFFFFFF, decoded & 0xFFFFFFFF)
        hit = (gz_head, block, nblocks, gz_tail)
        if len(_bomb_cache) > 16:
            _bomb_cache.clear()
        _bomb_cache[total] = hit
        return hit


# ---------------------------------------------------------------------------
# Server state



# ---- sitemaps (/sm/ and /sitemap.xml, tests/integration/crawl_sitemaps.py) ----

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def sitemap_urlset(host, names, lastmod="2024-05-01"):
    """A <urlset> of http://HOST/sm/page/NAME for each name (str)."""
    rows = "".join(f"<url><loc>http://{host}/sm/page/{n}</loc><lastmod>{lastmod}</lastmod></url>\n"
                   for n in names)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n{rows}</urlset>\n'


def sitemap_index(host, paths):
    """A <sitemapindex> of http://HOST + path for each path."""
    rows = "".join(f"<sitemap><loc>http://{host}{p}</loc><lastmod>2024-06-0{i % 9 + 1}</lastmod>"
                   "</sitemap>\n" for i, p in enumerate(paths))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n'
            f"{rows}</sitemapindex>\n")


def sitemap_gzip(text):
    return gzip.compress(text.encode("utf-8"), mtime=0)
