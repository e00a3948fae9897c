/*
 * bbt_utf8: the one UTF-8 decoder both programs use (RFC 3629). A valid
 * character is the shortest form of a code point up to U+10FFFF that is
 * not a surrogate (U+D800..U+DFFF): overlong forms, surrogates, values
 * past U+10FFFF, stray continuation bytes and sequences cut short by the
 * end of the input are all invalid. Pure: no state, no allocation.
 */
#ifndef BBT_UTF8_H
#define BBT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Length (1..4) of the valid character at p, which has `left` bytes
 * (left >= 1), with its code point in *cp (may be NULL); 0 when the bytes
 * there are not one character. A NUL byte is U+0000, a character of length 1.
 */
size_t bbt_utf8_char(const unsigned char *p, size_t left, uint32_t *cp);

/* 1 when all len bytes at s are valid UTF-8, else 0; with allow_nul 0 a
 * NUL byte anywhere makes it invalid too (text bound for a C string). */
int bbt_utf8_valid(const void *s, size_t len, int allow_nul);

#endif
