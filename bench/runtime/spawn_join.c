/*
 * spawn_join: a task spawns N = 1,000,000 trivial tasks (each adds its index
 * to an atomic), then waits for all of them; ns per task. Two ways of
 * waiting, as the peers do:
 *   spawn_join  - keep every handle and join each one in turn (tokio's
 *                 spawn_join: a Vec of JoinHandles allocated before the clock
 *                 starts, each awaited)
 *   spawn_latch - detached tasks and a wait group: add(N) before, done() in
 *                 each task, wait() in the spawner (Go's spawn_join with its
 *                 sync.WaitGroup; tokio's spawn_latch with a Notify)
 * The spawner is itself a task on a worker (like Go's main goroutine and
 * tokio's spawned bench task), so spawns go to the worker's own queue.
 * Names get `_1w` at VEX_WORKERS=1.
 *
 *   async fn child(i: u64) { SUM.fetch_add(i) }            // + wg.done()
 *   async fn run(n: u64): f64 {
 *       let hs = Vec.with_capacity(n); let t = now()
 *       for i in 0..n { hs.push(go child(i)) }
 *       for h in hs { await h }
 *       ...
 *   }
 */
#include "vexrt.h"
#include "bench.h"

#define N 1000000ull

static _Atomic uint64_t sum;
static const vx_loc at_join = {"bench/runtime/spawn_join.c", 1, 1};
static const vx_loc at_wait = {"bench/runtime/spawn_join.c", 2, 1};

/* ---- async fn child(i) --------------------------------------------------- */
typedef struct child_frame {
    vx_frame base;
    uint64_t i;  /* argument */
    vx_wg *wg;   /* argument: NULL when joined */
} child_frame;

static vx_poll child_resume(vx_frame *self, vx_task *task)
{
    child_frame *fr = (child_frame *)self;
    (void)task;
    atomic_fetch_add_explicit(&sum, fr->i, memory_order_relaxed);
    if (fr->wg)
        vx_wg_done(fr->wg);
    return VX_READY;
}

static vx_task *spawn_child(uint64_t i, vx_wg *wg, bool detached)
{
    vx_task *t = vx_task_new(sizeof(child_frame), child_resume, NULL);
    child_frame *c = (child_frame *)vx_task_frame(t);
    c->i = i;
    c->wg = wg;
    if (detached)
        vx_spawn_detached(t);
    else
        vx_spawn(t);
    return t;
}

static void check_sum(uint64_t n)
{
    if (atomic_load(&sum) != n * (n - 1) / 2) {
        fprintf(stderr, "spawn_join: bad sum\n");
        exit(1);
    }
}

/* ---- async fn run_join(n): spawn all, then join each --------------------- */
typedef struct join_frame {
    vx_frame base;
    uint64_t n;     /* argument */
    double ret;     /* result: ns per task */
    vx_task **hs;   /* the handles (allocated before the clock starts) */
    uint64_t i;     /* live across the joins */
    double t0;
} join_frame;

static vx_poll join_resume(vx_frame *self, vx_task *task)
{
    join_frame *fr = (join_frame *)self;
    uint64_t i;
    switch (fr->base.state) {
    case 0:
        break;
    case 1: /* fr->hs[i] completed */
        i = fr->i;
        goto after1;
    default:
        VX_ASSERT(!"bad state");
    }
    atomic_store(&sum, 0);
    fr->hs = vx_alloc(fr->n * sizeof *fr->hs);
    fr->t0 = bench_now_ns();
    for (i = 0; i < fr->n; i++)
        fr->hs[i] = spawn_child(i, NULL, false);
    for (i = 0; i < fr->n; i++) {
        fr->base.state = 1;
        if (vx_join(&fr->base, task, fr->hs[i], &at_join) == VX_PENDING) {
            fr->i = i;
            return VX_PENDING;
        }
    after1:
        vx_task_release(fr->hs[i]);
    }
    fr->ret = (bench_now_ns() - fr->t0) / (double)fr->n;
    vx_free(fr->hs);
    check_sum(fr->n);
    return VX_READY;
}

/* ---- async fn run_latch(n): detached tasks and a wait group -------------- */
typedef struct latch_frame {
    vx_frame base;
    uint64_t n;     /* argument */
    double ret;     /* result: ns per task */
    vx_wg *wg;
    double t0;
    vx_waiter w;    /* the wait() waiter */
} latch_frame;

static vx_poll latch_resume(vx_frame *self, vx_task *task)
{
    latch_frame *fr = (latch_frame *)self;
    switch (fr->base.state) {
    case 0:
        break;
    case 1: /* the group reached zero */
        goto after1;
    default:
        VX_ASSERT(!"bad state");
    }
    atomic_store(&sum, 0);
    fr->wg = vx_wg_new();
    fr->t0 = bench_now_ns();
    vx_wg_add(fr->wg, (long)fr->n);
    for (uint64_t i = 0; i < fr->n; i++)
        spawn_child(i, fr->wg, true);
    fr->base.state = 1;
    if (vx_wg_wait(&fr->base, task, fr->wg, &fr->w, &at_wait) == VX_PENDING)
        return VX_PENDING;
after1:
    fr->ret = (bench_now_ns() - fr->t0) / (double)fr->n;
    vx_wg_free(fr->wg);
    check_sum(fr->n);
    return VX_READY;
}

/* One timed run in a fresh task; both frames start with n and ret. */
static double run(vx_resume_fn resume, size_t size, uint64_t n)
{
    vx_task *t = vx_task_new(size, resume, NULL);
    join_frame *fr = (join_frame *)vx_task_frame(t);
    fr->n = n;
    vx_block_on(t);
    double r = fr->ret;
    vx_task_release(t);
    return r;
}

static void series(const char *base, vx_resume_fn resume, size_t size)
{
    double s[BENCH_REPEATS];
    const char *bench = bench_name(base);
    if (!bench_selected(base))
        return;
    run(resume, size, N); /* warm-up */
    for (int i = 0; i < BENCH_REPEATS; i++)
        s[i] = run(resume, size, N);
    bench_report(bench, "ns_per_task", "ns", s, BENCH_REPEATS);
    bench_stats(bench);
}

int main(int argc, char **argv)
{
    bench_args(argc, argv);
    vx_start(0);
    series("spawn_join", join_resume, sizeof(join_frame));
    series("spawn_latch", latch_resume, sizeof(latch_frame));
    return vx_shutdown() == 0 ? 0 : 1;
}
