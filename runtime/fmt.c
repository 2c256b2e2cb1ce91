/*
 * fmt.c - formatting and printing (vexrt.h part 2): the vx_fmt builder
 * that f-strings, $println and {:?} compile to, and the output streams.
 *
 * The builder keeps its bytes in an inline buffer until they outgrow it,
 * then in a heap block laid out like a heap string (a vx_str header, then
 * the bytes), so vx_fmt_finish of a long text hands the block over as the
 * string without copying it. Printing from a builder writes its bytes with
 * ONE fwrite, which stdio performs under the stream lock: lines written
 * by different threads never interleave. stdout is the stdio stream
 * (buffered; flushed by exit(), by vx_panic and by vx_os_exit).
 *
 * Floats, Display: the SHORTEST digit string that parses back to the same
 * value (the Steele-White / Ryu criterion), the closest to the value when
 * several are that short, laid out without exponent. One exact interval
 * search (exact_shortest explains it) at three widths, cheapest first (see
 * shortest()): integral values below 2^53 directly; 128-bit integers for
 * 2^-20 <= v < 2^127; a division test for short tiny values; multi-word
 * integers for everything else (exact_wide). A glibc "%.*e" + strtod
 * search remains as a safety net that the tests never reach. f32 is the
 * same with f32 intervals.
 * Fixed precision ({:.N}) is exact 128-bit arithmetic when the result is
 * small (fixed_fast), glibc's exact "%.*f" otherwise (ties to even, like
 * Rust).
 * The formatting runs in the C locale (generated programs never call
 * setlocale).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vexrt.h"

/* ---- the builder ---- */

void vx__fmt_grow(vx_fmt *f, size_t need) {
    size_t want = f->len + need;
    size_t cap = f->cap * 2;
    if (cap < want)
        cap = want;
    if (cap < 256)
        cap = 256;
    if (f->heap) {
        f->heap = (char *)vx_realloc(f->heap - sizeof(vx_str), sizeof(vx_str) + cap + 1) +
                  sizeof(vx_str);
    } else {
        f->heap = (char *)vx_alloc(sizeof(vx_str) + cap + 1) + sizeof(vx_str);
        memcpy(f->heap, f->small, f->len);
    }
    f->cap = cap;
}

/* Room for n more bytes; returns where they go (len not advanced). */
static char *reserve(vx_fmt *f, size_t n) {
    if (f->cap - f->len < n)
        vx__fmt_grow(f, n);
    return vx_fmt_data(f) + f->len;
}

vx_str *vx_fmt_finish(vx_fmt *f) {
    if (!f->heap) {
        vx_str *s = vx_str_from_bytes(f->small, f->len);
        f->len = 0;
        return s;
    }
    vx_str *s = (vx_str *)(f->heap - sizeof(vx_str));
    s->rc = 1;
    s->len = f->len;
    s->cap = f->cap;
    s->ptr = f->heap;
    f->heap[f->len] = '\0';
    vx_fmt_init(f);
    return s;
}

void vx_fmt_free(vx_fmt *f) {
    if (f->heap)
        vx_free(f->heap - sizeof(vx_str));
    vx_fmt_init(f);
}

/* ---- integers ---- */

static const char pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

size_t vx_u64_to_dec(char *buf, uint64_t v) {
    char tmp[20];
    char *p = tmp + sizeof tmp;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        p -= 2;
        memcpy(p, pairs + 2 * r, 2);
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, pairs + 2 * v, 2);
    } else {
        *--p = (char)('0' + v);
    }
    size_t n = (size_t)(tmp + sizeof tmp - p);
    memcpy(buf, p, n);
    return n;
}

size_t vx_i64_to_dec(char *buf, int64_t v) {
    if (v >= 0)
        return vx_u64_to_dec(buf, (uint64_t)v);
    buf[0] = '-';
    return 1 + vx_u64_to_dec(buf + 1, 0 - (uint64_t)v);
}

void vx_fmt_i64(vx_fmt *f, int64_t v) {
    char *p = reserve(f, 21);
    f->len += vx_i64_to_dec(p, v);
}

void vx_fmt_u64(vx_fmt *f, uint64_t v) {
    char *p = reserve(f, 20);
    f->len += vx_u64_to_dec(p, v);
}

void vx_fmt_u64_radix(vx_fmt *f, uint64_t v, unsigned base, bool upper) {
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    unsigned shift = base == 16 ? 4 : base == 8 ? 3 : 1;
    char tmp[64];
    size_t n = 0;
    do {
        tmp[sizeof tmp - ++n] = digits[v & (base - 1)];
        v >>= shift;
    } while (v);
    vx_fmt_bytes(f, tmp + sizeof tmp - n, n);
}

void vx_fmt_bool(vx_fmt *f, bool v) {
    if (v)
        vx_fmt_bytes(f, "true", 4);
    else
        vx_fmt_bytes(f, "false", 5);
}

void vx_fmt_str(vx_fmt *f, const vx_str *s) { vx_fmt_bytes(f, s->ptr, s->len); }

void vx_fmt_str_prec(vx_fmt *f, const vx_str *s, size_t chars) {
    size_t i = 0;
    for (; i < s->len; i++) {
        if (((unsigned char)s->ptr[i] & 0xC0) != 0x80 && chars-- == 0)
            break;
    }
    vx_fmt_bytes(f, s->ptr, i);
}

void vx_fmt_char(vx_fmt *f, uint32_t cp) {
    char *p = reserve(f, 4);
    f->len += vx__utf8_encode(p, cp);
}

/* ---- Debug of strings and chars ---- */

/* Chars Rust's Debug escapes as \u{..} besides the named escapes: control
 * characters, and the invisible format characters a reader would miss. */
static bool escaped(uint32_t c) {
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0xAD || (c >= 0x200B && c <= 0x200F) ||
           (c >= 0x2028 && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) || c == 0xFEFF;
}

static void escape_char(vx_fmt *f, uint32_t c, char quote) {
    switch (c) {
    case '\n': vx_fmt_bytes(f, "\\n", 2); return;
    case '\t': vx_fmt_bytes(f, "\\t", 2); return;
    case '\r': vx_fmt_bytes(f, "\\r", 2); return;
    case '\\': vx_fmt_bytes(f, "\\\\", 2); return;
    case '\0': vx_fmt_bytes(f, "\\0", 2); return;
    default: break;
    }
    if (c == (uint32_t)quote) {
        vx_fmt_byte(f, '\\');
        vx_fmt_byte(f, quote);
    } else if (escaped(c)) {
        char buf[16];
        int n = snprintf(buf, sizeof buf, "\\u{%x}", c);
        vx_fmt_bytes(f, buf, (size_t)n);
    } else {
        vx_fmt_char(f, c);
    }
}

void vx_fmt_str_debug(vx_fmt *f, const vx_str *s) {
    const unsigned char *p = (const unsigned char *)s->ptr;
    size_t n = s->len, i = 0;
    vx_fmt_byte(f, '"');
    while (i < n) {
        size_t run = i; /* copy runs of plain ASCII at once */
        while (run < n && p[run] >= 0x20 && p[run] < 0x7F && p[run] != '"' && p[run] != '\\')
            run++;
        vx_fmt_bytes(f, (const char *)p + i, run - i);
        i = run;
        if (i == n)
            break;
        uint32_t c = p[i];
        size_t k = 1;
        if (c >= 0xC0) {
            if (c >= 0xF0 && n - i >= 4)
                c = (c & 7) << 18 | (p[i + 1] & 0x3Fu) << 12 | (p[i + 2] & 0x3Fu) << 6 | (p[i + 3] & 0x3Fu), k = 4;
            else if (c >= 0xE0 && n - i >= 3)
                c = (c & 15) << 12 | (p[i + 1] & 0x3Fu) << 6 | (p[i + 2] & 0x3Fu), k = 3;
            else if (c < 0xE0 && n - i >= 2)
                c = (c & 31) << 6 | (p[i + 1] & 0x3Fu), k = 2;
        }
        if (c >= 0x80 && !escaped(c))
            vx_fmt_bytes(f, (const char *)p + i, k); /* keep the bytes as they are */
        else
            escape_char(f, c, '"');
        i += k;
    }
    vx_fmt_byte(f, '"');
}

void vx_fmt_char_debug(vx_fmt *f, uint32_t cp) {
    vx_fmt_byte(f, '\'');
    escape_char(f, cp, '\'');
    vx_fmt_byte(f, '\'');
}

/* ---- floats: shortest round-trip digits ---- */

static const double pow10_tab[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Digits of n without trailing zeros into d; *dp += count of stripped
 * zeros. Returns the digit count. */
static int digits_of(uint64_t n, char *d, int *dp) {
    int len = (int)vx_u64_to_dec(d, n);
    *dp += len;
    while (len > 1 && d[len - 1] == '0')
        len--;
    return len;
}

/* Parse "0.<digits>e<dp>" with strtod/strtof. */
static double parse_dec(const char *d, int n, int dp, bool single) {
    char buf[64];
    memcpy(buf, "0.", 2);
    memcpy(buf + 2, d, (size_t)n);
    snprintf(buf + 2 + n, sizeof buf - 2 - (size_t)n, "e%d", dp);
    return single ? (double)strtof(buf, NULL) : strtod(buf, NULL);
}

/* The P-significant-digit decimal nearest v (glibc is exact), as digits
 * (trailing zeros stripped) and point position dp. */
static int nearest_digits(double v, int P, char *d, int *dp) {
    char buf[48];
    snprintf(buf, sizeof buf, "%.*e", P - 1, v);
    int n = 0;
    char *e = strchr(buf, 'e');
    for (char *p = buf; p < e; p++)
        if (*p != '.')
            d[n++] = *p;
    *dp = atoi(e + 1) + 1;
    while (n > 1 && d[n - 1] == '0')
        n--;
    return n;
}

/* Increment a P-digit decimal by one unit in its last place. */
static int next_up(char *d, int n, int P, int *dp) {
    while (n < P)
        d[n++] = '0';
    int i = n - 1;
    while (i >= 0 && d[i] == '9')
        d[i--] = '0';
    if (i < 0) {
        memmove(d + 1, d, (size_t)n);
        d[0] = '1';
        n++;
        (*dp)++;
    } else {
        d[i]++;
    }
    while (n > 1 && d[n - 1] == '0')
        n--;
    return n;
}

static bool try_digits(double v, int P, bool single, bool pow2, char *d, int *n, int *dp) {
    *n = nearest_digits(v, P, d, dp);
    if (parse_dec(d, *n, *dp, single) == v)
        return true;
    if (!pow2)
        return false;
    char up[40];
    int udp = *dp;
    memcpy(up, d, (size_t)*n);
    int un = next_up(up, *n, P, &udp);
    if (parse_dec(up, un, udp, single) != v)
        return false;
    memcpy(d, up, (size_t)un);
    *n = un;
    *dp = udp;
    return true;
}

static uint64_t double_bits(double v) {
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

static uint32_t float_bits(float v) {
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

/* The exact method for 2^-20 <= v < 2^53 (2^24 for f32) that is not an
 * integer: v = m * 2^e with e < 0. Its rounding interval is
 * (lo, hi) = ((2m - 1) / 2^s, (2m + 1) / 2^s), s = 1 - e (below a power of
 * two the lower half is half as wide: (4m - 1) / 2^(s+1)), ends included
 * when m is even (round-half-even parsing). For k = 0, 1, ... decimal
 * places, the integers n with lo * 10^k < n < hi * 10^k are the k-place
 * decimals that round-trip; the first k that has one gives the shortest
 * digits, and of its (at most two) candidates the one closest to v wins.
 * Multiplying by 10^k = 5^k * 2^k and shifting the 2^k into the
 * denominator keeps every quantity below 2^109 for k <= 23, which this
 * range needs at most (17 significant digits plus 6 leading zeros), so
 * unsigned __int128 arithmetic is exact. Returns 0 when out of range. */
typedef unsigned __int128 u128;

/* The exact method for integral v = m * 2^e, 0 <= e <= 72 (below 2^127),
 * reached for values of at least 2^53 (2^24 for f32). Everything scaled by
 * 2^g (g = 1, or 2 below a power of two) is an integer: the interval is
 * (lo << e, hi << e) around mid << e. The shortest digits are n * 10^j with
 * the LARGEST j for which some n * 10^j * 2^g lies inside (if j works, so
 * does j - 1 with 10n, so a binary search finds it). 10^j * 2^g < 2^126
 * for j <= 37, so nothing overflows. */
static int exact_integral(uint64_t m, int e, bool lopsided, char *d, int *dp) {
    int g = lopsided ? 2 : 1;
    u128 lo = (lopsided ? 4 * (u128)m - 1 : 2 * (u128)m - 1) << e;
    u128 mid = (lopsided ? 4 * (u128)m : 2 * (u128)m) << e;
    u128 hi = (lopsided ? 4 * (u128)m + 2 : 2 * (u128)m + 1) << e;
    bool incl = (m & 1) == 0;
    int jlo = 0, jhi = 37;
    u128 best_n = mid >> g; /* j = 0: v itself */
    int best_j = 0;
    while (jlo <= jhi) {
        int j = (jlo + jhi) / 2;
        u128 D = 1;
        for (int i = 0; i < j; i++)
            D *= 10;
        D <<= g;
        u128 n0 = mid / D, pick = 0;
        bool found = false;
        for (u128 n = n0; n <= n0 + 1; n++) {
            u128 nd = n * D;
            bool in = (nd > lo || (incl && nd == lo)) && (nd < hi || (incl && nd == hi));
            if (!in || n == 0)
                continue;
            if (found) { /* both inside: the closer, ties to even */
                u128 db = mid - pick * D, dn = nd - mid;
                if (dn < db || (dn == db && (n & 1) == 0))
                    pick = n;
            } else {
                pick = n;
                found = true;
            }
        }
        if (found) {
            best_n = pick;
            best_j = j;
            jlo = j + 1;
        } else {
            jhi = j - 1;
        }
    }
    /* best_n < 10^17: at most 17 significant digits are ever needed */
    VX_ASSERT(best_n < (u128)100000000000000000ull * 10);
    *dp = best_j;
    return digits_of((uint64_t)best_n, d, dp);
}

static int exact_shortest(double v, bool single, char *d, int *dp) {
    uint64_t m;
    int e;
    bool lopsided;
    if (single) {
        uint32_t b = float_bits((float)v);
        uint32_t frac = b & 0x7FFFFF, bexp = b >> 23 & 0xFF;
        if (bexp == 0)
            return 0;
        m = frac | 0x800000u;
        e = (int)bexp - 150;
        lopsided = frac == 0 && bexp > 1;
    } else {
        uint64_t b = double_bits(v);
        uint64_t frac = b & 0xFFFFFFFFFFFFFull, bexp = b >> 52 & 0x7FF;
        if (bexp == 0)
            return 0;
        m = frac | 0x10000000000000ull;
        e = (int)bexp - 1075;
        lopsided = frac == 0 && bexp > 1;
    }
    if (e >= 0)
        return e <= 72 ? exact_integral(m, e, lopsided, d, dp) : 0;
    u128 lo = lopsided ? 4 * (u128)m - 1 : 2 * (u128)m - 1;
    u128 mid = lopsided ? 4 * (u128)m : 2 * (u128)m;
    u128 hi = lopsided ? 4 * (u128)m + 2 : 2 * (u128)m + 1;
    int s = lopsided ? 2 - e : 1 - e;
    bool incl = (m & 1) == 0;
    u128 pow5 = 1;
    for (int k = 0; k <= 23; k++, pow5 *= 5) {
        int t = s - k; /* the interval times 10^k is (lo, hi) * 5^k / 2^t */
        if (t < 0)
            return 0;
        u128 L = lo * pow5, H = hi * pow5, V = mid * pow5;
        u128 n0 = V >> t;
        u128 best = 0;
        bool found = false;
        for (u128 n = n0; n <= n0 + 1; n++) {
            u128 nt = n << t;
            bool in = (nt > L || (incl && nt == L)) && (nt < H || (incl && nt == H));
            if (!in || n == 0)
                continue;
            if (found) { /* both inside: take the closer, ties to even */
                u128 db = V - (best << t), dn = nt - V; /* best = n0 <= v <= n0 + 1 */
                if (dn < db || (dn == db && (n & 1) == 0))
                    best = n;
            } else {
                best = n;
                found = true;
            }
        }
        if (found) {
            *dp = -k;
            return digits_of((uint64_t)best, d, dp);
        }
    }
    return 0;
}

/* ---- the exact method in multi-word integers, for every other value ---- */

/* Big naturals of up to BIGW 64-bit limbs, least significant first. Every
 * operation works on the first `n` limbs, chosen per value from the bounds
 * of its products (4 or 5 limbs for everyday magnitudes, up to 19 for the
 * extremes), so the common case stays cheap. Results never exceed n limbs
 * (the bounds are checked before any arithmetic). */
enum { BIGW = 20 };
typedef struct big {
    uint64_t w[BIGW];
} big;

static void b_set(big *r, u128 x, int n) {
    memset(r->w, 0, sizeof r->w[0] * (size_t)n);
    r->w[0] = (uint64_t)x;
    r->w[1] = (uint64_t)(x >> 64);
}

static void b_mul(big *r, uint64_t m, int n) { /* r *= m */
    u128 c = 0;
    for (int i = 0; i < n; i++) {
        c += (u128)r->w[i] * m;
        r->w[i] = (uint64_t)c;
        c >>= 64;
    }
}

static void b_shl(big *r, const big *a, int sh, int n) { /* r = a << sh, r != a */
    int q = sh / 64, bsh = sh % 64;
    for (int i = 0; i < n; i++) {
        uint64_t x = 0;
        if (i - q >= 0)
            x = a->w[i - q] << bsh;
        if (bsh && i - q - 1 >= 0)
            x |= a->w[i - q - 1] >> (64 - bsh);
        r->w[i] = x;
    }
}

static void b_shr(big *r, const big *a, int sh, int n) { /* r = a >> sh, r != a */
    int q = sh / 64, bsh = sh % 64;
    for (int i = 0; i < n; i++) {
        uint64_t x = 0;
        if (i + q < n)
            x = a->w[i + q] >> bsh;
        if (bsh && i + q + 1 < n)
            x |= a->w[i + q + 1] << (64 - bsh);
        r->w[i] = x;
    }
}

static int b_cmp(const big *a, const big *b, int n) {
    for (int i = n - 1; i >= 0; i--)
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

static void b_sub(big *r, const big *a, const big *b, int n) { /* a >= b */
    uint64_t borrow = 0;
    for (int i = 0; i < n; i++) {
        uint64_t x = a->w[i] - b->w[i] - borrow;
        borrow = a->w[i] < b->w[i] || (a->w[i] == b->w[i] && borrow);
        r->w[i] = x;
    }
}

static void b_pow5(big *r, int k, int n) {
    b_set(r, 1, n);
    for (; k >= 27; k -= 27)
        b_mul(r, 7450580596923828125ull, n); /* 5^27 */
    uint64_t p = 1;
    while (k-- > 0)
        p *= 5;
    b_mul(r, p, n);
}

static int bit_length(uint64_t m) { return 64 - __builtin_clzll(m); }

/* floor(x) of a double, without libm. */
static int floor_int(double x) {
    int i = (int)x;
    return (double)i > x ? i - 1 : i;
}

/* 10^j in long double by squaring (a handful of roundings, not j). */
static long double pow10l_(int j) {
    long double r = 1, b = 10;
    for (; j; j >>= 1, b *= b)
        if (j & 1)
            r *= b;
    return r;
}

/* Is the candidate pair (n0, n0 + 1) around the scaled value inside the
 * interval? r is the distance from n0 up to the value, `down` the distance
 * from the value to the lower end, `up` to the upper end, `step` from n0
 * to n0 + 1 (all in the same scale). Picks the closer one inside (ties to
 * even), or returns false. */
static bool pick(uint64_t n0, const big *r, const big *step, const big *down, const big *up,
                 bool incl, int n, uint64_t *out) {
    int c0 = b_cmp(r, down, n);
    bool in0 = n0 > 0 && (c0 < 0 || (incl && c0 == 0));
    big r1;
    b_sub(&r1, step, r, n);
    int c1 = b_cmp(&r1, up, n);
    bool in1 = c1 < 0 || (incl && c1 == 0);
    if (in0 && in1) {
        int c = b_cmp(r, &r1, n);
        *out = c < 0 || (c == 0 && (n0 & 1) == 0) ? n0 : n0 + 1;
        return true;
    }
    if (in0 || in1)
        *out = in0 ? n0 : n0 + 1;
    return in0 || in1;
}

/* The interval search of exact_shortest and exact_integral in multi-word
 * integers, for every value they leave (tiny, huge, subnormal, and f32
 * alike). The digit count P is at most 17 (9 for f32) and E = floor(log10
 * v) is E' or E' + 1 for the cheap underestimate E' below, so the range of
 * k (or j) to search is known in advance; the search is a bisection, since
 * a k that works makes every larger k work. For large v the quotient
 * floor(v / 10^j) is estimated in long double and made exact by comparing
 * products. Returns 0 if a bound check fails (never expected). */
static int exact_wide(double v, bool single, char *d, int *dp) {
    uint64_t m;
    int e;
    bool lopsided;
    if (single) {
        uint32_t b = float_bits((float)v);
        uint32_t frac = b & 0x7FFFFF, bexp = b >> 23 & 0xFF;
        m = bexp ? frac | 0x800000u : frac;
        e = bexp ? (int)bexp - 150 : -149;
        lopsided = frac == 0 && bexp > 1;
    } else {
        uint64_t b = double_bits(v);
        uint64_t frac = b & 0xFFFFFFFFFFFFFull, bexp = b >> 52 & 0x7FF;
        m = bexp ? frac | 0x10000000000000ull : frac;
        e = bexp ? (int)bexp - 1075 : -1074;
        lopsided = frac == 0 && bexp > 1;
    }
    if (m == 0)
        return 0;
    int g = lopsided ? 2 : 1, maxp = single ? 9 : 17;
    uint64_t mv = m << g, dup = lopsided ? 2 : 1; /* lo = mv - 1, hi = mv + dup */
    bool incl = (m & 1) == 0;
    int bits = bit_length(mv) + 1;
    int elo = floor_int((double)(e + bit_length(m) - 1) * 0.30102999566398120);
    uint64_t best = 0;
    big C, V, Q, R, T, U, t1;
    if (e < 0) {
        /* v = mv / 2^s; k decimal places: n inside iff lo * 5^k < n * 2^(s-k) < hi * 5^k */
        int s = g - e;
        int kmin = -elo - 1, kmax = maxp - 1 - elo;
        if (kmin < 0) /* the interval is narrower than 1: no trailing zeros needed */
            kmin = 0;
        int need = bits + (kmax * 2322 + 999) / 1000; /* bits of V */
        if (s - kmin + 66 > need)
            need = s - kmin + 66; /* bits of 2^t and (n0 + 1) << t */
        int n = need / 64 + 1;
        if (n > BIGW || s - kmax < 0)
            return 0;
        int klo = kmin, khi = kmax, kbest = kmax + 1;
        while (klo <= khi) {
            int k = (klo + khi) / 2, t = s - k;
            b_pow5(&C, k, n);
            V = C;
            b_mul(&V, mv, n);
            b_shr(&Q, &V, t, n);
            bool small = true;
            for (int i = 1; i < n; i++)
                small = small && Q.w[i] == 0;
            if (!small)
                return 0;
            b_shl(&t1, &Q, t, n);
            b_sub(&R, &V, &t1, n);
            b_set(&t1, 1, n);
            b_shl(&T, &t1, t, n);
            U = C;
            b_mul(&U, dup, n);
            uint64_t nn;
            if (pick(Q.w[0], &R, &T, &C, &U, incl, n, &nn)) {
                best = nn, kbest = k, khi = k - 1;
            } else {
                klo = k + 1;
            }
        }
        if (kbest > kmax)
            return 0;
        *dp = -kbest;
        return digits_of(best, d, dp);
    }
    /* v = mv * 2^e / 2^g; j trailing zeros: n inside iff
     * lo * 2^e < n * 10^j * 2^g < hi * 2^e */
    int jlo = elo + 1 - maxp, jhi = elo + 1, jbest = -1;
    if (jlo < 0)
        jlo = 0;
    int n = (bits + e + 12) / 64 + 1; /* mid, 10^j * 2^g, and q * that, off by < 16 */
    if (n > BIGW)
        return 0;
    big E2, mid, P;
    b_set(&t1, 1, n);
    b_shl(&E2, &t1, e, n);
    b_set(&t1, mv, n);
    b_shl(&mid, &t1, e, n);
    U = E2;
    b_mul(&U, dup, n);
    while (jlo <= jhi) {
        int j = (jlo + jhi) / 2;
        b_pow5(&t1, j, n);
        b_shl(&C, &t1, j + g, n); /* C = 10^j * 2^g */
        long double qe = (long double)v / pow10l_(j);
        if (qe >= 18446744073709551615.0L)
            return 0;
        uint64_t q = (uint64_t)qe;
        P = C;
        b_mul(&P, q, n);
        int fix = 0;
        while (b_cmp(&P, &mid, n) > 0 && fix++ < 16) {
            b_sub(&P, &P, &C, n);
            q--;
        }
        b_sub(&R, &mid, &P, n);
        while (b_cmp(&R, &C, n) >= 0 && fix++ < 16) {
            b_sub(&R, &R, &C, n);
            q++;
        }
        if (fix >= 16)
            return 0;
        uint64_t nn;
        if (pick(q, &R, &C, &E2, &U, incl, n, &nn)) {
            best = nn, jbest = j, jlo = j + 1;
        } else {
            jhi = j - 1;
        }
    }
    if (jbest < 0)
        return 0;
    *dp = jbest;
    return digits_of(best, d, dp);
}

/* Shortest digits of the finite v > 0: v == 0.d[0..n) * 10^dp. */
static int shortest(double v, bool single, char *d, int *dp) {
    *dp = 0;
    double lim = single ? 16777216.0 : 9007199254740992.0;
    if (v < lim && v == (double)(uint64_t)v)
        return digits_of((uint64_t)v, d, dp);
    if (v >= 0x1p-20) {
        int n = exact_shortest(v, single, d, dp);
        if (n > 0)
            return n;
    }
    /* n < 2^50 (2^21 for f32) keeps the scaled rounding interval, of width
     * v / 2^52 * 10^k at most (v / 2^23 for f32), under 1/4: at most one
     * integer can round-trip, so the first found is also the closest. */
    double nlim = single ? 2097152.0 : 1125899906842624.0;
    for (int k = 1; k <= (single ? 10 : 22); k++) {
        double t = v * pow10_tab[k];
        if (t >= nlim)
            break;
        double n = (double)(uint64_t)(t + 0.5);
        for (int tries = 0; tries < 2; tries++) {
            bool ok = single ? (float)n / (float)pow10_tab[k] == (float)v : n / pow10_tab[k] == v;
            if (ok && n > 0) {
                *dp = -k;
                return digits_of((uint64_t)n, d, dp);
            }
            n = t > n ? n + 1 : n - 1;
        }
    }
    int wn = exact_wide(v, single, d, dp);
    if (wn > 0)
        return wn;
    bool pow2 = single ? (float_bits((float)v) & 0x7FFFFF) == 0
                       : (double_bits(v) & 0xFFFFFFFFFFFFFull) == 0;
    int lo = 1, hi = single ? 9 : 17, n = 0, best_n = 0, best_dp = 0, step = 0;
    char best[40], tmp[40];
    /* The smallest P that round-trips (monotone in P). Values that get here
     * mostly need the full 16-17 digits (8-9 for f32), so probe P = max - 1
     * and then max or max - 2 before bisecting what is left. */
    while (lo <= hi) {
        int mid = step == 0 ? hi - 1 : step == 1 ? hi : (lo + hi) / 2, mdp;
        step++;
        if (try_digits(v, mid, single, pow2, tmp, &n, &mdp)) {
            memcpy(best, tmp, (size_t)n);
            best_n = n;
            best_dp = mdp;
            hi = mid - 1;
        } else {
            lo = mid + 1;
        }
    }
    VX_ASSERT(best_n > 0);
    memcpy(d, best, (size_t)best_n);
    *dp = best_dp;
    return best_n;
}

static void zeros(vx_fmt *f, int n) {
    char *p = reserve(f, (size_t)n);
    memset(p, '0', (size_t)n);
    f->len += (size_t)n;
}

/* Lay out 0.d * 10^dp without exponent; returns whether a '.' was written. */
static bool layout_plain(vx_fmt *f, const char *d, int n, int dp) {
    if (dp <= 0) {
        vx_fmt_bytes(f, "0.", 2);
        zeros(f, -dp);
        vx_fmt_bytes(f, d, (size_t)n);
        return true;
    }
    if (dp >= n) {
        vx_fmt_bytes(f, d, (size_t)n);
        zeros(f, dp - n);
        return false;
    }
    vx_fmt_bytes(f, d, (size_t)dp);
    vx_fmt_byte(f, '.');
    vx_fmt_bytes(f, d + dp, (size_t)(n - dp));
    return true;
}

/* NaN, inf, -inf; the sign of other values. Returns true if done. */
static bool special(vx_fmt *f, double v) {
    if (__builtin_isnan(v)) {
        vx_fmt_bytes(f, "NaN", 3);
        return true;
    }
    if (__builtin_signbit(v))
        vx_fmt_byte(f, '-');
    if (__builtin_isinf(v)) {
        vx_fmt_bytes(f, "inf", 3);
        return true;
    }
    return false;
}

static void display(vx_fmt *f, double v, bool single, bool debug) {
    if (special(f, v))
        return;
    v = __builtin_fabs(v);
    if (v == 0) {
        vx_fmt_bytes(f, debug ? "0.0" : "0", debug ? 3 : 1);
        return;
    }
    char d[40];
    int dp, n = shortest(v, single, d, &dp);
    if (debug && (v < 1e-4 || v >= 1e16)) {
        vx_fmt_byte(f, d[0]);
        if (n > 1) {
            vx_fmt_byte(f, '.');
            vx_fmt_bytes(f, d + 1, (size_t)(n - 1));
        }
        vx_fmt_byte(f, 'e');
        vx_fmt_i64(f, dp - 1);
        return;
    }
    if (!layout_plain(f, d, n, dp) && debug)
        vx_fmt_bytes(f, ".0", 2);
}

static void exponent(vx_fmt *f, double v, bool single) {
    if (special(f, v))
        return;
    v = __builtin_fabs(v);
    if (v == 0) {
        vx_fmt_bytes(f, "0e0", 3);
        return;
    }
    char d[40];
    int dp, n = shortest(v, single, d, &dp);
    vx_fmt_byte(f, d[0]);
    if (n > 1) {
        vx_fmt_byte(f, '.');
        vx_fmt_bytes(f, d + 1, (size_t)(n - 1));
    }
    vx_fmt_byte(f, 'e');
    vx_fmt_i64(f, dp - 1);
}

void vx_fmt_f64_exp(vx_fmt *f, double v) { exponent(f, v, false); }
void vx_fmt_f32_exp(vx_fmt *f, float v) { exponent(f, v, true); }

void vx_fmt_f64(vx_fmt *f, double v) { display(f, v, false, false); }
void vx_fmt_f32(vx_fmt *f, float v) { display(f, v, true, false); }
void vx_fmt_f64_debug(vx_fmt *f, double v) { display(f, v, false, true); }
void vx_fmt_f32_debug(vx_fmt *f, float v) { display(f, v, true, true); }

/* {:.N} for N <= 17 when round(|v| * 10^N) < 2^64: exact in 128-bit
 * integers. With v = m * 2^e, m * 10^N < 2^110; for e < 0 the quotient by
 * 2^-e is rounded half to even by its remainder. Returns false to defer to
 * "%.*f". */
static bool fixed_fast(vx_fmt *f, double v, int prec) {
    uint64_t b = double_bits(v);
    uint64_t m = b & 0xFFFFFFFFFFFFFull, bexp = b >> 52 & 0x7FF;
    int e = bexp ? (int)bexp - 1075 : -1074;
    if (bexp)
        m |= 0x10000000000000ull;
    u128 p10 = 1;
    for (int i = 0; i < prec; i++)
        p10 *= 10;
    u128 q;
    if (e >= 0) {
        if (e > 11)
            return false;
        q = (u128)(m << e) * p10;
    } else if (-e < 128) {
        int s = -e;
        u128 V = (u128)m * p10;
        q = V >> s;
        u128 rem = V - (q << s), half = (u128)1 << (s - 1);
        if (rem > half || (rem == half && (q & 1)))
            q++;
    } else {
        q = 0; /* |v| < 2^-74: rounds to zero at any N <= 17 */
    }
    if (q >> 64)
        return false;
    char digits[24];
    size_t n = vx_u64_to_dec(digits, (uint64_t)q);
    char *p = reserve(f, n + (size_t)prec + 3);
    size_t len = 0;
    if (b >> 63)
        p[len++] = '-';
    size_t intdigits = n > (size_t)prec ? n - (size_t)prec : 0;
    if (intdigits == 0)
        p[len++] = '0';
    else
        memcpy(p + len, digits, intdigits), len += intdigits;
    if (prec > 0) {
        p[len++] = '.';
        size_t lead = n < (size_t)prec ? (size_t)prec - n : 0;
        memset(p + len, '0', lead);
        len += lead;
        memcpy(p + len, digits + intdigits, n - intdigits);
        len += n - intdigits;
    }
    f->len += len;
    return true;
}

void vx_fmt_f64_prec(vx_fmt *f, double v, int prec) {
    if (prec < 0)
        prec = 0;
    if (__builtin_isnan(v) || __builtin_isinf(v)) {
        special(f, v);
        return;
    }
    if (prec <= 17 && fixed_fast(f, v, prec))
        return;
    size_t room = 312 + (size_t)prec;
    char *p = reserve(f, room + 1);
    int n = snprintf(p, room + 1, "%.*f", prec, v);
    VX_ASSERT(n > 0 && (size_t)n <= room);
    f->len += (size_t)n;
}

/* ---- padding ---- */

void vx_fmt_pad(vx_fmt *f, size_t start, size_t width, char align, uint32_t fill) {
    char *d = vx_fmt_data(f);
    size_t chars = 0;
    for (size_t i = start; i < f->len; i++)
        chars += ((unsigned char)d[i] & 0xC0) != 0x80;
    if (chars >= width)
        return;
    size_t pad = width - chars;
    if (align == '=') { /* zeros after the sign: {:05} */
        if (d[start] == '-' || d[start] == '+')
            start++;
        align = '>';
    }
    size_t left = align == '>' ? pad : align == '^' ? pad / 2 : 0;
    size_t right = pad - left;
    char fb[4];
    size_t fl = vx__utf8_encode(fb, fill);
    size_t seg = f->len - start;
    reserve(f, pad * fl);
    d = vx_fmt_data(f);
    memmove(d + start + left * fl, d + start, seg);
    for (size_t i = 0; i < left; i++)
        memcpy(d + start + i * fl, fb, fl);
    f->len += left * fl;
    for (size_t i = 0; i < right; i++)
        memcpy(d + f->len + i * fl, fb, fl);
    f->len += right * fl;
}

/* ---- format specs ---- */

void vx_fmt_apply(vx_fmt *f, size_t start, const vx_fmt_spec *sp) {
    size_t prefix = 0; /* sign and 0x: zero padding goes after them */
    if (sp->type && sp->num != 0 && sp->num != 1) {
        /* the decimal text back to the value, then in the base asked */
        char dec[32];
        size_t n = f->len - start < sizeof dec - 1 ? f->len - start : sizeof dec - 1;
        memcpy(dec, vx_fmt_data(f) + start, n);
        dec[n] = 0;
        int bits = sp->num < 0 ? -sp->num : sp->num;
        uint64_t v = sp->num < 0 ? (uint64_t)strtoll(dec, NULL, 10) : strtoull(dec, NULL, 10);
        if (bits < 64)
            v &= (UINT64_C(1) << bits) - 1; /* two's complement at the type's width, as Rust */
        f->len = start;
        unsigned base = sp->type == 'b' ? 2 : sp->type == 'o' ? 8 : 16;
        if (sp->alt) {
            vx_fmt_cstr(f, base == 2 ? "0b" : base == 8 ? "0o" : "0x");
            prefix = 2;
        }
        vx_fmt_u64_radix(f, v, base, sp->type == 'X');
    }
    char *d = vx_fmt_data(f);
    bool neg = f->len > start && d[start] == '-';
    bool nan = f->len - start == 3 && !memcmp(d + start, "NaN", 3);
    if (sp->plus && sp->num && !neg && !nan) {
        reserve(f, 1);
        d = vx_fmt_data(f);
        memmove(d + start + 1, d + start, f->len - start);
        d[start] = '+';
        f->len++;
    }
    if (sp->num && (neg || (sp->plus && !nan)))
        prefix++;
    if (sp->width <= 0)
        return;
    if (sp->zero && sp->num && !nan) {
        size_t w = (size_t)sp->width;
        vx_fmt_pad(f, start + prefix, w > prefix ? w - prefix : 0, '>', '0');
        return;
    }
    char align = sp->align ? sp->align : sp->num ? '>' : '<';
    vx_fmt_pad(f, start, (size_t)sp->width, align, sp->fill);
}

/* ---- printing ---- */

static void write_out(vx_fmt *f, FILE *to, bool newline) {
    if (newline)
        vx_fmt_byte(f, '\n');
    fwrite(vx_fmt_data(f), 1, f->len, to); /* one locked call: lines never interleave */
    vx_fmt_free(f);
}

void vx_fmt_print(vx_fmt *f) { write_out(f, stdout, false); }
void vx_fmt_println(vx_fmt *f) { write_out(f, stdout, true); }
void vx_fmt_eprint(vx_fmt *f) { write_out(f, stderr, false); }
void vx_fmt_eprintln(vx_fmt *f) { write_out(f, stderr, true); }

static void put(const vx_str *s, FILE *to, bool newline) {
    flockfile(to);
    fwrite_unlocked(s->ptr, 1, s->len, to);
    if (newline)
        putc_unlocked('\n', to);
    funlockfile(to);
}

void vx_print(const vx_str *s) { put(s, stdout, false); }
void vx_println(const vx_str *s) { put(s, stdout, true); }
void vx_eprint(const vx_str *s) { put(s, stderr, false); }
void vx_eprintln(const vx_str *s) { put(s, stderr, true); }

void vx_flush(void) { fflush(stdout); }
