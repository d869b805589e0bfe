/* Check suite: config (INI through inih, defaults, validation, dump). */
#include "config.h"

#include <check.h>

#include "testutil.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static crawld_config c;
static char err[512];

static int load(const char *text)
{
    config_defaults(&c);
    err[0] = '\0';
    return config_load_string(&c, text, "test.conf", err, sizeof(err));
}

START_TEST(defaults_are_valid)
{
    config_defaults(&c);
    ck_assert_int_eq(config_validate(&c, err, sizeof(err)), 0);
    ck_assert_str_eq(c.socket, "/run/crawld/crawld.sock");
    ck_assert_int_eq(c.rss_soft_mb, 256);
    ck_assert_int_eq(c.rss_hard_mb, 512);
    ck_assert_int_eq(c.max_attempts, 3);
    ck_assert_int_eq(c.obey_robots, 1);
}
END_TEST

START_TEST(values_override_defaults)
{
    ck_assert_int_eq(load("[daemon]\nworkers = 4\nuser_agent = testbot/1.0\n"
                          "[limits]\nmax_body_mb=3\n[politeness]\nobey_robots = no\n"
                          "[network]\nallow_private = yes\n"),
                     0);
    ck_assert_int_eq(c.workers, 4);
    ck_assert_str_eq(c.user_agent, "testbot/1.0");
    ck_assert_int_eq(c.max_body_mb, 3);
    ck_assert_int_eq(c.obey_robots, 0);
    ck_assert_int_eq(c.allow_private, 1);
    ck_assert_int_eq(c.page_timeout_ms, 30000); /* untouched key keeps default */
}
END_TEST

START_TEST(unknown_key_names_file_line_and_key)
{
    ck_assert_int_eq(load("[daemon]\nworkers = 2\n\nwrokers = 3\n"), -1);
    ck_assert_str_eq(err, "test.conf:4: [daemon] wrokers: unknown key");
}
END_TEST

START_TEST(unknown_section_is_named)
{
    ck_assert_int_eq(load("[deamon]\nworkers = 2\n"), -1);
    ck_assert_str_eq(err, "test.conf:2: [deamon] workers: unknown section");
}
END_TEST

START_TEST(non_integer_is_rejected)
{
    ck_assert_int_eq(load("[limits]\nrss_soft_mb = 12x\n"), -1);
    ck_assert_str_eq(err, "test.conf:2: [limits] rss_soft_mb: not an integer: \"12x\"");
}
END_TEST

START_TEST(out_of_range_is_rejected)
{
    ck_assert_int_eq(load("[daemon]\nworkers = 0\n"), -1);
    ck_assert_str_eq(err, "test.conf:2: [daemon] workers: 0 is out of range 1..256");
}
END_TEST

START_TEST(bad_boolean_is_rejected)
{
    ck_assert_int_eq(load("[politeness]\nobey_robots = maybe\n"), -1);
    ck_assert_ptr_nonnull(strstr(err, "obey_robots: not a boolean"));
}
END_TEST

START_TEST(too_long_string_is_rejected)
{
    char text[600] = "[daemon]\nsocket = /";
    memset(text + strlen(text), 'a', 200);
    ck_assert_int_eq(load(text), -1);
    ck_assert_ptr_nonnull(strstr(err, "[daemon] socket: longer than 107 bytes"));
}
END_TEST

/* Found by fuzzing (tests/fuzz/regressions/config/): inih reads an indented
 * line as a continuation of the previous key, so the second line set
 * socket to "workers = 4" and left workers alone, without an error. */
START_TEST(indented_lines_are_ordinary_lines)
{
    ck_assert_int_eq(load("[daemon]\n  socket = /run/x.sock\n  workers = 4\n\t# note\n"
                          "  [limits]\n\tmax_redirects = 3\n"),
                     0);
    ck_assert_str_eq(c.socket, "/run/x.sock");
    ck_assert_int_eq(c.workers, 4);
    ck_assert_int_eq(c.max_redirects, 3);
    ck_assert_int_eq(load("[daemon]\nuser_agent = a\n  b ; not part of it\n"), -1);
    ck_assert_ptr_nonnull(strstr(err, "test.conf:3: syntax error"));
}
END_TEST

/* inih's line buffer is 200 bytes: a longer line was cut, its head taken
 * as the value (a user_agent silently shortened) and its tail parsed as the
 * next line (an error naming the wrong line). */
START_TEST(long_line_is_an_error_naming_it)
{
    char text[800] = "[daemon]\nuser_agent = ";
    memset(text + strlen(text), 'A', 240);
    strcat(text, "\nworkers = 3\n");
    ck_assert_int_eq(load(text), -1);
    ck_assert_msg(strstr(err, "test.conf:2: line longer than 198 bytes") != NULL, "%s", err);
    /* An error on an earlier line still comes first. */
    char text2[800] = "[daemon]\nworkers = x\nuser_agent = ";
    memset(text2 + strlen(text2), 'A', 240);
    ck_assert_int_eq(load(text2), -1);
    ck_assert_msg(strstr(err, "test.conf:2: [daemon] workers: not an integer") != NULL, "%s", err);
    /* The longest line that fits loads. */
    char text3[800] = "[daemon]\nuser_agent = ";
    memset(text3 + strlen(text3), 'A', 198 - strlen("user_agent = "));
    ck_assert_int_eq(load(text3), 0);
    ck_assert_uint_eq(strlen(c.user_agent), 198 - strlen("user_agent = "));
}
END_TEST

/* Found by fuzzing: "user_agent =;x" is the value ";x" (inih needs a blank
 * before an inline ';'), but the dump wrote "user_agent = ;x", which reads
 * back as an empty value. */
START_TEST(dump_of_semicolon_value_reads_back)
{
    ck_assert_int_eq(load("[daemon]\nuser_agent =;x ;comment\n"), 0);
    ck_assert_str_eq(c.user_agent, ";x");
    char buf[4096];
    FILE *f = fmemopen(buf, sizeof(buf), "w");
    config_dump(&c, f);
    fclose(f);
    crawld_config again;
    config_defaults(&again);
    ck_assert_msg(config_load_string(&again, buf, "dump", err, sizeof(err)) == 0, "%s", err);
    ck_assert_str_eq(again.user_agent, ";x");
}
END_TEST

START_TEST(syntax_error_names_line)
{
    ck_assert_int_eq(load("[daemon]\nworkers = 2\nthis line has no equals\n"), -1);
    ck_assert_ptr_nonnull(strstr(err, "test.conf:3: syntax error"));
}
END_TEST

START_TEST(first_error_is_reported)
{
    ck_assert_int_eq(load("[daemon]\nbogus = 1\nworkers = x\n"), -1);
    ck_assert_str_eq(err, "test.conf:2: [daemon] bogus: unknown key");
}
END_TEST

START_TEST(missing_file_is_named)
{
    config_defaults(&c);
    ck_assert_int_eq(config_load(&c, "/nonexistent/crawld.conf", err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/crawld.conf: cannot open"));
}
END_TEST

START_TEST(soft_must_be_below_hard)
{
    ck_assert_int_eq(load("[limits]\nrss_soft_mb = 600\nrss_hard_mb = 500\n"), 0);
    ck_assert_int_eq(config_validate(&c, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "rss_soft_mb (600) must be below rss_hard_mb (500)"));
}
END_TEST

/* Back off when a server asks: the keys, their defaults, a bad value
 * refused naming the key, the base not above the cap. */
START_TEST(backoff_keys)
{
    ck_assert_int_eq(load(""), 0);
    ck_assert_int_eq(c.max_retries, 3);
    ck_assert_int_eq(c.retry_after_max_s, 300);
    ck_assert_int_eq(c.retry_base_ms, 1000);
    ck_assert_int_eq(c.retry_max_ms, 60000);
    ck_assert_int_eq(c.adaptive_delay, 0);
    ck_assert_int_eq(load("[politeness]\nmax_retries = 5\nadaptive_delay = on\n"
                          "adaptive_target_concurrency = 4\n"),
                     0);
    ck_assert_int_eq(c.max_retries, 5);
    ck_assert_int_eq(c.adaptive_delay, 1);
    ck_assert_int_eq(c.adaptive_target_concurrency, 4);
    ck_assert_int_eq(load("[politeness]\nmax_retries = 21\n"), -1);
    ck_assert_msg(strstr(err, "max_retries"), "%s", err);
    ck_assert_int_eq(load("[politeness]\nretry_after_max_s = -1\n"), -1);
    ck_assert_msg(strstr(err, "retry_after_max_s"), "%s", err);
    ck_assert_int_eq(load("[politeness]\nadaptive_target_concurrency = 0\n"), -1);
    ck_assert_msg(strstr(err, "adaptive_target_concurrency"), "%s", err);
    ck_assert_int_eq(load("[politeness]\nretry_base_ms = 5000\nretry_max_ms = 4000\n"), 0);
    ck_assert_int_eq(config_validate(&c, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(
        strstr(err, "retry_base_ms (5000) must not be above retry_max_ms (4000)"));
}
END_TEST

START_TEST(fetch_buffer_below_soft)
{
    ck_assert_int_eq(load("[limits]\nrss_soft_mb = 200\nfetch_buffer_mb = 200\n"), 0);
    ck_assert_int_eq(config_validate(&c, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "fetch_buffer_mb (200) must be below rss_soft_mb (200)"));
    ck_assert_int_eq(load("[limits]\nrss_soft_mb = 200\nfetch_buffer_mb = 0\n"), 0);
    ck_assert_int_eq(config_validate(&c, err, sizeof(err)), 0);
    ck_assert_uint_eq(config_fetch_buffer_bytes(&c), (size_t)50 << 20);
    ck_assert_int_eq(load("[limits]\nrss_soft_mb = 200\nfetch_buffer_mb = 12\n"), 0);
    ck_assert_uint_eq(config_fetch_buffer_bytes(&c), (size_t)12 << 20);
    ck_assert_int_eq(load("[daemon]\nfetches_per_worker = 0\n"), -1);
    ck_assert_ptr_nonnull(strstr(err, "fetches_per_worker"));
}
END_TEST

START_TEST(relative_paths_rejected)
{
    ck_assert_int_eq(load("[daemon]\nstate_dir = var/lib\n"), 0);
    ck_assert_int_eq(config_validate(&c, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "absolute"));
}
END_TEST

START_TEST(dump_round_trips)
{
    ck_assert_int_eq(load("[daemon]\nworkers = 7\nuser_agent = a b c\n[limits]\n"
                          "max_redirects = 0\n[network]\nallow_private = true\n"),
                     0);
    crawld_config orig = c;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    config_dump(&orig, f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "workers = 7\n"));
    ck_assert_ptr_nonnull(strstr(buf, "allow_private = true\n"));
    crawld_config again;
    config_defaults(&again);
    ck_assert_int_eq(config_load_string(&again, buf, "dump", err, sizeof(err)), 0);
    ck_assert_int_eq(memcmp(&again, &orig, sizeof(orig)), 0);
    free(buf);
}
END_TEST

/* A scratch file with `text` in it; its path in `path` (removed by the caller). */
static void scratch_file(char *path, size_t n, const char *text)
{
    snprintf(path, n, "/tmp/crawld-test-ca.XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    size_t len = strlen(text);
    ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
    close(fd);
}

static const char pem_cert[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

START_TEST(ca_file_empty_means_the_system_bundle)
{
    config_defaults(&c);
    ck_assert_str_eq(c.ca_file, "");
    ck_assert_int_eq(load("[network]\nca_file =\n"), 0);
    ck_assert_str_eq(c.ca_file, "");
    ck_assert_int_eq(config_validate(&c, err, sizeof(err)), 0);
}
END_TEST

START_TEST(ca_file_pem_bundle_loads_and_round_trips)
{
    char path[64], text[512];
    scratch_file(path, sizeof(path), pem_cert);
    snprintf(text, sizeof(text), "[network]\nca_file = %s\n", path);
    ck_assert_msg(load(text) == 0, "%s", err);
    ck_assert_str_eq(c.ca_file, path);
    crawld_config orig = c;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    config_dump(&orig, f);
    fclose(f);
    crawld_config again;
    config_defaults(&again);
    ck_assert_int_eq(config_load_string(&again, buf, "dump", err, sizeof(err)), 0);
    ck_assert_int_eq(memcmp(&again, &orig, sizeof(orig)), 0);
    free(buf);
    unlink(path);
}
END_TEST

START_TEST(ca_file_marker_across_reads_is_found)
{
    /* Comments before the first certificate, the marker straddling the
     * checker's 4 KiB reads. */
    static char text[8192];
    memset(text, '#', 4090);
    text[4089] = '\n';
    snprintf(text + 4090, sizeof(text) - 4090, "%s", pem_cert);
    char path[64], conf[512];
    scratch_file(path, sizeof(path), text);
    snprintf(conf, sizeof(conf), "[network]\nca_file = %s\n", path);
    ck_assert_msg(load(conf) == 0, "%s", err);
    unlink(path);
}
END_TEST

START_TEST(ca_file_missing_names_key_and_path)
{
    ck_assert_int_eq(load("[network]\nallow_private = true\nca_file = /nonexistent/ca.pem\n"), -1);
    ck_assert_str_eq(err, "test.conf:3: [network] ca_file: cannot read /nonexistent/ca.pem: "
                          "No such file or directory");
    ck_assert_str_eq(c.ca_file, "");
}
END_TEST

START_TEST(ca_file_unreadable_names_key_and_path)
{
    if (geteuid() == 0)
        return; /* root reads a mode-000 file: nothing to test */
    char path[64], text[512];
    scratch_file(path, sizeof(path), pem_cert);
    ck_assert_int_eq(chmod(path, 0), 0);
    snprintf(text, sizeof(text), "[network]\nca_file = %s\n", path);
    ck_assert_int_eq(load(text), -1);
    char want[256];
    snprintf(want, sizeof(want),
             "test.conf:2: [network] ca_file: cannot read %s: Permission denied", path);
    ck_assert_str_eq(err, want);
    unlink(path);
}
END_TEST

START_TEST(ca_file_relative_directory_or_not_pem_rejected)
{
    ck_assert_int_eq(load("[network]\nca_file = certs/ca.pem\n"), -1);
    ck_assert_str_eq(err,
                     "test.conf:2: [network] ca_file: \"certs/ca.pem\" must be an absolute path");
    ck_assert_int_eq(load("[network]\nca_file = /tmp\n"), -1);
    ck_assert_str_eq(err, "test.conf:2: [network] ca_file: /tmp is not a regular file");
    char path[64], text[512], want[256];
    scratch_file(path, sizeof(path), "not a certificate\n-----BEGIN PRIVATE KEY-----\n");
    snprintf(text, sizeof(text), "[network]\nca_file = %s\n", path);
    ck_assert_int_eq(load(text), -1);
    snprintf(want, sizeof(want),
             "test.conf:2: [network] ca_file: %s holds no PEM certificate "
             "(-----BEGIN CERTIFICATE-----)",
             path);
    ck_assert_str_eq(err, want);
    unlink(path);
}
END_TEST

START_TEST(shipped_conf_file_loads_and_equals_defaults)
{
    /* conf/crawld.conf documents every key with its default. */
    const char *src = getenv("CRAWLD_SRC");
    char path[512];
    snprintf(path, sizeof(path), "%s/conf/crawld.conf", src ? src : ".");
    crawld_config def;
    config_defaults(&def);
    config_defaults(&c);
    ck_assert_msg(config_load(&c, path, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(memcmp(&c, &def, sizeof(c)), 0);
}
END_TEST

/* [api] listen: numeric IPv4 or bracketed IPv6 and a port; the rest named. */
START_TEST(api_listen_parses_and_refuses)
{
    struct sockaddr_storage ss;
    char why[200];
    ck_assert_int_eq(config_listen_parse("127.0.0.1:8480", &ss, why, sizeof(why)), 0);
    ck_assert_int_eq(ss.ss_family, AF_INET);
    ck_assert_int_eq(ntohs(((struct sockaddr_in *)&ss)->sin_port), 8480);
    ck_assert_int_eq(config_listen_parse("[::1]:65535", &ss, why, sizeof(why)), 0);
    ck_assert_int_eq(ss.ss_family, AF_INET6);
    static const char *bad[] = {"localhost:80", "127.0.0.1", "127.0.0.1:0",    "127.0.0.1:65536",
                                "::1:80",       "[::1]",     "[127.0.0.1]:80", ":80",
                                "1.2.3.4:80x",  "[::1]:-1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(config_listen_parse(bad[i], &ss, why, sizeof(why)) < 0 && why[0], "%s",
                      bad[i]);
    crawld_config c;
    char err[300];
    config_defaults(&c);
    ck_assert_int_eq(
        config_load_string(&c, "[api]\nlisten = localhost:80\n", "t.conf", err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "t.conf:2: [api] listen:") && strstr(err, "no host names"), "%s",
                  err);
    config_defaults(&c);
    ck_assert_int_eq(
        config_load_string(&c, "[api]\nlisten = 127.0.0.1:8480\n", "t.conf", err, sizeof(err)), 0);
    ck_assert_int_eq(config_validate(&c, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "[api] token_file: required"), "%s", err);
    config_defaults(&c);
    ck_assert_int_eq(
        config_load_string(&c, "[api]\ntoken_file = tokens\n", "t.conf", err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "[api] token_file: \"tokens\" must be an absolute path"), "%s", err);
}
END_TEST

/* [cluster]: off by default; a postgresql:// URI, a node_id of file-name
 * characters and a lease longer than the page deadline (4 x by default);
 * each refusal names its key. */
START_TEST(cluster_section_checks_and_defaults)
{
    config_defaults(&c);
    ck_assert_str_eq(c.cluster_database, "");
    ck_assert_int_eq(config_lease_ms(&c), 4 * c.page_timeout_ms);
    ck_assert_int_eq(load("[cluster]\ndatabase = mysql://x/y\nnode_id = a\n"), -1);
    ck_assert_msg(strstr(err, "[cluster] database") && strstr(err, "postgresql://"), "%s", err);
    ck_assert_int_eq(load("[cluster]\nnode_id = a/b\n"), -1);
    ck_assert_msg(strstr(err, "node_id") && strstr(err, "a/b"), "%s", err);
    ck_assert_int_eq(load("[cluster]\nnode_id = 0123456789abcdef0123456789abcdefX\n"), -1);
    ck_assert_int_eq(load("[cluster]\ndatabase = postgresql:///crawld?host=/tmp\n"), 0);
    ck_assert_int_eq(config_validate(&c, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "[cluster] node_id: required"), "%s", err);
    ck_assert_int_eq(load("[limits]\npage_timeout_ms = 5000\n[cluster]\n"
                          "database = postgresql:///crawld?host=/tmp\nnode_id = n-1_a\n"
                          "lease_ms = 5000\n"),
                     0);
    ck_assert_int_eq(config_validate(&c, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "lease_ms (5000) must exceed") && strstr(err, "page_timeout_ms"),
                  "%s", err);
    c.cluster_lease_ms = 5001;
    ck_assert_msg(config_validate(&c, err, sizeof(err)) == 0, "%s", err);
    c.cluster_lease_ms = 0; /* the default: 4 x 5000 */
    ck_assert_int_eq(config_lease_ms(&c), 20000);
    ck_assert_msg(config_validate(&c, err, sizeof(err)) == 0, "%s", err);
}
END_TEST

/* The database URI may hold a password: worker.conf (config_dump) never
 * carries it, and the shown dump says only that it is set. */
START_TEST(cluster_database_never_dumped)
{
    ck_assert_int_eq(load("[cluster]\ndatabase = postgresql://u:Sekr1t@db/crawld\nnode_id = a\n"),
                     0);
    for (int shown = 0; shown < 2; shown++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (shown)
            config_dump_shown(&c, f);
        else
            config_dump(&c, f);
        fclose(f);
        ck_assert_msg(!strstr(buf, "Sekr1t") && !strstr(buf, "db/crawld"), "%s", buf);
        ck_assert_ptr_nonnull(strstr(buf, shown ? "database = (set; not shown)" : "database =\n"));
        ck_assert_ptr_nonnull(strstr(buf, "node_id = a\n"));
        crawld_config again; /* worker.conf loads */
        config_defaults(&again);
        if (!shown)
            ck_assert_msg(config_load_string(&again, buf, "dump", err, sizeof(err)) == 0, "%s",
                          err);
        free(buf);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("config");
    tcase_add_test(tc, defaults_are_valid);
    tcase_add_test(tc, backoff_keys);
    tcase_add_test(tc, values_override_defaults);
    tcase_add_test(tc, unknown_key_names_file_line_and_key);
    tcase_add_test(tc, unknown_section_is_named);
    tcase_add_test(tc, non_integer_is_rejected);
    tcase_add_test(tc, out_of_range_is_rejected);
    tcase_add_test(tc, bad_boolean_is_rejected);
    tcase_add_test(tc, too_long_string_is_rejected);
    tcase_add_test(tc, syntax_error_names_line);
    tcase_add_test(tc, indented_lines_are_ordinary_lines);
    tcase_add_test(tc, long_line_is_an_error_naming_it);
    tcase_add_test(tc, dump_of_semicolon_value_reads_back);
    tcase_add_test(tc, first_error_is_reported);
    tcase_add_test(tc, missing_file_is_named);
    tcase_add_test(tc, soft_must_be_below_hard);
    tcase_add_test(tc, fetch_buffer_below_soft);
    tcase_add_test(tc, relative_paths_rejected);
    tcase_add_test(tc, dump_round_trips);
    tcase_add_test(tc, shipped_conf_file_loads_and_equals_defaults);
    tcase_add_test(tc, ca_file_empty_means_the_system_bundle);
    tcase_add_test(tc, ca_file_pem_bundle_loads_and_round_trips);
    tcase_add_test(tc, ca_file_marker_across_reads_is_found);
    tcase_add_test(tc, ca_file_missing_names_key_and_path);
    tcase_add_test(tc, ca_file_unreadable_names_key_and_path);
    tcase_add_test(tc, ca_file_relative_directory_or_not_pem_rejected);
    tcase_add_test(tc, api_listen_parses_and_refuses);
    tcase_add_test(tc, cluster_section_checks_and_defaults);
    tcase_add_test(tc, cluster_database_never_dumped);
    suite_add_tcase(s, tc);
    return testutil_run(s);
}
