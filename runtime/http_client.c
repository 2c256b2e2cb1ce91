/*
 * http_client.c - the HTTP client: libcurl's multi-socket interface driven
 * by our poller and timers (curl_multi_socket_action with
 * CURLMOPT_SOCKETFUNCTION and CURLMOPT_TIMERFUNCTION), so any number of
 * tasks fetch at once on one multi handle and no worker ever blocks in curl.
 * libcurl brings https, redirects, chunked and compressed bodies, and its
 * threaded resolver (Debian's build has AsynchDNS), so name resolution
 * never blocks either.
 *
 * THE PIECES.
 *   - One multi handle for the process (connection reuse across tasks),
 *     under `cl.lock`: every curl_multi_* call and every curl callback runs
 *     with the lock held (a multi handle is single-threaded).
 *   - An INNER epoll fd holding curl's sockets, level-triggered, with the
 *     interest curl asks for in the socket callback; plus `kick`, an
 *     eventfd that makes the inner epoll readable on demand.
 *   - The DRIVER: a task that exists while transfers are in the multi. It
 *     registers a dup of the inner epoll fd with the poller (an epoll fd is
 *     readable when it has events; edge-triggered outside, which is enough
 *     because the driver empties the inner epoll before it waits) and loops:
 *     take the inner events (epoll_wait, timeout 0) and hand each to
 *     curl_multi_socket_action; if curl's timer is due, hand it the timeout;
 *     collect finished transfers (curl_multi_info_read), remove them and
 *     wake their tasks; then, when nothing is left to do, wait for the inner
 *     epoll with curl's timeout as the deadline (vx_sock_wait: a readiness
 *     wait raced against a vx_timer, net.c). With no transfer left it ends
 *     (so an idle program has no task and no fd on the poller).
 *   - A REQUEST (vx_http_get/post) builds an easy handle, records its task,
 *     suspends, and under the lock adds the handle, starts a driver if none
 *     runs, and kicks the driver (curl's timer callback asks for a timeout
 *     of 0 for a new handle). Resumption means completion: the driver wrote
 *     the status, the error and the body into the request's block before it
 *     woke the task (the wake's release publishes them).
 *
 * WHO WAKES WHOM, exactly once: a request task is woken only by the driver,
 * once, after its handle left the multi (under the lock, so a drop that
 * takes the lock afterwards sees `in_multi` false). The driver is woken by
 * the poller or its deadline timer (net.c's protocol). A driver that
 * decides to end does so under the lock with `driver = false`, so a request
 * added afterwards starts a new one.
 *
 * TEARDOWN: vx_http_fetch_drop takes the lock and removes the handle from
 * the multi if it is still there, then frees the easy handle and the
 * buffers. The driver's own drop hook (at shutdown) closes its poller
 * registration and clears `driver`.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "rt.h"

struct vx_http_fetch {
    CURL *easy;
    struct curl_slist *hdrs;
    vx_task *task;
    vx_http_fetch_op *op;
    bool in_multi;               /* cl.lock */
    CURLcode code;
    long status;
    long os_errno;
    vx_vec body;
    char *rh;                    /* the response's header lines */
    size_t rh_len, rh_cap;
    size_t max_body;
    bool too_big;
    char errbuf[CURL_ERROR_SIZE];
};

static struct {
    pthread_mutex_t lock;
    bool init;               /* lock */
    CURLM *multi;            /* lock */
    int epfd, kick;          /* lock (set up once) */
    int64_t timeout_at;      /* lock: curl's deadline, INT64_MAX if none */
    bool driver;             /* lock: a driver task runs */
    bool in_driver;          /* lock: the driver is inside curl */
    long handles;            /* lock: easy handles in the multi */
} cl = {.lock = PTHREAD_MUTEX_INITIALIZER, .epfd = -1, .kick = -1};

static void kick(void) {
    uint64_t one = 1;
    ssize_t r = write(cl.kick, &one, sizeof one);
    (void)r;
}

/* ---- curl's callbacks (cl.lock held) ------------------------------------- */

static int socket_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp) {
    (void)e;
    (void)userp;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(cl.epfd, EPOLL_CTL_DEL, s, NULL);
        curl_multi_assign(cl.multi, s, NULL);
        return 0;
    }
    struct epoll_event ev = {0};
    ev.data.fd = s;
    ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
    if (!socketp) {
        if (epoll_ctl(cl.epfd, EPOLL_CTL_ADD, s, &ev) < 0 && errno == EEXIST)
            epoll_ctl(cl.epfd, EPOLL_CTL_MOD, s, &ev);
        curl_multi_assign(cl.multi, s, (void *)1);
    } else if (epoll_ctl(cl.epfd, EPOLL_CTL_MOD, s, &ev) < 0 && errno == ENOENT) {
        epoll_ctl(cl.epfd, EPOLL_CTL_ADD, s, &ev);
    }
    if (!cl.in_driver)
        kick();
    return 0;
}

static int timer_cb(CURLM *m, long ms, void *userp) {
    (void)m;
    (void)userp;
    cl.timeout_at = ms < 0 ? INT64_MAX : vx_now_ns() + (int64_t)ms * 1000000;
    if (!cl.in_driver)
        kick(); /* the driver recomputes its deadline */
    return 0;
}

static size_t write_cb(char *p, size_t size, size_t n, void *userp) {
    struct vx_http_fetch *f = userp;
    size_t len = size * n;
    if (f->body.len + len > f->max_body) {
        f->too_big = true;
        return 0; /* curl stops: CURLE_WRITE_ERROR */
    }
    vx_vec_reserve(&f->body, 1, len);
    memcpy((char *)f->body.data + f->body.len, p, len);
    f->body.len += len;
    return len;
}

static size_t header_cb(char *p, size_t size, size_t n, void *userp) {
    struct vx_http_fetch *f = userp;
    size_t len = size * n;
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0)
        f->rh_len = 0; /* a new response (a redirect, 100 Continue): forget the last */
    if (f->rh_len + len > f->rh_cap) {
        size_t cap = f->rh_cap ? f->rh_cap : 512;
        while (cap < f->rh_len + len)
            cap *= 2;
        f->rh = vx_realloc(f->rh, cap);
        f->rh_cap = cap;
    }
    memcpy(f->rh + f->rh_len, p, len);
    f->rh_len += len;
    return len;
}

static void client_init(void) { /* cl.lock held */
    if (cl.init)
        return;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    cl.multi = curl_multi_init();
    curl_multi_setopt(cl.multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(cl.multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    cl.epfd = epoll_create1(EPOLL_CLOEXEC);
    cl.kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (!cl.multi || cl.epfd < 0 || cl.kick < 0)
        vx_panic(NULL, "cannot set up the HTTP client: %s", strerror(errno));
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = cl.kick};
    epoll_ctl(cl.epfd, EPOLL_CTL_ADD, cl.kick, &ev);
    cl.timeout_at = INT64_MAX;
    cl.init = true;
}

void vx_http_client_reset(void) {
    pthread_mutex_lock(&cl.lock);
    VX_ASSERT(cl.handles == 0 && !cl.driver);
    if (cl.init) {
        curl_multi_cleanup(cl.multi);
        close(cl.epfd);
        close(cl.kick);
        cl.multi = NULL;
        cl.epfd = cl.kick = -1;
        cl.init = false;
    }
    pthread_mutex_unlock(&cl.lock);
}

/* ---- the driver ------------------------------------------------------------ */

typedef struct {
    vx_frame base;
    vx_sock *ep;   /* the dup of the inner epoll fd, on the poller */
    vx_net_op op;
    int rounds;
} driver_frame;

static const vx_loc driver_loc = {"<vexrt http client>", 0, 0};

/* One round under the lock: events, the timeout, finished transfers. Fills
 * `done` with the fetches to wake; returns whether the inner epoll had
 * events (then the driver goes round again before waiting). */
static bool drive(struct vx_http_fetch **done, int *ndone, int max) {
    struct epoll_event ev[64];
    int n = epoll_wait(cl.epfd, ev, 64, 0);
    int running;
    cl.in_driver = true;
    for (int i = 0; i < n; i++) {
        if (ev[i].data.fd == cl.kick) {
            uint64_t v;
            ssize_t r = read(cl.kick, &v, sizeof v);
            (void)r;
            continue;
        }
        int mask = (ev[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                   (ev[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                   (ev[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
        curl_multi_socket_action(cl.multi, ev[i].data.fd, mask, &running);
    }
    if (cl.timeout_at <= vx_now_ns()) {
        cl.timeout_at = INT64_MAX; /* curl sets the next one */
        curl_multi_socket_action(cl.multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    CURLMsg *m;
    int left;
    while (*ndone < max && (m = curl_multi_info_read(cl.multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        struct vx_http_fetch *f;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&f);
        f->code = m->data.result;
        curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &f->status);
        curl_easy_getinfo(m->easy_handle, CURLINFO_OS_ERRNO, &f->os_errno);
        curl_multi_remove_handle(cl.multi, m->easy_handle);
        f->in_multi = false;
        cl.handles--;
        done[(*ndone)++] = f;
    }
    cl.in_driver = false;
    return n > 0;
}

static vx_poll driver_resume(vx_frame *self, vx_task *task) {
    driver_frame *d = (driver_frame *)self;
    switch (d->base.state) {
    case 0:
        for (;;) {
            {
                struct vx_http_fetch *done[64];
                int ndone = 0;
                pthread_mutex_lock(&cl.lock);
                bool busy = drive(done, &ndone, 64);
                bool end = cl.handles == 0;
                int64_t deadline = cl.timeout_at;
                if (end)
                    cl.driver = false;
                pthread_mutex_unlock(&cl.lock);
                for (int i = 0; i < ndone; i++)
                    vx__task_wake(done[i]->task); /* release: everything in f */
                if (end)
                    break;
                if (busy || ndone == 64 || deadline <= vx_now_ns()) {
                    if (++d->rounds < 16)
                        continue;
                    d->rounds = 0;
                    d->base.state = 1;
                    if (vx_yield(&d->base, task, &driver_loc) == VX_PENDING)
                        return VX_PENDING;
                    continue;
                }
                d->rounds = 0;
                int64_t ms = 0;
                if (deadline != INT64_MAX)
                    ms = (deadline - vx_now_ns() + 999999) / 1000000;
                vx_sock_set_timeouts(d->ep, ms > 0 ? ms : 1, 0);
                if (deadline == INT64_MAX)
                    vx_sock_set_timeouts(d->ep, 0, 0);
            }
            d->base.state = 2;
            if (vx_sock_wait(&d->base, task, &d->op, d->ep, VX_IO_READ, &driver_loc) == VX_PENDING)
                return VX_PENDING;
        case 1:
        case 2:;
        }
        vx_sock_close(d->ep);
        d->ep = NULL;
    }
    return VX_READY;
}

static void driver_drop(vx_frame *root) {
    driver_frame *d = (driver_frame *)root;
    vx_net_op_drop(&d->op);
    if (d->ep)
        vx_sock_close(d->ep);
    pthread_mutex_lock(&cl.lock);
    cl.driver = false;
    pthread_mutex_unlock(&cl.lock);
}

/* cl.lock held: start the driver task. */
static void driver_start(void) {
    int fd = fcntl(cl.epfd, F_DUPFD_CLOEXEC, 0);
    vx_sock *ep = fd >= 0 ? vx_sock_wrap(fd) : NULL;
    if (!ep)
        vx_panic(NULL, "cannot start the HTTP client's driver: %s", strerror(errno));
    vx_task *t = vx_task_new(sizeof(driver_frame), driver_resume, driver_drop);
    driver_frame *d = (driver_frame *)vx_task_frame(t);
    memset((char *)d + sizeof(vx_frame), 0, sizeof *d - sizeof(vx_frame));
    d->ep = ep;
    cl.driver = true;
    vx_spawn_detached(t);
}

/* ---- requests ---------------------------------------------------------------- */

#define ST_DONE 100u

static vx_poll fetch_resume(vx_frame *self, vx_task *task) {
    vx_http_fetch_op *op = (vx_http_fetch_op *)self;
    struct vx_http_fetch *f = op->f;
    if (op->base.state == ST_DONE)
        return VX_READY;
    /* state 1: the driver completed the transfer */
    op->status = (int32_t)f->status;
    op->err.curl = (int32_t)f->code;
    switch (f->code) {
    case CURLE_OK: op->err.kind = VX_HTTPK_OK; break;
    case CURLE_COULDNT_CONNECT:
        op->err.kind = f->os_errno == ECONNREFUSED ? VX_HTTPK_REFUSED : VX_HTTPK_CONNECT;
        break;
    case CURLE_OPERATION_TIMEDOUT: op->err.kind = VX_HTTPK_TIMEOUT; break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: op->err.kind = VX_HTTPK_DNS; break;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL: op->err.kind = VX_HTTPK_BAD_URL; break;
    case CURLE_TOO_MANY_REDIRECTS: op->err.kind = VX_HTTPK_REDIRECTS; break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE: op->err.kind = VX_HTTPK_TLS; break;
    case CURLE_WRITE_ERROR:
        op->err.kind = f->too_big ? VX_HTTPK_TOO_LARGE : VX_HTTPK_IO;
        break;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE: op->err.kind = VX_HTTPK_IO; break;
    default: op->err.kind = VX_HTTPK_OTHER; break;
    }
    if (op->err.kind)
        vx_vec_free(&f->body);
    op->base.state = ST_DONE;
    return vx__done(&op->base, task, op->at);
}

static vx_poll fetch_start(vx_frame *self, vx_task *task, vx_http_fetch_op *op, const char *method,
                           const vx_str *url, const vx_str *headers, const void *body, size_t n,
                           int64_t timeout_ms, const vx_loc *at) {
    vx_frame_init(&op->base, fetch_resume, self); /* (op's old contents are not read) */
    op->at = at;
    op->status = 0;
    op->err.kind = op->err.curl = 0;
    struct vx_http_fetch *f = vx_alloc(sizeof *f);
    op->f = f;
    f->op = op;
    f->task = task;
    f->max_body = op->max_body ? op->max_body : (size_t)64 << 20;
    CURL *e = f->easy = curl_easy_init();
    if (!e)
        vx_panic(at, "curl_easy_init failed");
    curl_easy_setopt(e, CURLOPT_URL, vx_str_cstr(url));
    curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)f);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, f);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, f->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_USERAGENT, "vex/0.1");
    if (timeout_ms > 0)
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    if (strcmp(method, "POST") == 0 || (n > 0 && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)) {
        /* a body (POST, or PUT, PATCH, DELETE with one) */
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
        curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, n ? body : "");
        /* no "Expect: 100-continue": a server that ignores it costs a
         * second per request (curl's wait); the body is in memory anyway */
        f->hdrs = curl_slist_append(f->hdrs, "Expect:");
    }
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    if (headers && vx_str_len(headers)) { /* "Name: value" lines, \r\n or \n separated */
        const char *p = vx_str_cstr(headers), *end = p + vx_str_len(headers);
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *le = nl ? nl : end;
            size_t len = (size_t)(le - p);
            if (len && p[len - 1] == '\r')
                len--;
            if (len) {
                char *line = vx_alloc(len + 1);
                memcpy(line, p, len);
                f->hdrs = curl_slist_append(f->hdrs, line);
                vx_free(line);
            }
            p = nl ? nl + 1 : end;
        }
    }
    if (f->hdrs)
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, f->hdrs);
    op->base.state = 1;
    vx_suspend_at(task, &op->base, at);
    pthread_mutex_lock(&cl.lock);
    client_init();
    f->in_multi = true;
    cl.handles++;
    cl.in_driver = true; /* no kick from inside add_handle: we kick once below */
    CURLMcode mc = curl_multi_add_handle(cl.multi, e);
    cl.in_driver = false;
    if (mc != CURLM_OK) {
        f->in_multi = false;
        cl.handles--;
        f->code = CURLE_FAILED_INIT;
        pthread_mutex_unlock(&cl.lock);
        return fetch_resume(&op->base, task);
    }
    if (!cl.driver)
        driver_start();
    else
        kick();
    pthread_mutex_unlock(&cl.lock);
    return VX_PENDING;
}

vx_poll vx_http_get(vx_frame *self, vx_task *task, vx_http_fetch_op *op, const vx_str *url,
                    const vx_str *headers, int64_t timeout_ms, const vx_loc *at) {
    return fetch_start(self, task, op, "GET", url, headers, NULL, 0, timeout_ms, at);
}

vx_poll vx_http_post(vx_frame *self, vx_task *task, vx_http_fetch_op *op, const vx_str *url,
                     const vx_str *headers, const void *body, size_t n, int64_t timeout_ms,
                     const vx_loc *at) {
    return fetch_start(self, task, op, "POST", url, headers, body, n, timeout_ms, at);
}

vx_poll vx_http_fetch(vx_frame *self, vx_task *task, vx_http_fetch_op *op, const char *method,
                      const vx_str *url, const vx_str *headers, const void *body, size_t n,
                      int64_t timeout_ms, const vx_loc *at) {
    return fetch_start(self, task, op, method, url, headers, body, n, timeout_ms, at);
}

vx_vec vx_http_fetch_take_body(vx_http_fetch_op *op) {
    vx_vec v = VX_VEC_INIT;
    if (op->f) {
        v = op->f->body;
        op->f->body = (vx_vec)VX_VEC_INIT;
    }
    return v;
}

vx_str *vx_http_fetch_header(vx_http_fetch_op *op, const vx_str *name) {
    struct vx_http_fetch *f = op->f;
    if (!f || op->err.kind)
        return NULL;
    size_t nl = vx_str_len(name);
    const char *p = f->rh, *end = f->rh + f->rh_len;
    while (p < end) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e)
            e = end;
        if ((size_t)(e - p) > nl && p[nl] == ':' && strncasecmp(p, vx_str_cstr(name), nl) == 0) {
            const char *v = p + nl + 1, *ve = e;
            while (v < ve && (*v == ' ' || *v == '\t'))
                v++;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            return vx_str_from_bytes(v, (size_t)(ve - v));
        }
        p = e + 1;
    }
    return NULL;
}

const char *vx_http_kind_name(int32_t kind) {
    static const char *const names[] = {"Ok",         "Refused",  "Connect", "Timeout", "Dns",
                                        "BadUrl",     "Redirects", "Tls",    "Io",      "TooLarge",
                                        "Other"};
    if (kind < 0 || kind > VX_HTTPK_OTHER)
        kind = VX_HTTPK_OTHER;
    return names[kind];
}

vx_str *vx_http_fetch_error_message(vx_http_fetch_op *op) {
    if (op->err.kind == VX_HTTPK_OK)
        return vx_str_from_cstr("success");
    if (op->err.kind == VX_HTTPK_TOO_LARGE)
        return vx_str_from_cstr("the response body is over the limit");
    if (op->f && op->f->errbuf[0])
        return vx_str_from_cstr(op->f->errbuf);
    return vx_str_from_cstr(curl_easy_strerror((CURLcode)op->err.curl));
}

void vx_http_fetch_drop(vx_http_fetch_op *op) {
    struct vx_http_fetch *f = op->f;
    if (!f)
        return;
    pthread_mutex_lock(&cl.lock);
    if (f->in_multi) { /* torn down while the transfer runs */
        cl.in_driver = true;
        curl_multi_remove_handle(cl.multi, f->easy);
        cl.in_driver = false;
        f->in_multi = false;
        cl.handles--;
    }
    pthread_mutex_unlock(&cl.lock);
    curl_easy_cleanup(f->easy);
    curl_slist_free_all(f->hdrs);
    vx_vec_free(&f->body);
    vx_free(f->rh);
    vx_free(f);
    op->f = NULL;
}

/* The response's header lines, "Name: value\n" each, without the status
 * line (the Vex Response.headers). */
vx_str *vx_http_fetch_headers(vx_http_fetch_op *op) {
    struct vx_http_fetch *f = op->f;
    if (!f || op->err.kind || !f->rh_len)
        return vx_str_from_bytes("", 0);
    char *buf = vx_alloc(f->rh_len), *q = buf;
    const char *p = f->rh, *end = f->rh + f->rh_len;
    bool first = true;
    while (p < end) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e)
            e = end;
        const char *le = e;
        while (le > p && le[-1] == '\r')
            le--;
        if (!first && le > p) { /* the status line and the blank line end are not headers */
            memcpy(q, p, (size_t)(le - p));
            q += le - p;
            *q++ = '\n';
        }
        first = false;
        p = e + 1;
    }
    vx_str *s = vx_str_from_utf8_lossy(buf, (size_t)(q - buf));
    vx_free(buf);
    return s;
}
