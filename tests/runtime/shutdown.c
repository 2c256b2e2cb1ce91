/* shutdown: vx_shutdown with tasks still alive drops every one of them
 * (their drop hooks run and free what the frames own), cancels their armed
 * timers, returns how many there were, and leaves no allocation; the
 * runtime can then start again and end clean. */
#include <unistd.h>

#include "rtest.h"

#define N 100

static _Atomic int dropped;

typedef struct {
    vx_frame base;
    char *owned; /* freed by the drop hook */
    vx_timer t;
    vx_task *target;
} f_t;

static void drop(vx_frame *root) {
    f_t *f = (f_t *)root;
    vx_free(f->owned);
    atomic_fetch_add(&dropped, 1);
}

static vx_poll sleeper(vx_frame *self, vx_task *task) {
    LOC(at_sleep);
    f_t *f = (f_t *)self;
    if (f->base.state == 0) {
        f->base.state = 1;
        if (vx_sleep(&f->base, task, 600000, &f->t, &at_sleep) == VX_PENDING)
            return VX_PENDING;
    }
    return VX_READY;
}

static vx_poll joiner(vx_frame *self, vx_task *task) {
    LOC(at_join);
    f_t *f = (f_t *)self;
    if (f->base.state == 0) {
        f->base.state = 1;
        if (vx_join(&f->base, task, f->target, &at_join) == VX_PENDING)
            return VX_PENDING;
    }
    vx_task_release(f->target);
    return VX_READY;
}

int main(void) {
    vx_start(0);
    for (int i = 0; i < N; i++) {
        vx_task *s = vx_task_new(sizeof(f_t), sleeper, drop);
        ((f_t *)vx_task_frame(s))->owned = vx_alloc(100);
        vx_spawn(s);
        vx_task *j = vx_task_new(sizeof(f_t), joiner, drop);
        ((f_t *)vx_task_frame(j))->owned = vx_alloc(100);
        ((f_t *)vx_task_frame(j))->target = s; /* the joiner owns s's handle */
        vx_spawn_detached(j);
    }
    vx_stats st;
    for (int i = 0; i < 10000; i++) { /* until every task is suspended */
        vx_stats_get(&st);
        if (st.timers_armed == N)
            break;
        usleep(1000);
    }
    CHECK_EQ(st.timers_armed, N);
    CHECK_EQ(st.tasks_live, 2 * N);
    CHECK_EQ(vx_shutdown(), 2 * N);
    CHECK_EQ(atomic_load(&dropped), 2 * N);
    CHECK_EQ(vx_alloc_live(), 0);

    vx_start(2);
    vx_task *s = vx_task_new(sizeof(f_t), sleeper, drop);
    ((f_t *)vx_task_frame(s))->owned = vx_alloc(1);
    ((f_t *)vx_task_frame(s))->base.state = 1; /* "already slept": completes at once */
    vx_block_on(s);
    vx_task_release(s);
    CHECK_EQ(atomic_load(&dropped), 2 * N + 1);
    rt_clean_shutdown();
    return 0;
}
