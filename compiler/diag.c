/*
 * diag.c - the one family of diagnostics, in rustc's shape:
 *
 *   error[E0300]: mismatched types
 *    --> file.vx:3:14
 *     |
 *   3 |     let x: i32 = "hi"
 *     |                  ^^^^ expected `i32`, found `string`
 *     = help: ...
 *
 * Key invariant: error_at() never returns. It prints the diagnostic and
 * longjmps to the innermost recovery point (diag_jmp): the driver's, so a
 * stage can stop at an error without threading error values around, or
 * the checker's per statement and per function, which abandon just that
 * statement and go on (check.c), so independent errors are all reported.
 * Colour only on a terminal.
 * Compiler bugs go through unreachable(), which names the C file and line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vexc.h"

void *diag_jmp;
static int nerrors;
static bool quiet;
static struct {
    char msg[256];
    Pos pos;
} notes[8];
static int nnotes;
/* Labels: spans shown in the error's own snippet, rustc's `-` under the
 * secondary ones and `^` under the primary one (labels[0] when set). */
static struct {
    char msg[256];
    Pos pos;
} labels[8];
static int nlabels;
static char primary[256];
static char help[512];
static bool json; /* --error-format=json: one JSON object per diagnostic */

void diag_set_json(bool on) { json = on; }

/* A parser that goes on after a syntax error reports at most one error per
 * line: the rest of the line is usually the same mistake seen again. */
static SrcFile *muted_file, *last_file;
static int muted_line, last_line;
void diag_mute_line(void) {
    muted_file = last_file;
    muted_line = last_line;
}

void diag_set_quiet(bool q) { quiet = q; }
void diag_reset(void) {
    nerrors = 0;
    muted_file = NULL;
}
int diag_error_count(void) { return nerrors; }

static void source_line(Pos pos, const char *label, bool color) {
    if (!pos.file || pos.line <= 0)
        return;
    const char *t = pos.file->text, *end = t + pos.file->len;
    int line = 1;
    const char *p = t;
    while (p < end && line < pos.line) {
        if (*p == '\n')
            line++;
        p++;
    }
    const char *e = p;
    while (e < end && *e != '\n' && *e != '\r')
        e++;
    int w = snprintf(NULL, 0, "%d", pos.line);
    fprintf(stderr, "%*s |\n%d | %.*s\n%*s | ", w, "", pos.line, (int)(e - p), p, w, "");
    for (int i = 1; i < pos.col; i++)
        fputc(p + i - 1 < e && p[i - 1] == '\t' ? '\t' : ' ', stderr);
    int n = pos.len > 0 ? pos.len : 1;
    if (pos.col - 1 + n > (int)(e - p) + 1)
        n = (int)(e - p) - (pos.col - 1) + 1;
    if (n < 1)
        n = 1;
    if (color)
        fputs("\033[1;31m", stderr);
    for (int i = 0; i < n; i++)
        fputc('^', stderr);
    if (label && *label)
        fprintf(stderr, " %s", label);
    if (color)
        fputs("\033[0m", stderr);
    fputc('\n', stderr);
}

void diag_note(Pos pos, const char *fmt, ...) {
    if (nnotes >= 8)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(notes[nnotes].msg, sizeof notes[nnotes].msg, fmt, ap);
    va_end(ap);
    notes[nnotes].pos = pos;
    nnotes++;
}

void diag_label(Pos pos, const char *fmt, ...) {
    if (nlabels >= 8 || !pos.file)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(labels[nlabels].msg, sizeof labels[nlabels].msg, fmt, ap);
    va_end(ap);
    labels[nlabels].pos = pos;
    nlabels++;
}

void diag_primary(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(primary, sizeof primary, fmt, ap);
    va_end(ap);
}

/* The snippet of an error with labels: each line once, in order, with the
 * markers of the spans on it. */
static void labelled_snippet(Pos pos, bool color) {
    struct {
        Pos pos;
        const char *msg;
        bool main;
    } all[9];
    int n = 0;
    all[n].pos = pos;
    all[n].msg = primary;
    all[n++].main = true;
    for (int i = 0; i < nlabels; i++) {
        if (labels[i].pos.file != pos.file)
            continue;
        all[n].pos = labels[i].pos;
        all[n].msg = labels[i].msg;
        all[n++].main = false;
    }
    for (int i = 1; i < n; i++) /* by line, then column: an insertion sort */
        for (int j = i; j > 0 && (all[j].pos.line < all[j - 1].pos.line ||
                                  (all[j].pos.line == all[j - 1].pos.line && all[j].pos.col < all[j - 1].pos.col));
             j--) {
            __typeof__(all[0]) t = all[j];
            all[j] = all[j - 1];
            all[j - 1] = t;
        }
    int w = snprintf(NULL, 0, "%d", all[n - 1].pos.line);
    fprintf(stderr, "%*s |\n", w, "");
    for (int i = 0; i < n; i++) {
        Pos p = all[i].pos;
        const char *t = p.file->text, *end = t + p.file->len, *q = t;
        for (int line = 1; q < end && line < p.line; q++)
            if (*q == '\n')
                line++;
        const char *e = q;
        while (e < end && *e != '\n' && *e != '\r')
            e++;
        if (i == 0 || all[i - 1].pos.line != p.line)
            fprintf(stderr, "%*d | %.*s\n", w, p.line, (int)(e - q), q);
        fprintf(stderr, "%*s | ", w, "");
        for (int c = 1; c < p.col; c++)
            fputc(q + c - 1 < e && q[c - 1] == '\t' ? '\t' : ' ', stderr);
        int len = p.len > 0 ? p.len : 1;
        if (p.col - 1 + len > (int)(e - q) + 1)
            len = (int)(e - q) - (p.col - 1) + 1;
        if (len < 1)
            len = 1;
        if (color && all[i].main)
            fputs("\033[1;31m", stderr);
        else if (color)
            fputs("\033[1;34m", stderr);
        for (int c = 0; c < len; c++)
            fputc(all[i].main ? '^' : '-', stderr);
        if (all[i].msg[0])
            fprintf(stderr, " %s", all[i].msg);
        if (color)
            fputs("\033[0m", stderr);
        fputc('\n', stderr);
    }
}

void diag_help(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(help, sizeof help, fmt, ap);
    va_end(ap);
}

static void json_str(const char *s) {
    fputc('"', stderr);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(stderr, "\\%c", c);
        else if (c < 32)
            fprintf(stderr, "\\u%04x", c);
        else
            fputc(c, stderr);
    }
    fputc('"', stderr);
}

static void json_pos(Pos pos) {
    fputs("\"file\":", stderr);
    json_str(pos.file ? pos.file->path : "<input>");
    fprintf(stderr, ",\"line\":%d,\"col\":%d", pos.line, pos.col);
}

static void print_json(Pos pos, const char *code, const char *msg) {
    fputs("{\"level\":\"error\",\"code\":", stderr);
    json_str(code);
    fputs(",\"message\":", stderr);
    json_str(msg);
    fputc(',', stderr);
    json_pos(pos);
    fputs(",\"notes\":[", stderr);
    for (int i = 0; i < nnotes; i++) {
        fputs(i ? ",{\"message\":" : "{\"message\":", stderr);
        json_str(notes[i].msg);
        fputc(',', stderr);
        json_pos(notes[i].pos);
        fputc('}', stderr);
    }
    for (int i = 0; i < nlabels; i++) {
        fputs(i || nnotes ? ",{\"message\":" : "{\"message\":", stderr);
        json_str(labels[i].msg);
        fputc(',', stderr);
        json_pos(labels[i].pos);
        fputc('}', stderr);
    }
    fputs("],\"help\":", stderr);
    json_str(help);
    fputs("}\n", stderr);
}

_Noreturn void error_at(Pos pos, const char *code, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    nerrors++;
    last_file = pos.file;
    last_line = pos.line;
    bool mute = quiet || (pos.file && pos.file == muted_file && pos.line == muted_line);
    if (!mute && json) {
        print_json(pos, code, msg);
    } else if (!mute) {
        const char *nc = getenv("NO_COLOR");
        bool color = isatty(2) && !(nc && *nc);
        if (color)
            fprintf(stderr, "\033[1;31merror[%s]\033[0;1m: %s\033[0m\n", code, msg);
        else
            fprintf(stderr, "error[%s]: %s\n", code, msg);
        fprintf(stderr, " --> %s:%d:%d\n", pos.file ? pos.file->path : "<input>", pos.line, pos.col);
        if (nlabels)
            labelled_snippet(pos, color);
        else
            source_line(pos, primary, color);
        for (int i = 0; i < nlabels; i++) /* a label in another file */
            if (labels[i].pos.file != pos.file)
                fprintf(stderr, "note: %s\n  --> %s:%d:%d\n", labels[i].msg, labels[i].pos.file->path,
                        labels[i].pos.line, labels[i].pos.col);
        for (int i = 0; i < nnotes; i++)
            fprintf(stderr, "note: %s\n  --> %s:%d:%d\n", notes[i].msg,
                    notes[i].pos.file ? notes[i].pos.file->path : "?", notes[i].pos.line, notes[i].pos.col);
        if (help[0])
            fprintf(stderr, "  = help: %s\n", help);
    }
    nnotes = 0;
    nlabels = 0;
    primary[0] = 0;
    help[0] = 0;
    if (diag_jmp)
        longjmp(*(jmp_buf *)diag_jmp, 1);
    exit(1);
}

_Noreturn void compiler_bug(const char *file, int line) {
    fprintf(stderr, "vex: internal compiler error at %s:%d\n", file, line);
    abort();
}

/* Levenshtein distance, for "did you mean". */
static int edit_distance(const char *a, const char *b) {
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    int d[41][41];
    for (int i = 0; i <= la; i++)
        d[i][0] = i;
    for (int j = 0; j <= lb; j++)
        d[0][j] = j;
    for (int i = 1; i <= la; i++)
        for (int j = 1; j <= lb; j++) {
            int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c)
                c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c)
                c = d[i][j - 1] + 1;
            d[i][j] = c;
        }
    return d[la][lb];
}

const char *did_you_mean(const char *name, const char **cands, int n) {
    const char *best = NULL;
    int bd = 99;
    for (int i = 0; i < n; i++) {
        if (!cands[i] || !strcmp(cands[i], name))
            continue;
        int d = edit_distance(name, cands[i]);
        if (d < bd) {
            bd = d;
            best = cands[i];
        }
    }
    int len = (int)strlen(name), lim = len / 3 + 1;
    return bd <= lim && bd < len ? best : NULL; /* `y` is not a typo of `x` */
}
