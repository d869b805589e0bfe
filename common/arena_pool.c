/* arena_pool — see arena_pool.h. */
#include "arena_pool.h"
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An arena as the pool keeps it: the bucket it belongs to travels with it. */
struct arena_pool_entry {
    arena a; /* first member: an arena* converts back to its arena_pool_entry */
    arena_pool_entry *next;
    arena_pool_bucket bucket;
    const char *name;
};

/* One counter per debug name; names are string literals compared by value. */
struct arena_pool_name {
    arena_pool_name *next;
    const char *name;
    long held;
};

void arena_pool_config_default(arena_pool_config *cfg)
{
    /* Lightpanda's tiny/small/medium limits; our large bucket keeps 1 MiB,
     * not 128 KiB: a crawled page's arena peaks at several MiB, and a small
     * retain would give most of it back to malloc after every page only to
     * take it again on the next. Eight idle large arenas cover a worker's
     * page plus its subresources; docs/worker.md has the sizes. */
    static const arena_pool_bucket_config def[ARENA_POOL_BUCKETS] = {
        {1024, 512, 1024},
        {4 * 1024, 128, 4 * 1024},
        {16 * 1024, 64, 16 * 1024},
        {1024 * 1024, 8, 64 * 1024},
    };
    memcpy(cfg->bucket, def, sizeof(def));
}

int arena_pool_init(arena_pool *p, const arena_pool_config *cfg)
{
    memset(p, 0, sizeof(*p));
    if (cfg)
        p->cfg = *cfg;
    else
        arena_pool_config_default(&p->cfg);
    for (int b = 0; b < ARENA_POOL_BUCKETS; b++)
        if (p->cfg.bucket[b].chunk_bytes == 0)
            return -1;
    return 0;
}

const char *arena_pool_bucket_name(arena_pool_bucket b)
{
    static const char *names[ARENA_POOL_BUCKETS] = {"tiny", "small", "medium", "large"};
    return (unsigned)b < ARENA_POOL_BUCKETS ? names[b] : "?";
}

static arena_pool_name *name_slot(arena_pool *p, const char *name, int create)
{
    for (arena_pool_name *n = p->names; n; n = n->next)
        if (n->name == name || strcmp(n->name, name) == 0)
            return n;
    if (!create)
        return NULL;
    arena_pool_name *n = ALLOC_NEW(arena_pool_name);
    if (!n)
        return NULL;
    n->name = name;
    n->next = p->names;
    p->names = n;
    return n;
}

long arena_pool_held(const arena_pool *p, const char *name)
{
    arena_pool_name *n = name_slot((arena_pool *)p, name, 0);
    return n ? n->held : 0;
}

arena_pool_bucket arena_pool_bucket_for(const arena_pool *p, size_t hint)
{
    for (int b = 0; b < ARENA_POOL_LARGE; b++)
        if (hint <= p->cfg.bucket[b].retain_bytes)
            return (arena_pool_bucket)b;
    return ARENA_POOL_LARGE;
}

arena *arena_pool_acquire(arena_pool *p, arena_pool_bucket b, const char *name)
{
    if ((unsigned)b >= ARENA_POOL_BUCKETS)
        return NULL;
    arena_pool_name *slot = name_slot(p, name ? name : "?", 1);
    if (!slot)
        return NULL;
    arena_pool_bucket_stats *st = &p->stats[b];
    arena_pool_entry *pa = p->free_list[b];
    if (pa) {
        p->free_list[b] = pa->next;
        st->free--;
        st->retained_bytes -= arena_capacity(&pa->a);
        st->hits++;
    } else {
        pa = ALLOC_NEW(arena_pool_entry);
        if (!pa)
            return NULL;
        arena_init(&pa->a, p->cfg.bucket[b].chunk_bytes);
        pa->bucket = b;
        st->misses++;
    }
    pa->next = NULL;
    pa->name = slot->name;
    slot->held++;
    st->live++;
    return &pa->a;
}

arena *arena_pool_acquire_hint(arena_pool *p, size_t hint, const char *name)
{
    return arena_pool_acquire(p, arena_pool_bucket_for(p, hint), name);
}

void arena_pool_release(arena_pool *p, arena *a)
{
    if (!a)
        return;
    arena_pool_entry *pa = (arena_pool_entry *)a;
    arena_pool_bucket b = pa->bucket;
    arena_pool_bucket_stats *st = &p->stats[b];
    /* An idle arena has no name: releasing it again is caught even while
     * other arenas of its name are still held. */
    arena_pool_name *slot = pa->name ? name_slot(p, pa->name, 0) : NULL;
    if (!slot || slot->held <= 0) {
        fprintf(stderr, "level=error mod=arena_pool msg=\"released more than acquired\" name=%s\n",
                pa->name ? pa->name : "(idle)");
        alloc_abort();
    }
    slot->held--;
    st->live--;
    if (st->free >= p->cfg.bucket[b].free_cap) {
        arena_release(&pa->a);
        ALLOC_FREE(pa);
        st->freed++;
        return;
    }
    arena_reset(&pa->a, p->cfg.bucket[b].retain_bytes);
    pa->name = NULL;
    pa->next = p->free_list[b];
    p->free_list[b] = pa;
    st->free++;
    st->retained_bytes += arena_capacity(&pa->a);
}

void arena_pool_stats(const arena_pool *p, arena_pool_bucket b, arena_pool_bucket_stats *out)
{
    *out = p->stats[b];
}

size_t arena_pool_retained_bytes(const arena_pool *p)
{
    size_t n = 0;
    for (int b = 0; b < ARENA_POOL_BUCKETS; b++)
        n += p->stats[b].retained_bytes;
    return n;
}

size_t arena_pool_deinit(arena_pool *p)
{
    size_t held = 0;
    for (arena_pool_name *n = p->names, *next; n; n = next) {
        next = n->next;
        if (n->held != 0) {
            fprintf(stderr,
                    "level=error mod=arena_pool msg=\"arena still held at teardown\" "
                    "name=%s held=%ld\n",
                    n->name, n->held);
            held++;
        }
        ALLOC_FREE(n);
    }
    p->names = NULL;
    for (int b = 0; b < ARENA_POOL_BUCKETS; b++) {
        for (arena_pool_entry *pa = p->free_list[b], *next; pa; pa = next) {
            next = pa->next;
            arena_release(&pa->a);
            ALLOC_FREE(pa);
        }
        p->free_list[b] = NULL;
        p->stats[b].free = 0;
        p->stats[b].retained_bytes = 0;
    }
#ifdef CRAWLD_DEBUG
    if (held)
        alloc_abort();
#endif
    return held;
}
