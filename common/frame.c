/* frame — see frame.h. */
#include "frame.h"
#include "alloc.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

const char *frame_err_str(frame_err e)
{
    switch (e) {
    case FRAME_OK:
        return "ok";
    case FRAME_EOF:
        return "eof";
    case FRAME_TRUNCATED:
        return "truncated frame";
    case FRAME_TOO_LARGE:
        return "frame too large";
    case FRAME_EMPTY:
        return "empty frame";
    case FRAME_IO:
        return "i/o error";
    case FRAME_NOMEM:
        return "out of memory";
    }
    return "?";
}

static uint32_t get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* 0: all read; 1: EOF before any byte; 2: EOF after some; -1: error. */
static int read_full(int fd, char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return got == 0 ? 1 : 2;
        got += (size_t)r;
    }
    return 0;
}

frame_err frame_read(int fd, arena *a, size_t max, char **out, size_t *len)
{
    unsigned char h[FRAME_HEADER];
    int r = read_full(fd, (char *)h, sizeof(h));
    if (r == 1)
        return FRAME_EOF;
    if (r == 2)
        return FRAME_TRUNCATED;
    if (r < 0)
        return FRAME_IO;
    uint32_t n = get_be32(h);
    if (n == 0)
        return FRAME_EMPTY;
    if (n > max) {
        *len = n; /* the caller may skip the payload to stay in step */
        return FRAME_TOO_LARGE;
    }
    char *buf = arena_alloc(a, (size_t)n + 1);
    if (!buf)
        return FRAME_NOMEM;
    r = read_full(fd, buf, n);
    if (r > 0)
        return FRAME_TRUNCATED;
    if (r < 0)
        return FRAME_IO;
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return FRAME_OK;
}

void frame_put_header(unsigned char *h, uint32_t n)
{
    h[0] = (unsigned char)(n >> 24);
    h[1] = (unsigned char)(n >> 16);
    h[2] = (unsigned char)(n >> 8);
    h[3] = (unsigned char)n;
}

frame_err frame_writev(int fd, const struct iovec *parts, int n)
{
    if (n < 0 || n > FRAME_MAX_PARTS)
        return FRAME_TOO_LARGE;
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += parts[i].iov_len;
    if (len == 0)
        return FRAME_EMPTY;
    if (len > UINT32_MAX)
        return FRAME_TOO_LARGE;
    unsigned char h[FRAME_HEADER];
    frame_put_header(h, (uint32_t)len);
    struct iovec iov[1 + FRAME_MAX_PARTS];
    iov[0] = (struct iovec){h, sizeof(h)};
    int cnt = 1;
    for (int i = 0; i < n; i++)
        if (parts[i].iov_len)
            iov[cnt++] = parts[i];
    int idx = 0;
    while (idx < cnt) {
        ssize_t w = writev(fd, iov + idx, cnt - idx);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return FRAME_IO;
        size_t left = (size_t)w;
        while (idx < cnt && left >= iov[idx].iov_len) {
            left -= iov[idx].iov_len;
            idx++;
        }
        if (idx < cnt) {
            iov[idx].iov_base = (char *)iov[idx].iov_base + left;
            iov[idx].iov_len -= left;
        }
    }
    return FRAME_OK;
}

frame_err frame_write(int fd, const char *payload, size_t len)
{
    struct iovec part = {(void *)payload, len};
    return frame_writev(fd, &part, 1);
}

void frame_decoder_init(frame_decoder *d, size_t max)
{
    memset(d, 0, sizeof(*d));
    d->max = max;
}

void frame_decoder_free(frame_decoder *d)
{
    alloc_free(d->buf, d->cap);
    memset(d, 0, sizeof(*d));
}

frame_err frame_decoder_feed(frame_decoder *d, const char *data, size_t len)
{
    if (d->consumed) { /* drop frames already handed out */
        memmove(d->buf, d->buf + d->consumed, d->len - d->consumed);
        d->len -= d->consumed;
        d->consumed = 0;
    }
    if (d->len + len + 1 > d->cap) {
        size_t cap = d->cap ? d->cap : 4096;
        while (cap < d->len + len + 1)
            cap *= 2;
        char *nb = alloc_resize(d->buf, d->cap, cap);
        if (!nb)
            return FRAME_NOMEM;
        d->buf = nb;
        d->cap = cap;
    }
    memcpy(d->buf + d->len, data, len);
    d->len += len;
    return FRAME_OK;
}

frame_err frame_decoder_next(frame_decoder *d, char **out, size_t *len)
{
    size_t avail = d->len - d->consumed;
    if (avail < FRAME_HEADER)
        return FRAME_EOF;
    unsigned char *p = (unsigned char *)d->buf + d->consumed;
    uint32_t n = get_be32(p);
    if (n == 0)
        return FRAME_EMPTY;
    if (n > d->max)
        return FRAME_TOO_LARGE;
    if (avail < FRAME_HEADER + (size_t)n)
        return FRAME_EOF;
    /* NUL-terminate in place. When this frame ends the buffer the byte after
     * it is spare capacity; otherwise it is the next frame's header, so the
     * payload is shifted one byte back over its own (already read) header. */
    char *payload = (char *)p + FRAME_HEADER;
    d->consumed += FRAME_HEADER + n;
    if (d->consumed == d->len) {
        payload[n] = '\0'; /* capacity always has one spare byte */
    } else {
        /* Shift the payload left by one over the last header byte so the
         * terminator lands on our own byte, not the next frame's. */
        memmove(payload - 1, payload, n);
        payload--;
        payload[n] = '\0';
    }
    *out = payload;
    *len = n;
    return FRAME_OK;
}
