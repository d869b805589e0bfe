/* libFuzzer target: robots_parse on arbitrary bytes, then robots_allowed on
 * paths taken from the input.
 *
 * Byte 0 picks the product token we parse for; the rest is the body. Paths
 * matched: a fixed few, the value of every line after its first ':' (so a
 * pattern is tried against its own text), and the last line whole.
 * Invariants: a second parse of the same body is the same object (rules,
 * sitemaps, delay, answers); rules are normalised (start with '/' or '*',
 * no octet <= 0x20) and in precedence order; "/robots.txt" is always
 * allowed; when the first (longest) rule is a literal path, matching that
 * path gives that rule's answer. */
#include "alloc.h"
#include "robots.h"

#include "fuzz_check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATHS 24
#define PATH_CAP 512

static const char *const AGENTS[8] = {"crawld", "crawld/1.0", NULL,           "",
                                      "*",      "Googlebot",  "  crawld-bot", "x"};
static const char *const FIXED[] = {"/",        "",           "/robots.txt", "/robots.txt?x=1",
                                    "/a/b?c=d", "/%7Ea/%2fb", "/*$"};

static void check_same(const robots *a, const robots *b)
{
    if (robots_rule_count(a) != robots_rule_count(b) ||
        robots_sitemap_count(a) != robots_sitemap_count(b) ||
        robots_crawl_delay_ms(a) != robots_crawl_delay_ms(b) || robots_size(a) != robots_size(b))
        abort();
    for (size_t i = 0; i < robots_rule_count(a); i++) {
        int x, y;
        if (strcmp(robots_rule(a, i, &x), robots_rule(b, i, &y)) != 0 || x != y)
            abort();
    }
    for (size_t i = 0; i < robots_sitemap_count(a); i++)
        if (strcmp(robots_sitemap(a, i), robots_sitemap(b, i)) != 0)
            abort();
}

static void check_rules(const robots *r)
{
    size_t prev = SIZE_MAX;
    int prev_allow = 1;
    for (size_t i = 0; i < robots_rule_count(r); i++) {
        int allow;
        const char *p = robots_rule(r, i, &allow);
        size_t n = strlen(p);
        if (n == 0 || (p[0] != '/' && p[0] != '*'))
            abort();
        for (size_t j = 0; j < n; j++)
            if ((unsigned char)p[j] <= 0x20 || (unsigned char)p[j] >= 0x7f)
                abort();
        /* Longest first; on a tie Allow first. */
        if (n > prev || (n == prev && allow && !prev_allow))
            abort();
        prev = n;
        prev_allow = allow;
    }
    if (robots_crawl_delay_ms(r) < -1)
        abort();
}

/* The first rule is the longest (Allow first on a tie). When it is a
 * literal path (no '*' or '$'), that path matches it, so it decides. */
static void check_first_rule_decides(const robots *r)
{
    if (robots_rule_count(r) == 0)
        return;
    int allow;
    const char *p = robots_rule(r, 0, &allow);
    if (strpbrk(p, "*$") || strncmp(p, "/robots.txt", 11) == 0)
        return;
    if (robots_allowed(r, p) != allow)
        FUZZ_FAIL("rule 0 \"%s\" (%s) does not decide its own path", p,
                  allow ? "allow" : "disallow");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *agent = AGENTS[data[0] & 7];
    const char *body = (const char *)data + 1;
    size_t len = size - 1;

    /* Paths: fixed ones, each line's value, the last line. */
    static char store[MAX_PATHS][PATH_CAP + 1];
    const char *paths[MAX_PATHS + sizeof(FIXED) / sizeof(FIXED[0])];
    size_t np = 0, ns = 0;
    for (size_t i = 0; i < sizeof(FIXED) / sizeof(FIXED[0]); i++)
        paths[np++] = FIXED[i];
    size_t start = 0;
    for (size_t i = 0; i <= len && ns < MAX_PATHS; i++) {
        if (i < len && body[i] != '\n')
            continue;
        const char *line = body + start;
        size_t ln = i - start;
        const char *colon = memchr(line, ':', ln);
        const char *v = colon ? colon + 1 : line;
        size_t vn = ln - (size_t)(v - line);
        while (vn && (*v == ' ' || *v == '\t'))
            v++, vn--;
        if (vn > PATH_CAP)
            vn = PATH_CAP;
        memcpy(store[ns], v, vn);
        store[ns][vn] = '\0'; /* a NUL inside cuts it: paths are C strings */
        paths[np++] = store[ns++];
        start = i + 1;
    }

    robots *r1 = robots_parse(body, len, agent);
    robots *r2 = robots_parse(body, len, agent);
    if (!r1 || !r2)
        abort();
    check_same(r1, r2);
    check_rules(r1);
    check_first_rule_decides(r1);
    for (size_t i = 0; i < np; i++) {
        int a = robots_allowed(r1, paths[i]);
        if (a != 0 && a != 1)
            abort();
        if (robots_allowed(r2, paths[i]) != a || robots_allowed(r1, paths[i]) != a)
            abort();
    }
    if (!robots_allowed(r1, "/robots.txt"))
        abort();
    robots_free(r2);
    robots_free(r1);

    /* The status policy: the static objects for anything but 2xx. */
    robots *s = robots_from_response(503, body, len, agent);
    if (s != robots_disallow_all() || robots_allowed(s, "/") != 0)
        abort();
    robots_free(s);
    s = robots_from_response(404, body, len, agent);
    if (s != robots_allow_all() || robots_allowed(s, "/") != 1)
        abort();
    robots_free(s);
    return 0;
}
