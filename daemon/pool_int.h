/* pool_int — what the pool's files share and nothing else includes:
 * pool.c (worker lifecycle: spawn, exit, backoff, state, stop, reload,
 * recycle), pool_chan.c (the channel: tasks out, frames in, results,
 * dispatch, coalescing) and pool_report.c (status, metrics). */
#ifndef CRAWLD_POOL_INT_H
#define CRAWLD_POOL_INT_H

#include "pool.h"

#define WORKER_RBUF (64 * 1024)
#define EXIT_WAIT_MS 3000 /* asked to go (or channel gone): killed after this */

/* ---- pool.c: lifecycle ---- */

/* The one place a worker's state changes (checked by pool_transition_ok). */
void worker_set_state(worker *w, worker_state to);
/* SIGKILL; its pages come back through the exit callback. */
void worker_kill(worker *w, recycle_reason why, const char *detail);
/* Asks an idle (or just-finished) worker to leave after nothing more. */
void worker_retire(worker *w, recycle_reason why);
/* After a page: idle, or retiring for one of the reasons. */
void worker_after_page(worker *w, int worker_says_retire);
/* pool_reload: replaces the next worker of an older generation. */
void pool_reload_step(pool *p);

/* ---- pool_chan.c: the channel ---- */

/* Queues one frame for w (sent by the next flush); -1 when the channel is
 * gone or on OOM. */
int worker_send(worker *w, const char *s, size_t n);
/* The oldest page w is parsing, or NULL. */
const pool_task *worker_parsing(const worker *w);
/* Reads what the exited worker left in the socket. */
void worker_drain_channel(worker *w);
/* libuv callbacks: the channel's reads, the loop's flush and coalescing. */
void pool_on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
void pool_on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);
void pool_on_flush(uv_prepare_t *h);
void pool_on_coalesce(uv_check_t *c);

#endif
