/* log — see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* Appends s quoted, escaping quotes, backslashes and control characters so
 * one event stays one line. */
static int put_quoted(char *buf, int pos, int cap, const char *s)
{
    if (pos < cap)
        buf[pos] = '"';
    pos++;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[5];
        int n = 0;
        if (*p == '"' || *p == '\\') {
            esc[n++] = '\\';
            esc[n++] = (char)*p;
        } else if (*p == '\n') {
            esc[n++] = '\\';
            esc[n++] = 'n';
        } else if (*p < 0x20 || *p == 0x7f) {
            n = snprintf(esc, sizeof(esc), "\\x%02x", *p);
        } else {
            esc[n++] = (char)*p;
        }
        for (int i = 0; i < n; i++, pos++)
            if (pos < cap)
                buf[pos] = esc[i];
    }
    if (pos < cap)
        buf[pos] = '"';
    return pos + 1;
}

int log_format(char *buf, int cap, log_level l, const char *mod, const char *msg, const char *kv)
{
    int pos = snprintf(buf, (size_t)cap, "level=%s mod=%s msg=", names[l < LOG_OFF ? l : LOG_ERROR],
                       mod ? mod : "-");
    if (pos < 0)
        return 0;
    pos = put_quoted(buf, pos, cap - 2, msg ? msg : "");
    if (kv && *kv) {
        if (pos < cap - 2)
            buf[pos] = ' ';
        pos++;
        for (const char *p = kv; *p; p++, pos++)
            if (pos < cap - 2)
                buf[pos] = (*p == '\n' || *p == '\r') ? ' ' : *p;
    }
    if (pos > cap - 2)
        pos = cap - 2;
    buf[pos++] = '\n';
    buf[pos] = '\0';
    return pos;
}

void log_write(log_level l, const char *mod, const char *msg, const char *kv_fmt, ...)
{
    if (l < current || l >= LOG_OFF)
        return;
    char kv[1536] = "";
    if (kv_fmt) {
        va_list ap;
        va_start(ap, kv_fmt);
        vsnprintf(kv, sizeof(kv), kv_fmt, ap);
        va_end(ap);
    }
    char line[2048];
    int n = log_format(line, sizeof(line), l, mod, msg, kv);
    /* One write per line so lines from several processes never interleave. */
    ssize_t w = write(out_fd, line, (size_t)n);
    (void)w;
}
