/*
 * async.c - the async analyses, on the whole program's MIR (lower.c has
 * already turned every await, channel operation and sleep into an
 * MT_SUSPEND terminator; see docs/design/async-lowering.md).
 *
 * 1. Which async fns suspend. An async fn suspends when it has a leaf
 *    suspension point (join, sleep, send, recv) or awaits a callee that
 *    suspends: a fixed point over the async call graph. An async fn that
 *    never suspends is emitted as a plain C function and awaiting it is a
 *    call (finding F6: no frame header stores on the ready path).
 * 2. Unboxed async recursion (E0603). A suspending callee's frame is
 *    embedded in its awaiting caller's frame, so a cycle of such awaits
 *    would make the frame infinite. `await Box.new(f(x))` breaks the cycle
 *    (that frame is on the heap) and `await go f(x)` too (a task).
 * 3. The frame of each suspending fn: the locals live across a suspension
 *    point (live into its resume block, with the borrowed-locals closure:
 *    a local a live reference points into stays in the frame, which never
 *    moves - automatic Pin). Parameters and the result slot are always in
 *    the frame (the caller writes and reads them there); every other local
 *    stays a C local of the resume function.
 *
 * `vex frames` prints what this computes, with the C layout of each slot.
 */
#include <string.h>

#include "vexc.h"
#include "../runtime/vexrt.h" /* the op frames' sizes (io_slot_size) */

static bool leaf(SuspendKind k) { return k != SK_AWAIT && k != SK_BOXED; }

/* ---- sizes (the C layout emit.c produces, for the report) ---- */

static int align_of(Type *t);

/* The bytes of an async std operation's op frame: libvexrt's own sizes
 * (the compiler is built with the runtime it emits code for). */
static int io_slot_size(const char *slot) {
    if (!strcmp(slot, "vx_net_op"))
        return (int)sizeof(vx_net_op);
    if (!strcmp(slot, "vx_http_op"))
        return (int)sizeof(vx_http_op);
    if (!strcmp(slot, "vx_http_fetch_op"))
        return (int)sizeof(vx_http_fetch_op);
    unreachable();
}

static int round_up(int n, int a) { return (n + a - 1) / a * a; }

int ty_size_guess(Type *t) {
    t = ty_res(t);
    switch (t->kind) {
    case TY_UNIT: case TY_NEVER: case TY_BOOL: case TY_I8: case TY_U8: case TY_VAR: return 1;
    case TY_I16: case TY_U16: return 2;
    case TY_I32: case TY_U32: case TY_F32: return 4;
    case TY_I64: case TY_U64: case TY_USIZE: case TY_F64: return 8;
    case TY_STR: case TY_BOX: case TY_REF: case TY_CPTR: case TY_TASK: case TY_CHAN: case TY_MUTEX: case TY_GUARD:
    case TY_HANDLE:
        return 8;
    case TY_VEC: return 24;
    case TY_OPTION: {
        int a = align_of(t->elem);
        return round_up(round_up(1, a) + ty_size_guess(t->elem), a);
    }
    case TY_RESULT: {
        int a = align_of(t->elem) > align_of(t->err) ? align_of(t->elem) : align_of(t->err);
        int n = round_up(1, align_of(t->elem)) + ty_size_guess(t->elem);
        n = round_up(n, align_of(t->err)) + ty_size_guess(t->err);
        return round_up(n, a);
    }
    case TY_ARRAY: return (int)(t->n > 0 ? t->n : 1) * ty_size_guess(t->elem);
    case TY_TUPLE: {
        int n = 0, a = 1;
        for (int i = 0; i < t->nelems; i++) {
            int ea = align_of(t->elems[i]);
            n = round_up(n, ea) + ty_size_guess(t->elems[i]);
            a = ea > a ? ea : a;
        }
        return round_up(n ? n : 1, a);
    }
    case TY_STRUCT: {
        int n = 0, a = 1;
        for (int i = 0; i < t->sd->fields.len; i++) {
            Type *ft = ((Field *)t->sd->fields.items[i])->ty;
            int ea = align_of(ft);
            n = round_up(n, ea) + ty_size_guess(ft);
            a = ea > a ? ea : a;
        }
        return round_up(n ? n : 1, a);
    }
    case TY_ENUM: {
        int n = 4, a = 4;
        for (int i = 0; i < t->ed->variants.len; i++) {
            Variant *v = t->ed->variants.items[i];
            int m = 0, va = 1;
            for (int j = 0; j < v->ntys; j++) {
                int ea = align_of(v->tys[j]);
                m = round_up(m, ea) + ty_size_guess(v->tys[j]);
                va = ea > va ? ea : va;
            }
            a = va > a ? va : a;
            int total = round_up(4, va) + m;
            n = total > n ? total : n;
        }
        return round_up(n, a);
    }
    }
    return 8;
}

static int align_of(Type *t) {
    t = ty_res(t);
    switch (t->kind) {
    case TY_OPTION: case TY_ARRAY: return align_of(t->elem) > 1 ? align_of(t->elem) : 1;
    case TY_RESULT: return align_of(t->elem) > align_of(t->err) ? align_of(t->elem) : align_of(t->err);
    case TY_TUPLE: case TY_STRUCT: case TY_ENUM: {
        int s = ty_size_guess(t);
        return s >= 8 ? 8 : s >= 4 ? 4 : s >= 2 ? 2 : 1;
    }
    default: {
        int s = ty_size_guess(t);
        return s > 8 ? 8 : s;
    }
    }
}

/* ---- the analyses ---- */

static MFn *mir_of(Fn *f) { return f ? f->mir : NULL; }

enum { WHITE, GREY, BLACK };

/* Depth-first over "embeds the frame of": a grey callee is a cycle. */
static void find_cycle(MFn *m, int *color, MProgram *mp) {
    int me = -1;
    for (int i = 0; i < mp->fns.len; i++)
        if (mp->fns.items[i] == m)
            me = i;
    color[me] = GREY;
    for (int i = 0; i < m->susps.len; i++) {
        MSuspend *s = m->susps.items[i];
        if (s->kind != SK_AWAIT || !s->fn->suspends)
            continue;
        MFn *c = mir_of(s->fn);
        int ci = -1;
        for (int j = 0; j < mp->fns.len; j++)
            if (mp->fns.items[j] == c)
                ci = j;
        if (ci < 0)
            continue;
        if (color[ci] == GREY) {
            diag_help("put the callee's frame on the heap: `await Box.new(%s(...))`", s->fn->name);
            diag_note(s->fn->pos, "`%s` is defined here", s->fn->name);
            error_at(s->pos, "E0603",
                     "recursive async fn: `%s` awaits `%s` directly, so its state would contain itself", m->fn->name,
                     s->fn->name);
        }
        if (color[ci] == WHITE)
            find_cycle(c, color, mp);
    }
    color[me] = BLACK;
}

/* ---- shared frame storage ----
 * Two frame slots whose values are never live at the same time can share
 * storage (a union). Two locals interfere when one is defined (or written
 * by a suspension's completion) while the other is live, the classic
 * interference graph, built from liveness statement by statement; a
 * greedy colouring, largest slot first, groups the rest. Parameters and
 * the result keep fields of their own (the caller writes and reads them). */

static void frame_sharing(MFn *m) {
    int nl = m->locals.len, nw = m->nwords;
    int *idx = arena_alloc(sizeof(int) * (size_t)(nl + 1)); /* frame local -> dense number */
    int *loc = arena_alloc(sizeof(int) * (size_t)(nl + 1));
    int n = 0;
    m->share = arena_alloc(sizeof(int) * (size_t)(nl + 1));
    for (int l = 0; l < nl; l++) {
        m->share[l] = -1;
        idx[l] = -1;
        if (l > m->nparams && mir_live(m, m->in_frame, l)) {
            idx[l] = n;
            loc[n++] = l;
        }
    }
    if (n < 2 || n > 4096)
        return;
    int rw = (n + 63) / 64;
    uint64_t *inter = arena_alloc(sizeof(uint64_t) * (size_t)rw * (size_t)n);
#define INTERFERE(a, b)                                                                              \
    do {                                                                                             \
        int a_ = (a), b_ = (b);                                                                      \
        inter[(size_t)a_ * (size_t)rw + (size_t)(b_ >> 6)] |= (uint64_t)1 << (b_ & 63);              \
        inter[(size_t)b_ * (size_t)rw + (size_t)(a_ >> 6)] |= (uint64_t)1 << (a_ & 63);              \
    } while (0)
    uint64_t *live = arena_alloc(sizeof(uint64_t) * (size_t)(nw ? nw : 1));
    int *succ = arena_alloc(sizeof(int) * 1024);
    for (int b = 0; b < m->blocks.len; b++) {
        MBlock *bl = m->blocks.items[b];
        memset(live, 0, sizeof(uint64_t) * (size_t)nw);
        int ns = mir_succs(bl, NULL);
        if (ns > 1024)
            return; /* keep separate fields */
        mir_succs(bl, succ);
        for (int k = 0; k < ns; k++) {
            MBlock *sb = m->blocks.items[succ[k]];
            for (int w = 0; w < nw; w++)
                live[w] |= sb->live_in[w];
        }
        if (bl->term == MT_SUSPEND) {
            int d = bl->susp->dest;
            if (d >= 0 && idx[d] >= 0)
                for (int l = 0; l < nl; l++)
                    if (l != d && idx[l] >= 0 && mir_live(m, live, l))
                        INTERFERE(idx[d], idx[l]);
            if (d >= 0)
                live[d >> 6] &= ~((uint64_t)1 << (d & 63));
            for (int i = 0; i < bl->susp->nargs; i++)
                if (bl->susp->args[i].kind != OP_CONST) {
                    Place p = bl->susp->args[i].place;
                    live[p.local >> 6] |= (uint64_t)1 << (p.local & 63);
                    for (int j = 0; j < p.nproj; j++)
                        if (p.proj[j].kind == PJ_INDEX)
                            live[p.proj[j].index >> 6] |= (uint64_t)1 << (p.proj[j].index & 63);
                }
        }
        if ((bl->term == MT_BRANCH || bl->term == MT_SWITCH) && bl->cond.kind != OP_CONST)
            live[bl->cond.place.local >> 6] |= (uint64_t)1 << (bl->cond.place.local & 63);
        for (int i = bl->stmts.len - 1; i >= 0; i--) {
            MStmt *st = bl->stmts.items[i];
            int d = st->kind == MS_ASSIGN && !st->place.nproj ? st->place.local : -1;
            if (d >= 0 && idx[d] >= 0)
                for (int l = 0; l < nl; l++)
                    if (l != d && idx[l] >= 0 && mir_live(m, live, l))
                        INTERFERE(idx[d], idx[l]);
            if (d >= 0)
                live[d >> 6] &= ~((uint64_t)1 << (d & 63));
            /* what the statement reads */
            Place ps[64];
            int np = 0;
            if (st->kind == MS_ASSIGN && st->place.nproj)
                ps[np++] = st->place;
            if (st->kind == MS_DROP) {
                ps[np++] = st->place;
                if (st->flag >= 0)
                    live[st->flag >> 6] |= (uint64_t)1 << (st->flag & 63);
            } else {
                Rvalue *r = &st->rv;
                if (r->kind == RV_REF || r->kind == RV_DISCR || r->kind == RV_CLONE)
                    ps[np++] = r->place;
                for (int k = 0; k < r->nargs; k++) {
                    if (r->args[k].kind == OP_CONST)
                        continue;
                    if (np == 64)
                        return; /* a huge aggregate: keep separate fields */
                    ps[np++] = r->args[k].place;
                }
            }
            for (int k = 0; k < np; k++) {
                live[ps[k].local >> 6] |= (uint64_t)1 << (ps[k].local & 63);
                for (int j = 0; j < ps[k].nproj; j++)
                    if (ps[k].proj[j].kind == PJ_INDEX)
                        live[ps[k].proj[j].index >> 6] |= (uint64_t)1 << (ps[k].proj[j].index & 63);
            }
        }
    }
#undef INTERFERE
    /* a reference's referent stays live with it: never share those */
    uint64_t **from = mir_borrows(m);
    for (int a = 0; a < n; a++)
        for (int l = 0; l < nl; l++)
            if (mir_live(m, from[loc[a]], l) && idx[l] >= 0) {
                int b2 = idx[l];
                inter[(size_t)a * (size_t)rw + (size_t)(b2 >> 6)] |= (uint64_t)1 << (b2 & 63);
                inter[(size_t)b2 * (size_t)rw + (size_t)(a >> 6)] |= (uint64_t)1 << (a & 63);
            }
    /* greedy colouring, largest first */
    int *order = arena_alloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int i = 1; i < n; i++) {
        int x = order[i], j = i;
        int sx = ty_size_guess(((MLocal *)m->locals.items[loc[x]])->ty);
        while (j > 0 && ty_size_guess(((MLocal *)m->locals.items[loc[order[j - 1]]])->ty) < sx) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = x;
    }
    int *color = arena_alloc(sizeof(int) * (size_t)n);
    int ncolors = 0;
    for (int i = 0; i < n; i++) {
        int a = order[i];
        int c = 0;
        for (;; c++) {
            bool clash = false;
            for (int j = 0; j < i && !clash; j++) {
                int b2 = order[j];
                if (color[b2] == c && ((inter[(size_t)a * (size_t)rw + (size_t)(b2 >> 6)] >> (b2 & 63)) & 1))
                    clash = true;
            }
            if (!clash)
                break;
        }
        color[a] = c;
        ncolors = c + 1 > ncolors ? c + 1 : ncolors;
    }
    /* a colour with one member keeps a field of its own */
    int *members = arena_alloc(sizeof(int) * (size_t)(ncolors + 1));
    for (int a = 0; a < n; a++)
        members[color[a]]++;
    for (int a = 0; a < n; a++)
        if (members[color[a]] > 1)
            m->share[loc[a]] = color[a];
}

/* ---- suspension safety (E0601, E0602) ----
 * At every suspension point, each local live into its resume block (what
 * the frame keeps) must be safe to keep while other tasks run:
 * - E0601: not a lock guard (the lock would be held while suspended) and
 *   not a `&T!` (the data could change under it);
 * - E0602: not a reference into an element of a collection (`&v[i]`, a
 *   binding matched out of one, anything copied from such a reference): a
 *   mutation during the suspension could move the element (the seed's
 *   badExample). A reference to a whole local (the frame never moves), to
 *   a Box's contents or to a reference parameter is fine.
 * The check runs on liveness, not on scopes: a guard or reference whose
 * last use (its drop, for a guard) comes before the suspension is fine. */

static bool has_kind(Type *t, TyKind k, bool mut_ref) {
    t = ty_res(t);
    if (t->kind == k && (!mut_ref || t->mut))
        return true;
    switch (t->kind) {
    case TY_OPTION: case TY_ARRAY: return has_kind(t->elem, k, mut_ref);
    case TY_RESULT: return has_kind(t->elem, k, mut_ref) || has_kind(t->err, k, mut_ref);
    case TY_TUPLE:
        for (int i = 0; i < t->nelems; i++)
            if (has_kind(t->elems[i], k, mut_ref))
                return true;
        return false;
    default: return false;
    }
}

static bool through_index(Place p) {
    for (int i = 0; i < p.nproj; i++)
        if (p.proj[i].kind == PJ_INDEX)
            return true;
    return false;
}

/* elem[l]: l may hold a reference into a collection element. Where[l]:
 * the statement that made it so. */
static void element_refs(MFn *m, bool *elem, Pos *where) {
    for (bool changed = true; changed;) {
        changed = false;
        for (int b = 0; b < m->blocks.len; b++) {
            MBlock *bl = m->blocks.items[b];
            for (int i = 0; i < bl->stmts.len; i++) {
                MStmt *st = bl->stmts.items[i];
                if (st->kind != MS_ASSIGN || elem[st->place.local])
                    continue;
                Type *dt = ((MLocal *)m->locals.items[st->place.local])->ty;
                if (!has_kind(dt, TY_REF, false))
                    continue;
                Rvalue *r = &st->rv;
                bool e = false;
                if (r->kind == RV_REF)
                    e = through_index(r->place) || elem[r->place.local];
                for (int k = 0; k < r->nargs && !e; k++)
                    e = r->args[k].kind != OP_CONST && elem[r->args[k].place.local];
                if (e) {
                    elem[st->place.local] = true;
                    where[st->place.local] = st->pos;
                    changed = true;
                }
            }
        }
    }
}

/* The first use of local l on a path from block r (for the label "used
 * here after the suspension"). */
static bool uses_local(MStmt *st, int l) {
    Place ps[16];
    int n = 0;
    if (st->kind == MS_ASSIGN && st->place.nproj)
        ps[n++] = st->place;
    if (st->kind == MS_DROP)
        ps[n++] = st->place;
    Rvalue *r = &st->rv;
    if (st->kind != MS_DROP) {
        if (r->kind == RV_REF || r->kind == RV_DISCR || r->kind == RV_CLONE)
            ps[n++] = r->place;
        for (int k = 0; k < r->nargs && n < 16; k++)
            if (r->args[k].kind != OP_CONST)
                ps[n++] = r->args[k].place;
    }
    for (int i = 0; i < n; i++) {
        if (ps[i].local == l)
            return true;
        for (int j = 0; j < ps[i].nproj; j++)
            if (ps[i].proj[j].kind == PJ_INDEX && ps[i].proj[j].index == l)
                return true;
    }
    return false;
}

static Pos first_use(MFn *m, int from, int l) {
    Pos none = {0};
    int nb = m->blocks.len;
    bool *seen = arena_alloc((size_t)nb + 1);
    int *queue = arena_alloc(sizeof(int) * (size_t)(nb + 1));
    int head = 0, tail = 0;
    queue[tail++] = from;
    seen[from] = true;
    int succ[1024];
    while (head < tail) {
        MBlock *bl = m->blocks.items[queue[head++]];
        for (int i = 0; i < bl->stmts.len; i++)
            if (uses_local(bl->stmts.items[i], l))
                return ((MStmt *)bl->stmts.items[i])->pos;
        if (bl->term == MT_SUSPEND)
            for (int i = 0; i < bl->susp->nargs; i++)
                if (bl->susp->args[i].kind != OP_CONST && bl->susp->args[i].place.local == l)
                    return bl->susp->pos;
        if ((bl->term == MT_BRANCH || bl->term == MT_SWITCH) && bl->cond.kind != OP_CONST &&
            bl->cond.place.local == l)
            return bl->stmts.len ? ((MStmt *)bl->stmts.items[bl->stmts.len - 1])->pos : none;
        int ns = mir_succs(bl, NULL);
        if (ns > 1024)
            continue;
        mir_succs(bl, succ);
        for (int k = 0; k < ns; k++)
            if (!seen[succ[k]]) {
                seen[succ[k]] = true;
                queue[tail++] = succ[k];
            }
    }
    return none;
}

static const char *local_desc(MLocal *l) {
    return l->name ? arena_printf("`%s`", l->name) : "a temporary";
}

static void check_suspension_safety(MFn *m) {
    int nl = m->locals.len;
    bool *elem = arena_alloc((size_t)nl + 1);
    Pos *where = arena_alloc(sizeof(Pos) * (size_t)(nl + 1));
    element_refs(m, elem, where);
    static const char *what[] = {"await", "await", "await", "sleep", "channel send", "channel receive",
                                 "channel receive", "lock", "await"};
    for (int b = 0; b < m->blocks.len; b++) {
        MBlock *bl = m->blocks.items[b];
        if (bl->term != MT_SUSPEND)
            continue;
        MSuspend *sp = bl->susp;
        if (sp->fn && !sp->fn->suspends && (sp->kind == SK_AWAIT || sp->kind == SK_BOXED))
            continue; /* a plain call: nothing is kept */
        MBlock *r = m->blocks.items[bl->succ[0]];
        for (int l = 1; l < nl; l++) {
            if (l == sp->dest || !mir_live(m, r->live_in, l))
                continue;
            MLocal *lc = m->locals.items[l];
            const char *code = NULL, *msg = NULL, *note = NULL, *help = NULL;
            Pos made = lc->pos;
            if (has_kind(lc->ty, TY_GUARD, false)) {
                code = "E0601";
                msg = arena_printf("the lock guard %s is held across this %s", local_desc(lc), what[sp->kind]);
                note = "the lock stays taken while the task is suspended: every other task that locks it waits, "
                       "and a task holding it may wait for this one";
                help = "end the guard's block before the suspension point, e.g. `{ let g = m.lock(); ... }`";
            } else if (has_kind(lc->ty, TY_REF, true)) {
                code = "E0601";
                msg = arena_printf("the mutable reference %s (`%s`) is live across this %s", local_desc(lc),
                                   ty_str_of(lc->ty), what[sp->kind]);
                note = "other tasks run while this one is suspended; what a `&T!` points to could change under it";
                help = "finish the mutation before the suspension point, or work on an owned value and store it after";
            } else if (elem[l]) {
                code = "E0602";
                msg = arena_printf("%s refers into an element of a collection and is live across this %s",
                                   local_desc(lc), what[sp->kind]);
                note = "a mutation while the task is suspended could move or free the element it points to";
                help = "copy the value before the suspension point (`let first = data[0]`), or index again after it";
                made = where[l];
            }
            if (!code)
                continue;
            if (made.file)
                diag_note(made, "%s is created here", local_desc(lc));
            Pos use = first_use(m, r->id, l);
            if (use.file)
                diag_note(use, "and used here, after the suspension point");
            diag_note(sp->pos, "%s", note);
            diag_help("%s", help);
            error_at(sp->pos, code, "%s", msg);
        }
    }
}

void async_analyse(MProgram *mp) {
    /* 1. which async fns suspend */
    for (int i = 0; i < mp->fns.len; i++) {
        MFn *m = mp->fns.items[i];
        m->fn->suspends = false;
        for (int k = 0; k < m->susps.len; k++)
            if (leaf(((MSuspend *)m->susps.items[k])->kind))
                m->fn->suspends = true;
    }
    for (bool changed = true; changed;) {
        changed = false;
        for (int i = 0; i < mp->fns.len; i++) {
            MFn *m = mp->fns.items[i];
            if (m->fn->suspends)
                continue;
            for (int k = 0; k < m->susps.len; k++) {
                MSuspend *s = m->susps.items[k];
                if (s->fn && s->fn->suspends) {
                    m->fn->suspends = true;
                    changed = true;
                    break;
                }
            }
        }
    }
    /* 2. unboxed recursion */
    int *color = arena_alloc(sizeof(int) * (size_t)(mp->fns.len + 1));
    for (int i = 0; i < mp->fns.len; i++)
        if (color[i] == WHITE && ((MFn *)mp->fns.items[i])->fn->suspends)
            find_cycle(mp->fns.items[i], color, mp);
    /* 3. frames */
    for (int i = 0; i < mp->fns.len; i++) {
        MFn *m = mp->fns.items[i];
        if (!m->fn->suspends)
            continue;
        mir_liveness(m);
        m->in_frame = arena_alloc(sizeof(uint64_t) * (size_t)(m->nwords ? m->nwords : 1));
        for (int l = 0; l <= m->nparams; l++)
            m->in_frame[l >> 6] |= (uint64_t)1 << (l & 63);
        for (int b = 0; b < m->blocks.len; b++) {
            MBlock *bl = m->blocks.items[b];
            if (bl->term != MT_SUSPEND)
                continue;
            MBlock *r = m->blocks.items[bl->succ[0]];
            /* the result is written as the operation completes: not saved */
            int d = bl->susp->dest;
            for (int w = 0; w < m->nwords; w++) {
                uint64_t live = r->live_in[w];
                if (d >= 0 && (d >> 6) == w)
                    live &= ~((uint64_t)1 << (d & 63));
                m->in_frame[w] |= live;
            }
        }
    }
    /* 4. shared storage for frame slots that are never live together */
    for (int i = 0; i < mp->fns.len; i++) {
        MFn *m = mp->fns.items[i];
        if (m->fn->suspends)
            frame_sharing(m);
    }
    /* 5. suspension safety */
    for (int i = 0; i < mp->fns.len; i++) {
        MFn *m = mp->fns.items[i];
        if (m->fn->suspends)
            check_suspension_safety(m);
    }
}

/* ---- vex frames ---- */

/* Does m's frame need a waiter (channel and lock operations) and a timer
 * (sleep)? emit.c lays the frame out the same way. */
void async_frame_needs(MFn *m, bool *waits, bool *sleeps) {
    *waits = *sleeps = false;
    for (int k = 0; k < m->susps.len; k++) {
        SuspendKind sk = ((MSuspend *)m->susps.items[k])->kind;
        *waits |= sk == SK_SEND || sk == SK_RECV || sk == SK_RECV_OPT || sk == SK_LOCK;
        *sleeps |= sk == SK_SLEEP;
    }
}

/* The bytes of m's frame struct as emit.c lays it out: the header, the
 * result, the slots, the waiter and timer, and the union of what each
 * suspension point keeps (an embedded callee frame is the largest part). */
static int add_field(int *off, int *al, Type *t) {
    int a = align_of(t), n = ty_size_guess(t);
    *off = round_up(*off, a) + n;
    *al = a > *al ? a : *al;
    return n;
}

static int frame_bytes(MFn *m) {
    int off = 32, al = 8;
    add_field(&off, &al, ty_res(m->fn->rtype)->kind == TY_UNIT ? ty_u8 : m->fn->rtype);
    for (int l = 1; l < m->locals.len; l++)
        if (l <= m->nparams || (m->in_frame && mir_live(m, m->in_frame, l) && !(m->share && m->share[l] >= 0)))
            add_field(&off, &al, ((MLocal *)m->locals.items[l])->ty);
    for (int g = 0; m->share; g++) {
        int big = 0, a = 1;
        bool more = false;
        for (int l = 1; l < m->locals.len; l++) {
            more |= m->share[l] >= g;
            if (m->share[l] == g && mir_live(m, m->in_frame, l)) {
                Type *t = ((MLocal *)m->locals.items[l])->ty;
                big = ty_size_guess(t) > big ? ty_size_guess(t) : big;
                a = align_of(t) > a ? align_of(t) : a;
            }
        }
        if (!more)
            break;
        if (big) {
            off = round_up(off, a) + big;
            al = a > al ? a : al;
        }
    }
    if (!m->fn->suspends)
        return round_up(off, al);
    bool waits, sleeps;
    async_frame_needs(m, &waits, &sleeps);
    off = round_up(off, 8) + (waits ? 32 : 0) + (sleeps ? 32 : 0); /* vx_waiter, vx_timer */
    int u = 1;
    for (int k = 0; k < m->susps.len; k++) {
        MSuspend *s = m->susps.items[k];
        int n = 0;
        switch (s->kind) {
        case SK_AWAIT: n = s->fn->suspends && s->fn->mir ? frame_bytes(s->fn->mir) : 0; break;
        case SK_BOXED: case SK_JOIN: case SK_LOCK: n = 8; break;
        case SK_IO: n = io_slot_size(builtins[s->builtin].slot); break;
        case SK_SEND: n = ty_size_guess(s->nargs > 1 && s->args[1].kind == OP_CONST ? s->args[1].ty
                                        : s->nargs > 1 ? ((MLocal *)m->locals.items[s->args[1].place.local])->ty
                                                       : ty_u8);
            break;
        case SK_RECV: case SK_RECV_OPT: {
            Type *ct = s->args[0].kind == OP_CONST ? s->args[0].ty : NULL;
            if (!ct) {
                Place p = s->args[0].place;
                ct = p.nproj ? p.proj[p.nproj - 1].ty : ((MLocal *)m->locals.items[p.local])->ty;
            }
            n = ty_size_guess(ty_res(ct)->elem);
            break;
        }
        default: break;
        }
        u = n > u ? n : u;
    }
    off = round_up(off, 8) + round_up(u, 8);
    return round_up(off, al);
}

void async_frames_report(MProgram *mp, FILE *out) {
    int n = 0;
    for (int i = 0; i < mp->fns.len; i++) {
        MFn *m = mp->fns.items[i];
        Fn *f = m->fn;
        if (!f->is_async)
            continue;
        n++;
        if (!f->suspends) {
            fprintf(out, "async fn %s (line %d): never suspends: a plain C function, awaiting it is a call\n", m->name,
                    f->pos.line);
            continue;
        }
        fprintf(out, "async fn %s (line %d): frame %d bytes, %d suspension point%s\n", m->name, f->pos.line,
                frame_bytes(m), m->susps.len, m->susps.len == 1 ? "" : "s");
        fputs("  slots:\n", out);
        for (int l = 0; l < m->locals.len; l++) {
            if (!mir_live(m, m->in_frame, l) && !(l >= 1 && l <= m->nparams))
                continue;
            MLocal *lc = m->locals.items[l];
            const char *what = lc->kind == LK_RET      ? "result"
                               : lc->kind == LK_PARAM ? "param"
                               : lc->kind == LK_FLAG  ? "drop flag"
                               : lc->kind == LK_USER  ? "let"
                                                      : "temp";
            fprintf(out, "    _%-3d %-9s %-10s %s, %d bytes", l, what, lc->name ? lc->name : "", ty_str_of(lc->ty),
                    ty_size_guess(lc->ty));
            if (m->share && m->share[l] >= 0)
                fprintf(out, " (shares storage group %d)", m->share[l]);
            fputc('\n', out);
        }
        fputs("  states:\n", out);
        for (int b = 0; b < m->blocks.len; b++) {
            MBlock *bl = m->blocks.items[b];
            if (bl->term != MT_SUSPEND)
                continue;
            MSuspend *s = bl->susp;
            MBlock *r = m->blocks.items[bl->succ[0]];
            fprintf(out, "    %d: line %d, %s", s->index, s->pos.line,
                    s->kind == SK_BOXED ? "await Box.new" : mir_suspend_name(s));
            if (s->fn)
                fprintf(out, " %s%s", s->fn->name,
                        s->kind == SK_AWAIT ? (s->fn->suspends ? arena_printf(" (its %d-byte frame embedded)",
                                                                              frame_bytes(s->fn->mir))
                                                               : " (a plain call: it never suspends)")
                                            : "");
            fputs("; live:", out);
            int cnt = 0;
            for (int l = 0; l < m->locals.len; l++) {
                if (!mir_live(m, r->live_in, l) || l == s->dest)
                    continue;
                MLocal *lc = m->locals.items[l];
                fprintf(out, " _%d%s%s", l, lc->name ? " " : "", lc->name ? lc->name : "");
                cnt++;
            }
            if (!cnt)
                fputs(" nothing", out);
            fputc('\n', out);
        }
    }
    if (!n)
        fputs("no async fn\n", out);
}
