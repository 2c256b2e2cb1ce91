/* deadlock_race: no false deadlock report while a sync main thread
 * (vx_main_thread) runs a stream of sync channel receives from a task that
 * sends on a rendezvous channel. Between two receives every worker may be
 * idle with the sender blocked and nothing queued: that is not a deadlock,
 * because main is running (it has just taken a value and is about to ask
 * for the next). The detector must not mistake "main stopped waiting and
 * released its finished operation" for "main waits for a task that is not
 * complete".
 * Regression: all_asleep (park.c) read main_waiting, then the state word of
 * main's task, without excluding the main thread in between; the main
 * thread could clear main_waiting and free that task (state 0: "not
 * complete") between the two loads, and the program died with "fatal: all
 * tasks are asleep - deadlock!". */
#include "rtest.h"

#define N 3000
#define RUNS 16

/* The test build's interleaving hook (park.c): called by the deadlock test
 * between its load of main_waiting and its load of main's task state. When
 * that task is already complete, hold the worker there (bounded) until the
 * main thread has moved on and freed it: the interleaving of the bug,
 * forced instead of waited for. */
extern void (*vx__test_hook)(int where, void *arg);
static void hold_until_freed(int where, void *arg) {
    if (where != 1)
        return;
    vx_task *t = arg;
    if (!(atomic_load(&t->state) & 4u)) /* COMPLETE */
        return;
    int64_t limit = vx_now_ns() + 300000;
    while ((atomic_load(&t->state) & 4u) && vx_now_ns() < limit)
        ;
}

typedef struct {
    vx_frame base;
    vx_chan *c;
    long i;
    vx_waiter w;
} tx_f;

static vx_poll sender(vx_frame *self, vx_task *task) {
    LOC(at_send);
    tx_f *f = (tx_f *)self;
    switch (f->base.state) {
    case 0:
        for (f->i = 0; f->i < N; f->i++) {
            f->base.state = 1;
            if (vx_chan_send(&f->base, task, f->c, &f->i, &f->w, &at_send) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:
            CHECK_EQ(f->w.status, VX_OK);
        }
    }
    return VX_READY;
}

static void child(void) {
    vx__test_hook = hold_until_freed;
    vx_main_thread();
    vx_start(0);
    vx_chan *c = vx_chan_new(sizeof(long), 0);
    tx_f *s = NEW_TASK(tx_f, sender);
    s->c = c;
    vx_spawn(task_of(s));
    long sum = 0;
    for (long i = 0; i < N; i++) {
        long v = -1;
        CHECK_EQ(vx_chan_recv_sync(c, &v), VX_OK);
        CHECK_EQ(v, i);
        sum += v;
    }
    vx_join_sync(task_of(s));
    vx_task_release(task_of(s));
    vx_chan_release(c);
    CHECK_EQ(sum, (long)N * (N - 1) / 2);
    vx__test_hook = NULL;
    rt_clean_shutdown();
}

int main(void) {
    static char out[4096], err[65536];
    for (int r = 0; r < RUNS; r++) {
        int st = run_child(child, out, sizeof out, err, sizeof err);
        if (st != 0 || strcmp(out, "ok\n") != 0) {
            fprintf(stderr, "run %d: exit %d\nstdout: %s\nstderr: %.2000s\n", r, st, out, err);
            CHECK(0);
        }
    }
    printf("ok\n");
    return 0;
}
