/*
 * poll.c - I/O readiness for tasks: the portable half of the poller.
 *
 * BACKEND CONTRACT (one file per OS; poll_epoll.c for Linux):
 *   int  vx__pollb_init(void)      create the kernel queue and a wake-up
 *                                  channel; 0 or -errno.
 *   void vx__pollb_close(void)     release both.
 *   int  vx__pollb_add(fd, udata)  register fd ONCE for its whole life,
 *                                  edge-triggered, for read and write
 *                                  readiness (and hang-up); 0 or -errno.
 *   int  vx__pollb_del(fd)         deregister before close.
 *   int  vx__pollb_wait(ms, ev, max)  block up to ms (-1 forever, 0 poll)
 *                                  and store up to max events; wake-up
 *                                  channel events are consumed, not stored.
 *   void vx__pollb_wakeup(void)    make a concurrent or the next
 *                                  vx__pollb_wait return; async-signal-safe.
 *
 * THE READINESS PROTOCOL (Go's pollDesc): each direction of a vx_io has a
 * word `rd`/`wr`: 0 (nothing), READY (an edge arrived, nobody consumed it),
 * or the vx_task* waiting for it.
 *   vx_io_wait: READY -> 0 (consume) and complete at once; else 0 -> task
 *               (CAS) and suspend; if that CAS finds READY (an edge arrived
 *               in between), consume it and complete.
 *   an event:   0 -> READY; task -> 0 and wake the task (exactly once: the
 *               CAS decides); READY stays READY.
 * Edge-triggered registration is correct with this protocol because an
 * edge is never dropped: it is either stored as READY or handed to the task,
 * and the task retries its syscall until EAGAIN before waiting again.
 * `waiting` counts tasks suspended on I/O: the deadlock test (park.c)
 * treats them as work that may still come.
 */
#include <errno.h>
#include <unistd.h>

#include "rt.h"

#define IO_READY ((uintptr_t)1)

struct vx_io {
    int fd;                   /* written before the registration syscall publishes the block */
    _Atomic uintptr_t dir[2]; /* VX_IO_READ, VX_IO_WRITE */
    _Atomic bool hup;         /* an event said hang-up/error (vx__io_hup) */
    vx_io *next_free;         /* cache.lock */
    vx_io *next_all;          /* cache.lock */
};

/* vx_io blocks are recycled, never freed before vx__poll_teardown: an event
 * for an fd may already be in a poller's hands (returned by epoll_wait)
 * when another thread closes that fd, so the block must stay valid; a
 * stale event on a recycled block is only a spurious readiness, which the
 * protocol tolerates (the task retries its syscall). (Go's pollcache.) */
static struct {
    vx__spin lock;
    vx_io *free, *all;
} cache;

static _Atomic int64_t io_open, io_waiting;
/* The poller's wake-up deadline while it blocks, INT64_MIN otherwise
 * (timer.c's Dekker pair). */
static _Atomic int64_t poll_deadline = INT64_MIN;

_Atomic int64_t *vx__poll_deadline_word(void) { return &poll_deadline; }
int64_t vx__io_waiting(void) { return ld_seqcst(&io_waiting); }
int64_t vx__io_open_count(void) { return ld_relaxed(&io_open); }

int vx__poll_init(void) { return vx__pollb_init(); }

long vx__poll_teardown(void) {
    vx__pollb_close();
    vx__spin_lock(&cache.lock);
    while (cache.all) {
        vx_io *io = cache.all;
        cache.all = io->next_all;
        vx_free(io);
    }
    cache.free = NULL;
    vx__spin_unlock(&cache.lock);
    /* Forget the dropped tasks' registrations and waits: a count left over
     * would show in the next run's statistics, and a waiting count above 0
     * would make its deadlock test wait forever for an event
     * (tests/runtime/shutdown_io.c). */
    long open = (long)ld_relaxed(&io_open);
    st_relaxed(&io_open, 0);
    st_relaxed(&io_waiting, 0);
    st_relaxed(&poll_deadline, INT64_MIN);
    return open;
}

void vx__poll_wakeup(void) { vx__pollb_wakeup(); }

int vx__poll_wait(int64_t deadline, vx__pollev *ev, int max) {
    int ms = 0;
    if (deadline > 0) {
        st_seqcst(&poll_deadline, deadline);
        int64_t next = vx__timer_next(); /* Dekker pair with vx_timer_start */
        if (next < deadline)
            deadline = next;
        if (deadline == INT64_MAX) {
            ms = -1;
        } else {
            int64_t d = deadline - vx_now_ns();
            if (d <= 0)
                ms = 0;
            else if (d / 1000000 >= 0x7fffffff)
                ms = 0x7fffffff;
            else
                ms = (int)((d + 999999) / 1000000); /* round up: never early */
        }
    }
    int n = vx__pollb_wait(ms, ev, max);
    st_seqcst(&poll_deadline, INT64_MIN);
    return n < 0 ? 0 : n;
}

static void ready(vx_io *io, int d) {
    uintptr_t v = ld_acquire(&io->dir[d]);
    for (;;) {
        if (v == IO_READY)
            return;
        uintptr_t nv = v == 0 ? IO_READY : 0;
        if (cas_acqrel(&io->dir[d], &v, nv))
            break;
    }
    if (v > IO_READY) {
        atomic_fetch_sub_explicit(&io_waiting, 1, memory_order_seq_cst);
        vx__task_wake((vx_task *)v);
    }
}

void vx__poll_dispatch(vx__pollev *ev, int n) {
    for (int i = 0; i < n; i++) {
        if (ev[i].hup)
            st_relaxed(&((vx_io *)ev[i].udata)->hup, true); /* published by ready()'s RMW */
        if (ev[i].rd)
            ready(ev[i].udata, VX_IO_READ);
        if (ev[i].wr)
            ready(ev[i].udata, VX_IO_WRITE);
    }
}

vx_io *vx_io_open(int fd) {
    if (!ld_acquire(&vx__g.running))
        vx_start(0);
    vx__spin_lock(&cache.lock);
    vx_io *io = cache.free;
    if (io) {
        cache.free = io->next_free;
    } else {
        io = vx_alloc(sizeof *io);
        io->next_all = cache.all;
        cache.all = io;
    }
    vx__spin_unlock(&cache.lock);
    io->fd = fd;
    st_relaxed(&io->dir[0], 0);
    st_relaxed(&io->dir[1], 0);
    st_relaxed(&io->hup, false);
    int r = vx__pollb_add(fd, io); /* the syscall publishes the block to the poller */
    if (r < 0) {
        vx__spin_lock(&cache.lock);
        io->next_free = cache.free;
        cache.free = io;
        vx__spin_unlock(&cache.lock);
        errno = -r;
        return NULL;
    }
    atomic_fetch_add_explicit(&io_open, 1, memory_order_relaxed);
    return io;
}

int vx_io_fd(vx_io *io) { return io->fd; }

vx_poll vx_io_wait(vx_frame *self, vx_task *task, vx_io *io, int dir, const vx_loc *at) {
    _Atomic uintptr_t *w = &io->dir[dir];
    uintptr_t v = IO_READY;
    if (cas_acqrel(w, &v, 0))
        return vx__done(self, task, at);
    vx_suspend_at(task, self, at);
    atomic_fetch_add_explicit(&io_waiting, 1, memory_order_seq_cst);
    v = 0;
    if (cas_acqrel(w, &v, (uintptr_t)task))
        return VX_PENDING;
    if (v != IO_READY)
        vx_panic(at, "two tasks wait for the same readiness of fd %d", io->fd);
    /* An edge arrived in between: consume it. */
    atomic_fetch_sub_explicit(&io_waiting, 1, memory_order_seq_cst);
    st_release(w, 0);
    return vx__done(self, task, at);
}

bool vx__io_unwait(vx_io *io, int dir, vx_task *task) {
    uintptr_t v = (uintptr_t)task;
    if (!atomic_compare_exchange_strong_explicit(&io->dir[dir], &v, 0, memory_order_acq_rel,
                                                 memory_order_relaxed))
        return false; /* an event took it first and wakes it */
    atomic_fetch_sub_explicit(&io_waiting, 1, memory_order_seq_cst);
    return true;
}

bool vx__io_hup(vx_io *io) { return ld_acquire(&io->hup); }

void vx__io_waiting_add(long n) { atomic_fetch_add_explicit(&io_waiting, n, memory_order_seq_cst); }

void vx_io_close(vx_io *io) {
    /* Nobody may wait on an fd being closed, except at shutdown: there a
     * drop hook closes the fd its own (dropped) task was waiting on
     * (tests/runtime/shutdown_io.c). */
    if (!ld_relaxed(&vx__g.stopping))
        VX_ASSERT(ld_relaxed(&io->dir[0]) <= IO_READY && ld_relaxed(&io->dir[1]) <= IO_READY);
    vx__pollb_del(io->fd);
    close(io->fd);
    io->fd = -1;
    vx__spin_lock(&cache.lock);
    io->next_free = cache.free;
    cache.free = io;
    vx__spin_unlock(&cache.lock);
    atomic_fetch_sub_explicit(&io_open, 1, memory_order_relaxed);
}
