/* dom — the document page scripts see: gumbo's own tree, edited in place.
 * There is no second tree: every operation edits the GumboNode structs in
 * the page arena, and new nodes, grown vectors and strings come from that
 * arena and are never freed one by one (the page's memory goes with it).
 * Invariant after every call: each child's parent pointer and
 * index_within_parent say where it sits. Walks are iterative (any depth);
 * strings returned are in the arena, NUL-terminated UTF-8. Nothing logs.
 * docs/worker.md ("Page JavaScript") has the design. */
#ifndef CRAWLD_DOM_H
#define CRAWLD_DOM_H

#include "arena.h"
#include <gumbo.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum dom_err {
    DOM_OK = 0,
    DOM_NOMEM,     /* the page arena could not grow */
    DOM_HIERARCHY, /* the node cannot go there (an ancestor into its own
                    * subtree, a child under a text node, a second root) */
    DOM_NOT_FOUND, /* the reference node is not a child of that parent */
    DOM_SYNTAX,    /* a selector or name that cannot be parsed */
    DOM_INVALID    /* wrong node type for the operation (e.g. attributes on text) */
} dom_err;

/* A short English word for an error ("nomem", "hierarchy", ...). */
const char *dom_err_word(dom_err e);

typedef struct dom dom; /* in the page arena; nothing to free */

/* Wraps a parsed document (GumboOutput* from html_doc.gumbo_output). url is
 * the document's URL (the final URL after redirects), used for base URL
 * resolution. NULL when the arena is exhausted. */
dom *dom_new(arena *a, void *gumbo_output, const char *url);

arena *dom_arena(dom *d);
GumboNode *dom_document(dom *d);         /* the GUMBO_NODE_DOCUMENT node */
GumboNode *dom_document_element(dom *d); /* <html>, NULL if removed */
GumboNode *dom_head(dom *d);             /* first <head> child of <html>, or NULL */
GumboNode *dom_body(dom *d);             /* first <body> child of <html>, or NULL */

/* The document's URL as given to dom_new (location.href, document.URL). */
const char *dom_url(dom *d);

/* The document's base URL: the first <base href> resolved against the
 * document URL, else the document URL. Looked up on every call (scripts may
 * add or change <base>). */
const char *dom_base_url(dom *d);

/* ---- nodes ---- */

/* Lowercase local name for elements ("div", "my-widget", "svg"); "#text",
 * "#comment", "#document", "#cdata-section" for the others. The same on
 * parsed and created nodes (see dom_create_element). */
const char *dom_tag_name(dom *d, const GumboNode *n);

/* name is checked (ASCII letter first, then letters, digits, '-', '_', '.',
 * ':'; otherwise DOM_SYNTAX via *err) and lowercased. The node is detached
 * (parent NULL) until inserted. A name gumbo does not know gets
 * GUMBO_TAG_UNKNOWN and an original_tag of "<name>", as the parser gives
 * unknown tags. */
GumboNode *dom_create_element(dom *d, const char *name, dom_err *err);
GumboNode *dom_create_text(dom *d, const char *text, size_t len);
/* document.implementation.createHTMLDocument: a second document node in
 * the same arena (so it goes with the page), holding html > head (> title
 * when title is not NULL), body. Never connected to the page's document;
 * nodes move between the two with the ordinary tree edits. */
GumboNode *dom_create_document(dom *d, const char *title, dom_err *err);
GumboNode *dom_create_comment(dom *d, const char *text, size_t len);

/* template.content: the DocumentFragment holding a <template>'s children
 * (made on first use for a created template; the parser's are made when
 * parsed). A template element itself shows no children to navigation,
 * lookups, selectors or textContent; serialisation and innerHTML go to its
 * content. NULL when t is not a template, or on NOMEM. */
GumboNode *dom_template_content(dom *d, GumboNode *t);

/* Tree edits, with the DOM's rules: a child that already has a parent is
 * taken out of it first; inserting a node into itself or its descendant is
 * DOM_HIERARCHY; parent must be an element or the document (a document
 * takes at most one element child); ref must be a child of parent
 * (DOM_NOT_FOUND otherwise); insert_before with ref NULL appends. */
dom_err dom_append_child(dom *d, GumboNode *parent, GumboNode *child);
dom_err dom_insert_before(dom *d, GumboNode *parent, GumboNode *child, GumboNode *ref);
dom_err dom_remove_child(dom *d, GumboNode *parent, GumboNode *child);
dom_err dom_replace_child(dom *d, GumboNode *parent, GumboNode *newc, GumboNode *old);

/* Navigation helpers (NULL when none). Element-only variants skip text and
 * comments. */
GumboNode *dom_first_child(const GumboNode *n);
GumboNode *dom_last_child(const GumboNode *n);
GumboNode *dom_next_sibling(const GumboNode *n);
GumboNode *dom_prev_sibling(const GumboNode *n);
GumboNode *dom_first_element_child(const GumboNode *n);
GumboNode *dom_next_element_sibling(const GumboNode *n);
size_t dom_child_count(const GumboNode *n); /* all children */

/* ---- attributes (elements only) ---- */

/* Case-insensitive name; NULL when absent or n is not an element. */
const char *dom_get_attr(const GumboNode *n, const char *name);
dom_err dom_set_attr(dom *d, GumboNode *n, const char *name, const char *value);
dom_err dom_remove_attr(dom *d, GumboNode *n, const char *name); /* absent is DOM_OK */
size_t dom_attr_count(const GumboNode *n);
/* i-th attribute's name and value; false when out of range. */
bool dom_attr_at(const GumboNode *n, size_t i, const char **name, const char **value);

/* classList: token edits on the class attribute (whitespace-separated).
 * toggle returns the new state in *on. */
bool dom_class_contains(const GumboNode *n, const char *token);
dom_err dom_class_add(dom *d, GumboNode *n, const char *token);
dom_err dom_class_remove(dom *d, GumboNode *n, const char *token);
dom_err dom_class_toggle(dom *d, GumboNode *n, const char *token, bool *on);

/* ---- text and markup ---- */

/* textContent: a text/comment node's data; for an element or the document
 * the concatenation of all descendant text nodes, in order. NULL on NOMEM. */
char *dom_text_content(dom *d, const GumboNode *n, size_t *len);
/* Replaces n's children by one text node (none when text is empty); on a
 * text/comment node sets its data. */
dom_err dom_set_text_content(dom *d, GumboNode *n, const char *text, size_t len);

/* HTML serialisation (the HTML fragment serialisation algorithm: attribute
 * values and text escaped, void elements without end tags, raw text in
 * script/style). outer includes n itself. NULL on NOMEM. */
char *dom_serialize(dom *d, const GumboNode *n, bool outer, size_t *len);

/* innerHTML = html: parses html as a fragment in the context of n's tag
 * (gumbo's fragment parsing, in the page arena) and replaces n's children
 * with the result. */
dom_err dom_set_inner_html(dom *d, GumboNode *n, const char *html, size_t len);
/* outerHTML = html: replaces n in its parent by the parsed fragment
 * (context: the parent's tag). DOM_HIERARCHY when n has no element parent. */
dom_err dom_set_outer_html(dom *d, GumboNode *n, const char *html, size_t len);
/* What document.write does once the document is parsed: parse html as a
 * fragment in the context of ref's parent and insert the nodes right after
 * ref (ref is the running <script>); ref NULL appends to <body>. */
dom_err dom_insert_html_after(dom *d, GumboNode *ref, const char *html, size_t len);

/* ---- lookups (descendants of root, document order, root excluded) ---- */

/* A list of nodes in the page arena. */
typedef struct dom_list {
    GumboNode **items;
    size_t n;
} dom_list;

GumboNode *dom_get_element_by_id(dom *d, GumboNode *root, const char *id);
/* name "*" matches every element; case-insensitive. */
dom_err dom_by_tag(dom *d, GumboNode *root, const char *name, dom_list *out);
/* classes: one or more whitespace-separated class names, all required. */
dom_err dom_by_class(dom *d, GumboNode *root, const char *classes, dom_list *out);

/* CSS selectors: type (and *), #id, .class, [attr], [attr=v] (also "v" and
 * 'v' quoted, ~=, ^=, $=, *=, |=), compound selectors (div.a#b[x]),
 * descendant (space) and child (>) combinators, comma lists; :first-child,
 * :last-child, :not(simple) if cheap. Anything else is DOM_SYNTAX (and the
 * JS side throws SyntaxError). first_only stops at the first match. Results
 * in document order without duplicates. */
dom_err dom_query(dom *d, GumboNode *root, const char *selector, bool first_only, dom_list *out);
/* element.matches(selector) / closest use this. */
dom_err dom_matches(dom *d, GumboNode *el, const char *selector, bool *yes);

#endif
