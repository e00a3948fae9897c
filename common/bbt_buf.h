/*
 * bbt_buf: a growable byte buffer, always NUL-terminated so text can be
 * handed to parsers as a C string. One owner frees it with bbt_buf_free.
 * On a failed append the buffer is unchanged (nothing half-written).
 */
#ifndef BBT_BUF_H
#define BBT_BUF_H

#include <stddef.h>

struct bbt_buf {
	char *p;		/* NULL until the first append */
	size_t len, cap;
};

/* Append n bytes: 0, or -1 when memory runs out. */
int bbt_buf_add(struct bbt_buf *b, const void *data, size_t n);
void bbt_buf_free(struct bbt_buf *b);

#endif
