/* scan — see scan.h.
 *
 * Order of work: the size cap, charset sniffing and decoding (html_prepare),
 * then a UTF-8 clean-up copy only when the text needs one (invalid
 * sequences, NUL, form feed), then libxml2's push parser fed
 * HTML_SCAN_CHUNK bytes at a time with SAX callbacks that keep a stack of
 * one flag byte per open element (hidden text, block, foreign, inert) and
 * hand each HTML element to html_collect_element; html_collect_finish
 * resolves the links as html_parse does.
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

#include <gumbo.h>
#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* ---------------------------------------------------------------------------
 * UTF-8 clean-up */

/* Length of the valid UTF-8 sequence at p (WHATWG decoder), 0 when the
 * bytes there are not one. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end) {
    unsigned c = p[0];
    size_t need;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    for (size_t i = 1; i <= need; i++) {
        if (p + i >= end || p[i] < lo || p[i] > hi)
            return 0;
        lo = 0x80, hi = 0xBF;
    }
    return need + 1;
}

/* Bytes of a maximal subpart of an ill-formed sequence at p (>= 1): what a
 * WHATWG decoder consumes before emitting one U+FFFD. */
static size_t utf8_bad(const unsigned char *p, const unsigned char *end) {
    unsigned c = p[0];
    size_t need;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else
        return 1;
    size_t i = 1;
    for (; i <= need && p + i < end && p[i] >= lo && p[i] <= hi; i++)
        lo = 0x80, hi = 0xBF;
    return i;
}

static inline bool needs_fix(unsigned char c) {
    return c == 0 || c == '\f' || c >= 0x80;
}

/* Points *in / *n at text libxml2 takes as it is: the input itself when it
 * already is, else a cleaned copy in the arena. false: out of memory. */
static bool clean_utf8(arena *a, const char **in, size_t *n) {
    const unsigned char *s = (const unsigned char *)*in, *end = s + *n, *p = s;
    for (;;) {
        while (p < end && !needs_fix(*p))
            p++;
        if (p == end)
            return true;
        size_t k = *p >= 0x80 ? utf8_seq(p, end) : 0;
        if (!k)
            break;
        p += k;
    }
    /* Worst case: every byte becomes U+FFFD (3 bytes). */
    if (*n > (SIZE_MAX - 1) / 3)
        return false;
    char *out = arena_alloc(a, *n * 3 + 1);
    if (!out)
        return false;
    size_t head = (size_t)(p - s);
    memcpy(out, s, head);
    char *o = out + head;
    while (p < end) {
        unsigned char c = *p;
        if (c < 0x80) {
            if (c == '\f')
                *o++ = ' ';
            else if (c)
                *o++ = (char)c;
            p++;
            continue;
        }
        size_t k = utf8_seq(p, end);
        if (k) {
            memcpy(o, p, k);
            o += k, p += k;
        } else {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            p += utf8_bad(p, end);
        }
    }
    *o = '\0';
    *in = out;
    *n = (size_t)(o - out);
    return true;
}

/* ---------------------------------------------------------------------------
 * The attribute guard: htmlParseStartTag's loop, counting */

static inline bool xml_blank(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline bool name_start(unsigned char c) {
    return ((c | 32) >= 'a' && (c | 32) <= 'z') || c == '_' || c == ':' || c == '.';
}

static inline bool name_char(unsigned char c) {
    return name_start(c) || (c >= '0' && c <= '9') || c == '-';
}

/* htmlParseHTMLName: at most 100 (HTML_PARSER_BUFFER_SIZE) name bytes. */
static size_t html_name(const unsigned char *p, const unsigned char *end) {
    if (p >= end || !name_start(*p))
        return 0;
    size_t i = 0;
    while (i < 100 && p + i < end && name_char(p[i]))
        i++;
    return i;
}

size_t html_scan_count_attrs(const char *start, const char *stop, size_t limit, size_t *tag_len) {
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

enum {
    F_HIDE = 1,    /* its text is not shown */
    F_BLOCK = 2,   /* its boundaries separate words */
    F_FOREIGN = 4, /* <svg> / <math>: HTML rules stop inside */
    F_INERT = 8,   /* <template>, or an element whose content HTML5 reads as text */
    F_TITLE = 16,  /* the document's <title>, being read */
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

static const char *sax_attr(const void *el, const char *name) {
    const void *const *pair = el;
    const xmlChar *const *at = (const xmlChar *const *)pair[0];
    arena *a = (arena *)pair[1];
    for (size_t i = 0; at && at[i]; i += 2)
        if (!strcmp((const char *)at[i], name))
            return arena_strdup(a, at[i + 1] ? (const char *)at[i + 1] : "");
    return NULL;
}

/* The elements HTML5 reads as text (RCDATA / RAWTEXT / PLAINTEXT) that
 * libxml2 parses as markup; script and style it reads as text itself. */
static bool text_only(int tag) {
    switch (tag) {
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_XMP:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_NOEMBED:
    case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_PLAINTEXT:
        return true;
    default:
        return false;
    }
}

static void on_start(void *ud, const xmlChar *name, const xmlChar **atts) {
    scan_st *st = ud;
    if (st->oom)
        return;
    if (st->sp == st->cap) {
        size_t ncap = st->cap ? st->cap * 2 : 256;
        unsigned char *ns = arena_resize(st->a, st->stack, st->cap, ncap);
        if (!ns) {
            st->oom = true;
            return;
        }
        st->stack = ns;
        st->cap = ncap;
    }
    unsigned char f = 0;
    html_doc *d = st->d;
    /* Depth counts inert content too: gumbo builds <template> contents as
     * elements on its stack, and page.c reads max_depth as the bound on
     * gumbo's cost before a page's scripts run. */
    if (st->sp + 1 > d->max_depth)
        d->max_depth = st->sp + 1;
    if (st->inert) { /* template contents, or markup HTML5 reads as text */
        st->stack[st->sp++] = 0;
        return;
    }
    int tag = (int)gumbo_tag_enum((const char *)name);
    d->elements++;
    if (st->foreign || tag == GUMBO_TAG_SVG || tag == GUMBO_TAG_MATH) {
        if (!st->foreign)
            f |= F_FOREIGN;
    } else {
        if (tag == GUMBO_TAG_TITLE && !st->have_title) {
            f |= F_TITLE;
            st->title_at = st->sp + 1;
            st->title = (html_text){.a = st->a};
        } else {
            const void *el[2] = {atts, st->a};
            if (!html_collect_element(&st->c, tag, sax_attr, el))
                st->oom = true;
        }
        if (html_tag_is_block(tag)) {
            f |= F_BLOCK;
            html_text_break(&st->text);
        }
        if (html_tag_hides_text(tag))
            f |= F_HIDE;
        if (tag == GUMBO_TAG_TEMPLATE || text_only(tag))
            f |= F_INERT;
    }
    st->stack[st->sp++] = f;
    st->no_text += (f & F_HIDE) != 0;
    st->foreign += (f & F_FOREIGN) != 0;
    st->inert += (f & F_INERT) != 0;
}

static void on_end(void *ud, const xmlChar *name) {
    (void)name;
    scan_st *st = ud;
    if (st->oom || !st->sp)
        return;
    unsigned char f = st->stack[--st->sp];
    if (f & F_TITLE) {
        st->d->title = html_text_finish(&st->title);
        st->have_title = true;
        st->title_at = 0;
        if (!st->d->title)
            st->oom = true;
    }
    if (f & F_HIDE)
        st->no_text--;
    if (f & F_BLOCK)
        html_text_break(&st->text);
    if (f & F_FOREIGN)
        st->foreign--;
    if (f & F_INERT)
        st->inert--;
}

static void on_text(void *ud, const xmlChar *ch, int len) {
    scan_st *st = ud;
    if (st->oom || len <= 0)
        return;
    if (st->title_at && st->title_at == st->sp)
        html_text_add(&st->title, (const char *)ch, (size_t)len);
    if (!st->no_text && (!st->inert || (st->sp && (st->stack[st->sp - 1] & F_INERT))))
        html_text_add(&st->text, (const char *)ch, (size_t)len);
}

/* ---------------------------------------------------------------------------
 * The entry point */

/* libxml2 2.9's push parser stops at the first content after its element
 * stack has emptied: after "</html>", or after an end tag that comes before
 * any element ("</div><title>…"). It waits in XML_PARSER_EPILOG, then sets
 * XML_PARSER_EOF and drops every later chunk, so the rest of the page gave
 * no links (and no depth for page.c's guard to see). HTML5 parsers (gumbo)
 * go on, and libxml2 2.14 dropped that state. Resume: in
 * XML_PARSER_CONTENT it opens <html> and <body> again for what follows.
 * terminate as for htmlParseChunk. */
static void resume_after_stop(htmlParserCtxtPtr ctxt, int terminate) {
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

static html_err run_parser(scan_st *st, const char *in, size_t n) {
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
        size_t k = n - off < HTML_SCAN_CHUNK ? n - off : HTML_SCAN_CHUNK;
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
        if (html_scan_count_attrs(in + at, in + n, HTML_SCAN_MAX_ATTRS, &tag_len) >
            HTML_SCAN_MAX_ATTRS) {
            err = HTML_PARSE;
            break; /* html_scan names it */
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

html_err html_scan(arena *a, const char *url, const char *body, size_t len,
                   const html_options *opt, html_doc *out) {
    const char *in;
    size_t n;
    html_err err = html_prepare(a, body, len, opt, &in, &n, out);
    if (err)
        return err;
    if (!clean_utf8(a, &in, &n))
        return HTML_NOMEM;

    scan_st st = {.a = a,
                  .d = out,
                  .c = {.a = a, .d = out},
                  .text = {.a = a, .count_only = !(opt && opt->want_text)}};
    if ((err = run_parser(&st, in, n))) {
        if (err == HTML_PARSE) /* run_parser's only HTML_PARSE: the attribute guard */
            out->parse_error = "an element with more than 1024 attributes";
        return err;
    }
    out->text = html_text_finish(&st.text);
    out->text_len = st.text.len;
    if (st.text.oom || (!out->text && !st.text.count_only))
        return HTML_NOMEM;
    return html_collect_finish(&st.c, url);
}
