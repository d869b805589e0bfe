/* jsonv — checks that bytes are exactly one JSON object on one line without
 * building anything: RFC 8259 syntax, UTF-8 in strings, no raw control
 * character (so no newline anywhere), nesting at most max_depth. crawld
 * writes a worker's record line into pages.jsonl as it is, and the worker
 * parses hostile pages, so the line is checked first. One pass, no
 * allocation, no state: any thread. */
#ifndef CRAWLD_JSONV_H
#define CRAWLD_JSONV_H

#include <stddef.h>

/* 1 when s[0..len) is one JSON object (spaces and tabs around tokens
 * allowed, nothing after it); 0 otherwise. */
int jsonv_valid_object_line(const char *s, size_t len, int max_depth);

#endif
