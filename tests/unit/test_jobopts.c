/* Check suite: jobopts — the table of submit options: every range's edges,
 * wrong types, unknown fields, and crawlctl's flags (jobopts_request) and
 * crawld's check (jobopts_from_json) giving the same verdict for a value. */
#include "jobopts.h"
#include "scope.h"

#include <check.h>

#include "testutil.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED "http://127.0.0.1/"

/* A request with one seed and field = v (v stolen; NULL: no field). */
static json_t *request_with(const char *field, json_t *v)
{
    json_t *req = json_pack("{s:s, s:[s]}", "cmd", "submit", "urls", SEED);
    ck_assert_ptr_nonnull(req);
    if (field)
        json_object_set_new(req, field, v);
    return req;
}

/* The request of the last daemon_check: o's strings are borrowed from it,
 * so it lives until the next call (or the test's end). */
static json_t *last_req;

static void release_last(void)
{
    json_decref(last_req);
    last_req = NULL;
}

/* crawld's verdict on field = v: 0 or -1, the options in o, the error in err. */
static int daemon_check(const char *field, json_t *v, jobopts *o, char *err, size_t cap)
{
    release_last();
    last_req = request_with(field, v);
    const json_t *urls = NULL;
    err[0] = '\0';
    int rc = jobopts_from_json(last_req, o, &urls, err, cap);
    if (rc == 0)
        ck_assert_int_eq(json_array_size(urls), 1);
    return rc;
}

/* crawlctl's verdict on `submit FLAG VALUE SEED` (value NULL: the flag
 * alone): the request, or NULL with err. */
static json_t *ctl_parse(const char *flag, const char *value, char *err, size_t cap)
{
    char *argv[4];
    int argc = 0;
    argv[argc++] = (char *)flag;
    if (value)
        argv[argc++] = (char *)value;
    argv[argc++] = (char *)SEED;
    argv[argc] = NULL;
    err[0] = '\0';
    return jobopts_request(argc, argv, err, cap);
}

static int opt_int(const jobopts *o, const jobopt *opt)
{
    return *(const int *)((const char *)o + opt->off);
}

static const char *opt_str(const jobopts *o, const jobopt *opt)
{
    return *(const char *const *)((const char *)o + opt->off);
}

#define ck_assert_has(hay, needle)                                                                 \
    ck_assert_msg(strstr((hay), (needle)) != NULL, "\"%s\" does not say \"%s\"", (hay), (needle))

START_TEST(table_is_sound)
{
    ck_assert_uint_gt(jobopts_count, 0);
    for (size_t i = 0; i < jobopts_count; i++) {
        const jobopt *a = &jobopts_table[i];
        ck_assert_ptr_nonnull(a->field);
        ck_assert_msg(a->flag && strncmp(a->flag, "--", 2) == 0, "%s: flag %s", a->field, a->flag);
        ck_assert_msg(a->help && *a->help && a->dflt_text, "%s: help and default text", a->field);
        ck_assert_ptr_eq(jobopt_by_field(a->field), a);
        ck_assert_msg(strcmp(a->field, "urls") && strcmp(a->field, "cmd"), "%s is reserved",
                      a->field);
        if (a->type == JOBOPT_INT) {
            ck_assert_msg(a->lo <= a->hi && a->hi <= INT_MAX, "%s: range", a->field);
            ck_assert_msg(a->dflt == JOBOPT_FROM_CONFIG || (a->dflt >= a->lo && a->dflt <= a->hi),
                          "%s: default %d outside %lld..%lld", a->field, a->dflt, a->lo, a->hi);
            ck_assert_ptr_nonnull(a->metavar);
        }
        if (a->type == JOBOPT_STRING)
            ck_assert_msg(a->want && a->metavar, "%s: want and metavar", a->field);
        if (a->type == JOBOPT_LIST)
            ck_assert_msg(a->want && a->metavar && a->max_items && a->max_len && !a->no_flag,
                          "%s: want, metavar and limits", a->field);
        if (a->type == JOBOPT_BOOL)
            ck_assert_msg(a->dflt == JOBOPT_FROM_CONFIG || a->dflt == 0 || a->dflt == 1,
                          "%s: default", a->field);
        for (size_t k = 0; k < i; k++) {
            const jobopt *b = &jobopts_table[k];
            ck_assert_str_ne(a->field, b->field);
            ck_assert_str_ne(a->flag, b->flag);
            ck_assert(!a->no_flag || !b->no_flag || strcmp(a->no_flag, b->no_flag) != 0);
        }
    }
    ck_assert_ptr_null(jobopt_by_field("max-pages"));
    ck_assert_ptr_null(jobopt_by_field("urls"));
}
END_TEST

START_TEST(defaults)
{
    jobopts o;
    jobopts_init(&o);
    ck_assert_int_eq(o.depth, 3);
    ck_assert_int_eq(o.max_pages, 1000);
    ck_assert_int_eq(o.js, JOBOPT_FROM_CONFIG);
    ck_assert_int_eq(o.delay_ms, JOBOPT_FROM_CONFIG);
    ck_assert_int_eq(o.obey_robots, JOBOPT_FROM_CONFIG);
    ck_assert_int_eq(o.warc, 0);
    ck_assert_int_eq(o.sitemaps, 0); /* sitemaps: off unless asked */
    ck_assert_ptr_null(o.scope);
    ck_assert_ptr_null(o.name);
    ck_assert_ptr_null(o.output);
    ck_assert_ptr_null(o.exclude);
    ck_assert_ptr_null(o.include);
    ck_assert_int_eq(o.canonical, 0);
    /* A request with its URLs alone gets the same, whatever o held. */
    char err[320];
    memset(&o, 0x5a, sizeof(o));
    ck_assert_int_eq(daemon_check(NULL, NULL, &o, err, sizeof(err)), 0);
    ck_assert_int_eq(o.depth, 3);
    ck_assert_int_eq(o.js, JOBOPT_FROM_CONFIG);
    ck_assert_ptr_null(o.output);
}
END_TEST

/* Every integer option: lo-1 and hi+1 refused, lo, lo+1, hi-1, hi taken,
 * by crawld and by crawlctl alike; each refusal names the option and its
 * range. */
START_TEST(int_range_edges_both_sides)
{
    int n_int = 0;
    for (size_t i = 0; i < jobopts_count; i++) {
        const jobopt *opt = &jobopts_table[i];
        if (opt->type != JOBOPT_INT)
            continue;
        n_int++;
        char range[64];
        snprintf(range, sizeof(range), "an integer %lld..%lld", opt->lo, opt->hi);
        long long vals[] = {opt->lo - 1, opt->lo,     opt->lo + 1, opt->hi - 1,
                            opt->hi,     opt->hi + 1, LLONG_MIN,   LLONG_MAX};
        for (size_t k = 0; k < sizeof(vals) / sizeof(vals[0]); k++) {
            long long v = vals[k];
            int in = v >= opt->lo && v <= opt->hi;
            char err[320], cerr[320], want[400], s[32];
            jobopts o;
            int drc = daemon_check(opt->field, json_integer((json_int_t)v), &o, err, sizeof(err));
            ck_assert_msg((drc == 0) == in, "%s = %lld: crawld says %s", opt->field, v,
                          drc ? err : "ok");
            if (in) {
                ck_assert_int_eq(opt_int(&o, opt), v);
            } else {
                snprintf(want, sizeof(want), "\"%s\" must be %s", opt->field, range);
                ck_assert_str_eq(err, want);
            }
            snprintf(s, sizeof(s), "%lld", v);
            json_t *req = ctl_parse(opt->flag, s, cerr, sizeof(cerr));
            ck_assert_msg((req != NULL) == in, "%s %s: crawlctl says %s", opt->flag, s,
                          req ? "ok" : cerr);
            if (req) {
                /* What crawlctl sends is what crawld reads back. */
                ck_assert_int_eq(json_integer_value(json_object_get(req, opt->field)), v);
                const json_t *urls;
                ck_assert_int_eq(jobopts_from_json(req, &o, &urls, err, sizeof(err)), 0);
                ck_assert_int_eq(opt_int(&o, opt), v);
                json_decref(req);
            } else {
                snprintf(want, sizeof(want), "%s: \"%s\" is not %s", opt->flag, s, range);
                ck_assert_str_eq(cerr, want);
            }
        }
    }
    ck_assert_int_ge(n_int, 3); /* depth, max_pages, delay_ms */
}
END_TEST

START_TEST(int_flag_garbage_named)
{
    const char *bad[] = {"", "abc", "3x", "1.5", "0x10", "99999999999999999999999"};
    for (size_t i = 0; i < jobopts_count; i++) {
        const jobopt *opt = &jobopts_table[i];
        if (opt->type != JOBOPT_INT)
            continue;
        for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
            char err[320];
            json_t *req = ctl_parse(opt->flag, bad[k], err, sizeof(err));
            ck_assert_msg(req == NULL, "%s \"%s\" taken", opt->flag, bad[k]);
            ck_assert_has(err, opt->flag);
            ck_assert_has(err, "is not an integer");
        }
    }
}
END_TEST

START_TEST(flag_without_value)
{
    for (size_t i = 0; i < jobopts_count; i++) {
        const jobopt *opt = &jobopts_table[i];
        if (opt->type == JOBOPT_BOOL)
            continue;
        char *argv[] = {(char *)SEED, (char *)opt->flag, NULL};
        char err[320], want[96];
        ck_assert_ptr_null(jobopts_request(2, argv, err, sizeof(err)));
        snprintf(want, sizeof(want), "%s needs a value", opt->flag);
        ck_assert_str_eq(err, want);
    }
}
END_TEST

/* A value of the wrong JSON type is refused, naming the field and what it
 * must be. */
START_TEST(wrong_types_named)
{
    for (size_t i = 0; i < jobopts_count; i++) {
        const jobopt *opt = &jobopts_table[i];
        json_t *wrong[8];
        size_t n = 0;
        switch (opt->type) {
        case JOBOPT_INT:
            wrong[n++] = json_string("5");
            wrong[n++] = json_real(5.0);
            wrong[n++] = json_true();
            wrong[n++] = json_null();
            break;
        case JOBOPT_BOOL:
            wrong[n++] = json_integer(1);
            wrong[n++] = json_string("true");
            wrong[n++] = json_null();
            break;
        case JOBOPT_STRING:
            wrong[n++] = json_integer(5);
            wrong[n++] = json_true();
            wrong[n++] = json_null();
            wrong[n++] = json_pack("[s]", "x");
            break;
        case JOBOPT_LIST: {
            wrong[n++] = json_string("x");
            wrong[n++] = json_null();
            wrong[n++] = json_pack("[s, i]", "x", 1);
            json_t *many = json_array(); /* one value too many */
            for (size_t m = 0; m <= opt->max_items; m++)
                json_array_append_new(many, json_string("x"));
            wrong[n++] = many;
            char *big = calloc(1, opt->max_len + 2); /* one byte too long */
            memset(big, 'a', opt->max_len + 1);
            wrong[n++] = json_pack("[s]", big);
            free(big);
            break;
        }
        }
        wrong[n++] = json_object();
        for (size_t k = 0; k < n; k++) {
            char err[320], want[192], w[128];
            jobopts o;
            ck_assert_int_eq(daemon_check(opt->field, wrong[k], &o, err, sizeof(err)), -1);
            snprintf(want, sizeof(want), "\"%s\" must be %s", opt->field,
                     jobopt_want(opt, w, sizeof(w)));
            ck_assert_str_eq(err, want);
        }
    }
}
END_TEST

START_TEST(unknown_fields_named)
{
    const char *unknown[] = {"maxpages", "max-pages", "Depth", "per_host_concurrency", ""};
    for (size_t k = 0; k < sizeof(unknown) / sizeof(unknown[0]); k++) {
        char err[320], want[96];
        jobopts o;
        ck_assert_int_eq(daemon_check(unknown[k], json_integer(5), &o, err, sizeof(err)), -1);
        snprintf(want, sizeof(want), "unknown field \"%s\" (known: urls, ", unknown[k]);
        ck_assert_has(err, want);
        for (size_t i = 0; i < jobopts_count; i++) /* the error lists what is known */
            ck_assert_has(err, jobopts_table[i].field);
    }
    /* An unknown flag, named. */
    char err[320];
    ck_assert_ptr_null(ctl_parse("--max_pages", "5", err, sizeof(err)));
    ck_assert_str_eq(err, "submit: unknown option --max_pages");
}
END_TEST

START_TEST(urls_checked)
{
    const char *cases[] = {
        "{\"cmd\":\"submit\"}",
        "{\"cmd\":\"submit\",\"urls\":[]}",
        "{\"cmd\":\"submit\",\"urls\":\"http://a/\"}",
        "{\"cmd\":\"submit\",\"urls\":[\"http://a/\",7]}",
    };
    const char *want[] = {
        "\"urls\" must be a non-empty array of strings",
        "\"urls\" must be a non-empty array of strings",
        "\"urls\" must be a non-empty array of strings",
        "urls[1] is not a string",
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        json_t *req = json_loads(cases[k], 0, NULL);
        ck_assert_ptr_nonnull(req);
        jobopts o;
        const json_t *urls;
        char err[320];
        ck_assert_int_eq(jobopts_from_json(req, &o, &urls, err, sizeof(err)), -1);
        ck_assert_str_eq(err, want[k]);
        json_decref(req);
    }
    char err[320];
    char *argv[] = {(char *)"--depth", (char *)"1", NULL};
    ck_assert_ptr_null(jobopts_request(2, argv, err, sizeof(err)));
    ck_assert_str_eq(err, "submit: at least one URL is needed (or --since JOB)");
    /* a recrawl may give none: the earlier job's pages are its seeds */
    char *rargv[] = {(char *)"--since", (char *)"4", NULL};
    json_t *rq = jobopts_request(2, rargv, err, sizeof(err));
    ck_assert_ptr_nonnull(rq);
    ck_assert_int_eq(json_array_size(json_object_get(rq, "urls")), 0);
    jobopts o;
    const json_t *urls;
    ck_assert_int_eq(jobopts_from_json(rq, &o, &urls, err, sizeof(err)), 0);
    ck_assert_int_eq(o.since, 4);
    json_decref(rq);
    char *bad[] = {(char *)"--since", (char *)"x", NULL};
    ck_assert_ptr_null(jobopts_request(2, bad, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "--since"));
}
END_TEST

/* A value that is not UTF-8 is refused by name, never dropped from the
 * request (jansson's json_string answers NULL for it). */
START_TEST(non_utf8_values_named)
{
    char err[320];
    char *bad_url[] = {(char *)"--depth", (char *)"1", (char *)"http://a/\xff", NULL};
    ck_assert_ptr_null(jobopts_request(3, bad_url, err, sizeof(err)));
    ck_assert_str_eq(err, "submit: URL argument 3 is not valid UTF-8");
    char *bad_name[] = {(char *)"--name", (char *)"a\xc3", (char *)"http://a/", NULL};
    ck_assert_ptr_null(jobopts_request(3, bad_name, err, sizeof(err)));
    ck_assert_str_eq(err, "--name: the value is not valid UTF-8");
    char *good[] = {(char *)"--name", (char *)"caf\xc3\xa9", (char *)"http://a/", NULL};
    json_t *req = jobopts_request(3, good, err, sizeof(err));
    ck_assert_ptr_nonnull(req);
    ck_assert_str_eq(json_string_value(json_object_get(req, "name")), "caf\xc3\xa9");
    ck_assert_int_eq(json_array_size(json_object_get(req, "urls")), 1);
    json_decref(req);
}
END_TEST

/* Boolean flags send true or false; the last one given wins; crawld reads
 * back what was sent. */
START_TEST(bool_flags)
{
    for (size_t i = 0; i < jobopts_count; i++) {
        const jobopt *opt = &jobopts_table[i];
        if (opt->type != JOBOPT_BOOL)
            continue;
        char err[320];
        for (int neg = 0; neg < 2; neg++) {
            const char *flag = neg ? opt->no_flag : opt->flag;
            if (!flag)
                continue;
            json_t *req = ctl_parse(flag, NULL, err, sizeof(err));
            ck_assert_msg(req != NULL, "%s: %s", flag, err);
            ck_assert(json_is_boolean(json_object_get(req, opt->field)));
            ck_assert_int_eq(json_is_true(json_object_get(req, opt->field)), !neg);
            jobopts o;
            const json_t *urls;
            ck_assert_int_eq(jobopts_from_json(req, &o, &urls, err, sizeof(err)), 0);
            ck_assert_int_eq(opt_int(&o, opt), !neg);
            json_decref(req);
        }
        if (opt->no_flag) {
            char *argv[] = {(char *)opt->flag, (char *)SEED, (char *)opt->no_flag, NULL};
            json_t *req = jobopts_request(3, argv, err, sizeof(err));
            ck_assert_ptr_nonnull(req);
            ck_assert(json_is_false(json_object_get(req, opt->field)));
            json_decref(req);
        }
    }
}
END_TEST

/* Strings: --output "" refused on both sides, --name "" taken on both; a
 * scope is checked by crawld alone (crawlctl's exit status then says the
 * daemon refused), naming what was wrong. */
START_TEST(string_options)
{
    char err[320], cerr[320];
    jobopts o;
    const jobopt *out = jobopt_by_field("output"), *name = jobopt_by_field("name"),
                 *scope = jobopt_by_field("scope");
    ck_assert(out && name && scope);
    ck_assert_int_eq(daemon_check("output", json_string(""), &o, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "\"output\" must be a directory name");
    ck_assert_ptr_null(ctl_parse("--output", "", cerr, sizeof(cerr)));
    ck_assert_str_eq(cerr, "--output: \"\" is not a directory name");
    ck_assert_int_eq(daemon_check("output", json_string("named/run1"), &o, err, sizeof(err)), 0);
    ck_assert_str_eq(o.output, "named/run1");

    ck_assert_int_eq(daemon_check("name", json_string(""), &o, err, sizeof(err)), 0);
    json_t *req = ctl_parse("--name", "", cerr, sizeof(cerr));
    ck_assert_ptr_nonnull(req);
    ck_assert_str_eq(json_string_value(json_object_get(req, "name")), "");
    json_decref(req);

    const char *good[] = {"host", "domain", "prefix", "regex:^http://a/"};
    for (size_t k = 0; k < sizeof(good) / sizeof(good[0]); k++) {
        ck_assert_int_eq(daemon_check("scope", json_string(good[k]), &o, err, sizeof(err)), 0);
        ck_assert_str_eq(opt_str(&o, scope), good[k]);
    }
    const char *bad[] = {"hots", "regex:(", ""};
    const char *says[] = {"hots", "regex", "scope"};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        ck_assert_int_eq(daemon_check("scope", json_string(bad[k]), &o, err, sizeof(err)), -1);
        ck_assert_has(err, says[k]);
        /* crawlctl passes it on; what crawld then says is the verdict. */
        req = ctl_parse("--scope", bad[k], cerr, sizeof(cerr));
        ck_assert_ptr_nonnull(req);
        const json_t *urls;
        ck_assert_int_eq(jobopts_from_json(req, &o, &urls, cerr, sizeof(cerr)), -1);
        ck_assert_str_eq(cerr, err);
        json_decref(req);
    }
}
END_TEST

/* --save: a comma-separated list of kinds into a mask; an unknown, empty
 * or repeated kind refused naming it, by crawld (crawlctl passes it on). */
START_TEST(save_kinds)
{
    char err[320];
    int m = -1;
    ck_assert_int_eq(jobopts_save_mask("text,html,dom,markdown", &m, err, sizeof(err)), 0);
    ck_assert_int_eq(m, JOBOPT_SAVE_ALL);
    ck_assert_int_eq(jobopts_save_mask("markdown", &m, err, sizeof(err)), 0);
    ck_assert_int_eq(m, JOBOPT_SAVE_MARKDOWN);
    ck_assert_int_eq(jobopts_save_mask("dom,text", &m, err, sizeof(err)), 0);
    ck_assert_int_eq(m, JOBOPT_SAVE_DOM | JOBOPT_SAVE_TEXT);
    ck_assert_int_eq(jobopts_save_mask("pdf", &m, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "--save: unknown kind \"pdf\" (text, html, dom, markdown)");
    ck_assert_int_eq(jobopts_save_mask("text,Text", &m, err, sizeof(err)), -1);
    ck_assert_has(err, "unknown kind \"Text\"");
    ck_assert_int_eq(jobopts_save_mask("text,,dom", &m, err, sizeof(err)), -1);
    ck_assert_has(err, "an empty kind");
    ck_assert_int_eq(jobopts_save_mask("text,", &m, err, sizeof(err)), -1);
    ck_assert_has(err, "an empty kind");
    ck_assert_int_eq(jobopts_save_mask("html,html", &m, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "--save: kind \"html\" given twice");
    /* through the table, as crawld checks a request */
    jobopts o;
    ck_assert_int_eq(daemon_check("save", json_string("text,dom"), &o, err, sizeof(err)), 0);
    ck_assert_str_eq(o.save, "text,dom");
    ck_assert_int_eq(daemon_check("save", json_string("text,pdf"), &o, err, sizeof(err)), -1);
    ck_assert_has(err, "unknown kind \"pdf\"");
    ck_assert_int_eq(daemon_check("save", json_string(""), &o, err, sizeof(err)), -1);
    ck_assert_int_eq(daemon_check("save", json_integer(3), &o, err, sizeof(err)), -1);
    ck_assert_has(err, "\"save\" must be");
}
END_TEST

/* --exclude and --include: repeatable, sent as arrays in the order given,
 * each pattern compiled by crawld and a bad one refused naming the flag
 * and regcomp's words; crawlctl refuses the 33rd. */
START_TEST(list_options)
{
    char err[320], cerr[320];
    jobopts o;
    char *argv[] = {(char *)"--exclude", (char *)"\\.pdf$",     (char *)SEED,
                    (char *)"--include", (char *)"/docs/",      (char *)"--exclude",
                    (char *)"[?]print=", (char *)"--canonical", NULL};
    json_t *req = jobopts_request(8, argv, cerr, sizeof(cerr));
    ck_assert_msg(req != NULL, "%s", cerr);
    const json_t *urls;
    ck_assert_int_eq(jobopts_from_json(req, &o, &urls, err, sizeof(err)), 0);
    ck_assert_int_eq(json_array_size(o.exclude), 2);
    ck_assert_str_eq(json_string_value(json_array_get(o.exclude, 0)), "\\.pdf$");
    ck_assert_str_eq(json_string_value(json_array_get(o.exclude, 1)), "[?]print=");
    ck_assert_int_eq(json_array_size(o.include), 1);
    ck_assert_str_eq(json_string_value(json_array_get(o.include, 0)), "/docs/");
    ck_assert_int_eq(o.canonical, 1);
    json_decref(req);

    /* A pattern regcomp refuses: named by crawld with the flag and why. */
    ck_assert_int_eq(
        daemon_check("exclude", json_pack("[s, s]", "ok", "a(b"), &o, err, sizeof(err)), -1);
    ck_assert_has(err, "exclude[1] (--exclude): regex: ");
    ck_assert_has(err, "\"a(b\"");
    ck_assert_int_eq(daemon_check("include", json_pack("[s]", "x{2,1}"), &o, err, sizeof(err)), -1);
    ck_assert_has(err, "include[0] (--include): regex: ");
    ck_assert_int_eq(daemon_check("include", json_pack("[s]", ""), &o, err, sizeof(err)), -1);
    ck_assert_has(err, "empty expression");
    /* crawlctl passes a bad pattern on and crawld's words are the verdict. */
    req = ctl_parse("--exclude", "a(b", cerr, sizeof(cerr));
    ck_assert_ptr_nonnull(req);
    ck_assert_int_eq(jobopts_from_json(req, &o, &urls, cerr, sizeof(cerr)), -1);
    ck_assert_has(cerr, "(--exclude): regex: ");
    json_decref(req);

    /* The count is bounded in crawlctl too. */
    const jobopt *ex = jobopt_by_field("exclude");
    char *many[2 * SCOPE_MAX_FILTERS + 4];
    int n = 0;
    for (size_t i = 0; i <= ex->max_items; i++) {
        many[n++] = (char *)"--exclude";
        many[n++] = (char *)"x";
    }
    many[n++] = (char *)SEED;
    ck_assert_ptr_null(jobopts_request(n, many, cerr, sizeof(cerr)));
    ck_assert_str_eq(cerr, "--exclude: given more than 32 times");
    ck_assert_ptr_nonnull(req = jobopts_request(n - 2, many + 2, cerr, sizeof(cerr)));
    json_decref(req);
}
END_TEST

/* Every option given at once through crawlctl comes out of crawld's check
 * as given. */
START_TEST(full_round_trip)
{
    char *argv[] = {(char *)"--depth",
                    (char *)"0",
                    (char *)"--max-pages",
                    (char *)"7",
                    (char *)"--scope",
                    (char *)"prefix",
                    (char *)"--no-js",
                    (char *)"--no-robots",
                    (char *)"--delay-ms",
                    (char *)"250",
                    (char *)"--name",
                    (char *)"n1",
                    (char *)"--output",
                    (char *)"o/1",
                    (char *)"--warc",
                    (char *)SEED,
                    (char *)"http://127.0.0.1/b",
                    NULL};
    char err[320];
    json_t *req = jobopts_request(17, argv, err, sizeof(err));
    ck_assert_msg(req != NULL, "%s", err);
    ck_assert_str_eq(json_string_value(json_object_get(req, "cmd")), "submit");
    jobopts o;
    const json_t *urls;
    ck_assert_int_eq(jobopts_from_json(req, &o, &urls, err, sizeof(err)), 0);
    ck_assert_int_eq(json_array_size(urls), 2);
    ck_assert_int_eq(o.depth, 0);
    ck_assert_int_eq(o.max_pages, 7);
    ck_assert_str_eq(o.scope, "prefix");
    ck_assert_int_eq(o.js, 0);
    ck_assert_int_eq(o.obey_robots, 0);
    ck_assert_int_eq(o.delay_ms, 250);
    ck_assert_str_eq(o.name, "n1");
    ck_assert_str_eq(o.output, "o/1");
    ck_assert_int_eq(o.warc, 1);
    json_decref(req);
}
END_TEST

START_TEST(usage_lists_every_flag)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    jobopts_usage(f, "  ");
    fclose(f);
    for (size_t i = 0; i < jobopts_count; i++) {
        const jobopt *opt = &jobopts_table[i];
        ck_assert_has(buf, opt->flag);
        if (opt->no_flag)
            ck_assert_has(buf, opt->no_flag);
        ck_assert_has(buf, opt->help);
        if (opt->type == JOBOPT_INT) {
            char range[64];
            snprintf(range, sizeof(range), "%lld..%lld", opt->lo, opt->hi);
            ck_assert_has(buf, range);
        }
    }
    free(buf);
}
END_TEST

/* --extract: each spec checked by crawld (fieldspec.h), then the list as a
 * whole (no NAME twice), each refusal naming the index and the flag. */
START_TEST(extract_specs)
{
    char err[320], cerr[320];
    jobopts o;
    char *argv[] = {(char *)"--extract",
                    (char *)"h1=h1",
                    (char *)SEED,
                    (char *)"--extract",
                    (char *)"links=a[href^=\"mailto:x@y\"]@href",
                    NULL};
    json_t *req = jobopts_request(5, argv, cerr, sizeof(cerr));
    ck_assert_msg(req != NULL, "%s", cerr);
    const json_t *urls;
    ck_assert_int_eq(jobopts_from_json(req, &o, &urls, err, sizeof(err)), 0);
    ck_assert_int_eq(json_array_size(o.extract), 2);
    json_decref(req);
    ck_assert_int_eq(
        daemon_check("extract", json_pack("[s, s]", "a=h1", "b=a["), &o, err, sizeof(err)), -1);
    ck_assert_has(err, "extract[1] (--extract): b: selector \"a[\" does not parse at byte 2");
    ck_assert_int_eq(daemon_check("extract", json_pack("[s, s, s]", "a=h1", "b=h2", "a=h3"), &o,
                                  err, sizeof(err)),
                     -1);
    ck_assert_has(err, "extract (--extract): name \"a\" is given twice (values 0 and 2)");
    ck_assert_int_eq(daemon_check("extract", json_pack("[s]", "9=h1"), &o, err, sizeof(err)), -1);
    ck_assert_has(err, "extract[0] (--extract): name \"9\"");
    ck_assert_int_eq(daemon_check("extract", json_pack("[s]", "t=h1@"), &o, err, sizeof(err)), -1);
    ck_assert_has(err, "attribute after \"@\" is empty");
    ck_assert_int_eq(daemon_check("extract", json_pack("s", "t=h1"), &o, err, sizeof(err)), -1);
    ck_assert_has(err, "\"extract\" must be an array of NAME=SELECTOR[@attr]");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("jobopts");
    TCase *tc = tcase_create("jobopts");
    tcase_add_checked_fixture(tc, NULL, release_last);
    tcase_add_test(tc, table_is_sound);
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, int_range_edges_both_sides);
    tcase_add_test(tc, int_flag_garbage_named);
    tcase_add_test(tc, flag_without_value);
    tcase_add_test(tc, wrong_types_named);
    tcase_add_test(tc, unknown_fields_named);
    tcase_add_test(tc, urls_checked);
    tcase_add_test(tc, non_utf8_values_named);
    tcase_add_test(tc, bool_flags);
    tcase_add_test(tc, string_options);
    tcase_add_test(tc, full_round_trip);
    tcase_add_test(tc, list_options);
    tcase_add_test(tc, usage_lists_every_flag);
    tcase_add_test(tc, save_kinds);
    tcase_add_test(tc, extract_specs);
    suite_add_tcase(s, tc);
    return testutil_run(s);
}
