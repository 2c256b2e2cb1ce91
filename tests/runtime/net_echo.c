/* net_echo: an echo server on 127.0.0.1 (one task accepting, one task per
 * connection: read up to 64 KiB, write it all back, until the end of the
 * stream) and 100 concurrent clients, each a writer task sending 1 MiB in
 * 16 KiB writes and then half-closing, and a reader task checking every
 * byte of the echo in order until the end of the stream. No byte lost;
 * afterwards no task, fd, timer or allocation is left. */
#include "rtest.h"
#include "echo_task.h"

#ifndef CONNS
#define CONNS 100
#endif
#define BYTES (1 << 20)
#define CHUNK 16384

static inline unsigned char pat(long off, int c) { return (unsigned char)((off * 7 + c) % 251); }

static vx_sock *listener;
static vx_str *addr;


/* ---- async fn serve(n): accept n connections, one task each ---- */
typedef struct {
    vx_frame base;
    int i;
    vx_net_op op;
} serve_f;

static vx_poll serve(vx_frame *self, vx_task *task) {
    LOC(at_acc);
    serve_f *f = (serve_f *)self;
    switch (f->base.state) {
    case 0:
        for (f->i = 0; f->i < CONNS; f->i++) {
            f->base.state = 1;
            if (vx_net_accept(&f->base, task, &f->op, listener, &at_acc) == VX_PENDING)
                return VX_PENDING;
        /* fallthrough */
        case 1:
            CHECK_EQ(f->op.err.kind, 0);
            echo_spawn(vx_net_op_take_sock(&f->op), 65536, NULL);
        }
        vx_sock_close(listener);
    }
    return VX_READY;
}

/* ---- client: connect, then a writer and a reader on the stream ---- */
typedef struct {
    vx_frame base;
    vx_sock *s;
    int c;
    long off;
    vx_net_op op;
    unsigned char buf[CHUNK];
} writer_f;

static vx_poll writer(vx_frame *self, vx_task *task) {
    LOC(at_wr);
    writer_f *f = (writer_f *)self;
    switch (f->base.state) {
    case 0:
        for (f->off = 0; f->off < BYTES; f->off += CHUNK) {
            for (int i = 0; i < CHUNK; i++)
                f->buf[i] = pat(f->off + i, f->c);
            f->base.state = 1;
            if (vx_net_write(&f->base, task, &f->op, f->s, f->buf, CHUNK, &at_wr) == VX_PENDING)
                return VX_PENDING;
        /* fallthrough */
        case 1:
            CHECK_EQ(f->op.err.kind, 0);
        }
        vx_sock_shutdown_write(f->s);
    }
    return VX_READY;
}

typedef struct {
    vx_frame base;
    int c;
    long got;
    bool bad;
    vx_sock *s;
    vx_task *w;
    vx_net_op op;
} client_f;

static vx_poll client(vx_frame *self, vx_task *task) {
    LOC(at_conn);
    LOC(at_rd);
    LOC(at_join);
    client_f *f = (client_f *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_net_connect(&f->base, task, &f->op, addr, 5000, &at_conn) == VX_PENDING)
            return VX_PENDING;
    /* fallthrough */
    case 1:
        CHECK_EQ(f->op.err.kind, 0);
        f->s = vx_net_op_take_sock(&f->op);
        f->w = vx_task_new(sizeof(writer_f), writer, NULL);
        {
            writer_f *w = (writer_f *)vx_task_frame(f->w);
            memset((char *)w + sizeof(vx_frame), 0, sizeof *w - sizeof(vx_frame));
            w->s = f->s;
            w->c = f->c;
        }
        vx_spawn(f->w);
        for (;;) {
            f->base.state = 2;
            if (vx_net_read(&f->base, task, &f->op, f->s, 5000, &at_rd) == VX_PENDING)
                return VX_PENDING;
        /* fallthrough */
        case 2:
            CHECK_EQ(f->op.err.kind, 0);
            if (f->op.data.len == 0)
                break;
            for (size_t i = 0; i < f->op.data.len; i++)
                if (((unsigned char *)f->op.data.data)[i] != pat(f->got + (long)i, f->c))
                    f->bad = true;
            f->got += (long)f->op.data.len;
            vx_vec_free(&f->op.data);
        }
        f->base.state = 3;
        if (vx_join(&f->base, task, f->w, &at_join) == VX_PENDING)
            return VX_PENDING;
    /* fallthrough */
    case 3:
        vx_task_release(f->w);
        vx_sock_close(f->s);
    }
    return VX_READY;
}

/* The listener, opened from a task (listen is an async op). */
typedef struct {
    vx_frame base;
    vx_net_op op;
} listen_f;

static vx_poll do_listen(vx_frame *self, vx_task *task) {
    LOC(at_l);
    listen_f *f = (listen_f *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_net_listen(&f->base, task, &f->op, VX_STR_LIT("127.0.0.1:0"), &at_l) == VX_PENDING)
            return VX_PENDING;
    /* fallthrough */
    case 1:
        CHECK_EQ(f->op.err.kind, 0);
        listener = vx_net_op_take_sock(&f->op);
    }
    return VX_READY;
}

int main(void) {
    int fds0 = rt_count_fds();
    vx_start(0);
    listen_f *lf = NEW_TASK(listen_f, do_listen);
    memset(&lf->op, 0, sizeof lf->op);
    vx_block_on(task_of(lf));
    vx_task_release(task_of(lf));
    char a[64];
    snprintf(a, sizeof a, "127.0.0.1:%d", vx_sock_local_port(listener));
    addr = vx_str_from_cstr(a);

    serve_f *sf = NEW_TASK(serve_f, serve);
    memset(&sf->op, 0, sizeof sf->op);
    vx_spawn(task_of(sf));
    client_f *c[CONNS];
    for (int i = 0; i < CONNS; i++) {
        c[i] = NEW_TASK(client_f, client);
        memset((char *)c[i] + sizeof(vx_frame), 0, sizeof *c[i] - sizeof(vx_frame));
        c[i]->c = i;
        vx_spawn(task_of(c[i]));
    }
    for (int i = 0; i < CONNS; i++) {
        vx_join_sync(task_of(c[i]));
        CHECK_EQ(c[i]->got, BYTES);
        CHECK(!c[i]->bad);
        vx_task_release(task_of(c[i]));
    }
    vx_join_sync(task_of(sf));
    vx_task_release(task_of(sf));
    vx_str_release(addr);
    rt_clean_shutdown_fds(fds0);
    return 0;
}
