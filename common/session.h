/* session — a job's request session (issue 20, item 3): the checks of
 * --header, --user, --bearer and --proxy values, and the redaction of the
 * secrets they carry before anything is written out (WARC request blocks,
 * the job's options shown or archived). Pure functions, no allocation. */
#ifndef CRAWLD_SESSION_H
#define CRAWLD_SESSION_H

#include <stddef.h>

#define SESSION_MAX_HEADERS 32      /* --header given at most this often */
#define SESSION_MAX_HEADER_LEN 1024 /* bytes of one "Name: value" */
#define SESSION_MAX_USER_LEN 512    /* bytes of USER:PASSWORD */
#define SESSION_MAX_BEARER_LEN 4096 /* bytes of a bearer token */
#define SESSION_MAX_PROXY_LEN 1024  /* bytes of a proxy URL */
#define SESSION_REDACTED "<redacted>"

/* Checks of one value (jobopts.h's check signature): 0, or -1 with err
 * naming the flag and what was wrong; a secret's value is never quoted. */
int session_header_check(const char *v, char *err, size_t errlen);
int session_user_check(const char *v, char *err, size_t errlen);
int session_bearer_check(const char *v, char *err, size_t errlen);
int session_proxy_check(const char *v, char *err, size_t errlen);

/* 1 when a header line's value must not be written out: Authorization,
 * Proxy-Authorization, or a name among names ("Name: value" lines ended
 * by '\n', the job's --header values; NULL: none). name[nlen] needs no NUL. */
int session_header_secret(const char *name, size_t nlen, const char *names);

/* A request header block with every secret value (above) replaced by
 * SESSION_REDACTED, into out[cap]. Returns the bytes the result takes
 * (call with cap 0 to size it); writes only when they fit. */
size_t session_redact_block(const char *in, size_t n, const char *names, char *out, size_t cap);

/* url without the user and password it may carry ("http://u:p@h:1/" →
 * "http://<redacted>@h:1/") into out[cap]; returns out. */
const char *session_url_redacted(const char *url, char *out, size_t cap);

#endif
