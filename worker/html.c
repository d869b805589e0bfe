/* html — see html.h.
 *
 * Order of work: sniff the charset, decode to UTF-8 when needed
 * (html_prepare, html_charset.c), parse with gumbo into the arena
 * (html_tree_build); then, after whatever edits the caller makes to the
 * tree, walk it once without recursion collecting raw hrefs, title, text
 * and robots hints (html_tree_extract), then resolve the hrefs against the
 * final base (the first <base href> applies to links before it too) and
 * drop duplicates with two hash sets: one on the raw href (a repeated href
 * is resolved only once) and one on the resolved URL. The link rule, the
 * text sink and the resolution are html_extract.c's, shared with the scan
 * drivers (scan.h).
 *
 * gumbo facts this file depends on (0.10.1, Debian build with asserts on):
 * - It never checks the allocator's result: ours leaves the parse on OOM.
 * - With the default max_errors (-1) every parse error copies the whole stack
 *   of open elements into the error list: n nested unclosed elements cost
 *   O(n^2) memory (100,000 nested <div>s exhaust the machine). max_errors = 0
 *   records nothing; we never read the errors.
 * - Its parser is iterative (no recursion on depth), but some steps scan the
 *   whole stack of open elements for every tag or character (a <div> looks
 *   for an open <p> in button scope; text under unclosed formatting elements
 *   rebuilds them), so deeply nested pages parse in O(depth^2) time. Some of
 *   those scans allocate nothing (text under open formatting elements: every
 *   character looks for the newest one in the open stack, from the bottom),
 *   so the time budget cannot rest on the allocator alone: see parse_budget.
 * - It asserts that one parse handles fewer than 10^9 tokens: input is capped
 *   at HTML_MAX_PARSE_BYTES. Other assertions fire on some input: see
 *   __assert_fail below.
 * - The tree points into the parsed buffer (original_text fields): when no
 *   decoding is needed that buffer is the caller's body, which must outlive
 *   gumbo_output. Strings in html_doc never point into the body. */
#include "html.h"

#include "alloc.h"
#include "tags.h"

#include <dlfcn.h>
#include <gumbo.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------
 * Small utilities */

static const char *attr(const GumboElement *el, const char *name)
{
    const GumboAttribute *at = gumbo_get_attribute(&el->attributes, name);
    return at ? at->value : NULL;
}

static void sink_text(html_text *t, const char *s) { html_text_add(t, s, strlen(s)); }

/* ---------------------------------------------------------------------------
 * The walk */

typedef struct frame {
    const GumboVector *kids;
    unsigned idx;
    bool no_text; /* this element hides its text (script, head, …) */
    bool block;   /* leaving it separates words */
} frame;

typedef struct walk {
    arena *a;
    html_doc *d;
    frame *stack;
    size_t sp, cap;
    html_collect c; /* links, base, canonical, robots */
    bool have_title;
    size_t no_text; /* open elements hiding text */
    html_text text;
} walk;

static bool push(walk *w, const GumboVector *kids, bool no_text, bool block)
{
    if (w->sp == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 256;
        frame *ns = arena_resize(w->a, w->stack, w->cap * sizeof *ns, ncap * sizeof *ns);
        if (!ns)
            return false;
        w->stack = ns;
        w->cap = ncap;
    }
    w->stack[w->sp++] = (frame){kids, 0, no_text, block};
    if (no_text)
        w->no_text++;
    return true;
}

static bool take_title(walk *w, const GumboElement *el)
{
    html_text t = {.a = w->a};
    for (unsigned i = 0; i < el->children.length; i++) {
        const GumboNode *k = el->children.data[i];
        if (k->type == GUMBO_NODE_TEXT || k->type == GUMBO_NODE_WHITESPACE)
            sink_text(&t, k->v.text.text);
    }
    w->d->title = html_text_finish(&t);
    w->have_title = true;
    return w->d->title != NULL;
}

static const char *gumbo_attr(const void *el, const char *name) { return attr(el, name); }

static bool visit_html(walk *w, const GumboElement *el)
{
    if (el->tag == GUMBO_TAG_TITLE)
        return w->have_title || take_title(w, el);
    return html_collect_element(&w->c, (int)el->tag, gumbo_attr, el);
}

static html_err walk_tree(walk *w, const GumboNode *doc)
{
    if (!push(w, &doc->v.document.children, false, false))
        return HTML_NOMEM;
    while (w->sp) {
        frame *f = &w->stack[w->sp - 1];
        if (f->idx >= f->kids->length) {
            if (f->no_text)
                w->no_text--;
            if (f->block)
                html_text_break(&w->text);
            w->sp--;
            continue;
        }
        const GumboNode *n = f->kids->data[f->idx++];
        switch (n->type) {
        case GUMBO_NODE_TEXT:
        case GUMBO_NODE_CDATA:
        case GUMBO_NODE_WHITESPACE:
            if (!w->no_text)
                sink_text(&w->text, n->v.text.text);
            break;
        case GUMBO_NODE_ELEMENT: {
            const GumboElement *el = &n->v.element;
            bool html = el->tag_namespace == GUMBO_NAMESPACE_HTML;
            w->d->elements++;
            if (w->sp > w->d->max_depth) /* the document frame is below */
                w->d->max_depth = w->sp;
            if (html && !visit_html(w, el))
                return HTML_NOMEM;
            unsigned fl = html ? tags_flags((int)el->tag) : 0;
            bool block = (fl & TAGS_BLOCK) != 0;
            if (block)
                html_text_break(&w->text);
            if (el->children.length) {
                if (!push(w, &el->children, (fl & TAGS_HIDES_TEXT) != 0, block))
                    return HTML_NOMEM;
            }
            break;
        }
        case GUMBO_NODE_TEMPLATE:
            /* Template contents are inert: no links, no text. */
            w->d->elements++;
            if (w->sp > w->d->max_depth)
                w->d->max_depth = w->sp;
            break;
        default: /* comments, the document */
            break;
        }
    }
    return w->text.oom ? HTML_NOMEM : HTML_OK;
}

/* ---------------------------------------------------------------------------
 * gumbo's allocator
 *
 * gumbo makes millions of small allocations, most of them tiny, and needs
 * no more than pointer alignment. Handing each to arena_alloc would round
 * it to ARENA_ALIGN (16): bumping 8-aligned through blocks taken from the
 * arena makes the tree smaller and allocation cheaper (docs/platform-notes.md
 * has the counts). A free of the latest allocation (gumbo's temporary
 * buffers often are) gives its bytes back. */

#define GUMBO_BLOCK (32 * 1024)
#define GUMBO_BIG (4 * 1024) /* larger requests go to the arena directly */

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

typedef struct gumbo_heap {
    arena *a;
    char *cur, *end; /* free part of the current block */
    char *last;      /* latest allocation, while it can be taken back */
} gumbo_heap;

/* The way out of a parse, while gumbo runs on this thread (see below). */
static _Thread_local sigjmp_buf *volatile parse_escape;

enum { ESCAPE_ASSERT = 1, ESCAPE_NOMEM = 2, ESCAPE_TIME = 3 };

/* The time budget's state for the parse on this thread (see parse_budget).
 * in_alloc: gumbo_alloc is changing the arena, which must not be left half
 * done; late: the budget ran out meanwhile, gumbo_alloc leaves on its way
 * out. clock_deadline_ns: the allocator's own check, used only when no timer
 * could be set (0: none). */
static _Thread_local volatile sig_atomic_t parse_in_alloc, parse_late;
static _Thread_local int64_t parse_clock_deadline_ns;
static _Thread_local unsigned parse_allocs;

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *gumbo_alloc_in(gumbo_heap *h, size_t size)
{
    size_t n = (size + 7) & ~(size_t)7;
    if (n == 0)
        n = 8;
    if (n > (size_t)(h->end - h->cur)) {
        char *p = arena_alloc(h->a, n > GUMBO_BIG ? size : GUMBO_BLOCK);
        if (!p)
            return NULL;
        if (n > GUMBO_BIG)
            return p;
        if (h->end > h->cur)
            POISON(h->cur, (size_t)(h->end - h->cur));
        h->cur = p;
        h->end = p + GUMBO_BLOCK;
        POISON(h->cur, GUMBO_BLOCK);
    }
    char *p = h->cur;
    h->cur += n;
    h->last = p;
    UNPOISON(p, size ? size : 1);
    return p;
}

static void *gumbo_alloc(void *userdata, size_t size)
{
    parse_in_alloc = 1;
    void *p = gumbo_alloc_in(userdata, size);
    parse_in_alloc = 0;
    if (!p) /* gumbo never checks for NULL: leave the parse instead */
        siglongjmp(*parse_escape, ESCAPE_NOMEM);
    if (parse_late)
        siglongjmp(*parse_escape, ESCAPE_TIME);
    /* gumbo allocates 5-8 times per tag: a clock read every 256 is free. */
    if (parse_clock_deadline_ns && ++parse_allocs % 256 == 0 && mono_ns() > parse_clock_deadline_ns)
        siglongjmp(*parse_escape, ESCAPE_TIME);
    return p;
}

static void gumbo_free(void *userdata, void *p)
{
    gumbo_heap *h = userdata;
    parse_in_alloc = 1;
    if (p && p == h->last) {
        POISON(h->last, (size_t)(h->cur - h->last));
        h->cur = h->last;
    }
    h->last = NULL; /* everything else goes with the arena */
    parse_in_alloc = 0;
    if (parse_late)
        siglongjmp(*parse_escape, ESCAPE_TIME);
}

/* Debian builds gumbo with its assertions on, and some of them fire on
 * input: "<table><tr><svg><title><![CDATA[x]]>t" fails one in handle_in_table
 * (found by fuzzing; the only assertion seen in 60,000 random tag soups).
 * Everything gumbo holds is in the arena and it keeps no global state, so
 * leaving gumbo there with siglongjmp costs the page its tree, not the
 * worker its life.
 *
 * Only gumbo's own assertions are left that way, never an abort: a SIGABRT
 * handler cannot tell who raised the signal, and most aborts must not be
 * jumped out of. The debug allocator aborts with its mutex held, and glibc's
 * heap checks (malloc_printerr) abort inside malloc or free with an arena
 * lock held, even the malloc that glibc's own __assert_fail makes to format
 * its message: a jump from there leaves the lock taken and the next
 * allocation hangs. So this file defines __assert_fail, which the dynamic
 * linker binds gumbo's assertions to (the executable comes first in symbol
 * lookup), and it leaves the parse before anything is allocated or locked,
 * when all of these hold:
 *   - parse_escape: a guarded parse runs on this thread;
 *   - parse_in_gumbo and not parse_in_alloc: gumbo's code is on top of the
 *     stack, not our allocator hooks it calls (an assertion there is ours,
 *     with the arena half changed);
 *   - the caller's code is libgumbo's (dladdr), not a signal handler's or
 *     anybody else's that happened to run on this thread meanwhile.
 * Any other assertion goes to glibc's __assert_fail as before (message,
 * abort); any abort ends the process as it always did. After an escape the
 * process counts it (html_gumbo_assertions) and the worker retires once the
 * page is answered (serve.c). */
static _Thread_local volatile sig_atomic_t parse_in_gumbo;
static _Thread_local const char *parse_assert_file;
static _Thread_local unsigned parse_assert_line;
static _Atomic unsigned long gumbo_assertions;

unsigned long html_gumbo_assertions(void) { return atomic_load(&gumbo_assertions); }

/* Whether code at pc is in the object that holds gumbo's parser. */
static bool in_libgumbo(const void *pc)
{
    Dl_info at, gumbo;
    void *entry = (void *)gumbo_parse_with_options;
    return dladdr(pc, &at) && dladdr(entry, &gumbo) && at.dli_fbase == gumbo.dli_fbase;
}

typedef void (*assert_fail_fn)(const char *, const char *, unsigned int, const char *);

_Noreturn void __assert_fail(const char *assertion, const char *file, unsigned int line,
                             const char *function)
{
    sigjmp_buf *j = parse_escape;
    if (j && parse_in_gumbo && !parse_in_alloc && in_libgumbo(__builtin_return_address(0))) {
        parse_escape = NULL;
        parse_assert_file = file; /* gumbo's static text: it outlives the parse */
        parse_assert_line = line;
        atomic_fetch_add(&gumbo_assertions, 1);
        siglongjmp(*j, ESCAPE_ASSERT);
    }
    assert_fail_fn next = (assert_fail_fn)dlsym(RTLD_NEXT, "__assert_fail");
    if (next)
        next(assertion, file, line, function);
    fprintf(stderr, "%s:%u: %s: Assertion `%s' failed.\n", file, line, function ? function : "?",
            assertion);
    alloc_abort();
}

/* The time budget (html_options.parse_budget_ms). gumbo's quadratic steps
 * are scans of its stack of open elements, and some allocate nothing: under
 * open formatting elements every character of text costs such a scan, so
 * seconds can pass between two allocations (docs/platform-notes.md has a
 * case). A check of the clock in gumbo_alloc would come that late; a timer
 * does not. So a one-shot
 * POSIX timer (CLOCK_MONOTONIC: the page deadline is wall time) sends
 * PARSE_BUDGET_SIGNAL to this thread (SIGEV_THREAD_ID) at the budget, and
 * on_budget leaves gumbo with siglongjmp, as a failed assertion does. That is safe
 * anywhere in gumbo: it keeps everything in the arena, allocates only
 * through us and calls nothing that takes a lock (max_errors = 0: no error
 * text is formatted). The one place a jump must not land is gumbo_alloc
 * while it moves the arena's pointers or asks the process allocator for a
 * block (its mutex, in the debug build): there on_budget only sets
 * parse_late and gumbo_alloc leaves on its way out.
 * For the parse the signal is unblocked and handled here; after it the
 * timer is deleted before the mask and the old disposition are put back,
 * and timer_delete returns with any signal already sent delivered (to
 * on_budget, which ignores it once parse_escape is NULL).
 * When no timer can be made (timer_create fails past RLIMIT_SIGPENDING),
 * gumbo_alloc reads the clock every 256 allocations instead: in time for
 * tags, too late or never for text.
 * No other part of the worker uses real-time signals (curl runs with
 * CURLOPT_NOSIGNAL; glibc keeps its own below SIGRTMIN). */
#define PARSE_BUDGET_SIGNAL (SIGRTMIN + 2)

static void on_budget(int sig)
{
    (void)sig;
    sigjmp_buf *j = parse_escape;
    if (!j)
        return; /* sent as the parse ended */
    if (parse_in_alloc) {
        parse_late = 1;
        return;
    }
    parse_escape = NULL;
    siglongjmp(*j, ESCAPE_TIME);
}

typedef struct parse_budget {
    long ms;
    bool timer_set; /* timer, prev and prev_mask to undo */
    timer_t timer;
    struct sigaction prev;
    sigset_t prev_mask;
} parse_budget;

static void budget_start(parse_budget *b)
{
    parse_in_alloc = parse_late = 0;
    parse_allocs = 0;
    parse_clock_deadline_ns = 0;
    b->timer_set = false;
    if (b->ms <= 0)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_budget;
    sigemptyset(&sa.sa_mask);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, PARSE_BUDGET_SIGNAL);
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = PARSE_BUDGET_SIGNAL;
    ev._sigev_un._tid = gettid(); /* glibc 2.36 has no sigev_notify_thread_id */
    struct itimerspec its = {
        .it_value = {.tv_sec = b->ms / 1000, .tv_nsec = (b->ms % 1000) * 1000000}};
    if (sigaction(PARSE_BUDGET_SIGNAL, &sa, &b->prev) != 0)
        goto clock;
    pthread_sigmask(SIG_UNBLOCK, &set, &b->prev_mask);
    if (timer_create(CLOCK_MONOTONIC, &ev, &b->timer) != 0)
        goto undo;
    if (timer_settime(b->timer, 0, &its, NULL) != 0) {
        timer_delete(b->timer);
        goto undo;
    }
    b->timer_set = true;
    return;
undo:
    pthread_sigmask(SIG_SETMASK, &b->prev_mask, NULL);
    sigaction(PARSE_BUDGET_SIGNAL, &b->prev, NULL);
clock:
    parse_clock_deadline_ns = mono_ns() + (int64_t)b->ms * 1000000;
}

/* With parse_escape already NULL. */
static void budget_end(parse_budget *b)
{
    if (b->timer_set) {
        timer_delete(b->timer);
        pthread_sigmask(SIG_SETMASK, &b->prev_mask, NULL);
        sigaction(PARSE_BUDGET_SIGNAL, &b->prev, NULL);
        b->timer_set = false;
    }
    parse_clock_deadline_ns = 0;
    parse_in_alloc = parse_late = 0;
}

/* gumbo_parse_with_options with the escape hatch; NULL and *esc set when
 * gumbo failed an assertion, ran out of memory or (budget_ms > 0) of time. */
static GumboOutput *guarded_parse(const GumboOptions *go, const char *in, size_t n, long budget_ms,
                                  int *esc)
{
    sigjmp_buf jb;
    GumboOutput *volatile g = NULL;
    parse_budget b = {.ms = budget_ms};
    *esc = 0;
    parse_assert_file = NULL;
    parse_assert_line = 0;
    budget_start(&b); /* before sigsetjmp: the mask it saves has the signal open */
    int r = sigsetjmp(jb, 1);
    if (r == 0) {
        parse_escape = &jb;
        parse_in_gumbo = 1;
        g = gumbo_parse_with_options(go, in, n);
    } else {
        *esc = r;
    }
    parse_in_gumbo = 0;
    parse_escape = NULL;
    budget_end(&b);
    return *esc ? NULL : g;
}

void *html_parse_fragment(arena *a, const char *html, size_t len, int context_tag, int context_ns)
{
    if (!html)
        html = "", len = 0;
    if (len > HTML_MAX_PARSE_BYTES)
        return NULL;
    gumbo_heap heap = {.a = a};
    GumboOptions go = kGumboDefaultOptions;
    go.allocator = gumbo_alloc;
    go.deallocator = gumbo_free;
    go.userdata = &heap;
    go.max_errors = 0;
    go.fragment_context = (GumboTag)context_tag;
    go.fragment_namespace = (GumboNamespaceEnum)context_ns;
    int esc;
    GumboOutput *g = guarded_parse(&go, html, len, 0, &esc);
    return g && g->root ? g : NULL;
}

/* ---------------------------------------------------------------------------
 * The entry points */

html_err html_tree_build(arena *a, const char *body, size_t len, const html_options *opt,
                         html_doc *out)
{
    const char *in;
    size_t n;
    html_err err = html_prepare(a, body, len, opt, &in, &n, out);
    if (err)
        return err;

    gumbo_heap heap = {.a = a};
    GumboOptions go = kGumboDefaultOptions;
    go.allocator = gumbo_alloc;
    go.deallocator = gumbo_free;
    go.userdata = &heap;
    go.max_errors = 0; /* see the top of this file */
    long budget = opt ? opt->parse_budget_ms : 0;
    int esc;
    GumboOutput *g = guarded_parse(&go, in, n, budget, &esc);
    if (esc == ESCAPE_NOMEM)
        return HTML_NOMEM;
    if (esc == ESCAPE_TIME) {
        out->parse_error = arena_sprintf(a, "the HTML parser took over %ld ms", budget);
        if (!out->parse_error)
            out->parse_error = "the HTML parser ran out of time";
        return HTML_TOO_SLOW;
    }
    if (esc == ESCAPE_ASSERT) {
        out->parse_error = arena_sprintf(a, "the HTML parser failed an assertion (%s:%u)",
                                         parse_assert_file, parse_assert_line);
        if (!out->parse_error)
            out->parse_error = "the HTML parser failed an assertion";
        return HTML_PARSE;
    }
    if (!g || !g->document) {
        out->parse_error = "the HTML parser gave no document";
        return HTML_PARSE;
    }
    out->gumbo_output = g;
    return HTML_OK;
}

html_err html_tree_extract(arena *a, const char *url, const html_options *opt, html_doc *out)
{
    const GumboOutput *g = out->gumbo_output;
    if (!g || !g->document) { /* not from a successful html_tree_build */
        out->parse_error = "no tree to extract from";
        return HTML_PARSE;
    }
    walk w = {.a = a,
              .d = out,
              .c = {.a = a, .d = out},
              .text = {.a = a, .count_only = !(opt && opt->want_text)}};
    html_err err = walk_tree(&w, g->document);
    if (err)
        return err;
    out->text = html_text_finish(&w.text);
    out->text_len = w.text.len;
    if (!out->text && !w.text.count_only)
        return HTML_NOMEM;
    return html_collect_finish(&w.c, url);
}

html_err html_parse(arena *a, const char *url, const char *body, size_t len,
                    const html_options *opt, html_doc *out)
{
    html_err err = html_tree_build(a, body, len, opt, out);
    return err ? err : html_tree_extract(a, url, opt, out);
}
