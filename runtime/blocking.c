/*
 * blocking.c - the blocking pool: run a blocking C function (getaddrinfo, a
 * file read, an extern "C" call that sleeps) on a small pool of threads
 * that are not workers, and wake the task that awaits it when it returns.
 * tokio's spawn_blocking; Go hands its P to another M instead.
 *
 * A JOB is one heap block (malloc, not vx_alloc: a job cancelled by a
 * teardown outlives the runtime until its function returns): the header
 * below, then `size` bytes of data that the function reads and writes. The
 * data belongs to the job, never to a frame, so a task torn down while its
 * job runs leaves nothing dangling: the function keeps writing into the job,
 * and whoever sees the job last frees it (and its data, through `dtor`).
 *
 * THE JOB STATE WORD (`state`):
 *   NEW -> PENDING     vx_job_await, by the owning task, before the job is
 *                      queued (the task is recorded first: the wake may
 *                      come before vx_job_await returns).
 *   PENDING -> WAKING  the pool thread, after run() returned (CAS); it then
 *                      wakes the task, uncounts the wait, and stores
 *   WAKING -> DONE     (release: the data written by run()).
 *   PENDING -> CANCELLED  vx_job_free on a job still running (a teardown):
 *                      the owner uncounts the wait (below) and leaves (a
 *                      wait counted after vx_shutdown reset the count would
 *                      skew it); the pool thread's CAS fails, it
 *                      calls dtor and frees the job. A job still queued is
 *                      skipped (run() never called).
 * The owner frees a job itself only after it saw DONE (vx_job_free spins
 * over WAKING, a few instructions long): so the wake never touches a task
 * that its owner has already torn down and freed. Exactly one side frees.
 *
 * The deadlock test (park.c) must not take a task waiting for a job for an
 * asleep one: a PENDING job counts as an I/O wait (vx__io_waiting_add), and
 * the count drops only after the task was woken (queued: visible work).
 *
 * THREADS. Up to VX_BLOCKING_MAX threads, started on demand when more jobs
 * are queued than threads are idle; a thread idle for 10 s exits. They are
 * detached and outlive vx_shutdown (a job may still run); they run no
 * frame and take no worker lock: only the queue mutex.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rt.h"

#define VX_BLOCKING_MAX 16
#define IDLE_EXIT_S 10

enum { J_NEW, J_PENDING, J_WAKING, J_DONE, J_CANCELLED };

struct vx_job {
    vx_job *next;           /* pool.lock: queue link */
    void (*run)(void *data);
    void (*dtor)(void *data);
    vx_task *task;          /* the owner, while PENDING */
    _Atomic uint32_t state;
    uint32_t pad;
    _Alignas(16) char data[];
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    vx_job *head, *tail; /* lock */
    int queued;          /* lock: jobs in the queue */
    int threads, idle;   /* lock: started, waiting for a job */
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0, 0, 0};

vx_job *vx_job_new(void (*run)(void *data), void (*dtor)(void *data), size_t size) {
    vx_job *j = calloc(1, sizeof *j + size);
    if (!j)
        vx_panic(NULL, "out of memory");
    j->run = run;
    j->dtor = dtor;
    return j;
}

void *vx_job_data(vx_job *j) { return j->data; }

static void job_destroy(vx_job *j) {
    if (j->dtor)
        j->dtor(j->data);
    free(j);
}

static void finish(vx_job *j) {
    uint32_t s = J_PENDING;
    if (!atomic_compare_exchange_strong_explicit(&j->state, &s, J_WAKING, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        VX_ASSERT(s == J_CANCELLED); /* the canceller uncounted the wait */
        job_destroy(j);
        return;
    }
    vx__task_wake(j->task);
    vx__io_waiting_add(-1); /* after the wake: the task is queued, visible */
    st_release(&j->state, J_DONE);
}

static void *pool_main(void *arg) {
    (void)arg;
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        while (!pool.head) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += IDLE_EXIT_S;
            pool.idle++;
            int r = pthread_cond_timedwait(&pool.cond, &pool.lock, &ts);
            pool.idle--;
            if (r == ETIMEDOUT && !pool.head) {
                pool.threads--;
                pthread_mutex_unlock(&pool.lock);
                return NULL;
            }
        }
        vx_job *j = pool.head;
        pool.queued--;
        pool.head = j->next;
        if (!pool.head)
            pool.tail = NULL;
        pthread_mutex_unlock(&pool.lock);
        if (ld_acquire(&j->state) != J_CANCELLED)
            j->run(j->data);
        finish(j);
        pthread_mutex_lock(&pool.lock);
    }
}

static void submit(vx_job *j) {
    pthread_mutex_lock(&pool.lock);
    j->next = NULL;
    if (pool.tail)
        pool.tail->next = j;
    else
        pool.head = j;
    pool.tail = j;
    pool.queued++;
    /* Each idle thread takes one queued job (it counts as idle until it
     * wakes up): start a thread when the queue outgrows them. */
    bool spawn = pool.queued > pool.idle && pool.threads < VX_BLOCKING_MAX;
    if (spawn)
        pool.threads++;
    pthread_cond_signal(&pool.cond);
    pthread_mutex_unlock(&pool.lock);
    if (spawn) {
        pthread_t th;
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&a, 256 * 1024);
        int r = pthread_create(&th, &a, pool_main, NULL);
        pthread_attr_destroy(&a);
        if (r != 0) {
            pthread_mutex_lock(&pool.lock);
            pool.threads--;
            bool none = pool.threads == 0;
            pthread_mutex_unlock(&pool.lock);
            if (none)
                vx_panic(NULL, "cannot start a blocking-pool thread: %s", strerror(r));
        }
    }
}

vx_poll vx_job_await(vx_frame *self, vx_task *task, vx_job *j, const vx_loc *at) {
    VX_ASSERT(ld_relaxed(&j->state) == J_NEW);
    j->task = task;
    vx_suspend_at(task, self, at);
    vx__io_waiting_add(1);
    st_release(&j->state, J_PENDING);
    submit(j);
    return VX_PENDING;
}

void vx_job_free(vx_job *j) {
    if (!j)
        return;
    uint32_t s = ld_acquire(&j->state);
    for (;;) {
        if (s == J_NEW || s == J_DONE) {
            job_destroy(j);
            return;
        }
        if (s == J_WAKING) { /* the pool thread is between its CAS and DONE */
            cpu_relax();
            s = ld_acquire(&j->state);
            continue;
        }
        VX_ASSERT(s == J_PENDING);
        if (atomic_compare_exchange_weak_explicit(&j->state, &s, J_CANCELLED, memory_order_acq_rel,
                                                  memory_order_acquire)) {
            vx__io_waiting_add(-1);
            return; /* the pool thread frees it */
        }
    }
}
