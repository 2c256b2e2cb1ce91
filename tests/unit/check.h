/*
 * check.h - the tiny harness of the C unit tests (tests/unit/NAME.c).
 *
 * A test file is a sequence of groups: GROUP("name") ... END(). END prints
 * "PASS unit-<file>-<name>" or "FAIL unit-<file>-<name>: N checks failed"
 * followed by the first failures, the protocol of tests/run-all.sh. A
 * check never stops the group, so one run shows every wrong answer.
 * EXPECT_STR compares a vx_str (released afterwards) with a C string.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "vexrt.h"

#ifndef TEST_FILE
#error "define TEST_FILE before including check.h"
#endif

static const char *group_name;
static int group_fails, total_fails;
static char group_log[4096];

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...) {
    size_t used = strlen(group_log);
    if (group_fails > 8 || used + 2 >= sizeof group_log)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(group_log + used, sizeof group_log - used, fmt, ap);
    va_end(ap);
}

#define GROUP(name) (group_name = (name), group_fails = 0, group_log[0] = '\0')

static void END(void) {
    if (group_fails == 0) {
        printf("PASS unit-%s-%s\n", TEST_FILE, group_name);
    } else {
        printf("FAIL unit-%s-%s: %d checks failed\n%s", TEST_FILE, group_name, group_fails,
               group_log);
        total_fails++;
    }
    fflush(stdout);
}

#define CHECK(c)                                                                \
    do {                                                                        \
        if (!(c)) {                                                             \
            group_fails++;                                                      \
            note("  %s:%d: CHECK(%s)\n", __FILE__, __LINE__, #c);               \
        }                                                                       \
    } while (0)

__attribute__((unused)) static void expect_bytes(const char *file, int line, const char *got, size_t n, const char *want) {
    if (n != strlen(want) || memcmp(got, want, n) != 0) {
        group_fails++;
        note("  %s:%d: got \"%.*s\", want \"%s\"\n", file, line, (int)(n > 300 ? 300 : n), got,
             want);
    }
}

/* Consumes s (a +1 string). */
__attribute__((unused)) static void expect_str(const char *file, int line, vx_str *s, const char *want) {
    expect_bytes(file, line, s->ptr, s->len, want);
    if (s->ptr[s->len] != '\0') {
        group_fails++;
        note("  %s:%d: string not NUL-terminated\n", file, line);
    }
    vx_str_release(s);
}
#define EXPECT_STR(s, want) expect_str(__FILE__, __LINE__, (s), (want))

/* Finish a builder and compare. */
#define EXPECT_FMT(f, want) expect_str(__FILE__, __LINE__, vx_fmt_finish(f), (want))

/* Run fn in a child with stderr captured; expects exit status 101 and
 * stderr containing `want`. */
#include <sys/wait.h>
#include <unistd.h>
__attribute__((unused)) static void expect_panic(const char *file, int line, void (*fn)(void), const char *want) {
    int fds[2];
    if (pipe(fds) != 0)
        return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        fn();
        _Exit(0);
    }
    close(fds[1]);
    char buf[2048];
    size_t n = 0;
    ssize_t k;
    while (n < sizeof buf - 1 && (k = read(fds[0], buf + n, sizeof buf - 1 - n)) > 0)
        n += (size_t)k;
    buf[n] = '\0';
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 101 || !strstr(buf, want)) {
        group_fails++;
        note("  %s:%d: status %d, stderr \"%s\", want \"%s\"\n", file, line,
             WIFEXITED(st) ? WEXITSTATUS(st) : -1, buf, want);
    }
}
#define EXPECT_PANIC(fn, want) expect_panic(__FILE__, __LINE__, (fn), (want))

/* The end of main: every allocation freed, exit status 1 on any failure. */
static int finish(void) {
    GROUP("no-leak");
    CHECK(vx_alloc_live() == 0);
    if (vx_alloc_live() != 0)
        note("  vx_alloc_live() = %ld\n", vx_alloc_live());
    END();
    return total_fails ? 1 : 0;
}

#endif
