/*
 * park.c - idle workers: searching, parking and unparking (the protocol the
 * design essay at the top of sched.c numbers P1-P6).
 *
 * Contract:
 *   vx__notify_one()   after work was made available to other workers
 *                      (global queue): if no worker is searching and one is
 *                      idle, wake exactly one, as a searcher. Lost wake-ups
 *                      are impossible for the global queue (Dekker pairs
 *                      below); for a worker's own deque (and its private
 *                      yield queue, which the re-check of P2 does not see
 *                      at all) a wake-up is only an optimisation (the owner
 *                      is awake and will run it), so vx__notify_push checks
 *                      with relaxed loads first.
 *   vx__search_begin   at most half the workers search (steal/spin) at once.
 *   vx__park(w)        register as idle, re-check every queue, then sleep:
 *                      the first idle worker sleeps in the poller
 *                      (epoll_wait until the next timer), the others on
 *                      their futex word, waking up by themselves now and
 *                      then to look whether tasks wait for I/O or timers
 *                      while nobody sits in the poller (P6's fallback).
 *
 * Shared state: rt.idle_lock guards the idle stack and each worker's
 * `idle` and `polling` flags. rt.poller is the id of the one thread allowed
 * in epoll_wait (CAS from -1; released by that thread only when it has
 * left epoll_wait), so an eventfd wake-up always reaches the worker it is
 * meant for. rt.nidle mirrors the stack's size and
 * rt.nsearching counts searchers; both change with seq_cst RMWs and are
 * read with seq_cst loads where a Dekker pair needs it:
 *   pusher:  RMW(queue length) ; load(nsearching) ; load(nidle)
 *   parker:  RMW(nidle++) ; RMW(nsearching--) ; load(every queue)
 * In the total order S, either the pusher's loads follow the parker's RMWs
 * (it sees the idle worker and wakes it) or the parker's loads follow the
 * pusher's RMW (it sees the work and does not sleep).
 *
 * The worker's futex word `wakeup` is 0 while it may sleep; a notifier
 * sets it to 1 under idle_lock when it takes the worker off the idle stack
 * (so the worker can tell "I was woken, and I am now a searcher" from "I
 * woke up by myself"), then wakes the futex (or the poller's eventfd).
 */
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"

/* P6: a timer due sooner than this is handed over to another worker. */
#define WATCH_NS 1000000
/* P6's fallback: a futex sleeper looks whether anybody watches the fds and
 * the clock after this long, then after twice as long, ... up to the max. */
#define LOOK_NS 10000000
#define LOOK_MAX_NS 1280000000

void vx__futex_wait(_Atomic uint32_t *addr, uint32_t val) {
    syscall(SYS_futex, (void *)addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

/* The same with a timeout; false when it timed out. */
static bool futex_wait_ns(_Atomic uint32_t *addr, uint32_t val, int64_t ns) {
    struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    return !(syscall(SYS_futex, (void *)addr, FUTEX_WAIT_PRIVATE, val, &ts, NULL, 0) < 0 &&
             errno == ETIMEDOUT);
}

void vx__futex_wake(_Atomic uint32_t *addr, int n) {
    syscall(SYS_futex, (void *)addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

void vx__park_init(int nworkers) {
    vx__g.idle_stack = vx_alloc(sizeof(int) * (size_t)nworkers);
    vx__g.nidle_stack = 0;
    st_relaxed(&vx__g.nidle, 0);
    st_relaxed(&vx__g.nsearching, 0);
    st_relaxed(&vx__g.poller, -1);
}

void vx__park_free(void) {
    vx_free(vx__g.idle_stack);
    vx__g.idle_stack = NULL;
}

/* Take w off the idle stack (idle_lock held). */
static void unstack(vx__worker *w) {
    for (int i = 0; i < vx__g.nidle_stack; i++)
        if (vx__g.idle_stack[i] == w->id) {
            vx__g.idle_stack[i] = vx__g.idle_stack[--vx__g.nidle_stack];
            break;
        }
    w->idle = false;
    atomic_fetch_sub_explicit(&vx__g.nidle, 1, memory_order_seq_cst);
}

void vx__notify_one(void) {
    if (ld_seqcst(&vx__g.nidle) == 0)
        return;
    int zero = 0;
    /* Become "the one searcher being woken": if somebody searches already it
     * will find the work (searchers re-check after they stop, P5). */
    if (!atomic_compare_exchange_strong_explicit(&vx__g.nsearching, &zero, 1,
                                                 memory_order_seq_cst, memory_order_relaxed))
        return;
    pthread_mutex_lock(&vx__g.idle_lock);
    vx__worker *pick = NULL;
    for (int i = vx__g.nidle_stack - 1; i >= 0; i--) { /* prefer a futex sleeper */
        vx__worker *w = vx__g.workers[vx__g.idle_stack[i]];
        if (!pick || (pick->polling && !w->polling))
            pick = w;
    }
    bool via_poll = false;
    if (pick) {
        via_poll = pick->polling;
        unstack(pick);
        st_release(&pick->wakeup, 1); /* pairs with the acquire load in vx__park */
    }
    pthread_mutex_unlock(&vx__g.idle_lock);
    if (!pick) {
        atomic_fetch_sub_explicit(&vx__g.nsearching, 1, memory_order_seq_cst);
        return;
    }
    vx__worker *self = vx__self;
    if (self)
        stat_inc(&self->st.unparks);
    if (via_poll)
        vx__poll_wakeup();
    else
        vx__futex_wake(&pick->wakeup, 1);
}

void vx__notify_push(void) {
    if (ld_relaxed(&vx__g.nsearching) == 0 && ld_relaxed(&vx__g.nidle) > 0)
        vx__notify_one();
}

bool vx__search_begin(vx__worker *w) {
    if (w->searching)
        return true;
    /* At most half the workers search (Go: 2*nmspinning < busy Ps). */
    int s = ld_relaxed(&vx__g.nsearching);
    if (2 * (s + 1) > vx__g.nworkers && vx__g.nworkers > 1)
        return false;
    atomic_fetch_add_explicit(&vx__g.nsearching, 1, memory_order_seq_cst);
    w->searching = true;
    return true;
}

void vx__search_end(vx__worker *w) {
    if (__builtin_expect(!w->searching, 1))
        return;
    w->searching = false;
    /* The last searcher to find work wakes another one, so that searching
     * goes on while work may remain (P4; tokio's transition_from_searching). */
    if (atomic_fetch_sub_explicit(&vx__g.nsearching, 1, memory_order_seq_cst) == 1)
        vx__notify_push();
}

/* Is there work somebody could take? (seq_cst loads: the parker side of the
 * Dekker pairs.) */
static bool work_visible(void) {
    if (vx__inject_len() > 0)
        return true;
    for (int i = 0; i < vx__g.nworkers; i++)
        if (vx__deque_len(&vx__g.workers[i]->dq) > 0)
            return true;
    return false;
}

/* The deadlock test, idle_lock held and every worker idle: main waits and
 * nothing can ever make a task runnable again. */
#ifdef VX_TEST_HOOKS
void (*vx__test_hook)(int where, void *arg);
#endif

static bool all_asleep(void) {
    if (!ld_seqcst(&vx__g.main_waiting))
        return false;
    VX_TEST_HOOK(1, ld_relaxed(&vx__g.main_task)); /* idle_lock held; deadlock_race.c */
    /* main completed, and its thread is on its way out: not a deadlock */
    if (ld_acquire(&ld_relaxed(&vx__g.main_task)->state) & T_COMPLETE)
        return false;
    return !work_visible() && vx__timer_count() == 0 && vx__io_waiting() == 0;
}

/* main_waiting and main_task change only under idle_lock, which the
 * deadlock test holds: so while the test sees main_waiting set, main's
 * thread has not stopped waiting and the task it waits for has not been
 * freed (main_wait_end comes first). Without the lock the main thread could
 * stop waiting and free the task between the test's two loads, and a freed
 * or recycled block reads "not complete": a false deadlock
 * (tests/runtime/deadlock_race.c). */
void vx__main_wait(vx_task *t) {
    pthread_mutex_lock(&vx__g.idle_lock);
    st_relaxed(&vx__g.main_task, t);
    st_seqcst(&vx__g.main_waiting, 1);
    /* The workers may all have parked before main_waiting was set. */
    if (ld_seqcst(&vx__g.nidle) == vx__g.nworkers && all_asleep())
        vx__deadlock();
    pthread_mutex_unlock(&vx__g.idle_lock);
}

void vx__main_wait_end(void) {
    pthread_mutex_lock(&vx__g.idle_lock);
    st_seqcst(&vx__g.main_waiting, 0);
    pthread_mutex_unlock(&vx__g.idle_lock);
}

/* Leave the idle state after sleeping; returns with w->searching set if a
 * notifier woke us (it counted us in nsearching). */
static void unidle(vx__worker *w) {
    pthread_mutex_lock(&vx__g.idle_lock);
    if (w->idle)
        unstack(w);
    if (w->polling) { /* only now: at most one thread is ever inside epoll_wait */
        w->polling = false;
        st_release(&vx__g.poller, -1);
    }
    pthread_mutex_unlock(&vx__g.idle_lock);
    if (atomic_exchange_explicit(&w->wakeup, 0, memory_order_acquire)) /* pairs with notify's release */
        w->searching = true;
}

void vx__park(vx__worker *w) {
    bool poll = false;
    /* P1: register as idle; the first idle worker takes the poller. */
    pthread_mutex_lock(&vx__g.idle_lock);
    vx__g.idle_stack[vx__g.nidle_stack++] = w->id;
    w->idle = true;
    int nidle = atomic_fetch_add_explicit(&vx__g.nidle, 1, memory_order_seq_cst) + 1;
    int none = -1;
    if (atomic_compare_exchange_strong_explicit(&vx__g.poller, &none, w->id,
                                                memory_order_acquire, memory_order_relaxed))
        w->polling = poll = true;
    if (nidle == vx__g.nworkers && all_asleep())
        vx__deadlock(); /* does not return */
    pthread_mutex_unlock(&vx__g.idle_lock);

    /* P2: stop searching, then re-check every queue (Dekker pair). */
    if (w->searching) {
        w->searching = false;
        atomic_fetch_sub_explicit(&vx__g.nsearching, 1, memory_order_seq_cst);
    }
    if (work_visible() || ld_relaxed(&vx__g.stopping)) {
        unidle(w); /* deregister BEFORE taking the work: the deadlock test relies on it */
        return;
    }

    /* P3: sleep. */
    stat_inc(&w->st.parks);
    if (poll) {
        vx__pollev ev[64];
        int n = vx__poll_wait(vx__timer_next(), ev, 64);
        unidle(w);
        vx__sched_io_batch(ev, n, false); /* onto our deque, in the events' order */
        /* P6: we leave the poller. The tasks we found were offered to the
         * idle workers already (vx__sched_io_batch notifies when it queued
         * more than one). Hand the clock over to another idle worker only
         * if a timer is due within WATCH_NS: we poll I/O and fire timers
         * ourselves on every maintenance tick and whenever we run out of
         * work, so only a task that runs longer than that without
         * suspending delays them (tokio's workers behave the same). Waking a
         * worker on every exit from epoll_wait while tasks waited for I/O
         * cost the HTTP server a futex wake and two context switches per
         * few requests: 30% more CPU per request at 2 workers. */
        int64_t next = vx__timer_next();
        if (next != INT64_MAX && next - vx_now_ns() < WATCH_NS)
            vx__notify_push();
    } else {
        /* P6's fallback: wake up by ourselves now and then, and if tasks
         * wait for I/O or a timer while nobody sits in the poller (the last
         * poller left it to run a task that has not suspended since), leave
         * and look (the worker loop searches: it polls and fires timers).
         * Each look that finds nothing to do doubles the interval, so an
         * idle program's sleepers wake up rarely. Leaving without a notify
         * is the path P2 takes when it sees work. */
        int64_t look = LOOK_NS;
        while (!ld_acquire(&w->wakeup) && !ld_relaxed(&vx__g.stopping)) {
            if (futex_wait_ns(&w->wakeup, 0, look))
                continue; /* woken (or spuriously): the loop re-checks */
            if (ld_relaxed(&vx__g.poller) == -1 &&
                (vx__io_waiting() > 0 || vx__timer_count() > 0))
                break;
            if (look < LOOK_MAX_NS)
                look *= 2;
        }
        unidle(w);
    }
}

void vx__unpark_all(void) {
    pthread_mutex_lock(&vx__g.idle_lock);
    for (int i = 0; i < vx__g.nworkers; i++) {
        vx__worker *w = vx__g.workers[i];
        st_release(&w->wakeup, 1);
        vx__futex_wake(&w->wakeup, 1);
    }
    pthread_mutex_unlock(&vx__g.idle_lock);
    vx__poll_wakeup();
}
