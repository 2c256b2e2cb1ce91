/*
 * timer.c - timers: one 4-ary min-heap of deadlines under a mutex, fired by
 * whichever worker notices they are due.
 *
 * Contract: vx_timer_start arms an embedded vx_timer; it fires once, on a
 * worker, at its deadline or soon after, unless vx_timer_cancel removed it
 * first (cancel returns whether it did). Who fires: the worker that sleeps
 * in the poller (its epoll_wait timeout is the earliest deadline), a
 * searching worker, and every worker each 61 ticks (sched.c).
 *
 * Firing on time while the poller sleeps. `next` mirrors the earliest
 * deadline. The poller stores its wake-up deadline (poll.c, seq_cst) and
 * then reads `next` again (seq_cst); vx_timer_start updates `next`
 * (seq_cst, under the lock) and then reads the poller's deadline (seq_cst):
 * if the new timer is earlier, it writes the poller's eventfd. A Dekker pair:
 * either the poller sees the new deadline before it blocks, or the arming
 * thread sees the poller's later deadline and interrupts it.
 *
 * Why a heap and not a wheel: O(log n) with n = armed timers; 100k timers
 * make a cache-friendly 4-ary heap 9 levels deep, and a heap has no tick
 * granularity (a wheel would need a cascade and a resolution).
 */
#include <time.h>

#include "rt.h"

static struct {
    pthread_mutex_t lock;
    vx_timer **h;          /* lock */
    int n, cap;            /* lock */
    _Atomic int64_t next;  /* earliest deadline; written under lock */
    _Atomic int64_t count; /* armed timers; written under lock */
} tq = {.lock = PTHREAD_MUTEX_INITIALIZER, .next = INT64_MAX};

int64_t vx_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void vx__timer_init(void) { st_seqcst(&tq.next, INT64_MAX); }

/* tm->index is the heap position + 1, so that a zeroed timer reads "not
 * armed" (0). */
static void set(int i, vx_timer *tm) {
    tq.h[i] = tm;
    tm->index = i + 1;
}

static void sift_up(int i) {
    vx_timer *tm = tq.h[i];
    while (i > 0) {
        int p = (i - 1) / 4;
        if (tq.h[p]->when <= tm->when)
            break;
        set(i, tq.h[p]);
        i = p;
    }
    set(i, tm);
}

static void sift_down(int i) {
    vx_timer *tm = tq.h[i];
    for (;;) {
        int c = 4 * i + 1, best = -1;
        for (int k = c; k < c + 4 && k < tq.n; k++)
            if (best < 0 || tq.h[k]->when < tq.h[best]->when)
                best = k;
        if (best < 0 || tq.h[best]->when >= tm->when)
            break;
        set(i, tq.h[best]);
        i = best;
    }
    set(i, tm);
}

static void remove_at(int i) {
    vx_timer *tm = tq.h[i];
    tm->index = 0;
    tq.n--;
    if (i != tq.n) {
        vx_timer *moved = tq.h[tq.n];
        set(i, moved);
        sift_up(i);
        sift_down(moved->index - 1);
    }
}

static void publish_next(void) {
    st_seqcst(&tq.next, tq.n ? tq.h[0]->when : INT64_MAX); /* Dekker pair with poll.c */
    st_relaxed(&tq.count, tq.n);
}

void vx_timer_start(vx_timer *tm, int64_t when, void (*fire)(vx_timer *tm)) {
    tm->when = when;
    tm->fire = fire;
    pthread_mutex_lock(&tq.lock);
    if (tq.n == tq.cap) {
        tq.cap = tq.cap ? 2 * tq.cap : 64;
        tq.h = vx_realloc(tq.h, sizeof(vx_timer *) * (size_t)tq.cap);
    }
    tq.h[tq.n] = tm;
    sift_up(tq.n++);
    bool first = tq.h[0] == tm;
    publish_next();
    pthread_mutex_unlock(&tq.lock);
    if (first && when < ld_seqcst(vx__poll_deadline_word())) /* the poller sleeps longer */
        vx__poll_wakeup();
}

bool vx_timer_cancel(vx_timer *tm) {
    pthread_mutex_lock(&tq.lock);
    bool armed = tm->index > 0;
    if (armed) {
        remove_at(tm->index - 1);
        publish_next();
    }
    pthread_mutex_unlock(&tq.lock);
    return armed;
}

int64_t vx__timer_next(void) { return ld_seqcst(&tq.next); }
int64_t vx__timer_count(void) { return ld_relaxed(&tq.count); }

int vx__timer_run_due(int64_t now) {
    int fired = 0;
    for (;;) {
        vx_timer *due[64];
        int n = 0;
        pthread_mutex_lock(&tq.lock);
        while (n < 64 && tq.n && tq.h[0]->when <= now) {
            due[n++] = tq.h[0];
            remove_at(0);
        }
        publish_next();
        pthread_mutex_unlock(&tq.lock);
        /* Outside the lock: fire may arm timers or wake tasks. */
        for (int i = 0; i < n; i++)
            due[i]->fire(due[i]);
        fired += n;
        if (n < 64)
            return fired;
    }
}

long vx__timer_teardown(void) {
    pthread_mutex_lock(&tq.lock);
    long n = tq.n;
    for (int i = 0; i < tq.n; i++)
        tq.h[i]->index = 0;
    vx_free(tq.h);
    tq.h = NULL;
    tq.n = tq.cap = 0;
    publish_next();
    pthread_mutex_unlock(&tq.lock);
    return n;
}

/* ---- sleep ------------------------------------------------------------------ */

static void sleep_fire(vx_timer *tm) {
    tm->status = VX_OK;
    vx__task_wake(tm->arg); /* the wake publishes status (task.c) */
}

vx_poll vx_sleep_ns(vx_frame *self, vx_task *task, int64_t ns, vx_timer *tm, const vx_loc *at) {
    tm->index = 0;
    if (ns <= 0) {
        tm->status = VX_OK;
        return vx__done(self, task, at);
    }
    tm->arg = task;
    tm->status = VX_OK;
    vx_suspend_at(task, self, at);
    vx_timer_start(tm, vx_now_ns() + ns, sleep_fire);
    return VX_PENDING;
}

vx_poll vx_sleep(vx_frame *self, vx_task *task, int64_t ms, vx_timer *tm, const vx_loc *at) {
    return vx_sleep_ns(self, task, ms * 1000000, tm, at);
}
