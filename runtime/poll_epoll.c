/*
 * poll_epoll.c - the Linux backend of the poller (contract: poll.c):
 * epoll, edge-triggered, plus an eventfd for wake-ups (registered with a
 * NULL udata, level-triggered so a pending wake-up is never lost; the
 * waiter drains it).
 */
#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "rt.h"

static int epfd = -1, evfd = -1;

int vx__pollb_init(void) {
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        return -errno;
    evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (evfd < 0) {
        int e = errno;
        close(epfd);
        epfd = -1;
        return -e;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, evfd, &ev) < 0) {
        int e = errno; /* a failure partway releases what was made */
        vx__pollb_close();
        return -e;
    }
    return 0;
}

void vx__pollb_close(void) {
    if (evfd >= 0)
        close(evfd);
    if (epfd >= 0)
        close(epfd);
    epfd = evfd = -1;
}

int vx__pollb_add(int fd, void *udata) {
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = udata};
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int vx__pollb_del(int fd) {
    struct epoll_event ev = {0};
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &ev) < 0 ? -errno : 0;
}

int vx__pollb_wait(int timeout_ms, vx__pollev *out, int max) {
    struct epoll_event ev[64];
    if (max > 64)
        max = 64;
    int n = epoll_wait(epfd, ev, max, timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : -errno;
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (!ev[i].data.ptr) {
            uint64_t v;
            ssize_t r = read(evfd, &v, sizeof v);
            (void)r;
            continue;
        }
        uint32_t e = ev[i].events;
        out[k].udata = ev[i].data.ptr;
        out[k].rd = e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR);
        out[k].wr = e & (EPOLLOUT | EPOLLHUP | EPOLLERR);
        out[k].hup = e & (EPOLLRDHUP | EPOLLHUP | EPOLLERR);
        k++;
    }
    return k;
}

void vx__pollb_wakeup(void) {
    uint64_t one = 1;
    if (evfd >= 0) {
        ssize_t r = write(evfd, &one, sizeof one);
        (void)r;
    }
}
