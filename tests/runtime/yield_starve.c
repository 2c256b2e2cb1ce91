/* yield_starve: on ONE worker, a task that keeps yielding while it waits
 * for something else must not stop the worker's maintenance. Two waits:
 *   1. a flag set by another task after a 5 ms sleep (the timer must fire
 *      although the yielder never lets the worker park);
 *   2. a flag set by a task spawned from this (non-worker) thread while the
 *      yielder runs (the global queue must be polled).
 * Regression: the "nobody else to yield to" shortcut in sched.c re-queued
 * the yielder exactly on the tick before the 61st, so find_work never ran
 * its every-61-ticks maintenance and both waits hung forever. */
#include "rtest.h"

static _Atomic int flag;

typedef struct {
    vx_frame base;
    long spins;
} yield_f;

/* Yield until `flag` is set. */
static vx_poll yielder(vx_frame *self, vx_task *task) {
    LOC(at_yield);
    yield_f *f = (yield_f *)self;
    switch (f->base.state) {
    case 0:
        while (!atomic_load(&flag)) {
            f->spins++;
            f->base.state = 1;
            if (vx_yield(&f->base, task, &at_yield) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:;
        }
    }
    return VX_READY;
}

typedef struct {
    vx_frame base;
    vx_timer tm;
} sleeper_f;

/* Sleep 5 ms, then set `flag`. */
static vx_poll sleeper(vx_frame *self, vx_task *task) {
    LOC(at_sleep);
    sleeper_f *f = (sleeper_f *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_sleep(&f->base, task, 5, &f->tm, &at_sleep) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:
        atomic_store(&flag, 1);
    }
    return VX_READY;
}

static vx_poll setter(vx_frame *self, vx_task *task) {
    (void)self;
    (void)task;
    atomic_store(&flag, 1);
    return VX_READY;
}

/* Wait (from this thread) until t completes; fail after 10 s instead of
 * hanging until the suite's timeout. */
static void wait_done(vx_task *t, const char *what) {
    int64_t limit = vx_now_ns() + 10 * 1000000000LL;
    while (!(atomic_load(&t->state) & 4u)) { /* COMPLETE */
        if (vx_now_ns() > limit) {
            fprintf(stderr, "yield_starve: %s: the yielding task never saw its flag\n", what);
            fflush(stderr);
            _exit(1);
        }
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    vx_join_sync(t);
}

int main(void) {
    vx_start(1);

    /* 1: a timer. */
    atomic_store(&flag, 0);
    yield_f *y = NEW_TASK(yield_f, yielder);
    y->spins = 0;
    sleeper_f *s = NEW_TASK(sleeper_f, sleeper);
    vx_spawn(task_of(s));
    vx_spawn(task_of(y));
    wait_done(task_of(y), "timer");
    vx_join_sync(task_of(s));
    vx_task_release(task_of(y));
    vx_task_release(task_of(s));

    /* 2: the global queue. */
    atomic_store(&flag, 0);
    y = NEW_TASK(yield_f, yielder);
    y->spins = 0;
    vx_spawn(task_of(y));
    while (atomic_load(&task_of(y)->state) & 1u) /* wait until it runs (NOTIFIED clears) */
        ;
    vx_task *set = vx_task_new(sizeof(vx_frame), setter, NULL);
    vx_spawn(set);
    wait_done(task_of(y), "global queue");
    CHECK(y->spins > 0);
    vx_join_sync(set);
    vx_task_release(task_of(y));
    vx_task_release(set);

    rt_clean_shutdown();
    return 0;
}
