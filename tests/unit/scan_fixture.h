/* scan_fixture — what the scan suites (test_scan, test_scan_xml) share: the
 * two drivers and the one a test runs, a field-by-field comparison of two
 * html_docs, and parsing with html_parse and both drivers expecting the same
 * answer. Header only, everything static, like html_fixture.h. */
#ifndef CRAWLD_SCAN_FIXTURE_H
#define CRAWLD_SCAN_FIXTURE_H

#include "html.h"
#include "scan.h"

#include <check.h>

#include "html_fixture.h"
#include <stdio.h>
#include <string.h>

static inline const char *nz(const char *s) { return s ? s : "(null)"; }

static inline int str_same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* "" when d and e agree on everything scan_sax promises, else what differs. */
static inline const char *doc_diff(const html_doc *d, const html_doc *e, char *why, size_t cap)
{
    why[0] = '\0';
    if (!str_same(d->title, e->title))
        snprintf(why, cap, "title \"%s\" vs \"%s\"", nz(d->title), nz(e->title));
    else if (!str_same(d->base_href, e->base_href))
        snprintf(why, cap, "base %s vs %s", nz(d->base_href), nz(e->base_href));
    else if (!str_same(d->canonical, e->canonical))
        snprintf(why, cap, "canonical %s vs %s", nz(d->canonical), nz(e->canonical));
    else if (d->meta_noindex != e->meta_noindex || d->meta_nofollow != e->meta_nofollow)
        snprintf(why, cap, "meta robots %d/%d vs %d/%d", d->meta_noindex, d->meta_nofollow,
                 e->meta_noindex, e->meta_nofollow);
    else if (d->skipped_links != e->skipped_links || d->nofollow_links != e->nofollow_links)
        snprintf(why, cap, "skipped/nofollow %zu/%zu vs %zu/%zu", d->skipped_links,
                 d->nofollow_links, e->skipped_links, e->nofollow_links);
    else if (!str_same(d->charset, e->charset) || !str_same(d->charset_note, e->charset_note))
        snprintf(why, cap, "charset %s vs %s", nz(d->charset), nz(e->charset));
    else if (d->nlinks != e->nlinks)
        snprintf(why, cap, "nlinks %zu vs %zu", d->nlinks, e->nlinks);
    else {
        for (size_t i = 0; i < d->nlinks; i++)
            if (strcmp(d->links[i], e->links[i])) {
                snprintf(why, cap, "link %zu %s vs %s", i, d->links[i], e->links[i]);
                return why;
            }
        if (d->text_len != e->text_len || !str_same(d->text, e->text))
            snprintf(why, cap, "text (%zu) \"%.300s\" vs (%zu) \"%.300s\"", d->text_len,
                     nz(d->text), e->text_len, nz(e->text));
    }
    return why;
}

typedef html_err (*scan_fn)(arena *, const char *, const char *, size_t, const html_options *,
                            html_doc *);
static const scan_fn DRIVERS[2] = {scan_sax, scan_lex};
static const char *const DRIVER_NAME[2] = {"scan_sax", "scan_lex"};
/* The driver scan_n, scan and the hostile tests use: scan_sax unless a
 * loop test (_i: 0 scan_sax, 1 scan_lex) picks one. */
static scan_fn DRV = scan_sax;

static inline void setup_scan(void)
{
    setup();
    DRV = scan_sax;
}

/* Parses with html_parse and both light drivers, want_text on and off;
 * fails on any difference. */
static inline void same(const char *name, const char *html, size_t len, const char *hdr_cs)
{
    for (int want = 1; want >= 0; want--) {
        html_options o = {.content_type_charset = hdr_cs, .want_text = want};
        html_doc g, s;
        ck_assert_int_eq(html_parse(&A, URL, html, len, &o, &g), HTML_OK);
        for (int k = 0; k < 2; k++) {
            ck_assert_int_eq(DRIVERS[k](&A, URL, html, len, &o, &s), HTML_OK);
            ck_assert_ptr_null(s.gumbo_output);
            char why[800];
            ck_assert_msg(!*doc_diff(&g, &s, why, sizeof why), "%s: %s (want_text %d): %s",
                          DRIVER_NAME[k], name, want, why);
        }
    }
}

static inline void same_s(const char *name, const char *html)
{
    same(name, html, strlen(html), NULL);
}

static inline html_doc scan_n(const char *html, size_t len, const char *hdr_cs, int want)
{
    html_options o = {.content_type_charset = hdr_cs, .want_text = want};
    html_doc d;
    ck_assert_int_eq(DRV(&A, URL, html, len, &o, &d), HTML_OK);
    return d;
}

static inline html_doc scan(const char *html) { return scan_n(html, strlen(html), NULL, 1); }

#endif
