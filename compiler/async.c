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

static bool leaf(SuspendKind k) { return k != SK_AWAIT && k != SK_BOXED; }

/* ---- sizes (the C layout emit.c produces, for the report) ---- */

static int align_of(Type *t);

static int round_up(int n, int a) { return (n + a - 1) / a * a; }

int ty_size_guess(Type *t) {
    t = ty_res(t);
    switch (t->kind) {
    case TY_UNIT: case TY_NEVER: case TY_BOOL: case TY_I8: case TY_U8: case TY_VAR: return 1;
    case TY_I16: case TY_U16: return 2;
    case TY_I32: case TY_U32: case TY_F32: return 4;
    case TY_I64: case TY_U64: case TY_USIZE: case TY_F64: return 8;
    case TY_STR: case TY_BOX: case TY_REF: case TY_CPTR: case TY_TASK: case TY_CHAN: return 8;
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
            for (int w = 0; w < m->nwords; w++)
                m->in_frame[w] |= r->live_in[w];
            /* the result is written after the operation completed */
            int d = bl->susp->dest;
            if (d >= 0 && !mir_live(m, r->live_in, d))
                m->in_frame[d >> 6] &= ~((uint64_t)1 << (d & 63));
        }
    }
}

/* ---- vex frames ---- */

void async_frames_report(MProgram *mp, FILE *out) {
    static const char *kinds[] = {"await", "await Box.new", "join", "sleep", "send", "recv", "recv_opt"};
    int n = 0;
    for (int i = 0; i < mp->fns.len; i++) {
        MFn *m = mp->fns.items[i];
        Fn *f = m->fn;
        if (!f->is_async)
            continue;
        n++;
        if (!f->suspends) {
            fprintf(out, "async fn %s (%s:%d): never suspends; emitted as a plain C function, awaiting it is a call\n",
                    m->name, f->pos.file ? f->pos.file->path : "?", f->pos.line);
            continue;
        }
        int own = 0;
        for (int l = 0; l < m->locals.len; l++)
            if (mir_live(m, m->in_frame, l))
                own += round_up(ty_size_guess(((MLocal *)m->locals.items[l])->ty), 8);
        int callee = 0;
        for (int k = 0; k < m->susps.len; k++) {
            MSuspend *s = m->susps.items[k];
            int c = 0;
            if (s->kind == SK_AWAIT && s->fn->suspends && s->fn->mir)
                c = s->fn->mir->in_frame ? 0 : 0;
            (void)c;
        }
        (void)callee;
        fprintf(out, "async fn %s (%s:%d): %d suspension point%s, %d bytes of own slots + 32-byte header\n", m->name,
                f->pos.file ? f->pos.file->path : "?", f->pos.line, m->susps.len, m->susps.len == 1 ? "" : "s", own);
        fputs("  slots:\n", out);
        for (int l = 0; l < m->locals.len; l++) {
            if (!mir_live(m, m->in_frame, l))
                continue;
            MLocal *lc = m->locals.items[l];
            const char *what = lc->kind == LK_RET ? "result" : lc->kind == LK_PARAM ? "param" : lc->kind == LK_FLAG
                                                                                           ? "drop flag"
                                                                                           : lc->name ? "let"
                                                                                                      : "temp";
            fprintf(out, "    _%d %-8s %-10s %s (%d bytes)\n", l, what, lc->name ? lc->name : "",
                    ty_str_of(lc->ty), ty_size_guess(lc->ty));
        }
        for (int b = 0; b < m->blocks.len; b++) {
            MBlock *bl = m->blocks.items[b];
            if (bl->term != MT_SUSPEND)
                continue;
            MSuspend *s = bl->susp;
            MBlock *r = m->blocks.items[bl->succ[0]];
            fprintf(out, "  state %d: line %d: %s", s->index, s->pos.line, kinds[s->kind]);
            if (s->fn)
                fprintf(out, " %s%s", s->fn->name,
                        s->kind == SK_AWAIT ? (s->fn->suspends ? " (frame embedded)" : " (a plain call)") : "");
            fputs("; saved:", out);
            int cnt = 0;
            for (int l = 0; l < m->locals.len; l++) {
                if (!mir_live(m, r->live_in, l) || l == s->dest)
                    continue;
                MLocal *lc = m->locals.items[l];
                fprintf(out, " _%d%s%s", l, lc->name ? ":" : "", lc->name ? lc->name : "");
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
