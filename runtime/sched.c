/*
 * sched.c - the M:N scheduler: workers, their run loop, spawn, wake, block-on,
 * start and shutdown.
 *
 * DESIGN
 *
 * Vocabulary. A TASK is a header plus a root frame (task.c). A WORKER is an
 * OS thread that resumes tasks; there are N of them ($VEX_WORKERS, default
 * the online CPUs). A worker owns a bounded Chase-Lev DEQUE (deque.c) and a
 * one-task LIFO SLOT. The GLOBAL QUEUE (inject.c) holds tasks from non-worker
 * threads and the overflow of full deques. A TICK is one pass of a worker's
 * loop. A worker is SEARCHING while it looks for work in other workers'
 * deques, IDLE once it has registered to sleep (park.c), and it PARKS in the
 * poller (the first idle worker: epoll_wait, poll.c) or on its futex word.
 *
 * Where tasks go.
 *   spawn from a worker     -> the bottom of its own deque (locality: the
 *                              child's data is hot; fork/join pops it next).
 *   wake from a worker      -> its LIFO slot; the slot's previous occupant
 *                              moves to the deque. Message passing (A sends
 *                              to B, then waits) runs B next on the same
 *                              worker with a warm cache and no wake-up of an
 *                              idle vCPU (~30 us on this VM).
 *   spawn/wake elsewhere    -> the global queue, and one idle worker is
 *                              woken.
 *   woken by a poll         -> never the LIFO slot: the tasks of one poll
 *                              are one batch, in the events' order, queued
 *                              behind the work that was there first: on the
 *                              own deque when the worker had no work (search,
 *                              park), else as a LATE batch on the global
 *                              queue (maintenance). See "I/O wake-ups".
 *   a full deque            -> half of it and the new task go to the global
 *                              queue in one batch.
 *   a task that yields      -> the back of the worker's private YIELD
 *                              QUEUE (a FIFO list, no atomic operation); the
 *                              worker then runs the OLDEST task of its deque
 *                              once, then the yield queue's head, so yielding
 *                              tasks take turns with each other and with
 *                              queued work. While another worker searches or
 *                              is idle, a yield queue of two or more tasks
 *                              moves to the deque, where it can be stolen.
 *                              If the worker has no other work it simply
 *                              resumes the task again.
 *
 * Run order, one tick (find_work):
 *   1. every 61 ticks: fire due timers; poll I/O without blocking when no
 *      worker sleeps in the poller (the woken tasks go to the global queue
 *      as a late batch); print a requested dump; then check the global
 *      queue first (taking only what fits in the deque, and of a late batch
 *      only one task). (61 as in Go: a prime, so that it does not beat with
 *      the program's own periods.)
 *      Every 61*67 ticks, the oldest task of the own deque. Then the head of
 *      the yield queue (so a yielded task waits a bounded number of ticks
 *      even while a ping-pong pair keeps the LIFO slot busy).
 *   2. the LIFO slot, at most 3 times in a row (tokio's bound); after that
 *      the newest queued task runs first and the slot's task goes to the
 *      deque, so a ping-pong pair cannot starve the queue.
 *   3. after a yield: the oldest task of the own deque.
 *   4. the yield queue's head.
 *   5. the own deque's bottom.
 *   6. the global queue (a batch of up to half a deque).
 *   7. search: steal half of a victim's deque (random first victim), poll
 *      the global queue, poll I/O without blocking when no worker sleeps in
 *      the poller, fire timers; spin this way for up to SPIN_NS before
 *      parking, so that work arriving within a wake-up time is caught
 *      without a futex round trip, but only while another worker runs
 *      tasks (nobody else can make work to steal; a worker alone spun
 *      20 us before every epoll_wait, which was 5% of an HTTP server's
 *      CPU and 20 us of latency on every batch), and not while tasks wait
 *      for I/O (IO_SPIN_NS: their work comes from the kernel, which wakes
 *      the parked poller itself; at 2 workers the spin was a third of an
 *      HTTP server's user time).
 *   8. park (park.c), then go to 1. A worker whose yield queue holds a task
 *      never gets here (step 4), so the parking protocol and the deadlock
 *      test need not see that queue.
 * A task's BUDGET (VX_BUDGET leaf operations per turn) makes a task whose
 * operations keep completing at once yield anyway (vx__done in rt.h).
 *
 * Resuming a task (run). Mark it RUNNING (a plain store: nobody else
 * writes the state of a queued task, task.c), resume its innermost frame
 * `top`; while a frame returns READY resume its parent; when the root
 * returns READY the task is complete (task.c wakes the joiner). On PENDING:
 * a yield re-queues it (a plain store again); otherwise RUNNING is cleared
 * with an RMW and, if a wake arrived meanwhile (NOTIFIED), the worker
 * queues it again. So a task costs one RMW per suspension, none per run.
 *
 * The spinning/parking protocol (P1-P6; park.c has the code):
 *   P1. A worker with no work registers as idle under idle_lock (seq_cst
 *       RMW of nidle); the first idle worker takes the poller role.
 *   P2. It stops searching (seq_cst RMW of nsearching), then re-checks the
 *       global queue and every deque with seq_cst loads. If it sees work,
 *       it deregisters (BEFORE taking the work) and searches again.
 *   P3. Otherwise it sleeps: the poller in epoll_wait until the earliest
 *       timer, the others on their futex word.
 *   P4. A producer that made work stealable (global queue: seq_cst RMW of
 *       its length) then reads nidle and nsearching (seq_cst). If nobody
 *       searches and somebody is idle, it CASes nsearching 0 -> 1 and
 *       unparks one idle worker (preferring a futex sleeper over the
 *       poller), which wakes up as a searcher. P1/P2 against P4 is a Dekker
 *       pair: no work on the global queue is ever left with every worker
 *       asleep. Pushes to a worker's own deque use the same check with
 *       relaxed loads: the owner is awake and runs that work itself, so a
 *       missed wake-up costs parallelism, never progress. The same holds
 *       for the private yield queue, which parkers do not see at all.
 *   P5. A searcher that finds work stops searching; if it was the last
 *       searcher it notifies another idle worker (work tends to come in
 *       bursts), so at most one wake-up chain runs at a time.
 *   P6. A worker that leaves the poller wakes another idle worker if a
 *       timer is due within 1 ms, so someone keeps watching the clock
 *       while it runs tasks; the tasks it found are offered as any queued
 *       work is (more than one: notify). Not for the fds alone: it polls
 *       them itself every 61 ticks and when it runs out of work, and a
 *       wake-up per exit from epoll_wait was 30% of an HTTP server's CPU
 *       at 2 workers. The fallback: a worker asleep on its futex wakes
 *       up by itself after 10 ms (then 20, 40, ... 1.28 s while there is
 *       nothing to do) and, if tasks wait for I/O or timers while nobody
 *       sits in the poller, leaves the idle state and looks. So a task
 *       that runs long without suspending delays the other tasks' I/O by
 *       up to that interval, never forever (tests/runtime/io_watch.c).
 * Barriers: every one of them is an atomic operation with an explicit
 * order; the seq_cst RMWs stand for the StoreLoad fences of the classic
 * protocol (ThreadSanitizer does not model standalone fences).
 *
 * Deadlock detection: the last worker to register as idle (P1), with the
 * main thread (vx_main, or vx_main_thread for a sync main) blocked waiting
 * for a task, or that thread as it starts to wait, checks under idle_lock
 * that no queue holds a task, no timer is armed and no task waits for I/O.
 * Every other worker is registered idle, and a worker that saw work
 * deregisters before taking it (P2), so "every worker idle and every queue
 * empty" cannot be observed while a task is in flight: nothing can ever run
 * again. It prints
 * "fatal: all tasks are asleep - deadlock!" and the task dump, and exits 2.
 *
 * Rejected alternatives. A single global run queue with a lock: simple, but
 * every spawn and wake would take the lock (Go before 1.1). Waking a parked
 * worker for every woken task: each wake-up costs ~30 us of vCPU wake
 * latency here, longer than the ping-pong it serves; the LIFO slot keeps
 * the receiver on the sender's worker instead. Stealing from the LIFO slot:
 * would need an atomic on every message-passing hand-off; the 3-in-a-row
 * bound and P5 keep the other workers busy with the deque instead. Per-task
 * wakers with reference counts (tokio): a task waits for one thing at a
 * time and is woken exactly once (task.c), so a waker needs no reference.
 * Preempting a long-running task: impossible with stackless tasks; the
 * budget bounds what a task can do without suspending on the runtime.
 *
 * Shutdown (vx_shutdown, from a non-worker thread):
 *   1. set `stopping`; every worker leaves its loop at the next tick.
 *   2. unpark every worker (futex words set, eventfd written) and join the
 *      threads.
 *   3. return the workers' free lists to the global lists.
 *   4. disarm the timers that are still armed (they live in task frames).
 *   5. drop every task still alive (drop hooks run), free the slabs; close
 *      the poller.
 *   6. free the workers; vx_start may run again.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt.h"

#define LIFO_MAX 3
#define OLDEST_TICKS (61 * 67) /* see find_work */
#define SPIN_NS 20000
#define IO_SPIN_NS 0 /* while tasks wait for I/O (search) */
#define BATCH_MAX (VX_DEQUE_CAP / 2 + 1) /* tasks moved to or from the global queue at once */

vx__rt vx__g = {.start_lock = PTHREAD_MUTEX_INITIALIZER,
                .idle_lock = PTHREAD_MUTEX_INITIALIZER};
_Thread_local vx__worker *vx__self;

static int exit_status;
static pthread_t main_thread;   /* written once by vx_main_thread, before it blocks */
static _Atomic int have_main_thread;
static int g_argc;
static char **g_argv;

bool vx_in_worker(void) { return vx__self != NULL; }
void vx_set_exit_status(int status) { exit_status = status; }
int vx_argc(void) { return g_argc; }
char **vx_argv(void) { return g_argv; }

/* ---- queues ---------------------------------------------------------------- */

/* Push onto the own deque; when it is full move half of it plus t to the
 * global queue in one batch. */
static void push_local(vx__worker *w, vx_task *t) {
    if (vx__deque_push(&w->dq, t))
        return;
    vx_task *half[BATCH_MAX];
    int k = vx__deque_shed(&w->dq, half, BATCH_MAX - 1);
    half[k] = t; /* oldest first, then t */
    vx__inject_push_batch(half, k + 1, false);
    stat_add(&w->st.injected, (uint64_t)k + 1);
    vx__notify_one();
}

void vx__sched_spawn(vx_task *t) {
    vx__worker *w = vx__self;
    if (w) {
        stat_inc(&w->st.spawned);
        push_local(w, t);
        /* Worth an idle worker's time only if there is a backlog (the
         * cheap test first: usually nobody is idle). */
        if (ld_relaxed(&vx__g.nidle) > 0 && vx__deque_len(&w->dq) > 1)
            vx__notify_push();
        return;
    }
    if (!ld_acquire(&vx__g.running))
        vx_start(0);
    atomic_fetch_add_explicit(&vx__g.ext_spawned, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&vx__g.ext_injected, 1, memory_order_relaxed);
    vx__inject_push(t);
    vx__notify_one();
}

void vx__sched_push(vx_task *t) {
    vx__worker *w = vx__self;
    if (w) {
        if (w->collect) { /* woken by a poller event: vx__sched_io_batch places it */
            w->collect[w->ncollect++] = t;
            return;
        }
        vx_task *old = w->lifo;
        w->lifo = t;
        if (old) {
            push_local(w, old);
            vx__notify_push();
        }
        return;
    }
    atomic_fetch_add_explicit(&vx__g.ext_injected, 1, memory_order_relaxed);
    vx__inject_push(t);
    vx__notify_one();
}

/* ---- I/O wake-ups ------------------------------------------------------------
 * The tasks that one poll wakes are placed as a batch, never through the
 * LIFO slot: a batch of connections that became readable together should
 * run in the order the events came, and after the tasks that were woken by
 * earlier polls. Through the slot and the deque's LIFO end, every poll of
 * the 61-tick maintenance (which runs while the worker still has queued
 * work) put its tasks ahead of the older ones; under a steady load (an HTTP
 * server with 64 busy connections on one worker) the connections at the
 * deque's top then waited until the deque drained or the every-4087-ticks
 * oldest pick: p99 latency 2-3x tokio's at the same throughput.
 *   polled with no work (search, park): onto the own deque, in reverse, so
 *     that the first event's task is at the bottom and runs first; the
 *     others are stealable.
 *   polled with work queued (maintenance): onto the global queue, as LATE
 *     batches behind whatever is queued there (inject.c). The 61-tick poll
 *     of the global queue takes only one task of a late batch, a worker
 *     whose own queues are empty takes it whole: so it runs after the work
 *     that was there first, and an idle worker is notified to take it
 *     meanwhile. (Taking only one task of EVERY batch on the 61-tick poll,
 *     Go's rule, made skynet 20-50% slower: its deque overflows are
 *     batches the busy workers pull back.) */
int vx__sched_io_batch(vx__pollev *ev, int n, bool behind) {
    vx__worker *w = vx__self;
    vx_task *got[2 * 64]; /* one task per direction of an event */
    VX_ASSERT(n <= 64);
    w->collect = got;
    w->ncollect = 0;
    vx__poll_dispatch(ev, n);
    w->collect = NULL;
    int k = w->ncollect;
    stat_add(&w->st.io_events, (uint64_t)n);
    if (k == 0)
        return 0;
    if (behind) {
        for (int i = 0; i < k; i += BATCH_MAX - 1) /* inject.c: a batch is at most half a deque */
            vx__inject_push_batch(got + i, k - i < BATCH_MAX - 1 ? k - i : BATCH_MAX - 1, true);
        stat_add(&w->st.injected, (uint64_t)k);
        vx__notify_one();
        return k;
    }
    for (int i = k - 1; i >= 0; i--)
        push_local(w, got[i]);
    if (k > 1)
        vx__notify_push();
    return k;
}

/* Look for I/O events without blocking, when some task waits for I/O and
 * nobody sleeps in the poller (so nobody else watches the fds); the woken
 * tasks go where `behind` says (vx__sched_io_batch). The poller role is
 * held only around the non-blocking epoll_wait: a worker that parks
 * meanwhile and cannot take the role sleeps on its futex instead, and the
 * worker holding it parks later itself (taking the role then), so the last
 * worker to park always becomes the poller (park.c). */
static int poll_now(vx__worker *w, bool behind) {
    int none = -1;
    if (vx__io_waiting() <= 0 || ld_relaxed(&vx__g.poller) != -1 ||
        !atomic_compare_exchange_strong_explicit(&vx__g.poller, &none, w->id, memory_order_acquire,
                                                 memory_order_relaxed))
        return 0;
    vx__pollev ev[64];
    int n = vx__poll_wait(0, ev, 64);
    st_release(&vx__g.poller, -1);
    return n ? vx__sched_io_batch(ev, n, behind) : 0;
}

/* ---- the yield queue --------------------------------------------------------
 * Yielded tasks wait in a private FIFO of their worker rather than in the
 * deque: taking the deque's oldest task needs a CAS against the thieves,
 * and a yield switch was one CAS plus bookkeeping (bench/NOTES.md F12).
 * Nobody can steal from this queue, so at a yield, when it holds more than
 * the yielding task, it moves to the deque whenever another worker
 * searches or is idle (relaxed loads of counters that change only when a
 * worker starts or stops searching or parks), and an idle one is notified:
 * it steals half. (A lone yielder, queued on the tick before a maintenance
 * tick, is not worth a wake-up: moving it woke the idle worker every 61
 * yields, and yield_loop at 2 workers doubled.) Otherwise two yielders on one
 * worker could keep a parked worker parked for good (it re-checks only the
 * deques before it sleeps, P2): yield_switch ran on one of its two workers.
 * A worker that parks without seeing the queue costs parallelism only,
 * never progress: its owner is running and runs the queue itself (step 4
 * of find_work). Once every worker has work, a yield touches no shared
 * cache line at all. */
static void yq_push(vx__worker *w, vx_task *t) {
    t->next = NULL;
    if (w->yq_tail)
        w->yq_tail->next = t;
    else
        w->yq_head = t;
    w->yq_tail = t;
}

static vx_task *yq_pop(vx__worker *w) {
    vx_task *t = w->yq_head;
    if (t) {
        w->yq_head = t->next;
        if (!w->yq_head)
            w->yq_tail = NULL;
    }
    return t;
}

/* Move the yield queue to the deque, oldest first, where it can be stolen. */
static void yq_expose(vx__worker *w) {
    vx_task *t;
    while ((t = yq_pop(w)))
        push_local(w, t);
}

/* ---- finding work ---------------------------------------------------------- */

/* Take from the global queue what fits in the own deque: a whole batch if
 * there is room for it, else single tasks only (pouring a batch into a
 * nearly full deque would overflow half of it straight back, F3). On the
 * 61-tick poll (tick), only one task of a late batch (I/O wake-ups above). */
static vx_task *from_inject(vx__worker *w, bool tick) {
    vx_task *got[BATCH_MAX];
    long room = VX_DEQUE_CAP - vx__deque_len(&w->dq) + 1;
    long n = vx__inject_pop_batch(got, room < BATCH_MAX ? room : BATCH_MAX, tick);
    if (!n)
        return NULL;
    for (long i = 1; i < n; i++)
        push_local(w, got[i]);
    if (n > 2)
        vx__notify_push();
    return got[0];
}

static void maintenance(vx__worker *w) {
    if (ld_relaxed(&vx__g.dump_request))
        vx__check_dump_request();
    int64_t next = vx__timer_next();
    if (next != INT64_MAX) {
        int64_t now = vx_now_ns();
        if (next <= now)
            stat_add(&w->st.timers_fired, (uint64_t)vx__timer_run_due(now));
    }
    /* Nobody sleeps in the poller: look for I/O events without blocking;
     * the tasks go behind the work queued already (I/O wake-ups above). */
    poll_now(w, true);
}

static vx_task *find_work(vx__worker *w) {
    vx_task *t;
    if (++w->tick % 61 == 0) {
        maintenance(w);
        /* The global queue: a bound on how long it waits behind our own
         * work (of a late batch, one task only: I/O wake-ups above). */
        if ((t = from_inject(w, true)))
            return t;
        /* Rarely, the oldest task of the own deque: the owner's end is LIFO,
         * so this bounds how long its top can wait on a worker nobody steals
         * from. Rare, because in a fork/join tree the oldest task is the
         * biggest pending subtree: starting it often turns depth-first into
         * breadth-first and floods the deque (bench/NOTES.md F1: 5x on
         * skynet at every 61 ticks). */
        if (w->tick % OLDEST_TICKS == 0 && (t = vx__deque_steal(&w->dq)))
            return t;
        if ((t = yq_pop(w)))
            return t;
    }
    if ((t = w->lifo)) {
        w->lifo = NULL;
        if (++w->lifo_streak <= LIFO_MAX) {
            stat_inc(&w->st.lifo);
            return t;
        }
        /* The bound: a queued task runs before the slot's task goes on (the
         * NEWEST queued one: our deque is LIFO at the owner's end, and the
         * oldest would be a fork/join tree's biggest subtree, F2). */
        w->lifo_streak = 0;
        vx_task *o = vx__deque_take(&w->dq);
        if (!o)
            return t; /* nothing else is queued here */
        push_local(w, t);
        return o;
    }
    w->lifo_streak = 0;
    if (w->after_yield) {
        w->after_yield = false;
        if ((t = vx__deque_steal(&w->dq)))
            return t;
    }
    /* A yielded task next, before the deque's bottom: a yield lets the
     * oldest queued task run once (above), then the yielder goes on, as
     * when it went to the deque's bottom. Behind the whole deque, a task
     * that yields because its budget ran out (a joiner of a million
     * completed tasks) waited for every queued task (spawn_join_1w +13 %). */
    if ((t = yq_pop(w)))
        return t;
    if ((t = vx__deque_take(&w->dq))) {
        /* The next task's header is likely in another core's cache (it was
         * spawned there): fetch it while this one runs. */
        __builtin_prefetch(vx__deque_peek(&w->dq), 1);
        return t;
    }
    return from_inject(w, false);
}

/* Steal half of another worker's deque, rounded up (Go's runqsteal and
 * tokio's steal_into take n - n/2 too); returns one task to run and pushes
 * the rest onto our own (empty) deque. Rounded down, a thief facing a
 * victim with 3 queued tasks took 1 and left it 3 to our 1: yield_switch's
 * 4 tasks on 2 workers ran lopsided (bench/NOTES.md F12). */
static vx_task *steal_work(vx__worker *w) {
    int n = vx__g.nworkers;
    if (n < 2)
        return NULL;
    w->rng = w->rng * 1103515245u + 12345u;
    int start = (int)((w->rng >> 16) % (uint32_t)n);
    for (int i = 0; i < n; i++) {
        vx__worker *v = vx__g.workers[(start + i) % n];
        if (v == w)
            continue;
        int64_t len = vx__deque_len(&v->dq);
        if (len <= 0)
            continue;
        vx_task *t = vx__deque_steal(&v->dq);
        if (!t)
            continue;
        int64_t more = len - len / 2;
        int64_t got = 1;
        for (int64_t k = 1; k < more; k++) {
            vx_task *o = vx__deque_steal(&v->dq);
            if (!o)
                break;
            push_local(w, o);
            got++;
        }
        stat_inc(&w->st.steals);
        stat_add(&w->st.stolen, (uint64_t)got);
        return t;
    }
    return NULL;
}

static vx_task *search(vx__worker *w) {
    if (!vx__search_begin(w))
        return NULL;
    int64_t start = 0;
    for (int round = 0;; round++) {
        vx_task *t = steal_work(w);
        if (!t)
            t = from_inject(w, false);
        if (!t && (t = w->lifo)) /* a timer fired into our slot */
            w->lifo = NULL;
        /* Nobody watches the fds while nobody sleeps in the poller: look
         * (without blocking) before spinning or parking, so that a worker
         * that ran out of work takes the next batch of I/O at once (the
         * blind spin before epoll_wait was 5% of a one-worker HTTP
         * server's CPU and delayed every batch by 20 us). */
        if (!t && poll_now(w, false))
            t = vx__deque_take(&w->dq);
        if (t) {
            vx__search_end(w);
            return t;
        }
        if (ld_relaxed(&vx__g.stopping))
            return NULL;
        int64_t now = vx_now_ns();
        if (round == 0)
            start = now;
        if (vx__timer_next() <= now) {
            stat_add(&w->st.timers_fired, (uint64_t)vx__timer_run_due(now));
            continue;
        }
        /* Spin only while another worker runs tasks (neither idle nor
         * searching): nobody else can make work to steal, and work from
         * elsewhere (the global queue, the poller, timers) wakes a parked
         * worker anyway. With one worker, or with the others asleep, the
         * spin only burnt a CPU that a client on this machine could use.
         * And not at all while tasks wait for I/O: their work comes from
         * the kernel, which wakes the worker parked in epoll_wait without
         * a notify, and at 2 workers the spin cost an HTTP server 0.5 us
         * of CPU per request (a third of its user time) for no gain. */
        int busy = vx__g.nworkers - ld_relaxed(&vx__g.nidle) - ld_relaxed(&vx__g.nsearching);
        int64_t limit = vx__io_waiting() > 0 ? IO_SPIN_NS : SPIN_NS;
        if (busy <= 0 || now - start > limit)
            return NULL; /* still searching: vx__park stops it (P2) */
        /* Back off (up to ~1 us between looks): each look reads the other
         * workers' deque indices, cache lines their owners are writing. */
        for (int i = 0; i < (16 << (round < 6 ? round : 6)); i++)
            cpu_relax();
    }
}

/* ---- running a task ---------------------------------------------------------- */

/* Nobody else to yield to: no slot, an empty deque, and the NEXT tick is
 * not a maintenance tick (find_work increments the tick before it tests it,
 * so testing the current one would re-queue the task on the tick before
 * every maintenance tick and a lone yielding task would never let the
 * worker fire timers or poll the global queue). */
static bool nothing_else(vx__worker *w) {
    return !w->lifo && !w->yq_head && (w->tick + 1) % 61 != 0 && vx__deque_len(&w->dq) == 0;
}

static void run(vx__worker *w, vx_task *t) {
    /* NOTIFIED -> RUNNING, a plain store: a queued task waits for nothing,
     * so nobody else writes its state; the queue we took it from carried
     * the waker's and the previous runner's writes here (task.c). */
    VX_ASSERT(ld_relaxed(&t->state) == T_NOTIFIED);
    st_relaxed(&t->state, T_RUNNING);
    w->budget = VX_BUDGET;
    w->current = t;
    vx_frame *f = t->top; /* task owner: we hold RUNNING */
    uint64_t polls = 0;
    for (;;) {
        polls++;
        if (f->resume(f, t) == VX_PENDING) {
            if (!w->yielded)
                break;
            w->yielded = false;
            stat_inc(&w->st.yields);
            if (nothing_else(w)) { /* nobody to yield to: go on */
                w->tick++;
                w->budget = VX_BUDGET;
                f = t->top;
                continue;
            }
            /* RUNNING -> NOTIFIED (a plain store: a yielding task waits for
             * nothing; it stays with this worker, or the deque push of
             * yq_expose publishes it), to the back of the yield queue; the
             * next task is the deque's oldest, else the yield queue's head
             * (find_work). */
            st_relaxed(&t->state, T_NOTIFIED);
            stat_add(&w->st.polls, polls);
            yq_push(w, t);
            /* More than this one task to share, and somebody to share with? */
            if (w->yq_head != t &&
                (ld_relaxed(&vx__g.nsearching) > 0 || ld_relaxed(&vx__g.nidle) > 0)) {
                yq_expose(w);
                vx__notify_push();
            }
            w->after_yield = true;
            return;
        }
        f = f->parent;
        if (!f) {
            stat_add(&w->st.polls, polls);
            stat_inc(&w->st.completed);
            vx__task_complete(t);
            return;
        }
        t->top = f;
    }
    stat_add(&w->st.polls, polls);
    /* RUNNING -> idle. Release: the frame's state for whoever resumes it;
     * acquire: a waker's writes if it set NOTIFIED meanwhile. */
    uint32_t old = atomic_fetch_sub_explicit(&t->state, T_RUNNING, memory_order_acq_rel);
    if (old & T_NOTIFIED) /* woken while it ran: queue it again */
        push_local(w, t);
}

static void *worker_main(void *arg) {
    vx__worker *w = arg;
    vx__self = w;
    vx__stack_guard_thread(); /* a stack overflow in a task panics, too */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGQUIT); /* the dump is printed by a worker, not in the handler */
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    while (!ld_relaxed(&vx__g.stopping)) {
        vx_task *t = find_work(w);
        if (t)
            vx__search_end(w); /* woken as a searcher and found work here (F5) */
        else
            t = search(w);
        if (t) {
            run(w, t);
            w->current = NULL; /* a panic outside a task prints no backtrace */
            continue;
        }
        int64_t next = vx__timer_next();
        if (next != INT64_MAX) {
            int64_t now = vx_now_ns();
            if (next <= now) {
                stat_add(&w->st.timers_fired, (uint64_t)vx__timer_run_due(now));
                continue;
            }
        }
        if (ld_relaxed(&vx__g.dump_request))
            vx__check_dump_request();
        vx__park(w);
    }
    if (w->searching) {
        w->searching = false;
        atomic_fetch_sub_explicit(&vx__g.nsearching, 1, memory_order_relaxed);
    }
    vx__self = NULL;
    return NULL;
}

/* ---- life cycle ------------------------------------------------------------ */

void vx_start(int workers) {
    pthread_mutex_lock(&vx__g.start_lock);
    if (ld_relaxed(&vx__g.running)) {
        pthread_mutex_unlock(&vx__g.start_lock);
        return;
    }
    if (workers <= 0) {
        const char *e = getenv("VEX_WORKERS");
        workers = e ? atoi(e) : 0;
        if (workers <= 0)
            workers = (int)sysconf(_SC_NPROCESSORS_ONLN);
        if (workers <= 0)
            workers = 1;
    }
    if (workers > 256)
        workers = 256;
    vx__g.nworkers = workers;
    vx__g.workers = vx_alloc(sizeof(vx__worker *) * (size_t)workers);
    for (int i = 0; i < workers; i++) {
        vx__worker *w = vx_alloc(sizeof(vx__worker));
        w->id = i;
        w->rng = 0x9e3779b9u * (uint32_t)(i + 1);
        vx__g.workers[i] = w;
    }
    vx__inject_init();
    vx__park_init(workers);
    vx__timer_init();
    if (vx__poll_init() < 0)
        vx_panic(NULL, "vexrt: cannot create the poller");
    vx__dump_install();
    st_relaxed(&vx__g.stopping, 0);
    /* Workers start with SIGQUIT blocked, then unblock it themselves. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGQUIT);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    for (int i = 0; i < workers; i++)
        if (pthread_create(&vx__g.workers[i]->thread, NULL, worker_main, vx__g.workers[i]))
            vx_panic(NULL, "vexrt: cannot start worker threads");
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    st_release(&vx__g.running, 1);
    pthread_mutex_unlock(&vx__g.start_lock);
}

long vx_shutdown(void) {
    if (vx__self)
        vx_panic(NULL, "vx_shutdown called from a worker thread");
    pthread_mutex_lock(&vx__g.start_lock);
    if (!ld_relaxed(&vx__g.running)) {
        pthread_mutex_unlock(&vx__g.start_lock);
        return 0;
    }
    st_seqcst(&vx__g.stopping, 1);
    vx__unpark_all();
    for (int i = 0; i < vx__g.nworkers; i++)
        pthread_join(vx__g.workers[i]->thread, NULL);
    for (int i = 0; i < vx__g.nworkers; i++)
        vx__task_flush_cache(vx__g.workers[i]->free);
    vx__timer_teardown(); /* before the tasks: their frames hold the timers */
    long n = vx__task_teardown();
    vx__poll_teardown();
    for (int i = 0; i < vx__g.nworkers; i++)
        vx_free(vx__g.workers[i]);
    vx_free(vx__g.workers);
    vx__g.workers = NULL;
    vx__park_free();
    vx__inject_init();
    st_relaxed(&vx__g.ext_tasks_live, 0);
    st_relaxed(&vx__g.main_waiting, 0);
    vx__g.nworkers = 0;
    st_relaxed(&vx__g.stopping, 0);
    st_release(&vx__g.running, 0);
    pthread_mutex_unlock(&vx__g.start_lock);
    return n;
}

void vx_main_thread(void) {
    main_thread = pthread_self();
    st_release(&have_main_thread, 1);
}

static bool on_main_thread(void) {
    return ld_acquire(&have_main_thread) && pthread_equal(pthread_self(), main_thread);
}

/* The main thread starts waiting for t (the deadlock test; park.c). */
static void main_waits(vx_task *t) { vx__main_wait(t); }

static void block_on(vx_task *t, bool is_main) {
    if (vx__self)
        vx_panic(NULL, "vx_block_on called from an async context (a worker thread): "
                       "it would stall the worker");
    vx_start(0);
    /* Not yet shared: plain update of our own word. */
    st_relaxed(&t->refs, ld_relaxed(&t->refs) | T_JOIN_THREAD);
    vx_spawn(t);
    is_main = is_main || on_main_thread();
    if (is_main) /* after the spawn: see the deadlock test in park.c */
        main_waits(t);
    for (;;) {
        uint32_t r = ld_acquire(&t->refs); /* pairs with complete's release */
        if ((r & T_COMPLETE) && T_REFS(r) == 1) /* the scheduler is done with it */
            break;
        vx__futex_wait(&t->refs, r);
    }
    if (is_main) /* before the caller may free t: park.c, vx__main_wait_end */
        vx__main_wait_end();
}

void vx_block_on(vx_task *t) { block_on(t, false); }

void vx_join_sync(vx_task *t) {
    if (vx__self)
        vx_panic(NULL, "vx_join_sync called from an async context (a worker thread): "
                       "it would stall the worker");
    /* Ask completion for a futex wake (acq_rel: the acquire half pairs with
     * complete's release when it is already complete). */
    uint32_t s = atomic_fetch_or_explicit(&t->refs, T_JOIN_THREAD, memory_order_acq_rel);
    bool is_main = !(s & T_COMPLETE) && on_main_thread();
    if (is_main)
        main_waits(t);
    while (!(s & T_COMPLETE)) {
        vx__futex_wait(&t->refs, s | T_JOIN_THREAD);
        s = ld_acquire(&t->refs);
    }
    if (is_main) /* before the caller may free t: park.c, vx__main_wait_end */
        vx__main_wait_end();
}

_Noreturn void vx_main(int argc, char **argv, vx_task *main_task) {
    g_argc = argc;
    g_argv = argv;
    vx_main_thread();
    vx_start(0);
    block_on(main_task, true);
    fflush(NULL);
    _exit(exit_status);
}

/* Sum the counters. The caller keeps the workers array alive: it holds
 * start_lock, or it is a worker (the array is freed only after every
 * worker has been joined). */
void vx__stats_collect(vx_stats *out) {
    memset(out, 0, sizeof *out);
    out->workers = vx__g.nworkers;
    for (int i = 0; i < vx__g.nworkers; i++) {
        vx__worker *w = vx__g.workers[i];
        out->spawned += ld_relaxed(&w->st.spawned);
        out->completed += ld_relaxed(&w->st.completed);
        out->polls += ld_relaxed(&w->st.polls);
        out->lifo += ld_relaxed(&w->st.lifo);
        out->steals += ld_relaxed(&w->st.steals);
        out->stolen += ld_relaxed(&w->st.stolen);
        out->injected += ld_relaxed(&w->st.injected);
        out->parks += ld_relaxed(&w->st.parks);
        out->unparks += ld_relaxed(&w->st.unparks);
        out->yields += ld_relaxed(&w->st.yields);
        out->timers_fired += ld_relaxed(&w->st.timers_fired);
        out->io_events += ld_relaxed(&w->st.io_events);
        out->tasks_live += ld_relaxed(&w->st.tasks_live);
    }
    out->spawned += ld_relaxed(&vx__g.ext_spawned);
    out->injected += ld_relaxed(&vx__g.ext_injected);
    out->tasks_live += ld_relaxed(&vx__g.ext_tasks_live);
    out->timers_armed = vx__timer_count();
    out->io_open = vx__io_open_count();
}

void vx_stats_get(vx_stats *out) {
    if (vx__self) { /* a worker: never wait for start_lock (vx_shutdown holds it while joining us) */
        vx__stats_collect(out);
        return;
    }
    pthread_mutex_lock(&vx__g.start_lock);
    vx__stats_collect(out);
    pthread_mutex_unlock(&vx__g.start_lock);
}
