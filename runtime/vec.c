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

#include "lang_impl.h"

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
