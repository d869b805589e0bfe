/* session — see session.h. */
#include "session.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* RFC 9110's tchar: what a header name may be made of. */
static int is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Headers crawld (or curl under it) writes itself: a second one would
 * contradict the request. */
static const struct {
    const char *name, *why;
} owned[] = {
    {"Host", "curl writes it from the URL (a different one would be another site)"},
    {"Content-Length", "curl writes it from the request body"},
    {"Transfer-Encoding", "curl decides the framing of the request"},
    {"Connection", "curl manages the connections"},
    {"Cookie", "the job's cookie jar sends cookies"},
    {"Authorization", "use --user or --bearer: they go to the seed's origin only, a --header "
                      "goes to every host"},
    {"Proxy-Authorization", "put the proxy's credentials in --proxy's URL"},
};

int session_header_check(const char *v, char *err, size_t errlen)
{
    size_t n = 0;
    while (is_tchar((unsigned char)v[n]))
        n++;
    if (n == 0 || v[n] != ':') {
        snprintf(err, errlen,
                 "--header: \"%.60s\" is not Name: value (a name of letters, digits and "
                 "!#$%%&'*+-.^_`|~, then a colon)",
                 v);
        return -1;
    }
    for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
        if (strlen(owned[i].name) == n && strncasecmp(v, owned[i].name, n) == 0) {
            snprintf(err, errlen, "--header: %s is not taken: %s", owned[i].name, owned[i].why);
            return -1;
        }
    const char *val = v + n + 1;
    while (*val == ' ' || *val == '\t')
        val++;
    if (!*val) {
        snprintf(err, errlen, "--header: %.*s has no value", (int)(n > 60 ? 60 : n), v);
        return -1;
    }
    for (const unsigned char *p = (const unsigned char *)val; *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
            snprintf(err, errlen,
                     "--header: the value of %.*s holds a control character (CR, LF or another)",
                     (int)(n > 60 ? 60 : n), v);
            return -1;
        }
    return 0;
}

/* No control character (CR and LF above all: a header line's end). */
static int plain_text(const char *v)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

int session_user_check(const char *v, char *err, size_t errlen)
{
    const char *colon = strchr(v, ':');
    if (!colon || colon == v) {
        snprintf(err, errlen, "--user: the value must be USER:PASSWORD (a user name, a colon)");
        return -1;
    }
    if (strlen(v) > SESSION_MAX_USER_LEN || !plain_text(v)) {
        snprintf(err, errlen,
                 "--user: the value must be at most %d bytes with no control character",
                 SESSION_MAX_USER_LEN);
        return -1;
    }
    return 0;
}

int session_bearer_check(const char *v, char *err, size_t errlen)
{
    /* RFC 6750's b64token: what an Authorization: Bearer value may be */
    size_t n = strlen(v);
    int ok = n > 0 && n <= SESSION_MAX_BEARER_LEN;
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             strchr("-._~+/=", c);
    }
    if (!ok) {
        snprintf(err, errlen,
                 "--bearer: the token must be 1..%d bytes of letters, digits and -._~+/=",
                 SESSION_MAX_BEARER_LEN);
        return -1;
    }
    return 0;
}

int session_proxy_check(const char *v, char *err, size_t errlen)
{
    const char *rest = NULL;
    if (strncasecmp(v, "http://", 7) == 0)
        rest = v + 7;
    else if (strncasecmp(v, "socks5h://", 10) == 0)
        rest = v + 10;
    if (!rest) {
        snprintf(err, errlen, "--proxy: the URL must start with http:// or socks5h://");
        return -1;
    }
    const char *at = strrchr(rest, '@');
    const char *host = at ? at + 1 : rest;
    if (strlen(v) > SESSION_MAX_PROXY_LEN || !plain_text(v) || !*host || *host == '/' ||
        *host == ':' || strchr(v, ' ')) {
        snprintf(err, errlen,
                 "--proxy: the URL must name a host, at most %d bytes, no space or control "
                 "character",
                 SESSION_MAX_PROXY_LEN);
        return -1;
    }
    return 0;
}

int session_header_secret(const char *name, size_t nlen, const char *names)
{
    static const char *const always[] = {"Authorization", "Proxy-Authorization"};
    for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
        if (strlen(always[i]) == nlen && strncasecmp(name, always[i], nlen) == 0)
            return 1;
    for (const char *l = names; l && *l;) {
        const char *colon = strchr(l, ':');
        const char *eol = strchr(l, '\n');
        if (!eol)
            eol = l + strlen(l);
        if (colon && colon < eol && (size_t)(colon - l) == nlen && strncasecmp(l, name, nlen) == 0)
            return 1;
        l = *eol ? eol + 1 : eol;
    }
    return 0;
}

size_t session_redact_block(const char *in, size_t n, const char *names, char *out, size_t cap)
{
    size_t w = 0;
#define EMIT(p, k)                                                                                 \
    do {                                                                                           \
        if (w + (k) <= cap)                                                                        \
            memcpy(out + w, (p), (k));                                                             \
        w += (k);                                                                                  \
    } while (0)
    for (size_t i = 0; i < n;) {
        const char *line = in + i;
        const char *nl = memchr(line, '\n', n - i);
        size_t len = nl ? (size_t)(nl - line) + 1 : n - i;
        size_t body = len;
        while (body > 0 && (line[body - 1] == '\n' || line[body - 1] == '\r'))
            body--;
        const char *colon = memchr(line, ':', body);
        /* the request line and the blank line have no name; a header's
         * name runs to its colon */
        if (i > 0 && colon && colon > line &&
            session_header_secret(line, (size_t)(colon - line), names)) {
            EMIT(line, (size_t)(colon - line) + 1);
            EMIT(" " SESSION_REDACTED, sizeof(SESSION_REDACTED));
            EMIT(line + body, len - body);
        } else {
            EMIT(line, len);
        }
        i += len;
    }
#undef EMIT
    return w;
}

const char *session_url_redacted(const char *url, char *out, size_t cap)
{
    const char *s = strstr(url, "://");
    const char *start = s ? s + 3 : url;
    const char *end = start + strcspn(start, "/?#");
    const char *at = NULL;
    for (const char *p = start; p < end; p++)
        if (*p == '@')
            at = p;
    if (!at)
        snprintf(out, cap, "%s", url);
    else
        snprintf(out, cap, "%.*s" SESSION_REDACTED "%s", (int)(start - url), url, at);
    return out;
}
