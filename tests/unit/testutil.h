/* testutil — helpers shared by the unit suites: the repo root, the test
 * HTTP server (tests/server/httpd.py) on 127.0.0.1, and running a function
 * in a forked child while capturing its stderr, and tests whose body runs in a
 * child of its own.
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

/* For a test that would change its own process's limits (a JS runtime made
 * with an address-space limit sets RLIMIT_AS): runs fn(arg) in a child
 * (testutil_fork_capture), copies the child's stderr to ours, and fails the
 * calling test unless the child exited 0 (its stderr in the message) and
 * the calling process's RLIMIT_AS, soft and hard, is what it was. A
 * ck_assert failing in the child reports its own message and exits it 1. */
void testutil_in_child(void (*fn)(void *), void *arg);

/* START_CHILD_TEST(name, setup, teardown) { body } END_TEST: a Check test
 * whose setup(), body and teardown() all run in a child of the test process
 * (testutil_in_child), so that what setup starts (JS_Init) and the limits it
 * sets live and die there. Its tcase has no checked fixture for it. */
#define START_CHILD_TEST(name, setup_fn, teardown_fn)                                              \
    static void name##_body(void);                                                                 \
    static void name##_child(void *arg)                                                            \
    {                                                                                              \
        (void)arg;                                                                                 \
        setup_fn();                                                                                \
        name##_body();                                                                             \
        teardown_fn();                                                                             \
    }                                                                                              \
    START_TEST(name) { testutil_in_child(name##_child, NULL); }                                    \
    END_TEST                                                                                       \
    static void name##_body(void)

/* Runs suite s in Check's default (fork) mode with normal output, frees the
 * runner and returns the process exit code: 0 when every check passed. */
struct Suite;
int testutil_run(struct Suite *s);

#endif
