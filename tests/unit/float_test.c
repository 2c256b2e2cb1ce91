/*
 * float_test.c - float formatting: Display and Debug of f64 and f32
 * against an independently computed table (float_table.h, made by
 * gen_float_table.py with exact rational arithmetic), the special values,
 * {:.N}, and a randomized test that every output parses back to the same
 * bits and that no shorter digit string would.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "float_table.h"

static double d_of(uint64_t b) {
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static float f_of(uint32_t b) {
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

static void table(void) {
    GROUP("f64-display-table");
    for (size_t i = 0; i < sizeof f64_table / sizeof *f64_table; i++) {
        vx_fmt f;
        vx_fmt_init(&f);
        vx_fmt_f64(&f, d_of(f64_table[i].bits));
        EXPECT_FMT(&f, f64_table[i].display);
    }
    END();
    GROUP("f64-debug-table");
    for (size_t i = 0; i < sizeof f64_table / sizeof *f64_table; i++) {
        vx_fmt f;
        vx_fmt_init(&f);
        vx_fmt_f64_debug(&f, d_of(f64_table[i].bits));
        EXPECT_FMT(&f, f64_table[i].debug);
    }
    END();
    GROUP("f32-display-table");
    for (size_t i = 0; i < sizeof f32_table / sizeof *f32_table; i++) {
        vx_fmt f;
        vx_fmt_init(&f);
        vx_fmt_f32(&f, f_of(f32_table[i].bits));
        EXPECT_FMT(&f, f32_table[i].display);
    }
    END();
    GROUP("f32-debug-table");
    for (size_t i = 0; i < sizeof f32_table / sizeof *f32_table; i++) {
        vx_fmt f;
        vx_fmt_init(&f);
        vx_fmt_f32_debug(&f, f_of(f32_table[i].bits));
        EXPECT_FMT(&f, f32_table[i].debug);
    }
    END();
}

static void fmt64(double v, int mode, const char *want, int line) {
    vx_fmt f;
    vx_fmt_init(&f);
    if (mode == 0)
        vx_fmt_f64(&f, v);
    else if (mode == 1)
        vx_fmt_f64_debug(&f, v);
    else if (mode == 2)
        vx_fmt_f32(&f, (float)v);
    else
        vx_fmt_f64_prec(&f, v, mode - 10);
    expect_str(__FILE__, line, vx_fmt_finish(&f), want);
}
#define F(v, mode, want) fmt64((v), (mode), (want), __LINE__)

static void specials(void) {
    GROUP("specials");
    F(0.0, 0, "0");
    F(-0.0, 0, "-0");
    F(0.0, 1, "0.0");
    F(-0.0, 1, "-0.0");
    F(__builtin_inf(), 0, "inf");
    F(-__builtin_inf(), 0, "-inf");
    F(__builtin_nan(""), 0, "NaN");
    F(-__builtin_nan(""), 0, "NaN");
    F(__builtin_inf(), 1, "inf");
    F(__builtin_nan(""), 1, "NaN");
    F(__builtin_inf(), 2, "inf");
    F(-__builtin_nan(""), 2, "NaN");
    F(__builtin_inf(), 12, "inf");
    F(-__builtin_inf(), 12, "-inf");
    F(__builtin_nan(""), 12, "NaN");
    F(1e21, 0, "1000000000000000000000");
    F(1e-7, 0, "0.0000001");
    F(-1.5, 0, "-1.5");
    F(-1.5, 1, "-1.5");
    F(-10.0, 1, "-10.0");
    F(1e16, 1, "1e16");
    F(1.5e-7, 1, "1.5e-7");
    F(0.1, 2, "0.1");
    F(16777217.0, 2, "16777216");
    F(3.4028234663852886e38, 2, "340282350000000000000000000000000000000");
    END();
}

static void precision(void) {
    GROUP("precision");
    F(2.675, 12, "2.67");
    F(1.0, 12, "1.00");
    F(0.125, 12, "0.12");
    F(0.375, 12, "0.38");
    F(0.5, 10, "0");
    F(1.5, 10, "2");
    F(2.5, 10, "2");
    F(-0.0, 12, "-0.00");
    F(-0.001, 12, "-0.00");
    F(3.14159, 13, "3.142");
    F(1e20, 11, "100000000000000000000.0");
    F(1.005, 12, "1.00");
    F(0.1, 40, "0.100000000000000005551115123126");
    F(123456789.987654321, 14, "123456789.9877");
    F(-7.25, 11, "-7.2");
    F(-7.35, 11, "-7.3");
    F(9.999, 12, "10.00");
    F(5e-324, 12, "0.00");
    END();
}

/* Deterministic xorshift so failures reproduce. */
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Split Display text into significant digits (no leading zeros, no
 * trailing zeros) and the decimal point position: v = 0.D * 10^dp. */
static int sig_digits(const char *s, size_t n, char *d, int *dp) {
    int nd = 0, point = -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.')
            point = nd;
        else if (s[i] != '-')
            d[nd++] = s[i];
    }
    if (point < 0)
        point = nd;
    int lead = 0;
    while (lead < nd - 1 && d[lead] == '0')
        lead++;
    memmove(d, d + lead, (size_t)(nd - lead));
    nd -= lead;
    *dp = point - lead;
    while (nd > 1 && d[nd - 1] == '0')
        nd--;
    return nd;
}

static double parse_digits(const char *d, int n, int dp, bool single) {
    char buf[80];
    int k = snprintf(buf, sizeof buf, "0.%.*se%d", n, d, dp);
    (void)k;
    return single ? (double)strtof(buf, NULL) : strtod(buf, NULL);
}

/* True if a decimal with n-1 significant digits round-trips to v:
 * checks the (n-1)-digit truncation of the output and the next one up,
 * which bracket every shorter candidate in the rounding interval. */
static bool shorter_exists(const char *d, int n, int dp, double v, bool single) {
    if (n <= 1)
        return false;
    char t[40];
    memcpy(t, d, (size_t)n - 1);
    int m = n - 1, tdp = dp;
    if (parse_digits(t, m, tdp, single) == v)
        return true;
    int i = m - 1;
    while (i >= 0 && t[i] == '9')
        t[i--] = '0';
    if (i < 0) {
        memmove(t + 1, t, (size_t)m);
        t[0] = '1';
        tdp++;
    } else {
        t[i]++;
    }
    return parse_digits(t, m, tdp, single) == v;
}

/* The digits must be the n-digit decimal nearest to v (glibc's "%.*e" is
 * exact), except at a power of two, whose lopsided interval may exclude
 * the nearest one in favour of the next one up. */
static bool nearest(const char *d, int n, double v, bool single) {
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    float fv = (float)v;
    uint32_t fb;
    memcpy(&fb, &fv, sizeof fb);
    if (single ? (fb & 0x7FFFFF) == 0 : (b & 0xFFFFFFFFFFFFFull) == 0)
        return true;
    char buf[48], want[40];
    snprintf(buf, sizeof buf, "%.*e", n - 1, v);
    int k = 0;
    for (char *p = buf; *p && *p != 'e'; p++)
        if (*p != '.')
            want[k++] = *p;
    while (k > 1 && want[k - 1] == '0')
        k--;
    return k == n && memcmp(want, d, (size_t)n) == 0;
}

static void randomized(bool single, int count) {
    GROUP(single ? "f32-random-roundtrip" : "f64-random-roundtrip");
    for (int i = 0; i < count; i++) {
        uint64_t r = next();
        if (i % 2) { /* every other value of everyday magnitude: 2^-24 .. 2^56 */
            uint64_t ex = (uint64_t)(1023 - 24 + (int)((r >> 56) % 81));
            r = (r & 0x800FFFFFFFFFFFFFull) | ex << 52;
            if (single)
                r = (r & 0x807FFFFFu) | (uint64_t)(127 - 24 + (int)((r >> 40) % 50)) << 23;
        }
        double v;
        if (single) {
            uint32_t b = (uint32_t)r;
            if ((b >> 23 & 0xFF) == 0xFF)
                continue;
            v = f_of(b);
        } else {
            if ((r >> 52 & 0x7FF) == 0x7FF)
                continue;
            v = d_of(r);
        }
        if (v == 0)
            continue;
        vx_fmt f;
        vx_fmt_init(&f);
        if (single)
            vx_fmt_f32(&f, (float)v);
        else
            vx_fmt_f64(&f, v);
        vx_str *s = vx_fmt_finish(&f);
        double back = single ? (double)strtof(s->ptr, NULL) : strtod(s->ptr, NULL);
        char d[400];
        int dp, n = sig_digits(s->ptr, s->len, d, &dp);
        bool bad = memcmp(&back, &v, sizeof v) != 0 || strchr(s->ptr, 'e') ||
                   shorter_exists(d, n, dp, __builtin_fabs(v), single) ||
                   !nearest(d, n, __builtin_fabs(v), single);
        if (bad) {
            group_fails++;
            note("  %s %a -> %.80s (back %a)\n", single ? "f32" : "f64", v, s->ptr, back);
        }
        vx_str_release(s);
    }
    END();
}

/* {:.N} against glibc's exact "%.*f" for random values of every scale. */
static void precision_random(void) {
    GROUP("precision-random");
    for (int i = 0; i < 200000; i++) {
        uint64_t r = next();
        uint64_t ex = (uint64_t)(1023 - 80 + (int)((r >> 56) % 150)); /* 2^-80 .. 2^70 */
        if (i % 4 == 0)
            ex = (r >> 52) & 0x7FF;
        if (ex == 0x7FF)
            continue;
        uint64_t bits = (r & 0x800FFFFFFFFFFFFFull) | ex << 52;
        if (i % 8 == 1) /* short decimals with ties and near-ties */
            bits = 0, memcpy(&bits, &(double){(double)(int64_t)(r % 2000001 - 1000000) / 1000.0}, 8);
        double v = d_of(bits);
        int prec = (int)(next() % 21);
        char want[400];
        snprintf(want, sizeof want, "%.*f", prec, v);
        if (strlen(want) > 380)
            continue;
        vx_fmt f;
        vx_fmt_init(&f);
        vx_fmt_f64_prec(&f, v, prec);
        vx_str *s = vx_fmt_finish(&f);
        if (strcmp(s->ptr, want) != 0) {
            group_fails++;
            note("  {:.%d} of %a: got %.60s want %.60s\n", prec, v, s->ptr, want);
        }
        vx_str_release(s);
    }
    END();
}

int main(void) {
    table();
    specials();
    precision();
    precision_random();
    randomized(false, 200000);
    randomized(true, 200000);
    return finish();
}
