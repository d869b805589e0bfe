/* rss — see rss.h. */
#include "rss.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

long rss_kb(pid_t pid)
{
    char path[64];
    if (pid == 0)
        snprintf(path, sizeof(path), "/proc/self/statm");
    else
        snprintf(path, sizeof(path), "/proc/%ld/statm", (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[128];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    /* "size resident shared text lib data dt", in pages. */
    char *end;
    strtol(buf, &end, 10);
    long resident = strtol(end, &end, 10);
    static long page_kb;
    if (!page_kb)
        page_kb = sysconf(_SC_PAGESIZE) / 1024;
    return resident * page_kb;
}
