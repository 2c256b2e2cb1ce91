/*
 * skynet: the classic benchmark. Every node of a 10-ary tree of depth 6 is a
 * task; the 1,000,000 leaves produce their number, inner nodes sum their 10
 * children (the result must be 499999500000). Wall time in ms, one warm-up
 * then 5 repeats. Two shapes, one per peer:
 *   skynet      - tokio's: inner nodes spawn their 10 children, keep the
 *                 handles and join each; the root node is awaited inline by
 *                 the bench task (1,111,111 tasks)
 *   skynet_chan - Go's: a node sends its sum to its parent over the parent's
 *                 rendezvous channel; inner nodes spawn 10 detached children
 *                 and receive 10 times; the root is spawned too (1,111,112
 *                 tasks counting the bench task)
 * Names get `_1w` at VEX_WORKERS=1 (Go's skynet_1p, tokio's skynet_1w).
 *
 *   async fn node(num: u64, size: u64): u64 {
 *       if size == 1 { return num }
 *       let hs = [go node(num + i * size / 10, size / 10) for i in 0..10]
 *       sum of await h for h in hs
 *   }
 */
#include "vexrt.h"
#include "bench.h"

#define SIZE 1000000ull
#define DIV 10
#define EXPECT 499999500000ull

static const vx_loc at_join = {"bench/runtime/skynet.c", 1, 1};
static const vx_loc at_recv = {"bench/runtime/skynet.c", 2, 1};
static const vx_loc at_send = {"bench/runtime/skynet.c", 3, 1};

/* ---- async fn node(num, size): u64, with join handles -------------------- */
typedef struct node_frame {
    vx_frame base;
    uint64_t num, size; /* arguments */
    uint64_t ret;       /* result */
    uint64_t sum;
    uint32_t i;
    vx_task *hs[DIV];
} node_frame;

static vx_poll node_resume(vx_frame *self, vx_task *task)
{
    node_frame *fr = (node_frame *)self;
    switch (fr->base.state) {
    case 0:
        break;
    case 1: /* fr->hs[fr->i] completed */
        goto after1;
    default:
        VX_ASSERT(!"bad state");
    }
    if (fr->size == 1) {
        fr->ret = fr->num;
        return VX_READY;
    }
    uint64_t sub = fr->size / DIV;
    for (uint32_t i = 0; i < DIV; i++) {
        vx_task *t = vx_task_new(sizeof(node_frame), node_resume, NULL);
        node_frame *c = (node_frame *)vx_task_frame(t);
        c->num = fr->num + i * sub;
        c->size = sub;
        vx_spawn(t);
        fr->hs[i] = t;
    }
    fr->sum = 0;
    for (fr->i = 0; fr->i < DIV; fr->i++) {
        fr->base.state = 1;
        if (vx_join(&fr->base, task, fr->hs[fr->i], &at_join) == VX_PENDING)
            return VX_PENDING;
    after1:
        fr->sum += ((node_frame *)vx_task_frame(fr->hs[fr->i]))->ret;
        vx_task_release(fr->hs[fr->i]);
    }
    fr->ret = fr->sum;
    return VX_READY;
}

/* ---- async fn node_chan(c, num, size): sends its sum on c ---------------- */
typedef struct chan_frame {
    vx_frame base;
    vx_chan *c;         /* argument: the parent's channel (a reference, owned) */
    uint64_t num, size; /* arguments */
    vx_chan *rc;        /* the children's channel */
    uint64_t sum, v;
    uint32_t i;
    vx_waiter w;
} chan_frame;

static vx_poll chan_resume(vx_frame *self, vx_task *task)
{
    chan_frame *fr = (chan_frame *)self;
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
    if (fr->size == 1) {
        fr->sum = fr->num;
        goto send;
    }
    fr->rc = vx_chan_new(sizeof(uint64_t), 0);
    uint64_t sub = fr->size / DIV;
    for (uint32_t i = 0; i < DIV; i++) {
        vx_task *t = vx_task_new(sizeof(chan_frame), chan_resume, NULL);
        chan_frame *c = (chan_frame *)vx_task_frame(t);
        vx_chan_retain(fr->rc);
        c->c = fr->rc;
        c->num = fr->num + i * sub;
        c->size = sub;
        vx_spawn_detached(t);
    }
    fr->sum = 0;
    for (fr->i = 0; fr->i < DIV; fr->i++) {
        fr->base.state = 1;
        if (vx_chan_recv(&fr->base, task, fr->rc, &fr->v, &fr->w, &at_recv)
                == VX_PENDING)
            return VX_PENDING;
    after1:
        VX_ASSERT(fr->w.status == VX_OK);
        fr->sum += fr->v;
    }
    vx_chan_release(fr->rc);
send:
    fr->base.state = 2;
    if (vx_chan_send(&fr->base, task, fr->c, &fr->sum, &fr->w, &at_send)
            == VX_PENDING)
        return VX_PENDING;
after2:
    VX_ASSERT(fr->w.status == VX_OK);
    vx_chan_release(fr->c);
    return VX_READY;
}

/* ---- async fn run(chan: bool): f64 --------------------------------------- */
typedef struct run_frame {
    vx_frame base;
    int chan;      /* argument: which shape */
    double ret;    /* result: ms */
    double t0;
    uint64_t r;
    vx_chan *c;
    vx_waiter w;
    union {        /* the embedded frame of the awaited root node */
        node_frame node;
    } callee;
} run_frame;

static vx_poll run_resume(vx_frame *self, vx_task *task)
{
    run_frame *fr = (run_frame *)self;
    switch (fr->base.state) {
    case 0:
        break;
    case 1: /* the root node completed */
        fr->r = fr->callee.node.ret;
        goto done;
    case 2: /* received the root's sum */
        VX_ASSERT(fr->w.status == VX_OK);
        vx_chan_release(fr->c);
        goto done;
    default:
        VX_ASSERT(!"bad state");
    }
    fr->t0 = bench_now_ns();
    if (!fr->chan) {
        vx_frame_init(&fr->callee.node.base, node_resume, &fr->base);
        fr->callee.node.num = 0;
        fr->callee.node.size = SIZE;
        fr->base.state = 1;
        if (node_resume(&fr->callee.node.base, task) == VX_PENDING)
            return VX_PENDING;
        fr->r = fr->callee.node.ret;
    } else {
        fr->c = vx_chan_new(sizeof(uint64_t), 0);
        vx_task *t = vx_task_new(sizeof(chan_frame), chan_resume, NULL);
        chan_frame *c = (chan_frame *)vx_task_frame(t);
        vx_chan_retain(fr->c);
        c->c = fr->c;
        c->num = 0;
        c->size = SIZE;
        vx_spawn_detached(t);
        fr->base.state = 2;
        if (vx_chan_recv(&fr->base, task, fr->c, &fr->r, &fr->w, &at_recv)
                == VX_PENDING)
            return VX_PENDING;
        vx_chan_release(fr->c);
    }
done:
    fr->ret = (bench_now_ns() - fr->t0) / 1e6;
    if (fr->r != EXPECT) {
        fprintf(stderr, "skynet: bad result %llu\n", (unsigned long long)fr->r);
        exit(1);
    }
    return VX_READY;
}

static double run(int chan)
{
    vx_task *t = vx_task_new(sizeof(run_frame), run_resume, NULL);
    run_frame *fr = (run_frame *)vx_task_frame(t);
    fr->chan = chan;
    vx_block_on(t);
    double r = fr->ret;
    vx_task_release(t);
    return r;
}

static void series(const char *base, int chan)
{
    double s[BENCH_REPEATS];
    const char *bench = bench_name(base);
    if (!bench_selected(base))
        return;
    run(chan); /* warm-up */
    for (int i = 0; i < BENCH_REPEATS; i++)
        s[i] = run(chan);
    bench_report(bench, "wall_ms", "ms", s, BENCH_REPEATS);
    bench_stats(bench);
}

int main(int argc, char **argv)
{
    bench_args(argc, argv);
    vx_start(0);
    series("skynet", 0);
    series("skynet_chan", 1);
    return vx_shutdown() == 0 ? 0 : 1;
}
