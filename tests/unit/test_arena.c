/* test_arena — bump allocation: alignment, growth, reset/retain, release,
 * string helpers, behaviour when the process allocator fails. */
#include "alloc.h"
#include "arena.h"

#include <check.h>

#include "testutil.h"
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ALIGNED(p) ((((uintptr_t)(p)) % ARENA_ALIGN) == 0)

/* Check's assertions record a location on every call (a write to the
 * runner); inside loops of millions only report failures. */
#define QUIET_ASSERT(cond, ...)                                                                    \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

static const size_t chunk_sizes[] = {0, 1, 100, 1000, 4096, ARENA_DEFAULT_CHUNK};
#define N_CHUNK_SIZES (int)(sizeof(chunk_sizes) / sizeof(chunk_sizes[0]))

/* Loop: one iteration per first-chunk size. Every size 0..5000, then odd
 * sizes around chunk boundaries and beyond ARENA_MAX_CHUNK. */
START_TEST(test_alignment)
{
    size_t base = alloc_live_bytes();
    arena a;
    arena_init(&a, chunk_sizes[_i]);
    for (size_t n = 0; n <= 5000; n++) {
        unsigned char *p = arena_alloc(&a, n);
        QUIET_ASSERT(p != NULL, "size %zu: NULL", n);
        QUIET_ASSERT(ALIGNED(p), "size %zu: %p not aligned", n, (void *)p);
        if (n)
            p[0] = p[n - 1] = 0xab; /* the bytes are ours (ASan checks) */
    }
    static const size_t odd[] = {
        1,    3,    7,     15,    17,    31,      33,      1023,           1025,
        4095, 4097, 16383, 16385, 65537, 1048575, 1048577, 3 * 1048576 + 5};
    for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
        unsigned char *p = arena_alloc(&a, odd[i]);
        ck_assert_ptr_nonnull(p);
        ck_assert_msg(ALIGNED(p), "size %zu: %p not aligned", odd[i], (void *)p);
        p[0] = p[odd[i] - 1] = 0xcd;
        unsigned char *z = arena_alloc_zeroed(&a, odd[i]);
        ck_assert(ALIGNED(z));
        ck_assert_uint_eq(z[odd[i] - 1], 0);
    }
    arena_release(&a);
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

START_TEST(test_init_defaults)
{
    arena a;
    memset(&a, 0x7f, sizeof(a));
    arena_init(&a, 0);
    ck_assert_uint_eq(a.min_chunk, ARENA_DEFAULT_CHUNK);
    ck_assert_ptr_null(a.head);
    ck_assert_uint_eq(arena_capacity(&a), 0);
    ck_assert_uint_eq(arena_used(&a), 0);
    ck_assert_uint_eq(a.chunks, 0);
    arena_init(&a, 1000);
    ck_assert_uint_eq(a.min_chunk % ARENA_ALIGN, 0);
    ck_assert_uint_ge(a.min_chunk, 1000);
    /* No allocation before the first arena_alloc. */
    size_t base = alloc_live_bytes();
    arena_release(&a);
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

START_TEST(test_allocations_do_not_overlap)
{
    arena a;
    arena_init(&a, 512);
    enum { N = 2000 };
    unsigned char *ptrs[N];
    size_t sizes[N];
    unsigned seed = 12345;
    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        sizes[i] = (seed >> 16) % 700;
        ptrs[i] = arena_alloc(&a, sizes[i]);
        ck_assert_ptr_nonnull(ptrs[i]);
        memset(ptrs[i], i & 0xff, sizes[i]);
    }
    for (int i = 0; i < N; i++)
        for (size_t k = 0; k < sizes[i]; k++)
            QUIET_ASSERT(ptrs[i][k] == (unsigned char)(i & 0xff), "block %d byte %zu overwritten",
                         i, k);
    ck_assert_uint_le(arena_used(&a), arena_capacity(&a));
    arena_release(&a);
}
END_TEST

START_TEST(test_larger_than_chunk)
{
    size_t base = alloc_live_bytes();
    arena a;
    arena_init(&a, 1024);
    char *small = arena_alloc(&a, 10);
    ck_assert_ptr_nonnull(small);
    memcpy(small, "small", 6);
    size_t big_n = 3 * ARENA_MAX_CHUNK + 17;
    char *big = arena_alloc(&a, big_n);
    ck_assert_ptr_nonnull(big);
    ck_assert(ALIGNED(big));
    memset(big, 'x', big_n);
    ck_assert_uint_ge(arena_capacity(&a), big_n + 1024);
    /* The process allocator holds the chunks plus their headers. */
    ck_assert_uint_ge(alloc_live_bytes(), base + arena_capacity(&a));
    char *after = arena_alloc(&a, 100);
    ck_assert_ptr_nonnull(after);
    memset(after, 'y', 100);
    ck_assert_str_eq(small, "small");
    ck_assert_int_eq(big[0], 'x');
    ck_assert_int_eq(big[big_n - 1], 'x');
    arena_release(&a);
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

START_TEST(test_grow_last_in_place)
{
    arena a;
    arena_init(&a, 4096);
    char *first = arena_alloc(&a, 32);
    ck_assert_ptr_nonnull(first);
    char *p = arena_alloc(&a, 100);
    for (int i = 0; i < 100; i++)
        p[i] = (char)i;
    size_t used = arena_used(&a);
    char *q = arena_resize(&a, p, 100, 1000);
    ck_assert_ptr_eq(q, p);
    for (int i = 0; i < 100; i++)
        ck_assert_int_eq(q[i], (char)i);
    memset(q + 100, 0x11, 900);
    /* 100 rounds to 112, 1000 to 1008. */
    ck_assert_uint_eq(arena_used(&a), used - 112 + 1008);
    /* The next allocation starts after the grown block. */
    char *next = arena_alloc(&a, 8);
    ck_assert_ptr_eq(next, q + 1008);
    arena_release(&a);
}
END_TEST

START_TEST(test_grow_not_last_copies)
{
    arena a;
    arena_init(&a, 4096);
    char *p = arena_alloc(&a, 100);
    memset(p, 'p', 100);
    char *other = arena_alloc(&a, 16);
    memset(other, 'o', 16);
    char *q = arena_resize(&a, p, 100, 500);
    ck_assert_ptr_nonnull(q);
    ck_assert_ptr_ne(q, p);
    ck_assert(ALIGNED(q));
    for (int i = 0; i < 100; i++)
        ck_assert_int_eq(q[i], 'p');
    memset(q + 100, 'q', 400);
    /* The neighbour was not overwritten by the growth. */
    for (int i = 0; i < 16; i++)
        ck_assert_int_eq(other[i], 'o');
    arena_release(&a);
}
END_TEST

START_TEST(test_grow_last_past_chunk_copies)
{
    arena a;
    arena_init(&a, 1024);
    char *p = arena_alloc(&a, 1000);
    for (int i = 0; i < 1000; i++)
        p[i] = (char)(i * 7);
    char *q = arena_resize(&a, p, 1000, 5000);
    ck_assert_ptr_nonnull(q);
    ck_assert_ptr_ne(q, p);
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(q[i], (char)(i * 7));
    memset(q + 1000, 0, 4000);
    /* q is now the most recent allocation (its new chunk is sized to it,
     * 5008 bytes): it shrinks and grows back in place. */
    ck_assert_uint_eq(arena_capacity(&a), 1024 + 5008);
    char *r = arena_resize(&a, q, 5000, 3000);
    ck_assert_ptr_eq(r, q);
    r = arena_resize(&a, q, 3000, 5008);
    ck_assert_ptr_eq(r, q);
    ck_assert_int_eq(r[999], (char)(999 * 7));
    arena_release(&a);
}
END_TEST

START_TEST(test_shrink)
{
    arena a;
    arena_init(&a, 4096);
    char *p = arena_alloc(&a, 1000);
    memcpy(p, "keep me", 8);
    size_t used = arena_used(&a);
    char *q = arena_resize(&a, p, 1000, 10);
    ck_assert_ptr_eq(q, p);
    ck_assert_str_eq(q, "keep me");
    ck_assert_uint_eq(arena_used(&a), used - 1008 + 16);
    /* The freed tail is handed out again. */
    char *next = arena_alloc(&a, 16);
    ck_assert_ptr_eq(next, p + 16);

    /* Shrinking something that is not the last allocation keeps it. */
    char *r = arena_resize(&a, p, 10, 4);
    ck_assert_ptr_eq(r, p);
    ck_assert_int_eq(r[0], 'k');
    arena_release(&a);
}
END_TEST

START_TEST(test_resize_null_allocates)
{
    arena a;
    arena_init(&a, 0);
    char *p = arena_resize(&a, NULL, 0, 40);
    ck_assert_ptr_nonnull(p);
    ck_assert(ALIGNED(p));
    memset(p, 1, 40);
    ck_assert_uint_eq(arena_used(&a), 48);
    arena_release(&a);
}
END_TEST

static const size_t retain_limits[] = {0, 16 * 1024, 100 * 1024, 1024 * 1024};
#define N_RETAIN (int)(sizeof(retain_limits) / sizeof(retain_limits[0]))

/* Loop: one iteration per retain limit. */
START_TEST(test_reset_retains_at_most_limit)
{
    size_t base = alloc_live_bytes();
    size_t limit = retain_limits[_i];
    arena a;
    arena_init(&a, 4096);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 3000; i++) {
            char *p = arena_alloc(&a, (size_t)(i % 2000) + 1);
            ck_assert_ptr_nonnull(p);
            p[0] = 1;
        }
        ck_assert_uint_gt(arena_capacity(&a), limit);
        arena_reset(&a, limit);
        ck_assert_uint_le(arena_capacity(&a), limit);
        ck_assert_uint_eq(arena_used(&a), 0);
        /* What the arena keeps is all the process allocator still holds
         * for it (chunk payload plus one header per chunk). */
        ck_assert_uint_ge(alloc_live_bytes(), base + arena_capacity(&a));
        ck_assert_uint_le(alloc_live_bytes(), base + arena_capacity(&a) + a.chunks * 64);
    }
    arena_release(&a);
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

START_TEST(test_reset_reuses_memory)
{
    arena a;
    arena_init(&a, 8192);
    char *first = arena_alloc(&a, 100);
    ck_assert_ptr_nonnull(first);
    for (int i = 0; i < 50; i++)
        arena_alloc(&a, 100);
    size_t cap = arena_capacity(&a), chunks = a.chunks;
    alloc_stats s0, s1;
    alloc_get_stats(&s0);
    arena_reset(&a, 1 << 20);
    ck_assert_uint_eq(arena_capacity(&a), cap);
    char *again = arena_alloc(&a, 100);
    ck_assert_ptr_eq(again, first);
    for (int i = 0; i < 50; i++)
        arena_alloc(&a, 100);
    alloc_get_stats(&s1);
    /* Nothing new was asked of the process allocator. */
    ck_assert_uint_eq(s1.total_allocs, s0.total_allocs);
    ck_assert_uint_eq(s1.live_bytes, s0.live_bytes);
    ck_assert_uint_eq(a.chunks, chunks);
    arena_release(&a);
}
END_TEST

START_TEST(test_reset_keeps_largest_chunk)
{
    arena a;
    arena_init(&a, 1024);
    /* Chunks of 1 KiB, then 64 KiB (sized to the request). */
    arena_alloc(&a, 100);
    arena_alloc(&a, 64 * 1024);
    ck_assert_uint_eq(a.chunks, 2);
    arena_reset(&a, 64 * 1024);
    /* The 64 KiB chunk is worth more than the 1 KiB one. */
    ck_assert_uint_eq(arena_capacity(&a), 64 * 1024);
    ck_assert_uint_eq(a.chunks, 1);
    /* And a 60 KiB request fits in it without a new chunk. */
    alloc_stats s0, s1;
    alloc_get_stats(&s0);
    ck_assert_ptr_nonnull(arena_alloc(&a, 60 * 1024));
    alloc_get_stats(&s1);
    ck_assert_uint_eq(s1.total_allocs, s0.total_allocs);
    arena_release(&a);
}
END_TEST

START_TEST(test_reset_zero_frees_all)
{
    size_t base = alloc_live_bytes();
    arena a;
    arena_init(&a, 0);
    for (int i = 0; i < 10000; i++)
        arena_alloc(&a, 64);
    ck_assert_uint_gt(alloc_live_bytes(), base);
    arena_reset(&a, 0);
    ck_assert_uint_eq(arena_capacity(&a), 0);
    ck_assert_uint_eq(a.chunks, 0);
    ck_assert_uint_eq(arena_used(&a), 0);
    ck_assert_uint_eq(alloc_live_bytes(), base);
    /* Still usable without arena_init. */
    char *p = arena_strdup(&a, "again");
    ck_assert_str_eq(p, "again");
    arena_release(&a);
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

START_TEST(test_release_frees_all)
{
    alloc_stats s0, s1;
    alloc_get_stats(&s0);
    arena a;
    arena_init(&a, 1000);
    for (int i = 0; i < 5000; i++)
        arena_alloc(&a, (size_t)i);
    arena_reset(&a, 1 << 20); /* spare chunks must go too */
    arena_alloc(&a, 10);
    size_t peak = a.peak_used;
    arena_release(&a);
    alloc_get_stats(&s1);
    ck_assert_uint_eq(s1.live_bytes, s0.live_bytes);
    ck_assert_uint_eq(s1.live_blocks, s0.live_blocks);
    ck_assert_ptr_null(a.head);
    ck_assert_ptr_null(a.spare);
    ck_assert_uint_eq(arena_capacity(&a), 0);
    ck_assert_uint_eq(a.peak_used, peak); /* kept for stats */
    ck_assert_uint_ge(peak, 5000u * 4999u / 2);
    /* Releasing twice, or an empty arena, is harmless. */
    arena_release(&a);
    arena b;
    arena_init(&b, 0);
    arena_release(&b);
    ck_assert_uint_eq(alloc_live_bytes(), s0.live_bytes);
}
END_TEST

START_TEST(test_used_and_peak)
{
    arena a;
    arena_init(&a, 0);
    arena_alloc(&a, 1);  /* 16 */
    arena_alloc(&a, 17); /* 32 */
    arena_alloc(&a, 0);  /* 16: a zero-size request still gets a distinct pointer */
    ck_assert_uint_eq(arena_used(&a), 64);
    arena_reset(&a, 1 << 20);
    arena_alloc(&a, 16);
    ck_assert_uint_eq(arena_used(&a), 16);
    ck_assert_uint_eq(a.peak_used, 64);
    arena_release(&a);
}
END_TEST

START_TEST(test_zero_size_distinct)
{
    arena a;
    arena_init(&a, 0);
    void *p = arena_alloc(&a, 0), *q = arena_alloc(&a, 0);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(q);
    ck_assert_ptr_ne(p, q);
    arena_release(&a);
}
END_TEST

START_TEST(test_zeroed_after_reuse)
{
    arena a;
    arena_init(&a, 4096);
    unsigned char *p = arena_alloc(&a, 2000);
    memset(p, 0xff, 2000);
    arena_reset(&a, 4096);
    unsigned char *z = arena_alloc_zeroed(&a, 2000);
    ck_assert_ptr_eq(z, p); /* same memory, dirty before */
    for (int i = 0; i < 2000; i++)
        ck_assert_uint_eq(z[i], 0);
    arena_release(&a);
}
END_TEST

START_TEST(test_strings)
{
    size_t base = alloc_live_bytes();
    arena a;
    arena_init(&a, 64);
    const char *src = "https://example.com/a?b=c";
    char *s = arena_strdup(&a, src);
    ck_assert_ptr_ne(s, src);
    ck_assert_str_eq(s, src);
    ck_assert(ALIGNED(s));
    char *e = arena_strdup(&a, "");
    ck_assert_str_eq(e, "");

    char *n = arena_strndup(&a, "hostname:8080", 8);
    ck_assert_str_eq(n, "hostname");
    ck_assert_uint_eq(strlen(n), 8);
    /* strndup copies exactly n bytes, even past a NUL inside them, and
     * terminates them. */
    char *z = arena_strndup(&a, "ab\0cd", 5);
    ck_assert_int_eq(z[3], 'c');
    ck_assert_int_eq(z[5], '\0');

    char *f = arena_sprintf(&a, "%s=%d %s", "pid", 1234, "reason=rss");
    ck_assert_str_eq(f, "pid=1234 reason=rss");
    char *empty = arena_sprintf(&a, "%s", "");
    ck_assert_str_eq(empty, "");

    /* Longer than the arena's chunk: the two-pass format must fit it all. */
    char longs[50001];
    memset(longs, 'L', 50000);
    longs[50000] = '\0';
    char *big = arena_sprintf(&a, "<%s>", longs);
    ck_assert_uint_eq(strlen(big), 50002);
    ck_assert_int_eq(big[0], '<');
    ck_assert_int_eq(big[50001], '>');
    ck_assert_int_eq(big[25000], 'L');

    /* Earlier strings are untouched by later ones. */
    ck_assert_str_eq(s, src);
    ck_assert_str_eq(n, "hostname");
    ck_assert_str_eq(f, "pid=1234 reason=rss");
    arena_release(&a);
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

START_TEST(test_process_allocator_failure)
{
    size_t base = alloc_live_bytes();
    arena a;
    arena_init(&a, 4096);
    char *p = arena_strdup(&a, "before");
    ck_assert_ptr_nonnull(p);
    size_t cap = arena_capacity(&a), used;
    static char longsrc[10001];
    memset(longsrc, 'x', 10000);

    alloc_fail_after(1);
    /* Fits in the current chunk: no process allocation, so it succeeds. */
    char *fits = arena_alloc(&a, 100);
    ck_assert_ptr_nonnull(fits);
    used = arena_used(&a);
    size_t live = alloc_live_bytes();
    /* Needs a new chunk: NULL, and the arena is unchanged. */
    ck_assert_ptr_null(arena_alloc(&a, 8192));
    ck_assert_ptr_null(arena_alloc_zeroed(&a, 8192));
    ck_assert_ptr_null(arena_strndup(&a, longsrc, 10000));
    ck_assert_ptr_null(arena_strdup(&a, longsrc));
    ck_assert_ptr_null(arena_resize(&a, fits, 100, 100000));
    ck_assert_uint_eq(arena_capacity(&a), cap);
    ck_assert_uint_eq(arena_used(&a), used);
    ck_assert_uint_eq(alloc_live_bytes(), live);
    alloc_fail_reset();

    /* Usable again, old data intact, and the last allocation still grows in
     * place (the failed calls did not move "last"). */
    ck_assert_str_eq(p, "before");
    char *grown = arena_resize(&a, fits, 100, 200);
    ck_assert_ptr_eq(grown, fits);
    char *q = arena_alloc(&a, 8192);
    ck_assert_ptr_nonnull(q);
    memset(q, 0, 8192);
    arena_release(&a);
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

START_TEST(test_first_chunk_failure)
{
    size_t base = alloc_live_bytes();
    arena a;
    arena_init(&a, 0);
    alloc_fail_after(1);
    ck_assert_ptr_null(arena_alloc(&a, 1));
    ck_assert_ptr_null(arena_sprintf(&a, "%d", 42));
    alloc_fail_reset();
    ck_assert_uint_eq(a.chunks, 0);
    ck_assert_uint_eq(alloc_live_bytes(), base);
    char *s = arena_sprintf(&a, "%d", 42);
    ck_assert_str_eq(s, "42");
    arena_release(&a);
}
END_TEST

START_TEST(test_huge_request_null)
{
    arena a;
    arena_init(&a, 0);
    ck_assert_ptr_null(arena_alloc(&a, SIZE_MAX));
    ck_assert_ptr_null(arena_alloc(&a, SIZE_MAX / 2 + 1));
    ck_assert_uint_eq(a.chunks, 0);
    ck_assert_ptr_nonnull(arena_alloc(&a, 10));
    arena_release(&a);
}
END_TEST

START_TEST(test_alloc_or_die_aborts)
{
    arena a;
    arena_init(&a, 0);
    alloc_fail_after(1);
    arena_alloc_or_die(&a, 100); /* must raise SIGABRT */
}
END_TEST

START_TEST(test_alloc_or_die_ok)
{
    arena a;
    arena_init(&a, 0);
    char *p = arena_alloc_or_die(&a, 100);
    ck_assert_ptr_nonnull(p);
    ck_assert(ALIGNED(p));
    arena_release(&a);
}
END_TEST

/* Release costs O(chunks): a million small allocations must land in a few
 * dozen geometrically growing chunks, not in anything per allocation. */
START_TEST(test_chunks_grow_geometrically)
{
    size_t base = alloc_live_bytes();
    alloc_stats s0, s1;
    alloc_get_stats(&s0);
    arena a;
    arena_init(&a, 0);
    for (int i = 0; i < 1000000; i++) {
        char *p = arena_alloc(&a, 32);
        QUIET_ASSERT(p != NULL, "allocation %d failed", i);
        p[31] = (char)i;
    }
    ck_assert_uint_ge(arena_capacity(&a), 32u * 1000000u);
    ck_assert_uint_eq(arena_used(&a), 32u * 1000000u);
    ck_assert_msg(a.chunks < 64, "%zu chunks for 1e6 allocations", a.chunks);
    alloc_get_stats(&s1);
    ck_assert_uint_eq(s1.total_allocs - s0.total_allocs, a.chunks);
    ck_assert_uint_eq(s1.live_blocks - s0.live_blocks, a.chunks);
    arena_release(&a);
    ck_assert_uint_eq(alloc_live_bytes(), base);
}
END_TEST

static Suite *arena_suite(void)
{
    Suite *s = suite_create("arena");
    TCase *tc = tcase_create("alloc");
    tcase_add_loop_test(tc, test_alignment, 0, N_CHUNK_SIZES);
    tcase_add_test(tc, test_init_defaults);
    tcase_add_test(tc, test_allocations_do_not_overlap);
    tcase_add_test(tc, test_larger_than_chunk);
    tcase_add_test(tc, test_used_and_peak);
    tcase_add_test(tc, test_zero_size_distinct);
    tcase_add_test(tc, test_huge_request_null);
    tcase_add_test(tc, test_alloc_or_die_ok);
    tcase_add_test(tc, test_chunks_grow_geometrically);
    suite_add_tcase(s, tc);

    tc = tcase_create("resize");
    tcase_add_test(tc, test_grow_last_in_place);
    tcase_add_test(tc, test_grow_not_last_copies);
    tcase_add_test(tc, test_grow_last_past_chunk_copies);
    tcase_add_test(tc, test_shrink);
    tcase_add_test(tc, test_resize_null_allocates);
    suite_add_tcase(s, tc);

    tc = tcase_create("reset_release");
    tcase_add_loop_test(tc, test_reset_retains_at_most_limit, 0, N_RETAIN);
    tcase_add_test(tc, test_reset_reuses_memory);
    tcase_add_test(tc, test_reset_keeps_largest_chunk);
    tcase_add_test(tc, test_reset_zero_frees_all);
    tcase_add_test(tc, test_release_frees_all);
    tcase_add_test(tc, test_zeroed_after_reuse);
    suite_add_tcase(s, tc);

    tc = tcase_create("strings");
    tcase_add_test(tc, test_strings);
    suite_add_tcase(s, tc);

    tc = tcase_create("failure");
    tcase_add_test(tc, test_process_allocator_failure);
    tcase_add_test(tc, test_first_chunk_failure);
    tcase_add_test_raise_signal(tc, test_alloc_or_die_aborts, SIGABRT);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return testutil_run(arena_suite()); }
