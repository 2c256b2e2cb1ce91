/*
 * chan.c - channels: MPMC, any capacity (0 = rendezvous), close.
 *
 * Contract (vexrt.h): send and receive are leaf operations; a blocked task
 * is parked on the channel's FIFO of waiters (its vx_waiter, embedded in
 * its frame) and nobody spins. Values are elem_size bytes copied with
 * memcpy. Fairness: FIFO among blocked senders and among blocked receivers.
 *
 * Protocol. A spin lock guards everything (buffer, queues, closed); the
 * critical sections are a few loads, stores and one memcpy, and never
 * block. The key rule is DIRECT HAND-OFF: the side that finds a partner
 * waiting completes the partner's operation itself, under the lock (copies
 * the value into the receiver's slot, or takes the sender's value, and
 * refills the buffer from the first blocked sender), dequeues the waiter,
 * sets its status, and wakes its task after unlocking. So a woken task
 * never re-checks anything: resumption means completion (vexrt.h), a wake
 * is never lost (the waiter is dequeued by exactly one partner or by
 * close), and never doubled. The waker reads the waiter's fields before
 * vx__task_wake, never after: the woken task may reuse its frame at once.
 * Ordering: the lock's release/acquire orders the copies; the wake
 * (task.c: its release CAS, or the queue push) publishes them to the
 * worker that resumes the task.
 * Invariant: waiting senders exist only when the buffer is full, waiting
 * receivers only when it is empty (so never both at once).
 */
#include <string.h>

#include "rt.h"

struct vx_chan {
    vx__spin lock;
    _Atomic long refs;
    size_t esize, cap;
    size_t head, count;         /* lock: the ring buffer */
    bool closed;                /* lock */
    vx_waiter *sendq, *sendq_tail; /* lock */
    vx_waiter *recvq, *recvq_tail; /* lock */
    char *buf;
};

vx_chan *vx_chan_new(size_t elem_size, size_t cap) {
    /* the buffer follows the header: header + elem_size * cap must fit */
    if (elem_size && cap > (SIZE_MAX - sizeof(vx_chan)) / elem_size)
        vx_panic(NULL, "capacity overflow");
    vx_chan *c = vx_alloc(sizeof *c + elem_size * cap);
    c->esize = elem_size;
    c->cap = cap;
    c->buf = (char *)(c + 1);
    st_relaxed(&c->refs, 1);
    return c;
}

void vx_chan_retain(vx_chan *c) { atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed); }

void vx_chan_release(vx_chan *c) {
    /* acq_rel: every use by other holders happens before the free. */
    /* Waiters may remain only from tasks dropped by vx_shutdown (a live
     * waiting task holds a reference itself): nothing will touch them. */
    if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1)
        vx_free(c);
}

/* Copy one value. Values are usually 1-16 bytes: fixed sizes inline to a
 * move or two, where a memcpy with a run-time size is a libc call. */
static inline void copy(void *dst, const void *src, size_t n) {
    switch (n) {
    case 1: memcpy(dst, src, 1); break;
    case 2: memcpy(dst, src, 2); break;
    case 4: memcpy(dst, src, 4); break;
    case 8: memcpy(dst, src, 8); break;
    case 16: memcpy(dst, src, 16); break;
    default: memcpy(dst, src, n); break;
    }
}

/* The ring's slot after index i (no division: a compare and wrap). */
static inline size_t ring_next(vx_chan *c, size_t i) { return i + 1 == c->cap ? 0 : i + 1; }
static inline size_t ring_tail(vx_chan *c) {
    size_t t = c->head + c->count;
    return t >= c->cap ? t - c->cap : t;
}

static void enqueue(vx_waiter **head, vx_waiter **tail, vx_waiter *w) {
    w->next = NULL;
    if (*tail)
        (*tail)->next = w;
    else
        *head = w;
    *tail = w;
}

static vx_waiter *dequeue(vx_waiter **head, vx_waiter **tail) {
    vx_waiter *w = *head;
    if (w) {
        *head = w->next;
        if (!*head)
            *tail = NULL;
    }
    return w;
}

vx_poll vx_chan_send(vx_frame *self, vx_task *task, vx_chan *c, const void *value,
                     vx_waiter *w, const vx_loc *at) {
    vx__spin_lock(&c->lock);
    if (c->closed) {
        vx__spin_unlock(&c->lock);
        w->status = VX_ECLOSED;
        return vx__done(self, task, at);
    }
    vx_waiter *r = dequeue(&c->recvq, &c->recvq_tail);
    if (r) { /* hand the value to the first waiting receiver */
        copy(r->slot, value, c->esize);
        r->status = VX_OK;
        vx_task *rt = r->task;
        vx__spin_unlock(&c->lock);
        vx__task_wake(rt);
        w->status = VX_OK;
        return vx__done(self, task, at);
    }
    if (c->count < c->cap) {
        copy(c->buf + ring_tail(c) * c->esize, value, c->esize);
        c->count++;
        vx__spin_unlock(&c->lock);
        w->status = VX_OK;
        return vx__done(self, task, at);
    }
    w->task = task;
    w->slot = (void *)value;
    w->status = VX_OK;
    vx_suspend_at(task, self, at);
    enqueue(&c->sendq, &c->sendq_tail, w);
    vx__spin_unlock(&c->lock);
    return VX_PENDING;
}

vx_poll vx_chan_recv(vx_frame *self, vx_task *task, vx_chan *c, void *out, vx_waiter *w,
                     const vx_loc *at) {
    vx__spin_lock(&c->lock);
    if (c->count > 0) {
        copy(out, c->buf + c->head * c->esize, c->esize);
        c->head = ring_next(c, c->head);
        c->count--;
        vx_waiter *s = dequeue(&c->sendq, &c->sendq_tail);
        vx_task *st = NULL;
        if (s) { /* the buffer has room again: take the first blocked sender's value */
            copy(c->buf + ring_tail(c) * c->esize, s->slot, c->esize);
            c->count++;
            s->status = VX_OK;
            st = s->task;
        }
        vx__spin_unlock(&c->lock);
        if (st)
            vx__task_wake(st);
        w->status = VX_OK;
        return vx__done(self, task, at);
    }
    vx_waiter *s = dequeue(&c->sendq, &c->sendq_tail);
    if (s) { /* rendezvous: take the value from the first waiting sender */
        copy(out, s->slot, c->esize);
        s->status = VX_OK;
        vx_task *st = s->task;
        vx__spin_unlock(&c->lock);
        vx__task_wake(st);
        w->status = VX_OK;
        return vx__done(self, task, at);
    }
    if (c->closed) {
        vx__spin_unlock(&c->lock);
        w->status = VX_ECLOSED;
        return vx__done(self, task, at);
    }
    w->task = task;
    w->slot = out;
    w->status = VX_OK;
    vx_suspend_at(task, self, at);
    enqueue(&c->recvq, &c->recvq_tail, w);
    vx__spin_unlock(&c->lock);
    return VX_PENDING;
}

static void fail_all(vx_waiter *w) {
    while (w) {
        vx_waiter *next = w->next; /* read before the wake: the task may reuse w */
        vx_task *t = w->task;
        w->status = VX_ECLOSED;
        vx__task_wake(t);
        w = next;
    }
}

void vx_chan_close(vx_chan *c) {
    vx__spin_lock(&c->lock);
    c->closed = true;
    vx_waiter *s = c->sendq, *r = c->recvq;
    c->sendq = c->sendq_tail = c->recvq = c->recvq_tail = NULL;
    vx__spin_unlock(&c->lock);
    /* Dequeued under the lock: nobody else can complete these waiters. */
    fail_all(s);
    fail_all(r);
}

size_t vx_chan_len(vx_chan *c) {
    vx__spin_lock(&c->lock);
    size_t n = c->count;
    vx__spin_unlock(&c->lock);
    return n;
}

/* ---- sync callers ------------------------------------------------------------
 * A channel operation from sync code runs as a one-operation task that the
 * calling thread blocks on (vx_block_on): the operation follows exactly
 * the same protocol as a task's, and vx_block_on provides the panic on a
 * worker. */

typedef struct {
    vx_frame base;
    vx_chan *c;
    const void *value;
    void *out;
    vx_waiter w;
} sync_f;

static const vx_loc sync_loc = {"<sync channel operation>", 0, 0};

static vx_poll sync_send(vx_frame *self, vx_task *task) {
    sync_f *f = (sync_f *)self;
    if (f->base.state == 0) {
        f->base.state = 1;
        return vx_chan_send(&f->base, task, f->c, f->value, &f->w, &sync_loc);
    }
    return VX_READY;
}

static vx_poll sync_recv(vx_frame *self, vx_task *task) {
    sync_f *f = (sync_f *)self;
    if (f->base.state == 0) {
        f->base.state = 1;
        return vx_chan_recv(&f->base, task, f->c, f->out, &f->w, &sync_loc);
    }
    return VX_READY;
}

static int sync_op(vx_resume_fn fn, vx_chan *c, const void *value, void *out) {
    vx_task *t = vx_task_new(sizeof(sync_f), fn, NULL);
    sync_f *f = (sync_f *)vx_task_frame(t);
    f->c = c;
    f->value = value;
    f->out = out;
    vx_block_on(t);
    int st = f->w.status;
    vx_task_release(t);
    return st;
}

int vx_chan_send_sync(vx_chan *c, const void *value) { return sync_op(sync_send, c, value, NULL); }
int vx_chan_recv_sync(vx_chan *c, void *out) { return sync_op(sync_recv, c, NULL, out); }
