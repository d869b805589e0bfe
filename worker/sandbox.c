/* sandbox — see sandbox.h. */
#include "sandbox.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

/* Denied with EPERM. Names the running kernel's architecture does not have
 * (umount on x86_64, ...) are skipped. */
static const char *const denied[] = {
    /* other processes' memory and control */
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    /* new programs and processes (clone without CLONE_THREAD: below) */
    "execve",
    "execveat",
    "fork",
    "vfork",
    /* filesystems and namespaces */
    "mount",
    "umount",
    "umount2",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "open_by_handle_at",
    "name_to_handle_at",
    "quotactl",
    "swapon",
    "swapoff",
    /* the kernel itself */
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "keyctl",
    "add_key",
    "request_key",
    "acct",
    "syslog",
    "lookup_dcookie",
    "fanotify_init",
    "uselib",
    "iopl",
    "ioperm",
    "vhangup",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    /* machine-wide settings */
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "sethostname",
    "setdomainname",
    "personality",
};

int sandbox_install(char *err, size_t errlen)
{
    int rc = -1;
    scmp_filter_ctx ctx = NULL;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        snprintf(err, errlen, "prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
        goto out;
    }
    ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) {
        snprintf(err, errlen, "seccomp_init failed");
        goto out;
    }
#if defined(__SANITIZE_ADDRESS__)
    /* LeakSanitizer's exit-time check stops the world from a clone()d
     * tracer that ptrace()s every thread: an ASan build keeps both. */
    const int asan = 1;
#else
    const int asan = 0;
#endif
    int r;
    for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
        if (asan && strcmp(denied[i], "ptrace") == 0)
            continue;
        int nr = seccomp_syscall_resolve_name(denied[i]);
        if (nr == __NR_SCMP_ERROR || nr < 0)
            continue;
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
        if (r < 0) {
            snprintf(err, errlen, "seccomp rule for %s: %s", denied[i], strerror(-r));
            goto out;
        }
    }
    /* A new process is clone() without CLONE_THREAD (fork and posix_spawn
     * in glibc); threads (SpiderMonkey's helpers, the JS watchdog, curl's
     * resolver) keep working. clone3 passes its flags in memory the filter
     * cannot read: ENOSYS sends glibc back to clone. */
    if (!asan) {
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                             SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
        if (r < 0) {
            snprintf(err, errlen, "seccomp rule for clone: %s", strerror(-r));
            goto out;
        }
    }
    int nr3 = seccomp_syscall_resolve_name("clone3");
    if (nr3 != __NR_SCMP_ERROR && nr3 >= 0 &&
        (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr3, 0)) < 0) {
        snprintf(err, errlen, "seccomp rule for clone3: %s", strerror(-r));
        goto out;
    }
    /* Every thread already running gets it too, where seccomp(2) can be
     * called. Under a filter that denies seccomp(2) (systemd's
     * @system-service) libseccomp loads through prctl, for the calling
     * thread and the threads it makes later: serve installs it before any
     * thread exists. */
    (void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    if ((r = seccomp_load(ctx)) < 0) {
        /* libseccomp picked seccomp(2) from what the kernel offers, but a
         * filter above us denies it: once more through prctl. */
        int r2 = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 0);
        if (r2 == 0)
            r2 = seccomp_api_set(1);
        if (r2 == 0)
            r2 = seccomp_load(ctx);
        if (r2 < 0) {
            snprintf(err, errlen, "seccomp_load: %s (through prctl: %s)", strerror(-r),
                     strerror(-r2));
            goto out;
        }
    }
    rc = 0;
out:
    if (ctx)
        seccomp_release(ctx);
    return rc;
}

static void *thread_main(void *arg) { return arg; }

static const char *outcome(long r, int e)
{
    if (r >= 0)
        return "allowed";
    return e == EPERM ? "EPERM" : e == ENOSYS ? "ENOSYS" : "failed";
}

int sandbox_selftest(char *out, size_t cap)
{
    char *const argv[] = {"/bin/true", NULL}, *const envp[] = {NULL};
    long r;
    int bad = 0;
    size_t n = 0;
    n += (size_t)snprintf(out + n, cap - n, "{");
#define TRY(name, expr, want)                                                                      \
    do {                                                                                           \
        errno = 0;                                                                                 \
        r = (long)(expr);                                                                          \
        const char *o = outcome(r, errno);                                                         \
        bad += strcmp(o, want) != 0;                                                               \
        if (n < cap)                                                                               \
            n += (size_t)snprintf(out + n, cap - n, "%s\"%s\":\"%s\"", n > 1 ? "," : "", name, o); \
    } while (0)
    TRY("execve", execve("/bin/true", argv, envp), "EPERM");
#if !defined(__SANITIZE_ADDRESS__)
    TRY("ptrace", ptrace(PTRACE_TRACEME, 0, NULL, NULL), "EPERM");
    pid_t pid = fork();
    int fork_errno = errno;
    if (pid == 0)
        _exit(0);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    TRY("fork", (errno = fork_errno, pid), "EPERM");
#endif
    TRY("unshare", unshare(CLONE_NEWUSER), "EPERM");
    TRY("mount", mount("none", "/", "tmpfs", 0, NULL), "EPERM");
    TRY("personality", personality(0xffffffff), "EPERM");
    pthread_t t;
    int pe = pthread_create(&t, NULL, thread_main, NULL);
    if (pe == 0)
        pthread_join(t, NULL);
    bad += pe != 0;
    if (n < cap)
        n +=
            (size_t)snprintf(out + n, cap - n, ",\"thread\":\"%s\"", pe ? strerror(pe) : "allowed");
    int fds[2] = {-1, -1};
    TRY("pipe_write", pipe(fds) < 0 ? -1 : write(fds[1], "x", 1), "allowed");
    if (fds[0] >= 0) {
        close(fds[0]);
        close(fds[1]);
    }
#undef TRY
    if (n < cap)
        snprintf(out + n, cap - n, "}");
    return bad ? -1 : 0;
}
