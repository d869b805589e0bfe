/* libFuzzer target: the control socket's request path on raw client bytes.
 *
 * The request parser itself (control.c's on_line) is static, so this drives
 * the public line splitter, linebuf_feed, with arbitrary chunking and does
 * with each line exactly what on_line does before the handler: skip blank
 * lines, json_loadb with JSON_REJECT_DUPLICATES, require an object with a
 * string "cmd", then serialise a reply as client_reply does.
 *
 * Input: byte 0 picks the line maximum (small ones reach LINEBUF_TOO_LONG),
 * byte 1 how many lines may arrive before the callback asks to stop (0:
 * never), bytes 2..5 the chunk sizes used in turn; the rest is the stream.
 * Lines handed out are checked against a reference split of the stream. */
#include "alloc.h"
#include "control.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NCHUNK 4

typedef struct ctx {
    const uint8_t *s; /* the whole stream, for the reference split */
    size_t n;
    size_t ref_off; /* where the next reference line starts */
    size_t lines;   /* lines delivered */
    size_t stop_after;
} ctx;

/* What on_line does with a line before it reaches the handler. */
static void parse_request(const char *line, size_t len)
{
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i == len)
        return;
    json_error_t jerr;
    json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *reply;
    if (!req)
        reply = control_error("bad request: invalid JSON at byte %d: %s", jerr.position, jerr.text);
    else if (!json_is_object(req))
        reply = control_error("bad request: not a JSON object");
    else if (!json_is_string(json_object_get(req, "cmd")))
        reply = control_error("bad request: missing \"cmd\"");
    else {
        /* A reply that echoes the request, so serialising sees its values. */
        reply = json_object();
        if (!reply || json_object_set_new(reply, "ok", json_true()) ||
            json_object_set(reply, "request", req))
            abort();
    }
    json_decref(req);
    if (!reply)
        abort(); /* every branch above makes a reply */
    char *out = json_dumps(reply, JSON_COMPACT | JSON_REAL_PRECISION(15));
    if (!out || memchr(out, '\n', strlen(out)))
        abort(); /* a reply must stay one NDJSON line */
    free(out);
    json_decref(reply);
}

static int on_line(void *ud, char *line, size_t len)
{
    ctx *c = ud;
    /* Reference: the next '\n'-terminated line, one '\r' before it dropped. */
    const uint8_t *nl = memchr(c->s + c->ref_off, '\n', c->n - c->ref_off);
    if (!nl)
        abort(); /* a line without its newline was delivered */
    size_t rlen = (size_t)(nl - (c->s + c->ref_off));
    size_t want = rlen && c->s[c->ref_off + rlen - 1] == '\r' ? rlen - 1 : rlen;
    if (len != want || memcmp(line, c->s + c->ref_off, len) != 0 || line[len] != '\0')
        abort();
    c->ref_off += rlen + 1;
    parse_request(line, len);
    c->lines++;
    return c->stop_after && c->lines == c->stop_after;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 + NCHUNK)
        return 0;
    static const size_t maxima[4] = {0, 7, 64, CONTROL_LINE_MAX};
    size_t max = maxima[data[0] & 3];
    ctx c = {.s = data + 2 + NCHUNK, .n = size - 2 - NCHUNK, .stop_after = data[1] & 7};
    const uint8_t *chunks = data + 2;

    linebuf lb;
    linebuf_init(&lb, max);
    size_t fed = 0, ci = 0;
    linebuf_rc rc = LINEBUF_OK;
    while (fed < c.n) {
        size_t k = chunks[ci++ % NCHUNK];
        if (k == 0)
            k = 1;
        if (k > c.n - fed)
            k = c.n - fed;
        /* Bytes of this chunk that the reference says belong to lines still
         * to be delivered, or to the partial line being buffered. */
        rc = linebuf_feed(&lb, (const char *)c.s + fed, k, on_line, &c);
        fed += k;
        if (rc == LINEBUF_TOO_LONG) {
            /* Only when the line being read (its '\r' counted) passed max. */
            const uint8_t *nl = memchr(c.s + c.ref_off, '\n', fed - c.ref_off);
            size_t body = nl ? (size_t)(nl - (c.s + c.ref_off)) : fed - c.ref_off;
            if (body <= max)
                abort();
            break;
        }
        if (rc == LINEBUF_STOPPED)
            break;
        if (rc != LINEBUF_OK)
            abort();
        /* Everything up to the last newline fed has been delivered, and what
         * is buffered is no longer than max. */
        if (lb.len > max || c.ref_off + lb.len != fed)
            abort();
    }
    if (rc == LINEBUF_OK && lb.cap > max + 1)
        abort(); /* "never holds more than max+1 bytes" */
    linebuf_free(&lb);
    return 0;
}
