/* jar — see jar.h. Reading and writing follow RFC 6265 as browsers do for
 * document.cookie; the jar itself, its replacement and expiry rules and
 * the __Secure-/__Host- prefixes are curl's (CURLOPT_COOKIELIST). curl's
 * own "Set-Cookie:" form of CURLOPT_COOKIELIST is not used: it has no
 * request to take a default domain and path from, and a cookie without a
 * domain is left out of CURLINFO_COOKIELIST. */
#include "jar.h"
#include "alloc.h"
#include "cookie.h"
#include "fetch.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int jar_open(page_jar *j, const char *task_lines, const char *changed)
{
    memset(j, 0, sizeof(*j));
    j->h = curl_easy_init();
    if (!j->h)
        return -1;
    if (curl_easy_setopt(j->h, CURLOPT_COOKIEFILE, "") != CURLE_OK ||
        fetch_jar_load(j->h, task_lines) < 0 ||
        curl_easy_getinfo(j->h, CURLINFO_COOKIELIST, &j->start) != CURLE_OK ||
        fetch_jar_load(j->h, changed) < 0) {
        jar_close(j);
        return -1;
    }
    return 0;
}

void jar_close(page_jar *j)
{
    curl_slist_free_all(j->start);
    j->start = NULL;
    alloc_free(j->read, j->read_cap);
    j->read = NULL;
    j->read_cap = 0;
    if (j->h)
        curl_easy_cleanup(j->h);
    j->h = NULL;
}

char *jar_lines(page_jar *j, arena *a)
{
    struct curl_slist *list = NULL;
    if (!j->h || curl_easy_getinfo(j->h, CURLINFO_COOKIELIST, &list) != CURLE_OK || !list)
        return NULL;
    size_t bytes = 1;
    for (const struct curl_slist *l = list; l; l = l->next)
        bytes += strlen(l->data) + 1;
    if (bytes > JAR_MAX_LINES + 1)
        bytes = JAR_MAX_LINES + 1;
    char *out = arena_alloc(a, bytes), *q = out;
    for (const struct curl_slist *l = list; out && l; l = l->next) {
        size_t n = strlen(l->data);
        if ((size_t)(q - out) + n + 1 > JAR_MAX_LINES)
            continue;
        memcpy(q, l->data, n);
        q += n;
        *q++ = '\n';
    }
    if (out)
        *q = '\0';
    curl_slist_free_all(list);
    return out;
}

int jar_apply(page_jar *j, const char *lines) { return fetch_jar_load(j->h, lines); }

int jar_changes(page_jar *j, arena *a, const char **lines, size_t *len)
{
    *lines = NULL;
    *len = 0;
    struct curl_slist *now = NULL;
    if (!j->h || curl_easy_getinfo(j->h, CURLINFO_COOKIELIST, &now) != CURLE_OK)
        return -1;
    int rc = fetch_jar_diff(a, j->start, now, lines, len);
    curl_slist_free_all(now);
    return rc;
}

/* url's path without query and fragment ("/" when it has none). */
static void url_path(const char *url, const char **path, size_t *len)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    p += strcspn(p, "/?#");
    if (*p != '/') {
        *path = "/";
        *len = 1;
        return;
    }
    *path = p;
    *len = strcspn(p, "?#");
}

static int is_ip(const char *host)
{
    unsigned char b[16];
    return inet_pton(AF_INET, host, b) == 1 || inet_pton(AF_INET6, host, b) == 1;
}

/* host is d or a name under it (RFC 6265 5.1.3; never for an IP). */
static int domain_match(const char *host, const char *d)
{
    size_t hl = strlen(host), dl = strlen(d);
    if (hl == dl)
        return strcmp(host, d) == 0;
    return hl > dl && host[hl - dl - 1] == '.' && strcmp(host + hl - dl, d) == 0 && !is_ip(host);
}

static void trim(const char **p, size_t *n)
{
    while (*n && (**p == ' ' || **p == '\t')) {
        (*p)++;
        (*n)--;
    }
    while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
        (*n)--;
}

static int is_attr(const char *a, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(a, name, n) == 0;
}

int jar_script_line(const char *url, const char *s, time_t now, char *out, size_t cap)
{
    char host[256];
    if (cookie_url_host(url, host, sizeof(host)) < 0)
        return 1;
    int https = strncasecmp(url, "https:", 6) == 0;
    size_t slen = strlen(s);
    if (slen > COOKIE_MAX_LINE)
        return 1;
    for (size_t i = 0; i < slen; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 1; /* browsers drop a cookie string with control characters */
    const char *semi = strchr(s, ';');
    size_t nvl = semi ? (size_t)(semi - s) : slen;
    const char *eq = memchr(s, '=', nvl);
    if (!eq)
        return 1; /* a nameless cookie: curl's jar has none */
    const char *name = s, *val = eq + 1;
    size_t nl = (size_t)(eq - s), vl = (size_t)(s + nvl - val);
    trim(&name, &nl);
    trim(&val, &vl);
    if (!nl)
        return 1;
    const char *path = NULL, *dom = NULL;
    size_t pl = 0, dl = 0;
    int secure = 0, have_age = 0, have_exp = 0;
    long long age = 0, exp = 0;
    for (const char *a = semi; a;) {
        a++;
        const char *next = strchr(a, ';');
        size_t al = next ? (size_t)(next - a) : strlen(a);
        const char *aeq = memchr(a, '=', al);
        const char *an = a, *av = aeq ? aeq + 1 : a + al;
        size_t anl = aeq ? (size_t)(aeq - a) : al, avl = aeq ? (size_t)(a + al - av) : 0;
        trim(&an, &anl);
        trim(&av, &avl);
        if (is_attr(an, anl, "path")) {
            path = av;
            pl = avl;
        } else if (is_attr(an, anl, "domain")) {
            dom = av;
            dl = avl;
        } else if (is_attr(an, anl, "max-age") && avl && avl < 19) {
            /* RFC 6265 5.2.2: digits, maybe after a '-'; else ignored */
            long long v = 0;
            size_t i = av[0] == '-';
            int ok = i < avl;
            for (; ok && i < avl; i++) {
                ok = av[i] >= '0' && av[i] <= '9';
                v = v * 10 + (av[i] - '0');
            }
            if (ok) {
                have_age = 1;
                age = av[0] == '-' ? -v : v;
            }
        } else if (is_attr(an, anl, "expires") && avl && avl < 128) {
            char d[128];
            memcpy(d, av, avl);
            d[avl] = '\0';
            time_t t = curl_getdate(d, NULL);
            if (t != -1) {
                have_exp = 1;
                exp = (long long)t;
            }
        } else if (is_attr(an, anl, "secure")) {
            secure = 1;
        } else if (is_attr(an, anl, "httponly")) {
            return 1; /* a script cannot set an HttpOnly cookie */
        }
        a = next;
    }
    if (secure && !https)
        return 1; /* Secure from an insecure origin */
    char dbuf[256];
    int sub = 0;
    if (dom && dl) {
        if (*dom == '.') {
            dom++;
            dl--;
        }
        if (!dl || dl >= sizeof(dbuf))
            return 1;
        for (size_t i = 0; i < dl; i++)
            dbuf[i] = (char)((dom[i] >= 'A' && dom[i] <= 'Z') ? dom[i] - 'A' + 'a' : dom[i]);
        dbuf[dl] = '\0';
        if (!domain_match(host, dbuf))
            return 1;
        /* No public-suffix list here: a domain without a dot (a top-level
         * name) is refused unless it is the host itself, as curl does
         * without libpsl; an IP's cookie is always host-only. */
        if (!strchr(dbuf, '.') && strcmp(dbuf, host) != 0)
            return 1;
        sub = strchr(dbuf, '.') && !is_ip(host);
    } else {
        snprintf(dbuf, sizeof(dbuf), "%s", host);
    }
    char pbuf[COOKIE_MAX_LINE];
    if (path && pl && path[0] == '/' && pl < sizeof(pbuf)) {
        memcpy(pbuf, path, pl);
        pbuf[pl] = '\0';
    } else { /* RFC 6265 5.1.4: the default path, the URL's up to its last '/' */
        const char *up;
        size_t ul;
        url_path(url, &up, &ul);
        const char *last = up;
        for (size_t i = 0; i < ul; i++)
            if (up[i] == '/')
                last = up + i;
        size_t n = last == up ? 1 : (size_t)(last - up);
        if (n >= sizeof(pbuf))
            return 1;
        memcpy(pbuf, up, n);
        pbuf[n] = '\0';
    }
    long long expires = have_age   ? (age <= 0 ? 1 : (long long)now + age)
                        : have_exp ? (exp <= (long long)now ? 1 : exp)
                                   : 0;
    int n = snprintf(out, cap, "%s%s\t%s\t%s\t%s\t%lld\t%.*s\t%.*s", sub ? "." : "", dbuf,
                     sub ? "TRUE" : "FALSE", pbuf, secure ? "TRUE" : "FALSE", expires, (int)nl,
                     name, (int)vl, val);
    if (n < 0 || (size_t)n >= cap || n > COOKIE_MAX_LINE)
        return 1;
    cookie_line c;
    char why[8];
    return cookie_parse(out, (size_t)n, &c, why, sizeof(why)) == 0 ? 0 : 1;
}

/* c's domain and path are those of d, same name (the jar's key). */
static int same_cookie(const cookie_line *c, const cookie_line *d)
{
    char a[256], b[256];
    return cookie_domain_key(c, a, sizeof(a)) == 0 && cookie_domain_key(d, b, sizeof(b)) == 0 &&
           strcmp(a, b) == 0 && c->path_len == d->path_len &&
           memcmp(c->path, d->path, c->path_len) == 0 && c->name_len == d->name_len &&
           memcmp(c->name, d->name, c->name_len) == 0;
}

int jar_script_set(page_jar *j, const char *url, const char *s)
{
    char line[COOKIE_MAX_LINE + 1];
    if (jar_script_line(url, s, time(NULL), line, sizeof(line)) != 0)
        return 1;
    cookie_line c, d;
    char why[8];
    if (cookie_parse(line, strlen(line), &c, why, sizeof(why)) != 0)
        return 1;
    struct curl_slist *list = NULL;
    if (curl_easy_getinfo(j->h, CURLINFO_COOKIELIST, &list) != CURLE_OK)
        return -1;
    int httponly = 0, there = 0, n = 0;
    for (const struct curl_slist *l = list; l && !httponly; l = l->next, n++) {
        if (cookie_parse(l->data, strlen(l->data), &d, why, sizeof(why)) != 0 ||
            !same_cookie(&c, &d))
            continue;
        there = 1;
        httponly = d.httponly;
    }
    curl_slist_free_all(list);
    if (httponly)
        return 1; /* RFC 6265 5.3 step 11: not over an HttpOnly cookie */
    if (!there && n >= COOKIE_MAX_PER_JOB)
        return 1; /* the daemon would not keep it; a script's loop stays bounded */
    return curl_easy_setopt(j->h, CURLOPT_COOKIELIST, line) == CURLE_OK ? 0 : -1;
}

/* c goes with a request of a document at host and path (RFC 6265 5.4, with
 * curl's path rule: a cookie path's last '/' is not needed). */
static int script_sees(const cookie_line *c, const char *host, const char *path, size_t pl,
                       int https, time_t now)
{
    char d[256];
    if (c->httponly || (c->secure && !https) || (c->expires && c->expires <= (long long)now) ||
        cookie_domain_key(c, d, sizeof(d)) < 0)
        return 0;
    if (strcmp(host, d) != 0 && !(c->subdomains && domain_match(host, d)))
        return 0;
    size_t cl = c->path_len;
    if (cl > 1 && c->path[cl - 1] == '/')
        cl--;
    if (cl > pl || memcmp(c->path, path, cl) != 0)
        return 0;
    return cl == pl || cl == 1 || path[cl] == '/';
}

const char *jar_script_get(page_jar *j, const char *url)
{
    char host[256];
    struct curl_slist *list = NULL;
    if (cookie_url_host(url, host, sizeof(host)) < 0 ||
        curl_easy_getinfo(j->h, CURLINFO_COOKIELIST, &list) != CURLE_OK || !list) {
        curl_slist_free_all(list);
        return "";
    }
    const char *path;
    size_t pl;
    url_path(url, &path, &pl);
    int https = strncasecmp(url, "https:", 6) == 0;
    time_t now = time(NULL);
    size_t n = 0, bytes = 1;
    for (const struct curl_slist *l = list; l; l = l->next) {
        n++;
        bytes += strlen(l->data) + 2;
    }
    cookie_line *seen = alloc_new(n * sizeof(*seen));
    if (bytes > j->read_cap) {
        char *nb = alloc_resize(j->read, j->read_cap, bytes);
        if (nb) {
            j->read = nb;
            j->read_cap = bytes;
        }
    }
    char *out = bytes <= j->read_cap ? j->read : NULL, *q = out;
    size_t k = 0;
    char why[8];
    for (const struct curl_slist *l = list; seen && out && l; l = l->next) {
        cookie_line c;
        if (cookie_parse(l->data, strlen(l->data), &c, why, sizeof(why)) != 0 ||
            !script_sees(&c, host, path, pl, https, now))
            continue;
        size_t i = k++; /* longest path first, else in the jar's order */
        while (i > 0 && seen[i - 1].path_len < c.path_len) {
            seen[i] = seen[i - 1];
            i--;
        }
        seen[i] = c;
    }
    for (size_t i = 0; seen && out && i < k; i++) {
        if (i) {
            memcpy(q, "; ", 2);
            q += 2;
        }
        memcpy(q, seen[i].name, seen[i].name_len);
        q += seen[i].name_len;
        *q++ = '=';
        memcpy(q, seen[i].value, seen[i].value_len);
        q += seen[i].value_len;
    }
    if (out)
        *q = '\0';
    int ok = seen && out;
    alloc_free(seen, n * sizeof(*seen));
    curl_slist_free_all(list);
    return ok ? out : NULL;
}
