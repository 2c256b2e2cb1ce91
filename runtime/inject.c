/*
 * inject.c - the global injection queue: tasks spawned or woken by threads
 * that are not workers, and the overflow of full worker deques.
 *
 * Contract: any thread pushes a linked batch (first..last through t->next);
 * any worker pops. FIFO. A worker polls it every 61 ticks even when its own
 * deque has work (fairness: Go's schedule() uses the same constant), and
 * whenever its own queues are empty.
 *
 * A mutex guards the list; `len` mirrors its length so that a worker can
 * see "empty" without taking the lock. Correctness of that shortcut: a
 * pusher updates len with a seq_cst RMW and THEN reads the idle count
 * (park.c, vx__notify_one) with a seq_cst load; a worker that goes idle
 * increments the idle count with a seq_cst RMW and THEN reads len with a
 * seq_cst load. In the total order S one of the two loads comes after the
 * other side's RMW, so either the pusher sees the idle worker and wakes it,
 * or the idle worker sees the task (a Dekker pair; no wake-up is lost).
 */
#include "rt.h"

static struct {
    pthread_mutex_t lock;
    vx_task *head, *tail; /* lock */
    _Atomic long len;     /* changed under lock; read anywhere */
} q = {PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0};

void vx__inject_init(void) {
    q.head = q.tail = NULL;
    st_relaxed(&q.len, 0);
}

void vx__inject_push(vx_task *first, vx_task *last, long n) {
    last->next = NULL;
    pthread_mutex_lock(&q.lock);
    if (q.tail)
        q.tail->next = first;
    else
        q.head = first;
    q.tail = last;
    atomic_fetch_add_explicit(&q.len, n, memory_order_seq_cst); /* Dekker pair with park.c */
    pthread_mutex_unlock(&q.lock);
}

vx_task *vx__inject_pop(void) {
    if (ld_seqcst(&q.len) == 0) /* Dekker pair with the RMW in push */
        return NULL;
    pthread_mutex_lock(&q.lock);
    vx_task *t = q.head;
    if (t) {
        q.head = t->next;
        if (!q.head)
            q.tail = NULL;
        atomic_fetch_sub_explicit(&q.len, 1, memory_order_relaxed); /* under lock */
    }
    pthread_mutex_unlock(&q.lock);
    return t;
}

long vx__inject_len(void) { return ld_seqcst(&q.len); }

long vx__inject_pop_batch(long max, vx_task **first) {
    *first = NULL;
    if (ld_seqcst(&q.len) == 0) /* Dekker pair with the RMW in push */
        return 0;
    pthread_mutex_lock(&q.lock);
    long n = 0;
    vx_task *head = q.head, *last = NULL;
    for (vx_task *t = head; t && n < max; t = t->next) {
        last = t;
        n++;
    }
    if (n) {
        q.head = last->next;
        if (!q.head)
            q.tail = NULL;
        last->next = NULL;
        atomic_fetch_sub_explicit(&q.len, n, memory_order_relaxed); /* under lock */
        *first = head;
    }
    pthread_mutex_unlock(&q.lock);
    return n;
}
