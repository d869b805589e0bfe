/* scan_internal — what the two drivers of scan.h share, for scan.c and
 * scan_xml.c only: the element stack (scan_st) both drivers feed, and the
 * common run (size cap, charset, UTF-8 clean-up, finishing the html_doc).
 *
 * A driver calls scan_start_el / scan_end_el balanced and scan_add_text for
 * character data; it returns HTML_PARSE only for the attribute guard.
 * Include scan.h first: this file does not, so that the pair reads as one
 * module to tests/deps_check.py. */
#ifndef CRAWLD_SCAN_INTERNAL_H
#define CRAWLD_SCAN_INTERNAL_H

#ifndef CRAWLD_SCAN_H
#error "include scan.h before scan_internal.h"
#endif

#include <stdbool.h>
#include <stddef.h>

enum {
    SCAN_F_HIDE = 1,    /* its text is not shown */
    SCAN_F_BLOCK = 2,   /* its boundaries separate words */
    SCAN_F_FOREIGN = 4, /* <svg> / <math>: HTML rules stop inside */
    SCAN_F_INERT = 8,   /* <template>, or an element whose content HTML5 reads as text */
    SCAN_F_TITLE = 16,  /* the document's <title>, being read */
};

typedef struct scan_st {
    arena *a;
    html_doc *d;
    html_collect c;
    html_text text, title;
    unsigned char *stack; /* one flag byte per open element */
    size_t sp, cap;
    size_t no_text, foreign, inert;
    size_t title_at; /* sp of the title being read, 0: none */
    bool have_title;
    bool oom;
} scan_st;

/* html_attr_fn over el = {const xmlChar **atts, arena *a}: libxml2's SAX
 * attribute array (name, value or NULL, ..., NULL), which the lexer builds
 * too; the value is copied into a. */
const char *scan_attr(const void *el, const char *name);
/* An element opens: tag is its GumboTag, attr / el read its attributes
 * (html_collect_element's). */
void scan_start_el(scan_st *st, int tag, html_attr_fn attr, const void *el);
/* The innermost open element closes (nothing when none is open). */
void scan_end_el(scan_st *st);
/* Character data (len bytes of UTF-8) inside the open elements. */
void scan_add_text(scan_st *st, const char *ch, size_t len);

/* One page through driver run: prepare body as html_parse does, run the
 * driver over the clean UTF-8 text, then finish out (text, links). */
html_err scan_run(arena *a, const char *url, const char *body, size_t len, const html_options *opt,
                  html_doc *out, html_err (*run)(scan_st *, const char *, size_t));

#endif
