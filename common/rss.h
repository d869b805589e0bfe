/* rss — resident set size from /proc/PID/statm: one open/read/close, no
 * allocation, cheap enough for every page and every 250 ms per worker. Any
 * thread may call it once one call has cached the page size. */
#ifndef CRAWLD_RSS_H
#define CRAWLD_RSS_H

#include <sys/types.h>

/* Resident kilobytes of pid (0 → self); -1 when the process is gone. */
long rss_kb(pid_t pid);
static inline long rss_self_kb(void) { return rss_kb(0); }

#endif
