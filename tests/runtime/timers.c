/* timers: 100k timers armed from a non-worker thread with deadlines spread
 * over 200 ms, every other one cancelled: a timer cancelled in time never
 * fires, every other fires exactly once. A timer armed while the poller
 * sleeps with no deadline still fires (the eventfd interrupts it). 2000
 * tasks sleep 0-30 ms and never wake early. */
#include <time.h>
#include <unistd.h>

#include "rtest.h"

#define N 100000
#define SLEEPERS 2000

static vx_timer tm[N];
static _Atomic int fired[N];
static _Atomic long nfired;

static void on_fire(vx_timer *t) {
    atomic_fetch_add(&fired[t - tm], 1);
    atomic_fetch_add(&nfired, 1);
}

static vx_timer late;
static _Atomic int64_t late_at;
static void on_late(vx_timer *t) { atomic_store(&late_at, vx_now_ns()); }

typedef struct {
    vx_frame base;
    int64_t ns, start;
    vx_timer t;
    vx_wg *wg;
} sleep_f;

static _Atomic long early;

static vx_poll sleeper(vx_frame *self, vx_task *task) {
    LOC(at_sleep);
    sleep_f *f = (sleep_f *)self;
    switch (f->base.state) {
    case 0:
        f->start = vx_now_ns();
        f->base.state = 1;
        if (vx_sleep_ns(&f->base, task, f->ns, &f->t, &at_sleep) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:
        if (vx_now_ns() - f->start < f->ns)
            atomic_fetch_add(&early, 1);
        vx_wg_done(f->wg);
    }
    return VX_READY;
}

typedef struct {
    vx_frame base;
    vx_wg *wg;
    vx_waiter w;
} wait_f;

static vx_poll waiter(vx_frame *self, vx_task *task) {
    LOC(at_wait);
    wait_f *f = (wait_f *)self;
    if (f->base.state == 0) {
        f->base.state = 1;
        if (vx_wg_wait(&f->base, task, f->wg, &f->w, &at_wait) == VX_PENDING)
            return VX_PENDING;
    }
    return VX_READY;
}

int main(void) {
    vx_start(0);
    int64_t now = vx_now_ns();
    unsigned seed = 12345;
    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        vx_timer_start(&tm[i], now + (int64_t)((seed >> 8) % 200) * 1000000, on_fire);
    }
    long cancelled = 0;
    static bool was_cancelled[N];
    for (int i = 0; i < N; i += 2)
        if ((was_cancelled[i] = vx_timer_cancel(&tm[i])))
            cancelled++;
    for (int i = 0; i < 20000 && atomic_load(&nfired) + cancelled < N; i++)
        usleep(1000);
    CHECK_EQ(atomic_load(&nfired) + cancelled, N);
    for (int i = 0; i < N; i++)
        CHECK_EQ(atomic_load(&fired[i]), was_cancelled[i] ? 0 : 1);
    CHECK(!vx_timer_cancel(&tm[1])); /* already fired */

    /* the workers are idle now: one sleeps in epoll_wait with no timeout */
    usleep(50000);
    int64_t armed = vx_now_ns();
    vx_timer_start(&late, armed + 20000000, on_late);
    for (int i = 0; i < 10000 && !atomic_load(&late_at); i++)
        usleep(1000);
    CHECK(atomic_load(&late_at) >= armed + 20000000);
    CHECK(atomic_load(&late_at) < armed + 10000000000LL); /* fired, not lost */

    vx_wg *wg = vx_wg_new();
    vx_wg_add(wg, SLEEPERS);
    for (int i = 0; i < SLEEPERS; i++) {
        sleep_f *f = NEW_TASK(sleep_f, sleeper);
        f->ns = (i % 31) * 1000000;
        f->wg = wg;
        vx_spawn_detached(task_of(f));
    }
    wait_f *w = NEW_TASK(wait_f, waiter);
    w->wg = wg;
    vx_block_on(task_of(w));
    vx_task_release(task_of(w));
    CHECK_EQ(atomic_load(&early), 0);
    vx_wg_free(wg);
    rt_clean_shutdown();
    return 0;
}
