/* jobopts — see jobopts.h. */
#include "jobopts.h"
#include "cookie.h"
#include "fieldspec.h"
#include "scope.h"
#include "session.h"
#include "utf8.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define OFF(m) offsetof(jobopts, m)

/* Recrawls: --every's value, "N" and a unit s, m, h or d, 1s..365d. */
int jobopts_duration_s(const char *v, long long *secs)
{
    char *end;
    errno = 0;
    if (!v || !(*v >= '0' && *v <= '9'))
        return -1;
    unsigned long long n = strtoull(v, &end, 10);
    long long unit = 0;
    if (end[0] && !end[1])
        unit = end[0] == 's'   ? 1
               : end[0] == 'm' ? 60
               : end[0] == 'h' ? 3600
               : end[0] == 'd' ? 86400
                               : 0;
    if (errno || !unit || n == 0 || n > 365ULL * 86400 / (unsigned long long)unit)
        return -1;
    *secs = (long long)n * unit;
    return 0;
}

static int every_check(const char *v, char *err, size_t errlen)
{
    long long s;
    if (jobopts_duration_s(v, &s) == 0)
        return 0;
    snprintf(err, errlen,
             "\"every\" (--every): \"%.40s\" is not a period of 1s..365d "
             "(a number and s, m, h or d)",
             v);
    return -1;
}

const char *const jobopts_save_kinds[4] = {"text", "html", "dom", "markdown"};

int jobopts_save_mask(const char *v, int *mask, char *err, size_t errlen)
{
    int m = 0;
    const char *s = v ? v : "";
    for (;;) {
        size_t n = strcspn(s, ",");
        int bit = -1;
        for (int i = 0; i < 4; i++)
            if (strlen(jobopts_save_kinds[i]) == n && strncmp(s, jobopts_save_kinds[i], n) == 0)
                bit = i;
        if (bit < 0) {
            snprintf(err, errlen, "--save: %s%.*s%s (text, html, dom, markdown)",
                     n ? "unknown kind \"" : "an empty kind", n ? (int)(n > 40 ? 40 : n) : 0, s,
                     n ? "\"" : "");
            return -1;
        }
        if (m & (1 << bit)) {
            snprintf(err, errlen, "--save: kind \"%s\" given twice", jobopts_save_kinds[bit]);
            return -1;
        }
        m |= 1 << bit;
        if (!s[n])
            break;
        s += n + 1;
    }
    *mask = m;
    return 0;
}

static int save_check(const char *v, char *err, size_t errlen)
{
    int m;
    return jobopts_save_mask(v, &m, err, errlen);
}

const jobopt jobopts_table[] = {
    {.field = "depth",
     .type = JOBOPT_INT,
     .lo = 0,
     .hi = 1000,
     .dflt = 3,
     .dflt_text = "3",
     .flag = "--depth",
     .metavar = "N",
     .off = OFF(depth),
     .help = "link depth from the seeds"},
    {.field = "max_pages",
     .type = JOBOPT_INT,
     .lo = 1,
     .hi = 100000000,
     .dflt = 1000,
     .dflt_text = "1000",
     .flag = "--max-pages",
     .metavar = "N",
     .off = OFF(max_pages),
     .help = "pages the job takes, seeds included"},
    {.field = "scope",
     .type = JOBOPT_STRING,
     .dflt_text = "host",
     .flag = "--scope",
     .metavar = "SCOPE",
     .want = "host, domain, prefix or regex:RE",
     .check = scope_spec_check,
     .off = OFF(scope),
     .help = "host, domain, prefix or regex:RE"},
    {.field = "js",
     .type = JOBOPT_BOOL,
     .dflt = JOBOPT_FROM_CONFIG,
     .dflt_text = "[daemon] js",
     .flag = "--js",
     .no_flag = "--no-js",
     .off = OFF(js),
     .help = "run each page's scripts"},
    {.field = "obey_robots",
     .type = JOBOPT_BOOL,
     .dflt = JOBOPT_FROM_CONFIG,
     .dflt_text = "[politeness] obey_robots",
     .flag = "--robots",
     .no_flag = "--no-robots",
     .off = OFF(obey_robots),
     .help = "obey robots.txt"},
    {.field = "delay_ms",
     .type = JOBOPT_INT,
     .lo = 0,
     .hi = 3600000,
     .dflt = JOBOPT_FROM_CONFIG,
     .dflt_text = "[politeness] delay_ms",
     .flag = "--delay-ms",
     .metavar = "N",
     .off = OFF(delay_ms),
     .help = "ms between pages of one host"},
    {.field = "name",
     .type = JOBOPT_STRING,
     .dflt_text = "none",
     .flag = "--name",
     .metavar = "NAME",
     .want = "a string",
     .off = OFF(name),
     .help = "a name for people"},
    {.field = "output",
     .type = JOBOPT_STRING,
     .dflt_text = "OUTPUT_DIR/ID",
     .flag = "--output",
     .metavar = "DIR",
     .want = "a directory name",
     .nonempty = 1,
     .off = OFF(output),
     .help = "the job's directory, under the output root"},
    {.field = "warc",
     .type = JOBOPT_BOOL,
     .dflt = 0,
     .dflt_text = "off",
     .flag = "--warc",
     .off = OFF(warc),
     .help = "also write crawl.warc.gz"},
    {.field = "canonical",
     .type = JOBOPT_BOOL,
     .dflt = 0,
     .dflt_text = "off",
     .flag = "--canonical",
     .off = OFF(canonical),
     .help = "a page whose canonical differs: queue that, not its links"},
    {.field = "priority",
     .type = JOBOPT_INT,
     .lo = -100,
     .hi = 100,
     .dflt = 0,
     .dflt_text = "0",
     .flag = "--priority",
     .metavar = "N",
     .off = OFF(priority),
     .help = "a job of higher priority gets its pages first"},
    /* URL filters beside the scope (scope.h): seeds are always taken. */
    {.field = "exclude",
     .type = JOBOPT_LIST,
     .dflt_text = "none",
     .flag = "--exclude",
     .metavar = "RE",
     .want = "an array of POSIX extended regular expressions",
     .max_items = SCOPE_MAX_FILTERS,
     .max_len = SCOPE_MAX_FILTER_LEN,
     .check = scope_filter_check,
     .off = OFF(exclude),
     .help = "leave out URLs that match RE (repeatable)"},
    {.field = "include",
     .type = JOBOPT_LIST,
     .dflt_text = "none",
     .flag = "--include",
     .metavar = "RE",
     .want = "an array of POSIX extended regular expressions",
     .max_items = SCOPE_MAX_FILTERS,
     .max_len = SCOPE_MAX_FILTER_LEN,
     .check = scope_filter_check,
     .off = OFF(include),
     .help = "take only URLs that match an RE (repeatable)"},
    /* sitemaps: docs/daemon.md, Sitemaps */
    {.field = "sitemaps",
     .type = JOBOPT_BOOL,
     .dflt = 0,
     .dflt_text = "off",
     .flag = "--sitemaps",
     .no_flag = "--no-sitemaps",
     .off = OFF(sitemaps),
     .help = "read the sitemaps robots.txt names (or /sitemap.xml of the seeds' hosts)"},
    /* recrawls: docs/daemon.md, Recrawls */
    {.field = "since",
     .type = JOBOPT_INT,
     .lo = 0, /* 0: not a recrawl */
     .hi = INT_MAX,
     .dflt = 0,
     .dflt_text = "none",
     .flag = "--since",
     .metavar = "JOB",
     .off = OFF(since),
     .help = "recrawl the pages of finished job JOB with conditional requests (URLs optional)"},
    {.field = "every",
     .type = JOBOPT_STRING,
     .dflt_text = "none",
     .flag = "--every",
     .metavar = "PERIOD",
     .want = "a period such as 90s, 30m, 24h or 7d",
     .nonempty = 1,
     .check = every_check,
     .off = OFF(every),
     .help = "recrawl each PERIOD after a run ends (s, m, h, d; --since the last run)"},
    /* the job's request session: docs/daemon.md, Sessions (common/session.h) */
    {.field = "header",
     .type = JOBOPT_LIST,
     .dflt_text = "none",
     .flag = "--header",
     .metavar = "'NAME: VALUE'",
     .want = "an array of \"Name: value\" header lines",
     .max_items = SESSION_MAX_HEADERS,
     .max_len = SESSION_MAX_HEADER_LEN,
     .check = session_header_check,
     .off = OFF(header),
     .help = "send this header with every request of the job (repeatable)"},
    {.field = "user",
     .type = JOBOPT_STRING,
     .dflt_text = "none",
     .flag = "--user",
     .metavar = "USER:PASSWORD",
     .want = "USER:PASSWORD",
     .nonempty = 1,
     .check = session_user_check,
     .off = OFF(user),
     .help = "HTTP basic auth, sent to the seeds' origin only"},
    {.field = "bearer",
     .type = JOBOPT_STRING,
     .dflt_text = "none",
     .flag = "--bearer",
     .metavar = "TOKEN",
     .want = "a token",
     .nonempty = 1,
     .check = session_bearer_check,
     .off = OFF(bearer),
     .help = "Authorization: Bearer TOKEN, sent to the seeds' origin only"},
    {.field = "proxy",
     .type = JOBOPT_STRING,
     .dflt_text = "[network] proxy",
     .flag = "--proxy",
     .metavar = "URL",
     .want = "an http:// or socks5h:// URL",
     .nonempty = 1,
     .check = session_proxy_check,
     .off = OFF(proxy),
     .help = "fetch through this proxy (http:// or socks5h://)"},
    /* the cookie jar's first cookies: docs/daemon.md, Cookies. crawlctl
     * reads each FILE and sends its lines (crawlctl.c, cookies_from_files);
     * the request carries the lines, each checked here. */
    {.field = "cookies",
     .type = JOBOPT_LIST,
     .dflt_text = "none",
     .flag = "--cookies",
     .metavar = "FILE",
     .want = "an array of Netscape cookie lines",
     .max_items = COOKIE_MAX_PER_JOB,
     .max_len = COOKIE_MAX_LINE,
     .check = cookie_line_check,
     .off = OFF(cookies),
     .help = "seed the job's cookie jar from a Netscape cookie file (repeatable)"},
    /* what a page leaves: docs/daemon.md, Content (content.jsonl.zst) */
    {.field = "save",
     .type = JOBOPT_STRING,
     .dflt_text = "none",
     .flag = "--save",
     .metavar = "KINDS",
     .want = "a comma-separated list of text, html, dom, markdown",
     .nonempty = 1,
     .check = save_check,
     .off = OFF(save),
     .help = "write these kinds of each page to content.jsonl.zst (text,html,dom,markdown)"},
    /* fields by selector: docs/daemon.md, Fields (common/fieldspec.h) */
    {.field = "extract",
     .type = JOBOPT_LIST,
     .dflt_text = "none",
     .flag = "--extract",
     .metavar = "NAME=SEL[@attr]",
     .want = "an array of NAME=SELECTOR[@attr]",
     .max_items = FIELDSPEC_MAX,
     .max_len = FIELDSPEC_MAX_LEN,
     .check = fieldspec_check,
     .check_list = fieldspec_list_check,
     .off = OFF(extract),
     .help = "record field NAME: the text (or @attr) of what SELECTOR matches (repeatable)"},
};
const size_t jobopts_count = sizeof(jobopts_table) / sizeof(jobopts_table[0]);

/* The request's fields that are not options. */
static const char *const plain_fields[] = {"cmd", "urls"};

static int *int_at(jobopts *o, const jobopt *opt) { return (int *)((char *)o + opt->off); }

static const char **str_at(jobopts *o, const jobopt *opt)
{
    return (const char **)((char *)o + opt->off);
}

static const json_t **list_at(jobopts *o, const jobopt *opt)
{
    return (const json_t **)((char *)o + opt->off);
}

void jobopts_init(jobopts *o)
{
    memset(o, 0, sizeof(*o));
    for (size_t i = 0; i < jobopts_count; i++)
        if (jobopts_table[i].type == JOBOPT_INT || jobopts_table[i].type == JOBOPT_BOOL)
            *int_at(o, &jobopts_table[i]) = jobopts_table[i].dflt;
}

const jobopt *jobopt_by_field(const char *name)
{
    for (size_t i = 0; i < jobopts_count; i++)
        if (strcmp(jobopts_table[i].field, name) == 0)
            return &jobopts_table[i];
    return NULL;
}

const char *jobopt_want(const jobopt *opt, char *buf, size_t cap)
{
    switch (opt->type) {
    case JOBOPT_INT:
        snprintf(buf, cap, "an integer %lld..%lld", opt->lo, opt->hi);
        break;
    case JOBOPT_BOOL:
        snprintf(buf, cap, "true or false");
        break;
    case JOBOPT_STRING:
        snprintf(buf, cap, "%s", opt->want);
        break;
    case JOBOPT_LIST:
        snprintf(buf, cap, "%s, at most %zu of at most %zu bytes", opt->want, opt->max_items,
                 opt->max_len);
        break;
    }
    return buf;
}

/* Checks one field's value into o: 0, or -1 with err naming the field. */
static int take_json(const jobopt *opt, const json_t *v, jobopts *o, char *err, size_t errlen)
{
    char want[128];
    switch (opt->type) {
    case JOBOPT_INT:
        if (!json_is_integer(v) || json_integer_value(v) < opt->lo ||
            json_integer_value(v) > opt->hi)
            goto bad;
        *int_at(o, opt) = (int)json_integer_value(v);
        return 0;
    case JOBOPT_BOOL:
        if (!json_is_boolean(v))
            goto bad;
        *int_at(o, opt) = json_is_true(v);
        return 0;
    case JOBOPT_STRING:
        if (!json_is_string(v) || (opt->nonempty && json_string_length(v) == 0))
            goto bad;
        if (opt->check && opt->check(json_string_value(v), err, errlen) < 0)
            return -1;
        *str_at(o, opt) = json_string_value(v);
        return 0;
    case JOBOPT_LIST:
        if (!json_is_array(v) || json_array_size(v) > opt->max_items)
            goto bad;
        for (size_t i = 0; i < json_array_size(v); i++) { /* the types first, */
            const json_t *e = json_array_get(v, i);
            if (!json_is_string(e) || json_string_length(e) > opt->max_len)
                goto bad;
        }
        for (size_t i = 0; i < json_array_size(v); i++) { /* then each value */
            const json_t *e = json_array_get(v, i);
            char why[320];
            if (opt->check && opt->check(json_string_value(e), why, sizeof(why)) < 0) {
                snprintf(err, errlen, "%s[%zu] (%s): %s", opt->field, i, opt->flag, why);
                return -1;
            }
        }
        if (opt->check_list) {
            char why[320];
            if (opt->check_list(v, why, sizeof(why)) < 0) {
                snprintf(err, errlen, "%s (%s): %s", opt->field, opt->flag, why);
                return -1;
            }
        }
        *list_at(o, opt) = v;
        return 0;
    }
bad:
    snprintf(err, errlen, "\"%s\" must be %s", opt->field, jobopt_want(opt, want, sizeof(want)));
    return -1;
}

/* "urls, depth, max_pages, …": the fields a request may carry. */
static void known_fields(char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < jobopts_count + 1; i++) {
        const char *f = i == 0 ? "urls" : jobopts_table[i - 1].field;
        int w = snprintf(buf + n, cap - n, "%s%s", i ? ", " : "", f);
        if (w < 0 || (size_t)w >= cap - n)
            return;
        n += (size_t)w;
    }
}

int jobopts_from_json(const json_t *req, jobopts *o, const json_t **urls, char *err, size_t errlen)
{
    jobopts_init(o);
    const json_t *u = json_object_get(req, "urls");
    /* a recrawl may give no URL: the earlier job's pages are its seeds */
    int recrawl = json_object_get(req, "since") != NULL;
    if (!json_is_array(u) || (json_array_size(u) == 0 && !recrawl)) {
        snprintf(err, errlen, "\"urls\" must be a non-empty array of strings");
        return -1;
    }
    for (size_t i = 0; i < json_array_size(u); i++) {
        if (!json_is_string(json_array_get(u, i))) {
            snprintf(err, errlen, "urls[%zu] is not a string", i);
            return -1;
        }
    }
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)req, key, v)
    {
        int plain = 0;
        for (size_t i = 0; i < sizeof(plain_fields) / sizeof(plain_fields[0]); i++)
            plain |= strcmp(key, plain_fields[i]) == 0;
        if (plain || jobopt_by_field(key))
            continue;
        char known[256];
        known_fields(known, sizeof(known));
        snprintf(err, errlen, "unknown field \"%.60s\" (known: %s)", key, known);
        return -1;
    }
    for (size_t i = 0; i < jobopts_count; i++) {
        const jobopt *opt = &jobopts_table[i];
        if ((v = json_object_get(req, opt->field)) && take_json(opt, v, o, err, errlen) < 0)
            return -1;
    }
    *urls = u;
    return 0;
}

/* The option one of whose flags is a; *value is what the flag sends for a
 * BOOL. NULL when a is no option's flag. */
static const jobopt *by_flag(const char *a, int *value)
{
    for (size_t i = 0; i < jobopts_count; i++) {
        const jobopt *opt = &jobopts_table[i];
        if (strcmp(a, opt->flag) == 0) {
            *value = 1;
            return opt;
        }
        if (opt->no_flag && strcmp(a, opt->no_flag) == 0) {
            *value = 0;
            return opt;
        }
    }
    return NULL;
}

/* Adds flag a's value val (NULL: none left) to req: 0, or -1 with err. */
static int take_flag(json_t *req, const jobopt *opt, const char *a, const char *val, char *err,
                     size_t errlen)
{
    char want[128];
    if (!val) {
        snprintf(err, errlen, "%s needs a value", a);
        return -1;
    }
    if (opt->type == JOBOPT_INT) {
        char *end;
        errno = 0;
        long long x = strtoll(val, &end, 10);
        if (errno || *end || end == val || x < opt->lo || x > opt->hi)
            goto bad;
        json_object_set_new(req, opt->field, json_integer((json_int_t)x));
        return 0;
    }
    if (opt->nonempty && !*val)
        goto bad;
    if (!utf8_valid(val, strlen(val))) {
        snprintf(err, errlen, "%s: the value is not valid UTF-8", a);
        return -1;
    }
    if (opt->type == JOBOPT_LIST) {
        json_t *arr = json_object_get(req, opt->field);
        if (!arr) {
            arr = json_array();
            if (!arr || json_object_set_new(req, opt->field, arr) < 0) {
                snprintf(err, errlen, "out of memory");
                return -1;
            }
        }
        if (json_array_size(arr) >= opt->max_items) {
            snprintf(err, errlen, "%s: given more than %zu times", a, opt->max_items);
            return -1;
        }
        if (strlen(val) > opt->max_len) {
            snprintf(err, errlen, "%s: \"%.60s…\" is longer than %zu bytes", a, val, opt->max_len);
            return -1;
        }
        json_array_append_new(arr, json_string(val));
        return 0;
    }
    json_object_set_new(req, opt->field, json_string(val));
    return 0;
bad:
    snprintf(err, errlen, "%s: \"%.200s\" is not %s", a, val, jobopt_want(opt, want, sizeof(want)));
    return -1;
}

json_t *jobopts_request(int argc, char *const *argv, char *err, size_t errlen)
{
    json_t *req = json_pack("{s:s}", "cmd", "submit");
    json_t *urls = json_array();
    if (!req || !urls) {
        snprintf(err, errlen, "out of memory");
        goto bad;
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int value;
        const jobopt *opt = by_flag(a, &value);
        if (opt && opt->type == JOBOPT_BOOL) {
            json_object_set_new(req, opt->field, json_boolean(value));
        } else if (opt) {
            if (take_flag(req, opt, a, i + 1 < argc ? argv[i + 1] : NULL, err, errlen) < 0)
                goto bad;
            i++;
        } else if (a[0] == '-' && a[1]) {
            snprintf(err, errlen, "submit: unknown option %.200s", a);
            goto bad;
        } else if (!utf8_valid(a, strlen(a))) {
            snprintf(err, errlen, "submit: URL argument %d is not valid UTF-8", i + 1);
            goto bad;
        } else
            json_array_append_new(urls, json_string(a));
    }
    if (json_array_size(urls) == 0 && !json_object_get(req, "since")) {
        snprintf(err, errlen, "submit: at least one URL is needed (or --since JOB)");
        goto bad;
    }
    json_object_set_new(req, "urls", urls);
    return req;
bad:
    json_decref(urls);
    json_decref(req);
    return NULL;
}

void jobopts_usage(FILE *f, const char *indent)
{
    for (size_t i = 0; i < jobopts_count; i++) {
        const jobopt *opt = &jobopts_table[i];
        char left[64], range[48] = "";
        if (opt->type == JOBOPT_BOOL && opt->no_flag)
            snprintf(left, sizeof(left), "%s|%s", opt->flag, opt->no_flag);
        else if (opt->type == JOBOPT_BOOL)
            snprintf(left, sizeof(left), "%s", opt->flag);
        else
            snprintf(left, sizeof(left), "%s %s", opt->flag, opt->metavar);
        if (opt->type == JOBOPT_INT)
            snprintf(range, sizeof(range), ", %lld..%lld", opt->lo, opt->hi);
        else if (opt->type == JOBOPT_LIST)
            snprintf(range, sizeof(range), ", at most %zu", opt->max_items);
        fprintf(f, "%s%-22s %s%s (default %s)\n", indent, left, opt->help, range, opt->dflt_text);
    }
}
