/* jobopts — the options of a crawl job in one table: for each, its field in
 * a submit request, JSON type, range or allowed values, default, crawlctl
 * flag and help line. crawlctl turns its flags into the request with it
 * (jobopts_request), crawld checks the request with it (jobopts_from_json):
 * a range is written once, here. */
#ifndef CRAWLD_JOBOPTS_H
#define CRAWLD_JOBOPTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#define JOBOPT_FROM_CONFIG (-1) /* a default the daemon's config decides */

typedef enum jobopt_type {
    JOBOPT_INT,    /* a JSON integer in lo..hi; the flag takes a decimal value */
    JOBOPT_BOOL,   /* true or false; the flag sends true, no_flag false */
    JOBOPT_STRING, /* a JSON string; the flag takes the value */
    JOBOPT_LIST,   /* a JSON array of strings, at most max_items of at most max_len
                    * bytes; the flag takes one value and may be repeated */
} jobopt_type;

/* A submit's options once checked. Strings are borrowed from the request. */
typedef struct jobopts {
    int js; /* 0 or 1, or JOBOPT_FROM_CONFIG ([daemon] js) */
    int depth, max_pages;
    int delay_ms;    /* or JOBOPT_FROM_CONFIG ([politeness] delay_ms) */
    int obey_robots; /* or JOBOPT_FROM_CONFIG ([politeness] obey_robots) */
    int warc;
    int sitemaps;
    const char *scope, *name, *output; /* NULL: not given */
    int canonical;                     /* --canonical: follow a page's canonical instead */
    int priority;                      /* --priority: higher jobs' pages go first */
    const json_t *exclude, *include;   /* arrays of patterns; NULL: not given */
    int since;                         /* --since: the job a recrawl asks again; 0: none */
    const char *every;                 /* --every: the recrawl period (jobopts_duration_s) */
    /* the session (common/session.h): NULL when not given */
    const json_t *header;              /* array of "Name: value" */
    const char *user, *bearer, *proxy; /* USER:PASSWORD, a token, a proxy URL */
    const json_t *cookies;             /* --cookies: Netscape lines; NULL: not given */
    const char *save;                  /* --save: "text,html,…" (jobopts_save_mask); NULL: none */
    const json_t *extract;             /* --extract: NAME=SELECTOR[@attr] (fieldspec.h); NULL */
} jobopts;

typedef struct jobopt {
    const char *field; /* the request's key */
    jobopt_type type;
    long long lo, hi;      /* JOBOPT_INT: the allowed range */
    int dflt;              /* INT, BOOL: the default, or JOBOPT_FROM_CONFIG */
    const char *dflt_text; /* the default for people ("host", "from the config") */
    const char *flag;      /* crawlctl's flag; a BOOL's sends true */
    const char *no_flag;   /* a BOOL's flag that sends false; NULL: none */
    const char *metavar;   /* the flag's value in help; NULL for a BOOL */
    const char *want;      /* STRING: what a value must be, for errors */
    int nonempty;          /* STRING: "" is refused */
    size_t max_items;      /* LIST: how many values at most */
    size_t max_len;        /* LIST: bytes a value may have at most */
    /* STRING, LIST (each value): crawld's further check of a value (the
     * scope spec, a filter pattern: a regex is compiled by the daemon that
     * runs it, and crawlctl's exit status says the daemon refused); 0, or
     * -1 with err. NULL: none. */
    int (*check)(const char *v, char *err, size_t errlen);
    /* LIST: crawld's check of the list as a whole, after each value's
     * (--extract: no NAME twice); 0, or -1 with err. NULL: none. */
    int (*check_list)(const json_t *list, char *err, size_t errlen);
    size_t off; /* the member of struct jobopts (int, const char * or const json_t *) */
    const char *help;
} jobopt;

/* Recrawls: a period "N" + s, m, h or d, 1s..365d, into *secs. 0 or -1. */
int jobopts_duration_s(const char *v, long long *secs);

extern const jobopt jobopts_table[];
extern const size_t jobopts_count;

/* o = every option at its default (JOBOPT_FROM_CONFIG where the config
 * decides; strings NULL). */
void jobopts_init(jobopts *o);
/* The option whose field is name, or NULL. */
const jobopt *jobopt_by_field(const char *name);
/* What a value of opt must be, for an error: "an integer 0..1000", "true
 * or false", "a directory name". Returns buf. */
const char *jobopt_want(const jobopt *opt, char *buf, size_t cap);

/* crawld: checks a submit request (an object with "cmd", "urls" and fields
 * of the table; anything else is refused) into o, started from
 * jobopts_init; *urls is the array of URL strings (borrowed from req).
 * 0, or -1 with err naming the field: `"depth" must be an integer
 * 0..1000`, `unknown field "x" (known: …)`, the scope check's own words,
 * `exclude[1] (--exclude): regex: <regerror text> in "RE"`. */
int jobopts_from_json(const json_t *req, jobopts *o, const json_t **urls, char *err, size_t errlen);

/* crawlctl: submit's arguments (flags of the table and URLs, in any order)
 * as the request {"cmd":"submit","urls":[…],…}: a new reference, or NULL
 * with err naming the flag: `--depth: "x" is not an integer 0..1000`,
 * `--scope needs a value`, `submit: unknown option --x`, `submit: at least
 * one URL is needed`. Takes a value the daemon would refuse only where the
 * option has a check (the scope). */
json_t *jobopts_request(int argc, char *const *argv, char *err, size_t errlen);

/* What a page leaves (crawlctl submit --save, docs/daemon.md, "Content"):
 * the kinds written to content.jsonl.zst, a bit each. */
#define JOBOPT_SAVE_TEXT 1     /* the visible text */
#define JOBOPT_SAVE_HTML 2     /* the body as fetched, decoded to UTF-8 */
#define JOBOPT_SAVE_DOM 4      /* the tree serialised after scripts ran */
#define JOBOPT_SAVE_MARKDOWN 8 /* the tree as Markdown (worker/markdown.h) */
#define JOBOPT_SAVE_ALL 15
/* The kinds' names, indexed by bit number (text, html, dom, markdown). */
extern const char *const jobopts_save_kinds[4];
/* "text,markdown" into *mask: 0, or -1 with err `--save: unknown kind
 * "pdf" (text, html, dom, markdown)` (or an empty list, a kind twice). */
int jobopts_save_mask(const char *v, int *mask, char *err, size_t errlen);

/* crawlctl's help: one line per option, each after indent. */
void jobopts_usage(FILE *f, const char *indent);

#endif
