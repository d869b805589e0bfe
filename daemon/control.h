/* control — crawld's control socket: a SOCK_STREAM unix socket speaking
 * NDJSON, one request object per line in, one reply object per line out.
 * Bounds (the CONTROL_* constants below): line length, clients at once,
 * reply bytes waiting for a slow reader. Peers are checked with SO_PEERCRED
 * against the allow lists (control_set_access) and refused with a reply
 * that says why. The socket file is created 0660 and replaced only when
 * nothing answers on it; an adopted (systemd) socket's file is left alone.
 * docs/daemon.md "The control socket" has the details. */
#ifndef CRAWLD_CONTROL_H
#define CRAWLD_CONTROL_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>
#include <uv.h>

#define CONTROL_LINE_MAX (1024 * 1024)            /* longer: an error reply, then closed */
#define CONTROL_MAX_CLIENTS 1024                  /* more at once are refused */
#define CONTROL_MAX_PENDING_OUT (8 * 1024 * 1024) /* a client not reading is dropped */
#define CONTROL_MAX_ALLOW 32

/* ---- line splitting ---- */

typedef struct linebuf {
    char *buf; /* process allocator */
    size_t len, cap, max;
    size_t stopped_at; /* LINEBUF_STOPPED: bytes of that call's data consumed */
} linebuf;

typedef enum linebuf_rc {
    LINEBUF_OK = 0,   /* everything consumed; a partial line may be buffered */
    LINEBUF_STOPPED,  /* on_line returned non-zero; the rest was not read */
    LINEBUF_TOO_LONG, /* a line passed max bytes: the stream cannot go on */
    LINEBUF_NOMEM
} linebuf_rc;

void linebuf_init(linebuf *lb, size_t max);
void linebuf_free(linebuf *lb);
/* Splits data into lines; on_line gets each complete one NUL-terminated,
 * without its "\n" (and a "\r" before it). Never holds more than max+1
 * bytes. */
linebuf_rc linebuf_feed(linebuf *lb, const char *data, size_t n,
                        int (*on_line)(void *ud, char *line, size_t len), void *ud);

/* ---- the server ---- */

/* Returns the reply to req (a new reference; NULL → "internal error"), or
 * CONTROL_PARK for a request that carries "wait_ms" (an integer, 1 ..
 * CONTROL_MAX_WAIT_MS; the handler checks it) and wants its answer later:
 * a long poll (crawlctl wait: the reply as the job ends, not at the next
 * poll). A parked request is handed to the handler again after every loop
 * turn (one that is still waiting returns CONTROL_PARK again, cheaply), and
 * once wait_ms has passed, or the daemon stops, with "wait_ms" set to 0:
 * then it must answer. Replies keep request order: nothing more is read
 * from that client while its request is parked. */
typedef json_t *(*control_handler)(void *ud, json_t *req);
extern const char control_park_tag;
#define CONTROL_PARK ((json_t *)(void *)&control_park_tag)
#define CONTROL_MAX_WAIT_MS 30000

typedef struct control_client control_client;

typedef struct control {
    uv_loop_t *loop;
    uv_pipe_t server;
    int listening;
    int adopted; /* the listening fd came from systemd: never unlinked */
    char path[108];
    dev_t dev;
    ino_t ino; /* of the socket file we made: only that one is unlinked */
    control_handler handler;
    void *ud;
    control_client *clients; /* doubly linked */
    int nclients;
    long accepted, refused;
    uid_t allow_uid[CONTROL_MAX_ALLOW]; /* let in besides root and our euid */
    int n_allow_uid;
    gid_t allow_gid[CONTROL_MAX_ALLOW]; /* a peer in any of these groups is let in */
    int n_allow_gid;
    int closing;
    int open_handles;      /* server, park handles, clients not yet closed */
    uv_check_t park_check; /* runs parked requests again after each loop turn */
    uv_timer_t park_timer; /* wakes the loop at the nearest wait_ms */
    int park_handles;      /* park_check / park_timer initialised */
    int nparked;
    void (*on_closed)(struct control *c);
} control;

/* Checks for a live daemon on path, replaces a stale socket file, binds,
 * sets mode 0660 and listens. 0, or -1 with err ("another crawld answers on
 * …", "… exists and is not a socket", bind errors). */
int control_open(control *c, uv_loop_t *loop, const char *path, control_handler h, void *ud,
                 char *err, size_t errlen);
/* Serves on fd, a listening SOCK_STREAM unix socket made by someone else
 * (systemd socket activation: SD_LISTEN_FDS_START). The socket file is
 * theirs: control_close leaves it. path is filled from getsockname. 0, or -1
 * with err. */
int control_adopt(control *c, uv_loop_t *loop, int fd, control_handler h, void *ud, char *err,
                  size_t errlen);
/* Closes the server and every client (pending replies are flushed first
 * when the peer reads), unlinks the socket file; on_closed when done. */
void control_close(control *c, void (*on_closed)(control *c));

/* Sets who besides root and the daemon's own user may talk to the socket:
 * users and groups are lists of names or numbers separated by commas or
 * spaces ("" for none). Names are resolved now. When groups is not empty
 * and the daemon made the socket file, the file's group becomes the first
 * group (so its members pass the 0660 mode). 0, or -1 with err naming the
 * unknown user or group; nothing changes then. */
int control_set_access(control *c, const char *users, const char *groups, char *err, size_t errlen);

/* 1 when something answers on path (a live daemon), 0 when not. */
int control_probe(const char *path);

/* {"ok":false,"error":msg}: a new reference. */
json_t *control_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
