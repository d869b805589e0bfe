/* markdown — a page's tree (as its scripts left it, dom.h) as Markdown, for
 * --save markdown: headings, paragraphs, lists (nested), links, emphasis,
 * code blocks and inline code, pipe tables, images; scripts, styles and
 * hidden elements left out. Written by hand over the worker's own tree (no
 * C library converts a DOM); docs/worker.md, "Markdown", has the rules. */
#ifndef CRAWLD_MARKDOWN_H
#define CRAWLD_MARKDOWN_H

#include "dom.h"

#include <stddef.h>

/* top (the document, or any element) as Markdown, NUL-terminated, in d's
 * arena; *len its length. Walks are iterative (any nesting depth). NULL
 * when the arena is full. */
char *markdown_render(dom *d, const GumboNode *top, size_t *len);

#endif
