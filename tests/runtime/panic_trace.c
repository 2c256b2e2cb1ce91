/* panic_trace: a panic inside a task prints "panic: <msg>", the " --> "
 * location, then the async backtrace: the innermost frame with the line it
 * last suspended at, then each awaiting frame with its await line; exit 101. */
#include "rtest.h"

static const vx_loc at_sleep = {"p.vx", 4, 3};
static const vx_loc at_panic = {"p.vx", 5, 3};
static const vx_loc at_call = {"p.vx", 9, 5};

typedef struct {
    vx_frame base;
    vx_timer t;
} leaf_f;

static vx_poll leaf(vx_frame *self, vx_task *task) {
    leaf_f *f = (leaf_f *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_sleep(&f->base, task, 1, &f->t, &at_sleep) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:
        vx_panic(&at_panic, "boom %d", 42);
    }
    return VX_READY;
}

typedef struct {
    vx_frame base;
    leaf_f callee;
} main_f;

static vx_poll mmain(vx_frame *self, vx_task *task) {
    main_f *f = (main_f *)self;
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

static void child(void) {
    static char *argv[] = {"p", NULL};
    vx_main(1, argv, vx_task_new(sizeof(main_f), mmain, NULL));
}

int main(void) {
    char out[1024], err[4096];
    int st = run_child(child, out, sizeof out, err, sizeof err);
    CHECK_EQ(st, 101);
    if (!strstr(err, "async backtrace"))
        fprintf(stderr, "child stderr:\n%s\n", err);
    CHECK(strncmp(err, "panic: boom 42\n --> p.vx:5:3\nasync backtrace (task ", 50) == 0);
    CHECK(strstr(err, "):\n    in p.vx:4:3\n    awaited by p.vx:9:5\n"));
    vx_start(1);
    rt_clean_shutdown();
    return 0;
}
