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
    State before = copy_state(st);
    rebind(loop);
    walk(body, READ);
    /* second pass: as if entering the next iteration */
    st = join(copy_state(before), st);
    st.dead = false;
    rebind(loop);
    walk(body, READ);
    st = join(before, st);
}

static void walk_stmt(Node *s) {
    switch (s->kind) {
    case N_LET:
        walk(s->a, MOVE);
        if (slot(s->sym) >= 0) {
            st.moved[slot(s->sym)] = 0;
            st.fields[slot(s->sym)] = 0;
        }
        return;
    case N_ASSIGN:
        walk(s->b, MOVE);
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
        switch (e->res) {
        case R_METHOD:
            walk(e->a->a, e->fn->self_kind == 0 ? MOVE : READ);
            walk_list(&e->list, MOVE);
            return;
        case R_BUILTIN_METHOD:
            walk(e->a->a, READ);
            walk_list(&e->list, MOVE);
            return;
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
        if (e->a->kind == N_IDENT && e->a->res == R_LOCAL && e->autoref == 0 && !e->flag &&
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
    case N_UNARY:
    case N_CAST:
    case N_REF:
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
        walk(e->b, mode);
        State s1 = st;
        st = s0;
        if (e->c)
            walk(e->c, mode);
        st = join(s1, st);
        return;
    }
    case N_WHILE:
        walk(e->a, READ);
        walk_loop_body(e, e->b);
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
        State s0 = copy_state(st);
        State out = s0;
        out.dead = true;
        for (int i = 0; i < e->list.len; i++) {
            Node *arm = e->list.items[i];
            st = copy_state(s0);
            walk(arm->b, READ);
            walk(arm->c, mode);
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
        walk(f->body, MOVE);
    }
}
