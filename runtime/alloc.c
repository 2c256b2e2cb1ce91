/*
 * alloc.c - the one allocation choke point of libvexrt (vexrt.h part 1).
 *
 * Every heap allocation made by generated code or by the runtime goes
 * through vx_alloc/vx_realloc/vx_free, so out-of-memory is handled in one
 * place (a panic, never a NULL dereference) and tests can assert that a
 * program ends with no allocation left (vx_alloc_live). The live count is
 * split into 16 counters on separate cache lines, a thread adding to "its"
 * one (chosen round-robin on its first allocation), so that workers
 * allocating at once do not share a line; vx_alloc_live sums them. The
 * counters are relaxed atomics: statistics read at quiescent points
 * (shutdown), never used to order other memory.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "vexrt.h"

#define SHARDS 16
static struct {
    atomic_long n;
    char pad[64 - sizeof(atomic_long)];
} live[SHARDS];
static atomic_uint next_shard;
static _Thread_local int my_shard = -1;

static atomic_long *counter(void) {
    if (my_shard < 0)
        my_shard = (int)(atomic_fetch_add_explicit(&next_shard, 1, memory_order_relaxed) % SHARDS);
    return &live[my_shard].n;
}

void *vx_alloc(size_t size) {
    void *p = calloc(1, size ? size : 1);
    if (!p)
        vx_panic(NULL, "out of memory (allocating %zu bytes)", size);
    atomic_fetch_add_explicit(counter(), 1, memory_order_relaxed);
    return p;
}

void *vx_realloc(void *p, size_t size) {
    if (!p)
        return vx_alloc(size);
    void *q = realloc(p, size ? size : 1);
    if (!q)
        vx_panic(NULL, "out of memory (allocating %zu bytes)", size);
    return q;
}

void vx_free(void *p) {
    if (!p)
        return;
    atomic_fetch_sub_explicit(counter(), 1, memory_order_relaxed);
    free(p);
}

long vx_alloc_live(void) {
    long n = 0;
    for (int i = 0; i < SHARDS; i++)
        n += atomic_load_explicit(&live[i].n, memory_order_relaxed);
    return n;
}
