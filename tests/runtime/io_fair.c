/* io_fair: one worker serves CONNS connections that are all busy all the
 * time, like an HTTP server under wrk: a client thread (not a worker)
 * keeps one 1-byte request in flight on every connection and sends the
 * next as soon as the echo comes back. Every connection must be served
 * about equally often: the tasks one poll wakes run after the tasks that
 * earlier polls woke (sched.c, "I/O wake-ups"). Before, the 61-tick
 * maintenance poll put its tasks ahead of the older ones at the LIFO end
 * of the deque, and the connections at its other end waited until the
 * deque drained: some connections were served a few times while others
 * were served hundreds of times. Checks that the least served connection
 * got at least a quarter of the most served one's replies (a fair run is
 * within a few percent), then that everything shuts down clean.
 * Linked against the ordinary runtime, not the test build: with the test
 * build's 4-slot deque every burst overflows to the (FIFO) global queue
 * and the old order was fair too (runtime/runtime.mk, RT_TESTS_REALCAP).
 * Before the fix, with 256 slots: min 74-203, max 424-571 replies per
 * connection (mean 312); after: 293-325. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "rtest.h"
#include "echo_task.h"

#define CONNS 128
#define TOTAL 40000 /* replies, all connections together */

static int cfd[CONNS];
static long count[CONNS];
static _Atomic int finished;


/* The client: one request in flight per connection, TOTAL replies. */
static void *client(void *arg) {
    (void)arg;
    int ep = epoll_create1(0);
    CHECK(ep >= 0);
    for (int i = 0; i < CONNS; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, cfd[i], &ev) == 0);
        CHECK(write(cfd[i], "x", 1) == 1);
    }
    long got = 0, sent = CONNS;
    while (got < sent) {
        struct epoll_event ev[64];
        int n = epoll_wait(ep, ev, 64, 10000);
        CHECK(n > 0); /* 10 s without a reply: a connection starved for good */
        for (int k = 0; k < n; k++) {
            int i = (int)ev[k].data.u32;
            char b[64];
            ssize_t r = read(cfd[i], b, sizeof b);
            if (r < 0 && errno == EAGAIN)
                continue;
            CHECK_EQ(r, 1);
            count[i]++;
            got++;
            if (sent < TOTAL) {
                CHECK(write(cfd[i], "x", 1) == 1);
                sent++;
            }
        }
    }
    close(ep);
    return NULL;
}

int main(void) {
    int fds0 = rt_count_fds();
    vx_start(1);
    for (int i = 0; i < CONNS; i++) {
        int sv[2];
        CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
        CHECK(fcntl(sv[1], F_SETFL, O_NONBLOCK) == 0);
        cfd[i] = sv[0];
        vx_sock *s = vx_sock_wrap(sv[1]);
        CHECK(s);
        echo_spawn(s, 64, &finished);
    }
    pthread_t th;
    CHECK(pthread_create(&th, NULL, client, NULL) == 0);
    pthread_join(th, NULL);
    long lo = count[0], hi = count[0], sum = 0;
    for (int i = 0; i < CONNS; i++) {
        lo = count[i] < lo ? count[i] : lo;
        hi = count[i] > hi ? count[i] : hi;
        sum += count[i];
    }
    CHECK_EQ(sum, TOTAL);
    if (getenv("IO_FAIR_VERBOSE"))
        fprintf(stderr, "replies per connection: min %ld max %ld mean %ld\n", lo, hi, sum / CONNS);
    CHECK(lo * 4 >= hi);
    for (int i = 0; i < CONNS; i++)
        close(cfd[i]); /* the echo tasks read the end and finish */
    while (atomic_load(&finished) < CONNS) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    rt_clean_shutdown_fds(fds0);
    return 0;
}
