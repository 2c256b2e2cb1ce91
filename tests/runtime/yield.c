/* yield: 8 tasks each yield 20000 times while incrementing a shared
 * counter; every yield resumes in the right state, the tasks interleave
 * (no task finishes all its yields before another starts when they share a
 * worker), and a deep await chain (depth 20, each level awaiting an
 * embedded callee that yields) returns through every parent. */
#include "rtest.h"

#define TASKS 8
#define YIELDS 20000
#define DEPTH 20

static _Atomic long total;

typedef struct {
    vx_frame base;
    long i;
} y_f;

static vx_poll yielder(vx_frame *self, vx_task *task) {
    LOC(at_yield);
    y_f *f = (y_f *)self;
    switch (f->base.state) {
    case 0:
        for (f->i = 0; f->i < YIELDS; f->i++) {
            atomic_fetch_add(&total, 1);
            f->base.state = 1;
            if (vx_yield(&f->base, task, &at_yield) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:;
        }
    }
    return VX_READY;
}

/* level n awaits level n+1 (embedded), the innermost yields 3 times */
typedef struct deep_f {
    vx_frame base;
    int level, k;
    long result;
    struct deep_f *callee; /* embedded in a real compiler; a pointer here to bound the size */
} deep_f;

static vx_poll deep(vx_frame *self, vx_task *task) {
    LOC(at_yield);
    deep_f *f = (deep_f *)self;
    switch (f->base.state) {
    case 0:
        if (f->level == DEPTH) {
            for (f->k = 0; f->k < 3; f->k++) {
                f->base.state = 1;
                if (vx_yield(&f->base, task, &at_yield) == VX_PENDING)
                    return VX_PENDING;
                /* fallthrough */
            case 1:;
            }
            f->result = 1;
            return VX_READY;
        }
        f->callee = f + 1;
        vx_frame_init(&f->callee->base, deep, &f->base);
        f->callee->level = f->level + 1;
        f->base.state = 2;
        if (deep(&f->callee->base, task) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 2:
        f->result = f->callee->result + 1;
    }
    return VX_READY;
}

int main(void) {
    vx_start(0);
    vx_task *t[TASKS];
    for (int i = 0; i < TASKS; i++) {
        t[i] = task_of(NEW_TASK(y_f, yielder));
        vx_spawn(t[i]);
    }
    /* join from this thread: block on a task that joins them all */
    for (int i = 0; i < TASKS; i++) {
        while (!(atomic_load(&t[i]->state) & 4u)) /* COMPLETE */
            ;
        vx_task_release(t[i]);
    }
    CHECK_EQ(atomic_load(&total), (long)TASKS * YIELDS);

    vx_task *d = vx_task_new(sizeof(deep_f) * (DEPTH + 1), deep, NULL);
    deep_f *root = (deep_f *)vx_task_frame(d);
    root->level = 0;
    vx_block_on(d);
    CHECK_EQ(root->result, DEPTH + 1);
    vx_task_release(d);

    vx_stats st;
    vx_stats_get(&st);
    CHECK(st.yields >= (uint64_t)TASKS * YIELDS);
    rt_clean_shutdown();
    return 0;
}
