/*
 * str_test.c - strings: literals, reference counting, concatenation and
 * in-place append, comparison, searching, slicing (with its panics),
 * trimming, case, split/lines/join, repeat, replace, parsing, to_string.
 */
#include <pthread.h>
#include <stdlib.h>

#include "check.h"

#define S(lit) vx_str_from_bytes((lit), sizeof(lit) - 1) /* a heap string */

static vx_str lit_hello = VX_STR_INIT("hello");
static vx_str lit_nul = VX_STR_INIT("a\0b");

static void basics(void) {
    GROUP("literal");
    CHECK(lit_hello.len == 5 && lit_hello.rc == VX_RC_IMMORTAL);
    CHECK(lit_nul.len == 3);
    CHECK(vx_str_retain(&lit_hello) == &lit_hello);
    vx_str_release(&lit_hello);
    CHECK(lit_hello.rc == VX_RC_IMMORTAL);
    CHECK(VX_STR_EMPTY->len == 0 && vx_str_is_empty(VX_STR_EMPTY));
    CHECK(strcmp(vx_str_cstr(&lit_hello), "hello") == 0);
    CHECK(vx_str_from_cstr(NULL) == NULL);
    EXPECT_STR(vx_str_from_cstr("héllo"), "héllo");
    CHECK(vx_str_from_bytes("", 0) == VX_STR_EMPTY);
    END();

    GROUP("refcount");
    vx_str *s = S("shared");
    CHECK(s->rc == 1);
    CHECK(vx_str_retain(s) == s && s->rc == 2);
    vx_str_release(s);
    CHECK(s->rc == 1);
    long live = vx_alloc_live();
    vx_str_release(s);
    CHECK(vx_alloc_live() == live - 1);
    END();

    GROUP("concat");
    vx_str *a = S("foo"), *b = S("bar");
    EXPECT_STR(vx_str_concat(a, b), "foobar");
    vx_str *c = vx_str_concat(a, VX_STR_EMPTY);
    CHECK(c == a && a->rc == 2);
    vx_str_release(c);
    c = vx_str_concat(VX_STR_EMPTY, b);
    CHECK(c == b);
    vx_str_release(c);
    c = vx_str_concat(&lit_hello, &lit_nul);
    CHECK(c->len == 8 && memcmp(c->ptr, "helloa\0b", 9) == 0);
    vx_str_release(c);
    vx_str_release(a);
    vx_str_release(b);
    END();

    GROUP("append");
    vx_str *acc = VX_STR_EMPTY;
    vx_str *piece = S("ab");
    for (int i = 0; i < 1000; i++)
        acc = vx_str_append(acc, piece);
    CHECK(acc->len == 2000 && acc->cap >= 2000 && acc->ptr[2000] == '\0');
    CHECK(memcmp(acc->ptr + 1996, "abab", 4) == 0);
    vx_str *keep = vx_str_retain(acc); /* shared: append must copy */
    vx_str *acc2 = vx_str_append(acc, piece);
    CHECK(acc2 != keep && keep->len == 2000 && acc2->len == 2002 && keep->rc == 1);
    vx_str_release(keep);
    vx_str_release(acc2);
    vx_str *self = S("xy");
    EXPECT_STR(vx_str_append(self, self), "xyxy");
    EXPECT_STR(vx_str_append(&lit_hello, piece), "helloab");
    vx_str_release(piece);
    END();
}

static int sign(int x) { return (x > 0) - (x < 0); }

static void compare(void) {
    GROUP("eq-cmp");
    static const char *words[] = {"", "a", "ab", "abc", "b", "ba", "\xc3\xa9", "z", "\x7f"};
    int n = sizeof words / sizeof *words;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            vx_str *a = vx_str_from_cstr(words[i]), *b = vx_str_from_cstr(words[j]);
            int want = sign(strcmp(words[i], words[j]));
            CHECK(vx_str_cmp(a, b) == want);
            CHECK(vx_str_eq(a, b) == (want == 0));
            CHECK((vx_str_hash(a) == vx_str_hash(b)) == (want == 0));
            vx_str_release(a);
            vx_str_release(b);
        }
    }
    vx_str *x = S("a\0b"), *y = S("a\0c");
    CHECK(!vx_str_eq(x, y) && vx_str_cmp(x, y) < 0 && vx_str_eq(x, &lit_nul));
    vx_str_release(x);
    vx_str_release(y);
    END();
}

static void search(void) {
    GROUP("search");
    vx_str *s = S("hello world, hello");
    vx_str *hello = S("hello"), *world = S("world"), *none = S("xyz"), *h = S("h");
    uint64_t at = 99;
    CHECK(vx_str_contains(s, world) && !vx_str_contains(s, none));
    CHECK(vx_str_contains(s, VX_STR_EMPTY) && vx_str_contains(VX_STR_EMPTY, VX_STR_EMPTY));
    CHECK(!vx_str_contains(VX_STR_EMPTY, h));
    CHECK(vx_str_starts_with(s, hello) && !vx_str_starts_with(s, world));
    CHECK(vx_str_ends_with(s, hello) && !vx_str_ends_with(s, world));
    CHECK(vx_str_starts_with(s, VX_STR_EMPTY) && vx_str_ends_with(s, VX_STR_EMPTY));
    CHECK(!vx_str_starts_with(h, hello));
    CHECK(vx_str_find(s, world, &at) && at == 6);
    CHECK(vx_str_find(s, hello, &at) && at == 0);
    CHECK(vx_str_rfind(s, hello, &at) && at == 13);
    CHECK(vx_str_find(s, VX_STR_EMPTY, &at) && at == 0);
    CHECK(vx_str_rfind(s, VX_STR_EMPTY, &at) && at == s->len);
    at = 99;
    CHECK(!vx_str_find(s, none, &at) && at == 99);
    CHECK(!vx_str_rfind(h, hello, &at));
    vx_str_release(s);
    vx_str_release(hello);
    vx_str_release(world);
    vx_str_release(none);
    vx_str_release(h);
    END();
}

static vx_loc here = {"t.vx", 7, 9};
static vx_str lit_utf = VX_STR_INIT("h\xc3\xa9llo"); /* héllo: é is bytes 1..3 */
static void slice_oob(void) { vx_str_slice(&lit_hello, 2, 6, &here); }
static void slice_neg(void) { vx_str_slice(&lit_hello, -1, 2, &here); }
static void slice_rev(void) { vx_str_slice(&lit_hello, 3, 2, &here); }
static void slice_mid(void) { vx_str_slice(&lit_utf, 2, 3, &here); }
static void byte_oob(void) { vx_str_byte_at(&lit_hello, 5, &here); }

static void slicing(void) {
    GROUP("slice");
    EXPECT_STR(vx_str_slice(&lit_hello, 1, 3, &here), "el");
    EXPECT_STR(vx_str_slice(&lit_hello, 0, 5, &here), "hello");
    EXPECT_STR(vx_str_slice(&lit_hello, 5, 5, &here), "");
    EXPECT_STR(vx_str_slice(&lit_utf, 1, 3, &here), "\xc3\xa9");
    vx_str *s = S("abc");
    vx_str *whole = vx_str_slice(s, 0, 3, &here);
    CHECK(whole == s && s->rc == 2); /* the whole string is shared, not copied */
    vx_str_release(whole);
    vx_str_release(s);
    EXPECT_PANIC(slice_oob, "panic: byte index 6 is out of bounds of `hello`\n --> t.vx:7:9");
    EXPECT_PANIC(slice_neg, "panic: byte index -1 is out of bounds of `hello`");
    EXPECT_PANIC(slice_rev, "panic: begin <= end (3 <= 2) when slicing `hello`");
    EXPECT_PANIC(slice_mid, "panic: byte index 2 is not a char boundary; it is inside '\xc3\xa9' "
                            "(bytes 1..3) of `h\xc3\xa9llo`");
    END();

    GROUP("bytes-chars");
    CHECK(vx_str_byte_at(&lit_hello, 0, &here) == 'h');
    CHECK(vx_str_byte_at(&lit_utf, 1, &here) == 0xC3);
    EXPECT_PANIC(byte_oob, "panic: index out of bounds: the len is 5 but the index is 5\n --> t.vx:7:9");
    CHECK(vx_str_char_count(&lit_utf) == 5 && vx_str_len(&lit_utf) == 6);
    vx_str *emoji = vx_str_from_cstr("a\xf0\x9f\x98\x80z"); /* a😀z */
    uint32_t cp = 0;
    CHECK(vx_str_char_count(emoji) == 3);
    CHECK(vx_str_char_at(emoji, 1, &cp) && cp == 0x1F600);
    CHECK(vx_str_char_at(emoji, 2, &cp) && cp == 'z');
    CHECK(!vx_str_char_at(emoji, 3, &cp));
    CHECK(vx_str_char_at(&lit_utf, 1, &cp) && cp == 0xE9);
    size_t pos = 0;
    uint32_t seen[8];
    int count = 0;
    while (count < 8 && vx_str_next_char(emoji, &pos, &seen[count]))
        count++;
    CHECK(count == 3 && seen[0] == 'a' && seen[1] == 0x1F600 && seen[2] == 'z' && pos == 6);
    pos = 0;
    CHECK(!vx_str_next_char(VX_STR_EMPTY, &pos, &cp));
    vx_str_release(emoji);
    END();
}

static void transform(void) {
    GROUP("trim");
    vx_str *s = S("  \t hi there \n\r ");
    EXPECT_STR(vx_str_trim(s), "hi there");
    EXPECT_STR(vx_str_trim_start(s), "hi there \n\r ");
    EXPECT_STR(vx_str_trim_end(s), "  \t hi there");
    vx_str_release(s);
    s = S("\xe3\x80\x80x\xc2\xa0"); /* U+3000 x U+00A0 */
    EXPECT_STR(vx_str_trim(s), "x");
    vx_str_release(s);
    s = S("   ");
    EXPECT_STR(vx_str_trim(s), "");
    vx_str_release(s);
    vx_str *t = vx_str_trim(&lit_hello);
    CHECK(t == &lit_hello);
    END();

    GROUP("case");
    s = S("Hello, World! 123 \xc3\xa9\xc3\x89 \xce\xb1\xce\xa9 \xd0\xb4\xd0\x96 \xc5\x82\xc5\x81 \xc3\x9f");
    EXPECT_STR(vx_str_to_upper(s), "HELLO, WORLD! 123 \xc3\x89\xc3\x89 \xce\x91\xce\xa9 \xd0\x94\xd0\x96 \xc5\x81\xc5\x81 SS");
    EXPECT_STR(vx_str_to_lower(s), "hello, world! 123 \xc3\xa9\xc3\xa9 \xce\xb1\xcf\x89 \xd0\xb4\xd0\xb6 \xc5\x82\xc5\x82 \xc3\x9f");
    vx_str_release(s);
    EXPECT_STR(vx_str_to_upper(VX_STR_EMPTY), "");
    s = S("stra\xc3\x9f" "e");                    /* straße */
    EXPECT_STR(vx_str_to_upper(s), "STRASSE");
    vx_str_release(s);
    s = S("\xc4\xb0" "stanbul");                  /* İstanbul */
    EXPECT_STR(vx_str_to_lower(s), "i\xcc\x87" "stanbul");
    vx_str_release(s);
    s = S("\xce\x9f\xce\x94\xce\x9f\xce\xa3 \xce\xa3"); /* ΟΔΟΣ Σ */
    EXPECT_STR(vx_str_to_lower(s), "\xce\xbf\xce\xb4\xce\xbf\xcf\x82 \xcf\x83");
    vx_str_release(s);
    END();

    GROUP("repeat");
    EXPECT_STR(vx_str_repeat(&lit_hello, 0), "");
    EXPECT_STR(vx_str_repeat(&lit_hello, 1), "hello");
    EXPECT_STR(vx_str_repeat(&lit_hello, 3), "hellohellohello");
    EXPECT_STR(vx_str_repeat(VX_STR_EMPTY, 100), "");
    vx_str *big = vx_str_repeat(&lit_hello, 1001);
    CHECK(big->len == 5005 && memcmp(big->ptr + 5000, "hello", 5) == 0 && big->ptr[5005] == '\0');
    vx_str_release(big);
    END();

    GROUP("replace");
    vx_str *from = S("l"), *to = S("LL"), *e = VX_STR_EMPTY, *dash = S("-");
    EXPECT_STR(vx_str_replace(&lit_hello, from, to), "heLLLLo");
    EXPECT_STR(vx_str_replace(&lit_hello, from, e), "heo");
    EXPECT_STR(vx_str_replace(&lit_hello, to, e), "hello");
    EXPECT_STR(vx_str_replace(&lit_utf, e, dash), "-h-\xc3\xa9-l-l-o-");
    EXPECT_STR(vx_str_replace(e, e, dash), "-");
    vx_str *aaa = S("aaaa"), *aa = S("aa"), *b = S("b");
    EXPECT_STR(vx_str_replace(aaa, aa, b), "bb");
    vx_str_release(aaa), vx_str_release(aa), vx_str_release(b);
    vx_str_release(from), vx_str_release(to), vx_str_release(dash);
    END();
}

/* Checks v (a Vec<string>) against want[0..n) and frees it. */
static void expect_vec(int line, vx_vec v, const char **want, size_t n) {
    vx_str **a = v.data;
    if (v.len != n) {
        group_fails++;
        note("  line %d: %zu parts, want %zu\n", line, v.len, n);
    }
    for (size_t i = 0; i < v.len && i < n; i++)
        expect_bytes(__FILE__, line, a[i]->ptr, a[i]->len, want[i]);
    vx_vec_str_free(&v);
}
#define EXPECT_VEC(v, ...)                                                             \
    do {                                                                               \
        const char *want_[] = {__VA_ARGS__};                                           \
        expect_vec(__LINE__, (v), want_, sizeof want_ / sizeof *want_);                \
    } while (0)

static void splitting(void) {
    GROUP("split");
    vx_str *comma = S(","), *s = S("a,b,,c,"), *sep2 = S("::"), *t = S("x::y::z");
    EXPECT_VEC(vx_str_split(s, comma), "a", "b", "", "c", "");
    EXPECT_VEC(vx_str_split(t, sep2), "x", "y", "z");
    EXPECT_VEC(vx_str_split(&lit_hello, comma), "hello");
    EXPECT_VEC(vx_str_split(VX_STR_EMPTY, comma), "");
    EXPECT_VEC(vx_str_split(&lit_utf, VX_STR_EMPTY), "", "h", "\xc3\xa9", "l", "l", "o", "");
    vx_str_release(comma), vx_str_release(s), vx_str_release(sep2), vx_str_release(t);
    END();

    GROUP("lines");
    s = S("one\ntwo\r\n\nthree\n");
    EXPECT_VEC(vx_str_lines(s), "one", "two", "", "three");
    vx_str_release(s);
    s = S("last");
    EXPECT_VEC(vx_str_lines(s), "last");
    vx_str_release(s);
    vx_vec none = vx_str_lines(VX_STR_EMPTY);
    CHECK(none.len == 0);
    vx_vec_str_free(&none);
    END();

    GROUP("chars");
    EXPECT_VEC(vx_str_chars(&lit_utf), "h", "\xc3\xa9", "l", "l", "o");
    vx_vec none0 = vx_str_chars(VX_STR_EMPTY);
    CHECK(none0.len == 0);
    vx_vec_str_free(&none0);
    END();

    GROUP("split-whitespace");
    s = S("  one two\t\nthree\xe3\x80\x80" "four  ");
    EXPECT_VEC(vx_str_split_whitespace(s), "one", "two", "three", "four");
    vx_str_release(s);
    s = S("solo");
    EXPECT_VEC(vx_str_split_whitespace(s), "solo");
    vx_str_release(s);
    s = S(" \t ");
    vx_vec ws = vx_str_split_whitespace(s);
    CHECK(ws.len == 0);
    vx_vec_str_free(&ws);
    vx_str_release(s);
    END();

    GROUP("join");
    vx_vec v = VX_VEC_INIT;
    vx_str *sep = S(", ");
    EXPECT_STR(vx_str_join(&v, sep), "");
    *(vx_str **)vx_vec_push(&v, sizeof(vx_str *)) = S("a");
    EXPECT_STR(vx_str_join(&v, sep), "a");
    *(vx_str **)vx_vec_push(&v, sizeof(vx_str *)) = &lit_hello;
    *(vx_str **)vx_vec_push(&v, sizeof(vx_str *)) = VX_STR_EMPTY;
    EXPECT_STR(vx_str_join(&v, sep), "a, hello, ");
    EXPECT_STR(vx_str_join(&v, VX_STR_EMPTY), "ahello");
    vx_vec_str_free(&v);
    CHECK(v.data == NULL && v.len == 0);
    vx_str_release(sep);
    END();
}

static void parsing(void) {
    GROUP("parse-int");
    static const struct { const char *s; bool ok; int64_t v; } it[] = {
        {"0", true, 0}, {"42", true, 42}, {"-42", true, -42}, {"+7", true, 7},
        {"9223372036854775807", true, INT64_MAX}, {"-9223372036854775808", true, INT64_MIN},
        {"9223372036854775808", false, 0}, {"-9223372036854775809", false, 0},
        {"", false, 0}, {"-", false, 0}, {"+", false, 0}, {" 1", false, 0}, {"1 ", false, 0},
        {"1_000", false, 0}, {"0x10", false, 0}, {"1.0", false, 0}, {"--1", false, 0},
        {"007", true, 7}, {"99999999999999999999999", false, 0},
    };
    for (size_t i = 0; i < sizeof it / sizeof *it; i++) {
        vx_str *s = vx_str_from_cstr(it[i].s);
        int64_t v = 12345;
        bool ok = vx_str_parse_i64(s, &v);
        CHECK(ok == it[i].ok && (ok ? v == it[i].v : v == 12345));
        if (ok != it[i].ok)
            note("    parse_i64(\"%s\")\n", it[i].s);
        vx_str_release(s);
    }
    static const struct { const char *s; bool ok; uint64_t v; } ut[] = {
        {"0", true, 0}, {"18446744073709551615", true, UINT64_MAX}, {"+1", true, 1},
        {"18446744073709551616", false, 0}, {"-1", false, 0}, {"-0", false, 0}, {"", false, 0},
    };
    for (size_t i = 0; i < sizeof ut / sizeof *ut; i++) {
        vx_str *s = vx_str_from_cstr(ut[i].s);
        uint64_t v = 12345;
        bool ok = vx_str_parse_u64(s, &v);
        CHECK(ok == ut[i].ok && (!ok || v == ut[i].v));
        vx_str_release(s);
    }
    END();

    GROUP("parse-f64");
    static const struct { const char *s; bool ok; double v; } ft[] = {
        {"1.5", true, 1.5}, {"-2", true, -2}, {"+3.25", true, 3.25}, {".5", true, 0.5},
        {"5.", true, 5}, {"1e10", true, 1e10}, {"1E-3", true, 1e-3}, {"2.5e+2", true, 250},
        {"0.1", true, 0.1}, {"inf", true, __builtin_inf()}, {"-Infinity", true, -__builtin_inf()},
        {"INF", true, __builtin_inf()}, {"", false, 0}, {".", false, 0}, {"e5", false, 0},
        {"1e", false, 0}, {"1e+", false, 0}, {" 1", false, 0}, {"1 ", false, 0},
        {"0x1p3", false, 0}, {"1,5", false, 0}, {"infx", false, 0}, {"-", false, 0},
        {"1.7976931348623157e308", true, 1.7976931348623157e308}, {"1e400", true, __builtin_inf()},
    };
    for (size_t i = 0; i < sizeof ft / sizeof *ft; i++) {
        vx_str *s = vx_str_from_cstr(ft[i].s);
        double v = 12345;
        bool ok = vx_str_parse_f64(s, &v);
        CHECK(ok == ft[i].ok && (!ok || v == ft[i].v));
        if (ok != ft[i].ok)
            note("    parse_f64(\"%s\")\n", ft[i].s);
        vx_str_release(s);
    }
    bool bv = false;
    vx_str *bs = vx_str_from_cstr("true");
    CHECK(vx_str_parse_bool(bs, &bv) && bv);
    vx_str_release(bs);
    bs = vx_str_from_cstr("false");
    CHECK(vx_str_parse_bool(bs, &bv) && !bv);
    vx_str_release(bs);
    bs = vx_str_from_cstr("True");
    CHECK(!vx_str_parse_bool(bs, &bv));
    vx_str_release(bs);
    double nan = 0;
    vx_str *n = vx_str_from_cstr("NaN");
    CHECK(vx_str_parse_f64(n, &nan) && nan != nan);
    vx_str_release(n);
    END();

    GROUP("to-string");
    EXPECT_STR(vx_str_from_i64(0), "0");
    EXPECT_STR(vx_str_from_i64(-1), "-1");
    EXPECT_STR(vx_str_from_i64(INT64_MIN), "-9223372036854775808");
    EXPECT_STR(vx_str_from_u64(UINT64_MAX), "18446744073709551615");
    EXPECT_STR(vx_str_from_f64(12.5), "12.5");
    EXPECT_STR(vx_str_from_f32(0.1f), "0.1");
    EXPECT_STR(vx_str_from_bool(true), "true");
    EXPECT_STR(vx_str_from_bool(false), "false");
    EXPECT_STR(vx_str_from_char(0x1F600), "\xf0\x9f\x98\x80");
    EXPECT_STR(vx_str_from_char(0xD800), "\xef\xbf\xbd");
    /* round trip of integers through text */
    uint64_t r = 88172645463325252ull;
    for (int i = 0; i < 20000; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        uint64_t u = r >> (r & 63);
        int64_t v = (int64_t)((r & 64) ? 0 - u : u), back = 0;
        vx_str *s = vx_str_from_i64(v);
        char want[32];
        snprintf(want, sizeof want, "%lld", (long long)v);
        CHECK(strcmp(s->ptr, want) == 0 && vx_str_parse_i64(s, &back) && back == v);
        vx_str_release(s);
    }
    END();
}

/* Threads share one heap string: retain, read, release concurrently; the
 * last release (by the main thread) frees it exactly once. */
static vx_str *shared;
static void *share(void *arg) {
    long sum = 0;
    for (int i = 0; i < 20000; i++) {
        vx_str *mine = vx_str_retain(shared);
        vx_str *both = vx_str_concat(mine, &lit_hello);
        sum += (long)both->len;
        vx_str_release(both);
        vx_str_release(mine);
    }
    *(long *)arg = sum;
    return NULL;
}

static void threads(void) {
    GROUP("threads");
    shared = vx_str_from_cstr("shared between threads");
    pthread_t t[4];
    long sums[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, share, &sums[i]);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 4; i++)
        CHECK(sums[i] == 20000L * 27);
    CHECK(shared->rc == 1);
    vx_str_release(shared);
    END();
}

/* Random strings over a tiny alphabet (so patterns occur often) against
 * naive reference implementations of find, rfind, split, replace, trim. */
static uint64_t rs = 0x1234567ull;
static size_t rnd(size_t n) {
    rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
    return (size_t)(rs % n);
}

static size_t random_text(char *buf, size_t max) {
    static const char *atoms[] = {"a", "b", " ", "\xc3\xa9", "ab"};
    size_t n = 0, parts = rnd(max / 2 + 1);
    for (size_t i = 0; i < parts; i++) {
        const char *a = atoms[rnd(5)];
        size_t k = strlen(a);
        if (n + k >= max)
            break;
        memcpy(buf + n, a, k);
        n += k;
    }
    buf[n] = '\0';
    return n;
}

static long naive_find(const char *s, size_t n, const char *p, size_t m, bool last) {
    long found = -1;
    for (size_t i = 0; i + m <= n; i++) {
        if (memcmp(s + i, p, m) == 0) {
            found = (long)i;
            if (!last)
                break;
        }
    }
    return found;
}

static void randomized(void) {
    GROUP("random-vs-naive");
    char a[64], b[8], c[8], want[4096];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = random_text(a, sizeof a), m = random_text(b, 5), k = random_text(c, 5);
        vx_str *s = vx_str_from_bytes(a, n), *p = vx_str_from_bytes(b, m), *r = vx_str_from_bytes(c, k);
        uint64_t at = 0;
        long f = naive_find(a, n, b, m, false), l = naive_find(a, n, b, m, true);
        CHECK(vx_str_find(s, p, &at) == (f >= 0) && (f < 0 || at == (uint64_t)f));
        CHECK(vx_str_rfind(s, p, &at) == (l >= 0) && (l < 0 || at == (uint64_t)l));
        CHECK(vx_str_contains(s, p) == (f >= 0));
        if (m > 0) {
            /* replace: left to right, non-overlapping */
            size_t w = 0, i = 0, matches = 0;
            while (i < n) {
                if (i + m <= n && memcmp(a + i, b, m) == 0) {
                    memcpy(want + w, c, k), w += k, i += m, matches++;
                } else {
                    want[w++] = a[i++];
                }
            }
            want[w] = '\0';
            vx_str *got = vx_str_replace(s, p, r);
            expect_bytes(__FILE__, __LINE__, got->ptr, got->len, want);
            vx_str_release(got);
            /* split, then join with the separator gives the string back;
             * no part contains the separator */
            vx_vec parts = vx_str_split(s, p);
            vx_str *joined = vx_str_join(&parts, p);
            CHECK(vx_str_eq(joined, s));
            vx_str **pa = parts.data;
            for (size_t j = 0; j < parts.len; j++)
                CHECK(!vx_str_contains(pa[j], p));
            CHECK(parts.len == matches + 1);
            vx_str_release(joined);
            vx_vec_str_free(&parts);
        }
        /* trim removes exactly the ASCII spaces at both ends here */
        size_t lo = 0, hi = n;
        while (lo < hi && a[lo] == ' ')
            lo++;
        while (hi > lo && a[hi - 1] == ' ')
            hi--;
        memcpy(want, a + lo, hi - lo);
        want[hi - lo] = '\0';
        EXPECT_STR(vx_str_trim(s), want);
        vx_str_release(s), vx_str_release(p), vx_str_release(r);
    }
    END();
}

static void from_bytes(void) {
    GROUP("bytes-lossy");
    vx_str *s = vx_str_from_cstr("h\xc3\xa9");
    vx_vec v = vx_str_bytes(s);
    CHECK(v.len == 3 && memcmp(v.data, "h\xc3\xa9", 3) == 0);
    vx_str *t = vx_str_from_utf8_lossy(v.data, v.len);
    CHECK(vx_str_eq(s, t));
    vx_vec_free(&v);
    vx_str_release(s);
    vx_str_release(t);
    static const struct { const char *in; size_t n; const char *want; } cases[] = {
        {"", 0, ""},
        {"abc", 3, "abc"},
        {"a\xff", 2, "a\xef\xbf\xbd"},
        {"\xe2\x82", 2, "\xef\xbf\xbd"},             /* a cut sequence: one U+FFFD */
        {"\xe2\x82x", 3, "\xef\xbf\xbdx"},
        {"\xc0\x80", 2, "\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong: each byte */
        {"\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* a surrogate */
        {"\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80"},
        {"\xf4\x90\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* past U+10FFFF */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_str(__FILE__, __LINE__, vx_str_from_utf8_lossy(cases[i].in, cases[i].n), cases[i].want);
    END();
}

int main(void) {
    threads();
    from_bytes();
    randomized();
    basics();
    compare();
    search();
    slicing();
    transform();
    splitting();
    parsing();
    return finish();
}
