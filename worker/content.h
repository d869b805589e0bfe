/* content — what a page leaves (crawlctl submit --save): its text, its HTML
 * as fetched, its DOM after scripts and its Markdown, as the one JSON object
 * crawld writes to content.jsonl.zst (docs/daemon.md, "Content"). */
#ifndef CRAWLD_CONTENT_H
#define CRAWLD_CONTENT_H

#include "page.h"

#include <stddef.h>

/* The content object of a finished, parsed page p for the kinds save
 * (JOBOPT_SAVE_* bits): {"url":…,"text":…,"html":…,"dom":…,"markdown":…
 * [,"truncated":[kinds]]}, each kind cut at cap bytes on a UTF-8 boundary
 * (then named in "truncated"). Without scripts the tree dom and markdown
 * read is parsed here from the body (gumbo, under parse_budget_ms; a kind
 * without a tree is null). In p's arena, *len its length; NULL when the
 * arena is full. */
char *content_build(page *p, int save, size_t cap, long parse_budget_ms, size_t *len);

#endif
