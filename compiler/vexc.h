/*
 * vexc.h - the one header of the vex compiler. Every type and prototype
 * shared between compiler stages is here, under a banner naming the file
 * that defines it; everything else in a .c file is static.
 *
 * The pipeline (main.c: compile()):
 *   tokenize -> parse -> check (resolve + types) -> own (moves, loans)
 *     -> lower to MIR + emit C (emit.c, mir.c) -> cc
 */
#ifndef VEXC_H
#define VEXC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define VEX_VERSION "0.1.0"

typedef struct Type Type;
typedef struct Node Node;
typedef struct Fn Fn;
typedef struct Sym Sym;
typedef struct StructDef StructDef;
typedef struct EnumDef EnumDef;

/* ===================================================================== *
 * arena.c - compiler memory: zeroed, freed all at once
 * ===================================================================== */
void *arena_alloc(size_t size);
char *arena_strndup(const char *s, size_t n);
char *arena_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void arena_reset(void);

/* A growable byte buffer (heap, for emitted text and formatting). */
typedef struct Buf {
    char *data;
    size_t len, cap;
} Buf;
void buf_put(Buf *b, const char *s, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(Buf *b);

/* A growable array of pointers (arena-backed). */
typedef struct Vec {
    void **items;
    int len, cap;
} Vec;
void vec_push(Vec *v, void *p);

/* ===================================================================== *
 * diag.c - the one family of diagnostics (rustc-shaped)
 * ===================================================================== */
typedef struct SrcFile {
    const char *path;
    const char *text;
    size_t len;
} SrcFile;

typedef struct Pos {
    SrcFile *file;
    int line, col;
    int off, len; /* byte offset and length of the span */
} Pos;

/* Reports the error and unwinds to the pipeline's recovery point: one
 * error per compilation, so no cascade and no hang is possible. */
_Noreturn void error_at(Pos pos, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adds a note/help line to the next error_at. */
void diag_note(Pos pos, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_help(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void diag_set_quiet(bool quiet);
void diag_reset(void);
void diag_set_json(bool on);
int diag_error_count(void);
/* The recovery point used by error_at (a jmp_buf pointer). */
extern void *diag_jmp;
#define unreachable() compiler_bug(__FILE__, __LINE__)
_Noreturn void compiler_bug(const char *file, int line);
const char *did_you_mean(const char *name, const char **cands, int n);

/* ===================================================================== *
 * tokenize.c - source text to tokens (the newline rule lives in parse.c)
 * ===================================================================== */
typedef enum {
    TK_EOF,
    TK_IDENT,
    TK_KW,
    TK_INT,
    TK_FLOAT,
    TK_STR,
    TK_FSTR,
    TK_DOLLAR,  /* $name */
    TK_PUNCT,
} TokKind;

typedef struct Token {
    TokKind kind;
    Pos pos;
    bool nl_before;   /* a newline separates it from the previous token */
    const char *s;    /* identifier/keyword/punct spelling; decoded string */
    int slen;
    uint64_t ival;
    double fval;
    const char *suffix; /* literal type suffix ("i64", "f32") or NULL */
} Token;

Token *tokenize(SrcFile *f, int *ntok);

/* ===================================================================== *
 * parse.c - tokens to AST
 * ===================================================================== */
typedef enum {
    /* expressions */
    N_INT, N_FLOAT, N_STR, N_FSTR, N_BOOL, N_UNIT, N_IDENT,
    N_CALL, N_FIELD, N_INDEX, N_UNARY, N_BINARY, N_CAST, N_IF, N_WHILE,
    N_LOOP, N_FOR, N_BLOCK, N_MATCH, N_RETURN, N_BREAK, N_CONTINUE, N_TRY,
    N_STRUCTLIT, N_TUPLE, N_VECLIT, N_REF, N_DEREF, N_RANGE, N_INTRINSIC,
    /* statements */
    N_LET, N_ASSIGN, N_EXPRSTMT, N_ITEMSTMT, N_ARM,
    /* patterns */
    P_WILD, P_BIND, P_LIT, P_VARIANT, P_OR, P_TUPLE, P_RANGE,
    /* types */
    T_NAME, T_TUPLE, T_ARRAY, T_REF,
    /* items */
    N_FN, N_STRUCT, N_ENUM, N_CONST, N_IMPORT,
} NodeKind;

/* The resolved meaning of an N_IDENT / callee, filled in by check.c. */
typedef enum {
    R_NONE, R_LOCAL, R_FN, R_CONST, R_TYPE, R_VARIANT, R_BUILTIN_METHOD,
    R_METHOD, R_STATIC, R_EXTERN,
} ResKind;

struct Node {
    NodeKind kind;
    Pos pos;
    Type *ty;        /* checked type (expressions, patterns) */
    Node *a, *b, *c; /* children: see parse.c per kind */
    Vec list;        /* arguments, statements, fields, arms, ... */
    Vec list2;       /* struct literal field names, f-string pieces */
    const char *name;
    const char *op;  /* operator spelling */
    uint64_t ival;
    double fval;
    const char *sval;
    int slen;
    const char *suffix;
    bool mut;        /* let!, &x!, &T! */
    bool flag;       /* for..=, f-string format etc. */
    /* resolution (check.c) */
    ResKind res;
    Sym *sym;
    Fn *fn;
    int index;       /* field / variant / builtin method number */
    Type *aux;       /* e.g. the enum type of a variant, the From target */
    Fn *from_fn;     /* ? conversion */
    int autoref;     /* method receiver adjustment: 0 none, 1 &, 2 deref */
};

typedef struct Param {
    const char *name;
    Node *type;
    Pos pos;
} Param;

/* A function item (free fn, method, static, extern). */
struct Fn {
    const char *name;     /* Vex name */
    const char *owner;    /* receiver/owner type name or NULL */
    const char *cname;    /* C symbol */
    Pos pos;
    Vec params;           /* Param* (self included when has_self) */
    Node *ret;            /* type expr or NULL (unit) */
    Node *body;           /* NULL for extern */
    bool has_self;
    int self_kind;        /* 0 by value, 1 &, 2 &! */
    bool is_extern, is_async, is_variadic;
    /* checked */
    Type **ptypes;
    Type *rtype;
    Vec locals;           /* Sym* of every local, for the emitter */
};

typedef struct Field {
    const char *name;
    Node *texpr;
    Type *ty;
    Pos pos;
} Field;

struct StructDef {
    const char *name;
    Pos pos;
    Vec fields; /* Field* */
    Type *ty;
};

typedef struct Variant {
    const char *name;
    Pos pos;
    Vec texprs;   /* Node* type exprs */
    Type **tys;
    int ntys;
} Variant;

struct EnumDef {
    const char *name;
    Pos pos;
    Vec variants; /* Variant* */
    Type *ty;
};

typedef struct Program {
    Vec files;    /* SrcFile* */
    Vec fns;      /* Fn* (all: free, methods, statics, externs) */
    Vec structs;  /* StructDef* */
    Vec enums;    /* EnumDef* */
    Vec consts;   /* Node* N_CONST */
    Vec imports;  /* Node* N_IMPORT: sval path, list names, name alias */
} Program;

void parse_file(Program *prog, SrcFile *f);
/* Parses one expression from an f-string piece. */
Node *parse_expr_text(SrcFile *f, Pos at, const char *text, int len);
void dump_tokens(SrcFile *f, FILE *out);
void dump_ast(Program *prog, FILE *out);

/* ===================================================================== *
 * type.c - types: structural, with inference variables
 * ===================================================================== */
typedef enum {
    TY_UNIT, TY_BOOL,
    TY_I8, TY_I16, TY_I32, TY_I64, TY_U8, TY_U16, TY_U32, TY_U64, TY_USIZE,
    TY_F32, TY_F64, TY_STR, TY_NEVER,
    TY_STRUCT, TY_ENUM, TY_VEC, TY_BOX, TY_OPTION, TY_RESULT, TY_TUPLE,
    TY_ARRAY, TY_REF, TY_VAR, TY_CPTR,
} TyKind;

struct Type {
    TyKind kind;
    Type *elem;       /* Vec/Box/Option/Ref/Array elem; Result ok */
    Type *err;        /* Result err */
    Type **elems;     /* tuple */
    int nelems;
    long n;           /* array length */
    bool mut;         /* &T! */
    StructDef *sd;
    EnumDef *ed;
    Type *bound;      /* TY_VAR: what it unified with */
    int int_var;      /* TY_VAR: 1 = integer literal var, 2 = float var */
};

extern Type *ty_unit, *ty_bool, *ty_i32, *ty_i64, *ty_u8, *ty_usize, *ty_f64, *ty_str,
    *ty_never, *ty_prim[TY_STR + 1];
void types_init(void);
Type *ty_new(TyKind k);
Type *ty_wrap(TyKind k, Type *elem);
Type *ty_result(Type *ok, Type *err);
Type *ty_var(int int_var);
Type *ty_res(Type *t);       /* follow TY_VAR bindings */
Type *ty_zonk(Type *t);      /* resolve all vars deeply; unbound ints -> i32 */
bool ty_unify(Type *a, Type *b);
bool ty_is_int(Type *t);
bool ty_is_signed(Type *t);
bool ty_is_float(Type *t);
bool ty_is_num(Type *t);
bool ty_is_copy(Type *t);    /* copied, never moved */
bool ty_needs_drop(Type *t);
int ty_int_bits(Type *t);
const char *ty_str_of(Type *t); /* Vex spelling for diagnostics */
const char *ty_cname(Type *t);  /* C type name (emit.c defines it) */
const char *ty_mangle(Type *t);

/* ===================================================================== *
 * check.c - name resolution and type checking
 * ===================================================================== */
struct Sym {
    const char *name;
    const char *cname;
    Type *ty;
    bool mut;
    bool is_ref_param;
    Pos pos;
    int id;
};

void check_program(Program *prog);
StructDef *find_struct(const char *name);
EnumDef *find_enum(const char *name);

/* ===================================================================== *
 * own.c - ownership: moves and use-after-move on the checked AST
 * ===================================================================== */
void own_program(Program *prog);

/* ===================================================================== *
 * mir.c - the MIR: per function a CFG of basic blocks over typed locals
 * ===================================================================== */
typedef struct MLocal {
    const char *cname;
    Type *ty;       /* NULL for a drop flag (a C bool) */
} MLocal;

/* A straight-line statement: `place = rvalue`, a call, a drop, a flag
 * update, rendered as one C statement over MIR locals (emit.c renders
 * expressions); it never jumps. */
typedef struct MStmt {
    const char *c;
    Pos pos;
} MStmt;

typedef enum { MT_NONE, MT_GOTO, MT_BRANCH, MT_RETURN, MT_UNREACHABLE } MTermKind;

typedef struct MBlock {
    int id;
    Vec stmts;        /* MStmt* */
    MTermKind term;
    const char *cond; /* MT_BRANCH: C condition */
    int succ[2];      /* MT_GOTO: succ[0]; MT_BRANCH: then, else */
    Pos pos;
    unsigned char *live_in; /* liveness: indexed by local */
} MBlock;

typedef struct MFn {
    Fn *fn;
    Vec locals;       /* MLocal* */
    Vec blocks;       /* MBlock*, entry first */
    MBlock *cur;      /* the block being filled while lowering */
} MFn;

MFn *mir_new_fn(Fn *fn);
int mir_local(MFn *m, const char *cname, Type *ty);
MBlock *mir_block(MFn *m);
void mir_set(MFn *m, MBlock *b);
void mir_stmt(MFn *m, const char *c, Pos pos);
void mir_goto(MFn *m, MBlock *to);
void mir_branch(MFn *m, const char *cond, MBlock *then_b, MBlock *else_b);
void mir_return(MFn *m);
void mir_unreachable(MFn *m);
void mir_liveness(MFn *m);
void mir_dump(MFn *m, FILE *out);
void mir_print_c(MFn *m, Buf *out, const char *signature, const char *ret_ctype);

/* ===================================================================== *
 * emit.c - checked AST to C
 * ===================================================================== */
void emit_program(Program *prog, FILE *out);
/* --dump=mir: lowers every function and prints its MIR. */
void emit_dump_mir(Program *prog, FILE *out);

/* ===================================================================== *
 * main.c - the driver
 * ===================================================================== */
int vexc_check_source(const char *path, const char *src, size_t len);

#endif /* VEXC_H */
