/* record — see record.h. */
#include "record.h"
#include "alloc.h"
#include "utf8.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define F(field, type, flags)                                                                      \
    {                                                                                              \
#field, sizeof(#field) - 1, type, offsetof(record, field), flags                           \
    }

const record_field record_fields[] = {
    F(task_id, RECORD_INT, RECORD_OPTIONAL),
    F(job_id, RECORD_INT, RECORD_ZERO_NULL),
    F(url, RECORD_STR, 0),
    F(final_url, RECORD_STR, 0),
    F(status, RECORD_INT, 0),
    F(content_type, RECORD_STR, 0),
    F(depth, RECORD_INT, 0),
    F(title, RECORD_STR, 0),
    F(links, RECORD_STRS, 0),
    F(js, RECORD_BOOL, 0),
    F(js_stats, RECORD_JS, 0),
    F(js_note, RECORD_STR, 0),
    F(bytes, RECORD_INT, 0),
    F(wire_bytes, RECORD_INT, 0),
    F(fetch_ms, RECORD_MS, 0),
    F(parse_ms, RECORD_MS, 0),
    F(js_ms, RECORD_MS, 0),
    F(error, RECORD_STR, 0),
    F(statuses, RECORD_LONGS, 0),
    F(redirects, RECORD_INT, 0),
    F(http_version, RECORD_INT, 0),
    F(warc_records, RECORD_INT, RECORD_OPTIONAL),
    F(warc_error, RECORD_STR, RECORD_OPTIONAL),
    F(ts, RECORD_STR, 0),
    F(canonical, RECORD_STR, 0),
    F(noindex, RECORD_BOOL, 0),
    F(nofollow, RECORD_BOOL, 0),
    F(nofollow_links, RECORD_INT, 0),
    F(skipped_links, RECORD_INT, 0),
    F(charset, RECORD_STR, 0),
    F(charset_note, RECORD_STR, 0),
    F(text_len, RECORD_INT, 0),
    F(text, RECORD_STR, RECORD_OPTIONAL),
    F(parent, RECORD_STR, 0),
    F(attempts, RECORD_INT, 0),
    /* back off when a server asks */
    F(retries, RECORD_INT, 0),
    F(retry_reasons, RECORD_STRS, 0),
    F(retry_after_s, RECORD_INT, RECORD_OPTIONAL),
    F(retry_gave_up, RECORD_STR, RECORD_OPTIONAL),
    /* recrawls: the validators of the response, and a 304 to a conditional
     * request (docs/worker.md, Recrawls); before the sitemap fields, which
     * stay last */
    F(etag, RECORD_STR, RECORD_OPTIONAL),
    F(last_modified, RECORD_STR, RECORD_OPTIONAL),
    F(not_modified, RECORD_BOOL, RECORD_OPTIONAL),
    F(refers_to_date, RECORD_STR, RECORD_OPTIONAL),
    F(warc_date, RECORD_STR, RECORD_OPTIONAL),
    F(payload_digest, RECORD_STR, RECORD_OPTIONAL),
    /* --extract: the fields by selector (docs/daemon.md, Fields) */
    F(fields, RECORD_RAW, RECORD_OPTIONAL),
    F(fields_cut, RECORD_RAW, RECORD_OPTIONAL),
    F(fields_note, RECORD_STR, RECORD_OPTIONAL),
    /* sitemaps: a sitemap task's record only */
    F(sitemap, RECORD_STR, RECORD_OPTIONAL),
    F(sitemap_urls, RECORD_INT, RECORD_WITH_PREV),
    F(sitemap_lastmod, RECORD_STR, RECORD_WITH_PREV),
};
#undef F
const size_t record_nfields = sizeof(record_fields) / sizeof(record_fields[0]);

#define F(field, type)                                                                             \
    {                                                                                              \
#field, sizeof(#field) - 1, type, offsetof(record_js, field), 0                            \
    }
const record_field record_js_fields[] = {
    F(scripts, RECORD_INT),        F(failed, RECORD_INT),  F(skipped, RECORD_INT),
    F(timers, RECORD_INT),         F(fetches, RECORD_INT), F(timed_out, RECORD_BOOL),
    F(out_of_memory, RECORD_BOOL), F(error, RECORD_STR),
};
#undef F
const size_t record_js_nfields = sizeof(record_js_fields) / sizeof(record_js_fields[0]);

/* Room for n more bytes and a NUL. Grows in place while the line is the
 * arena's newest block (nothing else is allocated while it is written). */
static int reserve(record_buf *b, size_t n)
{
    if (b->len + n + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap * 2 : 2048;
    while (cap < b->len + n + 1)
        cap *= 2;
    char *p = b->a ? arena_resize(b->a, b->p, b->cap, cap) : alloc_resize(b->p, b->cap, cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

static int put(record_buf *b, const char *s, size_t n)
{
    if (reserve(b, n) < 0)
        return -1;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return 0;
}

#define PUT_LIT(b, s) put((b), (s), sizeof(s) - 1)

/* s[0..n) as a JSON string (utf8.h: utf8_json_plain / utf8_json_escape). */
static int put_str(record_buf *b, const char *s, size_t n)
{
    if (reserve(b, n + 2) < 0)
        return -1;
    b->p[b->len++] = '"';
    const char *end = s + n;
    while (s < end) {
        size_t k = utf8_json_plain(s, (size_t)(end - s));
        if (k && put(b, s, k) < 0)
            return -1;
        s += k;
        if (s == end)
            break;
        char esc[UTF8_JSON_ESC_MAX];
        if (put(b, esc, utf8_json_escape(esc, (unsigned char)*s++)) < 0)
            return -1;
    }
    if (reserve(b, 1) < 0)
        return -1;
    b->p[b->len++] = '"';
    return 0;
}

static int put_int(record_buf *b, long long v)
{
    char s[24];
    return put(b, s, (size_t)snprintf(s, sizeof(s), "%lld", v));
}

/* Milliseconds truncated to 0.1, as jansson writes a real with
 * JSON_REAL_PRECISION(10): %.10g, ".0" when it would read as an integer,
 * no '+' or leading zeros in an exponent. */
static int put_ms(record_buf *b, double ms)
{
    double v = isfinite(ms) ? (double)(long long)(ms * 10) / 10 : 0.0;
    char s[40];
    int n = snprintf(s, sizeof(s) - 2, "%.10g", v);
    if (!strchr(s, '.') && !strchr(s, 'e')) {
        s[n++] = '.';
        s[n++] = '0';
        s[n] = '\0';
    }
    char *e = strchr(s, 'e');
    if (e) {
        char *from = e + 1, *to = e + 1;
        if (*to == '-')
            from = ++to;
        if (*from == '+')
            from++;
        while (*from == '0' && from[1])
            from++;
        memmove(to, from, strlen(from) + 1);
        n = (int)strlen(s);
    }
    return put(b, s, (size_t)n);
}

static int put_object(record_buf *b, const record_field *fields, size_t n, const void *base)
{
    int first = 1, prev_out = 1;
    if (PUT_LIT(b, "{") < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const record_field *f = &fields[i];
        const char *v = (const char *)base + f->offset;
        const char *s = NULL;
        long long x = 0;
        if ((f->flags & RECORD_WITH_PREV) && !prev_out)
            continue; /* prev_out stays 0 for the fields after it */
        prev_out = 0;
        switch (f->type) { /* an optional field left out */
        case RECORD_STR:
        case RECORD_RAW:
            s = *(const char *const *)v;
            if (!s && (f->flags & RECORD_OPTIONAL))
                continue;
            break;
        case RECORD_INT:
            x = *(const long long *)v;
            if (!x && (f->flags & RECORD_OPTIONAL))
                continue;
            break;
        case RECORD_BOOL:
            if (!*(const int *)v && (f->flags & RECORD_OPTIONAL))
                continue;
            break;
        default:
            break;
        }
        prev_out = 1;
        if (reserve(b, f->name_len + 4) < 0)
            return -1;
        if (!first)
            b->p[b->len++] = ',';
        first = 0;
        b->p[b->len++] = '"';
        memcpy(b->p + b->len, f->name, f->name_len);
        b->len += f->name_len;
        b->p[b->len++] = '"';
        b->p[b->len++] = ':';
        int rc = 0;
        switch (f->type) {
        case RECORD_STR:
            rc = s ? put_str(b, s, strlen(s)) : PUT_LIT(b, "null");
            break;
        case RECORD_INT:
            rc = !x && (f->flags & RECORD_ZERO_NULL) ? PUT_LIT(b, "null") : put_int(b, x);
            break;
        case RECORD_BOOL:
            rc = *(const int *)v ? PUT_LIT(b, "true") : PUT_LIT(b, "false");
            break;
        case RECORD_MS:
            rc = put_ms(b, *(const double *)v);
            break;
        case RECORD_STRS: {
            const record_strs *a = (const record_strs *)v;
            rc = PUT_LIT(b, "[");
            for (size_t k = 0; rc == 0 && k < a->n; k++) {
                if (k)
                    rc = PUT_LIT(b, ",");
                if (rc == 0)
                    rc = a->v[k] ? put_str(b, a->v[k], strlen(a->v[k])) : PUT_LIT(b, "null");
            }
            if (rc == 0)
                rc = PUT_LIT(b, "]");
            break;
        }
        case RECORD_LONGS: {
            const record_longs *a = (const record_longs *)v;
            rc = PUT_LIT(b, "[");
            for (size_t k = 0; rc == 0 && k < a->n; k++) {
                if (k)
                    rc = PUT_LIT(b, ",");
                if (rc == 0)
                    rc = put_int(b, a->v[k]);
            }
            if (rc == 0)
                rc = PUT_LIT(b, "]");
            break;
        }
        case RECORD_RAW:
            rc = s ? put(b, s, strlen(s)) : PUT_LIT(b, "null");
            break;
        case RECORD_JS: {
            const record_js *js = *(const record_js *const *)v;
            rc = js ? put_object(b, record_js_fields, record_js_nfields, js) : PUT_LIT(b, "null");
            break;
        }
        }
        if (rc < 0)
            return -1;
    }
    return PUT_LIT(b, "}");
}

int record_write(record_buf *b, const record *r)
{
    size_t was = b->len;
    if (put_object(b, record_fields, record_nfields, r) < 0) {
        b->len = was;
        if (b->p)
            b->p[was] = '\0';
        return -1;
    }
    b->p[b->len] = '\0';
    return 0;
}

void record_buf_release(record_buf *b)
{
    if (!b->a)
        alloc_free(b->p, b->cap);
    b->p = NULL;
    b->len = b->cap = 0;
}

json_t *record_json(const record *r)
{
    record_buf b = {0};
    json_t *o = record_write(&b, r) == 0 ? json_loadb(b.p, b.len, 0, NULL) : NULL;
    record_buf_release(&b);
    return o;
}
