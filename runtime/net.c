/*
 * net.c - TCP on the poller: listen, accept, connect, read, read_exact,
 * write, close, deadlines, IoError.
 *
 * THE OPERATIONS ARE FRAMES (vexrt.h part 4, "THE SHAPE"). vx_net_op starts
 * with a vx_frame whose parent is the caller's frame; vx_net_read & co.
 * initialise it and run its resume function once. When it suspends, the
 * op's frame is the task's innermost frame (task->top); the worker resumes
 * it on the wake-up, the op retries its syscall, and when it completes (its
 * resume returns VX_READY) the worker resumes the caller. State ST_DONE
 * only returns VX_READY: a completion that spent the task's budget (vx__done)
 * suspends the op in ST_DONE, so the task yields and the caller still sees a
 * completed operation.
 *
 * READINESS. Each socket is registered once with the poller (vx_io_open,
 * edge-triggered). An op tries the syscall and on EAGAIN waits with
 * vx_io_wait (poll.c's protocol: the edge is stored or handed over, never
 * lost), then tries again. A read that returned fewer bytes than asked for
 * drained the socket: the next read waits first instead of paying for an
 * EAGAIN (any byte that arrives after that read makes a new edge, stored as
 * READY if nobody waits yet; a stale READY only costs one EAGAIN), unless
 * the poller has reported a hang-up: a FIN (or RST) that arrived with the
 * data shares its edge, and read() reports it only on the NEXT call, so
 * waiting for another edge would wait forever (tokio's "short read clears
 * readiness" has the same exception, its READ_CLOSED bit). The hang-up bit
 * is stored before the event's readiness is published, so a read that
 * follows the wake sees it.
 *
 * DEADLINES (per wait, on the timer heap). When an op with a deadline
 * suspends in vx_io_wait it arms op->tm for the deadline, tstate = ARMED.
 * Two things may then end the wait, and the readiness word decides which:
 *   the event:  poll.c's CAS takes the task off the word and wakes it;
 *   the timer:  tfire's CAS (vx__io_unwait) takes the task off the word,
 *               sets timed_out and wakes it; if the event was first the
 *               CAS fails and the timer does nothing.
 * Exactly one CAS succeeds, so the task is woken exactly once. The fire
 * ends with tstate = FIRED (release) and never touches the op afterwards.
 * The first thing the op does when resumed (wait_end) is cancel the timer;
 * if cancel says it fired or is firing, it spins until FIRED, so the fire
 * never reads an op that moved on (or a frame that was freed), and the next
 * wait cannot be taken by an old timer. A fire that finds the task merely
 * yielding (vx_io_wait completed with the budget spent) finds no task on
 * the word and does nothing.
 *
 * TEARDOWN (vx_net_op_drop, called by a drop hook of a task that is not
 * running): the same cancel-and-wait on the timer, then vx__io_unwait so
 * that no later event wakes a freed task, then cancel the resolver job
 * (blocking.c frees it when getaddrinfo returns), free the addresses,
 * close the socket being connected and any result not taken.
 *
 * No fd leaks: an fd is owned by exactly one of: the op while connecting
 * (csock), the op's result (sock), the caller after a take. Every error
 * path closes what the op owns before it completes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rt.h"

struct vx_sock {
    vx_io *io;
    _Atomic uint32_t refs;  /* owners (vx_sock_retain); the last close closes */
    int64_t rd_ns, wr_ns; /* timeouts, 0 = none */
    uint8_t rd_drained;   /* the last read was short: wait before reading */
};

enum { T_IDLE = 0, T_ARMED = 1, T_FIRED = 2 };
#define ST_DONE 100u

/* ---- IoError -------------------------------------------------------------- */

static const char *const kind_names[] = {
    "Ok",           "NotFound",   "ConnectionRefused", "ConnectionReset",
    "TimedOut",     "AddrInUse",  "AddrNotAvailable",  "InvalidInput",
    "UnexpectedEof", "BrokenPipe", "Unreachable",       "TooManyOpenFiles",
    "Other",
};

const char *vx_io_kind_name(int32_t kind) {
    if (kind < 0 || kind > VX_IOK_OTHER)
        kind = VX_IOK_OTHER;
    return kind_names[kind];
}

static int kind_of_errno(int e) {
    switch (e) {
    case ECONNREFUSED: return VX_IOK_REFUSED;
    case ECONNRESET: case ECONNABORTED: return VX_IOK_RESET;
    case ETIMEDOUT: return VX_IOK_TIMED_OUT;
    case EADDRINUSE: return VX_IOK_ADDR_IN_USE;
    case EADDRNOTAVAIL: return VX_IOK_ADDR_NOT_AVAILABLE;
    case EINVAL: case EAFNOSUPPORT: return VX_IOK_INVALID_INPUT;
    case EPIPE: return VX_IOK_BROKEN_PIPE;
    case ENETUNREACH: case EHOSTUNREACH: return VX_IOK_UNREACHABLE;
    case EMFILE: case ENFILE: return VX_IOK_TOO_MANY_FILES;
    default: return VX_IOK_OTHER;
    }
}

static void set_errno(vx_io_error *err, int e) {
    err->kind = kind_of_errno(e);
    err->code = e;
}

vx_str *vx_io_error_message(const vx_io_error *e) {
    char buf[256];
    switch (e->kind) {
    case VX_IOK_OK:
        snprintf(buf, sizeof buf, "success");
        break;
    case VX_IOK_NOT_FOUND:
        if (e->code < 0)
            snprintf(buf, sizeof buf, "failed to resolve the address: %s", gai_strerror(-e->code));
        else
            snprintf(buf, sizeof buf, "failed to resolve the address: no address found");
        break;
    case VX_IOK_TIMED_OUT:
        if (e->code == 0) {
            snprintf(buf, sizeof buf, "the operation timed out");
            break;
        }
        /* fallthrough */
    default:
        if (e->code > 0)
            snprintf(buf, sizeof buf, "%s (os error %d)", strerror(e->code), e->code);
        else if (e->kind == VX_IOK_UNEXPECTED_EOF)
            snprintf(buf, sizeof buf, "the stream ended before the bytes expected");
        else if (e->kind == VX_IOK_INVALID_INPUT)
            snprintf(buf, sizeof buf, "invalid address (expected host:port)");
        else
            snprintf(buf, sizeof buf, "%s", vx_io_kind_name(e->kind));
    }
    /* strerror gives "Connection refused": Rust's messages are lower case */
    if (buf[0] >= 'A' && buf[0] <= 'Z' && buf[1] >= 'a' && buf[1] <= 'z')
        buf[0] = (char)(buf[0] - 'A' + 'a');
    return vx_str_from_cstr(buf);
}

/* ---- sockets ----------------------------------------------------------------- */

static vx_sock *sock_new(vx_io *io) {
    vx_sock *s = vx_alloc(sizeof *s);
    s->io = io;
    atomic_init(&s->refs, 1);
    return s;
}

int vx_sock_fd(vx_sock *s) { return vx_io_fd(s->io); }

vx_sock *vx_sock_wrap(int fd) {
    vx_io *io = vx_io_open(fd);
    return io ? sock_new(io) : NULL;
}

void vx_sock_retain(vx_sock *s) { atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed); }

void vx_sock_close(vx_sock *s) {
    if (!s || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    vx_io_close(s->io);
    vx_free(s);
}

void vx_sock_shutdown_write(vx_sock *s) { shutdown(vx_sock_fd(s), SHUT_WR); }

void vx_sock_set_timeouts(vx_sock *s, int64_t read_ms, int64_t write_ms) {
    s->rd_ns = read_ms > 0 ? read_ms * 1000000 : 0;
    s->wr_ns = write_ms > 0 ? write_ms * 1000000 : 0;
}

int vx_sock_local_port(vx_sock *s) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(vx_sock_fd(s), (struct sockaddr *)&ss, &len) < 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -1;
}

long vx_sock_try_read(vx_sock *s, void *buf, size_t n, vx_io_error *err) {
    if (s->rd_drained)
        return -1; /* known empty: wait for the next edge (banner) */
    for (;;) {
        /* syscall(), not read(): glibc's read() and send() are pthread
         * cancellation points, and the bookkeeping around the syscall was
         * 1% of an HTTP server's CPU (we never cancel a worker thread). */
        ssize_t r = syscall(SYS_read, vx_sock_fd(s), buf, n);
        if (r >= 0) {
            if (r > 0 && (size_t)r < n && !vx__io_hup(s->io))
                s->rd_drained = 1;
            return (long)r;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return -1;
        set_errno(err, errno);
        return -2;
    }
}

long vx_sock_try_write(vx_sock *s, const void *buf, size_t n, vx_io_error *err) {
    for (;;) {
        ssize_t r = syscall(SYS_sendto, vx_sock_fd(s), buf, n, MSG_NOSIGNAL, NULL, 0); /* send(): see try_read */
        if (r >= 0)
            return (long)r;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return -1;
        set_errno(err, errno);
        return -2;
    }
}

/* ---- waiting with a deadline ------------------------------------------------ */

static void tfire(vx_timer *tm) {
    vx_net_op *op = tm->arg;
    vx_task *t = op->task;
    if (vx__io_unwait(op->wio, op->wdir, t)) {
        op->timed_out = 1;
        vx__task_wake(t); /* release: timed_out */
    }
    st_release(&op->tstate, T_FIRED); /* the last touch of op */
}

/* Stop the deadline timer of the last wait: afterwards no fire runs. */
static void timer_stop(vx_net_op *op) {
    if (ld_relaxed(&op->tstate) == T_IDLE)
        return;
    /* At shutdown the timers were disarmed without firing and the workers
     * (where a fire runs) are joined: nothing to wait for. */
    if (!vx_timer_cancel(&op->tm) && !ld_relaxed(&vx__g.stopping))
        while (ld_acquire(&op->tstate) != T_FIRED)
            cpu_relax();
    st_relaxed(&op->tstate, T_IDLE);
}

/* Wait until dir of s may be ready, or op->deadline (0: none). VX_READY:
 * go on (op->err is TIMED_OUT if the deadline had passed); VX_PENDING:
 * suspended, and the resume must call wait_end first. */
static vx_poll wait_io(vx_net_op *op, vx_task *task, vx_sock *s, int dir) {
    if (op->deadline && vx_now_ns() >= op->deadline) {
        op->err.kind = VX_IOK_TIMED_OUT;
        op->err.code = 0;
        return VX_READY;
    }
    op->task = task;
    op->wio = s->io;
    op->wdir = dir;
    if (vx_io_wait(&op->base, task, s->io, dir, op->at) == VX_READY) {
        op->wio = NULL;
        return VX_READY;
    }
    if (op->deadline) {
        op->timed_out = 0;
        op->tm.arg = op;
        st_relaxed(&op->tstate, T_ARMED);
        vx_timer_start(&op->tm, op->deadline, tfire);
    }
    return VX_PENDING;
}

static void wait_end(vx_net_op *op) {
    timer_stop(op);
    op->wio = NULL;
    if (op->timed_out) {
        op->timed_out = 0;
        op->err.kind = VX_IOK_TIMED_OUT;
        op->err.code = 0;
    }
}

/* Complete the op (budget-aware; see the banner). */
static vx_poll finish(vx_net_op *op, vx_task *task) {
    op->base.state = ST_DONE;
    return vx__done(&op->base, task, op->at);
}

/* Every field an operation or vx_net_op_drop reads, set without reading
 * the old contents (the frame holding op may be fresh, uninitialised
 * memory; results of an earlier operation were taken or dropped). */
static void init(vx_net_op *op, vx_frame *self, vx_task *task, vx_resume_fn fn, vx_sock *s,
                 const vx_loc *at) {
    vx_frame_init(&op->base, fn, self);
    op->err.kind = op->err.code = 0;
    op->data = (vx_vec)VX_VEC_INIT;
    op->sock = NULL;
    op->at = at;
    op->task = task;
    op->s = s;
    op->wio = NULL;
    st_relaxed(&op->tstate, T_IDLE);
    op->timed_out = 0;
    op->deadline = 0;
    op->done = 0;
    op->job = NULL;
    op->ai = op->cur = NULL;
    op->csock = NULL;
    op->last_errno = 0;
}

void vx__net_op_clear(vx_net_op *op) { init(op, NULL, NULL, NULL, NULL, NULL); }

static vx_poll start(vx_net_op *op, vx_frame *self, vx_task *task, vx_resume_fn fn,
                     vx_sock *s, const vx_loc *at) {
    init(op, self, task, fn, s, at);
    return fn(&op->base, task);
}

static int64_t deadline_in(int64_t ns) { return ns > 0 ? vx_now_ns() + ns : 0; }

vx_vec vx_net_op_take_data(vx_net_op *op) {
    vx_vec v = op->data;
    op->data = (vx_vec)VX_VEC_INIT;
    return v;
}

vx_sock *vx_net_op_take_sock(vx_net_op *op) {
    vx_sock *s = op->sock;
    op->sock = NULL;
    return s;
}

/* ---- vx_sock_wait --------------------------------------------------------------- */

static vx_poll sockwait_resume(vx_frame *self, vx_task *task) {
    vx_net_op *op = (vx_net_op *)self;
    switch (op->base.state) {
    case 0:
        op->deadline = deadline_in(op->wdir == VX_IO_READ ? op->s->rd_ns : op->s->wr_ns);
        op->base.state = 1;
        if (wait_io(op, task, op->s, op->wdir) == VX_PENDING)
            return VX_PENDING;
        if (op->wdir == VX_IO_READ)
            op->s->rd_drained = 0;
        return finish(op, task);
    case 1:
        wait_end(op);
        if (op->wdir == VX_IO_READ)
            op->s->rd_drained = 0;
        return finish(op, task);
    default:
        return VX_READY;
    }
}

vx_poll vx_sock_wait(vx_frame *self, vx_task *task, vx_net_op *op, vx_sock *s, int dir,
                     const vx_loc *at) {
    init(op, self, task, sockwait_resume, s, at);
    op->wdir = dir;
    return sockwait_resume(&op->base, task);
}

/* ---- read, read_exact, write ----------------------------------------------------- */

enum { READ_CHUNK = 64 * 1024 };

static vx_poll read_resume(vx_frame *self, vx_task *task) {
    vx_net_op *op = (vx_net_op *)self;
    vx_sock *s = op->s;
    switch (op->base.state) {
    case 0:
        op->deadline = deadline_in(s->rd_ns);
        break;
    case 1:
        wait_end(op);
        if (op->err.kind)
            goto fail;
        s->rd_drained = 0;
        break;
    default:
        return VX_READY;
    }
    for (;;) {
        /* the buffer grows with what arrives (READ_CHUNK, then doubling),
         * never to a size the peer only announced: read(1 << 40) and
         * read_exact(a length the peer sent) allocate what they get */
        size_t want = op->n - op->data.len;
        if (op->data.cap == op->data.len) {
            size_t more = op->data.len > READ_CHUNK ? op->data.len : READ_CHUNK;
            vx_vec_reserve(&op->data, 1, more < want ? more : want);
        }
        size_t room = op->data.cap - op->data.len;
        long r = vx_sock_try_read(s, (char *)op->data.data + op->data.len, room < want ? room : want,
                                  &op->err);
        if (r > 0) {
            op->data.len += (size_t)r;
            if (op->mode == 0 || op->data.len == op->n) /* read: any; read_exact: all */
                return finish(op, task);
            continue;
        }
        if (r == 0) {
            if (op->data.len == 0)
                vx_vec_free(&op->data); /* the end: no buffer */
            if (op->mode) { /* read_exact */
                op->err.kind = VX_IOK_UNEXPECTED_EOF;
                op->err.code = 0;
                goto fail;
            }
            return finish(op, task);
        }
        if (r == -2)
            goto fail;
        op->base.state = 1;
        if (wait_io(op, task, s, VX_IO_READ) == VX_PENDING)
            return VX_PENDING;
        if (op->err.kind)
            goto fail;
        s->rd_drained = 0;
    }
fail:
    vx_vec_free(&op->data);
    return finish(op, task);
}

vx_poll vx_net_read(vx_frame *self, vx_task *task, vx_net_op *op, vx_sock *s, size_t max,
                    const vx_loc *at) {
    op->n = max ? max : 1;
    op->mode = 0;
    return start(op, self, task, read_resume, s, at);
}

vx_poll vx_net_read_exact(vx_frame *self, vx_task *task, vx_net_op *op, vx_sock *s, size_t n,
                          const vx_loc *at) {
    if (n == 0) {
        init(op, self, task, read_resume, s, at);
        return finish(op, task);
    }
    op->n = n;
    op->mode = 1; /* exact */
    return start(op, self, task, read_resume, s, at);
}

static vx_poll write_resume(vx_frame *self, vx_task *task) {
    vx_net_op *op = (vx_net_op *)self;
    vx_sock *s = op->s;
    switch (op->base.state) {
    case 0:
        op->deadline = deadline_in(s->wr_ns);
        break;
    case 1:
        wait_end(op);
        if (op->err.kind)
            return finish(op, task);
        break;
    default:
        return VX_READY;
    }
    while (op->done < op->n) {
        long r = vx_sock_try_write(s, op->wp + op->done, op->n - op->done, &op->err);
        if (r >= 0) {
            op->done += (size_t)r;
            continue;
        }
        if (r == -2)
            return finish(op, task);
        op->base.state = 1;
        if (wait_io(op, task, s, VX_IO_WRITE) == VX_PENDING)
            return VX_PENDING;
        if (op->err.kind)
            return finish(op, task);
    }
    return finish(op, task);
}

vx_poll vx_net_write(vx_frame *self, vx_task *task, vx_net_op *op, vx_sock *s, const void *p,
                     size_t n, const vx_loc *at) {
    op->wp = p;
    op->n = n;
    return start(op, self, task, write_resume, s, at);
}

/* ---- accept ------------------------------------------------------------------------ */

static void tune(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Wrap a new non-blocking fd; closes it on failure. */
static vx_sock *wrap_fd(int fd, vx_io_error *err) {
    vx_io *io = vx_io_open(fd);
    if (!io) {
        set_errno(err, errno);
        close(fd);
        return NULL;
    }
    return sock_new(io);
}

static vx_poll accept_resume(vx_frame *self, vx_task *task) {
    vx_net_op *op = (vx_net_op *)self;
    vx_sock *l = op->s;
    switch (op->base.state) {
    case 0:
        op->deadline = deadline_in(l->rd_ns);
        break;
    case 1:
        wait_end(op);
        if (op->err.kind)
            return finish(op, task);
        break;
    default:
        return VX_READY;
    }
    for (;;) {
        int fd = accept4(vx_sock_fd(l), NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            tune(fd);
            op->sock = wrap_fd(fd, &op->err);
            return finish(op, task);
        }
        int e = errno;
        if (e == EINTR || e == ECONNABORTED || e == EPROTO)
            continue;
        if (e != EAGAIN && e != EWOULDBLOCK) {
            set_errno(&op->err, e);
            return finish(op, task);
        }
        op->base.state = 1;
        if (wait_io(op, task, l, VX_IO_READ) == VX_PENDING)
            return VX_PENDING;
        if (op->err.kind)
            return finish(op, task);
    }
}

vx_poll vx_net_accept(vx_frame *self, vx_task *task, vx_net_op *op, vx_sock *listener,
                      const vx_loc *at) {
    return start(op, self, task, accept_resume, listener, at);
}

/* ---- name resolution ------------------------------------------------------------------ */

typedef int (*resolver_fn)(const char *host, const char *port, const struct addrinfo *hints,
                           struct addrinfo **res);
static _Atomic(resolver_fn) resolver;

void vx_net_set_resolver(resolver_fn fn) { st_release(&resolver, fn); }

typedef struct {
    char host[256], port[32];
    int passive;
    int rc;
    struct addrinfo *res;
} resolve_job;

static void resolve_run(void *data) {
    resolve_job *r = data;
    struct addrinfo hints = {0};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = r->passive ? AI_PASSIVE : 0;
    resolver_fn fn = ld_acquire(&resolver);
    r->rc = (fn ? fn : getaddrinfo)(r->host[0] ? r->host : NULL, r->port, &hints, &r->res);
    if (r->rc != 0)
        r->res = NULL;
}

static void resolve_dtor(void *data) {
    resolve_job *r = data;
    if (r->res)
        freeaddrinfo(r->res);
}

/* Split "host:port" / "[v6]:port" / ":port" into the job; false if malformed. */
static bool split_addr(const vx_str *addr, char *host, size_t hsz, char *port, size_t psz) {
    const char *p = vx_str_cstr(addr), *colon;
    size_t n = vx_str_len(addr);
    if (strlen(p) != n)
        return false;
    if (p[0] == '[') {
        const char *close_ = strchr(p, ']');
        if (!close_ || close_[1] != ':')
            return false;
        size_t hl = (size_t)(close_ - p - 1);
        if (hl >= hsz)
            return false;
        memcpy(host, p + 1, hl);
        host[hl] = 0;
        colon = close_ + 1;
    } else {
        colon = strrchr(p, ':');
        if (!colon)
            return false;
        size_t hl = (size_t)(colon - p);
        if (hl >= hsz || memchr(p, ':', hl))
            return false;
        memcpy(host, p, hl);
        host[hl] = 0;
    }
    size_t pl = strlen(colon + 1);
    if (pl == 0 || pl >= psz)
        return false;
    for (size_t i = 0; i < pl; i++)
        if (colon[1 + i] < '0' || colon[1 + i] > '9')
            return false;
    memcpy(port, colon + 1, pl + 1);
    return true;
}

/* State 0 of listen and connect: the addresses into op->ai, numerically at
 * once or through the pool. VX_READY when op->ai (or op->err) is set;
 * VX_PENDING when a job runs (resume in state 1, then resolve_end). */
static vx_poll resolve_begin(vx_net_op *op, vx_task *task, const vx_str *addr) {
    vx_job *j = vx_job_new(resolve_run, resolve_dtor, sizeof(resolve_job));
    resolve_job *r = vx_job_data(j);
    r->passive = op->mode;
    if (!split_addr(addr, r->host, sizeof r->host, r->port, sizeof r->port)) {
        vx_job_free(j);
        op->err.kind = VX_IOK_INVALID_INPUT;
        op->err.code = 0;
        return VX_READY;
    }
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | (op->mode ? AI_PASSIVE : 0);
    int rc = getaddrinfo(r->host[0] ? r->host : NULL, r->port, &hints, &res);
    if (rc == 0 || !r->host[0]) { /* numeric: no blocking call */
        vx_job_free(j);
        if (rc != 0) {
            op->err.kind = VX_IOK_NOT_FOUND;
            op->err.code = -rc;
            return VX_READY;
        }
        op->ai = res;
        return VX_READY;
    }
    op->job = j;
    op->base.state = 1;
    return vx_job_await(&op->base, task, j, op->at);
}

static void resolve_end(vx_net_op *op) {
    resolve_job *r = vx_job_data(op->job);
    if (r->rc != 0 || !r->res) {
        op->err.kind = VX_IOK_NOT_FOUND;
        op->err.code = r->rc ? -r->rc : 0;
    } else {
        op->ai = r->res;
        r->res = NULL;
    }
    vx_job_free(op->job);
    op->job = NULL;
}

static void free_ai(vx_net_op *op) {
    if (op->ai)
        freeaddrinfo(op->ai);
    op->ai = op->cur = NULL;
}

/* ---- listen -------------------------------------------------------------------------- */

static void do_listen(vx_net_op *op) {
    int last = 0;
    for (struct addrinfo *a = op->ai; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            last = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) < 0 || listen(fd, 4096) < 0) {
            last = errno;
            close(fd);
            continue;
        }
        op->err.kind = op->err.code = 0;
        op->sock = wrap_fd(fd, &op->err);
        return;
    }
    set_errno(&op->err, last ? last : EADDRNOTAVAIL);
}

static vx_poll listen_resume(vx_frame *self, vx_task *task) {
    vx_net_op *op = (vx_net_op *)self;
    switch (op->base.state) {
    case 0:
        if (resolve_begin(op, task, (const vx_str *)op->wp) == VX_PENDING)
            return VX_PENDING;
        break;
    case 1:
        resolve_end(op);
        break;
    default:
        return VX_READY;
    }
    if (!op->err.kind)
        do_listen(op);
    free_ai(op);
    return finish(op, task);
}

vx_poll vx_net_listen(vx_frame *self, vx_task *task, vx_net_op *op, const vx_str *addr,
                      const vx_loc *at) {
    op->wp = (const unsigned char *)addr;
    op->mode = 1;
    return start(op, self, task, listen_resume, NULL, at);
}

/* ---- connect ---------------------------------------------------------------------------- */

static vx_poll connect_resume(vx_frame *self, vx_task *task) {
    vx_net_op *op = (vx_net_op *)self;
    switch (op->base.state) {
    case 0:
        if (resolve_begin(op, task, (const vx_str *)op->wp) == VX_PENDING)
            return VX_PENDING;
        goto resolved;
    case 1:
        resolve_end(op);
        goto resolved;
    case 2:
        goto waited;
    default:
        return VX_READY;
    }
resolved:
    if (op->err.kind)
        goto out;
    op->last_errno = 0;
    op->deadline = deadline_in(op->deadline);
    for (op->cur = op->ai; op->cur; op->cur = ((struct addrinfo *)op->cur)->ai_next) {
        {
            struct addrinfo *a = op->cur;
            int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                op->last_errno = errno;
                continue;
            }
            tune(fd);
            int r;
            do
                r = connect(fd, a->ai_addr, a->ai_addrlen);
            while (r < 0 && errno == EINTR);
            if (r < 0 && errno != EINPROGRESS) {
                op->last_errno = errno;
                close(fd);
                continue;
            }
            /* Registered after connect(): the registration reports the state
             * of now (ready if it connected meanwhile), then edges. */
            op->csock = wrap_fd(fd, &op->err);
            if (!op->csock)
                goto out;
            if (r == 0)
                goto connected;
        }
        for (;;) {
            op->base.state = 2;
            if (wait_io(op, task, op->csock, VX_IO_WRITE) == VX_PENDING)
                return VX_PENDING;
            goto check;
        waited:
            wait_end(op);
        check:
            if (op->err.kind) {
                vx_sock_close(op->csock);
                op->csock = NULL;
                goto out;
            }
            int soerr = 0;
            socklen_t len = sizeof soerr;
            if (getsockopt(vx_sock_fd(op->csock), SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
                soerr = errno;
            if (soerr == 0) {
                struct sockaddr_storage ss;
                socklen_t sl = sizeof ss;
                if (getpeername(vx_sock_fd(op->csock), (struct sockaddr *)&ss, &sl) == 0)
                    goto connected;
                if (errno == ENOTCONN)
                    continue; /* a spurious readiness: still connecting */
                soerr = errno;
            }
            op->last_errno = soerr;
            vx_sock_close(op->csock);
            op->csock = NULL;
            break;
        }
    }
    set_errno(&op->err, op->last_errno ? op->last_errno : EADDRNOTAVAIL);
    goto out;
connected:
    op->sock = op->csock;
    op->csock = NULL;
out:
    free_ai(op);
    return finish(op, task);
}

vx_poll vx_net_connect(vx_frame *self, vx_task *task, vx_net_op *op, const vx_str *addr,
                       int64_t timeout_ms, const vx_loc *at) {
    init(op, self, task, connect_resume, NULL, at);
    op->wp = (const unsigned char *)addr;
    op->mode = 0;
    op->deadline = timeout_ms > 0 ? timeout_ms * 1000000 : 0; /* relative until resolved */
    return connect_resume(&op->base, task);
}

/* ---- teardown ------------------------------------------------------------------------------ */

void vx_net_op_drop(vx_net_op *op) {
    timer_stop(op);
    if (op->wio) {
        vx__io_unwait(op->wio, op->wdir, op->task);
        op->wio = NULL;
    }
    if (op->job) {
        vx_job_free(op->job);
        op->job = NULL;
    }
    free_ai(op);
    if (op->csock) {
        vx_sock_close(op->csock);
        op->csock = NULL;
    }
    if (op->sock) {
        vx_sock_close(op->sock);
        op->sock = NULL;
    }
    vx_vec_free(&op->data);
}

/* Both directions (the language's close(): the connection ends now, even
 * while another owner keeps the object until it drops it). */
void vx_sock_shutdown(vx_sock *s) {
    if (s)
        shutdown(vx_sock_fd(s), SHUT_RDWR);
}
