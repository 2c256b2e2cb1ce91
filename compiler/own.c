/*
 * own.c - what may be moved, on the checked AST (E0400).
 *
 * Moves, use after move and every borrow rule are checked on the MIR
 * (borrowck.c). What stays here is a rule about the shape of an
 * expression, which the MIR no longer shows: lowering clones a place it
 * reads as owned, so a move out of an index (`v[0]` of a Vec<Vec<T>>) or
 * out of something behind a reference (`r.items`, `*r`) would silently
 * become a clone. Those are errors, as in Rust: clone it, or take it out
 * with pop()/remove(i). A walk in evaluation order that knows, for each
 * expression, whether its value is consumed (MOVE) or read in place (READ).
 */
#include <string.h>

#include "vexc.h"

enum { READ, MOVE };

static void walk(Node *e, int mode);

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

static void walk_stmt(Node *s) {
    switch (s->kind) {
    case N_LET:
        walk(s->a, s->c && !binds_by_value(s->c) ? READ : MOVE);
        return;
    case N_ASSIGN:
        walk(s->b, MOVE);
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
    case N_FSTR:
        for (int i = 0; i < e->list.len; i++)
            if (e->list2.items[i])
                walk(e->list.items[i], READ);
        return;
    case N_INTRINSIC:
        walk_list(&e->list, READ);
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
            walk_list(&e->list, e->res == R_EXTERN ? READ : MOVE);
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
        if (mode == MOVE && !ty_is_copy(e->ty) && ty_res(e->a->ty)->kind == TY_REF) {
            diag_help("use `.clone()` to copy the value");
            error_at(e->pos, "E0400", "cannot move out of a reference");
        }
        walk(e->a, mode == MOVE && !ty_is_copy(e->ty) ? MOVE : READ);
        return;
    case N_REF: case N_UNARY: case N_CAST:
        walk(e->a, READ);
        return;
    case N_BINARY: case N_RANGE:
        walk(e->a, READ);
        walk(e->b, READ);
        return;
    case N_IF:
        walk(e->a, READ);
        walk(e->b, mode);
        walk(e->c, mode);
        return;
    case N_WHILE:
        walk(e->a, READ);
        walk(e->b, READ);
        return;
    case N_LOOP:
        walk(e->b, READ);
        return;
    case N_FOR:
        walk(e->a, e->a->kind != N_RANGE && ty_res(e->a->ty)->kind != TY_REF ? MOVE : READ);
        walk(e->b, READ);
        return;
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
        for (int i = 0; i < e->list.len; i++) {
            Node *arm = e->list.items[i];
            walk(arm->b, READ);
            walk(arm->c, mode);
        }
        return;
    }
    case N_RETURN: case N_TRY:
        walk(e->a, MOVE);
        return;
    case N_STRUCTLIT: case N_TUPLE: case N_VECLIT:
        walk_list(&e->list, MOVE);
        return;
    default:
        return;
    }
}

void own_program(Program *prog) {
    for (int i = 0; i < prog->fns.len; i++) {
        Fn *f = prog->fns.items[i];
        if (f->body)
            walk(f->body, MOVE);
    }
}
