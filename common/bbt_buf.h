/*
 * bbt_buf: a growable byte buffer, always NUL-terminated so text can be
 * handed to parsers as a C string. One owner frees it with bbt_buf_free.
 * A buffer may carry a bound (max): its length never passes it, so a
 * body or reply from the network cannot take more memory than its limit.
 * On a failed append the buffer is unchanged (nothing half-written).
 */
#ifndef BBT_BUF_H
#define BBT_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct bbt_buf {
	char *p;		/* NULL until the first append */
	size_t len, cap;
	size_t max;		/* 0: no bound; else len <= max always */
};

/* Append n bytes: 0, or -1 with errno E2BIG (past max) or ENOMEM. */
int bbt_buf_add(struct bbt_buf *b, const void *data, size_t n);
/* Append formatted text, as bbt_buf_add (EINVAL for a bad format). */
int bbt_buf_printf(struct bbt_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int bbt_buf_vprintf(struct bbt_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/*
 * The capacity an append of n bytes would leave (b->cap when it fits as
 * is), 0 when it would pass max: for a caller that accounts memory
 * before it is taken (the collector's shared body budget).
 */
size_t bbt_buf_need(const struct bbt_buf *b, size_t n);
/* Free the bytes; the bound stays, so the buffer can be filled again. */
void bbt_buf_free(struct bbt_buf *b);

#endif
