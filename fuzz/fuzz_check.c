/*
 * fuzz_check.c - the libFuzzer target: one input is one Vex source file.
 * The invariant under test: whatever the bytes, the front end returns
 * "ok" or "diagnostic" - it never crashes, hangs, trips a sanitizer, leaks,
 * or reports an internal compiler error (compiler_bug() aborts).
 *
 * By default an input goes through exactly what `vex check` runs
 * (tokenize, parse, check, own: compile() in main.c with no C output).
 * With FUZZ_EMIT=1 in the environment it goes through vexc_check_source()
 * instead, which also runs the C emitter into /dev/null (and silences
 * diagnostics). Otherwise diagnostics are rendered to stderr, so diag.c is
 * fuzzed too: run.sh passes -close_fd_mask=2, which discards the target's
 * stderr but keeps libFuzzer's and the sanitizers' reports.
 * With FUZZ_EXPECT_OK=1 an input must also be accepted (no diagnostic):
 * run.sh sets it for the large valid programs of fuzz/gen-large.sh, so a
 * limit error on one of them is a finding too.
 * Built and run by fuzz/fuzz.mk and fuzz/run.sh; see fuzz/README.md.
 */
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vexc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* `vex check` on one in-memory file; 0 = ok, 1 = a diagnostic. */
static int check_source(const char *src, size_t len) {
    jmp_buf jb;
    volatile int r = 0;
    Program prog = {0};
    SrcFile f = {.path = "fuzz.vx", .text = src, .len = len};
    /* the std modules net and http, parsed with the program as main.c does */
    SrcFile std = {.path = std_net_path, .text = std_net_src, .len = strlen(std_net_src)};
    arena_reset();
    diag_set_quiet(false);
    diag_jmp = &jb;
    if (setjmp(jb)) {
        r = 1;
    } else {
        diag_reset();
        types_init();
        parse_file(&prog, &f);
        if (std_wanted(src, len))
            parse_file(&prog, &std);
        check_program(&prog);
        own_program(&prog);
        r = diag_error_count() > 0;
    }
    diag_jmp = NULL;
    arena_reset();
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int emit = -1, expect_ok;
    if (emit < 0) {
        const char *e = getenv("FUZZ_EMIT");
        emit = e && *e == '1';
        e = getenv("FUZZ_EXPECT_OK");
        expect_ok = e && *e == '1';
    }
    /* A private copy ending in NUL, as read_file() gives the compiler. */
    char *src = malloc(size + 1);
    if (!src)
        return 0;
    memcpy(src, data, size);
    src[size] = 0;
    int r = emit ? vexc_check_source("fuzz.vx", src, size) : check_source(src, size);
    if ((r != 0 && r != 1) || (expect_ok && r != 0))
        abort();
    free(src);
    return 0;
}
