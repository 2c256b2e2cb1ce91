/*
 * os.c - the os module (vexrt.h part 2): program arguments, environment,
 * exit.
 *
 * vx_os_init runs first in the generated main, before any task or thread
 * exists, and records argv; afterwards argv is only read, so os.args needs
 * no lock. It also gives stdout a 64 KiB buffer when stdout is not a
 * terminal (a terminal keeps line buffering, so interactive output shows
 * at once). Everything buffered reaches the fd at exit: exit() flushes
 * stdio, vx_panic flushes stdout before its message, vx_os_exit calls
 * exit().
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "vexrt.h"

static int saved_argc;
static char **saved_argv;

void vx_os_init(int argc, char **argv) {
    saved_argc = argc;
    saved_argv = argv;
    vx__stack_guard_thread();
    if (!isatty(STDOUT_FILENO))
        setvbuf(stdout, NULL, _IOFBF, 1 << 16);
}

vx_vec vx_os_args(void) {
    vx_vec v = VX_VEC_INIT;
    vx_vec_reserve(&v, sizeof(vx_str *), (size_t)saved_argc);
    for (int i = 0; i < saved_argc; i++)
        *(vx_str **)vx_vec_push(&v, sizeof(vx_str *)) = vx_str_from_cstr(saved_argv[i]);
    return v;
}

vx_str *vx_os_env(const vx_str *name) {
    return vx_str_from_cstr(getenv(vx_str_cstr(name)));
}

_Noreturn void vx_os_exit(int code) {
    fflush(stdout);
    exit(code);
}
