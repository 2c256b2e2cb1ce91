/* wg_free: a task that waits on a wait group whose count is already zero
 * may free the group as soon as its wait completes (sync.c promises it),
 * even while the vx_wg_done that brought the count to zero is still waking
 * the tasks that were blocked. Here W1 blocks on the group; D's done brings
 * the count to zero and is held there (the test build's hook 2) until W2,
 * on another worker, has waited, seen zero, freed the group and reused its
 * memory (the allocator hands the same block back: filled with 0xff here,
 * as any new owner might). D then goes on, and W1 must be woken.
 * Regression: the done took the group's spin lock AFTER a waiter could see
 * zero and free the group: a use after free (ASan reports it; with the
 * block reused, D spun forever on a "locked" lock). */
#include <unistd.h>

#include "rtest.h"

extern void (*vx__test_hook)(int where, void *arg);

static _Atomic int zero_reached, w2_done;

static void hold_done(int where, void *arg) {
    (void)arg;
    if (where != 2)
        return;
    atomic_store(&zero_reached, 1);
    int64_t limit = vx_now_ns() + 200000000LL; /* 0.2 s, bounded */
    while (!atomic_load(&w2_done) && vx_now_ns() < limit)
        ;
}

typedef struct {
    vx_frame base;
    vx_wg *g;
    vx_waiter w;
    vx_timer tm;
} wait_f;

/* W1: wait for the group. */
static vx_poll w1(vx_frame *self, vx_task *task) {
    LOC(at_wait);
    wait_f *f = (wait_f *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_wg_wait(&f->base, task, f->g, &f->w, &at_wait) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:;
    }
    return VX_READY;
}

/* W2: once the count is zero, wait (completes at once), free the group and
 * reuse its memory. It polls with 1 ms sleeps, not yields: a sleeping task
 * sits in no run queue, so the timer wakes it on the worker that is not
 * held in the hook (a yielding task could be stuck in the held worker's
 * deque). */
static vx_poll w2(vx_frame *self, vx_task *task) {
    LOC(at_sleep);
    LOC(at_wait);
    wait_f *f = (wait_f *)self;
    switch (f->base.state) {
    case 0:
        while (!atomic_load(&zero_reached)) {
            f->base.state = 1;
            if (vx_sleep(&f->base, task, 1, &f->tm, &at_sleep) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:;
        }
        f->base.state = 2;
        if (vx_wg_wait(&f->base, task, f->g, &f->w, &at_wait) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 2: {
        vx_wg_free(f->g);
        /* The freed block is this thread's newest free chunk of its size:
         * take it back and scribble on it (an ASan build reports the use
         * after free before this). */
        void *reuse[8];
        for (int i = 0; i < 8; i++) { /* sizes 8..64: one is the group's */
            reuse[i] = vx_alloc((size_t)(i + 1) * 8);
            memset(reuse[i], 0xff, (size_t)(i + 1) * 8);
        }
        for (int i = 0; i < 8; i++)
            vx_free(reuse[i]);
        atomic_store(&w2_done, 1);
    }
    }
    return VX_READY;
}

/* D: done. */
static vx_poll d(vx_frame *self, vx_task *task) {
    (void)task;
    vx_wg_done(((wait_f *)self)->g);
    return VX_READY;
}

int main(void) {
    alarm(20); /* before the fix the done spun forever on the reused lock */
    vx__test_hook = hold_done;
    vx_start(2);
    vx_wg *g = vx_wg_new();
    vx_wg_add(g, 1);
    wait_f *a = NEW_TASK(wait_f, w1);
    a->g = g;
    vx_spawn(task_of(a));
    while (atomic_load(&task_of(a)->state) & 3u) /* until W1 has suspended */
        ;
    wait_f *b = NEW_TASK(wait_f, w2);
    b->g = g;
    vx_spawn(task_of(b));
    wait_f *c = NEW_TASK(wait_f, d);
    c->g = g;
    vx_spawn(task_of(c));
    vx_join_sync(task_of(c));
    vx_join_sync(task_of(b));
    vx_join_sync(task_of(a));
    CHECK(atomic_load(&w2_done));
    vx_task_release(task_of(a));
    vx_task_release(task_of(b));
    vx_task_release(task_of(c));
    vx__test_hook = NULL;
    rt_clean_shutdown();
    return 0;
}
