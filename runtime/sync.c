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
 * Wait group protocol: one atomic word holds the count and a WAITERS flag,
 * so vx_wg_done is one RMW (spawn storms call it once per task) and does
 * not touch the group again unless it brought the count to zero while
 * WAITERS was set (a waiter that saw zero may free the group at once). A
 * waiter takes the spin lock, sets WAITERS with a CAS that fails if the
 * count is zero (then it completes at once), and enqueues itself before
 * unlocking. The done that reaches zero saw WAITERS (its RMW follows the
 * CAS in the word's modification order), takes the lock - after the
 * waiter's unlock - detaches the whole list, clears WAITERS, unlocks (its
 * last access to the group) and wakes the list. No waiter is missed, none
 * is woken twice. A waiter that finds the count at zero with WAITERS still
 * set waits for that unlock before it completes: otherwise it could free
 * the group while the done still takes its lock (tests/runtime/wg_free.c).
 */
#include "rt.h"

struct vx_mutex {
    vx__spin lock;
    bool locked;               /* lock */
    vx_waiter *head, *tail;    /* lock */
};

vx_mutex *vx_mutex_new(void) { return vx_alloc(sizeof(vx_mutex)); }

/* Waiters may remain only from tasks dropped by vx_shutdown. */
void vx_mutex_free(vx_mutex *m) { vx_free(m); }

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
    _Atomic uint64_t state;    /* WAITERS flag | count */
    vx_waiter *head;           /* lock */
};
#define WG_WAITERS (1ull << 63)

vx_wg *vx_wg_new(void) { return vx_alloc(sizeof(vx_wg)); }

void vx_wg_free(vx_wg *g) { vx_free(g); }

void vx_wg_add(vx_wg *g, long n) {
    /* acq_rel: release publishes the caller's writes to the waiters;
     * acquire pairs with a waiter's CAS that set WAITERS. */
    uint64_t old = atomic_fetch_add_explicit(&g->state, (uint64_t)n, memory_order_acq_rel);
    uint64_t now = old + (uint64_t)n;
    VX_ASSERT((int64_t)(now & ~WG_WAITERS) >= 0);
    if ((now & ~WG_WAITERS) != 0 || !(old & WG_WAITERS))
        return; /* not zero, or nobody waits: do not touch g again (it may be freed) */
    VX_TEST_HOOK(2, g); /* tests/runtime/wg_free.c */
    vx__spin_lock(&g->lock);
    vx_waiter *w = g->head;
    g->head = NULL;
    atomic_fetch_and_explicit(&g->state, ~WG_WAITERS, memory_order_relaxed); /* lock */
    /* The unlock is our last touch of g: a waiter that sees the count at
     * zero waits for it before it completes (wait_wakers), so it cannot
     * free g under us. */
    vx__spin_unlock(&g->lock);
    while (w) {
        vx_waiter *next = w->next; /* before the wake: the task may reuse w */
        vx__task_wake(w->task);
        w = next;
    }
}

void vx_wg_done(vx_wg *g) { vx_wg_add(g, -1); }

/* The count is zero in s. With WAITERS still set, the done that brought it
 * to zero has yet to take the lock, detach the blocked waiters, clear
 * WAITERS and unlock (its last access to g): wait for that unlock, a few
 * instructions unless its thread was preempted, so that our caller may
 * free g as soon as its wait completes. Seeing WAITERS clear (written in
 * the done's critical section), then the lock free, means the done's
 * unlock happened: the lock word cannot read an older 0 after a value
 * written under the lock was seen (coherence). Never called with the lock
 * held. */
static void wait_wakers(vx_wg *g, uint64_t s) {
    if (!(s & WG_WAITERS))
        return;
    while ((s & WG_WAITERS) && (s & ~WG_WAITERS) == 0) {
        cpu_relax();
        s = ld_acquire(&g->state);
    }
    while (ld_acquire(&g->lock.v)) /* pairs with the done's unlock (release) */
        cpu_relax();
}

vx_poll vx_wg_wait(vx_frame *self, vx_task *task, vx_wg *g, vx_waiter *w, const vx_loc *at) {
    uint64_t s = ld_acquire(&g->state); /* pairs with the release of the last done */
    if ((s & ~WG_WAITERS) == 0) {
        wait_wakers(g, s);
        return vx__done(self, task, at);
    }
    vx__spin_lock(&g->lock);
    /* Set WAITERS unless the count reached zero meanwhile: the done that
     * brings it to zero then sees WAITERS and takes the lock after us. */
    s = ld_acquire(&g->state);
    VX_TEST_HOOK(3, g); /* tests/runtime/wg_acquire.c: the last done lands here */
    do {
        if ((s & ~WG_WAITERS) == 0) {
            vx__spin_unlock(&g->lock); /* before: the done needs the lock */
            wait_wakers(g, s);
            return vx__done(self, task, at);
        }
    } while (!cas_acqrel(&g->state, &s, s | WG_WAITERS));
    w->task = task;
    w->status = VX_OK;
    w->next = g->head;
    g->head = w;
    vx_suspend_at(task, self, at);
    vx__spin_unlock(&g->lock);
    return VX_PENDING;
}
