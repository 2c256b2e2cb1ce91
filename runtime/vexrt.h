/*
 * vexrt.h - libvexrt, the Vex runtime: the contract between the C that the
 * vex compiler generates and the runtime library it links against.
 *
 * Naming: public names are vx_* (this header); runtime-internal names are
 * vx__<subsystem>_*; static helpers inside a runtime file are unprefixed.
 * Recoverable errors are negative errno-style codes (VX_E*); a broken
 * invariant or a Vex-level fault is a panic (vx_panic), never undefined
 * behaviour.
 *
 * The header has three parts:
 *   1. memory and panics      (runtime/alloc.c, runtime/panic.c)
 *   2. language support       strings, vectors, formatting, os: what the
 *                             synchronous language needs
 *   3. tasks and scheduling   tasks, frames, the M:N scheduler, the poller,
 *                             timers, channels, mutexes, block-on
 */
#ifndef VEXRT_H
#define VEXRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ===================================================================== *
 * Part 1. Memory and panics
 * ===================================================================== */

/* A position in a Vex source file; generated code passes a pointer to a
 * static vx_loc wherever a fault or a suspension can happen. */
typedef struct vx_loc {
    const char *file;
    int line, col;
} vx_loc;

/* The one allocation choke point. vx_alloc returns zeroed memory and never
 * returns NULL (out of memory is a panic). vx_free(NULL) does nothing. */
void *vx_alloc(size_t size);
void *vx_realloc(void *p, size_t size);
void vx_free(void *p);
/* Live allocations made through vx_alloc/vx_realloc and not yet freed
 * (tests assert it is back to its starting value at shutdown). */
long vx_alloc_live(void);

/* Print "panic: <message>" and " --> file:line:col" on stderr, then exit
 * with status 101. `where` may be NULL for a fault with no Vex location. */
_Noreturn void vx_panic(const vx_loc *where, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A broken runtime invariant: "fatal: vexrt: <msg>" and abort(). */
_Noreturn void vx__fatal(const char *file, int line, const char *msg);
#define VX_ASSERT(c) ((c) ? (void)0 : vx__fatal(__FILE__, __LINE__, #c))

/* ===================================================================== *
 * Part 2. Language support
 * ===================================================================== */

/* Strings, formatting, vectors and os: what the synchronous language needs.
 * (runtime/str.c, runtime/fmt.c, runtime/vec.c, runtime/os.c) */

/* (end of part 2) */

/* ===================================================================== *
 * Part 3. Tasks and scheduling
 * ===================================================================== */

/* Tasks, frames, the M:N scheduler, the poller, timers, channels, mutexes
 * and block-on: what async fn and go lower to. */

/* (end of part 3) */

#ifdef __cplusplus
}
#endif
#endif /* VEXRT_H */
