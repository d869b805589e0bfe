/* test_html — html_parse and its two steps (html.c: html_tree_build and
 * html_tree_extract), hostile input (deep nesting, 10 MB, garbage), gumbo's
 * time budget, and that a whole parse lives in the arena. What a parse
 * extracts: test_html_extract; charsets: test_html_charset. */
#include "alloc.h"
#include "arena.h"
#include "html.h"

#include <check.h>
#include <gumbo.h>

#include "html_fixture.h"
#include <assert.h>
#include "testutil.h"
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

/* ---- the two steps -------------------------------------------------------- */

START_TEST(tree_steps)
{
    /* html_tree_build only builds: nothing is extracted until
     * html_tree_extract, which then gives what html_parse gives. */
    const char *html = "<html><head><title>T</title><base href='/b/'></head><body>"
                       "<a href='x'>x</a><p>text</p></body></html>";
    html_options o = {.want_text = 1};
    html_doc d;
    ck_assert_int_eq(html_tree_build(&A, html, strlen(html), &o, &d), HTML_OK);
    ck_assert_ptr_nonnull(d.gumbo_output);
    ck_assert_str_eq(d.charset, "utf-8");
    ck_assert_ptr_null(d.title);
    ck_assert_ptr_null(d.text);
    ck_assert_uint_eq(d.nlinks, 0);
    ck_assert_uint_eq(d.elements, 0);
    ck_assert_int_eq(html_tree_extract(&A, URL, &o, &d), HTML_OK);
    html_doc p = parse(html);
    ck_assert_str_eq(d.title, p.title);
    ck_assert_str_eq(d.text, p.text);
    ck_assert_str_eq(d.base_href, p.base_href);
    ck_assert_uint_eq(d.nlinks, 1);
    ck_assert_str_eq(d.links[0], "http://example.com/b/x");
    ck_assert_uint_eq(d.elements, p.elements);
    ck_assert_uint_eq(d.max_depth, p.max_depth);

    /* No tree (a failed build, or none at all): nothing to extract. */
    const char *bad = "<table><tr><svg><title><![CDATA[x]]>t"; /* gumbo's assertion */
    ck_assert_int_eq(html_tree_build(&A, bad, strlen(bad), &o, &d), HTML_PARSE);
    ck_assert_ptr_null(d.gumbo_output);
    ck_assert_int_eq(html_tree_extract(&A, URL, &o, &d), HTML_PARSE);
    html_doc none = {0};
    ck_assert_int_eq(html_tree_extract(&A, URL, &o, &none), HTML_PARSE);
    ck_assert_ptr_nonnull(none.parse_error);
    finish();
}
END_TEST

/* ---- hostile and edge input ----------------------------------------------- */

START_TEST(empty_document)
{
    html_doc d = parse_n("", 0, NULL, 1);
    ck_assert_ptr_null(d.title);
    ck_assert_uint_eq(d.nlinks, 0);
    ck_assert_str_eq(d.text, "");
    ck_assert_uint_eq(d.elements, 3); /* html, head, body */
    ck_assert_ptr_nonnull(d.gumbo_output);
    d = parse_n(NULL, 0, NULL, 0);
    ck_assert_uint_eq(d.text_len, 0);
    finish();
}
END_TEST

START_TEST(deep_nesting)
{
    /* gumbo builds this iteratively but in O(depth^2) time (each <div> scans
     * the open elements for a <p>); the walk must not recurse. */
    enum { DEPTH = 100000 };
    size_t len;
    char *html = nested_doc("<div>", DEPTH, "<a href='/deep'>bottom</a>", &len);
    html_doc d = parse_n(html, len, NULL, 1);
    free(html);
    ck_assert_uint_eq(d.nlinks, 1);
    ck_assert_str_eq(d.links[0], "http://example.com/deep");
    ck_assert_uint_ge(d.max_depth, DEPTH);
    ck_assert_uint_ge(d.elements, DEPTH + 3);
    ck_assert_str_eq(d.text, "bottom");
    finish();
}
END_TEST

START_TEST(deep_nesting_inline)
{
    /* <span> nesting costs gumbo O(depth): go deeper. */
    enum { DEPTH = 300000 };
    size_t len;
    char *html = nested_doc("<span>", DEPTH, "<a href='/s'>s</a>", &len);
    html_doc d = parse_n(html, len, NULL, 0);
    free(html);
    ck_assert_uint_eq(d.nlinks, 1);
    ck_assert_uint_ge(d.max_depth, DEPTH);
    finish();
}
END_TEST

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

START_TEST(ten_megabytes)
{
    size_t len, items;
    char *html = big_page(10u << 20, &len, &items);
    double t0 = now();
    html_doc d = parse_n(html, len, NULL, 1);
    double t = now() - t0;
    free(html);
    fprintf(stderr, "ten_megabytes: %.1f MB in %.2f s (%.1f MB/s), arena peak %.0f MB\n",
            (double)len / 1e6, t, (double)len / 1e6 / t, (double)A.peak_used / 1e6);
    ck_assert_str_eq(d.title, "Big page");
    ck_assert_uint_eq(d.nlinks, items);
    ck_assert_uint_eq(d.skipped_links, items);
    char last[64];
    snprintf(last, sizeof last, "http://example.com/item/%zu", items - 1);
    ck_assert_str_eq(d.links[items - 1], last);
    ck_assert_uint_gt(d.text_len, len / 4);
    ck_assert_ptr_nonnull(strstr(d.text, "Item 0 Some words about item 0 & more words"));
    finish();
}
END_TEST

static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

START_TEST(garbage_input)
{
    static const char *pieces[] = {
        "<",
        ">",
        "</",
        "<a href='",
        "<table>",
        "<td>",
        "<tr>",
        "<svg>",
        "<math>",
        "<template>",
        "</template>",
        "<!--",
        "-->",
        "&#x",
        "&amp",
        ";",
        "\0",
        "<b>",
        "</b>",
        "<p>",
        "</p>",
        "<select>",
        "<option>",
        "<frameset>",
        "<script>",
        "</script>",
        "<meta ",
        "charset=",
        "\"",
        "'",
        "=",
        " ",
        "<base href=",
        "<title>",
        "<iframe src=",
        "<form>",
        "<li>",
        "<nobr>",
        "<font>",
        "</div>",
        "<div>",
        "<caption>",
        "<col>",
        "<foreignObject>",
        "<desc>",
        "<mi>",
        "<annotation-xml encoding=text/html>",
        "<plaintext>",
        "<textarea>",
        "\xff",
        "\xc3",
        "\xe2\x82",
        "<!DOCTYPE html>",
        "<?x",
        "<![CDATA[",
        "]]>",
        "<image>",
        "<isindex>",
        "<noscript>",
        "<rt>",
        "<ruby>",
        "<h1>",
        "<h2>",
        "</h1>",
        "<button>",
    };
    enum { LEN = 256 * 1024 };
    char *buf = malloc(LEN);
    ck_assert_ptr_nonnull(buf);
    for (int round = 0; round < 12; round++) {
        rng_state = 0x9E3779B97F4A7C15ULL * (uint64_t)(round + 1);
        size_t n = 0;
        if (round < 4) { /* raw random bytes */
            for (n = 0; n < LEN; n++)
                buf[n] = (char)rng();
        } else { /* random tag soup */
            while (n < LEN - 64) {
                const char *p = pieces[rng() % (sizeof pieces / sizeof pieces[0])];
                size_t pl = *p ? strlen(p) : 1;
                memcpy(buf + n, p, pl);
                n += pl;
                if (rng() % 3 == 0)
                    buf[n++] = (char)('a' + rng() % 26);
            }
        }
        static const char *charsets[] = {NULL, "shift_jis", "utf-16le", "iso-2022-jp"};
        html_options o = {.content_type_charset = charsets[round % 4], .want_text = 1};
        html_doc d;
        ck_assert_int_eq(html_parse(&A, URL, buf, n, &o, &d), HTML_OK);
        ck_assert_uint_eq(d.text_len, d.text ? strlen(d.text) : 0);
        ck_assert(valid_utf8(d.text));
        ck_assert(!d.title || valid_utf8(d.title));
        ck_assert(!d.charset_note || valid_utf8(d.charset_note));
        for (size_t i = 0; i < d.nlinks; i++)
            ck_assert(!strncmp(d.links[i], "http", 4) && valid_utf8(d.links[i]));
        arena_reset(&A, 0);
    }
    free(buf);
    finish();
}
END_TEST

START_TEST(lives_in_arena)
{
    const char *html = "<title>x</title><a href='/a'>a</a><p>text</p>";
    html_doc d = parse(html);
    ck_assert_uint_gt(alloc_live_bytes(), live0); /* the arena's chunks */
    ck_assert_uint_gt(arena_used(&A), 0);
    ck_assert_str_eq(d.links[0], "http://example.com/a");
    finish(); /* live bytes back to the baseline */
}
END_TEST

START_TEST(nomem_is_an_error)
{
    /* Our own allocations report HTML_NOMEM (here: the decode buffer). */
    const char *html = "<title>Caf\xe9</title>";
    html_options o = {.content_type_charset = "latin1"};
    html_doc d;
    alloc_fail_after(1);
    html_err e = html_parse(&A, URL, html, strlen(html), &o, &d);
    alloc_fail_reset();
    ck_assert_int_eq(e, HTML_NOMEM);
    finish();
}
END_TEST

START_TEST(gumbo_oom_is_nomem)
{
    /* gumbo cannot handle NULL from its allocator: the parse is left instead,
     * and the arena stays usable. */
    const char *html = "<title>x</title><p>some text</p>";
    html_doc d;
    alloc_fail_after(1);
    html_err e = html_parse(&A, URL, html, strlen(html), NULL, &d);
    alloc_fail_reset();
    ck_assert_int_eq(e, HTML_NOMEM);
    d = parse(html);
    ck_assert_str_eq(d.title, "x");
    finish();
}
END_TEST

START_TEST(gumbo_assertion_is_parse_error)
{
    /* Debian's gumbo 0.10.1 fails an assertion on this input: the page gets
     * its error, the process lives and counts it (the worker retires on it). */
    const char *bad = "<table><tr><svg><title><![CDATA[x]]>t";
    struct sigaction before, after;
    sigaction(SIGABRT, NULL, &before);
    unsigned long n0 = html_gumbo_assertions();
    for (int i = 0; i < 3; i++) { /* again and again: the escape is re-armed */
        html_doc d;
        ck_assert_int_eq(html_parse(&A, URL, bad, strlen(bad), NULL, &d), HTML_PARSE);
        ck_assert_ptr_nonnull(d.parse_error);
        ck_assert_msg(!strncmp(d.parse_error, "the HTML parser failed an assertion (src/parser.c:",
                               strlen("the HTML parser failed an assertion (src/parser.c:")),
                      "parse_error: %s", d.parse_error);
        ck_assert_ptr_null(d.gumbo_output);
    }
    ck_assert_uint_eq(html_gumbo_assertions(), n0 + 3);
    sigaction(SIGABRT, NULL, &after);
    ck_assert_ptr_eq((void *)after.sa_handler, (void *)before.sa_handler);
    html_doc d = parse("<title>after</title><a href='/ok'>ok</a>");
    ck_assert_str_eq(d.title, "after");
    ck_assert_uint_eq(d.nlinks, 1);
    ck_assert_uint_eq(html_gumbo_assertions(), n0 + 3); /* a good page is not counted */
    finish();
}
END_TEST

/* A page gumbo needs more than the arena's first chunk for: the second
 * allocation from the process allocator is made by gumbo_alloc, under
 * gumbo (the first is the chunk html_prepare takes). */
static void abort_in_gumbo_alloc(void *arg)
{
    (void)arg;
    size_t n = 4000;
    char *html = malloc(n * 8 + 1);
    if (!html)
        return;
    for (size_t i = 0; i < n; i++)
        memcpy(html + i * 8, "<p>x</p>", 8);
    alloc_abort_after(2);
    html_doc d;
    html_err e = html_parse(&A, URL, html, n * 8, NULL, &d);
    alloc_fail_reset();
    fprintf(stderr, "html_parse returned %d: %s\n", (int)e, d.parse_error ? d.parse_error : "");
    free(html);
    arena_release(&A);
}

START_TEST(abort_in_allocator_under_gumbo_is_not_caught)
{
    /* The debug allocator aborts with its mutex held, glibc's heap checks
     * with an arena lock held: an abort while gumbo waits for our allocator
     * must end the process, never be jumped out of. */
    char out[4096];
    int status = testutil_fork_capture(abort_in_gumbo_alloc, NULL, out, sizeof out);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
                  "expected death by SIGABRT, status %d: %s", status, out);
    finish();
}
END_TEST

static void assert_of_our_own(void *arg)
{
    (void)arg;
    const char *why = "an assertion outside gumbo";
    /* What assert() expands to, whatever NDEBUG says. */
    __assert_fail(why, __FILE__, __LINE__, __func__);
}

START_TEST(assertion_outside_gumbo_still_aborts)
{
    /* html.c's __assert_fail stands in for glibc's in the whole process:
     * every assertion that is not gumbo's under a parse still prints its
     * message and ends the process with SIGABRT. Before a parse and after
     * one that left gumbo on an assertion. */
    char out[4096];
    int status = testutil_fork_capture(assert_of_our_own, NULL, out, sizeof out);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "status %d: %s", status, out);
    ck_assert_msg(strstr(out, "an assertion outside gumbo") && strstr(out, "test_html.c"),
                  "message: %s", out);
    const char *bad = "<table><tr><svg><title><![CDATA[x]]>t";
    html_doc d;
    ck_assert_int_eq(html_parse(&A, URL, bad, strlen(bad), NULL, &d), HTML_PARSE);
    status = testutil_fork_capture(assert_of_our_own, NULL, out, sizeof out);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "status %d: %s", status, out);
    finish();
}
END_TEST

static volatile sig_atomic_t own_handler_calls;
static void own_handler(int sig)
{
    (void)sig;
    own_handler_calls++;
}

START_TEST(own_abort_handler_kept)
{
    /* A handler the process had is back after the parse, and was not called
     * for gumbo's assertion. */
    struct sigaction sa, now;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = own_handler;
    sigaction(SIGABRT, &sa, NULL);
    const char *bad = "<table><tr><svg><title><![CDATA[x]]>t";
    html_doc d;
    ck_assert_int_eq(html_parse(&A, URL, bad, strlen(bad), NULL, &d), HTML_PARSE);
    sigaction(SIGABRT, NULL, &now);
    ck_assert_ptr_eq((void *)now.sa_handler, (void *)own_handler);
    ck_assert_int_eq(own_handler_calls, 0);
    raise(SIGABRT);
    ck_assert_int_eq(own_handler_calls, 1);
    finish();
}
END_TEST

START_TEST(abort_outside_parse_still_aborts)
{
    /* raise, not abort(): a binary linked with libmozjs-102 gets mozalloc's
     * abort(), which ends in SIGSEGV. */
    html_doc d = parse("<p>x</p>");
    (void)d;
    raise(SIGABRT);
}
END_TEST

/* ---- time budget ---------------------------------------------------------- */

/* <th><font> n times, then text bytes of 'x': libxml2 closes every <th> (the
 * scan's depth is 4), HTML5 ignores a <th> outside a table and keeps all n
 * <font>s open. gumbo's time is quadratic in n from the tags; then every
 * character looks for the newest <font> in the open stack from its bottom,
 * allocating nothing (n = 20,000 and 1 MB of text: 6.5 s, up to 2.2 s
 * between two allocations). The caller frees it. */
static char *thfont_doc(size_t n, size_t text, size_t *len)
{
    static const char head[] = "<title>Th font</title><a href='/before'>b</a>";
    static const char unit[] = "<th><font>";
    size_t u = sizeof unit - 1, h = sizeof head - 1;
    *len = h + n * u + text;
    char *html = malloc(*len + 1);
    ck_assert_ptr_nonnull(html);
    memcpy(html, head, h);
    for (size_t i = 0; i < n; i++)
        memcpy(html + h + i * u, unit, u);
    memset(html + h + n * u, 'x', text);
    html[*len] = '\0';
    return html;
}

/* html_parse with a budget; *ms: how long it took. */
static html_err parse_budget(const char *html, size_t len, long budget, html_doc *d, double *ms)
{
    html_options o = {.want_text = 1, .parse_budget_ms = budget};
    double t0 = now();
    html_err e = html_parse(&A, URL, html, len, &o, d);
    *ms = (now() - t0) * 1000;
    return e;
}

START_TEST(budget_leaves_gumbo_in_text)
{
    /* gumbo allocates nothing for seconds here: only the timer stops it in
     * time. Again and again: the timer is made anew each parse. */
    size_t len;
    char *html = thfont_doc(20000, 1000000, &len);
    for (int i = 0; i < 3; i++) {
        html_doc d;
        double ms;
        ck_assert_int_eq(parse_budget(html, len, 100, &d, &ms), HTML_TOO_SLOW);
        ck_assert_str_eq(d.parse_error, "the HTML parser took over 100 ms");
        ck_assert_ptr_null(d.gumbo_output);
        ck_assert_msg(ms >= 100 && ms < 1000, "parse left after %.0f ms", ms);
    }
    free(html);
    html_doc d = parse("<title>after</title><a href='/ok'>ok</a>"); /* the arena is fine */
    ck_assert_str_eq(d.title, "after");
    ck_assert_uint_eq(d.nlinks, 1);
    finish(); /* nothing gumbo held outlives the arena */
}
END_TEST

START_TEST(budget_leaves_gumbo_in_tags)
{
    /* 200,000 pairs, no text: ~7 s of allocating tag after tag. */
    size_t len;
    char *html = thfont_doc(200000, 0, &len);
    html_doc d;
    double ms;
    ck_assert_int_eq(parse_budget(html, len, 100, &d, &ms), HTML_TOO_SLOW);
    free(html);
    ck_assert_str_eq(d.parse_error, "the HTML parser took over 100 ms");
    ck_assert_msg(ms >= 100 && ms < 1000, "parse left after %.0f ms", ms);
    finish();
}
END_TEST

/* The child of budget_without_timer_reads_the_clock: with no queued signal
 * allowed, a 100 ms budget on the tag-driven page. It changes a limit of its
 * own process only (Check's test process keeps its limits, and a hard limit
 * lowered there could not be raised again without CAP_SYS_RESOURCE: Check's
 * timer would then fall back to another clock and time the test wrongly).
 * It reports on stderr, for the parent to assert on. */
static void parse_without_timers(void *arg)
{
    const char *html = arg;
    struct rlimit rl;
    if (getrlimit(RLIMIT_SIGPENDING, &rl) != 0) {
        fprintf(stderr, "getrlimit failed\n");
        return;
    }
    rl.rlim_cur = 0; /* the soft limit is the one the kernel applies */
    if (setrlimit(RLIMIT_SIGPENDING, &rl) != 0) {
        fprintf(stderr, "setrlimit failed\n");
        return;
    }
    timer_t t;
    struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN + 2};
    int timer_refused = timer_create(CLOCK_MONOTONIC, &ev, &t) != 0;
    html_doc d;
    double ms;
    html_err e = parse_budget(html, strlen(html), 100, &d, &ms);
    fprintf(stderr, "timer_refused=%d err=%d ms=%.0f error=%s\n", timer_refused, (int)e, ms,
            d.parse_error ? d.parse_error : "(none)");
    arena_release(&A);
}

START_TEST(budget_without_timer_reads_the_clock)
{
    /* No queued signal allowed: timer_create fails (EAGAIN), and gumbo_alloc
     * reads the clock instead, which stops the tag-driven parse in time. */
    size_t len;
    char *html = thfont_doc(200000, 0, &len);
    struct rlimit before, after;
    ck_assert_int_eq(getrlimit(RLIMIT_SIGPENDING, &before), 0);
    char out[4096];
    int status = testutil_fork_capture(parse_without_timers, html, out, sizeof out);
    free(html);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d: %s", status,
                  out);
    int refused = -1, err = -1;
    double ms = -1;
    char perr[200] = "";
    ck_assert_msg(sscanf(out, "timer_refused=%d err=%d ms=%lf error=%199[^\n]", &refused, &err, &ms,
                         perr) == 4,
                  "child said: %s", out);
    ck_assert_int_eq(refused, 1); /* what the test relies on */
    ck_assert_int_eq(err, HTML_TOO_SLOW);
    ck_assert_str_eq(perr, "the HTML parser took over 100 ms");
    ck_assert_msg(ms >= 100 && ms < 1000, "parse left after %.0f ms", ms);
    ck_assert_int_eq(getrlimit(RLIMIT_SIGPENDING, &after), 0); /* ours is untouched */
    ck_assert_uint_eq(after.rlim_cur, before.rlim_cur);
    ck_assert_uint_eq(after.rlim_max, before.rlim_max);
    finish();
}
END_TEST

/* What a page's scripts may take between the two steps. */
static void slow_edit(int *ran)
{
    *ran += 1;
    struct timespec ts = {0, 150 * 1000000}; /* past the budget: it no longer runs */
    nanosleep(&ts, NULL);
}

static volatile sig_atomic_t budget_signals;
static void count_budget_signal(int sig)
{
    (void)sig;
    budget_signals++;
}

START_TEST(budget_unspent_leaves_nothing_behind)
{
    /* A page gumbo builds in time: the budget covers gumbo only (not the
     * time between html_tree_build and html_tree_extract, where scripts
     * run, nor the extraction), and the signal's disposition and mask are
     * the process's own again after the build. */
    int sig = SIGRTMIN + 2; /* PARSE_BUDGET_SIGNAL */
    struct sigaction sa, now_sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = count_budget_signal;
    sigaction(sig, &sa, NULL);
    sigset_t block, mask;
    sigemptyset(&block);
    sigaddset(&block, sig);
    sigprocmask(SIG_BLOCK, &block, NULL); /* html_tree_build opens it for gumbo only */
    const char *html = "<title>t</title><th><font><a href='/a'>a</a>";
    int ran = 0;
    html_options o = {.parse_budget_ms = 50};
    html_doc d;
    ck_assert_int_eq(html_tree_build(&A, html, strlen(html), &o, &d), HTML_OK);
    slow_edit(&ran);
    ck_assert_int_eq(html_tree_extract(&A, URL, &o, &d), HTML_OK);
    ck_assert_int_eq(ran, 1);
    ck_assert_str_eq(d.title, "t");
    ck_assert_uint_eq(d.nlinks, 1);
    sigprocmask(SIG_BLOCK, NULL, &mask);
    ck_assert(sigismember(&mask, sig)); /* blocked again, as before */
    sigaction(sig, NULL, &now_sa);
    ck_assert_ptr_eq((void *)now_sa.sa_handler, (void *)count_budget_signal);
    sigprocmask(SIG_UNBLOCK, &block, NULL); /* nothing was left pending */
    ck_assert_int_eq(budget_signals, 0);
    finish();
}
END_TEST

static Suite *html_suite(void)
{
    Suite *s = suite_create("html");
    TCase *tc = tcase_create("steps");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, tree_steps);
    suite_add_tcase(s, tc);

    tc = tcase_create("hostile");
    tcase_add_checked_fixture(tc, setup, NULL);
    /* The 100,000-deep page takes gumbo ~20 s (more under sanitizers). */
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, empty_document);
    tcase_add_test(tc, deep_nesting);
    tcase_add_test(tc, deep_nesting_inline);
    tcase_add_test(tc, ten_megabytes);
    tcase_add_test(tc, garbage_input);
    tcase_add_test(tc, lives_in_arena);
    tcase_add_test(tc, nomem_is_an_error);
    tcase_add_test(tc, gumbo_oom_is_nomem);
    tcase_add_test(tc, gumbo_assertion_is_parse_error);
    tcase_add_test(tc, abort_in_allocator_under_gumbo_is_not_caught);
    tcase_add_test(tc, assertion_outside_gumbo_still_aborts);
    tcase_add_test(tc, own_abort_handler_kept);
    tcase_add_test_raise_signal(tc, abort_outside_parse_still_aborts, SIGABRT);
    tcase_add_test(tc, budget_leaves_gumbo_in_text);
    tcase_add_test(tc, budget_leaves_gumbo_in_tags);
    tcase_add_test(tc, budget_without_timer_reads_the_clock);
    tcase_add_test(tc, budget_unspent_leaves_nothing_behind);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(html_suite()); }
