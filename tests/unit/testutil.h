/* testutil — helpers shared by the unit suites: the repo root, the test
 * HTTP server (tests/server/httpd.py) on 127.0.0.1, and running a function
 * in a forked child while capturing its stderr.
 *
 * Nothing here allocates through alloc.h, so a suite's alloc_live_bytes()
 * baseline and the debug build's leak check never see the helpers. */
#ifndef CRAWLD_TESTUTIL_H
#define CRAWLD_TESTUTIL_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

/* The repo root: $CRAWLD_SRC when set, else the first directory from the
 * current one upwards that holds tests/server/httpd.py. NULL when none. */
const char *testutil_src_dir(void);

/* Monotonic milliseconds. */
long long testutil_now_ms(void);

typedef struct testutil_httpd {
    pid_t pid;          /* the python process; 0 when not running */
    int port;           /* its listening port on 127.0.0.1 */
    char base_url[64];  /* "http://127.0.0.1:PORT", no trailing slash */
    char dir[PATH_MAX]; /* port file's directory; removed once the port is read */
} testutil_httpd;

/* Forks and execs `python3 tests/server/httpd.py --port 0 --port-file F`,
 * polls (10 s deadline) for the port file and fills h. The server gets
 * SIGTERM when the calling thread exits (PR_SET_PDEATHSIG), so a failing
 * test never leaves it behind. 0 on success, -1 (with a line on stderr). */
int testutil_httpd_start(testutil_httpd *h);
/* SIGTERM (SIGKILL after 5 s) and reaps it. A no-op when nothing runs. */
void testutil_httpd_stop(testutil_httpd *h);

/* Runs fn(arg) in a forked child that then calls exit(0) (so atexit hooks
 * such as the debug build's leak check run). The child's stderr goes into
 * out (NUL-terminated, truncated to cap - 1). Returns the child's wait
 * status, or -1 when fork/pipe failed. */
int testutil_fork_capture(void (*fn)(void *), void *arg, char *out, size_t cap);

/* Runs suite s in Check's default (fork) mode with normal output, frees the
 * runner and returns the process exit code: 0 when every check passed. */
struct Suite;
int testutil_run(struct Suite *s);

#endif
