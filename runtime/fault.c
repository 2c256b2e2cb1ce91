/*
 * fault.c - the panics of Vex-level faults (vexrt.h part 2).
 *
 * One function per fault, each printing the exact message the tests and
 * users expect (common.md), so generated code emits a single call on its
 * cold path and the message text lives in one place. All of them go
 * through vx_panic (panic.c): stdout flushed, message and location on
 * stderr, exit status 101.
 */
#include "vexrt.h"

_Noreturn void vx_panic_add_overflow(const vx_loc *w) { vx_panic(w, "attempt to add with overflow"); }
_Noreturn void vx_panic_sub_overflow(const vx_loc *w) { vx_panic(w, "attempt to subtract with overflow"); }
_Noreturn void vx_panic_mul_overflow(const vx_loc *w) { vx_panic(w, "attempt to multiply with overflow"); }
_Noreturn void vx_panic_neg_overflow(const vx_loc *w) { vx_panic(w, "attempt to negate with overflow"); }
_Noreturn void vx_panic_shl_overflow(const vx_loc *w) { vx_panic(w, "attempt to shift left with overflow"); }
_Noreturn void vx_panic_shr_overflow(const vx_loc *w) { vx_panic(w, "attempt to shift right with overflow"); }
_Noreturn void vx_panic_div_overflow(const vx_loc *w) { vx_panic(w, "attempt to divide with overflow"); }
_Noreturn void vx_panic_rem_overflow(const vx_loc *w) {
    vx_panic(w, "attempt to calculate the remainder with overflow");
}
_Noreturn void vx_panic_div_zero(const vx_loc *w) { vx_panic(w, "attempt to divide by zero"); }
_Noreturn void vx_panic_rem_zero(const vx_loc *w) {
    vx_panic(w, "attempt to calculate the remainder with a divisor of zero");
}

_Noreturn void vx_panic_bounds(const vx_loc *w, uint64_t len, uint64_t index) {
    vx_panic(w, "index out of bounds: the len is %llu but the index is %llu",
             (unsigned long long)len, (unsigned long long)index);
}

_Noreturn void vx_panic_bounds_i(const vx_loc *w, uint64_t len, int64_t index) {
    vx_panic(w, "index out of bounds: the len is %llu but the index is %lld",
             (unsigned long long)len, (long long)index);
}

_Noreturn void vx_panic_unwrap_none(const vx_loc *w) { vx_panic(w, "called unwrap() on a None value"); }

_Noreturn void vx_panic_unwrap_err(const vx_loc *w, const vx_str *text) {
    vx_panic(w, "called unwrap() on an Err value: %.*s", (int)text->len, text->ptr);
}

_Noreturn void vx_panic_assert(const vx_loc *w, const char *source) {
    vx_panic(w, "assertion failed: %s", source);
}

_Noreturn void vx_panic_assert_eq(const vx_loc *w, const vx_str *left, const vx_str *right) {
    vx_panic(w, "assertion failed: left == right\n  left: %.*s\n right: %.*s", (int)left->len,
             left->ptr, (int)right->len, right->ptr);
}

_Noreturn void vx_panic_str(const vx_loc *w, const vx_str *msg) {
    vx_panic(w, "%.*s", (int)msg->len, msg->ptr);
}
