/*
 * vec_test.c - Vec<T> storage: push/pop/at/get with several element sizes
 * against a reference array, growth, reserve, clear, clone, insert, remove,
 * swap, the bounds and index panics, and vx_index for arrays.
 */
#include <stdlib.h>

#include "check.h"

typedef struct big { int64_t a, b, c; char tag[13]; } big;

static vx_loc here = {"v.vx", 4, 12};

static void basics(void) {
    GROUP("push-pop-at");
    vx_vec v = VX_VEC_INIT;
    for (int i = 0; i < 1000; i++)
        *(int32_t *)vx_vec_push(&v, sizeof(int32_t)) = i * 3;
    CHECK(v.len == 1000 && v.cap >= 1000);
    for (int i = 0; i < 1000; i++)
        CHECK(*(int32_t *)vx_vec_at(&v, sizeof(int32_t), (uint64_t)i, &here) == i * 3);
    CHECK(*(int32_t *)vx_vec_at_i(&v, sizeof(int32_t), 999, &here) == 2997);
    CHECK(*(int32_t *)vx_vec_get(&v, sizeof(int32_t), 10) == 30);
    CHECK(vx_vec_get(&v, sizeof(int32_t), 1000) == NULL);
    CHECK(vx_vec_get(&v, sizeof(int32_t), -1) == NULL);
    int32_t out = -1;
    for (int i = 999; i >= 0; i--)
        CHECK(vx_vec_pop(&v, sizeof(int32_t), &out) && out == i * 3);
    CHECK(!vx_vec_pop(&v, sizeof(int32_t), &out) && v.len == 0);
    vx_vec_free(&v);
    CHECK(v.data == NULL && v.cap == 0);
    END();

    GROUP("big-elements");
    vx_vec b = VX_VEC_INIT;
    for (int i = 0; i < 300; i++) {
        big *e = vx_vec_push(&b, sizeof(big));
        e->a = i, e->b = -i, e->c = i * i;
        snprintf(e->tag, sizeof e->tag, "t%d", i);
    }
    bool ok = true;
    for (int i = 0; i < 300; i++) {
        big *e = vx_vec_at(&b, sizeof(big), (uint64_t)i, &here);
        char t[13];
        snprintf(t, sizeof t, "t%d", i);
        ok = ok && e->a == i && e->b == -i && e->c == i * i && strcmp(e->tag, t) == 0;
    }
    CHECK(ok);
    vx_vec_swap(&b, sizeof(big), 0, 299, &here);
    CHECK(((big *)b.data)[0].a == 299 && ((big *)b.data)[299].a == 0);
    vx_vec_swap(&b, sizeof(big), 5, 5, &here);
    CHECK(((big *)b.data)[5].a == 5);
    vx_vec_free(&b);
    END();

    GROUP("reserve-clear-clone");
    vx_vec v2 = VX_VEC_INIT;
    vx_vec_reserve(&v2, sizeof(double), 100);
    CHECK(v2.cap >= 100 && v2.len == 0);
    void *data = v2.data;
    for (int i = 0; i < 100; i++)
        *(double *)vx_vec_push(&v2, sizeof(double)) = i + 0.5;
    CHECK(v2.data == data); /* no reallocation after reserve */
    vx_vec c;
    vx_vec_clone(&c, &v2, sizeof(double));
    CHECK(c.len == 100 && c.data != v2.data && memcmp(c.data, v2.data, 100 * sizeof(double)) == 0);
    vx_vec_clear(&v2);
    CHECK(v2.len == 0 && v2.cap >= 100);
    CHECK(((double *)c.data)[99] == 99.5);
    vx_vec e;
    vx_vec_clone(&e, &v2, sizeof(double));
    CHECK(e.len == 0 && e.data == NULL);
    vx_vec_free(&c);
    vx_vec_free(&v2);
    vx_vec_free(&e);
    vx_vec_free(&e); /* freeing an empty vector twice is fine */
    END();
}

static void reference(void) {
    GROUP("insert-remove-random");
    vx_vec v = VX_VEC_INIT;
    int64_t ref[600];
    size_t n = 0;
    uint64_t r = 0xDEADBEEFCAFEull;
    bool ok = true;
    for (int step = 0; step < 5000; step++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        int op = (int)(r % 4);
        if (n >= 590)
            op = 3;
        if (op <= 1) {
            size_t at = n ? (size_t)(r >> 8) % (n + 1) : 0;
            *(int64_t *)vx_vec_insert(&v, sizeof(int64_t), (int64_t)at, &here) = (int64_t)r;
            memmove(ref + at + 1, ref + at, (n - at) * sizeof *ref);
            ref[at] = (int64_t)r;
            n++;
        } else if (op == 2) {
            *(int64_t *)vx_vec_push(&v, sizeof(int64_t)) = step;
            ref[n++] = step;
        } else if (n > 0) {
            size_t at = (size_t)(r >> 8) % n;
            int64_t got;
            vx_vec_remove(&v, sizeof(int64_t), (int64_t)at, &got, &here);
            ok = ok && got == ref[at];
            memmove(ref + at, ref + at + 1, (n - at - 1) * sizeof *ref);
            n--;
        }
        ok = ok && v.len == n && (n == 0 || memcmp(v.data, ref, n * sizeof *ref) == 0);
    }
    CHECK(ok);
    vx_vec_free(&v);
    END();
}

typedef struct keyed { int32_t key, seq; } keyed;
static int by_key(const void *a, const void *b) {
    const keyed *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

static void sorting(void) {
    GROUP("sort-stable");
    uint64_t r = 12345;
    bool ok = true;
    for (int round = 0; round < 60; round++) {
        size_t n = (size_t)round * round; /* 0, 1, 4, ... 3481 */
        vx_vec v = VX_VEC_INIT;
        for (size_t i = 0; i < n; i++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            keyed *k = vx_vec_push(&v, sizeof(keyed));
            k->key = (int32_t)(r % (round % 3 == 0 ? 5 : 100000)) - 50;
            k->seq = (int32_t)i;
        }
        vx_vec_sort(&v, sizeof(keyed), by_key);
        keyed *a = v.data;
        for (size_t i = 1; i < n; i++)
            ok = ok && (a[i - 1].key < a[i].key || (a[i - 1].key == a[i].key && a[i - 1].seq < a[i].seq));
        ok = ok && v.len == n;
        vx_vec_free(&v);
    }
    CHECK(ok);
    vx_vec s = VX_VEC_INIT;
    static const char *words[] = {"pear", "apple", "fig", "apple", "", "banana"};
    for (int i = 0; i < 6; i++)
        *(vx_str **)vx_vec_push(&s, sizeof(vx_str *)) = vx_str_from_cstr(words[i]);
    vx_vec_sort(&s, sizeof(vx_str *), vx_str_cmp_elem);
    vx_str *comma = vx_str_from_cstr(",");
    EXPECT_STR(vx_str_join(&s, comma), ",apple,apple,banana,fig,pear");
    vx_vec_reverse(&s, sizeof(vx_str *));
    EXPECT_STR(vx_str_join(&s, comma), "pear,fig,banana,apple,apple,");
    vx_str_release(comma);
    vx_vec_str_free(&s);
    END();

    GROUP("extend-reverse");
    vx_vec a = VX_VEC_INIT, b = VX_VEC_INIT;
    for (int i = 0; i < 5; i++)
        *(int16_t *)vx_vec_push(&a, 2) = (int16_t)i;
    for (int i = 0; i < 3; i++)
        *(int16_t *)vx_vec_push(&b, 2) = (int16_t)(10 + i);
    vx_vec_extend(&a, &b, 2);
    vx_vec_extend(&a, &a, 2); /* self-extend */
    static const int16_t want[] = {0, 1, 2, 3, 4, 10, 11, 12, 0, 1, 2, 3, 4, 10, 11, 12};
    CHECK(a.len == 16 && memcmp(a.data, want, sizeof want) == 0);
    vx_vec_reverse(&a, 2);
    CHECK(((int16_t *)a.data)[0] == 12 && ((int16_t *)a.data)[15] == 0);
    vx_vec empty = VX_VEC_INIT;
    vx_vec_extend(&b, &empty, 2);
    vx_vec_reverse(&empty, 2);
    CHECK(b.len == 3 && empty.len == 0);
    vx_vec_free(&a);
    vx_vec_free(&b);
    END();
}

static vx_vec pv;
static void at_oob(void) { vx_vec_at(&pv, 4, 3, &here); }
static void at_neg(void) { vx_vec_at_i(&pv, 4, -1, &here); }
static void at_huge(void) { vx_vec_at(&pv, 4, UINT64_MAX, &here); }
static void ins_oob(void) { vx_vec_insert(&pv, 4, 4, &here); }
static void rem_oob(void) { int x; vx_vec_remove(&pv, 4, 3, &x, &here); }
static void swap_oob(void) { vx_vec_swap(&pv, 4, 0, 7, &here); }
static void arr_oob(void) { vx_index(10, 10, &here); }
static void arr_neg(void) { vx_index_i(-5, 10, &here); }

static void panics(void) {
    GROUP("bounds-panics");
    for (int i = 0; i < 3; i++)
        *(int32_t *)vx_vec_push(&pv, 4) = i;
    EXPECT_PANIC(at_oob, "panic: index out of bounds: the len is 3 but the index is 3\n --> v.vx:4:12\n");
    EXPECT_PANIC(at_neg, "panic: index out of bounds: the len is 3 but the index is -1\n");
    EXPECT_PANIC(at_huge, "panic: index out of bounds: the len is 3 but the index is 18446744073709551615\n");
    EXPECT_PANIC(ins_oob, "panic: insertion index (is 4) should be <= len (is 3)\n --> v.vx:4:12");
    EXPECT_PANIC(rem_oob, "panic: removal index (is 3) should be < len (is 3)\n");
    EXPECT_PANIC(swap_oob, "panic: index out of bounds: the len is 3 but the index is 7\n");
    EXPECT_PANIC(arr_oob, "panic: index out of bounds: the len is 10 but the index is 10\n");
    EXPECT_PANIC(arr_neg, "panic: index out of bounds: the len is 10 but the index is -5\n");
    CHECK(vx_index(9, 10, &here) == 9 && vx_index_i(0, 10, &here) == 0);
    vx_vec_free(&pv);
    END();
}

static void sort_scalar(void) {
    GROUP("sort-scalar");
    int8_t a[] = {3, -128, 127, 0, -1};
    vx_vec v = {a, 5, 5};
    vx_vec_sort_scalar(&v, 1, 'i');
    CHECK(a[0] == -128 && a[1] == -1 && a[2] == 0 && a[3] == 3 && a[4] == 127);
    uint32_t b[] = {4000000000u, 1, 0};
    v = (vx_vec){b, 3, 3};
    vx_vec_sort_scalar(&v, 4, 'u');
    CHECK(b[0] == 0 && b[1] == 1 && b[2] == 4000000000u);
    double c[] = {2.5, __builtin_nan(""), -1.0, __builtin_inf(), -0.5};
    v = (vx_vec){c, 5, 5};
    vx_vec_sort_scalar(&v, 8, 'f');
    CHECK(c[0] == -1.0 && c[1] == -0.5 && c[2] == 2.5 && c[3] == __builtin_inf() && c[4] != c[4]);
    float d[] = {1.5f, -2.0f};
    v = (vx_vec){d, 2, 2};
    vx_vec_sort_scalar(&v, 4, 'f');
    CHECK(d[0] == -2.0f && d[1] == 1.5f);
    int64_t e[] = {INT64_MAX, INT64_MIN, 0};
    v = (vx_vec){e, 3, 3};
    vx_vec_sort_scalar(&v, 8, 'i');
    CHECK(e[0] == INT64_MIN && e[1] == 0 && e[2] == INT64_MAX);
    END();
}

int main(void) {
    sort_scalar();
    basics();
    reference();
    sorting();
    panics();
    return finish();
}
