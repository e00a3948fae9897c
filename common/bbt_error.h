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

#define BBT_ERROR_LEN 512

struct bbt_error {
	char msg[BBT_ERROR_LEN];
};

/* Set the message; returns -1 so callers can `return bbt_error_set(...)`. */
int bbt_error_set(struct bbt_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prepend "context: " to the current message; returns -1. */
int bbt_error_prefix(struct bbt_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The message, or "" for a NULL or cleared error. */
const char *bbt_error_msg(const struct bbt_error *e);

#endif
