/* scope — crawl-scope rules: kind, limits, trap guard (see scope.h).
 *
 * URLs are taken apart in place (views into the string), so scope_check
 * never allocates; the only copies are one host on the stack for libpsl,
 * which wants a NUL-terminated name. */
#include "scope.h"

#include <arpa/inet.h>
#include <libpsl.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "alloc.h"
#include "url.h"

#define HOST_BUF 1024 /* longest host looked up in the PSL; longer ones have no domain */
#define TABLE_MIN_SLOTS 1024

/* Views into a normalised http(s) URL. */
typedef struct parts {
    const char *host;
    size_t host_len;
    const char *port; /* NULL: the scheme's default port */
    size_t port_len;
    const char *path; /* after the authority, up to '?', '#' or the end */
    size_t path_len;
    const char *query; /* after '?', up to '#'; NULL when there is none */
    size_t query_len;
} parts;

typedef struct seed {
    char *url; /* normalised; parts point into it */
    parts p;
    size_t prefix_len; /* p.path bytes up to and including the last '/' */
    char *domain;      /* registrable domain, NULL when none (IP, localhost…) */
} seed;

typedef struct slot {
    uint64_t key; /* 0: empty */
    uint64_t count;
} slot;

struct scope {
    scope_kind kind;
    scope_opts o;
    seed *seeds;
    size_t nseeds;
    bool have_re;
    regex_t re;
    const psl_ctx_t *psl;
    psl_ctx_t *psl_owned; /* psl_latest's, when there is no built-in list */
    uint64_t hash_seed;
    slot *table;
    size_t slots;       /* power of two, 0 before the first note */
    size_t used;        /* paths tracked */
    size_t pages;       /* URLs scope_admit let in */
    regex_t *filter[2]; /* [0] exclude, [1] include: SCOPE_MAX_FILTERS each, made
                         * on the first pattern of the kind; NULL before */
    size_t nfilter[2];
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

void scope_opts_init(scope_opts *o)
{
    o->max_depth = 3;
    o->max_pages = 1000;
    o->max_url_len = 2048;
    o->max_path_segments = 64;
    o->max_repeat_segments = 3;
    o->max_query_params = 32;
    o->max_query_len = 1024;
    o->max_query_variants = 1000;
    o->max_tracked_paths = 65536;
}

/* 0 with p filled, -1 when url is not http(s)://host…. */
static int split(const char *url, parts *p)
{
    const char *a;
    const char *defport;
    if (!strncasecmp(url, "http://", 7)) {
        a = url + 7;
        defport = "80";
    } else if (!strncasecmp(url, "https://", 8)) {
        a = url + 8;
        defport = "443";
    } else {
        return -1;
    }
    size_t alen = strcspn(a, "/?#");
    const char *aend = a + alen;
    const char *at = memrchr(a, '@', alen);
    if (at)
        a = at + 1;
    const char *colon;
    if (a < aend && *a == '[') {
        const char *close = memchr(a, ']', (size_t)(aend - a));
        if (!close)
            return -1;
        p->host = a;
        p->host_len = (size_t)(close + 1 - a);
        colon = close + 1 < aend && close[1] == ':' ? close + 1 : NULL;
    } else {
        colon = memchr(a, ':', (size_t)(aend - a));
        p->host = a;
        p->host_len = (size_t)((colon ? colon : aend) - a);
    }
    if (p->host_len == 0)
        return -1;
    p->port = NULL;
    p->port_len = 0;
    if (colon && colon + 1 < aend) {
        size_t n = (size_t)(aend - colon - 1);
        if (!(n == strlen(defport) && !memcmp(colon + 1, defport, n))) {
            p->port = colon + 1;
            p->port_len = n;
        }
    }
    p->path = aend;
    p->path_len = strcspn(aend, "?#");
    const char *q = aend + p->path_len;
    if (*q == '?') {
        p->query = q + 1;
        p->query_len = strcspn(q + 1, "#");
    } else {
        p->query = NULL;
        p->query_len = 0;
    }
    return 0;
}

static bool same_site(const parts *a, const parts *b)
{
    return a->host_len == b->host_len && !strncasecmp(a->host, b->host, a->host_len) &&
           a->port_len == b->port_len &&
           (a->port_len == 0 || !memcmp(a->port, b->port, a->port_len));
}

/* The registrable domain of host (a pointer into buf or into libpsl's
 * answer about buf), or NULL for an IP address, a name with no registrable
 * domain, or one too long for buf. */
static const char *reg_domain(const psl_ctx_t *psl, const char *host, size_t len, char *buf,
                              size_t cap)
{
    if (!psl || len == 0 || host[0] == '[')
        return NULL;
    if (host[len - 1] == '.')
        len--; /* "example.com." is example.com */
    if (len == 0 || len >= cap)
        return NULL;
    for (size_t i = 0; i < len; i++)
        buf[i] = (host[i] >= 'A' && host[i] <= 'Z') ? (char)(host[i] - 'A' + 'a') : host[i];
    buf[len] = '\0';
    /* An all-digit last label is an IPv4 address in some spelling; libpsl
     * would call 127.0.0.1's domain "0.1". */
    const char *last = strrchr(buf, '.');
    last = last ? last + 1 : buf;
    if (*last && strspn(last, "0123456789") == strlen(last))
        return NULL;
    struct in_addr a4;
    if (inet_pton(AF_INET, buf, &a4) == 1)
        return NULL;
    return psl_registrable_domain(psl, buf);
}

/* A POSIX ERE (REG_NOSUB) into *out: 0, or -1 with err "PREFIXregex: what
 * regerror says in \"RE\"" (nothing held: a failed regcomp keeps nothing). The
 * scope's regex: and the --exclude/--include filters. */
static int compile_ere(const char *prefix, const char *re, regex_t *out, char *err, size_t errlen)
{
    int rc = regcomp(out, re, REG_EXTENDED | REG_NOSUB);
    if (rc == 0)
        return 0;
    char msg[256];
    regerror(rc, out, msg, sizeof msg);
    set_err(err, errlen, "%sregex: %s in \"%.200s\"", prefix, msg, re);
    return -1;
}

/* Parses spec into *kind; compiles the regex into re when kind is regex
 * (the caller regfree()s it). 0, or -1 with err set. */
static int parse_spec(const char *spec, scope_kind *kind, regex_t *re, char *err, size_t errlen)
{
    if (!spec)
        spec = "host";
    if (!strcmp(spec, "host")) {
        *kind = SCOPE_HOST;
    } else if (!strcmp(spec, "domain")) {
        *kind = SCOPE_DOMAIN;
    } else if (!strcmp(spec, "prefix")) {
        *kind = SCOPE_PREFIX;
    } else if (!strncmp(spec, "regex:", 6)) {
        const char *rx = spec + 6;
        if (*rx == '\0') {
            set_err(err, errlen, "scope: regex: empty expression");
            return -1;
        }
        if (compile_ere("scope: ", rx, re, err, errlen) < 0)
            return -1;
        *kind = SCOPE_REGEX;
    } else {
        set_err(err, errlen,
                "scope: unknown kind \"%.64s\" (want host, domain, prefix or regex:RE)", spec);
        return -1;
    }
    return 0;
}

int scope_spec_check(const char *spec, char *err, size_t errlen)
{
    scope_kind k;
    regex_t re;
    if (parse_spec(spec, &k, &re, err, errlen) < 0)
        return -1;
    if (k == SCOPE_REGEX)
        regfree(&re);
    return 0;
}

static uint64_t random_seed(void)
{
    uint64_t v = 0;
    if (getrandom(&v, sizeof v, GRND_NONBLOCK) != (ssize_t)sizeof v) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        v = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^ (uint64_t)ts.tv_sec ^ (uintptr_t)&v;
    }
    return v;
}

scope *scope_new(const char *spec, const char *const *seeds, size_t nseeds, const scope_opts *opts,
                 char *err, size_t errlen)
{
    scope *s = ALLOC_NEW(scope);
    if (!s) {
        set_err(err, errlen, "scope: out of memory");
        return NULL;
    }
    if (opts)
        s->o = *opts;
    else
        scope_opts_init(&s->o);
    if (parse_spec(spec, &s->kind, &s->re, err, errlen) < 0)
        goto fail;
    s->have_re = s->kind == SCOPE_REGEX;
    if (s->kind != SCOPE_REGEX && nseeds == 0) {
        set_err(err, errlen, "scope: no seed URLs");
        goto fail;
    }
    if (s->kind == SCOPE_DOMAIN) {
        s->psl = psl_builtin();
        if (!s->psl) {
            s->psl_owned = psl_latest(NULL);
            s->psl = s->psl_owned;
        }
        if (!s->psl) {
            set_err(err, errlen, "scope: domain: no public suffix list");
            goto fail;
        }
    }
    if (nseeds > 0) {
        s->seeds = alloc_zeroed(nseeds * sizeof *s->seeds);
        if (!s->seeds)
            goto nomem;
        s->nseeds = nseeds;
    }
    for (size_t i = 0; i < nseeds; i++) {
        seed *sd = &s->seeds[i];
        url_err ue = url_normalize(NULL, seeds[i], &sd->url);
        if (ue == URL_NOMEM)
            goto nomem;
        if (ue != URL_OK || split(sd->url, &sd->p) < 0) {
            set_err(err, errlen, "scope: seed \"%.200s\": %s", seeds[i] ? seeds[i] : "(null)",
                    ue != URL_OK ? url_err_str(ue) : "no host");
            goto fail;
        }
        const char *slash = memrchr(sd->p.path, '/', sd->p.path_len);
        sd->prefix_len = slash ? (size_t)(slash + 1 - sd->p.path) : 0;
        if (s->kind == SCOPE_DOMAIN) {
            char buf[HOST_BUF];
            const char *d = reg_domain(s->psl, sd->p.host, sd->p.host_len, buf, sizeof buf);
            if (d && !(sd->domain = alloc_strdup(d)))
                goto nomem;
        }
    }
    s->hash_seed = random_seed();
    return s;
nomem:
    set_err(err, errlen, "scope: out of memory");
fail:
    scope_free(s);
    return NULL;
}

void scope_free(scope *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nseeds; i++) {
        if (s->seeds[i].url)
            alloc_strfree(s->seeds[i].url);
        if (s->seeds[i].domain)
            alloc_strfree(s->seeds[i].domain);
    }
    alloc_free(s->seeds, s->nseeds * sizeof *s->seeds);
    alloc_free(s->table, s->slots * sizeof *s->table);
    if (s->have_re)
        regfree(&s->re);
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < s->nfilter[k]; i++)
            regfree(&s->filter[k][i]);
        alloc_free(s->filter[k], s->filter[k] ? SCOPE_MAX_FILTERS * sizeof(regex_t) : 0);
    }
    if (s->psl_owned)
        psl_free(s->psl_owned);
    ALLOC_FREE(s);
}

/* --- URL filters ------------------------------------------------------------ */

/* Compiles re into *out: 0, or -1 with err (nothing held). */
static int filter_compile(const char *re, regex_t *out, char *err, size_t errlen)
{
    if (!re || !*re) {
        set_err(err, errlen, "regex: empty expression");
        return -1;
    }
    if (strnlen(re, SCOPE_MAX_FILTER_LEN + 1) > SCOPE_MAX_FILTER_LEN) {
        set_err(err, errlen, "regex: longer than %d bytes", SCOPE_MAX_FILTER_LEN);
        return -1;
    }
    return compile_ere("", re, out, err, errlen);
}

int scope_filter_check(const char *re, char *err, size_t errlen)
{
    regex_t r;
    if (filter_compile(re, &r, err, errlen) < 0)
        return -1;
    regfree(&r);
    return 0;
}

int scope_add_filter(scope *s, int include, const char *re, char *err, size_t errlen)
{
    int k = include ? 1 : 0;
    if (s->nfilter[k] >= SCOPE_MAX_FILTERS) {
        set_err(err, errlen, "too many patterns (at most %d)", SCOPE_MAX_FILTERS);
        return -1;
    }
    if (!s->filter[k] && !(s->filter[k] = alloc_zeroed(SCOPE_MAX_FILTERS * sizeof(regex_t)))) {
        set_err(err, errlen, "out of memory");
        return -1;
    }
    if (filter_compile(re, &s->filter[k][s->nfilter[k]], err, errlen) < 0)
        return -1;
    s->nfilter[k]++;
    return 0;
}

/* SCOPE_IN, SCOPE_EXCLUDED or SCOPE_NOT_INCLUDED. */
static scope_verdict check_filters(const scope *s, const char *url)
{
    for (size_t i = 0; i < s->nfilter[0]; i++)
        if (regexec(&s->filter[0][i], url, 0, NULL, 0) == 0)
            return SCOPE_EXCLUDED;
    for (size_t i = 0; i < s->nfilter[1]; i++)
        if (regexec(&s->filter[1][i], url, 0, NULL, 0) == 0)
            return SCOPE_IN;
    return s->nfilter[1] ? SCOPE_NOT_INCLUDED : SCOPE_IN;
}

/* --- trap guard ----------------------------------------------------------- */

/* The segment starting at p (p <= end), its length. */
static size_t seg_len(const char *p, const char *end)
{
    const char *q = memchr(p, '/', (size_t)(end - p));
    return (size_t)((q ? q : end) - p);
}

static bool path_is_trap(const scope_opts *o, const char *path, size_t len)
{
    if (len == 0 || path[0] != '/')
        return false;
    const char *end = path + len;
    if (end[-1] == '/')
        end--; /* the empty piece after a trailing '/' is no segment */
    const char *first = path + 1;
    if (first > end)
        return false; /* "/" */
    long nseg = 1;
    for (const char *c = first; c < end; c++)
        nseg += *c == '/';
    if (o->max_path_segments > 0 && nseg > o->max_path_segments)
        return true;
    if (o->max_repeat_segments <= 0 || nseg <= o->max_repeat_segments)
        return false;
    /* O(n²) over at most max_path_segments segments, no storage. */
    for (const char *a = first; a <= end;) {
        size_t alen = seg_len(a, end);
        long count = 0;
        for (const char *b = a; b <= end;) {
            size_t blen = seg_len(b, end);
            if (blen == alen && !memcmp(a, b, alen) && ++count > o->max_repeat_segments)
                return true;
            b += blen + 1;
        }
        a += alen + 1;
    }
    return false;
}

static bool query_is_trap(const scope_opts *o, const parts *p)
{
    if (!p->query)
        return false;
    if (o->max_query_len > 0 && p->query_len > o->max_query_len)
        return true;
    if (o->max_query_params > 0) {
        long n = 1;
        for (size_t i = 0; i < p->query_len; i++)
            n += p->query[i] == '&';
        if (n > o->max_query_params)
            return true;
    }
    return false;
}

/* --- the verdict ---------------------------------------------------------- */

static scope_verdict check_kind(const scope *s, const char *url, const parts *p)
{
    switch (s->kind) {
    case SCOPE_HOST:
        for (size_t i = 0; i < s->nseeds; i++)
            if (same_site(p, &s->seeds[i].p))
                return SCOPE_IN;
        return SCOPE_OUT_HOST;
    case SCOPE_DOMAIN: {
        char buf[HOST_BUF];
        const char *d = reg_domain(s->psl, p->host, p->host_len, buf, sizeof buf);
        for (size_t i = 0; i < s->nseeds; i++) {
            const seed *sd = &s->seeds[i];
            if ((d && sd->domain) ? !strcmp(d, sd->domain)
                                  : (!d && !sd->domain && same_site(p, &sd->p)))
                return SCOPE_IN;
        }
        return SCOPE_OUT_DOMAIN;
    }
    case SCOPE_PREFIX:
        for (size_t i = 0; i < s->nseeds; i++) {
            const seed *sd = &s->seeds[i];
            if (same_site(p, &sd->p) && p->path_len >= sd->prefix_len &&
                !memcmp(p->path, sd->p.path, sd->prefix_len))
                return SCOPE_IN;
        }
        return SCOPE_OUT_PREFIX;
    case SCOPE_REGEX:
        return regexec(&s->re, url, 0, NULL, 0) == 0 ? SCOPE_IN : SCOPE_OUT_REGEX;
    }
    return SCOPE_OUT_HOST;
}

scope_verdict scope_check(const scope *s, const char *url, int depth)
{
    if (!s || !url)
        return SCOPE_BAD_URL;
    if (s->o.max_url_len > 0 && strnlen(url, s->o.max_url_len + 1) > s->o.max_url_len)
        return SCOPE_TOO_LONG;
    parts p;
    if (split(url, &p) < 0)
        return SCOPE_BAD_URL;
    scope_verdict v = check_kind(s, url, &p);
    if (v != SCOPE_IN)
        return v;
    if ((v = check_filters(s, url)) != SCOPE_IN)
        return v;
    if (s->o.max_depth >= 0 && depth > s->o.max_depth)
        return SCOPE_TOO_DEEP;
    if (path_is_trap(&s->o, p.path, p.path_len) || query_is_trap(&s->o, &p))
        return SCOPE_TRAP;
    return SCOPE_IN;
}

/* --- query variants per path ------------------------------------------------ */

static uint64_t hash_key(uint64_t seed, const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 0x100000001b3ull;
    }
    /* splitmix64's finaliser, so the low bits used as index depend on all */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h ? h : 1;
}

static slot *find_slot(slot *t, size_t slots, uint64_t key)
{
    size_t i = (size_t)key & (slots - 1);
    while (t[i].key && t[i].key != key)
        i = (i + 1) & (slots - 1);
    return &t[i];
}

/* Makes room for one more path: 0, or -1 when the table may not or cannot
 * grow. Load factor stays at or under one half. */
static int table_reserve(scope *s)
{
    if (s->o.max_tracked_paths > 0 && s->used >= s->o.max_tracked_paths)
        return -1;
    if (s->slots && (s->used + 1) * 2 <= s->slots)
        return 0;
    size_t nslots = s->slots ? s->slots * 2 : TABLE_MIN_SLOTS;
    slot *nt = alloc_zeroed(nslots * sizeof *nt);
    if (!nt)
        return -1;
    for (size_t i = 0; i < s->slots; i++)
        if (s->table[i].key)
            *find_slot(nt, nslots, s->table[i].key) = s->table[i];
    alloc_free(s->table, s->slots * sizeof *s->table);
    s->table = nt;
    s->slots = nslots;
    return 0;
}

scope_verdict scope_note_path(scope *s, const char *url)
{
    parts p;
    if (!s || !url || split(url, &p) < 0)
        return SCOPE_BAD_URL;
    if (s->o.max_query_variants == 0)
        return SCOPE_IN;
    /* The key is scheme://authority/path; the scheme's letters are the
     * normal form's, lowercase. */
    uint64_t key = hash_key(s->hash_seed, url, (size_t)(p.path + p.path_len - url));
    slot *e = s->slots ? find_slot(s->table, s->slots, key) : NULL;
    if (!e || !e->key) {
        if (table_reserve(s) < 0)
            return SCOPE_IN; /* full: uncounted */
        e = find_slot(s->table, s->slots, key);
        e->key = key;
        s->used++;
    }
    if (e->count < s->o.max_query_variants) {
        e->count++;
        return SCOPE_IN;
    }
    return SCOPE_TRAP;
}

void scope_forget_paths(scope *s)
{
    if (!s)
        return;
    alloc_free(s->table, s->slots * sizeof *s->table);
    s->table = NULL;
    s->slots = 0;
    s->used = 0;
}

scope_verdict scope_admit(scope *s, const char *url, int depth)
{
    scope_verdict v = scope_check(s, url, depth);
    if (v != SCOPE_IN)
        return v;
    if (s->o.max_pages > 0 && s->pages >= s->o.max_pages)
        return SCOPE_MAX_PAGES;
    v = scope_note_path(s, url);
    if (v != SCOPE_IN)
        return v;
    s->pages++;
    return SCOPE_IN;
}

size_t scope_pages_admitted(const scope *s) { return s ? s->pages : 0; }

scope_kind scope_get_kind(const scope *s) { return s->kind; }

const char *scope_verdict_str(scope_verdict v)
{
    switch (v) {
    case SCOPE_IN:
        return "in";
    case SCOPE_OUT_HOST:
        return "out_of_scope:host";
    case SCOPE_OUT_DOMAIN:
        return "out_of_scope:domain";
    case SCOPE_OUT_PREFIX:
        return "out_of_scope:prefix";
    case SCOPE_OUT_REGEX:
        return "out_of_scope:regex";
    case SCOPE_TOO_DEEP:
        return "too_deep";
    case SCOPE_TOO_LONG:
        return "too_long";
    case SCOPE_TRAP:
        return "trap";
    case SCOPE_BAD_URL:
        return "bad_url";
    case SCOPE_MAX_PAGES:
        return "max_pages";
    case SCOPE_EXCLUDED:
        return "excluded";
    case SCOPE_NOT_INCLUDED:
        return "not_included";
    }
    return "unknown";
}
