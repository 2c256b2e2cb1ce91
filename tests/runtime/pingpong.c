/* pingpong: two tasks pass a counter back and forth over two rendezvous
 * channels (and then over two 1-slot channels); every value arrives once and
 * in order, and closing the ping channel ends the echo task. */
#include "rtest.h"

#define ROUNDS 100000

typedef struct {
    vx_frame base;
    vx_chan *ping, *pong;
    long v;
    vx_waiter w;
} echo_f;

static vx_poll echo(vx_frame *self, vx_task *task) {
    LOC(at_recv);
    LOC(at_send);
    echo_f *f = (echo_f *)self;
    switch (f->base.state) {
    case 0:
        for (;;) {
            f->base.state = 1;
            if (vx_chan_recv(&f->base, task, f->ping, &f->v, &f->w, &at_recv) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:
            if (f->w.status == VX_ECLOSED)
                break;
            f->v++;
            f->base.state = 2;
            if (vx_chan_send(&f->base, task, f->pong, &f->v, &f->w, &at_send) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 2:
            CHECK_EQ(f->w.status, VX_OK);
        }
    }
    return VX_READY;
}

typedef struct {
    vx_frame base;
    vx_chan *ping, *pong;
    long i, v, acc;
    vx_task *echo;
    vx_waiter w;
} main_f;

static vx_poll pmain(vx_frame *self, vx_task *task) {
    LOC(at_send);
    LOC(at_recv);
    LOC(at_join);
    main_f *f = (main_f *)self;
    switch (f->base.state) {
    case 0: {
        echo_f *e = NEW_TASK(echo_f, echo);
        e->ping = f->ping;
        e->pong = f->pong;
        f->echo = task_of(e);
        vx_spawn(f->echo);
    }
        for (f->i = 0; f->i < ROUNDS; f->i++) {
            f->v = f->i;
            f->base.state = 1;
            if (vx_chan_send(&f->base, task, f->ping, &f->v, &f->w, &at_send) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:
            f->base.state = 2;
            if (vx_chan_recv(&f->base, task, f->pong, &f->v, &f->w, &at_recv) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 2:
            CHECK_EQ(f->v, f->i + 1);
            f->acc += f->v;
        }
        vx_chan_close(f->ping);
        f->base.state = 3;
        if (vx_join(&f->base, task, f->echo, &at_join) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 3:
        vx_task_release(f->echo);
    }
    return VX_READY;
}

static void series(size_t cap) {
    main_f *m = NEW_TASK(main_f, pmain);
    m->ping = vx_chan_new(sizeof(long), cap);
    m->pong = vx_chan_new(sizeof(long), cap);
    m->acc = 0;
    vx_block_on(task_of(m));
    CHECK_EQ(m->acc, (long)ROUNDS * (ROUNDS + 1) / 2);
    vx_chan_release(m->ping);
    vx_chan_release(m->pong);
    vx_task_release(task_of(m));
}

int main(void) {
    vx_start(0);
    series(0);
    series(1);
    rt_clean_shutdown();
    return 0;
}
