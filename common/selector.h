/* selector — CSS selectors (the Selectors Level 4 subset docs/worker.md
 * lists) parsed into a compiled form in an arena: what worker/dom_select.c
 * matches for querySelectorAll, and what crawld checks a job's --extract
 * selectors with at submit. Parsing only; no tree, no gumbo. */
#ifndef CRAWLD_SELECTOR_H
#define CRAWLD_SELECTOR_H

#include "arena.h"

#include <stdbool.h>
#include <stddef.h>

/* The matcher recurses once per compound and once per nested list
 * (:not, :is, :where): these bound its stack. Longer is SEL_ERR_SYNTAX. */
#define SEL_MAX_CHAIN 128
#define SEL_MAX_NEST 8

/* An+B coefficients saturate here (no page has a billion siblings). */
#define SEL_NTH_MAX 1000000000LL

typedef enum sel_kind {
    SEL_TYPE,
    SEL_ID,
    SEL_CLASS,
    SEL_ATTR,
    SEL_NTH_CHILD,        /* a, b; :first-child is 0n+1 */
    SEL_NTH_LAST_CHILD,   /* :last-child is 0n+1 */
    SEL_NTH_OF_TYPE,      /* :first-of-type is 0n+1 */
    SEL_NTH_LAST_OF_TYPE, /* :last-of-type is 0n+1 */
    SEL_ONLY_CHILD,
    SEL_ONLY_OF_TYPE,
    SEL_ROOT,
    SEL_EMPTY,
    SEL_CHECKED,
    SEL_DISABLED,
    SEL_ENABLED,
    SEL_NOT, /* list: matches none of it */
    SEL_IS   /* list: :is and :where, matches one of it */
} sel_kind;

typedef enum sel_aop {
    SEL_A_EXISTS,
    SEL_A_EQ,
    SEL_A_WORD,
    SEL_A_PREFIX,
    SEL_A_SUFFIX,
    SEL_A_SUBSTR,
    SEL_A_DASH
} sel_aop;

/* How a compound joins the one to its left: " ", ">", "+", "~". */
typedef enum sel_comb {
    SEL_C_NONE,
    SEL_C_DESCENDANT,
    SEL_C_CHILD,
    SEL_C_ADJACENT,
    SEL_C_SIBLING
} sel_comb;

struct sel_complex;

typedef struct sel_simple {
    sel_kind kind;
    sel_aop op;
    bool ci;          /* [attr=v i] */
    const char *name; /* type and attribute names lowercase; id and class as written */
    size_t nlen;
    const char *val;
    size_t vlen;
    long long a, b;           /* An+B */
    struct sel_complex *list; /* SEL_NOT, SEL_IS */
    struct sel_simple *next;
} sel_simple;

typedef struct sel_compound {
    sel_simple *first; /* all must match; none: matches every element */
    sel_comb comb;     /* how it joins the compound to its left */
    struct sel_compound *left;
    struct sel_compound *next_all; /* every top-level compound, left to right */
    unsigned bit;                  /* its index in that order */
    bool last;                     /* rightmost of its complex selector */
} sel_compound;

typedef struct sel_complex {
    sel_compound *right;
    struct sel_complex *next;
} sel_complex;

typedef struct sel {
    sel_complex *first;
    sel_compound *all;
    unsigned ncomp;
    bool siblings; /* a top-level + or ~ (dom_query then needs the siblings' state) */
} sel;

typedef enum sel_err { SEL_OK = 0, SEL_ERR_SYNTAX, SEL_ERR_NOMEM } sel_err;

/* Parses text (NUL-terminated) into out, every part in a. SEL_ERR_SYNTAX
 * for text that is no selector of the subset (an unknown pseudo-class such
 * as :hover included); *stop (may be NULL) is then the byte offset where
 * parsing stopped. */
sel_err sel_parse(arena *a, const char *text, sel *out, size_t *stop);

/* sel_parse into a scratch arena of its own, for a check: 0, or -1 with
 * err saying why ("does not parse at byte 3: \"a[\"", "out of memory"). */
int sel_check(const char *text, char *err, size_t errlen);

#endif
