/*
 * inject.c - the global injection queue: tasks spawned or woken by threads
 * that are not workers, and the overflow of full worker deques.
 *
 * Contract: any thread pushes one task, or a batch (an array of at most
 * VX_DEQUE_CAP/2 tasks); a worker pops one batch or up to `max` single
 * tasks into an array.
 * FIFO within each kind. A worker polls the queue every 61 ticks even when
 * its own deque has work (fairness: Go's schedule() uses the same
 * constant), and whenever its own queues are empty.
 *
 * LATE batches are the tasks woken by an I/O poll that a busy worker made
 * (sched.c, "I/O wake-ups"): they must run after the work queued before
 * them. The 61-tick poll, which pours a batch into the LIFO end of the
 * worker's deque (ahead of its older work), takes only ONE task of a late
 * batch (its bound on how long the batch waits, like Go's
 * globrunqget(pp, 1)); a worker whose own queues are empty takes the rest
 * whole. So b->i counts the tasks of a batch already taken.
 *
 * Batches (half a deque, from an overflow) are queued as one node holding
 * an array of task pointers, so that neither push nor pop touches the tasks
 * themselves: following a chain of t->next through tasks another core just
 * wrote costs a cache miss per task, serially (it was 50% of a spawn storm's
 * time). The node is allocated per batch (1 per 128 tasks). Single tasks
 * are linked through t->next.
 *
 * A mutex guards the lists; `len` mirrors the number of queued tasks so
 * that a worker can see "empty" without the lock. Correctness of that
 * shortcut: a pusher updates len with a seq_cst RMW and THEN reads the idle
 * count (park.c, vx__notify_one) with a seq_cst load; a worker that goes
 * idle increments the idle count with a seq_cst RMW and THEN reads len with
 * a seq_cst load. In the total order S one of the two loads comes after the
 * other side's RMW, so either the pusher sees the idle worker and wakes it,
 * or the idle worker sees the task (a Dekker pair; no wake-up is lost).
 */
#include <string.h>

#include "rt.h"

typedef struct batch {
    struct batch *next;
    long i, n;    /* lock: t[i..n-1] are still queued */
    bool late;    /* tasks of a busy worker's I/O poll */
    vx_task *t[]; /* oldest first */
} batch;

static struct {
    pthread_mutex_t lock;
    vx_task *head, *tail;   /* lock: single tasks */
    batch *bhead, *btail;   /* lock: batches */
    _Atomic long len;       /* changed under lock; read anywhere */
} q = {PTHREAD_MUTEX_INITIALIZER, NULL, NULL, NULL, NULL, 0};

void vx__inject_init(void) {
    pthread_mutex_lock(&q.lock);
    while (q.bhead) { /* shutdown: the tasks themselves are freed with the slabs */
        batch *b = q.bhead;
        q.bhead = b->next;
        vx_free(b);
    }
    q.head = q.tail = NULL;
    q.btail = NULL;
    st_relaxed(&q.len, 0);
    pthread_mutex_unlock(&q.lock);
}

void vx__inject_push(vx_task *t) {
    t->next = NULL;
    pthread_mutex_lock(&q.lock);
    if (q.tail)
        q.tail->next = t;
    else
        q.head = t;
    q.tail = t;
    atomic_fetch_add_explicit(&q.len, 1, memory_order_seq_cst); /* Dekker pair with park.c */
    pthread_mutex_unlock(&q.lock);
}

void vx__inject_push_batch(vx_task **t, long n, bool late) {
    batch *b = vx_alloc(sizeof *b + sizeof(vx_task *) * (size_t)n);
    b->i = 0;
    b->n = n;
    b->late = late;
    memcpy(b->t, t, sizeof(vx_task *) * (size_t)n);
    pthread_mutex_lock(&q.lock);
    if (q.btail)
        q.btail->next = b;
    else
        q.bhead = b;
    q.btail = b;
    atomic_fetch_add_explicit(&q.len, n, memory_order_seq_cst); /* Dekker pair with park.c */
    pthread_mutex_unlock(&q.lock);
}

long vx__inject_pop_batch(vx_task **out, long max, bool one_of_late) {
    if (ld_seqcst(&q.len) == 0) /* Dekker pair with the RMW in push */
        return 0;
    batch *b = NULL;
    long n = 0;
    pthread_mutex_lock(&q.lock);
    if (q.head) { /* single tasks first: they are wakes and external spawns */
        while (q.head && n < max) {
            out[n++] = q.head;
            q.head = q.head->next;
        }
        if (!q.head)
            q.tail = NULL;
    } else if ((b = q.bhead) && b->late && one_of_late && b->n - b->i > 1) {
        out[n++] = b->t[b->i++]; /* one task of a late batch; the rest stays in order */
        b = NULL;
    } else if (b && b->n - b->i <= max) { /* whole batches only */
        q.bhead = b->next;
        if (!q.bhead)
            q.btail = NULL;
        n = b->n - b->i;
    } else {
        b = NULL;
    }
    if (n)
        atomic_fetch_sub_explicit(&q.len, n, memory_order_relaxed); /* under lock */
    pthread_mutex_unlock(&q.lock);
    if (b) {
        memcpy(out, b->t + b->i, sizeof(vx_task *) * (size_t)n);
        vx_free(b);
    }
    return n;
}

long vx__inject_len(void) { return ld_seqcst(&q.len); }
