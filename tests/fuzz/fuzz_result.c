/* libFuzzer target: the binary page result (wire_result_decode) and the
 * record check (jsonv_valid_object_line), the two things crawld does with
 * what a worker sends for each page; and every other message as either
 * side decodes it (wire_decode: a task at the worker, ready / pong / error
 * at crawld), which must succeed or say which word and why.
 *
 * 1. The input as a result payload: when it decodes, every section must lie
 *    inside the input and the sections must add up to it.
 * 2. The input as a record line, against jansson: what jansson loads as an
 *    object (no newline, CR or raw NUL in it, under its depth limit) we
 *    accept, and
 *    what we accept jansson loads (unless it refuses a number too big for
 *    it or a \u0000 in a key, which JSON's grammar allows). */
#include "wire.h"
#include "json_alloc.h"
#include "jsonv.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int inside(const char *p, size_t n, const uint8_t *data, size_t size)
{
    return n == 0 || (p >= (const char *)data && p + n <= (const char *)data + size);
}

static void messages(const uint8_t *data, size_t size)
{
    static arena a;
    static int ready;
    if (!ready) {
        json_alloc_install();
        arena_init(&a, 0);
        ready = 1;
    }
    for (int side = WIRE_AT_WORKER; side <= WIRE_AT_DAEMON; side++) {
        wire_msg m;
        wire_err e;
        if (wire_decode((wire_side)side, &a, (const char *)data, size, &m, &e) < 0) {
            if (!e.word || !e.detail[0])
                abort();
        } else if (m.type == WIRE_TASK && (m.task.task_id <= 0 || !m.task.url || !m.task.url[0]))
            abort();
    }
    arena_reset(&a, 64 * 1024);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    messages(data, size);
    frame_result r;
    wire_err why = {0};
    if (wire_result_decode((const char *)data, size, &r, &why) == 0) {
        if (!inside(r.stats, r.stats_len, data, size) ||
            !inside(r.final_url, r.final_url_len, data, size) ||
            !inside(r.record, r.record_len, data, size) ||
            !inside(r.links, r.links_len, data, size) || !inside(r.warc, r.warc_len, data, size) ||
            !inside(r.body, r.body_len, data, size) ||
            FR_HEADER + r.stats_len + r.final_url_len + r.record_len + r.links_len + r.warc_len +
                    r.body_len !=
                size ||
            r.record_len == 0 || (r.links_len && r.links[r.links_len - 1] != '\n'))
            abort();
        jsonv_valid_object_line(r.record, r.record_len, 32);
    } else if (!why.field || !why.detail[0])
        abort();

    if (size > 1500)
        return 0; /* under jansson's nesting limit whatever the input */
    int ours = jsonv_valid_object_line((const char *)data, size, 2048);
    json_error_t e;
    json_t *j = json_loadb((const char *)data, size, JSON_ALLOW_NUL, &e);
    int theirs = j && json_is_object(j);
    json_decref(j);
    /* jansson passes over a raw NUL between tokens; JSON has none. */
    int has_nl = memchr(data, '\n', size) || memchr(data, '\r', size) || memchr(data, 0, size);
    if (theirs && !has_nl && !ours)
        abort();
    /* jansson refuses a number too big for it and a \u0000 in a key (its
     * own limits; JSON allows both). */
    if (ours && !theirs && !strstr(e.text, "too big") && !strstr(e.text, "overflow") &&
        !strstr(e.text, "NUL byte in object key"))
        abort();
    return 0;
}
