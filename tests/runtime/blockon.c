/* blockon: vx_block_on runs tasks to completion from non-worker threads
 * (4 threads at once, 500 times each, each task awaiting a sleep so the
 * thread really waits); from inside a worker it is a clear panic (exit 101,
 * "vx_block_on called from an async context"), never a deadlock. */
#include <pthread.h>

#include "rtest.h"

typedef struct {
    vx_frame base;
    vx_timer t;
    long v;
} sq_f;

static vx_poll sq(vx_frame *self, vx_task *task) {
    LOC(at_sleep);
    sq_f *f = (sq_f *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_sleep_ns(&f->base, task, (f->v % 3) * 10000, &f->t, &at_sleep) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:
        f->v = f->v * f->v;
    }
    return VX_READY;
}

static void *thread_main(void *arg) {
    long base = (long)arg;
    for (long i = 0; i < 500; i++) {
        sq_f *f = NEW_TASK(sq_f, sq);
        f->v = base + i;
        vx_block_on(task_of(f));
        CHECK_EQ(f->v, (base + i) * (base + i));
        vx_task_release(task_of(f));
    }
    return NULL;
}

static vx_poll nested(vx_frame *self, vx_task *task) {
    sq_f *f = NEW_TASK(sq_f, sq);
    vx_block_on(task_of(f)); /* panics */
    return VX_READY;
}

static void child(void) {
    vx_start(2);
    vx_task *t = vx_task_new(sizeof(vx_frame), nested, NULL);
    vx_block_on(t);
    printf("not reached\n");
}

int main(void) {
    char out[4096], err[4096];
    int st = run_child(child, out, sizeof out, err, sizeof err);
    CHECK_EQ(st, 101);
    CHECK(strstr(err, "panic: vx_block_on called from an async context"));
    CHECK(!strstr(out, "not reached"));

    vx_start(0);
    pthread_t th[4];
    for (long i = 0; i < 4; i++)
        CHECK(pthread_create(&th[i], NULL, thread_main, (void *)(i * 1000)) == 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    rt_clean_shutdown();
    return 0;
}
