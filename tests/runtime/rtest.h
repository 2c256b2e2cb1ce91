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

/* Everything released: the clean-shutdown assertion every test ends with. */
static inline void rt_clean_shutdown(void) {
    vx_stats st;
    vx_stats_get(&st);
    /* A worker may still be dropping its reference to the last completed
     * task (its joiner already ran): give it a moment, bounded. */
    for (int i = 0; i < 2000 && st.tasks_live; i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
        vx_stats_get(&st);
    }
    CHECK_EQ(st.tasks_live, 0);
    CHECK_EQ(st.timers_armed, 0);
    CHECK_EQ(st.io_open, 0);
    CHECK_EQ(vx_shutdown(), 0);
    CHECK_EQ(vx_alloc_live(), 0);
    printf("ok\n");
}

#endif
