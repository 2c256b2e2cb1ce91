/* chan_overflow: vx_chan_new sizes its buffer as elem_size * cap; a product
 * (or header + product) that does not fit in size_t is a panic, "capacity
 * overflow", as Vec and string give. It used to wrap: a capacity of 2^61
 * of 8-byte values made a buffer of 0 bytes, and the first send wrote past
 * the block. Each case runs in a child, which must exit 101 with the
 * message; a capacity that fits still works. */
#include <stdint.h>

#include "rtest.h"

static void cap_2_61(void) { vx_chan_new(8, (size_t)1 << 61); }
static void cap_header(void) { vx_chan_new(8, SIZE_MAX / 8); } /* only the header overflows */
static void cap_bytes(void) { vx_chan_new(1, SIZE_MAX - 8); }

int main(void) {
    void (*cases[])(void) = {cap_2_61, cap_header, cap_bytes};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[256], err[1024];
        int st = run_child(cases[i], out, sizeof out, err, sizeof err);
        if (st != 101 || !strstr(err, "panic: capacity overflow"))
            fprintf(stderr, "case %zu: status %d, stderr:\n%s\n", i, st, err);
        CHECK_EQ(st, 101);
        CHECK(strstr(err, "panic: capacity overflow") != NULL);
    }
    vx_chan *c = vx_chan_new(sizeof(long), 1000);
    vx_chan_release(c);
    rt_clean_shutdown();
    return 0;
}
