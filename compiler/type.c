/*
 * type.c - Vex types. Types are small structural trees (Vec<Option<i32>>
 * is three nodes); primitive types are shared singletons. Local inference
 * uses type variables (TY_VAR) bound by ty_unify(): an untyped integer
 * literal is a variable that only unifies with integer types and defaults
 * to i32 when nothing else binds it (ty_zonk), the way rustc's {integer}
 * does; `Vec.new()` gets a Vec of a fresh variable that the first push
 * binds.
 */
#include <string.h>

#include "vexc.h"

Type *ty_unit, *ty_bool, *ty_i32, *ty_i64, *ty_u8, *ty_usize, *ty_f64, *ty_str, *ty_never;
Type *ty_prim[TY_STR + 1];

const HandleDef handles[H_COUNT] = {
    [H_TCP_LISTENER] = {"TcpListener", "vx_sock *", "vxc_sock_dropp", "vxc_sock_clone"},
    [H_TCP_STREAM] = {"TcpStream", "vx_sock *", "vxc_sock_dropp", "vxc_sock_clone"},
    [H_HTTP_CONN] = {"HttpConn", "vx_http_conn *", "vxc_http_conn_dropp", "vxc_http_conn_clone"},
};

int handle_find(const char *name) {
    for (int i = 0; i < H_COUNT; i++)
        if (!strcmp(handles[i].name, name))
            return i;
    return -1;
}

Type *ty_new(TyKind k) {
    Type *t = arena_alloc(sizeof(Type));
    t->kind = k;
    return t;
}

void types_init(void) {
    for (int k = 0; k <= TY_STR; k++)
        ty_prim[k] = ty_new((TyKind)k);
    ty_unit = ty_prim[TY_UNIT];
    ty_bool = ty_prim[TY_BOOL];
    ty_i32 = ty_prim[TY_I32];
    ty_i64 = ty_prim[TY_I64];
    ty_u8 = ty_prim[TY_U8];
    ty_usize = ty_prim[TY_USIZE];
    ty_f64 = ty_prim[TY_F64];
    ty_str = ty_prim[TY_STR];
    ty_never = ty_new(TY_NEVER);
}

Type *ty_wrap(TyKind k, Type *elem) {
    Type *t = ty_new(k);
    t->elem = elem;
    return t;
}

Type *ty_result(Type *ok, Type *err) {
    Type *t = ty_new(TY_RESULT);
    t->elem = ok;
    t->err = err;
    return t;
}

Type *ty_var(int int_var) {
    Type *t = ty_new(TY_VAR);
    t->int_var = int_var;
    return t;
}

Type *ty_res(Type *t) {
    while (t && t->kind == TY_VAR && t->bound)
        t = t->bound;
    return t;
}

bool ty_is_int(Type *t) {
    t = ty_res(t);
    return (t->kind >= TY_I8 && t->kind <= TY_USIZE) || (t->kind == TY_VAR && t->int_var == 1);
}
bool ty_is_signed(Type *t) {
    t = ty_res(t);
    return (t->kind >= TY_I8 && t->kind <= TY_I64) || (t->kind == TY_VAR && t->int_var == 1);
}
bool ty_is_float(Type *t) {
    t = ty_res(t);
    return t->kind == TY_F32 || t->kind == TY_F64 || (t->kind == TY_VAR && t->int_var == 2);
}
bool ty_is_num(Type *t) { return ty_is_int(t) || ty_is_float(t); }

int ty_int_bits(Type *t) {
    switch (ty_res(t)->kind) {
    case TY_I8: case TY_U8: return 8;
    case TY_I16: case TY_U16: return 16;
    case TY_I32: case TY_U32: return 32;
    default: return 64;
    }
}

static bool occurs(Type *v, Type *t) {
    t = ty_res(t);
    if (!t)
        return false;
    if (t == v)
        return true;
    if (t->elem && occurs(v, t->elem))
        return true;
    if (t->err && occurs(v, t->err))
        return true;
    for (int i = 0; i < t->nelems; i++)
        if (occurs(v, t->elems[i]))
            return true;
    return false;
}

bool ty_unify(Type *a, Type *b) {
    a = ty_res(a);
    b = ty_res(b);
    if (a == b)
        return true;
    if (a->kind == TY_NEVER || b->kind == TY_NEVER)
        return true;
    if (a->kind == TY_VAR || b->kind == TY_VAR) {
        if (a->kind != TY_VAR) {
            Type *t = a;
            a = b;
            b = t;
        }
        if (b->kind == TY_VAR) {
            /* two variables: keep the more constrained one as the root */
            if (a->int_var && b->int_var && a->int_var != b->int_var)
                return false;
            if (a->int_var && !b->int_var) {
                b->bound = a;
                return true;
            }
            a->bound = b;
            return true;
        }
        if (a->int_var == 1 && !(b->kind >= TY_I8 && b->kind <= TY_USIZE))
            return false;
        if (a->int_var == 2 && !(b->kind == TY_F32 || b->kind == TY_F64))
            return false;
        if (occurs(a, b))
            return false;
        a->bound = b;
        return true;
    }
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case TY_STRUCT: return a->sd == b->sd;
    case TY_ENUM: return a->ed == b->ed;
    case TY_VEC: case TY_BOX: case TY_OPTION: case TY_TASK: case TY_CHAN: case TY_MUTEX: case TY_GUARD:
        return ty_unify(a->elem, b->elem);
    case TY_HANDLE: return a->handle == b->handle;
    case TY_REF: return a->mut == b->mut && ty_unify(a->elem, b->elem);
    case TY_ARRAY: return a->n == b->n && ty_unify(a->elem, b->elem);
    case TY_RESULT: return ty_unify(a->elem, b->elem) && ty_unify(a->err, b->err);
    case TY_TUPLE:
        if (a->nelems != b->nelems)
            return false;
        for (int i = 0; i < a->nelems; i++)
            if (!ty_unify(a->elems[i], b->elems[i]))
                return false;
        return true;
    default: return true;
    }
}

Type *ty_zonk(Type *t) {
    t = ty_res(t);
    if (!t)
        return ty_unit;
    if (t->kind == TY_VAR) {
        t->bound = t->int_var == 2 ? ty_f64 : t->int_var == 1 ? ty_i32 : ty_unit;
        return t->bound;
    }
    if (t->elem)
        t->elem = ty_zonk(t->elem);
    if (t->err)
        t->err = ty_zonk(t->err);
    for (int i = 0; i < t->nelems; i++)
        t->elems[i] = ty_zonk(t->elems[i]);
    return t;
}

bool ty_is_copy(Type *t) {
    t = ty_res(t);
    switch (t->kind) {
    case TY_VEC: case TY_BOX: case TY_TASK: case TY_GUARD: case TY_HANDLE: return false;
    case TY_STRUCT:
        for (int i = 0; i < t->sd->fields.len; i++)
            if (!ty_is_copy(((Field *)t->sd->fields.items[i])->ty))
                return false;
        return true;
    case TY_ENUM:
        for (int i = 0; i < t->ed->variants.len; i++) {
            Variant *v = t->ed->variants.items[i];
            for (int j = 0; j < v->ntys; j++)
                if (!ty_is_copy(v->tys[j]))
                    return false;
        }
        return true;
    case TY_OPTION: case TY_ARRAY: return ty_is_copy(t->elem);
    case TY_RESULT: return ty_is_copy(t->elem) && ty_is_copy(t->err);
    case TY_TUPLE:
        for (int i = 0; i < t->nelems; i++)
            if (!ty_is_copy(t->elems[i]))
                return false;
        return true;
    default: return true;
    }
}

/* Does a value of type t own heap memory (a string reference, a Vec
 * buffer, a Box)? Only such values need clone/drop code. */
bool ty_needs_drop(Type *t) {
    t = ty_res(t);
    switch (t->kind) {
    case TY_STR: case TY_VEC: case TY_BOX: case TY_TASK: case TY_CHAN: case TY_MUTEX: case TY_GUARD: case TY_HANDLE:
        return true;
    case TY_STRUCT:
        for (int i = 0; i < t->sd->fields.len; i++)
            if (ty_needs_drop(((Field *)t->sd->fields.items[i])->ty))
                return true;
        return false;
    case TY_ENUM:
        for (int i = 0; i < t->ed->variants.len; i++) {
            Variant *v = t->ed->variants.items[i];
            for (int j = 0; j < v->ntys; j++)
                if (ty_needs_drop(v->tys[j]))
                    return true;
        }
        return false;
    case TY_OPTION: case TY_ARRAY: return ty_needs_drop(t->elem);
    case TY_RESULT: return ty_needs_drop(t->elem) || ty_needs_drop(t->err);
    case TY_TUPLE:
        for (int i = 0; i < t->nelems; i++)
            if (ty_needs_drop(t->elems[i]))
                return true;
        return false;
    default: return false;
    }
}


static void str_of(Buf *b, Type *t) {
    t = ty_res(t);
    if (!t) {
        buf_puts(b, "?");
        return;
    }
    static const char *prim[] = {"()", "bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64",
                                 "usize", "f32", "f64", "string", "!"};
    if (t->kind <= TY_NEVER) {
        buf_puts(b, prim[t->kind]);
        return;
    }
    switch (t->kind) {
    case TY_STRUCT: buf_puts(b, t->sd->name); break;
    case TY_ENUM: buf_puts(b, t->ed->name); break;
    case TY_VEC: buf_puts(b, "Vec<"); str_of(b, t->elem); buf_puts(b, ">"); break;
    case TY_BOX: buf_puts(b, "Box<"); str_of(b, t->elem); buf_puts(b, ">"); break;
    case TY_TASK: buf_puts(b, "Task<"); str_of(b, t->elem); buf_puts(b, ">"); break;
    case TY_CHAN: buf_puts(b, "Channel<"); str_of(b, t->elem); buf_puts(b, ">"); break;
    case TY_MUTEX: buf_puts(b, "Mutex<"); str_of(b, t->elem); buf_puts(b, ">"); break;
    case TY_GUARD: buf_puts(b, "MutexGuard<"); str_of(b, t->elem); buf_puts(b, ">"); break;
    case TY_HANDLE: buf_puts(b, handles[t->handle].name); break;
    case TY_OPTION: buf_puts(b, "Option<"); str_of(b, t->elem); buf_puts(b, ">"); break;
    case TY_RESULT:
        buf_puts(b, "Result<");
        str_of(b, t->elem);
        buf_puts(b, ", ");
        str_of(b, t->err);
        buf_puts(b, ">");
        break;
    case TY_REF: buf_puts(b, "&"); str_of(b, t->elem); if (t->mut) buf_puts(b, "!"); break;
    case TY_ARRAY: buf_puts(b, "["); str_of(b, t->elem); buf_printf(b, "; %ld]", t->n); break;
    case TY_TUPLE:
        buf_puts(b, "(");
        for (int i = 0; i < t->nelems; i++) {
            if (i)
                buf_puts(b, ", ");
            str_of(b, t->elems[i]);
        }
        buf_puts(b, t->nelems == 1 ? ",)" : ")");
        break;
    case TY_VAR: buf_puts(b, t->int_var == 1 ? "{integer}" : t->int_var == 2 ? "{float}" : "_"); break;
    case TY_CPTR: buf_puts(b, "*void"); break;
    default: buf_puts(b, "?"); break;
    }
}

const char *ty_str_of(Type *t) {
    Buf b = {0};
    str_of(&b, t);
    char *s = arena_strndup(b.data, b.len);
    buf_free(&b);
    return s;
}

/* A C-safe name for t that no other type shares: each type code starts with
 * its own letter and user names carry their length (Itanium style), so a
 * user struct named `Vi32` (S4Vi32) never meets Vec<i32> (Vi32). */
static void mangle(Buf *b, Type *t) {
    t = ty_res(t);
    static const char *prim[] = {"unit", "bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64",
                                 "usize", "f32", "f64", "str", "never"};
    if (!t || t->kind == TY_VAR) {
        buf_puts(b, "unit");
        return;
    }
    if (t->kind <= TY_NEVER) {
        buf_puts(b, prim[t->kind]);
        return;
    }
    switch (t->kind) {
    case TY_STRUCT: buf_printf(b, "S%zu%s", strlen(t->sd->name), t->sd->name); break;
    case TY_ENUM: buf_printf(b, "E%zu%s", strlen(t->ed->name), t->ed->name); break;
    case TY_VEC: buf_puts(b, "V"); mangle(b, t->elem); break;
    case TY_BOX: buf_puts(b, "B"); mangle(b, t->elem); break;
    case TY_TASK: buf_puts(b, "K"); mangle(b, t->elem); break;
    case TY_CHAN: buf_puts(b, "C"); mangle(b, t->elem); break;
    case TY_MUTEX: buf_puts(b, "X"); mangle(b, t->elem); break;
    case TY_GUARD: buf_puts(b, "G"); mangle(b, t->elem); break;
    case TY_HANDLE: buf_printf(b, "H%d", t->handle); break;
    case TY_OPTION: buf_puts(b, "O"); mangle(b, t->elem); break;
    case TY_RESULT: buf_puts(b, "R"); mangle(b, t->elem); mangle(b, t->err); break;
    case TY_REF: buf_puts(b, t->mut ? "M" : "P"); mangle(b, t->elem); break;
    case TY_ARRAY: buf_printf(b, "A%ld_", t->n); mangle(b, t->elem); break;
    case TY_TUPLE:
        buf_printf(b, "T%d_", t->nelems);
        for (int i = 0; i < t->nelems; i++)
            mangle(b, t->elems[i]);
        break;
    case TY_CPTR: buf_puts(b, "cptr"); break;
    default: buf_puts(b, "x"); break;
    }
}

const char *ty_mangle(Type *t) {
    Buf b = {0};
    mangle(&b, t);
    char *s = arena_strndup(b.data, b.len);
    buf_free(&b);
    return s;
}

/* Can a value of type t hold a reference (references are second-class: in
 * a local, a tuple, an Option, a Result or an array only)? */
bool ty_holds_ref(Type *t) {
    t = ty_res(t);
    switch (t->kind) {
    case TY_REF: return true;
    case TY_OPTION: case TY_ARRAY: return ty_holds_ref(t->elem);
    case TY_RESULT: return ty_holds_ref(t->elem) || ty_holds_ref(t->err);
    case TY_TUPLE:
        for (int i = 0; i < t->nelems; i++)
            if (ty_holds_ref(t->elems[i]))
                return true;
        return false;
    default: return false;
    }
}
