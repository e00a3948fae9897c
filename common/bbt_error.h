/*
 * bbt_error: the one error convention of bbt.
 *
 * A function that can fail returns 0 on success or -1 on failure and, on
 * failure, writes a human-readable reason into the caller's struct
 * bbt_error (which may be NULL when the caller does not care). Callers add
 * context by prefixing: bbt_error_prefix(e, "%s", path). Messages never end
 * with a newline.
 */
#ifndef BBT_ERROR_H
#define BBT_ERROR_H

#include <stdarg.h>

#define BBT_ERROR_LEN 512

struct bbt_error {
	char msg[BBT_ERROR_LEN];
};

/* The message from a va_list, and the prefix (bbt_error.c). */
void bbt_error_vset(struct bbt_error *e, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void bbt_error_vprefix(struct bbt_error *e, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * Set the message; returns -1 so callers can `return bbt_error_set(...)`.
 * Inline so that the -1 is seen where it is called: the static analyzer
 * (make analyze) then knows `rc = bbt_error_set(...)` is a failure and
 * does not walk a "success" path with the output never filled.
 */
__attribute__((format(printf, 2, 3)))
static inline int bbt_error_set(struct bbt_error *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bbt_error_vset(e, fmt, ap);
	va_end(ap);
	return -1;
}

/* Prepend "context: " to the current message; returns -1. */
__attribute__((format(printf, 2, 3)))
static inline int bbt_error_prefix(struct bbt_error *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bbt_error_vprefix(e, fmt, ap);
	va_end(ap);
	return -1;
}
/* The message, or "" for a NULL or cleared error. */
const char *bbt_error_msg(const struct bbt_error *e);

#endif
