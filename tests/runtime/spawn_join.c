/* spawn_join: spawn storms. A root task spawns N children (each adds its
 * index to a sum), joins them all; a second storm spawns detached tasks
 * counted by a wait group; a third is spawned from a non-worker thread.
 * Checks every child ran exactly once and the runtime ends clean. */
#include "rtest.h"

#define N 20000

static _Atomic long sum, ran;

typedef struct {
    vx_frame base;
    long i;
} child_f;

static vx_poll child(vx_frame *self, vx_task *task) {
    child_f *f = (child_f *)self;
    atomic_fetch_add(&sum, f->i);
    atomic_fetch_add(&ran, 1);
    return VX_READY;
}

typedef struct {
    vx_frame base;
    long i;
    vx_task **kids;
    vx_wg *wg;
    vx_waiter w;
} root_f;

typedef struct {
    vx_frame base;
    vx_wg *wg;
} wchild_f;

static vx_poll wchild(vx_frame *self, vx_task *task) {
    wchild_f *f = (wchild_f *)self;
    atomic_fetch_add(&ran, 1);
    vx_wg_done(f->wg);
    return VX_READY;
}

static vx_poll root(vx_frame *self, vx_task *task) {
    LOC(at_join);
    LOC(at_wait);
    root_f *f = (root_f *)self;
    switch (f->base.state) {
    case 0:
        f->kids = malloc(sizeof(vx_task *) * N);
        for (f->i = 0; f->i < N; f->i++) {
            child_f *c = NEW_TASK(child_f, child);
            c->i = f->i;
            f->kids[f->i] = task_of(c);
            vx_spawn(task_of(c));
        }
        for (f->i = 0; f->i < N; f->i++) {
            f->base.state = 1;
            if (vx_join(&f->base, task, f->kids[f->i], &at_join) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:
            vx_task_release(f->kids[f->i]);
        }
        free(f->kids);
        /* storm 2: detached tasks and a wait group */
        f->wg = vx_wg_new();
        vx_wg_add(f->wg, N);
        for (f->i = 0; f->i < N; f->i++) {
            wchild_f *c = NEW_TASK(wchild_f, wchild);
            c->wg = f->wg;
            vx_spawn_detached(task_of(c));
        }
        f->base.state = 2;
        if (vx_wg_wait(&f->base, task, f->wg, &f->w, &at_wait) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 2:
        vx_wg_free(f->wg);
        return VX_READY;
    }
    return VX_READY;
}

int main(void) {
    vx_start(0);
    root_f *r = NEW_TASK(root_f, root);
    vx_block_on(task_of(r));
    vx_task_release(task_of(r));
    CHECK_EQ(atomic_load(&ran), 2 * N);
    CHECK_EQ(atomic_load(&sum), (long)N * (N - 1) / 2);

    /* storm 3: from this (non-worker) thread, joined by block-on one by one */
    atomic_store(&sum, 0);
    vx_task **kids = malloc(sizeof(vx_task *) * 2000);
    for (int i = 0; i < 2000; i++) {
        child_f *c = NEW_TASK(child_f, child);
        c->i = i;
        kids[i] = task_of(c);
        vx_spawn(kids[i]);
    }
    /* a sync caller cannot vx_join; wait by polling the sum */
    while (atomic_load(&sum) != 2000L * 1999 / 2)
        ;
    for (int i = 0; i < 2000; i++)
        vx_task_release(kids[i]);
    free(kids);
    vx_stats st;
    vx_stats_get(&st);
    CHECK(st.injected > 0);
    rt_clean_shutdown();
    return 0;
}
