/* arena — bump allocation in chunks, freed all at once: a page's body, tree,
 * strings and result come from one arena and nothing is freed one by one.
 * The caller owns the struct; chunks come from the process allocator
 * (alloc.h) and go back on reset (beyond the retain limit) or release, in
 * O(chunks). Every pointer is ARENA_ALIGN-aligned; the newest allocation can
 * grow in place. arena_alloc returns NULL only when the process allocator
 * failed; callers that cannot take NULL (gumbo) use arena_alloc_or_die.
 * Not thread-safe. */
#ifndef CRAWLD_ARENA_H
#define CRAWLD_ARENA_H

#include <stddef.h>

#define ARENA_ALIGN 16
#define ARENA_DEFAULT_CHUNK (16 * 1024)
#define ARENA_MAX_CHUNK (1024 * 1024)

typedef struct arena_chunk arena_chunk;

typedef struct arena {
    arena_chunk *head;  /* chunk being bumped into; older full chunks follow */
    arena_chunk *spare; /* empty chunks kept by the last reset */
    size_t min_chunk;   /* first chunk's payload size; later ones double */
    char *last;         /* most recent allocation (for in-place growth) */
    size_t last_size;   /* its rounded size */
    size_t used;        /* bytes handed out since the last reset */
    size_t capacity;    /* payload bytes held in chunks */
    size_t chunks;      /* number of chunks held */
    size_t peak_used;   /* highest `used` over the arena's life */
} arena;

void arena_init(arena *a, size_t min_chunk); /* 0 → ARENA_DEFAULT_CHUNK */
void *arena_alloc(arena *a, size_t size);
void *arena_alloc_zeroed(arena *a, size_t size);
void *arena_alloc_or_die(arena *a, size_t size); /* aborts on OOM */
/* Grows or shrinks p (size old) to new_size; in place when p is the most
 * recent allocation and its chunk has room, else copies. p may be NULL. */
void *arena_resize(arena *a, void *p, size_t old_size, size_t new_size);
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_sprintf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Drops every allocation; keeps chunks whose payload adds up to at most
 * retain_bytes (the rest go back to the process allocator). */
void arena_reset(arena *a, size_t retain_bytes);
/* Frees every chunk. The arena can be used again after arena_init. */
void arena_release(arena *a);

/* Bytes of chunk payload currently held (what reset with retain keeps). */
static inline size_t arena_capacity(const arena *a) { return a->capacity; }
static inline size_t arena_used(const arena *a) { return a->used; }

#endif
