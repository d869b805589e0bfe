/* json_alloc — see json_alloc.h. */
#include "json_alloc.h"
#include "alloc.h"

#include <jansson.h>

typedef struct hdr {
    _Alignas(16) size_t size;
    size_t from_arena;
} hdr;
_Static_assert(sizeof(hdr) == 16, "json header must be 16 bytes");

static arena *current; /* one thread uses jansson per process */

static void *json_malloc(size_t size)
{
    hdr *h;
    if (current) {
        h = arena_alloc(current, sizeof(hdr) + size);
        if (!h)
            return NULL;
        h->from_arena = 1;
    } else {
        h = alloc_new(sizeof(hdr) + size);
        if (!h)
            return NULL;
        h->from_arena = 0;
    }
    h->size = size;
    return h + 1;
}

static void json_free(void *p)
{
    if (!p)
        return;
    hdr *h = (hdr *)p - 1;
    if (!h->from_arena)
        alloc_free(h, sizeof(hdr) + h->size);
}

void json_alloc_install(void) { json_set_alloc_funcs(json_malloc, json_free); }

arena *json_alloc_push(arena *a)
{
    arena *prev = current;
    current = a;
    return prev;
}

void json_alloc_pop(arena *previous) { current = previous; }
