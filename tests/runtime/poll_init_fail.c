/* poll_init_fail: when the poller's setup fails partway (here: registering
 * the wake-up eventfd with epoll fails), vx__pollb_init returns the error
 * and leaves no fd open. It used to return with both the epoll fd and the
 * eventfd still open. This test defines epoll_ctl itself (the executable's
 * definition wins over libc's) to fail the registration on demand, and
 * counts the open fds around the failed setup. */
#include <dirent.h>
#include <errno.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rtest.h"

int vx__pollb_init(void);

static int fail_ctl;

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev) {
    if (fail_ctl) {
        errno = ENOMEM;
        return -1;
    }
    return (int)syscall(SYS_epoll_ctl, epfd, op, fd, ev);
}

static int open_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    CHECK(d != NULL);
    int n = 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

int main(void) {
    int before = open_fds();
    fail_ctl = 1;
    CHECK_EQ(vx__pollb_init(), -ENOMEM);
    fail_ctl = 0;
    CHECK_EQ(open_fds(), before);
    /* and the runtime still starts (its own setup succeeds now) */
    vx_start(2);
    rt_clean_shutdown();
    return 0;
}
