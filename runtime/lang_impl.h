/*
 * lang_impl.h - runtime-internal helpers shared by the language-support
 * files (str.c, fmt.c, vec.c, os.c); not part of the public contract.
 */
#ifndef VX_LANG_IMPL_H
#define VX_LANG_IMPL_H

#include "vexrt.h"

/* Encode code point cp as UTF-8 into buf (room for 4 bytes); surrogates
 * and values past U+10FFFF become U+FFFD. Returns the byte count. */
size_t vx__utf8_encode(char *buf, uint32_t cp);

#endif
