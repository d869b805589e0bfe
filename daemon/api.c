/* api — see api.h. One file over ~900 lines on purpose: libmicrohttpd's
 * callbacks (accept policy, request, completion, the resumed long polls)
 * share the one private connection state, and the routes only translate
 * HTTP to the control commands (command_handle): the logic lives there. */
#include "api.h"
#include "alloc.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define API_FILE_MAX (1 << 20) /* a token, certificate or key file */

typedef enum route {
    R_NONE,
    R_JOBS,    /* /v1/jobs: GET list, POST submit */
    R_JOB,     /* /v1/jobs/{id}: GET (?wait=MS) */
    R_ACTION,  /* /v1/jobs/{id}/pause|resume|cancel: POST */
    R_PAGES,   /* /v1/jobs/{id}/pages: GET (?from=&wait=&max_bytes=) */
    R_STATUS,  /* /v1/status: GET */
    R_METRICS, /* /metrics: GET */
    R_CONTENT, /* /v1/jobs/{id}/content: GET (?from=&wait=&max_bytes=), content.jsonl.zst */
} route;

struct api_req {
    api *a;
    struct MHD_Connection *conn;
    api_req *prev, *next; /* a->parked */
    route rt;
    int post;                           /* the method is POST (else GET) */
    long long id;                       /* R_JOB, R_ACTION, R_PAGES */
    const char *action;                 /* R_ACTION: "pause", "resume" or "cancel" */
    long long wait_ms, from, max_bytes; /* query; -1: not given */
    char *body;                         /* process allocator, cap bytes */
    size_t len, cap;
    int too_big;
    int answered; /* a response is queued */
    json_t *req;  /* parked: the control request */
    uint64_t park_until;
    json_t *reply; /* a parked request's answer, once there */
};

/* ---- tokens ---- */

static void tokens_free(char **t, int n)
{
    for (int i = 0; i < n; i++) {
        explicit_bzero(t[i], API_TOKEN_MAX + 1);
        alloc_free(t[i], API_TOKEN_MAX + 1);
        t[i] = NULL;
    }
}

/* Reads a whole file of at most API_FILE_MAX bytes, NUL-terminated, into
 * *out (process allocator, *len + 1 bytes); mode0600 refuses a file group
 * or others may use. 0, or -1 with err. */
static int file_read(const char *key, const char *path, int mode0600, char **out, size_t *len,
                     char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    char *buf = NULL;
    size_t n = 0;
    int rc = -1;
    struct stat st;
    if (fd < 0) {
        snprintf(err, errlen, "[api] %s: cannot read %.200s: %s", key, path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "[api] %s: %.200s is not a regular file", key, path);
        goto out;
    }
    if (mode0600 && (st.st_mode & 077)) {
        snprintf(err, errlen,
                 "[api] %s: %.200s has mode %04o; it must be 0600 (no access for group or "
                 "others)",
                 key, path, (unsigned)(st.st_mode & 07777));
        goto out;
    }
    if (st.st_size > API_FILE_MAX) {
        snprintf(err, errlen, "[api] %s: %.200s is larger than %d bytes", key, path, API_FILE_MAX);
        goto out;
    }
    buf = alloc_new((size_t)st.st_size + 1);
    if (!buf) {
        snprintf(err, errlen, "[api] %s: out of memory", key);
        goto out;
    }
    while (n < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            snprintf(err, errlen, "[api] %s: cannot read %.200s: %s", key, path,
                     r < 0 ? strerror(errno) : "file shrank");
            goto out;
        }
        n += (size_t)r;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    buf = NULL;
    rc = 0;
out:
    if (buf) {
        explicit_bzero(buf, (size_t)st.st_size + 1);
        alloc_free(buf, (size_t)st.st_size + 1);
    }
    close(fd);
    return rc;
}

/* One token a line; blank lines and lines starting with '#' are skipped;
 * blanks around a token are dropped. */
static int tokens_parse(char *text, const char *path, char **t, int *nt, char *err, size_t errlen)
{
    int n = 0, line = 0;
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        char *end = nl ? nl : p + strlen(p);
        char *next = nl ? nl + 1 : end;
        line++;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
            end--;
        size_t len = (size_t)(end - p);
        if (len && *p != '#') {
            int bad = len > API_TOKEN_MAX;
            for (char *q = p; q < end && !bad; q++)
                bad = *q <= ' ' || *q >= 127;
            if (bad || n == API_MAX_TOKENS) {
                snprintf(err, errlen,
                         n == API_MAX_TOKENS
                             ? "[api] token_file: %.200s:%d: more than %d tokens"
                             : "[api] token_file: %.200s:%d: a token is 1..%d printable bytes "
                               "without blanks",
                         path, line, n == API_MAX_TOKENS ? API_MAX_TOKENS : API_TOKEN_MAX);
                tokens_free(t, n);
                return -1;
            }
            t[n] = alloc_zeroed(API_TOKEN_MAX + 1);
            if (!t[n]) {
                snprintf(err, errlen, "[api] token_file: out of memory");
                tokens_free(t, n);
                return -1;
            }
            memcpy(t[n++], p, len);
        }
        p = next;
    }
    if (n == 0) {
        snprintf(err, errlen, "[api] token_file: %.200s holds no token", path);
        return -1;
    }
    *nt = n;
    return 0;
}

int api_reload_tokens(api *a, const char *path, char *err, size_t errlen)
{
    char *text = NULL, *t[API_MAX_TOKENS] = {0};
    size_t len = 0;
    int n = 0;
    if (file_read("token_file", path, 1, &text, &len, err, errlen) < 0)
        return -1;
    int rc = tokens_parse(text, path, t, &n, err, errlen);
    explicit_bzero(text, len);
    alloc_free(text, len + 1);
    if (rc < 0)
        return -1;
    tokens_free(a->tokens, a->ntokens);
    memcpy(a->tokens, t, sizeof(t));
    a->ntokens = n;
    return 0;
}

/* The Authorization header's bearer token is one of the tokens. Every
 * token is compared over all API_TOKEN_MAX bytes, whatever matched and
 * wherever they differ: the time says nothing about a token. */
static int authorized(api *a, struct MHD_Connection *conn)
{
    const char *h =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return 0;
    h += 7;
    while (*h == ' ')
        h++;
    size_t glen = strlen(h);
    int ok = 0;
    for (int i = 0; i < a->ntokens; i++) {
        const unsigned char *t = (const unsigned char *)a->tokens[i];
        unsigned diff = glen > API_TOKEN_MAX;
        size_t tlen = 0;
        for (size_t k = 0; k <= API_TOKEN_MAX; k++) {
            unsigned char g = k < glen ? (unsigned char)h[k] : 0;
            diff |= (unsigned)(g ^ t[k]);
            tlen += t[k] != 0;
        }
        diff |= tlen != glen;
        ok |= diff == 0;
    }
    return ok;
}

/* ---- responses ---- */

static char *dump(const json_t *o)
{
    return json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15)); /* as control.c */
}

static void dump_free(char *s)
{
    json_free_t jfree;
    json_get_alloc_funcs(NULL, &jfree);
    if (s)
        jfree(s);
}

static void log_answer(api_req *r, unsigned status)
{
    static const char *names[] = {"none",  "jobs",   "job",     "action",
                                  "pages", "status", "metrics", "content"};
    log_debug("api", "answered", "route=%s method=%s id=%lld status=%u", names[r->rt],
              r->post ? "POST" : "GET", r->id, status);
}

/* Queues body (copied) with status; hdrs: NULL-terminated name, value pairs. */
static enum MHD_Result send_body(api_req *r, unsigned status, const char *ctype, const char *body,
                                 size_t len, const char *const *hdrs)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    for (; hdrs && hdrs[0]; hdrs += 2)
        MHD_add_response_header(resp, hdrs[0], hdrs[1]);
    enum MHD_Result rc = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    r->answered = 1;
    log_answer(r, status);
    return rc;
}

/* Queues o (a JSON object; its reference is taken) with status. */
static enum MHD_Result send_json(api_req *r, unsigned status, json_t *o, const char *const *hdrs)
{
    char *s = o ? dump(o) : NULL;
    json_decref(o);
    if (!s)
        return send_body(r, 500, "application/json", "{\"ok\":false,\"error\":\"internal error\"}",
                         37, NULL);
    size_t n = strlen(s);
    s[n] = '\n'; /* the NUL goes; the length says where the body ends */
    enum MHD_Result rc = send_body(r, status, "application/json", s, n + 1, hdrs);
    s[n] = '\0';
    dump_free(s);
    return rc;
}

static enum MHD_Result send_error(api_req *r, unsigned status, const char *const *hdrs,
                                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static enum MHD_Result send_error(api_req *r, unsigned status, const char *const *hdrs,
                                  const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_t *o = json_pack("{s:b, s:s}", "ok", 0, "error", msg);
    if (!o) { /* a path that is not UTF-8 in the message: its bytes become '?' */
        for (char *p = msg; *p; p++)
            if ((unsigned char)*p >= 0x80 || (unsigned char)*p < 0x20)
                *p = '?';
        o = json_pack("{s:b, s:s}", "ok", 0, "error", msg);
    }
    return send_json(r, status, o, hdrs);
}

/* The HTTP status of a control command's refusal. */
static unsigned refusal_status(const api_req *r, const char *msg)
{
    if (strstr(msg, ": no job "))
        return MHD_HTTP_NOT_FOUND;
    if (strstr(msg, "draining") || strstr(msg, "stopping"))
        return MHD_HTTP_SERVICE_UNAVAILABLE;
    if (strstr(msg, "state database") || strstr(msg, "out of memory"))
        return MHD_HTTP_INTERNAL_SERVER_ERROR;
    if (r->rt == R_ACTION) /* the job is in a state the action does not apply to */
        return MHD_HTTP_CONFLICT;
    return MHD_HTTP_BAD_REQUEST;
}

/* Turns the control reply into the route's answer; the reference is taken. */
static enum MHD_Result send_reply(api_req *r, json_t *reply)
{
    if (!reply)
        return send_error(r, 500, NULL, "internal error");
    if (!json_is_true(json_object_get(reply, "ok"))) {
        const char *msg = json_string_value(json_object_get(reply, "error"));
        return send_json(r, refusal_status(r, msg ? msg : ""), reply, NULL);
    }
    enum MHD_Result rc;
    if (r->rt == R_METRICS) {
        json_t *m = json_object_get(reply, "metrics");
        rc = send_body(r, 200, "text/plain; version=0.0.4; charset=utf-8", json_string_value(m),
                       json_string_length(m), NULL);
    } else if (r->rt == R_PAGES) {
        json_t *data = json_object_get(reply, "data");
        char next[32];
        snprintf(next, sizeof(next), "%lld",
                 (long long)json_integer_value(json_object_get(reply, "next")));
        const char *hdrs[] = {"Crawld-Next-Offset", next, "Crawld-Job-Ended",
                              json_is_true(json_object_get(reply, "ended")) ? "true" : "false",
                              NULL};
        rc = send_body(r, 200, "application/x-ndjson",
                       json_is_string(data) ? json_string_value(data) : "",
                       json_string_length(data), hdrs);
    } else if (r->rt == R_CONTENT) { /* the bytes as they are: base64 only in the JSON */
        json_t *data = json_object_get(reply, "data");
        size_t n64 = json_string_length(data);
        unsigned char *bytes = alloc_new(n64 / 4 * 3 + 1);
        int n =
            bytes && n64
                ? EVP_DecodeBlock(bytes, (const unsigned char *)json_string_value(data), (int)n64)
                : 0;
        if (!bytes || n < 0) {
            alloc_free(bytes, n64 / 4 * 3 + 1);
            json_decref(reply);
            return send_error(r, 500, NULL, "internal error");
        }
        /* EVP_DecodeBlock counts the padding's zero bytes too */
        const char *s64 = json_string_value(data);
        for (size_t i = n64; i > 0 && s64[i - 1] == '='; i--)
            n--;
        char next[32];
        snprintf(next, sizeof(next), "%lld",
                 (long long)json_integer_value(json_object_get(reply, "next")));
        const char *hdrs[] = {"Crawld-Next-Offset", next, "Crawld-Job-Ended",
                              json_is_true(json_object_get(reply, "ended")) ? "true" : "false",
                              NULL};
        rc = send_body(r, 200, "application/zstd", (const char *)bytes, (size_t)n, hdrs);
        alloc_free(bytes, n64 / 4 * 3 + 1);
    } else if (r->rt == R_JOBS && r->post) {
        char loc[48];
        snprintf(loc, sizeof(loc), "/v1/jobs/%lld",
                 (long long)json_integer_value(json_object_get(reply, "job")));
        const char *hdrs[] = {MHD_HTTP_HEADER_LOCATION, loc, NULL};
        return send_json(r, MHD_HTTP_CREATED, reply, hdrs);
    } else
        return send_json(r, 200, reply, NULL);
    json_decref(reply);
    return rc;
}

/* ---- parked requests (long polls, as control.c's) ---- */

static void park_arm(api *a);
static void on_mhd_timer(uv_timer_t *t);

static void park_unlink(api *a, api_req *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        a->parked = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->prev = r->next = NULL;
    a->nparked--;
}

/* Runs every parked request again; the answered ones resume (their answer
 * is queued when MHD calls on_request for them again). */
static void park_sweep(api *a, int all_final)
{
    uint64_t now = uv_now(a->loop);
    api_req *next;
    int resumed = 0;
    for (api_req *r = a->parked; r; r = next) {
        next = r->next;
        int final = all_final || now >= r->park_until;
        if (final)
            json_object_set_new(r->req, "wait_ms", json_integer(0));
        json_t *reply = a->handler(a->ud, r->req);
        if (reply == CONTROL_PARK) {
            if (!final)
                continue;
            reply = NULL; /* the handler must answer a final run */
        }
        park_unlink(a, r);
        json_decref(r->req);
        r->req = NULL;
        r->reply = reply ? reply : control_error("internal error");
        MHD_resume_connection(r->conn);
        resumed = 1;
    }
    /* MHD takes resumed connections back in its next run; its epoll fd
     * does not say so (measured: nothing woke the loop), so run it now. */
    if (resumed && !a->closing)
        uv_timer_start(&a->timer, on_mhd_timer, 0, 0);
    park_arm(a);
}

static void on_park_check(uv_check_t *h) { park_sweep(h->data, 0); }
static void on_park_timer(uv_timer_t *h) { (void)h; /* the check after this turn does the work */ }

static void park_arm(api *a)
{
    if (a->nparked == 0) {
        uv_check_stop(&a->park_check);
        uv_timer_stop(&a->park_timer);
        return;
    }
    uint64_t now = uv_now(a->loop), nearest = UINT64_MAX;
    for (api_req *r = a->parked; r; r = r->next)
        if (r->park_until < nearest)
            nearest = r->park_until;
    uv_check_start(&a->park_check, on_park_check);
    uv_timer_start(&a->park_timer, on_park_timer, nearest > now ? nearest - now : 0, 0);
}

/* ---- requests ---- */

/* Runs req (its reference is taken): answers now, or parks it and suspends
 * the connection. */
static enum MHD_Result run(api_req *r, json_t *req)
{
    api *a = r->a;
    if (!req)
        return send_error(r, 500, NULL, "out of memory");
    json_t *reply = a->closing ? control_error("daemon is stopping") : a->handler(a->ud, req);
    if (reply != CONTROL_PARK) {
        json_decref(req);
        return send_reply(r, reply);
    }
    if (r->wait_ms <= 0) { /* never asked to wait: the handler broke its word */
        json_decref(req);
        return send_error(r, 500, NULL, "internal error");
    }
    r->req = req;
    r->park_until = uv_now(a->loop) + (uint64_t)r->wait_ms;
    r->next = a->parked;
    if (a->parked)
        a->parked->prev = r;
    a->parked = r;
    a->nparked++;
    park_arm(a);
    MHD_suspend_connection(r->conn);
    return MHD_YES;
}

/* "12" → 12; -1 when s is not a positive decimal integer. */
static long long parse_id(const char *s, size_t n)
{
    long long v = 0;
    if (n == 0 || n > 15 || s[0] == '0')
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* The route of url; *id and *action for the job routes. */
static route route_of(const char *url, long long *id, const char **action)
{
    if (strcmp(url, "/v1/jobs") == 0)
        return R_JOBS;
    if (strcmp(url, "/v1/status") == 0)
        return R_STATUS;
    if (strcmp(url, "/metrics") == 0)
        return R_METRICS;
    if (strncmp(url, "/v1/jobs/", 9) != 0)
        return R_NONE;
    const char *p = url + 9, *slash = strchr(p, '/');
    *id = parse_id(p, slash ? (size_t)(slash - p) : strlen(p));
    if (*id < 0)
        return R_NONE;
    if (!slash)
        return R_JOB;
    static const char *const actions[] = {"pause", "resume", "cancel"};
    for (size_t i = 0; i < 3; i++)
        if (strcmp(slash + 1, actions[i]) == 0) {
            *action = actions[i];
            return R_ACTION;
        }
    return strcmp(slash + 1, "pages") == 0     ? R_PAGES
           : strcmp(slash + 1, "content") == 0 ? R_CONTENT
                                               : R_NONE;
}

typedef struct query_ctx {
    api_req *r;
    char bad[160]; /* the first problem, "" none */
} query_ctx;

/* Takes a query argument: known ones are integers in their range. */
static enum MHD_Result on_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                              const char *value)
{
    (void)kind;
    query_ctx *q = cls;
    api_req *r = q->r;
    struct {
        const char *name;
        long long *at, lo, hi;
        int ok; /* on this route */
    } args[] = {
        {"wait", &r->wait_ms, 0, CONTROL_MAX_WAIT_MS,
         r->rt == R_JOB || r->rt == R_PAGES || r->rt == R_CONTENT},
        {"from", &r->from, 0, (long long)1 << 53, r->rt == R_PAGES || r->rt == R_CONTENT},
        {"max_bytes", &r->max_bytes, 1, (long long)1 << 31, r->rt == R_PAGES || r->rt == R_CONTENT},
    };
    for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
        if (!args[i].ok || strcmp(key, args[i].name) != 0)
            continue;
        char *end;
        errno = 0;
        long long v = value && *value && value[0] != '-' ? strtoll(value, &end, 10) : -1;
        if (v < args[i].lo || v > args[i].hi || errno || *end) {
            snprintf(q->bad, sizeof(q->bad),
                     "query parameter \"%s\" must be an integer of %lld..%lld", key, args[i].lo,
                     args[i].hi);
            return MHD_NO;
        }
        *args[i].at = v;
        return MHD_YES;
    }
    snprintf(q->bad, sizeof(q->bad), "unknown query parameter \"%.60s\"%s", key,
             r->rt == R_JOB                           ? " (known: wait)"
             : r->rt == R_PAGES || r->rt == R_CONTENT ? " (known: from, wait, max_bytes)"
                                                      : " (this route takes none)");
    return MHD_NO;
}

static const char *const unauthorized_hdrs[] = {MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                                "Bearer realm=\"crawld\"", NULL};

/* The first call, headers read, body not yet: everything that can be
 * refused before the body is refused here (nothing of it is read then). */
static enum MHD_Result on_headers(api *a, api_req *r, const char *url, const char *method)
{
    r->wait_ms = r->from = r->max_bytes = -1;
    r->rt = route_of(url, &r->id, &r->action);
    if (!(r->rt == R_METRICS && !a->cfg->api_metrics_auth) && !authorized(a, r->conn)) {
        a->unauthorized++;
        /* one answer for a missing, malformed or wrong token */
        return send_error(r, MHD_HTTP_UNAUTHORIZED, unauthorized_hdrs,
                          "unauthorized: a valid bearer token is required");
    }
    if (r->rt == R_NONE)
        return send_error(r, MHD_HTTP_NOT_FOUND, NULL, "no route %.200s", url);
    int get = strcmp(method, "GET") == 0;
    r->post = strcmp(method, "POST") == 0;
    int want_post = r->rt == R_ACTION, both = r->rt == R_JOBS;
    if (!(both ? get || r->post : want_post ? r->post : get)) {
        const char *allow = both ? "GET, POST" : want_post ? "POST" : "GET";
        const char *hdrs[] = {MHD_HTTP_HEADER_ALLOW, allow, NULL};
        return send_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, hdrs,
                          "%.16s not allowed here (allow: %s)", method, allow);
    }
    query_ctx q = {.r = r};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, on_arg, &q);
    if (q.bad[0])
        return send_error(r, MHD_HTTP_BAD_REQUEST, NULL, "%s", q.bad);
    const char *cl =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    long long max = (long long)a->cfg->api_max_body_kb * 1024;
    if (cl && strtoll(cl, NULL, 10) > max)
        return send_error(r, MHD_HTTP_CONTENT_TOO_LARGE, NULL,
                          "body: larger than %lld bytes (max_body_kb)", max);
    return MHD_YES;
}

static enum MHD_Result on_body(api *a, api_req *r, const char *data, size_t n)
{
    size_t max = (size_t)a->cfg->api_max_body_kb * 1024;
    if (r->too_big || r->len + n > max) { /* the rest is read and dropped */
        r->too_big = 1;
        return MHD_YES;
    }
    if (r->len + n + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 1024;
        while (cap < r->len + n + 1)
            cap *= 2;
        char *nb = alloc_resize(r->body, r->cap, cap);
        if (!nb)
            return MHD_NO;
        r->body = nb;
        r->cap = cap;
    }
    memcpy(r->body + r->len, data, n);
    r->len += n;
    r->body[r->len] = '\0';
    return MHD_YES;
}

/* The body as a JSON object (a new reference), or NULL with a 400 queued.
 * An empty body is {} when empty_ok. */
static json_t *body_object(api_req *r, int empty_ok, enum MHD_Result *rc)
{
    if (r->len == 0 && empty_ok)
        return json_object();
    json_error_t e;
    json_t *o = json_loadb(r->body ? r->body : "", r->len, JSON_REJECT_DUPLICATES, &e);
    if (!o) {
        *rc = send_error(r, MHD_HTTP_BAD_REQUEST, NULL,
                         "body: invalid JSON at line %d column %d: %s", e.line, e.column, e.text);
        return NULL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        *rc = send_error(r, MHD_HTTP_BAD_REQUEST, NULL, "body: must be a JSON object");
        return NULL;
    }
    return o;
}

/* The whole request is in: its control request, run. */
static enum MHD_Result on_complete(api_req *r)
{
    if (r->too_big)
        return send_error(r, MHD_HTTP_CONTENT_TOO_LARGE, NULL,
                          "body: larger than %d bytes (max_body_kb)",
                          r->a->cfg->api_max_body_kb * 1024);
    enum MHD_Result rc = MHD_NO;
    json_t *req = NULL;
    switch (r->rt) {
    case R_JOBS:
        if (!r->post)
            return run(r, json_pack("{s:s}", "cmd", "jobs"));
        if (!(req = body_object(r, 0, &rc)))
            return rc;
        if (json_object_get(req, "cmd")) {
            json_decref(req);
            return send_error(r, MHD_HTTP_BAD_REQUEST, NULL,
                              "submit: unknown field \"cmd\" (the route says what to do)");
        }
        json_object_set_new(req, "cmd", json_string("submit"));
        return run(r, req);
    case R_ACTION:
        if (!(req = body_object(r, 1, &rc)))
            return rc;
        if (json_object_size(req) != 0) {
            const char *k = json_object_iter_key(json_object_iter(req));
            char key[64];
            snprintf(key, sizeof(key), "%s", k);
            json_decref(req);
            return send_error(r, MHD_HTTP_BAD_REQUEST, NULL,
                              "%s: unknown field \"%.60s\" (the body is empty or {})", r->action,
                              key);
        }
        json_decref(req);
        return run(r, json_pack("{s:s, s:I}", "cmd", r->action, "id", (json_int_t)r->id));
    case R_JOB:
        req = json_pack("{s:s, s:I}", "cmd", "job", "id", (json_int_t)r->id);
        if (req && r->wait_ms > 0)
            json_object_set_new(req, "wait_ms", json_integer(r->wait_ms));
        return run(r, req);
    case R_PAGES:
    case R_CONTENT:
        req = json_pack("{s:s, s:I, s:I}", "cmd", r->rt == R_PAGES ? "pages" : "content", "id",
                        (json_int_t)r->id, "from", (json_int_t)(r->from < 0 ? 0 : r->from));
        if (req && r->wait_ms > 0)
            json_object_set_new(req, "wait_ms", json_integer(r->wait_ms));
        if (req && r->max_bytes > 0)
            json_object_set_new(req, "max_bytes", json_integer(r->max_bytes));
        return run(r, req);
    case R_STATUS:
        return run(r, json_pack("{s:s}", "cmd", "status"));
    case R_METRICS:
        return run(r, json_pack("{s:s}", "cmd", "metrics"));
    case R_NONE:
        break;
    }
    return MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    api *a = cls;
    api_req *r = *con_cls;
    if (!r) {
        r = ALLOC_NEW(api_req);
        if (!r)
            return MHD_NO;
        r->a = a;
        r->conn = conn;
        *con_cls = r;
        a->requests++;
        return on_headers(a, r, url, method);
    }
    if (r->answered) { /* refused before its body: what comes of it is dropped */
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->reply) { /* a parked request, resumed with its answer */
        json_t *reply = r->reply;
        r->reply = NULL;
        return send_reply(r, reply);
    }
    if (*upload_size) {
        enum MHD_Result rc = on_body(a, r, upload, *upload_size);
        *upload_size = 0;
        return rc;
    }
    return on_complete(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    api *a = cls;
    api_req *r = *con_cls;
    if (!r)
        return;
    if (r->req) { /* parked: only when MHD stops (api_close answers them first) */
        park_unlink(a, r);
        json_decref(r->req);
    }
    json_decref(r->reply);
    alloc_free(r->body, r->cap);
    ALLOC_FREE(r);
    *con_cls = NULL;
}

/* ---- connections ---- */

/* [api] max_connections is kept here, not with MHD_OPTION_CONNECTION_LIMIT:
 * at its limit MHD takes its listening socket out of its epoll set and,
 * driven from outside, never put it back (measured: the API accepted
 * nothing more once the connections had gone). A connection past the
 * limit is closed as it is accepted. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
    (void)addr;
    (void)len;
    api *a = cls;
    if (a->nconn < a->cfg->api_max_connections)
        return MHD_YES;
    a->refused++;
    log_debug("api", "connection refused", "connections=%d max_connections=%d", a->nconn,
              a->cfg->api_max_connections);
    return MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)conn;
    (void)socket_context;
    api *a = cls;
    a->nconn += toe == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1;
}

/* ---- MHD on the loop ---- */

static char start_msg[256]; /* MHD's last word while starting (a bind error) */
static int starting;

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[256];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    msg[strcspn(msg, "\r\n")] = '\0';
    for (char *p = msg; *p; p++)
        if (*p == '"' || *p == '\\')
            *p = '\'';
    if (starting)
        snprintf(start_msg, sizeof(start_msg), "%s", msg);
    else /* what clients cause: debug, or any client could fill the log */
        log_debug("api", "libmicrohttpd", "msg=\"%s\"", msg);
}

static void on_mhd_timer(uv_timer_t *t);

/* Two runs a step: MHD frees the connections closed in a run, and takes
 * its listening socket back after the connection limit, only in the next
 * run, and nothing on its epoll fd would wake the loop for that (measured:
 * past max_connections the API stopped accepting). A run with nothing to
 * do is one epoll_wait that returns at once. */
static void mhd_step(api *a)
{
    MHD_run(a->mhd);
    MHD_run(a->mhd);
    MHD_UNSIGNED_LONG_LONG ms = 0;
    if (a->closing)
        return;
    if (MHD_get_timeout(a->mhd, &ms) == MHD_YES)
        uv_timer_start(&a->timer, on_mhd_timer, ms, 0);
    else
        uv_timer_stop(&a->timer);
}

static void on_mhd_timer(uv_timer_t *t) { mhd_step(t->data); }

static void on_mhd_poll(uv_poll_t *p, int status, int events)
{
    (void)status;
    (void)events;
    mhd_step(p->data);
}

/* The tokens and the TLS key and certificate, the key wiped first. */
static void secrets_free(api *a)
{
    tokens_free(a->tokens, a->ntokens);
    a->ntokens = 0;
    if (a->tls_cert)
        alloc_free(a->tls_cert, a->tls_cert_len + 1);
    if (a->tls_key) {
        explicit_bzero(a->tls_key, a->tls_key_len);
        alloc_free(a->tls_key, a->tls_key_len + 1);
    }
    a->tls_cert = a->tls_key = NULL;
}

int api_open(api *a, uv_loop_t *loop, const crawld_config *cfg, control_handler h, void *ud,
             char *err, size_t errlen)
{
    memset(a, 0, sizeof(*a));
    a->loop = loop;
    a->cfg = cfg;
    a->handler = h;
    a->ud = ud;
    struct sockaddr_storage ss;
    char why[200];
    if (config_listen_parse(cfg->api_listen, &ss, why, sizeof(why)) < 0) {
        snprintf(err, errlen, "[api] listen: %s", why);
        return -1;
    }
    if (api_reload_tokens(a, cfg->api_token_file, err, errlen) < 0)
        return -1;
    int tls = cfg->api_tls_cert[0] != '\0';
    unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (tls) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            snprintf(err, errlen, "[api] tls_cert: this libmicrohttpd has no TLS");
            goto fail;
        }
        if (file_read("tls_cert", cfg->api_tls_cert, 0, &a->tls_cert, &a->tls_cert_len, err,
                      errlen) < 0 ||
            file_read("tls_key", cfg->api_tls_key, 0, &a->tls_key, &a->tls_key_len, err, errlen) <
                0)
            goto fail;
        flags |= MHD_USE_TLS;
    }
    starting = 1;
    start_msg[0] = '\0';
    a->mhd = MHD_start_daemon(
        flags, 0, on_accept, a, on_request, a, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, a, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)cfg->api_timeout_s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, a,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, a, tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END,
        a->tls_cert, MHD_OPTION_HTTPS_MEM_KEY, a->tls_key, MHD_OPTION_END);
    starting = 0;
    if (!a->mhd) {
        snprintf(err, errlen, "[api] %s: cannot serve on %s: %s", tls ? "listen/tls_*" : "listen",
                 cfg->api_listen, start_msg[0] ? start_msg : "libmicrohttpd would not start");
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(a->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    const union MHD_DaemonInfo *port = MHD_get_daemon_info(a->mhd, MHD_DAEMON_INFO_BIND_PORT);
    a->port = port ? port->port : 0;
    uv_poll_init(loop, &a->poll, info->epoll_fd);
    uv_timer_init(loop, &a->timer);
    uv_check_init(loop, &a->park_check);
    uv_timer_init(loop, &a->park_timer);
    a->poll.data = a->timer.data = a->park_check.data = a->park_timer.data = a;
    a->open_handles = 4;
    uv_poll_start(&a->poll, UV_READABLE, on_mhd_poll);
    mhd_step(a);
    log_info("api", "serving", "listen=%s tls=%d tokens=%d metrics_auth=%d max_connections=%d",
             cfg->api_listen, tls, a->ntokens, cfg->api_metrics_auth, cfg->api_max_connections);
    return 0;
fail:
    secrets_free(a);
    return -1;
}

static void on_handle_closed(uv_handle_t *h)
{
    api *a = h->data;
    if (--a->open_handles > 0)
        return;
    /* the poll handle is gone: MHD may close its epoll fd now */
    MHD_stop_daemon(a->mhd);
    a->mhd = NULL;
    secrets_free(a);
    if (a->on_closed)
        a->on_closed(a);
}

void api_close(api *a, void (*on_closed)(api *a))
{
    if (!a->mhd || a->closing)
        return;
    a->on_closed = on_closed;
    park_sweep(a, 1); /* every parked request gets its answer now */
    a->closing = 1;
    /* resumed connections are taken back and answered in the next runs */
    for (int i = 0; i < 4; i++)
        MHD_run(a->mhd);
    uv_handle_t *hs[] = {(uv_handle_t *)&a->poll, (uv_handle_t *)&a->timer,
                         (uv_handle_t *)&a->park_check, (uv_handle_t *)&a->park_timer};
    for (size_t i = 0; i < 4; i++)
        uv_close(hs[i], on_handle_closed);
}
