/* html_fixture — what the HTML suites (test_html*, test_scan*, test_dom*) share:
 * the per-test arena every parse goes into and the check that it was the
 * only memory left, html_parse with its success asserted, the hostile
 * documents more than one suite builds, and a strict UTF-8 check.
 *
 * Header only, everything static: each suite gets its own fixture state,
 * and the parsers stay out of the suites that link tests/unit/testutil.c. */
#ifndef CRAWLD_HTML_FIXTURE_H
#define CRAWLD_HTML_FIXTURE_H

#include "../strict_utf8.h"
#include "alloc.h"
#include "arena.h"
#include "html.h"

#include <check.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The URL every document is parsed as coming from. */
#define URL "http://example.com/dir/page.html"

/* The running test's arena (Check forks a process per test), and the
 * process allocator's live bytes before the test began. */
static arena A;
static size_t live0;

/* The checked fixture of every TCase. */
static inline void setup(void)
{
    live0 = alloc_live_bytes();
    arena_init(&A, 0);
}

/* Every test ends here: what it parsed must have lived in the arena only. */
static inline void finish(void)
{
    arena_release(&A);
    ck_assert_uint_eq(alloc_live_bytes(), live0);
}

/* html_parse into A from URL; the parse must succeed. */
static inline html_doc parse_n(const char *html, size_t len, const char *hdr_charset, int want_text)
{
    html_options o = {.content_type_charset = hdr_charset, .want_text = want_text};
    html_doc d;
    ck_assert_int_eq(html_parse(&A, URL, html, len, &o, &d), HTML_OK);
    return d;
}

static inline html_doc parse(const char *html) { return parse_n(html, strlen(html), NULL, 1); }

/* For each attribute the link rule (html_collect_element) reads, a value
 * that makes the rule act: a link, a base, a canonical, a robots flag.
 * NULL for any other name: a rule that reads a new attribute needs a value
 * here, or the suites that check the rule's attribute list fail. */
static inline const char *link_rule_value(const char *name)
{
    static const char *const V[][2] = {
        {"href", "/h"},     {"src", "/s"},          {"rel", "next canonical"},
        {"name", "robots"}, {"content", "noindex"},
    };
    for (size_t i = 0; i < sizeof V / sizeof V[0]; i++)
        if (!strcmp(V[i][0], name))
            return V[i][1];
    return NULL;
}

/* Whether name is in list ("a\0b\0", ended by an empty name; NULL: empty). */
static inline int attr_listed(const char *list, const char *name)
{
    for (const char *p = list; p && *p; p += strlen(p) + 1)
        if (!strcmp(p, name))
            return 1;
    return 0;
}

/* The index of url in d's links, -1 when it is not there. */
static inline int link_index(const html_doc *d, const char *url)
{
    for (size_t i = 0; i < d->nlinks; i++)
        if (!strcmp(d->links[i], url))
            return (int)i;
    return -1;
}

/* open written depth times, then tail: NUL-terminated, *len bytes before
 * the NUL. The caller frees it. */
static inline char *nested_doc(const char *open, size_t depth, const char *tail, size_t *len)
{
    size_t n = strlen(open);
    *len = depth * n + strlen(tail);
    char *html = malloc(*len + 1);
    ck_assert_ptr_nonnull(html);
    for (size_t i = 0; i < depth; i++)
        memcpy(html + i * n, open, n);
    strcpy(html + depth * n, tail);
    return html;
}

/* A page of at least target bytes: the title "Big page", then *items
 * items, item N with some text, two links to /item/N and one to #top.
 * *len bytes, NUL-terminated, in a buffer of target + 4096 bytes. The
 * caller frees it. */
static inline char *big_page(size_t target, size_t *len, size_t *items)
{
    size_t cap = target + 4096, n = 0;
    char *html = malloc(cap);
    ck_assert_ptr_nonnull(html);
    n += (size_t)snprintf(html, cap,
                          "<!DOCTYPE html><html><head><title>Big page</title></head><body>\n");
    *items = 0;
    while (n < target) {
        n += (size_t)snprintf(html + n, cap - n,
                              "<div class=\"item\"><h2>Item %zu</h2><p>Some words about item "
                              "%zu &amp; more words, <b>bold</b> and <i>italic</i>.</p>"
                              "<a href=\"/item/%zu\">link</a> <a href=\"/item/%zu\">dup</a>"
                              " <a href=\"#top\">top</a></div>\n",
                              *items, *items, *items, *items);
        (*items)++;
    }
    n += (size_t)snprintf(html + n, cap - n, "</body></html>");
    *len = n;
    return html;
}

#endif
