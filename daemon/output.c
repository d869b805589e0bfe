/* output — a job's files (see jobs_int.h): where they may go
 * (output_resolve), opening them, the batch buffers of pages.jsonl and
 * crawl.warc.gz and their writes, the warcinfo record, and the cut-back to
 * the committed lengths at load. */
#include "jobs_int.h"
#include "alloc.h"
#include "log.h"
#include "warc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

void output_close_fd(job *jb)
{
    if (jb->out_fd >= 0)
        close(jb->out_fd);
    jb->out_fd = -1;
    if (jb->warc_fd >= 0)
        close(jb->warc_fd);
    jb->warc_fd = -1;
    if (jb->content_fd >= 0)
        close(jb->content_fd);
    jb->content_fd = -1;
}

/* "write PATH: No space left on device (ENOSPC)" */
void output_write_error(char *e, size_t cap, const char *path, int fd_closed)
{
    int err = errno;
    const char *name = fd_closed ? NULL : strerrorname_np(err);
    snprintf(e, cap, "write %.600s: %s%s%s%s", path, fd_closed ? "closed" : strerror(err),
             name ? " (" : "", name ? name : "", name ? ")" : "");
}

/* Writes all of buf: 0, or -1 with errno (the file is then cut back by
 * batch_abort). */
static int write_all(int fd, const char *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, buf + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        off += (size_t)w;
    }
    return 0;
}

/* Writes a job's buffered records out. */
int output_obuf_write(job *jb)
{
    if (write_all(jb->out_fd, jb->obuf, jb->obuf_len) < 0)
        return -1;
    jb->obuf_len = 0;
    return 0;
}

/* Writes a job's buffered WARC records out; a buffer grown past what a
 * normal batch needs goes back (one huge page must not pin its size). */
int output_wbuf_write(job *jb)
{
    if (write_all(jb->warc_fd, jb->wbuf, jb->wbuf_len) < 0)
        return -1;
    jb->wbuf_len = 0;
    if (jb->wbuf_cap > 2 * (size_t)JOBS_GROUP_WARC_BYTES) {
        alloc_free(jb->wbuf, jb->wbuf_cap);
        jb->wbuf = NULL;
        jb->wbuf_cap = 0;
    }
    return 0;
}

/* Room for n more bytes in the WARC buffer; -1 on OOM. */
static int wbuf_reserve(job *jb, size_t n)
{
    if (jb->wbuf_len + n <= jb->wbuf_cap)
        return 0;
    size_t cap = jb->wbuf_cap ? jb->wbuf_cap : 256 * 1024;
    while (cap < jb->wbuf_len + n)
        cap *= 2;
    char *b = alloc_resize(jb->wbuf, jb->wbuf_cap, cap);
    if (!b)
        return -1;
    jb->wbuf = b;
    jb->wbuf_cap = cap;
    return 0;
}

/* Appends one record line to the job's batch buffer; -1 on OOM. */
int output_obuf_append(job *jb, const char *s, size_t len)
{
    if (jb->obuf_len + len + 1 > jb->obuf_cap) {
        size_t cap = jb->obuf_cap ? jb->obuf_cap : 64 * 1024;
        while (cap < jb->obuf_len + len + 1)
            cap *= 2;
        char *n = alloc_resize(jb->obuf, jb->obuf_cap, cap);
        if (!n)
            return -1;
        jb->obuf = n;
        jb->obuf_cap = cap;
    }
    memcpy(jb->obuf + jb->obuf_len, s, len);
    jb->obuf[jb->obuf_len + len] = '\n';
    jb->obuf_len += len + 1;
    return 0;
}

int output_open(job *jb, int create, char *err, size_t errlen)
{
    if (mkdir(jb->out_dir, 0755) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", jb->out_dir, strerror(errno));
        return -1;
    }
    /* O_NOFOLLOW: a pages.jsonl planted as a symlink never sends the
     * output (or its truncation) outside the job's directory. */
    jb->out_fd =
        open(jb->out_path,
             O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | (create ? O_TRUNC : 0), 0644);
    if (jb->out_fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", jb->out_path, strerror(errno));
        return -1;
    }
    if (!jb->warc)
        return output_content_open(jb, create, err, errlen);
    jb->warc_fd =
        open(jb->warc_path,
             O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | (create ? O_TRUNC : 0), 0644);
    if (jb->warc_fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", jb->warc_path, strerror(errno));
        return -1; /* out_fd stays open: the caller's failure path closes both */
    }
    return output_content_open(jb, create, err, errlen);
}

/* The warcinfo record that opens a new crawl.warc.gz: who wrote it, the
 * format, and the job's options; written and fdatasync'd before the job's
 * transaction commits with its length. */
int output_write_warcinfo(jobs *j, job *jb, const char *opts_json, char *err, size_t errlen)
{
    char id[WARC_ID_SIZE], date[WARC_DATE_SIZE];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    warc_date(date, &now);
    warc_buf info = {0}, out = {0};
    int rc = -1;
    if (warc_record_id(id) < 0) {
        snprintf(err, errlen, "warcinfo: no random bytes for a record id");
        goto out;
    }
    char head[1024];
    int hn =
        snprintf(head, sizeof(head),
                 "software: crawld/%s\r\n"
                 "format: WARC File Format 1.1\r\n"
                 "conformsTo: http://iipc.github.io/warc-specifications/specifications/"
                 "warc-format/warc-1.1/\r\n"
                 "http-header-user-agent: %.300s\r\n"
                 "robots: %s\r\n"
                 "crawld-job: %lld\r\n"
                 "crawld-payload: decoded (curl undid Content-Encoding and "
                 "Transfer-Encoding; the response headers are rewritten to match and the "
                 "originals kept as X-Crawld-Original-*)\r\n"
                 "crawld-options: ",
                 CRAWLD_VERSION, j->cfg->user_agent, jb->obey_robots ? "obey" : "ignore", jb->id);
    if (hn < 0 || (size_t)hn >= sizeof(head) || warc_buf_append(&info, head, (size_t)hn) < 0 ||
        warc_buf_append(&info, opts_json, strlen(opts_json)) < 0 ||
        warc_buf_append(&info, "\r\n", 2) < 0) {
        snprintf(err, errlen, "warcinfo: out of memory");
        goto out;
    }
    warc_field f[] = {{"WARC-Record-ID", id},
                      {"WARC-Date", date},
                      {"WARC-Filename", "crawl.warc.gz"},
                      {"Content-Type", "application/warc-fields"}};
    if (warc_append_record(&out, "warcinfo", f, sizeof(f) / sizeof(f[0]), info.p, info.len, NULL,
                           0) < 0) {
        snprintf(err, errlen, "warcinfo: out of memory");
        goto out;
    }
    if (write_all(jb->warc_fd, out.p, out.len) < 0 || fdatasync(jb->warc_fd) < 0) {
        snprintf(err, errlen, "write %s: %s", jb->warc_path, strerror(errno));
        goto out;
    }
    jb->warc_written = jb->warc_committed = (long long)out.len;
    rc = 0;
out:
    warc_buf_release(&info);
    warc_buf_release(&out);
    return rc;
}

/* mkdir -p of rel under the directory root, one component at a time from
 * a descriptor of its parent, never following a symlink (O_NOFOLLOW): a
 * symlinked directory under the root cannot make anything be created
 * outside it. */
static int mkdir_under(const char *root, const char *rel, char *err, size_t errlen)
{
    int dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        snprintf(err, errlen, "output root %s: %s", root, strerror(errno));
        return -1;
    }
    char comp[NAME_MAX + 1];
    const char *s = rel;
    while (*s) {
        size_t n = strcspn(s, "/");
        if (n > NAME_MAX) {
            snprintf(err, errlen, "a path component is longer than %d bytes", NAME_MAX);
            close(dfd);
            return -1;
        }
        memcpy(comp, s, n);
        comp[n] = '\0';
        s += n;
        s += *s == '/';
        if (n == 0 || strcmp(comp, ".") == 0)
            continue;
        if (mkdirat(dfd, comp, 0755) < 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create %s: %s", comp, strerror(errno));
            close(dfd);
            return -1;
        }
        int nfd = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        close(dfd);
        if (nfd < 0) {
            snprintf(err, errlen, "%s is not a directory under the output root (%s)", comp,
                     errno == ELOOP || errno == ENOTDIR ? "a symlink or a file" : strerror(errno));
            return -1;
        }
        dfd = nfd;
    }
    close(dfd);
    return 0;
}

/* dir (absolute, or relative to the output root) must end up strictly
 * under the output root, with no ".." component and no symlink leading out. */
int output_resolve(jobs *j, const char *want, char *out, size_t cap, char *err, size_t errlen)
{
    char root[PATH_MAX], path[PATH_MAX * 2], real[PATH_MAX];
    if (!realpath(j->output_dir, root)) {
        snprintf(err, errlen, "output root %s: %s", j->output_dir, strerror(errno));
        return -1;
    }
    if (want[0] == '/')
        snprintf(path, sizeof(path), "%s", want);
    else
        snprintf(path, sizeof(path), "%s/%s", root, want);
    const char *s = path;
    while (*s) { /* any ".." component is refused before anything is made */
        const char *e = s + strcspn(s, "/");
        if (e - s == 2 && s[0] == '.' && s[1] == '.') {
            snprintf(err, errlen, "--output %s: \"..\" is not allowed", want);
            return -1;
        }
        s = *e ? e + 1 : e;
    }
    size_t rl = strlen(root), jl = strlen(j->output_dir);
    int under = (strncmp(path, root, rl) == 0 && path[rl] == '/' && path[rl + 1]) ||
                (strncmp(path, j->output_dir, jl) == 0 && path[jl] == '/' && path[jl + 1]);
    if (!under) {
        snprintf(err, errlen, "--output %s is not under the output root %s", want, j->output_dir);
        return -1;
    }
    if (mkdir_under(root, path + (strncmp(path, root, rl) == 0 && path[rl] == '/' ? rl : jl) + 1,
                    err, errlen) < 0) {
        snprintf(err + strlen(err), errlen - strlen(err), " (--output %s)", want);
        return -1;
    }
    if (!realpath(path, real) || strncmp(real, root, rl) != 0 || real[rl] != '/') {
        snprintf(err, errlen, "--output %s leads out of the output root %s", want, j->output_dir);
        return -1;
    }
    for (job *jb = j->list; jb; jb = jb->next)
        if (strcmp(jb->out_dir, real) == 0) {
            snprintf(err, errlen, "--output %s is already job %lld's output", want, jb->id);
            return -1;
        }
    if (strlen(real) >= cap) {
        snprintf(err, errlen, "--output %s: path too long", want);
        return -1;
    }
    memcpy(out, real, strlen(real) + 1);
    return 0;
}

/* Appends a page's WARC records (gzip members from the worker) to the
 * job's WARC buffer. 0; -1 on OOM. */
int output_warc_append(job *jb, const char *recs, size_t len)
{
    if (wbuf_reserve(jb, len) < 0)
        return -1;
    memcpy(jb->wbuf + jb->wbuf_len, recs, len);
    jb->wbuf_len += len;
    jb->warc_written += (long long)len;
    return 0;
}

/* At load: pages.jsonl (and crawl.warc.gz) cut back to their committed
 * lengths, so records written but never committed are done again. 0, or
 * -1 with err (the job fails). */
int output_cut_back(job *jb, char *err, size_t errlen)
{
    struct stat stt;
    if (fstat(jb->out_fd, &stt) == 0 && stt.st_size < jb->committed)
        log_error("jobs", "output shorter than its committed length",
                  "job=%lld size=%lld "
                  "committed=%lld",
                  jb->id, (long long)stt.st_size, jb->committed);
    else if (fstat(jb->out_fd, &stt) == 0 && stt.st_size > jb->committed) {
        if (ftruncate(jb->out_fd, jb->committed) < 0) {
            snprintf(err, errlen, "cannot cut pages.jsonl back: %s", strerror(errno));
            return -1;
        }
        log_info("jobs", "output cut back to its last commit", "job=%lld from=%lld to=%lld", jb->id,
                 (long long)stt.st_size, jb->committed);
    }
    jb->written = jb->committed;
    if (jb->warc && fstat(jb->warc_fd, &stt) == 0) {
        if (stt.st_size < jb->warc_committed)
            log_error("jobs", "WARC shorter than its committed length",
                      "job=%lld size=%lld "
                      "committed=%lld",
                      jb->id, (long long)stt.st_size, jb->warc_committed);
        else if (stt.st_size > jb->warc_committed) {
            if (ftruncate(jb->warc_fd, jb->warc_committed) < 0) {
                snprintf(err, errlen, "cannot cut crawl.warc.gz back: %s", strerror(errno));
                return -1;
            }
            log_info("jobs", "WARC cut back to its last commit", "job=%lld from=%lld to=%lld",
                     jb->id, (long long)stt.st_size, jb->warc_committed);
        }
    }
    jb->warc_written = jb->warc_committed;
    return output_content_cut_back(jb, err, errlen);
}

/* ---- content.jsonl.zst (--save; docs/daemon.md, "Content") ---- */

int output_content_open(job *jb, int create, char *err, size_t errlen)
{
    if (!jb->save)
        return 0;
    jb->content_fd =
        open(jb->content_path,
             O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | (create ? O_TRUNC : 0), 0644);
    if (jb->content_fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", jb->content_path, strerror(errno));
        return -1; /* the others stay open: the caller's failure path closes them */
    }
    if (!create)
        return 0;
    /* A new file starts with an empty frame (its length committed with the
     * job): zstd -dc refuses an empty file, and a job may commit no content
     * before a crash or a full disk. */
    char z[32];
    size_t n = ZSTD_compress(z, sizeof(z), "", 0, OUTPUT_CONTENT_LEVEL);
    if (ZSTD_isError(n) || write_all(jb->content_fd, z, n) < 0 || fdatasync(jb->content_fd) < 0) {
        snprintf(err, errlen, "write %s: %s", jb->content_path,
                 ZSTD_isError(n) ? ZSTD_getErrorName(n) : strerror(errno));
        return -1;
    }
    jb->content_written = jb->content_committed = (long long)n;
    return 0;
}

int output_content_append(job *jb, long long offset, const char *obj, size_t len)
{
    char head[48];
    int hn = snprintf(head, sizeof(head), "{\"offset\":%lld%s", offset, len > 2 ? "," : "");
    if (len < 2 || obj[0] != '{' || hn < 0 || (size_t)hn >= sizeof(head))
        return -1;
    size_t need = (size_t)hn + len; /* obj without its '{', and a newline */
    if (jb->cbuf_len + need > jb->cbuf_cap) {
        size_t cap = jb->cbuf_cap ? jb->cbuf_cap : 256 * 1024;
        while (cap < jb->cbuf_len + need)
            cap *= 2;
        char *n = alloc_resize(jb->cbuf, jb->cbuf_cap, cap);
        if (!n)
            return -1;
        jb->cbuf = n;
        jb->cbuf_cap = cap;
    }
    memcpy(jb->cbuf + jb->cbuf_len, head, (size_t)hn);
    memcpy(jb->cbuf + jb->cbuf_len + hn, obj + 1, len - 1);
    jb->cbuf[jb->cbuf_len + need - 1] = '\n';
    jb->cbuf_len += need;
    return 0;
}

int output_content_write(job *jb)
{
    jb->content_written = jb->content_committed;
    if (jb->cbuf_len == 0)
        return 0;
    size_t cap = ZSTD_compressBound(jb->cbuf_len);
    char *z = alloc_new(cap);
    if (!z) {
        errno = ENOMEM;
        return -1;
    }
    /* One frame per batch: a file cut back to any committed length is a
     * run of whole frames (zstd -dc reads them one after another). */
    size_t n = ZSTD_compress(z, cap, jb->cbuf, jb->cbuf_len, OUTPUT_CONTENT_LEVEL);
    int rc = -1;
    if (ZSTD_isError(n)) {
        errno = ENOMEM;
        goto out;
    }
    if (write_all(jb->content_fd, z, n) < 0)
        goto out;
    jb->content_written = jb->content_committed + (long long)n;
    jb->cbuf_len = 0;
    if (jb->cbuf_cap > 2 * (size_t)JOBS_GROUP_WARC_BYTES) {
        alloc_free(jb->cbuf, jb->cbuf_cap);
        jb->cbuf = NULL;
        jb->cbuf_cap = 0;
    }
    rc = 0;
out:
    alloc_free(z, cap);
    return rc;
}

int output_content_cut_back(job *jb, char *err, size_t errlen)
{
    struct stat stt;
    jb->content_written = jb->content_committed;
    if (!jb->save || jb->content_fd < 0 || fstat(jb->content_fd, &stt) != 0)
        return 0;
    if (stt.st_size < jb->content_committed)
        log_error("jobs", "content file shorter than its committed length",
                  "job=%lld size=%lld committed=%lld", jb->id, (long long)stt.st_size,
                  jb->content_committed);
    else if (stt.st_size > jb->content_committed) {
        if (ftruncate(jb->content_fd, jb->content_committed) < 0) {
            snprintf(err, errlen, "cannot cut content.jsonl.zst back: %s", strerror(errno));
            return -1;
        }
        log_info("jobs", "content file cut back to its last commit", "job=%lld from=%lld to=%lld",
                 jb->id, (long long)stt.st_size, jb->content_committed);
    }
    return 0;
}

/* ---- following a job's records (jobs.h) ---- */

long long jobs_pages_committed(const job *jb) { return jb->committed; }

int jobs_pages_ended(const job *jb) { return !job_active(jb) && jb->in_flight == 0 && !jb->dirty; }

/* A record longer than max is read on in steps of at least this. */
#define PAGES_READ_STEP (64 * 1024)

/* pread until n bytes or the end; the bytes read, or -1 with errno. */
static ssize_t pread_full(int fd, char *buf, size_t n, off_t at)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, buf + got, n - got, at + (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

int jobs_pages_read(const job *jb, long long from, size_t max, char **out, size_t *len, size_t *cap,
                    char *err, size_t errlen)
{
    return jobs_pages_read_file(jb->out_path, jb->committed, from, max, out, len, cap, err, errlen);
}

int jobs_pages_read_file(const char *path, long long end, long long from, size_t max, char **out,
                         size_t *len, size_t *cap, char *err, size_t errlen)
{
    *out = NULL;
    *len = *cap = 0;
    if (from < 0 || from > end) {
        snprintf(err, errlen, "\"from\" %lld is past the committed end (%lld)", from, end);
        return -1;
    }
    if (from == end) /* a committed length is always a record's end */
        return 0;
    int rc = -1;
    char *buf = NULL;
    size_t bcap = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        goto out;
    }
    /* One byte before from (skip): it must end a record. */
    size_t skip = from > 0 ? 1 : 0;
    long long at = from - (long long)skip;
    size_t want = (size_t)(end - at) < max + skip ? (size_t)(end - at) : max + skip;
    size_t have = 0;
    for (;;) {
        if (want > bcap) {
            char *nb = alloc_resize(buf, bcap, want);
            if (!nb) {
                snprintf(err, errlen, "out of memory");
                goto out;
            }
            buf = nb;
            bcap = want;
        }
        ssize_t r = pread_full(fd, buf + have, want - have, (off_t)(at + (long long)have));
        if (r < 0 || (size_t)r < want - have) {
            snprintf(err, errlen, "read %s: %s", path,
                     r < 0 ? strerror(errno) : "shorter than its committed length");
            goto out;
        }
        if (have == 0 && skip && buf[0] != '\n') {
            snprintf(err, errlen,
                     "\"from\" %lld is not the start of a record (0, or a \"next\" a reply "
                     "gave)",
                     from);
            rc = -2;
            goto out;
        }
        /* The first read: the last record's end in it. A read on: the
         * first end among its new bytes (one record longer than max). */
        char *nl = NULL;
        if (have == 0) {
            for (size_t i = want; i > skip && !nl; i--)
                if (buf[i - 1] == '\n')
                    nl = buf + i - 1;
        } else
            nl = memchr(buf + have, '\n', want - have);
        if (nl) {
            *len = (size_t)(nl + 1 - buf) - skip;
            if (skip)
                memmove(buf, buf + 1, *len);
            break;
        }
        /* Committed bytes end with a record's '\n': there is one further. */
        if ((long long)want >= end - at) {
            snprintf(err, errlen, "%s: committed bytes do not end a record", path);
            goto out;
        }
        have = want;
        long long more = end - at - (long long)want;
        size_t step = max < PAGES_READ_STEP ? PAGES_READ_STEP : max;
        want += more < (long long)step ? (size_t)more : step;
    }
    *out = buf;
    *cap = bcap;
    buf = NULL;
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    alloc_free(buf, bcap);
    return rc;
}

/* ---- reading a job's content.jsonl.zst (jobs.h) ---- */

long long jobs_content_committed(const job *jb) { return jb->save ? jb->content_committed : -1; }

int jobs_content_read(const job *jb, long long from, size_t max, char **out, size_t *len,
                      size_t *cap, char *err, size_t errlen)
{
    *out = NULL;
    *len = *cap = 0;
    if (!jb->save) {
        snprintf(err, errlen, "no content.jsonl.zst: the job was submitted without --save");
        return -1;
    }
    long long end = jb->content_committed;
    if (from < 0 || from > end) {
        snprintf(err, errlen, "\"from\" %lld is past the committed end (%lld)", from, end);
        return -1;
    }
    if (from == end)
        return 0;
    size_t want = (size_t)(end - from) < max ? (size_t)(end - from) : max;
    char *buf = alloc_new(want);
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int fd = open(jb->content_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    ssize_t r = fd < 0 ? -1 : pread_full(fd, buf, want, (off_t)from);
    int e = errno;
    if (fd >= 0)
        close(fd);
    if (r < 0 || (size_t)r < want) {
        snprintf(err, errlen, "read %s: %s", jb->content_path,
                 r < 0 ? strerror(e) : "shorter than its committed length");
        alloc_free(buf, want);
        return -1;
    }
    *out = buf;
    *len = *cap = want;
    return 0;
}
