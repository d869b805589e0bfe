/* json_alloc — routes jansson's memory: into the current page arena while
 * one is set (the result record of a page lives and dies with the page),
 * else into the process allocator (counted and leak-checked).
 *
 * Every block carries a 16-byte header {size, from_arena}; freeing an arena
 * block does nothing. Call json_alloc_install() once, before any jansson
 * call. json_alloc_push/pop bracket work whose JSON must end with an arena:
 * a value made inside the bracket must not be kept after the arena ends. */
#ifndef CRAWLD_JSON_ALLOC_H
#define CRAWLD_JSON_ALLOC_H

#include "arena.h"

void json_alloc_install(void);
/* Returns the previous arena, to hand back to json_alloc_pop. */
arena *json_alloc_push(arena *a);
void json_alloc_pop(arena *previous);

#endif
