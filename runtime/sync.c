/*
 * sync.c - the async Mutex and the wait group.
 *
 * Mutex protocol: a spin lock guards `locked` and the FIFO of waiters.
 * unlock with waiters HANDS the mutex to the first one (locked stays true,
 * the waiter's lock operation completes, its task is woken), so a woken task
 * owns the mutex when it resumes (resumption means completion) and a stream
 * of new lockers cannot starve a waiter. The critical section of the spin
 * lock never blocks; the mutex itself may be held across suspensions.
 *
 * Wait group protocol: `count` is atomic so that vx_wg_done is one RMW on
 * the fast path (spawn storms call it once per task). A waiter checks count
 * UNDER the spin lock and enqueues itself there; the vx_wg_done that brings
 * count to zero takes the spin lock and wakes every waiter. Either the
 * waiter's check comes after the decrement (it sees 0: acquire pairs with
 * the decrement's release) or the waiter is enqueued before the decrementer
 * takes the lock (the lock orders them): no waiter is missed.
 */
#include "rt.h"

struct vx_mutex {
    vx__spin lock;
    bool locked;               /* lock */
    vx_waiter *head, *tail;    /* lock */
};

vx_mutex *vx_mutex_new(void) { return vx_alloc(sizeof(vx_mutex)); }

void vx_mutex_free(vx_mutex *m) {
    VX_ASSERT(!m->head);
    vx_free(m);
}

vx_poll vx_mutex_lock(vx_frame *self, vx_task *task, vx_mutex *m, vx_waiter *w,
                      const vx_loc *at) {
    vx__spin_lock(&m->lock);
    if (!m->locked) {
        m->locked = true;
        vx__spin_unlock(&m->lock);
        w->status = VX_OK;
        return vx__done(self, task, at);
    }
    w->task = task;
    w->status = VX_OK;
    w->next = NULL;
    vx_suspend_at(task, self, at);
    if (m->tail)
        m->tail->next = w;
    else
        m->head = w;
    m->tail = w;
    vx__spin_unlock(&m->lock);
    return VX_PENDING;
}

bool vx_mutex_try_lock(vx_mutex *m) {
    vx__spin_lock(&m->lock);
    bool ok = !m->locked;
    m->locked = true;
    vx__spin_unlock(&m->lock);
    return ok;
}

void vx_mutex_unlock(vx_mutex *m) {
    vx__spin_lock(&m->lock);
    VX_ASSERT(m->locked);
    vx_waiter *w = m->head;
    if (w) { /* hand-off: stays locked, now owned by w's task */
        m->head = w->next;
        if (!m->head)
            m->tail = NULL;
    } else {
        m->locked = false;
    }
    vx_task *t = w ? w->task : NULL;
    vx__spin_unlock(&m->lock);
    if (t)
        vx__task_wake(t);
}

struct vx_wg {
    vx__spin lock;
    _Atomic long count;
    vx_waiter *head;           /* lock */
};

vx_wg *vx_wg_new(void) { return vx_alloc(sizeof(vx_wg)); }

void vx_wg_free(vx_wg *g) {
    VX_ASSERT(!g->head);
    vx_free(g);
}

static void wake_all(vx_wg *g) {
    vx__spin_lock(&g->lock);
    vx_waiter *w = g->head;
    g->head = NULL;
    vx__spin_unlock(&g->lock);
    while (w) {
        vx_waiter *next = w->next; /* before the wake: the task may reuse w */
        vx__task_wake(w->task);
        w = next;
    }
}

void vx_wg_add(vx_wg *g, long n) {
    long old = atomic_fetch_add_explicit(&g->count, n, memory_order_acq_rel);
    VX_ASSERT(old + n >= 0);
    if (old + n == 0)
        wake_all(g);
}

void vx_wg_done(vx_wg *g) { vx_wg_add(g, -1); }

vx_poll vx_wg_wait(vx_frame *self, vx_task *task, vx_wg *g, vx_waiter *w, const vx_loc *at) {
    if (ld_acquire(&g->count) == 0) /* pairs with the release of the last done */
        return vx__done(self, task, at);
    vx__spin_lock(&g->lock);
    if (ld_acquire(&g->count) == 0) {
        vx__spin_unlock(&g->lock);
        return vx__done(self, task, at);
    }
    w->task = task;
    w->status = VX_OK;
    w->next = g->head;
    g->head = w;
    vx_suspend_at(task, self, at);
    vx__spin_unlock(&g->lock);
    return VX_PENDING;
}
