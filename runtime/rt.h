/*
 * rt.h - the internal header of libvexrt's scheduler half (vexrt.h part 3).
 *
 * One banner per file below: the shared types of the scheduler, and every
 * vx__* prototype. Atomics: every shared word is a C11 _Atomic accessed
 * through the explicit-order helpers at the top of this file, and each use
 * names the access it pairs with. There are no standalone fences: where a
 * protocol needs a StoreLoad barrier it uses a seq_cst read-modify-write (a
 * locked instruction on x86, and an operation ThreadSanitizer models),
 * never atomic_thread_fence, which TSan ignores.
 *
 * Plain (non-atomic) fields of shared structures say in a comment what
 * protects them: "owner" (only the worker that owns the structure touches
 * it), "lock" (the named lock), or "task owner" (the worker that holds the
 * task's RUNNING bit).
 */
#ifndef VEX_RT_H
#define VEX_RT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "vexrt.h"

/* ---- atomics -------------------------------------------------------------
 * Short names for the explicit-order operations; the order is always in
 * the name so a reader never has to guess a default. */
#define ld_relaxed(p) atomic_load_explicit((p), memory_order_relaxed)
#define ld_acquire(p) atomic_load_explicit((p), memory_order_acquire)
#define ld_seqcst(p) atomic_load_explicit((p), memory_order_seq_cst)
#define st_relaxed(p, v) atomic_store_explicit((p), (v), memory_order_relaxed)
#define st_release(p, v) atomic_store_explicit((p), (v), memory_order_release)
#define st_seqcst(p, v) atomic_store_explicit((p), (v), memory_order_seq_cst)
/* A failed CAS loads the current value into *e, and callers act on it
 * (vx_wg_wait completes when it reads a count of zero, vx_io_wait consumes a
 * READY edge): so the failure order is acquire too, pairing with the
 * release RMW that wrote the value. With relaxed there, a waiter could
 * complete without seeing what the finished tasks wrote
 * (tests/runtime/wg_acquire.c). */
#define cas_acqrel(p, e, v) \
    atomic_compare_exchange_weak_explicit((p), (e), (v), memory_order_acq_rel, memory_order_acquire)
/* A counter only read as a statistic: the owner increments it without a
 * read-modify-write (a plain add on x86), readers may see a stale value. */
#define stat_inc(p) st_relaxed((p), ld_relaxed(p) + 1)
#define stat_add(p, n) st_relaxed((p), ld_relaxed(p) + (n))

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* A test-and-test-and-set spin lock for short critical sections that never
 * block (channel, mutex and wait-group state). Acquire on lock pairs with
 * release on unlock. */
typedef struct { _Atomic uint32_t v; } vx__spin;
static inline void vx__spin_lock(vx__spin *l) {
    while (atomic_exchange_explicit(&l->v, 1, memory_order_acquire))
        while (ld_relaxed(&l->v))
            cpu_relax();
}
static inline void vx__spin_unlock(vx__spin *l) { st_release(&l->v, 0); }

/* Futex wait/wake on a 32-bit word (park.c). */
void vx__futex_wait(_Atomic uint32_t *addr, uint32_t val);
void vx__futex_wake(_Atomic uint32_t *addr, int n);

/* ---- task.c: the task's two words (task.c has the protocol) ---------------
 * state: scheduling flags, written by RMWs only where wakers can race.
 * refs:  completion and join flags, the reference count (REF_ONE units,
 *        bits 8-23) and the size class (bits 24-31, constant while live);
 *        0 in a free block. */
enum {
    T_NOTIFIED = 1u,     /* state: in a run queue, or to be queued when it stops running */
    T_RUNNING = 2u,      /* state: a worker is resuming it */
    T_COMPLETE = 4u,     /* state and refs: the root frame returned VX_READY */
    T_JOIN_TASK = 8u,    /* refs: t->joiner is set: wake it on completion */
    T_JOIN_THREAD = 16u, /* refs: a thread waits (block-on, vx_join_sync): futex-wake on completion */
    T_REF_ONE = 256u,    /* refs: one reference */
};
#define T_CLS_SHIFT 24
#define T_REFS(r) (((r) >> 8) & 0xffffu)  /* references counted in a refs word */
#define T_CLS(r) ((r) >> T_CLS_SHIFT)      /* size class of a refs word */
#define VX_NCLASS 21
#define VX_CLASS_LARGE 255
#define VX_FREE_LOCAL_MAX 512 /* a worker's free list keeps at most this many per class */

typedef struct vx__freelist {
    vx_task *head; /* owner */
    uint32_t n;    /* owner */
} vx__freelist;

vx_task *vx__task_alloc(size_t size);
void vx__task_wake(vx_task *t);
void vx__task_complete(vx_task *t);
void vx__task_unref(vx_task *t);
long vx__task_teardown(void); /* shutdown: drop every live task, free slabs */
void vx__task_flush_cache(vx__freelist *fl);
size_t vx__class_size(int cls);
/* Walk every live task (dump.c); the callback gets the task and its state. */
void vx__task_each(void (*fn)(vx_task *t, uint32_t state, void *arg), void *arg);

/* ---- deque.c: the bounded Chase-Lev deque --------------------------------- */
#ifndef VX_DEQUE_CAP
#define VX_DEQUE_CAP 256
#endif
typedef struct vx__deque {
    _Atomic int64_t top;    /* thieves' end (CAS) */
    char pad1[56];
    _Atomic int64_t bottom; /* owner's end */
    int64_t top_cache;      /* owner: a lower bound of top */
    char pad2[48];
    _Atomic(vx_task *) buf[VX_DEQUE_CAP];
} vx__deque;
bool vx__deque_push(vx__deque *d, vx_task *t); /* owner; false when full */
vx_task *vx__deque_take(vx__deque *d);         /* owner: newest */
vx_task *vx__deque_steal(vx__deque *d);        /* anyone: oldest */
int64_t vx__deque_len(vx__deque *d);           /* a snapshot */
int vx__deque_shed(vx__deque *d, vx_task **out, int k); /* owner: k oldest */
vx_task *vx__deque_peek(vx__deque *d);         /* owner: for a prefetch only */

/* ---- inject.c: the global injection queue --------------------------------- */
void vx__inject_push(vx_task *t);
void vx__inject_push_batch(vx_task **t, long n, bool late);
/* Up to max single tasks, else the oldest batch if it fits in max; with
 * one_of_late, only one task of a late batch (inject.c). */
long vx__inject_pop_batch(vx_task **out, long max, bool one_of_late);
long vx__inject_len(void);              /* seq_cst snapshot */
void vx__inject_init(void);

/* ---- sched.c: workers ----------------------------------------------------- */
/* Workers are separate vx_alloc blocks (16-byte aligned) and often
 * adjacent: VX_PAD bytes at both ends keep the deque's top, which the
 * thieves write, off the cache line of the previous block's last fields
 * (another worker's statistics, written on every task: bench/NOTES.md F12).
 * 128 like tokio's CachePadded, for the adjacent-line prefetcher. */
#define VX_PAD 128

typedef struct vx__worker {
    char pad_front[VX_PAD];
    vx__deque dq;
    vx_task *lifo;          /* owner: the LIFO slot */
    vx_task *yq_head, *yq_tail; /* owner: yielded tasks, FIFO through t->next (sched.c) */
    uint32_t lifo_streak;   /* owner: tasks run from the slot in a row */
    uint32_t tick;          /* owner: tasks resumed */
    uint32_t rng;           /* owner: victim selection */
    int id;
    bool searching;         /* owner: counted in rt.nsearching */
    bool after_yield;       /* owner: take the oldest task next */
    bool idle;              /* rt.idle_lock: on the idle stack */
    bool polling;           /* rt.idle_lock: parked in the poller */
    _Atomic uint32_t wakeup;/* 1 = unparked (park.c); futex word */
    vx_task *current;       /* owner: the task being resumed (panic backtraces) */
    uint32_t budget;        /* owner: operations the current task may still
                               complete at once this turn (vx__done) */
    bool yielded;           /* owner: the current task yields (vx_yield, vx__done) */
    vx_task **collect;      /* owner: while it dispatches poller events, the tasks
                               they wake go here (sched.c, vx__sched_io_batch) */
    int ncollect;           /* owner */
    vx__freelist free[VX_NCLASS]; /* owner */
    pthread_t thread;
    struct {
        _Atomic uint64_t spawned, completed, polls, lifo, steals, stolen, injected,
            parks, unparks, yields, timers_fired, io_events;
        _Atomic int64_t tasks_live;
    } st;
    char pad_back[VX_PAD];
} vx__worker;

typedef struct vx__rt {
    _Atomic int running;         /* 1 between vx_start and vx_shutdown */
    _Atomic int stopping;        /* shutdown in progress */
    int nworkers;                /* written by vx_start before the workers start */
    vx__worker **workers;        /* (pthread_create orders it) and by vx_shutdown after */
                                 /* they are joined: read freely in between */
    pthread_mutex_t start_lock;  /* vx_start / vx_shutdown */
    /* park.c */
    pthread_mutex_t idle_lock;
    int *idle_stack;             /* idle_lock */
    int nidle_stack;             /* idle_lock */
    _Atomic int nidle;           /* written under idle_lock, read anywhere */
    _Atomic int nsearching;
    _Atomic int poller;          /* worker id parked in the poller, or -1 */
    /* vx_main */
    _Atomic int main_waiting;    /* idle_lock (written): main's thread waits: deadlock checks on */
    _Atomic(vx_task *) main_task; /* idle_lock (written): the task main waits for */
    _Atomic int dump_request;    /* SIGQUIT arrived */
    /* statistics of non-worker threads */
    _Atomic int64_t ext_tasks_live;
    _Atomic uint64_t ext_spawned, ext_injected;
} vx__rt;
extern vx__rt vx__g;
extern _Thread_local vx__worker *vx__self;

void vx__sched_push(vx_task *t);       /* a woken task: LIFO slot or global queue */
void vx__sched_spawn(vx_task *t);      /* a new task: local deque or global queue */

/* ---- park.c: idle workers ------------------------------------------------- */
void vx__park_init(int nworkers);
void vx__park_free(void);
void vx__notify_one(void);             /* wake an idle worker if none is searching */
void vx__notify_push(void);            /* cheap heuristic check before vx__notify_one */
bool vx__search_begin(vx__worker *w);  /* become searching (at most half) */
void vx__search_end(vx__worker *w);    /* found work: stop searching */
void vx__park(vx__worker *w);          /* sleep until notified or an event */
void vx__unpark_all(void);
void vx__main_wait(vx_task *t);        /* main's thread starts waiting for t (+ deadlock test) */
void vx__main_wait_end(void);          /* ... and stops, before t may be freed */

/* ---- timer.c --------------------------------------------------------------- */
void vx__timer_init(void);
long vx__timer_teardown(void);
int64_t vx__timer_next(void);          /* earliest deadline, INT64_MAX if none */
int vx__timer_run_due(int64_t now);    /* fire due timers; returns how many */
int64_t vx__timer_count(void);

/* ---- poll.c / poll_epoll.c -------------------------------------------------- */
int vx__poll_init(void);
long vx__poll_teardown(void);
/* One readiness event: the vx_io it concerns and which directions. */
typedef struct vx__pollev {
    void *udata;
    bool rd, wr;
    bool hup; /* the peer closed its side, or an error: sticky (vx__io_hup) */
} vx__pollev;
/* Wait for I/O events or until `deadline` (vx_now_ns time; INT64_MAX:
 * forever; <= now: do not block); returns the number of events stored. */
int vx__poll_wait(int64_t deadline, vx__pollev *ev, int max);
/* Wake the tasks waiting on the events. */
void vx__poll_dispatch(vx__pollev *ev, int n);
/* sched.c: a worker wakes the tasks of n poller events as one batch:
 * behind = false, on its own deque, the first event's task taken next (it
 * had no work); behind = true, on the global queue behind everything queued
 * (it polled while it had work). Returns the number of tasks woken. */
int vx__sched_io_batch(vx__pollev *ev, int n, bool behind);
void vx__poll_wakeup(void);            /* interrupt a vx__poll_run */
_Atomic int64_t *vx__poll_deadline_word(void);
int64_t vx__io_waiting(void);
/* Take `task` off the waiter word of one direction of io (a timeout, a
 * teardown): true if it was waiting there (the caller now owns the wake),
 * false if an event took it first (the event wakes it). */
bool vx__io_unwait(vx_io *io, int dir, vx_task *task);
/* Count a wait the deadlock test must treat like an I/O wait (a job on the
 * blocking pool); +1 before it starts, -1 after its task was woken. */
void vx__io_waiting_add(long n);
/* True once an event reported that the peer hung up (or an error) on io:
 * set before that event's readiness is published, never cleared while the
 * fd is open. A read that returned short saw all the data, but maybe not
 * the end of the stream that came with it (net.c). */
bool vx__io_hup(vx_io *io);
/* net.c: set up a vx_net_op that has not run yet, so that vx_net_op_drop on
 * it does nothing (an op nested in another runtime op: http.c). */
void vx__net_op_clear(vx_net_op *op);
int64_t vx__io_open_count(void);
/* backend (poll_epoll.c) */
int vx__pollb_init(void);
void vx__pollb_close(void);
int vx__pollb_add(int fd, void *udata);
int vx__pollb_del(int fd);
int vx__pollb_wait(int timeout_ms, vx__pollev *ev, int max);
void vx__pollb_wakeup(void);

/* ---- dump.c ---------------------------------------------------------------- */
void vx__dump_install(void);
void vx__panic_backtrace(int fd);      /* panic.c calls it: the current task's await chain */
void vx__check_dump_request(void);
void vx__stats_collect(vx_stats *out); /* vx_stats_get without start_lock */
_Noreturn void vx__deadlock(void);

/* ---- test builds ------------------------------------------------------------
 * The test build of the runtime (runtime.mk, -DVX_TEST_HOOKS) calls
 * vx__test_hook, when a test has set it, at a few numbered points, so that a
 * test can force an interleaving instead of waiting for it: 1 = the
 * deadlock test between its loads of main_waiting and of main's task
 * (park.c), 2 = a wait group's count has just reached zero with waiters
 * (sync.c), 3 = a waiter between its load of a wait group's count and its
 * CAS that sets WAITERS (sync.c). Other builds compile the points out. */
#ifdef VX_TEST_HOOKS
extern void (*vx__test_hook)(int where, void *arg);
#define VX_TEST_HOOK(where, arg) (vx__test_hook ? vx__test_hook((where), (arg)) : (void)0)
#else
#define VX_TEST_HOOK(where, arg) ((void)0)
#endif

/* task budget / completion helper shared by the leaf operations. The
 * budget is the worker's (like tokio's coop budget, a thread-local): it is
 * reset for every task the worker resumes, and only the running task uses it. */
static inline vx_poll vx__done(vx_frame *self, vx_task *task, const vx_loc *at) {
    vx__worker *w = vx__self;
    if (--w->budget == 0) {
        w->yielded = true;
        vx_suspend_at(task, self, at);
        return VX_PENDING;
    }
    return VX_READY;
}

#endif /* VEX_RT_H */
