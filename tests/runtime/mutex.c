/* mutex: 8 tasks each take an async mutex 5000 times, and while holding it
 * read the counter, yield every 16th time (so others queue up on the lock
 * and are handed it in FIFO order), then write counter+1: the final count
 * is exact. try_lock fails while a task holds it. */
#include "rtest.h"

#define TASKS 8
#define ITERS 5000

static long counter; /* protected by the vx_mutex */

typedef struct {
    vx_frame base;
    vx_mutex *m;
    long i, seen;
    vx_waiter w;
    vx_wg *wg;
} lk_f;

static vx_poll locker(vx_frame *self, vx_task *task) {
    LOC(at_lock);
    LOC(at_yield);
    lk_f *f = (lk_f *)self;
    switch (f->base.state) {
    case 0:
        for (f->i = 0; f->i < ITERS; f->i++) {
            f->base.state = 1;
            if (vx_mutex_lock(&f->base, task, f->m, &f->w, &at_lock) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:
            f->seen = counter;
            if (f->i % 16 == 0) {
                f->base.state = 2;
                if (vx_yield(&f->base, task, &at_yield) == VX_PENDING)
                    return VX_PENDING;
            }
            /* fallthrough */
        case 2:
            CHECK(!vx_mutex_try_lock(f->m));
            counter = f->seen + 1;
            vx_mutex_unlock(f->m);
        }
        vx_wg_done(f->wg);
    }
    return VX_READY;
}

typedef struct {
    vx_frame base;
    vx_mutex *m;
    vx_wg *wg;
    vx_waiter w;
} main_f;

static vx_poll mmain(vx_frame *self, vx_task *task) {
    LOC(at_wait);
    main_f *f = (main_f *)self;
    switch (f->base.state) {
    case 0:
        vx_wg_add(f->wg, TASKS);
        for (int i = 0; i < TASKS; i++) {
            lk_f *l = NEW_TASK(lk_f, locker);
            l->m = f->m;
            l->wg = f->wg;
            vx_spawn_detached(task_of(l));
        }
        f->base.state = 1;
        if (vx_wg_wait(&f->base, task, f->wg, &f->w, &at_wait) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:;
    }
    return VX_READY;
}

int main(void) {
    vx_start(0);
    main_f *m = NEW_TASK(main_f, mmain);
    m->m = vx_mutex_new();
    m->wg = vx_wg_new();
    vx_block_on(task_of(m));
    CHECK_EQ(counter, TASKS * ITERS);
    CHECK(vx_mutex_try_lock(m->m));
    vx_mutex_unlock(m->m);
    vx_mutex_free(m->m);
    vx_wg_free(m->wg);
    vx_task_release(task_of(m));
    rt_clean_shutdown();
    return 0;
}
