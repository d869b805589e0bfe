/* html — parse one HTML document with gumbo into the page arena and extract
 * what a crawler needs: title, links, base, meta robots, canonical, text.
 * Everything (the decoded input copy, gumbo's tree, every string and the
 * link array) lives in the arena the caller passes; nothing needs freeing.
 * Tree walks are iterative (an explicit stack in the arena): any nesting
 * depth is safe. The shared section below is the one statement of the
 * extraction rules the scan drivers (scan.h) apply too. */
#ifndef CRAWLD_HTML_H
#define CRAWLD_HTML_H

#include "arena.h"
#include <stdbool.h>
#include <stddef.h>

typedef struct html_doc {
    const char *title;     /* whitespace-collapsed; NULL when absent */
    const char *base_href; /* resolved <base href>, NULL when absent */
    const char *canonical; /* resolved link[rel=canonical], NULL when absent */
    const char **links;    /* absolute normalised URLs, unique, document order */
    size_t nlinks;
    size_t skipped_links;     /* dropped: fragment-only, javascript:, mailto:, … */
    size_t nofollow_links;    /* a/area rel=nofollow (not in links) */
    int meta_noindex;         /* <meta name=robots> noindex or none */
    int meta_nofollow;        /* <meta name=robots> nofollow or none: links empty */
    const char *charset;      /* charset the input was decoded from ("utf-8" …) */
    const char *charset_note; /* NULL, or why the input could not be decoded */
    const char *parse_error;  /* with HTML_PARSE or HTML_TOO_SLOW: what was wrong
                               * (static text or in the arena) */
    const char *text;         /* visible text (no script/style), spaces collapsed */
    size_t text_len;
    size_t max_depth;   /* deepest element nesting seen */
    size_t elements;    /* element count */
    void *gumbo_output; /* GumboOutput*: html_tree_build's tree, which scripts
                         * may edit (dom.h) before html_tree_extract */
} html_doc;

typedef enum html_err {
    HTML_OK = 0,
    HTML_NOMEM,
    HTML_PARSE,
    HTML_TOO_SLOW, /* gumbo ran past html_options.parse_budget_ms: no tree */
} html_err;

typedef struct html_options {
    const char *content_type_charset; /* charset from the HTTP header, or NULL */
    int want_text;                    /* fill text (else only text_len) */
    /* Wall-clock time gumbo may take to build the tree (whatever the caller
     * does with the tree and the walk do not count), 0: none. Past it
     * html_tree_build leaves gumbo and returns HTML_TOO_SLOW with
     * parse_error "the HTML parser took over N ms". Uses a real-time signal
     * and a timer on the calling thread while gumbo runs (see html.c). */
    long parse_budget_ms;
} html_options;

/* A document goes through two steps, with room between them for a caller
 * that edits the tree (the page's scripts, dom.h); html_parse is both in a
 * row. */

/* Step one: html_prepare, then gumbo builds the tree of body (len bytes,
 * not NUL-terminated) into out->gumbo_output, under opt->parse_budget_ms.
 * Only out->charset, out->charset_note and out->gumbo_output are set.
 * HTML_PARSE (with out->parse_error) when the body is refused or gumbo
 * gave no document, HTML_TOO_SLOW past the budget, HTML_NOMEM when the
 * arena is full: no tree with any of them. The tree points into body when
 * no decoding was needed: body must outlive it.
 * gumbo's own assertions (Debian builds it with them on, and some fire on
 * input) do not end the process: the build fails with HTML_PARSE and
 * parse_error "the HTML parser failed an assertion (FILE:LINE)", and
 * html_gumbo_assertions counts it. Every other abort, including one in the
 * allocator gumbo calls or in glibc's heap checks, ends the process as
 * usual (see html.c: __assert_fail). */
html_err html_tree_build(arena *a, const char *body, size_t len, const html_options *opt,
                         html_doc *out);

/* Step two: walks out->gumbo_output, as built or as edited since, and fills
 * the rest of out (title, links against url, base, canonical, robots, text
 * as opt->want_text says, depth and element counts). out must have come
 * from a successful html_tree_build (else HTML_PARSE). HTML_NOMEM when the
 * arena is full. */
html_err html_tree_extract(arena *a, const char *url, const html_options *opt, html_doc *out);

/* html_tree_build, then html_tree_extract: body fetched from url. */
html_err html_parse(arena *a, const char *url, const char *body, size_t len,
                    const html_options *opt, html_doc *out);

/* Parses html (UTF-8, len bytes) as an HTML fragment whose parent would be
 * an element with tag context_tag (a GumboTag) in namespace context_ns (a
 * GumboNamespaceEnum), in the arena, with the same guards as html_tree_build.
 * Returns the GumboOutput* (its root <html> element holds the fragment's
 * nodes), or NULL when the input could not be parsed or the arena is full. */
void *html_parse_fragment(arena *a, const char *html, size_t len, int context_tag, int context_ns);

/* How many of gumbo's assertions html_tree_build and html_parse_fragment have
 * left in this process (every thread). gumbo broke its own invariants on
 * them: a worker with any retires after the page (docs/worker.md). */
unsigned long html_gumbo_assertions(void);

/* Charset sniffing used by html_prepare: header charset first, then a BOM, then
 * <meta charset> / <meta http-equiv content=…charset=> in the first 1024
 * bytes; default "utf-8". Returns a lowercase name, in the arena. */
const char *html_sniff_charset(arena *a, const char *header_charset, const char *body, size_t len);

/* ---- Shared with scan_sax and scan_lex (scan.h), so every driver applies
 * one set of rules: html_prepare is html_charset.c's, the rest html_extract.c's. */

/* Larger inputs are refused (HTML_PARSE); keeps gumbo's token counter far
 * from its 10^9 assertion (a byte makes at most a couple of tokens). */
#define HTML_MAX_PARSE_BYTES ((size_t)256 << 20)

/* The steps before parsing: clears *out, refuses a body (NULL: empty) over
 * HTML_MAX_PARSE_BYTES before or after decoding (HTML_PARSE, with
 * out->parse_error), sniffs the charset (opt's header charset first, opt
 * may be NULL) and sets out->charset / out->charset_note and *in / *n to
 * the UTF-8 text to parse: the body itself, minus a UTF-8 BOM, or a
 * decoded copy in the arena. */
html_err html_prepare(arena *a, const char *body, size_t len, const html_options *opt,
                      const char **in, size_t *n, html_doc *out);

/* Whitespace-collapsing text sink in the arena: runs of ASCII whitespace
 * and breaks (block element boundaries) become one space, none at either
 * end. With count_only it keeps len and writes nothing. Zero-init, then set
 * a (and count_only). */
typedef struct html_text {
    arena *a;
    char *p;
    size_t len, cap;
    bool count_only;
    bool oom;
    bool pending; /* a space is owed before the next visible byte */
} html_text;
void html_text_break(html_text *t);
void html_text_add(html_text *t, const char *s, size_t n);
/* The NUL-terminated text; NULL with count_only or when out of memory. */
const char *html_text_finish(html_text *t);

/* Links, base, canonical and meta robots, collected element by element in
 * document order, then resolved. Zero-init, then set a and d. */
typedef struct html_collect {
    arena *a;
    html_doc *d;       /* nofollow_links and meta_* are counted into it directly */
    const char **cand; /* raw hrefs to resolve, document order */
    size_t ncand, cand_cap;
    const char *base_raw, *canonical_raw; /* first of each */
} html_collect;
/* An attribute's value, NULL when the element has none. */
typedef const char *(*html_attr_fn)(const void *el, const char *name);
/* Applies the link rule, <base>, canonical and meta robots to one
 * HTML-namespace element (tag: a GumboTag). The values returned by attr must
 * live as long as the arena. false: out of memory.
 * Link rule: a[href], area[href], iframe[src], frame[src], and link[href]
 * whose rel contains next, prev or alternate. a/area with rel~=nofollow are
 * not followed (kept out of links, counted in nofollow_links). */
bool html_collect_element(html_collect *c, int tag, html_attr_fn attr, const void *el);
/* The attributes html_collect_element reads on an element of this tag, as
 * "name\0name\0" ended by an empty name; NULL when it reads none (a
 * tokenizer may drop every attribute of such an element). */
const char *html_collect_attrs(int tag);
/* Resolves base (against url), canonical and the links (against the base,
 * else url) with url_resolve into c->d: links, nlinks, skipped_links,
 * base_href, canonical. Skipped links (fragments, javascript:, mailto:,
 * tel:, data:, other schemes) are counted, not kept; a link is kept once,
 * in document order. */
html_err html_collect_finish(html_collect *c, const char *url);

#endif
