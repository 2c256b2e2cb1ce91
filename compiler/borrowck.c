/*
 * borrowck.c - moves and borrows checked on the MIR (rustc's MIR borrowck,
 * non-lexical lifetimes as in RFC 2094).
 *
 * One forward dataflow per function over the CFG, iterated to a fixed
 * point in block order, then walked once more to report. Its state at a
 * program point has three parts:
 *
 * - Maybe-moved (E0400). A bitset of the locals that are moved on SOME
 *   path reaching the point (a move sets the bit, an assignment of the
 *   whole local clears it; a join is the union), and for the few locals
 *   that are ever moved out in part, a mask of their moved fields
 *   (`consume(b.items)`). Any use of a place whose path is maybe-moved is
 *   a use after move. Only values that are not copied (ty_is_copy) move.
 *   Lowering clones a place it reads as owned (`b.items`, `*box`) and marks
 *   the clone `owned`: the source moved it, so the check moves it.
 * - Loans in scope. Every `&place` / `&place!` statement makes a loan: the
 *   borrowed place with its projections, its mutability, and the locals
 *   that may hold it. A local holds the loans of whatever its value is
 *   built from (a copy of a reference, a tuple or `Some` holding one, a
 *   reborrow `&(*r).f`, a pattern binding through a reference): a
 *   flow-insensitive fixed point. A loan is live at a point when one of
 *   its holders is live there (liveness below); it is in scope while there
 *   is a path from its creation along which it stays live (NLL: the loan
 *   leaves scope at the first point where no holder is live).
 * - Activated two-phase loans. A mutable loan into a temporary (a method
 *   receiver, an argument `&x!`) is only reserved until the temporary is
 *   first used (the call): meanwhile it acts as a shared loan, so
 *   `v.push(v.len())` is accepted, and its activation is checked as a
 *   mutable borrow against every other loan in scope, so
 *   `b.refill(&b.items[0])` is not.
 *
 * Liveness (for holders) is computed here, not taken from mir_liveness:
 * a drop does not use the references a value holds, and a write to a
 * field of a local neither uses nor kills it.
 *
 * Each statement accesses places, in evaluation order: its operands (a
 * copy of a place that is not Copy is a read in place, a move moves), the
 * places it lends, clones or reads a discriminant of, then its
 * destination (a write). A drop immediately followed by an assignment of
 * the same place is that assignment's write; any other drop ends the
 * value's life. An access conflicts with a loan in scope when their
 * places overlap - one is a prefix of the other; `a.x` and `a.y` are
 * disjoint, any two indexes of one Vec overlap - and one of them writes:
 *
 *   a write (assignment)            E0401  cannot assign to `v` because it is borrowed
 *   a move                          E0400  cannot move out of `v` because it is borrowed
 *   a mutable borrow, or any access
 *     while a mutable loan is live  E0402  cannot borrow `v` as mutable ...
 *   the end of the value's life     E0403  `v` does not live long enough
 *
 * A write to a reference local does not conflict with loans through it
 * (`r = &c` while `&(*r).f` lives). The diagnostic has the rustc shape:
 * the conflicting access, a note where the borrow was made and a note
 * where a holder is used later (found by a forward search), and a help.
 *
 * Suspension safety (the seed's async rule) is this analysis with one more
 * access: a suspension point (the async lowering's suspend terminator)
 * conflicts with every loan in scope whose place is a local of the task
 * frame that may move, or, for the stricter rule, with any loan in scope
 * at all; the later use found by the same forward search is the use after
 * the resumption. The liveness and loans-in-scope sets at the terminator
 * are exactly the "borrow live across a suspension point" question.
 */
#include <stdlib.h>
#include <string.h>

#include "vexc.h"

typedef uint64_t Word;

enum { A_READ, A_WRITE, A_MOVE, A_SHARE, A_MUT, A_ACTIVATE, A_DEAD };

typedef struct Loan {
    Place place;
    bool mut, two_phase;
    int holder; /* the local it is made into */
    Pos pos;
    Word *holders; /* locals that may hold it */
} Loan;

static MFn *M;
static int NL, NW;    /* locals; words of a local set */
/* Sets that would otherwise be as wide as the locals are over the few that
 * matter: liveness over the holders of loans (lx), maybe-moved over the
 * locals that can move (mx); -1 for the rest. A 50,000-arm match has
 * hundreds of thousands of locals and no loan. */
static int *lx, *mx;
static int LNW, MNW;
static int NLN, LW;   /* loans; words of a loan set */
static Loan *loans;
static Word **holds;  /* per local: the loans it may hold */
static int *loan_at;  /* per (block, statement) flattened: the loan made there, or -1 */
static int *stmt_base;
static Place *mpaths; /* the places moved out in part (`b.items`, `(o as Some).0`) */
static int NMP, PW;   /* how many; words of a set of them */
static Vec *mp_of;    /* per local: the indexes of its partial move paths */
static Pos *moved_at; /* per local: where it was last seen moved */

/* ---- small sets ---- */

static Word *set_new(int words) { return arena_alloc(sizeof(Word) * (size_t)(words ? words : 1)); }
static void lset(Word *s, int l) {
    if (lx[l] >= 0)
        s[lx[l] >> 6] |= (Word)1 << (lx[l] & 63);
}
static void lclr(Word *s, int l) {
    if (lx[l] >= 0)
        s[lx[l] >> 6] &= ~((Word)1 << (lx[l] & 63));
}
static bool lget(const Word *s, int l) { return lx[l] >= 0 && ((s[lx[l] >> 6] >> (lx[l] & 63)) & 1); }
static void set_bit(Word *s, int i) { s[i >> 6] |= (Word)1 << (i & 63); }
static void clr_bit(Word *s, int i) { s[i >> 6] &= ~((Word)1 << (i & 63)); }
static bool get_bit(const Word *s, int i) { return (s[i >> 6] >> (i & 63)) & 1; }

static bool set_or(Word *d, const Word *s, int words) {
    bool ch = false;
    for (int w = 0; w < words; w++)
        if ((d[w] | s[w]) != d[w]) {
            d[w] |= s[w];
            ch = true;
        }
    return ch;
}

static bool set_meets(const Word *a, const Word *b, int words) {
    for (int w = 0; w < words; w++)
        if (a[w] & b[w])
            return true;
    return false;
}

static MLocal *loc(int l) { return M->locals.items[l]; }
static MBlock *blk(int b) { return M->blocks.items[b]; }

/* The type of p before its step k (k = nproj: the place's own type). */
static Type *ty_before(Place p, int k) { return k == 0 ? loc(p.local)->ty : p.proj[k - 1].ty; }

/* ---- names for diagnostics ---- */

static const char *field_name(Type *t, int i) {
    t = ty_res(t);
    if (t->kind == TY_STRUCT && i < t->sd->fields.len)
        return ((Field *)t->sd->fields.items[i])->name;
    return arena_printf("%d", i);
}

static const char *place_name(Place p) {
    MLocal *l = loc(p.local);
    const char *s = l->name ? l->name : l->kind == LK_RET ? "the return value" : NULL;
    if (!s)
        return "a temporary value";
    for (int i = 0; i < p.nproj; i++) {
        Proj *pj = &p.proj[i];
        switch (pj->kind) {
        case PJ_DEREF:
            if (i + 1 == p.nproj)
                s = arena_printf("*%s", s);
            break;
        case PJ_FIELD: s = arena_printf("%s.%s", s, field_name(ty_before(p, i), pj->field)); break;
        case PJ_INDEX: s = arena_printf("%s[..]", s); break;
        case PJ_VARIANT: break;
        }
    }
    return s;
}

/* ---- holders of loans ---- */

typedef void (*LocalFn)(void *ctx, int local);

static void each_place_local(Place p, LocalFn f, void *ctx) {
    f(ctx, p.local);
    for (int i = 0; i < p.nproj; i++)
        if (p.proj[i].kind == PJ_INDEX)
            f(ctx, p.proj[i].index);
}

static void each_rvalue_local(Rvalue *r, LocalFn f, void *ctx) {
    for (int i = 0; i < r->nargs; i++)
        if (r->args[i].kind != OP_CONST)
            each_place_local(r->args[i].place, f, ctx);
    if (r->kind == RV_REF || r->kind == RV_DISCR || r->kind == RV_CLONE)
        each_place_local(r->place, f, ctx);
}

typedef struct Acc {
    Word *into;
    bool changed;
} Acc;

static void acc_holds(void *ctx, int l) {
    Acc *a = ctx;
    a->changed |= set_or(a->into, holds[l], LW);
}

static Type *place_type(Place p) { return p.nproj ? p.proj[p.nproj - 1].ty : loc(p.local)->ty; }

static Place deref_of(Place p) {
    Proj pj = {0};
    pj.kind = PJ_DEREF;
    pj.ty = ty_res(place_type(p))->elem;
    return mir_project(p, pj);
}

/* `d = copy r` of a whole `&T!` local into a whole local: Rust's implicit
 * reborrow `&*r!`, a loan of `*r` (the match of a `&T!` parameter). */
static bool reborrow(MStmt *s) {
    if (s->kind != MS_ASSIGN || s->rv.kind != RV_USE || s->place.nproj || s->rv.args[0].kind == OP_CONST ||
        s->rv.args[0].place.nproj)
        return false;
    Type *t = ty_res(loc(s->rv.args[0].place.local)->ty);
    return t->kind == TY_REF && t->mut;
}

static Word *refy; /* locals that may hold a reference */

static bool rvalue_refy(Rvalue *r) {
    for (int i = 0; i < r->nargs; i++)
        if (r->args[i].kind != OP_CONST && get_bit(refy, r->args[i].place.local) &&
            ty_holds_ref(place_type(r->args[i].place)))
            return true;
    return (r->kind == RV_CLONE || r->kind == RV_DISCR) && get_bit(refy, r->place.local) &&
           ty_holds_ref(place_type(r->place));
}

static void find_loans(void) {
    int nb = M->blocks.len, nst = 0;
    stmt_base = arena_alloc(sizeof(int) * (size_t)(nb + 1));
    for (int b = 0; b < nb; b++) {
        stmt_base[b] = nst;
        nst += blk(b)->stmts.len;
    }
    loan_at = arena_alloc(sizeof(int) * (size_t)(nst + 1));
    NLN = 0;
    for (int b = 0; b < nb; b++)
        for (int i = 0; i < blk(b)->stmts.len; i++) {
            MStmt *s = blk(b)->stmts.items[i];
            loan_at[stmt_base[b] + i] = -1;
            if (s->kind == MS_ASSIGN && (s->rv.kind == RV_REF || reborrow(s)))
                loan_at[stmt_base[b] + i] = NLN++;
        }
    LW = (NLN + 63) / 64;
    loans = arena_alloc(sizeof(Loan) * (size_t)(NLN + 1));
    holds = arena_alloc(sizeof(Word *) * (size_t)(NL + 1));
    for (int l = 0; l < NL; l++)
        holds[l] = set_new(LW);
    for (int b = 0; b < nb; b++)
        for (int i = 0; i < blk(b)->stmts.len; i++) {
            int k = loan_at[stmt_base[b] + i];
            if (k < 0)
                continue;
            MStmt *s = blk(b)->stmts.items[i];
            Loan *L = &loans[k];
            if (s->rv.kind == RV_REF) {
                L->place = s->rv.place;
                L->mut = s->rv.mut;
            } else {
                L->place = deref_of(s->rv.args[0].place);
                L->mut = true;
            }
            L->holder = s->place.local;
            L->two_phase = L->mut && !s->place.nproj && loc(s->place.local)->kind == LK_TEMP;
            L->pos = s->pos;
            set_bit(holds[L->holder], k);
        }
    /* a value built from a holder holds its loans: iterate to a fixed point */
    for (bool changed = true; changed;) {
        changed = false;
        for (int b = 0; b < nb; b++)
            for (int i = 0; i < blk(b)->stmts.len; i++) {
                MStmt *s = blk(b)->stmts.items[i];
                if (s->kind != MS_ASSIGN || !ty_holds_ref(loc(s->place.local)->ty))
                    continue;
                Acc a = {holds[s->place.local], false};
                if (reborrow(s)) {
                    acc_holds(&a, s->rv.args[0].place.local);
                } else if (s->rv.kind == RV_REF) {
                    /* what a reference reaches stays borrowed while it lives: the
                     * references inside `o` of `&o`, what `r` points into for `&(*r).f` */
                    acc_holds(&a, s->rv.place.local);
                } else {
                    each_rvalue_local(&s->rv, acc_holds, &a);
                }
                changed |= a.changed;
            }
    }
    /* which locals may hold a reference at all (also one from a parameter) */
    refy = set_new(NW);
    for (int l = 1; l <= M->nparams && l < NL; l++)
        if (ty_holds_ref(loc(l)->ty))
            set_bit(refy, l);
    for (bool changed = true; changed;) {
        changed = false;
        for (int b = 0; b < nb; b++)
            for (int i = 0; i < blk(b)->stmts.len; i++) {
                MStmt *s = blk(b)->stmts.items[i];
                if (s->kind != MS_ASSIGN || get_bit(refy, s->place.local) || !ty_holds_ref(loc(s->place.local)->ty))
                    continue;
                if (s->rv.kind == RV_REF || rvalue_refy(&s->rv)) {
                    set_bit(refy, s->place.local);
                    changed = true;
                }
            }
    }
    /* the holders of some loan: the locals liveness tracks */
    lx = arena_alloc(sizeof(int) * (size_t)(NL + 1));
    int n = 0;
    for (int l = 0; l < NL; l++) {
        bool any = false;
        for (int w = 0; w < LW && !any; w++)
            any = holds[l][w] != 0;
        lx[l] = any ? n++ : -1;
    }
    LNW = (n + 63) / 64;
    for (int k = 0; k < NLN; k++)
        loans[k].holders = set_new(LNW);
    for (int l = 0; l < NL; l++)
        for (int k = 0; k < NLN; k++)
            if (get_bit(holds[l], k))
                lset(loans[k].holders, l);
}

/* ---- liveness ---- */

static Word **live_in; /* per block */

typedef struct Live {
    Word *set;
} Live;

static void gen_live(void *ctx, int l) { lset(((Live *)ctx)->set, l); }

/* The uses of a statement's destination place: its index locals, and its
 * root when the place goes through a reference or a Box. */
static void dest_uses(Place p, Word *set) {
    for (int i = 0; i < p.nproj; i++) {
        if (p.proj[i].kind == PJ_INDEX)
            lset(set, p.proj[i].index);
        if (p.proj[i].kind == PJ_DEREF)
            lset(set, p.local);
    }
}

/* live: after the statement on entry, before it on return. */
static void live_step(MStmt *s, Word *live) {
    Live lv = {live};
    switch (s->kind) {
    case MS_ASSIGN:
        if (!s->place.nproj)
            lclr(live, s->place.local);
        dest_uses(s->place, live);
        each_rvalue_local(&s->rv, gen_live, &lv);
        break;
    case MS_EVAL:
        each_rvalue_local(&s->rv, gen_live, &lv);
        break;
    case MS_DROP:
        if (s->flag >= 0)
            lset(live, s->flag);
        break;
    }
}

static void live_term(MBlock *b, Word *live) {
    if ((b->term == MT_BRANCH || b->term == MT_SWITCH) && b->cond.kind != OP_CONST) {
        Live lv = {live};
        each_place_local(b->cond.place, gen_live, &lv);
    }
    if (b->term == MT_SUSPEND) {
        /* the result is written as the operation completes; the operands
         * are read as it starts */
        if (b->susp->dest >= 0)
            lclr(live, b->susp->dest);
        Live lv = {live};
        for (int i = 0; i < b->susp->nargs; i++)
            if (b->susp->args[i].kind != OP_CONST)
                each_place_local(b->susp->args[i].place, gen_live, &lv);
    }
}

static int *succ_buf;

static void live_out_of(int b, Word *out) {
    memset(out, 0, sizeof(Word) * (size_t)(LNW ? LNW : 1));
    int n = mir_succs(blk(b), succ_buf);
    for (int k = 0; k < n; k++)
        set_or(out, live_in[succ_buf[k]], LNW);
}

static void liveness(void) {
    int nb = M->blocks.len;
    live_in = arena_alloc(sizeof(Word *) * (size_t)(nb + 1));
    for (int b = 0; b < nb; b++)
        live_in[b] = set_new(LNW);
    if (!LNW)
        return; /* no loan: nothing to keep alive */
    Word *cur = set_new(LNW);
    for (bool changed = true; changed;) {
        changed = false;
        for (int b = nb - 1; b >= 0; b--) {
            MBlock *bl = blk(b);
            live_out_of(b, cur);
            live_term(bl, cur);
            for (int i = bl->stmts.len - 1; i >= 0; i--)
                live_step(bl->stmts.items[i], cur);
            changed |= set_or(live_in[b], cur, LNW);
        }
    }
}

/* ---- the forward state ---- */

typedef struct State {
    Word *moved;   /* maybe-moved locals */
    Word *paths;   /* maybe-moved partial paths */
    Word *scope;   /* loans in scope */
    Word *active;  /* two-phase loans activated */
    bool reached;
} State;

static State st_new(void) {
    State s;
    s.moved = set_new(MNW);
    s.paths = set_new(PW);
    s.scope = set_new(LW);
    s.active = set_new(LW);
    s.reached = false;
    return s;
}

static void st_copy(State *d, const State *s) {
    memcpy(d->moved, s->moved, sizeof(Word) * (size_t)(MNW ? MNW : 1));
    memcpy(d->paths, s->paths, sizeof(Word) * (size_t)(PW ? PW : 1));
    memcpy(d->scope, s->scope, sizeof(Word) * (size_t)(LW ? LW : 1));
    memcpy(d->active, s->active, sizeof(Word) * (size_t)(LW ? LW : 1));
    d->reached = s->reached;
}

static bool st_join(State *d, const State *s) {
    if (!s->reached)
        return false;
    bool ch = !d->reached;
    d->reached = true;
    ch |= set_or(d->moved, s->moved, MNW);
    ch |= set_or(d->paths, s->paths, PW);
    ch |= set_or(d->scope, s->scope, LW);
    ch |= set_or(d->active, s->active, LW);
    return ch;
}

static State cur;          /* the state being stepped */
static bool reporting;     /* the last pass: report errors */
static int cur_b, cur_i;   /* the statement being stepped (cur_i = stmts.len: the terminator) */
static Word **live_pt;     /* live before each statement of the current block, and after it */

/* Leaves in scope only the loans a live holder keeps alive. */
static void keep_live(Word *live) {
    for (int w = 0; w < LW; w++)
        for (Word m = cur.scope[w]; m; m &= m - 1) {
            int k = w * 64 + __builtin_ctzll(m);
            if (!set_meets(loans[k].holders, live, LNW)) {
                clr_bit(cur.scope, k);
                clr_bit(cur.active, k);
            }
        }
}

/* ---- diagnostics ---- */

static bool stmt_uses_any(MStmt *s, const Word *set) {
    Word *u = set_new(LNW);
    Live lv = {u};
    if (s->kind != MS_DROP)
        each_rvalue_local(&s->rv, gen_live, &lv);
    if (s->kind == MS_ASSIGN)
        dest_uses(s->place, u);
    return set_meets(u, set, LNW);
}

static bool term_uses_any(MBlock *b, const Word *set) {
    Word *u = set_new(LNW);
    live_term(b, u);
    return set_meets(u, set, LNW);
}

/* Where a holder of loan k is used at or after statement (b, i): a
 * breadth-first search forward over the CFG. */
static bool later_use(int k, int b, int i, Pos *out) {
    const Word *h = loans[k].holders;
    int nb = M->blocks.len;
    int *queue = arena_alloc(sizeof(int) * (size_t)(nb + 1));
    bool *seen = arena_alloc((size_t)(nb + 1));
    int qh = 0, qt = 0;
    for (int first = 1; first || qh < qt; first = 0) {
        int from = 0;
        if (!first) {
            b = queue[qh++];
            from = 0;
        } else {
            from = i;
        }
        MBlock *bl = blk(b);
        for (int j = from; j < bl->stmts.len; j++) {
            MStmt *s = bl->stmts.items[j];
            if (stmt_uses_any(s, h)) {
                *out = s->pos;
                return true;
            }
        }
        if (term_uses_any(bl, h)) {
            *out = bl->pos.file ? bl->pos : ((MStmt *)bl->stmts.items[bl->stmts.len ? bl->stmts.len - 1 : 0])->pos;
            return true;
        }
        int n = mir_succs(bl, succ_buf);
        for (int s = 0; s < n; s++)
            if (!seen[succ_buf[s]]) {
                seen[succ_buf[s]] = true;
                queue[qt++] = succ_buf[s];
            }
    }
    return false;
}

static Pos stmt_pos(void) {
    MBlock *bl = blk(cur_b);
    if (cur_i < bl->stmts.len)
        return ((MStmt *)bl->stmts.items[cur_i])->pos;
    if (bl->pos.file)
        return bl->pos;
    for (int i = bl->stmts.len - 1; i >= 0; i--)
        return ((MStmt *)bl->stmts.items[i])->pos;
    return M->fn->pos;
}

static _Noreturn void conflict(int k, Place p, int kind, Pos at) {
    Loan *L = &loans[k];
    const char *lent = place_name(L->place), *what = place_name(p);
    bool lmut = L->mut && (!L->two_phase || get_bit(cur.active, k));
    Pos use;
    bool has_use = later_use(k, cur_b, cur_i + (kind == A_DEAD ? 1 : 0), &use);
    if (kind == A_DEAD) {
        diag_primary("borrowed value does not live long enough");
        if (at.line > L->pos.line)
            diag_label(at, "`%s` dropped here (the end of its block) while still borrowed", what);
        else
            diag_note(L->pos, "`%s` is dropped at the end of its block while still borrowed", what);
        if (has_use)
            diag_label(use, "borrow later used here");
        diag_help("declare `%s` in an outer block so that it lives as long as the reference, or keep a clone "
                  "(`.clone()`) instead of a reference",
                  what);
        error_at(L->pos, "E0403", "`%s` does not live long enough", lent);
    }
    diag_label(L->pos, "%s borrow of `%s` occurs here", lmut ? "mutable" : "immutable", lent);
    if (has_use)
        diag_label(use, "%s borrow later used here", lmut ? "mutable" : "immutable");
    switch (kind) {
    case A_MOVE:
        diag_primary("move out of `%s` occurs here", what);
        diag_help("move `%s` after the last use of the borrow, or move a clone (`.clone()`)", what);
        error_at(at, "E0400", "cannot move out of `%s` because it is borrowed", what);
    case A_WRITE:
        diag_primary("`%s` is assigned here while borrowed", what);
        diag_help("assign `%s` after the last use of the borrow, or borrow a clone (`.clone()`) instead", what);
        error_at(at, "E0401", "cannot assign to `%s` because it is borrowed", what);
    case A_MUT:
    case A_ACTIVATE:
        diag_primary("mutable borrow occurs here");
        diag_help("finish using the borrow before changing `%s`, or borrow a clone (`.clone()`) instead", what);
        error_at(at, "E0402", "cannot borrow `%s` as mutable because it is also borrowed%s", what,
                 lmut ? " as mutable" : " as immutable");
    default:
        diag_primary("use of `%s` occurs here", what);
        diag_help("finish using the mutable borrow before using `%s` again", what);
        error_at(at, "E0402", "cannot use `%s` because it is borrowed as mutable", what);
    }
}

/* ---- places ---- */

/* Do the places of a loan and an access overlap? For a shallow write
 * (an assignment), a loan reached through a reference inside the written
 * place is not affected: the referent is not written. */
static bool overlap(Place l, Place a, int kind) {
    if (l.local != a.local)
        return false;
    int n = l.nproj < a.nproj ? l.nproj : a.nproj;
    for (int i = 0; i < n; i++) {
        Proj *x = &l.proj[i], *y = &a.proj[i];
        if (x->kind != y->kind)
            return true; /* a field against a variant payload: be safe */
        if (x->kind == PJ_FIELD && x->field != y->field)
            return false;
        if (x->kind == PJ_VARIANT && x->variant == y->variant && x->field != y->field)
            return false;
    }
    if ((kind == A_WRITE || kind == A_DEAD) && l.nproj > a.nproj)
        for (int i = a.nproj; i < l.nproj; i++)
            if (l.proj[i].kind == PJ_DEREF && ty_res(ty_before(l, i))->kind == TY_REF)
                return false;
    return true;
}

/* At a call, does loan k outlive the operands' evaluation: a holder is
 * live after the statement, or passed into the call as a reference
 * (rather than read through: `v.push(*r)` reads r before the push)? */
static bool live_into_call(int k) {
    if (set_meets(loans[k].holders, live_pt[cur_i + 1], LNW))
        return true;
    MBlock *bl = blk(cur_b);
    if (cur_i >= bl->stmts.len)
        return true;
    MStmt *s = bl->stmts.items[cur_i];
    for (int i = 0; i < s->rv.nargs; i++) {
        Operand *o = &s->rv.args[i];
        if (o->kind != OP_CONST && lget(loans[k].holders, o->place.local) && ty_holds_ref(place_type(o->place)))
            return true;
    }
    return false;
}

static bool at_call;

static void check_loans(Place p, int kind, int self) {
    if (!reporting)
        return;
    Pos at = stmt_pos();
    for (int w = 0; w < LW; w++)
        for (Word m = cur.scope[w]; m; m &= m - 1) {
            int k = w * 64 + __builtin_ctzll(m);
            if (k == self)
                continue;
            if (at_call && (kind == A_ACTIVATE || kind == A_MUT) && !live_into_call(k))
                continue;
            Loan *L = &loans[k];
            bool lmut = L->mut && (!L->two_phase || get_bit(cur.active, k));
            bool writes = kind != A_READ && kind != A_SHARE;
            if (!lmut && !writes)
                continue;
            if (!overlap(L->place, p, kind))
                continue;
            conflict(k, p, kind, at);
        }
}

static bool overlap(Place l, Place a, int kind);
static bool same_place(Place a, Place b);

/* Can p be moved out in part and tracked (no index, no reference, not
 * through a Box: moving out of `*b` moves b)? */
static bool trackable(Place p) {
    if (!p.nproj || p.proj[0].kind == PJ_DEREF)
        return false;
    for (int i = 0; i < p.nproj; i++)
        if (p.proj[i].kind == PJ_INDEX || (p.proj[i].kind == PJ_DEREF && ty_res(ty_before(p, i))->kind == TY_REF))
            return false;
    return true;
}

static int path_index(Place p) {
    Vec *v = &mp_of[p.local];
    for (int i = 0; i < v->len; i++) {
        int q = (int)(intptr_t)v->items[i];
        if (same_place(mpaths[q], p))
            return q;
    }
    return -1;
}

/* p is used after p (or, part: a place inside it, moved) was moved. */
static _Noreturn void moved_error(Place p, Place moved, bool part) {
    Pos mv = moved_at[p.local], at = stmt_pos();
    if (mv.file == at.file && mv.off >= at.off)
        diag_label(mv, "value moved here, in the previous iteration of the loop");
    else
        diag_label(mv, "value moved here");
    diag_primary("value used here after move");
    Type *mt = ty_res(place_type(moved));
    if (mt->kind == TY_HANDLE || mt->kind == TY_TASK)
        diag_help("a `%s` is never cloned: use it before moving it, or move it last", ty_str_of(mt));
    else if (loc(p.local)->kind == LK_USER || loc(p.local)->kind == LK_PARAM)
        diag_help("move a clone instead (`%s.clone()`), or use the value before moving it", place_name(moved));
    else
        diag_help("move a clone instead (`.clone()`), or use the value before moving it");
    if (part)
        error_at(stmt_pos(), "E0400", "use of partially moved value: `%s`", place_name(p));
    error_at(stmt_pos(), "E0400", "use of moved value: `%s`", place_name(p));
}

/* A use of p (any access but a whole assignment): is any part moved? */
static void check_moved(Place p) {
    if (!reporting)
        return;
    for (int i = 0; i < p.nproj; i++)
        if (p.proj[i].kind == PJ_INDEX && mx[p.proj[i].index] >= 0 && get_bit(cur.moved, mx[p.proj[i].index]))
            moved_error(mir_place(p.proj[i].index), mir_place(p.proj[i].index), false);
    if (mx[p.local] >= 0 && get_bit(cur.moved, mx[p.local]))
        moved_error(mir_place(p.local), mir_place(p.local), false);
    Vec *v = &mp_of[p.local];
    for (int i = 0; i < v->len; i++) {
        int q = (int)(intptr_t)v->items[i];
        if (get_bit(cur.paths, q) && overlap(mpaths[q], p, A_READ))
            moved_error(mpaths[q].nproj > p.nproj ? p : mpaths[q], mpaths[q], mpaths[q].nproj > p.nproj);
    }
}

static void do_move(Place p, Pos at) {
    if (ty_is_copy(p.nproj ? p.proj[p.nproj - 1].ty : loc(p.local)->ty))
        return;
    /* a move through a reference or an index is a clone (E0400 on the AST) */
    for (int i = 0; i < p.nproj; i++)
        if (p.proj[i].kind == PJ_INDEX || (p.proj[i].kind == PJ_DEREF && ty_res(ty_before(p, i))->kind == TY_REF))
            return;
    int q = trackable(p) ? path_index(p) : -1;
    if (q >= 0)
        set_bit(cur.paths, q);
    else
        if (mx[p.local] >= 0)
            set_bit(cur.moved, mx[p.local]);
    moved_at[p.local] = at;
}

/* An assignment of p makes p and every path inside it initialised. */
static void reinit(Place p) {
    if (!p.nproj)
        if (mx[p.local] >= 0)
            clr_bit(cur.moved, mx[p.local]);
    Vec *v = &mp_of[p.local];
    for (int i = 0; i < v->len; i++) {
        int q = (int)(intptr_t)v->items[i];
        if (mpaths[q].nproj >= p.nproj && overlap(mpaths[q], p, A_READ))
            clr_bit(cur.paths, q);
    }
}

static void access(Place p, int kind, int self) {
    if (kind != A_WRITE || p.nproj)
        check_moved(p);
    check_loans(p, kind, self);
}

/* The loans a use of local l activates. */
static void activate(int l) {
    if (!LW)
        return;
    for (int w = 0; w < LW; w++)
        for (Word m = holds[l][w] & cur.scope[w] & ~cur.active[w]; m; m &= m - 1) {
            int k = w * 64 + __builtin_ctzll(m);
            if (!loans[k].two_phase || loans[k].holder != l)
                continue;
            check_loans(loans[k].place, A_ACTIVATE, k);
            set_bit(cur.active, k);
        }
}

static void operand(Operand *o, Pos at) {
    if (o->kind == OP_CONST)
        return;
    bool moves = o->kind == OP_MOVE && !ty_is_copy(o->place.nproj ? o->place.proj[o->place.nproj - 1].ty
                                                                   : loc(o->place.local)->ty);
    access(o->place, moves ? A_MOVE : A_READ, -1);
    for (int i = 0; i < o->place.nproj; i++)
        if (o->place.proj[i].kind == PJ_INDEX)
            access(mir_place(o->place.proj[i].index), A_READ, -1);
    if (moves)
        do_move(o->place, at);
}

static void place_reads(Place p) {
    activate(p.local);
    for (int i = 0; i < p.nproj; i++)
        if (p.proj[i].kind == PJ_INDEX)
            access(mir_place(p.proj[i].index), A_READ, -1);
}

static void rvalue(MStmt *s, int loan) {
    Rvalue *r = &s->rv;
    at_call = r->kind == RV_CALL || r->kind == RV_BUILTIN || r->kind == RV_FORMAT;
    for (int i = 0; i < r->nargs; i++)
        operand(&r->args[i], s->pos);
    /* the operands are evaluated, then the call activates its two-phase loans */
    for (int i = 0; i < r->nargs; i++)
        if (r->args[i].kind != OP_CONST)
            activate(r->args[i].place.local);
    if (r->kind == RV_CALL || r->kind == RV_BUILTIN)
        for (int i = 0; i < r->nargs; i++) {
            /* a `&T!` passed on is reborrowed: a mutable use of what it points to */
            Operand *o = &r->args[i];
            if (o->kind == OP_CONST)
                continue;
            Type *t = ty_res(o->place.nproj ? o->place.proj[o->place.nproj - 1].ty : loc(o->place.local)->ty);
            if (t->kind == TY_REF && t->mut) {
                Proj pj = {0};
                pj.kind = PJ_DEREF;
                pj.ty = t->elem;
                check_loans(mir_project(o->place, pj), A_MUT, -1);
            }
        }
    if (loan >= 0 && r->kind == RV_USE) {
        access(loans[loan].place, loans[loan].two_phase ? A_SHARE : A_MUT, loan);
        return;
    }
    at_call = false;
    switch (r->kind) {
    case RV_REF:
        place_reads(r->place);
        access(r->place, r->mut && !loans[loan].two_phase ? A_MUT : A_SHARE, loan);
        break;
    case RV_CLONE:
        place_reads(r->place);
        access(r->place, r->owned ? A_MOVE : A_READ, -1);
        if (r->owned)
            do_move(r->place, s->pos);
        break;
    case RV_DISCR:
        place_reads(r->place);
        access(r->place, A_READ, -1);
        break;
    default:
        break;
    }
}

static void assign_dest(Place p) {
    if (p.nproj)
        place_reads(p);
    access(p, A_WRITE, -1);
    reinit(p);
}

static bool same_place(Place a, Place b) {
    if (a.local != b.local || a.nproj != b.nproj)
        return false;
    for (int i = 0; i < a.nproj; i++)
        if (a.proj[i].kind != b.proj[i].kind || a.proj[i].field != b.proj[i].field ||
            a.proj[i].variant != b.proj[i].variant || a.proj[i].index != b.proj[i].index)
            return false;
    return true;
}

/* A reference stored through a reference (`*o = Some(x)` with `o: &T!`)
 * would outlive what the callee can see: references are second-class. */
static void check_escape(MStmt *s) {
    Place p = s->place;
    bool through = false;
    for (int i = 0; i < p.nproj; i++)
        through |= p.proj[i].kind == PJ_DEREF && ty_res(ty_before(p, i))->kind == TY_REF;
    if (!through || !ty_holds_ref(place_type(p)) || !rvalue_refy(&s->rv))
        return;
    diag_primary("a reference is stored here");
    diag_help("references are second-class: return the value, or pass what it refers to instead");
    error_at(s->pos, "E0403", "cannot store a reference through `%s`: it would outlive its borrow", place_name(p));
}

static void step(MBlock *bl, int i) {
    MStmt *s = bl->stmts.items[i];
    cur_i = i;
    switch (s->kind) {
    case MS_ASSIGN: {
        int loan = loan_at[stmt_base[bl->id] + i];
        rvalue(s, loan);
        if (reporting && s->rv.kind != RV_REF)
            check_escape(s);
        assign_dest(s->place);
        if (loan >= 0) {
            set_bit(cur.scope, loan);
            clr_bit(cur.active, loan);
        }
        break;
    }
    case MS_EVAL:
        rvalue(s, -1);
        break;
    case MS_DROP: {
        MStmt *next = i + 1 < bl->stmts.len ? bl->stmts.items[i + 1] : NULL;
        bool reassign = next && next->kind == MS_ASSIGN && same_place(next->place, s->place);
        if (reassign) {
            check_loans(s->place, A_WRITE, -1);
        } else if (s->flag < 0) {
            access(s->place, A_DEAD, -1);
        } else {
            check_loans(s->place, A_DEAD, -1);
        }
        break;
    }
    }
    keep_live(live_pt[i + 1]);
}

static void step_term(MBlock *bl) {
    cur_i = bl->stmts.len;
    if ((bl->term == MT_BRANCH || bl->term == MT_SWITCH) && bl->cond.kind != OP_CONST) {
        operand(&bl->cond, stmt_pos());
        activate(bl->cond.place.local);
    }
    if (bl->term == MT_SUSPEND) {
        /* a suspension point: its operands are read or moved as the
         * operation starts, its result initialised as it completes */
        MSuspend *sp = bl->susp;
        for (int i = 0; i < sp->nargs; i++)
            operand(&sp->args[i], sp->pos);
        for (int i = 0; i < sp->nargs; i++)
            if (sp->args[i].kind != OP_CONST)
                activate(sp->args[i].place.local);
        if (sp->dest >= 0)
            reinit(mir_place(sp->dest));
    }
}

/* Runs block b from the state in `in`; the state after it is in cur. */
static void run_block(int b, State *in) {
    MBlock *bl = blk(b);
    int n = bl->stmts.len;
    cur_b = b;
    st_copy(&cur, in);
    live_pt = arena_alloc(sizeof(Word *) * (size_t)(n + 2));
    live_pt[n + 1] = set_new(LNW);
    live_out_of(b, live_pt[n + 1]);
    Word *w = set_new(LNW);
    memcpy(w, live_pt[n + 1], sizeof(Word) * (size_t)(LNW ? LNW : 1));
    live_term(bl, w);
    live_pt[n] = w;
    for (int i = n - 1; i >= 0; i--) {
        live_pt[i] = set_new(LNW);
        memcpy(live_pt[i], live_pt[i + 1], sizeof(Word) * (size_t)(LNW ? LNW : 1));
        live_step(bl->stmts.items[i], live_pt[i]);
    }
    keep_live(live_pt[0]);
    for (int i = 0; i < n; i++)
        step(bl, i);
    step_term(bl);
    keep_live(live_pt[n + 1]);
}

/* The places ever moved out in part: the move paths. */
static void find_partial_moves(void) {
    mp_of = arena_alloc(sizeof(Vec) * (size_t)(NL + 1));
    int cap = 1;
    for (int b = 0; b < M->blocks.len; b++)
        for (int i = 0; i < blk(b)->stmts.len; i++)
            cap += ((MStmt *)blk(b)->stmts.items[i])->rv.nargs + 1;
    mpaths = arena_alloc(sizeof(Place) * (size_t)cap);
    NMP = 0;
    for (int b = 0; b < M->blocks.len; b++)
        for (int i = 0; i < blk(b)->stmts.len; i++) {
            MStmt *s = blk(b)->stmts.items[i];
            if (s->kind == MS_DROP)
                continue;
            Rvalue *r = &s->rv;
            for (int k = -1; k < r->nargs; k++) {
                Place p;
                if (k < 0 && r->kind == RV_CLONE && r->owned)
                    p = r->place;
                else if (k >= 0 && r->args[k].kind == OP_MOVE)
                    p = r->args[k].place;
                else
                    continue;
                if (!trackable(p) || path_index(p) >= 0)
                    continue;
                mpaths[NMP] = p;
                vec_push(&mp_of[p.local], (void *)(intptr_t)NMP);
                NMP++;
            }
        }
    PW = (NMP + 63) / 64;
}

static void check_fn(MFn *m) {
    M = m;
    NL = m->locals.len;
    NW = (NL + 63) / 64;
    int nb = m->blocks.len;
    int maxs = 2;
    for (int b = 0; b < nb; b++) {
        int n = mir_succs(blk(b), NULL);
        if (n > maxs)
            maxs = n;
    }
    succ_buf = arena_alloc(sizeof(int) * (size_t)(maxs + 1));
    moved_at = arena_alloc(sizeof(Pos) * (size_t)(NL + 1));
    mx = arena_alloc(sizeof(int) * (size_t)(NL + 1));
    int nm = 0;
    for (int l = 0; l < NL; l++)
        mx[l] = ty_is_copy(loc(l)->ty) ? -1 : nm++;
    MNW = (nm + 63) / 64;
    find_loans();
    find_partial_moves();
    if (getenv("VEX_BCK_STATS"))
        fprintf(stderr, "borrowck %s: %d locals, %d blocks, %d loans, %d paths, %d live words, %d moved words\n",
                m->name, NL, nb, NLN, NMP, LNW, MNW);
    liveness();
    State *in = arena_alloc(sizeof(State) * (size_t)(nb + 1));
    for (int b = 0; b < nb; b++)
        in[b] = st_new();
    in[0].reached = true;
    cur = st_new();
    reporting = false;
    /* a worklist (a ring of block numbers), each block queued at most once
     * at a time and again only when its entry state grew: the cost follows
     * the CFG, not the number of blocks times the depth of the graph */
    int *work = arena_alloc(sizeof(int) * (size_t)(nb + 1));
    bool *queued = arena_alloc((size_t)nb + 1);
    int *succ = arena_alloc(sizeof(int) * (size_t)(maxs + 1));
    int head = 0, count = 1;
    work[0] = 0;
    queued[0] = true;
    while (count) {
        int b = work[head];
        head = (head + 1) % (nb + 1);
        count--;
        queued[b] = false;
        run_block(b, &in[b]);
        int n = mir_succs(blk(b), succ_buf);
        memcpy(succ, succ_buf, sizeof(int) * (size_t)(n + 1));
        for (int k = 0; k < n; k++)
            if (st_join(&in[succ[k]], &cur) && !queued[succ[k]]) {
                queued[succ[k]] = true;
                work[(head + count) % (nb + 1)] = succ[k];
                count++;
            }
    }
    reporting = true;
    for (int b = 0; b < nb; b++)
        if (in[b].reached)
            run_block(b, &in[b]);
}

void borrowck_program(MProgram *mp) {
    for (int i = 0; i < mp->fns.len; i++)
        check_fn(mp->fns.items[i]);
}
