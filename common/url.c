/* url — resolve and normalise URLs with libcurl's URL API.
 *
 * curl parses, resolves relative references and removes literal dot
 * segments. Everything else that makes the normal form is done here, because
 * curl 7.88 leaves it alone or does it differently: host case, escape case
 * and decoding, "%2e" dot segments, backslashes (kept raw), raw spaces and
 * non-ASCII bytes (refused in an absolute URL, encoded lowercase with '+'
 * for space in a relative one), "http:foo", the empty reference (curl gives
 * the base's directory), fragments.
 *
 * Work happens in two stack buffers of URL_MAX_LEN + 1 bytes; the only heap
 * allocations are curl's own and the one result string. */
#include "url.h"

#include <curl/curl.h>
#include <idn2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"

typedef struct sbuf {
    char *p;
    size_t len;
    size_t cap; /* bytes available, including the terminating NUL */
    bool full;  /* something did not fit */
} sbuf;

static void sb_putc(sbuf *b, char c)
{
    if (b->len + 1 >= b->cap) {
        b->full = true;
        return;
    }
    b->p[b->len++] = c;
}

static void sb_putn(sbuf *b, const char *s, size_t n)
{
    if (b->len + n >= b->cap) {
        b->full = true;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void sb_puts(sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }

static const char HEX[] = "0123456789ABCDEF";

static void sb_put_escape(sbuf *b, unsigned char c)
{
    char e[3] = {'%', HEX[c >> 4], HEX[c & 15]};
    sb_putn(b, e, 3);
}

static char *sb_cstr(sbuf *b)
{
    b->p[b->len] = '\0';
    return b->p;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

static bool is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* Bytes browsers strip from both ends of a link (C0 controls and space). */
static bool is_trim(unsigned char c) { return c <= 0x20 && c != '\0'; }
/* Bytes browsers remove anywhere in a link. */
static bool is_removed(unsigned char c) { return c == '\t' || c == '\n' || c == '\r'; }

static bool is_scheme_char(unsigned char c, bool first)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
        return true;
    return !first && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.');
}

/* Links to things that are not pages at all: skipped without complaint. */
static const char *const SKIP_SCHEMES[] = {"javascript", "mailto", "tel", "data",
                                           "about",      "blob",   "sms", "callto"};

/* WHATWG percent-encode sets for special URLs (path, query); a byte in the
 * set is written as %XX. '#' and '?' cannot reach here: fragments are cut
 * before parsing and curl splits the query off. */
enum pct_part { PCT_PATH, PCT_QUERY };

static bool needs_escape(unsigned char c, enum pct_part part)
{
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '#')
        return true;
    if (part == PCT_PATH)
        return c == '?' || c == '`' || c == '{' || c == '}';
    return c == '\'';
}

/* Writes s in normal percent form: %XX of an unreserved byte decoded, other
 * escapes' hex uppercased, bytes of the part's encode set escaped, a '%'
 * that starts no escape written as %25 (so the result is a fixed point:
 * decoding can never make a new escape out of a stray '%'), and in the path
 * '\' as '/'. */
static void put_pct_normal(sbuf *b, const char *s, enum pct_part part)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '%') {
            int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
            if (lo < 0) {
                sb_puts(b, "%25");
                continue;
            }
            unsigned char c = (unsigned char)(hi << 4 | lo);
            if (is_unreserved(c))
                sb_putc(b, (char)c);
            else
                sb_put_escape(b, c);
            p += 2;
        } else if (*p == '\\' && part == PCT_PATH) {
            /* A path separator in http(s) (WHATWG), as prepare_ref reads a
             * ref's; one can still come from a base given as is. */
            sb_putc(b, '/');
        } else if (needs_escape(*p, part)) {
            sb_put_escape(b, *p);
        } else {
            sb_putc(b, (char)*p);
        }
    }
}

/* RFC 3986 5.2.4 on p[0..n), which starts with '/', in place; returns the
 * new length. Needed after curl because a decoded "%2e%2e" only becomes a
 * dot segment here. */
static size_t remove_dot_segments(char *p, size_t n)
{
    size_t r = 0, w = 0;
    while (r < n) {
        size_t e = r + 1;
        while (e < n && p[e] != '/')
            e++;
        size_t seglen = e - r - 1;
        const char *seg = p + r + 1;
        if (seglen == 1 && seg[0] == '.') {
            if (e == n)
                p[w++] = '/';
        } else if (seglen == 2 && seg[0] == '.' && seg[1] == '.') {
            while (w > 0 && p[--w] != '/')
                ;
            if (e == n)
                p[w++] = '/';
        } else {
            memmove(p + w, p + r, e - r);
            w += e - r;
        }
        r = e;
    }
    if (w == 0)
        p[w++] = '/';
    return w;
}

static url_err map_curl(CURLUcode rc)
{
    switch (rc) {
    case CURLUE_OK:
        return URL_OK;
    case CURLUE_OUT_OF_MEMORY:
        return URL_NOMEM;
    case CURLUE_NO_HOST:
        return URL_NO_HOST;
    case CURLUE_UNSUPPORTED_SCHEME:
        return URL_BAD_SCHEME;
    default:
        return URL_MALFORMED;
    }
}

static bool is_http_scheme(const char *s) { return !strcmp(s, "http") || !strcmp(s, "https"); }

/* Writes ref (trimmed, tabs and newlines removed, fragment cut) into b1. */
static void clean_ref(sbuf *b1, const char *s, const char *e)
{
    for (; s < e && *s != '#'; s++)
        if (!is_removed((unsigned char)*s))
            sb_putc(b1, *s);
    sb_cstr(b1);
}

/* A path b->p[path0..len) that ends in a dot segment and a '/' ("./",
 * "a/../") loses that '/', which changes nothing in RFC 3986 5.2.4 but keeps
 * curl 7.88 from dropping the slash of the result when a query follows
 * ("./?page=2" against /a/b/c gave /a/b?page=2; RFC and browsers:
 * /a/b/?page=2; "." and ".." without the '/' it resolves right). */
static void drop_slash_after_dot_segment(sbuf *b, size_t path0)
{
    size_t n = b->len;
    if (n == path0 || b->p[n - 1] != '/')
        return;
    size_t s = n - 1;
    while (s > path0 && b->p[s - 1] != '/')
        s--;
    size_t seg = n - 1 - s;
    if ((seg == 1 && b->p[s] == '.') || (seg == 2 && b->p[s] == '.' && b->p[s + 1] == '.'))
        b->len--;
}

/* Turns the cleaned ref into what curl is given, in b2: backslashes before
 * the query become '/', an http(s) scheme gets exactly two slashes (or is
 * dropped when "http:foo" is relative to a base of the same scheme, as in
 * WHATWG), and raw spaces, controls and non-ASCII bytes of the path and
 * query are percent-encoded (curl would reject them in an absolute URL and
 * encode them itself in a relative one, with lowercase hex and '+' for
 * spaces in the query). The authority is passed on untouched. */
static void prepare_ref(sbuf *b2, char *ref, const char *scheme, size_t scheme_len,
                        const char *base_scheme)
{
    char *q = strchr(ref, '?');
    for (char *p = ref; *p && p != q; p++)
        if (*p == '\\')
            *p = '/';

    const char *p = ref;
    bool authority = false;
    if (scheme_len > 0) {
        const char *rest = ref + scheme_len + 1;
        size_t slashes = strspn(rest, "/");
        bool same = base_scheme && !strcmp(base_scheme, scheme);
        if (slashes < 2 && same) {
            p = rest; /* relative: "http:g" → "g", "http:/g" → "/g" */
        } else {
            sb_puts(b2, scheme);
            sb_puts(b2, "://");
            p = rest + slashes;
            authority = true;
        }
    } else if (p[0] == '/' && p[1] == '/') {
        sb_puts(b2, "//");
        p += 2;
        authority = true;
    } else if (p[0] != '/' && p[0] != '?' && memchr(p, ':', strcspn(p, "/?"))) {
        /* "1a:b" is a relative path (a scheme starts with a letter) but curl
         * takes any alphanumeric run before ':' for a scheme: RFC 3986 4.2's
         * "./" prefix keeps it relative. */
        sb_puts(b2, "./");
    }
    if (authority) {
        size_t n = strcspn(p, "/?");
        sb_putn(b2, p, n);
        p += n;
    }
    size_t path0 = b2->len;
    bool query = false;
    for (; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '?' && !query) {
            query = true;
            drop_slash_after_dot_segment(b2, path0);
        }
        if (c <= 0x20 || c >= 0x7f)
            sb_put_escape(b2, c);
        else
            sb_putc(b2, (char)c);
    }
    sb_cstr(b2);
}

/* Gets a part; absent parts give URL_OK with *s NULL. */
static url_err get_part(CURLU *h, CURLUPart what, char **s, unsigned flags)
{
    *s = NULL;
    CURLUcode rc = curl_url_get(h, what, s, flags);
    switch (rc) {
    case CURLUE_OK:
        return URL_OK;
    case CURLUE_NO_USER:
    case CURLUE_NO_PASSWORD:
    case CURLUE_NO_PORT:
    case CURLUE_NO_QUERY:
    case CURLUE_NO_ZONEID:
        *s = NULL;
        return URL_OK;
    default:
        *s = NULL;
        return map_curl(rc);
    }
}

/* Userinfo as given, but '\' as %5C: prepare_ref reads a '\' before the
 * query as '/', so a raw one (it can come from a base given as is) would
 * move the host the next time round. */
static void put_userinfo(sbuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            sb_puts(b, "%5C");
        else
            sb_putc(b, *s);
    }
}

/* The A-label form of a non-ASCII host (UTF-8) into *out (curl_free it):
 * IDNA2008 with UTS #46 mapping, non-transitional (NFC first, so "faß"
 * stays "xn--fa-hia" and MÜNCHEN maps to münchen); for a name IDNA2008
 * disallows (symbols such as U+2603), transitional processing, as curl
 * does when it resolves a UTF-8 name itself, so the crawler reaches the
 * hosts curl reaches. Into buf; URL_BAD_IDN when both refuse or the result
 * does not fit. */
static url_err idn_host(const char *host, char *buf, size_t cap)
{
    uint8_t *a = NULL;
    int rc = idn2_lookup_u8((const uint8_t *)host, &a, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    if (rc == IDN2_DISALLOWED)
        rc = idn2_lookup_u8((const uint8_t *)host, &a, IDN2_TRANSITIONAL);
    url_err err = rc == IDN2_MALLOC ? URL_NOMEM : rc != IDN2_OK || !a ? URL_BAD_IDN : URL_OK;
    if (err == URL_OK && (size_t)snprintf(buf, cap, "%s", (const char *)a) >= cap)
        err = URL_BAD_IDN; /* longer than a DNS name may be */
    idn2_free(a);
    return err;
}

/* 1 when a label of the ASCII name host begins "xn--" (any case). */
static bool has_a_label(const char *host)
{
    for (const char *l = host; *l;) {
        if (ascii_lower(l[0]) == 'x' && ascii_lower(l[1]) == 'n' && l[2] == '-' && l[3] == '-')
            return true;
        const char *dot = strchr(l, '.');
        if (!dot)
            break;
        l = dot + 1;
    }
    return false;
}

/* Writes the normal form of the URL in h into b. */
static url_err assemble(CURLU *h, sbuf *b)
{
    char *scheme = NULL, *user = NULL, *pass = NULL, *host = NULL, *port = NULL, *zone = NULL,
         *path = NULL, *query = NULL;
    url_err err;
    if ((err = get_part(h, CURLUPART_SCHEME, &scheme, 0)) ||
        (err = get_part(h, CURLUPART_USER, &user, 0)) ||
        (err = get_part(h, CURLUPART_PASSWORD, &pass, 0)) ||
        (err = get_part(h, CURLUPART_HOST, &host, 0)) ||
        (err = get_part(h, CURLUPART_ZONEID, &zone, 0)) ||
        (err = get_part(h, CURLUPART_PORT, &port, CURLU_NO_DEFAULT_PORT)) ||
        (err = get_part(h, CURLUPART_PATH, &path, 0)) ||
        (err = get_part(h, CURLUPART_QUERY, &query, 0)))
        goto out;

    if (!scheme || !is_http_scheme(scheme)) {
        err = URL_BAD_SCHEME;
        goto out;
    }
    if (!host || !host[0]) {
        err = URL_NO_HOST;
        goto out;
    }
    if (zone) { /* "[fe80::1%25eth0]": link-local, and browsers reject it */
        err = URL_MALFORMED;
        goto out;
    }
    /* curl percent-decodes the host, so "%2541" arrives as "%41" and would
     * become "a" the next time round; WHATWG forbids '%' and controls in a
     * host after decoding, so do we. */
    bool ascii = true;
    for (const unsigned char *c = (const unsigned char *)host; *c; c++) {
        if (*c == '%' || *c <= 0x20 || *c == 0x7f) {
            err = URL_MALFORMED;
            goto out;
        }
        ascii &= *c < 0x80;
    }
    /* An internationalised host in its ASCII form (punycode A-labels), so
     * münchen.de and xn--mnchen-3ya.de are one host for the seen set, the
     * scope and politeness. libidn2 directly, not curl's CURLU_PUNYCODE:
     * curl 7.88 hands the name to idn2_lookup_ul, which reads it in the
     * process's locale, and crawld runs in the C locale (every non-ASCII
     * host failed). */
    char idn[256];
    const char *hp = host;
    /* An ASCII name with an A-label ("xn--…", any case) is checked the same
     * way: punycode that does not decode, or decodes to what IDNA forbids
     * ("xn--zz", "xn--a" = U+0080), is no host a browser would reach. */
    if (ascii && has_a_label(host))
        ascii = false;
    if (!ascii) {
        if ((err = idn_host(host, idn, sizeof idn)))
            goto out;
        hp = idn;
    }

    sb_puts(b, scheme);
    sb_puts(b, "://");
    bool has_user = user && user[0], has_pass = pass && pass[0];
    if (has_user || has_pass) {
        if (has_user)
            put_userinfo(b, user);
        if (has_pass) {
            sb_putc(b, ':');
            put_userinfo(b, pass);
        }
        sb_putc(b, '@');
    }
    for (const char *c = hp; *c; c++)
        sb_putc(b, ascii_lower(*c));
    if (port) {
        sb_putc(b, ':');
        sb_puts(b, port);
    }
    size_t path_start = b->len;
    if (!path || path[0] != '/')
        sb_putc(b, '/');
    if (path)
        put_pct_normal(b, path, PCT_PATH);
    if (!b->full)
        b->len = path_start + remove_dot_segments(b->p + path_start, b->len - path_start);
    if (query && query[0]) {
        sb_putc(b, '?');
        put_pct_normal(b, query, PCT_QUERY);
    }
    sb_cstr(b);
    err = b->full ? URL_TOO_LONG : URL_OK;
out:
    curl_free(scheme);
    curl_free(user);
    curl_free(pass);
    curl_free(host);
    curl_free(zone);
    curl_free(port);
    curl_free(path);
    curl_free(query);
    return err;
}

/* Whether the host of a normal-form URL is made of what an IPv4 address
 * written as numbers can hold (decimal, 0x hex, octal, dots). */
static bool may_be_ipv4(const char *url)
{
    char host[256];
    if (url_host(url, host, sizeof host) != 0)
        return false;
    for (const char *c = host; *c; c++)
        if (!strchr("0123456789abcdefx.", *c))
            return false;
    return true;
}

url_err url_resolve_curl(arena *a, const char *base, const char *ref, char **out)
{
    char buf1[URL_MAX_LEN + 1], buf2[URL_MAX_LEN + 1];
    sbuf b1 = {buf1, 0, sizeof buf1, false}, b2 = {buf2, 0, sizeof buf2, false};
    CURLU *h = NULL;
    char *base_scheme = NULL;
    url_err err;

    *out = NULL;
    if (!ref)
        return URL_EMPTY;
    const char *s = ref, *e = ref + strlen(ref);
    while (s < e && is_trim((unsigned char)*s))
        s++;
    while (e > s && is_trim((unsigned char)e[-1]))
        e--;
    if (s == e)
        return URL_EMPTY;

    /* Scheme as browsers see it: tabs and newlines inside do not count
     * ("java\tscript:" is javascript:). */
    char scheme[16] = "";
    size_t scheme_len = 0, seen = 0;
    const char *c = s;
    for (; c < e; c++) {
        unsigned char ch = (unsigned char)*c;
        if (is_removed(ch))
            continue;
        if (!is_scheme_char(ch, seen == 0))
            break;
        if (seen < sizeof scheme - 1)
            scheme[seen] = ascii_lower((char)ch);
        seen++;
    }
    if (c < e && *c == ':' && seen > 0) {
        if (seen >= sizeof scheme)
            return URL_BAD_SCHEME;
        scheme_len = seen;
        scheme[scheme_len] = '\0';
        if (!is_http_scheme(scheme)) {
            for (size_t i = 0; i < sizeof SKIP_SCHEMES / sizeof SKIP_SCHEMES[0]; i++)
                if (!strcmp(scheme, SKIP_SCHEMES[i]))
                    return URL_SKIPPED;
            return URL_BAD_SCHEME;
        }
    } else if (seen == 0 && c < e && *c == '#') {
        return URL_SKIPPED; /* fragment only: the same page */
    } else if (!base) {
        return URL_MALFORMED; /* relative, and nothing to resolve it against */
    }

    clean_ref(&b1, s, e);
    if (b1.full)
        return URL_TOO_LONG;

    h = curl_url();
    if (!h)
        return URL_NOMEM;
    if (base) {
        if ((err = map_curl(curl_url_set(h, CURLUPART_URL, base, 0))))
            goto out;
        if ((err = get_part(h, CURLUPART_SCHEME, &base_scheme, 0)))
            goto out;
        if (!base_scheme || !is_http_scheme(base_scheme)) {
            err = URL_BAD_SCHEME;
            goto out;
        }
    }
    prepare_ref(&b2, b1.p, scheme, scheme_len, base_scheme);
    if (b2.full) {
        err = URL_TOO_LONG;
        goto out;
    }
    /* An empty ref can only come from "http:" against an http base; curl
     * would resolve "" to the base's directory, RFC 3986 to the base. */
    if (b2.len > 0 && (err = map_curl(curl_url_set(h, CURLUPART_URL, b2.p, 0))))
        goto out;

    b1.len = 0; /* curl copied the ref: b1 now holds the result */
    if ((err = assemble(h, &b1)))
        goto out;
    sbuf *res = &b1;
    if (may_be_ipv4(b1.p)) {
        /* curl reads a host written as numbers ("51", "0x7f.1") as IPv4
         * before it percent-decodes it, so "%351" came out as "51", which
         * the next parse makes 0.0.0.51: one more round is the fixed point
         * (WHATWG decodes first, so browsers agree). */
        if ((err = map_curl(curl_url_set(h, CURLUPART_URL, b1.p, 0))))
            goto out;
        b2.len = 0; /* curl copied the ref long ago */
        if ((err = assemble(h, &b2)))
            goto out;
        res = &b2;
    }
    *out = a ? arena_strndup(a, res->p, res->len) : alloc_strdup(res->p);
    if (!*out)
        err = URL_NOMEM;
out:
    curl_free(base_scheme);
    curl_url_cleanup(h);
    return err;
}

/* ---------------------------------------------------------------------------
 * The fast path: a path reference against a base already in normal form.
 *
 * Most links of a page are relative paths ("../library/os.html#x") against
 * a page URL that is in normal form, and for those the normal form of the
 * result is plain string work: the base's scheme and authority, its path
 * merged with the reference's (RFC 3986 5.2.3), dot segments removed, the
 * query, no fragment. curl's way parses the base and the joined URL and
 * reads every part back (twice for a numeric host), which on a page of a
 * hundred links is a large share of a worker's time (docs/platform-notes.md
 * has the figures). Taken only when neither
 * string has anything the normal form would change (escapes, case, default
 * ports, backslashes, blanks, a scheme or an authority in the reference,
 * hosts curl reads as numbers other than dotted quads); anything else goes
 * to url_resolve_curl, and tests/unit/test_url.c checks the two agree on
 * generated references and bases. */

/* Bytes a normal-form path keeps as they are (put_pct_normal). */
static bool fast_path_byte(unsigned char c)
{
    return is_unreserved(c) || c == '/' || c == '!' || c == '$' || c == '&' || c == '\'' ||
           c == '(' || c == ')' || c == '*' || c == '+' || c == ',' || c == ';' || c == '=' ||
           c == ':' || c == '@';
}

static bool fast_query_byte(unsigned char c)
{
    return (fast_path_byte(c) && c != '\'') || c == '?';
}

/* A dotted quad of decimal numbers 0..255 without leading zeros. */
static bool dotted_quad(const char *h, size_t n)
{
    int parts = 0;
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        unsigned v = 0;
        while (j < n && h[j] >= '0' && h[j] <= '9' && j - i < 4)
            v = v * 10 + (unsigned)(h[j++] - '0');
        if (j == i || j - i > 3 || v > 255 || (h[i] == '0' && j - i > 1))
            return false;
        parts++;
        if (j == n)
            break;
        if (h[j] != '.')
            return false;
        i = j + 1;
    }
    return parts == 4;
}

/* The length of base's "scheme://authority" when base is in normal form
 * as far as the fast path needs (else 0); *path at its path. */
static size_t fast_base(const char *base, const char **path)
{
    size_t i;
    bool https;
    if (!strncmp(base, "http://", 7))
        i = 7, https = false;
    else if (!strncmp(base, "https://", 8))
        i = 8, https = true;
    else
        return 0;
    size_t h0 = i;
    bool maybe_number = true;
    for (; base[i] && base[i] != '/' && base[i] != ':'; i++) {
        unsigned char c = (unsigned char)base[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
            return 0;
        if (!strchr("0123456789abcdefx.", c))
            maybe_number = false;
    }
    size_t hn = i - h0;
    if (!hn || base[h0] == '.' || base[i - 1] == '.' || memmem(base + h0, hn, "..", 2))
        return 0;
    if (maybe_number && !dotted_quad(base + h0, hn))
        return 0;
    if (base[i] == ':') {
        size_t p0 = ++i;
        unsigned long port = 0;
        while (base[i] >= '0' && base[i] <= '9' && i - p0 < 6)
            port = port * 10 + (unsigned long)(base[i++] - '0');
        if (i == p0 || base[p0] == '0' || port > 65535 || port == (https ? 443u : 80u))
            return 0;
    }
    if (base[i] != '/')
        return 0;
    size_t j = i;
    for (; base[j] && base[j] != '?' && base[j] != '#'; j++)
        if (!fast_path_byte((unsigned char)base[j]) || (base[j] == '/' && base[j - 1] == '/'))
            return 0;
    for (size_t k = i; k < j; k++) /* dot segments: not a normal form */
        if (base[k] == '/' && base[k + 1] == '.' &&
            (k + 2 == j || base[k + 2] == '/' ||
             (base[k + 2] == '.' && (k + 3 == j || base[k + 3] == '/'))))
            return 0;
    if (base[j] == '?') /* unused, but curl must be able to read it */
        while (base[++j])
            if (!fast_query_byte((unsigned char)base[j]))
                return 0;
    if (base[j]) /* a fragment: not a normal form */
        return 0;
    *path = base + i;
    return i;
}

/* URL_OK with *out, or URL_TOO_LONG; -1 when the fast path does not apply. */
static int fast_resolve(arena *a, const char *base, const char *ref, char **out)
{
    const char *bpath;
    size_t auth = fast_base(base, &bpath);
    if (!auth || ref[0] == '\0' || ref[0] == '?' || ref[0] == '#' ||
        (ref[0] == '/' && ref[1] == '/'))
        return -1;
    size_t pn = 0; /* the reference's path */
    for (; ref[pn] && ref[pn] != '?' && ref[pn] != '#'; pn++)
        if (!fast_path_byte((unsigned char)ref[pn]) || ref[pn] == ':' ||
            (ref[pn] == '/' && pn && ref[pn - 1] == '/'))
            return -1; /* ':' could make a scheme ("1a:b" is curl's); curl
                        * folds some empty segments ("a/.//b") */
    size_t qn = 0;     /* the query, without its '?' */
    const char *q = ref[pn] == '?' ? ref + pn + 1 : NULL;
    if (q)
        for (; q[qn] && q[qn] != '#'; qn++)
            if (!fast_query_byte((unsigned char)q[qn]))
                return -1;
    /* Merge (RFC 3986 5.2.3): the base path up to its last '/', then the
     * reference's; an absolute path stands alone. */
    size_t dir = 0;
    if (ref[0] != '/') {
        const char *bend = bpath + strcspn(bpath, "?#");
        const char *slash = bend;
        while (slash > bpath && slash[-1] != '/')
            slash--;
        dir = (size_t)(slash - bpath);
    }
    size_t need = auth + dir + pn + (qn ? qn + 1 : 0);
    if (need > URL_MAX_LEN)
        return -1; /* the slow path names it */
    char buf[URL_MAX_LEN + 1];
    memcpy(buf, base, auth);
    memcpy(buf + auth, bpath, dir);
    memcpy(buf + auth + dir, ref, pn);
    size_t len = auth + remove_dot_segments(buf + auth, dir + pn);
    if (qn) {
        buf[len++] = '?';
        memcpy(buf + len, q, qn);
        len += qn;
    }
    buf[len] = '\0';
    *out = a ? arena_strndup(a, buf, len) : alloc_strdup(buf);
    return *out ? URL_OK : URL_NOMEM;
}

url_err url_resolve(arena *a, const char *base, const char *ref, char **out)
{
    *out = NULL;
    if (base && ref) {
        int r = fast_resolve(a, base, ref, out);
        if (r >= 0)
            return (url_err)r;
    }
    return url_resolve_curl(a, base, ref, out);
}

url_err url_normalize(arena *a, const char *url, char **out)
{
    return url_resolve(a, NULL, url, out);
}

const char *url_err_str(url_err e)
{
    switch (e) {
    case URL_OK:
        return "ok";
    case URL_EMPTY:
        return "empty";
    case URL_SKIPPED:
        return "skipped";
    case URL_BAD_SCHEME:
        return "bad scheme";
    case URL_MALFORMED:
        return "malformed";
    case URL_NO_HOST:
        return "no host";
    case URL_TOO_LONG:
        return "too long";
    case URL_NOMEM:
        return "out of memory";
    case URL_BAD_IDN:
        return "bad internationalised host name";
    }
    return "unknown";
}

int url_host(const char *url, char *buf, size_t cap)
{
    const char *p;
    if (!url || !buf || cap == 0)
        return -1;
    if (!strncasecmp(url, "http://", 7))
        p = url + 7;
    else if (!strncasecmp(url, "https://", 8))
        p = url + 8;
    else
        return -1;
    size_t alen = strcspn(p, "/?#");
    const char *at = memrchr(p, '@', alen);
    if (at) {
        alen -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    size_t n;
    if (alen > 0 && p[0] == '[') {
        const char *close = memchr(p, ']', alen);
        if (!close)
            return -1;
        n = (size_t)(close + 1 - p);
    } else {
        const char *colon = memchr(p, ':', alen);
        n = colon ? (size_t)(colon - p) : alen;
    }
    if (n == 0 || n >= cap)
        return -1;
    for (size_t i = 0; i < n; i++)
        buf[i] = ascii_lower(p[i]);
    buf[n] = '\0';
    return 0;
}
