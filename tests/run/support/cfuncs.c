/* Helper for tests/run/extern_c_file.vx: C functions linked into a Vex
 * program given on the command line. */
#include <stdint.h>

int32_t triple(int32_t x) { return 3 * x; }

int64_t sum_to(int64_t n) {
    int64_t s = 0;
    for (int64_t i = 1; i <= n; i++)
        s += i;
    return s;
}

double half(double x) { return x / 2.0; }
