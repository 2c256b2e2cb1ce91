/*
 * vexc.h - the one header of the vex compiler. Every type and prototype
 * shared between compiler stages is here, under a banner naming the file
 * that defines it; everything else in a .c file is static.
 */
#ifndef VEXC_H
#define VEXC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VEX_VERSION "0.1.0"

#endif /* VEXC_H */
