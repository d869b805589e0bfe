/* markdown — see markdown.h. One iterative walk over the tree: each element
 * says on entry whether its children are walked (a table, a code block, an
 * image or a left-out element is written whole, or not at all, on entry) and
 * what it adds on entry and exit. Output is written through md_put, which
 * owns the line structure: pending breaks, the blockquote and list-item
 * prefix of each new line, and collapsed whitespace. */
#include "markdown.h"
#include "url.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MD_MAX_LISTS 64 /* deeper lists are written at this depth */
#define MD_MAX_TABLES 4 /* tables inside table cells: deeper ones are text */

typedef struct md_list {
    int ordered;
    long next;          /* an ordered list's next number */
    size_t base_indent; /* the indent of the list's items' markers */
} md_list;

typedef struct md {
    arena *a;
    dom *d;
    char *p;
    size_t len, cap;
    bool oom;
    int started;   /* something was written */
    int pending;   /* a break before the next output: 1 newline, 2 a blank line */
    int space;     /* a collapsed space before the next output */
    int col0;      /* nothing but the prefix on the current line */
    int quote;     /* blockquote depth */
    size_t indent; /* list items' content indent */
    int oneline;   /* a heading or a table cell: breaks are spaces */
    int in_link;   /* inside a link: nested links are text */
    int tables;    /* table nesting (cells render in their own md) */
    int at_marker; /* right after a list item's marker: breaks wait for content */
    md_list lists[MD_MAX_LISTS];
    int nlists, deep_lists; /* open lists; past MD_MAX_LISTS only counted */
} md;

static bool md_reserve(md *m, size_t n)
{
    if (m->oom)
        return false;
    if (m->len + n + 1 <= m->cap)
        return true;
    size_t cap = m->cap ? m->cap : 1024;
    while (cap < m->len + n + 1) {
        if (cap > ((size_t)-1) / 4) {
            m->oom = true;
            return false;
        }
        cap *= 2;
    }
    char *np = arena_resize(m->a, m->p, m->cap, cap);
    if (!np) {
        m->oom = true;
        return false;
    }
    m->p = np;
    m->cap = cap;
    return true;
}

static void md_raw(md *m, const char *s, size_t n)
{
    if (!n || !md_reserve(m, n))
        return;
    memcpy(m->p + m->len, s, n);
    m->len += n;
}

static void md_rawz(md *m, const char *s) { md_raw(m, s, strlen(s)); }

/* The start of a line: "> " per blockquote, then the list indent. */
static void md_prefix(md *m, int blank)
{
    for (int i = 0; i < m->quote; i++)
        md_rawz(m, blank && i == m->quote - 1 ? ">" : "> ");
    if (!blank)
        for (size_t i = 0; i < m->indent; i++)
            md_raw(m, " ", 1);
}

/* Asks for a break (1 a new line, 2 a blank line) before the next output. */
static void md_break(md *m, int kind)
{
    if (m->oneline) {
        m->space = 1;
        return;
    }
    if (m->started && !m->at_marker && kind > m->pending)
        m->pending = kind;
}

/* Writes what is pending (breaks, prefix, a space) before output. */
static void md_flush(md *m)
{
    m->at_marker = 0;
    if (!m->started) {
        md_prefix(m, 0);
        m->started = 1;
        m->col0 = 1;
        m->pending = 0;
        m->space = 0;
        return;
    }
    if (m->pending) {
        md_raw(m, "\n", 1);
        if (m->pending == 2) {
            md_prefix(m, 1);
            md_raw(m, "\n", 1);
        }
        md_prefix(m, 0);
        m->pending = 0;
        m->space = 0;
        m->col0 = 1;
        return;
    }
    if (m->space && !m->col0)
        md_raw(m, " ", 1);
    m->space = 0;
}

/* Markup (not escaped) after what is pending. */
static void md_put(md *m, const char *s, size_t n)
{
    md_flush(m);
    md_raw(m, s, n);
    m->col0 = 0;
    m->at_marker = 0;
}

static void md_putz(md *m, const char *s) { md_put(m, s, strlen(s)); }

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Text: whitespace runs collapse to one space, Markdown's own characters
 * are escaped. */
static void md_text(md *m, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (is_ws((unsigned char)s[i])) {
            m->space = 1;
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && !is_ws((unsigned char)s[j]))
            j++;
        md_flush(m);
        m->at_marker = 0;
        for (size_t k = i; k < j; k++) {
            char c = s[k];
            int esc = c == '\\' || c == '*' || c == '_' || c == '`' || c == '[' || c == ']' ||
                      c == '<' || c == '|';
            if (m->col0 && k == i && (c == '#' || c == '>' || c == '+' || c == '-' || c == '='))
                esc = 1;
            if (esc)
                md_raw(m, "\\", 1);
            md_raw(m, &c, 1);
            m->col0 = 0;
        }
        i = j;
    }
}

static const char *tag(md *m, const GumboNode *n) { return dom_tag_name(m->d, n); }

static int is_tag(const char *t, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(t, *set) == 0)
            return 1;
    return 0;
}

/* Left out with everything under it: not shown to a reader. */
static const char *const skipped[] = {
    "script", "style", "noscript", "template", "head",   "iframe", "object", "embed",
    "svg",    "math",  "canvas",   "select",   "option", "input",  "button", "textarea",
    "audio",  "video", "map",      "dialog",   "title",  "meta",   "link",   NULL};
static const char *const blocks[] = {
    "div",     "section",    "article", "header", "footer", "nav",     "main",     "aside",
    "figure",  "figcaption", "dl",      "dt",     "dd",     "form",    "fieldset", "address",
    "details", "summary",    "body",    "html",   "center", "caption", NULL};

/* Hidden: the hidden attribute, aria-hidden="true", or an inline style of
 * display:none or visibility:hidden. */
static int hidden(const GumboNode *n)
{
    if (dom_get_attr(n, "hidden"))
        return 1;
    const char *ah = dom_get_attr(n, "aria-hidden");
    if (ah && strcasecmp(ah, "true") == 0)
        return 1;
    const char *st = dom_get_attr(n, "style");
    if (!st)
        return 0;
    char squeezed[256];
    size_t k = 0;
    for (const char *s = st; *s && k + 1 < sizeof(squeezed); s++)
        if (!is_ws((unsigned char)*s))
            squeezed[k++] = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
    squeezed[k] = '\0';
    return strstr(squeezed, "display:none") || strstr(squeezed, "visibility:hidden");
}

/* Every text under n, as it is (a code block's, an inline code's). */
static char *text_of(md *m, const GumboNode *top, size_t *len)
{
    md t = {.a = m->a, .d = m->d};
    const GumboNode *n = top;
    for (;;) {
        const GumboNode *c = NULL;
        if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
            n->type == GUMBO_NODE_CDATA)
            md_rawz(&t, n->v.text.text);
        else if (n->type == GUMBO_NODE_ELEMENT && strcmp(tag(m, n), "br") == 0)
            md_raw(&t, "\n", 1);
        else if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_DOCUMENT)
            c = dom_first_child(n);
        if (c) {
            n = c;
            continue;
        }
        while (n != top && !dom_next_sibling(n))
            n = n->parent;
        if (n == top)
            break;
        n = dom_next_sibling(n);
    }
    if (!md_reserve(&t, 0)) {
        m->oom = true;
        return NULL;
    }
    t.p[t.len] = '\0';
    *len = t.len;
    return t.p;
}

/* The longest run of backticks in s. */
static size_t max_ticks(const char *s, size_t n)
{
    size_t best = 0, run = 0;
    for (size_t i = 0; i < n; i++) {
        run = s[i] == '`' ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

static void code_inline(md *m, const GumboNode *n)
{
    size_t len = 0;
    char *s = text_of(m, n, &len);
    if (!s)
        return;
    for (size_t i = 0; i < len; i++) /* inline: one line */
        if (is_ws((unsigned char)s[i]))
            s[i] = ' ';
    size_t a = 0, b = len;
    while (a < b && s[a] == ' ')
        a++;
    while (b > a && s[b - 1] == ' ')
        b--;
    if (a == b)
        return;
    size_t ticks = max_ticks(s + a, b - a) + 1;
    md_flush(m);
    for (size_t i = 0; i < ticks; i++)
        md_raw(m, "`", 1);
    int pad = s[a] == '`' || s[b - 1] == '`';
    if (pad)
        md_raw(m, " ", 1);
    md_raw(m, s + a, b - a);
    if (pad)
        md_raw(m, " ", 1);
    for (size_t i = 0; i < ticks; i++)
        md_raw(m, "`", 1);
    m->col0 = 0;
}

/* The language of a code block: class "language-X" or "lang-X" on the pre
 * or its code child. */
static void code_lang(const GumboNode *n, char *out, size_t cap)
{
    out[0] = '\0';
    for (int i = 0; i < 2 && n; i++) {
        const char *cls = n->type == GUMBO_NODE_ELEMENT ? dom_get_attr(n, "class") : NULL;
        for (const char *s = cls; s && *s;) {
            size_t w = strcspn(s, " \t\n");
            size_t skip = strncmp(s, "language-", 9) == 0 ? 9 : strncmp(s, "lang-", 5) == 0 ? 5 : 0;
            if (skip && w > skip && w - skip < cap) {
                size_t k = 0;
                for (size_t j = skip; j < w; j++)
                    if (s[j] != '`' && s[j] != '~')
                        out[k++] = s[j];
                out[k] = '\0';
                return;
            }
            s += w;
            s += strspn(s, " \t\n");
        }
        n = dom_first_element_child(n);
    }
}

static void code_block(md *m, const GumboNode *n)
{
    if (m->oneline) { /* a table cell: inline code */
        code_inline(m, n);
        return;
    }
    size_t len = 0;
    char *s = text_of(m, n, &len);
    if (!s)
        return;
    if (len && s[0] == '\n') { /* the parser drops it; an edited tree may not */
        s++;
        len--;
    }
    while (len && (s[len - 1] == '\n' || s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    size_t ticks = max_ticks(s, len) + 1;
    if (ticks < 3)
        ticks = 3;
    char lang[64];
    code_lang(n, lang, sizeof(lang));
    md_break(m, 2);
    md_flush(m);
    for (size_t i = 0; i < ticks; i++)
        md_raw(m, "`", 1);
    md_rawz(m, lang);
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '\n') {
            size_t start = i;
            while (start > 0 && s[start - 1] != '\n')
                start--;
            md_raw(m, "\n", 1);
            md_prefix(m, 0);
            md_raw(m, s + start, i - start);
        }
    }
    md_raw(m, "\n", 1);
    md_prefix(m, 0);
    for (size_t i = 0; i < ticks; i++)
        md_raw(m, "`", 1);
    m->col0 = 0;
    md_break(m, 2);
}

/* A URL for a link or an image, resolved against the document's base URL
 * (the Markdown is read away from the page: a relative link would point
 * nowhere); one that does not resolve (javascript:, a bad URL) as written.
 * <…> when it holds a space or a paren. */
static void put_url(md *m, const char *u)
{
    while (*u == ' ')
        u++;
    const char *base = dom_base_url(m->d);
    char *abs = NULL;
    if (base && *u && url_resolve(m->a, base, u, &abs) == URL_OK && abs) {
        /* the crawler's form drops the fragment; a reader wants it */
        const char *frag = strchr(u, '#');
        if (frag && frag[1] && !strchr(abs, '#')) {
            size_t an = strlen(abs), fn = strlen(frag);
            char *w = arena_alloc(m->a, an + fn + 1);
            if (w) {
                memcpy(w, abs, an);
                memcpy(w + an, frag, fn + 1);
                abs = w;
            }
        }
        u = abs;
    }
    int angle = strcspn(u, " ()<>\n") != strlen(u);
    if (angle)
        md_raw(m, "<", 1);
    for (const char *s = u; *s; s++) {
        if (*s == '\n' || *s == '\r')
            continue;
        if (angle && (*s == '<' || *s == '>')) {
            md_rawz(m, *s == '<' ? "%3C" : "%3E");
            continue;
        }
        md_raw(m, s, 1);
    }
    if (angle)
        md_raw(m, ">", 1);
}

static void put_title(md *m, const char *t)
{
    if (!t || !*t)
        return;
    md_raw(m, " \"", 2);
    for (const char *s = t; *s; s++) {
        if (*s == '"' || *s == '\\')
            md_raw(m, "\\", 1);
        md_raw(m, is_ws((unsigned char)*s) ? " " : s, 1);
    }
    md_raw(m, "\"", 1);
}

static void image(md *m, const GumboNode *n)
{
    const char *src = dom_get_attr(n, "src");
    if (!src || !*src)
        return;
    const char *alt = dom_get_attr(n, "alt");
    md_putz(m, "![");
    if (alt)
        md_text(m, alt, strlen(alt));
    md_raw(m, "](", 2);
    put_url(m, src);
    put_title(m, dom_get_attr(n, "title"));
    md_raw(m, ")", 1);
    m->col0 = 0;
}

static void walk(md *m, const GumboNode *top);

/* A cell's content on one line, '|' escaped by md_text. */
static char *cell_text(md *m, const GumboNode *cell, size_t *len)
{
    md c = {.a = m->a, .d = m->d, .oneline = 1, .tables = m->tables + 1};
    for (const GumboNode *k = dom_first_child(cell); k; k = dom_next_sibling(k))
        walk(&c, k);
    if (!md_reserve(&c, 0)) {
        m->oom = true;
        return NULL;
    }
    c.p[c.len] = '\0';
    *len = c.len;
    return c.p;
}

/* The rows of a table (its own: tr children of it or of its thead, tbody,
 * tfoot), each cell (th, td) rendered; written as a pipe table whose first
 * row is the header. */
static void table(md *m, const GumboNode *t)
{
    size_t nrows = 0, ncols = 0, cap = 0;
    const GumboNode **rows = NULL;
    for (const GumboNode *c = dom_first_element_child(t); c; c = dom_next_element_sibling(c)) {
        const char *ct = tag(m, c);
        const GumboNode *r0 = strcmp(ct, "tr") == 0 ? c : NULL;
        const GumboNode *grp = !r0 && (strcmp(ct, "thead") == 0 || strcmp(ct, "tbody") == 0 ||
                                       strcmp(ct, "tfoot") == 0)
                                   ? c
                                   : NULL;
        for (const GumboNode *r = r0    ? r0
                                  : grp ? dom_first_element_child(grp)
                                        : NULL;
             r; r = r0 ? NULL : dom_next_element_sibling(r)) {
            if (strcmp(tag(m, r), "tr") != 0)
                continue;
            if (nrows == cap) {
                size_t nc = cap ? cap * 2 : 16;
                const GumboNode **nr =
                    arena_resize(m->a, rows, cap * sizeof(*rows), nc * sizeof(*rows));
                if (!nr) {
                    m->oom = true;
                    return;
                }
                rows = nr;
                cap = nc;
            }
            rows[nrows++] = r;
            size_t k = 0;
            for (const GumboNode *cell = dom_first_element_child(r); cell;
                 cell = dom_next_element_sibling(cell))
                k += strcmp(tag(m, cell), "td") == 0 || strcmp(tag(m, cell), "th") == 0;
            if (k > ncols)
                ncols = k;
        }
    }
    if (!nrows || !ncols)
        return;
    md_break(m, 2);
    for (size_t i = 0; i < nrows; i++) {
        md_flush(m);
        md_raw(m, "|", 1);
        size_t k = 0;
        for (const GumboNode *cell = dom_first_element_child(rows[i]); cell;
             cell = dom_next_element_sibling(cell)) {
            if (strcmp(tag(m, cell), "td") != 0 && strcmp(tag(m, cell), "th") != 0)
                continue;
            size_t len = 0;
            char *s = cell_text(m, cell, &len);
            if (!s)
                return;
            md_raw(m, " ", 1);
            md_raw(m, s, len);
            md_raw(m, " |", 2);
            k++;
        }
        for (; k < ncols; k++)
            md_raw(m, "  |", 3);
        m->col0 = 0;
        m->pending = 1;
        if (i == 0) {
            md_flush(m);
            md_raw(m, "|", 1);
            for (size_t c = 0; c < ncols; c++)
                md_raw(m, " --- |", 6);
            m->pending = 1;
        }
    }
    md_break(m, 2);
}

static void list_item(md *m)
{
    md_break(m, 1);
    if (m->nlists == 0) { /* an li outside a list: a line of its own */
        md_putz(m, "- ");
        m->col0 = 1;
        return;
    }
    md_list *l = &m->lists[m->nlists - 1];
    m->indent = l->base_indent;
    char marker[32];
    int n = l->ordered ? snprintf(marker, sizeof(marker), "%ld. ", l->next++)
                       : snprintf(marker, sizeof(marker), "- ");
    md_put(m, marker, (size_t)n);
    m->indent = l->base_indent + (size_t)n;
    m->col0 = 1;      /* a space right after the marker is dropped */
    m->at_marker = 1; /* and so is a paragraph's break */
}

/* Whether n shows anything: text other than whitespace, or an image. Looks
 * at MD_PEEK nodes at most (past them: yes), so nested emphasis stays
 * linear. Empty headings, emphasis and links are left out. */
#define MD_PEEK 64
static int shows_something(md *m, const GumboNode *top)
{
    const GumboNode *n = top;
    for (int seen = 0; seen < MD_PEEK; seen++) {
        const GumboNode *c = NULL;
        if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA) {
            for (const char *s = n->v.text.text; *s; s++)
                if (!is_ws((unsigned char)*s))
                    return 1;
        } else if (n->type == GUMBO_NODE_ELEMENT) {
            const char *t = tag(m, n);
            if (strcmp(t, "img") == 0 && dom_get_attr(n, "src"))
                return 1;
            if (!is_tag(t, skipped) && !hidden(n))
                c = dom_first_child(n);
        }
        if (c) {
            n = c;
            continue;
        }
        while (n != top && !dom_next_sibling(n))
            n = n->parent;
        if (n == top)
            return 0;
        n = dom_next_sibling(n);
    }
    return 1;
}

static int heading_level(const char *t)
{
    return t[0] == 'h' && t[1] >= '1' && t[1] <= '6' && !t[2] ? t[1] - '0' : 0;
}

/* Entering element n: 1 when its children are walked (then md_leave). */
static int md_enter(md *m, const GumboNode *n)
{
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA ||
        n->type == GUMBO_NODE_WHITESPACE) {
        md_text(m, n->v.text.text, strlen(n->v.text.text));
        return 0;
    }
    if (n->type == GUMBO_NODE_DOCUMENT)
        return 1;
    if (n->type != GUMBO_NODE_ELEMENT)
        return 0; /* comments; a template's content is not shown */
    const char *t = tag(m, n);
    if (is_tag(t, skipped) || hidden(n))
        return 0;
    int h = heading_level(t);
    if ((h || strcmp(t, "strong") == 0 || strcmp(t, "b") == 0 || strcmp(t, "em") == 0 ||
         strcmp(t, "i") == 0 || strcmp(t, "li") == 0) &&
        !shows_something(m, n))
        return 0; /* empty: no "#", "****" or "- " alone */
    if (h) {
        md_break(m, 2);
        md_put(m, "######", (size_t)h);
        md_raw(m, " ", 1);
        m->col0 = 1;
        m->oneline++;
        return 1;
    }
    if (strcmp(t, "p") == 0) {
        md_break(m, 2);
        return 1;
    }
    if (strcmp(t, "br") == 0) {
        if (m->oneline)
            m->space = 1;
        else if (m->started) {
            md_flush(m);
            md_raw(m, "  ", 2);
            m->pending = 1;
        }
        return 0;
    }
    if (strcmp(t, "hr") == 0) {
        if (m->oneline)
            return 0;
        md_break(m, 2);
        md_putz(m, "---");
        md_break(m, 2);
        return 0;
    }
    if (strcmp(t, "pre") == 0) {
        code_block(m, n);
        return 0;
    }
    if (strcmp(t, "code") == 0 || strcmp(t, "kbd") == 0 || strcmp(t, "samp") == 0 ||
        strcmp(t, "tt") == 0) {
        code_inline(m, n);
        return 0;
    }
    if (strcmp(t, "img") == 0) {
        image(m, n);
        return 0;
    }
    if (strcmp(t, "table") == 0 && m->tables < MD_MAX_TABLES) {
        table(m, n);
        return 0;
    }
    if (strcmp(t, "ul") == 0 || strcmp(t, "ol") == 0 || strcmp(t, "menu") == 0) {
        md_break(m, m->nlists ? 1 : 2);
        if (m->nlists == MD_MAX_LISTS) {
            m->deep_lists++;
            return 1;
        }
        const char *start = dom_get_attr(n, "start");
        long first = start ? strtol(start, NULL, 10) : 1;
        m->lists[m->nlists++] = (md_list){.ordered = t[0] == 'o',
                                          .next = first >= 0 && first < 1000000000 ? first : 1,
                                          .base_indent = m->indent};
        return 1;
    }
    if (strcmp(t, "li") == 0) {
        if (m->oneline)
            m->space = 1;
        else
            list_item(m);
        return 1;
    }
    if (strcmp(t, "blockquote") == 0) {
        md_break(m, 2);
        if (!m->oneline)
            m->quote++;
        return 1;
    }
    if (strcmp(t, "a") == 0) {
        const char *href = dom_get_attr(n, "href");
        if (href && *href && !m->in_link) {
            md_putz(m, "[");
            m->col0 = 0;
            m->in_link = 1;
        }
        return 1;
    }
    if (strcmp(t, "strong") == 0 || strcmp(t, "b") == 0) {
        md_putz(m, "**");
        return 1;
    }
    if (strcmp(t, "em") == 0 || strcmp(t, "i") == 0) {
        md_putz(m, "*");
        return 1;
    }
    if (strcmp(t, "tr") == 0 || strcmp(t, "table") == 0) /* a table past MD_MAX_TABLES */
        md_break(m, 1);
    else if (is_tag(t, blocks))
        md_break(m, strcmp(t, "div") == 0 ? 1 : 2);
    return 1;
}

static void md_leave(md *m, const GumboNode *n)
{
    if (n->type != GUMBO_NODE_ELEMENT)
        return;
    const char *t = tag(m, n);
    if (heading_level(t)) {
        m->oneline--;
        md_break(m, 2);
    } else if (strcmp(t, "p") == 0 || strcmp(t, "blockquote") == 0) {
        if (t[0] == 'b' && !m->oneline && m->quote)
            m->quote--;
        md_break(m, 2);
    } else if (strcmp(t, "ul") == 0 || strcmp(t, "ol") == 0 || strcmp(t, "menu") == 0) {
        if (m->deep_lists)
            m->deep_lists--;
        else if (m->nlists) {
            m->indent = m->lists[--m->nlists].base_indent;
            md_break(m, m->nlists ? 1 : 2);
        }
    } else if (strcmp(t, "li") == 0) {
        if (m->nlists)
            m->indent = m->lists[m->nlists - 1].base_indent;
        md_break(m, 1);
    } else if (strcmp(t, "a") == 0) {
        const char *href = dom_get_attr(n, "href");
        if (href && *href && m->in_link) {
            md_flush(m);
            md_raw(m, "](", 2);
            put_url(m, href);
            put_title(m, dom_get_attr(n, "title"));
            md_raw(m, ")", 1);
            m->col0 = 0;
            m->in_link = 0;
        }
    } else if (strcmp(t, "strong") == 0 || strcmp(t, "b") == 0) {
        md_putz(m, "**");
    } else if (strcmp(t, "em") == 0 || strcmp(t, "i") == 0) {
        md_putz(m, "*");
    } else if (is_tag(t, blocks) || strcmp(t, "tr") == 0 || strcmp(t, "table") == 0) {
        md_break(m, strcmp(t, "div") == 0 || strcmp(t, "tr") == 0 ? 1 : 2);
    }
}

/* The walk: enter each node; descend when it asks; leave on the way up. */
static void walk(md *m, const GumboNode *top)
{
    const GumboNode *n = top;
    for (;;) {
        int descend = md_enter(m, n);
        const GumboNode *c = descend ? dom_first_child(n) : NULL;
        if (c) {
            n = c;
            continue;
        }
        if (descend)
            md_leave(m, n);
        while (n != top && !dom_next_sibling(n)) {
            n = n->parent;
            md_leave(m, n);
        }
        if (n == top || m->oom)
            break;
        n = dom_next_sibling(n);
    }
}

char *markdown_render(dom *d, const GumboNode *top, size_t *len)
{
    md m = {.a = dom_arena(d), .d = d};
    if (top)
        walk(&m, top);
    if (m.oom || !md_reserve(&m, 1))
        return NULL;
    if (m.started)
        m.p[m.len++] = '\n';
    m.p[m.len] = '\0';
    if (len)
        *len = m.len;
    return m.p;
}
