/* tests/cli fixture: C side of ffi.vx. CLI_TAG lets the suite change this
 * file to prove that the run cache notices a changed .c file. */
#include <stdint.h>

#ifndef CLI_TAG
#define CLI_TAG 1
#endif

int32_t cli_mix(int32_t a, int32_t b) { return a * 10 + b; }

int64_t cli_tag(void) { return CLI_TAG; }
