/* frame — the supervisor↔worker channel: each message is a 4-byte
 * big-endian length followed by that many bytes (what the bytes say is
 * wire.h's business). The length is checked against a maximum before
 * anything is buffered, so a peer cannot make the reader allocate more than
 * max bytes (memcached's rule).
 *
 * frame_read/frame_write are blocking (the worker); frame_decoder takes the
 * bytes libuv hands over in pieces (the supervisor). */
#ifndef CRAWLD_FRAME_H
#define CRAWLD_FRAME_H

#include "arena.h"
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define FRAME_HEADER 4
#define FRAME_MAX_TASK (64 * 1024) /* supervisor → worker */
/* worker → supervisor. 64 MiB: a WARC job's page carries its records (gzip
 * members of at most ~max_body_mb; at the default max_body_mb = 10, about
 * 10 MiB) with the record. A page whose records do not fit is sent without
 * them (its record says so). */
#define FRAME_MAX_RESULT (64 * 1024 * 1024)

typedef enum frame_err {
    FRAME_OK = 0,
    FRAME_EOF,       /* clean end of stream before a header */
    FRAME_TRUNCATED, /* stream ended inside a frame */
    FRAME_TOO_LARGE, /* declared length over the maximum */
    FRAME_EMPTY,     /* declared length 0 */
    FRAME_IO,        /* read/write error (errno kept) */
    FRAME_NOMEM
} frame_err;

const char *frame_err_str(frame_err e);

/* Reads one frame into a (NUL-terminated copy, *len without the NUL). On
 * FRAME_TOO_LARGE only the header was read and *len is the declared length. */
frame_err frame_read(int fd, arena *a, size_t max, char **out, size_t *len);
/* Writes header + payload completely (retries on EINTR / short writes). */
frame_err frame_write(int fd, const char *payload, size_t len);
/* The same for a payload gathered from n parts (n <= FRAME_MAX_PARTS; empty
 * parts allowed, not all of them): one frame, no copy. */
#define FRAME_MAX_PARTS 12
frame_err frame_writev(int fd, const struct iovec *parts, int n);
/* Writes the 4-byte header of an n-byte payload at h. */
void frame_put_header(unsigned char *h, uint32_t n);

typedef struct frame_decoder {
    char *buf; /* process allocator */
    size_t cap, len;
    size_t max;
    size_t consumed; /* bytes of buf already returned as frames */
} frame_decoder;

void frame_decoder_init(frame_decoder *d, size_t max);
void frame_decoder_free(frame_decoder *d);
/* Appends bytes; FRAME_NOMEM on allocation failure. */
frame_err frame_decoder_feed(frame_decoder *d, const char *data, size_t len);
/* FRAME_OK with out and len set (valid until the next feed; NUL-terminated),
 * FRAME_EOF when no complete frame is buffered, FRAME_TOO_LARGE / FRAME_EMPTY
 * on a bad header (the stream cannot be resynchronised: close it). */
frame_err frame_decoder_next(frame_decoder *d, char **out, size_t *len);

#endif
