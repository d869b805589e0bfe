/* wire — the messages crawld and its workers exchange, encoded and decoded
 * here for both sides; frame.h carries each as one frame. Every message but
 * the result is one JSON object; the task is written by hand (crawld's hot
 * path: no allocation) and read with jansson. A decode error names the
 * field that was wrong (wire_err.field). docs/worker.md explains the choices.
 */

/* The messages (the contract):
 *
 *   crawld → worker  task     {"type":"task","task_id","job_id","url","depth","js",
 *                              "timeout_ms","want_text","attempts","parent"
 *                              [,"max_body"][,"raw_body","max_redirects"]
 *                              [,"js_off"][,"warc":true][,"alone":true]
 *                              [,"sitemap":N][,"if_none_match","if_modified_since",
 *                              "refers_to_date"][,"jar":true][,"cookies":"LINES"]
 *                              [,"headers":S][,"user":S|"bearer":S][,"proxy":S]
 *                              [,"save":N][,"extract":S]}
 *                             save: the content kinds (JOBOPT_SAVE_* bits) the
 *                             result's "CNT1" trailer carries
 *                             extract: the job's --extract specs, NAME=SELECTOR[@attr]
 *                             joined by '\n' (fieldspec.h): the record's "fields"
 *                             headers, user, bearer, proxy: the job's session
 *                             (docs/daemon.md, Sessions); user and bearer only
 *                             in a task on the seeds' origin
 *                             jar: run the page with curl's cookie engine and send
 *                             back what its responses set; cookies: the job's
 *                             cookies for the URL's host, Netscape lines (cookie.h)
 *                             alone: fetch it with no other transfer running
 *                             (a page that went back unstarted from a dead
 *                             worker: its fetch may be what kills workers)
 *                    ping     {"type":"ping"}     → pong
 *                    retire   {"type":"retire"}   → the worker exits 0
 *   worker → crawld  ready    {"type":"ready","version","pid","slots"}  once, at start;
 *                             slots: tasks it takes at once (absent: 1)
 *                    parse    {"type":"parse","task_id"}  the task's fetch is over and
 *                             its page is being parsed (and its scripts run) now
 *                    alone    {"type":"alone","task_id"}  an "alone" task's transfer
 *                             starts now, nothing else in flight: if the worker
 *                             dies before the parse message, this page did it
 *                    result   binary (frame_result below), one per task
 *                    pong     {"type":"pong","worker":{…stats…}}
 *                    error    {"type":"error","task_id":N|null,"error":"word: detail"}
 *                             word bad_frame (the frame as a whole) or
 *                             bad_task (the task, its id echoed), nomem
 */
#ifndef CRAWLD_WIRE_H
#define CRAWLD_WIRE_H

#include "arena.h"
#include "frame.h"

#include <stddef.h>
#include <stdint.h>

typedef enum wire_type {
    WIRE_UNKNOWN = 0, /* a JSON object whose type this side does not take */
    WIRE_TASK,        /* crawld → worker */
    WIRE_PING,
    WIRE_RETIRE,
    WIRE_READY, /* worker → crawld */
    WIRE_PONG,
    WIRE_ERROR,
    WIRE_RESULT,
    WIRE_PARSE,
    WIRE_ALONE
} wire_type;

/* Which end decodes: each takes only the messages sent to it. */
typedef enum wire_side {
    WIRE_AT_WORKER, /* task, ping, retire */
    WIRE_AT_DAEMON  /* ready, parse, pong, error, result */
} wire_side;

/* A page to fetch. Absent fields decode as 0 / NULL; 0 in a limit means
 * the worker's config. */
typedef struct wire_task {
    long long task_id; /* > 0 */
    long long job_id;
    const char *url; /* non-empty */
    int depth;
    int js;              /* run the page's scripts */
    const char *js_off;  /* !js: why crawld turned JS off (the record's js_note), or NULL */
    long timeout_ms;     /* the fetch's; >= 0 */
    long long max_body;  /* >= 0 */
    int want_text;       /* the record carries "text" */
    int attempts;        /* this is the page's attempt number … */
    const char *parent;  /* the page that linked here; NULL: a seed */
    long long raw_body;  /* > 0: a raw fetch (robots.txt): any type kept, not
                          * parsed, the first raw_body bytes in the result's
                          * body section */
    int max_redirects;   /* 0..WIRE_MAX_REDIRECTS */
    int warc;            /* build the page's WARC records */
    int alone;           /* fetch it with no other transfer running */
    int sitemap;         /* 0, or what the task reads for sitemaps (WIRE_SITEMAP_*) */
    int jar;             /* the job's cookie jar: load cookies, report what was set */
    const char *cookies; /* jar: Netscape lines, each ended by '\n'; NULL: none */
    /* The job's session; NULL: none. headers: "Name: value" lines joined
     * by '\n'; user ("USER:PASSWORD") or bearer: the credentials, for the
     * task's own origin only; proxy: a URL (NULL: [network] proxy). */
    const char *headers, *user, *bearer, *proxy;
    /* Recrawls (crawlctl submit --since): the earlier capture's ETag and
     * Last-Modified, sent back as If-None-Match / If-Modified-Since (no CR
     * or LF), and its date, WARC-Refers-To-Date of a 304's revisit record.
     * NULL: none. */
    const char *if_none_match, *if_modified_since, *refers_to_date;
    int save; /* --save: the content kinds to send back (JOBOPT_SAVE_* bits, 0..15), 0: none */
    const char *extract; /* --extract specs joined by '\n' (fieldspec.h); NULL: none */
} wire_task;
#define WIRE_MAX_REDIRECTS 100

/* wire_task.sitemap: a task that reads sitemaps (docs/daemon.md, Sitemaps)
 * instead of rendering a page. Its links are the URLs it found. */
#define WIRE_SITEMAP_ROBOTS 1      /* robots.txt: its Sitemap: lines */
#define WIRE_SITEMAP_ROBOTS_SEED 2 /* the same; when it names none: /sitemap.xml */
#define WIRE_SITEMAP_FILE 3        /* a sitemap named there; FILE + n: n indexes below it */
#define WIRE_SITEMAP_LEVELS 3      /* sitemap levels read at most (an index's children ...) */
#define WIRE_SITEMAP_MAX (WIRE_SITEMAP_FILE + WIRE_SITEMAP_LEVELS - 1)

#define WIRE_MAX_SLOTS 1024
typedef struct wire_ready {
    const char *version; /* "" when absent */
    long long pid;       /* 0 when absent */
    long long slots;     /* 1..WIRE_MAX_SLOTS; 1 when absent */
} wire_ready;

typedef struct wire_parse { /* parse and alone */
    long long task_id;      /* > 0 */
} wire_parse;

typedef struct wire_pong {
    long long rss_kb; /* worker.rss_kb; -1 when absent */
} wire_pong;

typedef struct wire_error {
    long long task_id; /* 0: none (null) */
    const char *error; /* "word: detail"; NULL when absent */
} wire_error;

/* The page result, worker → crawld: the one message per page, so the one
 * crawld must handle cheaply (docs/platform-notes.md: parsing and dumping
 * the record again was a large share of crawld's CPU per page). So the
 * worker writes the finished record line and crawld
 * copies it to pages.jsonl untouched; what crawld itself needs is in a
 * fixed header of big-endian integers, and the links to follow are a plain
 * list. Layout of the payload:
 *
 *   "CRR2"                      magic (a JSON frame starts with '{')
 *   FR_NFIELDS x int64 BE       the fields of frame_result, in this order
 *   FR_NSECTIONS x uint32 BE    lengths of the sections that follow
 *   stats                       the worker's numbers, a JSON object
 *   final_url                   bytes; empty = none (the fetch failed)
 *   record                      the page's record, one line of JSON
 *   links                       URLs to follow, each ended by '\n'
 *   warc                        the page's WARC records, gzip members
 *   body                        a raw fetch's body (robots.txt), raw bytes
 *
 * The decoder checks that the sections add up to the payload exactly. The
 * type keeps the name results.c and jobs.h know it by.
 *
 * Optional trailers may follow the sections, each a 4-byte tag, a uint32
 * BE length and that many bytes (a result without them is as before):
 *   "CNT1"  content (a task with "save"): one JSON object {"url", a member
 *           per kind asked, ["truncated":[kinds]]}, the line crawld writes
 *           to content.jsonl.zst with the record's offset added
 *   "CKS1"  cookies: what the page's responses set in a jar task's cookie
 *           engine, Netscape lines each ended by '\n'; a cookie removed
 *           comes back with expires 1 (cookie.h, docs/worker.md) */
#define FR_MAGIC "CRR2"
enum {
    FR_RETIRE = 1,     /* the worker leaves after this page (RSS, gumbo) */
    FR_FAILED = 2,     /* the record carries an error */
    FR_NOFOLLOW = 4,   /* <meta name=robots> or X-Robots-Tag nofollow: no link is followed */
    FR_JS = 8,         /* the page's scripts ran */
    FR_CANONICAL = 16, /* the record's canonical differs from its final URL */
    FR_SITEMAPS = 32   /* a sitemap task's links are sitemaps (robots.txt's, an index's) */
};
typedef struct frame_result {
    int64_t task_id;
    int64_t rss_kb, js_heap_kb, arena_retained_kb; /* js_heap_kb -1: no JS runtime */
    int64_t flags;                                 /* FR_* */
    int64_t status;                                /* HTTP status of the last hop, 0 */
    int64_t bytes;                                 /* body bytes */
    int64_t fetch_us, parse_us, js_us;
    const char *stats, *final_url, *record, *links, *warc, *body;
    size_t stats_len, final_url_len, record_len, links_len, warc_len, body_len;
    const char *cookies; /* the "CKS1" trailer; cookies_len 0: none */
    size_t cookies_len;
    const char *content; /* the "CNT1" trailer; content_len 0: none */
    size_t content_len;
} frame_result;
#define FR_CONTENT_TAG "CNT1"
#define FR_COOKIES_TAG "CKS1"
#define FR_NFIELDS 10
#define FR_NSECTIONS 6
#define FR_HEADER (4 + FR_NFIELDS * 8 + FR_NSECTIONS * 4)

/* Why a message did not decode. word: "bad_frame" (the message as a
 * whole, or its type) or "bad_task", what the worker answers with, or
 * "bad_result"; field: the JSON key or result part that was wrong (NULL:
 * not a JSON object at all); detail says how, naming the field. */
typedef struct wire_err {
    const char *word;
    const char *field;
    long long task_id; /* a task's id once it was read (echoed in the reply), else 0 */
    char detail[160];
} wire_err;

typedef struct wire_msg {
    wire_type type;
    union {
        wire_task task;
        wire_ready ready;
        wire_parse parse;
        wire_pong pong;
        wire_error error;
        frame_result result;
        const char *unknown; /* WIRE_UNKNOWN: its "type" */
    };
} wire_msg;

/* Decodes one frame's payload (buf[len], NUL-terminated as frame.h hands it
 * over) as a message sent to side. Strings point into buf or into a (the
 * JSON is parsed there): valid until either goes. 0, or -1 with *e set. */
int wire_decode(wire_side side, arena *a, const char *buf, size_t len, wire_msg *m, wire_err *e);

/* ---- crawld → worker ---- */

/* Bytes wire_task_encode may write for t, at most. */
size_t wire_task_bound(const wire_task *t);
/* Writes t as JSON at out (wire_task_bound bytes of room); returns the
 * length. Allocates nothing. */
size_t wire_task_encode(const wire_task *t, char *out);
/* The two messages without fields: constant payloads. */
const char *wire_ping(size_t *len);
const char *wire_retire(size_t *len);

/* ---- worker → crawld ---- */

/* Each returns the payload in a (and its length in *len), NULL on OOM.
 * stats is the worker's numbers as a JSON object; task_id 0 is null. */
char *wire_ready_encode(arena *a, const char *version, long long pid, long long slots, size_t *len);
char *wire_parse_encode(arena *a, long long task_id, size_t *len);
/* {"type":"alone","task_id":N} (wire_parse in the decoded message). */
char *wire_alone_encode(arena *a, long long task_id, size_t *len);
char *wire_pong_encode(arena *a, const char *stats, size_t *len);
char *wire_error_encode(arena *a, long long task_id, const char *word, const char *detail,
                        size_t *len);

/* Writes the fixed header of r (FR_HEADER bytes) into hdr. */
void wire_result_header(const frame_result *r, unsigned char *hdr);
/* Writes r as one frame (header and sections gathered, no copy). */
frame_err wire_result_write(int fd, const frame_result *r);
/* 1 when payload is a result frame (starts with the magic). */
int wire_is_result(const char *payload, size_t len);
/* Fills r with the fields and pointers into payload; -1 with *e (field
 * "header", "sections", "record" or "links") when it is malformed. */
int wire_result_decode(const char *payload, size_t len, frame_result *r, wire_err *e);

#endif
