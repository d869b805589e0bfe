/* jsonv — see jsonv.h. Recursive descent; the depth limit bounds the
 * recursion. */
#include "jsonv.h"
#include "utf8.h"

#include <string.h>

typedef struct jv {
    const unsigned char *p, *end;
    int depth, max;
} jv;

static int value(jv *v);

static void ws(jv *v)
{
    while (v->p < v->end && (*v->p == ' ' || *v->p == '\t'))
        v->p++;
}

static int literal(jv *v, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(v->end - v->p) < n || memcmp(v->p, w, n) != 0)
        return 0;
    v->p += n;
    return 1;
}

static int is_hex(unsigned c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The value of the \uXXXX escape at p, or 0x10000 when it is not one. */
static unsigned hex4(const unsigned char *p, const unsigned char *end)
{
    if (end - p < 6)
        return 0x10000;
    unsigned u = 0;
    for (int i = 2; i < 6; i++) {
        unsigned c = p[i];
        if (!is_hex(c))
            return 0x10000;
        u = u << 4 | (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return u;
}

/* At the opening quote. */
static int string(jv *v)
{
    v->p++;
    while (v->p < v->end) {
        unsigned c = *v->p;
        if (c == '"') {
            v->p++;
            return 1;
        }
        if (c < 0x20)
            return 0;
        if (c == '\\') {
            if (v->end - v->p < 2)
                return 0;
            c = v->p[1];
            if (c == 'u') {
                /* A surrogate escape must be a high one followed by a low
                 * one (as jansson, which made our records, requires). */
                unsigned u = hex4(v->p, v->end);
                if (u > 0xffff || (u >= 0xdc00 && u <= 0xdfff))
                    return 0;
                v->p += 6;
                if (u >= 0xd800 && u <= 0xdbff) {
                    if (v->end - v->p < 2 || v->p[0] != '\\' || v->p[1] != 'u')
                        return 0;
                    u = hex4(v->p, v->end);
                    if (u < 0xdc00 || u > 0xdfff)
                        return 0;
                    v->p += 6;
                }
            } else if (c && strchr("\"\\/bfnrt", (int)c)) {
                v->p += 2;
            } else
                return 0;
            continue;
        }
        if (c < 0x80) {
            v->p++;
            continue;
        }
        size_t n = utf8_seq_len(v->p, v->end);
        if (!n)
            return 0;
        v->p += n;
    }
    return 0;
}

static int digits(jv *v)
{
    const unsigned char *s = v->p;
    while (v->p < v->end && *v->p >= '0' && *v->p <= '9')
        v->p++;
    return v->p > s;
}

static int number(jv *v)
{
    if (v->p < v->end && *v->p == '-')
        v->p++;
    if (v->p < v->end && *v->p == '0')
        v->p++;
    else if (!(v->p < v->end && *v->p >= '1' && *v->p <= '9') || !digits(v))
        return 0;
    if (v->p < v->end && *v->p == '.') {
        v->p++;
        if (!digits(v))
            return 0;
    }
    if (v->p < v->end && (*v->p == 'e' || *v->p == 'E')) {
        v->p++;
        if (v->p < v->end && (*v->p == '+' || *v->p == '-'))
            v->p++;
        if (!digits(v))
            return 0;
    }
    return 1;
}

/* At '{' or '['. */
static int container(jv *v)
{
    unsigned char close = *v->p == '{' ? '}' : ']';
    if (++v->depth > v->max)
        return 0;
    v->p++;
    ws(v);
    if (v->p < v->end && *v->p == close) {
        v->p++;
        v->depth--;
        return 1;
    }
    for (;;) {
        if (close == '}') {
            ws(v);
            if (v->p >= v->end || *v->p != '"' || !string(v))
                return 0;
            ws(v);
            if (v->p >= v->end || *v->p != ':')
                return 0;
            v->p++;
        }
        if (!value(v))
            return 0;
        ws(v);
        if (v->p >= v->end)
            return 0;
        if (*v->p == ',') {
            v->p++;
            continue;
        }
        if (*v->p != close)
            return 0;
        v->p++;
        v->depth--;
        return 1;
    }
}

static int value(jv *v)
{
    ws(v);
    if (v->p >= v->end)
        return 0;
    switch (*v->p) {
    case '{':
    case '[':
        return container(v);
    case '"':
        return string(v);
    case 't':
        return literal(v, "true");
    case 'f':
        return literal(v, "false");
    case 'n':
        return literal(v, "null");
    default:
        return number(v);
    }
}

int jsonv_valid_object_line(const char *s, size_t len, int max_depth)
{
    jv v = {(const unsigned char *)s, (const unsigned char *)s + len, 0, max_depth};
    ws(&v);
    if (v.p >= v.end || *v.p != '{' || !container(&v))
        return 0;
    ws(&v);
    return v.p == v.end;
}
