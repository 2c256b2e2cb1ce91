/* yield_queue: the worker's private yield queue (sched.c).
 *   1. Liveness on ONE worker: a task that yielded waits in the yield queue
 *      while a chain of tasks keeps the deque non-empty for ever (each link
 *      spawns the next until `flag` is set). The yielder is the one that
 *      sets the flag, so it must run again although the deque never
 *      empties: find_work takes the yield queue before the deque's bottom
 *      (and every 61 ticks in any case).
 *   2. Parallelism on TWO workers: four tasks that yield in turn, spawned
 *      on one worker, must not all stay there in its private queue: a yield
 *      moves the queue to the deque while the other worker is idle or
 *      searching, and notifies it (sched.c yq_expose). Checked by counting
 *      the yields each worker thread runs: both must run a fair share
 *      (without the move, the other worker found an empty deque, parked,
 *      and one worker ran all 800,000 yields).
 */
#include "rtest.h"

static _Atomic int flag;
static _Atomic long links;

typedef struct {
    vx_frame base;
} chain_f;

/* One link: spawn the next one unless the flag is set. */
static vx_poll chain(vx_frame *self, vx_task *task) {
    (void)self;
    (void)task;
    atomic_fetch_add(&links, 1);
    if (!atomic_load(&flag))
        vx_spawn_detached(vx_task_new(sizeof(chain_f), chain, NULL));
    return VX_READY;
}

typedef struct {
    vx_frame base;
} root_f;

/* Start the chain, yield once (the deque holds the chain's link), then set
 * the flag. */
static vx_poll root(vx_frame *self, vx_task *task) {
    LOC(at_yield);
    root_f *f = (root_f *)self;
    switch (f->base.state) {
    case 0:
        vx_spawn_detached(vx_task_new(sizeof(chain_f), chain, NULL));
        f->base.state = 1;
        if (vx_yield(&f->base, task, &at_yield) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:
        atomic_store(&flag, 1);
    }
    return VX_READY;
}

typedef struct {
    vx_frame base;
    long n, i;
} yielder_f;

/* Yields run by each worker thread (a slot per thread, taken on first use). */
static _Atomic long per_thread[8];
static _Atomic int nslots;
static _Thread_local int slot = -1;

static vx_poll yielder(vx_frame *self, vx_task *task) {
    LOC(at_yield);
    yielder_f *f = (yielder_f *)self;
    if (slot < 0)
        slot = atomic_fetch_add(&nslots, 1) & 7;
    atomic_fetch_add_explicit(&per_thread[slot], 1, memory_order_relaxed);
    switch (f->base.state) {
    case 0:
        for (f->i = 0; f->i < f->n; f->i++) {
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
    int k;
    vx_task *hs[4];
} spawner_f;

/* Spawn 4 yielders on this worker and join them. */
static vx_poll spawner(vx_frame *self, vx_task *task) {
    LOC(at_join);
    spawner_f *f = (spawner_f *)self;
    switch (f->base.state) {
    case 0:
        for (int k = 0; k < 4; k++) {
            yielder_f *y = NEW_TASK(yielder_f, yielder);
            y->n = 200000;
            f->hs[k] = task_of(y);
            vx_spawn(f->hs[k]);
        }
        for (f->k = 0; f->k < 4; f->k++) {
            f->base.state = 1;
            if (vx_join(&f->base, task, f->hs[f->k], &at_join) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:
            vx_task_release(f->hs[f->k]);
        }
    }
    return VX_READY;
}

int main(void) {
    /* 1: one worker; a hang here is the failure (the suite's timeout). */
    vx_start(1);
    root_f *r = NEW_TASK(root_f, root);
    vx_block_on(task_of(r));
    vx_task_release(task_of(r));
    CHECK(atomic_load(&links) > 0);
    rt_clean_shutdown();

    /* 2: two workers, 20 rounds. A round can run lopsided when the OS
     * deschedules a worker; half of them cannot (without the move to the
     * deque: 0 fair rounds of 20; with it: 20 of 20, at a load average of
     * 14). */
    vx_start(2);
    int fair = 0;
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 8; i++)
            atomic_store(&per_thread[i], 0);
        spawner_f *s = NEW_TASK(spawner_f, spawner);
        vx_block_on(task_of(s));
        vx_task_release(task_of(s));
        long total = 0, least = -1;
        for (int i = 0; i < 8; i++) {
            long n = atomic_load(&per_thread[i]);
            total += n;
            if (i < 2 && (least < 0 || n < least))
                least = n;
        }
        CHECK(total >= 4 * 200000);
        if (least * 5 >= total) /* at least 20 % each (50 % when balanced) */
            fair++;
    }
    CHECK(fair >= 10);
    rt_clean_shutdown();
    return 0;
}
