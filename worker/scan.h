/* scan — the light extractors: the same html_doc as html_parse (html.h)
 * without building gumbo's HTML5 tree, by one of two drivers:
 *
 * - scan_lex (scan.c; pages whose scripts do not run): a hand-written tokenizer of
 *   HTML5's rules (data, tags and attributes, comments, bogus comments,
 *   RCDATA / RAWTEXT / script / PLAINTEXT text, CDATA in SVG and MathML)
 *   with a stack of open elements for what the rules need (hidden text,
 *   word breaks, foreign content, <head> ending at body content). Only the
 *   attributes of a, area, iframe, frame, link, base and meta are kept.
 *   On the Python documentation (530 pages, 93 KB each) 0.50 ms a page
 *   against libxml2's 1.68 ms and gumbo's 2.0 ms, with gumbo's answer on
 *   every page (links, title, text length). Written by hand because no
 *   library on Debian tokenizes HTML5 without building a tree (lexbor and
 *   hubbub are not packaged; libxml2 is an HTML 4 parser, see below).
 * - scan_sax (scan_xml.c): libxml2's HTML parser in SAX mode, the guard page.c runs
 *   before gumbo on pages whose scripts run (its nesting depth is close to
 *   the tree's; scan_lex's is not, it closes no element HTML5 implies).
 *
  * Both: the same rules as html_parse, through the same code (html.h's shared section):
 * charset sniffing and decoding, the link rule, rel=nofollow, meta robots,
 * <base>, canonical, resolution and normalisation, duplicates once in
 * document order, the text sink and its block/hidden tag tables, the
 * HTML_MAX_PARSE_BYTES cap. Everything returned lives in the arena;
 * libxml2's own (malloc) memory is freed before scan_sax returns.
 * gumbo_output is always NULL: use html_parse when a later stage needs the
 * tree (the JS DOM).
 *
 * Where scan_lex's answers differ (tests/unit/test_scan.c pins each case):
 * - Character references: named ones as scan_sax reads them (below);
 *   numeric ones as HTML5.
 * - No tree construction: no breakout from <svg>/<math> at HTML elements,
 *   no HTML integration points (as scan_sax), a <noscript> in <head>
 *   stays open, misnested formatting elements are not re-parented (text
 *   order only), and an end tag closes the nearest open element of its name
 *   only within 256 elements of the top (else it is ignored: pages that
 *   never close their elements stay linear).
 * - elements / max_depth count the tags as written (no implied html, head,
 *   body; elements HTML5 closes implicitly stay open).
 * - The attribute guard below applies too (an element with more than
 *   SCAN_MAX_ATTRS attributes fails the page), by HTML5's attribute
 *   syntax; scan_lex itself is linear in attributes.
 *
 * Where scan_sax's answers differ (libxml2 is an HTML4-era parser, not an
 * HTML5 tree builder; tests/unit/test_scan.c pins each case):
 * - elements / max_depth count what libxml2 opens: it implies <html> and
 *   <body> like gumbo but <head> only when head content comes first, and an
 *   implied <p> around text directly in <html>/<head>.
 * - Character references: libxml2 knows the HTML4 names only and always
 *   wants the ';' (gumbo: "&amp x" -> "& x", "&notit;" -> "¬it;"; scan
 *   keeps both literally); "&#x80;".."&#x9F;" and invalid numeric references
 *   are dropped (gumbo maps them through windows-1252 / to U+FFFD).
 * - Markup inside title, textarea, xmp, iframe, noembed, noframes and
 *   plaintext is parsed as tags by libxml2 (HTML5: text). scan ignores
 *   elements opened inside those (no links from them), but a <title>'s
 *   title is its direct text only and a <textarea>'s markup is not text.
 * - <![CDATA[ … ]]> outside SVG/MathML, and "<!x…>": HTML5 makes a bogus
 *   comment up to the first '>', libxml2 text '<' and parses what follows
 *   (a tag inside becomes an element, so "<![CDATA[<a href=x>]]>" is a
 *   link for scan and none for html_parse).
 * - SVG / MathML: everything from <svg>/<math> to its end is foreign (no
 *   links, no title, no block/hidden rules), as in gumbo, but without
 *   HTML5's breakout (a <p> or <div> inside <svg> ends it in HTML5) and
 *   without its HTML integration points (HTML inside <foreignObject>,
 *   <desc>, svg <title>, <mi>, <mtext>…: links there count in html_parse).
 * - Other tree-construction corner cases: a <noscript> in <head> holding
 *   body content (HTML5 closes it, the content is visible text; libxml2
 *   keeps it open, hidden), <plaintext> after a <frameset>.
 * - NUL bytes are dropped (gumbo drops them in text, makes U+FFFD in
 *   attribute values); other C0 controls and U+FFFE/U+FFFF are dropped from
 *   text by libxml2 (gumbo keeps them); U+000C (form feed) becomes a space.
 *   Invalid UTF-8 becomes U+FFFD per maximal subpart before libxml2 sees it
 *   (libxml2 would otherwise switch the rest of the page to Latin-1).
 * - Guard that html_parse does not have: a start tag with more than
 *   SCAN_MAX_ATTRS attributes fails the page with HTML_PARSE
 *   (libxml2's and gumbo's duplicate-attribute checks are quadratic:
 *   20,000 attributes take ~2 s in gumbo and ~5 s in libxml2). Tags are
 *   fed in SCAN_CHUNK pieces and the start tag libxml2 waits on at
 *   each piece's end is counted before libxml2 parses it, so a tag the
 *   guard does not see is shorter than one chunk — as far as libxml2's
 *   '>' lookahead (any quote opens a value) and its tag parser (quotes
 *   only after '=') agree on where a tag ends. Input built on their
 *   disagreement ("<p a\"" … many attributes … "\">") can still hand
 *   libxml2 one long tag at once: quadratic time, as html_parse has on
 *   any long tag. */
#ifndef CRAWLD_SCAN_H
#define CRAWLD_SCAN_H

#include "html.h"

#include <stddef.h>

#define SCAN_MAX_ATTRS 1024
#define SCAN_CHUNK 1024

/* Scans body (len bytes, not NUL-terminated) fetched from url. opt's
 * after_parse must be NULL (there is no tree); it is ignored. */
html_err scan_sax(arena *a, const char *url, const char *body, size_t len,
                  const html_options *opt, html_doc *out);

/* The same, from the hand-written HTML5 tokenizer (the top of this file). */
html_err scan_lex(arena *a, const char *url, const char *body, size_t len,
                  const html_options *opt, html_doc *out);

/* For the guard and its tests: the number of attributes libxml2 2.9's
 * htmlParseStartTag reads from the start tag at p ('<'), counting at most
 * limit + 1; *tag_len (when not NULL) is set to the bytes up to and with
 * its '>' (or to end - p when it has none). */
size_t scan_count_attrs(const char *p, const char *end, size_t limit, size_t *tag_len);

/* alias until callers move */
#define html_scan scan_sax
#define html_lex scan_lex

#endif
