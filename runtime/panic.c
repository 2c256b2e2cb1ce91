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
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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
