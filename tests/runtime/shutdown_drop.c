/* shutdown_drop: vx_shutdown drops tasks whose drop hooks release what the
 * frame owns, as vexrt.h asks of generated code, and a frame may own
 * another task's handle (a child spawned and not yet joined), a channel
 * whose close wakes other dropped tasks, or a large frame. Each parent here
 * owns a child's handle and closes a channel its child waits on; the
 * hooks release and close in whatever order the teardown visits them.
 * Every task must be dropped exactly once, with no deadlock and no
 * allocation left.
 * Regression: the teardown ran the hooks while holding the slab lock,
 * which vx_task_release takes to free a block (a self-deadlock), and a
 * release or wake of a task dropped earlier in the walk asserted or
 * dropped it twice. */
#include <stddef.h>
#include <unistd.h>

#include "rtest.h"

#define N 50

static _Atomic int dropped;

typedef struct {
    vx_frame base;
    vx_chan *c;      /* owned: released (parent: closed first) by the drop hook */
    vx_task *child;  /* parent: owned handle, released by the drop hook */
    long v;
    vx_waiter w;
    char big[5000];  /* odd parents are large tasks (a block of their own) */
} f_t;

static void drop(vx_frame *root) {
    f_t *f = (f_t *)root;
    if (f->child) {
        vx_chan_close(f->c); /* wakes the child if it is still waiting */
        vx_task_release(f->child);
    }
    vx_chan_release(f->c);
    atomic_fetch_add(&dropped, 1);
}

static vx_poll waiter(vx_frame *self, vx_task *task) {
    LOC(at_recv);
    f_t *f = (f_t *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_chan_recv(&f->base, task, f->c, &f->v, &f->w, &at_recv) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:;
    }
    return VX_READY;
}

int main(void) {
    alarm(20); /* a deadlock in vx_shutdown: fail rather than hang the suite */
    vx_start(0);
    for (int i = 0; i < N; i++) {
        size_t size = i % 2 ? sizeof(f_t) : offsetof(f_t, big);
        vx_task *child = vx_task_new(size, waiter, drop);
        f_t *cf = (f_t *)vx_task_frame(child);
        cf->c = vx_chan_new(sizeof(long), 0);
        cf->child = NULL;
        vx_chan_retain(cf->c); /* one reference for the parent */
        vx_task *parent = vx_task_new(size, waiter, drop);
        f_t *pf = (f_t *)vx_task_frame(parent);
        pf->c = cf->c;
        pf->child = child;
        vx_spawn(child);
        vx_spawn_detached(parent); /* it waits on its child's channel too */
    }
    vx_stats st;
    for (int i = 0; i < 10000; i++) {
        vx_stats_get(&st);
        if (st.polls >= 2 * N && st.tasks_live == 2 * N)
            break;
        usleep(1000);
    }
    usleep(20000);
    CHECK_EQ(vx_shutdown(), 2 * N);
    CHECK_EQ(atomic_load(&dropped), 2 * N);
    CHECK_EQ(vx_alloc_live(), 0);
    vx_start(2);
    rt_clean_shutdown();
    return 0;
}
