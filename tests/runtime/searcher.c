/* searcher: a worker woken as a searcher that finds its work in its normal
 * run order (not while searching) must stop counting as a searcher, or no
 * idle worker is ever woken again (bench/NOTES.md F5). Two tasks that each
 * spin until the other has started need both workers: with the leak this
 * hangs (the suite's timeout catches it). Repeated 20 times. */
#include <unistd.h>

#include "rtest.h"

static _Atomic int started;

static vx_poll spinner(vx_frame *self, vx_task *task) {
    atomic_fetch_add(&started, 1);
    while (atomic_load(&started) < 2)
        ;
    return VX_READY;
}

typedef struct {
    vx_frame base;
    vx_task *a, *b;
} main_f;

static vx_poll mmain(vx_frame *self, vx_task *task) {
    LOC(at_a);
    LOC(at_b);
    main_f *f = (main_f *)self;
    switch (f->base.state) {
    case 0:
        usleep(20000); /* let the other worker park */
        f->a = vx_task_new(sizeof(vx_frame), spinner, NULL);
        vx_spawn(f->a);
        f->b = vx_task_new(sizeof(vx_frame), spinner, NULL);
        vx_spawn(f->b);
        f->base.state = 1;
        if (vx_join(&f->base, task, f->a, &at_a) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:
        f->base.state = 2;
        if (vx_join(&f->base, task, f->b, &at_b) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 2:
        vx_task_release(f->a);
        vx_task_release(f->b);
    }
    return VX_READY;
}

int main(void) {
    vx_start(2);
    for (int i = 0; i < 20; i++) {
        atomic_store(&started, 0);
        usleep(20000);
        main_f *m = NEW_TASK(main_f, mmain);
        vx_block_on(task_of(m));
        vx_task_release(task_of(m));
    }
    rt_clean_shutdown();
    return 0;
}
