/* test_dom_select — lookups and the selector engine (dom_select.c):
 * getElementById, by tag and class, querySelector(All) results, order and
 * syntax errors, matches(), and the two matchers agreeing. */
#include "alloc.h"
#include "arena.h"
#include "dom.h"
#include "html.h"

#include <check.h>

#include "dom_fixture.h"
#include "html_fixture.h"
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------
 * Lookups */

START_TEST(get_element_by_id)
{
    dom *d = load(FIXTURE);
    GumboNode *doc = dom_document(d);
    GumboNode *p1 = dom_get_element_by_id(d, doc, "p1");
    ck_assert_ptr_nonnull(p1);
    ck_assert_str_eq(dom_get_attr(p1, "class"), "a");
    ck_assert_ptr_null(dom_get_element_by_id(d, doc, "P1")); /* case-sensitive */
    ck_assert_ptr_null(dom_get_element_by_id(d, doc, "nope"));
    ck_assert_ptr_null(dom_get_element_by_id(d, doc, ""));
    ck_assert_ptr_null(dom_get_element_by_id(d, doc, NULL));
    GumboNode *dup = dom_get_element_by_id(d, doc, "dup");
    ck_assert_str_eq(dom_text_content(d, dup, NULL), "first");
    /* under a root, root excluded */
    GumboNode *d1 = by_id(d, "d1");
    ck_assert_ptr_eq(dom_get_element_by_id(d, d1, "s1"), by_id(d, "s1"));
    ck_assert_ptr_null(dom_get_element_by_id(d, d1, "d1"));
    ck_assert_ptr_null(dom_get_element_by_id(d, d1, "e1"));
    /* follows edits */
    ck_assert_int_eq(dom_set_attr(d, by_id(d, "e1"), "id", "renamed"), DOM_OK);
    ck_assert_ptr_null(dom_get_element_by_id(d, doc, "e1"));
    ck_assert_ptr_nonnull(dom_get_element_by_id(d, doc, "renamed"));
    finish();
}
END_TEST

START_TEST(by_tag_and_class)
{
    dom *d = load(FIXTURE);
    GumboNode *doc = dom_document(d), *d1 = by_id(d, "d1");
    dom_list l;
    ck_assert_int_eq(dom_by_tag(d, doc, "p", &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "p1,p2,p3,dup,dup");
    ck_assert_int_eq(dom_by_tag(d, doc, "P", &l), DOM_OK);
    ck_assert_uint_eq(l.n, 5);
    ck_assert_int_eq(dom_by_tag(d, d1, "*", &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "p1,s1,p2,a1,u1,l1,l2,l3");
    ck_assert_int_eq(dom_by_tag(d, doc, "*", &l), DOM_OK);
    ck_assert_uint_eq(l.n, 27);
    ck_assert_str_eq(dom_tag_name(d, l.items[0]), "html");
    ck_assert_int_eq(dom_by_tag(d, doc, "MY-WIDGET", &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "w1");
    ck_assert_int_eq(dom_by_tag(d, doc, "table", &l), DOM_OK);
    ck_assert_uint_eq(l.n, 0);
    ck_assert_int_eq(dom_by_tag(d, d1, "div", &l), DOM_OK); /* root excluded */
    ck_assert_uint_eq(l.n, 0);

    ck_assert_int_eq(dom_by_class(d, doc, "a", &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "d1,p1,l2");
    ck_assert_int_eq(dom_by_class(d, doc, "  b   a ", &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "d1");
    ck_assert_int_eq(dom_by_class(d, doc, "c", &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "p2,p3");
    ck_assert_int_eq(dom_by_class(d, doc, "b c", &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "p2");
    ck_assert_int_eq(dom_by_class(d, doc, "A", &l), DOM_OK);
    ck_assert_uint_eq(l.n, 0);
    ck_assert_int_eq(dom_by_class(d, doc, " ", &l), DOM_OK);
    ck_assert_uint_eq(l.n, 0);
    ck_assert_int_eq(dom_by_class(d, d1, "a", &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "p1,l2");
    ck_assert_int_eq(dom_by_tag(d, NULL, "p", &l), DOM_INVALID);
    finish();
}
END_TEST

/* ---------------------------------------------------------------------------
 * Selectors */

typedef struct qcase {
    const char *sel;
    const char *want;
} qcase;

static const qcase QCASES[] = {
    {"p", "p1,p2,p3,dup,dup"},
    {"P", "p1,p2,p3,dup,dup"},
    {"#p2", "p2"},
    {"#P2", ""},
    {".a", "d1,p1,l2"},
    {".A", ""},
    {".a.b", "d1"},
    {".b.a", "d1"},
    {"p.c", "p2,p3"},
    {"div p", "p1,p2,p3"},
    {"div > p", "p1,p2,p3"},
    {"section p", "p3"},
    {"section > p", ""},
    {"section > div > p", "p3"},
    {"div div p", "p3"},
    {"div > div p", ""},
    {"body > div", "d1,d2"},
    {"body div", "d1,d2,d3,dv"},
    {"li, p", "p1,p2,l1,l2,l3,p3,dup,dup"},
    {"p, .a", "d1,p1,p2,l2,p3,dup,dup"},
    {"p,p", "p1,p2,p3,dup,dup"},
    {"[href]", "a1"},
    {"[href^=http]", "a1"},
    {"[href^='http://x']", "a1"},
    {"[href^=\"https\"]", ""},
    {"[href$=\"/1\"]", "a1"},
    {"[href*='x.test']", "a1"},
    {"[href*='']", ""},
    {"[href^='']", ""},
    {"[href$=\"\"]", ""},
    {"[rel~='']", ""},
    {"[lang|='']", ""},
    {"[href='']", ""},
    {"[rel~=nofollow]", "a1"},
    {"[rel~=follow]", ""},
    {"[rel~='nofollow noopener']", ""},
    {"[lang|=en]", "s1"},
    {"[lang|=en-US]", "s1"},
    {"[lang|=e]", ""},
    {"[title='say \"hi\"']", "p2"},
    {"[title=\"say \\\"hi\\\"\"]", "p2"},
    {"[data-x=hello-world]", "d1"},
    {"[DATA-X=hello-world]", "d1"},
    {"[data-x=HELLO-WORLD]", ""},
    {"[data-x=HELLO-WORLD i]", "d1"},
    {"[ data-x = 'hello-world' s ]", "d1"},
    {"[data-foo-bar]", "w1"},
    {"[data-foo-bar=\"1\"]", "w1"},
    {"my-widget", "w1"},
    {"MY-WIDGET", "w1"},
    {"li:first-child", "l1"},
    {"li:last-child", "l3"},
    {"em:only-child", "e1"},
    {"li:only-child", ""},
    {"ul > :not(.a)", "l1,l3"},
    {":root", "html"},
    {"em:empty", "e1"},
    {"li:empty", ""},
    {"p:not(.c)", "p1,dup,dup"},
    {"p:not([id=dup]):not(#p1)", "p2,p3"},
    {"#d1 .a", "p1,l2"},
    {"div#d2 > section > div#d3 > p.c > em", "e1"},
    {"  p  >  span  ", "s1"},
    {"ul li:not(:first-child):not(:last-child)", "l2"},
    {"a[href][rel]", "a1"},
    {"#d1>p>a", "a1"},
    {"html body div p span", "s1"},
    {"head title", "title"},
    {"#\\70 1", "p1"},
    {"#p\\31", "p1"},
    {"article > section i", "em2"},
    {"article > section > i", ""},
    {"article section > i", "em2"},
    {"article > section div > section > i", "em2"},
    {"body > article > section > article > div > section > i", "em2"},
    {"*", "html,head,title,body,d1,p1,s1,p2,a1,u1,l1,l2,l3,d2,sec,d3,p3,e1,w1,ar1,x1,ar2,dv,x3,"
          "em2,dup,dup"},
    {"div *", "p1,s1,p2,a1,u1,l1,l2,l3,sec,d3,p3,e1,x3,em2"},
    {"*.c", "p2,p3"},
    {"div\t>\np", "p1,p2,p3"},
};

START_TEST(selectors)
{
    dom *d = load(FIXTURE);
    check_doc(d);
    GumboNode *doc = dom_document(d);
    for (size_t i = 0; i < sizeof QCASES / sizeof QCASES[0]; i++) {
        const char *got = query(d, doc, QCASES[i].sel);
        ck_assert_msg(!strcmp(got, QCASES[i].want), "'%s': got '%s', want '%s'", QCASES[i].sel, got,
                      QCASES[i].want);
    }
    finish();
}
END_TEST

START_TEST(selectors_scoped)
{
    dom *d = load(FIXTURE);
    GumboNode *d1 = by_id(d, "d1"), *d2 = by_id(d, "d2");
    ck_assert_str_eq(query(d, d1, "p"), "p1,p2");
    ck_assert_str_eq(query(d, d1, "*"), "p1,s1,p2,a1,u1,l1,l2,l3");
    /* root excluded, but its ancestors and itself count for the match */
    ck_assert_str_eq(query(d, d2, "div"), "d3");
    ck_assert_str_eq(query(d, d2, "div p"), "p3");
    ck_assert_str_eq(query(d, d1, "body p"), "p1,p2");
    ck_assert_str_eq(query(d, d1, "body > div > p"), "p1,p2");
    ck_assert_str_eq(query(d, d1, "#d1 > p"), "p1,p2");
    ck_assert_str_eq(query(d, d1, "#d2 p"), "");
    /* a detached subtree */
    GumboNode *box = el(d, "div");
    ck_assert_int_eq(dom_set_inner_html(d, box, "<p id=q1><b id=q2></b></p>", 26), DOM_OK);
    ck_assert_str_eq(query(d, box, "div b"), "q2");
    ck_assert_str_eq(query(d, box, "body b"), "");
    ck_assert_str_eq(query(d, box, ":root"), "");
    /* a text node has no descendants */
    ck_assert_str_eq(query(d, dom_first_child(by_id(d, "l1")), "*"), "");
    finish();
}
END_TEST

START_TEST(selectors_first_only)
{
    dom *d = load(FIXTURE);
    dom_list l;
    ck_assert_int_eq(dom_query(d, dom_document(d), "li", true, &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "l1");
    ck_assert_int_eq(dom_query(d, dom_document(d), "p, .a", true, &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "d1");
    ck_assert_int_eq(dom_query(d, dom_document(d), "table", true, &l), DOM_OK);
    ck_assert_uint_eq(l.n, 0);
    finish();
}
END_TEST

static const char *BAD_SELECTORS[] = {
    "",
    " ",
    "a,",
    ",a",
    "a,,b",
    "a >",
    "> a",
    "a > > b",
    "a + b",
    "a ~ b",
    "a+b",
    "div::before",
    "::after",
    ":hover",
    "a:nth-child(2)",
    ":first-child(1)",
    "[",
    "[a",
    "[a=]",
    "[a='x]",
    "[a=\"x]",
    "[a='x'",
    "[=x]",
    "[a~~b]",
    "[a!=b]",
    "[a=b c]",
    "[a=b i x]",
    "[1a]",
    "#",
    ".",
    "#1a",
    ".1a",
    "#-1",
    "a)",
    "(a)",
    ":not(",
    ":not()",
    ":not(a b)",
    ":not(a > b)",
    ":not(:not(a))",
    ":not(a,b)",
    "*|a",
    "a|b",
    "svg|rect",
    "a!",
    "a{}",
    "a\\",
    "/* c */ a",
    "a /* c */",
    "@media",
    "a b,",
    "&",
    "a:",
    ":",
    "-",
    "-1",
    "[a='\n']",
    "p.",
    "p#",
    "p[",
    "p[]",
    "a\x01",
    "a, ,b",
};

START_TEST(selectors_bad_syntax)
{
    dom *d = load(FIXTURE);
    GumboNode *p1 = by_id(d, "p1");
    for (size_t i = 0; i < sizeof BAD_SELECTORS / sizeof BAD_SELECTORS[0]; i++) {
        dom_list l = {(GumboNode **)1, 7};
        dom_err e = dom_query(d, dom_document(d), BAD_SELECTORS[i], false, &l);
        ck_assert_msg(e == DOM_SYNTAX, "'%s': %s", BAD_SELECTORS[i], dom_err_word(e));
        ck_assert_uint_eq(l.n, 0);
        bool yes = true;
        e = dom_matches(d, p1, BAD_SELECTORS[i], &yes);
        ck_assert_msg(e == DOM_SYNTAX, "matches '%s': %s", BAD_SELECTORS[i], dom_err_word(e));
        ck_assert(!yes);
    }
    dom_list l;
    ck_assert_int_eq(dom_query(d, dom_document(d), NULL, false, &l), DOM_SYNTAX);
    bool yes;
    ck_assert_int_eq(dom_matches(d, p1, NULL, &yes), DOM_SYNTAX);
    finish();
}
END_TEST

static void expect_matches(dom *d, const char *id, const char *sel, bool want)
{
    bool yes = !want;
    ck_assert_int_eq(dom_matches(d, by_id(d, id), sel, &yes), DOM_OK);
    ck_assert_msg(yes == want, "#%s matches '%s': %d", id, sel, yes);
}

START_TEST(matches)
{
    dom *d = load(FIXTURE);
    expect_matches(d, "s1", "span", true);
    expect_matches(d, "s1", "p span", true);
    expect_matches(d, "s1", "div > p > span", true);
    expect_matches(d, "s1", "div > span", false);
    expect_matches(d, "s1", "li, [lang|=en]", true);
    expect_matches(d, "em2", "article > section i", true);
    expect_matches(d, "em2", "article > section > i", false);
    expect_matches(d, "em2", "section > article > div i", true);
    expect_matches(d, "em2", "section > article > section i", false);
    expect_matches(d, "p3", "p:not(.a)", true);
    bool yes = true;
    ck_assert_int_eq(dom_matches(d, dom_first_child(by_id(d, "l1")), "*", &yes), DOM_INVALID);
    ck_assert(!yes);
    ck_assert_int_eq(dom_matches(d, dom_document(d), "*", &yes), DOM_INVALID);
    finish();
}
END_TEST

/* dom_query (top down) and dom_matches (right to left) are two matchers:
 * they must agree on every element for every selector. */
START_TEST(matchers_agree)
{
    dom *d = load(FIXTURE);
    GumboNode *doc = dom_document(d);
    dom_list all;
    ck_assert_int_eq(dom_by_tag(d, doc, "*", &all), DOM_OK);
    for (size_t i = 0; i < sizeof QCASES / sizeof QCASES[0]; i++) {
        dom_list got;
        ck_assert_int_eq(dom_query(d, doc, QCASES[i].sel, false, &got), DOM_OK);
        size_t k = 0;
        for (size_t j = 0; j < all.n; j++) {
            bool yes;
            ck_assert_int_eq(dom_matches(d, all.items[j], QCASES[i].sel, &yes), DOM_OK);
            bool listed = k < got.n && got.items[k] == all.items[j];
            ck_assert_msg(yes == listed, "'%s' on element %zu: matches %d, listed %d",
                          QCASES[i].sel, j, yes, listed);
            k += listed;
        }
        ck_assert_uint_eq(k, got.n);
    }
    finish();
}
END_TEST

/* A selector list too long for the top-down bit sets takes the other path:
 * same answers. */
START_TEST(selectors_long_list)
{
    dom *d = load(FIXTURE);
    size_t cap = 64 * 1024, o = 0;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    for (int i = 0; i < 1100; i++)
        o += (size_t)snprintf(s + o, cap - o, "x%d > y, ", i);
    snprintf(s + o, cap - o, "div > p > span, article section > i, li:last-child");
    const char *got = query(d, dom_document(d), s);
    ck_assert_str_eq(got, "s1,l3,em2");
    dom_list l;
    ck_assert_int_eq(dom_query(d, dom_document(d), s, true, &l), DOM_OK);
    ck_assert_str_eq(names(d, &l), "s1");
    /* and the same short list on the bit sets */
    ck_assert_str_eq(
        query(d, dom_document(d), "x1 > y, div > p > span, article section > i, li:last-child"),
        "s1,l3,em2");
    free(s);
    finish();
}
END_TEST

static Suite *dom_select_suite(void)
{
    Suite *s = suite_create("dom_select");
    TCase *tc = tcase_create("lookups");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, get_element_by_id);
    tcase_add_test(tc, by_tag_and_class);
    tcase_add_test(tc, selectors);
    tcase_add_test(tc, selectors_scoped);
    tcase_add_test(tc, selectors_first_only);
    tcase_add_test(tc, selectors_bad_syntax);
    tcase_add_test(tc, matches);
    tcase_add_test(tc, matchers_agree);
    tcase_add_test(tc, selectors_long_list);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(dom_select_suite()); }
