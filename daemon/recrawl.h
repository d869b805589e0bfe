/* recrawl — what a recrawl job (crawlctl submit --since JOB) takes from
 * the earlier job: every page it recorded (URL, depth, parent) and the
 * capture each stands for (ETag, Last-Modified, date), read from the
 * committed part of its pages.jsonl at submit. jobs_submit seeds the new
 * job with all of them, so a recrawl reaches every page the earlier job
 * reached even where a 304 gives no links, and keeps each page's capture
 * in the store (store_capture_put) for the scheduler to send back as
 * If-None-Match / If-Modified-Since. docs/daemon.md, Recrawls. */
#ifndef CRAWLD_RECRAWL_H
#define CRAWLD_RECRAWL_H

#include <stddef.h>

/* Strings of the process allocator (recrawl_set_release). */
typedef struct recrawl_page {
    char *url, *parent; /* parent NULL: a seed of the earlier job */
    int depth;
    char *etag, *last_modified; /* NULL: the response sent none */
    char *date;                 /* the capture's WARC-Date, else its record's time */
    char *digest;               /* its WARC-Payload-Digest (a WARC job's), NULL: none */
    char *final_url;            /* the URL that answered (its response record's target) */
} recrawl_page;

typedef struct recrawl_set {
    recrawl_page *p;
    size_t n, cap;
    size_t seeds; /* pages at depth 0 */
} recrawl_set;

/* The pages of the first committed bytes of path (a job's pages.jsonl):
 * every record of a page that got an answer (status > 0; sitemap tasks
 * and pages never fetched left out), at most max of them, in file order.
 * 0, or -1 with err (the file unreadable, out of memory). */
int recrawl_load(const char *path, long long committed, size_t max, recrawl_set *set, char *err,
                 size_t errlen);
void recrawl_set_release(recrawl_set *set);

#endif
