/* jar — a page's cookie jar while its scripts run (docs/worker.md,
 * Cookies): curl's cookie engine on an easy handle that never transfers,
 * loaded with the task's cookies and what the page's responses changed.
 * document.cookie reads and writes it; what changed since the task's
 * cookies is the page's result (the CKS1 trailer). */
#ifndef CRAWLD_JAR_H
#define CRAWLD_JAR_H

#include "arena.h"
#include <curl/curl.h>
#include <time.h>

typedef struct page_jar {
    CURL *h;                  /* NULL: not open */
    struct curl_slist *start; /* curl's lines once the task's cookies were loaded */
    char *read;               /* jar_script_get's answer (process allocator), reused */
    size_t read_cap;
} page_jar;

/* Bytes of cookie lines a page's jar gives a script's request at most: a
 * page's report is bounded the same (fetch.c), and the copies, one a
 * request, go in the page arena. */
#define JAR_MAX_LINES (256 << 10)

/* Opens j with the task's Netscape lines, then applies changed (a
 * transfer's fetch_result.cookies); both each line ended by '\n', NULL:
 * none. 0, or -1 with nothing held. */
int jar_open(page_jar *j, const char *task_lines, const char *changed);
/* document.cookie for a document at url: "name=value; ..." of the jar's
 * unexpired cookies that match url's host, path and scheme and are not
 * HttpOnly, longest path first ("" when none, NULL on no memory). The
 * jar's buffer, valid until the next call or jar_close: a script reading
 * it in a loop costs no memory. */
const char *jar_script_get(page_jar *j, const char *url);
/* document.cookie = s by a document at url: 0 when set (or removed), 1
 * when refused as a browser refuses it (no name, HttpOnly, a domain that
 * is not url's host or a parent of it, Secure from http, an HttpOnly
 * cookie of the same name, domain and path) or when it would be a new
 * cookie in a jar of COOKIE_MAX_PER_JOB, -1 when curl failed. */
int jar_script_set(page_jar *j, const char *url, const char *s);
/* The Netscape line of s set by a document at url at time now (in out,
 * cap bytes): 0, or 1 when refused (jar_script_set's reasons but the
 * last). */
int jar_script_line(const char *url, const char *s, time_t now, char *out, size_t cap);
/* The jar's cookies as Netscape lines each ended by '\n' (to load into a
 * script's request), at most JAR_MAX_LINES bytes of them, in a; NULL when
 * none or on no memory. */
char *jar_lines(page_jar *j, arena *a);
/* Applies a transfer's changed lines (fetch_result.cookies). 0, or -1. */
int jar_apply(page_jar *j, const char *lines);
/* What changed since jar_open's task lines (fetch_jar_diff), in a:
 * *lines (NULL when nothing) and *len; 0, or -1 when it could not be
 * read. */
int jar_changes(page_jar *j, arena *a, const char **lines, size_t *len);
/* Frees j's handle and lines; safe on a zeroed or closed jar. */
void jar_close(page_jar *j);

#endif
