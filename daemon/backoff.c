/* backoff — see backoff.h. */
#include "backoff.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int backoff_retryable(long status, const char *error, long long retry_after_s, char *buf, size_t n)
{
    if (status == 429 || status == 502 || status == 503 || status == 504) {
        if (retry_after_s >= 0)
            snprintf(buf, n, "%ld retry-after=%llds", status, retry_after_s);
        else
            snprintf(buf, n, "%ld", status);
        return 1;
    }
    if (!error)
        return 0;
    /* The server's host took the connection and then broke it: worth
     * asking again. Refused connections, DNS and TLS failures are not. */
    if (strncmp(error, "recv:", 5) == 0) {
        if (strcasestr(error, "reset") || strcasestr(error, "broken pipe"))
            snprintf(buf, n, "connection reset");
        else if (strcasestr(error, "empty reply"))
            snprintf(buf, n, "empty reply");
        else
            snprintf(buf, n, "recv error");
        return 1;
    }
    if (strncmp(error, "protocol:", 9) == 0 && strcasestr(error, "empty reply")) {
        snprintf(buf, n, "empty reply");
        return 1;
    }
    return 0;
}

const char *const backoff_classes[BACKOFF_NCLASSES] = {"429", "502", "503", "504", "connection"};

int backoff_reason_class(const char *reason)
{
    for (int i = 0; i < BACKOFF_NCLASSES - 1; i++)
        if (strncmp(reason, backoff_classes[i], 3) == 0)
            return i;
    return BACKOFF_NCLASSES - 1;
}

long backoff_wait_ms(int retry, long long retry_after_s, long retry_after_max_s, long base_ms,
                     long max_ms, uint64_t rnd)
{
    if (retry_after_s >= 0) {
        long long s = retry_after_s < retry_after_max_s ? retry_after_s : retry_after_max_s;
        return (long)(s * 1000);
    }
    long d = base_ms;
    for (int i = 1; i < retry && d < max_ms; i++)
        d = d > max_ms / 2 ? max_ms : d * 2;
    if (d > max_ms)
        d = max_ms;
    long half = d / 2;
    return half + (long)(rnd % (uint64_t)(d - half + 1));
}

long backoff_host_refused(long cur_ms, long wait_ms, long base_ms, long max_ms)
{
    /* grows by a step per refusal, halves per answer (backoff_host_recovered):
     * one URL that fails for ever on a host that serves the rest well
     * costs the host a few seconds, not the cap */
    long d = cur_ms > max_ms - base_ms ? max_ms : cur_ms + base_ms;
    if (wait_ms > d)
        d = wait_ms;
    if (d < base_ms)
        d = base_ms;
    return d > max_ms ? max_ms : d;
}

long backoff_host_recovered(long cur_ms, long base_ms)
{
    long d = cur_ms / 2;
    return d < base_ms ? 0 : d;
}

long backoff_adapt_ms(long cur_ms, double latency_ms, int target, int ok, long floor_ms,
                      long max_ms)
{
    if (target < 1)
        target = 1;
    double want = latency_ms > 0 ? latency_ms / target : 0;
    long d = (long)((cur_ms + want) / 2);
    if (!ok && d < cur_ms) /* only a success may bring the delay down */
        d = cur_ms;
    if (d > max_ms)
        d = max_ms;
    return d < floor_ms ? floor_ms : d;
}
