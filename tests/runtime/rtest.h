/*
 * rtest.h - helpers for the runtime tests (tests/runtime/NAME.c).
 *
 * Each test is one process, run under `timeout` by tests/suites/runtime.sh,
 * linked against the TEST build of the runtime (VX_DEQUE_CAP=4, so that
 * deque overflow and stealing happen all the time). A test prints nothing
 * on success but its last line "ok", and exits 0; CHECK failures print the
 * file and line and exit 1. Every test ends with rt_clean_shutdown(): no
 * task, timer, fd or allocation left.
 *
 * Tasks are written by hand in exactly the shape the compiler generates: a
 * frame struct whose first member is a vx_frame, and a resume function that
 * switches on base.state (see vexrt.h, part 3).
 */
#ifndef RTEST_H
#define RTEST_H

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vexrt.h"

#define CHECK(c)                                                                  \
    do {                                                                          \
        if (!(c)) {                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); \
            fflush(stderr);                                                       \
            exit(1);                                                              \
        }                                                                         \
    } while (0)

#define CHECK_EQ(a, b)                                                                  \
    do {                                                                                \
        long long a_ = (long long)(a), b_ = (long long)(b);                             \
        if (a_ != b_) {                                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", __FILE__, \
                    __LINE__, #a, #b, a_, b_);                                          \
            fflush(stderr);                                                             \
            exit(1);                                                                    \
        }                                                                               \
    } while (0)

/* A static source location for suspension points in test frames. */
#define LOC(name) static const vx_loc name = {__FILE__, __LINE__, 1}

/* Allocate a task whose root frame is the struct `type`, run by `resume`. */
#define NEW_TASK(type, resume) ((type *)(void *)vx_task_frame(vx_task_new(sizeof(type), (resume), NULL)))
/* The task of a root frame allocated by NEW_TASK. */
static inline vx_task *task_of(void *root) { return (vx_task *)(void *)((char *)root - VX_TASK_HEADER); }

/* The number of open fds of this process. */
#include <dirent.h>
static inline int rt_count_fds(void) {
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    CHECK(d);
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/* Everything released: the clean-shutdown assertion every test ends with;
 * with fds0 >= 0 also that exactly fds0 fds are open after the shutdown
 * (rt_count_fds() before vx_start: no fd leaked). */
static inline void rt_clean_shutdown_fds(int fds0) {
    vx_stats st;
    vx_stats_get(&st);
    /* A worker may still be dropping its reference to the last completed
     * task (its joiner already ran): give it a moment, bounded. */
    for (int i = 0; i < 10000 && st.tasks_live; i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
        vx_stats_get(&st);
    }
    CHECK_EQ(st.tasks_live, 0);
    CHECK_EQ(st.timers_armed, 0);
    CHECK_EQ(st.io_open, 0);
    CHECK_EQ(vx_shutdown(), 0);
    CHECK_EQ(vx_alloc_live(), 0);
    if (fds0 >= 0)
        CHECK_EQ(rt_count_fds(), fds0);
    printf("ok\n");
}
static inline void rt_clean_shutdown(void) { rt_clean_shutdown_fds(-1); }

/* Run fn() in a child process (before this process starts the runtime);
 * returns its exit status (or 128+signal) and what it wrote to stdout and
 * stderr (NUL-terminated, truncated to the buffer sizes). */
#include <sys/wait.h>
#include <unistd.h>
static inline int run_child(void (*fn)(void), char *out, size_t outsz, char *err, size_t errsz) {
    int po[2], pe[2];
    CHECK(pipe(po) == 0 && pipe(pe) == 0);
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]);
        close(pe[0]);
        fn();
        fflush(NULL);
        _exit(0);
    }
    close(po[1]);
    close(pe[1]);
    size_t no = 0, ne = 0;
    for (;;) { /* the outputs are small: read stdout to EOF, then stderr */
        ssize_t n = read(po[0], out + no, outsz - 1 - no);
        if (n <= 0)
            break;
        no += (size_t)n;
    }
    for (;;) {
        ssize_t n = read(pe[0], err + ne, errsz - 1 - ne);
        if (n <= 0)
            break;
        ne += (size_t)n;
    }
    out[no] = err[ne] = 0;
    close(po[0]);
    close(pe[0]);
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#endif
