/*
 * liveness_test.c - unit tests of the MIR analyses (compiler/mir.c) on
 * functions built by hand: liveness over bitsets (no limit on locals), a
 * definition killing liveness, a partial write keeping the rest live, and
 * the borrowed-locals analysis (a local stays live while a reference to it
 * may be used). Linked against the compiler's objects by tests/suites/mir.sh.
 */
#include <stdio.h>
#include <stdlib.h>

#include "vexc.h"

static int failed;

static void expect(const char *name, bool ok) {
    printf("%s mir-liveness-%s\n", ok ? "PASS" : "FAIL", name);
    if (!ok)
        failed = 1;
}

static Pos nopos;

static void assign(MFn *m, Place dst, Rvalue rv) {
    MStmt *s = mir_stmt(m, MS_ASSIGN, nopos);
    s->place = dst;
    s->rv = rv;
}

static Rvalue use(Operand o) {
    Rvalue r = {0};
    r.kind = RV_USE;
    r.nargs = 1;
    r.args = arena_alloc(sizeof(Operand));
    r.args[0] = o;
    return r;
}

static Operand cint(int v) {
    Operand o = {0};
    o.kind = OP_CONST;
    o.ck = C_INT;
    o.ty = ty_i32;
    o.ival = (uint64_t)v;
    return o;
}

static Place deref(Place p, Type *t) {
    Proj pj = {0};
    pj.kind = PJ_DEREF;
    pj.ty = t;
    return mir_project(p, pj);
}

static bool live(MFn *m, int b, int l) { return mir_live(m, ((MBlock *)m->blocks.items[b])->live_in, l); }

/* x = 1; r = &x; loop { t = *r < 10; if !t break }; return *r
 * r is live in the loop, and so is x, which r points into. */
static void test_borrowed(void) {
    Fn fn = {0};
    fn.name = "borrowed";
    MFn *m = mir_new_fn(&fn, "borrowed");
    Type *ref = ty_wrap(TY_REF, ty_i32);
    int ret = mir_local(m, LK_RET, ty_i32, NULL, nopos);
    int x = mir_local(m, LK_USER, ty_i32, "x", nopos);
    int r = mir_local(m, LK_USER, ref, "r", nopos);
    int t = mir_local(m, LK_TEMP, ty_bool, NULL, nopos);
    MBlock *b1 = mir_block(m), *b2 = mir_block(m), *b3 = mir_block(m);
    assign(m, mir_place(x), use(cint(1)));
    Rvalue rf = {0};
    rf.kind = RV_REF;
    rf.place = mir_place(x);
    assign(m, mir_place(r), rf);
    mir_goto(m, b1);
    mir_set(m, b1);
    Rvalue lt = {0};
    lt.kind = RV_BINARY;
    lt.op = "<";
    lt.nargs = 2;
    lt.args = arena_alloc(2 * sizeof(Operand));
    lt.args[0] = mir_copy(deref(mir_place(r), ty_i32));
    lt.args[1] = cint(10);
    assign(m, mir_place(t), lt);
    mir_branch(m, mir_copy(mir_place(t)), b2, b3);
    mir_set(m, b2);
    mir_goto(m, b1);
    mir_set(m, b3);
    assign(m, mir_place(ret), use(mir_copy(deref(mir_place(r), ty_i32))));
    mir_return(m);
    mir_liveness(m);
    expect("entry-empty", !live(m, 0, x) && !live(m, 0, r) && !live(m, 0, t));
    expect("ref-live-in-loop", live(m, 1, r) && live(m, 2, r) && live(m, 3, r));
    expect("borrowed-local-live", live(m, 1, x) && live(m, 2, x) && live(m, 3, x));
    expect("temp-dead-at-head", !live(m, 1, t) && !live(m, 3, t));
    uint64_t **from = mir_borrows(m);
    expect("origin-of-r-is-x", mir_live(m, from[r], x) && !mir_live(m, from[t], x));
}

/* 300 locals: local 250 is defined in bb0 and used in bb2, through bb1;
 * local 70 is written through a projection in bb1 (a use, not a def). */
static void test_many_locals(void) {
    Fn fn = {0};
    fn.name = "many";
    MFn *m = mir_new_fn(&fn, "many");
    Type *pair = ty_new(TY_TUPLE);
    pair->nelems = 2;
    pair->elems = arena_alloc(2 * sizeof(Type *));
    pair->elems[0] = pair->elems[1] = ty_i32;
    mir_local(m, LK_RET, ty_i32, NULL, nopos);
    for (int i = 1; i < 300; i++)
        mir_local(m, LK_TEMP, i == 70 ? pair : ty_i32, NULL, nopos);
    MBlock *b1 = mir_block(m), *b2 = mir_block(m);
    assign(m, mir_place(250), use(cint(5)));
    assign(m, mir_place(70), use(cint(0)));
    mir_goto(m, b1);
    mir_set(m, b1);
    Proj f0 = {0};
    f0.kind = PJ_FIELD;
    f0.ty = ty_i32;
    assign(m, mir_project(mir_place(70), f0), use(cint(7)));
    mir_goto(m, b2);
    mir_set(m, b2);
    assign(m, mir_place(0), use(mir_copy(mir_place(250))));
    assign(m, mir_place(299), use(mir_copy(mir_place(70))));
    mir_return(m);
    mir_liveness(m);
    expect("multiword-live", live(m, 1, 250) && live(m, 2, 250) && !live(m, 0, 250));
    expect("partial-write-is-use", live(m, 1, 70) && !live(m, 0, 70));
    expect("dead-after-def", !live(m, 1, 299) && !live(m, 2, 299));
    int n = 0;
    for (int l = 0; l < 300; l++)
        n += live(m, 1, l);
    expect("only-what-is-used", n == 2);
}

int main(void) {
    types_init();
    test_borrowed();
    test_many_locals();
    return failed;
}
