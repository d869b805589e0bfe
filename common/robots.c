/* robots — RFC 9309 parser and matcher; see robots.h for the rules.
 *
 * The body is scanned three times (find whether a group names us, count
 * what the selected groups keep, fill), so the object is one exact block
 * from the process allocator: one allocation to fail, nothing to grow. */
#include "robots.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

typedef struct prule {
    size_t off;     /* normalised pattern (NUL-terminated) in text */
    size_t len;     /* its octets, '*' and a final '$' included */
    size_t literal; /* path units it needs at least (its non-'*' units) */
    int allow;
} prule;

struct robots {
    size_t size;  /* bytes of this block; 0 for the static objects */
    int deny_all; /* the disallow-all object */
    long delay_ms;
    size_t nrules;
    prule *rules; /* precedence order */
    size_t nsitemaps;
    size_t *sitemaps; /* offsets of NUL-terminated values in text */
    char *text;
};

static robots ALLOW_ALL = {0, 0, -1, 0, NULL, 0, NULL, NULL};
static robots DENY_ALL = {0, 1, -1, 0, NULL, 0, NULL, NULL};

/* ---- octets ---- */

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n';
}

static int is_token_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}

static int hex_val(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int is_unreserved(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

static void encode(unsigned b, char u[3], size_t *ulen)
{
    static const char HEX[] = "0123456789ABCDEF";
    u[0] = '%';
    u[1] = HEX[b >> 4];
    u[2] = HEX[b & 15];
    *ulen = 3;
}

/* The path unit at s[i] (i < n) in normal form: 1 octet or "%XX" into u.
 * Returns how many octets of s it spans (1 or 3). */
static size_t path_unit(const char *s, size_t n, size_t i, char u[3], size_t *ulen)
{
    unsigned c = (unsigned char)s[i];
    if (c == '%' && i + 2 < n && hex_val((unsigned char)s[i + 1]) >= 0 &&
        hex_val((unsigned char)s[i + 2]) >= 0) {
        unsigned b =
            (unsigned)(hex_val((unsigned char)s[i + 1]) * 16 + hex_val((unsigned char)s[i + 2]));
        if (is_unreserved((int)b)) {
            u[0] = (char)b;
            *ulen = 1;
        } else {
            encode(b, u, ulen);
        }
        return 3;
    }
    if (c == '%' || c <= 0x20 || c >= 0x7F || c == '*' || c == '$') {
        encode(c, u, ulen);
        return 1;
    }
    u[0] = (char)c;
    *ulen = 1;
    return 1;
}

/* Normalises pattern v[0..n) (n > 0) into out (NULL: only measures).
 * Returns its length; *literal gets its non-'*' unit count. */
static size_t norm_pattern(const char *v, size_t n, char *out, size_t *literal)
{
    int anchored = v[n - 1] == '$';
    size_t end = anchored ? n - 1 : n;
    size_t o = 0, lit = 0;
    if (v[0] != '/' && v[0] != '*') {
        if (out)
            out[o] = '/';
        o++;
        lit++;
    }
    for (size_t i = 0; i < end;) {
        if (v[i] == '*') {
            if (out)
                out[o] = '*';
            o++;
            i++;
            continue;
        }
        char u[3];
        size_t ulen;
        i += path_unit(v, end, i, u, &ulen);
        if (out)
            memcpy(out + o, u, ulen);
        o += ulen;
        lit++;
    }
    if (anchored) {
        if (out)
            out[o] = '$';
        o++;
    }
    *literal = lit;
    return o;
}

/* ---- parsing ---- */

typedef enum pass { PASS_FIND, PASS_COUNT, PASS_FILL } pass;

typedef enum key {
    KEY_OTHER,
    KEY_USER_AGENT,
    KEY_ALLOW,
    KEY_DISALLOW,
    KEY_CRAWL_DELAY,
    KEY_SITEMAP
} key;

typedef struct pstate {
    pass pass;
    const char *tok; /* our product token */
    size_t tok_len;
    int specific;       /* COUNT/FILL: keep groups naming us (else "*" groups) */
    int ua_run;         /* the last group line was a user-agent line */
    int applies;        /* the current group is a selected one */
    int found_specific; /* FIND: some group names us */
    size_t nrules, nsitemaps, text_len;
    robots *r; /* FILL only */
} pstate;

static const struct {
    const char *name;
    key k;
} KEYS[] = {
    {"user-agent", KEY_USER_AGENT},   {"useragent", KEY_USER_AGENT},
    {"user agent", KEY_USER_AGENT},   {"allow", KEY_ALLOW},
    {"disallow", KEY_DISALLOW},       {"dissallow", KEY_DISALLOW},
    {"dissalow", KEY_DISALLOW},       {"disalow", KEY_DISALLOW},
    {"diasllow", KEY_DISALLOW},       {"disallaw", KEY_DISALLOW},
    {"crawl-delay", KEY_CRAWL_DELAY}, {"crawldelay", KEY_CRAWL_DELAY},
    {"crawl delay", KEY_CRAWL_DELAY}, {"sitemap", KEY_SITEMAP},
    {"site-map", KEY_SITEMAP},
};

static key classify(const char *k, size_t n)
{
    for (size_t i = 0; i < sizeof(KEYS) / sizeof(KEYS[0]); i++) {
        const char *name = KEYS[i].name;
        if (strlen(name) != n)
            continue;
        size_t j = 0;
        while (j < n && lower((unsigned char)k[j]) == name[j])
            j++;
        if (j == n)
            return KEYS[i].k;
    }
    return KEY_OTHER;
}

static size_t token_len(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && is_token_char((unsigned char)s[i]))
        i++;
    return i;
}

static int names_us(const pstate *st, const char *v, size_t n)
{
    size_t t = token_len(v, n);
    if (st->tok_len == 0 || t != st->tok_len)
        return 0;
    for (size_t i = 0; i < t; i++)
        if (lower((unsigned char)v[i]) != lower((unsigned char)st->tok[i]))
            return 0;
    return 1;
}

static int names_everyone(const char *v, size_t n)
{
    return n >= 1 && v[0] == '*' && (n == 1 || is_space((unsigned char)v[1]));
}

/* Crawl-delay value in ms, or -1 when it holds no number. */
static long parse_delay(const char *v, size_t n)
{
    long long ms = 0;
    int digits = 0, saturated = 0;
    size_t i = 0;
    for (; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
        digits = 1;
        ms = ms * 10 + (v[i] - '0');
        if (ms > ROBOTS_DELAY_SATURATE_MS / 1000)
            saturated = 1, ms = ROBOTS_DELAY_SATURATE_MS / 1000;
    }
    ms *= 1000;
    if (i < n && v[i] == '.') {
        long long scale = 100;
        for (i++; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
            digits = 1;
            ms += (v[i] - '0') * scale;
            scale /= 10;
        }
    }
    if (!digits)
        return -1;
    if (saturated || ms > ROBOTS_DELAY_SATURATE_MS)
        return ROBOTS_DELAY_SATURATE_MS;
    return (long)ms;
}

static void add_rule(pstate *st, int allow, const char *v, size_t n)
{
    size_t literal;
    robots *r = st->r;
    if (st->pass == PASS_FILL) {
        prule *rule = &r->rules[st->nrules];
        rule->off = st->text_len;
        rule->len = norm_pattern(v, n, r->text + st->text_len, &literal);
        rule->literal = literal;
        rule->allow = allow;
        r->text[st->text_len + rule->len] = '\0';
        st->text_len += rule->len + 1;
    } else {
        st->text_len += norm_pattern(v, n, NULL, &literal) + 1;
    }
    st->nrules++;
}

static void add_sitemap(pstate *st, const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7F)
            return;
    if (st->pass == PASS_FILL) {
        st->r->sitemaps[st->nsitemaps] = st->text_len;
        memcpy(st->r->text + st->text_len, v, n);
        st->r->text[st->text_len + n] = '\0';
    }
    st->text_len += n + 1;
    st->nsitemaps++;
}

static void handle_line(pstate *st, const char *line, size_t n)
{
    const char *hash = memchr(line, '#', n);
    if (hash)
        n = (size_t)(hash - line);
    const char *colon = memchr(line, ':', n);
    if (!colon)
        return;
    const char *k = line, *kend = colon;
    while (k < kend && is_space((unsigned char)*k))
        k++;
    while (kend > k && is_space((unsigned char)kend[-1]))
        kend--;
    const char *v = colon + 1, *vend = line + n;
    while (v < vend && is_space((unsigned char)*v))
        v++;
    while (vend > v && is_space((unsigned char)vend[-1]))
        vend--;
    size_t vn = (size_t)(vend - v);

    key kind = classify(k, (size_t)(kend - k));
    switch (kind) {
    case KEY_USER_AGENT:
        if (!st->ua_run) {
            st->ua_run = 1;
            st->applies = 0;
        }
        if (names_everyone(v, vn)) {
            if (!st->specific)
                st->applies = 1;
        } else if (names_us(st, v, vn)) {
            st->found_specific = 1;
            if (st->specific)
                st->applies = 1;
        }
        break;
    case KEY_ALLOW:
    case KEY_DISALLOW:
        st->ua_run = 0;
        if (st->applies && vn > 0 && st->pass != PASS_FIND)
            add_rule(st, kind == KEY_ALLOW, v, vn);
        break;
    case KEY_CRAWL_DELAY:
        st->ua_run = 0;
        if (st->applies && st->pass == PASS_FILL) {
            long d = parse_delay(v, vn);
            if (d > st->r->delay_ms)
                st->r->delay_ms = d;
        }
        break;
    case KEY_SITEMAP:
        if (vn > 0 && st->pass != PASS_FIND)
            add_sitemap(st, v, vn);
        break;
    case KEY_OTHER:
        break;
    }
}

static void scan(pstate *st, const char *body, size_t len)
{
    size_t n = len < ROBOTS_MAX_BYTES ? len : ROBOTS_MAX_BYTES;
    int drop_cut = len > ROBOTS_MAX_BYTES && body[n] != '\n' && body[n] != '\r';
    size_t i = 0;
    if (n >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    st->ua_run = 0;
    st->applies = 0;
    while (i < n) {
        size_t start = i;
        while (i < n && body[i] != '\n' && body[i] != '\r')
            i++;
        if (i == n && drop_cut)
            break;
        if (i - start <= ROBOTS_MAX_LINE)
            handle_line(st, body + start, i - start);
        if (i < n && body[i] == '\r' && i + 1 < n && body[i + 1] == '\n')
            i++;
        i++;
    }
}

static int rule_order(const void *a, const void *b)
{
    const prule *x = a, *y = b;
    if (x->len != y->len)
        return x->len > y->len ? -1 : 1;
    if (x->allow != y->allow)
        return x->allow ? -1 : 1;
    return x->off < y->off ? -1 : x->off > y->off;
}

robots *robots_parse(const char *body, size_t len, const char *agent)
{
    if (!body)
        len = 0;
    pstate st = {0};
    st.pass = PASS_FIND;
    if (agent) {
        while (is_space((unsigned char)*agent))
            agent++;
        st.tok = agent;
        st.tok_len = token_len(agent, strlen(agent));
    }
    scan(&st, body, len);

    st.specific = st.found_specific;
    st.pass = PASS_COUNT;
    scan(&st, body, len);

    size_t head = sizeof(robots);
    size_t rules_bytes = st.nrules * sizeof(prule);
    size_t maps_bytes = st.nsitemaps * sizeof(size_t);
    size_t size = head + rules_bytes + maps_bytes + st.text_len;
    robots *r = alloc_new(size);
    if (!r)
        return NULL;
    memset(r, 0, sizeof(*r));
    r->size = size;
    r->delay_ms = -1;
    r->rules = (prule *)((char *)r + head);
    r->sitemaps = (size_t *)((char *)r->rules + rules_bytes);
    r->text = (char *)r->sitemaps + maps_bytes;

    size_t nrules = st.nrules, nsitemaps = st.nsitemaps;
    st.pass = PASS_FILL;
    st.r = r;
    st.nrules = st.nsitemaps = st.text_len = 0;
    scan(&st, body, len);
    r->nrules = nrules;
    r->nsitemaps = nsitemaps;
    qsort(r->rules, r->nrules, sizeof(prule), rule_order);
    return r;
}

robots *robots_allow_all(void) { return &ALLOW_ALL; }
robots *robots_disallow_all(void) { return &DENY_ALL; }

int robots_unreadable(long status, int fetch_failed)
{
    /* 429 is the host asking us to back off: read as a server error. */
    return fetch_failed || status == 429 || status < 200 || status > 499;
}

robots *robots_from_response(long status, const char *body, size_t len, const char *agent)
{
    if (robots_unreadable(status, 0))
        return robots_disallow_all();
    if (status >= 200 && status <= 299)
        return robots_parse(body, len, agent);
    return robots_allow_all(); /* 3xx past the redirects we follow, 4xx */
}

/* ---- matching ---- */

/* Greedy wildcard matching on normal-form units: on a mismatch only the
 * last '*' is retried one unit further on, which is enough when '*' is the
 * only wildcard, so the cost is O(path × pattern), never exponential.
 * Each step spends one unit of *budget: 1 match, 0 no match, -1 spent. */
static int rule_matches(const char *pat, size_t plen, const char *path, size_t n, size_t *budget)
{
    int anchored = pat[plen - 1] == '$';
    size_t qend = anchored ? plen - 1 : plen;
    size_t p = 0, q = 0, star_q = SIZE_MAX, star_p = 0;
    char u[3];
    size_t ulen;
    for (;;) {
        if (*budget == 0)
            return -1;
        --*budget;
        if (q == qend && (!anchored || p == n))
            return 1;
        if (q < qend && pat[q] == '*') {
            star_q = ++q;
            star_p = p;
            continue;
        }
        if (p < n && q < qend) {
            size_t raw = path_unit(path, n, p, u, &ulen);
            size_t ql = pat[q] == '%' ? 3 : 1;
            if (ql == ulen && memcmp(pat + q, u, ulen) == 0) {
                p += raw;
                q += ql;
                continue;
            }
        }
        if (star_q == SIZE_MAX || star_p >= n)
            return 0;
        star_p += path_unit(path, n, star_p, u, &ulen);
        p = star_p;
        q = star_q;
    }
}

int robots_allowed(const robots *r, const char *path)
{
    if (!r)
        return 0;
    if (!path || !*path)
        path = "/";
    if (strncmp(path, "/robots.txt", 11) == 0 && (path[11] == '\0' || path[11] == '?'))
        return 1;
    if (r->deny_all)
        return 0;
    if (r->nrules == 0)
        return 1;
    size_t n = strlen(path), units = 0;
    char u[3];
    size_t ulen;
    for (size_t i = 0; i < n; units++)
        i += path_unit(path, n, i, u, &ulen);
    size_t budget = ROBOTS_MATCH_BUDGET;
    for (size_t i = 0; i < r->nrules; i++) {
        const prule *rule = &r->rules[i];
        if (rule->literal > units)
            continue;
        int m = rule_matches(r->text + rule->off, rule->len, path, n, &budget);
        if (m < 0)
            return 0;
        if (m)
            return rule->allow;
    }
    return 1;
}

long robots_crawl_delay_ms(const robots *r) { return r ? r->delay_ms : -1; }

size_t robots_rule_count(const robots *r) { return r ? r->nrules : 0; }

const char *robots_rule(const robots *r, size_t i, int *allow)
{
    if (!r || i >= r->nrules)
        return NULL;
    if (allow)
        *allow = r->rules[i].allow;
    return r->text + r->rules[i].off;
}

size_t robots_sitemap_count(const robots *r) { return r ? r->nsitemaps : 0; }

const char *robots_sitemap(const robots *r, size_t i)
{
    if (!r || i >= r->nsitemaps)
        return NULL;
    return r->text + r->sitemaps[i];
}

size_t robots_size(const robots *r) { return r ? r->size : 0; }

void robots_free(robots *r)
{
    if (!r || r->size == 0)
        return;
    alloc_free(r, r->size);
}
