/* Check suite: jsonv (one JSON object on one line, checked without a tree).
 * Every case is also given to jansson: both must agree on what is JSON. */
#include "jsonv.h"

#include <check.h>
#include <jansson.h>
#include <string.h>

#include "testutil.h"

static int jv(const char *s) { return jsonv_valid_object_line(s, strlen(s), 64); }

/* jansson's answer for an object (decoding the whole input). */
static int jansson_ok(const char *s)
{
    json_error_t e;
    json_t *j = json_loadb(s, strlen(s), JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    int ok = j && json_is_object(j);
    json_decref(j);
    return ok;
}

static const char *good[] = {
    "{}",
    "{\"a\":1}",
    " {\"a\" : [1, -2.5e+3, 0, 0.1, true, false, null, \"x\"]}\t",
    "{\"url\":\"http://x/\\u00e9\\\"q\\\\/\",\"n\":{\"m\":{\"k\":[[[]]]}}}",
    "{\"utf8\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}",
    "{\"e\":1E5,\"f\":-0,\"g\":0e0}",
    "{\"nul\":\"\\u0000\"}",
    "{\"pair\":\"\\ud83d\\ude00\"}",
};

static const char *bad[] = {
    "",
    "[]",
    "\"s\"",
    "{",
    "}",
    "{\"a\":1,}",
    "{\"a\"}",
    "{\"a\":01}",
    "{\"a\":1.}",
    "{\"a\":.5}",
    "{\"a\":-}",
    "{\"a\":1e}",
    "{\"a\":tru}",
    "{\"a\":nul}",
    "{a:1}",
    "{\"a\":1}{}",
    "{\"a\":1} x",
    "{\"a\":\"tab\there\"}",
    "{\"a\":\"nl\nhere\"}",
    "{\"a\":1}\n",
    "{\"a\":\"\\x\"}",
    "{\"a\":\"\\u12g4\"}",
    "{\"a\":\"\\u12\"}",
    "{\"a\":\"unterminated}",
    "{\"a\":\"\xc3\"}",
    "{\"a\":\"\xc0\x80\"}",         /* overlong */
    "{\"a\":\"\xed\xa0\x80\"}",     /* a surrogate in UTF-8 */
    "{\"a\":\"\xf4\x90\x80\x80\"}", /* past U+10FFFF */
    "{\"a\":\"\xff\"}",
    "{\"a\":[1 2]}",
    "{\"a\":[1,]}",
    "{\"a\" 1}",
    "{,}",
    "{\"a\":\"\\ud83d\"}",        /* a high surrogate alone */
    "{\"a\":\"\\ude00\"}",        /* a low surrogate alone */
    "{\"a\":\"\\ud83d\\u0041\"}", /* high + not low */
};

START_TEST(accepts_json_objects)
{
    for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
        ck_assert_msg(jv(good[i]), "refused: %s", good[i]);
        ck_assert_msg(jansson_ok(good[i]), "jansson refused: %s", good[i]);
    }
}
END_TEST

START_TEST(refuses_everything_else)
{
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        ck_assert_msg(!jv(bad[i]), "accepted: %s", bad[i]);
    /* A NUL byte inside a string is a raw control character. */
    ck_assert(!jsonv_valid_object_line("{\"a\":\"\0\"}", 8, 64));
    /* The length is what counts, not a terminator. */
    ck_assert(jsonv_valid_object_line("{}garbage", 2, 64));
    ck_assert(!jsonv_valid_object_line("{\"a\":1}", 5, 64));
}
END_TEST

START_TEST(depth_is_bounded)
{
    char deep[300];
    size_t n = 0;
    deep[n++] = '{';
    deep[n++] = '"';
    deep[n++] = 'a';
    deep[n++] = '"';
    deep[n++] = ':';
    for (int i = 0; i < 100; i++)
        deep[n++] = '[';
    for (int i = 0; i < 100; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    ck_assert(jsonv_valid_object_line(deep, n, 200));
    ck_assert(!jsonv_valid_object_line(deep, n, 64));
    /* A million opening brackets: refused at the limit, no deep recursion. */
    static char many[1000002];
    many[0] = '{';
    memset(many + 1, '[', sizeof(many) - 1);
    ck_assert(!jsonv_valid_object_line(many, sizeof(many), 64));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("jsonv");
    TCase *tc = tcase_create("jsonv");
    tcase_add_test(tc, accepts_json_objects);
    tcase_add_test(tc, refuses_everything_else);
    tcase_add_test(tc, depth_is_bounded);
    suite_add_tcase(s, tc);
    return testutil_run(s);
}
