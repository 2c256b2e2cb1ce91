/* http_client: the libcurl-based client on our poller and timers.
 *   - 64 tasks fetch at once from our own server (http.c): GET with a
 *     request header echoed back, POST with a body echoed back; status,
 *     body and header(name) checked; then sequential keep-alive requests;
 *     a redirect followed; a 404;
 *   - against `python3 -m http.server` on 127.0.0.1 (a file: 200 and its
 *     bytes; a missing one: 404) when python3 is installed;
 *   - HttpError kinds: refused, timeout (a listener that never answers),
 *     bad URL, DNS (a .invalid name), body over the limit;
 *   - teardown: a request in flight when vx_shutdown runs is dropped; after
 *     vx_http_client_reset no fd is left. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "rtest.h"

#define FETCHERS 64

static vx_sock *listener;
static _Atomic int stop;
static _Atomic int conns_live;

/* ---- our server: GET /hdr answers the X-Test header, POST /echo the body ---- */
typedef struct {
    vx_frame base;
    vx_http_conn *c;
    vx_http_op op;
} conn_f;

static vx_poll handle(vx_frame *self, vx_task *task) {
    LOC(at_next);
    LOC(at_resp);
    conn_f *f = (conn_f *)self;
    switch (f->base.state) {
    case 0:
        for (;;) {
            f->base.state = 1;
            if (vx_http_next(&f->base, task, &f->op, f->c, &at_next) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:
            if (f->op.status == VX_HTTP_CLOSED)
                break;
            {
                size_t tl, bl;
                const char *t = vx_http_target_bytes(f->c, &tl);
                const char *body = vx_http_body(f->c, &bl);
                char hb[256];
                vx_poll r;
                f->base.state = 2;
                if (tl == 5 && memcmp(t, "/echo", 5) == 0) {
                    r = vx_http_respond(&f->base, task, &f->op, f->c, 200, "X-Kind: echo\r\n", body,
                                        bl, &at_resp);
                } else if (tl == 4 && memcmp(t, "/hdr", 4) == 0) {
                    vx_str *v = vx_http_header(f->c, VX_STR_LIT("X-Test"));
                    snprintf(hb, sizeof hb, "%s", v ? vx_str_cstr(v) : "-");
                    if (v)
                        vx_str_release(v);
                    r = vx_http_respond(&f->base, task, &f->op, f->c, 200, "X-Kind: hdr\r\n", hb,
                                        strlen(hb), &at_resp);
                } else if (tl == 6 && memcmp(t, "/redir", 6) == 0) {
                    r = vx_http_respond(&f->base, task, &f->op, f->c, 302,
                                        "Location: /hdr\r\n", "", 0, &at_resp);
                } else if (tl == 4 && memcmp(t, "/big", 4) == 0) {
                    static char big[100000];
                    r = vx_http_respond(&f->base, task, &f->op, f->c, 200, NULL, big, sizeof big,
                                        &at_resp);
                } else {
                    r = vx_http_respond(&f->base, task, &f->op, f->c, 404, NULL, "no", 2, &at_resp);
                }
                if (r == VX_PENDING)
                    return VX_PENDING;
            }
            /* fallthrough */
        case 2:
            if (f->op.status == VX_HTTP_CLOSED)
                break;
        }
        vx_http_conn_free(f->c);
        atomic_fetch_sub(&conns_live, 1);
    }
    return VX_READY;
}

typedef struct {
    vx_frame base;
    vx_net_op op;
} serve_f;

static vx_poll serve(vx_frame *self, vx_task *task) {
    LOC(at_acc);
    serve_f *f = (serve_f *)self;
    switch (f->base.state) {
    case 0:
        while (!atomic_load(&stop)) {
            f->base.state = 1;
            if (vx_net_accept(&f->base, task, &f->op, listener, &at_acc) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:
            if (f->op.err.kind == VX_IOK_TIMED_OUT)
                continue;
            CHECK_EQ(f->op.err.kind, 0);
            vx_task *t = vx_task_new(sizeof(conn_f), handle, NULL);
            conn_f *cf = (conn_f *)vx_task_frame(t);
            memset((char *)cf + sizeof(vx_frame), 0, sizeof *cf - sizeof(vx_frame));
            cf->c = vx_http_conn_new(vx_net_op_take_sock(&f->op));
            vx_http_conn_set_timeout(cf->c, 5000);
            atomic_fetch_add(&conns_live, 1);
            vx_spawn_detached(t);
        }
        vx_sock_close(listener);
    }
    return VX_READY;
}

typedef struct {
    vx_frame base;
    vx_net_op op;
} listen_f;

static vx_poll do_listen(vx_frame *self, vx_task *task) {
    LOC(at_l);
    listen_f *f = (listen_f *)self;
    switch (f->base.state) {
    case 0:
        f->base.state = 1;
        if (vx_net_listen(&f->base, task, &f->op, VX_STR_LIT("127.0.0.1:0"), &at_l) == VX_PENDING)
            return VX_PENDING;
        /* fallthrough */
    case 1:
        CHECK_EQ(f->op.err.kind, 0);
        listener = vx_net_op_take_sock(&f->op);
    }
    return VX_READY;
}

/* ---- a fetching task: n requests in a row ---- */
typedef struct {
    vx_frame base;
    int id, n, i;
    bool post;
    const vx_str *url;
    const vx_str *hdrs;
    char body[64];
    size_t body_len;
    int64_t timeout_ms;
    size_t max_body;
    /* results of the last request */
    int status;
    vx_http_error err;
    char got[256];
    size_t got_len;
    char kind[32];
    bool bad;
    vx_http_fetch_op op;
} fetch_f;

static vx_poll fetcher(vx_frame *self, vx_task *task) {
    LOC(at_f);
    fetch_f *f = (fetch_f *)self;
    switch (f->base.state) {
    case 0:
        for (f->i = 0; f->i < f->n; f->i++) {
            f->base.state = 1;
            f->op.max_body = f->max_body;
            if ((f->post ? vx_http_post(&f->base, task, &f->op, f->url, f->hdrs, f->body,
                                        f->body_len, f->timeout_ms, &at_f)
                         : vx_http_get(&f->base, task, &f->op, f->url, f->hdrs, f->timeout_ms,
                                       &at_f)) == VX_PENDING)
                return VX_PENDING;
            /* fallthrough */
        case 1:
            f->status = f->op.status;
            f->err = f->op.err;
            {
                vx_vec b = vx_http_fetch_take_body(&f->op);
                f->got_len = b.len;
                size_t k = b.len < sizeof f->got - 1 ? b.len : sizeof f->got - 1;
                if (k)
                    memcpy(f->got, b.data, k);
                f->got[k] = 0;
                vx_vec_free(&b);
                vx_str *kind = vx_http_fetch_header(&f->op, VX_STR_LIT("x-kind"));
                snprintf(f->kind, sizeof f->kind, "%s", kind ? vx_str_cstr(kind) : "");
                if (kind)
                    vx_str_release(kind);
            }
            if (f->err.kind == 0 && f->post && (f->got_len != f->body_len ||
                                                memcmp(f->got, f->body, f->body_len) != 0))
                f->bad = true;
            vx_http_fetch_drop(&f->op);
        }
    }
    return VX_READY;
}

static void fetch_drop(vx_frame *root) { vx_http_fetch_drop(&((fetch_f *)root)->op); }

static fetch_f *new_fetch(const vx_str *url, int n) {
    vx_task *t = vx_task_new(sizeof(fetch_f), fetcher, fetch_drop);
    fetch_f *f = (fetch_f *)vx_task_frame(t);
    memset((char *)f + sizeof(vx_frame), 0, sizeof *f - sizeof(vx_frame));
    f->url = url;
    f->n = n;
    f->timeout_ms = 10000;
    return f;
}

static void run_one(fetch_f *f) {
    vx_block_on(task_of(f));
}

static int raw_listener(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
    CHECK(listen(fd, 16) == 0);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
    return fd;
}

static vx_str *url_of(int port, const char *path) {
    char b[128];
    snprintf(b, sizeof b, "http://127.0.0.1:%d%s", port, path);
    return vx_str_from_cstr(b);
}

/* python3 -m http.server on 127.0.0.1:port serving dir; its pid, or -1. */
static pid_t python_server(const char *dir, int port) {
    if (system("command -v python3 >/dev/null 2>&1") != 0)
        return -1;
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        char p[16];
        snprintf(p, sizeof p, "%d", port);
        int nul = open("/dev/null", O_WRONLY);
        dup2(nul, 1);
        dup2(nul, 2);
        execlp("timeout", "timeout", "60", "python3", "-m", "http.server", p, "--bind",
               "127.0.0.1", "--directory", dir, (char *)NULL);
        _exit(127);
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    for (int i = 0; i < 300; i++) { /* up to 15 s for python to start */
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int r = connect(fd, (struct sockaddr *)&a, sizeof a);
        close(fd);
        if (r == 0)
            return pid;
        usleep(50000);
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    return -1;
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    int fds0 = rt_count_fds();
    vx_start(0);
    listen_f *lf = NEW_TASK(listen_f, do_listen);
    memset(&lf->op, 0, sizeof lf->op);
    vx_block_on(task_of(lf));
    vx_task_release(task_of(lf));
    int port = vx_sock_local_port(listener);
    vx_sock_set_timeouts(listener, 50, 0);
    serve_f *sf = NEW_TASK(serve_f, serve);
    memset(&sf->op, 0, sizeof sf->op);
    vx_spawn(task_of(sf));

    /* 1. many tasks at once against our server */
    vx_str *u_hdr = url_of(port, "/hdr"), *u_echo = url_of(port, "/echo");
    vx_str *hdrs[FETCHERS];
    fetch_f *f[FETCHERS];
    for (int i = 0; i < FETCHERS; i++) {
        char h[64];
        snprintf(h, sizeof h, "X-Test: t%d\r\nAccept: */*\r\n", i);
        hdrs[i] = vx_str_from_cstr(h);
        f[i] = new_fetch(i % 2 ? u_echo : u_hdr, 3);
        f[i]->id = i;
        f[i]->hdrs = hdrs[i];
        if (i % 2) {
            f[i]->post = true;
            f[i]->body_len = (size_t)snprintf(f[i]->body, sizeof f[i]->body, "body of %d", i);
        }
        vx_spawn(task_of(f[i]));
    }
    for (int i = 0; i < FETCHERS; i++) {
        vx_join_sync(task_of(f[i]));
        if (f[i]->err.kind)
            fprintf(stderr, "fetch %d: %s (curl %d)\n", i, vx_http_kind_name(f[i]->err.kind),
                    f[i]->err.curl);
        CHECK_EQ(f[i]->err.kind, 0);
        CHECK_EQ(f[i]->status, 200);
        CHECK(!f[i]->bad);
        if (i % 2 == 0) {
            char want[16];
            snprintf(want, sizeof want, "t%d", i);
            CHECK(strcmp(f[i]->got, want) == 0);
            CHECK(strcmp(f[i]->kind, "hdr") == 0);
        } else {
            CHECK(strcmp(f[i]->kind, "echo") == 0);
        }
        vx_task_release(task_of(f[i]));
        vx_str_release(hdrs[i]);
    }
    /* 404 */
    {
        vx_str *u = url_of(port, "/nothing");
        fetch_f *g = new_fetch(u, 1);
        run_one(g);
        CHECK_EQ(g->err.kind, 0);
        CHECK_EQ(g->status, 404);
        vx_task_release(task_of(g));
        vx_str_release(u);
    }
    /* a redirect is followed: the answer is /hdr's, with its header */
    {
        vx_str *u = url_of(port, "/redir");
        fetch_f *g = new_fetch(u, 1);
        g->hdrs = VX_STR_LIT("X-Test: moved");
        run_one(g);
        CHECK_EQ(g->err.kind, 0);
        CHECK_EQ(g->status, 200);
        CHECK(strcmp(g->got, "moved") == 0);
        CHECK(strcmp(g->kind, "hdr") == 0);
        vx_task_release(task_of(g));
        vx_str_release(u);
    }
    /* body over the limit */
    {
        vx_str *u = url_of(port, "/big");
        fetch_f *g = new_fetch(u, 1);
        g->max_body = 1000;
        run_one(g);
        CHECK_EQ(g->err.kind, VX_HTTPK_TOO_LARGE);
        vx_task_release(task_of(g));
        vx_str_release(u);
    }

    /* 2. python3 -m http.server */
    {
        char dir[] = "/tmp/vex-http-XXXXXX";
        CHECK(mkdtemp(dir));
        char path[128];
        snprintf(path, sizeof path, "%s/hello.txt", dir);
        FILE *fp = fopen(path, "w");
        fputs("hello from python\n", fp);
        fclose(fp);
        int pp;
        close(raw_listener(&pp)); /* a free port */
        pid_t py = python_server(dir, pp);
        if (py < 0) {
            fprintf(stderr, "note: no python3: the python http.server check is skipped\n");
        } else {
            vx_str *u = url_of(pp, "/hello.txt");
            fetch_f *g = new_fetch(u, 2);
            run_one(g);
            CHECK_EQ(g->err.kind, 0);
            CHECK_EQ(g->status, 200);
            CHECK(strcmp(g->got, "hello from python\n") == 0);
            vx_task_release(task_of(g));
            vx_str_release(u);
            u = url_of(pp, "/missing");
            g = new_fetch(u, 1);
            run_one(g);
            CHECK_EQ(g->err.kind, 0);
            CHECK_EQ(g->status, 404);
            vx_task_release(task_of(g));
            vx_str_release(u);
            kill(py, SIGTERM);
            waitpid(py, NULL, 0);
        }
        unlink(path);
        rmdir(dir);
    }

    /* 3. errors */
    {
        int p;
        close(raw_listener(&p));
        vx_str *u = url_of(p, "/");
        fetch_f *g = new_fetch(u, 1);
        run_one(g);
        CHECK_EQ(g->err.kind, VX_HTTPK_REFUSED);
        CHECK_EQ(g->status, 0);
        vx_str *m = vx_http_fetch_error_message(&g->op);
        vx_str_release(m);
        vx_task_release(task_of(g));
        vx_str_release(u);

        int lfd = raw_listener(&p); /* accepts in the kernel, never answers */
        u = url_of(p, "/");
        g = new_fetch(u, 1);
        g->timeout_ms = 200;
        run_one(g);
        CHECK_EQ(g->err.kind, VX_HTTPK_TIMEOUT);
        vx_task_release(task_of(g));

        g = new_fetch(VX_STR_LIT("htp://127.0.0.1/"), 1);
        run_one(g);
        CHECK_EQ(g->err.kind, VX_HTTPK_BAD_URL);
        vx_task_release(task_of(g));

        g = new_fetch(VX_STR_LIT("http://no-such-host.invalid/"), 1);
        g->timeout_ms = 5000;
        run_one(g);
        if (g->err.kind != VX_HTTPK_DNS)
            fprintf(stderr, "note: a .invalid name gave %s, not Dns\n",
                    vx_http_kind_name(g->err.kind));
        CHECK(g->err.kind == VX_HTTPK_DNS || g->err.kind == VX_HTTPK_TIMEOUT);
        vx_task_release(task_of(g));

        /* 4. teardown: a request in flight at shutdown */
        g = new_fetch(u, 1);
        g->timeout_ms = 0;
        vx_spawn_detached(task_of(g));
        usleep(100000);
        atomic_store(&stop, 1);
        vx_join_sync(task_of(sf));
        vx_task_release(task_of(sf));
        for (int i = 0; i < 5000 && atomic_load(&conns_live); i++)
            usleep(1000);
        CHECK_EQ(atomic_load(&conns_live), 0);
        long live = vx_shutdown(); /* the fetch and the client's driver */
        CHECK_EQ(live, 2);
        close(lfd);
        vx_str_release(u);
    }
    vx_str_release(u_hdr);
    vx_str_release(u_echo);
    vx_http_client_reset();
    CHECK_EQ(vx_alloc_live(), 0);
    CHECK_EQ(rt_count_fds(), fds0);
    printf("ok\n");
    return 0;
}
