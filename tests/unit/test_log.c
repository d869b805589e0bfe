/* test_log — the line format, escaping, level filtering and configuration. */
#include "log.h"

#include <check.h>

#include "testutil.h"
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A pipe whose write end the logger writes to; read back without blocking. */
static int pipe_fds[2] = {-1, -1};

static void pipe_setup(void)
{
    ck_assert_int_eq(pipe2(pipe_fds, O_CLOEXEC), 0);
    ck_assert_int_eq(fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK), 0);
    log_set_fd(pipe_fds[1]);
}

static void pipe_teardown(void)
{
    log_set_fd(-1);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
}

/* Everything written so far (the writes are synchronous). */
static const char *drain(void)
{
    static char buf[16384];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof(buf) - 1 && (n = read(pipe_fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    return buf;
}

/* A logfmt reader as strict as tests/logfmt_check.py: key=value pairs split
 * by one space, a value bare (no space, '=', '"' or control byte, not
 * empty) or quoted with \" \\ \n \xNN escapes; the line ends in one '\n'.
 * Decoded values go to pairs[]; returns how many, or -1. */
typedef struct kvpair {
    char key[64];
    char val[4096];
    size_t len;
} kvpair;

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int parse_line(const char *p, kvpair *pairs, int max)
{
    int n = 0;
    for (;;) {
        if (n == max)
            return -1;
        kvpair *kv = &pairs[n];
        size_t k = 0;
        while (*p && *p != '=' && *p != ' ' && *p != '"' && (unsigned char)*p > ' ' &&
               k < sizeof(kv->key) - 1)
            kv->key[k++] = *p++;
        kv->key[k] = '\0';
        if (k == 0 || *p++ != '=')
            return -1;
        kv->len = 0;
        if (*p == '"') {
            for (p++; *p != '"'; p++) {
                unsigned char c = (unsigned char)*p;
                if (c < ' ' || c == 0x7f || kv->len >= sizeof(kv->val) - 1)
                    return -1;
                if (c == '\\') {
                    p++;
                    if (*p == '"' || *p == '\\')
                        c = (unsigned char)*p;
                    else if (*p == 'n')
                        c = '\n';
                    else if (*p == 'x' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
                        c = (unsigned char)(hexval(p[1]) * 16 + hexval(p[2]));
                        p += 2;
                    } else
                        return -1;
                }
                kv->val[kv->len++] = (char)c;
            }
            p++;
        } else {
            while (*p != ' ' && *p != '\n' && *p != '"' && *p != '=' && (unsigned char)*p > ' ' &&
                   (unsigned char)*p != 0x7f && kv->len < sizeof(kv->val) - 1)
                kv->val[kv->len++] = *p++;
            if (kv->len == 0)
                return -1;
        }
        kv->val[kv->len] = '\0';
        n++;
        if (*p == '\n')
            return p[1] == '\0' ? n : -1;
        if (*p++ != ' ')
            return -1;
    }
}

static kvpair parsed[40];

/* The decoded value of key in line, which must parse; NULL when absent. */
static const char *value_of(const char *line, const char *key, size_t *len)
{
    int n = parse_line(line, parsed, 40);
    ck_assert_msg(n > 0, "does not parse as logfmt: %s", line);
    for (int i = 0; i < n; i++)
        if (strcmp(parsed[i].key, key) == 0) {
            if (len)
                *len = parsed[i].len;
            return parsed[i].val;
        }
    return NULL;
}

/* line parses and key reads back as exactly want. */
static void assert_reads_back(const char *line, const char *key, const char *want, size_t want_len)
{
    size_t len = 0;
    const char *v = value_of(line, key, &len);
    ck_assert_msg(v != NULL, "no %s in %s", key, line);
    ck_assert_msg(len == want_len && memcmp(v, want, len) == 0, "%s reads back wrong from %s", key,
                  line);
}

START_TEST(test_format_example)
{
    char buf[256];
    int n = log_format(buf, sizeof(buf), LOG_INFO, "pool", "worker retired", "pid=1234 reason=rss");
    ck_assert_str_eq(buf, "level=info mod=pool msg=\"worker retired\" pid=1234 reason=rss\n");
    ck_assert_int_eq(n, (int)strlen(buf));
}
END_TEST

START_TEST(test_format_escapes_msg)
{
    char buf[256];
    log_format(buf, sizeof(buf), LOG_WARN, "fetch", "say \"hi\"\\path\nnext\ttab\rcr\x7f!", NULL);
    ck_assert_str_eq(
        buf, "level=warn mod=fetch msg=\"say \\\"hi\\\"\\\\path\\nnext\\x09tab\\x0dcr\\x7f!\"\n");
    /* One event, one line. */
    ck_assert_ptr_eq(strchr(buf, '\n'), buf + strlen(buf) - 1);
    /* UTF-8 passes through untouched. */
    log_format(buf, sizeof(buf), LOG_INFO, "m", "caf\xc3\xa9", NULL);
    ck_assert_str_eq(buf, "level=info mod=m msg=\"caf\xc3\xa9\"\n");
}
END_TEST

START_TEST(test_format_nulls_and_empty_kv)
{
    char buf[128];
    log_format(buf, sizeof(buf), LOG_ERROR, NULL, NULL, NULL);
    ck_assert_str_eq(buf, "level=error mod=- msg=\"\"\n");
    log_format(buf, sizeof(buf), LOG_INFO, "a", "b", "");
    ck_assert_str_eq(buf, "level=info mod=a msg=\"b\"\n"); /* no trailing space */
}
END_TEST

START_TEST(test_format_kv_stays_one_line)
{
    char buf[128];
    log_format(buf, sizeof(buf), LOG_INFO, "cfg", "bad value", "key=a\nb x=1\r2");
    ck_assert_str_eq(buf, "level=info mod=cfg msg=\"bad value\" key=a b x=1 2\n");
}
END_TEST

static const char *level_names[] = {"debug", "info", "warn", "error"};

/* Loop: one iteration per level. */
START_TEST(test_format_level_names)
{
    char buf[128], want[128];
    log_format(buf, sizeof(buf), (log_level)_i, "m", "x", "k=v");
    snprintf(want, sizeof(want), "level=%s mod=m msg=\"x\" k=v\n", level_names[_i]);
    ck_assert_str_eq(buf, want);
}
END_TEST

START_TEST(test_format_truncates_within_cap)
{
    char long_msg[500];
    memset(long_msg, 'm', sizeof(long_msg) - 1);
    long_msg[sizeof(long_msg) - 1] = '\0';
    for (int cap = 8; cap <= 300; cap += 7) {
        char buf[400];
        memset(buf, '#', sizeof(buf));
        int n = log_format(buf, cap, LOG_INFO, "pool", long_msg, "pid=1 reason=rss");
        ck_assert_int_le(n, cap - 1);
        ck_assert_int_eq(n, (int)strlen(buf));
        ck_assert_int_eq(buf[n - 1], '\n'); /* still a whole line */
        ck_assert_ptr_eq(strchr(buf, '\n'), buf + n - 1);
        int first_written = -1;
        for (int i = cap; i < (int)sizeof(buf) && first_written < 0; i++)
            if (buf[i] != '#')
                first_written = i;
        ck_assert_msg(first_written < 0, "cap %d: byte %d written", cap, first_written);
    }
    /* Every line length around the cap: a line that would end exactly at
     * cap - 1, cap or cap + 1 bytes is where an off-by-one writes past. */
    for (int cap = 40; cap <= 72; cap += 16) {
        for (int len = 0; len <= cap + 4; len++) {
            char buf[200], msg[100], kvs[100];
            memset(buf, '#', sizeof(buf));
            memset(msg, 'm', (size_t)len);
            msg[len] = '\0';
            int n = log_format(buf, cap, LOG_INFO, "m", msg, NULL);
            int bad = n > cap - 1 || n != (int)strlen(buf) || buf[n - 1] != '\n' ||
                      buf[cap] != '#' || buf[cap + 1] != '#';
            /* The same through kv. */
            memset(kvs, 'k', (size_t)len);
            kvs[len] = '\0';
            memset(buf, '#', sizeof(buf));
            int n2 = log_format(buf, cap, LOG_INFO, "m", "x", kvs);
            bad = bad || n2 > cap - 1 || n2 != (int)strlen(buf) || buf[n2 - 1] != '\n' ||
                  buf[cap] != '#' || buf[cap + 1] != '#';
            ck_assert_msg(!bad, "cap %d, length %d: n=%d n2=%d", cap, len, n, n2);
        }
    }

    /* A long kv too. */
    char kv[300];
    memset(kv, 'k', sizeof(kv) - 1);
    kv[sizeof(kv) - 1] = '\0';
    char buf[64];
    int n = log_format(buf, sizeof(buf), LOG_INFO, "m", "x", kv);
    /* A key that does not fit whole goes with its space: a cut key would
     * not parse. */
    ck_assert_str_eq(buf, "level=info mod=m msg=\"x\"\n");
    ck_assert_int_eq(n, (int)strlen(buf));
}
END_TEST

START_TEST(test_write_example_line)
{
    log_info("pool", "worker retired", "pid=%d reason=%s", 1234, "rss");
    ck_assert_str_eq(drain(), "level=info mod=pool msg=\"worker retired\" pid=1234 reason=rss\n");
    log_write(LOG_ERROR, "daemon", "no kv", NULL);
    ck_assert_str_eq(drain(), "level=error mod=daemon msg=\"no kv\"\n");
}
END_TEST

START_TEST(test_kv_quoted_value_escaped)
{
    const char *err = "say \"hi\" to C:\\dir\nnext\ttab";
    log_warn("fetch", "failed", "url=\"%s\" error=\"%s\" n=%d", "http://h/a\"b", err, 3);
    const char *out = drain();
    ck_assert_str_eq(out, "level=warn mod=fetch msg=\"failed\" url=\"http://h/a\\\"b\" "
                          "error=\"say \\\"hi\\\" to C:\\\\dir\\nnext\\x09tab\" n=3\n");
    assert_reads_back(out, "url", "http://h/a\"b", 12);
    assert_reads_back(out, "error", err, strlen(err));
    assert_reads_back(out, "n", "3", 1);
}
END_TEST

START_TEST(test_kv_control_bytes_escaped)
{
    char ctl[40];
    size_t n = 0;
    for (int c = 1; c < 0x20; c++)
        ctl[n++] = (char)c;
    ctl[n++] = 0x7f;
    ctl[n] = '\0';
    log_info("m", "c", "v=\"%s\"", ctl);
    const char *out = drain();
    ck_assert_str_eq(out, "level=info mod=m msg=\"c\" v=\"\\x01\\x02\\x03\\x04\\x05\\x06\\x07"
                          "\\x08\\x09\\n\\x0b\\x0c\\x0d\\x0e\\x0f\\x10\\x11\\x12\\x13\\x14"
                          "\\x15\\x16\\x17\\x18\\x19\\x1a\\x1b\\x1c\\x1d\\x1e\\x1f\\x7f\"\n");
    assert_reads_back(out, "v", ctl, n);
}
END_TEST

/* A %s the format left bare is quoted when it would not parse bare. */
static const struct {
    const char *in, *want;
} bare_table[] = {
    {"plain", "plain"},
    {"", "\"\""},
    {"two words", "\"two words\""},
    {"a=b", "\"a=b\""},
    {"say \"x\"", "\"say \\\"x\\\"\""},
    {"line\nbreak", "\"line\\nbreak\""},
    {"tab\there", "\"tab\\x09here\""},
    {"back\\slash", "back\\slash"},       /* a bare backslash is literal */
    {"caf\xc3\xa9", "caf\xc3\xa9"},       /* valid UTF-8 stays bare */
    {"bad\xff", "\"bad\\xff\""},          /* a stray byte is escaped, so quoted */
    {"x injected=1", "\"x injected=1\""}, /* no pair comes in through a value */
};
#define N_BARE (int)(sizeof(bare_table) / sizeof(bare_table[0]))

/* Loop: one iteration per row. */
START_TEST(test_kv_bare_value_quoted_when_needed)
{
    log_info("m", "b", "k=%s n=1", bare_table[_i].in);
    const char *out = drain();
    char want[256];
    snprintf(want, sizeof(want), "level=info mod=m msg=\"b\" k=%s n=1\n", bare_table[_i].want);
    ck_assert_str_eq(out, want);
    assert_reads_back(out, "k", bare_table[_i].in, strlen(bare_table[_i].in));
    assert_reads_back(out, "n", "1", 1);
}
END_TEST

START_TEST(test_kv_invalid_utf8_escaped)
{
    /* Stray continuation, lone lead byte, overlong '/', a UTF-16 surrogate,
     * a sequence cut short, past U+10FFFF; then one valid 4-byte character. */
    const char *in = "\x80|\xc3|\xc0\xaf|\xed\xa0\x80|\xe2\x82|\xf4\x90\x80\x80|\xf0\x9f\x98\x80";
    log_info("m", "u", "v=\"%s\"", in);
    const char *out = drain();
    ck_assert_str_eq(out, "level=info mod=m msg=\"u\" v=\"\\x80|\\xc3|\\xc0\\xaf|\\xed\\xa0\\x80|"
                          "\\xe2\\x82|\\xf4\\x90\\x80\\x80|\xf0\x9f\x98\x80\"\n");
    assert_reads_back(out, "v", in, strlen(in));
    /* msg takes the same escaping. */
    log_info("m", "bad \xff msg", NULL);
    ck_assert_str_eq(drain(), "level=info mod=m msg=\"bad \\xff msg\"\n");
}
END_TEST

START_TEST(test_kv_precision_and_width)
{
    /* %.*s into a buffer with no NUL after the part wanted. */
    const char buf[8] = {'a', '"', 'b', '\n', 'X', 'X', 'X', 'X'};
    log_info("m", "p", "part=\"%.*s\" bare=%.*s cut=%.3s type=\"%.40s\" pad=%6s left=%-4s|", 4, buf,
             2, buf, "abcdef", "t\"t", "ab", "c");
    const char *out = drain();
    ck_assert_str_eq(out, "level=info mod=m msg=\"p\" part=\"a\\\"b\\n\" bare=\"a\\\"\" cut=abc "
                          "type=\"t\\\"t\" pad=\"    ab\" left=\"c   \"|\n");
    /* A negative precision through '*' means none. */
    log_info("m", "p", "all=%.*s", -1, "whole");
    ck_assert_str_eq(drain(), "level=info mod=m msg=\"p\" all=whole\n");
}
END_TEST

START_TEST(test_kv_numeric_conversions)
{
    long double ld = 2.5L;
    signed char hh = -5;
    short h = -300;
    char want[512];
    log_info("m", "n",
             "d=%d ld=%ld lld=%lld zu=%zu u=%u lu=%lu x=%x X=%#X o=%o f=%f f1=%.1f g=%g e=%.2e "
             "hhd=%hhd hd=%hd jd=%jd td=%td zd=%zd Lf=%.2Lf plus=%+d zero=%05d star=%*d "
             "pstar=%.*f pct=100%% c=%c",
             -7, -70000L, 9000000000LL, (size_t)42, 4000000000u, 123456789UL, 255u, 255u, 8u, 3.25,
             2.75, 1e21, 12345.678, hh, h, (intmax_t)-9, (ptrdiff_t)-3, (ssize_t)-11, ld, 4, 12, 3,
             7, 2, 3.14159, 'z');
    snprintf(want, sizeof(want),
             "level=info mod=m msg=\"n\" d=%d ld=%ld lld=%lld zu=%zu u=%u lu=%lu x=%x X=%#X o=%o "
             "f=%f f1=%.1f g=%g e=%.2e hhd=%hhd hd=%hd jd=%jd td=%td zd=%zd Lf=%.2Lf plus=%+d "
             "zero=%05d star=\"%*d\" pstar=%.*f pct=100%% c=%c\n",
             -7, -70000L, 9000000000LL, (size_t)42, 4000000000u, 123456789UL, 255u, 255u, 8u, 3.25,
             2.75, 1e21, 12345.678, hh, h, (intmax_t)-9, (ptrdiff_t)-3, (ssize_t)-11, ld, 4, 12, 3,
             7, 2, 3.14159, 'z');
    const char *out = drain();
    /* Numbers pass as printf writes them; the one padded with spaces
     * (%*d) is quoted so the pair still parses. */
    ck_assert_str_eq(out, want);
    assert_reads_back(out, "star", "  7", 3);
    assert_reads_back(out, "lld", "9000000000", 10);
    /* %c and %p: a quote character is a value like any other. */
    int x;
    log_info("m", "c", "q=\"%c\" bare=%c sp=%c p=%p", '"', '"', ' ', (void *)&x);
    out = drain();
    snprintf(want, sizeof(want),
             "level=info mod=m msg=\"c\" q=\"\\\"\" bare=\"\\\"\" sp=\" \" p=%p\n", (void *)&x);
    ck_assert_str_eq(out, want);
    assert_reads_back(out, "q", "\"", 1);
    assert_reads_back(out, "sp", " ", 1);
}
END_TEST

START_TEST(test_kv_errno_m)
{
    errno = ENOENT;
    log_warn("m", "open", "error=%m path=\"%s\"", "/x");
    ck_assert_int_eq(errno, ENOENT); /* logging leaves errno to the caller */
    const char *out = drain();
    ck_assert_str_eq(out, "level=warn mod=m msg=\"open\" error=\"No such file or directory\" "
                          "path=\"/x\"\n");
}
END_TEST

/* A value longer than the line: cut, but the line still parses and the
 * value read back is the start of the one logged. */
START_TEST(test_kv_long_quoted_value_cut_parses)
{
    char big[3001];
    for (int i = 0; i < 3000; i++)
        big[i] = "ab\"\\\n\x01\xc3\xa9"[i % 8];
    big[3000] = '\0';
    log_error("m", "long", "n=1 error=\"%s\" after=1", big);
    const char *out = drain();
    size_t len = strlen(out);
    ck_assert_uint_lt(len, 2048);
    ck_assert_uint_gt(len, 1500);
    ck_assert_int_eq(out[len - 1], '\n');
    ck_assert_int_eq(out[len - 2], '"');
    size_t vlen = 0;
    const char *v = value_of(out, "error", &vlen);
    ck_assert_ptr_nonnull(v);
    ck_assert_uint_gt(vlen, 500);
    ck_assert_int_eq(memcmp(v, big, vlen), 0);
    ck_assert_ptr_null(value_of(out, "after", NULL));
}
END_TEST

/* Every cap across a line of escapes, UTF-8, bare values and keys: each
 * cut line parses, and each value read back starts the value logged. */
START_TEST(test_format_cut_always_parses)
{
    const char *kv = "a=1 err=\"q\\\"b\\\\s\\nn\\x01c\xc3\xa9\xe2\x82\xac\" bare=v\xc3\xa9wxyz "
                     "longkey=\"x\"";
    const char *full[] = {"1",
                          "q\"b\\s\nn\x01"
                          "c\xc3\xa9\xe2\x82\xac",
                          "v\xc3\xa9wxyz", "x"};
    const char *keys[] = {"a", "err", "bare", "longkey"};
    for (int cap = 28; cap < 120; cap++) {
        char buf[200];
        memset(buf, '#', sizeof(buf));
        int n = log_format(buf, cap, LOG_INFO, "m", "x", kv);
        ck_assert_int_le(n, cap - 1);
        ck_assert_int_eq(buf[cap], '#');
        int np = parse_line(buf, parsed, 40);
        ck_assert_msg(np >= 3, "cap %d: does not parse: %s", cap, buf);
        for (int i = 3; i < np; i++) {
            int k = i - 3;
            ck_assert_str_eq(parsed[i].key, keys[k]);
            ck_assert_msg(parsed[i].len <= strlen(full[k]) &&
                              memcmp(parsed[i].val, full[k], parsed[i].len) == 0,
                          "cap %d: %s is not a prefix of the value", cap, keys[k]);
        }
    }
}
END_TEST

START_TEST(test_write_default_level_info)
{
    ck_assert_int_eq(log_get_level(), LOG_INFO);
    log_debug("m", "hidden", "n=%d", 1);
    ck_assert_str_eq(drain(), "");
    log_info("m", "shown", "n=%d", 2);
    log_warn("m", "shown", "n=%d", 3);
    log_error("m", "shown", "n=%d", 4);
    ck_assert_str_eq(drain(), "level=info mod=m msg=\"shown\" n=2\n"
                              "level=warn mod=m msg=\"shown\" n=3\n"
                              "level=error mod=m msg=\"shown\" n=4\n");
}
END_TEST

START_TEST(test_write_filters_below_level)
{
    log_set_level(LOG_WARN);
    ck_assert_int_eq(log_get_level(), LOG_WARN);
    log_debug("m", "no", NULL);
    log_info("m", "no", NULL);
    ck_assert_str_eq(drain(), "");
    log_warn("m", "yes", NULL);
    ck_assert_str_eq(drain(), "level=warn mod=m msg=\"yes\"\n");

    log_set_level(LOG_DEBUG);
    log_debug("m", "now", NULL);
    ck_assert_str_eq(drain(), "level=debug mod=m msg=\"now\"\n");

    log_set_level(LOG_OFF);
    log_error("m", "no", NULL);
    ck_assert_str_eq(drain(), "");
}
END_TEST

START_TEST(test_write_off_is_not_a_level)
{
    log_set_level(LOG_DEBUG);
    log_write(LOG_OFF, "m", "never", NULL);
    ck_assert_str_eq(drain(), "");
}
END_TEST

START_TEST(test_write_long_kv_one_line)
{
    char big[4000];
    memset(big, 'v', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    log_info("m", "long", "k=%s", big);
    const char *out = drain();
    size_t len = strlen(out);
    ck_assert_uint_gt(len, 1000);
    ck_assert_uint_lt(len, 2048);
    ck_assert_int_eq(out[len - 1], '\n');
    ck_assert_ptr_eq(strchr(out, '\n'), out + len - 1);
    ck_assert_int_eq(strncmp(out, "level=info mod=m msg=\"long\" k=vvv", 33), 0);
}
END_TEST

START_TEST(test_set_fd_negative_means_stderr)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    dup2(fds[1], 2); /* this forked test's stderr */
    log_set_fd(-1);
    log_info("m", "to stderr", NULL);
    char buf[256];
    ssize_t n = read(fds[0], buf, sizeof(buf) - 1);
    ck_assert_int_gt(n, 0);
    buf[n] = '\0';
    ck_assert_str_eq(buf, "level=info mod=m msg=\"to stderr\"\n");
}
END_TEST

static const struct {
    const char *s;
    int level;
} parse_table[] = {
    {"debug", LOG_DEBUG},  {"info", LOG_INFO},   {"INFO", LOG_INFO}, {"warn", LOG_WARN},
    {"Warning", LOG_WARN}, {"error", LOG_ERROR}, {"off", LOG_OFF},   {"", -1},
    {"verbose", -1},       {"infos", -1},        {" info", -1},
};
#define N_PARSE (int)(sizeof(parse_table) / sizeof(parse_table[0]))

/* Loop: one iteration per row. */
START_TEST(test_level_parse)
{
    ck_assert_msg(log_level_parse(parse_table[_i].s) == parse_table[_i].level,
                  "parse(\"%s\") = %d, want %d", parse_table[_i].s,
                  log_level_parse(parse_table[_i].s), parse_table[_i].level);
}
END_TEST

START_TEST(test_level_parse_null) { ck_assert_int_eq(log_level_parse(NULL), -1); }
END_TEST

START_TEST(test_init_from_env)
{
    unsetenv("CRAWLD_LOG_LEVEL");
    log_init_from_env();
    ck_assert_int_eq(log_get_level(), LOG_INFO); /* unset: unchanged */

    setenv("CRAWLD_LOG_LEVEL", "debug", 1);
    log_init_from_env();
    ck_assert_int_eq(log_get_level(), LOG_DEBUG);
    log_debug("env", "visible", NULL);
    ck_assert_str_eq(drain(), "level=debug mod=env msg=\"visible\"\n");

    setenv("CRAWLD_LOG_LEVEL", "loud", 1);
    log_init_from_env();
    ck_assert_int_eq(log_get_level(), LOG_DEBUG); /* invalid: unchanged */

    setenv("CRAWLD_LOG_LEVEL", "ERROR", 1);
    log_init_from_env();
    ck_assert_int_eq(log_get_level(), LOG_ERROR);
    log_warn("env", "hidden", NULL);
    ck_assert_str_eq(drain(), "");
    unsetenv("CRAWLD_LOG_LEVEL");
}
END_TEST

static Suite *log_suite(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, test_format_example);
    tcase_add_test(tc, test_format_escapes_msg);
    tcase_add_test(tc, test_format_nulls_and_empty_kv);
    tcase_add_test(tc, test_format_kv_stays_one_line);
    tcase_add_loop_test(tc, test_format_level_names, LOG_DEBUG, LOG_ERROR + 1);
    tcase_add_test(tc, test_format_truncates_within_cap);
    tcase_add_test(tc, test_format_cut_always_parses);
    suite_add_tcase(s, tc);

    tc = tcase_create("write");
    tcase_add_checked_fixture(tc, pipe_setup, pipe_teardown);
    tcase_add_test(tc, test_write_example_line);
    tcase_add_test(tc, test_write_default_level_info);
    tcase_add_test(tc, test_write_filters_below_level);
    tcase_add_test(tc, test_write_off_is_not_a_level);
    tcase_add_test(tc, test_write_long_kv_one_line);
    tcase_add_test(tc, test_init_from_env);
    tcase_add_test(tc, test_kv_quoted_value_escaped);
    tcase_add_test(tc, test_kv_control_bytes_escaped);
    tcase_add_loop_test(tc, test_kv_bare_value_quoted_when_needed, 0, N_BARE);
    tcase_add_test(tc, test_kv_invalid_utf8_escaped);
    tcase_add_test(tc, test_kv_precision_and_width);
    tcase_add_test(tc, test_kv_numeric_conversions);
    tcase_add_test(tc, test_kv_errno_m);
    tcase_add_test(tc, test_kv_long_quoted_value_cut_parses);
    suite_add_tcase(s, tc);

    tc = tcase_create("config");
    tcase_add_test(tc, test_set_fd_negative_means_stderr);
    tcase_add_loop_test(tc, test_level_parse, 0, N_PARSE);
    tcase_add_test(tc, test_level_parse_null);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(log_suite()); }
