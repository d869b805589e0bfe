/* sitemap — reads one sitemap file (sitemaps.org: <urlset> or
 * <sitemapindex>, plain or gzip) with libxml2's streaming xmlReader, into
 * the arena: each <loc> normalised with url.h (http and https only), its
 * <lastmod> when well formed. Memory stays bounded: no tree is built, gzip
 * is inflated as the reader asks for bytes and stops at max_bytes, and no
 * more than max_urls entries are kept. No DTD, no entity, no network. */
#ifndef CRAWLD_SITEMAP_H
#define CRAWLD_SITEMAP_H

#include "arena.h"

#include <stddef.h>

#define SITEMAP_MAX_URLS 50000                /* the protocol's per-file limits */
#define SITEMAP_MAX_BYTES (50u * 1024 * 1024) /* uncompressed */

typedef enum sitemap_kind {
    SITEMAP_NONE = 0, /* no root element read */
    SITEMAP_URLSET,   /* <urlset>: the URLs are pages */
    SITEMAP_INDEX     /* <sitemapindex>: the URLs are sitemaps */
} sitemap_kind;

typedef struct sitemap_doc {
    sitemap_kind kind;
    char **urls;           /* normalised, in document order (repeats kept) */
    const char **lastmods; /* per URL: its <lastmod> text, or NULL */
    size_t nurls;
    size_t refused;     /* <loc>s left out: not absolute http(s), malformed, too long */
    const char *newest; /* the greatest <lastmod> (W3C datetimes compared as text), or NULL */
    int gzip;           /* the body was gzip (by its magic bytes) */
    size_t bytes;       /* uncompressed bytes read */
    const char *error;  /* "sitemap: …" why reading stopped, or NULL; the URLs before it stay */
} sitemap_doc;

/* Reads body[len] into d (in a). truncated: the body was cut at the
 * fetch's cap (reported as over max_bytes). 0 when read to its end, 1
 * when d->error says why it stopped (malformed, over a limit, refused),
 * -1 out of memory. */
int sitemap_parse(arena *a, const char *body, size_t len, size_t max_urls, size_t max_bytes,
                  int truncated, sitemap_doc *d);

/* 1 when s is a W3C datetime as the protocol allows in <lastmod> (YYYY,
 * YYYY-MM, YYYY-MM-DD, or a date with Thh:mm[:ss[.s+]] and Z or ±hh:mm). */
int sitemap_lastmod_ok(const char *s);

#endif
