/* config — crawld's settings: built-in defaults, overridden by an INI file
 * (inih). Every key is listed in config.c's table with its type and range;
 * conf/crawld.conf documents each one. An unknown section or key, or a bad
 * value, is an error naming the file, line and key. Strings are stored in
 * the struct (no allocation), so a config can be copied by value. */
#ifndef CRAWLD_CONFIG_H
#define CRAWLD_CONFIG_H

#include <stdio.h>

#define CONFIG_PATH_MAX 256
#define CONFIG_DEFAULT_FILE "/etc/crawld/crawld.conf"

typedef struct crawld_config {
    /* [daemon] */
    char socket[108];
    char state_dir[CONFIG_PATH_MAX];
    char output_dir[CONFIG_PATH_MAX];
    int workers;
    char log_level[16];
    char user_agent[256];
    int grace_ms;           /* SIGTERM/drain: time pages in flight get to finish */
    int min_every_s;        /* recrawls: the shortest crawlctl submit --every */
    int queue_per_worker;   /* pages (0..8) sent behind a busy worker's page */
    int fetches_per_worker; /* transfers a worker keeps in flight (1..1024) */
    int coalesce_us;        /* results gather this long at most when all workers have work */
    char allow_users[256];  /* control socket: users let in besides root and the daemon's */
    char allow_groups[256]; /* … and groups (names or numbers, comma or space separated) */
    /* [limits] */
    int rss_soft_mb, rss_hard_mb;
    int fetch_buffer_mb; /* bodies in flight a worker holds, past it transfers pause;
                          * 0: rss_soft_mb / 4 (config_fetch_buffer_bytes) */
    int max_pages_per_worker;
    int page_timeout_ms;
    int js_heap_mb;
    int js_time_budget_ms;
    int js_address_space_mb; /* RLIMIT_AS of a worker once its JS runtime exists; 0 none */
    int max_body_mb;
    int max_redirects;
    int max_attempts;
    int rss_poll_ms;             /* supervisor's RSS poll and deadline tick */
    int worker_start_timeout_ms; /* no "ready" from a new worker by then: killed */
    int worker_sandbox;          /* seccomp deny list + no_new_privs in workers */
    /* [politeness] */
    int obey_robots;
    int delay_ms;
    int per_host_concurrency;
    int max_crawl_delay_ms; /* robots Crawl-delay honoured up to this */
    int robots_ttl_s;       /* robots.txt cache lifetime, across jobs */
    int max_hosts;          /* per-host state kept in memory (LRU) */
    /* [politeness] back off when a server asks (429, 503, …) */
    int max_retries;                 /* retries of a refused page before its answer is final */
    int retry_after_max_s;           /* cap on a Retry-After honoured */
    int retry_base_ms, retry_max_ms; /* exponential back-off without Retry-After */
    int adaptive_delay;              /* the host delay follows its latency (AutoThrottle) */
    int adaptive_max_delay_ms;       /* cap on that delay */
    int adaptive_target_concurrency; /* requests the latency-following delay aims at per host */
    /* [network] */
    int connect_timeout_ms;
    int low_speed_bytes;   /* abort when slower than this many bytes/s … */
    int low_speed_time_ms; /* … for this long */
    int allow_private;
    char ca_file[CONFIG_PATH_MAX]; /* PEM bundle curl verifies servers with; "" = the system's */
    /* The daemon's proxy (docs/worker.md, Proxies): an http:// or
     * socks5h:// URL, "" none; its USER:PASSWORD, "" none (or in the URL). */
    char proxy[1024];
    char proxy_user[512];
    int js_default; /* [daemon] js: default for jobs that don't say */
    /* [limits] content_max_kb: each kind of a page's content (--save) is
     * cut at this many KiB (at a UTF-8 boundary, its record says so) */
    int content_max_kb;
    /* [api] the HTTP API (daemon/api.h), off while api_listen is "" */
    char api_listen[80];                  /* IPv4:PORT or [IPv6]:PORT */
    char api_token_file[CONFIG_PATH_MAX]; /* bearer tokens, one a line, mode 0600 */
    char api_tls_cert[CONFIG_PATH_MAX];   /* PEM; "" plain HTTP */
    char api_tls_key[CONFIG_PATH_MAX];    /* PEM, with api_tls_cert */
    int api_metrics_auth;                 /* /metrics needs a token too */
    int api_max_body_kb;                  /* a request body past it: 413 */
    int api_max_connections;              /* more at once are refused */
    int api_timeout_s;                    /* an idle connection is closed */
    /* [cluster] several nodes on one PostgreSQL frontier (docs/cluster.md);
     * database "" : off (SQLite in state_dir) */
    char cluster_database[1024]; /* a libpq URI; never logged, never in worker.conf */
    char cluster_node_id[33];    /* [A-Za-z0-9_-]: names this node's files and offsets */
    int cluster_lease_ms;        /* host lease; 0: 4 x page_timeout_ms */
} crawld_config;

void config_defaults(crawld_config *c);
/* Loads path over the defaults already in c. 0 on success; -1 with a message
 * "FILE:LINE: [section] key: what was wrong" in err. */
int config_load(crawld_config *c, const char *path, char *err, size_t errlen);
/* Same, from a string (name is used in messages). */
int config_load_string(crawld_config *c, const char *text, const char *name, char *err,
                       size_t errlen);
/* Cross-key checks (rss_soft_mb < rss_hard_mb …); -1 with a message. */
int config_validate(const crawld_config *c, char *err, size_t errlen);
/* fetch_buffer_mb in bytes, a quarter of rss_soft_mb when it is 0. */
size_t config_fetch_buffer_bytes(const crawld_config *c);
/* [cluster] lease_ms, or its default: 4 x page_timeout_ms. */
int config_lease_ms(const crawld_config *c);
/* [api] listen's value ("127.0.0.1:8480", "[::1]:8480": numeric address
 * and port 1..65535) as a socket address; 0, or -1 with why. */
struct sockaddr_storage;
int config_listen_parse(const char *v, struct sockaddr_storage *ss, char *why, size_t n);
/* Writes the effective config as INI. */
void config_dump(const crawld_config *c, FILE *out);
/* config_dump for people (--check-config): the proxy's password hidden. */
void config_dump_shown(const crawld_config *c, FILE *out);

#endif
