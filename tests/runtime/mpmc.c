/* mpmc: 4 producers and 4 consumers on one channel, for capacities 0, 1, 3
 * and 64: every message is received exactly once (a seen-bitmap), consumers
 * end on close, and the runtime ends clean. */
#include "rtest.h"

#define PRODUCERS 4
#define CONSUMERS 4
#define PER 20000
#define TOTAL (PRODUCERS * PER)

static _Atomic unsigned char seen[TOTAL];
static _Atomic long received;

typedef struct {
    vx_frame base;
    vx_chan *c;
    long id, i, v;
    vx_waiter w;
} prod_f;

static vx_poll producer(vx_frame *self, vx_task *task) {
    LOC(at_send);
    prod_f *f = (prod_f *)self;
    switch (f->base.state) {
    case 0:
        for (f->i = 0; f->i < PER; f->i++) {
            f->v = f->id * PER + f->i;
            f->base.state = 1;
            if (vx_chan_send(&f->base, task, f->c, &f->v, &f->w, &at_send) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:
            CHECK_EQ(f->w.status, VX_OK);
        }
    }
    return VX_READY;
}

typedef struct {
    vx_frame base;
    vx_chan *c;
    long v;
    vx_waiter w;
} cons_f;

static vx_poll consumer(vx_frame *self, vx_task *task) {
    LOC(at_recv);
    cons_f *f = (cons_f *)self;
    switch (f->base.state) {
    case 0:
        for (;;) {
            f->base.state = 1;
            if (vx_chan_recv(&f->base, task, f->c, &f->v, &f->w, &at_recv) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:
            if (f->w.status == VX_ECLOSED)
                return VX_READY;
            CHECK(f->v >= 0 && f->v < TOTAL);
            CHECK_EQ(atomic_fetch_add(&seen[f->v], 1), 0);
            atomic_fetch_add(&received, 1);
        }
    }
    return VX_READY;
}

typedef struct {
    vx_frame base;
    vx_chan *c;
    int i;
    vx_task *t[PRODUCERS + CONSUMERS];
} main_f;

static vx_poll mmain(vx_frame *self, vx_task *task) {
    LOC(at_join);
    main_f *f = (main_f *)self;
    switch (f->base.state) {
    case 0:
        for (int i = 0; i < CONSUMERS; i++) {
            cons_f *c = NEW_TASK(cons_f, consumer);
            c->c = f->c;
            f->t[PRODUCERS + i] = task_of(c);
            vx_spawn(task_of(c));
        }
        for (int i = 0; i < PRODUCERS; i++) {
            prod_f *p = NEW_TASK(prod_f, producer);
            p->c = f->c;
            p->id = i;
            f->t[i] = task_of(p);
            vx_spawn(task_of(p));
        }
        for (f->i = 0; f->i < PRODUCERS + CONSUMERS; f->i++) {
            if (f->i == PRODUCERS) /* every producer is done: close */
                vx_chan_close(f->c);
            f->base.state = 1;
            if (vx_join(&f->base, task, f->t[f->i], &at_join) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:
            vx_task_release(f->t[f->i]);
        }
    }
    return VX_READY;
}

int main(void) {
    static const size_t caps[] = {0, 1, 3, 64};
    vx_start(0);
    for (int k = 0; k < 4; k++) {
        memset((void *)seen, 0, sizeof seen);
        atomic_store(&received, 0);
        main_f *m = NEW_TASK(main_f, mmain);
        m->c = vx_chan_new(sizeof(long), caps[k]);
        vx_block_on(task_of(m));
        CHECK_EQ(atomic_load(&received), TOTAL);
        CHECK_EQ(vx_chan_len(m->c), 0);
        vx_chan_release(m->c);
        vx_task_release(task_of(m));
    }
    rt_clean_shutdown();
    return 0;
}
