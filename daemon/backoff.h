/* backoff — the arithmetic of backing off when a server asks: which
 * answers are retried and why (backoff_retryable), the wait before a retry
 * (Retry-After capped, else exponential with jitter), a host's delay that
 * grows while it refuses and halves back after successes, and the delay
 * that follows a host's response time (Scrapy's AutoThrottle). Pure: no
 * state, no clock, no randomness of its own; politeness.c and results.c
 * keep the state. The design: docs/daemon.md, "Back-off". */
#ifndef CRAWLD_BACKOFF_H
#define CRAWLD_BACKOFF_H

#include <stddef.h>
#include <stdint.h>

/* 1 when an answer is retried rather than recorded: status 429, 502, 503
 * or 504, or a fetch error on a host that answered the connection (error
 * "recv: …", or curl's "Empty reply from server"). Its short reason goes
 * to buf ("503 retry-after=2s", "429", "connection reset", "empty reply",
 * "recv error"). error: the record's error (NULL: none); retry_after_s:
 * the answer's Retry-After in seconds, < 0 when it had none. */
int backoff_retryable(long status, const char *error, long long retry_after_s, char *buf, size_t n);
/* The metrics label of a reason: its index in backoff_classes ("429",
 * "502", "503", "504", "connection"). */
#define BACKOFF_NCLASSES 5
extern const char *const backoff_classes[BACKOFF_NCLASSES];
int backoff_reason_class(const char *reason);

/* The wait before retry number retry (1 for the first): Retry-After
 * (retry_after_s >= 0) capped at retry_after_max_s; without it
 * min(max_ms, base_ms * 2^(retry-1)) = d, jittered into [d/2, d] by rnd
 * (any 64-bit random number). */
long backoff_wait_ms(int retry, long long retry_after_s, long retry_after_max_s, long base_ms,
                     long max_ms, uint64_t rnd);

/* A host refused: its delay becomes the larger of the wait and its delay
 * so far plus base_ms, within [base_ms, max_ms]. */
long backoff_host_refused(long cur_ms, long wait_ms, long base_ms, long max_ms);
/* A host answered: its refusal delay halves, and is gone (0) once below
 * base_ms. */
long backoff_host_recovered(long cur_ms, long base_ms);

/* The latency-following delay after an answer that took latency_ms: the
 * mean of cur_ms and latency_ms / target (the delay that keeps about
 * target requests in flight at the host), never lowered by an answer that
 * was not a success (ok 0), within [floor_ms, max_ms]. */
long backoff_adapt_ms(long cur_ms, double latency_ms, int target, int ok, long floor_ms,
                      long max_ms);

#endif
