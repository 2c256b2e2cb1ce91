/* blockon: vx_block_on runs tasks to completion from non-worker threads
 * (4 threads at once, 500 times each, each task awaiting a sleep so the
 * thread really waits); from inside a worker it is a clear panic (exit 101,
 * "vx_block_on called from an async context"), never a deadlock. Sync code
 * uses channels (vx_chan_send_sync / vx_chan_recv_sync, rendezvous, with
 * a task on the other side) and joins a task (vx_join_sync). */
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

typedef struct {
    vx_frame base;
    vx_chan *in, *out;
    long v;
    vx_waiter w;
} dbl_f;

static vx_poll doubler(vx_frame *self, vx_task *task) {
    LOC(at_recv);
    LOC(at_send);
    dbl_f *f = (dbl_f *)self;
    switch (f->base.state) {
    case 0:
        for (;;) {
            f->base.state = 1;
            if (vx_chan_recv(&f->base, task, f->in, &f->v, &f->w, &at_recv) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:
            if (f->w.status == VX_ECLOSED) {
                vx_chan_close(f->out);
                return VX_READY;
            }
            f->v *= 2;
            f->base.state = 2;
            if (vx_chan_send(&f->base, task, f->out, &f->v, &f->w, &at_send) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 2:;
        }
    }
    return VX_READY;
}

static void sync_channels(void) {
    vx_chan *in = vx_chan_new(sizeof(long), 0), *out = vx_chan_new(sizeof(long), 0);
    dbl_f *d = NEW_TASK(dbl_f, doubler);
    d->in = in;
    d->out = out;
    vx_spawn(task_of(d));
    for (long i = 0; i < 1000; i++) {
        long v = i, r = -1;
        CHECK_EQ(vx_chan_send_sync(in, &v), VX_OK);
        CHECK_EQ(vx_chan_recv_sync(out, &r), VX_OK);
        CHECK_EQ(r, 2 * i);
    }
    vx_chan_close(in);
    long r;
    CHECK_EQ(vx_chan_recv_sync(out, &r), VX_ECLOSED);
    vx_join_sync(task_of(d));
    vx_task_release(task_of(d));
    long v = 1;
    CHECK_EQ(vx_chan_send_sync(in, &v), VX_ECLOSED);
    vx_chan_release(in);
    vx_chan_release(out);

    sq_f *f = NEW_TASK(sq_f, sq);
    f->v = 5; /* sleeps 20 us */
    vx_spawn(task_of(f));
    vx_join_sync(task_of(f));
    CHECK_EQ(f->v, 25);
    vx_task_release(task_of(f));
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
    sync_channels();
    rt_clean_shutdown();
    return 0;
}
