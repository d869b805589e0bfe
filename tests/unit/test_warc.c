/* Check suite: warc — the record builder (common/warc.c): base32 and base64
 * against RFC 4648's vectors, SHA-1 digests against values computed with
 * Python's hashlib + base64.b32encode, record ids (v4 UUIDs), dates, one
 * gzip member per record with the fields in order and the member lengths
 * returned, the response-header rewrite for decoded payloads; a page's
 * request/response records built from a real fetch (worker/page.c, with a
 * redirect hop and a gzip body); and the store's migration that adds
 * jobs.warc_committed to an older database. */
#include "alloc.h"
#include "env.h"
#include "json_alloc.h"
#include "page.h"
#include "store.h"
#include "testutil.h"
#include "warc.h"
#include "cookie.h"

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---- helpers ---- */

/* Inflates the one gzip member at data[0..n): the bytes in out (malloc'd),
 * the member's compressed length in *used. -1 when it is not one whole
 * member. */
static long gunzip_member(const unsigned char *data, size_t n, char **out, size_t *used)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return -1;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)n;
    int rc;
    do {
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        z.next_out = (Bytef *)buf + len;
        z.avail_out = (uInt)(cap - len);
        rc = inflate(&z, Z_NO_FLUSH);
        len = cap - z.avail_out;
    } while (rc == Z_OK);
    *used = n - z.avail_in;
    inflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(buf);
        return -1;
    }
    *out = buf;
    return (long)len;
}

/* The value of a header line "Name: value\r\n" in a block, copied to v. */
static int field(const char *block, size_t n, const char *name, char *v, size_t cap)
{
    size_t nl = strlen(name);
    for (const char *l = block; l && l < block + n;) {
        if (strncmp(l, name, nl) == 0 && l[nl] == ':') {
            const char *s = l + nl + 2, *e = strstr(s, "\r\n");
            snprintf(v, cap, "%.*s", (int)(e - s), s);
            return 1;
        }
        const char *next = strstr(l, "\r\n");
        if (!next || next == l)
            break;
        l = next + 2;
    }
    return 0;
}

/* ---- encodings and digests ---- */

START_TEST(base32_rfc4648_vectors)
{
    static const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *want[] = {
        "", "MY======", "MZXQ====", "MZXW6===", "MZXW6YQ=", "MZXW6YTB", "MZXW6YTBOI======"};
    char out[64];
    for (size_t i = 0; i < 7; i++) {
        size_t n = warc_base32((const unsigned char *)in[i], strlen(in[i]), out);
        ck_assert_str_eq(out, want[i]);
        ck_assert_uint_eq(n, strlen(want[i]));
    }
}
END_TEST

START_TEST(sha1_base32_known_values)
{
    /* python3: base64.b32encode(hashlib.sha1(s).digest()) */
    char d[WARC_DIGEST_SIZE];
    ck_assert_int_eq(warc_sha1_b32("abc", 3, NULL, 0, d), 0);
    ck_assert_str_eq(d, "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5");
    ck_assert_int_eq(warc_sha1_b32("", 0, NULL, 0, d), 0);
    ck_assert_str_eq(d, "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
    const char *fox = "The quick brown fox jumps over the lazy dog";
    ck_assert_int_eq(warc_sha1_b32(fox, strlen(fox), NULL, 0, d), 0);
    ck_assert_str_eq(d, "sha1:F7KODRT2FUUPZ3MET3Q3W5XHHENZH2YS");
    /* Two parts hash as their concatenation (a block = HTTP head + payload). */
    ck_assert_int_eq(warc_sha1_b32("HTTP/1.1 200 OK\r\n\r\n", 19, "hello", 5, d), 0);
    ck_assert_str_eq(d, "sha1:IORUMWLIBUO53GZZJS7FEOU3IDD3AFBH");
}
END_TEST

START_TEST(record_ids_are_random_v4_uuids)
{
    char a[WARC_ID_SIZE], b[WARC_ID_SIZE];
    for (int i = 0; i < 1000; i++) {
        ck_assert_int_eq(warc_record_id(a), 0);
        ck_assert_int_eq(warc_record_id(b), 0);
        ck_assert_str_ne(a, b);
        ck_assert_uint_eq(strlen(a), 47);
        ck_assert_int_eq(strncmp(a, "<urn:uuid:", 10), 0);
        ck_assert_int_eq(a[46], '>');
        ck_assert_int_eq(a[10 + 14], '4');                 /* version */
        ck_assert_ptr_nonnull(strchr("89ab", a[10 + 19])); /* variant */
        for (int k = 10; k < 46; k++)
            ck_assert_msg(k == 18 || k == 23 || k == 28 || k == 33
                              ? a[k] == '-'
                              : strchr("0123456789abcdef", a[k]) != NULL,
                          "%s", a);
    }
}
END_TEST

START_TEST(date_is_utc_iso8601_with_microseconds)
{
    struct timespec ts = {.tv_sec = 1795644411, .tv_nsec = 684400123};
    char d[WARC_DATE_SIZE];
    warc_date(d, &ts);
    ck_assert_str_eq(d, "2026-11-25T22:06:51.684400Z");
}
END_TEST

/* ---- records ---- */

START_TEST(each_record_is_one_gzip_member)
{
    arena a;
    arena_init(&a, 0);
    warc_buf out = {.a = &a};
    warc_field f1[] = {{"WARC-Record-ID", "<urn:uuid:00000000-0000-4000-8000-000000000001>"},
                       {"WARC-Date", "2026-11-25T22:06:51.684400Z"},
                       {"WARC-Skipped", NULL}, /* a NULL value leaves the field out */
                       {"Content-Type", "application/warc-fields"}};
    long m1 = warc_append_record(&out, "warcinfo", f1, 4, "software: x\r\n", 13, NULL, 0);
    ck_assert_int_gt(m1, 0);
    ck_assert_uint_eq((size_t)m1, out.len);
    /* A large block in two parts: deflate needs more than one output round. */
    size_t big = 3 << 20;
    char *payload = malloc(big);
    for (size_t i = 0; i < big; i++)
        payload[i] = (char)((i * 2654435761u) >> 13); /* poorly compressible */
    warc_field f2[] = {{"WARC-Record-ID", "<urn:uuid:00000000-0000-4000-8000-000000000002>"},
                       {"WARC-Target-URI", "http://example.test/a"}};
    long m2 =
        warc_append_record(&out, "response", f2, 2, "HTTP/1.1 200 OK\r\n\r\n", 19, payload, big);
    ck_assert_int_gt(m2, 0);
    ck_assert_uint_eq((size_t)(m1 + m2), out.len);

    const unsigned char *u = (const unsigned char *)out.p;
    ck_assert(u[0] == 0x1f && u[1] == 0x8b);       /* gzip magic at 0 */
    ck_assert(u[m1] == 0x1f && u[m1 + 1] == 0x8b); /* and at the second member */
    char *rec;
    size_t used;
    long n = gunzip_member(u, out.len, &rec, &used);
    ck_assert_int_gt(n, 0);
    ck_assert_uint_eq(used, (size_t)m1); /* the member ends where the builder said */
    const char *want1 = "WARC/1.1\r\nWARC-Type: warcinfo\r\n"
                        "WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
                        "WARC-Date: 2026-11-25T22:06:51.684400Z\r\n"
                        "Content-Type: application/warc-fields\r\n"
                        "Content-Length: 13\r\n\r\nsoftware: x\r\n\r\n\r\n";
    ck_assert_int_eq(n, (long)strlen(want1));
    ck_assert_int_eq(memcmp(rec, want1, (size_t)n), 0);
    free(rec);
    n = gunzip_member(u + m1, out.len - (size_t)m1, &rec, &used);
    ck_assert_int_gt(n, 0);
    ck_assert_uint_eq(used, (size_t)m2);
    char v[64];
    ck_assert(field(rec, (size_t)n, "Content-Length", v, sizeof(v)));
    ck_assert_uint_eq(strtoull(v, NULL, 10), big + 19);
    char *body = strstr(rec, "\r\n\r\n") + 4;
    ck_assert_int_eq(memcmp(body, "HTTP/1.1 200 OK\r\n\r\n", 19), 0);
    ck_assert_int_eq(memcmp(body + 19, payload, big), 0);
    ck_assert_int_eq(memcmp(body + 19 + big, "\r\n\r\n", 4), 0);
    ck_assert_uint_eq((size_t)(body - rec) + 19 + big + 4, (size_t)n);
    free(rec);
    free(payload);
    arena_release(&a);
}
END_TEST

/* Recrawls: the last record's HTTP header block read back from the
 * members (what an identical-payload-digest revisit keeps), and a revisit
 * record's shape: its profile, refers-to fields and a block of headers. */
START_TEST(last_http_head_and_revisit_shape)
{
    warc_buf out = {0};
    warc_field rq[] = {{"WARC-Record-ID", "<urn:uuid:00000000-0000-4000-8000-000000000001>"}};
    warc_field rs[] = {{"WARC-Record-ID", "<urn:uuid:00000000-0000-4000-8000-000000000002>"},
                       {"Content-Type", "application/http;msgtype=response"}};
    const char *req = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    const char *head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
    long m1 = warc_append_record(&out, "request", rq, 1, req, strlen(req), NULL, 0);
    ck_assert_int_gt(m1, 0);
    ck_assert_int_gt(warc_append_record(&out, "response", rs, 2, head, strlen(head), "hello", 5),
                     0);
    size_t last = 0;
    warc_buf h = {0};
    ck_assert_int_eq(warc_last_http_head(out.p, out.len, &last, &h), 0);
    ck_assert_uint_eq(last, (size_t)m1);
    ck_assert_uint_eq(h.len, strlen(head));
    ck_assert_int_eq(memcmp(h.p, head, h.len), 0);
    /* not members: refused, nothing appended */
    warc_buf none = {0};
    ck_assert_int_eq(warc_last_http_head("not gzip", 8, &last, &none), -1);
    ck_assert_uint_eq(none.len, 0);
    ck_assert_int_eq(warc_last_http_head(out.p, out.len - 3, &last, &none), -1);
    /* the revisit built from it */
    warc_buf rv = {0};
    warc_field f[] = {{"WARC-Profile", WARC_PROFILE_IDENTICAL},
                      {"WARC-Refers-To-Target-URI", "http://a/first"},
                      {"WARC-Refers-To-Date", "2026-12-07T01:02:03.456789Z"},
                      {"WARC-Payload-Digest", "sha1:X"}};
    ck_assert_int_gt(warc_append_record(&rv, "revisit", f, 4, h.p, h.len, NULL, 0), 0);
    char *rec;
    size_t used;
    long n = gunzip_member((const unsigned char *)rv.p, rv.len, &rec, &used);
    ck_assert_int_gt(n, 0);
    char v[128];
    ck_assert(field(rec, (size_t)n, "WARC-Type", v, sizeof(v)));
    ck_assert_str_eq(v, "revisit");
    ck_assert(field(rec, (size_t)n, "WARC-Profile", v, sizeof(v)));
    ck_assert_str_eq(v, "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest");
    ck_assert(field(rec, (size_t)n, "WARC-Refers-To-Target-URI", v, sizeof(v)));
    ck_assert_str_eq(v, "http://a/first");
    ck_assert(field(rec, (size_t)n, "Content-Length", v, sizeof(v)));
    ck_assert_uint_eq(strtoull(v, NULL, 10), strlen(head));
    ck_assert_ptr_null(strstr(rec, "hello"));
    ck_assert_str_eq(WARC_PROFILE_NOT_MODIFIED,
                     "http://netpreserve.org/warc/1.1/revisit/server-not-modified");
    free(rec);
    warc_buf_release(&rv);
    warc_buf_release(&h);
    warc_buf_release(&out);
}
END_TEST

START_TEST(process_allocator_buffer_is_released)
{
    size_t live = alloc_live_bytes();
    warc_buf out = {0};
    warc_field f[] = {{"WARC-Record-ID", "<urn:uuid:00000000-0000-4000-8000-000000000003>"}};
    ck_assert_int_gt(warc_append_record(&out, "resource", f, 1, "x", 1, NULL, 0), 0);
    ck_assert_uint_gt(alloc_live_bytes(), live);
    warc_buf_release(&out);
    ck_assert_uint_eq(alloc_live_bytes(), live);
}
END_TEST

static char *head_of(const char *in, size_t payload_len)
{
    static char buf[2048];
    warc_buf out = {0};
    ck_assert_int_eq(warc_http_response_head(&out, in, strlen(in), payload_len), 0);
    snprintf(buf, sizeof(buf), "%.*s", (int)out.len, out.p);
    warc_buf_release(&out);
    return buf;
}

START_TEST(response_head_rewritten_for_decoded_payload)
{
    /* Encoded and chunked: both renamed, Content-Length added. */
    ck_assert_str_eq(head_of("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                             "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"
                             "Vary: Accept-Encoding\r\n\r\n",
                             1234),
                     "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                     "X-Crawld-Original-Content-Encoding: gzip\r\n"
                     "X-Crawld-Original-Transfer-Encoding: chunked\r\n"
                     "Vary: Accept-Encoding\r\nContent-Length: 1234\r\n\r\n");
    /* Encoded with a length (of the compressed bytes): that length is kept renamed. */
    ck_assert_str_eq(
        head_of("HTTP/1.1 200 OK\r\ncontent-encoding: br\r\ncontent-length: 80\r\n\r\n", 300),
        "HTTP/1.1 200 OK\r\nX-Crawld-Original-content-encoding: br\r\n"
        "X-Crawld-Original-content-length: 80\r\nContent-Length: 300\r\n\r\n");
    /* A redirect's body curl discarded: the recorded payload is empty. */
    ck_assert_str_eq(
        head_of("HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 166\r\n\r\n", 0),
        "HTTP/1.1 302 Found\r\nLocation: /x\r\n"
        "X-Crawld-Original-Content-Length: 166\r\nContent-Length: 0\r\n\r\n");
    /* Already true to the payload: unchanged, byte for byte. */
    const char *plain = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Content-Length-Note: 9\r\n\r\n";
    ck_assert_str_eq(head_of(plain, 5), plain);
    const char *noclen = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n";
    ck_assert_str_eq(head_of(noclen, 77), noclen);
    const char *h2 = "HTTP/2 204 \r\ndate: Wed, 25 Nov 2026 22:06:51 GMT\r\n\r\n";
    ck_assert_str_eq(head_of(h2, 0), h2);
}
END_TEST

/* ---- a page's records from a real fetch ---- */

static testutil_httpd srv;
static worker_env env;

static void server_up(void) { ck_assert_int_eq(testutil_httpd_start(&srv), 0); }
static void server_down(void) { testutil_httpd_stop(&srv); }

static void env_up(void)
{
    json_alloc_install();
    crawld_config cfg;
    config_defaults(&cfg);
    cfg.allow_private = 1;
    char err[256];
    ck_assert_int_eq(worker_env_init(&env, &cfg, err, sizeof(err)), 0);
}

static void env_down(void) { worker_env_free(&env); }

typedef struct rec {
    char type[16], id[WARC_ID_SIZE], to[WARC_ID_SIZE], uri[256], ip[48];
    char block_digest[WARC_DIGEST_SIZE], payload_digest[WARC_DIGEST_SIZE];
    char *block;
    size_t block_len;
} rec;

/* Splits p->warc into its records, checking each is one gzip member. */
static int page_records(const page *p, rec *out, int max)
{
    int n = 0;
    size_t off = 0;
    while (off < p->warc_len && n < max) {
        char *raw;
        size_t used;
        long len =
            gunzip_member((const unsigned char *)p->warc + off, p->warc_len - off, &raw, &used);
        ck_assert_int_gt(len, 0);
        rec *r = &out[n++];
        memset(r, 0, sizeof(*r));
        char *hend = strstr(raw, "\r\n\r\n");
        ck_assert_ptr_nonnull(hend);
        size_t hl = (size_t)(hend - raw) + 2;
        ck_assert(field(raw, hl, "WARC-Type", r->type, sizeof(r->type)));
        ck_assert(field(raw, hl, "WARC-Record-ID", r->id, sizeof(r->id)));
        field(raw, hl, "WARC-Concurrent-To", r->to, sizeof(r->to));
        ck_assert(field(raw, hl, "WARC-Target-URI", r->uri, sizeof(r->uri)));
        ck_assert(field(raw, hl, "WARC-IP-Address", r->ip, sizeof(r->ip)));
        ck_assert(field(raw, hl, "WARC-Block-Digest", r->block_digest, sizeof(r->block_digest)));
        field(raw, hl, "WARC-Payload-Digest", r->payload_digest, sizeof(r->payload_digest));
        char cl[32];
        ck_assert(field(raw, hl, "Content-Length", cl, sizeof(cl)));
        r->block_len = strtoull(cl, NULL, 10);
        ck_assert_uint_eq(hl + 2 + r->block_len + 4, (size_t)len);
        r->block = malloc(r->block_len + 1);
        memcpy(r->block, hend + 4, r->block_len);
        r->block[r->block_len] = '\0';
        free(raw);
        off += used;
    }
    ck_assert_uint_eq(off, p->warc_len);
    return n;
}

START_TEST(page_records_of_a_redirect_and_a_gzip_body)
{
    char url[256];
    snprintf(url, sizeof(url), "%s/redirect-to?url=/gzip&code=301", srv.base_url);
    page_task t = {.url = url, .warc = 1};
    page p;
    ck_assert_int_eq(page_run(&env, &t, &p), 0);
    ck_assert_ptr_null(p.warc_error);
    ck_assert_ptr_nonnull(p.warc);
    ck_assert_int_eq(p.warc_records, 4);
    rec r[8];
    int n = page_records(&p, r, 8);
    ck_assert_int_eq(n, 4);
    /* request, response of the 301; request, response of the gzip page */
    ck_assert_str_eq(r[0].type, "request");
    ck_assert_str_eq(r[1].type, "response");
    ck_assert_str_eq(r[2].type, "request");
    ck_assert_str_eq(r[3].type, "response");
    ck_assert_str_eq(r[0].uri, url);
    ck_assert_str_eq(r[1].uri, url);
    char final[256];
    snprintf(final, sizeof(final), "%s/gzip", srv.base_url);
    ck_assert_str_eq(r[3].uri, final);
    ck_assert_str_eq(r[3].uri, p.fetch.final_url);
    ck_assert_str_eq(r[0].to, r[1].id); /* the request names its response */
    ck_assert_str_eq(r[2].to, r[3].id);
    ck_assert_str_eq(r[1].ip, "127.0.0.1");
    ck_assert_int_eq(strncmp(r[0].block, "GET /redirect-to?url=/gzip&code=301 HTTP/1.1\r\n", 46),
                     0);
    ck_assert_ptr_nonnull(strstr(r[0].block, "\r\nUser-Agent: "));
    ck_assert_int_eq(strncmp(r[2].block, "GET /gzip HTTP/1.1\r\n", 20), 0);
    ck_assert_int_eq(strncmp(r[1].block, "HTTP/1.1 301 ", 13), 0);
    ck_assert_int_eq(strncmp(r[3].block, "HTTP/1.1 200 ", 13), 0);
    /* The gzip page: decoded payload, headers rewritten to match. */
    char *ph = strstr(r[3].block, "\r\n\r\n") + 4;
    size_t plen = r[3].block_len - (size_t)(ph - r[3].block);
    ck_assert_uint_eq(plen, p.fetch.body_len);
    ck_assert_int_eq(memcmp(ph, p.fetch.body, plen), 0);
    ck_assert_ptr_nonnull(strstr(r[3].block, "\r\nX-Crawld-Original-Content-Encoding: gzip\r\n"));
    ck_assert_ptr_null(strstr(r[3].block, "\r\nContent-Encoding:"));
    char cl[32];
    snprintf(cl, sizeof(cl), "\r\nContent-Length: %zu\r\n", plen);
    ck_assert_ptr_nonnull(strstr(r[3].block, cl));
    /* Digests recomputed here over what the records hold. */
    char d[WARC_DIGEST_SIZE];
    for (int i = 0; i < 4; i++) {
        warc_sha1_b32(r[i].block, r[i].block_len, NULL, 0, d);
        ck_assert_str_eq(r[i].block_digest, d);
    }
    warc_sha1_b32(ph, plen, NULL, 0, d);
    ck_assert_str_eq(r[3].payload_digest, d);
    warc_sha1_b32("", 0, NULL, 0, d); /* the 301's body was not recorded */
    ck_assert_str_eq(r[1].payload_digest, d);
    /* The record says how many there are. */
    char *s = page_result_json(&p, NULL);
    ck_assert_ptr_nonnull(strstr(s, "\"warc_records\":4"));
    for (int i = 0; i < n; i++)
        free(r[i].block);
    page_end(&env, &p);
}
END_TEST

/* The job's cookie jar on one page: the cookies loaded go out (the gate
 * page says it got them), the request record shows Cookie redacted, a
 * Set-Cookie comes back as a new line and is redacted in the response
 * record, and a cookie a response expired comes back with expires 1. */
static int page_with_jar(const char *path, const char *cookies, page *p)
{
    static char url[256];
    static page_task t;
    snprintf(url, sizeof(url), "%s%s", srv.base_url, path);
    t = (page_task){.url = url, .warc = 1, .jar = 1, .cookies = cookies};
    return page_run(&env, &t, p);
}

START_TEST(page_jar_reports_changes_and_warc_redacts)
{
    char expect[300];
    snprintf(expect, sizeof(expect), "%s/ck/expect?name=sid&v=VALUE-one", srv.base_url);
    page p;
    page_task t0 = {.url = expect};
    ck_assert_int_eq(page_run(&env, &t0, &p), 0);
    page_end(&env, &p);

    const char *jar = "127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\tVALUE-one\n";
    ck_assert_int_eq(page_with_jar("/ck/gate/1", jar, &p), 0);
    ck_assert_ptr_nonnull(strstr(p.fetch.body, "<title>gate 1 [sid:ok]</title>"));
    ck_assert_ptr_null(p.fetch.cookies); /* nothing changed */
    rec r[4];
    int n = page_records(&p, r, 4);
    ck_assert_int_eq(n, 2);
    ck_assert_ptr_nonnull(strstr(r[0].block, "\r\nCookie: <redacted>\r\n"));
    ck_assert_ptr_null(strstr(r[0].block, "VALUE-one"));
    for (int i = 0; i < n; i++)
        free(r[i].block);
    page_end(&env, &p);

    ck_assert_int_eq(page_with_jar("/ck/set/pref?v=VALUE-two", jar, &p), 0);
    ck_assert_ptr_nonnull(p.fetch.cookies);
    char *got = strndup(p.fetch.cookies, p.fetch.cookies_len);
    ck_assert_str_eq(got, "127.0.0.1\tFALSE\t/\tFALSE\t0\tpref\tVALUE-two\n");
    free(got);
    n = page_records(&p, r, 4);
    ck_assert_int_eq(n, 2);
    ck_assert_ptr_nonnull(strstr(r[1].block, "\r\nSet-Cookie: <redacted>\r\n"));
    ck_assert_ptr_null(strstr(r[1].block, "VALUE-two"));
    ck_assert_ptr_null(strstr(r[0].block, "VALUE-one"));
    for (int i = 0; i < n; i++)
        free(r[i].block);
    page_end(&env, &p);

    /* expired by the response: one line for sid, its expiry past (curl
     * keeps it expired, value emptied; a cookie curl dropped comes back
     * with expires 1): the daemon's merge deletes it either way */
    ck_assert_int_eq(page_with_jar("/ck/del/sid", jar, &p), 0);
    ck_assert_ptr_nonnull(p.fetch.cookies);
    ck_assert_int_eq(p.fetch.cookies[p.fetch.cookies_len - 1], '\n');
    cookie_line c;
    char why[100];
    ck_assert_int_eq(cookie_parse(p.fetch.cookies, p.fetch.cookies_len - 1, &c, why, sizeof(why)),
                     0);
    ck_assert(c.name_len == 3 && memcmp(c.name, "sid", 3) == 0);
    ck_assert(c.expires > 0 && c.expires <= (long long)time(NULL));
    ck_assert_ptr_null(memchr(p.fetch.cookies, '\n', p.fetch.cookies_len - 1)); /* one line */
    page_end(&env, &p);
}
END_TEST

START_TEST(redact_cookies_keeps_other_lines)
{
    const char in[] = "GET / HTTP/1.1\r\nHost: a\r\ncookie: a=1; b=2\r\nX-Cookie: keep\r\n"
                      "Set-Cookie:x=y; Path=/\r\n\r\n";
    warc_buf b = {0};
    ck_assert_int_eq(warc_redact_cookies(&b, in, sizeof(in) - 1), 0);
    ck_assert_int_eq((int)b.len, (int)strlen("GET / HTTP/1.1\r\nHost: a\r\ncookie: <redacted>\r\n"
                                             "X-Cookie: keep\r\nSet-Cookie: <redacted>\r\n\r\n"));
    ck_assert_int_eq(memcmp(b.p,
                            "GET / HTTP/1.1\r\nHost: a\r\ncookie: <redacted>\r\n"
                            "X-Cookie: keep\r\nSet-Cookie: <redacted>\r\n\r\n",
                            b.len),
                     0);
    warc_buf_release(&b);
}
END_TEST

/* Recrawls: a page asked with the earlier capture's validators sends them
 * (If-None-Match, If-Modified-Since as given) and a 304 is written as a
 * revisit record of the server-not-modified profile pointing at the
 * earlier capture; its record says not_modified. Asked without, the same
 * page is a response record and its record keeps the ETag. */
START_TEST(page_304_is_a_server_not_modified_revisit)
{
    char url[256];
    snprintf(url, sizeof(url), "%s/rc/a.html", srv.base_url);
    page_task plain = {.url = url, .warc = 1};
    page p;
    ck_assert_int_eq(page_run(&env, &plain, &p), 0);
    ck_assert_int_eq(p.fetch.status, 200);
    rec r[4];
    int n = page_records(&p, r, 4);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(r[1].type, "response");
    ck_assert_ptr_null(strstr(r[0].block, "If-None-Match"));
    char *line = page_result_json(&p, NULL);
    ck_assert_ptr_nonnull(strstr(line, "\"etag\":\"\\\"a-0\\\"\""));
    ck_assert_ptr_null(strstr(line, "not_modified"));
    for (int i = 0; i < n; i++)
        free(r[i].block);
    page_end(&env, &p);

    page_task t = {.url = url,
                   .warc = 1,
                   .if_none_match = "\"a-0\"",
                   .if_modified_since = "Mon, 01 Dec 2025 00:00:00 GMT",
                   .refers_to_date = "2026-12-01T00:00:00.000001Z"};
    ck_assert_int_eq(page_run(&env, &t, &p), 0);
    ck_assert_int_eq(p.fetch.status, 304);
    ck_assert_ptr_null(p.warc_error);
    n = page_records(&p, r, 4);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(r[0].type, "request");
    ck_assert_ptr_nonnull(strstr(r[0].block, "\r\nIf-None-Match: \"a-0\"\r\n"));
    ck_assert_ptr_nonnull(
        strstr(r[0].block, "\r\nIf-Modified-Since: Mon, 01 Dec 2025 00:00:00 GMT\r\n"));
    ck_assert_str_eq(r[1].type, "revisit");
    ck_assert_int_eq(strncmp(r[1].block, "HTTP/1.", 7), 0);
    ck_assert_ptr_nonnull(strstr(r[1].block, " 304 "));
    ck_assert_str_eq(r[1].block + r[1].block_len - 4, "\r\n\r\n"); /* headers only */
    char *raw;
    size_t used;
    size_t off = 0;
    gunzip_member((const unsigned char *)p.warc, p.warc_len, &raw, &used);
    off = used;
    free(raw);
    long len = gunzip_member((const unsigned char *)p.warc + off, p.warc_len - off, &raw, &used);
    char v[128];
    ck_assert(field(raw, (size_t)len, "WARC-Profile", v, sizeof(v)));
    ck_assert_str_eq(v, WARC_PROFILE_NOT_MODIFIED);
    ck_assert(field(raw, (size_t)len, "WARC-Refers-To-Target-URI", v, sizeof(v)));
    ck_assert_str_eq(v, url);
    ck_assert(field(raw, (size_t)len, "WARC-Refers-To-Date", v, sizeof(v)));
    ck_assert_str_eq(v, "2026-12-01T00:00:00.000001Z");
    free(raw);
    line = page_result_json(&p, NULL);
    ck_assert_ptr_nonnull(strstr(line, "\"not_modified\":true"));
    ck_assert_ptr_nonnull(strstr(line, "\"refers_to_date\":\"2026-12-01T00:00:00.000001Z\""));
    ck_assert_ptr_null(strstr(line, "payload_digest")); /* a revisit has no payload */
    for (int i = 0; i < n; i++)
        free(r[i].block);
    page_end(&env, &p);
}
END_TEST

START_TEST(page_keeps_non_html_bodies_for_warc)
{
    char url[256];
    snprintf(url, sizeof(url), "%s/image.png", srv.base_url);
    page_task t = {.url = url, .warc = 1};
    page p;
    ck_assert_int_eq(page_run(&env, &t, &p), 0);
    ck_assert_ptr_nonnull(p.fetch.body);
    ck_assert_uint_eq(p.fetch.body_len, 463);
    ck_assert_int_eq(memcmp(p.fetch.body, "\x89PNG", 4), 0);
    ck_assert_int_eq(p.warc_records, 2);
    page_end(&env, &p);
    /* Without warc the body is still dropped as it arrives. */
    page_task t2 = {.url = url};
    ck_assert_int_eq(page_run(&env, &t2, &p), 0);
    ck_assert_ptr_null(p.fetch.body);
    ck_assert_ptr_null(p.warc);
    ck_assert_ptr_null(p.fetch.exchanges);
    page_end(&env, &p);
}
END_TEST

START_TEST(failed_fetch_has_no_records)
{
    char url[256];
    snprintf(url, sizeof(url), "%s/reset", srv.base_url);
    page_task t = {.url = url, .warc = 1};
    page p;
    ck_assert_int_eq(page_run(&env, &t, &p), 1);
    ck_assert_ptr_null(p.warc);
    ck_assert_int_eq(p.warc_records, 0);
    page_end(&env, &p);
}
END_TEST

/* ---- the store's migration ---- */

typedef struct got_jobs {
    long long committed, warc;
    int n;
} got_jobs;

static int got_job(void *ud, const store_job *j)
{
    got_jobs *g = ud;
    g->committed = j->committed;
    g->warc = j->warc_committed;
    g->n++;
    return 0;
}

START_TEST(store_adds_warc_committed_to_an_old_database)
{
    char dir[] = "/tmp/test_warc.XXXXXX", path[300];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/crawld.db", dir);
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    /* The jobs table as it was before WARC output. */
    ck_assert_int_eq(sqlite3_exec(db,
                                  "CREATE TABLE jobs(id INTEGER PRIMARY KEY AUTOINCREMENT,"
                                  " name TEXT, state TEXT NOT NULL, opts TEXT NOT NULL,"
                                  " created REAL NOT NULL, ended REAL,"
                                  " committed INTEGER NOT NULL DEFAULT 0, error TEXT);"
                                  "INSERT INTO jobs(name,state,opts,created,committed) "
                                  "VALUES('old','running','{}',1.0,777);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    char err[256];
    for (int round = 0; round < 2; round++) { /* the second open finds the column */
        store *s = store_open(path, err, sizeof(err));
        ck_assert_msg(s != NULL, "%s", err);
        store_lengths len = {1, 777, 777, round ? 4242 : 0, 4242 + round, 0, 0};
        ck_assert_int_eq(store_group_begin(s), 0);
        ck_assert_int_eq(store_group_commit(s, NULL, 0, &len, 1), STORE_OK);
        store_close(s);
    }
    store *s = store_open(path, err, sizeof(err));
    ck_assert_msg(s != NULL, "%s", err);
    got_jobs g = {0, 0, 0};
    ck_assert_int_eq(store_jobs_foreach(s, got_job, &g), 0);
    ck_assert_int_eq(g.n, 1);
    ck_assert_int_eq(g.committed, 777);
    ck_assert_int_eq(g.warc, 4243);
    store_close(s);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    (void)!system(cmd);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("warc");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, base32_rfc4648_vectors);
    tcase_add_test(tc, sha1_base32_known_values);
    tcase_add_test(tc, record_ids_are_random_v4_uuids);
    tcase_add_test(tc, date_is_utc_iso8601_with_microseconds);
    tcase_add_test(tc, each_record_is_one_gzip_member);
    tcase_add_test(tc, process_allocator_buffer_is_released);
    tcase_add_test(tc, last_http_head_and_revisit_shape);
    tcase_add_test(tc, response_head_rewritten_for_decoded_payload);
    tcase_add_test(tc, redact_cookies_keeps_other_lines);
    tcase_add_test(tc, store_adds_warc_committed_to_an_old_database);
    suite_add_tcase(s, tc);
    TCase *tp = tcase_create("page");
    tcase_set_timeout(tp, 120);
    tcase_add_unchecked_fixture(tp, server_up, server_down);
    tcase_add_checked_fixture(tp, env_up, env_down);
    tcase_add_test(tp, page_records_of_a_redirect_and_a_gzip_body);
    tcase_add_test(tp, page_keeps_non_html_bodies_for_warc);
    tcase_add_test(tp, page_304_is_a_server_not_modified_revisit);
    tcase_add_test(tp, page_jar_reports_changes_and_warc_redacts);
    tcase_add_test(tp, failed_fetch_has_no_records);
    suite_add_tcase(s, tp);
    return testutil_run(s);
}
