/*
 * pingpong: the bench task and an echo task pass a token back and forth
 * through two rendezvous channels (capacity 0, Go's unbuffered channels);
 * ns per round trip (2 sends, 2 receives, 2 task switches). The peers are
 * Go's pingpong (unbuffered channels) and tokio's (capacity-1 mpsc). As they
 * do, a calibration run of N/10 picks an N (at most 1,000,000) that keeps a
 * repeat near 2 s; the N used is printed when it differs.
 *   pingpong (pingpong_1w at VEX_WORKERS=1: Go's pingpong_1p, tokio's _1t)
 *
 *   async fn echo(ping: Channel<u64>, pong: Channel<u64>) {
 *       while let Some(v) = ping.recv_opt() { pong.send(v + 1) }
 *       pong.close()
 *   }
 *   async fn run(n: u64): f64 {
 *       let ping = Channel(0); let pong = Channel(0); go echo(ping, pong)
 *       for i in 0..n { ping.send(i); acc += pong.recv() }
 *       ping.close(); pong.recv_opt()
 *   }
 */
#include "vexrt.h"
#include "bench.h"

#define N 1000000ull

static const vx_loc at_send = {"bench/runtime/pingpong.c", 1, 1};
static const vx_loc at_recv = {"bench/runtime/pingpong.c", 2, 1};

/* ---- async fn echo(ping, pong) ------------------------------------------- */
typedef struct echo_frame {
    vx_frame base;
    vx_chan *ping, *pong; /* arguments (one reference each, owned) */
    uint64_t v;           /* the value received, then sent */
    vx_waiter w;
} echo_frame;

static vx_poll echo_resume(vx_frame *self, vx_task *task)
{
    echo_frame *fr = (echo_frame *)self;
    switch (fr->base.state) {
    case 0:
        break;
    case 1:
        goto after1;
    case 2:
        goto after2;
    default:
        VX_ASSERT(!"bad state");
    }
    for (;;) {
        fr->base.state = 1;
        if (vx_chan_recv(&fr->base, task, fr->ping, &fr->v, &fr->w, &at_recv)
                == VX_PENDING)
            return VX_PENDING;
    after1:
        if (fr->w.status == VX_ECLOSED)
            break;
        fr->v += 1;
        fr->base.state = 2;
        if (vx_chan_send(&fr->base, task, fr->pong, &fr->v, &fr->w, &at_send)
                == VX_PENDING)
            return VX_PENDING;
    after2:
        VX_ASSERT(fr->w.status == VX_OK);
    }
    vx_chan_close(fr->pong);
    vx_chan_release(fr->ping);
    vx_chan_release(fr->pong);
    return VX_READY;
}

/* ---- async fn run(n) ----------------------------------------------------- */
typedef struct run_frame {
    vx_frame base;
    uint64_t n;   /* argument */
    double ret;   /* result: ns per round trip */
    vx_chan *ping, *pong;
    uint64_t i, acc, v, out;
    double t0;
    vx_waiter w;
} run_frame;

static vx_poll run_resume(vx_frame *self, vx_task *task)
{
    run_frame *fr = (run_frame *)self;
    switch (fr->base.state) {
    case 0:
        break;
    case 1:
        goto after1;
    case 2:
        goto after2;
    case 3:
        goto after3;
    default:
        VX_ASSERT(!"bad state");
    }
    fr->ping = vx_chan_new(sizeof(uint64_t), 0);
    fr->pong = vx_chan_new(sizeof(uint64_t), 0);
    {
        vx_task *t = vx_task_new(sizeof(echo_frame), echo_resume, NULL);
        echo_frame *e = (echo_frame *)vx_task_frame(t);
        vx_chan_retain(fr->ping);
        vx_chan_retain(fr->pong);
        e->ping = fr->ping;
        e->pong = fr->pong;
        vx_spawn_detached(t);
    }
    fr->t0 = bench_now_ns();
    fr->acc = 0;
    for (fr->i = 0; fr->i < fr->n; fr->i++) {
        fr->v = fr->i;
        fr->base.state = 1;
        if (vx_chan_send(&fr->base, task, fr->ping, &fr->v, &fr->w, &at_send)
                == VX_PENDING)
            return VX_PENDING;
    after1:
        fr->base.state = 2;
        if (vx_chan_recv(&fr->base, task, fr->pong, &fr->out, &fr->w, &at_recv)
                == VX_PENDING)
            return VX_PENDING;
    after2:
        VX_ASSERT(fr->w.status == VX_OK);
        fr->acc += fr->out;
    }
    fr->ret = (bench_now_ns() - fr->t0) / (double)fr->n;
    vx_chan_close(fr->ping);
    fr->base.state = 3;
    if (vx_chan_recv(&fr->base, task, fr->pong, &fr->out, &fr->w, &at_recv)
            == VX_PENDING)
        return VX_PENDING;
after3:
    VX_ASSERT(fr->w.status == VX_ECLOSED);
    vx_chan_release(fr->ping);
    vx_chan_release(fr->pong);
    if (fr->acc != fr->n * (fr->n + 1) / 2) {
        fprintf(stderr, "pingpong: bad sum\n");
        exit(1);
    }
    return VX_READY;
}

static double run(uint64_t n)
{
    vx_task *t = vx_task_new(sizeof(run_frame), run_resume, NULL);
    run_frame *fr = (run_frame *)vx_task_frame(t);
    fr->n = n;
    vx_block_on(t);
    double r = fr->ret;
    vx_task_release(t);
    return r;
}

int main(void)
{
    const char *bench = bench_name("pingpong");
    double s[BENCH_REPEATS];
    vx_start(0);
    double cal = run(N / 10); /* calibration + warm-up */
    uint64_t n = bench_pick_n(cal, 2e9, 10000, N);
    if (n != N)
        bench_info(bench, "n_used", (double)n, "round_trips");
    for (int i = 0; i < BENCH_REPEATS; i++)
        s[i] = run(n);
    bench_report(bench, "ns_per_roundtrip", "ns", s, BENCH_REPEATS);
    bench_stats(bench);
    return vx_shutdown() == 0 ? 0 : 1;
}
