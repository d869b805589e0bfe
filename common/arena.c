/* arena — see arena.h. */
#include "arena.h"
#include "alloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

struct arena_chunk {
    arena_chunk *next;
    size_t cap;  /* payload bytes */
    size_t used; /* payload bytes handed out */
    size_t pad_; /* keeps the payload ARENA_ALIGN-aligned */
};
_Static_assert(sizeof(arena_chunk) % ARENA_ALIGN == 0, "chunk header must keep alignment");

static inline char *payload(arena_chunk *c) { return (char *)(c + 1); }
static inline size_t round_up(size_t n)
{
    return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

void arena_init(arena *a, size_t min_chunk)
{
    memset(a, 0, sizeof(*a));
    a->min_chunk = round_up(min_chunk ? min_chunk : ARENA_DEFAULT_CHUNK);
}

static void chunk_free(arena *a, arena_chunk *c)
{
    a->capacity -= c->cap;
    a->chunks--;
    UNPOISON(payload(c), c->cap);
    alloc_free(c, sizeof(arena_chunk) + c->cap);
}

/* Makes a chunk with at least `need` free bytes the head: a spare one when it
 * fits, else a new one sized to double what the arena holds (capped). */
static arena_chunk *chunk_for(arena *a, size_t need)
{
    arena_chunk **pp = &a->spare;
    for (; *pp; pp = &(*pp)->next) {
        if ((*pp)->cap >= need) {
            arena_chunk *c = *pp;
            *pp = c->next;
            c->used = 0;
            c->next = a->head;
            a->head = c;
            return c;
        }
    }
    size_t cap = a->capacity < a->min_chunk ? a->min_chunk : a->capacity;
    if (cap > ARENA_MAX_CHUNK)
        cap = ARENA_MAX_CHUNK;
    if (need > cap)
        cap = need;
    if (cap > SIZE_MAX - sizeof(arena_chunk))
        return NULL;
    arena_chunk *c = alloc_new(sizeof(arena_chunk) + cap);
    if (!c)
        return NULL;
    c->cap = cap;
    c->used = 0;
    POISON(payload(c), cap);
    c->next = a->head;
    a->head = c;
    a->capacity += cap;
    a->chunks++;
    return c;
}

void *arena_alloc(arena *a, size_t size)
{
    if (size > SIZE_MAX / 2)
        return NULL;
    size_t n = round_up(size ? size : 1);
    arena_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        c = chunk_for(a, n);
        if (!c)
            return NULL;
    }
    char *p = payload(c) + c->used;
    c->used += n;
    a->used += n;
    if (a->used > a->peak_used)
        a->peak_used = a->used;
    a->last = p;
    a->last_size = n;
    UNPOISON(p, size ? size : 1);
    return p;
}

void *arena_alloc_zeroed(arena *a, size_t size)
{
    void *p = arena_alloc(a, size);
    if (p)
        memset(p, 0, size);
    return p;
}

void *arena_alloc_or_die(arena *a, size_t size)
{
    void *p = arena_alloc(a, size);
    if (!p) {
        fprintf(stderr, "level=error mod=arena msg=\"out of memory\" size=%zu\n", size);
        alloc_abort();
    }
    return p;
}

void *arena_resize(arena *a, void *p, size_t old_size, size_t new_size)
{
    if (!p)
        return arena_alloc(a, new_size);
    size_t n = round_up(new_size ? new_size : 1);
    if (p == a->last && a->head && (char *)p >= payload(a->head) &&
        (char *)p < payload(a->head) + a->head->cap) {
        size_t start = (size_t)((char *)p - payload(a->head));
        if (start + n <= a->head->cap) {
            a->head->used = start + n;
            a->used = a->used - a->last_size + n;
            if (a->used > a->peak_used)
                a->peak_used = a->used;
            a->last_size = n;
            UNPOISON(p, new_size ? new_size : 1);
            return p;
        }
    }
    if (new_size <= old_size)
        return p;
    void *np = arena_alloc(a, new_size);
    if (np)
        memcpy(np, p, old_size);
    return np;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *arena_strdup(arena *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

char *arena_sprintf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void arena_reset(arena *a, size_t retain_bytes)
{
    /* Gather every chunk, keep the ones that fit in the retain budget
     * (largest first, so one big chunk beats many small ones), free the rest. */
    arena_chunk *all = a->head, *c;
    if (all) {
        for (c = all; c->next; c = c->next) {
        }
        c->next = a->spare;
    } else {
        all = a->spare;
    }
    a->head = a->spare = NULL;
    size_t kept = 0;
    while (all) {
        arena_chunk **best = NULL;
        for (arena_chunk **pp = &all; *pp; pp = &(*pp)->next)
            if (!best || (*pp)->cap > (*best)->cap)
                best = pp;
        c = *best;
        *best = c->next;
        if (kept + c->cap <= retain_bytes) {
            kept += c->cap;
            c->used = 0;
            POISON(payload(c), c->cap);
            c->next = a->spare;
            a->spare = c;
        } else {
            chunk_free(a, c);
        }
    }
    a->used = 0;
    a->last = NULL;
    a->last_size = 0;
}

void arena_release(arena *a)
{
    arena_reset(a, 0);
    size_t min_chunk = a->min_chunk, peak = a->peak_used;
    memset(a, 0, sizeof(*a));
    a->min_chunk = min_chunk;
    a->peak_used = peak;
}
