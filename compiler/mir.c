/*
 * mir.c - the MIR, Vex's mid-level IR: per function, typed locals and a
 * control-flow graph of basic blocks (rustc's MIR, QBE's blocks).
 *
 * A block is a list of straight-line statements and one terminator: goto,
 * branch on a condition, return, unreachable. Every local of the function
 * (user bindings, temporaries, drop flags) is declared once for the whole
 * function, so any block can be entered by a jump; no statement jumps. The
 * statements are rendered as C over the locals by emit.c's expression
 * renderer, which lowers control flow (if, match, loops, break, continue,
 * return, `?`, drops on each exit edge) into blocks while it walks the
 * statements (see emit.c: lower_*).
 *
 * Why this shape: the async lowering (docs/design/async.md) adds one terminator,
 * Suspend(resume block). Liveness over this CFG (mir_liveness, a backward
 * dataflow to a fixed point) gives the locals live across each suspension:
 * they become the frame's slots; everything else stays a C local. The C
 * printer then turns the function into `switch (frame->state)` jumping to
 * the resume blocks' labels, which C allows because no block lives inside
 * a statement expression and all locals are function-scoped.
 */
#include <stdlib.h>
#include <string.h>

#include "vexc.h"

MFn *mir_new_fn(Fn *fn) {
    MFn *m = arena_alloc(sizeof(MFn));
    m->fn = fn;
    m->cur = mir_block(m);
    return m;
}

int mir_local(MFn *m, const char *cname, Type *ty) {
    MLocal *l = arena_alloc(sizeof(MLocal));
    l->cname = cname;
    l->ty = ty;
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

void mir_stmt(MFn *m, const char *c, Pos pos) {
    if (!c || !*c)
        return;
    if (m->cur->term != MT_NONE)
        m->cur = mir_block(m); /* code after a jump: an unreachable block */
    MStmt *s = arena_alloc(sizeof(MStmt));
    s->c = c;
    s->pos = pos;
    vec_push(&m->cur->stmts, s);
}

static bool open_block(MFn *m) { return m->cur->term == MT_NONE; }

void mir_goto(MFn *m, MBlock *to) {
    if (!open_block(m))
        return;
    m->cur->term = MT_GOTO;
    m->cur->succ[0] = to->id;
}

void mir_branch(MFn *m, const char *cond, MBlock *then_b, MBlock *else_b) {
    if (!open_block(m))
        return;
    m->cur->term = MT_BRANCH;
    m->cur->cond = cond;
    m->cur->succ[0] = then_b->id;
    m->cur->succ[1] = else_b->id;
}

void mir_return(MFn *m) {
    if (open_block(m))
        m->cur->term = MT_RETURN;
}

void mir_unreachable(MFn *m) {
    if (open_block(m))
        m->cur->term = MT_UNREACHABLE;
}

/* ---- liveness ----
 * A local is used by a statement or condition whose C text names it (local
 * names are unique identifiers: `x_12`, `t7`), and defined by a statement
 * that starts with `name = `. live_in(B) = use(B) + (live_out(B) - def(B)),
 * live_out(B) = union of live_in(successors), iterated to a fixed point. */

static bool is_ident_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static void scan_uses(MFn *m, const char *c, unsigned char *use, const unsigned char *def) {
    for (const char *p = c; *p;) {
        if (!is_ident_char(*p) || (p > c && is_ident_char(p[-1]))) {
            p++;
            continue;
        }
        const char *q = p;
        while (is_ident_char(*q))
            q++;
        size_t n = (size_t)(q - p);
        for (int i = 0; i < m->locals.len; i++) {
            MLocal *l = m->locals.items[i];
            if (strlen(l->cname) == n && !memcmp(l->cname, p, n) && !def[i])
                use[i] = 1;
        }
        p = q;
    }
}

static int defined_local(MFn *m, const char *c) {
    const char *eq = strstr(c, " = ");
    const char *paren = strchr(c, '(');
    if (!eq || (paren && paren < eq))
        return -1;
    size_t n = (size_t)(eq - c);
    for (int i = 0; i < m->locals.len; i++) {
        MLocal *l = m->locals.items[i];
        if (strlen(l->cname) == n && !memcmp(l->cname, c, n))
            return i;
    }
    return -1;
}

void mir_liveness(MFn *m) {
    int nl = m->locals.len, nb = m->blocks.len;
    if (nl > 4096 || nb > 65536)
        return; /* keep the dump cheap on huge functions */
    unsigned char **use = arena_alloc(sizeof(char *) * (size_t)nb);
    unsigned char **def = arena_alloc(sizeof(char *) * (size_t)nb);
    for (int b = 0; b < nb; b++) {
        MBlock *bl = m->blocks.items[b];
        use[b] = arena_alloc((size_t)nl + 1);
        def[b] = arena_alloc((size_t)nl + 1);
        bl->live_in = arena_alloc((size_t)nl + 1);
        for (int i = 0; i < bl->stmts.len; i++) {
            /* a statement may hold several `;`-separated assignments */
            const char *c = ((MStmt *)bl->stmts.items[i])->c;
            while (*c) {
                const char *e = c;
                int depth = 0;
                bool str = false;
                for (; *e && (depth > 0 || str || *e != ';'); e++) {
                    if (str) {
                        if (*e == '\\' && e[1])
                            e++;
                        else if (*e == '"')
                            str = false;
                    } else if (*e == '"')
                        str = true;
                    else if (*e == '(' || *e == '{' || *e == '[')
                        depth++;
                    else if (*e == ')' || *e == '}' || *e == ']')
                        depth--;
                }
                while (c < e && *c == ' ')
                    c++;
                char *seg = arena_strndup(c, (size_t)(e - c));
                int d = defined_local(m, seg);
                scan_uses(m, d >= 0 ? strstr(seg, " = ") + 3 : seg, use[b], def[b]);
                if (d >= 0)
                    def[b][d] = 1;
                c = *e ? e + 1 : e;
            }
        }
        if (bl->term == MT_BRANCH)
            scan_uses(m, bl->cond, use[b], def[b]);
    }
    unsigned char *out = arena_alloc((size_t)nl + 1);
    for (bool changed = true; changed;) {
        changed = false;
        for (int b = nb - 1; b >= 0; b--) {
            MBlock *bl = m->blocks.items[b];
            memset(out, 0, (size_t)nl);
            int ns = bl->term == MT_GOTO ? 1 : bl->term == MT_BRANCH ? 2 : 0;
            for (int k = 0; k < ns; k++) {
                MBlock *sb = m->blocks.items[bl->succ[k]];
                for (int i = 0; i < nl; i++)
                    out[i] |= sb->live_in[i];
            }
            for (int i = 0; i < nl; i++) {
                unsigned char v = use[b][i] || (out[i] && !def[b][i]);
                if (v != bl->live_in[i]) {
                    bl->live_in[i] = v;
                    changed = true;
                }
            }
        }
    }
}

void mir_dump(MFn *m, FILE *out) {
    fprintf(out, "fn %s%s%s {\n", m->fn->owner ? m->fn->owner : "", m->fn->owner ? "." : "", m->fn->name);
    for (int i = 0; i < m->locals.len; i++) {
        MLocal *l = m->locals.items[i];
        fprintf(out, "    let %s: %s\n", l->cname, l->ty ? ty_str_of(l->ty) : "flag");
    }
    mir_liveness(m);
    for (int b = 0; b < m->blocks.len; b++) {
        MBlock *bl = m->blocks.items[b];
        fprintf(out, "  bb%d:", bl->id);
        if (bl->live_in) {
            fputs("  // live in:", out);
            for (int i = 0; i < m->locals.len; i++)
                if (bl->live_in[i])
                    fprintf(out, " %s", ((MLocal *)m->locals.items[i])->cname);
        }
        fputc('\n', out);
        for (int i = 0; i < bl->stmts.len; i++)
            fprintf(out, "    %s\n", ((MStmt *)bl->stmts.items[i])->c);
        switch (bl->term) {
        case MT_GOTO: fprintf(out, "    goto bb%d\n", bl->succ[0]); break;
        case MT_BRANCH: fprintf(out, "    branch (%s) bb%d, bb%d\n", bl->cond, bl->succ[0], bl->succ[1]); break;
        case MT_RETURN: fputs("    return\n", out); break;
        case MT_UNREACHABLE: fputs("    unreachable\n", out); break;
        case MT_NONE: fputs("    (falls off: return)\n", out); break;
        }
    }
    fputs("}\n", out);
}

static const char *zero_init(Type *t) {
    t = ty_res(t);
    switch (t->kind) {
    case TY_STRUCT: case TY_ENUM: case TY_VEC: case TY_OPTION: case TY_RESULT: case TY_TUPLE: case TY_ARRAY:
        return "{0}";
    default:
        return "0";
    }
}

void mir_print_c(MFn *m, Buf *o, const char *signature, const char *ret_ctype) {
    buf_printf(o, "%s {\n", signature);
    if (ret_ctype)
        buf_printf(o, "    %s vxc_ret = %s;\n", ret_ctype, zero_init(m->fn->rtype));
    for (int i = 0; i < m->locals.len; i++) {
        MLocal *l = m->locals.items[i];
        if (l->ty)
            buf_printf(o, "    %s %s VXU = %s;\n", ty_cname(l->ty), l->cname, zero_init(l->ty));
        else
            buf_printf(o, "    bool %s VXU = 0;\n", l->cname);
    }
    for (int b = 0; b < m->blocks.len; b++) {
        MBlock *bl = m->blocks.items[b];
        buf_printf(o, "bb%d: __attribute__((unused));\n", bl->id);
        for (int i = 0; i < bl->stmts.len; i++) {
            MStmt *s = bl->stmts.items[i];
            if (s->pos.file && s->pos.line > 0) {
                buf_printf(o, "#line %d \"", s->pos.line);
                for (const char *c = s->pos.file->path; *c; c++) {
                    if (*c == '"' || *c == '\\')
                        buf_put(o, "\\", 1);
                    if ((unsigned char)*c >= 32)
                        buf_put(o, c, 1);
                }
                buf_puts(o, "\"\n");
            }
            buf_printf(o, "    %s\n", s->c);
        }
        switch (bl->term) {
        case MT_GOTO:
            if (bl->succ[0] != bl->id + 1)
                buf_printf(o, "    goto bb%d;\n", bl->succ[0]);
            break;
        case MT_BRANCH:
            buf_printf(o, "    if (%s) goto bb%d; else goto bb%d;\n", bl->cond, bl->succ[0], bl->succ[1]);
            break;
        case MT_RETURN:
        case MT_NONE:
            buf_printf(o, "    return %s;\n", ret_ctype ? "vxc_ret" : "0");
            break;
        case MT_UNREACHABLE:
            buf_puts(o, "    __builtin_unreachable();\n");
            break;
        }
    }
    buf_puts(o, "}\n");
}
