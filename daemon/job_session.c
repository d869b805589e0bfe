/* job_session — what a job keeps of its submit beyond numbers and flags:
 * its session (headers, credentials, proxy; docs/daemon.md, Sessions), its
 * --extract specs (Fields) and its --include/--exclude filters. Taken from
 * a submit or a stored job by jobs.c, released with the job; part of the
 * jobs module (jobs_int.h). */
#include "jobs_int.h"
#include "alloc.h"
#include "session.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* ---- the session ---- */

void job_session_release(job_session *s)
{
    alloc_strfree(s->headers);
    alloc_strfree(s->user);
    alloc_strfree(s->bearer);
    alloc_strfree(s->proxy);
    alloc_strfree(s->auth_origin);
    memset(s, 0, sizeof(*s));
}

/* Takes the session options into jb->sess (copies): 0, or -1 with err
 * naming the option. Credentials go to one origin, the seeds': seeds on
 * two origins with --user or --bearer are refused. */
int job_session_take(job *jb, const json_t *header, const char *user, const char *bearer,
                     const char *proxy, const char *const *seeds, size_t nseeds, char *err,
                     size_t errlen)
{
    job_session *s = &jb->sess;
    if (user && bearer) {
        snprintf(err, errlen, "--user and --bearer: give one of them");
        return -1;
    }
    size_t hl = 0;
    for (size_t i = 0; i < json_array_size(header); i++)
        hl += json_string_length(json_array_get(header, i)) + 1;
    if (hl) {
        if (!(s->headers = alloc_zeroed(hl + 1)))
            goto nomem;
        s->headers[0] = '\0';
        for (size_t i = 0; i < json_array_size(header); i++) {
            strcat(s->headers, json_string_value(json_array_get(header, i)));
            strcat(s->headers, "\n");
        }
        s->headers[hl - 1] = '\0'; /* no '\n' after the last */
    }
    if ((user && !(s->user = alloc_strdup(user))) ||
        (bearer && !(s->bearer = alloc_strdup(bearer))) ||
        (proxy && !(s->proxy = alloc_strdup(proxy))))
        goto nomem;
    if (user || bearer) {
        for (size_t i = 0; i < nseeds; i++) {
            char origin[512];
            if (politeness_origin(seeds[i], origin, sizeof(origin), NULL) < 0) {
                snprintf(err, errlen, "bad URL \"%.200s\": no host", seeds[i]);
                return -1;
            }
            if (!s->auth_origin && !(s->auth_origin = alloc_strdup(origin)))
                goto nomem;
            if (strcmp(origin, s->auth_origin) != 0) {
                snprintf(err, errlen,
                         "%s: the seeds are on two origins (%s, %s); credentials go to one",
                         user ? "--user" : "--bearer", s->auth_origin, origin);
                return -1;
            }
        }
    }
    return 0;
nomem:
    snprintf(err, errlen, "out of memory");
    return -1;
}

/* The session's secrets are kept in the state database (a job resumes
 * after a restart with them): only when the state directory is crawld's
 * own (no group or other access). 0, or -1 with err. */
int job_session_may_store(const jobs *j, const job_session *s, char *err, size_t errlen)
{
    if (!s->headers && !s->user && !s->bearer && !(s->proxy && strchr(s->proxy, '@')))
        return 0;
    struct stat st;
    if (stat(j->cfg->state_dir, &st) < 0 || (st.st_mode & 077)) {
        snprintf(err, errlen,
                 "%s: the state directory %s is mode %03o; a job's secrets are kept there only "
                 "when it is 0700 (chmod 700 %s)",
                 s->user      ? "--user"
                 : s->bearer  ? "--bearer"
                 : s->headers ? "--header"
                              : "--proxy",
                 j->cfg->state_dir, (unsigned)(st.st_mode & 0777), j->cfg->state_dir);
        return -1;
    }
    return 0;
}

/* The session as the job's stored options (opts), in clear. */
void job_session_store(const job_session *s, const json_t *header, json_t *opts)
{
    if (header && json_array_size(header))
        json_object_set_new(opts, "header", json_deep_copy(header));
    if (s->user)
        json_object_set_new(opts, "user", json_string(s->user));
    if (s->bearer)
        json_object_set_new(opts, "bearer", json_string(s->bearer));
    if (s->proxy)
        json_object_set_new(opts, "proxy", json_string(s->proxy));
}

/* o (a job's options or its JSON) with the session shown, never its
 * secrets: the header names, the user without password, the bearer and
 * the proxy's credentials as SESSION_REDACTED. */
void job_session_show(const job_session *s, json_t *o)
{
    json_t *names = json_array();
    for (const char *l = s->headers; names && l && *l;) {
        size_t n = strcspn(l, ":");
        json_array_append_new(names, json_stringn(l, n));
        const char *eol = strchr(l, '\n');
        l = eol ? eol + 1 : l + strlen(l);
    }
    json_object_set_new(o, "header", names ? names : json_array());
    if (s->user) {
        json_object_set_new(o, "user", json_stringn(s->user, strcspn(s->user, ":")));
        json_object_set_new(o, "password", json_string(SESSION_REDACTED));
    } else {
        json_object_set_new(o, "user", json_null());
    }
    json_object_set_new(o, "bearer", s->bearer ? json_string(SESSION_REDACTED) : json_null());
    char buf[SESSION_MAX_PROXY_LEN + 16];
    json_object_set_new(o, "proxy",
                        s->proxy ? json_string(session_url_redacted(s->proxy, buf, sizeof(buf)))
                                 : json_null());
}

/* ---- --extract ---- */

static const char *jobs_str_or_empty(const json_t *v)
{
    const char *s = json_string_value(v);
    return s ? s : "";
}

void job_extract_release(job *jb)
{
    json_decref(jb->extract);
    jb->extract = NULL;
    if (jb->extract_lines)
        alloc_strfree(jb->extract_lines);
    jb->extract_lines = NULL;
}

/* Takes the specs into the job (copies): the array, and the lines the
 * tasks carry. 0, or -1 with err. A stored job's specs were checked at
 * submit. */
int job_extract_take(job *jb, const json_t *specs, char *err, size_t errlen)
{
    size_t n = json_array_size(specs), len = 0;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        len += strlen(jobs_str_or_empty(json_array_get(specs, i))) + 1;
    if (!(jb->extract = json_deep_copy(specs)) || !(jb->extract_lines = alloc_zeroed(len)))
        goto nomem;
    char *q = jb->extract_lines;
    for (size_t i = 0; i < n; i++) {
        const char *s = jobs_str_or_empty(json_array_get(specs, i));
        size_t k = strlen(s);
        memcpy(q, s, k);
        q += k;
        *q++ = i + 1 < n ? '\n' : '\0';
    }
    return 0;
nomem:
    snprintf(err, errlen, "out of memory");
    return -1;
}
/* ---- --include and --exclude ---- */

/* Takes the filter patterns into the job (copies) and its scope: 0, or -1
 * with err naming the option (a stored job's patterns were checked at
 * submit; a bad one fails the job as a bad scope does). */
int job_filters(job *jb, const json_t *exc, const json_t *inc, char *err, size_t errlen)
{
    const json_t *lists[2] = {exc, inc};
    json_t **keep[2] = {&jb->exclude, &jb->include};
    for (int k = 0; k < 2; k++) {
        if (!lists[k] || json_array_size(lists[k]) == 0)
            continue;
        for (size_t i = 0; i < json_array_size(lists[k]); i++) {
            char why[320];
            const char *re = json_string_value(json_array_get(lists[k], i));
            if (scope_add_filter(jb->scope, k, re, why, sizeof(why)) < 0) {
                snprintf(err, errlen, "%s: %s", k ? "--include" : "--exclude", why);
                return -1;
            }
        }
        if (!(*keep[k] = json_deep_copy(lists[k]))) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    return 0;
}
