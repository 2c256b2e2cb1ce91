/*
 * searcher_leak.c - reproduction of finding F5 (bench/NOTES.md): two tasks
 * that each spin until the other has started, on 2 workers. With the
 * searcher leak the second worker is never woken and this never ends.
 *   cc -O2 -std=c11 -D_GNU_SOURCE -pthread -Ilib/vex bench/repro/searcher_leak.c \
 *      lib/vex/libvexrt.a -o /tmp/searcher_leak && timeout 5 /tmp/searcher_leak
 * prints "finished" and exits 0 when the runtime is right (124 = hung).
 */
#include "vexrt.h"
#include <stdio.h>
#include <unistd.h>
static _Atomic int started;
typedef struct { vx_frame base; } sf;
static vx_poll spin_resume(vx_frame *self, vx_task *task) {
    (void)self; (void)task;
    atomic_fetch_add(&started, 1);
    while (atomic_load(&started) < 2) ;
    return VX_READY;
}
typedef struct { vx_frame base; vx_task *a, *b; } mf;
static const vx_loc L = {"spin2", 1, 1};
static vx_poll main_resume(vx_frame *self, vx_task *task) {
    mf *fr = (mf *)self;
    switch (fr->base.state) { case 0: break; case 1: goto a1; case 2: goto a2; }
    usleep(100000); /* let the other worker park */
    fr->a = vx_task_new(sizeof(sf), spin_resume, NULL); vx_spawn(fr->a);
    fr->b = vx_task_new(sizeof(sf), spin_resume, NULL); vx_spawn(fr->b);
    fr->base.state = 1;
    if (vx_join(&fr->base, task, fr->a, &L) == VX_PENDING) return VX_PENDING;
a1: fr->base.state = 2;
    if (vx_join(&fr->base, task, fr->b, &L) == VX_PENDING) return VX_PENDING;
a2: vx_task_release(fr->a); vx_task_release(fr->b);
    return VX_READY;
}
int main(void) {
    vx_start(2);
    usleep(100000);
    vx_task *t = vx_task_new(sizeof(mf), main_resume, NULL);
    vx_block_on(t);
    vx_task_release(t);
    puts("finished");
    return 0;
}
