/* serve — loop mode: tasks arrive on a channel fd (3 when crawld starts the
 * worker) and one page is served at a time. Every message is one frame
 * (frame.h) in wire.h's codec: in, task / ping / retire; out, ready once,
 * then a binary result per task (a raw fetch's body in its body section),
 * pong, or error (bad_frame, bad_task, nomem). After each page, over
 * rss_soft_mb once trimmed, or once gumbo has failed an assertion, the
 * result carries FR_RETIRE and the worker exits 0; EOF on the channel ends
 * it at once. The message table is wire.h's; docs/worker.md, Loop mode. */
#ifndef CRAWLD_SERVE_H
#define CRAWLD_SERVE_H

#include "env.h"

/* Returns the process exit code. */
int serve_loop(worker_env *e, int fd);

#endif
