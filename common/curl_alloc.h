/* curl_alloc — routes libcurl's memory into the process allocator.
 *
 * curl_global_init_mem hooks (malloc, calloc, realloc, strdup, free) put a
 * 16-byte header holding the block size in front of every block, so curl's
 * bytes show up in alloc_live_bytes() and in the debug build's leak report.
 * The header keeps curl's pointers 16-byte aligned. */
#ifndef CRAWLD_CURL_ALLOC_H
#define CRAWLD_CURL_ALLOC_H

#include <stddef.h>

#define CURL_ALLOC_HEADER 16

/* curl_global_init_mem(flags, …our hooks…). Returns a CURLcode. */
int curl_alloc_global_init(long flags);
void curl_alloc_global_cleanup(void);
/* Bytes curl holds right now through the hooks (payload, not headers). */
size_t curl_alloc_live_bytes(void);
/* What curl holds in the process allocator: payload plus headers. */
size_t curl_alloc_held_bytes(void);

/* The hooks themselves, exposed for tests. */
void *curl_alloc_malloc(size_t size);
void curl_alloc_free(void *p);
void *curl_alloc_realloc(void *p, size_t size);
char *curl_alloc_strdup(const char *s);
void *curl_alloc_calloc(size_t n, size_t size);

#endif
