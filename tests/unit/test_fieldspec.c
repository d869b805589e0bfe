/* Check suite: fieldspec — NAME=SELECTOR[@attr] split and checked: the
 * '@' outside quotes, brackets and parentheses, each part's rule, the
 * selector through selector.h (where it stops), the duplicate check. */
#include "fieldspec.h"
#include "selector.h"

#include <check.h>

#include "testutil.h"
#include <string.h>

static arena a;

static void setup(void) { arena_init(&a, 0); }
static void teardown(void) { arena_release(&a); }

/* Parses spec: 0 with the parts in f, or -1 with err. */
static int parse(const char *spec, fieldspec *f, char *err, size_t cap)
{
    err[0] = '\0';
    return fieldspec_parse(&a, spec, f, err, cap);
}

START_TEST(splits_name_selector_attr)
{
    fieldspec f;
    char err[320];
    ck_assert_int_eq(parse("title=title", &f, err, sizeof(err)), 0);
    ck_assert_str_eq(f.name, "title");
    ck_assert_str_eq(f.selector, "title");
    ck_assert_ptr_null(f.attr);
    ck_assert_int_eq(parse("links= ul.items  a @HREF", &f, err, sizeof(err)), 0);
    ck_assert_str_eq(f.selector, "ul.items  a");
    ck_assert_str_eq(f.attr, "href"); /* lowercased: HTML attribute names */
    /* an '@' inside a string, brackets or :not() is the selector's */
    ck_assert_int_eq(parse("m=a[href^=\"mailto:x@y\"]@href", &f, err, sizeof(err)), 0);
    ck_assert_str_eq(f.selector, "a[href^=\"mailto:x@y\"]");
    ck_assert_str_eq(f.attr, "href");
    ck_assert_int_eq(parse("m=a:not([title='a@b'])", &f, err, sizeof(err)), 0);
    ck_assert_ptr_null(f.attr);
    ck_assert_int_eq(parse("_x-1=li:nth-child(2n+1) > a@data-id", &f, err, sizeof(err)), 0);
    ck_assert_str_eq(f.name, "_x-1");
    ck_assert_str_eq(f.attr, "data-id");
    ck_assert_int_eq(parse("x=svg a@xlink:href", &f, err, sizeof(err)), 0);
    ck_assert_str_eq(f.attr, "xlink:href");
    /* '=' in the selector is the selector's */
    ck_assert_int_eq(parse("d=meta[name=description]@content", &f, err, sizeof(err)), 0);
    ck_assert_str_eq(f.selector, "meta[name=description]");
}
END_TEST

START_TEST(refusals_name_the_part)
{
    static const struct {
        const char *spec, *words;
    } bad[] = {
        {"h1", "is not NAME=SELECTOR[@attr] (no \"=\")"},
        {"=h1", "the name before \"=\" is empty"},
        {"1x=h1", "name \"1x\" is not [A-Za-z_][A-Za-z0-9_-]*"},
        {"a.b=h1", "name \"a.b\""},
        {"t=", "t: the selector is empty"},
        {"t=  @href", "t: the selector is empty"},
        {"t=a[", "t: selector \"a[\" does not parse at byte 2"},
        {"t=a:hover", "does not parse"},
        {"t=a >", "does not parse"},
        {"t=h1@", "t: the attribute after \"@\" is empty"},
        {"t=h1@a b", "attribute \"a b\" is not"},
        {"t=h1@9a", "attribute \"9a\""},
        {"t=h1@x@y", "attribute \"x@y\""},
        {"t=h1\nh2", "a control character at byte 4"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fieldspec f;
        char err[320];
        ck_assert_msg(parse(bad[i].spec, &f, err, sizeof(err)) == -1, "%s", bad[i].spec);
        ck_assert_msg(strstr(err, bad[i].words), "%s: %s", bad[i].spec, err);
        ck_assert_int_eq(fieldspec_check(bad[i].spec, err, sizeof(err)), -1);
    }
    char err[320];
    char name[FIELDSPEC_MAX_NAME + 8];
    memset(name, 'n', sizeof(name));
    name[FIELDSPEC_MAX_NAME] = '=', name[FIELDSPEC_MAX_NAME + 1] = 'p',
    name[FIELDSPEC_MAX_NAME + 2] = 0;
    ck_assert_int_eq(fieldspec_check(name, err, sizeof(err)), 0);
    name[FIELDSPEC_MAX_NAME] = 'n', name[FIELDSPEC_MAX_NAME + 1] = '=',
    name[FIELDSPEC_MAX_NAME + 2] = 'p', name[FIELDSPEC_MAX_NAME + 3] = 0;
    ck_assert_int_eq(fieldspec_check(name, err, sizeof(err)), -1);
}
END_TEST

START_TEST(duplicates_refused)
{
    char err[320];
    json_t *l = json_pack("[s, s, s]", "a=h1", "ab=h2", "b=h3");
    ck_assert_int_eq(fieldspec_list_check(l, err, sizeof(err)), 0);
    json_array_append_new(l, json_string("ab=p@id"));
    ck_assert_int_eq(fieldspec_list_check(l, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "name \"ab\" is given twice (values 1 and 3)");
    json_decref(l);
}
END_TEST

/* selector.h's own check: where a bad selector stops, and a good one. */
START_TEST(selector_check)
{
    char err[320];
    ck_assert_int_eq(sel_check("div.body p:first-child, :is(h2, h3) > a", err, sizeof(err)), 0);
    ck_assert_int_eq(sel_check("a[href", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "does not parse at byte 6: \"a[href\"");
    ck_assert_int_eq(sel_check("", err, sizeof(err)), -1);
    sel s;
    size_t stop = 99;
    ck_assert_int_eq(sel_parse(&a, "li:nth-child(2n+1) > a", &s, &stop), SEL_OK);
    ck_assert_int_eq(s.ncomp, 2);
    ck_assert_int_eq(sel_parse(&a, "p ~", &s, &stop), SEL_ERR_SYNTAX);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fieldspec");
    TCase *tc = tcase_create("fieldspec");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, splits_name_selector_attr);
    tcase_add_test(tc, refusals_name_the_part);
    tcase_add_test(tc, duplicates_refused);
    tcase_add_test(tc, selector_check);
    suite_add_tcase(s, tc);
    return testutil_run(s);
}
