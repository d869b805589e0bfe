/* serve — loop mode: tasks arrive on a channel fd (3 when crawld starts the
 * worker) as frames (frame.h), one page is served at a time, and every
 * answer is one frame:
 *
 *   in:  {"type":"task","task_id":N,"job_id":N,"url":"…","depth":N,"js":B,
 *         "timeout_ms":N,"max_body":N,"want_text":B,"max_redirects":N,
 *         "raw_body":N}   raw_body > 0: a raw fetch (robots.txt): any type
 *                         kept, not parsed, first N bytes in "body"
 *        {"type":"ping"}            → pong with the worker's stats
 *        {"type":"retire"}          → the worker exits 0
 *   out: {"type":"ready","version":"…","pid":N}   once, at start
 *        {"type":"result","task_id":N,"worker":{…stats…},"page":{…record…}}
 *        {"type":"pong","worker":{…}}
 *        {"type":"error","task_id":N|null,"error":"bad_frame: …"}
 *
 * After each page the arena goes back to the pool, malloc_trim(0) runs and
 * the worker's RSS is measured; over rss_soft_mb it trims again and, still
 * over, sets "retire":true in its stats and exits 0 after the reply. It
 * retires the same way after any page once gumbo has failed an assertion
 * in the process (html.h: html_gumbo_assertions). EOF on the channel ends
 * the worker at once. */
#ifndef CRAWLD_SERVE_H
#define CRAWLD_SERVE_H

#include "env.h"

/* Returns the process exit code. */
int serve_loop(worker_env *e, int fd);

#endif
