/*
 * bbt_hex: bytes to lowercase hex and back, the one copy both programs use
 * (token and session ids, digests, password salts). Pure: no allocation.
 */
#ifndef BBT_HEX_H
#define BBT_HEX_H

#include <stddef.h>

/* Write the 2n lowercase hex digits of b[0..n) and a NUL to out (2n + 1). */
void bbt_hex_encode(const unsigned char *b, size_t n, char *out);
/*
 * Read exactly 2n lowercase hex digits at s into out[0..n): 0, or -1 at
 * the first other character (out then partly written). What follows the
 * digits is the caller's to judge.
 */
int bbt_hex_decode(const char *s, unsigned char *out, size_t n);

#endif
