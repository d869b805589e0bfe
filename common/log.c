/* log — see log.h. */
#include "log.h"
#include "utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <unistd.h>

static log_level current = LOG_INFO;
static int out_fd = 2;
static const char *names[] = {"debug", "info", "warn", "error", "off"};

void log_set_level(log_level l) { current = l; }
log_level log_get_level(void) { return current; }
void log_set_fd(int fd) { out_fd = fd < 0 ? 2 : fd; }

int log_level_parse(const char *s)
{
    if (!s)
        return -1;
    for (int i = 0; i <= LOG_OFF; i++)
        if (strcasecmp(s, names[i]) == 0)
            return i;
    if (strcasecmp(s, "warning") == 0)
        return LOG_WARN;
    return -1;
}

void log_init_from_env(void)
{
    int l = log_level_parse(getenv("CRAWLD_LOG_LEVEL"));
    if (l >= 0)
        current = (log_level)l;
}

/* Appends to a fixed buffer; what does not fit is counted, not stored, so
 * the caller learns the full length and can cut the line where it parses. */
typedef struct out {
    char *buf;
    size_t len, cap;
} out;

static void put(out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++, o->len++)
        if (o->len < o->cap)
            o->buf[o->len] = s[i];
}

static void put_ch(out *o, char c) { put(o, &c, 1); }

/* Whether byte c at s[i] can stand in a bare value: not a space, '=', '"',
 * a control byte or a byte outside a valid UTF-8 sequence. */
static int needs_quotes(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 1;
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c <= ' ' || c == '=' || c == '"' || c == 0x7f)
            return 1;
        int k = (int)utf8_seq_len(s + i, s + n);
        if (k == 0)
            return 1;
        i += (size_t)k;
    }
    return 0;
}

/* The inside of a quoted value: \" \\ \n, \xNN for every other control
 * byte, DEL and each byte that is not part of valid UTF-8. */
static void put_escaped(out *o, const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        int k = c >= 0x80 ? (int)utf8_seq_len(s + i, s + n) : 1;
        if (c == '"' || c == '\\') {
            put_ch(o, '\\');
            put_ch(o, (char)c);
        } else if (c == '\n') {
            put(o, "\\n", 2);
        } else if (c < 0x20 || c == 0x7f || k == 0) {
            char esc[5];
            snprintf(esc, sizeof(esc), "\\x%02x", c);
            put(o, esc, 4);
            k = 1;
        } else {
            put(o, (const char *)s + i, (size_t)k);
        }
        i += (size_t)(k > 0 ? k : 1);
    }
}

/* One formatted value: escaped when the format put it inside quotes,
 * quoted and escaped when it stands bare and would not parse bare. */
static void put_value(out *o, const char *s, size_t n, int in_quotes)
{
    const unsigned char *u = (const unsigned char *)s;
    if (in_quotes) {
        put_escaped(o, u, n);
    } else if (needs_quotes(u, n)) {
        put_ch(o, '"');
        put_escaped(o, u, n);
        put_ch(o, '"');
    } else {
        put(o, s, n);
    }
}

/* The longest prefix of line[0, room) that still parses, given that the
 * full line goes on past room: a cut inside a quoted value keeps whole
 * escapes and UTF-8 sequences and leaves a byte for the closing quote
 * (*close = 1); a cut inside a key drops that pair with its space; a cut
 * inside a bare value keeps the part that fits. */
static size_t line_cut(const char *line, size_t room, int *close)
{
    size_t i = 0, pair_start = 0, value_start = 0;
    int quoted = 0, in_key = 1;
    *close = 0;
    while (i < room) {
        unsigned char c = (unsigned char)line[i];
        size_t step = 1;
        if (quoted && c == '\\')
            step = line[i + 1 < room ? i + 1 : i] == 'x' ? 4 : 2;
        else if (c >= 0xf0)
            step = 4;
        else if (c >= 0xe0)
            step = 3;
        else if (c >= 0xc0)
            step = 2;
        /* Inside quotes, and for an opening quote, one byte stays free. */
        size_t limit = quoted || c == '"' ? room - 1 : room;
        if (i + step > limit)
            break;
        if (c == '"' && !quoted)
            quoted = 1, in_key = 0;
        else if (c == '"')
            quoted = 0;
        else if (c == ' ' && !quoted)
            pair_start = i, in_key = 1;
        else if (c == '=' && !quoted && in_key)
            in_key = 0, value_start = i + 1;
        i += step;
    }
    if (quoted) {
        *close = 1;
        return i;
    }
    /* "key=" with nothing after it would not read back as the value. */
    return in_key || i == value_start ? pair_start : i;
}

typedef enum length_mod {
    LEN_NONE,
    LEN_HH,
    LEN_H,
    LEN_L,
    LEN_LL,
    LEN_Z,
    LEN_J,
    LEN_T,
    LEN_BIG_L
} length_mod;

/* Formats kv_fmt's text into o. Literal text is ours and copied as is (a
 * stray newline becomes a space); a '"' in it opens or closes a quoted
 * value. Each conversion is handed to snprintf alone, with its argument
 * read by the type its length modifier names, and what it produced goes
 * through put_value: escaped inside quotes, quoted when bare and unsafe. */
static void format_kv(out *o, const char *f, va_list ap, int saved_errno)
{
    int in_quotes = 0;
    while (*f) {
        if (*f != '%') {
            char c = *f++;
            if (in_quotes && c == '\\' && *f) { /* an escape the format wrote */
                put_ch(o, c);
                put_ch(o, *f++);
                continue;
            }
            if (c == '"')
                in_quotes = !in_quotes;
            put_ch(o, c == '\n' || c == '\r' ? ' ' : c);
            continue;
        }
        const char *start = f++;
        if (*f == '%') {
            put_ch(o, '%');
            f++;
            continue;
        }
        /* spec: the conversion with any '*' replaced by its argument. */
        char spec[64];
        size_t sl = 0;
        int has_width = 0, prec = -1;
        spec[sl++] = '%';
        while (*f && strchr("-+ #0'", *f) && sl < 16)
            spec[sl++] = *f++;
        if (*f == '*') {
            sl += (size_t)snprintf(spec + sl, 12, "%d", va_arg(ap, int));
            has_width = 1;
            f++;
        } else {
            for (int d = 0; *f >= '0' && *f <= '9' && d < 9; d++, has_width = 1)
                spec[sl++] = *f++;
        }
        if (*f == '.') {
            f++;
            if (*f == '*') {
                prec = va_arg(ap, int); /* negative: as if not given */
                f++;
            } else {
                prec = 0;
                for (int d = 0; *f >= '0' && *f <= '9' && d < 9; d++)
                    prec = prec * 10 + (*f++ - '0');
            }
            if (prec >= 0)
                sl += (size_t)snprintf(spec + sl, 12, ".%d", prec);
        }
        length_mod len = LEN_NONE;
        const char *lm = f;
        if (f[0] == 'h' && f[1] == 'h')
            len = LEN_HH, f += 2;
        else if (f[0] == 'l' && f[1] == 'l')
            len = LEN_LL, f += 2;
        else if (*f == 'h')
            len = LEN_H, f++;
        else if (*f == 'l')
            len = LEN_L, f++;
        else if (*f == 'z')
            len = LEN_Z, f++;
        else if (*f == 'j')
            len = LEN_J, f++;
        else if (*f == 't')
            len = LEN_T, f++;
        else if (*f == 'L' || *f == 'q')
            len = LEN_BIG_L, f++;
        while (lm < f)
            spec[sl++] = *lm++;
        char conv = *f;
        if (!conv)
            break;
        f++;
        spec[sl++] = conv;
        spec[sl] = '\0';

        char tmp[512];
        int n = -1;
        switch (conv) {
        case 'd':
        case 'i':
            switch (len) {
            case LEN_L:
                n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, long));
                break;
            case LEN_LL:
            case LEN_BIG_L:
                n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, long long));
                break;
            case LEN_Z:
                n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, ssize_t));
                break;
            case LEN_J:
                n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, intmax_t));
                break;
            case LEN_T:
                n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, ptrdiff_t));
                break;
            default:
                n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, int));
                break; /* hh, h: promoted */
            }
            break;
        case 'o':
        case 'u':
        case 'x':
        case 'X':
            switch (len) {
            case LEN_L:
                n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, unsigned long));
                break;
            case LEN_LL:
            case LEN_BIG_L:
                n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, unsigned long long));
                break;
            case LEN_Z:
                n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, size_t));
                break;
            case LEN_J:
                n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, uintmax_t));
                break;
            case LEN_T:
                n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, ptrdiff_t));
                break;
            default:
                n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, unsigned));
                break;
            }
            break;
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G':
        case 'a':
        case 'A':
            if (len == LEN_BIG_L)
                n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, long double));
            else
                n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, double));
            break;
        case 'c':
            n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, int));
            break;
        case 'p':
            n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, void *));
            break;
        case 's':
        case 'm': {
            if (len != LEN_NONE) /* %ls: wide strings are not ours */
                goto bad;
            const char *s = conv == 'm' ? strerror(saved_errno) : va_arg(ap, const char *);
            if (!s)
                s = "(null)"; /* what glibc prints, without relying on it */
            if (has_width) {
                n = snprintf(tmp, sizeof(tmp), spec, s);
                break;
            }
            /* Unpadded, the string is escaped from where it lies: no copy, no
             * length limit, and %.*s may point into a buffer with no NUL. */
            put_value(o, s, prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s), in_quotes);
            continue;
        }
        default:
            goto bad;
        }
        if (n < 0)
            continue;
        put_value(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1, in_quotes);
        continue;
    bad:
        /* A conversion we cannot read the argument of (%n, %ls): the rest of
         * the arguments cannot be found either, so the text stops here. */
        put_value(o, start, (size_t)(f - start), in_quotes);
        return;
    }
}

int log_format(char *buf, int cap, log_level l, const char *mod, const char *msg, const char *kv)
{
    if (cap < 2) {
        if (cap == 1)
            buf[0] = '\0';
        return 0;
    }
    /* Two bytes stay for the newline and the NUL. */
    out o = {buf, 0, (size_t)cap - 2};
    const char *lv = names[l < LOG_OFF ? l : LOG_ERROR];
    put(&o, "level=", 6);
    put(&o, lv, strlen(lv));
    put(&o, " mod=", 5);
    put(&o, mod ? mod : "-", strlen(mod ? mod : "-"));
    put(&o, " msg=\"", 6);
    put_escaped(&o, (const unsigned char *)(msg ? msg : ""), strlen(msg ? msg : ""));
    put_ch(&o, '"');
    if (kv && *kv) {
        put_ch(&o, ' ');
        for (const char *p = kv; *p; p++)
            put_ch(&o, *p == '\n' || *p == '\r' ? ' ' : *p);
    }
    size_t n = o.len;
    if (o.len > o.cap) {
        int close;
        n = line_cut(buf, o.cap, &close);
        if (close)
            buf[n++] = '"';
    }
    buf[n++] = '\n';
    buf[n] = '\0';
    return (int)n;
}

void log_write(log_level l, const char *mod, const char *msg, const char *kv_fmt, ...)
{
    if (l < current || l >= LOG_OFF)
        return;
    int saved_errno = errno;
    /* Larger than a line, so a kv that fills it is always cut by log_format
     * where the line still parses. */
    char kv[4096];
    out o = {kv, 0, sizeof(kv) - 1};
    if (kv_fmt) {
        va_list ap;
        va_start(ap, kv_fmt);
        format_kv(&o, kv_fmt, ap, saved_errno);
        va_end(ap);
    }
    kv[o.len < o.cap ? o.len : o.cap] = '\0';
    char line[2048];
    int n = log_format(line, sizeof(line), l, mod, msg, kv);
    /* One write per line so lines from several processes never interleave. */
    ssize_t w = write(out_fd, line, (size_t)n);
    (void)w;
    errno = saved_errno;
}
