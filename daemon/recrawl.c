/* recrawl — see recrawl.h. */
#include "recrawl.h"
#include "alloc.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_str(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? alloc_strdup(v) : NULL;
}

void recrawl_set_release(recrawl_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        recrawl_page *p = &set->p[i];
        alloc_strfree(p->url);
        alloc_strfree(p->parent);
        alloc_strfree(p->etag);
        alloc_strfree(p->last_modified);
        alloc_strfree(p->date);
        alloc_strfree(p->digest);
        alloc_strfree(p->final_url);
    }
    if (set->p)
        alloc_free(set->p, set->cap * sizeof(recrawl_page));
    memset(set, 0, sizeof(*set));
}

/* One record line into set (a page with an answer), or nothing. 0, -1 OOM. */
static int take_record(const char *line, size_t len, recrawl_set *set)
{
    json_t *o = json_loadb(line, len, 0, NULL);
    if (!json_is_object(o) || json_object_get(o, "sitemap") ||
        json_integer_value(json_object_get(o, "status")) <= 0 ||
        !json_is_string(json_object_get(o, "url"))) {
        json_decref(o);
        return 0; /* a sitemap task, a page never fetched, or not a record */
    }
    int rc = -1;
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 64;
        recrawl_page *np =
            alloc_resize(set->p, set->cap * sizeof(recrawl_page), cap * sizeof(recrawl_page));
        if (!np)
            goto out;
        set->p = np;
        set->cap = cap;
    }
    recrawl_page *p = &set->p[set->n];
    memset(p, 0, sizeof(*p));
    p->url = dup_str(o, "url");
    p->parent = dup_str(o, "parent");
    p->depth = (int)json_integer_value(json_object_get(o, "depth"));
    p->etag = dup_str(o, "etag");
    p->last_modified = dup_str(o, "last_modified");
    /* the capture a 304 stood for (at this URL), else this record's own
     * capture (an identical-payload revisit's too: at this URL, it points
     * on to the first) */
    const char *date = json_is_true(json_object_get(o, "not_modified"))
                           ? json_string_value(json_object_get(o, "refers_to_date"))
                           : NULL;
    if (!date)
        date = json_string_value(json_object_get(o, "warc_date"));
    if (!date)
        date = json_string_value(json_object_get(o, "ts"));
    p->date = date ? alloc_strdup(date) : NULL;
    p->digest = dup_str(o, "payload_digest");
    p->final_url = dup_str(o, "final_url");
    set->n++; /* released with the set even when a copy below failed */
    if (!p->url || (json_object_get(o, "parent") && json_is_string(json_object_get(o, "parent")) &&
                    !p->parent))
        goto out;
    if (p->depth < 0)
        p->depth = 0;
    if (p->depth == 0 || !p->parent)
        set->seeds++;
    rc = 0;
out:
    json_decref(o);
    return rc;
}

int recrawl_load(const char *path, long long committed, size_t max, recrawl_set *set, char *err,
                 size_t errlen)
{
    memset(set, 0, sizeof(*set));
    FILE *f = fopen(path, "re");
    if (!f) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL; /* getline's (libc) buffer, freed below */
    size_t cap = 0;
    long long at = 0;
    int rc = 0;
    ssize_t n;
    while (set->n < max && at < committed && (n = getline(&line, &cap, f)) > 0) {
        at += n;
        if (at > committed || line[n - 1] != '\n')
            break; /* past the committed part */
        if (take_record(line, (size_t)n - 1, set) < 0) {
            snprintf(err, errlen, "out of memory reading %s", path);
            rc = -1;
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        rc = -1;
    }
    free(line);
    fclose(f);
    if (rc < 0)
        recrawl_set_release(set);
    return rc;
}
