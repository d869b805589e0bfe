/* warc — see warc.h. */
#include "warc.h"
#include "alloc.h"
#include "timefmt.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <zlib.h>

int warc_buf_reserve(warc_buf *b, size_t extra)
{
    if (b->len + extra <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra)
        cap *= 2;
    char *n = b->a ? arena_resize(b->a, b->p, b->cap, cap) : alloc_resize(b->p, b->cap, cap);
    if (!n)
        return -1;
    b->p = n;
    b->cap = cap;
    return 0;
}

int warc_buf_append(warc_buf *b, const void *data, size_t n)
{
    if (warc_buf_reserve(b, n) < 0)
        return -1;
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    return 0;
}

void warc_buf_release(warc_buf *b)
{
    if (!b->a)
        alloc_free(b->p, b->cap);
    b->p = NULL;
    b->len = b->cap = 0;
}

int warc_record_id(char out[WARC_ID_SIZE])
{
    unsigned char u[16];
    size_t got = 0;
    while (got < sizeof(u)) {
        ssize_t r = getrandom(u + got, sizeof(u) - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    u[6] = (unsigned char)((u[6] & 0x0F) | 0x40); /* version 4 */
    u[8] = (unsigned char)((u[8] & 0x3F) | 0x80); /* variant 10 */
    snprintf(out, WARC_ID_SIZE,
             "<urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x>",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
             u[14], u[15]);
    return 0;
}

void warc_date(char out[WARC_DATE_SIZE], const struct timespec *ts)
{
    timefmt_iso(out, WARC_DATE_SIZE, ts, 6);
}

size_t warc_base32(const unsigned char *in, size_t n, char *out)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 5) {
        unsigned char g[5] = {0};
        size_t k = n - i < 5 ? n - i : 5;
        memcpy(g, in + i, k);
        unsigned long long v = (unsigned long long)g[0] << 32 | (unsigned long long)g[1] << 24 |
                               (unsigned long long)g[2] << 16 | (unsigned long long)g[3] << 8 |
                               g[4];
        /* 1..5 input bytes give 2, 4, 5, 7 or 8 significant characters. */
        static const int chars[6] = {0, 2, 4, 5, 7, 8};
        for (int c = 0; c < 8; c++)
            out[o++] = c < chars[k] ? abc[(v >> (35 - 5 * c)) & 31] : '=';
    }
    out[o] = '\0';
    return o;
}

int warc_sha1_b32(const void *a, size_t an, const void *b, size_t bn, char out[WARC_DIGEST_SIZE])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    int ok = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (c && EVP_DigestInit_ex(c, EVP_sha1(), NULL) == 1 && EVP_DigestUpdate(c, a, an) == 1 &&
        (!b || bn == 0 || EVP_DigestUpdate(c, b, bn) == 1) &&
        EVP_DigestFinal_ex(c, md, &mdlen) == 1 && mdlen == 20)
        ok = 1;
    EVP_MD_CTX_free(c);
    if (!ok)
        return -1;
    memcpy(out, "sha1:", 5);
    warc_base32(md, mdlen, out + 5);
    return 0;
}

/* Feeds n bytes to the deflate stream, growing out as needed. */
static int gz_feed(z_stream *z, warc_buf *out, const void *data, size_t n, int flush)
{
    z->next_in = (Bytef *)(uintptr_t)data;
    z->avail_in = (uInt)n;
    for (;;) {
        if (out->len == out->cap && warc_buf_reserve(out, 64 * 1024) < 0)
            return -1;
        z->next_out = (Bytef *)out->p + out->len;
        size_t room = out->cap - out->len;
        z->avail_out = (uInt)(room > (1u << 30) ? (1u << 30) : room);
        size_t before = z->avail_out;
        int rc = deflate(z, flush);
        out->len += before - z->avail_out;
        if (rc == Z_STREAM_END)
            return 0;
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return -1;
        if (flush == Z_NO_FLUSH && z->avail_in == 0)
            return 0;
    }
}

/* Feeds a block that may be larger than zlib's uInt counts. */
static int gz_feed_all(z_stream *z, warc_buf *out, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        size_t k = n > (1u << 30) ? (1u << 30) : n;
        if (gz_feed(z, out, p, k, Z_NO_FLUSH) < 0)
            return -1;
        p += k;
        n -= k;
    }
    return 0;
}

long warc_append_record(warc_buf *out, const char *type, const warc_field *fields, size_t nfields,
                        const void *block1, size_t len1, const void *block2, size_t len2)
{
    size_t start = out->len;
    warc_buf head = {0}; /* process allocator: out stays the arena's newest block */
    z_stream z;
    memset(&z, 0, sizeof(z));
    long rc = -1;
    int zinit = 0;
    char line[64];
    if (warc_buf_append(&head, "WARC/1.1\r\nWARC-Type: ", 21) < 0 ||
        warc_buf_append(&head, type, strlen(type)) < 0 || warc_buf_append(&head, "\r\n", 2) < 0)
        goto out;
    for (size_t i = 0; i < nfields; i++) {
        if (!fields[i].value)
            continue;
        if (warc_buf_append(&head, fields[i].name, strlen(fields[i].name)) < 0 ||
            warc_buf_append(&head, ": ", 2) < 0 ||
            warc_buf_append(&head, fields[i].value, strlen(fields[i].value)) < 0 ||
            warc_buf_append(&head, "\r\n", 2) < 0)
            goto out;
    }
    int ln = snprintf(line, sizeof(line), "Content-Length: %zu\r\n\r\n", len1 + len2);
    if (warc_buf_append(&head, line, (size_t)ln) < 0)
        goto out;
    /* windowBits 15 + 16: the gzip wrapper (header and CRC-32 trailer). */
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        goto out;
    zinit = 1;
    if (warc_buf_reserve(out, deflateBound(&z, (uLong)(head.len + len1 + len2 + 4)) + 64) < 0)
        goto out;
    if (gz_feed_all(&z, out, head.p, head.len) < 0 || gz_feed_all(&z, out, block1, len1) < 0 ||
        gz_feed_all(&z, out, block2, len2) < 0 || gz_feed(&z, out, "\r\n\r\n", 4, Z_FINISH) < 0)
        goto out;
    rc = (long)(out->len - start);
out:
    if (zinit)
        deflateEnd(&z);
    warc_buf_release(&head);
    if (rc < 0)
        out->len = start;
    return rc;
}

/* Header names the rewrite renames (the payload is recorded decoded). */
static int framing_header(const char *line, size_t n, size_t *name_len)
{
    static const char *const names[] = {"Content-Encoding", "Transfer-Encoding", "Content-Length"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t k = strlen(names[i]);
        if (n > k && strncasecmp(line, names[i], k) == 0 && (line[k] == ':')) {
            *name_len = k;
            return (int)i;
        }
    }
    return -1;
}

int warc_http_response_head(warc_buf *out, const char *head, size_t head_len, size_t payload_len)
{
    /* First pass: does anything say the payload is framed or encoded other
     * than as recorded? */
    int rewrite = 0;
    const char *end = head + head_len;
    const char *p = memchr(head, '\n', head_len); /* skip the status line */
    p = p ? p + 1 : end;
    for (const char *l = p; l < end;) {
        const char *nl = memchr(l, '\n', (size_t)(end - l));
        size_t n = nl ? (size_t)(nl - l + 1) : (size_t)(end - l);
        size_t k;
        int which = framing_header(l, n, &k);
        if (which == 0 || which == 1)
            rewrite = 1;
        else if (which == 2) {
            const char *v = l + k + 1;
            while (v < l + n && (*v == ' ' || *v == '\t'))
                v++;
            unsigned long long cl = 0;
            int digits = 0;
            while (v < l + n && isdigit((unsigned char)*v)) {
                cl = cl * 10 + (unsigned)(*v++ - '0');
                digits++;
            }
            if (!digits || cl != payload_len)
                rewrite = 1;
        }
        l += n;
    }
    if (!rewrite)
        return warc_buf_append(out, head, head_len);
    size_t start = out->len;
    if (warc_buf_append(out, head, (size_t)(p - head)) < 0)
        goto fail;
    for (const char *l = p; l < end;) {
        const char *nl = memchr(l, '\n', (size_t)(end - l));
        size_t n = nl ? (size_t)(nl - l + 1) : (size_t)(end - l);
        if ((n == 2 && l[0] == '\r') || n == 1) /* the blank line: ours goes first */
            break;
        size_t k;
        if (framing_header(l, n, &k) >= 0 && warc_buf_append(out, "X-Crawld-Original-", 18) < 0)
            goto fail;
        if (warc_buf_append(out, l, n) < 0)
            goto fail;
        if (n && l[n - 1] != '\n' && warc_buf_append(out, "\r\n", 2) < 0)
            goto fail;
        l += n;
    }
    char cl[64];
    int cn = snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n\r\n", payload_len);
    if (warc_buf_append(out, cl, (size_t)cn) < 0)
        goto fail;
    return 0;
fail:
    out->len = start;
    return -1;
}

/* Inflates the member at p (n bytes left): its length in *len, and the
 * first `keep` bytes of what it holds into out (NULL: none). 0 or -1. */
static int gz_member(const unsigned char *p, size_t n, size_t *len, unsigned char *out, size_t keep,
                     size_t *kept)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return -1;
    unsigned char scratch[16384];
    int rc;
    size_t got = 0;
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)(n > (1u << 30) ? (1u << 30) : n);
    do {
        int into_out = out && got < keep;
        z.next_out = into_out ? out + got : scratch;
        z.avail_out = (uInt)(into_out ? keep - got : sizeof(scratch));
        size_t before = z.avail_out;
        rc = inflate(&z, Z_NO_FLUSH);
        if (into_out)
            got += before - z.avail_out;
        if (rc == Z_OK && z.avail_in == 0 && z.total_in < n) {
            size_t left = n - z.total_in;
            z.avail_in = (uInt)(left > (1u << 30) ? (1u << 30) : left);
        }
    } while (rc == Z_OK);
    *len = z.total_in;
    inflateEnd(&z);
    if (kept)
        *kept = got;
    return rc == Z_STREAM_END ? 0 : -1;
}

static const char *find_blank(const char *p, size_t n)
{
    for (size_t i = 0; i + 4 <= n; i++)
        if (p[i] == '\r' && memcmp(p + i, "\r\n\r\n", 4) == 0)
            return p + i + 4;
    return NULL;
}

int warc_last_http_head(const void *recs, size_t n, size_t *last, warc_buf *http_head)
{
    const unsigned char *p = recs;
    size_t off = 0, len = 0, start = 0;
    int members = 0;
    while (off < n) {
        if (gz_member(p + off, n - off, &len, NULL, 0, NULL) < 0 || len == 0)
            return -1;
        start = off;
        off += len;
        members++;
    }
    if (!members)
        return -1;
    /* the WARC header block, then the HTTP one: both within the bound */
    size_t keep = WARC_MAX_HTTP_HEAD + 8192, kept = 0;
    unsigned char *buf = alloc_new(keep);
    if (!buf)
        return -1;
    int rc = -1;
    if (gz_member(p + start, n - start, &len, buf, keep, &kept) == 0) {
        const char *b = (const char *)buf;
        const char *block = find_blank(b, kept);
        const char *end = block ? find_blank(block, kept - (size_t)(block - b)) : NULL;
        if (end && (size_t)(end - block) <= WARC_MAX_HTTP_HEAD &&
            warc_buf_append(http_head, block, (size_t)(end - block)) == 0) {
            *last = start;
            rc = 0;
        }
    }
    alloc_free(buf, keep);
    return rc;
}

/* The header's name is `name` (case-insensitive), its colon at l[k]. */
static int header_is(const char *l, size_t n, const char *name, size_t *k)
{
    size_t nl = strlen(name);
    if (n <= nl || l[nl] != ':' || strncasecmp(l, name, nl) != 0)
        return 0;
    *k = nl;
    return 1;
}

int warc_redact_cookies(warc_buf *out, const char *block, size_t len)
{
    size_t start = out->len;
    const char *end = block + len;
    for (const char *l = block; l < end;) {
        const char *nl = memchr(l, '\n', (size_t)(end - l));
        size_t n = nl ? (size_t)(nl - l + 1) : (size_t)(end - l);
        size_t k;
        if (header_is(l, n, "Cookie", &k) || header_is(l, n, "Set-Cookie", &k)) {
            static const char v[] = ": " WARC_REDACTED;
            size_t eol = n - (nl ? 1 : 0);
            if (eol && l[eol - 1] == '\r')
                eol--;
            if (warc_buf_append(out, l, k) < 0 || warc_buf_append(out, v, sizeof(v) - 1) < 0 ||
                warc_buf_append(out, l + eol, n - eol) < 0)
                goto fail;
        } else if (warc_buf_append(out, l, n) < 0)
            goto fail;
        l += n;
    }
    return 0;
fail:
    out->len = start;
    return -1;
}
