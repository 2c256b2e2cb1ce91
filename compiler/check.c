/*
 * check.c - name resolution and type checking, in one walk per function.
 *
 * check_expr(e, expect) infers e's type bottom-up while passing the type
 * the context wants downwards (expect, possibly NULL): that is how literals
 * get their type from context (`let x: u8 = 1`, `[1, 2]` as an array) and
 * how `None`/`Vec.new()` learn their element type. Whatever stays unknown
 * is a type variable (type.c) unified later; after a function is checked,
 * zonk_fn() resolves every variable (unbound integer literals become i32)
 * and range-checks integer literals.
 *
 * Every call is resolved here and annotated on the N_CALL node (res, fn,
 * index, autoref) so that emit.c never has to look anything up: free fns,
 * methods in the three spellings (Go receiver, dotted, in-struct), statics
 * (`Point.new`), enum constructors, std functions (os.args) and built-in
 * methods of Vec/string/Option/Result.
 * Match exhaustiveness uses the usefulness algorithm of Maranget, "Warnings
 * for pattern matching" (JFP 2007), specialised to Vex's constructors.
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "vexc.h"

/* ---- a small string-keyed hash map (names of items) ---- */

typedef struct Entry {
    const char *key;
    void *val;
    struct Entry *next;
} Entry;

typedef struct Map {
    Entry **b;
    int nb, n;
} Map;

static unsigned hash_str(const char *s) {
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void *map_get(Map *m, const char *k) {
    if (!m->nb)
        return NULL;
    for (Entry *e = m->b[hash_str(k) % (unsigned)m->nb]; e; e = e->next)
        if (!strcmp(e->key, k))
            return e->val;
    return NULL;
}

static void map_put(Map *m, const char *k, void *v) {
    if (m->n >= m->nb) {
        int nb = m->nb ? m->nb * 2 : 64;
        Entry **b = arena_alloc(sizeof(Entry *) * (size_t)nb);
        for (int i = 0; i < m->nb; i++)
            for (Entry *e = m->b[i], *nx; e; e = nx) {
                nx = e->next;
                unsigned h = hash_str(e->key) % (unsigned)nb;
                e->next = b[h];
                b[h] = e;
            }
        m->b = b;
        m->nb = nb;
    }
    Entry *e = arena_alloc(sizeof(Entry));
    e->key = k;
    e->val = v;
    unsigned h = hash_str(k) % (unsigned)m->nb;
    e->next = m->b[h];
    m->b[h] = e;
    m->n++;
}

/* Sets k's value: replaces it if k is there (map_put would add a second
 * entry, and a rehash, which reverses each chain, could bring the older one
 * back in front). */
static void map_set(Map *m, const char *k, void *v) {
    for (Entry *e = m->nb ? m->b[hash_str(k) % (unsigned)m->nb] : NULL; e; e = e->next)
        if (!strcmp(e->key, k)) {
            e->val = v;
            return;
        }
    map_put(m, k, v);
}

/* ---- checker state ---- */

static Program *prog;
static Map types_map;   /* name -> StructDef/EnumDef (tagged by first field) */
static Map fns_map;     /* free fn name -> Fn */
static Map methods_map; /* "Owner.name" -> Vec* of Fn */
static Map consts_map;  /* name -> Node* N_CONST */
static Map import_aliases; /* `import * as ns`: ns -> SrcFile* */
static Map std_aliases;    /* `import * as sys from "os"`: sys -> "os" */
static Map std_names;      /* `import { env } from "os"`: env -> "os" */

static Fn *cur_fn;
static Vec scope;       /* Sym* stack; NULL marks a scope boundary */
static int loop_depth;
static int sym_counter;

static Type *resolve_type(Node *t);
static int64_t const_int(Node *e, int depth);
static void check_const(Node *c, Node *use);
static Type *check_expr(Node *e, Type *expect);
static Type *check_block(Node *b, Type *expect);
static void check_pattern(Node *p, Type *t, int by_ref);

StructDef *find_struct(const char *name) {
    StructDef *sd = map_get(&types_map, name);
    return sd && sd->ty->kind == TY_STRUCT ? sd : NULL;
}

EnumDef *find_enum(const char *name) {
    EnumDef *ed = map_get(&types_map, name);
    return ed && ed->ty->kind == TY_ENUM ? ed : NULL;
}

static _Noreturn void mismatch(Pos pos, Type *want, Type *got) {
    error_at(pos, "E0300", "mismatched types: expected `%s`, found `%s`", ty_str_of(want), ty_str_of(got));
}

/* The type `got` must be usable where `want` is expected. */
static void expect_type(Node *e, Type *want, Type *got) {
    Type *w = ty_res(want), *g = ty_res(got);
    if (w->kind == TY_REF && g->kind == TY_REF && !w->mut && g->mut) {
        /* `&T!` lends as `&T` (a reborrow) */
        if (!ty_unify(w->elem, g->elem))
            mismatch(e->pos, want, got);
        return;
    }
    if (!ty_unify(want, got))
        mismatch(e->pos, want, got);
}

/* ---- scopes ---- */

static void push_scope(void) { vec_push(&scope, NULL); }
static void pop_scope(void) {
    while (scope.len && scope.items[scope.len - 1])
        scope.len--;
    if (scope.len)
        scope.len--;
}

static Sym *declare(const char *name, Type *t, bool mut, Pos pos) {
    Sym *s = arena_alloc(sizeof(Sym));
    s->name = name;
    s->ty = t;
    s->mut = mut;
    s->pos = pos;
    s->id = ++sym_counter;
    s->cname = arena_printf("%s_%d", name, s->id);
    vec_push(&scope, s);
    if (cur_fn)
        vec_push(&cur_fn->locals, s);
    return s;
}

static Sym *lookup(const char *name) {
    for (int i = scope.len - 1; i >= 0; i--) {
        Sym *s = scope.items[i];
        if (s && !strcmp(s->name, name))
            return s;
    }
    return NULL;
}

static _Noreturn void unknown_name(Pos pos, const char *what, const char *name) {
    const char *cands[512];
    int n = 0;
    for (int i = scope.len - 1; i >= 0 && n < 256; i--)
        if (scope.items[i])
            cands[n++] = ((Sym *)scope.items[i])->name;
    for (int i = 0; i < prog->fns.len && n < 400; i++) {
        Fn *f = prog->fns.items[i];
        if (!f->owner)
            cands[n++] = f->name;
    }
    for (int i = 0; i < prog->structs.len && n < 450; i++)
        cands[n++] = ((StructDef *)prog->structs.items[i])->name;
    for (int i = 0; i < prog->enums.len && n < 500; i++)
        cands[n++] = ((EnumDef *)prog->enums.items[i])->name;
    for (int i = 0; i < prog->consts.len && n < 510; i++)
        cands[n++] = ((Node *)prog->consts.items[i])->name;
    const char *best = did_you_mean(name, cands, n);
    if (best)
        diag_help("did you mean `%s`?", best);
    error_at(pos, "E0200", "cannot find %s `%s` in this scope", what, name);
}

/* ---- types from type expressions ---- */

static Type *resolve_type(Node *t) {
    if (!t)
        return ty_unit;
    switch (t->kind) {
    case T_REF: {
        Type *r = ty_wrap(TY_REF, resolve_type(t->a));
        r->mut = t->mut;
        return r;
    }
    case T_TUPLE: {
        if (t->list.len == 0)
            return ty_unit;
        Type *r = ty_new(TY_TUPLE);
        r->nelems = t->list.len;
        r->elems = arena_alloc(sizeof(Type *) * (size_t)r->nelems);
        for (int i = 0; i < r->nelems; i++)
            r->elems[i] = resolve_type(t->list.items[i]);
        return r;
    }
    case T_ARRAY: {
        Type *r = ty_wrap(TY_ARRAY, resolve_type(t->a));
        r->n = (long)t->ival;
        if (t->name) { /* [T; NAME]: a constant's value */
            Node *c = map_get(&consts_map, t->name);
            if (!c)
                unknown_name(t->pos, "constant", t->name);
            int64_t v = const_int(c->a, 0);
            if (v < 0 || v > (1 << 24))
                error_at(t->pos, "E0300", "array length `%s` = %lld is out of range", t->name, (long long)v);
            r->n = (long)v;
        }
        return r;
    }
    case T_NAME: break;
    default: unreachable();
    }
    static const struct { const char *name; TyKind k; } prims[] = {
        {"i8", TY_I8}, {"i16", TY_I16}, {"i32", TY_I32}, {"i64", TY_I64}, {"u8", TY_U8},
        {"u16", TY_U16}, {"u32", TY_U32}, {"u64", TY_U64}, {"usize", TY_USIZE}, {"isize", TY_I64},
        {"f32", TY_F32}, {"f64", TY_F64}, {"bool", TY_BOOL}, {"string", TY_STR}, {"str", TY_STR},
        {"void", TY_UNIT},
    };
    for (size_t i = 0; i < sizeof prims / sizeof prims[0]; i++)
        if (!strcmp(t->name, prims[i].name)) {
            if (t->list.len)
                error_at(t->pos, "E0300", "type `%s` takes no type arguments", t->name);
            return ty_prim[prims[i].k];
        }
    static const struct { const char *name; TyKind k; int nargs; } generic[] = {
        {"Vec", TY_VEC, 1}, {"Box", TY_BOX, 1}, {"Option", TY_OPTION, 1}, {"Result", TY_RESULT, 2},
        {"Task", TY_TASK, 1}, {"Channel", TY_CHAN, 1}, {"Mutex", TY_MUTEX, 1},
    };
    for (size_t i = 0; i < sizeof generic / sizeof generic[0]; i++)
        if (!strcmp(t->name, generic[i].name) && !(generic[i].k >= TY_TASK && map_get(&types_map, t->name))) {
            if (t->list.len != generic[i].nargs)
                error_at(t->pos, "E0300", "`%s` takes %d type argument%s", t->name, generic[i].nargs,
                         generic[i].nargs > 1 ? "s" : "");
            if (generic[i].k == TY_RESULT)
                return ty_result(resolve_type(t->list.items[0]), resolve_type(t->list.items[1]));
            Type *elem = resolve_type(t->list.items[0]);
            if (ty_res(elem)->kind == TY_REF && (generic[i].k == TY_VEC || generic[i].k == TY_BOX))
                error_at(t->pos, "E0403", "a reference cannot be stored in a collection (references are second-class)");
            return ty_wrap(generic[i].k, elem);
        }
    int hk = handle_find(t->name);
    if (hk >= 0 && !map_get(&types_map, t->name)) {
        if (t->list.len)
            error_at(t->pos, "E0300", "type `%s` takes no type arguments", t->name);
        return handle_type(hk);
    }
    if (!strcmp(t->name, "Self") && cur_fn && cur_fn->owner) {
        void *d = map_get(&types_map, cur_fn->owner);
        if (d)
            return ((StructDef *)d)->ty;
    }
    void *d = map_get(&types_map, t->name);
    if (!d) {
        const char *cands[512];
        int n = 0;
        for (int i = 0; i < prog->structs.len && n < 250; i++)
            cands[n++] = ((StructDef *)prog->structs.items[i])->name;
        for (int i = 0; i < prog->enums.len && n < 500; i++)
            cands[n++] = ((EnumDef *)prog->enums.items[i])->name;
        static const char *builtin[] = {"i32", "i64", "u8", "usize", "f64", "bool", "string", "Vec",
                                        "Option", "Result", "Box"};
        for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
            cands[n++] = builtin[i];
        const char *best = did_you_mean(t->name, cands, n);
        if (best)
            diag_help("did you mean `%s`?", best);
        error_at(t->pos, "E0200", "cannot find type `%s` in this scope", t->name);
    }
    if (t->list.len)
        error_at(t->pos, "E0300", "type `%s` takes no type arguments (generic user types are later work)",
                 t->name);
    return ((StructDef *)d)->ty;
}

/* The type of a binding whose `let` failed to check (a fresh variable,
 * after an error was reported): uses of it stay silent, no follow-on
 * errors. */
static bool poisoned(Type *t) {
    t = ty_res(t);
    return t->kind == TY_VAR && !t->int_var && diag_error_count() > 0;
}

/* A struct or enum type reached through references and boxes. */
static Type *deref_all(Type *t, int *nderef) {
    t = ty_res(t);
    int n = 0;
    while (t->kind == TY_REF || t->kind == TY_BOX || t->kind == TY_GUARD) {
        t = ty_res(t->elem);
        n++;
    }
    if (nderef)
        *nderef = n;
    return t;
}

/* ---- places and mutability ---- */

/* The local at the root of a place expression, or NULL. `through_ref` is
 * set when the path goes through a reference or a Box. */
static Sym *place_root(Node *e, Type **via_ref) {
    for (;;) {
        switch (e->kind) {
        case N_IDENT:
            return e->res == R_LOCAL ? e->sym : NULL;
        case N_FIELD:
        case N_INDEX: {
            Type *t = ty_res(e->a->ty);
            if (t && t->kind == TY_REF) {
                *via_ref = t;
                return NULL;
            }
            if (t && t->kind == TY_GUARD) {
                static Type guard_field = {.kind = TY_REF, .mut = true};
                *via_ref = &guard_field;
                return NULL;
            }
            e = e->a;
            break;
        }
        case N_DEREF: {
            Type *t = ty_res(e->a->ty);
            if (t && t->kind == TY_REF) {
                *via_ref = t;
                return NULL;
            }
            if (t && t->kind == TY_GUARD) { /* the locked value: writable */
                static Type guard_access = {.kind = TY_REF, .mut = true};
                *via_ref = &guard_access;
                return NULL;
            }
            e = e->a;
            break;
        }
        default:
            return NULL;
        }
    }
}

static bool is_place(Node *e) {
    return e->kind == N_IDENT || e->kind == N_FIELD || e->kind == N_INDEX || e->kind == N_DEREF;
}

static void check_mutable(Node *place, const char *code, const char *what) {
    Type *via = NULL;
    Node *root = place;
    while (root->kind == N_FIELD || root->kind == N_INDEX)
        root = root->a;
    if (root->kind == N_IDENT && root->res == R_CONST) {
        if (!strcmp(code, "E0401"))
            error_at(place->pos, code, "cannot assign to constant `%s`", root->name);
        error_at(place->pos, code, "cannot borrow constant `%s` as mutable", root->name);
    }
    Sym *s = place_root(place, &via);
    if (s && ty_res(s->ty)->kind == TY_GUARD)
        return; /* a lock guard gives write access to the locked value */
    if (via) {
        if (!via->mut)
            error_at(place->pos, code, "cannot %s through a `&` reference (it is not `&T!`)", what);
        return;
    }
    if (s && !s->mut) {
        Type *st = ty_res(s->ty);
        if (st->kind == TY_REF && st->mut)
            return;
        diag_note(s->pos, "`%s` is declared here", s->name);
        diag_help("make the binding mutable: `let! %s`", s->name);
        if (!strcmp(code, "E0401"))
            error_at(place->pos, code, "cannot assign twice to immutable binding `%s`", s->name);
        error_at(place->pos, code, "cannot borrow immutable binding `%s` as mutable", s->name);
    }
}

/* ---- calls ---- */

static void check_args(Node *call, Fn *fn, int skip) {
    int want = fn->params.len - skip;
    int got = call->list.len;
    if (got != want && !(fn->is_variadic && got >= want))
        error_at(call->pos, "E0301", "this function takes %d argument%s but %d %s supplied", want,
                 want == 1 ? "" : "s", got, got == 1 ? "was" : "were");
    for (int i = 0; i < got; i++) {
        Node *a = call->list.items[i];
        if (i < want) {
            Type *pt = fn->ptypes[i + skip];
            Type *at = check_expr(a, pt);
            Type *pr = ty_res(pt), *ar = ty_res(at);
            if (pr->kind == TY_REF && ar->kind == TY_REF && ty_res(ar->elem)->kind == TY_BOX &&
                ty_res(pr->elem)->kind != TY_BOX && ty_unify(pr->elem, ty_res(ar->elem)->elem)) {
                /* deref coercion: a `&Box<T>` lends `&T` (`&b` becomes `&*b`, a reference r `&**r`) */
                Node *inner = a->kind == N_REF ? a->a : a;
                Node *d = arena_alloc(sizeof(Node));
                d->kind = N_DEREF;
                d->pos = inner->pos;
                d->a = inner;
                d->ty = ty_res(inner->ty)->kind == TY_REF ? ty_res(inner->ty)->elem : inner->ty;
                if (a->kind != N_REF) {
                    Node *d2 = arena_alloc(sizeof(Node));
                    *d2 = *d;
                    d2->a = d;
                    d = d2;
                }
                d->ty = ty_res(ar->elem)->elem;
                if (a->kind == N_REF) {
                    a->a = d;
                } else {
                    Node *r = arena_alloc(sizeof(Node));
                    r->kind = N_REF;
                    r->pos = a->pos;
                    r->a = d;
                    r->mut = ar->mut && pr->mut;
                    call->list.items[i] = a = r;
                }
                at = ty_wrap(TY_REF, d->ty);
                at->mut = ar->mut && pr->mut;
                a->ty = at;
            }
            expect_type(a, pt, at);
        } else {
            check_expr(a, NULL);
        }
    }
}

static Vec *methods_of(const char *owner, const char *name) {
    return map_get(&methods_map, arena_printf("%s.%s", owner, name));
}

static const char *type_name_of(Type *t) {
    t = ty_res(t);
    if (t->kind == TY_STRUCT)
        return t->sd->name;
    if (t->kind == TY_ENUM)
        return t->ed->name;
    if (t->kind == TY_HANDLE)
        return handles[t->handle].name;
    return NULL;
}

static Type *opt_of(Type *t) { return ty_wrap(TY_OPTION, t); }

/* Does a value of type t hold a value of kind k (a Task, which is joined
 * once, or a std resource, which owns a socket: neither is cloned)? */
static bool holds_kind(Type *t, TyKind k, int depth) {
    t = ty_res(t);
    if (depth > 64)
        return false;
    if (t->kind == k)
        return true;
    switch (t->kind) {
    case TY_VEC: case TY_OPTION: case TY_ARRAY: case TY_BOX: return holds_kind(t->elem, k, depth + 1);
    case TY_RESULT: return holds_kind(t->elem, k, depth + 1) || holds_kind(t->err, k, depth + 1);
    case TY_TUPLE:
        for (int i = 0; i < t->nelems; i++)
            if (holds_kind(t->elems[i], k, depth + 1))
                return true;
        return false;
    case TY_STRUCT:
        for (int i = 0; i < t->sd->fields.len; i++)
            if (holds_kind(((Field *)t->sd->fields.items[i])->ty, k, depth + 1))
                return true;
        return false;
    case TY_ENUM:
        for (int i = 0; i < t->ed->variants.len; i++) {
            Variant *v = t->ed->variants.items[i];
            for (int j = 0; j < v->ntys; j++)
                if (holds_kind(v->tys[j], k, depth + 1))
                    return true;
        }
        return false;
    default: return false;
    }
}

/* An argument of a std row: `D` bytes (a string or a Vec<u8>, or a
 * reference to one), `t` a TcpStream (moved in), else the letter's type. */
static void check_byte_arg(Node *a, char k, Type *recv) {
    if (k == 'D') {
        Type *at = check_expr(a, NULL);
        Type *r = ty_res(at);
        if (r->kind == TY_REF)
            r = ty_res(r->elem);
        if (r->kind == TY_STR || (r->kind == TY_VEC && ty_unify(r->elem, ty_u8)))
            return;
        if (poisoned(at))
            return;
        error_at(a->pos, "E0300", "expected bytes (a `string` or a `Vec<u8>`), found `%s`", ty_str_of(at));
    }
    Type *pt = k == 't' ? handle_type(H_TCP_STREAM) : builtin_type(k, recv);
    expect_type(a, pt, check_expr(a, pt));
}

/* Built-in methods, typed from their row in builtins.c. Returns NULL
 * when the type has no such method. */
static Type *builtin_method(Node *call, Node *recv, Type *rt, const char *name) {
    int argc = call->list.len;
    Type *t = ty_res(rt);
    int row = builtin_find(t, name);
    if (row < 0)
        return NULL;
    const Builtin *b = &builtins[row];
    int n = (int)strlen(b->params);
    if (argc != n)
        error_at(call->pos, "E0301", "`%s` takes %d argument%s but %d %s supplied", name, n, n == 1 ? "" : "s", argc,
                 argc == 1 ? "was" : "were");
    if (!strcmp(name, "join") && t->kind == TY_VEC && !ty_unify(t->elem, ty_str))
        return NULL;
    if (!strcmp(name, "clone") && holds_kind(t, TY_HANDLE, 0)) {
        diag_help("a `%s` owns what it opened; pass it on (a move) or share the data it reads instead",
                  ty_str_of(t));
        error_at(call->pos, "E0302", "`%s` cannot be cloned: it holds a std resource (a socket or a connection)",
                 ty_str_of(t));
    }
    if (!strcmp(name, "clone") && holds_kind(t, TY_TASK, 0)) {
        diag_help("await the task once, or drop the handle to let it run on (detached)");
        error_at(call->pos, "E0302", "`%s` cannot be cloned: it holds a `Task`, which is joined once", ty_str_of(t));
    }
    if (!strcmp(name, "sort") && !ty_is_num(ty_res(t->elem)) && ty_res(t->elem)->kind != TY_STR)
        error_at(call->pos, "E0302", "`sort` sorts a Vec of numbers or strings, not `%s`", ty_str_of(t));
    for (int i = 0; i < n; i++) {
        Node *a = call->list.items[i];
        char k = b->params[i];
        if (k == 'i') {
            Type *it = check_expr(a, NULL);
            if (!ty_is_int(it))
                mismatch(a->pos, ty_usize, it);
        } else if (k == 'D' || k == 't') {
            check_byte_arg(a, k, t);
        } else if (k == 'E') {
            Type *at = check_expr(a, t->elem);
            Type *r = ty_res(at);
            if (r->kind == TY_REF)
                at = r->elem;
            expect_type(a, t->elem, at);
        } else {
            Type *pt = builtin_type(k, t);
            expect_type(a, pt, check_expr(a, pt));
        }
    }
    if (!strcmp(name, "push") && ty_res(t->elem)->kind == TY_REF)
        error_at(call->pos, "E0403", "a reference cannot be stored in a collection (references are second-class)");
    if (b->mutates)
        check_mutable(recv, "E0402", "borrow as mutable");
    call->builtin = row;
    return builtin_type(b->result, t);
}

static Fn *find_method(Type *t, const char *name, bool want_self) {
    const char *owner = type_name_of(t);
    if (!owner)
        return NULL;
    Vec *v = methods_of(owner, name);
    if (!v)
        return NULL;
    for (int i = 0; i < v->len; i++) {
        Fn *f = v->items[i];
        if (f->has_self == want_self)
            return f;
    }
    return NULL;
}

static _Noreturn void no_method(Node *at, Type *t, const char *name, const char *what) {
    const char *owner = type_name_of(t);
    if (!owner && !strcmp(what, "method")) {
        /* the built-in methods of t, from the table */
        const char *cands[256];
        int n = 0;
        for (int i = 0; builtins[i].name && n < 256; i++)
            if (builtins[i].recv != ':' && builtin_find(t, builtins[i].name) == i)
                cands[n++] = builtins[i].name;
        const char *best = did_you_mean(name, cands, n);
        if (best)
            diag_help("did you mean `%s`?", best);
    }
    if (owner) {
        const char *cands[256];
        int n = 0;
        for (int i = 0; i < prog->fns.len && n < 200; i++) {
            Fn *f = prog->fns.items[i];
            if (f->owner && !strcmp(f->owner, owner))
                cands[n++] = f->name;
        }
        if (t->kind == TY_STRUCT)
            for (int i = 0; i < t->sd->fields.len && n < 250; i++)
                cands[n++] = ((Field *)t->sd->fields.items[i])->name;
        const char *best = did_you_mean(name, cands, n);
        if (best)
            diag_help("did you mean `%s`?", best);
    }
    error_at(at->pos, "E0302", "no %s named `%s` found for type `%s`", what, name, ty_str_of(t));
}

/* A call `recv.name(args)` to a method. */
static Type *check_method_call(Node *call, Node *callee) {
    Node *recv = callee->a;
    const char *name = callee->name;
    Type *rt = check_expr(recv, NULL);
    int nd;
    Type *base = deref_all(rt, &nd);
    if (poisoned(base))
        return ty_var(0);
    Fn *m = find_method(base, name, true);
    call->name = name;
    if (m) {
        call->res = R_METHOD;
        call->fn = m;
        /* receiver adjustment: autoref 0 = pass the value, 1 = take its
         * address, 2 = pass the reference as is, 3 = load through it */
        Type *r0 = ty_res(rt);
        if (m->self_kind == 0)
            call->autoref = nd ? 3 : 0;
        else
            call->autoref = r0->kind == TY_REF ? 2 : 1;
        call->index = nd;
        if (m->self_kind == 2) {
            if (r0->kind == TY_REF && !r0->mut)
                error_at(recv->pos, "E0402", "cannot borrow `*%s` as mutable: it is behind a `&` reference",
                         recv->kind == N_IDENT ? recv->name : "value");
            if (r0->kind != TY_REF)
                check_mutable(recv, "E0402", "borrow as mutable");
        }
        if (call->autoref == 1 && !is_place(recv))
            call->autoref = 4; /* a temporary: materialise it first */
        check_args(call, m, 1);
        return m->rtype;
    }
    Type *bt = builtin_method(call, recv, base, name);
    if (bt) {
        call->res = R_BUILTIN_METHOD;
        call->index = nd;
        return bt;
    }
    if (base->kind == TY_STRUCT) {
        for (int i = 0; i < base->sd->fields.len; i++)
            if (!strcmp(((Field *)base->sd->fields.items[i])->name, name))
                error_at(callee->pos, "E0305", "`%s` is a field, not a method; it cannot be called", name);
    }
    if (find_method(base, name, false))
        error_at(callee->pos, "E0302", "`%s` is a static function of `%s`; call it as `%s.%s(...)`", name,
                 ty_str_of(base), ty_str_of(base), name);
    no_method(callee, base, name, "method");
}

/* Some(x) / Ok(x) / Err(e) */
static Type *check_wrapper_ctor(Node *call, const char *name, Type *expect) {
    Type *et = expect ? ty_res(expect) : NULL;
    if (call->list.len != 1)
        error_at(call->pos, "E0301", "`%s` takes 1 argument but %d were supplied", name, call->list.len);
    Node *a = call->list.items[0];
    call->res = R_VARIANT;
    call->name = name;
    if (!strcmp(name, "Some")) {
        Type *t = et && et->kind == TY_OPTION ? et : opt_of(ty_var(0));
        expect_type(a, t->elem, check_expr(a, t->elem));
        call->index = 1;
        call->aux = t;
        return t;
    }
    Type *t = et && et->kind == TY_RESULT ? et : ty_result(ty_var(0), ty_var(0));
    Type *slot = !strcmp(name, "Ok") ? t->elem : t->err;
    expect_type(a, slot, check_expr(a, slot));
    call->index = !strcmp(name, "Ok") ? 0 : 1;
    call->aux = t;
    return t;
}

/* net and http: the std modules whose functions are rows of builtins.c
 * (unless the program has a type of that name). */
static bool is_std_module(const char *name) {
    return (!strcmp(name, "net") || !strcmp(name, "http")) && !map_get(&types_map, name);
}

static bool is_type_name(Node *e) {
    if (e->kind != N_IDENT || lookup(e->name))
        return false;
    return map_get(&types_map, e->name) || !strcmp(e->name, "Vec") || !strcmp(e->name, "Box") ||
           !strcmp(e->name, "os") || !strcmp(e->name, "time") || !strcmp(e->name, "Option") ||
           !strcmp(e->name, "Result") || ((!strcmp(e->name, "Channel") || !strcmp(e->name, "Mutex")) &&
                                           !map_get(&types_map, e->name)) ||
           !strcmp(e->name, "string") || map_get(&std_aliases, e->name) ||
           is_std_module(e->name);
}

/* net.listen(addr), http.get(url), ...: a std function of a row of
 * builtins.c, its arguments typed from the row's parameter letters. */
static Type *check_std_row(Node *call, const char *tn, const char *name) {
    int row = builtin_find(NULL, arena_printf("%s.%s", tn, name));
    if (row < 0) {
        const char *cands[64];
        int n = 0;
        size_t tl = strlen(tn);
        for (int i = 0; builtins[i].name && n < 64; i++)
            if (builtins[i].recv == ':' && !strncmp(builtins[i].name, tn, tl) && builtins[i].name[tl] == '.')
                cands[n++] = builtins[i].name + tl + 1;
        const char *best = did_you_mean(name, cands, n);
        if (best)
            diag_help("did you mean `%s.%s`?", tn, best);
        error_at(call->pos, "E0200", "cannot find function `%s` in module `%s`", name, tn);
    }
    const Builtin *b = &builtins[row];
    int n = (int)strlen(b->params);
    if (call->list.len != n)
        error_at(call->pos, "E0301", "`%s` takes %d argument%s but %d %s supplied", b->name, n, n == 1 ? "" : "s",
                 call->list.len, call->list.len == 1 ? "was" : "were");
    for (int i = 0; i < n; i++)
        check_byte_arg(call->list.items[i], b->params[i], NULL);
    call->res = R_STATIC;
    call->builtin = row;
    return builtin_type(b->result, NULL);
}

/* `Type.name(args)`: a static function, an enum constructor or a std fn. */
static Type *check_static_call(Node *call, Node *callee, Type *expect) {
    if (!map_get(&types_map, callee->a->name) && map_get(&std_aliases, callee->a->name))
        callee->a->name = map_get(&std_aliases, callee->a->name); /* sys.args() -> os.args() */
    const char *tn = callee->a->name, *name = callee->name;
    call->name = name;
    call->sval = tn;
    Type *et = expect ? ty_res(expect) : NULL;
    if (!strcmp(tn, "Vec")) {
        if (!strcmp(name, "new") || !strcmp(name, "with_capacity")) {
            call->res = R_STATIC;
            for (int i = 0; i < call->list.len; i++)
                check_expr(call->list.items[i], ty_usize);
            if (call->list.len != (!strcmp(name, "new") ? 0 : 1))
                error_at(call->pos, "E0301", "wrong number of arguments to `Vec.%s`", name);
            return et && et->kind == TY_VEC ? et : ty_wrap(TY_VEC, ty_var(0));
        }
    } else if (!strcmp(tn, "Box")) {
        if (!strcmp(name, "new")) {
            call->res = R_STATIC;
            if (call->list.len != 1)
                error_at(call->pos, "E0301", "`Box.new` takes 1 argument but %d were supplied", call->list.len);
            Type *inner = et && et->kind == TY_BOX ? et->elem : NULL;
            Type *at = check_expr(call->list.items[0], inner);
            if (inner)
                expect_type(call->list.items[0], inner, at);
            return ty_wrap(TY_BOX, at);
        }
    } else if (!strcmp(tn, "os")) {
        call->res = R_STATIC;
        if (!strcmp(name, "args")) {
            if (call->list.len)
                error_at(call->pos, "E0301", "`os.args` takes no arguments");
            return ty_wrap(TY_VEC, ty_str);
        }
        if (!strcmp(name, "env")) {
            if (call->list.len != 1)
                error_at(call->pos, "E0301", "`os.env` takes 1 argument");
            expect_type(call->list.items[0], ty_str, check_expr(call->list.items[0], ty_str));
            return opt_of(ty_str);
        }
        if (!strcmp(name, "exit")) {
            if (call->list.len != 1)
                error_at(call->pos, "E0301", "`os.exit` takes 1 argument");
            expect_type(call->list.items[0], ty_i32, check_expr(call->list.items[0], ty_i32));
            return ty_never;
        }
    } else if (!strcmp(tn, "time")) {
        call->res = R_STATIC;
        if (!strcmp(name, "now_ns")) {
            if (call->list.len)
                error_at(call->pos, "E0301", "`time.now_ns` takes no arguments");
            return ty_i64;
        }
        if (!strcmp(name, "now_ms")) {
            if (call->list.len)
                error_at(call->pos, "E0301", "`time.now_ms` takes no arguments");
            return ty_i64;
        }
        if (!strcmp(name, "sleep")) {
            if (call->list.len != 1)
                error_at(call->pos, "E0301", "`time.sleep` takes 1 argument (milliseconds)");
            expect_type(call->list.items[0], ty_i64, check_expr(call->list.items[0], ty_i64));
            return ty_unit;
        }
    } else if (!strcmp(tn, "Mutex")) {
        if (!strcmp(name, "new")) {
            call->res = R_STATIC;
            if (call->list.len != 1)
                error_at(call->pos, "E0301", "`Mutex.new` takes 1 argument (the value it guards)");
            Type *inner = et && et->kind == TY_MUTEX ? et->elem : NULL;
            Type *at = check_expr(call->list.items[0], inner);
            if (inner)
                expect_type(call->list.items[0], inner, at);
            return ty_wrap(TY_MUTEX, at);
        }
    } else if (!strcmp(tn, "Channel")) {
        if (!strcmp(name, "new")) {
            call->res = R_STATIC;
            if (call->list.len != 1)
                error_at(call->pos, "E0301", "`Channel.new` takes 1 argument (the capacity; 0 = rendezvous)");
            expect_type(call->list.items[0], ty_usize, check_expr(call->list.items[0], ty_usize));
            return et && et->kind == TY_CHAN ? et : ty_wrap(TY_CHAN, ty_var(0));
        }
    } else if (!strcmp(tn, "string")) {
        if (!strcmp(name, "from_bytes")) {
            call->res = R_STATIC;
            if (call->list.len != 1)
                error_at(call->pos, "E0301", "`string.from_bytes` takes 1 argument (a `Vec<u8>`)");
            Type *vt = ty_wrap(TY_VEC, ty_u8);
            expect_type(call->list.items[0], vt, check_expr(call->list.items[0], vt));
            return ty_str;
        }
    } else if (!strcmp(tn, "Option") || !strcmp(tn, "Result")) {
        if (!strcmp(name, "Some") || !strcmp(name, "Ok") || !strcmp(name, "Err"))
            return check_wrapper_ctor(call, name, expect);
    } else if (is_std_module(tn)) {
        return check_std_row(call, tn, name);
    } else {
        EnumDef *ed = find_enum(tn);
        if (ed) {
            for (int i = 0; i < ed->variants.len; i++) {
                Variant *v = ed->variants.items[i];
                if (strcmp(v->name, name))
                    continue;
                call->res = R_VARIANT;
                call->index = i;
                call->aux = ed->ty;
                if (call->list.len != v->ntys)
                    error_at(call->pos, "E0301", "variant `%s.%s` has %d field%s but %d %s supplied", tn, name,
                             v->ntys, v->ntys == 1 ? "" : "s", call->list.len, call->list.len == 1 ? "was" : "were");
                for (int j = 0; j < v->ntys; j++) {
                    Node *a = call->list.items[j];
                    expect_type(a, v->tys[j], check_expr(a, v->tys[j]));
                }
                return ed->ty;
            }
        }
        void *d = map_get(&types_map, tn);
        if (d) {
            Type *t = ((StructDef *)d)->ty;
            Vec *ms = methods_of(tn, name);
            if (ms) {
                Fn *f = NULL;
                for (int i = 0; i < ms->len; i++) {
                    Fn *g = ms->items[i];
                    if (g->has_self)
                        continue;
                    if (!f)
                        f = g;
                    else if (call->list.len == 1 && g->params.len == 1) {
                        /* overloaded from(): pick by argument type */
                        Type *at = check_expr(call->list.items[0], NULL);
                        for (int k = 0; k < ms->len; k++) {
                            Fn *h = ms->items[k];
                            if (!h->has_self && h->params.len == 1 && ty_unify(h->ptypes[0], at)) {
                                f = h;
                                break;
                            }
                        }
                        break;
                    }
                }
                if (!f) {
                    /* T.method(x, ...) with self: the UFCS spelling */
                    f = ms->items[0];
                    call->res = R_FN;
                    call->fn = f;
                    check_args(call, f, 0);
                    return f->rtype;
                }
                call->res = R_STATIC;
                call->fn = f;
                check_args(call, f, 0);
                return f->rtype;
            }
            if (ed) {
                const char *cands[256];
                int n = 0;
                for (int i = 0; i < ed->variants.len && n < 200; i++)
                    cands[n++] = ((Variant *)ed->variants.items[i])->name;
                const char *best = did_you_mean(name, cands, n);
                if (best)
                    diag_help("did you mean `%s`?", best);
                error_at(callee->pos, "E0200", "no variant or function named `%s` in enum `%s`", name, ed->name);
            }
            no_method(callee, t, name, "function");
        }
    }
    error_at(callee->pos, "E0200", "cannot find function `%s.%s`", tn, name);
}

static bool no_user_fn(const char *name) { return !map_get(&fns_map, name) && !lookup(name); }

static Type *check_intrinsic(Node *e, Type *expect);
static void mark_break(void);

static Type *check_call(Node *e, Type *expect) {
    Node *callee = e->a;
    if (callee->kind == N_IDENT) {
        const char *name = callee->name;
        Sym *s = lookup(name);
        if (s)
            error_at(callee->pos, "E0305", "`%s` is a local variable of type `%s`, not a function", name,
                     ty_str_of(s->ty));
        Fn *f = map_get(&fns_map, name);
        if (f) {
            e->res = f->is_extern ? R_EXTERN : R_FN;
            e->fn = f;
            callee->res = R_FN;
            check_args(e, f, 0);
            return f->rtype;
        }
        if (!strcmp(name, "Some") || !strcmp(name, "Ok") || !strcmp(name, "Err"))
            return check_wrapper_ctor(e, name, expect);
        const char *mod = map_get(&std_names, name);
        if (mod) { /* env(x) after `import { env } from "os"`: os.env(x) */
            Node *m = arena_alloc(sizeof(Node));
            *m = *callee;
            m->name = mod;
            callee->kind = N_FIELD;
            callee->a = m;
            return check_static_call(e, callee, expect);
        }
        static const char *aliases[] = {"println", "print", "eprintln", "eprint", "panic", "assert",
                                        "assert_eq", NULL};
        for (int i = 0; aliases[i]; i++)
            if (!strcmp(name, aliases[i]) && no_user_fn(name)) {
                e->kind = N_INTRINSIC;
                e->name = arena_printf("$%s", name);
                e->a = NULL;
                return check_intrinsic(e, expect);
            }
        /* a variant of an enum, called without its enum: Circle(1.0) */
        Type *et = expect ? ty_res(expect) : NULL;
        if (et && et->kind == TY_ENUM) {
            for (int i = 0; i < et->ed->variants.len; i++) {
                Variant *v = et->ed->variants.items[i];
                if (!strcmp(v->name, name)) {
                    Node *id = arena_alloc(sizeof(Node));
                    *id = *callee;
                    id->name = et->ed->name;
                    callee->kind = N_FIELD;
                    callee->a = id;
                    callee->name = name;
                    return check_static_call(e, callee, expect);
                }
            }
        }
        if (map_get(&types_map, name))
            error_at(callee->pos, "E0305", "`%s` is a type, not a function; write `%s { ... }` or `%s.new(...)`",
                     name, name, name);
        unknown_name(callee->pos, "function", name);
    }
    if (callee->kind == N_FIELD && !callee->tuple_field && callee->a->kind == N_IDENT && !lookup(callee->a->name) &&
        map_get(&import_aliases, callee->a->name)) {
        /* ns.f(args) through `import * as ns`: the free function f */
        Fn *f = map_get(&fns_map, callee->name);
        if (!f || f->pos.file != map_get(&import_aliases, callee->a->name))
            error_at(callee->pos, "E0200", "cannot find function `%s` in module `%s`", callee->name, callee->a->name);
        e->res = f->is_extern ? R_EXTERN : R_FN;
        e->fn = f;
        check_args(e, f, 0);
        return f->rtype;
    }
    if (callee->kind == N_FIELD && !callee->tuple_field) {
        if (is_type_name(callee->a))
            return check_static_call(e, callee, expect);
        return check_method_call(e, callee);
    }
    Type *t = check_expr(callee, NULL);
    error_at(e->pos, "E0305", "expected a function, found a value of type `%s`", ty_str_of(t));
}

/* ---- intrinsics ---- */

/* The digits at *s as a width or precision (at most 65535, as Rust). */
static const char *spec_count(const char **s, int *out) {
    long v = 0;
    while (**s >= '0' && **s <= '9') {
        v = v * 10 + (**s - '0');
        if (v > 65535)
            return "a width or precision is at most 65535";
        (*s)++;
    }
    *out = (int)v;
    return NULL;
}

const char *fmt_spec_parse(const char *spec, FmtSpec *sp) {
    *sp = (FmtSpec){' ', 0, 0, false, false, false, -1, -1};
    if (!*spec)
        return NULL;
    const char *s = spec + 1; /* after the ':' */
    /* a fill character is any character followed by an alignment */
    int clen = 1;
    unsigned char c0 = (unsigned char)s[0];
    if (c0 >= 0xC0)
        clen = c0 >= 0xF0 ? 4 : c0 >= 0xE0 ? 3 : 2;
    for (int i = 1; i < clen; i++)
        if (!s[i])
            clen = 1;
    if (s[0] && strchr("<^>", s[clen]) && s[clen]) {
        uint32_t cp = clen == 1 ? c0 : c0 & (0xFF >> (clen + 1));
        for (int i = 1; i < clen; i++)
            cp = cp << 6 | ((unsigned char)s[i] & 0x3F);
        sp->fill = cp;
        s += clen;
    }
    if (*s && strchr("<^>", *s))
        sp->align = *s++;
    if (*s == '+' || *s == '-')
        sp->plus = *s++ == '+';
    if (*s == '#') {
        sp->alt = true;
        s++;
    }
    if (*s == '0') {
        sp->zero = true;
        s++;
    }
    const char *err;
    if (*s >= '0' && *s <= '9' && (err = spec_count(&s, &sp->width)))
        return err;
    if (*s == '$' || *s == '*')
        return "widths and precisions taken from arguments are not supported";
    if (*s == '.') {
        s++;
        if (*s == '*')
            return "widths and precisions taken from arguments are not supported";
        if (*s < '0' || *s > '9')
            return "expected the digits of a precision after `.`";
        if ((err = spec_count(&s, &sp->prec)))
            return err;
    }
    if (*s && strchr("?xXob", *s) && !s[1])
        sp->type = *s++;
    if (*s == 'e' || *s == 'E')
        return "`e` (exponent form) is not supported";
    if (*s)
        return "expected `[[fill]align][+][#][0][width][.precision][?|x|X|o|b]`";
    if (sp->alt && (!sp->type || sp->type == '?'))
        return "`#` goes with `x`, `X`, `o` or `b` (the pretty `{:#?}` is not supported)";
    return NULL;
}

int fmt_spec_mode(const char *spec) {
    FmtSpec sp;
    fmt_spec_parse(spec ? spec : "", &sp);
    return sp.prec >= 0 ? sp.prec : sp.type == '?' ? -2 : -1;
}

const char *fmt_spec_apply(const char *spec, Type *t) {
    FmtSpec sp;
    if (!spec || fmt_spec_parse(spec, &sp) ||
        (sp.width < 0 && !sp.plus && (!sp.type || sp.type == '?')))
        return NULL;
    Type *b = ty_res(t);
    while (b->kind == TY_REF || b->kind == TY_BOX)
        b = ty_res(b->elem);
    int num = ty_is_float(b) ? 1 : ty_is_int(b) ? (ty_is_signed(b) ? -ty_int_bits(b) : ty_int_bits(b)) : 0;
    char type = sp.type == '?' ? 0 : sp.type;
    return arena_printf("vx_fmt_apply(&fb, fs_, &(vx_fmt_spec){%u, %d, %d, %d, %d, %d, %d, %d});", sp.fill,
                        sp.align, type, sp.plus, sp.alt, sp.zero, sp.width, num);
}

/* An argument formatted with spec: `{:x}` and its kin format integers. */
static void check_spec_arg(const char *spec, Node *arg, Type *t) {
    FmtSpec sp;
    if (fmt_spec_parse(spec ? spec : "", &sp) || !sp.type || sp.type == '?')
        return;
    Type *b = ty_res(t);
    while (b->kind == TY_REF || b->kind == TY_BOX)
        b = ty_res(b->elem);
    if (!ty_is_int(b))
        error_at(arg->pos, "E0300", "`{%s}` formats an integer, not a value of type `%s`", spec, ty_str_of(t));
}

static int count_placeholders(Node *fmt, Vec *specs) {
    const char *s = fmt->sval;
    int n = 0;
    for (int i = 0; i < fmt->slen; i++) {
        if (s[i] == '{' && i + 1 < fmt->slen && s[i + 1] == '{') {
            i++;
            continue;
        }
        if (s[i] == '}' && i + 1 < fmt->slen && s[i + 1] == '}') {
            i++;
            continue;
        }
        if (s[i] == '{') {
            int j = i + 1;
            while (j < fmt->slen && s[j] != '}')
                j++;
            if (j >= fmt->slen)
                error_at(fmt->pos, "E0101", "unterminated `{` in format string");
            const char *spec = arena_strndup(s + i + 1, (size_t)(j - i - 1));
            FmtSpec sp;
            const char *err = *spec != ':' && *spec
                                  ? "write `{}` or `{:SPEC}` (positional and named arguments are not supported)"
                                  : fmt_spec_parse(spec, &sp);
            if (err)
                error_at(fmt->pos, "E0101", "invalid format spec `{%s}`: %s", spec, err);
            if (specs)
                vec_push(specs, (void *)spec);
            n++;
            i = j;
        } else if (s[i] == '}') {
            error_at(fmt->pos, "E0101", "unmatched `}` in format string (write `}}`)");
        }
    }
    return n;
}

static Type *check_intrinsic(Node *e, Type *expect) {
    const char *n = e->name;
    int argc = e->list.len;
    if (e->bare)
        error_at(e->pos, "E0200", "`%s` is not a value", n);
    if (!strcmp(n, "$println") || !strcmp(n, "$print") || !strcmp(n, "$eprintln") || !strcmp(n, "$eprint")) {
        for (int i = 0; i < argc; i++) {
            Type *t = check_expr(e->list.items[i], NULL);
            if (ty_res(t)->kind == TY_UNIT && ((Node *)e->list.items[i])->kind != N_UNIT)
                error_at(((Node *)e->list.items[i])->pos, "E0300", "cannot print a value of type `()`");
        }
        Node *f0 = argc ? e->list.items[0] : NULL;
        if (f0 && f0->kind == N_STR && memchr(f0->sval, '{', (size_t)f0->slen)) {
            e->fmt_string = true; /* format mode */
            int want = count_placeholders(f0, &e->list2);
            if (want != argc - 1)
                error_at(e->pos, "E0301", "format string has %d placeholder%s but %d argument%s supplied", want,
                         want == 1 ? "" : "s", argc - 1, argc - 1 == 1 ? " was" : "s were");
            for (int i = 1; i < argc; i++) {
                Node *a = e->list.items[i];
                check_spec_arg(e->list2.items[i - 1], a, a->ty);
            }
        }
        return ty_unit;
    }
    if (!strcmp(n, "$panic")) {
        if (argc > 1) {
            Node *f0 = e->list.items[0];
            if (f0->kind != N_STR)
                error_at(e->pos, "E0301", "`$panic` takes one message");
            for (int i = 0; i < argc; i++)
                check_expr(e->list.items[i], NULL);
            e->fmt_string = true;
            if (count_placeholders(f0, &e->list2) != argc - 1)
                error_at(e->pos, "E0301", "format string placeholders do not match the arguments");
            return ty_never;
        }
        if (argc == 1)
            expect_type(e->list.items[0], ty_str, check_expr(e->list.items[0], ty_str));
        return ty_never;
    }
    if (!strcmp(n, "$assert")) {
        if (argc != 1 && argc != 2)
            error_at(e->pos, "E0301", "`$assert` takes 1 argument (and an optional message) but %d were supplied", argc);
        expect_type(e->list.items[0], ty_bool, check_expr(e->list.items[0], ty_bool));
        if (argc == 2)
            expect_type(e->list.items[1], ty_str, check_expr(e->list.items[1], ty_str));
        return ty_unit;
    }
    if (!strcmp(n, "$assert_eq") || !strcmp(n, "$assert_ne")) {
        if (argc != 2)
            error_at(e->pos, "E0301", "`%s` takes 2 arguments but %d were supplied", n, argc);
        Type *a = check_expr(e->list.items[0], NULL);
        Type *b = check_expr(e->list.items[1], a);
        expect_type(e->list.items[1], a, b);
        return ty_unit;
    }
    (void)expect;
    error_at(e->pos, "E0200", "cannot find intrinsic `%s`", n);
}

/* ---- operators ---- */

static bool is_comparable(Type *t) {
    t = ty_res(t);
    if (ty_is_num(t) || t->kind == TY_BOOL || t->kind == TY_STR || t->kind == TY_UNIT)
        return true;
    if (t->kind == TY_ENUM || t->kind == TY_STRUCT || t->kind == TY_OPTION || t->kind == TY_TUPLE ||
        t->kind == TY_RESULT || t->kind == TY_VEC || t->kind == TY_ARRAY || t->kind == TY_BOX)
        return true; /* structural equality, emitted per type */
    return t->kind == TY_VAR;
}

static Type *check_binary(Node *e, Type *expect) {
    const char *op = e->op;
    bool arith = !strcmp(op, "+") || !strcmp(op, "-") || !strcmp(op, "*") || !strcmp(op, "/") || !strcmp(op, "%");
    bool bits = !strcmp(op, "&") || !strcmp(op, "|") || !strcmp(op, "^");
    bool shift = !strcmp(op, "<<") || !strcmp(op, ">>");
    bool logic = !strcmp(op, "&&") || !strcmp(op, "||");
    if (logic) {
        expect_type(e->a, ty_bool, check_expr(e->a, ty_bool));
        expect_type(e->b, ty_bool, check_expr(e->b, ty_bool));
        return ty_bool;
    }
    Type *hint = (arith || bits) && expect && ty_is_num(expect) ? expect : NULL;
    Type *lt = check_expr(e->a, hint);
    Type *l = ty_res(lt);
    if (l->kind == TY_REF) { /* auto-deref for operators on &T */
        e->autoref |= 1;
        lt = l->elem;
        l = ty_res(lt);
    }
    if (shift) {
        Type *rt = check_expr(e->b, NULL);
        if (ty_res(rt)->kind == TY_REF) {
            e->autoref |= 2;
            rt = ty_res(rt)->elem;
        }
        if (!ty_is_int(l) || !ty_is_int(rt))
            error_at(e->pos, "E0303", "cannot apply `%s` to `%s` and `%s`", op, ty_str_of(lt), ty_str_of(rt));
        return lt;
    }
    Type *rt = check_expr(e->b, lt);
    if (ty_res(rt)->kind == TY_REF && l->kind != TY_REF) {
        e->autoref |= 2;
        rt = ty_res(rt)->elem;
    }
    if (!ty_unify(lt, rt))
        error_at(e->pos, "E0303", "cannot apply `%s` to `%s` and `%s`", op, ty_str_of(lt), ty_str_of(rt));
    l = ty_res(lt);
    if (arith) {
        if (!strcmp(op, "+") && l->kind == TY_STR)
            return ty_str;
        if (!ty_is_num(l))
            error_at(e->pos, "E0303", "cannot apply `%s` to `%s` and `%s`", op, ty_str_of(lt), ty_str_of(rt));
        return lt;
    }
    if (bits) {
        if (!ty_is_int(l) && l->kind != TY_BOOL)
            error_at(e->pos, "E0303", "cannot apply `%s` to `%s` and `%s`", op, ty_str_of(lt), ty_str_of(rt));
        return lt;
    }
    /* comparisons */
    bool order = strcmp(op, "==") && strcmp(op, "!=");
    if (order ? !(ty_is_num(l) || l->kind == TY_STR || l->kind == TY_BOOL || l->kind == TY_VAR)
              : !is_comparable(l))
        error_at(e->pos, "E0303", "cannot apply `%s` to `%s` and `%s`", op, ty_str_of(lt), ty_str_of(rt));
    return ty_bool;
}

/* ---- patterns ---- */

static Variant *enum_variant(EnumDef *ed, const char *name, int *idx) {
    for (int i = 0; i < ed->variants.len; i++) {
        Variant *v = ed->variants.items[i];
        if (!strcmp(v->name, name)) {
            *idx = i;
            return v;
        }
    }
    return NULL;
}

static void remap_sym(Node *p, Sym *from, Sym *to) {
    if (!p)
        return;
    if (p->kind == P_BIND && p->sym == from)
        p->sym = to;
    for (int i = 0; i < p->list.len; i++)
        remap_sym(p->list.items[i], from, to);
}

/* A value a binding copies even when matched through a reference. */
static bool scalar(Type *t) {
    t = ty_res(t);
    return ty_is_num(t) || t->kind == TY_BOOL || t->kind == TY_STR || t->kind == TY_REF || t->kind == TY_UNIT ||
           t->kind == TY_CPTR;
}

/* by_ref: 0, or matching through a reference: 1 `&T`, 2 `&T!`. A binding
 * takes a reference at its own type (`Some(r)` of an `Option<&T>`). */
static void check_pattern(Node *p, Type *t, int by_ref) {
    Type *r = ty_res(t);
    if (r->kind == TY_REF && p->kind != P_WILD && (p->kind != P_BIND || !strcmp(p->name, "None"))) {
        by_ref = by_ref == 1 ? 1 : r->mut ? 2 : 1;
        t = r->elem;
        r = ty_res(t);
    }
    p->ty = t;
    switch (p->kind) {
    case P_WILD:
        return;
    case P_BIND: {
        /* a bare name is a binding (docs/language.md: unit variants are
         * written qualified, `Dir.North`); only `None` is a variant */
        if (r->kind == TY_OPTION && !strcmp(p->name, "None")) {
            p->kind = P_VARIANT;
            check_pattern(p, t, by_ref);
            return;
        }
        if (!strcmp(p->name, "None") || !strcmp(p->name, "Some") || !strcmp(p->name, "Ok") ||
            !strcmp(p->name, "Err"))
            mismatch(p->pos, t, ty_res(t)); /* unreachable in practice; keeps names reserved */
        Type *bt = t;
        if (by_ref && !scalar(t)) {
            bt = ty_wrap(TY_REF, t);
            bt->mut = by_ref == 2;
            p->autoref = 1;
        }
        p->sym = declare(p->name, bt, false, p->pos);
        return;
    }
    case P_LIT: {
        Type *lt = check_expr(p->a, t);
        expect_type(p->a, t, lt);
        if (ty_res(t)->kind != TY_STR && !ty_is_num(t) && ty_res(t)->kind != TY_BOOL)
            error_at(p->pos, "E0300", "literal patterns need a number, bool or string, found `%s`", ty_str_of(t));
        return;
    }
    case P_RANGE:
        expect_type(p->a, t, check_expr(p->a, t));
        expect_type(p->b, t, check_expr(p->b, t));
        if (!ty_is_int(t))
            error_at(p->pos, "E0300", "range patterns need an integer, found `%s`", ty_str_of(t));
        return;
    case P_OR: {
        /* every alternative binds the same names; later alternatives
         * share the first one's symbols */
        int mark = scope.len;
        check_pattern(p->list.items[0], t, by_ref);
        int n0 = scope.len - mark;
        for (int i = 1; i < p->list.len; i++) {
            Node *alt = p->list.items[i];
            int m2 = scope.len;
            check_pattern(alt, t, by_ref);
            if (scope.len - m2 != n0)
                error_at(alt->pos, "E0300", "every alternative of an or-pattern must bind the same names");
            for (int j = m2; j < scope.len; j++) {
                Sym *sj = scope.items[j], *s0 = NULL;
                for (int k = mark; k < mark + n0; k++)
                    if (!strcmp(((Sym *)scope.items[k])->name, sj->name))
                        s0 = scope.items[k];
                if (!s0)
                    error_at(alt->pos, "E0300", "variable `%s` is not bound in every alternative", sj->name);
                if (!ty_unify(s0->ty, sj->ty))
                    error_at(alt->pos, "E0300", "mismatched types: `%s` has type `%s` in one alternative and `%s` in another",
                             sj->name, ty_str_of(s0->ty), ty_str_of(sj->ty));
                remap_sym(alt, sj, s0);
            }
            scope.len = m2;
        }
        return;
    }
    case P_TUPLE:
        if (r->kind == TY_UNIT && p->list.len == 0)
            return; /* `()` matches the unit value */
        if (r->kind != TY_TUPLE || r->nelems != p->list.len)
            error_at(p->pos, "E0300", "mismatched types: expected `%s`, found a tuple pattern of %d elements",
                     ty_str_of(t), p->list.len);
        for (int i = 0; i < p->list.len; i++)
            check_pattern(p->list.items[i], r->elems[i], by_ref);
        return;
    case P_VARIANT: {
        Type **ftys = NULL;
        int nf = 0;
        Type *one[1];
        if (r->kind == TY_OPTION && (!p->sval || !strcmp(p->sval, "Option")) &&
            (!strcmp(p->name, "Some") || !strcmp(p->name, "None"))) {
            p->index = !strcmp(p->name, "Some");
            if (p->index) {
                one[0] = r->elem;
                ftys = one;
                nf = 1;
            }
        } else if (r->kind == TY_RESULT && (!p->sval || !strcmp(p->sval, "Result")) &&
                   (!strcmp(p->name, "Ok") || !strcmp(p->name, "Err"))) {
            p->index = !strcmp(p->name, "Err");
            one[0] = p->index ? r->err : r->elem;
            ftys = one;
            nf = 1;
        } else if (r->kind == TY_ENUM && (!p->sval || !strcmp(p->sval, r->ed->name))) {
            int idx;
            Variant *v = enum_variant(r->ed, p->name, &idx);
            if (!v) {
                const char *cands[256];
                int n = 0;
                for (int i = 0; i < r->ed->variants.len && n < 256; i++)
                    cands[n++] = ((Variant *)r->ed->variants.items[i])->name;
                const char *best = did_you_mean(p->name, cands, n);
                if (best)
                    diag_help("did you mean `%s`?", best);
                error_at(p->pos, "E0200", "no variant named `%s` in enum `%s`", p->name, r->ed->name);
            }
            p->index = idx;
            ftys = v->tys;
            nf = v->ntys;
        } else if (p->sval && find_enum(p->sval) && r->kind != TY_ENUM) {
            mismatch(p->pos, t, find_enum(p->sval)->ty);
        } else if (r->kind == TY_ENUM && p->sval) {
            EnumDef *ed = find_enum(p->sval);
            if (!ed)
                error_at(p->pos, "E0200", "cannot find enum `%s` in this scope", p->sval);
            mismatch(p->pos, t, ed->ty);
        } else if (r->kind == TY_VAR) {
            error_at(p->pos, "E0300", "cannot infer the type matched by pattern `%s`", p->name);
        } else {
            error_at(p->pos, "E0300", "mismatched types: expected `%s`, found variant pattern `%s`",
                     ty_str_of(t), p->name);
        }
        if (p->list.len != nf && (p->paren_args || nf == 0 || p->list.len))
            error_at(p->pos, "E0301", "variant pattern `%s` has %d field%s but the pattern has %d", p->name, nf,
                     nf == 1 ? "" : "s", p->list.len);
        if (p->list.len != nf)
            error_at(p->pos, "E0301", "variant `%s` has %d field%s: write `%s(..)`", p->name, nf,
                     nf == 1 ? "" : "s", p->name);
        for (int i = 0; i < nf; i++)
            check_pattern(p->list.items[i], ftys[i], by_ref);
        return;
    }
    default:
        unreachable();
    }
}

/* ---- exhaustiveness (usefulness over a pattern matrix) ---- */

typedef struct Row {
    Node **p;
    int n;
} Row;

static bool irrefutable(Node *p) { return p->kind == P_WILD || p->kind == P_BIND; }

/* Constructors of a type: count, and arity/field types of each. */
static int ctor_count(Type *t) {
    t = ty_res(t);
    if (t->kind == TY_REF)
        t = ty_res(t->elem);
    switch (t->kind) {
    case TY_BOOL: return 2;
    case TY_OPTION: case TY_RESULT: return 2;
    case TY_ENUM: return t->ed->variants.len;
    case TY_TUPLE: return 1;
    case TY_UNIT: return 1;
    default: return 0; /* infinite (numbers, strings) or unmatchable */
    }
}

/* *out points at the field types (not copied: a variant or tuple may
 * have any number of them). */
static int ctor_fields(Type *t, int c, Type ***out) {
    t = ty_res(t);
    if (t->kind == TY_REF)
        t = ty_res(t->elem);
    static Type *none[1];
    *out = none; /* never NULL: callers memcpy from it */
    switch (t->kind) {
    case TY_OPTION:
        *out = &t->elem;
        return c == 1;
    case TY_RESULT:
        *out = c == 0 ? &t->elem : &t->err;
        return 1;
    case TY_ENUM: {
        Variant *v = t->ed->variants.items[c];
        *out = v->tys;
        return v->ntys;
    }
    case TY_TUPLE:
        if (t->elems)
            *out = t->elems;
        return t->nelems;
    default: return 0;
    }
}

/* Which constructor does pattern p (not wildcard) stand for? */
static int pat_ctor(Node *p) {
    if (p->kind == P_LIT && p->a->kind == N_BOOL)
        return (int)p->a->ival;
    if (p->kind == P_VARIANT)
        return p->index;
    if (p->kind == P_TUPLE)
        return 0;
    return -1; /* a literal of an infinite type */
}

static int budget;
static int ctor_only = -1; /* check_exhaustive: only this top constructor */

/* The printed form of constructor c of t applied to argument patterns. */
static const char *ctor_pattern(Type *t, int c, const char **args, int nargs) {
    t = ty_res(t);
    if (t->kind == TY_REF)
        t = ty_res(t->elem);
    Buf b = {0};
    switch (t->kind) {
    case TY_BOOL: buf_puts(&b, c ? "true" : "false"); break;
    case TY_OPTION: buf_puts(&b, c ? "Some" : "None"); break;
    case TY_RESULT: buf_puts(&b, c ? "Err" : "Ok"); break;
    case TY_ENUM: buf_printf(&b, "%s.%s", t->ed->name, ((Variant *)t->ed->variants.items[c])->name); break;
    case TY_UNIT: buf_puts(&b, "()"); break;
    default: break;
    }
    if (nargs || t->kind == TY_TUPLE) {
        buf_puts(&b, "(");
        for (int i = 0; i < nargs; i++)
            buf_printf(&b, "%s%s", i ? ", " : "", args[i]);
        buf_puts(&b, ")");
    }
    char *r = arena_strndup(b.data ? b.data : "", b.len);
    buf_free(&b);
    return r;
}

/* A vector of patterns (one per column) matched by no row, or NULL when
 * the rows are exhaustive: Maranget's usefulness with witnesses. */
static const char **missing(Row *rows, int nrows, Type **tys, int ncols) {
    if (--budget < 0)
        return NULL;
    if (ncols == 0)
        return nrows > 0 ? NULL : arena_alloc(sizeof(char *));
    int extra = 0;
    for (int i = 0; i < nrows; i++)
        if (rows[i].p[0]->kind == P_OR)
            extra += rows[i].p[0]->list.len;
    if (extra) {
        Row *nr = arena_alloc(sizeof(Row) * (size_t)(nrows + extra));
        int k = 0;
        for (int i = 0; i < nrows; i++) {
            Node *p0 = rows[i].p[0];
            if (p0->kind != P_OR) {
                nr[k++] = rows[i];
                continue;
            }
            for (int j = 0; j < p0->list.len; j++) {
                Node **ps = arena_alloc(sizeof(Node *) * (size_t)rows[i].n);
                memcpy(ps, rows[i].p, sizeof(Node *) * (size_t)rows[i].n);
                ps[0] = p0->list.items[j];
                nr[k].p = ps;
                nr[k].n = rows[i].n;
                k++;
            }
        }
        return missing(nr, k, tys, ncols);
    }
    int nc = ctor_count(tys[0]);
    if (nc == 0) {
        Row *nr = arena_alloc(sizeof(Row) * (size_t)(nrows + 1));
        int k = 0;
        for (int i = 0; i < nrows; i++)
            if (irrefutable(rows[i].p[0])) {
                nr[k].p = rows[i].p + 1;
                nr[k].n = rows[i].n - 1;
                k++;
            }
        const char **w = missing(nr, k, tys + 1, ncols - 1);
        if (!w)
            return NULL;
        const char **r = arena_alloc(sizeof(char *) * (size_t)(ncols + 1));
        r[0] = "_";
        memcpy(r + 1, w, sizeof(char *) * (size_t)(ncols - 1));
        return r;
    }
    int only = ctor_only;
    ctor_only = -1;
    for (int c = 0; c < nc; c++) {
        if (only >= 0 && c != only)
            continue;
        /* rows for the rows of constructor c only: check_exhaustive calls
         * this once per constructor, and N * nrows rows made an enum of
         * 20,000 variants take 6 GB */
        int nmatch = 0;
        for (int i = 0; i < nrows; i++)
            nmatch += irrefutable(rows[i].p[0]) || pat_ctor(rows[i].p[0]) == c;
        Row *nr = arena_alloc(sizeof(Row) * (size_t)(nmatch + 1));
        Type **ft;
        int nf = ctor_fields(tys[0], c, &ft);
        Type **ntys = arena_alloc(sizeof(Type *) * (size_t)(nf + ncols));
        memcpy(ntys, ft, sizeof(Type *) * (size_t)nf);
        memcpy(ntys + nf, tys + 1, sizeof(Type *) * (size_t)(ncols - 1));
        int k = 0;
        for (int i = 0; i < nrows; i++) {
            Node *p0 = rows[i].p[0];
            bool wild = irrefutable(p0);
            if (!wild && pat_ctor(p0) != c)
                continue;
            Node **ps = arena_alloc(sizeof(Node *) * (size_t)(nf + rows[i].n));
            for (int j = 0; j < nf; j++) {
                if (wild || j >= p0->list.len) {
                    static Node wildnode = {.kind = P_WILD};
                    ps[j] = &wildnode;
                } else {
                    ps[j] = p0->list.items[j];
                }
            }
            memcpy(ps + nf, rows[i].p + 1, sizeof(Node *) * (size_t)(rows[i].n - 1));
            nr[k].p = ps;
            nr[k].n = nf + rows[i].n - 1;
            k++;
        }
        const char **w = missing(nr, k, ntys, nf + ncols - 1);
        if (w) {
            const char **r = arena_alloc(sizeof(char *) * (size_t)(ncols + 1));
            r[0] = ctor_pattern(tys[0], c, w, nf);
            memcpy(r + 1, w + nf, sizeof(char *) * (size_t)(ncols - 1));
            return r;
        }
    }
    return NULL;
}

/* Does pattern p match every value of type t (a `let` pattern must)? The
 * usefulness search of `missing` with a fresh budget: a budget spent by an
 * earlier match must not make a refutable pattern pass. */
static bool irrefutable_for(Node *p, Type *t) {
    budget = 100000;
    ctor_only = -1;
    return missing(&(Row){&p, 1}, 1, &t, 1) == NULL;
}

static void check_exhaustive(Node *m, Type *t) {
    Vec arms = {0};
    for (int i = 0; i < m->list.len; i++) {
        Node *arm = m->list.items[i];
        if (!arm->b)
            vec_push(&arms, arm->a);
    }
    Row *rows = arena_alloc(sizeof(Row) * (size_t)(arms.len + 1));
    for (int i = 0; i < arms.len; i++) {
        rows[i].p = (Node **)&arms.items[i];
        rows[i].n = 1;
    }
    Type *tys[1] = {t};
    budget = 100000;
    const char **w = missing(rows, arms.len, tys, 1);
    if (!w)
        return;
    /* name one missing pattern per missing top-level constructor */
    Buf b = {0};
    int nc = ctor_count(t), nmiss = 0;
    for (int c = 0; c < nc; c++) {
        budget = 100000;
        ctor_only = c;
        const char **wc = missing(rows, arms.len, tys, 1);
        ctor_only = -1;
        if (wc) {
            buf_printf(&b, "%s`%s`", nmiss ? ", " : "", wc[0]);
            nmiss++;
        }
    }
    if (!nmiss)
        buf_printf(&b, "`%s`", w[0]);
    char *msg = arena_strndup(b.data, b.len);
    buf_free(&b);
    diag_help("add arms for the missing patterns, or a `_ =>` arm");
    error_at(m->pos, "E0500", "non-exhaustive patterns: %s not covered", msg);
}

/* ---- expressions ---- */

static Type *check_field(Node *e) {
    if (is_type_name(e->a)) {
        /* Enum.Variant without arguments */
        EnumDef *ed = find_enum(e->a->name);
        if (ed) {
            int idx;
            Variant *v = enum_variant(ed, e->name, &idx);
            if (v) {
                if (v->ntys)
                    error_at(e->pos, "E0301", "variant `%s.%s` has %d field%s: write `%s.%s(...)`", ed->name,
                             v->name, v->ntys, v->ntys == 1 ? "" : "s", ed->name, v->name);
                e->res = R_VARIANT;
                e->index = idx;
                e->aux = ed->ty;
                return ed->ty;
            }
            no_method(e, ed->ty, e->name, "variant");
        }
        error_at(e->pos, "E0200", "cannot find `%s.%s`; call functions with `()`", e->a->name, e->name);
    }
    Type *t = check_expr(e->a, NULL);
    int nd;
    Type *b = deref_all(t, &nd);
    if (poisoned(b))
        return ty_var(0);
    e->index = 0;
    e->autoref = nd;
    if (e->tuple_field) { /* tuple.N */
        long idx = strtol(e->name, NULL, 10);
        if (b->kind != TY_TUPLE || idx >= b->nelems)
            error_at(e->pos, "E0302", "no field `%s` on type `%s`", e->name, ty_str_of(t));
        e->index = (int)idx;
        return b->elems[idx];
    }
    if (b->kind == TY_STRUCT) {
        for (int i = 0; i < b->sd->fields.len; i++) {
            Field *f = b->sd->fields.items[i];
            if (!strcmp(f->name, e->name)) {
                e->index = i;
                return f->ty;
            }
        }
        if (find_method(b, e->name, true))
            error_at(e->pos, "E0302", "`%s` is a method of `%s`: call it as `%s()`", e->name, b->sd->name, e->name);
    }
    no_method(e, b, e->name, "field");
}

static Type *check_index(Node *e) {
    Type *t = check_expr(e->a, NULL);
    int nd;
    Type *b = deref_all(t, &nd);
    if (poisoned(b))
        return ty_var(0);
    e->autoref = nd;
    Type *it = check_expr(e->b, ty_usize);
    if (ty_res(it)->kind == TY_REF)
        error_at(e->b->pos, "E0300", "an index must be an integer, found `%s`", ty_str_of(it));
    if (!ty_is_int(it))
        error_at(e->b->pos, "E0300", "mismatched types: expected an integer index, found `%s`", ty_str_of(it));
    if (b->kind == TY_VEC || b->kind == TY_ARRAY)
        return b->elem;
    error_at(e->pos, "E0303", "cannot index into a value of type `%s`", ty_str_of(t));
}

static bool block_diverges;
static Vec loop_stack; /* the enclosing loops, innermost last */

/* ---- async: await, go, and where async calls may appear ----
 * An async call (an async fn, or an async std function such as
 * time.sleep) must be awaited or spawned inside async code; from sync code
 * it runs to completion (block-on), which makes the calling fn blocking,
 * and an async fn must not call a blocking fn (it would stall a worker). */
static Node *await_target, *go_target; /* the call an await/go applies to */
static Vec async_to_sync;             /* pairs (call Node*, callee Fn*) checked at the end */
static Vec go_fns;                    /* the fns made of `go { }` blocks */

static bool is_async_call(Node *e) {
    if (e->kind != N_CALL)
        return false;
    if ((e->res == R_FN || e->res == R_METHOD || (e->res == R_STATIC && e->fn)) && e->fn && e->fn->is_async)
        return true;
    if ((e->res == R_STATIC || e->res == R_BUILTIN_METHOD) && !e->fn && BUILTIN_ASYNC(e->builtin))
        return true;
    return e->res == R_STATIC && !e->fn && e->sval && !strcmp(e->sval, "time") && !strcmp(e->name, "sleep");
}

/* Is e the receiver, through a chain of method calls and fields, of the
 * expression an `await` applies to (`await net.listen(a).unwrap()`)? */
static bool in_await_chain(Node *e) {
    Node *n = await_target;
    for (int depth = 0; n && depth < 1000; depth++) {
        if (n == e)
            return depth > 0;
        if (n->kind == N_CALL && n->a && n->a->kind == N_FIELD)
            n = n->a->a;
        else if (n->kind == N_FIELD || n->kind == N_TRY)
            n = n->a;
        else
            return false;
    }
    return false;
}

/* The name of an async call, for diagnostics: `f`, `time.sleep`, `s.read`. */
static const char *async_call_name(Node *e) {
    if (e->fn)
        return e->fn->name;
    if (e->res == R_STATIC)
        return arena_printf("%s.%s", e->sval, e->name);
    Node *recv = e->a && e->a->kind == N_FIELD ? e->a->a : NULL; /* s.read(n): `s.read` */
    return arena_printf("%s.%s", recv && recv->kind == N_IDENT ? recv->name : "x", e->name);
}

static void check_async_call(Node *e) {
    if (!cur_fn)
        return;
    if (e->fn && !e->fn->is_async && !e->fn->is_extern && cur_fn->is_async) {
        vec_push(&async_to_sync, e);
        vec_push(&async_to_sync, e->fn);
    }
    if (!is_async_call(e) || e == await_target || e == go_target)
        return;
    const char *an = async_call_name(e);
    if (cur_fn->is_async && in_await_chain(e)) {
        /* `await f(x).unwrap()`: await takes the whole postfix chain */
        bool call = await_target->kind == N_CALL && await_target->a && await_target->a->kind == N_FIELD;
        diag_help("`await` applies to the whole chain after it; write `(await %s(...)).%s%s` to await the call first", an,
                  call ? await_target->a->name : "...", call ? (await_target->list.len ? "(...)" : "()") : "");
        error_at(e->pos, "E0605", "async call is neither awaited nor spawned: the `await` before it awaits the result of a method called on it");
    }
    if (cur_fn->is_async) {
        if (!e->fn) /* a std fn (time.sleep, net, http): awaited, never spawned */
            diag_help("write `await %s(...)` to wait for it", an);
        else
            diag_help("write `await %s(...)` to wait for it, or `go %s(...)` to run it as a task", an, an);
        error_at(e->pos, "E0605", "async call is neither awaited nor spawned");
    }
    cur_fn->blocking = true; /* sync code runs it to completion */
}

/* await e: an async call, `Box.new(async call)`, or a Task (join). */
static Type *check_await(Node *e) {
    if (!cur_fn || !cur_fn->is_async) {
        diag_help("make the enclosing function `async fn`, or call the async function without `await` to run it to completion");
        error_at(e->pos, "E0608", "`await` outside an async fn");
    }
    Node *a = e->a;
    if (a->kind == N_CALL && a->a->kind == N_FIELD && a->a->a->kind == N_IDENT && !strcmp(a->a->a->name, "Box") &&
        !strcmp(a->a->name, "new") && a->list.len == 1 && !lookup("Box")) {
        /* await Box.new(f(x)): the callee's frame on the heap */
        Node *inner = a->list.items[0];
        Node *save = await_target;
        await_target = inner;
        Type *t = check_expr(inner, NULL);
        await_target = save;
        if (!is_async_call(inner))
            error_at(inner->pos, "E0300", "`await Box.new(...)` takes a call of an async fn");
        e->await_kind = 3;
        e->b = inner;
        return t;
    }
    Node *save = await_target;
    await_target = a;
    Type *t = check_expr(a, NULL);
    await_target = save;
    if (is_async_call(a)) {
        e->await_kind = a->fn ? 0 : BUILTIN_ASYNC(a->builtin) ? 4 : 2; /* an async fn; a std op; time.sleep */
        return t;
    }
    Type *r = ty_res(t);
    if (r->kind == TY_TASK) {
        e->await_kind = 1;
        return r->elem;
    }
    if (poisoned(t))
        return ty_var(0); /* an earlier error: no follow-on */
    error_at(a->pos, "E0300", "`await` needs a call of an async fn or a `Task`, found `%s`", ty_str_of(t));
}

static void collect_captures(Node *n, int before, Vec *out) {
    if (!n)
        return;
    if (n->kind == N_IDENT && n->res == R_LOCAL && n->sym && n->sym->id <= before) {
        for (int i = 0; i < out->len; i++)
            if (out->items[i] == n->sym)
                return;
        vec_push(out, n->sym);
        return;
    }
    collect_captures(n->a, before, out);
    collect_captures(n->b, before, out);
    collect_captures(n->c, before, out);
    for (int i = 0; i < n->list.len; i++)
        collect_captures(n->list.items[i], before, out);
}

/* go f(args) / go { block }: a Task<T>. A block becomes an async fn whose
 * parameters are the variables it captures (by value). */
static Type *check_go(Node *e) {
    if (e->a) {
        Node *save = go_target;
        go_target = e->a;
        Type *t = check_expr(e->a, NULL);
        go_target = save;
        if (!is_async_call(e->a) || !e->a->fn)
            error_at(e->a->pos, "E0300", "`go` spawns a call of an async fn (write `go { ... }` for a block)");
        for (int i = 0; i < e->a->list.len; i++) {
            Node *arg = e->a->list.items[i];
            if (ty_holds_ref(arg->ty))
                error_at(arg->pos, "E0607", "`go` must not pass a reference (`%s`): the task may outlive what it points to",
                         ty_str_of(arg->ty));
        }
        return ty_wrap(TY_TASK, t);
    }
    Fn *gf = arena_alloc(sizeof(Fn));
    gf->name = arena_printf("go_%d_%d", e->pos.line, e->pos.col);
    gf->cname = arena_printf("vx_go_%d_%d_%d", e->pos.line, e->pos.col, go_fns.len);
    gf->pos = e->pos;
    gf->is_async = true;
    gf->body = e->b;
    Fn *outer = cur_fn;
    int before = sym_counter;
    int save_loops = loop_depth;
    Vec save_stack = loop_stack;
    memset(&loop_stack, 0, sizeof loop_stack);
    loop_depth = 0;
    cur_fn = gf;
    /* the task's result: what a `return` in the block gives, and the block's value */
    gf->rtype = ty_var(0);
    bool save_div = block_diverges;
    block_diverges = false;
    Type *t = check_block(e->b, NULL);
    block_diverges = save_div;
    cur_fn = outer;
    loop_depth = save_loops;
    loop_stack = save_stack;
    if (ty_res(t)->kind != TY_NEVER && !ty_unify(gf->rtype, t))
        error_at(e->b->pos, "E0300", "mismatched types: the block's value is `%s`, but a `return` in it gives `%s`",
                 ty_str_of(t), ty_str_of(gf->rtype));
    if (ty_res(gf->rtype)->kind == TY_VAR)
        ty_unify(gf->rtype, ty_unit); /* never returns a value: a Task<()> */
    collect_captures(e->b, before, &gf->captures);
    for (int i = 0; i < gf->captures.len; i++) {
        Sym *s = gf->captures.items[i];
        if (ty_holds_ref(s->ty))
            error_at(e->pos, "E0607", "`go { }` must not capture `%s`, which holds a reference (`%s`): the task may outlive what it points to",
                     s->name, ty_str_of(s->ty));
        Node *id = arena_alloc(sizeof(Node));
        id->kind = N_IDENT;
        id->pos = e->pos;
        id->name = s->name;
        id->res = R_LOCAL;
        id->sym = s;
        id->ty = s->ty;
        vec_push(&e->list, id); /* the captures, moved into the task (own.c) */
    }
    e->go_fn = gf;
    vec_push(&go_fns, gf);
    vec_push(&outer->locals, NULL); /* marks: zonk the go fns with this fn */
    outer->locals.len--;
    return ty_wrap(TY_TASK, gf->rtype);
}

static Type *check_expr_inner(Node *e, Type *expect) {
    switch (e->kind) {
    case N_INT: {
        if (e->suffix) {
            Node tn = {.kind = T_NAME, .name = e->suffix, .pos = e->pos};
            return resolve_type(&tn);
        }
        if (expect && ty_is_int(expect))
            return expect;
        if (expect && ty_is_float(ty_res(expect)) && ty_res(expect)->kind != TY_VAR)
            return ty_var(1); /* report as a mismatch at the use */
        return ty_var(1);
    }
    case N_FLOAT:
        if (e->suffix)
            return !strcmp(e->suffix, "f32") ? ty_prim[TY_F32] : ty_f64;
        if (expect && ty_is_float(expect))
            return expect;
        return ty_var(2);
    case N_STR:
        return ty_str;
    case N_FSTR:
        for (int i = 0; i < e->list.len; i++)
            if (e->list2.items[i]) {
                Node *x = e->list.items[i];
                check_expr(x, NULL);
                const char *spec = e->list2.items[i];
                FmtSpec sp;
                const char *err = fmt_spec_parse(spec, &sp);
                if (err)
                    error_at(x->pos, "E0101", "invalid format spec `{%s}`: %s", spec, err);
                check_spec_arg(spec, x, x->ty);
            }
        return ty_str;
    case N_BOOL:
        return ty_bool;
    case N_UNIT:
        return ty_unit;
    case N_IDENT: {
        Sym *s = lookup(e->name);
        if (s) {
            e->res = R_LOCAL;
            e->sym = s;
            return s->ty;
        }
        Node *c = map_get(&consts_map, e->name);
        if (c) {
            e->res = R_CONST;
            if (!c->ty)
                check_const(c, e);
            e->aux = c->ty;
            return c->ty;
        }
        if (!strcmp(e->name, "None")) {
            e->res = R_VARIANT;
            Type *et = expect ? ty_res(expect) : NULL;
            Type *t = et && et->kind == TY_OPTION ? et : opt_of(ty_var(0));
            e->aux = t;
            e->index = 0;
            return t;
        }
        Type *et = expect ? ty_res(expect) : NULL;
        if (et && et->kind == TY_ENUM) {
            int idx;
            Variant *v = enum_variant(et->ed, e->name, &idx);
            if (v && !v->ntys) {
                e->res = R_VARIANT;
                e->index = idx;
                e->aux = et;
                return et;
            }
        }
        if (map_get(&fns_map, e->name))
            error_at(e->pos, "E0305", "`%s` is a function; functions are not values (call it with `()`)", e->name);
        if (map_get(&types_map, e->name))
            error_at(e->pos, "E0200", "`%s` is a type, not a value", e->name);
        unknown_name(e->pos, "value", e->name);
    }
    case N_CALL: {
        Type *t = check_call(e, expect);
        check_async_call(e);
        return t;
    }
    case N_AWAIT:
        return check_await(e);
    case N_GO:
        return check_go(e);
    case N_INTRINSIC:
        return check_intrinsic(e, expect);
    case N_FIELD:
        if (!e->tuple_field && e->a->kind == N_IDENT && !strcmp(e->a->name, "Option") && !strcmp(e->name, "None") &&
            !lookup("Option") && !map_get(&types_map, "Option")) {
            e->kind = N_IDENT; /* Option.None is None */
            e->name = "None";
            e->a = NULL;
            return check_expr_inner(e, expect);
        }
        return check_field(e);
    case N_INDEX:
        return check_index(e);
    case N_UNARY: {
        if (!strcmp(e->op, "-") && e->a->kind == N_INT)
            e->a->negated = true; /* a negative literal: -128i8 is in range */
        Type *t = check_expr(e->a, expect);
        if (ty_res(t)->kind == TY_REF) {
            e->autoref = 1;
            t = ty_res(t)->elem;
        }
        if (!strcmp(e->op, "-")) {
            if (!ty_is_signed(t) && !ty_is_float(t))
                error_at(e->pos, "E0303", "cannot apply unary `-` to type `%s`", ty_str_of(t));
        } else if (ty_res(t)->kind != TY_BOOL && !ty_is_int(t)) {
            error_at(e->pos, "E0303", "cannot apply unary `!` to type `%s`", ty_str_of(t));
        }
        return t;
    }
    case N_DEREF: {
        Type *t = ty_res(check_expr(e->a, NULL));
        if (t->kind != TY_REF && t->kind != TY_BOX && t->kind != TY_GUARD)
            error_at(e->pos, "E0303", "type `%s` cannot be dereferenced", ty_str_of(t));
        return t->elem;
    }
    case N_REF: {
        Type *et = expect ? ty_res(expect) : NULL;
        Type *t = check_expr(e->a, et && et->kind == TY_REF ? et->elem : NULL);
        if (e->mut) {
            if (!is_place(e->a))
                error_at(e->pos, "E0402", "`&x!` needs a mutable binding, found a temporary value");
            check_mutable(e->a, "E0402", "borrow as mutable");
        }
        Type *r = ty_wrap(TY_REF, t);
        r->mut = e->mut;
        return r;
    }
    case N_BINARY:
        return check_binary(e, expect);
    case N_CAST: {
        Type *to = resolve_type(e->b);
        Type *from = check_expr(e->a, ty_is_num(to) ? NULL : to);
        if (!ty_is_num(from) || !ty_is_num(to)) /* docs/language.md: numeric types only */
            error_at(e->pos, "E0303", "cannot cast `%s` as `%s`", ty_str_of(from), ty_str_of(to));
        return to;
    }
    case N_IF: {
        expect_type(e->a, ty_bool, check_expr(e->a, ty_bool));
        Type *tt = check_block(e->b, e->c ? expect : NULL);
        if (!e->c)
            return ty_unit; /* the value of an if without else is discarded */
        Type *et = e->c->kind == N_IF ? check_expr(e->c, expect ? expect : tt) : check_block(e->c, expect ? expect : tt);
        if (ty_res(tt)->kind == TY_NEVER)
            return et;
        if (!ty_unify(tt, et)) {
            Node *at = e->c->kind == N_BLOCK && e->c->c ? e->c->c : e->c;
            error_at(at->pos, "E0300", "mismatched types: `if` and `else` have different types: expected `%s`, found `%s`",
                     ty_str_of(tt), ty_str_of(et));
        }
        return tt;
    }
    case N_WHILE: {
        expect_type(e->a, ty_bool, check_expr(e->a, ty_bool));
        loop_depth++;
        check_block(e->b, NULL); /* a loop body's value is discarded */
        loop_depth--;
        return ty_unit;
    }
    case N_LOOP: {
        loop_depth++;
        e->has_break = false;
        check_block(e->b, NULL);
        loop_depth--;
        return e->has_break ? ty_unit : ty_never;
    }
    case N_FOR: {
        Type *it;
        push_scope();
        if (e->a->kind == N_RANGE) {
            Type *lo = check_expr(e->a->a, NULL);
            Type *hi = check_expr(e->a->b, lo);
            if (!ty_unify(lo, hi) || !ty_is_int(lo))
                error_at(e->a->pos, "E0300", "mismatched types: range bounds must be integers of one type, found `%s` and `%s`",
                         ty_str_of(lo), ty_str_of(hi));
            e->a->ty = lo;
            it = lo;
        } else {
            Type *ct = check_expr(e->a, NULL);
            Type *c = ty_res(ct);
            bool by_ref = false;
            if (c->kind == TY_REF) {
                c = ty_res(c->elem);
                by_ref = true;
            }
            if (c->kind != TY_VEC && c->kind != TY_ARRAY && !(c->kind == TY_CHAN && !by_ref))
                error_at(e->a->pos, "E0300", "`for` cannot iterate over a value of type `%s`", ty_str_of(ct));
            it = c->elem;
            if (by_ref && !ty_is_copy(it)) {
                it = ty_wrap(TY_REF, it);
                e->autoref = 1;
            }
        }
        if (e->c && e->c->kind != P_BIND)
            check_pattern(e->c, it, false);
        else
            e->sym = declare(e->name, it, false, e->c ? e->c->pos : e->pos);
        loop_depth++;
        check_block(e->b, NULL);
        loop_depth--;
        pop_scope();
        return ty_unit;
    }
    case N_BLOCK:
        return check_block(e, expect);
    case N_MATCH: {
        Type *st = check_expr(e->a, NULL);
        Type *result = expect;
        Type *first = NULL;
        for (int i = 0; i < e->list.len; i++) {
            Node *arm = e->list.items[i];
            push_scope();
            check_pattern(arm->a, st, false);
            if (arm->b)
                expect_type(arm->b, ty_bool, check_expr(arm->b, ty_bool));
            Type *at = check_expr(arm->c, result);
            arm->ty = at;
            if (ty_res(at)->kind != TY_NEVER) {
                if (!first) {
                    first = at;
                    if (!result)
                        result = at;
                }
                if (!ty_unify(result, at))
                    error_at(arm->c->pos, "E0300", "mismatched types: match arms have different types: expected `%s`, found `%s`",
                             ty_str_of(result), ty_str_of(at));
            }
            pop_scope();
        }
        check_exhaustive(e, st);
        if (!first)
            return ty_never;
        return result;
    }
    case N_RETURN: {
        Type *rt = cur_fn->rtype;
        if (e->a) {
            Type *t = check_expr(e->a, rt);
            if (!ty_unify(rt, t))
                error_at(e->a->pos, "E0300", "mismatched types: expected `%s`, found `%s` (the function returns `%s`)",
                         ty_str_of(rt), ty_str_of(t), ty_str_of(rt));
        } else if (!ty_unify(rt, ty_unit)) {
            error_at(e->pos, "E0306", "`return` without a value in a function returning `%s`", ty_str_of(rt));
        }
        return ty_never;
    }
    case N_BREAK:
    case N_CONTINUE:
        if (!loop_depth)
            error_at(e->pos, "E0306", "`%s` outside of a loop", e->kind == N_BREAK ? "break" : "continue");
        if (e->kind == N_BREAK)
            mark_break();
        return ty_never;
    case N_TRY: {
        Type *t = ty_res(check_expr(e->a, NULL));
        Type *rt = ty_res(cur_fn->rtype);
        if (t->kind == TY_RESULT) {
            if (rt->kind != TY_RESULT) {
                diag_help("change the return type to `Result<%s, %s>`", ty_str_of(rt), ty_str_of(t->err));
                error_at(e->pos, "E0304", "the `?` operator can only be used on `Result` in a function that returns `Result` (this one returns `%s`)",
                         ty_str_of(rt));
            }
            if (!ty_unify(t->err, rt->err)) {
                Type *from = ty_res(t->err), *to = ty_res(rt->err);
                const char *tn = type_name_of(to);
                Vec *fs = tn ? methods_of(tn, "from") : NULL;
                for (int i = 0; fs && i < fs->len; i++) {
                    Fn *f = fs->items[i];
                    if (!f->has_self && f->params.len == 1 && ty_unify(f->ptypes[0], from) && ty_unify(f->rtype, to)) {
                        e->from_fn = f;
                        break;
                    }
                }
                if (!e->from_fn) {
                    diag_help("add `fn %s.from(e: %s): %s`", ty_str_of(to), ty_str_of(from), ty_str_of(to));
                    error_at(e->pos, "E0304", "`?` cannot convert error `%s` into `%s` (no `%s.from`)",
                             ty_str_of(from), ty_str_of(to), ty_str_of(to));
                }
            }
            return t->elem;
        }
        if (t->kind == TY_OPTION) {
            if (rt->kind != TY_OPTION)
                error_at(e->pos, "E0304", "the `?` operator can only be used on `Option` in a function that returns `Option` (this one returns `%s`)",
                         ty_str_of(rt));
            return t->elem;
        }
        error_at(e->pos, "E0304", "the `?` operator can only be applied to `Result` or `Option`, not `%s`", ty_str_of(t));
    }
    case N_STRUCTLIT: {
        StructDef *sd = find_struct(e->name);
        if (!sd) {
            if (find_enum(e->name))
                error_at(e->pos, "E0300", "`%s` is an enum, not a struct", e->name);
            unknown_name(e->pos, "struct", e->name);
        }
        int nf = sd->fields.len;
        Node **vals = arena_alloc(sizeof(Node *) * (size_t)(nf + 1));
        for (int i = 0; i < e->list.len; i++) {
            const char *fname = e->list2.items[i];
            Node *v = e->list.items[i];
            int k = -1;
            for (int j = 0; j < nf; j++)
                if (!strcmp(((Field *)sd->fields.items[j])->name, fname))
                    k = j;
            if (k < 0) {
                const char *cands[256];
                int n = 0;
                for (int j = 0; j < nf && n < 256; j++)
                    cands[n++] = ((Field *)sd->fields.items[j])->name;
                const char *best = did_you_mean(fname, cands, n);
                if (best)
                    diag_help("did you mean `%s`?", best);
                error_at(v->pos, "E0302", "struct `%s` has no field named `%s`", sd->name, fname);
            }
            if (vals[k])
                error_at(v->pos, "E0201", "field `%s` specified more than once", fname);
            vals[k] = v;
            Field *f = sd->fields.items[k];
            expect_type(v, f->ty, check_expr(v, f->ty));
        }
        for (int j = 0; j < nf; j++)
            if (!vals[j])
                error_at(e->pos, "E0302", "missing field `%s` in initializer of `%s`",
                         ((Field *)sd->fields.items[j])->name, sd->name);
        /* reorder into declaration order for the emitter; list2 keeps the
         * source position of each, so effects still happen left to right */
        Vec ordered = {0}, srcpos = {0};
        for (int j = 0; j < nf; j++) {
            vec_push(&ordered, vals[j]);
            for (int i = 0; i < e->list.len; i++)
                if (e->list.items[i] == vals[j])
                    vec_push(&srcpos, (void *)(intptr_t)i);
        }
        e->list = ordered;
        e->list2 = srcpos;
        return sd->ty;
    }
    case N_TUPLE: {
        Type *et = expect ? ty_res(expect) : NULL;
        Type *t = ty_new(TY_TUPLE);
        t->nelems = e->list.len;
        t->elems = arena_alloc(sizeof(Type *) * (size_t)t->nelems);
        for (int i = 0; i < t->nelems; i++) {
            Type *h = et && et->kind == TY_TUPLE && et->nelems == t->nelems ? et->elems[i] : NULL;
            t->elems[i] = check_expr(e->list.items[i], h);
        }
        return t;
    }
    case N_VECLIT: {
        Type *et = expect ? ty_res(expect) : NULL;
        bool array = et && et->kind == TY_ARRAY;
        Type *elem = et && (et->kind == TY_VEC || array) ? et->elem : ty_var(0);
        for (int i = 0; i < e->list.len; i++) {
            Node *x = e->list.items[i];
            expect_type(x, elem, check_expr(x, elem));
        }
        if (ty_res(elem)->kind == TY_REF)
            error_at(e->pos, "E0403", "a reference cannot be stored in a collection (references are second-class)");
        if (array) {
            if (et->n != e->list.len)
                error_at(e->pos, "E0300", "mismatched types: expected an array of %ld elements, found %d", et->n,
                         e->list.len);
            e->is_array = true;
            return et;
        }
        return ty_wrap(TY_VEC, elem);
    }
    case N_RANGE:
        error_at(e->pos, "E0300", "a range is only allowed as the head of a `for` loop");
    default:
        error_at(e->pos, "E0100", "expected an expression");
    }
}

/* Loops: `loop` has type `!` unless a `break` leaves it. */
static void mark_break(void) {
    if (loop_stack.len)
        ((Node *)loop_stack.items[loop_stack.len - 1])->has_break = true;
}

static Type *check_expr(Node *e, Type *expect) {
    if (e->ty)
        return e->ty; /* already checked (an overloaded call probes its argument) */
    bool is_loop = e->kind == N_LOOP || e->kind == N_WHILE || e->kind == N_FOR;
    if (is_loop)
        vec_push(&loop_stack, e);
    Type *t = check_expr_inner(e, expect);
    if (is_loop)
        loop_stack.len--;
    e->ty = t;
    return t;
}

static void check_stmt(Node *s) {
    switch (s->kind) {
    case N_LET: {
        Type *decl = s->b ? resolve_type(s->b) : NULL;
        Type *t = check_expr(s->a, decl);
        if (decl) {
            if (!ty_unify(decl, t))
                mismatch(s->a->pos, decl, t);
            t = decl;
        }
        if (ty_res(t)->kind == TY_REF && ty_res(t)->mut && !is_place(s->a->kind == N_REF ? s->a->a : s->a))
            (void)0;
        s->ty = t;
        if (s->c) {
            check_pattern(s->c, t, false);
            if (!irrefutable_for(s->c, t))
                error_at(s->c->pos, "E0500", "refutable pattern in `let`");
        } else {
            s->sym = declare(s->name, t, s->mut, s->pos);
        }
        return;
    }
    case N_ASSIGN: {
        Node *lhs = s->a;
        if (!is_place(lhs))
            error_at(lhs->pos, "E0305", "invalid left-hand side of assignment");
        Type *lt = check_expr(lhs, NULL);
        check_mutable(lhs, "E0401", "assign");
        Type *rt = check_expr(s->b, lt);
        if (strcmp(s->op, "=")) {
            char op[4] = {0};
            memcpy(op, s->op, strlen(s->op) - 1);
            s->name = arena_strndup(op, strlen(op));
            Type *l = ty_res(lt);
            if (!strcmp(op, "<<") || !strcmp(op, ">>")) {
                if (!ty_is_int(l) || !ty_is_int(rt))
                    error_at(s->pos, "E0303", "cannot apply `%s` to `%s` and `%s`", s->op, ty_str_of(lt), ty_str_of(rt));
                return;
            }
            if (!ty_unify(lt, rt))
                error_at(s->pos, "E0303", "cannot apply `%s` to `%s` and `%s`", s->op, ty_str_of(lt), ty_str_of(rt));
            if (!(ty_is_num(l) || (l->kind == TY_STR && !strcmp(op, "+")) ||
                  (l->kind == TY_BOOL && (!strcmp(op, "&") || !strcmp(op, "|") || !strcmp(op, "^")))))
                error_at(s->pos, "E0303", "cannot apply `%s` to `%s`", s->op, ty_str_of(lt));
            if (ty_is_float(l) && (!strcmp(op, "&") || !strcmp(op, "|") || !strcmp(op, "^")))
                error_at(s->pos, "E0303", "cannot apply `%s` to `%s`", s->op, ty_str_of(lt));
            return;
        }
        if (!ty_unify(lt, rt))
            mismatch(s->b->pos, lt, rt);
        return;
    }
    case N_EXPRSTMT: {
        Type *t = check_expr(s->a, NULL);
        if (ty_res(t)->kind == TY_NEVER)
            block_diverges = true;
        return;
    }
    default:
        unreachable();
    }
}

/* Error recovery: an error inside a statement abandons that statement
 * only (error_at longjmps here), restores the scope, and binds a `let`'s
 * name to a fresh type variable so later uses do not cascade. */
#define MAX_ERRORS 20

/* After a failed `let PATTERN = ...`: every name the pattern binds gets a
 * fresh type variable, like a failed `let x`, so later uses do not cascade
 * into "cannot find value" errors (an or-pattern's alternatives bind the
 * same names: the first one is enough). */
static void declare_pattern_names(Node *p) {
    switch (p->kind) {
    case P_BIND:
        p->sym = declare(p->name, ty_var(0), true, p->pos);
        break;
    case P_OR:
        if (p->list.len)
            declare_pattern_names(p->list.items[0]);
        break;
    case P_TUPLE:
    case P_VARIANT:
        for (int i = 0; i < p->list.len; i++)
            declare_pattern_names(p->list.items[i]);
        break;
    default:
        break;
    }
}

static void check_stmt_guarded(Node *s) {
    jmp_buf jb;
    void *save = diag_jmp;
    int sl = scope.len, ld = loop_depth, lsl = loop_stack.len;
    diag_jmp = &jb;
    if (setjmp(jb) == 0) {
        check_stmt(s);
        diag_jmp = save;
        return;
    }
    diag_jmp = save;
    scope.len = sl;
    loop_depth = ld;
    loop_stack.len = lsl;
    if (s->kind == N_LET && !s->c)
        s->sym = declare(s->name, ty_var(0), true, s->pos);
    else if (s->kind == N_LET)
        declare_pattern_names(s->c);
    if (diag_error_count() >= MAX_ERRORS && save)
        longjmp(*(jmp_buf *)save, 1);
}

static Type *check_block(Node *b, Type *expect) {
    if (b->kind != N_BLOCK)
        return check_expr(b, expect);
    push_scope();
    bool saved = block_diverges;
    block_diverges = false;
    for (int i = 0; i < b->list.len; i++)
        check_stmt_guarded(b->list.items[i]);
    Type *t;
    if (b->c)
        t = check_expr(b->c, expect);
    else
        t = block_diverges ? ty_never : ty_unit;
    b->diverges = block_diverges; /* the block never reaches its end */
    block_diverges = saved;
    pop_scope();
    b->ty = t;
    return t;
}

/* ---- after a function: resolve variables, range-check literals ---- */

static void zonk_node(Node *n) {
    if (!n)
        return;
    if (n->ty)
        n->ty = ty_zonk(n->ty);
    if (n->aux)
        n->aux = ty_zonk(n->aux);
    if (n->sym && n->sym->ty)
        n->sym->ty = ty_zonk(n->sym->ty);
    if (n->kind == N_INT && n->ty) {
        Type *t = ty_res(n->ty);
        if (ty_is_float(t))
            mismatch(n->pos, t, ty_i32);
        if (ty_is_int(t)) {
            int bits = ty_int_bits(t);
            bool sgn = ty_is_signed(t);
            uint64_t max = bits == 64 ? (sgn ? (uint64_t)INT64_MAX : UINT64_MAX)
                                      : (sgn ? ((uint64_t)1 << (bits - 1)) - 1 : ((uint64_t)1 << bits) - 1);
            if (sgn && n->negated)
                max++;
            if (n->ival > max)
                error_at(n->pos, "E0300", "literal out of range for `%s`", ty_str_of(t));
        }
    }
    zonk_node(n->a);
    zonk_node(n->b);
    zonk_node(n->c);
    if (n->kind == N_STRUCTLIT || n->kind == N_FSTR || n->kind == N_INTRINSIC) {
        for (int i = 0; i < n->list.len; i++)
            zonk_node(n->list.items[i]);
        return;
    }
    for (int i = 0; i < n->list.len; i++)
        zonk_node(n->list.items[i]);
}

/* ---- items ---- */

/* The std modules; what each exports is in the table of built-ins
 * (builtins.c: "os.args", "time.sleep", ...). */
static const char *std_modules[] = {"os", "time"};

static const char *std_module(const char *name) {
    for (size_t i = 0; i < sizeof std_modules / sizeof std_modules[0]; i++)
        if (!strcmp(std_modules[i], name))
            return std_modules[i];
    return NULL;
}

static bool std_exports(const char *mod, const char *name) {
    return builtin_find(NULL, arena_printf("%s.%s", mod, name)) >= 0;
}

/* `a/./b/../c` -> `a/c`, in place, for comparing paths as written. */
static char *clean_path(char *p) {
    char *parts[256];
    int n = 0;
    bool abs = p[0] == '/';
    for (char *tok = strtok(p, "/"); tok && n < 256; tok = strtok(NULL, "/")) {
        if (!strcmp(tok, "."))
            continue;
        if (!strcmp(tok, "..") && n > 0 && strcmp(parts[n - 1], ".."))
            n--;
        else
            parts[n++] = tok;
    }
    Buf b = {0};
    if (abs)
        buf_puts(&b, "/");
    for (int i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? "/" : "", parts[i]);
    char *r = arena_strndup(b.data ? b.data : "", b.len);
    buf_free(&b);
    return r;
}

/* The .vx file an import names, given on the command line: the path is
 * relative to the directory of the importing file (as in Go and
 * JavaScript), so `./lib/b.vx` is that file and no other `b.vx`. */
static SrcFile *import_file(Node *imp) {
    const char *path = imp->sval;
    const char *from = imp->pos.file ? imp->pos.file->path : "";
    const char *slash = strrchr(from, '/');
    char *want = path[0] == '/' || !slash
                     ? arena_strndup(path, strlen(path))
                     : arena_printf("%.*s/%s", (int)(slash - from), from, path);
    want = clean_path(want);
    for (int i = 0; i < prog->files.len; i++) {
        SrcFile *f = prog->files.items[i];
        if (!strcmp(clean_path(arena_strndup(f->path, strlen(f->path))), want))
            return f;
    }
    diag_help("`%s` is not among the files given; give every file of the program on the command line: "
              "`vex run %s %s`", want, from[0] ? from : "main.vx", want);
    error_at(imp->pos, "E0200", "cannot find module `%s`", path);
}

static bool defined_in(const char *name, SrcFile *f) {
    Fn *fn = map_get(&fns_map, name);
    if (fn && fn->pos.file == f)
        return true;
    StructDef *sd = map_get(&types_map, name);
    if (sd && sd->pos.file == f)
        return true;
    Node *c = map_get(&consts_map, name);
    return c && c->pos.file == f;
}

/* An import binds names: `import * as ns` the module as `ns`, `import { a }`
 * the name `a` (the std modules are also in scope under their own names). */
static void check_imports(void) {
    memset(&import_aliases, 0, sizeof import_aliases);
    memset(&std_aliases, 0, sizeof std_aliases);
    memset(&std_names, 0, sizeof std_names);
    for (int i = 0; i < prog->imports.len; i++) {
        Node *imp = prog->imports.items[i];
        size_t n = strlen(imp->sval);
        const char *mod = NULL;
        SrcFile *f = NULL;
        if (n >= 3 && !strcmp(imp->sval + n - 3, ".vx")) {
            f = import_file(imp);
        } else if (!(mod = std_module(imp->sval))) {
            Buf b = {0};
            for (size_t k = 0; k < sizeof std_modules / sizeof std_modules[0]; k++)
                buf_printf(&b, "%s`%s`", k ? ", " : "", std_modules[k]);
            diag_help("the std modules are %s; a file is imported by its path: `import { f } from \"./util.vx\"`",
                      b.data);
            buf_free(&b);
            error_at(imp->pos, "E0200", "cannot find module `%s`", imp->sval);
        }
        if (imp->name && mod)
            map_put(&std_aliases, imp->name, (void *)mod);
        else if (imp->name)
            map_put(&import_aliases, imp->name, f);
        for (int j = 0; j < imp->list.len; j++) {
            Node *nm = imp->list.items[j];
            if (mod ? !std_exports(mod, nm->name) : !defined_in(nm->name, f))
                error_at(nm->pos, "E0200", "`%s` is not defined in `%s`", nm->name, imp->sval);
            if (mod)
                map_put(&std_names, nm->name, (void *)mod);
        }
    }
}

/* The value of a constant integer expression (an array length). */
static int64_t const_int(Node *e, int depth) {
    if (depth > 64)
        error_at(e->pos, "E0300", "constant expression nests too deeply");
    switch (e->kind) {
    case N_INT:
        return (int64_t)e->ival;
    case N_IDENT: {
        Node *c = map_get(&consts_map, e->name);
        if (!c)
            unknown_name(e->pos, "constant", e->name);
        return const_int(c->a, depth + 1);
    }
    case N_UNARY:
        if (!strcmp(e->op, "-"))
            return -const_int(e->a, depth + 1);
        break;
    case N_BINARY: {
        int64_t a = const_int(e->a, depth + 1), b = const_int(e->b, depth + 1);
        const char *op = e->op;
        if (!strcmp(op, "+")) return a + b;
        if (!strcmp(op, "-")) return a - b;
        if (!strcmp(op, "*")) return a * b;
        if (!strcmp(op, "/") && b) return a / b;
        if (!strcmp(op, "%") && b) return a % b;
        break;
    }
    default:
        break;
    }
    error_at(e->pos, "E0300", "an array length must be an integer constant");
}

/* Infinite types: a struct or enum that holds itself by value, directly
 * or through other structs, enums, tuples, arrays, Option or Result (a Vec
 * or Box holds it on the heap and breaks the cycle). A depth-first search
 * over the definitions; type_marks maps a definition's name to 1 while it
 * is on the search path, 2 once it is known finite. */
static Map type_marks;

static Pos root_def_pos;          /* the definition being checked */
static const char *root_def_name;

static void finite_type(Type *t, Pos pos, const char *owner, int depth) {
    t = ty_res(t);
    if (depth > 1000)
        error_at(pos, "E0300", "type `%s` nests too deeply", owner);
    switch (t->kind) {
    case TY_STRUCT:
    case TY_ENUM: {
        const char *name = t->kind == TY_STRUCT ? t->sd->name : t->ed->name;
        intptr_t mark = (intptr_t)map_get(&type_marks, name);
        if (mark == 1) {
            /* one error where the cycle closes, a note at the definition */
            if (strcmp(root_def_name, owner) != 0 || strcmp(root_def_name, name) != 0)
                diag_note(root_def_pos, "the cycle goes through `%s`, defined here", root_def_name);
            error_at(pos, "E0300", "recursive type `%s` has infinite size; use `Box<%s>`", owner, name);
        }
        if (mark == 2)
            return;
        map_set(&type_marks, name, (void *)1);
        if (t->kind == TY_STRUCT) {
            for (int i = 0; i < t->sd->fields.len; i++) {
                Field *f = t->sd->fields.items[i];
                finite_type(f->ty, f->pos, name, depth + 1);
            }
        } else {
            for (int i = 0; i < t->ed->variants.len; i++) {
                Variant *v = t->ed->variants.items[i];
                for (int k = 0; k < v->ntys; k++)
                    finite_type(v->tys[k], ((Node *)v->texprs.items[k])->pos, name, depth + 1);
            }
        }
        map_set(&type_marks, name, (void *)2);
        return;
    }
    case TY_OPTION:
    case TY_ARRAY:
        finite_type(t->elem, pos, owner, depth + 1);
        return;
    case TY_RESULT:
        finite_type(t->elem, pos, owner, depth + 1);
        finite_type(t->err, pos, owner, depth + 1);
        return;
    case TY_TUPLE:
        for (int i = 0; i < t->nelems; i++)
            finite_type(t->elems[i], pos, owner, depth + 1);
        return;
    default:
        return;
    }
}

/* A constant is checked on first use, so it may refer to constants
 * declared after it; a cycle is an error. check_consts() orders the
 * constants so that this recursion happens only on a cycle, where it is
 * bounded by MAX_CONST_DEPTH. */
enum { MAX_CONST_DEPTH = 500 };
static int const_depth;

static void check_const(Node *c, Node *use) {
    if (c->visiting)
        error_at(use ? use->pos : c->pos, "E0300", "constant `%s` depends on itself", c->name);
    if (const_depth >= MAX_CONST_DEPTH)
        error_at(use ? use->pos : c->pos, "E0300",
                 "constant `%s` is defined through a chain of more than %d constants", c->name,
                 MAX_CONST_DEPTH);
    c->visiting = true;
    const_depth++;
    Fn *save_fn = cur_fn;
    Vec save_scope = scope;
    int save_depth = loop_depth;
    cur_fn = NULL;
    memset(&scope, 0, sizeof scope);
    loop_depth = 0;
    Type *decl = c->b ? resolve_type(c->b) : NULL;
    Type *t = check_expr(c->a, decl);
    if (decl && !ty_unify(decl, t))
        mismatch(c->a->pos, decl, t);
    c->ty = ty_zonk(decl ? decl : t);
    zonk_node(c->a);
    cur_fn = save_fn;
    scope = save_scope;
    loop_depth = save_depth;
    const_depth--;
}

/* The constants an expression names (every identifier that is a constant's
 * name; a local of the same name only adds an edge that orders more than
 * needed). An explicit stack: a constant's expression may be long. */
static void const_refs(Node *e, Vec *out) {
    Vec stack = {0};
    vec_push(&stack, e);
    while (stack.len) {
        Node *n = stack.items[--stack.len];
        if (!n)
            continue;
        if (n->kind == N_IDENT && map_get(&consts_map, n->name))
            vec_push(out, map_get(&consts_map, n->name));
        vec_push(&stack, n->a);
        vec_push(&stack, n->b);
        vec_push(&stack, n->c);
        for (int i = 0; i < n->list.len; i++)
            vec_push(&stack, n->list.items[i]);
    }
}

/* Checks every constant after the constants it names, so check_const never
 * recurses into another constant on a program without a cycle: a chain of
 * thousands of constants (`const C0 = C1 + 1`, `const C1 = C2 + 1`, ...)
 * used to recurse once per link and overflow the stack. The order is a
 * depth-first post-order kept on an explicit stack. A constant met again
 * while it is still on the stack (seen, not yet checked) closes a cycle:
 * the ordering stops and check_const, from the first constant of the
 * cycle, reports it ("depends on itself") as it always did, recursing at
 * most MAX_CONST_DEPTH times. */
static void check_consts(void) {
    typedef struct { Node *c; Vec refs; int next; } Frame;
    int n = prog->consts.len;
    Frame *stack = arena_alloc(sizeof(Frame) * (size_t)(n + 1));
    Map seen = {0}; /* name -> the constant, once it was pushed */
    for (int i = 0; i < n; i++) {
        Node *root = prog->consts.items[i];
        if (map_get(&seen, root->name) == root)
            continue;
        int sp = 0;
        stack[sp++] = (Frame){root, {0}, 0};
        map_put(&seen, root->name, root);
        const_refs(root->a, &stack[0].refs);
        while (sp) {
            Frame *f = &stack[sp - 1];
            if (f->next < f->refs.len) {
                Node *d = f->refs.items[f->next++];
                if (map_get(&seen, d->name) == d && !d->ty)
                    goto cycle; /* on the stack */
                if (map_get(&seen, d->name) == d)
                    continue; /* checked */
                map_put(&seen, d->name, d);
                stack[sp] = (Frame){d, {0}, 0};
                const_refs(d->a, &stack[sp].refs);
                sp++;
                continue;
            }
            if (!f->c->ty)
                check_const(f->c, NULL);
            sp--;
        }
        continue;
    cycle:
        check_const(root, NULL);
    }
}

/* A type defined twice (at pos, first at first). The std's file is parsed
 * last: a clash with it is reported at the user's definition. */
static _Noreturn void duplicate_type(const char *name, Pos pos, Pos first) {
    bool std_second = pos.file && pos.file->path == std_net_path;
    bool std_first = first.file && first.file->path == std_net_path;
    if (std_second || std_first) {
        diag_help("rename this type: the std modules `net` and `http`, which this program uses, define `%s`", name);
        error_at(std_second ? first : pos, "E0201", "the name `%s` is defined by the std (compiler/std/net.vx)", name);
    }
    error_at(pos, "E0201", "the name `%s` is defined multiple times", name);
}

static void register_items(void) {
    for (int i = 0; i < prog->consts.len; i++) {
        Node *c = prog->consts.items[i];
        if (map_get(&consts_map, c->name))
            error_at(c->pos, "E0201", "the name `%s` is defined multiple times", c->name);
        map_put(&consts_map, c->name, c);
    }
    for (int i = 0; i < prog->structs.len; i++) {
        StructDef *sd = prog->structs.items[i];
        if (map_get(&types_map, sd->name))
            duplicate_type(sd->name, sd->pos, ((StructDef *)map_get(&types_map, sd->name))->pos);
        sd->ty = ty_new(TY_STRUCT);
        sd->ty->sd = sd;
        map_put(&types_map, sd->name, sd);
        if (sd->pos.file && sd->pos.file->path == std_net_path)
            builtin_std_type(sd->name, sd->ty);
    }
    for (int i = 0; i < prog->enums.len; i++) {
        EnumDef *ed = prog->enums.items[i];
        if (map_get(&types_map, ed->name))
            duplicate_type(ed->name, ed->pos, ((StructDef *)map_get(&types_map, ed->name))->pos);
        /* EnumDef and StructDef both start with name, pos, Vec, ty */
        ed->ty = ty_new(TY_ENUM);
        ed->ty->ed = ed;
        map_put(&types_map, ed->name, ed);
    }
    for (int i = 0; i < prog->structs.len; i++) {
        StructDef *sd = prog->structs.items[i];
        for (int j = 0; j < sd->fields.len; j++) {
            Field *f = sd->fields.items[j];
            for (int k = 0; k < j; k++)
                if (!strcmp(((Field *)sd->fields.items[k])->name, f->name))
                    error_at(f->pos, "E0201", "field `%s` is already declared", f->name);
            f->ty = resolve_type(f->texpr);
            if (ty_res(f->ty)->kind == TY_REF)
                error_at(f->texpr->pos, "E0403", "a reference cannot be stored in a struct field");
        }
    }
    for (int i = 0; i < prog->enums.len; i++) {
        EnumDef *ed = prog->enums.items[i];
        for (int j = 0; j < ed->variants.len; j++) {
            Variant *v = ed->variants.items[j];
            for (int k = 0; k < j; k++)
                if (!strcmp(((Variant *)ed->variants.items[k])->name, v->name))
                    error_at(v->pos, "E0201", "variant `%s` is already declared", v->name);
            v->ntys = v->texprs.len;
            v->tys = arena_alloc(sizeof(Type *) * (size_t)(v->ntys + 1));
            for (int k = 0; k < v->ntys; k++) {
                v->tys[k] = resolve_type(v->texprs.items[k]);
                if (ty_res(v->tys[k])->kind == TY_REF)
                    error_at(((Node *)v->texprs.items[k])->pos, "E0403", "a reference cannot be stored in an enum");
            }
        }
    }
    /* value recursion without a Box would make an infinite type */
    memset(&type_marks, 0, sizeof type_marks);
    for (int i = 0; i < prog->structs.len; i++) {
        StructDef *sd = prog->structs.items[i];
        root_def_pos = sd->pos;
        root_def_name = sd->name;
        finite_type(sd->ty, sd->pos, sd->name, 0);
    }
    for (int i = 0; i < prog->enums.len; i++) {
        EnumDef *ed = prog->enums.items[i];
        root_def_pos = ed->pos;
        root_def_name = ed->name;
        finite_type(ed->ty, ed->pos, ed->name, 0);
    }
    for (int i = 0; i < prog->fns.len; i++) {
        Fn *f = prog->fns.items[i];
        cur_fn = f;
        f->ptypes = arena_alloc(sizeof(Type *) * (size_t)(f->params.len + 1));
        for (int j = 0; j < f->params.len; j++) {
            Param *p = f->params.items[j];
            for (int k = 0; k < j; k++)
                if (!strcmp(((Param *)f->params.items[k])->name, p->name))
                    error_at(p->pos, "E0201", "parameter `%s` is bound more than once", p->name);
            f->ptypes[j] = resolve_type(p->type);
        }
        f->rtype = resolve_type(f->ret);
        if (ty_res(f->rtype)->kind == TY_REF)
            error_at(f->ret->pos, "E0403", "a function cannot return a reference");
        cur_fn = NULL;
        if (f->owner) {
            if (!map_get(&types_map, f->owner) && handle_find(f->owner) < 0)
                unknown_name(f->pos, "type", f->owner);
            const char *key = arena_printf("%s.%s", f->owner, f->name);
            Vec *v = map_get(&methods_map, key);
            if (!v) {
                v = arena_alloc(sizeof(Vec));
                map_put(&methods_map, key, v);
            } else {
                for (int k = 0; k < v->len; k++) {
                    Fn *g = v->items[k];
                    bool overload = !strcmp(f->name, "from") && !f->has_self && !g->has_self &&
                                    f->params.len == 1 && g->params.len == 1 &&
                                    !ty_unify(f->ptypes[0], g->ptypes[0]);
                    if (!overload)
                        error_at(f->pos, "E0201", "duplicate definitions with name `%s.%s`", f->owner, f->name);
                }
            }
            vec_push(v, f);
            f->cname = arena_printf("%s__%s_%d", f->owner, f->name, v->len);
            if (find_struct(f->owner))
                for (int k = 0; k < find_struct(f->owner)->fields.len; k++)
                    (void)0;
        } else {
            if (map_get(&fns_map, f->name))
                error_at(f->pos, "E0201", "the name `%s` is defined multiple times", f->name);
            map_put(&fns_map, f->name, f);
            f->cname = f->is_extern ? f->name : arena_printf("vx_fn_%s", f->name);
        }
    }
    check_consts();
}

static void check_fn(Fn *f) {
    if (f->is_extern)
        return;
    cur_fn = f;
    scope.len = 0;
    loop_depth = 0;
    loop_stack.len = 0;
    push_scope();
    for (int j = 0; j < f->params.len; j++) {
        Param *p = f->params.items[j];
        Sym *s = declare(p->name, f->ptypes[j], false, p->pos);
        s->is_ref_param = true;
        p->type->sym = s;
    }
    block_diverges = false;
    Type *rt = f->rtype;
    Type *bt = check_block(f->body, ty_res(rt)->kind == TY_UNIT ? NULL : rt);
    if (ty_res(rt)->kind == TY_UNIT)
        bt = ty_unit; /* a unit function discards its tail value */
    if (ty_res(bt)->kind != TY_NEVER && !ty_unify(rt, bt)) {
        if (ty_res(bt)->kind == TY_UNIT) {
            diag_help("add a tail expression of type `%s` (or `return` a value)", ty_str_of(rt));
            error_at(f->pos, "E0306", "function `%s` must return a value of type `%s`, but its body has no tail value",
                     f->name, ty_str_of(rt));
        }
        mismatch(f->body->c ? f->body->c->pos : f->pos, rt, bt);
    }
    zonk_node(f->body);
    for (int i = 0; i < f->locals.len; i++) {
        Sym *s = f->locals.items[i];
        s->ty = ty_zonk(s->ty);
    }
    for (int g = 0; g < go_fns.len; g++) {
        Fn *gf = go_fns.items[g];
        gf->rtype = ty_zonk(gf->rtype);
        for (int i = 0; i < gf->locals.len; i++) {
            Sym *s = gf->locals.items[i];
            s->ty = ty_zonk(s->ty);
        }
        for (int i = 0; i < gf->captures.len; i++) {
            Sym *s = gf->captures.items[i];
            s->ty = ty_zonk(s->ty);
        }
    }
    pop_scope();
    cur_fn = NULL;
}

void check_program(Program *p) {
    if (diag_error_count() && diag_jmp) /* syntax errors: they were all reported */
        longjmp(*(jmp_buf *)diag_jmp, 1);
    prog = p;
    memset(&types_map, 0, sizeof types_map);
    memset(&fns_map, 0, sizeof fns_map);
    memset(&methods_map, 0, sizeof methods_map);
    memset(&consts_map, 0, sizeof consts_map);
    const_depth = 0;
    memset(&scope, 0, sizeof scope);
    memset(&loop_stack, 0, sizeof loop_stack);
    sym_counter = 0;
    cur_fn = NULL;
    await_target = go_target = NULL;
    memset(&async_to_sync, 0, sizeof async_to_sync);
    memset(&go_fns, 0, sizeof go_fns);
    register_items();
    check_imports();
    for (int i = 0; i < prog->fns.len; i++) {
        jmp_buf jb;
        void *save = diag_jmp;
        diag_jmp = &jb;
        if (setjmp(jb) == 0)
            check_fn(prog->fns.items[i]);
        diag_jmp = save;
        if (diag_error_count() >= MAX_ERRORS)
            break;
    }
    for (int i = 0; i + 1 < async_to_sync.len && !diag_error_count(); i += 2) {
        Node *call = async_to_sync.items[i];
        Fn *callee = async_to_sync.items[i + 1];
        if (callee->blocking) {
            diag_help("make `%s` an `async fn` and `await` it", callee->name);
            error_at(call->pos, "E0606", "blocking call in async fn: `%s` runs an async fn to completion and would stall a worker",
                     callee->name);
        }
    }
    for (int i = 0; i < go_fns.len; i++)
        vec_push(&prog->fns, go_fns.items[i]);
    if (diag_error_count() && diag_jmp)
        longjmp(*(jmp_buf *)diag_jmp, 1);
    Fn *m = map_get(&fns_map, "main");
    if (!m) {
        SrcFile *f = prog->files.len ? prog->files.items[0] : NULL;
        Pos pos = {f, 1, 1, 0, 1};
        error_at(pos, "E0200", "`main` function not found");
    }
    Type *mr = ty_res(m->rtype);
    if (mr->kind != TY_UNIT && mr->kind != TY_I32)
        error_at(m->pos, "E0300", "`main` must return `()` or `i32`, not `%s`", ty_str_of(mr));
    if (m->params.len)
        error_at(m->pos, "E0301", "`main` takes no parameters (use `os.args()`)");
}
