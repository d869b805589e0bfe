/* fuzz_check — how a fuzz target reports a broken invariant: one line on
 * stderr saying which and with what values, then abort(), which libFuzzer
 * turns into a crash file. Also the checks more than one target makes. */
#ifndef CRAWLD_FUZZ_CHECK_H
#define CRAWLD_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_FAIL(...)                                                                             \
    do {                                                                                           \
        fprintf(stderr, "fuzz invariant broken (%s:%d): ", __FILE__, __LINE__);                    \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
        abort();                                                                                   \
    } while (0)

/* Octets a normal-form URL may hold: printable ASCII but '#', and any
 * octet but those in a userinfo (kept as given); the host is ASCII (an
 * IDN host is in punycode). -1 when all are fine, else the offending
 * offset. */
static inline long fuzz_bad_octet(const char *u)
{
    const char *auth = strstr(u, "://");
    size_t start = auth ? (size_t)(auth + 3 - u) : 0;
    size_t host_end = auth ? start + strcspn(auth + 3, "/?") : 0;
    size_t user_end = 0; /* just past the authority's last '@', 0: no userinfo */
    for (size_t i = start; i < host_end; i++)
        if (u[i] == '@')
            user_end = i + 1;
    for (size_t i = 0; u[i]; i++) {
        unsigned char c = (unsigned char)u[i];
        if (c == '#' || c <= 0x20 || c == 0x7f || (c >= 0x80 && (i < start || i >= user_end)))
            return (long)i;
    }
    return -1;
}

#endif
