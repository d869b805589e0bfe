/* alloc — the process allocator: everything that lives longer than a page.
 * Without CRAWLD_DEBUG the calls go straight to malloc and keep only live
 * and peak byte counters (relaxed atomics); with it every live block carries
 * its size and a backtrace of up to 10 frames, and alloc_leak_report() (an
 * atexit hook, installed by the first allocation) prints every leak and
 * makes the process exit 1. The caller passes a block's size back on resize
 * and free; the debug build checks it. Thread-safe (curl's resolver thread
 * allocates through it). */
#ifndef CRAWLD_ALLOC_H
#define CRAWLD_ALLOC_H

#include <stddef.h>
#include <stdint.h>

void *alloc_new(size_t size);                                  /* NULL on failure */
void *alloc_zeroed(size_t size);                               /* calloc-like */
void *alloc_resize(void *p, size_t old_size, size_t new_size); /* realloc-like */
void alloc_free(void *p, size_t size);                         /* p may be NULL */
char *alloc_strdup(const char *s);                             /* free with strlen+1 */
char *alloc_strndup(const char *s, size_t n);                  /* up to n bytes or a NUL */
void alloc_strfree(char *s);                                   /* frees alloc_strdup's */

/* Typed helpers. */
#define ALLOC_NEW(T) ((T *)alloc_zeroed(sizeof(T)))
#define ALLOC_FREE(p) alloc_free((p), sizeof(*(p)))

typedef struct alloc_stats {
    size_t live_bytes;  /* requested bytes currently allocated */
    size_t peak_bytes;  /* highest live_bytes seen */
    size_t live_blocks; /* blocks currently allocated */
    uint64_t total_allocs;
} alloc_stats;

void alloc_get_stats(alloc_stats *out);
size_t alloc_live_bytes(void);

/* 1 when built as the tracking allocator. */
int alloc_is_tracking(void);

/* Debug build: prints every live block (size + backtrace) to stderr and
 * returns how many there were. Release build: returns 0. */
size_t alloc_leak_report(void);

/* Debug build: when leaks remain at exit, print them and _exit(1). Installed
 * automatically; call alloc_exit_check_disable() in a child that must not
 * check (e.g. after fork, before exec). */
void alloc_exit_check_disable(void);

/* Failure injection for tests: the n-th allocation from now (1-based) and
 * every later one fail until alloc_fail_reset(). n = 0 disables. */
void alloc_fail_after(long n);
void alloc_fail_reset(void);
long alloc_fail_count(void); /* allocations made since alloc_fail_after() */
/* The same countdown, but the n-th allocation calls alloc_abort(), as the
 * debug build does on a bad free: where the allocator's callers must not
 * survive an abort. alloc_fail_reset() disables it too. */
void alloc_abort_after(long n);

/* abort() that really ends the process with SIGABRT, also in a binary that
 * links libmozjs-102: its own exported abort() dies of SIGSEGV instead
 * (docs/platform-notes.md). */
__attribute__((noreturn)) void alloc_abort(void);

#endif
