/* control — see control.h. */
#include "control.h"
#include "alloc.h"
#include "log.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- linebuf ---- */

void linebuf_init(linebuf *lb, size_t max)
{
    memset(lb, 0, sizeof(*lb));
    lb->max = max;
}

void linebuf_free(linebuf *lb)
{
    alloc_free(lb->buf, lb->cap);
    lb->buf = NULL;
    lb->cap = lb->len = 0;
}

static int linebuf_append(linebuf *lb, const char *d, size_t n)
{
    if (lb->len + n + 1 > lb->cap) {
        size_t cap = lb->cap ? lb->cap : 1024;
        while (cap < lb->len + n + 1)
            cap *= 2;
        if (cap > lb->max + 1)
            cap = lb->max + 1;
        char *nb = alloc_resize(lb->buf, lb->cap, cap);
        if (!nb)
            return -1;
        lb->buf = nb;
        lb->cap = cap;
    }
    memcpy(lb->buf + lb->len, d, n);
    lb->len += n;
    return 0;
}

linebuf_rc linebuf_feed(linebuf *lb, const char *data, size_t n,
                        int (*on_line)(void *ud, char *line, size_t len), void *ud)
{
    const char *start = data;
    while (n > 0) {
        const char *nl = memchr(data, '\n', n);
        size_t body = nl ? (size_t)(nl - data) : n;
        /* Bound before buffering (memcached's rule). */
        if (lb->len + body > lb->max) {
            lb->len = 0;
            return LINEBUF_TOO_LONG;
        }
        if (linebuf_append(lb, data, body) < 0)
            return LINEBUF_NOMEM;
        if (!nl)
            return LINEBUF_OK;
        data += body + 1;
        n -= body + 1;
        size_t len = lb->len;
        if (len && lb->buf[len - 1] == '\r')
            len--;
        if (!lb->buf) { /* an empty line with nothing buffered yet */
            if (linebuf_append(lb, "", 0) < 0)
                return LINEBUF_NOMEM;
        }
        lb->buf[len] = '\0';
        lb->len = 0;
        if (on_line(ud, lb->buf, len)) {
            lb->stopped_at = (size_t)(data - start);
            return LINEBUF_STOPPED;
        }
    }
    return LINEBUF_OK;
}

/* ---- server ---- */

struct control_client {
    uv_pipe_t h;
    uv_shutdown_t shut;
    control *c;
    control_client *prev, *next;
    linebuf lb;
    int ending; /* no more requests are read */
    int closing;
    uid_t uid;
    int refused; /* answer the first line with refusal, then close */
    json_t *refusal;
    json_t *parked;      /* a request waiting for its answer (CONTROL_PARK) */
    uint64_t park_until; /* uv_now when its wait_ms is over */
    char *rest;          /* what the client sent after the parked request */
    size_t rest_len;
};

const char control_park_tag = 0;

static char read_buf[64 * 1024]; /* one loop thread: read callbacks never overlap */

json_t *control_error(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

static void maybe_closed(control *c)
{
    if (c->closing && c->open_handles == 0 && c->on_closed) {
        void (*cb)(control *) = c->on_closed;
        c->on_closed = NULL;
        cb(c);
    }
}

static void on_client_closed(uv_handle_t *h)
{
    control_client *cl = h->data;
    control *c = cl->c;
    if (cl->prev)
        cl->prev->next = cl->next;
    else
        c->clients = cl->next;
    if (cl->next)
        cl->next->prev = cl->prev;
    c->nclients--;
    linebuf_free(&cl->lb);
    json_decref(cl->refusal);
    if (cl->parked) {
        json_decref(cl->parked);
        c->nparked--;
    }
    alloc_free(cl->rest, cl->rest_len);
    ALLOC_FREE(cl);
    c->open_handles--;
    maybe_closed(c);
}

static void client_close(control_client *cl)
{
    if (cl->closing)
        return;
    cl->closing = 1;
    cl->ending = 1;
    uv_close((uv_handle_t *)&cl->h, on_client_closed);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    (void)status;
    client_close(req->data);
}

/* Stops reading; closes once the replies already queued are written. */
static void client_end(control_client *cl)
{
    if (cl->ending)
        return;
    cl->ending = 1;
    uv_read_stop((uv_stream_t *)&cl->h);
    cl->shut.data = cl;
    if (uv_shutdown(&cl->shut, (uv_stream_t *)&cl->h, on_shutdown) < 0)
        client_close(cl);
}

typedef struct out_req {
    uv_write_t req;
    size_t len;
    char data[];
} out_req;

static void on_written(uv_write_t *req, int status)
{
    out_req *o = (out_req *)req;
    control_client *cl = req->data;
    alloc_free(o, sizeof(*o) + o->len);
    if (status < 0 && status != UV_ECANCELED)
        client_close(cl);
}

static void client_reply(control_client *cl, json_t *reply)
{
    if (cl->closing)
        goto out;
    if (!reply)
        reply = control_error("internal error");
    char *s = reply ? json_dumps(reply, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    if (!s) {
        client_close(cl);
        goto out;
    }
    size_t n = strlen(s);
    out_req *o = alloc_new(sizeof(*o) + n + 1);
    if (o) {
        o->len = n + 1;
        memcpy(o->data, s, n);
        o->data[n] = '\n';
    }
    json_free_t jfree;
    json_get_alloc_funcs(NULL, &jfree);
    jfree(s);
    if (!o) {
        client_close(cl);
        goto out;
    }
    o->req.data = cl;
    uv_buf_t b = uv_buf_init(o->data, (unsigned)o->len);
    if (uv_write(&o->req, (uv_stream_t *)&cl->h, &b, 1, on_written) < 0) {
        alloc_free(o, sizeof(*o) + o->len);
        client_close(cl);
        goto out;
    }
    /* A client that sends without reading: drop it before its replies pile up. */
    if (cl->h.write_queue_size > CONTROL_MAX_PENDING_OUT) {
        log_warn("control", "client not reading its replies; closed", "uid=%ld queued=%zu",
                 (long)cl->uid, cl->h.write_queue_size);
        client_close(cl);
    }
out:
    json_decref(reply);
}

static void park_arm(control *c);
static void client_feed(control_client *cl, const char *data, size_t n);

static int on_line(void *ud, char *line, size_t len)
{
    control_client *cl = ud;
    control *c = cl->c;
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i == len)
        return 0;      /* blank lines are ignored */
    if (cl->refused) { /* answered only now, so the peer reads it, not a reset */
        json_t *r = cl->refusal;
        cl->refusal = NULL;
        client_reply(cl, r);
        client_end(cl);
        return 1;
    }
    json_error_t jerr;
    json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *reply;
    if (!req)
        reply = control_error("bad request: invalid JSON at byte %d: %s", jerr.position, jerr.text);
    else if (!json_is_object(req))
        reply = control_error("bad request: not a JSON object");
    else if (!json_is_string(json_object_get(req, "cmd")))
        reply = control_error("bad request: missing \"cmd\"");
    else
        reply = c->handler(c->ud, req);
    if (reply == CONTROL_PARK) {
        json_t *w = json_object_get(req, "wait_ms");
        json_int_t ms = json_is_integer(w) ? json_integer_value(w) : 0;
        if (ms < 1 || ms > CONTROL_MAX_WAIT_MS || c->closing) {
            /* The handler must answer a request it cannot park. */
            json_object_set_new(req, "wait_ms", json_integer(0));
            reply = c->handler(c->ud, req);
        } else {
            cl->parked = req; /* the reference is the client's now */
            cl->park_until = uv_now(c->loop) + (uint64_t)ms;
            c->nparked++;
            uv_read_stop((uv_stream_t *)&cl->h);
            park_arm(c);
            return 1; /* on_client_read keeps what follows for later */
        }
        if (reply == CONTROL_PARK)
            reply = NULL;
    }
    json_decref(req);
    client_reply(cl, reply);
    return cl->closing || cl->ending;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    *buf = uv_buf_init(read_buf, sizeof(read_buf));
}

static void on_client_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    control_client *cl = s->data;
    if (n == 0)
        return;
    if (n < 0) {
        /* Hang-up, maybe inside a line: a half request is dropped, never run. */
        client_end(cl);
        return;
    }
    client_feed(cl, buf->base, (size_t)n);
}

/* ---- parked requests (long polls) ---- */

/* Answers cl's parked request (final: with wait_ms 0) or leaves it parked
 * when the handler still waits. Then reads on: what the client sent after
 * it first, then the socket. */
static void park_run(control_client *cl, int final)
{
    control *c = cl->c;
    json_t *req = cl->parked;
    if (final)
        json_object_set_new(req, "wait_ms", json_integer(0));
    json_t *reply = c->handler(c->ud, req);
    if (reply == CONTROL_PARK) {
        if (!final)
            return;
        reply = NULL; /* a handler that will not answer: "internal error" */
    }
    cl->parked = NULL;
    c->nparked--;
    json_decref(req);
    client_reply(cl, reply);
    if (cl->ending)
        return;
    char *rest = cl->rest;
    size_t rest_len = cl->rest_len;
    cl->rest = NULL;
    cl->rest_len = 0;
    if (rest) {
        client_feed(cl, rest, rest_len); /* may park again, keeping its own rest */
        alloc_free(rest, rest_len);
    }
    if (!cl->parked && !cl->ending)
        uv_read_start((uv_stream_t *)&cl->h, on_alloc, on_client_read);
}

static void park_sweep(control *c, int all_final)
{
    uint64_t now = uv_now(c->loop);
    control_client *cl = c->clients;
    while (cl && c->nparked > 0) {
        control_client *next = cl->next; /* park_run never frees cl (closes are deferred) */
        if (cl->parked && !cl->closing)
            park_run(cl, all_final || now >= cl->park_until);
        cl = next;
    }
    park_arm(c);
}

static void on_park_check(uv_check_t *h) { park_sweep(h->data, 0); }
static void on_park_timer(uv_timer_t *h) { (void)h; /* the check after this turn does the work */ }

/* The check runs while something is parked; the timer makes sure a loop
 * turn happens at the nearest deadline even when nothing else wakes it. */
static void park_arm(control *c)
{
    if (!c->park_handles)
        return;
    if (c->nparked == 0) {
        uv_check_stop(&c->park_check);
        uv_timer_stop(&c->park_timer);
        return;
    }
    uint64_t now = uv_now(c->loop), next = UINT64_MAX;
    for (control_client *cl = c->clients; cl; cl = cl->next)
        if (cl->parked && !cl->closing && cl->park_until < next)
            next = cl->park_until;
    uv_check_start(&c->park_check, on_park_check);
    if (next != UINT64_MAX)
        uv_timer_start(&c->park_timer, on_park_timer, next > now ? next - now : 0, 0);
}

static void park_init(control *c)
{
    uv_check_init(c->loop, &c->park_check);
    uv_timer_init(c->loop, &c->park_timer);
    c->park_check.data = c;
    c->park_timer.data = c;
    c->park_handles = 1;
    c->open_handles += 2;
}

static void client_feed(control_client *cl, const char *data, size_t n)
{
    linebuf_rc rc = linebuf_feed(&cl->lb, data, n, on_line, cl);
    if (rc == LINEBUF_STOPPED && cl->parked && !cl->ending) {
        size_t used = cl->lb.stopped_at;
        if (used < n) {
            cl->rest = alloc_new(n - used);
            if (!cl->rest) {
                client_close(cl);
                return;
            }
            memcpy(cl->rest, data + used, n - used);
            cl->rest_len = n - used;
        }
    } else if (rc == LINEBUF_TOO_LONG) {
        client_reply(cl, control_error("bad request: line longer than %d bytes", CONTROL_LINE_MAX));
        client_end(cl);
    } else if (rc == LINEBUF_NOMEM) {
        client_reply(cl, control_error("out of memory"));
        client_end(cl);
    }
}

/* ---- who may connect ---- */

static int in_uids(const control *c, uid_t u)
{
    for (int i = 0; i < c->n_allow_uid; i++)
        if (c->allow_uid[i] == u)
            return 1;
    return 0;
}

static int in_gids(const control *c, gid_t g)
{
    for (int i = 0; i < c->n_allow_gid; i++)
        if (c->allow_gid[i] == g)
            return 1;
    return 0;
}

static int peer_allowed(const control *c, int fd, const struct ucred *cr)
{
    if (cr->uid == 0 || cr->uid == geteuid() || in_uids(c, cr->uid))
        return 1;
    if (c->n_allow_gid == 0)
        return 0;
    if (in_gids(c, cr->gid))
        return 1;
#ifdef SO_PEERGROUPS
    gid_t groups[256];
    socklen_t len = sizeof(groups);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0)
        for (size_t i = 0; i < len / sizeof(gid_t); i++)
            if (in_gids(c, groups[i]))
                return 1;
#else
    (void)fd;
#endif
    return 0;
}

/* Splits a list on commas and spaces; calls fn for every item. */
static int each_item(const char *list, int (*fn)(void *ud, const char *item), void *ud)
{
    char item[64];
    const char *p = list;
    while (*p) {
        p += strspn(p, ", \t");
        size_t n = strcspn(p, ", \t");
        if (n == 0)
            break;
        if (n >= sizeof(item))
            n = sizeof(item) - 1;
        memcpy(item, p, n);
        item[n] = '\0';
        if (fn(ud, item) < 0)
            return -1;
        p += strcspn(p, ", \t");
    }
    return 0;
}

typedef struct access_build {
    uid_t uid[CONTROL_MAX_ALLOW];
    gid_t gid[CONTROL_MAX_ALLOW];
    int nu, ng;
    char *err;
    size_t errlen;
} access_build;

static int numeric(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno || v < 0)
        return 0;
    *out = v;
    return 1;
}

/* A user or group name (or number) to its id: 0, or -1 when unknown. */
static int resolve_id(const char *name, int group, long *id)
{
    if (numeric(name, id))
        return 0;
    char buf[16384];
    if (group) {
        struct group gr, *res = NULL;
        if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) != 0 || !res)
            return -1;
        *id = (long)gr.gr_gid;
    } else {
        struct passwd pw, *res = NULL;
        if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || !res)
            return -1;
        *id = (long)pw.pw_uid;
    }
    return 0;
}

static int add_id(access_build *b, int group, const char *name)
{
    const char *key = group ? "allow_groups" : "allow_users";
    long id;
    if (resolve_id(name, group, &id) < 0) {
        snprintf(b->err, b->errlen, "%s: no %s \"%s\"", key, group ? "group" : "user", name);
        return -1;
    }
    int *n = group ? &b->ng : &b->nu;
    if (*n >= CONTROL_MAX_ALLOW) {
        snprintf(b->err, b->errlen, "%s: more than %d entries", key, CONTROL_MAX_ALLOW);
        return -1;
    }
    if (group)
        b->gid[(*n)++] = (gid_t)id;
    else
        b->uid[(*n)++] = (uid_t)id;
    return 0;
}

static int add_user(void *ud, const char *name) { return add_id(ud, 0, name); }
static int add_group(void *ud, const char *name) { return add_id(ud, 1, name); }

int control_set_access(control *c, const char *users, const char *groups, char *err, size_t errlen)
{
    access_build b = {.err = err, .errlen = errlen};
    if (each_item(users ? users : "", add_user, &b) < 0 ||
        each_item(groups ? groups : "", add_group, &b) < 0)
        return -1;
    memcpy(c->allow_uid, b.uid, sizeof(b.uid));
    memcpy(c->allow_gid, b.gid, sizeof(b.gid));
    c->n_allow_uid = b.nu;
    c->n_allow_gid = b.ng;
    if (b.ng > 0 && !c->adopted && c->path[0] && chown(c->path, (uid_t)-1, b.gid[0]) < 0) {
        snprintf(err, errlen, "allow_groups: cannot give %s to group %ld: %s", c->path,
                 (long)b.gid[0], strerror(errno));
        return -1;
    }
    return 0;
}

static void on_connection(uv_stream_t *server, int status)
{
    control *c = server->data;
    if (status < 0) {
        log_warn("control", "accept failed", "error=\"%s\"", uv_strerror(status));
        return;
    }
    control_client *cl = ALLOC_NEW(control_client);
    if (!cl) {
        log_error("control", "out of memory accepting a client", NULL);
        return; /* stays in the backlog; libuv tries again */
    }
    cl->c = c;
    linebuf_init(&cl->lb, CONTROL_LINE_MAX);
    uv_pipe_init(c->loop, &cl->h, 0);
    cl->h.data = cl;
    cl->next = c->clients;
    if (c->clients)
        c->clients->prev = cl;
    c->clients = cl;
    c->nclients++;
    c->open_handles++;
    if (uv_accept(server, (uv_stream_t *)&cl->h) < 0) {
        client_close(cl);
        return;
    }
    uv_os_fd_t fd;
    struct ucred cr;
    socklen_t crlen = sizeof(cr);
    if (uv_fileno((uv_handle_t *)&cl->h, &fd) < 0 ||
        getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) < 0) {
        c->refused++;
        client_close(cl);
        return;
    }
    cl->uid = cr.uid;
    if (!peer_allowed(c, fd, &cr)) {
        c->refused++;
        log_warn("control", "client refused", "uid=%ld pid=%ld reason=uid", (long)cr.uid,
                 (long)cr.pid);
        /* Answered after its first line (on_line), so the peer reads the
         * reason instead of a reset on a request it is still sending. */
        cl->refused = 1;
        cl->refusal = control_error("permission denied: uid %ld is not root, not the daemon's "
                                    "user (%ld) and not in allow_users or allow_groups",
                                    (long)cr.uid, (long)geteuid());
    } else if (c->nclients > CONTROL_MAX_CLIENTS || c->closing) {
        /* Answered at once and closed, without reading: connections past
         * the cap hold nothing (10,000 idle ones leave no growth). */
        c->refused++;
        client_reply(cl,
                     control_error(c->closing ? "daemon is stopping" : "too many clients (max %d)",
                                   CONTROL_MAX_CLIENTS));
        client_end(cl);
        return;
    } else
        c->accepted++;
    uv_read_start((uv_stream_t *)&cl->h, on_alloc, on_client_read);
}

int control_probe(const char *path)
{
    struct sockaddr_un a;
    memset(&a, 0, sizeof(a));
    a.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(a.sun_path))
        return 0;
    strcpy(a.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    int r = connect(fd, (struct sockaddr *)&a, sizeof(a));
    close(fd);
    return r == 0;
}

int control_open(control *c, uv_loop_t *loop, const char *path, control_handler h, void *ud,
                 char *err, size_t errlen)
{
    memset(c, 0, sizeof(*c));
    c->loop = loop;
    c->handler = h;
    c->ud = ud;
    snprintf(c->path, sizeof(c->path), "%s", path);
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            snprintf(err, errlen, "%s exists and is not a socket; not replacing it", path);
            return -1;
        }
        if (control_probe(path)) {
            snprintf(err, errlen, "another crawld answers on %s", path);
            return -1;
        }
        if (unlink(path) < 0 && errno != ENOENT) {
            snprintf(err, errlen, "cannot remove stale socket %s: %s", path, strerror(errno));
            return -1;
        }
        log_info("control", "replaced a stale socket", "path=\"%s\"", path);
    }
    /* The parent directory (one level: /run/crawld) may need making. */
    char dir[108];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
            return -1;
        }
    }
    uv_pipe_init(loop, &c->server, 0);
    c->server.data = c;
    c->open_handles = 1;
    mode_t old = umask(0117); /* born 0660: no window where others may connect */
    int rc = uv_pipe_bind(&c->server, path);
    umask(old);
    if (rc == 0 && chmod(path, 0660) < 0)
        rc = uv_translate_sys_error(errno);
    if (rc == 0 && lstat(path, &st) == 0) {
        c->dev = st.st_dev;
        c->ino = st.st_ino;
    }
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&c->server, 511, on_connection);
    if (rc < 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", path, uv_strerror(rc));
        c->closing = 1;
        uv_close((uv_handle_t *)&c->server, NULL);
        c->open_handles = 0;
        return -1;
    }
    c->listening = 1;
    park_init(c);
    return 0;
}

int control_adopt(control *c, uv_loop_t *loop, int fd, control_handler h, void *ud, char *err,
                  size_t errlen)
{
    memset(c, 0, sizeof(*c));
    c->loop = loop;
    c->handler = h;
    c->ud = ud;
    c->adopted = 1;
    struct sockaddr_un a;
    socklen_t alen = sizeof(a);
    memset(&a, 0, sizeof(a));
    if (getsockname(fd, (struct sockaddr *)&a, &alen) == 0 && a.sun_family == AF_UNIX &&
        alen > offsetof(struct sockaddr_un, sun_path) && a.sun_path[0])
        snprintf(c->path, sizeof(c->path), "%.*s",
                 (int)(alen - offsetof(struct sockaddr_un, sun_path)), a.sun_path);
    else
        snprintf(c->path, sizeof(c->path), "fd:%d", fd);
    uv_pipe_init(loop, &c->server, 0);
    c->server.data = c;
    c->open_handles = 1;
    int rc = uv_pipe_open(&c->server, fd);
    if (rc == 0) /* already listening; listen() again only sets the backlog */
        rc = uv_listen((uv_stream_t *)&c->server, 511, on_connection);
    if (rc < 0) {
        snprintf(err, errlen, "cannot serve the socket passed as fd %d (%s): %s", fd, c->path,
                 uv_strerror(rc));
        c->closing = 1;
        uv_close((uv_handle_t *)&c->server, NULL);
        c->open_handles = 0;
        return -1;
    }
    c->listening = 1;
    park_init(c);
    return 0;
}

static void on_server_closed(uv_handle_t *h)
{
    control *c = h->data;
    c->open_handles--;
    maybe_closed(c);
}

static void on_park_closed(uv_handle_t *h) { on_server_closed(h); }

void control_close(control *c, void (*on_closed)(control *c))
{
    c->closing = 1;
    c->on_closed = on_closed;
    if (c->listening) {
        struct stat st;
        if (!c->adopted && lstat(c->path, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino)
            unlink(c->path);
        c->listening = 0;
        uv_close((uv_handle_t *)&c->server, on_server_closed);
    }
    if (c->park_handles) { /* parked requests get their answer now */
        park_sweep(c, 1);
        c->park_handles = 0;
        uv_close((uv_handle_t *)&c->park_check, on_park_closed);
        uv_close((uv_handle_t *)&c->park_timer, on_park_closed);
    }
    for (control_client *cl = c->clients; cl; cl = cl->next)
        client_end(cl);
    maybe_closed(c);
}
