/*
 * bbt_buf: see bbt_buf.h. Capacity doubles, so n appends cost O(total
 * bytes), and a bounded buffer never holds more than max + 1 bytes (the
 * +1 keeps room for the NUL). The first capacity is 4 KiB; 16 KiB for a
 * bounded one (a request body, where a smaller first step would mean
 * more reallocs per upload), or max + 1 when that is less: a body at its
 * limit then takes exactly max + 1 of the collector's body budget.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbt_buf.h"

#define BUF_FIRST 4096
#define BUF_FIRST_BOUNDED 16384

size_t bbt_buf_need(const struct bbt_buf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : b->max ? BUF_FIRST_BOUNDED : BUF_FIRST;

	if (n > (size_t)-1 / 2 - b->len || (b->max && n > b->max - b->len))
		return 0;
	if (b->len + n + 1 <= b->cap)
		return b->cap;
	while (cap < b->len + n + 1)
		cap *= 2;
	if (b->max && cap > b->max + 1)
		cap = b->max + 1;
	return cap;
}

/* Room for n more bytes and the NUL: 0, or -1 with errno set. */
static int reserve(struct bbt_buf *b, size_t n)
{
	size_t cap = bbt_buf_need(b, n);
	char *p;

	if (cap == 0) {
		errno = b->max && n <= (size_t)-1 / 2 - b->len ? E2BIG : ENOMEM;
		return -1;
	}
	if (cap == b->cap)
		return 0;
	p = realloc(b->p, cap);
	if (p == NULL) {
		errno = ENOMEM;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

int bbt_buf_add(struct bbt_buf *b, const void *data, size_t n)
{
	if (reserve(b, n) < 0)
		return -1;
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* The text is measured first, so a failed append leaves nothing behind. */
int bbt_buf_vprintf(struct bbt_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0) {
		errno = EINVAL;
		return -1;
	}
	if (reserve(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int bbt_buf_printf(struct bbt_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = bbt_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void bbt_buf_free(struct bbt_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
