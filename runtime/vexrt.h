/*
 * vexrt.h - libvexrt, the Vex runtime: the contract between the C that the
 * vex compiler generates and the runtime library it links against.
 *
 * Naming: public names are vx_* (this header); runtime-internal names are
 * vx__<subsystem>_*; static helpers inside a runtime file are unprefixed.
 * Recoverable errors are negative errno-style codes (VX_E*); a broken
 * invariant or a Vex-level fault is a panic (vx_panic), never undefined
 * behaviour.
 *
 * The header has four parts:
 *   1. memory and panics      (runtime/alloc.c, runtime/panic.c)
 *   2. language support       strings, vectors, formatting, os: what the
 *                             synchronous language needs
 *   3. tasks and scheduling   tasks, frames, the M:N scheduler, the poller,
 *                             timers, channels, mutexes, block-on
 *   4. blocking calls, TCP    the blocking pool, TCP streams and listeners,
 *      and HTTP               the HTTP server core and client
 */
#ifndef VEXRT_H
#define VEXRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ===================================================================== *
 * Part 1. Memory and panics
 * ===================================================================== */

/* A position in a Vex source file; generated code passes a pointer to a
 * static vx_loc wherever a fault or a suspension can happen. */
typedef struct vx_loc {
    const char *file;
    int line, col;
} vx_loc;

/* The one allocation choke point. vx_alloc returns zeroed memory and never
 * returns NULL (out of memory is a panic). vx_free(NULL) does nothing. */
void *vx_alloc(size_t size);
void *vx_realloc(void *p, size_t size);
void vx_free(void *p);
/* Live allocations made through vx_alloc/vx_realloc and not yet freed
 * (tests assert it is back to its starting value at shutdown). */
long vx_alloc_live(void);

/* Print "panic: <message>" and " --> file:line:col" on stderr, then exit
 * with status 101. `where` may be NULL for a fault with no Vex location. */
_Noreturn void vx_panic(const vx_loc *where, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Called on each thread that runs Vex code (vx_os_init, every worker): a
 * stack overflow on it then panics with "panic: stack overflow" instead of
 * dying silently of SIGSEGV (panic.c). */
void vx__stack_guard_thread(void);

/* A broken runtime invariant: "fatal: vexrt: <msg>" and abort(). */
_Noreturn void vx__fatal(const char *file, int line, const char *msg);
#define VX_ASSERT(c) ((c) ? (void)0 : vx__fatal(__FILE__, __LINE__, #c))

/* ===================================================================== *
 * Part 2. Language support
 * ===================================================================== */

/* Strings, formatting, vectors and os: what the synchronous language needs.
 * (runtime/str.c, runtime/fmt.c, runtime/vec.c, runtime/os.c,
 * runtime/fault.c). docs/design/strings-and-formatting.md has the why.
 *
 * Conventions for generated code:
 *   - A Vex `string` is a `vx_str *`, never NULL (the empty string is the
 *     static VX_STR_EMPTY). Functions taking `const vx_str *` BORROW it;
 *     every function returning `vx_str *` returns a NEW reference (+1) that
 *     the caller releases with vx_str_release. Literals are immortal:
 *     retain/release on them do nothing, so generated code may treat every
 *     string alike.
 *   - Indexes arrive as int64_t (signed Vex integers) or uint64_t (unsigned);
 *     the *_i variants take int64_t. A negative or too-large index panics
 *     with the Vex location passed in.
 *   - `bool f(..., T *out)` is the Option<T> shape: true and *out set when
 *     Some, false (and *out untouched) when None.
 */

/* --- Strings (str.c) --------------------------------------------------- */

/* An immutable UTF-8 byte string. `ptr[len]` is always '\0' (handy for C
 * calls; the bytes may contain other NULs). `rc` is the atomic reference
 * count, VX_RC_IMMORTAL for static strings (literals), which are never
 * freed. A heap string is one allocation: the header, then the bytes at
 * (char *)(s + 1); `cap` is the byte capacity there (0 for a literal). */
typedef struct vx_str {
    long rc;
    size_t len;
    size_t cap;
    const char *ptr;
} vx_str;

#define VX_RC_IMMORTAL (-1L)

/* A string literal as a static initializer, no allocation:
 *     static const vx_str lit_3 = VX_STR_INIT("hello\n");
 *     ... use &lit_3 ...
 * (const or not: retain/release never write to an immortal string.)
 * The literal must be a C string literal (its length is sizeof - 1, so
 * embedded "\0" bytes count). Emit non-ASCII bytes as octal escapes
 * ("\303\251"): a C hex escape swallows the hex digits after it.
 * VX_STR_LIT gives a pointer to an anonymous static literal, usable at file
 * scope only (C11 compound literals). */
#define VX_STR_INIT(lit) { VX_RC_IMMORTAL, sizeof(lit) - 1, 0, (lit) }
#define VX_STR_LIT(lit) (&(vx_str)VX_STR_INIT(lit))

extern vx_str vx__str_empty;
#define VX_STR_EMPTY (&vx__str_empty)

/* Reference counting. retain returns its argument (handy in expressions);
 * release frees the string when the count reaches 0. Both are no-ops on
 * immortal strings and thread-safe (atomic count). */
static inline vx_str *vx_str_retain(const vx_str *s) {
    vx_str *m = (vx_str *)s;
    if (__atomic_load_n(&m->rc, __ATOMIC_RELAXED) != VX_RC_IMMORTAL)
        __atomic_fetch_add(&m->rc, 1, __ATOMIC_RELAXED);
    return m;
}
void vx__str_free(vx_str *s);
static inline void vx_str_release(const vx_str *s) {
    vx_str *m = (vx_str *)s;
    if (__atomic_load_n(&m->rc, __ATOMIC_RELAXED) != VX_RC_IMMORTAL &&
        __atomic_fetch_sub(&m->rc, 1, __ATOMIC_ACQ_REL) == 1)
        vx__str_free(m);
}

/* Construction. from_bytes copies n bytes; from_cstr copies a C string
 * (NULL gives NULL, for os.env and extern "C" results). */
vx_str *vx_str_from_bytes(const char *p, size_t n);
vx_str *vx_str_from_cstr(const char *p);
/* The bytes as a NUL-terminated C string, valid while s is alive. */
static inline const char *vx_str_cstr(const vx_str *s) { return s->ptr; }
static inline size_t vx_str_len(const vx_str *s) { return s->len; }
static inline bool vx_str_is_empty(const vx_str *s) { return s->len == 0; }

/* a + b as a new string (returns b or a retained if the other is empty). */
vx_str *vx_str_concat(const vx_str *a, const vx_str *b);
/* a + b CONSUMING a: when the caller holds the only reference to a heap
 * string a, b is appended in place with amortized growth (so `s = s + x`
 * in a loop is linear); otherwise like concat followed by release(a). */
vx_str *vx_str_append(vx_str *a, const vx_str *b);

/* ==, and ordering: byte-wise lexicographic like Rust's str (cmp < 0, 0, > 0). */
bool vx_str_eq(const vx_str *a, const vx_str *b);
int vx_str_cmp(const vx_str *a, const vx_str *b);
/* FNV-1a over the bytes (for maps). */
uint64_t vx_str_hash(const vx_str *s);

/* Searching. Empty patterns match everywhere (find gives 0). */
bool vx_str_contains(const vx_str *s, const vx_str *pat);
bool vx_str_starts_with(const vx_str *s, const vx_str *pat);
bool vx_str_ends_with(const vx_str *s, const vx_str *pat);
bool vx_str_find(const vx_str *s, const vx_str *pat, uint64_t *out);  /* byte index of the first match */
bool vx_str_rfind(const vx_str *s, const vx_str *pat, uint64_t *out); /* ... of the last match */

/* s[start..end] by byte range, a new string. Panics (Rust's messages) when
 * out of range, start > end, or either end is not on a char boundary. */
vx_str *vx_str_slice(const vx_str *s, int64_t start, int64_t end, const vx_loc *where);
/* The byte at index i (u8), with the bounds panic. */
uint8_t vx_str_byte_at(const vx_str *s, int64_t i, const vx_loc *where);
/* Number of chars (Unicode scalar values), i.e. s.chars().count(). */
uint64_t vx_str_char_count(const vx_str *s);
/* The i-th char as a code point (s.chars().nth(i)), Option shape. */
bool vx_str_char_at(const vx_str *s, uint64_t i, uint32_t *out);

/* Iterating chars: `for c in s.chars()` is
 *     size_t pos = 0; uint32_t c;
 *     while (vx_str_next_char(s, &pos, &c)) ...
 * Decodes the char at byte *pos into *out and advances *pos past it;
 * false at the end. */
bool vx_str_next_char(const vx_str *s, size_t *pos, uint32_t *out);

/* Whitespace trimming (Unicode White_Space, like Rust). */
vx_str *vx_str_trim(const vx_str *s);
vx_str *vx_str_trim_start(const vx_str *s);
vx_str *vx_str_trim_end(const vx_str *s);
/* Case mapping like Rust's to_uppercase/to_lowercase for ASCII, Latin-1,
 * Latin Extended-A, Greek and Cyrillic (ß -> SS, final sigma included);
 * chars of other scripts are left unchanged. */
vx_str *vx_str_to_upper(const vx_str *s);
vx_str *vx_str_to_lower(const vx_str *s);
/* s repeated n times. */
vx_str *vx_str_repeat(const vx_str *s, uint64_t n);
/* Every non-overlapping `from` replaced by `to` (empty `from`: `to` goes
 * between every char and at both ends, like Rust). */
vx_str *vx_str_replace(const vx_str *s, const vx_str *from, const vx_str *to);

/* Parsing like Rust's str::parse. Integers: optional sign ('-' only for
 * the signed form), ASCII digits, nothing else, in range. f64: decimal
 * with optional sign, fraction and exponent, or inf/infinity/nan (any case). */
bool vx_str_parse_i64(const vx_str *s, int64_t *out);
bool vx_str_parse_u64(const vx_str *s, uint64_t *out);
bool vx_str_parse_f64(const vx_str *s, double *out);
bool vx_str_parse_bool(const vx_str *s, bool *out); /* exactly "true" or "false" */

/* to_string of scalars (Display form; see the vx_fmt_* appenders). */
vx_str *vx_str_from_i64(int64_t v);
vx_str *vx_str_from_u64(uint64_t v);
vx_str *vx_str_from_f64(double v);
vx_str *vx_str_from_f32(float v);
vx_str *vx_str_from_bool(bool v);
vx_str *vx_str_from_char(uint32_t cp);

/* --- Panic helpers: the exact messages of Vex-level faults (fault.c) --- */

_Noreturn void vx_panic_add_overflow(const vx_loc *where); /* attempt to add with overflow */
_Noreturn void vx_panic_sub_overflow(const vx_loc *where); /* ... subtract ... */
_Noreturn void vx_panic_mul_overflow(const vx_loc *where); /* ... multiply ... */
_Noreturn void vx_panic_neg_overflow(const vx_loc *where); /* ... negate ... */
_Noreturn void vx_panic_shl_overflow(const vx_loc *where); /* ... shift left ... */
_Noreturn void vx_panic_shr_overflow(const vx_loc *where); /* ... shift right ... */
_Noreturn void vx_panic_div_overflow(const vx_loc *where); /* MIN / -1: attempt to divide with overflow */
_Noreturn void vx_panic_rem_overflow(const vx_loc *where); /* MIN % -1: attempt to calculate the remainder with overflow */
_Noreturn void vx_panic_div_zero(const vx_loc *where);     /* attempt to divide by zero */
_Noreturn void vx_panic_rem_zero(const vx_loc *where);     /* attempt to calculate the remainder with a divisor of zero */
/* index out of bounds: the len is L but the index is I */
_Noreturn void vx_panic_bounds(const vx_loc *where, uint64_t len, uint64_t index);
_Noreturn void vx_panic_bounds_i(const vx_loc *where, uint64_t len, int64_t index);
_Noreturn void vx_panic_unwrap_none(const vx_loc *where);  /* called unwrap() on a None value */
/* called unwrap() on an Err value: <text> (text: the Err payload's Debug form) */
_Noreturn void vx_panic_unwrap_err(const vx_loc *where, const vx_str *text);
/* assertion failed: <source text of the condition> */
_Noreturn void vx_panic_assert(const vx_loc *where, const char *source);
/* assertion failed: left == right, then "  left: <l>" and " right: <r>" */
_Noreturn void vx_panic_assert_eq(const vx_loc *where, const vx_str *left, const vx_str *right);
/* $panic(msg): the message as is */
_Noreturn void vx_panic_str(const vx_loc *where, const vx_str *msg);

/* Index checks for `v[i]` on arrays and vectors: return i as size_t or
 * panic with the bounds message. */
static inline size_t vx_index(uint64_t i, size_t len, const vx_loc *where) {
    if (__builtin_expect(i >= len, 0))
        vx_panic_bounds(where, len, i);
    return (size_t)i;
}
static inline size_t vx_index_i(int64_t i, size_t len, const vx_loc *where) {
    if (__builtin_expect(i < 0 || (uint64_t)i >= len, 0))
        vx_panic_bounds_i(where, len, i);
    return (size_t)i;
}

/* --- Vec<T>, generic by element size (vec.c) --------------------------- */

/* `data` holds `len` elements of the element size the caller passes to
 * every call (always the same for one vector), room for `cap`. The zero
 * value VX_VEC_INIT is the empty vector, no allocation. The vector owns
 * its storage, not the elements' resources: the compiler drops elements
 * (releases strings, frees boxes) before clear/free/pop-discard. */
typedef struct vx_vec {
    void *data;
    size_t len, cap;
} vx_vec;

#define VX_VEC_INIT { NULL, 0, 0 }

void vx__vec_grow(vx_vec *v, size_t esize, size_t need);
/* Room for `additional` more elements without reallocating. */
void vx_vec_reserve(vx_vec *v, size_t esize, size_t additional);
/* Append one element: returns the (uninitialized) new slot, len is already
 * counted. Emit as `*(T *)vx_vec_push(&v, sizeof(T)) = value;`. */
static inline void *vx_vec_push(vx_vec *v, size_t esize) {
    if (__builtin_expect(v->len == v->cap, 0))
        vx__vec_grow(v, esize, v->len + 1);
    return (char *)v->data + v->len++ * esize;
}
/* Remove the last element into *out (Option shape). */
bool vx_vec_pop(vx_vec *v, size_t esize, void *out);
/* v[i] with the bounds panic: a pointer to the element. */
static inline void *vx_vec_at(const vx_vec *v, size_t esize, uint64_t i, const vx_loc *where) {
    return (char *)v->data + vx_index(i, v->len, where) * esize;
}
static inline void *vx_vec_at_i(const vx_vec *v, size_t esize, int64_t i, const vx_loc *where) {
    return (char *)v->data + vx_index_i(i, v->len, where) * esize;
}
/* v.get(i): a pointer to the element, or NULL when out of range. */
static inline void *vx_vec_get(const vx_vec *v, size_t esize, int64_t i) {
    return i >= 0 && (uint64_t)i < v->len ? (char *)v->data + (size_t)i * esize : NULL;
}
/* len = 0, storage kept (drop the elements first). */
static inline void vx_vec_clear(vx_vec *v) { v->len = 0; }
/* Free the storage (drop the elements first); *v becomes VX_VEC_INIT. */
void vx_vec_free(vx_vec *v);
/* *dst = a copy of src's storage (bitwise; deep-copy elements afterwards). */
void vx_vec_clone(vx_vec *dst, const vx_vec *src, size_t esize);
/* Insert at i (0 <= i <= len): returns the slot to fill, elements after it
 * moved up. Panics "insertion index (is I) should be <= len (is L)". */
void *vx_vec_insert(vx_vec *v, size_t esize, int64_t i, const vx_loc *where);
/* Remove element i into *out, elements after it moved down. Panics
 * "removal index (is I) should be < len (is L)". */
void vx_vec_remove(vx_vec *v, size_t esize, int64_t i, void *out, const vx_loc *where);
/* Swap elements i and j (bounds panic). */
void vx_vec_swap(vx_vec *v, size_t esize, int64_t i, int64_t j, const vx_loc *where);

/* Reverse the elements in place. */
void vx_vec_reverse(vx_vec *v, size_t esize);
/* Append a bitwise copy of src's elements (clone them afterwards if they
 * own resources); src may be v itself. */
void vx_vec_extend(vx_vec *v, const vx_vec *src, size_t esize);
/* STABLE sort (like Rust's sort) by cmp (< 0, 0, > 0), a merge sort with
 * insertion-sorted runs; O(n log n), one temporary buffer. */
void vx_vec_sort(vx_vec *v, size_t esize, int (*cmp)(const void *a, const void *b));
/* A comparator for Vec<string> (elements are vx_str *). */
int vx_str_cmp_elem(const void *a, const void *b);
/* v.sort() of a Vec of numbers or strings, ascending and stable: kind 'i'
 * signed or 'u' unsigned integers of esize bytes, 'f' floats (NaN last),
 * 's' strings (bytewise). */
void vx_vec_sort_scalar(vx_vec *v, size_t esize, int kind);

/* Vec<string> helpers: split, join, and dropping every element. */
vx_vec vx_str_split(const vx_str *s, const vx_str *sep); /* Rust split: "a,b,".split(",") = ["a", "b", ""] */
vx_vec vx_str_lines(const vx_str *s);                    /* Rust lines(): split on \n, strip \r, no final empty */
vx_vec vx_str_split_whitespace(const vx_str *s);         /* Rust split_whitespace(): no empty parts */
vx_vec vx_str_chars(const vx_str *s);                    /* every char as a one-char string */
vx_str *vx_str_join(const vx_vec *strs, const vx_str *sep);
/* s.bytes(): a Vec<u8> of s's bytes. */
vx_vec vx_str_bytes(const vx_str *s);
/* string.from_bytes(v): the bytes as a string, each byte sequence that is
 * not valid UTF-8 replaced by U+FFFD (Rust's String::from_utf8_lossy). */
vx_str *vx_str_from_utf8_lossy(const char *p, size_t n);
void vx_vec_str_free(vx_vec *v); /* release every string, then vx_vec_free */

/* --- Formatting and printing (fmt.c) ----------------------------------- */

/* A string builder with an inline buffer: formatting that fits in it
 * allocates only the final string (and printing allocates nothing).
 * Use: vx_fmt f; vx_fmt_init(&f); vx_fmt_*(&f, ...); then exactly one of
 * vx_fmt_finish (a new string), vx_fmt_print* (write it out) or
 * vx_fmt_free. Safe to copy only before the first append (pointers into
 * it are never kept). Not thread-safe (a builder is a local). */
typedef struct vx_fmt {
    char *heap;  /* NULL while the bytes live in `small` */
    size_t len, cap;
    char small[104];
} vx_fmt;

static inline void vx_fmt_init(vx_fmt *f) {
    f->heap = NULL;
    f->len = 0;
    f->cap = sizeof f->small;
}
/* The bytes so far (not NUL-terminated). */
static inline char *vx_fmt_data(vx_fmt *f) { return f->heap ? f->heap : f->small; }
void vx__fmt_grow(vx_fmt *f, size_t need);
/* Raw bytes and punctuation: vx_fmt_cstr(&f, " { x: "). */
static inline void vx_fmt_bytes(vx_fmt *f, const char *p, size_t n) {
    if (__builtin_expect(f->cap - f->len < n, 0))
        vx__fmt_grow(f, n);
    __builtin_memcpy(vx_fmt_data(f) + f->len, p, n);
    f->len += n;
}
static inline void vx_fmt_cstr(vx_fmt *f, const char *p) { vx_fmt_bytes(f, p, __builtin_strlen(p)); }
static inline void vx_fmt_byte(vx_fmt *f, char c) {
    if (__builtin_expect(f->len == f->cap, 0))
        vx__fmt_grow(f, 1);
    vx_fmt_data(f)[f->len++] = c;
}

/* Display ({}) of every scalar type; i8..i32 and u8..u32 widen to the
 * 64-bit forms (the wrappers exist so emitting is a name lookup). */
void vx_fmt_i64(vx_fmt *f, int64_t v);
void vx_fmt_u64(vx_fmt *f, uint64_t v);
static inline void vx_fmt_i8(vx_fmt *f, int8_t v) { vx_fmt_i64(f, v); }
static inline void vx_fmt_i16(vx_fmt *f, int16_t v) { vx_fmt_i64(f, v); }
static inline void vx_fmt_i32(vx_fmt *f, int32_t v) { vx_fmt_i64(f, v); }
static inline void vx_fmt_u8(vx_fmt *f, uint8_t v) { vx_fmt_u64(f, v); }
static inline void vx_fmt_u16(vx_fmt *f, uint16_t v) { vx_fmt_u64(f, v); }
static inline void vx_fmt_u32(vx_fmt *f, uint32_t v) { vx_fmt_u64(f, v); }
static inline void vx_fmt_usize(vx_fmt *f, size_t v) { vx_fmt_u64(f, v); }
void vx_fmt_bool(vx_fmt *f, bool v);                 /* true / false */
void vx_fmt_str(vx_fmt *f, const vx_str *s);         /* the bytes */
void vx_fmt_str_prec(vx_fmt *f, const vx_str *s, size_t chars); /* {:.N}: at most N chars */
void vx_fmt_char(vx_fmt *f, uint32_t cp);            /* a code point as UTF-8 (invalid -> U+FFFD) */
/* Floats, Display: shortest round-trip digits, never an exponent:
 * 10, 12.5, 0.1, -0, inf, -inf, NaN, 1e21 -> 1000000000000000000000.
 * f32 uses the shortest digits that round-trip as an f32. */
void vx_fmt_f64(vx_fmt *f, double v);
void vx_fmt_f32(vx_fmt *f, float v);
/* {:.N}: exactly N digits after the point, correctly rounded from the
 * binary value (ties to even, like Rust): 2.675 -> 2.67, 1.0 -> 1.00. */
void vx_fmt_f64_prec(vx_fmt *f, double v, int prec);
static inline void vx_fmt_f32_prec(vx_fmt *f, float v, int prec) { vx_fmt_f64_prec(f, v, prec); }

/* Debug ({:?}). Integers and bool are as Display (use those). Strings are
 * quoted with \n \t \r \\ \" \0 escaped and other control chars as \u{..}.
 * Floats like Rust: integral values get ".0" (10.0, -0.0), and magnitudes
 * below 1e-4 or at least 1e16 use an exponent (1e16, 1.5e-7). */
void vx_fmt_str_debug(vx_fmt *f, const vx_str *s);
void vx_fmt_char_debug(vx_fmt *f, uint32_t cp);      /* 'a', '\n', '\'' */
void vx_fmt_f64_debug(vx_fmt *f, double v);
void vx_fmt_f32_debug(vx_fmt *f, float v);
/* Debug building blocks are plain punctuation via vx_fmt_cstr:
 *   struct  P { x: 1, y: 2 }     "P { " "x: " <x> ", " "y: " <y> " }"  (no fields: "P")
 *   enum    Circle(1.5), None    "Circle(" <v> ")"
 *   vec     [1, 2, 3]            "[" ... ", " ... "]"
 *   tuple   (1, "a")             "(" ... ", " ... ")"  (1-tuple: "(1,)") */

/* {:x} {:X} {:o} {:b}: v in base 16, 8 or 2 (upper: A-F), no prefix; for a
 * negative signed value pass its two's complement at the type's width
 * ((uint32_t)x for i32), like Rust. */
void vx_fmt_u64_radix(vx_fmt *f, uint64_t v, unsigned base, bool upper);
/* {:e}: shortest digits in exponent form, like Rust: 1234.5 -> 1.2345e3,
 * 0.001 -> 1e-3, 0 -> 0e0. */
void vx_fmt_f64_exp(vx_fmt *f, double v);
void vx_fmt_f32_exp(vx_fmt *f, float v);

/* Pad what was appended since byte offset `start` to `width` chars with
 * `fill`: align '<' left, '>' right, '^' center (for {:5}, {:>8}, {:^9});
 * '=' pads after a leading sign, for {:05} (-42 -> -0042). */
void vx_fmt_pad(vx_fmt *f, size_t start, size_t width, char align, uint32_t fill);

/* A placeholder's format spec beyond precision and Debug (Rust's; the
 * compiler checked it): {:>8}, {:*^9}, {:+}, {:05}, {:#x}, {:b}. */
typedef struct vx_fmt_spec {
    uint32_t fill; /* the padding character, ' ' by default */
    char align;    /* '<', '^', '>', or 0: numbers right, the rest left */
    char type;     /* 0, or 'x', 'X', 'o', 'b' (integers in that base) */
    bool plus;     /* a '+' before non-negative numbers */
    bool alt;      /* the prefix 0x, 0o, 0b */
    bool zero;     /* pad numbers with zeros after the sign and prefix */
    int width;     /* in chars; <= 0: none */
    int num;       /* the value: 0 not a number, 1 a float, N an N-bit
                    * unsigned integer, -N an N-bit signed one */
} vx_fmt_spec;
/* Applies sp to the value formatted (in decimal, Display) since byte
 * offset start: rewrites an integer in base 16/8/2, adds the sign, pads. */
void vx_fmt_apply(vx_fmt *f, size_t start, const vx_fmt_spec *sp);

/* Finish: the bytes as a new string; the builder is released. */
vx_str *vx_fmt_finish(vx_fmt *f);
/* Drop the builder without using it. */
void vx_fmt_free(vx_fmt *f);
/* Write the builder's bytes to stdout (print), stdout plus '\n' (println)
 * or stderr plus '\n' (eprintln, eprint without), then release it. */
void vx_fmt_print(vx_fmt *f);
void vx_fmt_println(vx_fmt *f);
void vx_fmt_eprint(vx_fmt *f);
void vx_fmt_eprintln(vx_fmt *f);

/* Printing a string. stdout is buffered (flushed at exit, by os.exit and
 * before a panic message); stderr is not. A println's line is written
 * under the stream lock, so lines of different threads never interleave. */
void vx_print(const vx_str *s);
void vx_println(const vx_str *s);
void vx_eprint(const vx_str *s);
void vx_eprintln(const vx_str *s);
/* Flush stdout (also done at exit and by vx_os_exit). */
void vx_flush(void);

/* Runtime-internal: encode code point cp as UTF-8 into buf (room for 4
 * bytes); surrogates and values past U+10FFFF become U+FFFD. */
size_t vx__utf8_encode(char *buf, uint32_t cp);

/* Integer <-> text without the builder: writes the decimal digits of v
 * into buf (at least 21 bytes, not NUL-terminated), returns the length. */
size_t vx_u64_to_dec(char *buf, uint64_t v);
size_t vx_i64_to_dec(char *buf, int64_t v);

/* --- os (os.c) ---------------------------------------------------------- */

/* Called first by the generated main: records argv for os.args and sets
 * up stdout buffering. */
void vx_os_init(int argc, char **argv);
/* os.args(): a new Vec<string> (program name first); the caller owns it
 * (drop with vx_vec_str_free). */
vx_vec vx_os_args(void);
/* os.env(name): the value as a new string, or NULL (None) when unset. */
vx_str *vx_os_env(const vx_str *name);
/* os.exit(code): flush stdout and exit with status code. */
_Noreturn void vx_os_exit(int code);

/* (end of part 2) */

/* ===================================================================== *
 * Part 3. Tasks and scheduling
 * ===================================================================== */

/* Tasks, frames, the M:N scheduler, the poller, timers, channels, mutexes
 * and block-on: what async fn and go lower to. (runtime/task.c, sched.c,
 * deque.c, inject.c, park.c, poll.c + poll_epoll.c, timer.c, chan.c,
 * sync.c, dump.c; design: docs/design/runtime.md)
 *
 * THE SHAPE OF GENERATED CODE. Every async fn becomes a frame struct whose
 * first member is a vx_frame, and a resume function
 *
 *     vx_poll f_resume(vx_frame *self, vx_task *task);
 *
 * that switches on self->state, runs to the next suspension point and
 * returns VX_PENDING, or runs to the end, stores its result in its frame and
 * returns VX_READY. State 0 means "not started".
 *
 * Awaiting an async callee: the callee's frame is embedded in the caller's
 * frame. The caller initialises it (vx_frame_init), sets the state it will
 * continue in, and calls the callee's resume directly:
 *
 *         vx_frame_init(&self->callee.base, callee_resume, &self->base);
 *         ...store the callee's arguments in self->callee...
 *         self->base.state = 3;
 *         if (callee_resume(&self->callee.base, task) == VX_PENDING)
 *             return VX_PENDING;
 *     case 3:   ...the callee has completed: read self->callee's result...
 *
 * A ready callee therefore costs a plain call. The task remembers its
 * INNERMOST suspended frame (task->top); the leaf operation that suspends
 * (vx_yield, a channel operation, vx_sleep, vx_join, vx_io_wait, ...) sets it,
 * the frames above just propagate VX_PENDING. When the task is woken the
 * worker resumes `top` directly; when a frame returns VX_READY the worker
 * resumes its parent; when the root frame returns VX_READY the task is
 * complete. A resume costs the same at depth 1 and at depth 20.
 *
 * RESUMPTION MEANS COMPLETION. A frame is resumed in the state it set before
 * it suspended only after the operation it suspended on has completed; the
 * outcome is in the waiter/timer/output the frame passed to the operation.
 * Leaf operations follow one calling convention:
 *
 *         self->base.state = 5;
 *         if (vx_chan_recv(&self->base, task, ch, &self->v, &self->w, &LOC5)
 *                 == VX_PENDING)
 *             return VX_PENDING;
 *     case 5:   if (self->w.status == VX_ECLOSED) ...; use self->v
 *
 * An operation that completes at once returns VX_READY, except that every
 * task has a budget (VX_BUDGET operations per turn): when it is spent the
 * operation still completes, but returns VX_PENDING so the task yields to
 * the others; the code above handles both the same way. Each operation takes
 * a waiter the caller embeds in its frame: no allocation per await.
 *
 * THREADS. vx_start starts the workers (VEX_WORKERS, default: online CPUs).
 * Frames run on worker threads. vx_spawn and vx_task_new work from any thread
 * (a "sync" caller too); vx_block_on runs a task to completion from a
 * non-worker thread (inside a worker it panics: it would stall the worker).
 * vx_main is the program entry of generated code.
 */

#include <stdatomic.h>

typedef enum vx_poll { VX_READY = 0, VX_PENDING = 1 } vx_poll;

typedef struct vx_task vx_task;
typedef struct vx_frame vx_frame;

/* A frame's resume function (see above). */
typedef vx_poll (*vx_resume_fn)(vx_frame *self, vx_task *task);
/* A task's drop hook: called once with the root frame when the task's memory
 * is freed, to release what the frame still owns. It reads root->state to
 * know what is live (a complete frame holds just its result unless the
 * joiner moved it out and set state to VX_STATE_MOVED). May be NULL. */
typedef void (*vx_drop_fn)(vx_frame *root);

/* Errors (negative errno-style codes; waiter->status holds 0 or one). */
enum {
    VX_OK = 0,
    VX_ECLOSED = -32,    /* EPIPE: the channel is closed */
    VX_ECANCELED = -125, /* ECANCELED: the operation was cancelled */
};

#define VX_STATE_MOVED UINT32_MAX /* root->state after the joiner took the result */
#define VX_BUDGET 128             /* operations completed at once per turn */

/* The first member of every generated async frame. */
struct vx_frame {
    vx_resume_fn resume; /* this frame's resume function */
    vx_frame *parent;    /* the frame awaiting this one; NULL for a root */
    const vx_loc *at;    /* where it is suspended (dump, async backtrace) */
    uint32_t state;      /* the generated code's state number, 0 = start */
    uint32_t spare;      /* free for generated code (e.g. a flag) */
};

static inline void vx_frame_init(vx_frame *f, vx_resume_fn resume, vx_frame *parent) {
    f->resume = resume;
    f->parent = parent;
    f->at = NULL;
    f->state = 0;
}

/* A task: this 40-byte header, then the root frame, in one allocation.
 * Generated code only touches the fields marked "public"; the rest belongs
 * to the scheduler (runtime/task.c documents them). The root frame is
 * 8-byte aligned (no Vex type needs more). */
struct vx_task {
    vx_task *next;             /* queue link (run queues, free lists) */
    vx_frame *top;             /* public: innermost suspended frame; written
                                  by the running worker only */
    _Atomic uint32_t state;    /* scheduling: queued, running, complete (task.c) */
    _Atomic uint32_t refs;     /* completion, joiners, reference count and
                                  size class; 0 in a free block (task.c) */
    vx_drop_fn drop;           /* drop hook of the root frame */
    vx_task *joiner;           /* the task awaiting completion (vx_join) */
};
#define VX_TASK_HEADER 40

/* The root frame of a task. */
static inline vx_frame *vx_task_frame(vx_task *t) {
    return (vx_frame *)(void *)((char *)t + VX_TASK_HEADER);
}

/* Record that `self` is the innermost suspended frame of `task`, suspended
 * at `at`; every leaf operation does this before it returns VX_PENDING. */
static inline void vx_suspend_at(vx_task *task, vx_frame *self, const vx_loc *at) {
    self->at = at;
    task->top = self;
}

/* ---- spawn, join, detach ------------------------------------------------ */

/* Phase 1 of spawn: allocate a task whose root frame is `frame_size` bytes
 * (>= sizeof(vx_frame)); the vx_frame header is initialised (resume, parent
 * NULL, state 0), the rest of the frame is uninitialised: the caller stores
 * the arguments. Any thread. Never returns NULL. */
vx_task *vx_task_new(size_t frame_size, vx_resume_fn resume, vx_drop_fn drop);

/* Phase 2: start the task. vx_spawn keeps a handle for the caller, who must
 * later vx_join + vx_task_release it, or vx_detach it; vx_spawn_detached
 * keeps none (`go f()` whose handle is dropped). Any thread; starts the
 * runtime if it is not running. */
void vx_spawn(vx_task *t);
void vx_spawn_detached(vx_task *t);

/* Drop a handle without joining: the task runs on and frees itself. */
void vx_detach(vx_task *t);
/* One more handle to t (the caller holds one). Each handle is dropped by
 * vx_detach or, after the one vx_join, vx_task_release. */
void vx_task_retain(vx_task *t);
/* Drop a handle after vx_join completed (the result was read or moved out
 * of vx_task_frame(t)); frees the task once the scheduler is done with it. */
void vx_task_release(vx_task *t);

/* Leaf operation: complete when `target` has completed (its result is then
 * in vx_task_frame(target)). At most one task joins a given task. */
vx_poll vx_join(vx_frame *self, vx_task *task, vx_task *target, const vx_loc *at);

/* For sync code: block the calling (non-worker) thread until `target`
 * has completed. Panics on a worker. */
void vx_join_sync(vx_task *target);

/* Leaf operation: give the other tasks a turn. Always returns VX_PENDING;
 * the frame is resumed in the state it set. */
vx_poll vx_yield(vx_frame *self, vx_task *task, const vx_loc *at);

/* True when the calling thread is a worker of the runtime. */
bool vx_in_worker(void);

/* ---- runtime life cycle ------------------------------------------------- */

/* Start `workers` worker threads (0: $VEX_WORKERS, else the online CPUs).
 * Does nothing if the runtime runs already. */
void vx_start(int workers);

/* Run `t` (not yet spawned) to completion from a non-worker thread and
 * return; the caller then reads its result and calls vx_task_release(t).
 * From inside a worker it panics ("vx_block_on called from an async
 * context") rather than deadlock. */
void vx_block_on(vx_task *t);

/* Stop the runtime from a non-worker thread: wake and join the workers, drop
 * every task still alive (drop hooks run), cancel the timers, close the
 * poller, free every cache. Returns the number of tasks that were still
 * alive (0 in a clean shutdown). vx_start may be called again afterwards. */
long vx_shutdown(void);

/* Program entry of generated code: start the runtime, run main_task to
 * completion and exit the process with the status set by
 * vx_set_exit_status (default 0), whatever other tasks are doing (Go
 * semantics). If main waits and nothing can ever run again (no runnable
 * task, no timer, no I/O interest), print "fatal: all tasks are asleep -
 * deadlock!" and the task dump on stderr and exit 2. SIGQUIT prints the
 * task dump on stderr and the program goes on. */
_Noreturn void vx_main(int argc, char **argv, vx_task *main_task);
void vx_set_exit_status(int status);
/* For a program whose main is sync code: mark the calling thread as the
 * program's main thread (vx_main does it too). While it blocks in
 * vx_block_on, a sync channel operation or vx_join_sync, the deadlock
 * detector watches it as it watches an async main. */
void vx_main_thread(void);
/* The arguments given to vx_main (argc 0 before). */
int vx_argc(void);
char **vx_argv(void);

/* ---- waiters ------------------------------------------------------------ */

/* The per-await record of a channel, mutex or wait-group operation; the
 * caller embeds it in its frame. `status` holds the outcome once the
 * operation completed; the other fields belong to the runtime. */
typedef struct vx_waiter {
    struct vx_waiter *next;
    vx_task *task;
    void *slot;      /* value to send / buffer to receive into */
    int32_t status;  /* VX_OK or a VX_E* code */
    uint32_t spare;
} vx_waiter;

/* ---- channels ----------------------------------------------------------- */

/* MPMC channel of `elem_size`-byte values with capacity `cap` (0 =
 * rendezvous: a send completes when a receiver takes the value). Blocked
 * senders and receivers park as tasks (FIFO); nobody spins. Reference
 * counted: vx_chan_new returns one reference. */
typedef struct vx_chan vx_chan;
vx_chan *vx_chan_new(size_t elem_size, size_t cap);
void vx_chan_retain(vx_chan *c);
void vx_chan_release(vx_chan *c);
/* Close: pending and later receives drain the buffer then complete with
 * VX_ECLOSED; pending and later sends complete with VX_ECLOSED (generated
 * code panics "send on a closed channel"). Closing twice is a no-op. */
void vx_chan_close(vx_chan *c);
/* Leaf operations. Send copies elem_size bytes from `value` when it
 * completes, so `value` must stay valid until then (keep it in the frame);
 * a receive copies the value into `out` (also in the frame). */
vx_poll vx_chan_send(vx_frame *self, vx_task *task, vx_chan *c, const void *value,
                     vx_waiter *w, const vx_loc *at);
vx_poll vx_chan_recv(vx_frame *self, vx_task *task, vx_chan *c, void *out,
                     vx_waiter *w, const vx_loc *at);
/* Number of buffered values (a snapshot). */
size_t vx_chan_len(vx_chan *c);
/* For sync code (a non-worker thread): block the calling thread until the
 * operation completes; return VX_OK or VX_ECLOSED. From a worker they panic
 * like vx_block_on. */
int vx_chan_send_sync(vx_chan *c, const void *value);
int vx_chan_recv_sync(vx_chan *c, void *out);

/* ---- mutex and wait group ----------------------------------------------- */

/* An async mutex: lock suspends the task (no spinning, FIFO hand-off);
 * unlock is synchronous. The guard of the language unlocks when dropped. */
typedef struct vx_mutex vx_mutex;
vx_mutex *vx_mutex_new(void);
void vx_mutex_free(vx_mutex *m);
vx_poll vx_mutex_lock(vx_frame *self, vx_task *task, vx_mutex *m, vx_waiter *w,
                      const vx_loc *at);
bool vx_mutex_try_lock(vx_mutex *m);
void vx_mutex_unlock(vx_mutex *m);

/* A wait group (Go's sync.WaitGroup): add before spawning, done in each
 * task, wait (any number of waiters) completes when the count is zero. */
typedef struct vx_wg vx_wg;
vx_wg *vx_wg_new(void);
void vx_wg_free(vx_wg *g);
void vx_wg_add(vx_wg *g, long n);
void vx_wg_done(vx_wg *g);
vx_poll vx_wg_wait(vx_frame *self, vx_task *task, vx_wg *g, vx_waiter *w, const vx_loc *at);

/* ---- time --------------------------------------------------------------- */

/* Monotonic clock in nanoseconds. */
int64_t vx_now_ns(void);

/* A timer (embedded by its owner). vx_timer_start arms it to call
 * fire(tm) on a worker at `when` (vx_now_ns time) or soon after; fire runs
 * outside every runtime lock and must not block. Fields belong to the runtime. */
typedef struct vx_timer vx_timer;
struct vx_timer {
    int64_t when;
    void (*fire)(vx_timer *tm);
    void *arg;          /* free for the owner */
    int32_t index;      /* heap position + 1; 0 when not armed (zeroed) */
    int32_t status;     /* vx_sleep: VX_OK, or VX_ECANCELED */
};
void vx_timer_start(vx_timer *tm, int64_t when, void (*fire)(vx_timer *tm));
/* Disarm; true if it was armed (fire will not run), false if it already
 * fired or is firing. */
bool vx_timer_cancel(vx_timer *tm);

/* Leaf operation: complete `ns` nanoseconds from now (ms: milliseconds). */
vx_poll vx_sleep_ns(vx_frame *self, vx_task *task, int64_t ns, vx_timer *tm,
                    const vx_loc *at);
vx_poll vx_sleep(vx_frame *self, vx_task *task, int64_t ms, vx_timer *tm,
                 const vx_loc *at);

/* ---- I/O readiness ------------------------------------------------------ */

/* One registration per fd for its life (edge-triggered). The fd must be
 * non-blocking. The protocol: try the syscall; on EAGAIN await
 * vx_io_wait(...VX_IO_READ or VX_IO_WRITE...), then try again. At most one
 * task waits per direction of an fd at a time (a second one panics). */
typedef struct vx_io vx_io;
enum { VX_IO_READ = 0, VX_IO_WRITE = 1 };
vx_io *vx_io_open(int fd);          /* NULL and errno set on failure */
int vx_io_fd(vx_io *io);
vx_poll vx_io_wait(vx_frame *self, vx_task *task, vx_io *io, int dir, const vx_loc *at);
/* Deregister and close the fd; no task may be waiting on it. */
void vx_io_close(vx_io *io);

/* ---- observability ------------------------------------------------------ */

typedef struct vx_stats {
    uint64_t spawned, completed;  /* tasks */
    uint64_t polls;               /* frame resumptions by workers */
    uint64_t lifo;                /* tasks run from a LIFO slot */
    uint64_t steals, stolen;      /* successful steals, tasks stolen */
    uint64_t injected;            /* tasks pushed to the global queue */
    uint64_t parks, unparks;      /* worker sleeps, wake-ups sent */
    uint64_t yields, timers_fired, io_events;
    int64_t tasks_live;           /* allocated, not yet freed */
    int64_t timers_armed;
    int64_t io_open;              /* vx_io registrations */
    int workers;
} vx_stats;
void vx_stats_get(vx_stats *out);

/* Write the task dump (every live task: id, state, where it is suspended
 * and its await chain) to fd. Best effort while tasks run. */
void vx_dump(int fd);

/* (end of part 3) */

/* ===================================================================== *
 * Part 4. Blocking calls, TCP and HTTP
 * ===================================================================== */

/* The blocking pool, TCP on the poller, the HTTP server core and the HTTP
 * client (runtime/blocking.c, net.c, http.c, http_client.c; design:
 * docs/design/io.md). Programs using this part link with
 * `-lvexrt -lcurl -lhttp_parser -pthread`.
 *
 * THE SHAPE. Every I/O operation is an ASYNC FN OF THE RUNTIME: a frame
 * struct (vx_net_op, vx_http_op, ...) that the caller embeds in its own
 * frame, and a call that starts it. The call initialises the operation's
 * frame with the caller as its parent, runs it, and returns VX_READY when it
 * completed at once or VX_PENDING when it suspended (the operation's frame
 * is then the task's innermost frame; when it completes, the worker resumes
 * the caller in the state the caller set). So an await compiles exactly as
 * a leaf operation does:
 *
 *         self->base.state = 7;
 *         if (vx_net_read(&self->base, task, &self->op, self->sock, 4096, &LOC7)
 *                 == VX_PENDING)
 *             return VX_PENDING;
 *     case 7:   if (self->op.err.kind) ...Err(IoError)...
 *               else data = vx_net_op_take_data(&self->op);
 *
 * Resumption means completion, as everywhere: the outcome (err, data, sock)
 * is in the operation when the caller runs again.
 *
 * Inside, each operation is the primitive pair "try the non-blocking
 * syscall; on EAGAIN wait for readiness (vx_io_wait) with an optional
 * deadline (a vx_timer), then try again" (vx_sock_try_read/_write and
 * vx_sock_wait expose the pair to generated code that wants to loop itself).
 *
 * TEARDOWN. A task torn down while suspended in an operation (vx_shutdown
 * today, cancellation later) must call the operation's drop function from
 * its drop hook: vx_net_op_drop, vx_http_op_drop, vx_http_fetch_drop,
 * vx_job_free. It disarms the timer (waiting out one that is firing), takes
 * the task off the readiness word, cancels a job on the blocking pool,
 * closes the fds the operation owns (a socket being connected, a result not
 * taken yet) and frees its buffers. Calling it on a completed operation
 * frees the results not taken; on an operation never started it must not
 * be called unless the op was zeroed (the drop hook knows from
 * root->state which operation is live, as it knows which locals are).
 *
 * The starting call sets up every field of the op it uses, whatever the
 * memory held (task frames are not zeroed); take or drop the results of one
 * operation before starting the next in the same op. */

/* ---- the blocking pool (blocking.c) ------------------------------------ */

/* A job: run(data) on a pool thread (never a worker), then wake the task
 * that awaits it. `data` is `size` zeroed bytes owned by the job (arguments
 * in, results out); dtor(data) (may be NULL) releases what the data owns
 * when the job is freed. */
typedef struct vx_job vx_job;
vx_job *vx_job_new(void (*run)(void *data), void (*dtor)(void *data), size_t size);
void *vx_job_data(vx_job *j);
/* Leaf operation: queue the job and suspend until run() has returned
 * (always VX_PENDING). The frame then reads vx_job_data and calls
 * vx_job_free. */
vx_poll vx_job_await(vx_frame *self, vx_task *task, vx_job *j, const vx_loc *at);
/* Free a job: after it completed, or never started, or (a teardown) while
 * it runs: then it is cancelled and the pool frees it when run() returns. */
void vx_job_free(vx_job *j);

/* ---- IoError ------------------------------------------------------------ */

/* What went wrong; the Vex `IoError { kind, message }`. kind 0 = no error. */
enum {
    VX_IOK_OK = 0,
    VX_IOK_NOT_FOUND,          /* name resolution found no address */
    VX_IOK_REFUSED,            /* ECONNREFUSED */
    VX_IOK_RESET,              /* ECONNRESET: the peer reset the connection */
    VX_IOK_TIMED_OUT,          /* the operation's deadline passed */
    VX_IOK_ADDR_IN_USE,        /* EADDRINUSE */
    VX_IOK_ADDR_NOT_AVAILABLE, /* EADDRNOTAVAIL */
    VX_IOK_INVALID_INPUT,      /* a malformed address, a bad argument */
    VX_IOK_UNEXPECTED_EOF,     /* read_exact: the stream ended first */
    VX_IOK_BROKEN_PIPE,        /* EPIPE: writing to a closed connection */
    VX_IOK_UNREACHABLE,        /* ENETUNREACH, EHOSTUNREACH */
    VX_IOK_TOO_MANY_FILES,     /* EMFILE, ENFILE */
    VX_IOK_OTHER,
};
/* code: the errno (or the negative EAI_* code for NOT_FOUND), 0 if none. */
typedef struct vx_io_error {
    int32_t kind;
    int32_t code;
} vx_io_error;
/* "ConnectionRefused", "TimedOut", ... (Rust's io::ErrorKind names). */
const char *vx_io_kind_name(int32_t kind);
/* The message as a new string: "connection refused (os error 111)". */
vx_str *vx_io_error_message(const vx_io_error *e);

/* ---- TCP (net.c) ---------------------------------------------------------- */

/* A TCP stream or listener: a non-blocking fd registered with the poller.
 * Owned by one value; vx_sock_close closes it (no operation may be pending
 * on it). Addresses are "host:port", "[v6]:port"; a host that is not a
 * numeric address is resolved on the blocking pool. */
typedef struct vx_sock vx_sock;
int vx_sock_fd(vx_sock *s);
/* Register a non-blocking fd of any kind (a socket from C, an epoll fd) as
 * a vx_sock; NULL and errno on failure (the fd stays open then). */
vx_sock *vx_sock_wrap(int fd);
void vx_sock_close(vx_sock *s);
/* One more owner: vx_sock_close then closes at the last owner's call (the
 * language copies a handle out of a matched value and drops the value). */
void vx_sock_retain(vx_sock *s);
/* Half-close: the peer reads the end of the stream; reading goes on. */
void vx_sock_shutdown_write(vx_sock *s);
/* Both directions: the connection ends now (the peer reads the end of the
 * stream, our reads end too); the object lives on until closed. */
void vx_sock_shutdown(vx_sock *s);
/* Deadlines for the read and write operations on s, in ms (0: none); an
 * operation that does not complete in time fails with TIMED_OUT. accept
 * uses the read timeout of the listener. */
void vx_sock_set_timeouts(vx_sock *s, int64_t read_ms, int64_t write_ms);
/* The local port (a listener bound to port 0). */
int vx_sock_local_port(vx_sock *s);

/* An operation in flight (embedded in the caller's frame; the call sets it
 * up, whatever the memory held: take or drop the results of one operation
 * before starting the next in the same op).
 * Results: err (kind 0 = success), `data` (read, read_exact: the bytes, a
 * Vec<u8>; empty after a read means end of stream), `sock` (listen, accept,
 * connect). Take results with the take functions; the rest is private. */
typedef struct vx_net_op {
    vx_frame base;
    vx_io_error err;
    vx_vec data;
    vx_sock *sock;
    /* private */
    const vx_loc *at;
    vx_task *task;
    vx_sock *s;                 /* the socket operated on */
    struct vx_io *wio;          /* the readiness word waited on, or NULL */
    int32_t wdir;
    _Atomic uint32_t tstate;    /* deadline timer: 0 idle, 1 armed, 2 fired */
    int32_t timed_out;
    vx_timer tm;
    int64_t deadline;
    const unsigned char *wp;
    size_t n, done;
    vx_job *job;
    void *ai, *cur;             /* connect: the resolved addresses */
    vx_sock *csock;             /* connect: the socket being connected */
    int32_t last_errno;
    int32_t mode;               /* listen: passive; read: exact */
} vx_net_op;

/* The operations (see THE SHAPE above). Arguments are borrowed until
 * completion (`addr` and write's bytes must stay valid: keep them in the
 * frame). */
vx_poll vx_net_listen(vx_frame *self, vx_task *task, vx_net_op *op, const vx_str *addr,
                      const vx_loc *at);
vx_poll vx_net_accept(vx_frame *self, vx_task *task, vx_net_op *op, vx_sock *listener,
                      const vx_loc *at);
/* timeout_ms covers the connection attempts (0: none), not the resolution. */
vx_poll vx_net_connect(vx_frame *self, vx_task *task, vx_net_op *op, const vx_str *addr,
                       int64_t timeout_ms, const vx_loc *at);
/* Up to max bytes (at least 1 unless the stream ended). */
vx_poll vx_net_read(vx_frame *self, vx_task *task, vx_net_op *op, vx_sock *s, size_t max,
                    const vx_loc *at);
/* Exactly n bytes, or UNEXPECTED_EOF. */
vx_poll vx_net_read_exact(vx_frame *self, vx_task *task, vx_net_op *op, vx_sock *s, size_t n,
                          const vx_loc *at);
/* All n bytes (partial writes and EAGAIN handled). */
vx_poll vx_net_write(vx_frame *self, vx_task *task, vx_net_op *op, vx_sock *s, const void *p,
                     size_t n, const vx_loc *at);
/* Move the result out (the op no longer owns it). */
vx_vec vx_net_op_take_data(vx_net_op *op);
vx_sock *vx_net_op_take_sock(vx_net_op *op);
/* The drop function (TEARDOWN above). */
void vx_net_op_drop(vx_net_op *op);

/* The primitive pair. try_read/try_write: bytes transferred (read: 0 = end
 * of stream), -1 when the call would block, -2 on an error (*err set).
 * vx_sock_wait: leaf operation, complete when dir (VX_IO_READ/WRITE) may be
 * ready or the socket's timeout for that direction expired (op->err =
 * TIMED_OUT); op is the record (a zeroed vx_net_op) that holds the timer. */
long vx_sock_try_read(vx_sock *s, void *buf, size_t n, vx_io_error *err);
long vx_sock_try_write(vx_sock *s, const void *buf, size_t n, vx_io_error *err);
vx_poll vx_sock_wait(vx_frame *self, vx_task *task, vx_net_op *op, vx_sock *s, int dir,
                     const vx_loc *at);

/* Test hook: resolve names with fn instead of getaddrinfo (NULL restores
 * it); fn runs on the blocking pool and must return a list freeaddrinfo
 * can free. */
struct addrinfo;
void vx_net_set_resolver(int (*fn)(const char *host, const char *port,
                                   const struct addrinfo *hints, struct addrinfo **res));

/* ---- the HTTP/1.1 server core (http.c) ------------------------------------ */

/* One connection, served by one task:
 *
 *     c = vx_http_conn_new(accepted_sock);
 *     loop: await vx_http_next(c)    status CLOSED -> vx_http_conn_free(c), end
 *           read the request: vx_http_method, vx_http_target, vx_http_header,
 *           vx_http_body (valid until the next vx_http_next)
 *           await vx_http_respond(c, status, headers, body)
 *
 * Parsing is libhttp-parser's; keep-alive as HTTP/1.1 says; a malformed
 * request gets "400 Bad Request" (a head over the limit 431, a body over
 * the limit 413) and the connection closes; vx_http_next then reports
 * CLOSED. Limits: 8 KiB of head (target and headers), 1 MiB of body, by
 * default; the timeout (default none) bounds each wait for the client. */
typedef struct vx_http_conn vx_http_conn;
vx_http_conn *vx_http_conn_new(vx_sock *s);  /* takes the socket */
void vx_http_conn_set_limits(vx_http_conn *c, size_t max_head, size_t max_body);
void vx_http_conn_set_timeout(vx_http_conn *c, int64_t ms);
vx_sock *vx_http_conn_sock(vx_http_conn *c);
void vx_http_conn_free(vx_http_conn *c);     /* closes the socket */
void vx_http_conn_retain(vx_http_conn *c);   /* one more owner (as vx_sock_retain) */

enum { VX_HTTP_REQUEST = 0, VX_HTTP_CLOSED = 1 };

typedef struct vx_http_op {
    vx_frame base;
    int32_t status;   /* VX_HTTP_REQUEST: a request is ready / the response went out;
                         VX_HTTP_CLOSED: the connection is over */
    vx_io_error err;  /* the I/O error or timeout that ended it, if any */
    /* private */
    const vx_loc *at;
    vx_http_conn *c;
    size_t wpos;
    vx_net_op net;
} vx_http_op;

vx_poll vx_http_next(vx_frame *self, vx_task *task, vx_http_op *op, vx_http_conn *c,
                     const vx_loc *at);
/* headers: extra header lines, each ending in "\r\n" ("Content-Type:
 * text/plain\r\n"), or NULL; Content-Length is added. The bytes are copied
 * at the call: they need not outlive it. */
vx_poll vx_http_respond(vx_frame *self, vx_task *task, vx_http_op *op, vx_http_conn *c,
                        int status, const char *headers, const void *body, size_t n,
                        const vx_loc *at);
void vx_http_op_drop(vx_http_op *op);

/* The current request. */
const char *vx_http_method(vx_http_conn *c);                     /* "GET" */
vx_str *vx_http_target(vx_http_conn *c);                         /* "/path?q" (new string) */
const char *vx_http_target_bytes(vx_http_conn *c, size_t *len); /* the same, borrowed */
vx_str *vx_http_header(vx_http_conn *c, const vx_str *name);     /* any case; NULL if absent */
int vx_http_header_count(vx_http_conn *c);
const char *vx_http_body(vx_http_conn *c, size_t *len);
bool vx_http_keep_alive(vx_http_conn *c);
/* Every header line, "Name: value\n" each (a new string; the language's
 * Request.headers). */
vx_str *vx_http_headers(vx_http_conn *c);
/* The method as an immortal string ("GET"). */
vx_str *vx_http_method_str(vx_http_conn *c);

/* ---- the HTTP client (http_client.c) --------------------------------------- */

/* libcurl's multi-socket interface on our poller and timers: https,
 * redirects (up to 10), chunked and compressed bodies; many tasks fetch at
 * once without blocking a worker. An HttpError is a kind plus a message
 * (vx_http_fetch_error_message). */
enum {
    VX_HTTPK_OK = 0,
    VX_HTTPK_REFUSED,   /* the connection was refused */
    VX_HTTPK_CONNECT,   /* could not connect otherwise (unreachable...) */
    VX_HTTPK_TIMEOUT,   /* the request's timeout expired */
    VX_HTTPK_DNS,       /* the host name did not resolve */
    VX_HTTPK_BAD_URL,   /* malformed, or a scheme curl does not speak */
    VX_HTTPK_REDIRECTS, /* too many redirects */
    VX_HTTPK_TLS,       /* TLS handshake or certificate */
    VX_HTTPK_IO,        /* the connection broke, or an empty reply */
    VX_HTTPK_TOO_LARGE, /* the body is over op->max_body */
    VX_HTTPK_OTHER,
};
typedef struct vx_http_error {
    int32_t kind;
    int32_t curl; /* the CURLcode */
} vx_http_error;
const char *vx_http_kind_name(int32_t kind); /* "Refused", "Timeout", "Dns", ... */

/* A request in flight, embedded in the caller's frame. The call sets it
 * up (whatever the memory held) except max_body, which the caller sets
 * (0: the default, 64 MiB). Results: status (the HTTP status of the last
 * response, after redirects; 0 on an error), err, and through the
 * functions below the body and the headers; vx_http_fetch_drop releases
 * them (and must run before the op is used for the next request). */
typedef struct vx_http_fetch_op {
    vx_frame base;
    int32_t status;
    vx_http_error err;
    size_t max_body;
    /* private */
    const vx_loc *at;
    struct vx_http_fetch *f;
} vx_http_fetch_op;

/* headers: extra request header lines ("Accept: x\r\nX-Y: z"), or NULL.
 * url, headers and body are copied by the call. timeout_ms: the whole
 * request (0: none). */
vx_poll vx_http_get(vx_frame *self, vx_task *task, vx_http_fetch_op *op, const vx_str *url,
                    const vx_str *headers, int64_t timeout_ms, const vx_loc *at);
vx_poll vx_http_post(vx_frame *self, vx_task *task, vx_http_fetch_op *op, const vx_str *url,
                     const vx_str *headers, const void *body, size_t n, int64_t timeout_ms,
                     const vx_loc *at);
/* Any method ("PUT", "DELETE", "HEAD", ...). */
vx_poll vx_http_fetch(vx_frame *self, vx_task *task, vx_http_fetch_op *op, const char *method,
                      const vx_str *url, const vx_str *headers, const void *body, size_t n,
                      int64_t timeout_ms, const vx_loc *at);
/* The response body (moved out: a Vec<u8>). */
vx_vec vx_http_fetch_take_body(vx_http_fetch_op *op);
/* A response header, any case: a new string, or NULL when absent. */
vx_str *vx_http_fetch_header(vx_http_fetch_op *op, const vx_str *name);
vx_str *vx_http_fetch_error_message(vx_http_fetch_op *op);
/* Every response header line, "Name: value\n" each, without the status
 * line (a new string; the language's Response.headers). */
vx_str *vx_http_fetch_headers(vx_http_fetch_op *op);
/* Free what the op holds: after the caller is done with the response, and
 * the drop function of a request torn down in flight. */
void vx_http_fetch_drop(vx_http_fetch_op *op);
/* Tests: close the client's cached connections and fds (no request may be
 * in flight). */
void vx_http_client_reset(void);

/* (end of part 4) */

#ifdef __cplusplus
}
#endif
#endif /* VEXRT_H */
