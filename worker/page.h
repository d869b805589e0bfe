/* page — one page from task to result inside one arena from the worker's
 * pool: fetch, parse, extract, build the result record; page_end gives
 * every byte back. The page struct keeps slots for what later stages add
 * (the DOM scripts see and the JS realm) so they attach without a rewrite. */
#ifndef CRAWLD_PAGE_H
#define CRAWLD_PAGE_H

#include "arena.h"
#include "env.h"
#include "fetch.h"
#include "html.h"

struct dom;

typedef struct page_task {
    long long task_id; /* 0 when run by hand */
    long long job_id;
    const char *url;
    int depth;
    int js;              /* JavaScript asked for */
    const char *js_off;  /* !js: why crawld turned JS off for this page (its js_note) */
    long timeout_ms;     /* 0 → config */
    size_t max_body;     /* 0 → config */
    int want_text;       /* include "text" in the record */
    size_t raw_body;     /* >0: a raw fetch (robots.txt): keep any type, no
                          * parse (serve sends the first raw_body bytes) */
    int max_redirects;   /* 0 → config */
    int warc;            /* WARC job: keep any body, build the page's records */
    int for_job;         /* the record is a job's final line (crawld writes it
                          * as it is): no task_id; parent and attempts added */
    const char *parent;  /* for_job: the page that linked here, NULL: a seed */
    int attempts;        /* for_job: this is the page's attempt number … */
    int sitemap;         /* WIRE_SITEMAP_*: read robots.txt's sitemaps or a sitemap, not a page */
    int jar;             /* the job's cookie jar (fetch_opts.jar) */
    const char *cookies; /* jar: its cookies for this host, Netscape lines; NULL: none */
    fetch_session sess;  /* the job's session: the page's fetch and its scripts' requests */
    /* Recrawls: the earlier capture's validators (sent as If-None-Match,
     * If-Modified-Since) and date (a 304's revisit record); NULL: none. */
    const char *if_none_match, *if_modified_since, *refers_to_date;
    int save;            /* --save: the content kinds the result carries (content.h), 0: none */
    const char *extract; /* --extract specs joined by '\n' (fieldspec.h); NULL: none */
} page_task;

typedef struct page {
    arena *a; /* the page arena (large bucket) */
    const page_task *task;
    fetch_result fetch;
    fetch_xfer xfer; /* the page's transfer (page_begin .. page_end) */
    int begun;       /* the transfer was started (else fetch says why not) */
    html_doc doc;
    int parsed; /* doc is filled */
    /* Robots rules and canonical of the page, from its HTML and its
     * response headers (page_finish: headers.h): noindex and nofollow from
     * <meta name=robots> or X-Robots-Tag; canonical from <link
     * rel=canonical>, else the Link header's; canonical_other: it differs
     * from the final URL (both in normal form). */
    int noindex, nofollow;
    const char *canonical;
    int canonical_other;
    int js_ran;      /* the page's scripts ran (js_page_run) */
    struct dom *dom; /* the tree scripts edited (dom.h), when they ran */
    int js_scripts, js_failed, js_skipped, js_timers, js_timed_out, js_oom, js_fetches;
    const char *js_error; /* first script error, NULL when none */
    const char *js_note;  /* why scripts did not run although asked, or NULL */
    double parse_ms, js_ms;
    const char *error; /* "word: detail", NULL when fine */
    char *warc;        /* WARC jobs: request + response records of every
                        * exchange, each a gzip member (in the arena) */
    size_t warc_len;
    int warc_records;
    const char *warc_error;     /* why the page has no records although asked */
    const char *warc_date;      /* WARC-Date of the final response's record (the record's) */
    const char *payload_digest; /* WARC-Payload-Digest of the final response, when it has a body */
    /* A sitemap task (task->sitemap): what it read (the record's
     * "sitemap"), the URLs it found (in the arena) and whether they are
     * sitemaps (robots.txt's, an index's) or pages. */
    const char *sitemap_kind;
    char **sitemap_urls;
    size_t sitemap_nurls;
    int sitemap_lists_sitemaps;
    const char *sitemap_lastmod;
    /* --extract (worker/fields.h): the record's "fields" and "fields_cut"
     * as JSON text in the arena, and why the fields are null; NULL: none */
    const char *fields, *fields_cut, *fields_note;
} page;

/* Acquires the arena and runs the page (page_begin, fetch_wait,
 * page_finish). Returns 0 when a response came (any status), 1 on a fetch
 * error (p->error says which), -1 when no arena could be had (nothing to
 * end). */
int page_run(worker_env *e, const page_task *t, page *p);

/* Starts the page's transfer in arena a (NULL: acquired here; else the
 * page owns it from now on). 0, or -1 when no arena could be had. The page
 * must not move until page_end; p->xfer.on_done may be set after. */
int page_begin(worker_env *e, const page_task *t, page *p, arena *a);
/* Once the transfer is over: reads its result, then parses, runs scripts,
 * builds WARC records. Returns as page_run. */
int page_finish(worker_env *e, page *p);

/* Builds p->warc from the fetch's exchanges (page_run does it for a task
 * with warc set): per exchange a request record and a response record
 * (WARC-Concurrent-To links the request to its response). The final
 * response carries the body curl decoded; its HTTP header block is
 * rewritten to match (warc_http_response_head). Redirect hops carry no
 * payload (curl discards those bodies). 0, or -1 with p->warc_error. */
int page_build_warc(page *p);
/* The time gumbo may take over a page's tree (a tenth of page_timeout_ms,
 * at most 2 s): content.h parses with it too. */
long page_gumbo_budget_ms(const worker_env *e);

/* The page's record (common/record.h: every field, in its order) as one
 * line of JSON in the page arena; NULL when the arena is out of memory. */
char *page_result_json(page *p, size_t *len);

/* Ends the page: stops its transfer if still in flight, gives its body
 * bytes back to the budget and releases its arena to the pool. */
void page_end(worker_env *e, page *p);

/* Milliseconds since an arbitrary start (CLOCK_MONOTONIC). */
double page_now_ms(void);

#endif
