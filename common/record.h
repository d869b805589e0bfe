/* record — a page's line in pages.jsonl: its fields, their order and types
 * in one table (record_fields), and the one writer every maker of a record
 * uses (the worker for a page it ran, crawld for a page it settled without
 * one, `crawld-worker fetch` by hand). A zeroed record is a page that was
 * never fetched: every field is written, null, 0, false or []. */
#ifndef CRAWLD_RECORD_H
#define CRAWLD_RECORD_H

#include "arena.h"

#include <jansson.h>
#include <stddef.h>

typedef struct record_strs {
    const char *const *v;
    size_t n;
} record_strs;

typedef struct record_longs {
    const long *v;
    size_t n;
} record_longs;

/* js_stats, when the page's scripts ran. */
typedef struct record_js {
    long long scripts, failed, skipped, timers, fetches;
    int timed_out, out_of_memory;
    const char *error; /* the first script error, NULL: null */
} record_js;

/* The fields in the order they are written. A NULL string is null; an
 * optional field (marked so) is left out when zero or NULL. Times are
 * milliseconds, written truncated to 0.1. */
typedef struct record {
    long long task_id;        /* optional: a task outside a job (tools, tests) */
    long long job_id;         /* 0: null (by hand) */
    const char *url;          /* as asked for, normalised */
    const char *final_url;    /* after redirects; NULL: no response */
    long long status;         /* final response status; 0: no response */
    const char *content_type; /* lowercase type/subtype */
    long long depth;
    const char *title;
    record_strs links;         /* absolute URLs, unique, in document order */
    int js;                    /* the page's scripts ran; in a record crawld made for a page no
                                * worker ran (record_json): JS was asked for */
    const record_js *js_stats; /* NULL: null (no script ran) */
    const char *js_note;       /* why scripts did not run although asked */
    long long bytes, wire_bytes;
    double fetch_ms, parse_ms, js_ms;
    const char *error;     /* "word: detail"; NULL: null (a 404 is no error) */
    record_longs statuses; /* status of every response, redirect hops first */
    long long redirects;
    long long http_version; /* 10, 11, 20, 30; 0: none */
    long long warc_records; /* optional: a WARC job's page with records */
    const char *warc_error; /* optional: a WARC job's page without them, why */
    const char *ts;         /* when the record was made (timefmt_iso_now) */
    const char *canonical;
    int noindex, nofollow; /* <meta name=robots> */
    long long nofollow_links, skipped_links;
    const char *charset;
    const char *charset_note;
    long long text_len;
    const char *text;   /* optional: when asked for */
    const char *parent; /* the page that linked here; NULL: null (a seed, or by hand) */
    long long attempts; /* workers the page was handed to, this one included */
    /* Back off when a server asks: answers not recorded because the server
     * asked to be asked again (429, 503, a broken connection, …), each with
     * its short reason; the last answer's Retry-After; and, when the
     * retries ran out, why this answer is final. The worker writes 0, [],
     * its Retry-After; crawld fills in the rest (results.c). */
    long long retries;
    record_strs retry_reasons;
    long long retry_after_s;   /* optional: the answer's Retry-After in seconds, > 0 */
    const char *retry_gave_up; /* optional */
    /* Sitemaps (a job with sitemaps on): only in the record of a sitemap
     * task, which names what it read; the other two follow it. */
    const char *sitemap;         /* optional: "robots", "index", "urlset" or "sitemap" (unread) */
    long long sitemap_urls;      /* with sitemap: the URLs it gave */
    const char *sitemap_lastmod; /* with sitemap: its newest <lastmod>, or null */
    /* Recrawls (docs/worker.md, Recrawls): each left out when absent. */
    const char *etag;           /* optional: the final response's ETag */
    const char *last_modified;  /* optional: its Last-Modified */
    int not_modified;           /* optional (true only): a 304 to a conditional request */
    const char *refers_to_date; /* optional: the earlier capture's date a 304 stands for */
    const char *warc_date;      /* optional: WARC-Date of the page's response (or revisit) record */
    const char *payload_digest; /* optional: WARC-Payload-Digest of its response, with a body */
    /* --extract (docs/daemon.md, Fields): JSON text written as it is. */
    const char *fields;      /* optional: {"NAME": null | "value" | [values]} */
    const char *fields_cut;  /* optional: {"NAME": {"matched","kept","values_cut"}} */
    const char *fields_note; /* optional: why every field is null (no tree) */
} record;

typedef enum record_type {
    RECORD_STR,   /* const char * */
    RECORD_INT,   /* long long */
    RECORD_BOOL,  /* int */
    RECORD_MS,    /* double */
    RECORD_STRS,  /* record_strs */
    RECORD_LONGS, /* record_longs */
    RECORD_JS,    /* const record_js *, an object of record_js_fields */
    RECORD_RAW    /* const char *, JSON text written as it is */
} record_type;

#define RECORD_OPTIONAL 1u  /* left out when zero / NULL */
#define RECORD_ZERO_NULL 2u /* an integer 0 is written null */
#define RECORD_WITH_PREV 4u /* written only when the field before it was */

typedef struct record_field {
    const char *name;
    size_t name_len;
    record_type type;
    size_t offset; /* in record (record_js for record_js_fields) */
    unsigned flags;
} record_field;

extern const record_field record_fields[];
extern const size_t record_nfields;
extern const record_field record_js_fields[];
extern const size_t record_js_nfields;

/* Where record_write puts the line: the arena a, or the process allocator
 * when a is NULL (then record_buf_release frees it). */
typedef struct record_buf {
    arena *a;
    char *p; /* the line, NUL-terminated, no newline */
    size_t len, cap;
} record_buf;

/* Appends r as one line of compact JSON, as jansson would dump it
 * (JSON_COMPACT, JSON_REAL_PRECISION(10)), to b. 0, or -1 out of memory. */
int record_write(record_buf *b, const record *r);
void record_buf_release(record_buf *b);

/* r as a jansson object (record_write's line, parsed): for crawld, which
 * hands records on as json_t. NULL out of memory. */
json_t *record_json(const record *r);

#endif
