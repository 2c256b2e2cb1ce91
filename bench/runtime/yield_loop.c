/*
 * yield_loop: one task calls vx_yield N = 10,000,000 times; ns per yield
 * (suspend + reschedule + resume of a task that is always runnable again:
 * the seed's "await with suspension ~50-100 ns"). The peers are Go's
 * runtime.Gosched() and tokio's yield_now(). As they do, a calibration run
 * of N/10 picks an N that keeps one repeat near 2 s (1 s at one worker);
 * the N used is printed when it differs.
 *   yield_loop (yield_loop_1w at VEX_WORKERS=1)
 *   yield_deep - the yield happens DEPTH frames down an await chain: each
 *                iteration the task awaits a chain of DEPTH nested async
 *                calls whose innermost frame yields once and returns, so one
 *                iteration = DEPTH frame inits and calls, one suspension,
 *                and DEPTH resumptions on the way back up (the worker resumes
 *                the innermost frame directly, then each parent once)
 *   yield_switch - 2 tasks per worker yield in turn, N yields in all: every
 *                  yield really hands the worker to another task (a worker
 *                  alone with one task resumes it at once, no queue at all,
 *                  which is what yield_loop measures). Reported as
 *                  wall time * workers / N: the cost of one switch on one
 *                  worker (comparable to Go's Gosched, which always goes
 *                  through a run queue)
 *
 *   async fn run(n: u64): f64 { for i in 0..n { yield() } ... }
 *   async fn down(d: u32) { if d == 0 { yield() } else { await down(d - 1) } }
 */
#include "vexrt.h"
#include "bench.h"

#define N 10000000ull
#define DEPTH 10

static const vx_loc at_yield = {"bench/runtime/yield_loop.c", 1, 1};
static const vx_loc at_down = {"bench/runtime/yield_loop.c", 2, 1};

/* ---- async fn run(n): the flat yield loop -------------------------------- */
typedef struct run_frame {
    vx_frame base;
    uint64_t n;  /* argument */
    double ret;  /* result: ns per yield */
    uint64_t i;  /* live across the yield */
    double t0;
} run_frame;

static vx_poll run_resume(vx_frame *self, vx_task *task)
{
    run_frame *fr = (run_frame *)self;
    uint64_t i;
    switch (fr->base.state) {
    case 0:
        break;
    case 1:
        i = fr->i;
        goto after1;
    default:
        VX_ASSERT(!"bad state");
    }
    fr->t0 = bench_now_ns();
    for (i = 0; i < fr->n; i++) {
        fr->base.state = 1;
        if (vx_yield(&fr->base, task, &at_yield) == VX_PENDING) {
            fr->i = i;
            return VX_PENDING;
        }
    after1:;
    }
    fr->ret = (bench_now_ns() - fr->t0) / (double)fr->n;
    return VX_READY;
}

/* ---- async fn down(d): a chain of DEPTH awaits, yield at the bottom ------ */
/* A recursive async fn needs boxing; here the chain is unrolled into DEPTH
 * distinct frame types in the generated shape: frame k embeds frame k+1. To
 * keep one resume function, the frames are laid out in one array inside the
 * root's frame and each frame knows its depth. */
typedef struct down_frame {
    vx_frame base;
    uint32_t d; /* argument */
} down_frame;

typedef struct deep_frame {
    vx_frame base;
    uint64_t n;
    double ret;
    uint64_t i;
    double t0;
    down_frame chain[DEPTH]; /* chain[k] awaits chain[k + 1] */
} deep_frame;

static vx_poll down_resume(vx_frame *self, vx_task *task)
{
    down_frame *fr = (down_frame *)self;
    switch (fr->base.state) {
    case 0:
        break;
    case 1: /* the yield completed */
    case 2: /* the callee completed */
        return VX_READY;
    default:
        VX_ASSERT(!"bad state");
    }
    if (fr->d == 0) {
        fr->base.state = 1;
        if (vx_yield(&fr->base, task, &at_yield) == VX_PENDING)
            return VX_PENDING;
        return VX_READY;
    }
    down_frame *callee = fr + 1; /* the next frame of the chain */
    vx_frame_init(&callee->base, down_resume, &fr->base);
    callee->d = fr->d - 1;
    fr->base.state = 2;
    fr->base.at = &at_down;
    if (down_resume(&callee->base, task) == VX_PENDING)
        return VX_PENDING;
    return VX_READY;
}

static vx_poll deep_resume(vx_frame *self, vx_task *task)
{
    deep_frame *fr = (deep_frame *)self;
    uint64_t i;
    switch (fr->base.state) {
    case 0:
        break;
    case 1:
        i = fr->i;
        goto after1;
    default:
        VX_ASSERT(!"bad state");
    }
    fr->t0 = bench_now_ns();
    for (i = 0; i < fr->n; i++) {
        vx_frame_init(&fr->chain[0].base, down_resume, &fr->base);
        fr->chain[0].d = DEPTH - 1;
        fr->base.state = 1;
        fr->base.at = &at_down;
        if (down_resume(&fr->chain[0].base, task) == VX_PENDING) {
            fr->i = i;
            return VX_PENDING;
        }
    after1:;
    }
    fr->ret = (bench_now_ns() - fr->t0) / (double)fr->n;
    return VX_READY;
}

/* ---- yield_switch: K tasks yielding in turn, joined by the bench task ----- */
typedef struct switch_frame {
    vx_frame base;
    uint64_t n;     /* argument: yields in all */
    double ret;     /* result: ns per switch per worker */
    uint64_t k;     /* the task being joined */
    double t0;
    int nt;
    vx_task *hs[64];
} switch_frame;

typedef struct yielder_frame {
    vx_frame base;
    uint64_t n; /* argument: yields to make */
    uint64_t i;
} yielder_frame;

static vx_poll yielder_resume(vx_frame *self, vx_task *task)
{
    yielder_frame *fr = (yielder_frame *)self;
    switch (fr->base.state) {
    case 0:
        fr->i = 0;
        break;
    case 1:
        goto after1;
    default:
        VX_ASSERT(!"bad state");
    }
    for (; fr->i < fr->n; fr->i++) {
        fr->base.state = 1;
        if (vx_yield(&fr->base, task, &at_yield) == VX_PENDING)
            return VX_PENDING;
    after1:;
    }
    return VX_READY;
}

static vx_poll switch_resume(vx_frame *self, vx_task *task)
{
    switch_frame *fr = (switch_frame *)self;
    switch (fr->base.state) {
    case 0:
        break;
    case 1:
        goto after1;
    default:
        VX_ASSERT(!"bad state");
    }
    fr->nt = 2 * bench_workers();
    if (fr->nt > 64)
        fr->nt = 64;
    fr->t0 = bench_now_ns();
    for (int k = 0; k < fr->nt; k++) {
        vx_task *t = vx_task_new(sizeof(yielder_frame), yielder_resume, NULL);
        ((yielder_frame *)vx_task_frame(t))->n = fr->n / (uint64_t)fr->nt;
        vx_spawn(t);
        fr->hs[k] = t;
    }
    for (fr->k = 0; fr->k < (uint64_t)fr->nt; fr->k++) {
        fr->base.state = 1;
        if (vx_join(&fr->base, task, fr->hs[fr->k], &at_down) == VX_PENDING)
            return VX_PENDING;
    after1:
        vx_task_release(fr->hs[fr->k]);
    }
    fr->ret = (bench_now_ns() - fr->t0) * bench_workers() / (double)fr->n;
    return VX_READY;
}

/* One timed run in a fresh task; the frames start with run_frame's fields. */
static double run(vx_resume_fn resume, size_t size, uint64_t n)
{
    vx_task *t = vx_task_new(size, resume, NULL);
    run_frame *fr = (run_frame *)vx_task_frame(t);
    fr->n = n;
    vx_block_on(t);
    double r = fr->ret;
    vx_task_release(t);
    return r;
}

static void series(const char *base, vx_resume_fn resume, size_t size,
                   double target_ns)
{
    double s[BENCH_REPEATS];
    const char *bench = bench_name(base);
    if (!bench_selected(base))
        return;
    double cal = run(resume, size, N / 10);
    uint64_t n = bench_pick_n(cal, target_ns, 100000, N);
    if (n != N)
        bench_info(bench, "n_used", (double)n, "yields");
    for (int i = 0; i < BENCH_REPEATS; i++)
        s[i] = run(resume, size, n);
    bench_report(bench, "ns_per_yield", "ns", s, BENCH_REPEATS);
    bench_stats(bench);
}

int main(int argc, char **argv)
{
    bench_args(argc, argv);
    double target = bench_workers() == 1 ? 1e9 : 2e9;
    vx_start(0);
    series("yield_loop", run_resume, sizeof(run_frame), target);
    series("yield_deep", deep_resume, sizeof(deep_frame), target);
    series("yield_switch", switch_resume, sizeof(switch_frame), target);
    return vx_shutdown() == 0 ? 0 : 1;
}
