/* content — see content.h. */
#include "content.h"
#include "dom.h"
#include "html.h"
#include "jobopts.h"
#include "markdown.h"
#include "utf8.h"

#include <string.h>

typedef struct cbuf {
    arena *a;
    char *p;
    size_t len, cap;
    int oom;
} cbuf;

static int cb_reserve(cbuf *b, size_t n)
{
    if (b->oom)
        return -1;
    if (b->len + n + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n + 1)
        cap *= 2;
    char *np = arena_resize(b->a, b->p, b->cap, cap);
    if (!np) {
        b->oom = 1;
        return -1;
    }
    b->p = np;
    b->cap = cap;
    return 0;
}

static void cb_put(cbuf *b, const char *s, size_t n)
{
    if (cb_reserve(b, n) < 0)
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void cb_putz(cbuf *b, const char *s) { cb_put(b, s, strlen(s)); }

/* s[0..n) as a JSON string (utf8.h's escaping, as the records'). */
static void cb_str(cbuf *b, const char *s, size_t n)
{
    cb_put(b, "\"", 1);
    const char *end = s + n;
    while (s < end && !b->oom) {
        size_t k = utf8_json_plain(s, (size_t)(end - s));
        cb_put(b, s, k);
        s += k;
        if (s < end && cb_reserve(b, UTF8_JSON_ESC_MAX) == 0)
            b->len += utf8_json_escape(b->p + b->len, (unsigned char)*s++);
    }
    cb_put(b, "\"", 1);
}

/* n cut back to cap bytes, never inside a UTF-8 sequence. */
static size_t cut_utf8(const char *s, size_t n, size_t cap)
{
    if (n <= cap)
        return n;
    size_t k = cap;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

/* The tree dom and markdown read: the one the scripts left, else one
 * parsed now from the body. NULL when there is none. */
static dom *page_tree(page *p, long parse_budget_ms)
{
    if (p->dom)
        return p->dom;
    void *g = p->doc.gumbo_output;
    if (!g) {
        html_options ho = {.content_type_charset = p->fetch.charset,
                           .parse_budget_ms = parse_budget_ms};
        html_doc doc;
        if (html_tree_build(p->a, p->fetch.body ? p->fetch.body : "", p->fetch.body_len, &ho,
                            &doc) != HTML_OK)
            return NULL;
        g = doc.gumbo_output;
    }
    return dom_new(p->a, g, p->fetch.final_url ? p->fetch.final_url : p->task->url);
}

char *content_build(page *p, int save, size_t cap, long parse_budget_ms, size_t *len)
{
    cbuf b = {.a = p->a};
    int truncated = 0;
    cb_putz(&b, "{\"url\":");
    cb_str(&b, p->task->url, strlen(p->task->url));
    dom *d = save & (JOBOPT_SAVE_DOM | JOBOPT_SAVE_MARKDOWN) ? page_tree(p, parse_budget_ms) : NULL;
    for (int i = 0; i < 4; i++) {
        if (!(save & (1 << i)))
            continue;
        const char *s = NULL;
        size_t n = 0;
        switch (1 << i) {
        case JOBOPT_SAVE_TEXT:
            s = p->doc.text ? p->doc.text : "";
            n = p->doc.text ? p->doc.text_len : 0;
            break;
        case JOBOPT_SAVE_HTML: {
            html_options ho = {.content_type_charset = p->fetch.charset};
            html_doc tmp;
            if (html_prepare(p->a, p->fetch.body, p->fetch.body_len, &ho, &s, &n, &tmp) != HTML_OK)
                s = NULL;
            break;
        }
        case JOBOPT_SAVE_DOM:
            s = d ? dom_serialize(d, dom_document(d), false, &n) : NULL;
            break;
        case JOBOPT_SAVE_MARKDOWN:
            s = d ? markdown_render(d, dom_document(d), &n) : NULL;
            break;
        }
        cb_put(&b, ",\"", 2);
        cb_putz(&b, jobopts_save_kinds[i]);
        cb_put(&b, "\":", 2);
        if (!s) {
            cb_putz(&b, "null");
            continue;
        }
        size_t k = cut_utf8(s, n, cap);
        if (k < n)
            truncated |= 1 << i;
        cb_str(&b, s, k);
    }
    if (truncated) {
        cb_putz(&b, ",\"truncated\":[");
        for (int i = 0, first = 1; i < 4; i++)
            if (truncated & (1 << i)) {
                cb_putz(&b, first ? "\"" : ",\"");
                cb_putz(&b, jobopts_save_kinds[i]);
                cb_putz(&b, "\"");
                first = 0;
            }
        cb_putz(&b, "]");
    }
    cb_putz(&b, "}");
    if (b.oom || cb_reserve(&b, 0) < 0)
        return NULL;
    b.p[b.len] = '\0';
    *len = b.len;
    return b.p;
}
