/* fetch — see fetch.h. One file over ~900 lines on purpose: every
 * callback curl calls for a transfer (headers, body, debug, socket open,
 * prereq, cookies) reads the one private transfer struct (xfer), and the
 * address and credential guards must sit beside the options they guard;
 * split, they would share that struct through a header no one else needs. */
#include "fetch.h"
#include "session.h"
#include "cookie.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <stdio.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

const char *fetch_err_word(fetch_err e)
{
    static const char *w[] = {"ok",      "url",       "dns",
                              "connect", "blocked",   "tls",
                              "timeout", "too_large", "too_many_redirects",
                              "decode",  "protocol",  "recv",
                              "nomem",   "other"};
    return (unsigned)e < sizeof(w) / sizeof(w[0]) ? w[e] : "other";
}

fetch_err fetch_err_from_curl(int code)
{
    switch ((CURLcode)code) {
    case CURLE_OK:
        return FETCH_OK;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return FETCH_URL;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return FETCH_DNS;
    case CURLE_COULDNT_CONNECT:
        return FETCH_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return FETCH_TIMEOUT;
    case CURLE_FILESIZE_EXCEEDED:
        return FETCH_TOO_LARGE;
    case CURLE_TOO_MANY_REDIRECTS:
        return FETCH_TOO_MANY_REDIRECTS;
    case CURLE_BAD_CONTENT_ENCODING:
        return FETCH_DECODE;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
        return FETCH_TLS;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_GOT_NOTHING:
        return FETCH_PROTOCOL;
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_SEND_ERROR:
        return FETCH_RECV;
    case CURLE_OUT_OF_MEMORY:
        return FETCH_NOMEM;
    default:
        return FETCH_OTHER;
    }
}

typedef fetch_xfer xfer; /* the state curl's callbacks get */

/* Appends n bytes to a growing arena buffer. */
static int grow_append(arena *a, char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
    if (*len + n > *cap) {
        size_t c = *cap ? *cap * 2 : 1024;
        while (c < *len + n)
            c *= 2;
        char *nb = arena_resize(a, *buf, *cap, c);
        if (!nb)
            return -1;
        *buf = nb;
        *cap = c;
    }
    memcpy(*buf + *len, data, n);
    *len += n;
    return 0;
}

static fetch_exchange *exchange_new(xfer *x)
{
    fetch_exchange *ex = arena_alloc_zeroed(x->a, sizeof(*ex));
    if (!ex)
        return NULL;
    char *u = NULL;
    curl_easy_getinfo(x->h, CURLINFO_EFFECTIVE_URL, &u); /* the hop being fetched */
    ex->url = arena_strdup(x->a, u ? u : "");
    clock_gettime(CLOCK_REALTIME, &ex->sent);
    if (x->ex_tail)
        x->ex_tail->next = ex;
    else
        x->r->exchanges = ex;
    x->ex_tail = ex;
    x->r->nexchanges++;
    return ex;
}

static int ends_block(const char *b, size_t n)
{
    return (n >= 4 && memcmp(b + n - 4, "\r\n\r\n", 4) == 0) ||
           (n >= 2 && memcmp(b + n - 2, "\n\n", 2) == 0);
}

/* The final response's X-Robots-Tag and Link values into r (curl's header
 * API: request -1 is the last one, after redirects). */
static void rule_headers(CURL *h, arena *a, fetch_result *r)
{
    struct curl_header *prev = NULL, *hd;
    int nx = 0, nl = 0;
    while ((hd = curl_easy_nextheader(h, CURLH_HEADER, -1, prev))) {
        prev = hd;
        if (strcasecmp(hd->name, "X-Robots-Tag") == 0 && nx++ < FETCH_MAX_RULE_HEADERS)
            r->x_robots = arena_sprintf(a, "%s%s\n", r->x_robots ? r->x_robots : "", hd->value);
        else if (strcasecmp(hd->name, "Link") == 0 && nl++ < FETCH_MAX_RULE_HEADERS)
            r->link = r->link ? arena_sprintf(a, "%s, %s", r->link, hd->value)
                              : arena_strdup(a, hd->value);
        /* recrawls: the validators a later conditional request sends back */
        else if (strcasecmp(hd->name, "ETag") == 0 && !r->etag)
            r->etag = arena_strdup(a, hd->value);
        else if (strcasecmp(hd->name, "Last-Modified") == 0 && !r->last_modified)
            r->last_modified = arena_strdup(a, hd->value);
    }
}

/* curl's debug callback (capture only): the request header blocks. A new
 * block after a response starts the next exchange (a redirect hop); a
 * complete block again before any response is a retry on a new connection
 * and replaces the first. */
static int on_debug(CURL *h, curl_infotype type, char *data, size_t n, void *ud)
{
    xfer *x = ud;
    (void)h;
    if (type != CURLINFO_HEADER_OUT || x->capture_nomem)
        return 0;
    fetch_exchange *ex = x->ex_tail;
    if (!ex || ex->status) {
        ex = exchange_new(x);
    } else if (ends_block(ex->req, ex->req_len)) {
        ex->req_len = 0;
        clock_gettime(CLOCK_REALTIME, &ex->sent);
    }
    if (!ex || grow_append(x->a, &ex->req, &ex->req_len, &ex->req_cap, data, n) < 0)
        x->capture_nomem = 1;
    return 0;
}

/* The header callback's half of capture: the response header blocks. */
static void capture_header(xfer *x, const char *data, size_t n, long status)
{
    fetch_exchange *ex = x->ex_tail;
    if (status) { /* a status line */
        if (!ex || (ex->status >= 200 && ex->resp_done))
            ex = exchange_new(x); /* no request seen for it: keep it anyway */
        if (!ex) {
            x->capture_nomem = 1;
            return;
        }
        ex->resp_len = 0; /* a 1xx interim response before it is dropped */
        ex->resp_done = 0;
        ex->status = status;
        char *ip = NULL;
        curl_easy_getinfo(x->h, CURLINFO_PRIMARY_IP, &ip);
        snprintf(ex->ip, sizeof(ex->ip), "%s", ip ? ip : "");
    } else if (!ex || !ex->status || ex->resp_done) {
        return; /* trailers after the body, or nothing to attach to */
    }
    if (grow_append(x->a, &ex->resp, &ex->resp_len, &ex->resp_cap, data, n) < 0) {
        x->capture_nomem = 1;
        return;
    }
    if ((n == 2 && data[0] == '\r' && data[1] == '\n') || (n == 1 && data[0] == '\n'))
        ex->resp_done = 1;
}

static int mime_is_html(const char *mime)
{
    return mime && (strcmp(mime, "text/html") == 0 || strcmp(mime, "application/xhtml+xml") == 0);
}

/* Splits a Content-Type value into lowercase mime and charset, in the arena. */
static void parse_content_type(arena *a, const char *ct, const char **mime, const char **charset)
{
    *mime = NULL;
    *charset = NULL;
    if (!ct)
        return;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t n = strcspn(ct, "; \t");
    char *m = arena_strndup(a, ct, n);
    if (!m)
        return;
    for (char *p = m; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    *mime = m;
    const char *p = ct + n;
    while ((p = strchr(p, ';')) != NULL) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "charset=", 8) == 0) {
            p += 8;
            if (*p == '"' || *p == '\'')
                p++;
            size_t cn = strcspn(p, "\"'; \t");
            if (cn == 0 || cn > 40)
                return;
            char *c = arena_strndup(a, p, cn);
            if (!c)
                return;
            for (char *q = c; *q; q++)
                *q = (char)tolower((unsigned char)*q);
            *charset = c;
            return;
        }
    }
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    xfer *x = ud;
    size_t n = size * nmemb;
    /* A status line starts a new response (redirect hops, 100-continue). */
    if (n > 5 && memcmp(data, "HTTP/", 5) == 0) {
        const char *sp = memchr(data, ' ', n);
        long st = 0;
        if (sp)
            for (const char *p = sp + 1; p < data + n && isdigit((unsigned char)*p); p++)
                st = st * 10 + (*p - '0');
        if (st >= 200 || st < 100) {
            char *u = NULL;
            curl_easy_getinfo(x->h, CURLINFO_EFFECTIVE_URL, &u);
            if (u && (!x->hop_url || strcmp(x->hop_url, u) != 0))
                x->hop_url = arena_strdup(x->a, u);
            if (x->r->hops < FETCH_MAX_HOPS)
                x->r->hop_status[x->r->hops] = st;
            x->r->hops++;
        }
        x->type_checked = 0;
        if (x->capture)
            capture_header(x, data, n, st > 0 ? st : -1);
        return n;
    }
    if (x->capture)
        capture_header(x, data, n, 0);
    return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    xfer *x = ud;
    fetch_result *r = x->r;
    size_t n = size * nmemb;
    if (!x->type_checked) {
        x->type_checked = 1;
        char *ct = NULL;
        curl_easy_getinfo(x->h, CURLINFO_CONTENT_TYPE, &ct);
        /* The type is parsed again after the transfer; here only "keep?". */
        if (ct) {
            size_t tn = strcspn(ct, "; \t");
            char buf[64];
            if (tn >= sizeof(buf))
                tn = sizeof(buf) - 1;
            for (size_t i = 0; i < tn; i++)
                buf[i] = (char)tolower((unsigned char)ct[i]);
            buf[tn] = '\0';
            x->keep = x->keep_any || mime_is_html(buf);
        } else {
            x->keep = 1; /* no type: treated as HTML */
        }
    }
    /* Past the worker's body budget every transfer but the oldest in
     * flight waits (curl delivers the same bytes again on resume), so any
     * page up to max_body still completes. */
    worker_env *e = x->e;
    if (x->keep && !x->urgent && e->fetch_head != x && e->fetch_held + n > e->fetch_budget) {
        x->paused = 1;
        return CURL_WRITEFUNC_PAUSE;
    }
    if (r->body_len + n > x->max_body) {
        x->over_cap = 1;
        return 0; /* aborts the transfer now, not after the download */
    }
    if (x->keep) {
        if (r->body_len + n + 1 > x->cap) {
            size_t cap = x->cap ? x->cap * 2 : 64 * 1024;
            /* The first block is as large as the Content-Length says (when
             * the body is not compressed): one buffer instead of growing by
             * copies, whose copying and page faults cost a measurable share
             * of a worker's time (docs/platform-notes.md). */
            curl_off_t cl = -1;
            if (!x->cap &&
                curl_easy_getinfo(x->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK &&
                cl > 0 && (uint64_t)cl < x->max_body && (size_t)cl + 1 > cap)
                cap = (size_t)cl + 1;
            while (cap < r->body_len + n + 1)
                cap *= 2;
            if (cap > x->max_body + 1)
                cap = x->max_body + 1;
            char *nb = arena_resize(x->a, r->body, x->cap, cap);
            if (!nb) {
                x->nomem = 1;
                return 0;
            }
            r->body = nb;
            x->cap = cap;
        }
        memcpy(r->body + r->body_len, data, n);
        x->held += n;
        e->fetch_held += n;
    }
    r->body_len += n;
    return n;
}

static int address_is_private(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        uint32_t ip = ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr);
        return (ip >> 24) == 0 || (ip >> 24) == 10 || (ip >> 24) == 127 ||
               (ip >> 16) == 0xA9FE ||          /* 169.254/16 link-local */
               (ip >> 20) == 0xAC1 ||           /* 172.16/12 */
               (ip >> 16) == 0xC0A8 ||          /* 192.168/16 */
               (ip >> 22) == (100u << 2 | 1) || /* 100.64/10 CGNAT */
               (ip >> 28) >= 0xE;               /* multicast, reserved */
    }
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LINKLOCAL(a) ||
            IN6_IS_ADDR_SITELOCAL(a) || IN6_IS_ADDR_MULTICAST(a) || (a->s6_addr[0] & 0xFE) == 0xFC)
            return 1;
        /* IPv6 forms that carry an IPv4 address: v4-mapped ::ffff:a.b.c.d,
         * v4-compatible ::a.b.c.d (deprecated, still routed by some stacks),
         * NAT64 64:ff9b::a.b.c.d (RFC 6052) and 6to4 2002:AABB:CCDD::/48:
         * private when the IPv4 address in them is. */
        static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b};
        const unsigned char *v4 = NULL;
        if (IN6_IS_ADDR_V4MAPPED(a) || IN6_IS_ADDR_V4COMPAT(a) ||
            memcmp(a->s6_addr, nat64, sizeof(nat64)) == 0)
            v4 = a->s6_addr + 12;
        else if (a->s6_addr[0] == 0x20 && a->s6_addr[1] == 0x02)
            v4 = a->s6_addr + 2;
        if (v4) {
            struct sockaddr_in sin = {.sin_family = AF_INET};
            memcpy(&sin.sin_addr, v4, 4);
            return address_is_private((struct sockaddr *)&sin);
        }
        return 0;
    }
    return 1;
}

/* ---- sessions: headers, credentials, proxies (docs/worker.md, Sessions) ---- */

/* scheme, host and port of url (the port made explicit) into out; -1
 * when url has none. */
static int url_origin(const char *url, char *out, size_t cap)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL;
    int rc = -1;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
        snprintf(out, cap, "%s://%s:%s", scheme, host, port);
        for (char *p = out; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        rc = 0;
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

/* 1 when the credentials of s may go with a request for url: url is on the
 * origin of the task's own URL (crawld sends them only in a task on the
 * seeds' origin). A script's request to another origin gets none. */
static int auth_allowed(const fetch_session *s, const char *url)
{
    char a[600], b[600];
    return s->auth_url && url_origin(s->auth_url, a, sizeof(a)) == 0 &&
           url_origin(url, b, sizeof(b)) == 0 && strcmp(a, b) == 0;
}

/* 1 when the worker's header line l is one the session's lines replace. */
static int replaced(const char *l, const char *lines)
{
    size_t n = strcspn(l, ":");
    return l[n] == ':' && session_header_secret(l, n, lines);
}

/* Through a proxy the socket opened is the proxy's, trusted (an operator
 * configured it); the address rule then applies to the target host of
 * each request: an IP literal that is private, a *.localhost name, or (an
 * http:// proxy) a name whose addresses resolve to a private one here. A
 * socks5h:// proxy resolves names itself: those are not checked
 * (docs/worker.md). Checked when a connection to the proxy opens (a SOCKS
 * tunnel reaches its target while it connects) and again before each
 * request is sent (an http:// proxy's connection is reused across hosts).
 * 1 when the current hop's target is refused (x->blocked_addr says it). */
static int proxied_target_blocked(xfer *x)
{
    if (x->allow_private || !x->proxied)
        return 0;
    char *eff = NULL, *host = NULL;
    curl_easy_getinfo(x->h, CURLINFO_EFFECTIVE_URL, &eff);
    CURLU *u = curl_url();
    int bad = 1;
    if (u && eff && curl_url_set(u, CURLUPART_URL, eff, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        bad = fetch_host_private(host, !x->proxy_resolves);
        if (bad)
            snprintf(x->blocked_addr, sizeof(x->blocked_addr), "%.47s", host);
    }
    curl_free(host);
    curl_url_cleanup(u);
    return bad;
}

static int on_prereq(void *ud, char *conn_primary_ip, char *conn_local_ip, int conn_primary_port,
                     int conn_local_port)
{
    (void)conn_primary_ip, (void)conn_local_ip, (void)conn_primary_port, (void)conn_local_port;
    return proxied_target_blocked(ud) ? CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
}

int fetch_host_private(const char *host, int resolve)
{
    char h[300];
    size_t n = strlen(host);
    if (n == 0 || n >= sizeof(h))
        return 1;
    memcpy(h, host, n + 1);
    if (h[0] == '[' && h[n - 1] == ']') { /* an IPv6 literal */
        memmove(h, h + 1, n - 2);
        h[n - 2] = '\0';
    }
    for (char *p = h; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    struct sockaddr_in s4 = {.sin_family = AF_INET};
    struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
    if (inet_pton(AF_INET, h, &s4.sin_addr) == 1)
        return address_is_private((struct sockaddr *)&s4);
    if (inet_pton(AF_INET6, h, &s6.sin6_addr) == 1)
        return address_is_private((struct sockaddr *)&s6);
    n = strlen(h);
    if (n && h[n - 1] == '.')
        h[--n] = '\0';
    if (strcmp(h, "localhost") == 0 || (n > 10 && strcmp(h + n - 10, ".localhost") == 0))
        return 1;
    if (!resolve)
        return 0;
    /* Blocking, once per request through an http:// proxy when private
     * addresses are refused: the cost of checking what the proxy will
     * connect to. A name that does not resolve here is left to the proxy. */
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(h, NULL, &hints, &res) != 0)
        return 0;
    int bad = 0;
    for (struct addrinfo *ai = res; ai && !bad; ai = ai->ai_next)
        bad = address_is_private(ai->ai_addr);
    freeaddrinfo(res);
    return bad;
}

/* Sets h up for the session: header lines (with the worker's and a
 * script's request lines) into x->req_headers, credentials for the task's
 * origin, the proxy (the job's, else [network] proxy). 0, or -1 (OOM). */
static int session_setup(worker_env *e, xfer *x, CURL *h, const fetch_opts *o)
{
    const fetch_session *s = o ? o->session : NULL;
    const crawld_config *c = &e->cfg;
    const char *lines = s ? s->headers : NULL;
    if (lines || (o && o->n_req_headers > 0)) {
        /* The worker's headers first, less those the session replaces; a
         * request's header of the same name comes later and curl sends
         * both, so scripts add, never replace, Accept and Accept-Language. */
        for (struct curl_slist *l = e->headers; l; l = l->next) {
            if (lines && replaced(l->data, lines))
                continue;
            struct curl_slist *n = curl_slist_append(x->req_headers, l->data);
            if (!n)
                return -1;
            x->req_headers = n;
        }
        for (const char *l = lines; l && *l;) {
            size_t len = strcspn(l, "\n");
            char line[SESSION_MAX_HEADER_LEN + 1];
            snprintf(line, sizeof(line), "%.*s", (int)len, l);
            struct curl_slist *n = curl_slist_append(x->req_headers, line);
            if (!n)
                return -1;
            x->req_headers = n;
            l += len + (l[len] == '\n');
        }
        for (int i = 0; o && i < o->n_req_headers; i++) {
            struct curl_slist *n = curl_slist_append(x->req_headers, o->req_headers[i]);
            if (!n)
                return -1;
            x->req_headers = n;
        }
    }
    x->secret_names = lines;
    /* Credentials: the task's origin only; curl drops them on a redirect
     * to another host or port (CURLOPT_UNRESTRICTED_AUTH stays 0). */
    curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
    if (s && (s->user || s->bearer) && auth_allowed(s, x->url)) {
        if (s->user) {
            curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
            curl_easy_setopt(h, CURLOPT_USERPWD, s->user);
        } else {
            curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
            curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, s->bearer);
        }
    }
    const char *proxy = s && s->proxy ? s->proxy : c->proxy[0] ? c->proxy : NULL;
    if (proxy) {
        curl_easy_setopt(h, CURLOPT_PROXY, proxy);
        if (proxy == c->proxy && c->proxy_user[0])
            curl_easy_setopt(h, CURLOPT_PROXYUSERPWD, c->proxy_user);
        x->proxied = 1;
        x->proxy_resolves = strncasecmp(proxy, "socks5h://", 10) == 0;
        curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, on_prereq);
        curl_easy_setopt(h, CURLOPT_PREREQDATA, x);
    } else {
        curl_easy_setopt(h, CURLOPT_PROXY, ""); /* not the environment's either */
    }
    return 0;
}

/* A capture's request blocks with the secrets' values replaced (an
 * Authorization, a Proxy-Authorization, the session's header lines):
 * nothing written out carries them. -1 on OOM. */
static int redact_exchanges(xfer *x)
{
    for (fetch_exchange *ex = x->r->exchanges; ex; ex = ex->next) {
        size_t need = session_redact_block(ex->req, ex->req_len, x->secret_names, NULL, 0);
        char *out = arena_alloc(x->a, need + 1);
        if (!out)
            return -1;
        session_redact_block(ex->req, ex->req_len, x->secret_names, out, need);
        ex->req = out;
        ex->req_len = ex->req_cap = need;
    }
    return 0;
}

/* ---- end of the session block ---- */

static curl_socket_t on_open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *addr)
{
    xfer *x = ud;
    (void)purpose;
    /* through a proxy: the proxy's socket, trusted; the target is checked */
    if (x->proxied && proxied_target_blocked(x))
        return CURL_SOCKET_BAD;
    if (!x->allow_private && !x->proxied && address_is_private(&addr->addr)) {
        const void *ip = addr->family == AF_INET
                             ? (const void *)&((struct sockaddr_in *)&addr->addr)->sin_addr
                             : (const void *)&((struct sockaddr_in6 *)&addr->addr)->sin6_addr;
        inet_ntop(addr->family, ip, x->blocked_addr, sizeof(x->blocked_addr));
        return CURL_SOCKET_BAD;
    }
    return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

static void inflight_unlink(worker_env *e, xfer *x)
{
    if (!x->in_flight)
        return;
    if (x->prev)
        x->prev->next = x->next;
    else
        e->fetch_head = x->next;
    if (x->next)
        x->next->prev = x->prev;
    else
        e->fetch_tail = x->prev;
    x->prev = x->next = NULL;
    x->in_flight = 0;
    e->fetch_inflight--;
}

/* Paused transfers go on, oldest first, while the budget allows; the
 * oldest in flight always does. */
static void resume_paused(worker_env *e)
{
    for (xfer *x = e->fetch_head; x; x = x->next) {
        if (!x->paused)
            continue;
        if (x != e->fetch_head && e->fetch_held >= e->fetch_budget)
            break;
        x->paused = 0;
        curl_easy_pause(x->h, CURLPAUSE_CONT); /* may pause it again at once */
    }
}

/* ---- the job's cookie jar (fetch_opts.jar) ---- */

/* Bytes of cookie lines one transfer reports at most: the daemon keeps
 * far fewer (cookie.h), this bounds what a hostile site can make us send. */
#define FETCH_MAX_COOKIE_BYTES (256 << 10)

int fetch_jar_load(CURL *h, const char *lines)
{
    char line[COOKIE_MAX_LINE + 1];
    for (const char *p = lines; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n && n <= COOKIE_MAX_LINE) {
            memcpy(line, p, n);
            line[n] = '\0';
            if (curl_easy_setopt(h, CURLOPT_COOKIELIST, line) != CURLE_OK)
                return -1;
        }
        p += n + (nl != NULL);
    }
    return 0;
}

/* Turns curl's cookie engine on for x and loads lines (curl matches them to
 * every request of the transfer, redirects included); keeps the jar's
 * lines as curl has them. 0, or -1 when curl could not. */
static int jar_load(xfer *x, const char *lines)
{
    x->jar = 1;
    if (curl_easy_setopt(x->h, CURLOPT_COOKIEFILE, "") != CURLE_OK ||
        fetch_jar_load(x->h, lines) < 0)
        return -1;
    return curl_easy_getinfo(x->h, CURLINFO_COOKIELIST, &x->jar_before) == CURLE_OK ? 0 : -1;
}

/* The same cookie (domain, path, name) as c in list, or NULL. */
static const char *jar_find(const struct curl_slist *list, const cookie_line *c)
{
    char why[8];
    for (; list; list = list->next) {
        cookie_line d;
        if (cookie_parse(list->data, strlen(list->data), &d, why, sizeof(why)) == 0 &&
            d.domain_len == c->domain_len && strncasecmp(d.domain, c->domain, d.domain_len) == 0 &&
            d.path_len == c->path_len && memcmp(d.path, c->path, d.path_len) == 0 &&
            d.name_len == c->name_len && memcmp(d.name, c->name, d.name_len) == 0)
            return list->data;
    }
    return NULL;
}

static int jar_listed(const struct curl_slist *list, const char *line)
{
    for (; list; list = list->next)
        if (strcmp(list->data, line) == 0)
            return 1;
    return 0;
}

int fetch_jar_diff(arena *a, const struct curl_slist *before, const struct curl_slist *after,
                   const char **out_lines, size_t *out_len)
{
    *out_lines = NULL;
    *out_len = 0;
    size_t cap = 0;
    for (const struct curl_slist *l = after; l; l = l->next)
        cap += strlen(l->data) + 1;
    for (const struct curl_slist *l = before; l; l = l->next)
        cap += strlen(l->data) + 2;
    /* one more for the NUL: fetch_jar_load reads the lines as a string */
    char *out = cap ? arena_alloc(a, cap + 1) : NULL, *q = out;
    if (cap && !out)
        return -1;
    char why[8];
    for (const struct curl_slist *l = after; out && l; l = l->next) {
        size_t n = strlen(l->data);
        if (jar_listed(before, l->data) || n > COOKIE_MAX_LINE ||
            (size_t)(q - out) + n + 1 > FETCH_MAX_COOKIE_BYTES)
            continue;
        memcpy(q, l->data, n);
        q += n;
        *q++ = '\n';
    }
    for (const struct curl_slist *l = before; out && l; l = l->next) {
        cookie_line c;
        if (cookie_parse(l->data, strlen(l->data), &c, why, sizeof(why)) != 0 ||
            jar_find(after, &c))
            continue;
        /* fields 1-4 as they were, expires 1, name and value */
        const char *p = l->data;
        for (int tabs = 0; *p && tabs < 4; p++)
            tabs += *p == '\t';
        const char *rest = strchr(p, '\t');
        if (!rest || (size_t)(q - out) + strlen(l->data) + 2 > FETCH_MAX_COOKIE_BYTES)
            continue;
        memcpy(q, l->data, (size_t)(p - l->data));
        q += p - l->data;
        *q++ = '1';
        memcpy(q, rest, strlen(rest));
        q += strlen(rest);
        *q++ = '\n';
    }
    if (out)
        *q = '\0';
    if (q > out) {
        *out_lines = out;
        *out_len = (size_t)(q - out);
    }
    return 0;
}

/* r->cookies: what the transfer's responses changed in its jar. */
static void jar_diff(xfer *x, fetch_result *r)
{
    struct curl_slist *after = NULL;
    if (curl_easy_getinfo(x->h, CURLINFO_COOKIELIST, &after) != CURLE_OK)
        return;
    fetch_jar_diff(x->a, x->jar_before, after, &r->cookies, &r->cookies_len);
    curl_slist_free_all(after);
}

static void jar_free(xfer *x)
{
    curl_slist_free_all(x->jar_before);
    x->jar_before = NULL;
}

fetch_err fetch_begin(worker_env *e, arena *a, const char *url, const fetch_opts *o,
                      fetch_result *r, xfer *x, int urgent)
{
    memset(r, 0, sizeof(*r));
    memset(x, 0, sizeof(*x));
    const crawld_config *c = &e->cfg;
    x->e = e;
    x->a = a;
    x->r = r;
    x->url = url;
    x->urgent = urgent;
    x->allow_private = e->allow_private;
    x->keep_any = o && o->keep_any;
    x->capture = o && o->capture;
    long timeout = o && o->timeout_ms > 0 ? o->timeout_ms : c->page_timeout_ms;
    x->max_body = o && o->max_body ? o->max_body : (size_t)c->max_body_mb << 20;
    long redirs = o && o->max_redirects >= 0 ? o->max_redirects : c->max_redirects;

    CURL *h = curl_easy_init();
    if (!h)
        goto nomem;
    x->h = h;
    curl_easy_setopt(h, CURLOPT_PRIVATE, x);
    curl_easy_setopt(h, CURLOPT_SHARE, e->share); /* TLS sessions */
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, redirs);
    curl_easy_setopt(h, CURLOPT_AUTOREFERER, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, e->user_agent);
    if (session_setup(e, x, h, o) < 0)
        goto nomem;
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->req_headers ? x->req_headers : e->headers);
    if (o && o->method && strcmp(o->method, "GET") != 0) {
        if (strcmp(o->method, "HEAD") == 0)
            curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
        else if (strcmp(o->method, "POST") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, o->method);
        if (strcmp(o->method, "HEAD") != 0 && (o->req_body || strcmp(o->method, "POST") == 0)) {
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)o->req_body_len);
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, o->req_body ? o->req_body : "");
        }
    }
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* every decoder curl has */
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms);
    if (c->low_speed_bytes > 0) {
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, (long)c->low_speed_bytes);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)(c->low_speed_time_ms + 999) / 1000);
    }
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max_body);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    /* [network] ca_file replaces the system's CAs. Without a CA directory
     * curl caches the store it built from the file (CURLOPT_CA_CACHE_TIMEOUT,
     * 24 h) in the multi, which lives as long as the worker: read once per
     * worker, not at every TLS connection (docs/platform-notes.md). */
    if (c->ca_file[0]) {
        curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
        curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
    }
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, x);
    if (x->capture) { /* the debug callback only runs with VERBOSE on */
        curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
        curl_easy_setopt(h, CURLOPT_DEBUGDATA, x);
        curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    }
    if (o && o->jar && jar_load(x, o->cookies) < 0)
        goto nomem;
    if (curl_multi_add_handle(e->multi, h) != CURLM_OK)
        goto nomem;
    x->in_flight = 1;
    x->prev = e->fetch_tail;
    if (e->fetch_tail)
        e->fetch_tail->next = x;
    else
        e->fetch_head = x;
    e->fetch_tail = x;
    e->fetch_inflight++;
    return FETCH_OK;

nomem:
    jar_free(x);
    if (h)
        curl_easy_cleanup(h);
    x->h = NULL;
    curl_slist_free_all(x->req_headers);
    x->req_headers = NULL;
    x->done = 1;
    x->rc = CURLE_OUT_OF_MEMORY;
    r->err = FETCH_NOMEM;
    r->err_detail = "no curl handle for the transfer";
    r->final_url = arena_strdup(a, url);
    return r->err;
}

int fetch_step(worker_env *e, int extra_fd, int timeout_ms)
{
    struct curl_waitfd wfd = {.fd = extra_fd, .events = CURL_WAIT_POLLIN};
    int ready = 0;
    if (curl_multi_poll(e->multi, extra_fd >= 0 ? &wfd : NULL, extra_fd >= 0 ? 1 : 0, timeout_ms,
                        NULL) != CURLM_OK)
        return -1;
    if (extra_fd >= 0 && (wfd.revents & (CURL_WAIT_POLLIN | CURL_WAIT_POLLPRI)))
        ready = 1;
    int running = 0;
    if (curl_multi_perform(e->multi, &running) != CURLM_OK)
        return -1;
    CURLMsg *m;
    int left = 0;
    while ((m = curl_multi_info_read(e->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        xfer *x = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        CURLcode rc = m->data.result; /* m is invalid after the removal */
        curl_multi_remove_handle(e->multi, m->easy_handle);
        if (!x)
            continue;
        inflight_unlink(e, x);
        x->paused = 0;
        x->done = 1;
        x->rc = rc;
        if (x->on_done)
            x->on_done(x, x->done_ud);
    }
    resume_paused(e);
    return ready;
}

void fetch_wait(worker_env *e, xfer *x)
{
    while (!x->done) {
        if (e->net_step) {
            if (e->net_step(e, 100) < 0)
                break;
        } else if (fetch_step(e, -1, 100) < 0) {
            break;
        }
    }
}

fetch_err fetch_finish(xfer *x)
{
    fetch_result *r = x->r;
    if (!x->h)
        return r->err; /* fetch_begin failed: r says why */
    arena *a = x->a;
    CURL *h = x->h;
    CURLcode rc = x->done ? (CURLcode)x->rc : CURLE_ABORTED_BY_CALLBACK;
    const char *url = x->url;

    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    char *eff = NULL;
    curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff);
    r->final_url = arena_strdup(a, eff ? eff : url);
    char *ct = NULL;
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
    if (ct) {
        r->content_type = arena_strdup(a, ct);
        parse_content_type(a, ct, &r->mime, &r->charset);
    }
    long rcount = 0;
    curl_easy_getinfo(h, CURLINFO_REDIRECT_COUNT, &rcount);
    r->redirects = (int)rcount;
    curl_off_t dl = 0;
    curl_easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T, &dl);
    r->wire_bytes = (size_t)dl;
    long ver = 0;
    curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &ver);
    r->http_version = ver == CURL_HTTP_VERSION_1_0   ? 10
                      : ver == CURL_HTTP_VERSION_1_1 ? 11
                      : ver == CURL_HTTP_VERSION_2_0 ? 20
                      : ver == CURL_HTTP_VERSION_3   ? 30
                                                     : 0;
    curl_off_t total_us = 0;
    curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &total_us);
    r->fetch_ms = (double)total_us / 1000.0;
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &r->new_connects);
    curl_off_t dns_us = 0;
    curl_easy_getinfo(h, CURLINFO_NAMELOOKUP_TIME_T, &dns_us);
    r->dns_ms = (double)dns_us / 1000.0;
    /* Retry-After: curl parses both forms; a header it could not read (or
     * none) is -1, so "Retry-After: 0" stays a wait of 0 seconds. */
    r->retry_after_s = -1;
    struct curl_header *ra = NULL;
    curl_off_t ra_s = 0;
    if (curl_easy_header(h, "Retry-After", 0, CURLH_HEADER, -1, &ra) == CURLHE_OK &&
        curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &ra_s) == CURLE_OK && ra_s >= 0)
        r->retry_after_s = (long long)ra_s;

    rule_headers(h, a, r);
    if (x->jar) /* what the responses set is kept even when the page fails */
        jar_diff(x, r);

    if (r->body)
        r->body[r->body_len] = '\0';
    r->is_html = r->body != NULL && (r->mime == NULL || mime_is_html(r->mime));

    if (x->capture && !x->capture_nomem && redact_exchanges(x) < 0)
        x->capture_nomem = 1;
    if (rc == CURLE_OK && !x->capture_nomem) {
        r->err = FETCH_OK;
        goto out;
    }
    const char *detail = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);
    if (x->over_cap || rc == CURLE_FILESIZE_EXCEEDED) {
        r->err = FETCH_TOO_LARGE;
        r->err_detail = arena_sprintf(a, "body passed %zu bytes", x->max_body);
    } else if (x->nomem) {
        r->err = FETCH_NOMEM;
        r->err_detail = arena_sprintf(a, "body buffer of %zu bytes", x->cap * 2);
    } else if (x->capture_nomem) {
        r->err = FETCH_NOMEM;
        r->err_detail = "the exchange's header blocks (WARC capture)";
    } else if (x->blocked_addr[0]) {
        r->err = FETCH_BLOCKED;
        r->err_detail = x->proxied
                            ? arena_sprintf(a, "private host %s not allowed (through the proxy)",
                                            x->blocked_addr)
                            : arena_sprintf(a, "private address %s not allowed", x->blocked_addr);
    } else if (rc == CURLE_UNSUPPORTED_PROTOCOL && r->redirects > 0) {
        /* curl names only the scheme, and its effective URL is then the
         * refused target: the page ends at the hop that redirected. */
        r->err = FETCH_URL;
        r->err_detail = arena_sprintf(a,
                                      "redirect to %.300s refused: only http and https are "
                                      "followed",
                                      r->final_url ? r->final_url : "?");
        if (x->hop_url)
            r->final_url = x->hop_url;
    } else {
        r->err = fetch_err_from_curl(rc);
        r->err_detail = arena_strdup(a, detail);
    }
    r->body = NULL; /* a failed page keeps no partial body */
    r->exchanges = NULL;
    r->nexchanges = 0;
    r->is_html = 0;
out:
    if (x->in_flight) { /* finished before it was over: never the case from fetch_wait */
        curl_multi_remove_handle(x->e->multi, h);
        inflight_unlink(x->e, x);
    }
    curl_easy_cleanup(h);
    x->h = NULL;
    jar_free(x);
    curl_slist_free_all(x->req_headers);
    x->req_headers = NULL;
    return r->err;
}

void fetch_release(worker_env *e, xfer *x)
{
    if (!x->e)
        return; /* never begun */
    if (x->in_flight) {
        curl_multi_remove_handle(e->multi, x->h);
        inflight_unlink(e, x);
    }
    if (x->h) {
        curl_easy_cleanup(x->h);
        x->h = NULL;
    }
    jar_free(x);
    curl_slist_free_all(x->req_headers);
    x->req_headers = NULL;
    e->fetch_held -= x->held;
    x->held = 0;
    resume_paused(e);
}

fetch_err fetch_page(worker_env *e, arena *a, const char *url, const fetch_opts *o, fetch_result *r)
{
    xfer x;
    if (fetch_begin(e, a, url, o, r, &x, 1) == FETCH_OK) {
        fetch_wait(e, &x);
        fetch_finish(&x);
    }
    fetch_release(e, &x);
    return r->err;
}
