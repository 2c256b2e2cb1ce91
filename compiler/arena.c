/*
 * arena.c - compiler memory. Every AST node, type and string of one
 * compilation comes from a chain of large zeroed blocks that is released
 * in one go by arena_reset() (the fuzz target compiles many inputs in one
 * process). Nothing is freed piece by piece (chibicc, QBE util.c).
 * Also the two small containers every stage uses: Buf (emitted text) and
 * Vec (pointer arrays).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vexc.h"

typedef struct Block {
    struct Block *next;
    size_t used, size;
    bool mapped; /* from big_block(): munmap, not free */
    _Alignas(16) char data[];
} Block;

static Block *head;
static size_t total; /* bytes in the blocks of the arena */

#define HUGE_PAGE (2u << 20)

/* Under ASan, keep every block on the heap, where LeakSanitizer scans it. */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_HUGE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_HUGE 0
#endif
#endif
#ifndef ARENA_HUGE
#define ARENA_HUGE 1
#endif

/* Past the first few megabytes (a big program), blocks are 2 MB aligned
 * mmap memory marked for transparent huge pages: touching them costs one
 * page fault per 2 MB instead of one per 4 KB, which was a third of the
 * time of `vex check` on a 20,000-line program. Fresh mmap memory is
 * zero, like calloc's. */
static Block *big_block(size_t bs) {
    size_t len = (sizeof(Block) + bs + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
    char *m = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    char *a = (char *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (a > m)
        munmap(m, (size_t)(a - m));
    munmap(a + len, (size_t)(m + HUGE_PAGE - a)); /* the unaligned tail */
#ifdef MADV_HUGEPAGE
    madvise(a, len, MADV_HUGEPAGE);
#endif
    Block *b = (Block *)a;
    b->size = len - sizeof(Block);
    b->mapped = true;
    return b;
}

static void oom(void) {
    fputs("vex: out of memory\n", stderr);
    exit(2);
}

void *arena_alloc(size_t size) {
    size = (size + 15) & ~(size_t)15;
    if (!head || head->used + size > head->size) {
        size_t bs = size > (1u << 20) ? size : (1u << 20);
        Block *b = NULL;
        if (ARENA_HUGE && (total >= (4u << 20) || bs >= (4u << 20)))
            b = big_block(bs > (8u << 20) ? bs : (8u << 20));
        if (!b) {
            b = calloc(1, sizeof(Block) + bs);
            if (!b)
                oom();
            b->size = bs;
        }
        total += b->size;
        b->next = head;
        head = b;
    }
    void *p = head->data + head->used;
    head->used += size;
    return p;
}

void arena_reset(void) {
    while (head) {
        Block *n = head->next;
        if (head->mapped)
            munmap(head, sizeof(Block) + head->size);
        else
            free(head);
        head = n;
    }
    total = 0;
}

char *arena_strndup(const char *s, size_t n) {
    char *p = arena_alloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *arena_printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = arena_alloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void buf_put(Buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t c = b->cap ? b->cap * 2 : 256;
        while (c < b->len + n + 1)
            c *= 2;
        char *d = realloc(b->data, c);
        if (!d)
            oom();
        b->data = d;
        b->cap = c;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

void buf_puts(Buf *b, const char *s) { buf_put(b, s, strlen(s)); }

void buf_printf(Buf *b, const char *fmt, ...) {
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < (int)sizeof tmp) {
        buf_put(b, tmp, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big)
        oom();
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf_put(b, big, (size_t)n);
    free(big);
}

void buf_free(Buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void vec_push(Vec *v, void *p) {
    if (v->len == v->cap) {
        int c = v->cap ? v->cap * 2 : 4;
        void **n = arena_alloc(sizeof(void *) * (size_t)c);
        if (v->len)
            memcpy(n, v->items, sizeof(void *) * (size_t)v->len);
        v->items = n;
        v->cap = c;
    }
    v->items[v->len++] = p;
}
