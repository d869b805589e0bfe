/* reload — crawld's config reload (SIGHUP, `crawlctl reload`): the file is
 * read and validated, keys read only at start keep their running values,
 * the rest apply now and every worker is replaced; and worker.conf, the
 * config the workers load, written at start and at each accepted reload. */
#include "crawld_int.h"
#include "log.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

/* Keys crawld reads only at start: a reload keeps the running value and says
 * so. The socket, the database and the slot array are made once; the robots
 * agent token and the politeness table are sized and named at jobs_init. */
#define RK(sec, f)                                                                                 \
    {                                                                                              \
        sec "." #f, offsetof(crawld_config, f), sizeof(((crawld_config *)0)->f)                    \
    }
#define RKN(name, f)                                                                               \
    {                                                                                              \
        name, offsetof(crawld_config, f), sizeof(((crawld_config *)0)->f)                          \
    }
static const struct {
    const char *name;
    size_t off, size;
} restart_keys[] = {
    RK("daemon", socket),
    RK("daemon", state_dir),
    RK("daemon", output_dir),
    RK("daemon", workers),
    RK("daemon", user_agent),
    RK("politeness", max_hosts),
    RK("politeness", robots_ttl_s),
    RK("politeness", max_crawl_delay_ms),
    /* the HTTP API's socket and TLS are made at start (daemon/api.h) */
    RKN("api.listen", api_listen),
    RKN("api.tls_cert", api_tls_cert),
    RKN("api.tls_key", api_tls_key),
    RKN("api.max_connections", api_max_connections),
    RKN("api.timeout_s", api_timeout_s),
};
#undef RK
#undef RKN

/* The config as INI text (config_dump) in buf; 0, or -1 when it does not fit. */
static int config_text(const crawld_config *c, char *buf, size_t cap)
{
    FILE *f = fmemopen(buf, cap, "w");
    if (!f)
        return -1;
    config_dump(c, f);
    int bad = ferror(f) || ftell(f) >= (long)cap - 1;
    fclose(f);
    return bad ? -1 : 0;
}

/* Writes c as <state_dir>/worker.conf (temporary file + rename, so a worker
 * starting meanwhile reads the old or the new one, never half), then reads
 * it back and checks it loads to the same config. 0, or -1 with err. */
int daemon_write_worker_conf(daemon_ctx *d, const crawld_config *c, char *err, size_t errlen)
{
    char path[CONFIG_PATH_MAX + 16], tmp[CONFIG_PATH_MAX + 24];
    snprintf(path, sizeof(path), "%s/worker.conf", d->cfg.state_dir);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        return -1;
    }
    fprintf(f,
            "; Written by crawld (pid %ld): the config its workers run with.\n"
            "; Edit the config file and reload instead; this one is rewritten.\n",
            (long)getpid());
    config_dump(c, f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || rename(tmp, path) < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno ? errno : EIO));
        unlink(tmp);
        return -1;
    }
    static char want[16384], got[16384];
    crawld_config back;
    config_defaults(&back);
    char lerr[240] = "";
    if (config_load(&back, path, lerr, sizeof(lerr)) < 0 ||
        config_text(c, want, sizeof(want)) < 0 || config_text(&back, got, sizeof(got)) < 0 ||
        strcmp(want, got) != 0) {
        snprintf(err, errlen, "%s does not read back as the config written%s%s", path,
                 lerr[0] ? ": " : "", lerr[0] ? lerr : "");
        return -1;
    }
    snprintf(d->worker_conf, sizeof(d->worker_conf), "%s", path);
    return 0;
}

/* Re-reads the config file. A file that does not load or validate changes
 * nothing; keys in restart_keys keep their running values; the rest apply
 * now (the pool and the jobs read d->cfg), log_level included, and every
 * worker is replaced, one at a time, to pick up the rest. Returns the
 * control reply; source names who asked ("SIGHUP", "crawlctl"). */
json_t *daemon_reload(daemon_ctx *d, const char *source)
{
    if (d->stopping)
        return control_error("reload: daemon is stopping");
    const char *path = d->config_path[0]                        ? d->config_path
                       : access(CONFIG_DEFAULT_FILE, F_OK) == 0 ? CONFIG_DEFAULT_FILE
                                                                : NULL;
    crawld_config n;
    config_defaults(&n);
    char err[600] = "";
    if (path && config_load(&n, path, err, sizeof(err)) < 0) {
        log_warn("crawld", "reload refused; keeping the running config", "source=%s error=\"%s\"",
                 source, err);
        return control_error("config: %s", err);
    }
    /* [cluster] is read at start only: the node keeps its database, its
     * name and its lease (checked below against the new page deadline);
     * the database's URI is never logged (it may hold a password) */
    if (strcmp(n.cluster_database, d->cfg.cluster_database) != 0 ||
        strcmp(n.cluster_node_id, d->cfg.cluster_node_id) != 0 ||
        n.cluster_lease_ms != d->cfg.cluster_lease_ms)
        log_warn("crawld", "config section needs a restart; keeping the running values",
                 "source=%s section=cluster", source);
    memcpy(n.cluster_database, d->cfg.cluster_database, sizeof(n.cluster_database));
    memcpy(n.cluster_node_id, d->cfg.cluster_node_id, sizeof(n.cluster_node_id));
    n.cluster_lease_ms = d->cfg.cluster_lease_ms;
    if (config_validate(&n, err, sizeof(err)) < 0) {
        log_warn("crawld", "reload refused; keeping the running config",
                 "source=%s error=\"%s: %s\"", source, path ? path : "built-in defaults", err);
        return control_error("config: %s: %s", path ? path : "built-in defaults", err);
    }
    if (d->notify)
        sd_notify(0, "RELOADING=1");
    json_t *changed = json_array(), *restart = json_array();
    static char old_txt[16384], new_txt[16384];
    if (config_text(&d->cfg, old_txt, sizeof(old_txt)) == 0 &&
        config_text(&n, new_txt, sizeof(new_txt)) == 0) {
        /* Same key table, same order: compare line by line. */
        char sec[32] = "";
        char *sa, *sb;
        char *la = strtok_r(old_txt, "\n", &sa), *lb = strtok_r(new_txt, "\n", &sb);
        for (; la && lb; la = strtok_r(NULL, "\n", &sa), lb = strtok_r(NULL, "\n", &sb)) {
            if (la[0] == '[') {
                snprintf(sec, sizeof(sec), "%.*s", (int)strcspn(la + 1, "]"), la + 1);
                continue;
            }
            if (strcmp(la, lb) == 0)
                continue;
            char key[96];
            snprintf(key, sizeof(key), "%s.%.*s", sec, (int)strcspn(la, " ="), la);
            int keep = 0;
            for (size_t i = 0; i < sizeof(restart_keys) / sizeof(restart_keys[0]); i++) {
                if (strcmp(restart_keys[i].name, key) != 0)
                    continue;
                keep = 1;
                memcpy((char *)&n + restart_keys[i].off, (char *)&d->cfg + restart_keys[i].off,
                       restart_keys[i].size);
            }
            json_array_append_new(keep ? restart : changed, json_string(key));
            if (keep)
                log_warn("crawld", "config key needs a restart; keeping the running value",
                         "key=%s running=\"%s\" file=\"%s\"", key, la + strcspn(la, "=") + 2,
                         lb + strcspn(lb, "=") + 2);
        }
    }
    json_t *reply = NULL;
    if (daemon_write_worker_conf(d, &n, err, sizeof(err)) < 0) {
        log_error("crawld", "reload refused; keeping the running config", "source=%s error=\"%s\"",
                  source, err);
        reply = control_error("config: %s", err);
        goto out;
    }
    if (control_set_access(&d->ctl, n.allow_users, n.allow_groups, err, sizeof(err)) < 0) {
        log_warn("crawld", "reload refused; keeping the running config", "source=%s error=\"%s\"",
                 source, err);
        reply = control_error("config: %s", err);
        goto out;
    }
    /* The API's tokens are read again at every reload, the file changed or not. */
    if (d->api_on && api_reload_tokens(&d->api, n.api_token_file, err, sizeof(err)) < 0) {
        log_warn("crawld", "reload refused; keeping the running config", "source=%s error=\"%s\"",
                 source, err);
        reply = control_error("config: %s", err);
        goto out;
    }
    d->cfg = n; /* the pool and the jobs hold &d->cfg */
    int l = log_level_parse(d->cfg.log_level);
    if (l >= 0)
        log_set_level((log_level)l);
    log_init_from_env(); /* CRAWLD_LOG_LEVEL still wins, as at start */
    int replacing = pool_reload(&d->pool);
    char *ch = json_dumps(changed, JSON_COMPACT), *rr = json_dumps(restart, JSON_COMPACT);
    log_info("crawld", "config reloaded",
             "source=%s config=\"%s\" changed=%s restart_required=%s workers_replacing=%d", source,
             path ? path : "built-in defaults", ch ? ch : "?", rr ? rr : "?", replacing);
    json_free_t jfree;
    json_get_alloc_funcs(NULL, &jfree);
    if (ch)
        jfree(ch);
    if (rr)
        jfree(rr);
    reply =
        json_pack("{s:b, s:s, s:O, s:O, s:i}", "ok", 1, "config", path ? path : "built-in defaults",
                  "changed", changed, "restart_required", restart, "workers_replacing", replacing);
out:
    if (d->notify)
        daemon_notify_status(d, d->ready_sent ? "READY=1\n" : NULL);
    json_decref(changed);
    json_decref(restart);
    return reply;
}
