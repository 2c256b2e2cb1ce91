/*
 * tokenize.c - Vex source text to tokens (VEX-SUBSET.md section 1).
 *
 * One pass over the bytes; each token records whether a newline precedes
 * it (nl_before), which is all the parser needs for optional semicolons:
 * the newline rule itself ("a newline ends a complete statement unless the
 * next line starts with a binary operator or `.`") is applied in parse.c.
 * String escapes are decoded here; an f-string keeps its raw text and is
 * split into pieces by the parser. `let!` and `$name` are single tokens;
 * keywords are plain identifiers right after `.` (x.from, T.new).
 */
#include <stdlib.h>
#include <string.h>

#include "vexc.h"

static const char *keywords[] = {
    "fn", "let", "if", "else", "elif", "while", "loop", "for", "in", "break", "continue",
    "return", "match", "struct", "enum", "const", "import", "as", "extern",
    "async", "await", "go", "true", "false", NULL,
};

static const char *puncts[] = {
    "<<=", ">>=", "..=", "...", "==", "!=", "<=", ">=", "&&", "||", "<<", ">>", "+=", "-=",
    "*=", "/=", "%=", "&=", "|=", "^=", "=>", "->", "..", "::", "<-",
    "+", "-", "*", "/", "%", "&", "|", "^", "!", "=", "<", ">", "(", ")", "[", "]", "{", "}",
    ",", ";", ":", ".", "?", NULL,
};

typedef struct Lexer {
    SrcFile *f;
    const char *p, *end;
    int line;
    const char *line_start;
    Token *toks;
    int n, cap;
} Lexer;

static Pos pos_here(Lexer *L, const char *start) {
    Pos p = {L->f, L->line, (int)(start - L->line_start) + 1, (int)(start - L->f->text), 1};
    return p;
}

static _Noreturn void lex_error(Lexer *L, const char *at, const char *msg) {
    error_at(pos_here(L, at), "E0101", "%s", msg);
}

static Token *new_tok(Lexer *L, TokKind k, const char *start) {
    if (L->n == L->cap) {
        /* first guess: a token per 2 bytes, so real files never regrow (an
         * arena block this big is fresh mmap memory: unused pages cost nothing) */
        L->cap = L->cap ? L->cap * 2 : (int)(L->f->len / 2 < (1u << 24) ? L->f->len / 2 : (1u << 24)) + 16;
        Token *t = arena_alloc(sizeof(Token) * (size_t)L->cap);
        if (L->n)
            memcpy(t, L->toks, sizeof(Token) * (size_t)L->n);
        L->toks = t;
    }
    Token *t = &L->toks[L->n++];
    memset(t, 0, sizeof *t);
    t->kind = k;
    t->pos = pos_here(L, start);
    return t;
}

static bool is_id0(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool is_id(int c) { return is_id0(c) || (c >= '0' && c <= '9'); }

static int hexval(int c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void put_utf8(Buf *b, uint32_t c) {
    char s[4];
    int n;
    if (c < 0x80) {
        s[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        s[0] = (char)(0xC0 | (c >> 6));
        s[1] = (char)(0x80 | (c & 63));
        n = 2;
    } else if (c < 0x10000) {
        s[0] = (char)(0xE0 | (c >> 12));
        s[1] = (char)(0x80 | ((c >> 6) & 63));
        s[2] = (char)(0x80 | (c & 63));
        n = 3;
    } else {
        s[0] = (char)(0xF0 | (c >> 18));
        s[1] = (char)(0x80 | ((c >> 12) & 63));
        s[2] = (char)(0x80 | ((c >> 6) & 63));
        s[3] = (char)(0x80 | (c & 63));
        n = 4;
    }
    buf_put(b, s, (size_t)n);
}

/* string = '"' (char | escape)* '"'; an f-string keeps escapes raw except
 * that it is decoded piecewise later; we decode both here but for f-strings
 * the braces are kept verbatim. */
static void lex_string(Lexer *L, const char *start, bool fstr) {
    Buf b = {0};
    int line0 = L->line;
    const char *ls0 = L->line_start;
    const char *p = L->p;
    int depth = 0; /* f-string: inside {...}, where text is an expression */
    for (;;) {
        if (p >= L->end) {
            buf_free(&b);
            L->line = line0;
            L->line_start = ls0;
            lex_error(L, start, "unterminated string");
        }
        char c = *p;
        if (fstr && depth > 0) {
            /* an interpolation is kept raw: strings in it nest */
            if (c == '"') {
                const char *q = p + 1;
                while (q < L->end && *q != '"' && *q != '\n')
                    q += *q == '\\' ? 2 : 1;
                if (q >= L->end || *q != '"') {
                    buf_free(&b);
                    L->line = line0;
                    L->line_start = ls0;
                    lex_error(L, start, "unterminated string");
                }
                buf_put(&b, p, (size_t)(q + 1 - p));
                p = q + 1;
                continue;
            }
            if (c == '{')
                depth++;
            else if (c == '}')
                depth--;
            if (c == '\n') {
                L->line++;
                L->line_start = p + 1;
            }
            buf_put(&b, p, 1);
            p++;
            continue;
        }
        if (fstr && c == '{') {
            if (p + 1 < L->end && p[1] == '{') {
                buf_put(&b, p, 2);
                p += 2;
                continue;
            }
            depth++;
        }
        if (c == '"')
            break;
        if (c == '\r' && p + 1 < L->end && p[1] == '\n') {
            p++; /* a CR before an LF is not part of the string */
            continue;
        }
        if (c == '\n') {
            L->line++;
            L->line_start = p + 1;
        }
        if (c == '\\') {
            p++;
            if (p >= L->end) {
                buf_free(&b);
                lex_error(L, start, "unterminated string");
            }
            switch (*p) {
            case 'n': buf_put(&b, "\n", 1); break;
            case 'r': buf_put(&b, "\r", 1); break;
            case 't': buf_put(&b, "\t", 1); break;
            case '0': buf_put(&b, "\0", 1); break;
            case '\\': buf_put(&b, "\\", 1); break;
            case '"': buf_put(&b, "\"", 1); break;
            case '\'': buf_put(&b, "'", 1); break;
            case '{':
            case '}':
                if (fstr) { /* \{ is a literal brace: keep it doubled */
                    buf_put(&b, p, 1);
                    buf_put(&b, p, 1);
                    break;
                }
                buf_free(&b);
                lex_error(L, p - 1, "unknown escape sequence in string");
            case 'u': {
                if (p + 1 >= L->end || p[1] != '{') {
                    buf_free(&b);
                    lex_error(L, p - 1, "bad \\u escape: expected `{`");
                }
                p += 2;
                uint32_t v = 0;
                int nd = 0;
                while (p < L->end && hexval(*p) >= 0 && nd < 7) {
                    v = v * 16 + (uint32_t)hexval(*p++);
                    nd++;
                }
                if (p >= L->end || *p != '}' || nd == 0 || v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) {
                    buf_free(&b);
                    lex_error(L, p - 2 - nd, "bad \\u escape");
                }
                put_utf8(&b, v);
                break;
            }
            default:
                buf_free(&b);
                lex_error(L, p - 1, "unknown escape sequence in string");
            }
            p++;
            continue;
        }
        buf_put(&b, p, 1);
        p++;
    }
    Token *t = new_tok(L, fstr ? TK_FSTR : TK_STR, start);
    t->pos.line = line0;
    t->pos.col = (int)(start - ls0) + 1;
    t->s = arena_strndup(b.data ? b.data : "", b.len);
    t->slen = (int)b.len;
    t->pos.len = (int)(p + 1 - start);
    buf_free(&b);
    L->p = p + 1;
}

static const char *int_suffixes[] = {"i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize", "isize", NULL};

static void lex_number(Lexer *L) {
    const char *start = L->p, *p = L->p;
    int base = 10;
    if (p[0] == '0' && p + 1 < L->end && (p[1] == 'x' || p[1] == 'o' || p[1] == 'b')) {
        base = p[1] == 'x' ? 16 : p[1] == 'o' ? 8 : 2;
        p += 2;
    }
    bool is_float = false;
    char digits[128];
    int nd = 0;
    bool overflow = false, too_long = false; /* too_long: digits[] is full */
    uint64_t v = 0;
    for (; p < L->end; p++) {
        int c = *p;
        if (c == '_')
            continue;
        int d = hexval(c);
        if (d < 0 || d >= base) {
            if (base == 10 && c == '.' && p + 1 < L->end && p[1] >= '0' && p[1] <= '9' && !is_float) {
                is_float = true;
                if (nd < 126)
                    digits[nd++] = '.';
                else
                    too_long = true;
                continue;
            }
            if (base == 10 && (c == 'e' || c == 'E')) {
                const char *q = p + 1;
                if (q < L->end && (*q == '+' || *q == '-'))
                    q++;
                if (q < L->end && *q >= '0' && *q <= '9') {
                    is_float = true;
                    if (nd < 120)
                        digits[nd++] = 'e';
                    else
                        too_long = true;
                    if (p[1] == '-' || p[1] == '+') {
                        if (nd < 126)
                            digits[nd++] = p[1];
                        p++;
                    }
                    continue;
                }
            }
            break;
        }
        if (nd < 126)
            digits[nd++] = (char)c;
        else
            too_long = true;
        if (!is_float) {
            if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
                overflow = true;
            v = v * (uint64_t)base + (uint64_t)d;
        }
    }
    digits[nd] = 0;
    if (too_long)
        lex_error(L, start, "bad number literal: more than 120 digits");
    if (base != 10 && p < L->end && hexval(*p) >= 0 && !(base == 2 && (*p == 'u' || *p == 'i')))
        lex_error(L, p, base == 2 ? "bad number literal: invalid digit for a binary literal"
                        : base == 8 ? "bad number literal: invalid digit for an octal literal"
                                    : "bad number literal");
    if (base != 10 && p < L->end && *p >= '0' && *p <= '9')
        lex_error(L, p, "bad number literal: invalid digit");
    const char *suffix = NULL;
    if (p < L->end && is_id0(*p)) {
        const char *s = p;
        while (p < L->end && is_id(*p))
            p++;
        char sfx[16];
        size_t n = (size_t)(p - s);
        if (n >= sizeof sfx)
            lex_error(L, s, "bad number literal suffix");
        memcpy(sfx, s, n);
        sfx[n] = 0;
        bool ok = false;
        if (!strcmp(sfx, "f32") || !strcmp(sfx, "f64")) {
            if (base != 10)
                lex_error(L, start, "bad number literal: float suffix on a non-decimal literal");
            is_float = true;
            ok = true;
        }
        for (int i = 0; int_suffixes[i] && !ok; i++)
            if (!strcmp(sfx, int_suffixes[i]))
                ok = !is_float;
        if (!ok)
            lex_error(L, s, "bad number literal suffix");
        suffix = arena_strndup(sfx, n);
    }
    if (base != 10 && p == start + 2)
        lex_error(L, start, "bad number literal: no digits");
    if (overflow && !is_float)
        lex_error(L, start, "bad number literal: integer literal is too large");
    Token *t = new_tok(L, is_float ? TK_FLOAT : TK_INT, start);
    t->ival = v;
    t->fval = is_float ? strtod(digits, NULL) : 0;
    t->suffix = suffix;
    t->pos.len = (int)(p - start);
    L->p = p;
}

/* Length of the UTF-8 sequence at p (1..4), or 0 when it is invalid. */
static int utf8_len(const unsigned char *p, const unsigned char *end) {
    unsigned c = p[0];
    int n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (!n || end - p < n || (n == 2 && c < 0xC2))
        return 0;
    for (int i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    unsigned cp = n == 2 ? ((c & 0x1F) << 6) | (p[1] & 0x3F)
                : n == 3 ? ((c & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F)
                : n == 4 ? ((c & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) | (p[3] & 0x3F) : c;
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp < 0xE000))
        return 0;
    return n;
}

Token *tokenize(SrcFile *f, int *ntok) {
    Lexer L = {f, f->text, f->text + f->len, 1, f->text, NULL, 0, 0};
    /* the file must be UTF-8 (a byte order mark is skipped) */
    for (const char *q = L.p; q < L.end;) {
        if (*q == '\n') {
            L.line++;
            L.line_start = q + 1;
        }
        int n = utf8_len((const unsigned char *)q, (const unsigned char *)L.end);
        if (!n)
            lex_error(&L, q, "invalid UTF-8 in the source file");
        q += n;
    }
    L.line = 1;
    L.line_start = f->text;
    if (f->len >= 3 && !memcmp(f->text, "\xEF\xBB\xBF", 3)) {
        L.p += 3;
        L.line_start = L.p;
    }
    bool nl = true;
    while (L.p < L.end) {
        const char *p = L.p;
        char c = *p;
        if (c == '\n') {
            L.line++;
            L.line_start = p + 1;
            L.p++;
            nl = true;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            L.p++;
            continue;
        }
        if (c == '/' && p + 1 < L.end && p[1] == '/') {
            while (L.p < L.end && *L.p != '\n')
                L.p++;
            continue;
        }
        if (c == '/' && p + 1 < L.end && p[1] == '*') {
            const char *q = p + 2;
            int line0 = L.line;
            const char *ls0 = L.line_start;
            for (;;) {
                if (q + 1 >= L.end) {
                    L.line = line0;
                    L.line_start = ls0;
                    lex_error(&L, p, "unterminated block comment");
                }
                if (*q == '\n') {
                    L.line++;
                    L.line_start = q + 1;
                    nl = true;
                }
                if (q[0] == '*' && q[1] == '/')
                    break;
                q++;
            }
            L.p = q + 2;
            continue;
        }
        int before = L.n;
        if (c == '"') {
            L.p++;
            lex_string(&L, p, false);
        } else if (c == 'f' && p + 1 < L.end && p[1] == '"') {
            L.p += 2;
            lex_string(&L, p, true);
        } else if (c >= '0' && c <= '9') {
            lex_number(&L);
        } else if (is_id0(c) || (c == '$' && p + 1 < L.end && is_id0(p[1]))) {
            const char *q = p + 1;
            while (q < L.end && is_id(*q))
                q++;
            bool after_dot = L.n > 0 && L.toks[L.n - 1].kind == TK_PUNCT && !strcmp(L.toks[L.n - 1].s, ".");
            TokKind k = c == '$' ? TK_DOLLAR : TK_IDENT;
            size_t n = (size_t)(q - p);
            if (k == TK_IDENT && !after_dot && n <= 8)
                for (int i = 0; keywords[i]; i++)
                    if (keywords[i][0] == c && !strncmp(keywords[i], p, n) && !keywords[i][n])
                        k = TK_KW;
            if (k == TK_KW && n == 3 && !memcmp(p, "let", 3) && q < L.end && *q == '!')
                q++, n++;
            Token *t = new_tok(&L, k, p);
            t->s = arena_strndup(p, n);
            t->slen = (int)n;
            t->pos.len = (int)n;
            L.p = q;
        } else {
            int i;
            for (i = 0; puncts[i]; i++) {
                if (puncts[i][0] != c)
                    continue;
                size_t n = strlen(puncts[i]);
                if ((size_t)(L.end - p) >= n && !memcmp(puncts[i], p, n))
                    break;
            }
            if (!puncts[i]) {
                if ((unsigned char)c >= 0x80)
                    lex_error(&L, p, "unexpected character (non-ASCII outside a string)");
                lex_error(&L, p, "unexpected character");
            }
            Token *t = new_tok(&L, TK_PUNCT, p);
            t->s = puncts[i];
            t->slen = (int)strlen(puncts[i]);
            t->pos.len = t->slen;
            L.p = p + t->slen;
        }
        if (L.n > before) {
            L.toks[L.n - 1].nl_before = nl;
            nl = false;
        }
    }
    Token *t = new_tok(&L, TK_EOF, L.p);
    t->nl_before = true;
    t->s = "end of file";
    *ntok = L.n;
    return L.toks;
}

void dump_tokens(SrcFile *f, FILE *out) {
    int n;
    Token *t = tokenize(f, &n);
    static const char *kn[] = {"eof", "ident", "kw", "int", "float", "str", "fstr", "dollar", "punct"};
    for (int i = 0; i < n; i++) {
        fprintf(out, "%d:%d %s%s", t[i].pos.line, t[i].pos.col, kn[t[i].kind], t[i].nl_before ? " nl" : "");
        if (t[i].kind == TK_INT)
            fprintf(out, " %llu", (unsigned long long)t[i].ival);
        else if (t[i].kind == TK_FLOAT)
            fprintf(out, " %g", t[i].fval);
        else if (t[i].s)
            fprintf(out, " %s", t[i].s);
        fputc('\n', out);
    }
}
