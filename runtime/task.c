/*
 * task.c - tasks: the state and refs words, allocation by size class, spawn,
 * join, detach, release, yield.
 *
 * A task is a 40-byte header followed by its root frame, in one block of a
 * size class (64 to 4096 bytes; larger tasks get a block of their own).
 * Blocks come from 64 KiB slabs that are only returned at vx_shutdown; a
 * freed block goes to the freeing worker's free list of its class (no
 * atomics), which spills a magazine of 64 blocks to a global list under a
 * mutex when it grows past VX_FREE_LOCAL_MAX. The dump walks the slabs: a
 * block whose refs word is 0 is free.
 *
 * TWO WORDS. `state` holds the scheduling flags NOTIFIED, RUNNING and
 * COMPLETE; `refs` holds COMPLETE again, JOIN_TASK, JOIN_THREAD, a reference
 * count in units of REF_ONE and the size class (top byte). References: one
 * for the scheduler (dropped at completion) and one for the handle (dropped
 * by vx_task_release or vx_detach; none for vx_spawn_detached). They are
 * two words so that the scheduler's transitions of a task nobody can race
 * with are plain stores: with one word, every run needed an RMW because a
 * joiner or a handle holder may change the word at any moment. The
 * invariant that makes wakes exact:
 *
 *   A task waits for at most one thing at a time, and that thing wakes it
 *   exactly once (channel hand-off, timer, I/O readiness, join). So a wake
 *   always means "the operation the task suspended on has completed".
 *
 * So only a task that is suspended (or about to be: it published its waiter
 * and is still RUNNING) can be woken, and nobody but the worker holding it
 * writes the state of a queued or running task.
 *
 * Transitions of `state`:
 *   wake:     idle -> NOTIFIED, and the waker queues the task: a plain
 *             store after an acquire load that saw idle (the task's worker
 *             has let go of it, and a task has exactly one waker, so nobody
 *             else writes the word); RUNNING -> RUNNING|NOTIFIED by CAS
 *             (acq_rel), racing with the suspend RMW: the running worker
 *             re-queues the task when the resume returns (a wake that
 *             arrives while the task runs is never lost); NOTIFIED or
 *             COMPLETE -> unchanged.
 *   run:      NOTIFIED -> RUNNING, a relaxed store: the task came out of a
 *             run queue and waits for nothing, so no waker can race; the
 *             queue's release/acquire (deque, LIFO slot on the same thread,
 *             global queue's lock) already carries the waker's and the
 *             previous runner's writes to this worker.
 *   suspend:  (fetch_sub RUNNING, acq_rel) RUNNING -> idle: the one
 *             transition that races with a wake (in the waker's CAS); if
 *             NOTIFIED was set the worker queues the task again (acquiring
 *             the waker's writes). A waker that loads idle comes after it
 *             in the word's order, and its acquire load pairs with it.
 *   yield:    RUNNING -> NOTIFIED, a relaxed store (a yielding task waits
 *             for nothing), published by the queue push.
 *   complete: RUNNING -> COMPLETE, a release store (nobody races: the task
 *             waits for nothing), before the refs transition below.
 * Transitions of `refs` (RMWs, except where a sole holder frees):
 *   join:     the joiner stores t->joiner, then fetch_or(JOIN_TASK) (acq_rel);
 *             if that returns COMPLETE no wake will come and the join
 *             completes at once.
 *   complete: COMPLETE set and the scheduler's reference dropped in ONE
 *             fetch_add (acq_rel, tokio's transition_to_terminal). If it
 *             returns JOIN_TASK, the joiner is woken (it holds the handle and
 *             stays suspended until that wake, so t is still alive while we
 *             read t->joiner); JOIN_THREAD: futex wake on `refs`; a count of
 *             1: ours was the last, free the task.
 *   release:  the handle's reference dropped (vx_task_release, vx_detach).
 *             A holder that loads a count of 1 has the sole reference:
 *             nobody else may touch the task (it has completed, so no waker
 *             either), and it frees it without an RMW (an acquire load pairs
 *             with the release half of the RMW that dropped the other one).
 * The join protocol lives in `refs` alone (COMPLETE and JOIN_TASK in one
 * word's modification order); `state`'s COMPLETE is for its readers (the
 * dump, the deadlock test, wakes).
 */
#include <stdlib.h>
#include <string.h>

#include "rt.h"

/* Every 8 bytes up to 128 (a blocked task with a small frame is 100-128
 * bytes: a class that fits it exactly is the idle memory per task), then
 * about 25% apart. */
static const uint16_t class_size[VX_NCLASS] = {64,  72,  80,  88,   96,   104,  112,  120,  128, 160, 192,
                                               256, 320, 384, 512, 768, 1024, 1536, 2048, 3072, 4096};
#define SLAB_SIZE (64 * 1024)

typedef struct slab {
    struct slab *next; /* slabs.lock */
    uint32_t cls;
    uint32_t nblocks;
    char pad[48];      /* blocks start 64-byte aligned within the slab */
    char mem[];
} slab;

/* A task too big for a class: a block of its own, on a list for shutdown. */
typedef struct large {
    struct large *prev, *next; /* slabs.lock */
} large;

static struct {
    pthread_mutex_t lock;
    slab *all;                      /* lock: every slab */
    large *large;                   /* lock: every large task */
    vx__freelist free[VX_NCLASS];   /* lock: magazines (n counts magazines) */
    vx_task *ext[VX_NCLASS];        /* lock: single blocks for non-worker threads */
    char *bump[VX_NCLASS];          /* lock: next unused block of the newest slab */
    char *bump_end[VX_NCLASS];
} slabs = {.lock = PTHREAD_MUTEX_INITIALIZER};

size_t vx__class_size(int cls) { return class_size[cls]; }

/* The class of every size up to 4096, by 8-byte step: one load per
 * allocation (a linear search of the classes was half of vx__task_alloc's
 * time in skynet: bench/NOTES.md F12). Filled before main. */
static uint8_t class_lut[4096 / 8 + 1];

__attribute__((constructor)) static void class_lut_init(void) {
    int c = 0;
    for (size_t i = 0; i < sizeof class_lut; i++) {
        while (i * 8 > class_size[c])
            c++;
        class_lut[i] = (uint8_t)c;
    }
}

static int class_of(size_t size) {
    return size <= 4096 ? class_lut[(size + 7) / 8] : -1;
}

/* The global free lists hold MAGAZINES: chains of MAG blocks linked through
 * t->next, the magazines themselves linked through the first block's
 * `joiner` field (free blocks have no joiner). Moving a magazine is O(1):
 * walking a chain of blocks that another core freed would cost a cache miss
 * per block, under the lock (it was 18% of a spawn storm). */
#define MAG 64

/* Refill an empty worker free list `fl` of class c (slabs.lock inside). */
static void refill(vx__freelist *fl, int c) {
    pthread_mutex_lock(&slabs.lock);
    vx__freelist *g = &slabs.free[c];
    if (g->head) {
        vx_task *m = g->head;
        g->head = m->joiner;
        g->n--;
        pthread_mutex_unlock(&slabs.lock);
        m->joiner = NULL;
        fl->head = m;
        fl->n = MAG;
        return;
    }
    if (slabs.bump[c] == slabs.bump_end[c]) {
        slab *s = vx_alloc(SLAB_SIZE); /* zeroed: every refs word is 0 (free) */
        s->cls = (uint32_t)c;
        s->nblocks = (uint32_t)((SLAB_SIZE - sizeof(slab)) / class_size[c]);
        s->next = slabs.all;
        slabs.all = s;
        slabs.bump[c] = s->mem;
        slabs.bump_end[c] = s->mem + (size_t)s->nblocks * class_size[c];
    }
    char *p = slabs.bump[c];
    uint32_t n = (uint32_t)((slabs.bump_end[c] - p) / class_size[c]);
    if (n > MAG)
        n = MAG;
    slabs.bump[c] = p + (size_t)n * class_size[c];
    pthread_mutex_unlock(&slabs.lock);
    /* Carve outside the lock: these blocks are ours alone. */
    vx_task *head = NULL;
    for (uint32_t i = n; i-- > 0;) {
        vx_task *t = (vx_task *)(void *)(p + (size_t)i * class_size[c]);
        t->next = head;
        head = t;
    }
    fl->head = head;
    fl->n = n;
}

/* Give one magazine of a worker's free list (which holds more than
 * VX_FREE_LOCAL_MAX blocks) to the global list. */
static void spill(vx__freelist *fl, int c) {
    vx_task *first = fl->head, *last = first;
    for (int i = 1; i < MAG; i++)
        last = last->next;
    fl->head = last->next;
    fl->n -= MAG;
    last->next = NULL;
    pthread_mutex_lock(&slabs.lock);
    first->joiner = slabs.free[c].head;
    slabs.free[c].head = first;
    slabs.free[c].n++;
    pthread_mutex_unlock(&slabs.lock);
}

/* A worker stops: its free lists go to the global lists, cut into
 * magazines of MAG blocks; a remainder shorter than a magazine stays
 * unlisted (the slab still owns it; vx_shutdown frees slabs). */
void vx__task_flush_cache(vx__freelist *fl) {
    for (int c = 0; c < VX_NCLASS; c++) {
        while (fl[c].n >= MAG)
            spill(&fl[c], c);
        fl[c].head = NULL;
        fl[c].n = 0;
    }
}

vx_task *vx__task_alloc(size_t size) {
    int c = class_of(size);
    vx__worker *w = vx__self;
    vx_task *t;
    if (c < 0) {
        large *l = vx_alloc(sizeof(large) + 16 + size);
        pthread_mutex_lock(&slabs.lock);
        l->next = slabs.large;
        if (l->next)
            l->next->prev = l;
        slabs.large = l;
        pthread_mutex_unlock(&slabs.lock);
        t = (vx_task *)(void *)((char *)l + sizeof(large) + 16);
        c = VX_CLASS_LARGE;
    } else if (w) {
        vx__freelist *fl = &w->free[c];
        if (!fl->head)
            refill(fl, c);
        t = fl->head;
        fl->head = t->next;
        fl->n--;
        /* The next block was probably freed by another worker: start
         * fetching it now, so the next spawn does not wait for the miss. */
        if (fl->head)
            __builtin_prefetch(fl->head, 1);
    } else {
        /* A non-worker thread: one block from a fresh carve or the
         * non-worker list (blocks freed by non-workers), under the lock. */
        pthread_mutex_lock(&slabs.lock);
        t = slabs.ext[c];
        if (t)
            slabs.ext[c] = t->next;
        pthread_mutex_unlock(&slabs.lock);
        if (!t) {
            vx__freelist one = {NULL, 0};
            refill(&one, c);
            t = one.head;
            pthread_mutex_lock(&slabs.lock);
            for (vx_task *o = t->next, *next; o; o = next) {
                next = o->next;
                o->next = slabs.ext[c];
                slabs.ext[c] = o;
            }
            pthread_mutex_unlock(&slabs.lock);
        }
    }
    /* Not shared yet (a free block is nobody's): the class, no reference. */
    st_relaxed(&t->refs, (uint32_t)c << T_CLS_SHIFT);
    if (w)
        stat_add(&w->st.tasks_live, 1);
    else
        atomic_fetch_add_explicit(&vx__g.ext_tasks_live, 1, memory_order_relaxed);
    return t;
}

static void task_free(vx_task *t) {
    if (t->drop)
        t->drop(vx_task_frame(t));
    /* The dump reads the refs word of free blocks: 0 = free. Relaxed: the
     * block is ours alone now (the last reference was dropped with acq_rel,
     * or loaded with acquire by its sole holder). */
    int c = (int)T_CLS(ld_relaxed(&t->refs));
    st_relaxed(&t->refs, 0);
    st_relaxed(&t->state, 0);
    vx__worker *w = vx__self;
    if (w)
        stat_add(&w->st.tasks_live, -1);
    else
        atomic_fetch_sub_explicit(&vx__g.ext_tasks_live, 1, memory_order_relaxed);
    if (c == VX_CLASS_LARGE) {
        large *l = (large *)(void *)((char *)t - 16 - sizeof(large));
        pthread_mutex_lock(&slabs.lock);
        if (l->prev)
            l->prev->next = l->next;
        else
            slabs.large = l->next;
        if (l->next)
            l->next->prev = l->prev;
        pthread_mutex_unlock(&slabs.lock);
        vx_free(l);
        return;
    }
    if (w) {
        vx__freelist *fl = &w->free[c];
        t->next = fl->head;
        fl->head = t;
        if (++fl->n > VX_FREE_LOCAL_MAX)
            spill(fl, c);
    } else {
        pthread_mutex_lock(&slabs.lock);
        t->next = slabs.ext[c];
        slabs.ext[c] = t;
        pthread_mutex_unlock(&slabs.lock);
    }
}

/* Set while vx__task_teardown drops the tasks (one thread, workers
 * joined): the drop hooks it runs may release handles of tasks it has
 * already dropped, or wake them (a channel closed by a hook). */
static _Atomic int tearing_down;

void vx__task_unref(vx_task *t) {
    if (__builtin_expect(ld_relaxed(&tearing_down), 0)) {
        uint32_t r = ld_relaxed(&t->refs);
        if (r == 0)
            return; /* dropped already */
        if (T_REFS(r) > 1) {
            st_relaxed(&t->refs, r - T_REF_ONE);
            return;
        }
        /* The last reference: drop it here, marked dropped first; its block
         * stays where it is (the teardown frees every slab and large block). */
        st_relaxed(&t->refs, 0);
        if (t->drop)
            t->drop(vx_task_frame(t));
        return;
    }
    /* The sole reference: nobody else may touch the task any more (wakers
     * only wake a task that waits, and a task with one reference left has
     * completed), so no RMW is needed to see that it is the last. Acquire
     * pairs with the release half of the RMW that dropped the other
     * reference (completion, or the other holder's unref). */
    uint32_t r = ld_acquire(&t->refs);
    if (T_REFS(r) == 1) {
        task_free(t);
        return;
    }
    uint32_t old = atomic_fetch_sub_explicit(&t->refs, T_REF_ONE, memory_order_acq_rel);
    VX_ASSERT(T_REFS(old) >= 1);
    if (T_REFS(old) == 1)
        task_free(t);
}

vx_task *vx_task_new(size_t frame_size, vx_resume_fn resume, vx_drop_fn drop) {
    VX_ASSERT(frame_size >= sizeof(vx_frame));
    vx_task *t = vx__task_alloc(VX_TASK_HEADER + frame_size);
    t->next = NULL;
    vx_frame *root = vx_task_frame(t);
    vx_frame_init(root, resume, NULL);
    t->top = root;
    /* Not shared yet: the start in vx_spawn publishes it (queue push). */
    st_relaxed(&t->state, 0);
    st_relaxed(&t->refs, ld_relaxed(&t->refs) + 2 * T_REF_ONE);
    t->drop = drop;
    t->joiner = NULL;
    return t;
}

void vx_spawn(vx_task *t) {
    /* Not yet shared: a plain store to our own word. */
    st_relaxed(&t->state, T_NOTIFIED);
    vx__sched_spawn(t);
}

void vx_spawn_detached(vx_task *t) {
    st_relaxed(&t->refs, ld_relaxed(&t->refs) - T_REF_ONE);
    vx_spawn(t);
}

void vx_detach(vx_task *t) { vx__task_unref(t); }
/* One more handle (generated code copies a handle where it reads an owned
 * Task out of a place; the copy it does not await is detached). The caller
 * holds a reference, so the count is at least 1 and relaxed suffices, as
 * for any reference count increment by a holder. */
void vx_task_retain(vx_task *t) { atomic_fetch_add_explicit(&t->refs, T_REF_ONE, memory_order_relaxed); }
void vx_task_release(vx_task *t) { vx__task_unref(t); }

void vx__task_wake(vx_task *t) {
    if (__builtin_expect(ld_relaxed(&tearing_down), 0))
        return; /* a drop hook at shutdown: nothing runs any more */
    /* Acquire: pairs with the release half of the suspend RMW, so what the
     * task's worker wrote before it let go reaches whoever we queue it for. */
    uint32_t s = ld_acquire(&t->state);
    if (s == 0) {
        /* Idle: its worker has let go of it (the suspend RMW is behind us),
         * and we are its one waker: nobody else writes this word until we
         * queue the task, so a plain store does (the push publishes it). */
        st_relaxed(&t->state, T_NOTIFIED);
        vx__sched_push(t);
        return;
    }
    for (;;) {
        if (s & (T_NOTIFIED | T_COMPLETE))
            return; /* queued already, or done: never doubled */
        /* acq_rel: release publishes what the waker wrote into the task's
         * waiter, for the running worker's suspend RMW when the task is
         * still RUNNING (else the queue push publishes it). */
        if (cas_acqrel(&t->state, &s, s | T_NOTIFIED))
            break;
    }
    if (!(s & T_RUNNING))
        vx__sched_push(t); /* it was idle: the waker queues it */
    /* else the running worker sees NOTIFIED when the resume returns */
}

void vx__task_complete(vx_task *t) {
    /* `state` first, for its readers; nobody else writes it now. */
    st_release(&t->state, T_COMPLETE);
    /* COMPLETE and the scheduler's reference dropped, in ONE RMW. Release:
     * the result in the root frame; acquire: the joiner field written
     * before the JOIN bit (vx_join), and the other reference's release if
     * ours was the last. */
    uint32_t old = atomic_fetch_add_explicit(&t->refs, T_COMPLETE - T_REF_ONE,
                                             memory_order_acq_rel);
    VX_ASSERT(!(old & T_COMPLETE) && T_REFS(old) >= 1);
    if (old & T_JOIN_TASK) {
        /* The joiner holds the handle (a reference) and stays suspended
         * until this wake: t is alive while we read t->joiner. */
        vx__task_wake(t->joiner);
        return;
    }
    if (old & T_JOIN_THREAD) {
        /* The blocked thread holds the handle, so our RMW did not free the
         * task; the thread returns once it sees COMPLETE and a single
         * reference left, and may free it before this wake. The wake may
         * therefore reach a block already recycled (slabs stay mapped until
         * vx_shutdown) or, for a task too big for a class, already returned
         * to malloc: a private FUTEX_WAKE only uses the address as a key and
         * never touches the memory, and every futex waiter (ours, glibc's)
         * re-checks its condition after a wake. */
        vx__futex_wake(&t->refs, 1);
        return;
    }
    if (T_REFS(old) == 1) /* detached (or the handle is gone): ours was the last */
        task_free(t);
}

vx_poll vx_join(vx_frame *self, vx_task *task, vx_task *target, const vx_loc *at) {
    if (ld_acquire(&target->refs) & T_COMPLETE) /* pairs with complete's release */
        return vx__done(self, task, at);
    target->joiner = task; /* published by the release half of the RMW below */
    vx_suspend_at(task, self, at);
    uint32_t old = atomic_fetch_or_explicit(&target->refs, T_JOIN_TASK, memory_order_acq_rel);
    if (old & T_COMPLETE) /* completed before it could see the JOIN bit: no wake will come */
        return vx__done(self, task, at);
    return VX_PENDING;
}

vx_poll vx_yield(vx_frame *self, vx_task *task, const vx_loc *at) {
    vx__self->yielded = true;
    vx_suspend_at(task, self, at);
    return VX_PENDING;
}

void vx__task_each(void (*fn)(vx_task *t, uint32_t state, void *arg), void *arg) {
    pthread_mutex_lock(&slabs.lock);
    for (slab *s = slabs.all; s; s = s->next)
        for (uint32_t i = 0; i < s->nblocks; i++) {
            vx_task *t = (vx_task *)(void *)(s->mem + (size_t)i * class_size[s->cls]);
            if (ld_relaxed(&t->refs))
                fn(t, ld_relaxed(&t->state), arg);
        }
    for (large *l = slabs.large; l; l = l->next) {
        vx_task *t = (vx_task *)(void *)((char *)l + sizeof(large) + 16);
        if (ld_relaxed(&t->refs))
            fn(t, ld_relaxed(&t->state), arg);
    }
    pthread_mutex_unlock(&slabs.lock);
}

typedef struct {
    vx_task **t;
    long n, cap;
} task_list;

static void collect(vx_task *t, uint32_t state, void *arg) {
    (void)state;
    task_list *l = arg;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->t = vx_realloc(l->t, sizeof(vx_task *) * (size_t)l->cap);
    }
    l->t[l->n++] = t;
}

/* Shutdown, workers stopped: drop every live task, free every slab.
 * The drop hooks run WITHOUT the slab lock (a hook may release a task
 * handle, which frees through task_free) and in teardown mode
 * (tearing_down): a task is dropped exactly once, by this walk or by a
 * hook's release of its last reference, whichever comes first; a release
 * or a wake of a task already dropped does nothing; no block is returned
 * to a list (the slabs and large blocks are freed below)
 * (tests/runtime/shutdown_drop.c). */
long vx__task_teardown(void) {
    task_list live = {NULL, 0, 0};
    vx__task_each(collect, &live); /* every live task, under the lock */
    st_relaxed(&tearing_down, 1);
    for (long i = 0; i < live.n; i++) {
        vx_task *t = live.t[i];
        if (ld_relaxed(&t->refs) == 0)
            continue; /* freed by an earlier hook's release */
        vx_drop_fn drop = t->drop;
        st_relaxed(&t->refs, 0); /* first: a hook releasing t again finds it dropped */
        if (drop)
            drop(vx_task_frame(t));
    }
    long n = live.n;
    vx_free(live.t);
    st_relaxed(&tearing_down, 0);
    pthread_mutex_lock(&slabs.lock);
    while (slabs.all) {
        slab *s = slabs.all;
        slabs.all = s->next;
        vx_free(s);
    }
    while (slabs.large) {
        large *l = slabs.large;
        slabs.large = l->next;
        vx_free(l);
    }
    for (int c = 0; c < VX_NCLASS; c++) {
        slabs.free[c].head = NULL;
        slabs.free[c].n = 0;
        slabs.ext[c] = NULL;
        slabs.bump[c] = slabs.bump_end[c] = NULL;
    }
    pthread_mutex_unlock(&slabs.lock);
    return n;
}
