/*
 * lower.c - the checked AST of the whole program to MIR (mir.c).
 *
 * Every function becomes typed locals (the return slot _0, parameters,
 * user bindings, temporaries, drop flags) and a CFG of basic blocks whose
 * statements assign an rvalue to a place. Lowering fixes three things by
 * construction, so no later stage has to rediscover them:
 *
 * - Evaluation order. Operands are evaluated left to right, each into a
 *   temporary when anything evaluated after it could run code (a call, a
 *   `?`, a block), as Rust does. Control flow inside an expression (`if`,
 *   `match`, `&&`, `?`, `return`) becomes blocks; statements never jump.
 * - Ownership. A value read as owned is moved (a local: its drop flag is
 *   cleared when the consumer runs), copied (copy types) or cloned (a field,
 *   an element, anything behind a reference). A temporary that owns memory
 *   gets a drop flag and lives in the scope of its statement; a temporary
 *   lent by `&` lives in the enclosing block (Rust's temporary lifetime
 *   extension).
 * - Drops (rustc's drop elaboration). Each open scope lists the owned
 *   locals it must drop at its end; `break`/`continue` drop the scopes
 *   inside their loop and `return`/`?` all of them. A drop is guarded by
 *   the local's flag and clears it, so a flag is true exactly while its
 *   local holds a live value; a value moved on some paths only is dropped
 *   exactly once.
 *
 * Place expressions (locals, fields, elements, derefs) lower to places;
 * index operands go to temporaries first. Built-in methods and std
 * functions become RV_BUILTIN rows of builtins.c; formatting (`$println`,
 * f-strings, `$panic`) becomes RV_FORMAT.
 */
#include <stdlib.h>
#include <string.h>

#include "vexc.h"

static MFn *M;
static Pos cur_pos;      /* the statement being lowered */
static Type *cur_ret;
static Vec const_fns;    /* Fn* per constant, by name */

/* ---- scopes and loops ---- */

typedef struct Scope {
    Vec slots;     /* int locals (as intptr) that own values to drop */
    bool is_stmt;  /* the temporaries of one statement */
} Scope;

static Vec scopes; /* Scope* */

typedef struct Loop {
    MBlock *brk, *cont;
    int depth; /* scopes.len outside the body */
} Loop;

static Vec loops; /* Loop* */

/* Moves whose drop-flag clears wait for the statement that consumes them. */
static Vec pending; /* int flag locals (intptr) */

static Operand lower_operand(Node *e);
static Operand lower_read(Node *e);
static Place lower_place(Node *e);
static Rvalue lower_rvalue(Node *e);
static void lower_into(Node *e, Place *dst);
static void lower_stmt(Node *s);

static bool unitish(Type *t) {
    t = ty_res(t);
    return !t || t->kind == TY_UNIT || t->kind == TY_NEVER;
}

/* Does a value of type t own memory that must be dropped? */
static bool owns(Type *t) { return ty_needs_drop(t); }

/* ---- building blocks ---- */

static MLocal *loc(int l) { return M->locals.items[l]; }
static Type *local_ty(int l) { return loc(l)->ty; }

static int temp(Type *t) { return mir_local(M, LK_TEMP, t, NULL, cur_pos); }

static Type *place_ty(Place p) { return p.nproj ? p.proj[p.nproj - 1].ty : local_ty(p.local); }

static Type *operand_ty(Operand o) { return o.kind == OP_CONST ? o.ty : place_ty(o.place); }

static Operand const_of(ConstKind k, Type *t) {
    Operand o = {0};
    o.kind = OP_CONST;
    o.ck = k;
    o.ty = t;
    return o;
}

static Operand const_int(Type *t, uint64_t v) {
    Operand o = const_of(C_INT, t);
    o.ival = v;
    return o;
}

static Operand const_bool(bool v) {
    Operand o = const_of(C_BOOL, ty_bool);
    o.ival = v;
    return o;
}

static Rvalue rv_use(Operand o) {
    Rvalue r = {0};
    r.kind = RV_USE;
    r.ty = operand_ty(o);
    r.args = arena_alloc(sizeof(Operand));
    r.args[0] = o;
    r.nargs = 1;
    return r;
}

static Rvalue rv_new(RvalueKind k, Type *t, int nargs) {
    Rvalue r = {0};
    r.kind = k;
    r.ty = t;
    r.nargs = nargs;
    if (nargs)
        r.args = arena_alloc(sizeof(Operand) * (size_t)nargs);
    return r;
}

static void flush_pending(int mark) {
    for (int i = mark; i < pending.len; i++) {
        int f = (int)(intptr_t)pending.items[i];
        MStmt *s = mir_stmt(M, MS_ASSIGN, cur_pos);
        s->place = mir_place(f);
        s->rv = rv_use(const_bool(false));
    }
    pending.len = mark;
}

static void assign(Place dst, Rvalue rv, int mark) {
    MStmt *s = mir_stmt(M, MS_ASSIGN, cur_pos);
    s->place = dst;
    s->rv = rv;
    flush_pending(mark);
}

static void eval(Rvalue rv, int mark) {
    MStmt *s = mir_stmt(M, MS_EVAL, cur_pos);
    s->rv = rv;
    flush_pending(mark);
}

static void set_flag(int flag, bool v) {
    MStmt *s = mir_stmt(M, MS_ASSIGN, cur_pos);
    s->place = mir_place(flag);
    s->rv = rv_use(const_bool(v));
}

static void drop_place(Place p, int flag) {
    MStmt *s = mir_stmt(M, MS_DROP, cur_pos);
    s->place = p;
    s->flag = flag;
}

static void push_scope(bool is_stmt) {
    Scope *s = arena_alloc(sizeof(Scope));
    s->is_stmt = is_stmt;
    vec_push(&scopes, s);
}

/* The innermost scope that is not a statement's: where bindings live. */
static Scope *block_scope(void) {
    for (int i = scopes.len - 1; i >= 0; i--)
        if (!((Scope *)scopes.items[i])->is_stmt)
            return scopes.items[i];
    return scopes.items[0];
}

/* Gives local l a drop flag (set now) and a place in scope s. */
static void own_in(int l, Scope *s) {
    if (!owns(local_ty(l)))
        return;
    if (loc(l)->flag < 0) {
        int f = mir_local(M, LK_FLAG, ty_bool, NULL, cur_pos);
        loc(f)->of = l;
        loc(l)->flag = f;
    }
    set_flag(loc(l)->flag, true);
    vec_push(&s->slots, (void *)(intptr_t)l);
}

static void emit_drops(int from) {
    for (int d = scopes.len - 1; d >= from && d >= 0; d--) {
        Scope *s = scopes.items[d];
        for (int i = s->slots.len - 1; i >= 0; i--) {
            int l = (int)(intptr_t)s->slots.items[i];
            drop_place(mir_place(l), loc(l)->flag);
        }
    }
}

static void pop_scope(bool drop) {
    if (drop && M->cur->term == MT_NONE)
        emit_drops(scopes.len - 1);
    scopes.len--;
}

/* A temporary holding rv; when it owns memory it is dropped at the end
 * of scope s (its flag cleared if a consumer takes it first). */
static int temp_of(Rvalue rv, Scope *s, int mark) {
    int t = temp(rv.ty);
    assign(mir_place(t), rv, mark);
    if (owns(rv.ty) && s)
        own_in(t, s);
    return t;
}

static Scope *stmt_scope(void) { return scopes.items[scopes.len - 1]; }

/* A move out of local l: its flag is cleared once the consumer has run. */
static Operand move_local(int l) {
    if (loc(l)->flag >= 0)
        vec_push(&pending, (void *)(intptr_t)loc(l)->flag);
    return mir_move(mir_place(l));
}

/* ---- expressions: classification ---- */

static bool is_place_expr(Node *e) {
    switch (e->kind) {
    case N_IDENT: return e->res == R_LOCAL;
    case N_FIELD: return e->res != R_VARIANT && (e->autoref > 0 || is_place_expr(e->a));
    case N_INDEX: return e->autoref > 0 || is_place_expr(e->a);
    case N_DEREF: return true;
    default: return false;
    }
}

/* Could evaluating e run code or write anything (a call, a block)? */
static bool has_effects(Node *e) {
    if (!e)
        return false;
    switch (e->kind) {
    case N_CALL: case N_INTRINSIC: case N_IF: case N_MATCH: case N_BLOCK: case N_LOOP: case N_WHILE:
    case N_FOR: case N_TRY: case N_FSTR: case N_RETURN: case N_BREAK: case N_CONTINUE:
        return true;
    default:
        break;
    }
    if (has_effects(e->a) || has_effects(e->b) || has_effects(e->c))
        return true;
    for (int i = 0; i < e->list.len; i++)
        if (e->kind != N_ARM && has_effects(e->list.items[i]))
            return true;
    return false;
}

/* ---- places ---- */

static Place project(Place p, ProjKind k, int field, int variant, Type *ty) {
    Proj pj = {0};
    pj.kind = k;
    pj.field = field;
    pj.variant = variant;
    pj.ty = ty;
    pj.pos = cur_pos;
    return mir_project(p, pj);
}

static Place deref(Place p) { return project(p, PJ_DEREF, 0, 0, ty_res(place_ty(p))->elem); }

static Place deref_n(Place p, int n) {
    for (int i = 0; i < n; i++)
        p = deref(p);
    return p;
}

static Type *field_ty(Type *t, int i) {
    t = ty_res(t);
    if (t->kind == TY_TUPLE)
        return t->elems[i];
    return ((Field *)t->sd->fields.items[i])->ty;
}

static int field_index(Type *t, const char *name) {
    t = ty_res(t);
    for (int i = 0; i < t->sd->fields.len; i++)
        if (!strcmp(((Field *)t->sd->fields.items[i])->name, name))
            return i;
    unreachable();
}

/* The place of a payload field of variant v of an enum/Option/Result. */
static Place variant_field(Place p, int v, int j) {
    Type *t = ty_res(place_ty(p));
    Type *ft;
    if (t->kind == TY_OPTION)
        ft = t->elem;
    else if (t->kind == TY_RESULT)
        ft = v ? t->err : t->elem;
    else
        ft = ((Variant *)t->ed->variants.items[v])->tys[j];
    return project(p, PJ_VARIANT, j, v, ft);
}

/* The place e denotes; a base that is not a place is evaluated into a
 * temporary of the current statement first. */
static Place lower_place(Node *e) {
    switch (e->kind) {
    case N_IDENT:
        if (e->res == R_LOCAL)
            return mir_place(e->sym->local);
        break;
    case N_FIELD: {
        if (e->res == R_VARIANT)
            break;
        Place b = deref_n(lower_place(e->a), e->autoref);
        Type *bt = place_ty(b);
        int i = e->tuple_field ? e->index : field_index(bt, e->name);
        return project(b, PJ_FIELD, i, 0, field_ty(bt, i));
    }
    case N_INDEX: {
        Place b = deref_n(lower_place(e->a), e->autoref);
        Operand ix = lower_operand(e->b);
        int il;
        if (ix.kind == OP_CONST || ix.place.nproj) {
            il = temp(ty_res(e->b->ty));
            assign(mir_place(il), rv_use(ix), pending.len);
        } else {
            il = ix.place.local;
        }
        Proj pj = {0};
        pj.kind = PJ_INDEX;
        pj.index = il;
        pj.ty = ty_res(place_ty(b))->elem;
        Node *s = e;
        while ((s->kind == N_INDEX || s->kind == N_FIELD || s->kind == N_CALL || s->kind == N_BINARY) && s->a)
            s = s->a;
        pj.pos = s->pos; /* a bounds failure points at the start: `v` of `v[j]` */
        return mir_project(b, pj);
    }
    case N_DEREF:
        return deref(lower_place(e->a));
    default:
        break;
    }
    /* a value used as a place: a temporary of this statement */
    int mark = pending.len;
    Rvalue rv = lower_rvalue(e);
    return mir_place(temp_of(rv, stmt_scope(), mark));
}

/* ---- operands ---- */

/* The value an operand of reference type points to (`*r`), as a place
 * read in place; a constant is put in a temporary first. */
static Operand through_ref(Operand o) {
    Place p = o.kind == OP_CONST ? mir_place(temp_of(rv_use(o), NULL, pending.len)) : o.place;
    return mir_copy(deref(p));
}


/* e as an owned value: a moved local, a copy, a clone of a place, or a
 * temporary holding the value (owned by the consumer). */
static Operand lower_operand(Node *e) {
    switch (e->kind) {
    case N_INT: case N_FLOAT: case N_BOOL: case N_UNIT: case N_STR:
        return lower_rvalue(e).args[0];
    default:
        break;
    }
    if (e->kind == N_UNARY && !strcmp(e->op, "-") && e->a->kind == N_INT && ty_is_int(e->ty))
        return lower_rvalue(e).args[0];
    if (is_place_expr(e) || (e->kind == N_FIELD && e->res != R_VARIANT) || e->kind == N_INDEX ||
        e->kind == N_DEREF) {
        Place p = lower_place(e);
        if (!owns(e->ty))
            return mir_copy(p);
        if (!p.nproj && !ty_is_copy(e->ty))
            return move_local(p.local);
        Rvalue rv = rv_new(RV_CLONE, place_ty(p), 0);
        rv.place = p;
        rv.owned = true; /* the source moves p: borrowck.c checks it as a move */
        int mark = pending.len;
        int t = temp_of(rv, stmt_scope(), mark);
        return move_local(t);
    }
    int mark = pending.len;
    Rvalue rv = lower_rvalue(e);
    if (rv.kind == RV_USE && rv.args[0].kind == OP_CONST) {
        pending.len = mark;
        return rv.args[0];
    }
    Pos save = cur_pos;
    if (rv.kind == RV_REF && e->pos.file)
        cur_pos = e->pos; /* a loan points at its `&` (borrowck.c's diagnostics) */
    int t = temp_of(rv, stmt_scope(), mark);
    cur_pos = save;
    return move_local(t);
}

/* e read in place, not consumed (a formatted value, a comparison operand,
 * a method argument read by reference): a place as is, or a temporary
 * dropped at the end of the statement. */
static Operand lower_read(Node *e) {
    if (is_place_expr(e))
        return mir_copy(lower_place(e));
    int mark = pending.len;
    Rvalue rv = lower_rvalue(e);
    if (rv.kind == RV_USE && rv.args[0].kind == OP_CONST) {
        pending.len = mark;
        return rv.args[0];
    }
    if (rv.kind == RV_USE && rv.args[0].kind != OP_CONST && !owns(rv.ty))
        return rv.args[0];
    Pos save = cur_pos;
    if (rv.kind == RV_REF && e->pos.file)
        cur_pos = e->pos; /* a loan points at its `&` (borrowck.c's diagnostics) */
    Operand o = mir_copy(mir_place(temp_of(rv, stmt_scope(), mark)));
    cur_pos = save;
    return o;
}

/* An operand kept as a temporary when a later sibling could change what
 * it reads (`x + { x = 5; 0 }` reads the old x, `v[5] + g()?` checks the
 * index before g runs). */
static Operand settle(Operand o, bool later_effects) {
    if (!later_effects || o.kind == OP_CONST)
        return o;
    if (o.kind == OP_MOVE && !o.place.nproj && loc(o.place.local)->kind == LK_TEMP)
        return o;
    if (o.kind == OP_COPY && owns(operand_ty(o))) {
        /* a value read in place while later operands run code that could
         * move or change it: keep a copy of its own */
        Rvalue c = rv_new(RV_CLONE, operand_ty(o), 0);
        c.place = o.place;
        return mir_copy(mir_place(temp_of(c, stmt_scope(), pending.len)));
    }
    int t = temp(operand_ty(o));
    MStmt *s = mir_stmt(M, MS_ASSIGN, cur_pos);
    s->place = mir_place(t);
    s->rv = rv_use(o);
    if (o.kind == OP_MOVE) {
        /* the move happened now: the temporary owns the value */
        int f = o.place.nproj ? -1 : loc(o.place.local)->flag;
        for (int i = pending.len - 1; f >= 0 && i >= 0; i--)
            if ((int)(intptr_t)pending.items[i] == f) {
                pending.items[i] = pending.items[--pending.len];
                set_flag(f, false);
                break;
            }
        if (owns(operand_ty(o)))
            own_in(t, stmt_scope());
        return owns(operand_ty(o)) ? move_local(t) : mir_move(mir_place(t));
    }
    return mir_copy(mir_place(t));
}

/* The operands of list (owned unless `read`), evaluated left to right in
 * source order (order maps slot -> source position, for struct literals). */
static Operand *lower_operands(Vec *list, const Vec *order, bool read, Operand *out) {
    int n = list->len;
    /* slot_at[j]: the slot evaluated j-th; later[j]: does anything after
     * the j-th operand have effects (a suffix OR, so this stays linear) */
    int *slot_at = arena_alloc(sizeof(int) * (size_t)(n + 1));
    bool *later = arena_alloc(sizeof(bool) * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        slot_at[i] = i;
    if (order && order->len == n)
        for (int d = 0; d < n; d++) {
            int j = (int)(intptr_t)order->items[d];
            if (j >= 0 && j < n)
                slot_at[j] = d;
        }
    later[n] = false;
    for (int j = n - 1; j >= 0; j--)
        later[j] = later[j + 1] || (j + 1 < n && has_effects(list->items[slot_at[j + 1]]));
    for (int j = 0; j < n; j++) {
        int i = slot_at[j];
        Node *a = list->items[i];
        out[i] = settle(read ? lower_read(a) : lower_operand(a), later[j]);
    }
    return out;
}

/* ---- rvalues ---- */

static Operand lit_str(const char *s, int n) {
    Operand o = const_of(C_STR, ty_str);
    o.sval = s;
    o.slen = n;
    return o;
}

static Fn *const_fn(const char *name) {
    for (int i = 0; i < const_fns.len; i++) {
        Fn *f = const_fns.items[i];
        if (!strcmp(f->name, name))
            return f;
    }
    unreachable();
}


/* Pieces of a format: literal text and values with their modes. */
typedef struct FmtBuild {
    Vec pieces; /* FmtPiece* */
    Vec args;   /* Node* */
    Vec modes;
} FmtBuild;

static void fb_lit(FmtBuild *fb, const char *s, int n) {
    if (n <= 0)
        return;
    FmtPiece *p = arena_alloc(sizeof(FmtPiece));
    p->lit = s;
    p->litlen = n;
    vec_push(&fb->pieces, p);
}

static void fb_arg(FmtBuild *fb, Node *a, const char *spec) {
    FmtPiece *p = arena_alloc(sizeof(FmtPiece));
    p->arg = fb->args.len;
    p->mode = fmt_spec_mode(spec);
    p->spec = spec;
    vec_push(&fb->pieces, p);
    vec_push(&fb->args, a);
}

/* `"{} and {:?}", a, b`: list[first] is the literal, list2 the specs. */
static void fb_format_string(FmtBuild *fb, Node *e, int first) {
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
            fb_lit(fb, arena_strndup(lit.data ? lit.data : "", lit.len), (int)lit.len);
            lit.len = 0;
            int j = i;
            while (j < f->slen && s[j] != '}')
                j++;
            fb_arg(fb, e->list.items[arg++], e->list2.items[spec++]);
            i = j;
            continue;
        }
        buf_put(&lit, s + i, 1);
    }
    fb_lit(fb, arena_strndup(lit.data ? lit.data : "", lit.len), (int)lit.len);
    buf_free(&lit);
}

static Rvalue fb_finish(FmtBuild *fb, FormatKind k, Type *ty) {
    Rvalue r = rv_new(RV_FORMAT, ty, fb->args.len);
    lower_operands(&fb->args, NULL, true, r.args);
    r.fmt = k;
    r.npieces = fb->pieces.len;
    r.pieces = arena_alloc(sizeof(FmtPiece) * (size_t)(r.npieces + 1));
    for (int i = 0; i < r.npieces; i++)
        r.pieces[i] = *(FmtPiece *)fb->pieces.items[i];
    return r;
}

static Rvalue builtin_rv(int row, Type *ty, int nargs) {
    Rvalue r = rv_new(RV_BUILTIN, ty, nargs);
    r.builtin = row;
    return r;
}

static Rvalue lower_intrinsic(Node *e) {
    const char *n = e->name;
    FmtBuild fb = {0};
    FormatKind k = FM_PRINTLN;
    if (!strcmp(n, "$println") || !strcmp(n, "$print") || !strcmp(n, "$eprintln") || !strcmp(n, "$eprint")) {
        k = !strcmp(n, "$println") ? FM_PRINTLN : !strcmp(n, "$print") ? FM_PRINT
            : !strcmp(n, "$eprintln") ? FM_EPRINTLN : FM_EPRINT;
        if (e->fmt_string) {
            fb_format_string(&fb, e, 0);
        } else {
            for (int i = 0; i < e->list.len; i++) {
                if (i)
                    fb_lit(&fb, " ", 1);
                fb_arg(&fb, e->list.items[i], NULL);
            }
        }
        return fb_finish(&fb, k, ty_unit);
    }
    if (!strcmp(n, "$panic")) {
        if (e->fmt_string)
            fb_format_string(&fb, e, 0);
        else if (e->list.len == 0)
            fb_lit(&fb, "explicit panic", 14);
        else
            fb_arg(&fb, e->list.items[0], NULL);
        Rvalue r = fb_finish(&fb, FM_PANIC, ty_never);
        r.variant = 0;
        return r;
    }
    unreachable();
}

/* $assert / $assert_eq / $assert_ne: a test, then a panic block. */
static void lower_assert(Node *e) {
    const char *n = e->name;
    MBlock *ok = mir_block(M), *fail = mir_block(M);
    int mark = pending.len;
    if (!strcmp(n, "$assert")) {
        Operand c = lower_read(e->list.items[0]);
        mir_branch(M, c, ok, fail);
        mir_set(M, fail);
        if (e->list.len == 2) {
            FmtBuild fb = {0};
            fb_arg(&fb, e->list.items[1], NULL);
            eval(fb_finish(&fb, FM_PANIC, ty_never), pending.len);
        } else {
            Rvalue r = builtin_rv(builtin_find(NULL, "assert.fail"), ty_never, 1);
            const char *txt = e->suffix ? e->suffix : "";
            r.args[0] = lit_str(txt, (int)strlen(txt));
            eval(r, pending.len);
        }
        mir_unreachable(M);
        mir_set(M, ok);
        pending.len = mark;
        return;
    }
    bool ne = !strcmp(n, "$assert_ne");
    Operand args[2];
    lower_operands(&e->list, NULL, true, args);
    Rvalue eq = rv_new(RV_BINARY, ty_bool, 2);
    eq.op = "==";
    eq.args[0] = args[0];
    eq.args[1] = args[1];
    int t = temp(ty_bool);
    assign(mir_place(t), eq, mark);
    if (ne)
        mir_branch(M, mir_copy(mir_place(t)), fail, ok);
    else
        mir_branch(M, mir_copy(mir_place(t)), ok, fail);
    mir_set(M, fail);
    Rvalue r = rv_new(RV_FORMAT, ty_never, 2);
    r.args[0] = args[0];
    r.args[1] = args[1];
    r.fmt = FM_PANIC;
    r.npieces = 4;
    r.pieces = arena_alloc(sizeof(FmtPiece) * 4);
    const char *head = ne ? "assertion failed: left != right\n  left: " : "assertion failed: left == right\n  left: ";
    r.pieces[0].lit = head;
    r.pieces[0].litlen = (int)strlen(head);
    r.pieces[1].arg = 0;
    r.pieces[1].mode = FMT_DEBUG;
    r.pieces[2].lit = "\n right: ";
    r.pieces[2].litlen = 9;
    r.pieces[3].arg = 1;
    r.pieces[3].mode = FMT_DEBUG;
    eval(r, pending.len);
    mir_unreachable(M);
    mir_set(M, ok);
}

static bool chan_op(Node *e);

/* Does evaluating e suspend (an await, a channel operation, a lock)? */
static bool has_suspension(Node *e) {
    if (!e)
        return false;
    if (e->kind == N_AWAIT || chan_op(e))
        return true;
    if (e->kind == N_CALL && e->res == R_STATIC && !e->fn && e->sval && !strcmp(e->sval, "time") &&
        !strcmp(e->name, "sleep"))
        return true;
    if (e->kind == N_GO) /* a `go { }` block runs in a task of its own */
        return e->a && has_suspension(e->a);
    if (has_suspension(e->a) || has_suspension(e->b) || has_suspension(e->c))
        return true;
    for (int i = 0; i < e->list.len; i++)
        if (e->kind != N_ARM && has_suspension(e->list.items[i]))
            return true;
    return false;
}

/* In an async fn, a method whose arguments suspend (`v.push(await f())`)
 * borrows its receiver once they are evaluated: the reference is not held
 * across the suspension (the receiver is a place: taking its address later
 * changes nothing else). */
static bool defer_receiver(Node *e) {
    if (!M->fn->is_async || !is_place_expr(e->a->a))
        return false;
    for (int i = 0; i < e->list.len; i++)
        if (has_suspension(e->list.items[i]))
            return true;
    return false;
}

/* `&p` (or `&p!`) in a new temporary: a receiver lent to a built-in or a
 * method, the collection a loop reads the length of. */
static Operand ref_temp(Place p, bool mut) {
    Rvalue r = rv_new(RV_REF, NULL, 0);
    r.ty = ty_new(TY_REF);
    r.ty->elem = place_ty(p);
    r.ty->mut = mut;
    r.place = p;
    r.mut = mut;
    int t = temp(r.ty);
    assign(mir_place(t), r, pending.len);
    return mir_copy(mir_place(t));
}

/* A reference to the receiver of a method: the place itself (through the
 * call's derefs), or a temporary of this statement. */
static Operand recv_ref(Node *recv, int nderef, bool mut) {
    Type *rt = ty_res(recv->ty);
    Place p;
    if (rt->kind == TY_REF && nderef == 1) {
        Operand o = lower_read(recv);
        return o;
    }
    p = deref_n(lower_place(recv), nderef);
    return ref_temp(p, mut);
}

static Rvalue lower_builtin_method(Node *e) {
    Node *recv = e->a->a;
    Type *bt = ty_res(recv->ty);
    for (int i = 0; i < e->index; i++)
        bt = ty_res(bt->elem);
    int row = e->builtin;
    const Builtin *b = &builtins[row];
    int n = e->list.len;
    Rvalue r = builtin_rv(row, e->ty, n + 1);
    int mark = pending.len;
    if (b->consumes && e->index == 0 && !is_place_expr(recv)) {
        /* an owned temporary receiver: the method takes its payload */
        Rvalue rv = lower_rvalue(recv);
        int t = temp_of(rv, NULL, mark);
        r.args[0] = ref_temp(mir_place(t), false);
        r.owned = true; /* the receiver is a temporary the method consumes */
    } else if (!defer_receiver(e)) {
        r.args[0] = recv_ref(recv, e->index, b->mutates);
    }
    bool deferred = !r.owned && defer_receiver(e);
    bool any_eff = false;
    for (int i = 0; i < n; i++)
        any_eff |= has_effects(e->list.items[i]);
    if (!deferred && any_eff && r.args[0].kind != OP_CONST && !b->mutates)
        r.args[0] = settle(r.args[0], true);
    for (int i = 0; i < n; i++) {
        Node *a = e->list.items[i];
        bool later = false;
        for (int j = i + 1; j < n; j++)
            later |= has_effects(e->list.items[j]);
        char pk = b->params[i];
        Operand o;
        if (pk == 'e' || pk == 'x' || pk == 'T') {
            o = lower_operand(a);
        } else if ((pk == 'E' || pk == 'D') && ty_res(a->ty)->kind == TY_REF) {
            o = lower_read(a);
            o = through_ref(o);
        } else {
            o = lower_read(a);
        }
        r.args[i + 1] = settle(o, later || deferred);
    }
    if (deferred)
        r.args[0] = recv_ref(recv, e->index, b->mutates);
    return r;
}

static Rvalue lower_static(Node *e) {
    if (e->fn) {
        Rvalue r = rv_new(RV_CALL, e->ty, e->list.len);
        r.fn = e->fn;
        lower_operands(&e->list, NULL, false, r.args);
        return r;
    }
    int row = builtin_find(NULL, arena_printf("%s.%s", e->sval, e->name));
    if (row < 0)
        unreachable();
    Rvalue r = builtin_rv(row, e->ty, e->list.len);
    const char *ps = builtins[row].params;
    for (int i = 0; i < e->list.len; i++) {
        bool later = false;
        for (int j = i + 1; j < e->list.len; j++)
            later |= has_effects(e->list.items[j]);
        Node *a = e->list.items[i];
        Operand o;
        if (ps[i] == 'D' && ty_res(a->ty)->kind == TY_REF)
            o = through_ref(lower_read(a));
        else
            o = ps[i] == 's' || ps[i] == 'D' ? lower_read(a) : lower_operand(a);
        r.args[i] = settle(o, later);
    }
    return r;
}

static Rvalue lower_method(Node *e) {
    Fn *m = e->fn;
    Node *recv = e->a->a;
    int n = e->list.len;
    Rvalue r = rv_new(RV_CALL, e->ty, n + 1);
    r.fn = m;
    Type *bt0 = ty_res(recv->ty);
    for (int i = 0; i < e->index; i++)
        bt0 = ty_res(bt0->elem);
    if (m->self_kind == 0) {
        if (e->index == 0) {
            r.args[0] = lower_operand(recv);
        } else {
            Place p = deref_n(lower_place(recv), e->index);
            if (owns(bt0)) {
                Rvalue c = rv_new(RV_CLONE, bt0, 0);
                c.place = p;
                r.args[0] = move_local(temp_of(c, stmt_scope(), pending.len));
            } else {
                r.args[0] = mir_copy(p);
            }
        }
    } else if (!defer_receiver(e)) {
        r.args[0] = recv_ref(recv, e->index, m->self_kind == 2);
    }
    bool deferred = m->self_kind != 0 && defer_receiver(e);
    bool any_eff = false;
    for (int i = 0; i < n; i++)
        any_eff |= has_effects(e->list.items[i]);
    if (!deferred)
        r.args[0] = settle(r.args[0], any_eff && m->self_kind == 0);
    Operand *rest = arena_alloc(sizeof(Operand) * (size_t)(n + 1));
    lower_operands(&e->list, NULL, false, rest);
    for (int i = 0; i < n; i++)
        r.args[i + 1] = deferred ? settle(rest[i], true) : rest[i];
    if (deferred)
        r.args[0] = recv_ref(recv, e->index, m->self_kind == 2);
    return r;
}

static Rvalue aggregate(AggKind k, Type *t, int variant, int n) {
    Rvalue r = rv_new(RV_AGGREGATE, t, n);
    r.agg = k;
    r.variant = variant;
    return r;
}

static Rvalue lower_call(Node *e) {
    switch (e->res) {
    case R_FN:
    case R_EXTERN: {
        Rvalue r = rv_new(RV_CALL, e->ty, e->list.len);
        r.fn = e->fn;
        lower_operands(&e->list, NULL, e->res == R_EXTERN, r.args);
        return r;
    }
    case R_METHOD:
        return lower_method(e);
    case R_STATIC:
        return lower_static(e);
    case R_VARIANT: {
        Type *t = ty_res(e->aux ? e->aux : e->ty);
        Rvalue r = aggregate(AG_VARIANT, e->ty, e->index, e->list.len);
        (void)t;
        lower_operands(&e->list, NULL, false, r.args);
        return r;
    }
    case R_BUILTIN_METHOD:
        return lower_builtin_method(e);
    default:
        unreachable();
    }
}

/* a && b, a || b: the right side runs only when needed. */
static Rvalue lower_shortcircuit(Node *e) {
    int t = temp(ty_bool);
    int mark = pending.len;
    assign(mir_place(t), rv_use(lower_read(e->a)), mark);
    MBlock *rhs = mir_block(M), *join = mir_block(M);
    if (!strcmp(e->op, "&&"))
        mir_branch(M, mir_copy(mir_place(t)), rhs, join);
    else
        mir_branch(M, mir_copy(mir_place(t)), join, rhs);
    mir_set(M, rhs);
    push_scope(true);
    assign(mir_place(t), rv_use(lower_read(e->b)), pending.len);
    pop_scope(true);
    mir_goto(M, join);
    mir_set(M, join);
    return rv_use(mir_copy(mir_place(t)));
}

static Rvalue lower_binary(Node *e) {
    if (!strcmp(e->op, "&&") || !strcmp(e->op, "||"))
        return lower_shortcircuit(e);
    Rvalue r = rv_new(RV_BINARY, e->ty, 2);
    r.op = e->op;
    Operand a = lower_read(e->a);
    if (e->autoref & 1) {
        a = through_ref(a);
    }
    a = settle(a, has_effects(e->b));
    Operand b = lower_read(e->b);
    if (e->autoref & 2) {
        b = through_ref(b);
    }
    r.args[0] = a;
    r.args[1] = b;
    return r;
}

/* e? : on failure convert (F.from), drop every open scope and return;
 * on success the payload moves out of the temporary. */
static Rvalue lower_try(Node *e) {
    Type *t = ty_res(e->a->ty);
    int mark = pending.len;
    Operand v = lower_operand(e->a);
    int q = temp(t);
    assign(mir_place(q), rv_use(v), mark);
    Rvalue d = rv_new(RV_DISCR, ty_i64, 0);
    d.place = mir_place(q);
    int dt = temp(ty_i64);
    assign(mir_place(dt), d, pending.len);
    MBlock *fail = mir_block(M), *ok = mir_block(M);
    /* Option: 1 = Some; Result: 0 = Ok */
    int okv = t->kind == TY_OPTION ? 1 : 0;
    int64_t vals[1] = {okv};
    MBlock *tg[1] = {ok};
    mir_switch(M, mir_copy(mir_place(dt)), 1, vals, tg, fail);
    mir_set(M, fail);
    Type *fr = ty_res(cur_ret);
    if (t->kind == TY_OPTION) {
        Rvalue none = aggregate(AG_VARIANT, fr, 0, 0);
        assign(mir_place(0), none, pending.len);
    } else {
        Operand err = mir_move(variant_field(mir_place(q), 1, 0));
        if (e->from_fn) {
            Rvalue c = rv_new(RV_CALL, e->from_fn->rtype, 1);
            c.fn = e->from_fn;
            c.args[0] = err;
            int ct = temp(c.ty);
            assign(mir_place(ct), c, pending.len);
            err = mir_move(mir_place(ct));
        }
        Rvalue er = aggregate(AG_VARIANT, fr, 1, 1);
        er.args[0] = err;
        assign(mir_place(0), er, pending.len);
    }
    emit_drops(0);
    mir_return(M);
    mir_set(M, ok);
    return rv_use(mir_move(variant_field(mir_place(q), okv, 0)));
}

static Rvalue lower_rvalue_at(Node *e);

/* ---- suspension points (async fns) ---- */

static bool in_async(void) { return M->fn->is_async; }

/* Ends the block at a suspension point whose result (of type t, or none)
 * lands in a fresh temporary; lowering continues in the resume block. */
static Rvalue suspend(SuspendKind k, Fn *fn, Operand *args, int nargs, Type *t, Pos pos, int mark) {
    MBlock *resume = mir_block(M);
    int d = unitish(t) ? -1 : temp(t);
    flush_pending(mark); /* the operands are consumed as the operation starts */
    MSuspend *sp = mir_suspend(M, k, resume, pos);
    sp->fn = fn;
    sp->args = args;
    sp->nargs = nargs;
    sp->dest = d;
    mir_set(M, resume);
    if (d < 0)
        return rv_use(const_of(C_UNIT, ty_unit));
    return rv_use(mir_move(mir_place(d)));
}

static bool chan_op(Node *e) {
    if (e->kind != N_CALL || e->res != R_BUILTIN_METHOD)
        return false;
    const Builtin *b = &builtins[e->builtin];
    return (b->recv == 'c' && (!strcmp(b->name, "send") || !strcmp(b->name, "recv") || !strcmp(b->name, "recv_opt"))) ||
           (b->recv == 'm' && !strcmp(b->name, "lock"));
}

/* A channel operation inside an async fn: a suspension point. */
static Rvalue lower_chan_op(Node *e) {
    const Builtin *b = &builtins[e->builtin];
    int mark = pending.len;
    Node *recv = e->a->a;
    if (!strcmp(b->name, "send") && recv->kind == N_IDENT && ty_res(recv->ty)->kind == TY_CHAN) {
        /* `ch <- v` on a local handle: the value first, then the handle is
         * read in place (no copy of it is kept across the value's code) */
        Operand *args = arena_alloc(2 * sizeof(Operand));
        args[1] = lower_operand(e->list.items[0]);
        args[0] = lower_read(recv);
        return suspend(SK_SEND, NULL, args, 2, ty_unit, e->pos, mark);
    }
    Type *ct = ty_res(recv->ty);
    Operand ch;
    if (ct->kind == TY_REF) {
        Operand r = lower_read(recv);
        ch = through_ref(r);
        ct = ty_res(ct->elem);
    } else {
        ch = lower_read(recv);
    }
    if (!strcmp(b->name, "lock")) {
        Operand *args = arena_alloc(sizeof(Operand));
        args[0] = ch;
        return suspend(SK_LOCK, NULL, args, 1, e->ty, e->pos, mark);
    }
    if (!strcmp(b->name, "send")) {
        Operand *args = arena_alloc(2 * sizeof(Operand));
        args[0] = settle(ch, has_effects(e->list.items[0]));
        args[1] = lower_operand(e->list.items[0]);
        return suspend(SK_SEND, NULL, args, 2, ty_unit, e->pos, mark);
    }
    Operand *args = arena_alloc(sizeof(Operand));
    args[0] = ch;
    return suspend(!strcmp(b->name, "recv") ? SK_RECV : SK_RECV_OPT, NULL, args, 1, e->ty, e->pos, mark);
}

static Rvalue lower_await(Node *e) {
    int mark = pending.len;
    switch (e->await_kind) {
    case 0:
    case 3: { /* an async fn call; boxed */
        Node *call = e->await_kind == 3 ? e->b : e->a;
        Rvalue c = lower_call(call);
        return suspend(e->await_kind == 3 ? SK_BOXED : SK_AWAIT, c.fn, c.args, c.nargs, e->ty, e->pos, mark);
    }
    case 4: { /* an async std operation: its row's arguments, receiver first */
        Rvalue c = lower_call(e->a);
        Rvalue r = suspend(SK_IO, NULL, c.args, c.nargs, e->ty, e->pos, mark);
        ((MSuspend *)M->susps.items[M->susps.len - 1])->builtin = c.builtin;
        return r;
    }
    case 1: { /* a Task: join */
        Operand *args = arena_alloc(sizeof(Operand));
        args[0] = lower_operand(e->a);
        return suspend(SK_JOIN, NULL, args, 1, e->ty, e->pos, mark);
    }
    default: { /* time.sleep(ms) */
        Operand *args = arena_alloc(sizeof(Operand));
        args[0] = lower_operand(e->a->list.items[0]);
        return suspend(SK_SLEEP, NULL, args, 1, ty_unit, e->pos, mark);
    }
    }
}

/* go f(args) / go { }: a task handle. */
static Rvalue lower_go(Node *e) {
    if (e->a) {
        Rvalue c = lower_call(e->a);
        Rvalue r = rv_new(RV_SPAWN, e->ty, 0);
        r.fn = c.fn;
        r.args = c.args;
        r.nargs = c.nargs;
        return r;
    }
    Rvalue r = rv_new(RV_SPAWN, e->ty, e->list.len);
    r.fn = e->go_fn;
    lower_operands(&e->list, NULL, false, r.args);
    return r;
}

/* Each MIR statement carries the position of the expression it comes
 * from (the operator of `a + b`, the call of `f(x)`). */
static Rvalue lower_rvalue(Node *e) {
    Pos save = cur_pos;
    if (e->pos.file && e->kind != N_BLOCK && e->kind != N_IF && e->kind != N_MATCH && e->kind != N_LOOP &&
        e->kind != N_WHILE && e->kind != N_FOR)
        cur_pos = e->pos;
    Rvalue r = lower_rvalue_at(e);
    cur_pos = save;
    return r;
}

static Rvalue lower_rvalue_at(Node *e) {
    switch (e->kind) {
    case N_INT: {
        Type *t = ty_res(e->ty);
        if (ty_is_float(t)) {
            Operand o = const_of(C_FLOAT, t);
            o.fval = (double)e->ival;
            return rv_use(o);
        }
        return rv_use(const_int(t, e->ival));
    }
    case N_FLOAT: {
        Operand o = const_of(C_FLOAT, ty_res(e->ty));
        o.fval = e->fval;
        return rv_use(o);
    }
    case N_BOOL:
        return rv_use(const_bool(e->ival != 0));
    case N_UNIT:
        return rv_use(const_of(C_UNIT, ty_unit));
    case N_STR:
        return rv_use(lit_str(e->sval, e->slen));
    case N_FSTR: {
        FmtBuild fb = {0};
        for (int i = 0; i < e->list.len; i++) {
            Node *p = e->list.items[i];
            if (!e->list2.items[i])
                fb_lit(&fb, p->sval, p->slen);
            else
                fb_arg(&fb, p, e->list2.items[i]);
        }
        return fb_finish(&fb, FM_STRING, ty_str);
    }
    case N_IDENT:
        if (e->res == R_LOCAL)
            return rv_use(lower_operand(e));
        if (e->res == R_CONST) {
            Rvalue r = rv_new(RV_CALL, e->ty, 0);
            r.fn = const_fn(e->name);
            return r;
        }
        if (e->res == R_VARIANT)
            return aggregate(AG_VARIANT, e->aux, e->index, 0);
        unreachable();
    case N_CALL:
        if (in_async() && chan_op(e))
            return lower_chan_op(e);
        if (e->res == R_STATIC && !e->fn && !strcmp(e->sval, "time") && !strcmp(e->name, "sleep") && in_async()) {
            int mark = pending.len;
            Operand *args = arena_alloc(sizeof(Operand));
            args[0] = lower_operand(e->list.items[0]);
            return suspend(SK_SLEEP, NULL, args, 1, ty_unit, e->pos, mark);
        }
        return lower_call(e);
    case N_AWAIT:
        return lower_await(e);
    case N_GO:
        return lower_go(e);
    case N_INTRINSIC:
        if (!strncmp(e->name, "$assert", 7)) {
            lower_assert(e);
            return rv_use(const_of(C_UNIT, ty_unit));
        }
        return lower_intrinsic(e);
    case N_FIELD:
        if (e->res == R_VARIANT)
            return aggregate(AG_VARIANT, e->aux, e->index, 0);
        return rv_use(lower_operand(e));
    case N_INDEX:
    case N_DEREF:
        return rv_use(lower_operand(e));
    case N_UNARY: {
        Type *t = ty_res(e->ty);
        if (!strcmp(e->op, "-") && e->a->kind == N_INT && ty_is_int(t))
            return rv_use(const_int(t, (uint64_t)0 - e->a->ival));
        Rvalue r = rv_new(RV_UNARY, t, 1);
        r.op = e->op;
        Operand a = lower_read(e->a);
        if (e->autoref) {
            a = through_ref(a);
        }
        r.args[0] = a;
        return r;
    }
    case N_REF: {
        Node *a = e->a;
        Place p;
        if (is_place_expr(a)) {
            p = lower_place(a);
        } else {
            /* `&make()`: the temporary lives as long as the enclosing block */
            int mark = pending.len;
            Operand v = lower_operand(a);
            int t = temp(a->ty);
            assign(mir_place(t), rv_use(v), mark);
            own_in(t, block_scope());
            p = mir_place(t);
        }
        Rvalue r = rv_new(RV_REF, e->ty, 0);
        r.place = p;
        r.mut = e->mut;
        return r;
    }
    case N_BINARY:
        return lower_binary(e);
    case N_CAST: {
        Rvalue r = rv_new(RV_CAST, e->ty, 1);
        r.args[0] = lower_read(e->a);
        return r;
    }
    case N_TRY:
        return lower_try(e);
    case N_STRUCTLIT: {
        Rvalue r = aggregate(AG_STRUCT, e->ty, 0, e->list.len);
        lower_operands(&e->list, &e->list2, false, r.args);
        return r;
    }
    case N_TUPLE: {
        Rvalue r = aggregate(AG_TUPLE, e->ty, 0, e->list.len);
        lower_operands(&e->list, NULL, false, r.args);
        return r;
    }
    case N_VECLIT: {
        Type *t = ty_res(e->ty);
        Rvalue r = aggregate(t->kind == TY_ARRAY ? AG_ARRAY : AG_VEC, e->ty, 0, e->list.len);
        lower_operands(&e->list, NULL, false, r.args);
        return r;
    }
    case N_IF: case N_MATCH: case N_BLOCK: case N_LOOP: case N_WHILE: case N_FOR:
    case N_RETURN: case N_BREAK: case N_CONTINUE: {
        /* control flow inside an expression: its value lands in a
         * temporary the expression then reads */
        if (unitish(e->ty)) {
            lower_into(e, NULL);
            if (ty_res(e->ty)->kind == TY_NEVER)
                return rv_use(const_of(C_ZERO, e->ty));
            return rv_use(const_of(C_UNIT, ty_unit));
        }
        int t = temp(e->ty);
        Place dst = mir_place(t);
        lower_into(e, &dst);
        return rv_use(mir_move(dst));
    }
    default:
        unreachable();
    }
}

/* ---- patterns ---- */

static Operand discr_of(Place p) {
    Rvalue d = rv_new(RV_DISCR, ty_i64, 0);
    d.place = p;
    int t = temp(ty_i64);
    assign(mir_place(t), d, pending.len);
    return mir_copy(mir_place(t));
}

static void test_bool(Rvalue cond, MBlock *fail) {
    int t = temp(ty_bool);
    assign(mir_place(t), cond, pending.len);
    MBlock *ok = mir_block(M);
    mir_branch(M, mir_copy(mir_place(t)), ok, fail);
    mir_set(M, ok);
}

static Rvalue compare(const char *op, Operand a, Operand b) {
    Rvalue r = rv_new(RV_BINARY, ty_bool, 2);
    r.op = op;
    r.args[0] = a;
    r.args[1] = b;
    return r;
}

static void bind_pattern(Node *p, Place path, bool declared);
/* Do by-value bindings move out of the matched place? Not in an arm with
 * a guard, which may fail and go on to the next arm (they clone). */
static bool bind_moves = true;

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

/* Tests that the value at path matches p, going to fail if not; an
 * or-pattern also binds its names on the alternative that matched. */
static void test_pattern(Node *p, Place path, MBlock *fail) {
    Type *t = ty_res(place_ty(path));
    switch (p->kind) {
    case P_WILD:
    case P_BIND:
        return;
    case P_LIT:
        test_bool(compare("==", mir_copy(path), lower_read(p->a)), fail);
        return;
    case P_RANGE:
        test_bool(compare(">=", mir_copy(path), lower_read(p->a)), fail);
        test_bool(compare(p->inclusive ? "<=" : "<", mir_copy(path), lower_read(p->b)), fail);
        return;
    case P_TUPLE:
        for (int i = 0; i < p->list.len; i++)
            test_pattern(p->list.items[i], project(path, PJ_FIELD, i, 0, t->elems[i]), fail);
        return;
    case P_VARIANT: {
        Operand d = discr_of(path);
        MBlock *ok = mir_block(M);
        int64_t v = p->index;
        mir_switch(M, d, 1, &v, &ok, fail);
        mir_set(M, ok);
        for (int i = 0; i < p->list.len; i++)
            test_pattern(p->list.items[i], variant_field(path, p->index, i), fail);
        return;
    }
    case P_OR: {
        Vec binds = {0};
        collect_binds(p, &binds);
        /* the names are declared once; each alternative assigns them */
        for (int i = 0; i < binds.len; i++) {
            Node *b = binds.items[i];
            b->sym->local = mir_local(M, LK_USER, b->sym->ty, b->sym->name, b->sym->pos);
        }
        for (int k = 1; k < p->list.len; k++) {
            Vec other = {0};
            collect_binds(p->list.items[k], &other);
            for (int i = 0; i < other.len; i++) {
                Node *o = other.items[i];
                for (int j = 0; j < binds.len; j++) {
                    Node *b = binds.items[j];
                    if (!strcmp(b->sym->name, o->sym->name))
                        o->sym->local = b->sym->local;
                }
            }
        }
        MBlock *done = mir_block(M);
        for (int i = 0; i < p->list.len; i++) {
            MBlock *next = i + 1 < p->list.len ? mir_block(M) : fail;
            test_pattern(p->list.items[i], path, next);
            bool moves = bind_moves;
            bind_moves = false; /* a later test may still fail: clone */
            bind_pattern(p->list.items[i], path, true);
            bind_moves = moves;
            mir_goto(M, done);
            if (next != fail)
                mir_set(M, next);
        }
        mir_set(M, done);
        return;
    }
    default:
        unreachable();
    }
}

/* Declares local for sym (a user binding) holding rv, owned by the block. */
static int declare(Sym *sym, Rvalue rv, int mark, Scope *s) {
    int l = mir_local(M, LK_USER, sym->ty, sym->name, sym->pos);
    sym->local = l;
    assign(mir_place(l), rv, mark);
    own_in(l, s);
    return l;
}

/* The bindings of p once its test passed: each name gets a copy (a clone
 * of an owned payload) or, when matching through a reference, a reference
 * into the matched value. `declared`: inside an or-pattern, the locals
 * exist already. */
static void bind_pattern(Node *p, Place path, bool declared) {
    Type *t = ty_res(place_ty(path));
    switch (p->kind) {
    case P_BIND: {
        Rvalue rv;
        if (p->autoref) {
            rv = rv_new(RV_REF, p->sym->ty, 0);
            rv.place = path;
            rv.mut = ty_res(p->sym->ty)->mut;
        } else if (owns(p->sym->ty)) {
            rv = rv_new(RV_CLONE, p->sym->ty, 0);
            rv.place = path;
            rv.owned = bind_moves; /* a by-value binding moves out of the matched value */
        } else {
            rv = rv_use(mir_copy(path));
        }
        if (declared) {
            int l = p->sym->local;
            assign(mir_place(l), rv, pending.len);
            own_in(l, block_scope());
        } else {
            declare(p->sym, rv, pending.len, block_scope());
        }
        return;
    }
    case P_TUPLE:
        for (int i = 0; i < p->list.len; i++)
            bind_pattern(p->list.items[i], project(path, PJ_FIELD, i, 0, t->elems[i]), declared);
        return;
    case P_VARIANT:
        for (int i = 0; i < p->list.len; i++)
            bind_pattern(p->list.items[i], variant_field(path, p->index, i), declared);
        return;
    default: /* P_OR binds in test_pattern */
        return;
    }
}

/* ---- statements and control flow ---- */

/* A condition: a bool operand; the temporaries it made are dropped before
 * the branch. */
static Operand lower_cond(Node *e) {
    push_scope(true);
    Operand c = lower_read(e);
    if (c.kind != OP_CONST && (c.place.nproj || ((Scope *)scopes.items[scopes.len - 1])->slots.len)) {
        int t = temp(ty_bool);
        assign(mir_place(t), rv_use(c), pending.len);
        c = mir_copy(mir_place(t));
    }
    pop_scope(true);
    return c;
}

static void lower_block_body(Node *b, Place *dst) {
    for (int i = 0; i < b->list.len; i++)
        lower_stmt(b->list.items[i]);
    if (b->c) {
        cur_pos = b->c->pos;
        push_scope(true);
        lower_into(b->c, dst);
        pop_scope(true);
    }
}

/* The body of a loop in a scope of its own (the loop variable), then a
 * jump to next (the condition, the step or the head). */
static void lower_loop_body(Node *body, MBlock *next, MBlock *exit, Sym *var, Rvalue *init) {
    Loop *lp = arena_alloc(sizeof(Loop));
    lp->brk = exit;
    lp->cont = next;
    lp->depth = scopes.len;
    vec_push(&loops, lp);
    push_scope(false);
    if (var)
        declare(var, *init, pending.len, block_scope());
    lower_block_body(body, NULL);
    pop_scope(!body->diverges);
    mir_goto(M, next);
    loops.len--;
}

static void lower_match(Node *e, Place *dst) {
    Type *st = ty_res(e->a->ty);
    Place path;
    push_scope(false);
    if (is_place_expr(e->a) && st->kind != TY_REF) {
        path = lower_place(e->a);
    } else {
        int mark = pending.len;
        Operand v = lower_operand(e->a);
        int m = temp(st);
        assign(mir_place(m), rv_use(v), mark);
        if (st->kind != TY_REF)
            own_in(m, block_scope());
        path = st->kind == TY_REF ? deref(mir_place(m)) : mir_place(m);
    }
    MBlock *end = mir_block(M);
    for (int i = 0; i < e->list.len; i++) {
        Node *arm = e->list.items[i];
        MBlock *next = mir_block(M), *fail = mir_block(M);
        cur_pos = arm->pos;
        push_scope(false);
        test_pattern(arm->a, path, fail);
        bind_moves = !arm->b;
        bind_pattern(arm->a, path, false);
        bind_moves = true;
        if (arm->b) {
            Operand g = lower_cond(arm->b);
            MBlock *pass = mir_block(M);
            mir_branch(M, g, pass, fail);
            mir_set(M, pass);
        }
        cur_pos = arm->c->pos;
        push_scope(true);
        lower_into(arm->c, unitish(arm->ty) ? NULL : dst);
        pop_scope(true);
        if (M->cur->term == MT_NONE)
            emit_drops(scopes.len - 1);
        mir_goto(M, end);
        mir_set(M, fail);
        emit_drops(scopes.len - 1);
        mir_goto(M, next);
        pop_scope(false);
        mir_set(M, next);
    }
    mir_unreachable(M);
    mir_set(M, end);
    pop_scope(true);
}

static void lower_for(Node *e) {
    MBlock *head = mir_block(M), *body = mir_block(M), *step = mir_block(M), *exit = mir_block(M);
    if (e->a->kind == N_RANGE) {
        Type *it = e->a->ty;
        int mark = pending.len;
        int lo = temp(it), hi = temp(it), v = temp(it);
        Operand l = lower_operand(e->a->a);
        l = settle(l, has_effects(e->a->b));
        Operand h = lower_operand(e->a->b);
        assign(mir_place(lo), rv_use(l), mark);
        assign(mir_place(hi), rv_use(h), pending.len);
        assign(mir_place(v), rv_use(mir_copy(mir_place(lo))), pending.len);
        if (e->a->inclusive) {
            MBlock *go = mir_block(M);
            int c = temp(ty_bool);
            assign(mir_place(c), compare("<=", mir_copy(mir_place(lo)), mir_copy(mir_place(hi))), pending.len);
            mir_branch(M, mir_copy(mir_place(c)), go, exit);
            mir_set(M, go);
            mir_goto(M, head);
            mir_set(M, head);
            mir_goto(M, body);
        } else {
            mir_goto(M, head);
            mir_set(M, head);
            int c = temp(ty_bool);
            assign(mir_place(c), compare("<", mir_copy(mir_place(v)), mir_copy(mir_place(hi))), pending.len);
            mir_branch(M, mir_copy(mir_place(c)), body, exit);
        }
        mir_set(M, body);
        Rvalue init = rv_use(mir_copy(mir_place(v)));
        lower_loop_body(e->b, step, exit, e->sym, &init);
        mir_set(M, step);
        if (e->a->inclusive) {
            MBlock *inc = mir_block(M);
            int c = temp(ty_bool);
            assign(mir_place(c), compare("==", mir_copy(mir_place(v)), mir_copy(mir_place(hi))), pending.len);
            mir_branch(M, mir_copy(mir_place(c)), exit, inc);
            mir_set(M, inc);
        }
        Rvalue inc = rv_new(RV_BUILTIN, it, 1);
        inc.builtin = builtin_find(NULL, "int.inc");
        inc.args[0] = mir_copy(mir_place(v));
        assign(mir_place(v), inc, pending.len);
        mir_goto(M, head);
        mir_set(M, exit);
        return;
    }
    Type *ct = ty_res(e->a->ty);
    if (ct->kind == TY_CHAN) {
        /* for v in ch: receive until the channel is closed and drained */
        push_scope(false);
        int mark = pending.len;
        Operand cv = lower_operand(e->a);
        int ch = temp(ct);
        assign(mir_place(ch), rv_use(cv), mark);
        own_in(ch, block_scope());
        mir_goto(M, head);
        mir_set(M, head);
        Type *ot = ty_wrap(TY_OPTION, ct->elem);
        Rvalue got;
        int mark2 = pending.len;
        if (in_async()) {
            Operand *args = arena_alloc(sizeof(Operand));
            args[0] = mir_copy(mir_place(ch));
            got = suspend(SK_RECV_OPT, NULL, args, 1, ot, e->pos, mark2);
        } else {
            got = builtin_rv(builtin_find(ct, "recv_opt"), ot, 1);
            got.args[0] = ref_temp(mir_place(ch), false);
        }
        int o = temp(ot);
        assign(mir_place(o), got, pending.len);
        Operand d = discr_of(mir_place(o));
        int64_t one = 1;
        mir_switch(M, d, 1, &one, &body, exit);
        mir_set(M, body);
        Rvalue init = rv_use(mir_move(variant_field(mir_place(o), 1, 0)));
        if (e->sym) {
            lower_loop_body(e->b, head, exit, e->sym, &init);
        } else {
            push_scope(false);
            int v = temp(ct->elem);
            assign(mir_place(v), init, pending.len);
            own_in(v, block_scope());
            MBlock *nomatch = mir_block(M);
            test_pattern(e->c, mir_place(v), nomatch);
            bind_pattern(e->c, mir_place(v), false);
            MBlock *inner = mir_block(M);
            lower_loop_body(e->b, inner, exit, NULL, NULL);
            mir_set(M, nomatch);
            mir_unreachable(M);
            mir_set(M, inner);
            pop_scope(true);
            mir_goto(M, head);
        }
        mir_set(M, step);
        mir_unreachable(M);
        mir_set(M, exit);
        pop_scope(true);
        return;
    }
    bool by_ref = ct->kind == TY_REF;
    if (by_ref)
        ct = ty_res(ct->elem);
    push_scope(false);
    Place c;
    int mark = pending.len;
    if (by_ref) {
        Operand r = lower_read(e->a);
        int p = temp(e->a->ty);
        assign(mir_place(p), rv_use(r), mark);
        c = deref(mir_place(p));
    } else {
        /* the loop owns the collection; each element is a copy */
        Operand v = lower_operand(e->a);
        int cl = temp(ct);
        assign(mir_place(cl), rv_use(v), mark);
        own_in(cl, block_scope());
        c = mir_place(cl);
    }
    int i = temp(ty_usize);
    assign(mir_place(i), rv_use(const_int(ty_usize, 0)), pending.len);
    mir_goto(M, head);
    mir_set(M, head);
    Operand len;
    if (ct->kind == TY_ARRAY) {
        len = const_int(ty_usize, (uint64_t)ct->n);
    } else {
        Rvalue lr = builtin_rv(builtin_find(ct, "len"), ty_usize, 1);
        lr.args[0] = ref_temp(c, false);
        int lt = temp(ty_usize);
        assign(mir_place(lt), lr, pending.len);
        len = mir_copy(mir_place(lt));
    }
    int cmp = temp(ty_bool);
    assign(mir_place(cmp), compare("<", mir_copy(mir_place(i)), len), pending.len);
    mir_branch(M, mir_copy(mir_place(cmp)), body, exit);
    mir_set(M, body);
    Proj pj = {0};
    pj.kind = PJ_INDEX;
    pj.index = i;
    pj.field = 1; /* unchecked: i < len was just tested */
    pj.ty = ct->elem;
    Place elem = mir_project(c, pj);
    if (e->sym) {
        Rvalue init;
        if (e->autoref) {
            init = rv_new(RV_REF, e->sym->ty, 0);
            init.place = elem;
        } else if (owns(e->sym->ty)) {
            init = rv_new(RV_CLONE, e->sym->ty, 0);
            init.place = elem;
        } else {
            init = rv_use(mir_copy(elem));
        }
        lower_loop_body(e->b, step, exit, e->sym, &init);
    } else {
        push_scope(false);
        MBlock *nomatch = mir_block(M);
        test_pattern(e->c, elem, nomatch);
        bind_pattern(e->c, elem, false);
        MBlock *inner_step = mir_block(M);
        lower_loop_body(e->b, inner_step, exit, NULL, NULL);
        mir_set(M, nomatch);
        mir_unreachable(M);
        mir_set(M, inner_step);
        pop_scope(true);
        mir_goto(M, step);
    }
    mir_set(M, step);
    Rvalue inc = rv_new(RV_BUILTIN, ty_usize, 1);
    inc.builtin = builtin_find(NULL, "int.inc");
    inc.args[0] = mir_copy(mir_place(i));
    assign(mir_place(i), inc, pending.len);
    mir_goto(M, head);
    mir_set(M, exit);
    pop_scope(true);
}

static void lower_into(Node *e, Place *dst) {
    switch (e->kind) {
    case N_BLOCK:
        push_scope(false);
        lower_block_body(e, unitish(e->ty) ? NULL : dst);
        pop_scope(!e->diverges);
        return;
    case N_IF: {
        MBlock *t = mir_block(M), *f = mir_block(M), *join = mir_block(M);
        Operand c = lower_cond(e->a);
        mir_branch(M, c, t, e->c ? f : join);
        mir_set(M, t);
        push_scope(true);
        lower_into(e->b, dst);
        pop_scope(true);
        mir_goto(M, join);
        mir_set(M, f);
        if (e->c) {
            push_scope(true);
            lower_into(e->c, dst);
            pop_scope(true);
        }
        mir_goto(M, join);
        mir_set(M, join);
        return;
    }
    case N_MATCH:
        lower_match(e, dst);
        return;
    case N_LOOP: {
        MBlock *head = mir_block(M), *exit = mir_block(M);
        mir_goto(M, head);
        mir_set(M, head);
        lower_loop_body(e->b, head, exit, NULL, NULL);
        mir_set(M, exit);
        return;
    }
    case N_WHILE: {
        MBlock *head = mir_block(M), *body = mir_block(M), *exit = mir_block(M);
        mir_goto(M, head);
        mir_set(M, head);
        Operand c = lower_cond(e->a);
        mir_branch(M, c, body, exit);
        mir_set(M, body);
        lower_loop_body(e->b, head, exit, NULL, NULL);
        mir_set(M, exit);
        return;
    }
    case N_FOR:
        lower_for(e);
        return;
    case N_RETURN: {
        int mark = pending.len;
        if (e->a && !unitish(e->a->ty))
            assign(mir_place(0), rv_use(lower_operand(e->a)), mark);
        else if (e->a)
            lower_into(e->a, NULL);
        emit_drops(0);
        mir_return(M);
        return;
    }
    case N_BREAK:
    case N_CONTINUE: {
        Loop *lp = loops.len ? loops.items[loops.len - 1] : NULL;
        if (!lp)
            unreachable();
        emit_drops(lp->depth);
        mir_goto(M, e->kind == N_BREAK ? lp->brk : lp->cont);
        return;
    }
    default: {
        int mark = pending.len;
        if (dst && !unitish(e->ty)) {
            Rvalue rv = lower_rvalue(e);
            assign(*dst, rv, mark);
            return;
        }
        if (is_place_expr(e)) {
            /* evaluated for its effects: an index still checks its bounds */
            eval(rv_use(mir_copy(lower_place(e))), mark);
            return;
        }
        Rvalue rv = lower_rvalue(e);
        if (rv.kind == RV_USE && (rv.args[0].kind == OP_CONST || !owns(rv.ty))) {
            flush_pending(mark);
            return;
        }
        if (owns(rv.ty) && ty_res(rv.ty)->kind != TY_NEVER) {
            int t = temp(rv.ty);
            assign(mir_place(t), rv, mark);
            drop_place(mir_place(t), -1);
        } else {
            eval(rv, mark);
        }
        return;
    }
    }
}

/* s = s + x: appends to s in place when s holds the only reference. */
static bool lower_append(Node *s) {
    Type *t = ty_res(s->a->ty);
    if (t->kind != TY_STR || strcmp(s->op, "=") || s->a->kind != N_IDENT || s->b->kind != N_BINARY ||
        strcmp(s->b->op, "+") || s->b->a->kind != N_IDENT || s->b->a->sym != s->a->sym || s->b->autoref)
        return false;
    int mark = pending.len;
    Operand x = lower_read(s->b->b);
    Rvalue r = builtin_rv(builtin_find(NULL, "str.append"), ty_str, 2);
    r.args[0] = mir_move(mir_place(s->a->sym->local));
    r.args[1] = x;
    assign(mir_place(s->a->sym->local), r, mark);
    return true;
}

static void lower_assign(Node *s) {
    if (lower_append(s))
        return;
    Type *t = ty_res(s->a->ty);
    int mark = pending.len;
    Operand rhs = lower_operand(s->b);
    /* the value first, then the place (Rust's order) */
    int v = temp(s->b->ty);
    assign(mir_place(v), rv_use(rhs), mark);
    Place place = lower_place(s->a);
    if (!strcmp(s->op, "=")) {
        if (owns(t)) {
            if (!place.nproj) {
                int l = place.local;
                if (loc(l)->flag >= 0)
                    drop_place(place, loc(l)->flag);
                assign(place, rv_use(mir_move(mir_place(v))), pending.len);
                if (loc(l)->flag >= 0)
                    set_flag(loc(l)->flag, true);
                return;
            }
            drop_place(place, -1);
        }
        assign(place, rv_use(mir_move(mir_place(v))), pending.len);
        return;
    }
    if (t->kind == TY_STR) {
        Rvalue r = builtin_rv(builtin_find(NULL, "str.append"), ty_str, 2);
        r.args[0] = mir_move(place);
        r.args[1] = mir_copy(mir_place(v));
        assign(place, r, pending.len);
        drop_place(mir_place(v), -1);
        return;
    }
    Rvalue r = rv_new(RV_BINARY, t, 2);
    r.op = s->name;
    r.args[0] = mir_copy(place);
    r.args[1] = mir_copy(mir_place(v));
    assign(place, r, pending.len);
}

static void lower_stmt(Node *s) {
    cur_pos = s->pos;
    push_scope(true);
    switch (s->kind) {
    case N_LET: {
        int mark = pending.len;
        if (s->c) {
            Place path;
            if (is_place_expr(s->a)) {
                path = lower_place(s->a);
            } else {
                Operand v = lower_operand(s->a);
                int p = temp(s->ty);
                assign(mir_place(p), rv_use(v), mark);
                own_in(p, block_scope());
                path = mir_place(p);
            }
            MBlock *nomatch = mir_block(M);
            test_pattern(s->c, path, nomatch);
            bind_pattern(s->c, path, false);
            MBlock *cont = mir_block(M);
            mir_goto(M, cont);
            mir_set(M, nomatch);
            mir_unreachable(M);
            mir_set(M, cont);
            break;
        }
        Rvalue rv = lower_rvalue(s->a);
        if (rv.kind == RV_REF && s->a->pos.file)
            cur_pos = s->a->pos; /* a loan points at its `&` (borrowck.c's diagnostics) */
        declare(s->sym, rv, mark, block_scope());
        break;
    }
    case N_ASSIGN:
        lower_assign(s);
        break;
    case N_EXPRSTMT:
        lower_into(s->a, NULL);
        break;
    default:
        unreachable();
    }
    pop_scope(true);
}

/* ---- functions ---- */

static MFn *lower_fn(Fn *f, const char *name) {
    M = mir_new_fn(f, name);
    f->mir = M;
    cur_ret = f->rtype;
    cur_pos = f->pos;
    loops.len = 0;
    scopes.len = 0;
    pending.len = 0;
    mir_local(M, LK_RET, f->rtype, NULL, f->pos);
    push_scope(false);
    /* by-value parameters are owned by the callee */
    for (int i = 0; i < f->params.len; i++) {
        Param *p = f->params.items[i];
        mir_local(M, LK_PARAM, f->ptypes[i], p->name, p->pos);
        M->nparams++;
    }
    for (int i = 0; i < f->captures.len; i++) { /* a `go { }` block's fn */
        Sym *c = f->captures.items[i];
        c->local = mir_local(M, LK_PARAM, c->ty, c->name, c->pos);
        M->nparams++;
    }
    for (int i = 0; i < f->captures.len; i++)
        own_in(((Sym *)f->captures.items[i])->local, block_scope());
    for (int i = 0; i < f->params.len; i++) {
        Sym *sym = ((Param *)f->params.items[i])->type->sym;
        if (sym) {
            sym->local = i + 1;
            own_in(i + 1, block_scope());
        }
    }
    bool unit = unitish(f->rtype);
    Place ret = mir_place(0);
    push_scope(true);
    lower_into(f->body, unit ? NULL : &ret);
    pop_scope(true);
    pop_scope(!f->body->diverges && ty_res(f->body->ty)->kind != TY_NEVER);
    mir_return(M);
    mir_elide_drops(M);
    return M;
}

MProgram *lower_program(Program *prog) {
    MProgram *mp = arena_alloc(sizeof(MProgram));
    memset(&const_fns, 0, sizeof const_fns);
    memset(&scopes, 0, sizeof scopes);
    memset(&loops, 0, sizeof loops);
    memset(&pending, 0, sizeof pending);
    /* a constant is a function of no arguments returning its value */
    for (int i = 0; i < prog->consts.len; i++) {
        Node *c = prog->consts.items[i];
        Fn *cf = arena_alloc(sizeof(Fn));
        cf->name = c->name;
        cf->cname = arena_printf("vx_const_%s", c->name);
        cf->pos = c->pos;
        cf->rtype = c->ty;
        cf->body = arena_alloc(sizeof(Node));
        cf->body->kind = N_BLOCK;
        cf->body->pos = c->pos;
        cf->body->c = c->a;
        cf->body->ty = c->ty;
        vec_push(&const_fns, cf);
    }
    for (int i = 0; i < const_fns.len; i++) {
        Fn *cf = const_fns.items[i];
        vec_push(&mp->consts, lower_fn(cf, arena_printf("const %s", cf->name)));
    }
    for (int i = 0; i < prog->fns.len; i++) {
        Fn *f = prog->fns.items[i];
        if (f->is_extern)
            continue;
        const char *name = f->owner ? arena_printf("%s.%s", f->owner, f->name) : f->name;
        vec_push(&mp->fns, lower_fn(f, name));
    }
    return mp;
}
