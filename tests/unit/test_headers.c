/* test_headers — X-Robots-Tag and Link rel=canonical, read from response
 * header values as a crawler must obey them. */
#include "headers.h"

#include <check.h>

#include "testutil.h"
#include <string.h>

typedef struct xcase {
    const char *value;
    int noindex, nofollow;
} xcase;

static const xcase XCASES[] = {
    {"noindex", 1, 0},
    {"nofollow", 0, 1},
    {"NoIndex, NOFOLLOW", 1, 1},
    {"none", 1, 1},
    {"  noindex ,nofollow  ", 1, 1},
    {"noarchive, nosnippet", 0, 0},
    {"all", 0, 0},
    {"", 0, 0},
    {"nofollowing", 0, 0}, /* whole directives only */
    {"crawld: nofollow", 0, 1},
    {"CRAWLD: noindex, nofollow", 1, 1},
    {"crawld:none", 1, 1},
    {"googlebot: noindex", 0, 0}, /* another crawler's */
    {"googlebot: noindex, nofollow", 0, 0},
    {"otherbot:nofollow", 0, 0},
    {"unavailable_after: 25 Jun 2010 15:00:00 PST, noindex", 1, 0}, /* a valued directive */
    {"max-snippet: 20, nofollow", 0, 1},
    {"noindex, unavailable_after: 25 Jun 2010", 1, 0},
};
#define NXCASES ((int)(sizeof XCASES / sizeof XCASES[0]))

START_TEST(x_robots_case)
{
    const xcase *c = &XCASES[_i];
    int noindex = 0, nofollow = 0;
    headers_x_robots(c->value, "crawld", &noindex, &nofollow);
    ck_assert_msg(noindex == c->noindex && nofollow == c->nofollow,
                  "\"%s\": noindex %d nofollow %d, want %d %d", c->value, noindex, nofollow,
                  c->noindex, c->nofollow);
}
END_TEST

/* Several headers add up; none clears what another set. */
START_TEST(x_robots_headers_add_up)
{
    int noindex = 0, nofollow = 0;
    headers_x_robots("googlebot: nofollow", "crawld", &noindex, &nofollow);
    headers_x_robots("noindex", "crawld", &noindex, &nofollow);
    ck_assert_int_eq(noindex, 1);
    ck_assert_int_eq(nofollow, 0);
    headers_x_robots("crawld: nofollow", "crawld", &noindex, &nofollow);
    headers_x_robots("all", "crawld", &noindex, &nofollow);
    ck_assert_int_eq(noindex, 1);
    ck_assert_int_eq(nofollow, 1);
    /* No agent: the named form is never ours. */
    noindex = nofollow = 0;
    headers_x_robots("crawld: nofollow", NULL, &noindex, &nofollow);
    ck_assert_int_eq(nofollow, 0);
    headers_x_robots(NULL, "crawld", &noindex, &nofollow);
    ck_assert_int_eq(noindex + nofollow, 0);
}
END_TEST

typedef struct lcase {
    const char *value;
    const char *want; /* NULL: none */
} lcase;

static const lcase LCASES[] = {
    {"<https://a.test/c>; rel=\"canonical\"", "https://a.test/c"},
    {"<https://a.test/c>; rel=canonical", "https://a.test/c"},
    {"</c?x=1>; REL=\"Canonical\"", "http://h.test/c?x=1"}, /* relative: against the page */
    {"<https://a.test/de>; rel=\"alternate\"; hreflang=de, <https://a.test/en>; rel=\"canonical\"",
     "https://a.test/en"},
    {"<https://a.test/x>; title=\"a, b; rel=canonical\"; rel=next", NULL}, /* in quotes */
    {"<https://a.test/s>; rel=\"shortlink canonical\"", "https://a.test/s"},
    {"<https://a.test/n>; rel=\"next\"", NULL},
    {"<https://a.test/n>", NULL},
    {"<https://a.test/c>; rel=\"canonicalx\"", NULL},
    {"https://a.test/c; rel=canonical", NULL},                          /* no <> */
    {"<https://a.test/c; rel=canonical", NULL},                         /* no > */
    {"<https://A.test:443/c#frag>; rel=canonical", "https://a.test/c"}, /* normal form */
    {"", NULL},
};
#define NLCASES ((int)(sizeof LCASES / sizeof LCASES[0]))

START_TEST(link_case)
{
    const lcase *c = &LCASES[_i];
    arena a;
    arena_init(&a, 0);
    const char *got = headers_link_canonical(&a, c->value, "http://h.test/dir/page");
    ck_assert_msg(c->want ? got && strcmp(got, c->want) == 0 : got == NULL,
                  "\"%s\": got \"%s\", want \"%s\"", c->value, got ? got : "(null)",
                  c->want ? c->want : "(null)");
    arena_release(&a);
}
END_TEST

static Suite *headers_suite(void)
{
    Suite *s = suite_create("headers");
    TCase *tc = tcase_create("x_robots");
    tcase_add_loop_test(tc, x_robots_case, 0, NXCASES);
    tcase_add_test(tc, x_robots_headers_add_up);
    suite_add_tcase(s, tc);
    tc = tcase_create("link");
    tcase_add_loop_test(tc, link_case, 0, NLCASES);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(headers_suite()); }
