/* scan_xml — scan_sax (scan.h): the scan through libxml2's HTML parser in
 * SAX mode, the guard page.c runs before gumbo on pages whose scripts run.
 * The push parser is fed SCAN_CHUNK bytes at a time; its SAX callbacks
 * drive scan.c's element stack (scan_internal.h). libxml2's own (malloc)
 * memory goes with the parser context before scan_sax returns; the start
 * tag attribute guard (scan_count_attrs) stops a page before libxml2's
 * quadratic duplicate check would run on it.
 *
 * libxml2 facts this file depends on (2.9.14):
 * - With HTML_PARSE_RECOVER a <script>/<style> ends at its own end tag
 *   only; without it, at any "</" + letter (document.write('</a>')).
 * - HTML_PARSE_IGNORE_ENC: the input is already UTF-8; a <meta charset>
 *   must not make it decode the bytes again.
 * - Invalid UTF-8 makes it switch the rest of the input to ISO-8859-1, and
 *   NUL becomes a space: both are cleaned up before it sees them.
 * - startElement / endElement come balanced (it closes what it implies or
 *   auto-closes), attribute names lowercased, values with references
 *   decoded, NULL value for an attribute written without one.
 * - In the push parser a start tag is parsed only once its '>' has
 *   arrived; until then instate is XML_PARSER_START_TAG and input->cur is
 *   at its '<': that is where the attribute guard counts. Its lookahead
 *   for that '>' treats any quote as opening a value and loses the quote
 *   when it resumes (see run_parser). */
#include "scan.h"
#include "scan_internal.h"

#include <gumbo.h>
#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* ---------------------------------------------------------------------------
 * The attribute guard: htmlParseStartTag's loop, counting */

static inline bool xml_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline bool name_start(unsigned char c)
{
    return ((c | 32) >= 'a' && (c | 32) <= 'z') || c == '_' || c == ':' || c == '.';
}

static inline bool name_char(unsigned char c)
{
    return name_start(c) || (c >= '0' && c <= '9') || c == '-';
}

/* htmlParseHTMLName: at most 100 (HTML_PARSER_BUFFER_SIZE) name bytes. */
static size_t html_name(const unsigned char *p, const unsigned char *end)
{
    if (p >= end || !name_start(*p))
        return 0;
    size_t i = 0;
    while (i < 100 && p + i < end && name_char(p[i]))
        i++;
    return i;
}

size_t scan_count_attrs(const char *start, const char *stop, size_t limit, size_t *tag_len)
{
    const unsigned char *s = (const unsigned char *)start, *end = (const unsigned char *)stop;
    const unsigned char *p = s + 1;
    size_t count = 0;
    p += html_name(p, end);
    for (;;) {
        while (p < end && xml_blank(*p))
            p++;
        if (p >= end || *p == '>' || (*p == '/' && p + 1 < end && p[1] == '>'))
            break;
        size_t k = html_name(p, end);
        if (!k) { /* a bogus attribute: dropped up to a blank or the tag end */
            while (p < end && !xml_blank(*p) && *p != '>' &&
                   !(*p == '/' && p + 1 < end && p[1] == '>'))
                p++;
            continue;
        }
        if (++count > limit)
            break;
        p += k;
        while (p < end && xml_blank(*p))
            p++;
        if (p >= end || *p != '=')
            continue;
        p++;
        while (p < end && xml_blank(*p))
            p++;
        if (p < end && (*p == '"' || *p == '\'')) {
            const unsigned char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
            p = q ? q + 1 : end;
        } else {
            while (p < end && !xml_blank(*p) && *p != '>')
                p++;
        }
    }
    if (tag_len) {
        const unsigned char *gt = p < end ? memchr(p, '>', (size_t)(end - p)) : NULL;
        *tag_len = gt ? (size_t)(gt + 1 - s) : (size_t)(end - s);
    }
    return count;
}

/* ---------------------------------------------------------------------------
 * SAX callbacks */

static void on_start(void *ud, const xmlChar *name, const xmlChar **atts)
{
    scan_st *st = ud;
    const void *el[2] = {atts, st->a};
    scan_start_el(st, (int)gumbo_tag_enum((const char *)name), scan_attr, el);
}

static void on_end(void *ud, const xmlChar *name)
{
    (void)name;
    scan_end_el(ud);
}

static void on_text(void *ud, const xmlChar *ch, int len)
{
    if (len > 0)
        scan_add_text(ud, (const char *)ch, (size_t)len);
}

/* ---------------------------------------------------------------------------
 * The driver */

/* libxml2 2.9's push parser stops at the first content after its element
 * stack has emptied: after "</html>", or after an end tag that comes before
 * any element ("</div><title>…"). It waits in XML_PARSER_EPILOG, then sets
 * XML_PARSER_EOF and drops every later chunk, so the rest of the page gave
 * no links (and no depth for page.c's guard to see). HTML5 parsers (gumbo)
 * go on, and libxml2 2.14 dropped that state. Resume: in
 * XML_PARSER_CONTENT it opens <html> and <body> again for what follows.
 * terminate as for htmlParseChunk. */
static void resume_after_stop(htmlParserCtxtPtr ctxt, int terminate)
{
    for (;;) {
        if (ctxt->errNo == XML_ERR_NO_MEMORY || !ctxt->input ||
            (ctxt->instate != XML_PARSER_EOF && ctxt->instate != XML_PARSER_EPILOG))
            return;
        ptrdiff_t left = ctxt->input->end - ctxt->input->cur;
        if (left <= 0)
            return;
        ctxt->instate = XML_PARSER_CONTENT;
        htmlParseChunk(ctxt, NULL, 0, terminate);
        if (!ctxt->input || ctxt->input->end - ctxt->input->cur >= left)
            return; /* waits for more input, or made no progress */
    }
}

static html_err run_parser(scan_st *st, const char *in, size_t n)
{
    htmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.startElement = on_start;
    sax.endElement = on_end;
    sax.characters = on_text;
    sax.ignorableWhitespace = on_text;
    sax.cdataBlock = on_text; /* script / style: hidden anyway */
    htmlParserCtxtPtr ctxt =
        htmlCreatePushParserCtxt(&sax, st, NULL, 0, NULL, XML_CHAR_ENCODING_UTF8);
    if (!ctxt)
        return HTML_NOMEM;
    htmlCtxtUseOptions(ctxt, HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                                 HTML_PARSE_RECOVER | HTML_PARSE_IGNORE_ENC);
    html_err err = HTML_OK;
    size_t off = 0, checked = SIZE_MAX, counted = SIZE_MAX;
    while (off < n && !st->oom) {
        size_t k = n - off < SCAN_CHUNK ? n - off : SCAN_CHUNK;
        if (checked != SIZE_MAX && checked > off && checked - off > k)
            k = checked - off; /* the rest of a start tag already counted */
        if (ctxt->instate == XML_PARSER_START_TAG) {
            /* libxml2 2.9.14's '>' lookahead resumes at checkIndex inside
             * a quoted value without the quote it opened with, and then
             * never closes it: the tag (and all after it) would wait for
             * the end of the input and be parsed unguarded. Rescan from
             * the tag's start (inSubset holds that lookahead's state). */
            ctxt->checkIndex = 0;
            ctxt->inSubset = 0;
        }
        htmlParseChunk(ctxt, in + off, (int)k, 0);
        off += k;
        resume_after_stop(ctxt, 0);
        if (ctxt->errNo == XML_ERR_NO_MEMORY) {
            err = HTML_NOMEM;
            break;
        }
        if (ctxt->instate != XML_PARSER_START_TAG || !ctxt->input ||
            ctxt->input->cur >= ctxt->input->end)
            continue;
        size_t pending = (size_t)(ctxt->input->end - ctxt->input->cur);
        if (pending > off)
            continue;
        size_t at = off - pending;
        if (at == counted)
            continue; /* this tag was counted already */
        size_t cmp = pending < 16 ? pending : 16;
        if (in[at] != '<' || memcmp(ctxt->input->cur, in + at, cmp) != 0)
            continue;
        size_t tag_len;
        if (scan_count_attrs(in + at, in + n, SCAN_MAX_ATTRS, &tag_len) > SCAN_MAX_ATTRS) {
            err = HTML_PARSE;
            break; /* scan_sax names it */
        }
        counted = at;
        checked = at + tag_len;
    }
    if (!err && !st->oom) {
        htmlParseChunk(ctxt, NULL, 0, 1);
        resume_after_stop(ctxt, 1);
        if (ctxt->errNo == XML_ERR_NO_MEMORY)
            err = HTML_NOMEM;
    }
    htmlFreeParserCtxt(ctxt);
    if (st->oom)
        return HTML_NOMEM;
    return err;
}

html_err scan_sax(arena *a, const char *url, const char *body, size_t len, const html_options *opt,
                  html_doc *out)
{
    return scan_run(a, url, body, len, opt, out, run_parser);
}
