/* config — see config.h. */
#include "config.h"

#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <ini.h>
#include <netinet/in.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

typedef enum { K_INT, K_BOOL, K_STR } kind;

typedef struct key_def {
    const char *section, *name;
    kind kind;
    size_t off;
    long min, max; /* K_INT range; K_STR: max is the field size */
    const char *help;
    /* K_STR: checks a value (empty ones included); fills why on failure. */
    void (*check)(const char *v, char *why, size_t n);
} key_def;

#define INT_KEY(sec, field, lo, hi, h)                                                             \
    {                                                                                              \
        sec, #field, K_INT, offsetof(crawld_config, field), lo, hi, h, NULL                        \
    }
#define BOOL_KEY(sec, field, h)                                                                    \
    {                                                                                              \
        sec, #field, K_BOOL, offsetof(crawld_config, field), 0, 1, h, NULL                         \
    }
#define STR_KEY(sec, field, h)                                                                     \
    {                                                                                              \
        sec, #field, K_STR, offsetof(crawld_config, field), 0,                                     \
            sizeof(((crawld_config *)0)->field), h, NULL                                           \
    }
#define CHECKED_STR_KEY(sec, field, chk, h)                                                        \
    {                                                                                              \
        sec, #field, K_STR, offsetof(crawld_config, field), 0,                                     \
            sizeof(((crawld_config *)0)->field), h, chk                                            \
    }

/* [network] ca_file: empty (the system's bundle), or an absolute path to a
 * readable regular file holding at least one PEM certificate. Checked when
 * the file is loaded, so a bad path fails crawld at start (and a reload)
 * rather than every HTTPS page later with a tls error. curl reads the file
 * itself at transfer time (the worker's sandbox allows open). */
static void check_ca_file(const char *v, char *why, size_t n)
{
    if (!v[0])
        return;
    if (v[0] != '/') {
        snprintf(why, n, "\"%.120s\" must be an absolute path", v);
        return;
    }
    int fd = open(v, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        snprintf(why, n, "cannot read %.100s: %s", v, strerror(errno));
        return;
    }
    struct stat st;
    static const char pem[] = "-----BEGIN CERTIFICATE-----";
    char buf[4096 + sizeof(pem)];
    size_t have = 0;
    int found = 0;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, n, "%.100s is not a regular file", v);
        goto out;
    }
    /* The first PEM certificate within 1 MiB (Debian's bundle has one on
     * its first lines); a window keeps the marker found across reads. */
    for (size_t total = 0; total < (1u << 20);) {
        ssize_t r = read(fd, buf + have, sizeof(buf) - 1 - have);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(why, n, "cannot read %.100s: %s", v, strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        total += (size_t)r;
        have += (size_t)r;
        buf[have] = '\0';
        if (memmem(buf, have, pem, sizeof(pem) - 1)) {
            found = 1;
            break;
        }
        if (have > sizeof(pem)) { /* keep the tail a marker may start in */
            memmove(buf, buf + have - (sizeof(pem) - 1), sizeof(pem) - 1);
            have = sizeof(pem) - 1;
        }
    }
    if (!found)
        snprintf(why, n, "%.100s holds no PEM certificate (-----BEGIN CERTIFICATE-----)", v);
out:
    close(fd);
}

/* [network] proxy and proxy_user: empty, or what --proxy / --user take
 * (common/session.h); the session checks' words name the key instead. */
static void check_proxy(const char *v, char *why, size_t n)
{
    char err[200];
    if (v[0] && session_proxy_check(v, err, sizeof(err)) < 0)
        snprintf(why, n, "%s", err + strlen("--proxy: "));
}

static void check_proxy_user(const char *v, char *why, size_t n)
{
    char err[200];
    if (v[0] && session_user_check(v, err, sizeof(err)) < 0)
        snprintf(why, n, "%s", err + strlen("--user: "));
}

/* [cluster] database: empty, or a libpq URI (postgresql:// or postgres://) */
static void check_cluster_db(const char *v, char *why, size_t n)
{
    if (v[0] && strncmp(v, "postgresql://", 13) != 0 && strncmp(v, "postgres://", 11) != 0)
        snprintf(why, n, "not a postgresql:// URI");
}

/* [cluster] node_id: empty (no cluster) or 1..32 of [A-Za-z0-9_-] (it is part of file names) */
static void check_node_id(const char *v, char *why, size_t n)
{
    size_t len = strlen(v);
    if (len > 32 || strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                              "0123456789_-") != len)
        snprintf(why, n, "\"%.40s\" is not 1 to 32 of A-Z a-z 0-9 _ -", v);
}

/* [api] listen: empty (the API is off) or a numeric address and a port. */
int config_listen_parse(const char *v, struct sockaddr_storage *ss, char *why, size_t n)
{
    char host[64];
    const char *colon = strrchr(v, ':');
    size_t hl = colon ? (size_t)(colon - v) : 0;
    int v6 = hl >= 2 && v[0] == '[' && v[hl - 1] == ']';
    if (v6) {
        v++;
        hl -= 2;
    }
    char *end;
    errno = 0;
    long port = colon ? strtol(colon + 1, &end, 10) : 0;
    if (!colon || hl == 0 || hl >= sizeof(host) || !colon[1] || errno || *end || port < 1 ||
        port > 65535) {
        snprintf(why, n,
                 "\"%.80s\" is not ADDRESS:PORT (127.0.0.1:8480, [::1]:8480; port 1..65535)", v);
        return -1;
    }
    memcpy(host, v, hl);
    host[hl] = '\0';
    memset(ss, 0, sizeof(*ss));
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    if (!v6 && inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        return 0;
    }
    if (v6 && inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        return 0;
    }
    snprintf(why, n, "\"%.60s\" is not a numeric %s address (no host names)", host,
             v6 ? "IPv6" : "IPv4 (an IPv6 one goes in brackets: [::1]:8480)");
    return -1;
}

static void check_listen(const char *v, char *why, size_t n)
{
    struct sockaddr_storage ss;
    if (v[0])
        config_listen_parse(v, &ss, why, n);
}

/* The API's files: empty, or an absolute path (read by crawld at start and,
 * the token file, at each reload: daemon/api.c checks them then). */
static void check_abs_path(const char *v, char *why, size_t n)
{
    if (v[0] && v[0] != '/')
        snprintf(why, n, "\"%.120s\" must be an absolute path", v);
}

static const key_def keys[] = {
    STR_KEY("daemon", socket, "control socket path"),
    STR_KEY("daemon", state_dir, "SQLite state directory"),
    STR_KEY("daemon", output_dir, "root of every job's output directory"),
    INT_KEY("daemon", workers, 1, 256, "page worker processes"),
    STR_KEY("daemon", log_level, "debug, info, warn or error"),
    STR_KEY("daemon", user_agent, "User-Agent of every request"),
    {"daemon", "js", K_BOOL, offsetof(crawld_config, js_default), 0, 1,
     "run page JavaScript unless a job says otherwise", NULL},
    INT_KEY("daemon", grace_ms, 0, 3600000, "on SIGTERM/drain, time pages in flight get"),
    INT_KEY("daemon", min_every_s, 1, 86400, "the shortest recrawl period (submit --every)"),
    INT_KEY("daemon", queue_per_worker, 0, 8, "pages queued behind a busy worker's page"),
    INT_KEY("daemon", fetches_per_worker, 1, 1024, "transfers a worker keeps in flight at once"),
    INT_KEY("daemon", coalesce_us, 0, 10000, "how long crawld may let results gather"),
    STR_KEY("daemon", allow_users, "control socket: users let in besides root and crawld's own"),
    STR_KEY("daemon", allow_groups, "control socket: groups let in (peer's groups)"),
    INT_KEY("limits", rss_soft_mb, 1, 1 << 20, "after a page: GC, then retire the worker"),
    INT_KEY("limits", rss_hard_mb, 2, 1 << 20, "at any poll: kill the worker"),
    INT_KEY("limits", max_pages_per_worker, 1, INT_MAX, "retire a worker after this many pages"),
    INT_KEY("limits", page_timeout_ms, 100, 3600000, "whole-page deadline"),
    INT_KEY("limits", js_heap_mb, 8, 4096, "JS heap limit per worker"),
    INT_KEY("limits", js_time_budget_ms, 10, 600000, "JS time per page"),
    INT_KEY("limits", js_address_space_mb, 0, 1 << 20,
            "worker RLIMIT_AS once JS starts (0: none); the engine alone maps ~2.2 GB"),
    INT_KEY("limits", max_body_mb, 1, 4096, "cap on response bytes (decoded)"),
    INT_KEY("limits", fetch_buffer_mb, 0, 1 << 20,
            "bodies a worker holds in flight, past it transfers pause (0: rss_soft_mb / 4)"),
    INT_KEY("limits", max_redirects, 0, 100, "redirects followed per page"),
    INT_KEY("limits", max_attempts, 1, 100, "workers a page may kill before quarantine"),
    INT_KEY("limits", rss_poll_ms, 10, 60000, "supervisor polls worker RSS and deadlines"),
    INT_KEY("limits", worker_start_timeout_ms, 100, 3600000,
            "a new worker that has not said ready by then is killed (a start failure)"),
    BOOL_KEY("limits", worker_sandbox,
             "workers run with no_new_privs and a seccomp deny list (docs/worker.md)"),
    INT_KEY("limits", content_max_kb, 1, 1 << 20,
            "each kind of a page's saved content (--save) is cut past this many KiB"),
    BOOL_KEY("politeness", obey_robots, "fetch and obey robots.txt"),
    INT_KEY("politeness", delay_ms, 0, 3600000, "minimum gap between requests to one host"),
    INT_KEY("politeness", per_host_concurrency, 1, 1024, "pages in flight per host"),
    INT_KEY("politeness", max_crawl_delay_ms, 0, 3600000, "cap on a site's Crawl-delay"),
    INT_KEY("politeness", robots_ttl_s, 1, 30 * 86400, "robots.txt cache lifetime"),
    INT_KEY("politeness", max_hosts, 16, 10000000, "hosts whose state is kept (LRU)"),
    /* back off when a server asks (429, 502, 503, 504, broken connections) */
    INT_KEY("politeness", max_retries, 0, 20,
            "retries of a refused page before its answer is final"),
    INT_KEY("politeness", retry_after_max_s, 0, 86400, "cap on the Retry-After honoured"),
    INT_KEY("politeness", retry_base_ms, 1, 3600000, "first back-off without Retry-After"),
    INT_KEY("politeness", retry_max_ms, 1, 3600000, "cap on the back-off and on a host's delay"),
    BOOL_KEY("politeness", adaptive_delay, "a host's delay follows its response time"),
    INT_KEY("politeness", adaptive_max_delay_ms, 0, 3600000, "cap on the adaptive delay"),
    INT_KEY("politeness", adaptive_target_concurrency, 1, 1024,
            "requests per host the adaptive delay aims at"),
    INT_KEY("network", connect_timeout_ms, 100, 600000, "TCP+TLS connect timeout"),
    INT_KEY("network", low_speed_bytes, 0, INT_MAX, "abort below this rate (bytes/s) …"),
    INT_KEY("network", low_speed_time_ms, 1000, 3600000, "… sustained this long"),
    BOOL_KEY("network", allow_private, "allow loopback/private/link-local addresses"),
    CHECKED_STR_KEY("network", ca_file, check_ca_file,
                    "PEM bundle of the CAs servers are verified with (empty: the system's)"),
    CHECKED_STR_KEY("network", proxy, check_proxy,
                    "http:// or socks5h:// proxy of every request (empty: none)"),
    CHECKED_STR_KEY("network", proxy_user, check_proxy_user,
                    "the proxy's USER:PASSWORD (empty: none, or in the proxy URL)"),
    /* [api] the HTTP API (daemon/api.h) */
    {"api", "listen", K_STR, offsetof(crawld_config, api_listen), 0,
     sizeof(((crawld_config *)0)->api_listen), "HTTP API address:port (empty: off)", check_listen},
    {"api", "token_file", K_STR, offsetof(crawld_config, api_token_file), 0, CONFIG_PATH_MAX,
     "bearer tokens, one a line (mode 0600)", check_abs_path},
    {"api", "tls_cert", K_STR, offsetof(crawld_config, api_tls_cert), 0, CONFIG_PATH_MAX,
     "PEM certificate (chain) of the API (empty: plain HTTP)", check_abs_path},
    {"api", "tls_key", K_STR, offsetof(crawld_config, api_tls_key), 0, CONFIG_PATH_MAX,
     "PEM private key of tls_cert", check_abs_path},
    {"api", "metrics_auth", K_BOOL, offsetof(crawld_config, api_metrics_auth), 0, 1,
     "GET /metrics needs a token too", NULL},
    {"api", "max_body_kb", K_INT, offsetof(crawld_config, api_max_body_kb), 1, 65536,
     "a larger request body is refused (413)", NULL},
    {"api", "max_connections", K_INT, offsetof(crawld_config, api_max_connections), 1, 1000,
     "API connections at once", NULL},
    {"api", "timeout_s", K_INT, offsetof(crawld_config, api_timeout_s), 1, 3600,
     "an idle API connection is closed after this", NULL},
    /* [cluster] nodes sharing one frontier on PostgreSQL (docs/cluster.md) */
    {"cluster", "database", K_STR, offsetof(crawld_config, cluster_database), 0,
     sizeof(((crawld_config *)0)->cluster_database),
     "libpq URI of the shared frontier (empty: SQLite, one node)", check_cluster_db},
    {"cluster", "node_id", K_STR, offsetof(crawld_config, cluster_node_id), 0,
     sizeof(((crawld_config *)0)->cluster_node_id),
     "this node's name in the cluster: its files and offsets", check_node_id},
    {"cluster", "lease_ms", K_INT, offsetof(crawld_config, cluster_lease_ms), 0, 86400000,
     "host lease length (0: 4 x page_timeout_ms; must exceed it)", NULL},
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

void config_defaults(crawld_config *c)
{
    memset(c, 0, sizeof(*c));
    strcpy(c->socket, "/run/crawld/crawld.sock");
    strcpy(c->state_dir, "/var/lib/crawld");
    strcpy(c->output_dir, "/var/lib/crawld/output");
    c->workers = 2;
    strcpy(c->log_level, "info");
    snprintf(c->user_agent, sizeof(c->user_agent), "crawld/%s",
#ifdef CRAWLD_VERSION
             CRAWLD_VERSION
#else
             "0"
#endif
    );
    c->js_default = 1;
    c->grace_ms = 30000;
    c->min_every_s = 60;
    c->queue_per_worker = 8;
    c->coalesce_us = 2000;
    c->rss_soft_mb = 256;
    c->fetch_buffer_mb = 0;
    c->fetches_per_worker = 64;
    c->rss_hard_mb = 512;
    c->max_pages_per_worker = 10000;
    c->page_timeout_ms = 30000;
    c->js_heap_mb = 64;
    c->js_time_budget_ms = 5000;
    c->js_address_space_mb = 4096;
    c->max_body_mb = 10;
    c->max_redirects = 10;
    c->max_attempts = 3;
    c->rss_poll_ms = 250;
    c->worker_start_timeout_ms = 30000;
    c->worker_sandbox = 1;
    c->content_max_kb = 1024; /* --save: per kind per page */
    c->obey_robots = 1;
    c->delay_ms = 1000;
    c->per_host_concurrency = 1;
    c->max_crawl_delay_ms = 30000;
    c->robots_ttl_s = 86400;
    c->max_hosts = 100000;
    c->max_retries = 3;
    c->retry_after_max_s = 300;
    c->retry_base_ms = 1000;
    c->retry_max_ms = 60000;
    c->adaptive_delay = 0;
    c->adaptive_max_delay_ms = 60000;
    c->adaptive_target_concurrency = 1;
    c->connect_timeout_ms = 10000;
    c->low_speed_bytes = 100;
    c->low_speed_time_ms = 20000;
    c->allow_private = 0;
    c->api_metrics_auth = 1;
    c->api_max_body_kb = 1024;
    c->api_max_connections = 64;
    c->api_timeout_s = 60;
}

typedef struct load_ctx {
    crawld_config *c;
    const char *name;
    char *err;
    size_t errlen;
    int failed;
    int line; /* lines seen by the handler, for messages */
    /* Where the text comes from (read_line): a file or a string. */
    FILE *f;
    const char *s;
    int lineno;      /* physical lines read */
    int long_line;   /* first line too long for inih's buffer, 0 when none */
    size_t max_line; /* the longest line inih takes, in bytes */
} load_ctx;

static int next_char(load_ctx *x)
{
    if (x->f)
        return getc(x->f);
    return *x->s ? (unsigned char)*x->s++ : EOF;
}

/* inih's reader (fgets-like): one physical line per call, with two
 * changes. Leading blanks are dropped: inih reads an indented line as a
 * continuation of the previous key (multiline is compiled in), so
 * "  workers = 4" under "  socket = …" made socket "workers = 4" without a
 * word. A line longer than inih's buffer (num bytes, INI_MAX_LINE) is
 * handed over cut, its tail dropped (fgets-style, the tail was parsed as a
 * line of its own), and finish() fails the load at that line. */
static char *read_line(char *str, int num, void *stream)
{
    load_ctx *x = stream;
    int c = next_char(x);
    if (c == EOF)
        return NULL;
    while (c == ' ' || c == '\t' || c == '\v' || c == '\f')
        c = next_char(x);
    size_t n = 0, cap = num > 2 ? (size_t)num - 2 : 0; /* room for "\n\0" */
    int too_long = 0;
    for (; c != EOF && c != '\n'; c = next_char(x)) {
        if (n < cap)
            str[n++] = (char)c;
        else
            too_long = 1;
    }
    x->lineno++;
    x->max_line = cap;
    if (too_long && !x->long_line)
        x->long_line = x->lineno;
    str[n++] = '\n';
    str[n] = '\0';
    return str;
}

static int parse_bool(const char *v, int *out)
{
    static const char *yes[] = {"1", "true", "yes", "on"}, *no[] = {"0", "false", "no", "off"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return *out = 1, 0;
        if (strcasecmp(v, no[i]) == 0)
            return *out = 0, 0;
    }
    return -1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    load_ctx *x = user;
    if (x->failed)
        return 1; /* report only the first error; inih gives its line */
    const key_def *k = NULL;
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
            k = &keys[i];
    char why[160] = "";
    if (!k) {
        int known_section = 0;
        for (size_t i = 0; i < NKEYS; i++)
            known_section |= strcmp(keys[i].section, section) == 0;
        snprintf(why, sizeof(why), known_section ? "unknown key" : "unknown section");
    } else if (k->kind == K_INT) {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end != '\0')
            snprintf(why, sizeof(why), "not an integer: \"%.40s\"", value);
        else if (v < k->min || v > k->max)
            snprintf(why, sizeof(why), "%ld is out of range %ld..%ld", v, k->min, k->max);
        else
            *(int *)((char *)x->c + k->off) = (int)v;
    } else if (k->kind == K_BOOL) {
        int b;
        if (parse_bool(value, &b) < 0)
            snprintf(why, sizeof(why), "not a boolean (true/false): \"%.40s\"", value);
        else
            *(int *)((char *)x->c + k->off) = b;
    } else {
        size_t n = strlen(value);
        /* empty lists are fine; a checked key says itself */
        if (n == 0 && strncmp(k->name, "allow_", 6) != 0 && !k->check)
            snprintf(why, sizeof(why), "empty value");
        else if (n >= (size_t)k->max)
            snprintf(why, sizeof(why), "longer than %ld bytes", k->max - 1);
        else if (k->check && (k->check(value, why, sizeof(why)), why[0]))
            ;
        else
            memcpy((char *)x->c + k->off, value, n + 1);
    }
    if (!why[0])
        return 1;
    x->failed = 1;
    snprintf(x->err, x->errlen, "[%s] %s: %s", section, name, why);
    return 0;
}

/* inih returns the first failing line; prefix it to the handler's message. */
static int finish(load_ctx *x, int rc)
{
    /* A cut line fails the load even when its head parsed: a value must
     * not be silently shortened. An error on an earlier line comes first;
     * the handler's own complaint about the cut line is kept. */
    int cut = x->long_line && (rc == 0 || rc > x->long_line || (rc == x->long_line && !x->failed));
    if (cut)
        rc = x->long_line;
    if (rc == 0)
        return 0;
    char msg[256];
    if (cut)
        snprintf(msg, sizeof(msg), "%s:%d: line longer than %zu bytes", x->name, rc, x->max_line);
    else if (rc == -1)
        snprintf(msg, sizeof(msg), "%s: cannot open: %s", x->name, strerror(errno));
    else if (rc == -2)
        snprintf(msg, sizeof(msg), "%s: out of memory", x->name);
    else if (x->failed)
        snprintf(msg, sizeof(msg), "%s:%d: %s", x->name, rc, x->err);
    else
        snprintf(msg, sizeof(msg), "%s:%d: syntax error (expected [section] or key = value)",
                 x->name, rc);
    snprintf(x->err, x->errlen, "%s", msg);
    return -1;
}

int config_load(crawld_config *c, const char *path, char *err, size_t errlen)
{
    load_ctx x = {.c = c, .name = path, .err = err, .errlen = errlen};
    x.f = fopen(path, "r");
    if (!x.f)
        return finish(&x, -1);
    int rc = ini_parse_stream(read_line, &x, handler, &x);
    fclose(x.f);
    return finish(&x, rc);
}

int config_load_string(crawld_config *c, const char *text, const char *name, char *err,
                       size_t errlen)
{
    load_ctx x = {.c = c, .name = name, .err = err, .errlen = errlen, .s = text};
    return finish(&x, ini_parse_stream(read_line, &x, handler, &x));
}

size_t config_fetch_buffer_bytes(const crawld_config *c)
{
    size_t mb = c->fetch_buffer_mb > 0 ? (size_t)c->fetch_buffer_mb : (size_t)c->rss_soft_mb / 4;
    return (mb ? mb : 1) << 20;
}

int config_validate(const crawld_config *c, char *err, size_t errlen)
{
    if (c->fetch_buffer_mb > 0 && c->fetch_buffer_mb >= c->rss_soft_mb) {
        snprintf(err, errlen, "[limits] fetch_buffer_mb (%d) must be below rss_soft_mb (%d)",
                 c->fetch_buffer_mb, c->rss_soft_mb);
        return -1;
    }
    if (c->rss_soft_mb >= c->rss_hard_mb) {
        snprintf(err, errlen, "[limits] rss_soft_mb (%d) must be below rss_hard_mb (%d)",
                 c->rss_soft_mb, c->rss_hard_mb);
        return -1;
    }
    if (c->retry_base_ms > c->retry_max_ms) {
        snprintf(err, errlen, "[politeness] retry_base_ms (%d) must not be above retry_max_ms (%d)",
                 c->retry_base_ms, c->retry_max_ms);
        return -1;
    }
    if (strcmp(c->log_level, "debug") && strcmp(c->log_level, "info") &&
        strcmp(c->log_level, "warn") && strcmp(c->log_level, "error")) {
        snprintf(err, errlen, "[daemon] log_level: \"%s\" is not debug, info, warn or error",
                 c->log_level);
        return -1;
    }
    if (c->api_listen[0] && !c->api_token_file[0]) {
        snprintf(err, errlen, "[api] token_file: required when listen is set");
        return -1;
    }
    if (!c->api_tls_cert[0] != !c->api_tls_key[0]) {
        snprintf(err, errlen, "[api] tls_cert and tls_key: give both or neither");
        return -1;
    }
    if (c->cluster_database[0] && !c->cluster_node_id[0]) {
        snprintf(err, errlen, "[cluster] node_id: required when database is set");
        return -1;
    }
    if (c->cluster_database[0] && config_lease_ms(c) <= c->page_timeout_ms) {
        snprintf(err, errlen,
                 "[cluster] lease_ms (%d) must exceed [limits] page_timeout_ms (%d): a page "
                 "must end inside the lease it was started under",
                 config_lease_ms(c), c->page_timeout_ms);
        return -1;
    }
    if (c->socket[0] != '/' || c->state_dir[0] != '/' || c->output_dir[0] != '/') {
        snprintf(err, errlen, "[daemon] socket, state_dir and output_dir must be absolute paths");
        return -1;
    }
    return 0;
}

int config_lease_ms(const crawld_config *c)
{
    if (c->cluster_lease_ms > 0)
        return c->cluster_lease_ms;
    long long l = 4LL * c->page_timeout_ms;
    return l > 86400000 ? 86400000 : (int)l;
}

/* The keys whose values config_dump_shown hides (they carry a password). */
static int key_secret(const key_def *k)
{
    return strcmp(k->section, "network") == 0 &&
           (strcmp(k->name, "proxy") == 0 || strcmp(k->name, "proxy_user") == 0);
}

static void dump(const crawld_config *c, FILE *out, int shown);

void config_dump(const crawld_config *c, FILE *out) { dump(c, out, 0); }

void config_dump_shown(const crawld_config *c, FILE *out) { dump(c, out, 1); }

static void dump(const crawld_config *c, FILE *out, int shown)
{
    const char *sec = "";
    for (size_t i = 0; i < NKEYS; i++) {
        const key_def *k = &keys[i];
        if (strcmp(sec, k->section) != 0) {
            fprintf(out, "%s[%s]\n", i ? "\n" : "", k->section);
            sec = k->section;
        }
        const char *p = (const char *)c + k->off;
        char hid[1100];
        /* the database URI may hold a password: never in worker.conf, and
         * shown by whether it is set only */
        if (strcmp(k->section, "cluster") == 0 && strcmp(k->name, "database") == 0) {
            if (shown && p[0])
                fprintf(out, "database = (set; not shown)\n");
            else
                fprintf(out, "database =\n");
            continue;
        }
        if (shown && key_secret(k) && p[0]) {
            if (strcmp(k->name, "proxy") == 0)
                p = session_url_redacted(p, hid, sizeof(hid));
            else
                snprintf(hid, sizeof(hid), "%.*s:" SESSION_REDACTED, (int)strcspn(p, ":"), p);
            p = hid;
        }
        if (k->kind == K_STR) /* " ;" would start an inline comment */
            fprintf(out, "%s =%s%s\n", k->name, p[0] == ';' ? "" : " ", p);
        else if (k->kind == K_BOOL)
            fprintf(out, "%s = %s\n", k->name, *(const int *)p ? "true" : "false");
        else
            fprintf(out, "%s = %d\n", k->name, *(const int *)p);
    }
}
