/* testutil — see testutil.h. Plain libc only: nothing here may show up in
 * the process allocator's counters. */
#include "testutil.h"

#include <check.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HTTPD_SCRIPT "tests/server/httpd.py"
#define HTTPD_START_MS 10000
#define HTTPD_STOP_MS 5000
#define POLL_NS (5 * 1000 * 1000)

long long testutil_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void poll_pause(void)
{
    struct timespec ts = {0, POLL_NS};
    nanosleep(&ts, NULL);
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

const char *testutil_src_dir(void)
{
    static char root[PATH_MAX];
    char probe[PATH_MAX + sizeof(HTTPD_SCRIPT) + 1];
    const char *env = getenv("CRAWLD_SRC");
    if (env && *env) {
        snprintf(root, sizeof(root), "%s", env);
        return root;
    }
    if (!getcwd(root, sizeof(root)))
        return NULL;
    for (;;) {
        snprintf(probe, sizeof(probe), "%s/%s", root, HTTPD_SCRIPT);
        if (is_file(probe))
            return root;
        char *slash = strrchr(root, '/');
        if (!slash || slash == root)
            return NULL;
        *slash = '\0';
    }
}

/* The port once the file is complete (the server writes it with a rename,
 * but a trailing newline is checked anyway); 0 while it is not there yet. */
static int read_port(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char buf[32];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    if (!strchr(buf, '\n'))
        return 0;
    char *end;
    long port = strtol(buf, &end, 10);
    if (end == buf || port <= 0 || port > 65535)
        return 0;
    return (int)port;
}

static void remove_dir(testutil_httpd *h)
{
    if (!h->dir[0])
        return;
    char path[PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/port", h->dir);
    unlink(path);
    rmdir(h->dir);
    h->dir[0] = '\0';
}

int testutil_httpd_start(testutil_httpd *h)
{
    memset(h, 0, sizeof(*h));
    const char *src = testutil_src_dir();
    if (!src) {
        fprintf(stderr, "testutil: cannot find %s (set CRAWLD_SRC)\n", HTTPD_SCRIPT);
        return -1;
    }
    char script[PATH_MAX + sizeof(HTTPD_SCRIPT) + 1];
    snprintf(script, sizeof(script), "%s/%s", src, HTTPD_SCRIPT);
    const char *tmp = getenv("TMPDIR");
    snprintf(h->dir, sizeof(h->dir), "%s/crawld-test-httpd.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(h->dir)) {
        fprintf(stderr, "testutil: mkdtemp: %s\n", strerror(errno));
        h->dir[0] = '\0';
        return -1;
    }
    char port_file[PATH_MAX + 16];
    snprintf(port_file, sizeof(port_file), "%s/port", h->dir);

    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "testutil: fork: %s\n", strerror(errno));
        remove_dir(h);
        return -1;
    }
    if (pid == 0) {
        /* The server dies with the test, even when the test fails or
         * crashes before its teardown. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(127);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 1);
            if (devnull > 2)
                close(devnull);
        }
        execlp("python3", "python3", script, "--port", "0", "--port-file", port_file, (char *)NULL);
        fprintf(stderr, "testutil: exec python3: %s\n", strerror(errno));
        _exit(127);
    }
    h->pid = pid;

    long long deadline = testutil_now_ms() + HTTPD_START_MS;
    int port = 0;
    while ((port = read_port(port_file)) == 0) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            fprintf(stderr, "testutil: httpd exited before listening (status %d)\n", status);
            h->pid = 0;
            remove_dir(h);
            return -1;
        }
        if (testutil_now_ms() > deadline) {
            fprintf(stderr, "testutil: httpd did not write %s within %d ms\n", port_file,
                    HTTPD_START_MS);
            testutil_httpd_stop(h);
            return -1;
        }
        poll_pause();
    }
    /* The port file has served its purpose: remove it now, so a test that
     * fails (Check _exit()s without running the teardown) leaves nothing. */
    remove_dir(h);
    h->port = port;
    snprintf(h->base_url, sizeof(h->base_url), "http://127.0.0.1:%d", port);
    return 0;
}

void testutil_httpd_stop(testutil_httpd *h)
{
    if (h->pid > 0) {
        kill(h->pid, SIGTERM);
        long long deadline = testutil_now_ms() + HTTPD_STOP_MS;
        int status;
        pid_t r;
        while ((r = waitpid(h->pid, &status, WNOHANG)) == 0 && testutil_now_ms() < deadline)
            poll_pause();
        if (r == 0) {
            kill(h->pid, SIGKILL);
            waitpid(h->pid, &status, 0);
        }
        h->pid = 0;
    }
    remove_dir(h);
    h->port = 0;
    h->base_url[0] = '\0';
}

int testutil_fork_capture(void (*fn)(void *), void *arg, char *out, size_t cap)
{
    int fds[2];
    if (cap)
        out[0] = '\0';
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 2);
        close(fds[1]);
        fn(arg);
        exit(0);
    }
    close(fds[1]);
    size_t len = 0;
    char sink[4096];
    for (;;) {
        char *dst = cap > 1 && len < cap - 1 ? out + len : sink;
        size_t room = cap > 1 && len < cap - 1 ? cap - 1 - len : sizeof(sink);
        ssize_t n = read(fds[0], dst, room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (dst != sink)
            len += (size_t)n;
    }
    close(fds[0]);
    if (cap)
        out[len] = '\0';
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return status;
}

void testutil_in_child(void (*fn)(void *), void *arg)
{
    static char out[65536]; /* the child's stderr: measure lines, a failed check's dump */
    struct rlimit before, after;
    ck_assert_int_eq(getrlimit(RLIMIT_AS, &before), 0);
    int status = testutil_fork_capture(fn, arg, out, sizeof(out));
    ck_assert_msg(status != -1, "fork/pipe failed: %s", strerror(errno));
    fputs(out, stderr);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the test's child %s %d; its stderr:\n%s",
                  WIFSIGNALED(status) ? "died of signal" : "exited",
                  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), out);
    ck_assert_int_eq(getrlimit(RLIMIT_AS, &after), 0);
    ck_assert_uint_eq(after.rlim_cur, before.rlim_cur);
    ck_assert_uint_eq(after.rlim_max, before.rlim_max);
}

int testutil_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
