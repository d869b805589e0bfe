/* alloc — see alloc.h. Two implementations chosen at build time. */
#include "alloc.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Failure injection: countdown of allocations until failure; 0 = off.
 * fail_abort: the failure is an abort, not NULL. */
static _Atomic long fail_at;
static _Atomic long fail_seen;
static _Atomic int fail_abort;

static inline int injected_failure(void)
{
    if (__builtin_expect(atomic_load_explicit(&fail_at, memory_order_relaxed) == 0, 1))
        return 0;
    long n = atomic_fetch_add(&fail_seen, 1) + 1;
    if (n < atomic_load(&fail_at))
        return 0;
    if (atomic_load(&fail_abort))
        alloc_abort();
    return 1;
}

void alloc_fail_after(long n)
{
    atomic_store(&fail_abort, 0);
    atomic_store(&fail_seen, 0);
    atomic_store(&fail_at, n);
}

void alloc_abort_after(long n)
{
    alloc_fail_after(n);
    atomic_store(&fail_abort, n != 0);
}

void alloc_fail_reset(void) { alloc_fail_after(0); }
long alloc_fail_count(void) { return atomic_load(&fail_seen); }

void alloc_abort(void)
{
    /* What glibc's abort() does: raise once with the current disposition,
     * then again with the default one. */
    fflush(stderr);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGABRT);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    raise(SIGABRT);
    signal(SIGABRT, SIG_DFL);
    raise(SIGABRT);
    _exit(128 + SIGABRT);
}

#ifdef CRAWLD_DEBUG
/* ---- tracking allocator ------------------------------------------------ */
#include <execinfo.h>
#include <pthread.h>

#define TRACE_FRAMES 10
#define BLOCK_MAGIC 0xC4A71D0Bu

/* Header in front of every block; 128 bytes keeps the payload aligned for
 * any type. Live blocks form a doubly linked list for the leak report. */
typedef struct block {
    struct block *prev, *next;
    size_t size;
    unsigned magic;
    int frames;
    void *trace[TRACE_FRAMES];
    char pad[128 - 2 * sizeof(void *) - sizeof(size_t) - 2 * sizeof(int) -
             TRACE_FRAMES * sizeof(void *)];
} block;
_Static_assert(sizeof(block) == 128, "block header must stay 128 bytes");

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static block *live_head;
static alloc_stats st;
static int exit_check_installed;
static int exit_check_disabled;

static void exit_check(void)
{
    if (exit_check_disabled)
        return;
    if (alloc_leak_report() > 0) {
        fflush(NULL);
        _exit(1);
    }
}

static void link_block(block *b)
{
    b->prev = NULL;
    b->next = live_head;
    if (live_head)
        live_head->prev = b;
    live_head = b;
    st.live_bytes += b->size;
    st.live_blocks++;
    st.total_allocs++;
    if (st.live_bytes > st.peak_bytes)
        st.peak_bytes = st.live_bytes;
    if (!exit_check_installed) {
        exit_check_installed = 1;
        atexit(exit_check);
    }
}

static void unlink_block(block *b)
{
    if (b->prev)
        b->prev->next = b->next;
    else
        live_head = b->next;
    if (b->next)
        b->next->prev = b->prev;
    st.live_bytes -= b->size;
    st.live_blocks--;
}

static block *header_of(void *p, size_t size, const char *what)
{
    block *b = (block *)((char *)p - sizeof(block));
    if (b->magic != BLOCK_MAGIC) {
        fprintf(stderr, "level=error mod=alloc msg=\"%s of a pointer not from alloc_new\" ptr=%p\n",
                what, p);
        alloc_abort();
    }
    if (b->size != size) {
        fprintf(stderr,
                "level=error mod=alloc msg=\"%s with the wrong size\" ptr=%p size=%zu actual=%zu\n",
                what, p, size, b->size);
        backtrace_symbols_fd(b->trace, b->frames, 2);
        alloc_abort();
    }
    return b;
}

void *alloc_new(size_t size)
{
    if (injected_failure() || size > SIZE_MAX - sizeof(block))
        return NULL;
    block *b = malloc(sizeof(block) + size);
    if (!b)
        return NULL;
    b->size = size;
    b->magic = BLOCK_MAGIC;
    b->frames = backtrace(b->trace, TRACE_FRAMES);
    pthread_mutex_lock(&lock);
    link_block(b);
    pthread_mutex_unlock(&lock);
    return b + 1;
}

void alloc_free(void *p, size_t size)
{
    if (!p)
        return;
    pthread_mutex_lock(&lock);
    block *b = header_of(p, size, "free");
    unlink_block(b);
    pthread_mutex_unlock(&lock);
    b->magic = 0;
    free(b);
}

void *alloc_resize(void *p, size_t old_size, size_t new_size)
{
    if (!p)
        return alloc_new(new_size);
    if (injected_failure() || new_size > SIZE_MAX - sizeof(block))
        return NULL;
    pthread_mutex_lock(&lock);
    block *b = header_of(p, old_size, "resize");
    unlink_block(b);
    block *nb = realloc(b, sizeof(block) + new_size);
    if (!nb) {
        link_block(b);
        st.total_allocs--;
        pthread_mutex_unlock(&lock);
        return NULL;
    }
    nb->size = new_size;
    nb->frames = backtrace(nb->trace, TRACE_FRAMES);
    link_block(nb);
    pthread_mutex_unlock(&lock);
    return nb + 1;
}

void alloc_get_stats(alloc_stats *out)
{
    pthread_mutex_lock(&lock);
    *out = st;
    pthread_mutex_unlock(&lock);
}

int alloc_is_tracking(void) { return 1; }

size_t alloc_leak_report(void)
{
    pthread_mutex_lock(&lock);
    size_t n = 0, bytes = 0;
    for (block *b = live_head; b; b = b->next) {
        n++;
        bytes += b->size;
        fprintf(stderr, "level=error mod=alloc msg=\"leak\" size=%zu ptr=%p\n", b->size,
                (void *)(b + 1));
        fflush(stderr);
        backtrace_symbols_fd(b->trace, b->frames, 2);
    }
    if (n)
        fprintf(stderr, "level=error mod=alloc msg=\"leaks at exit\" blocks=%zu bytes=%zu\n", n,
                bytes);
    pthread_mutex_unlock(&lock);
    return n;
}

void alloc_exit_check_disable(void) { exit_check_disabled = 1; }

#else
/* ---- release: malloc with live/peak counters --------------------------- */
static _Atomic size_t live_bytes, peak_bytes, live_blocks;
static _Atomic uint64_t total_allocs;

static inline void count_add(size_t size)
{
    size_t now = atomic_fetch_add_explicit(&live_bytes, size, memory_order_relaxed) + size;
    atomic_fetch_add_explicit(&live_blocks, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&total_allocs, 1, memory_order_relaxed);
    size_t peak = atomic_load_explicit(&peak_bytes, memory_order_relaxed);
    while (now > peak && !atomic_compare_exchange_weak_explicit(
                             &peak_bytes, &peak, now, memory_order_relaxed, memory_order_relaxed)) {
    }
}

static inline void count_sub(size_t size)
{
    atomic_fetch_sub_explicit(&live_bytes, size, memory_order_relaxed);
    atomic_fetch_sub_explicit(&live_blocks, 1, memory_order_relaxed);
}

void *alloc_new(size_t size)
{
    if (injected_failure())
        return NULL;
    void *p = malloc(size ? size : 1);
    if (p)
        count_add(size);
    return p;
}

void alloc_free(void *p, size_t size)
{
    if (!p)
        return;
    count_sub(size);
    free(p);
}

void *alloc_resize(void *p, size_t old_size, size_t new_size)
{
    if (!p)
        return alloc_new(new_size);
    if (injected_failure())
        return NULL;
    void *np = realloc(p, new_size ? new_size : 1);
    if (!np)
        return NULL;
    count_sub(old_size);
    count_add(new_size);
    atomic_fetch_sub_explicit(&total_allocs, 1, memory_order_relaxed);
    return np;
}

void alloc_get_stats(alloc_stats *out)
{
    out->live_bytes = atomic_load(&live_bytes);
    out->peak_bytes = atomic_load(&peak_bytes);
    out->live_blocks = atomic_load(&live_blocks);
    out->total_allocs = atomic_load(&total_allocs);
}

int alloc_is_tracking(void) { return 0; }
size_t alloc_leak_report(void) { return 0; }
void alloc_exit_check_disable(void) {}
#endif

/* ---- shared ------------------------------------------------------------ */
void *alloc_zeroed(size_t size)
{
    void *p = alloc_new(size);
    if (p)
        memset(p, 0, size);
    return p;
}

char *alloc_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = alloc_new(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

char *alloc_strndup(const char *s, size_t n)
{
    n = strnlen(s, n);
    char *p = alloc_new(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void alloc_strfree(char *s)
{
    if (s)
        alloc_free(s, strlen(s) + 1);
}

size_t alloc_live_bytes(void)
{
    alloc_stats s;
    alloc_get_stats(&s);
    return s.live_bytes;
}
