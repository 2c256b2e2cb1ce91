/*
 * http.c - the HTTP/1.1 server core: one connection (vx_http_conn) per
 * task, requests parsed by libhttp-parser (Debian's libhttp-parser-dev),
 * keep-alive, size limits, 400 on a malformed request.
 *
 * THE CONNECTION'S LIFE. A task accepts (vx_net_accept), wraps the stream
 * (vx_http_conn_new) and loops:
 *     next request (vx_http_next) -> CLOSED: free the conn, the task ends
 *                                 -> a request: read it (method, target,
 *                                    header(name), body), respond
 *                                    (vx_http_respond), loop.
 * vx_http_next parses what is buffered first (a pipelined request costs no
 * syscall), then reads: vx_sock_try_read, and on "would block"
 * vx_sock_wait, an operation of net.c whose frame is a child of this op's
 * frame (the same nesting generated code uses). The parser is paused in
 * on_message_complete, so exactly one request is taken per call and the
 * bytes after it stay in the buffer for the next one.
 *
 * Ending a connection: the peer's end of stream at a request boundary, an
 * I/O error or the read timeout (the idle keep-alive and the slow-client
 * limit: vx_http_conn_set_timeout) end it silently; a malformed request
 * gets "400 Bad Request", a head over the limit "431 Request Header Fields
 * Too Large", a body over the limit "413 Content Too Large", each with
 * "Connection: close", and then the connection ends with a lingering close
 * (shut our side, drop what the client still sends for up to 1 s, then
 * close), so that the client reads the answer instead of a reset. A request that asks
 * for close (HTTP/1.0 without keep-alive, "Connection: close") gets its
 * response with "Connection: close" and then ends it.
 *
 * The request's parts live in the connection (an arena for the target and
 * headers, a buffer for the body) until the next vx_http_next: reading a
 * request allocates nothing per request once the buffers have grown.
 *
 * Concurrency: a connection belongs to one task at a time, so there is no
 * protocol here beyond net.c's (which documents waking and teardown).
 */
#include <errno.h>
#include <http_parser.h>
#include <limits.h>
#include <stdio.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "rt.h"

#define RBUF_INIT 4096
#define LINGER_MS 1000
#define LINGER_BYTES (256u << 10)
#define MAX_HEADERS 100

typedef struct {
    uint32_t name, name_len, val, val_len; /* offsets into head */
} hdr;

struct vx_http_conn {
    vx_sock *s;
    _Atomic uint32_t refs;     /* owners (vx_http_conn_retain); the last free frees */
    http_parser p;
    size_t max_head, max_body;
    /* read buffer: [rpos, rlen) not parsed yet */
    char *rbuf;
    size_t rcap, rpos, rlen;
    /* the current request */
    char *head;                /* target, then header names and values */
    size_t head_len, head_cap;
    uint32_t url, url_len;
    hdr h[MAX_HEADERS];
    int nh;
    int last;                  /* 0 none, 1 field, 2 value: the last callback */
    char *body;
    size_t body_len, body_cap;
    int complete;              /* on_message_complete ran */
    int limit;                 /* 413 or 431 when a limit was hit */
    int keep_alive;
    int closing;               /* no more requests on this connection */
    int expect;                /* 1: "Expect: 100-continue" to answer; 2: answered */
    /* the response */
    char *wbuf;
    size_t wlen, wcap;
};

/* ---- the parser's callbacks ------------------------------------------------ */

static int head_append(vx_http_conn *c, const char *at, size_t n) {
    if (c->head_len + n > c->max_head) {
        c->limit = 431;
        return -1;
    }
    if (c->head_len + n > c->head_cap) {
        size_t cap = c->head_cap ? c->head_cap : 1024;
        while (cap < c->head_len + n)
            cap *= 2;
        c->head = vx_realloc(c->head, cap);
        c->head_cap = cap;
    }
    memcpy(c->head + c->head_len, at, n);
    c->head_len += n;
    return 0;
}

static int on_message_begin(http_parser *p) {
    vx_http_conn *c = p->data;
    c->head_len = 0;
    c->url = c->url_len = 0;
    c->nh = 0;
    c->last = 0;
    c->body_len = 0;
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t n) {
    vx_http_conn *c = p->data;
    if (c->url_len == 0)
        c->url = (uint32_t)c->head_len;
    if (head_append(c, at, n))
        return -1;
    c->url_len += (uint32_t)n;
    return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t n) {
    vx_http_conn *c = p->data;
    if (c->last != 1) { /* a new header */
        if (c->nh == MAX_HEADERS) {
            c->limit = 431;
            return -1;
        }
        hdr *h = &c->h[c->nh++];
        h->name = (uint32_t)c->head_len;
        h->name_len = h->val_len = 0;
        h->val = 0;
        c->last = 1;
    }
    if (head_append(c, at, n))
        return -1;
    c->h[c->nh - 1].name_len += (uint32_t)n;
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t n) {
    vx_http_conn *c = p->data;
    hdr *h = &c->h[c->nh - 1];
    if (c->last != 2) {
        h->val = (uint32_t)c->head_len;
        c->last = 2;
    }
    if (head_append(c, at, n))
        return -1;
    h->val_len += (uint32_t)n;
    return 0;
}

static int on_headers_complete(http_parser *p) {
    vx_http_conn *c = p->data;
    if (p->http_major != 1)
        return -1; /* HTTP/1.x only: 400 */
    if (p->content_length != ULLONG_MAX && p->content_length > c->max_body) {
        c->limit = 413;
        return -1; /* (a 1 here would mean "no body", so an error it is) */
    }
    c->expect = 0;
    bool body = (p->content_length != ULLONG_MAX && p->content_length > 0) || (p->flags & F_CHUNKED);
    if (p->http_minor >= 1 && body) {
        for (int i = 0; i < c->nh; i++)
            if (c->h[i].name_len == 6 && strncasecmp(c->head + c->h[i].name, "expect", 6) == 0 &&
                c->h[i].val_len == 12 &&
                strncasecmp(c->head + c->h[i].val, "100-continue", 12) == 0)
                c->expect = 1;
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t n) {
    vx_http_conn *c = p->data;
    if (c->body_len + n > c->max_body) {
        c->limit = 413;
        return -1;
    }
    if (c->body_len + n > c->body_cap) {
        size_t cap = c->body_cap ? c->body_cap : 1024;
        while (cap < c->body_len + n)
            cap *= 2;
        c->body = vx_realloc(c->body, cap);
        c->body_cap = cap;
    }
    memcpy(c->body + c->body_len, at, n);
    c->body_len += n;
    return 0;
}

static int on_message_complete(http_parser *p) {
    vx_http_conn *c = p->data;
    c->complete = 1;
    c->keep_alive = http_should_keep_alive(p) && !p->upgrade;
    http_parser_pause(p, 1); /* one request per vx_http_next */
    return 0;
}

static const http_parser_settings settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

/* ---- the connection ---------------------------------------------------------- */

vx_http_conn *vx_http_conn_new(vx_sock *s) {
    vx_http_conn *c = vx_alloc(sizeof *c);
    c->s = s;
    atomic_init(&c->refs, 1);
    c->max_head = 8192;
    c->max_body = 1 << 20;
    http_parser_init(&c->p, HTTP_REQUEST);
    c->p.data = c;
    return c;
}

void vx_http_conn_set_limits(vx_http_conn *c, size_t max_head, size_t max_body) {
    c->max_head = max_head;
    c->max_body = max_body;
}

void vx_http_conn_set_timeout(vx_http_conn *c, int64_t ms) { vx_sock_set_timeouts(c->s, ms, ms); }

vx_sock *vx_http_conn_sock(vx_http_conn *c) { return c->s; }

void vx_http_conn_retain(vx_http_conn *c) { atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed); }

void vx_http_conn_free(vx_http_conn *c) {
    if (!c || atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
        return;
    vx_sock_close(c->s);
    vx_free(c->rbuf);
    vx_free(c->head);
    vx_free(c->body);
    vx_free(c->wbuf);
    vx_free(c);
}

/* ---- the request --------------------------------------------------------------- */

const char *vx_http_method(vx_http_conn *c) { return http_method_str((enum http_method)c->p.method); }

vx_str *vx_http_target(vx_http_conn *c) { return vx_str_from_bytes(c->head + c->url, c->url_len); }

const char *vx_http_target_bytes(vx_http_conn *c, size_t *len) {
    *len = c->url_len;
    return c->head + c->url;
}

static int find_header(vx_http_conn *c, const char *name, size_t n) {
    for (int i = 0; i < c->nh; i++)
        if (c->h[i].name_len == n && strncasecmp(c->head + c->h[i].name, name, n) == 0)
            return i;
    return -1;
}

vx_str *vx_http_header(vx_http_conn *c, const vx_str *name) {
    int i = find_header(c, vx_str_cstr(name), vx_str_len(name));
    if (i < 0)
        return NULL;
    return vx_str_from_bytes(c->head + c->h[i].val, c->h[i].val_len);
}

int vx_http_header_count(vx_http_conn *c) { return c->nh; }

const char *vx_http_body(vx_http_conn *c, size_t *len) {
    *len = c->body_len;
    return c->body ? c->body : "";
}

bool vx_http_keep_alive(vx_http_conn *c) { return c->keep_alive && !c->closing; }

/* ---- responses --------------------------------------------------------------------- */

static const char *reason(int status) {
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return status < 300 ? "OK" : status < 400 ? "Redirect" : status < 500 ? "Client Error" : "Server Error";
    }
}

static void wreserve(vx_http_conn *c, size_t n) {
    if (c->wlen + n <= c->wcap)
        return;
    size_t cap = c->wcap ? c->wcap : 512;
    while (cap < c->wlen + n)
        cap *= 2;
    c->wbuf = vx_realloc(c->wbuf, cap);
    c->wcap = cap;
}

static void wput(vx_http_conn *c, const void *p, size_t n) {
    wreserve(c, n);
    memcpy(c->wbuf + c->wlen, p, n);
    c->wlen += n;
}

static void build_response(vx_http_conn *c, int status, const char *headers, size_t hlen,
                           const void *body, size_t n) {
    /* (by hand: snprintf was a tenth of the server's user time) */
    char line[160];
    size_t k = 9;
    memcpy(line, "HTTP/1.1 ", 9);
    if (status < 100 || status > 999)
        status = 500;
    line[k++] = (char)('0' + status / 100);
    line[k++] = (char)('0' + status / 10 % 10);
    line[k++] = (char)('0' + status % 10);
    line[k++] = ' ';
    const char *r = reason(status);
    size_t rl = strlen(r);
    memcpy(line + k, r, rl);
    k += rl;
    memcpy(line + k, "\r\nContent-Length: ", 18);
    k += 18;
    k += vx_u64_to_dec(line + k, n);
    line[k++] = '\r';
    line[k++] = '\n';
    c->wlen = 0;
    wput(c, line, k);
    if (hlen)
        wput(c, headers, hlen);
    if (!vx_http_keep_alive(c)) {
        c->closing = 1;
        wput(c, "Connection: close\r\n", 19);
    }
    wput(c, "\r\n", 2);
    if (n)
        wput(c, body, n);
}

/* ---- the operations ------------------------------------------------------------------ */

#define ST_DONE 100u

static vx_poll finish(vx_http_op *op, vx_task *task) {
    op->base.state = ST_DONE;
    return vx__done(&op->base, task, op->at);
}

/* Parse the buffered bytes: 1 = a request is complete, 0 = need more,
 * -1 = the request is bad (c->limit says which status, else 400). */
static int parse(vx_http_conn *c) {
    if (c->rpos == c->rlen)
        return 0;
    size_t n = http_parser_execute(&c->p, &settings, c->rbuf + c->rpos, c->rlen - c->rpos);
    c->rpos += n;
    enum http_errno e = HTTP_PARSER_ERRNO(&c->p);
    if (e == HPE_PAUSED) {
        http_parser_pause(&c->p, 0);
        return 1;
    }
    if (e != HPE_OK)
        return -1;
    return c->complete ? 1 : 0;
}

/* Write c->wbuf from op->wpos; the state machine's write loop. */
#define WRITE_ALL(st)                                                                       \
    while (op->wpos < c->wlen) {                                                            \
        long w_ = vx_sock_try_write(c->s, c->wbuf + op->wpos, c->wlen - op->wpos, &op->err); \
        if (w_ >= 0) {                                                                      \
            op->wpos += (size_t)w_;                                                         \
            continue;                                                                       \
        }                                                                                   \
        if (w_ == -2)                                                                       \
            break;                                                                          \
        op->base.state = (st);                                                              \
        if (vx_sock_wait(&op->base, task, &op->net, c->s, VX_IO_WRITE, op->at) == VX_PENDING) \
            return VX_PENDING;                                                              \
    case (st):                                                                              \
        if (op->net.err.kind) {                                                             \
            op->err = op->net.err;                                                          \
            break;                                                                          \
        }                                                                                   \
    }

static vx_poll next_resume(vx_frame *self, vx_task *task) {
    vx_http_op *op = (vx_http_op *)self;
    vx_http_conn *c = op->c;
    switch (op->base.state) {
    case 0:
        if (c->closing)
            goto closed;
        c->complete = 0;
        c->limit = 0;
        for (;;) {
            {
                int r = parse(c);
                if (r > 0) {
                    op->status = VX_HTTP_REQUEST;
                    return finish(op, task);
                }
                if (r < 0)
                    goto bad;
            }
            /* need more bytes. A client that sent "Expect: 100-continue"
             * waits for our go-ahead before it sends the body (curl does
             * for bodies over 1 KiB, else it waits a second). The line is
             * tiny and the socket fresh: one try; if it would block, the
             * client just sends after its own timeout. */
            if (c->expect == 1) {
                c->expect = 2;
                vx_io_error ignore;
                vx_sock_try_write(c->s, "HTTP/1.1 100 Continue\r\n\r\n", 25, &ignore);
            }
            /* compact, grow, read */
            if (c->rpos == c->rlen) {
                c->rpos = c->rlen = 0;
            } else if (c->rpos > 0) {
                memmove(c->rbuf, c->rbuf + c->rpos, c->rlen - c->rpos);
                c->rlen -= c->rpos;
                c->rpos = 0;
            }
            if (c->rlen == c->rcap) {
                c->rcap = c->rcap ? 2 * c->rcap : RBUF_INIT;
                c->rbuf = vx_realloc(c->rbuf, c->rcap);
            }
            for (;;) {
                long r = vx_sock_try_read(c->s, c->rbuf + c->rlen, c->rcap - c->rlen, &op->err);
                if (r > 0) {
                    c->rlen += (size_t)r;
                    break;
                }
                if (r == 0) { /* end of stream: mid-request or not, we are done */
                    goto closed;
                }
                if (r == -2)
                    goto closed;
                op->base.state = 1;
                if (vx_sock_wait(&op->base, task, &op->net, c->s, VX_IO_READ, op->at) == VX_PENDING)
                    return VX_PENDING;
            case 1:
                if (op->net.err.kind) { /* the read timeout: idle or too slow */
                    op->err = op->net.err;
                    goto closed;
                }
            }
        }
    bad:
        c->keep_alive = 0;
        {
            int st = c->limit ? c->limit : 400;
            build_response(c, st, NULL, 0, NULL, 0);
        }
        op->wpos = 0;
        WRITE_ALL(2)
        if (op->err.kind)
            goto closed;
        /* A lingering close: end our side, then read and drop what the
         * client still sends (up to LINGER_BYTES, for LINGER_MS at most)
         * until it closes too. Closing at once with unread bytes would
         * reset the connection, and the client's kernel might drop the
         * answer before the client reads it. */
        vx_sock_shutdown_write(c->s);
        vx_sock_set_timeouts(c->s, LINGER_MS, 0);
        op->wpos = 0; /* bytes dropped */
        for (;;) {
            {
                long r = vx_sock_try_read(c->s, c->rbuf, c->rcap, &op->err);
                if (r > 0) {
                    op->wpos += (size_t)r;
                    if (op->wpos > LINGER_BYTES)
                        break;
                    continue;
                }
                if (r == 0 || r == -2)
                    break;
            }
            op->base.state = 3;
            if (vx_sock_wait(&op->base, task, &op->net, c->s, VX_IO_READ, op->at) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 3:
            if (op->net.err.kind)
                break;
        }
        op->err.kind = op->err.code = 0; /* the answer went out: nothing to report */
        goto closed;
    case ST_DONE:
        return VX_READY;
    }
closed:
    c->closing = 1;
    op->status = VX_HTTP_CLOSED;
    return finish(op, task);
}

vx_poll vx_http_next(vx_frame *self, vx_task *task, vx_http_op *op, vx_http_conn *c,
                     const vx_loc *at) {
    vx_frame_init(&op->base, next_resume, self);
    vx__net_op_clear(&op->net);
    op->at = at;
    op->c = c;
    op->err.kind = op->err.code = 0;
    return next_resume(&op->base, task);
}

static vx_poll respond_resume(vx_frame *self, vx_task *task) {
    vx_http_op *op = (vx_http_op *)self;
    vx_http_conn *c = op->c;
    switch (op->base.state) {
    case 0:
        op->wpos = 0;
        WRITE_ALL(1)
        if (op->err.kind)
            c->closing = 1;
        op->status = op->err.kind ? VX_HTTP_CLOSED : VX_HTTP_REQUEST;
        return finish(op, task);
    default:
        return VX_READY;
    }
}

vx_poll vx_http_respond(vx_frame *self, vx_task *task, vx_http_op *op, vx_http_conn *c, int status,
                        const char *headers, const void *body, size_t n, const vx_loc *at) {
    vx_frame_init(&op->base, respond_resume, self);
    vx__net_op_clear(&op->net);
    op->at = at;
    op->c = c;
    op->err.kind = op->err.code = 0;
    build_response(c, status, headers, headers ? strlen(headers) : 0, body, n);
    return respond_resume(&op->base, task);
}

void vx_http_op_drop(vx_http_op *op) { vx_net_op_drop(&op->net); }

/* ---- for the language: the request's header lines ------------------------------ */

/* "Name: value\n" for each header of the current request, in order (the
 * Vex Request.headers; Request.header(name) searches it). */
vx_str *vx_http_headers(vx_http_conn *c) {
    size_t n = 0;
    for (int i = 0; i < c->nh; i++)
        n += c->h[i].name_len + 2 + c->h[i].val_len + 1;
    char *buf = vx_alloc(n ? n : 1), *p = buf;
    for (int i = 0; i < c->nh; i++) {
        memcpy(p, c->head + c->h[i].name, c->h[i].name_len);
        p += c->h[i].name_len;
        *p++ = ':';
        *p++ = ' ';
        memcpy(p, c->head + c->h[i].val, c->h[i].val_len);
        p += c->h[i].val_len;
        *p++ = '\n';
    }
    vx_str *s = vx_str_from_utf8_lossy(buf, n);
    vx_free(buf);
    return s;
}

/* The request's method as an immortal string (no allocation a request). */
static vx_str method_names[64];
static pthread_once_t method_names_once = PTHREAD_ONCE_INIT;

static void method_names_init(void) {
    for (unsigned m = 0; m < 64; m++) {
        const char *s = http_method_str((enum http_method)m);
        vx_str v = {VX_RC_IMMORTAL, strlen(s), 0, s};
        method_names[m] = v;
    }
}

vx_str *vx_http_method_str(vx_http_conn *c) {
    unsigned m = c->p.method;
    if (m >= 64)
        return vx_str_from_cstr(http_method_str((enum http_method)m));
    pthread_once(&method_names_once, method_names_init);
    return &method_names[m];
}
