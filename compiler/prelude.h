/*
 * prelude.h - the C text every generated program starts with (emit.c
 * embeds it; compiler.mk turns it into a string). It holds the checked
 * arithmetic (no UB: every overflow, division by zero and bad shift is a
 * Vex panic with the Vex location), strings, the format builder, and the
 * type-erased Vec operations that the per-type code in the generated
 * program calls. Everything is VXI, so an unused helper costs
 * nothing and warns nothing.
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vexrt.h"

/* What a Vex program may do on purpose - define a function it never calls,
 * ignore a parameter, recurse without end - is no business of the C
 * compiler: the generated C compiles without a word (main.c reports any
 * output of the C compiler as an internal compiler error). */
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wtype-limits"          /* u >= 0 */
#pragma GCC diagnostic ignored "-Wtautological-compare" /* x == x */
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 12)
#pragma GCC diagnostic ignored "-Winfinite-recursion"
#endif

#define VXU __attribute__((unused))
/* every prelude helper: a program uses only some of them */
#define VXI static inline __attribute__((unused))

typedef uint8_t vxc_unit;

/* ---- strings: langrt's refcounted immutable vx_str (vexrt.h part 2) ---- */
typedef vx_str *vxc_str;
/* A literal is a file-scope static, immortal vx_str (emit.c: str_lit). */

VXI void vxc_str_drop(vxc_str s) {
    if (s)
        vx_str_release(s);
}
VXI void vxc_str_dropp(vxc_str *s) { vxc_str_drop(*s); }
/* What built-in templates call for types with nothing to clone, drop or
 * compare specially (builtins.c). */
#define VXC_ID(x) (x)
#define VXC_NODROP(p) ((void)(p))
#define VXC_EQ(a, b) ((a) == (b))
VXI vxc_str vxc_str_own(const char *p, uint64_t n) { return vx_str_from_bytes(p, n); }
VXI vxc_str vxc_str_from_c(const char *p) { return vx_str_from_cstr(p ? p : ""); }
VXI vxc_str vxc_str_concat(vxc_str a, vxc_str b) { return vx_str_concat(a, b); }
VXI bool vxc_str_eq(vxc_str a, vxc_str b) { return vx_str_eq(a, b); }
VXI int vxc_str_cmp(vxc_str a, vxc_str b) { return vx_str_cmp(a, b); }
VXI bool vxc_str_contains(vxc_str a, vxc_str b) { return vx_str_contains(a, b); }
VXI bool vxc_str_starts_with(vxc_str a, vxc_str b) { return vx_str_starts_with(a, b); }
VXI bool vxc_str_ends_with(vxc_str a, vxc_str b) { return vx_str_ends_with(a, b); }

/* ---- Vec: every Vec<T> is {T *ptr; len; cap}; these work on the erased
 * form through a cast, which is why generated C is compiled with
 * -fno-strict-aliasing (vex passes it) ---- */
typedef struct vxc_vecraw {
    void *ptr;
    uint64_t len, cap;
} vxc_vecraw;

/* The erased form has vx_vec's layout ({data, len, cap}), so the
 * operations are libvexrt's (runtime/vec.c), reached through a cast. */
_Static_assert(sizeof(vxc_vecraw) == sizeof(vx_vec), "Vec<T> must have vx_vec's layout");
#define VXC_VX(v) ((vx_vec *)(void *)(v))
/* v.sort(): how to compare elements of C type T (vx_vec_sort_scalar) */
#define VXC_SORT_KIND(T)                                                                               \
    _Generic((T){0}, signed char: 'i', short: 'i', int: 'i', long: 'i', long long: 'i',                   \
             unsigned char: 'u', unsigned short: 'u', unsigned int: 'u', unsigned long: 'u',               \
             unsigned long long: 'u', float: 'f', double: 'f', default: 's')

VXI void *vxc_vec_push_slot(vxc_vecraw *v, size_t size) { return vx_vec_push(VXC_VX(v), size); }

/* Bounds checks: libvexrt's (a negative signed index panics too). */
VXI uint64_t vxc_idx_s(int64_t i, uint64_t len, const vx_loc *l) { return vx_index_i(i, len, l); }
VXI uint64_t vxc_idx_u(uint64_t i, uint64_t len, const vx_loc *l) { return vx_index(i, len, l); }

VXI void vxc_vec_insert(vxc_vecraw *v, uint64_t i, const void *x, size_t size, const vx_loc *l) {
    memcpy(vx_vec_insert(VXC_VX(v), size, (int64_t)i, l), x, size);
}

VXI void vxc_vec_remove(vxc_vecraw *v, uint64_t i, void *out, size_t size, const vx_loc *l) {
    vx_vec_remove(VXC_VX(v), size, (int64_t)i, out, l);
}

VXI void vxc_vec_reverse(vxc_vecraw *v, size_t size) { vx_vec_reverse(VXC_VX(v), size); }

/* ---- checked integer arithmetic ---- */
#define VXC_INT_OPS(T, N, SIGNED, MIN)                                                                   \
    VXI T vxc_add_##N(T a, T b, const vx_loc *l) {                                             \
        T r;                                                                                             \
        if (__builtin_add_overflow(a, b, &r))                                                            \
            vx_panic_add_overflow(l);                                                                    \
        return r;                                                                                        \
    }                                                                                                    \
    VXI T vxc_sub_##N(T a, T b, const vx_loc *l) {                                             \
        T r;                                                                                             \
        if (__builtin_sub_overflow(a, b, &r))                                                            \
            vx_panic_sub_overflow(l);                                                                    \
        return r;                                                                                        \
    }                                                                                                    \
    VXI T vxc_mul_##N(T a, T b, const vx_loc *l) {                                             \
        T r;                                                                                             \
        if (__builtin_mul_overflow(a, b, &r))                                                            \
            vx_panic_mul_overflow(l);                                                                    \
        return r;                                                                                        \
    }                                                                                                    \
    VXI T vxc_div_##N(T a, T b, const vx_loc *l) {                                             \
        if (b == 0)                                                                                      \
            vx_panic_div_zero(l);                                                                        \
        if (SIGNED && a == (T)(MIN) && b == (T)-1)                                                       \
            vx_panic_div_overflow(l);                                                                    \
        return (T)(a / b);                                                                               \
    }                                                                                                    \
    VXI T vxc_rem_##N(T a, T b, const vx_loc *l) {                                             \
        if (b == 0)                                                                                      \
            vx_panic_rem_zero(l);                                                                        \
        if (SIGNED && a == (T)(MIN) && b == (T)-1)                                                       \
            vx_panic_rem_overflow(l);                                                                    \
        return (T)(a % b);                                                                               \
    }                                                                                                    \
    VXI T vxc_neg_##N(T a, const vx_loc *l) {                                                  \
        T r;                                                                                             \
        if (__builtin_sub_overflow((T)0, a, &r))                                                         \
            vx_panic_neg_overflow(l);                                                                    \
        return r;                                                                                        \
    }                                                                                                    \
    VXI T vxc_shl_##N(T a, int64_t b, const vx_loc *l) {                                       \
        if (b < 0 || b >= (int64_t)(sizeof(T) * 8))                                                      \
            vx_panic_shl_overflow(l);                                                                    \
        return (T)((uint64_t)a << b);                                                                    \
    }                                                                                                    \
    VXI T vxc_shr_##N(T a, int64_t b, const vx_loc *l) {                                       \
        if (b < 0 || b >= (int64_t)(sizeof(T) * 8))                                                      \
            vx_panic_shr_overflow(l);                                                                    \
        return (T)(a >> b);                                                                              \
    }                                                                                                    \
    VXI T vxc_pow_##N(T a, uint32_t e, const vx_loc *l) {                                      \
        T r = 1;                                                                                         \
        while (e--)                                                                                      \
            r = vxc_mul_##N(r, a, l);                                                                    \
        return r;                                                                                        \
    }                                                                                                    \
    VXI T vxc_abs_##N(T a, const vx_loc *l) { return a < (T)1 && a != 0 ? vxc_neg_##N(a, l) : a; }

VXC_INT_OPS(int8_t, i8, 1, INT8_MIN)
VXC_INT_OPS(int16_t, i16, 1, INT16_MIN)
VXC_INT_OPS(int32_t, i32, 1, INT32_MIN)
VXC_INT_OPS(int64_t, i64, 1, INT64_MIN)
VXC_INT_OPS(uint8_t, u8, 0, 0)
VXC_INT_OPS(uint16_t, u16, 0, 0)
VXC_INT_OPS(uint32_t, u32, 0, 0)
VXC_INT_OPS(uint64_t, u64, 0, 0)

/* float -> int `as`: saturating, NaN is 0 (Rust semantics, never UB) */
#define VXC_F2I(T, N, LO, HI)                                                                            \
    VXI T vxc_f2i_##N(double x) {                                                              \
        if (x != x)                                                                                      \
            return 0;                                                                                    \
        if (x <= (double)(LO))                                                                           \
            return LO;                                                                                   \
        if (x >= (double)(HI))                                                                           \
            return HI;                                                                                   \
        return (T)x;                                                                                     \
    }
VXC_F2I(int8_t, i8, INT8_MIN, INT8_MAX)
VXC_F2I(int16_t, i16, INT16_MIN, INT16_MAX)
VXC_F2I(int32_t, i32, INT32_MIN, INT32_MAX)
VXC_F2I(int64_t, i64, INT64_MIN, INT64_MAX)
VXC_F2I(uint8_t, u8, 0, UINT8_MAX)
VXC_F2I(uint16_t, u16, 0, UINT16_MAX)
VXC_F2I(uint32_t, u32, 0, UINT32_MAX)
VXC_F2I(uint64_t, u64, 0, UINT64_MAX)

/* ---- the format builder: langrt's vx_fmt ---- */
typedef vx_fmt vxc_buf;
#define VXC_BUF(b) vxc_buf b; vx_fmt_init(&b)

VXI void vxc_put(vxc_buf *b, const char *s, uint64_t n) { vx_fmt_bytes(b, s, n); }
VXI void vxc_puts(vxc_buf *b, const char *s) { vx_fmt_cstr(b, s); }
VXI vxc_str vxc_buf_str(vxc_buf *b) { return vx_fmt_finish(b); }
VXI void vxc_fmt_i64(vxc_buf *b, int64_t v) { vx_fmt_i64(b, v); }
VXI void vxc_fmt_u64(vxc_buf *b, uint64_t v) { vx_fmt_u64(b, v); }
VXI void vxc_fmt_bool(vxc_buf *b, bool v) { vx_fmt_bool(b, v); }
/* Floats in shortest round-trip form (langrt): Display 10, 12.5, 0.1;
 * Debug 10.0. */
VXI void vxc_fmt_float(vxc_buf *b, double v, int is_f32, int debug) {
    if (is_f32)
        (debug ? vx_fmt_f32_debug : vx_fmt_f32)(b, (float)v);
    else
        (debug ? vx_fmt_f64_debug : vx_fmt_f64)(b, v);
}
VXI void vxc_fmt_prec(vxc_buf *b, double v, int prec) { vx_fmt_f64_prec(b, v, prec); }
VXI void vxc_fmt_str(vxc_buf *b, vxc_str s, int debug) { (debug ? vx_fmt_str_debug : vx_fmt_str)(b, s); }
VXI void vxc_write(FILE *f, vxc_buf *b, int nl) {
    if (f == stderr)
        (nl ? vx_fmt_eprintln : vx_fmt_eprint)(b);
    else
        (nl ? vx_fmt_println : vx_fmt_print)(b);
}
/* The text of a finished buffer, for a panic message. */
VXI const char *vxc_buf_cstr(vxc_buf *b) { return vx_str_cstr(vx_fmt_finish(b)); }

/* ---- os ---- */
VXI vxc_vecraw vxc_os_args(void) {
    vx_vec v = vx_os_args();
    vxc_vecraw r = {v.data, v.len, v.cap};
    return r;
}

VXI int vxc_os_env(vxc_str name, vxc_str *out) {
    vx_str *v = vx_os_env(name);
    if (!v)
        return 0;
    *out = v;
    return 1;
}

VXI int64_t vxc_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* time.sleep in sync code: the calling thread sleeps. */
VXI void vxc_sleep_ms(int64_t ms) {
    if (ms <= 0)
        return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Channel<T> and Task<T> handles (vexrt.h part 3). */
VXI void vxc_chan_dropp(vx_chan **c) { if (*c) vx_chan_release(*c); }
VXI vx_chan *vxc_chan_clone(vx_chan *c) { vx_chan_retain(c); return c; }
VXI void vxc_task_dropp(vx_task **t) { if (*t) vx_detach(*t); *t = NULL; }
VXI vx_task *vxc_task_clone(vx_task *t) { vx_task_retain(t); return t; }
/* Mutex<T> and its guard point at one shared object: the reference count,
 * the runtime's async mutex and the value (emit.c defines vxm_T). */
VXI void vxc_lock_sync(vx_mutex *m) {
    while (!vx_mutex_try_lock(m)) {
        struct timespec ts = {0, 20000};
        nanosleep(&ts, NULL);
    }
}
/* The result of a completed task: every frame has it right after its header. */
#define VXC_TASK_RET(T, t) (((struct { vx_frame base; T ret; } *)(void *)vx_task_frame(t))->ret)
#define VXC_DONE (UINT32_MAX - 1) /* a frame's state once it returned its result */

/* Converts langrt's vx_vec into a Vec<T> (same layout). */
VXI vxc_vecraw vxc_from_vx_vec(vx_vec v) {
    vxc_vecraw r = {v.data, v.len, v.cap};
    return r;
}

/* ---- net and http: the std resources and the async std operations ----
 * builtins.c's rows start an operation of libvexrt (vexrt.h Part 4) and,
 * once it completed, make its result with these: the Result and Option
 * types are the emitter's, the structs those of compiler/std/net.vx
 * (IoError { kind, message }, Response, Request: fields f_<name>; the
 * enums' tags are libvexrt's kinds minus one). Each releases the op. */
VXI void vxc_sock_dropp(vx_sock **p) { vx_sock_close(*p); *p = NULL; }
VXI void vxc_http_conn_dropp(vx_http_conn **p) { vx_http_conn_free(*p); *p = NULL; }
VXI vx_sock *vxc_sock_clone(vx_sock *s) { vx_sock_retain(s); return s; }
VXI vx_http_conn *vxc_http_conn_clone(vx_http_conn *c) { vx_http_conn_retain(c); return c; }
#define VXC_IOERR(dst, e)                                  \
    do {                                                   \
        vx_io_error e_ = (e);                              \
        (dst).f_kind.tag = e_.kind - 1;                    \
        (dst).f_message = vx_io_error_message(&e_);        \
    } while (0)
/* Result<TcpListener | TcpStream, IoError> */
#define VXC_NET_SOCK(R, op) ({ R r_ = {0}; \
    if ((op).err.kind) { r_.is_err = 1; VXC_IOERR(r_.err, (op).err); } \
    else r_.ok = vx_net_op_take_sock(&(op)); \
    vx_net_op_drop(&(op)); r_; })
/* Result<Vec<u8>, IoError> */
#define VXC_NET_DATA(R, op) ({ R r_ = {0}; \
    if ((op).err.kind) { r_.is_err = 1; VXC_IOERR(r_.err, (op).err); } \
    else { vx_vec d_ = vx_net_op_take_data(&(op)); memcpy(&r_.ok, &d_, sizeof d_); } \
    vx_net_op_drop(&(op)); r_; })
/* Result<(), IoError> of a write */
#define VXC_NET_UNIT(R, op) ({ R r_ = {0}; \
    if ((op).err.kind) { r_.is_err = 1; VXC_IOERR(r_.err, (op).err); } \
    vx_net_op_drop(&(op)); r_; })
/* Result<Response, HttpError> */
#define VXC_HTTP_RESPONSE(R, op) ({ R r_ = {0}; \
    if ((op).err.kind) { r_.is_err = 1; r_.err.f_kind.tag = (op).err.kind - 1; \
        r_.err.f_message = vx_http_fetch_error_message(&(op)); } \
    else { r_.ok.f_status = (op).status; vx_vec b_ = vx_http_fetch_take_body(&(op)); \
        r_.ok.f_body = vx_str_from_utf8_lossy((const char *)b_.data, b_.len); vx_vec_free(&b_); \
        r_.ok.f_headers = vx_http_fetch_headers(&(op)); } \
    vx_http_fetch_drop(&(op)); r_; })
/* Option<Request>: the next request on a connection, None once it is over */
#define VXC_HTTP_REQUEST(R, op) ({ R r_ = {0}; \
    if ((op).status == VX_HTTP_REQUEST) { vx_http_conn *c_ = (op).c; size_t n_; const char *p_; \
        r_.some = 1; r_.val.f_method = vx_http_method_str(c_); \
        p_ = vx_http_target_bytes(c_, &n_); r_.val.f_path = vx_str_from_utf8_lossy(p_, n_); \
        p_ = vx_http_body(c_, &n_); r_.val.f_body = vx_str_from_utf8_lossy(p_, n_); \
        r_.val.f_headers = vx_http_headers(c_); } \
    vx_http_op_drop(&(op)); r_; })
/* Result<(), IoError> of a response */
#define VXC_HTTP_SENT(R, op) ({ R r_ = {0}; \
    if ((op).err.kind) { r_.is_err = 1; VXC_IOERR(r_.err, (op).err); } \
    vx_http_op_drop(&(op)); r_; })
/* "Content-Type: <t>\r\n" for respond_with, without CR or LF from t */
VXI void vxc_content_type(char *buf, size_t cap, vxc_str t) {
    size_t n = (size_t)snprintf(buf, cap, "Content-Type: ");
    for (size_t i = 0; i < t->len && n + 3 < cap; i++)
        if (t->ptr[i] != '\r' && t->ptr[i] != '\n')
            buf[n++] = t->ptr[i];
    memcpy(buf + n, "\r\n", 3);
}
