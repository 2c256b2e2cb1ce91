#!/usr/bin/env python3
"""gen_float_table.py - writes float_table.h, the expected Display/Debug text
of f64 and f32 values for float_test.c.

The reference is independent of the runtime's algorithm: with exact rational
arithmetic it finds, for each value, the rounding interval (halfway to each
neighbouring float, ends included when the significand is even), the
smallest digit count P for which some P-digit decimal lies inside it, and
the P-digit decimal in it closest to the value. Values whose two closest
candidates tie are skipped (implementations may differ there).
Run: python3 tests/unit/gen_float_table.py > tests/unit/float_table.h
"""
import random
import struct
from fractions import Fraction

def parts(x, single):
    if single:
        b = struct.unpack('<I', struct.pack('<f', x))[0]
        mbits, ebias, ebits = 23, 127, 8
    else:
        b = struct.unpack('<Q', struct.pack('<d', x))[0]
        mbits, ebias, ebits = 52, 1023, 11
    m = b & ((1 << mbits) - 1)
    e = (b >> mbits) & ((1 << ebits) - 1)
    if e == 0:
        return Fraction(m) * Fraction(2) ** (1 - ebias - mbits), m, e, mbits, ebias
    return Fraction(m | (1 << mbits)) * Fraction(2) ** (e - ebias - mbits), m, e, mbits, ebias

def interval(x, single):
    v, m, e, mbits, ebias = parts(x, single)
    ulp = Fraction(2) ** ((e if e else 1) - ebias - mbits)
    lo_ulp = ulp / 2 if (m == 0 and e > 1) else ulp
    even = (m % 2) == 0
    return v, v - lo_ulp / 2, v + ulp / 2, even

def floor_div(a, b):
    return a.numerator * b.denominator // (a.denominator * b.numerator)

def shortest(x, single):
    """(digits, dp) with value = 0.digits * 10^dp, or None on a tie."""
    v, lo, hi, even = interval(x, single)
    # decimal exponent: 10^(k-1) <= v < 10^k
    k = 0
    while Fraction(10) ** k <= v:
        k += 1
    while Fraction(10) ** (k - 1) > v:
        k -= 1
    for P in range(1, 18):
        scale = Fraction(10) ** (P - k)  # candidate = n / scale, n has P digits
        f = floor_div(v * scale, Fraction(1))
        best = None
        for n in (f - 1, f, f + 1, f + 2):
            if n <= 0:
                continue
            d = Fraction(n) / scale
            inside = lo < d < hi or (even and (d == lo or d == hi))
            if not inside:
                continue
            dist = abs(d - v)
            if best is None or dist < best[0]:
                best = (dist, n, False)
            elif dist == best[0]:
                best = (dist, best[1], True)
        if best:
            if best[2]:
                return None
            s = str(best[1])
            dp = k + (len(s) - P)
            s = s.rstrip('0') or '0'
            return s, dp
    raise AssertionError(x)

def display(ds, debug):
    s, dp = ds
    n = len(s)
    if dp <= 0:
        return '0.' + '0' * (-dp) + s
    if dp >= n:
        return s + '0' * (dp - n) + ('.0' if debug else '')
    return s[:dp] + '.' + s[dp:]

def debug(ds, x):
    s, dp = ds
    a = abs(x)
    if a < 1e-4 or a >= 1e16:
        return s[0] + ('.' + s[1:] if len(s) > 1 else '') + 'e' + str(dp - 1)
    return display(ds, True)

def cstr(x, single):
    if single:
        b = struct.unpack('<I', struct.pack('<f', x))[0]
        return '0x%08xu' % b
    b = struct.unpack('<Q', struct.pack('<d', x))[0]
    return '0x%016xull' % b

def values(single, count):
    rnd = random.Random(20261129 + single)
    vals = [1.0, 10.0, 12.5, 0.1, 0.2, 0.3, 1e21, 1e-7, 1/3, 2/3, 2.675, 100.0, 1e15, 1e16,
            1e17, 1e-4, 1e-5, 123456.789, 3.14159, 2.5, 0.5, 0.25, 0.125, 1e22, 1e23,
            4.35, 0.000123, 9007199254740993.0, 5e-324, 2.2250738585072014e-308,
            1.7976931348623157e308, 1e300, 1e-300, 2.0 ** 60, 2.0 ** -30, 65504.0,
            16777216.0, 16777217.0, 3.4028234663852886e38, 1.1754943508222875e-38, 1e-45,
            0.1 + 0.2, 1.5e10, 299792458.0, 6.02214076e23, 1.602176634e-19]
    for _ in range(count):
        kind = rnd.random()
        if kind < 0.3:  # short decimals
            v = rnd.randint(1, 10 ** rnd.randint(1, 8)) / 10 ** rnd.randint(0, 8)
        elif kind < 0.45:  # full-precision values of everyday magnitude
            v = rnd.random() * 2.0 ** rnd.randint(-24, 56)
        elif kind < 0.55:  # powers of two (lopsided intervals)
            v = 2.0 ** rnd.randint(-140 if single else -1070, 120 if single else 1020)
        else:  # random bits
            if single:
                bits = rnd.getrandbits(32) & 0x7FFFFFFF
                if (bits >> 23) == 0xFF:
                    continue
                v = struct.unpack('<f', struct.pack('<I', bits))[0]
            else:
                bits = rnd.getrandbits(64) & 0x7FFFFFFFFFFFFFFF
                if (bits >> 52) == 0x7FF:
                    continue
                v = struct.unpack('<d', struct.pack('<Q', bits))[0]
        if rnd.random() < 0.3:
            v = -v
        vals.append(v)
    out = []
    for v in vals:
        if single:
            v = struct.unpack('<f', struct.pack('<f', v))[0] if abs(v) < 3.5e38 else 1.0
        if v == 0 or v != v:
            continue
        ds = shortest(abs(v), single)
        if ds is None:
            continue
        sign = '-' if v < 0 else ''
        out.append((cstr(v, single), sign + display(ds, False), sign + debug(ds, v)))
    return out

print('/* float_table.h - generated by gen_float_table.py: do not edit. */')
for single, name, n in ((False, 'f64', 2500), (True, 'f32', 1500)):
    rows = values(single, n)
    t = 'uint32_t' if single else 'uint64_t'
    print('static const struct { %s bits; const char *display, *debug; } %s_table[] = {' % (t, name))
    for bits, disp, dbg in rows:
        print('    {%s, "%s", "%s"},' % (bits, disp, dbg))
    print('};')
