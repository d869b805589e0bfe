/* fetch — HTTP(S) GETs on the worker's curl multi handle (env.h), many in
 * flight at once, each into its page's arena: everything in a fetch_result
 * lives in the arena the caller passes; connections, DNS cache and TLS
 * sessions stay the worker's. fetch_begin starts a transfer, fetch_step runs
 * the network, fetch_finish reads a finished transfer's result,
 * fetch_release gives its bytes back to the body budget. Limits: connect,
 * total and low-speed timeouts, a cap on decoded body bytes checked as they
 * arrive, a redirect cap; http and https only, also after redirects; unless
 * allowed, private and loopback addresses are refused when the socket opens
 * (after DNS). Non-HTML bodies are counted, not kept (unless keep_any). */
#ifndef CRAWLD_FETCH_H
#define CRAWLD_FETCH_H

#include "arena.h"
#include "env.h"
#include <stddef.h>
#include <time.h>

/* Failure words (fetch_err_word), the `error` field's first word:
 *   url                 the URL could not be used (syntax, scheme)
 *   dns                 the host name did not resolve
 *   connect             TCP connection refused / unreachable
 *   blocked             the address is private/loopback and not allowed
 *   tls                 TLS handshake or certificate verification failed
 *   timeout             connect, total or low-speed timeout
 *   too_large           the body passed max_body bytes
 *   too_many_redirects  more than max_redirects redirects
 *   decode              content decoding (gzip/deflate/br) failed
 *   protocol            the server's response was not valid HTTP
 *   recv                the connection broke while receiving
 *   nomem               out of memory
 *   other               anything else (the detail says what curl said) */
typedef enum fetch_err {
    FETCH_OK = 0,
    FETCH_URL,
    FETCH_DNS,
    FETCH_CONNECT,
    FETCH_BLOCKED,
    FETCH_TLS,
    FETCH_TIMEOUT,
    FETCH_TOO_LARGE,
    FETCH_TOO_MANY_REDIRECTS,
    FETCH_DECODE,
    FETCH_PROTOCOL,
    FETCH_RECV,
    FETCH_NOMEM,
    FETCH_OTHER
} fetch_err;

const char *fetch_err_word(fetch_err e);
/* The failure class of a curl result code (CURLE_OK → FETCH_OK). */
fetch_err fetch_err_from_curl(int curlcode);

/* A job's request session (docs/worker.md, Sessions): what a task brings
 * besides its URL, for the page's fetch and its scripts' requests alike.
 * NULL members: none. */
typedef struct fetch_session {
    const char *headers;  /* "Name: value" lines joined by '\n', sent to every host */
    const char *user;     /* basic auth USER:PASSWORD ... */
    const char *bearer;   /* ... or a bearer token: only to auth_url's origin */
    const char *auth_url; /* the task's URL, whose origin the credentials go to */
    const char *proxy;    /* the job's proxy URL; NULL: [network] proxy */
} fetch_session;

typedef struct fetch_opts {
    long timeout_ms;   /* total; 0 → cfg.page_timeout_ms */
    size_t max_body;   /* 0 → cfg.max_body_mb */
    int max_redirects; /* -1 → cfg.max_redirects */
    int keep_any;      /* keep every body, not only HTML (robots.txt) */
    int capture;       /* keep every exchange's header blocks (WARC) */
    /* A page script's request (XMLHttpRequest, fetch): the method (NULL:
     * GET), its body (POST, PUT...; in the caller's arena, alive until the
     * transfer is released) and extra "Name: value" header lines. */
    const char *method;
    const char *req_body;
    size_t req_body_len;
    const char *const *req_headers;
    int n_req_headers;
    const fetch_session *session; /* NULL: none */
    /* The job's cookie jar (docs/worker.md, Cookies): curl's cookie engine
     * on, loaded with cookies (Netscape lines each ended by '\n', or NULL);
     * fetch_result.cookies says what the responses changed. */
    int jar;
    const char *cookies;
} fetch_opts;

/* One request and its response (capture only). In the arena.
 *
 * With capture (WARC jobs) every exchange of the fetch, redirect hops
 * included, is kept in the arena: the URL asked for, the request header
 * block exactly as curl sent it (its debug callback, CURLINFO_HEADER_OUT),
 * the response header block as received (the header callback: status line
 * to the blank line; 1xx interim responses and trailers left out), the
 * server's address and the wall-clock time the request went out. curl
 * discards the bodies of redirects it follows; the final body is `body`. */
typedef struct fetch_exchange {
    struct fetch_exchange *next;
    const char *url; /* the URL requested */
    char *req;       /* request header block as sent */
    size_t req_len, req_cap;
    char *resp; /* response header block, blank line included */
    size_t resp_len, resp_cap;
    int resp_done;        /* the blank line ending resp was seen */
    long status;          /* 0 until a status line came */
    char ip[48];          /* CURLINFO_PRIMARY_IP when the response began */
    struct timespec sent; /* CLOCK_REALTIME when the request went out */
} fetch_exchange;

#define FETCH_MAX_HOPS 32

typedef struct fetch_result {
    fetch_err err;
    const char *err_detail;          /* in the arena; NULL when ok */
    long status;                     /* final response status, 0 when none */
    long hop_status[FETCH_MAX_HOPS]; /* status of every response, in order */
    int hops;                        /* responses seen (redirects + 1) */
    const char *final_url;
    const char *content_type; /* as sent, NULL when absent */
    const char *mime;         /* lowercase type/subtype without parameters */
    const char *charset;      /* lowercase charset parameter, NULL when absent */
    int is_html;
    char *body;        /* decoded body (HTML only), NUL-terminated */
    size_t body_len;   /* decoded bytes received (also for non-HTML) */
    size_t wire_bytes; /* bytes on the wire (before decoding) */
    int redirects;
    long http_version; /* 10, 11, 20, 30 */
    double fetch_ms;
    fetch_exchange *exchanges; /* capture: in order, the final one last */
    int nexchanges;
    long new_connects; /* connections this transfer opened (CURLINFO_NUM_CONNECTS) */
    double dns_ms;     /* name resolution (CURLINFO_NAMELOOKUP_TIME_T; ~0 when cached) */
    /* The final response's X-Robots-Tag values, each ended by '\n', and its
     * Link values joined by ", " (at most FETCH_MAX_RULE_HEADERS of each);
     * NULL when it had none (headers.h reads them). */
    const char *x_robots, *link;
    /* jar: the cookies the responses set or changed, as Netscape lines
     * each ended by '\n' (a cookie they removed: its line with expires 1),
     * in the arena; NULL when nothing changed. */
    const char *cookies;
    size_t cookies_len;
    /* The final response's ETag and Last-Modified (the first of each, as
     * sent); NULL when absent. A recrawl sends them back (docs/worker.md). */
    const char *etag, *last_modified;
    /* The last response's Retry-After in seconds (delta-seconds, or an
     * HTTP-date made relative to now: CURLINFO_RETRY_AFTER); -1 when it
     * had none or curl could not read it. */
    long long retry_after_s;
} fetch_result;
#define FETCH_MAX_RULE_HEADERS 16

/* One transfer. The caller owns the struct (in the page arena, or on its
 * stack for fetch_page); it must not move until fetch_release. Fields are
 * fetch.c's except on_done/done_ud, which the caller may set after
 * fetch_begin: fetch_step calls on_done once when the transfer is over. */
typedef struct fetch_xfer {
    worker_env *e;
    arena *a;
    fetch_result *r;
    CURL *h; /* NULL once cleaned up */
    const char *url;
    size_t max_body;
    size_t cap;       /* bytes reserved for body */
    size_t held;      /* body bytes counted in e->fetch_held */
    int type_checked; /* content type looked at for this response */
    int keep;         /* store the body (HTML) */
    int keep_any;     /* store every body */
    int over_cap;     /* aborted by the body cap */
    int nomem;
    int allow_private;
    int capture;       /* keep exchanges (fetch_opts.capture) */
    int capture_nomem; /* an exchange's buffers could not grow */
    int urgent;        /* never paused by the body budget (a running page's own requests) */
    int paused;        /* the write callback returned CURL_WRITEFUNC_PAUSE */
    int in_flight;     /* in the multi, linked in e's in-flight list */
    int done;          /* the transfer is over; rc says how */
    int rc;            /* CURLcode */
    fetch_exchange *ex_tail;
    struct curl_slist *req_headers; /* the worker's headers + the request's; NULL: the worker's */
    char blocked_addr[48];
    int proxied;              /* through a proxy: the target's host is checked instead */
    int proxy_resolves;       /* socks5h://: the proxy resolves names, they are not checked */
    const char *secret_names; /* capture: the session's header lines, whose values are redacted */
    const char *hop_url;      /* the URL whose response came last (arena) */
    int jar;                  /* the cookie engine is on (fetch_opts.jar) */
    struct curl_slist *jar_before; /* its lines once loaded, to diff at the end */
    char errbuf[CURL_ERROR_SIZE];
    struct fetch_xfer *prev, *next; /* e's in-flight list, oldest first */
    void (*on_done)(struct fetch_xfer *x, void *ud);
    void *done_ud;
} fetch_xfer;

/* Starts a transfer: sets up an easy handle with the per-transfer limits
 * and adds it to the worker's multi. FETCH_OK, or the error (r filled, x
 * done, nothing in flight). urgent: never paused by the body budget. */
fetch_err fetch_begin(worker_env *e, arena *a, const char *url, const fetch_opts *o,
                      fetch_result *r, fetch_xfer *x, int urgent);
/* One turn of the network: waits up to timeout_ms for the transfers'
 * sockets or extra_fd (-1: none) to be ready, runs curl_multi_perform,
 * marks finished transfers done (calling their on_done, in the order they
 * finished) and resumes paused ones while the budget allows. 1 when
 * extra_fd is readable, 0, -1 when the multi failed. */
int fetch_step(worker_env *e, int extra_fd, int timeout_ms);
/* Runs the network until x is done: through e->net_step when set (the
 * serve loop's step, which also reads the channel), else fetch_step. */
void fetch_wait(worker_env *e, fetch_xfer *x);
/* Reads a done transfer's result into its fetch_result (as fetch_page
 * always did) and frees its easy handle. Returns r->err. */
fetch_err fetch_finish(fetch_xfer *x);
/* Gives the transfer's body bytes back to the budget (paused transfers
 * resume) and stops it if still in flight. Safe on a zeroed struct. */
void fetch_release(worker_env *e, fetch_xfer *x);

/* 1 when a request to host (a URL's host: a name or an IP literal) must be
 * refused under the private-address rule, as seen from before a proxy:
 * a private IP literal, localhost or *.localhost, and when resolve is set
 * a name with a private address here. Blocking when resolve is set. */
int fetch_host_private(const char *host, int resolve);

/* Gives curl's cookie engine on h the Netscape lines (each ended by '\n';
 * NULL: none) one by one through CURLOPT_COOKIELIST. 0, or -1. */
int fetch_jar_load(CURL *h, const char *lines);
/* The cookie lines a jar changed between two of curl's listings
 * (CURLINFO_COOKIELIST): each line of after not in before (set or
 * changed), then each cookie of before gone from after with expires 1
 * (removed); at most 256 KiB. *out_lines in a, NUL-ended (NULL when none), *out_len
 * their bytes; 0, or -1 on no memory. The transfer's own diff and the
 * page's jar (jar.h) use it. */
int fetch_jar_diff(arena *a, const struct curl_slist *before, const struct curl_slist *after,
                   const char **out_lines, size_t *out_len);

/* One blocking transfer (begin, wait, finish, release), urgent; other
 * transfers progress meanwhile. Always fills r; returns r->err. */
fetch_err fetch_page(worker_env *e, arena *a, const char *url, const fetch_opts *o,
                     fetch_result *r);

#endif
