/* io_watch: while a task runs without suspending, the other tasks' I/O
 * still completes on another worker (park.c, P6 and its fallback).
 *
 * Two workers. Task X waits for a byte on one socket, then spins until
 * task Y has run; Y waits for a byte on another socket. The bytes come
 * from a plain thread, X's first: the worker sleeping in the poller takes
 * X's event and runs X, which never suspends again, so nobody sits in the
 * poller any more, and no timer is armed. A worker leaving the poller no
 * longer wakes another one just to watch the fds (that wake-up per
 * epoll_wait was 30% of an HTTP server's CPU), so the idle worker sleeps
 * on its futex; its fallback (it wakes up by itself now and then, and
 * looks when tasks wait for I/O with the poller empty) must find Y's event
 * and run Y. Without the fallback this hangs: X would spin forever. */
#include <fcntl.h>
#include <pthread.h>
#include <sys/socket.h>

#include "rtest.h"

static int cfd[2];
static vx_sock *sk[2];
static _Atomic int y_done, x_spinning;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct {
    vx_frame base;
    int which;
    vx_net_op op;
} rd_f;

static vx_poll rd(vx_frame *self, vx_task *task) {
    LOC(at_rd);
    rd_f *f = (rd_f *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_net_read(&f->base, task, &f->op, sk[f->which], 16, &at_rd) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:
        CHECK_EQ(f->op.err.kind, 0);
        CHECK_EQ(f->op.data.len, 1);
        vx_net_op_drop(&f->op);
        if (f->which == 1) { /* Y */
            atomic_store(&y_done, 1);
        } else { /* X: spin (no suspension) until Y ran, for at most 20 s */
            atomic_store(&x_spinning, 1);
            double t0 = now_s();
            while (!atomic_load(&y_done))
                CHECK(now_s() - t0 < 20.0); /* nobody polled for Y: the fallback is broken */
        }
        f->base.state = 2;
    }
    return VX_READY;
}

static void sleep_ms(int ms) {
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}

int main(void) {
    int fds0 = rt_count_fds();
    vx_start(2);
    vx_task *t[2];
    for (int i = 0; i < 2; i++) {
        int sv[2];
        CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
        CHECK(fcntl(sv[1], F_SETFL, O_NONBLOCK) == 0);
        cfd[i] = sv[0];
        sk[i] = vx_sock_wrap(sv[1]);
        CHECK(sk[i]);
        t[i] = vx_task_new(sizeof(rd_f), rd, NULL);
        rd_f *f = (rd_f *)vx_task_frame(t[i]);
        memset((char *)f + sizeof(vx_frame), 0, sizeof *f - sizeof(vx_frame));
        f->which = i;
        vx_spawn(t[i]);
    }
    sleep_ms(50); /* both suspended in their reads, the workers idle */
    CHECK(write(cfd[0], "x", 1) == 1);
    while (!atomic_load(&x_spinning))
        sleep_ms(1);
    sleep_ms(20); /* the worker that runs X has left the poller for good */
    double t0 = now_s();
    CHECK(write(cfd[1], "y", 1) == 1);
    vx_join_sync(t[1]);
    vx_join_sync(t[0]);
    if (getenv("IO_WATCH_VERBOSE"))
        fprintf(stderr, "Y ran %.1f ms after its byte\n", (now_s() - t0) * 1e3);
    for (int i = 0; i < 2; i++) {
        vx_task_release(t[i]);
        vx_sock_close(sk[i]);
        close(cfd[i]);
    }
    rt_clean_shutdown_fds(fds0);
    return 0;
}
