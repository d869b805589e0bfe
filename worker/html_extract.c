/* html_extract — html.h's shared section: what every driver (html_parse's
 * tree walk, scan.c's lexer, scan_xml.c's libxml2 scan) extracts the same
 * way. The text sink (whitespace collapsing, text length), the link rule
 * with <base>, canonical and meta robots (html_collect_element, and the
 * attributes it reads for a tokenizer to keep), and resolving the collected
 * hrefs once each, in document order (html_collect_finish). Everything it
 * makes lives in the caller's arena; nothing here knows gumbo's tree. */
#include "ascii.h"
#include "html.h"

#include "url.h"

#include <gumbo.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Does the space (and, with commas, comma) separated list s contain tok
 * (lowercase literal), ASCII case-insensitively? */
static bool has_token(const char *s, const char *tok, bool commas)
{
    if (!s)
        return false;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        while (*p && (ascii_is_ws(*p) || (commas && *p == ',')))
            p++;
        const unsigned char *start = p;
        while (*p && !ascii_is_ws(*p) && !(commas && *p == ','))
            p++;
        if (p > start && ascii_eq_lit_n((const char *)start, (size_t)(p - start), tok))
            return true;
    }
    return false;
}

/* ---------------------------------------------------------------------------
 * The text sink */

static bool buf_reserve(html_text *b, size_t more)
{
    if (b->oom)
        return false;
    if (b->len + more + 1 <= b->cap)
        return true;
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < b->len + more + 1) {
        if (ncap > SIZE_MAX / 2) {
            b->oom = true;
            return false;
        }
        ncap *= 2;
    }
    char *np = arena_resize(b->a, b->p, b->cap, ncap);
    if (!np) {
        b->oom = true;
        return false;
    }
    b->p = np;
    b->cap = ncap;
    return true;
}

/* Whitespace-collapsing text sink (html.h): runs of ASCII whitespace (and
 * element boundaries that separate words) become one space, none at either
 * end. */
void html_text_break(html_text *t) { t->pending = t->len > 0; }

void html_text_add(html_text *t, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        if (ascii_is_ws(*p)) {
            html_text_break(t);
            while (p < end && ascii_is_ws(*p))
                p++;
            continue;
        }
        const unsigned char *run = p;
        while (p < end && !ascii_is_ws(*p))
            p++;
        size_t k = (size_t)(p - run) + (t->pending ? 1 : 0);
        if (t->count_only) {
            t->len += k;
        } else {
            if (!buf_reserve(t, k))
                return;
            if (t->pending)
                t->p[t->len++] = ' ';
            memcpy(t->p + t->len, run, (size_t)(p - run));
            t->len += (size_t)(p - run);
        }
        t->pending = false;
    }
}

const char *html_text_finish(html_text *t)
{
    if (t->count_only || t->oom)
        return NULL;
    if (!buf_reserve(t, 0))
        return NULL;
    t->p[t->len] = '\0';
    return t->p;
}

/* ---------------------------------------------------------------------------
 * The link rule */

static bool add_cand(html_collect *w, const char *ref)
{
    if (!ref)
        return true;
    if (w->ncand == w->cand_cap) {
        size_t ncap = w->cand_cap ? w->cand_cap * 2 : 64;
        const char **nc =
            arena_resize(w->a, (void *)w->cand, w->cand_cap * sizeof *nc, ncap * sizeof *nc);
        if (!nc)
            return false;
        w->cand = nc;
        w->cand_cap = ncap;
    }
    w->cand[w->ncand++] = ref;
    return true;
}

/* Every attribute html_collect_element reads, per element: the tokenizer
 * (scan.c) keeps the attributes of these elements only, so a rule that
 * reads a new element or attribute is added here first (test_html_extract
 * checks the rule reads nothing else, test_scan that scan_lex keeps all of
 * it). */
static const char *const LINK_ATTRS[GUMBO_TAG_LAST + 1] = {
    [GUMBO_TAG_A] = "href\0rel\0",        [GUMBO_TAG_AREA] = "href\0rel\0",
    [GUMBO_TAG_IFRAME] = "src\0",         [GUMBO_TAG_FRAME] = "src\0",
    [GUMBO_TAG_LINK] = "rel\0href\0",     [GUMBO_TAG_BASE] = "href\0",
    [GUMBO_TAG_META] = "name\0content\0",
};

const char *html_collect_attrs(int tag)
{
    return tag >= 0 && tag <= GUMBO_TAG_LAST ? LINK_ATTRS[tag] : NULL;
}

/* What an HTML element means for links, base, canonical and robots (html.h). */
bool html_collect_element(html_collect *w, int tag, html_attr_fn attr, const void *el)
{
    const char *v;
    switch (tag) {
    case GUMBO_TAG_A:
    case GUMBO_TAG_AREA:
        if (!(v = attr(el, "href")))
            return true;
        if (has_token(attr(el, "rel"), "nofollow", false)) {
            w->d->nofollow_links++;
            return true;
        }
        return add_cand(w, v);
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_FRAME:
        return add_cand(w, attr(el, "src"));
    case GUMBO_TAG_LINK: {
        const char *rel = attr(el, "rel");
        if (!rel || !(v = attr(el, "href")))
            return true;
        if (!w->canonical_raw && has_token(rel, "canonical", false))
            w->canonical_raw = v;
        if ((has_token(rel, "next", false) || has_token(rel, "prev", false) ||
             has_token(rel, "alternate", false)) &&
            !has_token(rel, "stylesheet", false))
            return add_cand(w, v);
        return true;
    }
    case GUMBO_TAG_BASE:
        if (!w->base_raw)
            w->base_raw = attr(el, "href");
        return true;
    case GUMBO_TAG_META: {
        const char *name = attr(el, "name");
        if (!name)
            return true;
        while (ascii_is_ws((unsigned char)*name))
            name++;
        size_t n = strlen(name);
        while (n && ascii_is_ws((unsigned char)name[n - 1]))
            n--;
        if (!ascii_eq_lit_n(name, n, "robots"))
            return true;
        const char *c = attr(el, "content");
        if (has_token(c, "none", true))
            w->d->meta_noindex = w->d->meta_nofollow = 1;
        if (has_token(c, "noindex", true))
            w->d->meta_noindex = 1;
        if (has_token(c, "nofollow", true))
            w->d->meta_nofollow = 1;
        return true;
    }
    default:
        return true;
    }
}

/* ---------------------------------------------------------------------------
 * Links */

static uint32_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    return (uint32_t)(h ^ (h >> 32));
}

typedef struct slot {
    const char *key;
    uint32_t hash;
    uint32_t ok; /* raw set: the href resolved */
} slot;

/* Open addressing, linear probing; the table never fills (cap >= 2n). */
static slot *set_find(slot *t, size_t mask, const char *key, uint32_t h, bool *found)
{
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        if (!t[i].key) {
            *found = false;
            return &t[i];
        }
        if (t[i].hash == h && !strcmp(t[i].key, key)) {
            *found = true;
            return &t[i];
        }
    }
}

static html_err resolve_links(html_collect *w, const char *base)
{
    html_doc *d = w->d;
    d->links = arena_alloc(w->a, (w->ncand ? w->ncand : 1) * sizeof *d->links);
    if (!d->links)
        return HTML_NOMEM;
    if (d->meta_nofollow || !w->ncand)
        return HTML_OK;
    size_t cap = 16;
    while (cap < w->ncand * 2)
        cap *= 2;
    slot *raw = arena_alloc_zeroed(w->a, cap * sizeof *raw);
    slot *seen = arena_alloc_zeroed(w->a, cap * sizeof *seen);
    if (!raw || !seen)
        return HTML_NOMEM;
    for (size_t i = 0; i < w->ncand; i++) {
        const char *ref = w->cand[i];
        /* The fragment never reaches the result, so "x.html#a" and
         * "x.html#b" are one href to resolve (a reference page links to one
         * page at dozens of anchors, and resolving is the costly step). Not when
         * the '#' comes first ("#a": the page itself, skipped) or after a
         * blank (trimmed at the end of a reference, kept inside it). */
        const char *frag = strchr(ref, '#');
        if (frag && frag > ref && (unsigned char)frag[-1] > 0x20 &&
            !(ref = arena_strndup(w->a, ref, (size_t)(frag - ref))))
            return HTML_NOMEM;
        uint32_t h = hash_str(ref);
        bool found;
        slot *r = set_find(raw, cap - 1, ref, h, &found);
        if (found) {
            if (!r->ok)
                d->skipped_links++;
            continue;
        }
        char *abs;
        url_err e = url_resolve(w->a, base, ref, &abs);
        if (e == URL_NOMEM)
            return HTML_NOMEM;
        *r = (slot){ref, h, e == URL_OK};
        if (e != URL_OK) {
            d->skipped_links++;
            continue;
        }
        uint32_t ha = hash_str(abs);
        slot *s = set_find(seen, cap - 1, abs, ha, &found);
        if (found)
            continue;
        *s = (slot){abs, ha, 1};
        d->links[d->nlinks++] = abs;
    }
    return HTML_OK;
}

html_err html_collect_finish(html_collect *c, const char *url)
{
    html_doc *out = c->d;
    arena *a = c->a;
    char *s;
    url_err ue;
    if (c->base_raw) {
        if ((ue = url_resolve(a, url, c->base_raw, &s)) == URL_OK)
            out->base_href = s;
        else if (ue == URL_NOMEM)
            return HTML_NOMEM;
    }
    const char *base = out->base_href ? out->base_href : url;
    if (c->canonical_raw) {
        if ((ue = url_resolve(a, base, c->canonical_raw, &s)) == URL_OK)
            out->canonical = s;
        else if (ue == URL_NOMEM)
            return HTML_NOMEM;
    }
    return resolve_links(c, base);
}
