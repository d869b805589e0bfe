/* sandbox — what a worker gives up once it is running: no_new_privs and a
 * seccomp filter (libseccomp) that allows every system call except a deny
 * list of ones a page worker never needs and an attacker who took over the
 * parser or the JavaScript engine would want (execve, ptrace, fork, mount,
 * namespaces, module loading, bpf, ...: sandbox.c has the list, and
 * docs/worker.md says why). Denied calls fail with EPERM; threads (clone
 * with CLONE_THREAD) stay allowed, clone3 answers ENOSYS so libc falls back
 * to clone, whose flags the filter can read. Installed on every thread of
 * the process; it cannot be undone. */
#ifndef CRAWLD_SANDBOX_H
#define CRAWLD_SANDBOX_H

#include <stddef.h>

/* Installs it. 0, or -1 with what failed in err. */
int sandbox_install(char *err, size_t errlen);

/* Tries what the filter denies (execve, ptrace, fork, unshare, mount,
 * personality) and what it must allow (a thread, a file write) from the
 * calling process; writes one JSON object {"name":"EPERM"|"allowed"|...}
 * to out. 0 when every denied call was denied and every allowed one
 * worked. For tests: run it in a process that can be thrown away. */
int sandbox_selftest(char *out, size_t cap);

#endif
