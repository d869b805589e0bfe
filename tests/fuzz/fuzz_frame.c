/* libFuzzer target: frame_decoder_feed / frame_decoder_next under arbitrary
 * chunking, checked against a reference decoder of the whole stream.
 *
 * Input: byte 0 picks the decoder's max (small maxima reach FRAME_TOO_LARGE
 * often), bytes 1..4 are chunk sizes used in turn (0 means a zero-length
 * feed), the rest is the stream. Every frame the decoder hands out must be
 * the reference's next frame, NUL-terminated, and the decoder must stop
 * with the reference's verdict (EOF, TOO_LARGE or EMPTY). */
#include "alloc.h"
#include "frame.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NCHUNK 4

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The reference: the frame starting at *off, or the verdict. */
static frame_err ref_next(const uint8_t *s, size_t n, size_t max, size_t *off, size_t *plen)
{
    if (n - *off < FRAME_HEADER)
        return FRAME_EOF;
    uint32_t len = be32(s + *off);
    if (len == 0)
        return FRAME_EMPTY;
    if (len > max)
        return FRAME_TOO_LARGE;
    if (n - *off - FRAME_HEADER < len)
        return FRAME_EOF;
    *plen = len;
    return FRAME_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 + NCHUNK)
        return 0;
    static const size_t maxima[8] = {1, 3, 8, 16, 100, 4096, FRAME_MAX_TASK, FRAME_MAX_RESULT};
    size_t max = maxima[data[0] & 7];
    uint8_t chunks[NCHUNK];
    memcpy(chunks, data + 1, NCHUNK);
    const uint8_t *s = data + 1 + NCHUNK;
    size_t n = size - 1 - NCHUNK;

    frame_decoder d;
    frame_decoder_init(&d, max);
    size_t fed = 0, ref_off = 0, ci = 0;
    for (;;) {
        /* Chunk sizes: 0..127, or 61 times that when the top bit is set; a
         * 0 is an empty feed followed by a 1-byte one (always progress). */
        size_t c = chunks[ci++ % NCHUNK];
        if (c & 0x80)
            c = (c & 0x7f) * 61;
        if (c == 0) {
            if (frame_decoder_feed(&d, (const char *)s + fed, 0) != FRAME_OK)
                abort();
            c = 1;
        }
        if (c > n - fed)
            c = n - fed;
        if (frame_decoder_feed(&d, (const char *)s + fed, c) != FRAME_OK)
            abort(); /* the process allocator does not fail here */
        fed += c;
        frame_err e;
        for (;;) {
            char *out = NULL;
            size_t len = 0, rlen = 0;
            e = frame_decoder_next(&d, &out, &len);
            if (e != ref_next(s, fed, max, &ref_off, &rlen))
                abort();
            if (e != FRAME_OK)
                break;
            if (len != rlen || len > max || out[len] != '\0' ||
                memcmp(out, s + ref_off + FRAME_HEADER, len) != 0)
                abort();
            ref_off += FRAME_HEADER + len;
        }
        if (e != FRAME_EOF || fed == n)
            break; /* a bad header ends the stream, as the supervisor does */
    }
    frame_decoder_free(&d);
    return 0;
}
