/*
 * builtins.c - the one table of built-in methods and std functions.
 *
 * A row says everything every stage needs to know about one built-in:
 * check.c types a call from it (receiver kind, parameter and result
 * letters), borrowck.c sees a mutating one lend its receiver `&T!`, and
 * lower.c turns the call into an RV_BUILTIN whose C is the row's template,
 * filled in by emit.c. Adding a built-in is one row here plus, usually, a
 * function in libvexrt (as Lua's luaL_Reg arrays).
 *
 * Receiver kinds (recv):
 *   a any type   v Vec   A array   s string   o Option   r Result   c Channel
 *   m Mutex      L TcpListener   W TcpStream   K HttpConn
 *   n number     i integer   S signed integer or float   f float
 *   : a static function (Box.new, os.args): no receiver
 * Parameter letters (params, one a parameter):
 *   e the element type, moved in      E the element type or a reference to
 *   s a string (read)                   it (read)
 *   u usize   i any integer   w u32   T the receiver's own type
 *   x any value (a static's argument, moved in; typed by check.c)
 *   D bytes: a string or a Vec<u8> (read; through a reference too)
 *   m i64 (milliseconds)   j i32   t a TcpStream (moved in)
 * Result letters (result):
 *   n unit  b bool  u usize  8 u8  s string  e element  x error type
 *   T the receiver's type  o Option<element>  I Option<i64>  g MutexGuard<element>
 *   F Option<f64>  U Option<usize>  V Vec<string>  B Vec<u8>
 *   i i32   k HttpConn   q Option<Request>   R Result<Response, HttpError>
 *   l, t, y, z: Result<TcpListener | TcpStream | Vec<u8> | (), IoError>
 *   ! the call's own type
 *
 * Template holes (emit.c: builtin_c):
 *   $r   a pointer to the receiver      $0..$9  the arguments
 *   $R   the result's C type            $T  the receiver's C type
 *   $E   the element's C type           $B  the result's element C type
 *   $L   the call's source location     $N  an array's length
 *   $S   the receiver's integer suffix (i32, u8, ...)
 *   $c   clone function of the element
 *   $C   the same when the receiver is borrowed; nothing when it is owned
 *        (a consumed temporary: its payload moves out)
 *   $K   like $C, for the error type of a Result
 *   $d   drop function of the element (takes a pointer)
 *   $X   drop function of the error type when the receiver is owned
 *   $q   equality function of the element
 *   $h   clone function of the receiver's type
 *   $f   format function of the receiver's type, $G of the element,
 *        $g of the error type: f(vxc_buf *, value, mode)
 *   $D0..$D9  the bytes of an argument (a string or a Vec<u8>): `ptr, len`
 * and in an async operation's templates (start, finish, drop):
 *   $o   the op frame (an lvalue in the caller's frame)
 *   $F   the caller's frame and task: `&fr->base, task`
 *
 * ASYNC STD OPERATIONS. A row with a `slot` is an async fn of the std
 * (await net.connect(addr), await s.read(n)): lowering makes it a
 * suspension point (SK_IO) and the emitter puts an op frame of C type
 * `slot` in the caller's frame (libvexrt's vx_net_op, vx_http_op,
 * vx_http_fetch_op: "an async fn of the runtime", vexrt.h Part 4). `c`
 * starts the operation and gives VX_READY or VX_PENDING; once it has
 * completed, `finish` is its result (and releases what the op still
 * holds); `drop` tears down an op in flight (the drop hook of a task
 * destroyed while suspended in it). The arguments are read when the
 * operation starts; the task is suspended while it runs, so what they
 * point to stays put. The results are std types (compiler/std/net.vx),
 * filled in by prelude.h's VXC_* macros.
 */
#include <string.h>

#include "vexc.h"

/* The rows of the operations that are not async leave out the last three
 * fields (slot, finish, drop): NULL. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define OPT_OF(t) "({ $R o_ = {0}; " t " o_; })"

const Builtin builtins[] = {
    /* every type */
    {"clone", 'a', "", 'T', false, false, "$h(*$r)"},
    {"to_string", 'a', "", 's', false, false, "({ VXC_BUF(fb); $f(&fb, *$r, -1); vxc_buf_str(&fb); })"},
    /* Vec<T> */
    {"push", 'v', "e", 'n', true, false,
     "({ $E x_ = $0; *($E *)vxc_vec_push_slot((vxc_vecraw *)$r, sizeof($E)) = x_; (vxc_unit)0; })"},
    {"pop", 'v', "", 'o', true, false,
     "({ $R o_ = {0}; $T *v_ = $r; if (v_->len) { o_.some = 1; o_.val = v_->ptr[--v_->len]; } o_; })"},
    {"len", 'v', "", 'u', false, false, "((uint64_t)($r)->len)"},
    {"is_empty", 'v', "", 'b', false, false, "(($r)->len == 0)"},
    {"get", 'v', "i", 'o', false, false,
     "({ $R o_ = {0}; $T *v_ = $r; int64_t i_ = (int64_t)($0); "
     "if (i_ >= 0 && (uint64_t)i_ < v_->len) { o_.some = 1; o_.val = $c(v_->ptr[i_]); } o_; })"},
    {"first", 'v', "", 'o', false, false,
     "({ $R o_ = {0}; $T *v_ = $r; if (v_->len) { o_.some = 1; o_.val = $c(v_->ptr[0]); } o_; })"},
    {"last", 'v', "", 'o', false, false,
     "({ $R o_ = {0}; $T *v_ = $r; if (v_->len) { o_.some = 1; o_.val = $c(v_->ptr[v_->len - 1]); } o_; })"},
    {"insert", 'v', "ie", 'n', true, false,
     "({ uint64_t i_ = (uint64_t)($0); $E x_ = $1; vxc_vec_insert((vxc_vecraw *)$r, i_, &x_, sizeof($E), $L); "
     "(vxc_unit)0; })"},
    {"remove", 'v', "i", 'e', true, false,
     "({ $E x_; vxc_vec_remove((vxc_vecraw *)$r, (uint64_t)($0), &x_, sizeof($E), $L); x_; })"},
    {"clear", 'v', "", 'n', true, false,
     "({ $T *v_ = $r; for (uint64_t i_ = 0; i_ < v_->len; i_++) $d(&v_->ptr[i_]); v_->len = 0; (vxc_unit)0; })"},
    {"reverse", 'v', "", 'n', true, false, "({ vxc_vec_reverse((vxc_vecraw *)$r, sizeof($E)); (vxc_unit)0; })"},
    {"sort", 'v', "", 'n', true, false, /* numbers and strings only (check.c) */
     "({ vx_vec_sort_scalar(VXC_VX($r), sizeof($E), VXC_SORT_KIND($E)); (vxc_unit)0; })"},
    {"contains", 'v', "E", 'b', false, false,
     "({ $T *v_ = $r; $E x_ = $0; bool f_ = 0; for (uint64_t i_ = 0; i_ < v_->len && !f_; i_++) "
     "f_ = $q(v_->ptr[i_], x_); f_; })"},
    {"join", 'v', "s", 's', false, false,
     "({ vx_vec w_ = {($r)->ptr, ($r)->len, ($r)->cap}; vx_str_join(&w_, $0); })"},
    /* [T; N] */
    {"len", 'A', "", 'u', false, false, "((uint64_t)$N)"},
    /* string */
    {"len", 's', "", 'u', false, false, "((uint64_t)(*$r)->len)"},
    {"is_empty", 's', "", 'b', false, false, "((*$r)->len == 0)"},
    {"contains", 's', "s", 'b', false, false, "vx_str_contains(*$r, $0)"},
    {"starts_with", 's', "s", 'b', false, false, "vx_str_starts_with(*$r, $0)"},
    {"ends_with", 's', "s", 'b', false, false, "vx_str_ends_with(*$r, $0)"},
    {"trim", 's', "", 's', false, false, "vx_str_trim(*$r)"},
    {"trim_start", 's', "", 's', false, false, "vx_str_trim_start(*$r)"},
    {"trim_end", 's', "", 's', false, false, "vx_str_trim_end(*$r)"},
    {"to_upper", 's', "", 's', false, false, "vx_str_to_upper(*$r)"},
    {"to_lower", 's', "", 's', false, false, "vx_str_to_lower(*$r)"},
    {"split", 's', "s", 'V', false, false,
     "({ vxc_vecraw r_ = vxc_from_vx_vec(vx_str_split(*$r, $0)); $R v_; memcpy(&v_, &r_, sizeof v_); v_; })"},
    {"lines", 's', "", 'V', false, false,
     "({ vxc_vecraw r_ = vxc_from_vx_vec(vx_str_lines(*$r)); $R v_; memcpy(&v_, &r_, sizeof v_); v_; })"},
    {"chars", 's', "", 'V', false, false,
     "({ vxc_vecraw r_ = vxc_from_vx_vec(vx_str_chars(*$r)); $R v_; memcpy(&v_, &r_, sizeof v_); v_; })"},
    {"byte_at", 's', "u", '8', false, false, "vx_str_byte_at(*$r, (int64_t)($0), $L)"},
    {"bytes", 's', "", 'B', false, false,
     "({ vxc_vecraw r_ = vxc_from_vx_vec(vx_str_bytes(*$r)); $R v_; memcpy(&v_, &r_, sizeof v_); v_; })"},
    {"char_count", 's', "", 'u', false, false, "((uint64_t)vx_str_char_count(*$r))"},
    {"slice", 's', "uu", 's', false, false, "vx_str_slice(*$r, (int64_t)($0), (int64_t)($1), $L)"},
    {"substring", 's', "uu", 's', false, false, "vx_str_slice(*$r, (int64_t)($0), (int64_t)($1), $L)"},
    {"repeat", 's', "u", 's', false, false, "vx_str_repeat(*$r, (uint64_t)($0))"},
    {"replace", 's', "ss", 's', false, false, "vx_str_replace(*$r, $0, $1)"},
    {"find", 's', "s", 'U', false, false, OPT_OF("o_.some = vx_str_find(*$r, $0, &o_.val);")},
    {"rfind", 's', "s", 'U', false, false, OPT_OF("o_.some = vx_str_rfind(*$r, $0, &o_.val);")},
    {"parse_i64", 's', "", 'I', false, false, OPT_OF("o_.some = vx_str_parse_i64(*$r, &o_.val);")},
    {"parse_int", 's', "", 'I', false, false, OPT_OF("o_.some = vx_str_parse_i64(*$r, &o_.val);")},
    {"parse_f64", 's', "", 'F', false, false, OPT_OF("o_.some = vx_str_parse_f64(*$r, &o_.val);")},
    /* Option<T> */
    {"unwrap", 'o', "", 'e', false, true, "({ $T *o_ = $r; if (!o_->some) vx_panic_unwrap_none($L); $C(o_->val); })"},
    {"expect", 'o', "s", 'e', false, true,
     "({ $T *o_ = $r; if (!o_->some) { vxc_str m_ = $0; vx_panic($L, \"%.*s\", (int)m_->len, m_->ptr); } "
     "$C(o_->val); })"},
    {"is_some", 'o', "", 'b', false, false, "(($r)->some)"},
    {"is_none", 'o', "", 'b', false, false, "(!($r)->some)"},
    {"unwrap_or", 'o', "e", 'e', false, true,
     "({ $T *o_ = $r; $E d_ = $0; $E r_; if (o_->some) { r_ = $C(o_->val); $d(&d_); } else r_ = d_; r_; })"},
    /* Result<T, E> */
    {"unwrap", 'r', "", 'e', false, true,
     "({ $T *o_ = $r; if (o_->is_err) { VXC_BUF(fb); vxc_puts(&fb, \"called unwrap() on an Err value: \"); "
     "$g(&fb, o_->err, -2); vx_panic($L, \"%s\", vxc_buf_cstr(&fb)); } $C(o_->ok); })"},
    {"expect", 'r', "s", 'e', false, true,
     "({ $T *o_ = $r; if (o_->is_err) { VXC_BUF(fb); vxc_str m_ = $0; vxc_put(&fb, m_->ptr, m_->len); "
     "vxc_puts(&fb, \": \"); $g(&fb, o_->err, -2); vx_panic($L, \"%s\", vxc_buf_cstr(&fb)); } $C(o_->ok); })"},
    {"unwrap_err", 'r', "", 'x', false, true,
     "({ $T *o_ = $r; if (!o_->is_err) { VXC_BUF(fb); vxc_puts(&fb, \"called unwrap_err() on an Ok value: \"); "
     "$G(&fb, o_->ok, -2); vx_panic($L, \"%s\", vxc_buf_cstr(&fb)); } $K(o_->err); })"},
    {"is_ok", 'r', "", 'b', false, false, "(!($r)->is_err)"},
    {"is_err", 'r', "", 'b', false, false, "(($r)->is_err)"},
    {"unwrap_or", 'r', "e", 'e', false, true,
     "({ $T *o_ = $r; $E d_ = $0; $E r_; if (!o_->is_err) { r_ = $C(o_->ok); $d(&d_); } "
     "else { r_ = d_; $X(&o_->err); } r_; })"},
    {"ok", 'r', "", 'o', false, true,
     "({ $T *o_ = $r; $R r_ = {0}; if (!o_->is_err) { r_.some = 1; r_.val = $C(o_->ok); } "
     "else { $X(&o_->err); } r_; })"},
    /* Channel<T>: in an async fn send, recv and recv_opt are suspension
     * points (lower.c makes them MT_SUSPEND); these templates are the sync
     * forms, which block the calling thread */
    {"send", 'c', "e", 'n', false, false,
     "({ $E x_ = $0; if (vx_chan_send_sync(*$r, &x_) != VX_OK) vx_panic($L, \"send on a closed channel\"); "
     "(vxc_unit)0; })"},
    {"recv", 'c', "", 'e', false, false,
     "({ $E x_; if (vx_chan_recv_sync(*$r, &x_) != VX_OK) vx_panic($L, \"recv on a closed channel\"); x_; })"},
    {"recv_opt", 'c', "", 'o', false, false, OPT_OF("o_.some = vx_chan_recv_sync(*$r, &o_.val) == VX_OK;")},
    {"close", 'c', "", 'n', false, false, "({ vx_chan_close(*$r); (vxc_unit)0; })"},
    {"len", 'c', "", 'u', false, false, "((uint64_t)vx_chan_len(*$r))"},
    /* Mutex<T>: lock is a suspension point in an async fn; in sync code it
     * blocks the thread */
    {"lock", 'm', "", 'g', false, false, "({ $T m_ = *$r; vxc_lock_sync(m_->m); atomic_fetch_add(&m_->rc, 1); m_; })"},
    /* numbers */
    {"abs", 'f', "", 'T', false, false, "(($T)fabs(*$r))"},
    {"abs", 'S', "", 'T', false, false, "vxc_abs_$S(*$r, $L)"},
    {"pow", 'i', "w", 'T', false, false, "vxc_pow_$S(*$r, $0, $L)"},
    {"min", 'n', "T", 'T', false, false, "({ $T a_ = *$r, b_ = $0; a_ < b_ ? a_ : b_; })"},
    {"max", 'n', "T", 'T', false, false, "({ $T a_ = *$r, b_ = $0; a_ > b_ ? a_ : b_; })"},
    {"sqrt", 'f', "", 'T', false, false, "(($T)sqrt(*$r))"},
    {"floor", 'f', "", 'T', false, false, "(($T)floor(*$r))"},
    {"ceil", 'f', "", 'T', false, false, "(($T)ceil(*$r))"},
    {"round", 'f', "", 'T', false, false, "(($T)round(*$r))"},
    /* static functions of the std (the receiver letter ':'); check.c
     * resolves their names (Box.new, os.args, ...) */
    {"Box.new", ':', "x", '!', false, false, "({ $B x_ = $0; $B *p_ = vx_alloc(sizeof($B)); *p_ = x_; p_; })"},
    {"Vec.new", ':', "", '!', false, false, "(($R){0})"},
    {"Vec.with_capacity", ':', "x", '!', false, false, "({ (void)($0); ($R){0}; })"},
    {"os.args", ':', "", '!', false, false,
     "({ vxc_vecraw r_ = vxc_os_args(); $R v_; memcpy(&v_, &r_, sizeof v_); v_; })"},
    {"os.env", ':', "s", '!', false, false, OPT_OF("o_.some = vxc_os_env($0, &o_.val);")},
    {"os.exit", ':', "x", '!', false, false, "({ fflush(stdout); exit($0); (vxc_unit)0; })"},
    {"time.now_ms", ':', "", '!', false, false, "vxc_now_ms()"},
    {"time.now_ns", ':', "", '!', false, false, "vx_now_ns()"},
    {"time.sleep", ':', "x", '!', false, false, "({ vxc_sleep_ms($0); (vxc_unit)0; })"},
    {"Channel.new", ':', "x", '!', false, false, "vx_chan_new(sizeof($B), (size_t)($0))"},
    {"Mutex.new", ':', "x", '!', false, false,
     "({ $R p_ = vx_alloc(sizeof *p_); atomic_init(&p_->rc, 1); p_->m = vx_mutex_new(); p_->val = $0; p_; })"},
    {"string.from_bytes", ':', "x", '!', false, false,
     "({ __typeof__($0) v_ = $0; vxc_str s_ = vx_str_from_utf8_lossy((const char *)v_.ptr, v_.len); "
     "vx_vec_free(VXC_VX(&v_)); s_; })"},
    /* net: TCP on the poller (async: await net.listen(addr)?) */
    {"net.listen", ':', "s", 'l', false, false, "vx_net_listen($F, &$o, $0, $L)",
     "vx_net_op", "VXC_NET_SOCK($R, $o)", "vx_net_op_drop(&$o)"},
    {"net.connect", ':', "s", 't', false, false, "vx_net_connect($F, &$o, $0, 0, $L)",
     "vx_net_op", "VXC_NET_SOCK($R, $o)", "vx_net_op_drop(&$o)"},
    {"net.connect_timeout", ':', "sm", 't', false, false, "vx_net_connect($F, &$o, $0, (int64_t)$1, $L)",
     "vx_net_op", "VXC_NET_SOCK($R, $o)", "vx_net_op_drop(&$o)"},
    {"accept", 'L', "", 't', false, false, "vx_net_accept($F, &$o, *$r, $L)",
     "vx_net_op", "VXC_NET_SOCK($R, $o)", "vx_net_op_drop(&$o)"},
    {"read", 'W', "u", 'y', false, false, "vx_net_read($F, &$o, *$r, (size_t)$0, $L)",
     "vx_net_op", "VXC_NET_DATA($R, $o)", "vx_net_op_drop(&$o)"},
    {"read_exact", 'W', "u", 'y', false, false, "vx_net_read_exact($F, &$o, *$r, (size_t)$0, $L)",
     "vx_net_op", "VXC_NET_DATA($R, $o)", "vx_net_op_drop(&$o)"},
    {"write", 'W', "D", 'z', false, false, "vx_net_write($F, &$o, *$r, $D0, $L)",
     "vx_net_op", "VXC_NET_UNIT($R, $o)", "vx_net_op_drop(&$o)"},
    {"port", 'L', "", 'i', false, false, "((int32_t)vx_sock_local_port(*$r))"},
    {"set_timeout", 'L', "m", 'n', false, false, "({ vx_sock_set_timeouts(*$r, (int64_t)$0, 0); (vxc_unit)0; })"},
    {"set_timeout", 'W', "m", 'n', false, false,
     "({ vx_sock_set_timeouts(*$r, (int64_t)$0, (int64_t)$0); (vxc_unit)0; })"},
    {"shutdown_write", 'W', "", 'n', false, false, "({ vx_sock_shutdown_write(*$r); (vxc_unit)0; })"},
    {"shutdown", 'W', "", 'n', false, false, "({ vx_sock_shutdown(*$r); (vxc_unit)0; })"},
    {"shutdown", 'L', "", 'n', false, false, "({ vx_sock_shutdown(*$r); (vxc_unit)0; })"},
    {"shutdown", 'K', "", 'n', false, false, "({ vx_sock_shutdown(vx_http_conn_sock(*$r)); (vxc_unit)0; })"},
    /* http: the client on libcurl (async: await http.get(url)?) */
    {"http.get", ':', "s", 'R', false, false, "($o.max_body = 0, vx_http_get($F, &$o, $0, NULL, 0, $L))",
     "vx_http_fetch_op", "VXC_HTTP_RESPONSE($R, $o)", "vx_http_fetch_drop(&$o)"},
    {"http.post", ':', "sD", 'R', false, false, "($o.max_body = 0, vx_http_post($F, &$o, $0, NULL, $D1, 0, $L))",
     "vx_http_fetch_op", "VXC_HTTP_RESPONSE($R, $o)", "vx_http_fetch_drop(&$o)"},
    {"http.request", ':', "sssDm", 'R', false, false,
     "($o.max_body = 0, vx_http_fetch($F, &$o, vx_str_cstr($0), $1, $2, $D3, (int64_t)$4, $L))",
     "vx_http_fetch_op", "VXC_HTTP_RESPONSE($R, $o)", "vx_http_fetch_drop(&$o)"},
    /* http: the server, a connection at a time (http.conn(stream)) */
    {"http.conn", ':', "t", 'k', false, false, "vx_http_conn_new($0)"},
    {"next", 'K', "", 'q', false, false, "vx_http_next($F, &$o, *$r, $L)",
     "vx_http_op", "VXC_HTTP_REQUEST($R, $o)", "vx_http_op_drop(&$o)"},
    {"respond", 'K', "jD", 'z', false, false,
     "vx_http_respond($F, &$o, *$r, (int)$0, \"Content-Type: text/plain; charset=utf-8\\r\\n\", $D1, $L)",
     "vx_http_op", "VXC_HTTP_SENT($R, $o)", "vx_http_op_drop(&$o)"},
    {"respond_with", 'K', "jsD", 'z', false, false,
     "({ char h_[512]; vxc_content_type(h_, sizeof h_, $1); vx_http_respond($F, &$o, *$r, (int)$0, h_, $D2, $L); })",
     "vx_http_op", "VXC_HTTP_SENT($R, $o)", "vx_http_op_drop(&$o)"},
    {"set_timeout", 'K', "m", 'n', false, false, "({ vx_http_conn_set_timeout(*$r, (int64_t)$0); (vxc_unit)0; })"},
    {"set_limits", 'K', "uu", 'n', false, false,
     "({ vx_http_conn_set_limits(*$r, (size_t)$0, (size_t)$1); (vxc_unit)0; })"},
    /* operations lowering needs that are not methods */
    {"str.append", ':', "xs", '!', false, false, "vx_str_append($0, $1)"},
    {"assert.fail", ':', "s", '!', false, false, "({ vx_panic_assert($L, vx_str_cstr($0)); (vxc_unit)0; })"},
    {"int.inc", ':', "x", '!', false, false, "($0 + 1)"},
    {NULL, 0, NULL, 0, false, false, NULL},
};

static bool recv_fits(char k, Type *t) {
    t = ty_res(t);
    switch (k) {
    case 'a': return true;
    case 'v': return t->kind == TY_VEC;
    case 'A': return t->kind == TY_ARRAY;
    case 's': return t->kind == TY_STR;
    case 'o': return t->kind == TY_OPTION;
    case 'r': return t->kind == TY_RESULT;
    case 'c': return t->kind == TY_CHAN;
    case 'm': return t->kind == TY_MUTEX;
    case 'L': return t->kind == TY_HANDLE && t->handle == H_TCP_LISTENER;
    case 'W': return t->kind == TY_HANDLE && t->handle == H_TCP_STREAM;
    case 'K': return t->kind == TY_HANDLE && t->handle == H_HTTP_CONN;
    case 'n': return ty_is_num(t);
    case 'i': return ty_is_int(t);
    case 'S': return ty_is_signed(t) || ty_is_float(t);
    case 'f': return ty_is_float(t);
    default: return false;
    }
}

int builtin_find(Type *t, const char *name) {
    for (int i = 0; builtins[i].name; i++) {
        const Builtin *b = &builtins[i];
        if (b->recv == ':') {
            if (!t && !strcmp(b->name, name))
                return i;
            continue;
        }
        if (t && !strcmp(b->name, name) && recv_fits(b->recv, t))
            return i;
    }
    return -1;
}

/* The types of compiler/std/net.vx the rows name, as check.c registers
 * them (the file is parsed with the program whenever a row that needs
 * them can be reached: main.c's std_wanted). */
static const char *const std_names[] = {"IoError", "HttpError", "Response", "Request"};
static Type *std_types[sizeof std_names / sizeof std_names[0]];

void builtin_std_type(const char *name, Type *t) {
    for (size_t i = 0; i < sizeof std_names / sizeof std_names[0]; i++)
        if (!strcmp(std_names[i], name))
            std_types[i] = t;
}

static Type *std_type(const char *name) {
    for (size_t i = 0; i < sizeof std_names / sizeof std_names[0]; i++)
        if (!strcmp(std_names[i], name) && std_types[i])
            return std_types[i];
    unreachable();
}

Type *handle_type(int h) {
    Type *t = ty_new(TY_HANDLE);
    t->handle = h;
    return t;
}

Type *builtin_type(char c, Type *recv) {
    Type *t = recv ? ty_res(recv) : NULL;
    switch (c) {
    case 'n': return ty_unit;
    case 'b': return ty_bool;
    case 'u': return ty_usize;
    case '8': return ty_u8;
    case 'w': return ty_prim[TY_U32];
    case 's': return ty_str;
    case 'e': case 'E': return t->elem;
    case 'x': return t->err;
    case 'T': return t;
    case 'o': return ty_wrap(TY_OPTION, t->elem);
    case 'I': return ty_wrap(TY_OPTION, ty_i64);
    case 'F': return ty_wrap(TY_OPTION, ty_f64);
    case 'U': return ty_wrap(TY_OPTION, ty_usize);
    case 'V': return ty_wrap(TY_VEC, ty_str);
    case 'g': return ty_wrap(TY_GUARD, t->elem);
    case 'B': return ty_wrap(TY_VEC, ty_u8);
    case 'i': case 'j': return ty_i32;
    case 'm': return ty_i64;
    case 'k': return handle_type(H_HTTP_CONN);
    case 'q': return ty_wrap(TY_OPTION, std_type("Request"));
    case 'R': return ty_result(std_type("Response"), std_type("HttpError"));
    case 'l': return ty_result(handle_type(H_TCP_LISTENER), std_type("IoError"));
    case 't': return ty_result(handle_type(H_TCP_STREAM), std_type("IoError"));
    case 'y': return ty_result(ty_wrap(TY_VEC, ty_u8), std_type("IoError"));
    case 'z': return ty_result(ty_unit, std_type("IoError"));
    default: return NULL;
    }
}
