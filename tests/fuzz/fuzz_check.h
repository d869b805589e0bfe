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

/* Octets a normal-form URL may hold: printable ASCII but '#' (an IDN
 * host is in punycode). -1 when all are fine, else the offending offset. */
static inline long fuzz_bad_octet(const char *u)
{
    for (size_t i = 0; u[i]; i++) {
        unsigned char c = (unsigned char)u[i];
        if (c == '#' || c <= 0x20 || c >= 0x7f)
            return (long)i;
    }
    return -1;
}

#endif
