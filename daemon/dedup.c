/* dedup — see dedup.h. */
#include "dedup.h"
#include "alloc.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* The value of a string field of the record line (one the worker writes
 * with no escapes in it: a digest, a date) into out; 0 or -1 when absent. */
static int record_str(const frame_result *r, const char *key, char *out, size_t cap)
{
    char pat[64];
    int pn = snprintf(pat, sizeof(pat), "\"%s\":\"", key);
    const char *p = memmem(r->record, r->record_len, pat, (size_t)pn);
    if (!p)
        return -1;
    p += pn;
    const char *end = memchr(p, '"', r->record_len - (size_t)(p - r->record));
    if (!end || (size_t)(end - p) >= cap || memchr(p, '\\', (size_t)(end - p)))
        return -1;
    memcpy(out, p, (size_t)(end - p));
    out[end - p] = '\0';
    return 0;
}

static int append_json_str(warc_buf *b, const char *s)
{
    json_t *v = json_string(s);
    char *d = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
    int rc = d ? warc_buf_append(b, d, strlen(d)) : -1;
    if (d) {
        json_free_t jf;
        json_get_alloc_funcs(NULL, &jf);
        jf(d);
    }
    json_decref(v);
    return rc;
}

int dedup_page(store *st, long long job_id, const frame_result *r, warc_buf *recs, warc_buf *field)
{
    char digest[WARC_DIGEST_SIZE], date[WARC_DATE_SIZE];
    if (!r->warc_len || !r->final_url_len ||
        record_str(r, "payload_digest", digest, sizeof(digest)) < 0 ||
        record_str(r, "warc_date", date, sizeof(date)) < 0)
        return 0;
    char *url = alloc_new(r->final_url_len + 1);
    if (!url)
        return 0;
    memcpy(url, r->final_url, r->final_url_len);
    url[r->final_url_len] = '\0';
    int rc = store_digest_put(st, job_id, digest, url, date);
    store_capture c = {0};
    warc_buf head = {0};
    if (rc != 0) /* new (kept in full), or -1 */
        goto out;
    rc = store_digest_get(st, job_id, digest, &c);
    if (rc <= 0 || !c.url || !c.date)
        goto out;
    rc = 0;
    size_t last = 0;
    char id[WARC_ID_SIZE], block_digest[WARC_DIGEST_SIZE];
    if (warc_last_http_head(r->warc, r->warc_len, &last, &head) < 0 || warc_record_id(id) < 0 ||
        warc_sha1_b32(head.p, head.len, NULL, 0, block_digest) < 0)
        goto out; /* kept in full */
    warc_field f[] = {{"WARC-Record-ID", id},
                      {"WARC-Date", date},
                      {"WARC-Target-URI", url},
                      {"WARC-Profile", WARC_PROFILE_IDENTICAL},
                      {"WARC-Refers-To-Target-URI", c.url},
                      {"WARC-Refers-To-Date", c.date},
                      {"WARC-Payload-Digest", digest},
                      {"WARC-Block-Digest", block_digest},
                      {"Content-Type", "application/http;msgtype=response"}};
    if (warc_buf_append(recs, r->warc, last) < 0 ||
        warc_append_record(recs, "revisit", f, sizeof(f) / sizeof(f[0]), head.p, head.len, NULL,
                           0) < 0 ||
        warc_buf_append(field, ",\"identical_payload\":true,\"refers_to_url\":", 42) < 0 ||
        append_json_str(field, c.url) < 0 ||
        warc_buf_append(field, ",\"refers_to_date\":", 18) < 0 ||
        append_json_str(field, c.date) < 0) {
        warc_buf_release(recs);
        warc_buf_release(field);
        goto out; /* out of memory: kept in full */
    }
    rc = 1;
out:
    warc_buf_release(&head);
    store_capture_release(&c);
    alloc_free(url, r->final_url_len + 1);
    return rc;
}
