/* api — crawld's HTTP API beside the control socket ([api] listen; off by
 * default): libmicrohttpd driven from crawld's libuv loop (its epoll fd under
 * a uv_poll_t, MHD_get_timeout on a uv_timer_t; no thread of its own). Each
 * route is a control command run by the same handler as the socket's, long
 * polls included (docs/daemon.md "The HTTP API"; docs/openapi.yaml). */
#ifndef CRAWLD_API_H
#define CRAWLD_API_H

#include "config.h"
#include "control.h"

#include <stddef.h>
#include <uv.h>

#define API_MAX_TOKENS 64
#define API_TOKEN_MAX 256 /* bytes of one token */

struct MHD_Daemon;
typedef struct api_req api_req;

typedef struct api {
    uv_loop_t *loop;
    const crawld_config *cfg; /* the daemon's: read at each request (reloads apply) */
    control_handler handler;
    void *ud;
    struct MHD_Daemon *mhd;
    uv_poll_t poll;        /* MHD's epoll fd */
    uv_timer_t timer;      /* MHD_get_timeout */
    uv_check_t park_check; /* runs parked requests again after each loop turn */
    uv_timer_t park_timer; /* wakes the loop at the nearest wait */
    int open_handles;
    api_req *parked; /* doubly linked */
    int nparked;
    char *tokens[API_MAX_TOKENS]; /* process allocator; wiped on free */
    int ntokens;
    char *tls_cert, *tls_key; /* the files' contents (MHD keeps pointers) */
    size_t tls_cert_len, tls_key_len;
    unsigned short port; /* bound */
    long requests, unauthorized, refused;
    int nconn; /* connections open */
    int closing;
    void (*on_closed)(struct api *a);
} api;

/* Reads the token file and the TLS files, binds [api] listen and starts
 * serving on loop, each route answered by h (command_handle). 0, or -1
 * with err naming the key or file that was wrong; nothing stays open then. */
int api_open(api *a, uv_loop_t *loop, const crawld_config *cfg, control_handler h, void *ud,
             char *err, size_t errlen);
/* Re-reads the tokens from path (a reload): 0, or -1 with err, the old
 * tokens kept then. */
int api_reload_tokens(api *a, const char *path, char *err, size_t errlen);
/* Answers parked requests, stops MHD, closes the handles; on_closed (may be
 * NULL) once the last one is closed. */
void api_close(api *a, void (*on_closed)(api *a));

#endif
