/*
 * str.c - Vex strings (vexrt.h part 2): immutable UTF-8 bytes shared by an
 * atomic reference count.
 *
 * A string is a vx_str header {rc, len, cap, ptr}. Literals are static
 * headers with rc == VX_RC_IMMORTAL whose ptr points at the C literal:
 * they cost no allocation and retain/release skip them. A heap string is
 * ONE allocation, the header followed by cap + 1 bytes, with ptr pointing
 * just past the header. Invariants: ptr[len] == '\0'; a string's bytes
 * never change once another reference to it may exist. The one exception
 * is vx_str_append, which grows a heap string in place only when its
 * count is 1, i.e. the caller holds the only reference (the count can't
 * rise concurrently, since nobody else can reach the string to retain it).
 * Release uses release ordering and the freeing thread an acquire fence,
 * the usual reference-count protocol, so the bytes written before the
 * last release are visible to whoever frees.
 *
 * Every operation works on bytes; char boundaries matter only where Rust
 * panics on them (slice) or counts chars (char_count, char_at). The Rust
 * semantics kept: split/replace with an empty pattern, trim on Unicode
 * White_Space, parse grammars.
 */
#include <stdlib.h>
#include <string.h>

#include "vexrt.h"

vx_str vx__str_empty = VX_STR_INIT("");

static vx_str *alloc_str(size_t cap) {
    vx_str *s = vx_alloc(sizeof(vx_str) + cap + 1);
    s->rc = 1;
    s->cap = cap;
    s->ptr = (char *)(s + 1);
    return s;
}

static char *bytes(vx_str *s) { return (char *)(s + 1); }

/* Called by vx_str_release when the count reached 0. The decrement there
 * is acq_rel: its acquire half orders every other thread's last use of the
 * bytes (released by their own decrements) before this free. An RMW rather
 * than a standalone fence, because ThreadSanitizer does not model fences. */
void vx__str_free(vx_str *s) {
    vx_free(s);
}

vx_str *vx_str_from_bytes(const char *p, size_t n) {
    if (n == 0)
        return VX_STR_EMPTY;
    vx_str *s = alloc_str(n);
    memcpy(bytes(s), p, n);
    s->len = n;
    return s;
}

vx_str *vx_str_from_cstr(const char *p) {
    return p ? vx_str_from_bytes(p, strlen(p)) : NULL;
}

vx_str *vx_str_concat(const vx_str *a, const vx_str *b) {
    if (a->len == 0)
        return vx_str_retain(b);
    if (b->len == 0)
        return vx_str_retain(a);
    vx_str *s = alloc_str(a->len + b->len);
    memcpy(bytes(s), a->ptr, a->len);
    memcpy(bytes(s) + a->len, b->ptr, b->len);
    s->len = a->len + b->len;
    return s;
}

vx_str *vx_str_append(vx_str *a, const vx_str *b) {
    if (b->len == 0)
        return a;
    if (a->cap == 0 || __atomic_load_n(&a->rc, __ATOMIC_ACQUIRE) != 1 || a == b) {
        vx_str *s = vx_str_concat(a, b);
        vx_str_release(a);
        return s;
    }
    size_t need = a->len + b->len;
    if (need > a->cap) {
        size_t cap = a->cap * 2 > need ? a->cap * 2 : need;
        a = vx_realloc(a, sizeof(vx_str) + cap + 1);
        a->cap = cap;
        a->ptr = bytes(a);
    }
    memcpy(bytes(a) + a->len, b->ptr, b->len);
    a->len = need;
    bytes(a)[need] = '\0';
    return a;
}

bool vx_str_eq(const vx_str *a, const vx_str *b) {
    return a == b || (a->len == b->len && memcmp(a->ptr, b->ptr, a->len) == 0);
}

int vx_str_cmp(const vx_str *a, const vx_str *b) {
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->ptr, b->ptr, n);
    if (c != 0)
        return c < 0 ? -1 : 1;
    return a->len < b->len ? -1 : a->len > b->len;
}

int vx_str_cmp_elem(const void *a, const void *b) {
    return vx_str_cmp(*(vx_str *const *)a, *(vx_str *const *)b);
}

uint64_t vx_str_hash(const vx_str *s) {
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < s->len; i++) {
        h ^= (unsigned char)s->ptr[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* ---- searching ---- */

static const char *find_from(const vx_str *s, size_t from, const vx_str *pat) {
    if (pat->len == 0)
        return s->ptr + from;
    if (s->len - from < pat->len)
        return NULL;
    return memmem(s->ptr + from, s->len - from, pat->ptr, pat->len);
}

bool vx_str_contains(const vx_str *s, const vx_str *pat) {
    return find_from(s, 0, pat) != NULL;
}

bool vx_str_starts_with(const vx_str *s, const vx_str *pat) {
    return s->len >= pat->len && memcmp(s->ptr, pat->ptr, pat->len) == 0;
}

bool vx_str_ends_with(const vx_str *s, const vx_str *pat) {
    return s->len >= pat->len && memcmp(s->ptr + s->len - pat->len, pat->ptr, pat->len) == 0;
}

bool vx_str_find(const vx_str *s, const vx_str *pat, uint64_t *out) {
    const char *p = find_from(s, 0, pat);
    if (!p)
        return false;
    *out = (uint64_t)(p - s->ptr);
    return true;
}

bool vx_str_rfind(const vx_str *s, const vx_str *pat, uint64_t *out) {
    if (pat->len > s->len)
        return false;
    for (size_t i = s->len - pat->len + 1; i-- > 0;) {
        if (memcmp(s->ptr + i, pat->ptr, pat->len) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}

/* ---- chars and slicing ---- */

static bool is_boundary(const vx_str *s, size_t i) {
    return i == 0 || i >= s->len || ((unsigned char)s->ptr[i] & 0xC0) != 0x80;
}

/* Decode the UTF-8 char at s[i] (assumed valid; invalid bytes decode as
 * themselves, one byte each). Returns its length. */
static size_t decode(const unsigned char *p, size_t n, uint32_t *cp) {
    unsigned c = p[0];
    if (c < 0x80 || n < 2) {
        *cp = c;
        return 1;
    }
    if (c >= 0xF0 && n >= 4) {
        *cp = (c & 0x07) << 18 | (p[1] & 0x3Fu) << 12 | (p[2] & 0x3Fu) << 6 | (p[3] & 0x3Fu);
        return 4;
    }
    if (c >= 0xE0 && n >= 3) {
        *cp = (c & 0x0F) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
        return 3;
    }
    if (c >= 0xC0) {
        *cp = (c & 0x1F) << 6 | (p[1] & 0x3Fu);
        return 2;
    }
    *cp = c;
    return 1;
}

size_t vx__utf8_encode(char *buf, uint32_t cp) {
    if (cp < 0x80) {
        buf[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        buf[0] = (char)(0xC0 | cp >> 6);
        buf[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if ((cp >= 0xD800 && cp < 0xE000) || cp > 0x10FFFF)
        cp = 0xFFFD;
    if (cp < 0x10000) {
        buf[0] = (char)(0xE0 | cp >> 12);
        buf[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    buf[0] = (char)(0xF0 | cp >> 18);
    buf[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    buf[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    buf[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

uint64_t vx_str_char_count(const vx_str *s) {
    uint64_t n = 0;
    for (size_t i = 0; i < s->len; i++)
        n += ((unsigned char)s->ptr[i] & 0xC0) != 0x80;
    return n;
}

bool vx_str_char_at(const vx_str *s, uint64_t idx, uint32_t *out) {
    const unsigned char *p = (const unsigned char *)s->ptr;
    size_t i = 0;
    while (i < s->len) {
        uint32_t cp;
        size_t k = decode(p + i, s->len - i, &cp);
        if (idx-- == 0) {
            *out = cp;
            return true;
        }
        i += k;
    }
    return false;
}

bool vx_str_next_char(const vx_str *s, size_t *pos, uint32_t *out) {
    if (*pos >= s->len)
        return false;
    *pos += decode((const unsigned char *)s->ptr + *pos, s->len - *pos, out);
    return true;
}

/* The panic text quotes at most the first 256 bytes of the string. */
static int quote_len(const vx_str *s) { return s->len > 256 ? 256 : (int)s->len; }

vx_str *vx_str_slice(const vx_str *s, int64_t start, int64_t end, const vx_loc *where) {
    if (start < 0 || (uint64_t)start > s->len || end < 0 || (uint64_t)end > s->len) {
        int64_t bad = (start < 0 || (uint64_t)start > s->len) ? start : end;
        vx_panic(where, "byte index %lld is out of bounds of `%.*s`", (long long)bad,
                 quote_len(s), s->ptr);
    }
    if (start > end)
        vx_panic(where, "begin <= end (%lld <= %lld) when slicing `%.*s`", (long long)start,
                 (long long)end, quote_len(s), s->ptr);
    if (!is_boundary(s, (size_t)start) || !is_boundary(s, (size_t)end)) {
        size_t bad = is_boundary(s, (size_t)start) ? (size_t)end : (size_t)start;
        size_t b = bad;
        while (!is_boundary(s, b))
            b--;
        uint32_t cp;
        size_t k = decode((const unsigned char *)s->ptr + b, s->len - b, &cp);
        vx_panic(where, "byte index %zu is not a char boundary; it is inside '%.*s' (bytes %zu..%zu) of `%.*s`",
                 bad, (int)k, s->ptr + b, b, b + k, quote_len(s), s->ptr);
    }
    if (start == 0 && (uint64_t)end == s->len)
        return vx_str_retain(s);
    return vx_str_from_bytes(s->ptr + start, (size_t)(end - start));
}

uint8_t vx_str_byte_at(const vx_str *s, int64_t i, const vx_loc *where) {
    return (uint8_t)s->ptr[vx_index_i(i, s->len, where)];
}

/* ---- trimming and case ---- */

static bool is_space(uint32_t c) {
    return (c >= 9 && c <= 13) || c == ' ' || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

static size_t trim_front(const vx_str *s) {
    size_t i = 0;
    while (i < s->len) {
        uint32_t cp;
        size_t k = decode((const unsigned char *)s->ptr + i, s->len - i, &cp);
        if (!is_space(cp))
            break;
        i += k;
    }
    return i;
}

static size_t trim_back(const vx_str *s, size_t lo) {
    size_t j = s->len;
    while (j > lo) {
        size_t b = j - 1;
        while (b > lo && ((unsigned char)s->ptr[b] & 0xC0) == 0x80)
            b--;
        uint32_t cp;
        decode((const unsigned char *)s->ptr + b, j - b, &cp);
        if (!is_space(cp))
            break;
        j = b;
    }
    return j;
}

static vx_str *sub(const vx_str *s, size_t i, size_t j) {
    if (i == 0 && j == s->len)
        return vx_str_retain(s);
    return vx_str_from_bytes(s->ptr + i, j - i);
}

vx_str *vx_str_trim(const vx_str *s) {
    size_t i = trim_front(s);
    return sub(s, i, trim_back(s, i));
}

vx_str *vx_str_trim_start(const vx_str *s) { return sub(s, trim_front(s), s->len); }

vx_str *vx_str_trim_end(const vx_str *s) { return sub(s, 0, trim_back(s, 0)); }

/* Simple case mappings of the common alphabets; upper -> lower. */
static uint32_t lower_of(uint32_t c) {
    if (c < 0x80)
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    if ((c >= 0xC0 && c <= 0xDE && c != 0xD7))
        return c + 32;
    if (c >= 0x100 && c <= 0x17F) {
        if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F)
            return c; /* map_case handles U+0130 */
        bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
        if (c == 0x178)
            return 0xFF;
        return odd_upper ? (c & 1 ? c + 1 : c) : (c & 1 ? c : c + 1);
    }
    if ((c >= 0x391 && c <= 0x3A9 && c != 0x3A2))
        return c + 32;
    if (c >= 0x410 && c <= 0x42F)
        return c + 32;
    if (c >= 0x400 && c <= 0x40F)
        return c + 80;
    return c;
}

static uint32_t upper_of(uint32_t c) {
    if (c < 0x80)
        return c >= 'a' && c <= 'z' ? c - 32 : c;
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
        return c - 32;
    if (c == 0xFF)
        return 0x178;
    if (c == 0xB5)
        return 0x39C;
    if (c >= 0x100 && c <= 0x17F) {
        if (c == 0x130 || c == 0x138 || c == 0x149)
            return c;
        if (c == 0x131)
            return 'I';
        if (c == 0x17F)
            return 'S';
        bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
        return odd_upper ? (c & 1 ? c : c - 1) : (c & 1 ? c - 1 : c);
    }
    if (c >= 0x3B1 && c <= 0x3C9)
        return c == 0x3C2 ? 0x3A3 : c - 32;
    if (c >= 0x430 && c <= 0x44F)
        return c - 32;
    if (c >= 0x450 && c <= 0x45F)
        return c - 80;
    return c;
}

static bool is_cased(uint32_t c) { return lower_of(c) != c || upper_of(c) != c; }

/* Rust's final-sigma rule, simplified: a capital sigma becomes the final
 * form when a cased letter precedes it and none follows. */
static bool final_sigma(const unsigned char *p, size_t n, size_t i, size_t k) {
    bool before = false, after = false;
    if (i > 0) {
        size_t b = i - 1;
        while (b > 0 && (p[b] & 0xC0) == 0x80)
            b--;
        uint32_t c;
        decode(p + b, i - b, &c);
        before = is_cased(c);
    }
    if (i + k < n) {
        uint32_t c;
        decode(p + i + k, n - i - k, &c);
        after = is_cased(c);
    }
    return before && !after;
}

/* Case mapping char by char with the one-to-one tables above, plus the
 * few one-to-many mappings Rust applies in these alphabets: upper of
 * U+00DF is "SS", lower of U+0130 is "i" + U+0307, and the final sigma. */
static vx_str *map_case(const vx_str *s, bool upper) {
    vx_fmt f;
    vx_fmt_init(&f);
    const unsigned char *p = (const unsigned char *)s->ptr;
    for (size_t i = 0; i < s->len;) {
        if (p[i] < 0x80) {
            vx_fmt_byte(&f, (char)(upper ? upper_of(p[i]) : lower_of(p[i])));
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = decode(p + i, s->len - i, &cp);
        uint32_t m = upper ? upper_of(cp) : lower_of(cp);
        if (upper && cp == 0xDF) {
            vx_fmt_bytes(&f, "SS", 2);
        } else if (!upper && cp == 0x130) {
            vx_fmt_byte(&f, 'i');
            vx_fmt_char(&f, 0x307);
        } else if (!upper && cp == 0x3A3 && final_sigma(p, s->len, i, k)) {
            vx_fmt_char(&f, 0x3C2);
        } else if (m == cp) {
            vx_fmt_bytes(&f, (const char *)p + i, k);
        } else {
            vx_fmt_char(&f, m);
        }
        i += k;
    }
    return vx_fmt_finish(&f);
}

vx_str *vx_str_to_upper(const vx_str *s) { return map_case(s, true); }
vx_str *vx_str_to_lower(const vx_str *s) { return map_case(s, false); }

vx_str *vx_str_repeat(const vx_str *s, uint64_t n) {
    if (n == 0 || s->len == 0)
        return VX_STR_EMPTY;
    if (n == 1)
        return vx_str_retain(s);
    if (s->len > SIZE_MAX / 2 / n)
        vx_panic(NULL, "capacity overflow");
    size_t total = s->len * (size_t)n;
    vx_str *r = alloc_str(total);
    char *d = bytes(r);
    memcpy(d, s->ptr, s->len);
    size_t have = s->len;
    while (have < total) {
        size_t k = have < total - have ? have : total - have;
        memcpy(d + have, d, k);
        have += k;
    }
    r->len = total;
    return r;
}

vx_str *vx_str_replace(const vx_str *s, const vx_str *from, const vx_str *to) {
    vx_fmt f;
    vx_fmt_init(&f);
    if (from->len == 0) {
        const unsigned char *p = (const unsigned char *)s->ptr;
        vx_fmt_str(&f, to);
        for (size_t i = 0; i < s->len;) {
            uint32_t cp;
            size_t k = decode(p + i, s->len - i, &cp);
            vx_fmt_bytes(&f, s->ptr + i, k);
            vx_fmt_str(&f, to);
            i += k;
        }
        return vx_fmt_finish(&f);
    }
    const char *p = find_from(s, 0, from);
    if (!p) {
        vx_fmt_free(&f);
        return vx_str_retain(s);
    }
    size_t at = 0;
    while (p) {
        size_t i = (size_t)(p - s->ptr);
        vx_fmt_bytes(&f, s->ptr + at, i - at);
        vx_fmt_str(&f, to);
        at = i + from->len;
        p = find_from(s, at, from);
    }
    vx_fmt_bytes(&f, s->ptr + at, s->len - at);
    return vx_fmt_finish(&f);
}

/* ---- split, lines, join ---- */

static void push_str(vx_vec *v, vx_str *s) {
    *(vx_str **)vx_vec_push(v, sizeof(vx_str *)) = s;
}

vx_vec vx_str_split(const vx_str *s, const vx_str *sep) {
    vx_vec v = VX_VEC_INIT;
    if (sep->len == 0) {
        /* Rust: "abc".split("") is ["", "a", "b", "c", ""]. */
        push_str(&v, VX_STR_EMPTY);
        const unsigned char *p = (const unsigned char *)s->ptr;
        for (size_t i = 0; i < s->len;) {
            uint32_t cp;
            size_t k = decode(p + i, s->len - i, &cp);
            push_str(&v, vx_str_from_bytes(s->ptr + i, k));
            i += k;
        }
        push_str(&v, VX_STR_EMPTY);
        return v;
    }
    size_t at = 0;
    const char *p;
    while ((p = find_from(s, at, sep)) != NULL) {
        size_t i = (size_t)(p - s->ptr);
        push_str(&v, vx_str_from_bytes(s->ptr + at, i - at));
        at = i + sep->len;
    }
    push_str(&v, sub(s, at, s->len));
    return v;
}

vx_vec vx_str_lines(const vx_str *s) {
    vx_vec v = VX_VEC_INIT;
    size_t at = 0;
    while (at < s->len) {
        const char *nl = memchr(s->ptr + at, '\n', s->len - at);
        size_t end = nl ? (size_t)(nl - s->ptr) : s->len;
        size_t e = end > at && s->ptr[end - 1] == '\r' ? end - 1 : end;
        push_str(&v, vx_str_from_bytes(s->ptr + at, e - at));
        at = end + 1;
    }
    return v;
}

vx_vec vx_str_chars(const vx_str *s) {
    vx_vec v = VX_VEC_INIT;
    vx_vec_reserve(&v, sizeof(vx_str *), s->len);
    const unsigned char *p = (const unsigned char *)s->ptr;
    for (size_t i = 0; i < s->len;) {
        uint32_t cp;
        size_t k = decode(p + i, s->len - i, &cp);
        push_str(&v, vx_str_from_bytes(s->ptr + i, k));
        i += k;
    }
    return v;
}

vx_vec vx_str_split_whitespace(const vx_str *s) {
    vx_vec v = VX_VEC_INIT;
    const unsigned char *p = (const unsigned char *)s->ptr;
    size_t i = 0, start = 0;
    bool in_word = false;
    while (i < s->len) {
        uint32_t cp;
        size_t k = decode(p + i, s->len - i, &cp);
        if (is_space(cp)) {
            if (in_word)
                push_str(&v, vx_str_from_bytes(s->ptr + start, i - start));
            in_word = false;
        } else if (!in_word) {
            start = i;
            in_word = true;
        }
        i += k;
    }
    if (in_word)
        push_str(&v, sub(s, start, s->len));
    return v;
}

vx_str *vx_str_join(const vx_vec *strs, const vx_str *sep) {
    vx_str *const *a = strs->data;
    if (strs->len == 1)
        return vx_str_retain(a[0]);
    size_t total = 0;
    for (size_t i = 0; i < strs->len; i++)
        total += a[i]->len + (i ? sep->len : 0);
    if (total == 0)
        return VX_STR_EMPTY;
    vx_str *r = alloc_str(total);
    char *d = bytes(r);
    for (size_t i = 0; i < strs->len; i++) {
        if (i) {
            memcpy(d, sep->ptr, sep->len);
            d += sep->len;
        }
        memcpy(d, a[i]->ptr, a[i]->len);
        d += a[i]->len;
    }
    r->len = total;
    return r;
}

vx_vec vx_str_bytes(const vx_str *s) {
    vx_vec v = VX_VEC_INIT;
    if (s->len) {
        vx_vec_reserve(&v, 1, s->len);
        memcpy(v.data, s->ptr, s->len);
        v.len = s->len;
    }
    return v;
}

/* The length of the valid UTF-8 sequence at p (at most n bytes), 0 if
 * there is none: no overlong forms, surrogates or values past U+10FFFF. */
static size_t utf8_seq(const unsigned char *p, size_t n) {
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (!len || c > 0xF4 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0) || (c == 0xF0 && p[1] < 0x90) ||
        (c == 0xF4 && p[1] >= 0x90))
        return 0;
    return len;
}

vx_str *vx_str_from_utf8_lossy(const char *p, size_t n) {
    const unsigned char *u = (const unsigned char *)p;
    /* the common case, valid UTF-8 (HTTP heads and bodies): one copy */
    size_t v = 0;
    while (v < n) {
        size_t k = u[v] < 0x80 ? 1 : utf8_seq(u + v, n - v);
        if (!k)
            break;
        v += k;
    }
    if (v == n)
        return vx_str_from_bytes(p, n);
    vx_fmt f;
    vx_fmt_init(&f);
    vx_fmt_bytes(&f, p, v);
    for (size_t i = v; i < n;) {
        size_t k = utf8_seq(u + i, n - i);
        if (k) {
            vx_fmt_bytes(&f, p + i, k);
            i += k;
            continue;
        }
        /* one U+FFFD for the longest prefix of a valid sequence (Rust's
         * "substitution of maximal subparts") */
        size_t j = i + 1;
        unsigned c = u[i];
        size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 1;
        for (; j < n && j < i + want && (u[j] & 0xC0) == 0x80; j++) {
            if (j == i + 1 && ((c == 0xE0 && u[j] < 0xA0) || (c == 0xED && u[j] >= 0xA0) ||
                               (c == 0xF0 && u[j] < 0x90) || (c == 0xF4 && u[j] >= 0x90) || c > 0xF4))
                break;
        }
        vx_fmt_cstr(&f, "\xEF\xBF\xBD");
        i = j;
    }
    return vx_fmt_finish(&f);
}

void vx_vec_str_free(vx_vec *v) {
    vx_str **a = v->data;
    for (size_t i = 0; i < v->len; i++)
        vx_str_release(a[i]);
    vx_vec_free(v);
}

/* ---- parsing ---- */

static bool parse_digits(const char *p, size_t n, uint64_t *out) {
    if (n == 0)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(p[i] - '0');
        if (d > 9 || v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool vx_str_parse_u64(const vx_str *s, uint64_t *out) {
    const char *p = s->ptr;
    size_t n = s->len;
    if (n > 0 && p[0] == '+')
        p++, n--;
    return parse_digits(p, n, out);
}

bool vx_str_parse_i64(const vx_str *s, int64_t *out) {
    const char *p = s->ptr;
    size_t n = s->len;
    bool neg = false;
    if (n > 0 && (p[0] == '+' || p[0] == '-'))
        neg = p[0] == '-', p++, n--;
    uint64_t u;
    if (!parse_digits(p, n, &u))
        return false;
    if (neg ? u > (uint64_t)INT64_MAX + 1 : u > (uint64_t)INT64_MAX)
        return false;
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return true;
}

static bool word_is(const char *p, size_t n, const char *w) {
    if (strlen(w) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((p[i] | 0x20) != w[i])
            return false;
    return true;
}

/* Rust's f64 grammar: [+-]? (inf | infinity | nan | digits [. digits?]? |
 * . digits) ([eE] [+-]? digits)?, checked before strtod (which would also
 * take hex, leading spaces and nan(...)). */
bool vx_str_parse_f64(const vx_str *s, double *out) {
    const char *p = s->ptr;
    size_t n = s->len, i = 0;
    if (n > 0 && (p[0] == '+' || p[0] == '-'))
        i++;
    bool neg = n > 0 && p[0] == '-';
    if (word_is(p + i, n - i, "inf") || word_is(p + i, n - i, "infinity")) {
        *out = neg ? -__builtin_inf() : __builtin_inf();
        return true;
    }
    if (word_is(p + i, n - i, "nan")) {
        *out = __builtin_nan("");
        return true;
    }
    size_t digits = 0;
    while (i < n && p[i] >= '0' && p[i] <= '9')
        i++, digits++;
    if (i < n && p[i] == '.') {
        i++;
        while (i < n && p[i] >= '0' && p[i] <= '9')
            i++, digits++;
    }
    if (digits == 0)
        return false;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-'))
            i++;
        size_t ed = 0;
        while (i < n && p[i] >= '0' && p[i] <= '9')
            i++, ed++;
        if (ed == 0)
            return false;
    }
    if (i != n)
        return false;
    *out = strtod(p, NULL); /* ptr[len] == '\0' ends the number */
    return true;
}

bool vx_str_parse_bool(const vx_str *s, bool *out) {
    if (s->len == 4 && memcmp(s->ptr, "true", 4) == 0)
        *out = true;
    else if (s->len == 5 && memcmp(s->ptr, "false", 5) == 0)
        *out = false;
    else
        return false;
    return true;
}

/* ---- to_string ---- */

vx_str *vx_str_from_i64(int64_t v) {
    char buf[24];
    return vx_str_from_bytes(buf, vx_i64_to_dec(buf, v));
}

vx_str *vx_str_from_u64(uint64_t v) {
    char buf[24];
    return vx_str_from_bytes(buf, vx_u64_to_dec(buf, v));
}

vx_str *vx_str_from_bool(bool v) {
    static vx_str t = VX_STR_INIT("true"), f = VX_STR_INIT("false");
    return v ? &t : &f;
}

vx_str *vx_str_from_char(uint32_t cp) {
    char buf[4];
    return vx_str_from_bytes(buf, vx__utf8_encode(buf, cp));
}

vx_str *vx_str_from_f64(double v) {
    vx_fmt f;
    vx_fmt_init(&f);
    vx_fmt_f64(&f, v);
    return vx_fmt_finish(&f);
}

vx_str *vx_str_from_f32(float v) {
    vx_fmt f;
    vx_fmt_init(&f);
    vx_fmt_f32(&f, v);
    return vx_fmt_finish(&f);
}
