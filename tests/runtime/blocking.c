/* blocking: the blocking pool (vx_job_*), with ONE worker.
 *   - 40 tasks each await a job; every job waits until at least 4 jobs run
 *     at once (so the pool runs them in parallel, off the worker; a bound of
 *     10 s turns a failure into an error, not a hang), then returns its
 *     argument squared: every task reads its own result; the dtor of every
 *     job runs once;
 *   - teardown: 20 tasks await jobs that block until released; the pool's
 *     16 threads take 16 of them, 4 stay queued. vx_shutdown drops the 20
 *     tasks (their drop hooks free the jobs: cancel). After the release,
 *     exactly 16 jobs ran (the queued ones were skipped) and all 20 were
 *     destroyed by the pool. */
#include <unistd.h>

#include "rtest.h"

typedef struct {
    long in, out;
    int mode; /* 0: wait for company; 1: block until released */
} job_data;

static _Atomic int running, max_running, ran, dtors, release_;

static void job_run(void *p) {
    job_data *d = p;
    atomic_fetch_add(&ran, 1);
    int now = atomic_fetch_add(&running, 1) + 1;
    int m = atomic_load(&max_running);
    while (now > m && !atomic_compare_exchange_weak(&max_running, &m, now)) {
    }
    if (d->mode == 0) {
        for (int i = 0; i < 10000 && atomic_load(&max_running) < 4; i++)
            usleep(1000);
    } else {
        while (!atomic_load(&release_))
            usleep(1000);
    }
    d->out = d->in * d->in;
    atomic_fetch_sub(&running, 1);
}

static void job_dtor(void *p) {
    (void)p;
    atomic_fetch_add(&dtors, 1);
}

typedef struct {
    vx_frame base;
    long in, out;
    int mode;
    vx_job *j;
} task_f;

static vx_poll work(vx_frame *self, vx_task *task) {
    LOC(at);
    task_f *f = (task_f *)self;
    switch (f->base.state) {
    case 0:
        f->j = vx_job_new(job_run, job_dtor, sizeof(job_data));
        ((job_data *)vx_job_data(f->j))->in = f->in;
        ((job_data *)vx_job_data(f->j))->mode = f->mode;
        f->base.state = 1;
        if (vx_job_await(&f->base, task, f->j, &at) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:
        f->out = ((job_data *)vx_job_data(f->j))->out;
        vx_job_free(f->j);
        f->j = NULL;
        f->base.state = 2;
    }
    return VX_READY;
}

static void work_drop(vx_frame *root) {
    task_f *f = (task_f *)root;
    if (f->base.state == 1)
        vx_job_free(f->j); /* in flight: cancelled */
}

static task_f *new_work(long in, int mode) {
    vx_task *t = vx_task_new(sizeof(task_f), work, work_drop);
    task_f *f = (task_f *)vx_task_frame(t);
    f->in = in;
    f->mode = mode;
    f->j = NULL;
    return f;
}

int main(void) {
    vx_start(1);
    task_f *t[40];
    for (int i = 0; i < 40; i++) {
        t[i] = new_work(i + 1, 0);
        vx_spawn(task_of(t[i]));
    }
    for (int i = 0; i < 40; i++) {
        vx_join_sync(task_of(t[i]));
        CHECK_EQ(t[i]->out, (long)(i + 1) * (i + 1));
        vx_task_release(task_of(t[i]));
    }
    CHECK(atomic_load(&max_running) >= 4);
    CHECK(atomic_load(&max_running) <= 16);
    CHECK_EQ(atomic_load(&dtors), 40);

    /* teardown with jobs running and queued */
    atomic_store(&ran, 0);
    atomic_store(&dtors, 0);
    for (int i = 0; i < 20; i++)
        vx_spawn_detached(task_of(new_work(i, 1)));
    for (int i = 0; i < 10000 && atomic_load(&ran) < 16; i++)
        usleep(1000);
    usleep(20000); /* a 17th would have started by now if the pool had room */
    CHECK_EQ(atomic_load(&ran), 16);
    CHECK_EQ(vx_shutdown(), 20);
    atomic_store(&release_, 1);
    for (int i = 0; i < 10000 && atomic_load(&dtors) < 20; i++)
        usleep(1000);
    CHECK_EQ(atomic_load(&dtors), 20);
    CHECK_EQ(atomic_load(&ran), 16);
    CHECK_EQ(vx_alloc_live(), 0);
    printf("ok\n");
    return 0;
}
