/* test_sandbox — the worker's seccomp filter: after sandbox_install a
 * process cannot execve, ptrace, fork, unshare or mount (EPERM), and can
 * still make threads and write. Each case runs in a child of its own: the
 * filter cannot be taken off again. */
#include "sandbox.h"

#include <check.h>

#include "testutil.h"
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#define DENIED 10 /* the child's exit code when the call failed with EPERM */

typedef int (*probe_fn)(void);

/* Runs probe in a fresh child, with the sandbox when sandboxed; returns
 * its exit code (or 128 + signal). */
static int in_child(probe_fn probe, int sandboxed)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char err[256];
        if (sandboxed && sandbox_install(err, sizeof(err)) < 0) {
            fprintf(stderr, "sandbox_install: %s\n", err);
            _exit(2);
        }
        _exit(probe());
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int denied_or(int r, int ok)
{
    if (r < 0 && errno == EPERM)
        return DENIED;
    return ok;
}

static int probe_execve(void)
{
    char *const argv[] = {"/bin/sh", "-c", "exit 0", NULL}, *const envp[] = {NULL};
    execve("/bin/sh", argv, envp);
    return errno == EPERM ? DENIED : 3; /* exec'd: sh exits 0 */
}

static int probe_ptrace(void) { return denied_or((int)ptrace(PTRACE_TRACEME, 0, 0, 0), 0); }

static int probe_fork(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    if (pid > 0) {
        waitpid(pid, NULL, 0);
        return 0;
    }
    return denied_or(-1, 4);
}

static int probe_unshare(void) { return denied_or(unshare(CLONE_NEWNS), 0); }

static int probe_mount(void) { return denied_or(mount("none", "/mnt", "tmpfs", 0, NULL), 5); }

static void *thread_main(void *arg) { return arg; }

static int probe_thread(void)
{
    pthread_t t;
    void *ret = NULL;
    if (pthread_create(&t, NULL, thread_main, (void *)0x2a) != 0)
        return 6;
    pthread_join(t, &ret);
    int fds[2];
    if (pipe(fds) < 0 || write(fds[1], "x", 1) != 1)
        return 7;
    return ret == (void *)0x2a ? 0 : 8;
}

static int probe_selftest(void)
{
    char out[512];
    return sandbox_selftest(out, sizeof(out)) == 0 ? 0 : 9;
}

START_TEST(test_execve_denied)
{
    ck_assert_int_eq(in_child(probe_execve, 0), 0); /* without: sh ran */
    ck_assert_int_eq(in_child(probe_execve, 1), DENIED);
}
END_TEST

START_TEST(test_ptrace_and_fork_denied)
{
#if defined(__SANITIZE_ADDRESS__)
    /* The ASan build keeps ptrace and clone for LeakSanitizer (sandbox.c). */
    ck_assert_int_eq(in_child(probe_ptrace, 1), 0);
    ck_assert_int_eq(in_child(probe_fork, 1), 0);
#else
    ck_assert_int_eq(in_child(probe_ptrace, 0), 0);
    ck_assert_int_eq(in_child(probe_ptrace, 1), DENIED);
    ck_assert_int_eq(in_child(probe_fork, 0), 0);
    ck_assert_int_eq(in_child(probe_fork, 1), DENIED);
#endif
}
END_TEST

START_TEST(test_namespaces_and_mounts_denied)
{
    ck_assert_int_eq(in_child(probe_unshare, 1), DENIED);
    ck_assert_int_eq(in_child(probe_mount, 1), DENIED);
}
END_TEST

START_TEST(test_threads_and_io_allowed) { ck_assert_int_eq(in_child(probe_thread, 1), 0); }
END_TEST

/* Under systemd's @system-service filter seccomp(2) fails with EPERM: the
 * sandbox must still go on (through prctl) and deny what it denies. */
static int probe_under_outer_filter(void)
{
    scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);
    if (!c || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
        seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(seccomp), 0) < 0 || seccomp_load(c) < 0)
        return 11;
    seccomp_release(c);
    char err[256];
    if (sandbox_install(err, sizeof(err)) < 0) {
        fprintf(stderr, "sandbox_install under a filter denying seccomp(2): %s\n", err);
        return 12;
    }
    return probe_execve();
}

START_TEST(test_installs_when_seccomp_syscall_denied)
{
    ck_assert_int_eq(in_child(probe_under_outer_filter, 0), DENIED);
}
END_TEST

START_TEST(test_selftest_passes)
{
    /* (Without the sandbox its execve would replace the child: the other
     * cases show each call works unsandboxed.) */
    ck_assert_int_eq(in_child(probe_selftest, 1), 0);
}
END_TEST

static Suite *sandbox_suite(void)
{
    Suite *s = suite_create("sandbox");
    TCase *tc = tcase_create("sandbox");
    tcase_add_test(tc, test_execve_denied);
    tcase_add_test(tc, test_ptrace_and_fork_denied);
    tcase_add_test(tc, test_namespaces_and_mounts_denied);
    tcase_add_test(tc, test_threads_and_io_allowed);
    tcase_add_test(tc, test_selftest_passes);
    tcase_add_test(tc, test_installs_when_seccomp_syscall_denied);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(sandbox_suite()); }
