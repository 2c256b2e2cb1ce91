/*
 * idle_mem: memory per idle task. 100,000 detached tasks are spawned that
 * each block; once all of them are parked, VmRSS (/proc/self/status) is read
 * again and (after - before) / 100,000 is reported in bytes per task; then
 * they are released. Freed memory stays in the allocator and the runtime's
 * free lists, so each of the 5 repeats runs in a fresh child process (this
 * binary re-executed with IDLE_MEM_CHILD=variant), like the peers.
 *   idle_mem_chan  - each task receives from one shared rendezvous channel
 *                    (Go's idle_mem_chan; tokio's idle_mem_notify is the
 *                    nearest); released by closing the channel
 *   idle_mem_sleep - each task sleeps 10 s (tokio's idle_mem_sleep: its
 *                    timer is embedded in its frame); the child measures and
 *                    exits without waiting for them
 * The baseline is taken with the runtime started (workers running) after a
 * 50 ms pause; the tasks are spawned by a task, as the peers do.
 */
#include "vexrt.h"
#include "bench.h"

#include <sys/wait.h>

#define N 100000

enum { CHAN, SLEEP };
static _Atomic long ready, done;
static const vx_loc at_recv = {"bench/runtime/idle_mem.c", 1, 1};
static const vx_loc at_sleep = {"bench/runtime/idle_mem.c", 2, 1};

/* ---- async fn idle(ch): ready += 1; ch.recv_opt(); done += 1 ------------- */
typedef struct chan_frame {
    vx_frame base;
    vx_chan *ch;   /* argument: a borrowed handle (the spawner keeps it alive) */
    vx_waiter w;
    uint8_t v;
} chan_frame;

static vx_poll chan_idle_resume(vx_frame *self, vx_task *task)
{
    chan_frame *fr = (chan_frame *)self;
    switch (fr->base.state) {
    case 0:
        break;
    case 1:
        goto after1;
    default:
        VX_ASSERT(!"bad state");
    }
    atomic_fetch_add_explicit(&ready, 1, memory_order_release);
    fr->base.state = 1;
    if (vx_chan_recv(&fr->base, task, fr->ch, &fr->v, &fr->w, &at_recv)
            == VX_PENDING)
        return VX_PENDING;
after1:
    atomic_fetch_add_explicit(&done, 1, memory_order_release);
    return VX_READY;
}

/* ---- async fn idle_sleep(): ready += 1; sleep(10 s) ---------------------- */
typedef struct sleep_frame {
    vx_frame base;
    vx_timer tm;
} sleep_frame;

static vx_poll sleep_idle_resume(vx_frame *self, vx_task *task)
{
    sleep_frame *fr = (sleep_frame *)self;
    switch (fr->base.state) {
    case 0:
        break;
    case 1:
        goto after1;
    default:
        VX_ASSERT(!"bad state");
    }
    atomic_fetch_add_explicit(&ready, 1, memory_order_release);
    memset(&fr->tm, 0, sizeof fr->tm); /* task frames are not zeroed */
    fr->base.state = 1;
    if (vx_sleep(&fr->base, task, 10000, &fr->tm, &at_sleep) == VX_PENDING)
        return VX_PENDING;
after1:
    atomic_fetch_add_explicit(&done, 1, memory_order_release);
    return VX_READY;
}

/* ---- async fn spawner(variant, ch): spawns the N idle tasks -------------- */
typedef struct spawner_frame {
    vx_frame base;
    int variant;
    vx_chan *ch;
} spawner_frame;

static vx_poll spawner_resume(vx_frame *self, vx_task *task)
{
    spawner_frame *fr = (spawner_frame *)self;
    (void)task;
    for (int i = 0; i < N; i++) {
        vx_task *t;
        if (fr->variant == CHAN) {
            t = vx_task_new(sizeof(chan_frame), chan_idle_resume, NULL);
            ((chan_frame *)vx_task_frame(t))->ch = fr->ch;
        } else {
            t = vx_task_new(sizeof(sleep_frame), sleep_idle_resume, NULL);
        }
        vx_spawn_detached(t);
    }
    return VX_READY;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* The child: one measurement, printed on stdout. */
static int child(int variant)
{
    vx_chan *ch = vx_chan_new(1, 0);
    vx_start(0);
    sleep_ms(50);
    long before = bench_rss_kb();
    vx_task *t = vx_task_new(sizeof(spawner_frame), spawner_resume, NULL);
    spawner_frame *fr = (spawner_frame *)vx_task_frame(t);
    fr->variant = variant;
    fr->ch = ch;
    vx_block_on(t);
    vx_task_release(t);
    while (atomic_load_explicit(&ready, memory_order_acquire) < N)
        sleep_ms(1);
    sleep_ms(100);
    long after = bench_rss_kb();
    printf("%f\n", (double)(after - before) * 1024.0 / N);
    fflush(stdout);
    if (variant == SLEEP)
        _exit(0); /* the sleepers would keep us 10 s */
    vx_chan_close(ch);
    while (atomic_load_explicit(&done, memory_order_acquire) < N)
        sleep_ms(1);
    vx_chan_release(ch);
    return vx_shutdown() == 0 ? 0 : 1;
}

/* Run the child once; returns its figure, or exits on failure. */
static double run_child(const char *variant)
{
    char cmd[4200], self[4096], line[128];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) {
        perror("idle_mem: /proc/self/exe");
        exit(1);
    }
    self[len] = 0;
    snprintf(cmd, sizeof cmd, "IDLE_MEM_CHILD=%s '%s'", variant, self);
    FILE *p = popen(cmd, "r");
    if (!p || !fgets(line, sizeof line, p)) {
        fprintf(stderr, "idle_mem: the %s child printed nothing\n", variant);
        exit(1);
    }
    int st = pclose(p);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "idle_mem: the %s child failed (status %d)\n", variant, st);
        exit(1);
    }
    return strtod(line, NULL);
}

int main(void)
{
    const char *c = getenv("IDLE_MEM_CHILD");
    if (c)
        return child(strcmp(c, "sleep") == 0 ? SLEEP : CHAN);
    static const char *variants[] = {"chan", "sleep"};
    for (int v = 0; v < 2; v++) {
        double s[BENCH_REPEATS];
        char bench[64];
        for (int i = 0; i < BENCH_REPEATS; i++)
            s[i] = run_child(variants[v]);
        snprintf(bench, sizeof bench, "idle_mem_%s", variants[v]);
        bench_report(bench, "bytes_per_task", "B", s, BENCH_REPEATS);
        /* what one task is made of: the header and the root frame */
        bench_info(bench, "header_bytes", VX_TASK_HEADER, "B");
        bench_info(bench, "frame_bytes",
                   (double)(v == CHAN ? sizeof(chan_frame) : sizeof(sleep_frame)), "B");
    }
    return 0;
}
