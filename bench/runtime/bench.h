/*
 * bench.h - what every runtime benchmark shares: the clock, the sample
 * statistics and the output format of ../shared/peers (one result per line,
 * `vexrt BENCH METRIC VALUE UNIT`, the median of the repeats under METRIC,
 * then METRIC_min and METRIC_max; the raw samples on stderr as a `# ...`
 * line), so that bench/run.sh can set our lines beside Go's and tokio's.
 *
 * A benchmark is a single .c file that includes this header and vexrt.h,
 * drives the runtime with hand-written state machines of exactly the shape
 * the compiler generates (a frame struct and a resume function), and runs
 * one warm-up then BENCH_REPEATS timed repeats, like the peers.
 *
 * Worker-count suffix: the peers print the main figure at 2 workers with no
 * suffix, and the 1-worker figure as NAME_1w (tokio) / NAME_1p (Go). We
 * print NAME at the default worker count and NAME_<n>w when VEX_WORKERS=n
 * differs from 2 (bench_suffix()).
 */
#ifndef VEX_BENCH_H
#define VEX_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vexrt.h"

#define BENCH_REPEATS 5

static inline double bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Print the median / min / max of n samples in the peers' format. */
static inline void bench_report(const char *bench, const char *metric,
                                const char *unit, const double *s, int n)
{
    double c[64];
    fprintf(stderr, "# vexrt %s %s samples:", bench, metric);
    for (int i = 0; i < n; i++)
        fprintf(stderr, " %.3f", s[i]);
    fprintf(stderr, "\n");
    memcpy(c, s, (size_t)n * sizeof *c);
    qsort(c, (size_t)n, sizeof *c, bench_cmp_double);
    double med = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
    printf("vexrt %s %s %.3f %s\n", bench, metric, med, unit);
    printf("vexrt %s %s_min %.3f %s\n", bench, metric, c[0], unit);
    printf("vexrt %s %s_max %.3f %s\n", bench, metric, c[n - 1], unit);
    fflush(stdout);
}

/* One informational value (e.g. the N actually used). */
static inline void bench_info(const char *bench, const char *metric,
                              double value, const char *unit)
{
    printf("vexrt %s %s %g %s\n", bench, metric, value, unit);
    fflush(stdout);
}

/* Iteration count so that one timed run takes about target_ns, from a
 * calibration run's cost per operation (the peers' pick_n). */
static inline uint64_t bench_pick_n(double per_op_ns, double target_ns,
                                    uint64_t min_n, uint64_t max_n)
{
    double want = target_ns / (per_op_ns < 0.01 ? 0.01 : per_op_ns);
    if (want < (double)min_n)
        return min_n;
    if (want > (double)max_n)
        return max_n;
    return (uint64_t)want;
}

/* The worker count the runtime will use: VEX_WORKERS, else online CPUs. */
static inline int bench_workers(void)
{
    const char *e = getenv("VEX_WORKERS");
    if (e && atoi(e) > 0)
        return atoi(e);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* "NAME" at 2 workers (the peers' main figure), "NAME_<n>w" otherwise. */
static inline const char *bench_name(const char *base)
{
    static char buf[8][64];
    static int next;
    char *b = buf[next++ % 8];
    int w = bench_workers();
    if (w == 2)
        snprintf(b, sizeof buf[0], "%s", base);
    else
        snprintf(b, sizeof buf[0], "%s_%dw", base, w);
    return b;
}

/* Series selection: a program given arguments runs only the series whose
 * base names (without the worker suffix) are among them, e.g.
 * `build/obj-default/bench/spawn_join spawn_latch` (for profiling one series). */
static int bench_argc;
static char **bench_argv;

static inline void bench_args(int argc, char **argv)
{
    bench_argc = argc;
    bench_argv = argv;
}

static inline int bench_selected(const char *base)
{
    if (bench_argc <= 1)
        return 1;
    for (int i = 1; i < bench_argc; i++)
        if (strcmp(bench_argv[i], base) == 0)
            return 1;
    return 0;
}

/* With BENCH_STATS=1, print the runtime's counters accumulated since the
 * previous call on stderr, as a `# ...` line (where did the tasks go). */
static inline void bench_stats(const char *bench)
{
    static vx_stats prev;
    vx_stats s;
    const char *e = getenv("BENCH_STATS");
    if (!e || strcmp(e, "1") != 0)
        return;
    vx_stats_get(&s);
#define D(f) (unsigned long long)(s.f - prev.f)
    fprintf(stderr,
            "# vexrt %s stats: spawned %llu completed %llu polls %llu lifo %llu "
            "steals %llu stolen %llu injected %llu parks %llu unparks %llu "
            "yields %llu timers_fired %llu\n",
            bench, D(spawned), D(completed), D(polls), D(lifo), D(steals), D(stolen),
            D(injected), D(parks), D(unparks), D(yields), D(timers_fired));
#undef D
    prev = s;
}

/* VmRSS of this process in kB, from /proc/self/status. */
static inline long bench_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kb = strtol(line + 6, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

/* A register-only optimisation barrier (the peers' `opaque`): the compiler
 * cannot see through it but nothing is forced through memory. */
static inline uint64_t bench_opaque(uint64_t x)
{
    __asm__("" : "+r"(x));
    return x;
}

#endif /* VEX_BENCH_H */
