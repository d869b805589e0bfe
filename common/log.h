/* log — one line per event to stderr:
 *   level=info mod=pool msg="worker retired" pid=1234 reason=rss
 * The level comes from log_set_level (config) or CRAWLD_LOG_LEVEL. */
#ifndef CRAWLD_LOG_H
#define CRAWLD_LOG_H

typedef enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF } log_level;

void log_set_level(log_level l);
log_level log_get_level(void);
/* Parses "debug|info|warn|error|off"; -1 when unknown. */
int log_level_parse(const char *s);
/* Reads CRAWLD_LOG_LEVEL when set and valid. */
void log_init_from_env(void);
/* Redirect output (tests); NULL → stderr. */
void log_set_fd(int fd);

/* kv_fmt is printf-style "key=%d key2=\"%s\"" text appended after msg (may
 * be NULL); every line parses as logfmt whatever the arguments hold. msg and
 * each value a conversion produces are escaped: inside quotes \" \\ \n, and
 * \xNN for other control bytes, DEL and bytes that are not valid UTF-8
 * (valid UTF-8 passes as is). A conversion the format did not put inside
 * quotes is quoted when its text is empty or holds a space, '=', '"' or a
 * byte that needs escaping. So a pair cannot come in through an argument:
 * "%s" of " url=\"x\"" is one quoted value. A line past 2 KB is cut where
 * it still parses: a cut value keeps its closing quote, a cut key is dropped. */
void log_write(log_level l, const char *mod, const char *msg, const char *kv_fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define log_debug(mod, msg, ...) log_write(LOG_DEBUG, mod, msg, __VA_ARGS__)
#define log_info(mod, msg, ...) log_write(LOG_INFO, mod, msg, __VA_ARGS__)
#define log_warn(mod, msg, ...) log_write(LOG_WARN, mod, msg, __VA_ARGS__)
#define log_error(mod, msg, ...) log_write(LOG_ERROR, mod, msg, __VA_ARGS__)

/* Formats one line into buf (used by log_write and tests); returns length.
 * msg is escaped; kv is already logfmt and copied (a newline becomes a
 * space), cut to fit cap as log_write's lines are. */
int log_format(char *buf, int cap, log_level l, const char *mod, const char *msg, const char *kv);

#endif
