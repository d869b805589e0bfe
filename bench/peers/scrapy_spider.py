"""Scrapy peer for bench/bench_peers.py: follows every <a href> on the
seed's host (LinkExtractor, Scrapy's default settings otherwise: 16
concurrent requests, 8 per domain), at most CLOSESPIDER_PAGECOUNT pages.
Writes one line per response: "UNIX_SECONDS URL content-type".
usage: scrapy runspider scrapy_spider.py -a seed=URL -a out=FILE
       -s CLOSESPIDER_PAGECOUNT=N"""
import time
from urllib.parse import urlsplit

import scrapy
from scrapy.linkextractors import LinkExtractor


class PeerSpider(scrapy.Spider):
    name = "peer"
    custom_settings = {
        "ROBOTSTXT_OBEY": False,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "RETRY_TIMES": 1,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    }

    def __init__(self, seed=None, out=None, **kw):
        super().__init__(**kw)
        self.start_urls = [seed]
        self.allowed_domains = [urlsplit(seed).hostname]
        self.out = open(out, "w")
        # Every link (LinkExtractor's default denied extensions are images,
        # archives and the like: no pages). Off-host links are dropped by
        # Scrapy's OffsiteMiddleware (allowed_domains; LinkExtractor's own
        # allow_domains compares host:port and would drop every link here).
        self.links = LinkExtractor()

    def parse(self, response):
        ctype = response.headers.get(b"Content-Type", b"").decode().split(";")[0].strip()
        self.out.write("%f %s %s\n" % (time.time(), response.url, ctype))
        if ctype == "text/html":
            for link in self.links.extract_links(response):
                yield response.follow(link.url, self.parse)

    def closed(self, reason):
        self.out.close()
