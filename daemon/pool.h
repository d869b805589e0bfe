/* pool — the page workers: `workers` slots, each running at most one
 * crawld-worker process (uv_spawn), talking wire.h's messages in frames over
 * a socketpair on the child's fd 3. It dispatches pages from jobs.h (each
 * worker holds a set of pages in flight, up to its capacity), keeps every
 * worker inside its RSS budget and page deadlines, and refills slots.
 * Invariants: a worker's state changes only in worker_set_state, checked by
 * pool_transition_ok; a page leaves a worker's flight set exactly once: by
 * its result, by jobs_page_error, or at the worker's death (jobs_page_failed
 * when it was being parsed, else jobs_page_unstarted).
 * The caller owns the pool struct; the pool owns its slots, workers and
 * handles; its numbers leave through pool_workers_json, pool_recycles_json
 * and pool_metrics. docs/daemon.md "Workers (pool)" has the design. */
#ifndef CRAWLD_POOL_H
#define CRAWLD_POOL_H

#include "arena.h"
#include "config.h"
#include "frame.h"
#include "jobs.h"
#include "metrics.h"

#include <jansson.h>
#include <sys/types.h>
#include <uv.h>

typedef enum worker_state {
    WORKER_STARTING, /* spawned; no "ready" frame yet; gets no page */
    WORKER_IDLE,     /* ready, no page in flight */
    WORKER_BUSY,     /* one page or more in flight, each under its deadline;
                        gets more while it holds fewer than its capacity */
    WORKER_RETIRING, /* leaving (retire sent, retire announced, or killed);
                        gets no page; its slot refills when it has exited */
    WORKER_STATE_COUNT
} worker_state;

/* Why a worker left; counted in pool.recycles[reason]. */
typedef enum recycle_reason {
    RECYCLE_NONE = 0,
    RECYCLE_RSS,       /* over rss_soft_mb after a page (the worker retired) */
    RECYCLE_RSS_HARD,  /* over rss_hard_mb at a poll (killed) */
    RECYCLE_MAX_PAGES, /* served its jittered max_pages_per_worker */
    RECYCLE_TIMEOUT,   /* page past its deadline (killed) */
    RECYCLE_CRASH,     /* exited on its own, unasked */
    RECYCLE_MANUAL,    /* crawlctl recycle */
    RECYCLE_RELOAD,    /* config reload: replaced one at a time (pool_reload) */
    RECYCLE_SHUTDOWN,  /* the daemon is stopping (not counted) */
    RECYCLE_COUNT
} recycle_reason;

const char *worker_state_str(worker_state s);
const char *recycle_reason_str(recycle_reason r);
/* The transition table: 1 when from → to is allowed. */
int pool_transition_ok(worker_state from, worker_state to);
/* Restart delay after n consecutive start failures (n >= 1): 250 ms
 * doubling, capped at 30 s. */
long pool_backoff_ms(int failures);
/* max_pages ± 10 %, from a random number; at least 1. */
long pool_jittered_max(long max_pages, unsigned long rnd);

typedef struct pool pool;

#define POOL_QUEUE_MAX 8 /* queue_per_worker's ceiling */
/* A page still fetching on a worker that announced slots is the worker's
 * to bound (the task's timeout_ms); crawld kills the worker only when it
 * has said nothing (no parse, no result) for page_timeout_ms + this since
 * the page was sent: a wedged worker, not a slow one. */
#define POOL_FETCH_GRACE_MS 5000

/* One page a worker holds: its flight set is these, in the order sent. */
typedef struct pool_task {
    jobs_page *pg;
    long long id;      /* the task_id sent */
    uint64_t sent_ms;  /* dispatched (the worker starts its fetch on receipt) */
    uint64_t start_ms; /* its parse began (the parse message; a one-slot worker:
                        * when it became the oldest page); 0: still fetching */
    uint64_t start_ns; /* uv_hrtime() then, for page_ns */
    int parsing;       /* being parsed: an attempt if the worker dies now */
    int sent_alone;    /* sent with "alone": a page that went back unstarted */
    int alone;         /* its transfer runs alone (the alone message): an
                        * attempt if the worker dies before its parse */
} pool_task;

/* Pages that went back unstarted from dead workers, by page: a page whose
 * fetch itself kills its worker would otherwise go back unstarted forever.
 * A page with POOL_ALONE_STRIKES strikes is sent "alone" (wire.h): the
 * worker fetches it with no other transfer running and says so, and a
 * death then is the page's own and counts an attempt; pages that only
 * shared dead workers never do. A page that went back 2 x max_attempts
 * times without ever starting alone counts attempts too
 * (pool_death_counts). Bounded: when full, the entry with the fewest
 * strikes makes room. */
#define POOL_ALONE_STRIKES 2
#define POOL_STRIKES 256
typedef struct pool_strikes {
    uint64_t key[POOL_STRIKES]; /* pool_page_key; 0: free */
    int n[POOL_STRIKES];
    int used; /* entries in use */
} pool_strikes;

/* A page's key in pool_strikes: its job and URL hashed (never 0). */
uint64_t pool_page_key(long long job_id, const char *url);
/* Strikes recorded for key (0 when none). */
int pool_strike_get(const pool_strikes *s, uint64_t key);
/* One more strike for key; returns its strikes now. */
int pool_strike_add(pool_strikes *s, uint64_t key);
/* The page has its record (or was quarantined): its strikes go. */
void pool_strike_forget(pool_strikes *s, uint64_t key);
/* At a worker's death: 1 when a page counts an attempt (it was being
 * parsed, its transfer ran alone, or it already went back unstarted
 * 2 x max_attempts times), 0 when it goes back unstarted. */
int pool_death_counts(int parsing, int alone, int strikes, int max_attempts);
/* Whether a worker's exit was a retire (asked by crawld or announced by
 * the worker), exit status 0, not killed: the pages it held and was not
 * parsing were given up by the worker itself, so they go back unstarted
 * without an attempt or a strike, even one fetching alone. */
int pool_exit_clean(int term_signal, long long status, int killed, recycle_reason reason);
/* Pages a worker may hold at once: its slots when it announced more than
 * one (it fetches them all at once), else today's one page and queue_depth
 * queued behind it. */
int pool_capacity(int slots, int queue_depth);

typedef struct worker {
    pool *pool;
    int slot;
    uv_process_t proc;
    uv_pipe_t chan;
    int handles_open; /* proc + chan not yet closed */
    int exited;
    frame_decoder dec;
    char *rbuf; /* read buffer, WORKER_RBUF bytes */
    char *obuf; /* frames to send, written once a loop turn (pool_flush) */
    size_t olen, ocap;
    worker_state state;
    pid_t pid;
    long rss_kb;            /* last poll or report */
    long pages;             /* pages this worker finished */
    long max_pages;         /* jittered limit */
    long arena_retained_kb; /* from the last result, -1 unknown */
    long js_heap_kb;        /* JS GC heap after the last page, -1 unknown / no runtime */
    /* The pages in flight, oldest first (BUSY, or RETIRING while they
     * finish or after a kill); flight_cap entries allocated at ready. A
     * one-slot worker runs them one at a time: flight[0] is the page it
     * runs (parsing from the moment it became the oldest), the rest are
     * queued behind it, not started. */
    pool_task *flight;
    int nflight, flight_cap;
    int slots;             /* the ready message's (1: the old form, one at a time) */
    uint64_t heard_ms;     /* its last parse or result: a worker that says nothing
                            * past POOL_FETCH_GRACE_MS is wedged */
    uint64_t result_ns;    /* uv_hrtime() of its last result (gap_ns) */
    double gap_ns;         /* slots > 1: moving average between its results */
    uint64_t deadline_ms;  /* handshake or retire deadline; 0 none (pages: in flight) */
    recycle_reason reason; /* why it is retiring (NONE: it died unasked) */
    int retire_after_page; /* recycle asked while busy */
    int retire_for_reload; /* … by pool_reload (counted as reload, not manual) */
    unsigned gen;          /* pool.gen when spawned: older ones are replaced */
    int killed;            /* SIGKILL sent */
    int untrusted;         /* broke the protocol: killed, its frames ignored */
    int ready;             /* the handshake came */
} worker;

typedef struct pool_slot {
    worker *w;          /* NULL while empty (backoff, or stopping) */
    uv_timer_t backoff; /* restart timer */
    int start_failures; /* consecutive deaths before "ready" */
    long last_exit_status;
} pool_slot;

struct pool {
    uv_loop_t *loop;
    const crawld_config *cfg;
    jobs *jobs;
    char worker_path[4096];
    char config_path[4096]; /* "" → the worker uses built-in defaults */
    char **env;             /* environ without NOTIFY_SOCKET, WATCHDOG_* */
    size_t env_n;
    int nslots;
    pool_slot *slots;
    uv_timer_t tick;     /* RSS poll + deadlines, every rss_poll_ms */
    uv_check_t coalesce; /* after each loop turn: maybe let results gather (pool_chan.c) */
    uv_prepare_t flush;  /* before the loop waits: what was queued for workers is sent */
    double page_ns;      /* moving average of a page's time on a one-slot worker */
    uint64_t result_ns;  /* uv_hrtime() of the last result read */
    long long coalesced; /* turns that waited for results to gather */
    int stopping;        /* no dispatch, no respawn */
    int closing;         /* handles being closed; free after pool_close's callback */
    uint64_t stop_deadline_ms;
    long long next_task_id;
    unsigned gen;  /* config generation: pool_reload adds one */
    int reloading; /* workers of an older generation are left */
    long recycles[RECYCLE_COUNT];
    long start_failures_total;
    int backoff_logged; /* the one log line of a failing series (any slot) */
    long spawned;
    long quarantined;
    long unstarted;         /* pages that went back unstarted from a dead worker */
    pool_strikes strikes;   /* … by page, for the unstarted-forever guard */
    long pages_done;        /* results received */
    metrics_hist page_hist; /* seconds per page (not robots), metrics.h */
    uint64_t rate_sec[10];  /* pages per second over the last 10 s */
    long rate_n[10];
    unsigned long rng;
    void (*on_stopped)(pool *p); /* every worker gone after pool_stop */
    void (*on_closed)(pool *p);  /* every handle closed after pool_close */
    void *user;
    int live_workers;  /* worker structs not yet freed */
    arena frame_arena; /* each worker frame's JSON, reset after the frame */
};

/* Sets up slots and timers and starts every worker. 0, or -1 (err). */
int pool_init(pool *p, uv_loop_t *loop, const crawld_config *cfg, jobs *jb, const char *worker_path,
              const char *config_path, char *err, size_t errlen);
/* Gives workers pages while any are pending and a worker holds fewer than
 * its capacity (idle workers first, then one each per round). Call after a
 * submit. */
void pool_dispatch(pool *p);
/* Stops taking work; pages in flight may finish for grace_ms, then their
 * workers are killed; idle workers are told to go. on_stopped runs once no
 * worker process is left (possibly from inside this call's later loop turns). */
void pool_stop(pool *p, long grace_ms, void (*on_stopped)(pool *p));
/* Closes every handle; on_closed runs when they are all closed. Only after
 * on_stopped. Then pool_free. */
void pool_close(pool *p, void (*on_closed)(pool *p));
void pool_free(pool *p);

/* Asks worker `slot` (or all when slot < 0) to retire after its page.
 * Returns how many were asked, -1 when slot is not a valid id. */
int pool_recycle(pool *p, int slot);

/* The config behind p->cfg has changed (crawld reload). Re-arms the poll
 * timer at the new rss_poll_ms and replaces every worker, one at a time so
 * the pool keeps its capacity: an idle one retires (RECYCLE_RELOAD) and the
 * next goes when its replacement is ready; a busy one finishes the pages
 * it holds first (it gets no more). No page is lost or run twice.
 * Returns how many workers will be replaced (0 while stopping). */
int pool_reload(pool *p);

/* The "workers" array and "recycles" object of status. */
json_t *pool_workers_json(pool *p);
json_t *pool_recycles_json(pool *p);
int pool_count_state(pool *p, worker_state s);
/* Pages in flight on every worker together. */
int pool_in_flight(pool *p);
/* Pages finished per second, averaged over the last 10 s. */
double pool_pages_per_s(pool *p);
long pool_rss_kb_total(pool *p);
/* Writes the pool's metric families of section s (metrics.h): workers by
 * state, spawns, recycles and per-slot gauges; quarantined pages; the
 * page-time histogram. */
void pool_metrics(pool *p, metrics_buf *b, metrics_section s);

#endif
