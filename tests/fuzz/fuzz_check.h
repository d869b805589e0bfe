/* fuzz_check — how a fuzz target reports a broken invariant: one line on
 * stderr saying which and with what values, then abort(), which libFuzzer
 * turns into a crash file. */
#ifndef CRAWLD_FUZZ_CHECK_H
#define CRAWLD_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_FAIL(...)                                                                             \
    do {                                                                                           \
        fprintf(stderr, "fuzz invariant broken (%s:%d): ", __FILE__, __LINE__);                    \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
        abort();                                                                                   \
    } while (0)

#endif
