/* crawlctl — talks to crawld's control socket: one NDJSON request, one
 * reply; tables for people, --json for programs. The socket is -s, else
 * $CRAWLD_SOCKET, else /run/crawld/crawld.sock. Exit 0 ok, 1 refused by the
 * daemon, 2 usage, 3 daemon unreachable, 124 `wait` timed out. */
#include "jobopts.h"
#include "cookie.h"

#include <errno.h>
#include <openssl/evp.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/crawld/crawld.sock"
#define REPLY_MAX (256 * 1024 * 1024)

enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3, EXIT_TIMEOUT = 124 };

static const char *sock_path;
static int want_json;
static int quiet_unreachable; /* pages --follow: retrying, so not said each time */

static void usage(FILE *f)
{
    fprintf(f, "usage: crawlctl [-s SOCKET] [--json] COMMAND [ARGS]\n"
               "commands:\n"
               "  submit [OPTIONS] URL...  start a job; prints its id\n");
    jobopts_usage(f, "    ");
    fprintf(
        f,
        "  status                  daemon, queue and every worker\n"
        "  status --cluster        the cluster's live nodes: hosts, pages, pages/s, RSS\n"
        "  export ID               the job's committed records: in a cluster every node's\n"
        "  jobs                    every job, newest first\n"
        "  job ID                  one job\n"
        "  wait ID [--timeout S]   until the job ends (0 done, 1 failed/cancelled, 124 timeout)\n"
        "  cancel ID | pause ID | resume ID\n"
        "  recycle [WORKER_ID]     retire one or every worker after its page\n"
        "  drain | shutdown | reload | metrics\n"
        "  pages ID [--from OFFSET] [--follow] [--node NODE]\n"
        "                          the job's committed pages.jsonl lines; --follow: as they\n"
        "                          commit, until the job ends; --node: in a cluster, that\n"
        "                          node's pages.NODE.jsonl (default: this node's)\n"
        "  content ID [--from OFFSET] [--follow]\n"
        "                          the job's committed content.jsonl.zst bytes (--save), as\n"
        "                          zstd frames: | zstd -dc for the lines\n"
        "socket: -s, else $CRAWLD_SOCKET, else " DEFAULT_SOCKET "\n");
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sends req, returns the reply object; on failure prints why and sets *code. */
static json_t *call(json_t *req, int *code)
{
    struct sockaddr_un a;
    memset(&a, 0, sizeof(a));
    a.sun_family = AF_UNIX;
    if (strlen(sock_path) >= sizeof(a.sun_path)) {
        fprintf(stderr, "crawlctl: socket path too long: %s\n", sock_path);
        *code = EXIT_USAGE;
        return NULL;
    }
    strcpy(a.sun_path, sock_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        if (!quiet_unreachable)
            fprintf(stderr, "crawlctl: cannot reach crawld at %s: %s\n", sock_path,
                    strerror(errno));
        if (fd >= 0)
            close(fd);
        *code = EXIT_UNREACHABLE;
        return NULL;
    }
    char *s = json_dumps(req, JSON_COMPACT);
    size_t n = strlen(s), off = 0;
    s[n] = '\0';
    int bad = 0;
    while (off < n + 1 && !bad) {
        const char *p = off < n ? s + off : "\n";
        size_t len = off < n ? n - off : 1;
        ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break; /* the daemon may have answered already (a refusal): read it */
        off += (size_t)w;
    }
    free(s);
    char *buf = NULL;
    size_t blen = 0, bcap = 0;
    json_t *reply = NULL;
    while (!bad) {
        struct pollfd pf = {fd, POLLIN, 0};
        int pr = poll(&pf, 1, 60000);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0) {
            errno = ETIMEDOUT;
            bad = 1;
            break;
        }
        if (blen + 65536 > bcap) {
            bcap = bcap ? bcap * 2 : 65536 * 2;
            char *nb = realloc(buf, bcap);
            if (!nb) {
                bad = 1;
                break;
            }
            buf = nb;
        }
        ssize_t r = read(fd, buf + blen, bcap - blen - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = ECONNRESET;
            bad = 1;
            break;
        }
        blen += (size_t)r;
        char *nl = memchr(buf, '\n', blen);
        if (nl) {
            json_error_t jerr;
            reply = json_loadb(buf, (size_t)(nl - buf), 0, &jerr);
            if (!reply) {
                fprintf(stderr, "crawlctl: bad reply from crawld: %s\n", jerr.text);
                *code = EXIT_UNREACHABLE;
            }
            break;
        }
        if (blen > REPLY_MAX) {
            errno = EMSGSIZE;
            bad = 1;
        }
    }
    if (bad) {
        if (!quiet_unreachable)
            fprintf(stderr, "crawlctl: no reply from crawld at %s: %s\n", sock_path,
                    strerror(errno));
        *code = EXIT_UNREACHABLE;
    }
    free(buf);
    close(fd);
    if (reply && !json_is_true(json_object_get(reply, "ok"))) {
        const char *e = json_string_value(json_object_get(reply, "error"));
        fprintf(stderr, "crawlctl: %s\n", e ? e : "request refused");
        if (want_json) {
            char *t = json_dumps(reply, JSON_COMPACT);
            printf("%s\n", t);
            free(t);
        }
        json_decref(reply);
        *code = EXIT_REFUSED;
        return NULL;
    }
    return reply;
}

static void print_json(json_t *v)
{
    char *t = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    printf("%s\n", t ? t : "null");
    free(t);
}

static long long parse_id(const char *s, const char *what)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s || v < 0) {
        fprintf(stderr, "crawlctl: %s: \"%s\" is not a number\n", what, s);
        return -1;
    }
    return v;
}

static const char *js_str(json_t *o, const char *k, const char *dflt)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : dflt;
}

static double js_num(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }

/* status --cluster: one line per live node. */
static void print_cluster(json_t *cl)
{
    printf("this node: %s  lease_ms: %lld\n", json_string_value(json_object_get(cl, "node")),
           (long long)json_integer_value(json_object_get(cl, "lease_ms")));
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(cl, "nodes"), i, n)
    {
        printf("node %-12s hosts %-4lld pages %-8lld pages/s %-7.1f in_flight %-4lld rss_mb %-6lld "
               "seen %lld ms ago\n",
               json_string_value(json_object_get(n, "node")),
               (long long)json_integer_value(json_object_get(n, "hosts")),
               (long long)json_integer_value(json_object_get(n, "pages")),
               json_number_value(json_object_get(n, "pages_per_s")),
               (long long)json_integer_value(json_object_get(n, "in_flight")),
               (long long)json_integer_value(json_object_get(n, "rss_mb")),
               (long long)json_integer_value(json_object_get(n, "seen_ms")));
    }
}

static void print_status(json_t *st)
{
    json_t *q = json_object_get(st, "queue"), *r = json_object_get(st, "recycles");
    printf("crawld %s  pid %d  %s  up %.0fs  %.1f pages/s  rss %.1f MB total (crawld %.1f MB)\n",
           js_str(st, "version", "?"), (int)js_num(st, "pid"), js_str(st, "state", "?"),
           js_num(st, "uptime_s"), js_num(st, "pages_per_s"), js_num(st, "rss_mb_total"),
           js_num(st, "rss_mb"));
    printf("queue: %d pending, %d in flight, %d done, %d failed (%d quarantined)\n",
           (int)js_num(q, "pending"), (int)js_num(q, "in_flight"), (int)js_num(q, "done"),
           (int)js_num(q, "failed"), (int)js_num(q, "quarantined"));
    /* hosts that refused pages (429, 503, …) and whose delay is raised */
    if (js_num(st, "hosts_backing_off") > 0)
        printf("hosts backing off: %d\n", (int)js_num(st, "hosts_backing_off"));
    printf("recycles:");
    const char *k;
    json_t *v;
    json_object_foreach(r, k, v) printf(" %s %d", k, (int)json_number_value(v));
    printf("\n\n%-3s %-8s %-9s %-20s %6s %8s  %s\n", "ID", "PID", "STATE", "RSS MB (SOFT/HARD)",
           "PAGES", "PAGE MS", "URL");
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(st, "workers"), i, w)
    {
        char pid[16] = "-", rss[32], pms[16] = "-";
        if (json_is_integer(json_object_get(w, "pid")))
            snprintf(pid, sizeof(pid), "%d", (int)js_num(w, "pid"));
        if (json_is_number(json_object_get(w, "rss_mb")))
            snprintf(rss, sizeof(rss), "%.1f (%d/%d)", js_num(w, "rss_mb"),
                     (int)js_num(w, "rss_soft_mb"), (int)js_num(w, "rss_hard_mb"));
        else
            snprintf(rss, sizeof(rss), "- (%d/%d)", (int)js_num(w, "rss_soft_mb"),
                     (int)js_num(w, "rss_hard_mb"));
        if (json_is_integer(json_object_get(w, "page_ms")))
            snprintf(pms, sizeof(pms), "%d", (int)js_num(w, "page_ms"));
        printf("%-3d %-8s %-9s %-20s %6d %8s  %s\n", (int)js_num(w, "id"), pid,
               js_str(w, "state", "?"), rss, (int)js_num(w, "pages"), pms, js_str(w, "url", ""));
    }
    json_t *jobs = json_object_get(st, "jobs");
    if (json_array_size(jobs)) {
        printf("\n%-6s %-10s %8s %8s %8s %8s\n", "JOB", "STATE", "DONE", "FAILED", "PENDING",
               "FLIGHT");
        json_array_foreach(jobs, i, w)
            printf("%-6d %-10s %8d %8d %8d %8d\n", (int)js_num(w, "id"), js_str(w, "state", "?"),
                   (int)js_num(w, "done"), (int)js_num(w, "failed"), (int)js_num(w, "pending"),
                   (int)js_num(w, "in_flight"));
    }
}

static void print_jobs(json_t *jobs)
{
    printf("%-6s %-10s %8s %8s %8s %8s  %s\n", "JOB", "STATE", "DONE", "FAILED", "PENDING",
           "FLIGHT", "NAME");
    size_t i;
    json_t *j;
    json_array_foreach(jobs, i, j)
    {
        printf("%-6d %-10s %8d %8d %8d %8d  %s\n", (int)js_num(j, "id"), js_str(j, "state", "?"),
               (int)js_num(j, "done"), (int)js_num(j, "failed"), (int)js_num(j, "pending"),
               (int)js_num(j, "in_flight"), js_str(j, "name", ""));
        if (json_is_string(json_object_get(j, "error")))
            printf("       error: %s%s\n", js_str(j, "error", ""),
                   json_is_true(json_object_get(j, "retrying")) ? " (retrying)" : "");
    }
}

/* Times for people: ISO 8601 in UTC to the second ("2026-12-06T14:04:12Z");
 * the daemon sends seconds since the epoch, which --json keeps. */
static void fmt_time(char *buf, size_t cap, double epoch_s)
{
    time_t t = (time_t)epoch_s;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, cap, "%.0f", epoch_s);
}

/* The job object's keys that hold a time (epoch seconds, or null). */
static int is_time_key(const char *k)
{
    return strcmp(k, "created") == 0 || strcmp(k, "ended") == 0 ||
           strcmp(k, "next_run") == 0; /* a recrawl schedule's */
}

static void print_job(json_t *j)
{
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v)
    {
        char when[32];
        if (is_time_key(k) && json_is_number(v)) {
            fmt_time(when, sizeof(when), json_number_value(v));
            printf("%-12s %s\n", k, when);
            continue;
        }
        char *t = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        printf("%-12s %s\n", k, t ? t : json_string_value(v));
        free(t);
    }
}

/* Exit code for a finished job's state. */
static int job_code(const char *state)
{
    return strcmp(state, "done") == 0 ? EXIT_OK : EXIT_REFUSED;
}

static void fmt_eta(char *buf, size_t cap, double s)
{
    if (!(s >= 0) || s > 359999)
        snprintf(buf, cap, "--:--");
    else if (s >= 3600)
        snprintf(buf, cap, "%d:%02d:%02d", (int)s / 3600, ((int)s / 60) % 60, (int)s % 60);
    else
        snprintf(buf, cap, "%d:%02d", (int)s / 60, (int)s % 60);
}

/* Asks for the job with a long poll ("wait_ms"): the daemon answers as the
 * job ends, or after 200 ms on a TTY (to redraw), 1 s otherwise. On a TTY: one redrawn line with a
 * bar, done / pending / failed, pages per second (over the last ~5 s) and an estimate of the time
 * left from that rate. Otherwise: a plain line every 5 s when something changed, and the summary.
 */
static int cmd_wait(long long id, double timeout)
{
    int tty = isatty(1) && !want_json;
    double t0 = now_s(), last_plain = 0;
    enum { HIST = 25 };
    double ht[HIST];
    int hd[HIST], hn = 0, last_fin = -1;
    for (;;) {
        double left_ms = timeout > 0 ? (t0 + timeout - now_s()) * 1000 : 1e9;
        long wait_ms = tty ? 200 : 1000;
        if (left_ms < wait_ms)
            wait_ms = left_ms < 1 ? 1 : (long)left_ms;
        json_t *req = json_pack("{s:s, s:I, s:i}", "cmd", "job", "id", (json_int_t)id, "wait_ms",
                                (int)wait_ms);
        int code = 0;
        json_t *rep = call(req, &code);
        json_decref(req);
        if (!rep)
            return code;
        json_t *j = json_object_get(rep, "job");
        const char *state = js_str(j, "state", "?");
        int done = (int)js_num(j, "done"), failed = (int)js_num(j, "failed"),
            pending = (int)js_num(j, "pending") + (int)js_num(j, "in_flight");
        int fin = done + failed, total = fin + pending;
        int finished = strcmp(state, "running") && strcmp(state, "paused");
        double now = now_s();
        if (hn == HIST) {
            memmove(ht, ht + 1, sizeof(double) * (HIST - 1));
            memmove(hd, hd + 1, sizeof(int) * (HIST - 1));
            hn--;
        }
        ht[hn] = now;
        hd[hn++] = fin;
        double rate =
            hn > 1 && ht[hn - 1] > ht[0] ? (hd[hn - 1] - hd[0]) / (ht[hn - 1] - ht[0]) : 0;
        char eta[32];
        fmt_eta(eta, sizeof(eta), rate > 0 ? pending / rate : -1);
        if (tty) {
            int width = 30, fill = total ? (int)((long long)fin * width / total) : 0;
            printf("\r\033[Kjob %lld [%.*s%*s] %d done, %d pending, %d failed  %.1f pages/s  "
                   "ETA %s%s",
                   id, fill, "##############################", width - fill, "", done, pending,
                   failed, rate, eta, strcmp(state, "paused") ? "" : "  (paused)");
            fflush(stdout);
        } else if (!want_json && !finished && fin != last_fin && now - last_plain >= 5) {
            printf("job %lld %s: %d done, %d pending, %d failed, %.1f pages/s, eta %s\n", id, state,
                   done, pending, failed, rate, eta);
            fflush(stdout);
            last_plain = now;
            last_fin = fin;
        }
        if (finished || (timeout > 0 && now - t0 >= timeout)) {
            if (tty)
                printf("\n");
            int rc = finished ? job_code(state) : EXIT_TIMEOUT;
            if (want_json)
                print_json(j);
            else
                printf("job %lld %s: %d done, %d failed, %d pending\n", id,
                       finished ? state : "still running (timeout)", done, failed, pending);
            json_decref(rep);
            return rc;
        }
        json_decref(rep);
    }
}

/* submit's flags and URLs as the request; a bad flag is named (jobopts.h). */
/* --cookies FILE: the request's "cookies" holds the file names the flag
 * was given; each file is read here and its cookie lines sent instead
 * (crawld never reads a client's files). */
#define COOKIE_FILE_MAX (8 << 20)

static int cookie_line_add(void *ud, const char *l, size_t n)
{
    json_t *s = json_stringn(l, n);
    return s && json_array_append_new(ud, s) == 0 ? 0 : -1;
}

static int cookies_from_files(json_t *req)
{
    json_t *files = json_object_get(req, "cookies");
    if (!files)
        return 0;
    json_t *lines = json_array();
    if (!lines)
        return -1;
    for (size_t i = 0; i < json_array_size(files); i++) {
        const char *path = json_string_value(json_array_get(files, i));
        FILE *f = fopen(path, "rb");
        if (!f) {
            fprintf(stderr, "crawlctl: --cookies: %s: %s\n", path, strerror(errno));
            goto fail;
        }
        char *text = malloc(COOKIE_FILE_MAX + 1);
        size_t len = text ? fread(text, 1, COOKIE_FILE_MAX + 1, f) : 0;
        int bad = !text || ferror(f);
        fclose(f);
        if (bad || len > COOKIE_FILE_MAX) {
            fprintf(stderr, "crawlctl: --cookies: %s: %s\n", path,
                    bad ? "cannot be read" : "larger than 8 MiB");
            free(text);
            goto fail;
        }
        size_t line = 0;
        char why[200];
        int rc = cookie_file_read(text, len, cookie_line_add, lines, &line, why, sizeof(why));
        free(text);
        if (rc < 0) {
            fprintf(stderr, "crawlctl: --cookies: %s:%zu: %s\n", path, line, why);
            goto fail;
        }
        if (json_array_size(lines) > COOKIE_MAX_PER_JOB) {
            fprintf(stderr, "crawlctl: --cookies: more than %d cookies in all\n",
                    COOKIE_MAX_PER_JOB);
            goto fail;
        }
    }
    return json_object_set_new(req, "cookies", lines);
fail:
    json_decref(lines);
    return -1;
}

static json_t *build_submit(int argc, char **argv)
{
    char err[320];
    json_t *req = jobopts_request(argc, argv, err, sizeof(err));
    if (!req)
        fprintf(stderr, "crawlctl: %s\n", err);
    else if (cookies_from_files(req) < 0) {
        json_decref(req);
        req = NULL;
    }
    return req;
}

/* pages: the job's committed records, verbatim, from offset from. Without
 * follow up to the committed end; with it, long polls until the job has
 * ended and everything is printed. A daemon that goes away while following
 * is asked again (PAGES_RETRY_S at most) from the last offset printed.
 * stdout closed (a pipe's reader gone): exit 0, quietly. */
#define PAGES_RETRY_S 30.0
#define PAGES_WAIT_MS 10000
/* Asked per reply: crawld escapes a reply in one loop turn (~30 ms a MiB
 * measured): smaller replies keep its turns short (docs/daemon.md). */
#define PAGES_MAX_BYTES (256 * 1024)

/* content's data: base64 (RFC 4648) decoded in place, its length; -1 when
 * it is not base64. */
static long base64_decode(const char *in, size_t n, unsigned char *out)
{
    if (n % 4)
        return -1;
    if (n == 0)
        return 0;
    int k = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
    if (k < 0)
        return -1;
    /* EVP_DecodeBlock counts the padding as zero bytes */
    k -= (in[n - 1] == '=') + (n > 1 && in[n - 2] == '=');
    return k;
}

/* pages or content (what): the job's committed bytes from offset from, as
 * they are in the file (content: the base64 of the reply decoded, so the
 * output is content.jsonl.zst's zstd frames). As pages above: --follow
 * long-polls to the job's end, reconnects, exits 0 on a closed stdout. */
static int cmd_stream(const char *what, long long id, long long from, int follow, const char *node)
{
    int binary = strcmp(what, "content") == 0;
    signal(SIGPIPE, SIG_IGN); /* a write to a closed pipe: EPIPE, handled below */
    want_json = 0;            /* the records are the output, --json or not */
    double lost_at = 0, pause_s = 0.1;
    for (;;) {
        json_t *req = json_pack("{s:s, s:I, s:I, s:i, s:i}", "cmd", what, "id", (json_int_t)id,
                                "from", (json_int_t)from, "max_bytes", PAGES_MAX_BYTES, "wait_ms",
                                follow ? PAGES_WAIT_MS : 0);
        if (req && node)
            json_object_set_new(req, "node", json_string(node));
        int code = 0;
        quiet_unreachable = follow;
        json_t *rep = req ? call(req, &code) : NULL;
        json_decref(req);
        if (!rep && follow && code == EXIT_UNREACHABLE) {
            double now = now_s();
            if (lost_at == 0)
                lost_at = now;
            if (now - lost_at < PAGES_RETRY_S) {
                struct timespec ts = {(time_t)pause_s, (long)((pause_s - (time_t)pause_s) * 1e9)};
                nanosleep(&ts, NULL);
                pause_s = pause_s * 2 > 1 ? 1 : pause_s * 2;
                continue;
            }
            fprintf(stderr,
                    "crawlctl: %s: crawld at %s unreachable for %.0f s; stopped at offset "
                    "%lld (go on with --from %lld)\n",
                    what, sock_path, PAGES_RETRY_S, from, from);
            return EXIT_UNREACHABLE;
        }
        if (!rep)
            return code ? code : EXIT_UNREACHABLE;
        lost_at = 0;
        pause_s = 0.1;
        json_t *data = json_object_get(rep, "data");
        const char *bytes = json_string_value(data);
        long n = (long)json_string_length(data);
        unsigned char *raw = NULL;
        if (binary && bytes) {
            raw = malloc((size_t)n / 4 * 3 + 3);
            n = raw ? base64_decode(bytes, (size_t)n, raw) : -1;
            bytes = (const char *)raw;
        }
        json_t *next = json_object_get(rep, "next");
        int ended = json_is_true(json_object_get(rep, "ended"));
        if (!bytes || n < 0 || !json_is_integer(next) ||
            json_integer_value(next) != from + (long long)n) {
            fprintf(stderr,
                    "crawlctl: %s: bad reply from crawld (no data, data not %s, or next does "
                    "not follow it)\n",
                    what, binary ? "base64" : "text");
            free(raw);
            json_decref(rep);
            return EXIT_UNREACHABLE;
        }
        if (n && (fwrite(bytes, 1, (size_t)n, stdout) != (size_t)n || fflush(stdout) != 0)) {
            int e = errno;
            free(raw);
            json_decref(rep);
            if (e == EPIPE)
                return EXIT_OK; /* the reader has gone: nothing more to say */
            fprintf(stderr, "crawlctl: %s: write: %s\n", what, strerror(e));
            return EXIT_REFUSED;
        }
        free(raw);
        from += (long long)n;
        json_decref(rep);
        if (ended || (!follow && n == 0))
            return EXIT_OK;
    }
}

/* export: a job's committed records, every node's in a cluster (the
 * nodes the job's reply lists, by name, each node's committed prefix
 * through crawld: crawlctl never reads the files), else this crawld's. */
static int cmd_export(long long id)
{
    json_t *req = json_pack("{s:s, s:I}", "cmd", "job", "id", (json_int_t)id);
    int code = 0;
    json_t *rep = req ? call(req, &code) : NULL;
    json_decref(req);
    if (!rep)
        return code ? code : EXIT_UNREACHABLE;
    json_t *nodes = json_object_get(json_object_get(rep, "job"), "nodes");
    int rc = EXIT_OK;
    if (!json_is_array(nodes)) {
        rc = cmd_stream("pages", id, 0, 0, NULL);
    } else {
        size_t i;
        json_t *n;
        json_array_foreach(nodes, i, n)
        {
            const char *name = json_string_value(json_object_get(n, "node"));
            if (!name || (rc = cmd_stream("pages", id, 0, 0, name)) != EXIT_OK)
                break;
        }
    }
    json_decref(rep);
    return rc;
}

int main(int argc, char **argv)
{
    sock_path = getenv("CRAWLD_SOCKET");
    if (!sock_path || !*sock_path)
        sock_path = DEFAULT_SOCKET;
    /* Global options, then the command; --json is also taken after it. */
    char *rest[argc + 1];
    int nrest = 0;
    const char *cmd = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0)
            want_json = 1;
        else if (!cmd && (strcmp(a, "-s") == 0 || strcmp(a, "--socket") == 0)) {
            if (i + 1 >= argc) {
                fprintf(stderr, "crawlctl: %s needs a path\n", a);
                return EXIT_USAGE;
            }
            sock_path = argv[++i];
        } else if (!cmd && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            usage(stdout);
            return 0;
        } else if (!cmd && strcmp(a, "--version") == 0) {
            printf("crawlctl %s\n", CRAWLD_VERSION);
            return 0;
        } else if (!cmd && a[0] == '-') {
            fprintf(stderr, "crawlctl: unknown option %s\n", a);
            usage(stderr);
            return EXIT_USAGE;
        } else if (!cmd)
            cmd = a;
        else
            rest[nrest++] = argv[i];
    }
    rest[nrest] = NULL;
    if (!cmd) {
        usage(stderr);
        return EXIT_USAGE;
    }
    json_t *req = NULL;
    long long id = -1;
    double timeout = 0;
    int code = 0, cluster = 0;
    if (strcmp(cmd, "submit") == 0) {
        if (!(req = build_submit(nrest, rest)))
            return EXIT_USAGE;
    } else if (strcmp(cmd, "status") == 0 && nrest == 1 && strcmp(rest[0], "--cluster") == 0) {
        req = json_pack("{s:s, s:b}", "cmd", cmd, "cluster", 1);
        cluster = 1;
    } else if (strcmp(cmd, "status") == 0 || strcmp(cmd, "jobs") == 0 ||
               strcmp(cmd, "drain") == 0 || strcmp(cmd, "shutdown") == 0 ||
               strcmp(cmd, "reload") == 0 || strcmp(cmd, "metrics") == 0) {
        if (nrest) {
            fprintf(stderr, "crawlctl: %s takes no arguments\n", cmd);
            return EXIT_USAGE;
        }
        req = json_pack("{s:s}", "cmd", cmd);
    } else if (strcmp(cmd, "job") == 0 || strcmp(cmd, "cancel") == 0 || strcmp(cmd, "pause") == 0 ||
               strcmp(cmd, "resume") == 0 || strcmp(cmd, "wait") == 0) {
        for (int i = 0; i < nrest; i++) {
            if (strcmp(cmd, "wait") == 0 && strcmp(rest[i], "--timeout") == 0) {
                char *end;
                timeout = i + 1 < nrest ? strtod(rest[i + 1], &end) : -1;
                if (i + 1 >= nrest || *end || !(timeout > 0) || !isfinite(timeout)) {
                    fprintf(stderr, "crawlctl: --timeout needs a positive number of seconds\n");
                    return EXIT_USAGE;
                }
                i++;
            } else if (id < 0) {
                if ((id = parse_id(rest[i], cmd)) < 0)
                    return EXIT_USAGE;
            } else {
                fprintf(stderr, "crawlctl: %s: unexpected argument \"%s\"\n", cmd, rest[i]);
                return EXIT_USAGE;
            }
        }
        if (id < 0) {
            fprintf(stderr, "crawlctl: %s needs a job id\n", cmd);
            return EXIT_USAGE;
        }
        if (strcmp(cmd, "wait") == 0)
            return cmd_wait(id, timeout);
        req = json_pack("{s:s, s:I}", "cmd", cmd, "id", (json_int_t)id);
    } else if (strcmp(cmd, "pages") == 0 || strcmp(cmd, "content") == 0) {
        long long from = 0;
        int follow = 0;
        const char *node = NULL;
        for (int i = 0; i < nrest; i++) {
            if (strcmp(rest[i], "--follow") == 0 || strcmp(rest[i], "-f") == 0)
                follow = 1;
            else if (strcmp(rest[i], "--node") == 0) {
                if (i + 1 >= nrest) {
                    fprintf(stderr, "crawlctl: %s: --node needs a node_id\n", cmd);
                    return EXIT_USAGE;
                }
                node = rest[++i];
            } else if (strcmp(rest[i], "--from") == 0) {
                if (i + 1 >= nrest) {
                    fprintf(stderr, "crawlctl: %s: --from needs a byte offset\n", cmd);
                    return EXIT_USAGE;
                }
                char what[32];
                snprintf(what, sizeof(what), "%s --from", cmd);
                if ((from = parse_id(rest[++i], what)) < 0)
                    return EXIT_USAGE;
            } else if (id < 0 && rest[i][0] != '-') {
                if ((id = parse_id(rest[i], cmd)) < 0)
                    return EXIT_USAGE;
            } else {
                fprintf(stderr, "crawlctl: %s: unexpected argument \"%s\"\n", cmd, rest[i]);
                return EXIT_USAGE;
            }
        }
        if (id < 0) {
            fprintf(stderr, "crawlctl: %s needs a job id\n", cmd);
            return EXIT_USAGE;
        }
        if (node && strcmp(cmd, "pages") != 0) {
            fprintf(stderr, "crawlctl: --node is for pages only\n");
            return EXIT_USAGE;
        }
        return cmd_stream(cmd, id, from, follow, node);
    } else if (strcmp(cmd, "export") == 0) {
        if (nrest != 1 || (id = parse_id(rest[0], cmd)) < 0) {
            if (nrest != 1)
                fprintf(stderr, "crawlctl: export needs a job id (and nothing else)\n");
            return EXIT_USAGE;
        }
        return cmd_export(id);
    } else if (strcmp(cmd, "recycle") == 0) {
        req = json_pack("{s:s}", "cmd", cmd);
        if (nrest > 1) {
            fprintf(stderr, "crawlctl: recycle takes at most one worker id\n");
            json_decref(req);
            return EXIT_USAGE;
        }
        if (nrest == 1) {
            long long w = parse_id(rest[0], "recycle");
            if (w < 0) {
                json_decref(req);
                return EXIT_USAGE;
            }
            json_object_set_new(req, "worker", json_integer(w));
        }
    } else {
        fprintf(stderr, "crawlctl: unknown command \"%s\"\n", cmd);
        usage(stderr);
        return EXIT_USAGE;
    }
    json_t *rep = call(req, &code);
    json_decref(req);
    if (!rep)
        return code;
    if (cluster) {
        if (want_json)
            print_json(json_object_get(rep, "cluster"));
        else
            print_cluster(json_object_get(rep, "cluster"));
    } else if (strcmp(cmd, "status") == 0) {
        if (want_json)
            print_json(json_object_get(rep, "status"));
        else
            print_status(json_object_get(rep, "status"));
    } else if (want_json) {
        print_json(rep);
    } else if (strcmp(cmd, "submit") == 0) {
        printf("%lld\n", (long long)json_integer_value(json_object_get(rep, "job")));
    } else if (strcmp(cmd, "jobs") == 0) {
        print_jobs(json_object_get(rep, "jobs"));
    } else if (strcmp(cmd, "job") == 0) {
        print_job(json_object_get(rep, "job"));
    } else if (strcmp(cmd, "metrics") == 0) {
        /* Verbatim: the Prometheus text exposition, for a textfile collector
         * or a scrape wrapper. */
        json_t *m = json_object_get(rep, "metrics");
        fwrite(json_string_value(m) ? json_string_value(m) : "", 1, json_string_length(m), stdout);
    } else {
        printf("ok\n");
    }
    json_decref(rep);
    return EXIT_OK;
}
