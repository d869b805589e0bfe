/* arena_pool — arenas kept by size bucket and reused across pages.
 *
 * Buckets tiny / small / medium / large each have a retain limit (bytes an
 * idle arena keeps) and a free-list cap (idle arenas kept). Acquire takes an
 * arena off the bucket's free list (a hit) or makes one (a miss); release
 * resets it to the bucket's retain limit and keeps it, or frees it when the
 * free list is full. Every acquire carries a debug name; the pool counts
 * acquires minus releases per name and arena_pool_deinit reports any name
 * still held (and aborts in CRAWLD_DEBUG builds). Debug names must be
 * string literals: the pool keeps the pointer. Single-threaded. */
#ifndef CRAWLD_ARENA_POOL_H
#define CRAWLD_ARENA_POOL_H

#include "arena.h"
#include <stddef.h>
#include <stdint.h>

typedef enum arena_pool_bucket {
    ARENA_POOL_TINY = 0,
    ARENA_POOL_SMALL,
    ARENA_POOL_MEDIUM,
    ARENA_POOL_LARGE,
    ARENA_POOL_BUCKETS
} arena_pool_bucket;

typedef struct arena_pool_bucket_config {
    size_t retain_bytes; /* an idle arena keeps at most this much */
    size_t free_cap;     /* at most this many idle arenas are kept */
    size_t chunk_bytes;  /* first chunk size of a new arena */
} arena_pool_bucket_config;

typedef struct arena_pool_config {
    arena_pool_bucket_config bucket[ARENA_POOL_BUCKETS];
} arena_pool_config;

/* Defaults (see DESIGN.md "Memory"): tiny 1 KiB x 512, small 4 KiB x 128,
 * medium 16 KiB x 64, large 1 MiB x 8. */
void arena_pool_config_default(arena_pool_config *cfg);

typedef struct arena_pool_bucket_stats {
    size_t live;           /* arenas acquired and not yet released */
    size_t free;           /* idle arenas on the free list */
    size_t retained_bytes; /* chunk bytes held by idle arenas */
    uint64_t hits, misses; /* acquires served from / not from the free list */
    uint64_t freed;        /* releases that freed the arena (free list full) */
} arena_pool_bucket_stats;

typedef struct arena_pool_entry arena_pool_entry;
typedef struct arena_pool_name arena_pool_name;

typedef struct arena_pool {
    arena_pool_config cfg;
    arena_pool_entry *free_list[ARENA_POOL_BUCKETS];
    arena_pool_bucket_stats stats[ARENA_POOL_BUCKETS];
    arena_pool_name *names; /* debug-name counters */
} arena_pool;

int arena_pool_init(arena_pool *p, const arena_pool_config *cfg); /* cfg NULL → defaults; 0 or -1 */
/* Returns the number of debug names still held (each printed to stderr);
 * CRAWLD_DEBUG builds abort when it is not 0. Frees every idle arena. */
size_t arena_pool_deinit(arena_pool *p);

arena *arena_pool_acquire(arena_pool *p, arena_pool_bucket b, const char *debug_name);
/* The smallest bucket whose retain limit covers size_hint (else large). */
arena *arena_pool_acquire_hint(arena_pool *p, size_t size_hint, const char *debug_name);
arena_pool_bucket arena_pool_bucket_for(const arena_pool *p, size_t size_hint);
void arena_pool_release(arena_pool *p, arena *a);

/* How many arenas acquired under this name are still held. */
long arena_pool_held(const arena_pool *p, const char *debug_name);
void arena_pool_stats(const arena_pool *p, arena_pool_bucket b, arena_pool_bucket_stats *out);
/* Sum of retained (idle) bytes over every bucket. */
size_t arena_pool_retained_bytes(const arena_pool *p);
const char *arena_pool_bucket_name(arena_pool_bucket b);

#endif
