/*
 * prelude.h - the C text every generated program starts with (emit.c
 * embeds it; compiler.mk turns it into a string). It holds the checked
 * arithmetic (no UB: every overflow, division by zero and bad shift is a
 * Vex panic with the Vex location), strings, the format builder, and the
 * type-erased Vec operations that the per-type code in the generated
 * program calls. Everything is static inline, so an unused helper costs
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

#define VXU __attribute__((unused))
#define VXL(f, l, c) ({ static const vx_loc vxl_ = {f, l, c}; &vxl_; })

typedef uint8_t vxc_unit;

/* ---- strings: immutable (pointer, length), always NUL-terminated ---- */
typedef struct vxc_str {
    const char *p;
    uint64_t len;
} vxc_str;

static inline vxc_str vxc_str_lit(const char *p, uint64_t n) { return (vxc_str){p, n}; }

static inline vxc_str vxc_str_own(const char *p, uint64_t n) {
    char *d = vx_alloc(n + 1);
    memcpy(d, p, n);
    d[n] = 0;
    return (vxc_str){d, n};
}

static inline vxc_str vxc_str_from_c(const char *p) { return p ? vxc_str_own(p, strlen(p)) : (vxc_str){"", 0}; }

static inline vxc_str vxc_str_concat(vxc_str a, vxc_str b) {
    char *d = vx_alloc(a.len + b.len + 1);
    memcpy(d, a.p, a.len);
    memcpy(d + a.len, b.p, b.len);
    return (vxc_str){d, a.len + b.len};
}

static inline bool vxc_str_eq(vxc_str a, vxc_str b) { return a.len == b.len && !memcmp(a.p, b.p, a.len); }

static inline int vxc_str_cmp(vxc_str a, vxc_str b) {
    uint64_t n = a.len < b.len ? a.len : b.len;
    int c = memcmp(a.p, b.p, n);
    if (c)
        return c;
    return a.len < b.len ? -1 : a.len > b.len;
}

static inline bool vxc_str_contains(vxc_str a, vxc_str b) {
    if (b.len == 0)
        return true;
    return b.len <= a.len && memmem(a.p, a.len, b.p, b.len) != NULL;
}
static inline bool vxc_str_starts_with(vxc_str a, vxc_str b) { return b.len <= a.len && !memcmp(a.p, b.p, b.len); }
static inline bool vxc_str_ends_with(vxc_str a, vxc_str b) {
    return b.len <= a.len && !memcmp(a.p + a.len - b.len, b.p, b.len);
}
static inline vxc_str vxc_str_trim(vxc_str a) {
    uint64_t s = 0, e = a.len;
    while (s < e && (a.p[s] == ' ' || a.p[s] == '\t' || a.p[s] == '\n' || a.p[s] == '\r'))
        s++;
    while (e > s && (a.p[e - 1] == ' ' || a.p[e - 1] == '\t' || a.p[e - 1] == '\n' || a.p[e - 1] == '\r'))
        e--;
    return vxc_str_own(a.p + s, e - s);
}
static inline vxc_str vxc_str_case(vxc_str a, int upper) {
    char *d = vx_alloc(a.len + 1);
    for (uint64_t i = 0; i < a.len; i++) {
        char c = a.p[i];
        if (upper && c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        else if (!upper && c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        d[i] = c;
    }
    return (vxc_str){d, a.len};
}
static inline uint8_t vxc_str_byte_at(vxc_str a, uint64_t i, const vx_loc *l) {
    if (i >= a.len)
        vx_panic(l, "index out of bounds: the len is %llu but the index is %llu", (unsigned long long)a.len,
                 (unsigned long long)i);
    return (uint8_t)a.p[i];
}
static inline vxc_str vxc_str_sub(vxc_str a, uint64_t s, uint64_t e, const vx_loc *l) {
    if (s > e || e > a.len)
        vx_panic(l, "byte range %llu..%llu out of bounds of a string of length %llu", (unsigned long long)s,
                 (unsigned long long)e, (unsigned long long)a.len);
    return vxc_str_own(a.p + s, e - s);
}

/* ---- Vec: every Vec<T> is {T *ptr; len; cap}; these work on the erased form ---- */
typedef struct vxc_vecraw {
    void *ptr;
    uint64_t len, cap;
} vxc_vecraw;

static inline void vxc_vec_grow(vxc_vecraw *v, uint64_t need, size_t size) {
    if (need <= v->cap)
        return;
    uint64_t c = v->cap ? v->cap * 2 : 4;
    while (c < need)
        c *= 2;
    v->ptr = vx_realloc(v->ptr, c * size);
    v->cap = c;
}

static inline void *vxc_vec_push_slot(vxc_vecraw *v, size_t size) {
    vxc_vec_grow(v, v->len + 1, size);
    return (char *)v->ptr + size * v->len++;
}

static inline _Noreturn void vxc_oob(const vx_loc *l, uint64_t len, const char *idx) {
    vx_panic(l, "index out of bounds: the len is %llu but the index is %s", (unsigned long long)len, idx);
}

static inline uint64_t vxc_idx_s(int64_t i, uint64_t len, const vx_loc *l) {
    if (i < 0 || (uint64_t)i >= len) {
        char b[32];
        snprintf(b, sizeof b, "%lld", (long long)i);
        vxc_oob(l, len, b);
    }
    return (uint64_t)i;
}

static inline uint64_t vxc_idx_u(uint64_t i, uint64_t len, const vx_loc *l) {
    if (i >= len) {
        char b[32];
        snprintf(b, sizeof b, "%llu", (unsigned long long)i);
        vxc_oob(l, len, b);
    }
    return i;
}

static inline void vxc_vec_insert(vxc_vecraw *v, uint64_t i, const void *x, size_t size, const vx_loc *l) {
    if (i > v->len) {
        char b[32];
        snprintf(b, sizeof b, "%llu", (unsigned long long)i);
        vx_panic(l, "insertion index (is %s) should be <= len (is %llu)", b, (unsigned long long)v->len);
    }
    vxc_vec_grow(v, v->len + 1, size);
    char *p = v->ptr;
    memmove(p + (i + 1) * size, p + i * size, (v->len - i) * size);
    memcpy(p + i * size, x, size);
    v->len++;
}

static inline void vxc_vec_remove(vxc_vecraw *v, uint64_t i, void *out, size_t size, const vx_loc *l) {
    vxc_idx_u(i, v->len, l);
    char *p = v->ptr;
    memcpy(out, p + i * size, size);
    memmove(p + i * size, p + (i + 1) * size, (v->len - i - 1) * size);
    v->len--;
}

static inline void vxc_vec_reverse(vxc_vecraw *v, size_t size) {
    char tmp[256];
    char *p = v->ptr;
    for (uint64_t i = 0, j = v->len ? v->len - 1 : 0; i < j; i++, j--) {
        for (size_t k = 0; k < size; k += sizeof tmp) {
            size_t n = size - k < sizeof tmp ? size - k : sizeof tmp;
            memcpy(tmp, p + i * size + k, n);
            memcpy(p + i * size + k, p + j * size + k, n);
            memcpy(p + j * size + k, tmp, n);
        }
    }
}

/* ---- checked integer arithmetic ---- */
#define VXC_INT_OPS(T, N, SIGNED, MIN)                                                                   \
    static inline T vxc_add_##N(T a, T b, const vx_loc *l) {                                             \
        T r;                                                                                             \
        if (__builtin_add_overflow(a, b, &r))                                                            \
            vx_panic(l, "attempt to add with overflow");                                                 \
        return r;                                                                                        \
    }                                                                                                    \
    static inline T vxc_sub_##N(T a, T b, const vx_loc *l) {                                             \
        T r;                                                                                             \
        if (__builtin_sub_overflow(a, b, &r))                                                            \
            vx_panic(l, "attempt to subtract with overflow");                                            \
        return r;                                                                                        \
    }                                                                                                    \
    static inline T vxc_mul_##N(T a, T b, const vx_loc *l) {                                             \
        T r;                                                                                             \
        if (__builtin_mul_overflow(a, b, &r))                                                            \
            vx_panic(l, "attempt to multiply with overflow");                                            \
        return r;                                                                                        \
    }                                                                                                    \
    static inline T vxc_div_##N(T a, T b, const vx_loc *l) {                                             \
        if (b == 0)                                                                                      \
            vx_panic(l, "attempt to divide by zero");                                                    \
        if (SIGNED && a == (T)(MIN) && b == (T)-1)                                                       \
            vx_panic(l, "attempt to divide with overflow");                                              \
        return (T)(a / b);                                                                               \
    }                                                                                                    \
    static inline T vxc_rem_##N(T a, T b, const vx_loc *l) {                                             \
        if (b == 0)                                                                                      \
            vx_panic(l, "attempt to calculate the remainder with a divisor of zero");                    \
        if (SIGNED && a == (T)(MIN) && b == (T)-1)                                                       \
            vx_panic(l, "attempt to calculate the remainder with overflow");                             \
        return (T)(a % b);                                                                               \
    }                                                                                                    \
    static inline T vxc_neg_##N(T a, const vx_loc *l) {                                                  \
        T r;                                                                                             \
        if (__builtin_sub_overflow((T)0, a, &r))                                                         \
            vx_panic(l, "attempt to negate with overflow");                                              \
        return r;                                                                                        \
    }                                                                                                    \
    static inline T vxc_shl_##N(T a, int64_t b, const vx_loc *l) {                                       \
        if (b < 0 || b >= (int64_t)(sizeof(T) * 8))                                                      \
            vx_panic(l, "attempt to shift left with overflow");                                          \
        return (T)((uint64_t)a << b);                                                                    \
    }                                                                                                    \
    static inline T vxc_shr_##N(T a, int64_t b, const vx_loc *l) {                                       \
        if (b < 0 || b >= (int64_t)(sizeof(T) * 8))                                                      \
            vx_panic(l, "attempt to shift right with overflow");                                         \
        return (T)(a >> b);                                                                              \
    }                                                                                                    \
    static inline T vxc_pow_##N(T a, uint32_t e, const vx_loc *l) {                                      \
        T r = 1;                                                                                         \
        while (e--)                                                                                      \
            r = vxc_mul_##N(r, a, l);                                                                    \
        return r;                                                                                        \
    }                                                                                                    \
    static inline T vxc_abs_##N(T a, const vx_loc *l) { return SIGNED && a < 0 ? vxc_neg_##N(a, l) : a; }

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
    static inline T vxc_f2i_##N(double x) {                                                              \
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

/* ---- the format builder ---- */
typedef struct vxc_buf {
    char *p;
    uint64_t len, cap;
} vxc_buf;

static inline void vxc_put(vxc_buf *b, const char *s, uint64_t n) {
    if (b->len + n + 1 > b->cap) {
        uint64_t c = b->cap ? b->cap * 2 : 64;
        while (c < b->len + n + 1)
            c *= 2;
        b->p = vx_realloc(b->p, c);
        b->cap = c;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}
static inline void vxc_puts(vxc_buf *b, const char *s) { vxc_put(b, s, strlen(s)); }

static inline vxc_str vxc_buf_str(vxc_buf *b) {
    if (!b->p)
        return (vxc_str){"", 0};
    return (vxc_str){b->p, b->len};
}

static inline void vxc_fmt_i64(vxc_buf *b, int64_t v) {
    char t[32];
    vxc_put(b, t, (uint64_t)snprintf(t, sizeof t, "%lld", (long long)v));
}
static inline void vxc_fmt_u64(vxc_buf *b, uint64_t v) {
    char t[32];
    vxc_put(b, t, (uint64_t)snprintf(t, sizeof t, "%llu", (unsigned long long)v));
}
static inline void vxc_fmt_bool(vxc_buf *b, bool v) { vxc_puts(b, v ? "true" : "false"); }

/* Floats in shortest round-trip form, laid out like Rust: Display is
 * always positional (10, 12.5, 0.1); Debug adds ".0" to integral values
 * and uses an exponent for very large or small magnitudes. */
static inline void vxc_fmt_float(vxc_buf *b, double v, int is_f32, int debug) {
    if (v != v) {
        vxc_puts(b, "NaN");
        return;
    }
    if (v == INFINITY || v == -INFINITY) {
        vxc_puts(b, v < 0 ? "-inf" : "inf");
        return;
    }
    char e[64];
    int prec;
    for (prec = 0; prec < 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec, v);
        if (is_f32 ? (float)strtod(e, NULL) == (float)v : strtod(e, NULL) == v)
            break;
    }
    /* e = [-]d.ddddde[+-]xx */
    char digits[40];
    int nd = 0, neg = 0;
    const char *p = e;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    int exp = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = 0;
    if (neg)
        vxc_puts(b, "-");
    if (debug && (exp < -4 || exp >= 16)) {
        vxc_put(b, digits, 1);
        if (nd > 1) {
            vxc_puts(b, ".");
            vxc_put(b, digits + 1, (uint64_t)nd - 1);
        }
        char t[16];
        vxc_put(b, t, (uint64_t)snprintf(t, sizeof t, "e%d", exp));
        return;
    }
    if (exp < 0) {
        vxc_puts(b, "0.");
        for (int i = 0; i < -exp - 1; i++)
            vxc_puts(b, "0");
        vxc_put(b, digits, (uint64_t)nd);
        return;
    }
    if (nd <= exp + 1) {
        vxc_put(b, digits, (uint64_t)nd);
        for (int i = nd; i < exp + 1; i++)
            vxc_puts(b, "0");
        if (debug)
            vxc_puts(b, ".0");
        return;
    }
    vxc_put(b, digits, (uint64_t)exp + 1);
    vxc_puts(b, ".");
    vxc_put(b, digits + exp + 1, (uint64_t)(nd - exp - 1));
}

static inline void vxc_fmt_prec(vxc_buf *b, double v, int prec) {
    char t[512];
    int n = snprintf(t, sizeof t, "%.*f", prec, v);
    vxc_put(b, t, (uint64_t)(n < (int)sizeof t ? n : (int)sizeof t - 1));
}

static inline void vxc_fmt_str(vxc_buf *b, vxc_str s, int debug) {
    if (!debug) {
        vxc_put(b, s.p, s.len);
        return;
    }
    vxc_puts(b, "\"");
    for (uint64_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        switch (c) {
        case '"': vxc_puts(b, "\\\""); break;
        case '\\': vxc_puts(b, "\\\\"); break;
        case '\n': vxc_puts(b, "\\n"); break;
        case '\r': vxc_puts(b, "\\r"); break;
        case '\t': vxc_puts(b, "\\t"); break;
        case '\0': vxc_puts(b, "\\0"); break;
        default: vxc_put(b, &c, 1);
        }
    }
    vxc_puts(b, "\"");
}

static inline void vxc_write(FILE *f, vxc_buf *b, int nl) {
    if (nl)
        vxc_put(b, "\n", 1);
    if (b->len)
        fwrite(b->p, 1, b->len, f);
    if (f == stderr)
        fflush(f);
    vx_free(b->p);
}

static inline void vxc_print_str(FILE *f, vxc_str s, int nl) {
    fwrite(s.p, 1, s.len, f);
    if (nl)
        fputc('\n', f);
}

/* ---- os ---- */
static int vxc_argc;
static char **vxc_argv;

static inline vxc_vecraw vxc_os_args(void) {
    vxc_vecraw v = {0};
    for (int i = 0; i < vxc_argc; i++)
        *(vxc_str *)vxc_vec_push_slot(&v, sizeof(vxc_str)) = vxc_str_from_c(vxc_argv[i]);
    return v;
}

static inline int vxc_os_env(vxc_str name, vxc_str *out) {
    const char *v = getenv(name.p);
    if (!v)
        return 0;
    *out = vxc_str_from_c(v);
    return 1;
}

static inline int64_t vxc_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline int vxc_parse_int(vxc_str s, int64_t *out) {
    if (s.len == 0 || s.len > 30)
        return 0;
    char t[32];
    memcpy(t, s.p, s.len);
    t[s.len] = 0;
    char *end;
    long long v = strtoll(t, &end, 10);
    if (*end || end == t)
        return 0;
    *out = v;
    return 1;
}
