/*
 * ready_await: `await f(x)` on an async fn whose frame is READY on its first
 * resume, N = 100,000,000 times in a loop inside a task (the seed's "await
 * on ready value ~5 ns"; the peer is tokio's ready_await). The callee's frame
 * is embedded in the caller's frame, initialised in place and resumed by a
 * direct call, exactly as the compiler lowers an await: no allocation and no
 * scheduler on the ready path. Three shapes:
 *   ready_await          - the callee's resume function is a static function
 *                          in the same translation unit (what generated C is),
 *                          so the C compiler may inline it
 *   ready_await_noinline - the callee's resume is noinline: one real call and
 *                          a READY test per await (tokio's ready_await_noinline)
 *   ready_await_boxed    - the callee's frame is allocated with vx_alloc and
 *                          freed per await (tokio's ready_await_boxed: the
 *                          anchor for a lowering that heap-allocates frames)
 * The argument goes through a register barrier and the results are summed,
 * so the loop is not folded away (the peers' `opaque`).
 *
 *   async fn f(x: u64): u64 { x + 1 }
 *   async fn run(n: u64): f64 {
 *       let t = now(); let mut acc = 0
 *       for i in 0..n { acc += await f(opaque(i)) }
 *       ns_per(now() - t, n)
 *   }
 */
#include "vexrt.h"
#include "bench.h"

#define N 100000000ull
#define N_BOXED 20000000ull

/* ---- async fn f(x: u64): u64 { x + 1 } ---------------------------------- */
typedef struct f_frame {
    vx_frame base;
    uint64_t x;   /* argument */
    uint64_t ret; /* result, read by the awaiting caller */
} f_frame;

static vx_poll f_resume(vx_frame *self, vx_task *task)
{
    f_frame *fr = (f_frame *)self;
    (void)task;
    fr->ret = fr->x + 1;
    return VX_READY;
}

__attribute__((noinline)) static vx_poll f_resume_noinline(vx_frame *self,
                                                           vx_task *task)
{
    f_frame *fr = (f_frame *)self;
    (void)task;
    fr->ret = fr->x + 1;
    return VX_READY;
}

/* ---- async fn run(n): the loop that awaits f ----------------------------- */
enum { SHAPE_INLINE, SHAPE_NOINLINE, SHAPE_BOXED };

typedef struct run_frame {
    vx_frame base;
    uint64_t n;      /* argument */
    double ret;      /* result: ns per await */
    /* live across the await */
    uint64_t i, acc;
    double t0;
    f_frame *boxed;  /* SHAPE_BOXED: the heap frame being awaited */
    union {          /* the embedded frame of the callee being awaited */
        f_frame f;
    } callee;
} run_frame;

/* Generated shape: locals are C locals between suspension points, restored
 * from the frame on resume and saved to it only when a callee is PENDING
 * (never here: f is always ready). One body, specialised per shape by the
 * constant argument, so each shape's loop is what the compiler would emit. */
static inline __attribute__((always_inline)) vx_poll
run_body(vx_frame *self, vx_task *task, int shape)
{
    run_frame *fr = (run_frame *)self;
    uint64_t n = fr->n, i, acc;
    double t0;
    vx_poll p;
    switch (fr->base.state) {
    case 0:
        break;
    case 1: /* resumed: the callee completed, its result is in its frame */
        i = fr->i, acc = fr->acc, t0 = fr->t0;
        goto after1;
    default:
        VX_ASSERT(!"bad state");
    }
    t0 = bench_now_ns();
    acc = 0;
    for (i = 0; i < n; i++) {
        /* await f(opaque(i)): init the callee's frame, call its resume */
        if (shape == SHAPE_BOXED) {
            fr->boxed = vx_alloc(sizeof(f_frame));
            vx_frame_init(&fr->boxed->base, f_resume_noinline, &fr->base);
            fr->boxed->x = bench_opaque(i);
        } else {
            vx_frame_init(&fr->callee.f.base,
                          shape == SHAPE_INLINE ? f_resume : f_resume_noinline,
                          &fr->base);
            fr->callee.f.x = bench_opaque(i);
        }
        fr->base.state = 1;
        if (shape == SHAPE_INLINE)
            p = f_resume(&fr->callee.f.base, task);
        else if (shape == SHAPE_NOINLINE)
            p = f_resume_noinline(&fr->callee.f.base, task);
        else
            p = fr->boxed->base.resume(&fr->boxed->base, task);
        if (p == VX_PENDING) {
            fr->i = i, fr->acc = acc, fr->t0 = t0;
            return VX_PENDING;
        }
    after1:
        if (shape == SHAPE_BOXED) {
            acc += fr->boxed->ret;
            vx_free(fr->boxed);
        } else {
            acc += fr->callee.f.ret;
        }
    }
    fr->ret = (bench_now_ns() - t0) / (double)n;
    if (bench_opaque(acc) != n * (n + 1) / 2) {
        fprintf(stderr, "ready_await: bad sum\n");
        exit(1);
    }
    return VX_READY;
}

static vx_poll run_inline(vx_frame *self, vx_task *task)
{
    return run_body(self, task, SHAPE_INLINE);
}
static vx_poll run_noinline(vx_frame *self, vx_task *task)
{
    return run_body(self, task, SHAPE_NOINLINE);
}
static vx_poll run_boxed(vx_frame *self, vx_task *task)
{
    return run_body(self, task, SHAPE_BOXED);
}

/* One timed run of `n` awaits in a fresh task; returns ns per await. */
static double run(vx_resume_fn resume, uint64_t n)
{
    vx_task *t = vx_task_new(sizeof(run_frame), resume, NULL);
    run_frame *fr = (run_frame *)vx_task_frame(t);
    fr->n = n;
    vx_block_on(t);
    double r = fr->ret;
    vx_task_release(t);
    return r;
}

static void series(const char *bench, vx_resume_fn resume, uint64_t n)
{
    double s[BENCH_REPEATS];
    if (!bench_selected(bench))
        return;
    run(resume, n / 10); /* warm-up */
    for (int i = 0; i < BENCH_REPEATS; i++)
        s[i] = run(resume, n);
    bench_report(bench, "ns_per_await", "ns", s, BENCH_REPEATS);
    bench_stats(bench);
}

int main(int argc, char **argv)
{
    bench_args(argc, argv);
    vx_start(0);
    series("ready_await", run_inline, N);
    series("ready_await_noinline", run_noinline, N);
    series("ready_await_boxed", run_boxed, N_BOXED);
    return vx_shutdown() == 0 ? 0 : 1;
}
