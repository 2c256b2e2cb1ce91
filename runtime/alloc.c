/*
 * alloc.c - the one allocation choke point of libvexrt (vexrt.h part 1).
 *
 * Every heap allocation made by generated code or by the runtime goes
 * through vx_alloc/vx_realloc/vx_free, so out-of-memory is handled in one
 * place (a panic, never a NULL dereference) and tests can assert that a
 * program ends with no allocation left (vx_alloc_live). The live count is a
 * relaxed atomic: it is a statistic read at quiescent points (shutdown),
 * never used to order other memory.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "vexrt.h"

static atomic_long live;

void *vx_alloc(size_t size) {
    void *p = calloc(1, size ? size : 1);
    if (!p)
        vx_panic(NULL, "out of memory (allocating %zu bytes)", size);
    atomic_fetch_add_explicit(&live, 1, memory_order_relaxed);
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
    atomic_fetch_sub_explicit(&live, 1, memory_order_relaxed);
    free(p);
}

long vx_alloc_live(void) {
    return atomic_load_explicit(&live, memory_order_relaxed);
}
