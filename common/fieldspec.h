/* fieldspec — a job's --extract specs, NAME=SELECTOR[@attr]: split and
 * checked here, by crawld at submit (the selector through selector.h, the
 * parser the worker's querySelectorAll uses) and by the worker per page
 * (worker/fields.c), with the limits of the values a record carries
 * (docs/daemon.md, Fields). */
#ifndef CRAWLD_FIELDSPEC_H
#define CRAWLD_FIELDSPEC_H

#include "arena.h"

#include <jansson.h>
#include <stddef.h>

#define FIELDSPEC_MAX 32          /* specs per job */
#define FIELDSPEC_MAX_LEN 1024    /* bytes per spec */
#define FIELDSPEC_MAX_NAME 64     /* bytes of a NAME */
#define FIELDSPEC_MAX_ATTR 64     /* bytes of an @attr */
#define FIELDSPEC_MAX_VALUES 100  /* values kept in one field's list */
#define FIELDSPEC_MAX_VALUE 4096  /* bytes kept of one value (cut at a UTF-8 boundary) */
#define FIELDSPEC_MAX_PAGE 262144 /* bytes of values kept for one page, every field */

typedef struct fieldspec {
    const char *name;     /* [A-Za-z_][A-Za-z0-9_-]* */
    const char *selector; /* parses (selector.h) */
    const char *attr;     /* ASCII-lowercased; NULL: the node's text */
} fieldspec;

/* Splits spec into out, each part a NUL-terminated copy in a, and checks
 * the parts: 0, or -1 with err saying what was wrong, naming the part
 * ("name \"1x\" is not [A-Za-z_][A-Za-z0-9_-]*", "selector \"a[\" does not
 * parse at byte 2", "attribute \"\" after \"@\" is empty"). The '@' that
 * starts the attribute is the first outside quotes, brackets and
 * parentheses (a[href^=\"mailto:a@b\"] has none). */
int fieldspec_parse(arena *a, const char *spec, fieldspec *out, char *err, size_t errlen);

/* fieldspec_parse in a scratch arena: the check jobopts runs per value. */
int fieldspec_check(const char *spec, char *err, size_t errlen);

/* The list as a whole (each value already checked): no NAME twice. 0, or
 * -1 with err naming the later one's index. */
int fieldspec_list_check(const json_t *specs, char *err, size_t errlen);

#endif
