/*
 * fmt_test.c - the vx_fmt builder (integers, bool, chars, Debug of strings
 * and chars, padding, growth past the inline buffer, finish), printing
 * (print/println/eprintln exact bytes, stdout flushed at exit) and that
 * lines printed by several threads never interleave.
 */
#include <pthread.h>
#include <stdlib.h>

#include "check.h"

static void integers(void) {
    GROUP("integers");
    static const int64_t iv[] = {0, 1, -1, 9, 10, 99, 100, -100, 12345, INT32_MAX, INT32_MIN,
                                 INT64_MAX, INT64_MIN, 1000000000000LL, -999999999999999999LL};
    for (size_t i = 0; i < sizeof iv / sizeof *iv; i++) {
        char want[32];
        snprintf(want, sizeof want, "%lld", (long long)iv[i]);
        vx_fmt f;
        vx_fmt_init(&f);
        vx_fmt_i64(&f, iv[i]);
        EXPECT_FMT(&f, want);
    }
    uint64_t r = 0x243F6A8885A308D3ull;
    for (int i = 0; i < 50000; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        uint64_t u = r >> (r % 64);
        char want[32], got[32];
        snprintf(want, sizeof want, "%llu", (unsigned long long)u);
        size_t n = vx_u64_to_dec(got, u);
        expect_bytes(__FILE__, __LINE__, got, n, want);
    }
    vx_fmt f;
    vx_fmt_init(&f);
    vx_fmt_i8(&f, -128), vx_fmt_byte(&f, ' ');
    vx_fmt_i16(&f, -32768), vx_fmt_byte(&f, ' ');
    vx_fmt_i32(&f, -7), vx_fmt_byte(&f, ' ');
    vx_fmt_u8(&f, 255), vx_fmt_byte(&f, ' ');
    vx_fmt_u16(&f, 65535), vx_fmt_byte(&f, ' ');
    vx_fmt_u32(&f, 4294967295u), vx_fmt_byte(&f, ' ');
    vx_fmt_usize(&f, 42), vx_fmt_byte(&f, ' ');
    vx_fmt_u64(&f, UINT64_MAX), vx_fmt_byte(&f, ' ');
    vx_fmt_bool(&f, true), vx_fmt_byte(&f, ' ');
    vx_fmt_bool(&f, false);
    EXPECT_FMT(&f, "-128 -32768 -7 255 65535 4294967295 42 18446744073709551615 true false");
    END();
}

static vx_str lit_a = VX_STR_INIT("a");

static void debug(void) {
    GROUP("debug-str");
    static const struct { const char *in, *out; } t[] = {
        {"hello", "\"hello\""},
        {"", "\"\""},
        {"a\nb\tc\rd", "\"a\\nb\\tc\\rd\""},
        {"q\"uo\\te", "\"q\\\"uo\\\\te\""},
        {"it's", "\"it's\""},
        {"\x01\x1f\x7f", "\"\\u{1}\\u{1f}\\u{7f}\""},
        {"h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80", "\"h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80\""},
        {"\xc2\x85\xe2\x80\x8b\xef\xbb\xbf", "\"\\u{85}\\u{200b}\\u{feff}\""},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        vx_str *s = vx_str_from_cstr(t[i].in);
        vx_fmt f;
        vx_fmt_init(&f);
        vx_fmt_str_debug(&f, s);
        EXPECT_FMT(&f, t[i].out);
        vx_str_release(s);
    }
    vx_str *z = vx_str_from_bytes("a\0b", 3);
    vx_fmt f;
    vx_fmt_init(&f);
    vx_fmt_str_debug(&f, z);
    EXPECT_FMT(&f, "\"a\\0b\"");
    vx_str_release(z);
    END();

    GROUP("debug-char");
    static const struct { uint32_t c; const char *out; } ct[] = {
        {'a', "'a'"}, {'\'', "'\\''"}, {'"', "'\"'"}, {'\n', "'\\n'"}, {0, "'\\0'"},
        {0xE9, "'\xc3\xa9'"}, {0x1F600, "'\xf0\x9f\x98\x80'"}, {0x7F, "'\\u{7f}'"},
    };
    for (size_t i = 0; i < sizeof ct / sizeof *ct; i++) {
        vx_fmt_init(&f);
        vx_fmt_char_debug(&f, ct[i].c);
        EXPECT_FMT(&f, ct[i].out);
    }
    vx_fmt_init(&f);
    vx_fmt_char(&f, 'x'), vx_fmt_char(&f, 0xE9), vx_fmt_char(&f, 0x20AC), vx_fmt_char(&f, 0x10348);
    vx_fmt_char(&f, 0x110000);
    EXPECT_FMT(&f, "x\xc3\xa9\xe2\x82\xac\xf0\x90\x8d\x88\xef\xbf\xbd");
    END();

    GROUP("debug-compose");
    /* what the compiler emits for P { x: 1, y: "a" }, Circle(1.5), [1, 2], (1, "a") */
    vx_fmt_init(&f);
    vx_fmt_cstr(&f, "P { x: ");
    vx_fmt_i32(&f, 1);
    vx_fmt_cstr(&f, ", y: ");
    vx_fmt_str_debug(&f, &lit_a);
    vx_fmt_cstr(&f, " } Circle(");
    vx_fmt_f64_debug(&f, 1.5);
    vx_fmt_cstr(&f, ") [");
    vx_fmt_i32(&f, 1);
    vx_fmt_cstr(&f, ", ");
    vx_fmt_i32(&f, 2);
    vx_fmt_cstr(&f, "] (");
    vx_fmt_f64_debug(&f, 1.0);
    vx_fmt_cstr(&f, ", ");
    vx_fmt_str_debug(&f, &lit_a);
    vx_fmt_cstr(&f, ")");
    EXPECT_FMT(&f, "P { x: 1, y: \"a\" } Circle(1.5) [1, 2] (1.0, \"a\")");
    END();
}

static void pad(const char *text, size_t width, char align, uint32_t fill, const char *want, int line) {
    vx_fmt f;
    vx_fmt_init(&f);
    vx_fmt_cstr(&f, "<");
    size_t start = f.len;
    vx_fmt_cstr(&f, text);
    vx_fmt_pad(&f, start, width, align, fill);
    vx_fmt_cstr(&f, ">");
    expect_str(__FILE__, line, vx_fmt_finish(&f), want);
}

static void builder(void) {
    GROUP("pad");
    pad("ab", 5, '<', ' ', "<ab   >", __LINE__);
    pad("ab", 5, '>', ' ', "<   ab>", __LINE__);
    pad("ab", 5, '^', ' ', "< ab  >", __LINE__);
    pad("ab", 6, '^', '*', "<**ab**>", __LINE__);
    pad("abcdef", 3, '>', ' ', "<abcdef>", __LINE__);
    pad("\xc3\xa9", 3, '>', '0', "<00\xc3\xa9>", __LINE__);
    pad("x", 4, '<', 0xB7, "<x\xc2\xb7\xc2\xb7\xc2\xb7>", __LINE__);
    pad("-42", 5, '=', '0', "<-0042>", __LINE__);
    pad("+7", 4, '=', '0', "<+007>", __LINE__);
    pad("42", 5, '=', '0', "<00042>", __LINE__);
    char longs[300];
    memset(longs, 'z', 299);
    longs[299] = '\0';
    vx_fmt f;
    vx_fmt_init(&f);
    vx_fmt_cstr(&f, longs);
    vx_fmt_pad(&f, 0, 302, '>', '-');
    vx_str *s = vx_fmt_finish(&f);
    CHECK(s->len == 302 && memcmp(s->ptr, "---zz", 5) == 0);
    vx_str_release(s);
    END();

    GROUP("radix-exp");
    vx_fmt_init(&f);
    vx_fmt_u64_radix(&f, 255, 16, false), vx_fmt_byte(&f, ' ');
    vx_fmt_u64_radix(&f, 255, 16, true), vx_fmt_byte(&f, ' ');
    vx_fmt_u64_radix(&f, 8, 8, false), vx_fmt_byte(&f, ' ');
    vx_fmt_u64_radix(&f, 5, 2, false), vx_fmt_byte(&f, ' ');
    vx_fmt_u64_radix(&f, 0, 16, false), vx_fmt_byte(&f, ' ');
    vx_fmt_u64_radix(&f, (uint32_t)-1, 16, false), vx_fmt_byte(&f, ' ');
    vx_fmt_u64_radix(&f, UINT64_MAX, 2, false);
    EXPECT_FMT(&f, "ff FF 10 101 0 ffffffff "
                   "1111111111111111111111111111111111111111111111111111111111111111");
    vx_fmt_init(&f);
    vx_fmt_f64_exp(&f, 1234.5), vx_fmt_byte(&f, ' ');
    vx_fmt_f64_exp(&f, 0.001), vx_fmt_byte(&f, ' ');
    vx_fmt_f64_exp(&f, 0.0), vx_fmt_byte(&f, ' ');
    vx_fmt_f64_exp(&f, -1e300), vx_fmt_byte(&f, ' ');
    vx_fmt_f32_exp(&f, 0.1f), vx_fmt_byte(&f, ' ');
    vx_fmt_f64_exp(&f, 7.0);
    EXPECT_FMT(&f, "1.2345e3 1e-3 0e0 -1e300 1e-1 7e0");
    END();

    GROUP("str-prec");
    vx_str *u = vx_str_from_cstr("h\xc3\xa9llo");
    for (size_t n = 0; n <= 6; n++) {
        static const char *want[] = {"", "h", "h\xc3\xa9", "h\xc3\xa9l", "h\xc3\xa9ll",
                                     "h\xc3\xa9llo", "h\xc3\xa9llo"};
        vx_fmt_init(&f);
        vx_fmt_str_prec(&f, u, n);
        EXPECT_FMT(&f, want[n]);
    }
    vx_str_release(u);
    END();

    GROUP("builder-growth");
    vx_fmt_init(&f);
    char want[20001];
    for (int i = 0; i < 10000; i++) {
        vx_fmt_i64(&f, i % 10);
        vx_fmt_byte(&f, ',');
        want[2 * i] = (char)('0' + i % 10);
        want[2 * i + 1] = ',';
    }
    want[20000] = '\0';
    vx_str *big = vx_fmt_finish(&f);
    expect_bytes(__FILE__, __LINE__, big->ptr, big->len, want);
    CHECK(big->ptr[big->len] == '\0' && big->rc == 1);
    vx_str *shared = vx_str_retain(big);
    vx_str_release(big);
    vx_str_release(shared);
    vx_fmt_init(&f);
    CHECK(vx_fmt_finish(&f) == VX_STR_EMPTY);
    vx_fmt_init(&f);
    vx_fmt_cstr(&f, longs);
    vx_fmt_free(&f); /* dropped unused: nothing leaks */
    vx_fmt_init(&f);
    vx_fmt_cstr(&f, "short");
    vx_fmt_free(&f);
    END();
}

/* Run fn in a child with stdout and stderr sent to files; return what they got. */
static void capture(void (*fn)(void), char *out, size_t outn, char *err, size_t errn, int *status) {
    char on[] = "/tmp/vxfmtoXXXXXX", en[] = "/tmp/vxfmteXXXXXX";
    int fo = mkstemp(on), fe = mkstemp(en);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fo, 1);
        dup2(fe, 2);
        vx_os_init(0, NULL);
        fn();
        exit(0);
    }
    waitpid(pid, status, 0);
    ssize_t n = pread(fo, out, outn - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    n = pread(fe, err, errn - 1, 0);
    err[n > 0 ? n : 0] = '\0';
    close(fo), close(fe), unlink(on), unlink(en);
}

static vx_str lit_line = VX_STR_INIT("line");
static vx_str lit_nul = VX_STR_INIT("x\0y");
static void printer(void) {
    vx_print(&lit_line);
    vx_println(&lit_nul);
    vx_eprintln(&lit_line);
    vx_eprint(&lit_line);
    vx_fmt f;
    vx_fmt_init(&f);
    vx_fmt_i32(&f, 7);
    vx_fmt_println(&f);
    vx_fmt_init(&f);
    vx_fmt_cstr(&f, "e");
    vx_fmt_eprintln(&f);
    vx_fmt_init(&f);
    vx_fmt_cstr(&f, "tail");
    vx_fmt_print(&f);
    vx_fmt_init(&f);
    vx_fmt_cstr(&f, "!");
    vx_fmt_eprint(&f);
}

static void panicker(void) {
    vx_println(&lit_line);
    static vx_loc at = {"p.vx", 1, 2};
    vx_panic_str(&at, &lit_line);
}

static void exiter(void) {
    vx_print(&lit_line);
    vx_os_exit(3);
}

enum { THREADS = 4, LINES = 2000 };

static void *spam(void *arg) {
    long id = (long)arg;
    for (int i = 0; i < LINES; i++) {
        vx_fmt f;
        vx_fmt_init(&f);
        for (int k = 0; k < 20; k++)
            vx_fmt_i64(&f, id);
        vx_fmt_byte(&f, ':');
        vx_fmt_i64(&f, i);
        if (i % 2)
            vx_fmt_println(&f);
        else {
            vx_str *s = vx_fmt_finish(&f);
            vx_println(s);
            vx_str_release(s);
        }
    }
    return NULL;
}

static void threaded(void) {
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, spam, (void *)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
}

static char big_out[THREADS * LINES * 40];

static void printing(void) {
    GROUP("print");
    char out[256], err[256];
    int st;
    capture(printer, out, sizeof out, err, sizeof err, &st);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK(memcmp(out, "linex\0y\n7\ntail", 15) == 0);
    CHECK(strcmp(err, "line\nlinee\n!") == 0);
    capture(panicker, out, sizeof out, err, sizeof err, &st);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 101);
    CHECK(strcmp(out, "line\n") == 0); /* flushed before the panic message */
    CHECK(strcmp(err, "panic: line\n --> p.vx:1:2\n") == 0);
    capture(exiter, out, sizeof out, err, sizeof err, &st);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3 && strcmp(out, "line") == 0);
    END();

    GROUP("print-threads");
    capture(threaded, big_out, sizeof big_out, err, sizeof err, &st);
    int seen[THREADS] = {0}, lines = 0;
    for (char *p = big_out; *p; lines++) {
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        long id = p[0] - '0';
        bool ok = nl - p > 21 && id >= 0 && id < THREADS && p[20] == ':';
        for (int k = 0; ok && k < 20; k++)
            ok = p[k] == p[0];
        if (ok && atoi(p + 21) == seen[id])
            seen[id]++;
        else
            ok = false;
        if (!ok) {
            group_fails++;
            note("  bad line %d: %.40s\n", lines, p);
            break;
        }
        p = nl + 1;
    }
    CHECK(lines == THREADS * LINES);
    END();
}

/* vx_fmt_apply over the Display text `text` of a value of kind num. */
static void apply(const char *text, vx_fmt_spec sp, const char *want, int line) {
    vx_fmt f;
    vx_fmt_init(&f);
    vx_fmt_cstr(&f, "<");
    size_t start = f.len;
    vx_fmt_cstr(&f, text);
    vx_fmt_apply(&f, start, &sp);
    vx_fmt_cstr(&f, ">");
    expect_str(__FILE__, line, vx_fmt_finish(&f), want);
}

static void specs(void) {
    GROUP("spec-apply");
    /* {fill, align, type, plus, alt, zero, width, num} */
    apply("42", (vx_fmt_spec){' ', 0, 0, 0, 0, 0, 5, -32}, "<   42>", __LINE__);
    apply("ab", (vx_fmt_spec){' ', 0, 0, 0, 0, 0, 5, 0}, "<ab   >", __LINE__);
    apply("ab", (vx_fmt_spec){'*', '^', 0, 0, 0, 0, 6, 0}, "<**ab**>", __LINE__);
    apply("-42", (vx_fmt_spec){' ', 0, 0, 0, 0, 1, 5, -32}, "<-0042>", __LINE__);
    apply("7", (vx_fmt_spec){' ', 0, 0, 1, 0, 0, 0, -32}, "<+7>", __LINE__);
    apply("3", (vx_fmt_spec){' ', 0, 0, 1, 0, 1, 5, -32}, "<+0003>", __LINE__);
    apply("2.5", (vx_fmt_spec){' ', '<', 0, 1, 0, 0, 6, 1}, "<+2.5  >", __LINE__);
    apply("NaN", (vx_fmt_spec){' ', 0, 0, 1, 0, 1, 5, 1}, "<  NaN>", __LINE__);
    apply("255", (vx_fmt_spec){' ', 0, 'x', 0, 0, 0, 0, 32}, "<ff>", __LINE__);
    apply("255", (vx_fmt_spec){' ', 0, 'X', 0, 1, 0, 0, 32}, "<0xFF>", __LINE__);
    apply("255", (vx_fmt_spec){' ', 0, 'x', 0, 1, 1, 10, 32}, "<0x000000ff>", __LINE__);
    apply("5", (vx_fmt_spec){' ', 0, 'b', 0, 0, 1, 8, 8}, "<00000101>", __LINE__);
    apply("-1", (vx_fmt_spec){' ', 0, 'x', 0, 0, 0, 0, -8}, "<ff>", __LINE__);
    apply("-1", (vx_fmt_spec){' ', 0, 'x', 0, 0, 0, 0, -64}, "<ffffffffffffffff>", __LINE__);
    apply("8", (vx_fmt_spec){' ', '<', 'o', 0, 1, 0, 6, 64}, "<0o10  >", __LINE__);
    apply("18446744073709551615", (vx_fmt_spec){' ', 0, 'b', 0, 0, 0, 0, 64},
          "<1111111111111111111111111111111111111111111111111111111111111111>", __LINE__);
    END();
}

int main(void) {
    integers();
    debug();
    builder();
    specs();
    printing();
    return finish();
}
