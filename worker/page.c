/* page — see page.h. */
#include "page.h"
#include "dom.h"
#include "fields.h"
#include "headers.h"
#include "jobopts.h"
#include "jar.h"
#include "js/js.h"
#include "scan.h"
#include "log.h"
#include "record.h"
#include "robots.h"
#include "sitemap.h"
#include "timefmt.h"
#include "url.h"
#include "warc.h"
#include "wire.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

double page_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* The network step between two long stretches of a page's work (serve's,
 * which also reads the channel), so transfers in flight go on. */
static void page_net_step(worker_env *e)
{
    if (e->net_step)
        e->net_step(e, 0);
    else
        fetch_step(e, -1, 0);
}

/* What a page's scripts may fetch (external scripts, fetch(), XHR): at most
 * PAGE_JS_MAX_FETCHES requests, each through the worker's curl handle with
 * the page's body cap and address rules, and no longer than the script
 * time left. */
#define PAGE_JS_MAX_FETCHES 64

typedef struct js_ctx {
    worker_env *e;
    page *p;
    double deadline_ms; /* page_now_ms() at which the JS budget is spent */
    page_jar jar;       /* a jar task's cookies while the scripts run (h NULL: none) */
} js_ctx;

static int host_request(void *ud, const js_request *req, js_response *out)
{
    js_ctx *c = ud;
    const char *url = req->url;
    page *p = c->p;
    memset(out, 0, sizeof(*out));
    if (p->js_fetches >= PAGE_JS_MAX_FETCHES) {
        out->error = arena_sprintf(p->a, "limit: more than %d requests from the page's scripts",
                                   PAGE_JS_MAX_FETCHES);
        return -1;
    }
    p->js_fetches++;
    long left = (long)(c->deadline_ms - page_now_ms());
    if (left < 1) {
        out->error = "timeout: the page's script time is spent";
        return -1;
    }
    fetch_opts fo = {.timeout_ms = left,
                     .max_body = p->task->max_body,
                     .max_redirects = p->task->max_redirects > 0 ? p->task->max_redirects : -1,
                     .keep_any = 1,
                     .method = req->method,
                     .req_body = req->body,
                     .req_body_len = req->body_len,
                     .req_headers = req->headers,
                     .n_req_headers = req->n_headers,
                     .session = &p->task->sess};
    size_t body_cap = fo.max_body ? fo.max_body : (size_t)c->e->cfg.max_body_mb << 20;
    if (req->body_len > body_cap) {
        out->error = "too_large: the request body passes the body cap";
        return -1;
    }
    if (c->jar.h) { /* the job's cookies go with it, and what it sets joins them */
        fo.jar = 1;
        fo.cookies = jar_lines(&c->jar, p->a);
    }
    fetch_result r;
    fetch_err fe = fetch_page(c->e, p->a, url, &fo, &r);
    if (c->jar.h && r.cookies)
        jar_apply(&c->jar, r.cookies);
    if (fe != FETCH_OK) {
        out->error =
            arena_sprintf(p->a, "%s: %s", fetch_err_word(r.err), r.err_detail ? r.err_detail : "");
        return -1;
    }
    out->status = r.status;
    out->body = r.body ? r.body : "";
    out->len = r.body ? r.body_len : 0;
    out->content_type = r.content_type;
    out->final_url = r.final_url;
    return 0;
}

static int host_fetch(void *ud, const char *url, js_response *out)
{
    js_request req = {.url = url, .method = "GET"};
    return host_request(ud, &req, out);
}

/* document.cookie, for the document at the page's final URL (jar.h). */
static const char *host_cookie_get(void *ud)
{
    js_ctx *c = ud;
    return jar_script_get(&c->jar, c->p->fetch.final_url);
}

static void host_cookie_set(void *ud, const char *s)
{
    js_ctx *c = ud;
    jar_script_set(&c->jar, c->p->fetch.final_url, s); /* refused: as in a browser, silently */
}

/* Called by the JS engine every few ms while the page's scripts run (the
 * watchdog requests an interrupt): the other pages' transfers go on. */
static void host_poll(void *ud)
{
    js_ctx *c = ud;
    page_net_step(c->e);
}

/* console.* and script errors go to the worker log at debug level (the
 * message is the log line's escaped msg; the URL goes in a key). */
static void host_log(void *ud, int level, const char *msg)
{
    js_ctx *c = ud;
    if (log_get_level() > LOG_DEBUG)
        return;
    const char *url = c->p->fetch.final_url ? c->p->fetch.final_url : c->p->task->url;
    static const char *names[] = {"debug", "info", "warn", "error"};
    log_debug("js", msg, "url=\"%s\" console=%s", url,
              names[level < 0   ? 0
                    : level > 3 ? 3
                                : level]);
}

/* Runs the page's scripts against the tree html_tree_build left in
 * p->doc.gumbo_output, editing it in place before html_tree_extract reads
 * it. Their time goes in p->js_ms. */
static void run_scripts(worker_env *e, page *p)
{
    double t0 = page_now_ms();
    js_runtime *rt = worker_env_js(e);
    if (!rt) {
        p->js_note = "js: no runtime (see the worker log)";
        return;
    }
    p->dom = dom_new(p->a, p->doc.gumbo_output, p->fetch.final_url);
    if (!p->dom) {
        p->js_note = "js: out of memory for the DOM";
        return;
    }
    js_ctx c = {.e = e, .p = p, .deadline_ms = t0 + (double)e->cfg.js_time_budget_ms};
    js_host host = {
        .ud = &c, .fetch = host_fetch, .request = host_request, .log = host_log, .poll = host_poll};
    /* A jar task: document.cookie reads and writes the job's cookies, as
     * the response left them; what the page changed, its response and its
     * scripts together, goes back in the result. Without a jar (no memory
     * for it, a page run by hand) the realm keeps its own. */
    if (p->task->jar && jar_open(&c.jar, p->task->cookies, p->fetch.cookies) == 0) {
        host.cookie_get = host_cookie_get;
        host.cookie_set = host_cookie_set;
    }
    js_page_result res;
    memset(&res, 0, sizeof(res));
    int rc = js_page_run(rt, p->dom, &host, &res);
    if (c.jar.h) {
        const char *changed = NULL;
        size_t n = 0;
        if (jar_changes(&c.jar, p->a, &changed, &n) == 0) { /* else the response's stand */
            p->fetch.cookies = changed;
            p->fetch.cookies_len = n;
        }
        jar_close(&c.jar);
    }
    if (rc < 0) {
        p->js_note = "js: no realm for the page";
        p->js_ms = page_now_ms() - t0;
        return;
    }
    p->js_ran = 1;
    p->js_scripts = res.scripts_run;
    p->js_failed = res.scripts_failed;
    p->js_skipped = res.scripts_skipped;
    if (res.missing) {
        const char *url = p->fetch.final_url ? p->fetch.final_url : p->task->url;
        log_info("js", "missing properties", "url=\"%s\" props=\"%s\"", url, res.missing);
    }
    p->js_timers = res.timers_fired;
    p->js_timed_out = res.timed_out;
    p->js_oom = res.out_of_memory;
    p->js_error = res.first_error;
    p->js_ms = page_now_ms() - t0;
}

/* The deepest element nesting (html_doc.max_depth from scan_sax, <html>
 * counting 1) at which a page's scripts still run. gumbo, which builds the
 * tree scripts need, scans its stack of open elements for most tags, so its
 * time grows with the square of the depth, past any page deadline at depths
 * of tens of thousands (docs/platform-notes.md has the figures; scan_sax
 * stays linear).
 * Browsers bound that depth too: Chromium's HTML parser
 * (HTMLConstructionSite::kMaximumHTMLParserDOMTreeDepth = 512) adds deeper
 * elements as siblings instead of children, so no page that works in
 * Chrome needs a parsed tree deeper than 512, and at 512 gumbo costs well
 * under a millisecond. Over it the page keeps the scan's answer (title,
 * links, text) and its scripts do not run. */
#define PAGE_JS_MAX_DEPTH 512

/* Why a page whose scan succeeded must not go through gumbo and its
 * scripts, or NULL. The scan has already refused an element with too many
 * attributes (gumbo's duplicate check is quadratic as well). libxml2's
 * depth is close to gumbo's, not equal: it closes some elements HTML5
 * keeps open (docs/worker.md), and what it misses is left to
 * gumbo_budget_ms. */
static const char *js_guard(page *p)
{
    if (p->doc.max_depth <= PAGE_JS_MAX_DEPTH)
        return NULL;
    const char *why = arena_sprintf(p->a, "js: skipped, nesting depth %zu over %d",
                                    p->doc.max_depth, PAGE_JS_MAX_DEPTH);
    return why ? why : "js: skipped, nesting depth over the limit";
}

/* How long gumbo may take to build a JS page's tree: PAGE_GUMBO_BUDGET_MS,
 * and no more than a tenth of page_timeout_ms. Past it the page keeps the
 * scan's answer without scripts, in this attempt, instead of running to the
 * page deadline max_attempts times (scan_sax's depth sees most quadratic
 * input, not all: see js_guard). 2 s is above what gumbo takes on an
 * ordinary page of max_body_mb's default size (docs/platform-notes.md),
 * and of the 7.5 s the default deadline
 * keeps after the fetch (30 s, 3/4 of it for the fetch) it leaves the
 * scripts their js_time_budget_ms (5 s). Over it the page only loses its
 * scripts. The tenth keeps the budget inside short deadlines: at
 * page_timeout_ms = 6000 gumbo gets 600 ms. */
#define PAGE_GUMBO_BUDGET_MS 2000

static long gumbo_budget_ms(const worker_env *e)
{
    long b = e->cfg.page_timeout_ms / 10;
    return b < 1 ? 1 : b > PAGE_GUMBO_BUDGET_MS ? PAGE_GUMBO_BUDGET_MS : b;
}

long page_gumbo_budget_ms(const worker_env *e) { return gumbo_budget_ms(e); }

static void page_fetch_opts(const page_task *t, fetch_opts *fo)
{
    fetch_opts o = {.timeout_ms = t->timeout_ms,
                    .max_body = t->max_body,
                    .max_redirects = t->max_redirects > 0 ? t->max_redirects : -1,
                    .keep_any = t->raw_body > 0 || t->warc || t->sitemap,
                    .capture = t->warc && t->raw_body == 0,
                    .session = &t->sess,
                    .jar = t->jar,
                    .cookies = t->cookies};
    *fo = o;
}

/* Recrawls: the earlier capture's validators as request header lines, in
 * the page arena (fetch_begin copies them); 0 lines when none. */
static int page_conditional(const page_task *t, arena *a, const char **lines)
{
    int n = 0;
    if (t->if_none_match && t->if_none_match[0] &&
        !t->if_none_match[strcspn(t->if_none_match, "\r\n")])
        lines[n++] = arena_sprintf(a, "If-None-Match: %s", t->if_none_match);
    if (t->if_modified_since && t->if_modified_since[0] &&
        !t->if_modified_since[strcspn(t->if_modified_since, "\r\n")])
        lines[n++] = arena_sprintf(a, "If-Modified-Since: %s", t->if_modified_since);
    for (int i = 0; i < n; i++)
        if (!lines[i])
            return 0; /* no room: an ordinary request */
    return n;
}

int page_begin(worker_env *e, const page_task *t, page *p, arena *a)
{
    memset(p, 0, sizeof(*p));
    p->task = t;
    p->a = a ? a : arena_pool_acquire(&e->pool, ARENA_POOL_LARGE, "page");
    if (!p->a)
        return -1;
    fetch_opts fo;
    page_fetch_opts(t, &fo);
    const char *cond[2];
    fo.n_req_headers = t->raw_body || t->sitemap ? 0 : page_conditional(t, p->a, cond);
    fo.req_headers = fo.n_req_headers ? cond : NULL;
    p->begun = fetch_begin(e, p->a, t->url, &fo, &p->fetch, &p->xfer, 0) == FETCH_OK;
    return 0;
}

int page_run(worker_env *e, const page_task *t, page *p)
{
    if (page_begin(e, t, p, NULL) < 0)
        return -1;
    if (p->begun)
        fetch_wait(e, &p->xfer);
    return page_finish(e, p);
}

/* The page's robots rules and canonical (page.h) from its HTML and its
 * response headers. X-Robots-Tag is read for every type (a PDF's noindex
 * is recorded); the agent it names is the user agent up to its '/'. */
static void page_rules(worker_env *e, page *p)
{
    const fetch_result *f = &p->fetch;
    const html_doc *d = p->parsed ? &p->doc : NULL;
    p->noindex = d && d->meta_noindex;
    p->nofollow = d && d->meta_nofollow;
    char agent[64];
    const char *ua = e->user_agent ? e->user_agent : "";
    snprintf(agent, sizeof(agent), "%.*s", (int)strcspn(ua, "/ "), ua);
    for (const char *l = f->x_robots; l && *l;) {
        const char *nl = strchr(l, '\n');
        size_t n = nl ? (size_t)(nl - l) : strlen(l);
        char *v = arena_strndup(p->a, l, n);
        if (v)
            headers_x_robots(v, agent, &p->noindex, &p->nofollow);
        l += n + (nl ? 1 : 0);
    }
    if (p->nofollow && p->parsed)
        p->doc.nlinks = 0; /* as with meta nofollow: no link in the record either */
    p->canonical = d && d->canonical ? d->canonical
                   : f->link         ? headers_link_canonical(p->a, f->link, f->final_url)
                                     : NULL;
    char *self = NULL;
    p->canonical_other = p->canonical && f->final_url &&
                         url_normalize(p->a, f->final_url, &self) == URL_OK &&
                         strcmp(self, p->canonical) != 0;
}

/* robots.txt read for its Sitemap: lines (docs/daemon.md, Sitemaps): each
 * normalised as a link is; none, on a seed's host: /sitemap.xml. */
static void read_robots_sitemaps(page *p)
{
    const page_task *t = p->task;
    const fetch_result *f = &p->fetch;
    p->sitemap_kind = "robots";
    p->sitemap_lists_sitemaps = 1;
    robots *r = NULL;
    size_t n = 0;
    if (f->status >= 200 && f->status < 300) {
        r = robots_parse(f->body ? f->body : "", f->body ? f->body_len : 0, "*");
        if (!r) {
            p->error = "nomem: reading robots.txt";
            return;
        }
        n = robots_sitemap_count(r);
    }
    p->sitemap_urls = arena_alloc(p->a, (n ? n : 1) * sizeof(char *));
    if (!p->sitemap_urls) {
        robots_free(r);
        p->error = "nomem: reading robots.txt";
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char *u = NULL;
        if (url_normalize(p->a, robots_sitemap(r, i), &u) == URL_OK)
            p->sitemap_urls[p->sitemap_nurls++] = u;
    }
    robots_free(r);
    char *u = NULL;
    if (p->sitemap_nurls == 0 && t->sitemap == WIRE_SITEMAP_ROBOTS_SEED &&
        url_resolve(p->a, t->url, "/sitemap.xml", &u) == URL_OK)
        p->sitemap_urls[p->sitemap_nurls++] = u;
}

/* A sitemap file: its URLs (pages, or sitemaps when it is an index) up to
 * the protocol's limits. truncated: the fetch stopped at its cap. */
static void read_sitemap(page *p, int truncated)
{
    const page_task *t = p->task;
    const fetch_result *f = &p->fetch;
    p->sitemap_kind = "sitemap";
    if (f->status < 200 || f->status >= 300)
        return; /* a 404 is no error (the record has its status) */
    double t0 = page_now_ms();
    sitemap_doc d;
    int rc = sitemap_parse(p->a, f->body ? f->body : "", f->body ? f->body_len : 0,
                           SITEMAP_MAX_URLS, SITEMAP_MAX_BYTES, truncated, &d);
    p->parse_ms = page_now_ms() - t0;
    if (rc < 0) {
        p->error = "nomem: reading the sitemap";
        return;
    }
    p->error = d.error;
    p->sitemap_lastmod = d.newest;
    if (d.kind == SITEMAP_NONE)
        return;
    p->sitemap_kind = d.kind == SITEMAP_INDEX ? "index" : "urlset";
    p->sitemap_lists_sitemaps = d.kind == SITEMAP_INDEX;
    int level = t->sitemap - WIRE_SITEMAP_FILE + 1;
    if (d.kind == SITEMAP_INDEX && level >= WIRE_SITEMAP_LEVELS && d.nurls) {
        p->error = arena_sprintf(p->a,
                                 "sitemap: an index %d levels down: its %zu sitemaps are not "
                                 "read (at most %d levels)",
                                 level, d.nurls, WIRE_SITEMAP_LEVELS);
        if (!p->error)
            p->error = "sitemap: an index nested too deep";
        return;
    }
    p->sitemap_urls = d.urls;
    p->sitemap_nurls = d.nurls;
}

/* --extract (docs/daemon.md, Fields): the record's fields, selected in the
 * tree the page's scripts left, else in a tree gumbo builds for them now
 * (a page without scripts is only tokenized), under the same guards as a
 * script page's tree: the scan's depth and the parser's time budget. A
 * page without a tree has every field null and fields_note says why. The
 * time counts in parse_ms. */
static void page_fields(worker_env *e, page *p)
{
    const page_task *t = p->task;
    double t0 = page_now_ms();
    dom *d = p->dom;
    void *tree = p->parsed ? p->doc.gumbo_output : NULL;
    if (!d && tree) {
        d = dom_new(p->a, tree, p->fetch.final_url);
    } else if (!d && !p->fetch.is_html) {
        p->fields_note = "extract: not an HTML page";
    } else if (!d && !p->parsed) {
        p->fields_note = "extract: the page did not parse";
    } else if (!d && t->js) { /* gumbo was tried and gave up: js_note says why */
        p->fields_note = "extract: no tree (see js_note)";
    } else if (!d && p->doc.max_depth > PAGE_JS_MAX_DEPTH) {
        p->fields_note = arena_sprintf(p->a, "extract: skipped, nesting depth %zu over %d",
                                       p->doc.max_depth, PAGE_JS_MAX_DEPTH);
    } else if (!d) {
        html_doc built;
        html_options ho = {.content_type_charset = p->fetch.charset,
                           .parse_budget_ms = gumbo_budget_ms(e)};
        html_err he = html_tree_build(p->a, p->fetch.body, p->fetch.body_len, &ho, &built);
        if (he == HTML_OK)
            d = dom_new(p->a, built.gumbo_output, p->fetch.final_url);
        else if (he != HTML_NOMEM)
            p->fields_note = arena_sprintf(p->a, "extract: no tree, %s",
                                           built.parse_error ? built.parse_error : "parse failed");
    }
    if (!d && !p->fields_note)
        p->fields_note = "extract: out of memory for the tree";
    if (fields_extract(p->a, d, t->extract, &p->fields, &p->fields_cut) < 0) {
        p->fields = p->fields_cut = NULL;
        p->fields_note = "extract: out of memory";
    }
    p->parse_ms += page_now_ms() - t0;
}

int page_finish(worker_env *e, page *p)
{
    const page_task *t = p->task;
    fetch_opts fo;
    page_fetch_opts(t, &fo);
    fetch_err fe = p->begun ? fetch_finish(&p->xfer) : p->fetch.err;
    if (fe == FETCH_TOO_LARGE && t->sitemap >= WIRE_SITEMAP_FILE && p->fetch.body) {
        /* Over the protocol's size: the URLs before the cap are kept. */
        read_sitemap(p, 1);
        if (!p->error)
            p->error = "too_large: the sitemap passed its cap";
        return 0;
    }
    if (fe != FETCH_OK) {
        p->error = arena_sprintf(p->a, "%s: %s", fetch_err_word(p->fetch.err),
                                 p->fetch.err_detail ? p->fetch.err_detail : "");
        if (t->sitemap)
            p->sitemap_kind = t->sitemap < WIRE_SITEMAP_FILE ? "robots" : "sitemap";
        return 1;
    }
    if (t->sitemap) {
        if (t->sitemap < WIRE_SITEMAP_FILE)
            read_robots_sitemaps(p);
        else
            read_sitemap(p, 0);
        return 0;
    }
    if (p->fetch.is_html && t->raw_body == 0) {
        double t0 = page_now_ms();
        html_options ho = {.content_type_charset = p->fetch.charset,
                           .want_text = t->want_text || (t->save & JOBOPT_SAVE_TEXT)};
        /* No scripts: no tree needed, the lexer gives the same html_doc.
         * With scripts libxml2's scan runs first, as gumbo's guard (its
         * depth is close to the tree's; the lexer builds no tree). */
        html_err he = (t->js ? scan_sax : scan_lex)(p->a, p->fetch.final_url, p->fetch.body,
                                                    p->fetch.body_len, &ho, &p->doc);
        if (he == HTML_OK && t->js && !(p->js_note = js_guard(p))) {
            /* The scripts run between the two steps: the record's links
             * and text are those of the document they leave. */
            html_doc scanned = p->doc;
            ho.parse_budget_ms = gumbo_budget_ms(e);
            he = html_tree_build(p->a, p->fetch.body, p->fetch.body_len, &ho, &p->doc);
            if (he == HTML_OK) {
                page_net_step(e);
                run_scripts(e, p);
                he = html_tree_extract(p->a, p->fetch.final_url, &ho, &p->doc);
            }
            if ((he == HTML_PARSE || he == HTML_TOO_SLOW) && !p->js_ran) {
                /* gumbo gave no tree (it aborted, or ran past its budget):
                 * the scan's answer stands. */
                p->js_note = p->doc.parse_error
                                 ? arena_sprintf(p->a, "js: skipped, %s", p->doc.parse_error)
                                 : NULL;
                if (!p->js_note)
                    p->js_note = "js: skipped, the HTML parser failed";
                p->doc = scanned;
                he = HTML_OK;
            }
        }
        if (!t->js && t->js_off)
            p->js_note = t->js_off;
        p->parse_ms = page_now_ms() - t0 - p->js_ms;
        if (he == HTML_OK)
            p->parsed = 1;
        else
            p->error = arena_sprintf(p->a, "parse: %s",
                                     he == HTML_NOMEM     ? "out of memory"
                                     : p->doc.parse_error ? p->doc.parse_error
                                                          : "parser failed");
    }
    if (t->extract && t->raw_body == 0)
        page_fields(e, p);
    page_rules(e, p);
    if (fo.capture)
        page_build_warc(p);
    return 0;
}

/* A 304 answering the recrawl's conditional request. */
static int page_not_modified(const page *p)
{
    const page_task *t = p->task;
    return p->fetch.status == 304 && (t->if_none_match || t->if_modified_since);
}

int page_build_warc(page *p)
{
    const fetch_result *f = &p->fetch;
    warc_buf out = {.a = p->a};
    warc_buf head = {0}; /* process allocator: out stays the arena's newest block */
    /* the header blocks with Cookie and Set-Cookie values redacted */
    warc_buf req = {0}, resp = {0};
    int records = 0, rc = -1;
    for (const fetch_exchange *ex = f->exchanges; ex; ex = ex->next) {
        if (ex->status < 100 || !ex->resp_done || !ex->req_len)
            continue; /* no complete response (cannot happen on a fetch that succeeded) */
        int last = ex->next == NULL;
        const char *payload = last && f->body ? f->body : "";
        size_t plen = last && f->body ? f->body_len : 0;
        char req_id[WARC_ID_SIZE], resp_id[WARC_ID_SIZE], date[WARC_DATE_SIZE];
        char req_digest[WARC_DIGEST_SIZE], block_digest[WARC_DIGEST_SIZE],
            payload_digest[WARC_DIGEST_SIZE];
        head.len = req.len = resp.len = 0;
        if (warc_record_id(req_id) < 0 || warc_record_id(resp_id) < 0) {
            p->warc_error = "warc: no random bytes for a record id";
            goto out;
        }
        warc_date(date, &ex->sent);
        if (warc_redact_cookies(&req, ex->req, ex->req_len) < 0 ||
            warc_redact_cookies(&resp, ex->resp, ex->resp_len) < 0 ||
            warc_http_response_head(&head, resp.p, resp.len, plen) < 0)
            goto nomem;
        if (warc_sha1_b32(req.p, req.len, NULL, 0, req_digest) < 0 ||
            warc_sha1_b32(head.p, head.len, payload, plen, block_digest) < 0 ||
            warc_sha1_b32(payload, plen, NULL, 0, payload_digest) < 0) {
            p->warc_error = "warc: sha1 failed";
            goto out;
        }
        const char *ip = ex->ip[0] ? ex->ip : NULL;
        /* A 304 to a recrawl's conditional request: a revisit record of
         * the server-not-modified profile, its block the HTTP header block
         * alone, pointing at the earlier capture (docs/worker.md). */
        int revisit = last && ex->status == 304 && page_not_modified(p);
        if (last)
            p->warc_date = arena_strdup(p->a, date);
        if (last && !revisit && plen > 0) /* crawld's digest check (docs/daemon.md) */
            p->payload_digest = arena_strdup(p->a, payload_digest);
        warc_field rv[] = {{"WARC-Record-ID", resp_id},
                           {"WARC-Date", date},
                           {"WARC-Target-URI", ex->url},
                           {"WARC-IP-Address", ip},
                           {"WARC-Profile", WARC_PROFILE_NOT_MODIFIED},
                           {"WARC-Refers-To-Target-URI", ex->url},
                           {"WARC-Refers-To-Date", p->task->refers_to_date},
                           {"WARC-Block-Digest", block_digest},
                           {"Content-Type", "application/http;msgtype=response"}};
        warc_field rq[] = {{"WARC-Record-ID", req_id},
                           {"WARC-Date", date},
                           {"WARC-Target-URI", ex->url},
                           {"WARC-Concurrent-To", resp_id},
                           {"WARC-IP-Address", ip},
                           {"WARC-Block-Digest", req_digest},
                           {"Content-Type", "application/http;msgtype=request"}};
        warc_field rs[] = {{"WARC-Record-ID", resp_id},
                           {"WARC-Date", date},
                           {"WARC-Target-URI", ex->url},
                           {"WARC-IP-Address", ip},
                           {"WARC-Block-Digest", block_digest},
                           {"WARC-Payload-Digest", payload_digest},
                           {"Content-Type", "application/http;msgtype=response"}};
        if (warc_append_record(&out, "request", rq, sizeof(rq) / sizeof(rq[0]), req.p, req.len,
                               NULL, 0) < 0)
            goto nomem;
        if (revisit ? warc_append_record(&out, "revisit", rv, sizeof(rv) / sizeof(rv[0]), head.p,
                                         head.len, NULL, 0) < 0
                    : warc_append_record(&out, "response", rs, sizeof(rs) / sizeof(rs[0]), head.p,
                                         head.len, payload, plen) < 0)
            goto nomem;
        records += 2;
    }
    if (records == 0) {
        p->warc_error = "warc: no complete exchange to record";
        goto out;
    }
    p->warc = out.p;
    p->warc_len = out.len;
    p->warc_records = records;
    rc = 0;
    goto out;
nomem:
    p->warc_error = "warc: out of memory building the records";
out:
    warc_buf_release(&head);
    warc_buf_release(&req);
    warc_buf_release(&resp);
    return rc;
}

char *page_result_json(page *p, size_t *len)
{
    const page_task *t = p->task;
    const fetch_result *f = &p->fetch;
    const html_doc *d = p->parsed ? &p->doc : NULL;
    char ts[TIMEFMT_ISO_SIZE];
    timefmt_iso_now(ts, sizeof(ts));
    record_js js = {.scripts = p->js_scripts,
                    .failed = p->js_failed,
                    .skipped = p->js_skipped,
                    .timers = p->js_timers,
                    .fetches = p->js_fetches,
                    .timed_out = p->js_timed_out,
                    .out_of_memory = p->js_oom,
                    .error = p->js_error};
    record r = {
        .task_id = t->for_job ? 0 : t->task_id,
        .job_id = t->job_id,
        .url = t->url,
        .final_url = f->final_url,
        .status = f->status,
        .content_type = f->mime,
        .depth = t->depth,
        .title = d ? d->title : NULL,
        .links = {d ? d->links : NULL, d ? d->nlinks : 0},
        .js = p->js_ran,
        .js_stats = p->js_ran ? &js : NULL,
        .js_note = p->js_ran ? NULL : p->js_note,
        .bytes = (long long)f->body_len,
        .wire_bytes = (long long)f->wire_bytes,
        .fetch_ms = f->fetch_ms,
        .parse_ms = p->parse_ms,
        .js_ms = p->js_ms,
        .error = p->error,
        .statuses = {f->hop_status, (size_t)(f->hops < 0                ? 0
                                             : f->hops > FETCH_MAX_HOPS ? FETCH_MAX_HOPS
                                                                        : f->hops)},
        .redirects = f->redirects,
        .http_version = f->http_version,
        .warc_records = p->warc ? p->warc_records : 0,
        .warc_error = p->warc ? NULL : p->warc_error,
        .ts = ts,
        .canonical = p->canonical,
        .noindex = p->noindex,
        .nofollow = p->nofollow,
        .nofollow_links = d ? (long long)d->nofollow_links : 0,
        .skipped_links = d ? (long long)d->skipped_links : 0,
        .charset = d ? d->charset : NULL,
        .charset_note = d ? d->charset_note : NULL,
        .text_len = d ? (long long)d->text_len : 0,
        .text = d && t->want_text ? d->text : NULL,
        .parent = t->parent,
        .attempts = t->attempts,
        /* a sitemap's URLs go in the result's links section, not the record */
        .sitemap = p->sitemap_kind,
        .sitemap_urls = (long long)p->sitemap_nurls,
        .sitemap_lastmod = p->sitemap_lastmod,
        /* recrawls: a 304 keeps the validators it was asked with unless it
         * sent new ones, and says which capture it stands for */
        .etag = f->etag                ? f->etag
                : page_not_modified(p) ? t->if_none_match
                                       : NULL,
        .last_modified = f->last_modified       ? f->last_modified
                         : page_not_modified(p) ? t->if_modified_since
                                                : NULL,
        .not_modified = page_not_modified(p),
        .refers_to_date = page_not_modified(p) ? t->refers_to_date : NULL,
        .warc_date = p->warc ? p->warc_date : NULL,
        .payload_digest = p->warc ? p->payload_digest : NULL,
        .retry_after_s = f->retry_after_s > 0 ? f->retry_after_s : 0,
        /* --extract */
        .fields = p->fields,
        .fields_cut = p->fields_cut,
        .fields_note = p->fields_note,
    };
    /* A raw fetch's body (robots.txt) goes in the result's body section
     * (serve.c), not in the record. */
    record_buf b = {.a = p->a};
    if (record_write(&b, &r) < 0)
        return NULL;
    if (len)
        *len = b.len;
    return b.p; /* in the page arena */
}

void page_end(worker_env *e, page *p)
{
    fetch_release(e, &p->xfer);
    /* p may live in its own arena (serve.c's slots): cleared before the
     * arena goes back, never written after. */
    arena *a = p->a;
    memset(p, 0, sizeof(*p));
    if (a)
        arena_pool_release(&e->pool, a);
}
