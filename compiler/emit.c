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
static Buf *O;         /* current output */
static int tmp_counter;
static Program *prog;
static MFn *M;       /* the function being lowered */
static Pos cur_pos;  /* the statement being lowered */
static Type *fn_ret_type(void);

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

static void out(const char *s) { buf_puts(O, s); }
static void outf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void outf(const char *fmt, ...) {
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < (int)sizeof tmp) {
        buf_put(O, tmp, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf_put(O, big, (size_t)n);
    free(big);
}

static int new_tmp(void) { return ++tmp_counter; }

/* A condition for if/while: one level of redundant outer parentheses
 * removed, so `if ((a == b))` does not trip clang's -Wparentheses-equality. */
static const char *cond(const char *c) {
    size_t n = strlen(c);
    if (n < 3 || c[0] != '(' || c[n - 1] != ')' || c[1] == '{')
        return c;
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        if (c[i] == '(')
            depth++;
        else if (c[i] == ')' && --depth == 0 && i != n - 1)
            return c;
    }
    return cond(arena_strndup(c + 1, n - 2));
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
    } else if (t->kind <= TY_NEVER || t->kind == TY_REF || t->kind == TY_BOX) {
        if (t->elem)
            ty_cname(t->elem);
        return;
    } else if (seen(arena_printf("type:%s", m))) {
        return;
    }
    Buf b = {0};
    switch (t->kind) {
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

/* Does a value of type t own heap memory (a string reference, a Vec
 * buffer, a Box)? Only such values need clone/drop code. */
static bool has_heap(Type *t) {
    t = ty_res(t);
    switch (t->kind) {
    case TY_STR: case TY_VEC: case TY_BOX: return true;
    case TY_STRUCT:
        for (int i = 0; i < t->sd->fields.len; i++)
            if (has_heap(((Field *)t->sd->fields.items[i])->ty))
                return true;
        return false;
    case TY_ENUM:
        for (int i = 0; i < t->ed->variants.len; i++) {
            Variant *v = t->ed->variants.items[i];
            for (int j = 0; j < v->ntys; j++)
                if (has_heap(v->tys[j]))
                    return true;
        }
        return false;
    case TY_OPTION: case TY_ARRAY: return has_heap(t->elem);
    case TY_RESULT: return has_heap(t->elem) || has_heap(t->err);
    case TY_TUPLE:
        for (int i = 0; i < t->nelems; i++)
            if (has_heap(t->elems[i]))
                return true;
        return false;
    default: return false;
    }
}

static const char *drop_fn(Type *t);

/* C statement: release what v (of type t) owns. */
static const char *drop_stmt(Type *t, const char *v) {
    t = ty_res(t);
    if (!has_heap(t))
        return "";
    if (t->kind == TY_STR)
        return arena_printf("vxc_str_drop(%s);", v);
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

/* ---- expressions ---- */

static void ex(Node *e);
static void emit_cstring(Buf *o, const char *s, int n);
static void emit_into(Node *e, const char *dst);
static void emit_stmt(Node *s);

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

/* Emits e as a C expression into a string (for nesting in helpers). */
static const char *ex_str(Node *e) {
    Buf *save = O;
    Buf b = {0};
    O = &b;
    ex(e);
    O = save;
    char *s = arena_strndup(b.data ? b.data : "", b.len);
    buf_free(&b);
    return s;
}


/* ---- the MIR builder: O collects the C of the pending statement ---- */

static void flush(void) {
    size_t i = 0;
    while (i < O->len && O->data[i] == ' ')
        i++;
    if (i < O->len)
        mir_stmt(M, arena_strndup(O->data + i, O->len - i), cur_pos);
    O->len = 0;
}

static MBlock *new_block(void) { return mir_block(M); }

static void enter_block(MBlock *b) {
    flush();
    mir_set(M, b);
}

static void jump(MBlock *b) {
    flush();
    mir_goto(M, b);
}

static void branch(const char *c, MBlock *t, MBlock *f) {
    flush();
    mir_branch(M, c, t, f);
}

/* A function-scoped local (a temporary or a hidden value) for the MIR. */
static const char *new_local(const char *prefix, Type *t) {
    const char *name = arena_printf("%s%d", prefix, new_tmp());
    mir_local(M, name, t);
    return name;
}

/* ---- drop scopes ----
 * Every open block has a scope listing the owned values it must drop at
 * its end (locals with heap memory, hidden temporaries). A local that can
 * be moved has a drop flag `df_<name>`, cleared by the move, so a value
 * moved on some paths only is dropped exactly once. return and `?` drop
 * every open scope; break and continue the scopes inside their loop. */
typedef struct Slot {
    const char *cname;
    Type *ty;
    bool flag;
} Slot;

static Vec dscopes;     /* Vec* of Slot* per open scope */

static void push_dscope(void) { vec_push(&dscopes, arena_alloc(sizeof(Vec))); }

static void add_slot(const char *cname, Type *ty, bool flag) {
    if (!has_heap(ty) || !dscopes.len)
        return;
    Slot *sl = arena_alloc(sizeof(Slot));
    sl->cname = cname;
    sl->ty = ty;
    sl->flag = flag;
    vec_push(dscopes.items[dscopes.len - 1], sl);
}

static void emit_drops(int from) {
    for (int d = dscopes.len - 1; d >= from && d >= 0; d--) {
        Vec *v = dscopes.items[d];
        for (int i = v->len - 1; i >= 0; i--) {
            Slot *sl = v->items[i];
            if (sl->flag)
                outf(" if (df_%s) { %s }", sl->cname, drop_stmt(sl->ty, sl->cname));
            else
                outf(" %s", drop_stmt(sl->ty, sl->cname));
        }
    }
}

static void pop_dscope(bool drop) {
    if (drop)
        emit_drops(dscopes.len - 1);
    dscopes.len--;
}

/* Declares local s initialised with the owned value init. */
static void decl_local(Sym *sym, const char *init) {
    mir_local(M, sym->cname, sym->ty);
    outf(" %s = %s;", sym->cname, init);
    if (has_heap(sym->ty)) {
        mir_local(M, arena_printf("df_%s", sym->cname), NULL);
        outf(" df_%s = 1;", sym->cname);
        add_slot(sym->cname, sym->ty, true);
    }
}

/* Is e a place (a local, a field or element of a place, a deref)? A place
 * is read in place; anything else is a fresh owned value. */
static bool is_place_expr(Node *e) {
    switch (e->kind) {
    case N_IDENT: return e->res == R_LOCAL;
    case N_FIELD: return e->res != R_VARIANT && (e->autoref > 0 || is_place_expr(e->a));
    case N_INDEX: return e->autoref > 0 || is_place_expr(e->a);
    case N_DEREF: return true;
    default: return false;
    }
}

/* e as an owned value: a moved local clears its drop flag; any other
 * place is cloned (a string is shared by reference count). */
static const char *ex_owned(Node *e) {
    const char *v = ex_str(e);
    if (!has_heap(e->ty) || !is_place_expr(e))
        return v;
    if (e->kind == N_IDENT && !ty_is_copy(e->ty))
        return arena_printf("({ df_%s = 0; %s; })", e->sym->cname, v);
    return clone_expr(e->ty, v);
}

/* A temporary lent by reference (`&make()`, a method receiver): its value
 * goes into a MIR local of the current scope, dropped at the scope's end. */
static const char *materialize(Node *a, const char *value) {
    const char *t = new_local("lt", a->ty);
    mir_stmt(M, arena_printf("%s = %s;", t, value), cur_pos);
    add_slot(t, a->ty, false);
    return t;
}

/* An operand evaluated now, into a MIR local, because an operand to its
 * right has control flow that is lowered into blocks first: keeps
 * left-to-right order. Ownership passes on unchanged to the consumer. */
static const char *hoist(Node *a, const char *value) {
    const char *t = new_local("ho", a->ty);
    if (!has_heap(a->ty)) {
        mir_stmt(M, arena_printf("%s = %s;", t, value), cur_pos);
        return t;
    }
    /* owned: dropped if a `?` or return leaves before the consumer takes it */
    mir_local(M, arena_printf("df_%s", t), NULL);
    mir_stmt(M, arena_printf("%s = %s; df_%s = 1;", t, value, t), cur_pos);
    add_slot(t, a->ty, true);
    return arena_printf("({ df_%s = 0; %s; })", t, t);
}

/* e borrowed: a place as is, or a temporary the caller must drop. */
static bool is_temp(Node *e) { return has_heap(e->ty) && !is_place_expr(e); }

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

static void str_lit(const char *s, int n) {
    int k = ++nlits;
    buf_printf(&lits_b, "static vx_str vxs_%d VXU = VX_STR_INIT(", k);
    emit_cstring(&lits_b, s, n);
    buf_puts(&lits_b, ");\n");
    outf("(&vxs_%d)", k);
}

/* Builds a format buffer named `b` from literal pieces and values:
 * pieces: (literal text | value with spec). */
static void fmt_piece_value(Node *v, const char *spec) {
    const char *mode = "-1";
    if (spec && !strcmp(spec, ":?"))
        mode = "-2";
    else if (spec && spec[0] == ':' && spec[1] == '.')
        mode = arena_printf("%d", atoi(spec + 2));
    const char *vs = ex_str(v);
    int t = new_tmp();
    outf(" { %s vf%d VXU = %s; ", ty_cname(v->ty), t, vs);
    Type *vt = ty_res(v->ty);
    if (ty_is_int(vt) && mode[0] != '-')
        mode = "-1";
    fmt_value(O, v->ty, "&fb", arena_printf("vf%d", t), mode);
    if (is_temp(v))
        outf(" %s", drop_stmt(v->ty, arena_printf("vf%d", t)));
    out(" }");
}

static void fmt_literal_piece(const char *s, int n) {
    if (n <= 0)
        return;
    out(" vxc_put(&fb, ");
    emit_cstring(O, s, n);
    outf(", %d);", n);
}

/* A format string with {} placeholders: e->list[0] is the literal,
 * e->list2 the specs, e->list[1..] the values. */
static void fmt_format_string(Node *e, int first) {
    Node *f = e->list.items[first];
    const char *s = f->sval;
    Buf lit = {0};
    int arg = first + 1, spec = 0;
    for (int i = 0; i < f->slen; i++) {
        if ((s[i] == '{' || s[i] == '}') && i + 1 < f->slen && s[i + 1] == s[i]) {
            buf_put(&lit, s + i, 1);
            i++;
            continue;
        }
        if (s[i] == '{') {
            fmt_literal_piece(lit.data, (int)lit.len);
            lit.len = 0;
            int j = i;
            while (j < f->slen && s[j] != '}')
                j++;
            fmt_piece_value(e->list.items[arg++], e->list2.items[spec++]);
            i = j;
            continue;
        }
        buf_put(&lit, s + i, 1);
    }
    fmt_literal_piece(lit.data, (int)lit.len);
    buf_free(&lit);
}

static void emit_print(Node *e, const char *stream, int nl) {
    out("({ VXC_BUF(fb);");
    if (e->flag) {
        fmt_format_string(e, 0);
    } else {
        for (int i = 0; i < e->list.len; i++) {
            if (i)
                out(" vxc_put(&fb, \" \", 1);");
            fmt_piece_value(e->list.items[i], NULL);
        }
    }
    outf(" vxc_write(%s, &fb, %d); (vxc_unit)0; })", stream, nl);
}

static void emit_intrinsic(Node *e) {
    const char *n = e->name;
    if (!strcmp(n, "$println"))
        return emit_print(e, "stdout", 1);
    if (!strcmp(n, "$print"))
        return emit_print(e, "stdout", 0);
    if (!strcmp(n, "$eprintln"))
        return emit_print(e, "stderr", 1);
    if (!strcmp(n, "$eprint"))
        return emit_print(e, "stderr", 0);
    if (!strcmp(n, "$panic")) {
        if (e->flag) {
            out("({ VXC_BUF(fb);");
            fmt_format_string(e, 0);
            outf(" vx_panic(%s, \"%%s\", vxc_buf_cstr(&fb)); (vxc_unit)0; })", loc_of(e->pos));
            return;
        }
        if (e->list.len == 0) {
            outf("({ vx_panic(%s, \"explicit panic\"); (vxc_unit)0; })", loc_of(e->pos));
            return;
        }
        outf("({ vxc_str m_ = %s; vx_panic(%s, \"%%.*s\", (int)m_->len, m_->ptr); (vxc_unit)0; })",
             ex_str(e->list.items[0]), loc_of(e->pos));
        return;
    }
    if (!strcmp(n, "$assert")) {
        Node *c = e->list.items[0];
        if (e->list.len == 2) {
            const char *cs = ex_str(c);
            const char *msg = ex_str(e->list.items[1]);
            (void)cs;
            outf("({ if (!(%s)) { vxc_str m_ = %s; vx_panic(%s, \"%%.*s\", (int)m_->len, m_->ptr); } (vxc_unit)0; })",
                 cs, msg, loc_of(e->pos));
            return;
        }
        outf("({ if (!(%s)) vx_panic_assert(%s, ", ex_str(c), loc_of(e->pos));
        const char *txt = e->suffix ? e->suffix : "";
        emit_cstring(O, txt, (int)strlen(txt));
        out("); (vxc_unit)0; })");
        return;
    }
    if (!strcmp(n, "$assert_eq") || !strcmp(n, "$assert_ne")) {
        Node *a = e->list.items[0], *b = e->list.items[1];
        Type *t = a->ty;
        const char *ct = ty_cname(t);
        bool ne = !strcmp(n, "$assert_ne");
        const char *as = ex_str(a);
        const char *bs = ex_str(b);
        outf("({ %s l_ = %s; %s r_ = %s; if (%s%s) { VXC_BUF(fb); vxc_puts(&fb, \"assertion failed: left %s right\\n  left: \"); ",
             ct, as, ct, bs, ne ? "" : "!", eq_expr(t, "l_", "r_"), ne ? "!=" : "==");
        fmt_value(O, t, "&fb", "l_", "-2");
        out(" vxc_puts(&fb, \"\\n right: \"); ");
        fmt_value(O, t, "&fb", "r_", "-2");
        outf(" vx_panic(%s, \"%%s\", vxc_buf_cstr(&fb)); } %s %s (vxc_unit)0; })", loc_of(e->pos),
             is_temp(a) ? drop_stmt(t, "l_") : "", is_temp(b) ? drop_stmt(t, "r_") : "");
        return;
    }
    unreachable();
}

static void emit_fstring(Node *e) {
    out("({ VXC_BUF(fb);");
    for (int i = 0; i < e->list.len; i++) {
        Node *p = e->list.items[i];
        if (!e->list2.items[i])
            fmt_literal_piece(p->sval, p->slen);
        else
            fmt_piece_value(p, *(const char *)e->list2.items[i] ? e->list2.items[i] : NULL);
    }
    out(" vxc_buf_str(&fb); })");
}

/* The place `e` after `n` automatic dereferences. */
static const char *deref_n(const char *s, int n) {
    for (int i = 0; i < n; i++)
        s = arena_printf("(*%s)", s);
    return s;
}

static void ex_binary_on(Node *e, const char *a, const char *b);
static bool has_effects(Node *e);

static bool has_control_flow(Node *e);

static void ex_binary(Node *e) {
    const char *op = e->op;
    if ((!strcmp(op, "&&") || !strcmp(op, "||")) && has_control_flow(e->b)) {
        /* the right side runs only when needed: blocks, not C's && */
        Buf *save = O;
        Buf b = {0};
        O = &b;
        const char *t = new_local("sc", ty_bool);
        outf("%s = %s;", t, ex_str(e->a));
        MBlock *rhs = new_block(), *join = new_block();
        if (!strcmp(op, "&&"))
            branch(t, rhs, join);
        else
            branch(t, join, rhs);
        enter_block(rhs);
        outf("%s = %s;", t, ex_str(e->b));
        jump(join);
        enter_block(join);
        O = save;
        buf_free(&b);
        out(t);
        return;
    }
    if (strcmp(op, "&&") && strcmp(op, "||") && has_effects(e->a) && has_effects(e->b)) {
        /* both sides have effects: evaluate left to right first */
        int k = new_tmp();
        const char *a = ex_str(e->a);
        if (has_control_flow(e->b))
            a = hoist(e->a, a);
        const char *b = ex_str(e->b);
        outf("({ %s bl%d VXU = %s; %s br%d VXU = %s; ", ty_cname(e->a->ty), k, a, ty_cname(e->b->ty), k, b);
        ex_binary_on(e, arena_printf("bl%d", k), arena_printf("br%d", k));
        out("; })");
        return;
    }
    /* a long operator chain nests C parentheses past what compilers
     * accept (clang: 256): every 32 levels, the left operand goes into a
     * MIR local */
    static int depth;
    depth++;
    const char *a = ex_str(e->a);
    if ((has_effects(e->a) && has_control_flow(e->b)) || (depth % 32 == 0 && e->a->kind == N_BINARY))
        a = hoist(e->a, a);
    const char *b = ex_str(e->b);
    depth--;
    ex_binary_on(e, a, b);
}

static void ex_binary_on(Node *e, const char *a, const char *b) {
    const char *op = e->op;
    Type *t = ty_res(e->a->ty);
    if (e->autoref & 1) {
        a = arena_printf("(*%s)", a);
        t = ty_res(t->elem);
    }
    if (e->autoref & 2)
        b = arena_printf("(*%s)", b);
    if (has_heap(t) && (is_temp(e->a) || is_temp(e->b))) {
        /* string + / == / <: evaluate both, operate, drop temporaries */
        const char *ct = ty_cname(t);
        int k = new_tmp();
        outf("({ %s l%d = %s; %s r%d = %s; %s res%d = ", ct, k, a, ct, k, b, ty_cname(e->ty), k);
        const char *l = arena_printf("l%d", k), *r = arena_printf("r%d", k);
        if (!strcmp(op, "+"))
            outf("vxc_str_concat(%s, %s);", l, r);
        else if (!strcmp(op, "==") || !strcmp(op, "!="))
            outf("%s%s;", !strcmp(op, "!=") ? "!" : "", eq_expr(t, l, r));
        else
            outf("(vxc_str_cmp(%s, %s) %s 0);", l, r, op);
        outf(" %s %s res%d; })", is_temp(e->a) ? drop_stmt(t, l) : "", is_temp(e->b) ? drop_stmt(t, r) : "", k);
        return;
    }
    if (!strcmp(op, "&&") || !strcmp(op, "||")) {
        outf("(%s %s %s)", a, op, b);
        return;
    }
    static const struct { const char *op, *fn; } arith[] = {
        {"+", "add"}, {"-", "sub"}, {"*", "mul"}, {"/", "div"}, {"%", "rem"}, {"<<", "shl"}, {">>", "shr"},
    };
    for (size_t i = 0; i < sizeof arith / sizeof arith[0]; i++) {
        if (strcmp(op, arith[i].op))
            continue;
        if (t->kind == TY_STR) {
            outf("vxc_str_concat(%s, %s)", a, b);
            return;
        }
        if (ty_is_float(t)) {
            if (!strcmp(op, "%"))
                outf("((%s)fmod(%s, %s))", ty_cname(t), a, b);
            else
                outf("((%s)(%s %s %s))", ty_cname(t), a, op, b);
            return;
        }
        if (i >= 5)
            outf("vxc_%s_%s(%s, (int64_t)(%s), %s)", arith[i].fn, int_suffix(t), a, b, loc_of(e->pos));
        else
            outf("vxc_%s_%s(%s, %s, %s)", arith[i].fn, int_suffix(t), a, b, loc_of(e->pos));
        return;
    }
    if (!strcmp(op, "&") || !strcmp(op, "|") || !strcmp(op, "^")) {
        outf("((%s)(%s %s %s))", ty_cname(t), a, op, b);
        return;
    }
    /* comparisons */
    if (!strcmp(op, "==") || !strcmp(op, "!=")) {
        outf("(%s%s)", !strcmp(op, "!=") ? "!" : "", eq_expr(t, a, b));
        return;
    }
    if (t->kind == TY_STR) {
        outf("(vxc_str_cmp(%s, %s) %s 0)", a, b, op);
        return;
    }
    outf("(%s %s %s)", a, op, b);
}

static void ex_cast(Node *e) {
    Type *from = ty_res(e->a->ty), *to = ty_res(e->ty);
    const char *a = ex_str(e->a);
    if (ty_is_float(from) && ty_is_int(to)) {
        outf("vxc_f2i_%s((double)(%s))", int_suffix(to), a);
        return;
    }
    outf("((%s)(%s))", ty_cname(to), a);
}

/* The start of an expression, for a panic location (`v[j]` at `v`). */
static Pos start_pos(Node *e) {
    while ((e->kind == N_INDEX || e->kind == N_FIELD || e->kind == N_CALL || e->kind == N_BINARY) && e->a)
        e = e->a;
    return e->pos;
}

static void ex_index(Node *e) {
    Type *bt = ty_res(e->a->ty);
    for (int i = 0; i < e->autoref; i++)
        bt = ty_res(bt->elem);
    const char *base = deref_n(ex_str(e->a), e->autoref);
    const char *idx = ex_str(e->b);
    const char *idxf = ty_is_signed(e->b->ty) ? "vxc_idx_s" : "vxc_idx_u";
    const char *it = ty_is_signed(e->b->ty) ? "int64_t" : "uint64_t";
    if (bt->kind == TY_ARRAY) {
        outf("(%s).a[%s((%s)(%s), %ld, %s)]", base, idxf, it, idx, bt->n, loc_of(start_pos(e)));
        return;
    }
    bool place = e->a->kind == N_IDENT || e->a->kind == N_FIELD || e->a->kind == N_INDEX || e->a->kind == N_DEREF ||
                 e->autoref > 0;
    if (!place) {
        int t = new_tmp();
        outf("({ %s vt%d = %s; %s el%d = %s; %s el%d; })", ty_cname(bt), t, base, ty_cname(e->ty), t,
             clone_expr(e->ty, arena_printf("vt%d.ptr[%s((%s)(%s), vt%d.len, %s)]", t, idxf, it, idx, t, loc_of(start_pos(e)))),
             drop_stmt(bt, arena_printf("vt%d", t)), t);
        return;
    }
    outf("(%s).ptr[%s((%s)(%s), (%s).len, %s)]", base, idxf, it, idx, base, loc_of(start_pos(e)));
}

static const char *vecraw(const char *place) { return arena_printf("((vxc_vecraw *)&(%s))", place); }

static void ex_builtin_method_on(Node *e, const char *r, bool owned_recv);

static bool consumes_receiver(const char *name) {
    return !strcmp(name, "unwrap") || !strcmp(name, "expect") || !strcmp(name, "unwrap_err") ||
           !strcmp(name, "unwrap_or") || !strcmp(name, "ok");
}

static void ex_builtin_method(Node *e) {
    Node *recv = e->a->a;
    const char *r = deref_n(ex_str(recv), e->index);
    if (e->index == 0 && is_temp(recv)) {
        if (consumes_receiver(e->name)) {
            ex_builtin_method_on(e, r, true);
            return;
        }
        /* a temporary receiver: lend it to the method, drop it after */
        int k = new_tmp();
        outf("({ %s rt%d = %s; %s res%d = ", ty_cname(recv->ty), k, r, ty_cname(e->ty), k);
        ex_builtin_method_on(e, arena_printf("rt%d", k), false);
        outf("; %s res%d; })", drop_stmt(recv->ty, arena_printf("rt%d", k)), k);
        return;
    }
    ex_builtin_method_on(e, r, false);
}

/* The built-in method e on receiver r (a place, or an owned temporary the
 * method may consume when owned_recv). */
static void ex_builtin_method_on(Node *e, const char *r, bool owned_recv) {
    Node *recv = e->a->a;
    const char *name = e->name;
    Type *t = ty_res(recv->ty);
    int nd = e->index;
    for (int i = 0; i < nd; i++)
        t = ty_res(t->elem);
    Node *a0 = e->list.len > 0 ? e->list.items[0] : NULL;
    Node *a1 = e->list.len > 1 ? e->list.items[1] : NULL;
    const char *loc = loc_of(e->pos);
    const char *ct = ty_cname(t);
    if (!strcmp(name, "clone")) {
        outf("%s", clone_expr(t, r));
        return;
    }
    if (!strcmp(name, "to_string")) {
        out("({ VXC_BUF(fb);");
        int k = new_tmp();
        outf(" %s vf%d VXU = %s; ", ct, k, r);
        fmt_value(O, t, "&fb", arena_printf("vf%d", k), "-1");
        out(" vxc_buf_str(&fb); })");
        return;
    }
    switch (t->kind) {
    case TY_VEC: {
        const char *et = ty_cname(t->elem);
        if (!strcmp(name, "push")) {
            outf("({ %s x_ = %s; *(%s *)vxc_vec_push_slot(%s, sizeof(%s)) = x_; (vxc_unit)0; })", et, ex_owned(a0), et,
                 vecraw(r), et);
        } else if (!strcmp(name, "pop")) {
            const char *ot = ty_cname(e->ty);
            outf("({ %s o_ = {0}; %s *v_ = &(%s); if (v_->len) { o_.some = 1; o_.val = v_->ptr[--v_->len]; } o_; })", ot,
                 ct, r);
        } else if (!strcmp(name, "len")) {
            outf("((uint64_t)(%s).len)", r);
        } else if (!strcmp(name, "is_empty")) {
            outf("((%s).len == 0)", r);
        } else if (!strcmp(name, "get")) {
            const char *ot = ty_cname(e->ty);
            bool sg = ty_is_signed(a0->ty);
            outf("({ %s o_ = {0}; %s v_ = %s; %s i_ = %s; if (%si_ < v_.len) { o_.some = 1; o_.val = %s; } o_; })", ot,
                 ct, r, sg ? "int64_t" : "uint64_t", ex_str(a0), sg ? "i_ >= 0 && (uint64_t)" : "",
                 clone_expr(t->elem, "v_.ptr[i_]"));
        } else if (!strcmp(name, "first") || !strcmp(name, "last")) {
            const char *ot = ty_cname(e->ty);
            outf("({ %s o_ = {0}; %s v_ = %s; if (v_.len) { o_.some = 1; o_.val = %s; } o_; })", ot, ct, r,
                 clone_expr(t->elem, !strcmp(name, "first") ? "v_.ptr[0]" : "v_.ptr[v_.len - 1]"));
        } else if (!strcmp(name, "insert")) {
            const char *i0 = ex_str(a0);
            const char *x1 = ex_owned(a1);
            outf("({ uint64_t i_ = (uint64_t)(%s); %s x_ = %s; vxc_vec_insert(%s, i_, &x_, sizeof(%s), %s); (vxc_unit)0; })",
                 i0, et, x1, vecraw(r), et, loc);
        } else if (!strcmp(name, "remove")) {
            outf("({ uint64_t i_ = (uint64_t)(%s); %s x_; vxc_vec_remove(%s, i_, &x_, sizeof(%s), %s); x_; })", ex_str(a0),
                 et, vecraw(r), et, loc);
        } else if (!strcmp(name, "clear")) {
            outf("({ %s *v_ = &(%s); for (uint64_t i_ = 0; i_ < v_->len; i_++) { %s } v_->len = 0; (vxc_unit)0; })", ct, r,
                 drop_stmt(t->elem, "v_->ptr[i_]"));
        } else if (!strcmp(name, "reverse")) {
            outf("({ vxc_vec_reverse(%s, sizeof(%s)); (vxc_unit)0; })", vecraw(r), et);
        } else if (!strcmp(name, "contains")) {
            const char *x = ex_str(a0);
            if (ty_res(a0->ty)->kind == TY_REF)
                x = arena_printf("(*%s)", x);
            outf("({ %s v_ = %s; %s x_ = %s; bool f_ = 0; for (uint64_t i_ = 0; i_ < v_.len && !f_; i_++) f_ = %s; f_; })",
                 ct, r, et, x, eq_expr(t->elem, "v_.ptr[i_]", "x_"));
        } else if (!strcmp(name, "join")) {
            outf("({ %s v_ = %s; vx_vec w_ = {v_.ptr, v_.len, v_.cap}; vx_str_join(&w_, %s); })", ct, r, ex_str(a0));
        } else {
            unreachable();
        }
        return;
    }
    case TY_ARRAY:
        outf("((uint64_t)%ld)", t->n);
        return;
    case TY_STR: {
        const char *ot = ty_cname(e->ty);
        if (!strcmp(name, "len"))
            outf("((uint64_t)(%s)->len)", r);
        else if (!strcmp(name, "is_empty"))
            outf("((%s)->len == 0)", r);
        else if (!strcmp(name, "contains") || !strcmp(name, "starts_with") || !strcmp(name, "ends_with"))
            outf("vx_str_%s(%s, %s)", name, r, ex_str(a0));
        else if (!strcmp(name, "trim") || !strcmp(name, "trim_start") || !strcmp(name, "trim_end") ||
                 !strcmp(name, "to_upper") || !strcmp(name, "to_lower"))
            outf("vx_str_%s(%s)", name, r);
        else if (!strcmp(name, "char_count"))
            outf("((uint64_t)vx_str_char_count(%s))", r);
        else if (!strcmp(name, "byte_at"))
            outf("vx_str_byte_at(%s, (int64_t)(%s), %s)", r, ex_str(a0), loc);
        else if (!strcmp(name, "slice") || !strcmp(name, "substring"))
        {
            const char *s0 = ex_str(a0);
            const char *s1 = ex_str(a1);
            outf("vx_str_slice(%s, (int64_t)(%s), (int64_t)(%s), %s)", r, s0, s1, loc);
        }
        else if (!strcmp(name, "repeat"))
            outf("vx_str_repeat(%s, (uint64_t)(%s))", r, ex_str(a0));
        else if (!strcmp(name, "replace"))
        {
            const char *s0 = ex_str(a0);
            const char *s1 = ex_str(a1);
            outf("vx_str_replace(%s, %s, %s)", r, s0, s1);
        }
        else if (!strcmp(name, "find") || !strcmp(name, "rfind"))
            outf("({ %s o_ = {0}; o_.some = vx_str_%s(%s, %s, &o_.val); o_; })", ot, name, r, ex_str(a0));
        else if (!strcmp(name, "parse_i64") || !strcmp(name, "parse_int"))
            outf("({ %s o_ = {0}; o_.some = vx_str_parse_i64(%s, &o_.val); o_; })", ot, r);
        else if (!strcmp(name, "parse_f64"))
            outf("({ %s o_ = {0}; o_.some = vx_str_parse_f64(%s, &o_.val); o_; })", ot, r);
        else if (!strcmp(name, "split"))
            outf("({ vxc_vecraw r_ = vxc_from_vx_vec(vx_str_split(%s, %s)); %s v_; memcpy(&v_, &r_, sizeof v_); v_; })", r,
                 ex_str(a0), ot);
        else if (!strcmp(name, "lines"))
            outf("({ vxc_vecraw r_ = vxc_from_vx_vec(vx_str_lines(%s)); %s v_; memcpy(&v_, &r_, sizeof v_); v_; })", r, ot);
        else if (!strcmp(name, "chars")) {
            outf("({ vxc_str s_ = %s; %s v_ = {0}; for (uint64_t i_ = 0; i_ < s_->len;) { uint64_t n_ = 1; "
                 "unsigned char c_ = (unsigned char)s_->ptr[i_]; if (c_ >= 0xF0) n_ = 4; else if (c_ >= 0xE0) n_ = 3; else if (c_ >= 0xC0) n_ = 2; "
                 "if (i_ + n_ > s_->len) n_ = s_->len - i_; *(vxc_str *)vxc_vec_push_slot(%s, sizeof(vxc_str)) = vxc_str_own(s_->ptr + i_, n_); i_ += n_; } v_; })",
                 r, ot, vecraw("v_"));
        } else
            unreachable();
        return;
    }
    case TY_OPTION:
        if (!strcmp(name, "unwrap"))
            outf("({ %s o_ = %s; if (!o_.some) vx_panic_unwrap_none(%s); %s; })", ct, r, loc,
                 owned_recv ? "o_.val" : clone_expr(t->elem, "o_.val"));
        else if (!strcmp(name, "expect"))
            outf("({ %s o_ = %s; if (!o_.some) { vxc_str m_ = %s; vx_panic(%s, \"%%.*s\", (int)m_->len, m_->ptr); } %s; })",
                 ct, r, ex_str(a0), loc, owned_recv ? "o_.val" : clone_expr(t->elem, "o_.val"));
        else if (!strcmp(name, "is_some"))
            outf("((%s).some)", r);
        else if (!strcmp(name, "is_none"))
            outf("(!(%s).some)", r);
        else if (!strcmp(name, "unwrap_or"))
            outf("({ %s o_ = %s; %s d_ = %s; %s r_; if (o_.some) { r_ = %s; %s } else r_ = d_; r_; })", ct, r,
                 ty_cname(t->elem), ex_owned(a0), ty_cname(t->elem), owned_recv ? "o_.val" : clone_expr(t->elem, "o_.val"),
                 drop_stmt(t->elem, "d_"));
        else
            unreachable();
        return;
    case TY_RESULT:
        if (!strcmp(name, "unwrap") || !strcmp(name, "expect")) {
            outf("({ %s o_ = %s; if (o_.is_err) { VXC_BUF(fb); ", ct, r);
            if (!strcmp(name, "expect"))
                outf("vxc_str m_ = %s; vxc_put(&fb, m_->ptr, m_->len); vxc_puts(&fb, \": \"); ", ex_str(a0));
            else
                out("vxc_puts(&fb, \"called unwrap() on an Err value: \"); ");
            fmt_value(O, t->err, "&fb", "o_.err", "-2");
            outf(" vx_panic(%s, \"%%s\", vxc_buf_cstr(&fb)); } %s; })", loc,
                 owned_recv ? "o_.ok" : clone_expr(t->elem, "o_.ok"));
        } else if (!strcmp(name, "unwrap_err")) {
            outf("({ %s o_ = %s; if (!o_.is_err) { VXC_BUF(fb); vxc_puts(&fb, \"called unwrap_err() on an Ok value: \"); ", ct, r);
            fmt_value(O, t->elem, "&fb", "o_.ok", "-2");
            outf(" vx_panic(%s, \"%%s\", vxc_buf_cstr(&fb)); } %s; })", loc,
                 owned_recv ? "o_.err" : clone_expr(t->err, "o_.err"));
        } else if (!strcmp(name, "is_ok"))
            outf("(!(%s).is_err)", r);
        else if (!strcmp(name, "is_err"))
            outf("((%s).is_err)", r);
        else if (!strcmp(name, "unwrap_or"))
            outf("({ %s o_ = %s; %s d_ = %s; %s r_; if (!o_.is_err) { r_ = %s; %s } else { r_ = d_; %s } r_; })", ct, r,
                 ty_cname(t->elem), ex_owned(a0), ty_cname(t->elem), owned_recv ? "o_.ok" : clone_expr(t->elem, "o_.ok"),
                 drop_stmt(t->elem, "d_"), owned_recv ? drop_stmt(t->err, "o_.err") : "");
        else if (!strcmp(name, "ok"))
            outf("({ %s o_ = %s; %s r_ = {0}; if (!o_.is_err) { r_.some = 1; r_.val = %s; } %s r_; })", ct, r,
                 ty_cname(e->ty), owned_recv ? "o_.ok" : clone_expr(t->elem, "o_.ok"),
                 owned_recv ? arena_printf("else { %s }", drop_stmt(t->err, "o_.err")) : "");
        else
            unreachable();
        return;
    default:
        if (!strcmp(name, "abs") && ty_is_int(t))
            outf("vxc_abs_%s(%s, %s)", int_suffix(t), r, loc);
        else if (!strcmp(name, "pow"))
            outf("vxc_pow_%s(%s, %s, %s)", int_suffix(t), r, ex_str(a0), loc);
        else if (!strcmp(name, "min") || !strcmp(name, "max"))
            outf("({ %s a_ = %s, b_ = %s; a_ %s b_ ? a_ : b_; })", ct, r, ex_str(a0), !strcmp(name, "min") ? "<" : ">");
        else if (ty_is_float(t))
            outf("((%s)%s(%s))", ct, !strcmp(name, "abs") ? "fabs" : name, r);
        else
            unreachable();
        return;
    }
}

/* A call's arguments, comma separated. */
/* Could evaluating e have a visible effect (a call, a print)? */
static bool has_effects(Node *e) {
    if (!e)
        return false;
    switch (e->kind) {
    case N_CALL: case N_INTRINSIC: case N_IF: case N_MATCH: case N_BLOCK: case N_LOOP: case N_WHILE:
    case N_FOR: case N_TRY: case N_FSTR:
        return true;
    default:
        break;
    }
    if (has_effects(e->a) || has_effects(e->b))
        return true;
    if (e->kind == N_STRUCTLIT || e->kind == N_TUPLE || e->kind == N_VECLIT)
        for (int i = 0; i < e->list.len; i++)
            if (has_effects(e->list.items[i]))
                return true;
    return false;
}

/* Owned values of e->list, evaluated left to right (in `order`, when
 * given): when two or more have effects they go into temporaries first,
 * opening a statement expression the caller closes with seq_close(). */
static const char **seq_values(Node *e, const Vec *order, bool *opened) {
    int n = e->list.len, eff = 0;
    const char **v = arena_alloc(sizeof(char *) * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        eff += has_effects(e->list.items[i]);
    *opened = eff >= 2;
    if (*opened) {
        int k = new_tmp();
        out("({");
        for (int j = 0; j < n; j++) {
            int i = j;
            /* order maps declaration slot -> source position: invert */
            if (order && order->len == n) {
                for (int d = 0; d < n; d++)
                    if ((int)(intptr_t)order->items[d] == j)
                        i = d;
            }
            Node *a = e->list.items[i];
            const char *val = ex_owned(a);
            bool later_cf = false;
            for (int jj = j + 1; jj < n; jj++) {
                int ii = jj;
                if (order && order->len == n)
                    for (int d = 0; d < n; d++)
                        if ((int)(intptr_t)order->items[d] == jj)
                            ii = d;
                later_cf |= has_control_flow(e->list.items[ii]);
            }
            if (later_cf && has_effects(a))
                val = hoist(a, val);
            outf(" %s sq%d_%d VXU = %s;", ty_cname(a->ty), k, i, val);
            v[i] = arena_printf("sq%d_%d", k, i);
        }
        out(" ");
    } else {
        for (int i = 0; i < n; i++) {
            v[i] = ex_owned(e->list.items[i]);
            bool later_cf = false;
            for (int j = i + 1; j < n; j++)
                later_cf |= has_control_flow(e->list.items[j]);
            if (later_cf && has_effects(e->list.items[i]))
                v[i] = hoist(e->list.items[i], v[i]);
        }
    }
    return v;
}

static void seq_close(bool opened) {
    if (opened)
        out("; })");
}

static void call_args_v(const char **v, int n, int first_sep) {
    for (int i = 0; i < n; i++) {
        if (i || first_sep)
            out(", ");
        out(v[i]);
    }
}

static void call_args(Node *e, int first_sep) {
    for (int i = 0; i < e->list.len; i++) {
        if (i || first_sep)
            out(", ");
        out(ex_owned(e->list.items[i]));
    }
}

static void ex_extern_call(Node *e) {
    Fn *f = e->fn;
    bool unit_ret = is_unitish(f->rtype);
    bool str_ret = ty_res(f->rtype)->kind == TY_STR;
    out(unit_ret ? "({ " : str_ret ? "vxc_str_from_c(" : "");
    outf("vx_ext_%s(", f->name);
    for (int i = 0; i < e->list.len; i++) {
        Node *a = e->list.items[i];
        if (i)
            out(", ");
        if (ty_res(a->ty)->kind == TY_STR)
            outf("vx_str_cstr(%s)", ex_str(a));
        else
            ex(a);
    }
    out(")");
    out(unit_ret ? "; (vxc_unit)0; })" : str_ret ? ")" : "");
}

static void ex_call(Node *e) {
    switch (e->res) {
    case R_FN: {
        bool op;
        const char **v = seq_values(e, NULL, &op);
        outf("%s(", e->fn->cname);
        call_args_v(v, e->list.len, 0);
        out(")");
        seq_close(op);
        return;
    }
    case R_EXTERN:
        ex_extern_call(e);
        return;
    case R_METHOD: {
        Fn *m = e->fn;
        Node *recv = e->a->a;
        const char *r = deref_n(ex_str(recv), e->index);
        Type *bt0 = ty_res(recv->ty);
        for (int i = 0; i < e->index; i++)
            bt0 = ty_res(bt0->elem);
        if (m->self_kind != 0 && is_temp(recv) && e->index == 0) {
            /* a temporary receiver lent to the method, dropped after */
            int k = new_tmp();
            outf("({ %s rv%d = %s; %s res%d = %s(&rv%d", ty_cname(bt0), k, r, ty_cname(e->ty), k, m->cname, k);
            call_args(e, 1);
            outf("); %s res%d; })", drop_stmt(bt0, arena_printf("rv%d", k)), k);
            return;
        }
        outf("%s(", m->cname);
        if (m->self_kind == 0) {
            out(e->index == 0 ? ex_owned(recv) : clone_expr(bt0, r));
        } else {
            bool place = e->index > 0 || recv->kind == N_IDENT || recv->kind == N_FIELD || recv->kind == N_INDEX ||
                         recv->kind == N_DEREF;
            Type *rt = ty_res(recv->ty);
            if (rt->kind == TY_REF && e->index == 1)
                outf("%s", ex_str(recv));
            else if (place)
                outf("&%s", r);
            else
                outf("&%s", materialize(recv, r));
        }
        call_args(e, 1);
        out(")");
        return;
    }
    case R_STATIC: {
        const char *tn = e->sval, *name = e->name;
        if (e->fn) {
            bool op;
            const char **v = seq_values(e, NULL, &op);
            outf("%s(", e->fn->cname);
            call_args_v(v, e->list.len, 0);
            out(")");
            seq_close(op);
            return;
        }
        if (!strcmp(tn, "Vec")) {
            outf("((%s){0})", ty_cname(e->ty));
            return;
        }
        if (!strcmp(tn, "Box")) {
            Type *inner = ty_res(e->ty)->elem;
            const char *it = ty_cname(inner);
            outf("({ %s x_ = %s; %s *p_ = vx_alloc(sizeof(%s)); *p_ = x_; p_; })", it, ex_owned(e->list.items[0]), it, it);
            return;
        }
        if (!strcmp(name, "args")) {
            outf("({ vxc_vecraw r_ = vxc_os_args(); %s v_; memcpy(&v_, &r_, sizeof v_); v_; })", ty_cname(e->ty));
            return;
        }
        if (!strcmp(name, "env")) {
            outf("({ %s o_ = {0}; o_.some = vxc_os_env(%s, &o_.val); o_; })", ty_cname(e->ty), ex_str(e->list.items[0]));
            return;
        }
        if (!strcmp(name, "exit")) {
            outf("({ fflush(stdout); exit(%s); (vxc_unit)0; })", ex_str(e->list.items[0]));
            return;
        }
        if (!strcmp(name, "now_ms")) {
            out("vxc_now_ms()");
            return;
        }
        unreachable();
    }
    case R_VARIANT: {
        Type *t = ty_res(e->aux ? e->aux : e->ty);
        const char *ct = ty_cname(e->ty);
        if (t->kind == TY_OPTION) {
            outf("((%s){.some = 1, .val = %s})", ct, ex_owned(e->list.items[0]));
            return;
        }
        if (t->kind == TY_RESULT) {
            if (e->index == 0)
                outf("((%s){.is_err = 0, .ok = %s})", ct, ex_owned(e->list.items[0]));
            else
                outf("((%s){.is_err = 1, .err = %s})", ct, ex_owned(e->list.items[0]));
            return;
        }
        bool op;
        const char **v = seq_values(e, NULL, &op);
        outf("((%s){.tag = %d", ct, e->index);
        if (e->list.len) {
            outf(", .u.v%d = {", e->index);
            call_args_v(v, e->list.len, 0);
            out("}");
        }
        out("})");
        seq_close(op);
        return;
    }
    case R_BUILTIN_METHOD:
        ex_builtin_method(e);
        return;
    default:
        unreachable();
    }
}

static void ex_int(Node *e) {
    Type *t = ty_res(e->ty);
    if (ty_is_float(t)) {
        outf("((%s)%llu)", ty_cname(t), (unsigned long long)e->ival);
        return;
    }
    if (ty_is_signed(t))
        outf("((%s)INT64_C(%llu))", ty_cname(t), (unsigned long long)e->ival);
    else
        outf("((%s)UINT64_C(%llu))", ty_cname(t), (unsigned long long)e->ival);
}

/* e? - on the error path, convert (F.from), drop every open scope and
 * return; on the success path the payload moves out of the temporary. */
static void ex_try(Node *e) {
    Type *t = ty_res(e->a->ty);
    Type *fr = fn_ret_type();
    Buf *save = O;
    Buf b = {0};
    O = &b;
    const char *q = new_local("q", t);
    outf("%s = %s;", q, ex_owned(e->a));
    MBlock *fail = new_block(), *ok = new_block();
    branch(arena_printf(t->kind == TY_OPTION ? "!%s.some" : "%s.is_err", q), fail, ok);
    enter_block(fail);
    if (t->kind == TY_OPTION)
        outf("vxc_ret = (%s){0};", ty_cname(fr));
    else
        outf("vxc_ret = (%s){.is_err = 1, .err = %s(%s.err)};", ty_cname(fr), e->from_fn ? e->from_fn->cname : "", q);
    emit_drops(0);
    flush();
    mir_return(M);
    enter_block(ok);
    O = save;
    buf_free(&b);
    outf("%s.%s", q, t->kind == TY_OPTION ? "val" : "ok");
}

static void ex(Node *e) {
    switch (e->kind) {
    case N_INT:
        ex_int(e);
        return;
    case N_FLOAT: {
        char b[64];
        snprintf(b, sizeof b, "%.17g", e->fval);
        if (!strchr(b, '.') && !strchr(b, 'e') && !strchr(b, 'n') && !strchr(b, 'i'))
            strcat(b, ".0");
        if (!strcmp(b, "inf"))
            strcpy(b, "INFINITY");
        outf("((%s)%s)", ty_cname(e->ty), b);
        return;
    }
    case N_STR:
        str_lit(e->sval, e->slen);
        return;
    case N_FSTR:
        emit_fstring(e);
        return;
    case N_BOOL:
        out(e->ival ? "true" : "false");
        return;
    case N_UNIT:
        out("((vxc_unit)0)");
        return;
    case N_IDENT:
        if (e->res == R_LOCAL)
            out(e->sym->cname);
        else if (e->res == R_CONST)
            outf("vx_const_%s()", e->name);
        else if (e->res == R_VARIANT) {
            Type *t = ty_res(e->aux);
            if (t->kind == TY_OPTION)
                outf("((%s){0})", ty_cname(t));
            else
                outf("((%s){.tag = %d})", ty_cname(t), e->index);
        } else
            unreachable();
        return;
    case N_CALL:
        ex_call(e);
        return;
    case N_INTRINSIC:
        emit_intrinsic(e);
        return;
    case N_FIELD:
        if (e->res == R_VARIANT) {
            outf("((%s){.tag = %d})", ty_cname(e->aux), e->index);
            return;
        }
        if (e->autoref == 0 && is_temp(e->a)) {
            int k = new_tmp();
            const char *f = e->flag ? arena_printf("ft%d.f%d", k, e->index) : arena_printf("ft%d.f_%s", k, e->name);
            outf("({ %s ft%d = %s; %s fr%d = %s; %s fr%d; })", ty_cname(e->a->ty), k, ex_str(e->a), ty_cname(e->ty), k,
                 clone_expr(e->ty, f), drop_stmt(e->a->ty, arena_printf("ft%d", k)), k);
            return;
        }
        if (e->flag)
            outf("%s.f%d", deref_n(ex_str(e->a), e->autoref), e->index);
        else
            outf("%s.f_%s", deref_n(ex_str(e->a), e->autoref), e->name);
        return;
    case N_INDEX:
        ex_index(e);
        return;
    case N_UNARY: {
        Type *t = ty_res(e->ty);
        const char *a = e->autoref ? arena_printf("(*%s)", ex_str(e->a)) : NULL;
        if (!strcmp(e->op, "-")) {
            if (e->a->kind == N_INT && ty_is_int(t)) {
                if (e->a->ival == (uint64_t)1 << 63)
                    out("INT64_MIN");
                else
                    outf("((%s)-INT64_C(%llu))", ty_cname(t), (unsigned long long)e->a->ival);
            } else if (ty_is_float(t)) {
                outf("(-%s)", a ? a : ex_str(e->a));
            } else {
                outf("vxc_neg_%s(%s, %s)", int_suffix(t), a ? a : ex_str(e->a), loc_of(e->pos));
            }
        } else if (t->kind == TY_BOOL) {
            outf("(!%s)", a ? a : ex_str(e->a));
        } else {
            outf("((%s)~%s)", ty_cname(t), a ? a : ex_str(e->a));
        }
        return;
    }
    case N_DEREF:
        outf("(*%s)", ex_str(e->a));
        return;
    case N_REF: {
        Node *a = e->a;
        bool place = a->kind == N_IDENT || a->kind == N_FIELD || a->kind == N_INDEX || a->kind == N_DEREF;
        if (place && !(a->kind == N_IDENT && a->res != R_LOCAL))
            outf("(&%s)", ex_str(a));
        else
            outf("(&%s)", materialize(a, ex_owned(a)));
        return;
    }
    case N_BINARY:
        ex_binary(e);
        return;
    case N_CAST:
        ex_cast(e);
        return;
    case N_TRY:
        ex_try(e);
        return;
    case N_STRUCTLIT: {
        bool op;
        const char **v = seq_values(e, &e->list2, &op);
        outf("((%s){", ty_cname(e->ty));
        call_args_v(v, e->list.len, 0);
        if (!e->list.len)
            out("0");
        out("})");
        seq_close(op);
        return;
    }
    case N_TUPLE: {
        bool op;
        const char **v = seq_values(e, NULL, &op);
        outf("((%s){", ty_cname(e->ty));
        call_args_v(v, e->list.len, 0);
        out("})");
        seq_close(op);
        return;
    }
    case N_VECLIT: {
        Type *t = ty_res(e->ty);
        const char *ct = ty_cname(t);
        if (t->kind == TY_ARRAY) {
            outf("((%s){{", ct);
            call_args(e, 0);
            out("}})");
            return;
        }
        const char *et = ty_cname(t->elem);
        int k = new_tmp();
        bool op;
        const char **v = seq_values(e, NULL, &op);
        outf("({ %s v%d = {0};", ct, k);
        if (e->list.len)
            outf(" v%d.ptr = vx_alloc(sizeof(%s) * %d); v%d.cap = %d;", k, et, e->list.len, k, e->list.len);
        for (int i = 0; i < e->list.len; i++)
            outf(" v%d.ptr[v%d.len++] = %s;", k, k, v[i]);
        outf(" v%d; })", k);
        seq_close(op);
        return;
    }
    case N_IF:
    case N_MATCH:
    case N_BLOCK:
    case N_LOOP:
    case N_WHILE:
    case N_FOR:
    case N_RETURN:
    case N_BREAK:
    case N_CONTINUE: {
        /* control flow inside an expression: lower it into blocks first,
         * its value lands in a temporary the expression then reads */
        Buf *save = O;
        Buf b = {0};
        O = &b;
        const char *r = is_unitish(e->ty) ? NULL : new_local("r", e->ty);
        emit_into(e, r);
        flush();
        O = save;
        buf_free(&b);
        out(r ? r : "((vxc_unit)0)");
        return;
    }
    default:
        unreachable();
    }
}

/* ---- patterns ---- */

/* C condition: does the value at `path` (type t) match p? */
static const char *pat_test(Node *p, const char *path) {
    Type *t = ty_res(p->ty);
    switch (p->kind) {
    case P_WILD:
    case P_BIND:
        return "1";
    case P_LIT:
        return eq_expr(t, path, ex_str(p->a));
    case P_RANGE:
        return arena_printf("((%s) >= %s && (%s) %s %s)", path, ex_str(p->a), path, p->flag ? "<=" : "<", ex_str(p->b));
    case P_OR: {
        const char *s = "0";
        for (int i = 0; i < p->list.len; i++)
            s = arena_printf("%s || %s", s, pat_test(p->list.items[i], path));
        return arena_printf("(%s)", s);
    }
    case P_TUPLE: {
        const char *s = "1";
        for (int i = 0; i < p->list.len; i++)
            s = arena_printf("%s && %s", s, pat_test(p->list.items[i], arena_printf("%s.f%d", path, i)));
        return arena_printf("(%s)", s);
    }
    case P_VARIANT: {
        const char *s;
        if (t->kind == TY_OPTION) {
            s = arena_printf("%s(%s).some", p->index ? "" : "!", path);
            if (p->index)
                s = arena_printf("%s && %s", s, pat_test(p->list.items[0], arena_printf("(%s).val", path)));
        } else if (t->kind == TY_RESULT) {
            s = arena_printf("%s(%s).is_err", p->index ? "" : "!", path);
            s = arena_printf("%s && %s", s,
                             pat_test(p->list.items[0], arena_printf("(%s).%s", path, p->index ? "err" : "ok")));
        } else {
            s = arena_printf("(%s).tag == %d", path, p->index);
            for (int i = 0; i < p->list.len; i++)
                s = arena_printf("%s && %s", s, pat_test(p->list.items[i], arena_printf("(%s).u.v%d.f%d", path, p->index, i)));
        }
        return arena_printf("(%s)", s);
    }
    default:
        unreachable();
    }
}

static void collect_binds(Node *p, Vec *out) {
    if (p->kind == P_BIND) {
        vec_push(out, p);
        return;
    }
    if (p->kind == P_OR) {
        collect_binds(p->list.items[0], out);
        return;
    }
    for (int i = 0; i < p->list.len; i++)
        collect_binds(p->list.items[i], out);
}

/* The bindings of p (after its test succeeded): declarations, or plain
 * assignments when `assign` (inside an or-pattern, declared up front). */
static void pat_bind(Node *p, const char *path, bool assign) {
    Type *t = ty_res(p->ty);
    switch (p->kind) {
    case P_BIND:
        if (p->autoref) {
            if (!assign)
                mir_local(M, p->sym->cname, p->sym->ty);
            outf(" %s = &(%s);", p->sym->cname, path);
        } else if (assign) {
            outf(" %s = %s;", p->sym->cname, clone_expr(p->sym->ty, path));
            if (has_heap(p->sym->ty))
                outf(" df_%s = 1;", p->sym->cname);
        } else {
            decl_local(p->sym, clone_expr(p->sym->ty, path));
        }
        return;
    case P_OR: {
        Vec binds = {0};
        collect_binds(p, &binds);
        if (!binds.len)
            return;
        if (!assign)
            for (int i = 0; i < binds.len; i++) {
                Node *b = binds.items[i];
                mir_local(M, b->sym->cname, b->sym->ty);
                if (has_heap(b->sym->ty)) {
                    mir_local(M, arena_printf("df_%s", b->sym->cname), NULL);
                    outf(" df_%s = 0;", b->sym->cname);
                    add_slot(b->sym->cname, b->sym->ty, true);
                }
            }
        for (int i = 0; i < p->list.len; i++) {
            outf(" %sif (%s) {", i ? "else " : "", cond(pat_test(p->list.items[i], path)));
            pat_bind(p->list.items[i], path, true);
            out(" }");
        }
        return;
    }
    case P_TUPLE:
        for (int i = 0; i < p->list.len; i++)
            pat_bind(p->list.items[i], arena_printf("%s.f%d", path, i), assign);
        return;
    case P_VARIANT:
        for (int i = 0; i < p->list.len; i++) {
            const char *sub;
            if (t->kind == TY_OPTION)
                sub = arena_printf("(%s).val", path);
            else if (t->kind == TY_RESULT)
                sub = arena_printf("(%s).%s", path, p->index ? "err" : "ok");
            else
                sub = arena_printf("(%s).u.v%d.f%d", path, p->index, i);
            pat_bind(p->list.items[i], sub, assign);
        }
        return;
    default:
        return;
    }
}

/* ---- statements and block-like expressions ---- */

static Type *cur_ret;
static Type *fn_ret_type(void) { return cur_ret; }

static bool has_control_flow(Node *e) {
    if (!e)
        return false;
    switch (e->kind) {
    case N_IF: case N_MATCH: case N_BLOCK: case N_LOOP: case N_WHILE: case N_FOR: case N_RETURN: case N_BREAK:
    case N_CONTINUE: case N_TRY:
        return true;
    default:
        break;
    }
    if (has_control_flow(e->a) || has_control_flow(e->b) || has_control_flow(e->c))
        return true;
    if (e->kind != N_FSTR || true)
        for (int i = 0; i < e->list.len; i++)
            if (e->kind != N_ARM && has_control_flow(e->list.items[i]))
                return true;
    return false;
}

/* ---- statements and control flow: lowered into the MIR ---- */

static void emit_block_body(Node *b, const char *dst) {
    for (int i = 0; i < b->list.len; i++)
        emit_stmt(b->list.items[i]);
    if (b->c) {
        cur_pos = b->c->pos;
        emit_into(b->c, dst);
        flush();
    }
}

typedef struct Loop {
    MBlock *brk, *cont;
    int depth; /* dscopes.len outside the body */
} Loop;

static Vec loops; /* Loop* */

/* The body of a loop: a scope holding the loop variable, then a jump to
 * `next` (the condition, the step or the head). */
static void lower_loop_body(Node *body, MBlock *next, MBlock *exit, Sym *var, const char *var_init) {
    Loop *lp = arena_alloc(sizeof(Loop));
    lp->brk = exit;
    lp->cont = next;
    lp->depth = dscopes.len;
    vec_push(&loops, lp);
    push_dscope();
    if (var)
        decl_local(var, var_init);
    flush();
    emit_block_body(body, NULL);
    pop_dscope(!body->flag);
    jump(next);
    loops.len--;
}

static void emit_into(Node *e, const char *dst) {
    switch (e->kind) {
    case N_BLOCK:
        push_dscope();
        emit_block_body(e, is_unitish(e->ty) ? NULL : dst);
        pop_dscope(!e->flag);
        flush();
        return;
    case N_IF: {
        MBlock *t = new_block(), *f = new_block(), *join = new_block();
        branch(cond(ex_str(e->a)), t, e->c ? f : join);
        enter_block(t);
        emit_into(e->b, dst);
        jump(join);
        if (e->c) {
            enter_block(f);
            emit_into(e->c, dst);
            jump(join);
        }
        enter_block(join);
        return;
    }
    case N_MATCH: {
        Type *st = ty_res(e->a->ty);
        const char *path;
        push_dscope();
        if (is_place_expr(e->a) && st->kind != TY_REF) {
            const char *m = new_local("m", ty_wrap(TY_REF, st));
            outf("%s = &%s;", m, ex_str(e->a));
            path = arena_printf("(*%s)", m);
        } else {
            const char *m = new_local("m", st);
            outf("%s = %s;", m, ex_str(e->a));
            path = st->kind == TY_REF ? arena_printf("(*%s)", m) : m;
            if (st->kind != TY_REF && is_temp(e->a))
                add_slot(m, st, false);
        }
        flush();
        MBlock *end = new_block();
        for (int i = 0; i < e->list.len; i++) {
            Node *arm = e->list.items[i];
            MBlock *body = new_block(), *next = new_block();
            branch(cond(pat_test(arm->a, path)), body, next);
            enter_block(body);
            push_dscope();
            pat_bind(arm->a, path, false);
            flush();
            MBlock *fail = NULL;
            if (arm->b) {
                MBlock *pass = new_block();
                fail = new_block();
                branch(cond(ex_str(arm->b)), pass, fail);
                enter_block(pass);
            }
            cur_pos = arm->c->pos;
            emit_into(arm->c, is_unitish(arm->ty) ? NULL : dst);
            emit_drops(dscopes.len - 1);
            jump(end);
            if (fail) {
                enter_block(fail);
                emit_drops(dscopes.len - 1);
                jump(next);
            }
            pop_dscope(false);
            enter_block(next);
        }
        flush();
        mir_unreachable(M);
        enter_block(end);
        pop_dscope(true);
        flush();
        return;
    }
    case N_LOOP: {
        MBlock *head = new_block(), *exit = new_block();
        jump(head);
        enter_block(head);
        lower_loop_body(e->b, head, exit, NULL, NULL);
        enter_block(exit);
        return;
    }
    case N_WHILE: {
        MBlock *head = new_block(), *body = new_block(), *exit = new_block();
        jump(head);
        enter_block(head);
        branch(cond(ex_str(e->a)), body, exit);
        enter_block(body);
        lower_loop_body(e->b, head, exit, NULL, NULL);
        enter_block(exit);
        return;
    }
    case N_FOR: {
        MBlock *head = new_block(), *body = new_block(), *step = new_block(), *exit = new_block();
        if (e->a->kind == N_RANGE) {
            Type *it = e->a->ty;
            const char *lo = new_local("lo", it), *hi = new_local("hi", it), *v = new_local("fv", it);
            outf("%s = %s;", lo, ex_str(e->a->a));
            outf(" %s = %s;", hi, ex_str(e->a->b));
            outf(" %s = %s;", v, lo);
            if (e->a->flag) {
                MBlock *go = new_block();
                branch(arena_printf("%s <= %s", lo, hi), go, exit);
                enter_block(go);
                jump(head);
                enter_block(head);
                jump(body);
            } else {
                jump(head);
                enter_block(head);
                branch(arena_printf("%s < %s", v, hi), body, exit);
            }
            enter_block(body);
            lower_loop_body(e->b, step, exit, e->sym, v);
            enter_block(step);
            if (e->a->flag) {
                MBlock *inc = new_block();
                branch(arena_printf("%s == %s", v, hi), exit, inc);
                enter_block(inc);
            }
            outf("%s++;", v);
            jump(head);
            enter_block(exit);
            return;
        }
        Type *ct = ty_res(e->a->ty);
        bool by_ref = ct->kind == TY_REF;
        if (by_ref)
            ct = ty_res(ct->elem);
        push_dscope();
        const char *c;
        if (by_ref) {
            const char *p = new_local("c", ty_wrap(TY_REF, ct));
            outf("%s = %s;", p, ex_str(e->a));
            c = arena_printf("(*%s)", p);
        } else {
            /* the loop owns the collection; each element is a copy */
            c = new_local("c", ct);
            outf("%s = %s;", c, ex_owned(e->a));
            add_slot(c, ct, false);
        }
        const char *i = new_local("i", ty_usize);
        outf(" %s = 0;", i);
        jump(head);
        enter_block(head);
        const char *len = ct->kind == TY_ARRAY ? arena_printf("%ld", ct->n) : arena_printf("%s.len", c);
        const char *elem = ct->kind == TY_ARRAY ? arena_printf("%s.a[%s]", c, i) : arena_printf("%s.ptr[%s]", c, i);
        branch(arena_printf("%s < %s", i, len), body, exit);
        enter_block(body);
        if (e->sym) {
            lower_loop_body(e->b, step, exit, e->sym,
                            e->autoref ? arena_printf("&%s", elem) : clone_expr(e->sym->ty, elem));
        } else {
            push_dscope();
            pat_bind(e->c, elem, false);
            flush();
            MBlock *inner_step = new_block();
            lower_loop_body(e->b, inner_step, exit, NULL, NULL);
            enter_block(inner_step);
            pop_dscope(true);
            jump(step);
        }
        enter_block(step);
        outf("%s++;", i);
        jump(head);
        enter_block(exit);
        pop_dscope(true);
        flush();
        return;
    }
    case N_RETURN:
        if (e->a && !is_unitish(e->a->ty))
            outf("vxc_ret = %s;", ex_owned(e->a));
        else if (e->a)
            outf("(void)%s;", ex_str(e->a));
        emit_drops(0);
        flush();
        mir_return(M);
        return;
    case N_BREAK:
    case N_CONTINUE: {
        Loop *lp = loops.len ? loops.items[loops.len - 1] : NULL;
        if (!lp)
            unreachable();
        emit_drops(lp->depth);
        jump(e->kind == N_BREAK ? lp->brk : lp->cont);
        return;
    }
    default:
        if (dst && !is_unitish(e->ty))
            outf("%s = %s;", dst, ex_owned(e));
        else if (is_temp(e)) {
            const char *t = new_local("dt", e->ty);
            outf("%s = %s; %s", t, ex_str(e), drop_stmt(e->ty, t));
        } else
            outf("(void)%s;", ex_str(e));
        flush();
        return;
    }
}

static void emit_stmt(Node *s) {
    flush();
    cur_pos = s->pos;
    switch (s->kind) {
    case N_LET: {
        if (s->c) {
            const char *p = new_local("p", s->ty);
            outf("%s = %s;", p, ex_str(s->a));
            if (is_temp(s->a))
                add_slot(p, s->ty, false);
            pat_bind(s->c, p, false);
            flush();
            return;
        }
        const char *init = ex_owned(s->a);
        decl_local(s->sym, init);
        flush();
        return;
    }
    case N_ASSIGN: {
        Type *t = ty_res(s->a->ty);
        if (t->kind == TY_STR && !strcmp(s->op, "=") && s->a->kind == N_IDENT && s->b->kind == N_BINARY &&
            !strcmp(s->b->op, "+") && s->b->a->kind == N_IDENT && s->b->a->sym == s->a->sym && !s->b->autoref) {
            /* s = s + x: append to s (in place when s holds the only reference) */
            const char *v = new_local("v", ty_str);
            outf("%s = %s; %s = vx_str_append(%s, %s); vxc_str_drop(%s);", v, ex_owned(s->b->b), s->a->sym->cname,
                 s->a->sym->cname, v, v);
            flush();
            return;
        }
        const char *rhs = ex_owned(s->b);
        const char *v = new_local("v", s->b->ty), *pp = new_local("pa", ty_wrap(TY_REF, t));
        const char *place = ex_str(s->a);
        outf("%s = %s; %s = &%s;", v, rhs, pp, place);
        const char *old = arena_printf("(*%s)", pp);
        if (!strcmp(s->op, "=")) {
            if (has_heap(t)) {
                if (s->a->kind == N_IDENT)
                    outf(" if (df_%s) { %s } df_%s = 1;", s->a->sym->cname, drop_stmt(t, old), s->a->sym->cname);
                else
                    outf(" %s", drop_stmt(t, old));
            }
            outf(" %s = %s;", old, v);
            flush();
            return;
        }
        const char *op = s->name;
        outf(" %s = ", old);
        static const struct { const char *op, *fn; } arith[] = {
            {"+", "add"}, {"-", "sub"}, {"*", "mul"}, {"/", "div"}, {"%", "rem"}, {"<<", "shl"}, {">>", "shr"},
        };
        bool done = false;
        for (size_t i = 0; i < sizeof arith / sizeof arith[0] && !done; i++) {
            if (strcmp(op, arith[i].op))
                continue;
            done = true;
            if (t->kind == TY_STR) /* appends in place when unshared: linear in loops */
                outf("({ vxc_str n_ = vx_str_append(%s, %s); vxc_str_drop(%s); n_; });", old, v, v);
            else if (ty_is_float(t) && !strcmp(op, "%"))
                outf("(%s)fmod(%s, %s);", ty_cname(t), old, v);
            else if (ty_is_float(t))
                outf("(%s)(%s %s %s);", ty_cname(t), old, op, v);
            else
                outf("vxc_%s_%s(%s, %s%s, %s);", arith[i].fn, int_suffix(t), old, i >= 5 ? "(int64_t)" : "", v,
                     loc_of(s->pos));
        }
        if (!done)
            outf("(%s)(%s %s %s);", ty_cname(t), old, op, v);
        flush();
        return;
    }
    case N_EXPRSTMT:
        emit_into(s->a, NULL);
        flush();
        return;
    default:
        unreachable();
    }
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

static void fn_signature(Buf *b, Fn *f) {
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
    for (int i = 0; i < f->params.len; i++) {
        Param *p = f->params.items[i];
        buf_printf(b, "%s%s %s", i ? ", " : "", ty_cname(f->ptypes[i]), p->type->sym ? p->type->sym->cname : p->name);
    }
    if (!f->params.len)
        buf_puts(b, "void");
    buf_puts(b, ")");
}

/* Lowers f's body into a fresh MIR function (M). */
static MFn *lower_fn(Fn *f) {
    M = mir_new_fn(f);
    Buf stmt = {0};
    O = &stmt;
    cur_ret = f->rtype;
    loops.len = 0;
    dscopes.len = 0;
    bool unit = is_unitish(f->rtype);
    /* by-value parameters are owned by the callee */
    push_dscope();
    cur_pos = f->pos;
    for (int i = 0; i < f->params.len; i++) {
        Param *p = f->params.items[i];
        Sym *sym = p->type->sym;
        if (sym && has_heap(sym->ty)) {
            mir_local(M, arena_printf("df_%s", sym->cname), NULL);
            outf("df_%s = 1; ", sym->cname);
            add_slot(sym->cname, sym->ty, true);
        }
    }
    flush();
    emit_into(f->body, unit ? NULL : "vxc_ret");
    pop_dscope(!f->body->flag && ty_res(f->body->ty)->kind != TY_NEVER);
    flush();
    mir_return(M);
    buf_free(&stmt);
    return M;
}

static void emit_fn(Fn *f) {
    Buf sig = {0};
    fn_signature(&sig, f);
    buf_printf(&protos_b, "%s;\n", sig.data);
    if (f->is_extern) {
        buf_free(&sig);
        return;
    }
    MFn *m = lower_fn(f);
    Buf body = {0};
    mir_print_c(m, &body, sig.data, is_unitish(f->rtype) ? NULL : ty_cname(f->rtype));
    buf_puts(&fns_b, body.data);
    buf_free(&body);
    buf_free(&sig);
}

void emit_program(Program *p, FILE *f) {
    prog = p;
    memset(&types_b, 0, sizeof types_b);
    memset(&protos_b, 0, sizeof protos_b);
    memset(&helpers_b, 0, sizeof helpers_b);
    memset(&fns_b, 0, sizeof fns_b);
    memset(&lits_b, 0, sizeof lits_b);
    nlits = 0;
    memset(&done_names, 0, sizeof done_names);
    memset(&loops, 0, sizeof loops);
    memset(&dscopes, 0, sizeof dscopes); /* arena memory of a past compilation */
    memset(&helper_queue, 0, sizeof helper_queue);
    tmp_counter = 0;
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
    /* a constant is a function of no arguments returning its value */
    Buf consts = {0};
    for (int i = 0; i < p->consts.len; i++) {
        Node *c = p->consts.items[i];
        Fn *cf = arena_alloc(sizeof(Fn));
        cf->name = c->name;
        cf->pos = c->pos;
        cf->rtype = c->ty;
        cf->body = arena_alloc(sizeof(Node));
        cf->body->kind = N_BLOCK;
        cf->body->pos = c->pos;
        cf->body->c = c->a;
        cf->body->ty = c->ty;
        const char *sig = arena_printf("static __attribute__((unused)) %s vx_const_%s(void)", ty_cname(c->ty), c->name);
        buf_printf(&protos_b, "%s;\n", sig);
        MFn *m = lower_fn(cf);
        mir_print_c(m, &consts, sig, ty_cname(c->ty));
    }
    Fn *main_fn = NULL;
    for (int i = 0; i < p->fns.len; i++) {
        Fn *fn = p->fns.items[i];
        emit_fn(fn);
        if (!fn->owner && !strcmp(fn->name, "main") && !fn->is_extern)
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
    if (main_fn) {
        fputs("\nint main(int argc, char **argv) {\n    vx_os_init(argc, argv);\n", f);
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

void emit_dump_mir(Program *p, FILE *f) {
    prog = p;
    memset(&done_names, 0, sizeof done_names);
    memset(&helper_queue, 0, sizeof helper_queue);
    memset(&loops, 0, sizeof loops);
    memset(&dscopes, 0, sizeof dscopes);
    tmp_counter = 0;
    for (int i = 0; i < p->fns.len; i++) {
        Fn *fn = p->fns.items[i];
        if (fn->is_extern)
            continue;
        mir_dump(lower_fn(fn), f);
    }
    buf_free(&types_b);
    buf_free(&protos_b);
    buf_free(&helpers_b);
    buf_free(&lits_b);
}
