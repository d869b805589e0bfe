/* test_robots — robots.txt parsing, group selection, matching and the
 * status policy (RFC 9309), plus size caps, malformed input, pathological
 * patterns, leaks and allocation failure.
 *
 * Matching is table-driven: every row runs as its own loop test and its
 * failure message names the row. RFC rows are written from RFC 9309
 * §2.2.1-§2.2.3 and §5.1-§5.2; Google rows from Google's robots.txt
 * documentation ("URL matching based on path values", "Order of
 * precedence for rules"). */
#include <check.h>

#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "robots.h"

#define AGENT "crawld"

/* RFC 9309 §5.1 */
#define RFC_5_1                                                                                    \
    "User-Agent: *\n"                                                                              \
    "Disallow: *.gif$\n"                                                                           \
    "Disallow: /example/\n"                                                                        \
    "Allow: /publications/\n"                                                                      \
    "\n"                                                                                           \
    "User-Agent: foobot\n"                                                                         \
    "Disallow:/\n"                                                                                 \
    "Allow:/example/page.html\n"                                                                   \
    "Allow:/example/allowed.gif\n"                                                                 \
    "\n"                                                                                           \
    "User-Agent: barbot\n"                                                                         \
    "User-Agent: bazbot\n"                                                                         \
    "Disallow: /example/page.html\n"                                                               \
    "\n"                                                                                           \
    "User-Agent: quxbot\n"                                                                         \
    "\n"                                                                                           \
    "EOF\n"

/* RFC 9309 §5.2 */
#define RFC_5_2                                                                                    \
    "User-Agent: foobot\n"                                                                         \
    "Allow: /example/page/\n"                                                                      \
    "Disallow: /example/page/disallowed.gif\n"

#define UA "User-agent: *\n"

typedef struct mcase {
    const char *name;
    const char *body;
    const char *agent;
    const char *path;
    int allowed;
} mcase;

static const mcase CASES[] = {
    /* RFC 9309 §5.1: the * group */
    {"5.1 * gif anchored", RFC_5_1, "otherbot", "/img/a.gif", 0},
    {"5.1 * gif with query not anchored-match", RFC_5_1, "otherbot", "/img/a.gif?x", 1},
    {"5.1 * /example/ disallowed", RFC_5_1, "otherbot", "/example/page.html", 0},
    {"5.1 * /publications/ allowed", RFC_5_1, "otherbot", "/publications/index.html", 1},
    {"5.1 * /publications/ gif: longer allow wins", RFC_5_1, "otherbot", "/publications/x.gif", 1},
    {"5.1 * unrelated path allowed", RFC_5_1, "otherbot", "/about", 1},
    /* §5.1: foobot */
    {"5.1 foobot allowed page", RFC_5_1, "foobot", "/example/page.html", 1},
    {"5.1 foobot allowed gif", RFC_5_1, "foobot", "/example/allowed.gif", 1},
    {"5.1 foobot other page disallowed", RFC_5_1, "foobot", "/example/other.html", 0},
    {"5.1 foobot root disallowed", RFC_5_1, "foobot", "/", 0},
    {"5.1 foobot ignores * group's publications", RFC_5_1, "foobot", "/publications/", 0},
    /* §5.1: barbot and bazbot share a group */
    {"5.1 barbot page disallowed", RFC_5_1, "barbot", "/example/page.html", 0},
    {"5.1 bazbot page disallowed", RFC_5_1, "bazbot", "/example/page.html", 0},
    {"5.1 barbot other allowed", RFC_5_1, "barbot", "/example/other.html", 1},
    {"5.1 bazbot gif allowed (not in * group)", RFC_5_1, "bazbot", "/a.gif", 1},
    /* §5.1: quxbot's empty group allows everything */
    {"5.1 quxbot empty group allows gif", RFC_5_1, "quxbot", "/a.gif", 1},
    {"5.1 quxbot empty group allows /example/", RFC_5_1, "quxbot", "/example/x", 1},
    /* §5.2 longest match */
    {"5.2 /example/page/ allowed", RFC_5_2, "foobot", "/example/page/", 1},
    {"5.2 disallowed.gif disallowed", RFC_5_2, "foobot", "/example/page/disallowed.gif", 0},
    {"5.2 other file in page/ allowed", RFC_5_2, "foobot", "/example/page/ok.gif", 1},
    /* §2.2.1: product token, case-insensitive, merged groups */
    {"2.2.1 ExampleBot case-insensitive", "user-agent: ExampleBot\ndisallow: /foo\n", "examplebot",
     "/foo", 0},
    {"2.2.1 merged groups: first",
     "user-agent: ExampleBot\ndisallow: /foo\ndisallow: /bar\n\n"
     "user-agent: ExampleBot\ndisallow: /baz\n",
     "ExampleBot", "/bar", 0},
    {"2.2.1 merged groups: second",
     "user-agent: ExampleBot\ndisallow: /foo\ndisallow: /bar\n\n"
     "user-agent: ExampleBot\ndisallow: /baz\n",
     "ExampleBot", "/baz/x", 0},
    {"2.2.1 no group, no *: allowed", "user-agent: other\ndisallow: /\n", AGENT, "/x", 1},
    {"2.2.1 * group when none names us",
     "user-agent: other\ndisallow: /\n\nuser-agent: *\n"
     "disallow: /star\n",
     AGENT, "/star", 0},
    {"2.2.1 our group replaces *",
     "user-agent: *\ndisallow: /\n\nuser-agent: crawld\n"
     "disallow: /private\n",
     AGENT, "/public", 1},
    /* §2.2.2 precedence and encoding */
    {"2.2.2 allow wins a tie", "user-agent: *\nallow: /folder\ndisallow: /folder\n", AGENT,
     "/folder/page", 1},
    {"2.2.2 empty disallow allows all", "user-agent: *\ndisallow:\n", AGENT, "/anything", 1},
    {"2.2.2 table row 1: plain query", UA "disallow: /foo/bar?baz=quz\n", AGENT, "/foo/bar?baz=quz",
     0},
    {"2.2.2 table row 2: reserved escapes, hex case",
     UA "disallow: /foo/bar?baz=https%3A%2F%2Ffoo.bar\n", AGENT,
     "/foo/bar?baz=https%3a%2f%2ffoo.bar", 0},
    {"2.2.2 table row 2: escaped / is not /", UA "disallow: /foo/bar?baz=https%3A%2F%2Ffoo.bar\n",
     AGENT, "/foo/bar?baz=https://foo.bar", 1},
    {"2.2.2 table row 3: UTF-8 pattern vs escaped path", UA "disallow: /foo/bar/\xE3\x83\x84\n",
     AGENT, "/foo/bar/%E3%83%84", 0},
    {"2.2.2 table row 3: escaped pattern vs UTF-8 path", UA "disallow: /foo/bar/%E3%83%84\n", AGENT,
     "/foo/bar/\xE3\x83\x84", 0},
    {"2.2.2 table row 4: lowercase escapes", UA "disallow: /foo/bar/%E3%83%84\n", AGENT,
     "/foo/bar/%e3%83%84", 0},
    {"2.2.2 table row 5: unreserved escapes decoded in path", UA "disallow: /foo/bar/baz\n", AGENT,
     "/foo/bar/%62%61%7A", 0},
    {"2.2.2 table row 5: unreserved escapes decoded in pattern",
     UA "disallow: /foo/bar/%62%61%7A\n", AGENT, "/foo/bar/baz", 0},
    /* §2.2.3 special characters */
    {"2.2.3 comment after rule", UA "allow: / # comment in line\n# own line\ndisallow: /x\n", AGENT,
     "/x", 0},
    {"2.2.3 $ exact path", UA "disallow: /this/path/exactly$\n", AGENT, "/this/path/exactly", 0},
    {"2.2.3 $ longer path allowed", UA "disallow: /this/path/exactly$\n", AGENT,
     "/this/path/exactly/more", 1},
    {"2.2.3 * in the middle", UA "disallow: /this/*/exactly\n", AGENT, "/this/a/b/exactly", 0},
    {"2.2.3 * needs the suffix", UA "disallow: /this/*/exactly\n", AGENT, "/this/a/b/nearly", 1},
    {"2.2.3 %2A matches a literal *", UA "disallow: /path/file-with-a-%2A.html\n", AGENT,
     "/path/file-with-a-*.html", 0},
    {"2.2.3 %2A is not a wildcard", UA "disallow: /path/file-with-a-%2A.html\n", AGENT,
     "/path/file-with-a-x.html", 1},
    {"2.2.3 %24 matches a literal $", UA "disallow: /path/foo-%24\n", AGENT, "/path/foo-$", 0},
    {"2.2.3 $ not at the end is literal", UA "disallow: /a$b\n", AGENT, "/a$b", 0},
    {"2.2.3 /robots.txt always allowed", UA "disallow: /\n", AGENT, "/robots.txt", 1},
    /* Google: URL matching based on path values */
    {"google / matches root", UA "disallow: /\n", AGENT, "/", 0},
    {"google /* same as /", UA "disallow: /*\n", AGENT, "/any/thing", 0},
    {"google /$ root only: root", UA "disallow: /$\n", AGENT, "/", 0},
    {"google /$ root only: page", UA "disallow: /$\n", AGENT, "/page.htm", 1},
    {"google /fish: /fish", UA "disallow: /fish\n", AGENT, "/fish", 0},
    {"google /fish: /fish.html", UA "disallow: /fish\n", AGENT, "/fish.html", 0},
    {"google /fish: /fish/salmon.html", UA "disallow: /fish\n", AGENT, "/fish/salmon.html", 0},
    {"google /fish: /fishheads", UA "disallow: /fish\n", AGENT, "/fishheads", 0},
    {"google /fish: /fish.php?id=anything", UA "disallow: /fish\n", AGENT, "/fish.php?id=anything",
     0},
    {"google /fish: /Fish.asp case-sensitive", UA "disallow: /fish\n", AGENT, "/Fish.asp", 1},
    {"google /fish: /catfish", UA "disallow: /fish\n", AGENT, "/catfish", 1},
    {"google /fish: /?id=fish", UA "disallow: /fish\n", AGENT, "/?id=fish", 1},
    {"google /fish: /desert/fish", UA "disallow: /fish\n", AGENT, "/desert/fish", 1},
    {"google /fish*: /fishheads", UA "disallow: /fish*\n", AGENT, "/fishheads", 0},
    {"google /fish*: /catfish", UA "disallow: /fish*\n", AGENT, "/catfish", 1},
    {"google /fish/: /fish/?id=x", UA "disallow: /fish/\n", AGENT, "/fish/?id=anything", 0},
    {"google /fish/: /fish", UA "disallow: /fish/\n", AGENT, "/fish", 1},
    {"google /fish/: /animals/fish/", UA "disallow: /fish/\n", AGENT, "/animals/fish/", 1},
    {"google /*.php: /index.php", UA "disallow: /*.php\n", AGENT, "/index.php", 0},
    {"google /*.php: /folder/filename.php?parameters", UA "disallow: /*.php\n", AGENT,
     "/folder/filename.php?parameters", 0},
    {"google /*.php: /folder/any.php.file.html", UA "disallow: /*.php\n", AGENT,
     "/folder/any.php.file.html", 0},
    {"google /*.php: /", UA "disallow: /*.php\n", AGENT, "/", 1},
    {"google /*.php: /windows.PHP", UA "disallow: /*.php\n", AGENT, "/windows.PHP", 1},
    {"google /*.php$: /filename.php", UA "disallow: /*.php$\n", AGENT, "/filename.php", 0},
    {"google /*.php$: /folder/filename.php", UA "disallow: /*.php$\n", AGENT,
     "/folder/filename.php", 0},
    {"google /*.php$: /filename.php?parameters", UA "disallow: /*.php$\n", AGENT,
     "/filename.php?parameters", 1},
    {"google /*.php$: /filename.php/", UA "disallow: /*.php$\n", AGENT, "/filename.php/", 1},
    {"google /*.php$: /filename.php5", UA "disallow: /*.php$\n", AGENT, "/filename.php5", 1},
    {"google /*.php$: /a.php.php (retry past first .php)", UA "disallow: /*.php$\n", AGENT,
     "/a.php.php", 0},
    {"google /fish*.php: /fish.php", UA "disallow: /fish*.php\n", AGENT, "/fish.php", 0},
    {"google /fish*.php: /fishheads/catfish.php?parameters", UA "disallow: /fish*.php\n", AGENT,
     "/fishheads/catfish.php?parameters", 0},
    {"google /fish*.php: /Fish.PHP", UA "disallow: /fish*.php\n", AGENT, "/Fish.PHP", 1},
    /* Google: order of precedence */
    {"google precedence allow /p over disallow /", UA "allow: /p\ndisallow: /\n", AGENT, "/page",
     1},
    {"google precedence /*.htm longer than /page", UA "allow: /page\ndisallow: /*.htm\n", AGENT,
     "/page.htm", 0},
    {"google precedence allow /$: root", UA "allow: /$\ndisallow: /\n", AGENT, "/", 1},
    {"google precedence allow /$: page", UA "allow: /$\ndisallow: /\n", AGENT, "/page.htm", 0},
    {"precedence independent of order", UA "disallow: /a/b\nallow: /a\n", AGENT, "/a/b/c", 0},
    /* group selection */
    {"agent case-insensitive in file", "User-agent: CRAWLD\nDisallow: /x\n", AGENT, "/x", 0},
    {"agent case-insensitive in argument", "User-agent: crawld\nDisallow: /x\n", "CrawlD", "/x", 0},
    {"file token with version", "User-agent: crawld/1.0\nDisallow: /x\n", AGENT, "/x", 0},
    {"argument with version", "User-agent: crawld\nDisallow: /x\n", "crawld/0.1", "/x", 0},
    {"longer token does not match", "User-agent: crawld-bot\nDisallow: /x\n", AGENT, "/x", 1},
    {"prefix token does not match", "User-agent: crawl\nDisallow: /x\n", AGENT, "/x", 1},
    {"our token and * in one group", "User-agent: crawld\nUser-agent: *\nDisallow: /x\n", AGENT,
     "/x", 0},
    {"* with a comment", "User-agent: * # everyone\nDisallow: /x\n", AGENT, "/x", 0},
    {"*bot is not *", "User-agent: *bot\nDisallow: /x\n", AGENT, "/x", 1},
    {"several * groups merged",
     "User-agent: *\nDisallow: /a\n\nUser-agent: other\nDisallow: /b\n"
     "\nUser-agent: *\nDisallow: /c\n",
     AGENT, "/c", 0},
    {"other agent's rules not merged into *",
     "User-agent: *\nDisallow: /a\n\n"
     "User-agent: other\nDisallow: /b\n",
     AGENT, "/b", 1},
    {"rule line ends the user-agent run",
     "User-agent: other\nDisallow: /a\n"
     "User-agent: crawld\nDisallow: /b\n",
     AGENT, "/a", 1},
    {"unknown line keeps the run",
     "User-agent: other\nFoo: bar\nUser-agent: crawld\n"
     "Disallow: /b\n",
     AGENT, "/b", 0},
    {"rules before any user-agent ignored", "Disallow: /\nUser-agent: *\nDisallow: /x\n", AGENT,
     "/y", 1},
    {"NULL agent uses *", "User-agent: *\nDisallow: /x\n", NULL, "/x", 0},
    /* malformed and tolerant parsing */
    {"Disallow:/ without space", "User-agent:*\nDisallow:/\n", AGENT, "/a", 0},
    {"keys case-insensitive, spaces around", "  USER-AGENT  :  *  \n  DISALLOW\t:\t/x  \n", AGENT,
     "/x", 0},
    {"CRLF line endings", "User-agent: *\r\nDisallow: /x\r\n", AGENT, "/x", 0},
    {"CR line endings", "User-agent: *\rDisallow: /x\rAllow: /x/y\r", AGENT, "/x/y", 1},
    {"BOM skipped", "\xEF\xBB\xBFUser-agent: *\nDisallow: /x\n", AGENT, "/x", 0},
    {"no trailing newline", "User-agent: *\nDisallow: /x", AGENT, "/x", 0},
    {"line without colon ignored", "User-agent: *\nDisallow /x\nDisallow: /y\n", AGENT, "/x", 1},
    {"typo dissallow accepted", "User-agent: *\nDissallow: /x\n", AGENT, "/x", 0},
    {"user agent with a space", "User agent: crawld\nDisallow: /x\n", AGENT, "/x", 0},
    {"invalid UTF-8 line skipped over", "User-agent: *\n\xFF\xFE\x80 garbage\nDisallow: /x\n",
     AGENT, "/x", 0},
    {"pattern without leading / gets one", UA "Disallow: private\n", AGENT, "/private/a", 0},
    {"space inside pattern matches %20", UA "Disallow: /a b\n", AGENT, "/a%20b", 0},
    {"bare % matches %25", UA "Disallow: /100%\n", AGENT, "/100%25", 0},
    {"empty path is /", UA "Disallow: /$\n", AGENT, "", 0},
};
#define N_CASES (sizeof(CASES) / sizeof(CASES[0]))

START_TEST(test_match)
{
    const mcase *c = &CASES[_i];
    robots *r = robots_parse(c->body, strlen(c->body), c->agent);
    ck_assert_msg(r != NULL, "%s: parse failed", c->name);
    int got = robots_allowed(r, c->path);
    ck_assert_msg(got == c->allowed, "%s: %s for agent %s: got %s, want %s", c->name, c->path,
                  c->agent ? c->agent : "(null)", got ? "allowed" : "disallowed",
                  c->allowed ? "allowed" : "disallowed");
    robots_free(r);
}
END_TEST

/* ---- crawl-delay ---- */

typedef struct dcase {
    const char *name;
    const char *body;
    long want_ms;
} dcase;

static const dcase DELAYS[] = {
    {"integer", "User-agent: *\nCrawl-delay: 10\n", 10000},
    {"fractional", "User-agent: *\nCrawl-delay: 0.5\n", 500},
    {"fraction without integer part", "User-agent: *\nCrawl-delay: .25\n", 250},
    {"fraction truncated at 1 ms", "User-agent: *\nCrawl-delay: 1.2345\n", 1234},
    {"trailing unit ignored", "User-agent: *\nCrawl-delay: 3s\n", 3000},
    {"none", "User-agent: *\nDisallow: /x\n", -1},
    {"not a number", "User-agent: *\nCrawl-delay: soon\n", -1},
    {"negative ignored", "User-agent: *\nCrawl-delay: -5\n", -1},
    {"largest of several", "User-agent: *\nCrawl-delay: 2\nCrawl-delay: 7\nCrawl-delay: 1\n", 7000},
    {"other group's ignored", "User-agent: other\nCrawl-delay: 9\n\nUser-agent: *\nDisallow: /\n",
     -1},
    {"our group's over *'s",
     "User-agent: *\nCrawl-delay: 9\n\nUser-agent: crawld\nCrawl-delay: 2\n", 2000},
    {"saturates", "User-agent: *\nCrawl-delay: 99999999999999999999\n", ROBOTS_DELAY_SATURATE_MS},
    {"key variants", "User-agent: *\ncrawl delay: 4\n", 4000},
};
#define N_DELAYS (sizeof(DELAYS) / sizeof(DELAYS[0]))

START_TEST(test_crawl_delay)
{
    const dcase *c = &DELAYS[_i];
    robots *r = robots_parse(c->body, strlen(c->body), AGENT);
    ck_assert_msg(r != NULL, "delay %s: parse failed", c->name);
    ck_assert_msg(robots_crawl_delay_ms(r) == c->want_ms, "delay %s: got %ld, want %ld", c->name,
                  robots_crawl_delay_ms(r), c->want_ms);
    robots_free(r);
}
END_TEST

START_TEST(test_crawl_delay_ends_ua_run)
{
    /* "crawl-delay" is a group member: the next user-agent opens a new group. */
    const char *b = "User-agent: crawld\nCrawl-delay: 5\nUser-agent: other\nDisallow: /x\n";
    robots *r = robots_parse(b, strlen(b), AGENT);
    ck_assert_msg(robots_crawl_delay_ms(r) == 5000, "crawl-delay run: delay");
    ck_assert_msg(robots_allowed(r, "/x"), "crawl-delay run: other's rule leaked into ours");
    robots_free(r);
}
END_TEST

/* ---- status policy ---- */

typedef struct scase {
    long status;
    int allowed; /* for "/private" with a body disallowing it */
} scase;

static const scase STATUSES[] = {
    {200, 0}, {204, 0}, {301, 1}, {400, 1}, {401, 1}, {403, 1}, {404, 1}, {410, 1},
    {429, 0}, {500, 0}, {502, 0}, {503, 0}, {0, 0},   {-1, 0},  {100, 0}, {600, 0},
};
#define N_STATUSES (sizeof(STATUSES) / sizeof(STATUSES[0]))

START_TEST(test_status_policy)
{
    const scase *c = &STATUSES[_i];
    const char *body = "User-agent: *\nDisallow: /private\n";
    robots *r = robots_from_response(c->status, body, strlen(body), AGENT);
    ck_assert_msg(r != NULL, "status %ld: NULL", c->status);
    ck_assert_msg(robots_allowed(r, "/private") == c->allowed, "status %ld: /private %s, want %s",
                  c->status, robots_allowed(r, "/private") ? "allowed" : "disallowed",
                  c->allowed ? "allowed" : "disallowed");
    if (c->status >= 200 && c->status <= 299)
        ck_assert_msg(robots_allowed(r, "/public"), "status %ld: /public", c->status);
    ck_assert_msg(robots_allowed(r, "/robots.txt"), "status %ld: /robots.txt", c->status);
    robots_free(r);
}
END_TEST

/* daemon/results.c asks robots_unreadable why a host's pages are disallowed; it must
 * say "unreadable" exactly when robots_from_response disallows everything. */
START_TEST(test_unreadable_agrees_with_policy)
{
    const char *body = "User-agent: *\nDisallow: /private\n";
    for (long status = -1; status <= 600; status++) {
        robots *r = robots_from_response(status, body, strlen(body), AGENT);
        ck_assert_msg(r != NULL, "status %ld: NULL", status);
        int unread = robots_unreadable(status, 0);
        ck_assert_msg((r == robots_disallow_all()) == unread,
                      "status %ld: robots_unreadable says %d, the policy %s", status, unread,
                      r == robots_disallow_all() ? "disallows all" : "reads or allows");
        ck_assert_msg(robots_allowed(r, "/public") == !unread, "status %ld: /public", status);
        ck_assert_msg(robots_unreadable(status, 1), "status %ld: a failed fetch is unreadable",
                      status);
        robots_free(r);
    }
}
END_TEST

START_TEST(test_static_objects)
{
    size_t base = alloc_live_bytes();
    alloc_fail_after(1);
    robots *a = robots_allow_all(), *d = robots_disallow_all();
    robots *nf = robots_from_response(404, NULL, 0, AGENT);
    robots *se = robots_from_response(503, NULL, 0, AGENT);
    alloc_fail_reset();
    ck_assert_msg(a && d && nf == a && se == d, "static objects: never NULL, even out of memory");
    ck_assert_msg(robots_allowed(a, "/x") && !robots_allowed(d, "/x"), "static objects: verdicts");
    ck_assert_msg(robots_crawl_delay_ms(a) == -1 && robots_rule_count(d) == 0,
                  "static objects: no delay, no rules");
    robots_free(a);
    robots_free(d);
    robots_free(NULL);
    ck_assert_msg(alloc_live_bytes() == base, "static objects: allocated nothing");
    ck_assert_msg(!robots_allowed(NULL, "/x"), "NULL robots: disallowed");
}
END_TEST

/* ---- rules, sitemaps ---- */

START_TEST(test_rule_order_and_normal_form)
{
    const char *b =
        "User-agent: *\nDisallow: /a\nAllow: /a\nDisallow: /%62%2f%e3\xE3\nAllow: /x$\n";
    robots *r = robots_parse(b, strlen(b), AGENT);
    ck_assert_msg(robots_rule_count(r) == 4, "rule order: count %zu", robots_rule_count(r));
    int allow = -1;
    ck_assert_str_eq(robots_rule(r, 0, &allow), "/b%2F%E3%E3");
    ck_assert_msg(allow == 0, "rule order: longest first");
    ck_assert_str_eq(robots_rule(r, 1, &allow), "/x$");
    ck_assert_msg(allow == 1, "rule order: /x$");
    ck_assert_str_eq(robots_rule(r, 2, &allow), "/a");
    ck_assert_msg(allow == 1, "rule order: allow before disallow on a tie");
    ck_assert_str_eq(robots_rule(r, 3, &allow), "/a");
    ck_assert_msg(allow == 0, "rule order: then the disallow");
    ck_assert_msg(robots_rule(r, 4, &allow) == NULL, "rule order: out of range");
    robots_free(r);
}
END_TEST

START_TEST(test_only_selected_rules_kept)
{
    robots *r = robots_parse(RFC_5_1, strlen(RFC_5_1), "foobot");
    ck_assert_msg(robots_rule_count(r) == 3, "5.1 foobot keeps 3 rules, got %zu",
                  robots_rule_count(r));
    robots_free(r);
    r = robots_parse(RFC_5_1, strlen(RFC_5_1), "quxbot");
    ck_assert_msg(robots_rule_count(r) == 0, "5.1 quxbot keeps none");
    robots_free(r);
}
END_TEST

START_TEST(test_sitemaps)
{
    const char *b = "Sitemap: https://example.com/a.xml\nUser-agent: x\n"
                    "SITEMAP:   https://example.com/b.xml   # c\nDisallow: /\nsitemap:\n"
                    "Sitemap: https://e.com/\x01"
                    "bad\n";
    robots *r = robots_parse(b, strlen(b), AGENT);
    ck_assert_msg(robots_sitemap_count(r) == 2, "sitemaps: count %zu", robots_sitemap_count(r));
    ck_assert_str_eq(robots_sitemap(r, 0), "https://example.com/a.xml");
    ck_assert_str_eq(robots_sitemap(r, 1), "https://example.com/b.xml");
    ck_assert_msg(robots_sitemap(r, 2) == NULL, "sitemaps: out of range");
    robots_free(r);
}
END_TEST

/* ---- malformed input ---- */

START_TEST(test_nul_bytes)
{
    const char b[] = "User-agent: *\nDisallow: /a\0b\nFoo\0: x\nDisallow: /c\n";
    robots *r = robots_parse(b, sizeof(b) - 1, AGENT);
    ck_assert_msg(robots_rule_count(r) == 2, "NUL bytes: both rules kept, got %zu",
                  robots_rule_count(r));
    ck_assert_msg(!robots_allowed(r, "/c"), "NUL bytes: rule after NUL parsed");
    ck_assert_msg(robots_allowed(r, "/ab"), "NUL bytes: /a%%00b is not /ab");
    robots_free(r);
}
END_TEST

START_TEST(test_long_line_skipped)
{
    size_t big = ROBOTS_MAX_LINE + 10;
    char *b = malloc(big + 64);
    int o = sprintf(b, "User-agent: *\nDisallow: /long");
    memset(b + o, 'x', big);
    o += (int)big;
    o += sprintf(b + o, "\nDisallow: /short\n");
    robots *r = robots_parse(b, (size_t)o, AGENT);
    ck_assert_msg(robots_rule_count(r) == 1, "long line: skipped, got %zu rules",
                  robots_rule_count(r));
    ck_assert_msg(robots_allowed(r, "/longxxx"), "long line: its rule not applied");
    ck_assert_msg(!robots_allowed(r, "/short"), "long line: next line parsed");
    robots_free(r);
    free(b);
}
END_TEST

START_TEST(test_empty_and_null_body)
{
    robots *r = robots_parse(NULL, 0, AGENT);
    ck_assert_msg(r && robots_allowed(r, "/x") && robots_rule_count(r) == 0, "NULL body: allows");
    robots_free(r);
    r = robots_parse("", 0, AGENT);
    ck_assert_msg(r && robots_allowed(r, "/x"), "empty body: allows");
    robots_free(r);
    r = robots_parse("# only a comment\n\n\n", 19, AGENT);
    ck_assert_msg(r && robots_allowed(r, "/x"), "comment-only body: allows");
    robots_free(r);
}
END_TEST

/* ---- size cap ---- */

/* "User-agent: *\n", filler comment lines up to `at` bytes, then tail. */
static char *padded(size_t at, const char *tail, size_t *len)
{
    size_t tl = strlen(tail);
    char *b = malloc(at + tl + 1);
    size_t o = (size_t)sprintf(b, "User-agent: *\n");
    while (o < at) {
        size_t n = at - o < 100 ? at - o : 100;
        memset(b + o, '#', n);
        b[o + n - 1] = '\n';
        o += n;
    }
    memcpy(b + o, tail, tl + 1);
    *len = o + tl;
    return b;
}

START_TEST(test_rule_after_cap_ignored)
{
    size_t len;
    char *b = padded(ROBOTS_MAX_BYTES + 10, "Disallow: /late\n", &len);
    robots *r = robots_parse(b, len, AGENT);
    ck_assert_msg(robots_allowed(r, "/late"), "size cap: rule after 500 KiB ignored");
    robots_free(r);
    free(b);
}
END_TEST

START_TEST(test_rule_before_cap_kept)
{
    size_t len;
    const char *tail = "Disallow: /early\n";
    char *b = padded(ROBOTS_MAX_BYTES - strlen(tail), tail, &len);
    ck_assert_msg(len == ROBOTS_MAX_BYTES, "size cap: fixture is %zu bytes", len);
    robots *r = robots_parse(b, len, AGENT);
    ck_assert_msg(!robots_allowed(r, "/early"), "size cap: rule ending at 500 KiB kept");
    robots_free(r);
    /* same file without its final newline, exactly 500 KiB - 1: still kept */
    r = robots_parse(b, len - 1, AGENT);
    ck_assert_msg(!robots_allowed(r, "/early"), "size cap: last line without newline kept");
    robots_free(r);
    free(b);
}
END_TEST

START_TEST(test_line_cut_by_cap_dropped)
{
    size_t len;
    /* "Disallow: /cut" fits, "tail" crosses the cap: the cut line is dropped. */
    const char *tail = "Disallow: /cutTAIL\n";
    char *b = padded(ROBOTS_MAX_BYTES - 14, tail, &len);
    robots *r = robots_parse(b, len, AGENT);
    ck_assert_msg(robots_allowed(r, "/cut"), "size cap: line cut at 500 KiB dropped");
    ck_assert_msg(robots_rule_count(r) == 0, "size cap: no rule from the cut line");
    robots_free(r);
    free(b);
}
END_TEST

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(test_huge_file_bounded)
{
    /* 500 KiB of distinct rules: bounded time and memory. */
    size_t cap = ROBOTS_MAX_BYTES + 1024;
    char *b = malloc(cap);
    size_t o = (size_t)sprintf(b, "User-agent: *\n");
    for (unsigned i = 0; o + 40 < cap; i++)
        o += (size_t)sprintf(b + o, "Disallow: /d%u/*x$\n", i);
    size_t base = alloc_live_bytes();
    double t0 = now_s();
    robots *r = robots_parse(b, o, AGENT);
    double t1 = now_s();
    ck_assert_msg(r != NULL, "huge file: parsed");
    ck_assert_msg(t1 - t0 < 2.0, "huge file: parse took %.3f s", t1 - t0);
    ck_assert_msg(robots_rule_count(r) > 20000, "huge file: %zu rules", robots_rule_count(r));
    ck_assert_msg(alloc_live_bytes() - base < 4 * ROBOTS_MAX_BYTES,
                  "huge file: %zu bytes held for a 500 KiB file", alloc_live_bytes() - base);
    t0 = now_s();
    int verdicts = 0;
    for (int i = 0; i < 100; i++)
        verdicts += robots_allowed(r, "/not/matching/anything/at/all?q=1");
    t1 = now_s();
    ck_assert_msg(verdicts == 100, "huge file: unmatched path allowed");
    ck_assert_msg(!robots_allowed(r, "/d7/a/x"), "huge file: a rule applies");
    ck_assert_msg(t1 - t0 < 2.0, "huge file: 100 lookups took %.3f s", t1 - t0);
    robots_free(r);
    ck_assert_msg(alloc_live_bytes() == base, "huge file: freed");
    free(b);
}
END_TEST

START_TEST(test_pathological_wildcards)
{
    const char *b = "User-agent: *\nDisallow: /*a*a*a*a*a*a*a*a*a*a*a*a*b\n"
                    "Disallow: /*aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab$\n";
    robots *r = robots_parse(b, strlen(b), AGENT);
    size_t n = 8000;
    char *path = malloc(n + 2);
    path[0] = '/';
    memset(path + 1, 'a', n);
    path[n + 1] = '\0';
    double t0 = now_s();
    int ok = robots_allowed(r, path);
    double t1 = now_s();
    ck_assert_msg(ok, "pathological: no b, allowed");
    ck_assert_msg(t1 - t0 < 1.0, "pathological: took %.3f s", t1 - t0);
    path[n] = 'b';
    ck_assert_msg(!robots_allowed(r, path), "pathological: ends in b, disallowed");
    robots_free(r);
    free(path);
}
END_TEST

START_TEST(test_adversarial_file_bounded)
{
    /* ~400 KiB of long-segment wildcard rules against an 8000-octet path:
     * O(path x pattern) per rule would take seconds; the step budget stops
     * the call and answers disallowed. */
    size_t seg = 4000, rules = 100, n = 8000;
    char *b = malloc(rules * (seg + 16) + 32);
    size_t o = (size_t)sprintf(b, "User-agent: *\n");
    for (size_t i = 0; i < rules; i++) {
        o += (size_t)sprintf(b + o, "Disallow: /*");
        memset(b + o, 'a', seg);
        o += seg;
        o += (size_t)sprintf(b + o, "%c\n", (int)('b' + i % 20));
    }
    robots *r = robots_parse(b, o, AGENT);
    ck_assert_msg(robots_rule_count(r) == rules, "adversarial: %zu rules", robots_rule_count(r));
    char *path = malloc(n + 2);
    path[0] = '/';
    memset(path + 1, 'a', n);
    path[n + 1] = '\0';
    double t0 = now_s();
    int ok = robots_allowed(r, path);
    double t1 = now_s();
    ck_assert_msg(!ok, "adversarial: budget spent answers disallowed");
    ck_assert_msg(t1 - t0 < 3.0, "adversarial: took %.3f s", t1 - t0);
    ck_assert_msg(robots_allowed(r, "/short/path"), "adversarial: short path still allowed");
    robots_free(r);
    free(path);
    free(b);
}
END_TEST

/* ---- memory ---- */

START_TEST(test_no_leak)
{
    size_t base = alloc_live_bytes();
    for (int i = 0; i < 3; i++) {
        robots *r = robots_parse(RFC_5_1, strlen(RFC_5_1), i == 0 ? "foobot" : "x");
        ck_assert_msg(r && robots_size(r) > 0, "leak: parsed");
        ck_assert_msg(alloc_live_bytes() - base == robots_size(r), "leak: size accounted");
        robots_free(r);
        ck_assert_msg(alloc_live_bytes() == base, "leak: back to baseline after free");
    }
}
END_TEST

START_TEST(test_alloc_failure)
{
    const char *b = RFC_5_1 "Sitemap: https://example.com/s.xml\n";
    size_t base = alloc_live_bytes();
    int succeeded = 0;
    for (long n = 1; n <= 10 && !succeeded; n++) {
        alloc_fail_after(n);
        robots *r = robots_parse(b, strlen(b), "foobot");
        alloc_fail_reset();
        if (!r) {
            ck_assert_msg(alloc_live_bytes() == base, "alloc failure %ld: leaked %zu bytes", n,
                          alloc_live_bytes() - base);
            continue;
        }
        succeeded = 1;
        ck_assert_msg(!robots_allowed(r, "/x") && robots_allowed(r, "/example/page.html"),
                      "alloc failure %ld: result intact", n);
        robots_free(r);
    }
    ck_assert_msg(succeeded, "alloc failure: never succeeded within 10 allocations");
    alloc_fail_after(1);
    robots *r = robots_from_response(200, b, strlen(b), AGENT);
    alloc_fail_reset();
    ck_assert_msg(r == NULL, "alloc failure: robots_from_response(200) reports NULL");
    ck_assert_msg(alloc_live_bytes() == base, "alloc failure: nothing left");
}
END_TEST

static Suite *robots_suite(void)
{
    Suite *s = suite_create("robots");
    TCase *tc = tcase_create("match");
    tcase_add_loop_test(tc, test_match, 0, (int)N_CASES);
    suite_add_tcase(s, tc);

    tc = tcase_create("parse");
    tcase_add_loop_test(tc, test_crawl_delay, 0, (int)N_DELAYS);
    tcase_add_test(tc, test_crawl_delay_ends_ua_run);
    tcase_add_test(tc, test_rule_order_and_normal_form);
    tcase_add_test(tc, test_only_selected_rules_kept);
    tcase_add_test(tc, test_sitemaps);
    tcase_add_test(tc, test_nul_bytes);
    tcase_add_test(tc, test_long_line_skipped);
    tcase_add_test(tc, test_empty_and_null_body);
    suite_add_tcase(s, tc);

    tc = tcase_create("policy");
    tcase_add_loop_test(tc, test_status_policy, 0, (int)N_STATUSES);
    tcase_add_test(tc, test_static_objects);
    tcase_add_test(tc, test_unreadable_agrees_with_policy);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_rule_after_cap_ignored);
    tcase_add_test(tc, test_rule_before_cap_kept);
    tcase_add_test(tc, test_line_cut_by_cap_dropped);
    tcase_add_test(tc, test_huge_file_bounded);
    tcase_add_test(tc, test_pathological_wildcards);
    tcase_add_test(tc, test_adversarial_file_bounded);
    suite_add_tcase(s, tc);

    tc = tcase_create("memory");
    tcase_add_test(tc, test_no_leak);
    tcase_add_test(tc, test_alloc_failure);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(robots_suite()); }
