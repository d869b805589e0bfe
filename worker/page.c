/* page — see page.h. */
#include "page.h"
#include "json_alloc.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

double page_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int page_run(worker_env *e, const page_task *t, page *p)
{
    memset(p, 0, sizeof(*p));
    p->task = t;
    p->a = arena_pool_acquire(&e->pool, ARENA_LARGE, "page");
    if (!p->a)
        return -1;
    fetch_opts fo = {.timeout_ms = t->timeout_ms,
                     .max_body = t->max_body,
                     .max_redirects = t->max_redirects > 0 ? t->max_redirects : -1,
                     .keep_any = t->raw_body > 0};
    if (fetch_page(e, p->a, t->url, &fo, &p->fetch) != FETCH_OK) {
        p->error = arena_sprintf(p->a, "%s: %s", fetch_err_word(p->fetch.err),
                                 p->fetch.err_detail ? p->fetch.err_detail : "");
        return 1;
    }
    if (p->fetch.is_html && t->raw_body == 0) {
        double t0 = page_now_ms();
        html_options ho = {.content_type_charset = p->fetch.charset, .want_text = t->want_text};
        html_err he = html_parse(p->a, p->fetch.final_url, p->fetch.body, p->fetch.body_len, &ho,
                                 &p->doc);
        p->parse_ms = page_now_ms() - t0;
        if (he == HTML_OK)
            p->parsed = 1;
        else
            p->error = arena_sprintf(p->a, "parse: %s",
                                     he == HTML_NOMEM ? "out of memory" : "parser failed");
    }
    return 0;
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

/* A JSON string of s[0..n) with every invalid UTF-8 sequence replaced by
 * U+FFFD (jansson refuses invalid UTF-8). The copy lives in the arena. */
static json_t *json_string_utf8_lossy(arena *a, const char *s, size_t n)
{
    char *out = arena_alloc(a, n * 3 + 1);
    if (!out)
        return json_null();
    size_t o = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned char c = u[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        int ok = len > 0 && i + len <= n && c != 0;
        for (size_t k = 1; ok && k < len; k++)
            ok = (u[i + k] & 0xC0) == 0x80;
        if (ok && len == 2)
            ok = c >= 0xC2;
        if (ok && len == 3) {
            unsigned cp = (c & 0x0F) << 12 | (u[i + 1] & 0x3F) << 6 | (u[i + 2] & 0x3F);
            ok = cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF);
        }
        if (ok && len == 4) {
            unsigned cp = (c & 0x07) << 18 | (u[i + 1] & 0x3F) << 12;
            ok = cp >= 0x10000 && cp <= 0x10FFFF;
        }
        if (ok) {
            memcpy(out + o, s + i, len);
            o += len;
            i += len;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    return json_stringn(out, o);
}

char *page_result_json(page *p, size_t *len)
{
    arena *prev = json_alloc_push(p->a);
    const page_task *t = p->task;
    const fetch_result *f = &p->fetch;
    json_t *o = json_object();
    char *out = NULL;
    if (!o)
        goto done;
    if (t->task_id)
        json_object_set_new(o, "task_id", json_integer(t->task_id));
    if (t->job_id)
        json_object_set_new(o, "job_id", json_integer(t->job_id));
    json_object_set_new(o, "url", json_string(t->url));
    json_object_set_new(o, "final_url", str_or_null(f->final_url));
    json_object_set_new(o, "status", json_integer(f->status));
    json_object_set_new(o, "content_type", str_or_null(f->mime));
    json_object_set_new(o, "depth", json_integer(t->depth));
    json_object_set_new(o, "title", str_or_null(p->parsed ? p->doc.title : NULL));
    json_t *links = json_array();
    if (p->parsed)
        for (size_t i = 0; i < p->doc.nlinks; i++)
            json_array_append_new(links, json_string(p->doc.links[i]));
    json_object_set_new(o, "links", links);
    json_object_set_new(o, "js", json_boolean(p->js_ran));
    json_object_set_new(o, "bytes", json_integer((json_int_t)f->body_len));
    json_object_set_new(o, "wire_bytes", json_integer((json_int_t)f->wire_bytes));
    json_object_set_new(o, "fetch_ms", json_real((double)(long long)(f->fetch_ms * 10) / 10));
    json_object_set_new(o, "parse_ms", json_real((double)(long long)(p->parse_ms * 10) / 10));
    json_object_set_new(o, "js_ms", json_real((double)(long long)(p->js_ms * 10) / 10));
    json_object_set_new(o, "error", str_or_null(p->error));
    json_t *hops = json_array();
    for (int i = 0; i < f->hops && i < FETCH_MAX_HOPS; i++)
        json_array_append_new(hops, json_integer(f->hop_status[i]));
    json_object_set_new(o, "statuses", hops);
    json_object_set_new(o, "redirects", json_integer(f->redirects));
    json_object_set_new(o, "http_version", json_integer(f->http_version));
    char ts[64];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000);
    json_object_set_new(o, "ts", json_string(ts));
    if (t->raw_body && f->body) {
        /* Bytes as JSON text: invalid UTF-8 becomes U+FFFD (robots.txt is
         * matched on bytes that are ASCII in every rule that can match). */
        size_t n = f->body_len < t->raw_body ? f->body_len : t->raw_body;
        json_object_set_new(o, "body", json_string_utf8_lossy(p->a, f->body, n));
    }
    if (p->parsed) {
        const html_doc *d = &p->doc;
        json_object_set_new(o, "canonical", str_or_null(d->canonical));
        json_object_set_new(o, "noindex", json_boolean(d->meta_noindex));
        json_object_set_new(o, "nofollow", json_boolean(d->meta_nofollow));
        json_object_set_new(o, "nofollow_links", json_integer((json_int_t)d->nofollow_links));
        json_object_set_new(o, "skipped_links", json_integer((json_int_t)d->skipped_links));
        json_object_set_new(o, "charset", str_or_null(d->charset));
        if (d->charset_note)
            json_object_set_new(o, "charset_note", json_string(d->charset_note));
        json_object_set_new(o, "text_len", json_integer((json_int_t)d->text_len));
        if (t->want_text)
            json_object_set_new(o, "text", str_or_null(d->text));
    }
    out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
done:
    json_alloc_pop(prev);
    if (out && len)
        *len = strlen(out);
    return out; /* in the page arena (json_dumps allocated through the hook) */
}

void page_end(worker_env *e, page *p)
{
    if (p->a)
        arena_pool_release(&e->pool, p->a);
    memset(p, 0, sizeof(*p));
}
