/*
 * vec.c - Vec<T> storage (vexrt.h part 2), generic by element size.
 *
 * A vx_vec is {data, len, cap}; the element size is passed to every call
 * by the generated code (it is a compile-time constant there). The vector
 * owns only its storage: moving, dropping and deep-copying elements is the
 * compiler's job, so every operation here is a plain byte copy. Growth
 * doubles the capacity (at least 4 elements), so push is amortized O(1).
 * Invariants: len <= cap; data == NULL iff cap == 0.
 */
#include <string.h>

#include "vexrt.h"

static void set_cap(vx_vec *v, size_t esize, size_t cap) {
    if (esize && cap > SIZE_MAX / esize)
        vx_panic(NULL, "capacity overflow");
    v->data = vx_realloc(v->data, cap * esize);
    v->cap = cap;
}

void vx__vec_grow(vx_vec *v, size_t esize, size_t need) {
    size_t cap = v->cap * 2;
    if (cap < need)
        cap = need;
    if (cap < 4)
        cap = 4;
    set_cap(v, esize, cap);
}

void vx_vec_reserve(vx_vec *v, size_t esize, size_t additional) {
    if (additional > SIZE_MAX - v->len)
        vx_panic(NULL, "capacity overflow");
    if (v->len + additional > v->cap)
        vx__vec_grow(v, esize, v->len + additional);
}

bool vx_vec_pop(vx_vec *v, size_t esize, void *out) {
    if (v->len == 0)
        return false;
    v->len--;
    memcpy(out, (char *)v->data + v->len * esize, esize);
    return true;
}

void vx_vec_free(vx_vec *v) {
    vx_free(v->data);
    v->data = NULL;
    v->len = v->cap = 0;
}

void vx_vec_clone(vx_vec *dst, const vx_vec *src, size_t esize) {
    dst->data = NULL;
    dst->len = dst->cap = 0;
    if (src->len == 0)
        return;
    set_cap(dst, esize, src->len);
    memcpy(dst->data, src->data, src->len * esize);
    dst->len = src->len;
}

void *vx_vec_insert(vx_vec *v, size_t esize, int64_t i, const vx_loc *where) {
    if (i < 0 || (uint64_t)i > v->len)
        vx_panic(where, "insertion index (is %lld) should be <= len (is %zu)", (long long)i, v->len);
    if (v->len == v->cap)
        vx__vec_grow(v, esize, v->len + 1);
    char *at = (char *)v->data + (size_t)i * esize;
    memmove(at + esize, at, (v->len - (size_t)i) * esize);
    v->len++;
    return at;
}

void vx_vec_remove(vx_vec *v, size_t esize, int64_t i, void *out, const vx_loc *where) {
    if (i < 0 || (uint64_t)i >= v->len)
        vx_panic(where, "removal index (is %lld) should be < len (is %zu)", (long long)i, v->len);
    char *at = (char *)v->data + (size_t)i * esize;
    memcpy(out, at, esize);
    memmove(at, at + esize, (v->len - (size_t)i - 1) * esize);
    v->len--;
}

void vx_vec_swap(vx_vec *v, size_t esize, int64_t i, int64_t j, const vx_loc *where) {
    char *a = vx_vec_at_i(v, esize, i, where);
    char *b = vx_vec_at_i(v, esize, j, where);
    if (a == b)
        return;
    char tmp[64];
    for (size_t off = 0; off < esize; off += sizeof tmp) {
        size_t k = esize - off < sizeof tmp ? esize - off : sizeof tmp;
        memcpy(tmp, a + off, k);
        memcpy(a + off, b + off, k);
        memcpy(b + off, tmp, k);
    }
}

void vx_vec_reverse(vx_vec *v, size_t esize) {
    if (v->len < 2)
        return;
    for (size_t i = 0, j = v->len - 1; i < j; i++, j--)
        vx_vec_swap(v, esize, (int64_t)i, (int64_t)j, NULL);
}

void vx_vec_extend(vx_vec *v, const vx_vec *src, size_t esize) {
    size_t n = src->len;
    if (n == 0)
        return;
    vx_vec_reserve(v, esize, n); /* may move src->data when src == v */
    memcpy((char *)v->data + v->len * esize, src->data, n * esize);
    v->len += n;
}

/* Insertion sort of a[0..n): stable, fast on short runs. */
static void insertion(char *a, size_t n, size_t esize, char *tmp,
                      int (*cmp)(const void *, const void *)) {
    for (size_t i = 1; i < n; i++) {
        size_t j = i;
        if (cmp(a + (j - 1) * esize, a + j * esize) <= 0)
            continue;
        memcpy(tmp, a + i * esize, esize);
        while (j > 0 && cmp(a + (j - 1) * esize, tmp) > 0) {
            memcpy(a + j * esize, a + (j - 1) * esize, esize);
            j--;
        }
        memcpy(a + j * esize, tmp, esize);
    }
}

/* Comparators for vx_vec_sort_scalar: integers of each width and
 * signedness, floats with NaN after everything (a total order). */
#define CMP(name, T) \
    static int name(const void *a, const void *b) { \
        T x = *(const T *)a, y = *(const T *)b; \
        return (x > y) - (x < y); \
    }
CMP(cmp_i8, int8_t)
CMP(cmp_i16, int16_t)
CMP(cmp_i32, int32_t)
CMP(cmp_i64, int64_t)
CMP(cmp_u8, uint8_t)
CMP(cmp_u16, uint16_t)
CMP(cmp_u32, uint32_t)
CMP(cmp_u64, uint64_t)
#undef CMP
static int cmp_f32(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    if (x != x || y != y)
        return (x != x) - (y != y);
    return (x > y) - (x < y);
}
static int cmp_f64(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    if (x != x || y != y)
        return (x != x) - (y != y);
    return (x > y) - (x < y);
}

void vx_vec_sort_scalar(vx_vec *v, size_t esize, int kind) {
    int (*cmp)(const void *, const void *);
    int w = esize == 1 ? 0 : esize == 2 ? 1 : esize == 4 ? 2 : 3;
    static int (*const ints[])(const void *, const void *) = {cmp_i8, cmp_i16, cmp_i32, cmp_i64};
    static int (*const uints[])(const void *, const void *) = {cmp_u8, cmp_u16, cmp_u32, cmp_u64};
    switch (kind) {
    case 'i': cmp = ints[w]; break;
    case 'u': cmp = uints[w]; break;
    case 'f': cmp = esize == 4 ? cmp_f32 : cmp_f64; break;
    case 's': cmp = vx_str_cmp_elem; break;
    default: VX_ASSERT(!"vx_vec_sort_scalar: unknown kind"); return;
    }
    vx_vec_sort(v, esize, cmp);
}

void vx_vec_sort(vx_vec *v, size_t esize, int (*cmp)(const void *, const void *)) {
    size_t n = v->len;
    if (n < 2)
        return;
    enum { RUN = 16 };
    char *a = v->data;
    char *buf = vx_alloc(n * esize + esize); /* the merge target + one element of scratch */
    char *tmp = buf + n * esize;
    for (size_t i = 0; i < n; i += RUN)
        insertion(a + i * esize, n - i < RUN ? n - i : RUN, esize, tmp, cmp);
    char *src = a, *dst = buf;
    for (size_t width = RUN; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) { /* ties take the left element: stable */
                if (cmp(src + j * esize, src + i * esize) < 0)
                    memcpy(dst + k++ * esize, src + j++ * esize, esize);
                else
                    memcpy(dst + k++ * esize, src + i++ * esize, esize);
            }
            memcpy(dst + k * esize, src + i * esize, (mid - i) * esize);
            k += mid - i;
            memcpy(dst + k * esize, src + j * esize, (hi - j) * esize);
        }
        char *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * esize);
    vx_free(buf);
}
