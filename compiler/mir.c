/*
 * mir.c - the MIR, Vex's mid-level IR (rustc's MIR; QBE's typed blocks).
 *
 * Per function: typed locals - the return slot _0, the parameters, user
 * bindings, temporaries and drop flags, each with its kind and where it
 * was declared - and a control-flow graph of basic blocks. A block is a
 * list of statements, each with its own source position:
 *
 *     place = rvalue        (MS_ASSIGN)
 *     drop(place) [if flag] (MS_DROP; a flagged drop also clears the flag)
 *     rvalue                (MS_EVAL: evaluated for its effect)
 *
 * and one terminator: goto, branch on a bool, switch on an integer,
 * return, unreachable. A place is a local and projections (deref, field,
 * index by a local, variant payload); an operand is a copy or a move of a
 * place, or a constant; an rvalue is a use, a reference, a checked
 * operator, a cast, an aggregate, a call, a built-in (a row of
 * builtins.c), a format, a discriminant read or a clone. No statement
 * jumps, and every local lives for the whole function, so any block can
 * be entered by a jump (the async lowering's resume points).
 *
 * This file owns the data, the analyses and the `--dump=mir` printer; it
 * knows nothing of C (emit.c prints MIR as C, lower.c builds it).
 *
 * Liveness is the backward dataflow live_in(B) = use(B) + (live_out(B) -
 * def(B)) over bitsets, iterated to a fixed point in reverse block order.
 * A statement uses every local its operands and places mention (a place
 * `x.f = ...` uses x: the rest of x stays live) and defines the local it
 * assigns whole. On top of it, the borrowed-locals analysis: a local whose
 * address is taken (`&x`, `&x.f`, a receiver lent to a method) stays live
 * while any reference derived from it may be used, so `let r = &x` keeps x
 * live as long as r is (mir_borrows gives, for each local, the locals it
 * may point into; derived references inherit their origins).
 */
#include <stdlib.h>
#include <string.h>

#include "vexc.h"

MFn *mir_new_fn(Fn *fn, const char *name) {
    MFn *m = arena_alloc(sizeof(MFn));
    m->fn = fn;
    m->name = name;
    m->cur = mir_block(m);
    return m;
}

int mir_local(MFn *m, LocalKind kind, Type *ty, const char *name, Pos pos) {
    MLocal *l = arena_alloc(sizeof(MLocal));
    l->kind = kind;
    l->ty = ty;
    l->name = name;
    l->pos = pos;
    l->of = -1;
    l->flag = -1;
    vec_push(&m->locals, l);
    return m->locals.len - 1;
}

MBlock *mir_block(MFn *m) {
    MBlock *b = arena_alloc(sizeof(MBlock));
    b->id = m->blocks.len;
    vec_push(&m->blocks, b);
    return b;
}

void mir_set(MFn *m, MBlock *b) { m->cur = b; }

MStmt *mir_stmt(MFn *m, MStmtKind kind, Pos pos) {
    if (m->cur->term != MT_NONE)
        m->cur = mir_block(m); /* code after a jump: an unreachable block */
    MStmt *s = arena_alloc(sizeof(MStmt));
    s->kind = kind;
    s->pos = pos;
    s->flag = -1;
    vec_push(&m->cur->stmts, s);
    return s;
}

static bool open_block(MFn *m) { return m->cur->term == MT_NONE; }

void mir_goto(MFn *m, MBlock *to) {
    if (!open_block(m))
        return;
    m->cur->term = MT_GOTO;
    m->cur->succ[0] = to->id;
}

void mir_branch(MFn *m, Operand cond, MBlock *then_b, MBlock *else_b) {
    if (!open_block(m))
        return;
    m->cur->term = MT_BRANCH;
    m->cur->cond = cond;
    m->cur->succ[0] = then_b->id;
    m->cur->succ[1] = else_b->id;
}

void mir_switch(MFn *m, Operand discr, int n, const int64_t *values, MBlock **targets, MBlock *otherwise) {
    if (!open_block(m))
        return;
    MBlock *b = m->cur;
    b->term = MT_SWITCH;
    b->cond = discr;
    b->ncases = n;
    b->values = arena_alloc(sizeof(int64_t) * (size_t)(n + 1));
    b->targets = arena_alloc(sizeof(int) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        b->values[i] = values[i];
        b->targets[i] = targets[i]->id;
    }
    b->succ[0] = otherwise->id;
}

void mir_return(MFn *m) {
    if (open_block(m))
        m->cur->term = MT_RETURN;
}

void mir_unreachable(MFn *m) {
    if (open_block(m))
        m->cur->term = MT_UNREACHABLE;
}

const char *mir_suspend_name(MSuspend *sp) {
    static const char *kinds[] = {"await", "await boxed", "join", "sleep", "send", "recv", "recv_opt", "lock"};
    if (sp->kind == SK_IO)
        return builtins[sp->builtin].name; /* net.connect, read, http.get, ... */
    return kinds[sp->kind];
}

MSuspend *mir_suspend(MFn *m, SuspendKind kind, MBlock *resume, Pos pos) {
    if (!open_block(m))
        m->cur = mir_block(m);
    MSuspend *s = arena_alloc(sizeof(MSuspend));
    s->kind = kind;
    s->dest = -1;
    s->pos = pos;
    vec_push(&m->susps, s);
    s->index = m->susps.len;
    m->cur->term = MT_SUSPEND;
    m->cur->susp = s;
    m->cur->succ[0] = resume->id;
    return s;
}

int mir_succs(MBlock *b, int *out) {
    switch (b->term) {
    case MT_GOTO:
    case MT_SUSPEND:
        if (out)
            out[0] = b->succ[0];
        return 1;
    case MT_BRANCH:
        if (out) {
            out[0] = b->succ[0];
            out[1] = b->succ[1];
        }
        return 2;
    case MT_SWITCH:
        if (out) {
            for (int i = 0; i < b->ncases; i++)
                out[i] = b->targets[i];
            out[b->ncases] = b->succ[0];
        }
        return b->ncases + 1;
    default:
        return 0;
    }
}

Place mir_place(int local) {
    Place p = {local, 0, NULL};
    return p;
}

Place mir_project(Place base, Proj pj) {
    Place p = base;
    p.proj = arena_alloc(sizeof(Proj) * (size_t)(base.nproj + 1));
    if (base.nproj)
        memcpy(p.proj, base.proj, sizeof(Proj) * (size_t)base.nproj);
    p.proj[p.nproj++] = pj;
    return p;
}

Operand mir_copy(Place p) {
    Operand o = {0};
    o.kind = OP_COPY;
    o.place = p;
    return o;
}

Operand mir_move(Place p) {
    Operand o = {0};
    o.kind = OP_MOVE;
    o.place = p;
    return o;
}

/* ---- bitsets ---- */

static uint64_t *bits_new(MFn *m) { return arena_alloc(sizeof(uint64_t) * (size_t)(m->nwords ? m->nwords : 1)); }
static void bit_set(uint64_t *s, int i) { s[i >> 6] |= (uint64_t)1 << (i & 63); }
static bool bit_get(const uint64_t *s, int i) { return (s[i >> 6] >> (i & 63)) & 1; }

bool mir_live(MFn *m, uint64_t *set, int local) { return set && local < m->locals.len && bit_get(set, local); }

/* ---- uses and defs ---- */

typedef void (*LocalFn)(void *ctx, int local);

static void visit_place(Place p, LocalFn f, void *ctx) {
    f(ctx, p.local);
    for (int i = 0; i < p.nproj; i++)
        if (p.proj[i].kind == PJ_INDEX)
            f(ctx, p.proj[i].index);
}

static void visit_operand(Operand o, LocalFn f, void *ctx) {
    if (o.kind != OP_CONST)
        visit_place(o.place, f, ctx);
}

static void visit_rvalue(Rvalue *r, LocalFn f, void *ctx) {
    for (int i = 0; i < r->nargs; i++)
        visit_operand(r->args[i], f, ctx);
    if (r->kind == RV_REF || r->kind == RV_DISCR || r->kind == RV_CLONE)
        visit_place(r->place, f, ctx);
}

typedef struct UseDef {
    uint64_t *use, *def;
} UseDef;

static void note_use(void *ctx, int l) {
    UseDef *ud = ctx;
    if (!bit_get(ud->def, l))
        bit_set(ud->use, l);
}

/* use(B) and def(B) of block b, statement by statement in order. */
static void block_use_def(MBlock *b, UseDef *ud) {
    for (int i = 0; i < b->stmts.len; i++) {
        MStmt *s = b->stmts.items[i];
        switch (s->kind) {
        case MS_ASSIGN:
            visit_rvalue(&s->rv, note_use, ud);
            if (s->place.nproj) {
                visit_place(s->place, note_use, ud);
            } else if (!bit_get(ud->use, s->place.local)) {
                bit_set(ud->def, s->place.local);
            }
            break;
        case MS_DROP:
            if (s->flag >= 0)
                note_use(ud, s->flag);
            visit_place(s->place, note_use, ud);
            break;
        case MS_EVAL:
            visit_rvalue(&s->rv, note_use, ud);
            break;
        }
    }
    if (b->term == MT_BRANCH || b->term == MT_SWITCH)
        visit_operand(b->cond, note_use, ud);
    if (b->term == MT_SUSPEND) {
        for (int i = 0; i < b->susp->nargs; i++)
            visit_operand(b->susp->args[i], note_use, ud);
        /* the result is written as the operation completes */
        if (b->susp->dest >= 0 && !bit_get(ud->use, b->susp->dest))
            bit_set(ud->def, b->susp->dest);
    }
}

/* ---- borrowed locals ---- */

typedef struct Origins {
    MFn *m;
    uint64_t **from; /* from[l]: the locals l may hold a reference into */
    uint64_t *acc;
    bool changed;
} Origins;

static void acc_origin(void *ctx, int l) {
    Origins *o = ctx;
    for (int w = 0; w < o->m->nwords; w++)
        o->acc[w] |= o->from[l][w];
}

uint64_t **mir_borrows(MFn *m) {
    int nl = m->locals.len;
    m->nwords = (nl + 63) / 64;
    Origins o = {m, arena_alloc(sizeof(uint64_t *) * (size_t)(nl + 1)), NULL, true};
    for (int i = 0; i < nl; i++)
        o.from[i] = bits_new(m);
    o.acc = bits_new(m);
    /* flow-insensitive: iterate until no origin set grows */
    while (o.changed) {
        o.changed = false;
        for (int b = 0; b < m->blocks.len; b++) {
            MBlock *bl = m->blocks.items[b];
            for (int i = 0; i < bl->stmts.len; i++) {
                MStmt *s = bl->stmts.items[i];
                if (s->kind != MS_ASSIGN || !ty_holds_ref(((MLocal *)m->locals.items[s->place.local])->ty))
                    continue;
                memset(o.acc, 0, sizeof(uint64_t) * (size_t)m->nwords);
                Rvalue *r = &s->rv;
                if (r->kind == RV_REF) {
                    /* &x.f borrows x; &(*r).f re-borrows what r points into */
                    bool through = false;
                    for (int k = 0; k < r->place.nproj; k++)
                        through |= r->place.proj[k].kind == PJ_DEREF;
                    if (!through)
                        bit_set(o.acc, r->place.local);
                    acc_origin(&o, r->place.local);
                } else {
                    /* anything built from a reference carries its origins */
                    for (int k = 0; k < r->nargs; k++)
                        if (r->args[k].kind != OP_CONST)
                            acc_origin(&o, r->args[k].place.local);
                    if (r->kind == RV_DISCR || r->kind == RV_CLONE)
                        acc_origin(&o, r->place.local);
                }
                uint64_t *dst = o.from[s->place.local];
                for (int w = 0; w < m->nwords; w++) {
                    if ((dst[w] | o.acc[w]) != dst[w]) {
                        dst[w] |= o.acc[w];
                        o.changed = true;
                    }
                }
            }
        }
    }
    return o.from;
}

void mir_liveness(MFn *m) {
    int nl = m->locals.len, nb = m->blocks.len;
    m->nwords = (nl + 63) / 64;
    int nw = m->nwords;
    uint64_t **from = mir_borrows(m);
    UseDef *ud = arena_alloc(sizeof(UseDef) * (size_t)(nb + 1));
    for (int b = 0; b < nb; b++) {
        MBlock *bl = m->blocks.items[b];
        ud[b].use = bits_new(m);
        ud[b].def = bits_new(m);
        bl->live_in = bits_new(m);
        block_use_def(bl, &ud[b]);
    }
    uint64_t *out = bits_new(m);
    int *succ = NULL;
    int maxs = 2;
    for (int b = 0; b < nb; b++) {
        int n = mir_succs(m->blocks.items[b], NULL);
        if (n > maxs)
            maxs = n;
    }
    succ = arena_alloc(sizeof(int) * (size_t)(maxs + 1));
    /* predecessor lists, for a worklist: a block is recomputed only when
     * a successor's live-in set grew (linear in practice, also on long
     * match chains whose block numbers do not follow the flow) */
    int *npred = arena_alloc(sizeof(int) * (size_t)(nb + 1)), *pstart = arena_alloc(sizeof(int) * (size_t)(nb + 2));
    for (int b = 0; b < nb; b++) {
        int ns = mir_succs(m->blocks.items[b], succ);
        for (int k = 0; k < ns; k++)
            npred[succ[k]]++;
    }
    for (int b = 0; b < nb; b++)
        pstart[b + 1] = pstart[b] + npred[b];
    int *preds = arena_alloc(sizeof(int) * (size_t)(pstart[nb] + 1)), *fill = arena_alloc(sizeof(int) * (size_t)(nb + 1));
    for (int b = 0; b < nb; b++) {
        int ns = mir_succs(m->blocks.items[b], succ);
        for (int k = 0; k < ns; k++)
            preds[pstart[succ[k]] + fill[succ[k]]++] = b;
    }
    int *work = arena_alloc(sizeof(int) * (size_t)(nb + 1));
    bool *queued = arena_alloc((size_t)nb + 1);
    int head = 0, count = 0;
    for (int b = nb - 1; b >= 0; b--) { /* every block once, last first */
        work[count++] = b;
        queued[b] = true;
    }
    while (count) {
        int b = work[head];
        head = (head + 1) % (nb + 1);
        count--;
        queued[b] = false;
        MBlock *bl = m->blocks.items[b];
        memset(out, 0, sizeof(uint64_t) * (size_t)nw);
        int ns = mir_succs(bl, succ);
        for (int k = 0; k < ns; k++) {
            MBlock *sb = m->blocks.items[succ[k]];
            for (int w = 0; w < nw; w++)
                out[w] |= sb->live_in[w];
        }
        bool changed = false;
        for (int w = 0; w < nw; w++) {
            uint64_t v = ud[b].use[w] | (out[w] & ~ud[b].def[w]);
            if (v != bl->live_in[w]) {
                bl->live_in[w] = v;
                changed = true;
            }
        }
        if (changed)
            for (int k = pstart[b]; k < pstart[b + 1]; k++)
                if (!queued[preds[k]]) {
                    queued[preds[k]] = true;
                    work[(head + count) % (nb + 1)] = preds[k];
                    count++;
                }
    }
    /* borrowed locals: whatever a live reference points into is live */
    for (int b = 0; b < nb; b++) {
        MBlock *bl = m->blocks.items[b];
        for (bool grew = true; grew;) {
            grew = false;
            for (int l = 0; l < nl; l++) {
                if (!bit_get(bl->live_in, l))
                    continue;
                for (int w = 0; w < nw; w++) {
                    uint64_t v = bl->live_in[w] | from[l][w];
                    if (v != bl->live_in[w]) {
                        bl->live_in[w] = v;
                        grew = true;
                    }
                }
            }
        }
    }
}

/* ---- drop elaboration ----
 * A forward dataflow over the drop flags: a flag is "maybe set" after
 * `f = const true` (or any other write), clear after `f = const false` and
 * after a drop it guards (a flagged drop clears its flag); at a join the
 * union. Every local starts zeroed, so every flag starts clear. A drop
 * whose flag is clear on every path reaching it can never run: removed. */

static bool flag_write(MFn *m, MStmt *s, bool *val) {
    if (s->kind != MS_ASSIGN || s->place.nproj)
        return false;
    MLocal *l = m->locals.items[s->place.local];
    if (l->kind != LK_FLAG)
        return false;
    Operand *o = s->rv.kind == RV_USE ? &s->rv.args[0] : NULL;
    *val = !(o && o->kind == OP_CONST && o->ck == C_BOOL && !o->ival);
    return true;
}

/* The sets are over the flags only (fi maps a local to its flag number),
 * so the cost follows the number of flags, not of locals. */
static void flags_through(MFn *m, MBlock *b, uint64_t *set, const int *fi, bool elide) {
    int w = 0;
    for (int i = 0; i < b->stmts.len; i++) {
        MStmt *s = b->stmts.items[i];
        bool val;
        if (flag_write(m, s, &val)) {
            int f = fi[s->place.local];
            if (val)
                set[f >> 6] |= (uint64_t)1 << (f & 63);
            else
                set[f >> 6] &= ~((uint64_t)1 << (f & 63));
        } else if (s->kind == MS_DROP && s->flag >= 0) {
            int f = fi[s->flag];
            if (elide && !((set[f >> 6] >> (f & 63)) & 1))
                continue; /* never runs: dropped from the block */
            set[f >> 6] &= ~((uint64_t)1 << (f & 63));
        }
        if (elide)
            b->stmts.items[w++] = s;
    }
    if (elide)
        b->stmts.len = w;
}

void mir_elide_drops(MFn *m) {
    int nb = m->blocks.len, nl = m->locals.len, nf = 0;
    int *fi = arena_alloc(sizeof(int) * (size_t)(nl + 1));
    for (int l = 0; l < nl; l++)
        fi[l] = ((MLocal *)m->locals.items[l])->kind == LK_FLAG ? nf++ : -1;
    if (!nf)
        return;
    int nw = (nf + 63) / 64;
    uint64_t *in = arena_alloc(sizeof(uint64_t) * (size_t)nw * (size_t)nb);
    bool *seen = arena_alloc((size_t)nb + 1), *queued = arena_alloc((size_t)nb + 1);
    int *work = arena_alloc(sizeof(int) * (size_t)(nb + 1));
    uint64_t *cur = arena_alloc(sizeof(uint64_t) * (size_t)nw);
    int maxs = 2;
    for (int b = 0; b < nb; b++) {
        int n = mir_succs(m->blocks.items[b], NULL);
        maxs = n > maxs ? n : maxs;
    }
    int *succ = arena_alloc(sizeof(int) * (size_t)(maxs + 1));
    /* a worklist (a ring of block numbers): each block is queued at most
     * once at a time, and again only when its input set grew */
    int head = 0, count = 1;
    work[0] = 0;
    seen[0] = queued[0] = true;
    while (count) {
        int b = work[head];
        head = (head + 1) % (nb + 1);
        count--;
        queued[b] = false;
        memcpy(cur, in + (size_t)b * (size_t)nw, sizeof(uint64_t) * (size_t)nw);
        flags_through(m, m->blocks.items[b], cur, fi, false);
        int ns = mir_succs(m->blocks.items[b], succ);
        for (int k = 0; k < ns; k++) {
            int t = succ[k];
            uint64_t *tin = in + (size_t)t * (size_t)nw;
            bool grew = !seen[t];
            seen[t] = true;
            for (int x = 0; x < nw; x++)
                if ((tin[x] | cur[x]) != tin[x]) {
                    tin[x] |= cur[x];
                    grew = true;
                }
            if (grew && !queued[t]) {
                queued[t] = true;
                work[(head + count) % (nb + 1)] = t;
                count++;
            }
        }
    }
    for (int b = 0; b < nb; b++) {
        memcpy(cur, in + (size_t)b * (size_t)nw, sizeof(uint64_t) * (size_t)nw);
        flags_through(m, m->blocks.items[b], cur, fi, true);
    }
}

/* ---- the --dump=mir printer ---- */

static const char *place_str(Place p) {
    const char *s = arena_printf("_%d", p.local);
    for (int i = 0; i < p.nproj; i++) {
        Proj *pj = &p.proj[i];
        switch (pj->kind) {
        case PJ_DEREF: s = arena_printf("(*%s)", s); break;
        case PJ_FIELD: s = arena_printf("%s.%d", s, pj->field); break;
        case PJ_INDEX: s = arena_printf("%s[_%d]", s, pj->index); break;
        case PJ_VARIANT: s = arena_printf("(%s as %d).%d", s, pj->variant, pj->field); break;
        }
    }
    return s;
}

static void dump_string(FILE *out, const char *s, int n) {
    fputc('"', out);
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c < 32 || c >= 127)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void dump_pl(FILE *out, Place p) { fputs(place_str(p), out); }

static void dump_operand(FILE *out, Operand o) {
    switch (o.kind) {
    case OP_COPY: fputs("copy ", out); dump_pl(out, o.place); return;
    case OP_MOVE: fputs("move ", out); dump_pl(out, o.place); return;
    case OP_CONST: break;
    }
    fputs("const ", out);
    switch (o.ck) {
    case C_INT:
        if (ty_is_signed(o.ty))
            fprintf(out, "%lld_%s", (long long)o.ival, ty_str_of(o.ty));
        else
            fprintf(out, "%llu_%s", (unsigned long long)o.ival, ty_str_of(o.ty));
        return;
    case C_FLOAT: fprintf(out, "%.17g_%s", o.fval, ty_str_of(o.ty)); return;
    case C_BOOL: fputs(o.ival ? "true" : "false", out); return;
    case C_UNIT: fputs("()", out); return;
    case C_STR: dump_string(out, o.sval, o.slen); return;
    case C_NONE_VARIANT: fprintf(out, "variant %llu", (unsigned long long)o.ival); return;
    case C_ZERO: fprintf(out, "zeroed %s", ty_str_of(o.ty)); return;
    }
}

static void dump_args(FILE *out, Rvalue *r, int from) {
    fputc('(', out);
    for (int i = from; i < r->nargs; i++) {
        if (i > from)
            fputs(", ", out);
        dump_operand(out, r->args[i]);
    }
    fputc(')', out);
}

static void dump_rvalue(FILE *out, Rvalue *r) {
    static const char *aggs[] = {"tuple", "struct", "array", "vec", "variant"};
    static const char *fmts[] = {"string", "print", "eprint", "println", "eprintln", "panic"};
    switch (r->kind) {
    case RV_USE: dump_operand(out, r->args[0]); return;
    case RV_REF: fputs(r->mut ? "&mut " : "&", out); dump_pl(out, r->place); return;
    case RV_BINARY:
        fprintf(out, "%s ", r->op);
        dump_args(out, r, 0);
        return;
    case RV_UNARY:
        fprintf(out, "unary%s ", r->op);
        dump_args(out, r, 0);
        return;
    case RV_CAST:
        dump_operand(out, r->args[0]);
        fprintf(out, " as %s", ty_str_of(r->ty));
        return;
    case RV_AGGREGATE:
        fprintf(out, "%s %s", aggs[r->agg], ty_str_of(r->ty));
        if (r->agg == AG_VARIANT)
            fprintf(out, "::%d", r->variant);
        dump_args(out, r, 0);
        return;
    case RV_CALL:
        fprintf(out, "call %s%s%s", r->fn->owner ? r->fn->owner : "", r->fn->owner ? "." : "", r->fn->name);
        dump_args(out, r, 0);
        return;
    case RV_BUILTIN:
        fprintf(out, "builtin %s%s", builtins[r->builtin].name, r->owned ? "[owned]" : "");
        dump_args(out, r, 0);
        return;
    case RV_FORMAT:
        fprintf(out, "format %s [", fmts[r->fmt]);
        for (int i = 0; i < r->npieces; i++) {
            if (i)
                fputs(", ", out);
            FmtPiece *p = &r->pieces[i];
            if (p->lit) {
                dump_string(out, p->lit, p->litlen);
            } else {
                fputc('{', out);
                dump_operand(out, r->args[p->arg]);
                if (p->mode == FMT_DEBUG)
                    fputs(":?", out);
                else if (p->mode >= 0)
                    fprintf(out, ":.%d", p->mode);
                fputc('}', out);
            }
        }
        fputc(']', out);
        return;
    case RV_DISCR: fputs("discriminant(", out); dump_pl(out, r->place); fputc(')', out); return;
    case RV_CLONE: fputs("clone(", out); dump_pl(out, r->place); fputc(')', out); return;
    case RV_SPAWN:
        fprintf(out, "spawn %s", r->fn->name);
        dump_args(out, r, 0);
        return;
    }
}

static const char *kind_name(LocalKind k) {
    static const char *n[] = {"return", "param", "let", "temp", "flag"};
    return n[k];
}

void mir_dump(MFn *m, FILE *out) {
    fprintf(out, "fn %s(", m->name);
    for (int i = 1; i <= m->nparams; i++) {
        MLocal *l = m->locals.items[i];
        fprintf(out, "%s_%d: %s", i > 1 ? ", " : "", i, ty_str_of(l->ty));
    }
    fprintf(out, ") -> %s {\n", ty_str_of(((MLocal *)m->locals.items[0])->ty));
    for (int i = 0; i < m->locals.len; i++) {
        MLocal *l = m->locals.items[i];
        fprintf(out, "    let _%d: %s; // %s", i, ty_str_of(l->ty), kind_name(l->kind));
        if (l->name)
            fprintf(out, " %s", l->name);
        if (l->kind == LK_FLAG)
            fprintf(out, " of _%d", l->of);
        if (l->pos.line)
            fprintf(out, " @%d:%d", l->pos.line, l->pos.col);
        fputc('\n', out);
    }
    mir_liveness(m);
    for (int b = 0; b < m->blocks.len; b++) {
        MBlock *bl = m->blocks.items[b];
        fprintf(out, "  bb%d: // live in:", bl->id);
        for (int i = 0; i < m->locals.len; i++)
            if (bit_get(bl->live_in, i))
                fprintf(out, " _%d", i);
        fputc('\n', out);
        for (int i = 0; i < bl->stmts.len; i++) {
            MStmt *s = bl->stmts.items[i];
            fputs("    ", out);
            switch (s->kind) {
            case MS_ASSIGN:
                dump_pl(out, s->place);
                fputs(" = ", out);
                dump_rvalue(out, &s->rv);
                break;
            case MS_DROP:
                fputs("drop(", out);
                dump_pl(out, s->place);
                fputc(')', out);
                if (s->flag >= 0)
                    fprintf(out, " if _%d", s->flag);
                break;
            case MS_EVAL:
                dump_rvalue(out, &s->rv);
                break;
            }
            fprintf(out, "; // @%d:%d\n", s->pos.line, s->pos.col);
        }
        switch (bl->term) {
        case MT_GOTO: fprintf(out, "    goto -> bb%d;\n", bl->succ[0]); break;
        case MT_BRANCH:
            fputs("    branch ", out);
            dump_operand(out, bl->cond);
            fprintf(out, " -> [true: bb%d, false: bb%d];\n", bl->succ[0], bl->succ[1]);
            break;
        case MT_SWITCH:
            fputs("    switch ", out);
            dump_operand(out, bl->cond);
            fputs(" -> [", out);
            for (int i = 0; i < bl->ncases; i++)
                fprintf(out, "%lld: bb%d, ", (long long)bl->values[i], bl->targets[i]);
            fprintf(out, "otherwise: bb%d];\n", bl->succ[0]);
            break;
        case MT_RETURN: case MT_NONE: fputs("    return;\n", out); break;
        case MT_UNREACHABLE: fputs("    unreachable;\n", out); break;
        case MT_SUSPEND: {
            MSuspend *sp = bl->susp;
            fprintf(out, "    ");
            if (sp->dest >= 0)
                fprintf(out, "_%d = ", sp->dest);
            fprintf(out, "suspend %d %s", sp->index, mir_suspend_name(sp));
            if (sp->fn)
                fprintf(out, " %s", sp->fn->name);
            fputc('(', out);
            for (int i = 0; i < sp->nargs; i++) {
                if (i)
                    fputs(", ", out);
                dump_operand(out, sp->args[i]);
            }
            fprintf(out, ") -> bb%d; // @%d:%d\n", bl->succ[0], sp->pos.line, sp->pos.col);
            break;
        }
        }
    }
    fputs("}\n", out);
}
