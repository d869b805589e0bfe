/* serve — loop mode: tasks arrive on a channel fd (3 when crawld starts the
 * worker); each starts its transfer as soon as it is read, up to the
 * `slots` the ready message offers, and pages are worked one at a time as
 * their transfers finish, each announced by a parse message before its
 * result. Every message is one frame (frame.h) in wire.h's codec: in, task
 * / ping / retire; out, ready once, then parse + a binary result per task,
 * pong, or error (bad_frame, bad_task, nomem). After a page, over
 * rss_soft_mb once trimmed, or once gumbo has failed an assertion, the
 * result carries FR_RETIRE and the worker exits 0; retire or EOF on the
 * channel ends it at once, transfers in flight abandoned. docs/worker.md,
 * Loop mode. */
#ifndef CRAWLD_SERVE_H
#define CRAWLD_SERVE_H

#include "env.h"

/* Returns the process exit code. */
int serve_loop(worker_env *e, int fd);

#endif
