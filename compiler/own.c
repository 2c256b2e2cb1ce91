/*
 * own.c - ownership: moves and use-after-move (E0400), on the checked AST.
 *
 * A flow-sensitive walk over each function in evaluation order, carrying
 * the set of locals that are (maybe) moved. A value whose type is not
 * copied (ty_is_copy: Vec, Box and what holds them) is moved when it is
 * used as a value: bound by `let`, assigned, passed to a by-value
 * parameter or receiver, put in a struct/enum/Vec/tuple literal, returned,
 * iterated by `for`, or bound by value in a match arm. Reading a place
 * (`v.len()`, `v[i]`, `&v`, printing) is not a move. Assigning a new value
 * to a moved local makes it live again.
 *
 * Control flow: at a join (if/else, match arms) a local is moved if it is
 * moved on ANY incoming path (maybe-moved is an error to use, like rustc);
 * paths that end in return/break/continue/panic are dead and do not join.
 * A loop body is walked twice, the second time starting from the state
 * after one iteration, which finds "moved in the previous iteration".
 *
 * Loans (second-class references): `let r = &x...` (or `r = &x...`) lends
 * x to r until r's last use, found by liveness over the source order (a use
 * inside a loop that also contains the conflict counts when the loan was
 * made before the loop; bindings matched through r inherit its loan).
 * While a loan is live, x cannot be moved (E0400), reassigned (E0401) or
 * mutated or lent mutably (E0402), and x must outlive r (E0403). One call
 * cannot take `&x!` together with another reference to x (E0402).
 */
#include <string.h>

#include "vexc.h"

typedef struct State {
    unsigned char *moved; /* indexed by Sym.id */
    uint64_t *fields;     /* partial moves: bit i = field i moved out */
    Pos *where;           /* where each local was moved */
    bool dead;            /* no path reaches here */
} State;

enum { READ, MOVE };

typedef struct Loan {
    Sym *ref, *root;
    bool mut, dead;
    int off;
} Loan;

static Vec loans;       /* Loan* of the function */
static Vec *uses;       /* per local (lslot): offsets (as pointers) where it is read */
static int *scope_end;  /* per local (lslot): end offset of the block declaring it */
static Vec loop_ranges; /* int pairs (start, end) of the enclosing loops */

static State st;
/* The state covers only the current function's locals that can be moved
 * (not ty_is_copy): slots[id - base] is local `id`'s index in the state,
 * or -1. Every if/loop/match copies the state, so keeping it this small
 * is what keeps a long function from costing O(statements * locals). */
static int base, nrange, nsyms;
static int *slots;

static int slot(Sym *s) {
    if (!s || s->id < base || s->id - base >= nrange)
        return -1;
    return slots[s->id - base];
}

/* Any local of the function (copyable too, e.g. a reference): its index
 * in uses/scope_end, or -1. */
static int lslot(Sym *s) {
    if (!s || s->id < base || s->id - base >= nrange)
        return -1;
    return s->id - base;
}

static State copy_state(State s) {
    State c = s;
    c.moved = arena_alloc((size_t)nsyms);
    memcpy(c.moved, s.moved, (size_t)nsyms);
    c.fields = arena_alloc(sizeof(uint64_t) * (size_t)nsyms);
    memcpy(c.fields, s.fields, sizeof(uint64_t) * (size_t)nsyms);
    return c;
}

/* The state after two paths join. */
static State join(State a, State b) {
    if (a.dead)
        return b;
    if (b.dead)
        return a;
    for (int i = 0; i < nsyms; i++) {
        if (b.moved[i] && !a.moved[i]) {
            a.moved[i] = 1;
            a.where[i] = b.where[i];
        }
        a.fields[i] |= b.fields[i];
    }
    return a;
}

static void walk(Node *e, int mode);

static int max_off(Node *n) {
    if (!n)
        return 0;
    int m = n->pos.off;
    int a = max_off(n->a), b = max_off(n->b), c = max_off(n->c);
    m = a > m ? a : m;
    m = b > m ? b : m;
    m = c > m ? c : m;
    for (int i = 0; i < n->list.len; i++) {
        int x = max_off(n->list.items[i]);
        m = x > m ? x : m;
    }
    return m;
}

/* A match arm's bindings live until the end of the arm. */
static void mark_arm_scope(Node *p, int end) {
    if (!p)
        return;
    if (p->kind == P_BIND && lslot(p->sym) >= 0)
        scope_end[lslot(p->sym)] = end;
    for (int i = 0; i < p->list.len; i++)
        mark_arm_scope(p->list.items[i], end);
}

static void collect_uses(Node *n) {
    if (!n)
        return;
    if (n->kind == N_IDENT && n->res == R_LOCAL && lslot(n->sym) >= 0)
        vec_push(&uses[lslot(n->sym)], (void *)(intptr_t)n->pos.off);
    if (n->kind == N_ARM)
        mark_arm_scope(n->a, max_off(n));
    if (n->kind == N_BLOCK) {
        int end = max_off(n);
        for (int i = 0; i < n->list.len; i++) {
            Node *st_ = n->list.items[i];
            if (st_->kind == N_LET && lslot(st_->sym) >= 0)
                scope_end[lslot(st_->sym)] = end;
        }
    }
    collect_uses(n->a);
    collect_uses(n->b);
    collect_uses(n->c);
    for (int i = 0; i < n->list.len; i++)
        collect_uses(n->list.items[i]);
}

/* Source ranges that cannot run after the current point: the other
 * branches of the if/match being walked (int pairs). */
static Vec excluded;

static bool excluded_off(int off) {
    for (int j = 0; j + 1 < excluded.len; j += 2)
        if (off >= (int)(intptr_t)excluded.items[j] && off <= (int)(intptr_t)excluded.items[j + 1])
            return true;
    return false;
}

/* Is reference r used after offset off (or again in an enclosing loop
 * entered after the loan was made)? */
static bool ref_live(Loan *l, int off) {
    int k = lslot(l->ref);
    if (k < 0)
        return false;
    Vec *u = &uses[k];
    for (int i = 0; i < u->len; i++) {
        int x = (int)(intptr_t)u->items[i];
        if (x > off && !excluded_off(x))
            return true;
    }
    for (int j = 0; j + 1 < loop_ranges.len; j += 2) {
        int lo = (int)(intptr_t)loop_ranges.items[j], hi = (int)(intptr_t)loop_ranges.items[j + 1];
        if (l->off >= lo || off < lo || off > hi)
            continue;
        for (int i = 0; i < u->len; i++) {
            int x = (int)(intptr_t)u->items[i];
            if (x >= lo && x <= hi)
                return true;
        }
    }
    return false;
}

/* The local a place is rooted at: `v`, `v.f`, `v[i]`, `b.f` through a
 * Box, `p[i]` through a reference parameter or local `p` (then the root is
 * `p`, and loans of `p` itself pass on: see add_loan). */
static Sym *owned_root(Node *e) {
    for (;;) {
        if (e->kind == N_IDENT)
            return e->res == R_LOCAL ? e->sym : NULL;
        if (e->kind == N_FIELD || e->kind == N_INDEX || e->kind == N_DEREF)
            e = e->a;
        else
            return NULL;
    }
}

static void push_range(Vec *v, Node *n) {
    vec_push(v, (void *)(intptr_t)(n ? n->pos.off : 0));
    vec_push(v, (void *)(intptr_t)(n ? max_off(n) : -1));
}

enum { EV_MOVE, EV_ASSIGN, EV_MUTATE };

/* x is moved / assigned / mutated at e: no live loan may see it. */
static void check_loans_at(Sym *x, Node *e, int ev, int off);

static void check_loans(Sym *x, Node *e, int ev) { check_loans_at(x, e, ev, e->pos.off); }

/* off: where the conflicting access happens; a method's mutable use of
 * its receiver happens after its arguments (two-phase borrows). */
static void check_loans_at(Sym *x, Node *e, int ev, int off) {
    if (!x || st.dead)
        return;
    for (int i = 0; i < loans.len; i++) {
        Loan *l = loans.items[i];
        if (l->dead || l->root != x || l->ref == x || !ref_live(l, off))
            continue;
        diag_note(l->ref->pos, "`%s` borrows `%s` here and is used later", l->ref->name, x->name);
        if (ev == EV_MOVE)
            error_at(e->pos, "E0400", "cannot move out of `%s` because it is borrowed", x->name);
        if (ev == EV_ASSIGN)
            error_at(e->pos, "E0401", "cannot assign to `%s` because it is borrowed", x->name);
        error_at(e->pos, "E0402", "cannot mutate or lend `%s` mutably because it is borrowed", x->name);
    }
}

static void new_loan(Sym *ref, Sym *root, bool mut, Node *at);

static void add_loan(Sym *ref, Node *init, Node *at) {
    if (!ref || !init)
        return;
    for (int i = 0; i < loans.len; i++) {
        Loan *l = loans.items[i];
        if (l->ref == ref)
            l->dead = true; /* r now refers to something else */
    }
    if (init->kind == N_IDENT && init->res == R_LOCAL && ty_res(init->ty)->kind == TY_REF) {
        /* a copy of a reference keeps its loans */
        for (int i = 0, n = loans.len; i < n; i++) {
            Loan *l = loans.items[i];
            if (!l->dead && l->ref == init->sym)
                new_loan(ref, l->root, l->mut, at);
        }
        return;
    }
    if (init->kind != N_REF)
        return;
    Sym *root = owned_root(init->a);
    if (!root)
        return;
    if (ty_res(root->ty)->kind == TY_REF)
        /* &r[1] through a reference r: whatever r borrows stays borrowed */
        for (int i = 0, n = loans.len; i < n; i++) {
            Loan *l = loans.items[i];
            if (!l->dead && l->ref == root)
                new_loan(ref, l->root, l->mut, at);
        }
    new_loan(ref, root, init->mut, at);
}

static void new_loan(Sym *ref, Sym *root, bool mut, Node *at) {
    if (root == ref)
        return;
    for (int i = 0; i < loans.len && !st.dead; i++) {
        Loan *o = loans.items[i];
        if (!o->dead && o->root == root && o->ref != ref && (o->mut || mut) && ref_live(o, at->pos.off)) {
            diag_note(o->ref->pos, "`%s` borrows `%s` here and is used later", o->ref->name, root->name);
            error_at(at->pos, "E0402", "cannot borrow `%s` while `%s` also borrows it%s", root->name, o->ref->name,
                     o->mut ? " mutably" : "");
        }
    }
    Loan *l = arena_alloc(sizeof(Loan));
    l->ref = ref;
    l->root = root;
    l->mut = mut;
    l->off = at->pos.off;
    vec_push(&loans, l);
    int kr = lslot(root), kf = lslot(ref);
    if (kr >= 0 && kf >= 0 && scope_end[kr] > 0 && ref_live(l, scope_end[kr])) {
        diag_note(root->pos, "`%s` is dropped at the end of its block", root->name);
        error_at(at->pos, "E0403", "`%s` does not live long enough: `%s` still refers to it after its block",
                 root->name, ref->name);
    }
}

static void bind_derived(Node *p, Loan *l) {
    if (!p)
        return;
    if (p->kind == P_BIND && p->sym && ty_res(p->sym->ty)->kind == TY_REF) {
        Loan *d = arena_alloc(sizeof(Loan));
        *d = *l;
        d->ref = p->sym;
        vec_push(&loans, d);
    }
    for (int i = 0; i < p->list.len; i++)
        bind_derived(p->list.items[i], l);
}

static void use_local(Node *e, int mode) {
    Sym *s = e->sym;
    int k = slot(s);
    if (k < 0)
        return;
    if (st.moved[k] && !st.dead) {
        diag_note(st.where[k], "value moved here");
        diag_help("use `.clone()` to keep a copy, or use the value before moving it");
        error_at(e->pos, "E0400", "use of moved value: `%s`", s->name);
    }
    if (st.fields[k] && !st.dead) {
        diag_note(st.where[k], "a field was moved out here");
        diag_help("use `.clone()` on the field to keep the whole value usable");
        error_at(e->pos, "E0400", "use of partially moved value: `%s`", s->name);
    }
    if (mode == MOVE && !ty_is_copy(s->ty)) {
        check_loans(s, e, EV_MOVE);
        st.moved[k] = 1;
        st.where[k] = e->pos;
    }
}

/* x.f of a local x: moving it out moves just that field (Rust's partial
 * move); the other fields stay usable. */
static void use_field(Node *e, int mode) {
    Node *owner = e->a;
    Sym *s = owner->sym;
    int k = slot(s);
    if (k < 0 || e->index >= 64)
        return;
    if (st.moved[k] && !st.dead) {
        diag_note(st.where[k], "value moved here");
        error_at(owner->pos, "E0400", "use of moved value: `%s`", s->name);
    }
    uint64_t bit = (uint64_t)1 << e->index;
    if ((st.fields[k] & bit) && !st.dead) {
        diag_note(st.where[k], "value moved here");
        error_at(e->pos, "E0400", "use of moved value: `%s.%s`", s->name, e->name);
    }
    if (mode == MOVE && !ty_is_copy(e->ty)) {
        st.fields[k] |= bit;
        st.where[k] = e->pos;
    }
}

static void walk_list(Vec *l, int mode) {
    for (int i = 0; i < l->len; i++)
        walk(l->items[i], mode);
}

static bool binds_by_value(Node *p) {
    if (!p)
        return false;
    if (p->kind == P_BIND)
        return !p->autoref && p->sym && !ty_is_copy(p->sym->ty);
    for (int i = 0; i < p->list.len; i++)
        if (binds_by_value(p->list.items[i]))
            return true;
    return false;
}

/* A `for` binds its variable (or pattern's bindings) afresh on every
 * iteration: moving it in the body is not a move of the next one. */
static void rebind(Node *loop) {
    if (!loop || loop->kind != N_FOR)
        return;
    Vec todo = {0};
    if (loop->sym)
        vec_push(&todo, loop);
    if (loop->c)
        vec_push(&todo, loop->c);
    while (todo.len) {
        Node *p = todo.items[--todo.len];
        int k = slot(p->sym);
        if (k >= 0) {
            st.moved[k] = 0;
            st.fields[k] = 0;
        }
        if (p != loop)
            for (int i = 0; i < p->list.len; i++)
                vec_push(&todo, p->list.items[i]);
    }
}

static void walk_loop_body(Node *loop, Node *body) {
    vec_push(&loop_ranges, (void *)(intptr_t)body->pos.off);
    vec_push(&loop_ranges, (void *)(intptr_t)max_off(body));
    State before = copy_state(st);
    rebind(loop);
    walk(body, READ);
    /* second pass: as if entering the next iteration */
    st = join(copy_state(before), st);
    st.dead = false;
    rebind(loop);
    walk(body, READ);
    st = join(before, st);
    loop_ranges.len -= 2;
}

static void walk_stmt(Node *s) {
    switch (s->kind) {
    case N_LET:
        walk(s->a, MOVE);
        if (slot(s->sym) >= 0) {
            st.moved[slot(s->sym)] = 0;
            st.fields[slot(s->sym)] = 0;
        }
        add_loan(s->sym, s->a, s);
        return;
    case N_ASSIGN:
        walk(s->b, MOVE);
        if (s->a->kind == N_IDENT && s->a->res == R_LOCAL)
            add_loan(s->a->sym, s->b, s->a);
        {
            Sym *root = owned_root(s->a);
            if (root && !(s->a->kind == N_IDENT && ty_res(s->a->ty)->kind == TY_REF))
                check_loans(root, s->a,
                            s->a->kind == N_IDENT || (s->a->kind == N_DEREF && s->a->a->kind == N_IDENT) ? EV_ASSIGN
                                                                                                           : EV_MUTATE);
        }
        if (s->a->kind == N_IDENT && slot(s->a->sym) >= 0 && !strcmp(s->op, "=")) {
            st.moved[slot(s->a->sym)] = 0;
            st.fields[slot(s->a->sym)] = 0;
            return;
        }
        if (s->a->kind == N_FIELD && s->a->a->kind == N_IDENT && slot(s->a->a->sym) >= 0 && s->a->index < 64 &&
            !strcmp(s->op, "=")) {
            st.fields[slot(s->a->a->sym)] &= ~((uint64_t)1 << s->a->index);
            walk(s->a->a, READ);
            return;
        }
        walk(s->a, READ);
        return;
    case N_EXPRSTMT:
        walk(s->a, READ);
        return;
    default:
        return;
    }
}

static void walk(Node *e, int mode) {
    if (!e)
        return;
    switch (e->kind) {
    case N_IDENT:
        if (e->res == R_LOCAL)
            use_local(e, mode);
        return;
    case N_FSTR:
        for (int i = 0; i < e->list.len; i++)
            if (e->list2.items[i])
                walk(e->list.items[i], READ);
        return;
    case N_INTRINSIC:
        walk_list(&e->list, READ);
        if (!strcmp(e->name, "$panic"))
            st.dead = true;
        return;
    case N_CALL:
        /* one call cannot take &x! with another reference to x */
        for (int i = 0; i < e->list.len; i++)
            for (int j = 0; j < i; j++) {
                Node *a = e->list.items[j], *b = e->list.items[i];
                if (a->kind != N_REF || b->kind != N_REF || (!a->mut && !b->mut))
                    continue;
                Sym *ra = owned_root(a->a), *rb = owned_root(b->a);
                if (ra && ra == rb)
                    error_at(b->pos, "E0402", "cannot lend `%s` mutably while it is also lent in the same call", ra->name);
            }
        for (int i = 0; i < e->list.len; i++)
            for (int j = 0; j < i; j++) {
                Node *a = e->list.items[j], *b = e->list.items[i];
                if (a->kind == N_REF && b->kind == N_IDENT && b->res == R_LOCAL && !ty_is_copy(b->ty) &&
                    owned_root(a->a) == b->sym)
                    error_at(b->pos, "E0400", "cannot move `%s` into this call: it is also lent to it", b->name);
            }
        switch (e->res) {
        case R_METHOD:
            if (e->fn->self_kind == 2)
                check_loans_at(owned_root(e->a->a), e->a->a, EV_MUTATE, max_off(e));
            walk(e->a->a, e->fn->self_kind == 0 ? MOVE : READ);
            walk_list(&e->list, MOVE);
            return;
        case R_BUILTIN_METHOD: {
            if (builtins[e->builtin].mutates)
                check_loans_at(owned_root(e->a->a), e->a->a, EV_MUTATE, max_off(e));
            walk(e->a->a, READ);
            walk_list(&e->list, MOVE);
            return;
        }
        default:
            walk_list(&e->list, MOVE);
            if (ty_res(e->ty)->kind == TY_NEVER)
                st.dead = true;
            return;
        }
    case N_FIELD: {
        if (e->res == R_VARIANT)
            return;
        bool moving = mode == MOVE && !ty_is_copy(e->ty);
        if (moving && e->autoref > 0 && ty_res(e->a->ty)->kind == TY_REF) {
            diag_help("use `.clone()` to copy the value");
            error_at(e->pos, "E0400", "cannot move out of `%s`, which is behind a reference", e->name);
        }
        if (e->a->kind == N_IDENT && e->a->res == R_LOCAL && e->autoref == 0 && !e->tuple_field &&
            ty_res(e->a->ty)->kind == TY_STRUCT) {
            use_field(e, mode);
            return;
        }
        walk(e->a, moving ? MOVE : READ);
        return;
    }
    case N_INDEX:
        if (mode == MOVE && !ty_is_copy(e->ty)) {
            diag_help("use `.clone()` to copy the element, or `pop()`/`remove(i)` to take it out");
            error_at(e->pos, "E0400", "cannot move out of an index of `%s`", ty_str_of(e->a->ty));
        }
        walk(e->a, READ);
        walk(e->b, READ);
        return;
    case N_DEREF:
        if (mode == MOVE && !ty_is_copy(e->ty)) {
            if (ty_res(e->a->ty)->kind == TY_REF) {
                diag_help("use `.clone()` to copy the value");
                error_at(e->pos, "E0400", "cannot move out of a reference");
            }
            walk(e->a, MOVE); /* moving out of a Box consumes the Box */
            return;
        }
        walk(e->a, READ);
        return;
    case N_REF:
        if (e->mut)
            check_loans(owned_root(e->a), e, EV_MUTATE);
        walk(e->a, READ);
        return;
    case N_UNARY:
    case N_CAST:
        walk(e->a, READ);
        return;
    case N_BINARY:
        walk(e->a, READ);
        if (!strcmp(e->op, "&&") || !strcmp(e->op, "||")) {
            State s0 = copy_state(st);
            walk(e->b, READ);
            st = join(st, s0);
            return;
        }
        walk(e->b, READ);
        return;
    case N_RANGE:
        walk(e->a, READ);
        walk(e->b, READ);
        return;
    case N_IF: {
        walk(e->a, READ);
        State s0 = copy_state(st);
        push_range(&excluded, e->c); /* the other branch cannot follow */
        walk(e->b, mode);
        excluded.len -= 2;
        State s1 = st;
        st = s0;
        if (e->c) {
            push_range(&excluded, e->b);
            walk(e->c, mode);
            excluded.len -= 2;
        }
        st = join(s1, st);
        return;
    }
    case N_WHILE:
        walk(e->a, READ);
        walk_loop_body(e, e->b);
        walk(e->a, READ); /* the condition runs again after every iteration */
        return;
    case N_LOOP:
        walk_loop_body(e, e->b);
        if (ty_res(e->ty)->kind == TY_NEVER)
            st.dead = true;
        return;
    case N_FOR: {
        Type *it = ty_res(e->a->ty);
        walk(e->a, e->a->kind != N_RANGE && it->kind != TY_REF ? MOVE : READ);
        walk_loop_body(e, e->b);
        return;
    }
    case N_BLOCK:
        for (int i = 0; i < e->list.len; i++)
            walk_stmt(e->list.items[i]);
        walk(e->c, mode);
        return;
    case N_MATCH: {
        bool moves = false;
        for (int i = 0; i < e->list.len; i++)
            moves |= binds_by_value(((Node *)e->list.items[i])->a);
        walk(e->a, moves ? MOVE : READ);
        {
            /* bindings by reference into the scrutinee borrow what it borrows */
            Node *sc = e->a->kind == N_REF ? e->a->a : e->a;
            Sym *sr = owned_root(sc);
            if (sr && ty_res(sr->ty)->kind == TY_REF) {
                Loan self = {sr, sr, false, false, e->pos.off};
                for (int k = 0; k < e->list.len; k++)
                    bind_derived(((Node *)e->list.items[k])->a, &self);
                for (int i = 0, n = loans.len; i < n; i++) {
                    Loan *l = loans.items[i];
                    if (!l->dead && l->ref == sr)
                        for (int k = 0; k < e->list.len; k++)
                            bind_derived(((Node *)e->list.items[k])->a, l);
                }
            } else if (sr) {
                Loan tmp = {sr, sr, false, false, e->pos.off};
                for (int k = 0; k < e->list.len; k++)
                    bind_derived(((Node *)e->list.items[k])->a, &tmp);
            }
        }
        State s0 = copy_state(st);
        State out = s0;
        out.dead = true;
        for (int i = 0; i < e->list.len; i++) {
            Node *arm = e->list.items[i];
            st = copy_state(s0);
            int mark = excluded.len;
            for (int k = 0; k < e->list.len; k++)
                if (k != i)
                    push_range(&excluded, ((Node *)e->list.items[k])->c);
            walk(arm->b, READ);
            walk(arm->c, mode);
            excluded.len = mark;
            out = join(out, st);
        }
        st = out;
        return;
    }
    case N_RETURN:
        walk(e->a, MOVE);
        st.dead = true;
        return;
    case N_BREAK:
    case N_CONTINUE:
        st.dead = true;
        return;
    case N_TRY:
        walk(e->a, MOVE);
        return;
    case N_STRUCTLIT:
    case N_TUPLE:
    case N_VECLIT:
        walk_list(&e->list, MOVE);
        return;
    default:
        return;
    }
}

void own_program(Program *prog) {
    for (int i = 0; i < prog->fns.len; i++) {
        Fn *f = prog->fns.items[i];
        if (!f->body)
            continue;
        int lo = 0, hi = -1;
        for (int j = 0; j < f->locals.len; j++) {
            Sym *s = f->locals.items[j];
            if (hi < lo || s->id < lo)
                lo = s->id;
            if (s->id > hi)
                hi = s->id;
        }
        base = lo;
        nrange = hi >= lo ? hi - lo + 1 : 0;
        slots = arena_alloc(sizeof(int) * (size_t)(nrange + 1));
        memset(slots, -1, sizeof(int) * (size_t)(nrange + 1));
        nsyms = 0;
        for (int j = 0; j < f->locals.len; j++) {
            Sym *s = f->locals.items[j];
            if (!ty_is_copy(s->ty))
                slots[s->id - lo] = nsyms++;
        }
        st.moved = arena_alloc((size_t)nsyms);
        st.where = arena_alloc(sizeof(Pos) * (size_t)nsyms);
        st.fields = arena_alloc(sizeof(uint64_t) * (size_t)nsyms);
        st.dead = false;
        uses = arena_alloc(sizeof(Vec) * (size_t)(nrange + 1));
        scope_end = arena_alloc(sizeof(int) * (size_t)(nrange + 1));
        memset(&loans, 0, sizeof loans);
        memset(&loop_ranges, 0, sizeof loop_ranges);
        memset(&excluded, 0, sizeof excluded);
        collect_uses(f->body);
        walk(f->body, MOVE);
    }
}
