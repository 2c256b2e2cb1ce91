/* io: 8 pipes, each with a writer task pushing 1 MiB in 4 KiB writes and a
 * reader task draining it in 1000-byte reads, both on non-blocking fds
 * registered once (edge-triggered) and waiting with vx_io_wait on EAGAIN:
 * every byte arrives, in order; then the fds are closed. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "rtest.h"

#define PAIRS 8
#define BYTES (1 << 20)

typedef struct {
    vx_frame base;
    vx_io *io;
    long done;
    unsigned char buf[4096];
} wr_f;

static vx_poll writer(vx_frame *self, vx_task *task) {
    LOC(at_wait);
    wr_f *f = (wr_f *)self;
    switch (f->base.state) {
    case 0:
        while (f->done < BYTES) {
            for (int i = 0; i < 4096; i++)
                f->buf[i] = (unsigned char)((f->done + i) % 251);
            for (;;) {
                ssize_t n = write(vx_io_fd(f->io), f->buf, 4096);
                if (n > 0) {
                    f->done += n;
                    /* a partial write: shift the rest (never happens for pipes at 4 KiB) */
                    CHECK_EQ(n, 4096);
                    break;
                }
                CHECK(n < 0 && errno == EAGAIN);
                f->base.state = 1;
                if (vx_io_wait(&f->base, task, f->io, VX_IO_WRITE, &at_wait) == VX_PENDING)
                    return VX_PENDING;
                /* fallthrough */
            case 1:;
            }
        }
        vx_io_close(f->io);
    }
    return VX_READY;
}

typedef struct {
    vx_frame base;
    vx_io *io;
    long got;
    bool bad;
} rd_f;

static vx_poll reader(vx_frame *self, vx_task *task) {
    LOC(at_wait);
    rd_f *f = (rd_f *)self;
    unsigned char buf[1000];
    switch (f->base.state) {
    case 0:
        for (;;) {
            ssize_t n = read(vx_io_fd(f->io), buf, sizeof buf);
            if (n == 0)
                break;
            if (n > 0) {
                for (ssize_t i = 0; i < n; i++)
                    if (buf[i] != (unsigned char)((f->got + i) % 251))
                        f->bad = true;
                f->got += n;
                continue;
            }
            CHECK(errno == EAGAIN);
            f->base.state = 1;
            if (vx_io_wait(&f->base, task, f->io, VX_IO_READ, &at_wait) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:;
        }
        vx_io_close(f->io);
    }
    return VX_READY;
}

int main(void) {
    vx_start(0);
    vx_task *t[2 * PAIRS];
    rd_f *r[PAIRS];
    for (int i = 0; i < PAIRS; i++) {
        int p[2];
        CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
        r[i] = NEW_TASK(rd_f, reader);
        r[i]->io = vx_io_open(p[0]);
        r[i]->got = 0;
        r[i]->bad = false;
        wr_f *w = NEW_TASK(wr_f, writer);
        w->io = vx_io_open(p[1]);
        w->done = 0;
        CHECK(r[i]->io && w->io);
        t[2 * i] = task_of(r[i]);
        t[2 * i + 1] = task_of(w);
    }
    for (int i = 0; i < 2 * PAIRS; i++)
        vx_spawn(t[i]);
    for (int i = 0; i < 2 * PAIRS; i++) {
        while (!(atomic_load(&t[i]->state) & 4u)) /* COMPLETE */
            usleep(1000);
    }
    for (int i = 0; i < PAIRS; i++) {
        CHECK_EQ(r[i]->got, BYTES);
        CHECK(!r[i]->bad);
    }
    for (int i = 0; i < 2 * PAIRS; i++)
        vx_task_release(t[i]);
    rt_clean_shutdown();
    return 0;
}
