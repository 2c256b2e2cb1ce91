/*
 * http_hello: the HTTP/1.1 server core under wrk, the peers' http_hello
 * (../shared/peers: Go net/http, tokio+hyper): every request gets 200 and
 * the 13-byte body "Hello, World!" with Content-Type: text/plain, over
 * keep-alive connections, one task per connection.
 *
 *   http_hello                 run both series and print the results
 *   http_hello serve ADDR SECS serve only (for an outside load generator)
 *
 * bench/run.sh measures it with bench/http.sh (serve mode, beside Go,
 * tokio and a Vex-built server in the same run, CPU from /proc/PID/stat);
 * the series below are for a quick look at this server alone.
 *
 * Series (wrk -t1 -c64 -d3s, a 1 s warm-up, BENCH_REPEATS runs each):
 *   http_hello            the default worker count, wrk unpinned
 *   http_hello_pinned1w   one worker pinned on cpu0, wrk on cpu1 (taskset)
 * Metrics: req_per_s, latency_p99 (us), server_cpu_per_req (us of this
 * process's user+system CPU per request: getrusage around each run; wrk is
 * another process), and its user and system parts, as the peers print.
 *
 *   async fn handle(c: HttpConn) {
 *       while let Some(req) = await c.next() {
 *           await c.respond(200, "Content-Type: text/plain\r\n", "Hello, World!")
 *       }
 *   }
 *   async fn serve(l: Listener) { loop { go handle(await l.accept()?) } }
 */
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/resource.h>

#include "vexrt.h"
#include "bench.h"

static const vx_loc at_next = {"bench/runtime/http_hello.c", 1, 1};
static const vx_loc at_resp = {"bench/runtime/http_hello.c", 2, 1};
static const vx_loc at_acc = {"bench/runtime/http_hello.c", 3, 1};

static vx_sock *listener;
static _Atomic int stop;

typedef struct {
    vx_frame base;
    vx_http_conn *c;
    vx_http_op op;
} conn_frame;

static vx_poll handle_resume(vx_frame *self, vx_task *task)
{
    conn_frame *f = (conn_frame *)self;
    switch (f->base.state) {
    case 0:
        for (;;) {
            f->base.state = 1;
            if (vx_http_next(&f->base, task, &f->op, f->c, &at_next) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:
            if (f->op.status == VX_HTTP_CLOSED)
                break;
            f->base.state = 2;
            if (vx_http_respond(&f->base, task, &f->op, f->c, 200, "Content-Type: text/plain\r\n",
                                "Hello, World!", 13, &at_resp) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 2:
            if (f->op.status == VX_HTTP_CLOSED)
                break;
        }
        vx_http_conn_free(f->c);
        f->base.state = 3; /* done: nothing left for the drop hook */
    }
    return VX_READY;
}

static void handle_drop(vx_frame *root)
{
    conn_frame *f = (conn_frame *)root;
    if (f->base.state == 1 || f->base.state == 2) {
        vx_http_op_drop(&f->op);
        vx_http_conn_free(f->c);
    }
}

typedef struct {
    vx_frame base;
    vx_net_op op;
} serve_frame;

static vx_poll serve_resume(vx_frame *self, vx_task *task)
{
    serve_frame *f = (serve_frame *)self;
    switch (f->base.state) {
    case 0:
        while (!atomic_load(&stop)) {
            f->base.state = 1;
            if (vx_net_accept(&f->base, task, &f->op, listener, &at_acc) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:
            if (f->op.err.kind)
                continue; /* a timeout (look at stop) or a transient error */
            vx_task *t = vx_task_new(sizeof(conn_frame), handle_resume, handle_drop);
            conn_frame *cf = (conn_frame *)vx_task_frame(t);
            memset((char *)cf + sizeof(vx_frame), 0, sizeof *cf - sizeof(vx_frame));
            cf->c = vx_http_conn_new(vx_net_op_take_sock(&f->op));
            vx_spawn_detached(t);
        }
    }
    return VX_READY;
}

typedef struct {
    vx_frame base;
    const vx_str *addr;
    vx_net_op op;
} listen_frame;

static vx_poll listen_resume(vx_frame *self, vx_task *task)
{
    listen_frame *f = (listen_frame *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_net_listen(&f->base, task, &f->op, f->addr, &at_acc) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:
        break;
    }
    return VX_READY;
}

/* Start the runtime with `workers`, listen on addr, start accepting. */
static vx_task *server_start(int workers, const char *addr)
{
    atomic_store(&stop, 0);
    vx_start(workers);
    vx_task *lt = vx_task_new(sizeof(listen_frame), listen_resume, NULL);
    listen_frame *lf = (listen_frame *)vx_task_frame(lt);
    memset((char *)lf + sizeof(vx_frame), 0, sizeof *lf - sizeof(vx_frame));
    vx_str *a = vx_str_from_cstr(addr);
    lf->addr = a;
    vx_block_on(lt);
    if (lf->op.err.kind) {
        vx_str *m = vx_io_error_message(&lf->op.err);
        fprintf(stderr, "http_hello: listen %s: %s\n", addr, vx_str_cstr(m));
        exit(1);
    }
    listener = vx_net_op_take_sock(&lf->op);
    vx_task_release(lt);
    vx_str_release(a);
    vx_sock_set_timeouts(listener, 100, 0); /* accept wakes up to look at stop */
    vx_task *st = vx_task_new(sizeof(serve_frame), serve_resume, NULL);
    memset((char *)vx_task_frame(st) + sizeof(vx_frame), 0, sizeof(serve_frame) - sizeof(vx_frame));
    vx_spawn(st);
    return st;
}

static void server_stop(vx_task *st)
{
    atomic_store(&stop, 1);
    vx_join_sync(st);
    vx_task_release(st);
    vx_sock_close(listener);
    vx_shutdown(); /* drops the connection tasks still open */
}

/* This process's user and system CPU time, in us. */
static void cpu_us(double *user, double *sys)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = (double)ru.ru_utime.tv_sec * 1e6 + (double)ru.ru_utime.tv_usec;
    *sys = (double)ru.ru_stime.tv_sec * 1e6 + (double)ru.ru_stime.tv_usec;
}

static double to_us(const char *v)
{
    double x = atof(v);
    if (strstr(v, "us"))
        return x;
    if (strstr(v, "ms"))
        return x * 1e3;
    if (strstr(v, "s"))
        return x * 1e6;
    return x;
}

/* One wrk run: requests/s, p99 (us), requests; false if wrk failed. */
static int wrk_run(const char *prefix, int port, const char *dur, double *rps, double *p99,
                   double *nreq)
{
    char cmd[256], line[512];
    snprintf(cmd, sizeof cmd, "%s wrk -t1 -c64 -d%s --latency http://127.0.0.1:%d/ 2>&1", prefix,
             dur, port);
    FILE *p = popen(cmd, "r");
    if (!p)
        return 0;
    *rps = *p99 = *nreq = 0;
    while (fgets(line, sizeof line, p)) {
        char a[64], b[64];
        if (sscanf(line, " Requests/sec: %63s", a) == 1)
            *rps = atof(a);
        else if (sscanf(line, " 99%% %63s", a) == 1)
            *p99 = to_us(a);
        else if (sscanf(line, " %63s requests in %63s", a, b) == 2)
            *nreq = atof(a);
        else if (strstr(line, "Socket errors") || strstr(line, "Non-2xx"))
            fprintf(stderr, "# %s", line);
    }
    return pclose(p) == 0 && *nreq > 0;
}

static void series(const char *name, int workers, bool pinned)
{
    int port = 18090 + (pinned ? 1 : 0);
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    cpu_set_t all, one;
    sched_getaffinity(0, sizeof all, &all);
    if (pinned) {
        CPU_ZERO(&one);
        CPU_SET(0, &one);
        sched_setaffinity(0, sizeof one, &one); /* the workers inherit it */
    }
    vx_task *st = server_start(workers, addr);
    if (pinned)
        sched_setaffinity(0, sizeof all, &all); /* popen's children: taskset decides */
    const char *prefix = pinned ? "taskset -c 1" : "";
    double rps[BENCH_REPEATS], p99[BENCH_REPEATS], cpr[BENCH_REPEATS], upr[BENCH_REPEATS],
        spr[BENCH_REPEATS], x, y, n;
    if (!wrk_run(prefix, port, "1s", &x, &y, &n)) { /* warm-up */
        fprintf(stderr, "http_hello: wrk failed (apt-get install wrk)\n");
        exit(1);
    }
    for (int i = 0; i < BENCH_REPEATS; i++) {
        double u0, s0, u1, s1;
        cpu_us(&u0, &s0);
        if (!wrk_run(prefix, port, "3s", &rps[i], &p99[i], &n))
            exit(1);
        cpu_us(&u1, &s1);
        upr[i] = (u1 - u0) / n;
        spr[i] = (s1 - s0) / n;
        cpr[i] = upr[i] + spr[i];
    }
    server_stop(st);
    bench_report(name, "req_per_s", "req/s", rps, BENCH_REPEATS);
    bench_report(name, "latency_p99", "us", p99, BENCH_REPEATS);
    bench_report(name, "server_cpu_per_req", "us", cpr, BENCH_REPEATS);
    bench_report(name, "server_user_per_req", "us", upr, BENCH_REPEATS);
    bench_report(name, "server_sys_per_req", "us", spr, BENCH_REPEATS);
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc >= 2 && strcmp(argv[1], "serve") == 0) {
        const char *addr = argc > 2 ? argv[2] : "127.0.0.1:8080";
        int secs = argc > 3 ? atoi(argv[3]) : 60;
        vx_task *st = server_start(0, addr);
        sleep((unsigned)secs);
        server_stop(st);
        return 0;
    }
    series("http_hello", 0, false);
    series("http_hello_pinned1w", 1, true);
    return 0;
}
