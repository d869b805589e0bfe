/* cookie — one line of a Netscape cookie file (the form curl reads with
 * CURLOPT_COOKIELIST and writes in CURLINFO_COOKIELIST), read without
 * copying, and the limits of a job's cookie jar (docs/daemon.md, Cookies).
 * crawlctl checks a --cookies file with it, crawld merges lines into the
 * jar, the worker diffs curl's jar. Matching a cookie to a request is
 * curl's; here only which host a cookie's domain covers. */
#ifndef CRAWLD_COOKIE_H
#define CRAWLD_COOKIE_H

#include <stddef.h>

#define COOKIE_MAX_LINE 4096    /* bytes of one cookie's line (name, value, attributes) */
#define COOKIE_MAX_PER_HOST 50  /* cookies of one domain in a job's jar */
#define COOKIE_MAX_PER_JOB 1000 /* cookies in a job's jar */
#define COOKIE_MAX_TASK 32768   /* bytes of cookie lines a task carries */
#define COOKIE_HTTPONLY "#HttpOnly_"

/* One cookie, pointing into the line it was read from. */
typedef struct cookie_line {
    const char *domain; /* without COOKIE_HTTPONLY; may start with '.' */
    size_t domain_len;
    int httponly, subdomains, secure;
    const char *path;
    size_t path_len;
    long long expires; /* unix seconds; 0: a session cookie */
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} cookie_line;

/* Reads line[0..len) (no newline; a trailing CR is dropped): 0 and *c for a
 * cookie, 1 for a blank or comment line, -1 with why for a malformed one
 * (`expected 7 tab-separated fields, found 3`, `expires: "x" is not a
 * number of seconds`, ...). */
int cookie_parse(const char *line, size_t len, cookie_line *c, char *why, size_t whylen);
/* Reads a cookie file's text (Netscape format: a line per cookie, '#'
 * comments and blank lines skipped) and calls cb with each cookie line
 * (without its newline). 0, or -1 with *line_no (1-based) and why for the
 * first malformed line, more than COOKIE_MAX_PER_JOB cookies, or cb's -1
 * (why "out of memory"). */
int cookie_file_read(const char *text, size_t len, int (*cb)(void *ud, const char *l, size_t n),
                     void *ud, size_t *line_no, char *why, size_t whylen);
/* 0 when v is one cookie line (jobopts' check of a submit's "cookies"),
 * else -1 with err. */
int cookie_line_check(const char *v, char *err, size_t errlen);
/* The jar's key of c's domain: lowercase, no leading dot, in buf (cap
 * bytes); -1 when it does not fit or is empty. */
int cookie_domain_key(const cookie_line *c, char *buf, size_t cap);
/* The host of an origin or URL ("http://a.b:8080/x" → "a.b"), lowercase,
 * in buf; -1 when there is none or it does not fit. */
int cookie_url_host(const char *url, char *buf, size_t cap);

#endif
