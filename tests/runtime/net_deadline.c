/* net_deadline: read deadlines racing data. 32 connections; on each a
 * writer task sends 300 single bytes with a 0-2 ms sleep between them, and
 * a reader task reads with a 1 ms read timeout, retrying after every
 * TimedOut, until the end of the stream. The timer's fire and the poller's
 * event race for the same readiness word thousands of times: every byte
 * must arrive exactly once and in order, every wake-up must be single (a
 * doubled one would resume a frame twice: the state checks catch it), and
 * nothing is left at the end. Timeouts are counted, not asserted. */
#include "rtest.h"

#define CONNS 32
#define BYTES 300

static vx_sock *listener;
static vx_str *addr;
static _Atomic long timeouts;

typedef struct {
    vx_frame base;
    vx_sock *s;
    int i;
    unsigned seed;
    unsigned char b;
    vx_timer tm;
    vx_net_op op;
} writer_f;

static vx_poll writer(vx_frame *self, vx_task *task) {
    LOC(at_w);
    LOC(at_s);
    writer_f *f = (writer_f *)self;
    switch (f->base.state) {
    case 0:
        for (f->i = 0; f->i < BYTES; f->i++) {
            f->b = (unsigned char)f->i;
            f->base.state = 1;
            if (vx_net_write(&f->base, task, &f->op, f->s, &f->b, 1, &at_w) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:
            CHECK_EQ(f->op.err.kind, 0);
            f->base.state = 2;
            if (vx_sleep_ns(&f->base, task, (int64_t)(rand_r(&f->seed) % 2000000), &f->tm, &at_s) ==
                VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 2:;
        }
        vx_sock_close(f->s);
        f->base.state = 3;
        break;
    default:
        CHECK(!"resumed after completion");
    }
    return VX_READY;
}

typedef struct {
    vx_frame base;
    vx_sock *s;
    long got;
    bool bad;
    vx_net_op op;
} reader_f;

static vx_poll reader(vx_frame *self, vx_task *task) {
    LOC(at_r);
    LOC(at_c);
    reader_f *f = (reader_f *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_net_connect(&f->base, task, &f->op, addr, 5000, &at_c) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:
        CHECK_EQ(f->op.err.kind, 0);
        f->s = vx_net_op_take_sock(&f->op);
        vx_sock_set_timeouts(f->s, 1, 0);
        for (;;) {
            f->base.state = 2;
            if (vx_net_read(&f->base, task, &f->op, f->s, 64, &at_r) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 2:
            if (f->op.err.kind == VX_IOK_TIMED_OUT) {
                atomic_fetch_add(&timeouts, 1);
                continue;
            }
            CHECK_EQ(f->op.err.kind, 0);
            if (f->op.data.len == 0)
                break;
            for (size_t i = 0; i < f->op.data.len; i++)
                if (((unsigned char *)f->op.data.data)[i] != (unsigned char)(f->got + (long)i))
                    f->bad = true;
            f->got += (long)f->op.data.len;
            vx_vec_free(&f->op.data);
        }
        vx_sock_close(f->s);
        f->base.state = 3;
        break;
    default:
        CHECK(!"resumed after completion");
    }
    return VX_READY;
}

typedef struct {
    vx_frame base;
    int n;
    vx_net_op op;
} acc_f;

static vx_poll acceptor(vx_frame *self, vx_task *task) {
    LOC(at_a);
    LOC(at_l);
    acc_f *f = (acc_f *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_net_listen(&f->base, task, &f->op, VX_STR_LIT("127.0.0.1:0"), &at_l) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:
        CHECK_EQ(f->op.err.kind, 0);
        listener = vx_net_op_take_sock(&f->op);
        {
            char b[64];
            snprintf(b, sizeof b, "127.0.0.1:%d", vx_sock_local_port(listener));
            __atomic_store_n(&addr, vx_str_from_cstr(b), __ATOMIC_RELEASE);
        }
        for (f->n = 0; f->n < CONNS; f->n++) {
            f->base.state = 2;
            if (vx_net_accept(&f->base, task, &f->op, listener, &at_a) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 2:
            CHECK_EQ(f->op.err.kind, 0);
            vx_task *t = vx_task_new(sizeof(writer_f), writer, NULL);
            writer_f *w = (writer_f *)vx_task_frame(t);
            memset((char *)w + sizeof(vx_frame), 0, sizeof *w - sizeof(vx_frame));
            w->s = vx_net_op_take_sock(&f->op);
            w->seed = (unsigned)f->n * 7919u + 1;
            vx_spawn_detached(t);
        }
        vx_sock_close(listener);
    }
    return VX_READY;
}

int main(void) {
    int fds0 = rt_count_fds();
    vx_start(0);
    acc_f *a = NEW_TASK(acc_f, acceptor);
    memset(&a->op, 0, sizeof a->op);
    vx_spawn(task_of(a));
    while (!__atomic_load_n(&addr, __ATOMIC_ACQUIRE))
        usleep(1000);
    reader_f *r[CONNS];
    for (int i = 0; i < CONNS; i++) {
        r[i] = NEW_TASK(reader_f, reader);
        memset((char *)r[i] + sizeof(vx_frame), 0, sizeof *r[i] - sizeof(vx_frame));
        vx_spawn(task_of(r[i]));
    }
    for (int i = 0; i < CONNS; i++) {
        vx_join_sync(task_of(r[i]));
        CHECK_EQ(r[i]->got, BYTES);
        CHECK(!r[i]->bad);
        vx_task_release(task_of(r[i]));
    }
    vx_join_sync(task_of(a));
    vx_task_release(task_of(a));
    vx_str_release(addr);
    fprintf(stderr, "%ld read timeouts\n", atomic_load(&timeouts));
    rt_clean_shutdown_fds(fds0);
    return 0;
}
