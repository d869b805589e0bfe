/* cookie — see cookie.h. */
#include "cookie.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int is_bool(const char *s, size_t n, int *out)
{
    if (n == 4 && strncmp(s, "TRUE", 4) == 0)
        *out = 1;
    else if (n == 5 && strncmp(s, "FALSE", 5) == 0)
        *out = 0;
    else
        return 0;
    return 1;
}

int cookie_parse(const char *line, size_t len, cookie_line *c, char *why, size_t whylen)
{
    memset(c, 0, sizeof(*c));
    if (len && line[len - 1] == '\r')
        len--;
    size_t lead = 0;
    while (lead < len && (line[lead] == ' ' || line[lead] == '\t'))
        lead++;
    if (lead == len)
        return 1;
    size_t hl = sizeof(COOKIE_HTTPONLY) - 1;
    if (len >= hl && strncmp(line, COOKIE_HTTPONLY, hl) == 0) {
        c->httponly = 1;
        line += hl;
        len -= hl;
    } else if (line[lead] == '#')
        return 1;
    if (len > COOKIE_MAX_LINE) {
        snprintf(why, whylen, "a cookie line of %zu bytes is longer than %d", len, COOKIE_MAX_LINE);
        return -1;
    }
    const char *f[7];
    size_t fl[7];
    int n = 0;
    for (const char *p = line, *end = line + len; n < 8;) {
        const char *tab = memchr(p, '\t', (size_t)(end - p));
        const char *fe = tab ? tab : end;
        if (n < 7) {
            f[n] = p;
            fl[n] = (size_t)(fe - p);
        }
        n++;
        if (!tab)
            break;
        p = tab + 1;
    }
    if (n != 7) {
        snprintf(why, whylen, "expected 7 tab-separated fields, found %s%d",
                 n > 7 ? "more than " : "", n > 7 ? 7 : n);
        return -1;
    }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)line[i] < 0x20 && line[i] != '\t') {
            snprintf(why, whylen, "a control character at byte %zu", i + 1);
            return -1;
        }
    c->domain = f[0];
    c->domain_len = fl[0];
    if (!fl[0] || memchr(f[0], ' ', fl[0]) || memchr(f[0], '/', fl[0])) {
        snprintf(why, whylen, "domain: \"%.*s\" is not a host name", (int)(fl[0] > 80 ? 80 : fl[0]),
                 f[0]);
        return -1;
    }
    if (!is_bool(f[1], fl[1], &c->subdomains)) {
        snprintf(why, whylen, "field 2 (subdomains) must be TRUE or FALSE");
        return -1;
    }
    if (!fl[2] || f[2][0] != '/') {
        snprintf(why, whylen, "path: must start with /");
        return -1;
    }
    c->path = f[2];
    c->path_len = fl[2];
    if (!is_bool(f[3], fl[3], &c->secure)) {
        snprintf(why, whylen, "field 4 (secure) must be TRUE or FALSE");
        return -1;
    }
    long long e = 0;
    for (size_t i = 0; i < fl[4]; i++) {
        if (!isdigit((unsigned char)f[4][i]) || i >= 18) {
            e = -1;
            break;
        }
        e = e * 10 + (f[4][i] - '0');
    }
    if (!fl[4] || e < 0) {
        snprintf(why, whylen, "expires: \"%.*s\" is not a number of seconds",
                 (int)(fl[4] > 40 ? 40 : fl[4]), f[4]);
        return -1;
    }
    c->expires = e;
    if (!fl[5] || memchr(f[5], '=', fl[5]) || memchr(f[5], ';', fl[5])) {
        snprintf(why, whylen, "name: must be non-empty, without '=' or ';'");
        return -1;
    }
    c->name = f[5];
    c->name_len = fl[5];
    if (memchr(f[6], ';', fl[6])) {
        snprintf(why, whylen, "value: must not contain ';'");
        return -1;
    }
    c->value = f[6];
    c->value_len = fl[6];
    return 0;
}

int cookie_file_read(const char *text, size_t len, int (*cb)(void *ud, const char *l, size_t n),
                     void *ud, size_t *line_no, char *why, size_t whylen)
{
    size_t no = 0, cookies = 0;
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *next = nl ? nl + 1 : end;
        no++;
        cookie_line c;
        int rc = cookie_parse(p, n, &c, why, whylen);
        if (rc == 0 && ++cookies > COOKIE_MAX_PER_JOB) {
            snprintf(why, whylen, "more than %d cookies (a job's jar holds at most that many)",
                     COOKIE_MAX_PER_JOB);
            rc = -1;
        }
        if (rc == 0 && n && p[n - 1] == '\r')
            n--;
        if (rc == 0 && memchr(p, '\0', n)) {
            snprintf(why, whylen, "a NUL byte in the line");
            rc = -1;
        }
        if (rc == 0 && cb(ud, p, n) < 0) {
            snprintf(why, whylen, "out of memory");
            rc = -1;
        }
        if (rc < 0) {
            *line_no = no;
            return -1;
        }
        p = next;
    }
    return 0;
}

int cookie_line_check(const char *v, char *err, size_t errlen)
{
    cookie_line c;
    int rc = cookie_parse(v, strlen(v), &c, err, errlen);
    if (rc == 1) {
        snprintf(err, errlen, "not a cookie line (blank or a comment)");
        return -1;
    }
    return rc;
}

int cookie_domain_key(const cookie_line *c, char *buf, size_t cap)
{
    const char *d = c->domain;
    size_t n = c->domain_len;
    while (n && *d == '.') {
        d++;
        n--;
    }
    if (!n || n >= cap)
        return -1;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)d[i]);
    buf[n] = '\0';
    return 0;
}

int cookie_url_host(const char *url, char *buf, size_t cap)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const char *at = NULL;
    for (const char *q = p; *q && *q != '/' && *q != '?' && *q != '#'; q++)
        if (*q == '@')
            at = q;
    if (at)
        p = at + 1;
    const char *end;
    if (*p == '[') { /* an IPv6 literal: curl's cookies name it without brackets */
        p++;
        end = strchr(p, ']');
        if (!end)
            return -1;
    } else
        end = p + strcspn(p, ":/?#");
    size_t n = (size_t)(end - p);
    if (!n || n >= cap)
        return -1;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)p[i]);
    buf[n] = '\0';
    return 0;
}
