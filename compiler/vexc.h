/*
 * vexc.h - the one header of the vex compiler. Every type and prototype
 * shared between compiler stages is here, under a banner naming the file
 * that defines it; everything else in a .c file is static.
 *
 * The pipeline (main.c: compile()):
 *   tokenize -> parse -> check (resolve + types) -> own (what may move)
 *     -> lower to MIR (lower.c, mir.c) -> borrowck (moves, loans on the MIR)
 *     -> emit C (emit.c) -> cc
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
/* A span shown with a label in the next error's snippet (rustc's `-`), and
 * the label of the error's own span (`^`). */
void diag_label(Pos pos, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_primary(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void diag_set_quiet(bool quiet);
void diag_reset(void);
void diag_set_json(bool on);
/* Errors on the line of the last error are counted but not printed. */
void diag_mute_line(void);
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
    N_AWAIT,   /* await a */
    N_GO,      /* go a (a call) | go b (a block) */
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
    /* one meaning each */
    bool tuple_field; /* N_FIELD: `t.0` (index is the element number) */
    bool inclusive;   /* N_RANGE, P_RANGE: `..=` */
    bool paren_args;  /* P_VARIANT: written with `(...)` */
    bool semicolon;   /* N_EXPRSTMT: ended by `;` */
    bool fmt_string;  /* N_INTRINSIC: the first argument is a format string */
    bool bare;        /* N_INTRINSIC: a bare `$Name`, not a call */
    bool negated;     /* N_INT: the operand of a unary minus (-128i8 is in range) */
    bool diverges;    /* N_BLOCK: never reaches its end */
    bool has_break;   /* N_LOOP: a `break` leaves it (else its type is `!`) */
    bool is_array;    /* N_VECLIT: an array literal `[T; N]` */
    bool visiting;    /* N_CONST: being checked (a cycle if met again) */
    int await_kind;   /* N_AWAIT: 0 an async fn, 1 a Task, 2 time.sleep, 3 Box.new(f(x)),
                         4 an async std operation (a row of builtins.c: net, http) */
    /* resolution (check.c) */
    ResKind res;
    Sym *sym;
    Fn *fn;
    int index;       /* field / variant number; a method call's receiver derefs */
    Type *aux;       /* e.g. the enum type of a variant, the From target */
    Fn *from_fn;     /* ? conversion */
    Fn *go_fn;       /* N_GO of a block: the async fn made of the block */
    int autoref;     /* method receiver adjustment: 0 none, 1 &, 2 deref */
    int builtin;     /* R_BUILTIN_METHOD and std statics: the row of builtins[] */
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
    bool suspends;        /* async and may suspend (lower.c): else emitted as a plain C function */
    bool blocking;        /* sync, and runs an async fn to completion (check.c) */
    Vec captures;         /* a `go { }` block's fn: the captured Sym*, in parameter order */
    struct MFn *mir;      /* its MIR (lower.c) */
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
    TY_TASK,    /* Task<T>: a spawned task's handle (owned, moved) */
    TY_CHAN,    /* Channel<T>: a shared handle (copying shares; reference counted) */
    TY_MUTEX,   /* Mutex<T>: a shared handle to an async mutex and its value */
    TY_GUARD,   /* the guard m.lock() gives: `*g` is the value; dropping it unlocks */
    TY_HANDLE,  /* a std resource (TcpListener, TcpStream, HttpConn): owned, moved, closed when dropped */
} TyKind;

/* The std resource types (TY_HANDLE): a pointer to a libvexrt object that
 * one value owns; dropping the value closes it (type.c: handles[]). Users
 * cannot clone one (E0302); the copies lowering makes of a matched
 * payload count as owners (the object closes with the last). */
typedef enum { H_TCP_LISTENER, H_TCP_STREAM, H_HTTP_CONN, H_COUNT } HandleKind;
typedef struct HandleDef {
    const char *name;  /* the Vex type name */
    const char *cname; /* its C type */
    const char *drop;  /* C function closing it: takes a pointer to the value (prelude.h) */
    const char *clone; /* one more owner (a copy lowering makes out of a matched value) */
} HandleDef;
extern const HandleDef handles[H_COUNT];
int handle_find(const char *name); /* the HandleKind named name, or -1 */

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
    int handle;       /* TY_HANDLE: its HandleKind */
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

/* A placeholder's format spec, Rust's: {:[[fill]align][sign][#][0][width]
 * [.precision][type]} (check.c). */
typedef struct FmtSpec {
    uint32_t fill;    /* a code point; ' ' by default */
    char align;       /* '<', '^', '>', or 0 (numbers right, the rest left) */
    char type;        /* 0, '?', 'x', 'X', 'o', 'b' */
    bool plus, alt, zero;
    int width, prec;  /* -1: none */
} FmtSpec;
/* Parses spec ("" or ":..."); NULL if it is well formed, else what is wrong. */
const char *fmt_spec_parse(const char *spec, FmtSpec *sp);
/* The C that formats a value with spec: fmt_spec_mode is the mode of the
 * Display/Debug/precision formatting (-1, -2, N), and fmt_spec_apply, if
 * the spec needs more, the statement that applies the rest to what was
 * formatted since `size_t fs_` (runtime/fmt.c: vx_fmt_apply); else NULL. */
int fmt_spec_mode(const char *spec);
const char *fmt_spec_apply(const char *spec, Type *t);
bool ty_is_copy(Type *t);
bool ty_holds_ref(Type *t);  /* a reference, or a tuple/Option/Result/array holding one */    /* copied, never moved */
bool ty_needs_drop(Type *t);  /* owns memory: a string, Vec, Box, or holds one */
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
    int local;       /* lower.c: its MIR local in the function being lowered */
};

void check_program(Program *prog);
StructDef *find_struct(const char *name);
EnumDef *find_enum(const char *name);

/* ===================================================================== *
 * own.c - what may be moved: not out of an index or a reference (E0400)
 * ===================================================================== */
void own_program(Program *prog);

/* ===================================================================== *
 * mir.c - the MIR: per function, typed locals and a CFG of basic blocks
 * (rustc's MIR). lower.c builds it from the checked AST; emit.c prints it
 * as C. The grammar is in docs/design/compiler.md.
 * ===================================================================== */
typedef enum {
    LK_RET,   /* _0: the return slot */
    LK_PARAM, /* a parameter (self included) */
    LK_USER,  /* a `let`, pattern or loop binding */
    LK_TEMP,  /* a temporary made by lowering */
    LK_FLAG,  /* a drop flag (bool): the value of `of` is initialised */
} LocalKind;

typedef struct MLocal {
    LocalKind kind;
    Type *ty;
    const char *name; /* user name, or NULL */
    Pos pos;          /* where it is declared */
    int of;           /* LK_FLAG: the local it guards */
    int flag;         /* the drop flag guarding it, or -1 */
} MLocal;

/* A projection step: `*p`, `p.f`, `p[i]`, `(p as Variant).f`. ty is the
 * type of the place after the step. */
typedef enum { PJ_DEREF, PJ_FIELD, PJ_INDEX, PJ_VARIANT } ProjKind;
typedef struct Proj {
    ProjKind kind;
    int field;   /* PJ_FIELD: field/element number; PJ_VARIANT: payload field */
    int variant; /* PJ_VARIANT */
    int index;   /* PJ_INDEX: the local holding the index */
    Pos pos;     /* PJ_INDEX: where a bounds failure points */
    Type *ty;
} Proj;

typedef struct Place {
    int local;
    int nproj;
    Proj *proj;
} Place;

typedef enum { OP_COPY, OP_MOVE, OP_CONST } OperandKind;
typedef enum { C_INT, C_FLOAT, C_BOOL, C_UNIT, C_STR, C_NONE_VARIANT, C_ZERO } ConstKind;
typedef struct Operand {
    OperandKind kind;
    Place place;     /* OP_COPY, OP_MOVE */
    ConstKind ck;    /* OP_CONST */
    Type *ty;        /* OP_CONST: its type */
    uint64_t ival;   /* C_INT, C_BOOL; C_NONE_VARIANT: the variant */
    double fval;
    const char *sval; /* C_STR */
    int slen;
} Operand;

typedef enum {
    RV_USE,       /* a */
    RV_REF,       /* &place, &place! */
    RV_BINARY,    /* checked a op b */
    RV_UNARY,     /* checked op a */
    RV_CAST,      /* a as ty */
    RV_AGGREGATE, /* tuple, struct, array, Vec, variant, Some/Ok/Err */
    RV_CALL,      /* a Vex function (or extern, const) */
    RV_BUILTIN,   /* a built-in operation: a row of builtins.c */
    RV_FORMAT,    /* formatting: literal pieces and formatted operands */
    RV_DISCR,     /* the variant number of an enum/Option/Result place */
    RV_CLONE,     /* a deep copy of a place (a string: one more reference) */
    RV_SPAWN,     /* go f(args): a new task running async fn f, its Task handle */
} RvalueKind;

typedef enum { AG_TUPLE, AG_STRUCT, AG_ARRAY, AG_VEC, AG_VARIANT } AggKind;
typedef enum { FM_STRING, FM_PRINT, FM_EPRINT, FM_PRINTLN, FM_EPRINTLN, FM_PANIC } FormatKind;

/* A piece of a format: literal text, or an operand with its spec. */
typedef struct FmtPiece {
    const char *lit; /* literal text, or NULL */
    int litlen;
    int arg;         /* the operand index */
    int mode;        /* FMT_DISPLAY, FMT_DEBUG, or a precision >= 0 */
    const char *spec; /* the placeholder's spec (":>8"), for width, sign, base */
} FmtPiece;
enum { FMT_DISPLAY = -1, FMT_DEBUG = -2 };

typedef struct Rvalue {
    RvalueKind kind;
    Type *ty;          /* the result type */
    const char *op;    /* RV_BINARY, RV_UNARY */
    bool mut;          /* RV_REF */
    bool owned;        /* RV_BUILTIN: the receiver is a temporary it consumes;
                          RV_CLONE: the source moves the place (borrowck.c) */
    Place place;       /* RV_REF, RV_DISCR, RV_CLONE */
    AggKind agg;       /* RV_AGGREGATE */
    int variant;       /* RV_AGGREGATE AG_VARIANT */
    Fn *fn;            /* RV_CALL, RV_SPAWN */
    int builtin;       /* RV_BUILTIN: the row */
    Operand *args;     /* operands, left to right */
    int nargs;
    FmtPiece *pieces;  /* RV_FORMAT */
    int npieces;
    FormatKind fmt;    /* RV_FORMAT */
} Rvalue;

typedef enum { MS_ASSIGN, MS_DROP, MS_EVAL } MStmtKind;
typedef struct MStmt {
    MStmtKind kind;
    Place place;  /* MS_ASSIGN: the destination; MS_DROP: what is dropped */
    Rvalue rv;    /* MS_ASSIGN, MS_EVAL */
    int flag;     /* MS_DROP: the drop flag tested first, or -1 */
    Pos pos;
} MStmt;

typedef enum { MT_NONE, MT_GOTO, MT_BRANCH, MT_SWITCH, MT_RETURN, MT_UNREACHABLE, MT_SUSPEND } MTermKind;

/* A suspension point (async fns only): the operation, its operands, where
 * its result goes, and the block that continues once it has completed. */
typedef enum {
    SK_AWAIT,    /* await f(args): f's frame embedded in ours */
    SK_BOXED,    /* await Box.new(f(args)): f's frame on the heap */
    SK_JOIN,     /* await t: t is a Task */
    SK_SLEEP,    /* await time.sleep(ms) */
    SK_SEND,     /* ch.send(v), ch <- v */
    SK_RECV,     /* ch.recv(), <-ch */
    SK_RECV_OPT, /* ch.recv_opt(), `for v in ch` */
    SK_LOCK,     /* m.lock() */
    SK_IO,       /* an async std operation (net, http): a row of builtins.c with an op frame */
} SuspendKind;

typedef struct MSuspend {
    SuspendKind kind;
    Fn *fn;          /* SK_AWAIT, SK_BOXED */
    Operand *args;   /* SK_AWAIT/BOXED: the callee's; JOIN: the task; SLEEP: ms; SEND: ch, v; RECV: ch */
    int nargs;
    int dest;        /* the local receiving the result, or -1 */
    int index;       /* 1, 2, ...: the state number of this point */
    int builtin;     /* SK_IO: the row of builtins[]; args are its (receiver first) */
    Pos pos;
} MSuspend;

typedef struct MBlock {
    int id;
    Vec stmts;        /* MStmt* */
    MTermKind term;
    Operand cond;     /* MT_BRANCH: a bool; MT_SWITCH: an integer */
    int succ[2];      /* MT_GOTO: succ[0]; MT_BRANCH: then, else; MT_SWITCH: succ[0] otherwise */
    int64_t *values;  /* MT_SWITCH: case values */
    int *targets;     /* MT_SWITCH: case targets */
    int ncases;
    MSuspend *susp;   /* MT_SUSPEND: the operation; succ[0] is where it continues */
    Pos pos;
    uint64_t *live_in; /* liveness: a bitset over locals (mir_liveness) */
} MBlock;

typedef struct MFn {
    Fn *fn;
    const char *name; /* Vex name (owner.name) */
    Vec locals;       /* MLocal*: _0 is the return slot, then parameters */
    int nparams;
    Vec blocks;       /* MBlock*, entry first */
    MBlock *cur;      /* the block being filled while lowering */
    int nwords;       /* bitset words per local set */
    Vec susps;        /* MSuspend*: every suspension point, by state number - 1 */
    uint64_t *in_frame; /* async.c: the locals kept in the frame (live across a suspension) */
    int *share;         /* async.c: a frame local's shared-storage group, or -1 for a field of its own */
} MFn;

typedef struct MProgram {
    Vec fns;          /* MFn*: every function with a body, in program order */
    Vec consts;       /* MFn*: one per constant (a function of no arguments) */
} MProgram;

MFn *mir_new_fn(Fn *fn, const char *name);
int mir_local(MFn *m, LocalKind kind, Type *ty, const char *name, Pos pos);
MBlock *mir_block(MFn *m);
void mir_set(MFn *m, MBlock *b);
MStmt *mir_stmt(MFn *m, MStmtKind kind, Pos pos);
void mir_goto(MFn *m, MBlock *to);
void mir_branch(MFn *m, Operand cond, MBlock *then_b, MBlock *else_b);
void mir_switch(MFn *m, Operand discr, int n, const int64_t *values, MBlock **targets, MBlock *otherwise);
void mir_return(MFn *m);
void mir_unreachable(MFn *m);
/* Ends the current block at a suspension point; returns it to be filled. */
MSuspend *mir_suspend(MFn *m, SuspendKind kind, MBlock *resume, Pos pos);
/* The operation's name: await, join, recv, ..., or an std op's (net.connect). */
const char *mir_suspend_name(MSuspend *sp);
int mir_succs(MBlock *b, int *out); /* the successors; returns how many (out may be NULL) */
Place mir_place(int local);
Place mir_project(Place base, Proj p);
Operand mir_copy(Place p);
Operand mir_move(Place p);
/* Analyses. Liveness is a backward dataflow to a fixed point over bitsets;
 * a local whose address is taken stays live while any reference derived
 * from it may be used (the borrowed-locals analysis). */
void mir_liveness(MFn *m);
/* Drop elaboration: removes each `drop(x) if f` whose flag is false on
 * every path reaching it (maybe-initialised dataflow over the flags), so
 * a value that was moved away keeps no slot and no drop. */
void mir_elide_drops(MFn *m);
bool mir_live(MFn *m, uint64_t *set, int local);
/* For each local, the set of locals it may hold a reference into. */
uint64_t **mir_borrows(MFn *m);
void mir_dump(MFn *m, FILE *out);

/* ===================================================================== *
 * builtins.c - the one table of built-in methods
 * ===================================================================== */
typedef struct Builtin {
    const char *name;
    TyKind recv;       /* receiver kind (TY_VEC, TY_STR, TY_OPTION, ...); TY_UNIT: any */
    const char *params; /* one letter a parameter: see builtins.c */
    char result;        /* one letter: the result type */
    bool mutates;       /* needs a mutable receiver */
    bool consumes;      /* takes the receiver by value (when it is a temporary) */
    const char *c;      /* the C template: see builtins.c; an async op's start call */
    /* an async std operation (await net.connect(a), s.read(n)): a suspension
     * point whose op frame, of C type `slot`, lives in the caller's frame */
    const char *slot;   /* the op's C type, or NULL: not async */
    const char *finish; /* C: the result, once the op completed (it releases the op) */
    const char *drop;   /* C: the teardown of an op in flight */
} Builtin;
/* Is row i an async std operation (a suspension point)? */
#define BUILTIN_ASYNC(i) ((i) >= 0 && builtins[i].slot != NULL)
extern const Builtin builtins[];
/* The row for `name` on a receiver of type t, or -1. */
int builtin_find(Type *t, const char *name);
/* The type of result/parameter letter `c` for receiver type t, elem-aware. */
Type *builtin_type(char c, Type *recv);
Type *handle_type(int h); /* the TY_HANDLE type of HandleKind h */
/* check.c registers the std's types (compiler/std/net.vx) the rows name. */
void builtin_std_type(const char *name, Type *t);

/* ===================================================================== *
 * async.c - the async analyses on the whole program's MIR
 * ===================================================================== */
/* Which async fns suspend (a fixed point over the async call graph), the
 * frame of each (the locals live across a suspension), and unboxed async
 * recursion (E0603). */
void async_analyse(MProgram *mp);
/* `vex frames`: each async fn's frame, states and saved values. */
void async_frames_report(MProgram *mp, FILE *out);
/* Whether m's frame holds a waiter (channel, lock) and a timer (sleep). */
void async_frame_needs(MFn *m, bool *waits, bool *sleeps);
/* The bytes of a frame slot of type t (for the report). */
int ty_size_guess(Type *t);

/* ===================================================================== *
 * lower.c - checked AST to MIR
 * ===================================================================== */
MProgram *lower_program(Program *prog);

/* ===================================================================== *
 * borrowck.c - moves and borrows checked on the MIR (E0400-E0403)
 * ===================================================================== */
void borrowck_program(MProgram *mp);

/* ===================================================================== *
 * emit.c - checked AST to C
 * ===================================================================== */
void emit_program(Program *prog, MProgram *mir, FILE *out);

/* ===================================================================== *
 * explain.c - `vex explain CODE`: a long explanation of each error code
 * ===================================================================== */
/* Prints the explanation of code (E0400, e0400 or 0400) on stdout and
 * returns 0; for NULL or an unknown code, lists the codes on stderr and
 * returns 2. */
int explain_code(const char *code);

/* ===================================================================== *
 * stdlib.c - the std modules written in Vex (net, http)
 * ===================================================================== */
extern const char std_net_path[], std_net_src[];
/* Does this source name the modules or their types (then main.c parses
 * std_net_src with the program, and links libcurl and libhttp_parser)? */
bool std_wanted(const char *text, size_t len);

/* ===================================================================== *
 * main.c - the driver
 * ===================================================================== */
int vexc_check_source(const char *path, const char *src, size_t len);

#endif /* VEXC_H */
