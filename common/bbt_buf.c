/*
 * bbt_buf: see bbt_buf.h. Capacity doubles from 4 KiB, so n appends cost
 * O(total bytes); the +1 keeps room for the terminating NUL.
 */
#include <stdlib.h>
#include <string.h>

#include "bbt_buf.h"

int bbt_buf_add(struct bbt_buf *b, const void *data, size_t n)
{
	if (n > (size_t)-1 / 2 - b->len)
		return -1;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (p == NULL)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

void bbt_buf_free(struct bbt_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
