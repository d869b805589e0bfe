/* jsonv — checks that bytes are exactly one JSON object on one line, without
 * building anything. crawld writes the record line a worker made into
 * pages.jsonl as it is (frame.h says why); the worker parses hostile pages,
 * so its bytes are checked first: RFC 8259 syntax, UTF-8 in strings, no raw
 * control character and so no newline anywhere, nesting at most max_depth.
 * jansson can only check by building the whole tree, which is the cost the
 * binary result frame removed; this is a single pass with no allocation. */
#ifndef CRAWLD_JSONV_H
#define CRAWLD_JSONV_H

#include <stddef.h>

/* 1 when s[0..len) is one JSON object (spaces and tabs around tokens
 * allowed, nothing after it); 0 otherwise. */
int jsonv_valid_object_line(const char *s, size_t len, int max_depth);

/* alias until callers move */
#define json_valid_object_line jsonv_valid_object_line

#endif
