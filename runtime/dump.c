/*
 * dump.c - observability: the task dump, SIGQUIT, deadlock reports.
 *
 * The dump walks the task slabs (task.c): every block whose refs word is
 * not 0 is a live task. For each it prints its address (the task's name),
 * the state, and the
 * await chain from the innermost suspended frame (`top`) up through the
 * parents, each with the Vex location generated code passed when it
 * suspended. While workers run, a task's frames change under the reader:
 * the dump is best effort then (its reads are deliberately unsynchronised
 * and excluded from ThreadSanitizer); at a deadlock every worker is idle
 * and the dump is exact.
 *
 * SIGQUIT: the handler only sets a flag and writes the poller's eventfd
 * (both async-signal-safe); the worker sleeping in the poller, or any busy
 * worker within 61 ticks, prints the dump, and the program goes on.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rt.h"

static const char *state_name(uint32_t s) {
    if (s & T_COMPLETE)
        return "complete";
    if (s & T_RUNNING)
        return "running";
    if (s & T_NOTIFIED)
        return "runnable";
    return "suspended";
}

static void put_loc(int fd, const vx_loc *at) {
    if (at)
        dprintf(fd, "%s:%d:%d", at->file ? at->file : "?", at->line, at->col);
    else
        dprintf(fd, "(no location)");
}

__attribute__((no_sanitize("thread"))) static void dump_task(vx_task *t, uint32_t s, void *arg) {
    int fd = *(int *)arg;
    dprintf(fd, "task %p [%s]", (void *)t, state_name(s));
    if (s & (T_COMPLETE | T_RUNNING)) {
        dprintf(fd, "\n");
        return;
    }
    vx_frame *f = t->top;
    if (f == vx_task_frame(t) && f->state == 0) {
        dprintf(fd, " not started\n");
        return;
    }
    dprintf(fd, " at ");
    put_loc(fd, f ? f->at : NULL);
    dprintf(fd, "\n");
    int depth = 0;
    for (f = f ? f->parent : NULL; f && depth < 64; f = f->parent, depth++) {
        dprintf(fd, "    awaited by ");
        put_loc(fd, f->at);
        dprintf(fd, "\n");
    }
}

void vx_dump(int fd) {
    vx_stats st;
    vx_stats_get(&st);
    dprintf(fd, "vexrt: task dump: %lld live tasks, %d workers, %lld timers, %lld fds\n",
            (long long)st.tasks_live, st.workers, (long long)st.timers_armed,
            (long long)st.io_open);
    vx__task_each(dump_task, &fd);
}

/* The await chain of the task the panicking worker is resuming: the frames
 * from its innermost suspended frame up to the root, each with the
 * location it last suspended at. A frame that panics before its first
 * suspension does not appear (it has not recorded a location yet). */
void vx__panic_backtrace(int fd) {
    vx__worker *w = vx__self;
    if (!w || !w->current)
        return;
    vx_task *t = w->current;
    dprintf(fd, "async backtrace (task %p):\n", (void *)t);
    int depth = 0;
    for (vx_frame *f = t->top; f && depth < 64; f = f->parent, depth++) {
        if (!f->at)
            continue;
        dprintf(fd, "    %s ", depth ? "awaited by" : "in");
        put_loc(fd, f->at);
        dprintf(fd, "\n");
    }
}

static void on_sigquit(int sig) {
    (void)sig;
    st_relaxed(&vx__g.dump_request, 1);
    vx__poll_wakeup();
}

void vx__dump_install(void) {
    static bool done;
    if (done)
        return;
    done = true;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigquit;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGQUIT, &sa, NULL);
}

void vx__check_dump_request(void) {
    if (atomic_exchange_explicit(&vx__g.dump_request, 0, memory_order_relaxed)) {
        fflush(stdout);
        vx_dump(2);
    }
}

_Noreturn void vx__deadlock(void) {
    fflush(stdout);
    dprintf(2, "fatal: all tasks are asleep - deadlock!\n\n");
    /* Not vx_dump: vx_stats_get would take start_lock, which vx_shutdown may
     * hold while joining us. The task list alone is exact here. */
    int fd = 2;
    vx__task_each(dump_task, &fd);
    _exit(2);
}
