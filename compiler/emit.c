/*
 * emit.c - lowering to the MIR and C generation.
 *
 * Two halves. The statement half (emit_stmt, emit_into, lower_fn) walks a
 * checked function and builds its MIR (mir.c): every control-flow
 * construct becomes basic blocks and terminators - if, match (a chain of
 * pattern tests), loops (head/body/step/exit), break/continue, return and
 * `?` - and every owned value gets its drop on each exit edge, guarded by
 * a drop flag when it may have been moved (rustc's drop elaboration). The
 * expression half (ex and friends) renders straight-line expressions as C
 * over MIR locals; when an expression contains control flow (an `if` used
 * as a value, `?`, `&&` over a match), that part is lowered into blocks
 * first and the expression reads its result from a temporary, keeping
 * left-to-right evaluation. Each statement carries its Vex position, so
 * the C says `#line N "file.vx"` and gcc, sanitizers and debuggers speak
 * Vex.
 *
 * Types are monomorphized: each instantiation of Vec/Option/Result/tuple/
 * array gets its own C struct, defined on first use in dependency order
 * (user structs and enums are forward-declared first so Box<Self> works).
 * Per-type helpers (format, equality, clone, drop) are generated the same
 * way, each into its own buffer so a helper that needs another never
 * interleaves text. No C undefined behaviour is emitted: integer
 * arithmetic goes through the checked helpers of prelude.h, indexes are
 * bounds-checked, float-to-int casts saturate.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vexc.h"

static const char prelude_text[] =
#include "prelude.inc"
    ;

static Buf types_b, protos_b, helpers_b, fns_b;
static Buf lits_b; /* file-scope string literals and source locations */
static int nlits;
static Vec done_names; /* emitted type / helper names: a hash set */
static Program *prog;

/* Has `name` been emitted already? (an open-addressing set; done_names
 * holds the table, its len the count) */
static unsigned name_hash(const char *s) {
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static bool seen(const char *name) {
    if (done_names.len * 2 >= done_names.cap) {
        int cap = done_names.cap ? done_names.cap * 2 : 256;
        void **t = arena_alloc(sizeof(void *) * (size_t)cap);
        for (int i = 0; i < done_names.cap; i++) {
            const char *k = done_names.items[i];
            if (!k)
                continue;
            unsigned j = name_hash(k) & (unsigned)(cap - 1);
            while (t[j])
                j = (j + 1) & (unsigned)(cap - 1);
            t[j] = (void *)k;
        }
        done_names.items = t;
        done_names.cap = cap;
    }
    unsigned j = name_hash(name) & (unsigned)(done_names.cap - 1);
    while (done_names.items[j]) {
        if (!strcmp(done_names.items[j], name))
            return true;
        j = (j + 1) & (unsigned)(done_names.cap - 1);
    }
    done_names.items[j] = (void *)name;
    done_names.len++;
    return false;
}

/* ---- types ---- */

static const char *int_suffix(Type *t) {
    switch (ty_res(t)->kind) {
    case TY_I8: return "i8";
    case TY_I16: return "i16";
    case TY_I32: return "i32";
    case TY_I64: return "i64";
    case TY_U8: return "u8";
    case TY_U16: return "u16";
    case TY_U32: return "u32";
    default: return "u64";
    }
}

static void define_type(Type *t);

const char *ty_cname(Type *t) {
    t = ty_res(t);
    static const char *prim[] = {"vxc_unit", "bool", "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t",
                                 "uint16_t", "uint32_t", "uint64_t", "uint64_t", "float", "double", "vxc_str",
                                 "vxc_unit"};
    if (!t || t->kind == TY_VAR)
        return "vxc_unit";
    if (t->kind <= TY_NEVER)
        return prim[t->kind];
    switch (t->kind) {
    case TY_STRUCT: return arena_printf("vx_S_%s", t->sd->name);
    case TY_ENUM: return arena_printf("vx_E_%s", t->ed->name);
    case TY_BOX:
    case TY_REF: {
        const char *e = ty_cname(t->elem);
        return arena_printf("%s *", e);
    }
    case TY_CPTR: return "void *";
    case TY_TASK: return "vx_task *";
    case TY_CHAN: return "vx_chan *";
    case TY_HANDLE: return handles[t->handle].cname;
    case TY_MUTEX: case TY_GUARD:
        define_type(t);
        return arena_printf("struct vxm_%s *", ty_mangle(t->elem));
    default:
        define_type(t);
        return arena_printf("vx_T_%s", ty_mangle(t));
    }
}

static void define_type(Type *t) {
    t = ty_res(t);
    const char *m = ty_mangle(t);
    if (t->kind == TY_STRUCT || t->kind == TY_ENUM) {
        if (seen(arena_printf("type:%s", m)))
            return;
    } else if (t->kind <= TY_NEVER || t->kind == TY_REF || t->kind == TY_BOX || t->kind == TY_TASK ||
               t->kind == TY_CHAN || t->kind == TY_HANDLE) {
        if (t->elem)
            ty_cname(t->elem);
        return;
    } else if (seen(arena_printf("type:%s", m))) {
        return;
    }
    Buf b = {0};
    switch (t->kind) {
    case TY_MUTEX:
    case TY_GUARD: {
        /* one object for a Mutex<T> and its guards */
        if (seen(arena_printf("type:vxm_%s", ty_mangle(t->elem))))
            return;
        const char *e = ty_cname(t->elem);
        define_type(t->elem);
        buf_printf(&b, "struct vxm_%s { _Atomic long rc; vx_mutex *m; %s val; };\n", ty_mangle(t->elem), e);
        break;
    }
    case TY_STRUCT: {
        StructDef *sd = t->sd;
        const char **names = arena_alloc(sizeof(char *) * (size_t)(sd->fields.len + 1));
        for (int i = 0; i < sd->fields.len; i++) {
            Field *f = sd->fields.items[i];
            names[i] = ty_cname(f->ty);
            Type *ft = ty_res(f->ty);
            if (ft->kind == TY_BOX || ft->kind == TY_VEC)
                (void)0;
            else
                define_type(ft);
        }
        buf_printf(&b, "struct vx_S_%s {\n", sd->name);
        for (int i = 0; i < sd->fields.len; i++)
            buf_printf(&b, "    %s f_%s;\n", names[i], ((Field *)sd->fields.items[i])->name);
        if (!sd->fields.len)
            buf_puts(&b, "    char vx_empty;\n");
        buf_puts(&b, "};\n");
        break;
    }
    case TY_ENUM: {
        EnumDef *ed = t->ed;
        Buf body = {0};
        for (int i = 0; i < ed->variants.len; i++) {
            Variant *v = ed->variants.items[i];
            if (!v->ntys)
                continue;
            buf_puts(&body, "        struct {");
            for (int j = 0; j < v->ntys; j++) {
                const char *cn = ty_cname(v->tys[j]);
                define_type(v->tys[j]);
                buf_printf(&body, " %s f%d;", cn, j);
            }
            buf_printf(&body, " } v%d;\n", i);
        }
        buf_printf(&b, "struct vx_E_%s {\n    int32_t tag;\n    union {\n        char vx_none;\n%s    } u;\n};\n",
                   ed->name, body.data ? body.data : "");
        buf_free(&body);
        break;
    }
    case TY_VEC: {
        const char *e = ty_cname(t->elem);
        buf_printf(&b, "typedef struct vx_T_%s { %s *ptr; uint64_t len, cap; } vx_T_%s;\n", m, e, m);
        break;
    }
    case TY_OPTION: {
        const char *e = ty_cname(t->elem);
        define_type(t->elem);
        buf_printf(&b, "typedef struct vx_T_%s { bool some; %s val; } vx_T_%s;\n", m, e, m);
        break;
    }
    case TY_RESULT: {
        const char *e1 = ty_cname(t->elem), *e2 = ty_cname(t->err);
        define_type(t->elem);
        define_type(t->err);
        buf_printf(&b, "typedef struct vx_T_%s { bool is_err; %s ok; %s err; } vx_T_%s;\n", m, e1, e2, m);
        break;
    }
    case TY_TUPLE: {
        buf_printf(&b, "typedef struct vx_T_%s {", m);
        for (int i = 0; i < t->nelems; i++) {
            const char *e = ty_cname(t->elems[i]);
            define_type(t->elems[i]);
            buf_printf(&b, " %s f%d;", e, i);
        }
        buf_printf(&b, " } vx_T_%s;\n", m);
        break;
    }
    case TY_ARRAY: {
        const char *e = ty_cname(t->elem);
        define_type(t->elem);
        buf_printf(&b, "typedef struct vx_T_%s { %s a[%ld]; } vx_T_%s;\n", m, e, t->n > 0 ? t->n : 1, m);
        break;
    }
    default:
        unreachable();
    }
    buf_puts(&types_b, b.data);
    buf_free(&b);
}

/* ---- per-type helpers: fmt, eq, clone ----
 * fmt_fn, eq_fn, drop_fn and clone_fn name the helper of a type and declare
 * its prototype; its body is generated later by emit_helpers() from a work
 * list, so a chain of types (S0 holding an Option<Box<S1>>, S1 one of S2,
 * ...) costs no stack: generating the body of each helper used to generate
 * the helpers it calls first, one C stack frame per link, and 22,500 linked
 * structs overflowed the stack. */

enum { H_FMT, H_EQ, H_DROP, H_CLONE };
typedef struct Helper {
    int kind;
    Type *t;
} Helper;
static Vec helper_queue; /* Helper*, the helpers declared but not generated */

static void queue_helper(int kind, Type *t) {
    Helper *h = arena_alloc(sizeof(Helper));
    h->kind = kind;
    h->t = t;
    vec_push(&helper_queue, h);
}

static void gen_fmt(Type *t);
static void gen_eq(Type *t);
static void gen_drop(Type *t);
static void gen_clone(Type *t);

/* Generates the queued helpers and those they call, until none is left. */
static void emit_helpers(void) {
    while (helper_queue.len) {
        Helper *h = helper_queue.items[--helper_queue.len];
        switch (h->kind) {
        case H_FMT: gen_fmt(h->t); break;
        case H_EQ: gen_eq(h->t); break;
        case H_DROP: gen_drop(h->t); break;
        default: gen_clone(h->t); break;
        }
    }
}

static const char *fmt_fn(Type *t);
static const char *eq_fn(Type *t);
static const char *clone_fn(Type *t);

/* Appends C that formats value expression `v` of type t into buffer `b`. */
static void fmt_value(Buf *o, Type *t, const char *b, const char *v, const char *mode) {
    t = ty_res(t);
    switch (t->kind) {
    case TY_I8: case TY_I16: case TY_I32: case TY_I64:
        buf_printf(o, "vxc_fmt_i64(%s, (int64_t)(%s));", b, v);
        break;
    case TY_U8: case TY_U16: case TY_U32: case TY_U64: case TY_USIZE:
        buf_printf(o, "vxc_fmt_u64(%s, (uint64_t)(%s));", b, v);
        break;
    case TY_F32: case TY_F64:
        buf_printf(o, "if ((%s) >= 0) vxc_fmt_prec(%s, (double)(%s), %s); else vxc_fmt_float(%s, (double)(%s), %d, (%s) == -2);",
                   mode, b, v, mode, b, v, t->kind == TY_F32, mode);
        break;
    case TY_BOOL:
        buf_printf(o, "vxc_fmt_bool(%s, %s);", b, v);
        break;
    case TY_STR:
        buf_printf(o, "if ((%s) >= 0) vx_fmt_str_prec(%s, %s, (size_t)(%s)); else vxc_fmt_str(%s, %s, (%s) == -2);", mode,
                   b, v, mode, b, v, mode);
        break;
    case TY_UNIT: case TY_NEVER:
        buf_printf(o, "vxc_puts(%s, \"()\");", b);
        break;
    case TY_TASK: case TY_CHAN: case TY_MUTEX: case TY_GUARD: case TY_HANDLE:
        buf_printf(o, "vxc_puts(%s, \"%s\");", b, ty_str_of(t));
        break;
    case TY_REF: case TY_BOX:
        fmt_value(o, t->elem, b, arena_printf("(*(%s))", v), mode);
        break;
    default:
        buf_printf(o, "%s(%s, %s, %s);", fmt_fn(t), b, v, mode);
        break;
    }
}

static const char *fmt_fn(Type *t) {
    t = ty_res(t);
    const char *m = ty_mangle(t);
    const char *name = arena_printf("vxc_fmt_%s", m);
    if (seen(name))
        return name;
    const char *ct = ty_cname(t);
    buf_printf(&protos_b, "static void %s(vxc_buf *b, %s v, int mode);\n", name, ct);
    queue_helper(H_FMT, t);
    return name;
}

static void gen_fmt(Type *t) {
    const char *m = ty_mangle(t);
    const char *name = arena_printf("vxc_fmt_%s", m);
    const char *ct = ty_cname(t);
    Buf o = {0};
    buf_printf(&o, "static void %s(vxc_buf *b, %s v, int mode) {\n    (void)mode;\n", name, ct);
    switch (t->kind) {
    case TY_STRUCT: {
        StructDef *sd = t->sd;
        buf_printf(&o, "    vxc_puts(b, \"%s", sd->name);
        buf_puts(&o, sd->fields.len ? " { \");\n" : "\");\n");
        for (int i = 0; i < sd->fields.len; i++) {
            Field *f = sd->fields.items[i];
            buf_printf(&o, "    vxc_puts(b, \"%s%s: \");\n    ", i ? ", " : "", f->name);
            fmt_value(&o, f->ty, "b", arena_printf("v.f_%s", f->name), "-2");
            buf_puts(&o, "\n");
        }
        if (sd->fields.len)
            buf_puts(&o, "    vxc_puts(b, \" }\");\n");
        break;
    }
    case TY_ENUM: {
        EnumDef *ed = t->ed;
        buf_puts(&o, "    switch (v.tag) {\n");
        for (int i = 0; i < ed->variants.len; i++) {
            Variant *vr = ed->variants.items[i];
            buf_printf(&o, "    case %d: vxc_puts(b, \"%s%s\");", i, vr->name, vr->ntys ? "(" : "");
            for (int j = 0; j < vr->ntys; j++) {
                if (j)
                    buf_puts(&o, " vxc_puts(b, \", \");");
                fmt_value(&o, vr->tys[j], "b", arena_printf("v.u.v%d.f%d", i, j), "-2");
            }
            buf_printf(&o, "%s break;\n", vr->ntys ? " vxc_puts(b, \")\");" : "");
        }
        buf_puts(&o, "    }\n");
        break;
    }
    case TY_VEC:
    case TY_ARRAY:
        buf_puts(&o, "    vxc_puts(b, \"[\");\n");
        if (t->kind == TY_VEC)
            buf_puts(&o, "    for (uint64_t i = 0; i < v.len; i++) {\n        if (i) vxc_puts(b, \", \");\n        ");
        else
            buf_printf(&o, "    for (uint64_t i = 0; i < %ld; i++) {\n        if (i) vxc_puts(b, \", \");\n        ", t->n);
        fmt_value(&o, t->elem, "b", t->kind == TY_VEC ? "v.ptr[i]" : "v.a[i]", "-2");
        buf_puts(&o, "\n    }\n    vxc_puts(b, \"]\");\n");
        break;
    case TY_OPTION:
        buf_puts(&o, "    if (!v.some) { vxc_puts(b, \"None\"); return; }\n    vxc_puts(b, \"Some(\");\n    ");
        fmt_value(&o, t->elem, "b", "v.val", "-2");
        buf_puts(&o, "\n    vxc_puts(b, \")\");\n");
        break;
    case TY_RESULT:
        buf_puts(&o, "    if (v.is_err) {\n        vxc_puts(b, \"Err(\");\n        ");
        fmt_value(&o, t->err, "b", "v.err", "-2");
        buf_puts(&o, "\n    } else {\n        vxc_puts(b, \"Ok(\");\n        ");
        fmt_value(&o, t->elem, "b", "v.ok", "-2");
        buf_puts(&o, "\n    }\n    vxc_puts(b, \")\");\n");
        break;
    case TY_TUPLE:
        buf_puts(&o, "    vxc_puts(b, \"(\");\n");
        for (int i = 0; i < t->nelems; i++) {
            buf_printf(&o, "    %s", i ? "vxc_puts(b, \", \"); " : "");
            fmt_value(&o, t->elems[i], "b", arena_printf("v.f%d", i), "-2");
            buf_puts(&o, "\n");
        }
        buf_printf(&o, "    vxc_puts(b, \"%s)\");\n", t->nelems == 1 ? "," : "");
        break;
    default:
        unreachable();
    }
    buf_puts(&o, "}\n");
    buf_puts(&helpers_b, o.data);
    buf_free(&o);
}

/* C expression: are a and b (of type t) equal? */
static const char *eq_expr(Type *t, const char *a, const char *b) {
    t = ty_res(t);
    if (t->kind <= TY_F64 || t->kind == TY_NEVER)
        return arena_printf("((%s) == (%s))", a, b);
    if (t->kind == TY_STR)
        return arena_printf("vxc_str_eq(%s, %s)", a, b);
    if (t->kind == TY_BOX || t->kind == TY_REF)
        return eq_expr(t->elem, arena_printf("(*(%s))", a), arena_printf("(*(%s))", b));
    return arena_printf("%s(%s, %s)", eq_fn(t), a, b);
}

static const char *eq_fn(Type *t) {
    t = ty_res(t);
    const char *name = arena_printf("vxc_eq_%s", ty_mangle(t));
    if (seen(name))
        return name;
    const char *ct = ty_cname(t);
    buf_printf(&protos_b, "static bool %s(%s a, %s b);\n", name, ct, ct);
    queue_helper(H_EQ, t);
    return name;
}

static void gen_eq(Type *t) {
    const char *name = arena_printf("vxc_eq_%s", ty_mangle(t));
    const char *ct = ty_cname(t);
    Buf o = {0};
    buf_printf(&o, "static bool %s(%s a, %s b) {\n", name, ct, ct);
    switch (t->kind) {
    case TY_STRUCT:
        for (int i = 0; i < t->sd->fields.len; i++) {
            Field *f = t->sd->fields.items[i];
            buf_printf(&o, "    if (!%s) return false;\n",
                       eq_expr(f->ty, arena_printf("a.f_%s", f->name), arena_printf("b.f_%s", f->name)));
        }
        break;
    case TY_ENUM:
        buf_puts(&o, "    if (a.tag != b.tag) return false;\n    switch (a.tag) {\n");
        for (int i = 0; i < t->ed->variants.len; i++) {
            Variant *v = t->ed->variants.items[i];
            buf_printf(&o, "    case %d:", i);
            for (int j = 0; j < v->ntys; j++)
                buf_printf(&o, " if (!%s) return false;",
                           eq_expr(v->tys[j], arena_printf("a.u.v%d.f%d", i, j), arena_printf("b.u.v%d.f%d", i, j)));
            buf_puts(&o, " break;\n");
        }
        buf_puts(&o, "    }\n");
        break;
    case TY_VEC:
        buf_printf(&o, "    if (a.len != b.len) return false;\n    for (uint64_t i = 0; i < a.len; i++) if (!%s) return false;\n",
                   eq_expr(t->elem, "a.ptr[i]", "b.ptr[i]"));
        break;
    case TY_ARRAY:
        buf_printf(&o, "    for (uint64_t i = 0; i < %ld; i++) if (!%s) return false;\n", t->n,
                   eq_expr(t->elem, "a.a[i]", "b.a[i]"));
        break;
    case TY_OPTION:
        buf_printf(&o, "    if (a.some != b.some) return false;\n    if (a.some && !%s) return false;\n",
                   eq_expr(t->elem, "a.val", "b.val"));
        break;
    case TY_RESULT:
        buf_printf(&o, "    if (a.is_err != b.is_err) return false;\n    if (a.is_err) return %s;\n    return %s;\n",
                   eq_expr(t->err, "a.err", "b.err"), eq_expr(t->elem, "a.ok", "b.ok"));
        break;
    case TY_TUPLE:
        for (int i = 0; i < t->nelems; i++)
            buf_printf(&o, "    if (!%s) return false;\n",
                       eq_expr(t->elems[i], arena_printf("a.f%d", i), arena_printf("b.f%d", i)));
        break;
    default:
        unreachable();
    }
    buf_puts(&o, "    return true;\n}\n");
    buf_puts(&helpers_b, o.data);
    buf_free(&o);
}

static bool has_heap(Type *t) { return ty_needs_drop(t); }

static const char *drop_fn(Type *t);

/* C statement: release what v (of type t) owns. */
static const char *drop_stmt(Type *t, const char *v) {
    t = ty_res(t);
    if (!has_heap(t))
        return "";
    if (t->kind == TY_STR)
        return arena_printf("vxc_str_drop(%s);", v);
    if (t->kind == TY_CHAN)
        return arena_printf("vxc_chan_dropp(&(%s));", v);
    if (t->kind == TY_TASK)
        return arena_printf("vxc_task_dropp(&(%s));", v);
    if (t->kind == TY_HANDLE)
        return arena_printf("%s(&(%s));", handles[t->handle].drop, v);
    return arena_printf("%s(&(%s));", drop_fn(t), v);
}

static const char *drop_fn(Type *t) {
    t = ty_res(t);
    const char *name = arena_printf("vxc_drop_%s", ty_mangle(t));
    if (seen(name))
        return name;
    const char *ct = ty_cname(t);
    buf_printf(&protos_b, "static void %s(%s *v);\n", name, ct);
    queue_helper(H_DROP, t);
    return name;
}

static void gen_drop(Type *t) {
    const char *name = arena_printf("vxc_drop_%s", ty_mangle(t));
    const char *ct = ty_cname(t);
    Buf o = {0};
    buf_printf(&o, "static void %s(%s *v) {\n", name, ct);
    switch (t->kind) {
    case TY_STRUCT:
        for (int i = 0; i < t->sd->fields.len; i++) {
            Field *f = t->sd->fields.items[i];
            buf_printf(&o, "    %s\n", drop_stmt(f->ty, arena_printf("v->f_%s", f->name)));
        }
        break;
    case TY_ENUM:
        buf_puts(&o, "    switch (v->tag) {\n");
        for (int i = 0; i < t->ed->variants.len; i++) {
            Variant *vr = t->ed->variants.items[i];
            buf_printf(&o, "    case %d:", i);
            for (int j = 0; j < vr->ntys; j++)
                buf_printf(&o, " %s", drop_stmt(vr->tys[j], arena_printf("v->u.v%d.f%d", i, j)));
            buf_puts(&o, " break;\n");
        }
        buf_puts(&o, "    }\n");
        break;
    case TY_VEC:
        buf_printf(&o, "    for (uint64_t i = 0; i < v->len; i++) { %s }\n    vx_free(v->ptr);\n    v->ptr = NULL;\n",
                   drop_stmt(t->elem, "v->ptr[i]"));
        break;
    case TY_ARRAY:
        buf_printf(&o, "    for (uint64_t i = 0; i < %ld; i++) { %s }\n", t->n, drop_stmt(t->elem, "v->a[i]"));
        break;
    case TY_BOX:
        buf_printf(&o, "    if (!*v) return;\n    %s\n    vx_free(*v);\n    *v = NULL;\n", drop_stmt(t->elem, "(**v)"));
        break;
    case TY_GUARD:
        /* unlock, then release the guard's reference like a Mutex handle */
        buf_printf(&o, "    if (!*v) return;\n    vx_mutex_unlock((*v)->m);\n    %s(v);\n",
                   drop_fn(ty_wrap(TY_MUTEX, t->elem)));
        break;
    case TY_MUTEX:
        buf_printf(&o, "    if (!*v) return;\n    if (atomic_fetch_sub(&(*v)->rc, 1) == 1) {\n        %s\n"
                       "        vx_mutex_free((*v)->m);\n        vx_free(*v);\n    }\n    *v = NULL;\n",
                   drop_stmt(t->elem, "(*v)->val"));
        break;
    case TY_OPTION:
        buf_printf(&o, "    if (v->some) { %s }\n", drop_stmt(t->elem, "v->val"));
        break;
    case TY_RESULT:
        buf_printf(&o, "    if (v->is_err) { %s } else { %s }\n", drop_stmt(t->err, "v->err"), drop_stmt(t->elem, "v->ok"));
        break;
    case TY_TUPLE:
        for (int i = 0; i < t->nelems; i++)
            buf_printf(&o, "    %s\n", drop_stmt(t->elems[i], arena_printf("v->f%d", i)));
        break;
    default:
        break;
    }
    buf_puts(&o, "}\n");
    buf_puts(&helpers_b, o.data);
    buf_free(&o);
}

/* C expression: a deep copy of v (of type t); a string is shared by
 * taking a reference. */
static const char *clone_expr(Type *t, const char *v) {
    t = ty_res(t);
    if (!has_heap(t))
        return v;
    if (t->kind == TY_STR)
        return arena_printf("vx_str_retain(%s)", v);
    if (t->kind == TY_CHAN)
        return arena_printf("vxc_chan_clone(%s)", v);
    if (t->kind == TY_TASK)
        return arena_printf("vxc_task_clone(%s)", v);
    if (t->kind == TY_HANDLE)
        return arena_printf("%s(%s)", handles[t->handle].clone, v);
    if (t->kind == TY_MUTEX)
        return arena_printf("({ %s m_ = %s; atomic_fetch_add(&m_->rc, 1); m_; })", ty_cname(t), v);
    return arena_printf("%s(%s)", clone_fn(t), v);
}

static const char *clone_fn(Type *t) {
    t = ty_res(t);
    const char *name = arena_printf("vxc_clone_%s", ty_mangle(t));
    if (seen(name))
        return name;
    const char *ct = ty_cname(t);
    buf_printf(&protos_b, "static %s %s(%s v);\n", ct, name, ct);
    queue_helper(H_CLONE, t);
    return name;
}

static void gen_clone(Type *t) {
    const char *name = arena_printf("vxc_clone_%s", ty_mangle(t));
    const char *ct = ty_cname(t);
    Buf o = {0};
    buf_printf(&o, "static %s %s(%s v) {\n", ct, name, ct);
    switch (t->kind) {
    case TY_STRUCT:
        for (int i = 0; i < t->sd->fields.len; i++) {
            Field *f = t->sd->fields.items[i];
            buf_printf(&o, "    v.f_%s = %s;\n", f->name, clone_expr(f->ty, arena_printf("v.f_%s", f->name)));
        }
        break;
    case TY_ENUM:
        buf_puts(&o, "    switch (v.tag) {\n");
        for (int i = 0; i < t->ed->variants.len; i++) {
            Variant *vr = t->ed->variants.items[i];
            buf_printf(&o, "    case %d:", i);
            for (int j = 0; j < vr->ntys; j++)
                buf_printf(&o, " v.u.v%d.f%d = %s;", i, j, clone_expr(vr->tys[j], arena_printf("v.u.v%d.f%d", i, j)));
            buf_puts(&o, " break;\n");
        }
        buf_puts(&o, "    }\n");
        break;
    case TY_VEC: {
        const char *et = ty_cname(t->elem);
        buf_printf(&o, "    %s r = {0};\n    if (v.len) {\n        r.ptr = vx_alloc(sizeof(%s) * v.len);\n        r.len = r.cap = v.len;\n"
                       "        for (uint64_t i = 0; i < v.len; i++) r.ptr[i] = %s;\n    }\n    return r;\n",
                   ct, et, clone_expr(t->elem, "v.ptr[i]"));
        break;
    }
    case TY_ARRAY:
        buf_printf(&o, "    for (uint64_t i = 0; i < %ld; i++) v.a[i] = %s;\n", t->n, clone_expr(t->elem, "v.a[i]"));
        break;
    case TY_BOX: {
        const char *et = ty_cname(t->elem);
        buf_printf(&o, "    %s *r = vx_alloc(sizeof(%s));\n    *r = %s;\n    return r;\n", et, et,
                   clone_expr(t->elem, "(*v)"));
        break;
    }
    case TY_OPTION:
        buf_printf(&o, "    if (v.some) v.val = %s;\n", clone_expr(t->elem, "v.val"));
        break;
    case TY_RESULT:
        buf_printf(&o, "    if (v.is_err) v.err = %s; else v.ok = %s;\n", clone_expr(t->err, "v.err"),
                   clone_expr(t->elem, "v.ok"));
        break;
    case TY_TUPLE:
        for (int i = 0; i < t->nelems; i++)
            buf_printf(&o, "    v.f%d = %s;\n", i, clone_expr(t->elems[i], arena_printf("v.f%d", i)));
        break;
    default:
        break;
    }
    if (t->kind != TY_VEC && t->kind != TY_BOX)
        buf_puts(&o, "    return v;\n");
    buf_puts(&o, "}\n");
    buf_puts(&helpers_b, o.data);
    buf_free(&o);
}

/* ---- literals and source locations ---- */

static void emit_cstring(Buf *o, const char *s, int n) {
    buf_puts(o, "\"");
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            buf_printf(o, "\\%c", c);
        else if (c == '\n')
            buf_puts(o, "\\n");
        else if (c < 32 || c >= 127 || c == '?')
            buf_printf(o, "\\%03o", c);
        else
            buf_put(o, (const char *)&c, 1);
    }
    buf_puts(o, "\"");
}

/* Source locations and string literals are file-scope statics (a static
 * inside a statement expression is miscompiled by clang 14 when it sits in
 * an initializer). */
static const char *loc_of(Pos p) {
    int k = ++nlits;
    buf_printf(&lits_b, "static const vx_loc vxl_%d VXU = {", k);
    const char *path = p.file ? p.file->path : "?";
    emit_cstring(&lits_b, path, (int)strlen(path));
    buf_printf(&lits_b, ", %d, %d};\n", p.line, p.col);
    return arena_printf("(&vxl_%d)", k);
}

static bool is_unitish(Type *t) {
    t = ty_res(t);
    return !t || t->kind == TY_UNIT || t->kind == TY_NEVER;
}

/* ---- helpers for any type: the names builtin templates call ---- */

/* A function (or macro) cloning a value of type t. */
static const char *clone_any(Type *t) {
    t = ty_res(t);
    if (!has_heap(t))
        return "VXC_ID";
    if (t->kind == TY_STR)
        return "vx_str_retain";
    if (t->kind == TY_CHAN)
        return "vxc_chan_clone";
    if (t->kind == TY_TASK)
        return "vxc_task_clone";
    if (t->kind == TY_HANDLE)
        return handles[t->handle].clone;
    return clone_fn(t);
}

/* A function (or macro) dropping the value a pointer points to. */
static const char *drop_any(Type *t) {
    t = ty_res(t);
    if (!has_heap(t))
        return "VXC_NODROP";
    if (t->kind == TY_STR)
        return "vxc_str_dropp";
    if (t->kind == TY_CHAN)
        return "vxc_chan_dropp";
    if (t->kind == TY_TASK)
        return "vxc_task_dropp";
    if (t->kind == TY_HANDLE)
        return handles[t->handle].drop;
    return drop_fn(t);
}

static const char *eq_any(Type *t) {
    t = ty_res(t);
    if (t->kind <= TY_F64 || t->kind == TY_NEVER)
        return "VXC_EQ";
    if (t->kind == TY_STR)
        return "vxc_str_eq";
    if (t->kind == TY_BOX || t->kind == TY_REF) {
        const char *name = arena_printf("vxc_eqp_%s", ty_mangle(t));
        if (!seen(name)) {
            const char *ct = ty_cname(t);
            buf_printf(&protos_b, "static bool %s(%s a, %s b);\n", name, ct, ct);
            buf_printf(&helpers_b, "static bool %s(%s a, %s b) { return %s; }\n", name, ct, ct,
                       eq_expr(t->elem, "(*a)", "(*b)"));
        }
        return name;
    }
    return eq_fn(t);
}

/* A function formatting a value of type t: f(vxc_buf *, value, mode). */
static const char *fmt_any(Type *t) {
    t = ty_res(t);
    switch (t->kind) {
    case TY_STRUCT: case TY_ENUM: case TY_VEC: case TY_ARRAY: case TY_OPTION: case TY_RESULT: case TY_TUPLE:
        return fmt_fn(t);
    default:
        break;
    }
    const char *name = arena_printf("vxc_fmtv_%s", ty_mangle(t));
    if (seen(name))
        return name;
    const char *ct = ty_cname(t);
    buf_printf(&protos_b, "static void %s(vxc_buf *b, %s v, int mode);\n", name, ct);
    Buf o = {0};
    buf_printf(&o, "static VXU void %s(vxc_buf *b, %s v, int mode) {\n    (void)mode;\n    ", name, ct);
    fmt_value(&o, t, "b", "v", "mode");
    buf_puts(&o, "\n}\n");
    buf_puts(&helpers_b, o.data);
    buf_free(&o);
    return name;
}

/* ---- MIR to C ---- */

static MFn *M;          /* the function being printed */
static const char **lname; /* C name of each local */

/* Is local i kept in the async frame (fr->name) rather than a C local? */
static bool in_frame(MFn *m, int i) { return m->fn->suspends && m->in_frame && mir_live(m, m->in_frame, i); }

static const char *local_field(MFn *m, int i);

static const char *local_cname(MFn *m, int i) {
    if (in_frame(m, i))
        return arena_printf("fr->%s", local_field(m, i));
    return local_field(m, i);
}

static const char *local_name(MFn *m, int i);

/* A frame slot's name inside the frame: a field, or a member of the union
 * it shares with slots that are never live at the same time. */
static const char *local_field(MFn *m, int i) {
    if (m->share && m->share[i] >= 0 && in_frame(m, i))
        return arena_printf("sh%d.%s", m->share[i], local_name(m, i));
    return local_name(m, i);
}

static const char *local_name(MFn *m, int i) {
    MLocal *l = m->locals.items[i];
    switch (l->kind) {
    case LK_RET: return "ret";
    case LK_FLAG: return arena_printf("df%d", i);
    case LK_TEMP: return arena_printf("t%d", i);
    default: return arena_printf("%s_%d", l->name ? l->name : "p", i);
    }
}

static Type *local_type(int l) { return ((MLocal *)M->locals.items[l])->ty; }

static const char *place_c(Place p) {
    const char *s = lname[p.local];
    Type *t = local_type(p.local);
    for (int i = 0; i < p.nproj; i++) {
        Proj *pj = &p.proj[i];
        Type *bt = ty_res(t);
        switch (pj->kind) {
        case PJ_DEREF:
            s = bt->kind == TY_GUARD ? arena_printf("(%s)->val", s) : arena_printf("(*%s)", s);
            break;
        case PJ_FIELD:
            if (bt->kind == TY_TUPLE)
                s = arena_printf("%s.f%d", s, pj->field);
            else
                s = arena_printf("%s.f_%s", s, ((Field *)bt->sd->fields.items[pj->field])->name);
            break;
        case PJ_VARIANT:
            if (bt->kind == TY_OPTION)
                s = arena_printf("%s.val", s);
            else if (bt->kind == TY_RESULT)
                s = arena_printf("%s.%s", s, pj->variant ? "err" : "ok");
            else
                s = arena_printf("%s.u.v%d.f%d", s, pj->variant, pj->field);
            break;
        case PJ_INDEX: {
            const char *ix = lname[pj->index];
            bool sg = ty_is_signed(local_type(pj->index));
            const char *chk = sg ? "vxc_idx_s" : "vxc_idx_u";
            const char *it = sg ? "int64_t" : "uint64_t";
            if (bt->kind == TY_ARRAY) {
                if (pj->field)
                    s = arena_printf("%s.a[%s]", s, ix);
                else
                    s = arena_printf("%s.a[%s((%s)%s, %ld, %s)]", s, chk, it, ix, bt->n, loc_of(pj->pos));
            } else if (pj->field) {
                s = arena_printf("%s.ptr[%s]", s, ix);
            } else {
                s = arena_printf("%s.ptr[%s((%s)%s, %s.len, %s)]", s, chk, it, ix, s, loc_of(pj->pos));
            }
            break;
        }
        }
        t = pj->ty;
    }
    return s;
}

static Type *place_type(Place p) { return p.nproj ? p.proj[p.nproj - 1].ty : local_type(p.local); }

static const char *str_lit_c(const char *s, int n) {
    int k = ++nlits;
    buf_printf(&lits_b, "static vx_str vxs_%d VXU = VX_STR_INIT(", k);
    emit_cstring(&lits_b, s, n);
    buf_puts(&lits_b, ");\n");
    return arena_printf("(&vxs_%d)", k);
}

static const char *operand_c(Operand o) {
    if (o.kind != OP_CONST)
        return place_c(o.place);
    Type *t = ty_res(o.ty);
    switch (o.ck) {
    case C_INT:
        if (ty_is_signed(t)) {
            if (o.ival == (uint64_t)1 << 63)
                return "INT64_MIN";
            if ((int64_t)o.ival < 0)
                return arena_printf("((%s)-INT64_C(%llu))", ty_cname(t), (unsigned long long)(0 - o.ival));
            return arena_printf("((%s)INT64_C(%llu))", ty_cname(t), (unsigned long long)o.ival);
        }
        return arena_printf("((%s)UINT64_C(%llu))", ty_cname(t), (unsigned long long)o.ival);
    case C_FLOAT: {
        char b[64];
        snprintf(b, sizeof b, "%.17g", o.fval);
        if (!strchr(b, '.') && !strchr(b, 'e') && !strchr(b, 'n') && !strchr(b, 'i'))
            strcat(b, ".0");
        if (!strcmp(b, "inf"))
            strcpy(b, "INFINITY");
        return arena_printf("((%s)%s)", ty_cname(t), b);
    }
    case C_BOOL: return o.ival ? "true" : "false";
    case C_UNIT: return "((vxc_unit)0)";
    case C_STR: return str_lit_c(o.sval, o.slen);
    case C_NONE_VARIANT:
    case C_ZERO:
        if (t->kind <= TY_F64 || t->kind == TY_NEVER || t->kind == TY_BOX || t->kind == TY_REF ||
            t->kind == TY_STR || t->kind == TY_CPTR)
            return arena_printf("((%s)0)", ty_cname(t));
        return arena_printf("((%s){0})", ty_cname(t));
    }
    unreachable();
}

static Type *operand_type(Operand o) { return o.kind == OP_CONST ? o.ty : place_type(o.place); }

static const char *binary_c(Rvalue *r, Pos pos) {
    const char *op = r->op;
    const char *a = operand_c(r->args[0]), *b = operand_c(r->args[1]);
    Type *t = ty_res(operand_type(r->args[0]));
    static const struct { const char *op, *fn; } arith[] = {
        {"+", "add"}, {"-", "sub"}, {"*", "mul"}, {"/", "div"}, {"%", "rem"}, {"<<", "shl"}, {">>", "shr"},
    };
    for (size_t i = 0; i < sizeof arith / sizeof arith[0]; i++) {
        if (strcmp(op, arith[i].op))
            continue;
        if (t->kind == TY_STR)
            return arena_printf("vxc_str_concat(%s, %s)", a, b);
        if (ty_is_float(t)) {
            if (!strcmp(op, "%"))
                return arena_printf("((%s)fmod(%s, %s))", ty_cname(t), a, b);
            return arena_printf("((%s)(%s %s %s))", ty_cname(t), a, op, b);
        }
        return arena_printf("vxc_%s_%s(%s, %s%s, %s)", arith[i].fn, int_suffix(t), a, i >= 5 ? "(int64_t)" : "", b,
                            loc_of(pos));
    }
    if (!strcmp(op, "&") || !strcmp(op, "|") || !strcmp(op, "^"))
        return arena_printf("((%s)(%s %s %s))", ty_cname(t), a, op, b);
    if (!strcmp(op, "==") || !strcmp(op, "!="))
        return arena_printf("(%s%s)", !strcmp(op, "!=") ? "!" : "", eq_expr(t, a, b));
    if (t->kind == TY_STR)
        return arena_printf("(vxc_str_cmp(%s, %s) %s 0)", a, b, op);
    return arena_printf("(%s %s %s)", a, op, b);
}

static const char *unary_c(Rvalue *r, Pos pos) {
    Type *t = ty_res(r->ty);
    const char *a = operand_c(r->args[0]);
    if (!strcmp(r->op, "-")) {
        if (ty_is_float(t))
            return arena_printf("(-%s)", a);
        return arena_printf("vxc_neg_%s(%s, %s)", int_suffix(t), a, loc_of(pos));
    }
    if (t->kind == TY_BOOL)
        return arena_printf("(!%s)", a);
    return arena_printf("((%s)~%s)", ty_cname(t), a);
}

static const char *cast_c(Rvalue *r) {
    Type *from = ty_res(operand_type(r->args[0])), *to = ty_res(r->ty);
    const char *a = operand_c(r->args[0]);
    if (ty_is_float(from) && ty_is_int(to))
        return arena_printf("vxc_f2i_%s((double)(%s))", int_suffix(to), a);
    return arena_printf("((%s)(%s))", ty_cname(to), a);
}

static void args_c(Buf *o, Rvalue *r, int from) {
    for (int i = from; i < r->nargs; i++)
        buf_printf(o, "%s%s", i > from ? ", " : "", operand_c(r->args[i]));
}

static const char *aggregate_c(Rvalue *r) {
    Type *t = ty_res(r->ty);
    const char *ct = ty_cname(t);
    Buf o = {0};
    switch (r->agg) {
    case AG_TUPLE:
    case AG_STRUCT:
        buf_printf(&o, "((%s){", ct);
        args_c(&o, r, 0);
        buf_puts(&o, r->nargs ? "})" : "0})");
        break;
    case AG_ARRAY:
        buf_printf(&o, "((%s){{", ct);
        args_c(&o, r, 0);
        buf_puts(&o, r->nargs ? "}})" : "0}})");
        break;
    case AG_VEC: {
        const char *et = ty_cname(t->elem);
        bool consts = r->nargs >= 8;
        for (int i = 0; i < r->nargs && consts; i++)
            consts = r->args[i].kind == OP_CONST &&
                     (r->args[i].ck == C_INT || r->args[i].ck == C_FLOAT || r->args[i].ck == C_BOOL);
        if (consts) {
            /* constant elements: a static array copied once */
            int k = ++nlits;
            buf_printf(&lits_b, "static const %s vxa_%d[%d] = {", et, k, r->nargs);
            for (int i = 0; i < r->nargs; i++)
                buf_printf(&lits_b, "%s%s", i ? (i % 16 ? ", " : ",\n    ") : "", operand_c(r->args[i]));
            buf_puts(&lits_b, "};\n");
            buf_printf(&o, "({ %s v_ = {0}; v_.ptr = vx_alloc(sizeof vxa_%d); v_.len = v_.cap = %d; "
                           "memcpy(v_.ptr, vxa_%d, sizeof vxa_%d); v_; })", ct, k, r->nargs, k, k);
            break;
        }
        buf_printf(&o, "({ %s v_ = {0};", ct);
        if (r->nargs)
            buf_printf(&o, " v_.ptr = vx_alloc(sizeof(%s) * %d); v_.cap = %d;", et, r->nargs, r->nargs);
        for (int i = 0; i < r->nargs; i++)
            buf_printf(&o, " v_.ptr[v_.len++] = %s;", operand_c(r->args[i]));
        buf_puts(&o, " v_; })");
        break;
    }
    case AG_VARIANT:
        if (t->kind == TY_OPTION) {
            if (r->variant)
                buf_printf(&o, "((%s){.some = 1, .val = %s})", ct, operand_c(r->args[0]));
            else
                buf_printf(&o, "((%s){0})", ct);
        } else if (t->kind == TY_RESULT) {
            buf_printf(&o, "((%s){.is_err = %d, .%s = %s})", ct, r->variant, r->variant ? "err" : "ok",
                       operand_c(r->args[0]));
        } else {
            buf_printf(&o, "((%s){.tag = %d", ct, r->variant);
            if (r->nargs) {
                buf_printf(&o, ", .u.v%d = {", r->variant);
                args_c(&o, r, 0);
                buf_puts(&o, "}");
            }
            buf_puts(&o, "})");
        }
        break;
    }
    const char *s = arena_strndup(o.data, o.len);
    buf_free(&o);
    return s;
}

static const char *call_c(Rvalue *r) {
    Fn *f = r->fn;
    Buf o = {0};
    if (f->is_extern) {
        bool unit_ret = is_unitish(f->rtype);
        bool str_ret = ty_res(f->rtype)->kind == TY_STR;
        buf_puts(&o, unit_ret ? "({ " : str_ret ? "vxc_str_from_c(" : "");
        buf_printf(&o, "vx_ext_%s(", f->name);
        for (int i = 0; i < r->nargs; i++) {
            const char *a = operand_c(r->args[i]);
            if (ty_res(operand_type(r->args[i]))->kind == TY_STR)
                a = arena_printf("vx_str_cstr(%s)", a);
            buf_printf(&o, "%s%s", i ? ", " : "", a);
        }
        buf_puts(&o, ")");
        buf_puts(&o, unit_ret ? "; (vxc_unit)0; })" : str_ret ? ")" : "");
    } else if (f->is_async && f->suspends) {
        /* sync code calling an async fn: run it to completion (block-on) */
        buf_printf(&o, "({ vx_task *t_ = vx_task_new(sizeof(vxf_%s), %s_resume, %s_drop); "
                       "vxf_%s *g_ = (vxf_%s *)(void *)vx_task_frame(t_);", f->cname, f->cname, f->cname, f->cname, f->cname);
        for (int i = 0; i < r->nargs; i++)
            buf_printf(&o, " g_->%s = %s;", local_field(f->mir, i + 1), operand_c(r->args[i]));
        buf_printf(&o, " vx_block_on(t_); %s r_ = g_->ret; g_->base.state = VX_STATE_MOVED; vx_task_release(t_); r_; })",
                   ty_cname(f->rtype));
    } else {
        buf_printf(&o, "%s(", f->cname);
        args_c(&o, r, 0);
        buf_puts(&o, ")");
    }
    const char *s = arena_strndup(o.data, o.len);
    buf_free(&o);
    return s;
}

/* The bytes of an operand (a string or a Vec<u8>), whose C is v: `ptr, len`. */
static const char *bytes_c(Operand a, const char *v) {
    if (ty_res(operand_type(a))->kind == TY_STR)
        return arena_printf("(const void *)(%s)->ptr, (size_t)(%s)->len", v, v);
    return arena_printf("(const void *)(%s).ptr, (size_t)(%s).len", v, v);
}

/* A builtin's template with its holes filled (builtins.c lists them): r's
 * row, operands and result type; `op`, for an async operation, names its
 * op frame; `argc`, if not NULL, is the C of each operand instead of the
 * operand's own (a block-on thunk keeps them in its frame). */
static const char *builtin_text(const char *tmpl, Rvalue *r, Pos pos, const char *op, const char **argc) {
    const Builtin *b = &builtins[r->builtin];
    bool has_recv = b->recv != ':';
    Type *rt = has_recv ? ty_res(ty_res(operand_type(r->args[0]))->elem) : NULL;
    Type *res = ty_res(r->ty);
    Type *elem = rt && rt->elem ? rt->elem : NULL;
    Buf o = {0};
    for (const char *c = tmpl; *c; c++) {
        if (*c != '$') {
            buf_put(&o, c, 1);
            continue;
        }
        char h = *++c;
        if (h >= '0' && h <= '9') {
            int i = h - '0' + (has_recv ? 1 : 0);
            buf_puts(&o, argc ? argc[i] : operand_c(r->args[i]));
            continue;
        }
        switch (h) {
        case 'D': {
            int i = *++c - '0' + (has_recv ? 1 : 0);
            buf_puts(&o, bytes_c(r->args[i], argc ? argc[i] : operand_c(r->args[i])));
            break;
        }
        case 'o': buf_puts(&o, op); break;
        case 'F': buf_puts(&o, "&fr->base, task"); break;
        case 'r': buf_puts(&o, argc ? argc[0] : operand_c(r->args[0])); break;
        case 'R': buf_puts(&o, ty_cname(res)); break;
        case 'T': buf_puts(&o, ty_cname(rt)); break;
        case 'E': buf_puts(&o, ty_cname(elem)); break;
        case 'B': buf_puts(&o, ty_cname(res->elem)); break;
        case 'L': buf_puts(&o, loc_of(pos)); break;
        case 'N': buf_printf(&o, "%ld", rt->n); break;
        case 'S': buf_puts(&o, int_suffix(rt)); break;
        case 'c': buf_puts(&o, clone_any(elem)); break;
        case 'C': buf_puts(&o, r->owned ? "VXC_ID" : clone_any(elem)); break;
        case 'K': buf_puts(&o, r->owned ? "VXC_ID" : clone_any(rt->err)); break;
        case 'd': buf_puts(&o, drop_any(elem)); break;
        case 'X': buf_puts(&o, r->owned ? drop_any(rt->err) : "VXC_NODROP"); break;
        case 'q': buf_puts(&o, eq_any(elem)); break;
        case 'h': buf_puts(&o, clone_any(rt)); break;
        case 'f': buf_puts(&o, fmt_any(rt)); break;
        case 'G': buf_puts(&o, fmt_any(elem)); break;
        case 'g': buf_puts(&o, fmt_any(rt->err)); break;
        default: unreachable();
        }
    }
    const char *s = arena_strndup(o.data ? o.data : "", o.len);
    buf_free(&o);
    return s;
}

/* Sync code calling an async std operation (`http.get(url)` in a sync fn):
 * a task of one state runs it, to completion (block-on), as sync code
 * calling an async fn does. Its frame holds the op, the result and the
 * operands (the caller is blocked, so what they point to stays put). */
static const char *io_block_on_c(Rvalue *r, Pos pos) {
    static int count;
    int id = count++;
    const Builtin *b = &builtins[r->builtin];
    const char *rt = ty_cname(r->ty);
    const char **argc = arena_alloc(sizeof(char *) * (size_t)(r->nargs + 1));
    Buf t = {0};
    buf_printf(&t, "struct vxb_%d { vx_frame base; %s op; %s ret;", id, b->slot, rt);
    for (int i = 0; i < r->nargs; i++) {
        buf_printf(&t, " %s a%d;", ty_cname(operand_type(r->args[i])), i);
        argc[i] = arena_printf("fr->a%d", i);
    }
    buf_puts(&t, " };\n");
    buf_puts(&types_b, t.data);
    buf_free(&t);
    buf_printf(&protos_b, "static vx_poll vxb_%d_resume(vx_frame *self_, vx_task *task);\nstatic void vxb_%d_drop(vx_frame *self_);\n",
               id, id);
    buf_printf(&helpers_b,
               "static vx_poll vxb_%d_resume(vx_frame *self_, vx_task *task) {\n"
               "    struct vxb_%d *fr = (struct vxb_%d *)(void *)self_;\n"
               "    if (fr->base.state == 0) {\n"
               "        fr->base.state = 1;\n"
               "        if (%s == VX_PENDING) return VX_PENDING;\n"
               "    }\n"
               "    fr->ret = %s;\n"
               "    fr->base.state = VXC_DONE;\n"
               "    return VX_READY;\n"
               "}\n",
               id, id, id, builtin_text(b->c, r, pos, "fr->op", argc), builtin_text(b->finish, r, pos, "fr->op", argc));
    buf_printf(&helpers_b,
               "static void vxb_%d_drop(vx_frame *self_) {\n"
               "    struct vxb_%d *fr = (struct vxb_%d *)(void *)self_;\n"
               "    if (fr->base.state == 1) %s;\n"
               "}\n",
               id, id, id, builtin_text(b->drop, r, pos, "fr->op", argc));
    Buf o = {0};
    buf_printf(&o, "({ vx_task *t_ = vx_task_new(sizeof(struct vxb_%d), vxb_%d_resume, vxb_%d_drop); "
                   "struct vxb_%d *g_ = (struct vxb_%d *)(void *)vx_task_frame(t_);",
               id, id, id, id, id);
    for (int i = 0; i < r->nargs; i++)
        buf_printf(&o, " g_->a%d = %s;", i, operand_c(r->args[i]));
    buf_printf(&o, " vx_block_on(t_); %s r_ = g_->ret; g_->base.state = VX_STATE_MOVED; vx_task_release(t_); r_; })", rt);
    const char *res = arena_strndup(o.data, o.len);
    buf_free(&o);
    return res;
}

static const char *builtin_c(Rvalue *r, Pos pos) {
    if (BUILTIN_ASYNC(r->builtin))
        return io_block_on_c(r, pos);
    return builtin_text(builtins[r->builtin].c, r, pos, NULL, NULL);
}

static const char *format_c(Rvalue *r, Pos pos) {
    Buf o = {0};
    buf_puts(&o, "({ VXC_BUF(fb);");
    for (int i = 0; i < r->npieces; i++) {
        FmtPiece *p = &r->pieces[i];
        if (p->lit) {
            buf_puts(&o, " vxc_put(&fb, ");
            emit_cstring(&o, p->lit, p->litlen);
            buf_printf(&o, ", %d);", p->litlen);
            continue;
        }
        Operand a = r->args[p->arg];
        Type *t = operand_type(a);
        int mode = p->mode;
        if (ty_is_int(t) && mode >= 0)
            mode = FMT_DISPLAY;
        const char *apply = fmt_spec_apply(p->spec, t); /* width, sign, base: runtime/fmt.c */
        buf_puts(&o, apply ? " { size_t fs_ = fb.len; " : " ");
        fmt_value(&o, t, "&fb", operand_c(a), arena_printf("%d", mode));
        if (apply)
            buf_printf(&o, " %s }", apply);
    }
    switch (r->fmt) {
    case FM_STRING: buf_puts(&o, " vxc_buf_str(&fb); })"); break;
    case FM_PRINT: buf_puts(&o, " vxc_write(stdout, &fb, 0); (vxc_unit)0; })"); break;
    case FM_PRINTLN: buf_puts(&o, " vxc_write(stdout, &fb, 1); (vxc_unit)0; })"); break;
    case FM_EPRINT: buf_puts(&o, " vxc_write(stderr, &fb, 0); (vxc_unit)0; })"); break;
    case FM_EPRINTLN: buf_puts(&o, " vxc_write(stderr, &fb, 1); (vxc_unit)0; })"); break;
    case FM_PANIC: buf_printf(&o, " vx_panic(%s, \"%%s\", vxc_buf_cstr(&fb)); (vxc_unit)0; })", loc_of(pos)); break;
    }
    const char *s = arena_strndup(o.data, o.len);
    buf_free(&o);
    return s;
}

static const char *rvalue_c(Rvalue *r, Pos pos) {
    switch (r->kind) {
    case RV_USE: return operand_c(r->args[0]);
    case RV_REF: return arena_printf("(&%s)", place_c(r->place));
    case RV_BINARY: return binary_c(r, pos);
    case RV_UNARY: return unary_c(r, pos);
    case RV_CAST: return cast_c(r);
    case RV_AGGREGATE: return aggregate_c(r);
    case RV_CALL: return call_c(r);
    case RV_BUILTIN: return builtin_c(r, pos);
    case RV_FORMAT: return format_c(r, pos);
    case RV_DISCR: {
        Type *t = ty_res(place_type(r->place));
        const char *p = place_c(r->place);
        if (t->kind == TY_OPTION)
            return arena_printf("((int64_t)%s.some)", p);
        if (t->kind == TY_RESULT)
            return arena_printf("((int64_t)%s.is_err)", p);
        return arena_printf("((int64_t)%s.tag)", p);
    }
    case RV_CLONE:
        if (r->owned && ty_res(place_type(r->place))->kind == TY_HANDLE) {
            /* a move out of a matched value: take the handle, so that the
             * value's drop later closes nothing and `close()` closes */
            const char *p = place_c(r->place);
            return arena_printf("({ %s h_ = %s; %s = NULL; h_; })", ty_cname(place_type(r->place)), p, p);
        }
        return clone_expr(place_type(r->place), place_c(r->place));
    case RV_SPAWN: {
        Fn *g = r->fn;
        Buf o = {0};
        buf_printf(&o, "({ vx_task *t_ = vx_task_new(sizeof(vxf_%s), %s_resume, %s_drop); "
                       "vxf_%s *g_ = (vxf_%s *)(void *)vx_task_frame(t_);", g->cname, g->cname, g->cname, g->cname, g->cname);
        for (int i = 0; i < r->nargs; i++)
            buf_printf(&o, " g_->%s = %s;", local_field(g->mir, i + 1), operand_c(r->args[i]));
        buf_puts(&o, " (void)g_; vx_spawn(t_); t_; })");
        const char *res = arena_strndup(o.data, o.len);
        buf_free(&o);
        return res;
    }
    }
    unreachable();
}

static void line_directive(Buf *o, Pos pos) {
    if (!pos.file || pos.line <= 0)
        return;
    buf_printf(o, "#line %d \"", pos.line);
    for (const char *c = pos.file->path; *c; c++) {
        if (*c == '"' || *c == '\\')
            buf_put(o, "\\", 1);
        if ((unsigned char)*c >= 32)
            buf_put(o, c, 1);
    }
    buf_puts(o, "\"\n");
}

static const char *zero_init(Type *t) {
    t = ty_res(t);
    switch (t->kind) {
    case TY_STRUCT: case TY_ENUM: case TY_VEC: case TY_OPTION: case TY_RESULT: case TY_TUPLE: case TY_ARRAY:
        return "{0}";
    default:
        return "0";
    }
}

static void stmt_c(Buf *o, MStmt *s) {
    line_directive(o, s->pos);
    switch (s->kind) {
    case MS_ASSIGN:
        if (is_unitish(place_type(s->place)) && s->place.local == 0)
            buf_printf(o, "    (void)%s;\n", rvalue_c(&s->rv, s->pos));
        else if (s->rv.kind == RV_USE && s->rv.args[0].kind == OP_CONST && s->rv.args[0].ck == C_ZERO)
            /* the value of an expression that never finishes (`return`,
             * `loop {}`): unreachable, but the C must still type-check */
            buf_printf(o, "    %s = %s;\n", place_c(s->place),
                       *zero_init(place_type(s->place)) == '{'
                           ? arena_printf("(%s){0}", ty_cname(place_type(s->place)))
                           : arena_printf("(%s)0", ty_cname(place_type(s->place))));
        else
            buf_printf(o, "    %s = %s;\n", place_c(s->place), rvalue_c(&s->rv, s->pos));
        break;
    case MS_DROP: {
        const char *d = drop_stmt(place_type(s->place), place_c(s->place));
        if (!*d)
            break;
        if (s->flag >= 0)
            buf_printf(o, "    if (%s) { %s %s = 0; }\n", lname[s->flag], d, lname[s->flag]);
        else
            buf_printf(o, "    %s\n", d);
        break;
    }
    case MS_EVAL:
        buf_printf(o, "    (void)%s;\n", rvalue_c(&s->rv, s->pos));
        break;
    }
}

/* ---- async fns: suspension points, frames, resume and drop ---- */

static bool is_main(Fn *f) { return !f->owner && !strcmp(f->name, "main") && !f->captures.len; }

/* Stores the arguments of an async call into the callee's frame g. */
static void store_args(Buf *o, const char *g, Fn *f, MSuspend *sp) {
    for (int i = 0; i < sp->nargs; i++)
        buf_printf(o, " %s%s = %s;", g, local_field(f->mir, i + 1), operand_c(sp->args[i]));
}

/* An async std operation's suspension point as the builtin Rvalue its
 * templates read (the row, the operands, the result type). */
static Rvalue io_rvalue(MSuspend *sp) {
    Rvalue r = {0};
    r.kind = RV_BUILTIN;
    r.builtin = sp->builtin;
    r.args = sp->args;
    r.nargs = sp->nargs;
    r.ty = sp->dest >= 0 ? local_type(sp->dest) : ty_unit;
    return r;
}

/* A suspension point: start the operation; if it is pending, return
 * VX_PENDING (the locals that matter live in the frame); the state's
 * resume label reads the outcome and continues in the resume block. */
static void suspend_c(Buf *o, MFn *m, MBlock *bl) {
    MSuspend *sp = bl->susp;
    int k = sp->index;
    const char *dest = sp->dest >= 0 ? lname[sp->dest] : NULL;
    const char *loc = loc_of(sp->pos);
    int resume = bl->succ[0];
    line_directive(o, sp->pos);
    Fn *g = sp->fn;
    if ((sp->kind == SK_AWAIT || sp->kind == SK_BOXED) && !g->suspends) {
        /* a callee that never suspends: awaiting it is a call */
        buf_printf(o, "    %s%s%s(", dest ? dest : "(void)", dest ? " = " : "", g->cname);
        for (int i = 0; i < sp->nargs; i++)
            buf_printf(o, "%s%s", i ? ", " : "", operand_c(sp->args[i]));
        buf_printf(o, ");\n    goto bb%d;\n", resume);
        return;
    }
    switch (sp->kind) {
    case SK_AWAIT:
        buf_printf(o, "    vx_frame_init(&fr->u.s%d.base, %s_resume, &fr->base);", k, g->cname);
        store_args(o, arena_printf("fr->u.s%d.", k), g, sp);
        buf_printf(o, "\n    fr->base.state = %d; fr->base.at = %s;\n    if (%s_resume(&fr->u.s%d.base, task) == VX_PENDING) return VX_PENDING;\n",
                   k, loc, g->cname, k);
        buf_printf(o, "st%d:\n", k);
        if (dest)
            buf_printf(o, "    %s = fr->u.s%d.ret;\n", dest, k);
        break;
    case SK_BOXED:
        buf_printf(o, "    fr->u.s%d = vx_alloc(sizeof(vxf_%s)); vx_frame_init(&fr->u.s%d->base, %s_resume, &fr->base);", k,
                   g->cname, k, g->cname);
        store_args(o, arena_printf("fr->u.s%d->", k), g, sp);
        buf_printf(o, "\n    fr->base.state = %d; fr->base.at = %s;\n    if (%s_resume(&fr->u.s%d->base, task) == VX_PENDING) return VX_PENDING;\n",
                   k, loc, g->cname, k);
        buf_printf(o, "st%d:\n", k);
        if (dest)
            buf_printf(o, "    %s = fr->u.s%d->ret;\n", dest, k);
        buf_printf(o, "    vx_free(fr->u.s%d);\n", k);
        break;
    case SK_JOIN: {
        Type *rt = ty_res(ty_res(operand_type(sp->args[0]))->elem);
        buf_printf(o, "    fr->u.s%d = %s;\n    fr->base.state = %d;\n", k, operand_c(sp->args[0]), k);
        buf_printf(o, "    if (vx_join(&fr->base, task, fr->u.s%d, %s) == VX_PENDING) return VX_PENDING;\n", k, loc);
        buf_printf(o, "st%d:\n", k);
        if (dest)
            buf_printf(o, "    %s = VXC_TASK_RET(%s, fr->u.s%d);\n", dest, ty_cname(rt), k);
        buf_printf(o, "    vx_task_frame(fr->u.s%d)->state = VX_STATE_MOVED; vx_task_release(fr->u.s%d);\n", k, k);
        break;
    }
    case SK_SLEEP:
        buf_printf(o, "    fr->base.state = %d;\n", k);
        /* sleep(0) gives the other tasks a turn (a yield) */
        buf_printf(o, "    if ((%s <= 0 ? vx_yield(&fr->base, task, %s) : vx_sleep(&fr->base, task, (int64_t)%s, &fr->tm, %s)) == VX_PENDING) return VX_PENDING;\n",
                   operand_c(sp->args[0]), loc, operand_c(sp->args[0]), loc);
        buf_printf(o, "st%d:\n", k);
        break;
    case SK_SEND:
        buf_printf(o, "    fr->u.s%d = %s;\n    fr->base.state = %d;\n", k, operand_c(sp->args[1]), k);
        buf_printf(o, "    if (vx_chan_send(&fr->base, task, %s, &fr->u.s%d, &fr->w, %s) == VX_PENDING) return VX_PENDING;\n",
                   operand_c(sp->args[0]), k, loc);
        buf_printf(o, "st%d:\n", k);
        buf_printf(o, "    if (fr->w.status != VX_OK) vx_panic(%s, \"send on a closed channel\");\n", loc);
        break;
    case SK_LOCK:
        buf_printf(o, "    fr->u.s%d = %s;\n    fr->base.state = %d;\n", k, operand_c(sp->args[0]), k);
        buf_printf(o, "    if (vx_mutex_lock(&fr->base, task, fr->u.s%d->m, &fr->w, %s) == VX_PENDING) return VX_PENDING;\n",
                   k, loc);
        buf_printf(o, "st%d:\n    atomic_fetch_add(&fr->u.s%d->rc, 1);\n", k, k);
        if (dest)
            buf_printf(o, "    %s = fr->u.s%d;\n", dest, k);
        break;
    case SK_IO: {
        /* an async std operation: its op frame is fr->u.sK */
        Rvalue r = io_rvalue(sp);
        const char *op = arena_printf("fr->u.s%d", k);
        buf_printf(o, "    fr->base.state = %d;\n", k);
        buf_printf(o, "    if (%s == VX_PENDING) return VX_PENDING;\n", builtin_text(builtins[sp->builtin].c, &r, sp->pos, op, NULL));
        buf_printf(o, "st%d:\n", k);
        const char *res = builtin_text(builtins[sp->builtin].finish, &r, sp->pos, op, NULL);
        if (dest)
            buf_printf(o, "    %s = %s;\n", dest, res);
        else
            buf_printf(o, "    (void)%s;\n", res);
        break;
    }
    case SK_RECV:
    case SK_RECV_OPT:
        buf_printf(o, "    fr->base.state = %d;\n", k);
        buf_printf(o, "    if (vx_chan_recv(&fr->base, task, %s, &fr->u.s%d, &fr->w, %s) == VX_PENDING) return VX_PENDING;\n",
                   operand_c(sp->args[0]), k, loc);
        buf_printf(o, "st%d:\n", k);
        if (sp->kind == SK_RECV) {
            buf_printf(o, "    if (fr->w.status != VX_OK) vx_panic(%s, \"recv on a closed channel\");\n", loc);
            if (dest)
                buf_printf(o, "    %s = fr->u.s%d;\n", dest, k);
        } else if (dest) {
            buf_printf(o, "    %s = (%s){0};\n    if (fr->w.status == VX_OK) { %s.some = 1; %s.val = fr->u.s%d; }\n", dest,
                       ty_cname(local_type(sp->dest)), dest, dest, k);
        }
        break;
    }
    if (resume != bl->id + 1)
        buf_printf(o, "    goto bb%d;\n", resume);
}

/* The C type of the slot a suspension point keeps in the frame's union. */
static const char *susp_slot(MSuspend *sp) {
    switch (sp->kind) {
    case SK_AWAIT: return sp->fn->suspends ? arena_printf("vxf_%s", sp->fn->cname) : NULL;
    case SK_BOXED: return sp->fn->suspends ? arena_printf("struct vxf_%s *", sp->fn->cname) : NULL;
    case SK_JOIN: return "vx_task *";
    case SK_LOCK: return ty_cname(operand_type(sp->args[0]));
    case SK_SEND: return ty_cname(operand_type(sp->args[1]));
    case SK_IO: return builtins[sp->builtin].slot;
    case SK_RECV: case SK_RECV_OPT: {
        Type *ct = ty_res(operand_type(sp->args[0]));
        return ty_cname(ct->elem);
    }
    default: return NULL;
    }
}

static void frame_struct(MFn *m, Vec *done);

/* The frame struct of async fn m, after those of the callees it embeds. */
static void frame_struct(MFn *m, Vec *done) {
    for (int i = 0; i < done->len; i++)
        if (done->items[i] == m)
            return;
    vec_push(done, m);
    M = m;
    Buf b = {0};
    Fn *f = m->fn;
    for (int k = 0; k < m->susps.len; k++) {
        MSuspend *sp = m->susps.items[k];
        if (sp->kind == SK_AWAIT && sp->fn->suspends && sp->fn->mir)
            frame_struct(sp->fn->mir, done);
    }
    M = m;
    buf_printf(&b, "typedef struct vxf_%s {\n    vx_frame base;\n    %s ret;\n", f->cname,
               is_unitish(f->rtype) ? "vxc_unit" : ty_cname(f->rtype));
    for (int i = 1; i < m->locals.len; i++)
        if (i <= m->nparams || (in_frame(m, i) && !(m->share && m->share[i] >= 0)))
            buf_printf(&b, "    %s %s;\n", ty_cname(((MLocal *)m->locals.items[i])->ty), local_field(m, i));
    /* slots never live at the same time share storage */
    for (int g = 0; m->share; g++) {
        bool any = false;
        for (int i = 1; i < m->locals.len; i++)
            if (m->share[i] == g && in_frame(m, i)) {
                if (!any)
                    buf_puts(&b, "    union {\n");
                any = true;
                buf_printf(&b, "        %s %s;\n", ty_cname(((MLocal *)m->locals.items[i])->ty), local_name(m, i));
            }
        if (!any) {
            bool more = false;
            for (int i = 1; i < m->locals.len; i++)
                more |= m->share[i] > g;
            if (!more)
                break;
            continue;
        }
        buf_printf(&b, "    } sh%d;\n", g);
    }
    if (f->suspends) {
        /* a waiter for channel and lock operations, a timer for sleep:
         * only when the fn has such a suspension point */
        bool waits, sleeps;
        async_frame_needs(m, &waits, &sleeps);
        if (waits)
            buf_puts(&b, "    vx_waiter w;\n");
        if (sleeps)
            buf_puts(&b, "    vx_timer tm;\n");
        buf_puts(&b, "    union {\n        char none_;\n");
        for (int k = 0; k < m->susps.len; k++) {
            MSuspend *sp = m->susps.items[k];
            const char *t = susp_slot(sp);
            if (t)
                buf_printf(&b, "        %s s%d;\n", t, sp->index);
        }
        buf_puts(&b, "    } u;\n");
    }
    buf_printf(&b, "} vxf_%s;\n", f->cname);
    buf_puts(&types_b, b.data);
    buf_free(&b);
    buf_printf(&protos_b, "static VXU vx_poll %s_resume(vx_frame *self_, vx_task *task);\nstatic VXU void %s_drop(vx_frame *self_);\n",
               f->cname, f->cname);
}

/* The drop hook: releases exactly what the frame holds in its state. */
static void drop_hook(MFn *m, Buf *o) {
    Fn *f = m->fn;
    M = m;
    buf_printf(o, "static void %s_drop(vx_frame *self_) {\n    vxf_%s *fr = (vxf_%s *)(void *)self_;\n    (void)fr;\n",
               f->cname, f->cname, f->cname);
    buf_puts(o, "    switch (fr->base.state) {\n    case 0:");
    for (int i = 1; i <= m->nparams; i++) {
        Type *t = ((MLocal *)m->locals.items[i])->ty;
        if (has_heap(t))
            buf_printf(o, " %s", drop_stmt(t, arena_printf("fr->%s", local_field(m, i))));
    }
    buf_puts(o, " break;\n");
    if (f->suspends) {
        for (int b = 0; b < m->blocks.len; b++) {
            MBlock *bl = m->blocks.items[b];
            if (bl->term != MT_SUSPEND)
                continue;
            MSuspend *sp = bl->susp;
            MBlock *r = m->blocks.items[bl->succ[0]];
            buf_printf(o, "    case %d:", sp->index);
            if (sp->kind == SK_IO) { /* the operation first: it may use a socket a local owns */
                Rvalue ir = io_rvalue(sp);
                buf_printf(o, " %s;", builtin_text(builtins[sp->builtin].drop, &ir, sp->pos,
                                                   arena_printf("fr->u.s%d", sp->index), NULL));
            }
            for (int l = 0; l < m->locals.len; l++) {
                MLocal *lc = m->locals.items[l];
                if (l == sp->dest || !mir_live(m, r->live_in, l) || !has_heap(lc->ty) || lc->flag < 0 ||
                    !in_frame(m, lc->flag))
                    continue;
                buf_printf(o, " if (fr->%s) { %s }", local_field(m, lc->flag),
                           drop_stmt(lc->ty, arena_printf("fr->%s", local_field(m, l))));
            }
            if (sp->kind == SK_AWAIT && sp->fn->suspends)
                buf_printf(o, " %s_drop(&fr->u.s%d.base);", sp->fn->cname, sp->index);
            if (sp->kind == SK_BOXED && sp->fn->suspends)
                buf_printf(o, " %s_drop(&fr->u.s%d->base); vx_free(fr->u.s%d);", sp->fn->cname, sp->index, sp->index);
            if (sp->kind == SK_JOIN)
                buf_printf(o, " vx_detach(fr->u.s%d);", sp->index);
            buf_puts(o, " break;\n");
        }
    }
    buf_puts(o, "    case VXC_DONE:");
    if (has_heap(f->rtype))
        buf_printf(o, " %s", drop_stmt(f->rtype, "fr->ret"));
    buf_puts(o, " break;\n    default: break;\n    }\n}\n");
}

/* The resume function of an async fn that never suspends: a call. */
static void ready_resume(MFn *m, Buf *o) {
    Fn *f = m->fn;
    buf_printf(o, "static vx_poll %s_resume(vx_frame *self_, vx_task *task) {\n    vxf_%s *fr = (vxf_%s *)(void *)self_;\n"
                  "    (void)task;\n    %s%s(",
               f->cname, f->cname, f->cname, is_unitish(f->rtype) ? "" : "fr->ret = ", f->cname);
    for (int i = 1; i <= m->nparams; i++)
        buf_printf(o, "%sfr->%s", i > 1 ? ", " : "", local_field(m, i));
    buf_puts(o, ");\n    fr->base.state = VXC_DONE;\n");
    if (is_main(f) && ty_res(f->rtype)->kind == TY_I32)
        buf_puts(o, "    vx_set_exit_status((int)fr->ret);\n");
    buf_puts(o, "    return VX_READY;\n}\n");
}

static void fn_c(MFn *m, Buf *o, const char *signature, bool unit) {
    M = m;
    bool coro = m->fn->suspends;
    lname = arena_alloc(sizeof(char *) * (size_t)(m->locals.len + 1));
    for (int i = 0; i < m->locals.len; i++)
        lname[i] = local_cname(m, i);
    if (coro)
        signature = arena_printf("static vx_poll %s_resume(vx_frame *self_, vx_task *task)", m->fn->cname);
    buf_printf(o, "%s {\n", signature);
    if (coro)
        buf_printf(o, "    vxf_%s *fr = (vxf_%s *)(void *)self_;\n", m->fn->cname, m->fn->cname);
    for (int i = 0; i < m->locals.len; i++) {
        MLocal *l = m->locals.items[i];
        if (l->kind == LK_PARAM || (i == 0 && unit) || in_frame(m, i))
            continue;
        buf_printf(o, "    %s %s VXU = %s;\n", ty_cname(l->ty), lname[i], zero_init(l->ty));
    }
    if (coro) {
        buf_puts(o, "    switch (fr->base.state) {\n    case 0: break;\n");
        for (int k = 0; k < m->susps.len; k++) {
            MSuspend *sp = m->susps.items[k];
            if (!sp->fn || sp->fn->suspends)
                buf_printf(o, "    case %d: goto st%d;\n", k + 1, k + 1);
        }
        buf_puts(o, "    default: __builtin_unreachable();\n    }\n");
        /* state 0: the frame's slots start zeroed, as C locals do (a drop
         * flag is false until its value exists) */
        for (int i = m->nparams + 1; i < m->locals.len; i++)
            if (in_frame(m, i))
                buf_printf(o, "    %s = (%s)%s;\n", lname[i], ty_cname(((MLocal *)m->locals.items[i])->ty),
                           zero_init(((MLocal *)m->locals.items[i])->ty));
    }
    for (int b = 0; b < m->blocks.len; b++) {
        MBlock *bl = m->blocks.items[b];
        buf_printf(o, "bb%d: __attribute__((unused));\n", bl->id);
        for (int i = 0; i < bl->stmts.len; i++)
            stmt_c(o, bl->stmts.items[i]);
        switch (bl->term) {
        case MT_GOTO:
            if (bl->succ[0] != bl->id + 1)
                buf_printf(o, "    goto bb%d;\n", bl->succ[0]);
            break;
        case MT_BRANCH:
            buf_printf(o, "    if (%s) goto bb%d; else goto bb%d;\n", operand_c(bl->cond), bl->succ[0], bl->succ[1]);
            break;
        case MT_SWITCH:
            buf_printf(o, "    switch (%s) {", operand_c(bl->cond));
            for (int i = 0; i < bl->ncases; i++)
                buf_printf(o, " case %lld: goto bb%d;", (long long)bl->values[i], bl->targets[i]);
            buf_printf(o, " default: goto bb%d; }\n", bl->succ[0]);
            break;
        case MT_RETURN:
        case MT_NONE:
            if (coro) {
                if (is_main(m->fn) && ty_res(m->fn->rtype)->kind == TY_I32)
                    buf_puts(o, "    vx_set_exit_status((int)fr->ret);\n");
                buf_puts(o, "    fr->base.state = VXC_DONE;\n    return VX_READY;\n");
            } else {
                buf_printf(o, "    return %s;\n", unit ? "0" : "ret");
            }
            break;
        case MT_UNREACHABLE:
            buf_puts(o, "    __builtin_unreachable();\n");
            break;
        case MT_SUSPEND:
            suspend_c(o, m, bl);
            break;
        }
    }
    buf_puts(o, "}\n");
}

/* ---- functions ---- */

static const char *extern_ctype(Type *t) {
    t = ty_res(t);
    if (t->kind == TY_STR)
        return "const char *";
    if (t->kind == TY_UNIT)
        return "void";
    return ty_cname(t);
}

static void fn_signature(Buf *b, Fn *f, MFn *m) {
    if (f->is_extern) {
        buf_printf(b, "extern %s vx_ext_%s(", extern_ctype(f->rtype), f->name);
        for (int i = 0; i < f->params.len; i++)
            buf_printf(b, "%s%s", i ? ", " : "", extern_ctype(f->ptypes[i]));
        if (f->is_variadic)
            buf_puts(b, f->params.len ? ", ..." : "...");
        else if (!f->params.len)
            buf_puts(b, "void");
        buf_printf(b, ") __asm__(\"%s\")", f->name);
        return;
    }
    buf_printf(b, "static %s %s(", ty_cname(f->rtype), f->cname);
    for (int i = 1; i <= m->nparams; i++)
        buf_printf(b, "%s%s %s", i > 1 ? ", " : "", ty_cname(((MLocal *)m->locals.items[i])->ty), local_cname(m, i));
    if (!m->nparams)
        buf_puts(b, "void");
    buf_puts(b, ")");
}

void emit_program(Program *p, MProgram *mp, FILE *f) {
    prog = p;
    memset(&types_b, 0, sizeof types_b);
    memset(&protos_b, 0, sizeof protos_b);
    memset(&helpers_b, 0, sizeof helpers_b);
    memset(&fns_b, 0, sizeof fns_b);
    memset(&lits_b, 0, sizeof lits_b);
    nlits = 0;
    memset(&done_names, 0, sizeof done_names);
    memset(&helper_queue, 0, sizeof helper_queue);
    buf_puts(&types_b, "");
    for (int i = 0; i < p->structs.len; i++) {
        StructDef *sd = p->structs.items[i];
        buf_printf(&types_b, "typedef struct vx_S_%s vx_S_%s;\n", sd->name, sd->name);
    }
    for (int i = 0; i < p->enums.len; i++) {
        EnumDef *ed = p->enums.items[i];
        buf_printf(&types_b, "typedef struct vx_E_%s vx_E_%s;\n", ed->name, ed->name);
    }
    for (int i = 0; i < p->structs.len; i++)
        define_type(((StructDef *)p->structs.items[i])->ty);
    for (int i = 0; i < p->enums.len; i++)
        define_type(((EnumDef *)p->enums.items[i])->ty);
    Buf consts = {0};
    for (int i = 0; i < mp->consts.len; i++) {
        MFn *m = mp->consts.items[i];
        const char *sig = arena_printf("static __attribute__((unused)) %s %s(void)", ty_cname(m->fn->rtype),
                                       m->fn->cname);
        buf_printf(&protos_b, "%s;\n", sig);
        fn_c(m, &consts, sig, false);
    }
    for (int i = 0; i < p->fns.len; i++) {
        Fn *fn = p->fns.items[i];
        if (!fn->is_extern)
            continue;
        Buf sig = {0};
        fn_signature(&sig, fn, NULL);
        buf_printf(&protos_b, "%s;\n", sig.data);
        buf_free(&sig);
    }
    Fn *main_fn = NULL;
    Vec frames = {0};
    bool any_async = false;
    for (int i = 0; i < mp->fns.len; i++) {
        MFn *m = mp->fns.items[i];
        if (m->fn->is_async) {
            frame_struct(m, &frames);
            any_async = true;
        }
    }
    for (int i = 0; i < mp->fns.len; i++) {
        MFn *m = mp->fns.items[i];
        Fn *fn = m->fn;
        Buf sig = {0};
        fn_signature(&sig, fn, m);
        if (!fn->suspends)
            buf_printf(&protos_b, "%s;\n", sig.data);
        fn_c(m, &fns_b, sig.data, is_unitish(fn->rtype));
        buf_free(&sig);
        if (fn->is_async) {
            M = m;
            if (!fn->suspends)
                ready_resume(m, &fns_b);
            drop_hook(m, &fns_b);
        }
        if (is_main(fn))
            main_fn = fn;
    }
    emit_helpers();
    fputs("/* Generated by vex " VEX_VERSION " from Vex source. To build it by hand:\n"
          " *   cc -std=gnu11 -O1 -fwrapv -fno-strict-aliasing -I<vex>/lib/vex THIS.c \\\n"
          " *      <vex>/lib/vex/libvexrt.a -lpthread -lm\n"
          " * (<vex> is the directory holding bin/vex; `vex build` does this for you.) */\n",
          f);
    fputs(prelude_text, f);
    fputs("\n/* ---- types ---- */\n", f);
    fputs(types_b.data ? types_b.data : "", f);
    fputs("\n/* ---- string literals and source locations ---- */\n", f);
    fputs(lits_b.data ? lits_b.data : "", f);
    fputs("\n/* ---- prototypes ---- */\n", f);
    fputs(protos_b.data ? protos_b.data : "", f);
    fputs("\n/* ---- constants ---- */\n", f);
    fputs(consts.data ? consts.data : "", f);
    fputs("\n/* ---- per-type helpers ---- */\n", f);
    fputs(helpers_b.data ? helpers_b.data : "", f);
    fputs("\n/* ---- functions ---- */\n", f);
    fputs(fns_b.data ? fns_b.data : "", f);
    if (main_fn && main_fn->suspends) {
        fputs("\nint main(int argc, char **argv) {\n    vx_os_init(argc, argv);\n", f);
        fputs("    vx_main(argc, argv, vx_task_new(sizeof(vxf_vx_fn_main), vx_fn_main_resume, vx_fn_main_drop));\n}\n", f);
    } else if (main_fn) {
        fputs("\nint main(int argc, char **argv) {\n    vx_os_init(argc, argv);\n", f);
        if (any_async)
            fputs("    vx_main_thread();\n", f);
        if (ty_res(main_fn->rtype)->kind == TY_I32)
            fputs("    int r = vx_fn_main();\n    fflush(stdout);\n    return r;\n}\n", f);
        else
            fputs("    vx_fn_main();\n    fflush(stdout);\n    return 0;\n}\n", f);
    }
    buf_free(&types_b);
    buf_free(&protos_b);
    buf_free(&helpers_b);
    buf_free(&fns_b);
    buf_free(&lits_b);
    buf_free(&consts);
}
