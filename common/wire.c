/* wire — see wire.h. */
#include "wire.h"
#include "json_alloc.h"
#include "utf8.h"

#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static int fail(wire_err *e, const char *word, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(wire_err *e, const char *word, const char *field, const char *fmt, ...)
{
    e->word = word;
    e->field = field;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- the task, by hand ---- */

/* The fixed text of a task with every optional field, numbers at their
 * widest (20 characters) and booleans "false": more than the encoder
 * writes besides the strings. */
#define TASK_FIXED 420
/* A recrawl's keys (",\"if_none_match\":" ...), beside TASK_FIXED. */
#define TASK_RECRAWL_FIXED 80

/* Room for s as a JSON string: 6 bytes a byte (\u00XX) and the quotes. */
static size_t str_bound(const char *s) { return s ? 6 * strlen(s) + 2 : 4; }

size_t wire_task_bound(const wire_task *t)
{
    return TASK_FIXED + str_bound(t->url) + str_bound(t->parent) + str_bound(t->js_off) +
           TASK_RECRAWL_FIXED + str_bound(t->if_none_match) + str_bound(t->if_modified_since) +
           str_bound(t->refers_to_date) + str_bound(t->headers) + str_bound(t->user) +
           str_bound(t->bearer) + str_bound(t->proxy) +
           (t->cookies ? 12 + str_bound(t->cookies) : 0) +
           (t->extract ? 12 + str_bound(t->extract) : 0);
}

static char *put_lit(char *q, const char *s, size_t n)
{
    memcpy(q, s, n);
    return q + n;
}
#define PUT(q, lit) put_lit(q, lit, sizeof(lit) - 1)

static char *put_int(char *q, long long v)
{
    char tmp[24];
    int n = 0;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *q++ = '-';
    while (n)
        *q++ = tmp[--n];
    return q;
}

static char *put_bool(char *q, int b) { return b ? PUT(q, "true") : PUT(q, "false"); }

/* s as a JSON string (quotes included), or null (utf8.h's escaping, as
 * the records'). */
static char *put_str(char *q, const char *s)
{
    if (!s)
        return PUT(q, "null");
    *q++ = '"';
    for (const char *end = s + strlen(s); s < end;) {
        size_t k = utf8_json_plain(s, (size_t)(end - s));
        memcpy(q, s, k);
        q += k;
        s += k;
        if (s < end)
            q += utf8_json_escape(q, (unsigned char)*s++);
    }
    *q++ = '"';
    return q;
}

size_t wire_task_encode(const wire_task *t, char *out)
{
    char *q = out;
    q = PUT(q, "{\"type\":\"task\",\"task_id\":");
    q = put_int(q, t->task_id);
    q = PUT(q, ",\"job_id\":");
    q = put_int(q, t->job_id);
    q = PUT(q, ",\"url\":");
    q = put_str(q, t->url);
    q = PUT(q, ",\"depth\":");
    q = put_int(q, t->depth);
    q = PUT(q, ",\"js\":");
    q = put_bool(q, t->js);
    q = PUT(q, ",\"timeout_ms\":");
    q = put_int(q, t->timeout_ms);
    q = PUT(q, ",\"want_text\":");
    q = put_bool(q, t->want_text);
    q = PUT(q, ",\"attempts\":");
    q = put_int(q, t->attempts);
    q = PUT(q, ",\"parent\":");
    q = put_str(q, t->parent);
    if (t->max_body > 0) {
        q = PUT(q, ",\"max_body\":");
        q = put_int(q, t->max_body);
    }
    if (t->raw_body > 0) {
        q = PUT(q, ",\"raw_body\":");
        q = put_int(q, t->raw_body);
    }
    if (t->max_redirects > 0) {
        q = PUT(q, ",\"max_redirects\":");
        q = put_int(q, t->max_redirects);
    }
    if (t->js_off) {
        q = PUT(q, ",\"js_off\":");
        q = put_str(q, t->js_off);
    }
    if (t->warc)
        q = PUT(q, ",\"warc\":true");
    if (t->alone)
        q = PUT(q, ",\"alone\":true");
    if (t->sitemap > 0) {
        q = PUT(q, ",\"sitemap\":");
        q = put_int(q, t->sitemap);
    }
    /* recrawls: the earlier capture's validators and date */
    if (t->if_none_match) {
        q = PUT(q, ",\"if_none_match\":");
        q = put_str(q, t->if_none_match);
    }
    if (t->if_modified_since) {
        q = PUT(q, ",\"if_modified_since\":");
        q = put_str(q, t->if_modified_since);
    }
    if (t->refers_to_date) {
        q = PUT(q, ",\"refers_to_date\":");
        q = put_str(q, t->refers_to_date);
    }
    /* the session (docs/daemon.md, Sessions) */
    static const struct {
        const char *key;
        size_t off;
    } sess[] = {{",\"headers\":", offsetof(wire_task, headers)},
                {",\"user\":", offsetof(wire_task, user)},
                {",\"bearer\":", offsetof(wire_task, bearer)},
                {",\"proxy\":", offsetof(wire_task, proxy)}};
    for (size_t i = 0; i < sizeof(sess) / sizeof(sess[0]); i++) {
        const char *v = *(const char *const *)((const char *)t + sess[i].off);
        if (v) {
            q = put_lit(q, sess[i].key, strlen(sess[i].key));
            q = put_str(q, v);
        }
    }
    if (t->jar) /* the job's cookie jar (cookie.h) */
        q = PUT(q, ",\"jar\":true");
    if (t->jar && t->cookies) {
        q = PUT(q, ",\"cookies\":");
        q = put_str(q, t->cookies);
    }
    if (t->save > 0) { /* --save's kinds (within TASK_FIXED) */
        q = PUT(q, ",\"save\":");
        q = put_int(q, t->save);
    }
    if (t->extract) { /* --extract: the record's fields */
        q = PUT(q, ",\"extract\":");
        q = put_str(q, t->extract);
    }
    *q++ = '}';
    return (size_t)(q - out);
}

const char *wire_ping(size_t *len)
{
    static const char m[] = "{\"type\":\"ping\"}";
    *len = sizeof(m) - 1;
    return m;
}

const char *wire_retire(size_t *len)
{
    static const char m[] = "{\"type\":\"retire\"}";
    *len = sizeof(m) - 1;
    return m;
}

/* ---- worker → crawld, JSON ---- */

static char *dump(arena *a, json_t *o, size_t *len)
{
    arena *prev = json_alloc_push(a);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    json_alloc_pop(prev);
    if (s)
        *len = strlen(s);
    return s;
}

char *wire_ready_encode(arena *a, const char *version, long long pid, long long slots, size_t *len)
{
    arena *prev = json_alloc_push(a);
    json_t *o = json_pack("{s:s, s:s, s:I, s:I}", "type", "ready", "version", version, "pid",
                          (json_int_t)pid, "slots", (json_int_t)slots);
    json_alloc_pop(prev);
    return dump(a, o, len);
}

char *wire_alone_encode(arena *a, long long task_id, size_t *len)
{
    char *s = arena_sprintf(a, "{\"type\":\"alone\",\"task_id\":%lld}", task_id);
    if (s)
        *len = strlen(s);
    return s;
}

char *wire_parse_encode(arena *a, long long task_id, size_t *len)
{
    char *s = arena_sprintf(a, "{\"type\":\"parse\",\"task_id\":%lld}", task_id);
    if (s)
        *len = strlen(s);
    return s;
}

char *wire_pong_encode(arena *a, const char *stats, size_t *len)
{
    /* stats is our own JSON text (serve.c's stats_json): pasted, not parsed. */
    char *s = arena_sprintf(a, "{\"type\":\"pong\",\"worker\":%s}", stats ? stats : "{}");
    if (s)
        *len = strlen(s);
    return s;
}

char *wire_error_encode(arena *a, long long task_id, const char *word, const char *detail,
                        size_t *len)
{
    arena *prev = json_alloc_push(a);
    json_t *o = json_pack("{s:s, s:o, s:s+++}", "type", "error", "task_id",
                          task_id ? json_integer((json_int_t)task_id) : json_null(), "error", word,
                          ": ", "", detail);
    json_alloc_pop(prev);
    return dump(a, o, len);
}

/* ---- decoding the JSON messages ---- */

/* A field read: absent and null leave *out as it was (0); a value of the
 * wrong type or out of range is an error naming the key. */
static int get_int(json_t *o, const char *key, long long lo, long long hi, long long *out,
                   wire_err *e, const char *word)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v))
        return fail(e, word, key, "%s must be an integer", key);
    long long n = (long long)json_integer_value(v);
    if (n < lo || n > hi) {
        if (lo == 1 && hi == LLONG_MAX)
            return fail(e, word, key, "%s must be a positive integer", key);
        if (hi == LLONG_MAX)
            return fail(e, word, key, "%s must be an integer >= %lld", key, lo);
        return fail(e, word, key, "%s must be an integer from %lld to %lld", key, lo, hi);
    }
    *out = n;
    return 0;
}

static int get_bool(json_t *o, const char *key, int *out, wire_err *e, const char *word)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return fail(e, word, key, "%s must be true or false", key);
    *out = json_is_true(v);
    return 0;
}

static int get_str(json_t *o, const char *key, const char **out, wire_err *e, const char *word)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return fail(e, word, key, "%s must be a string", key);
    *out = json_string_value(v);
    return 0;
}

static int decode_task(json_t *o, wire_task *t, wire_err *e)
{
    static const char W[] = "bad_task";
    long long n = 0;
    memset(t, 0, sizeof(*t));
    json_t *id = json_object_get(o, "task_id");
    if (!json_is_integer(id) || json_integer_value(id) <= 0)
        return fail(e, W, "task_id", "task_id must be a positive integer");
    t->task_id = (long long)json_integer_value(id);
    e->task_id = t->task_id; /* every error below is about this task */
    json_t *url = json_object_get(o, "url");
    if (!json_is_string(url) || json_string_length(url) == 0)
        return fail(e, W, "url", "url must be a non-empty string");
    t->url = json_string_value(url); /* no NUL inside: jansson refuses \u0000 */
    if (get_int(o, "job_id", 0, LLONG_MAX, &t->job_id, e, W) < 0)
        return -1;
    if (get_int(o, "depth", 0, INT_MAX, &n, e, W) < 0)
        return -1;
    t->depth = (int)n;
    n = 0;
    if (get_int(o, "attempts", 0, INT_MAX, &n, e, W) < 0)
        return -1;
    t->attempts = (int)n;
    n = 0;
    if (get_int(o, "timeout_ms", 0, LONG_MAX, &n, e, W) < 0)
        return -1;
    t->timeout_ms = (long)n;
    n = 0;
    if (get_int(o, "max_redirects", 0, WIRE_MAX_REDIRECTS, &n, e, W) < 0)
        return -1;
    t->max_redirects = (int)n;
    n = 0;
    if (get_int(o, "sitemap", 0, WIRE_SITEMAP_MAX, &n, e, W) < 0)
        return -1;
    t->sitemap = (int)n;
    if (get_int(o, "max_body", 0, LLONG_MAX, &t->max_body, e, W) < 0 ||
        get_int(o, "raw_body", 0, LLONG_MAX, &t->raw_body, e, W) < 0 ||
        get_bool(o, "js", &t->js, e, W) < 0 || get_bool(o, "want_text", &t->want_text, e, W) < 0 ||
        get_bool(o, "warc", &t->warc, e, W) < 0 || get_bool(o, "alone", &t->alone, e, W) < 0 ||
        get_str(o, "parent", &t->parent, e, W) < 0 || get_str(o, "js_off", &t->js_off, e, W) < 0)
        return -1;
    /* recrawls: a validator goes into a request header line as it is */
    if (get_str(o, "if_none_match", &t->if_none_match, e, W) < 0 ||
        get_str(o, "if_modified_since", &t->if_modified_since, e, W) < 0 ||
        get_str(o, "refers_to_date", &t->refers_to_date, e, W) < 0)
        return -1;
    if (t->if_none_match && t->if_none_match[strcspn(t->if_none_match, "\r\n")])
        return fail(e, W, "if_none_match", "if_none_match must not contain CR or LF");
    if (t->if_modified_since && t->if_modified_since[strcspn(t->if_modified_since, "\r\n")])
        return fail(e, W, "if_modified_since", "if_modified_since must not contain CR or LF");
    if (get_str(o, "headers", &t->headers, e, W) < 0 || get_str(o, "user", &t->user, e, W) < 0 ||
        get_str(o, "bearer", &t->bearer, e, W) < 0 || get_str(o, "proxy", &t->proxy, e, W) < 0)
        return -1;
    if (get_bool(o, "jar", &t->jar, e, W) < 0 || get_str(o, "cookies", &t->cookies, e, W) < 0)
        return -1;
    n = 0; /* --save's kinds */
    if (get_int(o, "save", 0, 15, &n, e, W) < 0)
        return -1;
    t->save = (int)n;
    if (get_str(o, "extract", &t->extract, e, W) < 0)
        return -1;
    return 0;
}

static int decode_json(wire_side side, json_t *o, wire_msg *m, wire_err *e)
{
    static const char W[] = "bad_frame";
    if (!json_is_object(o))
        return fail(e, W, NULL, "not a JSON object");
    json_t *tv = json_object_get(o, "type");
    if (!tv)
        return fail(e, W, "type", "missing \"type\"");
    const char *type = json_string_value(tv);
    if (!type)
        return fail(e, W, "type", "\"type\" must be a string");
    if (side == WIRE_AT_WORKER) {
        if (strcmp(type, "task") == 0) {
            m->type = WIRE_TASK;
            return decode_task(o, &m->task, e);
        }
        if (strcmp(type, "ping") == 0) {
            m->type = WIRE_PING;
            return 0;
        }
        if (strcmp(type, "retire") == 0) {
            m->type = WIRE_RETIRE;
            return 0;
        }
    } else {
        long long n = 0;
        if (strcmp(type, "ready") == 0) {
            m->type = WIRE_READY;
            m->ready.version = "";
            if (get_int(o, "pid", LLONG_MIN, LLONG_MAX, &m->ready.pid, e, W) < 0 ||
                get_str(o, "version", &m->ready.version, e, W) < 0 ||
                get_int(o, "slots", 1, WIRE_MAX_SLOTS, &m->ready.slots, e, W) < 0)
                return -1;
            if (!m->ready.version)
                m->ready.version = "";
            if (!m->ready.slots)
                m->ready.slots = 1;
            return 0;
        }
        if (strcmp(type, "parse") == 0 || strcmp(type, "alone") == 0) {
            m->type = type[0] == 'p' ? WIRE_PARSE : WIRE_ALONE;
            if (get_int(o, "task_id", 1, LLONG_MAX, &m->parse.task_id, e, W) < 0)
                return -1;
            if (!m->parse.task_id)
                return fail(e, W, "task_id",
                            type[0] == 'p' ? "a parse message needs its task_id"
                                           : "an alone message needs its task_id");
            return 0;
        }
        if (strcmp(type, "pong") == 0) {
            m->type = WIRE_PONG;
            m->pong.rss_kb = -1;
            json_t *w = json_object_get(o, "worker");
            if (w && !json_is_object(w))
                return fail(e, W, "worker", "worker must be an object");
            if (w && get_int(w, "rss_kb", LLONG_MIN, LLONG_MAX, &m->pong.rss_kb, e, W) < 0)
                return -1;
            return 0;
        }
        if (strcmp(type, "error") == 0) {
            m->type = WIRE_ERROR;
            if (get_int(o, "task_id", LLONG_MIN, LLONG_MAX, &n, e, W) < 0 ||
                get_str(o, "error", &m->error.error, e, W) < 0)
                return -1;
            m->error.task_id = n;
            return 0;
        }
        if (strcmp(type, "result") == 0) /* the old JSON form */
            return fail(e, W, "type", "a result must be a binary frame, not JSON");
    }
    m->type = WIRE_UNKNOWN;
    m->unknown = type;
    return 0;
}

/* The parse message comes once per page, as wire_parse_encode writes it:
 * read without jansson when it is exactly that text (a task id of 1 to 18
 * digits, no leading zero). Anything else takes the JSON path, which
 * answers the same for every valid form. */
static int parse_fast(const char *buf, size_t len, long long *task_id)
{
    static const char head[] = "{\"type\":\"parse\",\"task_id\":";
    size_t h = sizeof(head) - 1, i = h;
    if (len < h + 2 || memcmp(buf, head, h) != 0 || buf[len - 1] != '}')
        return 0;
    long long v = 0;
    if (buf[i] < '1' || buf[i] > '9' || len - 1 - h > 18)
        return 0;
    for (; i < len - 1; i++) {
        if (buf[i] < '0' || buf[i] > '9')
            return 0;
        v = v * 10 + (buf[i] - '0');
    }
    *task_id = v;
    return 1;
}

int wire_decode(wire_side side, arena *a, const char *buf, size_t len, wire_msg *m, wire_err *e)
{
    memset(m, 0, sizeof(*m));
    memset(e, 0, sizeof(*e));
    if (side == WIRE_AT_DAEMON && wire_is_result(buf, len)) {
        m->type = WIRE_RESULT;
        return wire_result_decode(buf, len, &m->result, e);
    }
    if (side == WIRE_AT_DAEMON && parse_fast(buf, len, &m->parse.task_id)) {
        m->type = WIRE_PARSE;
        return 0;
    }
    /* The values are made in a and left there: a json_decref of arena
     * blocks frees nothing, so the strings stay valid until a is reset. */
    arena *prev = json_alloc_push(a);
    json_error_t jerr;
    json_t *o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    int rc =
        o ? decode_json(side, o, m, e)
          : fail(e, "bad_frame", NULL, "invalid JSON at byte %d: %s", jerr.position, jerr.text);
    json_decref(o);
    json_alloc_pop(prev);
    if (rc < 0)
        m->type = WIRE_UNKNOWN;
    return rc;
}

/* ---- the binary result ---- */

static void put_be64(unsigned char *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--, u >>= 8)
        p[i] = (unsigned char)u;
}

static int64_t get_be64(const unsigned char *p)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | p[i];
    return (int64_t)u;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void wire_result_header(const frame_result *r, unsigned char *hdr)
{
    const int64_t f[FR_NFIELDS] = {r->task_id,  r->rss_kb, r->js_heap_kb, r->arena_retained_kb,
                                   r->flags,    r->status, r->bytes,      r->fetch_us,
                                   r->parse_us, r->js_us};
    memcpy(hdr, FR_MAGIC, 4);
    for (int i = 0; i < FR_NFIELDS; i++)
        put_be64(hdr + 4 + i * 8, f[i]);
    const size_t l[FR_NSECTIONS] = {r->stats_len, r->final_url_len, r->record_len,
                                    r->links_len, r->warc_len,      r->body_len};
    for (int i = 0; i < FR_NSECTIONS; i++)
        put_be32(hdr + 4 + FR_NFIELDS * 8 + i * 4, (uint32_t)l[i]);
}

frame_err wire_result_write(int fd, const frame_result *r)
{
    const size_t l[FR_NSECTIONS] = {r->stats_len, r->final_url_len, r->record_len,
                                    r->links_len, r->warc_len,      r->body_len};
    for (int i = 0; i < FR_NSECTIONS; i++)
        if (l[i] > UINT32_MAX)
            return FRAME_TOO_LARGE;
    if (r->cookies_len > UINT32_MAX || r->content_len > UINT32_MAX)
        return FRAME_TOO_LARGE;
    unsigned char h[FR_HEADER], ck[8], cn[8];
    wire_result_header(r, h);
    memcpy(ck, FR_COOKIES_TAG, 4);
    put_be32(ck + 4, (uint32_t)r->cookies_len);
    memcpy(cn, FR_CONTENT_TAG, 4);
    put_be32(cn + 4, (uint32_t)r->content_len);
    struct iovec iov[5 + FR_NSECTIONS] = {{h, sizeof(h)},
                                          {(void *)r->stats, r->stats_len},
                                          {(void *)r->final_url, r->final_url_len},
                                          {(void *)r->record, r->record_len},
                                          {(void *)r->links, r->links_len},
                                          {(void *)r->warc, r->warc_len},
                                          {(void *)r->body, r->body_len}};
    int n = 1 + FR_NSECTIONS;
    if (r->cookies_len) {
        iov[n++] = (struct iovec){ck, sizeof(ck)};
        iov[n++] = (struct iovec){(void *)r->cookies, r->cookies_len};
    }
    if (r->content_len) { /* --save's content (wire.h) */
        iov[n++] = (struct iovec){cn, sizeof(cn)};
        iov[n++] = (struct iovec){(void *)r->content, r->content_len};
    }
    return frame_writev(fd, iov, n);
}

int wire_is_result(const char *payload, size_t len)
{
    return len >= 4 && memcmp(payload, FR_MAGIC, 4) == 0;
}

int wire_result_decode(const char *payload, size_t len, frame_result *r, wire_err *e)
{
    static const char W[] = "bad_result";
    memset(r, 0, sizeof(*r));
    if (!wire_is_result(payload, len))
        return fail(e, W, "header", "header: not a result frame (no %s magic)", FR_MAGIC);
    if (len < FR_HEADER)
        return fail(e, W, "header", "header: result header cut short (%zu of %d bytes)", len,
                    FR_HEADER);
    const unsigned char *p = (const unsigned char *)payload + 4;
    int64_t f[FR_NFIELDS];
    for (int i = 0; i < FR_NFIELDS; i++)
        f[i] = get_be64(p + i * 8);
    r->task_id = f[0];
    r->rss_kb = f[1];
    r->js_heap_kb = f[2];
    r->arena_retained_kb = f[3];
    r->flags = f[4];
    r->status = f[5];
    r->bytes = f[6];
    r->fetch_us = f[7];
    r->parse_us = f[8];
    r->js_us = f[9];
    size_t l[FR_NSECTIONS], sum = FR_HEADER;
    for (int i = 0; i < FR_NSECTIONS; i++) {
        l[i] = get_be32(p + FR_NFIELDS * 8 + i * 4);
        sum += l[i]; /* at most 6 x 4 GiB: no overflow in a size_t */
    }
    /* trailers (wire.h): each tag's length must fit what is left */
    while (sum < len && len - sum >= 8) {
        const unsigned char *t = (const unsigned char *)payload + sum;
        size_t tl = get_be32(t + 4);
        if (tl > len - sum - 8)
            break;
        if (memcmp(t, FR_COOKIES_TAG, 4) == 0) {
            r->cookies = (const char *)t + 8;
            r->cookies_len = tl;
        }
        if (memcmp(t, FR_CONTENT_TAG, 4) == 0) {
            r->content = (const char *)t + 8;
            r->content_len = tl;
        }
        sum += 8 + tl;
    }
    if (sum != len)
        return fail(e, W, "sections",
                    "sections: result sections do not add up to the frame (%zu, frame %zu)", sum,
                    len);
    const char *s = payload + FR_HEADER;
    const char **ptr[FR_NSECTIONS] = {&r->stats, &r->final_url, &r->record,
                                      &r->links, &r->warc,      &r->body};
    size_t *lens[FR_NSECTIONS] = {&r->stats_len, &r->final_url_len, &r->record_len,
                                  &r->links_len, &r->warc_len,      &r->body_len};
    for (int i = 0; i < FR_NSECTIONS; i++) {
        *ptr[i] = s;
        *lens[i] = l[i];
        s += l[i];
    }
    if (r->record_len == 0)
        return fail(e, W, "record", "record: result without a record");
    if (r->links_len && r->links[r->links_len - 1] != '\n')
        return fail(e, W, "links", "links: result links not ended by a newline");
    return 0;
}
