/*
 * deque.c - the per-worker bounded work-stealing deque (Chase and Lev 2005,
 * in the C11 formulation of Le, Pop, Cohen and Zappa Nardelli, "Correct and
 * Efficient Work-Stealing for Weak Memory Models", PPoPP 2013; fixed
 * capacity, no resizing: a full deque spills to the global queue instead).
 *
 * Contract: one owner thread calls push and take (at the bottom, newest
 * first); any thread calls steal (at the top, oldest first). Every task
 * pushed is returned by exactly one take or steal.
 *
 * Correctness. Indices only grow; the deque holds buf[top..bottom-1].
 *  - push writes the slot, then publishes it with a release store of bottom
 *    (pairs with the acquire/seq_cst load of bottom in steal). It never
 *    overwrites a slot a thief may still read: it checks bottom - top < CAP
 *    against a fresh top, and a thief reading slot t has not yet moved top
 *    past t.
 *  - take and steal race for the last element. The paper separates the
 *    owner's "bottom = b - 1" from its load of top, and the thief's load of
 *    top from its load of bottom, with seq_cst fences. TSan ignores fences,
 *    so here those four accesses are seq_cst OPERATIONS instead (take: an
 *    atomic exchange of bottom, then a seq_cst load of top; steal: seq_cst
 *    loads of top then bottom, then the seq_cst CAS). They are all in the
 *    single total order S, which gives the same guarantee as the fences:
 *    if the thief read the old bottom, its load precedes the owner's
 *    exchange in S, so the owner's later load of top returns either the
 *    thief's CAS (the owner sees the deque shorter) or the old top, in which
 *    case both see top == b only when one element is left and both then CAS
 *    top: exactly one wins. When top < b, owner and thief take different
 *    slots.
 *  - Slots are atomics (relaxed) because a thief may read a slot that the
 *    owner is taking at the same time; the CAS decides who owns it.
 *  - take first compares bottom with a relaxed load of top: top only grows
 *    and only the owner adds elements, so top >= bottom there means the
 *    deque is empty now, and take returns without the exchange.
 * Stealing half a victim's queue is done by the caller as a loop of single
 * steals: a multi-element CAS on top is NOT safe against the owner's
 * CAS-free take of an element in the middle of the claimed range.
 */
#include "rt.h"

#define MASK (VX_DEQUE_CAP - 1)
_Static_assert((VX_DEQUE_CAP & MASK) == 0, "VX_DEQUE_CAP must be a power of two");

bool vx__deque_push(vx__deque *d, vx_task *t) {
    int64_t b = ld_relaxed(&d->bottom);  /* only the owner writes bottom */
    /* top only grows, so the owner's cached copy is a lower bound: if the
     * deque is not full by it, it is not full. Reading the real top (a line
     * the thieves write) only when it looks full saves a cache miss per push. */
    if (b - d->top_cache >= VX_DEQUE_CAP) {
        d->top_cache = ld_acquire(&d->top); /* pairs with the thieves' CAS: their slot reads are done */
        if (b - d->top_cache >= VX_DEQUE_CAP)
            return false;
    }
    st_relaxed(&d->buf[b & MASK], t);
    st_release(&d->bottom, b + 1);       /* publishes the slot; pairs with steal's load of bottom */
    return true;
}

vx_task *vx__deque_take(vx__deque *d) {
    int64_t b = ld_relaxed(&d->bottom) - 1;
    /* Empty at a glance: top only grows and only the owner adds, so a top
     * (even a stale one) at or past bottom means nothing to take, and the
     * exchange below, a locked instruction, is not needed. find_work tries
     * an empty deque on most ticks of a message-passing program. */
    if (ld_relaxed(&d->top) > b)
        return NULL;
    /* The exchange stands for "store bottom; seq_cst fence" (see above). */
    atomic_exchange_explicit(&d->bottom, b, memory_order_seq_cst);
    int64_t top = ld_seqcst(&d->top);
    if (top > b) { /* empty */
        st_relaxed(&d->bottom, b + 1);
        return NULL;
    }
    vx_task *t = ld_relaxed(&d->buf[b & MASK]);
    if (top == b) { /* the last element: race the thieves for it */
        if (!atomic_compare_exchange_strong_explicit(&d->top, &top, top + 1, memory_order_seq_cst,
                                                     memory_order_relaxed))
            t = NULL;
        st_relaxed(&d->bottom, b + 1);
    }
    return t;
}

vx_task *vx__deque_steal(vx__deque *d) {
    int64_t top = ld_seqcst(&d->top);
    int64_t b = ld_seqcst(&d->bottom); /* pairs with push's release store of bottom */
    if (top >= b)
        return NULL;
    vx_task *t = ld_relaxed(&d->buf[top & MASK]);
    if (!atomic_compare_exchange_strong_explicit(&d->top, &top, top + 1, memory_order_seq_cst,
                                                 memory_order_relaxed))
        return NULL; /* lost to the owner or another thief */
    return t;
}

int64_t vx__deque_len(vx__deque *d) {
    int64_t b = ld_seqcst(&d->bottom);
    int64_t top = ld_seqcst(&d->top);
    return b > top ? b - top : 0;
}

/* Owner only: claim the k oldest tasks at once (the overflow to the global
 * queue). One CAS of top from t to t+k: safe for the OWNER (unlike a thief)
 * because the owner is not taking from the bottom meanwhile, and k leaves
 * the newest tasks in place; a thief that read slot t fails its CAS. */
int vx__deque_shed(vx__deque *d, vx_task **out, int k) {
    for (;;) {
        int64_t top = ld_seqcst(&d->top);
        int64_t b = ld_relaxed(&d->bottom); /* only the owner writes bottom */
        int64_t n = b - top;
        if (n < 2)
            return 0;
        if (k > n / 2)
            k = (int)(n / 2);
        for (int i = 0; i < k; i++)
            out[i] = ld_relaxed(&d->buf[(top + i) & MASK]);
        if (atomic_compare_exchange_strong_explicit(&d->top, &top, top + k, memory_order_seq_cst,
                                                    memory_order_relaxed))
            return k;
    }
}

/* Owner only: the task the next take would return, or garbage if the deque
 * is empty (only for a prefetch: never dereferenced). */
vx_task *vx__deque_peek(vx__deque *d) {
    return ld_relaxed(&d->buf[(ld_relaxed(&d->bottom) - 1) & MASK]);
}
