/* sitemap — see sitemap.h. */
#include "sitemap.h"
#include "url.h"

#include <libxml/xmlreader.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#define SITEMAP_LASTMOD_MAX 64

/* What the reader pulls its bytes from: the body as it is, or inflated
 * from it, never more than max_bytes in all. */
typedef struct sm_input {
    const unsigned char *body;
    size_t len, pos;
    size_t max_bytes, out; /* bytes handed to the reader */
    int gzip;
    z_stream z;
    int z_ready;
    int over;          /* more bytes than max_bytes were there */
    const char *z_err; /* the gzip data is bad */
} sm_input;

static int read_plain(sm_input *in, char *buf, int n)
{
    size_t room = in->max_bytes - in->out, left = in->len - in->pos;
    if (room == 0) {
        in->over = left > 0;
        return 0;
    }
    size_t k = (size_t)n < left ? (size_t)n : left;
    if (k > room)
        k = room;
    memcpy(buf, in->body + in->pos, k);
    in->pos += k;
    in->out += k;
    return (int)k;
}

static int read_gzip(sm_input *in, char *buf, int n)
{
    size_t room = in->max_bytes - in->out;
    size_t want = (size_t)n < room ? (size_t)n : room;
    int got = 0;
    while (want > 0) {
        if (in->pos >= in->len)
            break;
        in->z.next_in = (Bytef *)(in->body + in->pos);
        in->z.avail_in = (uInt)(in->len - in->pos > 1u << 30 ? 1u << 30 : in->len - in->pos);
        in->z.next_out = (Bytef *)buf + got;
        in->z.avail_out = (uInt)want;
        int rc = inflate(&in->z, Z_NO_FLUSH);
        size_t used = (size_t)((const unsigned char *)in->z.next_in - (in->body + in->pos));
        size_t made = want - in->z.avail_out;
        in->pos += used;
        got += (int)made;
        want -= made;
        in->out += made;
        if (rc == Z_STREAM_END) {
            /* gzip members may follow one another (RFC 1952 §2.2) */
            if (in->pos + 1 < in->len && in->body[in->pos] == 0x1f &&
                in->body[in->pos + 1] == 0x8b) {
                if (inflateReset(&in->z) != Z_OK) {
                    in->z_err = "inflate reset failed";
                    return -1;
                }
                continue;
            }
            in->pos = in->len; /* trailing bytes after the last member are ignored */
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            in->z_err = in->z.msg ? in->z.msg : "inflate failed";
            return -1;
        }
        if (made == 0 && used == 0) {
            if (rc == Z_BUF_ERROR && in->pos >= in->len)
                break;
            in->z_err = "the gzip stream ends early";
            return -1;
        }
    }
    if (got == 0 && in->out >= in->max_bytes && in->pos < in->len) {
        /* Is there more? One byte more of output says so. */
        unsigned char one;
        in->z.next_in = (Bytef *)(in->body + in->pos);
        in->z.avail_in = (uInt)(in->len - in->pos > 1u << 30 ? 1u << 30 : in->len - in->pos);
        in->z.next_out = &one;
        in->z.avail_out = 1;
        int rc = inflate(&in->z, Z_NO_FLUSH);
        in->over = in->z.avail_out == 0 || (rc == Z_STREAM_END && in->pos + 1 < in->len);
    }
    return got;
}

static int sm_read(void *ctx, char *buf, int n)
{
    sm_input *in = ctx;
    if (n <= 0)
        return 0;
    return in->gzip ? read_gzip(in, buf, n) : read_plain(in, buf, n);
}

/* The first error libxml2 reports, for the record. */
typedef struct sm_err {
    char msg[160];
    int line;
    int set;
} sm_err;

static void on_xml_error(void *ud, xmlErrorPtr e)
{
    sm_err *s = ud;
    if (s->set || !e)
        return;
    s->set = 1;
    s->line = e->line;
    snprintf(s->msg, sizeof(s->msg), "%s", e->message ? e->message : "parse error");
    size_t k = strlen(s->msg);
    while (k && (s->msg[k - 1] == '\n' || s->msg[k - 1] == ' '))
        s->msg[--k] = '\0';
}

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int two(const char *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

int sitemap_lastmod_ok(const char *s)
{
    if (!s || !digits(s, 4))
        return 0;
    s += 4;
    if (!*s)
        return 1;
    if (*s != '-' || !digits(s + 1, 2) || two(s + 1) < 1 || two(s + 1) > 12)
        return 0;
    s += 3;
    if (!*s)
        return 1;
    if (*s != '-' || !digits(s + 1, 2) || two(s + 1) < 1 || two(s + 1) > 31)
        return 0;
    s += 3;
    if (!*s)
        return 1;
    if (*s != 'T' || !digits(s + 1, 2) || s[3] != ':' || !digits(s + 4, 2) || two(s + 1) > 23 ||
        two(s + 4) > 59)
        return 0;
    s += 6;
    if (*s == ':') {
        if (!digits(s + 1, 2) || two(s + 1) > 60)
            return 0;
        s += 3;
        if (*s == '.') {
            s++;
            if (!digits(s, 1))
                return 0;
            while (*s >= '0' && *s <= '9')
                s++;
        }
    }
    if (*s == 'Z')
        return s[1] == '\0';
    if ((*s == '+' || *s == '-') && digits(s + 1, 2) && s[3] == ':' && digits(s + 4, 2) &&
        two(s + 1) <= 23 && two(s + 4) <= 59)
        return s[6] == '\0';
    return 0;
}

/* The entry being read: its <loc> and <lastmod> text. */
typedef struct sm_entry {
    char *loc; /* URL_MAX_LEN + 1 bytes */
    size_t loc_len;
    int loc_long; /* longer than URL_MAX_LEN: refused */
    char lastmod[SITEMAP_LASTMOD_MAX + 1];
    size_t lastmod_len;
} sm_entry;

static void append(char *dst, size_t *len, size_t cap, int *over, const char *s)
{
    size_t k = strlen(s);
    if (*len + k > cap) {
        if (over)
            *over = 1;
        k = cap > *len ? cap - *len : 0;
    }
    memcpy(dst + *len, s, k);
    *len += k;
    dst[*len] = '\0';
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t k = strlen(s);
    while (k && (s[k - 1] == ' ' || s[k - 1] == '\t' || s[k - 1] == '\n' || s[k - 1] == '\r'))
        s[--k] = '\0';
    return s;
}

typedef struct sm_state {
    arena *a;
    sitemap_doc *d;
    size_t max_urls, cap;
    int over_urls;
} sm_state;

/* The entry is over: its URL kept (or refused, or past max_urls). 0, 1
 * when reading stops (over max_urls), -1 out of memory. */
static int entry_end(sm_state *st, sm_entry *e)
{
    sitemap_doc *d = st->d;
    char *loc = trim(e->loc);
    if (!*loc && !e->loc_long)
        return 0; /* an entry without a <loc>: nothing to keep */
    char *url = NULL;
    url_err ue = e->loc_long ? URL_TOO_LONG : url_normalize(st->a, loc, &url);
    if (ue == URL_NOMEM)
        return -1;
    if (ue != URL_OK) {
        d->refused++;
        return 0;
    }
    if (d->nurls == st->max_urls) {
        st->over_urls = 1;
        return 1;
    }
    if (d->nurls == st->cap) {
        size_t nc = st->cap ? st->cap * 2 : 64;
        char **u = arena_resize(st->a, d->urls, st->cap * sizeof(char *), nc * sizeof(char *));
        const char **l = u ? arena_resize(st->a, (void *)d->lastmods, st->cap * sizeof(char *),
                                          nc * sizeof(char *))
                           : NULL;
        if (!u || !l)
            return -1;
        d->urls = u;
        d->lastmods = l;
        st->cap = nc;
    }
    const char *lm = NULL;
    char *t = trim(e->lastmod);
    if (*t && sitemap_lastmod_ok(t)) {
        lm = arena_strdup(st->a, t);
        if (!lm)
            return -1;
        if (!d->newest || strcmp(lm, d->newest) > 0)
            d->newest = lm;
    }
    d->urls[d->nurls] = url;
    d->lastmods[d->nurls] = lm;
    d->nurls++;
    return 0;
}

int sitemap_parse(arena *a, const char *body, size_t len, size_t max_urls, size_t max_bytes,
                  int truncated, sitemap_doc *d)
{
    memset(d, 0, sizeof(*d));
    sm_input in = {.body = (const unsigned char *)body, .len = len, .max_bytes = max_bytes};
    sm_state st = {.a = a, .d = d, .max_urls = max_urls};
    sm_err xe = {0};
    xmlTextReaderPtr r = NULL;
    int rc = -1;
    sm_entry e = {0};
    e.loc = arena_alloc(a, URL_MAX_LEN + 1);
    if (!e.loc)
        return -1;
    if (len == 0) {
        d->error = "sitemap: the body is empty";
        return 1;
    }
    if (len >= 2 && in.body[0] == 0x1f && in.body[1] == 0x8b) {
        in.gzip = d->gzip = 1;
        if (inflateInit2(&in.z, 15 + 16) != Z_OK)
            return -1;
        in.z_ready = 1;
    }
    r = xmlReaderForIO(sm_read, NULL, &in, NULL, NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                           XML_PARSE_NOCDATA);
    if (!r)
        goto out;
    xmlTextReaderSetStructuredErrorHandler(r, on_xml_error, &xe);
    const char *entry_name = NULL;
    int in_entry = 0, field = 0; /* 1 <loc>, 2 <lastmod> */
    int got, stop = 0;
    while (!stop && (got = xmlTextReaderRead(r)) == 1) {
        int type = xmlTextReaderNodeType(r), depth = xmlTextReaderDepth(r);
        const char *name = (const char *)xmlTextReaderConstLocalName(r);
        switch (type) {
        case XML_READER_TYPE_DOCUMENT_TYPE:
            d->error = "sitemap: a DOCTYPE is refused (no DTD or entity is read in a sitemap)";
            stop = 1;
            break;
        case XML_READER_TYPE_ENTITY_REFERENCE:
            d->error = arena_sprintf(a, "sitemap: the entity reference &%.60s; is refused",
                                     name ? name : "");
            stop = 1;
            break;
        case XML_READER_TYPE_ELEMENT: {
            int empty = xmlTextReaderIsEmptyElement(r) == 1;
            if (depth == 0) {
                if (name && strcmp(name, "urlset") == 0) {
                    d->kind = SITEMAP_URLSET;
                    entry_name = "url";
                } else if (name && strcmp(name, "sitemapindex") == 0) {
                    d->kind = SITEMAP_INDEX;
                    entry_name = "sitemap";
                } else {
                    d->error = arena_sprintf(
                        a, "sitemap: the root element is <%.60s>, not <urlset> or <sitemapindex>",
                        name ? name : "");
                    stop = 1;
                }
            } else if (depth == 1 && name && strcmp(name, entry_name) == 0 && !empty) {
                in_entry = 1;
                e.loc_len = e.lastmod_len = 0;
                e.loc[0] = e.lastmod[0] = '\0';
                e.loc_long = 0;
            } else if (depth == 2 && in_entry && name && !empty)
                field = strcmp(name, "loc") == 0 ? 1 : strcmp(name, "lastmod") == 0 ? 2 : 0;
            break;
        }
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
        case XML_READER_TYPE_WHITESPACE:
            if (in_entry && depth == 3 && field) {
                const char *v = (const char *)xmlTextReaderConstValue(r);
                if (!v)
                    break;
                if (field == 1)
                    append(e.loc, &e.loc_len, URL_MAX_LEN, &e.loc_long, v);
                else
                    append(e.lastmod, &e.lastmod_len, SITEMAP_LASTMOD_MAX, NULL, v);
            }
            break;
        case XML_READER_TYPE_END_ELEMENT:
            if (depth == 2)
                field = 0;
            else if (depth == 1 && in_entry) {
                in_entry = 0;
                int k = entry_end(&st, &e);
                if (k < 0)
                    goto out;
                stop = k;
            }
            break;
        default:
            break;
        }
    }
    d->bytes = in.out;
    if (st.over_urls)
        d->error = arena_sprintf(a,
                                 "sitemap: more than %zu URLs, the limit of the sitemaps "
                                 "protocol: the first %zu kept",
                                 max_urls, d->nurls);
    else if (in.over || (truncated && !d->error))
        d->error = arena_sprintf(a,
                                 "sitemap: over %zu bytes uncompressed, the limit of the "
                                 "sitemaps protocol: the %zu URLs before it kept",
                                 max_bytes, d->nurls);
    else if (!d->error && in.z_err)
        d->error = arena_sprintf(a, "sitemap: bad gzip data: %.100s", in.z_err);
    else if (!d->error && !stop && got < 0)
        d->error = arena_sprintf(a, "sitemap: malformed XML at line %d: %.140s", xe.line,
                                 xe.set ? xe.msg : "parse error");
    else if (!d->error && d->kind == SITEMAP_NONE)
        d->error = "sitemap: no root element";
    rc = d->error ? 1 : 0;
out:
    if (r)
        xmlFreeTextReader(r);
    if (in.z_ready)
        inflateEnd(&in.z);
    if (rc == 1 && !d->error)
        rc = -1;
    return rc;
}
