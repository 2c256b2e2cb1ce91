/* rss.c - the resident memory of the process, for idle_mem.vx (linked by
 * `vex build idle_mem.vx common.vx rss.c`, as bench/run.sh does). */
#include <stdio.h>
#include <unistd.h>

long long bench_rss_bytes(void);

long long bench_rss_bytes(void) {
    long long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    if (fscanf(f, "%lld %lld", &pages, &resident) != 2)
        resident = 0;
    fclose(f);
    return resident * (long long)sysconf(_SC_PAGESIZE);
}
