/*
 * own.c - ownership: moves and use-after-move, on the checked AST.
 */
#include "vexc.h"

void own_program(Program *prog) { (void)prog; }
