/* libFuzzer target: the config parser (config_load_string, the same inih
 * path config_load takes for a file), config_validate and config_dump.
 *
 * Invariants: a load either succeeds or fills err with a non-empty,
 * NUL-terminated message that names the file; every string field stays
 * NUL-terminated within its size; and when a load succeeds, dumping the
 * config and loading the dump over the defaults gives the same dump
 * (what crawld --check-config prints can be read back). */
#include "config.h"

#include "fuzz_check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME "fuzz.conf"

static char *dump(const crawld_config *c)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    if (!f)
        abort();
    config_dump(c, f);
    fclose(f);
    return s;
}

static void check_strings(const crawld_config *c)
{
    if (!memchr(c->socket, 0, sizeof c->socket) || !memchr(c->state_dir, 0, sizeof c->state_dir) ||
        !memchr(c->output_dir, 0, sizeof c->output_dir) ||
        !memchr(c->log_level, 0, sizeof c->log_level) ||
        !memchr(c->user_agent, 0, sizeof c->user_agent))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';

    crawld_config c;
    config_defaults(&c);
    char err[512];
    memset(err, 'X', sizeof err);
    int rc = config_load_string(&c, text, NAME, err, sizeof err);
    check_strings(&c);
    if (rc != 0) {
        if (rc != -1 || !memchr(err, 0, sizeof err) || strncmp(err, NAME ":", strlen(NAME) + 1))
            abort();
    } else {
        char verr[512];
        if (config_validate(&c, verr, sizeof verr) != 0 && !verr[0])
            abort();
        char *d1 = dump(&c);
        crawld_config c2;
        config_defaults(&c2);
        if (config_load_string(&c2, d1, "dump", err, sizeof err) != 0)
            FUZZ_FAIL("the dump of a loaded config does not load: %s\n%s", err, d1);
        char *d2 = dump(&c2);
        if (strcmp(d1, d2) != 0)
            FUZZ_FAIL("the dump does not read back as the same config:\n%s---\n%s", d1, d2);
        free(d2);
        free(d1);
    }
    free(text);
    return 0;
}
