/* fields — a page's --extract fields (docs/daemon.md, Fields): each spec's
 * selector run over the document through dom_query, the engine behind the
 * page scripts' querySelectorAll, its values written as the JSON text of
 * the record's "fields" object (and "fields_cut" when a limit of
 * fieldspec.h cut a list or a value). Everything in the dom's arena. */
#ifndef CRAWLD_FIELDS_H
#define CRAWLD_FIELDS_H

#include "dom.h"

/* specs: NAME=SELECTOR[@attr] lines joined by '\n'. d NULL: a page with
 * no tree, every field null. *fields gets the object, *cut the
 * "fields_cut" object or NULL when nothing was cut. 0, or -1 when the
 * arena is full (nothing set). */
int fields_extract(arena *a, dom *d, const char *specs, const char **fields, const char **cut);

#endif
