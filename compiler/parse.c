/*
 * parse.c - tokens to AST: a recursive-descent parser with one function per
 * grammar rule, the rule written above it (grep '^// ' for the grammar).
 *
 * Two context rules make Vex's syntax work without semicolons:
 *  - the newline rule (VEX-SUBSET.md 1): a newline ends a statement when it
 *    is complete; a line starting with a binary operator or `.` continues
 *    it; a line starting with `(`, `[`, `{`, `-`, `*`, `&`, `!` never does.
 *    Inside (...) and [...] newlines mean nothing (nl_off > 0).
 *  - Rust's struct-literal rule: no `Name { ... }` literal in the head of
 *    if/while/match/for unless parenthesised (no_struct).
 * Recursion depth is bounded (MAX_DEPTH) so no input can overflow the
 * stack, and so is the length of left-nested chains (`a + b + c`,
 * `x.f().g[0]`, `e as T as U`: MAX_CHAIN links in all), which the parser
 * builds in a loop but every later pass walks recursively. Every error
 * unwinds through error_at, so the parser never loops on bad input.
 *
 * After a syntax error the parser goes on at the next statement (a block
 * keeps a recovery point per statement) or at the next item (a line that
 * starts with `fn`, `struct`, ...), so one run reports each independent
 * error; the checker does not run on a program with syntax errors, so no
 * error follows from another. When the skipping reaches the end of the file
 * (an unbalanced bracket), parsing stops there without more errors.
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "vexc.h"

#define MAX_DEPTH 200
#define MAX_CHAIN 1000

typedef struct Parser {
    SrcFile *f;
    Token *t;
    int n, i;
    int nl_off;     /* > 0 inside parentheses/brackets */
    bool no_struct; /* in an if/while/match/for head */
    int depth;
    int chain;      /* links of the left-nested chains being built */
    Program *prog;
    bool gave_up;   /* error recovery reached the end of the file */
} Parser;

#define MAX_SYNTAX_ERRORS 20

static Node *expr(Parser *P);
static Node *block(Parser *P);
static Node *type_expr(Parser *P);
static Node *pattern(Parser *P);
static bool is_assign_op(Token *t);
static Node *parse_expr_in(Parser *outer, SrcFile *f, Pos at, const char *text, int len);

static Token *peek(Parser *P) { return &P->t[P->i]; }
static Token *next(Parser *P) {
    Token *t = &P->t[P->i];
    if (P->i < P->n - 1)
        P->i++;
    return t;
}

static bool is_p(Token *t, const char *s) { return t->kind == TK_PUNCT && !strcmp(t->s, s); }
static bool is_kw(Token *t, const char *s) { return t->kind == TK_KW && !strcmp(t->s, s); }
static bool at(Parser *P, const char *s) { return is_p(peek(P), s); }
static bool at_kw(Parser *P, const char *s) { return is_kw(peek(P), s); }

static const char *tok_desc(Token *t) {
    switch (t->kind) {
    case TK_EOF: return "end of file";
    case TK_INT: return "integer literal";
    case TK_FLOAT: return "float literal";
    case TK_STR: return "string literal";
    case TK_FSTR: return "f-string";
    default: return arena_printf("`%s`", t->s);
    }
}

static _Noreturn void expected(Parser *P, const char *what) {
    Token *t = peek(P);
    if (t->kind == TK_EOF) {
        /* the innermost bracket still open is what the user must close */
        int open[256], n = 0, deeper = 0;
        for (int i = 0; i < P->i; i++) {
            Token *u = &P->t[i];
            if (is_p(u, "{") || is_p(u, "(") || is_p(u, "[")) {
                if (n < 256)
                    open[n++] = i;
                else
                    deeper++;
            } else if (is_p(u, "}") || is_p(u, ")") || is_p(u, "]")) {
                if (deeper)
                    deeper--;
                else if (n)
                    n--;
            }
        }
        if (n && !deeper) {
            Token *o = &P->t[open[n - 1]];
            diag_note(t->pos, "the file ends here");
            error_at(o->pos, "E0100", "unclosed `%s`: it is never closed", o->s);
        }
    }
    error_at(t->pos, "E0100", "expected %s, found %s", what, tok_desc(t));
}

static Token *expect(Parser *P, const char *s) {
    if (!at(P, s))
        expected(P, arena_printf("`%s`", s));
    return next(P);
}

static bool accept(Parser *P, const char *s) {
    if (at(P, s)) {
        next(P);
        return true;
    }
    return false;
}

static const char *ident(Parser *P) {
    Token *t = peek(P);
    if (t->kind != TK_IDENT)
        expected(P, "an identifier");
    next(P);
    return t->s;
}

static Node *new_node(NodeKind k, Pos pos) {
    Node *n = arena_alloc(sizeof(Node));
    n->kind = k;
    n->pos = pos;
    return n;
}

static void enter(Parser *P) {
    if (++P->depth > MAX_DEPTH)
        error_at(peek(P)->pos, "E0100", "expression nests too deeply");
}
static void leave(Parser *P) { P->depth--; }

/* One more link in a left-nested chain (the AST gets one level deeper). */
static void chain_link(Parser *P, Token *t, int *links) {
    (*links)++;
    if (++P->chain > MAX_CHAIN)
        error_at(t->pos, "E0100", "expression is too long (more than %d operators in a chain)", MAX_CHAIN);
}

/* Is the statement complete here? `;`, a newline, `}` or end of file. */
static void end_stmt(Parser *P) {
    if (accept(P, ";"))
        return;
    Token *t = peek(P);
    if (t->nl_before || is_p(t, "}") || t->kind == TK_EOF)
        return;
    expected(P, "`;` or a newline");
}

/* ---- types ---- */

// type = "&" type "!"? | "(" (type ("," type)*)? ")" | "[" type ";" int "]"
//      | name ("<" type ("," type)* ">")?
static Node *type_expr(Parser *P) {
    Token *t = peek(P);
    enter(P);
    Node *n;
    if (accept(P, "&") || at(P, "&&")) {
        if (is_p(t, "&&")) { /* && T: a reference to a reference */
            next(P);
            Node *inner = new_node(T_REF, t->pos);
            inner->a = type_expr(P);
            n = new_node(T_REF, t->pos);
            n->a = inner;
        } else {
            n = new_node(T_REF, t->pos);
            n->a = type_expr(P);
            if (at(P, "!") && !peek(P)->nl_before) {
                next(P);
                n->mut = true;
            }
        }
    } else if (accept(P, "(")) {
        n = new_node(T_TUPLE, t->pos);
        while (!at(P, ")")) {
            vec_push(&n->list, type_expr(P));
            if (!accept(P, ","))
                break;
        }
        expect(P, ")");
        if (n->list.len == 1 && !is_p(&P->t[P->i - 2], ","))
            n = n->list.items[0];
    } else if (accept(P, "[")) {
        n = new_node(T_ARRAY, t->pos);
        n->a = type_expr(P);
        expect(P, ";");
        Token *len = peek(P);
        if (len->kind == TK_IDENT) { /* a constant: resolved by check.c */
            next(P);
            n->name = len->s;
        } else {
            if (len->kind != TK_INT)
                expected(P, "an array length");
            next(P);
            if (len->ival > 1u << 24)
                error_at(len->pos, "E0100", "array length too large");
            n->ival = len->ival;
        }
        expect(P, "]");
    } else {
        n = new_node(T_NAME, t->pos);
        n->name = ident(P);
        if (at(P, "<")) {
            next(P);
            for (;;) {
                vec_push(&n->list, type_expr(P));
                if (!accept(P, ","))
                    break;
            }
            if (at(P, ">>")) { /* Vec<Vec<i32>>: split the token */
                Token *g = peek(P);
                g->s = ">";
                g->pos.col++;
            } else {
                expect(P, ">");
            }
        }
    }
    leave(P);
    return n;
}

/* ---- expressions ---- */

static bool starts_struct_lit(Parser *P) {
    /* Name { }  |  Name { ident :  |  Name { ident ,  |  Name { ident } */
    if (P->no_struct || !is_p(peek(P), "{"))
        return false;
    Token *a = &P->t[P->i + 1 < P->n ? P->i + 1 : P->n - 1];
    if (is_p(a, "}"))
        return true;
    if (a->kind != TK_IDENT || P->i + 2 >= P->n)
        return false;
    Token *b = &P->t[P->i + 2];
    return is_p(b, ":") || is_p(b, ",") || is_p(b, "}");
}

// struct_lit = name "{" (ident (":" expr)? ",")* "}"
static Node *struct_lit(Parser *P, Token *name) {
    Node *n = new_node(N_STRUCTLIT, name->pos);
    n->name = name->s;
    expect(P, "{");
    int save = P->nl_off;
    bool ns = P->no_struct;
    P->nl_off = 1;
    P->no_struct = false;
    while (!at(P, "}")) {
        Token *f = peek(P);
        const char *fname = ident(P);
        Node *v;
        if (accept(P, ":")) {
            v = expr(P);
        } else {
            v = new_node(N_IDENT, f->pos);
            v->name = fname;
        }
        vec_push(&n->list, v);
        vec_push(&n->list2, (void *)fname);
        if (!accept(P, ","))
            break;
    }
    P->nl_off = save;
    P->no_struct = ns;
    expect(P, "}");
    return n;
}

/* Where byte i of an f-string's decoded text sits in the source (exact
 * unless an escape precedes it on the way). The pieces of one f-string come
 * in order, so the scan resumes where the last one stopped: linear in the
 * f-string's length, not quadratic. */
static Pos piece_pos(Parser *P, Token *t, int i) {
    static const Token *last_t;
    static const char *last_src;
    static size_t last_k;
    static Pos last_p;
    Pos p = t->pos;
    const char *src = P->f->text;
    size_t off = (size_t)t->pos.off + 2 + (size_t)i;
    if (off > P->f->len)
        return p;
    size_t k = (size_t)t->pos.off;
    if (last_t == t && last_src == src && last_k <= off) {
        k = last_k;
        p = last_p;
    }
    for (; k < off; k++) {
        if (src[k] == '\n') {
            p.line++;
            p.col = 1;
        } else {
            p.col++;
        }
    }
    last_t = t;
    last_src = src;
    last_k = k;
    last_p = p;
    p.off = (int)off;
    p.len = 1;
    return p;
}

/* Splits an f-string's text into literal pieces (N_STR) and expressions.
 * `{{` and `}}` are literal braces; `{expr}` or `{expr:spec}`. */
static Node *fstring(Parser *P, Token *t) {
    Node *n = new_node(N_FSTR, t->pos);
    const char *s = t->s;
    int len = t->slen;
    Buf lit = {0};
    for (int i = 0; i < len;) {
        if (s[i] == '{' && i + 1 < len && s[i + 1] == '{') {
            buf_put(&lit, "{", 1);
            i += 2;
            continue;
        }
        if (s[i] == '}' && i + 1 < len && s[i + 1] == '}') {
            buf_put(&lit, "}", 1);
            i += 2;
            continue;
        }
        if (s[i] == '}') {
            buf_free(&lit);
            error_at(t->pos, "E0101", "unmatched `}` in f-string (write `}}` for a brace)");
        }
        if (s[i] == '{') {
            if (lit.len) {
                Node *str = new_node(N_STR, t->pos);
                str->sval = arena_strndup(lit.data, lit.len);
                str->slen = (int)lit.len;
                vec_push(&n->list, str);
                vec_push(&n->list2, NULL);
                buf_free(&lit); /* parse_expr_text may unwind: hold no heap */
            }
            int j = i + 1, depth = 0, colon = -1;
            bool in_str = false;
            for (; j < len; j++) {
                char c = s[j];
                if (in_str) {
                    if (c == '\\')
                        j++;
                    else if (c == '"')
                        in_str = false;
                    continue;
                }
                if (c == '"')
                    in_str = true;
                else if (c == '(' || c == '[' || c == '{')
                    depth++;
                else if (c == ')' || c == ']' || (c == '}' && depth > 0))
                    depth--;
                else if (c == '}')
                    break;
                else if (c == ':' && depth == 0 && colon < 0)
                    colon = j;
            }
            if (j >= len) {
                buf_free(&lit);
                error_at(t->pos, "E0101", "unterminated `{` in f-string");
            }
            int eend = colon >= 0 ? colon : j;
            if (eend == i + 1) {
                buf_free(&lit);
                error_at(t->pos, "E0100", "empty expression in f-string");
            }
            Node *e = parse_expr_in(P, P->f, piece_pos(P, t, i + 1), s + i + 1, eend - i - 1);
            vec_push(&n->list, e);
            vec_push(&n->list2, colon >= 0 ? arena_strndup(s + colon, (size_t)(j - colon)) : (void *)"");
            i = j + 1;
            continue;
        }
        buf_put(&lit, s + i, 1);
        i++;
    }
    if (lit.len || n->list.len == 0) {
        Node *str = new_node(N_STR, t->pos);
        str->sval = arena_strndup(lit.data ? lit.data : "", lit.len);
        str->slen = (int)lit.len;
        vec_push(&n->list, str);
        vec_push(&n->list2, NULL);
    }
    buf_free(&lit);
    return n;
}

static void args(Parser *P, Vec *out, const char *close) {
    int save = P->nl_off;
    bool ns = P->no_struct;
    P->nl_off = 1;
    P->no_struct = false;
    while (!at(P, close)) {
        vec_push(out, expr(P));
        if (!accept(P, ","))
            break;
    }
    expect(P, close);
    P->nl_off = save;
    P->no_struct = ns;
}

static Node *if_expr(Parser *P);

/* The source text of a call's arguments (for `assertion failed: TEXT`). */
static const char *arg_text(Parser *P, int start) {
    Token *close = &P->t[P->i - 1];
    int end = close->pos.off;
    if (end < start || (size_t)end > P->f->len)
        return "";
    return arena_strndup(P->f->text + start, (size_t)(end - start));
}

// primary = int | float | string | fstring | "true" | "false" | ident | struct_lit
//         | "$"name "(" args ")" | "(" ")" | "(" expr ")" | "(" expr ("," expr)+ ","? ")"
//         | "[" args "]" | if | match | loop | while | for | block
//         | "return" expr? | "break" | "continue"
static Node *primary(Parser *P) {
    Token *t = peek(P);
    Node *n;
    switch (t->kind) {
    case TK_INT:
        next(P);
        n = new_node(N_INT, t->pos);
        n->ival = t->ival;
        n->suffix = t->suffix;
        return n;
    case TK_FLOAT:
        next(P);
        n = new_node(N_FLOAT, t->pos);
        n->fval = t->fval;
        n->suffix = t->suffix;
        return n;
    case TK_STR:
        next(P);
        n = new_node(N_STR, t->pos);
        n->sval = t->s;
        n->slen = t->slen;
        return n;
    case TK_FSTR:
        next(P);
        return fstring(P, t);
    case TK_DOLLAR:
        next(P);
        n = new_node(N_INTRINSIC, t->pos);
        n->name = t->s;
        if (at(P, "(")) {
            next(P);
            int start = peek(P)->pos.off;
            args(P, &n->list, ")");
            n->suffix = arg_text(P, start);
        } else {
            n->bare = true; /* a bare $Name (e.g. $SuspendSafe) */
        }
        return n;
    case TK_IDENT:
        next(P);
        if (starts_struct_lit(P))
            return struct_lit(P, t);
        n = new_node(N_IDENT, t->pos);
        n->name = t->s;
        return n;
    case TK_KW:
        if (is_kw(t, "true") || is_kw(t, "false")) {
            next(P);
            n = new_node(N_BOOL, t->pos);
            n->ival = is_kw(t, "true");
            return n;
        }
        if (is_kw(t, "if"))
            return if_expr(P);
        if (is_kw(t, "match") || is_kw(t, "loop") || is_kw(t, "while") || is_kw(t, "for"))
            break;
        if (is_kw(t, "return")) {
            next(P);
            n = new_node(N_RETURN, t->pos);
            Token *u = peek(P);
            if (!u->nl_before && !is_p(u, ";") && !is_p(u, "}") && !is_p(u, ")") && !is_p(u, ",") &&
                u->kind != TK_EOF)
                n->a = expr(P);
            return n;
        }
        if (is_kw(t, "break") || is_kw(t, "continue")) {
            next(P);
            return new_node(is_kw(t, "break") ? N_BREAK : N_CONTINUE, t->pos);
        }
        if (is_kw(t, "async"))
            error_at(t->pos, "E0100", "`async` marks a function (`async fn`), not an expression");
        expected(P, "an expression");
    case TK_PUNCT:
        if (is_p(t, "(")) {
            next(P);
            int save = P->nl_off;
            bool ns = P->no_struct;
            P->nl_off = 1;
            P->no_struct = false;
            if (accept(P, ")")) {
                P->nl_off = save;
                P->no_struct = ns;
                return new_node(N_UNIT, t->pos);
            }
            Node *e = expr(P);
            if (at(P, ",")) {
                n = new_node(N_TUPLE, t->pos);
                vec_push(&n->list, e);
                while (accept(P, ",")) {
                    if (at(P, ")"))
                        break;
                    vec_push(&n->list, expr(P));
                }
                e = n;
            }
            expect(P, ")");
            P->nl_off = save;
            P->no_struct = ns;
            return e;
        }
        if (is_p(t, "[")) {
            next(P);
            n = new_node(N_VECLIT, t->pos);
            args(P, &n->list, "]");
            return n;
        }
        if (is_p(t, "{"))
            break;
        expected(P, "an expression");
    default:
        expected(P, "an expression");
    }
    return NULL; /* block-like: handled by the caller */
}

// block = "{" stmt* expr? "}"
static Node *block(Parser *P);

// if = ("if" | "elif") expr block (("else" "if" | "elif") ... | "else" block)?
static Node *if_expr(Parser *P) {
    Token *t = next(P);
    Node *n = new_node(N_IF, t->pos);
    bool ns = P->no_struct;
    P->no_struct = true;
    enter(P);
    n->a = expr(P);
    P->no_struct = ns;
    n->b = block(P);
    if (at_kw(P, "else")) {
        next(P);
        if (at_kw(P, "if"))
            n->c = if_expr(P);
        else
            n->c = block(P);
    } else if (at_kw(P, "elif")) {
        n->c = if_expr(P);
    }
    leave(P);
    return n;
}

// match = "match" expr "{" (pattern ("if" expr)? "=>" expr ","?)* "}"
static Node *match_expr(Parser *P) {
    Token *t = next(P);
    Node *n = new_node(N_MATCH, t->pos);
    bool ns = P->no_struct;
    P->no_struct = true;
    n->a = expr(P);
    P->no_struct = false;
    expect(P, "{");
    int save = P->nl_off;
    P->nl_off = 0;
    while (!at(P, "}")) {
        Token *at_tok = peek(P);
        Node *arm = new_node(N_ARM, at_tok->pos);
        arm->a = pattern(P);
        if (at_kw(P, "if")) {
            next(P);
            arm->b = expr(P);
        }
        expect(P, "=>");
        arm->c = expr(P);
        if (is_assign_op(peek(P))) {
            /* `pat => x = e`: an assignment arm is a block holding it */
            Token *u = next(P);
            Node *as = new_node(N_ASSIGN, u->pos);
            as->op = u->s;
            as->a = arm->c;
            as->b = expr(P);
            Node *blk = new_node(N_BLOCK, arm->c->pos);
            vec_push(&blk->list, as);
            arm->c = blk;
        }
        vec_push(&n->list, arm);
        if (accept(P, ","))
            continue;
        if (at(P, "}"))
            break;
        if (!peek(P)->nl_before && arm->c->kind != N_BLOCK)
            expected(P, "`,` or `}` after a match arm");
    }
    expect(P, "}");
    P->nl_off = save;
    P->no_struct = ns;
    return n;
}

static Node *block_like(Parser *P) {
    Token *t = peek(P);
    Node *n;
    bool ns = P->no_struct;
    enter(P);
    if (is_kw(t, "match")) {
        n = match_expr(P);
    } else if (is_kw(t, "loop")) {
        next(P);
        n = new_node(N_LOOP, t->pos);
        n->b = block(P);
    } else if (is_kw(t, "while")) {
        next(P);
        n = new_node(N_WHILE, t->pos);
        P->no_struct = true;
        n->a = expr(P);
        P->no_struct = ns;
        n->b = block(P);
    } else if (is_kw(t, "for")) {
        // for = "for" ident "in" expr block
        next(P);
        n = new_node(N_FOR, t->pos);
        Token *v = peek(P);
        if (v->kind == TK_IDENT || is_p(v, "(")) {
            n->c = pattern(P);
            n->name = n->c->kind == P_BIND ? n->c->name : NULL;
        } else {
            expected(P, "a loop variable");
        }
        if (!at_kw(P, "in"))
            expected(P, "`in`");
        next(P);
        P->no_struct = true;
        n->a = expr(P);
        P->no_struct = ns;
        n->b = block(P);
    } else {
        n = block(P);
    }
    P->no_struct = ns;
    leave(P);
    return n;
}

static bool is_block_like(Node *n) {
    return n->kind == N_IF || n->kind == N_MATCH || n->kind == N_LOOP || n->kind == N_WHILE ||
           n->kind == N_FOR || n->kind == N_BLOCK;
}

// postfix = primary ("." ident | "." int | "(" args ")" | "[" expr "]" | "?")*
static Node *postfix(Parser *P) {
    Node *n = primary(P);
    if (!n)
        n = block_like(P);
    int links = 0;
    for (;;) {
        Token *t = peek(P);
        bool nl = t->nl_before && !P->nl_off;
        if ((is_p(t, ".") || (!nl && (is_p(t, "(") || is_p(t, "[") || is_p(t, "?")))))
            chain_link(P, t, &links);
        if (is_p(t, ".")) {
            next(P);
            Token *f = peek(P);
            Node *m = new_node(N_FIELD, f->pos);
            m->a = n;
            if (f->kind == TK_INT) {
                next(P);
                m->name = arena_printf("%llu", (unsigned long long)f->ival);
                m->tuple_field = true;
                m->index = (int)(f->ival > 1000 ? 1000 : f->ival);
            } else if (f->kind == TK_FLOAT) {
                /* t.0.1 lexes as a float: split it */
                next(P);
                error_at(f->pos, "E0100", "write `(t.0).1` for a nested tuple field");
            } else {
                m->name = ident(P);
            }
            n = m;
        } else if (is_p(t, "(") && !nl) {
            next(P);
            Node *c = new_node(N_CALL, t->pos);
            c->a = n;
            c->pos = n->pos;
            int start = peek(P)->pos.off;
            args(P, &c->list, ")");
            c->suffix = arg_text(P, start);
            n = c;
        } else if (is_p(t, "[") && !nl) {
            next(P);
            Node *c = new_node(N_INDEX, t->pos);
            c->a = n;
            int save = P->nl_off;
            bool ns = P->no_struct;
            P->nl_off = 1;
            P->no_struct = false;
            c->b = expr(P);
            P->nl_off = save;
            P->no_struct = ns;
            expect(P, "]");
            n = c;
        } else if (is_p(t, "?") && !nl) {
            next(P);
            Node *c = new_node(N_TRY, t->pos);
            c->a = n;
            n = c;
        } else {
            P->chain -= links;
            return n;
        }
    }
}

/* Is the token after t right after it, with no space between? */
static Token *glued(Parser *P, Token *t) {
    Token *u = t + 1;
    return u < P->t + P->n && u->kind != TK_EOF && u->pos.off == t->pos.off + (int)strlen(t->s) ? u : NULL;
}

/* A method call on x with no arguments: `<-ch` is ch.recv(). */
static Node *method_call(Pos pos, Node *recv, const char *name, Node *arg) {
    Node *f = new_node(N_FIELD, pos);
    f->a = recv;
    f->name = name;
    Node *c = new_node(N_CALL, pos);
    c->a = f;
    if (arg)
        vec_push(&c->list, arg);
    return c;
}

// unary = ("-" | "!" | "*" | "&" | "<-") unary | "&" unary "!"
//       | "await" postfix | "go" (postfix | block) | postfix
static Node *unary(Parser *P) {
    Token *t = peek(P);
    enter(P);
    Node *n;
    if (is_kw(t, "await")) {
        /* the operand is the postfix chain; a `?` after it applies to the
         * awaited value: `await f(x)?` is `(await f(x))?` */
        next(P);
        Node *chain = postfix(P);
        Node *tries[64];
        int nt = 0;
        while (chain->kind == N_TRY && nt < 64) {
            tries[nt++] = chain;
            chain = chain->a;
        }
        n = new_node(N_AWAIT, t->pos);
        n->a = chain;
        while (nt > 0) {
            Node *q = tries[--nt];
            q->a = n;
            n = q;
        }
    } else if (is_kw(t, "go")) {
        next(P);
        n = new_node(N_GO, t->pos);
        if (at(P, "{"))
            n->b = block(P);
        else
            n->a = postfix(P);
        if (n->a && n->a->kind != N_CALL)
            error_at(n->a->pos, "E0100", "`go` takes a call (`go f(x)`) or a block (`go { ... }`)");
    } else if (is_p(t, "<-")) {
        next(P);
        n = method_call(t->pos, unary(P), "recv", NULL);
    } else if (is_p(t, "-") || is_p(t, "!")) {
        next(P);
        n = new_node(N_UNARY, t->pos);
        n->op = t->s;
        n->a = unary(P);
    } else if (is_p(t, "*")) {
        next(P);
        n = new_node(N_DEREF, t->pos);
        n->a = unary(P);
    } else if (is_p(t, "&")) {
        next(P);
        n = new_node(N_REF, t->pos);
        n->a = unary(P);
        if (at(P, "!") && !peek(P)->nl_before) {
            next(P);
            n->mut = true;
        }
    } else {
        n = postfix(P);
    }
    leave(P);
    return n;
}

// cast = unary ("as" type)*
static Node *cast(Parser *P) {
    Node *n = unary(P);
    int links = 0;
    while (at_kw(P, "as")) {
        Token *t = next(P);
        chain_link(P, t, &links);
        Node *c = new_node(N_CAST, t->pos);
        c->a = n;
        c->b = type_expr(P);
        n = c;
    }
    P->chain -= links;
    return n;
}

static int binop_prec(Token *t) {
    if (t->kind != TK_PUNCT)
        return -1;
    static const struct { const char *op; int prec; } ops[] = {
        {"*", 10}, {"/", 10}, {"%", 10}, {"+", 9}, {"-", 9}, {"<<", 8}, {">>", 8},
        {"&", 7}, {"^", 6}, {"|", 5}, {"==", 4}, {"!=", 4}, {"<", 4}, {">", 4},
        {"<=", 4}, {">=", 4}, {"&&", 3}, {"||", 2},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (!strcmp(t->s, ops[i].op))
            return ops[i].prec;
    return -1;
}

// binary = cast (binop cast)*   (precedence climbing, Rust's table)
static Node *binary(Parser *P, int min_prec) {
    Node *lhs = cast(P);
    int links = 0;
    for (;;) {
        Token *t = peek(P);
        int prec = binop_prec(t);
        if (prec < min_prec || prec < 0)
            break;
        if (t->nl_before && !P->nl_off &&
            (is_p(t, "-") || is_p(t, "*") || is_p(t, "&")))
            break;
        Token *g = glued(P, t);
        if (is_p(t, "*") && g && is_p(g, "*")) {
            Pos pos = t->pos;
            pos.len = 2;
            diag_help("for integers write `x.pow(n)`; for floats declare C's: `extern \"C\" fn pow(x: f64, y: f64): f64`");
            error_at(pos, "E0100", "Vex has no `**` operator");
        }
        next(P);
        chain_link(P, t, &links);
        enter(P);
        Node *rhs = binary(P, prec + 1);
        leave(P);
        if (prec == 4 && binop_prec(peek(P)) == 4)
            error_at(peek(P)->pos, "E0100", "comparison operators cannot be chained");
        Node *n = new_node(N_BINARY, t->pos);
        n->op = t->s;
        n->a = lhs;
        n->b = rhs;
        lhs = n;
    }
    P->chain -= links;
    return lhs;
}

// expr = binary ((".." | "..=") binary)?
static Node *expr(Parser *P) {
    enter(P);
    Node *n = binary(P, 2);
    if (at(P, "..") || at(P, "..=")) {
        Token *t = next(P);
        Node *r = new_node(N_RANGE, t->pos);
        r->a = n;
        r->inclusive = is_p(t, "..=");
        r->b = binary(P, 2);
        n = r;
    }
    leave(P);
    return n;
}

/* An f-string piece inside the parser `outer` (or NULL) continues its
 * depth and chain counts, so nested f-strings cannot recurse unbounded. */
static Node *parse_expr_in(Parser *outer, SrcFile *f, Pos at, const char *text, int len) {
    /* The piece is tokenized on its own; positions point at the f-string. */
    SrcFile sub = {f ? f->path : "<f-string>", text, (size_t)len};
    int n;
    Token *t = tokenize(&sub, &n);
    for (int i = 0; i < n; i++) {
        /* the sub-tokenizer counted lines and columns within the piece */
        Pos p = at;
        p.line = at.line + t[i].pos.line - 1;
        p.col = t[i].pos.line == 1 ? at.col + t[i].pos.col - 1 : t[i].pos.col;
        p.off = at.off + t[i].pos.off;
        p.len = t[i].pos.len;
        t[i].pos = p;
        t[i].nl_before = false;
    }
    Parser P = {f, t, n, 0, 1, false, outer ? outer->depth : 0, outer ? outer->chain : 0, NULL, false};
    enter(&P);
    Node *e = expr(&P);
    if (peek(&P)->kind != TK_EOF)
        error_at(at, "E0100", "expected `}` after the expression in an f-string, found %s",
                 tok_desc(peek(&P)));
    return e;
}

Node *parse_expr_text(SrcFile *f, Pos at, const char *text, int len) {
    return parse_expr_in(NULL, f, at, text, len);
}

/* ---- patterns ---- */

// pattern1 = "_" | ["-"] int | float | string | "true" | "false" | "(" pattern ("," pattern)* ")"
//          | path ("(" pattern ("," pattern)* ")")? | ident
// path = ident ("." ident)?
static Node *pattern1(Parser *P) {
    Token *t = peek(P);
    enter(P);
    Node *n;
    if (t->kind == TK_IDENT && !strcmp(t->s, "_")) {
        next(P);
        n = new_node(P_WILD, t->pos);
    } else if (t->kind == TK_INT || t->kind == TK_FLOAT || t->kind == TK_STR || is_p(t, "-") ||
               is_kw(t, "true") || is_kw(t, "false")) {
        n = new_node(P_LIT, t->pos);
        n->a = unary(P);
        if (n->a->kind == N_UNARY && n->a->a->kind != N_INT && n->a->a->kind != N_FLOAT)
            error_at(t->pos, "E0100", "expected a literal pattern");
        if (at(P, "..=") || at(P, "..")) {
            Token *r = next(P);
            Node *rg = new_node(P_RANGE, t->pos);
            rg->inclusive = is_p(r, "..=");
            rg->a = n->a;
            rg->b = unary(P);
            n = rg;
        }
    } else if (is_p(t, "(")) {
        next(P);
        n = new_node(P_TUPLE, t->pos);
        while (!at(P, ")")) {
            vec_push(&n->list, pattern(P));
            if (!accept(P, ","))
                break;
        }
        expect(P, ")");
        if (n->list.len == 1)
            n = n->list.items[0];
    } else if (t->kind == TK_IDENT) {
        next(P);
        const char *first = t->s;
        if (at(P, ".")) {
            next(P);
            n = new_node(P_VARIANT, t->pos);
            n->sval = first;
            n->name = ident(P);
        } else {
            n = new_node(P_BIND, t->pos);
            n->name = first;
        }
        if (at(P, "(")) {
            next(P);
            n->kind = P_VARIANT;
            n->paren_args = true;
            while (!at(P, ")")) {
                vec_push(&n->list, pattern(P));
                if (!accept(P, ","))
                    break;
            }
            expect(P, ")");
        }
    } else {
        expected(P, "a pattern");
    }
    leave(P);
    return n;
}

// pattern = pattern1 ("|" pattern1)*
static Node *pattern(Parser *P) {
    Node *p = pattern1(P);
    if (!at(P, "|"))
        return p;
    Node *n = new_node(P_OR, p->pos);
    vec_push(&n->list, p);
    while (accept(P, "|"))
        vec_push(&n->list, pattern1(P));
    return n;
}

/* ---- statements ---- */

static bool is_assign_op(Token *t) {
    static const char *ops[] = {"=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", NULL};
    if (t->kind != TK_PUNCT)
        return false;
    for (int i = 0; ops[i]; i++)
        if (!strcmp(t->s, ops[i]))
            return true;
    return false;
}

// stmt = ("let" | "let!") (ident | "(" pattern, ... ")") (":" type)? "=" expr
//      | expr (assignop expr)?
//      | ";"
static Node *stmt(Parser *P, bool *is_tail) {
    Token *t = peek(P);
    *is_tail = false;
    if (is_kw(t, "let") || is_kw(t, "let!")) {
        next(P);
        Node *n = new_node(N_LET, t->pos);
        n->mut = is_kw(t, "let!");
        if (at(P, "(")) {
            n->c = pattern(P);
            n->name = "_";
        } else {
            Token *nm = peek(P);
            n->name = ident(P);
            n->pos = nm->pos;
        }
        if (accept(P, ":"))
            n->b = type_expr(P);
        expect(P, "=");
        n->a = expr(P);
        end_stmt(P);
        return n;
    }
    if (is_kw(t, "fn") || is_kw(t, "struct") || is_kw(t, "enum"))
        error_at(t->pos, "E0100", "items inside a function body are not supported; move `%s` to the top level",
                 t->s);
    Node *e = expr(P);
    Token *u = peek(P);
    if (is_p(u, "<-")) { /* ch <- v: a send */
        next(P);
        Node *n = new_node(N_EXPRSTMT, e->pos);
        n->a = method_call(u->pos, e, "send", expr(P));
        end_stmt(P);
        return n;
    }
    if (is_assign_op(u)) {
        next(P);
        Node *n = new_node(N_ASSIGN, u->pos);
        n->op = u->s;
        n->a = e;
        n->b = expr(P);
        end_stmt(P);
        return n;
    }
    Node *n = new_node(N_EXPRSTMT, e->pos);
    n->a = e;
    if (accept(P, ";")) {
        n->semicolon = true;
        return n;
    }
    u = peek(P);
    if (is_p(u, "}")) {
        *is_tail = true;
        return n;
    }
    if (u->nl_before || u->kind == TK_EOF || is_block_like(e))
        return n;
    expected(P, "`;` or a newline");
}

/* After a syntax error in the statement that started at token `start`:
 * skips to the start of the next statement (a new line or `;` outside
 * brackets opened in the statement) or the `}` that ends the block. */
static void skip_stmt(Parser *P, int start, int err_at) {
    P->i = start;
    char open[64]; /* the closers of the brackets open, innermost last */
    int depth = 0;
    for (;;) {
        Token *t = peek(P);
        if (t->kind == TK_EOF) {
            P->gave_up = true;
            longjmp(*(jmp_buf *)diag_jmp, 1);
        }
        if (P->i > start && P->i >= err_at && depth == 0 && (t->nl_before || is_p(t, "}")))
            return;
        if (t->kind == TK_PUNCT && strchr("([{", t->s[0]) && !t->s[1]) {
            if (depth == 64) {
                P->gave_up = true;
                longjmp(*(jmp_buf *)diag_jmp, 1);
            }
            open[depth++] = t->s[0] == '(' ? ')' : t->s[0] == '[' ? ']' : '}';
        } else if (depth > 0 && t->kind == TK_PUNCT && t->s[0] == open[depth - 1] && !t->s[1]) {
            depth--;
        }
        next(P);
        if (depth == 0 && is_p(t, ";") && P->i > err_at)
            return;
    }
}

/* stmt() with a recovery point: false after a syntax error, skipped. */
static bool stmt_or_skip(Parser *P, Node **out, bool *tail) {
    jmp_buf jb;
    void *outer = diag_jmp;
    Parser saved = *P;
    diag_jmp = &jb;
    if (setjmp(jb)) {
        diag_jmp = outer;
        int err_at = P->i;
        if (P->gave_up || diag_error_count() >= MAX_SYNTAX_ERRORS)
            longjmp(*(jmp_buf *)outer, 1);
        P->nl_off = saved.nl_off;
        P->no_struct = saved.no_struct;
        P->depth = saved.depth;
        P->chain = saved.chain;
        diag_mute_line();
        skip_stmt(P, saved.i, err_at);
        return false;
    }
    *out = stmt(P, tail);
    diag_jmp = outer;
    return true;
}

static Node *block(Parser *P) {
    Token *t = peek(P);
    Node *n = new_node(N_BLOCK, t->pos);
    expect(P, "{");
    int save = P->nl_off;
    bool ns = P->no_struct;
    P->nl_off = 0;
    P->no_struct = false;
    enter(P);
    while (!at(P, "}")) {
        if (peek(P)->kind == TK_EOF)
            expected(P, "`}`");
        if (accept(P, ";"))
            continue;
        bool tail;
        Node *s;
        if (!stmt_or_skip(P, &s, &tail))
            continue;
        if (tail) {
            n->c = s->a;
            break;
        }
        vec_push(&n->list, s);
    }
    expect(P, "}");
    leave(P);
    P->nl_off = save;
    P->no_struct = ns;
    return n;
}

/* ---- items ---- */

// param = "self" (":" type)? | ident ":" type | "..."
static void params(Parser *P, Fn *fn, const char *self_type) {
    expect(P, "(");
    int save = P->nl_off;
    P->nl_off = 1;
    while (!at(P, ")")) {
        Token *t = peek(P);
        if (accept(P, "...")) {
            fn->is_variadic = true;
            break;
        }
        Param *p = arena_alloc(sizeof(Param));
        p->pos = t->pos;
        p->name = ident(P);
        if (!strcmp(p->name, "self") && fn->params.len == 0 && !fn->has_self) {
            fn->has_self = true;
            if (accept(P, ":")) {
                p->type = type_expr(P);
            } else {
                if (!self_type)
                    error_at(t->pos, "E0100", "`self` needs a type here (`self: &T`)");
                p->type = new_node(T_NAME, t->pos);
                p->type->name = self_type;
            }
            Node *ty = p->type;
            fn->self_kind = ty->kind == T_REF ? (ty->mut ? 2 : 1) : 0;
        } else {
            expect(P, ":");
            p->type = type_expr(P);
        }
        vec_push(&fn->params, p);
        if (!accept(P, ","))
            break;
    }
    expect(P, ")");
    P->nl_off = save;
}

static const char *type_owner_name(Node *ty) {
    while (ty && ty->kind == T_REF)
        ty = ty->a;
    return ty && ty->kind == T_NAME ? ty->name : NULL;
}

// fn = "async"? "fn" ("(" param ")")? ident ("." ident)? "(" params ")" (":" type)? block
static Fn *fn_item(Parser *P, const char *in_struct, bool is_extern) {
    Token *kw = peek(P);
    Fn *fn = arena_alloc(sizeof(Fn));
    if (at_kw(P, "async")) {
        next(P);
        fn->is_async = true;
    }
    if (!at_kw(P, "fn"))
        expected(P, "`fn`");
    next(P);
    fn->pos = kw->pos;
    if (at(P, "(") && !is_extern && !in_struct) { /* Go-style receiver */
        expect(P, "(");
        Token *s = peek(P);
        Param *p = arena_alloc(sizeof(Param));
        p->pos = s->pos;
        p->name = ident(P);
        expect(P, ":");
        p->type = type_expr(P);
        expect(P, ")");
        fn->has_self = true;
        fn->self_kind = p->type->kind == T_REF ? (p->type->mut ? 2 : 1) : 0;
        fn->owner = type_owner_name(p->type);
        if (!fn->owner)
            error_at(p->pos, "E0100", "a method receiver must name a struct or enum type");
        vec_push(&fn->params, p);
    }
    Token *nt = peek(P);
    fn->name = ident(P);
    fn->pos = nt->pos;
    if (at(P, ".") && !fn->owner && !in_struct) {
        next(P);
        fn->owner = fn->name;
        Token *mt = peek(P);
        if (mt->kind == TK_IDENT || mt->kind == TK_KW) { /* T.from, T.new */
            next(P);
            fn->name = mt->s;
        } else {
            expected(P, "a method name");
        }
    }
    if (in_struct)
        fn->owner = in_struct;
    params(P, fn, fn->owner);
    if (in_struct && !fn->has_self) {
        /* fn inside a struct body: implicit `self: &S` */
        Param *p = arena_alloc(sizeof(Param));
        p->pos = fn->pos;
        p->name = "self";
        p->type = new_node(T_REF, fn->pos);
        p->type->a = new_node(T_NAME, fn->pos);
        p->type->a->name = in_struct;
        Vec ps = {0};
        vec_push(&ps, p);
        for (int i = 0; i < fn->params.len; i++)
            vec_push(&ps, fn->params.items[i]);
        fn->params = ps;
        fn->has_self = true;
        fn->self_kind = 1;
    }
    if (accept(P, ":") || accept(P, "->"))
        fn->ret = type_expr(P);
    if (is_extern) {
        fn->is_extern = true;
        if (fn->is_async)
            error_at(kw->pos, "E0604", "`extern \"C\" async fn` is not allowed");
        end_stmt(P);
    } else {
        fn->body = block(P);
    }
    return fn;
}

// struct = "struct" ident "{" (ident ":" type ","? | fn)* "}"
static void struct_item(Parser *P) {
    next(P);
    StructDef *sd = arena_alloc(sizeof(StructDef));
    Token *nt = peek(P);
    sd->name = ident(P);
    sd->pos = nt->pos;
    expect(P, "{");
    while (!at(P, "}")) {
        if (at_kw(P, "fn") || at_kw(P, "async")) {
            vec_push(&P->prog->fns, fn_item(P, sd->name, false));
            accept(P, ";");
            continue;
        }
        Token *ft = peek(P);
        Field *f = arena_alloc(sizeof(Field));
        f->name = ident(P);
        f->pos = ft->pos;
        expect(P, ":");
        f->texpr = type_expr(P);
        vec_push(&sd->fields, f);
        if (!accept(P, ",") && !accept(P, ";") && !peek(P)->nl_before && !at(P, "}"))
            expected(P, "`,` or `}`");
    }
    expect(P, "}");
    vec_push(&P->prog->structs, sd);
}

// enum = "enum" ident "{" (ident ("(" type ("," type)* ")")? ","?)* "}"
static void enum_item(Parser *P) {
    next(P);
    EnumDef *ed = arena_alloc(sizeof(EnumDef));
    Token *nt = peek(P);
    ed->name = ident(P);
    ed->pos = nt->pos;
    expect(P, "{");
    while (!at(P, "}")) {
        if (at_kw(P, "fn") || at_kw(P, "async")) {
            vec_push(&P->prog->fns, fn_item(P, ed->name, false));
            accept(P, ";");
            continue;
        }
        Token *vt = peek(P);
        Variant *v = arena_alloc(sizeof(Variant));
        v->name = ident(P);
        v->pos = vt->pos;
        if (accept(P, "(")) {
            while (!at(P, ")")) {
                vec_push(&v->texprs, type_expr(P));
                if (!accept(P, ","))
                    break;
            }
            expect(P, ")");
        }
        vec_push(&ed->variants, v);
        if (!accept(P, ",") && !peek(P)->nl_before && !at(P, "}"))
            expected(P, "`,` or `}`");
    }
    expect(P, "}");
    vec_push(&P->prog->enums, ed);
}

// item = fn | struct | enum | "const" ident (":" type)? "=" expr
//      | "extern" string (fn | "{" fn* "}") | "import" ... "from" string
static void item(Parser *P) {
    Token *t = peek(P);
    if (is_kw(t, "fn") || is_kw(t, "async")) {
        vec_push(&P->prog->fns, fn_item(P, NULL, false));
    } else if (is_kw(t, "struct")) {
        struct_item(P);
    } else if (is_kw(t, "enum")) {
        enum_item(P);
    } else if (is_kw(t, "const")) {
        next(P);
        Node *n = new_node(N_CONST, peek(P)->pos);
        n->name = ident(P);
        if (accept(P, ":"))
            n->b = type_expr(P);
        expect(P, "=");
        n->a = expr(P);
        end_stmt(P);
        vec_push(&P->prog->consts, n);
    } else if (is_kw(t, "extern")) {
        next(P);
        Token *abi = peek(P);
        if (abi->kind != TK_STR || strcmp(abi->s, "C"))
            expected(P, "\"C\"");
        next(P);
        if (accept(P, "{")) {
            while (!at(P, "}")) {
                if (accept(P, ";"))
                    continue;
                vec_push(&P->prog->fns, fn_item(P, NULL, true));
            }
            expect(P, "}");
        } else {
            vec_push(&P->prog->fns, fn_item(P, NULL, true));
        }
    } else if (is_kw(t, "import")) {
        /* import { a, b } from "path" | import * as ns from "path": the std
         * modules are always in scope, and every .vx file given on the
         * command line shares one namespace; check.c verifies the file was
         * given and defines the names, and resolves `ns.f(...)`. */
        next(P);
        Node *n = new_node(N_IMPORT, t->pos);
        if (accept(P, "{")) {
            while (!at(P, "}")) {
                Token *nt = peek(P);
                Node *name = new_node(N_IDENT, nt->pos);
                name->name = ident(P);
                vec_push(&n->list, name);
                if (!accept(P, ","))
                    break;
            }
            expect(P, "}");
        } else {
            expect(P, "*");
            if (!at_kw(P, "as"))
                expected(P, "`as`");
            next(P);
            n->name = ident(P);
        }
        if (peek(P)->kind != TK_IDENT || strcmp(peek(P)->s, "from"))
            expected(P, "`from`");
        next(P);
        Token *path = peek(P);
        if (path->kind != TK_STR)
            expected(P, "a module path string");
        next(P);
        n->sval = path->s;
        n->pos = path->pos;
        vec_push(&P->prog->imports, n);
        end_stmt(P);
    } else if (is_p(t, ";")) {
        next(P);
    } else {
        expected(P, "an item (`fn`, `struct`, `enum`, `const`, `extern`, `import`)");
    }
}

static bool is_item_start(Token *t) {
    static const char *kws[] = {"fn", "struct", "enum", "const", "import", "extern", NULL};
    for (int i = 0; kws[i]; i++)
        if (is_kw(t, kws[i]))
            return true;
    return t->kind == TK_IDENT && !strcmp(t->s, "async");
}

void parse_file(Program *prog, SrcFile *f) {
    int n;
    Token *t = tokenize(f, &n);
    /* in the arena, not a local: it changes between setjmp and longjmp */
    Parser *P = arena_alloc(sizeof(Parser));
    *P = (Parser){f, t, n, 0, 0, false, 0, 0, prog, false};
    vec_push(&prog->files, f);
    void *outer = diag_jmp;
    jmp_buf jb;
    while (peek(P)->kind != TK_EOF) {
        int start = P->i;
        diag_jmp = &jb;
        if (setjmp(jb) == 0) {
            item(P);
            continue;
        }
        /* a syntax error: go on at the next line that starts an item */
        if (P->gave_up || diag_error_count() >= MAX_SYNTAX_ERRORS)
            break;
        diag_mute_line();
        P->nl_off = 0;
        P->no_struct = false;
        P->depth = 0;
        P->chain = 0;
        if (P->i == start)
            next(P);
        while (peek(P)->kind != TK_EOF && !(peek(P)->pos.col == 1 && is_item_start(peek(P))))
            next(P);
    }
    diag_jmp = outer;
}

/* ---- --dump=ast ---- */

static const char *kind_names[] = {
    "int", "float", "str", "fstr", "bool", "unit", "ident", "call", "field", "index", "unary",
    "binary", "cast", "if", "while", "loop", "for", "block", "match", "return", "break",
    "continue", "try", "structlit", "tuple", "veclit", "ref", "deref", "range", "intrinsic",
    "await", "go",
    "let", "assign", "exprstmt", "itemstmt", "arm", "p_wild", "p_bind", "p_lit", "p_variant",
    "p_or", "p_tuple", "p_range", "t_name", "t_tuple", "t_array", "t_ref", "fn", "struct",
    "enum", "const", "import",
};

static void dump_node(Node *n, int ind, FILE *out) {
    if (!n)
        return;
    fprintf(out, "%*s(%s", ind, "", kind_names[n->kind]);
    if (n->name)
        fprintf(out, " %s", n->name);
    if (n->op)
        fprintf(out, " %s", n->op);
    if (n->kind == N_INT)
        fprintf(out, " %llu", (unsigned long long)n->ival);
    if (n->kind == N_STR)
        fprintf(out, " \"%s\"", n->sval);
    if (n->ty)
        fprintf(out, " : %s", ty_str_of(n->ty));
    fputc('\n', out);
    dump_node(n->a, ind + 2, out);
    dump_node(n->b, ind + 2, out);
    dump_node(n->c, ind + 2, out);
    for (int i = 0; i < n->list.len; i++)
        dump_node(n->list.items[i], ind + 2, out);
    fprintf(out, "%*s)\n", ind, "");
}

void dump_ast(Program *prog, FILE *out) {
    for (int i = 0; i < prog->structs.len; i++) {
        StructDef *sd = prog->structs.items[i];
        fprintf(out, "(struct %s", sd->name);
        for (int j = 0; j < sd->fields.len; j++)
            fprintf(out, " %s", ((Field *)sd->fields.items[j])->name);
        fprintf(out, ")\n");
    }
    for (int i = 0; i < prog->enums.len; i++) {
        EnumDef *ed = prog->enums.items[i];
        fprintf(out, "(enum %s", ed->name);
        for (int j = 0; j < ed->variants.len; j++)
            fprintf(out, " %s", ((Variant *)ed->variants.items[j])->name);
        fprintf(out, ")\n");
    }
    for (int i = 0; i < prog->consts.len; i++)
        dump_node(prog->consts.items[i], 0, out);
    for (int i = 0; i < prog->fns.len; i++) {
        Fn *fn = prog->fns.items[i];
        fprintf(out, "(fn %s%s%s%s\n", fn->owner ? fn->owner : "", fn->owner ? "." : "", fn->name,
                fn->is_extern ? " extern" : "");
        dump_node(fn->body, 2, out);
        fprintf(out, ")\n");
    }
}
