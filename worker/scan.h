/* scan — the html_doc of html_parse (html.h) without gumbo's tree, by two
 * drivers: scan_lex (scan.c), a hand-written HTML5 tokenizer for pages whose
 * scripts do not run, and scan_sax (scan_xml.c), libxml2's HTML parser in
 * SAX mode, the guard page.c runs before gumbo on pages whose scripts run.
 * Both apply html.h's shared rules through its code; everything returned
 * lives in the caller's arena and gumbo_output is always NULL; libxml2's own
 * memory is freed before scan_sax returns. Where each answers otherwise than
 * html_parse is listed in docs/worker.md and pinned in tests/unit/test_scan.c
 * (scan_lex) and tests/unit/test_scan_xml.c (scan_sax). */
#ifndef CRAWLD_SCAN_H
#define CRAWLD_SCAN_H

#include "html.h"

#include <stddef.h>

/* A start tag with more than SCAN_MAX_ATTRS attributes fails the page with
 * HTML_PARSE (libxml2's and gumbo's duplicate-attribute checks are
 * quadratic); scan_sax feeds libxml2 SCAN_CHUNK bytes at a time and counts
 * the start tag it waits on before libxml2 parses it. */
#define SCAN_MAX_ATTRS 1024
#define SCAN_CHUNK 1024

/* Scans body (len bytes, not NUL-terminated) fetched from url through
 * libxml2. There is no tree: out->gumbo_output stays NULL. */
html_err scan_sax(arena *a, const char *url, const char *body, size_t len, const html_options *opt,
                  html_doc *out);

/* The same, from the hand-written HTML5 tokenizer: linear in the input,
 * attributes included; an end tag looks at most 256 open elements down. */
html_err scan_lex(arena *a, const char *url, const char *body, size_t len, const html_options *opt,
                  html_doc *out);

/* For the guard and its tests: the number of attributes libxml2 2.9's
 * htmlParseStartTag reads from the start tag at p ('<'), counting at most
 * limit + 1; *tag_len (when not NULL) is set to the bytes up to and with
 * its '>' (or to end - p when it has none). */
size_t scan_count_attrs(const char *p, const char *end, size_t limit, size_t *tag_len);

#endif
