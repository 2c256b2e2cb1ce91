/* deadlock: a program (vx_main) whose main task waits to receive on a
 * channel that nobody will ever send on, while another task waits to join
 * main's... no: waits on a second channel. Nothing is runnable, no timer,
 * no I/O: the runtime prints "fatal: all tasks are asleep - deadlock!" and
 * the task dump (each task with the line it is suspended at) and exits 2.
 * A program whose main sleeps (a timer is armed) is NOT a deadlock. A sync
 * main (vx_main_thread) blocked in a sync channel receive is watched too. */
#include "rtest.h"

typedef struct {
    vx_frame base;
    vx_chan *c;
    long v;
    vx_waiter w;
} rx_f;

static const vx_loc at_other = {"deadlock.vx", 7, 5};
static const vx_loc at_main = {"deadlock.vx", 12, 9};

static vx_poll other(vx_frame *self, vx_task *task) {
    rx_f *f = (rx_f *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_chan_recv(&f->base, task, f->c, &f->v, &f->w, &at_other) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:;
    }
    return VX_READY;
}

static vx_poll mmain(vx_frame *self, vx_task *task) {
    rx_f *f = (rx_f *)self;
    switch (f->base.state) {
    case 0: {
        rx_f *o = NEW_TASK(rx_f, other);
        o->c = vx_chan_new(sizeof(long), 0);
        vx_spawn_detached(task_of(o));
        f->c = vx_chan_new(sizeof(long), 0);
        f->base.state = 1;
        if (vx_chan_recv(&f->base, task, f->c, &f->v, &f->w, &at_main) == VX_PENDING)
            return VX_PENDING;
    }
        /* fallthrough */
    case 1:;
    }
    return VX_READY;
}

static void child(void) {
    static char *argv[] = {"deadlock", NULL};
    vx_task *t = vx_task_new(sizeof(rx_f), mmain, NULL);
    printf("started\n");
    vx_main(1, argv, t);
}

typedef struct {
    vx_frame base;
    vx_timer t;
} nap_f;

static vx_poll nap(vx_frame *self, vx_task *task) {
    LOC(at_sleep);
    nap_f *f = (nap_f *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_sleep(&f->base, task, 100, &f->t, &at_sleep) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:
        printf("woke\n");
        vx_set_exit_status(3);
    }
    return VX_READY;
}

static void sleeper_child(void) {
    static char *argv[] = {"nap", NULL};
    vx_main(1, argv, vx_task_new(sizeof(nap_f), nap, NULL));
}

/* sync main: blocked receiving from a channel nobody will send on */
static void sync_child(void) {
    vx_main_thread();
    vx_start(2);
    vx_chan *c = vx_chan_new(sizeof(long), 0);
    long v;
    printf("waiting\n");
    vx_chan_recv_sync(c, &v);
    printf("not reached\n");
}

int main(void) {
    char out[4096], err[8192];
    int st = run_child(child, out, sizeof out, err, sizeof err);
    CHECK_EQ(st, 2);
    CHECK(strcmp(out, "started\n") == 0);
    CHECK(strncmp(err, "fatal: all tasks are asleep - deadlock!\n", 40) == 0);
    CHECK(strstr(err, "[suspended] at deadlock.vx:7:5"));
    CHECK(strstr(err, "[suspended] at deadlock.vx:12:9"));

    st = run_child(sleeper_child, out, sizeof out, err, sizeof err);
    CHECK_EQ(st, 3);
    CHECK(strcmp(out, "woke\n") == 0);
    if (err[0])
        fprintf(stderr, "unexpected stderr: %s\n", err);
    CHECK(err[0] == 0);

    st = run_child(sync_child, out, sizeof out, err, sizeof err);
    CHECK_EQ(st, 2);
    CHECK(strcmp(out, "waiting\n") == 0);
    CHECK(strncmp(err, "fatal: all tasks are asleep - deadlock!\n", 40) == 0);
    CHECK(strstr(err, "[suspended] at <sync channel operation>"));

    vx_start(1);
    rt_clean_shutdown();
    return 0;
}
