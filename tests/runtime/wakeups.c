/* wakeups: no wake-up is ever lost while workers park and unpark. Two
 * non-worker threads each, 1500 times, let the workers go idle for a
 * random 0-200 us (so the spawn races a worker that is registering as idle,
 * re-checking, or asleep in the poller or on its futex), spawn one task and
 * wait for it: the task sleeps 0-50 us (a timer armed during a poller
 * sleep) and hands a token to a second task through a rendezvous channel
 * (a cross-worker wake). A lost wake-up leaves an iteration hanging: each
 * waits at most 10 s before the test fails. */
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "rtest.h"

#define ITERS 1500

typedef struct {
    vx_frame base;
    vx_chan *c;
    long v;
    int64_t ns;
    vx_timer t;
    vx_waiter w;
    _Atomic int *done;
} a_f;

static vx_poll receiver(vx_frame *self, vx_task *task) {
    LOC(at_recv);
    a_f *f = (a_f *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_chan_recv(&f->base, task, f->c, &f->v, &f->w, &at_recv) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:
        CHECK_EQ(f->v, 7);
        vx_chan_release(f->c);
        atomic_store(f->done, 1);
    }
    return VX_READY;
}

static vx_poll sender(vx_frame *self, vx_task *task) {
    LOC(at_sleep);
    LOC(at_send);
    a_f *f = (a_f *)self;
    switch (f->base.state) {
    case 0: {
        a_f *r = NEW_TASK(a_f, receiver);
        r->c = f->c;
        r->done = f->done;
        vx_chan_retain(f->c);
        vx_spawn_detached(task_of(r));
        f->base.state = 1;
        if (vx_sleep_ns(&f->base, task, f->ns, &f->t, &at_sleep) == VX_PENDING)
            return VX_PENDING;
    }
        /* fallthrough */
    case 1:
        f->v = 7;
        f->base.state = 2;
        if (vx_chan_send(&f->base, task, f->c, &f->v, &f->w, &at_send) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 2:
        vx_chan_release(f->c);
    }
    return VX_READY;
}

static void *thread_main(void *arg) {
    unsigned seed = (unsigned)(uintptr_t)arg;
    for (int i = 0; i < ITERS; i++) {
        seed = seed * 1103515245u + 12345u;
        usleep((seed >> 8) % 200);
        _Atomic int done = 0;
        a_f *s = NEW_TASK(a_f, sender);
        s->c = vx_chan_new(sizeof(long), 0);
        s->ns = (int64_t)((seed >> 4) % 50) * 1000;
        s->done = &done;
        vx_spawn_detached(task_of(s));
        int64_t start = vx_now_ns();
        while (!atomic_load(&done)) {
            CHECK(vx_now_ns() - start < 10000000000LL); /* a lost wake-up */
            struct timespec ts = {0, 20000};
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

int main(void) {
    vx_start(0);
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        CHECK(pthread_create(&th[i], NULL, thread_main, (void *)(uintptr_t)(i + 1)) == 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    rt_clean_shutdown();
    return 0;
}
