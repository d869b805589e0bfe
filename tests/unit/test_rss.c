/* test_rss — resident set size of this process and of others. */
#include "rss.h"

#include <check.h>

#include "testutil.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define MB_KB 1024L

START_TEST(test_self_positive)
{
    long self = rss_self_kb();
    ck_assert_int_gt(self, 0);
    /* A C test process is at least a few hundred KiB and far below 1 GiB. */
    ck_assert_int_gt(self, 100);
    ck_assert_int_lt(self, 1024 * MB_KB);
}
END_TEST

START_TEST(test_self_by_pid_matches)
{
    long a = rss_self_kb();
    long b = rss_kb(getpid());
    long c = rss_self_kb();
    ck_assert_int_gt(b, 0);
    /* Nothing allocates between the reads: they agree to within a little. */
    ck_assert_int_le(labs(b - a), 1024);
    ck_assert_int_le(labs(b - c), 1024);
}
END_TEST

START_TEST(test_grows_with_touched_memory)
{
    const size_t len = 64u << 20;
    long before = rss_self_kb();
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(m, MAP_FAILED);
    /* Mapping alone costs no resident memory. */
    long mapped = rss_self_kb();
    ck_assert_int_lt(mapped - before, 8 * MB_KB);
    memset(m, 0x5a, len);
    long touched = rss_self_kb();
    ck_assert_msg(touched - before >= 48 * MB_KB, "grew %ld KiB after touching 64 MiB",
                  touched - before);
    ck_assert_msg(touched - before <= 80 * MB_KB, "grew %ld KiB after touching 64 MiB",
                  touched - before);
    munmap(m, len);
    long after = rss_self_kb();
    ck_assert_msg(touched - after >= 48 * MB_KB, "shrank only %ld KiB after munmap",
                  touched - after);
}
END_TEST

START_TEST(test_reaped_pid_is_minus_one)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(0);
    /* Exited but not reaped: a zombie holds no memory. */
    siginfo_t info;
    memset(&info, 0, sizeof(info));
    ck_assert_int_eq(waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT), 0);
    ck_assert_int_le(rss_kb(pid), 0);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_int_eq(rss_kb(pid), -1);
}
END_TEST

START_TEST(test_nonexistent_pid_is_minus_one)
{
    long pid_max = 4194304; /* the kernel's ceiling; every pid is below pid_max */
    FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
    if (f) {
        if (fscanf(f, "%ld", &pid_max) != 1)
            pid_max = 4194304;
        fclose(f);
    }
    ck_assert_int_eq(rss_kb((pid_t)pid_max), -1);
    ck_assert_int_eq(rss_kb((pid_t)2147483647), -1);
    ck_assert_int_eq(rss_kb(-5), -1);
}
END_TEST

START_TEST(test_child_rss_readable)
{
    const size_t len = 32u << 20;
    int ready[2], quit[2];
    ck_assert_int_eq(pipe(ready), 0);
    ck_assert_int_eq(pipe(quit), 0);
    pid_t parent = getpid();
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        close(ready[0]);
        close(quit[1]);
        char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            _exit(2);
        memset(m, 1, len);
        char c = 'r';
        if (write(ready[1], &c, 1) != 1)
            _exit(3);
        while (read(quit[0], &c, 1) > 0) {
        }
        _exit(0);
    }
    close(ready[1]);
    close(quit[0]);
    char c;
    ck_assert_int_eq(read(ready[0], &c, 1), 1); /* the child has touched its memory */
    long child = rss_kb(pid);
    long self = rss_self_kb();
    ck_assert_msg(child >= self + 24 * MB_KB, "child %ld KiB, parent %ld KiB", child, self);
    close(quit[1]); /* let it go */
    close(ready[0]);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ck_assert_int_eq(rss_kb(pid), -1);
}
END_TEST

static Suite *rss_suite(void)
{
    Suite *s = suite_create("rss");
    TCase *tc = tcase_create("rss");
    tcase_add_test(tc, test_self_positive);
    tcase_add_test(tc, test_self_by_pid_matches);
    tcase_add_test(tc, test_grows_with_touched_memory);
    tcase_add_test(tc, test_reaped_pid_is_minus_one);
    tcase_add_test(tc, test_nonexistent_pid_is_minus_one);
    tcase_add_test(tc, test_child_rss_readable);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(rss_suite()); }
