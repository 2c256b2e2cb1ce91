/*
 * panic.c - Vex panics and runtime fatal errors (vexrt.h part 1).
 *
 * A panic is a fault of the Vex program (overflow, bounds, division by zero,
 * unwrap of None, $panic, $assert): it prints "panic: <message>" and the Vex
 * source location on stderr, then (inside a task) the async backtrace: the
 * chain of awaiting frames with the line each is suspended at; it exits
 * with status 101. A fatal error is a
 * broken invariant inside the runtime itself: it names the C file and line
 * and aborts, so a core dump or a debugger catches it.
 *
 * Stack overflow. A recursion too deep runs a thread off the end of its
 * stack into the guard page below it, and the kernel sends SIGSEGV, which
 * by default kills the program with no word. Every thread that runs Vex
 * code (the main thread from vx_os_init, each worker at its start) calls
 * vx__stack_guard_thread: it records the low end of its stack and gives
 * itself an alternate signal stack, so that the SIGSEGV handler can run
 * even though the normal stack is exhausted. The handler calls a fault
 * within STACK_SLACK of the low end of the faulting thread's stack a stack
 * overflow: it prints "panic: stack overflow" with write(2), the only
 * call it makes besides _exit(2) (both async-signal-safe; stdout's buffer is
 * not flushed), and exits 101 (there is no Vex location to give, as in Rust).
 * Any other SIGSEGV (a fault in C code called through extern "C") gets the
 * default action back and happens again, so a core dump shows it as it is.
 */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "vexrt.h"

/* The scheduler (dump.c) prints the panicking task's await chain; a weak
 * reference so that a program without the scheduler links as well. */
void vx__panic_backtrace(int fd) __attribute__((weak));

_Noreturn void vx_panic(const vx_loc *where, const char *fmt, ...) {
    va_list ap;
    fflush(stdout);
    fputs("panic: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (where)
        fprintf(stderr, " --> %s:%d:%d\n", where->file, where->line, where->col);
    fflush(stderr);
    if (vx__panic_backtrace)
        vx__panic_backtrace(2);
    _Exit(101);
}

_Noreturn void vx__fatal(const char *file, int line, const char *msg) {
    fflush(stdout);
    fprintf(stderr, "fatal: vexrt: %s (%s:%d)\n", msg, file, line);
    fflush(stderr);
    abort();
}

/* ---- stack overflow --------------------------------------------------- */

static void install_handler(void);

#define ALTSTACK_SIZE (64 * 1024)
#define STACK_SLACK (1024 * 1024) /* a big frame may skip past the guard page */

static _Thread_local char altstack[ALTSTACK_SIZE];
static _Thread_local char *stack_lo; /* lowest usable address; NULL: unknown */

static void on_segv(int sig, siginfo_t *si, void *ctx) {
    (void)ctx;
    char *a = si->si_addr;
    if (stack_lo && a >= stack_lo - STACK_SLACK && a < stack_lo + STACK_SLACK) {
        static const char msg[] =
            "panic: stack overflow (the thread's stack is exhausted: a recursion too deep?)\n";
        /* write(2) and _exit(2) only: a signal handler may call nothing
         * that is not async-signal-safe. stdio is not, so output still in
         * stdout's buffer is lost (flushing it here could block on a full
         * pipe, raise SIGPIPE, or corrupt a stream the thread was in). */
        ssize_t n = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)n;
        _exit(101);
    }
    signal(sig, SIG_DFL); /* not ours: the fault recurs with the default action */
}

void vx__stack_guard_thread(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_attr_t attr;
    void *addr;
    size_t size;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        if (pthread_attr_getstack(&attr, &addr, &size) == 0)
            stack_lo = addr;
        pthread_attr_destroy(&attr);
    }
    /* Keep an alternate stack the thread has already (AddressSanitizer
     * gives every thread one and unmaps it at thread exit: replacing it
     * would make ASan unmap our buffer). */
    stack_t old;
    if (sigaltstack(NULL, &old) != 0 || (old.ss_flags & SS_DISABLE) ||
        old.ss_size < sizeof altstack / 4) {
        stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
        if (sigaltstack(&ss, NULL) != 0)
            return;
    }
    pthread_once(&once, install_handler);
}

static void install_handler(void) {
    struct sigaction sa = {0};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}
