/* echo_task.h - the echo task of the runtime's net tests (net_echo,
 * io_fair): an async fn that reads up to `chunk` bytes and writes them
 * back, until the end of the stream; then it closes its socket and, if
 * `done` is set, counts itself there. Include after rtest.h. */
#ifndef ECHO_TASK_H
#define ECHO_TASK_H

typedef struct {
    vx_frame base;
    vx_sock *s;
    size_t chunk;
    _Atomic int *done;
    vx_vec data;
    vx_net_op op;
} echo_f;

static vx_poll echo(vx_frame *self, vx_task *task) {
    LOC(at_rd);
    LOC(at_wr);
    echo_f *f = (echo_f *)self;
    switch (f->base.state) {
    case 0:
        for (;;) {
            f->base.state = 1;
            if (vx_net_read(&f->base, task, &f->op, f->s, f->chunk, &at_rd) == VX_PENDING)
                return VX_PENDING;
        /* fallthrough */
        case 1:
            CHECK_EQ(f->op.err.kind, 0);
            f->data = vx_net_op_take_data(&f->op);
            if (f->data.len == 0)
                break;
            f->base.state = 2;
            if (vx_net_write(&f->base, task, &f->op, f->s, f->data.data, f->data.len, &at_wr) ==
                VX_PENDING)
                return VX_PENDING;
        /* fallthrough */
        case 2:
            CHECK_EQ(f->op.err.kind, 0);
            vx_vec_free(&f->data);
        }
        vx_vec_free(&f->data);
        vx_sock_close(f->s);
        if (f->done)
            atomic_fetch_add(f->done, 1);
    }
    return VX_READY;
}

/* A detached echo task on s (which it owns). */
static void echo_spawn(vx_sock *s, size_t chunk, _Atomic int *done) {
    vx_task *t = vx_task_new(sizeof(echo_f), echo, NULL);
    echo_f *e = (echo_f *)vx_task_frame(t);
    memset((char *)e + sizeof(vx_frame), 0, sizeof *e - sizeof(vx_frame));
    e->s = s;
    e->chunk = chunk;
    e->done = done;
    vx_spawn_detached(t);
}

#endif
