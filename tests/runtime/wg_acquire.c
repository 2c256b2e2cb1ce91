/* wg_acquire: a task whose vx_wg_wait completes must see everything the
 * tasks that called vx_wg_done wrote before it. The interleaving under test:
 * the waiter has loaded a count of 1 under the group's lock and is about to
 * set WAITERS with a compare-and-swap; the last done lands just then, the
 * CAS fails, and the waiter reads the count 0 from the failed CAS and
 * completes. That failed CAS is the waiter's only synchronisation with the
 * done, so it must be an acquire; it loaded with relaxed order, and the
 * waiter then read the done's data without a happens-before edge (a data
 * race: ThreadSanitizer reports it; TSan once caught it in spawn_join at 4
 * workers). The test build's hook 3 (sync.c), between the waiter's load and
 * its CAS, makes the window certain: it lets a plain thread write the data
 * and call vx_wg_done, and waits until it has. The hand-shake uses relaxed
 * atomics only, so that it adds no happens-before edge of its own. Outside
 * TSan the test passes either way (x86 orders the loads anyway). */
#include <pthread.h>

#include "rtest.h"

extern void (*vx__test_hook)(int where, void *arg);

static vx_wg *group;
static long payload;                   /* written by the doner, read by the waiter */
static _Atomic int go, done_called, hook_calls;

static void *doner(void *arg) {
    (void)arg;
    while (!atomic_load_explicit(&go, memory_order_relaxed))
        ;
    payload = 42;
    vx_wg_done(group);
    atomic_store_explicit(&done_called, 1, memory_order_relaxed);
    return NULL;
}

static void in_window(int where, void *arg) {
    if (where != 3 || arg != group)
        return;
    if (atomic_fetch_add_explicit(&hook_calls, 1, memory_order_relaxed) != 0)
        return; /* once: the retry of the CAS needs no help */
    atomic_store_explicit(&go, 1, memory_order_relaxed);
    while (!atomic_load_explicit(&done_called, memory_order_relaxed))
        ;
}

typedef struct {
    vx_frame base;
    vx_waiter w;
    long seen;
} wait_f;

static vx_poll waiter(vx_frame *self, vx_task *task) {
    LOC(at_wait);
    wait_f *f = (wait_f *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_wg_wait(&f->base, task, group, &f->w, &at_wait) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:;
    }
    f->seen = payload; /* the race, without an acquire on the failed CAS */
    return VX_READY;
}

int main(void) {
    vx_start(2);
    group = vx_wg_new();
    vx_wg_add(group, 1);
    pthread_t th;
    CHECK(pthread_create(&th, NULL, doner, NULL) == 0);
    vx__test_hook = in_window;
    wait_f *w = NEW_TASK(wait_f, waiter);
    vx_spawn(task_of(w));
    vx_join_sync(task_of(w));
    pthread_join(th, NULL);
    vx__test_hook = NULL;
    CHECK_EQ(atomic_load(&hook_calls), 1); /* the window was hit */
    CHECK_EQ(w->seen, 42);
    vx_task_release(task_of(w));
    vx_wg_free(group);
    rt_clean_shutdown();
    return 0;
}
