/* test_markdown — the tree as Markdown (markdown.c): headings, paragraphs,
 * nested lists, links with titles, emphasis, code blocks and inline code,
 * pipe tables, images, entities, left-out and hidden elements, empty
 * elements, a DOM edit, and nesting deeper than any stack. */
#include "alloc.h"
#include "arena.h"
#include "dom.h"
#include "html.h"
#include "markdown.h"

#include <check.h>

#include "dom_fixture.h"
#include "html_fixture.h"
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The document's Markdown. */
static const char *md(const char *html)
{
    dom *d = load(html);
    size_t len = 0;
    char *s = markdown_render(d, dom_document(d), &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(strlen(s), len);
    return s;
}

#define MD_EQ(html, want)                                                                          \
    do {                                                                                           \
        const char *got_ = md(html);                                                               \
        ck_assert_msg(strcmp(got_, want) == 0, "for %s\n got: [%s]\nwant: [%s]", html, got_,       \
                      want);                                                                       \
    } while (0)

START_TEST(headings_paragraphs)
{
    MD_EQ("<h1>Title</h1><p>One   two\nthree.</p><p>Next</p>",
          "# Title\n\nOne two three.\n\nNext\n");
    MD_EQ("<h2>A <em>b</em></h2><h6>six<br>lines</h6>", "## A *b*\n\n###### six lines\n");
    MD_EQ("<p>a<br>b</p>", "a  \nb\n");
    MD_EQ("<p>x</p><hr><p>y</p>", "x\n\n---\n\ny\n");
    finish();
}
END_TEST

START_TEST(nested_lists)
{
    MD_EQ("<ul><li>a</li><li>b<ul><li>b1</li><li>b2<ol><li>deep</li></ol></li></ul></li>"
          "<li>c</li></ul>",
          "- a\n- b\n  - b1\n  - b2\n    1. deep\n- c\n");
    MD_EQ("<ol start=3><li>three</li><li>four</li></ol><p>after</p>",
          "3. three\n4. four\n\nafter\n");
    MD_EQ("<ol><li><p>para</p><p>second</p></li></ol>", "1. para\n\n   second\n");
    finish();
}
END_TEST

START_TEST(links_and_images)
{
    /* links and images are made absolute against the document's URL
     * (html_fixture.h: http://example.com/dir/page.html) or its <base> */
    MD_EQ("<p>See <a href=\"/x\" title='The \"X\"'>the x</a> and <a href=\"a b\">sp</a>.</p>",
          "See [the x](http://example.com/x \"The \\\"X\\\"\") and "
          "[sp](http://example.com/dir/a%20b).\n");
    MD_EQ(
        "<p><a href=\"q?a=1#f\">rel</a> <a href=\"javascript:void(0)\">js</a> "
        "<a href=\"mailto:a@b.c\">mail</a></p>",
        "[rel](http://example.com/dir/q?a=1#f) [js](<javascript:void(0)>) [mail](mailto:a@b.c)\n");
    MD_EQ("<head><base href=\"https://cdn.example.org/b/\"></head><p><a href=\"c\">based</a></p>",
          "[based](https://cdn.example.org/b/c)\n");
    MD_EQ("<p><a name=anchor>no href</a></p>", "no href\n");
    MD_EQ("<p><img src=\"i.png\" alt=\"An [image]\" title=t></p>",
          "![An \\[image\\]](http://example.com/dir/i.png \"t\")\n");
    MD_EQ("<p><img alt=nosrc></p><p>x</p>", "x\n");
    finish();
}
END_TEST

START_TEST(code)
{
    MD_EQ("<p>Use <code>a_b()</code> or <code>x`y</code>.</p>", "Use `a_b()` or ``x`y``.\n");
    MD_EQ("<pre><code class=\"language-py\">def f():\n    return 1 &lt; 2\n</code></pre>",
          "```py\ndef f():\n    return 1 < 2\n```\n");
    MD_EQ("<pre>has ``` inside</pre>", "````\nhas ``` inside\n````\n");
    MD_EQ("<ul><li>item<pre>code\nmore</pre></li></ul>",
          "- item\n\n  ```\n  code\n  more\n  ```\n");
    finish();
}
END_TEST

START_TEST(tables)
{
    MD_EQ("<table><thead><tr><th>A</th><th>B</th></tr></thead>"
          "<tbody><tr><td>1</td><td>a|b</td></tr><tr><td>only</td></tr></tbody></table>",
          "| A | B |\n| --- | --- |\n| 1 | a\\|b |\n| only |  |\n");
    MD_EQ("<p>before</p><table><tr><td><b>x</b><br>y</td></tr></table><p>after</p>",
          "before\n\n| **x** y |\n| --- |\n\nafter\n");
    MD_EQ("<table></table><p>t</p>", "t\n");
    finish();
}
END_TEST

START_TEST(entities_and_escapes)
{
    MD_EQ("<p>&lt;b&gt; &amp; &copy; 2*3 a_b [x]</p>", "\\<b> & \xc2\xa9 2\\*3 a\\_b \\[x\\]\n");
    MD_EQ("<p># not a heading</p>", "\\# not a heading\n");
    MD_EQ("<p>caf&eacute; &#x1F600;</p>", "caf\xc3\xa9 \xf0\x9f\x98\x80\n");
    finish();
}
END_TEST

START_TEST(left_out)
{
    MD_EQ("<head><title>T</title><style>p{}</style></head><body><script>var x='<p>no</p>'"
          "</script><p>shown</p><noscript>ns</noscript><div hidden>h</div>"
          "<p style=\"DISPLAY : none\">s</p><p aria-hidden=true>a</p><template><p>t</p>"
          "</template><p>end</p></body>",
          "shown\n\nend\n");
    finish();
}
END_TEST

START_TEST(empty_elements)
{
    MD_EQ("", "");
    MD_EQ("<p></p><ul></ul><h1> </h1><b></b><em><span></span></em><li></li><p>x</p>", "x\n");
    MD_EQ("<blockquote><p>q1</p><p>q2</p></blockquote>", "> q1\n>\n> q2\n");
    finish();
}
END_TEST

START_TEST(sees_dom_edits)
{
    dom *d = load("<body><p id=p>old</p></body>");
    GumboNode *p = by_id(d, "p");
    ck_assert_int_eq(dom_set_inner_html(d, p, "<em>new</em> text", 17), DOM_OK);
    size_t len;
    ck_assert_str_eq(markdown_render(d, dom_document(d), &len), "*new* text\n");
    finish();
}
END_TEST

START_TEST(deep_nesting)
{
    /* far deeper than a recursive walk's stack: the walk is iterative */
    size_t n = 50000;
    char *html = malloc(n * 10 + 64);
    ck_assert_ptr_nonnull(html);
    char *q = html;
    for (size_t i = 0; i < n; i++)
        q += sprintf(q, "<div>");
    q += sprintf(q, "<b>deep</b>");
    *q = '\0';
    dom *d = load(html);
    free(html);
    size_t len;
    const char *s = markdown_render(d, dom_document(d), &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_nonnull(strstr(s, "deep"));
    finish();
}
END_TEST

static Suite *markdown_suite(void)
{
    Suite *s = suite_create("markdown");
    TCase *tc = tcase_create("render");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, headings_paragraphs);
    tcase_add_test(tc, nested_lists);
    tcase_add_test(tc, links_and_images);
    tcase_add_test(tc, code);
    tcase_add_test(tc, tables);
    tcase_add_test(tc, entities_and_escapes);
    tcase_add_test(tc, left_out);
    tcase_add_test(tc, empty_elements);
    tcase_add_test(tc, sees_dom_edits);
    tcase_add_test(tc, deep_nesting);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(markdown_suite()); }
