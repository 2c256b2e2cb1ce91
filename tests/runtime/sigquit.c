/* sigquit: SIGQUIT prints the task dump (every task, its state, the line
 * it is suspended at and its await chain) and the program goes on: main
 * spawns a task that awaits an embedded callee suspended on a channel,
 * sleeps while a helper task raises SIGQUIT, then sends so everything
 * finishes; exit 0. */
#include <signal.h>

#include "rtest.h"

static const vx_loc at_leaf = {"q.vx", 3, 9};
static const vx_loc at_call = {"q.vx", 8, 5};
static const vx_loc at_sleep = {"q.vx", 14, 5};
static const vx_loc at_send = {"q.vx", 15, 5};
static const vx_loc at_join = {"q.vx", 16, 5};

typedef struct {
    vx_frame base;
    vx_chan *c;
    long v;
    vx_waiter w;
} leaf_f;

static vx_poll leaf(vx_frame *self, vx_task *task) {
    leaf_f *f = (leaf_f *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_chan_recv(&f->base, task, f->c, &f->v, &f->w, &at_leaf) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:;
    }
    return VX_READY;
}

typedef struct {
    vx_frame base;
    leaf_f callee;
} mid_f;

static vx_poll mid(vx_frame *self, vx_task *task) {
    mid_f *f = (mid_f *)self;
    switch (f->base.state) {
    case 0:
        vx_frame_init(&f->callee.base, leaf, &f->base);
        f->base.at = &at_call;
        f->base.state = 1;
        if (leaf(&f->callee.base, task) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:;
    }
    return VX_READY;
}

typedef struct {
    vx_frame base;
    vx_chan *c;
    vx_task *t;
    long v;
    vx_timer tm;
    vx_waiter w;
} main_f;

/* Raise SIGQUIT once main and the other task are both suspended, so that
 * the dump must show where they wait (raising it from main itself let a
 * second worker print the dump while main was still running: under load the
 * test saw main "[running]"). */
typedef struct {
    vx_frame base;
    vx_task *main, *other;
} quit_f;

static vx_poll quitter(vx_frame *self, vx_task *task) {
    LOC(at_yield);
    quit_f *f = (quit_f *)self;
    switch (f->base.state) {
    case 0:
        while ((atomic_load(&f->main->state) & 3u) || (atomic_load(&f->other->state) & 3u)) {
            f->base.state = 1; /* NOTIFIED or RUNNING: not suspended yet */
            if (vx_yield(&f->base, task, &at_yield) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:;
        }
        raise(SIGQUIT);
    }
    return VX_READY;
}

static vx_poll mmain(vx_frame *self, vx_task *task) {
    main_f *f = (main_f *)self;
    switch (f->base.state) {
    case 0: {
        f->c = vx_chan_new(sizeof(long), 0);
        mid_f *m = NEW_TASK(mid_f, mid);
        m->callee.c = f->c;
        f->t = task_of(m);
        vx_spawn(f->t);
        f->base.state = 1;
        if (vx_sleep(&f->base, task, 50, &f->tm, &at_sleep) == VX_PENDING)
            return VX_PENDING;
    }
        /* fallthrough */
    case 1: {
        quit_f *q = NEW_TASK(quit_f, quitter);
        q->main = task;
        q->other = f->t;
        vx_spawn_detached(task_of(q));
        f->base.state = 2;
    }
        if (vx_sleep(&f->base, task, 500, &f->tm, &at_sleep) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 2:
        f->v = 7;
        f->base.state = 3;
        if (vx_chan_send(&f->base, task, f->c, &f->v, &f->w, &at_send) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 3:
        f->base.state = 4;
        if (vx_join(&f->base, task, f->t, &at_join) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 4:
        vx_task_release(f->t);
        vx_chan_release(f->c);
        printf("done\n");
    }
    return VX_READY;
}

static void child(void) {
    static char *argv[] = {"q", NULL};
    vx_main(1, argv, vx_task_new(sizeof(main_f), mmain, NULL));
}

int main(void) {
    char out[4096], err[8192];
    int st = run_child(child, out, sizeof out, err, sizeof err);
    if (st != 0 || !strstr(err, "q.vx:3:9"))
        fprintf(stderr, "child stderr:\n%s\n", err);
    CHECK_EQ(st, 0);
    CHECK(strcmp(out, "done\n") == 0);
    CHECK(strstr(err, "vexrt: task dump"));
    CHECK(strstr(err, "[suspended] at q.vx:3:9\n    awaited by q.vx:8:5\n"));
    CHECK(strstr(err, "q.vx:14:5")); /* main, sleeping */
    vx_start(1);
    rt_clean_shutdown();
    return 0;
}
