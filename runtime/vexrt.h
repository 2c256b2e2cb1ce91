/*
 * vexrt.h - libvexrt, the Vex runtime: the contract between the C that the
 * vex compiler generates and the runtime library it links against.
 *
 * Naming: public names are vx_* (this header); runtime-internal names are
 * vx__<subsystem>_*; static helpers inside a runtime file are unprefixed.
 * Recoverable errors are negative errno-style codes (VX_E*); a broken
 * invariant or a Vex-level fault is a panic (vx_panic), never undefined
 * behaviour.
 *
 * The header has three parts:
 *   1. memory and panics      (runtime/alloc.c, runtime/panic.c)
 *   2. language support       strings, vectors, formatting, os: what the
 *                             synchronous language needs
 *   3. tasks and scheduling   tasks, frames, the M:N scheduler, the poller,
 *                             timers, channels, mutexes, block-on
 */
#ifndef VEXRT_H
#define VEXRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ===================================================================== *
 * Part 1. Memory and panics
 * ===================================================================== */

/* A position in a Vex source file; generated code passes a pointer to a
 * static vx_loc wherever a fault or a suspension can happen. */
typedef struct vx_loc {
    const char *file;
    int line, col;
} vx_loc;

/* The one allocation choke point. vx_alloc returns zeroed memory and never
 * returns NULL (out of memory is a panic). vx_free(NULL) does nothing. */
void *vx_alloc(size_t size);
void *vx_realloc(void *p, size_t size);
void vx_free(void *p);
/* Live allocations made through vx_alloc/vx_realloc and not yet freed
 * (tests assert it is back to its starting value at shutdown). */
long vx_alloc_live(void);

/* Print "panic: <message>" and " --> file:line:col" on stderr, then exit
 * with status 101. `where` may be NULL for a fault with no Vex location. */
_Noreturn void vx_panic(const vx_loc *where, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A broken runtime invariant: "fatal: vexrt: <msg>" and abort(). */
_Noreturn void vx__fatal(const char *file, int line, const char *msg);
#define VX_ASSERT(c) ((c) ? (void)0 : vx__fatal(__FILE__, __LINE__, #c))

/* ===================================================================== *
 * Part 2. Language support
 * ===================================================================== */

/* Strings, formatting, vectors and os: what the synchronous language needs.
 * (runtime/str.c, runtime/fmt.c, runtime/vec.c, runtime/os.c) */

/* (end of part 2) */

/* ===================================================================== *
 * Part 3. Tasks and scheduling
 * ===================================================================== */

/* Tasks, frames, the M:N scheduler, the poller, timers, channels, mutexes
 * and block-on: what async fn and go lower to. (runtime/task.c, sched.c,
 * deque.c, inject.c, park.c, poll.c + poll_epoll.c, timer.c, chan.c,
 * sync.c, dump.c; design: docs/design/runtime.md)
 *
 * THE SHAPE OF GENERATED CODE. Every async fn becomes a frame struct whose
 * first member is a vx_frame, and a resume function
 *
 *     vx_poll f_resume(vx_frame *self, vx_task *task);
 *
 * that switches on self->state, runs to the next suspension point and
 * returns VX_PENDING, or runs to the end, stores its result in its frame and
 * returns VX_READY. State 0 means "not started".
 *
 * Awaiting an async callee: the callee's frame is embedded in the caller's
 * frame. The caller initialises it (vx_frame_init), sets the state it will
 * continue in, and calls the callee's resume directly:
 *
 *         vx_frame_init(&self->callee.base, callee_resume, &self->base);
 *         ...store the callee's arguments in self->callee...
 *         self->base.state = 3;
 *         if (callee_resume(&self->callee.base, task) == VX_PENDING)
 *             return VX_PENDING;
 *     case 3:   ...the callee has completed: read self->callee's result...
 *
 * A ready callee therefore costs a plain call. The task remembers its
 * INNERMOST suspended frame (task->top); the leaf operation that suspends
 * (vx_yield, a channel operation, vx_sleep, vx_join, vx_io_wait, ...) sets it,
 * the frames above just propagate VX_PENDING. When the task is woken the
 * worker resumes `top` directly; when a frame returns VX_READY the worker
 * resumes its parent; when the root frame returns VX_READY the task is
 * complete. A resume costs the same at depth 1 and at depth 20.
 *
 * RESUMPTION MEANS COMPLETION. A frame is resumed in the state it set before
 * it suspended only after the operation it suspended on has completed; the
 * outcome is in the waiter/timer/output the frame passed to the operation.
 * Leaf operations follow one calling convention:
 *
 *         self->base.state = 5;
 *         if (vx_chan_recv(&self->base, task, ch, &self->v, &self->w, &LOC5)
 *                 == VX_PENDING)
 *             return VX_PENDING;
 *     case 5:   if (self->w.status == VX_ECLOSED) ...; use self->v
 *
 * An operation that completes at once returns VX_READY, except that every
 * task has a budget (VX_BUDGET operations per turn): when it is spent the
 * operation still completes, but returns VX_PENDING so the task yields to
 * the others; the code above handles both the same way. Each operation takes
 * a waiter the caller embeds in its frame: no allocation per await.
 *
 * THREADS. vx_start starts the workers (VEX_WORKERS, default: online CPUs).
 * Frames run on worker threads. vx_spawn and vx_task_new work from any thread
 * (a "sync" caller too); vx_block_on runs a task to completion from a
 * non-worker thread (inside a worker it panics: it would stall the worker).
 * vx_main is the program entry of generated code.
 */

#include <stdatomic.h>

typedef enum vx_poll { VX_READY = 0, VX_PENDING = 1 } vx_poll;

typedef struct vx_task vx_task;
typedef struct vx_frame vx_frame;

/* A frame's resume function (see above). */
typedef vx_poll (*vx_resume_fn)(vx_frame *self, vx_task *task);
/* A task's drop hook: called once with the root frame when the task's memory
 * is freed, to release what the frame still owns. It reads root->state to
 * know what is live (a complete frame holds just its result unless the
 * joiner moved it out and set state to VX_STATE_MOVED). May be NULL. */
typedef void (*vx_drop_fn)(vx_frame *root);

/* Errors (negative errno-style codes; waiter->status holds 0 or one). */
enum {
    VX_OK = 0,
    VX_ECLOSED = -32,    /* EPIPE: the channel is closed */
    VX_ECANCELED = -125, /* ECANCELED: the operation was cancelled */
};

#define VX_STATE_MOVED UINT32_MAX /* root->state after the joiner took the result */
#define VX_BUDGET 128             /* operations completed at once per turn */

/* The first member of every generated async frame. */
struct vx_frame {
    vx_resume_fn resume; /* this frame's resume function */
    vx_frame *parent;    /* the frame awaiting this one; NULL for a root */
    const vx_loc *at;    /* where it is suspended (dump, async backtrace) */
    uint32_t state;      /* the generated code's state number, 0 = start */
    uint32_t spare;      /* free for generated code (e.g. a flag) */
};

static inline void vx_frame_init(vx_frame *f, vx_resume_fn resume, vx_frame *parent) {
    f->resume = resume;
    f->parent = parent;
    f->at = NULL;
    f->state = 0;
}

/* A task: this 40-byte header, then the root frame, in one allocation.
 * Generated code only touches the fields marked "public"; the rest belongs
 * to the scheduler (runtime/task.c documents them). The root frame is
 * 8-byte aligned (no Vex type needs more). */
struct vx_task {
    vx_task *next;             /* queue link (run queues, free lists) */
    vx_frame *top;             /* public: innermost suspended frame; written
                                  by the running worker only */
    _Atomic uint32_t state;    /* flags and reference count (task.c) */
    uint16_t budget;           /* operations left this turn (running worker) */
    uint8_t yielded;           /* set by vx_yield (running worker) */
    uint8_t cls;               /* size class of the allocation */
    vx_drop_fn drop;           /* drop hook of the root frame */
    vx_task *joiner;           /* the task awaiting completion (vx_join) */
};
#define VX_TASK_HEADER 40

/* The root frame of a task. */
static inline vx_frame *vx_task_frame(vx_task *t) {
    return (vx_frame *)(void *)((char *)t + VX_TASK_HEADER);
}

/* Record that `self` is the innermost suspended frame of `task`, suspended
 * at `at`; every leaf operation does this before it returns VX_PENDING. */
static inline void vx_suspend_at(vx_task *task, vx_frame *self, const vx_loc *at) {
    self->at = at;
    task->top = self;
}

/* ---- spawn, join, detach ------------------------------------------------ */

/* Phase 1 of spawn: allocate a task whose root frame is `frame_size` bytes
 * (>= sizeof(vx_frame)); the vx_frame header is initialised (resume, parent
 * NULL, state 0), the rest of the frame is uninitialised: the caller stores
 * the arguments. Any thread. Never returns NULL. */
vx_task *vx_task_new(size_t frame_size, vx_resume_fn resume, vx_drop_fn drop);

/* Phase 2: start the task. vx_spawn keeps a handle for the caller, who must
 * later vx_join + vx_task_release it, or vx_detach it; vx_spawn_detached
 * keeps none (`go f()` whose handle is dropped). Any thread; starts the
 * runtime if it is not running. */
void vx_spawn(vx_task *t);
void vx_spawn_detached(vx_task *t);

/* Drop a handle without joining: the task runs on and frees itself. */
void vx_detach(vx_task *t);
/* Drop a handle after vx_join completed (the result was read or moved out
 * of vx_task_frame(t)); frees the task once the scheduler is done with it. */
void vx_task_release(vx_task *t);

/* Leaf operation: complete when `target` has completed (its result is then
 * in vx_task_frame(target)). At most one task joins a given task. */
vx_poll vx_join(vx_frame *self, vx_task *task, vx_task *target, const vx_loc *at);

/* For sync code: block the calling (non-worker) thread until `target`
 * has completed. Panics on a worker. */
void vx_join_sync(vx_task *target);

/* Leaf operation: give the other tasks a turn. Always returns VX_PENDING;
 * the frame is resumed in the state it set. */
vx_poll vx_yield(vx_frame *self, vx_task *task, const vx_loc *at);

/* True when the calling thread is a worker of the runtime. */
bool vx_in_worker(void);

/* ---- runtime life cycle ------------------------------------------------- */

/* Start `workers` worker threads (0: $VEX_WORKERS, else the online CPUs).
 * Does nothing if the runtime runs already. */
void vx_start(int workers);

/* Run `t` (not yet spawned) to completion from a non-worker thread and
 * return; the caller then reads its result and calls vx_task_release(t).
 * From inside a worker it panics ("vx_block_on called from an async
 * context") rather than deadlock. */
void vx_block_on(vx_task *t);

/* Stop the runtime from a non-worker thread: wake and join the workers, drop
 * every task still alive (drop hooks run), cancel the timers, close the
 * poller, free every cache. Returns the number of tasks that were still
 * alive (0 in a clean shutdown). vx_start may be called again afterwards. */
long vx_shutdown(void);

/* Program entry of generated code: start the runtime, run main_task to
 * completion and exit the process with the status set by
 * vx_set_exit_status (default 0), whatever other tasks are doing (Go
 * semantics). If main waits and nothing can ever run again (no runnable
 * task, no timer, no I/O interest), print "fatal: all tasks are asleep -
 * deadlock!" and the task dump on stderr and exit 2. SIGQUIT prints the
 * task dump on stderr and the program goes on. */
_Noreturn void vx_main(int argc, char **argv, vx_task *main_task);
void vx_set_exit_status(int status);
/* For a program whose main is sync code: mark the calling thread as the
 * program's main thread (vx_main does it too). While it blocks in
 * vx_block_on, a sync channel operation or vx_join_sync, the deadlock
 * detector watches it as it watches an async main. */
void vx_main_thread(void);
/* The arguments given to vx_main (argc 0 before). */
int vx_argc(void);
char **vx_argv(void);

/* ---- waiters ------------------------------------------------------------ */

/* The per-await record of a channel, mutex or wait-group operation; the
 * caller embeds it in its frame. `status` holds the outcome once the
 * operation completed; the other fields belong to the runtime. */
typedef struct vx_waiter {
    struct vx_waiter *next;
    vx_task *task;
    void *slot;      /* value to send / buffer to receive into */
    int32_t status;  /* VX_OK or a VX_E* code */
    uint32_t spare;
} vx_waiter;

/* ---- channels ----------------------------------------------------------- */

/* MPMC channel of `elem_size`-byte values with capacity `cap` (0 =
 * rendezvous: a send completes when a receiver takes the value). Blocked
 * senders and receivers park as tasks (FIFO); nobody spins. Reference
 * counted: vx_chan_new returns one reference. */
typedef struct vx_chan vx_chan;
vx_chan *vx_chan_new(size_t elem_size, size_t cap);
void vx_chan_retain(vx_chan *c);
void vx_chan_release(vx_chan *c);
/* Close: pending and later receives drain the buffer then complete with
 * VX_ECLOSED; pending and later sends complete with VX_ECLOSED (generated
 * code panics "send on a closed channel"). Closing twice is a no-op. */
void vx_chan_close(vx_chan *c);
/* Leaf operations. Send copies elem_size bytes from `value` when it
 * completes, so `value` must stay valid until then (keep it in the frame);
 * a receive copies the value into `out` (also in the frame). */
vx_poll vx_chan_send(vx_frame *self, vx_task *task, vx_chan *c, const void *value,
                     vx_waiter *w, const vx_loc *at);
vx_poll vx_chan_recv(vx_frame *self, vx_task *task, vx_chan *c, void *out,
                     vx_waiter *w, const vx_loc *at);
/* Number of buffered values (a snapshot). */
size_t vx_chan_len(vx_chan *c);
/* For sync code (a non-worker thread): block the calling thread until the
 * operation completes; return VX_OK or VX_ECLOSED. From a worker they panic
 * like vx_block_on. */
int vx_chan_send_sync(vx_chan *c, const void *value);
int vx_chan_recv_sync(vx_chan *c, void *out);

/* ---- mutex and wait group ----------------------------------------------- */

/* An async mutex: lock suspends the task (no spinning, FIFO hand-off);
 * unlock is synchronous. The guard of the language unlocks when dropped. */
typedef struct vx_mutex vx_mutex;
vx_mutex *vx_mutex_new(void);
void vx_mutex_free(vx_mutex *m);
vx_poll vx_mutex_lock(vx_frame *self, vx_task *task, vx_mutex *m, vx_waiter *w,
                      const vx_loc *at);
bool vx_mutex_try_lock(vx_mutex *m);
void vx_mutex_unlock(vx_mutex *m);

/* A wait group (Go's sync.WaitGroup): add before spawning, done in each
 * task, wait (any number of waiters) completes when the count is zero. */
typedef struct vx_wg vx_wg;
vx_wg *vx_wg_new(void);
void vx_wg_free(vx_wg *g);
void vx_wg_add(vx_wg *g, long n);
void vx_wg_done(vx_wg *g);
vx_poll vx_wg_wait(vx_frame *self, vx_task *task, vx_wg *g, vx_waiter *w, const vx_loc *at);

/* ---- time --------------------------------------------------------------- */

/* Monotonic clock in nanoseconds. */
int64_t vx_now_ns(void);

/* A timer (embedded by its owner). vx_timer_start arms it to call
 * fire(tm) on a worker at `when` (vx_now_ns time) or soon after; fire runs
 * outside every runtime lock and must not block. Fields belong to the runtime. */
typedef struct vx_timer vx_timer;
struct vx_timer {
    int64_t when;
    void (*fire)(vx_timer *tm);
    void *arg;          /* free for the owner */
    int32_t index;      /* heap position + 1; 0 when not armed (zeroed) */
    int32_t status;     /* vx_sleep: VX_OK, or VX_ECANCELED */
};
void vx_timer_start(vx_timer *tm, int64_t when, void (*fire)(vx_timer *tm));
/* Disarm; true if it was armed (fire will not run), false if it already
 * fired or is firing. */
bool vx_timer_cancel(vx_timer *tm);

/* Leaf operation: complete `ns` nanoseconds from now (ms: milliseconds). */
vx_poll vx_sleep_ns(vx_frame *self, vx_task *task, int64_t ns, vx_timer *tm,
                    const vx_loc *at);
vx_poll vx_sleep(vx_frame *self, vx_task *task, int64_t ms, vx_timer *tm,
                 const vx_loc *at);

/* ---- I/O readiness ------------------------------------------------------ */

/* One registration per fd for its life (edge-triggered). The fd must be
 * non-blocking. The protocol: try the syscall; on EAGAIN await
 * vx_io_wait(...VX_IO_READ or VX_IO_WRITE...), then try again. At most one
 * task waits per direction of an fd at a time (a second one panics). */
typedef struct vx_io vx_io;
enum { VX_IO_READ = 0, VX_IO_WRITE = 1 };
vx_io *vx_io_open(int fd);          /* NULL and errno set on failure */
int vx_io_fd(vx_io *io);
vx_poll vx_io_wait(vx_frame *self, vx_task *task, vx_io *io, int dir, const vx_loc *at);
/* Deregister and close the fd; no task may be waiting on it. */
void vx_io_close(vx_io *io);

/* ---- observability ------------------------------------------------------ */

typedef struct vx_stats {
    uint64_t spawned, completed;  /* tasks */
    uint64_t polls;               /* frame resumptions by workers */
    uint64_t lifo;                /* tasks run from a LIFO slot */
    uint64_t steals, stolen;      /* successful steals, tasks stolen */
    uint64_t injected;            /* tasks pushed to the global queue */
    uint64_t parks, unparks;      /* worker sleeps, wake-ups sent */
    uint64_t yields, timers_fired, io_events;
    int64_t tasks_live;           /* allocated, not yet freed */
    int64_t timers_armed;
    int64_t io_open;              /* vx_io registrations */
    int workers;
} vx_stats;
void vx_stats_get(vx_stats *out);

/* Write the task dump (every live task: id, state, where it is suspended
 * and its await chain) to fd. Best effort while tasks run. */
void vx_dump(int fd);

/* (end of part 3) */

#ifdef __cplusplus
}
#endif
#endif /* VEXRT_H */
