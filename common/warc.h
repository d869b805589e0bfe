/* warc — WARC/1.1 records (ISO 28500:2017), each its own gzip member so a
 * reader can start at any record. The worker builds a page's request and
 * response records; crawld builds the warcinfo record that opens a job's
 * crawl.warc.gz. Output goes into a warc_buf the caller owns, grown in an
 * arena (the page's) or, with none, through the process allocator.
 * Digests are "sha1:" + base32 of libcrypto's SHA-1, compression zlib's
 * gzip wrapper, record ids random v4 UUIDs (getrandom). Nothing logs. */
#ifndef CRAWLD_WARC_H
#define CRAWLD_WARC_H

#include "arena.h"
#include "session.h"
#include <stddef.h>
#include <time.h>

#define WARC_ID_SIZE 48     /* "<urn:uuid:" 36 ">" + NUL */
#define WARC_DATE_SIZE 64   /* "2026-11-25T19:16:50.123456Z" + NUL, with room */
#define WARC_DIGEST_SIZE 40 /* "sha1:" + 32 base32 + NUL */
/* WARC-Profile of a revisit record for a 304 to a conditional request. */
#define WARC_PROFILE_NOT_MODIFIED "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
/* WARC-Profile of a revisit record for a payload recorded before. */
#define WARC_PROFILE_IDENTICAL "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
/* A record's HTTP header block read back is at most this long. */
#define WARC_MAX_HTTP_HEAD (256 * 1024)

typedef struct warc_buf {
    arena *a; /* NULL: the process allocator (warc_buf_release frees it) */
    char *p;
    size_t len, cap;
} warc_buf;

/* 0, or -1 when the buffer could not grow. */
int warc_buf_reserve(warc_buf *b, size_t extra);
int warc_buf_append(warc_buf *b, const void *data, size_t n);
/* Frees the bytes of a process-allocator buffer; nothing for an arena one. */
void warc_buf_release(warc_buf *b);

typedef struct warc_field {
    const char *name;
    const char *value;
} warc_field;

/* "<urn:uuid:…>" of a random v4 UUID. 0, or -1 when getrandom failed. */
int warc_record_id(char out[WARC_ID_SIZE]);
/* W3C-ISO8601 in UTC with microseconds (WARC 1.1 allows the fraction). */
void warc_date(char out[WARC_DATE_SIZE], const struct timespec *ts);
/* RFC 4648 base32 with '=' padding; out needs ((n + 4) / 5) * 8 + 1 bytes.
 * Returns the length written (NUL not counted). */
size_t warc_base32(const unsigned char *in, size_t n, char *out);
/* "sha1:" + base32 of SHA-1 over a[0..an) then b[0..bn) (b may be NULL).
 * 0, or -1 when libcrypto failed. */
int warc_sha1_b32(const void *a, size_t an, const void *b, size_t bn, char out[WARC_DIGEST_SIZE]);

/* Appends one record as one gzip member: "WARC/1.1", WARC-Type: type, the
 * fields in order, Content-Length (of the block), a blank line, the block
 * (block1 then block2; either may be empty) and the two CRLFs that end a
 * record. Field values must not contain CR or LF. Returns the member's
 * compressed length, or -1 (nothing is left appended). */
long warc_append_record(warc_buf *out, const char *type, const warc_field *fields, size_t nfields,
                        const void *block1, size_t len1, const void *block2, size_t len2);

/* The HTTP header block of a response record, from the block as received
 * (status line up to and including the blank line) and the payload length
 * that follows it in the record. crawld records the payload curl decoded,
 * so a block with Content-Encoding or Transfer-Encoding, or with a
 * Content-Length other than payload_len, is rewritten: each such header is
 * kept renamed X-Crawld-Original-<Name> and "Content-Length: payload_len"
 * is added before the blank line. Otherwise the block is copied unchanged.
 * Appended to out (no NUL). 0, or -1 on allocation failure. */
int warc_http_response_head(warc_buf *out, const char *head, size_t head_len, size_t payload_len);

/* Recrawls: records as warc_append_record wrote them (gzip members, one
 * record each): the offset of the last member in *last, and that
 * record's block up to and including the blank line that ends its HTTP
 * header block (at most WARC_MAX_HTTP_HEAD bytes) appended to http_head.
 * 0, or -1 when recs is not such a run of members or the header block
 * does not end within the bound (nothing appended). */
int warc_last_http_head(const void *recs, size_t n, size_t *last, warc_buf *http_head);
/* A header block with the value of every Cookie and Set-Cookie header
 * replaced by WARC_REDACTED, the session's marker (a job's cookies are secrets: docs/daemon.md,
 * Cookies), appended to out; other lines are copied unchanged. 0, or -1
 * on allocation failure (nothing left appended). */
#define WARC_REDACTED SESSION_REDACTED
int warc_redact_cookies(warc_buf *out, const char *block, size_t len);

#endif
