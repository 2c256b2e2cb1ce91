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

#include "vexc.h"

typedef struct Block {
    struct Block *next;
    size_t used, size;
    _Alignas(16) char data[];
} Block;

static Block *head;

static void oom(void) {
    fputs("vex: out of memory\n", stderr);
    exit(2);
}

void *arena_alloc(size_t size) {
    size = (size + 15) & ~(size_t)15;
    if (!head || head->used + size > head->size) {
        size_t bs = size > (1u << 20) ? size : (1u << 20);
        Block *b = calloc(1, sizeof(Block) + bs);
        if (!b)
            oom();
        b->size = bs;
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
        free(head);
        head = n;
    }
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
