/* shutdown_io: vx_shutdown while a task waits for I/O. The task is dropped
 * (shutdown returns 1) and after a restart the runtime must not remember
 * it: no fd counted as open, no task counted as waiting for I/O (which
 * would make the deadlock detector believe forever that an event may still
 * come: a sync main blocked for good must still be reported).
 * Also: a task dropped while it waits on an fd its drop hook closes.
 * Regression: poll.c's io_open and io_waiting survived vx_shutdown. */
#include <fcntl.h>
#include <unistd.h>

#include "rtest.h"

typedef struct {
    vx_frame base;
    vx_io *io;
} rd_f;

static vx_poll reader(vx_frame *self, vx_task *task) {
    LOC(at_wait);
    rd_f *f = (rd_f *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_io_wait(&f->base, task, f->io, VX_IO_READ, &at_wait) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:;
    }
    return VX_READY;
}

/* Start, leave a task waiting on an empty pipe, shut down. */
static void drop_io_waiter(void) {
    int p[2];
    CHECK(pipe2(p, O_NONBLOCK) == 0);
    vx_start(2);
    rd_f *f = NEW_TASK(rd_f, reader);
    f->io = vx_io_open(p[0]);
    CHECK(f->io);
    vx_spawn(task_of(f));
    /* until it has suspended on the pipe */
    while (atomic_load(&task_of(f)->state) & 3u) /* NOTIFIED or RUNNING */
        ;
    CHECK_EQ(f->base.state, 1); /* suspended (the acquire load above orders it) */
    CHECK_EQ(vx_shutdown(), 1);
    close(p[0]);
    close(p[1]);
}

/* After the restart: a sync main blocked for good is a deadlock. */
static void deadlocked_main(void) {
    alarm(10); /* a missed report would hang: die by SIGALRM instead */
    drop_io_waiter();
    vx_main_thread();
    vx_start(2);
    vx_chan *c = vx_chan_new(sizeof(long), 0);
    long v;
    vx_chan_recv_sync(c, &v);
    printf("not reached\n");
}

/* A frame that owns its fd closes it in its drop hook, as generated code
 * does for a value it owns: at shutdown the task is dropped while it still
 * waits on that fd. (vx_io_close asserted "no waiter" and aborted the
 * shutdown.) */
static void close_owned(vx_frame *root) { vx_io_close(((rd_f *)root)->io); }

static void drop_io_owner(void) {
    int p[2];
    CHECK(pipe2(p, O_NONBLOCK) == 0);
    vx_start(2);
    vx_task *t = vx_task_new(sizeof(rd_f), reader, close_owned);
    rd_f *f = (rd_f *)vx_task_frame(t);
    f->io = vx_io_open(p[0]); /* the hook closes p[0] */
    CHECK(f->io);
    vx_spawn_detached(t);
    vx_stats st;
    for (int i = 0; i < 10000; i++) { /* until it has suspended on the pipe */
        vx_stats_get(&st);
        if (st.polls >= 1 && st.tasks_live == 1)
            break;
        usleep(1000);
    }
    usleep(10000);
    CHECK_EQ(vx_shutdown(), 1);
    close(p[1]);
    CHECK_EQ(vx_alloc_live(), 0);
}

int main(void) {
    static char out[4096], err[65536];
    int status = run_child(deadlocked_main, out, sizeof out, err, sizeof err);
    if (status != 2 || !strstr(err, "fatal: all tasks are asleep - deadlock!")) {
        fprintf(stderr, "child: exit %d\nstdout: %s\nstderr: %.2000s\n", status, out, err);
        CHECK(0);
    }

    drop_io_owner();
    drop_io_waiter();
    vx_start(2);
    vx_stats st;
    vx_stats_get(&st);
    CHECK_EQ(st.io_open, 0);
    rt_clean_shutdown();
    return 0;
}
