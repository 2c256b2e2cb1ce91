/* races: the protocols' tight spots, many times over.
 *  - join vs complete: a parent spawns a child and joins it at once; the
 *    child completes at once, or after a yield, on whichever worker stole
 *    it (the JOIN bit and COMPLETE race).
 *  - wake vs exit: a sender hands a value to a waiting receiver and exits
 *    immediately, while the receiver (woken on another worker) exits too.
 *  - cross-worker wake racing the end of a resume: the receiver's wake
 *    arrives while it is still RUNNING (NOTIFIED must re-queue it).
 *  - external close: a non-worker thread closes channels on which tasks
 *    are blocked.
 */
#include <pthread.h>
#include <unistd.h>

#include "rtest.h"

#define ROUNDS 20000

typedef struct {
    vx_frame base;
    int mode;
    long v;
} kid_f;

static vx_poll kid(vx_frame *self, vx_task *task) {
    LOC(at_yield);
    kid_f *f = (kid_f *)self;
    switch (f->base.state) {
    case 0:
        if (f->mode) {
            f->base.state = 1;
            if (vx_yield(&f->base, task, &at_yield) == VX_PENDING)
                return VX_PENDING;
        }
        /* fallthrough */
    case 1:
        f->v = 42;
    }
    return VX_READY;
}

typedef struct {
    vx_frame base;
    vx_chan *c;
    long v;
    vx_waiter w;
} tx_f;

static vx_poll tx(vx_frame *self, vx_task *task) {
    LOC(at_send);
    tx_f *f = (tx_f *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_chan_send(&f->base, task, f->c, &f->v, &f->w, &at_send) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:
        vx_chan_release(f->c);
    }
    return VX_READY;
}

static _Atomic long rx_sum;

static vx_poll rx(vx_frame *self, vx_task *task) {
    LOC(at_recv);
    tx_f *f = (tx_f *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_chan_recv(&f->base, task, f->c, &f->v, &f->w, &at_recv) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:
        if (f->w.status == VX_OK)
            atomic_fetch_add(&rx_sum, f->v);
        vx_chan_release(f->c);
    }
    return VX_READY;
}

typedef struct {
    vx_frame base;
    long i;
    vx_task *k;
} par_f;

static vx_poll parent(vx_frame *self, vx_task *task) {
    LOC(at_join);
    par_f *f = (par_f *)self;
    switch (f->base.state) {
    case 0:
        for (f->i = 0; f->i < ROUNDS; f->i++) {
            {
                kid_f *k = NEW_TASK(kid_f, kid);
                k->mode = (int)(f->i & 1);
                f->k = task_of(k);
                vx_spawn(f->k);
                /* wake vs exit: a detached sender/receiver pair per round */
                vx_chan *c = vx_chan_new(sizeof(long), 0);
                vx_chan_retain(c);
                tx_f *s = NEW_TASK(tx_f, tx);
                tx_f *r = NEW_TASK(tx_f, rx);
                s->c = r->c = c;
                s->v = 1;
                if (f->i & 2) {
                    vx_spawn_detached(task_of(s));
                    vx_spawn_detached(task_of(r));
                } else {
                    vx_spawn_detached(task_of(r));
                    vx_spawn_detached(task_of(s));
                }
            }
            f->base.state = 1;
            if (vx_join(&f->base, task, f->k, &at_join) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:
            CHECK_EQ(((kid_f *)vx_task_frame(f->k))->v, 42);
            vx_task_release(f->k);
        }
    }
    return VX_READY;
}

#define BLOCKED 200
static vx_chan *closing[BLOCKED];
static _Atomic long closed_seen;

static vx_poll blocked(vx_frame *self, vx_task *task) {
    LOC(at_recv);
    tx_f *f = (tx_f *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_chan_recv(&f->base, task, f->c, &f->v, &f->w, &at_recv) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:
        if (f->w.status == VX_ECLOSED)
            atomic_fetch_add(&closed_seen, 1);
        vx_chan_release(f->c);
    }
    return VX_READY;
}

int main(void) {
    vx_start(0);
    for (int rep = 0; rep < 2; rep++) {
        atomic_store(&rx_sum, 0);
        par_f *p = NEW_TASK(par_f, parent);
        vx_block_on(task_of(p));
        vx_task_release(task_of(p));
        for (int i = 0; i < 20000 && atomic_load(&rx_sum) != ROUNDS; i++)
            usleep(1000);
        CHECK_EQ(atomic_load(&rx_sum), ROUNDS);
    }
    /* external close of channels with blocked receivers */
    for (int i = 0; i < BLOCKED; i++) {
        closing[i] = vx_chan_new(sizeof(long), i % 2);
        vx_chan_retain(closing[i]);
        tx_f *b = NEW_TASK(tx_f, blocked);
        b->c = closing[i];
        vx_spawn_detached(task_of(b));
    }
    usleep(20000);
    for (int i = 0; i < BLOCKED; i++) {
        vx_chan_close(closing[i]);
        vx_chan_release(closing[i]);
    }
    for (int i = 0; i < 20000 && atomic_load(&closed_seen) != BLOCKED; i++)
        usleep(1000);
    CHECK_EQ(atomic_load(&closed_seen), BLOCKED);
    rt_clean_shutdown();
    return 0;
}
