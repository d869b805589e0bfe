/* fieldspec — see fieldspec.h. */
#include "fieldspec.h"
#include "selector.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* NAME: [A-Za-z_][A-Za-z0-9_-]*, at most FIELDSPEC_MAX_NAME bytes. */
static bool name_ok(const char *s, size_t n)
{
    if (n == 0 || n > FIELDSPEC_MAX_NAME || !(is_alpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(is_alpha(c) || is_digit(c) || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* @attr: [A-Za-z_:][A-Za-z0-9_:.-]*, at most FIELDSPEC_MAX_ATTR bytes (the
 * attribute names HTML pages use, data-* and xlink:href included). */
static bool attr_ok(const char *s, size_t n)
{
    if (n == 0 || n > FIELDSPEC_MAX_ATTR ||
        !(is_alpha((unsigned char)s[0]) || s[0] == '_' || s[0] == ':'))
        return false;
    for (size_t i = 1; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(is_alpha(c) || is_digit(c) || c == '_' || c == ':' || c == '.' || c == '-'))
            return false;
    }
    return true;
}

/* The offset of the first '@' in sel[0..n) outside quotes, [...] and
 * (...), escapes skipped; n when there is none. */
static size_t attr_at(const char *sel, size_t n)
{
    char quote = 0;
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        char c = sel[i];
        if (c == '\\') {
            i++;
            continue;
        }
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '[' || c == '(') {
            depth++;
        } else if ((c == ']' || c == ')') && depth > 0) {
            depth--;
        } else if (c == '@' && depth == 0) {
            return i;
        }
    }
    return n;
}

int fieldspec_parse(arena *a, const char *spec, fieldspec *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    size_t len = strlen(spec);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)spec[i] < 0x20 || spec[i] == 0x7f) {
            snprintf(err, errlen, "\"%.80s\": a control character at byte %zu", spec, i);
            return -1;
        }
    const char *eq = strchr(spec, '=');
    if (!eq) {
        snprintf(err, errlen, "\"%.80s\" is not NAME=SELECTOR[@attr] (no \"=\")", spec);
        return -1;
    }
    size_t nlen = (size_t)(eq - spec);
    if (nlen == 0) {
        snprintf(err, errlen, "\"%.80s\": the name before \"=\" is empty", spec);
        return -1;
    }
    if (!name_ok(spec, nlen)) {
        snprintf(err, errlen, "name \"%.*s\" is not [A-Za-z_][A-Za-z0-9_-]* of at most %d bytes",
                 (int)(nlen > 80 ? 80 : nlen), spec, FIELDSPEC_MAX_NAME);
        return -1;
    }
    const char *rest = eq + 1;
    size_t slen = strlen(rest), at = attr_at(rest, slen);
    size_t sel_len = at;
    while (sel_len > 0 && (rest[sel_len - 1] == ' ' || rest[sel_len - 1] == '\t'))
        sel_len--;
    size_t lead = 0;
    while (lead < sel_len && (rest[lead] == ' ' || rest[lead] == '\t'))
        lead++;
    if (lead == sel_len) {
        snprintf(err, errlen, "%.*s: the selector is empty", (int)nlen, spec);
        return -1;
    }
    out->name = arena_strndup(a, spec, nlen);
    out->selector = arena_strndup(a, rest + lead, sel_len - lead);
    if (!out->name || !out->selector)
        goto nomem;
    if (at < slen) {
        const char *attr = rest + at + 1;
        size_t alen = slen - at - 1;
        if (alen == 0) {
            snprintf(err, errlen, "%.*s: the attribute after \"@\" is empty", (int)nlen, spec);
            return -1;
        }
        if (!attr_ok(attr, alen)) {
            snprintf(err, errlen,
                     "%.*s: attribute \"%.80s\" is not [A-Za-z_:][A-Za-z0-9_:.-]* of at most %d "
                     "bytes",
                     (int)nlen, spec, attr, FIELDSPEC_MAX_ATTR);
            return -1;
        }
        char *lower = arena_strndup(a, attr, alen);
        if (!lower)
            goto nomem;
        for (char *c = lower; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c + 32);
        out->attr = lower;
    }
    sel s;
    size_t stop = 0;
    sel_err se = sel_parse(a, out->selector, &s, &stop);
    if (se == SEL_ERR_NOMEM)
        goto nomem;
    if (se) {
        snprintf(err, errlen, "%.*s: selector \"%.200s\" does not parse at byte %zu", (int)nlen,
                 spec, out->selector, stop);
        return -1;
    }
    return 0;
nomem:
    snprintf(err, errlen, "out of memory");
    return -1;
}

int fieldspec_check(const char *spec, char *err, size_t errlen)
{
    arena a;
    arena_init(&a, 0);
    fieldspec f;
    int rc = fieldspec_parse(&a, spec, &f, err, errlen);
    arena_release(&a);
    return rc;
}

int fieldspec_list_check(const json_t *specs, char *err, size_t errlen)
{
    size_t n = json_array_size(specs);
    for (size_t i = 1; i < n; i++) {
        const char *s = json_string_value(json_array_get(specs, i));
        size_t sn = s ? strcspn(s, "=") : 0;
        for (size_t k = 0; s && k < i; k++) {
            const char *t = json_string_value(json_array_get(specs, k));
            if (t && strcspn(t, "=") == sn && memcmp(s, t, sn) == 0) {
                snprintf(err, errlen, "name \"%.*s\" is given twice (values %zu and %zu)",
                         (int)(sn > 80 ? 80 : sn), s, k, i);
                return -1;
            }
        }
    }
    return 0;
}
