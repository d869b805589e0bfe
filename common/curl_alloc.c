/* curl_alloc — see curl_alloc.h. */
#include "curl_alloc.h"
#include "alloc.h"

#include <curl/curl.h>
#include <stdatomic.h>
#include <string.h>

/* The header only needs the size; 16 bytes keeps the payload aligned like
 * malloc's. */
typedef struct hdr {
    _Alignas(16) size_t size;
    size_t pad_;
} hdr;
_Static_assert(sizeof(hdr) == CURL_ALLOC_HEADER, "curl header must be 16 bytes");

static _Atomic size_t curl_live, curl_blocks;

void *curl_alloc_malloc(size_t size)
{
    if (size > SIZE_MAX - sizeof(hdr))
        return NULL;
    hdr *h = alloc_new(sizeof(hdr) + size);
    if (!h)
        return NULL;
    h->size = size;
    atomic_fetch_add_explicit(&curl_live, size, memory_order_relaxed);
    atomic_fetch_add_explicit(&curl_blocks, 1, memory_order_relaxed);
    return h + 1;
}

void curl_alloc_free(void *p)
{
    if (!p)
        return;
    hdr *h = (hdr *)p - 1;
    atomic_fetch_sub_explicit(&curl_live, h->size, memory_order_relaxed);
    atomic_fetch_sub_explicit(&curl_blocks, 1, memory_order_relaxed);
    alloc_free(h, sizeof(hdr) + h->size);
}

void *curl_alloc_realloc(void *p, size_t size)
{
    if (!p)
        return curl_alloc_malloc(size);
    if (size > SIZE_MAX - sizeof(hdr))
        return NULL;
    hdr *h = (hdr *)p - 1;
    size_t old = h->size;
    hdr *nh = alloc_resize(h, sizeof(hdr) + old, sizeof(hdr) + size);
    if (!nh)
        return NULL;
    nh->size = size;
    atomic_fetch_add_explicit(&curl_live, size, memory_order_relaxed);
    atomic_fetch_sub_explicit(&curl_live, old, memory_order_relaxed);
    return nh + 1;
}

char *curl_alloc_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = curl_alloc_malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

void *curl_alloc_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = curl_alloc_malloc(n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

size_t curl_alloc_live_bytes(void) { return atomic_load(&curl_live); }

size_t curl_alloc_held_bytes(void)
{
    return atomic_load(&curl_live) + atomic_load(&curl_blocks) * sizeof(hdr);
}

int curl_alloc_global_init(long flags)
{
    return (int)curl_global_init_mem(flags, curl_alloc_malloc, curl_alloc_free, curl_alloc_realloc,
                                     curl_alloc_strdup, curl_alloc_calloc);
}

void curl_alloc_global_cleanup(void) { curl_global_cleanup(); }
