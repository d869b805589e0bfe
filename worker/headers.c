/* headers — see headers.h. */
#include "headers.h"
#include "ascii.h"
#include "url.h"

#include <stdbool.h>
#include <string.h>

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* s[0..n) equals lit, ASCII case-insensitively (ascii.h: no locale). */
static bool eq_ci(const char *s, size_t n, const char *lit)
{
    return ascii_eq_n(s, n, lit, strlen(lit));
}

/* Directives that carry a value after a colon: a value starting with one
 * of them names no crawler. */
static bool valued_directive(const char *s, size_t n)
{
    static const char *const names[] = {"unavailable_after", "max-snippet", "max-image-preview",
                                        "max-video-preview"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (eq_ci(s, n, names[i]))
            return true;
    return false;
}

void headers_x_robots(const char *value, const char *agent, int *noindex, int *nofollow)
{
    if (!value)
        return;
    const char *p = value;
    while (is_ws(*p))
        p++;
    /* "NAME: directives": the name is one token before the first ':',
     * with no ',' or blank in it. */
    size_t tok = strcspn(p, ":, \t\r\n");
    if (p[tok] == ':' && tok > 0 && !valued_directive(p, tok)) {
        if (!agent || !eq_ci(p, tok, agent))
            return;
        p += tok + 1;
    }
    while (*p) {
        while (is_ws(*p) || *p == ',')
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > start && is_ws(end[-1]))
            end--;
        size_t n = (size_t)(end - start);
        if (eq_ci(start, n, "noindex"))
            *noindex = 1;
        else if (eq_ci(start, n, "nofollow"))
            *nofollow = 1;
        else if (eq_ci(start, n, "none"))
            *noindex = *nofollow = 1;
    }
}

/* Whether the rel value v[0..n) (quotes already taken off) lists
 * "canonical". */
static bool rel_has_canonical(const char *v, size_t n)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && is_ws(v[i]))
            i++;
        size_t s = i;
        while (i < n && !is_ws(v[i]))
            i++;
        if (i > s && eq_ci(v + s, i - s, "canonical"))
            return true;
    }
    return false;
}

const char *headers_link_canonical(arena *a, const char *value, const char *base)
{
    const char *p = value;
    while (p && *p) {
        while (is_ws(*p) || *p == ',')
            p++;
        if (*p != '<')
            return NULL; /* not a link-value: give up rather than guess */
        const char *uri = p + 1, *gt = strchr(uri, '>');
        if (!gt)
            return NULL;
        size_t uri_len = (size_t)(gt - uri);
        p = gt + 1;
        bool canonical = false;
        /* Parameters up to the ',' that ends this link-value (not one in
         * quotes). */
        while (*p && *p != ',') {
            while (is_ws(*p) || *p == ';')
                p++;
            const char *name = p;
            while (*p && *p != '=' && *p != ';' && *p != ',' && !is_ws(*p))
                p++;
            size_t name_len = (size_t)(p - name);
            while (is_ws(*p))
                p++;
            const char *v = NULL;
            size_t v_len = 0;
            if (*p == '=') {
                p++;
                while (is_ws(*p))
                    p++;
                if (*p == '"') {
                    v = ++p;
                    while (*p && *p != '"')
                        p += p[0] == '\\' && p[1] ? 2 : 1;
                    v_len = (size_t)(p - v);
                    if (*p == '"')
                        p++;
                } else {
                    v = p;
                    while (*p && *p != ';' && *p != ',' && !is_ws(*p))
                        p++;
                    v_len = (size_t)(p - v);
                }
            }
            if (v && eq_ci(name, name_len, "rel") && rel_has_canonical(v, v_len))
                canonical = true;
            while (is_ws(*p))
                p++;
            if (*p && *p != ';' && *p != ',')
                p++; /* a stray byte: step over it */
        }
        if (canonical) {
            char *ref = arena_strndup(a, uri, uri_len), *out = NULL;
            if (!ref || url_resolve(a, base, ref, &out) != URL_OK)
                return NULL;
            return out;
        }
    }
    return NULL;
}
