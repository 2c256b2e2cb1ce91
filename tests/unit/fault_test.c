/*
 * fault_test.c - every panic helper prints exactly its message (common.md)
 * and the Vex location, exits with status 101, and flushes stdout first.
 */
#include "check.h"

static vx_loc at = {"src/main.vx", 12, 5};
static vx_str lit_err = VX_STR_INIT("ParseError(\"x\")");
static vx_str lit_l = VX_STR_INIT("1"), lit_r = VX_STR_INIT("2");
static vx_str lit_msg = VX_STR_INIT("custom: 42");

static void add(void) { vx_panic_add_overflow(&at); }
static void sub(void) { vx_panic_sub_overflow(&at); }
static void mul(void) { vx_panic_mul_overflow(&at); }
static void neg(void) { vx_panic_neg_overflow(&at); }
static void shl(void) { vx_panic_shl_overflow(&at); }
static void shr(void) { vx_panic_shr_overflow(&at); }
static void divo(void) { vx_panic_div_overflow(&at); }
static void remo(void) { vx_panic_rem_overflow(&at); }
static void div0(void) { vx_panic_div_zero(&at); }
static void rem0(void) { vx_panic_rem_zero(&at); }
static void bounds(void) { vx_panic_bounds(&at, 3, 7); }
static void none(void) { vx_panic_unwrap_none(&at); }
static void err(void) { vx_panic_unwrap_err(&at, &lit_err); }
static void assert_(void) { vx_panic_assert(&at, "x > 0 && y"); }
static void assert_eq(void) { vx_panic_assert_eq(&at, &lit_l, &lit_r); }
static void msg(void) { vx_panic_str(&at, &lit_msg); }
static void noloc(void) { vx_panic_div_zero(NULL); }

#define LOC "\n --> src/main.vx:12:5\n"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define __SANITIZE_THREAD__ 1 /* clang's spelling of gcc's macro */
#endif
#endif

/* A stack overflow while stdout holds unflushed output and goes to a pipe
 * nobody reads. The SIGSEGV handler may only write(2) its message: it used
 * to flush stdout first (not async-signal-safe), and that flush, here,
 * raised SIGPIPE and killed the program without the message. */
__attribute__((noinline, unused)) static int recurse(int n) {
    volatile char pad[512];
    pad[0] = (char)n;
    if (n < 0)
        return 0;
    return recurse(n + 1) + pad[0];
}

__attribute__((unused)) static void overflow(void) {
    int p[2];
    if (pipe(p) != 0)
        _Exit(3);
    close(p[0]);
    dup2(p[1], 1);
    setvbuf(stdout, NULL, _IOFBF, 4096);
    fputs("unflushed output", stdout);
    vx__stack_guard_thread();
    _Exit(recurse(0));
}

int main(void) {
    GROUP("messages");
    EXPECT_PANIC(add, "panic: attempt to add with overflow" LOC);
    EXPECT_PANIC(sub, "panic: attempt to subtract with overflow" LOC);
    EXPECT_PANIC(mul, "panic: attempt to multiply with overflow" LOC);
    EXPECT_PANIC(neg, "panic: attempt to negate with overflow" LOC);
    EXPECT_PANIC(shl, "panic: attempt to shift left with overflow" LOC);
    EXPECT_PANIC(shr, "panic: attempt to shift right with overflow" LOC);
    EXPECT_PANIC(divo, "panic: attempt to divide with overflow" LOC);
    EXPECT_PANIC(remo, "panic: attempt to calculate the remainder with overflow" LOC);
    EXPECT_PANIC(div0, "panic: attempt to divide by zero" LOC);
    EXPECT_PANIC(rem0, "panic: attempt to calculate the remainder with a divisor of zero" LOC);
    EXPECT_PANIC(bounds, "panic: index out of bounds: the len is 3 but the index is 7" LOC);
    EXPECT_PANIC(none, "panic: called unwrap() on a None value" LOC);
    EXPECT_PANIC(err, "panic: called unwrap() on an Err value: ParseError(\"x\")" LOC);
    EXPECT_PANIC(assert_, "panic: assertion failed: x > 0 && y" LOC);
    EXPECT_PANIC(assert_eq, "panic: assertion failed: left == right\n  left: 1\n right: 2" LOC);
    EXPECT_PANIC(msg, "panic: custom: 42" LOC);
    EXPECT_PANIC(noloc, "panic: attempt to divide by zero\n");
    END();
#ifndef __SANITIZE_THREAD__
    /* (ThreadSanitizer's shadow stack overflows first: tests/run/stack_overflow.vx) */
    GROUP("stack-overflow");
    EXPECT_PANIC(overflow, "panic: stack overflow");
    END();
#endif
    return finish();
}
