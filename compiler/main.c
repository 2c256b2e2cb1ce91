/*
 * main.c - the vex command line.
 */
#include <stdio.h>
#include <string.h>

#include "vexc.h"

static void usage(FILE *f) {
    fputs("usage: vex <command> [args]\n"
          "commands:\n"
          "  help        this text\n"
          "  --version   print the version\n",
          f);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("vex %s\n", VEX_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "vex: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
